`default_nettype none
// sim_card_top: the simulation top: card_top with a behavioural DDR
// (sim_ddr) on its DDR line port and register slices (sim_tlp_slice) on both
// TLP links, the host's and the root port's, where the board's hard-IP
// adapters have their own buffering. Every output then comes from a
// register, so no output depends combinationally on an input and the
// simulator settles the model once per clock (sim/vtop.cpp).
// The firmware-load strap comes from the testbench through DPI
// (sim_fw_strap(), sim/sim_strap.c), read while rst is high, as a board
// samples its DIP switch at the card's reset.
// Simulation only; card_top stays the synthesis top.
// Clock domain: clk. Interfaces: every card_top port except the DDR port and
// the strap.
module sim_card_top #(
  parameter int DATA_W = 256,         // TLP stream payload width
  parameter int BAR2_SIZE_LOG2 = 30,  // DAX window size, log2 bytes
  parameter int NUM_REQ_QUEUES = 4,   // request queues besides hiprio
  parameter int DDR_AW = 31           // simulated card memory: 2**DDR_AW bytes (2 GiB, sparse)
) (
  input  wire logic        clk,
  input  wire logic        rst,

  // --- loader and observation (soc_top) ---
  input  wire logic        ld_valid,
  input  wire logic [31:0] ld_addr,
  input  wire logic [31:0] ld_data,
  output logic        fw_wait,        // the core waits for the host's load
  input  wire logic [29:0] irq_lines,
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

  output logic [31:0] pcie_err_count,

  // --- root port toward the SSD ---
  output logic [127:0]      rp_tx_tlp_hdr,
  output logic [DATA_W-1:0] rp_tx_tlp_data,
  output logic              rp_tx_tlp_sop,
  output logic              rp_tx_tlp_eop,
  output logic              rp_tx_tlp_valid,
  input  wire logic         rp_tx_tlp_ready,
  input  wire logic [127:0]      rp_rx_tlp_hdr,
  input  wire logic [DATA_W-1:0] rp_rx_tlp_data,
  input  wire logic              rp_rx_tlp_sop,
  input  wire logic              rp_rx_tlp_eop,
  input  wire logic              rp_rx_tlp_valid,
  output logic                   rp_rx_tlp_ready,

  // --- activity: the card and every register slice idle (sim/vtop.cpp) ---
  output logic                   quiet
);
  localparam int LW = DDR_AW - $clog2(DATA_W / 8);

  import "DPI-C" function int sim_fw_strap();
  logic                strap_q;

  logic                ddr_req, ddr_we, ddr_gnt, ddr_rvalid;
  logic [LW-1:0]       ddr_addr;
  logic [DATA_W/8-1:0] ddr_be;
  logic [DATA_W-1:0]   ddr_wdata, ddr_rdata;
  // both links inside the register slices, and the interrupt lines
  logic [127:0]        c_tx_tlp_hdr, c_rx_tlp_hdr;
  logic [DATA_W-1:0]   c_tx_tlp_data, c_rx_tlp_data;
  logic c_tx_tlp_sop, c_tx_tlp_eop, c_tx_tlp_valid, c_tx_tlp_ready;
  logic c_rx_tlp_sop, c_rx_tlp_eop, c_rx_tlp_valid, c_rx_tlp_ready;
  logic [29:0]         irq_q;
  logic                c_quiet;
  logic [127:0]        c_rp_tx_tlp_hdr, c_rp_rx_tlp_hdr;
  logic [DATA_W-1:0]   c_rp_tx_tlp_data, c_rp_rx_tlp_data;
  logic c_rp_tx_tlp_sop, c_rp_tx_tlp_eop, c_rp_tx_tlp_valid, c_rp_tx_tlp_ready;
  logic c_rp_rx_tlp_sop, c_rp_rx_tlp_eop, c_rp_rx_tlp_valid, c_rp_rx_tlp_ready;

  card_top #(
    .DATA_W         (DATA_W),
    .BAR2_SIZE_LOG2 (BAR2_SIZE_LOG2),
    .NUM_REQ_QUEUES (NUM_REQ_QUEUES),
    .DDR_AW         (DDR_AW)
  ) u_card (
    .clk              (clk),
    .rst              (rst),
    .ld_valid         (ld_valid),
    .ld_addr          (ld_addr),
    .ld_data          (ld_data),
    .fw_load_strap    (strap_q),
    .fw_wait          (fw_wait),
    .irq_lines        (irq_q),
    .uart_tx          (uart_tx),
    .con_valid        (con_valid),
    .con_data         (con_data),
    .exit_valid       (exit_valid),
    .exit_value       (exit_value),
    .store_valid      (store_valid),
    .store_addr       (store_addr),
    .store_data       (store_data),
    .store_be         (store_be),
    .retire           (retire),
    .cycle_count      (cycle_count),
    .instret_count    (instret_count),
    .rx_tlp_hdr       (c_rx_tlp_hdr),
    .rx_tlp_data      (c_rx_tlp_data),
    .rx_tlp_sop       (c_rx_tlp_sop),
    .rx_tlp_eop       (c_rx_tlp_eop),
    .rx_tlp_valid     (c_rx_tlp_valid),
    .rx_tlp_ready     (c_rx_tlp_ready),
    .tx_tlp_hdr       (c_tx_tlp_hdr),
    .tx_tlp_data      (c_tx_tlp_data),
    .tx_tlp_sop       (c_tx_tlp_sop),
    .tx_tlp_eop       (c_tx_tlp_eop),
    .tx_tlp_valid     (c_tx_tlp_valid),
    .tx_tlp_ready     (c_tx_tlp_ready),
    .intx_assert      (intx_assert),
    .pcie_err_count   (pcie_err_count),
    .rp_tx_tlp_hdr    (c_rp_tx_tlp_hdr),
    .rp_tx_tlp_data   (c_rp_tx_tlp_data),
    .rp_tx_tlp_sop    (c_rp_tx_tlp_sop),
    .rp_tx_tlp_eop    (c_rp_tx_tlp_eop),
    .rp_tx_tlp_valid  (c_rp_tx_tlp_valid),
    .rp_tx_tlp_ready  (c_rp_tx_tlp_ready),
    .rp_rx_tlp_hdr    (c_rp_rx_tlp_hdr),
    .rp_rx_tlp_data   (c_rp_rx_tlp_data),
    .rp_rx_tlp_sop    (c_rp_rx_tlp_sop),
    .rp_rx_tlp_eop    (c_rp_rx_tlp_eop),
    .rp_rx_tlp_valid  (c_rp_rx_tlp_valid),
    .rp_rx_tlp_ready  (c_rp_rx_tlp_ready),
    .ddr_req          (ddr_req),
    .ddr_we           (ddr_we),
    .ddr_addr         (ddr_addr),
    .ddr_be           (ddr_be),
    .ddr_wdata        (ddr_wdata),
    .ddr_gnt          (ddr_gnt),
    .ddr_rvalid       (ddr_rvalid),
    .ddr_rdata        (ddr_rdata),
    .quiet            (c_quiet)
  );

  // Quiet: card_top's quiet and all four slices empty (out_valid low). From
  // registers only, like every other output; the testbench checks its own
  // inputs of this cycle.
  assign quiet = c_quiet && !tx_tlp_valid && !c_rx_tlp_valid && !rp_tx_tlp_valid && !c_rp_rx_tlp_valid;

  // The interrupt lines arrive through a register, like any input from the
  // board's pins.
  always_ff @(posedge clk) irq_q <= irq_lines;

  // The strap: asked of the testbench during reset only, then kept.
  always_ff @(posedge clk) begin
    if (rst) strap_q <= sim_fw_strap() != 0;
  end

  // The host's link passes register slices (the board's adapter buffers too).
  sim_tlp_slice #(
    .DATA_W (DATA_W)
  ) u_tx (
    .clk       (clk),
    .rst       (rst),
    .in_hdr    (c_tx_tlp_hdr),
    .in_data   (c_tx_tlp_data),
    .in_sop    (c_tx_tlp_sop),
    .in_eop    (c_tx_tlp_eop),
    .in_valid  (c_tx_tlp_valid),
    .in_ready  (c_tx_tlp_ready),
    .out_hdr   (tx_tlp_hdr),
    .out_data  (tx_tlp_data),
    .out_sop   (tx_tlp_sop),
    .out_eop   (tx_tlp_eop),
    .out_valid (tx_tlp_valid),
    .out_ready (tx_tlp_ready)
  );

  sim_tlp_slice #(
    .DATA_W (DATA_W)
  ) u_rx (
    .clk       (clk),
    .rst       (rst),
    .in_hdr    (rx_tlp_hdr),
    .in_data   (rx_tlp_data),
    .in_sop    (rx_tlp_sop),
    .in_eop    (rx_tlp_eop),
    .in_valid  (rx_tlp_valid),
    .in_ready  (rx_tlp_ready),
    .out_hdr   (c_rx_tlp_hdr),
    .out_data  (c_rx_tlp_data),
    .out_sop   (c_rx_tlp_sop),
    .out_eop   (c_rx_tlp_eop),
    .out_valid (c_rx_tlp_valid),
    .out_ready (c_rx_tlp_ready)
  );

  // So does the SSD's.
  sim_tlp_slice #(
    .DATA_W (DATA_W)
  ) u_rp_tx (
    .clk       (clk),
    .rst       (rst),
    .in_hdr    (c_rp_tx_tlp_hdr),
    .in_data   (c_rp_tx_tlp_data),
    .in_sop    (c_rp_tx_tlp_sop),
    .in_eop    (c_rp_tx_tlp_eop),
    .in_valid  (c_rp_tx_tlp_valid),
    .in_ready  (c_rp_tx_tlp_ready),
    .out_hdr   (rp_tx_tlp_hdr),
    .out_data  (rp_tx_tlp_data),
    .out_sop   (rp_tx_tlp_sop),
    .out_eop   (rp_tx_tlp_eop),
    .out_valid (rp_tx_tlp_valid),
    .out_ready (rp_tx_tlp_ready)
  );

  sim_tlp_slice #(
    .DATA_W (DATA_W)
  ) u_rp_rx (
    .clk       (clk),
    .rst       (rst),
    .in_hdr    (rp_rx_tlp_hdr),
    .in_data   (rp_rx_tlp_data),
    .in_sop    (rp_rx_tlp_sop),
    .in_eop    (rp_rx_tlp_eop),
    .in_valid  (rp_rx_tlp_valid),
    .in_ready  (rp_rx_tlp_ready),
    .out_hdr   (c_rp_rx_tlp_hdr),
    .out_data  (c_rp_rx_tlp_data),
    .out_sop   (c_rp_rx_tlp_sop),
    .out_eop   (c_rp_rx_tlp_eop),
    .out_valid (c_rp_rx_tlp_valid),
    .out_ready (c_rp_rx_tlp_ready)
  );

  sim_ddr #(
    .DATA_W (DATA_W),
    .DDR_AW (DDR_AW)
  ) u_ddr (
    .clk    (clk),
    .rst    (rst),
    .req    (ddr_req),
    .we     (ddr_we),
    .addr   (ddr_addr),
    .be     (ddr_be),
    .wdata  (ddr_wdata),
    .gnt    (ddr_gnt),
    .rvalid (ddr_rvalid),
    .rdata  (ddr_rdata)
  );
endmodule
