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
"$SIM" --socket "$SOCK" --firmware "$FW" --console "$W/card.log" --stats "$W/stats.json" 2>"$W/sim.log" &
pid=$!
i=0; while [ ! -S "$SOCK" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done
timeout 120 "$VUTEST" "$SOCK" vfpga 4 --card || bad "vu_test --card"
i=0; while kill -0 $pid 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
if kill -0 $pid 2>/dev/null; then kill -9 $pid; bad "vfpga-sim did not exit after the front end left"; fi
wait $pid; rc=$?
[ $rc -eq 0 ] || bad "vfpga-sim exit status $rc"
grep -q "file service down" "$W/card.log" || bad "card firmware did not report its file service (no SSD here)"
grep -q "cycles simulated" "$W/sim.log" || bad "no summary from vfpga-sim"
# Device-side figures: both requests timed from notify to used-ring write.
python3 - "$W/stats.json" <<'PY' || bad "device-side figures (stats.json) wrong"
import json, sys
s = json.load(open(sys.argv[1]))
ops = s["by_opcode"]
assert s["backend"] == "rtl" and s["timed"], s
assert ops["INIT"]["count"] == 1 and ops["GETATTR"]["count"] == 1, ops
for o in ("INIT", "GETATTR"):
    assert 100 < ops[o]["cycles_mean"] < 1000000, ops[o]
assert sum(s["cycles_hist"].values()) == 2, s["cycles_hist"]
assert s["bytes_to_card"] > 0 and s["bytes_to_host"] > 0, s
PY
"$SIM" --socket "$W/s2" --firmware "$W/none.elf" 2>/dev/null; rc=$?
[ $rc -eq 2 ] || bad "missing firmware: status $rc"
[ $fail -eq 0 ] && echo "test-bridge: all passed" || { cat "$W/sim.log"; }
exit $fail
