#!/usr/bin/env python3
"""The KCU105 board flow checked without Vivado.

1. board/kcu105/build.tcl and the stand-in parse as Tcl (tclsh `info complete`).
2. build.tcl runs to its end under tests/board/vivado_standin.tcl, a stand-in
   for Vivado whose catalogue is board/kcu105/ref: every CONFIG.* name it sets
   is in the reference lists (else the script's own check stops it), the
   black boxes' ports have the reference's names and widths, the values the
   design depends on are the ones set (user legacy window, root port on the
   FMC's quad, the DDR4 interface discovered), the capability pointer it
   writes is the window kcu105_ep.sv serves.
3. The same run fails, naming the cause, when a property name, a port width
   or a port name is wrong, and when the board file has no DDR4 interface it
   knows (mutated copies in a scratch directory).
4. Every property kcu105.xdc sets is in ref/xdc_props.txt; every port it
   constrains is a port of kcu105_top; the root port's LOCs are the reference
   design's.
5. Every port the wrappers connect on the IPs exists in the black boxes.

usage: check_flow.py WORKDIR     (run from the repository's top)
exit 0 when every check passes, 1 otherwise, 2 on bad usage.
"""
import os
import re
import shutil
import subprocess
import sys

REF = "board/kcu105/ref"
passed = 0
failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print(f"FAIL {name}" + (f": {detail}" if detail else ""))


def read_list(path):
    names = []
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                names.append(line.split()[0])
    return names


def standin(work, scenario="ok", cwd="."):
    r = subprocess.run(["tclsh", os.path.abspath("tests/board/vivado_standin.tcl"), work, scenario],
                       cwd=cwd, capture_output=True, text=True)
    return r.returncode, r.stdout + r.stderr


def ports_of(path):
    """name -> width of the ports a Verilog/SystemVerilog module declares"""
    ports = {}
    pat = re.compile(r"^\s*(?:input|output|inout)\s+(?:wire\s+)?(?:logic\s+)?(?:\[\s*(\d+)\s*:\s*(\d+)\s*\]\s*)?"
                     r"([A-Za-z_]\w*)", re.M)
    with open(path) as f:
        for m in pat.finditer(f.read()):
            ports[m.group(3)] = abs(int(m.group(1)) - int(m.group(2))) + 1 if m.group(1) else 1
    return ports


def instance_ports(text, module):
    """port names connected on each instance of module in text"""
    out = []
    for m in re.finditer(r"\b" + module + r"\s+(?:#\s*\(.*?\)\s*)?\w+\s*\((.*?)\n\s*\);", text, re.S):
        out.append(re.findall(r"\.(\w+)\s*\(", m.group(1)))
    return out


def main():
    if len(sys.argv) != 2:
        print("usage: check_flow.py WORKDIR", file=sys.stderr)
        return 2
    work = sys.argv[1]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)

    # 1. Tcl syntax
    for tcl in ["board/kcu105/build.tcl", "tests/board/vivado_standin.tcl"]:
        r = subprocess.run(["tclsh"], input=f"set f [open {tcl}]; exit [expr {{![info complete [read $f]]}}]\n",
                           capture_output=True, text=True)
        check(f"{tcl} parses", r.returncode == 0, r.stderr.strip())

    # 2. build.tcl under the stand-in
    rc, out = standin(os.path.join(work, "ok"))
    check("build.tcl runs to its end with the reference catalogue", rc == 0 and "exit 0" in out,
          "\n".join(out.splitlines()[-5:]))
    sets = {}
    for m in re.finditer(r"^set (\S+) (CONFIG\.\S+|PF0_\w+) = (.*)$", out, re.M):
        sets[(m.group(1), m.group(2))] = m.group(3)
    allowed = {"pcie3_ep": read_list(f"{REF}/pcie3_ultrascale_props.txt"),
               "pcie3_rp": read_list(f"{REF}/pcie3_ultrascale_props.txt"),
               "ddr4_c0": read_list(f"{REF}/ddr4_props.txt")}
    nset = 0
    for (ip, prop), _ in sets.items():
        if ip in allowed:
            nset += 1
            check(f"{ip} {prop} is in the reference list", prop[len("CONFIG."):] in allowed[ip])
    check("build.tcl sets IP properties", nset > 60, f"{nset} set")
    want = {
        ("pcie3_ep", "CONFIG.legacy_ext_pcie_cfg_space_enabled"): "true",
        ("pcie3_ep", "CONFIG.cfg_ext_if"): "true",
        ("pcie3_ep", "CONFIG.pcie_blk_locn"): "X0Y0",
        ("pcie3_ep", "CONFIG.PF0_MSIX_CAP_TABLE_OFFSET"): "00004000",
        ("pcie3_ep", "CONFIG.PF0_MSIX_CAP_PBA_OFFSET"): "00005000",
        ("pcie3_rp", "CONFIG.pcie_blk_locn"): "X0Y2",
        ("pcie3_rp", "CONFIG.en_gt_selection"): "true",
        ("pcie3_rp", "CONFIG.select_quad"): "GTH_Quad_228",
        ("pcie3_rp", "CONFIG.ins_loss_profile"): "Chip-to-Chip",
        ("pcie3_rp", "CONFIG.cfg_ext_if"): "false",
        ("pcie3_rp", "CONFIG.cfg_mgmt_if"): "true",
        ("pcie3_rp", "CONFIG.pf0_msix_enabled"): "false",
        ("ddr4_c0", "CONFIG.C0_DDR4_BOARD_INTERFACE"): "ddr4_sdram_062",
    }
    for k, v in want.items():
        check(f"{k[0]} {k[1]} = {v}", sets.get(k) == v, f"got {sets.get(k)}")
    with open("board/kcu105/kcu105_ep.sv") as f:
        ep = f.read()
    wb = re.search(r"\.WIN_BASE\s*\(8'h([0-9a-fA-F]+)\)", ep)
    wd = re.search(r"\.WIN_DWS\s*\((\d+)\)", ep)
    nxt = [v for (ip, p), v in sets.items() if p == "PF0_PCIE_CAP_NEXTPTR"]
    check("the block's last capability points to the window kcu105_ep serves",
          wb is not None and nxt == [f"8'h{wb.group(1)}"], f"{nxt} vs {wb and wb.group(1)}")
    # PG156 v4.4 "Configuration Extend Interface": user legacy registers 0x10-0x1F
    check("the window is PG156's user legacy range (registers 0x10-0x1F)",
          wb is not None and wd is not None and int(wb.group(1), 16) == 0x40 and int(wd.group(1)) == 16)
    check("the flash images are both halves", "kcu105_top_primary.mcs" in out and "kcu105_top_secondary.mcs" in out)
    rc, out = standin(os.path.join(work, "old"), "ddr4_old")
    check("an older board file's ddr4_sdram is found", rc == 0 and "DDR4 board interface ddr4_sdram\n" in out,
          out[-300:])
    rc, out = standin(os.path.join(work, "none"), "no_ddr4")
    check("no DDR4 interface stops the run, naming VFPGA_DDR4_IF", rc == 1 and "VFPGA_DDR4_IF" in out, out[-300:])

    # 3. mutations: each must stop the run with the reason
    def mutated(tag, path, old, new, expect):
        root = os.path.join(work, "m_" + tag)
        os.makedirs(root)
        shutil.copytree("board", os.path.join(root, "board"))
        p = os.path.join(root, path)
        with open(p) as f:
            text = f.read()
        check(f"mutation {tag} applies", old in text)
        with open(p, "w") as f:
            f.write(text.replace(old, new, 1))
        rc, out = standin(os.path.join(root, "w"), "ok", cwd=root)
        check(f"mutation {tag} stops build.tcl", rc == 1 and expect in out, "\n".join(out.splitlines()[-3:]))
    mutated("property", "board/kcu105/build.tcl", "  ins_loss_profile", "  ins_loss_profiles",
            "has no option ins_loss_profiles")
    mutated("width", "board/kcu105/ip/pcie3_ep.sv", "output logic [15:0] cfg_function_status",
            "output logic [7:0] cfg_function_status", "port cfg_function_status is 16 bits")
    mutated("port", "board/kcu105/ip/pcie3_rp.sv", "output logic cfg_hot_reset_out",
            "output logic cfg_hot_reset_out,\n  input  wire logic cfg_ext_read_data_valid_x", "has no port")

    # 4. constraints
    with open("board/kcu105/kcu105.xdc") as f:
        xdc = f.read()
    xdc_code = "\n".join(l.split("#", 1)[0] if not l.lstrip().startswith("#") else "" for l in xdc.splitlines())
    xprops = read_list(f"{REF}/xdc_props.txt")
    used = set(re.findall(r"set_property\s+(?!-dict)([A-Z_.0-9]+)", xdc_code))
    for d in re.findall(r"set_property\s+-dict\s+\{([^}]*)\}", xdc_code):
        toks = d.split()
        used.update(toks[0::2])
    for p in sorted(used):
        check(f"kcu105.xdc property {p} is in the reference list", p in xprops)
    top_ports = ports_of("board/kcu105/kcu105_top.sv")
    for p in sorted(set(re.findall(r"get_ports\s+\{?([A-Za-z_]\w*)", xdc_code))):
        check(f"kcu105.xdc port {p} is a port of kcu105_top", p in top_ports)
    for lane in range(4):
        check(f"root-port lane {lane} on GTHE3_CHANNEL_X0Y{16 + lane} (kcu105_hpc.xdc)",
              re.search(rf"GTHE3_CHANNEL_X0Y{16 + lane} .*u_rp.*channel_inst\\\[{lane}\\\]", xdc_code) is not None)
    check("root-port block on PCIE_3_1_X0Y2", re.search(r"LOC PCIE_3_1_X0Y2 .*u_rp", xdc_code) is not None)
    check("SSD PERST# on H11 (LA00_CC_P)", re.search(r"PACKAGE_PIN H11 .*ssd_perst_n", xdc_code) is not None)
    check("configuration mode SPIx8 with an 8-bit SPI bus",
          "CONFIG_MODE SPIx8" in xdc_code and "SPI_BUSWIDTH 8" in xdc_code)

    # 5. wrappers vs black boxes
    src = ""
    for f in sorted(os.listdir("board/kcu105")):
        if f.endswith(".sv"):
            with open(os.path.join("board/kcu105", f)) as fh:
                src += fh.read()
    for ip in ["pcie3_ep", "pcie3_rp", "ddr4_c0"]:
        stub = ports_of(f"board/kcu105/ip/{ip}.sv")
        insts = instance_ports(src, ip)
        check(f"{ip} is instantiated once", len(insts) == 1, f"{len(insts)} instances")
        for names in insts:
            for n in names:
                check(f"{ip}.{n} exists in the black box", n in stub)
            check(f"every port of the {ip} black box is connected", set(stub) == set(names),
                  f"unconnected: {sorted(set(stub) - set(names))}")

    print(f"board flow: {passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
