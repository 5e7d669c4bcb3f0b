`default_nettype none
// rp_top: the root port toward the card's SSD, seen from the soft core and
// from the link. Clock domain: clk.
//
// The core reaches it through two regions (soc_map): RP, the registers
// (rp_regs; RP.CFG_DATA is a configuration request), and RPWIN, a window
// whose loads and stores are memory requests to the SSD (rp_outbound).
// Requests from the SSD are served from card memory over the DDR line port
// (rp_inbound); its MSI writes raise `irq`. Card-to-SSD TLPs leave through
// one arbiter, a whole TLP at a time. Contract: docs/nvme-root-port.md.
//
// Interfaces: firmware port (wait states: gnt low holds the core), TLP
// streams toward and from the SSD (format of docs/pcie-function.md), DDR line
// port, interrupt.
module rp_top #(
  parameter int DATA_W = 256,                                 // TLP stream width = DDR line width
  parameter int DDR_AW = 26,                                  // DDR byte-address bits
  parameter logic [63:0] DDR_BUS_BASE = 64'h1_0000_0000,      // bus address of DDR offset 0
  parameter logic [63:0] MSI_ADDR = 64'h0000_0000_fee0_0000, // MSI doorbell bus address
  parameter logic [31:0] TIMEOUT_RESET = soc_map_pkg::RP_TIMEOUT_RESET  // completion timeout after reset, cycles
) (
  input  wire logic        clk,
  input  wire logic        rst,

  // --- firmware port (RP and RPWIN regions) ---
  input  wire logic        f_req,
  input  wire logic        f_we,
  input  wire logic [3:0]  f_be,
  input  wire logic [31:0] f_addr,
  input  wire logic [31:0] f_wdata,
  output logic        f_gnt,
  output logic [31:0] f_rdata,

  // --- toward the SSD ---
  output logic [127:0]      tx_tlp_hdr,
  output logic [DATA_W-1:0] tx_tlp_data,
  output logic              tx_tlp_sop,
  output logic              tx_tlp_eop,
  output logic              tx_tlp_valid,
  input  wire logic         tx_tlp_ready,

  // --- from the SSD ---
  input  wire logic [127:0]      rx_tlp_hdr,
  input  wire logic [DATA_W-1:0] rx_tlp_data,
  input  wire logic              rx_tlp_sop,
  input  wire logic              rx_tlp_eop,
  input  wire logic              rx_tlp_valid,
  output logic                   rx_tlp_ready,

  // --- DDR line port ---
  output logic                   m_req,
  output logic                   m_we,
  output logic [DDR_AW-$clog2(DATA_W/8)-1:0] m_addr,
  output logic [DATA_W/8-1:0]    m_be,
  output logic [DATA_W-1:0]      m_wdata,
  input  wire logic              m_gnt,
  input  wire logic              m_rvalid,
  input  wire logic [DATA_W-1:0] m_rdata,

  // --- interrupt ---
  output logic        irq
);
  localparam int WIN_AW = soc_map_pkg::RPWIN_AW;

  // ------------------------------------------------------------ decode
  logic in_win, in_rp, to_out, to_regs;
  logic out_gnt, sel_out_q;
  logic [31:0] out_rdata, regs_rdata;

  assign in_win = ((f_addr & ~(soc_map_pkg::RPWIN_SIZE - 32'd1)) == soc_map_pkg::RPWIN_BASE);
  assign in_rp = ((f_addr & ~(soc_map_pkg::RP_SIZE - 32'd1)) == soc_map_pkg::RP_BASE);
  // CFG_DATA is one DW: sub-word accesses anywhere in it carry their byte enables.
  assign to_out = f_req && (in_win || (in_rp && {f_addr[11:2], 2'b00} == soc_map_pkg::RP_CFG_DATA));
  assign to_regs = f_req && in_rp && !to_out;
  assign f_gnt = to_out ? out_gnt : 1'b1;

  always_ff @(posedge clk) begin
    if (rst) sel_out_q <= 1'b0;
    else if (f_req && f_gnt) sel_out_q <= to_out;
  end
  assign f_rdata = sel_out_q ? out_rdata : regs_rdata;

  // ------------------------------------------------------------ blocks
  logic [31:0] cfg_addr, timeout;
  logic [63:0] win_base;
  logic [15:0] rid;
  logic ev_timeout, ev_ur, ev_ca, ev_crs, ev_poison, ev_malformed, ev_unexpected;
  logic ev_refused, ev_dropped, msi_valid;
  logic [63:0] ev_addr;
  logic [31:0] msi_data;
  logic        cpl_valid;
  logic [127:0] cpl_hdr;
  logic [31:0] cpl_data0;

  logic [127:0]      o_hdr, i_hdr;
  logic [DATA_W-1:0] o_data, i_data;
  logic o_sop, o_eop, o_valid, o_ready, i_sop, i_eop, i_valid, i_ready;

  rp_regs #(
    .WIN_AW        (WIN_AW),
    .DDR_AW        (DDR_AW),
    .DDR_BUS_BASE  (DDR_BUS_BASE),
    .MSI_ADDR      (MSI_ADDR),
    .TIMEOUT_RESET (TIMEOUT_RESET)
  ) u_regs (
    .clk           (clk),
    .rst           (rst),
    .req           (to_regs),
    .we            (f_we),
    .addr          (f_addr[11:0]),
    .wdata         (f_wdata),
    .rdata         (regs_rdata),
    .cfg_addr      (cfg_addr),
    .win_base      (win_base),
    .timeout       (timeout),
    .rid           (rid),
    .ev_timeout    (ev_timeout),
    .ev_ur         (ev_ur),
    .ev_ca         (ev_ca),
    .ev_crs        (ev_crs),
    .ev_poison     (ev_poison),
    .ev_malformed  (ev_malformed),
    .ev_unexpected (ev_unexpected),
    .ev_refused    (ev_refused),
    .ev_dropped    (ev_dropped),
    .ev_addr       (ev_addr),
    .msi_valid     (msi_valid),
    .msi_data      (msi_data),
    .irq           (irq)
  );

  rp_outbound #(
    .DATA_W (DATA_W),
    .WIN_AW (WIN_AW)
  ) u_out (
    .clk           (clk),
    .rst           (rst),
    .f_req         (to_out),
    .f_cfg         (!in_win),
    .f_we          (f_we),
    .f_be          (f_be),
    .f_off         (f_addr[WIN_AW-1:0]),
    .f_wdata       (f_wdata),
    .f_gnt         (out_gnt),
    .f_rdata       (out_rdata),
    .cfg_addr      (cfg_addr),
    .win_base      (win_base),
    .timeout       (timeout),
    .rid           (rid),
    .tx_hdr        (o_hdr),
    .tx_data       (o_data),
    .tx_sop        (o_sop),
    .tx_eop        (o_eop),
    .tx_valid      (o_valid),
    .tx_ready      (o_ready),
    .cpl_valid     (cpl_valid),
    .cpl_hdr       (cpl_hdr),
    .cpl_data0     (cpl_data0),
    .ev_timeout    (ev_timeout),
    .ev_ur         (ev_ur),
    .ev_ca         (ev_ca),
    .ev_crs        (ev_crs),
    .ev_poison     (ev_poison),
    .ev_malformed  (ev_malformed),
    .ev_unexpected (ev_unexpected)
  );

  rp_inbound #(
    .DATA_W       (DATA_W),
    .DDR_AW       (DDR_AW),
    .DDR_BUS_BASE (DDR_BUS_BASE),
    .MSI_ADDR     (MSI_ADDR)
  ) u_in (
    .clk        (clk),
    .rst        (rst),
    .rx_hdr     (rx_tlp_hdr),
    .rx_data    (rx_tlp_data),
    .rx_sop     (rx_tlp_sop),
    .rx_eop     (rx_tlp_eop),
    .rx_valid   (rx_tlp_valid),
    .rx_ready   (rx_tlp_ready),
    .tx_hdr     (i_hdr),
    .tx_data    (i_data),
    .tx_sop     (i_sop),
    .tx_eop     (i_eop),
    .tx_valid   (i_valid),
    .tx_ready   (i_ready),
    .cpl_valid  (cpl_valid),
    .cpl_hdr    (cpl_hdr),
    .cpl_data0  (cpl_data0),
    .m_req      (m_req),
    .m_we       (m_we),
    .m_addr     (m_addr),
    .m_be       (m_be),
    .m_wdata    (m_wdata),
    .m_gnt      (m_gnt),
    .m_rvalid   (m_rvalid),
    .m_rdata    (m_rdata),
    .rid        (rid),
    .msi_valid  (msi_valid),
    .msi_data   (msi_data),
    .ev_refused (ev_refused),
    .ev_dropped (ev_dropped),
    .ev_addr    (ev_addr)
  );

  // Completions (A) and the firmware's requests (B) share the link.
  pcie_tx_arb #(
    .DATA_W (DATA_W)
  ) u_arb (
    .clk       (clk),
    .rst       (rst),
    .a_hdr     (i_hdr),
    .a_data    (i_data),
    .a_sop     (i_sop),
    .a_eop     (i_eop),
    .a_valid   (i_valid),
    .a_ready   (i_ready),
    .b_hdr     (o_hdr),
    .b_data    (o_data),
    .b_sop     (o_sop),
    .b_eop     (o_eop),
    .b_valid   (o_valid),
    .b_ready   (o_ready),
    .out_hdr   (tx_tlp_hdr),
    .out_data  (tx_tlp_data),
    .out_sop   (tx_tlp_sop),
    .out_eop   (tx_tlp_eop),
    .out_valid (tx_tlp_valid),
    .out_ready (tx_tlp_ready)
  );
endmodule
