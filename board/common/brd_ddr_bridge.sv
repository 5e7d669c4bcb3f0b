`default_nettype none
// brd_ddr_bridge: the card's memory ports to the DDR4 controller's user
// interface (AMD "DDR4 SDRAM" IP, PG150, native application interface, 4:1,
// 64-bit DQ: one 512-bit word per BL8 burst). Clock domains: clk (the core,
// rst) and ui_clk (the controller, ui_rst); resets raised together.
//
// One client in the core's domain: the line port of card_top (DDR line
// port: 256-bit lines with byte enables, in-order read data at any latency),
// card memory at DDR offset 0 (card_top keeps the DAX window, BAR 2, in the
// upper half of it). Requests cross in a dual-clock FIFO; each 256-bit line is one half of a
// 64-byte burst (write: the other half masked; read: the half selected).
// Read data cannot wait in the controller, so a read is issued only while the
// return FIFO has room for it and every read before it. Nothing is issued
// before calibration completes.
//
// Interfaces: line port (core domain); DDR4 application interface
// (ui_clk domain).
module brd_ddr_bridge #(
  parameter int LW = 21,                  // line-port address bits (card memory lines)
  parameter int DDR_LINES_LOG2 = 26,      // DDR size in 32-byte lines (2 GiB: 26)
  parameter int APP_AW = 29               // controller's app_addr width
) (
  input  wire logic        clk,
  input  wire logic        rst,

  // --- line port (card_top DDR line port) ---
  input  wire logic           l_req,
  input  wire logic           l_we,
  input  wire logic [LW-1:0]  l_addr,
  input  wire logic [31:0]    l_be,
  input  wire logic [255:0]   l_wdata,
  output logic           l_gnt,
  output logic           l_rvalid,
  output logic [255:0]   l_rdata,

  // --- DDR4 controller application interface ---
  input  wire logic           ui_clk,
  input  wire logic           ui_rst,
  input  wire logic           calib_done,
  output logic [APP_AW-1:0] app_addr,
  output logic [2:0]        app_cmd,
  output logic              app_en,
  output logic [511:0]      app_wdf_data,
  output logic              app_wdf_end,
  output logic [63:0]       app_wdf_mask,
  output logic              app_wdf_wren,
  input  wire logic           app_rdy,
  input  wire logic           app_wdf_rdy,
  input  wire logic [511:0]   app_rd_data,
  input  wire logic           app_rd_data_valid
);
  localparam int DL = DDR_LINES_LOG2;
  localparam int CMD_W = 1 + DL + 32 + 256;      // we, line, byte enables, data
  localparam int CAW = 4;                        // command FIFO depth 16
  localparam int RAW = 4;                        // read-data FIFO depth 16
  localparam int OW = 4;                         // owner FIFOs depth 16
  localparam logic [2:0] CMD_WRITE = 3'b000;
  localparam logic [2:0] CMD_READ = 3'b001;

  initial begin
    if (LW > DL) $error("brd_ddr_bridge: line port larger than the DDR");
    if (APP_AW < DL + 2) $error("brd_ddr_bridge: app_addr too narrow for the DDR");
  end

  // ---------------------------------------------------------------- core side
  logic          cmd_wr_ready, cmd_push;
  logic [CMD_W-1:0] cmd_in;
  logic [CAW:0]  cmd_free_unused;
  logic          cmd_dropped_unused, rd_dropped_unused, rd_ready_unused;

  // Reads in flight (their data must find room in the read-data FIFO).
  logic [OW:0]   own_wr_q, own_wr_d, own_rd_q, own_rd_d;
  logic          own_full;

  logic [255:0]  rd_data;
  logic          rd_valid;

  assign own_full = (own_wr_q - own_rd_q) == (OW + 1)'(1 << OW);
  assign cmd_push = l_req && cmd_wr_ready && (l_we || !own_full);
  assign cmd_in = {l_we, DL'(l_addr), l_be, l_wdata};
  assign l_gnt = cmd_push;

  always_comb begin
    own_wr_d = own_wr_q;
    own_rd_d = own_rd_q;
    if (cmd_push && !l_we) own_wr_d = own_wr_q + (OW + 1)'(1);
    if (rd_valid) own_rd_d = own_rd_q + (OW + 1)'(1);
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      own_wr_q <= '0;
      own_rd_q <= '0;
    end else begin
      own_wr_q <= own_wr_d;
      own_rd_q <= own_rd_d;
    end
  end

  // Read data goes to the line port as it arrives (it cannot wait).
  assign l_rvalid = rd_valid;
  assign l_rdata = rd_data;

  // ---------------------------------------------------------------- crossings
  logic [CMD_W-1:0] cmd;
  logic          cmd_valid, cmd_pop;
  logic [RAW:0]  rd_free;
  logic          rd_push;
  logic [255:0]  rd_word;

  brd_async_fifo #(
    .W      (CMD_W),
    .AW     (CAW),
    .PACKET (1'b0)
  ) u_cmd (
    .wr_clk   (clk),
    .wr_rst   (rst),
    .wr_data  (cmd_in),
    .wr_last  (1'b1),
    .wr_drop  (1'b0),
    .wr_valid (cmd_push),
    .wr_ready (cmd_wr_ready),
    .wr_free  (cmd_free_unused),
    .dropped  (cmd_dropped_unused),
    .rd_clk   (ui_clk),
    .rd_rst   (ui_rst),
    .rd_data  (cmd),
    .rd_valid (cmd_valid),
    .rd_ready (cmd_pop)
  );

  brd_async_fifo #(
    .W      (256),
    .AW     (RAW),
    .PACKET (1'b0)
  ) u_rdata (
    .wr_clk   (ui_clk),
    .wr_rst   (ui_rst),
    .wr_data  (rd_word),
    .wr_last  (1'b1),
    .wr_drop  (1'b0),
    .wr_valid (rd_push),
    .wr_ready (rd_ready_unused),
    .wr_free  (rd_free),
    .dropped  (rd_dropped_unused),
    .rd_clk   (clk),
    .rd_rst   (rst),
    .rd_data  (rd_data),
    .rd_valid (rd_valid),
    .rd_ready (1'b1)
  );

  // ---------------------------------------------------------------- controller side
  logic          c_we;
  logic [DL-1:0] c_line;
  logic [31:0]   c_be;
  logic [255:0]  c_data;
  logic [RAW:0]  inflight_q, inflight_d;   // reads issued, data not yet in the FIFO
  logic          half_q [1 << OW];         // which half of the burst each read wants
  logic [OW:0]   half_wr_q, half_wr_d, half_rd_q, half_rd_d;
  logic          can_read, issue;

  assign {c_we, c_line, c_be, c_data} = cmd;
  assign can_read = (inflight_q < rd_free) && ((half_wr_q - half_rd_q) != (OW + 1)'(1 << OW));
  assign issue = cmd_valid && calib_done && app_rdy && (c_we ? app_wdf_rdy : can_read);
  assign cmd_pop = issue;

  assign app_en = cmd_valid && calib_done && (c_we ? app_wdf_rdy : can_read);
  assign app_cmd = c_we ? CMD_WRITE : CMD_READ;
  assign app_addr = APP_AW'({c_line[DL-1:1], 3'b000});
  assign app_wdf_wren = cmd_valid && calib_done && c_we && app_rdy;
  assign app_wdf_end = 1'b1;
  assign app_wdf_data = {c_data, c_data};
  assign app_wdf_mask = c_line[0] ? {~c_be, 32'hffff_ffff} : {32'hffff_ffff, ~c_be};

  assign rd_push = app_rd_data_valid;
  assign rd_word = half_q[half_rd_q[OW-1:0]] ? app_rd_data[511:256] : app_rd_data[255:0];

  always_comb begin
    inflight_d = inflight_q;
    half_wr_d = half_wr_q;
    half_rd_d = half_rd_q;
    if (issue && !c_we) begin
      inflight_d = inflight_d + (RAW + 1)'(1);
      half_wr_d = half_wr_q + (OW + 1)'(1);
    end
    if (app_rd_data_valid) begin
      inflight_d = inflight_d - (RAW + 1)'(1);
      half_rd_d = half_rd_q + (OW + 1)'(1);
    end
  end

  always_ff @(posedge ui_clk) begin
    if (issue && !c_we) half_q[half_wr_q[OW-1:0]] <= c_line[0];
  end

  always_ff @(posedge ui_clk) begin
    if (ui_rst) begin
      inflight_q <= '0;
      half_wr_q <= '0;
      half_rd_q <= '0;
    end else begin
      inflight_q <= inflight_d;
      half_wr_q <= half_wr_d;
      half_rd_q <= half_rd_d;
    end
  end
endmodule
