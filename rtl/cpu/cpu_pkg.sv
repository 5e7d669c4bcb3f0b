`default_nettype none
// cpu_pkg: encodings shared by the RV32IM core's blocks (opcodes, ALU and
// multiply/divide operations, CSR addresses, trap causes). No logic.
package cpu_pkg;
  // Major opcodes (instr[6:0])
  localparam logic [6:0] OPC_LOAD     = 7'b0000011;
  localparam logic [6:0] OPC_MISC_MEM = 7'b0001111;
  localparam logic [6:0] OPC_OP_IMM   = 7'b0010011;
  localparam logic [6:0] OPC_AUIPC    = 7'b0010111;
  localparam logic [6:0] OPC_STORE    = 7'b0100011;
  localparam logic [6:0] OPC_OP       = 7'b0110011;
  localparam logic [6:0] OPC_LUI      = 7'b0110111;
  localparam logic [6:0] OPC_BRANCH   = 7'b1100011;
  localparam logic [6:0] OPC_JALR     = 7'b1100111;
  localparam logic [6:0] OPC_JAL      = 7'b1101111;
  localparam logic [6:0] OPC_SYSTEM   = 7'b1110011;

  // ALU operations
  localparam logic [3:0] ALU_ADD  = 4'd0;
  localparam logic [3:0] ALU_SUB  = 4'd1;
  localparam logic [3:0] ALU_SLL  = 4'd2;
  localparam logic [3:0] ALU_SLT  = 4'd3;
  localparam logic [3:0] ALU_SLTU = 4'd4;
  localparam logic [3:0] ALU_XOR  = 4'd5;
  localparam logic [3:0] ALU_SRL  = 4'd6;
  localparam logic [3:0] ALU_SRA  = 4'd7;
  localparam logic [3:0] ALU_OR   = 4'd8;
  localparam logic [3:0] ALU_AND  = 4'd9;
  // CRC32C (Castagnoli, reflected) of the low 8, 16 or 32 bits of rs1: the
  // crc32c.b/h/w of the RISC-V bitmanip draft (v0.92, "Zbr"); the state the
  // data was XORed into goes in, the state after those bits comes out
  localparam logic [3:0] ALU_CRC32C_B = 4'd10;
  localparam logic [3:0] ALU_CRC32C_H = 4'd11;
  localparam logic [3:0] ALU_CRC32C_W = 4'd12;
  // ... encoded in OP-IMM, funct3 001, funct7 0110000, and this in rs2
  localparam logic [6:0] F7_CRC       = 7'b0110000;
  localparam logic [4:0] RS2_CRC32C_B = 5'b11000;
  localparam logic [4:0] RS2_CRC32C_H = 5'b11001;
  localparam logic [4:0] RS2_CRC32C_W = 5'b11010;

  // Operand A sources
  localparam logic [1:0] OPA_RS1  = 2'd0;
  localparam logic [1:0] OPA_PC   = 2'd1;
  localparam logic [1:0] OPA_ZERO = 2'd2;

  // Result sources in execute
  localparam logic [1:0] RES_ALU  = 2'd0;
  localparam logic [1:0] RES_PC4  = 2'd1;
  localparam logic [1:0] RES_MUL  = 2'd2;
  localparam logic [1:0] RES_CSR  = 2'd3;

  // funct3 of branches
  localparam logic [2:0] BR_EQ  = 3'b000;
  localparam logic [2:0] BR_NE  = 3'b001;
  localparam logic [2:0] BR_LT  = 3'b100;
  localparam logic [2:0] BR_GE  = 3'b101;
  localparam logic [2:0] BR_LTU = 3'b110;
  localparam logic [2:0] BR_GEU = 3'b111;

  // funct3 of CSR instructions (bit 2 = immediate form)
  localparam logic [1:0] CSR_RW = 2'b01;
  localparam logic [1:0] CSR_RS = 2'b10;
  localparam logic [1:0] CSR_RC = 2'b11;

  // CSR addresses
  localparam logic [11:0] CSR_MSTATUS   = 12'h300;
  localparam logic [11:0] CSR_MISA      = 12'h301;
  localparam logic [11:0] CSR_MIE       = 12'h304;
  localparam logic [11:0] CSR_MTVEC     = 12'h305;
  localparam logic [11:0] CSR_MSTATUSH  = 12'h310;
  localparam logic [11:0] CSR_MCOUNTINH = 12'h320;
  localparam logic [11:0] CSR_MSCRATCH  = 12'h340;
  localparam logic [11:0] CSR_MEPC      = 12'h341;
  localparam logic [11:0] CSR_MCAUSE    = 12'h342;
  localparam logic [11:0] CSR_MTVAL     = 12'h343;
  localparam logic [11:0] CSR_MIP       = 12'h344;
  localparam logic [11:0] CSR_TSELECT   = 12'h7a0;
  localparam logic [11:0] CSR_TDATA1    = 12'h7a1;
  localparam logic [11:0] CSR_TDATA2    = 12'h7a2;
  localparam logic [11:0] CSR_TDATA3    = 12'h7a3;
  localparam logic [11:0] CSR_MCYCLE    = 12'hb00;
  localparam logic [11:0] CSR_MINSTRET  = 12'hb02;
  localparam logic [11:0] CSR_MCYCLEH   = 12'hb80;
  localparam logic [11:0] CSR_MINSTRETH = 12'hb82;
  localparam logic [11:0] CSR_CYCLE     = 12'hc00;
  localparam logic [11:0] CSR_INSTRET   = 12'hc02;
  localparam logic [11:0] CSR_CYCLEH    = 12'hc80;
  localparam logic [11:0] CSR_INSTRETH  = 12'hc82;
  localparam logic [11:0] CSR_MVENDORID = 12'hf11;
  localparam logic [11:0] CSR_MARCHID   = 12'hf12;
  localparam logic [11:0] CSR_MIMPID    = 12'hf13;
  localparam logic [11:0] CSR_MHARTID   = 12'hf14;
  localparam logic [11:0] CSR_MCONFIGPTR = 12'hf15;

  // misa: MXL = 1 (32-bit), extensions I and M
  localparam logic [31:0] MISA_VALUE = 32'h4000_1100;

  // mstatus / mie / mip bit positions
  localparam int MSTATUS_MIE  = 3;
  localparam int MSTATUS_MPIE = 7;
  localparam int IRQ_MSI = 3;
  localparam int IRQ_MTI = 7;
  localparam int IRQ_MEI = 11;

  // Exception causes (mcause with bit 31 clear)
  localparam logic [4:0] EXC_IADDR_MISALIGNED = 5'd0;
  localparam logic [4:0] EXC_IACCESS_FAULT    = 5'd1;
  localparam logic [4:0] EXC_ILLEGAL          = 5'd2;
  localparam logic [4:0] EXC_BREAKPOINT       = 5'd3;
  localparam logic [4:0] EXC_LADDR_MISALIGNED = 5'd4;
  localparam logic [4:0] EXC_LACCESS_FAULT    = 5'd5;
  localparam logic [4:0] EXC_SADDR_MISALIGNED = 5'd6;
  localparam logic [4:0] EXC_SACCESS_FAULT    = 5'd7;
  localparam logic [4:0] EXC_ECALL_M          = 5'd11;
endpackage
