#!/bin/sh
# Kernel compatibility check: the Linux kernel (user-mode Linux, Debian's
# user-mode-linux package) mounts images written by firmware/fs, lists and
# reads them, edits the htree directory, and replays a journal our commit
# left behind at a power cut; e2fsck -fn must be clean afterwards. Each
# power-cut run must really cut (kernel_img says whether writes were dropped),
# and the count of cuts made is printed: a run that cut nothing fails.
# Usage: kernel_check.sh KERNEL_IMG_BINARY WORKDIR   (exit 0 = pass, 77 = skipped)
set -u
bin=$1; work=$(mkdir -p "$2" && cd "$2" && pwd)
uml=$(command -v linux.uml || command -v linux || true)
if [ -z "$uml" ]; then echo "SKIP: kernel check: user-mode Linux (linux.uml) is not installed (make setup)"; exit 77; fi
pass=0; fail=0; cuts=0; cut_runs=0; before=0; after=0
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
  # commit block the kernel must find a consistent state (3001 or 3301).
  # The cuts fall at the first write, a quarter, half and three quarters of
  # that commit's writes and its last but one (their number depends on the
  # block size and on mke2fs's random directory hash seed, so they are
  # counted first, on a copy of the very image every cut run starts from).
  rm -f "$img"; mke2fs -q -t ext4 $opts -F "$img" 64M >/dev/null 2>&1
  cp "$img" "$work/pristine.img"
  nw=$("$bin" "$img" count)
  case $nw in ''|*[!0-9]*) nw=0 ;; esac
  if [ "$nw" -lt 8 ]; then fail=$((fail+1)); echo "FAIL kernel/$tag: the commit makes ${nw} writes, too few to cut"; continue; fi
  echo "kernel/$tag: the commit of 300 entries makes $nw writes"
  for cut in 1 $((nw / 4)) $((nw / 2)) $((nw * 3 / 4)) $((nw - 1)); do
    cp "$work/pristine.img" "$img"
    cut_runs=$((cut_runs+1))
    did=$("$bin" "$img" $cut) || { fail=$((fail+1)); echo "FAIL kernel/$tag-cut$cut: image build"; continue; }
    # kernel_img prints 1 when writes were dropped at the cut, 0 when the
    # commit ended before write $cut: then nothing was cut and the run proves nothing
    if [ "$did" != 1 ]; then
      fail=$((fail+1)); echo "FAIL kernel/$tag-cut$cut: the cut did not happen (the commit made fewer than $cut writes)"; continue
    fi
    cuts=$((cuts+1))
    out=$(boot "$img")
    n=$(echo "$out" | sed -n 's/^BIG //p')
    if { [ "$n" = 3001 ] || [ "$n" = 3301 ]; } && echo "$out" | grep -q '^EDITED' &&
       echo "$out" | grep -q '^UMOUNTED' && ! echo "$out" | grep -q '^KERNEL:' &&
       e2fsck -fn "$img" >/dev/null 2>&1; then
      pass=$((pass+1)); echo "PASS kernel/$tag-cut$cut ($n entries after replay)"
      if [ "$n" = 3001 ]; then before=$((before+1)); else after=$((after+1)); fi
    else
      fail=$((fail+1)); echo "FAIL kernel/$tag-cut$cut"; echo "$out" | grep -E '^(MOUNTED|BIG|KERNEL)'
    fi
  done
done
echo "kernel check: $cuts of $cut_runs power cuts happened inside the commit, each replayed by Linux:" \
  "$before before its commit block (3001 entries), $after after it (3301)"
# both sides of the commit block must have been cut at least once
if [ $before = 0 ] || [ $after = 0 ]; then fail=$((fail+1)); echo "FAIL kernel: cuts did not fall on both sides of the commit block"; fi
echo "$pass passed, $fail failed"
[ $fail = 0 ]
