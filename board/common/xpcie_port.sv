`default_nettype none
// xpcie_port: everything between one UltraScale PCIe3 hard IP's AXI4-Stream
// interfaces (CQ/CC/RQ/RC) and the core's TLP streams, shared by the
// endpoint and the root port of a board: the four adapters, the merge of CQ
// and RC, the split of the core's TLPs into completions (CC) and requests
// (RQ), the two TLP crossings and their resets. Clock domains: clk, the
// IP's user clock (the IP's interfaces, up_*/dn_*, xtx_*/out_*, rst), and
// core_clk (rx_*/tx_*, core_rst).
//
// Receive: CQ and RC merge (up_*) and, after what the board puts in between
// (the endpoint's configuration bridge; the root port loops up_* back into
// dn_*), cross to the core whole (dn_* -> rx_*; a discontinued TLP is
// dropped). Transmit: the core's TLPs cross (tx_* -> xtx_*) and, after what
// the board puts in between, split (out_*): completions to CC, requests to
// RQ. The crossings and the user clock domain reset with either side
// (user_reset or core_rst); rst is that reset for the board's own logic in
// the user clock domain.
//
// Interfaces: the hard IP's CQ/RC (AXI4-Stream slaves) and CC/RQ
// (AXI4-Stream masters), the user-domain streams around the board's bridge,
// the core's TLP streams.
module xpcie_port #(
  parameter int DATA_W = 256,                 // TLP stream width (the adapters take 256)
  parameter bit BAR_REMAP = 1'b1,             // CQ: rebase BAR 0 / BAR 2 hits (endpoint)
  parameter int BAR0_SIZE_LOG2 = 15,          // CQ: BAR 0 size, log2 bytes
  parameter int BAR2_SIZE_LOG2 = 30,          // CQ: BAR 2 size, log2 bytes
  parameter logic [63:0] BAR0_BASE = 64'h8000_0000, // CQ: core's BAR 0 base (shadow)
  parameter logic [63:0] BAR2_BASE = 64'h4000_0000, // CQ: core's BAR 2 base (shadow)
  parameter bit CPL_ID_ENABLE = 1'b0,         // CC: 1: completer ID from the TLP, 0: the IP's own
  parameter bit RID_ENABLE = 1'b0             // RQ: 1: requester ID from the TLP, 0: the IP's own
) (
  // --- the hard IP's user clock domain ---
  input  wire logic        clk,
  input  wire logic        user_reset,
  output logic             rst,               // reset of the user clock domain (either side)

  // --- CQ and RC from the hard IP ---
  input  wire logic [255:0] s_axis_cq_tdata,
  input  wire logic [84:0]  s_axis_cq_tuser,
  input  wire logic [7:0]   s_axis_cq_tkeep,
  input  wire logic         s_axis_cq_tlast,
  input  wire logic         s_axis_cq_tvalid,
  output logic              s_axis_cq_tready,
  input  wire logic [255:0] s_axis_rc_tdata,
  input  wire logic [74:0]  s_axis_rc_tuser,
  input  wire logic [7:0]   s_axis_rc_tkeep,
  input  wire logic         s_axis_rc_tlast,
  input  wire logic         s_axis_rc_tvalid,
  output logic              s_axis_rc_tready,

  // --- CC and RQ to the hard IP ---
  output logic [255:0] m_axis_cc_tdata,
  output logic [32:0]  m_axis_cc_tuser,
  output logic [7:0]   m_axis_cc_tkeep,
  output logic         m_axis_cc_tlast,
  output logic         m_axis_cc_tvalid,
  input  wire logic    m_axis_cc_tready,
  output logic [255:0] m_axis_rq_tdata,
  output logic [59:0]  m_axis_rq_tuser,
  output logic [7:0]   m_axis_rq_tkeep,
  output logic         m_axis_rq_tlast,
  output logic         m_axis_rq_tvalid,
  input  wire logic    m_axis_rq_tready,

  // --- receive stream in the user clock domain: up_* out, dn_* back in ---
  output logic [127:0] up_hdr,
  output logic [255:0] up_data,
  output logic         up_sop,
  output logic         up_eop,
  output logic         up_err,
  output logic         up_valid,
  input  wire logic    up_ready,
  input  wire logic [127:0] dn_hdr,
  input  wire logic [255:0] dn_data,
  input  wire logic         dn_sop,
  input  wire logic         dn_eop,
  input  wire logic         dn_err,
  input  wire logic         dn_valid,
  output logic              dn_ready,

  // --- transmit stream in the user clock domain: xtx_* out, out_* back in ---
  output logic [127:0] xtx_hdr,
  output logic [255:0] xtx_data,
  output logic         xtx_sop,
  output logic         xtx_eop,
  output logic         xtx_valid,
  input  wire logic    xtx_ready,
  input  wire logic [127:0] out_hdr,
  input  wire logic [255:0] out_data,
  input  wire logic         out_sop,
  input  wire logic         out_eop,
  input  wire logic         out_valid,
  output logic              out_ready,

  // --- core side (core_clk) ---
  input  wire logic              core_clk,
  input  wire logic              core_rst,
  output logic [127:0]      rx_hdr,
  output logic [DATA_W-1:0] rx_data,
  output logic              rx_sop,
  output logic              rx_eop,
  output logic              rx_valid,
  input  wire logic         rx_ready,
  input  wire logic [127:0]      tx_hdr,
  input  wire logic [DATA_W-1:0] tx_data,
  input  wire logic              tx_sop,
  input  wire logic              tx_eop,
  input  wire logic              tx_valid,
  output logic                   tx_ready
);
  localparam int RST_HOLD = 16;   // cycles the crossings stay in reset after a request ends
  localparam int CDC_AW = 5;      // log2 of each crossing's depth in beats (a TLP must fit)

  initial begin
    if (DATA_W != 256) $error("xpcie_port: the adapters take a 256-bit stream");
  end

  logic x_rst_req, core_x_rst;

  logic [127:0] q_hdr, r_hdr, cpl_hdr, req_hdr;
  logic [255:0] q_data, r_data, cpl_data, req_data;
  logic q_sop, q_eop, q_err, q_valid, q_ready;
  logic r_sop, r_eop, r_err, r_valid, r_ready;
  logic cpl_sop, cpl_eop, cpl_valid, cpl_ready;
  logic req_sop, req_eop, req_valid, req_ready;

  // Drops and discards are not counted on the board (kept named for a debugger).
  logic rx_dropped_unused, tx_dropped_unused, cc_dropped_unused, rq_dropped_unused;

  // The crossings and this domain reset with either side.
  assign x_rst_req = user_reset || core_rst;

  brd_reset_sync #(
    .HOLD (RST_HOLD)
  ) u_rst (
    .clk (clk),
    .req (x_rst_req),
    .rst (rst)
  );

  brd_reset_sync #(
    .HOLD (RST_HOLD)
  ) u_core_rst (
    .clk (core_clk),
    .req (x_rst_req),
    .rst (core_x_rst)
  );

  // ---------------------------------------------------------------- receive
  xpcie_cq_rx #(
    .BAR_REMAP      (BAR_REMAP),
    .BAR0_SIZE_LOG2 (BAR0_SIZE_LOG2),
    .BAR2_SIZE_LOG2 (BAR2_SIZE_LOG2),
    .BAR0_BASE      (BAR0_BASE),
    .BAR2_BASE      (BAR2_BASE)
  ) u_cq (
    .clk              (clk),
    .rst              (rst),
    .s_axis_cq_tdata  (s_axis_cq_tdata),
    .s_axis_cq_tuser  (s_axis_cq_tuser),
    .s_axis_cq_tkeep  (s_axis_cq_tkeep),
    .s_axis_cq_tlast  (s_axis_cq_tlast),
    .s_axis_cq_tvalid (s_axis_cq_tvalid),
    .s_axis_cq_tready (s_axis_cq_tready),
    .tlp_hdr          (q_hdr),
    .tlp_data         (q_data),
    .tlp_sop          (q_sop),
    .tlp_eop          (q_eop),
    .tlp_err          (q_err),
    .tlp_valid        (q_valid),
    .tlp_ready        (q_ready)
  );

  xpcie_rc_rx u_rc (
    .clk              (clk),
    .rst              (rst),
    .s_axis_rc_tdata  (s_axis_rc_tdata),
    .s_axis_rc_tuser  (s_axis_rc_tuser),
    .s_axis_rc_tkeep  (s_axis_rc_tkeep),
    .s_axis_rc_tlast  (s_axis_rc_tlast),
    .s_axis_rc_tvalid (s_axis_rc_tvalid),
    .s_axis_rc_tready (s_axis_rc_tready),
    .tlp_hdr          (r_hdr),
    .tlp_data         (r_data),
    .tlp_sop          (r_sop),
    .tlp_eop          (r_eop),
    .tlp_err          (r_err),
    .tlp_valid        (r_valid),
    .tlp_ready        (r_ready)
  );

  xpcie_tlp_merge #(
    .DATA_W (256)
  ) u_merge (
    .clk       (clk),
    .rst       (rst),
    .a_hdr     (q_hdr),
    .a_data    (q_data),
    .a_sop     (q_sop),
    .a_eop     (q_eop),
    .a_err     (q_err),
    .a_valid   (q_valid),
    .a_ready   (q_ready),
    .b_hdr     (r_hdr),
    .b_data    (r_data),
    .b_sop     (r_sop),
    .b_eop     (r_eop),
    .b_err     (r_err),
    .b_valid   (r_valid),
    .b_ready   (r_ready),
    .out_hdr   (up_hdr),
    .out_data  (up_data),
    .out_sop   (up_sop),
    .out_eop   (up_eop),
    .out_err   (up_err),
    .out_valid (up_valid),
    .out_ready (up_ready)
  );

  brd_tlp_cdc #(
    .DATA_W (256),
    .AW     (CDC_AW)
  ) u_rx_cdc (
    .in_clk    (clk),
    .in_rst    (rst),
    .in_hdr    (dn_hdr),
    .in_data   (dn_data),
    .in_sop    (dn_sop),
    .in_eop    (dn_eop),
    .in_err    (dn_err),
    .in_valid  (dn_valid),
    .in_ready  (dn_ready),
    .dropped   (rx_dropped_unused),
    .out_clk   (core_clk),
    .out_rst   (core_x_rst),
    .out_hdr   (rx_hdr),
    .out_data  (rx_data),
    .out_sop   (rx_sop),
    .out_eop   (rx_eop),
    .out_valid (rx_valid),
    .out_ready (rx_ready)
  );

  // ---------------------------------------------------------------- transmit
  brd_tlp_cdc #(
    .DATA_W (256),
    .AW     (CDC_AW)
  ) u_tx_cdc (
    .in_clk    (core_clk),
    .in_rst    (core_x_rst),
    .in_hdr    (tx_hdr),
    .in_data   (tx_data),
    .in_sop    (tx_sop),
    .in_eop    (tx_eop),
    .in_err    (1'b0),
    .in_valid  (tx_valid),
    .in_ready  (tx_ready),
    .dropped   (tx_dropped_unused),
    .out_clk   (clk),
    .out_rst   (rst),
    .out_hdr   (xtx_hdr),
    .out_data  (xtx_data),
    .out_sop   (xtx_sop),
    .out_eop   (xtx_eop),
    .out_valid (xtx_valid),
    .out_ready (xtx_ready)
  );

  xpcie_tlp_split #(
    .DATA_W (256)
  ) u_split (
    .clk       (clk),
    .rst       (rst),
    .in_hdr    (out_hdr),
    .in_data   (out_data),
    .in_sop    (out_sop),
    .in_eop    (out_eop),
    .in_valid  (out_valid),
    .in_ready  (out_ready),
    .cpl_hdr   (cpl_hdr),
    .cpl_data  (cpl_data),
    .cpl_sop   (cpl_sop),
    .cpl_eop   (cpl_eop),
    .cpl_valid (cpl_valid),
    .cpl_ready (cpl_ready),
    .req_hdr   (req_hdr),
    .req_data  (req_data),
    .req_sop   (req_sop),
    .req_eop   (req_eop),
    .req_valid (req_valid),
    .req_ready (req_ready)
  );

  xpcie_cc_tx #(
    .CPL_ID_ENABLE (CPL_ID_ENABLE)
  ) u_cc (
    .clk              (clk),
    .rst              (rst),
    .tlp_hdr          (cpl_hdr),
    .tlp_data         (cpl_data),
    .tlp_sop          (cpl_sop),
    .tlp_eop          (cpl_eop),
    .tlp_valid        (cpl_valid),
    .tlp_ready        (cpl_ready),
    .dropped          (cc_dropped_unused),
    .m_axis_cc_tdata  (m_axis_cc_tdata),
    .m_axis_cc_tuser  (m_axis_cc_tuser),
    .m_axis_cc_tkeep  (m_axis_cc_tkeep),
    .m_axis_cc_tlast  (m_axis_cc_tlast),
    .m_axis_cc_tvalid (m_axis_cc_tvalid),
    .m_axis_cc_tready (m_axis_cc_tready)
  );

  xpcie_rq_tx #(
    .RID_ENABLE (RID_ENABLE)
  ) u_rq (
    .clk              (clk),
    .rst              (rst),
    .tlp_hdr          (req_hdr),
    .tlp_data         (req_data),
    .tlp_sop          (req_sop),
    .tlp_eop          (req_eop),
    .tlp_valid        (req_valid),
    .tlp_ready        (req_ready),
    .dropped          (rq_dropped_unused),
    .m_axis_rq_tdata  (m_axis_rq_tdata),
    .m_axis_rq_tuser  (m_axis_rq_tuser),
    .m_axis_rq_tkeep  (m_axis_rq_tkeep),
    .m_axis_rq_tlast  (m_axis_rq_tlast),
    .m_axis_rq_tvalid (m_axis_rq_tvalid),
    .m_axis_rq_tready (m_axis_rq_tready)
  );

endmodule
