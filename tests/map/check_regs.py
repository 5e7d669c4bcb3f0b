#!/usr/bin/env python3
"""The toml, the SV package and the C header agree.

usage: check_regs.py MAP.toml GENDIR WORKDIR CC YOSYS [TARGET_CC...]

Every register offset, stride, count and reset, every field's position, width, mask
and reset, and every code of every enum is computed here from the toml, then
  - checked against the C compiler's view of GENDIR/soc_map.h (_Static_assert
    for the host compiler, and for TARGET_CC when given: the firmware's), and
    every soc_<enum>_str() string against the toml's, run on the host;
  - checked against Yosys's elaboration of GENDIR/soc_map_pkg.sv: a module
    drives one output per constant, and the constants Yosys found are read
    back from its JSON netlist.
A name the toml implies but a view lacks fails the compile or the
elaboration; a value that differs fails the check.
"""
import json
import os
import subprocess
import sys
import tomllib


def fail(msg):
    sys.stderr.write("check_regs: %s\n" % msg)
    sys.exit(1)


def expected(path):
    """(sv_name, c_name, width, value) for every constant the toml defines."""
    with open(path, "rb") as f:
        m = tomllib.load(f)
    out = []

    def add(name, c_name, width, value):
        out.append((name, c_name, width, value))

    add("RESET_VECTOR", "SOC_RESET_VECTOR", 32, m["cpu"]["reset_vector"])
    for r in m["region"]:
        add(r["name"] + "_BASE", "SOC_%s_BASE" % r["name"], 32, r["base"])
        add(r["name"] + "_SIZE", "SOC_%s_SIZE" % r["name"], 32, r["size"])
    for dev, regs in m.get("registers", {}).items():
        for reg, r in regs.items():
            if isinstance(r, int):
                r = {"offset": r}
            n = "%s_%s" % (dev, reg)
            add(n, "SOC_" + n, 12 if r["offset"] < 0x1000 else 16, r["offset"])
            if "stride" in r:
                add(n + "_STRIDE", "SOC_%s_STRIDE" % n, 32, r["stride"])
            if "count" in r:
                add(n + "_COUNT", "SOC_%s_COUNT" % n, 32, r["count"])
            if "reset" in r:
                add(n + "_RESET", "SOC_%s_RESET" % n, 32, r["reset"])
            for f in r.get("fields", []):
                bits = [int(b) for b in str(f["bits"]).split(":")]
                msb, lsb = bits[0], bits[-1]
                w = msb - lsb + 1
                fn = "%s_%s" % (n, f["name"])
                add(fn + "_LSB", "SOC_%s_SHIFT" % fn, 32, lsb)
                add(fn + "_W", "SOC_%s_WIDTH" % fn, 32, w)
                add(fn + "_MASK", "SOC_%s_MASK" % fn, 32, ((1 << w) - 1) << lsb)
                reset = f.get("reset")
                if reset is None and "reset" in r:
                    reset = (r["reset"] >> lsb) & ((1 << w) - 1)
                if reset is not None:
                    add(fn + "_RESET", "SOC_%s_RESET" % fn, w, reset)
    strings = []
    for name, e in m.get("enums", {}).items():
        add(name + "_W", "SOC_%s_WIDTH" % name, 32, e["width"])
        for v in e["values"]:
            add("%s_%s" % (name, v["name"]), "SOC_%s_%s" % (name, v["name"]), e["width"], v["value"])
            strings.append((name.lower(), v["value"], v["desc"]))
        strings.append((name.lower(), max(v["value"] for v in e["values"]) + 1, None))
    return out, strings


def c_str(s):
    return '"%s"' % s.replace("\\", "\\\\").replace('"', '\\"')


def check_c(consts, strings, gendir, work, ccs):
    src = os.path.join(work, "check_regs.c")
    lines = ['#include <stdio.h>', '#include <string.h>', '#include "soc_map.h"', ""]
    for _, c_name, _, value in consts:
        lines.append('_Static_assert(%s == %du, "%s is %d in rtl/soc_map.toml");' % (c_name, value, c_name, value))
    lines += ["", "int main(void)", "{", "\tint bad = 0;", "\tconst char *s;", ""]
    for enum, value, desc in strings:
        lines.append("\ts = soc_%s_str(%du);" % (enum, value))
        if desc is None:
            lines.append('\tif (s) { printf("soc_%s_str(%d): %%s, not NULL\\n", s); bad++; }' % (enum, value))
        else:
            lines.append('\tif (!s || strcmp(s, %s)) { printf("soc_%s_str(%d): %%s\\n", s ? s : "NULL"); bad++; }'
                         % (c_str(desc), enum, value))
    lines += ["\treturn bad != 0;", "}", ""]
    with open(src, "w") as f:
        f.write("\n".join(lines))
    exe = os.path.join(work, "check_regs")
    host = ccs[0]
    cmd = host.split() + ["-std=gnu11", "-Wall", "-Wextra", "-Werror", "-I" + gendir, src, "-o", exe]
    if subprocess.call(cmd):
        fail("the host compiler's view of soc_map.h differs from the toml (above)")
    if subprocess.call([exe]):
        fail("soc_*_str() strings differ from the toml (above)")
    for cc in ccs[1:]:
        cmd = cc.split() + ["-std=gnu11", "-Wall", "-Wextra", "-Werror", "-fsyntax-only", "-I" + gendir, src]
        if subprocess.call(cmd):
            fail("%s's view of soc_map.h differs from the toml (above)" % cc)


def check_sv(consts, gendir, work, yosys):
    sv = os.path.join(work, "check_regs.sv")
    lines = ["`default_nettype none", "module check_regs ("]
    lines.append(",\n".join("  output logic [%d:0] c%d" % (w - 1, i) for i, (_, _, w, _) in enumerate(consts)))
    lines.append(");")
    for i, (name, _, w, _) in enumerate(consts):
        lines.append("  assign c%d = %d'(soc_map_pkg::%s);" % (i, w, name))
    lines.append("endmodule")
    with open(sv, "w") as f:
        f.write("\n".join(lines) + "\n")
    js = os.path.join(work, "check_regs.json")
    log = os.path.join(work, "check_regs.yosys.log")
    script = "read_verilog -sv %s %s; hierarchy -top check_regs; proc; opt_clean; write_json %s" % (
        os.path.join(gendir, "soc_map_pkg.sv"), sv, js)
    if subprocess.call([yosys, "-q", "-l", log, "-p", script], stdout=subprocess.DEVNULL):
        sys.stderr.write(open(log).read()[-3000:])
        fail("yosys does not elaborate soc_map_pkg.sv with every constant the toml implies")
    with open(js) as f:
        mod = json.load(f)["modules"]["check_regs"]
    bad = 0
    for i, (name, _, w, value) in enumerate(consts):
        bits = mod["ports"]["c%d" % i]["bits"]
        if any(b not in ("0", "1") for b in bits):
            sys.stderr.write("check_regs: soc_map_pkg::%s is not a constant for yosys\n" % name)
            bad += 1
            continue
        got = sum(1 << k for k, b in enumerate(bits) if b == "1")
        if got != value:
            sys.stderr.write("check_regs: soc_map_pkg::%s is %d, rtl/soc_map.toml says %d\n" % (name, got, value))
            bad += 1
    if bad:
        fail("%d SV constants differ from the toml" % bad)


def main():
    if len(sys.argv) < 6:
        fail("usage: check_regs.py MAP.toml GENDIR WORKDIR CC YOSYS [TARGET_CC...]")
    path, gendir, work, cc, yosys = sys.argv[1:6]
    os.makedirs(work, exist_ok=True)
    consts, strings = expected(path)
    check_c(consts, strings, gendir, work, [cc] + [c for c in sys.argv[6:] if c.strip()])
    check_sv(consts, gendir, work, yosys)
    print("check_regs: %d constants and %d strings agree in the toml, soc_map.h and soc_map_pkg.sv"
          % (len(consts), len(strings)))
    print("1 passed, 0 failed")


if __name__ == "__main__":
    main()
