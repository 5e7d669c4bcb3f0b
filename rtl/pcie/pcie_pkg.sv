`default_nettype none
// pcie_pkg: TLP header encodings used by the endpoint core and the root
// port (PCIe Base Specification, transaction layer), the rules every
// completer applies to them (functions), and the card's PCI identity.
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
  localparam logic [14:0] BAR0_TIME       = 15'h6000;  // the clock (vfs_time), to BAR0_FWLOAD
  localparam logic [14:0] BAR0_FWLOAD     = 15'h7000;  // the firmware load window (vfs_fwload), to the end of BAR0
  localparam logic [31:0] BAR0_TIME_LEN   = 32'h20;    // its registers (rtl/soc_map.toml TIME)
  localparam int          NOTIFY_OFF_MULTIPLIER = 4;

  // BAR2 (DAX window): the longest write accepted, = Max_Payload_Size
  // Supported (pcie_cfg: 256 bytes).
  localparam int          BAR2_MAX_WRITE_DWS = 64;

  // Offset of the first / last enabled byte of a DW's byte enables (0 when none).
  function automatic logic [1:0] be_low(input logic [3:0] be);
    be_low = be[0] ? 2'd0 : be[1] ? 2'd1 : be[2] ? 2'd2 : be[3] ? 2'd3 : 2'd0;
  endfunction
  function automatic logic [1:0] be_high(input logic [3:0] be);
    be_high = be[3] ? 2'd3 : be[2] ? 2'd2 : be[1] ? 2'd1 : 2'd0;
  endfunction

  // The byte count of a memory read of ndw DWs (1..1024), 1..4096: what its
  // first completion reports (a zero-length read counts 1).
  function automatic logic [12:0] read_bytes(input logic [10:0] ndw, input logic [3:0] fbe,
                                             input logic [3:0] lbe);
    if (ndw == 11'd1)
      read_bytes = (fbe == 4'd0) ? 13'd1 : 13'(be_high(fbe)) - 13'(be_low(fbe)) + 13'd1;
    else
      read_bytes = {ndw, 2'b00} - 13'(be_low(fbe)) - (13'd3 - 13'(be_high(lbe)));
  endfunction

  // A completion's 3-DW header (bytes: byte count, 4096 as 0; la: lower
  // address; attr: {attr[2], attr[1:0]}; cid: completer ID).
  function automatic logic [127:0] cpl_header(input logic [2:0] status, input logic with_data,
                                              input logic [9:0] len, input logic [11:0] bytes,
                                              input logic [6:0] la, input logic [2:0] tc,
                                              input logic [2:0] attr, input logic [15:0] cid,
                                              input logic [15:0] reqid, input logic [7:0] tag);
    cpl_header = '0;
    cpl_header[31:29] = with_data ? FMT_3DW_DATA : FMT_3DW_NODATA;
    cpl_header[28:24] = TYPE_CPL;
    cpl_header[22:20] = tc;
    cpl_header[18] = attr[2];
    cpl_header[13:12] = attr[1:0];
    cpl_header[9:0] = len;
    cpl_header[63:48] = cid;
    cpl_header[47:45] = status;
    cpl_header[43:32] = bytes;
    cpl_header[95:80] = reqid;
    cpl_header[79:72] = tag;
    cpl_header[70:64] = la;
  endfunction
endpackage
