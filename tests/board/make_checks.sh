#!/bin/sh
# Checks the board make targets that need no board and no vendor tool:
# flash in dry-run mode prints the exact openFPGALoader command (SRAM and
# flash), bitstream without vivado stops with a message naming it, and an
# unknown BOARD lists the known ones.
#
# usage: make_checks.sh MAKE
set -u
mk="$1"
fail=0; pass=0
check() {   # name, expected exit status, pattern the output must contain, command...
	name="$1"; want="$2"; pat="$3"; shift 3
	out=$("$@" 2>&1); st=$?
	if [ "$st" -eq "$want" ] && printf '%s\n' "$out" | grep -qF -- "$pat"; then
		pass=$((pass + 1))
	else
		echo "FAIL $name: exit $st (expected $want), output:"; printf '%s\n' "$out" | tail -5
		fail=$((fail + 1))
	fi
}
q="--no-print-directory"
check "flash dry run" 0 "openFPGALoader -c digilent build/board/kcu105/vivado/kcu105_top.bit" \
	$mk $q flash BOARD=kcu105 DRY_RUN=1
check "flash dry run, configuration flash" 0 \
	"openFPGALoader -c digilent --fpga-part xcku040-ffva1156 --write-flash build/board/kcu105/vivado/kcu105_top.bit" \
	$mk $q flash BOARD=kcu105 DRY_RUN=1 FLASH=1
check "bitstream without vivado" 2 "is not on PATH: the bitstream needs AMD Vivado" \
	$mk $q bitstream BOARD=kcu105 VIVADO=vivado-not-installed
check "unknown board (synth)" 2 "unknown board 'nosuchboard'; known boards: kcu105" \
	$mk $q synth BOARD=nosuchboard
check "unknown board (flash)" 2 "known boards: kcu105" $mk $q flash BOARD=nosuchboard DRY_RUN=1
check "no board" 2 "unknown board ''; known boards: kcu105" $mk $q bitstream
echo "board make checks: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
