`default_nettype none
// Bench for brd_fw_boot (the board's choice between the ROM and the host's
// load) with a two-segment ROM image (rom.hex beside this file):
//  - switch off at the domain's reset: every ROM word reaches the loader
//    port at its address, in order, the card held in reset until the last
//    one and released after; the strap the card samples is 0;
//  - switch on: no loader write at all, the card leaves reset with the
//    domain, the strap is 1;
//  - the switch flipped while the card runs (both ways) changes nothing:
//    no loader write, no reset, the same strap; the next domain reset takes
//    the new position.
module tb;
  import tb_pkg::*;

  `TB_CLK_RST(clk, dom_rst, 4)
  logic        sw;
  logic        strap, card_rst, ld_valid, rom_loaded;
  logic [31:0] ld_addr, ld_data;
  localparam int NW = 5;
  localparam logic [31:0] EXP_ADDR [NW] = '{32'h8000_0000, 32'h8000_0004, 32'h8000_0008,
                                            32'h8004_0000, 32'h8004_0004};
  localparam logic [31:0] EXP_DATA [NW] = '{32'h1111_1111, 32'h2222_2222, 32'h3333_3333,
                                            32'h4444_4444, 32'h5555_5555};
  int unsigned n_ld, n_rst_after, n_rst_rise;
  logic        seen_free, card_rst_q;

  brd_fw_boot #(
    .ROM_AW    (4),
    .INIT_FILE ("tests/board/brd_fw_boot/rom.hex")
  ) dut (
    .clk        (clk),
    .dom_rst    (dom_rst),
    .strap_in   (sw),
    .strap      (strap),
    .card_rst   (card_rst),
    .ld_valid   (ld_valid),
    .ld_addr    (ld_addr),
    .ld_data    (ld_data),
    .rom_loaded (rom_loaded)
  );

  // Every loader write is checked against the image; none may come once
  // the card is out of reset, and the card's reset must not rise again.
  always @(posedge clk) begin
    card_rst_q <= card_rst;
    if (ld_valid) begin
      if (n_ld < NW) begin
        check_eq(ld_addr, EXP_ADDR[n_ld], $sformatf("loader word %0d address", n_ld));
        check_eq(ld_data, EXP_DATA[n_ld], $sformatf("loader word %0d data", n_ld));
      end
      check(card_rst, "a loader write while the card is held");
      n_ld++;
    end
    if (!dom_rst && !card_rst) seen_free <= 1'b1;
    if (!dom_rst && seen_free && card_rst) n_rst_after++;
    if (!dom_rst && card_rst && !card_rst_q) n_rst_rise++;
  end

  task automatic domain_reset(input logic pos);
    sw = pos;
    dom_rst = 1'b1;
    repeat (8) @(posedge clk);
    n_ld = 0;
    n_rst_after = 0;
    n_rst_rise = 0;
    seen_free = 1'b0;
    @(negedge clk) dom_rst = 1'b0;
  endtask

  // Runs n cycles, then checks what a running card must see.
  task automatic running(input int n, input logic exp_strap, input int exp_ld, input string what);
    repeat (n) @(posedge clk);
    check(!card_rst, {what, ": the card runs"});
    check_eq(strap, exp_strap, {what, ": strap"});
    check_eq(n_ld, exp_ld, {what, ": loader writes"});
    check_eq(n_rst_after, 0, {what, ": the card's reset came back"});
    check_eq(rom_loaded, !exp_strap, {what, ": ROM loaded"});
  endtask

  initial begin
    sw = 1'b0;
    n_ld = 0;
    // ROM boot
    domain_reset(1'b0);
    check(card_rst, "held while the ROM loads");
    running(100, 1'b0, NW, "switch off");
    // the switch flipped on while the card runs
    sw = 1'b1;
    running(100, 1'b0, NW, "switch flipped on while running");
    // host boot
    domain_reset(1'b1);
    running(100, 1'b1, 0, "switch on");
    check_eq(n_rst_rise, 0, "switch on: the card leaves reset with the domain");
    sw = 1'b0;
    running(100, 1'b1, 0, "switch flipped off while running");
    // and back to the ROM
    domain_reset(1'b0);
    running(100, 1'b0, NW, "switch off again");
    tb_done("brd_fw_boot");
  end
endmodule
