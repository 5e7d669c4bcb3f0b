#!/bin/sh
# The ext4-over-NVMe scenario on QEMU: mke2fs makes the image, the scenario
# (tests/nvme/fs_scenario.c) fills it, check_fs.sh judges it on the host.
# usage: run_fs.sh ELF OUTDIR (QEMU=... picks another qemu-system-riscv32)
elf="$1"; out="$2"
here=$(dirname "$0")
. "$here/qemu.sh"
mkdir -p "$out"
img="$out/fs.img"
rm -f "$img"
mke2fs -q -t ext4 -F "$img" 32M || exit 1
pass=0; fail=0
run_qemu "$elf" "$img" "$out/qemu-fs.log" vfpga-fs
st=$?
sed 's/^/    /' "$out/qemu-fs.log"
if [ $st = 0 ] && grep -q "ext4 over nvme on QEMU virt: 0 failures" "$out/qemu-fs.log"; then
	pass=$((pass + 1)); echo "PASS ext4 over NVMe in QEMU"
else
	fail=$((fail + 1)); echo "FAIL ext4 over NVMe in QEMU (status $st)"
fi
sh "$here/check_fs.sh" "$img" 200 qemu "$out" > "$out/check.log"
bad=$?
cat "$out/check.log"
pass=$((pass + $(grep -c '^PASS' "$out/check.log"))); fail=$((fail + bad))
echo "$pass passed, $fail failed"
[ $fail = 0 ]
