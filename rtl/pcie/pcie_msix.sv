`default_nettype none
// pcie_msix: MSI-X table and pending-bit array (in BAR0) and the message
// sender. Clock domain: clk.
// A request names a vector; with MSI-X enabled it becomes a memory write of
// the entry's data to the entry's address, or a pending bit while the entry
// or the function is masked (sent when unmasked). Requests for vector
// 0xffff (VIRTIO_MSI_NO_VECTOR) or past the table are dropped.
// Interfaces: host register port (table/PBA window of BAR0), interrupt
// requests, message output toward the endpoint's transmit side.
module pcie_msix #(
  parameter int VECTORS = 8  // table entries
) (
  input  wire logic        clk,
  input  wire logic        rst,

  // --- configuration state ---
  input  wire logic        msix_enable,
  input  wire logic        func_mask,
  input  wire logic        bus_master,

  // --- host register port: table at 0x0000, PBA at 0x1000 of this window ---
  input  wire logic        req,
  input  wire logic        we,
  input  wire logic [12:0] addr,
  input  wire logic [3:0]  be,
  input  wire logic [31:0] wdata,
  output logic [31:0] rdata,

  // --- interrupt requests ---
  input  wire logic        irq_valid,
  input  wire logic [15:0] irq_vector,

  // --- messages ---
  output logic        msg_valid,
  input  wire logic        msg_ready,
  output logic [63:0] msg_addr,
  output logic [31:0] msg_data
);
  localparam int VW = (VECTORS > 1) ? $clog2(VECTORS) : 1;  // vector index width
  localparam logic [12:0] PBA_BASE = 13'h1000;

  initial begin
    if (VECTORS < 1 || VECTORS > 32) $error("pcie_msix: VECTORS must be 1..32");
  end

  logic [31:0] addr_lo_q [0:VECTORS-1];
  logic [31:0] addr_hi_q [0:VECTORS-1];
  logic [31:0] data_q    [0:VECTORS-1];
  logic [VECTORS-1:0] mask_q;
  logic [VECTORS-1:0] pending_q, pending_d;
  logic        busy_q;
  logic [VW-1:0] sel_q;
  logic        found;
  logic [VW-1:0] found_idx;
  logic [31:0] wmask;
  logic [VW-1:0] entry;
  logic        in_table;

  assign wmask = {{8{be[3]}}, {8{be[2]}}, {8{be[1]}}, {8{be[0]}}};
  assign entry = addr[4 +: VW];
  assign in_table = (addr < PBA_BASE) && (32'(addr[12:4]) < VECTORS);

  always_comb begin
    rdata = 32'd0;
    if (in_table) begin
      unique case (addr[3:2])
        2'd0: rdata = addr_lo_q[entry];
        2'd1: rdata = addr_hi_q[entry];
        2'd2: rdata = data_q[entry];
        default: rdata = {31'd0, mask_q[entry]};
      endcase
    end else if (addr == PBA_BASE) begin
      rdata = 32'(pending_q);
    end
  end

  // The lowest pending vector that may be sent now.
  always_comb begin
    found = 1'b0;
    found_idx = '0;
    for (int i = VECTORS - 1; i >= 0; i--) begin
      if (pending_q[i] && !mask_q[i]) begin
        found = 1'b1;
        found_idx = VW'(i);
      end
    end
  end

  always_comb begin
    pending_d = pending_q;
    if (busy_q && msg_ready) pending_d[sel_q] = 1'b0;
    if (irq_valid && msix_enable && irq_vector < 16'(VECTORS)) pending_d[irq_vector[VW-1:0]] = 1'b1;
    if (!msix_enable) pending_d = '0;
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      mask_q <= '1;
      pending_q <= '0;
      busy_q <= 1'b0;
      sel_q <= '0;
    end else begin
      pending_q <= pending_d;
      if (busy_q) begin
        if (msg_ready) busy_q <= 1'b0;
      end else if (found && msix_enable && !func_mask && bus_master) begin
        busy_q <= 1'b1;
        sel_q <= found_idx;
      end
      if (req && we && in_table && addr[3:2] == 2'd3 && be[0]) mask_q[entry] <= wdata[0];
    end
    if (req && we && in_table) begin
      unique case (addr[3:2])
        2'd0: addr_lo_q[entry] <= ((addr_lo_q[entry] & ~wmask) | (wdata & wmask)) & 32'hffff_fffc;
        2'd1: addr_hi_q[entry] <= (addr_hi_q[entry] & ~wmask) | (wdata & wmask);
        2'd2: data_q[entry] <= (data_q[entry] & ~wmask) | (wdata & wmask);
        default: ;
      endcase
    end
  end

  assign msg_valid = busy_q;
  assign msg_addr = {addr_hi_q[sel_q], addr_lo_q[sel_q]};
  assign msg_data = data_q[sel_q];
endmodule
