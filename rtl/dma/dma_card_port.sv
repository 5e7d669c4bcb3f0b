`default_nettype none
// dma_card_port: the DMA engine's local row port onto card memory's line
// port (request/grant, in-order read data at any latency). Clock domain: clk.
//
// The engine expects a row read to answer in the next cycle and a row write
// to be taken at once; card memory grants when it can and answers later. One
// FIFO of DEPTH lines bridges the two, in one of two modes a command picks:
// - host -> card (the engine writes rows): a write buffer. Rows queue with
//   their byte enables and leave in order as the line port grants them;
//   lm_wait stops the engine's placement (and so the completion stream) while
//   the buffer is full, and lm_busy holds the command's done until the last
//   row is granted (after which a core load sees it: card_ddr orders them).
// - card -> host (the engine reads rows): a prefetch buffer. From the first
//   row the engine can need to the last, lines are requested in order while
//   the FIFO has room for them; the engine reads the FIFO's head, or one of
//   the two lines it read last (a TLP's first row may be the previous TLP's
//   last or last but one), and waits (lm_rd_ok low) for a line not there yet.
// Lines still in flight when a command starts or is aborted are dropped as
// they return. Interfaces: command start, the engine's row port, line port.
module dma_card_port #(
  parameter int DATA_W = 256,   // row / line width
  parameter int LW = 26,        // line address bits (card memory)
  parameter int DEPTH = 16      // lines buffered (power of two, >= 4)
) (
  input  wire logic        clk,
  input  wire logic        rst,
  input  wire logic        abort,          // the engine was reset: stop prefetching

  // --- command start (the engine takes a command for card memory) ---
  input  wire logic                  start,
  input  wire logic                  start_to_host,    // 1: the engine will read rows
  input  wire logic [LW+$clog2(DATA_W/8)-1:0] start_local,  // card byte address
  input  wire logic [1:0]            start_host_lo,    // host address bits 1:0
  input  wire logic [24:0]           start_len,

  // --- engine's row port ---
  input  wire logic                  lm_en,
  input  wire logic [DATA_W/8-1:0]   lm_we,
  input  wire logic [LW-1:0]         lm_row,
  input  wire logic [DATA_W-1:0]     lm_wdata,
  output logic [DATA_W-1:0]          lm_rdata,
  output logic                       lm_wait,
  input  wire logic [LW-1:0]         lm_next_row,
  output logic                       lm_rd_ok,
  output logic                       lm_busy,

  // --- card memory line port ---
  output logic                   l_req,
  output logic                   l_we,
  output logic [LW-1:0]          l_addr,
  output logic [DATA_W/8-1:0]    l_be,
  output logic [DATA_W-1:0]      l_wdata,
  input  wire logic              l_gnt,
  input  wire logic              l_rvalid,
  input  wire logic [DATA_W-1:0] l_rdata
);
  localparam int RB = DATA_W / 8;        // bytes per line
  localparam int RBW = $clog2(RB);
  localparam int DW = $clog2(DEPTH);
  localparam int CW = 27 - RBW;          // line counts: a command's (16 MiB and a few) lines
  localparam int AW = LW + RBW;          // card byte address bits
  // The engine reads a TLP's payload from (local - host[1:0]) on, and at most
  // one row past the row of its last byte (rounded up to a dword).
  localparam int DW_PAD = 3;

  initial begin
    if (DATA_W < 64 || (DATA_W & (DATA_W - 1)) != 0) $error("dma_card_port: DATA_W must be a power of two >= 64");
    if (DEPTH < 4 || (DEPTH & (DEPTH - 1)) != 0) $error("dma_card_port: DEPTH must be a power of two >= 4");
  end

  // ------------------------------------------------------------ FIFO
  logic [DATA_W-1:0] f_data [0:DEPTH-1];
  logic [RB-1:0]     f_be   [0:DEPTH-1];
  logic [LW-1:0]     f_row  [0:DEPTH-1];
  logic [DW:0]       wr_q, wr_d, rd_q, rd_d;
  logic [DW:0]       count;
  logic              push_w, push_r, pop_w, pop_r;

  assign count = wr_q - rd_q;

  // ------------------------------------------------------------ prefetch state
  logic          pf_q, pf_d;             // prefetch mode (else write buffer)
  logic [LW-1:0] pf_row_q, pf_row_d;     // next line to request
  logic [CW-1:0] pf_left_q, pf_left_d;   // lines still to request
  logic [LW-1:0] hd_row_q, hd_row_d;     // row of the FIFO's head
  logic [DW:0]   fly_q, fly_d;           // reads in flight
  logic [DW:0]   drop_q, drop_d;         // ... of which to drop on return
  logic          p0_v_q, p1_v_q, p0_v_d, p1_v_d;  // the last two lines read (p1 the newest)
  logic [LW-1:0] p0_row_q, p1_row_q;
  logic [DATA_W-1:0] p0_q, p1_q, rdata_q;
  logic          hit0, hit1, hit_h, rd_take;
  logic [AW-1:0] first_b;                // the first byte the engine reads
  logic [26:0]   span;                   // ... to its last, from the first's line start

  assign hit1 = p1_v_q && p1_row_q == lm_row;
  assign hit0 = p0_v_q && p0_row_q == lm_row;
  assign hit_h = pf_q && count != '0 && hd_row_q == lm_next_row;
  assign lm_rd_ok = (p1_v_q && p1_row_q == lm_next_row) || (p0_v_q && p0_row_q == lm_next_row) || hit_h;
  // An engine read in prefetch mode: from the two lines kept, else the head.
  assign rd_take = pf_q && lm_en && lm_we == '0;
  assign pop_r = rd_take && !hit1 && !hit0;

  // Line port: buffered writes, or the next prefetch while its line has room.
  assign l_req = pf_q ? (pf_left_q != '0 && (fly_q + count) < (DW + 1)'(DEPTH)) : (count != '0);
  assign l_we = !pf_q;
  assign l_addr = pf_q ? pf_row_q : f_row[rd_q[DW-1:0]];
  assign l_be = pf_q ? '1 : f_be[rd_q[DW-1:0]];
  assign l_wdata = f_data[rd_q[DW-1:0]];
  assign pop_w = !pf_q && l_req && l_gnt;
  assign push_w = !pf_q && lm_en && lm_we != '0;
  assign push_r = l_rvalid && drop_q == '0;

  // One slot is kept free: the engine may write in the cycle lm_wait rises.
  assign lm_wait = !pf_q && count >= (DW + 1)'(DEPTH - 1);
  assign lm_busy = !pf_q && count != '0;
  assign lm_rdata = rdata_q;

  assign first_b = start_local - AW'(start_host_lo);
  assign span = 27'(first_b[RBW-1:0]) + 27'(start_host_lo) + 27'(start_len) + 27'(DW_PAD);

  always_comb begin
    wr_d = wr_q + (DW + 1)'(push_w || push_r);
    rd_d = rd_q + (DW + 1)'(pop_w || pop_r);
    pf_d = pf_q;
    pf_row_d = pf_row_q;
    pf_left_d = pf_left_q;
    hd_row_d = hd_row_q + LW'(pop_r);
    fly_d = fly_q + (DW + 1)'(pf_q && l_req && l_gnt) - (DW + 1)'(l_rvalid);
    drop_d = drop_q - (DW + 1)'(l_rvalid && drop_q != '0);
    p0_v_d = pop_r ? p1_v_q : p0_v_q;
    p1_v_d = pop_r ? 1'b1 : p1_v_q;
    if (pf_q && l_req && l_gnt) begin
      pf_row_d = pf_row_q + LW'(1);
      pf_left_d = pf_left_q - CW'(1);
    end
    // A new command, or an abort of a prefetch: what is buffered or still
    // coming for the old one goes. Buffered writes are never dropped.
    if (start || (abort && pf_q)) begin
      pf_d = start && start_to_host;
      rd_d = pf_q ? wr_d : rd_d;
      drop_d = fly_d;
      p0_v_d = 1'b0;
      p1_v_d = 1'b0;
      pf_left_d = '0;
      if (start && start_to_host) begin
        pf_row_d = first_b[AW-1:RBW];
        hd_row_d = first_b[AW-1:RBW];
        pf_left_d = CW'(span >> RBW) + CW'(2);
      end
    end
  end

  always_ff @(posedge clk) begin
    if (push_w || push_r) begin
      f_data[wr_q[DW-1:0]] <= push_w ? lm_wdata : l_rdata;
      f_be[wr_q[DW-1:0]] <= lm_we;
      f_row[wr_q[DW-1:0]] <= lm_row;
    end
    if (rd_take) rdata_q <= hit1 ? p1_q : hit0 ? p0_q : f_data[rd_q[DW-1:0]];
    if (pop_r) begin
      p0_q <= p1_q;
      p0_row_q <= p1_row_q;
      p1_q <= f_data[rd_q[DW-1:0]];
      p1_row_q <= hd_row_q;
    end
    pf_row_q <= pf_row_d;
    pf_left_q <= pf_left_d;
    hd_row_q <= hd_row_d;
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      wr_q <= '0;
      rd_q <= '0;
      pf_q <= 1'b0;
      fly_q <= '0;
      drop_q <= '0;
      p0_v_q <= 1'b0;
      p1_v_q <= 1'b0;
    end else begin
      wr_q <= wr_d;
      rd_q <= rd_d;
      pf_q <= pf_d;
      fly_q <= fly_d;
      drop_q <= drop_d;
      p0_v_q <= p0_v_d;
      p1_v_q <= p1_v_d;
    end
  end
endmodule
