#!/bin/sh
# make bench-fast-guest / bench-fast-cosim: 4 KiB random O_DIRECT reads from
# a stock guest on the RTL card (the SSD model over a fresh mke2fs image) over
# a 256 KiB file the card's page cache holds, 8 s each: fio psync, then, on a fresh
# card, fio libaio at iodepth 16. Each run's device-side figures (--stats)
# land in OUTDIR/fast_guest_{psync,libaio}.json; fast_guest_md.py makes the
# table.
#   fast_guest_bench.sh VFPGA_SIM CARD_ELF OUTDIR [QEMU_COSIM]
# The front end: without QEMU_COSIM the vhost-user bridge (vfpga-sim
# --socket, the guest's own vhost-user-fs-pci); with it the card's own PCI
# function (vfpga-sim --cosim, that QEMU's -device vfpga-pci).
# SSD_PROFILE (default nvme-tlc) and HOST_TURNAROUND (ns; default: the
# simulator's own) choose the SSD model's timing and the host's answer time.
set -u
SIM=$1 FW=$2 OUT=$3 QEMU_COSIM=${4:-}
here=$(cd "$(dirname "$0")" && pwd)
SSD_PROFILE=${SSD_PROFILE:-nvme-tlc}
mkdir -p "$OUT" && OUT=$(cd "$OUT" && pwd)
sockdir=$(mktemp -d /tmp/fast-guest.XXXXXX) || exit 2
trap 'rm -rf "$sockdir"' EXIT
turn=
[ -n "${HOST_TURNAROUND:-}" ] && turn="--host-turnaround $HOST_TURNAROUND"

# One fio job on a fresh card: write the file, then read it at random for
# 8 s of the guest's clock (time_based and norandommap keep one open: a
# RELEASE drops the node's tags; pages are drawn with replacement, so all
# but the first READ of each page may hit).
run() {
	name=$1 engine=$2 depth=$3
	W=$OUT/fast_guest_$name
	rm -rf "$W" && mkdir -p "$W"
	mke2fs -q -F -t ext4 "$W/disk.img" 128M || return 1
	# shellcheck disable=SC2086
	"$SIM" $fe "$sockdir/card.sock" --image "$W/disk.img" --ssd-profile "$SSD_PROFILE" \
		--firmware "$FW" --console "$W/card.log" --stats "$OUT/fast_guest_$name.json" $turn \
		2>"$W/sim.log" &
	pid=$!
	i=0; while [ ! -S "$sockdir/card.sock" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done
	# shellcheck disable=SC2086
	env $qenv "$here/guest-run" $gopt --timeout 900 --log "$W/guest.log" -- sh -c \
		"$mnt dd if=/dev/urandom of=/mnt/rr.dat bs=4096 count=64 conv=fsync 2>/dev/null && \
		 fio --name=$name --filename=/mnt/rr.dat --rw=randread --bs=4k --size=256k --time_based --runtime=8 \
		     --norandommap --randrepeat=1 --direct=1 --ioengine=$engine --iodepth=$depth \
		     --eta=never --output=/tmp/fio.out && echo 'fio $name: ok'" > "$W/guest.out" 2>&1
	rc=$?
	wait $pid || rc=1
	rm -f "$sockdir/card.sock"
	grep -q "fio $name: ok" "$W/guest.out" || { tail -n 20 "$W/guest.out" "$W/sim.log"; return 1; }
	return $rc
}
if [ -n "$QEMU_COSIM" ]; then
	fe=--cosim
	gopt=--no-mount mnt="mount -t virtiofs vfpga /mnt &&"
	qenv="QEMU=$here/qemu-vfpga VFPGA_QEMU=$QEMU_COSIM VFPGA_SOCK=$sockdir/card.sock VFPGA_ERR=$OUT/qemu.err VFPGA_DEVOPTS="
else
	fe=--socket
	gopt="--socket $sockdir/card.sock" mnt= qenv=
fi
run psync psync 1 && run libaio libaio 16
