`default_nettype none
// cpu_div: iterative radix-2 divider for DIV/DIVU/REM/REMU. Clock domain: clk.
// A request is accepted when `start` is high and the unit is idle; the result
// comes back with `done` (one cycle) after one cycle for the special cases
// (divide by zero, signed overflow) and WIDTH + 1 cycles otherwise. The core
// keeps issuing independent instructions meanwhile; its scoreboard stalls only
// the consumers of `rd`.
module cpu_div (
  input  wire logic        clk,
  input  wire logic        rst,

  // --- request ---
  input  wire logic        start,
  input  wire logic [1:0]  op,      // funct3[1:0]: 0 DIV, 1 DIVU, 2 REM, 3 REMU
  input  wire logic [31:0] a,
  input  wire logic [31:0] b,
  input  wire logic [4:0]  rd_in,
  output logic        busy,

  // --- result ---
  output logic        done,
  output logic [31:0] result,
  output logic [4:0]  rd
);
  localparam int WIDTH = 32;            // operand width
  localparam int CW = $clog2(WIDTH + 1); // iteration counter width

  logic        busy_q, busy_d;
  logic        done_q, done_d;
  logic [CW-1:0] count_q, count_d;
  logic [31:0] quot_q, quot_d;     // dividend shifting out / quotient shifting in
  logic [32:0] rem_q, rem_d;       // partial remainder (one guard bit)
  logic [31:0] divisor_q, divisor_d;
  logic        neg_q_q, neg_q_d;   // negate the quotient at the end
  logic        neg_r_q, neg_r_d;   // negate the remainder at the end
  logic        want_rem_q, want_rem_d;
  logic [31:0] result_q, result_d;
  logic [4:0]  rd_q, rd_d;

  logic        is_signed;
  logic [31:0] abs_a, abs_b;
  logic [32:0] shifted;          // partial remainder shifted left, next dividend bit in
  logic [33:0] trial;            // shifted - divisor; bit 33 set when negative

  assign is_signed = !op[0];
  assign abs_a = (is_signed && a[31]) ? (~a + 32'd1) : a;
  assign abs_b = (is_signed && b[31]) ? (~b + 32'd1) : b;
  assign shifted = {rem_q[31:0], quot_q[31]};
  assign trial = {1'b0, shifted} - {2'b0, divisor_q};

  always_comb begin
    busy_d = busy_q;
    done_d = 1'b0;
    count_d = count_q;
    quot_d = quot_q;
    rem_d = rem_q;
    divisor_d = divisor_q;
    neg_q_d = neg_q_q;
    neg_r_d = neg_r_q;
    want_rem_d = want_rem_q;
    result_d = result_q;
    rd_d = rd_q;

    if (!busy_q) begin
      if (start) begin
        rd_d = rd_in;
        want_rem_d = op[1];
        if (b == 32'd0) begin
          // Division by zero: quotient all ones, remainder the dividend.
          result_d = op[1] ? a : 32'hffff_ffff;
          done_d = 1'b1;
        end else if (is_signed && a == 32'h8000_0000 && b == 32'hffff_ffff) begin
          // Signed overflow: quotient the dividend, remainder zero.
          result_d = op[1] ? 32'd0 : a;
          done_d = 1'b1;
        end else begin
          busy_d = 1'b1;
          count_d = CW'(WIDTH);
          quot_d = abs_a;
          rem_d = '0;
          divisor_d = abs_b;
          neg_q_d = is_signed && (a[31] ^ b[31]);
          neg_r_d = is_signed && a[31];
        end
      end
    end else if (count_q != '0) begin
      count_d = count_q - CW'(1);
      if (!trial[33]) begin
        rem_d = trial[32:0];
        quot_d = {quot_q[30:0], 1'b1};
      end else begin
        rem_d = shifted;
        quot_d = {quot_q[30:0], 1'b0};
      end
    end else begin
      busy_d = 1'b0;
      done_d = 1'b1;
      if (want_rem_q) result_d = neg_r_q ? (~rem_q[31:0] + 32'd1) : rem_q[31:0];
      else            result_d = neg_q_q ? (~quot_q + 32'd1) : quot_q;
    end
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      busy_q <= 1'b0;
      done_q <= 1'b0;
      count_q <= '0;
    end else begin
      busy_q <= busy_d;
      done_q <= done_d;
      count_q <= count_d;
    end
    quot_q <= quot_d;
    rem_q <= rem_d;
    divisor_q <= divisor_d;
    neg_q_q <= neg_q_d;
    neg_r_q <= neg_r_d;
    want_rem_q <= want_rem_d;
    result_q <= result_d;
    rd_q <= rd_d;
  end

  // A new request may start in the cycle the previous result is presented:
  // result_q and rd_q are read in that cycle and replaced at its end.
  assign busy = busy_q;
  assign done = done_q;
  assign result = result_q;
  assign rd = rd_q;
endmodule
