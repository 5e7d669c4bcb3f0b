#!/bin/sh
# The READ fast path's figures from a vq_fast bench log, as a README table.
# usage: bench.sh VQ_FAST_LOG
log="$1"
cyc=$(sed -n 's/^vq_fast: READ 4 KiB hit, notify to used index written: \([0-9]*\) cycles.*/\1/p' "$log")
cyc800=$(sed -n 's/^vq_fast: READ 4 KiB hit, 800 ns host, notify to used index written: \([0-9]*\) cycles.*/\1/p' "$log")
line128=$(grep '^vq_fast: READ 128 KiB hit, reply data phase:' "$log")
b128=$(printf '%s\n' "$line128" | sed -n 's/.*phase: \([0-9]*\) bytes in.*/\1/p')
c128=$(printf '%s\n' "$line128" | sed -n 's/.* bytes in \([0-9]*\) cycles.*/\1/p')
l128=$(printf '%s\n' "$line128" | sed -n 's/.*notify to used \([0-9]*\) cycles.*/\1/p')
cycx=$(sed -n 's/^vq_fast: GETXATTR security.capability answered ENODATA, notify to used index written: \([0-9]*\) cycles.*/\1/p' "$log")
counts=$(sed -n 's/^vq_fast: \([0-9]* hits (.*\)$/\1/p' "$log")
if [ -z "$cyc" ] || [ -z "$cyc800" ] || [ -z "$c128" ] || [ -z "$cycx" ]; then
	echo "bench.sh: figures missing in $log" >&2
	exit 1
fi
echo "| READ fast path (rtl/vq/vq_fast.sv, unit bench, card memory at 4 cycles, MPS 256 B) | cycles | at 250 MHz | target | met |"
echo "|---|---:|---:|---:|---|"
awk -v c="$cyc" -v x="$cycx" -v c8="$cyc800" -v b="$b128" -v d="$c128" -v l="$l128" 'BEGIN {
	printf "| READ 4 KiB hit, immediate host: notification to used index written | %d | %.2f µs | 500 | %s |\n", c, c / 250, (c <= 500) ? "yes" : "no"
	printf "| READ 4 KiB hit, host completions after 800 ns: the same | %d | %.2f µs | 1 200 | %s |\n", c8, c8 / 250, (c8 <= 1200) ? "yes" : "no"
	printf "| READ 128 KiB hit, immediate host: notification to used index written | %d | %.2f µs | | |\n", l, l / 250
	printf "| READ 128 KiB hit: reply data phase, %d bytes | %d (%.1f B/cycle, %.0f %% of 32) | %.0f MB/s | 90 %% | %s |\n", b, d, b / d, 100 * b / d / 32, b / d * 250, (b / d >= 28.8) ? "yes" : "no"
	printf "| GETXATTR security.capability, node in the no-capability table, immediate host: ENODATA, notification to used index written | %d | %.2f µs | 1 000 (issue 18, whole card) | %s |\n", x, x / 250, (x <= 1000) ? "yes" : "no"
}'
echo
echo "No core in the path: the bench plays the firmware only to arm, install tags and take misses. The bench's whole run: $counts."
