#!/bin/sh
# Idle skipping (sim/vtop.h: vtop_skip_idle) changes nothing but wall time:
# the ext4-over-NVMe scenario on the card, into an SSD with media latency
# (nvme-tlc, where the firmware sleeps in WFI while it waits), run twice on
# copies of one image, once skipping idle spans and once stepping every
# cycle (VFPGA_NO_SKIP). Both runs must agree on the cycle and instruction
# counts, the console and the image, and the first must have skipped.
# usage: run_skip.sh SIM ELF OUTDIR
sim="$1"; elf="$2"; out="$3"
mkdir -p "$out"
pass=0; fail=0
check() { # name condition-status
	if [ "$2" = 0 ]; then pass=$((pass + 1)); echo "PASS $1"; else fail=$((fail + 1)); echo "FAIL $1"; fi
}
rm -f "$out/a.img" "$out/b.img"
mke2fs -q -t ext4 -F "$out/a.img" 32M || exit 1
cp "$out/a.img" "$out/b.img"
run() { # image log [env]
	"$sim" --elf "$elf" --image "$1" --ssd-profile nvme-tlc --max-cycles 2000000000 > "$2.out" 2> "$2.err"
}
s=$(date +%s.%N)
run "$out/a.img" "$out/skip"; st_a=$?
m=$(date +%s.%N)
VFPGA_NO_SKIP=1 run "$out/b.img" "$out/step"; st_b=$?
e=$(date +%s.%N)
check "both runs pass (status $st_a, $st_b)" $([ $st_a = 0 ] && [ $st_b = 0 ]; echo $?)
ca=$(grep '^cycles [0-9]* instret [0-9]*$' "$out/skip.err")
cb=$(grep '^cycles [0-9]* instret [0-9]*$' "$out/step.err")
echo "    skipping: $ca; stepping: $cb"
check "same cycles and instructions" $([ -n "$ca" ] && [ "$ca" = "$cb" ]; echo $?)
skipped=$(sed -n 's/^idle cycles skipped \([0-9]*\)$/\1/p' "$out/skip.err")
echo "    idle cycles skipped: ${skipped:-none}"
check "idle cycles were skipped" $([ "${skipped:-0}" -gt 100000 ]; echo $?)
check "no skipping under VFPGA_NO_SKIP" $(! grep -q "idle cycles skipped" "$out/step.err"; echo $?)
check "same console output" $(cmp -s "$out/skip.out" "$out/step.out"; echo $?)
check "same image" $(cmp -s "$out/a.img" "$out/b.img"; echo $?)
awk -v s="$s" -v m="$m" -v e="$e" 'BEGIN { printf "    wall: %.1f s skipping, %.1f s stepping\n", m - s, e - m }'
echo "$pass passed, $fail failed"
[ $fail = 0 ]
