#!/bin/sh
# ext4 over the NVMe driver on QEMU: mke2fs makes the image, the card's code
# fills it, e2fsck and debugfs judge it.
# usage: run_fs.sh ELF OUTDIR (QEMU=... picks another qemu-system-riscv32)
elf="$1"; out="$2"
. "$(dirname "$0")/qemu.sh"
mkdir -p "$out"
img="$out/fs.img"
rm -f "$img"
mke2fs -q -t ext4 -F "$img" 32M || exit 1
pass=0; fail=0
run_qemu "$elf" "$img" "$out/qemu-fs.log" vfpga-fs
st=$?
sed 's/^/    /' "$out/qemu-fs.log"
if [ $st = 0 ] && grep -q "ext4 over nvme: 0 failures" "$out/qemu-fs.log"; then
	pass=$((pass + 1)); echo "PASS ext4 over NVMe in QEMU"
else
	fail=$((fail + 1)); echo "FAIL ext4 over NVMe in QEMU (status $st)"
fi
if e2fsck -fn "$img" > "$out/e2fsck.log" 2>&1; then
	pass=$((pass + 1)); echo "PASS e2fsck -fn clean"
else
	fail=$((fail + 1)); echo "FAIL e2fsck:"; sed 's/^/    /' "$out/e2fsck.log"
fi
debugfs -R "dump /data.bin $out/data.bin" "$img" > /dev/null 2>&1
if python3 -c '
import sys
d = open(sys.argv[1], "rb").read()
ok = len(d) == 300 * 1024 and all(d[i] == (i * 13 + (i >> 10) + 1) & 0xff for i in range(len(d)))
sys.exit(0 if ok else 1)' "$out/data.bin" && \
   debugfs -R "ls /dir" "$img" 2>/dev/null | grep -q "entry-199" && \
   debugfs -R "stat /link" "$img" 2>/dev/null | grep -q 'Fast link dest: "dir/entry-042"'; then
	pass=$((pass + 1)); echo "PASS debugfs sees the file, the directory and the link"
else
	fail=$((fail + 1)); echo "FAIL debugfs content check"
fi
echo "$pass passed, $fail failed"
[ $fail = 0 ]
