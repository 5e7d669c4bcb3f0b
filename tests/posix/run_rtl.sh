#!/bin/sh
# posix_test through the RTL card: the stock guest (tools/guest-run) on
# vfpga-sim --socket (the vhost-user bridge into the RTL, the card firmware,
# ext4 on the SSD model over a fresh mke2fs image). Then the card's clock
# across a restart on the same image:
#   run 1: the bridge keeps the card's clock in step with the host's; the
#          superblock's mount time is the host's time, the mount count 1;
#          the guest stamps /stamp1 after posix_test.
#   run 2: vfpga-sim --no-time (a card whose time the host never sets): the
#          card says so on its console and starts its clock from the
#          image's newest time, so /stamp2, the mount and write times are
#          never older than what run 1 stamped.
# e2fsck -fn after each run.
#   run_rtl.sh VFPGA_SIM CARD_ELF POSIX_TEST WORKDIR GROUPS
# GROUPS: posix_test -g list, or "all" (the long run).
set -u
SIM=$1 FW=$2 PT=$3 W=$4 GROUPS=$5
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$W" && mkdir -p "$W" && W=$(cd "$W" && pwd)
fail=0
bad() { echo "test-posix-rtl: FAIL: $*"; fail=1; }
ok() { echo "test-posix-rtl: ok: $*"; }
sockdir=$(mktemp -d /tmp/posix-rtl.XXXXXX) || exit 2
SOCK=$sockdir/card.sock IMG=$W/disk.img
trap 'rm -rf "$sockdir"' EXIT
mke2fs -q -F -t ext4 "$IMG" 8G || exit 2
gopt=
[ "$GROUPS" = all ] || gopt="-g $GROUPS"

# run N LOG_PREFIX GUEST_CMD [SIM_OPTS...]: one card run with one guest command
run() {
	n=$1 cmd=$2; shift 2
	"$SIM" --socket "$SOCK" --image "$IMG" --firmware "$FW" --console "$W/card$n.log" \
		--stats "$W/stats$n.json" "$@" 2>"$W/sim$n.log" &
	pid=$!
	i=0; while [ ! -S "$SOCK" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done
	"$here/../../tools/guest-run" --socket "$SOCK" --timeout 3000 --log "$W/guest$n.log" \
		--file "$PT:/opt/posix_test" -- sh -c "$cmd" > "$W/out$n.log" 2>&1; rc=$?
	i=0; while kill -0 $pid 2>/dev/null && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done
	kill -0 $pid 2>/dev/null && { kill $pid; bad "run $n: vfpga-sim still running after the guest left"; }
	wait $pid || bad "run $n: vfpga-sim exit status $?"
	e2fsck -fn "$IMG" > "$W/e2fsck$n.log" 2>&1 || { cat "$W/e2fsck$n.log"; bad "run $n: e2fsck -fn"; }
	return $rc
}
sb_time() { # FIELD: seconds since the epoch of a superblock time
	date -d "$(dumpe2fs -h "$IMG" 2>/dev/null | sed -n "s/^$1: *//p")" +%s 2>/dev/null || echo 0
}
ctime_of() { # PATH: inode change time in seconds
	printf '%d\n' "$(debugfs -R "stat $1" "$IMG" 2>/dev/null | sed -n 's/^ *ctime: \(0x[0-9a-f]*\).*/\1/p')" 2>/dev/null || echo 0
}

t0=$(date +%s)
run 1 "posix_test $gopt /mnt/posix; s=\$?; touch /mnt/stamp1; exit \$s"; rc=$?
grep -E "FAIL|posix_test:" "$W/out1.log"
[ $rc -eq 0 ] || { bad "posix_test status $rc"; tail -20 "$W/out1.log"; }
mnt1=$(sb_time "Last mount time") wr1=$(sb_time "Last write time") st1=$(ctime_of /stamp1)
cnt1=$(dumpe2fs -h "$IMG" 2>/dev/null | sed -n 's/^Mount count: *//p')
echo "run 1: mount time $mnt1, write time $wr1, /stamp1 ctime $st1, mount count $cnt1 (host started $t0)"
[ $((mnt1 - t0)) -ge -2 ] && [ $((mnt1 - t0)) -le 600 ] && ok "run 1: mount time is the host's" ||
	bad "run 1: mount time $mnt1 is not the host's ($t0..)"
[ "$cnt1" = 1 ] && ok "run 1: mount count 1" || bad "run 1: mount count '$cnt1'"
[ "$wr1" -ge "$st1" ] && ok "run 1: write time not older than the last stamp" || bad "run 1: write time $wr1 < /stamp1 $st1"
[ $((st1 - $(date +%s))) -le 2 ] && [ "$st1" -ge "$t0" ] && ok "run 1: /stamp1 on the host's clock" ||
	bad "run 1: /stamp1 ctime $st1 is not the host's"
grep -q "never set by the host" "$W/card1.log" && bad "run 1: the card says its time was never set"

# run 2: a card whose time the host never sets, on the same image
run 2 "touch /mnt/stamp2" --no-time || bad "run 2: guest status $?"
mnt2=$(sb_time "Last mount time") st2=$(ctime_of /stamp2)
echo "run 2: mount time $mnt2, /stamp2 ctime $st2"
grep -q "time never set by the host" "$W/card2.log" && ok "run 2: the card says its time was never set" ||
	bad "run 2: no 'time never set' on the card's console"
[ "$mnt2" -ge "$wr1" ] && [ "$mnt2" -ge "$st1" ] && ok "run 2: mount time not older than run 1's stamps" ||
	bad "run 2: mount time $mnt2 older than run 1 (write $wr1, stamp $st1)"
[ "$st2" -ge "$st1" ] && [ "$st2" -ge "$wr1" ] && ok "run 2: /stamp2 not older than /stamp1" ||
	bad "run 2: /stamp2 $st2 older than /stamp1 $st1 or write time $wr1"
echo "test-posix-rtl: $(( $(date +%s) - t0 )) s"
[ $fail -eq 0 ] && echo "test-posix-rtl: all passed"
exit $fail
