#!/bin/sh
# A stock Debian guest on the RTL card through QEMU's -device vfpga-pci.
#   guest.sh QEMU VFPGA_SIM CARD_ELF WORKDIR
# 1. probe (the card with an SSD image): the guest's PCI enumeration finds
#    1af4:105a; virtio_pci binds; the capability list read from the guest's
#    sysfs config (decoded here as lspci -vv would) holds PCIe, MSI-X and the
#    five virtio capabilities; virtio device 26 appears; mount -t virtiofs
#    gets FUSE_INIT and GETATTR answered by the card. GETATTR must succeed
#    (the card has an SSD image), the file operations in guest_cmd.sh must
#    pass, and e2fsck -fn / debugfs check the image after. 256 random
#    O_DIRECT 4 KiB re-reads of a 256 KiB file: with the default host
#    turnaround (5 us) the card's READ fast path must serve at least 160 of
#    them (of the 192 or so that can hit), quicker than the firmware, and the
#    guest's notifies must find the firmware asleep (19 in 20 at least). Nonsense register writes with the driver unbound,
#    then a rebind: the card comes back. Bad --host-turnaround values exit 2.
# dax: mount -o dax; a file read and one written through the window; fio
#    ioengine=mmap randwrite + verify; e2fsck and debugfs after.
# 2. intx: the same guest with pci=nomsi: interrupts as INTx (INTX messages,
#    pci_set_irq), the mount served, e2fsck clean.
# 3. die: the simulator is killed (SIGKILL) while the guest reads the card's
#    config space: QEMU says so, the guest reads all-ones, nothing hangs.
#    stall: the simulator is stopped (SIGSTOP): accesses time out after the
#    device's timeout and read all-ones.
# Uses the test guest (make guest) and tools/guest-run, with tools/qemu-vfpga
# adding the device. Prints the timings it measured.
set -u
QEMU=$1 SIM=$2 FW=$3 W=$4
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
rm -rf "$W" && mkdir -p "$W"
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "PASS $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
check() { if grep -q -- "$2" "$3"; then ok "$1"; else bad "$1: no '$2' in $3"; fi; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

start_sim() { # name [sim options]
	n=$1; shift
	rm -f "$W/$n.sock"
	"$SIM" --cosim "$W/$n.sock" --firmware "$FW" --console "$W/card-$n.log" "$@" 2>"$W/sim-$n.log" &
	sim_pid=$!
	i=0; while [ ! -S "$W/$n.sock" ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i + 1)); done
}

# guest-run with QEMU plus our device (tools/qemu-vfpga) on the simulator's socket.
qemu_env() { # name [vfpga-pci options]
	export VFPGA_QEMU="$QEMU" VFPGA_SOCK="$W/$1.sock" VFPGA_ERR="$W/qemu-$1.err" VFPGA_DEVOPTS="${2:-}"
}
guest() { # name mode timeout
	QEMU="$repo/tools/qemu-vfpga" "$repo/tools/guest-run" --no-mount --timeout "$3" --log "$W/console-$1.log" \
		--file "$here/guest_cmd.sh:/cosim.sh" -- sh /cosim.sh "$2"
}

# --- --host-turnaround: nanoseconds, 0 to 1 s; anything else exits 2 at once ----
for v in -1 1e3 5us "" 1000000001; do
	"$SIM" --cosim "$W/turn.sock" --firmware "$FW" --host-turnaround "$v" 2>"$W/turn.err"
	rc=$?
	[ $rc -eq 2 ] && grep -q "host-turnaround: '$v' is not a number of nanoseconds" "$W/turn.err" && [ ! -e "$W/turn.sock" ] ||
		bad "--host-turnaround '$v': status $rc, $(cat "$W/turn.err")"
done
[ $fail -eq 0 ] && ok "--host-turnaround: bad values (-1, 1e3, 5us, empty, over 1 s) exit 2 with a message"

# --- 1. probe -------------------------------------------------------------------
# The SSD: a fresh ext4 image with one file.
mkdir -p "$W/files"
echo "Hello from the vfpga card." >"$W/files/hello.txt"
mke2fs -q -F -t ext4 -d "$W/files" "$W/disk.img" 64M || bad "mke2fs"
start_sim probe --image "$W/disk.img" --stats "$W/stats-probe.json"
qemu_env probe
t0=$(now)
guest probe probe 600 >"$W/probe.out" 2>"$W/probe.err"; rc=$?
t1=$(now)
cat "$W/probe.out"
[ $rc -eq 0 ] && ok "guest run (status 0, $(secs "$t0" "$t1") s)" || { bad "guest run: status $rc"; cat "$W/probe.err"; }
i=0; while kill -0 $sim_pid 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
kill $sim_pid 2>/dev/null; wait $sim_pid
check "card enumerated by the guest" "^card: 0000:" "$W/probe.out"
check "virtio_pci bound to it" "driver: virtio-pci" "$W/probe.out"
check "virtio device id 26 (virtio-fs) bound to virtiofs" "device=0x001a vendor=0x1af4 driver=virtiofs" "$W/probe.out"
check "MSI-X vectors allocated" "msi_irqs: [0-9]" "$W/probe.out"
python3 - "$W/probe.out" >"$W/lspci.txt" <<'PY' && ok "capabilities decoded from the guest's config space" || { bad "capability list"; }
import sys
lines = open(sys.argv[1]).read().split("config-begin")[1].split("config-end")[0].split()
cfg = bytes(int(b, 16) for b in lines)
w = lambda o: cfg[o] | cfg[o + 1] << 8
d = lambda o: w(o) | w(o + 2) << 16
print(f"Vendor {w(0):04x} Device {w(2):04x} Rev {cfg[8]:02x} Class {cfg[11]:02x}{cfg[10]:02x}{cfg[9]:02x}")
print(f"Control: {w(4):#06x}  Status: {w(6):#06x}  Interrupt: pin {cfg[0x3d]} line {cfg[0x3c]}")
for i in (0, 2):
    lo, hi = d(0x10 + 4 * i), d(0x14 + 4 * i)
    print(f"Region {i}: Memory at {(hi << 32 | lo) & ~0xf:x} (64-bit, {'prefetchable' if lo & 8 else 'non-prefetchable'})")
at, seen, vtypes = cfg[0x34], [], []
names = {1: "common", 2: "notify", 3: "ISR", 4: "device", 8: "shared memory"}
while at:
    cid = cfg[at]
    if cid == 0x01:
        print(f"Capabilities: [{at:02x}] Power Management version {w(at + 2) & 7}")
    elif cid == 0x10:
        print(f"Capabilities: [{at:02x}] Express Endpoint (type {(w(at + 2) >> 4) & 0xf}), DevCtl {w(at + 8):#06x}")
    elif cid == 0x11:
        ctl, tbl, pba = w(at + 2), d(at + 4), d(at + 8)
        print(f"Capabilities: [{at:02x}] MSI-X: Enable{'+' if ctl & 0x8000 else '-'} Count={(ctl & 0x7ff) + 1} "
              f"Masked{'+' if ctl & 0x4000 else '-'}\n\tVector table: BAR={tbl & 7} offset={tbl & ~7:08x}\n"
              f"\tPBA: BAR={pba & 7} offset={pba & ~7:08x}")
        assert ctl & 0x8000, "MSI-X not enabled by the driver"
    elif cid == 0x09 and cfg[at + 3] == 9:
        # virtio 1.2 vendor data: the card's clock (docs/pcie-function.md)
        vtypes.append(9)
        print(f"Capabilities: [{at:02x}] Vendor Specific Information: VirtIO vendor data: vendor {w(at + 4):04x} "
              f"what {cfg[at + 6]} version {cfg[at + 7]}\n\t\tclock: BAR={cfg[at + 8]} offset={d(at + 12):08x} size={d(at + 16):08x}")
        assert (w(at + 4), cfg[at + 6], cfg[at + 8], d(at + 12)) == (0x1af4, 1, 0, 0x6000), "clock capability"
    elif cid == 0x09:
        t, bar, off, ln = cfg[at + 3], cfg[at + 4], d(at + 8), d(at + 12)
        if t == 8:
            off |= d(at + 16) << 32; ln |= d(at + 20) << 32
        vtypes.append(t)
        print(f"Capabilities: [{at:02x}] Vendor Specific Information: VirtIO: {names.get(t, t)}\n"
              f"\t\tBAR={bar} offset={off:08x} size={ln:08x}" + (f" id={cfg[at + 5]}" if t == 8 else ""))
    else:
        print(f"Capabilities: [{at:02x}] id {cid:#04x}")
    seen.append(cid)
    at = cfg[at + 1] & 0xfc
assert (w(0), w(2)) == (0x1af4, 0x105a), "identity"
assert 0x10 in seen and 0x11 in seen, seen
assert sorted(vtypes) == [1, 2, 3, 4, 8, 9], vtypes
PY
cat "$W/lspci.txt"
# FUSE_INIT completed through the RTL if the first request after it got the
# card's answer (a listing, or the card's error), not a hang or ENOTCONN.
check "mount -t virtiofs: FUSE_INIT and GETATTR answered by the card" "^getattr: \(ok\|failed: .*\(Function not implemented\|I/O error\)\)" "$W/probe.out"
if grep -q "getattr: ok" "$W/probe.out"; then
	# The card serves files: the file operations must pass, twice (before
	# and after the nonsense writes and the rebind), and the image be clean.
	[ "$(grep -c 'fileops: ok' "$W/probe.out")" -eq 2 ] && ok "file operations through the card (twice)" ||
		bad "file operations: $(grep -c 'fileops: ok' "$W/probe.out") of 2 passed"
	if e2fsck -fn "$W/disk.img" >"$W/e2fsck.log" 2>&1; then ok "e2fsck -fn clean after the guest"; else
		bad "e2fsck -fn: $(tail -3 "$W/e2fsck.log")"; fi
	debugfs -R "cat /from-guest.txt" "$W/disk.img" 2>/dev/null | grep -q "written by the guest" &&
		ok "debugfs finds the guest's file in the image" || bad "debugfs: no /from-guest.txt"
else
	# The card runs with an SSD image: it must serve files, so a GETATTR
	# answered with an error is a failure, not a reason to skip the file checks.
	bad "file operations not run: $(grep -m1 -E 'getattr|mount:' "$W/probe.out") (the card with an SSD image must serve files)"
fi
# The READ fast path through -device vfpga-pci: of the 256 random re-reads of
# 64 pages all but the first READ of each page can hit (192 did when this
# was written, the guest's notifies finding the firmware awake 15 times in
# 562; with --host-turnaround 0, 4 hits, the firmware awake at 485 notifies:
# the guest's next READ reached it before it was back asleep).
check "re-reads: fio 256 random O_DIRECT 4 KiB reads of a 256 KiB file" "^reread: ok" "$W/probe.out"
python3 - "$W/stats-probe.json" <<'PY' && ok "READ fast path through -device vfpga-pci: $(cat "$W/fast.txt")" || bad "READ fast path: $(cat "$W/fast.txt")"
import json, sys, os
s = json.load(open(sys.argv[1]))
f, r, h = s["fast"], s["read_service"], s["host"]
msg = (f'{f["hits"]} hits of {f["reads"]} READs ({r["hit_cycles_mean"]:.0f} cycles each, the firmware\'s READs '
       f'{r["miss_cycles_mean"]:.0f}); host turnaround {s["host_turnaround_ns"]} ns, {h["held"]} times entries held for it; '
       f'the firmware back asleep {h["settle_cycles_mean"]:.0f} cycles after a reply (max {h["settle_cycles_max"]}), '
       f'found awake by {h["awake_notifies"]} of {s["notifies"]} notifies')
open(os.path.join(os.path.dirname(sys.argv[1]), "fast.txt"), "w").write(msg)
assert s["host_turnaround_ns"] == 5000, s["host_turnaround_ns"]
assert f["reads"] == s["by_opcode"]["READ"]["count"] and r["hits"] + r["misses"] + r["unsplit"] == f["reads"], (f, r)
assert f["hits"] >= 160 and r["hits"] >= 160, f
assert r["hit_cycles_mean"] < r["miss_cycles_mean"], r
assert h["awake_notifies"] * 20 <= s["notifies"], h
PY
check "rebind after nonsense writes: virtiofs bound again" "^rebind:" "$W/probe.out"
[ "$(grep -c '^getattr: ' "$W/probe.out")" -ge 2 ] && ok "the card answers again after the rebind" ||
	bad "no answer after the rebind"
grep -q "vfpga-pci: BAR0: 32 KiB, 64-bit" "$W/qemu-probe.err" && ok "QEMU found BAR0 32 KiB and BAR2 in the RTL" ||
	bad "QEMU BAR probe: $(cat "$W/qemu-probe.err")"
grep "cosim:" "$W/sim-probe.log" | sed 's/^/  /'
start=$(sed -n 's/.*@@GUEST [0-9a-f]* START up=//p' "$W/console-probe.log" | head -1)
echo "timing: guest run $(secs "$t0" "$t1") s wall (boot to the command: ${start:-?} s guest uptime);" \
	"$(grep -h 'mount took' "$W/probe.out" | tr '\n' ' ')"

# --- DAX: mount -o dax, files through the window (BAR2 via the RTL) -----------
start_sim dax --image "$W/disk.img"
qemu_env dax
t0=$(now)
guest dax dax 600 >"$W/dax.out" 2>"$W/dax.err"; rc=$?
t1=$(now)
i=0; while kill -0 $sim_pid 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
kill $sim_pid 2>/dev/null; wait $sim_pid
cat "$W/dax.out"
[ $rc -eq 0 ] && ok "dax: guest run (status 0, $(secs "$t0" "$t1") s)" || { bad "dax: guest run: status $rc"; cat "$W/dax.err"; }
check "dax: mount -o dax accepted (the kernel uses the shared-memory region)" "^dax: mounted: .*dax" "$W/dax.out"
check "dax: a file read through the window" "^dax: read ok" "$W/dax.out"
check "dax: fio ioengine=mmap randwrite + verify on the DAX mount" "^dax: fio mmap randwrite+verify ok" "$W/dax.out"
check "dax: the mmap-written file verified again with read()" "^dax: fio psync verify" "$W/dax.out"
check "dax: unmounted" "^dax: ok" "$W/dax.out"
# fio's 128 KiB of mmap stores reach the card as BAR2 writes (8 bytes at
# most each), not as FUSE WRITEs: at least 16 384 BAR writes.
grep "cosim:" "$W/sim-dax.log" | sed 's/^/  /'
nw=$(sed -n 's/.*BAR writes *\([0-9]*\),.*/\1/p' "$W/sim-dax.log")
[ "${nw:-0}" -ge 16384 ] && ok "dax: the guest's stores went through BAR2 ($nw BAR writes)" ||
	bad "dax: only ${nw:-0} BAR writes: the window was not used"
if e2fsck -fn "$W/disk.img" >"$W/e2fsck-dax.log" 2>&1; then ok "dax: e2fsck -fn clean"; else
	bad "dax: e2fsck -fn: $(tail -3 "$W/e2fsck-dax.log")"; fi
debugfs -R "cat /dax.txt" "$W/disk.img" 2>/dev/null | grep -q "written through the DAX window" &&
	ok "dax: debugfs finds the file written through the window" || bad "dax: debugfs: no /dax.txt"
[ "$(debugfs -R "stat /fio-mmap" "$W/disk.img" 2>/dev/null | sed -n 's/.*Size: \([0-9]*\).*/\1/p' | head -1)" = 131072 ] &&
	ok "dax: the mmap-written file is 128 KiB in the image" || bad "dax: /fio-mmap size"

# --- 2. INTx: the guest without MSI (pci=nomsi) -------------------------------------
start_sim intx --image "$W/disk.img"
qemu_env intx
QEMU="$repo/tools/qemu-vfpga" "$repo/tools/guest-run" --no-mount --timeout 300 --log "$W/console-intx.log" \
	--append pci=nomsi -- sh -c 'mount -t virtiofs vfpga /mnt && cat /mnt/hello.txt &&
	echo intx >/mnt/intx.txt && sync && grep virtio0 /proc/interrupts; umount /mnt' >"$W/intx.out" 2>&1; rc=$?
i=0; while kill -0 $sim_pid 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
kill $sim_pid 2>/dev/null; wait $sim_pid
cat "$W/intx.out"
[ $rc -eq 0 ] && grep -q "IO-APIC.*virtio0" "$W/intx.out" && grep -q "Hello from the vfpga card" "$W/intx.out" &&
	grep -q " 0 MSI, [1-9][0-9]* INTx changes" "$W/sim-intx.log" &&
	ok "INTx (pci=nomsi): the card's INTx through pci_set_irq serves the mount" ||
	bad "INTx run: status $rc; $(grep 'cycles simulated' "$W/sim-intx.log")"
e2fsck -fn "$W/disk.img" >"$W/e2fsck-intx.log" 2>&1 && ok "e2fsck -fn clean after the INTx run" || bad "e2fsck after INTx"

# --- 3. the simulator dies or stalls -------------------------------------------------
for how in die stall; do
	start_sim $how
	if [ $how = die ]; then qemu_env die; else qemu_env stall ",timeout=3000"; fi
	t0=$(now)
	guest $how die 120 >"$W/$how.out" 2>"$W/$how.err" &
	gpid=$!
	i=0; while ! grep -q ready-to-kill "$W/$how.out" 2>/dev/null && [ $i -lt 3000 ]; do sleep 0.1; i=$((i + 1)); done
	if [ $how = die ]; then kill -KILL $sim_pid; else kill -STOP $sim_pid; fi
	wait $gpid; rc=$?
	t1=$(now)
	[ $how = stall ] && { kill -CONT $sim_pid; kill $sim_pid; }
	wait $sim_pid 2>/dev/null
	cat "$W/$how.out"
	[ $rc -eq 0 ] && ok "$how: the guest read all-ones and finished ($(secs "$t0" "$t1") s)" ||
		{ bad "$how: guest status $rc"; cat "$W/$how.err"; }
	awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a < 90) }' && ok "$how: no hang (under 90 s)" ||
		bad "$how: took $(secs "$t0" "$t1") s"
	if [ $how = die ]; then
		check "die: QEMU reports it" "vfpga-pci: the simulator closed the connection" "$W/qemu-die.err"
	else
		check "stall: QEMU reports the timeout" "did not answer request .* within 3000 ms" "$W/qemu-stall.err"
	fi
	grep -h "vfpga-pci:.*gone" "$W/qemu-$how.err" | head -1 | sed 's/^/  QEMU: /'
done

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
