`default_nettype none
// cpu_regfile: 31 x 32-bit integer registers (x0 reads zero), two read ports
// and two write ports. Clock domain: clk. Reads are combinational and see a
// write of the same cycle (write-through), so the decode stage needs no extra
// bypass from write-back. Port B (the divider) wins over port A when both
// write one register in one cycle: the divide is the younger instruction.
module cpu_regfile (
  input  wire logic        clk,

  // --- read ports ---
  input  wire logic [4:0]  ra_addr,
  output logic [31:0] ra_data,
  input  wire logic [4:0]  rb_addr,
  output logic [31:0] rb_data,

  // --- write port A (pipeline write-back) ---
  input  wire logic        wa_en,
  input  wire logic [4:0]  wa_addr,
  input  wire logic [31:0] wa_data,

  // --- write port B (divider) ---
  input  wire logic        wb_en,
  input  wire logic [4:0]  wb_addr,
  input  wire logic [31:0] wb_data
);
  localparam int NREGS = 32;  // architectural integer registers

  logic [31:0] regs [0:NREGS-1];  // regs[0] is never written nor read

  always_comb begin
    if (ra_addr == 5'd0)                  ra_data = 32'd0;
    else if (wb_en && wb_addr == ra_addr) ra_data = wb_data;
    else if (wa_en && wa_addr == ra_addr) ra_data = wa_data;
    else                                  ra_data = regs[ra_addr];
  end

  always_comb begin
    if (rb_addr == 5'd0)                  rb_data = 32'd0;
    else if (wb_en && wb_addr == rb_addr) rb_data = wb_data;
    else if (wa_en && wa_addr == rb_addr) rb_data = wa_data;
    else                                  rb_data = regs[rb_addr];
  end

  always_ff @(posedge clk) begin
    if (wa_en && wa_addr != 5'd0 && !(wb_en && wb_addr == wa_addr)) regs[wa_addr] <= wa_data;
    if (wb_en && wb_addr != 5'd0) regs[wb_addr] <= wb_data;
  end
endmodule
