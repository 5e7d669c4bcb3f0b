`default_nettype none
// pcie_ep: the board-neutral PCIe endpoint core of the card's function.
// Clock domain: clk (the TLP clock of the hard IP), synchronous rst.
//
// It owns the Type 0 configuration space (pcie_cfg) and MSI-X (pcie_msix),
// serves CfgRd0/CfgWr0 and memory requests to BAR0 and BAR2, completes
// non-posted requests it does not support with UR, and sends MSI-X messages.
//
// BAR0 (registers) requests are handled one at a time and carry at most one
// beat of payload (DATA_W / 32 DWs): longer reads complete with CA, longer
// writes are dropped (counted in `err_count`).
//
// BAR2 (the DAX window) is a stream: writes of up to Max_Payload_Size (256
// bytes) and reads of up to 4 KiB are passed on in arrival order, a beat per
// cycle, through the bq_* port, without waiting for earlier reads to
// complete; pcie_bar_cpl turns the lines the window returns (bd_*) into
// completions. Requests that cross a 4 KiB boundary are malformed: reads
// complete with CA, writes are dropped (both counted).
//
// Interfaces: rx/tx generic TLP streams (docs/pcie-function.md), the BAR0
// application port (virtio registers, offsets below the MSI-X table; request
// with grant, read data with rvalid one or more cycles after the grant), the
// BAR2 request stream and line stream, interrupt requests, configuration
// state for the DMA engines.
module pcie_ep #(
  parameter int DATA_W = 256,         // TLP stream payload width
  parameter int BAR2_SIZE_LOG2 = 30,  // DAX window (BAR2) size, log2 bytes
  parameter int MSIX_VECTORS = 8      // MSI-X table entries
) (
  input  wire logic        clk,
  input  wire logic        rst,

  // --- TLPs from the host ---
  input  wire logic [127:0]      rx_tlp_hdr,
  input  wire logic [DATA_W-1:0] rx_tlp_data,
  input  wire logic              rx_tlp_sop,
  input  wire logic              rx_tlp_eop,
  input  wire logic              rx_tlp_valid,
  output logic                   rx_tlp_ready,

  // --- TLPs to the host ---
  output logic [127:0]      tx_tlp_hdr,
  output logic [DATA_W-1:0] tx_tlp_data,
  output logic              tx_tlp_sop,
  output logic              tx_tlp_eop,
  output logic              tx_tlp_valid,
  input  wire logic         tx_tlp_ready,

  // --- BAR0 application port (offsets 0x0000-0x3fff and 0x6000-0x7fff) ---
  output logic        app_req,
  output logic        app_we,
  output logic [14:0] app_addr,
  output logic [3:0]  app_be,
  output logic [31:0] app_wdata,
  input  wire logic        app_gnt,
  input  wire logic        app_rvalid,
  input  wire logic [31:0] app_rdata,

  // --- BAR2 requests, in arrival order (a write: its payload beats; a read: one beat) ---
  output logic                      bq_valid,
  input  wire logic                 bq_ready,
  output logic                      bq_sop,
  output logic                      bq_eop,
  output logic                      bq_we,
  output logic [BAR2_SIZE_LOG2-1:0] bq_addr,   // byte address of the first DW (DW aligned)
  output logic [10:0]               bq_ndw,    // DWs, 1..1024
  output logic [3:0]                bq_fbe,
  output logic [3:0]                bq_lbe,
  output logic [DATA_W-1:0]         bq_data,   // payload beat, DW 0 of the TLP in bits 31:0 of the first

  // --- lines of the BAR2 reads, in request order ---
  input  wire logic                 bd_valid,
  output logic                      bd_ready,
  input  wire logic [DATA_W-1:0]    bd_data,

  // --- interrupts ---
  input  wire logic        irq_valid,     // MSI-X request for irq_vector
  input  wire logic [15:0] irq_vector,
  input  wire logic        intx_level,    // INTx when MSI-X is off
  output logic        intx_assert,   // to the hard IP's legacy interrupt input
  output logic        msix_enable,

  // --- configuration state ---
  output logic [15:0] requester_id,
  output logic        bus_master,
  output logic [2:0]  max_payload,
  output logic [2:0]  max_read_req,
  output logic [31:0] err_count      // dropped or refused requests
);
  localparam int DWS = DATA_W / 32;                 // DWs per beat
  localparam int DWSW = $clog2(DWS + 1);            // width of a DW count within a beat
  localparam logic [63:0] BAR0_MASK = ~((64'd1 << pcie_pkg::BAR0_SIZE_LOG2) - 64'd1);
  localparam logic [63:0] BAR2_MASK = ~((64'd1 << BAR2_SIZE_LOG2) - 64'd1);
  localparam logic [14:0] MSIX_WINDOW = pcie_pkg::BAR0_MSIX_TABLE;

  initial begin
    if (DATA_W < 64 || DATA_W > 1024 || (DATA_W & (DATA_W - 1)) != 0)
      $error("pcie_ep: DATA_W must be a power of two, 64..1024");
  end

  typedef enum logic [2:0] {S_IDLE, S_CFG, S_RD, S_WR, S_CPL, S_DRAIN, S_MSIX, S_MEMW} state_t;

  // Target of a BAR0 request
  localparam logic T_APP = 1'b0;
  localparam logic T_MSIX = 1'b1;

  state_t      state_q, state_d;
  logic [127:0] hdr_q, hdr_d;
  logic [DATA_W-1:0] data_q, data_d;
  logic [DATA_W-1:0] cpl_data_q, cpl_data_d;
  logic [DWSW-1:0] idx_q, idx_d;       // current DW of the request
  logic        wait_q, wait_d;         // a read is outstanding
  logic        target_q, target_d;
  logic [63:0] addr_q, addr_d;
  logic [2:0]  cpl_status_q, cpl_status_d;
  logic        cpl_has_data_q, cpl_has_data_d;
  logic [11:0] cpl_bytes_q, cpl_bytes_d;
  logic [6:0]  cpl_lower_q, cpl_lower_d;
  logic [15:0] req_id_q, req_id_d;     // our own ID (bus/device/function)
  logic [31:0] err_q, err_d;

  // Configuration space
  logic        cfg_req, cfg_we;
  logic [31:0] cfg_rdata;
  logic [63:0] bar0_base, bar2_base;
  logic        mem_enable, intx_disable, msix_fmask;

  // MSI-X
  logic        msix_req;
  logic [31:0] msix_rdata_c;
  logic [31:0] msix_rdata_q;
  logic        msix_rvalid_q;
  logic        msg_valid, msg_ready;
  logic [63:0] msg_addr;
  logic [31:0] msg_data;

  // Decoded request (from the header being received or held)
  logic [2:0]  h_fmt;
  logic [4:0]  h_type;
  logic [9:0]  h_len;
  logic [3:0]  h_fbe, h_lbe;
  logic [63:0] h_addr;
  logic        h_is_mem, h_is_cfg, h_is_cpl, h_nonposted, h_poisoned;
  logic        h_bar0, h_bar2;
  logic [10:0] h_ndw;
  logic        h_in_page;        // the request stays within one 4 KiB page
  logic [11:0] h_bytes;          // a read's byte count (0: 4096)
  logic [1:0]  h_low;            // offset of its first enabled byte


  always_comb begin
    logic [127:0] h;
    h = (state_q == S_IDLE) ? rx_tlp_hdr : hdr_q;
    h_fmt = h[31:29];
    h_type = h[28:24];
    h_len = h[9:0];
    h_ndw = (h_len == 10'd0) ? 11'd1024 : {1'b0, h_len};
    h_fbe = h[35:32];
    h_lbe = h[39:36];
    h_poisoned = h[14];
    h_addr = h_fmt[0] ? {h[95:64], h[127:98], 2'b00} : {32'd0, h[95:66], 2'b00};
    h_is_mem = (h_type == pcie_pkg::TYPE_MEM) && (h_fmt[2] == 1'b0);
    h_is_cfg = (h_type == pcie_pkg::TYPE_CFG0) && (h_fmt == pcie_pkg::FMT_3DW_NODATA ||
                                                   h_fmt == pcie_pkg::FMT_3DW_DATA);
    h_is_cpl = (h_type == pcie_pkg::TYPE_CPL);
    // Non-posted: everything but memory writes, messages (type 10xxx) and completions.
    h_nonposted = !(h_type[4:3] == 2'b10) && !(h_is_mem && h_fmt[1]) && !h_is_cpl;
    h_bar0 = mem_enable && ((h_addr & BAR0_MASK) == bar0_base);
    h_bar2 = mem_enable && ((h_addr & BAR2_MASK) == bar2_base);
    h_in_page = 12'({1'b0, h_addr[11:2]}) + 12'(h_ndw) <= 12'd1024;
  end

  pcie_cfg #(
    .BAR2_SIZE_LOG2 (BAR2_SIZE_LOG2),
    .MSIX_VECTORS   (MSIX_VECTORS)
  ) u_cfg (
    .clk            (clk),
    .rst            (rst),
    .req            (cfg_req),
    .we             (cfg_we),
    .dw             (hdr_q[75:66]),
    .be             (hdr_q[35:32]),
    .wdata          (data_q[31:0]),
    .rdata          (cfg_rdata),
    .bar0_base      (bar0_base),
    .bar2_base      (bar2_base),
    .mem_enable     (mem_enable),
    .bus_master     (bus_master),
    .intx_disable   (intx_disable),
    .intx_status    (intx_level),
    .max_payload    (max_payload),
    .max_read_req   (max_read_req),
    .msix_enable    (msix_enable),
    .msix_func_mask (msix_fmask)
  );

  pcie_msix #(
    .VECTORS (MSIX_VECTORS)
  ) u_msix (
    .clk         (clk),
    .rst         (rst),
    .msix_enable (msix_enable),
    .func_mask   (msix_fmask),
    .bus_master  (bus_master),
    .req         (msix_req),
    .we          (app_we),
    .addr        (app_addr[12:0]),
    .be          (app_be),
    .wdata       (app_wdata),
    .rdata       (msix_rdata_c),
    .irq_valid   (irq_valid),
    .irq_vector  (irq_vector),
    .msg_valid   (msg_valid),
    .msg_ready   (msg_ready),
    .msg_addr    (msg_addr),
    .msg_data    (msg_data)
  );

  always_ff @(posedge clk) begin
    msix_rdata_q <= msix_rdata_c;
    msix_rvalid_q <= msix_req && !app_we;
  end

  // Port requests for DW idx of the held request
  logic [3:0]  cur_be;
  logic [63:0] cur_addr;
  logic        port_gnt, port_rvalid;
  logic [31:0] port_rdata;

  always_comb begin
    logic [10:0] ndw;
    ndw = (hdr_q[9:0] == 10'd0) ? 11'd1024 : {1'b0, hdr_q[9:0]};
    cur_addr = addr_q + (64'(idx_q) << 2);
    if (ndw == 11'd1) cur_be = hdr_q[35:32];
    else if (idx_q == '0) cur_be = hdr_q[35:32];
    else if (11'(idx_q) == ndw - 11'd1) cur_be = hdr_q[39:36];
    else cur_be = 4'b1111;
  end

  always_comb begin
    app_req = 1'b0;
    msix_req = 1'b0;
    app_we = (state_q == S_WR);
    app_addr = cur_addr[14:0];
    app_be = cur_be;
    app_wdata = data_q[32 * idx_q[DWSW-2:0] +: 32];
    if ((state_q == S_RD && !wait_q) || state_q == S_WR) begin
      if (target_q == T_MSIX) msix_req = 1'b1;
      else app_req = 1'b1;
    end
    if (target_q == T_MSIX) begin
      port_gnt = 1'b1; port_rvalid = msix_rvalid_q; port_rdata = msix_rdata_q;
    end else begin
      port_gnt = app_gnt; port_rvalid = app_rvalid; port_rdata = app_rdata;
    end
  end

  // BAR2: an output register for the request stream, and the completer.
  logic bq_free, bq_load, bq_load_sop;
  logic d_valid, d_ready;
  logic [127:0]      ep_tx_hdr, bc_tx_hdr;
  logic [DATA_W-1:0] ep_tx_data, bc_tx_data;
  logic ep_tx_sop, ep_tx_eop, ep_tx_valid, ep_tx_ready;
  logic bc_tx_sop, bc_tx_eop, bc_tx_valid, bc_tx_ready;

  assign bq_free = !bq_valid || bq_ready;

  always_ff @(posedge clk) begin
    if (rst) bq_valid <= 1'b0;
    else if (bq_load) bq_valid <= 1'b1;
    else if (bq_ready) bq_valid <= 1'b0;
    if (bq_load) begin
      bq_sop <= bq_load_sop;
      bq_eop <= rx_tlp_eop;
      bq_data <= rx_tlp_data;
      if (bq_load_sop) begin
        bq_we <= h_fmt[1];
        bq_addr <= h_addr[BAR2_SIZE_LOG2-1:0];
        bq_ndw <= h_ndw;
        bq_fbe <= h_fbe;
        bq_lbe <= h_lbe;
      end
    end
  end

  pcie_bar_cpl #(
    .DATA_W (DATA_W)
  ) u_bar_cpl (
    .clk          (clk),
    .rst          (rst),
    .d_valid      (d_valid),
    .d_ready      (d_ready),
    .d_rid_tag    (rx_tlp_hdr[63:40]),
    .d_tc_attr    ({rx_tlp_hdr[22:20], rx_tlp_hdr[18], rx_tlp_hdr[13:12]}),
    .d_len        (rx_tlp_hdr[9:0]),
    .d_addr       (h_addr[11:2]),
    .d_bytes      (h_bytes),
    .d_low        (h_low),
    .l_valid      (bd_valid),
    .l_ready      (bd_ready),
    .l_data       (bd_data),
    .tx_tlp_hdr   (bc_tx_hdr),
    .tx_tlp_data  (bc_tx_data),
    .tx_tlp_sop   (bc_tx_sop),
    .tx_tlp_eop   (bc_tx_eop),
    .tx_tlp_valid (bc_tx_valid),
    .tx_tlp_ready (bc_tx_ready),
    .completer_id (req_id_q),
    .max_payload  (max_payload)
  );

  pcie_tx_arb #(
    .DATA_W (DATA_W)
  ) u_tx_arb (
    .clk       (clk),
    .rst       (rst),
    .a_hdr     (ep_tx_hdr),
    .a_data    (ep_tx_data),
    .a_sop     (ep_tx_sop),
    .a_eop     (ep_tx_eop),
    .a_valid   (ep_tx_valid),
    .a_ready   (ep_tx_ready),
    .b_hdr     (bc_tx_hdr),
    .b_data    (bc_tx_data),
    .b_sop     (bc_tx_sop),
    .b_eop     (bc_tx_eop),
    .b_valid   (bc_tx_valid),
    .b_ready   (bc_tx_ready),
    .out_hdr   (tx_tlp_hdr),
    .out_data  (tx_tlp_data),
    .out_sop   (tx_tlp_sop),
    .out_eop   (tx_tlp_eop),
    .out_valid (tx_tlp_valid),
    .out_ready (tx_tlp_ready)
  );

  // Byte count and lower address of a read's (first) completion.
  assign h_bytes = 12'(pcie_pkg::read_bytes(h_ndw, h_fbe, h_lbe));  // 4096 encodes as 0
  assign h_low = pcie_pkg::be_low(h_fbe);

  always_comb begin
    state_d = state_q;
    hdr_d = hdr_q;
    data_d = data_q;
    cpl_data_d = cpl_data_q;
    idx_d = idx_q;
    wait_d = wait_q;
    target_d = target_q;
    addr_d = addr_q;
    cpl_status_d = cpl_status_q;
    cpl_has_data_d = cpl_has_data_q;
    cpl_bytes_d = cpl_bytes_q;
    cpl_lower_d = cpl_lower_q;
    req_id_d = req_id_q;
    err_d = err_q;
    rx_tlp_ready = 1'b0;
    bq_load = 1'b0;
    bq_load_sop = 1'b0;
    d_valid = 1'b0;
    cfg_req = 1'b0;
    cfg_we = 1'b0;
    msg_ready = 1'b0;

    unique case (state_q)
      S_IDLE: begin
        if (msg_valid) begin
          state_d = S_MSIX;
        end else begin
          rx_tlp_ready = 1'b1;
          if (rx_tlp_valid && rx_tlp_sop) begin
            hdr_d = rx_tlp_hdr;
            data_d = rx_tlp_data;
            idx_d = '0;
            wait_d = 1'b0;
            addr_d = h_addr;
            cpl_status_d = pcie_pkg::CPL_SC;
            cpl_has_data_d = 1'b0;
            cpl_bytes_d = 12'd4;
            cpl_lower_d = 7'd0;
            target_d = (h_addr[14:0] >= MSIX_WINDOW && h_addr[14:0] < pcie_pkg::BAR0_TIME) ? T_MSIX : T_APP;
            if (h_is_mem && h_bar2 && !h_fmt[1] && h_in_page) begin
              // BAR2 read: to the window and the completer, or wait for room
              rx_tlp_ready = bq_free && d_ready;
              bq_load = rx_tlp_ready;
              bq_load_sop = 1'b1;
              d_valid = rx_tlp_ready;
            end else if (h_is_mem && h_bar2 && h_fmt[1] && h_in_page && !h_poisoned &&
                         h_ndw <= 11'(pcie_pkg::BAR2_MAX_WRITE_DWS)) begin
              // BAR2 write: its beats to the window
              rx_tlp_ready = bq_free;
              bq_load = bq_free;
              bq_load_sop = 1'b1;
              if (bq_free && !rx_tlp_eop) state_d = S_MEMW;
            end else if (h_is_mem && h_bar2) begin
              // crosses a 4 KiB boundary, poisoned or longer than MPS
              err_d = err_q + 32'd1;
              if (h_fmt[1]) begin
                state_d = rx_tlp_eop ? S_IDLE : S_DRAIN;
              end else begin
                cpl_status_d = pcie_pkg::CPL_CA; state_d = S_CPL;
              end
            end else if (h_is_cfg) begin
              state_d = S_CFG;
            end else if (h_is_mem && !h_fmt[1]) begin
              // memory read
              if (!h_bar0) begin
                cpl_status_d = pcie_pkg::CPL_UR; state_d = S_CPL; err_d = err_q + 32'd1;
              end else if (h_ndw > 11'(DWS)) begin
                cpl_status_d = pcie_pkg::CPL_CA; state_d = S_CPL; err_d = err_q + 32'd1;
              end else begin
                state_d = S_RD;
                cpl_has_data_d = 1'b1;
                cpl_bytes_d = h_bytes;
                cpl_lower_d = {h_addr[6:2], h_low};
                cpl_data_d = '0;
              end
            end else if (h_is_mem && h_fmt[1]) begin
              // memory write: one beat of payload at most, never poisoned
              if (h_bar0 && h_ndw <= 11'(DWS) && !h_poisoned && rx_tlp_eop) begin
                state_d = S_WR;
              end else begin
                err_d = err_q + 32'd1;
                state_d = rx_tlp_eop ? S_IDLE : S_DRAIN;
              end
            end else if (h_nonposted) begin
              cpl_status_d = pcie_pkg::CPL_UR; state_d = S_CPL; err_d = err_q + 32'd1;
              if (!rx_tlp_eop) state_d = S_DRAIN;   // cannot happen for legal TLPs
            end else begin
              // Completions for requests we never make, messages: dropped.
              if (!h_is_cpl && h_type[4:3] != 2'b10) err_d = err_q + 32'd1;
              state_d = rx_tlp_eop ? S_IDLE : S_DRAIN;
            end
          end
        end
      end

      S_CFG: begin
        cfg_req = 1'b1;
        cfg_we = hdr_q[30];
        if (hdr_q[30]) begin
          // Endpoints learn their bus and device number from configuration writes.
          req_id_d = hdr_q[95:80];
        end else begin
          cpl_has_data_d = 1'b1;
          cpl_data_d = '0;
          cpl_data_d[31:0] = cfg_rdata;
        end
        state_d = S_CPL;
      end

      S_RD: begin
        if (!wait_q) begin
          if (port_gnt) wait_d = 1'b1;
        end else if (port_rvalid) begin
          cpl_data_d[32 * idx_q[DWSW-2:0] +: 32] = port_rdata;
          wait_d = 1'b0;
          if (11'(idx_q) == ((hdr_q[9:0] == 10'd0) ? 11'd1024 : {1'b0, hdr_q[9:0]}) - 11'd1)
            state_d = S_CPL;
          else
            idx_d = idx_q + DWSW'(1);
        end
      end

      S_WR: begin
        if (port_gnt) begin
          if (11'(idx_q) == ((hdr_q[9:0] == 10'd0) ? 11'd1024 : {1'b0, hdr_q[9:0]}) - 11'd1)
            state_d = S_IDLE;
          else
            idx_d = idx_q + DWSW'(1);
        end
      end

      S_MEMW: begin
        rx_tlp_ready = bq_free;
        bq_load = bq_free && rx_tlp_valid;
        if (bq_free && rx_tlp_valid && rx_tlp_eop) state_d = S_IDLE;
      end

      S_CPL: begin
        if (ep_tx_ready) state_d = S_IDLE;
      end

      S_DRAIN: begin
        rx_tlp_ready = 1'b1;
        if (rx_tlp_valid && rx_tlp_eop) state_d = (cpl_status_q != pcie_pkg::CPL_SC) ? S_CPL : S_IDLE;
      end

      S_MSIX: begin
        if (ep_tx_ready) begin
          msg_ready = 1'b1;
          state_d = S_IDLE;
        end
      end

      default: state_d = S_IDLE;
    endcase
  end

  // Transmit side: a completion for the held request, or an MSI-X message.
  always_comb begin
    logic [9:0] cpl_len;
    ep_tx_hdr = '0;
    ep_tx_data = '0;
    ep_tx_sop = 1'b1;
    ep_tx_eop = 1'b1;
    ep_tx_valid = 1'b0;
    cpl_len = cpl_has_data_q ? ((hdr_q[30]) ? 10'd0 : hdr_q[9:0]) : 10'd0;
    if (state_q == S_CPL) begin
      ep_tx_valid = 1'b1;
      ep_tx_hdr = pcie_pkg::cpl_header(cpl_status_q, cpl_has_data_q, cpl_len, cpl_bytes_q, cpl_lower_q,
                                       hdr_q[22:20], {hdr_q[18], hdr_q[13:12]}, req_id_q,
                                       hdr_q[63:48], hdr_q[47:40]);
      ep_tx_data = cpl_data_q;
    end else if (state_q == S_MSIX) begin
      ep_tx_valid = 1'b1;
      if (msg_addr[63:32] != 32'd0) begin
        ep_tx_hdr[31:0] = {pcie_pkg::FMT_4DW_DATA, pcie_pkg::TYPE_MEM, 14'd0, 10'd1};
        ep_tx_hdr[63:32] = {req_id_q, 8'd0, 4'b0000, 4'b1111};
        ep_tx_hdr[95:64] = msg_addr[63:32];
        ep_tx_hdr[127:96] = {msg_addr[31:2], 2'b00};
      end else begin
        ep_tx_hdr[31:0] = {pcie_pkg::FMT_3DW_DATA, pcie_pkg::TYPE_MEM, 14'd0, 10'd1};
        ep_tx_hdr[63:32] = {req_id_q, 8'd0, 4'b0000, 4'b1111};
        ep_tx_hdr[95:64] = {msg_addr[31:2], 2'b00};
      end
      ep_tx_data[31:0] = msg_data;
    end
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      state_q <= S_IDLE;
      req_id_q <= 16'd0;
      err_q <= 32'd0;
      wait_q <= 1'b0;
    end else begin
      state_q <= state_d;
      req_id_q <= req_id_d;
      err_q <= err_d;
      wait_q <= wait_d;
    end
    hdr_q <= hdr_d;
    data_q <= data_d;
    cpl_data_q <= cpl_data_d;
    idx_q <= idx_d;
    target_q <= target_d;
    addr_q <= addr_d;
    cpl_status_q <= cpl_status_d;
    cpl_has_data_q <= cpl_has_data_d;
    cpl_bytes_q <= cpl_bytes_d;
    cpl_lower_q <= cpl_lower_d;
  end

  assign requester_id = req_id_q;
  assign intx_assert = intx_level && !msix_enable && !intx_disable;
  assign err_count = err_q;
endmodule
