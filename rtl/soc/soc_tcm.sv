`default_nettype none
// soc_tcm: tightly coupled memory, 32-bit words, synchronous read (one cycle).
// Clock domain: clk. Port A is read-only (instruction fetch) and only present
// when DUAL_PORT = 1; port B reads and writes with byte enables (data bus).
// Maps to block RAM: a true dual-port BRAM for DUAL_PORT = 1.
module soc_tcm #(
  parameter int AW = 18,        // byte-address bits: size = 2**AW bytes
  parameter bit DUAL_PORT = 1'b1 // 1: add the read-only fetch port A
) (
  input  wire logic        clk,

  // --- port A: fetch ---
  input  wire logic [AW-1:0] a_addr,
  output logic [31:0]   a_rdata,

  // --- port B: data ---
  input  wire logic        b_en,
  input  wire logic [3:0]  b_we,
  input  wire logic [AW-1:0] b_addr,
  input  wire logic [31:0] b_wdata,
  output logic [31:0] b_rdata
);
  localparam int WORDS = 1 << (AW - 2);  // 32-bit words

  initial begin
    if (AW < 3 || AW > 28) $error("soc_tcm: AW out of range");
  end

  logic [31:0] mem [0:WORDS-1];

  always_ff @(posedge clk) begin
    if (b_en) begin
      if (b_we[0]) mem[b_addr[AW-1:2]][7:0]   <= b_wdata[7:0];
      if (b_we[1]) mem[b_addr[AW-1:2]][15:8]  <= b_wdata[15:8];
      if (b_we[2]) mem[b_addr[AW-1:2]][23:16] <= b_wdata[23:16];
      if (b_we[3]) mem[b_addr[AW-1:2]][31:24] <= b_wdata[31:24];
      b_rdata <= mem[b_addr[AW-1:2]];
    end
  end

  generate
    if (DUAL_PORT) begin : g_port_a
      always_ff @(posedge clk) a_rdata <= mem[a_addr[AW-1:2]];
    end else begin : g_no_port_a
      assign a_rdata = 32'd0;
    end
  endgenerate
endmodule
