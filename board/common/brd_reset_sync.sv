`default_nettype none
// brd_reset_sync: turns a reset request from any clock domain (a level held
// for at least two cycles of the slower clock) into a synchronous,
// active-high reset for the clk domain that lasts at least HOLD cycles after
// the request goes away. Clock domain: clk.
module brd_reset_sync #(
  parameter int HOLD = 16     // cycles rst stays high after the request ends
) (
  input  wire logic clk,
  input  wire logic req,      // asynchronous reset request, active high
  output logic rst
);
  localparam int CW = $clog2(HOLD + 1);   // width of the hold counter

  initial begin
    if (HOLD < 1) $error("brd_reset_sync: HOLD must be at least 1");
  end

  logic          req_s;
  logic [CW-1:0] cnt_q, cnt_d;
  logic          rst_q, rst_d;

  brd_sync #(
    .W      (1),
    .STAGES (2)
  ) u_sync (
    .clk (clk),
    .d   (req),
    .q   (req_s)
  );

  always_comb begin
    cnt_d = cnt_q;
    rst_d = 1'b1;
    if (req_s) begin
      cnt_d = CW'(HOLD);
    end else if (cnt_q != '0) begin
      cnt_d = cnt_q - CW'(1);
    end else begin
      rst_d = 1'b0;
    end
  end

  // The counter starts full (power-up INIT on the FPGA), so the domain comes
  // out of configuration in reset.
  initial begin
    cnt_q = CW'(HOLD);
    rst_q = 1'b1;
  end

  always_ff @(posedge clk) begin
    cnt_q <= cnt_d;
    rst_q <= rst_d;
  end

  assign rst = rst_q;
endmodule
