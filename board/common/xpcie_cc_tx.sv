`default_nettype none
// xpcie_cc_tx: the core's completions to the hard IP's completer completion
// interface (CC). Clock domain: clk (user clock of the hard IP). 256-bit
// interface, dword-aligned.
//
// Each Cpl/CplD/CplLk TLP header becomes the 3-DW completion descriptor:
// lower address, byte count (0 means 4096), locked-read flag, dword count,
// status, poison, requester ID, tag, completer ID, TC and attributes. With
// CPL_ID_ENABLE clear the hard IP puts in the completer ID it captured, as
// an endpoint's must be; set, it uses the core's. Any other TLP is dropped
// (`dropped` pulses): xpcie_tlp_split sends only completions here. The
// sideband (discontinue, parity) stays zero.
//
// Interfaces: TLP stream (from the core), CC (AXI4-Stream master).
module xpcie_cc_tx #(
  parameter bit CPL_ID_ENABLE = 1'b0   // 1: completer ID from the TLP, 0: the IP's own
) (
  input  wire logic        clk,
  input  wire logic        rst,

  // --- TLPs from the core ---
  input  wire logic [127:0] tlp_hdr,
  input  wire logic [255:0] tlp_data,
  input  wire logic         tlp_sop,
  input  wire logic         tlp_eop,
  input  wire logic         tlp_valid,
  output logic         tlp_ready,
  output logic         dropped,

  // --- CC to the hard IP ---
  output logic [255:0] m_axis_cc_tdata,
  output logic [32:0]  m_axis_cc_tuser,
  output logic [7:0]   m_axis_cc_tkeep,
  output logic         m_axis_cc_tlast,
  output logic         m_axis_cc_tvalid,
  input  wire logic    m_axis_cc_tready
);
  logic [2:0]  fmt;
  logic [4:0]  typ;
  logic [9:0]  len;
  logic [10:0] ndw;
  logic [12:0] bc;
  logic [95:0] desc;
  logic        is_cpl;
  logic        side_unused;

  assign fmt = tlp_hdr[31:29];
  assign typ = tlp_hdr[28:24];
  assign len = tlp_hdr[9:0];
  assign is_cpl = (typ == pcie_pkg::TYPE_CPL || typ == xpcie_pkg::TYPE_CPL_LK) && !fmt[0];
  assign ndw = fmt[1] ? ((len == 10'd0) ? 11'd1024 : {1'b0, len}) : 11'd0;
  assign bc = (tlp_hdr[43:32] == 12'd0) ? 13'd4096 : {1'b0, tlp_hdr[43:32]};

  always_comb begin
    desc = '0;
    desc[6:0]   = tlp_hdr[70:64];               // lower address
    desc[28:16] = bc;
    desc[29]    = typ == xpcie_pkg::TYPE_CPL_LK;
    desc[42:32] = ndw;
    desc[45:43] = tlp_hdr[47:45];               // status
    desc[46]    = tlp_hdr[14];                  // EP
    desc[63:48] = tlp_hdr[95:80];               // requester ID
    desc[71:64] = tlp_hdr[79:72];               // tag
    desc[87:72] = tlp_hdr[63:48];               // completer ID (bus in [87:80])
    desc[88]    = CPL_ID_ENABLE;
    desc[91:89] = tlp_hdr[22:20];               // TC
    desc[94:92] = {tlp_hdr[18], tlp_hdr[13:12]};  // attributes
  end

  xpcie_pack #(
    .DESC_DWS (xpcie_pkg::CC_DESC_DWS),
    .SIDE_W   (1)
  ) u_pack (
    .clk       (clk),
    .rst       (rst),
    .in_data   (tlp_data),
    .in_sop    (tlp_sop),
    .in_eop    (tlp_eop),
    .in_desc   (desc),
    .in_side   (1'b0),
    .in_ndw    (ndw),
    .in_drop   (!is_cpl),
    .in_valid  (tlp_valid),
    .in_ready  (tlp_ready),
    .dropped   (dropped),
    .out_data  (m_axis_cc_tdata),
    .out_keep  (m_axis_cc_tkeep),
    .out_last  (m_axis_cc_tlast),
    .out_side  (side_unused),
    .out_valid (m_axis_cc_tvalid),
    .out_ready (m_axis_cc_tready)
  );

  // Discontinue and parity: never used.
  assign m_axis_cc_tuser = '0;
endmodule
