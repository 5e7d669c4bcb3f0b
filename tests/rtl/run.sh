#!/bin/sh
# Builds and runs the RTL unit benches (tests/rtl/<module>/tb.sv on the
# shared library tests/rtl/lib/tb_pkg.sv, Verilator --binary). Each bench
# drives one block by its own ports and ends with $finish (pass) or $fatal
# (fail, non-zero exit). Verilator builds take the lock mk/rtl.mk uses (two
# cores, other builds beside). The C++ is compiled at -O0: a bench runs for
# a second at most, and -O0 halves its build (pcie_ep: 63 s -> 37 s).
#
# usage: run.sh BUILD_DIR LOCK_FILE "PKGS" "SRCS" BENCH...
#   PKGS: the RTL packages (soc_map_pkg, pcie_pkg, ...), in order
#   SRCS: every other RTL source; a bench gets those its module needs
# environment: VERILATOR (default verilator)
set -u
out="$1"; lock="$2"; pkgs="$3"; srcs="$4"; shift 4
: "${VERILATOR:=verilator}"
mkdir -p "$out"

# The RTL files a bench compiles beside its block's own (submodules).
deps() {
	case "$1" in
	pcie_ep) echo "$srcs" | tr ' ' '\n' | grep '^rtl/pcie/' ;;
	*) echo "$srcs" | tr ' ' '\n' | grep "/$1\.sv\$" ;;
	esac
}

pass=0; fail=0
for b in "$@"; do
	start=$(date +%s)
	if ! flock "$lock" "$VERILATOR" --binary -j 2 -Wno-fatal -Wno-lint -Wno-style \
		-MAKEFLAGS "OPT_FAST=-O0 OPT_SLOW=-O0 OPT_GLOBAL=-O0" \
		$pkgs tests/rtl/lib/tb_pkg.sv $(deps "$b") "tests/rtl/$b/tb.sv" \
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
echo "rtl unit benches: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
