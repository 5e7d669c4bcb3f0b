`default_nettype none
// Bench for dma_engine (rtl/dma): commands of random length, host address
// and buffer address, both directions, under random MPS / MRRS. The bench
// is the host: it checks every request (tag, requester ID, header format,
// address, byte enables, MRRS / MPS and boundary split) and answers each
// MRd with completions split at random RCB multiples and reordered across
// tags, from a host memory whose bytes are a hash of their address. The
// buffer is a row memory like dma_buf. After each command the buffer (read)
// or the bytes the host saw written (write) are compared byte for byte, and
// nothing around them may change. Directed: zero length, bad length, no bus
// mastering, UR, CA, a poisoned completion (EP: POISONED, not one of its
// bytes in the buffer, its tag's later completions drained), a malformed
// byte count, a completion timeout then flush, and a completion for a tag
// not in flight.
// Every command runs with one of two local sides, as in vfs_pcie: the row
// memory (dma_buf's one-cycle port), or dma_card_port in front of a model of
// card memory's line port that grants at random and answers reads in order
// after a random latency (1..LAT_MAX cycles, beyond the port's buffer), on
// the same bytes. The directed commands run with both, the random ones pick.
module tb;
  import tb_pkg::*;
  localparam int TAGS = 32;
  localparam int TIMEOUT = 20000;
  localparam int N_RANDOM = 300;
  localparam int N_POISON_ALL = 40;       // reads with one request's completions all poisoned
  localparam logic [15:0] RID = 16'h0300;
  localparam int LAT_MAX = 24;            // card memory read latency, cycles
  localparam int CARD_DEPTH = 16;         // dma_card_port's buffer
  localparam int EP_BIT = 14;             // TLP header DW0: error poisoned
  localparam logic [2:0] ST_POISONED = 3'd7;   // soc_map_pkg::DMA_RESULT_POISONED

  `TB_CLK_RST(clk, rst, 5)

  logic        bus_master = 1'b1;
  logic [2:0]  max_payload = 3'd0, max_read_req = 3'd2;
  logic        cmd_valid = 1'b0, cmd_ready, cmd_write = 1'b0;
  logic [63:0] cmd_host = '0;
  logic [15:0] cmd_local = '0;
  logic [24:0] cmd_len = '0;
  logic        flush = 1'b0;
  logic        abort = 1'b0;
  logic        done_valid;
  logic [2:0]  done_status;
  logic [127:0] tx_hdr, rx_hdr;
  logic [255:0] tx_data, rx_data;
  logic        tx_sop, tx_eop, tx_valid, tx_ready;
  logic        rx_sop, rx_eop, rx_valid, rx_ready;
  logic        lm_en;
  logic [31:0] lm_we;
  logic [10:0] lm_row;
  logic [255:0] lm_wdata, lm_rdata, buf_rdata, card_rdata;
  logic [31:0] stat_unexpected;
  logic [10:0] lm_next_row;
  logic        card = 1'b0;                // the command's local side is card memory
  logic        card_wait, card_rd_ok, lm_busy;
  logic        l_req, l_we, l_gnt = 1'b0, l_rvalid = 1'b0;
  logic [10:0] l_addr;
  logic [31:0] l_be;
  logic [255:0] l_wdata, l_rdata;

  dma_engine #(.DATA_W(256), .TAGS(TAGS), .LOCAL_AW(16), .TIMEOUT(TIMEOUT)) dut (
    .clk, .rst, .abort, .bus_master, .max_payload, .max_read_req, .requester_id(RID),
    .cmd_valid, .cmd_ready, .cmd_write, .cmd_host, .cmd_local, .cmd_len, .flush,
    .done_valid, .done_status,
    .tx_hdr, .tx_data, .tx_sop, .tx_eop, .tx_valid, .tx_ready,
    .rx_hdr, .rx_data, .rx_sop, .rx_eop, .rx_valid, .rx_ready,
    .lm_en, .lm_we, .lm_row, .lm_wdata, .lm_rdata,
    .lm_wait(card && card_wait), .lm_next_row, .lm_rd_ok(!card || card_rd_ok), .lm_busy,
    .stat_unexpected);

  dma_card_port #(.DATA_W(256), .LW(11), .DEPTH(CARD_DEPTH)) card_port (
    .clk, .rst, .abort(1'b0),
    .start(cmd_valid && cmd_ready && card), .start_to_host(cmd_write), .start_local(cmd_local),
    .start_host_lo(cmd_host[1:0]), .start_len(cmd_len),
    .lm_en(lm_en && card), .lm_we, .lm_row, .lm_wdata, .lm_rdata(card_rdata),
    .lm_wait(card_wait), .lm_next_row, .lm_rd_ok(card_rd_ok), .lm_busy,
    .l_req, .l_we, .l_addr, .l_be, .l_wdata, .l_gnt, .l_rvalid, .l_rdata);

  assign lm_rdata = card ? card_rdata : buf_rdata;

  // ------------------------------------------------------------ buffer (as dma_buf)
  logic [7:0] bufm [0:65535];
  always @(posedge clk) begin
    if (lm_en && !card) begin
      for (int b = 0; b < 32; b++) begin
        if (lm_we[b]) bufm[{lm_row, 5'(b)}] <= lm_wdata[8 * b +: 8];
        buf_rdata[8 * b +: 8] <= bufm[{lm_row, 5'(b)}];
      end
    end
  end

  // ------------------------------------------------------------ card memory (line port)
  // The same bytes. A granted write lands at once; a granted read takes the
  // line as it is then and returns it in order, LAT cycles later.
  tb_rng        lrng = new(32'hd1a5_0005);
  logic [255:0] rd_line_q [$];
  int           rd_due_q [$];
  int           now = 0, last_due = 0, n_lreads = 0, n_lwrites = 0, n_stalls = 0, max_fly = 0;
  int           gnt_pct = 70;
  always @(posedge clk) begin
    now++;
    l_rvalid <= 1'b0;
    if (!rst && l_req && l_gnt) begin
      if (l_we) begin
        for (int b = 0; b < 32; b++) if (l_be[b]) bufm[{l_addr, 5'(b)}] = l_wdata[8 * b +: 8];
        n_lwrites++;
      end else begin
        logic [255:0] d;
        int due;
        for (int b = 0; b < 32; b++) d[8 * b +: 8] = bufm[{l_addr, 5'(b)}];
        due = now + int'(lrng.range(1, LAT_MAX));
        if (due < last_due) due = last_due;      // in order
        last_due = due;
        rd_line_q.push_back(d);
        rd_due_q.push_back(due);
        n_lreads++;
        if (rd_line_q.size() > max_fly) max_fly = rd_line_q.size();
      end
    end
    if (!rst && l_req && !l_gnt) n_stalls++;
    if (rd_due_q.size() != 0 && rd_due_q[0] <= now) begin
      logic [255:0] d;
      d = rd_line_q.pop_front();
      void'(rd_due_q.pop_front());
      l_rvalid <= 1'b1;
      l_rdata <= d;
    end
    l_gnt <= lrng.chance(gnt_pct);
  end

  // ------------------------------------------------------------ host
  function automatic logic [7:0] hbyte(input logic [63:0] a);
    logic [63:0] h;
    h = (a ^ 64'h5555) * 64'h9e37_79b9_7f4a_7c15;
    return h[40:33];
  endfunction

  tb_rng     rng = new(32'hd1a5_0001);
  tb_rng     hrng = new(32'hd1a5_0002);
  tlp_sink   sink = new(32'hd1a5_0003, 75);
  tlp_source src = new(32'hd1a5_0004, 85);
  tlp_t      pend[$];                     // completions not yet sent
  bit        pend_last[$];                // 1: the last one of its tag
  int        dead_tag = -1;               // the tag left unanswered (timeout)
  logic [7:0] hw [logic [63:0]];          // bytes the host saw written
  bit        tag_out [0:255];

  // The command being run, as the host expects its requests.
  logic [63:0] exp_addr;
  int          exp_left, unit;
  int          rcb = 64;
  int          n_reqs = 0, n_cpls = 0, n_bytes = 0;
  // Error injection for the next read request: 0 none, 1 UR, 2 CA,
  // 3 no answer (timeout), 4 wrong byte count, 5 the request's first
  // completion poisoned, 6 all of them (EP, payload the inverse of the host's bytes,
  // the request split at the RCB so later completions of its tag follow)
  int          inject = 0;
  bit          poison_all = 0;
  int          poison_nth = -1, cmd_req_idx = 0;   // poison the nth read request of a command
  bit          poison = 0;                // this request's first completion goes poisoned
  logic [63:0] poison_lo = 0, poison_hi = 0;   // host bytes it carried
  int          n_poisoned = 0;
  bit          hold = 0;                  // the next read's completions are kept back
  tlp_t        held[$];
  bit          held_last[$];

  function automatic void host_request(input tlp_t t);
    logic [127:0] hd;
    logic [63:0] a, fb;
    int ndw, bytes, chunk, endb;
    int e_ndw;
    logic [3:0] e_fbe, e_lbe;
    bit wr;
    hd = tlp_hdr(t);
    wr = h_has_data(hd);
    a = h_addr(hd);
    ndw = h_ndw(hd);
    n_reqs++;
    check(h_type(hd) == pcie_pkg::TYPE_MEM && !hd[31], "request is a memory request");
    check(hd[29] == (a[63:32] != 0), $sformatf("header size for address %h", a));
    check_eq(h_reqid(hd), RID, "requester ID");
    fb = a + 64'(pcie_pkg::be_low(h_fbe(hd)));
    bytes = int'(pcie_pkg::read_bytes(11'(ndw), h_fbe(hd), h_lbe(hd)));
    chunk = unit - int'(exp_addr % 64'(unit));
    if (chunk > exp_left) chunk = exp_left;
    byte_enables(exp_addr, chunk, e_ndw, e_fbe, e_lbe);
    check(fb == exp_addr && bytes == chunk && ndw == e_ndw && h_fbe(hd) == e_fbe && h_lbe(hd) == e_lbe,
          $sformatf("%s at %h (%0d DW, be %b/%b): expected %0d bytes at %h (%0d DW, be %b/%b)",
                    wr ? "MWr" : "MRd", a, ndw, h_fbe(hd), h_lbe(hd), chunk, exp_addr, e_ndw, e_fbe, e_lbe));
    exp_addr = exp_addr + 64'(chunk);
    exp_left -= chunk;
    if (wr) begin
      for (int i = 0; i < bytes; i++) begin
        if (hw.exists(fb + 64'(i))) check(0, $sformatf("host byte %h written twice", fb + 64'(i)));
        hw[fb + 64'(i)] = t.byte_at(int'(fb[1:0]) + i);
      end
      return;
    end
    // read: one tag at a time per request, below TAGS
    check(h_req_tag(hd) < TAGS && !tag_out[h_req_tag(hd)],
          $sformatf("MRd tag %0d free and in range", h_req_tag(hd)));
    tag_out[h_req_tag(hd)] = 1'b1;
    if (poison_nth >= 0 && cmd_req_idx == poison_nth) inject = 6;   // this one, all its completions
    cmd_req_idx = cmd_req_idx + 1;
    if (inject != 0) begin
      int inj;
      inj = inject;
      inject = 0;
      if (inj == 5 || inj == 6) poison = 1;
      if (inj == 6) poison_all = 1;
      if (inj == 3) begin
        dead_tag = int'(h_req_tag(hd));
        return;
      end
      if (inj == 5 || inj == 6) begin
        // below, with the successful ones
      end else if (inj == 1 || inj == 2) begin
        tlp_t c;
        c = new(cpl_hdr(inj == 1 ? pcie_pkg::CPL_UR : pcie_pkg::CPL_CA, 1'b0, 0, bytes, 7'(fb),
                        16'h0000, RID, h_req_tag(hd)));
        begin pend.push_back(c); pend_last.push_back(1'b1); end
        return;
      end
      else begin
        tlp_t c;
        c = new(cpl_hdr(pcie_pkg::CPL_SC, 1'b1, ndw, bytes + 4, 7'(fb), 16'h0000, RID, h_req_tag(hd)));
        for (int k = 0; k < ndw; k++) c.dw.push_back('0);
        begin pend.push_back(c); pend_last.push_back(1'b1); end
        return;
      end
    end
    // successful completions, split at RCB multiples
    endb = int'(fb[11:0]) + bytes;              // offsets within the request's page
    begin
      int cur, left;
      cur = int'(fb[11:0]);
      left = bytes;
      while (left > 0) begin
        int e, d0, cndw;
        tlp_t c;
        if (hrng.chance(35) && !poison) e = endb;
        else e = (cur / rcb + 1 + int'(hrng.range(0, 2))) * rcb;
        if (e > endb) e = endb;
        d0 = cur & ~3;
        cndw = (((e + 3) & ~3) - d0) / 4;
        c = new(cpl_hdr(pcie_pkg::CPL_SC, 1'b1, cndw, left, 7'(cur), 16'h0000, RID, h_req_tag(hd)));
        for (int k = 0; k < cndw; k++) begin
          logic [63:0] da;
          da = {fb[63:12], 12'd0} + 64'(d0 + 4 * k);
          c.dw.push_back({hbyte(da + 3), hbyte(da + 2), hbyte(da + 1), hbyte(da)} ^ (poison ? 32'hffff_ffff : 32'd0));
        end
        if (poison) begin
          c.h_lo[EP_BIT] = 1'b1;
          poison_lo = {fb[63:12], 12'd0} + 64'(cur);
          poison_hi = {fb[63:12], 12'd0} + 64'(e > endb ? endb : e);
          poison = poison_all && left - (e - cur) > 0;
          n_poisoned++;
        end
        if (hold) begin
          held.push_back(c);
          held_last.push_back(e == endb);
        end else begin
          pend.push_back(c);
          pend_last.push_back(e == endb);
        end
        left -= e - cur;
        cur = e;
      end
    end
    hold = 0;
  endfunction

  // Next completion to send: a random one, but never ahead of an earlier
  // one of the same tag.
  function automatic void host_send();
    int j, i;
    logic [127:0] hi, hj;
    j = int'(hrng.range(0, pend.size() - 1));
    hj = tlp_hdr(pend[j]);
    for (i = 0; i < j; i++) begin
      hi = tlp_hdr(pend[i]);
      if (c_tag(hi) == c_tag(hj)) break;
    end
    hi = tlp_hdr(pend[i]);
    if (pend_last[i]) tag_out[c_tag(hi)] = 1'b0;
    pend_last.delete(i);
    src.send(pend[i]);
    pend.delete(i);
    n_cpls++;
  endfunction

  always @(posedge clk) begin
    if (rst) begin
      tx_ready <= 1'b0;
      rx_valid <= 1'b0;
    end else begin
      `TB_TLP_SINK(sink, tx)
      while (sink.got.size() != 0) host_request(sink.got.pop_front());
      if (src.q.size() == 0 && pend.size() != 0 && hrng.chance(60)) host_send();
      `TB_TLP_SOURCE(src, rx)
    end
  end

  // ------------------------------------------------------------ commands
  int n_done = 0;
  logic [2:0] last_status;
  bit cmd_pend = 0;
  always @(posedge clk) begin
    if (cmd_valid && cmd_ready) cmd_valid <= 1'b0;
    else if (cmd_pend && !cmd_valid) begin
      cmd_valid <= 1'b1;
      cmd_pend = 0;
    end
    if (done_valid) begin
      n_done++;
      last_status = done_status;
    end
  end

  task automatic run_cmd(input bit write, input logic [63:0] host, input int local_a, input int len,
                         output logic [2:0] status);
    int k, cycles;
    @(negedge clk);
    k = n_done;
    cmd_write = write;
    cmd_host = host;
    cmd_local = 16'(local_a);
    cmd_len = 25'(len);
    exp_addr = host;
    exp_left = len;
    unit = 128 << ((write ? max_payload : max_read_req) > 5 ? 5 : (write ? max_payload : max_read_req));
    hw.delete();
    cmd_pend = 1;
    cycles = 0;
    while (n_done == k && cycles < 10 * TIMEOUT) begin
      @(negedge clk);
      cycles++;
    end
    check(n_done == k + 1, $sformatf("command (%s %0d bytes at %h) done", write ? "write" : "read", len, host));
    status = last_status;
  endtask

  // One command checked end to end; want: expected status.
  int n_cmds = 0, n_rd = 0, n_wr = 0;
  task automatic checked(input bit write, input logic [63:0] host, input int local_a, input int len,
                         input logic [2:0] want);
    logic [2:0] st;
    logic [7:0] prev [0:65535];
    bit ok;
    int bad;
    for (int i = 0; i < 65536; i++) prev[i] = bufm[i];
    if (write) for (int i = 0; i < len; i++) bufm[(local_a + i) % 65536] = 8'(rng.next());
    if (write) for (int i = 0; i < 65536; i++) prev[i] = bufm[i];
    run_cmd(write, host, local_a, len, st);
    n_cmds++;
    check_eq(128'(st), 128'(want), $sformatf("status of %s %0d bytes host %h local %h (MPS %0d MRRS %0d)",
                                            write ? "write" : "read", len, host, local_a, max_payload, max_read_req));
    if (want == ST_POISONED) begin
      // Not one byte of the poisoned completion reaches the buffer.
      bad = -1;
      for (int i = 0; i < len; i++)
        if (host + 64'(i) >= poison_lo && host + 64'(i) < poison_hi &&
            bufm[(local_a + i) % 65536] !== prev[(local_a + i) % 65536] && bad < 0) bad = i;
      check(poison_hi > poison_lo && bad < 0,
            $sformatf("poisoned completion [%h, %h) of read host %h: byte %0d reached the buffer",
                      poison_lo, poison_hi, host, bad));
    end
    if (want != 0) return;
    ok = 1;
    bad = -1;
    if (!write) begin
      n_rd++;
      for (int i = 0; i < 65536; i++) begin
        int off;
        off = (i - local_a + 65536) % 65536;
        if (off < len) begin
          if (bufm[i] !== hbyte(host + 64'(off)) && bad < 0) begin ok = 0; bad = off; end
        end else if (bufm[i] !== prev[i] && bad < 0) begin ok = 0; bad = 100000 + i; end
      end
      check(ok, $sformatf("read %0d bytes host %h -> local %h: byte %0d wrong", len, host, local_a, bad));
    end else begin
      n_wr++;
      for (int i = 0; i < len; i++)
        if ((!hw.exists(host + 64'(i)) || hw[host + 64'(i)] !== prev[(local_a + i) % 65536]) && bad < 0) begin
          ok = 0; bad = i;
        end
      check(ok && hw.size() == len,
            $sformatf("write %0d bytes local %h -> host %h: byte %0d wrong, %0d bytes written", len, local_a, host, bad, hw.size()));
    end
    n_bytes += len;
  endtask

  function automatic logic [63:0] rand_host();
    logic [63:0] a;
    a = rng.next64();
    if (rng.chance(60)) a[63:32] = 32'd0;
    if (rng.chance(20)) a[11:0] = 12'hfff - 12'(rng.range(0, 40));   // near a 4 KiB boundary
    // never wrap the 64-bit space
    if (a > 64'hffff_ffff_fffe_0000) a[63] = 1'b0;
    return a;
  endfunction

  function automatic int rand_len();
    int r;
    r = int'(rng.range(0, 99));
    if (r < 40) return int'(rng.range(1, 64));
    if (r < 80) return int'(rng.range(65, 1500));
    if (r < 97) return int'(rng.range(1501, 9000));
    return int'(rng.range(9001, 65536));
  endfunction

  initial begin
    logic [2:0] st;
    int unexp0;
    for (int i = 0; i < 65536; i++) bufm[i] = 8'(i * 7);
    for (int i = 0; i < 256; i++) tag_out[i] = 1'b0;
    repeat (5) @(posedge clk);
    rst <= 1'b0;
    repeat (2) @(posedge clk);

    // --- directed
    for (int side = 0; side < 2; side++) begin
    card = side[0];
    checked(0, 64'h1000, 0, 0, 3'd0);                   // zero length: done at once
    checked(0, 64'h1000, 0, 65537, 3'd4);               // longer than the buffer
    checked(1, 64'h1000, 0, 65537, 3'd4);
    bus_master = 1'b0;
    checked(0, 64'h1000, 0, 16, 3'd5);
    checked(1, 64'h1000, 0, 16, 3'd5);
    bus_master = 1'b1;
    checked(0, 64'h2003, 5, 1, 3'd0);                   // single bytes, odd alignment
    checked(1, 64'h2006, 33, 1, 3'd0);
    checked(0, 64'h1_0000_0ffe, 31, 4, 3'd0);           // across 4 KiB, 4-DW header
    checked(1, 64'h1_0000_0ffe, 31, 4, 3'd0);
    checked(0, 64'h4000, 0, 65536, 3'd0);               // the whole buffer
    checked(1, 64'h7_0000_0004, 0, 65536, 3'd0);
    max_payload = 3'd5;                                  // 4 KiB TLPs: 1024-DW length encoding
    max_read_req = 3'd5;
    checked(0, 64'h10_0000, 0, 8192, 3'd0);
    checked(1, 64'h10_0000, 0, 8192, 3'd0);
    max_payload = 3'd1;
    max_read_req = 3'd2;
    inject = 1; checked(0, 64'h3000, 64, 100, 3'd1);     // UR
    inject = 2; checked(0, 64'h3000, 64, 2000, 3'd2);    // CA on one of several requests
    inject = 4; checked(0, 64'h3000, 64, 300, 3'd2);     // byte count does not fit
    // poisoned: dropped, the tag's later completions drained (none taken
    // for a tag not in flight), the next command clean
    unexp0 = int'(stat_unexpected);
    inject = 5; checked(0, 64'h3000, 64, 100, ST_POISONED);     // a single request
    inject = 5; checked(0, 64'h3010, 64, 2000, ST_POISONED);    // one of several requests
    checked(0, 64'h3000, 64, 2000, 3'd0);
    check_eq(128'(stat_unexpected), 128'(unexp0), "poisoned completions' tags drained, none unexpected");
    inject = 3; checked(0, 64'h3000, 64, 1000, 3'd3);    // one tag never answered
    // the retired tag stays out of use until flush
    checked(0, 64'h5000, 0, 3000, 3'd0);
    @(negedge clk); flush = 1'b1; @(negedge clk); flush = 1'b0;
    if (dead_tag >= 0) tag_out[dead_tag] = 1'b0;
    checked(0, 64'h5000, 0, 3000, 3'd0);
    // a completion for no outstanding tag is counted and ignored
    unexp0 = int'(stat_unexpected);
    begin
      tlp_t c;
      c = new(cpl_hdr(pcie_pkg::CPL_SC, 1'b1, 1, 4, 7'd0, 16'h0000, RID, 8'd7));
      c.dw.push_back(32'hdead_beef);
      src.send(c);
      c = new(cpl_hdr(pcie_pkg::CPL_SC, 1'b1, 1, 4, 7'd0, 16'h0000, RID, 8'd200));
      c.dw.push_back(32'hdead_beef);
      src.send(c);
    end
    repeat (50) @(negedge clk);
    check_eq(128'(stat_unexpected), 128'(unexp0 + 2), "unexpected completions counted");
    checked(0, 64'h6000, 0, 700, 3'd0);
    end

    // A function reset with a read out: its tag is not reused before the
    // completion timeout (tag_out would catch it), and its completion,
    // late, lands nowhere: counted unexpected, the new read's bytes stay.
    begin
      int k, nh;
      card = 1'b0;
      max_read_req = 3'd2;
      hold = 1;
      @(negedge clk);
      k = n_reqs;
      cmd_write = 1'b0; cmd_host = 64'h8000; cmd_local = 16'd512; cmd_len = 25'd64;
      exp_addr = 64'h8000; exp_left = 64; unit = 512;
      cmd_pend = 1;
      while (n_reqs == k) @(negedge clk);
      repeat (3) @(negedge clk);
      abort = 1'b1;
      repeat (4) @(negedge clk);
      abort = 1'b0;
      @(negedge clk);
      check(held.size() > 0 && !cmd_valid, "read out at the function reset, its completion held");
      unexp0 = int'(stat_unexpected);
      checked(0, 64'h9000, 512, 64, 3'd0);              // a new read, same local bytes
      nh = held.size();
      while (held.size() != 0) begin
        pend.push_back(held.pop_front());
        pend_last.push_back(held_last.pop_front());
      end
      repeat (200) @(negedge clk);
      check_eq(128'(stat_unexpected), 128'(unexp0 + nh), "the late completion after the reset counted unexpected");
      begin
        bit same = 1'b1;
        for (int i = 0; i < 64; i++) if (bufm[512 + i] !== hbyte(64'h9000 + 64'(i))) same = 1'b0;
        check(same, "the late completion did not land in the new read's bytes");
      end
    end

    // every completion of one request of a 17-request read poisoned, at
    // random among them (the others' completions reordered around it)
    for (int k = 0; k < N_POISON_ALL; k++) begin
      int pre;
      max_read_req = 3'd2;
      card = rng.chance(50);
      pre = int'(rng.range(0, 16));
      poison_nth = pre;
      cmd_req_idx = 0;
      run_cmd(0, 64'h4_0000 + 64'(k) * 64'h10000, 0, 8272, st);
      check_eq(128'(st), 128'(ST_POISONED), $sformatf("read whose request %0d of 17 came poisoned", pre));
      poison_nth = -1;
      poison_all = 0;
    end
    // --- random
    for (int n = 0; n < N_RANDOM; n++) begin
      int len, loc;
      max_payload = 3'(rng.range(0, 5));
      max_read_req = 3'(rng.range(0, 5));
      rcb = rng.chance(50) ? 64 : 128;
      len = rand_len();
      loc = int'(rng.range(0, 65535));
      card = rng.chance(50);
      gnt_pct = rng.chance(30) ? 100 : int'(rng.range(20, 90));
      checked(rng.chance(50), rand_host(), loc, len, 3'd0);
    end
    check(n_stalls > 0 && max_fly > CARD_DEPTH / 2 && n_lwrites > 0 && n_lreads > 0,
          $sformatf("card memory saw stalls (%0d), %0d reads in flight", n_stalls, max_fly));
    check(n_poisoned > 4 + N_POISON_ALL, $sformatf("%0d poisoned completions sent", n_poisoned));
    $display("dma_engine: %0d commands (%0d reads, %0d writes checked byte for byte, %0d bytes), %0d requests, %0d completions; card memory: %0d line reads, %0d line writes, %0d stalled requests, at most %0d reads in flight",
             n_cmds, n_rd, n_wr, n_bytes, n_reqs, n_cpls, n_lreads, n_lwrites, n_stalls, max_fly);
    tb_done("dma_engine");
  end
endmodule
