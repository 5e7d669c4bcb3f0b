#!/bin/sh
# A stock Linux guest on a vhost-user-fs back end: file operations and fio
# verify runs through tools/guest-run, each boot against a freshly started back
# end (a back end serves one front end and exits when it leaves), then a check
# from the host side of what the guest wrote.
#
#   run.sh virtiofsd   PATH-TO-virtiofsd   WORKDIR     shares WORKDIR/share
#   run.sh vfpga-model PATH-TO-vfpga-model WORKDIR     serves a fresh mke2fs -t ext4 image
#
# Steps: fileops.sh; fio psync + libaio 4 KiB random write + crc32c verify;
# a new boot that re-verifies the fio files and a text file (persistence
# across a back-end restart); for vfpga-model a boot of libaio iodepth 16
# O_DIRECT reads that must reach it several at once (FUSE_ASYNC_DIO, from
# its --stats); the host then reads the same files (debugfs on
# the image after e2fsck -fn for vfpga-model, the shared directory for
# virtiofsd). Against virtiofsd the guest tooling's own error paths are
# checked too (exit status, timeout, mount failure, no boot).
# Environment: GUEST_RUN_ARGS (extra tools/guest-run arguments, e.g. --mem 1G),
# VIRTIOFSD_OPTS, MODEL_OPTS (extra back-end arguments, e.g. --queues 4).
set -u
backend=${1:?usage: run.sh virtiofsd|vfpga-model BACKEND-BINARY WORKDIR}
bin=${2:?backend binary}
W=${3:?work directory}
here=$(cd "$(dirname "$0")" && pwd)
GR=$here/../../tools/guest-run
name=test-guest-$backend
[ "$backend" = vfpga-model ] && name=test-guest

fail=0 t_start=$(date +%s)
say() { echo "$name: $*"; }
bad() { say "FAIL: $*"; fail=1; }
now() { date +%s.%N; }
secs() { awk "BEGIN { printf \"%.1f\", $(now) - $1 }"; }

case $backend in virtiofsd|vfpga-model) ;; *) echo "run.sh: unknown back end $backend" >&2; exit 2 ;; esac
[ -x "$bin" ] || { echo "run.sh: no back end binary $bin" >&2; exit 2; }
rm -rf "$W" && mkdir -p "$W" || exit 2
W=$(cd "$W" && pwd)
# Socket paths are limited to 107 bytes: keep the socket in a short directory.
sockdir=$(mktemp -d /tmp/guest-test.XXXXXX) || exit 2
SOCK=$sockdir/vfs.sock
bpid=
trap '[ -n "$bpid" ] && kill $bpid 2>/dev/null; rm -rf "$sockdir"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

SHARE=$W/share IMG=$W/disk.img
if [ "$backend" = virtiofsd ]; then
	mkdir -p "$SHARE"
else
	mke2fs -q -F -t ext4 "$IMG" 256M >/dev/null || exit 2
fi

start_backend() {
	rm -f "$SOCK"
	echo "=== start ($1)" >>"$W/backend.log"
	if [ "$backend" = virtiofsd ]; then
		"$bin" --socket-path="$SOCK" -o source="$SHARE" -o cache=auto -o xattr \
			${VIRTIOFSD_OPTS:-} >>"$W/backend.log" 2>&1 &
	else
		"$bin" --socket "$SOCK" --image "$IMG" --tag vfpga --stats "$W/$1.stats.json" ${MODEL_OPTS:-} \
			>>"$W/backend.log" 2>&1 &
	fi
	bpid=$!
	i=0
	while [ ! -S "$SOCK" ] && [ $i -lt 100 ]; do
		kill -0 $bpid 2>/dev/null || break
		sleep 0.1; i=$((i + 1))
	done
	[ -S "$SOCK" ] && return 0
	bad "$1: $backend did not create its socket; its log:"
	tail -n 20 "$W/backend.log"
	stop_backend "$1"
	return 1
}

# The back end exits by itself once the guest has gone; vfpga-model with 0
# after unmounting its image cleanly.
stop_backend() {
	[ -n "$bpid" ] || return 0
	i=0
	while kill -0 $bpid 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	if kill -0 $bpid 2>/dev/null; then
		[ "$backend" = vfpga-model ] && bad "$1: vfpga-model still running 10 s after the guest left"
		kill $bpid 2>/dev/null; sleep 1; kill -9 $bpid 2>/dev/null
	fi
	wait $bpid; brc=$?
	bpid=
	if [ "$backend" = vfpga-model ] && [ $brc -ne 0 ]; then
		bad "$1: vfpga-model exit status $brc; end of its log:"
		tail -n 20 "$W/backend.log"
	fi
}

# guest STEP WANT_STATUS GUEST-RUN-ARGS... -- CMD...: one boot against a fresh back end.
guest() {
	step=$1 want=$2; shift 2
	start_backend "$step" || return 1
	t=$(now)
	say "--- $step"
	{ "$GR" --socket "$SOCK" --log "$W/$step.console" --timeout 240 ${GUEST_RUN_ARGS:-} "$@" 2>&1
	  echo $? >"$W/$step.rc"; } | tee "$W/$step.out" | sed 's/^/    /'
	rc=$(cat "$W/$step.rc" 2>/dev/null || echo "?")
	stop_backend "$step"
	say "    $step: status $rc, $(secs "$t") s"
	[ "$rc" = "$want" ] || { bad "$step: guest-run status $rc, want $want (console: $W/$step.console)"; return 1; }
}
files="--file $here/fileops.sh --file $here/fio-verify.sh --file $here/verify-psync.fio --file $here/verify-libaio.fio"
jobs="/opt/verify-psync.fio /opt/verify-libaio.fio"

guest fileops 0 $files -- sh /opt/fileops.sh

guest fio 0 $files -- sh -c "sh /opt/fio-verify.sh $jobs &&
	seq 1 50000 >persist.txt && md5sum fio-psync.dat fio-libaio.dat >fio.md5 && sync"

guest persist 0 $files -- sh -c "sh /opt/fio-verify.sh --verify-only $jobs &&
	md5sum -c fio.md5 && seq 1 50000 | cmp - persist.txt && echo persist: ok"

# O_DIRECT reads through libaio at iodepth 16, nothing else in this boot: with
# FUSE_ASYNC_DIO agreed at INIT the guest's kernel has several on the ring at
# once (16 when this was written; one at a time without it). vfpga-model's
# --stats has the most it found outstanding in a request queue.
if [ "$backend" = vfpga-model ]; then
	guest depth 0 -- fio --name=qd16 --filename=fio-libaio.dat --rw=randread --bs=4k --size=16m \
		--io_size=2m --norandommap --randrepeat=1 --direct=1 --ioengine=libaio --iodepth=16 \
		--output=/tmp/qd16.out
	most=$(python3 -c 'import json, sys
s = json.load(open(sys.argv[1]))
print(max((q["occupancy_max"] for n, q in s["queues"].items() if n != "0"), default=0))' "$W/depth.stats.json" 2>/dev/null)
	if [ "${most:-0}" -gt 1 ]; then
		say "depth: libaio iodepth 16 O_DIRECT reads: at most $most requests outstanding at once"
	else
		bad "depth: libaio iodepth 16 O_DIRECT reads reached vfpga-model one at a time (most outstanding '${most:-}'; FUSE_ASYNC_DIO?)"
	fi
fi

# --- the host's view of what the guest wrote --------------------------------
seq 1 50000 >"$W/persist.want"
if [ "$backend" = vfpga-model ]; then
	if e2fsck -fn "$IMG" >"$W/e2fsck.log" 2>&1; then
		say "e2fsck -fn: clean"
	else
		bad "e2fsck -fn on the image after the guest runs:"; cat "$W/e2fsck.log"
	fi
	debugfs -R "dump /persist.txt $W/persist.got" "$IMG" >/dev/null 2>&1
	debugfs -R "dump /fio-psync.dat $W/fio-psync.got" "$IMG" >/dev/null 2>&1
	debugfs -R "cat /fio.md5" "$IMG" 2>/dev/null >"$W/fio.md5"
	size=$(debugfs -R "stat /persist.txt" "$IMG" 2>/dev/null | sed -n 's/.*Size: \([0-9]*\).*/\1/p' | head -n 1)
	[ "$size" = "$(wc -c <"$W/persist.want")" ] || bad "debugfs stat /persist.txt: size '$size', want $(wc -c <"$W/persist.want")"
	view=debugfs
else
	cp "$SHARE/persist.txt" "$W/persist.got" 2>/dev/null
	cp "$SHARE/fio-psync.dat" "$W/fio-psync.got" 2>/dev/null
	cp "$SHARE/fio.md5" "$W/fio.md5" 2>/dev/null
	view="the shared directory"
fi
cmp -s "$W/persist.want" "$W/persist.got" || bad "$view: /persist.txt does not hold what the guest wrote"
want=$(sed -n 's/ *fio-psync.dat$//p' "$W/fio.md5")
got=$(md5sum <"$W/fio-psync.got" 2>/dev/null | cut -d' ' -f1)
[ -n "$want" ] && [ "$want" = "$got" ] || bad "$view: /fio-psync.dat md5 '$got', the guest's '$want'"
[ $fail -eq 0 ] && say "$view: persist.txt and fio-psync.dat as the guest wrote them"

# --- guest-run's own error paths (tooling check, against virtiofsd only) -----
if [ "$backend" = virtiofsd ]; then
	# A block changed behind the guest's back must fail fio's verify.
	dd if=/dev/urandom of="$SHARE/fio-psync.dat" bs=4k seek=1000 count=1 conv=notrunc 2>/dev/null
	t=$(now)
	guest corrupt 1 $files -- sh /opt/fio-verify.sh --verify-only /opt/verify-psync.fio >/dev/null
	if grep -q "^verify: bad" "$W/corrupt.out"; then
		say "corrupt: a block changed on the host fails fio's verify, as it must: $(secs "$t") s"
	else
		bad "corrupt: fio did not report the changed block (see $W/corrupt.out)"
	fi
	t=$(now)
	out=$("$GR" --no-mount -- sh -c 'echo to-stdout; echo to-stderr >&2; exit 7' 2>/dev/null); rc=$?
	[ $rc -eq 7 ] || bad "guest-run: command exit status 7 came back as $rc"
	[ "$(echo "$out" | tr '\n' ' ')" = "to-stdout to-stderr " ] || bad "guest-run: output '$out'"
	"$GR" --no-mount --timeout 4 -- sleep 60 >/dev/null 2>&1; rc=$?
	[ $rc -eq 124 ] || bad "guest-run: --timeout gave status $rc, want 124"
	start_backend mountfail
	"$GR" --socket "$SOCK" --mount-opts no_such_option -- true >/dev/null 2>"$W/mountfail.err"; rc=$?
	stop_backend mountfail
	[ $rc -eq 122 ] && grep -q "could not mount" "$W/mountfail.err" ||
		bad "guest-run: bad mount option gave status $rc, want 122: $(head -n 3 "$W/mountfail.err")"
	: >"$W/empty-kernel"
	"$GR" --no-mount --kernel "$W/empty-kernel" -- true >/dev/null 2>&1; rc=$?
	[ $rc -eq 121 ] || bad "guest-run: an unbootable kernel gave status $rc, want 121"
	"$GR" --socket "$W/no-such.sock" -- true >/dev/null 2>&1; rc=$?
	[ $rc -eq 2 ] || bad "guest-run: a missing socket gave status $rc, want 2"
	say "guest-run error paths (status, timeout, mount failure, no boot, no socket): $(secs "$t") s"
fi

say "$(awk "BEGIN { print $(date +%s) - $t_start }") s in all; logs in $W"
[ $fail -eq 0 ] && say "all passed"
exit $fail
