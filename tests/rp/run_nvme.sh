#!/bin/sh
# The NVMe driver on the card against the SSD model behind the root port:
# a fresh image, the firmware test on vfpga-sim (faults through the model's
# vendor command), then the image checked on the host.
# usage: run_nvme.sh SIM ELF OUTDIR
sim="$1"; elf="$2"; out="$3"
here=$(dirname "$0")
mkdir -p "$out"
img="$out/nvme.img"
rm -f "$img"
dd if=/dev/zero of="$img" bs=1M count=32 status=none || exit 1
pass=0; fail=0
"$sim" --elf "$elf" --image "$img" --nvme-fault-api --nvme-stats --max-cycles 400000000 \
	> "$out/sim.log" 2> "$out/sim.err"
st=$?
sed 's/^/    /' "$out/sim.log"
sed 's/^/    /' "$out/sim.err"
if [ $st = 0 ] && grep -q "^[1-9][0-9]* passed, 0 failed" "$out/sim.log"; then
	pass=$((pass + 1)); echo "PASS driver on the card against the SSD model (faults included)"
else
	fail=$((fail + 1)); echo "FAIL driver on the card against the SSD model (status $st)"
fi
if python3 "$here/../nvme/check_image.py" "$img" 512; then
	pass=$((pass + 1)); echo "PASS image content checked on the host"
else
	fail=$((fail + 1)); echo "FAIL image content"
fi
echo "$pass passed, $fail failed"
[ $fail = 0 ]
