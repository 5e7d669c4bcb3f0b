`default_nettype none
// card_line_arb: two clients of card memory's line port (the root port's
// inbound engine, a; the DAX window, b) onto one (card_ddr's p_* port).
// Clock domain: clk. Round robin per granted request: a client kept waiting
// goes first next time. Read data returns in request order; a FIFO remembers
// whose each read was. Interfaces: three line ports (request/grant, in-order
// read data at any latency).
module card_line_arb #(
  parameter int DATA_W = 256,   // line width
  parameter int LW = 26,        // line address bits
  parameter int OWNERS = 8      // reads in flight the owner FIFO can follow
) (
  input  wire logic        clk,
  input  wire logic        rst,

  input  wire logic                a_req,
  input  wire logic                a_we,
  input  wire logic [LW-1:0]       a_addr,
  input  wire logic [DATA_W/8-1:0] a_be,
  input  wire logic [DATA_W-1:0]   a_wdata,
  output logic                     a_gnt,
  output logic                     a_rvalid,

  input  wire logic                b_req,
  input  wire logic                b_we,
  input  wire logic [LW-1:0]       b_addr,
  input  wire logic [DATA_W/8-1:0] b_be,
  input  wire logic [DATA_W-1:0]   b_wdata,
  output logic                     b_gnt,
  output logic                     b_rvalid,

  output logic                     m_req,
  output logic                     m_we,
  output logic [LW-1:0]            m_addr,
  output logic [DATA_W/8-1:0]      m_be,
  output logic [DATA_W-1:0]        m_wdata,
  input  wire logic                m_gnt,
  input  wire logic                m_rvalid
);
  localparam int OW = $clog2(OWNERS);

  initial begin
    if (OWNERS < 2 || (OWNERS & (OWNERS - 1)) != 0) $error("card_line_arb: OWNERS must be a power of two >= 2");
  end

  logic          prefer_b_q;                // b was kept waiting last time
  logic          pick_b;
  logic          own_q [0:OWNERS-1];        // 1: the read is b's
  logic [OW:0]   wr_q, rd_q;
  logic          full;

  assign full = (wr_q - rd_q) == (OW + 1)'(OWNERS);
  assign pick_b = b_req && (!a_req || prefer_b_q);

  // A read is not issued while the owner FIFO is full.
  assign m_we = pick_b ? b_we : a_we;
  assign m_addr = pick_b ? b_addr : a_addr;
  assign m_be = pick_b ? b_be : a_be;
  assign m_wdata = pick_b ? b_wdata : a_wdata;
  assign m_req = (a_req || b_req) && (m_we || !full);
  assign a_gnt = m_req && !pick_b && m_gnt;
  assign b_gnt = m_req && pick_b && m_gnt;

  assign b_rvalid = m_rvalid && own_q[rd_q[OW-1:0]];
  assign a_rvalid = m_rvalid && !own_q[rd_q[OW-1:0]];

  always_ff @(posedge clk) begin
    if (m_req && m_gnt && !m_we) own_q[wr_q[OW-1:0]] <= pick_b;
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      prefer_b_q <= 1'b0;
      wr_q <= '0;
      rd_q <= '0;
    end else begin
      if (a_req && b_req && m_gnt && m_req) prefer_b_q <= !pick_b;
      if (m_req && m_gnt && !m_we) wr_q <= wr_q + 1'b1;
      if (m_rvalid) rd_q <= rd_q + 1'b1;
    end
  end
endmodule
