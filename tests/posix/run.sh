#!/bin/sh
# posix_test inside the stock guest (tools/guest-run) against vfpga-model
# over a fresh mke2fs image; then e2fsck -fn on the image.
#   run.sh VFPGA_MODEL POSIX_TEST WORKDIR
set -u
MODEL=$1 PT=$2 W=$3
rm -rf "$W" && mkdir -p "$W"
fail=0
IMG=$W/img SOCK=$W/sock
mke2fs -q -F -t ext4 "$IMG" 8G || exit 2
"$MODEL" --socket "$SOCK" --image "$IMG" --stats "$W/stats.json" 2>"$W/model.log" &
pid=$!
i=0; while [ ! -S "$SOCK" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done
tools/guest-run --socket "$SOCK" --timeout 600 --log "$W/guest.log" \
	--file "$PT:/opt/posix_test" -- posix_test /mnt/posix >"$W/out.log" 2>&1; rc=$?
tail -1 "$W/out.log"
grep FAIL "$W/out.log"
[ $rc -eq 0 ] || { echo "test-posix: FAIL: posix_test status $rc"; tail -20 "$W/out.log"; fail=1; }
i=0; while kill -0 $pid 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done
kill -0 $pid 2>/dev/null && { kill $pid; echo "test-posix: FAIL: vfpga-model still running"; fail=1; }
wait $pid || { echo "test-posix: FAIL: vfpga-model exit status $?"; fail=1; }
e2fsck -fn "$IMG" >"$W/e2fsck.log" 2>&1 || { cat "$W/e2fsck.log"; echo "test-posix: FAIL: e2fsck -fn"; fail=1; }
[ $fail -eq 0 ] && echo "test-posix: all passed"
exit $fail
