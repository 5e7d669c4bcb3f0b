`default_nettype none
// Bench for pcie_ep (rtl/pcie, with its submodules): the bench is the root
// complex, the BAR0 application (a register file answering 1..3 cycles
// after the grant) and the BAR2 window (a byte memory taking the bq_*
// stream and returning the lines of each read on bd_* with random gaps).
// Checks: configuration reads of the IDs and the whole capability list
// (order, ids, virtio cfg_types), BAR sizing, the completer ID learnt from
// CfgWr, Device Control (MPS clamped to 256), BAR0 writes and reads of the
// application registers against a mirror (completion length, byte count,
// lower address, data), the MSI-X table and messages (masked vector pending
// until unmasked), INTx, and UR / CA / drop with err_count for requests
// outside the BARs, I/O, type 1 configuration, locked reads, memory space
// disabled, long BAR0 requests, BAR2 requests across 4 KiB or longer than
// MPS. Random: BAR0 and BAR2 writes and reads (BAR2 reads up to 4 KiB,
// completions checked for MPS split, byte count, lower address and data).
module tb;
  import tb_pkg::*;
  localparam int BAR2_LOG2 = 20;
  localparam int N_RANDOM = 600;
  localparam logic [15:0] BDF = 16'h0300;     // the card's bus/device/function
  localparam logic [15:0] RC = 16'h0000;      // the root complex's requester ID
  localparam logic [63:0] BAR0 = 64'h0000_0001_2340_0000;
  localparam logic [63:0] BAR2 = 64'h0000_0000_c010_0000;

  `TB_CLK_RST(clk, rst, 5)

  logic [127:0] rx_hdr = '0, tx_hdr;
  logic [255:0] rx_data = '0, tx_data;
  logic rx_sop = 1'b0, rx_eop = 1'b0, rx_valid = 1'b0, rx_ready;
  logic tx_sop, tx_eop, tx_valid, tx_ready = 1'b0;
  logic app_req, app_we, app_gnt = 1'b0, app_rvalid = 1'b0;
  logic [14:0] app_addr;
  logic [3:0] app_be;
  logic [31:0] app_wdata, app_rdata = '0;
  logic bq_valid, bq_ready = 1'b0, bq_sop, bq_eop, bq_we;
  logic [BAR2_LOG2-1:0] bq_addr;
  logic [10:0] bq_ndw;
  logic [3:0] bq_fbe, bq_lbe;
  logic [255:0] bq_data, bd_data = '0;
  logic bd_valid = 1'b0, bd_ready;
  logic irq_valid = 1'b0, intx_level = 1'b0, intx_assert, msix_enable;
  logic [15:0] irq_vector = '0, requester_id;
  logic bus_master;
  logic [2:0] max_payload, max_read_req;
  logic [31:0] err_count;

  pcie_ep #(.DATA_W(256), .BAR2_SIZE_LOG2(BAR2_LOG2), .MSIX_VECTORS(8)) dut (
    .clk, .rst,
    .rx_tlp_hdr(rx_hdr), .rx_tlp_data(rx_data), .rx_tlp_sop(rx_sop), .rx_tlp_eop(rx_eop),
    .rx_tlp_valid(rx_valid), .rx_tlp_ready(rx_ready),
    .tx_tlp_hdr(tx_hdr), .tx_tlp_data(tx_data), .tx_tlp_sop(tx_sop), .tx_tlp_eop(tx_eop),
    .tx_tlp_valid(tx_valid), .tx_tlp_ready(tx_ready),
    .app_req, .app_we, .app_addr, .app_be, .app_wdata, .app_gnt, .app_rvalid, .app_rdata,
    .bq_valid, .bq_ready, .bq_sop, .bq_eop, .bq_we, .bq_addr, .bq_ndw, .bq_fbe, .bq_lbe, .bq_data,
    .bd_valid, .bd_ready, .bd_data,
    .irq_valid, .irq_vector, .intx_level, .intx_assert, .msix_enable,
    .requester_id, .bus_master, .max_payload, .max_read_req, .err_count);

  tb_rng     rng = new(32'hec00_0001);
  tlp_source src = new(32'hec00_0002, 85);
  tlp_sink   sink = new(32'hec00_0003, 75);
  bp_gen     gnt_bp = new(32'hec00_0004, 60, 30);
  bp_gen     bq_bp = new(32'hec00_0005, 70, 30);
  bp_gen     bd_bp = new(32'hec00_0006, 70, 30);

  // ------------------------------------------------------------ streams
  always @(posedge clk) begin
    if (rst) begin
      tx_ready <= 1'b0;
      rx_valid <= 1'b0;
    end else begin
      `TB_TLP_SINK(sink, tx)
      `TB_TLP_SOURCE(src, rx)
    end
  end

  // ------------------------------------------------------------ BAR0 application
  logic [31:0] appmem [0:4095];
  int rd_wait = -1;
  int n_app_wr = 0, n_app_rd = 0, n_app_clock = 0;
  always @(posedge clk) begin
    app_rvalid <= 1'b0;
    if (!rst) begin
      if (app_req && app_gnt) begin
        if (app_addr >= 15'h4000 && app_addr < 15'h6000)
          check(0, $sformatf("app port request at %h (MSI-X window)", app_addr));
        if (app_addr >= 15'h6000) n_app_clock++;
        if (app_we) begin
          n_app_wr++;
          for (int b = 0; b < 4; b++) if (app_be[b]) appmem[app_addr[13:2]][8 * b +: 8] <= app_wdata[8 * b +: 8];
        end else begin
          n_app_rd++;
          rd_wait = int'(rng.range(0, 2));
          app_rdata <= appmem[app_addr[13:2]];
        end
      end else if (rd_wait == 0) begin
        app_rvalid <= 1'b1;
        rd_wait = -1;
      end else if (rd_wait > 0) begin
        rd_wait--;
      end
      app_gnt <= gnt_bp.next() && rd_wait < 0;
    end
  end

  // ------------------------------------------------------------ BAR2 window
  logic [7:0] win [logic [31:0]];
  function automatic logic [7:0] dflt(input logic [31:0] a);
    return 8'(a * 13 + (a >> 8));
  endfunction
  function automatic logic [7:0] wb(input logic [31:0] a);
    return win.exists(a) ? win[a] : dflt(a);
  endfunction
  logic [255:0] lines [$];
  logic [31:0] w_addr;
  int w_k, w_ndw;
  logic [3:0] w_fbe, w_lbe;
  int n_bq_wr = 0, n_bq_rd = 0;
  always @(posedge clk) begin
    if (rst) begin
      bq_ready <= 1'b0;
      bd_valid <= 1'b0;
    end else begin
      if (bq_valid && bq_ready) begin
        if (bq_sop) begin
          w_addr = 32'(bq_addr);
          w_ndw = int'(bq_ndw);
          w_fbe = bq_fbe;
          w_lbe = bq_lbe;
          w_k = 0;
          check(bq_addr[1:0] == 0, "bq address DW aligned");
        end
        if (bq_we) begin
          if (bq_sop) n_bq_wr++;
          for (int d = 0; d < 8; d++) begin
            if (w_k < w_ndw) begin
              logic [3:0] be;
              be = (w_k == 0) ? w_fbe : (w_k == w_ndw - 1) ? w_lbe : 4'hf;
              for (int b = 0; b < 4; b++)
                if (be[b]) win[w_addr + 32'(4 * w_k + b)] = bq_data[32 * d + 8 * b +: 8];
              w_k++;
            end
          end
        end else begin
          int nl;
          n_bq_rd++;
          check(bq_sop && bq_eop, "a BAR2 read is one beat");
          nl = (int'(w_addr[4:2]) + w_ndw + 7) / 8;
          for (int l = 0; l < nl; l++) begin
            logic [255:0] x;
            for (int b = 0; b < 32; b++) x[8 * b +: 8] = wb({w_addr[31:5], 5'd0} + 32'(32 * l + b));
            lines.push_back(x);
          end
        end
      end
      bq_ready <= bq_bp.next();
      if (bd_valid && bd_ready) bd_valid <= 1'b0;
      if ((!bd_valid || bd_ready) && lines.size() != 0 && bd_bp.next()) begin
        logic [255:0] x;
        x = lines.pop_front();
        bd_valid <= 1'b1;
        bd_data <= x;
      end
    end
  end

  // ------------------------------------------------------------ requests
  tlp_t cpls [$];          // completions of the last request
  int   n_reqs = 0, n_cpl = 0;

  // Sends t; for a non-posted request waits until its last completion is in.
  task automatic xact(input tlp_t t, input bit np);
    int cycles, tag;
    logic [127:0] h;
    cpls.delete();
    src.send(t);
    n_reqs++;
    h = tlp_hdr(t);
    tag = int'(h_req_tag(h));
    cycles = 0;
    forever begin
      @(negedge clk);
      cycles++;
      while (sink.got.size() != 0) begin
        tlp_t c;
        c = sink.got.pop_front();
        cpls.push_back(c);
        n_cpl++;
      end
      if (np && cpls.size() != 0) begin
        logic [127:0] ch;
        ch = tlp_hdr(cpls[cpls.size() - 1]);
        if (h_type(ch) != pcie_pkg::TYPE_CPL || !h_has_data(ch) ||
            c_bytes(ch) <= 4 * h_ndw(ch) - int'(c_la(ch) & 3)) break;
      end
      if (!np && src.idle() && cycles > 30) break;
      if (cycles > 20000) begin
        check(0, $sformatf("request %h: no (last) completion", h));
        break;
      end
    end
  endtask

  // A completion in cpls[i]: status, length, byte count, lower address, IDs.
  function automatic void check_cpl(input int i, input logic [2:0] st, input int ndw, input int bytes,
                                    input logic [6:0] la, input logic [7:0] tag, input string what);
    logic [127:0] h;
    if (i >= cpls.size()) begin
      check(0, $sformatf("%s: completion %0d missing", what, i));
      return;
    end
    h = tlp_hdr(cpls[i]);
    check(h_type(h) == pcie_pkg::TYPE_CPL && c_status(h) == st && h_has_data(h) == (ndw != 0) &&
          (ndw == 0 || h_ndw(h) == ndw) && c_bytes(h) == bytes && c_la(h) == la && c_tag(h) == tag &&
          c_reqid(h) == RC && c_cid(h) == requester_id,
          $sformatf("%s: completion %h, expected status %0d, %0d DW, %0d bytes, la %h, tag %0d", what, h,
                    st, ndw, bytes, la, tag));
  endfunction

  logic [7:0] tag_n = 0;
  function automatic logic [7:0] next_tag();
    tag_n++;
    return tag_n;
  endfunction

  // configuration read / write
  task automatic cfg_rd(input int dw, output logic [31:0] v);
    tlp_t t;
    logic [7:0] tag;
    tag = next_tag();
    t = new(cfg_hdr(1'b0, dw, 4'hf, RC, tag, BDF));
    xact(t, 1'b1);
    check_cpl(0, pcie_pkg::CPL_SC, 1, 4, 7'd0, tag, $sformatf("CfgRd DW %0d", dw));
    v = (cpls.size() != 0 && cpls[0].dw.size() != 0) ? cpls[0].dw[0] : 32'hx;
  endtask
  task automatic cfg_wr(input int dw, input logic [3:0] be, input logic [31:0] v);
    tlp_t t;
    logic [7:0] tag;
    tag = next_tag();
    t = new(cfg_hdr(1'b1, dw, be, RC, tag, BDF));
    t.dw.push_back(v);
    xact(t, 1'b1);
    check_cpl(0, pcie_pkg::CPL_SC, 0, 4, 7'd0, tag, $sformatf("CfgWr DW %0d", dw));
  endtask

  // Mirrors
  logic [31:0] exp_app [0:4095];
  logic [7:0] exp_win [logic [31:0]];
  function automatic logic [7:0] ew(input logic [31:0] a);
    return exp_win.exists(a) ? exp_win[a] : dflt(a);
  endfunction

  // BAR0 application write / read of ndw DWs at offset off (one beat)
  task automatic bar0_wr(input int off, input int ndw, input logic [3:0] fbe, input logic [3:0] lbe);
    tlp_t t;
    t = new(mem_hdr(1'b1, BAR0 + 64'(off), ndw, fbe, ndw == 1 ? 4'd0 : lbe, RC, 8'd0));
    for (int i = 0; i < ndw; i++) begin
      logic [31:0] v;
      logic [3:0] be;
      v = rng.next();
      t.dw.push_back(v);
      be = (i == 0) ? fbe : (i == ndw - 1) ? lbe : 4'hf;
      if (off < 16'h4000)
        for (int b = 0; b < 4; b++) if (be[b]) exp_app[off / 4 + i][8 * b +: 8] = v[8 * b +: 8];
    end
    xact(t, 1'b0);
    check(cpls.size() == 0, "no completion for a BAR0 write");
  endtask
  int n_bar0_rd = 0, n_bar2_rd = 0, n_bar2_wr = 0, n_bar2_cpl = 0;
  task automatic bar0_rd(input int off, input int ndw, input logic [3:0] fbe, input logic [3:0] lbe);
    tlp_t t;
    logic [7:0] tag;
    logic [3:0] l;
    tag = next_tag();
    l = (ndw == 1) ? 4'd0 : lbe;
    t = new(mem_hdr(1'b0, BAR0 + 64'(off), ndw, fbe, l, RC, tag));
    xact(t, 1'b1);
    n_bar0_rd++;
    check_cpl(0, pcie_pkg::CPL_SC, ndw, int'(pcie_pkg::read_bytes(11'(ndw), fbe, l)),
              {7'(off) & 7'h7c} | 7'(pcie_pkg::be_low(fbe)), tag, $sformatf("BAR0 read of %0d DW at %h", ndw, off));
    if (cpls.size() != 0 && off < 16'h4000)
      for (int i = 0; i < ndw && i < cpls[0].dw.size(); i++)
        check_eq(cpls[0].dw[i], exp_app[off / 4 + i], $sformatf("BAR0 read at %h DW %0d", off, i));
  endtask

  // BAR2 write / read of len bytes at window offset a (within one page)
  task automatic bar2_wr(input logic [31:0] a, input int len);
    tlp_t t;
    int ndw;
    logic [3:0] fbe, lbe;
    byte_enables(64'(a), len, ndw, fbe, lbe);
    t = new(mem_hdr(1'b1, BAR2 + 64'(a), ndw, fbe, lbe, RC, 8'd0));
    for (int i = 0; i < ndw; i++) t.dw.push_back(rng.next());
    for (int i = 0; i < len; i++) exp_win[a + 32'(i)] = t.byte_at(int'(a[1:0]) + i);
    xact(t, 1'b0);
    n_bar2_wr++;
    check(cpls.size() == 0, "no completion for a BAR2 write");
  endtask
  task automatic bar2_rd(input logic [31:0] a, input int len);
    tlp_t t;
    int ndw, mps, left, pos, cnt;
    logic [3:0] fbe, lbe;
    logic [7:0] tag;
    byte_enables(64'(a), len, ndw, fbe, lbe);
    tag = next_tag();
    t = new(mem_hdr(1'b0, BAR2 + 64'(a), ndw, fbe, lbe, RC, tag));
    xact(t, 1'b1);
    n_bar2_rd++;
    mps = (max_payload == 0) ? 128 : 256;
    left = len;
    pos = int'(a);                       // window address of the next byte
    cnt = 0;
    for (int i = 0; i < cpls.size(); i++) begin
      int dw0, dwe, n;
      // this completion: from pos up to the next MPS boundary or the end
      dw0 = pos & ~3;
      dwe = ((pos & ~(mps - 1)) + mps < int'(a) + len) ? (pos & ~(mps - 1)) + mps : ((int'(a) + len + 3) & ~3);
      n = (dwe - dw0) / 4;
      check_cpl(i, pcie_pkg::CPL_SC, n, left, 7'(pos), tag,
                $sformatf("BAR2 read of %0d bytes at %h (MPS %0d), completion %0d", len, a, mps, i));
      for (int k = 0; k < 4 * n && k < 4 * cpls[i].dw.size(); k++) begin
        int ba;
        ba = dw0 + k;
        if (ba >= pos && ba < int'(a) + len) begin
          if (cpls[i].byte_at(k) !== ew(32'(ba))) begin
            cnt++;
          end
        end
      end
      left -= dwe - pos;
      pos = dwe;
      n_bar2_cpl++;
    end
    check(left <= 0 && cnt == 0, $sformatf("BAR2 read of %0d bytes at %h: %0d bytes short, %0d wrong", len, a, left, cnt));
  endtask

  // A request that must get status st (no data) or be dropped (st = 7).
  task automatic refused(input logic [127:0] h, input int ndw, input logic [2:0] st, input string what);
    tlp_t t;
    int e0;
    e0 = int'(err_count);
    t = new(h);
    for (int i = 0; i < ndw; i++) t.dw.push_back(32'hdead_0000 + 32'(i));
    xact(t, st != 3'd7);
    if (st == 3'd7) check(cpls.size() == 0, $sformatf("%s: dropped without completion", what));
    else check_cpl(0, st, 0, int'(h[47:40] == 0 ? 4 : 4), 7'd0, h[47:40], what);
  endtask

  initial begin
    logic [31:0] v;
    int ptr, k, e0;
    logic [7:0] ids [9];
    logic [7:0] types [6];
    ids = '{8'h01, 8'h10, 8'h11, 8'h09, 8'h09, 8'h09, 8'h09, 8'h09, 8'h09};
    types = '{8'd1, 8'd2, 8'd3, 8'd4, 8'd8, 8'd9};
    for (int i = 0; i < 4096; i++) begin
      appmem[i] = rng.next();
      exp_app[i] = appmem[i];
    end
    repeat (5) @(posedge clk);
    rst <= 1'b0;
    repeat (5) @(posedge clk);

    // --- configuration space
    cfg_rd(0, v); check_eq(v, {pcie_pkg::DEVICE_ID, pcie_pkg::VENDOR_ID}, "vendor and device ID");
    check_eq(requester_id, 16'h0000, "no ID before a CfgWr");
    cfg_rd(2, v); check_eq(v, {pcie_pkg::CLASS_CODE, pcie_pkg::REVISION_ID}, "class and revision");
    cfg_rd(11, v); check_eq(v, {pcie_pkg::SUBSYS_ID, pcie_pkg::SUBSYS_VENDOR}, "subsystem IDs");
    cfg_wr(4, 4'hf, 32'hffff_ffff); cfg_wr(5, 4'hf, 32'hffff_ffff);
    check_eq(requester_id, BDF, "requester ID learnt from CfgWr");
    cfg_rd(4, v); check_eq(v, 32'hffff_8004, "BAR0 size probe (32 KiB, 64-bit)");
    cfg_rd(5, v); check_eq(v, 32'hffff_ffff, "BAR0 upper size probe");
    cfg_wr(6, 4'hf, 32'hffff_ffff);
    cfg_rd(6, v); check_eq(v, 32'hfff0_000c, "BAR2 size probe (1 MiB, 64-bit prefetchable)");
    cfg_wr(4, 4'hf, BAR0[31:0]); cfg_wr(5, 4'hf, BAR0[63:32]);
    cfg_wr(6, 4'hf, BAR2[31:0]); cfg_wr(7, 4'hf, BAR2[63:32]);
    cfg_rd(4, v); check_eq(v, {BAR0[31:4], 4'b0100}, "BAR0 base");
    cfg_rd(13, v); ptr = int'(v[7:0]);
    k = 0;
    while (ptr != 0 && k < 10) begin
      cfg_rd(ptr / 4, v);
      check(k < 9 && v[7:0] == ids[k], $sformatf("capability %0d at %h: id %h", k, ptr, v[7:0]));
      if (k >= 3 && k < 9) check_eq(v[31:24], types[k - 3], $sformatf("virtio capability %0d cfg_type", k - 3));
      if (k == 8) begin
        // vendor data: the card's clock in BAR0 (virtio_pci_caps), last in the list
        logic [31:0] b;
        check_eq(v[23:8], 16'h1400, "clock's vendor data: length 20, no next");
        cfg_rd(ptr / 4 + 1, b); check_eq(b, {8'd1, 8'd1, pcie_pkg::VENDOR_ID}, "vendor 0x1af4, what 1, version 1");
        cfg_rd(ptr / 4 + 2, b); check_eq(b, 32'd0, "clock in BAR0");
        cfg_rd(ptr / 4 + 3, b); check_eq(b, 32'h6000, "clock at BAR0 0x6000");
        cfg_rd(ptr / 4 + 4, b); check_eq(b, 32'h20, "clock block length");
      end
      if (k >= 3 && k < 8) begin
        logic [31:0] b;
        cfg_rd(ptr / 4 + 1, b);
        check_eq(b[7:0], (k == 7) ? 8'd2 : 8'd0, $sformatf("virtio capability %0d BAR", k - 3));
      end
      ptr = int'(v[15:8]);
      k++;
    end
    check_eq(k, 9, "capabilities in the list");
    cfg_rd(16'h84 / 4 + 1, v); check_eq(v, 32'h0000_4000, "MSI-X table in BAR0 at 0x4000");
    cfg_rd(16'h84 / 4 + 2, v); check_eq(v, 32'h0000_5000, "MSI-X PBA in BAR0 at 0x5000");
    cfg_rd(16'ha0 / 4 + 4, v); check_eq(v, 32'd4, "notify_off_multiplier");
    // Device Control: MPS 512 asked, 256 kept; MRRS 1024
    cfg_wr(16'h48 / 4 + 2, 4'h3, 32'h0000_3040);
    check(max_payload == 3'd1 && max_read_req == 3'd3, $sformatf("MPS %0d MRRS %0d", max_payload, max_read_req));
    cfg_rd(16'h48 / 4 + 2, v); check_eq(v[15:0], 16'h3020, "Device Control");
    // memory space off: BAR0 read is UR
    refused(mem_hdr(1'b0, BAR0, 1, 4'hf, 4'h0, RC, 8'd9), 0, pcie_pkg::CPL_UR, "BAR0 read with memory space off");
    cfg_wr(1, 4'h3, 32'h0000_0006);
    check(bus_master, "bus master enabled");

    // --- UR, CA, drops; err_count counts all but messages
    e0 = int'(err_count);
    refused(mem_hdr(1'b0, 64'h8000_0000, 1, 4'hf, 4'h0, RC, 8'd10), 0, pcie_pkg::CPL_UR, "read outside the BARs");
    refused(mem_hdr(1'b0, BAR0 + 64'h8000, 1, 4'hf, 4'h0, RC, 8'd11), 0, pcie_pkg::CPL_UR, "read just past BAR0");
    refused({mem_hdr(1'b0, 64'h1000, 1, 4'hf, 4'h0, RC, 8'd12)} & ~128'h1f00_0000 | 128'h0200_0000, 0,
            pcie_pkg::CPL_UR, "I/O read");
    refused(cfg_hdr(1'b0, 0, 4'hf, RC, 8'd13, BDF) | 128'h0100_0000, 0, pcie_pkg::CPL_UR, "type 1 configuration read");
    refused(mem_hdr(1'b0, BAR0, 1, 4'hf, 4'h0, RC, 8'd14) | 128'h0100_0000, 0, pcie_pkg::CPL_UR, "locked read");
    refused(mem_hdr(1'b0, BAR0, 9, 4'hf, 4'hf, RC, 8'd15), 0, pcie_pkg::CPL_CA, "BAR0 read of 9 DWs");
    refused(mem_hdr(1'b0, BAR2 + 64'hff8, 4, 4'hf, 4'hf, RC, 8'd16), 0, pcie_pkg::CPL_CA, "BAR2 read across 4 KiB");
    refused(mem_hdr(1'b1, 64'h8000_0000, 1, 4'hf, 4'h0, RC, 8'd0), 1, 3'd7, "write outside the BARs");
    refused(mem_hdr(1'b1, BAR0, 9, 4'hf, 4'hf, RC, 8'd0), 9, 3'd7, "BAR0 write of 9 DWs");
    refused(mem_hdr(1'b1, BAR2 + 64'h100, 65, 4'hf, 4'hf, RC, 8'd0), 65, 3'd7, "BAR2 write of 65 DWs");
    refused(mem_hdr(1'b1, BAR2 + 64'hffc, 2, 4'hf, 4'hf, RC, 8'd0), 2, 3'd7, "BAR2 write across 4 KiB");
    check_eq(err_count - 32'(e0), 32'd11, "err_count after 11 refused requests");
    e0 = int'(err_count);
    refused(128'h0000_0000_0000_0000_0000_007f_3000_0000, 0, 3'd7, "message (dropped silently)");
    check_eq(err_count - 32'(e0), 32'd0, "a message is not an error");
    check(win.size() == 0 && exp_app == appmem, "refused writes changed nothing");

    // --- BAR0 0x6000-0x7fff (the clock's window) belongs to the application port
    begin
      int c0;
      c0 = n_app_clock;
      bar0_rd(16'h6000, 1, 4'hf, 4'h0);
      bar0_rd(16'h7ffc, 1, 4'hf, 4'h0);
      check_eq(n_app_clock - c0, 2, "BAR0 0x6000 and 0x7ffc reach the application port");
    end
    // --- MSI-X: vector 3 written and read back, masked: pending; unmasked: sent
    begin
      tlp_t t;
      logic [31:0] lo, hi, d;
      lo = 32'hfee0_1000; hi = 32'h0000_0001; d = 32'h0000_4321;
      t = new(mem_hdr(1'b1, BAR0 + 64'h4000 + 48, 4, 4'hf, 4'hf, RC, 8'd0));
      t.dw.push_back(lo); t.dw.push_back(hi); t.dw.push_back(d); t.dw.push_back(32'd1);   // masked
      xact(t, 1'b0);
      bar0_rd(16'h4000 + 48, 4, 4'hf, 4'hf);
      check(cpls.size() == 1 && cpls[0].dw[0] == lo && cpls[0].dw[1] == hi && cpls[0].dw[2] == d &&
            cpls[0].dw[3] == 32'd1, "MSI-X table entry 3 read back");
      cfg_wr(16'h84 / 4, 4'h8, 32'h8000_0000);          // MSI-X enable
      check(msix_enable, "MSI-X enabled");
      @(negedge clk); irq_valid = 1'b1; irq_vector = 16'd3; @(negedge clk); irq_valid = 1'b0;
      repeat (50) @(negedge clk);
      check(sink.got.size() == 0, "masked vector: no message");
      bar0_rd(16'h5000, 1, 4'hf, 4'h0);
      check(cpls.size() == 1 && cpls[0].dw[0] == 32'h8, "PBA: vector 3 pending");
      t = new(mem_hdr(1'b1, BAR0 + 64'h4000 + 60, 1, 4'hf, 4'h0, RC, 8'd0));
      t.dw.push_back(32'd0);                            // unmask: the pending message goes
      xact(t, 1'b0);
      repeat (50) @(negedge clk);
      while (sink.got.size() != 0) cpls.push_back(sink.got.pop_front());
      check(cpls.size() == 1, $sformatf("one MSI-X message after unmask (%0d)", cpls.size()));
      if (cpls.size() != 0) begin
        tlp_t m;
        logic [127:0] mh;
        m = cpls[0];
        mh = tlp_hdr(m);
        check(h_has_data(mh) && h_ndw(mh) == 1 && h_addr(mh) == {hi, lo} && m.dw[0] == d && h_reqid(mh) == BDF,
              $sformatf("MSI-X message %h data %h", mh, m.dw[0]));
      end
      bar0_rd(16'h5000, 1, 4'hf, 4'h0);
      check(cpls.size() == 1 && cpls[0].dw[0] == 32'h0, "PBA: nothing pending");
    end
    cfg_wr(16'h84 / 4, 4'h8, 32'h0000_0000);            // MSI-X off: INTx
    intx_level = 1'b1; #1 check(intx_assert, "INTx asserted");
    cfg_wr(1, 4'h3, 32'h0000_0406);                     // INTx disable
    check(!intx_assert, "INTx disabled");
    cfg_rd(1, v); check(v[19], "status: interrupt pending");
    cfg_wr(1, 4'h3, 32'h0000_0006);
    intx_level = 1'b0;
    // the BAR0 mirror for the MSI-X words is not kept: random BAR0 traffic stays below 0x4000

    // --- random BAR0 / BAR2 traffic
    for (int n = 0; n < N_RANDOM; n++) begin
      int r;
      r = int'(rng.range(0, 99));
      if (r < 5) cfg_wr(16'h48 / 4 + 2, 4'h1, rng.chance(50) ? 32'h0000_0000 : 32'h0000_0020);
      else if (r < 25) begin
        int nd, off;
        nd = int'(rng.range(1, 8));
        off = 4 * int'(rng.range(0, 4095 - 8));
        bar0_wr(off, nd, 4'(rng.range(1, 15)), 4'(rng.range(1, 15)));
      end else if (r < 45) begin
        int nd, off;
        nd = int'(rng.range(1, 8));
        off = 4 * int'(rng.range(0, 4095 - 8));
        bar0_rd(off, nd, 4'(rng.range(1, 15)), 4'(rng.range(1, 15)));
      end else begin
        logic [31:0] a;
        int len, maxl;
        a = 32'(rng.range(0, (1 << BAR2_LOG2) - 1));
        if (rng.chance(70)) a[19:13] = 0;             // keep to a few pages, so reads find writes
        maxl = 4096 - int'(a[11:0]);
        if (r < 70) begin
          len = int'(rng.range(1, 256 - int'(a[1:0])));
          if (len > maxl) len = maxl;
          bar2_wr(a, len);
        end else begin
          len = rng.chance(50) ? int'(rng.range(1, 300)) : int'(rng.range(1, 4096));
          if (len > maxl) len = maxl;
          bar2_rd(a, len);
        end
      end
    end
    $display("pcie_ep: %0d requests, %0d completions; BAR0 %0d app writes / %0d app reads, %0d BAR0 reads checked; BAR2 %0d writes, %0d reads in %0d completions",
             n_reqs, n_cpl, n_app_wr, n_app_rd, n_bar0_rd, n_bar2_wr, n_bar2_rd, n_bar2_cpl);
    tb_done("pcie_ep");
  end
endmodule
