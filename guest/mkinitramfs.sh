#!/bin/sh
# Build the test guest's initramfs from Debian packages: busybox-static and
# fio (with every shared library ldd names) as installed on this host, the
# kernel modules virtio-fs needs (from the kernel's own modules.dep) out of
# Debian's kernel package unpacked under KROOT (guest/kernel.sh; never the
# host's own kernel), and our static helper. The archive is byte-for-byte
# reproducible (fixed times, sorted names, owner root, no device numbers,
# gzip -n).
#
#   mkinitramfs.sh inputs KROOT KVER                 list the files the build reads
#   mkinitramfs.sh build KROOT KVER OUTDIR HELPER    write OUTDIR/initramfs.cpio.gz and .cpio
#   mkinitramfs.sh kernel KROOT KVER OUTDIR          write OUTDIR/vmlinuz and OUTDIR/vmlinux
#
# The uncompressed copy of the archive boots about 1 s faster under TCG (no
# gunzip in the guest); tools/guest-run uses it when present. vmlinux is the
# same kernel with its compressed payload unpacked on the host: QEMU enters it
# through its PVH note (CONFIG_PVH), which saves the guest about 3 s of
# decompression under TCG.
#
# KROOT is the root of the unpacked kernel package; KVER a kernel version with
# KROOT/boot/vmlinuz-KVER, KROOT/boot/config-KVER and KROOT/lib/modules/KVER
# (with modules.dep).
set -eu

FIO=${FIO:-$(command -v fio || true)}
BUSYBOX=${BUSYBOX:-/bin/busybox}
# The modules the guest loads; their dependencies come from modules.dep.
ROOT_MODULES="virtio_pci virtiofs"
# Kconfig symbols behind them: each must be built in (=y) or a module (=m).
NEEDED_CONFIG="VIRTIO VIRTIO_PCI FUSE_FS VIRTIO_FS SERIAL_8250_CONSOLE DEVTMPFS BLK_DEV_INITRD RD_GZIP AIO"

die() { echo "mkinitramfs: $*" >&2; exit 1; }

mode=${1:-}; kroot=${2:-}; kver=${3:-}
[ -n "$mode" ] && [ -n "$kroot" ] && [ -n "$kver" ] || die "usage: $0 inputs|build|kernel KROOT KVER [OUTDIR [HELPER]]"
[ -d "$kroot" ] || die "no kernel tree $kroot (guest/kernel.sh unpacks one)"
kroot=$(cd "$kroot" && pwd)
moddir=$kroot/lib/modules/$kver
kernel=$kroot/boot/vmlinuz-$kver
config=$kroot/boot/config-$kver
[ -r "$kernel" ] || die "no readable kernel $kernel (guest/kernel.sh unpacks Debian's)"
[ -r "$moddir/modules.dep" ] || die "no $moddir/modules.dep"
[ -r "$config" ] || die "no $config"
[ -x "$BUSYBOX" ] || die "no $BUSYBOX (install busybox-static)"
[ -n "$FIO" ] && [ -x "$FIO" ] || die "no fio (install fio)"

for sym in $NEEDED_CONFIG; do
	grep -Eq "^CONFIG_$sym=(y|m)$" "$config" || die "$config: CONFIG_$sym is neither y nor m"
done

# Module paths (relative to $moddir) in load order: dependencies first.
modules_in_order() {
	awk -v roots="$ROOT_MODULES" '
	{ sub(":", "", $1); dep[$1] = ""; for (i = 2; i <= NF; i++) dep[$1] = dep[$1] " " $i
	  n = $1; sub(".*/", "", n); sub("[.]ko.*", "", n); gsub("-", "_", n); path[n] = $1 }
	function visit(p,   d, i, k) {
		if (p in seen) return
		seen[p] = 1
		k = split(dep[p], d, " ")
		for (i = k; i >= 1; i--) visit(d[i])
		print p
	}
	END { k = split(roots, r, " ")
	      for (i = 1; i <= k; i++) if (r[i] in path) visit(path[r[i]]); else print "BUILTIN " r[i] }
	' "$moddir/modules.dep"
}

# Shared objects fio needs, as ldd resolves them on this host (the loader too).
fio_libs() {
	ldd "$FIO" | awk '
		/not found/ { print "MISSING " $1; next }
		$2 == "=>" && $3 ~ /^\// { print $3; next }
		$1 ~ /^\// { print $1 }'
}

list_inputs() {
	echo "$kernel"; echo "$config"; echo "$moddir/modules.dep"
	echo "$BUSYBOX"; echo "$FIO"
	modules_in_order | while read -r m rest; do
		[ "$m" = BUILTIN ] && continue
		echo "$moddir/$m"
	done
	fio_libs
}

check_builtin() {
	modules_in_order | while read -r m rest; do
		if [ "$m" = BUILTIN ]; then
			# Not a module: then the kernel must have it built in.
			sym=$(echo "$rest" | tr a-z A-Z)
			[ "$sym" = VIRTIOFS ] && sym=VIRTIO_FS
			grep -q "^CONFIG_$sym=y$" "$config" || die "module $rest not found and CONFIG_$sym is not y"
		fi
	done
	if fio_libs | grep -q '^MISSING'; then die "ldd $FIO: $(fio_libs | grep '^MISSING' | tr '\n' ' ')"; fi
}

# The ELF inside a bzImage: find the payload by its magic and decompress it.
extract_vmlinux() {
	for c in "xz:\\xfd7zXZ\\x00:xz -dc --single-stream" "zstd:\\x28\\xb5\\x2f\\xfd:zstd -qdc" \
		 "gzip:\\x1f\\x8b\\x08:gzip -dc" "lz4:\\x02\\x21\\x4c\\x18:lz4 -dc"; do
		name=${c%%:*}; rest=${c#*:}; magic=${rest%%:*}; tool=${rest#*:}
		grep -q "^CONFIG_KERNEL_$(echo "$name" | tr a-z A-Z)=y" "$config" || continue
		command -v "${tool%% *}" >/dev/null 2>&1 || return 1
		off=$(LC_ALL=C grep -obUaP "$magic" "$1" | head -n 1 | cut -d: -f1)
		[ -n "$off" ] || return 1
		tail -c +$((off + 1)) "$1" | $tool >"$2" 2>/dev/null
		[ "$(head -c 4 "$2" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] && return 0
		return 1
	done
	return 1
}

case $mode in
kernel)
	out=${4:?OUTDIR}
	mkdir -p "$out"
	cp "$kernel" "$out/vmlinuz.tmp" && mv "$out/vmlinuz.tmp" "$out/vmlinuz"
	rm -f "$out/vmlinux"
	if grep -q '^CONFIG_PVH=y' "$config" && extract_vmlinux "$kernel" "$out/vmlinux.tmp"; then
		mv "$out/vmlinux.tmp" "$out/vmlinux"
		echo "mkinitramfs: $out/vmlinux (PVH entry) and $out/vmlinuz from $kernel"
	else
		rm -f "$out/vmlinux.tmp"
		echo "mkinitramfs: $out/vmlinuz from $kernel (no PVH ELF: the guest boots the bzImage)"
	fi
	exit 0 ;;
inputs)
	check_builtin
	# Name, size and modification time of each: the Makefile rebuilds when any changes.
	list_inputs | while read -r f; do
		stat -L -c '%n %s %Y' "$f"
	done
	exit 0 ;;
build) ;;
*) die "unknown mode $mode" ;;
esac

out=${4:?OUTDIR}; helper=${5:?HELPER}
check_builtin
stage=$out/root
rm -rf "$stage"
mkdir -p "$out"
for d in bin sbin usr/bin usr/sbin lib lib64 proc sys dev tmp mnt run root opt etc; do
	mkdir -p "$stage/$d"
done

# busybox and its applets (as links, where Debian's busybox would put them).
cp "$BUSYBOX" "$stage/bin/busybox"
"$BUSYBOX" --list-full | while read -r a; do
	[ "$a" = bin/busybox ] && continue
	mkdir -p "$stage/$(dirname "$a")"
	ln -sf /bin/busybox "$stage/$a"
done

# fio and its libraries at the paths ldd printed (the loader searches those).
cp "$FIO" "$stage/usr/bin/fio"
fio_libs | while read -r lib; do
	mkdir -p "$stage$(dirname "$lib")"
	cp -L "$lib" "$stage$lib"
done

# Kernel modules, and the order /init loads them in.
: >"$stage/lib/modules.list.tmp"
modules_in_order | while read -r m rest; do
	[ "$m" = BUILTIN ] && continue
	mkdir -p "$stage/lib/modules/$(dirname "$m")"
	case $m in
	*.ko) cp "$moddir/$m" "$stage/lib/modules/$m" ;;
	*.ko.xz) xz -dc "$moddir/$m" >"$stage/lib/modules/${m%.xz}"; m=${m%.xz} ;;
	*.ko.zst) zstd -qdc "$moddir/$m" >"$stage/lib/modules/${m%.zst}"; m=${m%.zst} ;;
	*.ko.gz) gzip -dc "$moddir/$m" >"$stage/lib/modules/${m%.gz}"; m=${m%.gz} ;;
	*) die "unknown module file $m" ;;
	esac
	echo "$m" >>"$stage/lib/modules.list.tmp"
done
mv "$stage/lib/modules.list.tmp" "$stage/lib/modules/load.list"

cp "$helper" "$stage/bin/fshelper"
cp "$(dirname "$0")/init" "$stage/init"
chmod 0755 "$stage/init" "$stage/bin/fshelper"
chmod 1777 "$stage/tmp"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$stage/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$stage/etc/group"

# Reproducible archive: fixed times, sorted names, root-owned, renumbered inodes.
find "$stage" -exec touch -h -d @0 {} +
(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
	cpio --quiet -o -H newc -R 0:0 --reproducible) >"$out/initramfs.cpio.tmp"
gzip -n -6 <"$out/initramfs.cpio.tmp" >"$out/initramfs.cpio.gz.tmp"
mv "$out/initramfs.cpio.tmp" "$out/initramfs.cpio"
mv "$out/initramfs.cpio.gz.tmp" "$out/initramfs.cpio.gz"
echo "mkinitramfs: $out/initramfs.cpio.gz ($(du -k "$out/initramfs.cpio.gz" | cut -f1) KiB;" \
	"kernel $kver; modules: $(sed 's|.*/||; s|[.]ko$||' "$stage/lib/modules/load.list" | tr '\n' ' '))"
rm -rf "$stage"
