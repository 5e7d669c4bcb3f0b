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
  input  wire logic [2:0]  done_status,
  input  wire logic [31:0] unexpected
);
  localparam logic [2:0] ST_ABORTED = 3'd6;  // the function was reset mid-command

  logic [63:0] host_q;
  logic [LOCAL_AW-1:0] local_q;
  logic [24:0] len_q;
  logic        write_q, pending_q, busy_q;
  logic [2:0]  status_q;
  logic [15:0] done_count_q;

  always_comb begin
    rdata = 32'd0;
    unique case (addr)
      soc_map_pkg::DMA_HOST_LO:    rdata = host_q[31:0];
      soc_map_pkg::DMA_HOST_HI:    rdata = host_q[63:32];
      soc_map_pkg::DMA_LOCAL:      rdata = 32'(local_q);
      soc_map_pkg::DMA_LEN:        rdata = 32'(len_q);
      soc_map_pkg::DMA_STATUS:     rdata = {done_count_q, 9'd0, status_q, 3'd0, busy_q};
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
      status_q <= 3'd0;
      done_count_q <= 16'd0;
    end else begin
      if (req && we && !busy_q) begin
        unique case (addr)
          soc_map_pkg::DMA_HOST_LO: host_q[31:0] <= wdata;
          soc_map_pkg::DMA_HOST_HI: host_q[63:32] <= wdata;
          soc_map_pkg::DMA_LOCAL:   local_q <= wdata[LOCAL_AW-1:0];
          soc_map_pkg::DMA_LEN:     len_q <= (wdata > 32'h00ff_ffff) ? 25'h1ff_ffff : wdata[24:0];
          soc_map_pkg::DMA_CTRL: if (wdata[0]) begin
            write_q <= wdata[1];
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
        done_count_q <= done_count_q + 16'd1;
      end
      if (abort && (busy_q || (req && we && addr == soc_map_pkg::DMA_CTRL && wdata[0]))) begin
        busy_q <= 1'b0;
        pending_q <= 1'b0;
        status_q <= ST_ABORTED;
        done_count_q <= done_count_q + 16'd1;
      end
    end
  end

  assign cmd_valid = pending_q && !abort;
  assign cmd_write = write_q;
  assign cmd_host = host_q;
  assign cmd_local = local_q;
  assign cmd_len = len_q;
  assign flush = req && we && addr == soc_map_pkg::DMA_CTRL && wdata[2] && !busy_q;
endmodule
