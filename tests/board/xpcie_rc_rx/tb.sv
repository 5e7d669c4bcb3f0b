`default_nettype none
// Bench for xpcie_rc_rx behind brd_tlp_cdc: random completions arrive on RC
// the way the hard IP presents them (3-DW descriptor, payload from DW 3 of
// the first beat, tkeep per DW, is_sof_0 in tuser, discontinue on the last
// beat, gaps in tvalid, the IP's error codes), the core takes TLPs at another
// clock with back-pressure. Checks every header field (EP for the IP's
// error codes) and payload DW, that discontinued completions and beats that
// claim a second, straddled TLP are flagged and never reach the core.
module tb;
  import tb_pkg::*;
  localparam int N = 3000;                    // completions

  typedef struct packed {
    logic [255:0] data;
    logic [74:0]  user;
    logic [7:0]   keep;
    logic         last;
  } beat_t;
  typedef struct packed {
    logic [127:0] hdr;
    logic [255:0] data;
    logic [7:0]   mask;
    logic         sop;
    logic         eop;
  } exp_beat_t;

  `TB_CLK_RST(clk, rst, 4)
  `TB_CLK_RST(cclk, crst, 5)
  bp_gen rdy = new(32'h7a72_0001, 70, 0);   // the core's ready, apart from the $urandom stimulus

  beat_t     drv_q[$];
  exp_beat_t exp_q[$];
  int        n_bad = 0, n_err_seen = 0, n_beats = 0, n_tlps = 0, idle_prob = 25;

  logic [255:0] rc_tdata;
  logic [74:0]  rc_tuser;
  logic [7:0]   rc_tkeep;
  logic         rc_tlast, rc_tvalid, rc_tready;
  logic [127:0] a_hdr, c_hdr;
  logic [255:0] a_data, c_data;
  logic         a_sop, a_eop, a_err, a_valid, a_ready;
  logic         c_sop, c_eop, c_valid, c_ready, dropped;

  xpcie_rc_rx dut (
    .clk              (clk),
    .rst              (rst),
    .s_axis_rc_tdata  (rc_tdata),
    .s_axis_rc_tuser  (rc_tuser),
    .s_axis_rc_tkeep  (rc_tkeep),
    .s_axis_rc_tlast  (rc_tlast),
    .s_axis_rc_tvalid (rc_tvalid),
    .s_axis_rc_tready (rc_tready),
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

  function automatic logic [31:0] rnd32();
    return $urandom;
  endfunction

  task automatic make_completion();
    logic [10:0] dwc;
    logic [12:0] bc;
    logic [11:0] la;
    logic [3:0]  ecode;
    logic [2:0]  status, tc, attr;
    logic        poison, locked, bad, straddle, ep;
    logic [15:0] rid, cid;
    logic [7:0]  tag;
    logic [95:0] desc;
    logic [127:0] hdr;
    logic [31:0] pay[];
    int          r, total, nbeats, b, d, idx, n, obeats;
    beat_t       bt;
    exp_beat_t   e;

    r = $urandom_range(0, 99);
    if (r < 10) dwc = 11'd0;                           // no data (UR, CA, a write's completion)
    else if (r < 60) dwc = 11'($urandom_range(1, 16));
    else if (r < 97) dwc = 11'($urandom_range(17, 128)); // up to 512 bytes (RCB split)
    else dwc = 11'($urandom_range(129, 240));
    bc = 13'($urandom_range(int'(dwc) * 4, 4096));
    la = 12'(rnd32());
    r = $urandom_range(0, 99);
    ecode = (r < 85) ? 4'd0 : (r < 92) ? 4'd2 : 4'($urandom_range(1, 15));
    status = (dwc == 0 && $urandom_range(0, 1) == 0) ? 3'($urandom_range(1, 4)) : 3'd0;
    poison = ($urandom_range(0, 99) < 3);
    locked = ($urandom_range(0, 99) < 3);
    rid = 16'(rnd32());
    cid = 16'(rnd32());
    tag = 8'(rnd32());
    tc = 3'(rnd32());
    attr = 3'(rnd32());

    desc = '0;
    desc[11:0] = la;
    desc[15:12] = ecode;
    desc[28:16] = bc;
    desc[29] = locked;
    desc[30] = $urandom_range(0, 1) == 0;   // request completed
    desc[42:32] = dwc;
    desc[45:43] = status;
    desc[46] = poison;
    desc[63:48] = rid;
    desc[71:64] = tag;
    desc[87:72] = cid;
    desc[91:89] = tc;
    desc[94:92] = attr;

    ep = poison || (ecode != 4'd0 && ecode != 4'd2);
    hdr = '0;
    hdr[31:29] = {1'b0, dwc != 0, 1'b0};
    hdr[28:24] = locked ? 5'b01011 : 5'b01010;
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
    hdr[70:64] = la[6:0];

    pay = new[int'(dwc)];
    for (idx = 0; idx < int'(dwc); idx++) pay[idx] = rnd32();
    r = $urandom_range(0, 99);
    bad = r < 6;                     // discontinued, or ...
    straddle = bad && r < 2;         // ... a beat claims a second TLP
    if (bad) n_bad++;

    total = 3 + int'(dwc);
    nbeats = (total + 7) / 8;
    for (b = 0; b < nbeats; b++) begin
      bt = '0;
      for (d = 0; d < 8; d++) begin
        idx = b * 8 + d;
        if (idx < 3) bt.data[32*d +: 32] = desc[32*idx +: 32];
        else if (idx < total) bt.data[32*d +: 32] = pay[idx - 3];
        else bt.data[32*d +: 32] = rnd32();
      end
      n = (b == nbeats - 1) ? total - b * 8 : 8;
      bt.keep = 8'((9'd1 << n) - 9'd1);
      bt.last = (b == nbeats - 1);
      bt.user = '0;
      bt.user[31:0] = rnd32();        // byte enables: not needed
      bt.user[32] = (b == 0);         // is_sof_0
      bt.user[37:34] = bt.last ? {1'b1, 3'(n - 1)} : 4'd0;   // is_eof_0
      bt.user[33] = straddle && bt.last;
      bt.user[42] = bad && !straddle && bt.last;
      drv_q.push_back(bt);
    end

    if (!bad) begin
      obeats = (dwc == 0) ? 1 : (int'(dwc) + 7) / 8;
      for (b = 0; b < obeats; b++) begin
        e = '0;
        e.hdr = hdr;
        e.sop = (b == 0);
        e.eop = (b == obeats - 1);
        n = (int'(dwc) - b * 8 > 8) ? 8 : int'(dwc) - b * 8;
        for (d = 0; d < 8; d++) begin
          if (d < n) begin
            e.data[32*d +: 32] = pay[b * 8 + d];
            e.mask[d] = 1'b1;
          end
        end
        exp_q.push_back(e);
      end
    end
  endtask

  `TB_QUEUE_SOURCE(clk, rst, drv_q, rc_tvalid, rc_tready, idle_prob, {rc_tdata, rc_tuser, rc_tkeep, rc_tlast})

  always @(posedge clk) begin
    if (!rst && a_valid && a_ready && a_eop && a_err) n_err_seen++;
  end

  always @(posedge cclk) begin
    exp_beat_t e;
    if (crst) begin
      c_ready <= 1'b0;
    end else begin
      if (c_valid && c_ready) begin
        check(exp_q.size() != 0, $sformatf("unexpected beat: hdr %h", c_hdr));
        if (exp_q.size() != 0) begin
          e = exp_q.pop_front();
          check(c_sop === e.sop && c_eop === e.eop,
                $sformatf("tlp %0d: sop/eop %b%b, expected %b%b", n_tlps, c_sop, c_eop, e.sop, e.eop));
          if (c_sop) check_eq(c_hdr, e.hdr, $sformatf("tlp %0d: header", n_tlps));
          for (int d = 0; d < 8; d++)
            if (e.mask[d])
              check(c_data[32*d +: 32] === e.data[32*d +: 32],
                    $sformatf("tlp %0d: DW %0d is %h, expected %h", n_tlps, d, c_data[32*d +: 32], e.data[32*d +: 32]));
        end
        n_beats++;
        if (c_eop) n_tlps++;
      end
      c_ready <= rdy.next();
    end
  end

  initial begin
    int cycles;
    for (int k = 0; k < N; k++) make_completion();
    repeat (4) @(posedge clk);
    rst <= 1'b0;
    crst <= 1'b0;
    cycles = 0;
    while ((drv_q.size() != 0 || exp_q.size() != 0) && cycles < 2000000) begin
      @(posedge clk);
      cycles++;
      if (drv_q.size() < N) idle_prob = 0;   // the second half back to back
    end
    repeat (50) @(posedge cclk);
    check(exp_q.size() == 0, $sformatf("%0d expected beats never came", exp_q.size()));
    check(n_err_seen == n_bad, $sformatf("%0d completions flagged, %0d bad", n_err_seen, n_bad));
    $display("xpcie_rc_rx: %0d completions (%0d discontinued or straddled, dropped), %0d TLPs / %0d beats checked",
             N, n_bad, n_tlps, n_beats);
    tb_done("xpcie_rc_rx");
  end
endmodule
