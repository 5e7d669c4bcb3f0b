#!/bin/sh
# The NVMe cross-check: firmware/nvme against QEMU's NVMe on riscv32 virt,
# then the image checked on the host.
# usage: run.sh ELF OUTDIR (QEMU=... picks another qemu-system-riscv32)
elf="$1"; out="$2"
. "$(dirname "$0")/qemu.sh"
mkdir -p "$out"
img="$out/nvme.img"
rm -f "$img"
dd if=/dev/zero of="$img" bs=1M count=16 status=none
pass=0; fail=0
run_qemu "$elf" "$img" "$out/qemu.log" vfpga-xcheck
st=$?
sed 's/^/    /' "$out/qemu.log"
if [ $st = 0 ] && grep -q "nvme cross-check: 0 failures" "$out/qemu.log"; then
	pass=$((pass + 1)); echo "PASS driver against QEMU's NVMe"
else
	fail=$((fail + 1)); echo "FAIL driver against QEMU's NVMe (status $st)"
fi
if python3 "$(dirname "$0")/check_image.py" "$img" 512; then
	pass=$((pass + 1)); echo "PASS image content checked on the host"
else
	fail=$((fail + 1)); echo "FAIL image content"
fi
echo "$pass passed, $fail failed"
[ $fail = 0 ]
