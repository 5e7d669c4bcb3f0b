#!/bin/sh
# SSD faults while the card serves, and a device reset / unbind-rebind in
# the middle of WRITE traffic (tests/recover/live_nvme.c), over a fresh
# mke2fs image holding three files made here; then e2fsck -fn and a debugfs
# dump of every file the test left an expected copy of.
# usage: run.sh LIVE_NVME CARD.elf OUTDIR
t="$1"; fw="$2"; out="$3"
mkdir -p "$out"
img="$out/live.img"
src="$out/src"
rm -rf "$img" "$src" "$out/expect" "$out"/*.got
mkdir -p "$src" "$out/expect"
# three files of 512 KiB the card has never read when the test starts
for n in 1 2 3; do
	name=cold; [ $n = 1 ] || name=cold$n
	head -c 524288 /dev/urandom > "$src/$name" || exit 1
done
mke2fs -q -t ext4 -b 4096 -d "$src" -F "$img" 64M || exit 1
# the LBA of cold's block at 32 KiB (logical block 8): 4 KiB blocks, 512-byte LBAs
blk=$(debugfs -R "bmap /cold 8" "$img" 2>/dev/null)
case "$blk" in
''|*[!0-9]*) echo "FAIL debugfs bmap /cold 8: '$blk'"; exit 1;;
esac
"$t" "$fw" "$img" "$out" "$src" $((blk * 8)) > "$out/log" 2>&1; st=$?
cat "$out/log"
sh "$(dirname "$0")/../include/image_check.sh" "$img" "$out" 10 "$out"/expect/*; ck=$?
# a row of README's fault-figures table (tools/figures_row.sh), from the log
[ $st = 0 ] && [ $ck = 0 ] && res=pass || res=FAIL
checks=$(sed -n 's/^\([0-9]*\) passed, [0-9]* failed$/\1/p' "$out/log" | tail -1)
gone=$(awk '/^live_nvme: .* answered, .* abandoned/ { for (i = 2; i <= NF; i++) if ($i == "abandoned") n += $(i - 1) } END { print n + 0 }' "$out/log")
files=$(ls "$out/expect" | wc -l)
fig="$(dirname "$0")/../../tools/figures_row.sh"
sh "$fig" nvme-live-card $res \
	"NVMe faults while the card serves files, device reset and unbind/rebind mid-WRITE (test-live-nvme)" \
	"media error, 4 command timeouts, CFS mid-WRITE then recovery at the reset; ${gone:-0} requests abandoned in flight; ${checks:-0} checks" \
	"EIO only where due; every FSYNC'd byte (every answered WRITE after a reset) read back through FUSE; e2fsck -fn clean, debugfs of $files files"
[ $st = 0 ] && [ $ck = 0 ]
