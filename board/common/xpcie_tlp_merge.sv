`default_nettype none
// xpcie_tlp_merge: two TLP streams into one, a whole TLP at a time, round
// robin when both have one. Clock domain: clk. The endpoint merges the
// requests from the host (CQ) and the completions for its own reads (RC)
// into the core's receive stream; the hard IP keeps no order between those
// two interfaces either.
//
// Interfaces: TLP streams a_* and b_* in (with _err on the last beat), one
// TLP stream out.
module xpcie_tlp_merge #(
  parameter int DATA_W = 256     // TLP stream payload width
) (
  input  wire logic        clk,
  input  wire logic        rst,

  // --- input a ---
  input  wire logic [127:0]      a_hdr,
  input  wire logic [DATA_W-1:0] a_data,
  input  wire logic              a_sop,
  input  wire logic              a_eop,
  input  wire logic              a_err,
  input  wire logic              a_valid,
  output logic                   a_ready,

  // --- input b ---
  input  wire logic [127:0]      b_hdr,
  input  wire logic [DATA_W-1:0] b_data,
  input  wire logic              b_sop,
  input  wire logic              b_eop,
  input  wire logic              b_err,
  input  wire logic              b_valid,
  output logic                   b_ready,

  // --- output ---
  output logic [127:0]      out_hdr,
  output logic [DATA_W-1:0] out_data,
  output logic              out_sop,
  output logic              out_eop,
  output logic              out_err,
  output logic              out_valid,
  input  wire logic         out_ready
);
  logic locked_q, locked_d;   // in the middle of a TLP from sel_q
  logic sel_q, sel_d;         // 0: a, 1: b
  logic sel;                  // the input this cycle

  always_comb begin
    sel = sel_q;
    if (!locked_q) begin
      // Round robin: the input that did not send the last TLP goes first.
      if (sel_q) sel = a_valid ? 1'b0 : 1'b1;
      else       sel = b_valid ? 1'b1 : 1'b0;
    end
  end

  assign out_hdr   = sel ? b_hdr : a_hdr;
  assign out_data  = sel ? b_data : a_data;
  assign out_sop   = sel ? b_sop : a_sop;
  assign out_eop   = sel ? b_eop : a_eop;
  assign out_err   = sel ? b_err : a_err;
  assign out_valid = sel ? b_valid : a_valid;
  assign a_ready   = !sel && out_ready;
  assign b_ready   = sel && out_ready;

  always_comb begin
    sel_d = sel;
    locked_d = locked_q;
    if (out_valid && out_ready) locked_d = !out_eop;
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      locked_q <= 1'b0;
      sel_q <= 1'b1;
    end else begin
      locked_q <= locked_d;
      sel_q <= sel_d;
    end
  end
endmodule
