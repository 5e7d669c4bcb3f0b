`default_nettype none
// dma_buf: the card's DMA staging memory: rows of DATA_W bits, one port for
// the DMA engine (a whole row per cycle, byte enables) and one for the soft
// core (32-bit words, byte enables). Clock domain: clk. Reads take one cycle.
// Maps to true dual-port block RAM.
module dma_buf #(
  parameter int DATA_W = 256,  // row width, bits (the TLP datapath width)
  parameter int AW = 16        // byte-address bits: size = 2**AW bytes
) (
  input  wire logic        clk,

  // --- DMA engine port (rows) ---
  input  wire logic                   d_en,
  input  wire logic [DATA_W/8-1:0]    d_we,
  input  wire logic [AW-$clog2(DATA_W/8)-1:0] d_row,
  input  wire logic [DATA_W-1:0]      d_wdata,
  output logic [DATA_W-1:0]      d_rdata,

  // --- CPU port (words) ---
  input  wire logic        c_en,
  input  wire logic [3:0]  c_we,
  input  wire logic [AW-1:0] c_addr,
  input  wire logic [31:0] c_wdata,
  output logic [31:0] c_rdata
);
  localparam int RB = $clog2(DATA_W / 8);   // byte-offset bits within a row
  localparam int ROWS = 1 << (AW - RB);
  localparam int WPR = DATA_W / 32;          // words per row
  localparam int WB = $clog2(WPR);           // word-select bits

  initial begin
    if (DATA_W < 64 || (DATA_W & (DATA_W - 1)) != 0) $error("dma_buf: DATA_W must be a power of two >= 64");
    if (AW <= RB || AW > 24) $error("dma_buf: AW out of range");
  end

  logic [DATA_W-1:0] mem [0:ROWS-1];
  logic [DATA_W/8-1:0] c_we_row;
  logic [DATA_W-1:0] c_wdata_row, c_rdata_row;
  logic [WB-1:0] c_word_q;

  always_comb begin
    c_we_row = '0;
    c_we_row[4 * c_addr[RB-1:2] +: 4] = c_we;
    c_wdata_row = {WPR{c_wdata}};
  end

  always_ff @(posedge clk) begin
    if (d_en) begin
      for (int b = 0; b < DATA_W / 8; b++)
        if (d_we[b]) mem[d_row][8 * b +: 8] <= d_wdata[8 * b +: 8];
      d_rdata <= mem[d_row];
    end
  end

  always_ff @(posedge clk) begin
    if (c_en) begin
      for (int b = 0; b < DATA_W / 8; b++)
        if (c_we_row[b]) mem[c_addr[AW-1:RB]][8 * b +: 8] <= c_wdata_row[8 * b +: 8];
      c_rdata_row <= mem[c_addr[AW-1:RB]];
      c_word_q <= c_addr[RB-1:2];
    end
  end

  assign c_rdata = c_rdata_row[32 * c_word_q +: 32];
endmodule
