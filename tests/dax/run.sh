#!/bin/sh
# The DAX window on the RTL card (dax_rtl_test) over a fresh mke2fs image in
# the simulated SSD, then e2fsck -fn and a debugfs dump of every file the test
# left an OUTDIR/NAME for.
# usage: run.sh DAX_RTL_TEST CARD.elf OUTDIR [test options]
t="$1"; fw="$2"; out="$3"; shift 3
mkdir -p "$out"
img="$out/dax.img"
rm -rf "$img" "$out/expect" "$out"/*.got
mkdir -p "$out/expect"
mke2fs -q -t ext4 -F "$img" 64M || exit 1
"$t" "$fw" "$img" "$out/expect" "$@"; st=$?
sh "$(dirname "$0")/../include/image_check.sh" "$img" "$out" 3 "$out"/expect/*; ck=$?
[ $st = 0 ] && [ $ck = 0 ]
