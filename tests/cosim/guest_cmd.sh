#!/bin/sh
# Runs inside the test guest (busybox) for tests/cosim/guest.sh, with the
# virtio modules loaded and nothing mounted.
#   guest_cmd.sh probe   what the kernel made of the card; mount; file
#                        operations once GETATTR works; 256 random O_DIRECT
#                        re-reads of a 256 KiB file (the READ fast path);
#                        nonsense register writes with the driver unbound,
#                        rebind, mount again
#   guest_cmd.sh dax     mount -o dax; read and write files through the DAX
#                        window; fio ioengine=mmap randwrite + verify
#   guest_cmd.sh die     unbinds virtio_pci, prints ready-to-kill, then reads the card's config
#                        dword 0 until it reads all-ones (the host kills or
#                        stops the simulator meanwhile)
mode=${1:-probe}
up() { cut -d' ' -f1 /proc/uptime; }
card=
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/vendor")" = 0x1af4 ] && [ "$(cat "$d/device")" = 0x105a ] && card=$d
done
[ -n "$card" ] || { echo "no card with 1af4:105a on the PCI bus"; exit 1; }
bdf=${card##*/}

show() {
	echo "card: $bdf driver: $(basename "$(readlink "$card/driver" 2>/dev/null)" 2>/dev/null)"
	echo "resource: $(head -3 "$card/resource" | tr '\n' ' ')"
	echo "msi_irqs: $(ls "$card/msi_irqs" 2>/dev/null | tr '\n' ' ')"
	for v in /sys/bus/virtio/devices/*; do
		[ -e "$v" ] || continue
		echo "virtio: ${v##*/} device=$(cat "$v/device") vendor=$(cat "$v/vendor")" \
			"driver=$(basename "$(readlink "$v/driver")")"
	done
}

# Mounts; GETATTR (ls) decides whether the card serves files yet.
try_mount() {
	t0=$(up)
	if mount -t virtiofs vfpga /mnt 2>/tmp/m.err; then
		if ls -la /mnt >/tmp/ls.out 2>/tmp/ls.err; then
			echo "getattr: ok: $(grep -c . /tmp/ls.out) lines of ls -la /mnt"
			fileops
			[ -z "${REREAD:-}" ] || reread
		else
			echo "getattr: failed: $(cat /tmp/ls.err)"
		fi
		umount /mnt 2>/dev/null
	else
		echo "mount: failed: $(cat /tmp/m.err)"
	fi
	echo "mount took $(awk -v a="$t0" -v b="$(up)" 'BEGIN { printf "%.2f", b - a }') s"
}

fileops() {
	set -e
	[ "$(cat /mnt/hello.txt)" = "Hello from the vfpga card." ]
	echo "written by the guest through -device vfpga-pci" >/mnt/from-guest.txt
	echo "written through the card" >/mnt/cosim.txt
	[ "$(cat /mnt/cosim.txt)" = "written through the card" ]
	mkdir /mnt/cosim.d
	seq 1 500 >/mnt/cosim.d/n
	[ "$(wc -l </mnt/cosim.d/n)" -eq 500 ]
	mv /mnt/cosim.d/n /mnt/cosim.d/m
	rm /mnt/cosim.d/m
	rmdir /mnt/cosim.d
	rm /mnt/cosim.txt
	# the card's clock follows the host's (vfpga-sim --cosim writes it):
	# a stamp within 5 s of the guest's clock, a second later one second on
	t1=$(stat -c %Y /mnt/from-guest.txt)
	now=$(date +%s)
	echo "times: file $t1, guest $now"
	[ $((t1 - now)) -le 5 ] && [ $((now - t1)) -le 5 ]
	sleep 1
	echo later >/mnt/later.txt
	t2=$(stat -c %Y /mnt/later.txt)
	echo "times: a second later $t2"
	[ "$t2" -ge $((t1 + 1)) ]
	rm /mnt/later.txt
	set +e
	echo "fileops: ok"
}

# The READ fast path from a stock guest: a 256 KiB file written (so in the
# card's page cache), then 256 random 4 KiB O_DIRECT reads of it, one open
# (norandommap, pages drawn with replacement): every READ but the first of
# each page may be a hit (guest.sh counts them in the simulator's --stats).
reread() {
	t0=$(up)
	dd if=/dev/urandom of=/mnt/rr.dat bs=4096 count=64 conv=fsync 2>/dev/null &&
	fio --name=rr --filename=/mnt/rr.dat --rw=randread --bs=4k --size=256k --io_size=1m --norandommap \
		--direct=1 --ioengine=psync --randrepeat=1 --eta=never --output=/tmp/rr.out &&
	grep -q "READ: bw=" /tmp/rr.out && rm /mnt/rr.dat &&
	echo "reread: ok ($(awk -v a="$t0" -v b="$(up)" 'BEGIN { printf "%.2f", b - a }') s)" ||
	{ echo "reread: failed"; cat /tmp/rr.out; }
}

case $mode in
probe)
	show
	echo "config space: $(wc -c <"$card/config") bytes"
	echo "config-begin"
	od -An -tx1 -v -N 256 "$card/config"
	echo "config-end"
	grep -i virtio /proc/interrupts | sed 's/^/interrupts: /'
	REREAD=1
	try_mount
	REREAD=
	# Nonsense into the card's registers with the driver unbound (the RTL
	# decides what sticks), then the driver probes again: it resets the
	# function and must find it working.
	bar0=$(head -1 "$card/resource" | cut -d' ' -f1)
	echo "$bdf" >/sys/bus/pci/drivers/virtio-pci/unbind
	for off in 0x0 0x4 0x8 0x14 0x16 0x18 0x1c 0x20 0x1000 0x1004 0x2000 0x3000 0x4000 0x4008 0x400c 0x5000 0x7ff0; do
		devmem $((bar0 + off)) 32 0xdeadbeef
	done
	echo "nonsense: 17 writes of 0xdeadbeef into BAR0 at $bar0, device_status now 0x$(devmem $((bar0 + 0x14)) 8)"
	echo "$bdf" >/sys/bus/pci/drivers/virtio-pci/bind
	echo "rebind:"
	show
	try_mount
	;;
dax)
	# -o dax: the guest maps file ranges into BAR2 (the card's DAX window)
	# with FUSE_SETUPMAPPING and reads and writes them with loads and stores.
	if ! mount -t virtiofs -o dax vfpga /mnt 2>/tmp/m.err; then
		echo "dax: mount failed: $(cat /tmp/m.err)"
		dmesg | grep -i -E 'virtio|fuse|dax' | tail -5
		exit 1
	fi
	echo "dax: mounted: $(grep ' /mnt ' /proc/mounts)"
	t0=$(up)
	[ "$(cat /mnt/hello.txt)" = "Hello from the vfpga card." ] && echo "dax: read ok" || { echo "dax: read failed"; exit 1; }
	echo "written through the DAX window" >/mnt/dax.txt
	[ "$(cat /mnt/dax.txt)" = "written through the DAX window" ] && echo "dax: write ok" ||
		{ echo "dax: write failed"; exit 1; }
	if fio --name=daxmmap --filename=/mnt/fio-mmap --size=128k --bs=4k --rw=randwrite --ioengine=mmap \
		--verify=crc32c --do_verify=1 --verify_fatal=1 --eta=never --output=/tmp/fio.out; then
		echo "dax: fio mmap randwrite+verify ok"
	else
		cat /tmp/fio.out; exit 1
	fi
	if fio --name=daxread --filename=/mnt/fio-mmap --size=128k --bs=4k --rw=read --ioengine=psync \
		--verify=crc32c --verify_only=1 --verify_fatal=1 --eta=never --output=/tmp/fio2.out; then
		echo "dax: fio psync verify of the mmap-written file ok"
	else
		cat /tmp/fio2.out; exit 1
	fi
	sync
	echo "dax: took $(awk -v a="$t0" -v b="$(up)" 'BEGIN { printf "%.2f", b - a }') s"
	umount /mnt && echo "dax: ok"
	;;
die)
	# Unbound first: Debian 6.1's virtio_pci resets the function when it
	# lets go (at poweroff too) and waits for device_status to read 0, which
	# a dead card never does (all-ones): that guest would hang at poweroff.
	echo "$bdf" >/sys/bus/pci/drivers/virtio-pci/unbind
	echo "ready-to-kill"
	i=0
	while [ $i -lt 240 ]; do
		v=$(od -An -tx4 -N4 "$card/config" | tr -d ' ')
		if [ "$v" = ffffffff ]; then
			echo "card gone: config dword 0 reads $v after $((i / 4)) s"
			exit 0
		fi
		sleep 0.25
		i=$((i + 1))
	done
	echo "card still answers: $v"
	exit 1
	;;
esac
