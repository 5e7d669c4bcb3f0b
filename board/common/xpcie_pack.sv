`default_nettype none
// xpcie_pack: puts a descriptor in front of each TLP of the core's stream
// and realigns its payload for a hard-IP interface (CC or RQ). Clock domain:
// clk (the hard IP's user clock).
//
// The caller encodes the header of the first beat into in_desc (DESC_DWS
// DWs), in_side (sideband bits for tuser, held for the whole packet) and
// in_ndw (payload DWs), valid with the sop beat; in_drop discards the TLP
// instead (it is consumed, nothing is sent, `dropped` pulses). Output beat 0
// carries the descriptor and payload DWs 0..(7-DESC_DWS); beat k>0 carries
// the held upper DESC_DWS DWs of input beat k-1 and the lower ones of input
// beat k. tkeep marks the DWs in use; tlast the last beat.
//
// An input TLP with more beats than its header says is cut to the header's
// length (the extra beats are dropped); one with fewer ends short.
//
// Interfaces: TLP stream input (from the core), packet output (to the hard IP).
module xpcie_pack #(
  parameter int DESC_DWS = 4,   // descriptor length in DWs (RQ 4, CC 3)
  parameter int SIDE_W = 8      // sideband bits carried beside each packet
) (
  input  wire logic        clk,
  input  wire logic        rst,

  // --- from the core ---
  input  wire logic [255:0]          in_data,
  input  wire logic                  in_sop,
  input  wire logic                  in_eop,
  input  wire logic [32*DESC_DWS-1:0] in_desc,   // encoded from the sop beat's header
  input  wire logic [SIDE_W-1:0]     in_side,
  input  wire logic [10:0]           in_ndw,    // payload DWs
  input  wire logic                  in_drop,
  input  wire logic                  in_valid,
  output logic                  in_ready,
  output logic                  dropped,

  // --- to the hard IP ---
  output logic [255:0]      out_data,
  output logic [7:0]        out_keep,
  output logic              out_last,
  output logic [SIDE_W-1:0] out_side,
  output logic              out_valid,
  input  wire logic         out_ready
);
  localparam int BEAT = 8;                     // DWs per beat
  localparam int FIRST = BEAT - DESC_DWS;      // payload DWs in the first beat
  localparam int LO = 32 * FIRST;              // bits of an input beat sent in the same output beat
  localparam int HI = 32 * DESC_DWS;           // bits held for the next output beat
  localparam logic [10:0] N_FIRST = 11'(FIRST);
  localparam logic [10:0] N_BEAT = 11'(BEAT);

  initial begin
    if (DESC_DWS < 1 || DESC_DWS > 7) $error("xpcie_pack: DESC_DWS must be 1..7");
  end

  typedef enum logic [1:0] {S_IDLE, S_MID, S_FLUSH, S_DRAIN} state_t;

  state_t            state_q, state_d;
  logic [HI-1:0]     hold_q, hold_d;
  logic [SIDE_W-1:0] side_q, side_d;
  logic [10:0]       rem_q, rem_d;       // payload DWs not yet sent, the held ones included
  logic              dropped_q, dropped_d;
  logic [3:0]        n_out;              // DWs in the output beat

  function automatic logic [7:0] keep_of(input logic [3:0] n);
    keep_of = 8'((9'd1 << n) - 9'd1);
  endfunction

  always_comb begin
    state_d = state_q;
    hold_d = hold_q;
    side_d = side_q;
    rem_d = rem_q;
    dropped_d = 1'b0;
    in_ready = 1'b0;
    out_valid = 1'b0;
    out_data = {{LO{1'b0}}, hold_q};
    out_side = side_q;
    out_last = 1'b0;
    n_out = 4'(DESC_DWS);

    unique case (state_q)
      S_IDLE: begin
        out_data = {in_data[LO-1:0], in_desc};
        out_side = in_side;
        out_last = in_ndw <= N_FIRST;
        n_out = out_last ? 4'(DESC_DWS) + in_ndw[3:0] : 4'(BEAT);
        if (in_valid && (!in_sop || in_drop)) begin
          // Not the start of a TLP, or one the caller refuses: consume it.
          in_ready = 1'b1;
          if (in_sop) dropped_d = 1'b1;
          if (!in_eop) state_d = S_DRAIN;
        end else begin
          out_valid = in_valid;
          in_ready = out_ready;
          if (in_valid && out_ready) begin
            hold_d = in_data[255:LO];
            side_d = in_side;
            rem_d = in_ndw - (out_last ? in_ndw : N_FIRST);
            if (out_last) state_d = in_eop ? S_IDLE : S_DRAIN;
            else if (in_eop) state_d = S_FLUSH;
            else state_d = S_MID;
          end
        end
      end

      S_MID: begin
        out_data = {in_data[LO-1:0], hold_q};
        out_last = rem_q <= N_BEAT;
        n_out = out_last ? rem_q[3:0] : 4'(BEAT);
        out_valid = in_valid;
        in_ready = out_ready;
        if (in_valid && out_ready) begin
          hold_d = in_data[255:LO];
          rem_d = out_last ? 11'd0 : rem_q - N_BEAT;
          if (out_last) state_d = in_eop ? S_IDLE : S_DRAIN;
          else if (in_eop) state_d = S_FLUSH;
        end
      end

      S_FLUSH: begin
        // The input TLP has ended; the rest of its payload is held. (A core
        // TLP shorter than its header ends here too, short: never expected.)
        out_valid = 1'b1;
        out_last = 1'b1;
        n_out = (rem_q <= 11'(DESC_DWS)) ? rem_q[3:0] : 4'(DESC_DWS);
        if (out_ready) begin
          rem_d = 11'd0;
          state_d = S_IDLE;
        end
      end

      S_DRAIN: begin
        in_ready = 1'b1;
        if (in_valid && in_eop) state_d = S_IDLE;
      end

      default: state_d = S_IDLE;
    endcase
  end

  assign out_keep = keep_of(n_out);
  assign dropped = dropped_q;

  always_ff @(posedge clk) begin
    if (rst) begin
      state_q <= S_IDLE;
      rem_q <= '0;
      dropped_q <= 1'b0;
    end else begin
      state_q <= state_d;
      rem_q <= rem_d;
      dropped_q <= dropped_d;
    end
  end

  always_ff @(posedge clk) begin
    hold_q <= hold_d;
    side_q <= side_d;
  end
endmodule
