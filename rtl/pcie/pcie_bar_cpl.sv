`default_nettype none
// pcie_bar_cpl: the completions of BAR2 memory reads. Clock domain: clk.
//
// pcie_ep hands over each BAR2 read it accepts as a descriptor, in the order
// it passes the reads to the memory side (the DAX window); the memory side
// returns, in the same order, the lines each read covers: from the line of
// its first DW on, ceil((lane of the first DW + DWs) / lanes per line) lines.
// This block rotates the lines into payload order and sends CplD TLPs of at
// most Max_Payload_Size bytes, split at MPS-aligned addresses (so every
// completion but the last ends on a read completion boundary, 64 or 128
// bytes), with byte count and lower address as the PCIe rules for split
// completions say. After a read's first line is in, one payload beat per cycle.
//
// A read never crosses a 4 KiB boundary (pcie_ep refuses those), so the
// address arithmetic is 12 bits plus a carry.
//
// Interfaces: descriptor push (valid/ready), line stream (valid/ready), TLP
// stream to the host (generic TLP stream, docs/pcie-function.md).
module pcie_bar_cpl #(
  parameter int DATA_W = 256,   // TLP stream payload width = line width
  parameter int DESCS = 8       // reads accepted and not yet completed (power of two)
) (
  input  wire logic        clk,
  input  wire logic        rst,

  // --- reads accepted by pcie_ep ---
  input  wire logic        d_valid,
  output logic             d_ready,
  input  wire logic [23:0] d_rid_tag,   // the request's requester ID and tag
  input  wire logic [5:0]  d_tc_attr,   // its TC, attr[2], attr[1:0] (header bits 22:20, 18, 13:12)
  input  wire logic [9:0]  d_len,       // its length field (0: 1024 DWs)
  input  wire logic [11:2] d_addr,      // low bits of its address
  input  wire logic [11:0] d_bytes,     // its byte count (PCIe rules; 0: 4096)
  input  wire logic [1:0]  d_low,       // byte offset of its first enabled byte

  // --- lines of the reads, in order ---
  input  wire logic              l_valid,
  output logic                   l_ready,
  input  wire logic [DATA_W-1:0] l_data,

  // --- completions to the host ---
  output logic [127:0]      tx_tlp_hdr,
  output logic [DATA_W-1:0] tx_tlp_data,
  output logic              tx_tlp_sop,
  output logic              tx_tlp_eop,
  output logic              tx_tlp_valid,
  input  wire logic         tx_tlp_ready,

  input  wire logic [15:0] completer_id,
  input  wire logic [2:0]  max_payload    // Device Control MPS: 128 << value bytes
);
  localparam int DWS = DATA_W / 32;         // DWs (lanes) per line
  localparam int LW = $clog2(DWS);          // lane bits
  localparam int QW = $clog2(DESCS);

  initial begin
    if (DESCS < 2 || (DESCS & (DESCS - 1)) != 0) $error("pcie_bar_cpl: DESCS must be a power of two >= 2");
  end

  // ------------------------------------------------------- descriptor FIFO
  logic [63:0]  q_mem [0:DESCS-1];   // {low, bytes, addr[11:2], requester ID + tag, TC, attrs, length}
  logic [QW:0]  q_wr, q_rd;
  logic         q_empty, q_pop;
  logic [63:0]  q_head;

  assign d_ready = (q_wr - q_rd) != (QW + 1)'(DESCS);
  assign q_empty = q_wr == q_rd;
  assign q_head = q_mem[q_rd[QW-1:0]];

  always_ff @(posedge clk) begin
    if (d_valid && d_ready) q_mem[q_wr[QW-1:0]] <= {d_low, d_bytes, d_addr, d_rid_tag, d_tc_attr, d_len};
    if (rst) begin
      q_wr <= '0;
      q_rd <= '0;
    end else begin
      if (d_valid && d_ready) q_wr <= q_wr + 1'b1;
      if (q_pop) q_rd <= q_rd + 1'b1;
    end
  end

  // ------------------------------------------------------- the read being completed
  logic          active_q;
  logic [23:0]   rid_tag_q;            // requester ID and tag of the request
  logic [5:0]    tc_attr_q;            // its TC, attr[2], attr[1:0]
  logic [1:0]    low_q;                // byte offset of the first enabled byte
  logic [12:0]   addr_q;               // byte address of the next DW to send (DW aligned)
  logic [10:0]   rem_q;                // DWs of the read still to send (1..1024)
  logic [12:0]   bytes_q;              // byte count still to complete
  logic          first_q;              // the next completion is the read's first
  logic [10:0]   left_q;               // DWs left in the completion being sent, 0: none started
  logic [DATA_W-1:0] cur_q;            // the line holding the next DW
  logic          cur_valid_q;

  // Completion about to start: its DWs, byte count, lower address.
  logic [10:0] to_boundary, n_new, left, use_dw;
  logic [LW-1:0] r;                    // lane of the next DW
  logic        sop, need_next, can, fire, last_of_cpl, last_of_read;
  logic [11:0] cpl_bytes;
  logic [6:0]  cpl_lower;

  always_comb begin
    logic [12:0] m;
    m = (max_payload == 3'd0) ? 13'd128 : 13'd256;      // 256 bytes supported (pcie_cfg clamps)
    to_boundary = 11'((m - (addr_q & (m - 13'd1))) >> 2);
    n_new = (rem_q < to_boundary) ? rem_q : to_boundary;
    sop = left_q == 11'd0;
    left = sop ? n_new : left_q;
    use_dw = (left < 11'(DWS)) ? left : 11'(DWS);
    r = addr_q[LW+1:2];
    need_next = 12'(r) + 12'(use_dw) > 12'(DWS);
    can = active_q && cur_valid_q && (!need_next || l_valid);
    last_of_cpl = left == use_dw;
    last_of_read = rem_q == use_dw;
    cpl_bytes = bytes_q[11:0];           // 4096 encodes as 0
    cpl_lower = {addr_q[6:2], first_q ? low_q : 2'b00};
  end
  assign fire = can && tx_tlp_ready;

  // The beat: lanes r.. of the current line, then lanes of the next.
  always_comb begin
    tx_tlp_data = '0;
    for (int i = 0; i < DWS; i++) begin
      if (32'(i) + 32'(r) >= 32'(DWS)) tx_tlp_data[32 * i +: 32] = l_data[32 * (32'(i) + 32'(r) - 32'(DWS)) +: 32];
      else tx_tlp_data[32 * i +: 32] = cur_q[32 * (32'(i) + 32'(r)) +: 32];
    end
  end

  always_comb begin
    tx_tlp_hdr = pcie_pkg::cpl_header(pcie_pkg::CPL_SC, 1'b1, left[9:0], cpl_bytes, cpl_lower,
                                      tc_attr_q[5:3], tc_attr_q[2:0], completer_id, rid_tag_q[23:8],
                                      rid_tag_q[7:0]);
    tx_tlp_sop = sop;
    tx_tlp_eop = last_of_cpl;
    tx_tlp_valid = can;
  end

  // Lines: the first of a read into cur; then cur moves on whenever a beat
  // used the next line, or used cur up to its last lane with more to come.
  logic take_line;
  always_comb begin
    take_line = 1'b0;
    q_pop = !q_empty && (!active_q || (fire && last_of_read));
    if (active_q && !cur_valid_q) take_line = l_valid;
    else if (fire && need_next) take_line = 1'b1;
    else if (fire && 12'(r) + 12'(use_dw) == 12'(DWS) && !last_of_read) take_line = l_valid;
    l_ready = take_line;
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      active_q <= 1'b0;
      cur_valid_q <= 1'b0;
      left_q <= '0;
    end else begin
      if (take_line) cur_q <= l_data;
      // (a read's last beat may take its last line only to finish with it)
      if (fire && last_of_read) cur_valid_q <= 1'b0;
      else if (take_line) cur_valid_q <= 1'b1;
      else if (fire && 12'(r) + 12'(use_dw) == 12'(DWS)) cur_valid_q <= 1'b0;
      if (fire) begin
        addr_q <= addr_q + {use_dw, 2'b00};
        rem_q <= rem_q - use_dw;
        left_q <= left - use_dw;
        if (sop) begin
          // the header is out: what the next completion's byte count will be
          first_q <= 1'b0;
          bytes_q <= bytes_q - ({n_new, 2'b00} - (first_q ? 13'(low_q) : 13'd0));
        end
        if (last_of_read) active_q <= 1'b0;
      end
      // the next read's descriptor (in the cycle the last one finishes, too)
      if (q_pop) begin
        active_q <= 1'b1;
        rid_tag_q <= q_head[39:16];
        tc_attr_q <= q_head[15:10];
        addr_q <= {1'b0, q_head[49:40], 2'b00};
        rem_q <= (q_head[9:0] == 10'd0) ? 11'd1024 : {1'b0, q_head[9:0]};
        bytes_q <= {q_head[61:50] == 12'd0, q_head[61:50]};
        low_q <= q_head[63:62];
        first_q <= 1'b1;
        left_q <= '0;
      end
    end
  end
endmodule
