`default_nettype none
// MMCME3_BASE: lint-only stand-in for the AMD UltraScale mixed-mode clock
// manager (UG974, UG572): the parameters and ports the board tops use.
module MMCME3_BASE #(
  parameter real CLKIN1_PERIOD = 0.0,      // input period, ns
  parameter real CLKFBOUT_MULT_F = 5.0,    // VCO multiplier
  parameter int  DIVCLK_DIVIDE = 1,        // input divider
  parameter int  CLKOUT0_DIVIDE_F = 1      // CLKOUT0 divider (real in the library)
) (
  input  wire logic CLKIN1,
  input  wire logic CLKFBIN,
  input  wire logic PWRDWN,
  input  wire logic RST,
  output logic CLKFBOUT,
  output logic CLKFBOUTB,
  output logic CLKOUT0,
  output logic CLKOUT0B,
  output logic CLKOUT1,
  output logic CLKOUT1B,
  output logic CLKOUT2,
  output logic CLKOUT2B,
  output logic CLKOUT3,
  output logic CLKOUT3B,
  output logic CLKOUT4,
  output logic CLKOUT5,
  output logic CLKOUT6,
  output logic LOCKED
);
  initial begin
    if (CLKIN1_PERIOD <= 0.0 || CLKFBOUT_MULT_F <= 0.0 || DIVCLK_DIVIDE < 1 || CLKOUT0_DIVIDE_F < 1)
      $error("MMCME3_BASE: bad settings");
  end
  assign CLKFBOUT = CLKIN1 & ~PWRDWN;
  assign CLKFBOUTB = ~CLKFBOUT;
  assign CLKOUT0 = CLKIN1 & ~RST;
  assign CLKOUT0B = ~CLKOUT0;
  assign CLKOUT1 = CLKOUT0;
  assign CLKOUT1B = CLKOUT0B;
  assign CLKOUT2 = CLKOUT0;
  assign CLKOUT2B = CLKOUT0B;
  assign CLKOUT3 = CLKOUT0;
  assign CLKOUT3B = CLKOUT0B;
  assign CLKOUT4 = CLKOUT0;
  assign CLKOUT5 = CLKOUT0;
  assign CLKOUT6 = CLKOUT0;
  assign LOCKED = CLKFBIN & ~RST;
endmodule
