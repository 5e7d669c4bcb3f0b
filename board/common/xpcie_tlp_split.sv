`default_nettype none
// xpcie_tlp_split: one TLP stream into two by kind, a whole TLP at a time:
// completions (Cpl, CplD, CplLk, CplDLk) to cpl_*, everything else (requests)
// to req_*. Clock domain: clk. The core's transmit stream is split this way
// between the hard IP's completer completion (CC) and requester request (RQ)
// interfaces.
//
// Interfaces: one TLP stream in, two out.
module xpcie_tlp_split #(
  parameter int DATA_W = 256     // TLP stream payload width
) (
  input  wire logic        clk,
  input  wire logic        rst,

  // --- input ---
  input  wire logic [127:0]      in_hdr,
  input  wire logic [DATA_W-1:0] in_data,
  input  wire logic              in_sop,
  input  wire logic              in_eop,
  input  wire logic              in_valid,
  output logic                   in_ready,

  // --- completions ---
  output logic [127:0]      cpl_hdr,
  output logic [DATA_W-1:0] cpl_data,
  output logic              cpl_sop,
  output logic              cpl_eop,
  output logic              cpl_valid,
  input  wire logic         cpl_ready,

  // --- requests ---
  output logic [127:0]      req_hdr,
  output logic [DATA_W-1:0] req_data,
  output logic              req_sop,
  output logic              req_eop,
  output logic              req_valid,
  input  wire logic         req_ready
);
  localparam logic [3:0] TYPE_CPL_ANY = 4'b0101;   // Type 0101x: Cpl and CplLk

  logic cpl_q, cpl_d;     // the TLP in progress is a completion
  logic is_cpl;

  assign is_cpl = in_sop ? (in_hdr[28:25] == TYPE_CPL_ANY) : cpl_q;

  assign cpl_hdr = in_hdr;
  assign cpl_data = in_data;
  assign cpl_sop = in_sop;
  assign cpl_eop = in_eop;
  assign cpl_valid = in_valid && is_cpl;
  assign req_hdr = in_hdr;
  assign req_data = in_data;
  assign req_sop = in_sop;
  assign req_eop = in_eop;
  assign req_valid = in_valid && !is_cpl;
  assign in_ready = is_cpl ? cpl_ready : req_ready;

  always_comb begin
    cpl_d = cpl_q;
    if (in_valid && in_ready && in_sop) cpl_d = is_cpl;
  end

  always_ff @(posedge clk) begin
    if (rst) cpl_q <= 1'b0;
    else cpl_q <= cpl_d;
  end
endmodule
