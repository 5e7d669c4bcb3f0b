`default_nettype none
// kcu105_top: the card on an AMD KCU105 (XCKU040-2FFVA1156E) with an Opsero
// FPGA Drive FMC (Gen4) in the HPC slot: card_top, the portable core, behind
// the vendor IP. Pins and clocks are in kcu105.xdc, the vendor flow in
// build.tcl; README.md beside this file explains the choices.
//
// Clock domains:
//  core_clk  125 MHz from the board's 125 MHz oscillator (MMCM): card_top,
//            the firmware loader, the DDR bridge's core side
//  ep clock  250 MHz user clock of the endpoint (PCIE_3_1_X0Y0, Gen3 x8;
//            inside kcu105_ep)
//  rp clock  125 MHz user clock of the root port (PCIE_3_1_X0Y2, Gen3 x4;
//            inside kcu105_rp)
//  ui_clk    300 MHz user clock of the DDR4 controller
// Every crossing is a dual-clock FIFO of board/common (TLPs whole: a TLP the
// hard IP discontinues never reaches the core) or a brd_sync.
//
// Resets: the CPU_RESET button and the MMCM lock reset the core domain (the
// loader then reloads the firmware, or, with the FW_LOAD DIP switch on, the
// core waits for the host's load through BAR0: rtl/virtio/vfs_fwload.sv,
// docs/fw-load.md; the switch is read at that reset only); PERST# from the host resets the
// endpoint; the root port and the SSD's PERST# are held for 100 ms after the
// core domain comes out of reset. The TLP crossings reset with either side.
module kcu105_top #(
  parameter int    ROM_AW = 16,                 // firmware ROM: log2 of its depth in words
  parameter ROM_FILE = "",                      // firmware image (board/common/elf2rom.py)
  parameter int    CORE_MHZ = 125,              // core clock: 125 (MMCM divide 8) or 250 (4)
  parameter int    PERST_MS = 100               // SSD PERST# after the core's reset, ms
) (
  // --- host PCIe (edge connector) ---
  input  wire logic       pcie_refclk_p,
  input  wire logic       pcie_refclk_n,
  input  wire logic       pcie_perst_n,
  input  wire logic [7:0] pcie_rx_p,
  input  wire logic [7:0] pcie_rx_n,
  output logic      [7:0] pcie_tx_p,
  output logic      [7:0] pcie_tx_n,

  // --- SSD (FPGA Drive FMC, M.2 slot 1) ---
  input  wire logic       ssd_refclk_p,
  input  wire logic       ssd_refclk_n,
  output logic            ssd_perst_n,
  input  wire logic [3:0] ssd_rx_p,
  input  wire logic [3:0] ssd_rx_n,
  output logic      [3:0] ssd_tx_p,
  output logic      [3:0] ssd_tx_n,

  // --- board clocks, reset, console, LEDs ---
  input  wire logic       clk_125_p,
  input  wire logic       clk_125_n,
  input  wire logic       cpu_reset,        // push button, active high
  input  wire logic       fw_load_sw,       // GPIO DIP switch SW12 position 1: on = the host loads the firmware
  output logic            uart_txd,
  output logic      [7:0] led,

  // --- DDR4 (pins from the board interface of the DDR4 IP) ---
  input  wire logic       c0_sys_clk_p,
  input  wire logic       c0_sys_clk_n,
  output logic            c0_ddr4_act_n,
  output logic [16:0]     c0_ddr4_adr,
  output logic [1:0]      c0_ddr4_ba,
  output logic [0:0]      c0_ddr4_bg,
  output logic [0:0]      c0_ddr4_cke,
  output logic [0:0]      c0_ddr4_odt,
  output logic [0:0]      c0_ddr4_cs_n,
  output logic [0:0]      c0_ddr4_ck_t,
  output logic [0:0]      c0_ddr4_ck_c,
  output logic            c0_ddr4_reset_n,
  inout  wire  [7:0]      c0_ddr4_dm_dbi_n,
  inout  wire  [63:0]     c0_ddr4_dq,
  inout  wire  [7:0]      c0_ddr4_dqs_t,
  inout  wire  [7:0]      c0_ddr4_dqs_c
);
  localparam int DATA_W = 256;
  localparam int BAR2_SIZE_LOG2 = 30;               // 1 GiB DAX window
  localparam int DDR_AW = 31;                        // card memory: the board's 2 GiB (DAX window from 1 GiB)
  localparam int LW = DDR_AW - 5;                    // its 32-byte lines
  localparam logic [63:0] SH_BAR0 = 64'h8000_0000;   // the core's BAR bases (xpcie_ep_cfg)
  localparam logic [63:0] SH_BAR2 = 64'h4000_0000;
  localparam int UART_BAUD = 115200;
  localparam int UART_CPB = CORE_MHZ * 1000000 / UART_BAUD;
  localparam int PERST_CYCLES = CORE_MHZ * 1000 * PERST_MS;
  localparam int PW = $clog2(PERST_CYCLES + 1);
  localparam int CORE_DIV = 1000 / CORE_MHZ;        // MMCM: 125 MHz in, VCO 1000 MHz

  initial begin
    if (CORE_MHZ != 125 && CORE_MHZ != 250) $error("kcu105_top: CORE_MHZ must be 125 or 250");
  end

  // ================================================================ clocks
  logic clk_125, mmcm_fb, mmcm_out, mmcm_locked, core_clk;
  logic ep_refclk_gt, ep_refclk, rp_refclk_gt, rp_refclk;
  logic ep_lnk_up, rp_lnk_up;
  logic ui_clk, ui_rst, calib_done;
  logic unused_clkfbout_b, unused_o1, unused_o1b, unused_o2, unused_o2b, unused_o3, unused_o3b;
  logic unused_o0b, unused_o4, unused_o5, unused_o6;

  IBUFDS u_clk125_ibuf (
    .I  (clk_125_p),
    .IB (clk_125_n),
    .O  (clk_125)
  );

  MMCME3_BASE #(
    .CLKIN1_PERIOD    (8.0),
    .CLKFBOUT_MULT_F  (8.0),
    .DIVCLK_DIVIDE    (1),
    .CLKOUT0_DIVIDE_F (CORE_DIV)
  ) u_mmcm (
    .CLKIN1    (clk_125),
    .CLKFBIN   (mmcm_fb),
    .CLKFBOUT  (mmcm_fb),
    .CLKFBOUTB (unused_clkfbout_b),
    .CLKOUT0   (mmcm_out),
    .CLKOUT0B  (unused_o0b),
    .CLKOUT1   (unused_o1),
    .CLKOUT1B  (unused_o1b),
    .CLKOUT2   (unused_o2),
    .CLKOUT2B  (unused_o2b),
    .CLKOUT3   (unused_o3),
    .CLKOUT3B  (unused_o3b),
    .CLKOUT4   (unused_o4),
    .CLKOUT5   (unused_o5),
    .CLKOUT6   (unused_o6),
    .LOCKED    (mmcm_locked),
    .PWRDWN    (1'b0),
    .RST       (cpu_reset)
  );

  BUFG u_core_bufg (
    .I (mmcm_out),
    .O (core_clk)
  );

  IBUFDS_GTE3 u_ep_refclk (
    .I     (pcie_refclk_p),
    .IB    (pcie_refclk_n),
    .CEB   (1'b0),
    .O     (ep_refclk_gt),
    .ODIV2 (ep_refclk)
  );

  IBUFDS_GTE3 u_rp_refclk (
    .I     (ssd_refclk_p),
    .IB    (ssd_refclk_n),
    .CEB   (1'b0),
    .O     (rp_refclk_gt),
    .ODIV2 (rp_refclk)
  );

  // ================================================================ core domain
  logic core_rst_req, core_dom_rst, core_rst, loaded;
  logic fw_load_q, fw_wait;
  logic ld_valid;
  logic [31:0] ld_addr, ld_data;

  assign core_rst_req = cpu_reset || !mmcm_locked;

  brd_reset_sync #(
    .HOLD (64)
  ) u_core_rst (
    .clk (core_clk),
    .req (core_rst_req),
    .rst (core_dom_rst)
  );

  // Firmware from the ROM, or with the FW_LOAD switch on (read at this
  // reset only) from the host through card_top's load window.
  brd_fw_boot #(
    .ROM_AW    (ROM_AW),
    .INIT_FILE (ROM_FILE)
  ) u_fw_boot (
    .clk        (core_clk),
    .dom_rst    (core_dom_rst),
    .strap_in   (fw_load_sw),
    .strap      (fw_load_q),
    .card_rst   (core_rst),
    .ld_valid   (ld_valid),
    .ld_addr    (ld_addr),
    .ld_data    (ld_data),
    .rom_loaded (loaded)
  );

  // The core's streams (core domain)
  logic [127:0]      c_rx_hdr, c_tx_hdr, c_rprx_hdr, c_rptx_hdr;
  logic [DATA_W-1:0] c_rx_data, c_tx_data, c_rprx_data, c_rptx_data;
  logic c_rx_sop, c_rx_eop, c_rx_valid, c_rx_ready;
  logic c_tx_sop, c_tx_eop, c_tx_valid, c_tx_ready;
  logic c_rprx_sop, c_rprx_eop, c_rprx_valid, c_rprx_ready;
  logic c_rptx_sop, c_rptx_eop, c_rptx_valid, c_rptx_ready;
  logic intx_assert;
  logic ddr_req, ddr_we, ddr_gnt, ddr_rvalid;
  logic [LW-1:0] ddr_addr;
  logic [DATA_W/8-1:0] ddr_be;
  logic [DATA_W-1:0] ddr_wdata, ddr_rdata;
  // Observation outputs the simulator uses; nothing reads them on the board.
  logic        con_valid_unused, exit_valid_unused, store_valid_unused, retire_unused;
  logic [7:0]  con_data_unused;
  logic [31:0] exit_value_unused, store_addr_unused, store_data_unused, pcie_err_count_unused;
  logic [3:0]  store_be_unused;
  logic [63:0] cycle_count_unused, instret_count_unused;

  card_top #(
    .DATA_W            (DATA_W),
    .BAR2_SIZE_LOG2    (BAR2_SIZE_LOG2),
    .NUM_REQ_QUEUES    (4),
    .UART_CLKS_PER_BIT (UART_CPB),
    .TICK_NS           (1000 / CORE_MHZ),
    .DDR_AW            (DDR_AW)
  ) u_card (
    .clk             (core_clk),
    .rst             (core_rst),
    .ld_valid        (ld_valid),
    .ld_addr         (ld_addr),
    .ld_data         (ld_data),
    .fw_load_strap   (fw_load_q),
    .fw_wait         (fw_wait),
    .irq_lines       (30'd0),
    .uart_tx         (uart_txd),
    .con_valid       (con_valid_unused),
    .con_data        (con_data_unused),
    .exit_valid      (exit_valid_unused),
    .exit_value      (exit_value_unused),
    .store_valid     (store_valid_unused),
    .store_addr      (store_addr_unused),
    .store_data      (store_data_unused),
    .store_be        (store_be_unused),
    .retire          (retire_unused),
    .cycle_count     (cycle_count_unused),
    .instret_count   (instret_count_unused),
    .rx_tlp_hdr      (c_rx_hdr),
    .rx_tlp_data     (c_rx_data),
    .rx_tlp_sop      (c_rx_sop),
    .rx_tlp_eop      (c_rx_eop),
    .rx_tlp_valid    (c_rx_valid),
    .rx_tlp_ready    (c_rx_ready),
    .tx_tlp_hdr      (c_tx_hdr),
    .tx_tlp_data     (c_tx_data),
    .tx_tlp_sop      (c_tx_sop),
    .tx_tlp_eop      (c_tx_eop),
    .tx_tlp_valid    (c_tx_valid),
    .tx_tlp_ready    (c_tx_ready),
    .intx_assert     (intx_assert),
    .pcie_err_count  (pcie_err_count_unused),
    .rp_tx_tlp_hdr   (c_rptx_hdr),
    .rp_tx_tlp_data  (c_rptx_data),
    .rp_tx_tlp_sop   (c_rptx_sop),
    .rp_tx_tlp_eop   (c_rptx_eop),
    .rp_tx_tlp_valid (c_rptx_valid),
    .rp_tx_tlp_ready (c_rptx_ready),
    .rp_rx_tlp_hdr   (c_rprx_hdr),
    .rp_rx_tlp_data  (c_rprx_data),
    .rp_rx_tlp_sop   (c_rprx_sop),
    .rp_rx_tlp_eop   (c_rprx_eop),
    .rp_rx_tlp_valid (c_rprx_valid),
    .rp_rx_tlp_ready (c_rprx_ready),
    .ddr_req         (ddr_req),
    .ddr_we          (ddr_we),
    .ddr_addr        (ddr_addr),
    .ddr_be          (ddr_be),
    .ddr_wdata       (ddr_wdata),
    .ddr_gnt         (ddr_gnt),
    .ddr_rvalid      (ddr_rvalid),
    .ddr_rdata       (ddr_rdata),
    .quiet           ()                 // the simulator's idle skipping only
  );

  // ================================================================ DDR4
  logic [28:0]  app_addr;
  logic [2:0]   app_cmd;
  logic         app_en, app_wdf_end, app_wdf_wren, app_rdy, app_wdf_rdy, app_rd_valid;
  logic         app_rd_end_unused, dbg_clk_unused;
  logic [511:0] app_wdf_data, app_rd_data, dbg_bus_unused;
  logic [63:0]  app_wdf_mask;
  logic         ddr_x_rst_req, ddr_core_rst, ddr_ui_rst;

  ddr4_c0 u_ddr4 (
    .c0_sys_clk_p              (c0_sys_clk_p),
    .c0_sys_clk_n              (c0_sys_clk_n),
    .sys_rst                   (cpu_reset),
    .c0_init_calib_complete    (calib_done),
    .c0_ddr4_ui_clk            (ui_clk),
    .c0_ddr4_ui_clk_sync_rst   (ui_rst),
    .dbg_clk                   (dbg_clk_unused),
    .dbg_bus                   (dbg_bus_unused),
    .c0_ddr4_act_n             (c0_ddr4_act_n),
    .c0_ddr4_adr               (c0_ddr4_adr),
    .c0_ddr4_ba                (c0_ddr4_ba),
    .c0_ddr4_bg                (c0_ddr4_bg),
    .c0_ddr4_cke               (c0_ddr4_cke),
    .c0_ddr4_odt               (c0_ddr4_odt),
    .c0_ddr4_cs_n              (c0_ddr4_cs_n),
    .c0_ddr4_ck_t              (c0_ddr4_ck_t),
    .c0_ddr4_ck_c              (c0_ddr4_ck_c),
    .c0_ddr4_reset_n           (c0_ddr4_reset_n),
    .c0_ddr4_dm_dbi_n          (c0_ddr4_dm_dbi_n),
    .c0_ddr4_dq                (c0_ddr4_dq),
    .c0_ddr4_dqs_t             (c0_ddr4_dqs_t),
    .c0_ddr4_dqs_c             (c0_ddr4_dqs_c),
    .c0_ddr4_app_addr          (app_addr),
    .c0_ddr4_app_cmd           (app_cmd),
    .c0_ddr4_app_en            (app_en),
    .c0_ddr4_app_hi_pri        (1'b0),
    .c0_ddr4_app_wdf_data      (app_wdf_data),
    .c0_ddr4_app_wdf_end       (app_wdf_end),
    .c0_ddr4_app_wdf_mask      (app_wdf_mask),
    .c0_ddr4_app_wdf_wren      (app_wdf_wren),
    .c0_ddr4_app_rd_data       (app_rd_data),
    .c0_ddr4_app_rd_data_end   (app_rd_end_unused),
    .c0_ddr4_app_rd_data_valid (app_rd_valid),
    .c0_ddr4_app_rdy           (app_rdy),
    .c0_ddr4_app_wdf_rdy       (app_wdf_rdy)
  );

  // The bridge's two sides reset together, from either side's reset.
  assign ddr_x_rst_req = core_dom_rst || ui_rst;

  brd_reset_sync #(
    .HOLD (16)
  ) u_ddr_core_rst (
    .clk (core_clk),
    .req (ddr_x_rst_req),
    .rst (ddr_core_rst)
  );

  brd_reset_sync #(
    .HOLD (16)
  ) u_ddr_ui_rst (
    .clk (ui_clk),
    .req (ddr_x_rst_req),
    .rst (ddr_ui_rst)
  );

  brd_ddr_bridge #(
    .LW             (LW),
    .DDR_LINES_LOG2 (26),
    .APP_AW         (29)
  ) u_ddr_bridge (
    .clk               (core_clk),
    .rst               (ddr_core_rst),
    .l_req             (ddr_req),
    .l_we              (ddr_we),
    .l_addr            (ddr_addr),
    .l_be              (ddr_be),
    .l_wdata           (ddr_wdata),
    .l_gnt             (ddr_gnt),
    .l_rvalid          (ddr_rvalid),
    .l_rdata           (ddr_rdata),
    .ui_clk            (ui_clk),
    .ui_rst            (ddr_ui_rst),
    .calib_done        (calib_done),
    .app_addr          (app_addr),
    .app_cmd           (app_cmd),
    .app_en            (app_en),
    .app_wdf_data      (app_wdf_data),
    .app_wdf_end       (app_wdf_end),
    .app_wdf_mask      (app_wdf_mask),
    .app_wdf_wren      (app_wdf_wren),
    .app_rdy           (app_rdy),
    .app_wdf_rdy       (app_wdf_rdy),
    .app_rd_data       (app_rd_data),
    .app_rd_data_valid (app_rd_valid)
  );

  // ================================================================ endpoint
  kcu105_ep #(
    .DATA_W         (DATA_W),
    .BAR2_SIZE_LOG2 (BAR2_SIZE_LOG2),
    .SH_BAR0        (SH_BAR0),
    .SH_BAR2        (SH_BAR2)
  ) u_ep (
    .refclk      (ep_refclk),
    .refclk_gt   (ep_refclk_gt),
    .perst_n     (pcie_perst_n),
    .pci_rx_p    (pcie_rx_p),
    .pci_rx_n    (pcie_rx_n),
    .pci_tx_p    (pcie_tx_p),
    .pci_tx_n    (pcie_tx_n),
    .lnk_up      (ep_lnk_up),
    .core_clk    (core_clk),
    .core_rst    (core_rst),
    .rx_hdr      (c_rx_hdr),
    .rx_data     (c_rx_data),
    .rx_sop      (c_rx_sop),
    .rx_eop      (c_rx_eop),
    .rx_valid    (c_rx_valid),
    .rx_ready    (c_rx_ready),
    .tx_hdr      (c_tx_hdr),
    .tx_data     (c_tx_data),
    .tx_sop      (c_tx_sop),
    .tx_eop      (c_tx_eop),
    .tx_valid    (c_tx_valid),
    .tx_ready    (c_tx_ready),
    .intx_assert (intx_assert),
    .cfg_ready   (led[2])
  );

  // ================================================================ root port
  logic [PW-1:0] perst_cnt_q;
  logic          perst_done_q;

  // PERST# of the SSD (and the root port's reset) held for PERST_MS after
  // the core domain's reset: the power and the FMC's reference clock settle.
  always_ff @(posedge core_clk) begin
    if (core_dom_rst) begin
      perst_cnt_q <= '0;
      perst_done_q <= 1'b0;
    end else if (!perst_done_q) begin
      perst_cnt_q <= perst_cnt_q + PW'(1);
      if (perst_cnt_q == PW'(PERST_CYCLES)) perst_done_q <= 1'b1;
    end
  end
  assign ssd_perst_n = perst_done_q;

  kcu105_rp #(
    .DATA_W (DATA_W)
  ) u_rp (
    .refclk     (rp_refclk),
    .refclk_gt  (rp_refclk_gt),
    .reset_n    (perst_done_q),
    .pci_rx_p   (ssd_rx_p),
    .pci_rx_n   (ssd_rx_n),
    .pci_tx_p   (ssd_tx_p),
    .pci_tx_n   (ssd_tx_n),
    .lnk_up     (rp_lnk_up),
    .init_done  (led[4]),
    .core_clk   (core_clk),
    .core_rst   (core_rst),
    .rx_hdr     (c_rprx_hdr),
    .rx_data    (c_rprx_data),
    .rx_sop     (c_rprx_sop),
    .rx_eop     (c_rprx_eop),
    .rx_valid   (c_rprx_valid),
    .rx_ready   (c_rprx_ready),
    .tx_hdr     (c_rptx_hdr),
    .tx_data    (c_rptx_data),
    .tx_sop     (c_rptx_sop),
    .tx_eop     (c_rptx_eop),
    .tx_valid   (c_rptx_valid),
    .tx_ready   (c_rptx_ready)
  );

  // ================================================================ LEDs
  logic [26:0] beat_q;
  logic        ep_up_s, rp_up_s, calib_s;

  brd_sync #(
    .W      (3),
    .STAGES (2)
  ) u_led_sync (
    .clk (core_clk),
    .d   ({ep_lnk_up, rp_lnk_up, calib_done}),
    .q   ({ep_up_s, rp_up_s, calib_s})
  );

  always_ff @(posedge core_clk) beat_q <= beat_q + 27'd1;

  assign led[0] = fw_load_q ? !fw_wait : loaded;  // firmware loaded (ROM or host), core running
  assign led[1] = ep_up_s;             // host link up
  assign led[3] = rp_up_s;             // SSD link up
  assign led[5] = calib_s;             // DDR4 calibrated
  assign led[6] = !uart_txd;           // console activity
  assign led[7] = beat_q[26];          // core clock heartbeat
endmodule
