`default_nettype none
// virtio_pci_caps: the virtio vendor capabilities of the card's configuration
// space (common, notify, ISR, device, and the shared-memory capability of the
// DAX window), and a vendor-data capability (virtio 1.2, cfg_type 9, which
// drivers that do not know it skip) that announces the card's clock in BAR0,
// as read-only data. No clock. Kept apart from the standard
// header so that, behind vendor hard IP that owns the header, only this block
// moves into the hard IP's extended/legacy capability window.
// Interface: a DW index of configuration space in, data and a hit flag out.
module virtio_pci_caps #(
  parameter int BAR2_SIZE_LOG2 = 30  // DAX window size, log2 bytes
) (
  input  wire logic [9:0]  dw,     // configuration space DW index
  output logic        hit,    // dw falls inside this block
  output logic [31:0] rdata
);
  localparam logic [7:0] CAP_VNDR      = 8'h09;  // PCI vendor-specific capability
  localparam logic [7:0] CFG_COMMON    = 8'd1;   // VIRTIO_PCI_CAP_COMMON_CFG
  localparam logic [7:0] CFG_NOTIFY    = 8'd2;   // VIRTIO_PCI_CAP_NOTIFY_CFG
  localparam logic [7:0] CFG_ISR       = 8'd3;   // VIRTIO_PCI_CAP_ISR_CFG
  localparam logic [7:0] CFG_DEVICE    = 8'd4;   // VIRTIO_PCI_CAP_DEVICE_CFG
  localparam logic [7:0] CFG_SHM       = 8'd8;   // VIRTIO_PCI_CAP_SHARED_MEMORY_CFG
  localparam logic [7:0] CFG_VENDOR    = 8'd9;   // VIRTIO_PCI_CAP_VENDOR_CFG (virtio 1.2)
  localparam logic [7:0] SHM_ID_CACHE  = 8'd0;   // VIRTIO_FS_SHMCAP_ID_CACHE
  localparam logic [7:0] VND_TIME      = 8'd1;   // our vendor data: the clock block
  localparam logic [7:0] VND_TIME_VER  = 8'd1;   // its layout version
  localparam logic [7:0] OFF_COMMON    = 8'h90;  // byte offsets in configuration space
  localparam logic [7:0] OFF_NOTIFY    = 8'ha0;
  localparam logic [7:0] OFF_ISR       = 8'hb4;
  localparam logic [7:0] OFF_DEVICE    = 8'hc4;
  localparam logic [7:0] OFF_SHM       = 8'hd4;
  localparam logic [7:0] OFF_TIME      = 8'hec;  // vendor data, 20 bytes: the last capability
  localparam logic [31:0] COMMON_LEN   = 32'h38;  // sizeof(struct virtio_pci_common_cfg)
  localparam logic [31:0] NOTIFY_LEN   = 32'h1000;
  localparam logic [31:0] ISR_LEN      = 32'h4;
  localparam logic [31:0] DEVICE_LEN   = 32'h28;  // sizeof(struct virtio_fs_config)
  localparam logic [63:0] SHM_LEN      = 64'd1 << BAR2_SIZE_LOG2;

  initial begin
    if (BAR2_SIZE_LOG2 < 12 || BAR2_SIZE_LOG2 > 40) $error("virtio_pci_caps: BAR2_SIZE_LOG2 out of range");
  end

  // First DW of a struct virtio_pci_cap: vndr, next, len, cfg_type.
  function automatic logic [31:0] cap_hdr(input logic [7:0] next, input logic [7:0] len,
                                          input logic [7:0] cfg_type);
    cap_hdr = {cfg_type, len, next, CAP_VNDR};
  endfunction

  logic [7:0] byte_off;
  assign byte_off = {dw[5:0], 2'b00};
  assign hit = (dw[9:6] == 4'd0) && (byte_off >= OFF_COMMON);  // through 0xff

  always_comb begin
    rdata = 32'd0;
    unique case (byte_off)
      // common: bar 0, offset 0x0000
      OFF_COMMON + 8'h0: rdata = cap_hdr(OFF_NOTIFY, 8'd16, CFG_COMMON);
      OFF_COMMON + 8'h4: rdata = 32'h0000_0000;             // bar 0, id 0
      OFF_COMMON + 8'h8: rdata = {17'd0, pcie_pkg::BAR0_COMMON};
      OFF_COMMON + 8'hc: rdata = COMMON_LEN;
      // notify: struct virtio_pci_notify_cap (20 bytes)
      OFF_NOTIFY + 8'h0: rdata = cap_hdr(OFF_ISR, 8'd20, CFG_NOTIFY);
      OFF_NOTIFY + 8'h4: rdata = 32'h0000_0000;
      OFF_NOTIFY + 8'h8: rdata = {17'd0, pcie_pkg::BAR0_NOTIFY};
      OFF_NOTIFY + 8'hc: rdata = NOTIFY_LEN;
      OFF_NOTIFY + 8'h10: rdata = 32'(pcie_pkg::NOTIFY_OFF_MULTIPLIER);
      // ISR
      OFF_ISR + 8'h0: rdata = cap_hdr(OFF_DEVICE, 8'd16, CFG_ISR);
      OFF_ISR + 8'h4: rdata = 32'h0000_0000;
      OFF_ISR + 8'h8: rdata = {17'd0, pcie_pkg::BAR0_ISR};
      OFF_ISR + 8'hc: rdata = ISR_LEN;
      // device configuration
      OFF_DEVICE + 8'h0: rdata = cap_hdr(OFF_SHM, 8'd16, CFG_DEVICE);
      OFF_DEVICE + 8'h4: rdata = 32'h0000_0000;
      OFF_DEVICE + 8'h8: rdata = {17'd0, pcie_pkg::BAR0_DEVICE};
      OFF_DEVICE + 8'hc: rdata = DEVICE_LEN;
      // shared memory: struct virtio_pci_cap64 (24 bytes), bar 2, id 0
      OFF_SHM + 8'h0:  rdata = cap_hdr(OFF_TIME, 8'd24, CFG_SHM);
      OFF_SHM + 8'h4:  rdata = {16'd0, SHM_ID_CACHE, 8'd2};
      OFF_SHM + 8'h8:  rdata = 32'd0;                       // offset low
      OFF_SHM + 8'hc:  rdata = SHM_LEN[31:0];               // length low
      OFF_SHM + 8'h10: rdata = 32'd0;                       // offset high
      OFF_SHM + 8'h14: rdata = SHM_LEN[63:32];              // length high
      // vendor data (struct virtio_pci_vndr_data: vendor_id after cfg_type),
      // then ours: what (1: clock), version, BAR, offset and length of the
      // block; last in the list
      OFF_TIME + 8'h0:  rdata = cap_hdr(8'h00, 8'd20, CFG_VENDOR);
      OFF_TIME + 8'h4:  rdata = {VND_TIME_VER, VND_TIME, pcie_pkg::VENDOR_ID};
      OFF_TIME + 8'h8:  rdata = 32'd0;                      // bar 0
      OFF_TIME + 8'hc:  rdata = {17'd0, pcie_pkg::BAR0_TIME};
      OFF_TIME + 8'h10: rdata = pcie_pkg::BAR0_TIME_LEN;
      default: rdata = 32'd0;
    endcase
  end
endmodule
