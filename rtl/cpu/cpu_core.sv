`default_nettype none
// cpu_core: the RV32IM + Zicsr machine-mode soft core. Clock domain: clk,
// synchronous active-high rst.
//
// Pipeline (one instruction per cycle when nothing stalls):
//   F  the fetch address goes to the instruction TCM (synchronous read)
//   D  the instruction arrives: decode, register read, static prediction
//      (JAL and backward branches redirect fetch with no bubble)
//   EX ALU, branch resolution, multiply, CSR access, memory request, and every
//      exception and interrupt: EX is the single commit point
//   M  load data returns (the bus may stretch this stage)
//   W  register write-back
// Forwarding from M and W into EX; a load followed by a consumer costs one
// bubble; a mispredicted branch or a JALR costs one. DIV/REM run in cpu_div
// beside the pipeline: only an instruction that reads or writes the pending
// destination (or another divide) waits for it.
//
// Interfaces: instruction port (address out, data and error back one cycle
// later, always ready); data port (OBI-like request/grant, read data with
// rvalid in a later cycle, `dmem_fault` decoded combinationally from the
// address); three interrupt lines; counters for observation.
module cpu_core #(
  parameter logic [31:0] RESET_VECTOR = 32'h8000_0000,  // first fetch after reset
  parameter logic [31:0] HART_ID = 32'd0                // value of mhartid
) (
  input  wire logic        clk,
  input  wire logic        rst,

  // --- instruction port ---
  output logic [31:0] imem_addr,
  input  wire logic [31:0] imem_rdata,
  input  wire logic        imem_err,     // with rdata: the address is not executable

  // --- data port ---
  output logic        dmem_req,
  output logic        dmem_we,
  output logic [3:0]  dmem_be,
  output logic [31:0] dmem_addr,
  output logic [31:0] dmem_wdata,
  input  wire logic        dmem_gnt,
  input  wire logic        dmem_fault,   // combinational from dmem_addr: maps nowhere
  input  wire logic        dmem_rvalid,
  input  wire logic [31:0] dmem_rdata,

  // --- interrupts (level) ---
  input  wire logic        irq_software,
  input  wire logic        irq_timer,
  input  wire logic        irq_external,

  // --- observation ---
  output logic        retire,
  output logic [63:0] cycle_count,
  output logic [63:0] instret_count
);
  initial begin
    if (RESET_VECTOR[1:0] != 2'b00) $error("cpu_core: RESET_VECTOR must be 4-byte aligned");
  end

  // ------------------------------------------------------------------ fetch
  logic [31:0] f_pc_q;
  logic        f_valid_q;

  // ----------------------------------------------------------------- decode
  logic [4:0]  d_rs1, d_rs2, d_rd;
  logic        d_rs1_used, d_rs2_used, d_rd_we;
  logic [31:0] d_imm;
  logic [3:0]  d_alu_op;
  logic [1:0]  d_opa_sel, d_res_sel, d_mem_size, d_md_op;
  logic        d_opb_imm, d_is_branch, d_is_jal, d_is_jalr, d_is_load, d_is_store;
  logic        d_mem_unsigned, d_is_div, d_is_csr, d_is_ecall, d_is_ebreak;
  logic        d_is_mret, d_is_wfi, d_is_fence_i, d_illegal;
  logic        d_valid, d_ierr;
  logic [31:0] d_rs1_val, d_rs2_val;
  logic        d_pred_taken;
  logic [31:0] d_pred_target, d_pred_next;
  logic        d_stall, load_use, div_hazard;

  // ---------------------------------------------------------------- execute
  logic        ex_valid_q;
  logic [31:0] ex_pc_q, ex_instr_q, ex_imm_q, ex_rs1_val_q, ex_rs2_val_q, ex_pred_next_q;
  logic [4:0]  ex_rs1_q, ex_rs2_q, ex_rd_q;
  logic        ex_rd_we_q, ex_ierr_q;
  logic [3:0]  ex_alu_op_q;
  logic [1:0]  ex_opa_sel_q, ex_res_sel_q, ex_mem_size_q, ex_md_op_q;
  logic        ex_opb_imm_q, ex_is_branch_q, ex_is_jal_q, ex_is_jalr_q, ex_is_load_q;
  logic        ex_is_store_q, ex_mem_unsigned_q, ex_is_div_q, ex_is_csr_q;
  logic        ex_is_ecall_q, ex_is_ebreak_q, ex_is_mret_q, ex_is_wfi_q, ex_is_fence_i_q;
  logic        ex_illegal_q;

  logic [31:0] ex_a, ex_b, ex_op_a, ex_op_b, ex_alu_result;
  logic        ex_br_taken, ex_taken;
  logic [31:0] ex_target, ex_pc4, ex_next, ex_mem_addr, ex_result;
  logic        ex_is_mem, ex_misaligned_mem, ex_misaligned_target;
  logic        ex_exc, ex_irq, ex_trap, ex_stall, ex_commit, ex_redirect;
  logic [4:0]  ex_exc_cause;
  logic [31:0] ex_exc_tval, ex_redirect_pc;
  logic [65:0] ex_product;
  logic [31:0] ex_mul_result;
  logic [31:0] ex_csr_operand, ex_csr_rdata;
  logic        ex_csr_wr_req, ex_csr_illegal;

  // ----------------------------------------------------------------- memory
  logic        m_valid_q, m_rd_we_q, m_is_load_q, m_mem_unsigned_q;
  logic [4:0]  m_rd_q;
  logic [31:0] m_result_q;
  logic [1:0]  m_mem_size_q, m_addr_lo_q;
  logic        m_stall;
  logic [31:0] m_load_data;

  // -------------------------------------------------------------- writeback
  logic        w_valid_q, w_rd_we_q;
  logic [4:0]  w_rd_q;
  logic [31:0] w_result_q;

  // ------------------------------------------------------------ trap / csr
  logic [31:0] trap_target, csr_mepc;
  logic        irq_take, irq_wake;
  logic [4:0]  irq_cause;

  // --------------------------------------------------------------- divider
  logic        div_start, div_busy, div_done;
  logic [31:0] div_result;
  logic [4:0]  div_rd;

  // =========================================================== decode stage
  assign d_valid = f_valid_q;
  assign d_ierr = imem_err;

  cpu_decode u_decode (
    .instr        (imem_rdata),
    .rs1          (d_rs1),
    .rs2          (d_rs2),
    .rd           (d_rd),
    .rs1_used     (d_rs1_used),
    .rs2_used     (d_rs2_used),
    .rd_we        (d_rd_we),
    .imm          (d_imm),
    .alu_op       (d_alu_op),
    .opa_sel      (d_opa_sel),
    .opb_imm      (d_opb_imm),
    .res_sel      (d_res_sel),
    .is_branch    (d_is_branch),
    .is_jal       (d_is_jal),
    .is_jalr      (d_is_jalr),
    .is_load      (d_is_load),
    .is_store     (d_is_store),
    .mem_size     (d_mem_size),
    .mem_unsigned (d_mem_unsigned),
    .is_div       (d_is_div),
    .md_op        (d_md_op),
    .is_csr       (d_is_csr),
    .is_ecall     (d_is_ecall),
    .is_ebreak    (d_is_ebreak),
    .is_mret      (d_is_mret),
    .is_wfi       (d_is_wfi),
    .is_fence_i   (d_is_fence_i),
    .illegal      (d_illegal)
  );

  cpu_regfile u_regfile (
    .clk     (clk),
    .ra_addr (d_rs1),
    .ra_data (d_rs1_val),
    .rb_addr (d_rs2),
    .rb_data (d_rs2_val),
    .wa_en   (w_valid_q && w_rd_we_q),
    .wa_addr (w_rd_q),
    .wa_data (w_result_q),
    .wb_en   (div_done),
    .wb_addr (div_rd),
    .wb_data (div_result)
  );

  // Static prediction: JAL always, conditional branches when backward. A
  // target with bit 1 set is left to execute, which raises the misaligned
  // fetch exception on the jump itself.
  always_comb begin
    d_pred_target = f_pc_q + d_imm;
    d_pred_taken = d_valid && !d_ierr && !d_pred_target[1] &&
                   (d_is_jal || (d_is_branch && d_imm[31]));
    d_pred_next = d_pred_taken ? d_pred_target : f_pc_q + 32'd4;
  end

  // Hazards that hold the instruction in decode (a bubble goes to execute).
  always_comb begin
    load_use = ex_valid_q && ex_is_load_q && ex_rd_we_q &&
               ((d_rs1_used && d_rs1 == ex_rd_q) || (d_rs2_used && d_rs2 == ex_rd_q));
    div_hazard = 1'b0;
    if (div_busy && div_rd != 5'd0 &&
        ((d_rs1_used && d_rs1 == div_rd) || (d_rs2_used && d_rs2 == div_rd) ||
         (d_rd_we && d_rd == div_rd)))
      div_hazard = 1'b1;
    if (ex_valid_q && ex_is_div_q && ex_rd_we_q &&
        ((d_rs1_used && d_rs1 == ex_rd_q) || (d_rs2_used && d_rs2 == ex_rd_q) ||
         (d_rd_we && d_rd == ex_rd_q)))
      div_hazard = 1'b1;
    if (d_is_div && (div_busy || (ex_valid_q && ex_is_div_q)))
      div_hazard = 1'b1;
    d_stall = d_valid && !d_ierr && (load_use || div_hazard);
  end

  // ========================================================== execute stage
  function automatic logic [31:0] forward(input logic [4:0] idx, input logic [31:0] val,
                                          input logic m_hit_en, input logic [4:0] m_rd,
                                          input logic [31:0] m_val, input logic w_hit_en,
                                          input logic [4:0] w_rd, input logic [31:0] w_val);
    logic [31:0] r;
    if (idx == 5'd0) r = 32'd0;
    else if (m_hit_en && m_rd == idx) r = m_val;
    else if (w_hit_en && w_rd == idx) r = w_val;
    else r = val;
    forward = r;
  endfunction

  assign ex_a = forward(ex_rs1_q, ex_rs1_val_q, m_valid_q && m_rd_we_q, m_rd_q, m_result_q,
                        w_valid_q && w_rd_we_q, w_rd_q, w_result_q);
  assign ex_b = forward(ex_rs2_q, ex_rs2_val_q, m_valid_q && m_rd_we_q, m_rd_q, m_result_q,
                        w_valid_q && w_rd_we_q, w_rd_q, w_result_q);

  always_comb begin
    unique case (ex_opa_sel_q)
      cpu_pkg::OPA_PC:   ex_op_a = ex_pc_q;
      cpu_pkg::OPA_ZERO: ex_op_a = 32'd0;
      default:  ex_op_a = ex_a;
    endcase
    ex_op_b = ex_opb_imm_q ? ex_imm_q : ex_b;
  end

  cpu_alu u_alu (
    .op        (ex_alu_op_q),
    .a         (ex_op_a),
    .b         (ex_op_b),
    .result    (ex_alu_result),
    .br_funct3 (ex_instr_q[14:12]),
    .br_a      (ex_a),
    .br_b      (ex_b),
    .br_taken  (ex_br_taken)
  );

  // Multiply: one 33 x 33 signed product covers MUL, MULH, MULHSU and MULHU.
  always_comb begin
    logic signed [32:0] ma, mb;
    ma = {(ex_md_op_q != 2'b11) && ex_a[31], ex_a};   // MULHU: rs1 unsigned
    mb = {(ex_md_op_q == 2'b01) && ex_b[31], ex_b};   // MULH: rs2 signed
    ex_product = 66'($signed(ma) * $signed(mb));
    ex_mul_result = (ex_md_op_q == 2'b00) ? ex_product[31:0] : ex_product[63:32];
  end

  always_comb begin
    ex_pc4 = ex_pc_q + 32'd4;
    ex_target = ex_is_jalr_q ? ((ex_a + ex_imm_q) & 32'hffff_fffe) : (ex_pc_q + ex_imm_q);
    ex_taken = ex_is_jal_q || ex_is_jalr_q || (ex_is_branch_q && ex_br_taken);
    ex_next = ex_taken ? ex_target : ex_pc4;
    ex_misaligned_target = ex_taken && ex_target[1];
    ex_mem_addr = ex_a + ex_imm_q;
    ex_is_mem = ex_is_load_q || ex_is_store_q;
    unique case (ex_mem_size_q)
      2'b00:   ex_misaligned_mem = 1'b0;
      2'b01:   ex_misaligned_mem = ex_mem_addr[0];
      default: ex_misaligned_mem = (ex_mem_addr[1:0] != 2'b00);
    endcase
    // The rs1 field is a register or, for the immediate forms, the uimm; a
    // CSRRS/CSRRC with x0 or uimm 0 does not write (no read-only trap).
    ex_csr_operand = ex_instr_q[14] ? {27'd0, ex_instr_q[19:15]} : ex_a;
    ex_csr_wr_req = (ex_instr_q[13:12] == cpu_pkg::CSR_RW) || (ex_instr_q[19:15] != 5'd0);
  end

  // Exceptions of the instruction in execute, highest priority first.
  always_comb begin
    ex_exc = 1'b1;
    ex_exc_cause = cpu_pkg::EXC_ILLEGAL;
    ex_exc_tval = 32'd0;
    if (ex_ierr_q) begin
      ex_exc_cause = cpu_pkg::EXC_IACCESS_FAULT; ex_exc_tval = ex_pc_q;
    end else if (ex_illegal_q || (ex_is_csr_q && ex_csr_illegal)) begin
      ex_exc_cause = cpu_pkg::EXC_ILLEGAL; ex_exc_tval = ex_instr_q;
    end else if (ex_is_ecall_q) begin
      ex_exc_cause = cpu_pkg::EXC_ECALL_M;
    end else if (ex_is_ebreak_q) begin
      ex_exc_cause = cpu_pkg::EXC_BREAKPOINT; ex_exc_tval = ex_pc_q;
    end else if (ex_is_mem && ex_misaligned_mem) begin
      ex_exc_cause = ex_is_store_q ? cpu_pkg::EXC_SADDR_MISALIGNED : cpu_pkg::EXC_LADDR_MISALIGNED;
      ex_exc_tval = ex_mem_addr;
    end else if (ex_is_mem && dmem_fault) begin
      ex_exc_cause = ex_is_store_q ? cpu_pkg::EXC_SACCESS_FAULT : cpu_pkg::EXC_LACCESS_FAULT;
      ex_exc_tval = ex_mem_addr;
    end else if (ex_misaligned_target) begin
      ex_exc_cause = cpu_pkg::EXC_IADDR_MISALIGNED; ex_exc_tval = ex_target;
    end else begin
      ex_exc = 1'b0;
    end
  end

  // Interrupts are taken on the instruction in execute (it has had no effect
  // yet), except on WFI, which retires first so that mepc points past it.
  assign ex_irq = irq_take && !ex_is_wfi_q;
  assign ex_trap = ex_valid_q && !m_stall && (ex_irq || ex_exc);
  assign ex_stall = ex_valid_q && !ex_trap &&
                    ((ex_is_mem && !dmem_gnt) || (ex_is_wfi_q && !irq_wake));
  assign ex_commit = ex_valid_q && !m_stall && !ex_stall && !ex_trap;

  always_comb begin
    ex_redirect = 1'b0;
    ex_redirect_pc = ex_pc4;
    if (ex_trap) begin
      ex_redirect = 1'b1; ex_redirect_pc = trap_target;
    end else if (ex_commit) begin
      if (ex_is_mret_q) begin
        ex_redirect = 1'b1; ex_redirect_pc = csr_mepc;
      end else if (ex_is_fence_i_q) begin
        ex_redirect = 1'b1; ex_redirect_pc = ex_pc4;
      end else if (ex_next != ex_pred_next_q) begin
        ex_redirect = 1'b1; ex_redirect_pc = ex_next;
      end
    end
  end

  cpu_csr #(
    .HART_ID (HART_ID)
  ) u_csr (
    .clk           (clk),
    .rst           (rst),
    .csr_addr      (ex_instr_q[31:20]),
    .csr_op        (ex_instr_q[13:12]),
    .csr_operand   (ex_csr_operand),
    .csr_wr_req    (ex_csr_wr_req),
    .csr_rdata     (ex_csr_rdata),
    .csr_illegal   (ex_csr_illegal),
    .csr_commit    (ex_commit && ex_is_csr_q),
    .trap_take     (ex_trap),
    .trap_irq      (ex_irq),
    .trap_cause    (ex_irq ? irq_cause : ex_exc_cause),
    .trap_epc      (ex_pc_q),
    .trap_tval     (ex_irq ? 32'd0 : ex_exc_tval),
    .trap_target   (trap_target),
    .mret          (ex_commit && ex_is_mret_q),
    .mepc          (csr_mepc),
    .retire        (ex_commit),
    .irq_software  (irq_software),
    .irq_timer     (irq_timer),
    .irq_external  (irq_external),
    .irq_take      (irq_take),
    .irq_cause     (irq_cause),
    .irq_wake      (irq_wake),
    .cycle_count   (cycle_count),
    .instret_count (instret_count)
  );

  always_comb begin
    unique case (ex_res_sel_q)
      cpu_pkg::RES_PC4: ex_result = ex_pc4;
      cpu_pkg::RES_MUL: ex_result = ex_mul_result;
      cpu_pkg::RES_CSR: ex_result = ex_csr_rdata;
      default: ex_result = ex_alu_result;
    endcase
  end

  // Data request: issued from execute once nothing older can trap.
  always_comb begin
    dmem_req = ex_valid_q && ex_is_mem && !ex_exc && !ex_irq && !m_stall;
    dmem_we = ex_is_store_q;
    dmem_addr = {ex_mem_addr[31:2], 2'b00};
    unique case (ex_mem_size_q)
      2'b00:   begin dmem_be = 4'b0001 << ex_mem_addr[1:0]; dmem_wdata = {4{ex_b[7:0]}}; end
      2'b01:   begin dmem_be = 4'b0011 << ex_mem_addr[1:0]; dmem_wdata = {2{ex_b[15:0]}}; end
      default: begin dmem_be = 4'b1111; dmem_wdata = ex_b; end
    endcase
  end

  assign div_start = ex_commit && ex_is_div_q && ex_rd_we_q;

  cpu_div u_div (
    .clk    (clk),
    .rst    (rst),
    .start  (div_start),
    .op     (ex_md_op_q),
    .a      (ex_a),
    .b      (ex_b),
    .rd_in  (ex_rd_q),
    .busy   (div_busy),
    .done   (div_done),
    .result (div_result),
    .rd     (div_rd)
  );

  // =========================================================== memory stage
  assign m_stall = m_valid_q && m_is_load_q && !dmem_rvalid;

  always_comb begin
    logic [31:0] shifted;
    shifted = dmem_rdata >> {m_addr_lo_q, 3'b000};
    unique case (m_mem_size_q)
      2'b00:   m_load_data = m_mem_unsigned_q ? {24'd0, shifted[7:0]}
                                              : {{24{shifted[7]}}, shifted[7:0]};
      2'b01:   m_load_data = m_mem_unsigned_q ? {16'd0, shifted[15:0]}
                                              : {{16{shifted[15]}}, shifted[15:0]};
      default: m_load_data = shifted;
    endcase
  end

  // ============================================================ fetch logic
  always_comb begin
    if (ex_redirect)                      imem_addr = ex_redirect_pc;
    else if (!f_valid_q)                  imem_addr = RESET_VECTOR;
    else if (d_stall || ex_stall || m_stall) imem_addr = f_pc_q;
    else                                  imem_addr = d_pred_next;
  end

  // ============================================================== registers
  always_ff @(posedge clk) begin
    if (rst) begin
      f_valid_q <= 1'b0;
      f_pc_q <= RESET_VECTOR;
    end else begin
      f_valid_q <= 1'b1;
      f_pc_q <= imem_addr;
    end
  end

  // decode -> execute
  always_ff @(posedge clk) begin
    if (rst) begin
      ex_valid_q <= 1'b0;
    end else if (ex_stall || m_stall) begin
      // Hold; keep the forwarded operands, whose sources move on meanwhile.
      ex_rs1_val_q <= ex_a;
      ex_rs2_val_q <= ex_b;
    end else begin
      ex_valid_q <= d_valid && !d_stall && !ex_redirect;
      ex_pc_q <= f_pc_q;
      ex_instr_q <= imem_rdata;
      ex_ierr_q <= d_ierr;
      ex_rs1_q <= d_rs1_used ? d_rs1 : 5'd0;
      ex_rs2_q <= d_rs2_used ? d_rs2 : 5'd0;
      ex_rd_q <= d_rd;
      ex_rd_we_q <= d_rd_we && !d_ierr;
      ex_rs1_val_q <= d_rs1_val;
      ex_rs2_val_q <= d_rs2_val;
      ex_imm_q <= d_imm;
      ex_alu_op_q <= d_alu_op;
      ex_opa_sel_q <= d_opa_sel;
      ex_opb_imm_q <= d_opb_imm;
      ex_res_sel_q <= d_res_sel;
      ex_is_branch_q <= d_is_branch && !d_ierr;
      ex_is_jal_q <= d_is_jal && !d_ierr;
      ex_is_jalr_q <= d_is_jalr && !d_ierr;
      ex_is_load_q <= d_is_load && !d_ierr;
      ex_is_store_q <= d_is_store && !d_ierr;
      ex_mem_size_q <= d_mem_size;
      ex_mem_unsigned_q <= d_mem_unsigned;
      ex_is_div_q <= d_is_div && !d_ierr;
      ex_md_op_q <= d_md_op;
      ex_is_csr_q <= d_is_csr && !d_ierr;
      ex_is_ecall_q <= d_is_ecall;
      ex_is_ebreak_q <= d_is_ebreak;
      ex_is_mret_q <= d_is_mret && !d_ierr;
      ex_is_wfi_q <= d_is_wfi && !d_ierr;
      ex_is_fence_i_q <= d_is_fence_i && !d_ierr;
      ex_illegal_q <= d_illegal;
      ex_pred_next_q <= d_pred_next;
    end
  end

  // execute -> memory
  always_ff @(posedge clk) begin
    if (rst) begin
      m_valid_q <= 1'b0;
    end else if (!m_stall) begin
      m_valid_q <= ex_commit;
      m_rd_we_q <= ex_rd_we_q && !ex_is_div_q;
      m_rd_q <= ex_rd_q;
      m_result_q <= ex_result;
      m_is_load_q <= ex_is_load_q;
      m_mem_size_q <= ex_mem_size_q;
      m_mem_unsigned_q <= ex_mem_unsigned_q;
      m_addr_lo_q <= ex_mem_addr[1:0];
    end
  end

  // memory -> write-back
  always_ff @(posedge clk) begin
    if (rst) begin
      w_valid_q <= 1'b0;
    end else begin
      w_valid_q <= m_valid_q && !m_stall;
      w_rd_we_q <= m_rd_we_q;
      w_rd_q <= m_rd_q;
      w_result_q <= m_is_load_q ? m_load_data : m_result_q;
    end
  end

  assign retire = ex_commit;
endmodule
