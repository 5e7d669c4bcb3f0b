`default_nettype none
// card_top: the portable core of the card: the soft-core SoC and the virtio-fs
// PCIe function, without board specifics (hard IP, DDR controller, pins).
// Clock domain: clk (one clock in this version; the board adds crossings).
// Interfaces: the SoC's loader and observation ports, generic TLP streams to
// the PCIe hard-IP adapter, the BAR2 memory port toward DDR.
module card_top #(
  parameter int DATA_W = 256,         // TLP stream payload width
  parameter int BAR2_SIZE_LOG2 = 30,  // DAX window size, log2 bytes
  parameter int NUM_REQ_QUEUES = 4,   // request queues besides hiprio
  parameter int UART_CLKS_PER_BIT = 1 // 1 in simulation
) (
  input  wire logic        clk,
  input  wire logic        rst,

  // --- loader and observation (soc_top) ---
  input  wire logic        ld_valid,
  input  wire logic [31:0] ld_addr,
  input  wire logic [31:0] ld_data,
  input  wire logic [30:0] irq_lines,
  output logic        uart_tx,
  output logic        con_valid,
  output logic [7:0]  con_data,
  output logic        exit_valid,
  output logic [31:0] exit_value,
  output logic        store_valid,
  output logic [31:0] store_addr,
  output logic [31:0] store_data,
  output logic [3:0]  store_be,
  output logic        retire,
  output logic [63:0] cycle_count,
  output logic [63:0] instret_count,

  // --- PCIe TLP streams ---
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

  // --- BAR2 memory (DDR) ---
  output logic        mem_req,
  output logic        mem_we,
  output logic [BAR2_SIZE_LOG2-1:0] mem_addr,
  output logic [3:0]  mem_be,
  output logic [31:0] mem_wdata,
  input  wire logic        mem_gnt,
  input  wire logic        mem_rvalid,
  input  wire logic [31:0] mem_rdata,
  output logic [31:0] pcie_err_count
);
  // SoC interrupt line 31 is the function's notification interrupt.
  logic        ext_req, ext_we, fn_irq;
  logic [3:0]  ext_be;
  logic [31:0] ext_addr, ext_wdata, ext_rdata;

  soc_top #(
    .UART_CLKS_PER_BIT (UART_CLKS_PER_BIT),
    .NIRQ              (32)
  ) u_soc (
    .clk           (clk),
    .rst           (rst),
    .ld_valid      (ld_valid),
    .ld_addr       (ld_addr),
    .ld_data       (ld_data),
    .irq_lines     ({fn_irq, irq_lines}),
    .ext_req       (ext_req),
    .ext_we        (ext_we),
    .ext_be        (ext_be),
    .ext_addr      (ext_addr),
    .ext_wdata     (ext_wdata),
    .ext_rdata     (ext_rdata),
    .uart_tx       (uart_tx),
    .con_valid     (con_valid),
    .con_data      (con_data),
    .exit_valid    (exit_valid),
    .exit_value    (exit_value),
    .store_valid   (store_valid),
    .store_addr    (store_addr),
    .store_data    (store_data),
    .store_be      (store_be),
    .retire        (retire),
    .cycle_count   (cycle_count),
    .instret_count (instret_count)
  );

  vfs_pcie #(
    .DATA_W         (DATA_W),
    .BAR2_SIZE_LOG2 (BAR2_SIZE_LOG2),
    .NUM_REQ_QUEUES (NUM_REQ_QUEUES)
  ) u_fn (
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
    .intx_assert  (intx_assert),
    .f_req        (ext_req),
    .f_we         (ext_we),
    .f_be         (ext_be),
    .f_addr       (ext_addr),
    .f_wdata      (ext_wdata),
    .f_rdata      (ext_rdata),
    .f_irq        (fn_irq),
    .mem_req      (mem_req),
    .mem_we       (mem_we),
    .mem_addr     (mem_addr),
    .mem_be       (mem_be),
    .mem_wdata    (mem_wdata),
    .mem_gnt      (mem_gnt),
    .mem_rvalid   (mem_rvalid),
    .mem_rdata    (mem_rdata),
    .err_count    (pcie_err_count)
  );
endmodule
