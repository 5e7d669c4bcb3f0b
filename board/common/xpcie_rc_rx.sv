`default_nettype none
// xpcie_rc_rx: the hard IP's requester completion interface (RC: completions
// for the requests we sent) to the core's TLP stream. Clock domain: clk
// (user clock of the hard IP). 256-bit interface, dword-aligned, no
// straddling.
//
// The 3-DW completion descriptor becomes a Cpl/CplD (CplLk/CplDLk for locked
// reads) header: completer ID, status, byte count, requester ID, tag, the
// low 7 bits of the lower address, TC and attributes. The hard IP's own
// error codes (a poisoned completion, a byte-count or attribute mismatch, a
// completion after a function reset...) other than "status is not SC" set
// the header's EP bit, so the core refuses the data as poisoned. A
// discontinued packet, or a beat with a second TLP (straddling, which the IP
// is configured not to do), leaves with tlp_err on its last beat.
//
// Interfaces: RC (AXI4-Stream slave), TLP stream with tlp_err.
module xpcie_rc_rx (
  input  wire logic        clk,
  input  wire logic        rst,

  // --- RC from the hard IP ---
  input  wire logic [255:0] s_axis_rc_tdata,
  input  wire logic [74:0]  s_axis_rc_tuser,
  input  wire logic [7:0]   s_axis_rc_tkeep,
  input  wire logic         s_axis_rc_tlast,
  input  wire logic         s_axis_rc_tvalid,
  output logic         s_axis_rc_tready,

  // --- TLPs to the core ---
  output logic [127:0] tlp_hdr,
  output logic [255:0] tlp_data,
  output logic         tlp_sop,
  output logic         tlp_eop,
  output logic         tlp_err,
  output logic         tlp_valid,
  input  wire logic    tlp_ready
);
  logic [6:0]  d_la;
  logic [3:0]  d_err;
  logic [12:0] d_bc;
  logic        d_locked;
  logic [10:0] d_dwc;
  logic [2:0]  d_status;
  logic        d_poison;
  logic [15:0] d_rid, d_cid;
  logic [7:0]  d_tag;
  logic [2:0]  d_tc, d_attr;
  logic        ep;
  logic [127:0] hdr;

  assign d_la     = s_axis_rc_tdata[6:0];
  assign d_err    = s_axis_rc_tdata[15:12];
  assign d_bc     = s_axis_rc_tdata[28:16];
  assign d_locked = s_axis_rc_tdata[29];
  assign d_dwc    = s_axis_rc_tdata[42:32];
  assign d_status = s_axis_rc_tdata[45:43];
  assign d_poison = s_axis_rc_tdata[46];
  assign d_rid    = s_axis_rc_tdata[63:48];
  assign d_tag    = s_axis_rc_tdata[71:64];
  assign d_cid    = s_axis_rc_tdata[87:72];
  assign d_tc     = s_axis_rc_tdata[91:89];
  assign d_attr   = s_axis_rc_tdata[94:92];

  assign ep = d_poison || (d_err != xpcie_pkg::RC_ERR_NONE && d_err != xpcie_pkg::RC_ERR_STATUS);

  always_comb begin
    hdr = '0;
    hdr[31:0] = {1'b0, d_dwc != 11'd0, 1'b0,
                 d_locked ? xpcie_pkg::TYPE_CPL_LK : pcie_pkg::TYPE_CPL,
                 1'b0, d_tc, 1'b0, d_attr[2], 2'b00, 1'b0, ep, d_attr[1:0], 2'b00, d_dwc[9:0]};
    hdr[63:32] = {d_cid, d_status, 1'b0, d_bc[11:0]};
    hdr[95:64] = {d_rid, d_tag, 1'b0, d_la};
  end

  xpcie_unpack #(
    .DESC_DWS (xpcie_pkg::RC_DESC_DWS)
  ) u_unpack (
    .clk       (clk),
    .rst       (rst),
    .in_data   (s_axis_rc_tdata),
    .in_last   (s_axis_rc_tlast),
    .in_err    (s_axis_rc_tuser[xpcie_pkg::RC_U_DISC] || s_axis_rc_tuser[xpcie_pkg::RC_U_SOF1]),
    .in_hdr    (hdr),
    .in_ndw    (d_dwc),
    .in_valid  (s_axis_rc_tvalid),
    .in_ready  (s_axis_rc_tready),
    .out_hdr   (tlp_hdr),
    .out_data  (tlp_data),
    .out_sop   (tlp_sop),
    .out_eop   (tlp_eop),
    .out_err   (tlp_err),
    .out_valid (tlp_valid),
    .out_ready (tlp_ready)
  );
endmodule
