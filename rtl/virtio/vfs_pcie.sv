`default_nettype none
// vfs_pcie: the card's virtio-fs PCIe function: the endpoint core (config
// space, MSI-X, BAR decode, completions), the virtio register file, the
// DMA engine with its buffer, the virtqueue engine and the card's clock
// (vfs_time: BAR0 0x6000 for the host, the TIME region for the firmware) and
// the host's firmware load window (vfs_fwload: BAR0 0x7000, FWLOAD read-only
// for the firmware). Clock domain: clk. Interfaces: generic TLP
// streams toward the hard IP, the firmware port (SoC MMIO: VIRTIO, DMA, VQ,
// TIME, FWLOAD, DMABUF and FAST regions; the READ fast path vq_fast shares
// the port with the core), the BAR2 memory port, the DMA engine's card
// memory line port (transfers between host memory and DDR or the DAX window),
// the load strap, the SoC's loader port and the core's hold.
module vfs_pcie #(
  parameter int DATA_W = 256,         // TLP stream payload width
  parameter int BAR2_SIZE_LOG2 = 30,  // DAX window size, log2 bytes
  parameter int NUM_REQ_QUEUES = 4,   // request queues besides hiprio
  parameter int MSIX_VECTORS = 8,     // MSI-X table entries
  parameter int DMA_TAGS = 16,        // DMA read tags in flight (tags 0..DMA_TAGS-1)
  parameter int DMA_TIMEOUT = 65536,  // DMA completion timeout, cycles
  parameter int TICK_NS = 4,          // clk period in ns: the clock's advance per cycle
  parameter int CARD_AW = 31,         // card memory byte-address bits
  parameter logic [31:0] WIN_OFF = 32'h4000_0000,  // card memory address of the DAX window
  parameter int CARD_DEPTH = 16       // lines the DMA engine buffers toward card memory
) (
  input  wire logic        clk,
  input  wire logic        rst,

  // --- TLP streams ---
  input  wire logic [127:0]      rx_tlp_hdr,
  input  wire logic [DATA_W-1:0] rx_tlp_data,
  input  wire logic              rx_tlp_sop,
  input  wire logic              rx_tlp_eop,
  input  wire logic              rx_tlp_valid,
  output logic                   rx_tlp_ready,
  output logic [127:0]      tx_tlp_hdr,
  output logic [DATA_W-1:0] tx_tlp_data,
  output logic              tx_tlp_sop,
  output logic              tx_tlp_eop,
  output logic              tx_tlp_valid,
  input  wire logic         tx_tlp_ready,
  output logic              intx_assert,

  // --- firmware port ---
  input  wire logic        f_req,
  input  wire logic        f_we,
  input  wire logic [3:0]  f_be,
  input  wire logic [31:0] f_addr,
  input  wire logic [31:0] f_wdata,
  output logic [31:0] f_rdata,        // one cycle after f_req
  output logic        f_irq,

  // --- BAR2 (the DAX window): requests in arrival order, read lines back ---
  output logic                      bq_valid,
  input  wire logic                 bq_ready,
  output logic                      bq_sop,
  output logic                      bq_eop,
  output logic                      bq_we,
  output logic [BAR2_SIZE_LOG2-1:0] bq_addr,
  output logic [10:0]               bq_ndw,
  output logic [3:0]                bq_fbe,
  output logic [3:0]                bq_lbe,
  output logic [DATA_W-1:0]         bq_data,
  input  wire logic                 bd_valid,
  output logic                      bd_ready,
  input  wire logic [DATA_W-1:0]    bd_data,

  // --- DMA engine to card memory (lines; in-order read data, any latency) ---
  output logic                   k_req,
  output logic                   k_we,
  output logic [CARD_AW-$clog2(DATA_W/8)-1:0] k_addr,
  output logic [DATA_W/8-1:0]    k_be,
  output logic [DATA_W-1:0]      k_wdata,
  input  wire logic              k_gnt,
  input  wire logic              k_rvalid,
  input  wire logic [DATA_W-1:0] k_rdata,

  // --- firmware load from the host (vfs_fwload) ---
  input  wire logic        fw_strap,      // 1: wait for a host load (sampled in rst)
  output logic        fw_ld_valid,
  output logic [31:0] fw_ld_addr,
  output logic [31:0] fw_ld_data,
  output logic        fw_core_hold,

  // --- status ---
  output logic [31:0] err_count,
  output logic        fast_idle       // the READ fast path has nothing in hand
);
  localparam int DMABUF_AW = $clog2(soc_map_pkg::DMABUF_SIZE);  // DMA buffer byte-address bits

  logic        app_req, app_we, app_rvalid_q;
  logic [14:0] app_addr;
  logic [3:0]  app_be;
  logic [31:0] app_wdata, app_rdata_c, app_rdata_q;
  logic        irq_valid, intx_level, msix_enable, dev_reset;
  // After a reset by the driver, no DMA and no queue command may run until the
  // firmware has seen the reset (read VIRTIO.STATUS): work it began for the old
  // configuration can never touch host memory afterwards.
  logic        reset_unseen;
  logic [15:0] irq_vector;
  logic [15:0] requester_id;
  logic        bus_master;
  logic [2:0]  max_payload, max_read_req;

  // Stream plumbing: requests to the endpoint, completions to the DMA engine;
  // endpoint and DMA transmit through one arbiter.
  logic              ep_rx_valid, ep_rx_ready, dma_rx_valid, dma_rx_ready, cpl_valid, cpl_ready;
  logic              vq_rx_valid, vq_rx_ready, cpl_to_vq;
  logic [127:0]      vq_tx_hdr, dt_tx_hdr;
  logic [DATA_W-1:0] vq_tx_data, dt_tx_data;
  logic              vq_tx_sop, vq_tx_eop, vq_tx_valid, vq_tx_ready;
  logic              dt_tx_sop, dt_tx_eop, dt_tx_valid, dt_tx_ready;
  logic [127:0]      ep_tx_hdr, dma_tx_hdr;
  logic [DATA_W-1:0] ep_tx_data, dma_tx_data;
  logic              ep_tx_sop, ep_tx_eop, ep_tx_valid, ep_tx_ready;
  logic              dma_tx_sop, dma_tx_eop, dma_tx_valid, dma_tx_ready;
  logic [127:0]      de_tx_hdr;             // the DMA engine's own stream, before
  logic [DATA_W-1:0] de_tx_data;            // pcie_tx_tail
  logic              de_tx_sop, de_tx_eop, de_tx_valid, de_tx_ready;

  // Firmware port decode
  logic        sel_virtio, sel_dma, sel_buf, sel_vq, sel_time, sel_fwl;
  logic        h_time;                 // a BAR0 access to the clock's window
  logic        h_fwl;                  // ... to the firmware load window
  logic [31:0] time_f_rdata, time_h_rdata, virtio_h_rdata, fwl_f_rdata, fwl_h_rdata;
  logic        rsel_buf_q;
  logic [31:0] virtio_rdata_c, dma_rdata_c, vq_rdata_c, regs_rdata_q, buf_rdata;

  // The function's internal firmware port: the core's, shared with the
  // READ fast path (vq_fast)
  logic        fi_req, fi_we;
  logic [3:0]  fi_be;
  logic [31:0] fi_addr, fi_wdata, fi_rdata;
  logic        notify_valid;
  logic [3:0]  notify_queue;
  logic [NUM_REQ_QUEUES:0] notify_steal, notify_fwd;

  // Queue engine
  logic [NUM_REQ_QUEUES*16+15:0] q_size;
  logic [NUM_REQ_QUEUES*64+63:0] q_desc, q_avail, q_used;
  logic [NUM_REQ_QUEUES:0]       q_enable;
  logic [63:0] driver_features;
  logic        eng_irq_valid;
  logic [15:0] eng_irq_queue;

  assign sel_virtio = (fi_addr & ~(soc_map_pkg::VIRTIO_SIZE - 32'd1)) == soc_map_pkg::VIRTIO_BASE;
  assign sel_dma = (fi_addr & ~(soc_map_pkg::DMA_SIZE - 32'd1)) == soc_map_pkg::DMA_BASE;
  assign sel_buf = (fi_addr & ~(soc_map_pkg::DMABUF_SIZE - 32'd1)) == soc_map_pkg::DMABUF_BASE;
  assign sel_vq = (fi_addr & ~(soc_map_pkg::VQ_SIZE - 32'd1)) == soc_map_pkg::VQ_BASE;
  assign sel_time = (fi_addr & ~(soc_map_pkg::TIME_SIZE - 32'd1)) == soc_map_pkg::TIME_BASE;
  assign sel_fwl = (fi_addr & ~(soc_map_pkg::FWLOAD_SIZE - 32'd1)) == soc_map_pkg::FWLOAD_BASE;
  assign h_fwl = app_addr >= pcie_pkg::BAR0_FWLOAD;
  assign h_time = app_addr >= pcie_pkg::BAR0_TIME && !h_fwl;
  assign app_rdata_c = h_fwl ? fwl_h_rdata : h_time ? time_h_rdata : virtio_h_rdata;

  // DMA engine
  logic        dcmd_valid, dcmd_ready, dcmd_write, dflush, ddone_valid;
  logic [63:0] dcmd_host;
  logic [CARD_AW-1:0] dcmd_local;
  logic        dcmd_card;
  logic [24:0] dcmd_len;
  logic [soc_map_pkg::DMA_RESULT_W-1:0] ddone_status;
  logic [31:0] dunexpected;
  logic        lm_en;
  logic [DATA_W/8-1:0] lm_we;
  localparam int CARD_LW = CARD_AW - $clog2(DATA_W / 8);
  logic [CARD_LW-1:0] lm_row, lm_next_row;
  logic [DATA_W-1:0] lm_wdata, lm_rdata, buf_lm_rdata, card_lm_rdata;
  logic        lm_wait, lm_rd_ok, lm_busy, card_wait, card_rd_ok;
  logic [31:0] dmar_rdata_c, copy_rdata_c;
  // dma_card_port (e) and the copy engine (y) toward card memory, and the
  // copy engine on the buffer's engine port
  logic        e_req, e_we, e_gnt, e_rvalid, y_req, y_we, y_gnt, y_rvalid;
  logic [CARD_LW-1:0] e_addr, y_addr;
  logic [DATA_W/8-1:0] e_be, y_be, yb_we;
  logic [DATA_W-1:0] e_wdata, y_wdata, yb_wdata;
  logic        yb_en, eng_buf;
  logic [DMABUF_AW-$clog2(DATA_W/8)-1:0] yb_row;

  pcie_rx_demux u_rx_demux (
    .clk       (clk),
    .rst       (rst),
    .in_type   (rx_tlp_hdr[28:24]),
    .in_sop    (rx_tlp_sop),
    .in_eop    (rx_tlp_eop),
    .in_valid  (rx_tlp_valid),
    .in_ready  (rx_tlp_ready),
    .req_valid (ep_rx_valid),
    .req_ready (ep_rx_ready),
    .cpl_valid (cpl_valid),
    .cpl_ready (cpl_ready)
  );

  // Completions: tags below DMA_TAGS belong to the DMA engine, the rest to the
  // queue engine. The header is valid on a TLP's first beat only: the choice
  // made there holds for the beats after it.
  logic cpl_to_vq_q;
  always_ff @(posedge clk) begin
    if (rst) cpl_to_vq_q <= 1'b0;
    else if (cpl_valid && cpl_ready && rx_tlp_sop) cpl_to_vq_q <= cpl_to_vq;
  end
  assign cpl_to_vq = rx_tlp_sop ? (rx_tlp_hdr[79:72] >= 8'(DMA_TAGS)) : cpl_to_vq_q;
  assign dma_rx_valid = cpl_valid && !cpl_to_vq;
  assign vq_rx_valid = cpl_valid && cpl_to_vq;
  assign cpl_ready = cpl_to_vq ? vq_rx_ready : dma_rx_ready;

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
    .b_hdr     (dt_tx_hdr),
    .b_data    (dt_tx_data),
    .b_sop     (dt_tx_sop),
    .b_eop     (dt_tx_eop),
    .b_valid   (dt_tx_valid),
    .b_ready   (dt_tx_ready),
    .out_hdr   (tx_tlp_hdr),
    .out_data  (tx_tlp_data),
    .out_sop   (tx_tlp_sop),
    .out_eop   (tx_tlp_eop),
    .out_valid (tx_tlp_valid),
    .out_ready (tx_tlp_ready)
  );

  // The DMA and queue engines share the arbiter's second input.
  pcie_tx_arb #(
    .DATA_W (DATA_W)
  ) u_tx_arb_engines (
    .clk       (clk),
    .rst       (rst),
    .a_hdr     (dma_tx_hdr),
    .a_data    (dma_tx_data),
    .a_sop     (dma_tx_sop),
    .a_eop     (dma_tx_eop),
    .a_valid   (dma_tx_valid),
    .a_ready   (dma_tx_ready),
    .b_hdr     (vq_tx_hdr),
    .b_data    (vq_tx_data),
    .b_sop     (vq_tx_sop),
    .b_eop     (vq_tx_eop),
    .b_valid   (vq_tx_valid),
    .b_ready   (vq_tx_ready),
    .out_hdr   (dt_tx_hdr),
    .out_data  (dt_tx_data),
    .out_sop   (dt_tx_sop),
    .out_eop   (dt_tx_eop),
    .out_valid (dt_tx_valid),
    .out_ready (dt_tx_ready)
  );

  pcie_ep #(
    .DATA_W         (DATA_W),
    .BAR2_SIZE_LOG2 (BAR2_SIZE_LOG2),
    .MSIX_VECTORS   (MSIX_VECTORS)
  ) u_ep (
    .clk          (clk),
    .rst          (rst),
    .rx_tlp_hdr   (rx_tlp_hdr),
    .rx_tlp_data  (rx_tlp_data),
    .rx_tlp_sop   (rx_tlp_sop),
    .rx_tlp_eop   (rx_tlp_eop),
    .rx_tlp_valid (ep_rx_valid),
    .rx_tlp_ready (ep_rx_ready),
    .tx_tlp_hdr   (ep_tx_hdr),
    .tx_tlp_data  (ep_tx_data),
    .tx_tlp_sop   (ep_tx_sop),
    .tx_tlp_eop   (ep_tx_eop),
    .tx_tlp_valid (ep_tx_valid),
    .tx_tlp_ready (ep_tx_ready),
    .app_req      (app_req),
    .app_we       (app_we),
    .app_addr     (app_addr),
    .app_be       (app_be),
    .app_wdata    (app_wdata),
    .app_gnt      (1'b1),
    .app_rvalid   (app_rvalid_q),
    .app_rdata    (app_rdata_q),
    .bq_valid     (bq_valid),
    .bq_ready     (bq_ready),
    .bq_sop       (bq_sop),
    .bq_eop       (bq_eop),
    .bq_we        (bq_we),
    .bq_addr      (bq_addr),
    .bq_ndw       (bq_ndw),
    .bq_fbe       (bq_fbe),
    .bq_lbe       (bq_lbe),
    .bq_data      (bq_data),
    .bd_valid     (bd_valid),
    .bd_ready     (bd_ready),
    .bd_data      (bd_data),
    .irq_valid    (irq_valid),
    .irq_vector   (irq_vector),
    .intx_level   (intx_level),
    .intx_assert  (intx_assert),
    .msix_enable  (msix_enable),
    .requester_id (requester_id),
    .bus_master   (bus_master),
    .max_payload  (max_payload),
    .max_read_req (max_read_req),
    .err_count    (err_count)
  );

  virtio_regs #(
    .NUM_REQ_QUEUES (NUM_REQ_QUEUES),
    .MSIX_VECTORS   (MSIX_VECTORS)
  ) u_regs (
    .clk          (clk),
    .rst          (rst),
    .h_req        (app_req && !h_time && !h_fwl),
    .h_we         (app_we),
    .h_addr       (app_addr),
    .h_be         (app_be),
    .h_wdata      (app_wdata),
    .h_rdata      (virtio_h_rdata),
    .f_req        (fi_req && sel_virtio),
    .f_we         (fi_we),
    .f_addr       (fi_addr[11:0]),
    .f_wdata      (fi_wdata),
    .f_rdata      (virtio_rdata_c),
    .f_irq        (f_irq),
    .msix_enable  (msix_enable),
    .irq_valid    (irq_valid),
    .irq_vector   (irq_vector),
    .intx            (intx_level),
    .q_size          (q_size),
    .q_desc          (q_desc),
    .q_avail         (q_avail),
    .q_used          (q_used),
    .q_enable        (q_enable),
    .driver_features (driver_features),
    .eng_irq_valid   (eng_irq_valid),
    .eng_irq_queue   (eng_irq_queue),
    .dev_reset       (dev_reset),
    .reset_unseen    (reset_unseen),
    .notify_valid    (notify_valid),
    .notify_queue    (notify_queue),
    .notify_steal    (notify_steal),
    .notify_fwd      (notify_fwd)
  );

  vfs_time #(
    .TICK_NS (TICK_NS)
  ) u_time (
    .clk     (clk),
    .rst     (rst),
    .h_req   (app_req && h_time),
    .h_we    (app_we),
    .h_addr  (app_addr[12:0]),
    .h_be    (app_be),
    .h_wdata (app_wdata),
    .h_rdata (time_h_rdata),
    .f_req   (fi_req && sel_time),
    .f_we    (fi_we),
    .f_addr  (fi_addr[11:0]),
    .f_be    (fi_be),
    .f_wdata (fi_wdata),
    .f_rdata (time_f_rdata)
  );

  vfs_fwload u_fwload (
    .clk       (clk),
    .rst       (rst),
    .strap     (fw_strap),
    .h_req     (app_req && h_fwl),
    .h_we      (app_we),
    .h_addr    (app_addr[11:0]),
    .h_be      (app_be),
    .h_wdata   (app_wdata),
    .h_rdata   (fwl_h_rdata),
    .f_addr    (fi_addr[11:0]),
    .f_rdata   (fwl_f_rdata),
    .ld_valid  (fw_ld_valid),
    .ld_addr   (fw_ld_addr),
    .ld_data   (fw_ld_data),
    .core_hold (fw_core_hold)
  );

  // The READ fast path: a second master on the internal port, lent the
  // queue and DMA engines by the firmware (docs/fastpath.md).
  vq_fast #(
    .NQ (NUM_REQ_QUEUES + 1)
  ) u_fast (
    .clk          (clk),
    .rst          (rst),
    .flush        (dev_reset || reset_unseen),
    .c_req        (f_req),
    .c_we         (f_we),
    .c_be         (f_be),
    .c_addr       (f_addr),
    .c_wdata      (f_wdata),
    .c_rdata      (f_rdata),
    .f_req        (fi_req),
    .f_we         (fi_we),
    .f_be         (fi_be),
    .f_addr       (fi_addr),
    .f_wdata      (fi_wdata),
    .f_rdata      (fi_rdata),
    .notify_valid (notify_valid),
    .notify_queue (notify_queue),
    .notify_steal (notify_steal),
    .notify_fwd   (notify_fwd),
    .idle         (fast_idle)
  );

  vq_engine #(
    .NQ       (NUM_REQ_QUEUES + 1),
    .DATA_W   (DATA_W),
    .TIMEOUT  (DMA_TIMEOUT),
    .TAG_BASE (8'(DMA_TAGS))
  ) u_vq (
    .clk            (clk),
    .rst            (rst || dev_reset || reset_unseen),
    .q_size         (q_size),
    .q_desc         (q_desc),
    .q_avail        (q_avail),
    .q_used         (q_used),
    .q_enable       (q_enable),
    .feat_event_idx (driver_features[29]),
    .feat_indirect  (driver_features[28]),
    .requester_id   (requester_id),
    .bus_master     (bus_master),
    .req            (fi_req && sel_vq),
    .we             (fi_we),
    .addr           (fi_addr[11:0]),
    .wdata          (fi_wdata),
    .rdata          (vq_rdata_c),
    .tx_hdr         (vq_tx_hdr),
    .tx_data        (vq_tx_data),
    .tx_sop         (vq_tx_sop),
    .tx_eop         (vq_tx_eop),
    .tx_valid       (vq_tx_valid),
    .tx_ready       (vq_tx_ready),
    .rx_hdr         (rx_tlp_hdr),
    .rx_data        (rx_tlp_data),
    .rx_sop         (rx_tlp_sop),
    .rx_valid       (vq_rx_valid),
    .rx_ready       (vq_rx_ready),
    .irq_valid      (eng_irq_valid),
    .irq_queue      (eng_irq_queue)
  );

  dma_regs #(
    .CARD_AW  (CARD_AW),
    .WIN_LOG2 (BAR2_SIZE_LOG2),
    .WIN_OFF  (WIN_OFF)
  ) u_dma_regs (
    .clk         (clk),
    .rst         (rst),
    .req         (fi_req && sel_dma),
    .we          (fi_we),
    .addr        (fi_addr[11:0]),
    .wdata       (fi_wdata),
    .rdata       (dmar_rdata_c),
    .cmd_valid   (dcmd_valid),
    .cmd_ready   (dcmd_ready),
    .cmd_write   (dcmd_write),
    .cmd_host    (dcmd_host),
    .cmd_card    (dcmd_card),
    .cmd_local   (dcmd_local),
    .cmd_len     (dcmd_len),
    .flush       (dflush),
    .abort       (dev_reset || reset_unseen),
    .done_valid  (ddone_valid),
    .done_status (ddone_status),
    .unexpected  (dunexpected)
  );

  dma_engine #(
    .DATA_W   (DATA_W),
    .TAGS     (DMA_TAGS),
    .LOCAL_AW (CARD_AW),
    .TIMEOUT  (DMA_TIMEOUT)
  ) u_dma (
    .clk             (clk),
    .rst             (rst),
    .abort           (dev_reset || reset_unseen),
    .bus_master      (bus_master),
    .max_payload     (max_payload),
    .max_read_req    (max_read_req),
    .requester_id    (requester_id),
    .cmd_valid       (dcmd_valid),
    .cmd_ready       (dcmd_ready),
    .cmd_write       (dcmd_write),
    .cmd_host        (dcmd_host),
    .cmd_local       (dcmd_local),
    .cmd_len         (dcmd_len),
    .flush           (dflush),
    .done_valid      (ddone_valid),
    .done_status     (ddone_status),
    .tx_hdr          (de_tx_hdr),
    .tx_data         (de_tx_data),
    .tx_sop          (de_tx_sop),
    .tx_eop          (de_tx_eop),
    .tx_valid        (de_tx_valid),
    .tx_ready        (de_tx_ready),
    .rx_hdr          (rx_tlp_hdr),
    .rx_data         (rx_tlp_data),
    .rx_sop          (rx_tlp_sop),
    .rx_eop          (rx_tlp_eop),
    .rx_valid        (dma_rx_valid),
    .rx_ready        (dma_rx_ready),
    .lm_en           (lm_en),
    .lm_we           (lm_we),
    .lm_row          (lm_row),
    .lm_wdata        (lm_wdata),
    .lm_rdata        (lm_rdata),
    .lm_wait         (lm_wait),
    .lm_next_row     (lm_next_row),
    .lm_rd_ok        (lm_rd_ok),
    .lm_busy         (lm_busy),
    .stat_unexpected (dunexpected)
  );

  // A function reset stops the DMA engine wherever it is, also in the
  // middle of a write TLP: the TLP is finished here, or the arbiter would
  // wait for its last beat for ever.
  pcie_tx_tail #(
    .DATA_W (DATA_W)
  ) u_dma_tail (
    .clk       (clk),
    .rst       (rst),
    .abort     (dev_reset || reset_unseen),
    .in_hdr    (de_tx_hdr),
    .in_data   (de_tx_data),
    .in_sop    (de_tx_sop),
    .in_eop    (de_tx_eop),
    .in_valid  (de_tx_valid),
    .in_ready  (de_tx_ready),
    .out_hdr   (dma_tx_hdr),
    .out_data  (dma_tx_data),
    .out_sop   (dma_tx_sop),
    .out_eop   (dma_tx_eop),
    .out_valid (dma_tx_valid),
    .out_ready (dma_tx_ready)
  );

  // The command's local side (dma_regs holds it while the command runs):
  // DMABUF answers every row at once, card memory through dma_card_port.
  assign lm_rdata = dcmd_card ? card_lm_rdata : buf_lm_rdata;
  // The engine has the buffer's port whenever it uses it; the copy engine
  // takes the other cycles.
  assign eng_buf = lm_en && !dcmd_card;
  assign lm_wait = dcmd_card && card_wait;
  assign lm_rd_ok = !dcmd_card || card_rd_ok;

  dma_card_port #(
    .DATA_W (DATA_W),
    .LW     (CARD_LW),
    .DEPTH  (CARD_DEPTH)
  ) u_dma_card (
    .clk           (clk),
    .rst           (rst),
    .abort         (dev_reset || reset_unseen),
    .start         (dcmd_valid && dcmd_ready && dcmd_card),
    .start_to_host (dcmd_write),
    .start_local   (dcmd_local),
    .start_host_lo (dcmd_host[1:0]),
    .start_len     (dcmd_len),
    .lm_en         (lm_en && dcmd_card),
    .lm_we         (lm_we),
    .lm_row        (lm_row),
    .lm_wdata      (lm_wdata),
    .lm_rdata      (card_lm_rdata),
    .lm_wait       (card_wait),
    .lm_next_row   (lm_next_row),
    .lm_rd_ok      (card_rd_ok),
    .lm_busy       (lm_busy),
    .l_req         (e_req),
    .l_we          (e_we),
    .l_addr        (e_addr),
    .l_be          (e_be),
    .l_wdata       (e_wdata),
    .l_gnt         (e_gnt),
    .l_rvalid      (e_rvalid),
    .l_rdata       (k_rdata)
  );

  // Card-to-card copies (COPY_* registers of the DMA region).
  dma_copy #(
    .DATA_W   (DATA_W),
    .CARD_AW  (CARD_AW),
    .WIN_LOG2 (BAR2_SIZE_LOG2),
    .WIN_OFF  (WIN_OFF),
    .DEPTH    (CARD_DEPTH)
  ) u_copy (
    .clk      (clk),
    .rst      (rst),
    .req      (fi_req && sel_dma),
    .we       (fi_we),
    .addr     (fi_addr[11:0]),
    .wdata    (fi_wdata),
    .rdata    (copy_rdata_c),
    .c_req    (y_req),
    .c_we     (y_we),
    .c_addr   (y_addr),
    .c_be     (y_be),
    .c_wdata  (y_wdata),
    .c_gnt    (y_gnt),
    .c_rvalid (y_rvalid),
    .c_rdata  (k_rdata),
    .b_en     (yb_en),
    .b_we     (yb_we),
    .b_row    (yb_row),
    .b_wdata  (yb_wdata),
    .b_free   (!eng_buf),
    .b_rdata  (buf_lm_rdata)
  );
  assign dma_rdata_c = dmar_rdata_c | copy_rdata_c;

  // Both onto the function's card memory port; reads in flight: either's
  // buffer.
  card_line_arb #(
    .DATA_W (DATA_W),
    .LW     (CARD_LW),
    .OWNERS (CARD_DEPTH)
  ) u_card_arb (
    .clk      (clk),
    .rst      (rst),
    .a_req    (e_req),
    .a_we     (e_we),
    .a_addr   (e_addr),
    .a_be     (e_be),
    .a_wdata  (e_wdata),
    .a_gnt    (e_gnt),
    .a_rvalid (e_rvalid),
    .b_req    (y_req),
    .b_we     (y_we),
    .b_addr   (y_addr),
    .b_be     (y_be),
    .b_wdata  (y_wdata),
    .b_gnt    (y_gnt),
    .b_rvalid (y_rvalid),
    .m_req    (k_req),
    .m_we     (k_we),
    .m_addr   (k_addr),
    .m_be     (k_be),
    .m_wdata  (k_wdata),
    .m_gnt    (k_gnt),
    .m_rvalid (k_rvalid)
  );

  dma_buf #(
    .DATA_W (DATA_W),
    .AW     (DMABUF_AW)
  ) u_dma_buf (
    .clk     (clk),
    .d_en    (eng_buf || yb_en),
    .d_we    (eng_buf ? lm_we : yb_we),
    .d_row   (eng_buf ? lm_row[DMABUF_AW-$clog2(DATA_W/8)-1:0] : yb_row),
    .d_wdata (eng_buf ? lm_wdata : yb_wdata),
    .d_rdata (buf_lm_rdata),
    .c_en    (fi_req && sel_buf),
    .c_we    (fi_we ? fi_be : 4'b0000),
    .c_addr  (fi_addr[DMABUF_AW-1:0]),
    .c_wdata (fi_wdata),
    .c_rdata (buf_rdata)
  );

  always_ff @(posedge clk) begin
    app_rvalid_q <= app_req && !app_we;
    app_rdata_q <= app_rdata_c;
    regs_rdata_q <= sel_virtio ? virtio_rdata_c : sel_vq ? vq_rdata_c :
                    sel_time ? time_f_rdata : sel_fwl ? fwl_f_rdata : dma_rdata_c;
    if (fi_req) rsel_buf_q <= sel_buf;
  end

  assign fi_rdata = rsel_buf_q ? buf_rdata : regs_rdata_q;
endmodule
