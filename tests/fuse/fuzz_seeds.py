#!/usr/bin/env python3
"""Seed inputs for test-fuzz-fuse (tests/fuse/fuzz_dispatch.c).

libFuzzer runs its seed inputs first, smallest first, with the server's state
carried from one to the next. These three make the run take a lock, queue a
conflicting SETLKW behind it and release the lock, so that every run reaches
the deferred-reply code before mutation starts (a run from an empty corpus
reached it only by luck: 0 to 2 deferrals in 300 000 inputs). The fuzzer
mutates them like any other input.

Input layout (see LLVMFuzzerTestOneInput): byte 0 selects the reply room and
the steering (bit 0: header length fixed, bit 1: steered, bit 2: second
handle), the rest is the request: fuse_in_header, then fuse_lk_in. A steered
opcode is an index into steer_ops[]: 1 is SETLK, 2 is SETLKW.

usage: fuzz_seeds.py DIR
"""
import os
import struct
import sys

STEER_SETLK, STEER_SETLKW = 1, 2
F_WRLCK, F_UNLCK = 1, 2


def seed(flags, opcode, unique, owner, start, end, ltype, pad):
    # fuse_in_header: len, opcode, unique, nodeid, uid, gid, pid, total_extlen, padding
    body = struct.pack("<IIQQIIIHH", 0, opcode, unique, 0, 0, 0, 100, 0, 0)
    # fuse_lk_in: fh, owner, fuse_file_lock {start, end, type, pid}, lk_flags, padding
    body += struct.pack("<QQQQIIII", 0, owner, start, end, ltype, 100, 0, 0)
    return bytes([flags]) + body + bytes(pad)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    # Sizes grow so that libFuzzer runs them in this order.
    seeds = {
        "1-setlk-owner-a": seed(0x03, STEER_SETLK, 1, 0xA, 0, 99, F_WRLCK, 0),
        "2-setlkw-owner-b": seed(0x07, STEER_SETLKW, 2, 0xB, 50, 150, F_WRLCK, 8),
        "3-unlock-owner-a": seed(0x03, STEER_SETLK, 3, 0xA, 0, 99, F_UNLCK, 16),
    }
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
