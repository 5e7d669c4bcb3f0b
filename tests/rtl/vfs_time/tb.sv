`default_nettype none
// Bench for vfs_time (rtl/virtio): the card's clock with both register ports,
// TICK_NS = 7 so that the nanoseconds wrap at odd values. A reference model
// (the clock, each side's staged seconds and snapshot, the counters) steps
// with every clock edge. Directed checks: counting from 0 after reset, a
// host time taken (HOST_SET), the nanosecond carry, a time equal to the
// clock taken, an earlier one refused and counted, each kind of malformed
// write ignored and counted (partial byte enables, NSEC >= 10^9, NSEC
// without both seconds halves, read-only and unknown offsets), the
// firmware's time (CARD_SET), both sides committing in the same cycle (the
// host's wins), snapshots per side, staged seconds per side. Then 3000
// random accesses from both sides at once compared with the model.
module tb;
  import tb_pkg::check, tb_pkg::check_eq, tb_pkg::tb_done, tb_pkg::tb_rng;
  localparam int TICK_NS = 7;
  localparam logic [63:0] NS = 64'd1_000_000_000;
  localparam logic [12:0] R_SEC_LO = 13'h000, R_SEC_HI = 13'h004, R_NSEC = 13'h008,
                          R_STATUS = 13'h00c, R_SETS = 13'h010, R_REFUSED = 13'h014,
                          R_MALFORMED = 13'h018, R_TICK = 13'h01c;

  logic clk = 1'b0, rst = 1'b1;
  always #5 clk = ~clk;

  logic        h_req = 1'b0, h_we = 1'b0, f_req = 1'b0, f_we = 1'b0;
  logic [12:0] h_addr = '0;
  logic [11:0] f_addr = '0;
  logic [3:0]  h_be = 4'hf, f_be = 4'hf;
  logic [31:0] h_wdata = '0, f_wdata = '0, h_rdata, f_rdata;

  vfs_time #(.TICK_NS(TICK_NS)) dut (
    .clk, .rst, .h_req, .h_we, .h_addr, .h_be, .h_wdata, .h_rdata,
    .f_req, .f_we, .f_addr, .f_be, .f_wdata, .f_rdata);

  // ------------------------------------------------------------ model
  logic [63:0] m_sec = 0, m_ns = 0;
  logic [63:0] m_stage [2];
  logic [1:0]  m_have [2];
  logic [31:0] m_snap_hi [2];
  logic [63:0] m_snap_ns [2];
  logic        m_host_set = 0, m_card_set = 0;
  logic [31:0] m_sets = 0, m_refused = 0, m_malformed = 0;

  // One side's write: 0 nothing, 1 malformed, 2 commit (time in c_sec/c_ns).
  function automatic int side_write(input int s, input logic we, input logic [12:0] a,
                                    input logic [3:0] be, input logic [31:0] d,
                                    output logic [63:0] c_sec, output logic [63:0] c_ns);
    c_sec = m_stage[s];
    c_ns = 64'(d);
    if (!we) return 0;
    if (be != 4'hf) return 1;
    if (a == R_SEC_LO) begin m_stage[s][31:0] = d; m_have[s][0] = 1; return 0; end
    if (a == R_SEC_HI) begin m_stage[s][63:32] = d; m_have[s][1] = 1; return 0; end
    if (a == R_NSEC) begin
      logic [1:0] had;
      had = m_have[s];
      m_have[s] = 2'b00;
      if (64'(d) >= NS || had != 2'b11) return 1;
      return 2;
    end
    return 1;
  endfunction

  function automatic logic [31:0] model_read(input int s, input logic [12:0] a);
    unique case (a)
      R_SEC_LO: return m_sec[31:0];
      R_SEC_HI: return m_snap_hi[s];
      R_NSEC: return m_snap_ns[s][31:0];
      R_STATUS: return {30'd0, m_card_set, m_host_set};
      R_SETS: return m_sets;
      R_REFUSED: return m_refused;
      R_MALFORMED: return m_malformed;
      R_TICK: return 32'(TICK_NS);
      default: return 32'd0;
    endcase
  endfunction

  // Checked in the cycle of each read; the model steps at the edge.
  always @(posedge clk) begin
    if (rst) begin
      m_sec <= 0; m_ns <= 0;
    end else begin
      logic [63:0] hs, hn, fs, fn, nsec, nns;
      int hw, fw;
      bit h_ok, f_ok;
      if (h_req && !h_we)
        check_eq(h_rdata, model_read(0, h_addr), $sformatf("host read 0x%03h", h_addr));
      if (f_req && !f_we)
        check_eq(f_rdata, model_read(1, {1'b0, f_addr}), $sformatf("firmware read 0x%03h", f_addr));
      hw = side_write(0, h_req && h_we, h_addr, h_be, h_wdata, hs, hn);
      fw = side_write(1, f_req && f_we, {1'b0, f_addr}, f_be, f_wdata, fs, fn);
      nns = m_ns + TICK_NS;
      nsec = m_sec;
      if (nns >= NS) begin nns -= NS; nsec++; end
      h_ok = hw == 2 && {hs, hn[29:0]} >= {m_sec, m_ns[29:0]};
      f_ok = fw == 2 && !h_ok && {fs, fn[29:0]} >= {m_sec, m_ns[29:0]};
      if (h_ok) begin nsec = hs; nns = hn; m_host_set <= 1; end
      else if (f_ok) begin nsec = fs; nns = fn; m_card_set <= 1; end
      m_sets <= m_sets + 32'(h_ok) + 32'(f_ok);
      m_refused <= m_refused + 32'(hw == 2 && !h_ok) + 32'(fw == 2 && !f_ok);
      m_malformed <= m_malformed + 32'(hw == 1) + 32'(fw == 1);
      if (h_req && !h_we && h_addr == R_SEC_LO) begin m_snap_hi[0] <= m_sec[63:32]; m_snap_ns[0] <= m_ns; end
      if (f_req && !f_we && f_addr == 12'(R_SEC_LO)) begin m_snap_hi[1] <= m_sec[63:32]; m_snap_ns[1] <= m_ns; end
      m_sec <= nsec;
      m_ns <= nns;
    end
  end

  // ------------------------------------------------------------ accesses
  // Each access is one cycle of req; inputs change after the edge.
  task automatic idle(input int n);
    repeat (n) @(posedge clk);
  endtask

  task automatic hwr(input logic [12:0] a, input logic [31:0] d, input logic [3:0] be = 4'hf);
    h_req <= 1; h_we <= 1; h_addr <= a; h_wdata <= d; h_be <= be;
    @(posedge clk);
    h_req <= 0; h_we <= 0;
  endtask

  task automatic fwr(input logic [11:0] a, input logic [31:0] d, input logic [3:0] be = 4'hf);
    f_req <= 1; f_we <= 1; f_addr <= a; f_wdata <= d; f_be <= be;
    @(posedge clk);
    f_req <= 0; f_we <= 0;
  endtask

  task automatic hrd(input logic [12:0] a, output logic [31:0] d);
    h_req <= 1; h_we <= 0; h_addr <= a;
    @(negedge clk);
    d = h_rdata;
    @(posedge clk);
    h_req <= 0;
  endtask

  task automatic frd(input logic [11:0] a, output logic [31:0] d);
    f_req <= 1; f_we <= 0; f_addr <= a;
    @(negedge clk);
    d = f_rdata;
    @(posedge clk);
    f_req <= 0;
  endtask

  task automatic hset(input logic [63:0] s, input logic [31:0] ns);
    hwr(R_SEC_LO, s[31:0]);
    hwr(R_SEC_HI, s[63:32]);
    hwr(R_NSEC, ns);
  endtask

  task automatic fset(input logic [63:0] s, input logic [31:0] ns);
    fwr(12'(R_SEC_LO), s[31:0]);
    fwr(12'(R_SEC_HI), s[63:32]);
    fwr(12'(R_NSEC), ns);
  endtask

  // The host's view of the clock: (seconds, nanoseconds) of one instant.
  task automatic hclock(output logic [63:0] s, output logic [31:0] ns);
    logic [31:0] lo, hi;
    hrd(R_SEC_LO, lo);
    hrd(R_SEC_HI, hi);
    hrd(R_NSEC, ns);
    s = {hi, lo};
  endtask

  task automatic hreg(input logic [12:0] a, output logic [31:0] d);
    hrd(a, d);
  endtask

  logic [63:0] s;
  logic [31:0] ns, v, prev, mal0;
  tb_rng rng = new(32'h71e0_0001);

  initial begin
    m_stage[0] = 0; m_stage[1] = 0; m_have[0] = 0; m_have[1] = 0;
    m_snap_hi[0] = 0; m_snap_hi[1] = 0; m_snap_ns[0] = 0; m_snap_ns[1] = 0;
    idle(3);
    rst <= 0;
    idle(100);
    // counts from 0, never set
    hclock(s, ns);
    check(s == 0 && ns > 0 && ns < 1000, $sformatf("counts from 0 after reset: %0d.%09d", s, ns));
    hreg(R_STATUS, v);
    check(v == 0, "STATUS after reset: nobody set the clock");
    hreg(R_TICK, v);
    check(v == TICK_NS, "TICK_NS");

    // the host sets a time; the carry into the seconds
    hset(64'd1_800_000_000, 32'd999_999_990);
    hreg(R_STATUS, v);
    check(v[0] && !v[1], "HOST_SET after the host's time");
    idle(3);
    hclock(s, ns);
    check(s == 64'd1_800_000_001 && ns < 100, $sformatf("carry into the seconds: %0d.%09d", s, ns));
    hreg(R_SETS, v);
    check(v == 1, "SETS counts the host's time");

    // the same instant again (equal is not earlier) and one earlier
    hclock(s, ns);
    hreg(R_REFUSED, prev);
    hset(64'd1_800_000_000, 0);
    hreg(R_REFUSED, v);
    check(v == prev + 1, "an earlier time is refused and counted");
    hclock(s, ns);
    check(s == 64'd1_800_000_001, "the clock did not go back");
    hset(64'd1 << 40, 32'd5);
    hclock(s, ns);
    check(s == (64'd1 << 40), "a time past 2^32 seconds is taken (SEC_HI)");

    // malformed writes change nothing but MALFORMED
    hreg(R_MALFORMED, mal0);
    hwr(R_SEC_LO, 32'd1, 4'b0011);            // partial byte enables
    hwr(R_SEC_LO, 32'd7);
    hwr(R_SEC_HI, 32'd1 << 9);
    hwr(R_NSEC, 32'd1_000_000_000);           // nanoseconds out of range
    hwr(R_SEC_LO, 32'd7);
    hwr(R_NSEC, 32'd0);                       // without SEC_HI since the last NSEC
    hwr(R_STATUS, 32'hffff_ffff);             // read-only
    hwr(R_TICK, 32'd1);
    hwr(13'h100, 32'd1);                      // past the block, inside the window
    hwr(13'h1ffc, 32'd1);
    hreg(R_MALFORMED, v);
    check(v == mal0 + 7, $sformatf("7 malformed writes counted (%0d)", v - mal0));
    hclock(s, ns);
    check(s == (64'd1 << 40), "malformed writes did not move the clock");
    hreg(R_TICK, v);
    check(v == TICK_NS, "TICK_NS is read-only");

    // the firmware's time (its floor): later is taken, earlier refused
    fset((64'd1 << 40) + 64'd100, 32'd0);
    hreg(R_STATUS, v);
    check(v == 32'd3, "CARD_SET after the firmware's time");
    hclock(s, ns);
    check(s == (64'd1 << 40) + 64'd100, "the firmware's time taken");
    hreg(R_REFUSED, prev);
    fset(64'd5, 32'd0);
    hreg(R_REFUSED, v);
    check(v == prev + 1, "the firmware cannot set the clock back either");

    // both commit in the same cycle: the host's time wins, the firmware's is refused
    hwr(R_SEC_LO, 32'd200); fwr(12'(R_SEC_LO), 32'd300);
    hwr(R_SEC_HI, 32'd256); fwr(12'(R_SEC_HI), 32'd256);
    hreg(R_REFUSED, prev);
    h_req <= 1; h_we <= 1; h_addr <= R_NSEC; h_wdata <= 32'd1; h_be <= 4'hf;
    f_req <= 1; f_we <= 1; f_addr <= 12'(R_NSEC); f_wdata <= 32'd2; f_be <= 4'hf;
    @(posedge clk);
    h_req <= 0; h_we <= 0; f_req <= 0; f_we <= 0;
    hclock(s, ns);
    check(s == {32'd256, 32'd200}, "same cycle: the host's time");
    hreg(R_REFUSED, v);
    check(v == prev + 1, "same cycle: the firmware's time counted as refused");

    // snapshots are per side and hold an instant
    begin
      logic [31:0] lo, fhi, fns, hns;
      hrd(R_SEC_LO, lo);
      idle(500);
      frd(12'(R_SEC_LO), v);
      frd(12'(R_NSEC), fns);
      hrd(R_NSEC, hns);
      check(fns != hns, "the firmware's snapshot is its own");
      frd(12'(R_SEC_HI), fhi);
      check(fhi == 32'd256, "firmware SEC_HI");
    end

    // staged seconds are per side: halves from both do not mix
    hwr(R_SEC_LO, 32'd1);
    fwr(12'(R_SEC_HI), 32'd512);
    hreg(R_MALFORMED, prev);
    hwr(R_NSEC, 32'd0);
    hreg(R_MALFORMED, v);
    check(v == prev + 1, "the host's NSEC after only its SEC_LO is malformed");

    // random accesses from both sides, checked against the model
    for (int i = 0; i < 3000; i++) begin
      logic [12:0] ha;
      logic [11:0] fa;
      ha = 13'(rng.range(0, 9) * 4);
      if (rng.chance(3)) ha = 13'(rng.range(0, 2047) * 4);
      fa = 12'(rng.range(0, 9) * 4);
      h_req <= rng.chance(60); h_we <= rng.chance(50); h_addr <= ha;
      h_be <= rng.chance(95) ? 4'hf : 4'(rng.next());
      h_wdata <= (ha == R_NSEC && rng.chance(90)) ? rng.next() % 32'd1_000_000_000 :
                 (ha == R_SEC_HI) ? rng.next() % 4 + 256 : rng.next();
      f_req <= rng.chance(40); f_we <= rng.chance(50); f_addr <= fa;
      f_be <= rng.chance(95) ? 4'hf : 4'(rng.next());
      f_wdata <= (fa == 12'(R_NSEC)) ? rng.next() % 32'd1_000_000_000 :
                 (fa == 12'(R_SEC_HI)) ? rng.next() % 4 + 256 : rng.next();
      @(posedge clk);
    end
    h_req <= 0; f_req <= 0;
    idle(2);
    hreg(R_SETS, v);
    check(v == m_sets && v > 3, $sformatf("random: %0d times taken", v));
    hreg(R_REFUSED, v);
    check(v > 10, $sformatf("random: %0d refused", v));
    tb_done("vfs_time");
  end
endmodule
