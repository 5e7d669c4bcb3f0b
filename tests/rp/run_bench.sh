#!/bin/sh
# 4 KiB random reads on the simulated SSD (QD1, QD32) with a modelled media
# latency and bandwidth; writes a Markdown table.
# usage: run_bench.sh SIM ELF OUTDIR OUT.md
sim="$1"; elf="$2"; out="$3"; md="$4"
lat=20000	# cycles: 80 µs at 250 MHz, a TLC read
bw=8		# bytes per cycle: 2 GB/s media
mkdir -p "$out"
img="$out/bench.img"
rm -f "$img"
truncate -s 256M "$img" || exit 1
"$sim" --elf "$elf" --image "$img" --nvme-latency $lat --nvme-bw $bw --max-cycles 400000000 \
	> "$out/sim.log" 2> "$out/sim.err" || { cat "$out/sim.log" "$out/sim.err"; exit 1; }
grep -q "bench failures 0" "$out/sim.log" || { cat "$out/sim.log"; exit 1; }
awk -v lat=$lat -v bw=$bw '
	/^bench (msix|polled) / {
		mode = $2 == "msix" ? "MSI-X, WFI" : "polled"; qd = $3; n = $4; c = $5
		per = c / n; media = lat + 4096 / bw
		printf "| %s | %d | %d | %.0f | %.0f | %.0f | %.0f |\n", mode, qd, n, per, \
			(qd == 1 ? per - media : per - (media > qd * 4096 / bw ? media / qd : 4096 / bw)), \
			250e6 / per, 250e6 / (qd == 1 ? media : (media / qd > 4096 / bw ? media / qd : 4096 / bw))
	}' "$out/sim.log" > "$out/rows.md"
{
	echo "| NVMe 4 KiB random reads (card firmware, RTL root port, SSD model) | QD | commands | cycles per command | card overhead cycles per command | commands/s at 250 MHz | media limit commands/s |"
	echo "|---|---:|---:|---:|---:|---:|---:|"
	cat "$out/rows.md"
	echo
	echo "Modelled media: $lat cycles per command plus 4096 B at $bw B/cycle through one shared pipe"
	echo "($((lat + 4096 / bw)) cycles per read at QD1). Card overhead: cycles per command beyond the"
	echo "media model (at QD32: beyond the media's own limit per command) — driver, root port, link"
	echo "and the SSD's DMA of queue entries and data."
} > "$md"
cat "$md"
