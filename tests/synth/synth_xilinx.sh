#!/bin/sh
# Yosys synthesis check: synth_xilinx of one top over all RTL. Fails on any
# Yosys error, then records LUT / FF / BRAM / DSP counts.
#
# usage: synth_xilinx.sh TOP OUTDIR FILE...
# writes OUTDIR/TOP.log, OUTDIR/TOP.stat and OUTDIR/TOP.counts (key=value lines)
set -eu
top="$1"; out="$2"; shift 2
: "${YOSYS:=yosys}"
: "${SYNTH_FAMILY:=xc7}"
mkdir -p "$out"
script="$out/$top.ys"
{
	echo "read_verilog -sv $*"
	echo "synth_xilinx -top $top -family $SYNTH_FAMILY -flatten"
	echo "check -assert"
	echo "tee -o $out/$top.stat stat"
} > "$script"

if ! "$YOSYS" -q -l "$out/$top.log" "$script" > /dev/null 2>&1; then
	echo "synth: yosys failed for $top, see $out/$top.log:" >&2
	grep -i "error" "$out/$top.log" | head -20 >&2
	exit 1
fi

awk '
	/^ *LUT[1-6] /   { lut += $2 }
	/^ *FD[A-Z]* /   { ff += $2 }
	/^ *RAMB36/      { bram += $2 }
	/^ *RAMB18/      { bram += $2 / 2 }
	/^ *DSP48/       { dsp += $2 }
	/^ *RAM[0-9]+[XM]/ { lutram += $2 }
	END { printf "lut=%d\nff=%d\nbram36=%g\ndsp=%d\nlutram=%d\n", lut, ff, bram, dsp, lutram }
' "$out/$top.stat" > "$out/$top.counts"
echo "synth: $top ($SYNTH_FAMILY): $(tr '\n' ' ' < "$out/$top.counts")"
