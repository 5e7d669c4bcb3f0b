`default_nettype none
// sim_tlp_slice: a two-entry register slice on a TLP stream, for simulation
// only (it stands where the board's hard-IP adapter has its own buffering).
// Clock domain: clk. Full throughput; every output, in_ready included, comes
// from a register, so logic behind it never depends combinationally on the
// testbench's inputs (the simulator then evaluates that logic once per clock
// instead of at every input change).
// Interfaces: TLP stream in, TLP stream out (docs/pcie-function.md).
module sim_tlp_slice #(
  parameter int DATA_W = 256  // TLP stream payload width
) (
  input  wire logic        clk,
  input  wire logic        rst,

  input  wire logic [127:0]      in_hdr,
  input  wire logic [DATA_W-1:0] in_data,
  input  wire logic              in_sop,
  input  wire logic              in_eop,
  input  wire logic              in_valid,
  output logic                   in_ready,

  output logic [127:0]      out_hdr,
  output logic [DATA_W-1:0] out_data,
  output logic              out_sop,
  output logic              out_eop,
  output logic              out_valid,
  input  wire logic         out_ready
);
  localparam int EW = 128 + DATA_W + 2;  // one entry: header, data, sop, eop

  logic [EW-1:0] ent_q [0:1];
  logic [1:0]    cnt_q;
  logic          rd_q, wr_q;
  logic          push, pop;

  assign in_ready = (cnt_q != 2'd2);
  assign out_valid = (cnt_q != 2'd0);
  assign {out_hdr, out_data, out_sop, out_eop} = ent_q[rd_q];
  assign push = in_valid && in_ready;
  assign pop = out_valid && out_ready;

  always_ff @(posedge clk) begin
    if (push) ent_q[wr_q] <= {in_hdr, in_data, in_sop, in_eop};
    if (rst) begin
      cnt_q <= 2'd0;
      rd_q <= 1'b0;
      wr_q <= 1'b0;
    end else begin
      cnt_q <= cnt_q + {1'b0, push} - {1'b0, pop};
      if (push) wr_q <= !wr_q;
      if (pop) rd_q <= !rd_q;
    end
  end
endmodule
