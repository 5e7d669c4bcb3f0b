#!/usr/bin/env python3
"""Checks, on the host, what the NVMe cross-check wrote into the image.

usage: check_image.py IMAGE LBA_SIZE
Mirrors tests/nvme/layout.h.
"""
import sys

PATTERN_LBA, PATTERN_NLB = 2048, 256
ZERO_LBA, RANGE_NLB = 4096, 64


def xc_byte(lba, i):
    return (lba * 131 + i * 7 + 0x5A + (i >> 9)) & 0xFF


def main():
    path, bs = sys.argv[1], int(sys.argv[2])
    bad = 0
    with open(path, "rb") as f:
        f.seek(PATTERN_LBA * bs)
        data = f.read(PATTERN_NLB * bs)
        for k in range(PATTERN_NLB):
            blk = data[k * bs:(k + 1) * bs]
            want = bytes(xc_byte(PATTERN_LBA + k, i) for i in range(bs))
            if blk != want:
                bad += 1
        f.seek(ZERO_LBA * bs)
        if f.read(RANGE_NLB * bs) != bytes(RANGE_NLB * bs):
            bad += 1
            print("check_image: write-zeroes range is not zero")
        f.seek((PATTERN_LBA + PATTERN_NLB) * bs)
        if f.read(bs) != bytes(bs):
            bad += 1
            print("check_image: the block after the pattern was touched")
    print("check_image: %d bad blocks or ranges" % bad)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
