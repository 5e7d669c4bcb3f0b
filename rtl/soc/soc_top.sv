`default_nettype none
// soc_top: the portable soft-core SoC: cpu_core, instruction and data TCMs,
// the data-bus interconnect, UART, machine timer, interrupt controller and
// simulation control. Clock domain: clk, synchronous active-high rst.
// Addresses come from soc_map_pkg (generated from rtl/soc_map.toml).
//
// Interfaces: a loader port that writes TCM words while rst is held (the
// simulator's ELF loader; on a board, the host's firmware download), device
// interrupt lines, two device ports (ext_*: answers every access at once;
// ws_*: may hold an access with gnt low), the UART line, and observation
// outputs for the simulator.
module soc_top #(
  parameter int ITCM_ABITS = 18,  // ITCM byte-address bits (size 2**ITCM_ABITS, within its map region)
  parameter int DTCM_ABITS = 18,  // DTCM byte-address bits (size 2**DTCM_ABITS, within its map region)
  parameter int UART_CLKS_PER_BIT = 1,           // 1 in simulation; set by the board
  parameter int NIRQ = 32                        // device interrupt lines
) (
  input  wire logic        clk,
  input  wire logic        rst,

  // --- loader (used while rst is high) ---
  input  wire logic        ld_valid,
  input  wire logic [31:0] ld_addr,
  input  wire logic [31:0] ld_data,

  // --- devices ---
  input  wire logic [NIRQ-1:0] irq_lines,
  output logic        ext_req,        // VIRTIO, DMA, VQ, TIME, FWLOAD, DMABUF, FAST regions: the PCIe function
  output logic        ext_we,
  output logic [3:0]  ext_be,
  output logic [31:0] ext_addr,
  output logic [31:0] ext_wdata,
  input  wire logic [31:0] ext_rdata,      // one cycle after ext_req
  output logic        ws_req,         // RP, RPWIN, DDR, DAX, DAXWIN regions: devices with wait states
  output logic        ws_we,
  output logic [3:0]  ws_be,
  output logic [31:0] ws_addr,
  output logic [31:0] ws_wdata,
  input  wire logic        ws_gnt,         // low: the core holds the access (and retries it)
  input  wire logic [31:0] ws_rdata,       // one cycle after a granted read
  output logic        uart_tx,

  // --- observation ---
  output logic        con_valid,      // a byte written to the UART
  output logic [7:0]  con_data,
  output logic        exit_valid,     // SIMCTRL.EXIT written
  output logic [31:0] exit_value,
  output logic        store_valid,    // a store accepted on the data bus
  output logic [31:0] store_addr,
  output logic [31:0] store_data,
  output logic [3:0]  store_be,
  output logic        retire,
  output logic [63:0] cycle_count,
  output logic [63:0] instret_count
);
  initial begin
    if ((32'd1 << ITCM_ABITS) > soc_map_pkg::ITCM_SIZE) $error("soc_top: ITCM larger than its map region");
    if ((32'd1 << DTCM_ABITS) > soc_map_pkg::DTCM_SIZE) $error("soc_top: DTCM larger than its map region");
  end

  // Data-bus targets
  localparam int T_ITCM = 0;
  localparam int T_DTCM = 1;
  localparam int T_UART = 2;
  localparam int T_TIMER = 3;
  localparam int T_INTC = 4;
  localparam int T_SIMCTRL = 5;
  localparam int T_EXT = 6;
  localparam int T_WS = 7;
  localparam int NTARGETS = 8;

  // core ports
  logic [31:0] imem_addr, imem_rdata;
  logic        imem_err_q;
  logic        dmem_req, dmem_we, dmem_gnt, dmem_fault, dmem_rvalid;
  logic [3:0]  dmem_be;
  logic [31:0] dmem_addr, dmem_wdata, dmem_rdata;
  logic        irq_timer, irq_software, irq_external;

  logic [NTARGETS-1:0] sel;
  logic [NTARGETS-1:0] rsel_q;
  logic        rvalid_q;
  logic [31:0] itcm_rdata, dtcm_rdata, uart_rdata, timer_rdata, intc_rdata, simctrl_rdata;
  logic        uart_gnt;
  logic [31:0] simctrl_irq;

  function automatic logic in_region(input logic [31:0] a, input logic [31:0] base,
                                     input logic [31:0] size);
    in_region = ((a & ~(size - 32'd1)) == base);
  endfunction

  always_comb begin
    sel = '0;
    sel[T_ITCM]    = in_region(dmem_addr, soc_map_pkg::ITCM_BASE, soc_map_pkg::ITCM_SIZE);
    sel[T_DTCM]    = in_region(dmem_addr, soc_map_pkg::DTCM_BASE, soc_map_pkg::DTCM_SIZE);
    sel[T_UART]    = in_region(dmem_addr, soc_map_pkg::UART_BASE, soc_map_pkg::UART_SIZE);
    sel[T_TIMER]   = in_region(dmem_addr, soc_map_pkg::TIMER_BASE, soc_map_pkg::TIMER_SIZE);
    sel[T_INTC]    = in_region(dmem_addr, soc_map_pkg::INTC_BASE, soc_map_pkg::INTC_SIZE);
    sel[T_SIMCTRL] = in_region(dmem_addr, soc_map_pkg::SIMCTRL_BASE, soc_map_pkg::SIMCTRL_SIZE);
    sel[T_EXT]     = in_region(dmem_addr, soc_map_pkg::VIRTIO_BASE, soc_map_pkg::VIRTIO_SIZE) ||
                     in_region(dmem_addr, soc_map_pkg::DMA_BASE, soc_map_pkg::DMA_SIZE) ||
                     in_region(dmem_addr, soc_map_pkg::VQ_BASE, soc_map_pkg::VQ_SIZE) ||
                     in_region(dmem_addr, soc_map_pkg::TIME_BASE, soc_map_pkg::TIME_SIZE) ||
                     in_region(dmem_addr, soc_map_pkg::FWLOAD_BASE, soc_map_pkg::FWLOAD_SIZE) ||
                     in_region(dmem_addr, soc_map_pkg::DMABUF_BASE, soc_map_pkg::DMABUF_SIZE) ||
                     in_region(dmem_addr, soc_map_pkg::FAST_BASE, soc_map_pkg::FAST_SIZE);
    sel[T_WS]      = in_region(dmem_addr, soc_map_pkg::RP_BASE, soc_map_pkg::RP_SIZE) ||
                     in_region(dmem_addr, soc_map_pkg::RPWIN_BASE, soc_map_pkg::RPWIN_SIZE) ||
                     in_region(dmem_addr, soc_map_pkg::DDR_BASE, soc_map_pkg::DDR_SIZE) ||
                     in_region(dmem_addr, soc_map_pkg::DAX_BASE, soc_map_pkg::DAX_SIZE) ||
                     in_region(dmem_addr, soc_map_pkg::DAXWIN_BASE, soc_map_pkg::DAXWIN_SIZE);
  end

  assign dmem_fault = (sel == '0);
  assign dmem_gnt = sel[T_UART] ? uart_gnt : sel[T_WS] ? ws_gnt : 1'b1;

  always_ff @(posedge clk) begin
    if (rst) begin
      rvalid_q <= 1'b0;
      rsel_q <= '0;
    end else begin
      rvalid_q <= dmem_req && !dmem_we && dmem_gnt;
      rsel_q <= sel;
    end
    imem_err_q <= !in_region(imem_addr, soc_map_pkg::ITCM_BASE, soc_map_pkg::ITCM_SIZE);
  end

  always_comb begin
    unique case (1'b1)
      rsel_q[T_ITCM]:    dmem_rdata = itcm_rdata;
      rsel_q[T_DTCM]:    dmem_rdata = dtcm_rdata;
      rsel_q[T_UART]:    dmem_rdata = uart_rdata;
      rsel_q[T_TIMER]:   dmem_rdata = timer_rdata;
      rsel_q[T_INTC]:    dmem_rdata = intc_rdata;
      rsel_q[T_SIMCTRL]: dmem_rdata = simctrl_rdata;
      rsel_q[T_EXT]:     dmem_rdata = ext_rdata;
      rsel_q[T_WS]:      dmem_rdata = ws_rdata;
      default:           dmem_rdata = 32'd0;
    endcase
  end
  assign dmem_rvalid = rvalid_q;

  cpu_core #(
    .RESET_VECTOR (soc_map_pkg::RESET_VECTOR),
    .HART_ID      (soc_map_pkg::HART_ID)
  ) u_core (
    .clk           (clk),
    .rst           (rst),
    .imem_addr     (imem_addr),
    .imem_rdata    (imem_rdata),
    .imem_err      (imem_err_q),
    .dmem_req      (dmem_req),
    .dmem_we       (dmem_we),
    .dmem_be       (dmem_be),
    .dmem_addr     (dmem_addr),
    .dmem_wdata    (dmem_wdata),
    .dmem_gnt      (dmem_gnt),
    .dmem_fault    (dmem_fault),
    .dmem_rvalid   (dmem_rvalid),
    .dmem_rdata    (dmem_rdata),
    .irq_software  (irq_software),
    .irq_timer     (irq_timer),
    .irq_external  (irq_external),
    .retire        (retire),
    .cycle_count   (cycle_count),
    .instret_count (instret_count)
  );

  // TCM port B: the loader while in reset, the data bus otherwise.
  logic        ld_itcm, ld_dtcm;
  assign ld_itcm = ld_valid && in_region(ld_addr, soc_map_pkg::ITCM_BASE, soc_map_pkg::ITCM_SIZE);
  assign ld_dtcm = ld_valid && in_region(ld_addr, soc_map_pkg::DTCM_BASE, soc_map_pkg::DTCM_SIZE);

  soc_tcm #(
    .AW        (ITCM_ABITS),
    .DUAL_PORT (1'b1)
  ) u_itcm (
    .clk     (clk),
    .a_addr  (imem_addr[ITCM_ABITS-1:0]),
    .a_rdata (imem_rdata),
    .b_en    (ld_itcm || (dmem_req && sel[T_ITCM])),
    .b_we    (ld_itcm ? 4'b1111 : (dmem_we ? dmem_be : 4'b0000)),
    .b_addr  (ld_itcm ? ld_addr[ITCM_ABITS-1:0] : dmem_addr[ITCM_ABITS-1:0]),
    .b_wdata (ld_itcm ? ld_data : dmem_wdata),
    .b_rdata (itcm_rdata)
  );

  soc_tcm #(
    .AW        (DTCM_ABITS),
    .DUAL_PORT (1'b0)
  ) u_dtcm (
    .clk     (clk),
    .a_addr  ('0),
    .a_rdata (),
    .b_en    (ld_dtcm || (dmem_req && sel[T_DTCM])),
    .b_we    (ld_dtcm ? 4'b1111 : (dmem_we ? dmem_be : 4'b0000)),
    .b_addr  (ld_dtcm ? ld_addr[DTCM_ABITS-1:0] : dmem_addr[DTCM_ABITS-1:0]),
    .b_wdata (ld_dtcm ? ld_data : dmem_wdata),
    .b_rdata (dtcm_rdata)
  );

  soc_uart #(
    .CLKS_PER_BIT (UART_CLKS_PER_BIT)
  ) u_uart (
    .clk      (clk),
    .rst      (rst),
    .req      (dmem_req && sel[T_UART]),
    .we       (dmem_we),
    .addr     (dmem_addr[11:0]),
    .wdata    (dmem_wdata),
    .gnt      (uart_gnt),
    .rdata    (uart_rdata),
    .tx       (uart_tx),
    .tx_valid (con_valid),
    .tx_data  (con_data)
  );

  soc_timer u_timer (
    .clk          (clk),
    .rst          (rst),
    .req          (dmem_req && sel[T_TIMER]),
    .we           (dmem_we),
    .addr         (dmem_addr[11:0]),
    .wdata        (dmem_wdata),
    .be           (dmem_be),
    .rdata        (timer_rdata),
    .irq_timer    (irq_timer),
    .irq_software (irq_software)
  );

  soc_intc #(
    .NIRQ (NIRQ)
  ) u_intc (
    .clk          (clk),
    .rst          (rst),
    .req          (dmem_req && sel[T_INTC]),
    .we           (dmem_we),
    .addr         (dmem_addr[11:0]),
    .wdata        (dmem_wdata),
    .rdata        (intc_rdata),
    .irq_lines    (irq_lines | simctrl_irq[NIRQ-1:0]),
    .irq_external (irq_external)
  );

  soc_simctrl u_simctrl (
    .clk        (clk),
    .rst        (rst),
    .req        (dmem_req && sel[T_SIMCTRL]),
    .we         (dmem_we),
    .addr       (dmem_addr[11:0]),
    .wdata      (dmem_wdata),
    .rdata      (simctrl_rdata),
    .exit_valid (exit_valid),
    .exit_value (exit_value),
    .irq        (simctrl_irq)
  );

  assign ext_req = dmem_req && sel[T_EXT];
  assign ext_we = dmem_we;
  assign ext_be = dmem_be;
  assign ext_addr = dmem_addr;
  assign ext_wdata = dmem_wdata;

  assign ws_req = dmem_req && sel[T_WS];
  assign ws_we = dmem_we;
  assign ws_be = dmem_be;
  assign ws_addr = dmem_addr;
  assign ws_wdata = dmem_wdata;

  assign store_valid = dmem_req && dmem_we && dmem_gnt;
  assign store_addr = dmem_addr;
  assign store_data = dmem_wdata;
  assign store_be = dmem_be;
endmodule
