`default_nettype none
// Bench for xpcie_cq_rx, in two parts running side by side.
//
// Part 1, behind brd_tlp_cdc: random requests arrive on CQ the way the hard
// IP presents them (4-DW descriptor, payload from DW 4 of the first beat,
// tkeep per DW, first/last BE and sop in tuser, discontinue on the last beat,
// gaps in tvalid), the core takes TLPs at another clock with back-pressure.
// Checks every header field and payload DW of every TLP, that each
// discontinued request is flagged on its last beat and never reaches the
// core, and the BAR moves of the endpoint.
//
// Part 2, a second adapter with nothing behind it: BAR 2 memory writes of
// every length 1..64 DWs (Max_Payload_Size 256 bytes) at every DW position
// in a 32-byte line, then random ones, each from a byte address and byte
// length (first/last BE as the host's would be), mixed with BAR 2 reads (some
// of 4096 bytes, length field 0) and 1-DW BAR 0 writes; back to back on CQ or
// with gaps, the core's ready low at random (the mode changes every 1000
// cycles, from never low to ready 1 cycle in 5). Checks dword count, tag,
// requester ID, byte enables and the moved address field by field, sop/eop
// of every beat, each payload DW, no tlp_err, and that a beat the core did
// not take stays unchanged.
//
// Ends with $finish (pass) or $fatal (fail).
module tb;
  import tb_pkg::*;
  localparam int N = 3000;                    // requests
  localparam logic [63:0] B0 = 64'h8000_0000; // core's BAR 0 base
  localparam logic [63:0] B2 = 64'h4000_0000; // core's BAR 2 base

  typedef struct packed {
    logic [255:0] data;
    logic [84:0]  user;
    logic [7:0]   keep;
    logic         last;
  } beat_t;
  typedef struct packed {
    logic [127:0] hdr;
    logic [255:0] data;
    logic [7:0]   mask;   // DWs of data to check
    logic         sop;
    logic         eop;
  } exp_beat_t;

  `TB_CLK_RST(clk, rst, 4)      // 125 MHz-ish user clock
  `TB_CLK_RST(cclk, crst, 7)    // a slower core clock
  bp_gen rdy = new(32'h7a74_0001, 70, 0);   // the core's ready, apart from the $urandom stimulus
  bp_gen rdy2_gen = new(32'h7a74_0002, 100, 0);   // part 2's (rdy2 %)

  beat_t        drv_q[$];
  exp_beat_t    exp_q[$];
  int           n_disc = 0, n_err_seen = 0, n_beats = 0, n_tlps = 0;

  // DUT signals
  logic [255:0] cq_tdata;
  logic [84:0]  cq_tuser;
  logic [7:0]   cq_tkeep;
  logic         cq_tlast, cq_tvalid, cq_tready;
  logic [127:0] a_hdr, c_hdr;
  logic [255:0] a_data, c_data;
  logic         a_sop, a_eop, a_err, a_valid, a_ready;
  logic         c_sop, c_eop, c_valid, c_ready;
  logic         dropped;

  xpcie_cq_rx #(
    .BAR_REMAP      (1'b1),
    .BAR0_SIZE_LOG2 (15),
    .BAR2_SIZE_LOG2 (30),
    .BAR0_BASE      (B0),
    .BAR2_BASE      (B2)
  ) dut (
    .clk              (clk),
    .rst              (rst),
    .s_axis_cq_tdata  (cq_tdata),
    .s_axis_cq_tuser  (cq_tuser),
    .s_axis_cq_tkeep  (cq_tkeep),
    .s_axis_cq_tlast  (cq_tlast),
    .s_axis_cq_tvalid (cq_tvalid),
    .s_axis_cq_tready (cq_tready),
    .tlp_hdr          (a_hdr),
    .tlp_data         (a_data),
    .tlp_sop          (a_sop),
    .tlp_eop          (a_eop),
    .tlp_err          (a_err),
    .tlp_valid        (a_valid),
    .tlp_ready        (a_ready)
  );

  brd_tlp_cdc #(
    .DATA_W (256),
    .AW     (5)
  ) cdc (
    .in_clk    (clk),
    .in_rst    (rst),
    .in_hdr    (a_hdr),
    .in_data   (a_data),
    .in_sop    (a_sop),
    .in_eop    (a_eop),
    .in_err    (a_err),
    .in_valid  (a_valid),
    .in_ready  (a_ready),
    .dropped   (dropped),
    .out_clk   (cclk),
    .out_rst   (crst),
    .out_hdr   (c_hdr),
    .out_data  (c_data),
    .out_sop   (c_sop),
    .out_eop   (c_eop),
    .out_valid (c_valid),
    .out_ready (c_ready)
  );

  // ---------------------------------------------------------------- stimulus
  function automatic logic [31:0] rnd32();
    return $urandom;
  endfunction

  task automatic make_request(input int k);
    logic [3:0]  rtype;
    logic [63:0] addr, taddr;
    logic [10:0] dwc;
    logic [15:0] rid;
    logic [7:0]  tag;
    logic [2:0]  bar, tc, attr, fmt;
    logic [4:0]  typ;
    logic [3:0]  fbe, lbe;
    logic [1:0]  at;
    logic        has_data, h4, disc;
    logic [31:0] pay[];
    logic [127:0] desc, hdr;
    int          ndw, nbeats, total;
    int          r, b, d, idx, n, obeats;
    beat_t       bt;
    exp_beat_t   e;

    r = $urandom_range(0, 99);
    if (r < 40) rtype = 4'b0000;            // memory read
    else if (r < 85) rtype = 4'b0001;       // memory write
    else if (r < 88) rtype = 4'b0010;       // I/O read
    else if (r < 90) rtype = 4'b0011;       // I/O write
    else if (r < 92) rtype = 4'b0100 + 4'($urandom_range(0, 2));  // atomics
    else if (r < 94) rtype = 4'b0111;       // locked read
    else rtype = 4'b1100 + 4'($urandom_range(0, 2));               // messages

    // Lengths: mostly short, some up to 1024 DWs (a 4 KiB write).
    r = $urandom_range(0, 99);
    if (r < 50) dwc = 11'($urandom_range(1, 8));
    else if (r < 90) dwc = 11'($urandom_range(9, 64));
    else if (r < 98) dwc = 11'($urandom_range(65, 256));
    else dwc = 11'($urandom_range(257, 1024));
    if (rtype == 4'b0010 || rtype == 4'b0011) dwc = 11'd1;
    if (rtype >= 4'b1100 && $urandom_range(0, 1) == 0) dwc = 11'd0;
    // A write can not exceed the brd_tlp_cdc depth (32 beats).
    if (rtype != 4'b0000 && rtype != 4'b0111 && dwc > 11'd240) dwc = 11'($urandom_range(1, 240));

    addr = {($urandom_range(0, 2) == 0) ? rnd32() : 32'd0, rnd32()};
    addr[1:0] = 2'b00;
    rid = 16'(rnd32());
    tag = 8'(rnd32());
    bar = 3'($urandom_range(0, 3));
    tc = 3'(rnd32());
    attr = 3'(rnd32());
    at = 2'(rnd32());
    fbe = 4'(rnd32());
    lbe = (dwc == 11'd1) ? 4'b0000 : 4'(rnd32());

    desc = '0;
    desc[63:0] = {addr[63:2], at};
    desc[74:64] = dwc;
    desc[78:75] = rtype;
    desc[95:80] = rid;
    desc[103:96] = tag;
    desc[111:104] = 8'd0;
    desc[114:112] = bar;
    desc[120:115] = (bar == 3'd0) ? 6'd15 : 6'd30;
    desc[123:121] = tc;
    desc[126:124] = attr;

    // What the core must see (PCIe header from the descriptor)
    has_data = !(rtype == 4'b0000 || rtype == 4'b0010 || rtype == 4'b0111);
    if (rtype >= 4'b1100) has_data = dwc != 11'd0;
    taddr = addr;
    if (bar == 3'd0) taddr = B0 + (addr & 64'h7fff);
    if (bar == 3'd2) taddr = B2 + (addr & 64'h3fff_ffff);
    case (rtype)
      4'b0000, 4'b0001: typ = 5'b00000;
      4'b0010, 4'b0011: typ = 5'b00010;
      4'b0100: typ = 5'b01100;
      4'b0101: typ = 5'b01101;
      4'b0110: typ = 5'b01110;
      4'b0111: typ = 5'b00001;
      default: typ = 5'b10100;
    endcase
    h4 = (typ == 5'b00010) ? 1'b0 : (typ == 5'b10100) ? 1'b1 : (taddr[63:32] != 0);
    fmt = {1'b0, has_data, h4};
    hdr = '0;
    hdr[31:29] = fmt;
    hdr[28:24] = typ;
    hdr[22:20] = tc;
    hdr[18] = attr[2];
    hdr[13:12] = attr[1:0];
    hdr[11:10] = at;
    hdr[9:0] = dwc[9:0];
    hdr[63:48] = rid;
    hdr[47:40] = tag;
    hdr[39:36] = lbe;
    hdr[35:32] = fbe;
    if (h4) begin
      hdr[95:64] = taddr[63:32];
      hdr[127:96] = taddr[31:0];
    end else begin
      hdr[95:64] = taddr[31:0];
    end

    ndw = has_data ? int'(dwc) : 0;
    pay = new[ndw];
    for (idx = 0; idx < ndw; idx++) pay[idx] = rnd32();
    disc = ($urandom_range(0, 99) < 4);
    if (disc) n_disc++;

    // The hard IP's beats: descriptor, then payload from DW 4
    total = 4 + ndw;
    nbeats = (total + 7) / 8;
    for (b = 0; b < nbeats; b++) begin
      bt = '0;
      for (d = 0; d < 8; d++) begin
        idx = b * 8 + d;
        if (idx < 4) bt.data[32*d +: 32] = desc[32*idx +: 32];
        else if (idx < total) bt.data[32*d +: 32] = pay[idx - 4];
        else bt.data[32*d +: 32] = rnd32();   // beyond tkeep: garbage
      end
      n = (b == nbeats - 1) ? total - b * 8 : 8;
      bt.keep = 8'((9'd1 << n) - 9'd1);
      bt.last = (b == nbeats - 1);
      bt.user = '0;
      bt.user[84:42] = 43'(rnd32());          // TPH and parity: not used
      if (b == 0) begin
        bt.user[3:0] = fbe;
        bt.user[7:4] = lbe;
        bt.user[40] = 1'b1;
      end
      bt.user[39:8] = 32'(rnd32());
      bt.user[41] = disc && bt.last;
      drv_q.push_back(bt);
    end

    // Expected core beats (not for a discontinued request)
    if (!disc) begin
      obeats = (ndw == 0) ? 1 : (ndw + 7) / 8;
      for (b = 0; b < obeats; b++) begin
        e = '0;
        e.hdr = hdr;
        e.sop = (b == 0);
        e.eop = (b == obeats - 1);
        n = (ndw - b * 8 > 8) ? 8 : ndw - b * 8;
        if (n < 0) n = 0;
        for (d = 0; d < 8; d++) begin
          if (d < n) begin
            e.data[32*d +: 32] = pay[b * 8 + d];
            e.mask[d] = 1'b1;
          end
        end
        exp_q.push_back(e);
      end
    end
    if (k < 0) $display("unused");
  endtask

  // ---------------------------------------------------------------- driver
  int idle_prob = 25;     // % of cycles the hard IP holds tvalid low between beats
  `TB_QUEUE_SOURCE(clk, rst, drv_q, cq_tvalid, cq_tready, idle_prob, {cq_tdata, cq_tuser, cq_tkeep, cq_tlast})

  // The adapter flags exactly the discontinued requests.
  always @(posedge clk) begin
    if (!rst && a_valid && a_ready && a_eop && a_err) n_err_seen++;
  end

  // ---------------------------------------------------------------- checker
  always @(posedge cclk) begin
    if (crst) begin
      c_ready <= 1'b0;
    end else begin
      if (c_valid && c_ready) begin : g_chk
        exp_beat_t e;
        check(exp_q.size() != 0, $sformatf("unexpected beat: hdr %h", c_hdr));
        if (exp_q.size() != 0) begin
          e = exp_q.pop_front();
          check(c_sop === e.sop && c_eop === e.eop,
                $sformatf("tlp %0d: sop/eop %b%b, expected %b%b", n_tlps, c_sop, c_eop, e.sop, e.eop));
          if (c_sop) check_eq(c_hdr, e.hdr, $sformatf("tlp %0d: header", n_tlps));
          for (int d = 0; d < 8; d++)
            if (e.mask[d])
              check(c_data[32*d +: 32] === e.data[32*d +: 32],
                    $sformatf("tlp %0d: DW %0d of a beat is %h, expected %h", n_tlps, d,
                              c_data[32*d +: 32], e.data[32*d +: 32]));
        end
        n_beats++;
        if (c_eop) n_tlps++;
      end
      c_ready <= rdy.next();
    end
  end

  // ================================================================ part 2
  localparam int N2 = 4000;                      // random requests after the sweep
  localparam int MPS_DWS = 64;                   // Max_Payload_Size, 256 bytes
  localparam logic [2:0] BAR2_ID = 3'd2;
  localparam int BAR2_LOG2 = 30;

  typedef struct packed {
    logic [127:0] hdr;    // expected header (checked on the sop beat)
    logic [255:0] data;
    logic [10:0]  base;   // payload DW index of the beat's DW 0
    logic [3:0]   ndw;    // payload DWs of this beat to check
    logic         sop;
    logic         eop;
  } exp2_t;

  beat_t        drv2_q[$];
  exp2_t        exp2_q[$];
  int           n2_wr = 0, n2_rd = 0, n2_tlps = 0, n2_beats = 0, n2_dws = 0;
  int           n2_stall = 0, n2_b2b = 0, n2_len_seen[MPS_DWS + 1];
  int           gap2 = 0, rdy2 = 100;            // % tvalid gaps on CQ, % core ready

  logic [255:0] q2_tdata;
  logic [84:0]  q2_tuser;
  logic [7:0]   q2_tkeep;
  logic         q2_tlast, q2_tvalid, q2_tready;
  logic [127:0] t2_hdr;
  logic [255:0] t2_data;
  logic         t2_sop, t2_eop, t2_err, t2_valid, t2_ready;

  xpcie_cq_rx #(
    .BAR_REMAP      (1'b1),
    .BAR0_SIZE_LOG2 (15),
    .BAR2_SIZE_LOG2 (BAR2_LOG2),
    .BAR0_BASE      (B0),
    .BAR2_BASE      (B2)
  ) dut2 (
    .clk              (clk),
    .rst              (rst),
    .s_axis_cq_tdata  (q2_tdata),
    .s_axis_cq_tuser  (q2_tuser),
    .s_axis_cq_tkeep  (q2_tkeep),
    .s_axis_cq_tlast  (q2_tlast),
    .s_axis_cq_tvalid (q2_tvalid),
    .s_axis_cq_tready (q2_tready),
    .tlp_hdr          (t2_hdr),
    .tlp_data         (t2_data),
    .tlp_sop          (t2_sop),
    .tlp_eop          (t2_eop),
    .tlp_err          (t2_err),
    .tlp_valid        (t2_valid),
    .tlp_ready        (t2_ready)
  );

  // One request on CQ and what the core must get. rtype: memory read/write;
  // addr: the host's address (DW aligned); the header expected at the core
  // has the address moved into the core's BAR.
  task automatic push2(input logic [3:0] rtype, input logic [2:0] bar, input logic [63:0] addr,
                       input int dwc, input logic [3:0] fbe, input logic [3:0] lbe);
    logic [127:0] desc, hdr;
    logic [63:0]  taddr;
    logic [15:0]  rid;
    logic [7:0]   tag;
    logic [31:0]  pay[];
    int           ndw, total, nbeats, b, d, idx, n;
    beat_t        bt;
    exp2_t        e;

    rid = 16'(rnd32());
    tag = 8'(rnd32());
    desc = '0;
    desc[63:2] = addr[63:2];
    desc[74:64] = 11'(dwc);
    desc[78:75] = rtype;
    desc[95:80] = rid;
    desc[103:96] = tag;
    desc[114:112] = bar;
    desc[120:115] = (bar == BAR2_ID) ? 6'(BAR2_LOG2) : 6'd15;

    taddr = (bar == BAR2_ID) ? (B2 | (addr & ((64'd1 << BAR2_LOG2) - 64'd1)))
                             : (B0 | (addr & 64'h7fff));
    taddr[1:0] = 2'b00;                       // the byte enables say which bytes
    hdr = '0;
    hdr[31:29] = (rtype == 4'b0001) ? 3'b010 : 3'b000;   // 3-DW: the core's BARs are below 4 GiB
    hdr[9:0] = 10'(dwc);
    hdr[63:48] = rid;
    hdr[47:40] = tag;
    hdr[39:36] = lbe;
    hdr[35:32] = fbe;
    hdr[95:64] = taddr[31:0];

    ndw = (rtype == 4'b0001) ? dwc : 0;
    pay = new[ndw];
    for (idx = 0; idx < ndw; idx++) pay[idx] = rnd32();

    total = 4 + ndw;
    nbeats = (total + 7) / 8;
    for (b = 0; b < nbeats; b++) begin
      bt = '0;
      for (d = 0; d < 8; d++) begin
        idx = b * 8 + d;
        if (idx < 4) bt.data[32*d +: 32] = desc[32*idx +: 32];
        else if (idx < total) bt.data[32*d +: 32] = pay[idx - 4];
        else bt.data[32*d +: 32] = rnd32();
      end
      n = (b == nbeats - 1) ? total - b * 8 : 8;
      bt.keep = 8'((9'd1 << n) - 9'd1);
      bt.last = (b == nbeats - 1);
      bt.user = '0;
      bt.user[39:8] = rnd32();                // byte enables per DW: not used
      if (b == 0) begin
        bt.user[3:0] = fbe;
        bt.user[7:4] = lbe;
        bt.user[40] = 1'b1;
      end
      drv2_q.push_back(bt);
    end

    nbeats = (ndw == 0) ? 1 : (ndw + 7) / 8;
    for (b = 0; b < nbeats; b++) begin
      e = '0;
      e.hdr = hdr;
      e.sop = (b == 0);
      e.eop = (b == nbeats - 1);
      n = ndw - b * 8;
      e.base = 11'(b * 8);
      e.ndw = 4'((n > 8) ? 8 : n);
      for (d = 0; d < int'(e.ndw); d++) e.data[32*d +: 32] = pay[b * 8 + d];
      exp2_q.push_back(e);
    end
    if (rtype == 4'b0001) begin
      n2_wr++;
      if (bar == BAR2_ID) n2_len_seen[dwc]++;
    end else begin
      n2_rd++;
    end
  endtask

  // A BAR 2 write the way the host makes one: `first` byte of the window,
  // `nbytes` long (1..256), not crossing 4 KiB; byte enables from both.
  task automatic bar2_write(input logic [63:0] host_bar, input logic [29:0] first, input int nbytes);
    logic [29:0] last;
    logic [3:0]  fbe, lbe;
    int          dwc;
    last = first + 30'(nbytes - 1);
    dwc = int'(last[29:2]) - int'(first[29:2]) + 1;
    fbe = 4'b1111 << first[1:0];
    lbe = 4'b1111 >> (2'd3 - last[1:0]);
    if (dwc == 1) begin
      fbe = fbe & lbe;
      lbe = 4'b0000;
    end
    push2(4'b0001, BAR2_ID, host_bar | 64'(first), dwc, fbe, lbe);
  endtask

  // A write of exactly `dwc` DWs whose first DW sits at DW `pos` of a 32-byte line.
  task automatic bar2_write_dws(input logic [63:0] host_bar, input int dwc, input int pos);
    logic [29:0] first;
    int          s, e, nbytes;
    first = 30'(rnd32());
    first[4:2] = 3'(pos);
    if (int'(first[11:0]) + dwc * 4 > 4096) first[11:5] = 7'd0;   // stay in the 4 KiB page
    s = int'(first[1:0]);                                           // bytes skipped in the first DW
    e = (dwc == 1) ? $urandom_range(s, 3) : $urandom_range(0, 3);   // last byte in the last DW
    nbytes = (dwc - 1) * 4 + e + 1 - s;
    bar2_write(host_bar, first, nbytes);
  endtask

  // Now and then a request without payload or a 1-DW one between the writes.
  task automatic maybe_other(input logic [63:0] host_bar);
    int r;
    r = $urandom_range(0, 99);
    if (r < 12) push2(4'b0000, BAR2_ID, host_bar | 64'({rnd32()} & 32'h3fff_f000),
                      (r < 3) ? 1024 : $urandom_range(1, 1024), 4'hf, 4'hf);   // 4096 bytes: length 0
    else if (r < 18) push2(4'b0001, 3'd0, 64'({rnd32()} & 32'hfffc), 1, 4'hf, 4'h0);
  endtask

  task automatic make_part2();
    logic [63:0] host_bar;
    int          len, pos, r;
    host_bar = {rnd32(), rnd32()};
    host_bar[BAR2_LOG2-1:0] = '0;                 // 1 GiB aligned, anywhere in 64 bits
    // Every length at every DW position
    for (len = 1; len <= MPS_DWS; len++)
      for (pos = 0; pos < 8; pos++) begin
        bar2_write_dws(host_bar, len, pos);
        maybe_other(host_bar);
      end
    // Then random byte-granular writes, mostly short ones and full 256 bytes
    for (int k = 0; k < N2; k++) begin
      r = $urandom_range(0, 99);
      if (r < 30) len = $urandom_range(1, 32);
      else if (r < 80) len = $urandom_range(33, 256);
      else len = 256;
      bar2_write(host_bar, 30'(rnd32() & 32'h3fff_f000) | 30'($urandom_range(0, 4096 - len)), len);
      maybe_other(host_bar);
    end
  endtask

  // Driver: the head of the queue is on the bus while tvalid waits.
  `TB_QUEUE_SOURCE(clk, rst, drv2_q, q2_tvalid, q2_tready, gap2, {q2_tdata, q2_tuser, q2_tkeep, q2_tlast})

  // Checker (same clock as the adapter)
  logic         p2_hold;         // last cycle: a beat offered and not taken
  logic [127:0] p2_hdr;
  logic [255:0] p2_data;
  logic [2:0]   p2_flags;
  logic         p2_last_taken;   // last cycle: CQ took the last beat of a request

  always @(posedge clk) begin
    exp2_t e;
    if (rst) begin
      t2_ready <= 1'b0;
      p2_hold <= 1'b0;
      p2_last_taken <= 1'b0;
    end else begin
      if (p2_hold) begin
        check(t2_valid, "part 2: tlp_valid dropped before the beat was taken");
        check(t2_data === p2_data && {t2_sop, t2_eop, t2_err} === p2_flags && !(t2_sop && t2_hdr !== p2_hdr),
              "part 2: a beat changed while it waited for tlp_ready");
      end
      if (t2_valid && t2_ready) begin
        check(exp2_q.size() != 0, $sformatf("part 2: unexpected beat, hdr %h", t2_hdr));
        if (exp2_q.size() != 0) begin
          e = exp2_q.pop_front();
          check(t2_sop === e.sop && t2_eop === e.eop,
                $sformatf("part 2 tlp %0d: sop/eop %b%b, expected %b%b", n2_tlps, t2_sop, t2_eop, e.sop, e.eop));
          check(t2_err === 1'b0, $sformatf("part 2 tlp %0d: tlp_err set", n2_tlps));
          if (t2_sop) begin
            check_eq(t2_hdr[31:24], e.hdr[31:24], $sformatf("part 2 tlp %0d: fmt/type", n2_tlps));
            check_eq(t2_hdr[9:0], e.hdr[9:0], $sformatf("part 2 tlp %0d: length (DWs)", n2_tlps));
            check_eq(t2_hdr[63:48], e.hdr[63:48], $sformatf("part 2 tlp %0d: requester ID", n2_tlps));
            check_eq(t2_hdr[47:40], e.hdr[47:40], $sformatf("part 2 tlp %0d: tag", n2_tlps));
            check_eq(t2_hdr[39:32], e.hdr[39:32], $sformatf("part 2 tlp %0d: last/first BE", n2_tlps));
            check_eq(t2_hdr[95:64], e.hdr[95:64], $sformatf("part 2 tlp %0d: address", n2_tlps));
            check_eq(t2_hdr, e.hdr, $sformatf("part 2 tlp %0d: header", n2_tlps));
          end
          for (int d = 0; d < int'(e.ndw); d++)
            check(t2_data[32*d +: 32] === e.data[32*d +: 32],
                  $sformatf("part 2 tlp %0d: payload DW %0d is %h, expected %h", n2_tlps,
                            int'(e.base) + d, t2_data[32*d +: 32], e.data[32*d +: 32]));
          n2_dws += int'(e.ndw);
        end
        n2_beats++;
        if (t2_eop) n2_tlps++;
      end
      if (t2_valid && !t2_ready) n2_stall++;
      p2_hold <= t2_valid && !t2_ready;
      p2_hdr <= t2_hdr;
      p2_data <= t2_data;
      p2_flags <= {t2_sop, t2_eop, t2_err};
      // Back to back on CQ: a request's first beat taken right after a last one
      if (q2_tvalid && q2_tready && p2_last_taken) n2_b2b++;
      p2_last_taken <= q2_tvalid && q2_tready && q2_tlast;
      rdy2_gen.pct = rdy2;
      t2_ready <= rdy2_gen.next();
    end
  end

  // Back-pressure and gap modes: {CQ gap %, core ready %}
  always @(posedge clk) begin : g_modes
    int cyc;
    int m;
    if (rst) begin
      cyc = 0;
    end else begin
      cyc++;
      if (cyc % 1000 == 1) begin
        m = $urandom_range(0, 5);
        case (m)
          0: begin gap2 = 0;  rdy2 = 100; end
          1: begin gap2 = 0;  rdy2 = 50;  end
          2: begin gap2 = 0;  rdy2 = 20;  end
          3: begin gap2 = 30; rdy2 = 70;  end
          4: begin gap2 = 0;  rdy2 = 90;  end
          default: begin gap2 = 50; rdy2 = 100; end
        endcase
      end
    end
  end

  initial begin
    int cycles;
    for (int k = 0; k < N; k++) make_request(k);
    make_part2();
    repeat (4) @(posedge clk);
    rst <= 1'b0;
    crst <= 1'b0;
    cycles = 0;
    while ((drv_q.size() != 0 || exp_q.size() != 0 || drv2_q.size() != 0 || exp2_q.size() != 0)
           && cycles < 2000000) begin
      @(posedge clk);
      cycles++;
      if (cycles == 200000) idle_prob = 0;   // later: back to back
    end
    repeat (50) @(posedge cclk);
    check(exp_q.size() == 0, $sformatf("%0d expected beats never came", exp_q.size()));
    check(n_err_seen == n_disc, $sformatf("%0d requests flagged, %0d discontinued", n_err_seen, n_disc));
    check(exp2_q.size() == 0 && drv2_q.size() == 0,
          $sformatf("part 2: %0d CQ beats not taken, %0d expected beats never came", drv2_q.size(), exp2_q.size()));
    for (int len = 1; len <= MPS_DWS; len++)
      check(n2_len_seen[len] >= 8, $sformatf("part 2: only %0d writes of %0d DWs", n2_len_seen[len], len));
    check(n2_stall != 0 && n2_b2b != 0,
          $sformatf("part 2: no back-pressure (%0d) or no back to back (%0d)", n2_stall, n2_b2b));
    $display("xpcie_cq_rx: part 1: %0d requests (%0d discontinued and dropped), %0d TLPs / %0d beats checked",
             N, n_disc, n_tlps, n_beats);
    $display("xpcie_cq_rx: part 2: %0d writes (1..%0d DWs, %0d back to back) and %0d others, %0d TLPs / %0d beats / %0d payload DWs checked, %0d stalled cycles",
             n2_wr, MPS_DWS, n2_b2b, n2_rd, n2_tlps, n2_beats, n2_dws, n2_stall);
    tb_done("xpcie_cq_rx");
  end
endmodule
