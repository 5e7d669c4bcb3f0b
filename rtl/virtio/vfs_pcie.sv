`default_nettype none
// vfs_pcie: the card's virtio-fs PCIe function: the endpoint core (config
// space, MSI-X, BAR decode, completions) and the virtio register file.
// Clock domain: clk. Interfaces: generic TLP streams toward the hard IP, the
// firmware register port (SoC MMIO, VIRTIO region), the BAR2 memory port.
module vfs_pcie #(
  parameter int DATA_W = 256,         // TLP stream payload width
  parameter int BAR2_SIZE_LOG2 = 30,  // DAX window size, log2 bytes
  parameter int NUM_REQ_QUEUES = 4,   // request queues besides hiprio
  parameter int MSIX_VECTORS = 8      // MSI-X table entries
) (
  input  wire logic        clk,
  input  wire logic        rst,

  // --- TLP streams ---
  input  wire logic [127:0]      rx_tlp_hdr,
  input  wire logic [DATA_W-1:0] rx_tlp_data,
  input  wire logic              rx_tlp_sop,
  input  wire logic              rx_tlp_eop,
  input  wire logic              rx_tlp_valid,
  output logic                   rx_tlp_ready,
  output logic [127:0]      tx_tlp_hdr,
  output logic [DATA_W-1:0] tx_tlp_data,
  output logic              tx_tlp_sop,
  output logic              tx_tlp_eop,
  output logic              tx_tlp_valid,
  input  wire logic         tx_tlp_ready,
  output logic              intx_assert,

  // --- firmware register port ---
  input  wire logic        f_req,
  input  wire logic        f_we,
  input  wire logic [11:0] f_addr,
  input  wire logic [31:0] f_wdata,
  output logic [31:0] f_rdata,        // one cycle after f_req
  output logic        f_irq,

  // --- BAR2 memory (card DDR) ---
  output logic        mem_req,
  output logic        mem_we,
  output logic [BAR2_SIZE_LOG2-1:0] mem_addr,
  output logic [3:0]  mem_be,
  output logic [31:0] mem_wdata,
  input  wire logic        mem_gnt,
  input  wire logic        mem_rvalid,
  input  wire logic [31:0] mem_rdata,

  // --- status ---
  output logic [31:0] err_count
);
  logic        app_req, app_we, app_rvalid_q;
  logic [14:0] app_addr;
  logic [3:0]  app_be;
  logic [31:0] app_wdata, app_rdata_c, app_rdata_q, f_rdata_c;
  logic        irq_valid, intx_level, msix_enable, dev_reset;
  logic [15:0] irq_vector;
  logic [15:0] requester_id;
  logic        bus_master;
  logic [2:0]  max_payload, max_read_req;

  pcie_ep #(
    .DATA_W         (DATA_W),
    .BAR2_SIZE_LOG2 (BAR2_SIZE_LOG2),
    .MSIX_VECTORS   (MSIX_VECTORS)
  ) u_ep (
    .clk          (clk),
    .rst          (rst),
    .rx_tlp_hdr   (rx_tlp_hdr),
    .rx_tlp_data  (rx_tlp_data),
    .rx_tlp_sop   (rx_tlp_sop),
    .rx_tlp_eop   (rx_tlp_eop),
    .rx_tlp_valid (rx_tlp_valid),
    .rx_tlp_ready (rx_tlp_ready),
    .tx_tlp_hdr   (tx_tlp_hdr),
    .tx_tlp_data  (tx_tlp_data),
    .tx_tlp_sop   (tx_tlp_sop),
    .tx_tlp_eop   (tx_tlp_eop),
    .tx_tlp_valid (tx_tlp_valid),
    .tx_tlp_ready (tx_tlp_ready),
    .app_req      (app_req),
    .app_we       (app_we),
    .app_addr     (app_addr),
    .app_be       (app_be),
    .app_wdata    (app_wdata),
    .app_gnt      (1'b1),
    .app_rvalid   (app_rvalid_q),
    .app_rdata    (app_rdata_q),
    .mem_req      (mem_req),
    .mem_we       (mem_we),
    .mem_addr     (mem_addr),
    .mem_be       (mem_be),
    .mem_wdata    (mem_wdata),
    .mem_gnt      (mem_gnt),
    .mem_rvalid   (mem_rvalid),
    .mem_rdata    (mem_rdata),
    .irq_valid    (irq_valid),
    .irq_vector   (irq_vector),
    .intx_level   (intx_level),
    .intx_assert  (intx_assert),
    .msix_enable  (msix_enable),
    .requester_id (requester_id),
    .bus_master   (bus_master),
    .max_payload  (max_payload),
    .max_read_req (max_read_req),
    .err_count    (err_count)
  );

  virtio_regs #(
    .NUM_REQ_QUEUES (NUM_REQ_QUEUES),
    .MSIX_VECTORS   (MSIX_VECTORS)
  ) u_regs (
    .clk          (clk),
    .rst          (rst),
    .h_req        (app_req),
    .h_we         (app_we),
    .h_addr       (app_addr),
    .h_be         (app_be),
    .h_wdata      (app_wdata),
    .h_rdata      (app_rdata_c),
    .f_req        (f_req),
    .f_we         (f_we),
    .f_addr       (f_addr),
    .f_wdata      (f_wdata),
    .f_rdata      (f_rdata_c),
    .f_irq        (f_irq),
    .msix_enable  (msix_enable),
    .irq_valid    (irq_valid),
    .irq_vector   (irq_vector),
    .intx         (intx_level),
    .dev_reset    (dev_reset)
  );

  always_ff @(posedge clk) begin
    app_rvalid_q <= app_req && !app_we;
    app_rdata_q <= app_rdata_c;
    f_rdata <= f_rdata_c;
  end
endmodule
