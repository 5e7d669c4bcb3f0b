`default_nettype none
// vq_fast: the READ fast path (docs/fastpath.md). While the firmware lends
// it the engines (FAST.CTRL.ARM), it takes the notifications of the queues
// in FAST.CTRL.QMASK, pops their chains through the virtqueue engine, reads
// each request's fuse_in_header + fuse_read_in with the DMA engine, and
// serves a FUSE_READ whose pages all hit its tag table: fuse_out_header and
// the pages from card memory into the chain's writable buffers, then the
// used entry through the engine. A GETXATTR of security.capability (Linux
// asks before every write) for a node in the firmware's no-capability
// table is answered ENODATA the same way. Any other chain stays in the engine's
// segment table and goes to the firmware: its next VQ POP of that queue
// returns it instead of popping again.
// Clock domain: clk. Interfaces: the core's MMIO port (c_*: FAST registers
// here, everything else passed on with priority), the function's internal
// firmware port (f_*: the register blocks of VIRTIO, VQ, DMA, DMABUF,
// TIME, FWLOAD; the fast path is a second master on it, read data one
// cycle after the request), notifications from and to virtio_regs.
module vq_fast #(
  parameter int NQ = 5,               // queues (hiprio + request queues)
  parameter int TAGS = 256,           // tag table slots (a power of two)
  parameter int MAX_PAGES = 32,       // pages of one READ the fast path serves
  parameter int XNODES = 64           // no-capability table slots (a power of two)
) (
  input  wire logic        clk,
  input  wire logic        rst,
  input  wire logic        flush,       // function reset: drop all work, clear the tags

  // --- the core's MMIO port ---
  input  wire logic        c_req,
  input  wire logic        c_we,
  input  wire logic [3:0]  c_be,
  input  wire logic [31:0] c_addr,
  input  wire logic [31:0] c_wdata,
  output logic [31:0] c_rdata,          // one cycle after c_req

  // --- the function's register port ---
  output logic        f_req,
  output logic        f_we,
  output logic [3:0]  f_be,
  output logic [31:0] f_addr,
  output logic [31:0] f_wdata,
  input  wire logic [31:0] f_rdata,     // one cycle after f_req

  // --- notifications ---
  input  wire logic        notify_valid,   // the driver notified an enabled queue
  input  wire logic [3:0]  notify_queue,
  output logic [NQ-1:0] notify_steal,      // queues whose notifications come here, not to VIRTIO.NOTIFY
  output logic [NQ-1:0] notify_fwd,        // (pulse) set these queues' VIRTIO.NOTIFY bits

  // --- activity ---
  output logic        idle              // nothing to do until the core or a notification acts
);
  localparam int SW = $clog2(TAGS);                 // slot index width
  localparam int PW = $clog2(MAX_PAGES + 1);        // page count width
  localparam int FRW = 20;                          // frame: DMA.LOCAL bits 31:12
  localparam int TAG_W = 64 + 64 + 32 + FRW + 64;   // node, fh, page, frame, size
  localparam int PAGE_LOG2 = 12;
  localparam logic [31:0] PAGE_BYTES = 32'd1 << PAGE_LOG2;
  localparam logic [31:0] REQ_BYTES = 32'd80;       // fuse_in_header + fuse_read_in
  localparam logic [31:0] OUT_BYTES = 32'd16;       // fuse_out_header
  localparam logic [31:0] FUSE_READ = 32'd15;
  localparam int HDR_WORDS = 11;                    // words of a READ read back
  // GETXATTR of "security.capability": fuse_in_header, fuse_getxattr_in,
  // the name and its NUL, 68 bytes; its five name words, little-endian
  localparam logic [31:0] X_BYTES = 32'd68;
  localparam logic [31:0] FUSE_GETXATTR = 32'd22;
  localparam int X_WORDS = 13;                      // words of a GETXATTR read back
  localparam logic [159:0] X_NAME = {32'h0079_7469, 32'h6c69_6261, 32'h7061_632e, 32'h7974_6972, 32'h7563_6573};
  localparam logic [31:0] ENODATA_NEG = 32'hffff_ffc3;  // -61
  localparam int XW = $clog2(XNODES);
  localparam int CNT_W = 32;
  // Scratch in DMABUF (the firmware does not touch DMABUF while armed)
  localparam logic [31:0] SCR = soc_map_pkg::DMABUF_BASE + soc_map_pkg::DMABUF_SIZE - 32'd128;
  localparam logic [31:0] SCR_OUT = SCR + 32'd96;
  // Registers of the engines, as core addresses
  localparam logic [31:0] VQ_CMD_A = soc_map_pkg::VQ_BASE + 32'(soc_map_pkg::VQ_CMD);
  localparam logic [31:0] VQ_STATUS_A = soc_map_pkg::VQ_BASE + 32'(soc_map_pkg::VQ_STATUS);
  localparam logic [31:0] VQ_HEAD_A = soc_map_pkg::VQ_BASE + 32'(soc_map_pkg::VQ_HEAD);
  localparam logic [31:0] VQ_LEN_A = soc_map_pkg::VQ_BASE + 32'(soc_map_pkg::VQ_LEN);
  localparam logic [31:0] VQ_NSEG_A = soc_map_pkg::VQ_BASE + 32'(soc_map_pkg::VQ_NSEG);
  localparam logic [31:0] VQ_RDLEN_A = soc_map_pkg::VQ_BASE + 32'(soc_map_pkg::VQ_RDLEN);
  localparam logic [31:0] VQ_WRLEN_A = soc_map_pkg::VQ_BASE + 32'(soc_map_pkg::VQ_WRLEN);
  localparam logic [31:0] VQ_SEG_A = soc_map_pkg::VQ_BASE + 32'(soc_map_pkg::VQ_SEG);
  localparam logic [31:0] VQ_SEG_HI_A = soc_map_pkg::VQ_BASE + 32'(soc_map_pkg::VQ_SEG_ADDR_HI);
  localparam logic [31:0] VQ_SEG_LEN_A = soc_map_pkg::VQ_BASE + 32'(soc_map_pkg::VQ_SEG_LEN);
  localparam int SEG_SHIFT = $clog2(soc_map_pkg::VQ_SEG_STRIDE);  // entries are a power of two apart
  localparam logic [31:0] DMA_HOST_LO_A = soc_map_pkg::DMA_BASE + 32'(soc_map_pkg::DMA_HOST_LO);
  localparam logic [31:0] DMA_HOST_HI_A = soc_map_pkg::DMA_BASE + 32'(soc_map_pkg::DMA_HOST_HI);
  localparam logic [31:0] DMA_LOCAL_A = soc_map_pkg::DMA_BASE + 32'(soc_map_pkg::DMA_LOCAL);
  localparam logic [31:0] DMA_LEN_A = soc_map_pkg::DMA_BASE + 32'(soc_map_pkg::DMA_LEN);
  localparam logic [31:0] DMA_CTRL_A = soc_map_pkg::DMA_BASE + 32'(soc_map_pkg::DMA_CTRL);
  localparam logic [31:0] DMA_STATUS_A = soc_map_pkg::DMA_BASE + 32'(soc_map_pkg::DMA_STATUS);
  localparam int VQ_RES_LSB = soc_map_pkg::VQ_STATUS_RESULT_LSB;
  localparam int VQ_RES_W = soc_map_pkg::VQ_STATUS_RESULT_W;
  localparam int DMA_RES_LSB = soc_map_pkg::DMA_STATUS_RESULT_LSB;
  localparam int DMA_RES_W = soc_map_pkg::DMA_STATUS_RESULT_W;
  localparam int WHY_W = soc_map_pkg::FASTWHY_W;

  initial begin
    if (TAGS < 2 || (TAGS & (TAGS - 1)) != 0) $error("vq_fast: TAGS must be a power of two");
    if (TAGS > 65536) $error("vq_fast: TAGS above 65536");
    if (MAX_PAGES < 1 || MAX_PAGES > 256) $error("vq_fast: MAX_PAGES out of 1..256");
    if (XNODES < 2 || XNODES > 64 || (XNODES & (XNODES - 1)) != 0) $error("vq_fast: XNODES must be a power of two in 2..64");
    if (NQ > 16) $error("vq_fast: at most 16 queues (VQ.CMD.QUEUE)");
    if ((1 << SEG_SHIFT) != soc_map_pkg::VQ_SEG_STRIDE) $error("vq_fast: VQ.SEG stride not a power of two");
  end

  typedef enum logic [4:0] {
    S_IDLE, S_ISSUE, S_VQPOLL, S_POP_ST, S_HEAD, S_NSEG, S_RDLEN, S_WRLEN,
    S_SEGRD, S_SEG_LO, S_SEG_HI, S_SEG_LEN, S_GATHER, S_GNEXT, S_DMA, S_DMA_ST,
    S_HDR, S_HDR_D, S_LOOK_D, S_XLOOK_D, S_OUT, S_SCAT, S_PUSH, S_PUSH_ST, S_SCAN
  } state_t;

  // ------------------------------------------------------------ state
  state_t      state_q, state_d, ret_q, ret_d, dma_ret_q, dma_ret_d, seg_ret_q, seg_ret_d;
  logic        op_we_q, op_we_d;
  logic [31:0] op_addr_q, op_addr_d, op_wdata_q, op_wdata_d;
  logic        arm_q, arm_d;
  localparam int QN = 16;                           // queue bits kept (VQ.CMD.QUEUE)
  logic [QN-1:0] qmask_q, qmask_d, nq_q, nq_d, fwd_d;
  logic [3:0]  q_q, q_d;
  logic        pend_q, pend_d;
  logic [3:0]  pend_queue_q, pend_queue_d;
  logic [31:0] pop_st_q, pop_st_d;
  logic        ovr_q, ovr_d;
  logic [31:0] ovr_val_q, ovr_val_d;
  logic [WHY_W-1:0] last_miss_q, last_miss_d;
  logic [15:0] head_q, head_d;
  logic [7:0]  nrd_q, nrd_d, nwr_q, nwr_d;
  logic [31:0] rdlen_q, rdlen_d, wrlen_q, wrlen_d;
  logic [7:0]  seg_i_q, seg_i_d;                 // segment-table entry
  logic [63:0] seg_addr_q, seg_addr_d;
  logic [31:0] seg_len_q, seg_len_d, woff_q, woff_d, gath_q, gath_d;
  logic [63:0] dma_host_q, dma_host_d;
  logic [31:0] dma_local_q, dma_local_d, dma_len_q, dma_len_d;
  logic        dma_to_host_q, dma_to_host_d;
  logic [2:0]  dma_step_q, dma_step_d;
  logic        dma_wait_q, dma_wait_d;        // S_DMA returns once its command is done
  logic        dma_out_q, dma_out_d;          // a started command not yet seen done
  logic [3:0]  hk_q, hk_d;                       // request word read back
  logic [31:0] h_len_q, h_len_d, h_op_q, h_op_d, h_size_q, h_size_d, h_x11_q, h_x11_d;
  logic        x_q, x_d;                         // the request is a GETXATTR candidate (68 bytes)
  logic [63:0] h_unique_q, h_unique_d, h_node_q, h_node_d, h_fh_q, h_fh_d, h_off_q, h_off_d;
  logic [PW-1:0] look_k_q, look_k_d, npages_q, npages_d;
  logic [31:0] n_q, n_d, p_q, p_d;               // bytes of data; bytes of the reply sent
  logic [MAX_PAGES*FRW-1:0] frames_q, frames_d;
  logic [CNT_W-1:0] hits_q, hits_d, hit_bytes_q, hit_bytes_d, m_op_q, m_op_d, m_chain_q, m_chain_d,
                    m_tag_q, m_tag_d, m_size_q, m_size_d, m_dma_q, m_dma_d, invals_q, invals_d,
                    xhits_q, xhits_d, m_x_q, m_x_d,
                    last_cyc_q, last_cyc_d, cyc_q, t0_q, t0_d;
  logic [QN*32-1:0] t_steal_q, t_steal_d;
  // tag staging and table
  logic [63:0] t_node_q, t_node_d, t_fh_q, t_fh_d, t_size_q, t_size_d;
  logic [31:0] t_page_q, t_page_d, t_frame_q, t_frame_d;
  logic [SW-1:0] t_slot_q, t_slot_d;
  logic [TAGS-1:0] valid_q, valid_d;
  logic        tag_we;
  logic [SW-1:0] tag_waddr, tag_raddr, tag_rslot_q;
  logic [TAG_W-1:0] tag_wdata, tag_rd_q;
  logic [TAG_W-1:0] tag_mem [0:TAGS-1];
  // the no-capability table: node IDs, one write port, a registered read
  logic [63:0] x_node_q, x_node_d;
  logic [XNODES-1:0] xvalid_q, xvalid_d;
  logic        xmem_we;
  logic [XW-1:0] xmem_raddr, xmem_rslot_q;
  logic [63:0] xmem_rd_q;
  logic [63:0] xmem [0:XNODES-1];
  // invalidation
  logic        inval_q, inval_d;                 // requested, scan not finished
  logic [31:0] inval_node_q, inval_node_d;
  logic [SW-1:0] scan_i_q, scan_i_d;             // slot compared in S_SCAN
  // core port
  logic [1:0]  csel_q, csel_d;                   // what c_rdata shows: 0 f_rdata, 1 FAST, 2 override
  logic [31:0] fast_rdata_q, fast_rdata_d;

  localparam logic [1:0] CSEL_PASS = 2'd0;
  localparam logic [1:0] CSEL_FAST = 2'd1;
  localparam logic [1:0] CSEL_OVR = 2'd2;

  // Tag fields as read
  logic [63:0] r_node, r_fh, r_size;
  logic [31:0] r_page;
  logic [FRW-1:0] r_frame;
  assign {r_node, r_fh, r_page, r_frame, r_size} = tag_rd_q;

  // Slot of (node, page): PAGE ^ NODE[7:0] ^ NODE[15:8], the low SW bits
  function automatic logic [SW-1:0] slot_of(input logic [15:0] node, input logic [SW-1:0] page);
    slot_of = page ^ SW'(node[7:0]) ^ SW'(node[15:8]);
  endfunction

  // Slot of a node in the no-capability table: NODE[5:0] ^ NODE[37:32]
  function automatic logic [XW-1:0] xslot_of(input logic [5:0] lo, input logic [5:0] hi);
    xslot_of = XW'(lo ^ hi);
  endfunction

  // Byte offset in the request of word k read back: len, opcode, unique
  // (2), nodeid (2) at 0..20; then from 40: a READ's fh (2), offset (2),
  // size; a GETXATTR's size, padding and the name's five words
  function automatic logic [31:0] hdr_off(input logic [3:0] k);
    hdr_off = k < 4'd6 ? {26'd0, k, 2'b00} : {26'd0, k, 2'b00} + 32'd16;
  endfunction

  function automatic logic [31:0] min32(input logic [31:0] a, input logic [31:0] b);
    min32 = (a < b) ? a : b;
  endfunction

  // ------------------------------------------------------------ port sharing
  logic c_fast, c_vqcmd, c_swallow, core_other, fsm_issue;
  assign c_fast = (c_addr & ~(soc_map_pkg::FAST_SIZE - 32'd1)) == soc_map_pkg::FAST_BASE;
  assign c_vqcmd = c_req && c_we && c_addr == VQ_CMD_A;
  // The firmware's POP while a chain is pending never reaches the engine.
  assign c_swallow = c_vqcmd && pend_q && c_wdata[soc_map_pkg::VQ_CMD_POP_LSB];
  assign core_other = c_req && !c_fast;
  assign fsm_issue = state_q == S_ISSUE && !core_other;

  always_comb begin
    f_req = 1'b0;
    f_we = c_we;
    f_be = c_be;
    f_addr = c_addr;
    f_wdata = c_wdata;
    if (core_other) begin
      f_req = !c_swallow;
    end else if (fsm_issue) begin
      f_req = 1'b1;
      f_we = op_we_q;
      f_be = 4'b1111;
      f_addr = op_addr_q;
      f_wdata = op_wdata_q;
    end
  end

  always_comb begin
    unique case (csel_q)
      CSEL_FAST: c_rdata = fast_rdata_q;
      CSEL_OVR:  c_rdata = ovr_val_q;
      default:   c_rdata = f_rdata;
    endcase
  end

  // FAST register reads
  logic [31:0] fast_rd;
  logic        busy;
  assign busy = arm_q || state_q != S_IDLE;
  always_comb begin
    fast_rd = 32'd0;
    unique case (c_addr[11:0])
      soc_map_pkg::FAST_CTRL: begin
        fast_rd[soc_map_pkg::FAST_CTRL_ARM_LSB] = arm_q;
        fast_rd[soc_map_pkg::FAST_CTRL_QMASK_LSB +: QN] = qmask_q;
      end
      soc_map_pkg::FAST_STATUS: begin
        fast_rd[soc_map_pkg::FAST_STATUS_BUSY_LSB] = busy;
        fast_rd[soc_map_pkg::FAST_STATUS_INVAL_LSB] = inval_q;
        fast_rd[soc_map_pkg::FAST_STATUS_PEND_LSB] = pend_q;
        fast_rd[soc_map_pkg::FAST_STATUS_PEND_Q_LSB +: 4] = pend_queue_q;
        fast_rd[soc_map_pkg::FAST_STATUS_LAST_MISS_LSB +: WHY_W] = last_miss_q;
      end
      soc_map_pkg::FAST_TAG_NODE_LO: fast_rd = t_node_q[31:0];
      soc_map_pkg::FAST_TAG_NODE_HI: fast_rd = t_node_q[63:32];
      soc_map_pkg::FAST_TAG_FH_LO:   fast_rd = t_fh_q[31:0];
      soc_map_pkg::FAST_TAG_FH_HI:   fast_rd = t_fh_q[63:32];
      soc_map_pkg::FAST_TAG_PAGE:    fast_rd = t_page_q;
      soc_map_pkg::FAST_TAG_FRAME:   fast_rd = t_frame_q;
      soc_map_pkg::FAST_TAG_SIZE_LO: fast_rd = t_size_q[31:0];
      soc_map_pkg::FAST_TAG_SIZE_HI: fast_rd = t_size_q[63:32];
      soc_map_pkg::FAST_TAG_SLOT:    fast_rd = 32'(t_slot_q);
      soc_map_pkg::FAST_TAGS:        fast_rd = 32'(TAGS);
      soc_map_pkg::FAST_HITS:        fast_rd = hits_q;
      soc_map_pkg::FAST_HIT_BYTES:   fast_rd = hit_bytes_q;
      soc_map_pkg::FAST_MISS_OPCODE: fast_rd = m_op_q;
      soc_map_pkg::FAST_MISS_CHAIN:  fast_rd = m_chain_q;
      soc_map_pkg::FAST_MISS_TAG:    fast_rd = m_tag_q;
      soc_map_pkg::FAST_MISS_SIZE:   fast_rd = m_size_q;
      soc_map_pkg::FAST_MISS_DMA:    fast_rd = m_dma_q;
      soc_map_pkg::FAST_INVALS:      fast_rd = invals_q;
      soc_map_pkg::FAST_LAST_CYCLES: fast_rd = last_cyc_q;
      soc_map_pkg::FAST_XNODE_LO:    fast_rd = x_node_q[31:0];
      soc_map_pkg::FAST_XNODE_HI:    fast_rd = x_node_q[63:32];
      soc_map_pkg::FAST_XNODES:      fast_rd = 32'(XNODES);
      soc_map_pkg::FAST_XHITS:       fast_rd = xhits_q;
      soc_map_pkg::FAST_MISS_XATTR:  fast_rd = m_x_q;
      default: ;
    endcase
  end

  assign idle = state_q == S_IDLE && !inval_q && (nq_q == '0 || (arm_q && pend_q));
  assign notify_steal = arm_q ? qmask_q[NQ-1:0] : '0;
  assign notify_fwd = fwd_d[NQ-1:0];

  // ------------------------------------------------------------ next state
  logic        c_fw;                              // core write to FAST
  logic [31:0] avail_w, chunk, src_addr, pg_off_n;
  logic [31:0] dma_start;                      // DMA.CTRL: START in the command's direction
  assign dma_start = soc_map_pkg::DMA_CTRL_START_MASK |
                     (dma_to_host_q ? soc_map_pkg::DMA_CTRL_TO_HOST_MASK : 32'd0);
  logic [63:0] pos;
  logic [51:0] last_pg;                            // page of the read's last byte
  logic [PW-1:0] pidx;
  logic [31:0] st_res;
  logic        miss;
  logic [WHY_W-1:0] miss_why;
  logic [63:0] span;

  always_comb begin
    state_d = state_q;
    ret_d = ret_q;
    dma_ret_d = dma_ret_q;
    seg_ret_d = seg_ret_q;
    op_we_d = op_we_q;
    op_addr_d = op_addr_q;
    op_wdata_d = op_wdata_q;
    arm_d = arm_q;
    qmask_d = qmask_q;
    nq_d = nq_q;
    fwd_d = '0;
    q_d = q_q;
    pend_d = pend_q;
    pend_queue_d = pend_queue_q;
    pop_st_d = pop_st_q;
    ovr_d = ovr_q;
    ovr_val_d = ovr_val_q;
    last_miss_d = last_miss_q;
    head_d = head_q;
    nrd_d = nrd_q;
    nwr_d = nwr_q;
    rdlen_d = rdlen_q;
    wrlen_d = wrlen_q;
    seg_i_d = seg_i_q;
    seg_addr_d = seg_addr_q;
    seg_len_d = seg_len_q;
    woff_d = woff_q;
    gath_d = gath_q;
    dma_host_d = dma_host_q;
    dma_local_d = dma_local_q;
    dma_len_d = dma_len_q;
    dma_to_host_d = dma_to_host_q;
    dma_step_d = dma_step_q;
    dma_wait_d = dma_wait_q;
    dma_out_d = dma_out_q;
    hk_d = hk_q;
    h_len_d = h_len_q;
    h_op_d = h_op_q;
    h_size_d = h_size_q;
    h_x11_d = h_x11_q;
    x_d = x_q;
    h_unique_d = h_unique_q;
    h_node_d = h_node_q;
    h_fh_d = h_fh_q;
    h_off_d = h_off_q;
    look_k_d = look_k_q;
    npages_d = npages_q;
    n_d = n_q;
    p_d = p_q;
    frames_d = frames_q;
    hits_d = hits_q;
    hit_bytes_d = hit_bytes_q;
    m_op_d = m_op_q;
    m_chain_d = m_chain_q;
    m_tag_d = m_tag_q;
    m_size_d = m_size_q;
    m_dma_d = m_dma_q;
    invals_d = invals_q;
    xhits_d = xhits_q;
    m_x_d = m_x_q;
    x_node_d = x_node_q;
    xvalid_d = xvalid_q;
    xmem_we = 1'b0;
    xmem_raddr = xmem_rslot_q;
    last_cyc_d = last_cyc_q;
    t0_d = t0_q;
    t_steal_d = t_steal_q;
    t_node_d = t_node_q;
    t_fh_d = t_fh_q;
    t_size_d = t_size_q;
    t_page_d = t_page_q;
    t_frame_d = t_frame_q;
    t_slot_d = t_slot_q;
    valid_d = valid_q;
    inval_d = inval_q;
    inval_node_d = inval_node_q;
    scan_i_d = scan_i_q;
    csel_d = CSEL_PASS;
    fast_rdata_d = fast_rdata_q;
    tag_we = 1'b0;
    tag_waddr = t_slot_q;
    tag_wdata = {t_node_q, t_fh_q, t_page_q, t_frame_q[31:PAGE_LOG2], t_size_q};
    tag_raddr = tag_rslot_q;
    avail_w = 32'd0;
    chunk = 32'd0;
    src_addr = 32'd0;
    pg_off_n = 32'd0;
    pos = 64'd0;
    last_pg = 52'd0;
    pidx = '0;
    st_res = 32'd0;
    miss = 1'b0;
    miss_why = soc_map_pkg::FASTWHY_NONE;
    span = 64'd0;

    // ---- the core's accesses
    c_fw = c_req && c_we && c_fast;
    if (c_req && !c_we && c_fast) begin
      csel_d = CSEL_FAST;
      fast_rdata_d = fast_rd;
    end
    if (c_req && !c_we && c_addr == VQ_STATUS_A && ovr_q) csel_d = CSEL_OVR;
    if (c_vqcmd) begin
      ovr_d = 1'b0;
      if (c_swallow) begin
        ovr_d = 1'b1;
        if (c_wdata[3:0] == pend_queue_q) begin
          pend_d = 1'b0;
          ovr_val_d = pop_st_q;
        end else begin
          // Another queue: EMPTY for now, and its notification again.
          ovr_val_d = 32'(soc_map_pkg::VQ_RESULT_EMPTY) << VQ_RES_LSB;
          fwd_d[c_wdata[3:0]] = 1'b1;
        end
      end
    end
    if (c_fw) begin
      unique case (c_addr[11:0])
        soc_map_pkg::FAST_CTRL: begin
          arm_d = c_wdata[soc_map_pkg::FAST_CTRL_ARM_LSB];
          // queues the function does not have stay clear
          qmask_d = c_wdata[soc_map_pkg::FAST_CTRL_QMASK_LSB +: QN] & QN'((1 << NQ) - 1);
        end
        soc_map_pkg::FAST_INVAL: begin
          // one at a time: a write while STATUS.INVAL is set is ignored
          if (!inval_q) begin
            inval_d = 1'b1;
            inval_node_d = c_wdata;
          end
        end
        soc_map_pkg::FAST_INVAL_ALL: valid_d = '0;
        soc_map_pkg::FAST_KICK: begin
          for (int i = 0; i < NQ; i++)
            if (c_wdata[i] && qmask_q[i] && !nq_q[i]) begin
              nq_d[i] = 1'b1;
              t_steal_d[32 * i +: 32] = cyc_q;
            end
        end
        soc_map_pkg::FAST_TAG_NODE_LO: t_node_d[31:0] = c_wdata;
        soc_map_pkg::FAST_TAG_NODE_HI: t_node_d[63:32] = c_wdata;
        soc_map_pkg::FAST_TAG_FH_LO:   t_fh_d[31:0] = c_wdata;
        soc_map_pkg::FAST_TAG_FH_HI:   t_fh_d[63:32] = c_wdata;
        soc_map_pkg::FAST_TAG_PAGE:    t_page_d = c_wdata;
        soc_map_pkg::FAST_TAG_FRAME:   t_frame_d = c_wdata;
        soc_map_pkg::FAST_TAG_SIZE_LO: t_size_d[31:0] = c_wdata;
        soc_map_pkg::FAST_TAG_SIZE_HI: t_size_d[63:32] = c_wdata;
        soc_map_pkg::FAST_XNODE_LO: x_node_d[31:0] = c_wdata;
        soc_map_pkg::FAST_XNODE_HI: x_node_d[63:32] = c_wdata;
        soc_map_pkg::FAST_XCMD: begin
          if (c_wdata[soc_map_pkg::FAST_XCMD_CLEAR_LSB]) xvalid_d = '0;
          if (c_wdata[soc_map_pkg::FAST_XCMD_INSTALL_LSB]) begin
            xmem_we = 1'b1;
            xvalid_d[xslot_of(x_node_q[5:0], x_node_q[37:32])] = 1'b1;
          end
        end
        soc_map_pkg::FAST_TAG_CMD: begin
          t_slot_d = slot_of(t_node_q[15:0], t_page_q[SW-1:0]);
          tag_waddr = slot_of(t_node_q[15:0], t_page_q[SW-1:0]);
          tag_we = c_wdata[soc_map_pkg::FAST_TAG_CMD_INSTALL_LSB];
          valid_d[slot_of(t_node_q[15:0], t_page_q[SW-1:0])] = c_wdata[soc_map_pkg::FAST_TAG_CMD_INSTALL_LSB];
        end
        default: ;
      endcase
    end

    // ---- notifications taken while armed
    if (notify_valid && 32'(notify_queue) < NQ && arm_q && qmask_q[notify_queue]) begin
      if (!nq_q[notify_queue]) t_steal_d[32 * notify_queue +: 32] = cyc_q;
      nq_d[notify_queue] = 1'b1;
    end
    // Not armed: what was taken and not served goes to the firmware.
    if (!arm_q && state_q == S_IDLE) begin
      fwd_d = fwd_d | nq_q;
      nq_d = '0;
    end

    // ---- the sequencer
    unique case (state_q)
      S_IDLE: begin
        if (inval_q) begin
          state_d = S_SCAN;
          tag_raddr = '0;
          scan_i_d = '0;
        end else if (arm_q && !pend_q && nq_q != '0) begin
          for (int i = NQ - 1; i >= 0; i--) if (nq_q[i]) q_d = 4'(i);
          nq_d[q_d] = 1'b0;
          t0_d = t_steal_q[32 * q_d +: 32];
          op_we_d = 1'b1;
          op_addr_d = VQ_CMD_A;
          op_wdata_d = soc_map_pkg::VQ_CMD_POP_MASK | 32'(q_d);
          ret_d = S_VQPOLL;
          state_d = S_ISSUE;
        end
      end

      // One register access on the function's port; the core goes first.
      // A read's data are there in the state it returns to.
      S_ISSUE: begin
        if (fsm_issue) state_d = ret_q;
      end

      S_VQPOLL: begin
        op_we_d = 1'b0;
        op_addr_d = VQ_STATUS_A;
        ret_d = S_POP_ST;
        state_d = S_ISSUE;
      end

      S_POP_ST: begin
        // f_rdata = VQ.STATUS after the POP
        st_res = 32'(f_rdata[VQ_RES_LSB +: VQ_RES_W]);
        if (f_rdata[soc_map_pkg::VQ_STATUS_BUSY_LSB]) begin
          state_d = S_ISSUE;                      // poll again
        end else if (st_res == 32'(soc_map_pkg::VQ_RESULT_EMPTY)) begin
          state_d = S_IDLE;
        end else begin
          pop_st_d = f_rdata;
          if (st_res != 32'(soc_map_pkg::VQ_RESULT_OK)) begin
            miss = 1'b1;
            miss_why = soc_map_pkg::FASTWHY_CHAIN;
          end else begin
            op_addr_d = VQ_HEAD_A;
            ret_d = S_HEAD;
            state_d = S_ISSUE;
          end
        end
      end

      S_HEAD: begin
        head_d = f_rdata[15:0];
        op_addr_d = VQ_NSEG_A;
        ret_d = S_NSEG;
        state_d = S_ISSUE;
      end

      S_NSEG: begin
        nrd_d = f_rdata[soc_map_pkg::VQ_NSEG_NRD_LSB +: 8];
        nwr_d = f_rdata[soc_map_pkg::VQ_NSEG_NWR_LSB +: 8];
        op_addr_d = VQ_RDLEN_A;
        ret_d = S_RDLEN;
        state_d = S_ISSUE;
      end

      S_RDLEN: begin
        rdlen_d = f_rdata;
        op_addr_d = VQ_WRLEN_A;
        ret_d = S_WRLEN;
        state_d = S_ISSUE;
      end

      S_WRLEN: begin
        wrlen_d = f_rdata;
        x_d = rdlen_q == X_BYTES;
        if ((rdlen_q != REQ_BYTES && rdlen_q != X_BYTES) || f_rdata < OUT_BYTES) begin
          miss = 1'b1;
          miss_why = soc_map_pkg::FASTWHY_CHAIN;
        end else begin
          seg_i_d = 8'd0;
          gath_d = 32'd0;
          seg_ret_d = S_GATHER;
          state_d = S_SEGRD;
        end
      end

      // ---- read segment-table entry seg_i (address, length), then seg_ret
      S_SEGRD: begin
        op_we_d = 1'b0;
        op_addr_d = VQ_SEG_A + (32'(seg_i_q) << SEG_SHIFT);
        ret_d = S_SEG_LO;
        state_d = S_ISSUE;
      end

      S_SEG_LO: begin
        seg_addr_d[31:0] = f_rdata;
        op_addr_d = VQ_SEG_HI_A + (32'(seg_i_q) << SEG_SHIFT);
        ret_d = S_SEG_HI;
        state_d = S_ISSUE;
      end

      S_SEG_HI: begin
        seg_addr_d[63:32] = f_rdata;
        op_addr_d = VQ_SEG_LEN_A + (32'(seg_i_q) << SEG_SHIFT);
        ret_d = S_SEG_LEN;
        state_d = S_ISSUE;
      end

      S_SEG_LEN: begin
        seg_len_d = f_rdata;
        woff_d = 32'd0;
        state_d = seg_ret_q;
      end

      // ---- the request's 80 bytes into scratch, one DMA per readable segment
      S_GATHER: begin
        if (seg_i_q >= nrd_q) begin
          miss = 1'b1;
          miss_why = soc_map_pkg::FASTWHY_CHAIN;   // cannot happen with RDLEN checked
        end else begin
          chunk = min32(seg_len_q, rdlen_q - gath_q);
          gath_d = gath_q + chunk;
          seg_i_d = seg_i_q + 8'd1;
          if (chunk == 32'd0) begin
            state_d = S_GNEXT;
          end else begin
            dma_host_d = seg_addr_q;
            dma_local_d = SCR + gath_q;
            dma_len_d = chunk;
            dma_to_host_d = 1'b0;
            dma_step_d = 3'd0;
            dma_wait_d = gath_q + chunk == rdlen_q;     // the fields are read back after the last
            dma_ret_d = S_GNEXT;
            state_d = S_DMA;
          end
        end
      end

      S_GNEXT: begin
        if (gath_q == rdlen_q) begin
          hk_d = 4'd0;
          state_d = S_HDR;
        end else begin
          seg_ret_d = S_GATHER;
          state_d = S_SEGRD;
        end
      end

      // ---- one DMA command: HOST, LOCAL and LEN (written while the
      //      command before still runs: DMA copies them at the start),
      //      then DMA.STATUS until a START would be taken (not FULL), then
      //      START: the command follows the one before without a gap (two
      //      gather reads run side by side). A command with dma_wait
      //      (the last gather piece) also waits until all are done; the
      //      others return at once, so the next piece is set up while this
      //      one moves (S_SCAT waits for the last one before the PUSH).
      //      RESULT keeps the first error of commands run back to back, so
      //      one look when all are done covers them.
      S_DMA: begin
        op_we_d = 1'b1;
        unique case (dma_step_q)
          3'd0: begin op_addr_d = DMA_HOST_LO_A; op_wdata_d = dma_host_q[31:0]; end
          3'd1: begin op_addr_d = DMA_HOST_HI_A; op_wdata_d = dma_host_q[63:32]; end
          3'd2: begin op_addr_d = DMA_LOCAL_A; op_wdata_d = dma_local_q; end
          3'd3: begin op_addr_d = DMA_LEN_A; op_wdata_d = dma_len_q; end
          3'd4: begin
            if (dma_out_q) begin
              op_we_d = 1'b0;
              op_addr_d = DMA_STATUS_A;
            end else begin
              op_addr_d = DMA_CTRL_A;
              op_wdata_d = dma_start;
              dma_out_d = 1'b1;
            end
          end
          default: begin op_we_d = 1'b0; op_addr_d = DMA_STATUS_A; end
        endcase
        if (dma_step_q < 3'd4) begin
          dma_step_d = dma_step_q + 3'd1;
          ret_d = S_DMA;
        end else if (dma_step_q == 3'd4 && !dma_out_q) begin
          dma_step_d = 3'd5;
          ret_d = dma_wait_q ? S_DMA : dma_ret_q;
        end else begin
          ret_d = S_DMA_ST;
        end
        state_d = S_ISSUE;
      end

      // f_rdata = DMA.STATUS: room for this command (step 4), all done
      // after this one (step 5) or after the last reply piece (step 6,
      // from S_SCAT)
      S_DMA_ST: begin
        if (dma_step_q == 3'd4 ? f_rdata[soc_map_pkg::DMA_STATUS_FULL_LSB]
                               : f_rdata[soc_map_pkg::DMA_STATUS_BUSY_LSB]) begin
          state_d = S_ISSUE;                      // poll again
        end else if (!f_rdata[soc_map_pkg::DMA_STATUS_BUSY_LSB] &&
                     f_rdata[DMA_RES_LSB +: DMA_RES_W] != soc_map_pkg::DMA_RESULT_OK) begin
          dma_out_d = 1'b0;
          miss = 1'b1;
          miss_why = soc_map_pkg::FASTWHY_DMA;
        end else if (dma_step_q == 3'd4) begin
          // room for this one (the one before may still run): start it
          dma_out_d = 1'b1;
          op_we_d = 1'b1;
          op_addr_d = DMA_CTRL_A;
          op_wdata_d = dma_start;
          dma_step_d = 3'd5;
          ret_d = dma_wait_q ? S_DMA : dma_ret_q;
          state_d = S_ISSUE;
        end else begin
          dma_out_d = 1'b0;
          state_d = dma_ret_q;
        end
      end

      // ---- read the request's fields back from scratch
      S_HDR: begin
        op_we_d = 1'b0;
        op_addr_d = SCR + hdr_off(hk_q);
        ret_d = S_HDR_D;
        state_d = S_ISSUE;
      end

      S_HDR_D: begin
        unique case (hk_q)
          4'd0: h_len_d = f_rdata;
          4'd1: h_op_d = f_rdata;
          4'd2: h_unique_d[31:0] = f_rdata;
          4'd3: h_unique_d[63:32] = f_rdata;
          4'd4: h_node_d[31:0] = f_rdata;
          4'd5: h_node_d[63:32] = f_rdata;
          4'd6: h_fh_d[31:0] = f_rdata;
          4'd7: h_fh_d[63:32] = f_rdata;
          4'd8: h_off_d[31:0] = f_rdata;
          4'd9: h_off_d[63:32] = f_rdata;
          4'd10: h_size_d = f_rdata;
          default: h_x11_d = f_rdata;
        endcase
        hk_d = hk_q + 4'd1;
        if (x_q && 32'(hk_q) == X_WORDS - 1) begin
          // a GETXATTR: the name's last word is on f_rdata now
          if (h_len_q != X_BYTES || h_op_q != FUSE_GETXATTR ||
              {f_rdata, h_x11_q, h_size_q, h_off_q} != X_NAME) begin
            miss = 1'b1;
            miss_why = soc_map_pkg::FASTWHY_OPCODE;
          end else begin
            xmem_raddr = xslot_of(h_node_q[5:0], h_node_q[37:32]);
            state_d = S_XLOOK_D;
          end
        end else if (!x_q && 32'(hk_q) == HDR_WORDS - 1) begin
          if (h_len_q != REQ_BYTES || h_op_q != FUSE_READ) begin
            miss = 1'b1;
            miss_why = soc_map_pkg::FASTWHY_OPCODE;
          end else begin
            // the first page's tag: is it ours, and where does the file end?
            look_k_d = '0;
            tag_raddr = slot_of(h_node_q[15:0], h_off_q[PAGE_LOG2 +: SW]);
            state_d = S_LOOK_D;
          end
        end else begin
          state_d = S_HDR;
        end
      end

      // ---- tag lookups: the slot was addressed in the cycle before (the
      //      table's output is registered)

      S_LOOK_D: begin
        pos = h_off_q + {32'd0, 32'(look_k_q) << PAGE_LOG2};
        if (!valid_q[tag_rslot_q] || r_node != h_node_q || r_fh != h_fh_q ||
            r_page != pos[PAGE_LOG2 +: 32]) begin
          miss = 1'b1;
          miss_why = soc_map_pkg::FASTWHY_TAG;
        end else begin
          frames_d[FRW * look_k_q +: FRW] = r_frame;
          if (look_k_q == '0) begin
            // cut at the file's size
            if (h_off_q >= r_size) n_d = 32'd0;
            else if (r_size - h_off_q < {32'd0, h_size_q}) n_d = 32'(r_size - h_off_q);
            else n_d = h_size_q;
            npages_d = '0;
            if (n_d != 32'd0) begin
              last_pg = 52'((h_off_q + {32'd0, n_d} - 64'd1) >> PAGE_LOG2);
              span = {12'd0, last_pg - h_off_q[63:PAGE_LOG2]};
              if (span < 64'(MAX_PAGES)) npages_d = PW'(span) + PW'(1);
            end
          end
          if (look_k_q == '0 && n_d != 32'd0 && span >= 64'(MAX_PAGES)) begin
            miss = 1'b1;
            miss_why = soc_map_pkg::FASTWHY_SIZE;
          end else if (look_k_q == '0 && OUT_BYTES + n_d > wrlen_q) begin
            miss = 1'b1;
            miss_why = soc_map_pkg::FASTWHY_CHAIN;
          end else if (look_k_q + PW'(1) >= npages_d) begin
            // every page hit: the reply header into scratch
            p_d = 32'd0;
            hk_d = 4'd0;
            state_d = S_OUT;
          end else begin
            look_k_d = look_k_q + PW'(1);
            pos = h_off_q + {32'd0, (32'(look_k_q) + 32'd1) << PAGE_LOG2};
            tag_raddr = slot_of(h_node_q[15:0], pos[PAGE_LOG2 +: SW]);
            state_d = S_LOOK_D;
          end
        end
      end

      // ---- the node's slot in the no-capability table (addressed in the
      //      cycle before): ENODATA, a header-only reply
      S_XLOOK_D: begin
        if (!xvalid_q[xmem_rslot_q] || xmem_rd_q != h_node_q) begin
          miss = 1'b1;
          miss_why = soc_map_pkg::FASTWHY_XATTR;
        end else begin
          n_d = 32'd0;
          p_d = 32'd0;
          hk_d = 4'd0;
          state_d = S_OUT;
        end
      end

      // ---- fuse_out_header {len, error (0, or ENODATA for a GETXATTR),
      //      unique} into scratch
      S_OUT: begin
        op_we_d = 1'b1;
        op_addr_d = SCR_OUT + {28'd0, hk_q[1:0], 2'b00};
        unique case (hk_q[1:0])
          2'd0: op_wdata_d = OUT_BYTES + n_q;
          2'd1: op_wdata_d = x_q ? ENODATA_NEG : 32'd0;
          2'd2: op_wdata_d = h_unique_q[31:0];
          default: op_wdata_d = h_unique_q[63:32];
        endcase
        hk_d = hk_q + 4'd1;
        if (hk_q == 4'd3) begin
          // then the first writable entry
          seg_i_d = nrd_q;
          seg_ret_d = S_SCAT;
          ret_d = S_SEGRD;
        end else begin
          ret_d = S_OUT;
        end
        state_d = S_ISSUE;
      end

      // ---- the reply into the writable buffers, a DMA per piece that lies
      //      in one buffer and one source (header, or one page's frame)
      S_SCAT: begin
        if (p_q == OUT_BYTES + n_q && dma_out_q) begin
          // the last piece must be done (and OK) before the used entry
          op_we_d = 1'b0;
          op_addr_d = DMA_STATUS_A;
          dma_step_d = 3'd6;
          dma_ret_d = S_SCAT;
          ret_d = S_DMA_ST;
          state_d = S_ISSUE;
        end else if (p_q == OUT_BYTES + n_q) begin
          op_we_d = 1'b1;
          op_addr_d = VQ_HEAD_A;
          op_wdata_d = {16'd0, head_q};
          ret_d = S_PUSH;
          dma_step_d = 3'd0;
          state_d = S_ISSUE;
        end else if (woff_q == seg_len_q) begin
          // this buffer is full (or empty): the next one
          if (32'(seg_i_q) + 32'd1 >= 32'(nrd_q) + 32'(nwr_q)) begin
            miss = 1'b1;
            miss_why = soc_map_pkg::FASTWHY_CHAIN;  // cannot happen with WRLEN checked
          end else begin
            seg_i_d = seg_i_q + 8'd1;
            seg_ret_d = S_SCAT;
            state_d = S_SEGRD;
          end
        end else begin
          avail_w = seg_len_q - woff_q;
          if (p_q < OUT_BYTES) begin
            src_addr = SCR_OUT + p_q;
            chunk = min32(avail_w, OUT_BYTES - p_q);
          end else begin
            pos = h_off_q + {32'd0, p_q - OUT_BYTES};
            pidx = PW'(pos[63:PAGE_LOG2] - h_off_q[63:PAGE_LOG2]);
            pg_off_n = PAGE_BYTES - {20'd0, pos[PAGE_LOG2-1:0]};
            src_addr = {frames_q[FRW * pidx +: FRW], pos[PAGE_LOG2-1:0]};
            chunk = min32(min32(avail_w, pg_off_n), OUT_BYTES + n_q - p_q);
          end
          dma_host_d = seg_addr_q + {32'd0, woff_q};
          dma_local_d = src_addr;
          dma_len_d = chunk;
          dma_to_host_d = 1'b1;
          dma_step_d = 3'd0;
          dma_wait_d = 1'b0;
          dma_ret_d = S_SCAT;
          p_d = p_q + chunk;
          woff_d = woff_q + chunk;
          state_d = S_DMA;
        end
      end

      // ---- PUSH(head, 16 + n): HEAD written, then LEN, CMD, STATUS
      S_PUSH: begin
        dma_step_d = dma_step_q + 3'd1;
        unique case (dma_step_q)
          3'd0: begin op_we_d = 1'b1; op_addr_d = VQ_LEN_A; op_wdata_d = OUT_BYTES + n_q; ret_d = S_PUSH; end
          3'd1: begin
            op_we_d = 1'b1;
            op_addr_d = VQ_CMD_A;
            op_wdata_d = soc_map_pkg::VQ_CMD_PUSH_MASK | 32'(q_q);
            ret_d = S_PUSH;
          end
          default: begin op_we_d = 1'b0; op_addr_d = VQ_STATUS_A; ret_d = S_PUSH_ST; end
        endcase
        state_d = S_ISSUE;
      end

      S_PUSH_ST: begin
        if (f_rdata[soc_map_pkg::VQ_STATUS_BUSY_LSB]) begin
          state_d = S_ISSUE;
        end else begin
          if (f_rdata[VQ_RES_LSB +: VQ_RES_W] == soc_map_pkg::VQ_RESULT_OK) begin
            if (x_q) begin
              xhits_d = xhits_q + 32'd1;
            end else begin
              hits_d = hits_q + 32'd1;
              hit_bytes_d = hit_bytes_q + n_q;
            end
            last_cyc_d = cyc_q - t0_q;
            // More chains may wait behind this one: pop the queue again.
            nq_d[q_q] = 1'b1;
            t_steal_d[32 * q_q +: 32] = cyc_q;
          end else begin
            // The used ring is out of reach: the firmware will see it too.
            m_dma_d = m_dma_q + 32'd1;
            last_miss_d = soc_map_pkg::FASTWHY_DMA;
            fwd_d[q_q] = 1'b1;
          end
          state_d = S_IDLE;
        end
      end

      // ---- invalidation scan: tag_rd_q holds slot scan_i (addressed in
      //      the cycle before), the next slot is addressed now
      S_SCAN: begin
        if (valid_q[scan_i_q] && r_node[31:0] == inval_node_q) begin
          valid_d[scan_i_q] = 1'b0;
          invals_d = invals_q + 32'd1;
        end
        if (32'(scan_i_q) == TAGS - 1) begin
          inval_d = 1'b0;
          state_d = S_IDLE;
        end else begin
          tag_raddr = scan_i_q + SW'(1);
          scan_i_d = scan_i_q + SW'(1);
        end
      end

      default: state_d = S_IDLE;
    endcase

    // A chain the fast path popped and does not serve: to the firmware,
    // which finds it with its next POP of the queue.
    if (miss) begin
      pend_d = 1'b1;
      pend_queue_d = q_q;
      last_miss_d = miss_why;
      fwd_d[q_q] = 1'b1;
      state_d = S_IDLE;
      unique case (miss_why)
        soc_map_pkg::FASTWHY_OPCODE: m_op_d = m_op_q + 32'd1;
        soc_map_pkg::FASTWHY_TAG:    m_tag_d = m_tag_q + 32'd1;
        soc_map_pkg::FASTWHY_SIZE:   m_size_d = m_size_q + 32'd1;
        soc_map_pkg::FASTWHY_DMA:    m_dma_d = m_dma_q + 32'd1;
        soc_map_pkg::FASTWHY_XATTR:  m_x_d = m_x_q + 32'd1;
        default:                     m_chain_d = m_chain_q + 32'd1;
      endcase
    end

    // A function reset: the engines start again, so does the fast path.
    if (flush) begin
      state_d = S_IDLE;
      arm_d = 1'b0;
      qmask_d = '0;
      nq_d = '0;
      fwd_d = '0;
      pend_d = 1'b0;
      ovr_d = 1'b0;
      dma_out_d = 1'b0;
      valid_d = '0;
      xvalid_d = '0;
      inval_d = 1'b0;
    end
  end

  // ------------------------------------------------------------ flops
  // The tag table: one write port (installs), one registered read port.
  always_ff @(posedge clk) begin
    if (tag_we) tag_mem[tag_waddr] <= tag_wdata;
    tag_rd_q <= tag_mem[tag_raddr];
  end

  // The no-capability table: the same shape, written from XNODE.
  always_ff @(posedge clk) begin
    if (xmem_we) xmem[xslot_of(x_node_q[5:0], x_node_q[37:32])] <= x_node_q;
    xmem_rd_q <= xmem[xmem_raddr];
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      state_q <= S_IDLE;
      arm_q <= 1'b0;
      qmask_q <= '0;
      nq_q <= '0;
      pend_q <= 1'b0;
      pend_queue_q <= '0;
      ovr_q <= 1'b0;
      dma_out_q <= 1'b0;
      last_miss_q <= soc_map_pkg::FASTWHY_NONE;
      valid_q <= '0;
      inval_q <= 1'b0;
      csel_q <= CSEL_PASS;
      hits_q <= '0;
      hit_bytes_q <= '0;
      m_op_q <= '0;
      m_chain_q <= '0;
      m_tag_q <= '0;
      m_size_q <= '0;
      m_dma_q <= '0;
      invals_q <= '0;
      xhits_q <= '0;
      m_x_q <= '0;
      xvalid_q <= '0;
      x_node_q <= '0;
      last_cyc_q <= '0;
      cyc_q <= '0;
      t_node_q <= '0;
      t_fh_q <= '0;
      t_page_q <= '0;
      t_frame_q <= '0;
      t_size_q <= '0;
      t_slot_q <= '0;
    end else begin
      state_q <= state_d;
      arm_q <= arm_d;
      qmask_q <= qmask_d;
      nq_q <= nq_d;
      pend_q <= pend_d;
      pend_queue_q <= pend_queue_d;
      ovr_q <= ovr_d;
      dma_out_q <= dma_out_d;
      last_miss_q <= last_miss_d;
      valid_q <= valid_d;
      inval_q <= inval_d;
      csel_q <= csel_d;
      hits_q <= hits_d;
      hit_bytes_q <= hit_bytes_d;
      m_op_q <= m_op_d;
      m_chain_q <= m_chain_d;
      m_tag_q <= m_tag_d;
      m_size_q <= m_size_d;
      m_dma_q <= m_dma_d;
      invals_q <= invals_d;
      xhits_q <= xhits_d;
      m_x_q <= m_x_d;
      xvalid_q <= xvalid_d;
      x_node_q <= x_node_d;
      last_cyc_q <= last_cyc_d;
      cyc_q <= cyc_q + 32'd1;
      t_node_q <= t_node_d;
      t_fh_q <= t_fh_d;
      t_page_q <= t_page_d;
      t_frame_q <= t_frame_d;
      t_size_q <= t_size_d;
      t_slot_q <= t_slot_d;
    end
    // Datapath registers: meaningful only in the states that set them.
    ret_q <= ret_d;
    dma_ret_q <= dma_ret_d;
    seg_ret_q <= seg_ret_d;
    op_we_q <= op_we_d;
    op_addr_q <= op_addr_d;
    op_wdata_q <= op_wdata_d;
    q_q <= q_d;
    pop_st_q <= pop_st_d;
    ovr_val_q <= ovr_val_d;
    head_q <= head_d;
    nrd_q <= nrd_d;
    nwr_q <= nwr_d;
    rdlen_q <= rdlen_d;
    wrlen_q <= wrlen_d;
    seg_i_q <= seg_i_d;
    seg_addr_q <= seg_addr_d;
    seg_len_q <= seg_len_d;
    woff_q <= woff_d;
    gath_q <= gath_d;
    dma_host_q <= dma_host_d;
    dma_local_q <= dma_local_d;
    dma_len_q <= dma_len_d;
    dma_to_host_q <= dma_to_host_d;
    dma_step_q <= dma_step_d;
    dma_wait_q <= dma_wait_d;
    hk_q <= hk_d;
    h_len_q <= h_len_d;
    h_op_q <= h_op_d;
    h_size_q <= h_size_d;
    h_x11_q <= h_x11_d;
    x_q <= x_d;
    h_unique_q <= h_unique_d;
    h_node_q <= h_node_d;
    h_fh_q <= h_fh_d;
    h_off_q <= h_off_d;
    look_k_q <= look_k_d;
    npages_q <= npages_d;
    n_q <= n_d;
    p_q <= p_d;
    frames_q <= frames_d;
    t0_q <= t0_d;
    t_steal_q <= t_steal_d;
    inval_node_q <= inval_node_d;
    scan_i_q <= scan_i_d;
    fast_rdata_q <= fast_rdata_d;
    tag_rslot_q <= tag_raddr;
    xmem_rslot_q <= xmem_raddr;
  end
endmodule
