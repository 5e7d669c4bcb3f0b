`default_nettype none
// BUFG: lint-only stand-in for the AMD global clock buffer (UG974).
module BUFG (
  input  wire logic I,
  output logic O
);
  assign O = I;
endmodule
