`default_nettype none
// pcie_rx_demux: splits the host-to-card TLP stream: completions go to the
// DMA engine, every other TLP to the endpoint core. The choice is made on the
// first beat and held to the last. Clock domain: clk. Only the handshake
// and the Type field pass through here; header and data go to both sinks.
module pcie_rx_demux (
  input  wire logic        clk,
  input  wire logic        rst,

  // --- from the hard IP ---
  input  wire logic [4:0]        in_type,   // header DW0 Type field
  input  wire logic              in_sop,
  input  wire logic              in_eop,
  input  wire logic              in_valid,
  output logic                   in_ready,

  // --- requests (to the endpoint core) ---
  output logic              req_valid,
  input  wire logic         req_ready,

  // --- completions (to the DMA engine) ---
  output logic              cpl_valid,
  input  wire logic         cpl_ready
);
  localparam logic [4:0] TYPE_CPL = 5'b01010;  // Cpl, CplD

  logic in_pkt_q;    // inside a multi-beat TLP
  logic to_cpl_q;    // its destination
  logic to_cpl;

  assign to_cpl = (in_sop && !in_pkt_q) ? (in_type == TYPE_CPL) : to_cpl_q;
  assign req_valid = in_valid && !to_cpl;
  assign cpl_valid = in_valid && to_cpl;
  assign in_ready = to_cpl ? cpl_ready : req_ready;

  always_ff @(posedge clk) begin
    if (rst) begin
      in_pkt_q <= 1'b0;
      to_cpl_q <= 1'b0;
    end else if (in_valid && in_ready) begin
      in_pkt_q <= !in_eop;
      to_cpl_q <= to_cpl;
    end
  end
endmodule
