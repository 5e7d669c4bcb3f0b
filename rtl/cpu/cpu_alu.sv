`default_nettype none
// cpu_alu: combinational integer ALU (crc32c.b/h/w included) and branch
// comparator of the execute stage. No clock.
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

  // CRC32C over the low n bits of x, least significant bit first (reflected
  // polynomial 0x82f63b78): one shift and conditional XOR per bit, which
  // synthesis flattens into an XOR network per result bit.
  function automatic logic [31:0] crc32c_bits(input logic [31:0] x, input logic [5:0] n);
    crc32c_bits = x;
    for (int i = 0; i < 32; i++)
      if (i < n) crc32c_bits = (crc32c_bits >> 1) ^ (32'h82f63b78 & {32{crc32c_bits[0]}});
  endfunction

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
      cpu_pkg::ALU_CRC32C_B: result = crc32c_bits(a, 6'd8);
      cpu_pkg::ALU_CRC32C_H: result = crc32c_bits(a, 6'd16);
      cpu_pkg::ALU_CRC32C_W: result = crc32c_bits(a, 6'd32);
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
