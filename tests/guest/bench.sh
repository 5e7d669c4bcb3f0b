#!/bin/sh
# make bench-guest-fio: the same fio jobs (bench.fio: 4 KiB randread through
# psync and through libaio at iodepth 16, sequential write through psync,
# O_DIRECT) in the test guest against vfpga-model and
# against virtiofsd, one run each; writes a Markdown table with both figures
# and their ratio. Reported, never asserted.
#
#   bench.sh VFPGA-MODEL VIRTIOFSD WORKDIR OUT.md
set -u
model=${1:?vfpga-model} vfsd=${2:?virtiofsd} W=${3:?workdir} out=${4:?out.md}
here=$(cd "$(dirname "$0")" && pwd)
GR=$here/../../tools/guest-run
rm -rf "$W" && mkdir -p "$W/share" || exit 2
W=$(cd "$W" && pwd)
sockdir=$(mktemp -d /tmp/guest-bench.XXXXXX) || exit 2
SOCK=$sockdir/vfs.sock
bpid=
trap '[ -n "$bpid" ] && kill $bpid 2>/dev/null; rm -rf "$sockdir"' EXIT
mke2fs -q -F -t ext4 "$W/disk.img" 256M >/dev/null || exit 2

# run NAME BACKEND-COMMAND...: one boot, fio's JSON in W/NAME.json
run() {
	name=$1; shift
	rm -f "$SOCK"
	"$@" >"$W/$name.backend.log" 2>&1 &
	bpid=$!
	i=0; while [ ! -S "$SOCK" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	"$GR" --socket "$SOCK" --timeout 300 --log "$W/$name.console" --file "$here/bench.fio" \
		-- fio --output-format=json /opt/bench.fio >"$W/$name.json" 2>"$W/$name.err"
	rc=$?
	i=0; while kill -0 $bpid 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	kill $bpid 2>/dev/null; wait $bpid 2>/dev/null; bpid=
	[ $rc -eq 0 ] || { echo "bench-guest-fio: $name: guest-run status $rc"; cat "$W/$name.err"; return 1; }
	echo "bench-guest-fio: $name done"
}

run vfpga-model "$model" --socket "$SOCK" --image "$W/disk.img" --stats "$W/vfpga-model.stats.json" || exit 1
run virtiofsd "$vfsd" --socket-path="$SOCK" -o source="$W/share" -o cache=auto || exit 1

python3 - "$W/vfpga-model.json" "$W/virtiofsd.json" "$W/vfpga-model.stats.json" >"$out" <<'PY' || exit 1
import json, sys
def figures(path):
    text = open(path).read()
    d = json.loads(text[text.index('{'):])
    res = {}
    for j in d['jobs']:
        side = 'read' if j['read']['io_bytes'] else 'write'
        res[j['jobname']] = (j[side]['iops'], j[side]['bw'] / 1024.0, j[side]['clat_ns']['mean'] / 1000.0)
    return res
m, v = figures(sys.argv[1]), figures(sys.argv[2])
print("| fio in the guest (QEMU TCG, O_DIRECT, 4 KiB, 5 s; psync unless named) | vfpga-model IOPS | virtiofsd IOPS | model / virtiofsd | vfpga-model MiB/s | virtiofsd MiB/s | vfpga-model mean latency µs | virtiofsd mean latency µs |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
for job in m:
    (mi, mb, ml), (vi, vb, vl) = m[job], v[job]
    print(f"| {job} | {mi:.0f} | {vi:.0f} | {mi / vi:.2f} | {mb:.1f} | {vb:.1f} | {ml:.0f} | {vl:.0f} |")
print()
st = json.load(open(sys.argv[3]))
most = max((q["occupancy_max"] for n, q in st["queues"].items() if n != "0"), default=0)
print("Wall-clock figures of an emulated guest on a shared host: the ratio is the figure to read. "
      f"Most requests vfpga-model found outstanding in its request queue at once over the run: {most} "
      "(the guest's kernel sends O_DIRECT requests of one file together only with FUSE_ASYNC_DIO agreed at INIT).")
PY
cat "$out"
