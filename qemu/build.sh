#!/bin/sh
# Builds qemu-system-x86_64 from Debian's own qemu source package with our
# co-simulation device (qemu/vfpga-pci.c) added, into BUILD/qemu/.
#
#   qemu/build.sh            (BUILD defaults to build; NICE=0 to not renice)
#
# Steps, each cached under BUILD/qemu-src:
#   1. a deb-src entry for the configured Debian suites (added once, as root);
#   2. `apt-get source qemu` (redone only when the package version changes);
#   3. the build dependencies named in ../shared/ARCHITECTURE.md (never
#      `apt-get build-dep qemu`: that pulls 245 packages);
#   4. our device copied in as hw/misc/vfpga-pci.c (with the protocol header
#      include/cosim_proto.h as hw/misc/vfpga-cosim-proto.h), one meson line
#      added (no Kconfig symbol: it builds wherever CONFIG_PCI does);
#   5. configure once, then `ninja -j2 qemu-system-x86_64` (incremental);
#   6. the device file compiled once more with QEMU's own flags plus
#      -Wall -Wextra -Werror (the rest of QEMU is built without -Werror).
# BUILD/qemu/stamp holds the package version and the device's (and header's) hash: when both
# match, nothing is done. ccache is used when installed.
set -eu

BUILD=${BUILD:-build}
SRCROOT=$BUILD/qemu-src
OUT=$BUILD/qemu
DEVICE=qemu/vfpga-pci.c
PROTO=include/cosim_proto.h
DEPS="dpkg-dev ninja-build meson python3-venv pkg-config libglib2.0-dev libpixman-1-dev libfdt-dev zlib1g-dev"
NICE=${NICE:-nice -n 10}
[ "$NICE" = 0 ] && NICE=

die() { echo "qemu/build.sh: $*" >&2; exit 1; }
say() { echo "qemu/build.sh: $*"; }
root() { [ "$(id -u)" -eq 0 ] || die "$1 (run as root, or do it by hand)"; }

[ -r "$DEVICE" ] || die "run from the top of the repository ($DEVICE not found)"
t0=$(date +%s)

# --- 1. deb-src -------------------------------------------------------------
have_debsrc() {
	grep -qsE '^[[:space:]]*deb-src[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list ||
		grep -qsE '^Types:.*deb-src' /etc/apt/sources.list.d/*.sources
}
if ! have_debsrc; then
	root "no deb-src entry in the apt sources"
	suites=$(sed -n 's/^Suites:[[:space:]]*//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
	[ -n "$suites" ] || suites="$(. /etc/os-release && echo "$VERSION_CODENAME")"
	say "adding /etc/apt/sources.list.d/vfpga-deb-src.sources ($suites)"
	cat >/etc/apt/sources.list.d/vfpga-deb-src.sources <<EOF
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: $suites
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
	apt-get update -q >/dev/null
fi

# --- 3. build dependencies (before apt-get source: it needs dpkg-source) -----
missing=
for p in $DEPS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	root "missing build dependencies:$missing"
	say "installing$missing"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >/dev/null
fi

# --- 2. the source package ----------------------------------------------------
dsc=$(apt-get source --print-uris qemu 2>/dev/null | grep -o "qemu_[^' ]*\.dsc" | head -1)
[ -n "$dsc" ] || die "apt-get source --print-uris qemu found no source package (apt-get update?)"
version=${dsc#qemu_}
version=$(echo "${version%.dsc}" | sed 's/%2[bB]/+/g; s/%3[aA]/:/g')
hash=$(cat "$DEVICE" "$PROTO" | sha256sum | cut -c1-16)
want="qemu $version device $hash"
if [ -x "$OUT/qemu-system-x86_64" ] && [ "$(cat "$OUT/stamp" 2>/dev/null)" = "$want" ]; then
	say "up to date ($want)"
	exit 0
fi

if [ "$(cat "$SRCROOT/version" 2>/dev/null)" != "$version" ]; then
	say "apt-get source qemu ($version)"
	rm -rf "$SRCROOT"
	mkdir -p "$SRCROOT"
	(cd "$SRCROOT" && apt-get source -q qemu >source.log 2>&1) || { tail -20 "$SRCROOT/source.log"; die "apt-get source qemu failed"; }
	echo "$version" >"$SRCROOT/version"
fi
src=$(find "$SRCROOT" -mindepth 1 -maxdepth 1 -type d -name 'qemu-*' | head -1)
[ -n "$src" ] && [ -x "$src/configure" ] || die "no unpacked qemu source under $SRCROOT"

# --- 4. our device ------------------------------------------------------------
# Copied only when changed, so that ninja's timestamps stay meaningful.
install_file() {
	if ! cmp -s "$1" "$2"; then cp "$1" "$2.new" && mv "$2.new" "$2"; fi
}
install_file "$DEVICE" "$src/hw/misc/vfpga-pci.c"
install_file "$PROTO" "$src/hw/misc/vfpga-cosim-proto.h"
grep -q "vfpga-pci.c" "$src/hw/misc/meson.build" ||
	printf "\n# vfpga co-simulation device (added by vfpga's qemu/build.sh)\nsoftmmu_ss.add(when: 'CONFIG_PCI', if_true: files('vfpga-pci.c'))\n" \
		>>"$src/hw/misc/meson.build"

# --- 5. configure and build ---------------------------------------------------
bdir=$src/build-vfpga
if [ ! -f "$bdir/build.ninja" ]; then
	cc=cc
	command -v ccache >/dev/null 2>&1 && cc="ccache cc"
	say "configure (cc: $cc)"
	mkdir -p "$bdir"
	(cd "$bdir" && CCACHE_BASEDIR=$(cd "$src" && pwd) CCACHE_NOHASHDIR=1 $NICE ../configure \
		--cc="$cc" --target-list=x86_64-softmmu --without-default-features --enable-tcg \
		--disable-slirp --disable-docs --disable-werror >configure.log 2>&1) ||
		{ tail -30 "$bdir/configure.log"; rm -f "$bdir/build.ninja"; die "configure failed"; }
fi
say "ninja -j2 qemu-system-x86_64 (log: $bdir/ninja.log.txt)"
(cd "$bdir" && CCACHE_BASEDIR=$(cd "$src" && pwd) CCACHE_NOHASHDIR=1 $NICE ninja -j2 qemu-system-x86_64 \
	>ninja.log.txt 2>&1) || { grep -B2 -A12 -m3 "error" "$bdir/ninja.log.txt" | head -60; die "build failed"; }

# --- 6. our file with -Werror ---------------------------------------------------
# QEMU's compile command for the file, as meson wrote it, plus the warnings we
# hold our own C to. QEMU's headers are not -Wextra clean in three ways; those
# three are waived, nothing else.
cmd=$(python3 - "$bdir/compile_commands.json" <<'EOF'
import json, sys
for e in json.load(open(sys.argv[1])):
    if e["file"].endswith("hw/misc/vfpga-pci.c"):
        print(e["command"]); break
EOF
)
[ -n "$cmd" ] || die "vfpga-pci.c is not in compile_commands.json (meson hunk missing?)"
cmd=$(echo "$cmd" | sed 's/ -o [^ ]*/ -o \/dev\/null/; s/ -MD -MQ [^ ]* -MF [^ ]*//')
(cd "$bdir" && eval "$cmd -Wall -Wextra -Werror -Wno-unused-parameter -Wno-sign-compare -Wno-missing-field-initializers") ||
	die "hw/misc/vfpga-pci.c does not build with -Wall -Wextra -Werror"

mkdir -p "$OUT"
cp "$bdir/qemu-system-x86_64" "$OUT/qemu-system-x86_64.tmp"
mv "$OUT/qemu-system-x86_64.tmp" "$OUT/qemu-system-x86_64"
echo "$want" >"$OUT/stamp"
say "built $OUT/qemu-system-x86_64 in $(( $(date +%s) - t0 )) s ($want)"
