`default_nettype none
// card_top: the portable core of the card: the soft-core SoC, the virtio-fs
// PCIe function, the root port toward the SSD and the card memory's front
// end, without board specifics (hard IPs, DDR controller, pins).
// Clock domain: clk (one clock in this version; the board adds crossings).
// Interfaces: the SoC's loader and observation ports, generic TLP streams to
// the endpoint's hard-IP adapter and to the root port's, the BAR2 memory
// port, the DDR line port (the board's DDR controller; a behavioural memory
// in simulation, rtl/sim/sim_card_top.sv).
module card_top #(
  parameter int DATA_W = 256,         // TLP stream payload width
  parameter int BAR2_SIZE_LOG2 = 30,  // DAX window size, log2 bytes
  parameter int NUM_REQ_QUEUES = 4,   // request queues besides hiprio
  parameter int UART_CLKS_PER_BIT = 1, // 1 in simulation
  parameter int DDR_AW = 26,          // DDR byte-address bits (at most the DDR map region)
  parameter logic [63:0] DDR_BUS_BASE = 64'h1_0000_0000,     // DDR offset 0 as the SSD addresses it
  parameter logic [63:0] RP_MSI_ADDR = 64'h0000_0000_fee0_0000 // where the SSD's MSI writes go
) (
  input  wire logic        clk,
  input  wire logic        rst,

  // --- loader and observation (soc_top) ---
  input  wire logic        ld_valid,
  input  wire logic [31:0] ld_addr,
  input  wire logic [31:0] ld_data,
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

  // --- BAR2 memory (DDR) ---
  output logic        mem_req,
  output logic        mem_we,
  output logic [BAR2_SIZE_LOG2-1:0] mem_addr,
  output logic [3:0]  mem_be,
  output logic [31:0] mem_wdata,
  input  wire logic        mem_gnt,
  input  wire logic        mem_rvalid,
  input  wire logic [31:0] mem_rdata,
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
  input  wire logic [DATA_W-1:0] ddr_rdata
);
  initial begin
    if ((64'd1 << DDR_AW) > 64'(soc_map_pkg::DDR_SIZE)) $error("card_top: DDR larger than its map region");
  end

  localparam int LW = DDR_AW - $clog2(DATA_W / 8);

  // SoC interrupt line 31 is the function's notification interrupt, line 30
  // the root port's MSI interrupt.
  logic        ext_req, ext_we, fn_irq, rp_irq;
  logic [3:0]  ext_be;
  logic [31:0] ext_addr, ext_wdata, ext_rdata;
  logic        ws_req, ws_we, ws_gnt;
  logic [3:0]  ws_be;
  logic [31:0] ws_addr, ws_wdata, ws_rdata;

  soc_top #(
    .UART_CLKS_PER_BIT (UART_CLKS_PER_BIT),
    .NIRQ              (32)
  ) u_soc (
    .clk           (clk),
    .rst           (rst),
    .ld_valid      (ld_valid),
    .ld_addr       (ld_addr),
    .ld_data       (ld_data),
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
    .NUM_REQ_QUEUES (NUM_REQ_QUEUES)
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
    .mem_req      (mem_req),
    .mem_we       (mem_we),
    .mem_addr     (mem_addr),
    .mem_be       (mem_be),
    .mem_wdata    (mem_wdata),
    .mem_gnt      (mem_gnt),
    .mem_rvalid   (mem_rvalid),
    .mem_rdata    (mem_rdata),
    .err_count    (pcie_err_count)
  );

  // ---------------------------------------------------------------- root port and DDR
  // The wait-state port carries the RP and RPWIN regions (root port) and DDR.
  logic        in_ddr, sel_ddr_q;
  logic        rp_f_gnt, c_gnt;
  logic [31:0] rp_f_rdata, c_rdata;
  logic        m_req, m_we, m_gnt, m_rvalid;
  logic [LW-1:0] m_addr;
  logic [DATA_W/8-1:0] m_be;
  logic [DATA_W-1:0] m_wdata, m_rdata;

  assign in_ddr = ((ws_addr & ~(soc_map_pkg::DDR_SIZE - 32'd1)) == soc_map_pkg::DDR_BASE);
  assign ws_gnt = in_ddr ? c_gnt : rp_f_gnt;
  always_ff @(posedge clk) begin
    if (rst) sel_ddr_q <= 1'b0;
    else if (ws_req && ws_gnt) sel_ddr_q <= in_ddr;
  end
  assign ws_rdata = sel_ddr_q ? c_rdata : rp_f_rdata;

  rp_top #(
    .DATA_W       (DATA_W),
    .DDR_AW       (DDR_AW),
    .DDR_BUS_BASE (DDR_BUS_BASE),
    .MSI_ADDR     (RP_MSI_ADDR)
  ) u_rp (
    .clk          (clk),
    .rst          (rst),
    .f_req        (ws_req && !in_ddr),
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

  card_ddr #(
    .DATA_W (DATA_W),
    .DDR_AW (DDR_AW)
  ) u_ddr (
    .clk        (clk),
    .rst        (rst),
    .c_req      (ws_req && in_ddr),
    .c_we       (ws_we),
    .c_be       (ws_be),
    .c_addr     (ws_addr[DDR_AW-1:0]),
    .c_wdata    (ws_wdata),
    .c_gnt      (c_gnt),
    .c_rdata    (c_rdata),
    .p_req      (m_req),
    .p_we       (m_we),
    .p_addr     (m_addr),
    .p_be       (m_be),
    .p_wdata    (m_wdata),
    .p_gnt      (m_gnt),
    .p_rvalid   (m_rvalid),
    .p_rdata    (m_rdata),
    .ddr_req    (ddr_req),
    .ddr_we     (ddr_we),
    .ddr_addr   (ddr_addr),
    .ddr_be     (ddr_be),
    .ddr_wdata  (ddr_wdata),
    .ddr_gnt    (ddr_gnt),
    .ddr_rvalid (ddr_rvalid),
    .ddr_rdata  (ddr_rdata)
  );
endmodule
