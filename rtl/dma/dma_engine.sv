`default_nettype none
// dma_engine: moves bytes between host memory (as PCIe memory requests) and
// a local row memory: the card's DMA buffer, or card memory through
// dma_card_port. Clock domain: clk.
//
// One command at a time: read (host -> buffer) or write (buffer -> host), any
// byte alignment on either side, up to 16 MiB. The exception: a read may
// be taken once the read before has sent all its requests, so that the
// two wait for their completions together (a gather of small pieces costs
// one host round trip, not one each); each tag remembers its command, an
// error counts against the command it belongs to, and the two are done in
// the order they came. Reads are split into MRd
// requests of at most MRRS bytes that never cross an MRRS (hence 4 KiB)
// boundary, each with its own tag from a pool of TAGS; completions may arrive
// split (at any RCB) and in any order across tags, and are placed by their
// byte count. A tag whose completion does not arrive within TIMEOUT cycles is
// retired (never reused until `flush`) so that a late completion cannot be
// taken for a newer request. Writes are split into MWr requests of at most
// MPS bytes on MPS boundaries, each set up while the one before is still
// being read, so that their beats leave back to back.
//
// Interfaces: command/done, TLP request stream out, completion stream in,
// the local row port. The row port answers a read in the next cycle; a local
// side that cannot always do so (card memory) says which row it can answer
// (lm_rd_ok for lm_next_row) and when it cannot take a row write (lm_wait:
// completions then wait in the receive stream), and holds a command's done
// (and the next command) while it has writes to finish (lm_busy). Status
// codes on done: soc_map_pkg::DMA_RESULT_* (rtl/soc_map.toml).
//
// A poisoned completion (EP set) is never placed: its payload is dropped,
// its bytes still count towards its tag (so the tag's later completions
// drain instead of landing in another command), and the command fails
// with POISONED. What other completions of the command already placed
// stays in the buffer; a failed read's destination is garbage.
module dma_engine #(
  parameter int DATA_W = 256,            // TLP datapath width, also the buffer row width
  parameter int TAGS = 32,               // read tags in flight (2..256)
  parameter int LOCAL_AW = 16,           // local byte-address bits
  parameter int TIMEOUT = 65536          // completion timeout, cycles
) (
  input  wire logic        clk,
  input  wire logic        rst,
  input  wire logic        abort,           // function reset: every command ends, tags out are quarantined

  // --- configuration (from config space) ---
  input  wire logic        bus_master,
  input  wire logic [2:0]  max_payload,
  input  wire logic [2:0]  max_read_req,
  input  wire logic [15:0] requester_id,

  // --- commands ---
  input  wire logic        cmd_valid,
  output logic        cmd_ready,
  input  wire logic        cmd_write,       // 1: buffer -> host
  input  wire logic [63:0] cmd_host,
  input  wire logic [LOCAL_AW-1:0] cmd_local,
  input  wire logic [24:0] cmd_len,         // bytes
  input  wire logic        flush,           // drop every retired tag (after a timeout)
  output logic        done_valid,
  output logic [soc_map_pkg::DMA_RESULT_W-1:0] done_status,

  // --- requests to the host ---
  output logic [127:0]      tx_hdr,
  output logic [DATA_W-1:0] tx_data,
  output logic              tx_sop,
  output logic              tx_eop,
  output logic              tx_valid,
  input  wire logic         tx_ready,

  // --- completions from the host ---
  input  wire logic [127:0]      rx_hdr,
  input  wire logic [DATA_W-1:0] rx_data,
  input  wire logic              rx_sop,
  input  wire logic              rx_eop,
  input  wire logic              rx_valid,
  output logic                   rx_ready,

  // --- buffer row port ---
  output logic                   lm_en,
  output logic [DATA_W/8-1:0]    lm_we,
  output logic [LOCAL_AW-$clog2(DATA_W/8)-1:0] lm_row,
  output logic [DATA_W-1:0]      lm_wdata,
  input  wire logic [DATA_W-1:0] lm_rdata,
  input  wire logic              lm_wait,     // no row write can be taken this cycle
  output logic [LOCAL_AW-$clog2(DATA_W/8)-1:0] lm_next_row,  // row a write command reads next
  input  wire logic              lm_rd_ok,    // lm_next_row can be read this cycle
  input  wire logic              lm_busy,     // row writes still on their way

  // --- statistics ---
  output logic [31:0] stat_unexpected   // completions for no outstanding tag
);
  localparam int RB = DATA_W / 8;          // bytes per beat/row
  localparam int RBW = $clog2(RB);         // byte offset bits within a row
  localparam int RW = LOCAL_AW - RBW;      // row index bits
  localparam int TW = $clog2(TAGS);        // tag index bits
  localparam int TMW = $clog2(TIMEOUT + 1);
  // Result codes (DMA.STATUS.RESULT): soc_map_pkg::DMA_RESULT_* (rtl/soc_map.toml)
  localparam int RES_W = soc_map_pkg::DMA_RESULT_W;
  localparam int EP_BIT = 14;              // TLP header DW0: error poisoned

  initial begin
    if (DATA_W < 64 || (DATA_W & (DATA_W - 1)) != 0) $error("dma_engine: DATA_W must be a power of two >= 64");
    if (TAGS < 2 || TAGS > 256 || (TAGS & (TAGS - 1)) != 0) $error("dma_engine: TAGS must be a power of two, 2..256");
    if (LOCAL_AW <= RBW || LOCAL_AW > 31) $error("dma_engine: LOCAL_AW out of range");
  end

  // ------------------------------------------------------------- command
  logic        active_q, write_q;
  logic [63:0] host_q;                 // next host byte to request / write
  logic [LOCAL_AW-1:0] local_q;        // its buffer address
  logic [24:0] left_q;                 // bytes not yet requested / written
  logic [RES_W-1:0] err_q;             // first error of the command
  logic        done_q;
  logic [RES_W-1:0] done_status_q;
  // The read before, waiting for its completions behind the current one
  logic        gen_q;                  // the current command's generation
  logic        drain_q;                // the command before (generation !gen_q) is not done
  logic [RES_W-1:0] drain_err_q;

  // ------------------------------------------------------------- tags
  logic [TAGS-1:0] tag_busy_q, tag_dead_q, tag_gen_q;
  // Tags that were out at a function reset: their completions may still
  // come, so they are not reused until the completion timeout has passed
  // (a late completion is then unexpected, never placed in a new read).
  logic [TAGS-1:0] tag_quar_q;
  logic [LOCAL_AW-1:0] tag_local_q [0:TAGS-1];
  logic [12:0] tag_total_q [0:TAGS-1];
  logic [12:0] tag_recv_q  [0:TAGS-1];
  logic [TMW-1:0] tag_timer_q [0:TAGS-1];
  logic        tag_free_found;
  logic [TW-1:0] tag_free;

  always_comb begin
    tag_free_found = 1'b0;
    tag_free = '0;
    for (int i = TAGS - 1; i >= 0; i--) begin
      if (!tag_busy_q[i] && !tag_dead_q[i] && !tag_quar_q[i]) begin
        tag_free_found = 1'b1;
        tag_free = TW'(i);
      end
    end
  end

  // --------------------------------------------------- request geometry
  logic [12:0] mrrs_bytes, mps_bytes, unit, boundary;
  logic [24:0] chunk;
  logic [63:0] last_byte;
  logic [10:0] len_dw;
  logic [3:0]  fbe, lbe;
  logic        wide;

  always_comb begin
    mrrs_bytes = (max_read_req > 3'd5) ? 13'd4096 : (13'd128 << max_read_req);
    mps_bytes = (max_payload > 3'd5) ? 13'd4096 : (13'd128 << max_payload);
    unit = write_q ? mps_bytes : mrrs_bytes;
    boundary = unit - (host_q[12:0] & (unit - 13'd1));
    chunk = (left_q < {12'd0, boundary}) ? left_q : {12'd0, boundary};
    last_byte = host_q + {39'd0, chunk} - 64'd1;
    len_dw = 11'(last_byte[63:2] - host_q[63:2]) + 11'd1;
    fbe = 4'b1111 << host_q[1:0];
    lbe = 4'b1111 >> (2'd3 - last_byte[1:0]);
    if (len_dw == 11'd1) begin
      fbe = fbe & lbe;
      lbe = 4'b0000;
    end
    wide = (host_q[63:32] != 32'd0);
  end

  function automatic logic [127:0] req_hdr(input logic is_write, input logic is_wide,
                                           input logic [10:0] ndw, input logic [7:0] tag,
                                           input logic [3:0] first_be, input logic [3:0] last_be,
                                           input logic [63:0] addr, input logic [15:0] rid);
    logic [127:0] h;
    h = '0;
    h[31:29] = {1'b0, is_write, is_wide};
    h[28:24] = 5'b00000;
    h[9:0] = ndw[9:0];                    // 1024 DWs encode as 0
    h[63:32] = {rid, tag, last_be, first_be};
    if (is_wide) begin
      h[95:64] = addr[63:32];
      h[127:96] = {addr[31:2], 2'b00};
    end else begin
      h[95:64] = {addr[31:2], 2'b00};
    end
    req_hdr = h;
  endfunction

  // ---------------------------------------------------- output FIFO (2)
  logic [127:0]      fifo_hdr_q  [0:1];
  logic [DATA_W-1:0] fifo_data_q [0:1];
  logic [1:0]        fifo_sop_q, fifo_eop_q;
  logic [1:0]        fifo_count_q;
  logic              fifo_rd_ptr_q, fifo_wr_ptr_q;
  logic              push, pop;
  logic [127:0]      push_hdr;
  logic [DATA_W-1:0] push_data;
  logic              push_sop, push_eop;

  assign tx_valid = (fifo_count_q != 2'd0);
  assign tx_hdr = fifo_hdr_q[fifo_rd_ptr_q];
  assign tx_data = fifo_data_q[fifo_rd_ptr_q];
  assign tx_sop = fifo_sop_q[fifo_rd_ptr_q];
  assign tx_eop = fifo_eop_q[fifo_rd_ptr_q];
  assign pop = tx_valid && tx_ready;

  // ------------------------------------------------------ write channel
  // Write TLPs go through two slots: the command's geometry advances when a
  // TLP is set up, so the next TLP's rows are fetched while the last beats
  // of the one before are still being read, and beats leave back to back.
  // Slot t_iss fetches rows, slot t_rcv turns the returning rows into
  // beats: each beat is the row window at the TLP's byte shift (two rows,
  // or the row itself when the shift is 0). A shifted TLP's first row is
  // the last row of the TLP before it (rows are contiguous within a
  // command): that row is not fetched again but carried (it is the row
  // last returned when this TLP's first row comes), so a shifted stream
  // costs one row read per beat, as an aligned one does.
  logic [1:0]  t_count_q;              // TLPs set up and not yet all beats pushed
  logic        t_wr_q, t_iss_q, t_rcv_q;   // slot to set up, to fetch for, to receive into
  logic [127:0] t_hdr_q   [0:1];
  logic [RW-1:0] t_row0_q [0:1];       // first buffer row of the TLP
  logic [RBW-1:0] t_shift_q [0:1];     // byte offset of payload byte 0 in that row
  logic [8:0]  t_rows_q  [0:1];        // rows to read: beats (+ 1 when shifted and not carried)
  logic [1:0]  t_carry_q;              // the TLP's first row is the one returned before it
  logic [RW-1:0] last_row_q;           // last row of the TLP set up last in this command
  logic        last_row_v_q;
  logic        wcarry;                 // the TLP being set up carries its first row
  logic [8:0]  wrows_issued_q, wrows_recv_q;   // of slot t_iss / t_rcv
  logic        wread_q;                // a row read returns this cycle
  logic [DATA_W-1:0] wprev_q;
  logic        wissue, wsetup, wpush, wlast;
  logic [1:0]  t_niss_q;               // TLPs set up whose rows are not all asked for
  logic        wlast_iss;              // this row read is its slot's last
  logic [LOCAL_AW-1:0] wstart;         // buffer address of payload byte 0
  logic [8:0]  wbeats;

  assign wstart = local_q - LOCAL_AW'(host_q[1:0]);
  assign wbeats = 9'((len_dw + 11'(DATA_W / 32) - 11'd1) / 11'(DATA_W / 32));
  // A TLP is set up while a slot is free (the first beat of a command
  // waits for its geometry, later ones are ready a TLP ahead).
  assign wsetup = active_q && write_q && left_q != 25'd0 && err_q == soc_map_pkg::DMA_RESULT_OK &&
                  t_count_q != 2'd2;
  // The returning row makes a beat unless it is a shifted TLP's first row.
  assign wcarry = last_row_v_q && wstart[RBW-1:0] != '0 && wstart[LOCAL_AW-1:RBW] == last_row_q;
  assign wpush = wread_q && !(t_shift_q[t_rcv_q] != '0 && !t_carry_q[t_rcv_q] && wrows_recv_q == 9'd0);
  assign wlast = wread_q && wrows_recv_q + 9'd1 == t_rows_q[t_rcv_q];
  assign wlast_iss = wissue && wrows_issued_q + 9'd1 == t_rows_q[t_iss_q];

  // ------------------------------------------------------- read channel
  logic        rissue;
  logic        cpl_active_q;          // inside a completion being placed
  logic        cpl_drop_q;            // draining a completion that is not placed
  logic        flush_q;               // one more row to write after the last beat
  logic [TW-1:0] ctag_q;
  logic [LOCAL_AW-1:0] cbase_q;       // buffer address of payload byte 0
  logic [12:0] cvalid_lo_q, cvalid_hi_q;   // valid payload bytes [lo, hi)
  logic [7:0]  cbeat_q;
  logic [DATA_W-1:0] cprev_q;
  logic [RB-1:0] cprev_mask_q;
  logic [12:0] cn_q;                  // bytes this completion delivers
  logic [31:0] unexpected_q;

  // completion header fields
  logic [2:0]  c_status;
  logic [12:0] c_bc;
  logic [TW-1:0] c_tag;
  logic        c_tag_ok;
  logic [6:0]  c_la;
  logic [10:0] c_len;
  logic        c_data;
  logic        c_ep;                   // poisoned: the payload must not be used
  logic [12:0] c_remaining, c_n, c_avail;

  always_comb begin
    c_status = rx_hdr[47:45];
    c_bc = (rx_hdr[43:32] == 12'd0) ? 13'd4096 : {1'b0, rx_hdr[43:32]};
    c_tag = rx_hdr[72 +: TW];
    c_tag_ok = (rx_hdr[79:72] < 8'(TAGS)) && tag_busy_q[c_tag];
    c_la = rx_hdr[70:64];
    c_len = (rx_hdr[9:0] == 10'd0) ? 11'd1024 : {1'b0, rx_hdr[9:0]};
    c_data = rx_hdr[30];
    c_ep = rx_hdr[EP_BIT];
    c_remaining = tag_total_q[c_tag] - tag_recv_q[c_tag];
    c_avail = {c_len, 2'b00} - {11'd0, c_la[1:0]};
    c_n = (c_bc < c_avail) ? c_bc : c_avail;
  end

  // Byte validity of beat k: payload bytes [RB*k, RB*k + RB) against [lo, hi)
  function automatic logic [RB-1:0] beat_mask(input logic [7:0] k, input logic [12:0] lo,
                                               input logic [12:0] hi);
    logic [RB-1:0] m;
    for (int i = 0; i < RB; i++) begin
      logic [13:0] p;
      p = 14'(k) * 14'(RB) + 14'(i);
      m[i] = (p >= {1'b0, lo}) && (p < {1'b0, hi});
    end
    beat_mask = m;
  endfunction

  logic [RB-1:0]     cur_mask;
  logic [2*DATA_W-1:0] cwin;
  logic [2*RB-1:0]   cwin_mask;
  logic [RBW-1:0]    cshift;
  logic              rx_take;

  assign cshift = cbase_q[RBW-1:0];
  assign cur_mask = beat_mask(cbeat_q, cvalid_lo_q, cvalid_hi_q);

  // Buffer port: completion placement (reads) or row fetch (writes)
  always_comb begin
    lm_en = 1'b0;
    lm_we = '0;
    lm_row = '0;
    lm_wdata = '0;
    cwin = '0;
    cwin_mask = '0;
    if (flush_q && !lm_wait) begin
      cwin = {{DATA_W{1'b0}}, cprev_q};
      cwin_mask = {{RB{1'b0}}, cprev_mask_q};
      lm_en = 1'b1;
      lm_row = cbase_q[LOCAL_AW-1:RBW] + RW'(cbeat_q);
      lm_wdata = cwin[(RB - 32'(cshift)) * 8 +: DATA_W];
      lm_we = cwin_mask[(RB - 32'(cshift)) +: RB];
    end else if (cpl_active_q && rx_valid && !lm_wait) begin
      // rx_ready is high here: the beat is taken and placed this cycle.
      cwin = {rx_data, cprev_q};
      cwin_mask = {cur_mask, cprev_mask_q};
      lm_en = 1'b1;
      lm_row = cbase_q[LOCAL_AW-1:RBW] + RW'(cbeat_q);
      lm_wdata = cwin[(RB - 32'(cshift)) * 8 +: DATA_W];
      lm_we = cwin_mask[(RB - 32'(cshift)) +: RB];
    end else if (wissue) begin
      lm_en = 1'b1;
      lm_row = t_row0_q[t_iss_q] + RW'(wrows_issued_q);
    end
  end

  // A completion's header is examined in a cycle of its own (its first beat
  // is taken one cycle later, for placement), and its last row is written in
  // a cycle after its last beat; otherwise the receive side is always ready.
  logic hdr_cycle;
  assign hdr_cycle = rx_valid && rx_sop && !cpl_active_q && !cpl_drop_q && !flush_q;
  logic c_fits;                        // a successful completion that fits its tag
  assign c_fits = c_tag_ok && c_status == 3'd0 && c_data && c_bc == c_remaining && c_n != 13'd0;
  assign rx_ready = !flush_q && !(cpl_active_q && lm_wait) && !(hdr_cycle && c_fits && !c_ep);
  assign rx_take = rx_valid && rx_ready;

  // Read requests: one per cycle while tags and FIFO space last.
  assign rissue = active_q && !write_q && err_q == soc_map_pkg::DMA_RESULT_OK && left_q != 25'd0 &&
                  tag_free_found && (fifo_count_q == 2'd0 || (fifo_count_q == 2'd1 && pop));
  // Row fetches: keep the rows in flight plus the beats queued within the FIFO.
  assign lm_next_row = t_row0_q[t_iss_q] + RW'(wrows_issued_q);
  assign wissue = active_q && write_q && t_niss_q != 2'd0 &&
                  !flush_q && !(cpl_active_q && rx_valid) && lm_rd_ok &&
                  ({1'b0, fifo_count_q} + 3'(wpush) < 3'd2 + 3'(pop));

  // FIFO push: a read request, or a write beat once two rows are there.
  logic [2*DATA_W-1:0] wwin;
  assign wwin = {lm_rdata, wprev_q};

  always_comb begin
    push = 1'b0;
    push_hdr = '0;
    push_data = '0;
    push_sop = 1'b1;
    push_eop = 1'b1;
    if (rissue) begin
      push = 1'b1;
      push_hdr = req_hdr(1'b0, wide, len_dw, 8'(tag_free), fbe, lbe, host_q, requester_id);
    end else if (wpush) begin
      push = 1'b1;
      push_hdr = t_hdr_q[t_rcv_q];
      push_data = (t_shift_q[t_rcv_q] == '0) ? lm_rdata : wwin[8 * 32'(t_shift_q[t_rcv_q]) +: DATA_W];
      push_sop = (wrows_recv_q == ((t_shift_q[t_rcv_q] == '0 || t_carry_q[t_rcv_q]) ? 9'd0 : 9'd1));
      push_eop = wlast;
    end
  end

  // ------------------------------------------------- two reads in flight
  // A read is taken beside the current one once that one has sent all its
  // requests; the current one then drains (its tags are those whose
  // generation is not gen_q) and is done before the new one.
  logic        ovl_ok, acc_ovl, rd_end, drain_end;
  logic [TAGS-1:0] old_tags;
  always_comb begin
    for (int i = 0; i < TAGS; i++) old_tags[i] = tag_busy_q[i] && tag_gen_q[i] != gen_q;
  end
  assign ovl_ok = !write_q && !cmd_write && left_q == 25'd0 && !drain_q && bus_master &&
                  cmd_len != 25'd0 && {7'd0, cmd_len} <= (32'd1 << LOCAL_AW);  // ends only by its tags
  assign acc_ovl = cmd_valid && cmd_ready && active_q;
  assign drain_end = drain_q && old_tags == '0 && !cpl_active_q && !flush_q && !lm_busy;
  assign rd_end = active_q && !write_q && (left_q == 25'd0 || err_q != soc_map_pkg::DMA_RESULT_OK) &&
                  tag_busy_q == '0 && !drain_q && !cpl_active_q && !flush_q && !rissue && !lm_busy;

  // An error counts against the command its tag belongs to (the first
  // error of each is kept). At a read taken beside the current one, every
  // tag out is the current one's, which drains from then on.
  task automatic set_err(input logic [TW-1:0] t, input logic [RES_W-1:0] code);
    if (!acc_ovl && tag_gen_q[t] == gen_q) begin
      if (err_q == soc_map_pkg::DMA_RESULT_OK) err_q <= code;
    end else if ((acc_ovl ? err_q : drain_err_q) == soc_map_pkg::DMA_RESULT_OK) begin
      drain_err_q <= code;
    end
  endtask

  // ------------------------------------------------------------ state
  always_ff @(posedge clk) begin
    // Quarantined tags age out whatever else happens (also while the
    // function is held in reset).
    for (int i = 0; i < TAGS; i++) begin
      if (rst) begin
        tag_quar_q[i] <= 1'b0;
      end else if (abort && tag_busy_q[i]) begin
        tag_quar_q[i] <= 1'b1;
      end else if (tag_quar_q[i]) begin
        if (tag_timer_q[i] == TMW'(TIMEOUT)) tag_quar_q[i] <= 1'b0;
        else tag_timer_q[i] <= tag_timer_q[i] + TMW'(1);
      end
    end
    if (rst || abort) begin
      active_q <= 1'b0;
      done_q <= 1'b0;
      err_q <= soc_map_pkg::DMA_RESULT_OK;
      gen_q <= 1'b0;
      drain_q <= 1'b0;
      drain_err_q <= soc_map_pkg::DMA_RESULT_OK;
      tag_busy_q <= '0;
      tag_dead_q <= '0;
      fifo_count_q <= 2'd0;
      fifo_rd_ptr_q <= 1'b0;
      fifo_wr_ptr_q <= 1'b0;
      t_count_q <= 2'd0;
      t_niss_q <= 2'd0;
      last_row_v_q <= 1'b0;
      t_wr_q <= 1'b0;
      t_iss_q <= 1'b0;
      t_rcv_q <= 1'b0;
      wrows_issued_q <= 9'd0;
      wrows_recv_q <= 9'd0;
      wread_q <= 1'b0;
      cpl_active_q <= 1'b0;
      cpl_drop_q <= 1'b0;
      flush_q <= 1'b0;
      unexpected_q <= 32'd0;
    end else begin
      done_q <= 1'b0;

      // FIFO
      if (push) begin
        fifo_hdr_q[fifo_wr_ptr_q] <= push_hdr;
        fifo_data_q[fifo_wr_ptr_q] <= push_data;
        fifo_sop_q[fifo_wr_ptr_q] <= push_sop;
        fifo_eop_q[fifo_wr_ptr_q] <= push_eop;
        fifo_wr_ptr_q <= !fifo_wr_ptr_q;
      end
      if (pop) fifo_rd_ptr_q <= !fifo_rd_ptr_q;
      fifo_count_q <= fifo_count_q + 2'(push) - 2'(pop);

      // Command start (a read beside the read before: that one now drains)
      if (cmd_valid && cmd_ready) begin
        gen_q <= !gen_q;
        if (acc_ovl) begin
          drain_q <= 1'b1;
          drain_err_q <= err_q;
        end
        if (!bus_master) begin
          done_q <= 1'b1; done_status_q <= soc_map_pkg::DMA_RESULT_NOBM;
        end else if ({7'd0, cmd_len} > (32'd1 << LOCAL_AW)) begin
          done_q <= 1'b1; done_status_q <= soc_map_pkg::DMA_RESULT_BADARG;
        end else if (cmd_len == 25'd0) begin
          done_q <= 1'b1; done_status_q <= soc_map_pkg::DMA_RESULT_OK;
        end else begin
          active_q <= 1'b1;
          last_row_v_q <= 1'b0;
          write_q <= cmd_write;
          host_q <= cmd_host;
          local_q <= cmd_local;
          left_q <= cmd_len;
          err_q <= soc_map_pkg::DMA_RESULT_OK;
        end
      end

      // Read request issue
      if (rissue) begin
        tag_busy_q[tag_free] <= 1'b1;
        tag_gen_q[tag_free] <= gen_q;
        tag_local_q[tag_free] <= local_q;
        tag_total_q[tag_free] <= chunk[12:0];
        tag_recv_q[tag_free] <= 13'd0;
        tag_timer_q[tag_free] <= '0;
        host_q <= host_q + {39'd0, chunk};
        local_q <= local_q + LOCAL_AW'(chunk);
        left_q <= left_q - chunk;
      end

      // Completion timers
      for (int i = 0; i < TAGS; i++) begin
        if (tag_busy_q[i] && !(rissue && tag_free == TW'(i))) begin
          if (tag_timer_q[i] == TMW'(TIMEOUT)) begin
            tag_busy_q[i] <= 1'b0;
            tag_dead_q[i] <= 1'b1;
            set_err(TW'(i), soc_map_pkg::DMA_RESULT_TIMEOUT);
          end else begin
            tag_timer_q[i] <= tag_timer_q[i] + TMW'(1);
          end
        end
      end
      if (flush && !active_q) tag_dead_q <= '0;

      // Completions
      if (flush_q && !lm_wait) flush_q <= 1'b0;
      if (hdr_cycle) begin
        cbeat_q <= 8'd0;
        cprev_q <= '0;
        cprev_mask_q <= '0;
        if (!c_tag_ok) begin
          unexpected_q <= unexpected_q + 32'd1;
          cpl_drop_q <= !rx_eop;
        end else if (c_fits && c_ep) begin
          // Poisoned: dropped whole, counted, the command fails.
          tag_recv_q[c_tag] <= tag_recv_q[c_tag] + c_n;
          tag_timer_q[c_tag] <= '0;
          if (tag_recv_q[c_tag] + c_n == tag_total_q[c_tag]) tag_busy_q[c_tag] <= 1'b0;
          set_err(c_tag, soc_map_pkg::DMA_RESULT_POISONED);
          cpl_drop_q <= !rx_eop;
        end else if (!c_fits) begin
          // UR/CA, or a completion that does not fit its request: the tag
          // ends here and the command fails.
          tag_busy_q[c_tag] <= 1'b0;
          set_err(c_tag, (c_status == 3'd1) ? soc_map_pkg::DMA_RESULT_UR : soc_map_pkg::DMA_RESULT_CA);
          cpl_drop_q <= !rx_eop;
        end else begin
          ctag_q <= c_tag;
          cbase_q <= tag_local_q[c_tag] + LOCAL_AW'(tag_recv_q[c_tag]) - LOCAL_AW'(c_la[1:0]);
          cvalid_lo_q <= {11'd0, c_la[1:0]};
          cvalid_hi_q <= {11'd0, c_la[1:0]} + c_n;
          cn_q <= c_n;
          tag_timer_q[c_tag] <= '0;
          cpl_active_q <= 1'b1;
        end
      end else if (cpl_drop_q && rx_take && rx_eop) begin
        cpl_drop_q <= 1'b0;
      end
      // Placement of a data beat.
      if (cpl_active_q && rx_take) begin
        cprev_q <= rx_data;
        cprev_mask_q <= cur_mask;
        cbeat_q <= cbeat_q + 8'd1;
        if (rx_eop) begin
          cpl_active_q <= 1'b0;
          flush_q <= 1'b1;
          tag_recv_q[ctag_q] <= tag_recv_q[ctag_q] + cn_q;
          if (tag_recv_q[ctag_q] + cn_q == tag_total_q[ctag_q]) tag_busy_q[ctag_q] <= 1'b0;
        end
      end

      // Write TLPs: set up (the geometry moves on), rows fetched, beats made
      wread_q <= wissue;
      if (wsetup) begin
        t_hdr_q[t_wr_q] <= req_hdr(1'b1, wide, len_dw, 8'd0, fbe, lbe, host_q, requester_id);
        t_row0_q[t_wr_q] <= wstart[LOCAL_AW-1:RBW] + RW'(wcarry);
        t_shift_q[t_wr_q] <= wstart[RBW-1:0];
        t_rows_q[t_wr_q] <= wbeats + 9'(wstart[RBW-1:0] != '0 && !wcarry);
        t_carry_q[t_wr_q] <= wcarry;
        last_row_q <= wstart[LOCAL_AW-1:RBW] + RW'(wbeats) - RW'(wstart[RBW-1:0] == '0);
        last_row_v_q <= 1'b1;
        t_wr_q <= !t_wr_q;
        host_q <= host_q + {39'd0, chunk};
        local_q <= local_q + LOCAL_AW'(chunk);
        left_q <= left_q - chunk;
      end
      if (wissue) begin
        if (wlast_iss) begin
          // the slot's rows are all asked for: the next slot's turn
          wrows_issued_q <= 9'd0;
          t_iss_q <= !t_iss_q;
        end else begin
          wrows_issued_q <= wrows_issued_q + 9'd1;
        end
      end
      if (wread_q) begin
        wprev_q <= lm_rdata;
        if (wlast) begin
          wrows_recv_q <= 9'd0;
          t_rcv_q <= !t_rcv_q;
        end else begin
          wrows_recv_q <= wrows_recv_q + 9'd1;
        end
      end
      t_count_q <= t_count_q + 2'(wsetup) - 2'(wlast);
      t_niss_q <= t_niss_q + 2'(wsetup) - 2'(wlast_iss);

      // Command end: the read before first, then the current read
      if (drain_end) begin
        drain_q <= 1'b0;
        done_q <= 1'b1;
        done_status_q <= drain_err_q;
      end
      if (rd_end) begin
        active_q <= 1'b0;
        done_q <= 1'b1;
        done_status_q <= err_q;
      end
      if (active_q && write_q && left_q == 25'd0 && t_count_q == 2'd0 && fifo_count_q == 2'd0) begin
        active_q <= 1'b0;
        done_q <= 1'b1;
        done_status_q <= err_q;
      end
    end
  end

  assign cmd_ready = !done_q && !lm_busy && (!active_q || (ovl_ok && !rd_end));
  assign done_valid = done_q;
  assign done_status = done_status_q;
  assign stat_unexpected = unexpected_q;
endmodule
