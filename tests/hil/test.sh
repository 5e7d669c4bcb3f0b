#!/bin/sh
# Checks of the HIL runner that need no card: the dry run prints the binding,
# the capability check and a KVM boot with its timeout for each mount mode,
# and the report; the 20 job files parse (buffered and direct=1); bad
# arguments are refused; caps.py finds the virtio capabilities in
# configuration spaces laid out as the KCU105 build and as a card with a DAX
# window, and refuses dax for the first; guest.sh, run here on a scratch
# directory, reports real fio results in mode nodax and fails every dax job
# when the mount or the files are not DAX; report.py turns its output into a
# table, an SVG and JSON.
#
# ssd-check (the firmware's own check of the SSD, read-only) accepts a
# default mkfs.ext4, leaves it unchanged, refuses what the firmware refuses.
#
# usage: test.sh WORKDIR SSD-CHECK
set -u
W=${1:?workdir}; SSDCHECK=${2:?ssd-check}
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$W" && mkdir -p "$W/fio" || exit 2
pass=0; fail=0
ok() { pass=$((pass + 1)); }
no() { echo "FAIL $*"; fail=$((fail + 1)); }
has() { grep -qF -- "$1" "$W/dry.out" && ok || no "dry run lacks: $1"; }

sh "$here/run.sh" --bdf 0000:65:00.0 --dry-run --out "$W/out" >"$W/dry.out" 2>&1 && ok || no "dry run exit status"
has "hil: 20 job files parse (fio --parse-only)"
has "hil: nodax: boot timeout 6724 s"
has "caps.py /sys/bus/pci/devices/0000:65:00.0/config --need dax"
has "timeout 6724 qemu-system-x86_64"
has "+ modprobe vfio-pci"
has "+ echo vfio-pci > /sys/bus/pci/devices/0000:65:00.0/driver_override"
has "-machine q35,accel=kvm -cpu host"
has "-device vfio-pci,host=0000:65:00.0"
has "vfsctl --pci 0000:65:00.0 settime"
has "'console=ttyS0 panic=-1 guest.tag=vfpga'"
has "'console=ttyS0 panic=-1 guest.tag=vfpga guest.opts=dax'"
has "report.py --title"
[ ! -e "$W/out/nodax/initrd" ] && ok || no "the dry run built files"
sh "$here/run.sh" --dry-run >/dev/null 2>&1; [ $? -eq 2 ] && ok || no "no --bdf accepted"
sh "$here/run.sh" --bdf 0000:65:00.0 --dry-run --jobs nosuch >/dev/null 2>&1; [ $? -eq 2 ] && ok || no "unknown job accepted"
sh "$here/run.sh" --bdf 0000:65:00.0 --dry-run --modes fast >/dev/null 2>&1; [ $? -eq 2 ] && ok || no "unknown mode accepted"
sh "$here/bind.sh" --dry-run 65:00.0 >/dev/null 2>&1; [ $? -eq 2 ] && ok || no "short BDF accepted by bind.sh"
sh "$here/run.sh" --bdf 0000:65:00.0 --dry-run --size 1T >/dev/null 2>&1; [ $? -eq 2 ] && ok || no "--size 1T accepted"
sh "$here/run.sh" --bdf 0000:65:00.0 --dry-run --size 4M --runtime 10 --numjobs 1 --jobs randread-psync \
	--out "$W/out" 2>&1 | grep -qF "hil: dax: boot timeout 260 s" && ok || no "timeout for one short job"

# caps.py on configuration spaces: the KCU105 layout (the block's PM, MSI-X,
# PCI Express capabilities, then common, notify, ISR with its length DW
# shared, device: tests/board/xpcie_ep_cfg's window) and a card with room
# for the shared-memory capability.
python3 - "$W" <<'PY'
import struct, sys
def space(dax):
    c = bytearray(256)
    struct.pack_into("<HHHH", c, 0, 0x1af4, 0x105a, 0x0006, 0x0010)
    # KCU105: the block's PM (0x80) -> MSI-X (0xB0) -> PCI Express (0xC0) -> 0x40;
    # with room (the bench's second system): PCI Express (0xC0) -> 0x40
    c[0x34] = 0xc0 if dax else 0x80
    if not dax:
        c[0x80:0x82] = bytes([0x01, 0xb0]); c[0xb0:0xb2] = bytes([0x11, 0xc0])
    c[0xc0:0xc2] = bytes([0x10, 0x40])
    def cap(at, nxt, ln, typ, bar, off, length):
        struct.pack_into("<BBBBBBHII", c, at, 9, nxt, ln, typ, bar, 0, 0, off, length)
    cap(0x40, 0x50, 16, 1, 0, 0x0, 0x38)
    cap(0x50, 0x64, 20, 2, 0, 0x1000, 0x1000); struct.pack_into("<I", c, 0x60, 4)
    if dax:
        cap(0x64, 0x74, 16, 3, 0, 0x2000, 4)
        cap(0x74, 0x84, 16, 4, 0, 0x3000, 0x28)
        cap(0x84, 0x00, 24, 8, 2, 0, 1 << 30); struct.pack_into("<II", c, 0x94, 0, 0)
    else:
        struct.pack_into("<BBBBBBHI", c, 0x64, 9, 0x70, 16, 3, 0, 0, 0, 0x2000)
        cap(0x70, 0x00, 16, 4, 0, 0x3000, 0x28)
    return bytes(c)
open(sys.argv[1] + "/kcu105.cfg", "wb").write(space(False))
open(sys.argv[1] + "/dax.cfg", "wb").write(space(True))
open(sys.argv[1] + "/short.cfg", "wb").write(space(True)[:64])
PY
python3 "$here/caps.py" "$W/kcu105.cfg" --need nodax >"$W/caps.out" 2>&1 && ok || no "caps.py nodax on the KCU105 layout: $(cat "$W/caps.out")"
[ "$(grep -c '^virtio' "$W/caps.out")" -eq 4 ] && ok || no "caps.py found $(grep -c '^virtio' "$W/caps.out") capabilities, expected 4"
python3 "$here/caps.py" "$W/kcu105.cfg" --need dax >"$W/caps.out" 2>&1; [ $? -eq 1 ] && grep -q "offers no DAX window" "$W/caps.out" && ok || no "caps.py accepted dax on the KCU105 layout"
python3 "$here/caps.py" "$W/dax.cfg" --need dax >"$W/caps.out" 2>&1 && grep -q "shared-memory at 0x84: bar 2 id 0 offset 0x0 length 0x40000000" "$W/caps.out" && ok || no "caps.py dax on a card with the window: $(cat "$W/caps.out")"
python3 "$here/caps.py" "$W/short.cfg" --need nodax >/dev/null 2>&1; [ $? -eq 2 ] && ok || no "caps.py accepted 64 bytes of configuration space"

# guest.sh on the host: mode nodax with real fio; mode dax with a mount
# that is not DAX, and with files that are not DAX (a stand-in fshelper),
# both must fail every job and report nothing; with both DAX, results.
mkdir -p "$W/mnt" "$W/bin"
gs() {   # mode, mounts file, fshelper status, jobs -> output on stdout, status
	printf 'HIL_MODE=%s\nHIL_SIZE=256k\nHIL_RUNTIME=0\nHIL_NUMJOBS="1 2"\nHIL_JOBS="%s"\n' "$1" "$4" >"$W/hil.env"
	printf '#!/bin/sh\n[ %s -eq 0 ] || echo "fshelper: dax-check $2: not served through DAX" >&2\nexit %s\n' "$3" "$3" >"$W/bin/fshelper"
	chmod +x "$W/bin/fshelper"
	PATH="$W/bin:$PATH" HIL_ENV="$W/hil.env" HIL_MNT="$W/mnt" HIL_MOUNTS="$2" HIL_JOBDIR="$here/jobs" sh "$here/guest.sh"
}
echo "vfpga $W/mnt virtiofs rw,relatime 0 0" >"$W/mounts.plain"
echo "vfpga $W/mnt virtiofs rw,relatime,dax=always 0 0" >"$W/mounts.dax"
gs nodax "$W/mounts.plain" 1 "randread-psync seqwrite-libaio-direct" >"$W/out.log" 2>&1 && ok || no "guest.sh nodax: $(tail -3 "$W/out.log")"
[ "$(grep -c '^@@FIO-END' "$W/out.log")" -eq 4 ] && ok || no "guest.sh nodax: $(grep -c '^@@FIO-END' "$W/out.log") results, expected 4"
gs dax "$W/mounts.plain" 0 "randread-psync" >"$W/dax1.log" 2>&1; st=$?
[ $st -eq 1 ] && grep -q "^@@DAX-NOT-IN-USE" "$W/dax1.log" && ! grep -q "^@@FIO-BEGIN" "$W/dax1.log" && \
	[ "$(grep -c '^@@FIO-FAILED dax randread-psync .*: dax not in use' "$W/dax1.log")" -eq 2 ] && ok || no "guest.sh dax on a plain mount: status $st: $(cat "$W/dax1.log")"
gs dax "$W/mounts.dax" 1 "randread-psync" >"$W/dax2.log" 2>&1; st=$?
[ $st -eq 1 ] && ! grep -q "^@@FIO-BEGIN" "$W/dax2.log" && grep -q "not served through DAX" "$W/dax2.log" && ok || no "guest.sh dax, files not DAX: status $st: $(cat "$W/dax2.log")"
gs dax "$W/mounts.dax" 0 "randread-psync" >"$W/dax3.log" 2>&1 && [ "$(grep -c '^@@FIO-END' "$W/dax3.log")" -eq 2 ] && ok || no "guest.sh dax, all DAX: $(tail -3 "$W/dax3.log")"

# report.py on the real fio output guest.sh printed (mode nodax above)
if python3 "$here/report.py" --title "local fio" --md "$W/r.md" --svg "$W/r.svg" --json "$W/r.json" "$W/out.log"; then
	ok
	[ "$(grep -c '^| randread-psync \|^| seqwrite-libaio-direct ' "$W/r.md")" -eq 4 ] && ok || no "table rows: $(cat "$W/r.md")"
	grep -q '<svg' "$W/r.svg" && [ "$(grep -c '<rect' "$W/r.svg")" -ge 5 ] && ok || no "svg"
	python3 -c "import json,sys; r=json.load(open(sys.argv[1])); sys.exit(0 if len(r)==4 and all(x['bytes']>0 for x in r) else 1)" "$W/r.json" && ok || no "json"
else
	no "report.py failed on fio output"
fi
python3 "$here/report.py" "$W/dry.out" >/dev/null 2>&1; [ $? -eq 1 ] && ok || no "report.py found results in nothing"

# run.sh for real, with stand-ins for bind.sh, sysfs, /dev/kvm and QEMU: the
# stand-in QEMU writes what a guest would (scenario in FAKE_GUEST): all
# results; a failed mount; a guest that stops early; a dax run on a card
# without the shared-memory capability must not boot at all.
mkdir -p "$W/sys/0000:65:00.0" "$W/fake"
cp "$W/kcu105.cfg" "$W/sys/0000:65:00.0/config"
: >"$W/fake/kvm"; : >"$W/fake/vmlinuz"; echo initrd >"$W/fake/initrd"
printf '#!/bin/sh\nexit 0\n' >"$W/fake/bind"
cat >"$W/fake/qemu" <<'SH'
#!/bin/sh
# stand-in QEMU: finds the two -serial files and the run's nonce in the initrd
con= out= initrd=
while [ $# -gt 0 ]; do
	case $1 in
	-serial) case $2 in file:*) if [ -z "$con" ]; then con=${2#file:}; else out=${2#file:}; fi ;; esac; shift 2 ;;
	-initrd) initrd=$2; shift 2 ;;
	*) shift ;;
	esac
done
echo "QEMU-STANDIN $FAKE_GUEST" >>"$FAKE_LOG"
nonce=$(grep -a -o 'hil-[a-z]*-[0-9]*' "$initrd" | head -1)
. "$(dirname "$initrd")/stage/opt/hil.env"
echo "@@GUEST $nonce INIT" >"$con"
if [ "$FAKE_GUEST" = mountfail ]; then echo "@@GUEST $nonce MOUNTFAIL tag=vfpga opts=: No such device" >>"$con"; : >"$out"; exit 0; fi
: >"$out"
n=0
for nj in $HIL_NUMJOBS; do for job in $HIL_JOBS; do
	n=$((n + 1))
	[ "$FAKE_GUEST" = short ] && [ $n -gt 1 ] && exit 0
	echo "@@FIO-BEGIN $HIL_MODE $job $nj" >>"$out"
	echo '{"jobs":[{"read":{"io_bytes":4096,"iops":100,"bw":400,"clat_ns":{"mean":10000}},"write":{"io_bytes":0,"iops":0,"bw":0,"clat_ns":{"mean":0}}}]}' >>"$out"
	echo "@@FIO-END" >>"$out"
done; done
echo "@@GUEST $nonce EXIT 0 umount=ok up=1.0" >>"$con"
SH
chmod +x "$W/fake/bind" "$W/fake/qemu"
hrun() {   # scenario, modes -> status; output in $W/hrun.out
	FAKE_GUEST=$1 FAKE_LOG="$W/fake/log" HIL_BIND="$W/fake/bind" HIL_SYSFS="$W/sys" HIL_KVM="$W/fake/kvm" \
		QEMU="$W/fake/qemu" sh "$here/run.sh" --bdf 0000:65:00.0 --out "$W/hrun" --size 4M --runtime 1 \
		--jobs "randread-psync seqread-libaio-direct" --numjobs "1 4" --modes "$2" \
		--kernel "$W/fake/vmlinuz" --initrd "$W/fake/initrd" >"$W/hrun.out" 2>&1
}
: >"$W/fake/log"
hrun ok nodax && grep -q "^| randread-psync | 4 |" "$W/hrun/results.md" && ok || no "run.sh with a complete guest: $(tail -5 "$W/hrun.out")"
hrun mountfail nodax; st=$?
[ $st -eq 1 ] && grep -q "FAIL: the guest could not mount" "$W/hrun.out" && ok || no "run.sh passed a failed mount (status $st): $(tail -5 "$W/hrun.out")"
hrun short nodax; st=$?
[ $st -eq 1 ] && grep -q "FAIL: the guest did not finish" "$W/hrun.out" && grep -q "FAIL: 1 of 4 job results" "$W/hrun.out" && ok || no "run.sh passed a short run (status $st): $(tail -5 "$W/hrun.out")"
: >"$W/fake/log"
hrun ok dax; st=$?
[ $st -eq 1 ] && grep -q "dax: FAIL: the card does not offer it" "$W/hrun.out" && [ ! -s "$W/fake/log" ] && ok || no "run.sh booted dax on a card without DAX (status $st): $(tail -5 "$W/hrun.out")"
cp "$W/dax.cfg" "$W/sys/0000:65:00.0/config"
hrun ok dax && [ -s "$W/fake/log" ] && ok || no "run.sh dax on a card with the window: $(tail -5 "$W/hrun.out")"

# ssd-check on images prepared as the board README says
mke2fs -q -F -t ext4 "$W/ssd.img" 32M >/dev/null 2>&1 && cp "$W/ssd.img" "$W/ssd.orig" || no "mke2fs"
"$SSDCHECK" "$W/ssd.img" >"$W/sc.out" 2>&1 && grep -q "ext4 the card firmware mounts" "$W/sc.out" && ok || no "ssd-check on mkfs.ext4: $(cat "$W/sc.out")"
cmp -s "$W/ssd.img" "$W/ssd.orig" && ok || no "ssd-check changed the device"
mke2fs -q -F -t ext4 -O inline_data "$W/inl.img" 32M >/dev/null 2>&1
"$SSDCHECK" "$W/inl.img" >"$W/sc.out" 2>&1; [ $? -eq 1 ] && grep -q "would refuse it: unsupported incompatible features: inline_data" "$W/sc.out" && ok || no "ssd-check on inline_data: $(cat "$W/sc.out")"
head -c 16M "$W/ssd.orig" >"$W/short.img"
"$SSDCHECK" "$W/short.img" >"$W/sc.out" 2>&1; [ $? -eq 1 ] && grep -q "larger than the device" "$W/sc.out" && ok || no "ssd-check on a short device: $(cat "$W/sc.out")"
head -c 1M /dev/zero >"$W/zero.img"
"$SSDCHECK" "$W/zero.img" >"$W/sc.out" 2>&1; [ $? -eq 1 ] && grep -q "bad superblock magic" "$W/sc.out" && ok || no "ssd-check on zeros: $(cat "$W/sc.out")"
"$SSDCHECK" >/dev/null 2>&1; [ $? -eq 2 ] && ok || no "ssd-check without a device"
echo "hil runner checks: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
