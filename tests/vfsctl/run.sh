#!/bin/sh
# vfsctl against the simulated card: `info` must show the card's identity,
# every capability and the tag; `init` must negotiate FUSE 7.38 with the
# card firmware. The card's clock: unset after reset, set by settime from the
# host's clock, kept in step while init runs (the rc testbench writes the
# host's time), an earlier time refused (exit 1), bad --time refused (exit 2).
# Then the same with a firmware that is not there.
# usage: run.sh VFSCTL CARD_FIRMWARE OUTDIR
ctl="$1"; fw="$2"; out="$3"
mkdir -p "$out"
pass=0; fail=0

expect() { # name file pattern...
	name="$1"; file="$2"; shift 2
	for p in "$@"; do
		if ! grep -q -- "$p" "$file"; then
			fail=$((fail + 1)); echo "FAIL $name: no '$p' in:"; sed 's/^/    /' "$file"; return
		fi
	done
	pass=$((pass + 1)); echo "PASS $name"
}

"$ctl" --sim --firmware "$fw" info > "$out/info.out" 2>&1
st=$?
[ $st = 0 ] || { echo "info: exit status $st"; fail=$((fail + 1)); }
expect info "$out/info.out" "device 1af4:105a revision 1" "BAR0: 0x" "BAR2: 0x.* 64-bit prefetchable" \
	"MSI-X            at 0x84: 8 vectors" "virtio common" "virtio notify" "notify_off_multiplier 4" \
	"virtio isr" "virtio device" "shared-memory.*BAR2.*length 0x40000000 id 0 (DAX cache window)" \
	"VERSION_1" "ACCESS_PLATFORM" "ORDER_PLATFORM" "RING_INDIRECT_DESC" "RING_EVENT_IDX" \
	'tag: "vfpga"' "num_request_queues: 4" "queues: 5" "queue 1: up to 1024 entries" \
	"vendor: clock at 0xec: BAR0 offset 0x6000 length 0x20" \
	"clock: 0\.[0-9]* (1970-01-01.*never set: counts from 0" "4 ns per tick; times taken 0, refused (earlier than the clock) 0, malformed writes 0"

# The clock follows the host's: within 5 s of the host's time.
near_now() { # name file
	got=$(sed -n 's/^clock: \([0-9]*\)\..*/\1/p' "$2" | tail -1)
	now=$(date +%s)
	if [ -n "$got" ] && [ $((now - got)) -le 5 ] && [ $((got - now)) -le 5 ]; then
		pass=$((pass + 1)); echo "PASS $1 (card $got, host $now)"
	else
		fail=$((fail + 1)); echo "FAIL $1: card '$got', host $now"; sed 's/^/    /' "$2"
	fi
}
"$ctl" --sim --firmware "$fw" settime > "$out/settime.out" 2>&1
st=$?
[ $st = 0 ] || { echo "settime: exit status $st"; fail=$((fail + 1)); }
expect settime "$out/settime.out" "settime: [0-9]*\.[0-9]\{9\} taken" "set by the host" "times taken 1, refused (earlier than the clock) 0"
near_now "settime: the host's clock" "$out/settime.out"
"$ctl" --sim --firmware "$fw" settime --time 0 > "$out/settime0.out" 2>&1
st=$?
if [ $st = 1 ]; then
	expect "settime earlier than the clock refused" "$out/settime0.out" "refused: earlier than the card's clock" \
		"never set: counts from 0" "times taken 0, refused (earlier than the clock) 1"
else
	fail=$((fail + 1)); echo "FAIL settime --time 0: status $st"
fi
"$ctl" --sim --firmware "$fw" settime --time 4102444800.5 > "$out/settime2100.out" 2>&1
expect "settime --time" "$out/settime2100.out" "settime: 4102444800.500000000 taken" "clock: 4102444800.5" "2100-01-01 00:00:00 UTC"
for bad in abc 1.1234567890 -5 1e9 ""; do
	"$ctl" --sim --firmware "$fw" settime --time "$bad" > "$out/settime_bad.out" 2>&1
	st=$?
	if [ $st = 2 ]; then
		pass=$((pass + 1)); echo "PASS settime --time '$bad' refused (usage)"
	else
		fail=$((fail + 1)); echo "FAIL settime --time '$bad': status $st"; sed 's/^/    /' "$out/settime_bad.out"
	fi
done
"$ctl" --sim --firmware "$fw" info --time 5 > "$out/info_time.out" 2>&1
st=$?
if [ $st = 2 ] && grep -q "goes with settime" "$out/info_time.out"; then
	pass=$((pass + 1)); echo "PASS --time without settime refused"
else
	fail=$((fail + 1)); echo "FAIL --time without settime: status $st"
fi

"$ctl" --sim --firmware "$fw" init > "$out/init.out" 2>&1
st=$?
[ $st = 0 ] || { echo "init: exit status $st"; fail=$((fail + 1)); }
expect init "$out/init.out" "negotiated features: 0x0000001310000000" "FUSE protocol: 7.38" \
	"max_write: 24576" "max_pages: 6" "MAX_PAGES" "simulated cycles" "set by the host"
near_now "init: the testbench kept the card's clock in step" "$out/init.out"

"$ctl" --sim --firmware "$out/absent.elf" info > "$out/absent.out" 2>&1
st=$?
if [ $st = 2 ] && grep -q "cannot open" "$out/absent.out"; then
	pass=$((pass + 1)); echo "PASS missing firmware refused"
else
	fail=$((fail + 1)); echo "FAIL missing firmware: status $st"
fi
"$ctl" info > "$out/notransport.out" 2>&1
st=$?
if [ $st = 2 ] && grep -q "transport is needed" "$out/notransport.out"; then
	pass=$((pass + 1)); echo "PASS no transport refused"
else
	fail=$((fail + 1)); echo "FAIL no transport: status $st"
fi

echo "$pass passed, $fail failed"
[ $fail = 0 ]
