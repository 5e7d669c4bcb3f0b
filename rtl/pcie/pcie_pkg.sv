`default_nettype none
// pcie_pkg: TLP header encodings used by the endpoint core (PCIe Base
// Specification, transaction layer) and the card's PCI identity. No logic.
package pcie_pkg;
  // Fmt (DW0[31:29])
  localparam logic [2:0] FMT_3DW_NODATA = 3'b000;
  localparam logic [2:0] FMT_4DW_NODATA = 3'b001;
  localparam logic [2:0] FMT_3DW_DATA   = 3'b010;
  localparam logic [2:0] FMT_4DW_DATA   = 3'b011;

  // Type (DW0[28:24])
  localparam logic [4:0] TYPE_MEM  = 5'b00000;
  localparam logic [4:0] TYPE_CFG0 = 5'b00100;
  localparam logic [4:0] TYPE_CPL  = 5'b01010;

  // Completion status (DW1[15:13] of a completion)
  localparam logic [2:0] CPL_SC = 3'b000;  // successful
  localparam logic [2:0] CPL_UR = 3'b001;  // unsupported request
  localparam logic [2:0] CPL_CA = 3'b100;  // completer abort

  // Identity (virtio 1.x modern, file system device 26)
  localparam logic [15:0] VENDOR_ID     = 16'h1af4;
  localparam logic [15:0] DEVICE_ID     = 16'h105a;
  localparam logic [7:0]  REVISION_ID   = 8'h01;
  localparam logic [23:0] CLASS_CODE    = 24'h018000;  // mass storage, other
  localparam logic [15:0] SUBSYS_VENDOR = 16'h1af4;
  localparam logic [15:0] SUBSYS_ID     = 16'h0040;

  // BAR0 layout (docs/pcie-function.md)
  localparam int          BAR0_SIZE_LOG2  = 15;  // 32 KiB
  localparam logic [14:0] BAR0_COMMON     = 15'h0000;
  localparam logic [14:0] BAR0_NOTIFY     = 15'h1000;
  localparam logic [14:0] BAR0_ISR        = 15'h2000;
  localparam logic [14:0] BAR0_DEVICE     = 15'h3000;
  localparam logic [14:0] BAR0_MSIX_TABLE = 15'h4000;
  localparam logic [14:0] BAR0_MSIX_PBA   = 15'h5000;
  localparam int          NOTIFY_OFF_MULTIPLIER = 4;

  // BAR2 (DAX window): the longest write accepted, = Max_Payload_Size
  // Supported (pcie_cfg: 256 bytes).
  localparam int          BAR2_MAX_WRITE_DWS = 64;
endpackage
