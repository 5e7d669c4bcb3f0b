`default_nettype none
// vq_engine: the device side of the split virtqueues, in hardware. Clock
// domain: clk.
//
// POP(q): reads the driver's avail index and ring entry, walks the descriptor
// chain (direct, indirect, mixed) with every rule the virtio specification
// sets for a device, and leaves the chain's buffers in a segment table the
// firmware reads (readable ones first, then writable ones); advances the
// queue and, with VIRTIO_RING_F_EVENT_IDX, publishes avail_event.
// PUSH(q, head, len): writes the used element and the used index, then reads
// used_event (event index) or the avail flags and raises the queue's
// interrupt unless the driver suppressed it.
// The bytes of a request are moved by the DMA engine under firmware control.
//
// Host memory is reached with single-beat memory requests of its own (tags
// TAG_BASE .. TAG_BASE + 7, one outstanding) and their completions; a
// completion that does not come within TIMEOUT cycles, comes back UR/CA, or
// comes poisoned (EP: its data are never used), fails the command (DMA). Interfaces: per-queue configuration from virtio_regs,
// the firmware register port, TLP request/completion streams, interrupt requests.
module vq_engine #(
  parameter int NQ = 5,               // queues
  parameter int DATA_W = 256,         // TLP stream payload width
  parameter int MAX_SEGS = 64,        // segment table entries
  parameter int TIMEOUT = 65536,      // completion timeout, cycles
  parameter logic [7:0] TAG_BASE = 8'd16  // first of the 8 tags this engine uses
) (
  input  wire logic        clk,
  input  wire logic        rst,

  // --- configuration ---
  input  wire logic [NQ*16-1:0] q_size,
  input  wire logic [NQ*64-1:0] q_desc,
  input  wire logic [NQ*64-1:0] q_avail,
  input  wire logic [NQ*64-1:0] q_used,
  input  wire logic [NQ-1:0]    q_enable,
  input  wire logic        feat_event_idx,
  input  wire logic        feat_indirect,
  input  wire logic [15:0] requester_id,
  input  wire logic        bus_master,

  // --- firmware port (offsets within the engine's window) ---
  input  wire logic        req,
  input  wire logic        we,
  input  wire logic [11:0] addr,
  input  wire logic [31:0] wdata,
  output logic [31:0] rdata,

  // --- requests to the host ---
  output logic [127:0]      tx_hdr,
  output logic [DATA_W-1:0] tx_data,
  output logic              tx_sop,
  output logic              tx_eop,
  output logic              tx_valid,
  input  wire logic         tx_ready,

  // --- completions ---
  input  wire logic [127:0]      rx_hdr,
  input  wire logic [DATA_W-1:0] rx_data,
  input  wire logic              rx_sop,
  input  wire logic              rx_valid,
  output logic                   rx_ready,

  // --- interrupt request for a queue ---
  output logic        irq_valid,
  output logic [15:0] irq_queue
);
  localparam int QW = (NQ > 1) ? $clog2(NQ) : 1;
  localparam int SW = $clog2(MAX_SEGS + 1);   // segment count width
  localparam int SIW = $clog2(MAX_SEGS);      // segment index width
  localparam int TMW = $clog2(TIMEOUT + 1);
  localparam int EP_BIT = 14;                 // TLP header DW0: error poisoned
  // Registers, their fields, the result codes (VQ_RESULT_*) and the reasons
  // for RESULT = BAD (VQ_WHY_*) come from soc_map_pkg (rtl/soc_map.toml).
  localparam int RES_W = soc_map_pkg::VQ_RESULT_W;
  localparam int WHY_W = soc_map_pkg::VQ_WHY_W;
  localparam int NSEG_W = soc_map_pkg::VQ_NSEG_NRD_W;   // NRD and NWR alike
  // Words of a segment-table entry (offsets from its start)
  localparam logic [11:0] SEG_ADDR_HI_OFF = soc_map_pkg::VQ_SEG_ADDR_HI - soc_map_pkg::VQ_SEG;
  localparam logic [11:0] SEG_LEN_OFF = soc_map_pkg::VQ_SEG_LEN - soc_map_pkg::VQ_SEG;
  localparam int SEG_STRIDE_LOG2 = $clog2(soc_map_pkg::VQ_SEG_STRIDE);
  localparam int SEG_IDX_W = $clog2(soc_map_pkg::VQ_SEG_COUNT);  // entry index in an address

  initial begin
    if (MAX_SEGS > soc_map_pkg::VQ_SEG_COUNT) $error("vq_engine: MAX_SEGS exceeds the map's VQ.SEG table");
  end
  // Descriptor flags
  localparam int F_NEXT = 0;
  localparam int F_WRITE = 1;
  localparam int F_INDIRECT = 2;

  typedef enum logic [4:0] {
    S_IDLE, S_POP_IDX, S_POP_RING, S_POP_DESC, S_POP_IND, S_POP_EVENT,
    S_PUSH_ELEM, S_PUSH_IDX, S_PUSH_CHECK, S_DONE,
    S_RD_WAIT, S_WR_SEND, S_DESC
  } state_t;

  state_t      state_q, ret_q;      // ret_q: where a read/write returns
  logic [RES_W-1:0] result_q;
  logic [WHY_W-1:0] why_q;
  logic        is_push_q;
  logic [QW-1:0] q_q;
  logic [15:0] last_avail_q [0:NQ-1];
  logic [15:0] used_idx_q [0:NQ-1];
  logic [15:0] head_q, push_head_q;
  logic [31:0] push_len_q;
  logic [15:0] seen_q;              // descriptors walked
  logic [31:0] ind_n_q;             // entries of the indirect table being walked
  logic [63:0] ind_base_q;
  logic [SW-1:0] nrd_q, nwr_q;
  logic [31:0] rdlen_q, wrlen_q;
  logic [63:0] seg_addr_q [0:MAX_SEGS-1];
  logic [31:0] seg_len_q  [0:MAX_SEGS-1];
  logic [MAX_SEGS-1:0] seg_wr_q;

  // Host access in progress
  logic [63:0] acc_addr_q;
  logic [6:0]  acc_bytes_q;         // 2, 8, 16, 32 or 64 (descriptors: one, a pair, four)
  logic [63:0] acc_wdata_q;
  logic [127:0] acc_rdata_q;        // read result, byte 0 at [7:0]
  logic [2:0]  tag_q = 3'd0;        // kept across a reset (see below)
  logic        sent_q;
  // Descriptors are read four at a time (64 bytes, aligned) where all lie
  // in the table being walked, else in 32-byte aligned pairs: the others
  // are kept, and a chain that goes on to them (as chains laid out in
  // order do, and as Linux fills an indirect table) costs no more round
  // trips. Kept for one POP only: a chain's descriptors are the device's
  // until it is used, so the copy cannot go stale within it.
  logic        win_rd_q;            // the read in flight is a window (pair or four)
  logic        quad_rd_q;           // ... of four: its completion has two beats
  logic        beat2_q;             // the first beat is in, the second is next
  logic [1:0]  want_q;              // the descriptor asked for, within the window
  logic        win_v_q, win_quad_q;
  logic [63:0] win_addr_q;
  logic [511:0] win_q;
  logic [63:0] tbl_base, tbl_end, pair_base, quad_base;
  logic        pair_ok, quad_ok, win_hit;
  logic [1:0]  win_idx;
  logic [TMW-1:0] timer_q;

  // Current queue's configuration
  logic [15:0] qsize;
  logic [63:0] qdesc, qavail, qused;
  assign qsize = q_size[16 * q_q +: 16];
  assign qdesc = q_desc[64 * q_q +: 64];
  assign qavail = q_avail[64 * q_q +: 64];
  assign qused = q_used[64 * q_q +: 64];

  function automatic logic [15:0] modq(input logic [15:0] v, input logic [15:0] size);
    modq = v & (size - 16'd1);      // sizes are powers of two (checked at enable)
  endfunction

  // Next free segment slot (the table-full check comes first)
  logic [SIW-1:0] seg_idx;
  assign seg_idx = SIW'(nrd_q + nwr_q);

  // Walk state helpers
  logic        in_ind;
  logic [31:0] limit;
  assign in_ind = (state_q == S_POP_IND);
  assign limit = in_ind ? ind_n_q : {16'd0, qsize};

  // Push: does the driver want this interrupt?
  logic [15:0] push_new, push_old, push_ev;
  logic        push_notify;
  assign push_new = used_idx_q[q_q];
  assign push_old = push_new - 16'd1;
  assign push_ev = acc_rdata_q[15:0];
  // vring_need_event(): (new - event - 1) < (new - old)
  assign push_notify = feat_event_idx ? ((push_new - push_ev - 16'd1) < (push_new - push_old))
                                      : !acc_rdata_q[0];

  // Fields of the descriptor just read
  logic [63:0] d_addr;
  logic [31:0] d_len;
  logic [15:0] d_flags, d_next;
  assign d_addr = acc_rdata_q[63:0];
  assign d_len = acc_rdata_q[95:64];
  assign d_flags = acc_rdata_q[111:96];
  assign d_next = acc_rdata_q[127:112];

  // Where the descriptor at acc_addr_q lies (S_DESC): the indirect table,
  // or the queue's.
  assign tbl_base = (ret_q == S_POP_IND) ? ind_base_q : qdesc;
  assign tbl_end = tbl_base + ((ret_q == S_POP_IND) ? {28'd0, ind_n_q, 4'd0} : {44'd0, qsize, 4'd0});
  assign pair_base = {acc_addr_q[63:5], 5'd0};
  assign pair_ok = acc_addr_q[3:0] == 4'd0 && pair_base >= tbl_base && pair_base + 64'd32 <= tbl_end &&
                   pair_base + 64'd32 > pair_base;
  assign quad_base = {acc_addr_q[63:6], 6'd0};
  assign quad_ok = acc_addr_q[3:0] == 4'd0 && quad_base >= tbl_base && quad_base + 64'd64 <= tbl_end &&
                   quad_base + 64'd64 > quad_base;
  assign win_idx = acc_addr_q[5:4] - win_addr_q[5:4];
  assign win_hit = win_v_q && acc_addr_q[3:0] == 4'd0 && acc_addr_q >= win_addr_q &&
                   acc_addr_q < win_addr_q + (win_quad_q ? 64'd64 : 64'd32);

  // ------------------------------------------------------ firmware reads
  logic [SEG_IDX_W-1:0] seg_rd;       // segment-table entry addressed
  logic [11:0] seg_word;              // offset within the entry
  assign seg_rd = addr[SEG_STRIDE_LOG2 +: SEG_IDX_W];
  assign seg_word = {{(12 - SEG_STRIDE_LOG2){1'b0}}, addr[SEG_STRIDE_LOG2-1:0]} & 12'hffc;
  always_comb begin
    rdata = 32'd0;
    if (addr >= soc_map_pkg::VQ_SEG) begin
      if (32'(seg_rd) < MAX_SEGS) begin
        unique case (seg_word)
          12'd0:           rdata = seg_addr_q[seg_rd][31:0];
          SEG_ADDR_HI_OFF: rdata = seg_addr_q[seg_rd][63:32];
          SEG_LEN_OFF:     rdata = seg_len_q[seg_rd];
          default:         rdata[soc_map_pkg::VQ_SEG_FLAGS_WRITABLE_LSB] = seg_wr_q[seg_rd];
        endcase
      end
    end else begin
      unique case (addr)
        soc_map_pkg::VQ_STATUS: begin
          rdata[soc_map_pkg::VQ_STATUS_BUSY_LSB] = state_q != S_IDLE;
          rdata[soc_map_pkg::VQ_STATUS_RESULT_LSB +: soc_map_pkg::VQ_STATUS_RESULT_W] = result_q;
          rdata[soc_map_pkg::VQ_STATUS_WHY_LSB +: soc_map_pkg::VQ_STATUS_WHY_W] = why_q;
        end
        soc_map_pkg::VQ_HEAD:   rdata = {16'd0, head_q};
        soc_map_pkg::VQ_NSEG: begin
          rdata[soc_map_pkg::VQ_NSEG_NRD_LSB +: NSEG_W] = NSEG_W'(nrd_q);
          rdata[soc_map_pkg::VQ_NSEG_NWR_LSB +: NSEG_W] = NSEG_W'(nwr_q);
        end
        soc_map_pkg::VQ_RDLEN:  rdata = rdlen_q;
        soc_map_pkg::VQ_WRLEN:  rdata = wrlen_q;
        default: ;
      endcase
    end
  end

  // ------------------------------------------------------ request TLPs
  // Reads and writes of at most 16 bytes, naturally aligned, or 32 or 64
  // aligned bytes of descriptors (never cross 4 KiB).
  logic [3:0]  acc_fbe, acc_lbe;
  logic [4:0]  acc_ndw;
  logic        acc_wide;
  logic [6:0] acc_first, acc_last;
  always_comb begin
    acc_first = {5'd0, acc_addr_q[1:0]};
    acc_last = acc_first + acc_bytes_q - 7'd1;
    acc_ndw = 5'(acc_last[6:2]) + 5'd1;
    acc_fbe = 4'b1111 << acc_addr_q[1:0];
    acc_lbe = 4'b1111 >> (2'd3 - acc_last[1:0]);
    if (acc_ndw == 5'd1) begin
      acc_fbe = acc_fbe & acc_lbe;
      acc_lbe = 4'b0000;
    end
    acc_wide = acc_addr_q[63:32] != 32'd0;
  end

  always_comb begin
    tx_hdr = '0;
    tx_data = '0;
    tx_sop = 1'b1;
    tx_eop = 1'b1;
    tx_valid = 1'b0;
    if ((state_q == S_RD_WAIT && !sent_q) || state_q == S_WR_SEND) begin
      tx_valid = 1'b1;
      tx_hdr[31:29] = {1'b0, state_q == S_WR_SEND, acc_wide};
      tx_hdr[9:0] = {5'd0, acc_ndw};
      tx_hdr[63:32] = {requester_id, TAG_BASE + {5'd0, tag_q}, acc_lbe, acc_fbe};
      if (acc_wide) begin
        tx_hdr[95:64] = acc_addr_q[63:32];
        tx_hdr[127:96] = {acc_addr_q[31:2], 2'b00};
      end else begin
        tx_hdr[95:64] = {acc_addr_q[31:2], 2'b00};
      end
      tx_data[127:0] = {64'd0, acc_wdata_q} << (8 * acc_addr_q[1:0]);
    end
  end

  // Completions: ours are single-beat (at most 16 bytes + 3 of offset, or
  // an aligned 32-byte pair), or two beats for four descriptors: the
  // second beat follows the first (a TLP's beats are never interleaved).
  logic        cpl_ours;
  assign cpl_ours = rx_valid && rx_sop && rx_hdr[79:75] == TAG_BASE[7:3] && rx_hdr[74:72] == tag_q &&
                    state_q == S_RD_WAIT && sent_q && !beat2_q;
  assign rx_ready = 1'b1;

  // ------------------------------------------------------------ control
  logic start_pop, start_push;
  logic [soc_map_pkg::VQ_CMD_QUEUE_W-1:0] cmd_queue;
  assign start_pop = req && we && addr == soc_map_pkg::VQ_CMD && wdata[soc_map_pkg::VQ_CMD_POP_LSB] &&
                     state_q == S_IDLE;
  assign start_push = req && we && addr == soc_map_pkg::VQ_CMD && wdata[soc_map_pkg::VQ_CMD_PUSH_LSB] &&
                      !wdata[soc_map_pkg::VQ_CMD_POP_LSB] && state_q == S_IDLE;
  assign cmd_queue = wdata[soc_map_pkg::VQ_CMD_QUEUE_LSB +: soc_map_pkg::VQ_CMD_QUEUE_W];

  task automatic finish(input logic [RES_W-1:0] res, input logic [WHY_W-1:0] why);
    beat2_q <= 1'b0;
    result_q <= res;
    why_q <= why;
    state_q <= S_IDLE;
  endtask

  always_ff @(posedge clk) begin
    if (rst) begin
      state_q <= S_IDLE;
      result_q <= soc_map_pkg::VQ_STATUS_RESULT_RESET;
      why_q <= soc_map_pkg::VQ_STATUS_WHY_RESET;
      // A read still out when the function is reset may be answered after
      // it: the next read must not carry its tag (the counter is not reset).
      if (state_q == S_RD_WAIT && sent_q) tag_q <= tag_q + 3'd1;
      sent_q <= 1'b0;
      win_v_q <= 1'b0;
      win_rd_q <= 1'b0;
      beat2_q <= 1'b0;
      irq_valid <= 1'b0;
      for (int i = 0; i < NQ; i++) begin
        last_avail_q[i] <= 16'd0;
        used_idx_q[i] <= 16'd0;
      end
    end else begin
      irq_valid <= 1'b0;
      // A disabled queue starts again from index 0 when next enabled.
      for (int i = 0; i < NQ; i++) begin
        if (!q_enable[i]) begin
          last_avail_q[i] <= 16'd0;
          used_idx_q[i] <= 16'd0;
        end
      end
      if (req && we && addr == soc_map_pkg::VQ_HEAD) push_head_q <= wdata[15:0];
      if (req && we && addr == soc_map_pkg::VQ_LEN) push_len_q <= wdata;

      unique case (state_q)
        S_IDLE: begin
          if (start_pop || start_push) begin
            q_q <= cmd_queue[QW-1:0];
            is_push_q <= start_push;
            if (32'(cmd_queue) >= NQ || !q_enable[cmd_queue[QW-1:0]] || !bus_master) begin
              finish(soc_map_pkg::VQ_RESULT_BAD, soc_map_pkg::VQ_WHY_NOQ);
            end else if (start_pop) begin
              nrd_q <= '0;
              nwr_q <= '0;
              rdlen_q <= 32'd0;
              wrlen_q <= 32'd0;
              seen_q <= 16'd0;
              seg_wr_q <= '0;
              win_v_q <= 1'b0;
              win_rd_q <= 1'b0;
              acc_addr_q <= q_avail[64 * cmd_queue[QW-1:0] +: 64] + 64'd2;
              acc_bytes_q <= 7'd2;
              ret_q <= S_POP_IDX;
              state_q <= S_RD_WAIT;
              sent_q <= 1'b0;
              timer_q <= '0;
            end else begin
              acc_addr_q <= q_used[64 * cmd_queue[QW-1:0] +: 64] + 64'd4 +
                            {45'd0, modq(used_idx_q[cmd_queue[QW-1:0]], q_size[16 * cmd_queue[QW-1:0] +: 16]), 3'b000};
              acc_bytes_q <= 7'd8;
              acc_wdata_q <= {push_len_q, 16'd0, push_head_q};
              ret_q <= S_PUSH_IDX;
              state_q <= S_WR_SEND;
            end
          end
        end

        // ---- POP
        S_POP_IDX: begin
          // acc_rdata_q[15:0] = avail->idx
          if (acc_rdata_q[15:0] == last_avail_q[q_q]) begin
            finish(soc_map_pkg::VQ_RESULT_EMPTY, soc_map_pkg::VQ_WHY_NONE);
          end else if (acc_rdata_q[15:0] - last_avail_q[q_q] > qsize) begin
            finish(soc_map_pkg::VQ_RESULT_BAD, soc_map_pkg::VQ_WHY_AHEAD);
          end else begin
            acc_addr_q <= qavail + 64'd4 + {47'd0, modq(last_avail_q[q_q], qsize), 1'b0};
            acc_bytes_q <= 7'd2;
            ret_q <= S_POP_RING;
            state_q <= S_RD_WAIT;
            sent_q <= 1'b0;
            timer_q <= '0;
          end
        end

        S_POP_RING: begin
          if (acc_rdata_q[15:0] >= qsize) begin
            finish(soc_map_pkg::VQ_RESULT_BAD, soc_map_pkg::VQ_WHY_HEAD);
          end else begin
            head_q <= acc_rdata_q[15:0];
            acc_addr_q <= qdesc + {44'd0, acc_rdata_q[15:0], 4'd0};
            ret_q <= S_POP_DESC;
            state_q <= S_DESC;
          end
        end

        S_POP_DESC, S_POP_IND: begin
          if ({16'd0, seen_q} >= limit) begin
            finish(soc_map_pkg::VQ_RESULT_BAD, soc_map_pkg::VQ_WHY_LOOP);
          end else if (d_flags[F_INDIRECT]) begin
            if (in_ind) finish(soc_map_pkg::VQ_RESULT_BAD, soc_map_pkg::VQ_WHY_NESTED);
            else if (!feat_indirect) finish(soc_map_pkg::VQ_RESULT_BAD, soc_map_pkg::VQ_WHY_NOIND);
            else if (d_flags[F_NEXT]) finish(soc_map_pkg::VQ_RESULT_BAD, soc_map_pkg::VQ_WHY_INDNEXT);
            else if (d_len == 32'd0 || d_len[3:0] != 4'd0 || d_addr + {32'd0, d_len} < d_addr)
              finish(soc_map_pkg::VQ_RESULT_BAD, soc_map_pkg::VQ_WHY_INDLEN);
            else begin
              // Walk the table from its entry 0.
              ind_base_q <= d_addr;
              ind_n_q <= {4'd0, d_len[31:4]};
              seen_q <= 16'd0;
              acc_addr_q <= d_addr;
              ret_q <= S_POP_IND;
              state_q <= S_DESC;
            end
          end else if (d_addr + {32'd0, d_len} < d_addr) begin
            finish(soc_map_pkg::VQ_RESULT_BAD, soc_map_pkg::VQ_WHY_WRAP);
          end else if (!d_flags[F_WRITE] && nwr_q != '0) begin
            finish(soc_map_pkg::VQ_RESULT_BAD, soc_map_pkg::VQ_WHY_RDAFTERWR);
          end else if (32'(nrd_q) + 32'(nwr_q) >= MAX_SEGS) begin
            finish(soc_map_pkg::VQ_RESULT_BAD, soc_map_pkg::VQ_WHY_SEGS);
          end else if (d_flags[F_NEXT] && {16'd0, d_next} >= limit) begin
            finish(soc_map_pkg::VQ_RESULT_BAD, soc_map_pkg::VQ_WHY_NEXT);
          end else begin
            seg_addr_q[seg_idx] <= d_addr;
            seg_len_q[seg_idx] <= d_len;
            seg_wr_q[seg_idx] <= d_flags[F_WRITE];
            if (d_flags[F_WRITE]) begin
              nwr_q <= nwr_q + SW'(1);
              wrlen_q <= wrlen_q + d_len;
            end else begin
              nrd_q <= nrd_q + SW'(1);
              rdlen_q <= rdlen_q + d_len;
            end
            seen_q <= seen_q + 16'd1;
            if (d_flags[F_NEXT]) begin
              acc_addr_q <= (in_ind ? ind_base_q : qdesc) + {44'd0, d_next, 4'd0};
              ret_q <= state_q;
              state_q <= S_DESC;
            end else begin
              // Chain complete: take it, and tell the driver how far we read.
              last_avail_q[q_q] <= last_avail_q[q_q] + 16'd1;
              if (feat_event_idx) begin
                acc_addr_q <= qused + 64'd4 + {45'd0, qsize, 3'b000};
                acc_bytes_q <= 7'd2;
                acc_wdata_q <= {48'd0, last_avail_q[q_q] + 16'd1};
                ret_q <= S_DONE;
                state_q <= S_WR_SEND;
              end else begin
                finish(soc_map_pkg::VQ_RESULT_OK, soc_map_pkg::VQ_WHY_NONE);
              end
            end
          end
        end

        // ---- PUSH
        S_PUSH_IDX: begin
          used_idx_q[q_q] <= used_idx_q[q_q] + 16'd1;
          acc_addr_q <= qused + 64'd2;
          acc_bytes_q <= 7'd2;
          acc_wdata_q <= {48'd0, used_idx_q[q_q] + 16'd1};
          ret_q <= S_PUSH_CHECK;
          state_q <= S_WR_SEND;
        end

        S_PUSH_CHECK: begin
          // Read used_event (event index) or avail->flags.
          acc_addr_q <= feat_event_idx ? qavail + 64'd4 + {47'd0, qsize, 1'b0} : qavail;
          acc_bytes_q <= 7'd2;
          ret_q <= S_DONE;
          state_q <= S_RD_WAIT;
          sent_q <= 1'b0;
          timer_q <= '0;
        end

        S_DONE: begin
          if (is_push_q) begin
            if (push_notify) begin
              irq_valid <= 1'b1;
              irq_queue <= 16'(q_q);
            end
          end
          finish(soc_map_pkg::VQ_RESULT_OK, soc_map_pkg::VQ_WHY_NONE);
        end

        // ---- host access helpers
        // The descriptor at acc_addr_q into acc_rdata_q, then ret_q.
        S_DESC: begin
          if (win_hit) begin
            acc_rdata_q <= win_q[128 * win_idx +: 128];
            state_q <= ret_q;
          end else begin
            win_v_q <= 1'b0;
            win_rd_q <= quad_ok || pair_ok;
            quad_rd_q <= quad_ok;
            want_q <= quad_ok ? acc_addr_q[5:4] : {1'b0, acc_addr_q[4]};
            if (quad_ok) acc_addr_q <= quad_base;
            else if (pair_ok) acc_addr_q <= pair_base;
            acc_bytes_q <= quad_ok ? 7'd64 : pair_ok ? 7'd32 : 7'd16;
            state_q <= S_RD_WAIT;
            sent_q <= 1'b0;
            timer_q <= '0;
          end
        end

        S_RD_WAIT: begin
          if (!sent_q) begin
            if (tx_ready) sent_q <= 1'b1;
          end else if (beat2_q && rx_valid && !rx_sop) begin
            // descriptors 2 and 3 of the window
            win_q[511:256] <= rx_data;
            win_v_q <= 1'b1;
            beat2_q <= 1'b0;
            if (want_q[1]) acc_rdata_q <= rx_data[128 * want_q[0] +: 128];
            state_q <= ret_q;
          end else if (cpl_ours) begin
            tag_q <= tag_q + 3'd1;
            if (rx_hdr[47:45] != 3'd0 || !rx_hdr[30] || rx_hdr[EP_BIT] ||
                (win_rd_q && rx_hdr[9:0] != (quad_rd_q ? 10'd16 : 10'd8))) begin   // a window comes whole
              finish(soc_map_pkg::VQ_RESULT_DMA, soc_map_pkg::VQ_WHY_NONE);
            end else if (win_rd_q) begin
              win_q[255:0] <= rx_data;
              win_addr_q <= acc_addr_q;
              win_quad_q <= quad_rd_q;
              win_rd_q <= 1'b0;
              if (!want_q[1]) acc_rdata_q <= rx_data[128 * want_q[0] +: 128];
              if (quad_rd_q) begin
                beat2_q <= 1'b1;
                timer_q <= '0;
              end else begin
                win_v_q <= 1'b1;
                state_q <= ret_q;
              end
            end else begin
              acc_rdata_q <= 128'(rx_data[159:0] >> (8 * rx_hdr[65:64]));
              state_q <= ret_q;
            end
          end else if (timer_q == TMW'(TIMEOUT)) begin
            tag_q <= tag_q + 3'd1;   // a late answer will not match
            finish(soc_map_pkg::VQ_RESULT_DMA, soc_map_pkg::VQ_WHY_NONE);
          end else begin
            timer_q <= timer_q + TMW'(1);
          end
        end

        S_WR_SEND: begin
          if (tx_ready) state_q <= ret_q;
        end

        default: state_q <= S_IDLE;
      endcase
    end
  end
endmodule
