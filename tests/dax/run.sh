#!/bin/sh
# The DAX window on the RTL card (dax_rtl_test) over a fresh mke2fs image in
# the simulated SSD, then e2fsck -fn and a debugfs dump of every file the test
# left an OUTDIR/NAME for.
# usage: run.sh DAX_RTL_TEST CARD.elf OUTDIR [test options]
t="$1"; fw="$2"; out="$3"; shift 3
mkdir -p "$out"
img="$out/dax.img"
rm -rf "$img" "$out/expect" "$out"/*.got
mkdir -p "$out/expect"
mke2fs -q -t ext4 -F "$img" 64M || exit 1
"$t" "$fw" "$img" "$out/expect" "$@"; st=$?
pass=0; fail=0
if e2fsck -fn "$img" > "$out/e2fsck.log" 2>&1; then
	pass=$((pass + 1)); echo "PASS e2fsck -fn clean"
else
	fail=$((fail + 1)); echo "FAIL e2fsck:"; sed 's/^/    /' "$out/e2fsck.log"
fi
n=0; bad=""
for e in "$out"/expect/*; do
	[ -e "$e" ] || continue
	name=$(basename "$e")
	debugfs -R "dump /$name $out/$name.got" "$img" > /dev/null 2>&1
	if cmp -s "$e" "$out/$name.got"; then n=$((n + 1)); else bad="$bad $name"; fi
done
if [ -z "$bad" ] && [ $n -ge 3 ]; then
	pass=$((pass + 1)); echo "PASS debugfs dump of $n files matches what the test expects"
else
	fail=$((fail + 1)); echo "FAIL debugfs dump differs for:$bad ($n matched)"
fi
echo "$pass passed, $fail failed"
[ $st = 0 ] && [ $fail = 0 ]
