`default_nettype none
// ddr4_c0: black box of the AMD "DDR4 SDRAM" memory controller IP (ddr4,
// PG150) as board/kcu105/build.tcl generates it for the KCU105's 64-bit
// DDR4 component memory (board interface ddr4_sdram, 300 MHz system clock):
// native application interface, 4:1, 512-bit data. Only the ports the board
// top connects are listed. Written from the product guide for Yosys and lint;
// Vivado uses the real IP.
(* blackbox *)
module ddr4_c0 (
  input  wire logic         c0_sys_clk_p,
  input  wire logic         c0_sys_clk_n,
  input  wire logic         sys_rst,               // active high
  output logic         c0_init_calib_complete,
  output logic         c0_ddr4_ui_clk,
  output logic         c0_ddr4_ui_clk_sync_rst,
  output logic         dbg_clk,
  output logic [511:0] dbg_bus,
  // --- memory pins ---
  output logic         c0_ddr4_act_n,
  output logic [16:0]  c0_ddr4_adr,
  output logic [1:0]   c0_ddr4_ba,
  output logic [0:0]   c0_ddr4_bg,
  output logic [0:0]   c0_ddr4_cke,
  output logic [0:0]   c0_ddr4_odt,
  output logic [0:0]   c0_ddr4_cs_n,
  output logic [0:0]   c0_ddr4_ck_t,
  output logic [0:0]   c0_ddr4_ck_c,
  output logic         c0_ddr4_reset_n,
  inout  wire  [7:0]   c0_ddr4_dm_dbi_n,
  inout  wire  [63:0]  c0_ddr4_dq,
  inout  wire  [7:0]   c0_ddr4_dqs_t,
  inout  wire  [7:0]   c0_ddr4_dqs_c,
  // --- application interface ---
  input  wire logic [28:0]  c0_ddr4_app_addr,
  input  wire logic [2:0]   c0_ddr4_app_cmd,
  input  wire logic         c0_ddr4_app_en,
  input  wire logic         c0_ddr4_app_hi_pri,
  input  wire logic [511:0] c0_ddr4_app_wdf_data,
  input  wire logic         c0_ddr4_app_wdf_end,
  input  wire logic [63:0]  c0_ddr4_app_wdf_mask,
  input  wire logic         c0_ddr4_app_wdf_wren,
  output logic [511:0] c0_ddr4_app_rd_data,
  output logic         c0_ddr4_app_rd_data_end,
  output logic         c0_ddr4_app_rd_data_valid,
  output logic         c0_ddr4_app_rdy,
  output logic         c0_ddr4_app_wdf_rdy
);
endmodule
