`default_nettype none
// sim_ddr: behavioural card memory for simulation only (never synthesised:
// the board has a DDR controller behind card_top's DDR line port). Clock
// domain: clk. Every request is granted; read data comes one cycle later, in
// order. Starts zeroed (Verilator --x-initial fast).
// Interfaces: DDR line port (card_top's ddr_*).
module sim_ddr #(
  parameter int DATA_W = 256,  // line width
  parameter int DDR_AW = 26    // byte-address bits (2**DDR_AW bytes)
) (
  input  wire logic        clk,
  input  wire logic        rst,
  input  wire logic                   req,
  input  wire logic                   we,
  input  wire logic [DDR_AW-$clog2(DATA_W/8)-1:0] addr,
  input  wire logic [DATA_W/8-1:0]    be,
  input  wire logic [DATA_W-1:0]      wdata,
  output logic                        gnt,
  output logic                        rvalid,
  output logic [DATA_W-1:0]           rdata
);
  localparam int LW = DDR_AW - $clog2(DATA_W / 8);  // line index bits

  initial begin
    if (DDR_AW > 30) $error("sim_ddr: at most 1 GiB");
  end

  logic [DATA_W-1:0] mem_q [0:(1 << LW) - 1];
  logic              rvalid_q;
  logic [DATA_W-1:0] rdata_q;
  logic [DATA_W-1:0] wmask, wline;

  // A write merges its bytes into the line and stores the line whole (one
  // update per cycle in the simulator instead of one per byte lane).
  always_comb begin
    wmask = '0;
    wline = '0;
    if (req && we) begin
      for (int b = 0; b < DATA_W / 8; b++)
        wmask[8 * b +: 8] = {8{be[b]}};
      wline = (mem_q[addr] & ~wmask) | (wdata & wmask);
    end
  end

  always_ff @(posedge clk) begin
    if (req && we) mem_q[addr] <= wline;
    if (req && !we) rdata_q <= mem_q[addr];
    if (rst) rvalid_q <= 1'b0;
    else rvalid_q <= req && !we;
  end

  assign gnt = 1'b1;
  assign rvalid = rvalid_q;
  assign rdata = rdata_q;
endmodule
