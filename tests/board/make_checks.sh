#!/bin/sh
# Checks the board make targets that need no board and no vendor tool:
# flash in dry-run mode prints the exact openFPGALoader command the KCU105
# needs (its own board entry, -b kcu105; SRAM with the .bit, flash with both
# halves of the dual quad SPI image), flash refuses an openFPGALoader
# without that board entry and a missing image (with a stand-in
# openFPGALoader), bitstream without vivado stops with a message naming it,
# and an unknown BOARD lists the known ones.
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
check "flash dry run" 0 "openFPGALoader -b kcu105 build/board/kcu105/vivado/kcu105_top.bit" \
	$mk $q flash BOARD=kcu105 DRY_RUN=1
check "flash dry run, configuration flash" 0 \
	"openFPGALoader -b kcu105 -f --target-flash both --bitstream build/board/kcu105/vivado/kcu105_top_primary.mcs --secondary-bitstream build/board/kcu105/vivado/kcu105_top_secondary.mcs" \
	$mk $q flash BOARD=kcu105 DRY_RUN=1 FLASH=1
# Stand-in openFPGALoader programs: one without the kcu105 entry (as
# Debian 12's 0.10.0), one with it; neither touches hardware.
fake=$(mktemp -d)
trap 'rm -rf "$fake"' EXIT
printf '#!/bin/sh\ncase "$1" in --list-boards) echo "board name cable_name"; echo "arty digilent";; -V) echo "openFPGALoader v0.10.0";; esac\n' > "$fake/old"
printf '#!/bin/sh\ncase "$1" in --list-boards) echo "kcu105 jtag-smt2-nc";; -V) echo "openFPGALoader v0.13.1";; *) echo "PROGRAMMED $*";; esac\n' > "$fake/new"
chmod +x "$fake/old" "$fake/new"
check "flash, openFPGALoader without the kcu105 entry" 2 "needs openFPGALoader 0.12.0 or later" \
	$mk $q flash BOARD=kcu105 OPENFPGALOADER="$fake/old" BOARD_OUT="$fake/none"
check "flash, no flash images" 2 "kcu105_top_primary.mcs: make bitstream BOARD=kcu105 first" \
	$mk $q flash BOARD=kcu105 FLASH=1 OPENFPGALOADER="$fake/new" BOARD_OUT="$fake/none"
mkdir -p "$fake/out/vivado"
: > "$fake/out/vivado/kcu105_top_primary.mcs"; : > "$fake/out/vivado/kcu105_top_secondary.mcs"
check "flash, both images" 0 "PROGRAMMED -b kcu105 -f --target-flash both --bitstream $fake/out/vivado/kcu105_top_primary.mcs --secondary-bitstream $fake/out/vivado/kcu105_top_secondary.mcs" \
	$mk $q flash BOARD=kcu105 FLASH=1 OPENFPGALOADER="$fake/new" BOARD_OUT="$fake/out"
check "bitstream without vivado" 2 "is not on PATH: the bitstream needs AMD Vivado" \
	$mk $q bitstream BOARD=kcu105 VIVADO=vivado-not-installed
check "unknown board (synth)" 2 "unknown board 'nosuchboard'; known boards: kcu105" \
	$mk $q synth BOARD=nosuchboard
check "unknown board (flash)" 2 "known boards: kcu105" $mk $q flash BOARD=nosuchboard DRY_RUN=1
check "no board" 2 "unknown board ''; known boards: kcu105" $mk $q bitstream
echo "board make checks: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
