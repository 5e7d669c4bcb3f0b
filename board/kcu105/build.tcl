# Vivado batch flow for kcu105_top: generates the vendor IP (PCIe endpoint,
# PCIe root port, DDR4 controller), checks every property it sets and every
# port the black boxes (board/kcu105/ip/*.sv) declare against what the
# generated IP really has, then synthesis, the hard block's capability
# pointer, implementation, reports, bitstream and the two flash images.
#
# Nothing here is taken on trust from a guess: each CONFIG.* name is in
# board/kcu105/ref/*_props.txt with the public reference it comes from
# (tests/board/check_flow.py checks that without Vivado), and at run time
# the script asks the IP for the name (list_property) before it sets it and
# reads every value back; a name this Vivado does not know or a value it
# does not keep stops the run with the name, the value and what to do.
#
# usage (mk/board.mk runs it):
#   vivado -mode batch -source board/kcu105/build.tcl \
#     -tclargs OUTDIR ROM_FILE ROM_AW SOURCES_LIST_FILE
# environment (optional):
#   VFPGA_BOARD_PART  board part to use, e.g. xilinx.com:kcu105:part0:1.7
#                     (default: the newest KCU105 board file installed; the
#                     choice is printed and written to OUTDIR/board_part.txt)
#   VFPGA_DDR4_IF     DDR4 board interface (default: discovered, see below)
# OUTDIR gets kcu105_top.bit, kcu105_top_primary.mcs and
# kcu105_top_secondary.mcs (dual quad SPI, one image per flash chip), the
# reports and the IP.

if {[llength $argv] != 4} {
  puts "usage: build.tcl OUTDIR ROM_FILE ROM_AW SOURCES_LIST_FILE"
  exit 2
}
lassign $argv out rom_file rom_aw src_list
set part xcku040-ffva1156-2-e
file mkdir $out
create_project -in_memory -part $part

proc stop {msg} {
  puts "build.tcl: $msg"
  exit 1
}

# ---------------------------------------------------------------- board part
# The board files of the KCU105 (xilinx.com:kcu105:part0:<version>) come
# with Vivado or from the XilinxBoardStore; their versions differ in the
# interface names (the DDR4 one especially), so the part is pinned by
# VFPGA_BOARD_PART or chosen as the newest and reported.
if {[info exists ::env(VFPGA_BOARD_PART)] && $::env(VFPGA_BOARD_PART) ne ""} {
  set board [get_board_parts -quiet $::env(VFPGA_BOARD_PART)]
  if {$board eq ""} {
    stop "VFPGA_BOARD_PART=$::env(VFPGA_BOARD_PART) is not installed; installed KCU105 parts: [get_board_parts -quiet {*kcu105*}]"
  }
} else {
  set board [lindex [get_board_parts -quiet -latest_file_version {*kcu105*}] 0]
}
if {$board eq ""} {
  stop "the KCU105 board files are not installed in this Vivado (Tools > Vivado Store > Boards, or set VFPGA_BOARD_PART)"
}
set_property board_part $board [current_project]
set_property target_language Verilog [current_project]
set f [open $out/board_part.txt w]; puts $f $board; close $f
puts "build.tcl: board part $board"

# The DDR4 board interface: the newer KCU105 board files name the 64-bit
# component memory ddr4_sdram_062 (fpgadeveloper/fpga-drive-aximm-pcie
# Vivado/src/bd/bd_mb.tcl uses it), older ones ddr4_sdram; whichever this
# board file has, or VFPGA_DDR4_IF.
set ifs [get_board_part_interfaces -quiet -of_objects [get_board_parts $board]]
set ddr4_if ""
if {[info exists ::env(VFPGA_DDR4_IF)] && $::env(VFPGA_DDR4_IF) ne ""} {
  set ddr4_if $::env(VFPGA_DDR4_IF)
  if {[lsearch -exact $ifs $ddr4_if] < 0} { stop "VFPGA_DDR4_IF=$ddr4_if is not an interface of $board: $ifs" }
} else {
  foreach cand {ddr4_sdram_062 ddr4_sdram} {
    if {[lsearch -exact $ifs $cand] >= 0} { set ddr4_if $cand; break }
  }
}
if {$ddr4_if eq ""} {
  stop "no DDR4 interface of $board is known here (interfaces: $ifs); set VFPGA_DDR4_IF to the one of the 64-bit component memory"
}
puts "build.tcl: DDR4 board interface $ddr4_if"

# ---------------------------------------------------------------- IP properties
# Sets CONFIG.<name> of an IP from a list of name value pairs: every name
# must exist on the IP (else the run stops, listing all unknown names and
# how to see the ones this version has), and every value must read back as
# set (an option the IP overrides from another stops the run too).
proc set_ip_props {ip pairs} {
  set obj [get_ips $ip]
  set known [list_property $obj]
  set missing {}
  foreach {name value} $pairs {
    if {[lsearch -exact -nocase $known CONFIG.$name] < 0} { lappend missing $name }
  }
  if {[llength $missing]} {
    stop "$ip ([get_property IPDEF $obj]) has no option [join $missing {, }]; list what it has with\n  report_property \[get_ips $ip\] CONFIG.*\nand correct board/kcu105/build.tcl and board/kcu105/ref/*_props.txt"
  }
  set dict {}
  foreach {name value} $pairs { lappend dict CONFIG.$name $value }
  set_property -dict $dict $obj
  set wrong {}
  foreach {name value} $pairs {
    set got [get_property CONFIG.$name $obj]
    if {![string equal -nocase $got $value]} { lappend wrong "$name = $got (set $value)" }
  }
  if {[llength $wrong]} {
    stop "$ip did not keep: [join $wrong {; }]"
  }
}

# ---------------------------------------------------------------- host endpoint
# Gen3 x8, 256-bit at 250 MHz on PCIE_3_1_X0Y0, the block the edge
# connector's lanes reach (UG917; PG156 "Core Pinout"/block locations). The
# card's identity and BARs as docs/pcie-function.md gives them; MSI-X
# table and PBA in BAR 0 (the core implements both); client tags (the
# core's DMA and queue engines own their tags); no straddling on RC (the
# adapters take one TLP a beat). Option names: board/kcu105/ref/
# pcie3_ultrascale_props.txt ([C1] corundum DNPCIe_40G_KU_LL_2QSFP and
# [C2] ExaNIC_X10 pcie3_ultrascale_0.tcl for most of them).
create_ip -name pcie3_ultrascale -vendor xilinx.com -library ip -module_name pcie3_ep -dir $out/ip
set_ip_props pcie3_ep {
  mode_selection                      Advanced
  pcie_blk_locn                       X0Y0
  PL_LINK_CAP_MAX_LINK_WIDTH          X8
  PL_LINK_CAP_MAX_LINK_SPEED          8.0_GT/s
  axisten_if_width                    256_bit
  axisten_freq                        250
  AXISTEN_IF_RC_STRADDLE              false
  axisten_if_enable_client_tag        true
  extended_tag_field                  true
  vendor_id                           1AF4
  PF0_DEVICE_ID                       105A
  PF0_REVISION_ID                     01
  PF0_SUBSYSTEM_VENDOR_ID             1AF4
  PF0_SUBSYSTEM_ID                    0040
  PF0_Use_Class_Code_Lookup_Assistant false
  pf0_class_code_base                 01
  pf0_class_code_sub                  80
  pf0_class_code_interface            00
  pf0_dev_cap_max_payload             256_bytes
  pf0_bar0_enabled                    true
  pf0_bar0_type                       Memory
  pf0_bar0_64bit                      true
  pf0_bar0_prefetchable               false
  pf0_bar0_scale                      Kilobytes
  pf0_bar0_size                       32
  pf0_bar2_enabled                    true
  pf0_bar2_type                       Memory
  pf0_bar2_64bit                      true
  pf0_bar2_prefetchable               true
  pf0_bar2_scale                      Gigabytes
  pf0_bar2_size                       1
  pf0_msi_enabled                     false
  pf0_msix_enabled                    true
  PF0_MSIX_CAP_TABLE_SIZE             007
  PF0_MSIX_CAP_TABLE_BIR              BAR_1:0
  PF0_MSIX_CAP_TABLE_OFFSET           00004000
  PF0_MSIX_CAP_PBA_BIR                BAR_1:0
  PF0_MSIX_CAP_PBA_OFFSET             00005000
  PF0_INTERRUPT_PIN                   INTA
  cfg_ext_if                          true
  cfg_mgmt_if                         false
  cfg_status_if                       true
  cfg_ctl_if                          true
}
# The user legacy configuration space: PG156 v4.4, "User Defined
# Configuration Capabilities" (Advanced mode) enables it; the block then
# forwards configuration accesses to register numbers 0x10-0x1F (bytes
# 0x40-0x7F) on the configuration-extend interface ("Configuration Extend
# Interface", cfg_ext_read_received), where xpcie_ep_cfg serves the virtio
# capabilities. The option name is the one of the UltraScale family's PCIe
# IPs ([C5]); set_ip_props stops if this version calls it otherwise.
set_ip_props pcie3_ep {
  legacy_ext_pcie_cfg_space_enabled   true
}

# ---------------------------------------------------------------- SSD root port
# Gen3 x4 on PCIE_3_1_X0Y2 with GTH quad 228, where the FPGA Drive FMC's
# first M.2 slot (HPC DP0-3) lands: fpgadeveloper/fpga-drive-aximm-pcie
# Vivado/src/bd/gt_locs.tcl (kcu105_hpc 0: GTH_Quad_228, X0Y2) and
# Vivado/src/constraints/kcu105_hpc.xdc (GTHE3_CHANNEL_X0Y16-19,
# PCIE_3_1_X0Y2; the same LOCs are in kcu105.xdc). GT settings as that
# reference design's root port (Vivado/src/bd/bd_mb.tcl, KCU105): the
# Chip-to-Chip loss profile (short traces to the SSD; the only profile
# without DFE), QPLL1, PERST# active low and not the dedicated PERST# pin
# (the root port's reset comes from the fabric: kcu105_top holds it with the
# SSD's PERST# on H11), slot clock configuration (common reference clock
# from the FMC). Interfaces: configuration management (a root port sets up
# its own Type 1 header through it, PG156 "Configuration Management
# Interface"), status and control; no configuration-extend interface, no
# MSI or MSI-X of its own (the SSD's MSI-X writes arrive on CQ).
create_ip -name pcie3_ultrascale -vendor xilinx.com -library ip -module_name pcie3_rp -dir $out/ip
set_ip_props pcie3_rp {
  mode_selection                      Advanced
  device_port_type                    Root_Port_of_PCI_Express_Root_Complex
  pcie_blk_locn                       X0Y2
  en_gt_selection                     true
  select_quad                         GTH_Quad_228
  ins_loss_profile                    Chip-to-Chip
  plltype                             QPLL1
  sys_reset_polarity                  ACTIVE_LOW
  dedicate_perst                      false
  pf0_link_status_slot_clock_config   true
  PL_LINK_CAP_MAX_LINK_WIDTH          X4
  PL_LINK_CAP_MAX_LINK_SPEED          8.0_GT/s
  axisten_if_width                    256_bit
  axisten_freq                        125
  AXISTEN_IF_RC_STRADDLE              false
  axisten_if_enable_client_tag        true
  pf0_dev_cap_max_payload             256_bytes
  pf0_bar0_enabled                    false
  PF0_Use_Class_Code_Lookup_Assistant false
  pf0_base_class_menu                 Bridge_device
  pf0_sub_class_interface_menu        PCI_to_PCI_bridge
  pf0_class_code_base                 06
  pf0_class_code_sub                  04
  pf0_msi_enabled                     false
  pf0_msix_enabled                    false
  cfg_ext_if                          false
  cfg_mgmt_if                         true
  cfg_status_if                       true
  cfg_ctl_if                          true
}

# ---------------------------------------------------------------- DDR4
# The KCU105's 64-bit component memory from its board interface (memory
# part, speed, pins: $ddr4_if), the 300 MHz system clock of the board
# (default_sysclk_300, as [D1]), native application interface (PG150:
# C0.DDR4_AxiSelection false).
create_ip -name ddr4 -vendor xilinx.com -library ip -module_name ddr4_c0 -dir $out/ip
set_ip_props ddr4_c0 [list \
  C0_DDR4_BOARD_INTERFACE  $ddr4_if \
  C0_CLOCK_BOARD_INTERFACE default_sysclk_300 \
  RESET_BOARD_INTERFACE    reset \
  C0.DDR4_AxiSelection     false \
]

generate_target {instantiation_template synthesis} [get_ips]
synth_ip [get_ips]

# ---------------------------------------------------------------- black boxes vs IP
# Every port board/kcu105/ip/<ip>.sv declares must exist on the generated IP
# with the same width: compared with the synthesis stub Vivado writes for
# the IP (a width that differs would only be a warning in synthesis).
proc ports_of_verilog {path} {
  set f [open $path r]
  set text [read $f]
  close $f
  set ports {}
  foreach {all msb lsb name} [regexp -all -inline -line {^\s*(?:input|output|inout)\s+(?:wire\s+)?(?:logic\s+)?(?:\[\s*(\d+)\s*:\s*(\d+)\s*\]\s*)?([A-Za-z_][A-Za-z0-9_]*)} $text] {
    if {$msb eq ""} { set w 1 } else { set w [expr {abs($msb - $lsb) + 1}] }
    dict set ports $name $w
  }
  return $ports
}
set bad 0
foreach ip {pcie3_ep pcie3_rp ddr4_c0} {
  set ipdir [file dirname [get_files $ip.xci]]
  set stub [lindex [glob -nocomplain $ipdir/${ip}_stub.v $ipdir/synth/${ip}_stub.v] 0]
  if {$stub eq ""} {
    write_verilog -force -mode synth_stub -cell [get_ips $ip] $out/${ip}_stub.v
    set stub $out/${ip}_stub.v
  }
  set have [ports_of_verilog $stub]
  dict for {p w} [ports_of_verilog board/kcu105/ip/$ip.sv] {
    if {![dict exists $have $p]} {
      puts "build.tcl: $ip has no port $p (board/kcu105/ip/$ip.sv and kcu105_*.sv must follow the IP: $stub)"
      incr bad
    } elseif {[dict get $have $p] != $w} {
      puts "build.tcl: $ip port $p is [dict get $have $p] bits, board/kcu105/ip/$ip.sv says $w"
      incr bad
    }
  }
}
if {$bad} { stop "$bad port(s) differ between the black boxes and the generated IP" }

# ---------------------------------------------------------------- design
set f [open $src_list r]
set srcs [split [string trim [read $f]]]
close $f
read_verilog -sv $srcs
read_xdc board/kcu105/kcu105.xdc

synth_design -top kcu105_top -part $part \
  -generic ROM_FILE=\"$rom_file\" -generic ROM_AW=$rom_aw

# The endpoint's capability list: the block's own capabilities (PM 0x80,
# MSI-X 0xB0, PCI Express 0xC0: PF0_CAPABILITY_POINTER and the
# *_CAP_NEXTPTR values pcie3_ultrascale generates) must lead to the user
# window at 0x40, or the virtio capabilities stay invisible and no driver
# binds. The PCI Express capability is the last one; its next pointer is
# the PCIE_3_1 attribute PF0_PCIE_CAP_NEXTPTR. Read it on the placed block
# and set it to 0x40 when the IP left it at 0.
set ep_blk [get_cells -hierarchical -filter {REF_NAME == PCIE_3_1 && NAME =~ "*u_ep*"}]
if {[llength $ep_blk] != 1} { stop "expected one PCIE_3_1 cell under u_ep, found [llength $ep_blk]: $ep_blk" }
if {[lsearch -exact -nocase [list_property $ep_blk] PF0_PCIE_CAP_NEXTPTR] < 0} {
  stop "PCIE_3_1 has no PF0_PCIE_CAP_NEXTPTR here; report_property [get_cells $ep_blk] *NEXTPTR* shows the chain to point at 0x40"
}
foreach p {PF0_CAPABILITY_POINTER PF0_PM_CAP_NEXTPTR PF0_MSIX_CAP_NEXTPTR PF0_PCIE_CAP_NEXTPTR} {
  puts "build.tcl: endpoint $p = [get_property $p $ep_blk]"
}
set_property PF0_PCIE_CAP_NEXTPTR 8'h40 $ep_blk
report_property $ep_blk -file $out/pcie_ep_block_attributes.txt

report_utilization -file $out/utilization_synth.txt
opt_design
place_design
phys_opt_design
route_design
report_utilization -file $out/utilization.txt
report_timing_summary -max_paths 20 -file $out/timing.txt
report_clock_interaction -file $out/clock_interaction.txt
if {[get_property SLACK [get_timing_paths -max_paths 1 -nworst 1 -setup]] < 0} {
  puts "build.tcl: timing not met, see $out/timing.txt (bitstream written anyway)"
}
write_bitstream -force $out/kcu105_top.bit
# Dual quad SPI (SPI x8): the KCU105 boots from its two MT25QU256 flash
# chips together, each holding half of every byte (UG570 "SPI x8"; UG917
# "Quad SPI Flash Memory"). write_cfgmem splits the image into
# kcu105_top_primary.mcs and kcu105_top_secondary.mcs, one per chip, which
# openFPGALoader writes with -b kcu105 --target-flash both
# (openFPGALoader doc/vendors/xilinx.rst). 32 MiB each (256 Mb).
write_cfgmem -force -format mcs -size 64 -interface SPIx8 \
  -loadbit "up 0x00000000 $out/kcu105_top.bit" $out/kcu105_top.mcs
foreach half {primary secondary} {
  if {![file exists $out/kcu105_top_$half.mcs]} { stop "write_cfgmem wrote no $out/kcu105_top_$half.mcs" }
}
puts "build.tcl: $out/kcu105_top.bit, $out/kcu105_top_primary.mcs, $out/kcu105_top_secondary.mcs"
