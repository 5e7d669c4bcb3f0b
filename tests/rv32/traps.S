/* Exceptions: cause, mepc, mtval and side effects of each, and mret. */
#include "isa.h"

/* Runs `insn` expecting a trap with the given cause; checks mepc = the
 * instruction and mtval = tval. The handler resumes at the next instruction. */
#define EXPECT(num, cause, tval_reg, ...) \
	li TESTNUM, num;                    \
	li s1, 0;                           \
	la s2, 9f;                          \
8:	__VA_ARGS__;                        \
9:	li t6, 1;                           \
	bne s1, t6, fail;                   \
	li t6, cause;                       \
	bne s3, t6, fail;                   \
	la t6, 8b;                          \
	bne s4, t6, fail;                   \
	bne s5, tval_reg, fail

TEST_BEGIN
	la t0, trap
	csrw mtvec, t0

	li a0, 0
	EXPECT(1, 11, a0, ecall)
	la a0, 8f
	EXPECT(2, 3, a0, ebreak)
	la a0, 8f
	li a0, 0
	EXPECT(3, 2, a0, .word 0x00000000)
	li a0, 0xffffffff
	EXPECT(4, 2, a0, .word 0xffffffff)
	li a0, 0x02051513	/* slli a0, a0, 32: shamt[5] is reserved in RV32 */
	EXPECT(5, 2, a0, .word 0x02051513)
	li a0, 0x42155513	/* srli with a reserved funct7 */
	EXPECT(6, 2, a0, .word 0x42155513)
	li a0, 0x02a50533 | (1 << 27)	/* add with a reserved funct7 */
	EXPECT(7, 2, a0, .word 0x02a50533 | (1 << 27))
	li a0, 0x30200073 | (1 << 7)	/* mret with rd != 0 */
	EXPECT(8, 2, a0, .word 0x30200073 | (1 << 7))
	li a0, 0x61251513	/* crc32.w (IEEE polynomial): only crc32c.b/h/w are implemented */
	EXPECT(9, 2, a0, .word 0x61251513)

	la a1, data
	addi a0, a1, 1
	EXPECT(10, 4, a0, lw a2, 1(a1))
	addi a0, a1, 3
	EXPECT(11, 4, a0, lh a2, 3(a1))
	addi a0, a1, 2
	EXPECT(12, 4, a0, lw a2, 2(a1))
	addi a0, a1, 1
	EXPECT(13, 6, a0, sw a2, 1(a1))
	addi a0, a1, 5
	EXPECT(14, 6, a0, sh a2, 5(a1))
	li a1, 0
	li a0, 4
	EXPECT(15, 5, a0, lw a2, 4(a1))
	li a1, 0x20000000
	mv a0, a1
	EXPECT(16, 7, a0, sw a2, 0(a1))
	li a1, 0x10004000
	mv a0, a1
	EXPECT(17, 5, a0, lbu a2, 0(a1))

	li TESTNUM, 18		/* the faulting load did not write its register */
	li a2, 1234
	li s1, 0
	la s2, 1f
	li a1, 0
	lw a2, 0(a1)
1:	li t6, 1234
	bne a2, t6, fail

	li TESTNUM, 19		/* a faulting store changed nothing */
	la a1, data
	li a2, 0x11223344
	sw a2, 0(a1)
	li a3, 0x55667788
	li s1, 0
	la s2, 1f
	sw a3, 2(a1)
1:	lw a4, 0(a1)
	bne a4, a2, fail

	/* A jump to an address with bit 1 set traps on the jump; rd unchanged. */
	li a5, 777
	la a1, target + 2
	mv a0, a1
	EXPECT(20, 0, a0, jalr a5, 0(a1))
	li TESTNUM, 21
	li t6, 777
	bne a5, t6, fail
	/* A taken branch to pc + 6 (encoded by hand: the assembler would turn a
	 * misaligned branch into a branch around a jump). */
	li TESTNUM, 22
	li s1, 0
	la s2, 1f
8:	.word 0x00000363	/* beq x0, x0, .+6 */
	j fail
1:	li t6, 1
	bne s1, t6, fail
	li t6, 0
	bne s3, t6, fail
	la t6, 8b
	bne s4, t6, fail
	addi t6, t6, 6
	bne s5, t6, fail

	/* Fetching outside the ITCM: access fault at the target. */
	li TESTNUM, 23
	li s1, 0
	la s2, 1f
	li a1, 0x80040000
	jr a1
1:	li t6, 1
	bne s1, t6, fail
	li t6, 1
	bne s3, t6, fail
	li t6, 0x80040000
	bne s4, t6, fail
	bne s5, t6, fail

	/* A trap stacks MIE into MPIE and clears MIE; mret restores them. */
	li TESTNUM, 24
	csrw mie, zero
	csrsi mstatus, 8
	li s1, 0
	la s2, 1f
	ecall
1:	csrr a1, mstatus	/* after mret: MIE back on, MPIE 1 */
	li t6, 0x1888
	bne a1, t6, fail
	li t6, 0x1880		/* inside the handler: MIE 0, MPIE 1 */
	bne s6, t6, fail
	csrci mstatus, 8
	li t6, 11
	bne s3, t6, fail
TEST_END

	.text
	.align 2
target:
	j fail
	nop

	.align 2
trap:
	addi s1, s1, 1
	csrr s3, mcause
	csrr s4, mepc
	csrr s5, mtval
	csrr s6, mstatus
	li t0, 0x80000000
	and t0, s3, t0
	bnez t0, unexpected_trap
	csrw mepc, s2
	mret

	.data
	.align 4
data:
	.word 0x01020304, 0x05060708
