`default_nettype none
// Bench for dma_copy (rtl/dma): card-to-card copies through its registers,
// between DMABUF, DDR and the DAX window in every pairing, at random byte
// alignments on both sides and lengths 1..65536, checked byte for byte
// against a model of all three (the copy's bytes, and nothing around them
// or anywhere else it may touch). Card memory is a line-port model that
// grants at random and answers reads in order after 1..LAT_MAX cycles;
// DMABUF's port is taken away at random cycles (the DMA engine's use).
// Directed: overlapping ranges with the destination below the source (a
// memmove), above it (BADARG, nothing moves), ranges leaving their region,
// addresses in no region, zero length, and a full 64 KiB DMABUF copy.
module tb;
  import tb_pkg::*;
  localparam int CARD_AW = 31;
  localparam int LW = CARD_AW - 5;
  localparam logic [31:0] WIN_OFF = 32'h4000_0000;
  localparam int LAT_MAX = 24;
  localparam int N_RANDOM = 300;
  localparam logic [31:0] BUFB = soc_map_pkg::DMABUF_BASE;
  localparam logic [31:0] DDRB = soc_map_pkg::DDR_BASE;
  localparam logic [31:0] WINB = soc_map_pkg::DAXWIN_BASE;

  `TB_CLK_RST(clk, rst, 5)

  logic        req = 1'b0, we = 1'b0;
  logic [11:0] addr = '0;
  logic [31:0] wdata = '0, rdata;
  logic        c_req, c_we, c_gnt = 1'b0, c_rvalid = 1'b0;
  logic [LW-1:0] c_addr;
  logic [31:0] c_be;
  logic [255:0] c_wdata, c_rdata, b_wdata, b_rdata;
  logic        b_en, b_free = 1'b1;
  logic [31:0] b_we;
  logic [10:0] b_row;

  dma_copy #(.DATA_W(256), .CARD_AW(CARD_AW), .WIN_LOG2(30), .WIN_OFF(WIN_OFF), .DEPTH(16)) dut (
    .clk, .rst, .req, .we, .addr, .wdata, .rdata,
    .c_req, .c_we, .c_addr, .c_be, .c_wdata, .c_gnt, .c_rvalid, .c_rdata,
    .b_en, .b_we, .b_row, .b_wdata, .b_free, .b_rdata);

  // ------------------------------------------------------------ memories
  bit [7:0] bufm [0:65535];                 // DMABUF
  bit [7:0] cm [int unsigned];              // card memory (sparse, zero)

  function automatic bit [7:0] cm_get(input int unsigned a);
    return cm.exists(a) ? cm[a] : 8'd0;
  endfunction

  // DMABUF's row port: data the next cycle, when the bench leaves it free.
  always @(posedge clk) begin
    if (b_en) begin
      check(b_free, "DMABUF port used only when free");
      for (int b = 0; b < 32; b++) begin
        if (b_we[b]) bufm[{b_row, 5'(b)}] = b_wdata[8 * b +: 8];
        b_rdata[8 * b +: 8] <= bufm[{b_row, 5'(b)}];
      end
    end
  end

  // Card memory's line port
  tb_rng        lrng = new(32'hc0b1_0001);
  tb_rng        rng = new(32'hc0b1_0002);
  logic [255:0] rd_line_q [$];
  int           rd_due_q [$];
  int           now = 0, last_due = 0, n_lreads = 0, n_lwrites = 0, n_stalls = 0, max_fly = 0;
  int           gnt_pct = 70, free_pct = 80;
  always @(posedge clk) begin
    now++;
    c_rvalid <= 1'b0;
    if (!rst && c_req && c_gnt) begin
      if (c_we) begin
        for (int b = 0; b < 32; b++) if (c_be[b]) cm[{c_addr, 5'(b)}] = c_wdata[8 * b +: 8];
        n_lwrites++;
      end else begin
        logic [255:0] d;
        int due;
        for (int b = 0; b < 32; b++) d[8 * b +: 8] = cm_get({c_addr, 5'(b)});
        due = now + int'(lrng.range(1, LAT_MAX));
        if (due < last_due) due = last_due;
        last_due = due;
        rd_line_q.push_back(d);
        rd_due_q.push_back(due);
        n_lreads++;
        if (rd_line_q.size() > max_fly) max_fly = rd_line_q.size();
      end
    end
    if (!rst && c_req && !c_gnt) n_stalls++;
    if (rd_due_q.size() != 0 && rd_due_q[0] <= now) begin
      logic [255:0] d;
      d = rd_line_q.pop_front();
      void'(rd_due_q.pop_front());
      c_rvalid <= 1'b1;
      c_rdata <= d;
    end
    c_gnt <= lrng.chance(gnt_pct);
    b_free <= lrng.chance(free_pct);
  end

  // ------------------------------------------------------------ model
  // A core address's byte, as the copy engine should see it.
  function automatic bit [7:0] mget(input logic [31:0] a);
    if ((a & 32'hffff_0000) == BUFB) return bufm[a[15:0]];
    if ((a & ~(soc_map_pkg::DDR_SIZE - 32'd1)) == DDRB) return cm_get(a - DDRB);
    return cm_get(a - WINB + WIN_OFF);
  endfunction

  // ------------------------------------------------------------ register port
  task automatic wr(input logic [11:0] a, input logic [31:0] d);
    @(negedge clk);
    req = 1'b1; we = 1'b1; addr = a; wdata = d;
    @(negedge clk);
    req = 1'b0; we = 1'b0;
  endtask

  task automatic rd(input logic [11:0] a, output logic [31:0] d);
    @(negedge clk);
    addr = a;
    #1 d = rdata;
  endtask

  int n_copies = 0, n_bytes = 0, n_bad = 0;

  // One copy; want_ok: whether the engine must take it. Checks the bytes of
  // both ranges and GUARD around them, against the model's memmove.
  localparam int GUARD = 40;
  task automatic copy(input logic [31:0] dst, input logic [31:0] src, input int len, input bit want_ok);
    bit [7:0] old_s [];
    bit [7:0] old_d [];
    bit [7:0] exp_d;
    logic [31:0] st, st0;
    int cycles, bad;
    old_s = new[len + 2 * GUARD];
    old_d = new[len + 2 * GUARD];
    for (int i = 0; i < len + 2 * GUARD; i++) begin
      old_s[i] = mget(src - GUARD + 32'(i));
      old_d[i] = mget(dst - GUARD + 32'(i));
    end
    rd(soc_map_pkg::DMA_COPY_STATUS, st0);
    wr(soc_map_pkg::DMA_COPY_SRC, src);
    wr(soc_map_pkg::DMA_COPY_DST, dst);
    wr(soc_map_pkg::DMA_COPY_LEN, 32'(len));
    wr(soc_map_pkg::DMA_COPY_CTRL, soc_map_pkg::DMA_COPY_CTRL_START_MASK);
    cycles = 0;
    do begin
      rd(soc_map_pkg::DMA_COPY_STATUS, st);
      cycles++;
    end while (st[0] && cycles < 200000);
    check(!st[0], $sformatf("copy %0d bytes %h -> %h ends", len, src, dst));
    check_eq(128'(st[31:16]), 128'(16'(st0[31:16] + 16'd1)), "copies counted");
    check_eq(128'(st[6:4]), 128'(want_ok ? soc_map_pkg::DMA_RESULT_OK : soc_map_pkg::DMA_RESULT_BADARG),
             $sformatf("result of copy %0d bytes %h -> %h", len, src, dst));
    n_copies++;
    bad = -1;
    for (int i = 0; i < len + 2 * GUARD; i++) begin
      int o;
      o = i - GUARD;
      if (want_ok && o >= 0 && o < len) begin
        // the source's old byte o (memmove: read before anything moved)
        exp_d = old_s[GUARD + o];
      end else begin
        exp_d = old_d[i];                    // outside the destination: as it was
      end
      if (mget(dst - GUARD + 32'(i)) !== exp_d && bad < 0) bad = i;
    end
    check(bad < 0, $sformatf("copy %0d bytes %h -> %h: destination byte %0d (offset %0d) wrong",
                             len, src, dst, bad, bad - GUARD));
    // the source and its surroundings, except where the destination lies
    bad = -1;
    for (int i = 0; i < len + 2 * GUARD; i++) begin
      logic [31:0] a;
      int dof;
      a = src - GUARD + 32'(i);
      dof = int'(a - dst);
      if (want_ok && dof >= 0 && dof < len) continue;
      if (mget(a) !== old_s[i] && bad < 0) bad = i;
    end
    check(bad < 0, $sformatf("copy %0d bytes %h -> %h: source-side byte %0d changed", len, src, dst, bad));
    if (want_ok) n_bytes += len;
  endtask

  function automatic logic [31:0] rand_addr(input int side, input int len);
    int unsigned off;
    unique case (side)
      0: begin
        off = rng.range(0, 65536 - len);
        return BUFB + off;
      end
      1: begin
        off = rng.range(0, 32'h2_0000 - len);
        return DDRB + 32'h10_0000 + off;
      end
      default: begin
        off = rng.range(0, 32'h2_0000 - len);
        return WINB + 32'h30_0000 + off;
      end
    endcase
  endfunction

  function automatic int rand_len();
    int r;
    r = int'(rng.range(0, 99));
    if (r < 40) return int'(rng.range(1, 70));
    if (r < 80) return int'(rng.range(71, 1500));
    if (r < 97) return int'(rng.range(1501, 9000));
    return int'(rng.range(9001, 65536));
  endfunction

  initial begin
    for (int i = 0; i < 65536; i++) bufm[i] = 8'(i * 13 + 5);
    for (int i = 0; i < 32'h2_0000 + 64; i++) begin
      cm[32'h10_0000 + i] = 8'((i * 7) ^ (i >> 8));
      cm[WIN_OFF + 32'h30_0000 + i] = 8'((i * 11) ^ (i >> 9) ^ 8'h5a);
    end
    repeat (5) @(posedge clk);
    rst <= 1'b0;
    repeat (2) @(posedge clk);

    // --- directed
    copy(DDRB + 32'h10_0000, DDRB + 32'h10_8000, 0, 1);           // zero length
    copy(DDRB + 32'h10_0003, DDRB + 32'h10_8011, 4096, 1);
    copy(DDRB + 32'h10_0000, DDRB + 32'h10_8000, 4096, 1);        // aligned
    copy(BUFB, DDRB + 32'h10_0005, 65536, 1);                     // all of DMABUF
    copy(DDRB + 32'h11_0001, BUFB, 65536, 1);
    copy(BUFB + 32'h100, BUFB + 32'h2345, 5000, 1);               // within DMABUF
    copy(WINB + 32'h30_0007, DDRB + 32'h10_1000, 3000, 1);        // to the window
    copy(DDRB + 32'h10_2000, WINB + 32'h30_0100, 3000, 1);        // from it
    // overlap: destination below the source (a memmove), above it (refused)
    copy(DDRB + 32'h10_4000, DDRB + 32'h10_4005, 2000, 1);
    copy(DDRB + 32'h10_4000, DDRB + 32'h10_4040, 9000, 1);
    copy(BUFB + 32'h10, BUFB + 32'h11, 1000, 1);
    copy(DDRB + 32'h10_4001, DDRB + 32'h10_4000, 100, 0);
    copy(BUFB + 32'h400, BUFB + 32'h3ff, 2, 0);
    copy(DDRB + 32'h10_4000, DDRB + 32'h10_4000, 64, 1);           // onto itself
    // ranges that leave their region, and addresses in none
    copy(BUFB + 32'hfff0, DDRB, 17, 0);
    copy(DDRB, DDRB + soc_map_pkg::DDR_SIZE - 32'd16, 17, 0);
    copy(DDRB, soc_map_pkg::VQ_BASE, 4, 0);
    copy(32'h0000_0100, DDRB, 4, 0);
    copy(DDRB, DDRB + 32'h10_0000, 32'h100_0001, 0);                // longer than 16 MiB

    // --- random: every pairing of DMABUF, DDR and the window
    for (int n = 0; n < N_RANDOM; n++) begin
      int len, ss, ds;
      len = rand_len();
      ss = int'(rng.range(0, 2));
      ds = int'(rng.range(0, 2));
      gnt_pct = rng.chance(30) ? 100 : int'(rng.range(20, 90));
      free_pct = rng.chance(30) ? 100 : int'(rng.range(30, 95));
      begin
        logic [31:0] s, d;
        s = rand_addr(ss, len);
        d = rand_addr(ds, len);
        if (ss == ds && d > s && d < s + 32'(len)) copy(d, s, len, 0);   // refused overlap
        else copy(d, s, len, 1);
      end
    end
    check(n_stalls > 0 && max_fly > 8, $sformatf("card memory stalled (%0d) and kept %0d reads in flight", n_stalls, max_fly));
    $display("dma_copy: %0d copies (%0d bytes checked), card memory: %0d line reads, %0d line writes, %0d stalled requests, at most %0d reads in flight",
             n_copies, n_bytes, n_lreads, n_lwrites, n_stalls, max_fly);
    tb_done("dma_copy");
  end
endmodule
