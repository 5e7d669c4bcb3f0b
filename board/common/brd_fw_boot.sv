`default_nettype none
// brd_fw_boot: where a board's firmware comes from after the core domain's
// reset. The load strap (a switch: the input may change at any time) is
// synchronised and latched while that reset is held, and only then: with it
// off, brd_loader copies the ROM into the TCMs and holds the card until it
// is done (as before); with it on, the ROM loader stays idle and the card
// leaves reset with the domain, its load window (rtl/virtio/vfs_fwload.sv)
// open for the host. Clock domain: clk.
// Interfaces: the domain's reset and the strap in; the card's reset, the
// strap as the card must sample it, the loader port and the ROM's status out.
module brd_fw_boot #(
  parameter int ROM_AW = 16,          // firmware ROM: log2 of its depth in words
  parameter INIT_FILE = ""            // its image (board/common/elf2rom.py)
) (
  input  wire logic        clk,
  input  wire logic        dom_rst,     // the core domain's reset
  input  wire logic        strap_in,    // the switch, asynchronous: 1 = the host loads
  output logic        strap,       // latched at dom_rst: card_top.fw_load_strap
  output logic        card_rst,    // card_top.rst
  output logic        ld_valid,
  output logic [31:0] ld_addr,
  output logic [31:0] ld_data,
  output logic        rom_loaded   // the ROM's image is in the TCMs
);
  logic strap_s, strap_q, rom_core_rst;

  brd_sync #(
    .W      (1),
    .STAGES (2)
  ) u_sync (
    .clk (clk),
    .d   (strap_in),
    .q   (strap_s)
  );

  always_ff @(posedge clk) begin
    if (dom_rst) strap_q <= strap_s;
  end

  brd_loader #(
    .ROM_AW    (ROM_AW),
    .INIT_FILE (INIT_FILE)
  ) u_loader (
    .clk      (clk),
    .rst      (dom_rst || strap_q),
    .core_rst (rom_core_rst),
    .ld_valid (ld_valid),
    .ld_addr  (ld_addr),
    .ld_data  (ld_data),
    .done     (rom_loaded)
  );

  assign strap = strap_q;
  assign card_rst = strap_q ? dom_rst : rom_core_rst;
endmodule
