`default_nettype none
// dma_regs: the firmware's registers of the DMA engine (DMA region of the SoC
// map): transfer parameters, start, status. Clock domain: clk.
// LOCAL names the local side by its address in the core's map: DMABUF, DDR
// or DAXWIN. The block turns it into a DMABUF offset (cmd_card low) or a card
// memory byte address (cmd_card high: DDR offset o is card memory o, DAXWIN
// offset o is WIN_OFF + o, as card_top maps them for the core), and refuses
// (result BADARG, no command) a transfer that does not lie within one of
// them. Interfaces: firmware register port (reads combinational), the
// engine's command and done signals.
//
// Two commands may be started before the first is done (STATUS.FULL says
// when a START would be ignored): the second waits here and goes to the
// engine the cycle the first ends, or at once when both read host memory
// into DMABUF (the engine then has both reads in flight, and reports them
// done in order). RESULT keeps an error until STATUS has been read with
// BUSY = 0, so a failed command is not hidden by a later one that went
// well.
module dma_regs #(
  parameter int CARD_AW = 31,            // card memory byte-address bits (the engine's local address)
  parameter int WIN_LOG2 = 30,           // DAX window size, log2 bytes
  parameter logic [31:0] WIN_OFF = 32'h4000_0000  // card memory address of DAXWIN offset 0
) (
  input  wire logic        clk,
  input  wire logic        rst,

  // --- firmware port ---
  input  wire logic        req,
  input  wire logic        we,
  input  wire logic [11:0] addr,
  input  wire logic [31:0] wdata,
  output logic [31:0] rdata,

  // --- engine ---
  output logic        cmd_valid,
  input  wire logic        cmd_ready,
  output logic        cmd_write,
  output logic [63:0] cmd_host,
  output logic        cmd_card,        // 1: card memory, 0: DMABUF
  output logic [CARD_AW-1:0] cmd_local,
  output logic [24:0] cmd_len,
  output logic        flush,
  input  wire logic        abort,          // function reset: no command runs (a running one ends)
  input  wire logic        done_valid,
  input  wire logic [soc_map_pkg::DMA_RESULT_W-1:0] done_status,
  input  wire logic [31:0] unexpected
);
  // Registers, their fields and the result codes (DMA_RESULT_*): soc_map_pkg.
  localparam int RES_W = soc_map_pkg::DMA_RESULT_W;
  localparam int DONE_W = soc_map_pkg::DMA_STATUS_DONE_W;
  localparam logic [32:0] WIN_BYTES = 33'd1 << WIN_LOG2;

  initial begin
    if (CARD_AW < 16 || CARD_AW > 31) $error("dma_regs: CARD_AW out of range");
    if (64'(WIN_OFF) + (64'd1 << WIN_LOG2) > (64'd1 << CARD_AW)) $error("dma_regs: DAX window beyond card memory");
    if (64'(soc_map_pkg::DDR_SIZE) > 64'(WIN_OFF)) $error("dma_regs: DDR region overlaps the window");
  end

  logic [63:0] host_q;
  logic [31:0] local_q;
  logic        in_buf, in_ddr, in_win, fits, card_q;
  logic [31:0] off;                    // LOCAL's offset within its region
  logic [32:0] end_off;                // ... and where the transfer would end
  logic [CARD_AW-1:0] card_addr_q;

  always_comb begin
    in_buf = (local_q & ~(soc_map_pkg::DMABUF_SIZE - 32'd1)) == soc_map_pkg::DMABUF_BASE;
    in_ddr = (local_q & ~(soc_map_pkg::DDR_SIZE - 32'd1)) == soc_map_pkg::DDR_BASE;
    in_win = (local_q & ~(soc_map_pkg::DAXWIN_SIZE - 32'd1)) == soc_map_pkg::DAXWIN_BASE;
    off = in_buf ? (local_q & (soc_map_pkg::DMABUF_SIZE - 32'd1))
        : in_ddr ? (local_q & (soc_map_pkg::DDR_SIZE - 32'd1))
        : (local_q & (soc_map_pkg::DAXWIN_SIZE - 32'd1));
    end_off = {1'b0, off} + 33'(len_q);
    fits = in_buf ? (end_off <= 33'(soc_map_pkg::DMABUF_SIZE))
         : in_ddr ? (end_off <= 33'(soc_map_pkg::DDR_SIZE))
         : in_win && end_off <= WIN_BYTES;
  end
  logic [24:0] len_q;
  // The command presented to the engine (pending_q) or last taken by it;
  // HOST, LOCAL and LEN may be written for the next one meanwhile.
  logic [63:0] cmd_host_q;
  logic [24:0] cmd_len_q;
  logic        write_q, pending_q;
  // The command started behind it, waiting for its turn.
  logic        nxt_v_q, nxt_write_q, nxt_card_q;
  logic [63:0] nxt_host_q;
  logic [24:0] nxt_len_q;
  logic [CARD_AW-1:0] nxt_addr_q;
  logic [1:0]  eng_n_q;                // commands the engine took and has not finished
  logic [1:0]  nout;                   // commands started and not done
  logic        seen_q;                 // STATUS read with BUSY = 0 since the last result
  logic [RES_W-1:0] status_q;
  logic [DONE_W-1:0] done_count_q;
  logic        start, overlap;

  assign nout = eng_n_q + 2'(pending_q) + 2'(nxt_v_q);
  assign start = req && we && addr == soc_map_pkg::DMA_CTRL && wdata[soc_map_pkg::DMA_CTRL_START_LSB] &&
                 nout != 2'd2;
  // The queued command may join the running one in the engine: both read
  // host memory into DMABUF (the local-side routing of vfs_pcie and the
  // card port follow one command at a time).
  assign overlap = !nxt_write_q && !nxt_card_q && !write_q && !card_q;

  always_comb begin
    rdata = 32'd0;
    unique case (addr)
      soc_map_pkg::DMA_HOST_LO:    rdata = host_q[31:0];
      soc_map_pkg::DMA_HOST_HI:    rdata = host_q[63:32];
      soc_map_pkg::DMA_LOCAL:      rdata = local_q;
      soc_map_pkg::DMA_LEN:        rdata = 32'(len_q);
      soc_map_pkg::DMA_STATUS: begin
        rdata[soc_map_pkg::DMA_STATUS_BUSY_LSB] = nout != 2'd0;
        rdata[soc_map_pkg::DMA_STATUS_FULL_LSB] = nout == 2'd2;
        rdata[soc_map_pkg::DMA_STATUS_RESULT_LSB +: soc_map_pkg::DMA_STATUS_RESULT_W] = status_q;
        rdata[soc_map_pkg::DMA_STATUS_DONE_LSB +: DONE_W] = done_count_q;
      end
      soc_map_pkg::DMA_UNEXPECTED: rdata = unexpected;
      default: ;
    endcase
  end

  // A command's end (or a START refused for its arguments) sets RESULT,
  // unless an error nobody has looked at yet is there. ABORTED is not
  // kept: the reset that caused it ended every command before it.
  function automatic logic [RES_W-1:0] result_after(input logic [RES_W-1:0] cur, input logic seen,
                                                    input logic [RES_W-1:0] res);
    result_after = (cur != soc_map_pkg::DMA_RESULT_OK && cur != soc_map_pkg::DMA_RESULT_ABORTED && !seen) ? cur : res;
  endfunction

  always_ff @(posedge clk) begin
    if (rst) begin
      host_q <= 64'd0;
      local_q <= 32'd0;
      card_q <= 1'b0;
      card_addr_q <= '0;
      len_q <= 25'd0;
      cmd_host_q <= 64'd0;
      cmd_len_q <= 25'd0;
      write_q <= 1'b0;
      pending_q <= 1'b0;
      nxt_v_q <= 1'b0;
      nxt_write_q <= 1'b0;
      nxt_card_q <= 1'b0;
      nxt_host_q <= 64'd0;
      nxt_len_q <= 25'd0;
      nxt_addr_q <= '0;
      eng_n_q <= 2'd0;
      seen_q <= 1'b1;
      status_q <= soc_map_pkg::DMA_STATUS_RESULT_RESET;
      done_count_q <= soc_map_pkg::DMA_STATUS_DONE_RESET;
    end else begin
      // HOST, LOCAL and LEN are copied when a transfer starts: they may be
      // set for the next transfer while one runs.
      if (req && we) begin
        unique case (addr)
          soc_map_pkg::DMA_HOST_LO: host_q[31:0] <= wdata;
          soc_map_pkg::DMA_HOST_HI: host_q[63:32] <= wdata;
          soc_map_pkg::DMA_LOCAL:   local_q <= wdata;
          soc_map_pkg::DMA_LEN:     len_q <= (wdata > 32'h00ff_ffff) ? 25'h1ff_ffff : wdata[24:0];
          default: ;
        endcase
      end
      if (req && !we && addr == soc_map_pkg::DMA_STATUS && nout == 2'd0) seen_q <= 1'b1;

      // The engine takes the presented command; the queued one is presented
      // when the engine is free, or beside a running read it may join.
      if (pending_q && cmd_ready) pending_q <= 1'b0;
      if (nxt_v_q && !(pending_q && !cmd_ready) &&
          (eng_n_q - 2'(done_valid) + 2'(pending_q) == 2'd0 ||
           (eng_n_q - 2'(done_valid) + 2'(pending_q) == 2'd1 && overlap))) begin
        write_q <= nxt_write_q;
        card_q <= nxt_card_q;
        card_addr_q <= nxt_addr_q;
        cmd_host_q <= nxt_host_q;
        cmd_len_q <= nxt_len_q;
        pending_q <= 1'b1;
        nxt_v_q <= 1'b0;
      end

      if (start) begin
        if (!fits) begin
          status_q <= result_after(status_q, seen_q, soc_map_pkg::DMA_RESULT_BADARG);
          seen_q <= 1'b0;
          done_count_q <= done_count_q + DONE_W'(1);
        end else if (nout == 2'd0) begin
          write_q <= wdata[soc_map_pkg::DMA_CTRL_TO_HOST_LSB];
          cmd_host_q <= host_q;
          cmd_len_q <= len_q;
          card_q <= !in_buf;
          card_addr_q <= in_win ? CARD_AW'(WIN_OFF + off) : CARD_AW'(off);
          pending_q <= 1'b1;
        end else begin
          nxt_write_q <= wdata[soc_map_pkg::DMA_CTRL_TO_HOST_LSB];
          nxt_host_q <= host_q;
          nxt_len_q <= len_q;
          nxt_card_q <= !in_buf;
          nxt_addr_q <= in_win ? CARD_AW'(WIN_OFF + off) : CARD_AW'(off);
          nxt_v_q <= 1'b1;
        end
      end
      eng_n_q <= eng_n_q + 2'(pending_q && cmd_ready) - 2'(done_valid);
      if (done_valid) begin
        status_q <= result_after(status_q, seen_q, done_status);
        seen_q <= 1'b0;
        done_count_q <= done_count_q + DONE_W'(1);
      end
      if (abort && (nout != 2'd0 || start)) begin
        pending_q <= 1'b0;
        nxt_v_q <= 1'b0;
        eng_n_q <= 2'd0;
        status_q <= soc_map_pkg::DMA_RESULT_ABORTED;  // the function was reset mid-command
        seen_q <= 1'b0;
        done_count_q <= done_count_q + DONE_W'(1);
      end
    end
  end

  assign cmd_valid = pending_q && !abort;
  assign cmd_write = write_q;
  assign cmd_host = cmd_host_q;
  assign cmd_card = card_q;
  assign cmd_local = card_addr_q;
  assign cmd_len = cmd_len_q;
  assign flush = req && we && addr == soc_map_pkg::DMA_CTRL && wdata[soc_map_pkg::DMA_CTRL_FORGET_LSB] && nout == 2'd0;
endmodule
