# Vivado batch flow for kcu105_top: generates the vendor IP (PCIe endpoint,
# PCIe root port, DDR4 controller), checks that the black boxes the RTL was
# linted and synthesised against (board/kcu105/ip/*.sv) name only ports the
# generated IP has, then synthesis, implementation, reports and bitstream.
#
# usage (mk/board.mk runs it):
#   vivado -mode batch -source board/kcu105/build.tcl \
#     -tclargs OUTDIR ROM_FILE ROM_AW SOURCES_LIST_FILE
# OUTDIR gets kcu105_top.bit, kcu105_top.mcs (dual quad SPI), the reports
# and the IP. Needs the KCU105 board files (shipped with Vivado).

if {[llength $argv] != 4} {
  puts "usage: build.tcl OUTDIR ROM_FILE ROM_AW SOURCES_LIST_FILE"
  exit 2
}
lassign $argv out rom_file rom_aw src_list
set part xcku040-ffva1156-2-e
file mkdir $out
create_project -in_memory -part $part
set board [lindex [get_board_parts -quiet -latest_file_version {*kcu105*}] 0]
if {$board eq ""} {
  puts "build.tcl: the KCU105 board files are not installed in this Vivado"
  exit 1
}
set_property board_part $board [current_project]
set_property target_language Verilog [current_project]

# ---------------------------------------------------------------- IP
# Host endpoint: Gen3 x8, 256-bit at 250 MHz on PCIE_3_1_X0Y0 (edge
# connector). The card's identity and BARs as docs/pcie-function.md gives
# them; MSI-X table and PBA in BAR 0 (the core implements both); the user
# legacy configuration window at 0xB0 carries the virtio capabilities
# (xpcie_ep_cfg); the core's own tags on RQ; no straddling on RC.
create_ip -name pcie3_ultrascale -vendor xilinx.com -library ip -module_name pcie3_ep -dir $out/ip
set_property -dict [list \
  CONFIG.mode_selection {Advanced} \
  CONFIG.pcie_blk_locn {X0Y0} \
  CONFIG.PL_LINK_CAP_MAX_LINK_WIDTH {X8} \
  CONFIG.PL_LINK_CAP_MAX_LINK_SPEED {8.0_GT/s} \
  CONFIG.axisten_if_width {256_bit} \
  CONFIG.axisten_freq {250} \
  CONFIG.AXISTEN_IF_RC_STRADDLE {false} \
  CONFIG.axisten_if_enable_client_tag {true} \
  CONFIG.vendor_id {1AF4} \
  CONFIG.PF0_DEVICE_ID {105A} \
  CONFIG.PF0_REVISION_ID {01} \
  CONFIG.PF0_SUBSYSTEM_VENDOR_ID {1AF4} \
  CONFIG.PF0_SUBSYSTEM_ID {0040} \
  CONFIG.PF0_Use_Class_Code_Lookup_Assistant {false} \
  CONFIG.pf0_class_code_base {01} \
  CONFIG.pf0_class_code_sub {80} \
  CONFIG.pf0_class_code_interface {00} \
  CONFIG.PF0_CLASS_CODE {018000} \
  CONFIG.pf0_dev_cap_max_payload {256_bytes} \
  CONFIG.pf0_bar0_enabled {true} \
  CONFIG.pf0_bar0_type {Memory} \
  CONFIG.pf0_bar0_64bit {true} \
  CONFIG.pf0_bar0_prefetchable {false} \
  CONFIG.pf0_bar0_scale {Kilobytes} \
  CONFIG.pf0_bar0_size {32} \
  CONFIG.pf0_bar2_enabled {true} \
  CONFIG.pf0_bar2_type {Memory} \
  CONFIG.pf0_bar2_64bit {true} \
  CONFIG.pf0_bar2_prefetchable {true} \
  CONFIG.pf0_bar2_scale {Gigabytes} \
  CONFIG.pf0_bar2_size {1} \
  CONFIG.pf0_msi_enabled {false} \
  CONFIG.pf0_msix_enabled {true} \
  CONFIG.PF0_MSIX_CAP_TABLE_SIZE {007} \
  CONFIG.PF0_MSIX_CAP_TABLE_BIR {BAR_1:0} \
  CONFIG.PF0_MSIX_CAP_TABLE_OFFSET {00004000} \
  CONFIG.PF0_MSIX_CAP_PBA_BIR {BAR_1:0} \
  CONFIG.PF0_MSIX_CAP_PBA_OFFSET {00005000} \
  CONFIG.PF0_INTERRUPT_PIN {INTA} \
  CONFIG.cfg_ext_if {true} \
  CONFIG.cfg_mgmt_if {true} \
  CONFIG.cfg_status_if {true} \
  CONFIG.cfg_ctl_if {true} \
] [get_ips pcie3_ep]
# The user-defined legacy capability window (PG156, "User Defined
# Configuration Capabilities", Advanced mode): enabled, starting at 0xB0,
# which the IP's last capability then points to. The option names differ
# between IP versions; list them with
#   report_property [get_ips pcie3_ep] CONFIG.*ext*
# and set the two below if this version calls them otherwise.
set_property -dict [list \
  CONFIG.pf0_cfg_ext_legacy_enable {true} \
  CONFIG.pf0_cfg_ext_legacy_ptr {B0} \
] [get_ips pcie3_ep]

# SSD root port: Gen3 x4, 256-bit at 125 MHz on PCIE_3_1_X0Y2 with the GTH
# quad 228 that the FMC's DP0-3 reach; Type 1 header (bridge class), no BAR.
create_ip -name pcie3_ultrascale -vendor xilinx.com -library ip -module_name pcie3_rp -dir $out/ip
set_property -dict [list \
  CONFIG.mode_selection {Advanced} \
  CONFIG.device_port_type {Root_Port_of_PCI_Express_Root_Complex} \
  CONFIG.pcie_blk_locn {X0Y2} \
  CONFIG.select_quad {GTH_Quad_228} \
  CONFIG.PL_LINK_CAP_MAX_LINK_WIDTH {X4} \
  CONFIG.PL_LINK_CAP_MAX_LINK_SPEED {8.0_GT/s} \
  CONFIG.axisten_if_width {256_bit} \
  CONFIG.axisten_freq {125} \
  CONFIG.AXISTEN_IF_RC_STRADDLE {false} \
  CONFIG.axisten_if_enable_client_tag {true} \
  CONFIG.pf0_dev_cap_max_payload {256_bytes} \
  CONFIG.pf0_bar0_enabled {false} \
  CONFIG.pf0_base_class_menu {Bridge_device} \
  CONFIG.pf0_sub_class_interface_menu {PCI_to_PCI_bridge} \
  CONFIG.pf0_class_code_base {06} \
  CONFIG.pf0_class_code_sub {04} \
  CONFIG.PF0_CLASS_CODE {060400} \
  CONFIG.cfg_mgmt_if {true} \
  CONFIG.cfg_status_if {true} \
  CONFIG.cfg_ctl_if {true} \
] [get_ips pcie3_rp]

# DDR4: the KCU105's 64-bit component memory from its board interface
# (memory part, speed, pins), native application interface.
create_ip -name ddr4 -vendor xilinx.com -library ip -module_name ddr4_c0 -dir $out/ip
set_property -dict [list \
  CONFIG.C0_DDR4_BOARD_INTERFACE {ddr4_sdram} \
  CONFIG.C0_CLOCK_BOARD_INTERFACE {default_sysclk_300} \
  CONFIG.RESET_BOARD_INTERFACE {reset} \
  CONFIG.C0.DDR4_AxiSelection {false} \
] [get_ips ddr4_c0]

generate_target {instantiation_template synthesis} [get_ips]

# ---------------------------------------------------------------- black boxes vs IP
# Every port board/kcu105/ip/<ip>.sv names must exist on the generated IP.
proc ports_of_verilog {path} {
  set f [open $path r]
  set text [read $f]
  close $f
  set names {}
  foreach {all name} [regexp -all -inline -line {^\s*(?:input|output|inout)\s+(?:wire\s+)?(?:logic\s+)?(?:\[[^\]]*\]\s*)?([A-Za-z_][A-Za-z0-9_]*)} $text] {
    lappend names $name
  }
  return $names
}
set missing 0
foreach ip {pcie3_ep pcie3_rp ddr4_c0} {
  set veo [lindex [get_files -quiet -of_objects [get_files $ip.xci] *.veo] 0]
  if {$veo eq ""} { puts "build.tcl: no instantiation template for $ip"; exit 1 }
  set f [open $veo r]; set tmpl [read $f]; close $f
  foreach p [ports_of_verilog board/kcu105/ip/$ip.sv] {
    if {![regexp "\\.$p\\s*\\(" $tmpl]} {
      puts "build.tcl: $ip has no port $p (board/kcu105/ip/$ip.sv and kcu105_*.sv must follow the IP)"
      incr missing
    }
  }
}
if {$missing} { exit 1 }

synth_ip [get_ips]

# ---------------------------------------------------------------- design
set f [open $src_list r]
set srcs [split [string trim [read $f]]]
close $f
read_verilog -sv $srcs
read_xdc board/kcu105/kcu105.xdc

synth_design -top kcu105_top -part $part \
  -generic ROM_FILE=\"$rom_file\" -generic ROM_AW=$rom_aw
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
write_cfgmem -force -format mcs -size 64 -interface SPIx8 \
  -loadbit "up 0x00000000 $out/kcu105_top.bit" $out/kcu105_top.mcs
puts "build.tcl: $out/kcu105_top.bit"
