#!/bin/sh
# Completion faults on the live request path (live_pcie) over a fresh
# mke2fs image in the simulated SSD, then e2fsck -fn and a debugfs dump of
# every file the test left in OUTDIR/expect.
# usage: run.sh LIVE_PCIE CARD.elf OUTDIR [test options]
t="$1"; fw="$2"; out="$3"; shift 3
img="$out/live.img"
rm -rf "$out"
mkdir -p "$out/expect"
# the same image every run (UUID, hash seed, times): a seed replays a run
uuid=7f2c4d1e-8a3b-4c5d-9e6f-102132435465
E2FSPROGS_FAKE_TIME=1700000000 mke2fs -q -t ext4 -F -U $uuid -E hash_seed=$uuid "$img" 64M || exit 1
"$t" "$fw" "$img" "$out/expect" "$@" > "$out/log" 2>&1; st=$?
cat "$out/log"
sh "$(dirname "$0")/../include/image_check.sh" "$img" "$out" 1 "$out"/expect/*; ck=$?
# a row of README's fault-figures table, from the log
[ $st = 0 ] && [ $ck = 0 ] && res=pass || res=FAIL
a=$(sed -n 's/^live_pcie: (a) \([0-9]*\) steps.*/\1/p' "$out/log")
b=$(sed -n 's/^live_pcie: (b) \([0-9]* faulted requests: [0-9]* EIO replies, [0-9]* device resets\).*/\1/p' "$out/log")
c=$(sed -n 's/^live_pcie: (c) \([0-9]*\) steps.*/\1/p' "$out/log")
sh "$(dirname "$0")/../../tools/figures_row.sh" pcie-live-card $res \
	"Completion faults while the card serves files: late, reordered, split at 64 bytes; UR, CA, poisoned, lost (test-live-pcie)" \
	"${a:-0} + ${c:-0} random file operations under reordered split completions; ${b:-0 faulted requests}" \
	"every byte read back equal to a model, no poisoned byte in a file, no DMA outside guest memory; e2fsck -fn clean, debugfs"
[ $st = 0 ] && [ $ck = 0 ]
