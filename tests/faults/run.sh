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
"$t" "$fw" "$img" "$out/expect" "$@"; st=$?
sh "$(dirname "$0")/../include/image_check.sh" "$img" "$out" 1 "$out"/expect/*; ck=$?
[ $st = 0 ] && [ $ck = 0 ]
