`default_nettype none
// brd_loader: loads the card firmware into the SoC's TCMs after reset, from
// a ROM in block RAM that the bitstream initialises (INIT_FILE, made from the
// firmware ELF by board/common/elf2rom.py), through soc_top's loader port,
// and holds the core in reset until it is done. Clock domain: clk.
//
// ROM layout (32-bit words): the number of segments, then per segment its
// base address, its length in words and the words.
//
// Interfaces: reset request in, the core's reset and loader port out.
module brd_loader #(
  parameter int ROM_AW = 16,          // log2 of the ROM depth in words
  parameter INIT_FILE = ""            // $readmemh image; empty: an empty ROM (no segments)
) (
  input  wire logic        clk,
  input  wire logic        rst,        // reset of this domain (the loader starts over)
  output logic        core_rst,   // held until the image is loaded
  output logic        ld_valid,
  output logic [31:0] ld_addr,
  output logic [31:0] ld_data,
  output logic        done
);
  initial begin
    if (ROM_AW < 2 || ROM_AW > 20) $error("brd_loader: ROM_AW must be 2..20");
  end

  typedef enum logic [2:0] {S_NSEG, S_BASE, S_LEN, S_DATA, S_DONE} state_t;

  logic [31:0] rom [1 << ROM_AW];
  // Words past the image stay 0 (block RAM's initial value); the loader
  // reads only as far as the segment list goes.
  initial begin
    if (INIT_FILE != "") $readmemh(INIT_FILE, rom);
  end

  state_t            state_q, state_d;
  logic [ROM_AW-1:0] ra_q, ra_d;        // ROM address being read
  logic              rv_q, rv_d;        // rdata_q holds the word at ra_q - 1
  logic [31:0]       rdata_q;
  logic [31:0]       nseg_q, nseg_d, len_q, len_d, addr_q, addr_d;
  logic              ld_q, ld_d;

  always_ff @(posedge clk) rdata_q <= rom[ra_q];

  always_comb begin
    state_d = state_q;
    ra_d = ra_q;
    rv_d = 1'b0;
    nseg_d = nseg_q;
    len_d = len_q;
    addr_d = addr_q;
    ld_d = 1'b0;
    if (state_q != S_DONE && !rv_q) begin
      // Read one word, use it the next cycle.
      rv_d = 1'b1;
      ra_d = ra_q + ROM_AW'(1);
    end
    if (rv_q) begin
      unique case (state_q)
        S_NSEG: begin
          nseg_d = rdata_q;
          state_d = (rdata_q == 32'd0) ? S_DONE : S_BASE;
        end
        S_BASE: begin
          addr_d = rdata_q;
          state_d = S_LEN;
        end
        S_LEN: begin
          len_d = rdata_q;
          nseg_d = nseg_q - 32'd1;
          if (rdata_q == 32'd0) state_d = (nseg_q == 32'd1) ? S_DONE : S_BASE;
          else state_d = S_DATA;
        end
        S_DATA: begin
          ld_d = 1'b1;
          len_d = len_q - 32'd1;
          if (len_q == 32'd1) state_d = (nseg_q == 32'd0) ? S_DONE : S_BASE;
        end
        default: ;
      endcase
      // A ROM that ends without the list ending stops here.
      if (ra_q == '0) state_d = S_DONE;
    end
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      state_q <= S_NSEG;
      ra_q <= '0;
      rv_q <= 1'b0;
      ld_q <= 1'b0;
      addr_q <= 32'd0;
    end else begin
      state_q <= state_d;
      ra_q <= ra_d;
      rv_q <= rv_d;
      ld_q <= ld_d;
      // The address advances after each word written.
      addr_q <= ld_q ? addr_q + 32'd4 : addr_d;
    end
  end

  always_ff @(posedge clk) begin
    nseg_q <= nseg_d;
    len_q <= len_d;
    if (ld_d) ld_data <= rdata_q;
  end

  assign ld_valid = ld_q;
  assign ld_addr = addr_q;
  assign core_rst = rst || state_q != S_DONE || ld_q;
  assign done = state_q == S_DONE;
endmodule
