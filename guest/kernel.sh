#!/bin/sh
# Fetch the guest's kernel without installing it on the host: Debian's
# kernel package is downloaded (apt-get download, no root needed) into a
# cache and unpacked with dpkg-deb -x under OUTDIR/kernel, where depmod -b
# writes its modules.dep (the package leaves that to its postinst). The
# host's /boot, /lib/modules and initramfs hooks are never touched.
#
#   kernel.sh OUTDIR
#
# Which package: linux-image-$GUEST_KVER when GUEST_KVER is set (e.g.
# 6.1.0-57-amd64), else the one apt's candidate of linux-image-amd64 depends
# on; GUEST_KERNEL_DEB=FILE uses that .deb instead (no apt at all). Downloads
# are kept in GUEST_DEB_CACHE (default OUTDIR/debs) and checked against the
# size and SHA256 apt lists; without apt lists, the newest .deb already in the
# cache is used, and said so.
#
# Writes OUTDIR/kernel/ (boot/vmlinuz-V, boot/config-V, lib/modules/V with
# modules.dep) and OUTDIR/kernel.txt ("kver V" and the .deb's name, size and
# SHA256), rewritten only when they change, so what depends on it is
# rebuilt only then.
set -eu

die() { echo "guest/kernel.sh: $*" >&2; exit 1; }
say() { echo "guest/kernel.sh: $*"; }

out=${1:-}
[ -n "$out" ] || die "usage: $0 OUTDIR"
cache=${GUEST_DEB_CACHE:-$out/debs}
mkdir -p "$out" "$cache"
cache=$(cd "$cache" && pwd)
DEPMOD=${DEPMOD:-$(command -v depmod || echo /sbin/depmod)}
[ -x "$DEPMOD" ] || die "no depmod (install kmod)"

# --- which .deb ------------------------------------------------------------
deb=${GUEST_KERNEL_DEB:-}
if [ -n "$deb" ]; then
	[ -r "$deb" ] || die "GUEST_KERNEL_DEB=$deb: not readable"
else
	# apt is slow to ask (seconds); its answer is kept in resolved.txt until
	# the apt lists change (their directory's time) or GUEST_KVER does.
	key="lists $(stat -c %Y /var/lib/apt/lists 2>/dev/null || echo none) kver ${GUEST_KVER:-}"
	uri=$(sed -n "2p" "$out/resolved.txt" 2>/dev/null || true)
	[ "$(head -n 1 "$out/resolved.txt" 2>/dev/null)" = "$key" ] || uri=
	pkg=
	if [ -z "$uri" ]; then
		if [ -n "${GUEST_KVER:-}" ]; then
			pkg=linux-image-$GUEST_KVER
		else
			cand=$(apt-cache policy linux-image-amd64 2>/dev/null | sed -n 's/^ *Candidate: *//p')
			if [ -n "$cand" ] && [ "$cand" != "(none)" ]; then
				pkg=$(apt-cache show "linux-image-amd64=$cand" 2>/dev/null |
					sed -n 's/^Depends: *\(linux-image-[^ ,]*\).*/\1/p' | head -n 1)
			fi
		fi
		# URI, file name, size and SHA256 of the package as apt lists it.
		[ -n "$pkg" ] && uri=$(apt-get download --print-uris "$pkg" 2>/dev/null | head -n 1)
		[ -n "$uri" ] && printf '%s\n%s\n' "$key" "$uri" >"$out/resolved.txt"
	fi
	if [ -n "$uri" ]; then
		set -- $uri
		name=$2 size=$3 sha=${4#SHA256:}
		pkg=${name%%_*}
		deb=$cache/$name
		# name.sha256 records a download that matched apt's hash.
		if [ -r "$deb" ] && [ "$(stat -c %s "$deb")" = "$size" ] && [ ! -e "$deb.sha256" ] &&
		   [ "$(sha256sum "$deb" | cut -d' ' -f1)" = "$sha" ]; then
			echo "$sha" >"$deb.sha256"
		fi
		if [ ! -r "$deb" ] || [ "$(stat -c %s "$deb")" != "$size" ] ||
		   [ "$(cat "$deb.sha256" 2>/dev/null)" != "$sha" ]; then
			rm -f "$deb" "$deb.sha256"
			say "downloading $name ($((size / 1048576)) MiB) into $cache"
			# apt's _apt user may not write here; the download then runs
			# unsandboxed, which apt mentions on stderr.
			(cd "$cache" && apt-get download -q "$pkg" 2>&1 | grep -v "unsandboxed" >&2 || true)
			[ -r "$deb" ] || die "apt-get download $pkg did not produce $name"
			[ "$(sha256sum "$deb" | cut -d' ' -f1)" = "$sha" ] || { rm -f "$deb"; die "$name: SHA256 differs from apt's"; }
			echo "$sha" >"$deb.sha256"
		fi
	else
		# (with GUEST_KVER, only that kernel's package will do)
		deb=$(ls "$cache"/linux-image-${GUEST_KVER:+${GUEST_KVER}_}*.deb 2>/dev/null | grep -v -- '-dbg_' |
			sort -V | tail -n 1 || true)
		[ -n "$deb" ] || die "apt knows no ${pkg:-linux-image-amd64} and $cache holds no ${pkg:-kernel} .deb" \
			"(apt-get update as root, or GUEST_KERNEL_DEB=FILE)"
		say "apt lists no ${pkg:-candidate for linux-image-amd64}: using the cached $(basename "$deb")"
	fi
fi

# --- its version and identity -----------------------------------------------
p=$(dpkg-deb -f "$deb" Package) || die "$deb: not a Debian package"
kver=${p#linux-image-}
[ "$kver" != "$p" ] && [ -n "$kver" ] || die "$deb: package $p is not a linux-image-V"
[ -n "${sha:-}" ] || sha=$(sha256sum "$deb" | cut -d' ' -f1)
want="kver $kver
deb $(basename "$deb") $(stat -c %s "$deb") $sha"

root=$out/kernel
if [ "$(cat "$out/kernel.txt" 2>/dev/null)" = "$want" ] && [ -r "$root/lib/modules/$kver/modules.dep" ] &&
   [ -r "$root/boot/vmlinuz-$kver" ]; then
	exit 0
fi

# --- unpack and index the modules ---------------------------------------------
rm -rf "$root.tmp"
dpkg-deb -x "$deb" "$root.tmp" || die "dpkg-deb -x $deb failed"
[ -r "$root.tmp/boot/vmlinuz-$kver" ] || die "$deb has no boot/vmlinuz-$kver"
[ -d "$root.tmp/lib/modules/$kver" ] || die "$deb has no lib/modules/$kver"
"$DEPMOD" -b "$root.tmp" "$kver" || die "depmod -b $root.tmp $kver failed"
rm -rf "$root"
mv "$root.tmp" "$root"
printf '%s\n' "$want" >"$out/kernel.txt"
say "$(basename "$deb") unpacked in $root (kernel $kver, $(du -sm "$root" | cut -f1) MiB)"
