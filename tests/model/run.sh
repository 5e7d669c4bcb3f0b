#!/bin/sh
# vfpga-model tests: the vhost-user front-end test (vu_test) against a fresh
# mke2fs image, then e2fsck and debugfs on what it wrote; bad images and bad
# arguments refused with an exit status of 2.
#   run.sh VFPGA_MODEL VU_TEST WORKDIR
set -u
MODEL=$1 VUTEST=$2 W=$3
rm -rf "$W" && mkdir -p "$W"
fail=0
say() { echo "test-model: $*"; }
bad() { say "FAIL: $*"; fail=1; }

IMG=$W/img SOCK=$W/sock
mke2fs -q -F -t ext4 "$IMG" 64M || exit 2
"$MODEL" --socket "$SOCK" --image "$IMG" --tag vu-test-tag --stats "$W/stats.json" 2>"$W/model.log" &
pid=$!
i=0; while [ ! -S "$SOCK" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done
timeout 60 "$VUTEST" "$SOCK" vu-test-tag || bad "vu_test"
# The oversized message ends the connection: the model unmounts and exits.
i=0; while kill -0 $pid 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
if kill -0 $pid 2>/dev/null; then kill -9 $pid; bad "vfpga-model did not exit after the front end left"; fi
wait $pid; rc=$?
[ $rc -eq 0 ] || bad "vfpga-model exit status $rc"
grep -q "malformed descriptor chain" "$W/model.log" || bad "model log does not report the malformed chains"
grep -q '"bad_chains": [1-9]' "$W/stats.json" || bad "stats do not count the bad chains"
e2fsck -fn "$IMG" >"$W/e2fsck.log" 2>&1 || { cat "$W/e2fsck.log"; bad "e2fsck -fn after vu_test"; }
debugfs -R "dump /ring.dat $W/ring.dat" "$IMG" >/dev/null 2>&1
python3 -c "
import sys
d = open(sys.argv[1], 'rb').read()
sys.exit(0 if d == bytes((i * 7 + 3) & 255 for i in range(10000)) else 1)" "$W/ring.dat" \
  || bad "debugfs: ring.dat does not hold the 10000 bytes written through the ring"

# Refusals: an image with a zeroed superblock, a missing image, bad arguments.
cp "$IMG" "$W/bad.img"
dd if=/dev/zero of="$W/bad.img" bs=1024 seek=1 count=1 conv=notrunc 2>/dev/null
"$MODEL" --socket "$W/s2" --image "$W/bad.img" 2>"$W/bad.log"; rc=$?
[ $rc -eq 2 ] && grep -qi "refused" "$W/bad.log" && [ ! -S "$W/s2" ] || bad "corrupt superblock: status $rc, $(cat "$W/bad.log")"
"$MODEL" --socket "$W/s2" --image "$W/none.img" 2>/dev/null; rc=$?
[ $rc -eq 2 ] || bad "missing image: status $rc"
"$MODEL" --socket "$W/s2" --image "$IMG" --queues 0 2>/dev/null; rc=$?
[ $rc -eq 2 ] || bad "--queues 0: status $rc"
"$MODEL" --socket "$W/s2" --image "$IMG" --tag 0123456789012345678901234567890123456789 2>/dev/null; rc=$?
[ $rc -eq 2 ] || bad "37-byte tag: status $rc"
cmp -s "$IMG" "$W/bad.img" && bad "bad.img changed?"

[ $fail -eq 0 ] && say "all passed"
exit $fail
