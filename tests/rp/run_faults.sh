#!/bin/sh
# The SSD model's command-line faults (--nvme-fault) as the driver on the card
# sees them (tests/rp/faultcli.c prints one line per LBA).
# usage: run_faults.sh SIM ELF OUTDIR
sim="$1"; elf="$2"; out="$3"
mkdir -p "$out"
img="$out/faults.img"
pass=0; fail=0
# expect SPEC LINES...: every line (each an LBA that fails) must be in the
# output, and no other LBA may fail
expect() {
	spec="$1"; shift
	rm -f "$img"; truncate -s 8M "$img"
	"$sim" --elf "$elf" --image "$img" --nvme-fault "$spec" --nvme-stats > "$out/log" 2> "$out/err"
	st=$?
	ok=1
	[ $st = 0 ] || ok=0
	for l in "$@"; do grep -qx "$l" "$out/log" || ok=0; done
	bad=$(grep -c "^lba .* -[0-9]" "$out/log")
	[ "$bad" = "$#" ] || ok=0
	if [ $ok = 1 ]; then
		pass=$((pass + 1)); echo "PASS --nvme-fault $spec"
	else
		fail=$((fail + 1)); echo "FAIL --nvme-fault $spec (status $st):"; sed 's/^/    /' "$out/log" "$out/err"
	fi
}
expect media:4:2 "lba 4 read -5 write -5" "lba 5 read -5 write -5"
expect hang:2:1
expect hang:2:2 "lba 0 read -5 write 0"
expect cfs:5 "lba 2 read 0 write -5"
[ $fail = 0 ] && res=pass || res=FAIL
sh "$(dirname "$0")/../../tools/figures_row.sh" nvme-faults-card $res \
	"NVMe faults under the card's block layer: media error, command hang, controller fatal (test-rp-faults)" \
	"$((pass + fail)) fault cases x 16 LBAs read and written" \
	"the failing LBAs, and only those, return -EIO; a command hung once succeeds after a controller reset and one retry"
echo "$pass passed, $fail failed"
[ $fail = 0 ]
