`default_nettype none
// xpcie_cq_rx: the hard IP's completer request interface (CQ: requests the
// link delivers to us) to the core's TLP stream. Clock domain: clk (user
// clock of the hard IP). 256-bit interface, dword-aligned, no straddling.
//
// The 4-DW request descriptor and the first/last byte enables in tuser
// become a TLP header (docs/pcie-function.md): memory, I/O, atomic and
// locked requests keep their type; a 64-bit address below 4 GiB gets a 3-DW
// header as the PCIe rules want; configuration requests keep theirs;
// messages become a "terminate at receiver" message the core drops. With
// BAR_REMAP (endpoint), a request that hit BAR 0 or BAR 2 is moved to the
// fixed bases the configuration shadow (xpcie_ep_cfg) gave the core's BARs,
// keeping its offset, so the core decodes it without knowing the host's
// addresses. tkeep is not needed: the descriptor's dword count is the length.
// A discontinued packet leaves with tlp_err on its last beat.
//
// Interfaces: CQ (AXI4-Stream slave), TLP stream with tlp_err.
module xpcie_cq_rx #(
  parameter bit BAR_REMAP = 1'b1,             // endpoint: rebase BAR 0 / BAR 2 hits
  parameter int BAR0_SIZE_LOG2 = 15,          // BAR 0 size, log2 bytes
  parameter int BAR2_SIZE_LOG2 = 30,          // BAR 2 size, log2 bytes
  parameter logic [63:0] BAR0_BASE = 64'h8000_0000, // core's BAR 0 base (shadow)
  parameter logic [63:0] BAR2_BASE = 64'h4000_0000  // core's BAR 2 base (shadow)
) (
  input  wire logic        clk,
  input  wire logic        rst,

  // --- CQ from the hard IP ---
  input  wire logic [255:0] s_axis_cq_tdata,
  input  wire logic [84:0]  s_axis_cq_tuser,
  input  wire logic [7:0]   s_axis_cq_tkeep,
  input  wire logic         s_axis_cq_tlast,
  input  wire logic         s_axis_cq_tvalid,
  output logic         s_axis_cq_tready,

  // --- TLPs to the core ---
  output logic [127:0] tlp_hdr,
  output logic [255:0] tlp_data,
  output logic         tlp_sop,
  output logic         tlp_eop,
  output logic         tlp_err,
  output logic         tlp_valid,
  input  wire logic    tlp_ready
);
  initial begin
    if (BAR0_BASE[BAR0_SIZE_LOG2-1:0] != '0 || BAR2_BASE[BAR2_SIZE_LOG2-1:0] != '0)
      $error("xpcie_cq_rx: BAR bases must be aligned to their sizes");
  end

  localparam logic [2:0] BAR_ID_0 = 3'd0;
  localparam logic [2:0] BAR_ID_2 = 3'd2;

  // Descriptor fields (first beat)
  logic [63:0] d_addr, addr;
  logic [1:0]  d_at;
  logic [10:0] d_dwc;
  logic [3:0]  d_type;
  logic [15:0] d_rid;
  logic [7:0]  d_tag;
  logic [2:0]  d_bar;
  logic [2:0]  d_tc, d_attr;
  logic [3:0]  u_fbe, u_lbe;

  logic [2:0]  fmt;
  logic [4:0]  typ;
  logic        has_data, hdr4;
  logic [127:0] hdr;
  logic [10:0] ndw;

  assign d_addr = {s_axis_cq_tdata[63:2], 2'b00};
  assign d_at   = s_axis_cq_tdata[1:0];
  assign d_dwc  = s_axis_cq_tdata[74:64];
  assign d_type = s_axis_cq_tdata[78:75];
  assign d_rid  = s_axis_cq_tdata[95:80];
  assign d_tag  = s_axis_cq_tdata[103:96];
  assign d_bar  = s_axis_cq_tdata[114:112];
  assign d_tc   = s_axis_cq_tdata[123:121];
  assign d_attr = s_axis_cq_tdata[126:124];
  assign u_fbe  = s_axis_cq_tuser[xpcie_pkg::CQ_U_FBE +: 4];
  assign u_lbe  = s_axis_cq_tuser[xpcie_pkg::CQ_U_LBE +: 4];

  always_comb begin
    addr = d_addr;
    if (BAR_REMAP && d_bar == BAR_ID_0)
      addr = BAR0_BASE | (d_addr & ((64'd1 << BAR0_SIZE_LOG2) - 64'd1));
    else if (BAR_REMAP && d_bar == BAR_ID_2)
      addr = BAR2_BASE | (d_addr & ((64'd1 << BAR2_SIZE_LOG2) - 64'd1));
  end

  always_comb begin
    has_data = 1'b0;
    hdr4 = addr[63:32] != 32'd0;
    typ = pcie_pkg::TYPE_MEM;
    unique case (d_type)
      xpcie_pkg::REQ_MEM_RD:    ;
      xpcie_pkg::REQ_MEM_WR:    has_data = 1'b1;
      xpcie_pkg::REQ_IO_RD:     begin typ = xpcie_pkg::TYPE_IO; hdr4 = 1'b0; end
      xpcie_pkg::REQ_IO_WR:     begin typ = xpcie_pkg::TYPE_IO; hdr4 = 1'b0; has_data = 1'b1; end
      xpcie_pkg::REQ_FETCH_ADD: begin typ = xpcie_pkg::TYPE_FETCH_ADD; has_data = 1'b1; end
      xpcie_pkg::REQ_SWAP:      begin typ = xpcie_pkg::TYPE_SWAP; has_data = 1'b1; end
      xpcie_pkg::REQ_CAS:       begin typ = xpcie_pkg::TYPE_CAS; has_data = 1'b1; end
      xpcie_pkg::REQ_MEM_RD_LK: typ = xpcie_pkg::TYPE_MEM_LK;
      xpcie_pkg::REQ_CFG_RD0:   begin typ = pcie_pkg::TYPE_CFG0; hdr4 = 1'b0; end
      xpcie_pkg::REQ_CFG_RD1:   begin typ = xpcie_pkg::TYPE_CFG1; hdr4 = 1'b0; end
      xpcie_pkg::REQ_CFG_WR0:   begin typ = pcie_pkg::TYPE_CFG0; hdr4 = 1'b0; has_data = 1'b1; end
      xpcie_pkg::REQ_CFG_WR1:   begin typ = xpcie_pkg::TYPE_CFG1; hdr4 = 1'b0; has_data = 1'b1; end
      default: begin
        // Messages (and the reserved code): the core drops them.
        typ = xpcie_pkg::TYPE_MSG_LOCAL;
        hdr4 = 1'b1;
        has_data = d_dwc != 11'd0;
      end
    endcase
    fmt = {1'b0, has_data, hdr4};
    ndw = has_data ? d_dwc : 11'd0;
    hdr = '0;
    hdr[31:0] = {fmt, typ, 1'b0, d_tc, 1'b0, d_attr[2], 2'b00, 1'b0, 1'b0, d_attr[1:0],
                 d_at, d_dwc[9:0]};
    hdr[63:32] = {d_rid, d_tag, u_lbe, u_fbe};
    if (hdr4) begin
      hdr[95:64] = addr[63:32];
      hdr[127:96] = addr[31:0];
    end else begin
      hdr[95:64] = addr[31:0];
    end
  end

  xpcie_unpack #(
    .DESC_DWS (xpcie_pkg::CQ_DESC_DWS)
  ) u_unpack (
    .clk       (clk),
    .rst       (rst),
    .in_data   (s_axis_cq_tdata),
    .in_last   (s_axis_cq_tlast),
    .in_err    (s_axis_cq_tuser[xpcie_pkg::CQ_U_DISC]),
    .in_hdr    (hdr),
    .in_ndw    (ndw),
    .in_valid  (s_axis_cq_tvalid),
    .in_ready  (s_axis_cq_tready),
    .out_hdr   (tlp_hdr),
    .out_data  (tlp_data),
    .out_sop   (tlp_sop),
    .out_eop   (tlp_eop),
    .out_err   (tlp_err),
    .out_valid (tlp_valid),
    .out_ready (tlp_ready)
  );
endmodule
