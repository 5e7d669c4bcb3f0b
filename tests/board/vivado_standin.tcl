# Runs board/kcu105/build.tcl under tclsh with a stand-in for Vivado whose
# catalogue is the repository's reference lists (board/kcu105/ref): an IP
# knows exactly the CONFIG.* names of its *_props.txt, keeps what is set,
# and its generated "synthesis stub" has the ports and widths of
# pcie3_ultrascale_ports.txt (ddr4: the names of ddr4_ports.txt). So the
# script's own checks run: a property name outside the lists, a black-box
# port the reference does not have or with another width, a missing flash
# image, all stop it as they would stop the real flow. Every other Vivado
# command is a no-op that returns "".
#
# usage: tclsh tests/board/vivado_standin.tcl WORKDIR [SCENARIO]
#   SCENARIO: ok (default) | ddr4_old (board file with ddr4_sdram only) |
#             no_ddr4 (no DDR4 interface: the script must stop)
# Prints "set IP CONFIG.name = value" for each property set, and
# "exit N" with the status the script ended with; exits with that status.

lassign $argv work scenario
if {$scenario eq ""} { set scenario ok }
file mkdir $work
set ref board/kcu105/ref

proc read_list {path} {
  set names {}
  set f [open $path r]
  foreach line [split [read $f] "\n"] {
    set line [string trim [lindex [split $line "#"] 0]]
    if {$line ne ""} { lappend names $line }
  }
  close $f
  return $names
}

set props(pcie3_ultrascale) {}
foreach n [read_list $ref/pcie3_ultrascale_props.txt] { lappend props(pcie3_ultrascale) CONFIG.$n }
set props(ddr4) {}
foreach n [read_list $ref/ddr4_props.txt] { lappend props(ddr4) CONFIG.$n }

# Synthesis stubs of the generated IPs from the reference port lists
proc write_stub {path lanes which} {
  global ref
  set f [open $path w]
  puts $f "module stub ("
  if {$which eq "ddr4"} {
    # names from ddr4_ports.txt; widths as the black box (PG150 leaves them to the part)
    set bb [open board/kcu105/ip/ddr4_c0.sv r]; set text [read $bb]; close $bb
    foreach n [read_list $ref/ddr4_ports.txt] {
      if {[regexp -line "^\\s*(?:input|output|inout)\\s+(?:wire\\s+)?(?:logic\\s+)?(\\\[\[^\\\]\]*\\\])?\\s*$n\\M" $text all rng]} {
        puts $f "  input $rng $n,"
      }
    }
  } else {
    foreach line [read_list $ref/pcie3_ultrascale_ports.txt] {
      lassign $line n w
      if {$w eq "8|4"} { set w $lanes }
      if {$w == 1} { puts $f "  input $n," } else { puts $f "  input \[[expr {$w - 1}]:0\] $n," }
    }
  }
  puts $f ");\nendmodule"
  close $f
}

# --- the stand-in commands
set ips {}
proc create_project {args} { return "" }
proc get_board_parts {args} {
  global scenario
  if {[lsearch $args -of_objects] >= 0} { return [lindex $args end] }
  return "xilinx.com:kcu105:part0:1.7"
}
proc get_board_part_interfaces {args} {
  global scenario
  switch $scenario {
    ddr4_old { return {ddr4_sdram default_sysclk_300 reset pci_express} }
    no_ddr4  { return {default_sysclk_300 reset pci_express} }
    default  { return {ddr4_sdram_062 default_sysclk_300 reset pci_express} }
  }
}
proc create_ip {args} {
  global ips ipdef
  set name [lindex $args [expr {[lsearch $args -name] + 1}]]
  set mod [lindex $args [expr {[lsearch $args -module_name] + 1}]]
  set ipdef($mod) $name
  lappend ips $mod
  return $mod
}
proc get_ips {args} {
  global ips
  if {[llength $args] == 0} { return $ips }
  return [lindex $args end]
}
proc list_property {obj args} {
  global props ipdef
  if {[info exists ipdef($obj)]} { return $props($ipdef($obj)) }
  # the endpoint's PCIE_3_1 cell
  return {PF0_CAPABILITY_POINTER PF0_PM_CAP_NEXTPTR PF0_MSIX_CAP_NEXTPTR PF0_PCIE_CAP_NEXTPTR}
}
proc set_property {args} {
  global value
  if {[lindex $args 0] eq "-dict"} {
    set obj [lindex $args 2]
    foreach {k v} [lindex $args 1] {
      set value($obj,$k) $v
      puts "set $obj $k = $v"
    }
  } else {
    lassign $args k v obj
    set value($obj,$k) $v
    puts "set $obj $k = $v"
  }
  return ""
}
proc get_property {k obj} {
  global value ipdef
  if {$k eq "IPDEF"} { return "xilinx.com:ip:$ipdef($obj):standin" }
  if {[info exists value($obj,$k)]} { return $value($obj,$k) }
  return 0
}
proc get_files {args} {
  global work
  set name [lindex $args end]
  return $work/ip/[file rootname $name]/$name
}
proc synth_ip {args} {
  global ips ipdef work
  foreach ip $ips {
    file mkdir $work/ip/$ip
    set lanes [expr {$ip eq "pcie3_rp" ? 4 : 8}]
    write_stub $work/ip/$ip/${ip}_stub.v $lanes [expr {$ipdef($ip) eq "ddr4" ? "ddr4" : "pcie"}]
  }
}
proc get_cells {args} { return "u_ep/pcie3_ep_i/inst/pcie3_uscale_top_inst/pcie3_uscale_wrapper_inst/PCIE_3_1_inst" }
proc write_cfgmem {args} {
  set mcs [lindex $args end]
  set base [file rootname $mcs]
  foreach half {primary secondary} { close [open ${base}_$half.mcs w] }
}
proc get_timing_paths {args} { return path }
proc unknown {args} { return "" }
rename exit real_exit
proc exit {{code 0}} {
  puts "exit $code"
  real_exit $code
}

set ::argv [list $work/out $work/firmware.hex 16 $work/sources.txt]
set ::argc 4
set f [open $work/sources.txt w]; puts $f "rtl/card/card_top.sv"; close $f
source board/kcu105/build.tcl
exit 0
