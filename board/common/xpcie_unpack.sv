`default_nettype none
// xpcie_unpack: strips the descriptor from the packets of a hard-IP
// interface (CQ or RC) and realigns the payload into the core's TLP stream.
// Clock domain: clk (the hard IP's user clock).
//
// On the hard IP's side a packet starts with a descriptor of DESC_DWS DWs and
// its payload follows at DW DESC_DWS of the first beat (dword-aligned mode);
// on the core's side the header travels beside the data and payload DW 0 is
// at DW 0 of the first beat. The caller decodes the descriptor of the first
// beat into in_hdr and in_ndw (payload DWs), valid with it. Output beat k
// carries payload DWs 8k..8k+7: the held upper part of input beat k and the
// lower DESC_DWS DWs of input beat k+1.
//
// A packet whose length disagrees with its descriptor (tlast early or late)
// is delivered with out_err on its last beat (the rest of its input is
// dropped); so is one that carried in_err (discontinue) on any beat.
//
// Interfaces: packet input (the hard IP's beats), TLP stream output with
// out_err on the eop beat.
module xpcie_unpack #(
  parameter int DESC_DWS = 4    // descriptor length in DWs (CQ 4, RC 3)
) (
  input  wire logic        clk,
  input  wire logic        rst,

  // --- from the hard IP ---
  input  wire logic [255:0] in_data,
  input  wire logic         in_last,
  input  wire logic         in_err,      // discontinue (or a malformed beat)
  input  wire logic [127:0] in_hdr,      // decoded from the first beat
  input  wire logic [10:0]  in_ndw,      // payload DWs, from the first beat
  input  wire logic         in_valid,
  output logic         in_ready,

  // --- to the core ---
  output logic [127:0] out_hdr,
  output logic [255:0] out_data,
  output logic         out_sop,
  output logic         out_eop,
  output logic         out_err,
  output logic         out_valid,
  input  wire logic    out_ready
);
  localparam int BEAT = 8;                     // DWs per beat
  localparam int HOLD = BEAT - DESC_DWS;       // payload DWs in the first beat
  localparam int LO = 32 * DESC_DWS;           // bits taken from the next beat
  localparam int HI = 32 * HOLD;               // bits held from this beat
  localparam logic [10:0] N_HOLD = 11'(HOLD);
  localparam logic [10:0] N_BEAT = 11'(BEAT);

  initial begin
    if (DESC_DWS < 1 || DESC_DWS > 7) $error("xpcie_unpack: DESC_DWS must be 1..7");
  end

  typedef enum logic [1:0] {S_IDLE, S_MID, S_FLUSH, S_DRAIN} state_t;

  state_t        state_q, state_d;
  logic [HI-1:0] hold_q, hold_d;
  logic [127:0]  hdr_q, hdr_d;
  logic [10:0]   rem_q, rem_d;     // payload DWs still to be sent
  logic          sop_q, sop_d;     // the next output beat starts the TLP
  logic          err_q, err_d;
  logic          drain_q, drain_d; // the input of this packet has not ended yet (FLUSH)

  always_comb begin
    state_d = state_q;
    hold_d = hold_q;
    hdr_d = hdr_q;
    rem_d = rem_q;
    sop_d = sop_q;
    err_d = err_q;
    drain_d = drain_q;
    in_ready = 1'b0;
    out_valid = 1'b0;
    out_hdr = hdr_q;
    out_data = {{LO{1'b0}}, hold_q};
    out_sop = sop_q;
    out_eop = 1'b0;
    out_err = err_q;

    unique case (state_q)
      S_IDLE: begin
        if (in_ndw <= N_HOLD) begin
          // The whole payload is in this beat: pass it straight through.
          out_valid = in_valid;
          out_hdr = in_hdr;
          out_data = {{LO{1'b0}}, in_data[255:LO]};
          out_sop = 1'b1;
          out_eop = 1'b1;
          out_err = in_err || !in_last;
          in_ready = out_ready;
          if (in_valid && out_ready && !in_last) state_d = S_DRAIN;
        end else begin
          in_ready = 1'b1;
          if (in_valid) begin
            hold_d = in_data[255:LO];
            hdr_d = in_hdr;
            rem_d = in_ndw;
            sop_d = 1'b1;
            err_d = in_err;
            if (in_last) begin
              // Shorter than its descriptor says.
              err_d = 1'b1;
              drain_d = 1'b0;
              state_d = S_FLUSH;
            end else begin
              state_d = S_MID;
            end
          end
        end
      end

      S_MID: begin
        // rem_q counts payload DWs not yet sent, the held ones included.
        out_valid = in_valid;
        out_data = {in_data[LO-1:0], hold_q};
        out_eop = rem_q <= N_BEAT;
        out_err = err_q || in_err || (out_eop && !in_last);
        in_ready = out_ready;
        if (in_valid && out_ready) begin
          hold_d = in_data[255:LO];
          sop_d = 1'b0;
          err_d = err_q || in_err;
          if (out_eop) begin
            state_d = in_last ? S_IDLE : S_DRAIN;
          end else begin
            rem_d = rem_q - N_BEAT;
            if (rem_d <= N_HOLD) begin
              // What is left is held: one more beat, with no more input.
              drain_d = !in_last;
              state_d = S_FLUSH;
            end else if (in_last) begin
              err_d = 1'b1;
              drain_d = 1'b0;
              state_d = S_FLUSH;
            end
          end
        end
      end

      S_FLUSH: begin
        out_valid = 1'b1;
        out_eop = 1'b1;
        out_err = err_q || drain_q;
        if (out_ready) state_d = drain_q ? S_DRAIN : S_IDLE;
      end

      S_DRAIN: begin
        in_ready = 1'b1;
        if (in_valid && in_last) state_d = S_IDLE;
      end

      default: state_d = S_IDLE;
    endcase
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      state_q <= S_IDLE;
      sop_q <= 1'b0;
      err_q <= 1'b0;
      drain_q <= 1'b0;
      rem_q <= '0;
    end else begin
      state_q <= state_d;
      sop_q <= sop_d;
      err_q <= err_d;
      drain_q <= drain_d;
      rem_q <= rem_d;
    end
  end

  always_ff @(posedge clk) begin
    hold_q <= hold_d;
    hdr_q <= hdr_d;
  end
endmodule
