`default_nettype none
// card_top: the portable core of the card: the soft-core SoC, the virtio-fs
// PCIe function, the root port toward the SSD and the card memory's front
// end, without board specifics (hard IPs, DDR controller, pins). Card memory
// (DDR) holds the firmware's DDR region in its lower half and the DAX window
// (BAR2, rtl/dax/dax_window.sv) from its middle, 2**(DDR_AW-1), on.
// Clock domain: clk (one clock in this version; the board adds crossings).
// Interfaces: the SoC's loader and observation ports, the firmware-load
// strap (vfs_fwload: with it set at reset the core waits for the host's
// load through BAR0), generic TLP streams to
// the endpoint's hard-IP adapter and to the root port's, the DDR line port (the board's DDR controller; a behavioural memory
// in simulation, rtl/sim/sim_card_top.sv), and quiet: nothing moves on any
// of the card's paths this cycle (see its assignment).
module card_top #(
  parameter int DATA_W = 256,         // TLP stream payload width
  parameter int BAR2_SIZE_LOG2 = 30,  // DAX window size, log2 bytes
  parameter int NUM_REQ_QUEUES = 4,   // request queues besides hiprio
  parameter int UART_CLKS_PER_BIT = 1, // 1 in simulation
  parameter int TICK_NS = 4,          // clk period in ns (the card's clock advances by it per cycle)
  parameter int DDR_AW = 31,          // card memory byte-address bits: DDR region below 2**(DDR_AW-1), window above
  parameter logic [63:0] DDR_BUS_BASE = 64'h1_0000_0000,     // DDR offset 0 as the SSD addresses it
  parameter logic [63:0] RP_MSI_ADDR = 64'h0000_0000_fee0_0000 // where the SSD's MSI writes go
) (
  input  wire logic        clk,
  input  wire logic        rst,

  // --- loader and observation (soc_top) ---
  input  wire logic        ld_valid,
  input  wire logic [31:0] ld_addr,
  input  wire logic [31:0] ld_data,
  input  wire logic        fw_load_strap,  // at rst: 1 = the host loads the firmware
  output logic        fw_wait,        // the core is held for the host's load
  input  wire logic [29:0] irq_lines,
  output logic        uart_tx,
  output logic        con_valid,
  output logic [7:0]  con_data,
  output logic        exit_valid,
  output logic [31:0] exit_value,
  output logic        store_valid,
  output logic [31:0] store_addr,
  output logic [31:0] store_data,
  output logic [3:0]  store_be,
  output logic        retire,
  output logic [63:0] cycle_count,
  output logic [63:0] instret_count,

  // --- PCIe TLP streams ---
  input  wire logic [127:0]      rx_tlp_hdr,
  input  wire logic [DATA_W-1:0] rx_tlp_data,
  input  wire logic              rx_tlp_sop,
  input  wire logic              rx_tlp_eop,
  input  wire logic              rx_tlp_valid,
  output logic                   rx_tlp_ready,
  output logic [127:0]      tx_tlp_hdr,
  output logic [DATA_W-1:0] tx_tlp_data,
  output logic              tx_tlp_sop,
  output logic              tx_tlp_eop,
  output logic              tx_tlp_valid,
  input  wire logic         tx_tlp_ready,
  output logic              intx_assert,

  output logic [31:0] pcie_err_count,

  // --- root port toward the SSD ---
  output logic [127:0]      rp_tx_tlp_hdr,
  output logic [DATA_W-1:0] rp_tx_tlp_data,
  output logic              rp_tx_tlp_sop,
  output logic              rp_tx_tlp_eop,
  output logic              rp_tx_tlp_valid,
  input  wire logic         rp_tx_tlp_ready,
  input  wire logic [127:0]      rp_rx_tlp_hdr,
  input  wire logic [DATA_W-1:0] rp_rx_tlp_data,
  input  wire logic              rp_rx_tlp_sop,
  input  wire logic              rp_rx_tlp_eop,
  input  wire logic              rp_rx_tlp_valid,
  output logic                   rp_rx_tlp_ready,

  // --- DDR line port (in-order read data, any latency) ---
  output logic                   ddr_req,
  output logic                   ddr_we,
  output logic [DDR_AW-$clog2(DATA_W/8)-1:0] ddr_addr,
  output logic [DATA_W/8-1:0]    ddr_be,
  output logic [DATA_W-1:0]      ddr_wdata,
  input  wire logic              ddr_gnt,
  input  wire logic              ddr_rvalid,
  input  wire logic [DATA_W-1:0] ddr_rdata,

  // --- activity (the simulator's idle skipping, rtl/sim/sim_card_top.sv) ---
  output logic                   quiet
);
  initial begin
    if (64'(soc_map_pkg::DDR_SIZE) > (64'd1 << (DDR_AW - 1))) $error("card_top: DDR region larger than half of card memory");
    if (BAR2_SIZE_LOG2 > DDR_AW - 1) $error("card_top: DAX window larger than half of card memory");
    if (64'(soc_map_pkg::DAXWIN_SIZE) < (64'd1 << BAR2_SIZE_LOG2)) $error("card_top: DAX window larger than its map region");
  end

  localparam int LW = DDR_AW - $clog2(DATA_W / 8);
  localparam logic [DDR_AW-1:0] WIN_OFF = DDR_AW'(1) << (DDR_AW - 1);

  // The DMA engine's line port to card memory
  logic        k_req, k_we, k_gnt, k_rvalid;
  logic [LW-1:0] k_addr;
  logic [DATA_W/8-1:0] k_be;
  logic [DATA_W-1:0] k_wdata;

  // SoC interrupt line 31 is the function's notification interrupt, line 30
  // the root port's MSI interrupt.
  logic        ext_req, ext_we, fn_irq, rp_irq;
  logic [3:0]  ext_be;
  logic [31:0] ext_addr, ext_wdata, ext_rdata;
  logic        ws_req, ws_we, ws_gnt;
  logic        bq_valid, bq_ready, bq_sop, bq_eop, bq_we, bd_valid, bd_ready;
  logic [BAR2_SIZE_LOG2-1:0] bq_addr;
  logic [10:0] bq_ndw;
  logic [3:0]  bq_fbe, bq_lbe;
  logic [DATA_W-1:0] bq_data, bd_data;
  logic [3:0]  ws_be;
  logic [31:0] ws_addr, ws_wdata, ws_rdata;
  logic        fast_idle;               // the READ fast path has nothing in hand
  // The host's load (vfs_fwload) shares the loader port and holds the core.
  logic        fw_ld_valid;
  logic [31:0] fw_ld_addr, fw_ld_data;

  soc_top #(
    .UART_CLKS_PER_BIT (UART_CLKS_PER_BIT),
    .NIRQ              (32)
  ) u_soc (
    .clk           (clk),
    .rst           (rst || fw_wait),
    .ld_valid      (ld_valid || fw_ld_valid),
    .ld_addr       (fw_ld_valid ? fw_ld_addr : ld_addr),
    .ld_data       (fw_ld_valid ? fw_ld_data : ld_data),
    .irq_lines     ({fn_irq, rp_irq, irq_lines}),
    .ext_req       (ext_req),
    .ext_we        (ext_we),
    .ext_be        (ext_be),
    .ext_addr      (ext_addr),
    .ext_wdata     (ext_wdata),
    .ext_rdata     (ext_rdata),
    .ws_req        (ws_req),
    .ws_we         (ws_we),
    .ws_be         (ws_be),
    .ws_addr       (ws_addr),
    .ws_wdata      (ws_wdata),
    .ws_gnt        (ws_gnt),
    .ws_rdata      (ws_rdata),
    .uart_tx       (uart_tx),
    .con_valid     (con_valid),
    .con_data      (con_data),
    .exit_valid    (exit_valid),
    .exit_value    (exit_value),
    .store_valid   (store_valid),
    .store_addr    (store_addr),
    .store_data    (store_data),
    .store_be      (store_be),
    .retire        (retire),
    .cycle_count   (cycle_count),
    .instret_count (instret_count)
  );

  vfs_pcie #(
    .DATA_W         (DATA_W),
    .BAR2_SIZE_LOG2 (BAR2_SIZE_LOG2),
    .NUM_REQ_QUEUES (NUM_REQ_QUEUES),
    .TICK_NS        (TICK_NS),
    .CARD_AW        (DDR_AW),
    .WIN_OFF        (32'(WIN_OFF))
  ) u_fn (
    .clk          (clk),
    .rst          (rst),
    .rx_tlp_hdr   (rx_tlp_hdr),
    .rx_tlp_data  (rx_tlp_data),
    .rx_tlp_sop   (rx_tlp_sop),
    .rx_tlp_eop   (rx_tlp_eop),
    .rx_tlp_valid (rx_tlp_valid),
    .rx_tlp_ready (rx_tlp_ready),
    .tx_tlp_hdr   (tx_tlp_hdr),
    .tx_tlp_data  (tx_tlp_data),
    .tx_tlp_sop   (tx_tlp_sop),
    .tx_tlp_eop   (tx_tlp_eop),
    .tx_tlp_valid (tx_tlp_valid),
    .tx_tlp_ready (tx_tlp_ready),
    .intx_assert  (intx_assert),
    .f_req        (ext_req),
    .f_we         (ext_we),
    .f_be         (ext_be),
    .f_addr       (ext_addr),
    .f_wdata      (ext_wdata),
    .f_rdata      (ext_rdata),
    .f_irq        (fn_irq),
    .bq_valid     (bq_valid),
    .bq_ready     (bq_ready),
    .bq_sop       (bq_sop),
    .bq_eop       (bq_eop),
    .bq_we        (bq_we),
    .bq_addr      (bq_addr),
    .bq_ndw       (bq_ndw),
    .bq_fbe       (bq_fbe),
    .bq_lbe       (bq_lbe),
    .bq_data      (bq_data),
    .bd_valid     (bd_valid),
    .bd_ready     (bd_ready),
    .bd_data      (bd_data),
    .k_req        (k_req),
    .k_we         (k_we),
    .k_addr       (k_addr),
    .k_be         (k_be),
    .k_wdata      (k_wdata),
    .k_gnt        (k_gnt),
    .k_rvalid     (k_rvalid),
    .k_rdata      (p_rdata),
    .fw_strap     (fw_load_strap),
    .fw_ld_valid  (fw_ld_valid),
    .fw_ld_addr   (fw_ld_addr),
    .fw_ld_data   (fw_ld_data),
    .fw_core_hold (fw_wait),
    .err_count    (pcie_err_count),
    .fast_idle    (fast_idle)
  );

  // ---------------------------------------------------------------- root port, DAX window and DDR
  // The wait-state port carries the RP and RPWIN regions (root port), DDR
  // and DAXWIN (card memory) and DAX (the window's registers).
  logic        in_ddr, in_win, in_dax;
  logic [1:0]  sel_q;                       // 0 root port, 1 card memory, 2 DAX registers
  logic        rp_f_gnt, c_gnt, x_gnt;
  logic [31:0] rp_f_rdata, c_rdata, x_rdata;
  logic [DDR_AW-1:0] c_addr;
  logic        m_req, m_we, m_gnt, m_rvalid;
  logic [LW-1:0] m_addr;
  logic [DATA_W/8-1:0] m_be;
  logic [DATA_W-1:0] m_wdata, m_rdata;
  logic        w_req, w_we, w_gnt, w_rvalid;
  logic [LW-1:0] w_addr;
  logic [DATA_W/8-1:0] w_be;
  logic [DATA_W-1:0] w_wdata;
  logic        n_req, n_we, n_gnt, n_rvalid;
  logic [LW-1:0] n_addr;
  logic [DATA_W/8-1:0] n_be;
  logic [DATA_W-1:0] n_wdata;
  logic        p_req, p_we, p_gnt, p_rvalid;
  logic [LW-1:0] p_addr;
  logic [DATA_W/8-1:0] p_be;
  logic [DATA_W-1:0] p_wdata, p_rdata;
  logic        ddr_idle, dax_idle;

  assign in_ddr = ((ws_addr & ~(soc_map_pkg::DDR_SIZE - 32'd1)) == soc_map_pkg::DDR_BASE);
  assign in_win = ((ws_addr & ~(soc_map_pkg::DAXWIN_SIZE - 32'd1)) == soc_map_pkg::DAXWIN_BASE);
  assign in_dax = ((ws_addr & ~(soc_map_pkg::DAX_SIZE - 32'd1)) == soc_map_pkg::DAX_BASE);
  // DDR region offset o is card memory o; DAXWIN offset o is WIN_OFF + o.
  assign c_addr = in_win ? (WIN_OFF | DDR_AW'(ws_addr[BAR2_SIZE_LOG2-1:0]))
                         : DDR_AW'(ws_addr & (soc_map_pkg::DDR_SIZE - 32'd1));
  assign ws_gnt = (in_ddr || in_win) ? c_gnt : in_dax ? x_gnt : rp_f_gnt;
  always_ff @(posedge clk) begin
    if (rst) sel_q <= 2'd0;
    else if (ws_req && ws_gnt) sel_q <= (in_ddr || in_win) ? 2'd1 : in_dax ? 2'd2 : 2'd0;
  end
  assign ws_rdata = (sel_q == 2'd1) ? c_rdata : (sel_q == 2'd2) ? x_rdata : rp_f_rdata;

  dax_window #(
    .DATA_W      (DATA_W),
    .WIN_LOG2    (BAR2_SIZE_LOG2),
    .DDR_AW      (DDR_AW),
    .WIN_DDR_OFF (32'(WIN_OFF))
  ) u_dax (
    .clk      (clk),
    .rst      (rst),
    .g_valid  (bq_valid),
    .g_ready  (bq_ready),
    .g_sop    (bq_sop),
    .g_eop    (bq_eop),
    .g_we     (bq_we),
    .g_addr   (bq_addr),
    .g_ndw    (bq_ndw),
    .g_fbe    (bq_fbe),
    .g_lbe    (bq_lbe),
    .g_data   (bq_data),
    .d_valid  (bd_valid),
    .d_ready  (bd_ready),
    .d_data   (bd_data),
    .r_req    (ws_req && in_dax),
    .r_we     (ws_we),
    .r_addr   (ws_addr[15:0]),
    .r_wdata  (ws_wdata),
    .r_gnt    (x_gnt),
    .r_rdata  (x_rdata),
    .l_req    (w_req),
    .l_we     (w_we),
    .l_addr   (w_addr),
    .l_be     (w_be),
    .l_wdata  (w_wdata),
    .l_gnt    (w_gnt),
    .l_rvalid (w_rvalid),
    .l_rdata  (p_rdata),
    .idle     (dax_idle)
  );

  // Reads in flight: up to the window's read FIFO (16 lines), so window
  // reads keep a line per cycle over a DDR latency of up to 16 cycles.
  card_line_arb #(
    .DATA_W (DATA_W),
    .LW     (LW),
    .OWNERS (16)
  ) u_line_arb (
    .clk      (clk),
    .rst      (rst),
    .a_req    (m_req),
    .a_we     (m_we),
    .a_addr   (m_addr),
    .a_be     (m_be),
    .a_wdata  (m_wdata),
    .a_gnt    (m_gnt),
    .a_rvalid (m_rvalid),
    .b_req    (w_req),
    .b_we     (w_we),
    .b_addr   (w_addr),
    .b_be     (w_be),
    .b_wdata  (w_wdata),
    .b_gnt    (w_gnt),
    .b_rvalid (w_rvalid),
    .m_req    (n_req),
    .m_we     (n_we),
    .m_addr   (n_addr),
    .m_be     (n_be),
    .m_wdata  (n_wdata),
    .m_gnt    (n_gnt),
    .m_rvalid (n_rvalid)
  );
  assign m_rdata = p_rdata;

  // Second level: the SSD and the window (a) against the DMA engine (b).
  // Under load the DMA engine gets every other line, the other two one in
  // four each. Reads in flight: the DMA engine's buffer (16 lines).
  card_line_arb #(
    .DATA_W (DATA_W),
    .LW     (LW),
    .OWNERS (16)
  ) u_line_arb_dma (
    .clk      (clk),
    .rst      (rst),
    .a_req    (n_req),
    .a_we     (n_we),
    .a_addr   (n_addr),
    .a_be     (n_be),
    .a_wdata  (n_wdata),
    .a_gnt    (n_gnt),
    .a_rvalid (n_rvalid),
    .b_req    (k_req),
    .b_we     (k_we),
    .b_addr   (k_addr),
    .b_be     (k_be),
    .b_wdata  (k_wdata),
    .b_gnt    (k_gnt),
    .b_rvalid (k_rvalid),
    .m_req    (p_req),
    .m_we     (p_we),
    .m_addr   (p_addr),
    .m_be     (p_be),
    .m_wdata  (p_wdata),
    .m_gnt    (p_gnt),
    .m_rvalid (p_rvalid)
  );

  rp_top #(
    .DATA_W       (DATA_W),
    .DDR_AW       (DDR_AW),
    .DDR_BUS_BASE (DDR_BUS_BASE),
    .MSI_ADDR     (RP_MSI_ADDR)
  ) u_rp (
    .clk          (clk),
    .rst          (rst),
    .f_req        (ws_req && !in_ddr && !in_win && !in_dax),
    .f_we         (ws_we),
    .f_be         (ws_be),
    .f_addr       (ws_addr),
    .f_wdata      (ws_wdata),
    .f_gnt        (rp_f_gnt),
    .f_rdata      (rp_f_rdata),
    .tx_tlp_hdr   (rp_tx_tlp_hdr),
    .tx_tlp_data  (rp_tx_tlp_data),
    .tx_tlp_sop   (rp_tx_tlp_sop),
    .tx_tlp_eop   (rp_tx_tlp_eop),
    .tx_tlp_valid (rp_tx_tlp_valid),
    .tx_tlp_ready (rp_tx_tlp_ready),
    .rx_tlp_hdr   (rp_rx_tlp_hdr),
    .rx_tlp_data  (rp_rx_tlp_data),
    .rx_tlp_sop   (rp_rx_tlp_sop),
    .rx_tlp_eop   (rp_rx_tlp_eop),
    .rx_tlp_valid (rp_rx_tlp_valid),
    .rx_tlp_ready (rp_rx_tlp_ready),
    .m_req        (m_req),
    .m_we         (m_we),
    .m_addr       (m_addr),
    .m_be         (m_be),
    .m_wdata      (m_wdata),
    .m_gnt        (m_gnt),
    .m_rvalid     (m_rvalid),
    .m_rdata      (m_rdata),
    .irq          (rp_irq)
  );

  // Owner FIFO: the port's reads in flight (at most 16, the second-level
  // arbiter's) and the core's line fetch.
  card_ddr #(
    .DATA_W (DATA_W),
    .DDR_AW (DDR_AW),
    .OWNERS (32)
  ) u_ddr (
    .clk        (clk),
    .rst        (rst),
    .c_req      (ws_req && (in_ddr || in_win)),
    .c_we       (ws_we),
    .c_be       (ws_be),
    .c_addr     (c_addr),
    .c_wdata    (ws_wdata),
    .c_gnt      (c_gnt),
    .c_rdata    (c_rdata),
    .p_req      (p_req),
    .p_we       (p_we),
    .p_addr     (p_addr),
    .p_be       (p_be),
    .p_wdata    (p_wdata),
    .p_gnt      (p_gnt),
    .p_rvalid   (p_rvalid),
    .p_rdata    (p_rdata),
    .ddr_req    (ddr_req),
    .ddr_we     (ddr_we),
    .ddr_addr   (ddr_addr),
    .ddr_be     (ddr_be),
    .ddr_wdata  (ddr_wdata),
    .ddr_gnt    (ddr_gnt),
    .ddr_rvalid (ddr_rvalid),
    .ddr_rdata  (ddr_rdata),
    .idle       (ddr_idle)
  );

  // Nothing moves this cycle: no TLP offered or taken on either link, no
  // request on any of the SoC's buses or card-memory line ports, no DDR read
  // in flight, the window and the DDR front end idle inside, and the core
  // retires nothing, and the READ fast path (vq_fast) has nothing in hand.
  // While the core also sleeps in WFI, nothing but the
  // free-running counters changes until an interrupt or a TLP arrives (the
  // simulator skips such spans).
  // The inputs it reads (the links' valids, ddr_rvalid) come from registers
  // in sim_card_top, so it settles with one evaluation per clock there; the
  // board leaves it open.
  assign quiet = !retire && !store_valid && !ext_req && !ws_req &&
                 !rx_tlp_valid && !tx_tlp_valid && !rp_rx_tlp_valid && !rp_tx_tlp_valid &&
                 !k_req && !m_req && !w_req && !ddr_req && !ddr_rvalid &&
                 !bq_valid && !bd_valid && ddr_idle && dax_idle && fast_idle;
endmodule
