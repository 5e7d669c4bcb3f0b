#!/bin/sh
# Install the Debian packages the project uses. Idempotent: packages already
# present are left alone and apt is not touched at all when nothing is missing.
#
# The test guest's kernel is not installed here (that would run the host's
# initramfs hooks and change /boot): guest/kernel.sh downloads Debian's
# linux-image package with apt-get download and unpacks it under build/. That
# needs apt's package lists to know it, so they are updated when they do not.
set -eu

PKGS="make gcc g++ python3 verilator yosys zlib1g-dev \
gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf binutils-riscv64-unknown-elf \
linux-libc-dev e2fsprogs \
qemu-system-x86 qemu-system-misc qemu-utils busybox-static fio cpio xz-utils kmod \
valgrind clang libclang-rt-14-dev user-mode-linux openfpgaloader tcl8.6"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

# Does apt know a candidate for the guest's kernel package?
kernel_listed() {
	apt-cache policy linux-image-amd64 2>/dev/null | grep -q '^ *Candidate: [0-9]'
}
lists=ok
kernel_listed || lists=stale

if [ -z "$missing" ] && [ $lists = ok ]; then
	echo "setup: all packages present"
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	[ -z "$missing" ] || echo "setup: missing packages:$missing" >&2
	[ $lists = ok ] || echo "setup: apt's lists know no linux-image-amd64 (the guest's kernel is downloaded from them)" >&2
	echo "setup: run 'make setup' as root (or apt-get update and install them yourself)" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -q
kernel_listed || { echo "setup: apt-get update, and still no linux-image-amd64 in apt's sources" >&2; exit 1; }
if [ -n "$missing" ]; then
	echo "setup: installing$missing"
	apt-get install -y -q --no-install-recommends $missing
fi
