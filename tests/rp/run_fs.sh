#!/bin/sh
# ext4 on the card, over the NVMe driver and the root port, into the SSD
# model's image: mke2fs makes it, the firmware fills it, e2fsck and debugfs
# judge it on the host.
# usage: run_fs.sh SIM ELF OUTDIR
sim="$1"; elf="$2"; out="$3"
mkdir -p "$out"
img="$out/fs.img"
rm -f "$img"
mke2fs -q -t ext4 -F "$img" 32M || exit 1
pass=0; fail=0
"$sim" --elf "$elf" --image "$img" --nvme-stats --max-cycles 2000000000 > "$out/sim.log" 2> "$out/sim.err"
st=$?
sed 's/^/    /' "$out/sim.log"
sed 's/^/    /' "$out/sim.err"
if [ $st = 0 ] && grep -q "ext4 over nvme on the card: 0 failures" "$out/sim.log"; then
	pass=$((pass + 1)); echo "PASS ext4 on the card over NVMe"
else
	fail=$((fail + 1)); echo "FAIL ext4 on the card over NVMe (status $st)"
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
   debugfs -R "ls /dir" "$img" 2>/dev/null | grep -q "entry-119" && \
   debugfs -R "stat /dir/entry-008" "$img" 2>&1 | grep -q "not found" && \
   debugfs -R "stat /moved" "$img" 2>/dev/null | grep -q "Type: regular" && \
   debugfs -R "stat /link" "$img" 2>/dev/null | grep -q 'Fast link dest: "dir/entry-042"' && \
   debugfs -R "ea_get /data.bin user.origin" "$img" 2>/dev/null | grep -q "card"; then
	pass=$((pass + 1)); echo "PASS debugfs sees the file, its xattr, the directory, the rename and the link"
else
	fail=$((fail + 1)); echo "FAIL debugfs content check"
fi
echo "$pass passed, $fail failed"
[ $fail = 0 ]
