#!/bin/sh
# The READ fast path on the RTL card (fast_rtl_test) over a fresh mke2fs
# image (4 KiB blocks: the fast path serves whole 4 KiB frames) in the
# simulated SSD, then e2fsck -fn and a debugfs dump of the file the test
# left in OUTDIR/expect.
# usage: run.sh FAST_RTL_TEST CARD.elf OUTDIR [test options]
t="$1"; fw="$2"; out="$3"; shift 3
mkdir -p "$out"
img="$out/fast.img"
rm -rf "$img" "$out/expect" "$out"/*.got
mkdir -p "$out/expect"
mke2fs -q -t ext4 -b 4096 -F "$img" 64M || exit 1
"$t" "$fw" "$img" "$out" "$@"; st=$?
sh "$(dirname "$0")/../include/image_check.sh" "$img" "$out" 2 "$out"/expect/*; ck=$?
[ $st = 0 ] && [ $ck = 0 ]
