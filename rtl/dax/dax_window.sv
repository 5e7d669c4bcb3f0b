`default_nettype none
// dax_window: the DAX cache window behind BAR2 (docs/dax.md is the contract).
// Clock domain: clk.
//
// Guest accesses (pcie_ep's BAR2 memory port, one DW at a time) are checked
// against a 2-bit state per 4 KiB page: read-write pages go to card memory
// (DDR from WIN_DDR_OFF on, through the line port) and a write sets the
// page's dirty bit once the line port has taken it; read-only pages serve
// reads and drop writes; unmapped pages read as zeros and drop writes. Drops
// and zero reads are counted, and the last dropped address kept.
//
// The firmware sets the state of a page range (ST_FIRST, ST_COUNT, ST_CMD;
// STATUS.BUSY until done) and reads-and-clears the dirty bits 32 pages at a
// time (DIRTY[w]). One state machine serialises guest accesses, state
// operations and dirty reads, which gives the contract's ordering: a guest
// access that arrives while a state operation runs waits for it, and a dirty
// read is one atomic step against guest writes. The firmware's own view of
// the window (the DAXWIN region) is plain card memory through card_ddr.
//
// State and dirty bits are kept 32 pages to a word in single-port RAMs
// (read-modify-write by the state machine): 2 + 1 bits per page, 96 KiB for
// a 1 GiB window. After reset a sweep clears both (BUSY meanwhile).
//
// Interfaces: guest port (request/grant, read data one or more cycles after
// the grant), register port (request/grant, read data the cycle after the
// grant), line port toward card memory (as card_ddr's p_* port).
module dax_window #(
  parameter int DATA_W = 256,                       // line width
  parameter int WIN_LOG2 = 30,                      // window (BAR2) size, log2 bytes
  parameter int DDR_AW = 31,                        // card memory byte-address bits
  parameter logic [31:0] WIN_DDR_OFF = 32'h4000_0000 // card memory offset of window byte 0
) (
  input  wire logic        clk,
  input  wire logic        rst,

  // --- guest (BAR2) ---
  input  wire logic                g_req,
  input  wire logic                g_we,
  input  wire logic [WIN_LOG2-1:0] g_addr,
  input  wire logic [3:0]          g_be,
  input  wire logic [31:0]         g_wdata,
  output logic                     g_gnt,
  output logic                     g_rvalid,
  output logic [31:0]              g_rdata,

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
  input  wire logic [DATA_W-1:0]          l_rdata
);
  localparam int LBW = $clog2(DATA_W / 8);        // byte offset bits in a line
  localparam int PW = WIN_LOG2 - 12;              // page index bits
  localparam int NW_LOG2 = PW - 5;                // 32 pages per word
  localparam int NW = 1 << NW_LOG2;
  localparam logic [31:0] PAGES = 32'(1) << PW;

  initial begin
    if (WIN_LOG2 < 17 || WIN_LOG2 > 30) $error("dax_window: WIN_LOG2 must be 17..30");
    if (64'(WIN_DDR_OFF) + (64'd1 << WIN_LOG2) > (64'd1 << DDR_AW)) $error("dax_window: window outside card memory");
    if ((WIN_DDR_OFF & ((32'd1 << LBW) - 32'd1)) != 0) $error("dax_window: window not line aligned");
  end

  // Register offsets (rtl/soc_map.toml [registers.DAX]).
  localparam logic [15:0] R_PAGES = 16'h00, R_ST_FIRST = 16'h04, R_ST_COUNT = 16'h08,
                          R_ST_CMD = 16'h0c, R_STATUS = 16'h10, R_DROP_RO = 16'h14,
                          R_DROP_UNMAPPED = 16'h18, R_ZERO_READS = 16'h1c,
                          R_DROP_ADDR_LO = 16'h20, R_DROP_ADDR_HI = 16'h24, R_DDR_OFF = 16'h28,
                          R_DIRTY = 16'h1000;

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

  // ------------------------------------------------------------ registers
  typedef enum logic [3:0] {
    S_CLEAR, S_IDLE, S_GLOOK, S_GWRITE, S_GREAD, S_GDATA, S_GZERO, S_DIRTY, S_OPREAD, S_OPWRITE
  } state_t;
  state_t state_q, state_d;

  logic [NW_LOG2-1:0] w_q, w_d;                // word of the sweep / operation
  logic [PW:0]        st_first_q, st_count_q;
  logic [PW:0]        op_first_q, op_end_q;    // [first, end) clamped to the window
  logic [1:0]         op_state_q;
  logic               op_pending_q;
  logic [31:0]        drop_ro_q, drop_unmapped_q, zero_reads_q;
  logic [WIN_LOG2-1:0] drop_addr_q;
  logic [31:0]        rdata_q, rdata_d, reg_rdata;
  logic [31:0]        g_rdata_q;
  logic [LBW-3:0]     g_word_q;                // word of the line a guest read waits for

  // Guest request fields (held by pcie_ep until the grant).
  logic [PW-1:0]      g_page;
  logic [4:0]         g_bit;
  logic [1:0]         g_state;
  assign g_page = g_addr[WIN_LOG2-1:12];
  assign g_bit = g_page[4:0];
  assign g_state = st_rd[2 * g_bit +: 2];

  // Register decode.
  logic        r_dirty, r_cmd;
  logic [13:0] r_dirty_w;
  assign r_dirty = r_addr >= R_DIRTY;
  assign r_dirty_w = r_addr[15:2] - 14'(R_DIRTY >> 2);
  assign r_cmd = r_we && r_addr == R_ST_CMD;

  // Line request of the guest access.
  logic [DDR_AW-3:0] g_dw;                     // DW address in card memory
  assign g_dw = (DDR_AW - 2)'(WIN_DDR_OFF >> 2) + (DDR_AW - 2)'(g_addr[WIN_LOG2-1:2]);
  always_comb begin
    l_addr = g_dw[DDR_AW-3:LBW-2];
    l_we = g_we;
    l_be = '0;
    l_be[{g_dw[LBW-3:0], 2'b00} +: 4] = g_be;
    l_wdata = {(DATA_W / 32){g_wdata}};
  end

  // Masks of the operation's pages within word w_q.
  logic [63:0] op_mask2;
  always_comb begin
    op_mask2 = '0;
    for (int i = 0; i < 32; i++)
      if ((PW + 1)'({w_q, 5'(i)}) >= op_first_q && (PW + 1)'({w_q, 5'(i)}) < op_end_q)
        op_mask2[2 * i +: 2] = 2'b11;
  end

  always_comb begin
    state_d = state_q;
    w_d = w_q;
    ram_a = w_q;
    st_we = 1'b0;
    dt_we = 1'b0;
    st_wd = '0;
    dt_wd = '0;
    g_gnt = 1'b0;
    l_req = 1'b0;
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
        end else if (g_req) begin
          ram_a = g_page[PW-1:5];
          w_d = g_page[PW-1:5];
          state_d = S_GLOOK;
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
      S_GLOOK: begin
        if (g_state[0] && (!g_we || g_state[1])) state_d = g_we ? S_GWRITE : S_GREAD;
        else if (g_we) begin
          g_gnt = 1'b1;                        // dropped
          state_d = S_IDLE;
        end else begin
          g_gnt = 1'b1;                        // zeros
          state_d = S_GZERO;
        end
      end
      S_GWRITE: begin
        l_req = 1'b1;
        if (l_gnt) begin
          g_gnt = 1'b1;
          dt_we = 1'b1;                        // dt_rd still holds word w_q
          dt_wd = dt_rd | (32'd1 << g_bit);
          state_d = S_IDLE;
        end
      end
      S_GREAD: begin
        l_req = 1'b1;
        if (l_gnt) begin
          g_gnt = 1'b1;
          state_d = S_GDATA;
        end
      end
      S_GDATA: if (l_rvalid) state_d = S_IDLE;
      S_GZERO: state_d = S_IDLE;
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
  end

  // The guest's read data: the word of the line, or zeros.
  always_comb begin
    g_rvalid = 1'b0;
    g_rdata = g_rdata_q;
    if (state_q == S_GDATA && l_rvalid) begin
      g_rvalid = 1'b1;
      g_rdata = l_rdata[32 * g_word_q +: 32];
    end else if (state_q == S_GZERO) begin
      g_rvalid = 1'b1;
      g_rdata = '0;
    end
  end
  assign r_rdata = rdata_q;

  // Plain register reads.
  logic [63:0] drop_addr64;
  assign drop_addr64 = 64'(drop_addr_q);
  always_comb begin
    unique case (r_addr)
      R_PAGES:         reg_rdata = PAGES;
      R_ST_FIRST:      reg_rdata = 32'(st_first_q);
      R_ST_COUNT:      reg_rdata = 32'(st_count_q);
      R_STATUS:        reg_rdata = {31'd0, op_pending_q || state_q == S_OPREAD || state_q == S_OPWRITE ||
                                           state_q == S_CLEAR};
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
      op_state_q <= 2'd0;
      op_pending_q <= 1'b0;
      drop_ro_q <= '0;
      drop_unmapped_q <= '0;
      zero_reads_q <= '0;
      drop_addr_q <= '0;
      rdata_q <= '0;
      g_rdata_q <= '0;
      g_word_q <= '0;
    end else begin
      if (state_q == S_GREAD) g_word_q <= g_dw[LBW-3:0];
      state_q <= state_d;
      w_q <= w_d;
      if (r_gnt) rdata_q <= rdata_d;
      if (g_rvalid) g_rdata_q <= g_rdata;
      if (r_gnt && r_we) begin
        unique case (r_addr)
          R_ST_FIRST: st_first_q <= (r_wdata > PAGES) ? (PW + 1)'(PAGES) : (PW + 1)'(r_wdata);
          R_ST_COUNT: st_count_q <= (r_wdata > PAGES) ? (PW + 1)'(PAGES) : (PW + 1)'(r_wdata);
          R_ST_CMD: begin
            // [first, first + count) clamped to the window; empty ranges end at once.
            op_first_q <= st_first_q;
            op_end_q <= ((PW + 2)'(st_first_q) + (PW + 2)'(st_count_q) > (PW + 2)'(PAGES)) ?
                        (PW + 1)'(PAGES) : st_first_q + st_count_q;
            op_state_q <= r_wdata[1:0];
            op_pending_q <= st_count_q != '0 && st_first_q < (PW + 1)'(PAGES);
          end
          default: ;
        endcase
      end
      if (state_q == S_IDLE && op_pending_q) op_pending_q <= 1'b0;
      if (state_q == S_GLOOK && !(g_state[0] && (!g_we || g_state[1]))) begin
        if (g_we) begin
          drop_addr_q <= g_addr;
          if (g_state == 2'd1) drop_ro_q <= sat_inc(drop_ro_q);
          else drop_unmapped_q <= sat_inc(drop_unmapped_q);
        end else begin
          zero_reads_q <= sat_inc(zero_reads_q);
        end
      end
    end
  end
endmodule
