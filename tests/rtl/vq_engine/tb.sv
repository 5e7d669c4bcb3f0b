`default_nettype none
// Bench for vq_engine (rtl/vq): the bench is the driver and host memory.
// Split virtqueues (five queues of random power-of-two sizes, some above
// 4 GiB) live in a byte-addressed host-memory model that answers the
// engine's MRd with CplD after random delays (with stray completions for
// other tags in between) and applies its MWr by byte enable. Random
// phases with and without EVENT_IDX: the driver makes chains available
// (direct, indirect, direct followed by indirect), the bench pops them
// through the firmware port and checks head, segment counts and lengths and
// every segment (address, length, direction), and avail_event; then pushes
// them back in random order and checks the used element, used index and
// whether the interrupt was raised (avail flags or used_event). Directed:
// every reason code for a bad chain, the empty queue, a disabled or absent
// queue, no bus mastering, UR, timeout and a poisoned completion (EP: the
// host's own bytes, refused) on the avail index, ring entry, descriptor and
// indirect table reads (RES_DMA).
module tb;
  import tb_pkg::*;
  localparam int NQ = 5;
  localparam int MAX_SEGS = 64;
  localparam int TIMEOUT = 3000;
  localparam logic [7:0] TAG_BASE = 8'd16;
  localparam logic [15:0] RID = 16'h0500;
  localparam int N_ROUNDS = 2000;

  `TB_CLK_RST(clk, rst, 5)

  logic [NQ*16-1:0] q_size = '0;
  logic [NQ*64-1:0] q_desc = '0, q_avail = '0, q_used = '0;
  logic [NQ-1:0]    q_enable = '0;
  logic        feat_event_idx = 1'b0, feat_indirect = 1'b1, bus_master = 1'b1;
  logic        req = 1'b0, we = 1'b0;
  logic [11:0] addr = '0;
  logic [31:0] wdata = '0, rdata;
  logic [127:0] tx_hdr, rx_hdr = '0;
  logic [255:0] tx_data, rx_data = '0;
  logic        tx_sop, tx_eop, tx_valid, tx_ready = 1'b0, rx_valid = 1'b0, rx_sop = 1'b0, rx_ready;
  logic        irq_valid;
  logic [15:0] irq_queue;

  vq_engine #(.NQ(NQ), .DATA_W(256), .MAX_SEGS(MAX_SEGS), .TIMEOUT(TIMEOUT), .TAG_BASE(TAG_BASE)) dut (
    .clk, .rst, .q_size, .q_desc, .q_avail, .q_used, .q_enable, .feat_event_idx, .feat_indirect,
    .requester_id(RID), .bus_master, .req, .we, .addr, .wdata, .rdata,
    .tx_hdr, .tx_data, .tx_sop, .tx_eop, .tx_valid, .tx_ready,
    .rx_hdr, .rx_data, .rx_sop, .rx_valid, .rx_ready, .irq_valid, .irq_queue);

  // ------------------------------------------------------------ host memory
  `TB_HOST_MEM
  function automatic void wr_desc(input logic [63:0] a, input logic [63:0] da, input logic [31:0] len,
                                  input logic [15:0] flags, input logic [15:0] next);
    wr_n(a, da, 8);
    wr_n(a + 8, 64'(len), 4);
    wr_n(a + 12, 64'(flags), 2);
    wr_n(a + 14, 64'(next), 2);
  endfunction

  // The host: requests in, completions out after a delay.
  tb_rng  hrng = new(32'h5eed_0101);
  bp_gen  txbp = new(32'h5eed_0102, 70, 30);
  int     resp_mode = 0;           // next read: 0 answer, 1 UR, 2 no answer, 3 poisoned (EP)
  int     n_poisoned = 0;
  int     n_rd = 0, n_wr = 0, n_stray = 0, n_pair_rd = 0, n_quad_rd = 0;
  logic [127:0] cpl_q_hdr [$];
  logic [255:0] cpl_q_data [$];
  bit     cpl_q_sop [$];
  int     cpl_q_due [$];
  int     now = 0;

  always @(posedge clk) begin
    now++;
    rx_valid <= 1'b0;
    if (rst) begin
      tx_ready <= 1'b0;
    end else begin
      if (tx_valid && tx_ready) begin
        logic [63:0] a;
        int ndw;
        logic [3:0] fbe, lbe;
        a = h_addr(tx_hdr);
        ndw = h_ndw(tx_hdr);
        fbe = h_fbe(tx_hdr);
        lbe = h_lbe(tx_hdr);
        check(tx_sop && tx_eop && h_type(tx_hdr) == pcie_pkg::TYPE_MEM && tx_hdr[29] == (a[63:32] != 0) &&
              h_reqid(tx_hdr) == RID && (ndw <= 5 || (ndw == 8 && !h_has_data(tx_hdr) && a[4:0] == 5'd0) ||
                                         (ndw == 16 && !h_has_data(tx_hdr) && a[5:0] == 6'd0)) &&
              (a[11:0] + 12'(4 * ndw - 1)) >= a[11:0],
              $sformatf("request header %h", tx_hdr));
        if (h_has_data(tx_hdr)) begin
          n_wr++;
          for (int i = 0; i < ndw; i++) begin
            logic [3:0] be;
            be = (i == 0) ? fbe : (i == ndw - 1) ? lbe : 4'hf;
            for (int b = 0; b < 4; b++)
              if (be[b]) hm[a + 64'(4 * i + b)] = tx_data[32 * i + 8 * b +: 8];
          end
        end else begin
          logic [127:0] h;
          logic [255:0] d, d2;
          logic [7:0] tag;
          n_rd++;
          n_pair_rd += ndw == 8;            // a descriptor pair
          n_quad_rd += ndw == 16;           // four descriptors: two beats
          tag = h_req_tag(tx_hdr);
          check(tag[7:3] == TAG_BASE[7:3], $sformatf("read tag %0d in the engine's range", tag));
          d = '0;
          for (int i = 0; i < 4 * ndw && i < 32; i++) d[8 * i +: 8] = mb(a + 64'(i));
          for (int i = 32; i < 4 * ndw; i++) d2[8 * (i - 32) +: 8] = mb(a + 64'(i));
          if (resp_mode == 1)
            h = cpl_hdr(pcie_pkg::CPL_UR, 1'b0, 0, 4, 7'd0, 16'h0100, RID, tag);
          else
            h = cpl_hdr(pcie_pkg::CPL_SC, 1'b1, ndw, int'(pcie_pkg::read_bytes(11'(ndw), fbe, lbe)),
                        {a[6:2], pcie_pkg::be_low(fbe)}, 16'h0100, RID, tag);
          if (resp_mode == 3) begin
            // poisoned: the host's own bytes, so only EP tells them apart
            h[EP_BIT] = 1'b1;
            n_poisoned++;
          end
          if (resp_mode != 2) begin
            // sometimes a completion for another tag first (not ours: ignored)
            if (hrng.chance(10)) begin
              cpl_q_hdr.push_back(cpl_hdr(pcie_pkg::CPL_SC, 1'b1, ndw, 4, 7'd0, 16'h0100, RID,
                                          hrng.chance(50) ? {TAG_BASE[7:3], tag[2:0] + 3'd4} : 8'd3));
              cpl_q_data.push_back({8{32'hbad0_bad0}});
              cpl_q_sop.push_back(1'b1);
              cpl_q_due.push_back(now + int'(hrng.range(0, 4)));
              n_stray++;
            end
            cpl_q_hdr.push_back(h);
            cpl_q_data.push_back(d);
            cpl_q_sop.push_back(1'b1);
            cpl_q_due.push_back(now + int'(hrng.range(0, 12)));
            if (ndw > 8 && resp_mode != 1) begin
              // the second beat right behind the first
              cpl_q_hdr.push_back('0);
              cpl_q_data.push_back(d2);
              cpl_q_sop.push_back(1'b0);
              cpl_q_due.push_back(cpl_q_due[cpl_q_due.size() - 1]);
            end
          end
          resp_mode = 0;
        end
      end
      tx_ready <= txbp.next();
      if (cpl_q_hdr.size() != 0 && cpl_q_due[0] <= now) begin
        logic [127:0] h;
        logic [255:0] d;
        bit so;
        h = cpl_q_hdr.pop_front();
        d = cpl_q_data.pop_front();
        so = cpl_q_sop.pop_front();
        void'(cpl_q_due.pop_front());
        rx_sop <= so;
        rx_valid <= 1'b1;
        rx_hdr <= h;
        rx_data <= d;
      end
    end
  end

  // interrupts
  int n_irq [0:NQ-1];
  always @(posedge clk) if (!rst && irq_valid) n_irq[irq_queue] <= n_irq[irq_queue] + 1;

  // ------------------------------------------------------------ firmware port
  task automatic reg_wr(input logic [11:0] a, input logic [31:0] d);
    @(negedge clk);
    req = 1'b1; we = 1'b1; addr = a; wdata = d;
    @(negedge clk);
    req = 1'b0; we = 1'b0;
  endtask
  task automatic reg_rd(input logic [11:0] a, output logic [31:0] d);
    @(negedge clk);
    req = 1'b0; we = 1'b0; addr = a;
    #1 d = rdata;
  endtask
  // A command; returns STATUS once idle.
  task automatic command(input logic [31:0] cmd, output logic [31:0] st);
    int n;
    reg_wr(soc_map_pkg::VQ_CMD, cmd);
    n = 0;
    do begin
      reg_rd(soc_map_pkg::VQ_STATUS, st);
      n++;
    end while (st[0] && n < 4 * TIMEOUT);
    check(!st[0], $sformatf("command %h ends", cmd));
  endtask

  // ------------------------------------------------------------ the driver's queues
  class chain_t;
    logic [63:0] a [$];
    logic [31:0] l [$];
    bit          w [$];
    int          descs [$];       // descriptor indices it holds
  endclass
  class vq_t;
    int          sz;
    logic [63:0] desc, avail, used;
    logic [15:0] avail_idx, last_avail, used_idx;
    bit          busy [0:255];      // descriptor in a chain
    int          avail_heads [$];   // made available, not popped
    int          popped_heads [$];  // popped, not pushed
    chain_t      chains [int];      // by head
  endclass
  vq_t Q [0:7];                    // NQ used (8: Verilator 5.006 needs no bounds check here)
  tb_rng rng = new(32'h5eed_0001);
  int n_pops = 0, n_pushes = 0, n_segs = 0, n_bad = 0, n_ind = 0;

  task automatic set_queue(input int q, input int size);
    vq_t v;
    if (Q[3'(q)] == null) Q[3'(q)] = new;
    v = Q[3'(q)];
    v.chains.delete();
    q_enable[q] = 1'b0;
    repeat (2) @(negedge clk);
    v.sz = size;
    v.desc = ((q % 2) ? 64'h3_0000_0000 : 64'h0) + 64'h10_0000 * 64'(q + 1);
    v.avail = v.desc + 64'h4000;
    v.used = v.desc + 64'h8000;
    q_size[16 * q +: 16] = 16'(size);
    q_desc[64 * q +: 64] = v.desc;
    q_avail[64 * q +: 64] = v.avail;
    q_used[64 * q +: 64] = v.used;
    wr_n(v.avail, 0, 4);
    wr_n(v.used, 0, 4);
    wr_n(v.avail + 64'(4 + 2 * size), 0, 2);
    v.avail_idx = 0;
    v.last_avail = 0;
    v.used_idx = 0;
    for (int i = 0; i < 256; i++) v.busy[i] = 0;
    v.avail_heads.delete();
    v.popped_heads.delete();
    q_enable[q] = 1'b1;
    @(negedge clk);
  endtask

  function automatic int free_descs(input int q);
    vq_t v;
    int n;
    v = Q[3'(q)];
    n = 0;
    for (int i = 0; i < v.sz; i++) if (!v.busy[i]) n++;
    return n;
  endfunction
  function automatic int take_desc(input int q);
    vq_t v;
    int i;
    v = Q[3'(q)];
    do i = int'(rng.range(0, v.sz - 1)); while (v.busy[i]);
    v.busy[i] = 1;
    return i;
  endfunction

  function automatic logic [63:0] rand_buf();
    logic [63:0] a;
    a = rng.next64();
    a[63] = 1'b0;
    if (rng.chance(50)) a[63:32] = 0;
    return a;
  endfunction

  // Makes a chain available on queue q: kind 0 direct, 1 indirect, 2 direct then indirect.
  task automatic make_chain(input int q, input int kind);
    vq_t v;
    int nd, ni, nseg, nrd, head, prev;
    int descs [$];
    logic [63:0] tab;
    chain_t c;
    v = Q[3'(q)];
    descs.delete();                           // locals are not fresh on each call
    c = new;
    if (!feat_indirect) kind = 0;
    nd = (kind == 0) ? int'(rng.range(1, 6)) : (kind == 1) ? 1 : int'(rng.range(2, 3));
    if (nd > free_descs(q)) nd = free_descs(q);
    if (nd < 1) return;
    if (kind == 2 && nd < 2) kind = 1;
    ni = (kind == 0) ? 0 : int'(rng.range(1, 12));
    nseg = (kind == 0) ? nd : (nd - 1) + ni;
    nrd = int'(rng.range(0, nseg));          // readable ones first
    for (int i = 0; i < nd; i++) descs.push_back(take_desc(q));
    head = descs[0];
    for (int i = 0; i < nseg; i++) begin
      c.a.push_back(rand_buf());
      c.l.push_back(rng.chance(10) ? 32'd0 : 32'(rng.range(1, 70000)));
      c.w.push_back(i >= nrd);
    end
    // the direct descriptors
    for (int i = 0; i < ((kind == 0) ? nd : nd - 1); i++)
      wr_desc(v.desc + 64'(16 * descs[i]), c.a[i], c.l[i],
              16'((i + 1 < nd) ? 1 : 0) | (c.w[i] ? 16'd2 : 16'd0),
              (i + 1 < nd) ? 16'(descs[i + 1]) : 16'(rng.next()));
    if (kind != 0) begin
      int order [$];
      n_ind++;
      tab = v.desc + 64'h1_0000 + 64'(head) * 64'h400;
      wr_desc(v.desc + 64'(16 * descs[nd - 1]), tab, 32'(16 * ni),
              16'd4 | (rng.chance(50) ? 16'd2 : 16'd0), 16'(rng.next()));   // WRITE ignored on INDIRECT
      order.delete();
      for (int i = 0; i < ni; i++) order.push_back(i);
      for (int i = ni - 1; i > 1; i--) begin      // entry 0 first, the rest shuffled
        int j, t;
        j = int'(rng.range(1, i));
        t = order[i]; order[i] = order[j]; order[j] = t;
      end
      for (int k = 0; k < ni; k++) begin
        int s;
        s = (nd - 1) + k;
        wr_desc(tab + 64'(16 * order[k]), c.a[s], c.l[s],
                16'((k + 1 < ni) ? 1 : 0) | (c.w[s] ? 16'd2 : 16'd0),
                (k + 1 < ni) ? 16'(order[k + 1]) : 16'(rng.next()));
      end
    end
    c.descs = descs;
    v.chains[head] = c;
    wr_n(v.avail + 64'(4 + 2 * (v.avail_idx % 16'(v.sz))), 64'(head), 2);
    v.avail_idx++;
    wr_n(v.avail + 2, 64'(v.avail_idx), 2);
    v.avail_heads.push_back(head);
  endtask

  // Pops queue q and checks the chain against the model.
  task automatic pop_check(input int q);
    vq_t v;
    logic [31:0] st, r, r2;
    int head, nr, nw;
    chain_t c;
    v = Q[3'(q)];
    command(32'h100 | 32'(q), st);
    if (v.avail_heads.size() == 0) begin
      check_eq(st[15:4], 12'h001, $sformatf("q%0d pop of an empty queue: STATUS %h", q, st));
      return;
    end
    n_pops++;
    head = v.avail_heads.pop_front();
    c = v.chains[head];
    check_eq(st[15:4], 12'h000, $sformatf("q%0d pop: STATUS %h", q, st));
    reg_rd(soc_map_pkg::VQ_HEAD, r);
    check_eq(r, head, $sformatf("q%0d pop: head", q));
    nr = 0; nw = 0;
    for (int i = 0; i < c.w.size(); i++) if (c.w[i]) nw++; else nr++;
    reg_rd(soc_map_pkg::VQ_NSEG, r);
    check_eq(r, {nw[7:0], nr[7:0]}, $sformatf("q%0d pop head %0d: NSEG", q, head));
    begin
      logic [31:0] rl, wl;
      rl = 0; wl = 0;
      for (int i = 0; i < c.w.size(); i++) if (c.w[i]) wl += c.l[i]; else rl += c.l[i];
      reg_rd(soc_map_pkg::VQ_RDLEN, r);
      reg_rd(soc_map_pkg::VQ_WRLEN, r2);
      check(r == rl && r2 == wl, $sformatf("q%0d pop head %0d: RDLEN %0d WRLEN %0d, expected %0d %0d", q, head, r, r2, rl, wl));
    end
    for (int i = 0; i < c.w.size(); i++) begin
      logic [31:0] lo, hi, l, w;
      reg_rd(soc_map_pkg::VQ_SEG + 12'(16 * i), lo);
      reg_rd(soc_map_pkg::VQ_SEG + 12'(16 * i + 4), hi);
      reg_rd(soc_map_pkg::VQ_SEG + 12'(16 * i + 8), l);
      reg_rd(soc_map_pkg::VQ_SEG + 12'(16 * i + 12), w);
      check({hi, lo} == c.a[i] && l == c.l[i] && w == 32'(c.w[i]),
            $sformatf("q%0d head %0d segment %0d: %h %0d %0d, expected %h %0d %0d", q, head, i,
                      {hi, lo}, l, w, c.a[i], c.l[i], c.w[i]));
      n_segs++;
    end
    v.last_avail++;
    if (feat_event_idx)
      check_eq(rd_n(v.used + 64'(4 + 8 * v.sz), 2), v.last_avail, $sformatf("q%0d avail_event", q));
    v.popped_heads.push_back(head);
  endtask

  // Pushes one popped chain of queue q back; checks the used ring and the interrupt.
  task automatic push_check(input int q, input int k);
    vq_t v;
    logic [31:0] st, len;
    int head, irq0;
    logic [15:0] ev;
    bit want_irq;
    v = Q[3'(q)];
    head = v.popped_heads[k];
    v.popped_heads.delete(k);
    len = rng.next();
    // what the driver asks for
    if (feat_event_idx) begin
      ev = rng.chance(50) ? v.used_idx : 16'(rng.next());
      wr_n(v.avail + 64'(4 + 2 * v.sz), 64'(ev), 2);
      want_irq = 16'(v.used_idx + 16'd1 - ev - 16'd1) < 16'd1;
    end else begin
      ev = rng.chance(50) ? 16'd1 : 16'd0;
      wr_n(v.avail, 64'(ev), 2);
      want_irq = !ev[0];
    end
    irq0 = n_irq[q];
    reg_wr(soc_map_pkg::VQ_HEAD, 32'(head));
    reg_wr(soc_map_pkg::VQ_LEN, len);
    command(32'h200 | 32'(q), st);
    n_pushes++;
    check_eq(st[15:4], 12'h000, $sformatf("q%0d push: STATUS %h", q, st));
    check(rd_n(v.used + 64'(4 + 8 * (v.used_idx % 16'(v.sz))), 8) == {len, 32'(head)},
          $sformatf("q%0d used element %0d: %h, expected head %0d len %h", q, v.used_idx,
                    rd_n(v.used + 64'(4 + 8 * (v.used_idx % 16'(v.sz))), 8), head, len));
    v.used_idx++;
    check_eq(rd_n(v.used + 2, 2), v.used_idx, $sformatf("q%0d used idx", q));
    repeat (2) @(negedge clk);
    check_eq(n_irq[q] - irq0, 32'(want_irq), $sformatf("q%0d interrupts after push (event %0d, used %0d)", q, ev, v.used_idx));
    begin
      chain_t c;
      c = v.chains[head];
      for (int i = 0; i < c.descs.size(); i++) v.busy[c.descs[i]] = 0;
    end
  endtask

  task automatic avail1(input int head);
    wr_n(Q[1].avail + 4, 64'(head), 2);
    wr_n(Q[1].avail + 2, 1, 2);
  endtask

  // Directed case t on a fresh queue 1 (size 8): sets it up, gives the
  // command and the STATUS[15:4] expected ({why, result}).
  // The last N_LATE cases get their fault on a later read (late_reads()).
  localparam int N_DIRECTED = 27;
  localparam int N_LATE = 4;
  localparam int EP_BIT = 14;             // TLP header DW0: error poisoned
  function automatic int late_reads(input int t);   // reads answered before the fault
    return (t == N_DIRECTED - 1) ? 3 : (t == N_DIRECTED - 2) ? 1 : 2;
  endfunction
  function automatic int late_mode(input int t);
    return (t == N_DIRECTED - N_LATE) ? 1 : 3;
  endfunction
  function automatic void directed(input int t, output logic [31:0] cmd, output logic [11:0] want,
                                   output string what);
    logic [63:0] d;
    d = Q[1].desc;
    cmd = 32'h101;
    feat_indirect = 1'b1;
    bus_master = 1'b1;
    resp_mode = 0;
    q_enable[2] = 1'b1;
    case (t)
      0: begin wr_n(Q[1].avail + 2, 9, 2); want = {8'd1, 4'd2}; what = "avail index ahead"; end
      1: begin avail1(8); want = {8'd2, 4'd2}; what = "head out of range"; end
      2: begin
        wr_desc(d, 64'h1000, 1, 16'd1, 16'd1); wr_desc(d + 16, 64'h1000, 1, 16'd1, 16'd0);
        avail1(0); want = {8'd3, 4'd2}; what = "loop";
      end
      3: begin wr_desc(d, 64'h1000, 1, 16'd1, 16'd8); avail1(0); want = {8'd4, 4'd2}; what = "next out of range"; end
      4: begin
        feat_indirect = 1'b0;
        wr_desc(d, 64'h9000, 32, 16'd4, 16'd0); avail1(0); want = {8'd5, 4'd2}; what = "indirect without the feature";
      end
      5: begin wr_desc(d, 64'h9000, 32, 16'd5, 16'd1); avail1(0); want = {8'd6, 4'd2}; what = "indirect with next"; end
      6: begin wr_desc(d, 64'h9000, 0, 16'd4, 16'd0); avail1(0); want = {8'd7, 4'd2}; what = "indirect length 0"; end
      7: begin wr_desc(d, 64'h9000, 24, 16'd4, 16'd0); avail1(0); want = {8'd7, 4'd2}; what = "indirect length 24"; end
      8: begin
        wr_desc(d, 64'hffff_ffff_ffff_fff0, 32, 16'd4, 16'd0); avail1(0); want = {8'd7, 4'd2}; what = "indirect table wraps";
      end
      9: begin
        wr_desc(d, 64'h9000, 32, 16'd4, 16'd0);
        wr_desc(64'h9000, 64'h1000, 1, 16'd1, 16'd1); wr_desc(64'h9010, 64'h9000, 32, 16'd4, 16'd0);
        avail1(0); want = {8'd8, 4'd2}; what = "nested indirect";
      end
      10: begin
        wr_desc(d, 64'h1000, 8, 16'd3, 16'd2); wr_desc(d + 32, 64'h2000, 8, 16'd0, 16'd0);
        avail1(0); want = {8'd9, 4'd2}; what = "readable after writable";
      end
      11: begin wr_desc(d, 64'hffff_ffff_ffff_fff8, 16, 16'd0, 16'd0); avail1(0); want = {8'd10, 4'd2}; what = "buffer wraps"; end
      12, 13: begin
        // an indirect table of MAX_SEGS + 1 (too many) or MAX_SEGS (fine) entries
        int n;
        n = (t == 12) ? MAX_SEGS + 1 : MAX_SEGS;
        wr_desc(d, 64'h20000, 32'(16 * n), 16'd4, 16'd0);
        for (int i = 0; i < n; i++) wr_desc(64'h20000 + 64'(16 * i), 64'h1000 * 64'(i), 4, 16'(i + 1 < n), 16'(i + 1));
        avail1(0);
        want = (t == 12) ? {8'd11, 4'd2} : 12'h000;
        what = (t == 12) ? "more segments than the table" : "a full segment table";
      end
      14: begin cmd = 32'h105; want = {8'd12, 4'd2}; what = "pop of queue 5 (absent)"; end
      15: begin cmd = 32'h10f; want = {8'd12, 4'd2}; what = "pop of queue 15 (absent)"; end
      16: begin q_enable[2] = 1'b0; cmd = 32'h102; want = {8'd12, 4'd2}; what = "pop of a disabled queue"; end
      17: begin q_enable[2] = 1'b0; cmd = 32'h202; want = {8'd12, 4'd2}; what = "push to a disabled queue"; end
      18: begin bus_master = 1'b0; want = {8'd12, 4'd2}; what = "pop without bus mastering"; end
      19: begin resp_mode = 1; want = {8'd0, 4'd3}; what = "UR on the avail index read"; end
      20: begin resp_mode = 2; want = {8'd0, 4'd3}; what = "no answer to the avail index read"; end
      21: begin resp_mode = 3; want = {8'd0, 4'd3}; what = "poisoned avail index read"; end
      22: begin want = {8'd0, 4'd1}; what = "empty queue"; end
      23, 24: begin
        // a read from a chain whose descriptor read gets UR, or comes poisoned
        wr_desc(d, 64'h1000, 1, 16'd0, 16'd0); avail1(0);
        want = {8'd0, 4'd3}; what = (t == 23) ? "UR on a descriptor read" : "poisoned descriptor read";
      end
      25: begin
        // poisoned ring entry read: a head that is in range
        avail1(3); want = {8'd0, 4'd3}; what = "poisoned avail ring entry read";
      end
      default: begin
        // an indirect table whose entry read comes poisoned
        wr_desc(d, 64'h9000, 32, 16'd4, 16'd0);
        wr_desc(64'h9000, 64'h1000, 1, 16'd0, 16'd0); wr_desc(64'h9010, 64'h2000, 1, 16'd2, 16'd0);
        avail1(0); want = {8'd0, 4'd3}; what = "poisoned indirect table read";
      end
    endcase
  endfunction

  initial begin
    logic [31:0] st, cmd;
    logic [11:0] want;
    string what;
    for (int i = 0; i < NQ; i++) n_irq[i] = 0;
    repeat (5) @(posedge clk);
    rst <= 1'b0;
    for (int q = 0; q < NQ; q++) set_queue(q, 1 << rng.range(2, 8));

    // --- directed: every reason for a bad chain, absent queues, no answers
    for (int t = 0; t < N_DIRECTED; t++) begin
      int nrd;
      set_queue(1, 8);
      set_queue(2, 16);
      directed(t, cmd, want, what);
      if (t >= N_DIRECTED - N_LATE) begin
        // the fault on a later read (reads: index, ring entry, descriptor,
        // indirect entry)
        reg_wr(soc_map_pkg::VQ_CMD, cmd);
        nrd = n_rd;
        while (n_rd < nrd + late_reads(t)) @(negedge clk);
        resp_mode = late_mode(t);
        do reg_rd(soc_map_pkg::VQ_STATUS, st); while (st[0]);
      end else begin
        command(cmd, st);
      end
      check_eq(st[15:4], want, $sformatf("directed case %0d (%s): STATUS %h", t, what, st));
      if (want[3:0] == 4'd2) n_bad++;
      if (t == 13) begin
        reg_rd(soc_map_pkg::VQ_NSEG, st);
        check_eq(st, 32'(MAX_SEGS), "a full segment table: NSEG");
      end
    end
    bus_master = 1'b1;
    q_enable[2] = 1'b1;
    resp_mode = 0;
    set_queue(1, 8);

    // --- random
    for (int r = 0; r < N_ROUNDS; r++) begin
      int q;
      vq_t v;
      if (r % 100 == 0) begin
        feat_event_idx = rng.chance(50);
        feat_indirect = (r % 200) != 100;
        for (int i = 0; i < NQ; i++) set_queue(i, 1 << rng.range(2, 8));
      end
      q = int'(rng.range(0, NQ - 1));
      v = Q[3'(q)];
      case (rng.range(0, 2))
        0: begin
          int n;
          n = int'(rng.range(1, 3));
          for (int i = 0; i < n; i++)
            if (v.avail_heads.size() + v.popped_heads.size() < v.sz) make_chain(q, int'(rng.range(0, 2)));
        end
        1: pop_check(q);
        default: if (v.popped_heads.size() != 0) push_check(q, int'(rng.range(0, v.popped_heads.size() - 1)));
      endcase
    end
    check(n_poisoned == 4, $sformatf("%0d poisoned completions sent", n_poisoned));
    $display("vq_engine: %0d pops (%0d with indirect tables, %0d segments), %0d pushes, %0d bad chains; host saw %0d reads (%0d stray completions), %0d writes",
             n_pops, n_ind, n_segs, n_pushes, n_bad, n_rd, n_stray, n_wr);
    $display("vq_engine: %0d of the reads were descriptor pairs, %0d four descriptors", n_pair_rd, n_quad_rd);
    check(n_pair_rd > 0, "descriptors read in pairs");
    check(n_quad_rd > 0, "descriptors read four at a time");
    tb_done("vq_engine");
  end
endmodule
