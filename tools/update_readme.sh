#!/bin/sh
# Writes OUT: README.md with its generated blocks replaced, the memory map
# (map:begin/end) and the benchmark tables (bench:begin/end, from
# BENCHDIR/*.md in name order). The README itself is never rewritten: a
# developer reviews the difference and copies OUT over it.
# usage: update_readme.sh README.md MAP.md BENCHDIR OUT
set -eu
readme="$1"; map="$2"; benchdir="$3"; out="$4"
tmp="$out.tmp.$$"
bench=$(mktemp)
for f in "$benchdir"/*.md; do
	[ -f "$f" ] || continue
	cat "$f" >> "$bench"
	echo >> "$bench"
done
awk -v map="$map" -v bench="$bench" '
	/<!-- map:begin -->/   { print; while ((getline l < map) > 0) print l; skip = 1; next }
	/<!-- map:end -->/     { skip = 0 }
	/<!-- bench:begin -->/ { print; while ((getline l < bench) > 0) print l; skip = 1; next }
	/<!-- bench:end -->/   { skip = 0 }
	!skip { print }
' "$readme" > "$tmp"
mv "$tmp" "$out"
rm -f "$bench"
