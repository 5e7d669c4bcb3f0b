`default_nettype none
// sim_ddr: behavioural card memory for simulation only (never synthesised:
// the board has a DDR controller behind card_top's DDR line port). Clock
// domain: clk. Every request is granted; read data comes one cycle later, in
// order. The bytes live in the testbench (sim/sim_ddr.c, through DPI): a
// sparse store that starts zeroed, so 2 GiB of card memory costs only what
// the simulation touches, and testbenches can read and write it directly.
// Interfaces: DDR line port (card_top's ddr_*).
module sim_ddr #(
  parameter int DATA_W = 256,  // line width (the DPI functions take 256)
  parameter int DDR_AW = 31    // byte-address bits (2**DDR_AW bytes)
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
  import "DPI-C" function void sim_ddr_read(input int unsigned line, output bit [255:0] data);
  import "DPI-C" function void sim_ddr_write(input int unsigned line, input bit [255:0] data,
                                             input bit [31:0] be);

  initial begin
    if (DATA_W != 256) $error("sim_ddr: DATA_W must be 256");
    if (DDR_AW > 32) $error("sim_ddr: at most 4 GiB");
  end

  logic              rvalid_q;
  logic [DATA_W-1:0] rdata_q;

  always_ff @(posedge clk) begin
    if (req && we) sim_ddr_write(32'(addr), wdata, be);
    if (req && !we) begin
      bit [255:0] d;
      sim_ddr_read(32'(addr), d);
      rdata_q <= d;
    end
    if (rst) rvalid_q <= 1'b0;
    else rvalid_q <= req && !we;
  end

  assign gnt = 1'b1;
  assign rvalid = rvalid_q;
  assign rdata = rdata_q;
endmodule
