`default_nettype none
// pcie_cfg: Type 0 configuration space of the card's function: the standard
// header (IDs, command/status, BAR0 and BAR2, interrupt pin), power
// management, PCI Express and MSI-X capabilities, followed by the virtio
// capabilities of virtio_pci_caps. Clock domain: clk.
// Interface: DW-wide configuration reads and writes with byte enables (from
// the endpoint's CfgRd0/CfgWr0 handling; reads are combinational) and the
// state the rest of the function needs (BAR bases, enables, MPS, MRRS, MSI-X).
module pcie_cfg #(
  parameter int BAR2_SIZE_LOG2 = 30,  // DAX window (BAR2) size, log2 bytes
  parameter int MSIX_VECTORS = 8      // MSI-X table entries
) (
  input  wire logic        clk,
  input  wire logic        rst,

  // --- configuration access ---
  input  wire logic        req,
  input  wire logic        we,
  input  wire logic [9:0]  dw,
  input  wire logic [3:0]  be,
  input  wire logic [31:0] wdata,
  output logic [31:0] rdata,

  // --- function state ---
  output logic [63:0] bar0_base,
  output logic [63:0] bar2_base,
  output logic        mem_enable,
  output logic        bus_master,
  output logic        intx_disable,
  input  wire logic        intx_status,    // an INTx interrupt is pending
  output logic [2:0]  max_payload,    // Device Control MPS: 128 << value bytes
  output logic [2:0]  max_read_req,   // Device Control MRRS: 128 << value bytes
  output logic        msix_enable,
  output logic        msix_func_mask
);
  // Capability offsets (bytes) and ids
  localparam logic [7:0] CAP_PTR_PM    = 8'h40;
  localparam logic [7:0] CAP_PTR_PCIE  = 8'h48;
  localparam logic [7:0] CAP_PTR_MSIX  = 8'h84;
  localparam logic [7:0] CAP_PTR_VIRTIO = 8'h90;
  localparam logic [7:0] CAP_ID_PM     = 8'h01;
  localparam logic [7:0] CAP_ID_PCIE   = 8'h10;
  localparam logic [7:0] CAP_ID_MSIX   = 8'h11;
  localparam logic [9:0] DW_PM   = 10'h010;  // DW index of each capability
  localparam logic [9:0] DW_PCIE = 10'h012;
  localparam logic [9:0] DW_MSIX = 10'h021;
  localparam logic [63:0] BAR0_MASK = ~((64'd1 << pcie_pkg::BAR0_SIZE_LOG2) - 64'd1);
  localparam logic [63:0] BAR2_MASK = ~((64'd1 << BAR2_SIZE_LOG2) - 64'd1);
  localparam logic [3:0]  BAR0_TYPE = 4'b0100;   // memory, 64-bit, not prefetchable
  localparam logic [3:0]  BAR2_TYPE = 4'b1100;   // memory, 64-bit, prefetchable
  localparam logic [2:0]  MPS_SUPPORTED = 3'd1;  // 256-byte max payload
  localparam logic [3:0]  LINK_SPEED = 4'd3;     // 8 GT/s
  localparam logic [5:0]  LINK_WIDTH = 6'd8;     // x8

  initial begin
    if (MSIX_VECTORS < 1 || MSIX_VECTORS > 64) $error("pcie_cfg: MSIX_VECTORS must be 1..64");
  end

  logic [63:0] bar0_q, bar0_d, bar2_q, bar2_d;
  logic [15:0] command_q, command_d;
  logic [7:0]  int_line_q, int_line_d;
  logic [1:0]  pm_state_q, pm_state_d;
  logic [15:0] devctl_q, devctl_d;
  logic [15:0] lnkctl_q, lnkctl_d;
  logic [1:0]  msix_ctl_q, msix_ctl_d;   // {enable, function mask}

  logic        vcap_hit;
  logic [31:0] vcap_rdata;
  logic [31:0] wmask;
  logic [31:0] wr_merged[0:3];   // scratch: merged write values

  assign wmask = {{8{be[3]}}, {8{be[2]}}, {8{be[1]}}, {8{be[0]}}};

  virtio_pci_caps #(
    .BAR2_SIZE_LOG2 (BAR2_SIZE_LOG2)
  ) u_vcaps (
    .dw    (dw),
    .hit   (vcap_hit),
    .rdata (vcap_rdata)
  );

  function automatic logic [31:0] merge(input logic [31:0] old, input logic [31:0] val,
                                        input logic [31:0] mask);
    merge = (old & ~mask) | (val & mask);
  endfunction

  always_comb begin
    rdata = 32'd0;
    unique case (dw)
      10'd0:  rdata = {pcie_pkg::DEVICE_ID, pcie_pkg::VENDOR_ID};
      10'd1:  rdata = {11'd0, 1'b1, intx_status, 3'd0, command_q};  // status: capability list, INTx
      10'd2:  rdata = {pcie_pkg::CLASS_CODE, pcie_pkg::REVISION_ID};
      10'd3:  rdata = 32'd0;  // header type 0, single function
      10'd4:  rdata = {bar0_q[31:4], BAR0_TYPE};
      10'd5:  rdata = bar0_q[63:32];
      10'd6:  rdata = {bar2_q[31:4], BAR2_TYPE};
      10'd7:  rdata = bar2_q[63:32];
      10'd11: rdata = {pcie_pkg::SUBSYS_ID, pcie_pkg::SUBSYS_VENDOR};
      10'd13: rdata = {24'd0, CAP_PTR_PM};
      10'd15: rdata = {16'd0, 8'h01, int_line_q};  // interrupt pin INTA
      // Power management: version 3, D0/D3hot, No_Soft_Reset
      DW_PM:     rdata = {16'h0003, CAP_PTR_PCIE, CAP_ID_PM};
      DW_PM + 10'd1: rdata = {28'd0, 1'b1, 1'b0, pm_state_q};
      // PCI Express capability v2, endpoint
      DW_PCIE:     rdata = {16'h0002, CAP_PTR_MSIX, CAP_ID_PCIE};
      DW_PCIE + 10'd1: rdata = {29'd0, MPS_SUPPORTED} | 32'h0000_8000;  // role-based error reporting
      DW_PCIE + 10'd2: rdata = {16'd0, devctl_q};
      DW_PCIE + 10'd3: rdata = {22'd0, LINK_WIDTH, LINK_SPEED};
      DW_PCIE + 10'd4: rdata = {6'd0, LINK_WIDTH, LINK_SPEED, lnkctl_q};
      DW_PCIE + 10'd11: rdata = {28'd0, 3'b111, 1'b0};   // link capabilities 2: 2.5/5/8 GT/s
      DW_PCIE + 10'd12: rdata = {28'd0, LINK_SPEED};     // link control 2: target speed
      // MSI-X: table and PBA in BAR0
      DW_MSIX:     rdata = {msix_ctl_q, 3'd0, 11'(MSIX_VECTORS - 1), CAP_PTR_VIRTIO, CAP_ID_MSIX};
      DW_MSIX + 10'd1: rdata = {17'd0, pcie_pkg::BAR0_MSIX_TABLE} | 32'd0;  // BIR 0
      DW_MSIX + 10'd2: rdata = {17'd0, pcie_pkg::BAR0_MSIX_PBA} | 32'd0;
      default: rdata = vcap_hit ? vcap_rdata : 32'd0;
    endcase
  end

  always_comb begin
    bar0_d = bar0_q;
    bar2_d = bar2_q;
    command_d = command_q;
    int_line_d = int_line_q;
    pm_state_d = pm_state_q;
    devctl_d = devctl_q;
    lnkctl_d = lnkctl_q;
    msix_ctl_d = msix_ctl_q;
    for (int i = 0; i < 4; i++) wr_merged[i] = 32'd0;
    if (req && we) begin
      unique case (dw)
        // memory space, bus master, INTx disable
        10'd1:  begin
          wr_merged[0] = merge({16'd0, command_q}, wdata, wmask & 32'h0000_0406);
          command_d = wr_merged[0][15:0];
        end
        10'd4:  bar0_d[31:0] = merge(bar0_q[31:0], wdata, wmask) & BAR0_MASK[31:0];
        10'd5:  bar0_d[63:32] = merge(bar0_q[63:32], wdata, wmask) & BAR0_MASK[63:32];
        10'd6:  bar2_d[31:0] = merge(bar2_q[31:0], wdata, wmask) & BAR2_MASK[31:0];
        10'd7:  bar2_d[63:32] = merge(bar2_q[63:32], wdata, wmask) & BAR2_MASK[63:32];
        10'd15: begin
          wr_merged[1] = merge({24'd0, int_line_q}, wdata, wmask);
          int_line_d = wr_merged[1][7:0];
        end
        DW_PM + 10'd1: begin
          wr_merged[2] = merge({30'd0, pm_state_q}, wdata, wmask);
          pm_state_d = wr_merged[2][1:0];
        end
        // Device Control: error reporting enables, relaxed ordering, MPS,
        // extended tag, no snoop, MRRS; MPS above the supported 256 B is clamped.
        DW_PCIE + 10'd2: begin
          wr_merged[3] = merge({16'd0, devctl_q}, wdata, wmask & 32'h0000_7fff);
          devctl_d = wr_merged[3][15:0];
          if (devctl_d[7:5] > MPS_SUPPORTED) devctl_d[7:5] = MPS_SUPPORTED;
        end
        DW_PCIE + 10'd4: begin
          wr_merged[0] = merge({16'd0, lnkctl_q}, wdata, wmask & 32'h0000_00c3);
          lnkctl_d = wr_merged[0][15:0];
        end
        DW_MSIX: if (be[3]) msix_ctl_d = wdata[31:30];
        default: ;
      endcase
    end
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      bar0_q <= 64'd0;
      bar2_q <= 64'd0;
      command_q <= 16'd0;
      int_line_q <= 8'hff;
      pm_state_q <= 2'd0;
      devctl_q <= 16'h2810;  // MRRS 512, no snoop, relaxed ordering, MPS 128
      lnkctl_q <= 16'd0;
      msix_ctl_q <= 2'b00;
    end else begin
      bar0_q <= bar0_d;
      bar2_q <= bar2_d;
      command_q <= command_d;
      int_line_q <= int_line_d;
      pm_state_q <= pm_state_d;
      devctl_q <= devctl_d;
      lnkctl_q <= lnkctl_d;
      msix_ctl_q <= msix_ctl_d;
    end
  end

  assign bar0_base = bar0_q;
  assign bar2_base = bar2_q;
  assign mem_enable = command_q[1];
  assign bus_master = command_q[2];
  assign intx_disable = command_q[10];
  assign max_payload = devctl_q[7:5];
  assign max_read_req = devctl_q[14:12];
  assign msix_enable = msix_ctl_q[1];
  assign msix_func_mask = msix_ctl_q[0];
endmodule
