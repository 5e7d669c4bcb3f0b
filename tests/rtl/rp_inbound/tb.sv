`default_nettype none
// Bench for rp_inbound (rtl/rp): the bench is the SSD (requests and
// completions on rx with gaps, completions taken from tx with back-pressure)
// and card memory (a 1 MiB DDR model of 256-bit lines: random grants, reads
// returned in order 1..5 cycles later). A model of DDR bytes checks every
// MemWr landing with its byte enables (3- and 4-DW headers, any alignment,
// up to 1024 DWs) and every MemRd answered with CplD of at most 256 bytes
// split on 256-byte boundaries, byte count, lower address, IDs and data;
// outside DDR, across 4 KiB, I/O and configuration requests get UR (and
// ev_refused with the address), bad writes are dropped (ev_dropped), a
// one-DW write to the MSI address reports its data, messages vanish and
// completions go to rp_outbound (cpl_valid, header, first DW). The whole
// DDR is compared at the end.
module tb;
  import tb_pkg::*;
  localparam int DDR_AW = 20;
  localparam logic [63:0] BASE = 64'h1_0000_0000;
  localparam logic [63:0] MSI = 64'h0000_0000_fee0_0000;
  localparam logic [15:0] RID = 16'h0100;     // the root port
  localparam logic [15:0] SSD = 16'h0200;     // the SSD's requester ID
  localparam int N_RANDOM = 500;

  `TB_CLK_RST(clk, rst, 5)

  logic [127:0] rx_hdr = '0, tx_hdr, cpl_hdr_o;
  logic [255:0] rx_data = '0, tx_data;
  logic rx_sop = 1'b0, rx_eop = 1'b0, rx_valid = 1'b0, rx_ready;
  logic tx_sop, tx_eop, tx_valid, tx_ready = 1'b0;
  logic cpl_valid, msi_valid, ev_refused, ev_dropped;
  logic [31:0] cpl_data0, msi_data;
  logic [63:0] ev_addr;
  logic m_req, m_we, m_gnt = 1'b0, m_rvalid = 1'b0;
  logic [DDR_AW-6:0] m_addr;
  logic [31:0] m_be;
  logic [255:0] m_wdata, m_rdata = '0;

  rp_inbound #(.DATA_W(256), .DDR_AW(DDR_AW), .DDR_BUS_BASE(BASE), .MSI_ADDR(MSI), .CPL_BYTES(256), .RD_DEPTH(4)) dut (
    .clk, .rst, .rx_hdr, .rx_data, .rx_sop, .rx_eop, .rx_valid, .rx_ready,
    .tx_hdr, .tx_data, .tx_sop, .tx_eop, .tx_valid, .tx_ready,
    .cpl_valid, .cpl_hdr(cpl_hdr_o), .cpl_data0,
    .m_req, .m_we, .m_addr, .m_be, .m_wdata, .m_gnt, .m_rvalid, .m_rdata,
    .rid(RID), .msi_valid, .msi_data, .ev_refused, .ev_dropped, .ev_addr);

  tb_rng     rng = new(32'h55d0_0001);
  tlp_source src = new(32'h55d0_0002, 85);
  tlp_sink   sink = new(32'h55d0_0003, 70);
  bp_gen     mg = new(32'h55d0_0004, 70, 30);

  // ------------------------------------------------------------ DDR
  logic [7:0] mem [logic [31:0]];
  logic [7:0] exp_mem [logic [31:0]];
  function automatic logic [7:0] dflt(input logic [31:0] a);
    return 8'(a * 11 + (a >> 7) + 3);
  endfunction
  function automatic logic [7:0] eb(input logic [31:0] a);
    return exp_mem.exists(a) ? exp_mem[a] : dflt(a);
  endfunction
  logic [255:0] rq_data [$];
  int rq_due [$];
  int now = 0, n_lwr = 0, n_lrd = 0;
  always @(posedge clk) begin
    now++;
    m_rvalid <= 1'b0;
    if (!rst) begin
      if (m_req && m_gnt) begin
        logic [31:0] la;
        la = 32'(m_addr);
        if (m_we) begin
          n_lwr++;
          for (int b = 0; b < 32; b++) if (m_be[b]) mem[{la[26:0], 5'd0} + 32'(b)] = m_wdata[8 * b +: 8];
        end else begin
          logic [255:0] x;
          n_lrd++;
          for (int b = 0; b < 32; b++) begin
            logic [31:0] a;
            a = {la[26:0], 5'd0} + 32'(b);
            x[8 * b +: 8] = mem.exists(a) ? mem[a] : dflt(a);
          end
          rq_data.push_back(x);
          rq_due.push_back(now + int'(rng.range(1, 5)));
        end
      end
      if (rq_data.size() != 0 && rq_due[0] <= now) begin
        logic [255:0] x;
        x = rq_data.pop_front();
        void'(rq_due.pop_front());
        m_rvalid <= 1'b1;
        m_rdata <= x;
      end
      m_gnt <= mg.next();
    end
  end

  // ------------------------------------------------------------ streams and events
  int n_refused = 0, n_dropped = 0, n_msi = 0, n_cplfw = 0;
  logic [63:0] last_ev_addr;
  logic [31:0] last_msi;
  logic [127:0] last_cpl_hdr;
  logic [31:0] last_cpl_d0;
  always @(posedge clk) begin
    if (rst) begin
      tx_ready <= 1'b0;
      rx_valid <= 1'b0;
    end else begin
      `TB_TLP_SINK(sink, tx)
      if (ev_refused) begin n_refused++; last_ev_addr = ev_addr; end
      if (ev_dropped) begin n_dropped++; last_ev_addr = ev_addr; end
      if (msi_valid) begin n_msi++; last_msi = msi_data; end
      if (cpl_valid) begin n_cplfw++; last_cpl_hdr = cpl_hdr_o; last_cpl_d0 = cpl_data0; end
      `TB_TLP_SOURCE(src, rx)
    end
  end

  // ------------------------------------------------------------ requests
  tlp_t cpls [$];
  int n_wr = 0, n_rd = 0, n_cpl = 0, n_ur = 0;

  // Sends t; np: wait for the last completion, else for the stream to drain.
  task automatic xact(input tlp_t t, input bit np);
    int cycles;
    cpls.delete();
    src.send(t);
    cycles = 0;
    forever begin
      @(negedge clk);
      cycles++;
      while (sink.got.size() != 0) begin
        tlp_t c;
        c = sink.got.pop_front();
        cpls.push_back(c);
        n_cpl++;
      end
      if (np && cpls.size() != 0) begin
        logic [127:0] ch;
        ch = tlp_hdr(cpls[cpls.size() - 1]);
        if (!h_has_data(ch) || c_bytes(ch) <= 4 * h_ndw(ch) - int'(c_la(ch) & 3)) break;
      end
      if (!np && src.idle() && cycles > 20) break;
      if (cycles > 20000) begin
        check(0, "request: no (last) completion");
        break;
      end
    end
    repeat (3) @(negedge clk);
  endtask

  function automatic logic [127:0] set_type(input logic [127:0] h, input logic [4:0] ty);
    h[28:24] = ty;
    return h;
  endfunction

  logic [7:0] tag_n = 0;

  // A memory write of len bytes at bus address a; inside: DDR takes it.
  task automatic mem_wr(input logic [63:0] a, input int len, input bit poisoned);
    tlp_t t;
    int ndw, d0, r0;
    logic [3:0] fbe, lbe;
    logic [127:0] h;
    bit ok;
    byte_enables(a, len, ndw, fbe, lbe);
    h = mem_hdr(1'b1, a, ndw, fbe, lbe, SSD, 8'd0);
    h[14] = poisoned;
    t = new(h);
    for (int i = 0; i < ndw; i++) t.dw.push_back(rng.next());
    ok = a >= BASE && {a[63:2], 2'b00} + 64'(4 * ndw) <= BASE + (64'd1 << DDR_AW) && (int'(a[11:2]) + ndw <= 1024) && !poisoned;
    if (ok) for (int i = 0; i < len; i++) exp_mem[32'(a - BASE) + 32'(i)] = t.byte_at(int'(a[1:0]) + i);
    d0 = n_dropped;
    r0 = n_refused;
    xact(t, 1'b0);
    n_wr++;
    check(cpls.size() == 0 && n_refused == r0, "no completion for a write");
    if (a == MSI && ndw == 1 && !poisoned) check(n_msi > 0 && last_msi == t.dw[0], "MSI reported");
    else if (!ok) check(n_dropped == d0 + 1 && last_ev_addr == {a[63:2], 2'b00},
                        $sformatf("write of %0d bytes at %h dropped and reported (%0d)", len, a, n_dropped - d0));
    else check(n_dropped == d0, $sformatf("write of %0d bytes at %h not reported", len, a));
  endtask

  // A memory read of len bytes at bus address a: CplD split on 256 bytes, or UR.
  task automatic mem_rd(input logic [63:0] a, input int len);
    tlp_t t;
    int ndw, left, pos, bad, r0;
    logic [3:0] fbe, lbe;
    logic [7:0] tag;
    bit ok;
    byte_enables(a, len, ndw, fbe, lbe);
    tag = tag_n;
    tag_n++;
    t = new(mem_hdr(1'b0, a, ndw, fbe, lbe, SSD, tag));
    ok = a >= BASE && {a[63:2], 2'b00} + 64'(4 * ndw) <= BASE + (64'd1 << DDR_AW) && (int'(a[11:2]) + ndw <= 1024);
    r0 = n_refused;
    xact(t, 1'b1);
    n_rd++;
    if (!ok) begin
      logic [127:0] ch;
      n_ur++;
      check(cpls.size() == 1, "one UR completion");
      if (cpls.size() != 0) begin
        ch = tlp_hdr(cpls[0]);
        check(c_status(ch) == pcie_pkg::CPL_UR && !h_has_data(ch) && c_tag(ch) == tag && c_reqid(ch) == SSD &&
              c_cid(ch) == RID && c_bytes(ch) == int'(pcie_pkg::read_bytes(11'(ndw), fbe, lbe)) &&
              c_la(ch) == {a[6:2], pcie_pkg::be_low(fbe)},
              $sformatf("UR for a read of %0d bytes at %h: %h", len, a, ch));
      end
      check(n_refused == r0 + 1 && last_ev_addr == {a[63:2], 2'b00}, "UR reported");
      return;
    end
    left = len;
    pos = int'(a[31:0] - BASE[31:0]);            // DDR offset of the next byte
    bad = 0;
    for (int i = 0; i < cpls.size(); i++) begin
      logic [127:0] ch;
      int dw0, dwe, n;
      ch = tlp_hdr(cpls[i]);
      dw0 = pos & ~3;
      dwe = ((pos & ~255) + 256 < int'(a[31:0] - BASE[31:0]) + len) ? (pos & ~255) + 256
                                                                   : ((int'(a[31:0] - BASE[31:0]) + len + 3) & ~3);
      n = (dwe - dw0) / 4;
      check(c_status(ch) == pcie_pkg::CPL_SC && h_has_data(ch) && h_ndw(ch) == n && c_bytes(ch) == left &&
            c_la(ch) == 7'(pos) && c_tag(ch) == tag && c_reqid(ch) == SSD && c_cid(ch) == RID,
            $sformatf("read of %0d bytes at %h, completion %0d: %h, expected %0d DW, %0d bytes, la %h", len, a, i,
                      ch, n, left, 7'(pos)));
      for (int k = 0; k < 4 * n && k < 4 * cpls[i].dw.size(); k++)
        if (dw0 + k >= pos && dw0 + k < int'(a[31:0] - BASE[31:0]) + len && cpls[i].byte_at(k) !== eb(32'(dw0 + k))) bad++;
      left -= dwe - pos;
      pos = dwe;
    end
    check(left <= 0 && bad == 0, $sformatf("read of %0d bytes at %h: %0d bytes short, %0d wrong", len, a, left, bad));
  endtask

  // A non-memory request (I/O, configuration, locked read): UR.
  task automatic other_np(input logic [4:0] ty, input string what);
    tlp_t t;
    logic [127:0] h, ch;
    logic [7:0] tag;
    tag = tag_n;
    tag_n++;
    h = set_type(mem_hdr(1'b0, BASE, 1, 4'hf, 4'h0, SSD, tag), ty);
    t = new(h);
    xact(t, 1'b1);
    n_ur++;
    check(cpls.size() == 1, $sformatf("%s: one completion", what));
    if (cpls.size() != 0) begin
      ch = tlp_hdr(cpls[0]);
      check(c_status(ch) == pcie_pkg::CPL_UR && c_tag(ch) == tag && c_reqid(ch) == SSD, $sformatf("%s: UR", what));
    end
  endtask

  function automatic logic [63:0] rand_ddr_addr(input int len);
    logic [63:0] a;
    a = BASE + 64'(rng.range(0, (1 << DDR_AW) - 1));
    if (rng.chance(50)) a[DDR_AW-1:12] = 0;     // a few hot pages
    return a;
  endfunction

  initial begin
    repeat (5) @(posedge clk);
    rst <= 1'b0;
    repeat (5) @(posedge clk);

    // --- directed
    mem_wr(BASE + 64'h10, 32, 0);                    // aligned, one line
    mem_rd(BASE + 64'h10, 32);
    mem_wr(BASE + 64'h1fd, 700, 0);                  // odd start, spans lines
    mem_rd(BASE + 64'h1f0, 800);
    mem_wr(BASE + 64'h3000, 4096, 0);                // a whole page: 1024 DWs
    mem_rd(BASE + 64'h3000, 4096);
    mem_rd(BASE + 64'h3001, 1);
    mem_rd(BASE + 64'h30ff, 2);                      // across a completion boundary
    mem_wr(BASE + 64'hffc, 8, 0);                    // across 4 KiB: dropped
    mem_rd(BASE + 64'hffc, 8);                       // UR
    mem_wr(BASE + (64'd1 << DDR_AW) - 4, 4, 0);      // last DW of DDR
    mem_rd(BASE + (64'd1 << DDR_AW) - 4, 4);
    mem_wr(BASE + (64'd1 << DDR_AW), 4, 0);          // just past DDR: dropped
    mem_rd(BASE + (64'd1 << DDR_AW), 4);             // UR
    mem_wr(BASE - 4, 4, 0);                          // just below
    mem_rd(64'h8000_0000, 64);                       // 3-DW header outside DDR: UR
    mem_wr(BASE + 64'h100, 16, 1);                   // poisoned: dropped
    mem_wr(MSI, 4, 0);                               // MSI
    other_np(5'b00010, "I/O read");
    other_np(5'b00100, "configuration read");
    other_np(5'b00001, "locked read");
    begin
      // a completion for rp_outbound
      tlp_t c;
      int f0;
      f0 = n_cplfw;
      c = new(cpl_hdr(pcie_pkg::CPL_SC, 1'b1, 12, 48, 7'd4, SSD, RID, 8'd5));
      for (int i = 0; i < 12; i++) c.dw.push_back(32'hc0de_0000 + 32'(i));
      xact(c, 1'b0);
      check(n_cplfw == f0 + 1 && last_cpl_hdr == tlp_hdr(c) && last_cpl_d0 == 32'hc0de_0000, "completion forwarded");
      // a message: nothing
      f0 = n_refused + n_dropped + n_cplfw + n_msi;
      c = new(128'h0000_0000_0000_0000_0000_0000_3000_0000);
      xact(c, 1'b0);
      check(n_refused + n_dropped + n_cplfw + n_msi == f0 && cpls.size() == 0, "message ignored");
    end

    // --- random
    for (int n = 0; n < N_RANDOM; n++) begin
      logic [63:0] a;
      int len, maxl, r;
      r = int'(rng.range(0, 99));
      len = rng.chance(60) ? int'(rng.range(1, 64)) : int'(rng.range(1, 4096));
      a = rand_ddr_addr(len);
      if (r < 5) a = a - BASE + (rng.chance(50) ? 64'h0 : 64'h2_0000_0000);   // outside DDR
      maxl = 4096 - int'(a[11:0]);
      if (len > maxl && !rng.chance(5)) len = maxl;                      // sometimes across 4 KiB
      if (r < 50) mem_wr(a, len, rng.chance(2));
      else mem_rd(a, len);
    end
    // the whole DDR against the model
    begin
      int bad;
      bad = 0;
      for (int i = 0; i < (1 << DDR_AW); i++) begin
        logic [7:0] m;
        m = mem.exists(32'(i)) ? mem[32'(i)] : dflt(32'(i));
        if (m !== eb(32'(i))) bad++;
      end
      check(bad == 0 && mem.size() == exp_mem.size(), $sformatf("DDR contents: %0d bytes differ, %0d / %0d written", bad, mem.size(), exp_mem.size()));
    end
    $display("rp_inbound: %0d writes, %0d reads (%0d UR), %0d completions checked, %0d dropped, %0d MSI; DDR saw %0d line writes, %0d line reads",
             n_wr, n_rd, n_ur, n_cpl, n_dropped, n_msi, n_lwr, n_lrd);
    tb_done("rp_inbound");
  end
endmodule
