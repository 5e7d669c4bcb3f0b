#!/usr/bin/env python3
"""Generate the SoC memory map views from rtl/soc_map.toml.

usage: gen_soc_map.py MAP.toml OUTDIR
Writes OUTDIR/soc_map_pkg.sv, soc_map.h, soc_map.ld and soc_map.md.
Every consumer (RTL, firmware, simulator, README) uses these, so they cannot
drift apart.
"""
import os
import sys
import tomllib


def fail(msg):
    sys.stderr.write("gen_soc_map: %s\n" % msg)
    sys.exit(1)


def load(path):
    with open(path, "rb") as f:
        m = tomllib.load(f)
    regions = m.get("region", [])
    if not regions:
        fail("no [[region]] entries")
    seen = []
    for r in regions:
        for key in ("name", "base", "size", "access", "desc"):
            if key not in r:
                fail("region %r lacks %s" % (r.get("name"), key))
        size, base = r["size"], r["base"]
        if size & (size - 1) or base % size:
            fail("region %s: size must be a power of two and base aligned to it" % r["name"])
        for o in seen:
            if base < o["base"] + o["size"] and o["base"] < base + size:
                fail("regions %s and %s overlap" % (r["name"], o["name"]))
        seen.append(r)
    names = [r["name"] for r in regions]
    for dev in m.get("registers", {}):
        if dev not in names:
            fail("registers for unknown region %s" % dev)
    return m


def gen_sv(m):
    out = ["// Generated from rtl/soc_map.toml by tools/gen_soc_map.py. Do not edit.",
           "package soc_map_pkg;"]
    out.append("  localparam logic [31:0] RESET_VECTOR = 32'h%08x;" % m["cpu"]["reset_vector"])
    out.append("  localparam logic [31:0] HART_ID = 32'd%d;" % m["cpu"]["hart_id"])
    for r in m["region"]:
        out.append("  localparam logic [31:0] %s_BASE = 32'h%08x;" % (r["name"], r["base"]))
        out.append("  localparam logic [31:0] %s_SIZE = 32'h%08x;" % (r["name"], r["size"]))
        out.append("  localparam int %s_AW = %d;  // byte-address bits inside the region"
                   % (r["name"], r["size"].bit_length() - 1))
    for dev, regs in m.get("registers", {}).items():
        for reg, off in regs.items():
            w = 12 if off < 0x1000 else 16
            out.append("  localparam logic [%d:0] %s_%s = %d'h%0*x;" % (w - 1, dev, reg, w, w // 4, off))
    out.append("endpackage")
    return "\n".join(out) + "\n"


def gen_h(m):
    out = ["/* Generated from rtl/soc_map.toml by tools/gen_soc_map.py. Do not edit. */",
           "#ifndef SOC_MAP_H", "#define SOC_MAP_H", ""]
    out.append("#define SOC_RESET_VECTOR 0x%08xu" % m["cpu"]["reset_vector"])
    out.append("#define SOC_HART_ID %du" % m["cpu"]["hart_id"])
    for r in m["region"]:
        out.append("#define SOC_%s_BASE 0x%08xu" % (r["name"], r["base"]))
        out.append("#define SOC_%s_SIZE 0x%08xu" % (r["name"], r["size"]))
    for dev, regs in m.get("registers", {}).items():
        for reg, off in regs.items():
            out.append("#define SOC_%s_%s 0x%03xu" % (dev, reg, off))
    out += ["", "#endif /* SOC_MAP_H */"]
    return "\n".join(out) + "\n"


def gen_ld(m):
    out = ["/* Generated from rtl/soc_map.toml by tools/gen_soc_map.py. Do not edit. */",
           "MEMORY", "{"]
    for r in m["region"]:
        if "x" in r["access"] or r["name"].endswith("TCM") or r.get("link"):
            out.append("  %s (%s) : ORIGIN = 0x%08x, LENGTH = 0x%08x"
                       % (r["name"], r["access"], r["base"], r["size"]))
    out.append("}")
    for r in m["region"]:
        out.append("PROVIDE(__soc_%s_base = 0x%08x);" % (r["name"].lower(), r["base"]))
    return "\n".join(out) + "\n"


def gen_md(m):
    out = ["| Region | Base | Size | Access | Use |", "|---|---|---|---|---|"]
    for r in sorted(m["region"], key=lambda r: r["base"]):
        size = r["size"]
        size_s = "%d KiB" % (size // 1024) if size < (1 << 20) else "%d MiB" % (size >> 20)
        out.append("| %s | `0x%08x` | %s | %s | %s |"
                   % (r["name"], r["base"], size_s, r["access"], r["desc"]))
    out.append("")
    out.append("Reset vector: `0x%08x`. Registers (offsets from the region base):"
               % m["cpu"]["reset_vector"])
    out.append("")
    out.append("| Register | Address |")
    out.append("|---|---|")
    bases = {r["name"]: r["base"] for r in m["region"]}
    for dev, regs in m.get("registers", {}).items():
        for reg, off in regs.items():
            out.append("| %s.%s | `0x%08x` |" % (dev, reg, bases[dev] + off))
    return "\n".join(out) + "\n"


def main():
    if len(sys.argv) != 3:
        fail("usage: gen_soc_map.py MAP.toml OUTDIR")
    m = load(sys.argv[1])
    os.makedirs(sys.argv[2], exist_ok=True)
    for name, text in (("soc_map_pkg.sv", gen_sv(m)), ("soc_map.h", gen_h(m)),
                       ("soc_map.ld", gen_ld(m)), ("soc_map.md", gen_md(m))):
        path = os.path.join(sys.argv[2], name)
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, path)


if __name__ == "__main__":
    main()
