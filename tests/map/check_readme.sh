#!/bin/sh
# The memory-map table in the README (between the map:begin/map:end markers)
# must equal the table generated from rtl/soc_map.toml.
# usage: check_readme.sh README.md GENERATED.md
readme="$1"; gen="$2"
got=$(sed -n '/<!-- map:begin -->/,/<!-- map:end -->/p' "$readme" | sed '1d;$d')
want=$(cat "$gen")
if [ -z "$got" ]; then
	echo "check_readme: $readme has no <!-- map:begin --> ... <!-- map:end --> block" >&2
	exit 1
fi
if [ "$got" != "$want" ]; then
	echo "check_readme: README memory map differs from $gen (make readme writes build/README.md with the generated table; review it and copy it over README.md):" >&2
	printf '%s\n' "$want" > /tmp/check_readme.want.$$
	printf '%s\n' "$got" | diff -u - /tmp/check_readme.want.$$ >&2
	rm -f /tmp/check_readme.want.$$
	exit 1
fi
echo "1 passed, 0 failed"
