#!/bin/sh
# The FUSE server over a fresh mke2fs image, then e2fsck and debugfs.
# usage: run.sh SERVER_TEST OUTDIR
t="$1"; out="$2"
mkdir -p "$out"
img="$out/fuse.img"
rm -f "$img"
mke2fs -q -t ext4 -F "$img" 64M || exit 1
"$t" "$img"; st=$?
pass=0; fail=0
if e2fsck -fn "$img" > "$out/e2fsck.log" 2>&1; then
	pass=$((pass + 1)); echo "PASS e2fsck -fn clean"
else
	fail=$((fail + 1)); echo "FAIL e2fsck:"; sed 's/^/    /' "$out/e2fsck.log"
fi
if debugfs -R "stat /d/b.txt" "$img" 2>/dev/null | grep -q "Size: 5000" && \
   debugfs -R "ls /" "$img" 2>/dev/null | grep -q "hard" && \
   ! debugfs -R "ls /" "$img" 2>/dev/null | grep -qw "l"; then
	pass=$((pass + 1)); echo "PASS debugfs sees d/b.txt (5000 bytes), hard, no l"
else
	fail=$((fail + 1)); echo "FAIL debugfs content"
fi
echo "$pass passed, $fail failed"
[ $st = 0 ] && [ $fail = 0 ]
