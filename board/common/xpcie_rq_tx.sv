`default_nettype none
// xpcie_rq_tx: the core's requests to the hard IP's requester request
// interface (RQ). Clock domain: clk (user clock of the hard IP). 256-bit
// interface, dword-aligned, the core's own tags (client tags).
//
// Each request header becomes the 4-DW request descriptor and its byte
// enables go to tuser: memory reads and writes (DMA, MSI-X messages), I/O,
// atomics, locked reads, and configuration requests (root port: the target's
// bus/device/function go to the completer ID field, the register number to
// address bits [11:2]). With RID_ENABLE clear the hard IP puts in its own
// requester ID, as an endpoint must; set (root port) the core's is used.
// Messages and anything else are dropped (`dropped` pulses): the core sends
// none.
//
// Interfaces: TLP stream (from the core), RQ (AXI4-Stream master).
module xpcie_rq_tx #(
  parameter bit RID_ENABLE = 1'b0     // 1: requester ID from the TLP, 0: the IP's own
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

  // --- RQ to the hard IP ---
  output logic [255:0] m_axis_rq_tdata,
  output logic [59:0]  m_axis_rq_tuser,
  output logic [7:0]   m_axis_rq_tkeep,
  output logic         m_axis_rq_tlast,
  output logic         m_axis_rq_tvalid,
  input  wire logic    m_axis_rq_tready
);
  logic [2:0]   fmt;
  logic [4:0]   typ;
  logic [9:0]   len;
  logic [10:0]  dwc, ndw;
  logic [63:0]  addr;
  logic [3:0]   rtype;
  logic         ok, is_cfg;
  logic [127:0] desc;
  logic [7:0]   side, side_q;

  assign fmt = tlp_hdr[31:29];
  assign typ = tlp_hdr[28:24];
  assign len = tlp_hdr[9:0];
  assign dwc = (len == 10'd0) ? 11'd1024 : {1'b0, len};
  assign ndw = fmt[1] ? dwc : 11'd0;
  assign addr = fmt[0] ? {tlp_hdr[95:64], tlp_hdr[127:98], 2'b00}
                       : {32'd0, tlp_hdr[95:66], 2'b00};

  always_comb begin
    ok = !fmt[2];
    is_cfg = 1'b0;
    rtype = xpcie_pkg::REQ_MEM_RD;
    unique case (typ)
      pcie_pkg::TYPE_MEM:  rtype = fmt[1] ? xpcie_pkg::REQ_MEM_WR : xpcie_pkg::REQ_MEM_RD;
      xpcie_pkg::TYPE_MEM_LK:         begin rtype = xpcie_pkg::REQ_MEM_RD_LK; ok = ok && !fmt[1]; end
      xpcie_pkg::TYPE_IO:             rtype = fmt[1] ? xpcie_pkg::REQ_IO_WR : xpcie_pkg::REQ_IO_RD;
      pcie_pkg::TYPE_CFG0: begin rtype = fmt[1] ? xpcie_pkg::REQ_CFG_WR0 : xpcie_pkg::REQ_CFG_RD0; is_cfg = 1'b1; end
      xpcie_pkg::TYPE_CFG1:           begin rtype = fmt[1] ? xpcie_pkg::REQ_CFG_WR1 : xpcie_pkg::REQ_CFG_RD1; is_cfg = 1'b1; end
      xpcie_pkg::TYPE_FETCH_ADD:      rtype = xpcie_pkg::REQ_FETCH_ADD;
      xpcie_pkg::TYPE_SWAP:           rtype = xpcie_pkg::REQ_SWAP;
      xpcie_pkg::TYPE_CAS:            rtype = xpcie_pkg::REQ_CAS;
      default:             ok = 1'b0;
    endcase
  end

  always_comb begin
    desc = '0;
    desc[1:0]     = tlp_hdr[11:10];                  // AT
    if (is_cfg) begin
      desc[11:2]  = tlp_hdr[75:66];                  // register number
      desc[119:104] = tlp_hdr[95:80];                // target bus/device/function
    end else begin
      desc[63:2]  = addr[63:2];
    end
    desc[74:64]   = dwc;
    desc[78:75]   = rtype;
    desc[79]      = tlp_hdr[14];                     // poisoned request
    desc[95:80]   = tlp_hdr[63:48];                  // requester ID
    desc[103:96]  = tlp_hdr[47:40];                  // tag
    desc[120]     = RID_ENABLE;
    desc[123:121] = tlp_hdr[22:20];                  // TC
    desc[126:124] = {tlp_hdr[18], tlp_hdr[13:12]};   // attributes
  end

  // tuser: first and last byte enables; address offset, discontinue, TPH,
  // sequence number and parity stay zero.
  assign side = tlp_hdr[39:32];

  xpcie_pack #(
    .DESC_DWS (xpcie_pkg::RQ_DESC_DWS),
    .SIDE_W   (8)
  ) u_pack (
    .clk       (clk),
    .rst       (rst),
    .in_data   (tlp_data),
    .in_sop    (tlp_sop),
    .in_eop    (tlp_eop),
    .in_desc   (desc),
    .in_side   (side),
    .in_ndw    (ndw),
    .in_drop   (!ok),
    .in_valid  (tlp_valid),
    .in_ready  (tlp_ready),
    .dropped   (dropped),
    .out_data  (m_axis_rq_tdata),
    .out_keep  (m_axis_rq_tkeep),
    .out_last  (m_axis_rq_tlast),
    .out_side  (side_q),
    .out_valid (m_axis_rq_tvalid),
    .out_ready (m_axis_rq_tready)
  );

  always_comb begin
    m_axis_rq_tuser = '0;
    m_axis_rq_tuser[xpcie_pkg::RQ_U_FBE +: 4] = side_q[3:0];
    m_axis_rq_tuser[xpcie_pkg::RQ_U_LBE +: 4] = side_q[7:4];
  end
endmodule
