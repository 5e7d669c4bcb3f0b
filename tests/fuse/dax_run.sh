#!/bin/sh
# The FUSE server's DAX window over a fresh mke2fs image, then e2fsck and a
# debugfs dump of every file the test left an OUTDIR/NAME.expect for.
# usage: dax_run.sh DAX_TEST OUTDIR [SEED [STEPS]]
t="$1"; out="$2"; shift 2
mkdir -p "$out"
img="$out/dax.img"
rm -f "$img" "$out/fault.img" "$out"/*.expect "$out"/*.got
mke2fs -q -t ext4 -F "$img" 128M || exit 1
mke2fs -q -t ext4 -F "$out/fault.img" 8M || exit 1
"$t" "$img" "$out/fault.img" "$out" "$@"; st=$?
pass=0; fail=0
if e2fsck -fn "$img" > "$out/e2fsck.log" 2>&1; then
	pass=$((pass + 1)); echo "PASS e2fsck -fn clean"
else
	fail=$((fail + 1)); echo "FAIL e2fsck:"; sed 's/^/    /' "$out/e2fsck.log"
fi
n=0; bad=""
for e in "$out"/*.expect; do
	[ -e "$e" ] || continue
	name=$(basename "$e" .expect)
	rm -f "$out/$name.got"
	debugfs -R "dump /$name $out/$name.got" "$img" > /dev/null 2>&1
	if cmp -s "$e" "$out/$name.got"; then n=$((n + 1)); else bad="$bad $name"; fi
done
if [ -z "$bad" ] && [ $n -gt 0 ]; then
	pass=$((pass + 1)); echo "PASS debugfs dump of $n files matches what the test expects"
else
	fail=$((fail + 1)); echo "FAIL debugfs dump differs for:$bad"
fi
echo "$pass passed, $fail failed"
[ $st = 0 ] && [ $fail = 0 ]
