#!/bin/sh
# The stock-guest tests through the card's own PCI function: QEMU with
# -device vfpga-pci and vfpga-sim --cosim over a fresh mke2fs image; in the
# guest, virtiofs mounted with -o dax (MOUNT_OPTS), the file-operations script
# (300 readdir entries) and the fio verify jobs (psync and libaio, 1 MiB)
# plus fio ioengine=mmap; then e2fsck -fn and debugfs on the image.
#   guest_full.sh QEMU VFPGA_SIM CARD_ELF WORKDIR
set -u
QEMU=$1 SIM=$2 FW=$3 W=$4
MOUNT_OPTS=${MOUNT_OPTS--o dax}
here=$(cd "$(dirname "$0")" && pwd)
G=$here/../guest
rm -rf "$W" && mkdir -p "$W" && W=$(cd "$W" && pwd)
fail=0
bad() { echo "test-cosim-guest: FAIL: $*"; fail=1; }
SOCK=$W/card.sock IMG=$W/disk.img
mke2fs -q -F -t ext4 "$IMG" 128M || exit 2
for j in verify-psync verify-libaio; do
	sed 's/^size=.*/size=1m/' "$G/$j.fio" > "$W/$j.fio"
done
export VFPGA_QEMU="$QEMU" VFPGA_SOCK="$SOCK" VFPGA_ERR="$W/qemu.err"
t0=$(date +%s)
"$SIM" --cosim "$SOCK" --image "$IMG" --firmware "$FW" --console "$W/card.log" 2>"$W/sim.log" &
pid=$!
i=0; while [ ! -S "$SOCK" ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done
QEMU="$here/../../tools/qemu-vfpga" "$here/../../tools/guest-run" --no-mount --timeout 1500 --log "$W/guest.log" \
	--file "$G/fileops.sh" --file "$G/fio-verify.sh" --file "$W/verify-psync.fio" --file "$W/verify-libaio.fio" \
	-- sh -c "mount -t virtiofs $MOUNT_OPTS vfpga /mnt && grep ' /mnt ' /proc/mounts && cd /mnt &&
	  FILEOPS_ENTRIES=300 sh /opt/fileops.sh && sh /opt/fio-verify.sh /opt/verify-psync.fio /opt/verify-libaio.fio &&
	  fio --name=mmap --filename=/mnt/fio-mmap.dat --size=256k --bs=4k --rw=randwrite --ioengine=mmap \
	    --verify=crc32c --do_verify=1 --verify_fatal=1 --eta=never --output=/tmp/mmap.out && echo 'fio mmap: ok' &&
	  echo 'written through vfpga-pci' > /mnt/persist.txt && cd / && umount /mnt" \
	> "$W/guest.out" 2>&1; rc=$?
grep -E "FAIL|fileops:|^fio |virtiofs" "$W/guest.out"
[ $rc -eq 0 ] || { bad "guest command status $rc"; tail -30 "$W/guest.out"; }
[ -z "$MOUNT_OPTS" ] || grep -q "dax=always" "$W/guest.out" || bad "not mounted with dax"
i=0; while kill -0 $pid 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
kill $pid 2>/dev/null; wait $pid
grep "cosim:" "$W/sim.log" | sed 's/^vfpga-sim: /  /'
e2fsck -fn "$IMG" > "$W/e2fsck.log" 2>&1 || { cat "$W/e2fsck.log"; bad "e2fsck -fn"; }
[ "$(debugfs -R 'cat /persist.txt' "$IMG" 2>/dev/null)" = "written through vfpga-pci" ] || bad "debugfs: persist.txt"
debugfs -R "dump /fio-psync.dat $W/fio-psync.dat" "$IMG" >/dev/null 2>&1
[ "$(stat -c %s "$W/fio-psync.dat" 2>/dev/null)" = 1048576 ] || bad "debugfs: fio-psync.dat is not 1 MiB"
echo "test-cosim-guest: $(( $(date +%s) - t0 )) s"
[ $fail -eq 0 ] && echo "test-cosim-guest: all passed"
exit $fail
