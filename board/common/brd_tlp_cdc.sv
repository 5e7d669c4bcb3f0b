`default_nettype none
// brd_tlp_cdc: carries a TLP stream (docs/pcie-function.md) from one clock
// domain to another, whole TLPs at a time. Clock domains: in_clk (in_*,
// in_rst) and out_clk (out_*, out_rst), resets raised together.
//
// A TLP becomes visible on the output only after its last beat was written,
// so a TLP whose last beat carries in_err (the hard IP's "discontinue") is
// dropped whole and never reaches the core; `dropped` pulses for each one.
// A TLP must fit in the FIFO (2**AW beats), or it is dropped too.
module brd_tlp_cdc #(
  parameter int DATA_W = 256,   // TLP stream payload width
  parameter int AW = 5          // log2 of the FIFO depth in beats
) (
  // --- input side ---
  input  wire logic              in_clk,
  input  wire logic              in_rst,
  input  wire logic [127:0]      in_hdr,
  input  wire logic [DATA_W-1:0] in_data,
  input  wire logic              in_sop,
  input  wire logic              in_eop,
  input  wire logic              in_err,     // with in_eop: drop this TLP
  input  wire logic              in_valid,
  output logic                   in_ready,
  output logic                   dropped,

  // --- output side ---
  input  wire logic              out_clk,
  input  wire logic              out_rst,
  output logic [127:0]      out_hdr,
  output logic [DATA_W-1:0] out_data,
  output logic              out_sop,
  output logic              out_eop,
  output logic              out_valid,
  input  wire logic         out_ready
);
  localparam int W = 128 + DATA_W + 2;   // header, payload, sop, eop

  logic [W-1:0] rd_data;
  logic [AW:0]  wr_free_unused;   // the TLP writer waits on in_ready instead

  brd_async_fifo #(
    .W      (W),
    .AW     (AW),
    .PACKET (1'b1)
  ) u_fifo (
    .wr_clk   (in_clk),
    .wr_rst   (in_rst),
    .wr_data  ({in_hdr, in_data, in_sop, in_eop}),
    .wr_last  (in_eop),
    .wr_drop  (in_err),
    .wr_valid (in_valid),
    .wr_ready (in_ready),
    .wr_free  (wr_free_unused),
    .dropped  (dropped),
    .rd_clk   (out_clk),
    .rd_rst   (out_rst),
    .rd_data  (rd_data),
    .rd_valid (out_valid),
    .rd_ready (out_ready)
  );

  assign {out_hdr, out_data, out_sop, out_eop} = rd_data;
endmodule
