#!/bin/sh
# Linux replays a sample of the crash campaign's cut images: one boot of
# user-mode Linux mounts each (the kernel replays our journal and processes
# the orphan list), lists it, unmounts; no EXT4/JBD2 error may be logged.
# Then e2fsck -fn must find each clean, and crash_test checks each, as Linux
# left it, against what fsync/syncfs made durable before its cut.
# usage: kernel_replay.sh CRASH_TEST WORKDIR SEED [crash_test options]
# (exit 0 pass, 1 fail, 77 skipped: no user-mode Linux)
set -u
bin=$1; work=$(cd "$2" && pwd); seed=$3; shift 3
uml=$(command -v linux.uml || command -v linux || true)
if [ -z "$uml" ]; then echo "SKIP: crash kernel replay: user-mode Linux (linux.uml) is not installed (make setup)"; exit 77; fi
imgs=$(ls "$work"/kernel-*.img 2>/dev/null | head -8)
[ -n "$imgs" ] || { echo "FAIL crash/kernel: no cut images saved"; exit 1; }
ubd=""; n=0; devs=""
for img in $imgs; do
	ubd="$ubd ubd$n=$img"
	devs="$devs $(echo abcdefgh | cut -c$((n + 1)))"
	n=$((n + 1))
done
cat > "$work/init.sh" <<INIT
#!/bin/sh
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mkdir -p $work/mnt
for d in $devs; do
  if mount -t ext4 /dev/ubd\$d $work/mnt; then
    echo "LISTED \$d \$(ls -laR $work/mnt | wc -l)"
    umount $work/mnt && echo "REPLAYED \$d"
  fi
done
dmesg | grep -E "EXT4-fs (error|warning)|JBD2.*(error|fail)|Invalid checksum" | sed 's/^/KERNEL: /'
echo o > /proc/sysrq-trigger
sleep 10
INIT
chmod +x "$work/init.sh"
# shellcheck disable=SC2086
out=$(timeout 180 "$uml" mem=128M root=/dev/root rootfstype=hostfs rootflags=/ rw \
	init="$work/init.sh" $ubd con0=fd:0,fd:1 con=null </dev/null 2>&1 | tr -d '\r')
echo "$out" > "$work/uml.log"
pass=0; fail=0; n=0
for img in $imgs; do
	d=$(echo abcdefgh | cut -c$((n + 1))); n=$((n + 1))
	cut=$(basename "$img" .img); cut=${cut#kernel-}
	if ! echo "$out" | grep -q "^REPLAYED $d\$"; then
		fail=$((fail + 1)); echo "FAIL crash/kernel seed $seed cut $cut: Linux did not mount and unmount it"; continue
	fi
	if ! e2fsck -fn "$img" > "$work/kfsck.log" 2>&1; then
		fail=$((fail + 1)); echo "FAIL crash/kernel seed $seed cut $cut: e2fsck -fn after Linux's replay"
		head -20 "$work/kfsck.log"; continue
	fi
	if ! "$bin" "$work/kcheck" -s "$seed" -c "$cut" -i "$img" "$@" > "$work/kcheck.log" 2>&1; then
		fail=$((fail + 1)); echo "FAIL crash/kernel seed $seed cut $cut: durable state after Linux's replay"
		grep FAIL "$work/kcheck.log"; continue
	fi
	pass=$((pass + 1))
done
if echo "$out" | grep -q '^KERNEL:'; then
	fail=$((fail + 1)); echo "FAIL crash/kernel: the kernel logged errors"; echo "$out" | grep '^KERNEL:'
fi
echo "crash/kernel: $pass of $n cut images replayed by Linux, clean and durable"
[ $fail = 0 ] && [ $pass -gt 0 ]
