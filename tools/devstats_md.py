#!/usr/bin/env python3
"""Device-side figures (JSON from vfpga-sim --socket --stats) as the README's
markdown table: service time per FUSE opcode in cycles and at the nominal
clock, and the simulation speed of the run.

    devstats_md.py STATS.json SSD_PROFILE [WALL_START WALL_END]
"""
import json
import sys

s = json.load(open(sys.argv[1]))
mhz = s.get("clock_mhz", 250)
print("## A stock guest on the RTL card (make demo)\n")
print("`make bench-guest-rtl`: the demo's workload (ls, cat, a write, fio 1 MiB random write "
      "+ verify) from a Debian 6.1 guest through the vhost-user bridge into the RTL; each request "
      "timed from the notify write that told the card about it (or, published without a kick, "
      "from its appearance in the avail ring) to its used-ring entry (card firmware on the "
      f"soft core, ext4 over NVMe into the SSD model with SSD profile `{sys.argv[2]}`)"
      + (f"; the bridge's host turnaround {s['host_turnaround_ns']} ns (what the guest publishes "
         "reaches the card no sooner after the last completion it saw)" if "host_turnaround_ns" in s else "")
      + ".\n")
if len(sys.argv) > 4:
    wall = float(sys.argv[4]) - float(sys.argv[3])
    print(f'Simulated {s["cycles"]:,} cycles ({s["cycles"] / mhz / 1000:.1f} ms at {mhz} MHz) in '
          f'{wall:.0f} s of wall clock for the whole demo (guest boot included): '
          f'{s["cycles"] / wall / 1e6:.2f} M cycles/s. {s["requests"]} requests, '
          f'{s["bytes_to_card"]:,} bytes to the card, {s["bytes_to_host"]:,} to the host.\n')
if s.get("wall_serving_s"):
    busy = s["cycles_serving"] - s.get("cycles_skipped", 0)
    print(f'While it served requests the model ran {s["cycles_serving"]:,} cycles in '
          f'{s["wall_serving_s"]:.1f} s of wall clock: {s["cycles_serving"] / s["wall_serving_s"] / 1e6:.2f} M '
          f'cycles/s, of which {s.get("cycles_skipped", 0):,} idle cycles were skipped '
          f'(the card asleep in WFI, waiting for the SSD); {busy:,} cycles evaluated, '
          f'{busy / s["wall_serving_s"] / 1e6:.2f} M cycles/s.\n')
print("| opcode | requests | mean cycles | mean µs @ 250 MHz | min | max |")
print("|---|---:|---:|---:|---:|---:|")
for name, o in sorted(s["by_opcode"].items(), key=lambda kv: -kv[1]["count"]):
    print(f'| {name} | {o["count"]} | {o["cycles_mean"]:,} | {o["cycles_mean"] / mhz:.1f} | '
          f'{o["cycles_min"]:,} | {o["cycles_max"]:,} |')
if s.get("phases"):
    names = s["phase_names"]
    print("\nWhere the cycles go, per request (means in cycles), from the firmware's phase marks "
          "(SIMCTRL.MARK: notice = notify write to the firmware seeing it, pop, gather = request "
          "into DMABUF, decode, server = FUSE and ext4 work, ssd = NVMe waits, scatter = reply "
          "into host memory, push = used ring):\n")
    print("| opcode | requests | " + " | ".join(names) + " |")
    print("|---|---:|" + "---:|" * len(names))
    for name, o in sorted(s["phases"].items(), key=lambda kv: -kv[1]["count"]):
        print(f'| {name} | {o["count"]} | ' + " | ".join(f"{v:,}" for v in o["mean"]) + " |")
f = s.get("fast")
if f:
    m = f["misses"]
    print("\nThe READ fast path (`rtl/vq/vq_fast.sv`, armed by the firmware while it sleeps): READs "
          "served by the RTL alone, and the requests it handed to the firmware by reason. Not "
          "READ-shaped: every request that is not an 80-byte READ in a usable chain (FAST's "
          "MISS_CHAIN, which checks the length before the opcode, and MISS_OPCODE): other "
          "requests, mostly, not READs the fast path missed.\n")
    print("| READs | hits | hit ratio | hit bytes | READs without a tag | READs too long | not READ-shaped | DMA error |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(f'| {f["reads"]} | {f["hits"]} | {100 * f["read_hit_ratio"]:.1f} % | {f["hit_bytes"]:,} | {m["tag"]} | '
          f'{m["size"]} | {m["opcode"] + m["chain"]} | {m["dma"]} |')
    if "xattr_hits" in f:
        print("\nGETXATTR of `security.capability` (Linux asks before every write): answered ENODATA by the "
              "fast path for nodes the firmware entered in its no-capability table after answering one "
              "itself; handed over for nodes not entered. The GETXATTR row above includes both.\n")
        print("| answered by the fast path | handed to the firmware (node not entered) |")
        print("|---:|---:|")
        print(f'| {f["xattr_hits"]} | {m.get("xattr", 0)} |')
print("\nPlot: `build/bench/guest_rtl.svg`.")
