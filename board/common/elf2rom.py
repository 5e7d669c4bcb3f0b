#!/usr/bin/env python3
"""Turns a firmware ELF into the ROM image brd_loader copies into the TCMs.

usage: elf2rom.py ELF SOC_MAP_H OUT.hex [--aw-out FILE]

The image ($readmemh, one 32-bit word per line): the number of segments,
then for each PT_LOAD segment with file contents its base address, its
length in words and the words. Every such segment must lie in the ITCM or
the DTCM (the loader writes only those; .bss is zeroed by the start-up
code). Prints the ROM depth needed as log2 words (also to --aw-out).
"""
import re
import struct
import sys

PT_LOAD = 1


def fail(msg):
    sys.stderr.write("elf2rom: %s\n" % msg)
    sys.exit(2)


def regions(soc_map_h):
    vals = {}
    with open(soc_map_h) as f:
        for line in f:
            m = re.match(r"#define SOC_(ITCM|DTCM)_(BASE|SIZE) (0x[0-9a-fA-F]+)u?", line)
            if m:
                vals[(m.group(1), m.group(2))] = int(m.group(3), 16)
    try:
        return [(vals[(r, "BASE")], vals[(r, "SIZE")]) for r in ("ITCM", "DTCM")]
    except KeyError:
        fail("%s: no ITCM/DTCM definitions" % soc_map_h)


def segments(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF" or data[4] != 1 or data[5] != 1:
        fail("%s: not a little-endian 32-bit ELF" % path)
    phoff, = struct.unpack_from("<I", data, 28)
    phentsize, phnum = struct.unpack_from("<HH", data, 42)
    out = []
    for i in range(phnum):
        p_type, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, _, _ = \
            struct.unpack_from("<8I", data, phoff + i * phentsize)
        if p_type == PT_LOAD and p_filesz:
            out.append((p_paddr, data[p_offset:p_offset + p_filesz]))
    return out


def main(argv):
    if len(argv) not in (4, 6) or (len(argv) == 6 and argv[4] != "--aw-out"):
        fail("usage: elf2rom.py ELF SOC_MAP_H OUT.hex [--aw-out FILE]")
    regs = regions(argv[2])
    segs = segments(argv[1])
    words = [len(segs)]
    for base, blob in segs:
        if base % 4:
            fail("segment at 0x%08x is not word aligned" % base)
        if not any(rb <= base and base + len(blob) <= rb + rs for rb, rs in regs):
            fail("segment at 0x%08x (%d bytes) is outside the TCMs; the board loader "
                 "writes only the ITCM and the DTCM" % (base, len(blob)))
        blob = blob + b"\0" * (-len(blob) % 4)
        n = len(blob) // 4
        words += [base, n] + list(struct.unpack("<%dI" % n, blob))
    aw = max(2, (len(words) - 1).bit_length())
    with open(argv[3], "w") as f:
        for w in words:
            f.write("%08x\n" % w)
    if len(argv) == 6:
        with open(argv[5], "w") as f:
            f.write("%d\n" % aw)
    print("elf2rom: %d segments, %d words, ROM of 2^%d words" % (len(segs), len(words), aw))


if __name__ == "__main__":
    main(sys.argv)
