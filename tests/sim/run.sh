#!/bin/sh
# Bad-input tests of vfpga-sim: images that do not fit or cannot end, runs that
# never end, garbage execution. Each case checks the exit status and message.
# usage: run.sh SIM OUTDIR RV_CC "RV_ARCH" GENDIR
sim="$1"; out="$2"; rvcc="$3"; arch="$4"; gen="$5"
here=$(dirname "$0")
mkdir -p "$out"
pass=0; fail=0

build() { # name [extra flags]
	n="$1"; shift
	$rvcc $arch -nostdlib -nostartfiles -I"$here" -L"$gen" -T"$here/../include/bare.ld" "$@" \
		"$here/$n.S" -o "$out/$n.elf" 2>"$out/$n.build.log"
}

check() { # name expected-status expected-text cmd...
	name="$1"; want="$2"; text="$3"; shift 3
	"$@" >"$out/$name.out" 2>&1; got=$?
	if [ "$got" = "$want" ] && grep -q -- "$text" "$out/$name.out"; then
		pass=$((pass + 1)); echo "PASS $name"
	else
		fail=$((fail + 1)); echo "FAIL $name: status $got (want $want), output:"; sed 's/^/    /' "$out/$name.out" | tail -5
	fi
}

for n in pass fail5 forever no_tohost; do build $n || { echo "build $n failed"; cat "$out/$n.build.log"; exit 1; }; done
# too_big must fail to link against the map; link it unchecked to show the simulator refuses it.
$rvcc $arch -nostdlib -nostartfiles -I"$here" -Wl,-Ttext=0x80000000 -Wl,--section-start=.tohost=0x80060000 \
	"$here/too_big.S" -o "$out/too_big.elf" 2>"$out/too_big.build.log" || { echo "build too_big failed"; exit 1; }
printf 'this is not an ELF file\n' > "$out/not_elf.elf"

check pass            0 "cycles [0-9]* instret [0-9]*" "$sim" --elf "$out/pass.elf"
check fail-code       1 "FAIL code 5"                  "$sim" --elf "$out/fail5.elf"
check timeout         3 "timeout"                      "$sim" --elf "$out/forever.elf" --max-cycles 5000
check missing-tohost  2 "no 'tohost' symbol"           "$sim" --elf "$out/no_tohost.elf"
check simctrl-exit    0 "PASS"                         "$sim" --elf "$out/no_tohost.elf" --no-tohost
check does-not-fit    2 "does not fit the memory map"  "$sim" --elf "$out/too_big.elf"
check not-elf         2 "not an ELF"                   "$sim" --elf "$out/not_elf.elf"
check missing-file    2 "cannot open"                  "$sim" --elf "$out/absent.elf"
check bad-max-cycles  2 "bad --max-cycles"             "$sim" --elf "$out/pass.elf" --max-cycles 12x
check no-args         2 "--elf FILE is required"       "$sim"
# The SSD's profiles: an unknown name is a usage error listing the known ones;
# the profile in use is printed at start.
truncate -s 1M "$out/ssd.img"
check ssd-profile-unknown 2 "unknown --ssd-profile 'nope'" "$sim" --elf "$out/pass.elf" --image "$out/ssd.img" --ssd-profile nope
check ssd-profile-list    2 "nvme-tlc .*Gen3 x4"         "$sim" --elf "$out/pass.elf" --image "$out/ssd.img" --ssd-profile nope
check ssd-profile-socket  2 "unknown --ssd-profile"       "$sim" --socket "$out/none.sock" --ssd-profile nope
check ssd-profile-cosim   2 "unknown --ssd-profile"       "$sim" --cosim "$out/none.sock" --ssd-profile nope
check ssd-profile-missing 2 "--ssd-profile needs a value" "$sim" --elf "$out/pass.elf" --ssd-profile
check ssd-profile-shown   0 "ssd: .*profile nvme-tlc"    "$sim" --elf "$out/pass.elf" --image "$out/ssd.img" --ssd-profile nvme-tlc
check ssd-profile-default 0 "ssd: .*profile ideal"       "$sim" --elf "$out/pass.elf" --image "$out/ssd.img"
# A waveform: an FST file appears and is not empty.
rm -f "$out/pass.fst"
check trace           0 "PASS"                         "$sim" --elf "$out/pass.elf" --trace "$out/pass.fst"
if [ -s "$out/pass.fst" ]; then
	pass=$((pass + 1)); echo "PASS trace file written ($(wc -c < "$out/pass.fst") bytes)"
else
	fail=$((fail + 1)); echo "FAIL trace file missing or empty"
fi

for seed in 1 2 3 4 5 6 7 8; do
	build garbage -DSEED=$seed && mv "$out/garbage.elf" "$out/garbage$seed.elf" || { echo "build garbage failed"; exit 1; }
	"$sim" --elf "$out/garbage$seed.elf" --max-cycles 2000000 >"$out/garbage$seed.out" 2>&1; st=$?
	if { [ $st = 0 ] || [ $st = 1 ] || [ $st = 3 ]; } && grep -q "^cycles [0-9]* instret" "$out/garbage$seed.out"; then
		pass=$((pass + 1)); echo "PASS garbage seed $seed (status $st)"
	else
		fail=$((fail + 1)); echo "FAIL garbage seed $seed: status $st"; tail -3 "$out/garbage$seed.out"
	fi
done

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
