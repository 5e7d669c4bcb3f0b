`default_nettype none
// IBUFDS: lint-only stand-in for the AMD differential input buffer (UG974);
// ports as the library has them. Yosys and Vivado use their own.
module IBUFDS (
  input  wire logic I,
  input  wire logic IB,
  output logic O
);
  assign O = I & ~IB;
endmodule
