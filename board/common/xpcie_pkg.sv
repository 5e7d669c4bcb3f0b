`default_nettype none
// xpcie_pkg: encodings of the AMD UltraScale PCIe integrated block's
// AXI4-Stream interfaces (PG156, "Gen3 Integrated Block for PCI Express":
// completer request CQ, completer completion CC, requester request RQ,
// requester completion RC) for the 256-bit interface, dword-aligned mode,
// straddling off. Field positions are bit indices into the first beat's
// tdata (the descriptor) or into tuser. No logic.
package xpcie_pkg;
  localparam int DATA_W = 256;      // the only interface width the adapters take
  localparam int BEAT_DWS = 8;      // DWs per beat

  // Descriptor lengths in DWs (the payload follows at this DW of beat 0)
  localparam int CQ_DESC_DWS = 4;
  localparam int CC_DESC_DWS = 3;
  localparam int RQ_DESC_DWS = 4;
  localparam int RC_DESC_DWS = 3;

  // tuser widths (256-bit interface)
  localparam int CQ_TUSER_W = 85;
  localparam int CC_TUSER_W = 33;
  localparam int RQ_TUSER_W = 60;
  localparam int RC_TUSER_W = 75;

  // Request types (CQ and RQ descriptors, 4 bits)
  localparam logic [3:0] REQ_MEM_RD    = 4'b0000;
  localparam logic [3:0] REQ_MEM_WR    = 4'b0001;
  localparam logic [3:0] REQ_IO_RD     = 4'b0010;
  localparam logic [3:0] REQ_IO_WR     = 4'b0011;
  localparam logic [3:0] REQ_FETCH_ADD = 4'b0100;
  localparam logic [3:0] REQ_SWAP      = 4'b0101;
  localparam logic [3:0] REQ_CAS       = 4'b0110;
  localparam logic [3:0] REQ_MEM_RD_LK = 4'b0111;
  localparam logic [3:0] REQ_CFG_RD0   = 4'b1000;
  localparam logic [3:0] REQ_CFG_RD1   = 4'b1001;
  localparam logic [3:0] REQ_CFG_WR0   = 4'b1010;
  localparam logic [3:0] REQ_CFG_WR1   = 4'b1011;
  localparam logic [3:0] REQ_MSG       = 4'b1100;
  localparam logic [3:0] REQ_MSG_VD    = 4'b1101;
  localparam logic [3:0] REQ_MSG_ATS   = 4'b1110;

  // TLP Type field values (DW0[28:24]) besides those in pcie_pkg
  localparam logic [4:0] TYPE_MEM_LK   = 5'b00001;
  localparam logic [4:0] TYPE_IO       = 5'b00010;
  localparam logic [4:0] TYPE_CFG1     = 5'b00101;
  localparam logic [4:0] TYPE_FETCH_ADD = 5'b01100;
  localparam logic [4:0] TYPE_SWAP     = 5'b01101;
  localparam logic [4:0] TYPE_CAS      = 5'b01110;
  localparam logic [4:0] TYPE_CPL_LK   = 5'b01011;
  localparam logic [4:0] TYPE_MSG_LOCAL = 5'b10100;  // message, terminate at receiver

  // CQ tuser
  localparam int CQ_U_FBE = 0;        // [3:0] first BE
  localparam int CQ_U_LBE = 4;        // [7:4] last BE
  localparam int CQ_U_SOP = 40;
  localparam int CQ_U_DISC = 41;      // discontinue (last beat)

  // RC tuser
  localparam int RC_U_SOF0 = 32;
  localparam int RC_U_SOF1 = 33;      // second TLP in a beat: straddling, never expected
  localparam int RC_U_DISC = 42;

  // RQ tuser
  localparam int RQ_U_FBE = 0;
  localparam int RQ_U_LBE = 4;
  localparam int RQ_U_DISC = 11;

  // CC tuser
  localparam int CC_U_DISC = 0;

  // RC error codes (descriptor bits [15:12])
  localparam logic [3:0] RC_ERR_NONE   = 4'b0000;
  localparam logic [3:0] RC_ERR_STATUS = 4'b0010;   // UR/CA/CRS: the status field says which
endpackage
