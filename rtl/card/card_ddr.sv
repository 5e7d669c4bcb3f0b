`default_nettype none
// card_ddr: the card memory's front end. Clock domain: clk.
//
// Two clients share the DDR line port: the soft core (32-bit loads and
// stores in the DDR region) and the root port's inbound engine (whole lines
// with byte enables: the SSD's DMA). The core goes first unless the root port
// was kept waiting in the previous cycle, so they alternate under load; the
// core's grant never depends on the root port's request in the same cycle
// (its stall logic stays apart from the link). Read data returns in request
// order, at any latency; a small FIFO remembers whose each read was.
//
// The core's loads go through a one-line buffer: a load in the buffered line
// is answered at once, any other fetches its line first (the core waits,
// gnt low). Stores write through (and update the buffer). A write by the
// root port to the buffered line invalidates it, and one to a line being
// fetched makes that fetch stale, so the core never reads older data than
// the SSD has written before an MSI it has seen.
//
// Interfaces: core port (wait states), root-port line port, DDR line port,
// idle (for the simulator's idle skipping).
module card_ddr #(
  parameter int DATA_W = 256,   // DDR line width
  parameter int DDR_AW = 26,    // DDR byte-address bits
  parameter int OWNERS = 8      // reads in flight the owner FIFO can follow
) (
  input  wire logic        clk,
  input  wire logic        rst,

  // --- core (DDR region) ---
  input  wire logic        c_req,
  input  wire logic        c_we,
  input  wire logic [3:0]  c_be,
  input  wire logic [DDR_AW-1:0] c_addr,
  input  wire logic [31:0] c_wdata,
  output logic        c_gnt,
  output logic [31:0] c_rdata,           // the cycle after a granted load

  // --- root port (lines) ---
  input  wire logic                   p_req,
  input  wire logic                   p_we,
  input  wire logic [DDR_AW-$clog2(DATA_W/8)-1:0] p_addr,
  input  wire logic [DATA_W/8-1:0]    p_be,
  input  wire logic [DATA_W-1:0]      p_wdata,
  output logic                        p_gnt,
  output logic                        p_rvalid,
  output logic [DATA_W-1:0]           p_rdata,

  // --- DDR line port ---
  output logic                   ddr_req,
  output logic                   ddr_we,
  output logic [DDR_AW-$clog2(DATA_W/8)-1:0] ddr_addr,
  output logic [DATA_W/8-1:0]    ddr_be,
  output logic [DATA_W-1:0]      ddr_wdata,
  input  wire logic              ddr_gnt,
  input  wire logic              ddr_rvalid,
  input  wire logic [DATA_W-1:0] ddr_rdata,

  // --- activity ---
  output logic                   idle       // no line fetch and no DDR read in flight
);
  localparam int LBW = $clog2(DATA_W / 8);   // byte offset bits in a line
  localparam int LW = DDR_AW - LBW;          // line index bits
  localparam int WPL = DATA_W / 32;          // words per line
  localparam int WW = $clog2(WPL);
  localparam int OW = $clog2(OWNERS);

  initial begin
    if (DATA_W < 64 || (DATA_W & (DATA_W - 1)) != 0) $error("card_ddr: DATA_W must be a power of two >= 64");
    if (DDR_AW <= LBW || DDR_AW > 32) $error("card_ddr: DDR_AW out of range");
    if (OWNERS < 2 || (OWNERS & (OWNERS - 1)) != 0) $error("card_ddr: OWNERS must be a power of two >= 2");
  end

  // ------------------------------------------------------------ core side
  logic          buf_valid_q, buf_valid_d;
  logic [LW-1:0] buf_tag_q, buf_tag_d;
  logic [DATA_W-1:0] buf_data_q;
  logic          buf_load, buf_merge;      // the line arrives / a store updates it
  logic          fill_q, fill_d;           // a line fetch is in flight
  logic          stale_q, stale_d;         // ... and the SSD wrote that line since
  logic [LW-1:0] fill_tag_q, fill_tag_d;
  logic [31:0]   rdata_q, rdata_d;

  logic [LW-1:0] c_line;
  logic [WW-1:0] c_word;
  logic          c_hit, c_ask;
  logic [DATA_W-1:0] c_line_wdata;
  logic [DATA_W/8-1:0] c_line_be;
  logic [DATA_W-1:0] c_line_mask;

  assign c_line = c_addr[DDR_AW-1:LBW];
  assign c_word = c_addr[LBW-1:2];
  assign c_hit = buf_valid_q && (buf_tag_q == c_line);
  // A store waits for a fetch in flight too: its data must not be overtaken
  // by the older line coming back.
  assign c_ask = c_req && !fill_q && (c_we || !c_hit);
  assign c_line_wdata = {WPL{c_wdata}};
  assign c_line_be = (DATA_W / 8)'(c_be) << (4 * 32'(c_word));
  // the store's bytes within the line, as a bit mask (one masked row write
  // instead of a loop over byte lanes)
  assign c_line_mask = DATA_W'({{8{c_be[3]}}, {8{c_be[2]}}, {8{c_be[1]}}, {8{c_be[0]}}}) << (32 * 32'(c_word));

  // ------------------------------------------------------------ arbitration
  logic port_wait_q, port_wait_d;           // the root port asked and was not served
  logic pick_core, pick_port;
  logic [OWNERS-1:0] own_q, own_d;         // 1: that read is the core's
  logic [OW-1:0] own_rd_q, own_rd_d, own_wr_q, own_wr_d;

  assign pick_core = c_ask && !port_wait_q;
  always_comb begin
    pick_port = p_req && !pick_core;

    ddr_req = c_ask || p_req;
    ddr_we = pick_core ? c_we : p_we;
    ddr_addr = pick_core ? c_line : p_addr;
    ddr_be = pick_core ? (c_we ? c_line_be : '1) : p_be;
    ddr_wdata = pick_core ? c_line_wdata : p_wdata;
    p_gnt = pick_port && ddr_gnt;
  end

  always_comb begin
    port_wait_d = p_req && !p_gnt;
    own_d = own_q;
    own_wr_d = own_wr_q;
    own_rd_d = own_rd_q;
    if (ddr_req && ddr_gnt && !ddr_we) begin
      own_d[own_wr_q] = pick_core;
      own_wr_d = own_wr_q + 1'b1;
    end
    if (ddr_rvalid) own_rd_d = own_rd_q + 1'b1;
  end

  assign p_rvalid = ddr_rvalid && !own_q[own_rd_q];
  assign p_rdata = ddr_rdata;

  // ------------------------------------------------------------ line buffer
  // A load in the buffered line, or a store the DDR port takes.
  assign c_gnt = (c_req && !c_we && c_hit) || (pick_core && ddr_gnt && c_we);

  always_comb begin
    buf_valid_d = buf_valid_q;
    buf_tag_d = buf_tag_q;
    buf_load = 1'b0;
    buf_merge = 1'b0;
    fill_d = fill_q;
    stale_d = stale_q;
    fill_tag_d = fill_tag_q;
    rdata_d = rdata_q;

    // the core's access
    if (c_req && !c_we && c_hit) begin
      rdata_d = buf_data_q[32 * c_word +: 32];
    end
    if (pick_core && ddr_gnt) begin
      if (c_we) begin
        buf_merge = c_hit;
      end else begin
        fill_d = 1'b1;
        stale_d = 1'b0;
        fill_tag_d = c_line;
      end
    end
    // a fetched line arrives
    if (ddr_rvalid && own_q[own_rd_q]) begin
      fill_d = 1'b0;
      buf_load = 1'b1;
      buf_tag_d = fill_tag_q;
      buf_valid_d = !stale_q;
    end
    // the SSD writes: the buffer and a fetch in flight lose that line
    if (pick_port && ddr_gnt && p_we) begin
      if (buf_tag_d == p_addr) buf_valid_d = 1'b0;
      if (fill_d && fill_tag_d == p_addr) stale_d = 1'b1;
    end
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      buf_valid_q <= 1'b0;
      fill_q <= 1'b0;
      stale_q <= 1'b0;
      port_wait_q <= 1'b0;
      own_rd_q <= '0;
      own_wr_q <= '0;
    end else begin
      buf_valid_q <= buf_valid_d;
      fill_q <= fill_d;
      stale_q <= stale_d;
      port_wait_q <= port_wait_d;
      own_rd_q <= own_rd_d;
      own_wr_q <= own_wr_d;
    end
    buf_tag_q <= buf_tag_d;
    // wide: written only when something changes it
    if (buf_load) begin
      buf_data_q <= ddr_rdata;
    end else if (buf_merge) begin
      buf_data_q <= (buf_data_q & ~c_line_mask) | (c_line_wdata & c_line_mask);
    end
    fill_tag_q <= fill_tag_d;
    own_q <= own_d;
    rdata_q <= rdata_d;
  end

  assign c_rdata = rdata_q;
  assign idle = !fill_q && own_rd_q == own_wr_q;
endmodule
