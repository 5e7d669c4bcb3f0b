`default_nettype none
// soc_simctrl: simulation control registers. Clock domain: clk. A write to
// EXIT with bit 0 set is reported on `exit_valid` (the simulator ends the run
// with code = value >> 1, as with tohost); on a board nothing listens.
module soc_simctrl (
  input  wire logic        clk,
  input  wire logic        rst,

  // --- register bus ---
  input  wire logic        req,
  input  wire logic        we,
  input  wire logic [11:0] addr,
  input  wire logic [31:0] wdata,
  output logic [31:0] rdata,

  // --- to the simulator ---
  output logic        exit_valid,
  output logic [31:0] exit_value,
  output logic [31:0] irq
);
  logic [31:0] scratch_q, scratch_d;
  logic [31:0] irq_q, irq_d;
  logic [31:0] rdata_q, rdata_d;

  always_comb begin
    scratch_d = scratch_q;
    irq_d = irq_q;
    rdata_d = 32'd0;
    if (req && we && addr == soc_map_pkg::SIMCTRL_SCRATCH) scratch_d = wdata;
    if (req && we && addr == soc_map_pkg::SIMCTRL_IRQ) irq_d = wdata;
    if (req && !we && addr == soc_map_pkg::SIMCTRL_SCRATCH) rdata_d = scratch_q;
    if (req && !we && addr == soc_map_pkg::SIMCTRL_IRQ) rdata_d = irq_q;
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      scratch_q <= 32'd0;
      irq_q <= 32'd0;
    end else begin
      scratch_q <= scratch_d;
      irq_q <= irq_d;
    end
    rdata_q <= rdata_d;
  end

  assign rdata = rdata_q;
  assign exit_valid = req && we && (addr == soc_map_pkg::SIMCTRL_EXIT) && wdata[0];
  assign exit_value = wdata;
  assign irq = irq_q;
endmodule
