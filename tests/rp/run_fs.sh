#!/bin/sh
# The ext4-over-NVMe scenario on the card, over the NVMe driver and the root
# port, into the SSD model's image: mke2fs makes it, the firmware fills it
# (tests/nvme/fs_scenario.c), tests/nvme/check_fs.sh judges it on the host.
# usage: run_fs.sh SIM ELF OUTDIR [vfpga-sim options, e.g. --ssd-profile NAME]
sim="$1"; elf="$2"; out="$3"; shift 3
mkdir -p "$out"
img="$out/fs.img"
rm -f "$img"
mke2fs -q -t ext4 -F "$img" 32M || exit 1
pass=0; fail=0
"$sim" --elf "$elf" --image "$img" --nvme-stats --max-cycles 2000000000 "$@" > "$out/sim.log" 2> "$out/sim.err"
st=$?
sed 's/^/    /' "$out/sim.log"
sed 's/^/    /' "$out/sim.err"
if [ $st = 0 ] && grep -q "ext4 over nvme on the card: 0 failures" "$out/sim.log"; then
	pass=$((pass + 1)); echo "PASS ext4 on the card over NVMe"
else
	fail=$((fail + 1)); echo "FAIL ext4 on the card over NVMe (status $st)"
fi
sh "$(dirname "$0")/../nvme/check_fs.sh" "$img" 120 card "$out" > "$out/check.log"
bad=$?
cat "$out/check.log"
pass=$((pass + $(grep -c '^PASS' "$out/check.log"))); fail=$((fail + bad))
echo "$pass passed, $fail failed"
[ $fail = 0 ]
