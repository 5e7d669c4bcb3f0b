#!/bin/sh
# Yosys synthesis of a board top for its FPGA family, the vendor IP as black
# boxes (board/<name>/ip/*.sv), and its utilization against the device.
# Fails on any Yosys error or a design that does not fit.
#
# usage: synth_board.sh OUTDIR TOP FAMILY ROM_FILE ROM_AW "LUT FF BRAM36 DSP" DEVICE FILE...
# writes OUTDIR/TOP.log, .stat, .counts (key=value) and utilization.md
set -eu
out="$1"; top="$2"; family="$3"; rom="$4"; rom_aw="$5"; caps="$6"; device="$7"; shift 7
: "${YOSYS:=yosys}"
# Yosys 0.23 stops in its UltraScale distributed-RAM mapping (lutrams_xc5v_map.v,
# "invalid OPTION_ABITS/WIDTH combination"): memories go to block RAM or flip-flops.
: "${SYNTH_OPTS:=-nolutram}"
mkdir -p "$out"
script="$out/$top.ys"
{
	echo "read_verilog -sv $*"
	echo "chparam -set ROM_FILE \"$rom\" -set ROM_AW $rom_aw $top"
	echo "hierarchy -top $top"
	echo "synth_xilinx -top $top -family $family -flatten -noiopad $SYNTH_OPTS"
	echo "tee -o $out/$top.stat stat"
} > "$script"

start=$(date +%s)
if ! "$YOSYS" -q -l "$out/$top.log" "$script" > /dev/null 2>&1; then
	echo "synth: yosys failed for $top, see $out/$top.log:" >&2
	grep -i "error" "$out/$top.log" | head -20 >&2
	exit 1
fi
secs=$(( $(date +%s) - start ))

# LUTs: logic LUTs plus the LUTs that distributed RAM and shift registers
# occupy (RAM64M/RAM32M: 4, RAM64X1D/RAM32X1D: 2, RAM128X1D: 4, SRL: 1).
awk -v caps="$caps" -v dev="$device" -v fam="$family" -v secs="$secs" -v out="$out" -v top="$top" '
	/^ *LUT[1-6] /      { lut += $2 }
	/^ *RAM(64|32)M /   { lutram += 4 * $2 }
	/^ *RAM(64|32)X1D / { lutram += 2 * $2 }
	/^ *RAM(128|256)X1[SD] / { lutram += 4 * $2 }
	/^ *RAM(64|32)X1S / { lutram += $2 }
	/^ *SRL(16E|C32E) / { lutram += $2 }
	/^ *FD[A-Z]* /      { ff += $2 }
	/^ *RAMB36/         { bram += $2 }
	/^ *RAMB18/         { bram += $2 / 2 }
	/^ *DSP48/          { dsp += $2 }
	/^ *URAM/           { uram += $2 }
	END {
		split(caps, c, " ")
		tl = lut + lutram
		printf "lut=%d\nlutram=%d\nff=%d\nbram36=%g\ndsp=%d\n", tl, lutram, ff, bram, dsp > (out "/" top ".counts")
		printf "| Resource (Yosys synth_xilinx -family %s, %s) | used | available | %% |\n", fam, dev > (out "/utilization.md")
		printf "|---|---:|---:|---:|\n" > (out "/utilization.md")
		printf "| LUT (of which distributed RAM / SRL) | %d (%d) | %d | %.1f |\n", tl, lutram, c[1], 100 * tl / c[1] > (out "/utilization.md")
		printf "| FF | %d | %d | %.1f |\n", ff, c[2], 100 * ff / c[2] > (out "/utilization.md")
		printf "| Block RAM (36 Kb) | %g | %d | %.1f |\n", bram, c[3], 100 * bram / c[3] > (out "/utilization.md")
		printf "| DSP | %d | %d | %.1f |\n", dsp, c[4], 100 * dsp / c[4] > (out "/utilization.md")
		if (tl > c[1] || ff > c[2] || bram > c[3] || dsp > c[4]) { print "synth: the design does not fit " dev > "/dev/stderr"; exit 1 }
	}' "$out/$top.stat"
cat "$out/utilization.md"
echo "synth: $top for $device ($family): $(tr '\n' ' ' < "$out/$top.counts")in ${secs} s; vendor IP as black boxes"
