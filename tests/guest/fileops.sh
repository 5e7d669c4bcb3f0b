#!/bin/sh
# fileops.sh: file operations on a mounted virtio-fs, run INSIDE the test guest
# (busybox sh; /bin/fshelper does xattrs, record locks and zero checks).
#
#   fileops.sh [DIR]     DIR (default ./fileops) must not exist; it is created,
#                        and removed again when every check passed
#
# Each check prints "FAIL: what" when it fails; the run ends with
# "fileops: N passed, N failed" and exits 1 on any failure.
set -u
T=${1:-$PWD/fileops}
# Entries of the readdir test (FILEOPS_ENTRIES=300 for the RTL simulation).
N=${FILEOPS_ENTRIES:-10000}
passes=0 fails=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
# check DESCRIPTION COMMAND...: the command must succeed
check() { d=$1; shift; if "$@"; then ok; else bad "$d"; fi; }
# same VALUE WANT DESCRIPTION
same() { if [ "$1" = "$2" ]; then ok; else bad "$3: got '$1', want '$2'"; fi; }
size() { stat -c %s "$1" 2>/dev/null; }
md5() { md5sum <"$1" | cut -d' ' -f1; }
t_last=$(cut -d' ' -f1 /proc/uptime)
# Each section line carries the seconds the previous section took.
section() {
	t=$(cut -d' ' -f1 /proc/uptime)
	echo "-- $* (previous: $(awk "BEGIN { printf \"%.1f\", $t - $t_last }") s)"
	t_last=$t
}

if [ -e "$T" ]; then echo "fileops: $T exists already"; exit 1; fi
mkdir -p "$T" && cd "$T" || { echo "fileops: cannot create $T"; exit 1; }
REF=/tmp/fileops-ref
mkdir -p $REF

section "create, write, read back"
: >empty
check "create: empty file exists" test -f empty
same "$(size empty)" 0 "create: size of a new file"
echo "hello, virtio-fs" >small
same "$(cat small)" "hello, virtio-fs" "write/read: small file content"
dd if=/dev/urandom of=$REF/data bs=64k count=16 2>/dev/null
cp $REF/data data
check "write/read: 1 MiB file differs from what was written (cmp)" cmp -s $REF/data data
same "$(md5 data)" "$(md5 $REF/data)" "write/read: md5sum of 1 MiB file"
same "$(size data)" 1048576 "write: size of 1 MiB file"
# Overwrite 4 KiB in the middle, in place.
dd if=/dev/urandom of=$REF/patch bs=4k count=1 2>/dev/null
dd if=$REF/patch of=data bs=4k seek=100 conv=notrunc 2>/dev/null
dd if=$REF/patch of=$REF/data bs=4k seek=100 conv=notrunc 2>/dev/null
check "overwrite in place: content after writing 4 KiB at 400 KiB" cmp -s $REF/data data
same "$(size data)" 1048576 "overwrite in place: size unchanged"

section "append"
echo line1 >ap
echo line2 >>ap
same "$(cat ap | tr '\n' ' ')" "line1 line2 " "append: content"
same "$(size ap)" 12 "append: size"
cat $REF/data >>ap
same "$(size ap)" $((12 + 1048576)) "append 1 MiB: size"
{ printf 'line1\nline2\n'; cat $REF/data; } >$REF/ap
check "append 1 MiB: content" cmp -s $REF/ap ap

section "rename"
echo a >ra
mv ra rb
check "rename: old name still exists" test ! -e ra
same "$(cat rb 2>/dev/null)" a "rename: content under the new name"
echo source >rs
echo target >rt
mv -f rs rt
check "rename over an existing file: source name still exists" test ! -e rs
same "$(cat rt 2>/dev/null)" source "rename over an existing file: content of the target"

section "hard links"
ln data hl
same "$(stat -c %h data)" 2 "hard link: link count after ln"
same "$(stat -c %i hl)" "$(stat -c %i data)" "hard link: same inode number"
check "hard link: content through the second name" cmp -s $REF/data hl
rm hl
same "$(stat -c %h data)" 1 "hard link: link count after rm"

section "symbolic links"
ln -s data sl
check "symlink: not a symlink" test -L sl
same "$(readlink sl)" data "symlink: readlink"
check "symlink: content through the link" cmp -s $REF/data sl
long=$(printf '%0200d' 0 | tr 0 x)
ln -s "$long" sl2
same "$(readlink sl2)" "$long" "symlink: readlink of a 200-byte target"
rm sl sl2
check "symlink: data survives removing the link" test -f data

section "directories"
mkdir d1 && mkdir d1/d2
check "mkdir: d1/d2 is not a directory" test -d d1/d2
same "$(stat -c %h d1)" 3 "mkdir: link count of a directory with one subdirectory"
echo x >d1/d2/f
check "rmdir of a non-empty directory must fail" sh -c '! rmdir d1/d2 2>/dev/null'
rm d1/d2/f
rmdir d1/d2 && rmdir d1
check "rmdir: d1 still exists" test ! -e d1

section "rename of directories"
mkdir -p da/sub && echo deep >da/sub/f
mv da db
check "rename dir: old name still exists" test ! -e da
same "$(cat db/sub/f 2>/dev/null)" deep "rename dir: content below the renamed directory"
mkdir dc
mv db dc/moved
same "$(cat dc/moved/sub/f 2>/dev/null)" deep "rename dir into another directory: content"
same "$(stat -c %h dc)" 3 "rename dir into another directory: link count of the new parent"
rm -r dc
check "rm -r of a renamed tree" test ! -e dc

section "chmod, chown"
echo m >perm
chmod 0751 perm
same "$(stat -c %a perm)" 751 "chmod 0751: mode"
chmod 0600 perm
same "$(stat -c %a perm)" 600 "chmod 0600: mode"
mkdir pd && chmod 2755 pd
same "$(stat -c %a pd)" 2755 "chmod 2755 on a directory: mode"
chown 1234:5678 perm
same "$(stat -c %u:%g perm)" 1234:5678 "chown 1234:5678: owner"
chown 0:0 perm
same "$(stat -c %u:%g perm)" 0:0 "chown back to 0:0: owner"

section "truncate"
head -c 10000 $REF/data >tr
truncate -s 5000 tr
same "$(size tr)" 5000 "truncate down: size"
check "truncate down: first 5000 bytes kept" cmp -s -n 5000 tr $REF/data
truncate -s 20000 tr
same "$(size tr)" 20000 "truncate up: size"
check "truncate up: first 5000 bytes kept" cmp -s -n 5000 tr $REF/data
check "truncate up: bytes 5000..20000 read as zeros" fshelper zero-check tr 5000 15000
truncate -s 0 tr
same "$(size tr)" 0 "truncate to 0: size"
truncate -s 3000000 tr
check "truncate up to 3 MB (sparse): zeros" fshelper zero-check tr 0 3000000

section "extended attributes"
echo x >xa
check "setxattr user.test" fshelper xattr-set xa user.test hello-xattr
same "$(fshelper xattr-get xa user.test 2>&1)" hello-xattr "getxattr user.test"
check "setxattr user.second" fshelper xattr-set xa user.second 2
same "$(fshelper xattr-list xa 2>&1 | grep '^user\.' | sort | tr '\n' ' ')" "user.second user.test " "listxattr"
check "setxattr replaces a value" fshelper xattr-set xa user.test replaced
same "$(fshelper xattr-get xa user.test 2>&1)" replaced "getxattr after replace"
check "removexattr user.test" fshelper xattr-remove xa user.test
check "getxattr of a removed attribute must fail" sh -c '! fshelper xattr-get xa user.test 2>/dev/null'
same "$(fshelper xattr-list xa 2>&1 | grep '^user\.' | tr '\n' ' ')" "user.second " "listxattr after removexattr"

section "readdir over $N entries: create them"
mkdir big
# By mknod: half the FUSE requests of open+close (create is checked above).
check "create $N files" fshelper mkfiles big $N mknod
section "readdir over $N entries: list them"
same "$(ls big | wc -l)" $N "readdir: ls | wc -l"
same "$(ls big | sort | md5sum | cut -d' ' -f1)" "$(seq 0 $((N - 1)) | sed 's/^/f/' | sort | md5sum | cut -d' ' -f1)" \
	"readdir: the names listed are f0..f$((N - 1)), each once"
same "$(find big -type f | wc -l)" $N "readdir: find | wc -l"
section "readdir over $N entries: remove them"
rm -r big
check "remove $N files and their directory" test ! -e big

section "fifo"
mkfifo ff
check "mkfifo: not a fifo" test -p ff
(echo through-the-fifo >ff) &
read -r line <ff
wait
same "$line" through-the-fifo "fifo: data through it"
rm ff

section "statfs"
set -- $(fshelper statfs . 2>/dev/null)
if [ $# -eq 6 ]; then
	check "statfs: block size $1" test "$1" -gt 0
	check "statfs: $2 blocks" test "$2" -gt 0
	check "statfs: free blocks $3 <= blocks $2" test "$3" -le "$2"
	check "statfs: name length $6" test "$6" -ge 255
else
	bad "statfs . failed"
fi
check "df ." sh -c 'df -k . | tail -n 1 | grep -q "[0-9]"'

section "record locks (fcntl)"
check "fcntl locks between two processes" fshelper lock-test lockfile

section "unlink while open"
cp $REF/data uo
exec 3<uo
rm uo
check "unlink while open: name still exists" test ! -e uo
same "$(md5sum <&3 | cut -d' ' -f1)" "$(md5 $REF/data)" "unlink while open: read through the open descriptor"
exec 3<&-

section "sync"
check "sync" sync
section "end"

cd ..
if [ $fails -eq 0 ]; then
	rm -r "$T" || bad "removing $T"
fi
rm -rf $REF
echo "fileops: $passes passed, $fails failed"
[ $fails -eq 0 ]
