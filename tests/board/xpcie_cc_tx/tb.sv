`default_nettype none
// Bench for xpcie_cc_tx, two parts through one adapter.
//
// Part 1: the core sends random completions (Cpl, CplD, CplLk, CplDLk; every
// status; byte counts up to 4096, encoded 0; lengths up to 1024 DWs) and now
// and then a request, which must be dropped, with gaps.
//
// Part 2: BAR 2 read completions as the endpoint splits them: CplDs of every
// length 1..64 DWs (Max_Payload_Size 256 bytes) starting at every DW of a
// 32-byte line, then random reads of 1..4096 bytes at any byte address cut
// at 256-byte boundaries (byte count = bytes left, 4096 encoded 0; lower
// address = low 7 bits of the completion's first byte), sent back to back.
//
// The hard IP takes CC beats with back-pressure: ready 65% of cycles in part
// 1; in part 2 the mode changes every 1000 cycles (never low .. ready 1 cycle
// in 5, with or without gaps on the core's side). Checks every beat against
// the completion descriptor format (PG156): lower address, byte count, dword
// count, tag, requester ID, completer ID, status, poison, locked flag, TC,
// attributes field by field, payload from DW 3 of the first beat DW by DW,
// tkeep, tlast, an all-zero tuser, and that a beat the IP did not take stays
// unchanged. Ends with $finish (pass) or $fatal (fail).
module tb;
  import tb_pkg::*;
  localparam int N = 3000;

  typedef struct packed {
    logic [255:0] data;
    logic [7:0]   keep;
    logic         last;
  } beat_t;

  `TB_CLK_RST(clk, rst, 4)
  bp_gen rdy = new(32'h7a73_0001, 65, 0);   // CC tready (rdy_prob %), apart from the $urandom stimulus

  tlp_beat_t drv_q[$];
  beat_t     exp_q[$];
  logic [95:0] desc_q[$];   // expected descriptor of each CC packet
  int        n_reqs = 0, n_drop_seen = 0, n_beats = 0, n_pkts = 0, idle_prob = 30, rdy_prob = 65;
  int        n2_cpls = 0, n2_reads = 0, n2_dws = 0, n_stall = 0, n_b2b = 0, n2_len_seen[65];
  logic      part2 = 1'b0;

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

  // One TLP from the core and, for a completion, the CC packet expected.
  task automatic push_tlp(input logic [127:0] hdr, input logic is_req, input int ndw);
    logic [95:0] desc;
    logic [31:0] pay[];
    logic [10:0] dwc;
    logic [12:0] bc;
    int          total, nbeats, b, d, idx, n;
    tlp_beat_t   t;
    beat_t       bt;

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

    dwc = 11'(ndw);
    bc = (hdr[43:32] == 12'd0) ? 13'd4096 : {1'b0, hdr[43:32]};
    desc = '0;
    desc[6:0] = hdr[70:64];
    desc[28:16] = bc;
    desc[29] = hdr[28:24] == 5'b01011;
    desc[42:32] = dwc;
    desc[45:43] = hdr[47:45];
    desc[46] = hdr[14];
    desc[63:48] = hdr[95:80];
    desc[71:64] = hdr[79:72];
    desc[87:72] = hdr[63:48];
    desc[88] = 1'b0;
    desc[91:89] = hdr[22:20];
    desc[94:92] = {hdr[18], hdr[13:12]};
    desc_q.push_back(desc);

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

  function automatic logic [127:0] cc_cpl_hdr(input logic [4:0] typ, input logic [10:0] dwc,
                                           input logic [12:0] bc, input logic [6:0] la,
                                           input logic [2:0] status, input logic ep,
                                           input logic [15:0] rid, input logic [7:0] tag);
    logic [127:0] hdr;
    logic [2:0]   attr;
    attr = 3'(rnd32());
    hdr = '0;
    hdr[31:29] = {1'b0, dwc != 11'd0, 1'b0};
    hdr[28:24] = typ;
    hdr[22:20] = 3'(rnd32());                 // TC
    hdr[18] = attr[2];
    hdr[14] = ep;
    hdr[13:12] = attr[1:0];
    hdr[9:0] = dwc[9:0];
    hdr[63:48] = 16'(rnd32());                // completer ID
    hdr[47:45] = status;
    hdr[43:32] = bc[11:0];                    // 4096 is 0
    hdr[95:80] = rid;
    hdr[79:72] = tag;
    hdr[70:64] = la;
    cc_cpl_hdr = hdr;
  endfunction

  task automatic make_completion();
    logic [2:0]  status;
    logic [4:0]  typ;
    logic [10:0] dwc;
    logic [12:0] bc;
    logic        ep, locked, is_req;
    logic [127:0] hdr;
    int          r, ndw;

    r = $urandom_range(0, 99);
    is_req = r < 4;
    locked = !is_req && r < 7;
    r = $urandom_range(0, 99);
    if (r < 15) dwc = 11'd0;
    else if (r < 60) dwc = 11'($urandom_range(1, 8));
    else if (r < 95) dwc = 11'($urandom_range(9, 128));
    else dwc = 11'($urandom_range(129, 1024));
    typ = locked ? 5'b01011 : 5'b01010;
    bc = 13'($urandom_range((dwc == 0) ? 1 : int'(dwc) * 4 - 3, 4096));
    status = (dwc == 0) ? 3'($urandom_range(0, 4)) : 3'd0;
    ep = ($urandom_range(0, 99) < 3);
    hdr = cc_cpl_hdr(typ, dwc, bc, 7'(rnd32()), status, ep, 16'(rnd32()), 8'(rnd32()));
    if (is_req) begin
      hdr[31:24] = {3'b010, 5'b00000};        // a memory write: dropped
      if (dwc == 0) hdr[9:0] = 10'd0;
    end
    ndw = (dwc == 0 && is_req) ? 1024 : int'(dwc);
    push_tlp(hdr, is_req, ndw);
  endtask

  // One read of the BAR 2 window answered as the endpoint does: CplDs cut at
  // 256-byte address boundaries, each with the bytes still to come and the
  // low 7 bits of its first byte's address; the same tag and requester ID.
  task automatic read_completions(input logic [11:0] first, input int nbytes);
    logic [15:0] rid;
    logic [7:0]  tag;
    int          a, left, n, dws;
    rid = 16'(rnd32());
    tag = 8'(rnd32());
    a = int'(first);
    left = nbytes;
    while (left > 0) begin
      n = 256 - (a % 256);
      if (n > left) n = left;
      dws = (a + n - 1) / 4 - a / 4 + 1;
      push_tlp(cc_cpl_hdr(5'b01010, 11'(dws), 13'(left), 7'(a), 3'd0, 1'b0, rid, tag), 1'b0, dws);
      n2_len_seen[dws]++;
      n2_cpls++;
      n2_dws += dws;
      a += n;
      left -= n;
    end
    n2_reads++;
  endtask

  task automatic make_part2();
    int len, pos, nbytes;
    logic [11:0] first;
    // A completion of every length starting at every DW of a line: a read
    // that ends at (or before) the next 256-byte boundary gives exactly one.
    for (len = 1; len <= 64; len++)
      for (pos = 0; pos < 8; pos++) begin
        first = 12'(rnd32());
        first[4:2] = 3'(pos);
        if (int'(first[7:2]) + len > 64) first[7:5] = 3'd0;   // fits before the boundary
        nbytes = (len - 1) * 4 + $urandom_range(1, 4) - int'(first[1:0]);
        if (nbytes < 1) nbytes = 1;
        if ((int'(first) + nbytes - 1) / 4 - int'(first) / 4 + 1 != len)
          nbytes = len * 4 - int'(first[1:0]);
        read_completions(first, nbytes);
      end
    // Random reads up to 4 KiB (within a 4 KiB page), some whole pages
    for (int k = 0; k < 600; k++) begin
      pos = $urandom_range(0, 99);
      if (pos < 30) nbytes = $urandom_range(1, 256);
      else if (pos < 85) nbytes = $urandom_range(257, 4096);
      else nbytes = 4096;
      read_completions(12'($urandom_range(0, 4096 - nbytes)), nbytes);
    end
  endtask

  `TB_QUEUE_SOURCE(clk, rst, drv_q, t_valid, t_ready, idle_prob, {t_hdr, t_data, t_sop, t_eop})

  // Checker
  logic         p_hold;        // last cycle: a CC beat offered and not taken
  logic [255:0] p_tdata;
  logic [7:0]   p_tkeep;
  logic         p_tlast;
  logic         first_q;       // the next CC beat starts a packet
  logic         p_eop_taken;   // last cycle: the core's last beat of a TLP was taken

  always @(posedge clk) begin
    beat_t e;
    logic [95:0] x;
    if (rst) begin
      cc_tready <= 1'b0;
      p_hold <= 1'b0;
      first_q <= 1'b1;
      p_eop_taken <= 1'b0;
    end else begin
      if (dropped) n_drop_seen++;
      if (p_hold)
        check(cc_tvalid && cc_tdata === p_tdata && cc_tkeep === p_tkeep && cc_tlast === p_tlast,
              $sformatf("packet %0d: a CC beat changed or went away while it waited for tready", n_pkts));
      if (cc_tvalid && cc_tready) begin
        check(exp_q.size() != 0, $sformatf("unexpected CC beat %h", cc_tdata));
        if (exp_q.size() != 0) begin
          e = exp_q.pop_front();
          if (first_q) begin
            // The descriptor, field by field (PG156 completer completion descriptor)
            x = desc_q.pop_front();
            check(cc_tdata[6:0] === x[6:0],
                  $sformatf("packet %0d: lower address %h, expected %h", n_pkts, cc_tdata[6:0], x[6:0]));
            check(cc_tdata[28:16] === x[28:16],
                  $sformatf("packet %0d: byte count %0d, expected %0d", n_pkts, cc_tdata[28:16], x[28:16]));
            check(cc_tdata[29] === x[29],
                  $sformatf("packet %0d: locked read completion %b, expected %b", n_pkts, cc_tdata[29], x[29]));
            check(cc_tdata[42:32] === x[42:32],
                  $sformatf("packet %0d: dword count %0d, expected %0d", n_pkts, cc_tdata[42:32], x[42:32]));
            check(cc_tdata[46:43] === x[46:43],
                  $sformatf("packet %0d: poison/status %b, expected %b", n_pkts, cc_tdata[46:43], x[46:43]));
            check(cc_tdata[63:48] === x[63:48],
                  $sformatf("packet %0d: requester ID %h, expected %h", n_pkts, cc_tdata[63:48], x[63:48]));
            check(cc_tdata[71:64] === x[71:64],
                  $sformatf("packet %0d: tag %h, expected %h", n_pkts, cc_tdata[71:64], x[71:64]));
            check(cc_tdata[88:72] === x[88:72],
                  $sformatf("packet %0d: completer ID %h / enable %b, expected %h / %b", n_pkts,
                            cc_tdata[87:72], cc_tdata[88], x[87:72], x[88]));
            check(cc_tdata[94:89] === x[94:89],
                  $sformatf("packet %0d: attr/TC %b, expected %b", n_pkts, cc_tdata[94:89], x[94:89]));
            check(cc_tdata[95:0] === x,
                  $sformatf("packet %0d: descriptor %h, expected %h", n_pkts, cc_tdata[95:0], x));
          end
          check(cc_tkeep === e.keep && cc_tlast === e.last,
                $sformatf("packet %0d: tkeep %b tlast %b, expected %b %b", n_pkts, cc_tkeep, cc_tlast, e.keep, e.last));
          for (int d = 0; d < 8; d++)
            if (e.keep[d])
              check(cc_tdata[32*d +: 32] === e.data[32*d +: 32],
                    $sformatf("packet %0d: DW %0d is %h, expected %h", n_pkts, d, cc_tdata[32*d +: 32], e.data[32*d +: 32]));
          check(cc_tuser === 33'd0, $sformatf("packet %0d: tuser %h", n_pkts, cc_tuser));
        end
        n_beats++;
        if (cc_tlast) n_pkts++;
        first_q <= cc_tlast;
      end
      if (cc_tvalid && !cc_tready) n_stall++;
      if (part2 && t_valid && t_ready && t_sop && p_eop_taken) n_b2b++;
      p_eop_taken <= t_valid && t_ready && t_eop;
      p_hold <= cc_tvalid && !cc_tready;
      p_tdata <= cc_tdata;
      p_tkeep <= cc_tkeep;
      p_tlast <= cc_tlast;
      rdy.pct = rdy_prob;
      cc_tready <= rdy.next();
    end
  end

  // Part 2's back-pressure and gap modes: {core gap %, CC ready %}
  always @(posedge clk) begin : g_modes
    int cyc;
    if (rst) begin
      cyc = 0;
    end else if (part2) begin
      cyc++;
      if (cyc % 1000 == 1) begin
        case ($urandom_range(0, 5))
          0: begin idle_prob = 0;  rdy_prob = 100; end
          1: begin idle_prob = 0;  rdy_prob = 50;  end
          2: begin idle_prob = 0;  rdy_prob = 20;  end
          3: begin idle_prob = 30; rdy_prob = 70;  end
          4: begin idle_prob = 0;  rdy_prob = 90;  end
          default: begin idle_prob = 50; rdy_prob = 100; end
        endcase
      end
    end
  end

  initial begin
    int cycles, p1_pkts, p1_beats;
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
    check(exp_q.size() == 0, $sformatf("%0d expected CC beats never came", exp_q.size()));
    check(n_drop_seen == n_reqs, $sformatf("%0d dropped, %0d requests sent", n_drop_seen, n_reqs));
    p1_pkts = n_pkts;
    p1_beats = n_beats;

    make_part2();
    part2 = 1'b1;
    cycles = 0;
    while ((drv_q.size() != 0 || exp_q.size() != 0) && cycles < 2000000) begin
      @(posedge clk);
      cycles++;
    end
    repeat (10) @(posedge clk);
    check(exp_q.size() == 0 && desc_q.size() == 0,
          $sformatf("part 2: %0d expected CC beats never came", exp_q.size()));
    for (int len = 1; len <= 64; len++)
      check(n2_len_seen[len] >= 8, $sformatf("part 2: only %0d completions of %0d DWs", n2_len_seen[len], len));
    check(n_stall != 0 && n_b2b != 0,
          $sformatf("part 2: no back-pressure (%0d) or no back to back (%0d)", n_stall, n_b2b));
    $display("xpcie_cc_tx: part 1: %0d TLPs (%0d requests dropped), %0d CC packets / %0d beats checked",
             N, n_reqs, p1_pkts, p1_beats);
    $display("xpcie_cc_tx: part 2: %0d reads, %0d CplDs (1..64 DWs, %0d back to back), %0d CC packets / %0d beats / %0d payload DWs checked, %0d stalled cycles",
             n2_reads, n2_cpls, n_b2b, n_pkts - p1_pkts, n_beats - p1_beats, n2_dws, n_stall);
    tb_done("xpcie_cc_tx");
  end
endmodule
