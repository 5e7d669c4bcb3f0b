`default_nettype none
// dma_regs: the firmware's registers of the DMA engine (DMA region of the SoC
// map): transfer parameters, start, status. Clock domain: clk.
// Interfaces: firmware register port (reads combinational), the engine's
// command and done signals.
module dma_regs #(
  parameter int LOCAL_AW = 16  // DMA buffer byte-address bits
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
  output logic [LOCAL_AW-1:0] cmd_local,
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

  logic [63:0] host_q;
  logic [LOCAL_AW-1:0] local_q;
  logic [24:0] len_q;
  logic        write_q, pending_q, busy_q;
  logic [RES_W-1:0] status_q;
  logic [DONE_W-1:0] done_count_q;

  always_comb begin
    rdata = 32'd0;
    unique case (addr)
      soc_map_pkg::DMA_HOST_LO:    rdata = host_q[31:0];
      soc_map_pkg::DMA_HOST_HI:    rdata = host_q[63:32];
      soc_map_pkg::DMA_LOCAL:      rdata = 32'(local_q);
      soc_map_pkg::DMA_LEN:        rdata = 32'(len_q);
      soc_map_pkg::DMA_STATUS: begin
        rdata[soc_map_pkg::DMA_STATUS_BUSY_LSB] = busy_q;
        rdata[soc_map_pkg::DMA_STATUS_RESULT_LSB +: soc_map_pkg::DMA_STATUS_RESULT_W] = status_q;
        rdata[soc_map_pkg::DMA_STATUS_DONE_LSB +: DONE_W] = done_count_q;
      end
      soc_map_pkg::DMA_UNEXPECTED: rdata = unexpected;
      default: ;
    endcase
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      host_q <= 64'd0;
      local_q <= '0;
      len_q <= 25'd0;
      write_q <= 1'b0;
      pending_q <= 1'b0;
      busy_q <= 1'b0;
      status_q <= soc_map_pkg::DMA_STATUS_RESULT_RESET;
      done_count_q <= soc_map_pkg::DMA_STATUS_DONE_RESET;
    end else begin
      if (req && we && !busy_q) begin
        unique case (addr)
          soc_map_pkg::DMA_HOST_LO: host_q[31:0] <= wdata;
          soc_map_pkg::DMA_HOST_HI: host_q[63:32] <= wdata;
          soc_map_pkg::DMA_LOCAL:   local_q <= wdata[LOCAL_AW-1:0];
          soc_map_pkg::DMA_LEN:     len_q <= (wdata > 32'h00ff_ffff) ? 25'h1ff_ffff : wdata[24:0];
          soc_map_pkg::DMA_CTRL: if (wdata[soc_map_pkg::DMA_CTRL_START_LSB]) begin
            write_q <= wdata[soc_map_pkg::DMA_CTRL_TO_HOST_LSB];
            pending_q <= 1'b1;
            busy_q <= 1'b1;
          end
          default: ;
        endcase
      end
      if (pending_q && cmd_ready) pending_q <= 1'b0;
      if (done_valid) begin
        busy_q <= 1'b0;
        status_q <= done_status;
        done_count_q <= done_count_q + DONE_W'(1);
      end
      if (abort && (busy_q || (req && we && addr == soc_map_pkg::DMA_CTRL &&
                               wdata[soc_map_pkg::DMA_CTRL_START_LSB]))) begin
        busy_q <= 1'b0;
        pending_q <= 1'b0;
        status_q <= soc_map_pkg::DMA_RESULT_ABORTED;  // the function was reset mid-command
        done_count_q <= done_count_q + DONE_W'(1);
      end
    end
  end

  assign cmd_valid = pending_q && !abort;
  assign cmd_write = write_q;
  assign cmd_host = host_q;
  assign cmd_local = local_q;
  assign cmd_len = len_q;
  assign flush = req && we && addr == soc_map_pkg::DMA_CTRL && wdata[soc_map_pkg::DMA_CTRL_FORGET_LSB] && !busy_q;
endmodule
