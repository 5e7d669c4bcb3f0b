#!/usr/bin/env python3
"""The cost of an access through vfpga-sim --cosim (make bench-cosim-proto)
as the README's markdown table: round trips measured by proto_test (QEMU's
side of the protocol) and the simulator's own count of cycles and wall time
per access inside the model.

    cosim_md.py BENCH.log
"""
import re
import sys

text = open(sys.argv[1]).read()
trips = re.findall(r"bench: (.+?) round trip ([\d.]+) us", text)
model = re.findall(r"cosim: (config reads|config writes|BAR reads|BAR writes)\s+(\d+),\s+([\d.]+) cycles and\s+([\d.]+) us each in the model", text)
if not trips or not model:
    sys.exit("cosim_md.py: no figures in " + sys.argv[1])
print("## An access through `-device vfpga-pci` (make bench-cosim-proto)\n")
print("`make bench-cosim-proto`: `proto_test` plays QEMU's side of the co-simulation socket against "
      "`vfpga-sim --cosim` (card firmware, no SSD); round trips on the socket as the guest would see "
      "them, and per access the simulated cycles and the wall time spent in the model.\n")
print("| access | round trip µs |")
print("|---|---:|")
for what, us in trips:
    print(f"| {what} | {float(us):.1f} |")
print("\n| kind | accesses | cycles each | µs each in the model |")
print("|---|---:|---:|---:|")
for kind, n, cyc, us in model:
    print(f"| {kind} | {n} | {float(cyc):.1f} | {float(us):.1f} |")
