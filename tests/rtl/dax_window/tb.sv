`default_nettype none
// Bench for dax_window (rtl/dax): a 1 MiB window (256 pages) over a card
// memory model of 256-bit lines (random grants, reads returned in order 1..5
// cycles later). The bench is pcie_ep (whole guest TLPs on g_*, line
// stream taken from d_* with back-pressure) and the firmware (register
// port). A model keeps each page's state, its dirty bit, the window bytes
// and the counters. Random rounds: state operations over random ranges
// (some past the end: clamped), bursts of guest writes (1..64 DWs, random
// byte enables) and reads (1..1024 DWs) within a page, dirty-word reads
// (read and clear) and counter reads. Checked: every read line (card
// memory, or zeros for unmapped pages), writes landing in card memory only
// on read-write pages with the right byte enables (the whole window
// compared at the end), RO/unmapped writes dropped and counted, the last
// dropped address, zero reads counted, dirty bits set and cleared, and the
// idle output (low during the reset sweep and state operations, high once
// traffic has drained).
module tb;
  import tb_pkg::*;
  localparam int WIN_LOG2 = 20;
  localparam int PAGES = 1 << (WIN_LOG2 - 12);
  localparam int DDR_AW = 24;
  localparam logic [31:0] WIN_OFF = 32'h0040_0000;
  localparam int N_ROUNDS = 250;

  `TB_CLK_RST(clk, rst, 5)

  logic g_valid = 1'b0, g_ready, g_sop = 1'b0, g_eop = 1'b0, g_we = 1'b0;
  logic [WIN_LOG2-1:0] g_addr = '0;
  logic [10:0] g_ndw = '0;
  logic [3:0] g_fbe = '0, g_lbe = '0;
  logic [255:0] g_data = '0;
  logic d_valid, d_ready = 1'b0;
  logic [255:0] d_data;
  logic r_req = 1'b0, r_we = 1'b0, r_gnt;
  logic [15:0] r_addr = '0;
  logic [31:0] r_wdata = '0, r_rdata;
  logic l_req, l_we, l_gnt = 1'b0, l_rvalid = 1'b0;
  logic [DDR_AW-6:0] l_addr;
  logic [31:0] l_be;
  logic [255:0] l_wdata, l_rdata = '0;
  logic idle;

  dax_window #(.DATA_W(256), .WIN_LOG2(WIN_LOG2), .DDR_AW(DDR_AW), .WIN_DDR_OFF(WIN_OFF), .RD_LINES(16)) dut (
    .clk, .rst, .g_valid, .g_ready, .g_sop, .g_eop, .g_we, .g_addr, .g_ndw, .g_fbe, .g_lbe, .g_data,
    .d_valid, .d_ready, .d_data, .r_req, .r_we, .r_addr, .r_wdata, .r_gnt, .r_rdata,
    .l_req, .l_we, .l_addr, .l_be, .l_wdata, .l_gnt, .l_rvalid, .l_rdata, .idle);

  tb_rng rng = new(32'hdade_0001);
  bp_gen lgnt = new(32'hdade_0002, 70, 30);
  bp_gen dbp = new(32'hdade_0003, 70, 30);
  bp_gen gbp = new(32'hdade_0004, 85, 20);

  // ------------------------------------------------------------ card memory
  logic [7:0] mem [logic [31:0]];              // card memory bytes written
  function automatic logic [7:0] dflt(input logic [31:0] a);
    return 8'(a * 7 + (a >> 9) + 1);
  endfunction
  function automatic logic [255:0] mline(input logic [31:0] la);   // line address
    logic [255:0] x;
    for (int b = 0; b < 32; b++) begin
      logic [31:0] a;
      a = {la[26:0], 5'd0} + 32'(b);
      x[8 * b +: 8] = mem.exists(a) ? mem[a] : dflt(a);
    end
    return x;
  endfunction
  logic [7:0] exp_mem [logic [31:0]];          // what the model says it holds
  function automatic logic [255:0] eline(input logic [31:0] la);
    logic [255:0] x;
    for (int b = 0; b < 32; b++) begin
      logic [31:0] a;
      a = {la[26:0], 5'd0} + 32'(b);
      x[8 * b +: 8] = exp_mem.exists(a) ? exp_mem[a] : dflt(a);
    end
    return x;
  endfunction
  logic [255:0] rq_data [$];
  int rq_due [$];
  int now = 0;
  int n_lwr = 0, n_lrd = 0;
  always @(posedge clk) begin
    now++;
    l_rvalid <= 1'b0;
    if (!rst) begin
      if (l_req && l_gnt) begin
        logic [31:0] la;
        la = 32'(l_addr);
        check(la >= WIN_OFF / 32 && la < (WIN_OFF + (1 << WIN_LOG2)) / 32, $sformatf("line %h inside the window", la));
        if (l_we) begin
          n_lwr++;
          for (int b = 0; b < 32; b++) if (l_be[b]) mem[{la[26:0], 5'd0} + 32'(b)] = l_wdata[8 * b +: 8];
        end else begin
          n_lrd++;
          rq_data.push_back(mline(la));
          rq_due.push_back(now + int'(rng.range(1, 5)));
        end
      end
      if (rq_data.size() != 0 && rq_due[0] <= now) begin
        logic [255:0] x;
        x = rq_data.pop_front();
        void'(rq_due.pop_front());
        l_rvalid <= 1'b1;
        l_rdata <= x;
      end
      l_gnt <= lgnt.next();
    end
  end

  // ------------------------------------------------------------ guest stream
  typedef struct packed {
    logic          we, sop, eop;
    logic [31:0]   addr;
    logic [10:0]   ndw;
    logic [3:0]    fbe, lbe;
    logic [255:0]  data;
  } gbeat_t;
  gbeat_t gq [$];
  logic [255:0] exp_lines [$];
  int n_lines = 0, line_bad = 0;
  always @(posedge clk) begin
    if (rst) begin
      g_valid <= 1'b0;
      d_ready <= 1'b0;
    end else begin
      if (d_valid && d_ready) begin
        if (exp_lines.size() == 0) check(0, "a read line nobody asked for");
        else begin
          logic [255:0] e;
          e = exp_lines.pop_front();
          if (d_data !== e) begin
            line_bad++;
            check(0, $sformatf("read line %0d: %h, expected %h", n_lines, d_data, e));
          end
        end
        n_lines++;
      end
      d_ready <= dbp.next();
      if (g_valid && g_ready) g_valid <= 1'b0;
      if ((!g_valid || g_ready) && gq.size() != 0 && gbp.next()) begin
        gbeat_t b;
        b = gq.pop_front();
        g_valid <= 1'b1;
        g_we <= b.we; g_sop <= b.sop; g_eop <= b.eop; g_addr <= WIN_LOG2'(b.addr);
        g_ndw <= b.ndw; g_fbe <= b.fbe; g_lbe <= b.lbe; g_data <= b.data;
      end
    end
  end

  // ------------------------------------------------------------ the model
  logic [1:0] st [0:PAGES-1];
  bit dirty [0:PAGES-1];
  int drop_ro = 0, drop_unm = 0, zero_reads = 0;
  logic [31:0] drop_addr = 0;
  int n_wr = 0, n_rd = 0, n_ops = 0, n_dirty = 0, n_wr_drop = 0, n_zero = 0;

  // A guest write of len bytes at window offset a (within one page).
  function automatic void guest_wr(input logic [31:0] a, input int len);
    int ndw, nb;
    logic [3:0] fbe, lbe;
    logic [31:0] dws [$];
    int pg;
    dws.delete();
    byte_enables(64'(a), len, ndw, fbe, lbe);
    for (int i = 0; i < ndw; i++) dws.push_back(rng.next());
    pg = int'(a >> 12);
    n_wr++;
    if (st[pg] == 2'd3) begin
      for (int i = 0; i < len; i++) begin
        int k;
        k = int'(a[1:0]) + i;
        exp_mem[WIN_OFF + a + 32'(i)] = dws[k / 4][8 * (k % 4) +: 8];
      end
      dirty[pg] = 1;
    end else begin
      n_wr_drop++;
      drop_addr = {a[31:2], 2'b00};
      if (st[pg] == 2'd1) drop_ro++; else drop_unm++;
    end
    nb = (ndw + 7) / 8;
    for (int b = 0; b < nb; b++) begin
      gbeat_t x;
      x = '0;
      x.we = 1; x.sop = (b == 0); x.eop = (b == nb - 1);
      x.addr = {a[31:2], 2'b00}; x.ndw = 11'(ndw); x.fbe = fbe; x.lbe = lbe;
      for (int d = 0; d < 8; d++) if (8 * b + d < ndw) x.data[32 * d +: 32] = dws[8 * b + d];
      gq.push_back(x);
    end
  endfunction

  // A guest read of ndw DWs at DW-aligned offset a (within one page).
  function automatic void guest_rd(input logic [31:0] a, input int ndw);
    gbeat_t x;
    int nl, pg;
    pg = int'(a >> 12);
    n_rd++;
    nl = (int'(a[4:2]) + ndw + 7) / 8;
    for (int l = 0; l < nl; l++)
      exp_lines.push_back(st[pg][0] ? eline((WIN_OFF + a) / 32 + 32'(l)) : 256'd0);
    if (!st[pg][0]) begin
      zero_reads++;
      n_zero++;
    end
    x = '0;
    x.we = 0; x.sop = 1; x.eop = 1;
    x.addr = a; x.ndw = 11'(ndw); x.fbe = 4'(rng.range(1, 15)); x.lbe = (ndw == 1) ? 4'd0 : 4'(rng.range(1, 15));
    x.data = {8{rng.next()}};
    gq.push_back(x);
  endfunction

  // ------------------------------------------------------------ registers
  task automatic reg_acc(input bit we, input logic [15:0] a, input logic [31:0] d, output logic [31:0] q);
    bit g;
    int n;
    @(negedge clk);
    r_req = 1'b1; r_we = we; r_addr = a; r_wdata = d;
    n = 0;
    do begin
      g = r_gnt;
      @(negedge clk);
      n++;
    end while (!g && n < 100000);
    check(g, $sformatf("register %h granted", a));
    r_req = 1'b0;
    q = r_rdata;
  endtask

  task automatic wait_idle();
    logic [31:0] q;
    int n;
    n = 0;
    do begin
      reg_acc(0, soc_map_pkg::DAX_STATUS, 0, q);
      n++;
    end while (q[0] && n < 10000);
    check(!q[0], "STATUS.BUSY clears");
  endtask

  // Waits until every guest TLP went and every read line came.
  task automatic drain();
    int n;
    n = 0;
    while ((gq.size() != 0 || g_valid || exp_lines.size() != 0) && n < 200000) begin
      @(negedge clk);
      n++;
    end
    repeat (10) @(negedge clk);
    check(gq.size() == 0 && exp_lines.size() == 0, $sformatf("guest traffic drains (%0d beats, %0d lines left)", gq.size(), exp_lines.size()));
    check(idle, "idle once guest traffic drained");
  endtask

  task automatic set_state(input int first, input int count, input logic [1:0] s);
    logic [31:0] q;
    reg_acc(1, soc_map_pkg::DAX_ST_FIRST, 32'(first), q);
    reg_acc(1, soc_map_pkg::DAX_ST_COUNT, 32'(count), q);
    reg_acc(1, soc_map_pkg::DAX_ST_CMD, 32'(s), q);
    if (count != 0 && first < PAGES) check(!idle, "not idle while a state operation runs");
    wait_idle();
    check(idle, "idle after a state operation");
    for (int p = first; p < first + count && p < PAGES; p++) st[p] = s;
    n_ops++;
  endtask

  task automatic check_regs();
    logic [31:0] q;
    reg_acc(0, soc_map_pkg::DAX_DROP_RO, 0, q); check_eq(q, drop_ro, "DROP_RO");
    reg_acc(0, soc_map_pkg::DAX_DROP_UNMAPPED, 0, q); check_eq(q, drop_unm, "DROP_UNMAPPED");
    reg_acc(0, soc_map_pkg::DAX_ZERO_READS, 0, q); check_eq(q, zero_reads, "ZERO_READS");
    reg_acc(0, soc_map_pkg::DAX_DROP_ADDR_LO, 0, q); check_eq(q, drop_addr, "DROP_ADDR_LO");
    reg_acc(0, soc_map_pkg::DAX_DROP_ADDR_HI, 0, q); check_eq(q, 0, "DROP_ADDR_HI");
  endtask

  task automatic check_dirty(input int w);
    logic [31:0] q, e;
    reg_acc(0, soc_map_pkg::DAX_DIRTY + 16'(4 * w), 0, q);
    e = 0;
    if (w < PAGES / 32)
      for (int i = 0; i < 32; i++) begin
        e[i] = dirty[32 * w + i];
        dirty[32 * w + i] = 0;
      end
    check_eq(q, e, $sformatf("DIRTY word %0d", w));
    n_dirty++;
  endtask

  function automatic logic [31:0] rand_addr();
    logic [31:0] a;
    a = 32'(rng.range(0, (1 << WIN_LOG2) - 1));
    if (rng.chance(60)) a[WIN_LOG2-1:12] = 8'(rng.range(0, 15));   // a few hot pages
    return a;
  endfunction

  initial begin
    logic [31:0] q;
    for (int p = 0; p < PAGES; p++) begin st[p] = 0; dirty[p] = 0; end
    repeat (5) @(posedge clk);
    rst <= 1'b0;
    @(negedge clk);
    check(!idle, "not idle during the reset sweep");
    wait_idle();                                      // the reset sweep
    check(idle, "idle after the reset sweep");
    reg_acc(0, soc_map_pkg::DAX_PAGES, 0, q); check_eq(q, PAGES, "PAGES");
    reg_acc(0, soc_map_pkg::DAX_DDR_OFF, 0, q); check_eq(q, WIN_OFF, "DDR_OFF");

    // --- directed: unmapped reads zeros, writes dropped; RO; RW; clamping
    guest_rd(32'h3000, 16); guest_wr(32'h3104, 8); drain(); check_regs();
    set_state(3, 1, 2'd1);
    guest_rd(32'h3000, 16); guest_wr(32'h3204, 8); drain(); check_regs();
    set_state(3, 2, 2'd3);
    guest_wr(32'h3ffd, 3); guest_wr(32'h4000, 256); guest_rd(32'h3ff0, 4); guest_rd(32'h4000, 1024); drain();
    check_dirty(0); check_dirty(0);                   // read clears
    set_state(PAGES - 4, 100, 2'd3);                  // clamped at the end of the window
    guest_wr(32'((PAGES - 1) * 4096 + 4092), 4); guest_rd(32'((PAGES - 1) * 4096), 1024); drain();
    check_dirty(PAGES / 32 - 1);
    check_dirty(PAGES / 32 + 3);                      // past the window: 0
    reg_acc(1, soc_map_pkg::DAX_DIRTY, 32'hffff_ffff, q);   // writes to DIRTY are ignored
    set_state(0, 0, 2'd3);                            // empty range: nothing changes
    guest_wr(32'h0, 4); drain(); check_regs();

    // --- random (the hot pages start read-write)
    set_state(0, 16, 2'd3);
    for (int r = 0; r < N_ROUNDS; r++) begin
      int k;
      k = int'(rng.range(0, 9));
      if (k < 2) begin
        int f;
        f = rng.chance(70) ? int'(rng.range(0, 15)) : int'(rng.range(0, PAGES - 1));
        set_state(f, int'(rng.range(1, rng.chance(80) ? 8 : 300)), rng.chance(10) ? 2'd0 : rng.chance(20) ? 2'd1 : 2'd3);
      end else if (k < 8) begin
        int n;
        n = int'(rng.range(1, 12));
        for (int i = 0; i < n; i++) begin
          logic [31:0] a;
          int len, maxl;
          a = rand_addr();
          maxl = 4096 - int'(a[11:0]);
          if (rng.chance(50)) begin
            len = int'(rng.range(1, 256 - int'(a[1:0])));
            if (len > maxl) len = maxl;
            guest_wr(a, len);
          end else begin
            int nd;
            a[1:0] = 0;
            nd = rng.chance(50) ? int'(rng.range(1, 40)) : int'(rng.range(1, 1024));
            if (nd > maxl / 4) nd = maxl / 4;
            guest_rd(a, nd);
          end
        end
        drain();
      end else if (k < 9) begin
        check_dirty(int'(rng.range(0, PAGES / 32 - 1)));
      end else begin
        check_regs();
      end
    end
    drain();
    check_regs();
    for (int w = 0; w < PAGES / 32; w++) check_dirty(w);
    // the whole window in card memory, line by line, against the model
    begin
      int bad;
      bad = 0;
      for (int l = 0; l < (1 << WIN_LOG2) / 32; l++)
        if (mline(WIN_OFF / 32 + 32'(l)) !== eline(WIN_OFF / 32 + 32'(l))) begin
          if (bad == 0) $display("first wrong line: %0d", l);
          bad++;
        end
      check(bad == 0 && mem.size() == exp_mem.size(), $sformatf("window contents: %0d lines differ, %0d / %0d bytes written",
                                                            bad, mem.size(), exp_mem.size()));
    end
    $display("dax_window: %0d guest writes (%0d dropped), %0d reads (%0d of unmapped pages), %0d lines checked, %0d state operations, %0d dirty words; card memory saw %0d line writes, %0d line reads",
             n_wr, n_wr_drop, n_rd, n_zero, n_lines, n_ops, n_dirty, n_lwr, n_lrd);
    tb_done("dax_window");
  end
endmodule
