`default_nettype none
// cpu_decode: combinational RV32IM + Zicsr decoder for the decode stage,
// plus crc32c.b/h/w (cpu_pkg::ALU_CRC32C_*, the bitmanip draft's encoding).
// No clock. Input: a 32-bit instruction; outputs: register indices and use
// flags, the immediate, and the control signals the execute stage needs.
// Anything that is not a valid RV32IM/Zicsr/machine-mode encoding raises
// `illegal` (CSR existence and privilege are checked later, by cpu_csr).
module cpu_decode (
  input  wire logic [31:0] instr,

  // --- register file ---
  output logic [4:0]  rs1,
  output logic [4:0]  rs2,
  output logic [4:0]  rd,
  output logic        rs1_used,
  output logic        rs2_used,
  output logic        rd_we,

  // --- execute controls ---
  output logic [31:0] imm,
  output logic [3:0]  alu_op,
  output logic [1:0]  opa_sel,
  output logic        opb_imm,
  output logic [1:0]  res_sel,
  output logic        is_branch,
  output logic        is_jal,
  output logic        is_jalr,
  output logic        is_load,
  output logic        is_store,
  output logic [1:0]  mem_size,
  output logic        mem_unsigned,
  output logic        is_div,
  output logic [1:0]  md_op,
  output logic        is_csr,
  output logic        is_ecall,
  output logic        is_ebreak,
  output logic        is_mret,
  output logic        is_wfi,
  output logic        is_fence_i,
  output logic        illegal
);
  logic [6:0] opcode;
  logic [2:0] funct3;
  logic [6:0] funct7;
  logic [31:0] imm_i, imm_s, imm_b, imm_u, imm_j;

  assign opcode = instr[6:0];
  assign funct3 = instr[14:12];
  assign funct7 = instr[31:25];
  assign rs1 = instr[19:15];
  assign rs2 = instr[24:20];
  assign rd  = instr[11:7];

  assign imm_i = {{20{instr[31]}}, instr[31:20]};
  assign imm_s = {{20{instr[31]}}, instr[31:25], instr[11:7]};
  assign imm_b = {{19{instr[31]}}, instr[31], instr[7], instr[30:25], instr[11:8], 1'b0};
  assign imm_u = {instr[31:12], 12'b0};
  assign imm_j = {{11{instr[31]}}, instr[31], instr[19:12], instr[20], instr[30:21], 1'b0};

  always_comb begin
    rs1_used = 1'b0;
    rs2_used = 1'b0;
    rd_we = 1'b0;
    imm = imm_i;
    alu_op = cpu_pkg::ALU_ADD;
    opa_sel = cpu_pkg::OPA_RS1;
    opb_imm = 1'b1;
    res_sel = cpu_pkg::RES_ALU;
    is_branch = 1'b0;
    is_jal = 1'b0;
    is_jalr = 1'b0;
    is_load = 1'b0;
    is_store = 1'b0;
    mem_size = funct3[1:0];
    mem_unsigned = funct3[2];
    is_div = 1'b0;
    md_op = funct3[1:0];
    is_csr = 1'b0;
    is_ecall = 1'b0;
    is_ebreak = 1'b0;
    is_mret = 1'b0;
    is_wfi = 1'b0;
    is_fence_i = 1'b0;
    illegal = 1'b0;

    if (instr[1:0] != 2'b11) begin
      illegal = 1'b1;
    end else begin
      unique case (opcode)
        cpu_pkg::OPC_LUI: begin
          rd_we = 1'b1; imm = imm_u; opa_sel = cpu_pkg::OPA_ZERO;
        end
        cpu_pkg::OPC_AUIPC: begin
          rd_we = 1'b1; imm = imm_u; opa_sel = cpu_pkg::OPA_PC;
        end
        cpu_pkg::OPC_JAL: begin
          rd_we = 1'b1; imm = imm_j; is_jal = 1'b1; res_sel = cpu_pkg::RES_PC4;
        end
        cpu_pkg::OPC_JALR: begin
          rd_we = 1'b1; rs1_used = 1'b1; is_jalr = 1'b1; res_sel = cpu_pkg::RES_PC4;
          illegal = (funct3 != 3'b000);
        end
        cpu_pkg::OPC_BRANCH: begin
          rs1_used = 1'b1; rs2_used = 1'b1; imm = imm_b; is_branch = 1'b1;
          illegal = (funct3 == 3'b010) || (funct3 == 3'b011);
        end
        cpu_pkg::OPC_LOAD: begin
          rd_we = 1'b1; rs1_used = 1'b1; is_load = 1'b1;
          illegal = (funct3 == 3'b011) || (funct3 == 3'b110) || (funct3 == 3'b111);
        end
        cpu_pkg::OPC_STORE: begin
          rs1_used = 1'b1; rs2_used = 1'b1; imm = imm_s; is_store = 1'b1;
          illegal = (funct3[2] == 1'b1) || (funct3[1:0] == 2'b11);
        end
        cpu_pkg::OPC_OP_IMM: begin
          rd_we = 1'b1; rs1_used = 1'b1;
          unique case (funct3)
            3'b000: alu_op = cpu_pkg::ALU_ADD;
            3'b010: alu_op = cpu_pkg::ALU_SLT;
            3'b011: alu_op = cpu_pkg::ALU_SLTU;
            3'b100: alu_op = cpu_pkg::ALU_XOR;
            3'b110: alu_op = cpu_pkg::ALU_OR;
            3'b111: alu_op = cpu_pkg::ALU_AND;
            3'b001: begin
              alu_op = cpu_pkg::ALU_SLL;
              illegal = (funct7 != 7'b0000000);
              if (funct7 == cpu_pkg::F7_CRC) begin
                unique case (rs2)
                  cpu_pkg::RS2_CRC32C_B: begin alu_op = cpu_pkg::ALU_CRC32C_B; illegal = 1'b0; end
                  cpu_pkg::RS2_CRC32C_H: begin alu_op = cpu_pkg::ALU_CRC32C_H; illegal = 1'b0; end
                  cpu_pkg::RS2_CRC32C_W: begin alu_op = cpu_pkg::ALU_CRC32C_W; illegal = 1'b0; end
                  default: illegal = 1'b1;
                endcase
              end
            end
            3'b101: begin
              alu_op = funct7[5] ? cpu_pkg::ALU_SRA : cpu_pkg::ALU_SRL;
              illegal = (funct7 != 7'b0000000) && (funct7 != 7'b0100000);
            end
            default: ;
          endcase
        end
        cpu_pkg::OPC_OP: begin
          rd_we = 1'b1; rs1_used = 1'b1; rs2_used = 1'b1; opb_imm = 1'b0;
          if (funct7 == 7'b0000001) begin
            if (funct3[2]) is_div = 1'b1;
            else res_sel = cpu_pkg::RES_MUL;
          end else if (funct7 == 7'b0000000) begin
            unique case (funct3)
              3'b000: alu_op = cpu_pkg::ALU_ADD;
              3'b001: alu_op = cpu_pkg::ALU_SLL;
              3'b010: alu_op = cpu_pkg::ALU_SLT;
              3'b011: alu_op = cpu_pkg::ALU_SLTU;
              3'b100: alu_op = cpu_pkg::ALU_XOR;
              3'b101: alu_op = cpu_pkg::ALU_SRL;
              3'b110: alu_op = cpu_pkg::ALU_OR;
              3'b111: alu_op = cpu_pkg::ALU_AND;
              default: ;
            endcase
          end else if (funct7 == 7'b0100000 && (funct3 == 3'b000 || funct3 == 3'b101)) begin
            alu_op = (funct3 == 3'b000) ? cpu_pkg::ALU_SUB : cpu_pkg::ALU_SRA;
          end else begin
            illegal = 1'b1;
          end
        end
        cpu_pkg::OPC_MISC_MEM: begin
          // FENCE (any pred/succ/fm) is a no-op for this in-order core with
          // a single memory port; FENCE.I refetches after it.
          if (funct3 == 3'b001) is_fence_i = 1'b1;
          else if (funct3 != 3'b000) illegal = 1'b1;
        end
        cpu_pkg::OPC_SYSTEM: begin
          if (funct3 == 3'b000) begin
            if (rd != 5'd0 || rs1 != 5'd0) illegal = 1'b1;
            else unique case (instr[31:20])
              12'h000: is_ecall = 1'b1;
              12'h001: is_ebreak = 1'b1;
              12'h302: is_mret = 1'b1;
              12'h105: is_wfi = 1'b1;
              default: illegal = 1'b1;
            endcase
          end else if (funct3 == 3'b100) begin
            illegal = 1'b1;
          end else begin
            is_csr = 1'b1; rd_we = 1'b1; res_sel = cpu_pkg::RES_CSR;
            rs1_used = !funct3[2];
          end
        end
        default: illegal = 1'b1;
      endcase
    end

    if (illegal) begin
      rd_we = 1'b0; rs1_used = 1'b0; rs2_used = 1'b0;
      is_branch = 1'b0; is_jal = 1'b0; is_jalr = 1'b0; is_load = 1'b0; is_store = 1'b0;
      is_div = 1'b0; is_csr = 1'b0; is_fence_i = 1'b0;
    end
    if (rd == 5'd0) rd_we = 1'b0;
  end
endmodule
