#!/bin/sh
# Builds and runs the board adapter benches (tests/board/<module>/tb.sv,
# SystemVerilog stimulus, Verilator --binary). Each bench ends with $finish
# (pass) or $fatal (fail, non-zero exit). Verilator builds take the same lock
# as mk/rtl.mk's (the machine has two cores; other builds run beside).
#
# usage: run.sh BUILD_DIR LOCK_FILE GEN_DIR BENCH...
# environment: VERILATOR (default verilator)
set -u
out="$1"; lock="$2"; gen="$3"; shift 3
: "${VERILATOR:=verilator}"
mkdir -p "$out"

common="$gen/soc_map_pkg.sv rtl/pcie/pcie_pkg.sv board/common/xpcie_pkg.sv $(ls board/common/*.sv | grep -v '_pkg.sv$')"
# The endpoint core and everything beside it in rtl/pcie (its submodules)
core=$(ls rtl/pcie/*.sv | grep -v '_pkg.sv$')

pass=0; fail=0
for b in "$@"; do
	srcs="$common"
	[ "$b" = xpcie_ep_cfg ] && srcs="$common $core"
	start=$(date +%s)
	if ! flock "$lock" "$VERILATOR" --binary -j 2 -Wno-fatal -Wno-lint -Wno-style \
		$srcs "tests/board/$b/tb.sv" --top-module tb -Mdir "$out/$b" \
		> "$out/$b.build.log" 2>&1; then
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
		tail -5 "$out/$b.log"
		fail=$((fail + 1))
	fi
done
echo "board benches: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
