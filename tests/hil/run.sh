#!/bin/sh
# Hardware in the loop: the card in a host, bound to vfio-pci, passed to a
# guest under QEMU/KVM (-device vfio-pci), the guest's stock virtiofs driver
# mounting it with and without DAX, the fio matrix of tests/hil/jobs
# (seqread, randread, seqwrite, randwrite x psync, libaio, mmap, buffered,
# and psync/libaio with O_DIRECT) with 1 and 4 jobs, 4 KiB blocks, iodepth
# 16; the results as a Markdown table and an SVG plot (tests/hil/report.py).
#
#   tests/hil/run.sh --bdf DDDD:BB:DD.F [--out DIR] [--size SIZE] [--runtime SEC]
#                    [--numjobs "1 4"] [--jobs "NAME..."] [--modes "nodax dax"]
#                    [--mem SIZE] [--smp N] [--kernel F] [--initrd F]
#                    [--timeout SEC] [--write-mibs N] [--dry-run]
#
# --dry-run prints every command it would run (binding, each QEMU boot with
# its timeout, the report) and checks the job files with fio --parse-only;
# it needs neither the card nor KVM. The guest is the project's test guest
# (make guest): its /init mounts the tag (guest.opts=dax for DAX) and runs
# tests/hil/guest.sh.
#
# A mode passes only when the guest mounted, every job of it produced a
# result and (dax) the files were served through DAX: before booting in dax
# mode the card's configuration space must show the shared-memory capability
# (tests/hil/caps.py; the KCU105 build has no room for it), and the guest
# checks the mount and every file (tests/hil/guest.sh).
#
# Each boot's timeout (unless --timeout) comes from the simulated card: a
# 4 KiB WRITE takes 48 232 cycles (README, make bench-guest-rtl), 386 us at
# the board's 125 MHz core clock, 10 MiB/s one request at a time
# (--write-mibs); fio lays out NUMJOBS x SIZE that way once per NUMJOBS, then
# each job runs at most RUNTIME seconds plus its set-up and (buffered writes)
# the flush of what it wrote; twice that, plus the boot.
# Exit status: 0 all jobs ran; 1 a job, a mount or a boot failed; 2 bad arguments.
# tests/hil/test.sh runs it with stand-ins (HIL_BIND for bind.sh, HIL_SYSFS
# for /sys/bus/pci/devices, HIL_KVM for /dev/kvm, QEMU) to check that a run
# cannot pass without every result.
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
QEMU=${QEMU:-qemu-system-x86_64}
FIO=${FIO:-fio}
VFSCTL=${VFSCTL:-$repo/build/bin/vfsctl}
g=$repo/build/guest
bdf= out=$repo/build/hil size=1G runtime=30 numjobs="1 4" modes="nodax dax"
mem=4G smp=4 dry= kernel=$g/vmlinuz initrd=$g/initramfs.cpio.gz timeout= write_mibs=10
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
	--write-mibs) write_mibs=${2:?}; shift 2 ;;
	--dry-run) dry=1; shift ;;
	-h|--help) sed -n '/^#   tests\/hil\/run.sh/,/^#  *\[--mem/s/^# \{0,3\}//p' "$0"; exit 0 ;;
	*) die "unknown argument '$1' (--help)" ;;
	esac
done
[ -n "$bdf" ] || die "--bdf DDDD:BB:DD.F is required"
for m in $modes; do case $m in nodax|dax) ;; *) die "mode '$m': nodax or dax" ;; esac; done
case $size in *[!0-9KMGkmg]*|'') die "--size '$size': a number with K, M or G" ;; esac
case $runtime$write_mibs in *[!0-9]*) die "--runtime and --write-mibs take whole numbers" ;; esac
[ "$write_mibs" -gt 0 ] || die "--write-mibs must be above 0"
[ -z "$timeout" ] || case $timeout in *[!0-9]*) die "--timeout takes seconds" ;; esac

# Seconds one boot may take (see the header): boot 180 s; per NUMJOBS the
# layout of NUMJOBS x SIZE at write_mibs; per job RUNTIME + 30 s, and for a
# buffered write job RUNTIME again for its end_fsync; doubled.
boot_timeout() {
	echo "$size $runtime $write_mibs $numjobs" | awk -v jobs="$jobs" '{
		s = $1; m = 1
		if (s ~ /[Kk]$/) m = 1 / 1024; else if (s ~ /[Mm]$/) m = 1; else if (s ~ /[Gg]$/) m = 1024; else m = 1 / 1048576
		mib = (s + 0) * m
		n = split(jobs, J, " "); t = 0
		for (i = 4; i <= NF; i++) {
			t += $i * mib / $3
			for (k = 1; k <= n; k++) {
				t += $2 + 30
				if (J[k] ~ /write/ && J[k] !~ /direct/) t += $2
			}
		}
		printf "%d\n", 180 + 2 * t
	}'
}

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
	sh "${HIL_BIND:-$here/bind.sh}" "$bdf" || exit 1
	[ -r "$kernel" ] && [ -r "$initrd" ] || die "no guest at $kernel / $initrd (make guest)"
	[ -w "${HIL_KVM:-/dev/kvm}" ] || die "KVM is not usable here (${HIL_KVM:-/dev/kvm})"
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
cfg=${HIL_SYSFS:-/sys/bus/pci/devices}/$bdf/config
for mode in $modes; do
	w=$out/$mode
	stage=$w/stage
	opts=; [ "$mode" = dax ] && opts=" guest.opts=dax"
	t=${timeout:-$(boot_timeout)}
	echo "hil: $mode: boot timeout $t s"
	# The card must offer what the mode needs (DAX: the shared-memory capability).
	if [ -n "$dry" ]; then
		echo "+ python3 $here/caps.py $cfg --need $mode"
	elif ! python3 "$here/caps.py" "$cfg" --need "$mode"; then
		echo "hil: $mode: FAIL: the card does not offer it (board/kcu105/README.md)" >&2
		rc=1
		continue
	fi
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
	run timeout "$t" "$QEMU" -machine q35,accel=kvm -cpu host -smp "$smp" -m "$mem" \
		-nographic -no-reboot -display none -monitor none \
		-kernel "$kernel" -initrd "$w/initrd" \
		-append "console=ttyS0 panic=-1 guest.tag=vfpga$opts" \
		-device vfio-pci,host="$bdf" \
		-serial "file:$w/console.log" -serial "file:$w/out.log" || { echo "hil: $mode: QEMU failed" >&2; rc=1; }
	[ -n "$dry" ] && continue
	nonce="hil-$mode-$$"
	if grep -q "@@GUEST $nonce MOUNTFAIL" "$w/console.log" 2>/dev/null; then
		echo "hil: $mode: FAIL: the guest could not mount: $(grep "@@GUEST $nonce MOUNTFAIL" "$w/console.log")" >&2; rc=1
	elif ! grep -q "@@GUEST $nonce EXIT" "$w/console.log" 2>/dev/null; then
		echo "hil: $mode: FAIL: the guest did not finish (timeout $t s or a crash: $w/console.log)" >&2; rc=1
	fi
	if grep -q "@@FIO-FAILED\|@@DAX-NOT-IN-USE" "$w/out.log" 2>/dev/null; then
		echo "hil: $mode: FAIL:" >&2; grep "@@FIO-FAILED\|@@DAX-NOT-IN-USE" "$w/out.log" >&2; rc=1
	fi
	want=$(( $(echo $jobs | wc -w) * $(echo $numjobs | wc -w) ))
	got=$(grep -c "^@@FIO-END" "$w/out.log" 2>/dev/null); got=${got:-0}
	if [ "$got" -ne "$want" ]; then
		echo "hil: $mode: FAIL: $got of $want job results" >&2; rc=1
	fi
done

# 4. Table and plot.
logs=
for mode in $modes; do logs="$logs $out/$mode/out.log"; done
run python3 "$here/report.py" --title "fio on the card (KCU105, $bdf)" \
	--md "$out/results.md" --svg "$out/results.svg" --json "$out/results.json" $logs || rc=1
[ -n "$dry" ] || cat "$out/results.md"
exit $rc
