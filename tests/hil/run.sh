#!/bin/sh
# Hardware in the loop: the card in a host, bound to vfio-pci, passed to a
# guest under QEMU/KVM (-device vfio-pci), the guest's stock virtiofs driver
# mounting it with and without DAX, the fio matrix of tests/hil/jobs
# (seqread, randread, seqwrite, randwrite x psync, libaio, mmap) with 1 and 4
# jobs, 4 KiB blocks, iodepth 16; the results as a Markdown table and an SVG
# plot (tests/hil/report.py).
#
#   tests/hil/run.sh --bdf DDDD:BB:DD.F [--out DIR] [--size SIZE] [--runtime SEC]
#                    [--numjobs "1 4"] [--jobs "NAME..."] [--modes "nodax dax"]
#                    [--mem SIZE] [--smp N] [--kernel F] [--initrd F] [--dry-run]
#
# --dry-run prints every command it would run (binding, each QEMU boot, the
# report) and checks the job files with fio --parse-only; it needs neither
# the card nor KVM. The guest is the project's test guest (make guest): its
# /init mounts the tag (guest.opts=dax for DAX) and runs tests/hil/guest.sh.
# Exit status: 0 all jobs ran; 1 a job or a boot failed; 2 bad arguments.
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
QEMU=${QEMU:-qemu-system-x86_64}
FIO=${FIO:-fio}
VFSCTL=${VFSCTL:-$repo/build/bin/vfsctl}
g=$repo/build/guest
bdf= out=$repo/build/hil size=1G runtime=30 numjobs="1 4" modes="nodax dax"
mem=4G smp=4 dry= kernel=$g/vmlinuz initrd=$g/initramfs.cpio.gz timeout=3600
jobs=$(cd "$here/jobs" && ls *.fio | sed 's/\.fio$//' | tr '\n' ' ')

die() { echo "hil: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
	case $1 in
	--bdf) bdf=${2:?}; shift 2 ;;
	--out) out=${2:?}; shift 2 ;;
	--size) size=${2:?}; shift 2 ;;
	--runtime) runtime=${2:?}; shift 2 ;;
	--numjobs) numjobs=${2:?}; shift 2 ;;
	--jobs) jobs=${2:?}; shift 2 ;;
	--modes) modes=${2:?}; shift 2 ;;
	--mem) mem=${2:?}; shift 2 ;;
	--smp) smp=${2:?}; shift 2 ;;
	--kernel) kernel=${2:?}; shift 2 ;;
	--initrd) initrd=${2:?}; shift 2 ;;
	--timeout) timeout=${2:?}; shift 2 ;;
	--dry-run) dry=1; shift ;;
	-h|--help) sed -n '/^#   tests\/hil\/run.sh/,/^#  *\[--mem/s/^# \{0,3\}//p' "$0"; exit 0 ;;
	*) die "unknown argument '$1' (--help)" ;;
	esac
done
[ -n "$bdf" ] || die "--bdf DDDD:BB:DD.F is required"
for m in $modes; do case $m in nodax|dax) ;; *) die "mode '$m': nodax or dax" ;; esac; done

# 1. The job files parse, with the values this run gives them.
bad=0
for j in $jobs; do
	f=$here/jobs/$j.fio
	[ -r "$f" ] || die "no job file $f"
	for nj in $numjobs; do
		if ! DIR=/tmp SIZE=$size NUMJOBS=$nj RUNTIME=$runtime "$FIO" --parse-only "$f" >/dev/null 2>&1; then
			echo "hil: $f does not parse (NUMJOBS=$nj)" >&2
			bad=1
		fi
	done
done
[ $bad -eq 0 ] || exit 1
echo "hil: $(echo $jobs | wc -w) job files parse (fio --parse-only)"

# Prints a command (quoted where it must be) and runs it unless --dry-run.
run() {
	printf '+'
	for a in "$@"; do
		case $a in *[[:space:]]*) printf " '%s'" "$a" ;; *) printf ' %s' "$a" ;; esac
	done
	echo
	[ -n "$dry" ] || "$@"
}

# 2. The card to vfio-pci.
if [ -n "$dry" ]; then
	sh "$here/bind.sh" --dry-run "$bdf" | sed 's/^/+ /'
else
	sh "$here/bind.sh" "$bdf" || exit 1
	[ -r "$kernel" ] && [ -r "$initrd" ] || die "no guest at $kernel / $initrd (make guest)"
	[ -w /dev/kvm ] || die "KVM is not usable here (/dev/kvm)"
fi
mkdir -p "$out"

# The card's clock to the host's before the guest mounts (a board has no
# other time source; the card never lets it go back). Again before each
# boot: the card's clock drifts from the host's while it runs.
settime() {
	run "$VFSCTL" --pci "$bdf" settime || { [ -n "$dry" ] || echo "hil: warning: settime failed; file times follow the card's own clock" >&2; }
}

# 3. One boot per mode; the guest runs every job and NUMJOBS.
rc=0
for mode in $modes; do
	w=$out/$mode
	stage=$w/stage
	opts=; [ "$mode" = dax ] && opts=" guest.opts=dax"
	settime
	if [ -z "$dry" ]; then
		rm -rf "$w" && mkdir -p "$stage/run/guest" "$stage/opt/jobs" || exit 1
		cp "$here/guest.sh" "$stage/run/guest/cmd"
		echo "hil-$mode-$$" >"$stage/run/guest/nonce"
		printf 'HIL_MODE=%s\nHIL_SIZE=%s\nHIL_RUNTIME=%s\nHIL_NUMJOBS="%s"\nHIL_JOBS="%s"\n' \
			"$mode" "$size" "$runtime" "$numjobs" "$jobs" >"$stage/opt/hil.env"
		for j in $jobs; do cp "$here/jobs/$j.fio" "$stage/opt/jobs/"; done
		(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) >"$w/run.cpio" || exit 1
		if [ "${initrd%.gz}" != "$initrd" ]; then gzip -dc "$initrd" >"$w/initrd"; else cp "$initrd" "$w/initrd"; fi
		sz=$(wc -c <"$w/initrd")
		head -c $(((4 - sz % 4) % 4)) /dev/zero >>"$w/initrd"
		cat "$w/run.cpio" >>"$w/initrd"
	else
		echo "+ build $w/initrd: $initrd + /run/guest/cmd (tests/hil/guest.sh), /opt/hil.env, /opt/jobs/*.fio"
	fi
	run timeout "$timeout" "$QEMU" -machine q35,accel=kvm -cpu host -smp "$smp" -m "$mem" \
		-nographic -no-reboot -display none -monitor none \
		-kernel "$kernel" -initrd "$w/initrd" \
		-append "console=ttyS0 panic=-1 guest.tag=vfpga$opts" \
		-device vfio-pci,host="$bdf" \
		-serial "file:$w/console.log" -serial "file:$w/out.log" || { echo "hil: $mode: QEMU failed" >&2; rc=1; }
	if [ -z "$dry" ] && grep -q "@@FIO-FAILED" "$w/out.log" 2>/dev/null; then
		echo "hil: $mode: a job failed:" >&2; grep "@@FIO-FAILED" "$w/out.log" >&2; rc=1
	fi
done

# 4. Table and plot.
logs=
for mode in $modes; do logs="$logs $out/$mode/out.log"; done
run python3 "$here/report.py" --title "fio on the card (KCU105, $bdf)" \
	--md "$out/results.md" --svg "$out/results.svg" --json "$out/results.json" $logs || rc=1
[ -n "$dry" ] || cat "$out/results.md"
exit $rc
