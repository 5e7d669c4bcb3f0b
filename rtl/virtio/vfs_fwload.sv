`default_nettype none
// vfs_fwload: the host's firmware load window. When the card's strap asks for
// a host load at the card's reset, the soft core stays held in reset and the
// host writes the firmware word by word into the TCMs through soc_top's
// loader port (BAR0 0x7000: ADDR, DATA, then GO with the key), which starts
// the core and closes the window for good: from then on every write is
// refused and counted, until the card's own reset (rst) samples the strap
// again. Nothing a driver of the function reaches (BAR0, a virtio reset,
// configuration space) resets this block. The registers are FWLOAD in
// rtl/soc_map.toml; the contract is docs/fw-load.md.
// Clock domain: clk. Interfaces: the strap, the host register port (h_*,
// offsets into the window; read data combinational, in the request's cycle),
// the firmware's read-only port (f_*, same offsets), the loader port and the
// core's hold.
module vfs_fwload (
  input  wire logic        clk,
  input  wire logic        rst,        // the card's reset: samples the strap
  input  wire logic        strap,      // 1: wait for the host's load (held stable around rst)

  // --- host port: BAR0 0x7000-0x7fff, as offsets into the window ---
  input  wire logic        h_req,
  input  wire logic        h_we,
  input  wire logic [11:0] h_addr,
  input  wire logic [3:0]  h_be,
  input  wire logic [31:0] h_wdata,
  output logic [31:0] h_rdata,

  // --- firmware port: offsets into the FWLOAD region, read-only ---
  input  wire logic [11:0] f_addr,
  output logic [31:0] f_rdata,

  // --- loader port of soc_top, and the core's reset ---
  output logic        ld_valid,
  output logic [31:0] ld_addr,
  output logic [31:0] ld_data,
  output logic        core_hold   // the core stays in reset: a host load is awaited
);
  localparam logic [31:0] CRC_POLY = 32'hedb8_8320;  // IEEE 802.3, reflected
  localparam logic [31:0] CRC_INIT = 32'hffff_ffff;

  logic        mode_q, running_q, running_d, open;
  logic [31:0] addr_q, addr_d, words_q, words_d, crc_q, crc_d, refused_q, refused_d;
  logic        ld_valid_d;

  // CRC-32 register (pre-inverted) advanced by a word's four bytes, LSB first.
  function automatic logic [31:0] crc_word(input logic [31:0] crc, input logic [31:0] w);
    logic [31:0] c;
    c = crc ^ w;
    for (int i = 0; i < 32; i++) c = c[0] ? ((c >> 1) ^ CRC_POLY) : (c >> 1);
    crc_word = c;
  endfunction

  function automatic logic in_tcm(input logic [31:0] a);
    in_tcm = ((a & ~(soc_map_pkg::ITCM_SIZE - 32'd1)) == soc_map_pkg::ITCM_BASE) ||
             ((a & ~(soc_map_pkg::DTCM_SIZE - 32'd1)) == soc_map_pkg::DTCM_BASE);
  endfunction

  assign open = mode_q && !running_q;

  always_comb begin
    logic ok;
    addr_d = addr_q;
    words_d = words_q;
    crc_d = crc_q;
    running_d = running_q;
    ld_valid_d = 1'b0;
    ok = 1'b0;
    if (h_req && h_we) begin
      if (open) begin
        unique case (h_addr)
          12'(soc_map_pkg::FWLOAD_ADDR): begin
            addr_d = {h_wdata[31:2], 2'b00};
            ok = 1'b1;
          end
          12'(soc_map_pkg::FWLOAD_DATA): begin
            if (h_be == 4'b1111 && in_tcm(addr_q)) begin
              ld_valid_d = 1'b1;
              addr_d = addr_q + 32'd4;
              words_d = words_q + 32'd1;
              crc_d = crc_word(crc_q, h_wdata);
              ok = 1'b1;
            end
          end
          12'(soc_map_pkg::FWLOAD_GO): begin
            if (h_be == 4'b1111 && h_wdata == soc_map_pkg::FWLOAD_KEY_GO) begin
              running_d = 1'b1;
              ok = 1'b1;
            end
          end
          default: ;
        endcase
      end
      refused_d = (ok || refused_q == 32'hffff_ffff) ? refused_q : refused_q + 32'd1;
    end else begin
      refused_d = refused_q;
    end
  end

  function automatic logic [31:0] read_reg(input logic [11:0] off, input logic [31:0] status,
                                           input logic [31:0] addr, input logic [31:0] words,
                                           input logic [31:0] crc, input logic [31:0] refused);
    logic [31:0] r;
    unique case (off)
      12'(soc_map_pkg::FWLOAD_STATUS):  r = status;
      12'(soc_map_pkg::FWLOAD_ADDR):    r = addr;
      12'(soc_map_pkg::FWLOAD_WORDS):   r = words;
      12'(soc_map_pkg::FWLOAD_CRC):     r = crc;
      12'(soc_map_pkg::FWLOAD_REFUSED): r = refused;
      default:                          r = 32'd0;
    endcase
    read_reg = r;
  endfunction

  logic [31:0] status_w;
  assign status_w = (32'(mode_q) << soc_map_pkg::FWLOAD_STATUS_MODE_LSB) |
                    (32'(open) << soc_map_pkg::FWLOAD_STATUS_OPEN_LSB) |
                    (32'(running_q) << soc_map_pkg::FWLOAD_STATUS_RUNNING_LSB);
  assign h_rdata = read_reg(h_addr, status_w, addr_q, words_q, ~crc_q, refused_q);
  assign f_rdata = read_reg(f_addr, status_w, addr_q, words_q, ~crc_q, refused_q);

  always_ff @(posedge clk) begin
    if (rst) begin
      mode_q <= strap;
      running_q <= 1'b0;
      addr_q <= 32'd0;
      words_q <= 32'd0;
      crc_q <= CRC_INIT;
      refused_q <= 32'd0;
      ld_valid <= 1'b0;
    end else begin
      running_q <= running_d;
      addr_q <= addr_d;
      words_q <= words_d;
      crc_q <= crc_d;
      refused_q <= refused_d;
      ld_valid <= ld_valid_d;
    end
    if (ld_valid_d) begin
      ld_addr <= addr_q;
      ld_data <= h_wdata;
    end
  end

  // The word written in the cycle after its request lands while the core
  // is still held: GO cannot be taken in the same cycle as a DATA write.
  assign core_hold = open || ld_valid;
endmodule
