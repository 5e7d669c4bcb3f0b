# Constraints of kcu105_top: AMD KCU105 (XCKU040-2FFVA1156E) with an Opsero
# FPGA Drive FMC (Gen4) in the HPC slot (J22), SSD in M.2 slot 1.
# Pin numbers from the KCU105 user guide (UG917) and the FPGA Drive FMC
# reference design for this board (fpgadeveloper/fpga-drive-aximm-pcie,
# Vivado/src/constraints/kcu105_hpc.xdc); the DDR4 pins come with the IP
# (its board interface, build.tcl). Every property set here is in
# board/kcu105/ref/xdc_props.txt with its reference (checked by
# tests/board/check_flow.py).

# --- configuration: dual quad SPI flash (x8), 1.8 V bank 0 ---
# UG570 "SPI x8" (two MT25QU256 on the KCU105, UG917); CFGBVS, voltage, 32-bit
# addressing, falling-edge capture and compression as the reference design's
# kcu105_hpc.xdc (which boots from one chip in SPI x4; x8 halves the time).
set_property CFGBVS GND [current_design]
set_property CONFIG_VOLTAGE 1.8 [current_design]
set_property CONFIG_MODE SPIx8 [current_design]
set_property BITSTREAM.GENERAL.COMPRESS TRUE [current_design]
set_property BITSTREAM.CONFIG.SPI_BUSWIDTH 8 [current_design]
set_property BITSTREAM.CONFIG.SPI_32BIT_ADDR YES [current_design]
set_property BITSTREAM.CONFIG.SPI_FALL_EDGE YES [current_design]
set_property BITSTREAM.CONFIG.EXTMASTERCCLK_EN {DIV-1} [current_design]
set_property BITSTREAM.CONFIG.UNUSEDPIN PULLUP [current_design]

# --- 125 MHz board oscillator (Si5335 CLK_125MHZ): the core clock's source (UG917 clocking) ---
set_property -dict {PACKAGE_PIN G10 IOSTANDARD LVDS} [get_ports clk_125_p]
set_property -dict {PACKAGE_PIN F10 IOSTANDARD LVDS} [get_ports clk_125_n]
create_clock -period 8.000 -name clk_125 [get_ports clk_125_p]

# --- CPU_RESET push button (SW5), active high (UG917 user push buttons) ---
set_property -dict {PACKAGE_PIN AN8 IOSTANDARD LVCMOS18} [get_ports cpu_reset]
set_false_path -from [get_ports cpu_reset]

# --- FW_LOAD strap: GPIO DIP switch SW12 position 1 (GPIO_DIP_SW0), bank 64 at 1.2 V ---
# (UG917 GPIO DIP switch; the same pin and standard in analogdevicesinc/hdl
# projects/common/kcu105/kcu105_system_constr.xdc, gpio_bd[8]). On: after
# CPU_RESET the core waits for the host's load through BAR0 (docs/fw-load.md).
set_property -dict {PACKAGE_PIN AN16 IOSTANDARD LVCMOS12} [get_ports fw_load_sw]
set_false_path -from [get_ports fw_load_sw]

# --- console: USB UART (CP2105, standard interface); the FPGA drives its RXD (UG917 USB-to-UART bridge) ---
set_property -dict {PACKAGE_PIN K26 IOSTANDARD LVCMOS18 DRIVE 8 SLEW SLOW} [get_ports uart_txd]
set_false_path -to [get_ports uart_txd]

# --- GPIO LEDs (UG917 user LEDs; LEDs 0-2 as the reference design's kcu105_hpc.xdc: AP8, H23, P20) ---
set_property -dict {PACKAGE_PIN AP8 IOSTANDARD LVCMOS18 DRIVE 8 SLEW SLOW} [get_ports {led[0]}]
set_property -dict {PACKAGE_PIN H23 IOSTANDARD LVCMOS18 DRIVE 8 SLEW SLOW} [get_ports {led[1]}]
set_property -dict {PACKAGE_PIN P20 IOSTANDARD LVCMOS18 DRIVE 8 SLEW SLOW} [get_ports {led[2]}]
set_property -dict {PACKAGE_PIN P21 IOSTANDARD LVCMOS18 DRIVE 8 SLEW SLOW} [get_ports {led[3]}]
set_property -dict {PACKAGE_PIN N22 IOSTANDARD LVCMOS18 DRIVE 8 SLEW SLOW} [get_ports {led[4]}]
set_property -dict {PACKAGE_PIN M22 IOSTANDARD LVCMOS18 DRIVE 8 SLEW SLOW} [get_ports {led[5]}]
set_property -dict {PACKAGE_PIN R23 IOSTANDARD LVCMOS18 DRIVE 8 SLEW SLOW} [get_ports {led[6]}]
set_property -dict {PACKAGE_PIN P23 IOSTANDARD LVCMOS18 DRIVE 8 SLEW SLOW} [get_ports {led[7]}]
set_false_path -to [get_ports {led[*]}]

# --- host PCIe, edge connector: PCIE_3_1_X0Y0, GTH quads 224/225 (UG917 PCI Express endpoint connectivity) ---
# Reference clock MGTREFCLK0 of quad 225; PERST# from the host.
set_property PACKAGE_PIN AB6 [get_ports pcie_refclk_p]
set_property PACKAGE_PIN AB5 [get_ports pcie_refclk_n]
create_clock -period 10.000 -name pcie_refclk [get_ports pcie_refclk_p]
set_property -dict {PACKAGE_PIN K22 IOSTANDARD LVCMOS18 PULLUP true} [get_ports pcie_perst_n]
set_false_path -from [get_ports pcie_perst_n]

# --- SSD, FPGA Drive FMC slot 1 on HPC DP0-3: PCIE_3_1_X0Y2, GTH quad 228 ---
# Reference clock from the FMC's own 100 MHz oscillator (GBTCLK0_M2C,
# MGTREFCLK0 of quad 228); PERST# of the SSD on LA00_P_CC (VADJ 1.8 V).
# All as kcu105_hpc.xdc of the reference design (SSD1).
set_property PACKAGE_PIN K6 [get_ports ssd_refclk_p]
set_property PACKAGE_PIN K5 [get_ports ssd_refclk_n]
create_clock -period 10.000 -name ssd_refclk [get_ports ssd_refclk_p]
set_property -dict {PACKAGE_PIN H11 IOSTANDARD LVCMOS18} [get_ports ssd_perst_n]
set_false_path -to [get_ports ssd_perst_n]
# The root port's lanes on the FMC's DP0-3 and its block, as the reference
# design places them (kcu105_hpc.xdc, "SSD1 Gigabit transceivers" and
# "SSD1 PCIe block"): lane n on GTHE3_CHANNEL_X0Y(16+n), PCIE_3_1_X0Y2.
set_property LOC GTHE3_CHANNEL_X0Y16 [get_cells -hierarchical -regexp -filter { PRIMITIVE_TYPE =~ ADVANCED.GT.GTHE3_CHANNEL && PARENT =~ ".*u_rp.*" && NAME =~ ".*channel_inst\[0\].*" }]
set_property LOC GTHE3_CHANNEL_X0Y17 [get_cells -hierarchical -regexp -filter { PRIMITIVE_TYPE =~ ADVANCED.GT.GTHE3_CHANNEL && PARENT =~ ".*u_rp.*" && NAME =~ ".*channel_inst\[1\].*" }]
set_property LOC GTHE3_CHANNEL_X0Y18 [get_cells -hierarchical -regexp -filter { PRIMITIVE_TYPE =~ ADVANCED.GT.GTHE3_CHANNEL && PARENT =~ ".*u_rp.*" && NAME =~ ".*channel_inst\[2\].*" }]
set_property LOC GTHE3_CHANNEL_X0Y19 [get_cells -hierarchical -regexp -filter { PRIMITIVE_TYPE =~ ADVANCED.GT.GTHE3_CHANNEL && PARENT =~ ".*u_rp.*" && NAME =~ ".*channel_inst\[3\].*" }]
set_property LOC PCIE_3_1_X0Y2 [get_cells -hierarchical -filter { PRIMITIVE_TYPE =~ ADVANCED.PCIE.* && NAME =~ "*u_rp*" }]

# --- clock domains: core (clk_125 via the MMCM), endpoint (its user clock
# comes from the host's reference clock), root port (from the FMC's), DDR4
# (300 MHz system clock, constrained by the IP). They meet only in the
# dual-clock FIFOs of board/common, whose Gray-coded pointers cross through
# ASYNC_REG synchronizers; bound those paths to one destination period.
set_clock_groups -asynchronous \
  -group [get_clocks -include_generated_clocks clk_125] \
  -group [get_clocks -include_generated_clocks pcie_refclk] \
  -group [get_clocks -include_generated_clocks ssd_refclk] \
  -group [get_clocks -include_generated_clocks -of_objects [get_ports c0_sys_clk_p]]
