`default_nettype none
// soc_uart: console UART, transmit only, 8N1. Clock domain: clk.
// A write to TXDATA is held off (bus grant low) while a byte is still being
// shifted out, so software needs no polling loop; STATUS bit 0 reads 1 when a
// write would be accepted at once. `tx_valid`/`tx_data` mirror each accepted
// byte for the simulator's console.
module soc_uart #(
  parameter int CLKS_PER_BIT = 868  // clock cycles per bit (e.g. 100 MHz / 115200)
) (
  input  wire logic        clk,
  input  wire logic        rst,

  // --- register bus ---
  input  wire logic        req,
  input  wire logic        we,
  input  wire logic [11:0] addr,
  input  wire logic [31:0] wdata,
  output logic        gnt,
  output logic [31:0] rdata,

  // --- serial line and console mirror ---
  output logic        tx,
  output logic        tx_valid,
  output logic [7:0]  tx_data
);
  localparam int FRAME_BITS = 10;                 // start + 8 data + stop
  localparam int CW = $clog2(CLKS_PER_BIT + 1);   // bit-timer width

  initial begin
    if (CLKS_PER_BIT < 1) $error("soc_uart: CLKS_PER_BIT must be at least 1");
  end

  logic [9:0]    shift_q, shift_d;
  logic [3:0]    bits_q, bits_d;     // bits left in the frame
  logic [CW-1:0] timer_q, timer_d;
  logic [31:0]   rdata_q, rdata_d;
  logic          busy, write_tx;

  assign busy = (bits_q != 4'd0);
  assign write_tx = req && we && (addr == soc_map_pkg::UART_TXDATA);
  assign gnt = !(write_tx && busy);

  always_comb begin
    shift_d = shift_q;
    bits_d = bits_q;
    timer_d = timer_q;
    rdata_d = 32'd0;
    if (busy) begin
      if (timer_q == CW'(CLKS_PER_BIT - 1)) begin
        timer_d = '0;
        shift_d = {1'b1, shift_q[9:1]};
        bits_d = bits_q - 4'd1;
      end else begin
        timer_d = timer_q + CW'(1);
      end
    end else if (write_tx) begin
      shift_d = {1'b1, wdata[7:0], 1'b0};
      bits_d = 4'(FRAME_BITS);
      timer_d = '0;
    end
    if (req && !we && addr == soc_map_pkg::UART_STATUS) rdata_d = {31'd0, !busy};
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      shift_q <= 10'h3ff;
      bits_q <= 4'd0;
      timer_q <= '0;
    end else begin
      shift_q <= shift_d;
      bits_q <= bits_d;
      timer_q <= timer_d;
    end
    rdata_q <= rdata_d;
  end

  assign rdata = rdata_q;
  assign tx = shift_q[0];
  assign tx_valid = write_tx && !busy;
  assign tx_data = wdata[7:0];
endmodule
