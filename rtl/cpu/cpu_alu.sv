`default_nettype none
// cpu_alu: combinational integer ALU and branch comparator of the execute
// stage. No clock.
module cpu_alu (
  input  wire logic [3:0]  op,
  input  wire logic [31:0] a,
  input  wire logic [31:0] b,
  output logic [31:0] result,

  // --- branch condition on the (rs1, rs2) pair ---
  input  wire logic [2:0]  br_funct3,
  input  wire logic [31:0] br_a,
  input  wire logic [31:0] br_b,
  output logic        br_taken
);
  logic [4:0] shamt;
  logic eq, lt, ltu;

  assign shamt = b[4:0];

  always_comb begin
    unique case (op)
      cpu_pkg::ALU_ADD:   result = a + b;
      cpu_pkg::ALU_SUB:   result = a - b;
      cpu_pkg::ALU_SLL:   result = a << shamt;
      cpu_pkg::ALU_SLT:   result = {31'b0, $signed(a) < $signed(b)};
      cpu_pkg::ALU_SLTU:  result = {31'b0, a < b};
      cpu_pkg::ALU_XOR:   result = a ^ b;
      cpu_pkg::ALU_SRL:   result = a >> shamt;
      cpu_pkg::ALU_SRA:   result = $unsigned($signed(a) >>> shamt);
      cpu_pkg::ALU_OR:    result = a | b;
      cpu_pkg::ALU_AND:   result = a & b;
      default:   result = a + b;
    endcase
  end

  assign eq  = (br_a == br_b);
  assign lt  = ($signed(br_a) < $signed(br_b));
  assign ltu = (br_a < br_b);

  always_comb begin
    unique case (br_funct3)
      cpu_pkg::BR_EQ:   br_taken = eq;
      cpu_pkg::BR_NE:   br_taken = !eq;
      cpu_pkg::BR_LT:   br_taken = lt;
      cpu_pkg::BR_GE:   br_taken = !lt;
      cpu_pkg::BR_LTU:  br_taken = ltu;
      cpu_pkg::BR_GEU:  br_taken = !ltu;
      default: br_taken = 1'b0;
    endcase
  end
endmodule
