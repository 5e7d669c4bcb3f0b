#!/bin/sh
# Builds and runs Verilator benches: the RTL unit benches (tests/rtl/<module>)
# and the board adapter benches (tests/board/<module>). A bench is
# BENCH_DIR/tb.sv on the shared library tests/rtl/lib/tb_pkg.sv, built with
# Verilator --binary; it drives one block by its own ports and ends with
# $finish (pass) or $fatal (fail, non-zero exit). Modules come from the source
# folders by file name (-y), so a bench gets its block and the block's
# submodules and nothing else. Verilator builds take the lock mk/rtl.mk uses
# (two cores, other builds beside). The C++ is compiled at -O0: a bench runs
# for a few seconds at most, and -O0 halves its build (pcie_ep: 63 s -> 37 s).
# The C++ is one compilation unit (VM_PARALLEL_BUILDS=0): Verilator 5.006
# splits a larger bench into files of which the one holding an unused
# class's destructor lacks the header of the class it points to (tb_pkg's
# bp_gen -> tb_rng), and g++ stops on the incomplete type.
#
# usage: run.sh NAME BUILD_DIR LOCK_FILE "PKGS" "SRCS" BENCH_DIR...
#   NAME: the set, for the summary line ("rtl unit", "board")
#   PKGS: the packages (soc_map_pkg, pcie_pkg, ...), in order
#   SRCS: the other sources; their folders are searched for modules
# environment: VERILATOR (default verilator)
set -u
name="$1"; out="$2"; lock="$3"; pkgs="$4"; srcs="$5"; shift 5
: "${VERILATOR:=verilator}"
mkdir -p "$out"

libs=$(for f in $srcs; do dirname "$f"; done | sort -u | sed 's/^/-y /')

pass=0; fail=0
for dir in "$@"; do
	b=$(basename "$dir")
	start=$(date +%s)
	if ! flock "$lock" "$VERILATOR" --binary -j 2 -Wno-fatal -Wno-lint -Wno-style \
		-MAKEFLAGS "OPT_FAST=-O0 OPT_SLOW=-O0 OPT_GLOBAL=-O0 VM_PARALLEL_BUILDS=0" \
		$pkgs tests/rtl/lib/tb_pkg.sv $libs "$dir/tb.sv" \
		--top-module tb -Mdir "$out/$b" > "$out/$b.build.log" 2>&1; then
		echo "FAIL $b (build; see $out/$b.build.log)"
		tail -20 "$out/$b.build.log"
		fail=$((fail + 1))
		continue
	fi
	if "$out/$b/Vtb" > "$out/$b.log" 2>&1; then
		echo "PASS $b ($(grep -v '\$finish' "$out/$b.log" | tail -1); $(( $(date +%s) - start )) s)"
		pass=$((pass + 1))
	else
		echo "FAIL $b:"
		tail -8 "$out/$b.log"
		fail=$((fail + 1))
	fi
done
echo "$name benches: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
