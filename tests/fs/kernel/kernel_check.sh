#!/bin/sh
# Kernel compatibility check: the Linux kernel (user-mode Linux, Debian's
# user-mode-linux package) mounts images written by firmware/fs, lists and
# reads them, edits the htree directory, and replays a journal our commit
# left behind at a power cut; e2fsck -fn must be clean afterwards.
# Usage: kernel_check.sh KERNEL_IMG_BINARY WORKDIR   (exit 0 = pass, 77 = skipped)
set -u
bin=$1; work=$(mkdir -p "$2" && cd "$2" && pwd)
uml=$(command -v linux.uml || command -v linux || true)
if [ -z "$uml" ]; then echo "SKIP kernel check: user-mode-linux is not installed"; exit 77; fi
pass=0; fail=0
cat > "$work/init.sh" <<INIT
#!/bin/sh
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mkdir -p $work/mnt
if mount -t ext4 /dev/ubda $work/mnt; then
  echo "MOUNTED"
  echo "BIG \$(ls $work/mnt/big | wc -l)"
  echo "HELLO \$(md5sum < $work/mnt/hello)"
  echo "SPARSE \$(md5sum < $work/mnt/sparse)"
  echo "SLOW \$(readlink $work/mnt/slow)"
  touch $work/mnt/big/kernel-made && rm $work/mnt/big/entry-00003-with-a-longish-name && echo "EDITED"
  umount $work/mnt && echo "UMOUNTED"
fi
dmesg | grep -E "EXT4-fs (error|warning)|JBD2.*(error|fail)" | sed 's/^/KERNEL: /'
echo o > /proc/sysrq-trigger
sleep 10
INIT
chmod +x "$work/init.sh"
boot() {
  timeout 120 "$uml" mem=128M root=/dev/root rootfstype=hostfs rootflags=/ rw \
    init="$work/init.sh" ubd0="$1" con0=fd:0,fd:1 con=null </dev/null 2>&1 | tr -d '\r'
}
check() {  # name, image, expected BIG count
  out=$(boot "$2")
  want_sparse=$(debugfs -R "dump /sparse $work/sparse.ref" "$2" >/dev/null 2>&1; md5sum < "$work/sparse.ref")
  ok=1
  echo "$out" | grep -q '^MOUNTED' || ok=0
  echo "$out" | grep -q "^BIG $3\$" || ok=0
  echo "$out" | grep -q '^EDITED' || ok=0
  echo "$out" | grep -q '^UMOUNTED' || ok=0
  echo "$out" | grep -q '^KERNEL:' && ok=0
  echo "$out" | grep -q "^SPARSE $want_sparse" || ok=0
  e2fsck -fn "$2" >"$work/fsck.log" 2>&1 || ok=0
  if [ $ok = 1 ]; then pass=$((pass+1)); echo "PASS kernel/$1"
  else fail=$((fail+1)); echo "FAIL kernel/$1"; echo "$out" | grep -E '^(MOUNTED|BIG|EDITED|UMOUNTED|KERNEL|SPARSE)'; head -20 "$work/fsck.log"; fi
}
for variant in "default:" "nocsum:-O ^metadata_csum" "4k:-b 4096"; do
  tag=${variant%%:*}; opts=${variant#*:}
  img="$work/k.img"
  rm -f "$img"; mke2fs -q -t ext4 $opts -F "$img" 64M >/dev/null 2>&1
  "$bin" "$img" || { fail=$((fail+1)); echo "FAIL kernel/$tag: image build"; continue; }
  check "$tag" "$img" 3001
  # power cut inside the commit of 300 more entries: before or after the
  # commit block the kernel must find a consistent state (3001 or 3301)
  for cut in 30 150 260 400; do
    rm -f "$img"; mke2fs -q -t ext4 $opts -F "$img" 64M >/dev/null 2>&1
    "$bin" "$img" $cut >/dev/null || { fail=$((fail+1)); echo "FAIL kernel/$tag-cut$cut: image build"; continue; }
    out=$(boot "$img")
    n=$(echo "$out" | sed -n 's/^BIG //p')
    if { [ "$n" = 3001 ] || [ "$n" = 3301 ]; } && echo "$out" | grep -q '^EDITED' &&
       echo "$out" | grep -q '^UMOUNTED' && ! echo "$out" | grep -q '^KERNEL:' &&
       e2fsck -fn "$img" >/dev/null 2>&1; then
      pass=$((pass+1)); echo "PASS kernel/$tag-cut$cut ($n entries after replay)"
    else
      fail=$((fail+1)); echo "FAIL kernel/$tag-cut$cut"; echo "$out" | grep -E '^(MOUNTED|BIG|KERNEL)'
    fi
  done
done
echo "$pass passed, $fail failed"
[ $fail = 0 ]
