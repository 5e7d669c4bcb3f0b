#!/bin/sh
# The same stock-guest workload through the two ways a guest reaches the RTL
# card: the vhost-user bridge (vfpga-sim --socket, the guest's own virtio-fs
# device in QEMU) and the card's own PCI function (vfpga-sim --cosim with
# -device vfpga-pci). Each side gets a fresh mke2fs image and the SSD model
# with the same profile; in the guest, N files are created, stat'ed and then
# removed one by one, each phase timed with the guest's clock (which is the
# host's: TCG, no KVM). Writes a markdown table of wall seconds per phase,
# simulated cycles and the cosim/bridge ratio.
#   frontends.sh QEMU_COSIM VFPGA_SIM CARD_ELF WORKDIR N OUT.md
set -u
QEMU=$1 SIM=$2 FW=$3 W=$4 N=$5 OUT=$6
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
PROFILE=${SSD_PROFILE:-nvme-tlc}
rm -rf "$W" && mkdir -p "$W" && W=$(cd "$W" && pwd)
sockdir=$(mktemp -d /tmp/frontends.XXXXXX) || exit 2
trap 'rm -rf "$sockdir"' EXIT
fail=0
bad() { echo "bench-frontends: FAIL: $*" >&2; fail=1; }

# The guest's part: phases between marks, seconds from /proc/uptime.
cat >"$W/storm.sh" <<'EOF'
n=$1 mnt=$2
if [ "$mnt" = mount ]; then
	mount -t virtiofs vfpga /mnt || { echo "mount failed"; exit 1; }
fi
cd /mnt || exit 1
up() { cut -d' ' -f1 /proc/uptime; }
mkdir storm || exit 1
t0=$(up)
i=1; while [ $i -le "$n" ]; do : > storm/f$i || exit 1; i=$((i + 1)); done
t1=$(up)
[ "$(ls storm | wc -l)" -eq "$n" ] || { echo "ls storm: wrong count"; exit 1; }
t2=$(up)
i=1; while [ $i -le "$n" ]; do rm storm/f$i || exit 1; i=$((i + 1)); done
t3=$(up)
rmdir storm || exit 1
echo "phase create $t0 $t1"
echo "phase list $t1 $t2"
echo "phase unlink $t2 $t3"
cd /
[ "$mnt" = mount ] && { umount /mnt || exit 1; }
echo "storm: ok"
EOF

wait_sock() { i=0; while [ ! -S "$1" ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i + 1)); done; }
stop_sim() { # pid
	i=0; while kill -0 "$1" 2>/dev/null && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
	kill "$1" 2>/dev/null
	wait "$1"
}
cycles_of() { sed -n 's/.* \([0-9][0-9]*\) cycles simulated.*/\1/p' "$1" | tail -1; }

# --- the bridge ----------------------------------------------------------------
mke2fs -q -F -t ext4 "$W/bridge.img" 64M || exit 2
"$SIM" --socket "$sockdir/bridge.sock" --image "$W/bridge.img" --ssd-profile "$PROFILE" --firmware "$FW" \
	--console "$W/card-bridge.log" 2>"$W/sim-bridge.log" &
pid=$!
wait_sock "$sockdir/bridge.sock"
"$repo/tools/guest-run" --socket "$sockdir/bridge.sock" --timeout 3000 --log "$W/console-bridge.log" \
	--file "$W/storm.sh:/storm.sh" -- sh /storm.sh "$N" nomount >"$W/bridge.out" 2>&1 || bad "bridge guest: $(tail -3 "$W/bridge.out")"
stop_sim $pid
grep -q "storm: ok" "$W/bridge.out" || bad "bridge: the workload did not finish"
e2fsck -fn "$W/bridge.img" >"$W/e2fsck-bridge.log" 2>&1 || bad "bridge: e2fsck -fn"

# --- the card's own PCI function ---------------------------------------------------
mke2fs -q -F -t ext4 "$W/cosim.img" 64M || exit 2
"$SIM" --cosim "$sockdir/cosim.sock" --image "$W/cosim.img" --ssd-profile "$PROFILE" --firmware "$FW" \
	--console "$W/card-cosim.log" 2>"$W/sim-cosim.log" &
pid=$!
wait_sock "$sockdir/cosim.sock"
VFPGA_QEMU="$QEMU" VFPGA_SOCK="$sockdir/cosim.sock" VFPGA_ERR="$W/qemu-cosim.err" VFPGA_DEVOPTS= \
QEMU="$repo/tools/qemu-vfpga" "$repo/tools/guest-run" --no-mount --timeout 3000 --log "$W/console-cosim.log" \
	--file "$W/storm.sh:/storm.sh" -- sh /storm.sh "$N" mount >"$W/cosim.out" 2>&1 || bad "cosim guest: $(tail -3 "$W/cosim.out")"
stop_sim $pid
grep -q "storm: ok" "$W/cosim.out" || bad "cosim: the workload did not finish"
e2fsck -fn "$W/cosim.img" >"$W/e2fsck-cosim.log" 2>&1 || bad "cosim: e2fsck -fn"

[ $fail -eq 0 ] || exit 1
python3 - "$W" "$N" "$PROFILE" "$(cycles_of "$W/sim-bridge.log")" "$(cycles_of "$W/sim-cosim.log")" >"$OUT" <<'PY' || exit 1
import sys
w, n, profile, cyc_b, cyc_c = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
def phases(f):
    out = {}
    for line in open(f):
        p = line.split()
        if len(p) == 4 and p[0] == "phase":
            out[p[1]] = float(p[3]) - float(p[2])
    return out
b, c = phases(f"{w}/bridge.out"), phases(f"{w}/cosim.out")
print("## The two front ends side by side (make bench-frontends)\n")
print(f"The same stock guest (Debian 6.1, QEMU TCG) creates {n} empty files, lists them and removes them one by one, "
      f"through the vhost-user bridge (`vfpga-sim --socket`) and through the card's own PCI function "
      f"(`vfpga-sim --cosim`, `-device vfpga-pci`), each over a fresh image with SSD profile `{profile}` and "
      "its default host turnaround (5 000 ns: the guest's next request reaches the card no sooner than that, "
      "so the firmware goes back to sleep between requests). "
      "Wall seconds per phase measured by the guest's clock, in one run on the same machine.\n")
print("| phase | bridge s | cosim s | cosim / bridge | bridge ms per file | cosim ms per file |")
print("|---|---:|---:|---:|---:|---:|")
for k in ("create", "list", "unlink"):
    print(f"| {k} | {b[k]:.1f} | {c[k]:.1f} | {c[k] / b[k]:.2f} | {1000 * b[k] / n:.1f} | {1000 * c[k] / n:.1f} |")
print(f"\nSimulated cycles for the whole run (boot, mount and workload): bridge {int(cyc_b):,}, cosim {int(cyc_c):,}.")
PY
cat "$OUT"
