/* CSR instructions: read-modify-write forms, immediate forms, x0 rules,
 * machine information registers, counters, and what must trap. */
#include "isa.h"

TEST_BEGIN
	la t0, trap
	csrw mtvec, t0

	li TESTNUM, 1		/* csrrw returns the old value */
	li a1, 0x12345678
	csrw mscratch, a1
	li a2, 0xcafe0000
	csrrw a3, mscratch, a2
	bne a3, a1, fail
	csrr a4, mscratch
	bne a4, a2, fail

	li TESTNUM, 2		/* csrrs / csrrc */
	li a1, 0x0000ffff
	csrrs a3, mscratch, a1
	li t6, 0xcafe0000
	bne a3, t6, fail
	csrr a4, mscratch
	li t6, 0xcafeffff
	bne a4, t6, fail
	li a1, 0xff00ff00
	csrrc a3, mscratch, a1
	csrr a4, mscratch
	li t6, 0x00fe00ff
	bne a4, t6, fail

	li TESTNUM, 3		/* immediate forms */
	csrrwi a3, mscratch, 0x15
	li t6, 0x00fe00ff
	bne a3, t6, fail
	csrrsi a3, mscratch, 0x0a
	csrr a4, mscratch
	li t6, 0x1f
	bne a4, t6, fail
	csrrci a3, mscratch, 0x03
	csrr a4, mscratch
	li t6, 0x1c
	bne a4, t6, fail

	li TESTNUM, 4		/* rd = x0 still writes; rs1 = x0 / uimm 0 read without writing */
	csrrw x0, mscratch, zero
	csrr a4, mscratch
	bnez a4, fail
	csrrs a4, mhartid, zero
	bnez a4, fail
	csrrci a4, mvendorid, 0
	bnez a4, fail

	li TESTNUM, 5		/* machine information */
	csrr a1, misa
	li t6, 0x40001100
	bne a1, t6, fail
	csrr a1, marchid
	bnez a1, fail
	csrr a1, mimpid
	bnez a1, fail

	li TESTNUM, 6		/* mstatus: MIE/MPIE writable, MPP reads M */
	li a1, 0x88
	csrw mstatus, a1
	csrr a2, mstatus
	li t6, 0x1888
	bne a2, t6, fail
	csrw mstatus, zero
	csrr a2, mstatus
	li t6, 0x1800
	bne a2, t6, fail

	li TESTNUM, 7		/* mtvec keeps MODE bit 0, mepc drops bits 1:0 */
	csrr s0, mtvec
	li a1, 0x80001003
	csrw mtvec, a1
	csrr a2, mtvec
	li t6, 0x80001001
	bne a2, t6, fail
	csrw mtvec, s0
	li a1, 0x80000123
	csrw mepc, a1
	csrr a2, mepc
	li t6, 0x80000120
	bne a2, t6, fail

	li TESTNUM, 8		/* mie: only MSIE, MTIE, MEIE */
	li a1, -1
	csrw mie, a1
	csrr a2, mie
	li t6, 0x888
	bne a2, t6, fail
	csrw mie, zero

	li TESTNUM, 9		/* minstret counts retired instructions exactly */
	csrr a1, minstret
	nop
	nop
	nop
	csrr a2, minstret
	sub a3, a2, a1
	li t6, 4
	bne a3, t6, fail

	li TESTNUM, 10		/* mcycle runs, and can be written */
	csrr a1, mcycle
	csrr a2, mcycle
	bgeu a1, a2, fail
	csrw mcycle, zero
	csrr a1, mcycle
	li t6, 16
	bgeu a1, t6, fail
	csrw mcycleh, zero
	csrr a1, mcycleh
	bnez a1, fail

	li TESTNUM, 11		/* minstret written */
	li a1, 1000
	csrw minstret, a1	/* the write replaces this instruction's own count */
	csrr a2, minstret
	li t6, 1000
	bne a2, t6, fail
	li a1, 7
	csrw minstreth, a1
	csrr a2, minstreth
	bne a2, a1, fail

	li TESTNUM, 12		/* user counter shadows follow the machine counters */
	csrr a1, minstret
	rdinstret a2
	sub a3, a2, a1
	li t6, 1
	bne a3, t6, fail
	rdcycle a1
	rdcycle a2
	bgeu a1, a2, fail
	rdinstreth a1
	li t6, 7
	bne a1, t6, fail

	li TESTNUM, 13		/* writing a read-only CSR traps, nothing changes */
	li s1, 0
	la s2, 1f
	csrw mhartid, a1
1:	li t6, 1
	bne s1, t6, fail
	csrr a1, mhartid
	bnez a1, fail

	li TESTNUM, 14		/* csrrwi to a read-only CSR traps too, as does rdcycle written */
	li s1, 0
	la s2, 1f
	csrrwi a1, mvendorid, 0
1:	li t6, 1
	bne s1, t6, fail
	li s1, 0
	la s2, 1f
	csrrw a1, cycle, x0
1:	li t6, 1
	bne s1, t6, fail

	li TESTNUM, 15		/* unimplemented CSRs trap: satp, pmpcfg0, an unknown one */
	li s1, 0
	la s2, 1f
	csrr a1, satp
1:	li s3, 0
	la s2, 2f
	csrw pmpcfg0, zero
2:	la s2, 3f
	csrr a1, 0x7c0
3:	li t6, 3
	bne s1, t6, fail

	li TESTNUM, 16		/* the trap reported an illegal instruction with its bits */
	csrr a1, mcause
	li t6, 2
	bne a1, t6, fail
	csrr a1, mtval
	li t6, 0x7c0025f3	/* csrr a1, 0x7c0 */
	bne a1, t6, fail
TEST_END

/* Expected traps: count them in s1 and resume at s2. */
	.text
	.align 2
trap:
	csrr t0, mcause
	li t1, 2
	bne t0, t1, unexpected_trap
	addi s1, s1, 1
	csrw mepc, s2
	mret
