`default_nettype none
// Bench for xpcie_ep_cfg in front of the core's real endpoint (pcie_ep,
// with its configuration space and MSI-X), twice: with the KCU105 window
// (the UltraScale Gen3 block's user legacy space, 16 DWs at 0x40, behind
// the block's own PM, MSI-X and PCI Express capabilities at 0x80, 0xB0 and
// 0xC0) and with a window of 32 DWs at 0x40 (a block with only its PCI
// Express capability, at 0xC0: room for the shared-memory capability).
// Plays the hard IP: its own configuration space (header and capabilities,
// modelled here from PG156 and the generated IP's attributes) and the
// forwarding of the window's registers over the configuration-extend
// interface. Changes the Command, Device Control and MSI-X state the host
// would set and checks that the core follows; reads the whole configuration
// space as lspci -xxx/-vvv does and walks the capability list as Linux does
// (from 0x34, a TTL of 48, each capability once), decoding every
// capability, and checks each virtio capability as virtio_pci_modern does
// (first of each type, BAR, alignment, minimum length within the BAR);
// meanwhile
// sends BAR 0 reads and two-beat BAR 2 writes through the same stream and
// checks that the completions pass and that no write is cut; finally raises an
// MSI-X interrupt and checks the message the core sends.
module tb;
  import tb_pkg::*;
  localparam logic [63:0] B0 = 64'h8000_0000;
  localparam logic [63:0] B2 = 64'h4000_0000;
  localparam int NCFG = 2;
  localparam logic [7:0] WBASE [NCFG] = '{8'h40, 8'h40};
  localparam int         WDWS  [NCFG] = '{16, 32};
  localparam bit         SHARE [NCFG] = '{1'b1, 1'b0};
  // The hard IP's last capability (PCI Express, 0x3C bytes) and the first
  // the header points to
  localparam logic [7:0] IP_FIRST [NCFG] = '{8'h80, 8'hc0};

  `TB_CLK_RST(clk, rst, 4)
  bp_gen offer = new(32'h7a75_0001, 20, 0);   // a BAR request offered, apart from the $urandom stimulus

  // Hard-IP side (shared by both systems)
  logic [3:1]  fstat;
  logic [2:0]  mps, mrrs;
  logic        msix_en, msix_mask;
  logic        irq_valid;

  // Per system
  logic        x_rd [NCFG], x_wr [NCFG];
  logic [9:0]  x_reg [NCFG];
  logic [31:0] x_rdata [NCFG];
  logic        x_rvalid [NCFG];
  logic        ready [NCFG];
  logic        bus_master [NCFG], msix_enable [NCFG];
  logic [2:0]  max_payload [NCFG], max_read_req [NCFG];
  logic [31:0] err_count [NCFG];
  // upstream TLPs from the bench
  logic [127:0] u_hdr [NCFG];
  logic [255:0] u_data [NCFG];
  logic         u_sop [NCFG], u_eop [NCFG], u_valid [NCFG], u_ready [NCFG];
  // transmit stream out of the bridge
  logic [127:0] o_hdr [NCFG];
  logic [255:0] o_data [NCFG];
  logic         o_sop [NCFG], o_eop [NCFG], o_valid [NCFG];

  for (genvar g = 0; g < NCFG; g++) begin : g_sys
    logic [127:0] d_hdr, t_hdr;
    logic [255:0] d_data, t_data;
    logic         d_sop, d_eop, d_err, d_valid, d_ready;
    logic         t_sop, t_eop, t_valid, t_ready;
    logic         app_req, app_we, app_rvalid_q;
    logic [14:0]  app_addr;
    logic [3:0]   app_be;
    logic [31:0]  app_wdata;
    // BAR 2: the writes arrive on bq_* (always taken); no reads are sent.
    logic         bq_valid, bq_sop, bq_eop, bq_we, bd_ready_unused;
    logic [29:0]  bq_addr;
    logic [10:0]  bq_ndw;
    logic [3:0]   bq_fbe, bq_lbe;
    logic [255:0] bq_data;
    logic [15:0]  requester_id;
    logic         intx_assert, d_err_unused;
    logic [14:0]  app_addr_q;

    xpcie_ep_cfg #(
      .BAR0_BASE     (B0),
      .BAR2_BASE     (B2),
      .CORE_CAP_BASE (8'h90),
      .WIN_BASE      (WBASE[g]),
      .WIN_DWS       (WDWS[g]),
      .SHARE_ISR_LEN (SHARE[g])
    ) bridge (
      .clk                       (clk),
      .rst                       (rst),
      .cfg_function_status       (fstat),
      .cfg_max_payload           (mps),
      .cfg_max_read_req          (mrrs),
      .cfg_msix_enable           (msix_en),
      .cfg_msix_mask             (msix_mask),
      .cfg_ext_read_received     (x_rd[g]),
      .cfg_ext_write_received    (x_wr[g]),
      .cfg_ext_register_number   (x_reg[g]),
      .cfg_ext_write_data        (32'hdead_beef),
      .cfg_ext_write_byte_enable (4'hf),
      .cfg_ext_read_data         (x_rdata[g]),
      .cfg_ext_read_data_valid   (x_rvalid[g]),
      .up_hdr                    (u_hdr[g]),
      .up_data                   (u_data[g]),
      .up_sop                    (u_sop[g]),
      .up_eop                    (u_eop[g]),
      .up_err                    (1'b0),
      .up_valid                  (u_valid[g]),
      .up_ready                  (u_ready[g]),
      .dn_hdr                    (d_hdr),
      .dn_data                   (d_data),
      .dn_sop                    (d_sop),
      .dn_eop                    (d_eop),
      .dn_err                    (d_err),
      .dn_valid                  (d_valid),
      .dn_ready                  (d_ready),
      .tx_hdr                    (t_hdr),
      .tx_data                   (t_data),
      .tx_sop                    (t_sop),
      .tx_eop                    (t_eop),
      .tx_valid                  (t_valid),
      .tx_ready                  (t_ready),
      .out_hdr                   (o_hdr[g]),
      .out_data                  (o_data[g]),
      .out_sop                   (o_sop[g]),
      .out_eop                   (o_eop[g]),
      .out_valid                 (o_valid[g]),
      .out_ready                 (1'b1),
      .ready                     (ready[g])
    );
    assign d_err_unused = d_err;

    pcie_ep #(
      .DATA_W         (256),
      .BAR2_SIZE_LOG2 (30),
      .MSIX_VECTORS   (8)
    ) core (
      .clk          (clk),
      .rst          (rst),
      .rx_tlp_hdr   (d_hdr),
      .rx_tlp_data  (d_data),
      .rx_tlp_sop   (d_sop),
      .rx_tlp_eop   (d_eop),
      .rx_tlp_valid (d_valid),
      .rx_tlp_ready (d_ready),
      .tx_tlp_hdr   (t_hdr),
      .tx_tlp_data  (t_data),
      .tx_tlp_sop   (t_sop),
      .tx_tlp_eop   (t_eop),
      .tx_tlp_valid (t_valid),
      .tx_tlp_ready (t_ready),
      .app_req      (app_req),
      .app_we       (app_we),
      .app_addr     (app_addr),
      .app_be       (app_be),
      .app_wdata    (app_wdata),
      .app_gnt      (1'b1),
      .app_rvalid   (app_rvalid_q),
      .app_rdata    ({17'h1cafe, app_addr_q}),
      .bq_valid     (bq_valid),
      .bq_ready     (1'b1),
      .bq_sop       (bq_sop),
      .bq_eop       (bq_eop),
      .bq_we        (bq_we),
      .bq_addr      (bq_addr),
      .bq_ndw       (bq_ndw),
      .bq_fbe       (bq_fbe),
      .bq_lbe       (bq_lbe),
      .bq_data      (bq_data),
      .bd_valid     (1'b0),
      .bd_ready     (bd_ready_unused),
      .bd_data      (256'd0),
      .irq_valid    (irq_valid),
      .irq_vector   (16'd0),
      .intx_level   (1'b0),
      .intx_assert  (intx_assert),
      .msix_enable  (msix_enable[g]),
      .requester_id (requester_id),
      .bus_master   (bus_master[g]),
      .max_payload  (max_payload[g]),
      .max_read_req (max_read_req[g]),
      .err_count    (err_count[g])
    );

    // Each two-beat BAR 2 write must reach the window whole: its first beat
    // with the request (12 DWs at 0x100, all bytes), then its last, the
    // payload intact.
    logic bq_in_q = 1'b0;
    always_ff @(posedge clk) begin
      if (!rst && bq_valid) begin
        check(!(bq_sop == bq_in_q || bq_eop == bq_sop),
          $sformatf("sys %0d: BAR 2 write beats sop %b eop %b (in a write: %b)", g, bq_sop, bq_eop, bq_in_q));
        check(!(bq_sop && (!bq_we || bq_addr != 30'h100 || bq_ndw != 11'd12 || bq_fbe != 4'hf || bq_lbe != 4'hf)),
          $sformatf("sys %0d: BAR 2 write we %b addr %h ndw %0d BE %h/%h", g, bq_we, bq_addr, bq_ndw, bq_fbe, bq_lbe));
        check(!(bq_data[127:0] !== {4{32'h5a5a_5a5a}} || (bq_sop && bq_data[255:128] !== {4{32'h5a5a_5a5a}})),
          $sformatf("sys %0d: BAR 2 write data %h", g, bq_data));
        bq_in_q <= bq_sop;
        if (bq_eop) n_bq_writes[g]++;
      end
    end

    always_ff @(posedge clk) begin
      app_rvalid_q <= app_req && !app_we;
      app_addr_q <= app_addr;
    end
  end

  // ---------------------------------------------------------------- helpers
  task automatic clocks(input int n);
    repeat (n) @(posedge clk);
  endtask

  // One configuration-extend read of register r on system g
  task automatic ext_read(input int g, input logic [9:0] r, output logic [31:0] v);
    int t;
    x_reg[g] <= r;
    x_rd[g] <= 1'b1;          // held until the data comes (PG156)
    t = 0;
    do begin
      @(posedge clk);
      t++;
    end while (!x_rvalid[g] && t <= 20000);
    check(x_rvalid[g], $sformatf("sys %0d: no data for config register %h", g, r));
    v = x_rdata[g];
    x_rd[g] <= 1'b0;
    @(posedge clk);
  endtask

  task automatic wait_ready(input int g);
    int t;
    t = 0;
    while (!ready[g] && t <= 20000) begin
      @(posedge clk);
      t++;
    end
    check(ready[g], $sformatf("sys %0d: bridge never ready", g));
  endtask

  task automatic expect_state(input int g, input logic bm, input logic [2:0] p, input logic [2:0] r,
                              input logic me);
    int t;
    t = 0;
    while (!(bus_master[g] === bm && max_payload[g] === p && max_read_req[g] === r && msix_enable[g] === me) &&
           t <= 20000) begin
      @(posedge clk);
      t++;
    end
    check(bus_master[g] === bm && max_payload[g] === p && max_read_req[g] === r && msix_enable[g] === me,
          $sformatf("sys %0d: core state bm %b mps %0d mrrs %0d msix %b, expected %b %0d %0d %b", g,
                    bus_master[g], max_payload[g], max_read_req[g], msix_enable[g], bm, p, r, me));
  endtask

  // The hard IP's own configuration space (what it answers itself): a Type 0
  // header with the card's identity, and for system 0 the UltraScale Gen3
  // block's PM (0x80) -> MSI-X (0xB0) -> PCI Express (0xC0) -> window; for
  // system 1 PCI Express (0xC0) -> window. MSI-X: 8 vectors, table and PBA
  // in BAR 0 at 0x4000 / 0x5000 (build.tcl).
  function automatic logic [31:0] ip_cfg(input int g, input int dw);
    logic [31:0] v;
    v = 32'd0;
    unique case (dw)
      0: v = 32'h105a_1af4;
      1: v = 32'h0010_0006;             // status: capabilities list
      2: v = 32'h0180_0001;             // class 018000, revision 1
      4: v = 32'h0000_0004;             // BAR 0: 64-bit memory (base left 0)
      6: v = 32'h0000_000c;             // BAR 2: 64-bit prefetchable
      11: v = 32'h0040_1af4;            // subsystem
      13: v = {24'd0, IP_FIRST[g]};
      15: v = 32'h0000_0100;            // INTA
      default: v = 32'd0;
    endcase
    if (g == 0) begin
      if (dw == 8'h80 / 4) v = 32'h0003_b001;                  // PM -> 0xB0
      if (dw == 8'h84 / 4) v = 32'h0000_0008;
      if (dw == 8'hb0 / 4) v = 32'h0007_c011;                  // MSI-X, 8 vectors -> 0xC0
      if (dw == 8'hb4 / 4) v = 32'h0000_4000;                  // table: BAR 0 + 0x4000
      if (dw == 8'hb8 / 4) v = 32'h0000_5000;                  // PBA: BAR 0 + 0x5000
    end
    if (dw == 8'hc0 / 4) v = {16'h0002, WBASE[g], 8'h10};     // PCI Express v2, endpoint -> window
    if (dw == 8'hc4 / 4) v = 32'h0000_8001;                    // DevCap: MPS 256
    return v;
  endfunction

  // One configuration read as the host makes it: the window's registers go
  // over the configuration-extend interface to the bridge, the rest the
  // hard IP answers.
  task automatic cfg_read(input int g, input int dw, output logic [31:0] v);
    if (dw >= int'(WBASE[g]) / 4 && dw < int'(WBASE[g]) / 4 + WDWS[g]) ext_read(g, 10'(dw), v);
    else v = ip_cfg(g, dw);
  endtask

  // Reads the whole configuration space and checks it as lspci -vvv and
  // Linux's virtio_pci_modern would.
  task automatic check_caps(input int g);
    logic [7:0]  img [256];
    logic [31:0] v;
    logic [7:0]  p, id, len, typ, bar;
    logic [31:0] off, length, mult;
    logic [63:0] off64, len64;
    int          ttl, nv, span_lo [8], span_hi [8];
    bit          seen [256];
    bit          found [10];
    bit          got_pm, got_msix, got_pcie;
    int          min_len, align, bar_size;
    logic [31:0] exp_off [9];
    for (int i = 0; i < 256; i++) seen[i] = 1'b0;
    for (int i = 0; i < 10; i++) found[i] = 1'b0;
    exp_off[1] = 32'h0; exp_off[2] = 32'h1000; exp_off[3] = 32'h2000; exp_off[4] = 32'h3000;
    got_pm = 0; got_msix = 0; got_pcie = 0;
    nv = 0;
    for (int r = 0; r < 64; r++) begin
      cfg_read(g, r, v);
      for (int b = 0; b < 4; b++) img[4 * r + b] = v[8*b +: 8];
    end
    // A read outside the window gets no answer from the bridge (the hard IP
    // answers it itself); check the bridge stays quiet.
    x_reg[g] <= 10'h3ff;
    x_rd[g] <= 1'b1;
    clocks(1);
    x_rd[g] <= 1'b0;
    for (int i = 0; i < 300; i++) begin
      @(posedge clk);
      check(!x_rvalid[g], $sformatf("sys %0d: answered a read outside the window", g));
    end
    check(img[6][4], $sformatf("sys %0d: status has no capabilities list", g));
    $display("sys %0d: %02x:%02x Mass storage controller [0180]: %02x%02x:%02x%02x (window %h, %0d DWs)",
             g, 0, 0, img[1], img[0], img[3], img[2], WBASE[g], WDWS[g]);
    p = img[8'h34] & 8'hfc;
    ttl = 48;                      // as Linux's __pci_find_next_cap_ttl
    while (p != 8'd0) begin
      check(ttl != 0, $sformatf("sys %0d: capability list does not end", g));
      check(p >= 8'h40 && p[1:0] == 2'b00, $sformatf("sys %0d: capability pointer %h", g, p));
      check(!seen[p], $sformatf("sys %0d: capability at %h visited twice (a loop)", g, p));
      if (ttl == 0 || p < 8'h40 || p[1:0] != 2'b00 || seen[p]) break;
      ttl = ttl - 1;
      seen[p] = 1'b1;
      id = img[p];
      unique case (id)
        8'h01: begin
          got_pm = 1;
          $display("  Capabilities: [%h] Power Management version %0d", p, img[p + 2][2:0]);
        end
        8'h11: begin
          got_msix = 1;
          check(!({img[p + 3][2:0], img[p + 2]} != 11'd7 || {img[p + 7], img[p + 6], img[p + 5], img[p + 4]} != 32'h4000 ||
              {img[p + 11], img[p + 10], img[p + 9], img[p + 8]} != 32'h5000),
            $sformatf("sys %0d: MSI-X capability at %h wrong", g, p));
          $display("  Capabilities: [%h] MSI-X: Count=8 Masked- Vector table: BAR=0 offset=00004000 PBA: BAR=0 offset=00005000", p);
        end
        8'h10: begin
          got_pcie = 1;
          $display("  Capabilities: [%h] Express (v2) Endpoint", p);
        end
        8'h09: begin
          len = img[p + 2];
          typ = img[p + 3];
          bar = img[p + 4];
          off = {img[p + 11], img[p + 10], img[p + 9], img[p + 8]};
          length = {img[p + 15], img[p + 14], img[p + 13], img[p + 12]};
          check(!(int'(p) < int'(WBASE[g]) || int'(p) + int'(len) > int'(WBASE[g]) + 4 * WDWS[g]),
            $sformatf("sys %0d: virtio capability at %h (%0d bytes) outside the window", g, p, len));
          span_lo[nv] = int'(p);
          span_hi[nv] = int'(p) + int'(len);
          nv++;
          unique case (typ)
            8'd1: begin min_len = 56; align = 4; end    // sizeof(struct virtio_pci_common_cfg)
            8'd2: begin min_len = 2; align = 2; end
            8'd3: begin min_len = 1; align = 1; end
            8'd4: begin min_len = 0; align = 4; end
            8'd8: begin min_len = 0; align = 1; end
            8'd9: begin min_len = 0; align = 1; end     // vendor data (virtio 1.2): the card's clock
            default: begin
              min_len = 0;
              align = 1;
              check(0, $sformatf("sys %0d: virtio capability at %h has cfg_type %0d", g, p, typ));
            end
          endcase
          // struct virtio_pci_vndr_data puts vendor_id where the others
          // have bar: ours then names the clock block (vendor id, what,
          // version, BAR 0, offset, length; rtl/pcie/virtio_pci_caps.sv).
          if (typ == 8'd9) begin
            bar = img[p + 8];
            off = {img[p + 15], img[p + 14], img[p + 13], img[p + 12]};
            length = {img[p + 19], img[p + 18], img[p + 17], img[p + 16]};
          end
          bar_size = (bar == 8'd0) ? 32'h8000 : (bar == 8'd2) ? 32'h4000_0000 : 0;
          check(bar_size != 0, $sformatf("sys %0d: virtio capability at %h names BAR %0d", g, p, bar));
          if (typ == 8'd9) begin
            check(!(len != 8'd20 || {img[p + 5], img[p + 4]} != pcie_pkg::VENDOR_ID || img[p + 6] != 8'd1 ||
                bar != 8'd0 || off != 32'(pcie_pkg::BAR0_TIME) || length != pcie_pkg::BAR0_TIME_LEN),
              $sformatf("sys %0d: vendor-data capability at %h: len %0d vendor %h what %0d BAR %0d %h+%h", g, p, len,
                     {img[p + 5], img[p + 4]}, img[p + 6], bar, off, length));
            $display("  Capabilities: [%h] Vendor Specific Information: VirtIO: VendorData vendor=%h what=%0d BAR=%0d offset=%h size=%h",
                     p, {img[p + 5], img[p + 4]}, img[p + 6], bar, off, length);
          end else if (typ == 8'd8) begin
            off64 = {img[p + 19], img[p + 18], img[p + 17], img[p + 16], off};
            len64 = {img[p + 23], img[p + 22], img[p + 21], img[p + 20], length};
            check(!(len != 8'd24 || bar != 8'd2 || img[p + 5] != 8'd0 || off64 != 64'd0 || len64 != 64'h4000_0000),
              $sformatf("sys %0d: shared-memory capability at %h: len %0d bar %0d id %0d %h+%h", g, p, len, bar,
                     img[p + 5], off64, len64));
            $display("  Capabilities: [%h] Vendor Specific Information: VirtIO: SharedMemory BAR=%0d id=%0d offset=%h size=%h",
                     p, bar, img[p + 5], off64, len64);
          end else begin
            // vp_modern_map_capability: length past the start, at least
            // minlen, offset aligned, offset + minlen inside the BAR
            check(!(length == 0 || length < 32'(min_len) || off % align != 0 || off + 32'(min_len) > 32'(bar_size) ||
                bar != 8'd0 || off != exp_off[typ]),
              $sformatf("sys %0d: virtio capability type %0d at %h: BAR %0d offset %h length %h", g, typ, p, bar,
                     off, length));
            if (typ == 8'd2) begin
              mult = {img[p + 19], img[p + 18], img[p + 17], img[p + 16]};
              check(!(len != 8'd20 || mult != 32'(pcie_pkg::NOTIFY_OFF_MULTIPLIER)),
                $sformatf("sys %0d: notify capability len %0d multiplier %0d", g, len, mult));
            end else check(len == 8'd16, $sformatf("sys %0d: virtio capability at %h has cap_len %0d", g, p, len));
            check(!(typ == 8'd1 && length != 32'h38), $sformatf("sys %0d: common length %h", g, length));
            check(!(typ == 8'd4 && length != 32'h28), $sformatf("sys %0d: device length %h", g, length));
            $display("  Capabilities: [%h] Vendor Specific Information: VirtIO: %s BAR=%0d offset=%h size=%h", p,
                     typ == 1 ? "CommonCfg" : typ == 2 ? "Notify" : typ == 3 ? "ISR" : "DeviceCfg", bar, off, length);
          end
          found[typ] = 1'b1;
        end
        default: check(0, $sformatf("sys %0d: unexpected capability id %h at %h", g, id, p));
      endcase
      p = img[p + 1] & 8'hfc;
    end
    // The IP's own capabilities are in the list before the window's.
    check(got_pcie && (g != 0 || (got_pm && got_msix)), $sformatf("sys %0d: the hard IP's capabilities are missing", g));
    check(found[1] && found[2] && found[3] && found[4],
      $sformatf("sys %0d: virtio_pci would not bind: common %b notify %b ISR %b device %b", g, found[1], found[2],
             found[3], found[4]));
    // Each capability's bytes are its own; with SHARE_ISR_LEN the ISR's
    // last DW is the next capability's header, nothing else overlaps.
    for (int i = 0; i < nv; i++)
      for (int j = 0; j < nv; j++)
        check(!(i != j && span_lo[i] < span_hi[j] && span_lo[j] < span_hi[i] &&
            !(SHARE[g] && (span_hi[i] - 4 == span_lo[j] || span_hi[j] - 4 == span_lo[i]))),
          $sformatf("sys %0d: virtio capabilities at %h and %h overlap", g, span_lo[i], span_lo[j]));
    // The shared-memory capability (DAX): offered when the window has room
    check(g != 0 || !found[8], "sys 0: a shared-memory capability in 64 bytes?");
    check(g != 1 || found[8], "sys 1: no shared-memory capability with room for it");
    $display("sys %0d: %0d virtio capabilities, DAX window %s", g, nv, found[8] ? "offered" : "not offered (no room)");
  endtask

  // ---------------------------------------------------------------- traffic
  // Upstream BAR requests run beside the configuration traffic: single-DW
  // reads of BAR 0 (their completions must come out of the bridge) and
  // two-beat writes to BAR 2 (each must reach the core's BAR 2 stream whole).
  int n_reads [NCFG], n_cpls [NCFG], n_longw [NCFG], n_bq_writes [NCFG];
  logic traffic = 1'b0;
  // TLPs the bench itself wants sent (single beat): header and first DW
  typedef struct packed {
    logic [127:0] hdr;
    logic [31:0]  dw0;
  } cmd_t;
  cmd_t cmd_q [NCFG][$];

  for (genvar g = 0; g < NCFG; g++) begin : g_traffic
    always @(posedge clk) begin
      cmd_t c;
      if (rst) begin
        u_valid[g] <= 1'b0;
      end else begin
        if (u_valid[g] && u_ready[g]) begin
          if (u_eop[g]) begin
            u_valid[g] <= 1'b0;
          end else begin
            u_sop[g] <= 1'b0;
            u_eop[g] <= 1'b1;
          end
        end
        if (!u_valid[g] || (u_ready[g] && u_eop[g])) begin
          if (cmd_q[g].size() != 0) begin
            c = cmd_q[g].pop_front();
            u_hdr[g] <= c.hdr;
            u_data[g] <= {224'd0, c.dw0};
            u_sop[g] <= 1'b1;
            u_eop[g] <= 1'b1;
            u_valid[g] <= 1'b1;
          end else if (traffic && offer.next()) begin
            u_hdr[g] <= '0;
            u_sop[g] <= 1'b1;
            u_valid[g] <= 1'b1;
            if ($urandom_range(0, 1) == 0) begin
              u_hdr[g][31:0] <= {3'b000, 5'b00000, 14'd0, 10'd1};
              u_hdr[g][63:32] <= {16'h0100, 8'(n_reads[g]), 8'h0f};
              u_hdr[g][95:64] <= B0[31:0] + 32'h10;
              u_eop[g] <= 1'b1;
              n_reads[g]++;
            end else begin
              u_hdr[g][31:0] <= {3'b010, 5'b00000, 14'd0, 10'd12};
              u_hdr[g][63:32] <= {16'h0100, 8'h00, 8'hff};
              u_hdr[g][95:64] <= B2[31:0] + 32'h100;
              u_data[g] <= {8{32'h5a5a_5a5a}};
              u_eop[g] <= 1'b0;
              n_longw[g]++;
            end
          end
        end
      end
      if (!rst && o_valid[g] && o_sop[g] && o_hdr[g][28:24] == 5'b01010 && o_hdr[g][95:80] == 16'h0100) begin
        check(o_data[g][31:0] === {17'h1cafe, 15'h0010},
          $sformatf("sys %0d: BAR 0 read returned %h", g, o_data[g][31:0]));
        n_cpls[g]++;
      end
    end
  end

  // MSI-X: the core sends its message once the host's enable and bus master
  // reach it.
  int n_msix [NCFG];
  for (genvar g = 0; g < NCFG; g++) begin : g_msix
    always @(posedge clk) begin
      if (!rst && o_valid[g] && o_sop[g] && o_hdr[g][31:24] == 8'h40 && o_hdr[g][95:64] == 32'hfee0_0040) begin
        check(o_data[g][31:0] === 32'h0000_4021, $sformatf("sys %0d: MSI-X data %h", g, o_data[g][31:0]));
        n_msix[g]++;
      end
    end
  end

  initial begin
    for (int g = 0; g < NCFG; g++) begin
      x_rd[g] = 1'b0;
      x_wr[g] = 1'b0;
      x_reg[g] = '0;
      u_sop[g] = 1'b0;
      u_eop[g] = 1'b0;
      u_hdr[g] = '0;
      u_data[g] = '0;
      n_reads[g] = 0;
      n_cpls[g] = 0;
      n_longw[g] = 0;
      n_bq_writes[g] = 0;
      n_msix[g] = 0;
    end
    fstat = 3'b000;
    mps = 3'd0;
    mrrs = 3'd2;
    msix_en = 1'b0;
    msix_mask = 1'b0;
    irq_valid = 1'b0;
    clocks(5);
    rst <= 1'b0;
    for (int g = 0; g < NCFG; g++) begin
      wait_ready(g);
      expect_state(g, 1'b0, 3'd0, 3'd2, 1'b0);
    end
    traffic = 1'b1;
    // The host enables memory space and bus master, sets MPS 256 / MRRS 512.
    fstat = 3'b011;
    mps = 3'd1;
    mrrs = 3'd2;
    for (int g = 0; g < NCFG; g++) expect_state(g, 1'b1, 3'd1, 3'd2, 1'b0);
    // The core caps MPS at what it supports (256 bytes).
    mps = 3'd2;
    mrrs = 3'd5;
    for (int g = 0; g < NCFG; g++) expect_state(g, 1'b1, 3'd1, 3'd5, 1'b0);
    for (int g = 0; g < NCFG; g++) check_caps(g);
    traffic = 1'b0;
    clocks(200);
    for (int g = 0; g < NCFG; g++) begin
      check(n_cpls[g] == n_reads[g], $sformatf("sys %0d: %0d BAR reads, %0d completions", g, n_reads[g], n_cpls[g]));
      check(n_bq_writes[g] == n_longw[g] && err_count[g] == 32'd0,
        $sformatf("sys %0d: %0d long writes, %0d reached BAR 2 whole, core refused %0d", g, n_longw[g],
               n_bq_writes[g], err_count[g]));
      $display("sys %0d: %0d BAR reads completed, %0d long BAR 2 writes passed whole", g, n_reads[g], n_longw[g]);
    end
    // MSI-X: program table entry 0 through BAR 0 (0x4000), enable it in the
    // hard IP, raise vector 0.
    for (int g = 0; g < NCFG; g++) begin
      for (int i = 0; i < 4; i++) begin
        cmd_t c;
        c.hdr = '0;
        c.hdr[31:0] = {3'b010, 5'b00000, 14'd0, 10'd1};
        c.hdr[63:32] = {16'h0100, 8'h00, 8'h0f};
        c.hdr[95:64] = B0[31:0] + 32'h4000 + 32'(4 * i);
        c.dw0 = (i == 0) ? 32'hfee0_0040 : (i == 2) ? 32'h0000_4021 : 32'h0;
        cmd_q[g].push_back(c);
      end
    end
    clocks(200);
    msix_en = 1'b1;
    fstat = 3'b111;   // and INTx disable
    for (int g = 0; g < NCFG; g++) expect_state(g, 1'b1, 3'd1, 3'd5, 1'b1);
    irq_valid <= 1'b1;
    clocks(1);
    irq_valid <= 1'b0;
    clocks(100);
    for (int g = 0; g < NCFG; g++) check(n_msix[g] == 1, $sformatf("sys %0d: %0d MSI-X messages", g, n_msix[g]));
    // Bus master off: the shadow takes it away from the core again.
    fstat = 3'b001;
    for (int g = 0; g < NCFG; g++) expect_state(g, 1'b0, 3'd1, 3'd5, 1'b1);
    $display("xpcie_ep_cfg: shadow, capability window and MSI-X checked with the core's endpoint");
    tb_done("xpcie_ep_cfg");
  end
endmodule
