#!/bin/sh
# The READ fast path's figures from a vq_fast bench log, as a README table.
# usage: bench.sh VQ_FAST_LOG
log="$1"
cyc=$(sed -n 's/^vq_fast: READ 4 KiB hit, notify to used index written: \([0-9]*\) cycles.*/\1/p' "$log")
counts=$(sed -n 's/^vq_fast: \([0-9]* hits (.*\)$/\1/p' "$log")
if [ -z "$cyc" ]; then
	echo "bench.sh: no latency line in $log" >&2
	exit 1
fi
echo "| READ fast path (rtl/vq/vq_fast.sv, unit bench, immediate host) | cycles | µs at 250 MHz |"
echo "|---|---:|---:|"
awk -v c="$cyc" 'BEGIN { printf "| READ 4 KiB hit, notification to used index written (no core in the path) | %d | %.2f |\n", c, c / 250 }'
echo
echo "Target (issue 15): 500 cycles. The bench's whole run: $counts."
