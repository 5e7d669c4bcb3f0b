#!/bin/sh
# 4 KiB random reads on the simulated SSD (QD1, QD32) under an SSD profile
# (world/ssd: nvme-tlc by default, make bench-nvme SSD_PROFILE=...); writes a
# Markdown table that names the profile. The media time per read comes from
# the profile as vfpga-sim prints it at start ("ssd: ... read L cycles + B
# B/cycle, ...").
# usage: run_bench.sh SIM ELF OUTDIR OUT.md [PROFILE]
sim="$1"; elf="$2"; out="$3"; md="$4"; profile="${5:-nvme-tlc}"
mkdir -p "$out"
img="$out/bench.img"
rm -f "$img"
truncate -s 256M "$img" || exit 1
"$sim" --elf "$elf" --image "$img" --ssd-profile "$profile" --max-cycles 400000000 \
	> "$out/sim.log" 2> "$out/sim.err" || { cat "$out/sim.log" "$out/sim.err"; exit 1; }
grep -q "bench failures 0" "$out/sim.log" || { cat "$out/sim.log"; exit 1; }
line=$(grep "^ssd: .*profile $profile " "$out/sim.err") || { echo "run_bench: no profile line"; cat "$out/sim.err"; exit 1; }
lat=$(echo "$line" | sed -n 's/.*: read \([0-9]*\) cycles + .*/\1/p')
bw=$(echo "$line" | sed -n 's/.*: read [0-9]* cycles + \([0-9.e+]*\) B\/cycle.*/\1/p')
[ -n "$lat" ] || { echo "run_bench: cannot read the profile's timing: $line"; exit 1; }
awk -v lat=$lat -v bw="${bw:-0}" '
	/^bench (msix|polled) / {
		mode = $2 == "msix" ? "MSI-X, WFI" : "polled"; qd = $3; n = $4; c = $5
		xfer = bw > 0 ? 4096 / bw : 0
		per = c / n; media = lat + xfer
		lim = qd == 1 ? media : (media / qd > xfer ? media / qd : xfer)
		printf "| %s | %d | %d | %.0f | %.0f | %.0f | %s |\n", mode, qd, n, per, per - lim, \
			250e6 / per, (lim > 0 ? sprintf("%.0f", 250e6 / lim) : "no limit")
	}' "$out/sim.log" > "$out/rows.md"
{
	echo "| NVMe 4 KiB random reads (card firmware, RTL root port, SSD model, profile $profile) | QD | commands | cycles per command | card overhead cycles per command | commands/s at 250 MHz | media limit commands/s |"
	echo "|---|---:|---:|---:|---:|---:|---:|"
	cat "$out/rows.md"
	echo
	if [ -n "$bw" ]; then pipe="plus 4096 B at $bw B/cycle through one shared read pipe"; else pipe="and no bandwidth limit"; fi
	echo "SSD profile \`$profile\` (\`world/ssd\`): $lat media cycles per read $pipe."
	echo "Card overhead: cycles per command beyond the media model"
	echo "(at QD32: beyond the media's own limit per command) — driver, root port, link and the SSD's"
	echo "DMA of queue entries and data."
} > "$md"
cat "$md"
