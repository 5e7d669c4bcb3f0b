#!/bin/sh
# run_bench.sh SIM ELF OUT.md - run the CPI workload and write its table.
# Fails if the program fails a self-check or the simulator fails.
set -u
sim=$1 elf=$2 out=$3
log=${out%.md}.log
"$sim" --elf "$elf" >"$log" 2>"$log.err"
rc=$?
cat "$log"
if [ "$rc" -ne 0 ] || ! grep -q '^BENCH total ' "$log"; then
	echo "bench-cpi: $elf failed on $sim (exit $rc)" >&2
	cat "$log.err" >&2
	exit 1
fi
{
	echo "## CPI on the firmware workload"
	echo
	echo "\`$(basename "$sim") --elf $(basename "$elf")\`: cycles and instructions retired"
	echo "around each kernel (rdcycle/rdinstret); every kernel checks its own result."
	echo
	echo "| kernel | cycles | instret | CPI |"
	echo "|---|---:|---:|---:|"
	sed -n 's/^BENCH \([^ ]*\) cycles=\([0-9]*\) instret=\([0-9]*\) cpi=\([0-9.]*\)$/\1 \2 \3 \4/p' "$log" |
	while read -r name c i cpi; do
		if [ "$name" = total ]; then
			echo "| **total** | **$c** | **$i** | **$cpi** |"
		else
			echo "| $name | $c | $i | $cpi |"
		fi
	done
	echo
} >"$out"
echo "bench-cpi: wrote $out"
