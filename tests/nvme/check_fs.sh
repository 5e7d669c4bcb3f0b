#!/bin/sh
# The host's judgement of an image the ext4-over-NVMe scenario
# (tests/nvme/fs_scenario.c) wrote: e2fsck -fn, then debugfs finds what the
# scenario made. Prints PASS/FAIL lines; exit status: the failures.
# usage: check_fs.sh IMG ENTRIES ORIGIN OUTDIR
img="$1"; entries="$2"; origin="$3"; out="$4"
fail=0
if e2fsck -fn "$img" > "$out/e2fsck.log" 2>&1; then
	echo "PASS e2fsck -fn clean"
else
	fail=$((fail + 1)); echo "FAIL e2fsck:"; sed 's/^/    /' "$out/e2fsck.log"
fi
last=$(printf 'entry-%03d' $((entries - 1)))
debugfs -R "dump /data.bin $out/data.bin" "$img" > /dev/null 2>&1
if python3 -c '
import sys
d = open(sys.argv[1], "rb").read()
ok = len(d) == 300 * 1024 and all(d[i] == (i * 13 + (i >> 10) + 1) & 0xff for i in range(len(d)))
sys.exit(0 if ok else 1)' "$out/data.bin" && \
   debugfs -R "ls /dir" "$img" 2>/dev/null | grep -q "$last" && \
   debugfs -R "stat /dir/entry-008" "$img" 2>&1 | grep -q "not found" && \
   debugfs -R "stat /dir/entry-007" "$img" 2>&1 | grep -q "not found" && \
   debugfs -R "stat /moved" "$img" 2>/dev/null | grep -q "Type: regular" && \
   debugfs -R "stat /link" "$img" 2>/dev/null | grep -q 'Fast link dest: "dir/entry-042"' && \
   debugfs -R "ea_get /data.bin user.origin" "$img" 2>/dev/null | grep -q "$origin"; then
	echo "PASS debugfs sees the file, its xattr, the directory ($entries entries), the rename and the link"
else
	fail=$((fail + 1)); echo "FAIL debugfs content check"
fi
exit $fail
