#!/bin/sh
# Writes OUT: README.md with its generated blocks replaced, the memory map
# (map:begin/end) and the benchmark tables (bench:begin/end, from
# BENCHDIR/*.md in name order) and, given FIGDIR, the fault figures
# (faults:begin/end: one row per FIGDIR/*.md, written by the tests, under a
# header made here; without rows the block is kept as it is). The README itself is never rewritten: a developer
# reviews the difference and copies OUT over it.
# usage: update_readme.sh README.md MAP.md BENCHDIR OUT [FIGDIR]
set -eu
readme="$1"; map="$2"; benchdir="$3"; out="$4"; figdir="${5:-}"
tmp="$out.tmp.$$"
bench=$(mktemp)
for f in "$benchdir"/*.md; do
	[ -f "$f" ] || continue
	cat "$f" >> "$bench"
	echo >> "$bench"
done
figs=$(mktemp); figs_ok=0
if [ -n "$figdir" ] && ls "$figdir"/*.md > /dev/null 2>&1; then
	printf '| Fault class (test) | Cases run | Verified after them | Result |\n|---|---|---|---|\n' > "$figs"
	cat "$figdir"/*.md >> "$figs"
	figs_ok=1
fi
awk -v map="$map" -v bench="$bench" -v figs="$figs" -v figs_ok=$figs_ok '
	/<!-- map:begin -->/   { print; while ((getline l < map) > 0) print l; skip = 1; next }
	/<!-- map:end -->/     { skip = 0 }
	/<!-- bench:begin -->/ { print; while ((getline l < bench) > 0) print l; skip = 1; next }
	/<!-- bench:end -->/   { skip = 0 }
	/<!-- faults:begin -->/ { print; if (figs_ok) { while ((getline l < figs) > 0) print l; skip = 1 } next }
	/<!-- faults:end -->/  { skip = 0 }
	!skip { print }
' "$readme" > "$tmp"
mv "$tmp" "$out"
rm -f "$bench" "$figs"
