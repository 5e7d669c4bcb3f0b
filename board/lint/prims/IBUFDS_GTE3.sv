`default_nettype none
// IBUFDS_GTE3: lint-only stand-in for the AMD UltraScale transceiver
// reference-clock input buffer (UG974): O to the transceivers, ODIV2 (O / 2
// by default) to the fabric.
module IBUFDS_GTE3 (
  input  wire logic I,
  input  wire logic IB,
  input  wire logic CEB,
  output logic O,
  output logic ODIV2
);
  assign O = I & ~IB & ~CEB;
  assign ODIV2 = O;
endmodule
