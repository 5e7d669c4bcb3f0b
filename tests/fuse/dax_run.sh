#!/bin/sh
# The FUSE server's DAX window over a fresh mke2fs image, then e2fsck and a
# debugfs dump of every file the test left an OUTDIR/NAME.expect for.
# usage: dax_run.sh DAX_TEST OUTDIR [SEED [STEPS]]
t="$1"; out="$2"; shift 2
mkdir -p "$out"
img="$out/dax.img"
rm -f "$img" "$out/fault.img" "$out"/*.expect "$out"/*.got
mke2fs -q -t ext4 -F "$img" 128M || exit 1
mke2fs -q -t ext4 -F "$out/fault.img" 8M || exit 1
"$t" "$img" "$out/fault.img" "$out" "$@"; st=$?
sh "$(dirname "$0")/../include/image_check.sh" "$img" "$out" 1 "$out"/*.expect; ck=$?
[ $st = 0 ] && [ $ck = 0 ]
