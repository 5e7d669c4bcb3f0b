`default_nettype none
// pcie_tx_tail: passes a TLP stream through, and finishes a TLP its source
// abandons. Clock domain: clk.
//
// A source that is reset (a function reset while the DMA engine sends a
// multi-beat write) stops in the middle of a TLP; the arbiter behind it
// would then wait for a last beat that never comes, and every later TLP of
// the function with it. When `abort` is high while a TLP is under way, this
// block sends the TLP's remaining beats itself, with zero data (the bytes
// land where the TLP was going: the buffer the source was writing), and
// takes nothing from the source until the TLP has ended (nor while abort
// is high). A TLP on the link cannot be recalled; it can only be ended.
//
// Interfaces: source stream in, stream out (to an arbiter), abort.
module pcie_tx_tail #(
  parameter int DATA_W = 256  // TLP stream payload width
) (
  input  wire logic        clk,
  input  wire logic        rst,
  input  wire logic        abort,

  // --- from the source ---
  input  wire logic [127:0]      in_hdr,
  input  wire logic [DATA_W-1:0] in_data,
  input  wire logic              in_sop,
  input  wire logic              in_eop,
  input  wire logic              in_valid,
  output logic                   in_ready,

  // --- to the arbiter ---
  output logic [127:0]      out_hdr,
  output logic [DATA_W-1:0] out_data,
  output logic              out_sop,
  output logic              out_eop,
  output logic              out_valid,
  input  wire logic         out_ready
);
  localparam int DWB = DATA_W / 32;          // DWs per beat

  logic        open_q;                        // a TLP's first beat left, its last not yet
  logic        pad_q;                         // ... and its source gave up on it
  logic [10:0] left_q;                        // its beats still to send
  logic [127:0] hdr_q;
  logic [10:0] beats;                         // beats of the TLP starting now
  logic        pad;

  // A TLP with data: its DWs over the beats; without: one beat.
  always_comb begin
    logic [10:0] ndw;
    ndw = (in_hdr[9:0] == 10'd0) ? 11'd1024 : {1'b0, in_hdr[9:0]};
    beats = in_hdr[30] ? (ndw + 11'(DWB - 1)) / 11'(DWB) : 11'd1;
  end

  assign pad = pad_q || (open_q && abort);
  assign out_hdr = pad ? hdr_q : in_hdr;
  assign out_data = pad ? '0 : in_data;
  assign out_sop = pad ? 1'b0 : in_sop;
  assign out_eop = pad ? left_q == 11'd1 : in_eop;
  // While abort is high no TLP starts: its source is being reset with it.
  assign out_valid = pad || (in_valid && !abort);
  assign in_ready = !pad && !abort && out_ready;

  always_ff @(posedge clk) begin
    if (rst) begin
      open_q <= 1'b0;
      pad_q <= 1'b0;
      left_q <= 11'd0;
    end else begin
      if (open_q && abort) pad_q <= 1'b1;
      if (out_valid && out_ready) begin
        if (out_eop) begin
          open_q <= 1'b0;
          pad_q <= 1'b0;
        end else if (out_sop) begin
          open_q <= 1'b1;
          left_q <= beats - 11'd1;
          hdr_q <= in_hdr;
        end else begin
          left_q <= left_q - 11'd1;
        end
      end
    end
  end
endmodule
