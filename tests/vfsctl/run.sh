#!/bin/sh
# vfsctl against the simulated card: `info` must show the card's identity,
# every capability and the tag; `init` must negotiate FUSE 7.38 with the
# card firmware. Then the same with a firmware that is not there.
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
	'tag: "vfpga"' "num_request_queues: 4" "queues: 5" "queue 1: up to 1024 entries"

"$ctl" --sim --firmware "$fw" init > "$out/init.out" 2>&1
st=$?
[ $st = 0 ] || { echo "init: exit status $st"; fail=$((fail + 1)); }
expect init "$out/init.out" "negotiated features: 0x0000001310000000" "FUSE protocol: 7.38" \
	"max_write: 24576" "max_pages: 6" "MAX_PAGES" "simulated cycles"

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
