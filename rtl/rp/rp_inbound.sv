`default_nettype none
// rp_inbound: TLPs from the SSD. Clock domain: clk.
//
// One TLP at a time, in arrival order:
//   - Cpl/CplD go to rp_outbound (header and first payload DW; any further
//     beats are dropped).
//   - MemWr inside the DDR bus window [DDR_BUS_BASE, + 2**DDR_AW) is written
//     to DDR line by line, byte enables as the request says; MemWr of one DW
//     to MSI_ADDR is an MSI (its data is reported); any other MemWr (outside
//     DDR, crossing 4 KiB, poisoned) is dropped and reported.
//   - MemRd inside the DDR window is answered with CplD of at most CPL_BYTES
//     each, split on CPL_BYTES boundaries, byte count and lower address as
//     the PCIe Base Specification asks, data read from DDR (up to RD_DEPTH
//     line reads in flight).
//   - Any other non-posted request (MemRd outside DDR or crossing 4 KiB,
//     MRdLk, IO, configuration, atomics) is answered Unsupported Request and
//     reported; messages are dropped silently.
// DDR offset = bus address - DDR_BUS_BASE (docs/nvme-root-port.md).
//
// Interfaces: request stream from the SSD, completion stream toward it,
// completions for rp_outbound, DDR line port (in-order read data), MSI and
// error events.
module rp_inbound #(
  parameter int DATA_W = 256,                          // TLP stream width = DDR line width
  parameter int DDR_AW = 26,                           // DDR byte-address bits
  parameter logic [63:0] DDR_BUS_BASE = 64'h1_0000_0000, // bus address of DDR offset 0
  parameter logic [63:0] MSI_ADDR = 64'h0000_0000_fee0_0000, // MSI doorbell bus address
  parameter int CPL_BYTES = 256,                       // largest completion payload
  parameter int RD_DEPTH = 4                           // DDR line reads in flight
) (
  input  wire logic        clk,
  input  wire logic        rst,

  // --- requests and completions from the SSD ---
  input  wire logic [127:0]      rx_hdr,
  input  wire logic [DATA_W-1:0] rx_data,
  input  wire logic              rx_sop,
  input  wire logic              rx_eop,
  input  wire logic              rx_valid,
  output logic                   rx_ready,

  // --- completions toward the SSD ---
  output logic [127:0]      tx_hdr,
  output logic [DATA_W-1:0] tx_data,
  output logic              tx_sop,
  output logic              tx_eop,
  output logic              tx_valid,
  input  wire logic         tx_ready,

  // --- completions for rp_outbound ---
  output logic         cpl_valid,
  output logic [127:0] cpl_hdr,
  output logic [31:0]  cpl_data0,

  // --- DDR line port ---
  output logic                   m_req,
  output logic                   m_we,
  output logic [DDR_AW-$clog2(DATA_W/8)-1:0] m_addr,   // line index
  output logic [DATA_W/8-1:0]    m_be,
  output logic [DATA_W-1:0]      m_wdata,
  input  wire logic              m_gnt,
  input  wire logic              m_rvalid,
  input  wire logic [DATA_W-1:0] m_rdata,

  // --- configuration and events ---
  input  wire logic [15:0] rid,
  output logic        msi_valid,
  output logic [31:0] msi_data,
  output logic        ev_refused,      // non-posted request answered UR
  output logic        ev_dropped,      // posted write dropped
  output logic [63:0] ev_addr          // its address
);
  localparam int BDW = DATA_W / 32;                    // DWs per beat / line
  localparam int SW = $clog2(BDW);                     // DW index bits within a line
  localparam int LBW = $clog2(DATA_W / 8);             // byte offset bits within a line
  localparam int LW = DDR_AW - LBW;                    // line index bits
  localparam int DWW = DDR_AW - 2;                     // DW index bits
  localparam int CPL_DW = CPL_BYTES / 4;
  localparam int CPL_DW_W = $clog2(CPL_DW);
  localparam int FW = $clog2(RD_DEPTH + 1);            // read FIFO count bits
  localparam logic [63:0] DDR_SIZE = 64'd1 << DDR_AW;

  initial begin
    if (DATA_W != 256 && DATA_W != 128 && DATA_W != 64) $error("rp_inbound: DATA_W must be 64, 128 or 256");
    if (DDR_AW < 12 || DDR_AW > 34) $error("rp_inbound: DDR_AW out of range");
    if (DDR_BUS_BASE[11:0] != 12'd0) $error("rp_inbound: DDR_BUS_BASE must be 4 KiB aligned");
    if (CPL_BYTES < 64 || CPL_BYTES > 4096 || (CPL_BYTES & (CPL_BYTES - 1)) != 0)
      $error("rp_inbound: CPL_BYTES must be a power of two, 64..4096");
    if (RD_DEPTH < 2 || RD_DEPTH > 8) $error("rp_inbound: RD_DEPTH must be 2..8");
  end

  localparam logic [2:0] I_HDR    = 3'd0;
  localparam logic [2:0] I_WDATA  = 3'd1;
  localparam logic [2:0] I_WTAIL  = 3'd2;
  localparam logic [2:0] I_UR     = 3'd3;
  localparam logic [2:0] I_CSTART = 3'd4;
  localparam logic [2:0] I_CDATA  = 3'd5;
  localparam logic [4:0] TYPE_CPLLK = 5'b01011;


  // ---------------------------------------------------------- header decode
  logic [2:0]  h_fmt;
  logic [4:0]  h_type;
  logic        h_data, h_ep;
  logic [10:0] h_ndw;
  logic [3:0]  h_fbe, h_lbe;
  logic [63:0] h_addr, h_off;
  logic        h_in_ddr, h_cross4k, h_msi;
  logic        h_cpl, h_mem, h_msg, h_prefix;
  logic [12:0] h_bytes;           // bytes a memory read asks for
  logic        h_wr_ddr;          // a write DDR takes
  logic        h_tail;            // a write spanning one line more than its beats
  logic [10:0] h_ndw_up;
  logic [DWW-1:0] h_last_dw;
  logic [LW-1:0] h_span;

  // Decoded only on a header beat (the simulator skips the arithmetic
  // otherwise); every other beat sees zeros.
  always_comb begin
    h_fmt = '0;
    h_type = '0;
    h_data = 1'b0;
    h_ep = 1'b0;
    h_ndw = 11'd1;
    h_fbe = '0;
    h_lbe = '0;
    h_addr = '0;
    h_off = '0;
    h_in_ddr = 1'b0;
    h_cross4k = 1'b0;
    h_msi = 1'b0;
    h_prefix = 1'b0;
    h_cpl = 1'b0;
    h_mem = 1'b0;
    h_msg = 1'b0;
    h_wr_ddr = 1'b0;
    h_ndw_up = '0;
    h_last_dw = '0;
    h_span = '0;
    h_tail = 1'b0;
    h_bytes = '0;
    if (rx_valid && rx_sop) begin
    h_fmt = rx_hdr[31:29];
    h_type = rx_hdr[28:24];
    h_data = h_fmt[1];
    h_ep = rx_hdr[14];
    h_ndw = (rx_hdr[9:0] == 10'd0) ? 11'd1024 : {1'b0, rx_hdr[9:0]};
    h_fbe = rx_hdr[35:32];
    h_lbe = rx_hdr[39:36];
    h_addr = h_fmt[0] ? {rx_hdr[95:64], rx_hdr[127:98], 2'b00} : {32'd0, rx_hdr[95:66], 2'b00};
    h_off = h_addr - DDR_BUS_BASE;
    h_in_ddr = (h_addr >= DDR_BUS_BASE) && (h_off < DDR_SIZE) &&
               ({1'b0, h_off[DDR_AW-1:0]} + {{(DDR_AW - 12){1'b0}}, h_ndw, 2'b00} <= {1'b0, DDR_SIZE[DDR_AW:0]});
    h_cross4k = ({2'b00, h_addr[11:2]} + {1'b0, h_ndw}) > 12'd1024;
    h_msi = (h_addr == MSI_ADDR) && (h_ndw == 11'd1);
    h_prefix = h_fmt[2];          // TLP prefixes are not part of the stream format
    h_cpl = !h_prefix && ((h_type == pcie_pkg::TYPE_CPL) || (h_type == TYPE_CPLLK));
    h_mem = !h_prefix && (h_type == pcie_pkg::TYPE_MEM);
    h_msg = !h_prefix && (h_type[4:3] == 2'b10);
    h_wr_ddr = h_mem && h_data && h_in_ddr && !h_cross4k && !h_ep;
    h_ndw_up = h_ndw + 11'(BDW - 1);
    h_last_dw = h_off[DDR_AW-1:2] + DWW'(h_ndw) - DWW'(1);
    h_span = h_last_dw[DWW-1:SW] - h_off[DDR_AW-1:LBW];
    h_tail = (h_span + LW'(1)) != LW'(h_ndw_up[10:SW]);
    h_bytes = pcie_pkg::read_bytes(h_ndw, h_fbe, h_lbe);
    end
  end

  // ---------------------------------------------------------- state
  logic [2:0]  state_q, state_d;
  logic        cpl_now, msi_now, refused_now, dropped_now;  // this beat's events
  // request held from its header
  logic [15:0] q_reqid_q, q_reqid_d;
  logic [7:0]  q_tag_q, q_tag_d;
  logic [2:0]  q_tc_q, q_tc_d;
  logic [2:0]  q_attr_q, q_attr_d;
  logic [3:0]  q_fbe_q, q_fbe_d, q_lbe_q, q_lbe_d;
  logic [10:0] q_ndw_q, q_ndw_d;
  logic [12:0] q_bytes_q, q_bytes_d;     // bytes still to complete (reads) / byte count (UR)
  logic [6:0]  q_la_q, q_la_d;           // lower address of the first completion
  logic [DWW-1:0] q_dw_q, q_dw_d;        // DDR DW offset: next DW to complete / first DW written
  logic        q_first_q, q_first_d;     // reads: the first completion is next
  // writes
  logic [7:0]  w_beat_q, w_beat_d;       // line being written (= beat index)
  logic [DATA_W-1:0] w_prev_q;           // previous payload beat
  logic        w_prev_en;
  logic        w_tail_q, w_tail_d;       // one more line than beats
  // read completions
  logic [CPL_DW_W:0] c_ndw_q, c_ndw_d;   // DWs in this completion
  logic [4:0]  c_nb_q, c_nb_d;           // its beats
  logic [4:0]  c_nl_q, c_nl_d;           // its lines
  logic [4:0]  c_beat_q, c_beat_d;       // beat being sent
  logic [4:0]  c_iss_q, c_iss_d;         // lines still to request
  logic [LW-1:0] c_line_q, c_line_d;     // next line to request
  logic        c_primed_q, c_primed_d;
  logic [DATA_W-1:0] c_prev_q;
  logic [FW-1:0] c_inflight_q, c_inflight_d;
  // read data FIFO
  logic [DATA_W-1:0] f_mem_q [0:RD_DEPTH-1];
  logic [$clog2(RD_DEPTH)-1:0] f_rd_q, f_rd_d, f_wr_q, f_wr_d;
  logic [FW-1:0] f_cnt_q, f_cnt_d;
  logic        f_pop;

  // Realigned views: a write line from two payload beats, a completion beat
  // from two DDR lines, DW by DW (join_dw). On the header beat of a write the
  // request fields come from the header itself (they are latched only at the
  // end of that cycle). Computed only when used.
  logic [SW-1:0] c_s;
  logic [DATA_W-1:0] w_line, c_beat_data, c_next;
  logic [DATA_W/8-1:0] w_be;
  logic [7:0]  w_line_idx;
  logic        w_use_rx;                 // the line takes bytes from the current rx beat
  logic        w_hdr;                    // the header beat is being written
  logic        w_active;
  logic [DWW-1:0] wv_dw;
  logic [10:0] wv_ndw;
  logic [3:0]  wv_fbe, wv_lbe;
  logic [11:0] w_kk, w_k, w_s;

  // DWs k.. of lo followed by DWs of hi: ({hi, lo} >> 32*k), k in 0..BDW.
  function automatic logic [DATA_W-1:0] join_dw(input logic [DATA_W-1:0] lo, input logic [DATA_W-1:0] hi,
                                                input int k);
    for (int d = 0; d < BDW; d++)
      join_dw[32*d +: 32] = (d + k < BDW) ? lo[32*(d+k) +: 32] : hi[32*(d+k-BDW) +: 32];
  endfunction

  always_comb begin
    wv_dw = w_hdr ? h_off[DDR_AW-1:2] : q_dw_q;
    wv_ndw = w_hdr ? h_ndw : q_ndw_q;
    wv_fbe = w_hdr ? h_fbe : q_fbe_q;
    wv_lbe = w_hdr ? h_lbe : q_lbe_q;
    w_s = 12'(wv_dw[SW-1:0]);
    w_line = '0;
    w_be = '0;
    w_kk = '0;
    w_k = '0;
    if (w_active) begin
      // line i = DWs from the previous beat's top, then this beat's bottom
      w_line = join_dw(w_prev_q, w_use_rx ? rx_data : {DATA_W{1'b0}}, BDW - 32'(w_s));
      for (int d = 0; d < BDW; d++) begin
        w_kk = {1'b0, w_line_idx, 3'b000} + 12'(d);
        w_k = w_kk - w_s;
        if (w_kk >= w_s && w_k < {1'b0, wv_ndw}) begin
          if (w_k == 12'd0) w_be[4*d +: 4] = wv_fbe;
          else if (w_k == {1'b0, wv_ndw} - 12'd1) w_be[4*d +: 4] = wv_lbe;
          else w_be[4*d +: 4] = 4'hf;
        end
      end
    end
  end
  assign c_s = q_dw_q[SW-1:0];
  // In I_HDR the only line written is the header beat's first one.
  assign w_hdr = (state_q == I_HDR);
  assign w_line_idx = w_hdr ? 8'd0 : w_beat_q;
  assign w_use_rx = (state_q != I_WTAIL);
  assign w_active = (w_hdr && h_wr_ddr) || (state_q == I_WDATA) || (state_q == I_WTAIL);

  // the completion beat: the previous line's upper DWs and the next line's lower
  assign c_next = f_mem_q[f_rd_q];
  always_comb begin
    c_beat_data = '0;
    if (state_q == I_CDATA)
      c_beat_data = join_dw(c_prev_q, (c_beat_q + 5'd1 < c_nl_q) ? c_next : {DATA_W{1'b0}}, 32'(c_s));
  end

  // Completion headers, built into a register when a completion starts.

  logic [127:0] tx_hdr_q;

  // DDR requests: from the state alone, never from the grant.
  always_comb begin
    m_req = 1'b0;
    m_we = 1'b0;
    m_addr = wv_dw[DWW-1:SW] + LW'(w_line_idx);
    m_be = w_be;
    m_wdata = w_line;
    unique case (state_q)
      I_HDR: begin
        m_req = rx_valid && rx_sop && h_wr_ddr;
        m_we = 1'b1;
      end
      I_WDATA: begin
        m_req = rx_valid;
        m_we = 1'b1;
      end
      I_WTAIL: begin
        m_req = 1'b1;
        m_we = 1'b1;
      end
      I_CDATA: begin
        m_addr = c_line_q;
        m_req = (c_iss_q != 5'd0) && ((32'(c_inflight_q) + 32'(f_cnt_q)) < RD_DEPTH);
      end
      default: ;
    endcase
  end

  // Geometry of the next completion of a read.
  logic [CPL_DW_W:0] n_ndw, to_boundary;
  logic [DWW-1:0] n_last;
  always_comb begin
    to_boundary = (CPL_DW_W + 1)'(CPL_DW) - {1'b0, q_dw_q[CPL_DW_W-1:0]};
    n_ndw = ({1'b0, q_ndw_q} < 12'(to_boundary)) ? (CPL_DW_W + 1)'(q_ndw_q) : to_boundary;
    n_last = q_dw_q + DWW'(n_ndw) - 1'b1;
  end

  always_comb begin
    state_d = state_q;
    q_reqid_d = q_reqid_q;
    q_tag_d = q_tag_q;
    q_tc_d = q_tc_q;
    q_attr_d = q_attr_q;
    q_fbe_d = q_fbe_q;
    q_lbe_d = q_lbe_q;
    q_ndw_d = q_ndw_q;
    q_bytes_d = q_bytes_q;
    q_la_d = q_la_q;
    q_dw_d = q_dw_q;
    q_first_d = q_first_q;
    w_beat_d = w_beat_q;
    w_prev_en = 1'b0;
    w_tail_d = w_tail_q;
    c_ndw_d = c_ndw_q;
    c_nb_d = c_nb_q;
    c_nl_d = c_nl_q;
    c_beat_d = c_beat_q;
    c_iss_d = c_iss_q;
    c_line_d = c_line_q;
    c_primed_d = c_primed_q;
    c_inflight_d = c_inflight_q;
    f_pop = 1'b0;

    rx_ready = 1'b0;
    tx_data = c_beat_data;
    tx_sop = 1'b0;
    tx_eop = 1'b0;
    tx_valid = 1'b0;
    cpl_now = 1'b0;
    msi_now = 1'b0;
    refused_now = 1'b0;
    dropped_now = 1'b0;

    unique case (state_q)
      I_HDR: begin
        // Latch the request fields from the header beat (used from the next cycle).
        if (rx_valid && rx_sop) begin
          q_reqid_d = rx_hdr[63:48];
          q_tag_d = rx_hdr[47:40];
          q_tc_d = rx_hdr[22:20];
          q_attr_d = {rx_hdr[18], rx_hdr[13:12]};
          q_fbe_d = h_fbe;
          q_lbe_d = h_lbe;
          q_ndw_d = h_ndw;
          q_dw_d = h_off[DDR_AW-1:2];
          q_first_d = 1'b1;
          q_la_d = h_mem ? {h_addr[6:2], pcie_pkg::be_low(h_fbe)} : 7'd0;
          q_bytes_d = h_mem ? h_bytes : 13'd4;
          w_beat_d = 8'd0;
          w_tail_d = h_tail;
        end
        if (!rx_valid) begin
          // nothing
        end else if (!rx_sop) begin
          rx_ready = 1'b1;                      // the rest of a dropped TLP
        end else if (h_cpl) begin
          rx_ready = 1'b1;
          cpl_now = 1'b1;
        end else if (h_mem && h_data) begin
          if (h_wr_ddr) begin
            rx_ready = m_gnt;                   // its first line is written with it
          end else if (h_msi && !h_ep) begin
            rx_ready = 1'b1;
            msi_now = 1'b1;
          end else begin
            rx_ready = 1'b1;
            dropped_now = 1'b1;
          end
        end else if (h_msg) begin
          rx_ready = 1'b1;                      // messages: nothing to do
        end else if (h_prefix && h_fmt[1]) begin
          rx_ready = 1'b1;                      // prefixed: dropped (posted or not, unknown)
          dropped_now = 1'b1;
        end else if (h_mem && h_in_ddr && !h_cross4k) begin
          rx_ready = 1'b1;                      // a read DDR serves
        end else begin
          rx_ready = 1'b1;
          refused_now = 1'b1;
        end
        if (rx_valid && rx_ready && rx_sop) begin
          if (h_wr_ddr) begin
            w_prev_en = 1'b1;
            w_beat_d = 8'd1;
            if (!rx_eop) state_d = I_WDATA;
            else if (h_tail) state_d = I_WTAIL;
          end else if (!h_cpl && !h_msg && !(h_mem && h_data) && !(h_prefix && h_fmt[1])) begin
            state_d = (h_mem && h_in_ddr && !h_cross4k) ? I_CSTART : I_UR;
          end
        end
      end

      I_WDATA: begin
        rx_ready = m_gnt;
        if (rx_valid && m_gnt) begin
          w_prev_en = 1'b1;
          w_beat_d = w_beat_q + 8'd1;
          if (rx_eop) state_d = w_tail_q ? I_WTAIL : I_HDR;
        end
      end

      I_WTAIL: begin
        if (m_gnt) state_d = I_HDR;
      end

      I_UR: begin
        tx_sop = 1'b1;
        tx_eop = 1'b1;
        tx_valid = 1'b1;
        if (tx_ready) state_d = I_HDR;
      end

      I_CSTART: begin
        c_ndw_d = n_ndw;
        c_nb_d = 5'((n_ndw + (CPL_DW_W + 1)'(BDW - 1)) >> SW);
        c_nl_d = 5'((n_last >> SW) - (q_dw_q >> SW) + 1'b1);
        c_iss_d = 5'((n_last >> SW) - (q_dw_q >> SW) + 1'b1);
        c_line_d = q_dw_q[DWW-1:SW];
        c_beat_d = 5'd0;
        c_primed_d = 1'b0;
        state_d = I_CDATA;
      end

      I_CDATA: begin
        // line reads
        if (m_req && m_gnt) begin
          c_iss_d = c_iss_q - 5'd1;
          c_line_d = c_line_q + 1'b1;
        end
        // beats
        if (!c_primed_q) begin
          if (f_cnt_q != '0) begin
            f_pop = 1'b1;
            c_primed_d = 1'b1;
          end
        end else if (c_beat_q + 5'd1 >= c_nl_q || f_cnt_q != '0) begin
          tx_valid = 1'b1;
          tx_sop = (c_beat_q == 5'd0);
          tx_eop = (c_beat_q + 5'd1 == c_nb_q);
          if (tx_ready) begin
            if (c_beat_q + 5'd1 < c_nl_q) begin
              f_pop = 1'b1;
              end
            c_beat_d = c_beat_q + 5'd1;
            if (c_beat_q + 5'd1 == c_nb_q) begin
              // this completion is out
              q_first_d = 1'b0;
              q_bytes_d = q_bytes_q - (q_first_q ? {4'd0, c_ndw_q, 2'b00} - 13'(pcie_pkg::be_low(q_fbe_q))
                                                 : {4'd0, c_ndw_q, 2'b00});
              q_dw_d = q_dw_q + DWW'(c_ndw_q);
              q_ndw_d = q_ndw_q - 11'(c_ndw_q);
              state_d = (q_ndw_q == 11'(c_ndw_q)) ? I_HDR : I_CSTART;
            end
          end
        end
      end

      default: state_d = I_HDR;
    endcase

    // in-flight line reads
    c_inflight_d = c_inflight_q + FW'(state_q == I_CDATA && m_req && !m_we && m_gnt) - FW'(m_rvalid);
  end

  // read-data FIFO
  always_comb begin
    f_wr_d = f_wr_q;
    f_rd_d = f_rd_q;
    if (m_rvalid) f_wr_d = (32'(f_wr_q) == RD_DEPTH - 1) ? '0 : f_wr_q + 1'b1;
    if (f_pop) f_rd_d = (32'(f_rd_q) == RD_DEPTH - 1) ? '0 : f_rd_q + 1'b1;
    f_cnt_d = f_cnt_q + FW'(m_rvalid) - FW'(f_pop);
  end

  always_ff @(posedge clk) begin
    if (m_rvalid) f_mem_q[f_wr_q] <= m_rdata;
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      state_q <= I_HDR;
      c_inflight_q <= '0;
      f_rd_q <= '0;
      f_wr_q <= '0;
      f_cnt_q <= '0;
    end else begin
      state_q <= state_d;
      c_inflight_q <= c_inflight_d;
      f_rd_q <= f_rd_d;
      f_wr_q <= f_wr_d;
      f_cnt_q <= f_cnt_d;
    end
    q_reqid_q <= q_reqid_d;
    q_tag_q <= q_tag_d;
    q_tc_q <= q_tc_d;
    q_attr_q <= q_attr_d;
    q_fbe_q <= q_fbe_d;
    q_lbe_q <= q_lbe_d;
    q_ndw_q <= q_ndw_d;
    q_bytes_q <= q_bytes_d;
    q_la_q <= q_la_d;
    q_dw_q <= q_dw_d;
    q_first_q <= q_first_d;
    w_beat_q <= w_beat_d;
    if (w_prev_en) w_prev_q <= rx_data;
    w_tail_q <= w_tail_d;
    c_ndw_q <= c_ndw_d;
    c_nb_q <= c_nb_d;
    c_nl_q <= c_nl_d;
    c_beat_q <= c_beat_d;
    c_iss_q <= c_iss_d;
    c_line_q <= c_line_d;
    c_primed_q <= c_primed_d;
    if (f_pop) c_prev_q <= c_next;
  end

  // The header of the completion about to go out.
  always_ff @(posedge clk) begin
    if (state_q == I_HDR && state_d == I_UR)
      tx_hdr_q <= pcie_pkg::cpl_header(pcie_pkg::CPL_UR, 1'b0, 10'd0, q_bytes_d[11:0], q_la_d, q_tc_d, q_attr_d,
                             rid, q_reqid_d, q_tag_d);
    else if (state_q == I_CSTART)
      tx_hdr_q <= pcie_pkg::cpl_header(pcie_pkg::CPL_SC, 1'b1, 10'(n_ndw), q_bytes_q[11:0],
                             q_first_q ? q_la_q : {q_dw_q[4:0], 2'b00}, q_tc_q, q_attr_q,
                             rid, q_reqid_q, q_tag_q);
  end
  assign tx_hdr = tx_hdr_q;

  // Completions and events leave through registers, one cycle later: the
  // blocks that take them never depend on the link within a cycle.
  always_ff @(posedge clk) begin
    if (rst) begin
      cpl_valid <= 1'b0;
      msi_valid <= 1'b0;
      ev_refused <= 1'b0;
      ev_dropped <= 1'b0;
    end else begin
      cpl_valid <= cpl_now && rx_valid;
      msi_valid <= msi_now && rx_valid;
      ev_refused <= refused_now && rx_valid;
      ev_dropped <= dropped_now && rx_valid;
    end
    if (cpl_now) begin
      cpl_hdr <= rx_hdr;
      cpl_data0 <= rx_data[31:0];
    end
    if (msi_now) msi_data <= rx_data[31:0];
    if (refused_now || dropped_now) ev_addr <= h_addr;
  end
endmodule
