#!/bin/sh
# One row of README's fault-figures table from a shell test (the C tests
# use tests/include/figures.h): written to $VFPGA_FIGURES/ID.md when make
# exported VFPGA_FIGURES, nothing otherwise.
# usage: figures_row.sh ID pass|FAIL CLASS CASES VERIFIED
[ -n "${VFPGA_FIGURES:-}" ] || exit 0
[ $# = 5 ] || { echo "usage: figures_row.sh ID pass|FAIL CLASS CASES VERIFIED" >&2; exit 2; }
mkdir -p "$VFPGA_FIGURES" && printf '| %s | %s | %s | %s |\n' "$3" "$4" "$5" "$2" > "$VFPGA_FIGURES/$1.md"
