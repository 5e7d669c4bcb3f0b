#!/usr/bin/env python3
"""Lists the virtio capabilities of a PCI function from its configuration
space, walking the capability list as Linux does (from 0x34, at most 48
entries, each once), and says whether the function offers what a mode needs.

usage: caps.py CONFIG_FILE [--need nodax|dax]

CONFIG_FILE: /sys/bus/pci/devices/BDF/config (read as root: all 256 bytes)
or a copy. Prints one line per virtio capability ("virtio cfg_type N bar B
offset O length L"). With --need dax: exit 1 unless a shared-memory
capability (VIRTIO_PCI_CAP_SHARED_MEMORY_CFG, 8) with id 0 (the virtio-fs
DAX cache) is there; --need nodax: exit 1 unless common, notify, ISR and
device configuration are. Exit 2: bad usage or a file shorter than 256 bytes.
"""
import struct
import sys

CAP_VNDR = 0x09
NAMES = {1: "common", 2: "notify", 3: "isr", 4: "device", 5: "pci-cfg", 8: "shared-memory"}


def virtio_caps(cfg):
    caps = []
    seen = set()
    if not cfg[6] & 0x10:            # status: capabilities list
        return caps
    p = cfg[0x34] & 0xFC
    ttl = 48
    while p and ttl:
        ttl -= 1
        if p < 0x40 or p in seen:
            break
        seen.add(p)
        if cfg[p] == CAP_VNDR and p + 16 <= 256:
            typ, bar, cid = cfg[p + 3], cfg[p + 4], cfg[p + 5]
            off, length = struct.unpack_from("<II", cfg, p + 8)
            if typ == 8 and p + 24 <= 256:
                off_hi, len_hi = struct.unpack_from("<II", cfg, p + 16)
                off |= off_hi << 32
                length |= len_hi << 32
            caps.append({"at": p, "type": typ, "bar": bar, "id": cid, "offset": off, "length": length})
        p = cfg[p + 1] & 0xFC
    return caps


def main():
    args = sys.argv[1:]
    need = None
    if len(args) == 3 and args[1] == "--need" and args[2] in ("nodax", "dax"):
        need = args[2]
        args = args[:1]
    if len(args) != 1:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    with open(args[0], "rb") as f:
        cfg = f.read(256)
    if len(cfg) < 256:
        print(f"caps.py: {args[0]}: {len(cfg)} bytes; the capabilities need all 256 (read it as root)",
              file=sys.stderr)
        return 2
    caps = virtio_caps(cfg)
    for c in caps:
        print(f"virtio {NAMES.get(c['type'], c['type'])} at 0x{c['at']:02x}: bar {c['bar']} id {c['id']} "
              f"offset 0x{c['offset']:x} length 0x{c['length']:x}")
    types = {c["type"] for c in caps}
    if need == "nodax" and not {1, 2, 3, 4} <= types:
        print("caps.py: the function lacks virtio capabilities a driver needs "
              f"(has {sorted(NAMES.get(t, t) for t in types)})", file=sys.stderr)
        return 1
    if need == "dax" and not any(c["type"] == 8 and c["id"] == 0 for c in caps):
        print("caps.py: no shared-memory capability for the virtio-fs DAX cache: the card offers no DAX window",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
