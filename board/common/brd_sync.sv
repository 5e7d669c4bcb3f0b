`default_nettype none
// brd_sync: a multi-flop synchronizer for signals that enter the clk domain
// from another one. Clock domain: clk (output); the input may change at any
// time. Use it for single bits, levels that change rarely, or Gray-coded
// counters (one bit changes at a time); never for a bus of independent bits.
// No reset: the chain settles within STAGES cycles.
module brd_sync #(
  parameter int W = 1,        // bits synchronized side by side
  parameter int STAGES = 2    // flip-flops in the chain (2 or more)
) (
  input  wire logic         clk,
  input  wire logic [W-1:0] d,
  output logic [W-1:0] q
);
  initial begin
    if (W < 1) $error("brd_sync: W must be at least 1");
    if (STAGES < 2) $error("brd_sync: STAGES must be at least 2");
  end

  (* ASYNC_REG = "TRUE" *) logic [W-1:0] chain_q [STAGES];

  always_ff @(posedge clk) begin
    chain_q[0] <= d;
    for (int i = 1; i < STAGES; i++) chain_q[i] <= chain_q[i - 1];
  end

  assign q = chain_q[STAGES - 1];
endmodule
