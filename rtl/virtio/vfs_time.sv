`default_nettype none
// vfs_time: the card's clock. Seconds (64 bits) and nanoseconds that advance
// by TICK_NS every cycle of clk (the machine timer's tick), and that either
// side may set: the host through BAR0 (pcie_ep's application port, window
// 0x6000-0x6fff, announced by a vendor-data capability in virtio_pci_caps),
// the firmware through the SoC region TIME. The registers and their rules are
// described in rtl/soc_map.toml (TIME); both sides see the same offsets.
//
// Rules: a time is staged with SEC_LO and SEC_HI and committed by the write
// of NSEC. A committed time earlier than the clock is refused (the clock
// never goes back) and counted in REFUSED; a malformed write (not all four
// bytes, a read-only or unknown offset, NSEC >= 10^9, NSEC without both
// seconds halves since the last NSEC) changes nothing but MALFORMED. A read
// of SEC_LO takes a snapshot of the clock for that side's SEC_HI and NSEC, so
// a reader gets one instant from three reads. When both sides commit in the
// same cycle the host's time is taken and the firmware's counted as refused.
// Clock domain: clk. Interfaces: host register port (h_*), firmware register
// port (f_*); read data is combinational, valid in the cycle of the request.
module vfs_time #(
  parameter int TICK_NS = 4  // nanoseconds per clk cycle (4: 250 MHz)
) (
  input  wire logic        clk,
  input  wire logic        rst,

  // --- host port: BAR0 offsets 0x6000-0x6fff, as offsets into the window ---
  input  wire logic        h_req,
  input  wire logic        h_we,
  input  wire logic [12:0] h_addr,
  input  wire logic [3:0]  h_be,
  input  wire logic [31:0] h_wdata,
  output logic [31:0] h_rdata,

  // --- firmware port: offsets into the TIME region ---
  input  wire logic        f_req,
  input  wire logic        f_we,
  input  wire logic [11:0] f_addr,
  input  wire logic [3:0]  f_be,
  input  wire logic [31:0] f_wdata,
  output logic [31:0] f_rdata
);
  localparam logic [29:0] NS_PER_SEC = 30'd1_000_000_000;
  localparam logic [29:0] TICK = 30'(TICK_NS);

  initial begin
    if (TICK_NS < 1 || TICK_NS > 1_000_000) $error("vfs_time: TICK_NS must be 1..10^6");
  end

  // The clock
  logic [63:0] sec_q, sec_d;
  logic [29:0] nsec_q, nsec_d;
  logic        host_set_q, host_set_d, card_set_q, card_set_d;
  logic [31:0] sets_q, sets_d, refused_q, refused_d, malformed_q, malformed_d;

  // Per side: staged seconds, which halves were written, the read snapshot
  logic [63:0] h_stage_q, h_stage_d, f_stage_q, f_stage_d;
  logic [1:0]  h_have_q, h_have_d, f_have_q, f_have_d;
  logic [31:0] h_snap_hi_q, h_snap_hi_d, f_snap_hi_q, f_snap_hi_d;
  logic [29:0] h_snap_ns_q, h_snap_ns_d, f_snap_ns_q, f_snap_ns_d;

  // One side's write: what it does, as {commit, malformed, have[1:0],
  // stage[63:0]}. commit: a well-formed NSEC write (a new time). Offsets are
  // register offsets in the block (the host's window is larger than the
  // block: the rest is unknown).
  localparam int WR_W = 68;
  function automatic logic [WR_W-1:0] decode_write(input logic we, input logic [12:0] off,
                                                   input logic [3:0] be, input logic [31:0] wdata,
                                                   input logic [1:0] have, input logic [63:0] stage);
    logic        commit, malformed;
    logic [1:0]  nhave;
    logic [63:0] nstage;
    commit = 1'b0;
    malformed = 1'b0;
    nhave = have;
    nstage = stage;
    if (we) begin
      if (be != 4'b1111) begin
        malformed = 1'b1;
      end else if (off == 13'(soc_map_pkg::TIME_SEC_LO)) begin
        nstage[31:0] = wdata;
        nhave[0] = 1'b1;
      end else if (off == 13'(soc_map_pkg::TIME_SEC_HI)) begin
        nstage[63:32] = wdata;
        nhave[1] = 1'b1;
      end else if (off == 13'(soc_map_pkg::TIME_NSEC)) begin
        nhave = 2'b00;
        if (wdata >= 32'(NS_PER_SEC) || have != 2'b11) malformed = 1'b1;
        else commit = 1'b1;
      end else begin
        malformed = 1'b1;
      end
    end
    decode_write = {commit, malformed, nhave, nstage};
  endfunction

  logic        h_commit, h_malformed, f_commit, f_malformed;
  logic [1:0]  h_have_w, f_have_w;
  logic [63:0] h_stage_w, f_stage_w;
  assign {h_commit, h_malformed, h_have_w, h_stage_w} =
    decode_write(h_req && h_we, h_addr, h_be, h_wdata, h_have_q, h_stage_q);
  assign {f_commit, f_malformed, f_have_w, f_stage_w} =
    decode_write(f_req && f_we, {1'b0, f_addr}, f_be, f_wdata, f_have_q, f_stage_q);

  // Register reads; SEC_HI and NSEC come from each side's snapshot.
  logic [31:0] status_w;
  assign status_w = (32'(card_set_q) << soc_map_pkg::TIME_STATUS_CARD_SET_LSB) |
                    (32'(host_set_q) << soc_map_pkg::TIME_STATUS_HOST_SET_LSB);

  function automatic logic [31:0] read_reg(input logic [12:0] off, input logic [31:0] sec_lo,
                                           input logic [31:0] snap_hi, input logic [29:0] snap_ns,
                                           input logic [31:0] status, input logic [31:0] sets,
                                           input logic [31:0] refused, input logic [31:0] malformed);
    logic [31:0] r;
    unique case (off)
      13'(soc_map_pkg::TIME_SEC_LO):    r = sec_lo;
      13'(soc_map_pkg::TIME_SEC_HI):    r = snap_hi;
      13'(soc_map_pkg::TIME_NSEC):      r = {2'd0, snap_ns};
      13'(soc_map_pkg::TIME_STATUS):    r = status;
      13'(soc_map_pkg::TIME_SETS):      r = sets;
      13'(soc_map_pkg::TIME_REFUSED):   r = refused;
      13'(soc_map_pkg::TIME_MALFORMED): r = malformed;
      13'(soc_map_pkg::TIME_TICK_NS):   r = 32'(TICK_NS);
      default:                          r = 32'd0;
    endcase
    read_reg = r;
  endfunction

  assign h_rdata = read_reg(h_addr, sec_q[31:0], h_snap_hi_q, h_snap_ns_q, status_w, sets_q,
                            refused_q, malformed_q);
  assign f_rdata = read_reg({1'b0, f_addr}, sec_q[31:0], f_snap_hi_q, f_snap_ns_q, status_w, sets_q,
                            refused_q, malformed_q);

  // Saturating counter plus 0..2.
  function automatic logic [31:0] sat_add(input logic [31:0] v, input logic a, input logic b);
    logic [32:0] s;
    s = {1'b0, v} + 33'(a) + 33'(b);
    sat_add = s[32] ? 32'hffff_ffff : s[31:0];
  endfunction

  always_comb begin
    logic [30:0] ns_next;
    logic        h_ok, f_ok, f_refused;

    // Tick
    ns_next = {1'b0, nsec_q} + {1'b0, TICK};
    sec_d = sec_q;
    nsec_d = ns_next[29:0];
    if (ns_next >= {1'b0, NS_PER_SEC}) begin
      nsec_d = 30'(ns_next - {1'b0, NS_PER_SEC});
      sec_d = sec_q + 64'd1;
    end
    host_set_d = host_set_q;
    card_set_d = card_set_q;

    // Writes: a time not earlier than the clock is taken, the host's first.
    h_ok = h_commit && {h_stage_w, h_wdata[29:0]} >= {sec_q, nsec_q};
    f_ok = f_commit && !h_ok && {f_stage_w, f_wdata[29:0]} >= {sec_q, nsec_q};
    f_refused = f_commit && !f_ok;
    if (h_ok) begin
      sec_d = h_stage_w;
      nsec_d = h_wdata[29:0];
      host_set_d = 1'b1;
    end else if (f_ok) begin
      sec_d = f_stage_w;
      nsec_d = f_wdata[29:0];
      card_set_d = 1'b1;
    end
    sets_d = sat_add(sets_q, h_ok, f_ok);
    refused_d = sat_add(refused_q, h_commit && !h_ok, f_refused);
    malformed_d = sat_add(malformed_q, h_malformed, f_malformed);

    h_stage_d = h_stage_w;
    h_have_d = h_have_w;
    f_stage_d = f_stage_w;
    f_have_d = f_have_w;

    // Snapshots: a read of SEC_LO keeps the rest of that instant.
    h_snap_hi_d = h_snap_hi_q;
    h_snap_ns_d = h_snap_ns_q;
    f_snap_hi_d = f_snap_hi_q;
    f_snap_ns_d = f_snap_ns_q;
    if (h_req && !h_we && h_addr == 13'(soc_map_pkg::TIME_SEC_LO)) begin
      h_snap_hi_d = sec_q[63:32];
      h_snap_ns_d = nsec_q;
    end
    if (f_req && !f_we && f_addr == soc_map_pkg::TIME_SEC_LO) begin
      f_snap_hi_d = sec_q[63:32];
      f_snap_ns_d = nsec_q;
    end
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      sec_q <= 64'd0;
      nsec_q <= 30'd0;
      host_set_q <= 1'b0;
      card_set_q <= 1'b0;
      sets_q <= 32'd0;
      refused_q <= 32'd0;
      malformed_q <= 32'd0;
      h_stage_q <= 64'd0;
      h_have_q <= 2'b00;
      f_stage_q <= 64'd0;
      f_have_q <= 2'b00;
      h_snap_hi_q <= 32'd0;
      h_snap_ns_q <= 30'd0;
      f_snap_hi_q <= 32'd0;
      f_snap_ns_q <= 30'd0;
    end else begin
      sec_q <= sec_d;
      nsec_q <= nsec_d;
      host_set_q <= host_set_d;
      card_set_q <= card_set_d;
      sets_q <= sets_d;
      refused_q <= refused_d;
      malformed_q <= malformed_d;
      h_stage_q <= h_stage_d;
      h_have_q <= h_have_d;
      f_stage_q <= f_stage_d;
      f_have_q <= f_have_d;
      h_snap_hi_q <= h_snap_hi_d;
      h_snap_ns_q <= h_snap_ns_d;
      f_snap_hi_q <= f_snap_hi_d;
      f_snap_ns_q <= f_snap_ns_d;
    end
  end
endmodule
