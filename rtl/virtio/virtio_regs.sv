`default_nettype none
// virtio_regs: the virtio-pci modern register file of BAR0 (common
// configuration, notify area, ISR status, virtio_fs device configuration)
// and its firmware-side view. Clock domain: clk.
// Interfaces: host register port (BAR0 accesses from the endpoint, reads are
// combinational and a read of ISR clears it), firmware register port (SoC
// MMIO: notifications, interrupt requests, queue configuration, the tag),
// per-queue state for the queue engines, and interrupt requests toward MSI-X
// (vector numbers) or INTx (level).
module virtio_regs #(
  parameter int NUM_REQ_QUEUES = 4,     // request queues (plus one hiprio queue)
  parameter int QUEUE_SIZE_MAX = 1024,  // largest queue the device accepts
  parameter int MSIX_VECTORS = 8        // MSI-X table entries
) (
  input  wire logic        clk,
  input  wire logic        rst,

  // --- host port: BAR0 offsets 0x0000-0x3fff ---
  input  wire logic        h_req,
  input  wire logic        h_we,
  input  wire logic [14:0] h_addr,
  input  wire logic [3:0]  h_be,
  input  wire logic [31:0] h_wdata,
  output logic [31:0] h_rdata,

  // --- firmware port (SoC MMIO window) ---
  input  wire logic        f_req,
  input  wire logic        f_we,
  input  wire logic [11:0] f_addr,
  input  wire logic [31:0] f_wdata,
  output logic [31:0] f_rdata,
  output logic        f_irq,          // a queue was notified, or the driver reset the device (level until NOTIFY, resp. STATUS, is read)

  // --- interrupts ---
  input  wire logic        msix_enable,
  output logic        irq_valid,      // MSI-X request
  output logic [15:0] irq_vector,
  output logic        intx,           // INTx level (ISR non-zero, MSI-X off)

  // --- queue engine ---
  output logic [NQ_PORT*16-1:0] q_size,
  output logic [NQ_PORT*64-1:0] q_desc,
  output logic [NQ_PORT*64-1:0] q_avail,
  output logic [NQ_PORT*64-1:0] q_used,
  output logic [NQ_PORT-1:0]    q_enable,
  output logic [63:0] driver_features,
  input  wire logic        eng_irq_valid,   // used-buffer interrupt for eng_irq_queue
  input  wire logic [15:0] eng_irq_queue,

  // --- function reset (device status written 0) ---
  output logic        dev_reset,
  output logic        reset_unseen,   // the firmware has not read STATUS since a reset

  // --- notifications and the READ fast path (vq_fast) ---
  output logic        notify_valid,   // the driver notified enabled queue notify_queue
  output logic [3:0]  notify_queue,
  input  wire logic [NQ_PORT-1:0] notify_steal,  // these queues' notifications do not set NOTIFY
  input  wire logic [NQ_PORT-1:0] notify_fwd     // set these queues' NOTIFY bits (the fast path hands them on)
);
  localparam int NQ_PORT = NUM_REQ_QUEUES + 1;  // queues on the engine ports
  localparam int NQ = NUM_REQ_QUEUES + 1;                // hiprio + request queues
  localparam int QW = (NQ > 1) ? $clog2(NQ) : 1;         // queue index width
  localparam logic [15:0] NO_VECTOR = 16'hffff;          // VIRTIO_MSI_NO_VECTOR
  localparam int TAG_DWORDS = soc_map_pkg::VIRTIO_TAG_COUNT;  // 36-byte tag
  // Device feature bits (virtio_config.h, virtio_ring.h)
  localparam logic [63:0] DEVICE_FEATURES = (64'd1 << 28) | (64'd1 << 29) | (64'd1 << 32) |
                                            (64'd1 << 33) | (64'd1 << 36);
  localparam int F_VERSION_1 = 32;
  // Device status bits (virtio_config.h)
  localparam int S_FEATURES_OK = 3;
  localparam int S_NEEDS_RESET = 6;
  // Firmware register offsets come from the memory map (soc_map_pkg::VIRTIO_*).

  initial begin
    if (NUM_REQ_QUEUES < 1 || NUM_REQ_QUEUES > 15) $error("virtio_regs: NUM_REQ_QUEUES must be 1..15");
    if (QUEUE_SIZE_MAX < 2 || QUEUE_SIZE_MAX > 32768 || (QUEUE_SIZE_MAX & (QUEUE_SIZE_MAX - 1)) != 0)
      $error("virtio_regs: QUEUE_SIZE_MAX must be a power of two, 2..32768");
  end

  // Device-wide state
  logic [31:0] dfsel_raw_q;             // device_feature_select
  logic [31:0] gfsel_q;
  logic [63:0] gfeat_q;
  logic [15:0] msix_config_q;
  logic [7:0]  status_q;
  logic [7:0]  generation_q;
  logic [15:0] qsel_q;
  logic [1:0]  isr_q;
  logic [NQ-1:0] notified_q;
  logic [31:0] tag_q [0:TAG_DWORDS-1];
  logic [QW-1:0] fw_qsel_q;
  logic        reset_seen_q;           // a driver reset the firmware has not seen yet

  // Per-queue state
  logic [15:0] qsize_q   [0:NQ-1];
  logic [15:0] qvector_q [0:NQ-1];
  logic [NQ-1:0] qenable_q;
  logic [63:0] qdesc_q   [0:NQ-1];
  logic [63:0] qavail_q  [0:NQ-1];
  logic [63:0] qused_q   [0:NQ-1];

  logic        qsel_ok;
  logic [QW-1:0] qs;
  logic [31:0] wmask;
  logic        reset_req;
  logic [15:0] status_word_rd;

  assign wmask = {{8{h_be[3]}}, {8{h_be[2]}}, {8{h_be[1]}}, {8{h_be[0]}}};
  assign qsel_ok = (qsel_q < 16'(NQ));
  assign qs = qsel_q[QW-1:0];

  function automatic logic is_pow2(input logic [15:0] v);
    is_pow2 = (v != 16'd0) && ((v & (v - 16'd1)) == 16'd0);
  endfunction

  // ------------------------------------------------------------- host reads
  always_comb begin
    h_rdata = 32'd0;
    status_word_rd = {generation_q, status_q};
    if (h_addr < pcie_pkg::BAR0_NOTIFY) begin
      unique case (h_addr[7:0])
        8'h00: h_rdata = dfsel_raw_q;
        8'h04: h_rdata = dfsel_raw_q == 32'd0 ? DEVICE_FEATURES[31:0] :
                         dfsel_raw_q == 32'd1 ? DEVICE_FEATURES[63:32] : 32'd0;
        8'h08: h_rdata = gfsel_q;
        8'h0c: h_rdata = gfsel_q == 32'd0 ? gfeat_q[31:0] :
                         gfsel_q == 32'd1 ? gfeat_q[63:32] : 32'd0;
        8'h10: h_rdata = {16'(NQ), msix_config_q};
        8'h14: h_rdata = {qsel_q, status_word_rd};
        8'h18: h_rdata = qsel_ok ? {qvector_q[qs], qsize_q[qs]} : 32'd0;
        8'h1c: h_rdata = qsel_ok ? {16'(qs), 15'd0, qenable_q[qs]} : 32'd0;
        8'h20: h_rdata = qsel_ok ? qdesc_q[qs][31:0] : 32'd0;
        8'h24: h_rdata = qsel_ok ? qdesc_q[qs][63:32] : 32'd0;
        8'h28: h_rdata = qsel_ok ? qavail_q[qs][31:0] : 32'd0;
        8'h2c: h_rdata = qsel_ok ? qavail_q[qs][63:32] : 32'd0;
        8'h30: h_rdata = qsel_ok ? qused_q[qs][31:0] : 32'd0;
        8'h34: h_rdata = qsel_ok ? qused_q[qs][63:32] : 32'd0;
        default: ;
      endcase
    end else if (h_addr >= pcie_pkg::BAR0_ISR && h_addr < pcie_pkg::BAR0_DEVICE) begin
      if (h_addr[11:0] == 12'd0) h_rdata = {30'd0, isr_q};
    end else if (h_addr >= pcie_pkg::BAR0_DEVICE && h_addr < pcie_pkg::BAR0_MSIX_TABLE) begin
      if (h_addr[11:2] < 10'(TAG_DWORDS)) h_rdata = tag_q[h_addr[5:2]];
      else if (h_addr[11:0] == 12'h024) h_rdata = 32'(NUM_REQ_QUEUES);
    end
  end

  // ------------------------------------------------------ firmware reads
  always_comb begin
    f_rdata = 32'd0;
    unique case (f_addr)
      soc_map_pkg::VIRTIO_STATUS: begin
        f_rdata[soc_map_pkg::VIRTIO_STATUS_DEVICE_STATUS_LSB +: soc_map_pkg::VIRTIO_STATUS_DEVICE_STATUS_W] = status_q;
        f_rdata[soc_map_pkg::VIRTIO_STATUS_GENERATION_LSB +: soc_map_pkg::VIRTIO_STATUS_GENERATION_W] = generation_q;
        f_rdata[soc_map_pkg::VIRTIO_STATUS_RESET_SEEN_LSB] = reset_seen_q;
      end
      soc_map_pkg::VIRTIO_NOTIFY:    f_rdata = 32'(notified_q);
      soc_map_pkg::VIRTIO_QSEL:      f_rdata = 32'(fw_qsel_q);
      soc_map_pkg::VIRTIO_QSIZE: begin
        f_rdata[soc_map_pkg::VIRTIO_QSIZE_SIZE_LSB +: soc_map_pkg::VIRTIO_QSIZE_SIZE_W] = qsize_q[fw_qsel_q];
        f_rdata[soc_map_pkg::VIRTIO_QSIZE_ENABLED_LSB] = qenable_q[fw_qsel_q];
      end
      soc_map_pkg::VIRTIO_QDESC_LO:  f_rdata = qdesc_q[fw_qsel_q][31:0];
      soc_map_pkg::VIRTIO_QDESC_HI:  f_rdata = qdesc_q[fw_qsel_q][63:32];
      soc_map_pkg::VIRTIO_QAVAIL_LO: f_rdata = qavail_q[fw_qsel_q][31:0];
      soc_map_pkg::VIRTIO_QAVAIL_HI: f_rdata = qavail_q[fw_qsel_q][63:32];
      soc_map_pkg::VIRTIO_QUSED_LO:  f_rdata = qused_q[fw_qsel_q][31:0];
      soc_map_pkg::VIRTIO_QUSED_HI:  f_rdata = qused_q[fw_qsel_q][63:32];
      soc_map_pkg::VIRTIO_FEAT_LO:   f_rdata = gfeat_q[31:0];
      soc_map_pkg::VIRTIO_FEAT_HI:   f_rdata = gfeat_q[63:32];
      soc_map_pkg::VIRTIO_NUMQ:      f_rdata = 32'(NQ);
      default: if (f_addr >= soc_map_pkg::VIRTIO_TAG && f_addr < soc_map_pkg::VIRTIO_TAG + 12'(4 * TAG_DWORDS))
                 f_rdata = tag_q[4'((f_addr - soc_map_pkg::VIRTIO_TAG) >> 2)];
    endcase
  end

  // ----------------------------------------------------------- updates
  logic        h_wr, f_wr;
  logic [7:0]  new_status;
  logic [15:0] new_msix_cfg, new_qsize, new_qvec;
  logic        raise_cfg, raise_queue, fail;
  logic [QW-1:0] raise_q;
  logic [soc_map_pkg::VIRTIO_RAISE_QUEUE_W-1:0] f_raise_queue;   // RAISE.QUEUE
  logic        notify_hit;
  logic [QW-1:0] notify_q;

  assign h_wr = h_req && h_we;
  assign f_wr = f_req && f_we;
  assign f_raise_queue = f_wdata[soc_map_pkg::VIRTIO_RAISE_QUEUE_LSB +: soc_map_pkg::VIRTIO_RAISE_QUEUE_W];
  assign reset_req = h_wr && h_addr == 15'h0014 && h_be[0] && h_wdata[7:0] == 8'd0;
  assign raise_cfg = (f_wr && f_addr == soc_map_pkg::VIRTIO_RAISE && f_wdata[soc_map_pkg::VIRTIO_RAISE_CONFIG_LSB]) ||
                     (f_wr && f_addr == soc_map_pkg::VIRTIO_FAIL);
  assign raise_queue = (f_wr && f_addr == soc_map_pkg::VIRTIO_RAISE && !f_wdata[soc_map_pkg::VIRTIO_RAISE_CONFIG_LSB] &&
                        f_raise_queue < 16'(NQ)) ||
                       (eng_irq_valid && eng_irq_queue < 16'(NQ));
  assign raise_q = eng_irq_valid ? eng_irq_queue[QW-1:0] : f_raise_queue[QW-1:0];
  assign fail = f_wr && f_addr == soc_map_pkg::VIRTIO_FAIL;
  assign notify_hit = h_wr && h_addr >= pcie_pkg::BAR0_NOTIFY && h_addr < pcie_pkg::BAR0_ISR &&
                      h_addr[11:2] < 10'(NQ);
  assign notify_q = h_addr[2 +: QW];
  assign notify_valid = notify_hit && qenable_q[notify_q];
  assign notify_queue = 4'(notify_q);

  // Merged values of 16-bit and status fields written with byte enables.
  always_comb begin
    new_msix_cfg = msix_config_q;
    if (h_be[0]) new_msix_cfg[7:0] = h_wdata[7:0];
    if (h_be[1]) new_msix_cfg[15:8] = h_wdata[15:8];
    new_qsize = qsize_q[qs];
    if (h_be[0]) new_qsize[7:0] = h_wdata[7:0];
    if (h_be[1]) new_qsize[15:8] = h_wdata[15:8];
    new_qvec = qvector_q[qs];
    if (h_be[2]) new_qvec[7:0] = h_wdata[23:16];
    if (h_be[3]) new_qvec[15:8] = h_wdata[31:24];
    new_status = h_wdata[7:0];
    // FEATURES_OK sticks only for an acceptable feature set; NEEDS_RESET is the device's.
    if (new_status[S_FEATURES_OK] && !gfeat_q[F_VERSION_1]) new_status[S_FEATURES_OK] = 1'b0;
    new_status[S_NEEDS_RESET] = status_q[S_NEEDS_RESET];
  end

  always_ff @(posedge clk) begin
    if (rst || reset_req) begin
      dfsel_raw_q <= 32'd0;
      gfsel_q <= 32'd0;
      gfeat_q <= 64'd0;
      msix_config_q <= NO_VECTOR;
      status_q <= 8'd0;
      qsel_q <= 16'd0;
      isr_q <= 2'b00;
      notified_q <= '0;
      qenable_q <= '0;
      for (int q = 0; q < NQ; q++) begin
        qsize_q[q] <= 16'(QUEUE_SIZE_MAX);
        qvector_q[q] <= NO_VECTOR;
        qdesc_q[q] <= 64'd0;
        qavail_q[q] <= 64'd0;
        qused_q[q] <= 64'd0;
      end
      reset_seen_q <= !rst;
      if (rst) begin
        generation_q <= 8'd0;
        fw_qsel_q <= '0;
        // Default tag "vfpga"; firmware sets the real one at boot.
        tag_q[0] <= 32'h67706676;  // "vfpg"
        tag_q[1] <= 32'h00000061;  // "a"
        for (int i = 2; i < TAG_DWORDS; i++) tag_q[i] <= 32'd0;
      end
    end else begin
      // ---- host writes
      if (h_wr && h_addr < pcie_pkg::BAR0_NOTIFY) begin
        unique case (h_addr[7:0])
          8'h00: dfsel_raw_q <= (dfsel_raw_q & ~wmask) | (h_wdata & wmask);
          8'h08: gfsel_q <= (gfsel_q & ~wmask) | (h_wdata & wmask);
          8'h0c: begin
            // Only bits the device offers can be accepted.
            if (gfsel_q == 32'd0)
              gfeat_q[31:0] <= ((gfeat_q[31:0] & ~wmask) | (h_wdata & wmask)) & DEVICE_FEATURES[31:0];
            else if (gfsel_q == 32'd1)
              gfeat_q[63:32] <= ((gfeat_q[63:32] & ~wmask) | (h_wdata & wmask)) & DEVICE_FEATURES[63:32];
          end
          8'h10: msix_config_q <= (new_msix_cfg < 16'(MSIX_VECTORS)) ? new_msix_cfg : NO_VECTOR;
          8'h14: begin
            if (h_be[0]) status_q <= new_status;
            if (h_be[2]) qsel_q[7:0] <= h_wdata[23:16];
            if (h_be[3]) qsel_q[15:8] <= h_wdata[31:24];
          end
          8'h18: if (qsel_ok) begin
            if (h_be[1:0] != 2'b00 && !qenable_q[qs]) qsize_q[qs] <= new_qsize;
            if (h_be[3:2] != 2'b00)
              qvector_q[qs] <= (new_qvec < 16'(MSIX_VECTORS)) ? new_qvec : NO_VECTOR;
          end
          8'h1c: if (qsel_ok && h_be[0] && h_wdata[0] && !qenable_q[qs]) begin
            // A queue size that is not a power of two (or too large) cannot be
            // served: refuse it loudly rather than guess.
            if (is_pow2(qsize_q[qs]) && qsize_q[qs] <= 16'(QUEUE_SIZE_MAX)) begin
              qenable_q[qs] <= 1'b1;
            end else begin
              status_q[S_NEEDS_RESET] <= 1'b1;
              isr_q[1] <= 1'b1;
            end
          end
          8'h20: if (qsel_ok && !qenable_q[qs]) qdesc_q[qs][31:0] <= (qdesc_q[qs][31:0] & ~wmask) | (h_wdata & wmask);
          8'h24: if (qsel_ok && !qenable_q[qs]) qdesc_q[qs][63:32] <= (qdesc_q[qs][63:32] & ~wmask) | (h_wdata & wmask);
          8'h28: if (qsel_ok && !qenable_q[qs]) qavail_q[qs][31:0] <= (qavail_q[qs][31:0] & ~wmask) | (h_wdata & wmask);
          8'h2c: if (qsel_ok && !qenable_q[qs]) qavail_q[qs][63:32] <= (qavail_q[qs][63:32] & ~wmask) | (h_wdata & wmask);
          8'h30: if (qsel_ok && !qenable_q[qs]) qused_q[qs][31:0] <= (qused_q[qs][31:0] & ~wmask) | (h_wdata & wmask);
          8'h34: if (qsel_ok && !qenable_q[qs]) qused_q[qs][63:32] <= (qused_q[qs][63:32] & ~wmask) | (h_wdata & wmask);
          default: ;
        endcase
      end
      // ISR: read to clear, then new causes
      if (h_req && !h_we && h_addr == pcie_pkg::BAR0_ISR) isr_q <= 2'b00;
      if (raise_queue) isr_q[0] <= 1'b1;
      if (raise_cfg) isr_q[1] <= 1'b1;
      // ---- firmware writes
      // A notification in the cycle the firmware reads (and so clears) the
      // bits survives into the next read.
      notified_q <= ((f_req && !f_we && f_addr == soc_map_pkg::VIRTIO_NOTIFY) ? '0 : notified_q) |
                    ((notify_hit && qenable_q[notify_q] && !notify_steal[notify_q]) ? (NQ'(1) << notify_q) : '0) |
                    notify_fwd;
      if (f_req && !f_we && f_addr == soc_map_pkg::VIRTIO_STATUS) reset_seen_q <= 1'b0;
      if (fail) status_q[S_NEEDS_RESET] <= 1'b1;
      if (f_wr && f_addr == soc_map_pkg::VIRTIO_QSEL && f_wdata < 32'(NQ)) fw_qsel_q <= f_wdata[QW-1:0];
      if (f_wr && f_addr >= soc_map_pkg::VIRTIO_TAG && f_addr < soc_map_pkg::VIRTIO_TAG + 12'(4 * TAG_DWORDS)) begin
        tag_q[4'((f_addr - soc_map_pkg::VIRTIO_TAG) >> 2)] <= f_wdata;
        generation_q <= generation_q + 8'd1;
      end
    end
  end

  // MSI-X requests: a used-buffer notification uses the queue's vector, a
  // configuration change msix_config. One request per cycle: a queue
  // notification that meets a configuration change goes out a cycle later.
  logic        deferred_q;
  logic [15:0] deferred_vec_q;

  always_comb begin
    irq_valid = 1'b0;
    irq_vector = NO_VECTOR;
    if (!rst && !reset_req) begin
      if (raise_cfg) begin
        irq_valid = 1'b1; irq_vector = msix_config_q;
      end else if (deferred_q) begin
        irq_valid = 1'b1; irq_vector = deferred_vec_q;
      end else if (raise_queue) begin
        irq_valid = 1'b1; irq_vector = qvector_q[raise_q];
      end
    end
  end

  always_ff @(posedge clk) begin
    if (rst || reset_req) begin
      deferred_q <= 1'b0;
    end else if (raise_queue && (raise_cfg || deferred_q)) begin
      deferred_q <= 1'b1;
      deferred_vec_q <= qvector_q[raise_q];
    end else if (!raise_cfg) begin
      deferred_q <= 1'b0;
    end
  end

  assign intx = (isr_q != 2'b00) && !msix_enable;

  for (genvar q = 0; q < NQ; q++) begin : g_qports
    assign q_size[16 * q +: 16] = qsize_q[q];
    assign q_desc[64 * q +: 64] = qdesc_q[q];
    assign q_avail[64 * q +: 64] = qavail_q[q];
    assign q_used[64 * q +: 64] = qused_q[q];
  end
  assign q_enable = qenable_q;
  assign driver_features = gfeat_q;  // gated by Command.INTx_Disable in pcie_ep
  assign f_irq = |notified_q || reset_seen_q;
  assign dev_reset = reset_req;
  assign reset_unseen = reset_seen_q;
endmodule
