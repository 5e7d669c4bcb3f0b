`default_nettype none
// Bench for xpcie_cc_tx: the core sends random completions (Cpl, CplD,
// CplLk, CplDLk; every status; byte counts up to 4096, encoded 0; lengths up
// to 1024 DWs) and now and then a request, which must be dropped, with gaps;
// the hard IP takes CC beats with back-pressure. Checks every beat against
// the completion descriptor format (PG156): descriptor fields, payload from
// DW 3 of the first beat, tkeep, tlast, an all-zero tuser.
module tb;
  localparam int N = 3000;

  typedef struct packed {
    logic [127:0] hdr;
    logic [255:0] data;
    logic         sop;
    logic         eop;
  } tlp_beat_t;
  typedef struct packed {
    logic [255:0] data;
    logic [7:0]   keep;
    logic         last;
  } beat_t;

  logic clk = 1'b0, rst = 1'b1;
  always #4 clk <= ~clk;

  tlp_beat_t drv_q[$];
  beat_t     exp_q[$];
  int        n_reqs = 0, n_drop_seen = 0, n_beats = 0, n_pkts = 0, idle_prob = 30;

  logic [127:0] t_hdr;
  logic [255:0] t_data;
  logic         t_sop, t_eop, t_valid, t_ready, dropped;
  logic [255:0] cc_tdata;
  logic [32:0]  cc_tuser;
  logic [7:0]   cc_tkeep;
  logic         cc_tlast, cc_tvalid, cc_tready;

  xpcie_cc_tx #(
    .CPL_ID_ENABLE (1'b0)
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
    .m_axis_cc_tdata  (cc_tdata),
    .m_axis_cc_tuser  (cc_tuser),
    .m_axis_cc_tkeep  (cc_tkeep),
    .m_axis_cc_tlast  (cc_tlast),
    .m_axis_cc_tvalid (cc_tvalid),
    .m_axis_cc_tready (cc_tready)
  );

  function automatic logic [31:0] rnd32();
    return $urandom;
  endfunction

  task automatic make_completion();
    logic [2:0]  fmt, tc, attr, status;
    logic [4:0]  typ;
    logic [10:0] dwc;
    logic [12:0] bc;
    logic [6:0]  la;
    logic [15:0] rid, cid;
    logic [7:0]  tag;
    logic        ep, locked, is_req;
    logic [127:0] hdr;
    logic [95:0] desc;
    logic [31:0] pay[];
    int          r, ndw, total, nbeats, b, d, idx, n;
    tlp_beat_t   t;
    beat_t       bt;

    r = $urandom_range(0, 99);
    is_req = r < 4;
    locked = !is_req && r < 7;
    r = $urandom_range(0, 99);
    if (r < 15) dwc = 11'd0;
    else if (r < 60) dwc = 11'($urandom_range(1, 8));
    else if (r < 95) dwc = 11'($urandom_range(9, 128));
    else dwc = 11'($urandom_range(129, 1024));
    fmt = {1'b0, dwc != 0, 1'b0};
    typ = is_req ? 5'b00000 : locked ? 5'b01011 : 5'b01010;
    if (is_req) fmt = 3'b010;
    bc = 13'($urandom_range((dwc == 0) ? 1 : int'(dwc) * 4 - 3, 4096));
    la = 7'(rnd32());
    status = (dwc == 0) ? 3'($urandom_range(0, 4)) : 3'd0;
    ep = ($urandom_range(0, 99) < 3);
    rid = 16'(rnd32());
    cid = 16'(rnd32());
    tag = 8'(rnd32());
    tc = 3'(rnd32());
    attr = 3'(rnd32());

    hdr = '0;
    hdr[31:29] = fmt;
    hdr[28:24] = typ;
    hdr[22:20] = tc;
    hdr[18] = attr[2];
    hdr[14] = ep;
    hdr[13:12] = attr[1:0];
    hdr[9:0] = dwc[9:0];
    hdr[63:48] = cid;
    hdr[47:45] = status;
    hdr[43:32] = bc[11:0];
    hdr[95:80] = rid;
    hdr[79:72] = tag;
    hdr[70:64] = la;

    ndw = (dwc == 0 && is_req) ? 1024 : int'(dwc);
    if (is_req && dwc == 0) ndw = 1024;
    pay = new[ndw];
    for (idx = 0; idx < ndw; idx++) pay[idx] = rnd32();
    nbeats = (ndw == 0) ? 1 : (ndw + 7) / 8;
    for (b = 0; b < nbeats; b++) begin
      t.hdr = (b == 0) ? hdr : 128'(rnd32());
      for (d = 0; d < 8; d++) t.data[32*d +: 32] = (b * 8 + d < ndw) ? pay[b * 8 + d] : rnd32();
      t.sop = (b == 0);
      t.eop = (b == nbeats - 1);
      drv_q.push_back(t);
    end
    if (is_req) begin
      n_reqs++;
      return;
    end

    desc = '0;
    desc[6:0] = la;
    desc[28:16] = bc;
    desc[29] = locked;
    desc[42:32] = dwc;
    desc[45:43] = status;
    desc[46] = ep;
    desc[63:48] = rid;
    desc[71:64] = tag;
    desc[87:72] = cid;
    desc[88] = 1'b0;
    desc[91:89] = tc;
    desc[94:92] = attr;

    total = 3 + ndw;
    nbeats = (total + 7) / 8;
    for (b = 0; b < nbeats; b++) begin
      bt = '0;
      for (d = 0; d < 8; d++) begin
        idx = b * 8 + d;
        if (idx < 3) bt.data[32*d +: 32] = desc[32*idx +: 32];
        else if (idx < total) bt.data[32*d +: 32] = pay[idx - 3];
      end
      n = (b == nbeats - 1) ? total - b * 8 : 8;
      bt.keep = 8'((9'd1 << n) - 9'd1);
      bt.last = (b == nbeats - 1);
      exp_q.push_back(bt);
    end
  endtask

  always @(posedge clk) begin
    if (rst) begin
      t_valid <= 1'b0;
    end else begin
      if (t_valid && t_ready) void'(drv_q.pop_front());
      if (!t_valid || t_ready)
        t_valid <= (drv_q.size() != 0) && ($urandom_range(0, 99) >= idle_prob);
    end
  end
  always_comb begin
    t_hdr = '0;
    t_data = '0;
    t_sop = 1'b0;
    t_eop = 1'b0;
    if (drv_q.size() != 0) begin
      t_hdr = drv_q[0].hdr;
      t_data = drv_q[0].data;
      t_sop = drv_q[0].sop;
      t_eop = drv_q[0].eop;
    end
  end

  always @(posedge clk) begin
    beat_t e;
    if (rst) begin
      cc_tready <= 1'b0;
    end else begin
      if (dropped) n_drop_seen++;
      if (cc_tvalid && cc_tready) begin
        if (exp_q.size() == 0) $fatal(1, "unexpected CC beat %h", cc_tdata);
        e = exp_q.pop_front();
        if (cc_tkeep !== e.keep || cc_tlast !== e.last)
          $fatal(1, "packet %0d: tkeep %b tlast %b, expected %b %b", n_pkts, cc_tkeep, cc_tlast, e.keep, e.last);
        for (int d = 0; d < 8; d++)
          if (e.keep[d] && cc_tdata[32*d +: 32] !== e.data[32*d +: 32])
            $fatal(1, "packet %0d: DW %0d is %h, expected %h", n_pkts, d, cc_tdata[32*d +: 32], e.data[32*d +: 32]);
        if (cc_tuser !== 33'd0) $fatal(1, "packet %0d: tuser %h", n_pkts, cc_tuser);
        n_beats++;
        if (cc_tlast) n_pkts++;
      end
      cc_tready <= ($urandom_range(0, 99) < 65);
    end
  end

  initial begin
    int cycles;
    for (int k = 0; k < N; k++) make_completion();
    repeat (4) @(posedge clk);
    rst <= 1'b0;
    cycles = 0;
    while ((drv_q.size() != 0 || exp_q.size() != 0) && cycles < 2000000) begin
      @(posedge clk);
      cycles++;
      if (drv_q.size() < N) idle_prob = 0;
    end
    repeat (10) @(posedge clk);
    if (exp_q.size() != 0) $fatal(1, "%0d expected CC beats never came", exp_q.size());
    if (n_drop_seen != n_reqs) $fatal(1, "%0d dropped, %0d requests sent", n_drop_seen, n_reqs);
    $display("xpcie_cc_tx: %0d TLPs (%0d requests dropped), %0d CC packets / %0d beats checked",
             N, n_reqs, n_pkts, n_beats);
    $finish;
  end
endmodule
