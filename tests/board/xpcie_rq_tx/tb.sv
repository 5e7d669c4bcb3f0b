`default_nettype none
// Bench for xpcie_rq_tx: the core sends random requests (memory reads and
// writes with 3- and 4-DW headers, I/O, configuration type 0 and 1, atomics,
// locked reads, and messages, which must be dropped) with gaps; the hard IP
// takes RQ beats with back-pressure. Checks every beat against the request
// descriptor format (PG156): descriptor fields, payload from DW 4 of the
// first beat, tkeep, tlast, byte enables in tuser, nothing else in tuser.
module tb;
  import tb_pkg::*;
  localparam int N = 3000;

  typedef struct packed {
    logic [255:0] data;
    logic [59:0]  user;
    logic [7:0]   keep;
    logic         last;
  } beat_t;

  `TB_CLK_RST(clk, rst, 4)
  bp_gen rdy = new(32'h7a71_0001, 65, 0);   // RQ tready, apart from the $urandom stimulus

  tlp_beat_t drv_q[$];
  beat_t     exp_q[$];
  int        n_msgs = 0, n_drop_seen = 0, n_beats = 0, n_pkts = 0, idle_prob = 30;

  logic [127:0] t_hdr;
  logic [255:0] t_data;
  logic         t_sop, t_eop, t_valid, t_ready, dropped;
  logic [255:0] rq_tdata;
  logic [59:0]  rq_tuser;
  logic [7:0]   rq_tkeep;
  logic         rq_tlast, rq_tvalid, rq_tready;

  xpcie_rq_tx #(
    .RID_ENABLE (1'b1)
  ) dut (
    .clk              (clk),
    .rst              (rst),
    .tlp_hdr          (t_hdr),
    .tlp_data         (t_data),
    .tlp_sop          (t_sop),
    .tlp_eop          (t_eop),
    .tlp_valid        (t_valid),
    .tlp_ready        (t_ready),
    .dropped          (dropped),
    .m_axis_rq_tdata  (rq_tdata),
    .m_axis_rq_tuser  (rq_tuser),
    .m_axis_rq_tkeep  (rq_tkeep),
    .m_axis_rq_tlast  (rq_tlast),
    .m_axis_rq_tvalid (rq_tvalid),
    .m_axis_rq_tready (rq_tready)
  );

  function automatic logic [31:0] rnd32();
    return $urandom;
  endfunction

  task automatic make_request();
    logic [2:0]  fmt, tc, attr;
    logic [4:0]  typ;
    logic [3:0]  rtype, fbe, lbe;
    logic [9:0]  len;
    logic [10:0] dwc;
    logic [63:0] addr;
    logic [15:0] rid, target;
    logic [7:0]  tag;
    logic [9:0]  regn;
    logic [1:0]  at;
    logic        ep, is_cfg, is_msg;
    logic [127:0] hdr, desc;
    logic [31:0] pay[];
    int          r, ndw, total, nbeats, b, d, idx, n;
    tlp_beat_t   t;
    beat_t       bt;

    r = $urandom_range(0, 99);
    is_cfg = 1'b0;
    is_msg = 1'b0;
    if (r < 35) begin typ = 5'b00000; rtype = 4'b0000; fmt = 3'b000; end       // MRd
    else if (r < 75) begin typ = 5'b00000; rtype = 4'b0001; fmt = 3'b010; end  // MWr
    else if (r < 78) begin typ = 5'b00010; rtype = 4'b0010; fmt = 3'b000; end  // IORd
    else if (r < 80) begin typ = 5'b00010; rtype = 4'b0011; fmt = 3'b010; end  // IOWr
    else if (r < 85) begin typ = 5'b00100; rtype = 4'b1000; fmt = 3'b000; is_cfg = 1'b1; end
    else if (r < 90) begin typ = 5'b00100; rtype = 4'b1010; fmt = 3'b010; is_cfg = 1'b1; end
    else if (r < 92) begin typ = 5'b00101; rtype = 4'b1001; fmt = 3'b000; is_cfg = 1'b1; end
    else if (r < 93) begin typ = 5'b00101; rtype = 4'b1011; fmt = 3'b010; is_cfg = 1'b1; end
    else if (r < 94) begin typ = 5'b01100; rtype = 4'b0100; fmt = 3'b010; end
    else if (r < 95) begin typ = 5'b01101; rtype = 4'b0101; fmt = 3'b010; end
    else if (r < 96) begin typ = 5'b01110; rtype = 4'b0110; fmt = 3'b010; end
    else if (r < 97) begin typ = 5'b00001; rtype = 4'b0111; fmt = 3'b000; end  // MRdLk
    else begin typ = 5'b10000 | 5'($urandom_range(0, 7)); rtype = 4'b1100; fmt = 3'b001; is_msg = 1'b1; end

    addr = {($urandom_range(0, 1) == 0) ? 32'd0 : rnd32(), rnd32()};
    addr[1:0] = 2'b00;
    if (typ == 5'b00000 || typ[4:2] == 3'b011 || typ == 5'b00001) fmt[0] = addr[63:32] != 0;
    else addr[63:32] = 32'd0;
    r = $urandom_range(0, 99);
    if (r < 50) dwc = 11'($urandom_range(1, 8));
    else if (r < 95) dwc = 11'($urandom_range(9, 128));
    else dwc = 11'($urandom_range(129, 1024));
    if (typ == 5'b00010 || is_cfg) dwc = 11'd1;
    len = dwc[9:0];
    rid = 16'(rnd32());
    tag = 8'(rnd32());
    tc = 3'(rnd32());
    attr = 3'(rnd32());
    at = 2'(rnd32());
    ep = ($urandom_range(0, 99) < 3);
    fbe = 4'(rnd32());
    lbe = (dwc == 11'd1) ? 4'd0 : 4'(rnd32());
    target = 16'(rnd32());
    regn = 10'(rnd32());

    hdr = '0;
    hdr[31:29] = fmt;
    hdr[28:24] = typ;
    hdr[22:20] = tc;
    hdr[18] = attr[2];
    hdr[14] = ep;
    hdr[13:12] = attr[1:0];
    hdr[11:10] = at;
    hdr[9:0] = len;
    hdr[63:48] = rid;
    hdr[47:40] = tag;
    hdr[39:32] = {lbe, fbe};
    if (is_cfg) hdr[95:64] = {target, 4'd0, regn, 2'b00};
    else if (fmt[0]) hdr[127:64] = {addr[31:0], addr[63:32]};
    else hdr[95:64] = addr[31:0];

    ndw = fmt[1] ? int'(dwc) : 0;
    pay = new[ndw];
    for (idx = 0; idx < ndw; idx++) pay[idx] = rnd32();

    // The core's beats
    nbeats = (ndw == 0) ? 1 : (ndw + 7) / 8;
    for (b = 0; b < nbeats; b++) begin
      t.hdr = (b == 0) ? hdr : 128'(rnd32());
      for (d = 0; d < 8; d++) t.data[32*d +: 32] = (b * 8 + d < ndw) ? pay[b * 8 + d] : rnd32();
      t.sop = (b == 0);
      t.eop = (b == nbeats - 1);
      drv_q.push_back(t);
    end

    if (is_msg) begin
      n_msgs++;
      return;
    end

    // The request descriptor
    desc = '0;
    desc[1:0] = at;
    if (is_cfg) begin
      desc[11:2] = regn;
      desc[119:104] = target;
    end else begin
      desc[63:2] = addr[63:2];
    end
    desc[74:64] = dwc;
    desc[78:75] = rtype;
    desc[79] = ep;
    desc[95:80] = rid;
    desc[103:96] = tag;
    desc[120] = 1'b1;
    desc[123:121] = tc;
    desc[126:124] = attr;

    total = 4 + ndw;
    nbeats = (total + 7) / 8;
    for (b = 0; b < nbeats; b++) begin
      bt = '0;
      for (d = 0; d < 8; d++) begin
        idx = b * 8 + d;
        if (idx < 4) bt.data[32*d +: 32] = desc[32*idx +: 32];
        else if (idx < total) bt.data[32*d +: 32] = pay[idx - 4];
      end
      n = (b == nbeats - 1) ? total - b * 8 : 8;
      bt.keep = 8'((9'd1 << n) - 9'd1);
      bt.last = (b == nbeats - 1);
      bt.user = '0;
      bt.user[7:0] = {lbe, fbe};
      exp_q.push_back(bt);
    end
  endtask

  `TB_QUEUE_SOURCE(clk, rst, drv_q, t_valid, t_ready, idle_prob, {t_hdr, t_data, t_sop, t_eop})

  always @(posedge clk) begin
    beat_t e;
    if (rst) begin
      rq_tready <= 1'b0;
    end else begin
      if (dropped) n_drop_seen++;
      if (rq_tvalid && rq_tready) begin
        check(exp_q.size() != 0, $sformatf("unexpected RQ beat %h", rq_tdata));
        if (exp_q.size() != 0) begin
          e = exp_q.pop_front();
          check(rq_tkeep === e.keep && rq_tlast === e.last,
                $sformatf("packet %0d: tkeep %b tlast %b, expected %b %b", n_pkts, rq_tkeep, rq_tlast, e.keep, e.last));
          for (int d = 0; d < 8; d++)
            if (e.keep[d])
              check(rq_tdata[32*d +: 32] === e.data[32*d +: 32],
                    $sformatf("packet %0d: DW %0d is %h, expected %h", n_pkts, d, rq_tdata[32*d +: 32], e.data[32*d +: 32]));
          check(rq_tuser === e.user, $sformatf("packet %0d: tuser %h, expected %h", n_pkts, rq_tuser, e.user));
        end
        n_beats++;
        if (rq_tlast) n_pkts++;
      end
      rq_tready <= rdy.next();
    end
  end

  initial begin
    int cycles;
    for (int k = 0; k < N; k++) make_request();
    repeat (4) @(posedge clk);
    rst <= 1'b0;
    cycles = 0;
    while ((drv_q.size() != 0 || exp_q.size() != 0) && cycles < 2000000) begin
      @(posedge clk);
      cycles++;
      if (drv_q.size() < N) idle_prob = 0;
    end
    repeat (10) @(posedge clk);
    check(exp_q.size() == 0, $sformatf("%0d expected RQ beats never came", exp_q.size()));
    check(n_drop_seen == n_msgs, $sformatf("%0d dropped, %0d messages sent", n_drop_seen, n_msgs));
    $display("xpcie_rq_tx: %0d requests (%0d messages dropped), %0d RQ packets / %0d beats checked",
             N, n_msgs, n_pkts, n_beats);
    tb_done("xpcie_rq_tx");
  end
endmodule
