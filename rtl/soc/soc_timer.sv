`default_nettype none
// soc_timer: RISC-V machine timer (mtime, mtimecmp) and the software
// interrupt bit. Clock domain: clk; mtime counts clock cycles. Registers are
// 32-bit halves; software reads a 64-bit value with the usual hi-lo-hi loop.
module soc_timer (
  input  wire logic        clk,
  input  wire logic        rst,

  // --- register bus ---
  input  wire logic        req,
  input  wire logic        we,
  input  wire logic [11:0] addr,
  input  wire logic [31:0] wdata,
  input  wire logic [3:0]  be,
  output logic [31:0] rdata,

  // --- interrupts ---
  output logic        irq_timer,
  output logic        irq_software
);
  logic [63:0] mtime_q, mtime_d;
  logic [63:0] mtimecmp_q, mtimecmp_d;
  logic        msip_q, msip_d;
  logic [31:0] rdata_q, rdata_d;
  logic [31:0] wmask;

  assign wmask = {{8{be[3]}}, {8{be[2]}}, {8{be[1]}}, {8{be[0]}}};

  always_comb begin
    mtime_d = mtime_q + 64'd1;
    mtimecmp_d = mtimecmp_q;
    msip_d = msip_q;
    rdata_d = 32'd0;
    if (req && we) begin
      unique case (addr)
        soc_map_pkg::TIMER_MTIME_LO:    mtime_d[31:0] = (mtime_q[31:0] & ~wmask) | (wdata & wmask);
        soc_map_pkg::TIMER_MTIME_HI:    mtime_d[63:32] = (mtime_q[63:32] & ~wmask) | (wdata & wmask);
        soc_map_pkg::TIMER_MTIMECMP_LO: mtimecmp_d[31:0] = (mtimecmp_q[31:0] & ~wmask) | (wdata & wmask);
        soc_map_pkg::TIMER_MTIMECMP_HI: mtimecmp_d[63:32] = (mtimecmp_q[63:32] & ~wmask) | (wdata & wmask);
        soc_map_pkg::TIMER_MSIP:        if (be[0]) msip_d = wdata[0];
        default: ;
      endcase
    end else if (req) begin
      unique case (addr)
        soc_map_pkg::TIMER_MTIME_LO:    rdata_d = mtime_q[31:0];
        soc_map_pkg::TIMER_MTIME_HI:    rdata_d = mtime_q[63:32];
        soc_map_pkg::TIMER_MTIMECMP_LO: rdata_d = mtimecmp_q[31:0];
        soc_map_pkg::TIMER_MTIMECMP_HI: rdata_d = mtimecmp_q[63:32];
        soc_map_pkg::TIMER_MSIP:        rdata_d = {31'd0, msip_q};
        default: ;
      endcase
    end
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      mtime_q <= 64'd0;
      mtimecmp_q <= 64'hffff_ffff_ffff_ffff;
      msip_q <= 1'b0;
    end else begin
      mtime_q <= mtime_d;
      mtimecmp_q <= mtimecmp_d;
      msip_q <= msip_d;
    end
    rdata_q <= rdata_d;
  end

  assign rdata = rdata_q;
  assign irq_timer = (mtime_q >= mtimecmp_q);
  assign irq_software = msip_q;
endmodule
