#!/usr/bin/env python3
"""Generate the SoC memory map views from rtl/soc_map.toml.

usage: gen_soc_map.py MAP.toml OUTDIR
Writes OUTDIR/soc_map_pkg.sv, soc_map.h, soc_map.ld, soc_map.md (regions and
register offsets), soc_regs.md (every described register with its fields and
codes) and regs/BLOCK.md (one block's table, the text between the
<!-- regs:BLOCK:begin/end --> markers of docs/*.md).
Every consumer (RTL, firmware, simulator, README, docs) uses these, so they
cannot drift apart.
"""
import os
import re
import sys
import tomllib

ACCESS = {
    "RO": "read only",
    "RW": "read/write",
    "WO": "write only (reads 0)",
    "W1C": "read; writing 1 clears a bit",
    "RC": "read; a read clears it",
}
NAME_RE = re.compile(r"^[A-Z][A-Z0-9_]*$")


def fail(msg):
    sys.stderr.write("gen_soc_map: %s\n" % msg)
    sys.exit(1)


def need(d, keys, what):
    for key in keys:
        if key not in d:
            fail("%s lacks %s" % (what, key))


def parse_bits(bits, what):
    m = re.fullmatch(r"(\d+)(?::(\d+))?", str(bits))
    if not m:
        fail("%s: bits %r is not \"MSB:LSB\" or \"BIT\"" % (what, bits))
    msb = int(m.group(1))
    lsb = int(m.group(2)) if m.group(2) is not None else msb
    if not 0 <= lsb <= msb <= 31:
        fail("%s: bits %r outside 31:0" % (what, bits))
    return msb, lsb


def load_enums(m):
    enums = {}
    for name, e in m.get("enums", {}).items():
        what = "enum %s" % name
        if not NAME_RE.match(name):
            fail("%s: bad name" % what)
        need(e, ("width", "desc", "values"), what)
        w = e["width"]
        if not 1 <= w <= 32:
            fail("%s: width %d outside 1..32" % (what, w))
        names, vals = set(), set()
        for v in e["values"]:
            need(v, ("name", "value", "desc"), "%s value %r" % (what, v.get("name")))
            if not NAME_RE.match(v["name"]):
                fail("%s: bad value name %r" % (what, v["name"]))
            if v["name"] in names or v["value"] in vals:
                fail("%s: %s or its value %d twice" % (what, v["name"], v["value"]))
            if not 0 <= v["value"] < (1 << w):
                fail("%s: %s = %d does not fit %d bits" % (what, v["name"], v["value"], w))
            names.add(v["name"])
            vals.add(v["value"])
        enums[name] = {"name": name, "width": w, "desc": e["desc"],
                       "values": sorted(e["values"], key=lambda v: v["value"]), "users": []}
    return enums


def load_reg(dev, name, r, size, enums):
    what = "register %s.%s" % (dev, name)
    if not NAME_RE.match(name):
        fail("%s: bad name" % what)
    if isinstance(r, int):
        r = {"offset": r}
        plain = True
    else:
        need(r, ("offset", "access", "desc"), what)
        plain = False
        unknown = set(r) - {"offset", "access", "reset", "stride", "count", "desc", "fields"}
        if unknown:
            fail("%s: unknown keys %s" % (what, ", ".join(sorted(unknown))))
        if r["access"] not in ACCESS:
            fail("%s: access %r not one of %s" % (what, r["access"], ", ".join(ACCESS)))
    off = r["offset"]
    if off % 4 or not 0 <= off < size:
        fail("%s: offset 0x%x not a word inside the region" % (what, off))
    reg = {"name": name, "offset": off, "plain": plain, "access": r.get("access"),
           "reset": r.get("reset"), "stride": r.get("stride"), "count": r.get("count"),
           "desc": r.get("desc", ""),
           "fields": []}
    if reg["stride"] is not None and (reg["stride"] <= 0 or reg["stride"] % 4):
        fail("%s: stride must be a positive multiple of 4" % what)
    if reg["count"] is not None:
        if reg["stride"] is None or reg["count"] < 1:
            fail("%s: count needs a stride and must be positive" % what)
        if off + reg["stride"] * (reg["count"] - 1) + 4 > size:
            fail("%s: %d elements do not fit the region" % (what, reg["count"]))
    if reg["reset"] is not None and not 0 <= reg["reset"] < (1 << 32):
        fail("%s: reset does not fit 32 bits" % what)
    used = 0
    for f in r.get("fields", []):
        fwhat = "field %s.%s.%s" % (dev, name, f.get("name"))
        need(f, ("name", "bits", "desc"), fwhat)
        unknown = set(f) - {"name", "bits", "access", "reset", "enum", "desc"}
        if unknown:
            fail("%s: unknown keys %s" % (fwhat, ", ".join(sorted(unknown))))
        if not NAME_RE.match(f["name"]):
            fail("%s: bad name" % fwhat)
        msb, lsb = parse_bits(f["bits"], fwhat)
        width = msb - lsb + 1
        mask = ((1 << width) - 1) << lsb
        if used & mask:
            fail("%s: bits overlap another field" % fwhat)
        used |= mask
        acc = f.get("access", reg["access"])
        if acc not in ACCESS:
            fail("%s: access %r not one of %s" % (fwhat, acc, ", ".join(ACCESS)))
        if f.get("reset") is not None and not 0 <= f["reset"] < (1 << width):
            fail("%s: reset does not fit %d bits" % (fwhat, width))
        if reg["reset"] is not None and f.get("reset") is not None and \
           ((reg["reset"] & mask) >> lsb) != f["reset"]:
            fail("%s: reset disagrees with the register's" % fwhat)
        if f.get("reset") is None and reg["reset"] is not None:
            f = dict(f, reset=(reg["reset"] & mask) >> lsb)
        e = f.get("enum")
        if e is not None:
            if e not in enums:
                fail("%s: unknown enum %s" % (fwhat, e))
            if enums[e]["width"] != width:
                fail("%s: %d bits, enum %s has %d" % (fwhat, width, e, enums[e]["width"]))
            enums[e]["users"].append("%s.%s.%s" % (dev, name, f["name"]))
        if any(x["name"] == f["name"] for x in reg["fields"]):
            fail("%s: twice" % fwhat)
        reg["fields"].append({"name": f["name"], "msb": msb, "lsb": lsb, "width": width,
                              "mask": mask, "access": acc, "reset": f.get("reset"),
                              "enum": e, "desc": f["desc"]})
    reg["fields"].sort(key=lambda f: f["lsb"])
    return reg


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
    sizes = {r["name"]: r["size"] for r in regions}
    enums = load_enums(m)
    blocks = {}
    for dev, regs in m.get("registers", {}).items():
        if dev not in sizes:
            fail("registers for unknown region %s" % dev)
        lst = [load_reg(dev, name, r, sizes[dev], enums) for name, r in regs.items()]
        lst.sort(key=lambda r: r["offset"])
        for a, b in zip(lst, lst[1:]):
            if a["offset"] == b["offset"]:
                fail("registers %s.%s and %s.%s share offset 0x%x"
                     % (dev, a["name"], dev, b["name"], a["offset"]))
        blocks[dev] = lst
    m["blocks"] = blocks
    m["enum_list"] = list(enums.values())
    check_names(m)
    return m


def check_names(m):
    """Every generated SV and C name must be unique."""
    for prefix, names in (("", sv_names(m)), ("SOC_", c_names(m))):
        seen = set()
        for n in names:
            if n in seen:
                fail("generated name %s%s defined twice" % (prefix, n))
            seen.add(n)


def sv_names(m):
    out = ["RESET_VECTOR", "HART_ID"]
    for r in m["region"]:
        out += ["%s_BASE" % r["name"], "%s_SIZE" % r["name"], "%s_AW" % r["name"]]
    for dev, regs in m["blocks"].items():
        for reg in regs:
            out.append("%s_%s" % (dev, reg["name"]))
            if reg["stride"] is not None:
                out.append("%s_%s_STRIDE" % (dev, reg["name"]))
            if reg["count"] is not None:
                out.append("%s_%s_COUNT" % (dev, reg["name"]))
            if reg["reset"] is not None:
                out.append("%s_%s_RESET" % (dev, reg["name"]))
            for f in reg["fields"]:
                base = "%s_%s_%s" % (dev, reg["name"], f["name"])
                out += [base + "_LSB", base + "_W", base + "_MASK", base + "_RESET"]
    for e in m["enum_list"]:
        out.append("%s_W" % e["name"])
        out += ["%s_%s" % (e["name"], v["name"]) for v in e["values"]]
    return out


def c_names(m):
    # The C names are the SV ones with SOC_ in front, _SHIFT/_WIDTH for
    # _LSB/_W, plus one _COUNT per enum.
    out = [re.sub(r"_LSB$", "_SHIFT", re.sub(r"_W$", "_WIDTH", n)) for n in sv_names(m)]
    out += ["%s_COUNT" % e["name"] for e in m["enum_list"]]
    return out


def hexw(v, width):
    return "%d'h%0*x" % (width, (width + 3) // 4, v)


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
    for dev, regs in m["blocks"].items():
        for reg in regs:
            off = reg["offset"]
            w = 12 if off < 0x1000 else 16
            out.append("  localparam logic [%d:0] %s_%s = %d'h%0*x;" % (w - 1, dev, reg["name"], w, w // 4, off))
    # Fields and codes: <BLOCK>_<REG>_<FIELD>_LSB/_W/_MASK(/_RESET), <ENUM>_<CODE>.
    for dev, regs in m["blocks"].items():
        for reg in regs:
            n = "%s_%s" % (dev, reg["name"])
            if reg["stride"] is not None:
                out.append("  localparam int %s_STRIDE = %d;  // bytes between array elements" % (n, reg["stride"]))
            if reg["count"] is not None:
                out.append("  localparam int %s_COUNT = %d;  // array elements" % (n, reg["count"]))
            if reg["reset"] is not None:
                out.append("  localparam logic [31:0] %s_RESET = 32'h%08x;" % (n, reg["reset"]))
            for f in reg["fields"]:
                fn = "%s_%s" % (n, f["name"])
                out.append("  // %s.%s.%s [%s] %s: %s" % (dev, reg["name"], f["name"], bits_s(f), f["access"], f["desc"]))
                out.append("  localparam int %s_LSB = %d;" % (fn, f["lsb"]))
                out.append("  localparam int %s_W = %d;" % (fn, f["width"]))
                out.append("  localparam logic [31:0] %s_MASK = 32'h%08x;" % (fn, f["mask"]))
                if f["reset"] is not None:
                    out.append("  localparam logic [%d:0] %s_RESET = %s;" % (f["width"] - 1, fn, hexw(f["reset"], f["width"])))
    for e in m["enum_list"]:
        w = e["width"]
        out.append("  // %s: %s" % (e["name"], e["desc"]))
        out.append("  localparam int %s_W = %d;" % (e["name"], w))
        for v in e["values"]:
            out.append("  localparam logic [%d:0] %s_%s = %d'd%d;  // %s" % (w - 1, e["name"], v["name"], w, v["value"], v["desc"]))
    out.append("endpackage")
    return "\n".join(out) + "\n"


def c_str(s):
    return '"%s"' % s.replace("\\", "\\\\").replace('"', '\\"')


def gen_h(m):
    out = ["/* Generated from rtl/soc_map.toml by tools/gen_soc_map.py. Do not edit. */",
           "#ifndef SOC_MAP_H", "#define SOC_MAP_H", ""]
    out.append("#define SOC_RESET_VECTOR 0x%08xu" % m["cpu"]["reset_vector"])
    out.append("#define SOC_HART_ID %du" % m["cpu"]["hart_id"])
    for r in m["region"]:
        out.append("#define SOC_%s_BASE 0x%08xu" % (r["name"], r["base"]))
        out.append("#define SOC_%s_SIZE 0x%08xu" % (r["name"], r["size"]))
    for dev, regs in m["blocks"].items():
        for reg in regs:
            out.append("#define SOC_%s_%s 0x%03xu" % (dev, reg["name"], reg["offset"]))
    out += ["",
            "/* Fields: SOC_<BLOCK>_<REG>_<FIELD>_SHIFT/_WIDTH/_MASK(/_RESET); with",
            " * f = SOC_<BLOCK>_<REG>_<FIELD>, SOC_FIELD_GET(f, reg) is the field's value",
            " * and SOC_FIELD_PREP(f, v) places v in it. */",
            "#define SOC_FIELD_GET(f, reg) (((reg) & f##_MASK) >> f##_SHIFT)",
            "#define SOC_FIELD_PREP(f, v) ((((unsigned)(v)) << f##_SHIFT) & f##_MASK)"]
    for dev, regs in m["blocks"].items():
        for reg in regs:
            n = "SOC_%s_%s" % (dev, reg["name"])
            if reg["stride"] is not None:
                out.append("#define %s_STRIDE %du" % (n, reg["stride"]))
            if reg["count"] is not None:
                out.append("#define %s_COUNT %du" % (n, reg["count"]))
            if reg["reset"] is not None:
                out.append("#define %s_RESET 0x%08xu" % (n, reg["reset"]))
            for f in reg["fields"]:
                fn = "%s_%s" % (n, f["name"])
                out.append("/* %s.%s.%s [%s] %s: %s */" % (dev, reg["name"], f["name"], bits_s(f), f["access"], f["desc"]))
                out.append("#define %s_SHIFT %du" % (fn, f["lsb"]))
                out.append("#define %s_WIDTH %du" % (fn, f["width"]))
                out.append("#define %s_MASK 0x%08xu" % (fn, f["mask"]))
                if f["reset"] is not None:
                    out.append("#define %s_RESET 0x%xu" % (fn, f["reset"]))
    if m["enum_list"]:
        out += ["", "#ifndef __ASSEMBLER__",
                "/* Codes: enum soc_<enum> { SOC_<ENUM>_<CODE> }, SOC_<ENUM>_COUNT (one past",
                " * the largest), soc_<enum>_str(code): the code's description, or 0 for",
                " * a code the map does not define. */"]
        for e in m["enum_list"]:
            lname = e["name"].lower()
            out.append("")
            out.append("/* %s%s */" % (e["desc"], "" if not e["users"] else " (%s)" % ", ".join(e["users"])))
            out.append("enum soc_%s {" % lname)
            for v in e["values"]:
                out.append("\tSOC_%s_%s = %d,\t/* %s */" % (e["name"], v["name"], v["value"], v["desc"]))
            out.append("};")
            out.append("#define SOC_%s_WIDTH %du" % (e["name"], e["width"]))
            out.append("#define SOC_%s_COUNT %du" % (e["name"], e["values"][-1]["value"] + 1))
            out.append("static inline const char *soc_%s_str(unsigned code)" % lname)
            out.append("{")
            out.append("\tswitch (code) {")
            for v in e["values"]:
                out.append("\tcase SOC_%s_%s: return %s;" % (e["name"], v["name"], c_str(v["desc"])))
            out.append("\tdefault: return (const char *)0;")
            out.append("\t}")
            out.append("}")
        out += ["#endif /* __ASSEMBLER__ */"]
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
    for dev, regs in m["blocks"].items():
        for reg in regs:
            out.append("| %s.%s | `0x%08x` |" % (dev, reg["name"], bases[dev] + reg["offset"]))
    return "\n".join(out) + "\n"


def bits_s(f):
    return "%d" % f["lsb"] if f["msb"] == f["lsb"] else "%d:%d" % (f["msb"], f["lsb"])


def num_s(v):
    return "-" if v is None else ("%d" % v if v < 10 else "0x%x" % v)


def md_cell(s):
    return s.replace("|", "\\|")


def gen_block_md(m, dev):
    """The register table of one described block, then its fields' codes."""
    bases = {r["name"]: r["base"] for r in m["region"]}
    out = ["Registers of region `%s` (`0x%08x`), generated from `rtl/soc_map.toml`:"
           % (dev, bases[dev]), "",
           "| Offset | Register / field | Bits | Access | Reset | Meaning |",
           "|---|---|---|---|---|---|"]
    enums = []
    for reg in m["blocks"][dev]:
        off = "0x%03x" % reg["offset"] if reg["offset"] < 0x1000 else "0x%04x" % reg["offset"]
        if reg["stride"] is not None:
            off += " + %d·i" % reg["stride"]
            if reg["count"] is not None:
                off += ", i < %d" % reg["count"]
        out.append("| %s | %s | %s | %s | %s | %s |"
                   % (off, reg["name"], "" if reg["fields"] else "31:0", reg["access"] or "",
                      "" if reg["fields"] and reg["reset"] is None else num_s(reg["reset"]),
                      md_cell(reg["desc"])))
        for f in reg["fields"]:
            desc = md_cell(f["desc"])
            if f["enum"]:
                desc += "; codes: `%s`" % f["enum"]
                if f["enum"] not in enums:
                    enums.append(f["enum"])
            out.append("| | .%s | %s | %s | %s | %s |"
                       % (f["name"], bits_s(f), f["access"], num_s(f["reset"]), desc))
    byname = {e["name"]: e for e in m["enum_list"]}
    for name in enums:
        e = byname[name]
        out += ["", "`%s`: %s" % (name, md_cell(e["desc"])), "",
                "| Value | Name | Meaning |", "|---|---|---|"]
        for v in e["values"]:
            out.append("| %d | %s | %s |" % (v["value"], v["name"], md_cell(v["desc"])))
    out += ["", "Access: " + "; ".join("%s %s" % (a, d) for a, d in ACCESS.items()) + "."]
    return "\n".join(out) + "\n"


def described(m):
    return [dev for dev, regs in m["blocks"].items() if any(not r["plain"] for r in regs)]


def gen_regs_md(m):
    out = ["<!-- Generated from rtl/soc_map.toml by tools/gen_soc_map.py. Do not edit. -->",
           "# SoC registers", ""]
    for dev in described(m):
        out += ["## %s" % dev, "", gen_block_md(m, dev)]
    return "\n".join(out)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def main():
    if len(sys.argv) != 3:
        fail("usage: gen_soc_map.py MAP.toml OUTDIR")
    m = load(sys.argv[1])
    outdir = sys.argv[2]
    files = [("soc_map_pkg.sv", gen_sv(m)), ("soc_map.h", gen_h(m)),
             ("soc_map.ld", gen_ld(m)), ("soc_map.md", gen_md(m)),
             ("soc_regs.md", gen_regs_md(m))]
    files += [(os.path.join("regs", dev + ".md"), gen_block_md(m, dev)) for dev in described(m)]
    for name, text in files:
        write(os.path.join(outdir, name), text)


if __name__ == "__main__":
    main()
