#!/bin/sh
# The request loop over the FUSE server on a fresh mke2fs image, then e2fsck.
# usage: run.sh FSDEV_TEST OUTDIR
t="$1"; out="$2"
mkdir -p "$out"
img="$out/fsdev.img"
rm -f "$img"
mke2fs -q -t ext4 -F "$img" 16M || exit 1
"$t" "$img"; st=$?
if e2fsck -fn "$img" > "$out/e2fsck.log" 2>&1; then
	echo "PASS e2fsck -fn clean"; echo "1 passed, 0 failed"
else
	echo "FAIL e2fsck:"; sed 's/^/    /' "$out/e2fsck.log"; echo "0 passed, 1 failed"; st=1
fi
exit $st
