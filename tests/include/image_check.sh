#!/bin/sh
# After a test wrote into an ext4 image: e2fsck -fn, then a debugfs dump of
# each expected file compared with it. Prints PASS/FAIL lines and
# "N passed, M failed"; exits non-zero when anything failed.
# usage: image_check.sh IMG WORKDIR MIN_FILES EXPECTED...
#   EXPECTED: files whose name, less a .expect suffix, is a path in the
#   image's root; MIN_FILES: how many must be there at least.
img="$1"; work="$2"; min="$3"; shift 3
pass=0; fail=0
if e2fsck -fn "$img" > "$work/e2fsck.log" 2>&1; then
	pass=$((pass + 1)); echo "PASS e2fsck -fn clean"
else
	fail=$((fail + 1)); echo "FAIL e2fsck:"; sed 's/^/    /' "$work/e2fsck.log"
fi
n=0; bad=""
for e in "$@"; do
	[ -e "$e" ] || continue
	name=$(basename "$e" .expect)
	rm -f "$work/$name.got"
	debugfs -R "dump /$name $work/$name.got" "$img" > /dev/null 2>&1
	if cmp -s "$e" "$work/$name.got"; then n=$((n + 1)); else bad="$bad $name"; fi
done
if [ -z "$bad" ] && [ $n -ge "$min" ]; then
	pass=$((pass + 1)); echo "PASS debugfs dump of $n files matches what the test expects"
else
	fail=$((fail + 1)); echo "FAIL debugfs dump differs for:$bad ($n matched, $min needed)"
fi
echo "$pass passed, $fail failed"
[ $fail = 0 ]
