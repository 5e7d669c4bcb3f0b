`default_nettype none
// dax_window: the DAX cache window behind BAR2 (docs/dax.md is the contract).
// Clock domain: clk.
//
// Guest requests come from pcie_ep as whole TLPs, in arrival order: a write
// with its payload beats (up to 256 bytes), a read as one beat (up to 4 KiB).
// A TLP never crosses a 4 KiB page, so one lookup of the page's 2-bit state
// decides it: read-write pages go to card memory (DDR from WIN_DDR_OFF on,
// through the line port), a write there sets the page's dirty bit; read-only
// pages serve reads and drop writes; unmapped pages read as zeros and drop
// writes. Drops and zero reads are counted per TLP, and the address of the
// last dropped write kept.
//
// After the lookup a write moves a line per cycle: the payload is rotated to
// the lanes of its card-memory address, beat k and the tail of beat k-1 make
// line k (one more line at the end when the TLP straddles lines). A read
// issues its lines to card memory a line per cycle as long as the read-data
// FIFO has room (RD_LINES lines in flight or waiting) and returns them in
// order on the d_* stream, zeroed for unmapped pages; pcie_bar_cpl makes the
// completions.
//
// The firmware sets the state of a page range (ST_FIRST, ST_COUNT, ST_CMD;
// STATUS.BUSY until done) and reads-and-clears the dirty bits 32 pages at a
// time (DIRTY[w]). One state machine serialises guest TLPs, state operations
// and dirty reads, which gives the contract's ordering: a guest TLP that
// arrives while a state operation runs waits for it, a state operation waits
// for the TLP being moved, and a dirty read is one atomic step against guest
// writes. The firmware's own view of the window (the DAXWIN region) is plain
// card memory through card_ddr.
//
// State and dirty bits are kept 32 pages to a word in single-port RAMs
// (read-modify-write by the state machine): 2 + 1 bits per page, 96 KiB for
// a 1 GiB window. After reset a sweep clears both (BUSY meanwhile).
//
// Interfaces: guest request stream and read-data line stream (pcie_ep's bq_*
// and bd_*), register port (request/grant, read data the cycle after the
// grant), line port toward card memory (as card_ddr's p_* port), idle (for
// the simulator's idle skipping: the reset sweep and state operations run
// without any request at the ports).
module dax_window #(
  parameter int DATA_W = 256,                       // line width
  parameter int WIN_LOG2 = 30,                      // window (BAR2) size, log2 bytes
  parameter int DDR_AW = 31,                        // card memory byte-address bits
  parameter logic [31:0] WIN_DDR_OFF = 32'h4000_0000, // card memory offset of window byte 0
  parameter int RD_LINES = 16                       // read lines in flight or waiting (power of two)
) (
  input  wire logic        clk,
  input  wire logic        rst,

  // --- guest requests (BAR2), whole TLPs in arrival order ---
  input  wire logic                g_valid,
  output logic                     g_ready,
  input  wire logic                g_sop,
  input  wire logic                g_eop,
  input  wire logic                g_we,
  input  wire logic [WIN_LOG2-1:0] g_addr,    // byte address of the first DW
  input  wire logic [10:0]         g_ndw,     // DWs, 1..1024, within one 4 KiB page
  input  wire logic [3:0]          g_fbe,
  input  wire logic [3:0]          g_lbe,
  input  wire logic [DATA_W-1:0]   g_data,    // payload beat

  // --- read data: the lines of each read, in order ---
  output logic                     d_valid,
  input  wire logic                d_ready,
  output logic [DATA_W-1:0]        d_data,

  // --- registers (DAX region) ---
  input  wire logic        r_req,
  input  wire logic        r_we,
  input  wire logic [15:0] r_addr,
  input  wire logic [31:0] r_wdata,
  output logic             r_gnt,
  output logic [31:0]      r_rdata,

  // --- card memory lines ---
  output logic                            l_req,
  output logic                            l_we,
  output logic [DDR_AW-$clog2(DATA_W/8)-1:0] l_addr,
  output logic [DATA_W/8-1:0]             l_be,
  output logic [DATA_W-1:0]               l_wdata,
  input  wire logic                       l_gnt,
  input  wire logic                       l_rvalid,
  input  wire logic [DATA_W-1:0]          l_rdata,

  // --- activity ---
  output logic                            idle     // no TLP, operation or read line in progress
);
  localparam int LBW = $clog2(DATA_W / 8);        // byte offset bits in a line
  localparam int DWS = DATA_W / 32;               // DW lanes per line
  localparam int LNW = $clog2(DWS);               // lane bits
  localparam int LW = DDR_AW - LBW;               // line address bits
  localparam int PW = WIN_LOG2 - 12;              // page index bits
  localparam int NW_LOG2 = PW - 5;                // 32 pages per word
  localparam int NW = 1 << NW_LOG2;
  localparam logic [31:0] PAGES = 32'(1) << PW;
  localparam int FW = $clog2(RD_LINES);

  initial begin
    if (WIN_LOG2 < 17 || WIN_LOG2 > 30) $error("dax_window: WIN_LOG2 must be 17..30");
    if (64'(WIN_DDR_OFF) + (64'd1 << WIN_LOG2) > (64'd1 << DDR_AW)) $error("dax_window: window outside card memory");
    if ((WIN_DDR_OFF & ((32'd1 << LBW) - 32'd1)) != 0) $error("dax_window: window not line aligned");
    if (RD_LINES < 2 || (RD_LINES & (RD_LINES - 1)) != 0) $error("dax_window: RD_LINES must be a power of two >= 2");
  end

  // Register offsets (rtl/soc_map.toml [registers.DAX]).
  localparam logic [15:0] R_PAGES = 16'(soc_map_pkg::DAX_PAGES);
  localparam logic [15:0] R_ST_FIRST = 16'(soc_map_pkg::DAX_ST_FIRST);
  localparam logic [15:0] R_ST_COUNT = 16'(soc_map_pkg::DAX_ST_COUNT);
  localparam logic [15:0] R_ST_CMD = 16'(soc_map_pkg::DAX_ST_CMD);
  localparam logic [15:0] R_STATUS = 16'(soc_map_pkg::DAX_STATUS);
  localparam logic [15:0] R_DROP_RO = 16'(soc_map_pkg::DAX_DROP_RO);
  localparam logic [15:0] R_DROP_UNMAPPED = 16'(soc_map_pkg::DAX_DROP_UNMAPPED);
  localparam logic [15:0] R_ZERO_READS = 16'(soc_map_pkg::DAX_ZERO_READS);
  localparam logic [15:0] R_DROP_ADDR_LO = 16'(soc_map_pkg::DAX_DROP_ADDR_LO);
  localparam logic [15:0] R_DROP_ADDR_HI = 16'(soc_map_pkg::DAX_DROP_ADDR_HI);
  localparam logic [15:0] R_DDR_OFF = 16'(soc_map_pkg::DAX_DDR_OFF);
  localparam logic [15:0] R_DIRTY = soc_map_pkg::DAX_DIRTY;

  // ------------------------------------------------------------------ RAMs
  logic [63:0]        st_mem [0:NW-1];
  logic [31:0]        dt_mem [0:NW-1];
  logic [NW_LOG2-1:0] ram_a;
  logic               st_we, dt_we;
  logic [63:0]        st_wd, st_rd;
  logic [31:0]        dt_wd, dt_rd;

  always_ff @(posedge clk) begin
    if (st_we) st_mem[ram_a] <= st_wd;
    st_rd <= st_mem[ram_a];
  end
  always_ff @(posedge clk) begin
    if (dt_we) dt_mem[ram_a] <= dt_wd;
    dt_rd <= dt_mem[ram_a];
  end

  // ------------------------------------------------------------ state
  typedef enum logic [3:0] {
    S_CLEAR, S_IDLE, S_LOOK, S_WRITE, S_WTAIL, S_WDROP, S_READ, S_DIRTY, S_OPREAD, S_OPWRITE
  } state_t;
  state_t state_q, state_d;

  logic [NW_LOG2-1:0] w_q, w_d;                // word of the sweep / operation / TLP's page
  logic [PW:0]        st_first_q, st_count_q;
  logic [PW:0]        op_first_q, op_end_q;    // [first, end) clamped to the window
  logic [soc_map_pkg::DAX_STATE_W-1:0] op_state_q;
  logic               op_pending_q;
  logic [31:0]        drop_ro_q, drop_unmapped_q, zero_reads_q;
  logic [WIN_LOG2-1:0] drop_addr_q;
  logic [31:0]        rdata_q, rdata_d, reg_rdata;

  // The TLP being moved (fields latched at its lookup).
  logic [LW-1:0]      line_q;                  // card-memory line of line m_q
  logic [LNW-1:0]     lane_q;                  // lane of the first DW
  logic [10:0]        ndw_q;
  logic [3:0]         fbe_q, lbe_q;
  logic [8:0]         m_q;                     // line of the TLP being moved
  logic [8:0]         nl_q;                    // lines the TLP covers
  logic               zero_q;                  // a read of an unmapped page
  logic [DATA_W-1:0]  prev_q;                  // rotated previous beat of a write

  // The state and dirty words of the last TLP's 32 pages, kept until a
  // state operation or a dirty read: a TLP in the same 128 KiB needs no RAM
  // lookup (S_LOOK), so back-to-back TLPs cost one cycle besides their beats.
  logic               kept_q;
  logic [NW_LOG2-1:0] kept_w_q;
  logic [63:0]        kept_st_q;
  logic [31:0]        kept_dt_q;

  // Head of the guest stream, and the decision on it: in S_LOOK from the
  // RAM words, in S_IDLE from the kept words.
  logic [PW-1:0]      g_page;
  logic [4:0]         g_bit;
  logic [1:0]         g_state;
  logic [8:0]         g_nl;
  logic               g_hit, decide;
  logic [63:0]        look_st;
  logic [31:0]        look_dt;
  assign g_page = g_addr[WIN_LOG2-1:12];
  assign g_bit = g_page[4:0];
  assign g_hit = kept_q && kept_w_q == g_page[PW-1:5];
  assign look_st = (state_q == S_LOOK) ? st_rd : kept_st_q;
  assign look_dt = (state_q == S_LOOK) ? dt_rd : kept_dt_q;
  assign g_state = look_st[2 * g_bit +: 2];
  assign g_nl = 9'((12'(g_addr[LBW-1:2]) + 12'(g_ndw) + 12'(DWS - 1)) >> LNW);

  // Register decode.
  logic        r_dirty, r_cmd;
  logic [13:0] r_dirty_w;
  assign r_dirty = r_addr >= R_DIRTY;
  assign r_dirty_w = r_addr[15:2] - 14'(R_DIRTY >> 2);
  assign r_cmd = r_we && r_addr == R_ST_CMD;

  // ------------------------------------------------------------ write lines
  // Beat rotated to the lanes of its address; line m_q = lanes >= lane_q of
  // this beat, lanes < lane_q of the previous one; byte enables by DW index.
  logic [DATA_W-1:0]   rot, w_line;
  logic [DATA_W/8-1:0] w_be;
  always_comb begin
    for (int l = 0; l < DWS; l++) begin
      rot[32 * l +: 32] = g_data[32 * ((32'(l) + 32'(DWS) - 32'(lane_q)) % 32'(DWS)) +: 32];
      w_line[32 * l +: 32] = (32'(l) >= 32'(lane_q)) ? rot[32 * l +: 32] : prev_q[32 * l +: 32];
    end
    if (state_q == S_WTAIL) w_line = prev_q;
    // Lane l of line m_q holds DW (m_q * DWS + l - lane_q) of the TLP.
    for (int l = 0; l < DWS; l++) begin
      if (32'(m_q) * 32'(DWS) + 32'(l) < 32'(lane_q) ||
          32'(m_q) * 32'(DWS) + 32'(l) >= 32'(lane_q) + 32'(ndw_q)) w_be[4 * l +: 4] = 4'd0;
      else if (32'(m_q) * 32'(DWS) + 32'(l) == 32'(lane_q)) w_be[4 * l +: 4] = fbe_q;
      else if (32'(m_q) * 32'(DWS) + 32'(l) == 32'(lane_q) + 32'(ndw_q) - 32'd1) w_be[4 * l +: 4] = lbe_q;
      else w_be[4 * l +: 4] = 4'hf;
    end
  end

  // ------------------------------------------------------------ read FIFO
  // Lines issued and not yet taken (in flight or waiting) never exceed
  // RD_LINES, so returning data always has room.
  logic [DATA_W-1:0] rf_mem [0:RD_LINES-1];
  logic              rz_mem [0:RD_LINES-1];    // 1: the line reads as zeros
  logic [FW:0]       rf_wr, rf_rd, rz_wr, credits;
  logic              rd_issue;

  assign d_valid = rf_wr != rf_rd;
  assign d_data = rz_mem[rf_rd[FW-1:0]] ? '0 : rf_mem[rf_rd[FW-1:0]];

  always_ff @(posedge clk) begin
    if (l_rvalid) rf_mem[rf_wr[FW-1:0]] <= l_rdata;
    if (rd_issue) rz_mem[rz_wr[FW-1:0]] <= zero_q;
    if (rst) begin
      rf_wr <= '0;
      rf_rd <= '0;
      rz_wr <= '0;
      credits <= (FW + 1)'(RD_LINES);
    end else begin
      if (l_rvalid) rf_wr <= rf_wr + 1'b1;
      if (d_valid && d_ready) rf_rd <= rf_rd + 1'b1;
      if (rd_issue) rz_wr <= rz_wr + 1'b1;
      credits <= credits - (FW + 1)'(rd_issue) + (FW + 1)'(d_valid && d_ready);
    end
  end

  // ------------------------------------------------------------ the state machine
  logic [63:0] op_mask2;                       // the operation's pages within word w_q
  always_comb begin
    op_mask2 = '0;
    for (int i = 0; i < 32; i++)
      if ((PW + 1)'({w_q, 5'(i)}) >= op_first_q && (PW + 1)'({w_q, 5'(i)}) < op_end_q)
        op_mask2[2 * i +: 2] = 2'b11;
  end

  // The line request: kept apart from the grant it waits for.
  always_comb begin
    l_req = (state_q == S_WRITE && g_valid) || state_q == S_WTAIL || (state_q == S_READ && credits != '0);
    l_we = state_q != S_READ;
    l_addr = line_q;
    l_be = (state_q == S_READ) ? '1 : w_be;
    l_wdata = w_line;
  end

  logic g_rw, g_ok;                            // when deciding: page read-write; the TLP is served
  assign g_rw = g_state == soc_map_pkg::DAX_STATE_RW;
  assign g_ok = g_we ? g_rw : 1'b1;

  always_comb begin
    state_d = state_q;
    w_d = w_q;
    ram_a = w_q;
    st_we = 1'b0;
    dt_we = 1'b0;
    st_wd = '0;
    dt_wd = '0;
    g_ready = 1'b0;
    rd_issue = 1'b0;
    decide = 1'b0;
    r_gnt = 1'b0;
    rdata_d = reg_rdata;

    // Plain registers answer in any state; ST_CMD waits while an operation
    // is pending or running, DIRTY reads go through the state machine.
    if (r_req && !r_dirty && !(r_cmd && (op_pending_q || state_q == S_OPREAD || state_q == S_OPWRITE)))
      r_gnt = 1'b1;

    unique case (state_q)
      S_CLEAR: begin
        st_we = 1'b1;
        dt_we = 1'b1;
        w_d = w_q + 1'b1;
        if (w_q == NW_LOG2'(NW - 1)) state_d = S_IDLE;
      end
      S_IDLE: begin
        if (op_pending_q) begin
          w_d = op_first_q[PW-1:5];
          state_d = S_OPREAD;
        end else if (r_req && r_dirty && !r_we) begin
          ram_a = r_dirty_w[NW_LOG2-1:0];
          w_d = r_dirty_w[NW_LOG2-1:0];
          state_d = S_DIRTY;
        end else if (r_req && r_dirty && r_we) begin
          r_gnt = 1'b1;                        // writes to DIRTY are ignored
        end else if (g_valid && !g_sop) begin
          g_ready = 1'b1;                      // cannot happen (pcie_ep sends whole TLPs): dropped
        end else if (g_valid && g_hit) begin
          ram_a = g_page[PW-1:5];
          w_d = g_page[PW-1:5];
          decide = 1'b1;
        end else if (g_valid) begin
          ram_a = g_page[PW-1:5];
          w_d = g_page[PW-1:5];
          state_d = S_LOOK;
        end
      end
      S_DIRTY: begin
        // Read and clear in one step; words past the window read 0.
        r_gnt = 1'b1;
        rdata_d = (r_dirty_w < 14'(NW)) ? dt_rd : 32'd0;
        dt_we = r_dirty_w < 14'(NW);
        dt_wd = '0;
        state_d = S_IDLE;
      end
      S_LOOK: decide = 1'b1;
      S_WRITE: begin
        if (g_valid && l_gnt) begin
          g_ready = 1'b1;
          if (g_eop) state_d = (m_q + 9'd1 < nl_q) ? S_WTAIL : S_IDLE;
        end
      end
      S_WTAIL: begin
        if (l_gnt) state_d = S_IDLE;
      end
      S_WDROP: begin
        g_ready = 1'b1;
        if (g_valid && g_eop) state_d = S_IDLE;
      end
      S_READ: begin
        if (l_req && l_gnt) begin
          rd_issue = 1'b1;
          if (m_q + 9'd1 == nl_q) begin
            g_ready = 1'b1;                    // the read's one beat
            state_d = S_IDLE;
          end
        end
      end
      S_OPREAD: state_d = S_OPWRITE;         // reads word w_q
      S_OPWRITE: begin
        st_we = 1'b1;                          // writes it back changed
        st_wd = (st_rd & ~op_mask2) | ({32{op_state_q}} & op_mask2);
        if ((PW + 1)'({w_q, 5'd31}) + 1'b1 >= op_end_q) state_d = S_IDLE;
        else begin
          w_d = w_q + 1'b1;
          state_d = S_OPREAD;
        end
      end
      default: state_d = S_IDLE;
    endcase

    // A guest TLP decided (ram_a is its pages' word): a write to a
    // read-write page sets the page's dirty bit.
    if (decide) begin
      if (g_we && g_rw) begin
        dt_we = 1'b1;
        dt_wd = look_dt | (32'd1 << g_bit);
        state_d = S_WRITE;
      end else if (g_we) begin
        state_d = S_WDROP;
      end else begin
        state_d = S_READ;
      end
    end
  end
  assign r_rdata = rdata_q;
  assign idle = state_q == S_IDLE && !op_pending_q && credits == (FW + 1)'(RD_LINES);

  // Plain register reads.
  logic [63:0] drop_addr64;
  assign drop_addr64 = 64'(drop_addr_q);
  always_comb begin
    unique case (r_addr)
      R_PAGES:         reg_rdata = PAGES;
      R_ST_FIRST:      reg_rdata = 32'(st_first_q);
      R_ST_COUNT:      reg_rdata = 32'(st_count_q);
      R_STATUS: begin
        reg_rdata = 32'd0;
        reg_rdata[soc_map_pkg::DAX_STATUS_BUSY_LSB] = op_pending_q || state_q == S_OPREAD ||
                                                      state_q == S_OPWRITE || state_q == S_CLEAR;
      end
      R_DROP_RO:       reg_rdata = drop_ro_q;
      R_DROP_UNMAPPED: reg_rdata = drop_unmapped_q;
      R_ZERO_READS:    reg_rdata = zero_reads_q;
      R_DROP_ADDR_LO:  reg_rdata = drop_addr64[31:0];
      R_DROP_ADDR_HI:  reg_rdata = drop_addr64[63:32];
      R_DDR_OFF:       reg_rdata = WIN_DDR_OFF;
      default:         reg_rdata = 32'd0;
    endcase
  end

  function automatic logic [31:0] sat_inc(input logic [31:0] v);
    sat_inc = (v == 32'hffff_ffff) ? v : v + 32'd1;
  endfunction

  always_ff @(posedge clk) begin
    if (rst) begin
      state_q <= S_CLEAR;
      w_q <= '0;
      st_first_q <= '0;
      st_count_q <= '0;
      op_first_q <= '0;
      op_end_q <= '0;
      op_state_q <= soc_map_pkg::DAX_STATE_UNMAPPED;
      op_pending_q <= 1'b0;
      drop_ro_q <= '0;
      drop_unmapped_q <= '0;
      zero_reads_q <= '0;
      drop_addr_q <= '0;
      rdata_q <= '0;
      kept_q <= 1'b0;
    end else begin
      state_q <= state_d;
      w_q <= w_d;
      if (r_gnt) rdata_q <= rdata_d;
      if (r_gnt && r_we) begin
        unique case (r_addr)
          R_ST_FIRST: st_first_q <= (r_wdata > PAGES) ? (PW + 1)'(PAGES) : (PW + 1)'(r_wdata);
          R_ST_COUNT: st_count_q <= (r_wdata > PAGES) ? (PW + 1)'(PAGES) : (PW + 1)'(r_wdata);
          R_ST_CMD: begin
            // [first, first + count) clamped to the window; empty ranges end at once.
            op_first_q <= st_first_q;
            op_end_q <= ((PW + 2)'(st_first_q) + (PW + 2)'(st_count_q) > (PW + 2)'(PAGES)) ?
                        (PW + 1)'(PAGES) : st_first_q + st_count_q;
            op_state_q <= r_wdata[soc_map_pkg::DAX_ST_CMD_STATE_LSB +: soc_map_pkg::DAX_ST_CMD_STATE_W];
            op_pending_q <= st_count_q != '0 && st_first_q < (PW + 1)'(PAGES);
          end
          default: ;
        endcase
      end
      if (state_q == S_IDLE && op_pending_q) op_pending_q <= 1'b0;
      if (decide && !g_ok) begin
        drop_addr_q <= g_addr;
        if (g_state == soc_map_pkg::DAX_STATE_RO) drop_ro_q <= sat_inc(drop_ro_q);
        else drop_unmapped_q <= sat_inc(drop_unmapped_q);
      end
      if (decide && !g_we && !g_state[0]) zero_reads_q <= sat_inc(zero_reads_q);
      // the kept words follow every change to the RAMs
      if (decide) begin
        kept_q <= 1'b1;
        kept_w_q <= w_d;
        kept_st_q <= look_st;
        kept_dt_q <= dt_we ? dt_wd : look_dt;
      end
      if (state_q == S_CLEAR || state_q == S_OPWRITE || state_q == S_DIRTY) kept_q <= 1'b0;
    end
  end

  // The TLP's fields, its line counter and the previous beat.
  always_ff @(posedge clk) begin
    if (state_q == S_IDLE) begin
      line_q <= LW'((WIN_DDR_OFF >> LBW) + 32'(g_addr[WIN_LOG2-1:LBW]));
      lane_q <= g_addr[LBW-1:2];
      ndw_q <= g_ndw;
      fbe_q <= g_fbe;
      lbe_q <= g_lbe;
      nl_q <= g_nl;
      m_q <= '0;
    end
    if (decide) zero_q <= !g_state[0];
    if ((state_q == S_WRITE && g_valid && l_gnt) || (state_q == S_READ && rd_issue)) begin
      m_q <= m_q + 9'd1;
      line_q <= line_q + 1'b1;
    end
    if (state_q == S_WRITE && g_valid && l_gnt) prev_q <= rot;
  end
endmodule
