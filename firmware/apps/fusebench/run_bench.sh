#!/bin/sh
# run_bench.sh SIM ELF OUT.md - run fusebench on the RTL simulator and write
# its table. Fails if the program or the simulator fails.
set -u
sim=$1 elf=$2 out=$3
log=${out%.md}.log
"$sim" --elf "$elf" >"$log" 2>"$log.err"
rc=$?
if [ "$rc" -ne 0 ] || ! grep -q '^fusebench: all [0-9]* replies as expected$' "$log"; then
	echo "bench-fuse-rv32: $elf failed on $sim (exit $rc)" >&2
	cat "$log" "$log.err" >&2
	exit 1
fi
{
	echo "| FUSE operation (RV32 build on vfpga-sim) | instructions | cycles | CPI |"
	echo "|---|---:|---:|---:|"
	sed -n 's/^FUSEBENCH \([^ ]*\) runs=[0-9]* instret=\([0-9]*\) cycles=\([0-9]*\) cpi=\([0-9.]*\)$/| \1 | \2 | \3 | \4 |/p' "$log"
	echo
	runs=$(sed -n 's/^FUSEBENCH [^ ]* runs=\([0-9]*\) .*/\1/p' "$log" | head -1)
	echo "Instructions retired and cycles inside fuse_dispatch() (minstret, mcycle), mean of $runs"
	echo "requests each, warm caches; setlk is SETLK of a write lock, copy4k COPY_FILE_RANGE of 4 KiB."
	sed -n 's/^fusebench: \(FUSE server on RV32 .*\)$/\1./p' "$log"
} >"$out"
cat "$out"
