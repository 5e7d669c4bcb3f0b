#!/bin/sh
# The HIL job files against the simulated card: one short job (default
# randread-libaio, 4 MiB, 1 job) run by tests/hil/guest.sh in the test guest
# (tools/guest-run, QEMU TCG) on vfpga-model, the card's functional model,
# over a fresh ext4 image; report.py must find its result, and e2fsck the
# image clean after.
#
# usage: sim.sh VFPGA-MODEL WORKDIR [JOB] [SIZE]
set -u
model=${1:?vfpga-model}; W=${2:?workdir}; job=${3:-randread-libaio}; size=${4:-4M}
here=$(cd "$(dirname "$0")" && pwd)
GR=$here/../../tools/guest-run
rm -rf "$W" && mkdir -p "$W" || exit 2
W=$(cd "$W" && pwd)
sockdir=$(mktemp -d /tmp/hil-sim.XXXXXX) || exit 2
sock=$sockdir/vfs.sock
bpid=
trap '[ -n "$bpid" ] && kill $bpid 2>/dev/null; rm -rf "$sockdir"' EXIT
mke2fs -q -F -t ext4 "$W/disk.img" 64M >/dev/null || exit 2
printf 'HIL_MODE=sim\nHIL_SIZE=%s\nHIL_RUNTIME=0\nHIL_NUMJOBS="1"\nHIL_JOBS="%s"\n' "$size" "$job" >"$W/hil.env"

"$model" --socket "$sock" --image "$W/disk.img" >"$W/model.log" 2>&1 &
bpid=$!
i=0; while [ ! -S "$sock" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
start=$(date +%s)
"$GR" --socket "$sock" --timeout 300 --log "$W/console.log" \
	--file "$here/jobs/$job.fio:/opt/jobs/$job.fio" --file "$W/hil.env:/opt/hil.env" \
	--file "$here/guest.sh:/opt/guest.sh" -- sh /opt/guest.sh >"$W/out.log" 2>&1
rc=$?
i=0; while kill -0 $bpid 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
kill $bpid 2>/dev/null; wait $bpid 2>/dev/null; bpid=
if [ $rc -ne 0 ]; then
	echo "hil-sim: guest-run status $rc"; tail -20 "$W/out.log"; exit 1
fi
python3 "$here/report.py" --title "fio on vfpga-model (TCG guest, $size)" --md "$W/results.md" \
	--svg "$W/results.svg" "$W/out.log" || exit 1
cat "$W/results.md"
e2fsck -fn "$W/disk.img" >"$W/e2fsck.log" 2>&1 || { echo "hil-sim: e2fsck found problems:"; cat "$W/e2fsck.log"; exit 1; }
echo "hil-sim: $job through the HIL guest script on vfpga-model in $(( $(date +%s) - start )) s, e2fsck clean"
