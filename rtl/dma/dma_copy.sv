`default_nettype none
// dma_copy: card-to-card copy: moves bytes between DMABUF, DDR and the DAX
// window at any byte alignment, a line per cycle, for the firmware (the
// COPY_* registers of the DMA region). Clock domain: clk.
//
// Source lines are read in order into a FIFO (reads in flight plus lines
// held never exceed DEPTH, so read data always has a place); each
// destination line is two consecutive source lines shifted by the two
// addresses' difference within a line, written with the byte enables of the
// destination range. When the destination starts later in its line than the
// source does, the source stream begins with a line of nothing, so the
// shift is always (src - dst) mod line size. The copy runs front to back:
// a destination that overlaps its source lies below it (else BADARG), and
// every destination line is written after the source lines it is made of
// were read. Reads go to the source side, writes to the destination side;
// a side is DMABUF (the buffer's engine port, while the DMA engine leaves
// it free; data the next cycle) or card memory (a line port, in-order read
// data at any latency). When both sides are the same, writes go first.
// Interfaces: register port (reads combinational), card memory line port,
// DMABUF row port.
module dma_copy #(
  parameter int DATA_W = 256,            // line width
  parameter int CARD_AW = 31,            // card memory byte-address bits
  parameter int WIN_LOG2 = 30,           // DAX window size, log2 bytes
  parameter logic [31:0] WIN_OFF = 32'h4000_0000,  // card memory address of DAXWIN offset 0
  parameter int DEPTH = 16               // source lines buffered (power of two)
) (
  input  wire logic        clk,
  input  wire logic        rst,

  // --- registers (DMA region) ---
  input  wire logic        req,
  input  wire logic        we,
  input  wire logic [11:0] addr,
  input  wire logic [31:0] wdata,
  output logic [31:0] rdata,

  // --- card memory line port ---
  output logic                   c_req,
  output logic                   c_we,
  output logic [CARD_AW-$clog2(DATA_W/8)-1:0] c_addr,
  output logic [DATA_W/8-1:0]    c_be,
  output logic [DATA_W-1:0]      c_wdata,
  input  wire logic              c_gnt,
  input  wire logic              c_rvalid,
  input  wire logic [DATA_W-1:0] c_rdata,

  // --- DMABUF row port ---
  output logic                   b_en,
  output logic [DATA_W/8-1:0]    b_we,
  output logic [$clog2(soc_map_pkg::DMABUF_SIZE)-$clog2(DATA_W/8)-1:0] b_row,
  output logic [DATA_W-1:0]      b_wdata,
  input  wire logic              b_free,     // the DMA engine leaves the port this cycle
  input  wire logic [DATA_W-1:0] b_rdata
);
  localparam int RB = DATA_W / 8;
  localparam int RBW = $clog2(RB);
  localparam int LW = CARD_AW - RBW;        // card line address bits
  localparam int BW = $clog2(soc_map_pkg::DMABUF_SIZE) - RBW;  // DMABUF row bits
  localparam int DW = $clog2(DEPTH);
  localparam int NW = 26 - RBW + 1;         // line counts (16 MiB and one)
  localparam int RES_W = soc_map_pkg::DMA_RESULT_W;
  localparam int DONE_W = soc_map_pkg::DMA_COPY_STATUS_DONE_W;
  localparam logic [32:0] WIN_BYTES = 33'd1 << WIN_LOG2;
  localparam logic [24:0] MAX_LEN = 25'h100_0000;

  initial begin
    if (DATA_W < 64 || (DATA_W & (DATA_W - 1)) != 0) $error("dma_copy: DATA_W must be a power of two >= 64");
    if (DEPTH < 4 || (DEPTH & (DEPTH - 1)) != 0) $error("dma_copy: DEPTH must be a power of two >= 4");
    if (CARD_AW > 31 || CARD_AW <= RBW) $error("dma_copy: CARD_AW out of range");
  end

  // ------------------------------------------------------------ registers
  logic [31:0] src_q, dst_q;
  logic [24:0] len_q;
  logic        busy_q;
  logic [RES_W-1:0] status_q;
  logic [DONE_W-1:0] done_count_q;

  always_comb begin
    rdata = 32'd0;
    unique case (addr)
      soc_map_pkg::DMA_COPY_SRC: rdata = src_q;
      soc_map_pkg::DMA_COPY_DST: rdata = dst_q;
      soc_map_pkg::DMA_COPY_LEN: rdata = 32'(len_q);
      soc_map_pkg::DMA_COPY_STATUS: begin
        rdata[soc_map_pkg::DMA_COPY_STATUS_BUSY_LSB] = busy_q;
        rdata[soc_map_pkg::DMA_COPY_STATUS_RESULT_LSB +: soc_map_pkg::DMA_COPY_STATUS_RESULT_W] = status_q;
        rdata[soc_map_pkg::DMA_COPY_STATUS_DONE_LSB +: DONE_W] = done_count_q;
      end
      default: ;
    endcase
  end

  // An address in the core's map as the copy sees it: {ok, card, address}:
  // whether [a, a + len) stays inside its region, card memory (1) or DMABUF
  // (0), and its address there.
  localparam int SIDE_W = CARD_AW + 2;
  localparam int S_OK = CARD_AW + 1;
  localparam int S_CARD = CARD_AW;

  function automatic logic [SIDE_W-1:0] decode(input logic [31:0] a, input logic [24:0] len);
    logic ok, card;
    logic [CARD_AW-1:0] ca;
    logic in_buf, in_ddr, in_win;
    logic [31:0] off;
    logic [32:0] end_off;
    in_buf = (a & ~(soc_map_pkg::DMABUF_SIZE - 32'd1)) == soc_map_pkg::DMABUF_BASE;
    in_ddr = (a & ~(soc_map_pkg::DDR_SIZE - 32'd1)) == soc_map_pkg::DDR_BASE;
    in_win = (a & ~(soc_map_pkg::DAXWIN_SIZE - 32'd1)) == soc_map_pkg::DAXWIN_BASE;
    off = in_buf ? (a & (soc_map_pkg::DMABUF_SIZE - 32'd1))
        : in_ddr ? (a & (soc_map_pkg::DDR_SIZE - 32'd1))
        : (a & (soc_map_pkg::DAXWIN_SIZE - 32'd1));
    end_off = {1'b0, off} + 33'(len);
    ok = in_buf ? (end_off <= 33'(soc_map_pkg::DMABUF_SIZE))
       : in_ddr ? (end_off <= 33'(soc_map_pkg::DDR_SIZE))
       : in_win && end_off <= WIN_BYTES;
    card = !in_buf;
    ca = in_win ? CARD_AW'(WIN_OFF + off) : CARD_AW'(off);
    decode = {ok, card, ca};
  endfunction

  logic [SIDE_W-1:0] sd, dd;
  logic [CARD_AW-1:0] sd_a, dd_a;
  logic  overlap_up;                       // dst inside (src, src + len)
  assign sd = decode(src_q, len_q);
  assign dd = decode(dst_q, len_q);
  assign sd_a = sd[CARD_AW-1:0];
  assign dd_a = dd[CARD_AW-1:0];
  assign overlap_up = sd[S_CARD] == dd[S_CARD] && dd_a > sd_a && {1'b0, dd_a} < {1'b0, sd_a} + (CARD_AW + 1)'(len_q);

  // ------------------------------------------------------------ copy state
  logic          run_q;
  logic          s_card_q, d_card_q;
  logic [LW-1:0] rd_line_q;                // next source line to read
  logic [NW-1:0] rd_left_q;                // source lines still to read
  logic [NW-1:0] pop_left_q;               // source lines not yet taken from the FIFO
  logic [LW-1:0] wr_line_q;                // next destination line
  logic [NW-1:0] wr_left_q;                // destination lines still to write
  logic          wr_first_q;
  logic [RBW-1:0] d_lo_q, d_hi_q;          // first byte of the first line, last of the last
  logic [RBW-1:0] shift_q;
  logic          cur_v_q;                  // cur_q holds source line k of the stream
  logic [DATA_W-1:0] cur_q;
  logic [DW:0]   fly_q;                    // reads in flight

  // FIFO of source lines
  logic [DATA_W-1:0] f_mem [0:DEPTH-1];
  logic [DW:0]   f_wr_q, f_rd_q, f_count;
  logic          f_push, f_pop;
  logic [DATA_W-1:0] f_head;
  assign f_count = f_wr_q - f_rd_q;
  assign f_head = f_mem[f_rd_q[DW-1:0]];

  // Write stage: one composed line waiting for its grant
  logic          w_v_q;
  logic [LW-1:0] w_line_q;
  logic [RB-1:0] w_be_q;
  logic [DATA_W-1:0] w_data_q;

  // Port grants
  logic rd_want, rd_go, wr_go, c_is_wr, b_is_wr, b_rd_q;
  assign rd_want = run_q && rd_left_q != '0 && (fly_q + f_count) < (DW + 1)'(DEPTH);
  // Card memory: the write if it has one for card memory, else the read.
  assign c_is_wr = w_v_q && d_card_q;
  assign c_req = c_is_wr || (rd_want && s_card_q);
  assign c_we = c_is_wr;
  assign c_addr = c_is_wr ? w_line_q : rd_line_q;
  assign c_be = c_is_wr ? w_be_q : '1;
  assign c_wdata = w_data_q;
  // DMABUF likewise, while the DMA engine leaves it free.
  assign b_is_wr = w_v_q && !d_card_q;
  assign b_en = b_free && (b_is_wr || (rd_want && !s_card_q));
  assign b_we = b_is_wr ? w_be_q : '0;
  assign b_row = BW'(b_is_wr ? w_line_q : rd_line_q);
  assign b_wdata = w_data_q;
  assign wr_go = w_v_q && (d_card_q ? c_gnt : b_free);
  assign rd_go = rd_want && (s_card_q ? (c_gnt && !c_is_wr) : (b_free && !b_is_wr));

  assign f_push = s_card_q ? c_rvalid : b_rd_q;

  // Composition of the next destination line: the current source line and
  // the one after it (not needed past the end of the source).
  logic          can_make, last_make;
  logic [2*DATA_W-1:0] win;
  logic [RB-1:0] be;
  assign last_make = (pop_left_q == '0);
  assign can_make = run_q && cur_v_q && wr_left_q != '0 && (f_count != '0 || last_make) &&
                    (!w_v_q || wr_go);
  assign win = {f_head, cur_q};
  always_comb begin
    for (int i = 0; i < RB; i++)
      be[i] = (!wr_first_q || RBW'(i) >= d_lo_q) && (wr_left_q != NW'(1) || RBW'(i) <= d_hi_q);
  end
  // A source line moves into cur: after a destination line is made from it,
  // or at the start (no line of nothing).
  assign f_pop = f_count != '0 && pop_left_q != '0 && (can_make || (run_q && !cur_v_q));

  // Lengths in lines
  logic [26:0] s_span, d_span;
  assign s_span = 27'(sd_a[RBW-1:0]) + 27'(len_q) - 27'd1;
  assign d_span = 27'(dd_a[RBW-1:0]) + 27'(len_q) - 27'd1;

  always_ff @(posedge clk) begin
    if (f_push) f_mem[f_wr_q[DW-1:0]] <= s_card_q ? c_rdata : b_rdata;
    if (f_pop) cur_q <= f_head;
    if (can_make) begin
      w_line_q <= wr_line_q;
      w_be_q <= be;
      w_data_q <= win[8 * 32'(shift_q) +: DATA_W];
    end
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      src_q <= 32'd0;
      dst_q <= 32'd0;
      len_q <= 25'd0;
      busy_q <= 1'b0;
      run_q <= 1'b0;
      status_q <= soc_map_pkg::DMA_COPY_STATUS_RESULT_RESET;
      done_count_q <= soc_map_pkg::DMA_COPY_STATUS_DONE_RESET;
      fly_q <= '0;
      f_wr_q <= '0;
      f_rd_q <= '0;
      w_v_q <= 1'b0;
      b_rd_q <= 1'b0;
      cur_v_q <= 1'b0;
    end else begin
      b_rd_q <= rd_go && !s_card_q;
      fly_q <= fly_q + (DW + 1)'(rd_go) - (DW + 1)'(f_push);
      f_wr_q <= f_wr_q + (DW + 1)'(f_push);
      f_rd_q <= f_rd_q + (DW + 1)'(f_pop);
      if (rd_go) begin
        rd_line_q <= rd_line_q + LW'(1);
        rd_left_q <= rd_left_q - NW'(1);
      end
      if (f_pop) begin
        pop_left_q <= pop_left_q - NW'(1);
        cur_v_q <= 1'b1;
      end
      if (wr_go) w_v_q <= 1'b0;
      if (can_make) begin
        w_v_q <= 1'b1;
        wr_line_q <= wr_line_q + LW'(1);
        wr_left_q <= wr_left_q - NW'(1);
        wr_first_q <= 1'b0;
      end

      if (req && we && !busy_q) begin
        unique case (addr)
          soc_map_pkg::DMA_COPY_SRC: src_q <= wdata;
          soc_map_pkg::DMA_COPY_DST: dst_q <= wdata;
          soc_map_pkg::DMA_COPY_LEN: len_q <= (wdata > 32'(MAX_LEN)) ? 25'h1ff_ffff : wdata[24:0];
          soc_map_pkg::DMA_COPY_CTRL: if (wdata[soc_map_pkg::DMA_COPY_CTRL_START_LSB]) begin
            if (!sd[S_OK] || !dd[S_OK] || overlap_up || len_q > MAX_LEN) begin
              status_q <= soc_map_pkg::DMA_RESULT_BADARG;
              done_count_q <= done_count_q + DONE_W'(1);
            end else if (len_q == 25'd0) begin
              status_q <= soc_map_pkg::DMA_RESULT_OK;
              done_count_q <= done_count_q + DONE_W'(1);
            end else begin
              busy_q <= 1'b1;
              run_q <= 1'b1;
              s_card_q <= sd[S_CARD];
              d_card_q <= dd[S_CARD];
              rd_line_q <= sd_a[CARD_AW-1:RBW];
              rd_left_q <= NW'(s_span >> RBW) + NW'(1);
              pop_left_q <= NW'(s_span >> RBW) + NW'(1);
              wr_line_q <= dd_a[CARD_AW-1:RBW];
              wr_left_q <= NW'(d_span >> RBW) + NW'(1);
              wr_first_q <= 1'b1;
              d_lo_q <= dd_a[RBW-1:0];
              d_hi_q <= d_span[RBW-1:0];
              shift_q <= sd_a[RBW-1:0] - dd_a[RBW-1:0];
              // the destination starts later in its line: a line of nothing first
              cur_v_q <= sd_a[RBW-1:0] < dd_a[RBW-1:0];
              f_rd_q <= f_wr_q;             // (a line left over from the last copy)
            end
          end
          default: ;
        endcase
      end

      // Done: every destination line granted, every read back.
      if (run_q && wr_left_q == '0 && !w_v_q && fly_q == '0 && !(rd_go || f_push)) begin
        run_q <= 1'b0;
        busy_q <= 1'b0;
        status_q <= soc_map_pkg::DMA_RESULT_OK;
        done_count_q <= done_count_q + DONE_W'(1);
      end
    end
  end
endmodule
