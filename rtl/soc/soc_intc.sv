`default_nettype none
// soc_intc: device interrupt controller. Clock domain: clk. Device lines are
// level-sensitive and cleared at their source; PENDING shows them, ENABLE
// masks them, and mip.MEIP is the OR of the enabled pending lines.
module soc_intc #(
  parameter int NIRQ = 32  // device interrupt lines (1..32)
) (
  input  wire logic        clk,
  input  wire logic        rst,

  // --- register bus ---
  input  wire logic        req,
  input  wire logic        we,
  input  wire logic [11:0] addr,
  input  wire logic [31:0] wdata,
  output logic [31:0] rdata,

  // --- interrupts ---
  input  wire logic [NIRQ-1:0] irq_lines,
  output logic        irq_external
);
  initial begin
    if (NIRQ < 1 || NIRQ > 32) $error("soc_intc: NIRQ must be 1..32");
  end

  logic [NIRQ-1:0] enable_q, enable_d;
  logic [NIRQ-1:0] pending_q;   // lines registered once against glitches
  logic [31:0]     rdata_q, rdata_d;

  always_comb begin
    enable_d = enable_q;
    rdata_d = 32'd0;
    if (req && we && addr == soc_map_pkg::INTC_ENABLE) enable_d = wdata[NIRQ-1:0];
    if (req && !we) begin
      if (addr == soc_map_pkg::INTC_PENDING) rdata_d = 32'(pending_q);
      if (addr == soc_map_pkg::INTC_ENABLE)  rdata_d = 32'(enable_q);
    end
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      enable_q <= '0;
      pending_q <= '0;
    end else begin
      enable_q <= enable_d;
      pending_q <= irq_lines;
    end
    rdata_q <= rdata_d;
  end

  assign rdata = rdata_q;
  assign irq_external = |(pending_q & enable_q);
endmodule
