`default_nettype none
// rp_regs: the root port's firmware registers (the RP region except
// CFG_DATA, which rp_outbound serves). Clock domain: clk. Offsets come from
// soc_map_pkg (rtl/soc_map.toml); the contract is docs/nvme-root-port.md.
//
// Interfaces: register bus (answers at once, read data one cycle later),
// configuration for rp_outbound and rp_inbound, their events, the MSI
// interrupt line.
module rp_regs #(
  parameter int WIN_AW = 20,                                  // RPWIN byte-address bits
  parameter int DDR_AW = 26,                                  // DDR byte-address bits
  parameter logic [63:0] DDR_BUS_BASE = 64'h1_0000_0000,      // bus address of DDR offset 0
  parameter logic [63:0] MSI_ADDR = 64'h0000_0000_fee0_0000, // MSI doorbell bus address
  parameter logic [31:0] TIMEOUT_RESET = soc_map_pkg::RP_TIMEOUT_RESET  // completion timeout after reset, cycles
) (
  input  wire logic        clk,
  input  wire logic        rst,

  // --- register bus ---
  input  wire logic        req,
  input  wire logic        we,
  input  wire logic [11:0] addr,
  input  wire logic [31:0] wdata,
  output logic [31:0] rdata,

  // --- configuration ---
  output logic [31:0] cfg_addr,
  output logic [63:0] win_base,
  output logic [31:0] timeout,
  output logic [soc_map_pkg::RP_RID_ID_W-1:0] rid,

  // --- events ---
  input  wire logic        ev_timeout,
  input  wire logic        ev_ur,
  input  wire logic        ev_ca,
  input  wire logic        ev_crs,
  input  wire logic        ev_poison,
  input  wire logic        ev_malformed,
  input  wire logic        ev_unexpected,
  input  wire logic        ev_refused,
  input  wire logic        ev_dropped,
  input  wire logic [63:0] ev_addr,
  input  wire logic        msi_valid,
  input  wire logic [31:0] msi_data,

  // --- interrupt (INTC line) ---
  output logic        irq
);
  initial begin
    if (WIN_AW < 12 || WIN_AW > 31) $error("rp_regs: WIN_AW out of range");
    if (DDR_AW < 12 || DDR_AW > 32) $error("rp_regs: DDR_AW out of range");
    if (TIMEOUT_RESET == 32'd0) $error("rp_regs: TIMEOUT_RESET must not be 0");
  end

  // STATUS bits and the other fields: soc_map_pkg::RP_<REG>_<FIELD>_* (rtl/soc_map.toml)
  localparam int RID_W = soc_map_pkg::RP_RID_ID_W;
  localparam logic [63:0] DDR_SIZE = 64'd1 << DDR_AW;

  logic [31:0] cfg_addr_q, cfg_addr_d;
  logic [63:0] win_q, win_d;
  logic [31:0] timeout_q, timeout_d;
  logic [RID_W-1:0] rid_q, rid_d;
  logic [31:0] status_q, status_d;
  logic [31:0] unexpected_q, unexpected_d;
  logic [31:0] inb_errs_q, inb_errs_d;
  logic [63:0] inb_addr_q, inb_addr_d;
  logic [31:0] msi_pending_q, msi_pending_d;
  logic [31:0] msi_count_q, msi_count_d;
  logic [31:0] rdata_q, rdata_d;
  logic        wr;

  assign wr = req && we;

  always_comb begin
    cfg_addr_d = cfg_addr_q;
    win_d = win_q;
    timeout_d = timeout_q;
    rid_d = rid_q;
    status_d = status_q;
    unexpected_d = unexpected_q + 32'(ev_unexpected);
    inb_errs_d = inb_errs_q + 32'(ev_refused || ev_dropped);
    inb_addr_d = (ev_refused || ev_dropped) ? ev_addr : inb_addr_q;
    msi_pending_d = msi_pending_q;
    msi_count_d = msi_count_q + 32'(msi_valid);

    if (wr) begin
      unique case (addr)
        soc_map_pkg::RP_CFG_ADDR:    cfg_addr_d = {wdata[31:2], 2'b00};
        soc_map_pkg::RP_WIN_LO:      win_d[31:0] = {wdata[31:WIN_AW], {WIN_AW{1'b0}}};
        soc_map_pkg::RP_WIN_HI:      win_d[63:32] = wdata;
        soc_map_pkg::RP_TIMEOUT:     timeout_d = (wdata == 32'd0) ? 32'd1 : wdata;
        soc_map_pkg::RP_STATUS:      status_d = status_q & ~wdata;
        soc_map_pkg::RP_MSI_PENDING: msi_pending_d = msi_pending_q & ~wdata;
        soc_map_pkg::RP_RID:         rid_d = wdata[soc_map_pkg::RP_RID_ID_LSB +: RID_W];
        default: ;
      endcase
    end
    // Events after the clears: one that arrives in the same cycle stays.
    if (ev_timeout) status_d[soc_map_pkg::RP_STATUS_TIMEOUT_LSB] = 1'b1;
    if (ev_ur) status_d[soc_map_pkg::RP_STATUS_UR_LSB] = 1'b1;
    if (ev_ca) status_d[soc_map_pkg::RP_STATUS_CA_LSB] = 1'b1;
    if (ev_crs) status_d[soc_map_pkg::RP_STATUS_CRS_LSB] = 1'b1;
    if (ev_poison) status_d[soc_map_pkg::RP_STATUS_POISONED_LSB] = 1'b1;
    if (ev_malformed) status_d[soc_map_pkg::RP_STATUS_MALFORMED_LSB] = 1'b1;
    if (ev_unexpected) status_d[soc_map_pkg::RP_STATUS_UNEXPECTED_LSB] = 1'b1;
    if (ev_refused) status_d[soc_map_pkg::RP_STATUS_INB_REFUSED_LSB] = 1'b1;
    if (ev_dropped) status_d[soc_map_pkg::RP_STATUS_INB_DROPPED_LSB] = 1'b1;
    if (msi_valid) msi_pending_d[msi_data[4:0]] = 1'b1;

    rdata_d = 32'd0;
    if (req && !we) begin
      unique case (addr)
        soc_map_pkg::RP_CFG_ADDR:    rdata_d = cfg_addr_q;
        soc_map_pkg::RP_WIN_LO:      rdata_d = win_q[31:0];
        soc_map_pkg::RP_WIN_HI:      rdata_d = win_q[63:32];
        soc_map_pkg::RP_TIMEOUT:     rdata_d = timeout_q;
        soc_map_pkg::RP_STATUS:      rdata_d = status_q;
        soc_map_pkg::RP_UNEXPECTED:  rdata_d = unexpected_q;
        soc_map_pkg::RP_INB_ERRS:    rdata_d = inb_errs_q;
        soc_map_pkg::RP_INB_ADDR_LO: rdata_d = inb_addr_q[31:0];
        soc_map_pkg::RP_INB_ADDR_HI: rdata_d = inb_addr_q[63:32];
        soc_map_pkg::RP_MSI_ADDR_LO: rdata_d = MSI_ADDR[31:0];
        soc_map_pkg::RP_MSI_ADDR_HI: rdata_d = MSI_ADDR[63:32];
        soc_map_pkg::RP_MSI_PENDING: rdata_d = msi_pending_q;
        soc_map_pkg::RP_MSI_COUNT:   rdata_d = msi_count_q;
        soc_map_pkg::RP_DDR_BUS_LO:  rdata_d = DDR_BUS_BASE[31:0];
        soc_map_pkg::RP_DDR_BUS_HI:  rdata_d = DDR_BUS_BASE[63:32];
        soc_map_pkg::RP_DDR_SIZE:    rdata_d = DDR_SIZE[31:0];
        soc_map_pkg::RP_RID:         rdata_d[soc_map_pkg::RP_RID_ID_LSB +: RID_W] = rid_q;
        default:                     rdata_d = 32'd0;
      endcase
    end
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      cfg_addr_q <= 32'd0;
      win_q <= 64'd0;
      timeout_q <= TIMEOUT_RESET;
      rid_q <= soc_map_pkg::RP_RID_ID_RESET;
      status_q <= soc_map_pkg::RP_STATUS_RESET;
      unexpected_q <= 32'd0;
      inb_errs_q <= 32'd0;
      inb_addr_q <= 64'd0;
      msi_pending_q <= 32'd0;
      msi_count_q <= 32'd0;
    end else begin
      cfg_addr_q <= cfg_addr_d;
      win_q <= win_d;
      timeout_q <= timeout_d;
      rid_q <= rid_d;
      status_q <= status_d;
      unexpected_q <= unexpected_d;
      inb_errs_q <= inb_errs_d;
      inb_addr_q <= inb_addr_d;
      msi_pending_q <= msi_pending_d;
      msi_count_q <= msi_count_d;
    end
    rdata_q <= rdata_d;
  end

  assign rdata = rdata_q;
  assign cfg_addr = cfg_addr_q;
  assign win_base = win_q;
  assign timeout = timeout_q;
  assign rid = rid_q;
  assign irq = |msi_pending_q;
endmodule
