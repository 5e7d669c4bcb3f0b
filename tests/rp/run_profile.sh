#!/bin/sh
# The SSD profiles as the card sees them (tests/rp/profilefw.c), under
# nvme-tlc and ideal: a 4 KiB read at QD1 takes at least the profile's media
# time under nvme-tlc and far less under ideal; 2 MiB of writes are
# acknowledged from the write cache faster than the media can take them,
# and the FLUSH after them lasts until the cache has drained at 2 GB/s.
# usage: run_profile.sh SIM ELF OUTDIR
sim="$1"; elf="$2"; out="$3"
mkdir -p "$out"
# nvme-tlc (world/ssd/nvme_opts.c): a read is 54 us of media access plus
# 4 KiB at 3.2 GB/s: 13 820 cycles at 250 MHz; writes drain at 8 bytes per
# cycle, so 2 MiB take 262 144 cycles to reach the media.
TLC_READ=13820
DRAIN=262144
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "PASS $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

for p in nvme-tlc ideal; do
	img="$out/$p.img"
	rm -f "$img"; truncate -s 64M "$img"
	"$sim" --elf "$elf" --image "$img" --ssd-profile "$p" --nvme-stats --max-cycles 100000000 \
		> "$out/$p.log" 2> "$out/$p.err"
	st=$?
	if [ $st = 0 ] && grep -q "profile failures 0" "$out/$p.log" && grep -q "ssd: .*profile $p " "$out/$p.err"; then
		ok "$p: the run (profile named at start)"
	else
		bad "$p: the run (status $st)"; cat "$out/$p.log" "$out/$p.err"
	fi
	sed 's/^/    /' "$out/$p.log"
	grep "media cycles" "$out/$p.err" | sed 's/^/    /'
done
val() { sed -n "s/^profile $2 //p" "$out/$1.log"; }
set -- $(val nvme-tlc read4k); tlc_min=${1:-0}; tlc_mean=${2:-0}
set -- $(val ideal read4k); ideal_min=${1:-0}; ideal_mean=${2:-0}
set -- $(val nvme-tlc writes); tlc_writes=${2:-0}
tlc_flush=$(val nvme-tlc flush); ideal_flush=$(val ideal flush)
tlc_flush=${tlc_flush:-0}; ideal_flush=${ideal_flush:-0}

if [ "$tlc_min" -ge $TLC_READ ] && [ "$tlc_mean" -lt $((TLC_READ + 5000)) ]; then
	ok "nvme-tlc: a 4 KiB read at QD1 takes the profile's $TLC_READ cycles and the card's own (min $tlc_min, mean $tlc_mean)"
else
	bad "nvme-tlc: 4 KiB read min $tlc_min mean $tlc_mean (want >= $TLC_READ, < $((TLC_READ + 5000)))"
fi
if [ "$ideal_mean" -gt 0 ] && [ "$ideal_mean" -lt $((TLC_READ / 4)) ]; then
	ok "ideal: a 4 KiB read takes only the card's own cost ($ideal_mean cycles)"
else
	bad "ideal: 4 KiB read mean $ideal_mean (want < $((TLC_READ / 4)))"
fi
if [ "$tlc_writes" -gt 0 ] && [ "$tlc_writes" -lt $DRAIN ] && \
   [ $((tlc_writes + tlc_flush)) -ge $DRAIN ] && grep -q "media cycles, [1-9][0-9]* cycles of FLUSH waiting" "$out/nvme-tlc.err"; then
	ok "nvme-tlc: writes acknowledged from the cache ($tlc_writes cycles), FLUSH waits for the drain ($tlc_flush cycles, total >= $DRAIN)"
else
	bad "nvme-tlc: writes $tlc_writes + flush $tlc_flush cycles (want writes < $DRAIN <= writes + flush, and a drain wait)"
fi
if [ "$ideal_flush" -gt 0 ] && [ "$ideal_flush" -lt 5000 ]; then
	ok "ideal: FLUSH has nothing to wait for ($ideal_flush cycles)"
else
	bad "ideal: FLUSH $ideal_flush cycles (want < 5000)"
fi
echo "$pass passed, $fail failed"
[ $fail = 0 ]
