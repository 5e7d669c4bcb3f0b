#!/bin/sh
# The READ fast path on the RTL card (fast_rtl_test) over fresh mke2fs
# images in the simulated SSD, one with 4 KiB blocks (a page is one frame)
# and one with 1 KiB blocks (a page is four frames side by side), each
# followed by e2fsck -fn and a debugfs dump of the files the test left in
# its OUTDIR/expect.
# usage: run.sh FAST_RTL_TEST CARD.elf OUTDIR [test options]
t="$1"; fw="$2"; out="$3"; shift 3
st=0
for bs in 4096 1024; do
	o="$out/bs$bs"
	rm -rf "$o" && mkdir -p "$o/expect"
	img="$o/fast.img"
	echo "fast_rtl_test: ext4 with $bs-byte blocks"
	mke2fs -q -t ext4 -b $bs -F "$img" 64M || exit 1
	"$t" "$fw" "$img" "$o" "$@" || st=1
	sh "$(dirname "$0")/../include/image_check.sh" "$img" "$o" 2 "$o"/expect/* || st=1
	[ $# -gt 0 ] && break	# a bench (--bench) runs once, over 4 KiB blocks
done
exit $st
