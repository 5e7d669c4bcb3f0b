`default_nettype none
// pcie_tx_arb: merges two card-to-host TLP streams, a whole TLP at a time,
// alternating when both wait. Clock domain: clk. Source A is the endpoint
// core (completions, MSI-X), source B the DMA engine. A TLP once started on
// the output runs to its last beat.
module pcie_tx_arb #(
  parameter int DATA_W = 256  // TLP stream payload width
) (
  input  wire logic        clk,
  input  wire logic        rst,

  // --- source A ---
  input  wire logic [127:0]      a_hdr,
  input  wire logic [DATA_W-1:0] a_data,
  input  wire logic              a_sop,
  input  wire logic              a_eop,
  input  wire logic              a_valid,
  output logic                   a_ready,

  // --- source B ---
  input  wire logic [127:0]      b_hdr,
  input  wire logic [DATA_W-1:0] b_data,
  input  wire logic              b_sop,
  input  wire logic              b_eop,
  input  wire logic              b_valid,
  output logic                   b_ready,

  // --- to the hard IP ---
  output logic [127:0]      out_hdr,
  output logic [DATA_W-1:0] out_data,
  output logic              out_sop,
  output logic              out_eop,
  output logic              out_valid,
  input  wire logic         out_ready
);
  logic busy_q;     // a TLP is under way
  logic sel_q;      // its source (1 = B)
  logic last_q;     // source granted last
  logic sel;

  always_comb begin
    if (busy_q) sel = sel_q;
    else if (a_valid && b_valid) sel = !last_q;
    else sel = b_valid;
  end

  assign out_hdr = sel ? b_hdr : a_hdr;
  assign out_data = sel ? b_data : a_data;
  assign out_sop = sel ? b_sop : a_sop;
  assign out_eop = sel ? b_eop : a_eop;
  assign out_valid = sel ? b_valid : a_valid;
  assign a_ready = !sel && out_ready;
  assign b_ready = sel && out_ready;

  always_ff @(posedge clk) begin
    if (rst) begin
      busy_q <= 1'b0;
      sel_q <= 1'b0;
      last_q <= 1'b0;
    end else if (out_valid && out_ready) begin
      busy_q <= !out_eop;
      sel_q <= sel;
      if (out_sop) last_q <= sel;
    end
  end
endmodule
