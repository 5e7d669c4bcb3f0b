`default_nettype none
// Bench for vq_fast (rtl/vq): the READ fast path with the blocks it drives,
// wired as in vfs_pcie: vq_engine, dma_regs, dma_engine, dma_card_port and
// dma_buf behind vq_fast's function port, a card-memory model on the line
// port. The bench is the firmware (the core's port: FAST registers, and VQ
// after it takes the engines back), the driver (split rings in host memory,
// notifications) and the host (answers every MRd at once, applies MWr and
// refuses any byte written outside the chain's writable buffers and the
// used ring). Card memory holds a hash of its address, the pages' bytes.
// Directed: hits (4 KiB, unaligned, several pages, chains split at every
// boundary of the request and of the reply, indirect), reads cut at the
// file size, two chains behind one notification, and a miss of every kind
// (another opcode, queue not enabled, no tag, a page without a tag, another
// fh, an invalidated node, too many pages, a short request, no room for the
// reply, a chain the engine refuses): each miss must reach the firmware with
// its chain in the segment table, its notification forwarded, the reason
// counted, nothing pushed, and the firmware's POP must return that chain
// (and a POP of another queue EMPTY); then the firmware pushes it and the
// queue is empty. An invalidation during a hit completes only after the
// hit's used entry. Random steps (installs that collide in the direct-mapped
// table, invalidations, READs of two files from four queues at any split)
// against a model of the table: a READ hits exactly when every page of its
// cut range is tagged. A function reset in the middle of a hit leaves the fast
// path idle, disarmed, with no chain pending and no tag (the reset lands in
// the middle of a reply's write TLP, which pcie_tx_tail finishes). A slow and faulty
// host on the fast path's own reads: completions 800 ns late, cut at every
// RCB boundary and allowed to overtake; UR, CA and a lost completion on the
// request's read (a DMA miss) and on the queue engine's ring reads (VQ's
// DMA result). Printed for make bench-fast: the 4 KiB hit latency
// (notification to the used index written) with an immediate and an
// 800 ns host, and a 128 KiB hit's reply bandwidth.
module tb;
  import tb_pkg::*;
  localparam int NQ = 5;
  localparam int QSZ = 16;
  localparam int TAGS = 256;
  localparam int MAX_PAGES = 32;
  localparam logic [15:0] RID = 16'h0600;
  localparam int CARD_AW = 31;
  localparam int LW = CARD_AW - 5;
  localparam int DMABUF_AW = 16;
  localparam int LAT = 4;                     // card memory read latency
  localparam logic [31:0] FUSE_READ = 32'd15;
  localparam int LAT_LIMIT = 500;             // issue 15: READ 4 KiB hit, notify to used ring
  localparam int LAT800_LIMIT = 1200;         // ... with 800 ns host completions
  localparam int N_RANDOM = 200;              // random steps against the tag-table model

  `TB_CLK_RST(clk, rst, 5)

  // ------------------------------------------------------------ DUT and engines
  logic        c_req = 1'b0, c_we = 1'b0;
  logic [3:0]  c_be = 4'hf;
  logic [31:0] c_addr = '0, c_wdata = '0, c_rdata;
  logic        f_req, f_we;
  logic [3:0]  f_be;
  logic [31:0] f_addr, f_wdata, f_rdata;
  logic        notify_valid = 1'b0;
  logic [3:0]  notify_queue = '0;
  logic [NQ-1:0] notify_steal, notify_fwd;
  logic        fast_idle;
  logic        fn_reset = 1'b0;               // the driver reset the function (as dev_reset in vfs_pcie)
  logic        eng_rst;
  assign eng_rst = rst || fn_reset;

  vq_fast #(.NQ(NQ), .TAGS(TAGS), .MAX_PAGES(MAX_PAGES)) dut (
    .clk, .rst, .flush(fn_reset),
    .c_req, .c_we, .c_be, .c_addr, .c_wdata, .c_rdata,
    .f_req, .f_we, .f_be, .f_addr, .f_wdata, .f_rdata,
    .notify_valid, .notify_queue, .notify_steal, .notify_fwd, .idle(fast_idle));

  logic [NQ*16-1:0] q_size = '0;
  logic [NQ*64-1:0] q_desc = '0, q_avail = '0, q_used = '0;
  logic [NQ-1:0]    q_enable = '0;
  logic        feat_event_idx = 1'b1;
  logic        sel_dma, sel_buf, sel_vq, rsel_buf_q;
  logic [31:0] vq_rdata_c, dma_rdata_c, regs_rdata_q, buf_rdata;
  logic [127:0] vq_tx_hdr, dma_tx_hdr, tx_hdr;
  logic [255:0] vq_tx_data, dma_tx_data, tx_data;
  logic        vq_tx_sop, vq_tx_eop, vq_tx_valid, vq_tx_ready;
  logic        dma_tx_sop, dma_tx_eop, dma_tx_valid, dma_tx_ready;
  logic [127:0] de_tx_hdr;
  logic [255:0] de_tx_data;
  logic        de_tx_sop, de_tx_eop, de_tx_valid, de_tx_ready;
  logic        tx_sop, tx_eop, tx_valid, tx_ready;
  logic [127:0] rx_hdr;
  logic [255:0] rx_data;
  logic        rx_sop, rx_eop, rx_valid, rx_ready, vq_rx_ready, dma_rx_ready, cpl_to_vq;
  logic        irq_valid;
  logic [15:0] irq_queue;

  assign sel_dma = (f_addr & ~(soc_map_pkg::DMA_SIZE - 32'd1)) == soc_map_pkg::DMA_BASE;
  assign sel_buf = (f_addr & ~(soc_map_pkg::DMABUF_SIZE - 32'd1)) == soc_map_pkg::DMABUF_BASE;
  assign sel_vq = (f_addr & ~(soc_map_pkg::VQ_SIZE - 32'd1)) == soc_map_pkg::VQ_BASE;
  always_ff @(posedge clk) begin
    regs_rdata_q <= sel_vq ? vq_rdata_c : dma_rdata_c;
    if (f_req) rsel_buf_q <= sel_buf;
  end
  assign f_rdata = rsel_buf_q ? buf_rdata : regs_rdata_q;

  vq_engine #(.NQ(NQ), .DATA_W(256), .TIMEOUT(2000), .TAG_BASE(8'd16)) u_vq (
    .clk, .rst(eng_rst), .q_size, .q_desc, .q_avail, .q_used, .q_enable, .feat_event_idx, .feat_indirect(1'b1),
    .requester_id(RID), .bus_master(1'b1),
    .req(f_req && sel_vq), .we(f_we), .addr(f_addr[11:0]), .wdata(f_wdata), .rdata(vq_rdata_c),
    .tx_hdr(vq_tx_hdr), .tx_data(vq_tx_data), .tx_sop(vq_tx_sop), .tx_eop(vq_tx_eop),
    .tx_valid(vq_tx_valid), .tx_ready(vq_tx_ready),
    .rx_hdr, .rx_data, .rx_sop, .rx_valid(rx_valid && cpl_to_vq), .rx_ready(vq_rx_ready),
    .irq_valid, .irq_queue);

  logic        dcmd_valid, dcmd_ready, dcmd_write, dcmd_card, dflush, ddone_valid;
  logic [63:0] dcmd_host;
  logic [CARD_AW-1:0] dcmd_local;
  logic [24:0] dcmd_len;
  logic [2:0]  ddone_status;
  logic [31:0] dunexpected;
  logic        lm_en, lm_wait, lm_rd_ok, lm_busy, card_wait, card_rd_ok;
  logic [31:0] lm_we;
  logic [LW-1:0] lm_row, lm_next_row;
  logic [255:0] lm_wdata, lm_rdata, buf_lm_rdata, card_lm_rdata;
  logic        l_req, l_we, l_rvalid;
  logic [LW-1:0] l_addr;
  logic [31:0] l_be;
  logic [255:0] l_wdata, l_rdata;

  dma_regs #(.CARD_AW(CARD_AW), .WIN_LOG2(30), .WIN_OFF(32'h4000_0000)) u_dma_regs (
    .clk, .rst, .req(f_req && sel_dma), .we(f_we), .addr(f_addr[11:0]), .wdata(f_wdata),
    .rdata(dma_rdata_c), .cmd_valid(dcmd_valid), .cmd_ready(dcmd_ready), .cmd_write(dcmd_write),
    .cmd_host(dcmd_host), .cmd_card(dcmd_card), .cmd_local(dcmd_local), .cmd_len(dcmd_len),
    .flush(dflush), .abort(fn_reset), .done_valid(ddone_valid), .done_status(ddone_status),
    .unexpected(dunexpected));

  dma_engine #(.DATA_W(256), .TAGS(16), .LOCAL_AW(CARD_AW), .TIMEOUT(2000)) u_dma (
    .clk, .rst, .abort(fn_reset), .bus_master(1'b1), .max_payload(3'd1), .max_read_req(3'd2), .requester_id(RID),
    .cmd_valid(dcmd_valid), .cmd_ready(dcmd_ready), .cmd_write(dcmd_write), .cmd_host(dcmd_host),
    .cmd_local(dcmd_local), .cmd_len(dcmd_len), .flush(dflush),
    .done_valid(ddone_valid), .done_status(ddone_status),
    .tx_hdr(de_tx_hdr), .tx_data(de_tx_data), .tx_sop(de_tx_sop), .tx_eop(de_tx_eop),
    .tx_valid(de_tx_valid), .tx_ready(de_tx_ready),
    .rx_hdr, .rx_data, .rx_sop, .rx_eop, .rx_valid(rx_valid && !cpl_to_vq), .rx_ready(dma_rx_ready),
    .lm_en, .lm_we, .lm_row, .lm_wdata, .lm_rdata, .lm_wait, .lm_next_row, .lm_rd_ok, .lm_busy,
    .stat_unexpected(dunexpected));

  assign lm_rdata = dcmd_card ? card_lm_rdata : buf_lm_rdata;
  assign lm_wait = dcmd_card && card_wait;
  assign lm_rd_ok = !dcmd_card || card_rd_ok;

  dma_card_port #(.DATA_W(256), .LW(LW), .DEPTH(16)) u_card (
    .clk, .rst, .abort(fn_reset), .start(dcmd_valid && dcmd_ready && dcmd_card), .start_to_host(dcmd_write),
    .start_local(dcmd_local), .start_host_lo(dcmd_host[1:0]), .start_len(dcmd_len),
    .lm_en(lm_en && dcmd_card), .lm_we, .lm_row, .lm_wdata, .lm_rdata(card_lm_rdata),
    .lm_wait(card_wait), .lm_next_row, .lm_rd_ok(card_rd_ok), .lm_busy,
    .l_req, .l_we, .l_addr, .l_be, .l_wdata, .l_gnt(1'b1), .l_rvalid, .l_rdata);

  dma_buf #(.DATA_W(256), .AW(DMABUF_AW)) u_buf (
    .clk, .d_en(lm_en && !dcmd_card), .d_we(lm_we), .d_row(lm_row[DMABUF_AW-6:0]), .d_wdata(lm_wdata),
    .d_rdata(buf_lm_rdata), .c_en(f_req && sel_buf), .c_we(f_we ? f_be : 4'b0000),
    .c_addr(f_addr[DMABUF_AW-1:0]), .c_wdata(f_wdata), .c_rdata(buf_rdata));

  pcie_tx_tail #(.DATA_W(256)) u_tail (
    .clk, .rst, .abort(fn_reset),
    .in_hdr(de_tx_hdr), .in_data(de_tx_data), .in_sop(de_tx_sop), .in_eop(de_tx_eop),
    .in_valid(de_tx_valid), .in_ready(de_tx_ready),
    .out_hdr(dma_tx_hdr), .out_data(dma_tx_data), .out_sop(dma_tx_sop), .out_eop(dma_tx_eop),
    .out_valid(dma_tx_valid), .out_ready(dma_tx_ready));

  pcie_tx_arb #(.DATA_W(256)) u_arb (
    .clk, .rst,
    .a_hdr(dma_tx_hdr), .a_data(dma_tx_data), .a_sop(dma_tx_sop), .a_eop(dma_tx_eop),
    .a_valid(dma_tx_valid), .a_ready(dma_tx_ready),
    .b_hdr(vq_tx_hdr), .b_data(vq_tx_data), .b_sop(vq_tx_sop), .b_eop(vq_tx_eop),
    .b_valid(vq_tx_valid), .b_ready(vq_tx_ready),
    .out_hdr(tx_hdr), .out_data(tx_data), .out_sop(tx_sop), .out_eop(tx_eop),
    .out_valid(tx_valid), .out_ready(tx_ready));

  assign cpl_to_vq = rx_hdr[79:72] >= 8'd16;
  assign rx_ready = cpl_to_vq ? vq_rx_ready : dma_rx_ready;

  // ------------------------------------------------------------ card memory
  // Bytes: a hash of the address unless written. Reads come back in order
  // LAT cycles later.
  logic [7:0] cm [logic [CARD_AW-1:0]];
  function automatic logic [7:0] cbyte(input logic [CARD_AW-1:0] a);
    logic [63:0] h;
    if (cm.exists(a)) return cm[a];
    h = (64'(a) ^ 64'h77) * 64'h9e37_79b9_7f4a_7c15;
    return h[47:40];
  endfunction
  logic [255:0] ddr_q [$];
  int           ddr_due [$];
  int           now = 0;
  always @(posedge clk) begin
    now++;
    l_rvalid <= 1'b0;
    if (!rst && l_req) begin
      if (l_we) begin
        for (int b = 0; b < 32; b++) if (l_be[b]) cm[{l_addr, 5'(b)}] = l_wdata[8 * b +: 8];
      end else begin
        logic [255:0] d;
        for (int b = 0; b < 32; b++) d[8 * b +: 8] = cbyte({l_addr, 5'(b)});
        ddr_q.push_back(d);
        ddr_due.push_back(now + LAT);
      end
    end
    if (ddr_due.size() != 0 && ddr_due[0] <= now) begin
      logic [255:0] d2;
      d2 = ddr_q.pop_front();
      void'(ddr_due.pop_front());
      l_rvalid <= 1'b1;
      l_rdata <= d2;
    end
  end

  // ------------------------------------------------------------ host
  function automatic logic [63:0] q_desc_a(input int q); return 64'h1_0000_0000 + 64'(q) * 64'h1_0000; endfunction
  function automatic logic [63:0] q_avail_a(input int q); return q_desc_a(q) + 64'h1000; endfunction
  function automatic logic [63:0] q_used_a(input int q); return q_desc_a(q) + 64'h2000; endfunction
  // Cycle of the last write of q's used index after cycle t0 (-1: none)
  function automatic int used_wr_after(input int q, input int t0);
    logic [63:0] a;
    a = q_used_a(q) + 64'd2;
    if (!wr_time.exists(a) || wr_time[a] < t0) return -1;
    return wr_time[a];
  endfunction
  `TB_HOST_MEM
  // Where the device may write: [ok_lo[i], ok_hi[i])
  logic [63:0] ok_lo [$], ok_hi [$];
  int          n_bad_writes = 0, n_wr_bytes = 0;
  int          wr_time [logic [63:0]];      // cycle of the last write of each used-ring byte
  function automatic void host_write(input logic [63:0] a);
    bit ok;
    ok = 0;
    // the used rings (element, index, avail_event) are always the device's
    for (int q = 0; q < NQ; q++) if (a >= q_used_a(q) && a < q_used_a(q) + 64'(4 + 8 * QSZ + 2)) ok = 1;
    for (int i = 0; i < ok_lo.size(); i++) if (a >= ok_lo[i] && a < ok_hi[i]) ok = 1;
    if (!ok) begin
      n_bad_writes++;
      if (n_bad_writes < 5) $display("write outside a device-writable buffer at %h", a);
    end
    n_wr_bytes++;
  endfunction

  // The host's timing and faults (set by the run): every completion leaves
  // host_lat cycles after its request (800 ns: 200); rcb_split cuts each
  // completion at the 64-byte RCB boundaries; reorder lets a request's
  // completions overtake the ones queued before it (at a TLP boundary;
  // pieces of one request stay in order, as PCIe requires). One read of
  // class fault_cls (0: the queue engine's, tag >= 16; 1: the DMA
  // engine's) can be faulted: the fault_nth-th from now (0: the next)
  // gets fault_kind: a UR or CA completion, or none at all (the engine's
  // completion timeout).
  localparam int FK_UR = 1, FK_CA = 2, FK_DROP = 3;
  int          host_lat = 0;
  bit          rcb_split = 1'b0, reorder = 1'b0;
  int          fault_kind = 0, fault_cls = 0, fault_nth = -1, n_faulted = 0;
  int          dph_first = -1, dph_last = -1;   // the last hit's reply writes (cycles)
  int          n_reordered = 0;
  int          lat_800 = -1, cyc_128k = -1, lat_128k = -1;
  logic [127:0] cpl_hdr_q [$];
  logic [255:0] cpl_data_q [$];
  bit          cpl_sop_q [$], cpl_eop_q [$];
  int          cpl_due_q [$];
  // Queues beat b of a completion at position at (-1: the end).
  function automatic void cpl_put(input int at, input logic [127:0] h, input logic [255:0] d,
                                  input bit so, input bit eo);
    if (at < 0) begin
      cpl_hdr_q.push_back(h); cpl_data_q.push_back(d);
      cpl_sop_q.push_back(so); cpl_eop_q.push_back(eo);
      cpl_due_q.push_back(now + host_lat);
    end else begin
      cpl_hdr_q.insert(at, h); cpl_data_q.insert(at, d);
      cpl_sop_q.insert(at, so); cpl_eop_q.insert(at, eo);
      cpl_due_q.insert(at, now + host_lat);
    end
  endfunction
  // The completions of one MRd: a faulted status, or the bytes, whole or
  // cut at RCB boundaries.
  function automatic void host_read(input logic [127:0] rh);
    logic [63:0] a, base;
    int bytes, at, left;
    bit vq_read;
    a = h_addr(rh) + 64'(pcie_pkg::be_low(h_fbe(rh)));
    bytes = int'(pcie_pkg::read_bytes(11'(h_ndw(rh)), h_fbe(rh), h_lbe(rh)));
    vq_read = h_req_tag(rh) >= 8'd16;
    at = -1;
    if (reorder) begin
      // the first TLP boundary in the queue (the head may be mid-TLP)
      for (int i = 0; i < cpl_sop_q.size() && at < 0; i++) if (cpl_sop_q[i]) at = i;
      if (at >= 0) n_reordered++;
    end
    if (fault_nth >= 0 && vq_read == (fault_cls == 0)) begin
      if (fault_nth == 0) begin
        fault_nth = -1;
        n_faulted++;
        if (fault_kind == FK_UR || fault_kind == FK_CA)
          cpl_put(at, cpl_hdr(fault_kind == FK_UR ? pcie_pkg::CPL_UR : pcie_pkg::CPL_CA, 1'b0, 0, bytes,
                              7'(a), 16'h0100, RID, h_req_tag(rh)), '0, 1'b1, 1'b1);
        return;                                   // FK_DROP: no completion
      end
      fault_nth--;
    end
    left = bytes;
    while (left > 0) begin
      int n, ndw;
      n = rcb_split ? 64 - int'(a[5:0]) : left;
      if (n > left) n = left;
      base = a & ~64'd3;
      ndw = int'(((a + 64'(n) + 64'd3) & ~64'd3) - base) / 4;
      for (int b = 0; b < (ndw + 7) / 8; b++) begin
        logic [255:0] d;
        for (int i = 0; i < 32; i++) d[8 * i +: 8] = mb(base + 64'(32 * b + i));
        cpl_put(at, cpl_hdr(pcie_pkg::CPL_SC, 1'b1, ndw, left, 7'(a), 16'h0100, RID, h_req_tag(rh)), d,
                b == 0, b == (ndw + 7) / 8 - 1);
        if (at >= 0) at++;
      end
      a = a + 64'(n);
      left -= n;
    end
  endfunction
  logic [127:0] wr_hdr;
  int          wr_left = 0, wr_dw = 0;
  logic [3:0]  wr_fbe, wr_lbe;
  logic [63:0] wr_base;
  int          wr_ndw;
  always @(posedge clk) begin
    rx_valid <= 1'b0;
    if (rst) begin
      tx_ready <= 1'b0;
    end else begin
      tx_ready <= 1'b1;
      if (tx_valid && tx_ready) begin
        if (tx_sop) begin
          wr_hdr = tx_hdr;
          wr_base = h_addr(tx_hdr) & ~64'd3;
          wr_ndw = h_ndw(tx_hdr);
          wr_fbe = h_fbe(tx_hdr);
          wr_lbe = h_lbe(tx_hdr);
          wr_dw = 0;
          check(h_type(tx_hdr) == pcie_pkg::TYPE_MEM && h_reqid(tx_hdr) == RID, "request header");
          if (!h_has_data(tx_hdr)) host_read(tx_hdr);
        end
        if (h_has_data(wr_hdr)) begin
          for (int d = 0; d < 8; d++) begin
            if (wr_dw < wr_ndw) begin
              logic [3:0] be;
              be = (wr_dw == 0) ? wr_fbe : (wr_dw == wr_ndw - 1) ? wr_lbe : 4'hf;
              for (int b = 0; b < 4; b++) begin
                if (be[b]) begin
                  logic [63:0] a;
                  a = wr_base + 64'(4 * wr_dw + b);
                  host_write(a);
                  if (a < q_desc_a(0) || a >= q_desc_a(NQ)) begin
                    if (dph_first < 0) dph_first = now;
                    dph_last = now;
                  end
                  hm[a] = tx_data[32 * d + 8 * b +: 8];
                  if (a[15:0] == 16'h2002) wr_time[a] = now;   // a used index
                end
              end
              wr_dw++;
            end
          end
        end
      end
      // one beat a cycle while the engines take them
      if (rx_valid && !rx_ready) begin
        rx_valid <= 1'b1;
      end else if (cpl_hdr_q.size() != 0 && cpl_due_q[0] <= now) begin
        logic [127:0] h2;
        logic [255:0] d3;
        bit so, eo;
        h2 = cpl_hdr_q.pop_front();
        d3 = cpl_data_q.pop_front();
        so = cpl_sop_q.pop_front();
        eo = cpl_eop_q.pop_front();
        void'(cpl_due_q.pop_front());
        rx_valid <= 1'b1;
        rx_hdr <= h2;
        rx_data <= d3;
        rx_sop <= so;
        rx_eop <= eo;
      end
    end
  end

  // ------------------------------------------------------------ the firmware's port
  // Driven at the falling edge, as the core's port changes after a rising one.
  task automatic fw_wr(input logic [31:0] a, input logic [31:0] d);
    @(negedge clk);
    c_req = 1'b1; c_we = 1'b1; c_addr = a; c_wdata = d;
    @(negedge clk);
    c_req = 1'b0; c_we = 1'b0;
  endtask
  task automatic fw_rd(input logic [31:0] a, output logic [31:0] d);
    @(negedge clk);
    c_req = 1'b1; c_we = 1'b0; c_addr = a;
    @(negedge clk);
    c_req = 1'b0;
    d = c_rdata;
  endtask
  function automatic logic [31:0] fa(input logic [11:0] off);
    return soc_map_pkg::FAST_BASE + 32'(off);
  endfunction
  function automatic logic [31:0] va(input logic [11:0] off);
    return soc_map_pkg::VQ_BASE + 32'(off);
  endfunction

  // The firmware's NOTIFY bits, as virtio_regs sets them: counted here,
  // "cleared" (the firmware read them) by taking the counts as the base.
  int notif_cnt [0:NQ-1];
  int notif_base [0:NQ-1];
  initial for (int q = 0; q < NQ; q++) begin notif_cnt[q] = 0; notif_base[q] = 0; end
  always @(posedge clk) begin
    for (int q = 0; q < NQ; q++)
      if (notify_fwd[q] || (notify_valid && 32'(notify_queue) == q && !notify_steal[q])) notif_cnt[q]++;
  end
  function automatic bit notified(input int q);
    return notif_cnt[q] != notif_base[q];
  endfunction
  task automatic clear_notified();
    for (int q = 0; q < NQ; q++) notif_base[q] = notif_cnt[q];
  endtask
  task automatic notify(input int q);
    @(negedge clk);
    notify_valid = 1'b1; notify_queue = 4'(q);
    @(negedge clk);
    notify_valid = 1'b0;
  endtask

  task automatic arm(input logic [NQ-1:0] qmask);
    fw_wr(fa(soc_map_pkg::FAST_CTRL), 32'(qmask) << soc_map_pkg::FAST_CTRL_QMASK_LSB | 32'd1);
  endtask
  task automatic disarm();
    logic [31:0] st;
    int n;
    fw_wr(fa(soc_map_pkg::FAST_CTRL), 32'd0);
    n = 0;
    do begin
      fw_rd(fa(soc_map_pkg::FAST_STATUS), st);
      n++;
    end while (st[soc_map_pkg::FAST_STATUS_BUSY_LSB] && n < 5000);
    check(n < 5000, "disarm: BUSY clears");
  endtask

  task automatic install(input logic [63:0] node, input logic [63:0] fh, input logic [31:0] page,
                         input logic [31:0] frame, input logic [63:0] size);
    fw_wr(fa(soc_map_pkg::FAST_TAG_NODE_LO), node[31:0]);
    fw_wr(fa(soc_map_pkg::FAST_TAG_NODE_HI), node[63:32]);
    fw_wr(fa(soc_map_pkg::FAST_TAG_FH_LO), fh[31:0]);
    fw_wr(fa(soc_map_pkg::FAST_TAG_FH_HI), fh[63:32]);
    fw_wr(fa(soc_map_pkg::FAST_TAG_PAGE), page);
    fw_wr(fa(soc_map_pkg::FAST_TAG_FRAME), frame);
    fw_wr(fa(soc_map_pkg::FAST_TAG_SIZE_LO), size[31:0]);
    fw_wr(fa(soc_map_pkg::FAST_TAG_SIZE_HI), size[63:32]);
    fw_wr(fa(soc_map_pkg::FAST_TAG_CMD), 32'd1);
  endtask

  // c[]: 0 hits, 1..5 misses by FASTWHY, 6 hit bytes, 7 invalidations,
  // 8 MISS_XATTR, 9 XHITS
  function automatic int cnt_idx(input logic [3:0] why);
    return why == soc_map_pkg::FASTWHY_XATTR ? 8 : int'(why);
  endfunction
  int cnt_before [0:9];
  task automatic read_counters(output int c [0:9]);
    logic [31:0] v;
    fw_rd(fa(soc_map_pkg::FAST_HITS), v); c[0] = int'(v);
    fw_rd(fa(soc_map_pkg::FAST_MISS_OPCODE), v); c[1] = int'(v);
    fw_rd(fa(soc_map_pkg::FAST_MISS_CHAIN), v); c[2] = int'(v);
    fw_rd(fa(soc_map_pkg::FAST_MISS_TAG), v); c[3] = int'(v);
    fw_rd(fa(soc_map_pkg::FAST_MISS_SIZE), v); c[4] = int'(v);
    fw_rd(fa(soc_map_pkg::FAST_MISS_DMA), v); c[5] = int'(v);
    fw_rd(fa(soc_map_pkg::FAST_HIT_BYTES), v); c[6] = int'(v);
    fw_rd(fa(soc_map_pkg::FAST_INVALS), v); c[7] = int'(v);
    fw_rd(fa(soc_map_pkg::FAST_MISS_XATTR), v); c[8] = int'(v);
    fw_rd(fa(soc_map_pkg::FAST_XHITS), v); c[9] = int'(v);
  endtask

  // The no-capability table: enter a node (clear: empty it first)
  task automatic x_install(input logic [63:0] node, input bit clear);
    fw_wr(fa(soc_map_pkg::FAST_XNODE_LO), node[31:0]);
    fw_wr(fa(soc_map_pkg::FAST_XNODE_HI), node[63:32]);
    fw_wr(fa(soc_map_pkg::FAST_XCMD), {30'd0, clear, 1'b1});
  endtask

  // ------------------------------------------------------------ the driver's rings
  // Queue q: descriptors at DESC(q), avail at AVAIL(q), used at USED(q);
  // buffers from BUFS upward (a fresh region per request).
  logic [15:0] avail_idx [0:NQ-1];
  logic [15:0] used_seen [0:NQ-1];
  logic [15:0] next_desc [0:NQ-1];
  logic [63:0] buf_next = 64'h2_0000_0000;

  task automatic setup_queues();
    for (int q = 0; q < NQ; q++) begin
      q_size[16 * q +: 16] = 16'(QSZ);
      q_desc[64 * q +: 64] = q_desc_a(q);
      q_avail[64 * q +: 64] = q_avail_a(q);
      q_used[64 * q +: 64] = q_used_a(q);
      avail_idx[q] = 0;
      used_seen[q] = 0;
      next_desc[q] = 0;
      wr_n(q_avail_a(q), 0, 4);
      wr_n(q_used_a(q), 0, 4);
      // used_event 0: every used entry wants an interrupt
      wr_n(q_avail_a(q) + 4 + 2 * QSZ, 0, 2);
    end
    q_enable = '1;
  endtask

  // A chain: NR readable segments of lengths rl[], then NW writable wl[]
  // (each at a fresh, unaligned host address). The request bytes req[0..79]
  // go into the readable ones in order. Returns the head and the writable
  // segments' addresses. indirect: the chain lives in an indirect table.
  logic [63:0] w_addr [0:15];
  int          w_len [0:15];
  int          n_w;
  logic [7:0]  req [0:79];
  task automatic publish(input int q, input int rl [$], input int wl [$], input bit indirect,
                         output logic [15:0] head);
    int nd, pos;
    logic [63:0] a, tbl;
    logic [15:0] d0;
    nd = rl.size() + wl.size();
    d0 = next_desc[q];
    pos = 0;
    n_w = 0;
    tbl = buf_next;
    buf_next = buf_next + 64'h1000;
    for (int i = 0; i < nd; i++) begin
      int len;
      bit w;
      logic [63:0] dsc;
      w = i >= rl.size();
      len = w ? wl[i - rl.size()] : rl[i];
      a = buf_next + 64'(i * 7 % 13);                 // unaligned
      buf_next = buf_next + 64'(((len + 64 + 4095) / 4096) * 4096);
      if (!w) for (int k = 0; k < len; k++) begin
        if (pos < 80) hm[a + 64'(k)] = req[pos];
        pos++;
      end else begin
        for (int k = 0; k < len; k++) hm[a + 64'(k)] = 8'hee;   // guard: must change only where written
        w_addr[n_w] = a;
        w_len[n_w] = len;
        ok_lo.push_back(a);
        ok_hi.push_back(a + 64'(len));
        n_w++;
      end
      if (indirect) dsc = tbl + 64'(16 * i);
      else dsc = q_desc_a(q) + 64'(16 * ((32'(d0) + i) % QSZ));
      wr_n(dsc, a, 8);
      wr_n(dsc + 8, 64'(len), 4);
      wr_n(dsc + 12, 64'((i + 1 < nd ? 16'd1 : 16'd0) | (w ? 16'd2 : 16'd0)), 2);
      wr_n(dsc + 14, 64'(indirect ? (i + 1) : ((32'(d0) + i + 1) % QSZ)), 2);
    end
    if (indirect) begin
      logic [63:0] dsc;
      dsc = q_desc_a(q) + 64'(16 * d0);
      wr_n(dsc, tbl, 8);
      wr_n(dsc + 8, 64'(16 * nd), 4);
      wr_n(dsc + 12, 64'(16'd4), 2);
      wr_n(dsc + 14, 0, 2);
      next_desc[q] = 16'((32'(d0) + 1) % QSZ);
    end else begin
      next_desc[q] = 16'((32'(d0) + nd) % QSZ);
    end
    head = d0;
    wr_n(q_avail_a(q) + 4 + 64'(2 * (avail_idx[q] % QSZ)), 64'(d0), 2);
    avail_idx[q] = avail_idx[q] + 1;
    wr_n(q_avail_a(q) + 2, 64'(avail_idx[q]), 2);
  endtask

  task automatic make_req(input logic [31:0] opcode, input logic [63:0] unique_, input logic [63:0] node,
                          input logic [63:0] fh, input logic [63:0] off, input logic [31:0] size,
                          input logic [31:0] len);
    for (int i = 0; i < 80; i++) req[i] = 8'(i * 3 + 1);
    for (int i = 0; i < 4; i++) req[i] = len[8 * i +: 8];
    for (int i = 0; i < 4; i++) req[4 + i] = opcode[8 * i +: 8];
    for (int i = 0; i < 8; i++) req[8 + i] = unique_[8 * i +: 8];
    for (int i = 0; i < 8; i++) req[16 + i] = node[8 * i +: 8];
    for (int i = 0; i < 8; i++) req[40 + i] = fh[8 * i +: 8];
    for (int i = 0; i < 8; i++) req[48 + i] = off[8 * i +: 8];
    for (int i = 0; i < 4; i++) req[56 + i] = size[8 * i +: 8];
  endtask

  // The used ring of q as the device left it
  function automatic logic [15:0] used_idx(input int q);
    return 16'(rd_n(q_used_a(q) + 2, 2));
  endfunction

  // Byte i of the reply as the writable buffers hold it
  function automatic logic [7:0] reply_byte(input int i);
    int k;
    k = i;
    for (int s = 0; s < n_w; s++) begin
      if (k < w_len[s]) return mb(w_addr[s] + 64'(k));
      k -= w_len[s];
    end
    return 8'hxx;
  endfunction
  function automatic int w_total();
    int t;
    t = 0;
    for (int s = 0; s < n_w; s++) t += w_len[s];
    return t;
  endfunction

  // Frames: page p of node N lives at DDR frame FRAME0 + 37 * N + p
  localparam logic [31:0] FRAME0 = soc_map_pkg::DDR_BASE + 32'h0010_0000;
  function automatic logic [31:0] frame_of(input logic [63:0] node, input logic [31:0] page);
    return FRAME0 + ((32'(node[7:0]) * 37 + page) << 12);
  endfunction
  function automatic logic [7:0] file_byte(input logic [63:0] node, input logic [63:0] off);
    logic [31:0] fr;
    fr = frame_of(node, 32'(off >> 12));
    return cbyte(CARD_AW'(fr - soc_map_pkg::DDR_BASE) + CARD_AW'(off[11:0]));
  endfunction

  // Wait until the fast path has nothing in hand (or a limit).
  task automatic wait_idle(input int limit);
    int n;
    n = 0;
    repeat (3) @(posedge clk);
    while (!fast_idle && n < limit) begin @(posedge clk); n++; end
    check(n < limit, "the fast path goes idle");
  endtask

  // ------------------------------------------------------------ checks
  int n_hits_checked = 0, n_miss_checked = 0, lat_4k = -1, last_lat = -1;
  logic [31:0] exp_err = 32'd0;                 // out.error a hit must carry
  int lat_x = -1;                               // the first GETXATTR answered, notify to used index
  logic [63:0] uniq = 64'h1000;

  // A hit: reply header and data bytes, guard bytes after it, used entry.
  task automatic expect_hit(input int q, input logic [15:0] head, input logic [63:0] node,
                            input logic [63:0] off, input int n, input string what);
    logic [15:0] ui;
    logic [63:0] ue;
    int bad;
    ui = used_idx(q);
    check_eq(ui, used_seen[q] + 16'd1, {what, ": used index advanced by one"});
    ue = rd_n(q_used_a(q) + 4 + 64'(8 * (used_seen[q] % QSZ)), 8);
    check_eq(ue[31:0], 32'(head), {what, ": used id is the head"});
    check_eq(ue[63:32], 32'(16 + n), {what, ": used len 16 + n"});
    used_seen[q] = ui;
    check_eq({reply_byte(3), reply_byte(2), reply_byte(1), reply_byte(0)}, 32'(16 + n), {what, ": out.len"});
    check_eq({reply_byte(7), reply_byte(6), reply_byte(5), reply_byte(4)}, exp_err, {what, ": out.error"});
    bad = 0;
    for (int i = 0; i < 8; i++) if (reply_byte(8 + i) != uniq[8 * i +: 8]) bad++;
    check(bad == 0, {what, ": out.unique"});
    bad = 0;
    for (int i = 0; i < n; i++) if (reply_byte(16 + i) !== file_byte(node, off + 64'(i))) bad++;
    check(bad == 0, $sformatf("%s: %0d data bytes as card memory holds them (%0d differ)", what, n, bad));
    bad = 0;
    for (int i = 16 + n; i < w_total(); i++) if (reply_byte(i) != 8'hee) bad++;
    check(bad == 0, {what, ": bytes after the reply untouched"});
    check(!notified(q), {what, ": the firmware was not notified"});
    n_hits_checked++;
  endtask

  // A miss: pending, forwarded, counted; the firmware's POP returns the chain,
  // its PUSH answers it, and the queue is then empty.
  task automatic expect_miss(input int q, input logic [15:0] head, input logic [3:0] why,
                             input logic [3:0] vq_res, input string what);
    logic [31:0] st, v;
    int c [0:9];
    check_eq(used_idx(q), used_seen[q], {what, ": nothing pushed by the fast path"});
    fw_rd(fa(soc_map_pkg::FAST_STATUS), st);
    check(st[soc_map_pkg::FAST_STATUS_PEND_LSB] && st[soc_map_pkg::FAST_STATUS_PEND_Q_LSB +: 4] == 4'(q),
          $sformatf("%s: pending on queue %0d (STATUS %h)", what, q, st));
    check_eq(st[soc_map_pkg::FAST_STATUS_LAST_MISS_LSB +: 4], why, {what, ": reason"});
    check(notified(q), {what, ": notification forwarded to the firmware"});
    read_counters(c);
    check_eq(c[cnt_idx(why)], cnt_before[cnt_idx(why)] + 1, {what, ": its counter"});
    check_eq(c[0], cnt_before[0], {what, ": no hit counted"});
    check_eq(c[9], cnt_before[9], {what, ": no GETXATTR answered"});
    // the firmware wakes: takes the engines back, then a POP of another queue
    disarm();
    clear_notified();
    fw_wr(va(soc_map_pkg::VQ_CMD), soc_map_pkg::VQ_CMD_POP_MASK | 32'((q + 1) % NQ));
    fw_rd(va(soc_map_pkg::VQ_STATUS), st);
    check_eq(st[soc_map_pkg::VQ_STATUS_RESULT_LSB +: 4], soc_map_pkg::VQ_RESULT_EMPTY,
             {what, ": POP of another queue while pending: EMPTY"});
    @(posedge clk);
    check(notified((q + 1) % NQ), {what, ": ... and that queue's notification again"});
    fw_wr(va(soc_map_pkg::VQ_CMD), soc_map_pkg::VQ_CMD_POP_MASK | 32'(q));
    fw_rd(va(soc_map_pkg::VQ_STATUS), st);
    check(!st[soc_map_pkg::VQ_STATUS_BUSY_LSB], {what, ": POP of the pending queue not busy"});
    if (vq_res == soc_map_pkg::VQ_RESULT_OK) begin
      check_eq(st[soc_map_pkg::VQ_STATUS_RESULT_LSB +: 4], soc_map_pkg::VQ_RESULT_OK, $sformatf("%s: POP returns OK (STATUS %h)", what, st));
      fw_rd(va(soc_map_pkg::VQ_HEAD), v);
      check_eq(v[15:0], head, {what, ": POP returns the pending chain"});
      fw_rd(va(soc_map_pkg::VQ_NSEG), v);
      check_eq(32'(v[15:8]), 32'(n_w), {what, ": with its writable segments"});
      // the firmware answers it (ENOSYS-like: header only)
      fw_wr(va(soc_map_pkg::VQ_HEAD), 32'(head));
      fw_wr(va(soc_map_pkg::VQ_LEN), 32'd16);
      fw_wr(va(soc_map_pkg::VQ_CMD), soc_map_pkg::VQ_CMD_PUSH_MASK | 32'(q));
      do fw_rd(va(soc_map_pkg::VQ_STATUS), st); while (st[0]);
      check_eq(used_idx(q), used_seen[q] + 16'd1, {what, ": the firmware's PUSH lands"});
      used_seen[q] = used_idx(q);
      // nothing left, nothing consumed twice
      fw_wr(va(soc_map_pkg::VQ_CMD), soc_map_pkg::VQ_CMD_POP_MASK | 32'(q));
      do fw_rd(va(soc_map_pkg::VQ_STATUS), st); while (st[0]);
      check_eq(st[soc_map_pkg::VQ_STATUS_RESULT_LSB +: 4], soc_map_pkg::VQ_RESULT_EMPTY, {what, ": queue then empty"});
    end else begin
      check_eq(st[soc_map_pkg::VQ_STATUS_RESULT_LSB +: 4], vq_res,
               $sformatf("%s: POP returns the engine's result %0d", what, vq_res));
    end
    fw_rd(fa(soc_map_pkg::FAST_STATUS), st);
    check(!st[soc_map_pkg::FAST_STATUS_PEND_LSB], {what, ": no longer pending"});
    n_miss_checked++;
    clear_notified();
  endtask

  // The request in req[] on queue q: only the used ring and the chain's
  // writable buffers may be written; published, notified (at t0), and
  // waited for until the fast path is idle.
  task automatic send_req(input int q, input int rl [$], input int wl [$], input bit indirect,
                          output logic [15:0] head, output int t0);
    ok_lo.delete();
    ok_hi.delete();
    ok_lo.push_back(q_used_a(q));
    ok_hi.push_back(q_used_a(q) + 64'(4 + 8 * QSZ + 2));
    publish(q, rl, wl, indirect, head);
    t0 = now;
    notify(q);
    wait_idle(20000);
  endtask

  // One READ: request, chain, notify, wait; then the hit or miss checks.
  task automatic one_read(input int q, input logic [63:0] node, input logic [63:0] fh, input logic [63:0] off,
                          input logic [31:0] size, input int rl [$], input int wl [$], input bit indirect,
                          input logic [31:0] opcode, input int exp_n, input logic [3:0] why, input string what);
    logic [15:0] head;
    int t0;
    read_counters(cnt_before);
    uniq = uniq + 64'd1;
    make_req(opcode, uniq, node, fh, off, size, 32'd80);
    send_req(q, rl, wl, indirect, head, t0);
    if (why == soc_map_pkg::FASTWHY_NONE) begin
      expect_hit(q, head, node, off, exp_n, what);
      // from the cycle the notification reaches vq_fast
      last_lat = used_wr_after(q, t0) >= 0 ? used_wr_after(q, t0) - t0 - 1 : -1;
      if (lat_4k < 0 && exp_n == 4096) lat_4k = last_lat;
    end else begin
      expect_miss(q, head, why, soc_map_pkg::VQ_RESULT_OK, what);
      arm(5'b11110);
    end
    check(n_bad_writes == 0, {what, ": no write outside a device-writable buffer"});
  endtask

  // One GETXATTR of name (size: getxattr_in.size; hlen: in.len, 0 for the
  // true length): a hit is a header-only ENODATA reply, counted in XHITS.
  task automatic one_getxattr(input int q, input logic [63:0] node, input string name, input logic [31:0] size,
                              input logic [31:0] hlen, input logic [31:0] opcode, input int rl [$], input int wl [$],
                              input bit indirect, input logic [3:0] why, input string what);
    logic [15:0] head;
    int len, c [0:9], t0;
    read_counters(cnt_before);
    uniq = uniq + 64'd1;
    len = 48 + name.len() + 1;
    make_req(opcode, uniq, node, 64'(size), 64'd0, 32'd0, hlen != 0 ? hlen : 32'(len));
    for (int i = 0; i < name.len(); i++) req[48 + i] = name[i];
    req[48 + name.len()] = 8'd0;
    for (int i = 44; i < 48; i++) req[i] = 8'd0;          // padding
    send_req(q, rl, wl, indirect, head, t0);
    if (why == soc_map_pkg::FASTWHY_NONE) begin
      if (lat_x < 0 && used_wr_after(q, t0) >= 0) lat_x = used_wr_after(q, t0) - t0 - 1;
      exp_err = 32'hffff_ffc3;                      // -ENODATA
      expect_hit(q, head, node, 64'd0, 0, what);
      exp_err = 32'd0;
      read_counters(c);
      check_eq(c[9], cnt_before[9] + 1, {what, ": XHITS counts it"});
      check_eq(c[0], cnt_before[0], {what, ": HITS (READs) does not"});
    end else begin
      expect_miss(q, head, why, soc_map_pkg::VQ_RESULT_OK, what);
      arm(5'b11110);
    end
    check(n_bad_writes == 0, {what, ": no write outside a device-writable buffer"});
  endtask

  // A READ whose chain the queue engine cannot read: read nth of the engine
  // (0: the avail index) gets fault kind. The chain goes to the firmware
  // with the engine's DMA result; the firmware would reset the device, and
  // the queue starts again here.
  task automatic ring_fault(input int q, input int kind, input int nth, input string what);
    logic [15:0] h;
    int rl [$], wl [$];
    read_counters(cnt_before);
    uniq = uniq + 64'd1;
    make_req(FUSE_READ, uniq, 64'h0000_0001_0000_0011, 64'h0000_0007_0000_0003, 64'd0, 32'd4096, 32'd80);
    ok_lo.delete(); ok_hi.delete();
    ok_lo.push_back(q_used_a(q)); ok_hi.push_back(q_used_a(q) + 64'(4 + 8 * QSZ + 2));
    rl = '{40, 40}; wl = '{16, 4096};
    publish(q, rl, wl, 0, h);
    fault_cls = 0; fault_kind = kind; fault_nth = nth;
    notify(q);
    wait_idle(20000);
    check(fault_nth < 0, {what, ": the fault was applied"});
    fault_nth = -1;
    expect_miss(q, h, soc_map_pkg::FASTWHY_CHAIN, soc_map_pkg::VQ_RESULT_DMA, what);
    check(n_bad_writes == 0, {what, ": no write outside a device-writable buffer"});
    @(negedge clk);
    q_enable[q] = 1'b0;
    repeat (2) @(negedge clk);
    q_enable[q] = 1'b1;
    avail_idx[q] = 0; used_seen[q] = 0; next_desc[q] = 0;
    wr_n(q_avail_a(q), 0, 4);
    wr_n(q_used_a(q), 0, 4);
    arm(5'b11110);
  endtask

  // ------------------------------------------------------------ the run
  localparam logic [63:0] N1 = 64'h0000_0001_0000_0011;   // node IDs (generation in the high half)
  localparam logic [63:0] N2 = 64'h0000_0002_0000_0122;
  localparam logic [63:0] FH1 = 64'h0000_0007_0000_0003;
  localparam logic [63:0] FSIZE = 64'd100000;              // N1: 24 full pages and a part
  localparam logic [63:0] N3 = 64'h0000_0003_0000_0233;   // a 1 MiB file, page 0 tagged

  // Two READs of node N1 (100 bytes of page 0, 200 of page 1) published on
  // queue q, not notified; the counters before them in cnt_before.
  task automatic publish_two(input int q, output logic [15:0] h1, output logic [15:0] h2);
    int rl [$], wl [$];
    read_counters(cnt_before);
    ok_lo.delete(); ok_hi.delete();
    ok_lo.push_back(q_used_a(q)); ok_hi.push_back(q_used_a(q) + 64'(4 + 8 * QSZ + 2));
    uniq = uniq + 64'd1;
    make_req(FUSE_READ, uniq, N1, FH1, 64'd0, 32'd100, 32'd80);
    rl = '{40, 40}; wl = '{16, 100};
    publish(q, rl, wl, 0, h1);
    uniq = uniq + 64'd1;
    make_req(FUSE_READ, uniq, N1, FH1, 64'd4096, 32'd200, 32'd80);
    wl = '{16, 200};
    publish(q, rl, wl, 0, h2);
  endtask


  initial begin
    logic [31:0] v, st;
    int rl [$], wl [$];
    int c [0:9];
    logic [15:0] h1, h2;
    repeat (4) @(posedge clk);
    rst = 1'b0;
    setup_queues();
    repeat (4) @(posedge clk);
    fw_rd(fa(soc_map_pkg::FAST_TAGS), v);
    check_eq(v, 32'(TAGS), "TAGS");
    // N1: pages 0..24 tagged (fh FH1); N2: page 0 only, size 3 pages
    for (int p = 0; p < 25; p++) install(N1, FH1, 32'(p), frame_of(N1, 32'(p)), FSIZE);
    install(N3, FH1, 0, frame_of(N3, 0), 64'd1048576);
    install(N2, FH1, 0, frame_of(N2, 0), 64'd12288);
    fw_rd(fa(soc_map_pkg::FAST_TAG_SLOT), v);
    check_eq(v, 32'(8'h00 ^ 8'h22 ^ 8'h01), "TAG_SLOT: page ^ node[7:0] ^ node[15:8]");
    arm(5'b11110);                                         // request queues 1..4

    // ---- hits
    rl = '{40, 40}; wl = '{16, 4096};
    one_read(1, N1, FH1, 64'd0, 32'd4096, rl, wl, 0, FUSE_READ, 4096, soc_map_pkg::FASTWHY_NONE, "4 KiB hit");
    rl = '{80}; wl = '{4112};
    one_read(2, N1, FH1, 64'd8192, 32'd4096, rl, wl, 0, FUSE_READ, 4096, soc_map_pkg::FASTWHY_NONE, "4 KiB hit, one buffer each way");
    rl = '{40, 40}; wl = '{16, 4096, 4096, 4096};
    one_read(1, N1, FH1, 64'd12288, 32'd12288, rl, wl, 1, FUSE_READ, 12288, soc_map_pkg::FASTWHY_NONE, "12 KiB hit, indirect");
    rl = '{40, 40}; wl = '{16, 3000};
    one_read(3, N1, FH1, 64'd4000, 32'd3000, rl, wl, 0, FUSE_READ, 3000, soc_map_pkg::FASTWHY_NONE, "unaligned across a page boundary");
    // the request split at every boundary, the reply at a sweep of them
    for (int k = 1; k < 80; k++) begin
      rl = '{k, 80 - k};
      wl = '{(k % 17) + 1, 16 - ((k % 17) + 1) + 100 + k * 13, 2000, 4096};
      if (wl[0] > 16) wl = '{5, 11 + 100 + k * 13, 2000, 4096};
      one_read(1 + k % 4, N1, FH1, 64'(k * 517), 32'd2000 + 32'(k * 31), rl, wl, k % 3 == 0, FUSE_READ,
               2000 + k * 31, soc_map_pkg::FASTWHY_NONE, $sformatf("split %0d", k));
    end
    rl = '{1, 1, 1, 77}; wl = '{1, 1, 1, 1, 12, 7, 4096};
    one_read(4, N1, FH1, 64'd1, 32'd4000, rl, wl, 0, FUSE_READ, 4000, soc_map_pkg::FASTWHY_NONE, "many tiny buffers");
    // cut at the file size: 100000 = 24 pages + 1696
    rl = '{40, 40}; wl = '{16, 8192};
    one_read(1, N1, FH1, 64'd94000, 32'd8192, rl, wl, 0, FUSE_READ, 6000, soc_map_pkg::FASTWHY_NONE, "cut at EOF");
    one_read(1, N1, FH1, 64'd99000, 32'd8192, rl, wl, 0, FUSE_READ, 1000, soc_map_pkg::FASTWHY_NONE, "cut at EOF in the last page");
    one_read(1, N1, FH1, 64'd100000, 32'd4096, rl, wl, 0, FUSE_READ, 0, soc_map_pkg::FASTWHY_NONE, "at EOF: header only");
    one_read(1, N1, FH1, 64'd512, 32'd0, rl, wl, 0, FUSE_READ, 0, soc_map_pkg::FASTWHY_NONE, "size 0");
    // two chains, one notification
    begin
      publish_two(2, h1, h2);
      notify(2);
      wait_idle(20000);
      read_counters(c);
      check_eq(c[0], cnt_before[0] + 2, "two chains, one notification: both served");
      check_eq(used_idx(2), used_seen[2] + 16'd2, "two chains: two used entries");
      used_seen[2] = used_idx(2);
      check(n_bad_writes == 0, "two chains: no write outside");
    end

    // two chains published without a notification, handed over by KICK
    // (the firmware took their notification); a queue outside QMASK is not
    begin
      publish_two(3, h1, h2);
      fw_wr(fa(soc_map_pkg::FAST_KICK), 32'b1);          // queue 0: not in QMASK
      wait_idle(2000);
      check_eq(used_idx(3), used_seen[3], "KICK of a queue outside QMASK: nothing popped");
      fw_wr(fa(soc_map_pkg::FAST_KICK), 32'b1000);
      wait_idle(20000);
      read_counters(c);
      check_eq(c[0], cnt_before[0] + 2, "KICK: both waiting chains served");
      check_eq(used_idx(3), used_seen[3] + 16'd2, "KICK: two used entries");
      check(!notified(3), "KICK: the firmware was not notified");
      used_seen[3] = used_idx(3);
      check(n_bad_writes == 0, "KICK: no write outside");
    end

    // ---- misses of every kind
    rl = '{40, 40}; wl = '{16, 4096};
    one_read(1, N1, FH1, 64'd0, 32'd4096, rl, wl, 0, 32'd16, 0, soc_map_pkg::FASTWHY_OPCODE, "miss: another opcode");
    one_read(1, N1 + 64'h1_0000_0000, FH1, 64'd0, 32'd4096, rl, wl, 0, FUSE_READ, 0,
             soc_map_pkg::FASTWHY_TAG, "miss: another generation of the node");
    one_read(1, N1, FH1 + 64'd1, 64'd0, 32'd4096, rl, wl, 0, FUSE_READ, 0, soc_map_pkg::FASTWHY_TAG, "miss: another fh");
    one_read(2, N2, FH1, 64'd4096, 32'd4096, rl, wl, 0, FUSE_READ, 0, soc_map_pkg::FASTWHY_TAG, "miss: page not tagged");
    wl = '{16, 8192};
    one_read(2, N2, FH1, 64'd2048, 32'd4096, rl, wl, 0, FUSE_READ, 0, soc_map_pkg::FASTWHY_TAG,
             "miss: crosses into an untagged page");
    wl = '{16, 200000};
    one_read(3, N3, FH1, 64'd0, 32'd36 * 4096, rl, wl, 0, FUSE_READ, 0, soc_map_pkg::FASTWHY_SIZE, "miss: more pages than MAX_PAGES");
    wl = '{16, 100};
    one_read(3, N1, FH1, 64'd0, 32'd4096, rl, wl, 0, FUSE_READ, 0, soc_map_pkg::FASTWHY_CHAIN, "miss: reply does not fit");
    rl = '{40}; wl = '{16, 4096};
    one_read(3, N1, FH1, 64'd0, 32'd4096, rl, wl, 0, FUSE_READ, 0, soc_map_pkg::FASTWHY_CHAIN, "miss: request shorter than 80 bytes");
    rl = '{40, 40}; wl = '{8};
    one_read(4, N1, FH1, 64'd0, 32'd0, rl, wl, 0, FUSE_READ, 0, soc_map_pkg::FASTWHY_CHAIN, "miss: no room for the out header");
    rl = '{40, 40, 8}; wl = '{16, 4096};
    one_read(4, N1, FH1, 64'd0, 32'd4096, rl, wl, 0, FUSE_READ, 0, soc_map_pkg::FASTWHY_CHAIN, "miss: 88 readable bytes");
    // header len not 80
    begin
      logic [15:0] h;
      rl = '{40, 40}; wl = '{16, 4096};
      read_counters(cnt_before);
      uniq = uniq + 64'd1;
      make_req(FUSE_READ, uniq, N1, FH1, 64'd0, 32'd4096, 32'd81);
      ok_lo.delete(); ok_hi.delete();
      ok_lo.push_back(q_used_a(1)); ok_hi.push_back(q_used_a(1) + 64'(4 + 8 * QSZ + 2));
      publish(1, rl, wl, 0, h);
      notify(1);
      wait_idle(20000);
      expect_miss(1, h, soc_map_pkg::FASTWHY_OPCODE, soc_map_pkg::VQ_RESULT_OK, "miss: in.len not 80");
      arm(5'b11110);
    end
    // ---- GETXATTR of security.capability: ENODATA for nodes the firmware
    //      entered in the no-capability table, the firmware's otherwise
    begin
      logic [63:0] N4;
      N4 = N1 ^ 64'h0000_0001_0000_0000 ^ 64'h1;       // N1's slot, another node
      fw_rd(fa(soc_map_pkg::FAST_XNODES), v);
      check_eq(v, 32'd64, "XNODES");
      rl = '{40, 28}; wl = '{16};
      one_getxattr(1, N1, "security.capability", 0, 0, 32'd22, rl, wl, 0, soc_map_pkg::FASTWHY_XATTR,
                   "getxattr: node not entered");
      x_install(N1, 1'b0);
      x_install(N2, 1'b0);
      one_getxattr(1, N1, "security.capability", 0, 0, 32'd22, rl, wl, 0, soc_map_pkg::FASTWHY_NONE,
                   "getxattr: ENODATA from the fast path");
      wl = '{16, 8};
      one_getxattr(2, N2, "security.capability", 0, 0, 32'd22, rl, wl, 1, soc_map_pkg::FASTWHY_NONE,
                   "getxattr: size 0 with room for getxattr_out, indirect");
      wl = '{4, 12, 4096};
      one_getxattr(3, N1, "security.capability", 4096, 0, 32'd22, rl, wl, 0, soc_map_pkg::FASTWHY_NONE,
                   "getxattr: size 4096, header split, value buffer untouched");
      for (int k = 1; k < 68; k += 7) begin
        rl = '{k, 68 - k}; wl = '{16};
        one_getxattr(1 + k % 4, N2, "security.capability", 0, 0, 32'd22, rl, wl, k % 2 == 1,
                     soc_map_pkg::FASTWHY_NONE, $sformatf("getxattr: request split at %0d", k));
      end
      rl = '{40, 8, 20}; wl = '{16};
      one_getxattr(1, N1, "security.capabilitx", 0, 0, 32'd22, rl, wl, 0, soc_map_pkg::FASTWHY_OPCODE,
                   "getxattr: another name of the same length");
      rl = '{40, 25}; wl = '{16};
      one_getxattr(1, N1, "security.selinux", 0, 0, 32'd22, rl, wl, 0, soc_map_pkg::FASTWHY_CHAIN,
                   "getxattr: another name (65 bytes)");
      rl = '{40, 28};
      one_getxattr(2, N1, "security.capability", 0, 0, 32'd24, rl, wl, 0, soc_map_pkg::FASTWHY_OPCODE,
                   "getxattr: LISTXATTR-coded request of the same shape");
      one_getxattr(2, N1, "security.capability", 0, 69, 32'd22, rl, wl, 0, soc_map_pkg::FASTWHY_OPCODE,
                   "getxattr: in.len not 68");
      one_getxattr(2, N1 + 64'h1_0000_0000, "security.capability", 0, 0, 32'd22, rl, wl, 0,
                   soc_map_pkg::FASTWHY_XATTR, "getxattr: another generation of the node");
      one_getxattr(2, N3, "security.capability", 0, 0, 32'd22, rl, wl, 0, soc_map_pkg::FASTWHY_XATTR,
                   "getxattr: a node not entered");
      wl = '{8};
      one_getxattr(2, N1, "security.capability", 0, 0, 32'd22, rl, wl, 0, soc_map_pkg::FASTWHY_CHAIN,
                   "getxattr: no room for the out header");
      wl = '{16};
      x_install(N4, 1'b0);
      one_getxattr(3, N1, "security.capability", 0, 0, 32'd22, rl, wl, 0, soc_map_pkg::FASTWHY_XATTR,
                   "getxattr: a node entered in the same slot replaces it");
      one_getxattr(3, N4, "security.capability", 0, 0, 32'd22, rl, wl, 0, soc_map_pkg::FASTWHY_NONE,
                   "getxattr: ... and hits itself");
      fw_wr(fa(soc_map_pkg::FAST_XCMD), 32'd2);
      one_getxattr(4, N2, "security.capability", 0, 0, 32'd22, rl, wl, 0, soc_map_pkg::FASTWHY_XATTR,
                   "getxattr: after XCMD.CLEAR");
      // READ tags and the table are independent
      rl = '{40, 40}; wl = '{16, 4096};
      one_read(4, N1, FH1, 64'd0, 32'd4096, rl, wl, 0, FUSE_READ, 4096,
               soc_map_pkg::FASTWHY_NONE, "a READ hit after XCMD.CLEAR");
      rl = '{40, 28}; wl = '{16};
      fw_wr(fa(soc_map_pkg::FAST_INVAL_ALL), 32'd1);
      x_install(N2, 1'b1);
      one_getxattr(4, N2, "security.capability", 0, 0, 32'd22, rl, wl, 0, soc_map_pkg::FASTWHY_NONE,
                   "getxattr: INVAL_ALL leaves the table");
      for (int p = 0; p < 25; p++) install(N1, FH1, 32'(p), frame_of(N1, 32'(p)), FSIZE);
      install(N3, FH1, 0, frame_of(N3, 0), 64'd1048576);
      install(N2, FH1, 0, frame_of(N2, 0), 64'd12288);
    end

    // a chain the engine refuses: head out of range (RESULT BAD, kept for the firmware)
    begin
      read_counters(cnt_before);
      wr_n(q_avail_a(4) + 4 + 64'(2 * (avail_idx[4] % QSZ)), 64'(QSZ + 3), 2);
      avail_idx[4] = avail_idx[4] + 1;
      wr_n(q_avail_a(4) + 2, 64'(avail_idx[4]), 2);
      notify(4);
      wait_idle(20000);
      expect_miss(4, 16'd0, soc_map_pkg::FASTWHY_CHAIN, soc_map_pkg::VQ_RESULT_BAD, "miss: head out of range (BAD)");
      // the firmware would reset the device; here the queue starts again
      @(negedge clk);
      q_enable[4] = 1'b0;
      repeat (2) @(negedge clk);
      q_enable[4] = 1'b1;
      avail_idx[4] = 0; used_seen[4] = 0; next_desc[4] = 0;
      wr_n(q_avail_a(4), 0, 4);
      wr_n(q_used_a(4), 0, 4);
      arm(5'b11110);
    end
    // a queue not enabled for the fast path: the firmware's notification, untouched chain
    begin
      logic [15:0] h;
      int c2 [0:9];
      read_counters(cnt_before);
      arm(5'b11100);
      uniq = uniq + 64'd1;
      make_req(FUSE_READ, uniq, N1, FH1, 64'd0, 32'd4096, 32'd80);
      rl = '{40, 40}; wl = '{16, 4096};
      publish(1, rl, wl, 0, h);
      notify(1);
      wait_idle(2000);
      read_counters(c2);
      check(c2[0] == cnt_before[0] && c2[1] == cnt_before[1] && c2[2] == cnt_before[2] && c2[3] == cnt_before[3],
            "queue not enabled: the fast path does nothing");
      check(notified(1), "queue not enabled: the firmware is notified");
      check_eq(used_idx(1), used_seen[1], "queue not enabled: nothing pushed");
      disarm();
      clear_notified();
      fw_wr(va(soc_map_pkg::VQ_CMD), soc_map_pkg::VQ_CMD_POP_MASK | 32'd1);
      do fw_rd(va(soc_map_pkg::VQ_STATUS), st); while (st[0]);
      fw_rd(va(soc_map_pkg::VQ_HEAD), v);
      check(st[7:4] == soc_map_pkg::VQ_RESULT_OK && v[15:0] == h, "queue not enabled: the firmware pops the chain");
      fw_wr(va(soc_map_pkg::VQ_HEAD), 32'(h));
      fw_wr(va(soc_map_pkg::VQ_LEN), 32'd16);
      fw_wr(va(soc_map_pkg::VQ_CMD), soc_map_pkg::VQ_CMD_PUSH_MASK | 32'd1);
      do fw_rd(va(soc_map_pkg::VQ_STATUS), st); while (st[0]);
      used_seen[1] = used_idx(1);
      arm(5'b11110);
    end
    // not armed: a notification of an enabled queue is the firmware's
    begin
      logic [15:0] h;
      disarm();
      clear_notified();
      uniq = uniq + 64'd1;
      make_req(FUSE_READ, uniq, N1, FH1, 64'd0, 32'd4096, 32'd80);
      rl = '{40, 40}; wl = '{16, 4096};
      publish(2, rl, wl, 0, h);
      notify(2);
      repeat (50) @(posedge clk);
      check(notified(2) && used_idx(2) == used_seen[2], "not armed: the firmware's notification, nothing served");
      fw_wr(va(soc_map_pkg::VQ_CMD), soc_map_pkg::VQ_CMD_POP_MASK | 32'd2);
      do fw_rd(va(soc_map_pkg::VQ_STATUS), st); while (st[0]);
      fw_wr(va(soc_map_pkg::VQ_HEAD), 32'(h));
      fw_wr(va(soc_map_pkg::VQ_LEN), 32'd16);
      fw_wr(va(soc_map_pkg::VQ_CMD), soc_map_pkg::VQ_CMD_PUSH_MASK | 32'd2);
      do fw_rd(va(soc_map_pkg::VQ_STATUS), st); while (st[0]);
      used_seen[2] = used_idx(2);
      clear_notified();
      arm(5'b11110);
    end

    // ---- invalidation
    fw_wr(fa(soc_map_pkg::FAST_INVAL), N2[31:0]);
    do fw_rd(fa(soc_map_pkg::FAST_STATUS), st); while (st[soc_map_pkg::FAST_STATUS_INVAL_LSB]);
    rl = '{40, 40}; wl = '{16, 4096};
    one_read(2, N2, FH1, 64'd0, 32'd4096, rl, wl, 0, FUSE_READ, 0, soc_map_pkg::FASTWHY_TAG, "miss: node invalidated");
    read_counters(c);
    check(c[7] >= 1, "INVALS counted");
    // during a hit: INVAL written while the hit runs completes after its used entry
    begin
      logic [15:0] h;
      int inval_done_at, t_hit;
      ok_lo.delete(); ok_hi.delete();
      ok_lo.push_back(q_used_a(3)); ok_hi.push_back(q_used_a(3) + 64'(4 + 8 * QSZ + 2));
      uniq = uniq + 64'd1;
      make_req(FUSE_READ, uniq, N1, FH1, 64'd0, 32'd16384, 32'd80);
      wl = '{16, 16384};
      publish(3, rl, wl, 0, h);
      t_hit = now;
      notify(3);
      repeat (150) @(posedge clk);
      check(!fast_idle, "invalidate during a hit: the hit is still running");
      fw_wr(fa(soc_map_pkg::FAST_INVAL), N1[31:0]);
      inval_done_at = -1;
      for (int i = 0; i < 20000 && inval_done_at < 0; i++) begin
        fw_rd(fa(soc_map_pkg::FAST_STATUS), st);
        if (!st[soc_map_pkg::FAST_STATUS_INVAL_LSB]) inval_done_at = now;
        // the core's accesses beside FAST go first on the shared port
        fw_rd(soc_map_pkg::DMA_BASE + 32'(soc_map_pkg::DMA_UNEXPECTED), v);
      end
      check(used_wr_after(3, t_hit) >= 0 && inval_done_at > used_wr_after(3, t_hit),
            $sformatf("invalidate during a hit: the hit's used entry (%0d) before the invalidation completes (%0d)",
                      used_wr_after(3, t_hit), inval_done_at));
      wait_idle(20000);
      expect_hit(3, h, N1, 64'd0, 16384, "hit completed under invalidation");
      wl = '{16, 4096};
      one_read(3, N1, FH1, 64'd0, 32'd4096, rl, wl, 0, FUSE_READ, 0, soc_map_pkg::FASTWHY_TAG, "miss: after the invalidation");
    end
    // INVAL_ALL, then re-install: hits again
    fw_wr(fa(soc_map_pkg::FAST_INVAL_ALL), 32'd1);
    one_read(1, N2, FH1, 64'd0, 32'd4096, rl, wl, 0, FUSE_READ, 0, soc_map_pkg::FASTWHY_TAG, "miss: after INVAL_ALL");
    install(N1, FH1, 0, frame_of(N1, 0), FSIZE);
    one_read(1, N1, FH1, 64'd0, 32'd4096, rl, wl, 0, FUSE_READ, 4096, soc_map_pkg::FASTWHY_NONE, "hit after a new install");

    // ---- random steps against a model of the tag table: installs (slots
    //      collide: direct mapped), invalidations and READs of two files
    //      from four queues, any split; each READ must hit exactly when
    //      every page of its cut range is tagged, with the file's bytes
    begin
      tb_rng r;
      bit          m_valid [0:TAGS-1];
      logic [63:0] m_node [0:TAGS-1];
      logic [31:0] m_page [0:TAGS-1];
      logic [63:0] nodes [0:1];
      logic [63:0] sizes [0:1];
      int n_rhit, n_rmiss;
      r = new(32'hfa57_0015);
      nodes[0] = 64'h0000_0005_0000_0041;
      nodes[1] = 64'h0000_0009_0000_0141;
      sizes[0] = 64'd20000;
      sizes[1] = 64'd9000;
      n_rhit = 0;
      n_rmiss = 0;
      fw_wr(fa(soc_map_pkg::FAST_INVAL_ALL), 32'd1);
      for (int i = 0; i < TAGS; i++) m_valid[i] = 0;
      for (int step = 0; step < N_RANDOM; step++) begin
        int x, ni;
        x = int'(r.range(0, 99));
        ni = int'(r.range(0, 1));
        if (x < 50) begin
          logic [31:0] pg;
          int sl;
          pg = 32'(r.range(0, 5));
          install(nodes[ni], FH1, pg, frame_of(nodes[ni], pg), sizes[ni]);
          sl = int'(pg[7:0] ^ nodes[ni][7:0] ^ nodes[ni][15:8]);
          m_valid[sl] = 1;
          m_node[sl] = nodes[ni];
          m_page[sl] = pg;
        end else if (x < 55) begin
          fw_wr(fa(soc_map_pkg::FAST_INVAL), nodes[ni][31:0]);
          do fw_rd(fa(soc_map_pkg::FAST_STATUS), st); while (st[soc_map_pkg::FAST_STATUS_INVAL_LSB]);
          for (int i = 0; i < TAGS; i++) if (m_valid[i] && m_node[i][31:0] == nodes[ni][31:0]) m_valid[i] = 0;
        end else begin
          logic [63:0] off, fh;
          logic [31:0] sz;
          int n, k, w0, w1, extra, hit, q;
          off = 64'(r.range(0, int'(sizes[ni]) + 3000));
          sz = 32'(r.range(0, 2 * 4096));
          fh = r.chance(8) ? FH1 + 64'd2 : FH1;
          n = (off >= sizes[ni]) ? 0 : ((sizes[ni] - off < 64'(sz)) ? int'(sizes[ni] - off) : int'(sz));
          // the model: the first page's tag, then every page of the cut range
          hit = fh == FH1;
          for (logic [63:0] pg = off >> 12; hit && pg <= ((n == 0) ? (off >> 12) : ((off + 64'(n) - 1) >> 12)); pg++) begin
            int sl;
            sl = int'(pg[7:0] ^ nodes[ni][7:0] ^ nodes[ni][15:8]);
            if (!(m_valid[sl] && m_node[sl] == nodes[ni] && m_page[sl] == 32'(pg))) hit = 0;
          end
          k = int'(r.range(1, 79));
          rl = '{k, 80 - k};
          extra = int'(r.range(0, 300));
          w0 = int'(r.range(1, 40));
          w1 = int'(r.range(0, 16 + int'(sz) + extra - w0));
          wl = '{w0, w1, 16 + int'(sz) + extra - w0 - w1};
          q = int'(r.range(1, 4));
          one_read(q, nodes[ni], fh, off, sz, rl, wl, r.chance(30), FUSE_READ, n,
                   hit ? soc_map_pkg::FASTWHY_NONE : soc_map_pkg::FASTWHY_TAG,
                   $sformatf("random step %0d (%s)", step, hit ? "hit" : "miss"));
          if (hit) n_rhit++;
          else n_rmiss++;
        end
      end
      $display("vq_fast: random steps: %0d hits, %0d misses", n_rhit, n_rmiss);
      check(n_rhit >= 15 && n_rmiss >= 15, "random steps: both hits and misses");
    end

    // ---- the host's timing, and completion faults on the fast path's own reads
    begin
      int base;
      // the random steps cleared the table
      for (int p = 0; p < 25; p++) install(N1, FH1, 32'(p), frame_of(N1, 32'(p)), FSIZE);
      rl = '{40, 40}; wl = '{16, 4096};
      // the chain's four descriptors in one aligned group of four (one
      // 64-byte read), as the first 4 KiB case had them: the figure must
      // not depend on how many chains the cases before left in the ring
      next_desc[1] = 16'((32'(next_desc[1]) + 3) / 4 * 4 % QSZ);
      host_lat = 200;                                      // 800 ns at 250 MHz
      one_read(1, N1, FH1, 64'd0, 32'd4096, rl, wl, 0, FUSE_READ, 4096, soc_map_pkg::FASTWHY_NONE,
               "4 KiB hit, 800 ns host");
      lat_800 = last_lat;
      host_lat = 0;
      for (int p = 0; p < MAX_PAGES; p++) install(N3, FH1, 32'(p), frame_of(N3, 32'(p)), 64'd1048576);
      rl = '{40, 40}; wl = '{16, 131072};
      dph_first = -1;
      one_read(2, N3, FH1, 64'd0, 32'd131072, rl, wl, 0, FUSE_READ, 131072, soc_map_pkg::FASTWHY_NONE,
               "128 KiB hit");
      cyc_128k = dph_last - dph_first + 1;
      lat_128k = last_lat;
      // completions cut at every RCB boundary, later ones first, with latency
      rcb_split = 1'b1; reorder = 1'b1; host_lat = 37;
      for (int k = 3; k < 80; k += 19) begin
        rl = '{k, 80 - k}; wl = '{16 + k, 4096, 2000 - k};
        one_read(1 + k % 4, N1, FH1, 64'(k * 301), 32'd6000, rl, wl, k % 2 == 1, FUSE_READ, 6000,
                 soc_map_pkg::FASTWHY_NONE, $sformatf("completions split at the RCB and reordered, split %0d", k));
      end
      // The engines keep one read in flight at a time on this path, so
      // there is nothing to overtake yet: say how often it happened.
      $display("vq_fast: completions overtaken by later ones: %0d", n_reordered);
      rcb_split = 1'b0; reorder = 1'b0; host_lat = 0;
      // a read of the request bytes faulted: the chain goes to the firmware
      base = n_faulted;
      rl = '{40, 40}; wl = '{16, 4096};
      fault_cls = 1;
      fault_kind = FK_UR; fault_nth = 0;
      one_read(1, N1, FH1, 64'd0, 32'd4096, rl, wl, 0, FUSE_READ, 0, soc_map_pkg::FASTWHY_DMA, "request read: UR");
      fault_kind = FK_CA; fault_nth = 1;
      rl = '{30, 50};
      one_read(3, N1, FH1, 64'd0, 32'd4096, rl, wl, 0, FUSE_READ, 0, soc_map_pkg::FASTWHY_DMA,
               "request read: CA on the second segment");
      fault_kind = FK_DROP; fault_nth = 0;
      rl = '{40, 40};
      one_read(2, N1, FH1, 64'd0, 32'd4096, rl, wl, 0, FUSE_READ, 0, soc_map_pkg::FASTWHY_DMA,
               "request read: no completion (timeout)");
      check_eq(32'(n_faulted - base), 32'd3, "the three request reads were faulted");
      one_read(2, N1, FH1, 64'd4096, 32'd4096, rl, wl, 0, FUSE_READ, 4096, soc_map_pkg::FASTWHY_NONE,
               "a hit after the request-read faults");
      // the queue engine's reads faulted (avail index, ring entry, descriptor)
      ring_fault(4, FK_UR, 0, "avail index read: UR");
      ring_fault(4, FK_CA, 1, "ring entry read: CA");
      ring_fault(3, FK_DROP, 2, "descriptor read: no completion (timeout)");
      check_eq(32'(n_faulted - base), 32'd6, "the three ring reads were faulted");
      rl = '{40, 40}; wl = '{16, 4096};
      one_read(4, N1, FH1, 64'd0, 32'd4096, rl, wl, 0, FUSE_READ, 4096, soc_map_pkg::FASTWHY_NONE,
               "a hit after the ring faults");
    end

    // ---- a function reset in the middle of a hit: no hang, nothing kept
    begin
      logic [15:0] h;
      install(N1, FH1, 0, frame_of(N1, 0), FSIZE);
      ok_lo.delete(); ok_hi.delete();
      uniq = uniq + 64'd1;
      make_req(FUSE_READ, uniq, N1, FH1, 64'd0, 32'd4096, 32'd80);
      rl = '{40, 40}; wl = '{16, 4096};
      publish(1, rl, wl, 0, h);
      notify(1);
      repeat (200) @(posedge clk);
      check(!fast_idle, "reset during a hit: the hit is running");
      // ... in the middle of a write TLP of the reply, which pcie_tx_tail
      // must finish (else the arbiter waits for its last beat for ever)
      begin
        int w;
        w = 0;
        while (!(u_tail.open_q && !u_tail.out_eop) && w < 2000) begin @(negedge clk); w++; end
        check(w < 2000, "reset during a hit: a write TLP under way");
      end
      fn_reset = 1'b1;
      q_enable = '0;
      repeat (3) @(negedge clk);
      fn_reset = 1'b0;
      wait_idle(100);
      fw_rd(fa(soc_map_pkg::FAST_STATUS), st);
      check(st[2:0] == 3'b000, $sformatf("reset during a hit: not busy, no pending chain (STATUS %h)", st));
      fw_rd(fa(soc_map_pkg::FAST_CTRL), v);
      check_eq(v, 32'd0, "reset during a hit: disarmed");
      repeat (100) @(posedge clk);
      check(n_bad_writes == 0, "reset during a hit: no write outside");
      setup_queues();
      clear_notified();
      arm(5'b11110);
      one_read(1, N1, FH1, 64'd0, 32'd4096, rl, wl, 0, FUSE_READ, 0, soc_map_pkg::FASTWHY_TAG,
               "after a reset mid-hit: the tags are gone");
      install(N1, FH1, 0, frame_of(N1, 0), FSIZE);
      one_read(1, N1, FH1, 64'd0, 32'd4096, rl, wl, 0, FUSE_READ, 4096, soc_map_pkg::FASTWHY_NONE,
               "after a reset mid-hit: hits again");
      rl = '{40, 28}; wl = '{16};
      one_getxattr(2, N2, "security.capability", 0, 0, 32'd22, rl, wl, 0, soc_map_pkg::FASTWHY_XATTR,
                   "after a reset: the no-capability table is empty");
    end

    read_counters(c);
    $display("vq_fast: %0d hits (%0d bytes), misses: opcode %0d, chain %0d, tag %0d, size %0d, dma %0d; invalidated %0d; GETXATTR ENODATA %0d, not entered %0d",
             c[0], c[6], c[1], c[2], c[3], c[4], c[5], c[7], c[9], c[8]);
    fw_rd(fa(soc_map_pkg::FAST_LAST_CYCLES), v);
    $display("vq_fast: READ 4 KiB hit, notify to used index written: %0d cycles (limit %0d); FAST.LAST_CYCLES %0d",
             lat_4k, LAT_LIMIT, v);
    check(lat_4k > 0 && lat_4k <= LAT_LIMIT, "READ 4 KiB hit latency within the target");
    $display("vq_fast: GETXATTR security.capability answered ENODATA, notify to used index written: %0d cycles", lat_x);
    check(lat_x > 0, "GETXATTR latency measured");
    $display("vq_fast: READ 4 KiB hit, 800 ns host, notify to used index written: %0d cycles (target %0d)",
             lat_800, LAT800_LIMIT);
    $display("vq_fast: READ 128 KiB hit, reply data phase: %0d bytes in %0d cycles (%0d.%02d B/cycle of 32), notify to used %0d cycles",
             131072 + 16, cyc_128k, (131088 / cyc_128k), (131088 * 100 / cyc_128k) % 100, lat_128k);
    check(n_hits_checked >= 91 && n_miss_checked >= 16, "every case ran");
    tb_done($sformatf("vq_fast (%0d hits, %0d misses checked, 4 KiB hit %0d cycles)", n_hits_checked, n_miss_checked, lat_4k));
  end

  initial begin
    #50000000;
    $fatal(1, "vq_fast bench: timeout");
  end
endmodule
