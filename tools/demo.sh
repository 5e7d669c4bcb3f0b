#!/bin/sh
# make demo: a stock Linux guest mounts the card and uses it.
#
#   tools/demo.sh [rtl|model|cosim]
#
# rtl   - the simulated card (vfpga-sim --socket: RTL + firmware on the soft
#         core) serves the guest through the vhost-user bridge
# model - the card's functional model (vfpga-model) serves it
# cosim - the guest's own virtio_pci drives the simulated card's PCI function
#         (config space, BARs, MSI-X, DMA) through QEMU's -device vfpga-pci
#         (vfpga-sim --cosim; needs make qemu-cosim), and mounts with -o dax
#         (DAX=0: without): files through the card's DAX window
#
# Stages: make a default ext4 image with a few files; start the card; boot the
# Debian kernel under QEMU (TCG) with vhost-user-fs-pci; in the guest mount
# virtiofs, list and read the files, write one, run a short fio job with
# verify, unmount and power off; check the image with e2fsck -fn and debugfs;
# print the device-side summary. Each stage prints when it starts and ends,
# with the elapsed time; a failure names its stage and shows the logs.
set -u
BACKEND=${1:-rtl}
# The SSD model's timing (rtl, cosim): a profile of world/ssd (make SSD_PROFILE=...).
SSD_PROFILE=${SSD_PROFILE:-nvme-tlc}
BUILD=${BUILD:-build}
W=$BUILD/demo
SOCK=$W/card.sock
IMG=$W/disk.img
T0=$(date +%s)
stage_name=""
stage_t0=0

elapsed() { echo $(( $(date +%s) - $1 )); }
stage() {
	stage_name=$1
	stage_t0=$(date +%s)
	printf '[demo %4ss] %s ...\n' "$(elapsed "$T0")" "$stage_name"
}
done_() { printf '[demo %4ss] %s: done (%ss)\n' "$(elapsed "$T0")" "$stage_name" "$(elapsed "$stage_t0")"; }
fail() {
	printf '[demo %4ss] FAILED in stage "%s": %s\n' "$(elapsed "$T0")" "$stage_name" "$*"
	for f in "$W/card.err" "$W/card.log" "$W/guest.log"; do
		[ -s "$f" ] && { echo "--- last lines of $f"; tail -20 "$f"; }
	done
	[ -n "${card_pid:-}" ] && kill "$card_pid" 2>/dev/null
	exit 1
}

# fio's size: the RTL simulation runs about 1.4 M cycles per second.
case $BACKEND in
rtl) FIO_SIZE=1M ;;
cosim) FIO_SIZE=256k ;;
*) FIO_SIZE=4M ;;
esac
MOUNT_OPTS=
case $BACKEND in
rtl) SERVER="$BUILD/bin/vfpga-sim --socket $SOCK --image $IMG --ssd-profile $SSD_PROFILE --firmware $BUILD/firmware/card.elf --console $W/card.log --stats $W/stats.json" ;;
model) SERVER="$BUILD/bin/vfpga-model --socket $SOCK --image $IMG --stats $W/stats.json" ;;
cosim)
	SERVER="$BUILD/bin/vfpga-sim --cosim $SOCK --image $IMG --ssd-profile $SSD_PROFILE --firmware $BUILD/firmware/card.elf --console $W/card.log"
	[ "${DAX:-1}" = 0 ] || MOUNT_OPTS="-o dax"
	[ -x "$BUILD/qemu/qemu-system-x86_64" ] || { echo "demo: cosim needs make qemu-cosim"; exit 2; } ;;
*) echo "usage: tools/demo.sh [rtl|model|cosim]"; exit 2 ;;
esac
case $BACKEND in
rtl|cosim) echo "[demo] the SSD model runs with profile $SSD_PROFILE (SSD_PROFILE=ideal: no media time)" ;;
esac

rm -rf "$W" && mkdir -p "$W/files/docs"
stage "image: mke2fs -t ext4 with a few files"
echo "Hello from the vfpga card." > "$W/files/hello.txt"
seq 1 2000 > "$W/files/numbers.txt"
printf 'The card serves FUSE requests from an ext4 image.\n' > "$W/files/docs/readme.txt"
mke2fs -q -F -t ext4 -d "$W/files" "$IMG" 256M || fail "mke2fs"
done_

stage "card: $BACKEND back end"
$SERVER 2>"$W/card.err" &
card_pid=$!
i=0
while [ ! -S "$SOCK" ]; do
	kill -0 $card_pid 2>/dev/null || fail "the card exited before listening"
	i=$((i + 1)); [ $i -gt 600 ] && fail "no socket after 60 s"
	sleep 0.1
done
done_

stage "guest: boot, mount${MOUNT_OPTS:+ $MOUNT_OPTS}, ls, cat, write, fio verify, unmount"
{ echo "FIO_SIZE=$FIO_SIZE"; echo "BACKEND=$BACKEND"; echo "MOUNT_OPTS='$MOUNT_OPTS'"; cat <<'EOF'
set -e
if [ "$BACKEND" = cosim ]; then
	mount -t virtiofs $MOUNT_OPTS vfpga /mnt
	echo "mounted: $(grep ' /mnt ' /proc/mounts)"
fi
echo "guest: $(uname -sr), virtiofs mounted at /mnt"
ls -l /mnt /mnt/docs
cat /mnt/hello.txt
echo "numbers.txt: $(wc -l < /mnt/numbers.txt) lines, sum $(awk '{s+=$1} END {print s}' /mnt/numbers.txt)"
echo "written by the guest" > /mnt/from-guest.txt
sync
fio --name=verify --directory=/mnt --size=$FIO_SIZE --bs=4k --rw=randwrite --ioengine=psync \
    --verify=crc32c --do_verify=1 --verify_fatal=1 --minimal > /tmp/fio.out
echo "fio: $FIO_SIZE random write + crc32c verify passed ($(cut -d';' -f7 /tmp/fio.out) KiB/s written)"
rm -f /mnt/verify.0.0
if [ -n "$MOUNT_OPTS" ]; then
	fio --name=mmap --filename=/mnt/mmap.dat --size=$FIO_SIZE --bs=4k --rw=randwrite --ioengine=mmap \
	    --verify=crc32c --do_verify=1 --verify_fatal=1 --minimal > /tmp/fio.out
	echo "fio: $FIO_SIZE ioengine=mmap random write + verify through the DAX window passed"
	rm -f /mnt/mmap.dat
fi
[ "$BACKEND" != cosim ] || umount /mnt
EOF
} > "$W/guest.sh"
if [ "$BACKEND" = cosim ]; then
	# QEMU with the card's own PCI function (guest-run's QEMU plus the device).
	VFPGA_QEMU="$BUILD/qemu/qemu-system-x86_64" VFPGA_SOCK="$SOCK" VFPGA_ERR="$W/qemu.err" \
		QEMU=tools/qemu-vfpga tools/guest-run --no-mount --timeout 900 --log "$W/guest.log" \
		--file "$W/guest.sh:/guest.sh" -- sh /guest.sh || fail "guest command failed (status $?)"
else
	tools/guest-run --socket "$SOCK" --tag vfpga --timeout 900 --log "$W/guest.log" \
		--file "$W/guest.sh:/guest.sh" -- sh /guest.sh || fail "guest command failed (status $?)"
fi
done_

stage "card: shutdown"
i=0
while kill -0 $card_pid 2>/dev/null; do
	i=$((i + 1)); [ $i -gt 600 ] && { kill $card_pid; fail "the card did not exit after the guest left"; }
	sleep 0.1
done
wait $card_pid || fail "the card exited with status $?"
card_pid=
done_

stage "image: e2fsck -fn and debugfs"
e2fsck -fn "$IMG" > "$W/e2fsck.log" 2>&1 || { cat "$W/e2fsck.log"; fail "e2fsck -fn found problems"; }
debugfs -R "cat /from-guest.txt" "$IMG" 2>/dev/null | grep -q "written by the guest" ||
	fail "debugfs does not find the guest's file"
echo "e2fsck -fn: clean; debugfs: /from-guest.txt holds what the guest wrote"
done_

stage "device-side summary"
if [ "$BACKEND" = cosim ]; then
	grep "cosim:" "$W/card.err" | sed 's/^vfpga-sim: //'
	done_
	printf '[demo %4ss] all stages passed\n' "$(elapsed "$T0")"
	exit 0
fi
python3 - "$W/stats.json" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
mhz = s.get("clock_mhz", 250)
print(f'back end: {s.get("backend")}, {s["requests"]} requests, '
      f'{s["bytes_to_card"]} bytes to the card, {s["bytes_to_host"]} bytes to the host')
if "cycles" in s:
    print(f'simulated: {s["cycles"]} cycles ({s["cycles"] / mhz / 1000:.1f} ms at {mhz} MHz), '
          f'{s["cycles_serving"]} while serving')
print(f'{"opcode":<14}{"count":>8}' + (f'{"cycles":>10}{"us":>9}' if s["timed"] else ""))
for name, o in sorted(s["by_opcode"].items(), key=lambda kv: -kv[1]["count"]):
    line = f'{name:<14}{o["count"]:>8}'
    if s["timed"]:
        line += f'{o["cycles_mean"]:>10}{o["cycles_mean"] / mhz:>9.2f}'
    print(line)
f = s.get("fast")
if f:
    m = f["misses"]
    print(f'READ fast path (RTL): {f["hits"]} hits of {f["reads"]} READs ({100 * f["read_hit_ratio"]:.1f} %), '
          f'{f["hit_bytes"]} bytes; handed to the firmware: {m["tag"]} untagged pages, '
          f'{m["opcode"]} other opcodes, {m["chain"]} chain shapes, {m["size"]} too long, {m["dma"]} DMA errors; '
          f'last hit {f["last_hit_cycles"]} cycles notify to used')
EOF
python3 tools/plot_devstats.py "$W/stats.json" "$W/stats.svg" "vfpga demo ($BACKEND)" &&
	echo "figures: $W/stats.json, $W/stats.svg"
done_
printf '[demo %4ss] all stages passed\n' "$(elapsed "$T0")"
