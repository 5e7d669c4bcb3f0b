#!/bin/sh
# Install the Debian packages the project uses. Idempotent: packages already
# present are left alone and apt is not touched at all when nothing is missing.
set -eu

PKGS="make gcc g++ python3 verilator yosys zlib1g-dev \
gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf binutils-riscv64-unknown-elf \
linux-libc-dev e2fsprogs \
qemu-system-x86 qemu-system-misc qemu-utils busybox-static fio cpio xz-utils linux-image-amd64 \
valgrind clang libclang-rt-14-dev user-mode-linux openfpgaloader tcl8.6"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

if [ -z "$missing" ]; then
	echo "setup: all packages present"
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "setup: missing packages:$missing" >&2
	echo "setup: run 'make setup' as root (or install them with apt-get)" >&2
	exit 1
fi

echo "setup: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends $missing
