#!/bin/sh
# vfpga-sim --socket: the vhost-user bridge into the RTL. vu_test plays
# QEMU: negotiation with the features and config the card reports, guest
# memory mapped into the root-complex model, FUSE_INIT and GETATTR served by
# the card firmware through the RTL virtqueue engine and DMA.
#   run.sh VFPGA_SIM CARD_ELF VU_TEST WORKDIR
set -u
SIM=$1 FW=$2 VUTEST=$3 W=$4
rm -rf "$W" && mkdir -p "$W"
fail=0
bad() { echo "test-bridge: FAIL: $*"; fail=1; }
SOCK=$W/sock
# --host-turnaround takes nanoseconds, 0 to 1 s; anything else is refused
# before the card starts.
for v in -1 1e3 5us "" 1000000001; do
	"$SIM" --socket "$SOCK" --firmware "$FW" --host-turnaround "$v" 2>"$W/turn.err"
	rc=$?
	[ $rc -eq 2 ] && grep -q "host-turnaround: '$v' is not a number of nanoseconds" "$W/turn.err" ||
		bad "--host-turnaround '$v': status $rc, $(cat "$W/turn.err")"
done
"$SIM" --socket "$SOCK" --firmware "$FW" --console "$W/card.log" --stats "$W/stats.json" \
	--profile "$W/profile.txt" 2>"$W/sim.log" &
pid=$!
i=0; while [ ! -S "$SOCK" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done
timeout 120 "$VUTEST" "$SOCK" vfpga 4 --card || bad "vu_test --card"
i=0; while kill -0 $pid 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
if kill -0 $pid 2>/dev/null; then kill -9 $pid; bad "vfpga-sim did not exit after the front end left"; fi
wait $pid; rc=$?
[ $rc -eq 0 ] || bad "vfpga-sim exit status $rc"
grep -q "file service down" "$W/card.log" || bad "card firmware did not report its file service (no SSD here)"
grep -q "cycles simulated" "$W/sim.log" || bad "no summary from vfpga-sim"
# A request outside guest memory: its read is refused, and so is the read
# of its header alone (the request loop answers EIO when that one works).
grep -q "DMA outside guest memory: 2 reads refused (UR), 1 writes dropped" "$W/sim.log" ||
	bad "the card's DMA outside guest memory was not refused and counted: $(grep outside "$W/sim.log")"
grep -q "request read failed" "$W/card.log" || bad "the card did not report the refused read"
# Device-side figures: both requests timed from notify to used-ring write.
python3 - "$W/stats.json" <<'PY' || bad "device-side figures (stats.json) wrong"
import json, sys
s = json.load(open(sys.argv[1]))
ops = s["by_opcode"]
assert s["backend"] == "rtl" and s["timed"], s
# INIT, GETATTR, and a GETATTR whose reply the host dropped (its buffer is
# outside guest memory); the request outside guest memory is never used.
assert ops["INIT"]["count"] == 1 and ops["GETATTR"]["count"] == 2, ops
for o in ("INIT", "GETATTR"):
    assert 100 < ops[o]["cycles_mean"] < 1000000, ops[o]
assert sum(s["cycles_hist"].values()) == 3, s["cycles_hist"]
assert s["bytes_to_card"] > 0 and s["bytes_to_host"] > 0, s
# The READ fast path's figures, read from the RTL: no file service here, so
# no tag and no READ; the INIT and GETATTRs came while it was armed or not.
f = s["fast"]
assert f["hits"] == 0 and f["reads"] == 0 and f["read_hit_ratio"] == 0, f
assert set(f["misses"]) == {"opcode", "chain", "tag", "size", "dma", "xattr"}, f
assert f["handed_over"] == sum(f["misses"].values()) and f["misses"]["tag"] == 0, f
# Per-phase figures from the firmware's marks: both requests, every phase
# of a served request present, and the phases inside the request's time
# (give or take the bridge's 32-cycle look at the rings: a request the card
# takes before the bridge sees it published is stamped up to 32 late).
ph = s["phases"]
assert ph["INIT"]["count"] == 1 and ph["GETATTR"]["count"] >= 2, ph
names = s["phase_names"]
for o in ("INIT", "GETATTR"):
    m = dict(zip(names, ph[o]["mean"]))
    assert m["gather"] > 0 and m["server"] > 0 and m["scatter"] > 0 and m["push"] > 0, (o, m)
    assert sum(v for k, v in m.items() if k != "notice") <= ops[o]["cycles_mean"] + 32, (o, m, ops[o])
PY
# The profile: a flat profile per opcode over the firmware's functions, the
# FUSE dispatcher inside each request's.
python3 - "$W/profile.txt" <<'PY' || bad "profile (--profile) wrong"
import re, sys
text = open(sys.argv[1]).read()
sections = dict(re.findall(r"^## (\S+(?: \S+)?): (\d+) cycles$", text, re.M))
assert "INIT" in sections and "GETATTR" in sections, sections
for o in ("INIT", "GETATTR"):
    body = text.split(f"## {o}:")[1].split("\n## ")[0]
    assert re.search(r"%  fuse_", body), (o, body[:400])
    total = sum(int(l.split()[0]) for l in body.strip().splitlines()[1:])
    assert total == int(sections[o]), (o, total, sections[o])
PY
"$SIM" --socket "$W/s3" --firmware "$FW" --profile /nonexistent/dir/p.txt 2>"$W/prof.err"; rc=$?
[ $rc -eq 2 ] && grep -q "cannot write the profile" "$W/prof.err" || bad "unwritable --profile: status $rc"
"$SIM" --socket "$W/s2" --firmware "$W/none.elf" 2>/dev/null; rc=$?
[ $rc -eq 2 ] || bad "missing firmware: status $rc"
[ $fail -eq 0 ] && echo "test-bridge: all passed" || { cat "$W/sim.log"; }
exit $fail
