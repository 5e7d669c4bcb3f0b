`default_nettype none
// brd_async_fifo: a dual-clock FIFO with first-word-fall-through output.
// Clock domains: wr_clk (write side, wr_rst) and rd_clk (read side, rd_rst);
// both resets must be raised together (brd_reset_sync from one request).
//
// Pointers cross as Gray codes through brd_sync. With PACKET = 1 the write
// side publishes entries only at the end of a packet (wr_last): a packet
// written with wr_drop on its last entry is discarded whole, and a packet
// that would not fit in the FIFO is discarded too (its remaining entries are
// taken and dropped), so the reader never sees part of a packet. `dropped`
// pulses once per discarded packet.
//
// wr_free counts the entries the writer may still write for sure; a writer
// whose data can not wait (a DDR controller's read data) takes credits from
// it. The memory has a registered read port (block or distributed RAM).
module brd_async_fifo #(
  parameter int W = 32,         // entry width
  parameter int AW = 4,         // log2 of the depth
  parameter bit PACKET = 1'b0   // 1: publish whole packets only (wr_last, wr_drop)
) (
  // --- write side ---
  input  wire logic         wr_clk,
  input  wire logic         wr_rst,
  input  wire logic [W-1:0] wr_data,
  input  wire logic         wr_last,    // PACKET: last entry of a packet
  input  wire logic         wr_drop,    // PACKET: with wr_last, discard the packet
  input  wire logic         wr_valid,
  output logic         wr_ready,
  output logic [AW:0]  wr_free,    // entries surely free (the reader may have freed more)
  output logic         dropped,

  // --- read side ---
  input  wire logic         rd_clk,
  input  wire logic         rd_rst,
  output logic [W-1:0] rd_data,
  output logic         rd_valid,
  input  wire logic         rd_ready
);
  localparam int PW = AW + 1;                 // pointer width (wrap bit)
  localparam logic [PW-1:0] DEPTH = PW'(1) << AW;

  initial begin
    if (W < 1) $error("brd_async_fifo: W must be at least 1");
    if (AW < 2 || AW > 12) $error("brd_async_fifo: AW must be 2..12");
  end

  function automatic logic [PW-1:0] bin2gray(input logic [PW-1:0] b);
    bin2gray = b ^ (b >> 1);
  endfunction
  function automatic logic [PW-1:0] gray2bin(input logic [PW-1:0] g);
    logic [PW-1:0] b;
    b[PW-1] = g[PW-1];
    for (int i = PW - 2; i >= 0; i--) b[i] = b[i + 1] ^ g[i];
    gray2bin = b;
  endfunction

  logic [W-1:0] mem [1 << AW];

  logic [PW-1:0] wptr_q, wptr_d;       // next entry to write (speculative in PACKET mode)
  logic [PW-1:0] wcommit_q, wcommit_d; // published write pointer
  logic [PW-1:0] wgray_q;
  logic [PW-1:0] rgray_s, rptr_w;      // read pointer seen from the write side
  logic          wdrain_q, wdrain_d;   // PACKET: discarding the rest of an oversized packet
  logic          full, overflow, wr_fire;
  logic          dropped_q, dropped_d;

  logic [PW-1:0] rptr_q, rptr_d;       // next entry to read from memory
  logic [PW-1:0] rgray_q;
  logic [PW-1:0] wgray_s, wptr_r;      // write pointer seen from the read side
  logic          empty, load;
  logic          out_valid_q, out_valid_d;
  logic [W-1:0]  out_data_q;

  // ---------------------------------------------------------------- write side
  brd_sync #(
    .W      (PW),
    .STAGES (2)
  ) u_rptr_sync (
    .clk (wr_clk),
    .d   (rgray_q),
    .q   (rgray_s)
  );

  assign rptr_w = gray2bin(rgray_s);
  assign full = (wptr_q - rptr_w) == DEPTH;
  assign wr_free = DEPTH - (wptr_q - rptr_w);
  // A packet that fills the whole FIFO can never be published: drop it.
  assign overflow = PACKET && full && (wptr_q - wcommit_q) == DEPTH;
  assign wr_ready = wdrain_q || !full || overflow;
  assign wr_fire = wr_valid && !wdrain_q && !full;

  always_comb begin
    wptr_d = wptr_q;
    wcommit_d = wcommit_q;
    wdrain_d = wdrain_q;
    dropped_d = 1'b0;
    if (!PACKET) begin
      if (wr_fire) wptr_d = wptr_q + PW'(1);
      wcommit_d = wptr_d;
    end else if (wdrain_q) begin
      if (wr_valid && wr_last) wdrain_d = 1'b0;
    end else if (wr_valid && overflow) begin
      wptr_d = wcommit_q;
      dropped_d = 1'b1;
      wdrain_d = !wr_last;
    end else if (wr_fire) begin
      if (wr_last && wr_drop) begin
        wptr_d = wcommit_q;
        dropped_d = 1'b1;
      end else begin
        wptr_d = wptr_q + PW'(1);
        if (wr_last) wcommit_d = wptr_d;
      end
    end
  end

  always_ff @(posedge wr_clk) begin
    if (wr_fire) mem[wptr_q[AW-1:0]] <= wr_data;
  end

  always_ff @(posedge wr_clk) begin
    if (wr_rst) begin
      wptr_q <= '0;
      wcommit_q <= '0;
      wgray_q <= '0;
      wdrain_q <= 1'b0;
      dropped_q <= 1'b0;
    end else begin
      wptr_q <= wptr_d;
      wcommit_q <= wcommit_d;
      wgray_q <= bin2gray(wcommit_d);
      wdrain_q <= wdrain_d;
      dropped_q <= dropped_d;
    end
  end

  assign dropped = dropped_q;

  // ---------------------------------------------------------------- read side
  brd_sync #(
    .W      (PW),
    .STAGES (2)
  ) u_wptr_sync (
    .clk (rd_clk),
    .d   (wgray_q),
    .q   (wgray_s)
  );

  assign wptr_r = gray2bin(wgray_s);
  assign empty = (rptr_q == wptr_r);
  // The output register takes the next entry when it is empty or being read.
  assign load = !empty && (!out_valid_q || rd_ready);

  always_comb begin
    rptr_d = rptr_q;
    out_valid_d = out_valid_q;
    if (load) begin
      rptr_d = rptr_q + PW'(1);
      out_valid_d = 1'b1;
    end else if (rd_ready) begin
      out_valid_d = 1'b0;
    end
  end

  always_ff @(posedge rd_clk) begin
    if (load) out_data_q <= mem[rptr_q[AW-1:0]];
  end

  always_ff @(posedge rd_clk) begin
    if (rd_rst) begin
      rptr_q <= '0;
      rgray_q <= '0;
      out_valid_q <= 1'b0;
    end else begin
      rptr_q <= rptr_d;
      rgray_q <= bin2gray(rptr_d);
      out_valid_q <= out_valid_d;
    end
  end

  assign rd_data = out_data_q;
  assign rd_valid = out_valid_q;
endmodule
