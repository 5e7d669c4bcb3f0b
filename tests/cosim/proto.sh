#!/bin/sh
# vfpga-sim --cosim without QEMU: proto_test plays QEMU's vfpga-pci device
# (config space, BARs, guest RAM as a memfd, MSI-X, FUSE_INIT through the RTL;
# nonsense writes, reset mid-request, malformed messages). The simulator must
# close the connection over the oversized message proto_test sends last, and
# exit 1 saying so.
#   proto.sh VFPGA_SIM CARD_ELF PROTO_TEST WORKDIR [--bench]
set -u
SIM=$1 FW=$2 TEST=$3 W=$4 BENCH=${5:-}
rm -rf "$W" && mkdir -p "$W"
fail=0
bad() { echo "test-cosim-proto: FAIL: $*"; fail=1; }
SOCK=$W/sock
"$SIM" --cosim "$SOCK" --firmware "$FW" --console "$W/card.log" --stats "$W/stats.json" --profile "$W/profile.txt" \
	2>"$W/sim.log" &
pid=$!
i=0; while [ ! -S "$SOCK" ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done
timeout 300 "$TEST" "$SOCK" $BENCH | tee "$W/test.log"
# at least one check ran and none failed ("0 passed, 0 failed" is no pass)
tail -n 1 "$W/test.log" | grep -Eq '^[1-9][0-9]* passed, 0 failed$' || bad "proto_test"
i=0; while kill -0 $pid 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
if kill -0 $pid 2>/dev/null; then kill -9 $pid; bad "vfpga-sim did not exit after closing the connection"; fi
wait $pid; rc=$?
[ $rc -eq 1 ] || bad "vfpga-sim exit status $rc after a fatal protocol error (want 1)"
grep -q "refused a message.*over the limit" "$W/sim.log" || bad "no log line for the oversized message"
grep -q "BAR writes" "$W/sim.log" || bad "no access summary from vfpga-sim"
# (the request's read, then its header's alone: refused both, the card gives up)
grep -q "DMA outside guest memory: 2 reads refused (UR), 0 writes dropped" "$W/sim.log" ||
	bad "the card's read outside guest memory was not refused and counted"
grep "cosim:" "$W/sim.log" | grep -v "refused a message" | sed 's/^/  /'
# Requests timed from the guest's notify write to the firmware's push, per
# FUSE opcode (the firmware's phase marks), in the log and in --stats; the
# profile has the PC samples of the INIT requests proto_test sent.
grep -Eq "cosim: INIT +[1-9][0-9]* requests, [1-9][0-9]* cycles each from the notify to the push" "$W/sim.log" ||
	bad "no per-request timing of FUSE_INIT in the summary"
python3 - "$W/stats.json" <<'PY' || bad "--stats: no valid JSON with FUSE_INIT's phases"
import json, sys
s = json.load(open(sys.argv[1]))
init = s["phases"]["INIT"]
assert s["backend"] == "rtl-cosim" and s["notifies"] >= init["count"] >= 1, s
assert len(init["mean"]) == len(s["phase_names"]) and sum(init["mean"]) > 0, init
PY
grep -q "INIT" "$W/profile.txt" && grep -Eq "^ *[0-9.]+ *%? .*(main|fuse|vq|fsdev)" "$W/profile.txt" ||
	bad "--profile: no INIT profile over the firmware's symbols"
"$SIM" --cosim "$W/s3" --firmware "$FW" --stats /nonexistent/dir/stats.json 2>/dev/null; rc=$?
[ $rc -eq 2 ] || bad "--stats path that cannot be written: status $rc (want 2)"
"$SIM" --cosim "$W/s2" --firmware "$W/none.elf" 2>/dev/null; rc=$?
[ $rc -eq 2 ] || bad "missing firmware: status $rc (want 2)"
"$SIM" --cosim 2>/dev/null; rc=$?
[ $rc -eq 2 ] || bad "--cosim without a path: status $rc (want 2)"
[ $fail -eq 0 ] && echo "test-cosim-proto: all passed" || { echo "--- vfpga-sim log"; tail -30 "$W/sim.log"; }
exit $fail
