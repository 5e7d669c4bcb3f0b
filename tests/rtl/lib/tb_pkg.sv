`default_nettype none
// tb_pkg: what the Verilator benches share, the RTL unit benches
// (tests/rtl/<module>/tb.sv) and the board adapter benches
// (tests/board/<module>/tb.sv); tests/rtl/run.sh builds each bench on it.
//
// - tlp_beat_t: one beat of the card's generic TLP stream
//   (docs/pcie-function.md: 128-bit header, 256-bit data, sop/eop).
// - Header builders for requests, configuration requests and completions
//   (completions through pcie_pkg::cpl_header) and field getters.
// - tb_rng: a seeded xorshift generator, independent of $urandom, so that a
//   bench's stimulus and its back-pressure do not disturb each other.
// - tlp_t, tlp_source, tlp_sink: whole TLPs as header + DW list, a beat
//   driver with random idle cycles and a collecting sink with random ready.
// - check / check_eq / tb_done: pass/fail counting; tb_done prints
//   "<bench>: N passed, N failed" and ends with $finish or $fatal.
// - Macros for the bench module (defined before the package, so the bench
//   file that follows on the command line sees them): `TB_CLK_RST (clock
//   and reset), `TB_TLP_SOURCE / `TB_TLP_SINK (one clock of a tlp_source or
//   tlp_sink on a <prefix>_hdr/data/sop/eop/valid/ready stream) and
//   `TB_QUEUE_SOURCE (a stream driven from a queue of beats, with gaps).
//
// Kept to what Verilator 5.006 --binary takes: classes, queues, dynamic
// arrays; the drivers are stepped from the bench's own always @(posedge
// clk) blocks.
// Note: in Verilator 5.006 a class member wider than 64 bits reads as zeros
// inside a function (and a class method cannot return one): tlp_t keeps its
// header in two halves, read with tlp_hdr(t). Queues declared in an
// automatic task or function keep their contents from the call before:
// delete() them first. Class handles declared with an initialiser in a
// task are set once: assign them in a statement. Verilator may split an
// always block and lose the order between a method call and a later read
// of the object's members: take results through output arguments.

// clk (period 2 * half) and an active-high rst that starts asserted; the
// bench releases rst.
`define TB_CLK_RST(clk, rst, half) \
  logic clk = 1'b0, rst = 1'b1; \
  always #(half) clk = ~clk;

// In an always @(posedge clk) block: one clock of tlp_source src driving the
// stream p (p_valid, p_hdr, p_data, p_sop, p_eop; p_ready from the DUT).
`define TB_TLP_SOURCE(src, p) \
  begin \
    bit v_, so_, eo_; \
    logic [127:0] h_; \
    logic [tb_pkg::DATA_W-1:0] d_; \
    src.step(p``_ready, v_, h_, d_, so_, eo_); \
    p``_valid <= v_; \
    p``_hdr <= h_; \
    p``_data <= d_; \
    p``_sop <= so_; \
    p``_eop <= eo_; \
  end

// In an always @(posedge clk) block: tlp_sink snk takes the beat stream p
// moved in this cycle and sets p_ready for the next.
`define TB_TLP_SINK(snk, p) \
  begin \
    if (p``_valid && p``_ready) begin \
      tb_pkg::tlp_beat_t b_; \
      b_.hdr = p``_hdr; \
      b_.data = p``_data; \
      b_.sop = p``_sop; \
      b_.eop = p``_eop; \
      snk.take(b_); \
    end \
    p``_ready <= snk.ready(); \
  end

// A stream driven from the queue q of packed beats: the head of the queue is
// on beat (a concatenation of the stream's fields, in the beat type's order)
// and stays there while valid waits for ready; between beats valid is low
// with probability gap % (an int the bench may change).
`define TB_QUEUE_SOURCE(clk, rst, q, valid, ready, gap, beat) \
  always @(posedge clk) begin \
    if (rst) begin \
      valid <= 1'b0; \
    end else begin \
      if (valid && ready) void'(q.pop_front()); \
      if (!valid || ready) \
        valid <= (q.size() != 0) && ($urandom_range(0, 99) >= (gap)); \
    end \
  end \
  always_comb beat = (q.size() != 0) ? q[0] : '0;

// Host memory as a sparse byte array hm (unwritten bytes read 0), with
// mb (one byte), wr_n and rd_n (n <= 8 bytes, little-endian).
`define TB_HOST_MEM \
  logic [7:0] hm [logic [63:0]]; \
  function automatic logic [7:0] mb(input logic [63:0] a); \
    return hm.exists(a) ? hm[a] : 8'h00; \
  endfunction \
  function automatic void wr_n(input logic [63:0] a, input logic [63:0] v, input int n); \
    for (int i = 0; i < n; i++) hm[a + 64'(i)] = v[8 * i +: 8]; \
  endfunction \
  function automatic logic [63:0] rd_n(input logic [63:0] a, input int n); \
    logic [63:0] v; \
    v = '0; \
    for (int i = 0; i < n; i++) v[8 * i +: 8] = mb(a + 64'(i)); \
    return v; \
  endfunction

package tb_pkg;
  localparam int DATA_W = 256;
  localparam int DWS = DATA_W / 32;        // DWs per beat

  typedef struct packed {
    logic [127:0]      hdr;
    logic [DATA_W-1:0] data;
    logic              sop;
    logic              eop;
  } tlp_beat_t;

  // ------------------------------------------------------------ checks
  int unsigned n_pass = 0;
  int unsigned n_fail = 0;
  int unsigned max_report = 20;            // failures printed in full

  function automatic void check(input bit ok, input string what);
    if (ok) n_pass++;
    else begin
      n_fail++;
      if (n_fail <= max_report) $display("CHECK FAILED: %s", what);
    end
  endfunction

  function automatic void check_eq(input logic [127:0] got, input logic [127:0] exp, input string what);
    check(got === exp, $sformatf("%s: got %0h, expected %0h", what, got, exp));
  endfunction

  // Ends the bench: $finish when every check passed (and there was one).
  task automatic tb_done(input string bench);
    $display("%s: %0d passed, %0d failed", bench, n_pass, n_fail);
    if (n_fail != 0 || n_pass == 0) $fatal(1, "%s: FAILED", bench);
    $finish;
  endtask

  // ------------------------------------------------------------ random
  class tb_rng;
    bit [31:0] s;
    function new(input int unsigned seed);
      s = (seed == 0) ? 32'h1234_5678 : seed;
    endfunction
    function bit [31:0] next();
      s ^= s << 13;
      s ^= s >> 17;
      s ^= s << 5;
      return s;
    endfunction
    // uniform in [lo, hi]
    function int unsigned range(input int unsigned lo, input int unsigned hi);
      return lo + (next() % (hi - lo + 1));
    endfunction
    function bit chance(input int unsigned pct);
      return (next() % 100) < pct;
    endfunction
    function bit [63:0] next64();
      bit [63:0] v;
      v[63:32] = next();
      v[31:0] = next();
      return v;
    endfunction
  endclass

  // Random back-pressure: ready (or valid) with probability pct, in runs:
  // with probability burst_pct the previous answer is kept.
  class bp_gen;
    tb_rng r;
    int unsigned pct, burst_pct;
    bit last;
    function new(input int unsigned seed, input int unsigned pct_ = 70, input int unsigned burst_pct_ = 30);
      r = new(seed);
      pct = pct_;
      burst_pct = burst_pct_;
      last = 1'b1;
    endfunction
    function bit next();
      if (!r.chance(burst_pct)) last = r.chance(pct);
      return last;
    endfunction
  endclass

  // ------------------------------------------------------------ headers
  localparam logic [4:0] TYPE_IO = 5'b00010;
  localparam logic [4:0] TYPE_MRDLK = 5'b00001;

  // A memory request: 4-DW header when the address needs it.
  function automatic logic [127:0] mem_hdr(input bit write, input logic [63:0] addr, input int ndw,
                                           input logic [3:0] fbe, input logic [3:0] lbe,
                                           input logic [15:0] rid, input logic [7:0] tag);
    logic [127:0] h;
    bit wide;
    wide = addr[63:32] != 32'd0;
    h = '0;
    h[31:29] = {1'b0, write, wide};
    h[28:24] = pcie_pkg::TYPE_MEM;
    h[9:0] = 10'(ndw);                     // 1024 encodes as 0
    h[63:32] = {rid, tag, lbe, fbe};
    if (wide) begin
      h[95:64] = addr[63:32];
      h[127:96] = {addr[31:2], 2'b00};
    end else begin
      h[95:64] = {addr[31:2], 2'b00};
    end
    return h;
  endfunction

  // Byte enables of an access of len bytes at addr (len >= 1).
  function automatic void byte_enables(input logic [63:0] addr, input int len, output int ndw,
                                       output logic [3:0] fbe, output logic [3:0] lbe);
    logic [63:0] last;
    last = addr + 64'(len) - 64'd1;
    ndw = int'(last[63:2] - addr[63:2]) + 1;
    fbe = 4'b1111 << addr[1:0];
    lbe = 4'b1111 >> (2'd3 - last[1:0]);
    if (ndw == 1) begin
      fbe = fbe & lbe;
      lbe = 4'b0000;
    end
  endfunction

  // A configuration type 0 request to register dw (DW index) of bdf.
  function automatic logic [127:0] cfg_hdr(input bit write, input int dw, input logic [3:0] be,
                                           input logic [15:0] rid, input logic [7:0] tag,
                                           input logic [15:0] bdf);
    logic [127:0] h;
    h = '0;
    h[31:29] = write ? pcie_pkg::FMT_3DW_DATA : pcie_pkg::FMT_3DW_NODATA;
    h[28:24] = pcie_pkg::TYPE_CFG0;
    h[9:0] = 10'd1;
    h[63:32] = {rid, tag, 4'b0000, be};
    h[95:64] = {bdf, 4'd0, 10'(dw), 2'b00};
    return h;
  endfunction

  // A completion (tc, attr 0).
  function automatic logic [127:0] cpl_hdr(input logic [2:0] status, input bit with_data,
                                           input int ndw, input int bytes, input logic [6:0] la,
                                           input logic [15:0] cid, input logic [15:0] reqid,
                                           input logic [7:0] tag);
    return pcie_pkg::cpl_header(status, with_data, 10'(ndw), 12'(bytes), la, 3'd0, 3'd0, cid, reqid, tag);
  endfunction

  // Field getters
  function automatic logic [2:0] h_fmt(input logic [127:0] h); return h[31:29]; endfunction
  function automatic logic [4:0] h_type(input logic [127:0] h); return h[28:24]; endfunction
  function automatic bit h_has_data(input logic [127:0] h); return h[30]; endfunction
  function automatic int h_ndw(input logic [127:0] h);
    return (h[9:0] == 10'd0) ? 1024 : int'(h[9:0]);
  endfunction
  function automatic logic [3:0] h_fbe(input logic [127:0] h); return h[35:32]; endfunction
  function automatic logic [3:0] h_lbe(input logic [127:0] h); return h[39:36]; endfunction
  function automatic logic [15:0] h_reqid(input logic [127:0] h); return h[63:48]; endfunction
  function automatic logic [7:0] h_req_tag(input logic [127:0] h); return h[47:40]; endfunction
  function automatic logic [63:0] h_addr(input logic [127:0] h);
    return h[29] ? {h[95:64], h[127:98], 2'b00} : {32'd0, h[95:66], 2'b00};
  endfunction
  // completion fields
  function automatic logic [2:0] c_status(input logic [127:0] h); return h[47:45]; endfunction
  function automatic int c_bytes(input logic [127:0] h);
    return (h[43:32] == 12'd0) ? 4096 : int'(h[43:32]);
  endfunction
  function automatic logic [15:0] c_cid(input logic [127:0] h); return h[63:48]; endfunction
  function automatic logic [15:0] c_reqid(input logic [127:0] h); return h[95:80]; endfunction
  function automatic logic [7:0] c_tag(input logic [127:0] h); return h[79:72]; endfunction
  function automatic logic [6:0] c_la(input logic [127:0] h); return h[70:64]; endfunction

  // ------------------------------------------------------------ whole TLPs
  // The header is kept as two 64-bit halves: read it with tlp_hdr(t).
  class tlp_t;
    logic [63:0]  h_lo, h_hi;              // header DW1:DW0, DW3:DW2
    logic [31:0]  dw[$];                   // payload DWs (bytes in memory order)
    function new(input logic [127:0] h);
      h_lo = h[63:0];
      h_hi = h[127:64];
    endfunction
    // Beats of this TLP (one beat when there is no payload).
    function int nbeats();
      return (dw.size() == 0) ? 1 : (dw.size() + DWS - 1) / DWS;
    endfunction
    // byte i of the payload
    function logic [7:0] byte_at(input int i);
      return dw[i / 4][8 * (i % 4) +: 8];
    endfunction
  endclass

  function automatic logic [127:0] tlp_hdr(input tlp_t t);
    return {t.h_hi, t.h_lo};
  endfunction

  // Beat driver: step() at every clock edge with the sink's ready gives the
  // stream's valid and beat for the next cycle. The beat is kept in 64-bit
  // pieces (see the note above: a wider member can read as zeros).
  class tlp_source;
    tlp_beat_t q[$];
    logic [63:0] h0, h1, d0, d1, d2, d3;  // header DW1:0, DW3:2; data bits 63:0 .. 255:192
    bit        sop, eop;
    bit        valid;
    bp_gen     gap;                        // 1: offer a beat this cycle
    int unsigned n_tlps, n_beats;
    function new(input int unsigned seed, input int unsigned pct = 80);
      gap = new(seed, pct, 20);
      valid = 1'b0;
      n_tlps = 0;
      n_beats = 0;
    endfunction
    function void send(input tlp_t t);
      int n;
      n = t.nbeats();
      for (int b = 0; b < n; b++) begin
        tlp_beat_t x;
        x = '0;
        x.hdr = {t.h_hi, t.h_lo};
        x.sop = (b == 0);
        x.eop = (b == n - 1);
        for (int d = 0; d < DWS; d++)
          if (b * DWS + d < t.dw.size()) x.data[32 * d +: 32] = t.dw[b * DWS + d];
        q.push_back(x);
      end
      n_tlps++;
    endfunction
    function void send_beat(input tlp_beat_t b);
      q.push_back(b);
    endfunction
    function bit idle();
      return !valid && q.size() == 0;
    endfunction
    // One clock edge: ready is the sink's ready in the cycle that ends; the
    // outputs are the stream's next valid and beat (the bench registers
    // them). They are outputs, not members read afterwards: Verilator may
    // split a bench's always block and lose the order of a method call and
    // a later read of the object.
    function void step(input bit ready, output bit o_valid, output logic [127:0] o_hdr,
                       output logic [DATA_W-1:0] o_data, output bit o_sop, output bit o_eop);
      if (valid && ready) begin
        valid = 1'b0;
        n_beats++;
      end
      if (!valid && q.size() != 0 && gap.next()) begin
        tlp_beat_t x;
        x = q.pop_front();
        h0 = x.hdr[63:0];
        h1 = x.hdr[127:64];
        d0 = x.data[63:0];
        d1 = x.data[127:64];
        d2 = x.data[191:128];
        d3 = x.data[255:192];
        sop = x.sop;
        eop = x.eop;
        valid = 1'b1;
      end
      o_valid = valid;
      o_hdr = {h1, h0};
      o_data = {d3, d2, d1, d0};
      o_sop = sop;
      o_eop = eop;
    endfunction
  endclass

  // Sink: collects whole TLPs from beats; ready() gives the next cycle's ready.
  class tlp_sink;
    tlp_t      got[$];
    tlp_t      part;
    bp_gen     bp;
    int unsigned n_beats, n_errors;
    function new(input int unsigned seed, input int unsigned pct = 70);
      bp = new(seed, pct, 30);
      part = null;
      n_beats = 0;
      n_errors = 0;
    endfunction
    function bit ready();
      return bp.next();
    endfunction
    // A beat moved: append it. DWs of the payload beyond the header's length
    // are not kept.
    function void take(input tlp_beat_t b);
      n_beats++;
      if (b.sop) begin
        if (part != null) begin
          n_errors++;
          check(0, "sink: sop inside a TLP");
        end
        part = new(b.hdr);
      end
      if (part == null) begin
        n_errors++;
        check(0, "sink: beat without sop");
      end else begin
        int want;
        logic [127:0] ph;
        ph = tlp_hdr(part);
        want = h_has_data(ph) ? h_ndw(ph) : 0;
        for (int d = 0; d < DWS; d++)
          if (part.dw.size() < want) part.dw.push_back(b.data[32 * d +: 32]);
        if (b.eop) begin
          if (part.dw.size() != want)
            check(0, $sformatf("sink: TLP of %0d DWs ends after %0d", want, part.dw.size()));
          got.push_back(part);
          part = null;
        end
      end
    endfunction
  endclass
endpackage
