`default_nettype none
// rp_outbound: the firmware's requests to the SSD. Clock domain: clk.
//
// A load or store at RP.CFG_DATA becomes a configuration request (CfgRd0 /
// CfgWr0 to RP.CFG_ADDR); one in the RPWIN window a memory request (MemRd /
// MemWr of one DW at RP.WIN + offset, 4-DW header above 4 GiB), byte enables
// from the access. A posted write is granted as soon as it is taken; a read
// or configuration write holds the core (gnt low) until its completion
// arrives or TIMEOUT cycles pass. Anything but a clean completion (timeout,
// UR, CA, CRS, poisoned, malformed) returns all-ones and raises an event for
// RP.STATUS. One request at a time; every request takes a new tag, so a
// completion arriving after its timeout counts as unexpected.
//
// The core may withdraw a held access (an interrupt is taken on that
// instruction) and come back with it later, or with another: a finished
// request waits in DONE and is handed only to an access identical to the one
// that started it; any other access drops it and starts its own.
//
// Interfaces: decoded firmware port, configuration from rp_regs, request
// stream toward the SSD, completions from rp_inbound, error events.
module rp_outbound #(
  parameter int DATA_W = 256,     // TLP stream payload width
  parameter int WIN_AW = 20       // window byte-address bits (RPWIN size 2**WIN_AW)
) (
  input  wire logic        clk,
  input  wire logic        rst,

  // --- firmware port (CFG_DATA register or the window) ---
  input  wire logic        f_req,
  input  wire logic        f_cfg,          // 1: CFG_DATA, 0: window
  input  wire logic        f_we,
  input  wire logic [3:0]  f_be,
  input  wire logic [WIN_AW-1:0] f_off,    // window offset (byte)
  input  wire logic [31:0] f_wdata,
  output logic        f_gnt,
  output logic [31:0] f_rdata,             // valid the cycle after a granted read

  // --- configuration ---
  input  wire logic [31:0] cfg_addr,       // DW2 of configuration requests
  input  wire logic [63:0] win_base,
  input  wire logic [31:0] timeout,
  input  wire logic [15:0] rid,

  // --- requests toward the SSD ---
  output logic [127:0]      tx_hdr,
  output logic [DATA_W-1:0] tx_data,
  output logic              tx_sop,
  output logic              tx_eop,
  output logic              tx_valid,
  input  wire logic         tx_ready,

  // --- completions (from rp_inbound, one strobe per completion TLP) ---
  input  wire logic         cpl_valid,
  input  wire logic [127:0] cpl_hdr,
  input  wire logic [31:0]  cpl_data0,     // first payload DW

  // --- events for RP.STATUS ---
  output logic        ev_timeout,
  output logic        ev_ur,
  output logic        ev_ca,
  output logic        ev_crs,
  output logic        ev_poison,
  output logic        ev_malformed,
  output logic        ev_unexpected
);
  initial begin
    if (DATA_W < 32) $error("rp_outbound: DATA_W must be at least 32");
    if (WIN_AW < 12 || WIN_AW > 31) $error("rp_outbound: WIN_AW out of range");
  end

  localparam logic [1:0] S_IDLE = 2'd0;
  localparam logic [1:0] S_SEND = 2'd1;
  localparam logic [1:0] S_WAIT = 2'd2;
  localparam logic [1:0] S_DONE = 2'd3;
  localparam int TAG_W = 5;                       // tags 0..31, one in flight
  localparam logic [2:0] CPL_CRS = 3'b010;        // configuration request retry status
  localparam logic [31:0] ALL_ONES = 32'hffff_ffff;

  logic [1:0]  state_q, state_d;
  logic [TAG_W-1:0] tag_q, tag_d;
  logic [31:0] timer_q, timer_d;
  logic [31:0] result_q, result_d;
  logic [127:0] hdr_q;
  logic [31:0] wdata_q, wdata_d;
  // The access that started the request: only the same access takes its result.
  logic        sig_cfg_q, sig_cfg_d, sig_we_q, sig_we_d;
  logic [3:0]  sig_be_q, sig_be_d;
  logic [WIN_AW-1:0] sig_off_q, sig_off_d;
  logic [31:0] sig_wdata_q, sig_wdata_d;
  logic        same_access;

  // Header of the request an access asks for (built only when one is taken).
  function automatic logic [127:0] req_header(input logic cfg, input logic we, input logic [3:0] be,
                                              input logic [WIN_AW-3:0] off_dw, input logic [15:0] bdf,
                                              input logic [9:0] reg_dw, input logic [63-WIN_AW:0] win_hi,
                                              input logic [15:0] id, input logic [TAG_W-1:0] tag);
    logic [63:0] a;
    logic wide;
    a = {win_hi, off_dw, 2'b00};
    wide = (a[63:32] != 32'd0);
    req_header = '0;
    if (cfg) begin
      req_header[31:29] = we ? pcie_pkg::FMT_3DW_DATA : pcie_pkg::FMT_3DW_NODATA;
      req_header[28:24] = pcie_pkg::TYPE_CFG0;
      req_header[95:64] = {bdf, 4'd0, reg_dw, 2'b00};
    end else begin
      req_header[31:29] = we ? (wide ? pcie_pkg::FMT_4DW_DATA : pcie_pkg::FMT_3DW_DATA)
                             : (wide ? pcie_pkg::FMT_4DW_NODATA : pcie_pkg::FMT_3DW_NODATA);
      req_header[28:24] = pcie_pkg::TYPE_MEM;
      if (wide) begin
        req_header[95:64] = a[63:32];
        req_header[127:96] = a[31:0];
      end else begin
        req_header[95:64] = a[31:0];
      end
    end
    req_header[9:0] = 10'd1;
    req_header[63:48] = id;
    req_header[47:40] = 8'(tag);
    req_header[35:32] = be;          // first DW byte enables; last BE 0 (1 DW)
  endfunction

  assign same_access = f_req && (f_cfg == sig_cfg_q) && (f_we == sig_we_q) && (f_be == sig_be_q) &&
                       (f_off == sig_off_q) && (!f_we || f_wdata == sig_wdata_q);

  // Completion checks for the request in flight.
  logic        cpl_mine;
  logic [2:0]  c_status;
  logic        c_data, c_ep;
  logic [9:0]  c_len;
  logic        c_want_data;

  always_comb begin
    c_status = cpl_hdr[47:45];
    c_data = cpl_hdr[30];
    c_ep = cpl_hdr[14];
    c_len = cpl_hdr[9:0];
    c_want_data = !hdr_q[30];          // reads expect data, configuration writes none
    cpl_mine = cpl_valid && (state_q == S_WAIT) && (cpl_hdr[79:72] == 8'(tag_q)) &&
               (cpl_hdr[95:80] == rid);
  end

  // The grant depends on the state and the access only (never on the link),
  // so the core's stall logic stays apart from the TLP streams. A memory
  // write is posted: the store is done once it is taken.
  always_comb begin
    unique case (state_q)
      S_IDLE:  f_gnt = f_req && f_we && !f_cfg;
      S_DONE:  f_gnt = same_access;
      default: f_gnt = 1'b0;
    endcase
  end

  always_comb begin
    state_d = state_q;
    tag_d = tag_q;
    timer_d = timer_q;
    result_d = result_q;
    wdata_d = wdata_q;
    sig_cfg_d = sig_cfg_q;
    sig_we_d = sig_we_q;
    sig_be_d = sig_be_q;
    sig_off_d = sig_off_q;
    sig_wdata_d = sig_wdata_q;
    ev_timeout = 1'b0;
    ev_ur = 1'b0;
    ev_ca = 1'b0;
    ev_crs = 1'b0;
    ev_poison = 1'b0;
    ev_malformed = 1'b0;
    ev_unexpected = cpl_valid && !cpl_mine;

    unique case (state_q)
      S_IDLE: begin
        if (f_req) begin
          wdata_d = f_wdata;
          sig_cfg_d = f_cfg;
          sig_we_d = f_we;
          sig_be_d = f_be;
          sig_off_d = f_off;
          sig_wdata_d = f_wdata;
          state_d = S_SEND;
        end
      end
      S_SEND: begin
        if (tx_ready) begin
          timer_d = 32'd0;
          // Posted writes end here; non-posted requests wait for their tag.
          state_d = (hdr_q[30] && hdr_q[28:24] == pcie_pkg::TYPE_MEM) ? S_IDLE : S_WAIT;
        end
      end
      S_WAIT: begin
        timer_d = timer_q + 32'd1;
        if (cpl_mine) begin
          tag_d = tag_q + 1'b1;
          state_d = S_DONE;
          result_d = ALL_ONES;
          if (c_ep) begin
            ev_poison = 1'b1;
          end else if (c_status == pcie_pkg::CPL_UR) begin
            ev_ur = 1'b1;
          end else if (c_status == pcie_pkg::CPL_CA) begin
            ev_ca = 1'b1;
          end else if (c_status == CPL_CRS) begin
            ev_crs = 1'b1;
          end else if (c_status != pcie_pkg::CPL_SC || c_data != c_want_data ||
                       (c_data && c_len != 10'd1)) begin
            ev_malformed = 1'b1;
          end else if (c_want_data) begin
            result_d = cpl_data0;
          end else begin
            result_d = 32'd0;
          end
        end else if (timer_q >= timeout) begin
          tag_d = tag_q + 1'b1;
          state_d = S_DONE;
          result_d = ALL_ONES;
          ev_timeout = 1'b1;
        end
      end
      S_DONE: begin
        if (same_access) begin
          state_d = S_IDLE;
        end else if (f_req) begin
          state_d = S_IDLE;            // the access it was for went away
        end
      end
      default: state_d = S_IDLE;
    endcase
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      state_q <= S_IDLE;
      tag_q <= '0;
      timer_q <= 32'd0;
    end else begin
      state_q <= state_d;
      tag_q <= tag_d;
      timer_q <= timer_d;
    end
    result_q <= result_d;
    if (state_q == S_IDLE && f_req)
      hdr_q <= req_header(f_cfg, f_we, f_be, f_off[WIN_AW-1:2], cfg_addr[31:16], cfg_addr[11:2],
                          win_base[63:WIN_AW], rid, tag_q);
    wdata_q <= wdata_d;
    sig_cfg_q <= sig_cfg_d;
    sig_we_q <= sig_we_d;
    sig_be_q <= sig_be_d;
    sig_off_q <= sig_off_d;
    sig_wdata_q <= sig_wdata_d;
  end

  assign f_rdata = result_q;
  assign tx_hdr = hdr_q;
  assign tx_data = DATA_W'(wdata_q);
  assign tx_sop = 1'b1;
  assign tx_eop = 1'b1;
  assign tx_valid = (state_q == S_SEND);
endmodule
