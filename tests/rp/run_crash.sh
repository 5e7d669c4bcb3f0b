#!/bin/sh
# Power cuts on the card: the workload of tests/rp/crashfw.c (ext4 on the
# card over NVMe, fsyncs and renames logged on the console) runs once to the
# end to count its cycles, then N times on copies of the same fresh image,
# each stopped at a seeded cycle (vfpga-sim --power-cut CYCLE:SEED: the SSD
# model loses, keeps or tears, by SEED, each write no completed FLUSH
# covers; half the cycles are drawn anywhere, half just before a write the
# SSD acknowledged in the uncut run right after another write). Each cut image: our replay and the
# console's record checked by
# crash_check, then e2fsck -fn. Floors: at least a quarter of the cuts find
# writes in the SSD's cache (the rest fall where the core computes, between
# FLUSHes), at least one loses or tears some, and the cuts fall at three or
# more different points of the workload (count of completed fsyncs). The
# uncut run must have written its data back from dirty page-cache frames.
# usage: run_crash.sh SIM ELF CHECK OUTDIR N SEED   (rerun one cut: the
# failing line prints its cycle and seed: SIM --elf ELF --image IMG --power-cut CYCLE:SEED)
sim=$1; elf=$2; check=$3; out=$4; n=$5; seed=$6
# nvme-tlc: writes sit in the cache until a FLUSH drains it, as on a real drive
SIMOPTS="--ssd-profile nvme-tlc"
mkdir -p "$out"
rm -f "$out/pristine.img"
mke2fs -q -t ext4 -F "$out/pristine.img" 32M || exit 1
pass=0; fail=0
t0=$(date +%s)
cp "$out/pristine.img" "$out/full.img"
"$sim" --elf "$elf" --image "$out/full.img" --max-cycles 2000000000 $SIMOPTS --nvme-io-log "$out/io.log" > "$out/full.log" 2> "$out/full.err"
st=$?
total=$(sed -n 's/^cycles \([0-9]*\) instret.*/\1/p' "$out/full.err")
if [ $st != 0 ] || ! grep -q '^DONE 0$' "$out/full.log" || [ -z "$total" ]; then
	echo "FAIL card crash workload without a cut (status $st)"; sed 's/^/    /' "$out/full.log" "$out/full.err"; exit 1
fi
# the files' data must have gone through the page cache's write-back
wb=$(sed -n 's/^PCACHE \([0-9]*\) frames, \([0-9]*\) blocks dirtied, \([0-9]*\) written back.*/\2 \3/p' "$out/full.log")
set -- $wb
if [ -z "$wb" ] || [ "$1" -eq 0 ] || [ "$2" -eq 0 ]; then
	echo "FAIL card crash workload: its writes did not go through the page cache's write-back (${wb:-no PCACHE line})"; exit 1
fi
echo "card crash workload: $total cycles to the end; $1 blocks dirtied, $2 written back"
cached=0; damaged=0; points=""; offset=""
i=0
while [ $i -lt "$n" ]; do
	# a seeded cycle past the first twentieth (reset, NVMe set-up, mount), and a seed for the cache
	# even cuts: a cycle anywhere past the first twentieth (reset, NVMe set-up,
	# mount); odd cuts: up to 4 000 cycles before a write the SSD acknowledged
	# in the uncut run (its --nvme-io-log) right after another write, no FLUSH
	# between: the writes before it are in the cache (a commit block follows
	# a FLUSH, so a cut before it finds the cache empty). The SSD's clock runs ahead of vfpga-sim's count (it
	# also counts the reset and the ELF load): the first cut measures by how much.
	cyc=$(awk -v s="$seed" -v i="$i" -v t="$total" -v iolog="$out/io.log" -v off="$offset" 'BEGIN {
		x = (s * 2654435761 + (i + 1) * 40503) % 4294967296; for (k = 0; k < 4; k++) x = (x * 1103515245 + 12345) % 2147483648
		if (i % 2 == 0) { print int(t / 20 + (x / 2147483648) * (t - t / 20)); exit }
		n = 0; prev = "F"; while ((getline l < iolog) > 0) { k = split(l, f, " "); if (k == 4 && f[1] == "W" && prev == "W") w[n++] = f[2]; prev = f[1] }
		y = (x * 1103515245 + 12345) % 2147483648
		print w[int((x / 2147483648) * n)] - off - int((y / 2147483648) * 4000) }')
	cs=$((seed * 1000 + i))
	img="$out/cut$i.img"
	cp "$out/pristine.img" "$img"
	"$sim" --elf "$elf" --image "$img" --max-cycles 2000000000 $SIMOPTS --power-cut "$cyc:$cs" > "$out/cut$i.log" 2> "$out/cut$i.err"
	st=$?
	what="cut $i at cycle $cyc seed $cs"
	if [ $st != 4 ]; then
		fail=$((fail + 1)); echo "FAIL card $what: vfpga-sim status $st (4 = stopped at the cut)"; i=$((i + 1)); continue
	fi
	line=$(grep '^nvme: power cut' "$out/cut$i.err")
	if [ -z "$offset" ]; then
		ssd=$(echo "$line" | sed -n 's/.* at SSD cycle \([0-9]*\):.*/\1/p')
		offset=$((${ssd:-$cyc} - cyc))
	fi
	lost=$(echo "$line" | sed -n 's/.*: \([0-9]*\) cached writes: \([0-9]*\) lost, [0-9]* kept, \([0-9]*\) torn.*/\2 \3/p')
	ncached=$(echo "$line" | sed -n 's/.*: \([0-9]*\) cached writes.*/\1/p')
	[ "${ncached:-0}" -gt 0 ] && cached=$((cached + 1))
	case "$lost" in ""|"0 0") ;; *) damaged=$((damaged + 1)) ;; esac
	synced=$(grep -c '^SYNCED' "$out/cut$i.log")
	points="$points $synced"
	if ! "$check" "$img" "$out/cut$i.log" > "$out/check$i.log" 2>&1; then
		fail=$((fail + 1)); echo "FAIL card $what ($synced fsyncs done, ${ncached:-0} cached writes, lost/torn ${lost:-?}):"
		sed 's/^/    /' "$out/check$i.log"; i=$((i + 1)); continue
	fi
	if ! e2fsck -fn "$img" > "$out/fsck$i.log" 2>&1; then
		fail=$((fail + 1)); echo "FAIL card $what: e2fsck -fn after our replay"; head -20 "$out/fsck$i.log"; i=$((i + 1)); continue
	fi
	pass=$((pass + 1))
	echo "PASS card $what: $synced fsyncs done, ${ncached:-0} cached writes (lost, torn: ${lost:-0 0})"
	rm -f "$img"
	i=$((i + 1))
done
distinct=$(echo $points | tr ' ' '\n' | sort -u | wc -l)
echo "card crash: $n cuts, $cached with writes in the SSD's cache ($damaged lost or tore some), at $distinct different points of the workload, $(($(date +%s) - t0)) s"
if [ $((cached * 4)) -lt "$n" ]; then fail=$((fail + 1)); echo "FAIL card crash: only $cached of $n cuts found writes in the cache"; fi
if [ "$damaged" = 0 ]; then fail=$((fail + 1)); echo "FAIL card crash: no cut lost or tore a cached write"; fi
if [ "$distinct" -lt 3 ] && [ "$n" -ge 3 ]; then fail=$((fail + 1)); echo "FAIL card crash: cuts at only $distinct points"; fi
fsyncs=0; for p in $points; do fsyncs=$((fsyncs + p)); done
[ $fail = 0 ] && res=pass || res=FAIL
sh "$(dirname "$0")/../../tools/figures_row.sh" "crash-card-n$n" $res \
	"Power cut on the card's own run: firmware NVMe driver, RTL root port, SSD model's volatile cache (test-rp-crash)" \
	"$n cuts ($cached with writes in the SSD's cache, $damaged of them lost or torn)" \
	"the files and renames of $fsyncs completed fsyncs read back; replay and \`e2fsck -fn\` clean after each"
echo "$pass passed, $fail failed"
[ $fail = 0 ]
