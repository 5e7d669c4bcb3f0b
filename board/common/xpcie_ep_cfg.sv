`default_nettype none
// xpcie_ep_cfg: the endpoint's configuration bridge between the hard IP,
// which owns the function's configuration space on the link, and the core,
// which keeps its own (rtl/pcie/pcie_cfg.sv) and acts on it. Clock domain:
// clk (user clock of the hard IP). It sits in both TLP streams, in front of
// the core: it inserts configuration requests of its own into the receive
// stream between TLPs, and takes the core's completions for them out of the
// transmit stream (those carry requester ID CFG_RID and tag CFG_TAG).
//
// 1. Shadow: after reset it writes fixed BAR 0 / BAR 2 bases into the core
//    (xpcie_cq_rx moves BAR hits there), then mirrors into the core whatever
//    the host set in the hard IP: memory space, bus master and INTx disable
//    (Command), MPS and MRRS (Device Control), MSI-X enable and function mask
//    (MSI-X Message Control); again each time one changes.
// 2. Capabilities: the virtio vendor capabilities live in the core's space
//    from CORE_CAP_BASE on; the hard IP forwards host reads and writes of its
//    user-defined legacy window (WIN_BASE, WIN_DWS DWs) on its
//    configuration-extend interface, and its own last capability points to
//    WIN_BASE. This module walks the core's list once (up to MAX_CAPS
//    entries) and lays the capabilities out in the window one after the
//    other, in the core's order, rewriting each next pointer to the place of
//    the next one; the list ends before the first capability that does not
//    fit whole. With SHARE_ISR_LEN, the length DW of a virtio ISR capability
//    is also the header DW of the capability after it (Linux maps one byte
//    of ISR whatever the length says: vp_modern_map_capability clamps it),
//    which is what lets common, notify, ISR and device configuration (68
//    bytes) into the 64 bytes the UltraScale Gen3 block leaves to the user
//    (PG156, "Configuration Extend Interface": register numbers 0x10-0x1F).
//    Window DWs after the last capability read as zero.
//
// One configuration request of its own at a time; a request the core does not
// complete within TIMEOUT cycles reads as all ones.
//
// Interfaces: hard-IP configuration status and extend ports; receive TLP
// stream through (up_* in, dn_* out, with _err); transmit TLP stream through
// (tx_* in from the core, out_* onward).
module xpcie_ep_cfg #(
  parameter logic [63:0] BAR0_BASE = 64'h8000_0000, // core's BAR 0 (xpcie_cq_rx moves hits here)
  parameter logic [63:0] BAR2_BASE = 64'h4000_0000, // core's BAR 2
  parameter logic [7:0]  CORE_CAP_BASE = 8'h90,      // first capability the window shows (core's space)
  parameter logic [7:0]  WIN_BASE = 8'h40,           // the hard IP's user legacy window, bytes (PG156: 0x40)
  parameter int          WIN_DWS = 16,               // its size in DWs (PG156: registers 0x10-0x1F)
  parameter bit          SHARE_ISR_LEN = 1'b1,       // ISR capability's length DW = next header
  parameter logic [15:0] CFG_RID = 16'hffff,         // requester ID of our own requests
  parameter logic [7:0]  CFG_TAG = 8'hff,            // tag of our own requests
  parameter int          MAX_CAPS = 8,               // capabilities the walk records (2 or more)
  parameter int          TIMEOUT = 4096              // cycles to wait for the core's completion
) (
  input  wire logic        clk,
  input  wire logic        rst,

  // --- configuration state the hard IP holds (function 0) ---
  input  wire logic [3:1]  cfg_function_status,  // [1] memory space, [2] bus master, [3] INTx disable
  input  wire logic [2:0]  cfg_max_payload,
  input  wire logic [2:0]  cfg_max_read_req,
  input  wire logic        cfg_msix_enable,
  input  wire logic        cfg_msix_mask,

  // --- configuration extend interface ---
  input  wire logic        cfg_ext_read_received,
  input  wire logic        cfg_ext_write_received,
  input  wire logic [9:0]  cfg_ext_register_number,
  input  wire logic [31:0] cfg_ext_write_data,
  input  wire logic [3:0]  cfg_ext_write_byte_enable,
  output logic [31:0] cfg_ext_read_data,
  output logic        cfg_ext_read_data_valid,

  // --- receive stream: from the hard IP's adapters ---
  input  wire logic [127:0] up_hdr,
  input  wire logic [255:0] up_data,
  input  wire logic         up_sop,
  input  wire logic         up_eop,
  input  wire logic         up_err,
  input  wire logic         up_valid,
  output logic         up_ready,

  // --- receive stream: toward the core ---
  output logic [127:0] dn_hdr,
  output logic [255:0] dn_data,
  output logic         dn_sop,
  output logic         dn_eop,
  output logic         dn_err,
  output logic         dn_valid,
  input  wire logic    dn_ready,

  // --- transmit stream: from the core ---
  input  wire logic [127:0] tx_hdr,
  input  wire logic [255:0] tx_data,
  input  wire logic         tx_sop,
  input  wire logic         tx_eop,
  input  wire logic         tx_valid,
  output logic         tx_ready,

  // --- transmit stream: toward the hard IP's adapters ---
  output logic [127:0] out_hdr,
  output logic [255:0] out_data,
  output logic         out_sop,
  output logic         out_eop,
  output logic         out_valid,
  input  wire logic    out_ready,

  output logic        ready          // shadow written and capabilities walked
);
  // The core's configuration layout (rtl/pcie/pcie_cfg.sv); the bench
  // tests/board/tb_xpcie_ep_cfg.sv checks these against the core itself.
  localparam logic [9:0] DW_COMMAND = 10'h001;
  localparam logic [9:0] DW_BAR0    = 10'h004;
  localparam logic [9:0] DW_BAR2    = 10'h006;
  localparam logic [9:0] DW_DEVCTL  = 10'h014;   // PCI Express capability at 0x48, + 8
  localparam logic [9:0] DW_MSIXCTL = 10'h021;   // MSI-X capability at 0x84; control in [31:16]
  localparam logic [3:0] BE_LO = 4'b0011;
  localparam logic [3:0] BE_HI = 4'b1100;
  localparam logic [3:0] BE_ALL = 4'b1111;
  localparam int WIN_BYTES = 4 * WIN_DWS;
  localparam logic [9:0] WIN_DW0 = {4'd0, WIN_BASE[7:2]};
  localparam int CW = $clog2(MAX_CAPS + 1);    // capability count
  localparam int IW = $clog2(MAX_CAPS);        // capability table index
  localparam int TW = $clog2(TIMEOUT + 1);
  localparam logic [2:0] FMT_RD = pcie_pkg::FMT_3DW_NODATA;
  localparam logic [2:0] FMT_WR = pcie_pkg::FMT_3DW_DATA;

  initial begin
    if (WIN_DWS < 1 || 4 * WIN_DWS + 32'(WIN_BASE) > 256) $error("xpcie_ep_cfg: window out of legacy space");
    if (CORE_CAP_BASE[1:0] != 2'b00 || WIN_BASE[1:0] != 2'b00) $error("xpcie_ep_cfg: bases must be DW aligned");
    if (MAX_CAPS < 2) $error("xpcie_ep_cfg: MAX_CAPS must be at least 2");
  end

  // What a transaction is for
  typedef enum logic [2:0] {P_BOOT, P_WALK, P_EXT_RD, P_EXT_WR, P_CMD, P_DEVCTL, P_MSIX} purpose_t;
  typedef enum logic [1:0] {S_PICK, S_SEND, S_WAIT} state_t;

  state_t      state_q, state_d;
  purpose_t    purp_q, purp_d;
  logic        we_q, we_d;
  logic        hdr_q, hdr_d;           // the DW read is a capability header
  logic [7:0]  nxt_q, nxt_d;           // its next pointer in the window
  logic [9:0]  dw_q, dw_d;
  logic [3:0]  be_q, be_d;
  logic [31:0] wdata_q, wdata_d;
  logic [TW-1:0] timer_q, timer_d;
  logic [1:0]  boot_q, boot_d;         // next BAR DW to write (0..3)
  logic        booted_q, booted_d;     // BARs written
  logic        walked_q, walked_d;     // capability list recorded
  logic [7:0]  walk_ptr_q, walk_ptr_d;

  // The recorded capabilities: byte offset, length, capability ID, cfg_type
  logic [7:0]  cap_ptr_q [MAX_CAPS];
  logic [7:0]  cap_len_q [MAX_CAPS];
  logic [7:0]  cap_id_q [MAX_CAPS];
  logic [7:0]  cap_type_q [MAX_CAPS];
  logic [CW-1:0] ncaps_q, ncaps_d;
  logic        rec;                    // record a capability this cycle
  logic [7:0]  rec_next, rec_len, rec_id, rec_type;

  // Shadowed values: last written, and whether they were written at all
  logic [2:0]  cmd_q, cmd_d;
  logic [5:0]  devctl_q, devctl_d;
  logic [1:0]  msix_q, msix_d;
  logic [2:0]  sent_q, sent_d;        // command, device control, MSI-X written once
  logic [2:0]  cmd_now;
  logic [5:0]  devctl_now;
  logic [1:0]  msix_now;

  // Configuration-extend requests waiting
  logic        xr_pend_q, xr_pend_d, xw_pend_q, xw_pend_d;
  logic [9:0]  xr_reg_q, xr_reg_d, xw_reg_q, xw_reg_d;
  logic [31:0] xw_data_q, xw_data_d;
  logic [3:0]  xw_be_q, xw_be_d;
  logic        xr_ack_q, xr_ack_d;     // read data handed over last cycle
  logic [31:0] xr_data_q, xr_data_d;

  // Stream bookkeeping
  logic        up_mid_q, up_mid_d;     // the receive stream is inside a TLP
  logic        inject;
  logic        tx_mine, swallow_q, swallow_d;
  logic        cpl_seen;
  logic [31:0] cpl_data;
  logic        cpl_ok;

  assign cmd_now = {cfg_function_status[3], cfg_function_status[2], cfg_function_status[1]};
  assign devctl_now = {cfg_max_read_req, cfg_max_payload};
  assign msix_now = {cfg_msix_enable, cfg_msix_mask};

  function automatic logic in_window(input logic [9:0] r);
    in_window = r >= WIN_DW0 && r < WIN_DW0 + 10'(WIN_DWS);
  endfunction

  // Placement of the recorded capabilities in the window: place (bytes),
  // own DWs (the shared one excluded), and whether each is shown.
  localparam logic [7:0] VIRTIO_VNDR = 8'h09;
  localparam logic [7:0] VIRTIO_ISR = 8'd3;
  logic [7:0]  pl_pos [MAX_CAPS];
  logic [7:0]  pl_own [MAX_CAPS];
  logic        pl_in [MAX_CAPS];

  always_comb begin
    logic [9:0] pos;
    logic       stop;
    logic [7:0] full, full_next;
    logic       share;
    pos = {2'b00, WIN_BASE};
    stop = 1'b0;
    for (int i = 0; i < MAX_CAPS; i++) begin
      full = (cap_len_q[i] + 8'd3) >> 2;
      full_next = (i + 1 < MAX_CAPS) ? (cap_len_q[(i + 1) % MAX_CAPS] + 8'd3) >> 2 : 8'd0;
      share = SHARE_ISR_LEN && (i + 1 < MAX_CAPS) && (CW'(i + 1) < ncaps_q) &&
              cap_id_q[i] == VIRTIO_VNDR && cap_type_q[i] == VIRTIO_ISR && full > 8'd1 &&
              32'(pos) + 4 * (32'(full) - 1 + 32'(full_next)) <= 32'(WIN_BASE) + 32'(WIN_BYTES);
      pl_pos[i] = pos[7:0];
      pl_own[i] = share ? full - 8'd1 : full;
      pl_in[i] = 1'b0;
      if (CW'(i) < ncaps_q && !stop && full != 8'd0 &&
          32'(pos) + 4 * 32'(full) <= 32'(WIN_BASE) + 32'(WIN_BYTES)) begin
        pl_in[i] = 1'b1;
        pos = pos + {pl_own[i], 2'b00};
      end else begin
        stop = 1'b1;
      end
    end
  end

  // A window register: the core DW it shows, and whether that is a header
  // (whose next pointer is rewritten to nxt).
  logic        map_hit, map_hdr;
  logic [9:0]  map_dw;
  logic [7:0]  map_next;
  always_comb begin
    logic [9:0] wb;
    map_hit = 1'b0;
    map_hdr = 1'b0;
    map_dw = '0;
    map_next = 8'd0;
    // The request S_PICK takes next: a pending read first, then a write.
    wb = (xr_pend_q && !xr_ack_q) ? {xr_reg_q[7:0], 2'b00} : {xw_reg_q[7:0], 2'b00};
    for (int i = 0; i < MAX_CAPS; i++) begin
      if (pl_in[i] && wb >= {2'b00, pl_pos[i]} && wb < {2'b00, pl_pos[i]} + {pl_own[i], 2'b00}) begin
        map_hit = 1'b1;
        map_hdr = wb == {2'b00, pl_pos[i]};
        map_dw = {4'd0, cap_ptr_q[i][7:2]} + ((wb - {2'b00, pl_pos[i]}) >> 2);
        map_next = (i + 1 < MAX_CAPS && pl_in[(i + 1) % MAX_CAPS]) ? pl_pos[(i + 1) % MAX_CAPS] : 8'd0;
      end
    end
  end

  // ---------------------------------------------------------------- streams
  // Our own request goes in between two TLPs of the receive stream.
  assign inject = (state_q == S_SEND) && !up_mid_q;

  always_comb begin
    dn_hdr = up_hdr;
    dn_data = up_data;
    dn_sop = up_sop;
    dn_eop = up_eop;
    dn_err = up_err;
    dn_valid = up_valid && !inject;
    up_ready = dn_ready && !inject;
    if (inject) begin
      dn_hdr = '0;
      dn_hdr[31:0] = {we_q ? FMT_WR : FMT_RD, pcie_pkg::TYPE_CFG0, 14'd0, 10'd1};
      dn_hdr[63:32] = {CFG_RID, CFG_TAG, 4'b0000, be_q};
      dn_hdr[95:64] = {16'd0, 4'd0, dw_q, 2'b00};
      dn_data = {224'd0, wdata_q};
      dn_sop = 1'b1;
      dn_eop = 1'b1;
      dn_err = 1'b0;
      dn_valid = 1'b1;
    end
  end

  always_comb begin
    up_mid_d = up_mid_q;
    if (up_valid && up_ready) up_mid_d = !up_eop;
  end

  // The core's completions of our requests leave the transmit stream here.
  assign tx_mine = tx_sop && tx_hdr[28:24] == pcie_pkg::TYPE_CPL &&
                   tx_hdr[95:80] == CFG_RID && tx_hdr[79:72] == CFG_TAG;

  always_comb begin
    out_hdr = tx_hdr;
    out_data = tx_data;
    out_sop = tx_sop;
    out_eop = tx_eop;
    out_valid = tx_valid && !(tx_mine || swallow_q);
    tx_ready = (tx_mine || swallow_q) ? 1'b1 : out_ready;
  end

  always_comb begin
    swallow_d = swallow_q;
    if (tx_valid && tx_ready) begin
      if (tx_sop) swallow_d = tx_mine && !tx_eop;
      else if (tx_eop) swallow_d = 1'b0;
    end
  end

  assign cpl_seen = tx_valid && tx_mine;
  assign cpl_data = tx_data[31:0];
  assign cpl_ok = tx_hdr[47:45] == pcie_pkg::CPL_SC;

  // ---------------------------------------------------------------- control
  always_comb begin
    state_d = state_q;
    purp_d = purp_q;
    we_d = we_q;
    hdr_d = hdr_q;
    nxt_d = nxt_q;
    dw_d = dw_q;
    be_d = be_q;
    wdata_d = wdata_q;
    timer_d = timer_q;
    boot_d = boot_q;
    booted_d = booted_q;
    walked_d = walked_q;
    walk_ptr_d = walk_ptr_q;
    ncaps_d = ncaps_q;
    rec = 1'b0;
    rec_next = cpl_data[15:8];
    rec_len = cpl_data[23:16];
    rec_id = cpl_data[7:0];
    rec_type = cpl_data[31:24];
    cmd_d = cmd_q;
    devctl_d = devctl_q;
    msix_d = msix_q;
    sent_d = sent_q;
    xr_pend_d = xr_pend_q;
    xr_reg_d = xr_reg_q;
    xw_pend_d = xw_pend_q;
    xw_reg_d = xw_reg_q;
    xw_data_d = xw_data_q;
    xw_be_d = xw_be_q;
    xr_ack_d = 1'b0;
    xr_data_d = xr_data_q;

    // Take configuration-extend requests for the window as they come.
    if (cfg_ext_read_received && !xr_pend_q && !xr_ack_q && in_window(cfg_ext_register_number)) begin
      xr_pend_d = 1'b1;
      xr_reg_d = cfg_ext_register_number;
    end
    if (cfg_ext_write_received && !xw_pend_q && in_window(cfg_ext_register_number)) begin
      xw_pend_d = 1'b1;
      xw_reg_d = cfg_ext_register_number;
      xw_data_d = cfg_ext_write_data;
      xw_be_d = cfg_ext_write_byte_enable;
    end

    unique case (state_q)
      S_PICK: begin
        state_d = S_SEND;
        timer_d = '0;
        if (!booted_q) begin
          purp_d = P_BOOT;
          we_d = 1'b1;
          be_d = BE_ALL;
          unique case (boot_q)
            2'd0: begin dw_d = DW_BAR0;         wdata_d = BAR0_BASE[31:0]; end
            2'd1: begin dw_d = DW_BAR0 + 10'd1; wdata_d = BAR0_BASE[63:32]; end
            2'd2: begin dw_d = DW_BAR2;         wdata_d = BAR2_BASE[31:0]; end
            default: begin dw_d = DW_BAR2 + 10'd1; wdata_d = BAR2_BASE[63:32]; end
          endcase
        end else if (!walked_q) begin
          purp_d = P_WALK;
          we_d = 1'b0;
          be_d = BE_ALL;
          dw_d = {4'd0, walk_ptr_q[7:2]};
        end else if (xr_pend_q && !xr_ack_q) begin
          purp_d = P_EXT_RD;
          we_d = 1'b0;
          be_d = BE_ALL;
          dw_d = map_dw;
          hdr_d = map_hdr;
          nxt_d = map_next;
          if (!map_hit) begin
            // Past the last capability shown: zero, without asking the core.
            state_d = S_PICK;
            xr_pend_d = 1'b0;
            xr_ack_d = 1'b1;
            xr_data_d = 32'd0;
          end
        end else if (xw_pend_q) begin
          purp_d = P_EXT_WR;
          we_d = 1'b1;
          be_d = xw_be_q;
          dw_d = map_dw;
          wdata_d = xw_data_q;
          if (!map_hit) begin
            state_d = S_PICK;
            xw_pend_d = 1'b0;
          end
        end else if (!sent_q[0] || cmd_now != cmd_q) begin
          purp_d = P_CMD;
          we_d = 1'b1;
          be_d = BE_LO;
          dw_d = DW_COMMAND;
          // Command: [1] memory space, [2] bus master, [10] INTx disable
          wdata_d = {21'd0, cmd_now[2], 7'd0, cmd_now[1], cmd_now[0], 1'b0};
          cmd_d = cmd_now;
        end else if (!sent_q[1] || devctl_now != devctl_q) begin
          purp_d = P_DEVCTL;
          we_d = 1'b1;
          be_d = BE_LO;
          dw_d = DW_DEVCTL;
          // Device Control: [7:5] MPS, [14:12] MRRS
          wdata_d = {17'd0, devctl_now[5:3], 4'd0, devctl_now[2:0], 5'd0};
          devctl_d = devctl_now;
        end else if (!sent_q[2] || msix_now != msix_q) begin
          purp_d = P_MSIX;
          we_d = 1'b1;
          be_d = BE_HI;
          dw_d = DW_MSIXCTL;
          // Message Control in [31:16]: [15] enable, [14] function mask
          wdata_d = {msix_now[1], msix_now[0], 30'd0};
          msix_d = msix_now;
        end else begin
          state_d = S_PICK;
        end
      end

      S_SEND: begin
        if (inject && dn_ready) state_d = S_WAIT;
      end

      S_WAIT: begin
        timer_d = timer_q + TW'(1);
        if (cpl_seen || timer_q == TW'(TIMEOUT)) begin
          state_d = S_PICK;
          unique case (purp_q)
            P_BOOT: begin
              boot_d = boot_q + 2'd1;
              if (boot_q == 2'd3) booted_d = 1'b1;
            end
            P_WALK: begin
              if (cpl_seen && cpl_ok) begin
                rec = 1'b1;
                ncaps_d = ncaps_q + CW'(1);
                walk_ptr_d = rec_next;
              end
              // The list ends at a null pointer, a pointer backwards (a
              // loop), or when the table is full.
              if (!cpl_seen || !cpl_ok || rec_next == 8'd0 || rec_next <= walk_ptr_q ||
                  ncaps_q == CW'(MAX_CAPS - 1))
                walked_d = 1'b1;
            end
            P_EXT_RD: begin
              xr_pend_d = 1'b0;
              xr_ack_d = 1'b1;
              xr_data_d = 32'hffff_ffff;
              if (cpl_seen && cpl_ok) begin
                xr_data_d = cpl_data;
                if (hdr_q) xr_data_d[15:8] = nxt_q;
              end
            end
            P_EXT_WR: xw_pend_d = 1'b0;
            P_CMD: sent_d[0] = 1'b1;
            P_DEVCTL: sent_d[1] = 1'b1;
            P_MSIX: sent_d[2] = 1'b1;
            default: ;
          endcase
        end
      end

      default: state_d = S_PICK;
    endcase
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      state_q <= S_PICK;
      purp_q <= P_BOOT;
      boot_q <= 2'd0;
      booted_q <= 1'b0;
      walked_q <= 1'b0;
      walk_ptr_q <= CORE_CAP_BASE;
      ncaps_q <= '0;
      sent_q <= 3'd0;
      xr_pend_q <= 1'b0;
      xw_pend_q <= 1'b0;
      xr_ack_q <= 1'b0;
      up_mid_q <= 1'b0;
      swallow_q <= 1'b0;
      timer_q <= '0;
    end else begin
      state_q <= state_d;
      purp_q <= purp_d;
      boot_q <= boot_d;
      booted_q <= booted_d;
      walked_q <= walked_d;
      walk_ptr_q <= walk_ptr_d;
      ncaps_q <= ncaps_d;
      sent_q <= sent_d;
      xr_pend_q <= xr_pend_d;
      xw_pend_q <= xw_pend_d;
      xr_ack_q <= xr_ack_d;
      up_mid_q <= up_mid_d;
      swallow_q <= swallow_d;
      timer_q <= timer_d;
    end
  end

  always_ff @(posedge clk) begin
    we_q <= we_d;
    hdr_q <= hdr_d;
    nxt_q <= nxt_d;
    dw_q <= dw_d;
    be_q <= be_d;
    wdata_q <= wdata_d;
    cmd_q <= cmd_d;
    devctl_q <= devctl_d;
    msix_q <= msix_d;
    xr_reg_q <= xr_reg_d;
    xw_reg_q <= xw_reg_d;
    xw_data_q <= xw_data_d;
    xw_be_q <= xw_be_d;
    xr_data_q <= xr_data_d;
    if (rec) begin
      cap_ptr_q[ncaps_q[IW-1:0]] <= walk_ptr_q;
      cap_len_q[ncaps_q[IW-1:0]] <= rec_len;
      cap_id_q[ncaps_q[IW-1:0]] <= rec_id;
      cap_type_q[ncaps_q[IW-1:0]] <= rec_type;
    end
  end

  assign cfg_ext_read_data = xr_data_q;
  assign cfg_ext_read_data_valid = xr_ack_q;
  assign ready = booted_q && walked_q && (sent_q == 3'b111);
endmodule
