`default_nettype none
// Bench for xpcie_cq_rx behind brd_tlp_cdc: random requests arrive on CQ the
// way the hard IP presents them (4-DW descriptor, payload from DW 4 of the
// first beat, tkeep per DW, first/last BE and sop in tuser, discontinue on
// the last beat, gaps in tvalid), the core takes TLPs at another clock with
// back-pressure. Checks every header field and payload DW of every TLP, that
// each discontinued request is flagged on its last beat and never reaches
// the core, and the BAR moves of the endpoint. Ends with $finish (pass) or
// $fatal (fail).
module tb;
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
  } tlp_beat_t;

  logic clk = 1'b0, cclk = 1'b0;
  logic rst = 1'b1, crst = 1'b1;
  always #4 clk <= ~clk;      // 125 MHz-ish user clock
  always #7 cclk <= ~cclk;    // a slower core clock

  beat_t        drv_q[$];
  tlp_beat_t    exp_q[$];
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
    tlp_beat_t   e;

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
  always @(posedge clk) begin
    if (rst) begin
      cq_tvalid <= 1'b0;
    end else begin
      if (cq_tvalid && cq_tready) void'(drv_q.pop_front());
      if ((!cq_tvalid || cq_tready) ) begin
        // present the next beat, or a gap
        if (drv_q.size() != 0 && $urandom_range(0, 99) >= idle_prob) begin
          cq_tvalid <= 1'b1;
        end else begin
          cq_tvalid <= 1'b0;
        end
      end
    end
  end
  // Data follows the head of the queue (stable while tvalid waits for tready).
  always_comb begin
    if (drv_q.size() != 0) begin
      cq_tdata = drv_q[0].data;
      cq_tuser = drv_q[0].user;
      cq_tkeep = drv_q[0].keep;
      cq_tlast = drv_q[0].last;
    end else begin
      cq_tdata = '0;
      cq_tuser = '0;
      cq_tkeep = '0;
      cq_tlast = 1'b0;
    end
  end

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
        tlp_beat_t e;
        if (exp_q.size() == 0) $fatal(1, "unexpected beat: hdr %h", c_hdr);
        e = exp_q.pop_front();
        if (c_sop !== e.sop || c_eop !== e.eop)
          $fatal(1, "tlp %0d: sop/eop %b%b, expected %b%b", n_tlps, c_sop, c_eop, e.sop, e.eop);
        if (c_sop && c_hdr !== e.hdr)
          $fatal(1, "tlp %0d: header %h, expected %h", n_tlps, c_hdr, e.hdr);
        for (int d = 0; d < 8; d++)
          if (e.mask[d] && c_data[32*d +: 32] !== e.data[32*d +: 32])
            $fatal(1, "tlp %0d: DW %0d of a beat is %h, expected %h", n_tlps, d,
                   c_data[32*d +: 32], e.data[32*d +: 32]);
        n_beats++;
        if (c_eop) n_tlps++;
      end
      c_ready <= ($urandom_range(0, 99) < 70);
    end
  end

  initial begin
    int cycles;
    for (int k = 0; k < N; k++) make_request(k);
    repeat (4) @(posedge clk);
    rst <= 1'b0;
    crst <= 1'b0;
    cycles = 0;
    while ((drv_q.size() != 0 || exp_q.size() != 0) && cycles < 2000000) begin
      @(posedge clk);
      cycles++;
      if (cycles == 200000) idle_prob = 0;   // later: back to back
    end
    repeat (50) @(posedge cclk);
    if (exp_q.size() != 0) $fatal(1, "%0d expected beats never came", exp_q.size());
    if (n_err_seen != n_disc) $fatal(1, "%0d requests flagged, %0d discontinued", n_err_seen, n_disc);
    $display("xpcie_cq_rx: %0d requests (%0d discontinued and dropped), %0d TLPs / %0d beats checked",
             N, n_disc, n_tlps, n_beats);
    $finish;
  end
endmodule
