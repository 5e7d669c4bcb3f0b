#!/usr/bin/env python3
"""The READ fast path seen from a stock guest (make bench-fast-guest through
the vhost-user bridge, make bench-fast-cosim through -device vfpga-pci): from
the --stats JSON of each fio run, READs, fast-path hits and the device's
service time per READ (notify write to used-ring entry), as the README's
markdown table.

    fast_guest_md.py SSD_PROFILE PSYNC.json LIBAIO.json [bridge|cosim]
"""
import json
import sys

profile = sys.argv[1]
frontend = sys.argv[4] if len(sys.argv) > 4 else "bridge"
if frontend not in ("bridge", "cosim"):
    sys.exit(f"fast_guest_md.py: front end '{frontend}': bridge or cosim")
# what each front end is, and how it holds the guest back for the turnaround
FRONTENDS = {
    "bridge": ("make bench-fast-guest",
               "through the vhost-user bridge into the RTL card (`vfpga-sim --socket`",
               "The bridge shows the card what the guest publishes (the avail index, through a "
               "shadow, and the kick)"),
    "cosim": ("make bench-fast-cosim",
              "through the card's own PCI function (QEMU's `-device vfpga-pci`, every "
              "configuration and BAR access and the card's DMA over the co-simulation socket "
              "into the RTL: `vfpga-sim --cosim`",
              "The co-simulation shows the card what the guest publishes (the avail index, "
              "through a shadow) and lets the guest's notify write and every access after it "
              "reach the card"),
}
target, path, hold = FRONTENDS[frontend]
runs = [("psync", "psync, iodepth 1", sys.argv[2]), ("libaio", "libaio, iodepth 16", sys.argv[3])]
stats = [(label, json.load(open(path))) for _, label, path in runs]
turn = sorted({s["host_turnaround_ns"] for _, s in stats})
mhz = stats[0][1].get("clock_mhz", 250)


def most_outstanding(s):
    return max((q["occupancy_max"] for n, q in s["queues"].items() if n != "0"), default=0)


serial = all(most_outstanding(s) <= 1 for _, s in stats)


def us(cycles):
    return f"{cycles / mhz:.2f}"


print(f"## The READ fast path from a stock guest ({target})\n")
print(f"`{target}`: fio 4 KiB random reads, O_DIRECT, from a Debian 6.1 guest "
      f"{path}, ext4 on a fresh "
      f"128 MiB image, SSD profile `{profile}`), reads drawn with replacement "
      "(`norandommap`, one open) over a 256 KiB file just written (so in the card's page cache) "
      "for 8 s of the guest's clock (`time_based`: the count is what the guest managed), a fresh "
      f"card per job. {hold} no sooner than the host "
      f"turnaround ({', '.join(str(t) for t in turn)} ns of simulated time) after the last "
      "completion the guest saw. Hits: READs the RTL fast path answered while the firmware "
      "slept; the first READ of each page is the firmware's (it installs the page's tag). "
      f"Service time: notify write to used-ring entry, in cycles and µs at {mhz} MHz. Most "
      "outstanding: the most requests the guest had in the request queues at once"
      + ("; one here even at iodepth 16: the guest's kernel sent its O_DIRECT reads one at a time "
         "(no FUSE_ASYNC_DIO agreed at INIT)." if serial else
         ": the card's FUSE server agrees FUSE_ASYNC_DIO at INIT, so at iodepth 16 the guest's kernel "
         "sends its O_DIRECT reads together, and READs waiting in the ring when the firmware is done "
         "with one go to the fast path first (FAST.KICK). The READ mean then includes each READ's "
         "wait behind those before it; hits and the firmware's READs are told apart only where one "
         "look at the used rings saw only one kind (the rest: not split).") + "\n")
print("| fio job | most outstanding | READs | fast-path hits | hit ratio | READ mean | hits' mean | "
      "firmware's READs' mean |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
for label, s in stats:
    f, r = s["fast"], s["read_service"]
    read = s["by_opcode"].get("READ", {"count": 0, "cycles_mean": 0})
    split = "" if not r["unsplit"] else f' ({r["unsplit"]} not split)'
    print(f'| {label} | {most_outstanding(s)} | {f["reads"]} | {f["hits"]} | {f["read_hit_ratio"] * 100:.1f} % | '
          f'{read["cycles_mean"]:,} cycles ({us(read["cycles_mean"])} µs) | '
          f'{r["hit_cycles_mean"]:,.0f} ({us(r["hit_cycles_mean"])} µs), {r["hits"]} READs | '
          f'{r["miss_cycles_mean"]:,.0f} ({us(r["miss_cycles_mean"])} µs), {r["misses"]} READs{split} |')
print()
print("After each reply of its own the firmware was back asleep with the fast path armed ("
      + "; ".join(f'{label}: {s["host"]["settle_cycles_mean"]:.0f} cycles on average '
                  f'(max {s["host"]["settle_cycles_max"]:,}, {s["host"]["awake_notifies"]} notifies '
                  f'found it awake)' for label, s in stats) + ").\n")
