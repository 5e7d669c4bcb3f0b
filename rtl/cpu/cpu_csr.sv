`default_nettype none
// cpu_csr: machine-mode CSR file, counters, trap entry/return and interrupt
// arbitration for the RV32IM core. Clock domain: clk.
// The execute stage presents a CSR access and learns combinationally whether it
// is legal and what it reads; state changes happen only with `csr_commit`,
// `trap_take` or `mret` (all from execute, the core's single commit point).
module cpu_csr #(
  parameter logic [31:0] HART_ID = 32'd0  // value of mhartid
) (
  input  wire logic        clk,
  input  wire logic        rst,

  // --- CSR instruction in execute ---
  input  wire logic [11:0] csr_addr,
  input  wire logic [1:0]  csr_op,       // cpu_pkg::CSR_RW / cpu_pkg::CSR_RS / cpu_pkg::CSR_RC
  input  wire logic [31:0] csr_operand,  // rs1 value or zero-extended uimm
  input  wire logic        csr_wr_req,   // the instruction writes (not RS/RC with x0/0)
  output logic [31:0] csr_rdata,
  output logic        csr_illegal,
  input  wire logic        csr_commit,

  // --- traps ---
  input  wire logic        trap_take,
  input  wire logic        trap_irq,     // 1: interrupt, 0: exception
  input  wire logic [4:0]  trap_cause,
  input  wire logic [31:0] trap_epc,
  input  wire logic [31:0] trap_tval,
  output logic [31:0] trap_target,  // where trap_take goes (depends on trap_cause)
  input  wire logic        mret,
  output logic [31:0] mepc,

  // --- counters ---
  input  wire logic        retire,       // an instruction retires this cycle

  // --- interrupts ---
  input  wire logic        irq_software,
  input  wire logic        irq_timer,
  input  wire logic        irq_external,
  output logic        irq_take,     // an enabled interrupt is pending and mstatus.MIE
  output logic [4:0]  irq_cause,
  output logic        irq_wake,     // mip & mie != 0 (wakes WFI regardless of MIE)

  // --- observation ---
  output logic [63:0] cycle_count,
  output logic [63:0] instret_count
);
  localparam logic [31:0] MIE_MASK = (32'd1 << cpu_pkg::IRQ_MSI) | (32'd1 << cpu_pkg::IRQ_MTI) | (32'd1 << cpu_pkg::IRQ_MEI);
  localparam logic [31:0] MSTATUS_MPP_M = 32'h0000_1800;  // MPP hard-wired to M

  logic        mie_q, mie_d;        // mstatus.MIE
  logic        mpie_q, mpie_d;      // mstatus.MPIE
  logic [31:0] mie_reg_q, mie_reg_d;
  logic [31:0] mtvec_q, mtvec_d;
  logic [31:0] mscratch_q, mscratch_d;
  logic [31:0] mepc_q, mepc_d;
  logic [31:0] mcause_q, mcause_d;
  logic [31:0] mtval_q, mtval_d;
  logic [63:0] mcycle_q, mcycle_d;
  logic [63:0] minstret_q, minstret_d;

  logic [31:0] mstatus, mip, pending;
  logic [31:0] wdata;
  logic        exists, read_only;

  assign mstatus = MSTATUS_MPP_M | (32'(mpie_q) << cpu_pkg::MSTATUS_MPIE) | (32'(mie_q) << cpu_pkg::MSTATUS_MIE);
  assign mip = (32'(irq_software) << cpu_pkg::IRQ_MSI) | (32'(irq_timer) << cpu_pkg::IRQ_MTI) |
               (32'(irq_external) << cpu_pkg::IRQ_MEI);
  assign pending = mip & mie_reg_q;

  // Read side and existence
  always_comb begin
    exists = 1'b1;
    csr_rdata = 32'd0;
    unique case (csr_addr)
      cpu_pkg::CSR_MSTATUS:   csr_rdata = mstatus;
      cpu_pkg::CSR_MSTATUSH:  csr_rdata = 32'd0;
      cpu_pkg::CSR_MISA:      csr_rdata = cpu_pkg::MISA_VALUE;
      cpu_pkg::CSR_MIE:       csr_rdata = mie_reg_q;
      cpu_pkg::CSR_MTVEC:     csr_rdata = mtvec_q;
      cpu_pkg::CSR_MCOUNTINH: csr_rdata = 32'd0;
      cpu_pkg::CSR_MSCRATCH:  csr_rdata = mscratch_q;
      cpu_pkg::CSR_MEPC:      csr_rdata = mepc_q;
      cpu_pkg::CSR_MCAUSE:    csr_rdata = mcause_q;
      cpu_pkg::CSR_MTVAL:     csr_rdata = mtval_q;
      cpu_pkg::CSR_MIP:       csr_rdata = mip;
      cpu_pkg::CSR_TSELECT, cpu_pkg::CSR_TDATA1, cpu_pkg::CSR_TDATA2, cpu_pkg::CSR_TDATA3: csr_rdata = 32'd0;
      cpu_pkg::CSR_MCYCLE,   cpu_pkg::CSR_CYCLE:    csr_rdata = mcycle_q[31:0];
      cpu_pkg::CSR_MCYCLEH,  cpu_pkg::CSR_CYCLEH:   csr_rdata = mcycle_q[63:32];
      cpu_pkg::CSR_MINSTRET, cpu_pkg::CSR_INSTRET:  csr_rdata = minstret_q[31:0];
      cpu_pkg::CSR_MINSTRETH, cpu_pkg::CSR_INSTRETH: csr_rdata = minstret_q[63:32];
      cpu_pkg::CSR_MVENDORID, cpu_pkg::CSR_MARCHID, cpu_pkg::CSR_MIMPID, cpu_pkg::CSR_MCONFIGPTR: csr_rdata = 32'd0;
      cpu_pkg::CSR_MHARTID:   csr_rdata = HART_ID;
      default:       exists = 1'b0;
    endcase
  end

  assign read_only = (csr_addr[11:10] == 2'b11);
  assign csr_illegal = !exists || (read_only && csr_wr_req);

  always_comb begin
    unique case (csr_op)
      cpu_pkg::CSR_RS:  wdata = csr_rdata | csr_operand;
      cpu_pkg::CSR_RC:  wdata = csr_rdata & ~csr_operand;
      default: wdata = csr_operand;
    endcase
  end

  // Interrupt arbitration: external > software > timer (privileged spec order).
  always_comb begin
    irq_cause = 5'(cpu_pkg::IRQ_MTI);
    if (pending[cpu_pkg::IRQ_MEI])      irq_cause = 5'(cpu_pkg::IRQ_MEI);
    else if (pending[cpu_pkg::IRQ_MSI]) irq_cause = 5'(cpu_pkg::IRQ_MSI);
  end
  assign irq_wake = (pending != 32'd0);
  assign irq_take = irq_wake && mie_q;

  assign trap_target = (trap_irq && mtvec_q[0]) ? {mtvec_q[31:2], 2'b00} + {25'd0, trap_cause, 2'b00}
                                                : {mtvec_q[31:2], 2'b00};
  assign mepc = mepc_q;

  always_comb begin
    mie_d = mie_q;
    mpie_d = mpie_q;
    mie_reg_d = mie_reg_q;
    mtvec_d = mtvec_q;
    mscratch_d = mscratch_q;
    mepc_d = mepc_q;
    mcause_d = mcause_q;
    mtval_d = mtval_q;
    mcycle_d = mcycle_q + 64'd1;
    minstret_d = minstret_q + (retire ? 64'd1 : 64'd0);

    if (trap_take) begin
      mepc_d = {trap_epc[31:2], 2'b00};
      mcause_d = {trap_irq, 26'd0, trap_cause};
      mtval_d = trap_tval;
      mpie_d = mie_q;
      mie_d = 1'b0;
    end else if (mret) begin
      mie_d = mpie_q;
      mpie_d = 1'b1;
    end else if (csr_commit && csr_wr_req) begin
      unique case (csr_addr)
        cpu_pkg::CSR_MSTATUS: begin
          mie_d = wdata[cpu_pkg::MSTATUS_MIE];
          mpie_d = wdata[cpu_pkg::MSTATUS_MPIE];
        end
        cpu_pkg::CSR_MIE:      mie_reg_d = wdata & MIE_MASK;
        cpu_pkg::CSR_MTVEC:    mtvec_d = {wdata[31:2], 1'b0, wdata[0]};
        cpu_pkg::CSR_MSCRATCH: mscratch_d = wdata;
        cpu_pkg::CSR_MEPC:     mepc_d = {wdata[31:2], 2'b00};
        cpu_pkg::CSR_MCAUSE:   mcause_d = wdata;
        cpu_pkg::CSR_MTVAL:    mtval_d = wdata;
        cpu_pkg::CSR_MCYCLE:   mcycle_d = {mcycle_q[63:32], wdata};
        cpu_pkg::CSR_MCYCLEH:  mcycle_d = {wdata, mcycle_q[31:0]};
        cpu_pkg::CSR_MINSTRET: minstret_d = {minstret_q[63:32], wdata};
        cpu_pkg::CSR_MINSTRETH: minstret_d = {wdata, minstret_q[31:0]};
        default: ;
      endcase
    end
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      mie_q <= 1'b0;
      mpie_q <= 1'b0;
      mie_reg_q <= 32'd0;
      mtvec_q <= 32'd0;
      mscratch_q <= 32'd0;
      mepc_q <= 32'd0;
      mcause_q <= 32'd0;
      mtval_q <= 32'd0;
      mcycle_q <= 64'd0;
      minstret_q <= 64'd0;
    end else begin
      mie_q <= mie_d;
      mpie_q <= mpie_d;
      mie_reg_q <= mie_reg_d;
      mtvec_q <= mtvec_d;
      mscratch_q <= mscratch_d;
      mepc_q <= mepc_d;
      mcause_q <= mcause_d;
      mtval_q <= mtval_d;
      mcycle_q <= mcycle_d;
      minstret_q <= minstret_d;
    end
  end

  assign cycle_count = mcycle_q;
  assign instret_count = minstret_q;
endmodule
