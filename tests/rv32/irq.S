/* Interrupts: timer, software and external, masking by mie and
 * mstatus.MIE, priority, WFI, vectored mtvec. */
#include "isa.h"

#define TIMER      0x10001000
#define MTIME_LO   0x00
#define MTIME_HI   0x04
#define MTIMECMP_LO 0x08
#define MTIMECMP_HI 0x0c
#define MSIP       0x10
#define INTC       0x10002000
#define INTC_PENDING 0x0
#define INTC_ENABLE 0x4
#define SIMCTRL_IRQ 0x10003008

TEST_BEGIN
	la t0, handler
	csrw mtvec, t0
	li s0, TIMER
	li s7, INTC
	li s8, SIMCTRL_IRQ
	li s1, 0		/* interrupts taken */

	li TESTNUM, 1		/* timer: pending but masked by mie */
	call timer_soon
	li t0, 200
1:	addi t0, t0, -1
	bnez t0, 1b
	csrr a1, mip
	andi a1, a1, 0x80
	beqz a1, fail		/* MTIP visible */
	csrsi mstatus, 8	/* MIE on, but mie.MTIE off: nothing */
	nop
	nop
	bnez s1, fail
	csrci mstatus, 8

	li TESTNUM, 2		/* enabled in mie but MIE off: still nothing */
	li t0, 0x80
	csrs mie, t0
	nop
	nop
	bnez s1, fail

	li TESTNUM, 3		/* MIE on: taken at once, cause 7 with bit 31 */
	csrsi mstatus, 8
	nop
	nop
	csrci mstatus, 8
	li t6, 1
	bne s1, t6, fail
	li t6, 0x80000007
	bne s3, t6, fail

	li TESTNUM, 4		/* WFI waits for the timer; the interrupt comes after it */
	li s1, 0
	call timer_soon
	csrsi mstatus, 8
	wfi
	csrci mstatus, 8
	li t6, 1
	bne s1, t6, fail

	li TESTNUM, 5		/* WFI with MIE off wakes on the pending interrupt, no trap */
	li s1, 0
	call timer_soon
	wfi
	csrr a1, mip
	andi a1, a1, 0x80
	beqz a1, fail
	bnez s1, fail
	call timer_off

	li TESTNUM, 6		/* software interrupt */
	li s1, 0
	li t0, 0x8
	csrs mie, t0
	csrsi mstatus, 8
	li t1, 1
	sw t1, MSIP(s0)
	nop
	nop
	csrci mstatus, 8
	li t6, 1
	bne s1, t6, fail
	li t6, 0x80000003
	bne s3, t6, fail

	li TESTNUM, 7		/* external interrupt through the interrupt controller */
	li s1, 0
	li t0, 0x800
	csrs mie, t0
	li t1, 0x8
	sw t1, INTC_ENABLE(s7)
	sw t1, 0(s8)		/* raise device line 3 */
	nop			/* the controller samples its lines once */
	lw t2, INTC_PENDING(s7)
	beqz t2, fail
	csrsi mstatus, 8
	nop
	nop
	csrci mstatus, 8
	li t6, 1
	bne s1, t6, fail
	li t6, 0x8000000b
	bne s3, t6, fail

	li TESTNUM, 8		/* a line not enabled in the controller does nothing */
	li s1, 0
	sw zero, INTC_ENABLE(s7)
	li t1, 0x10
	sw t1, 0(s8)
	csrsi mstatus, 8
	nop
	nop
	csrci mstatus, 8
	bnez s1, fail
	sw zero, 0(s8)

	li TESTNUM, 9		/* external before timer when both are pending */
	li s1, 0
	li t1, 0x8
	sw t1, INTC_ENABLE(s7)
	call timer_now
	sw t1, 0(s8)
	nop
	nop
	nop
	csrsi mstatus, 8
	nop
	nop
	csrci mstatus, 8
	li t6, 2
	bne s1, t6, fail
	li t6, 0x8000000b
	bne s9, t6, fail	/* first one taken */
	li t6, 0x80000007
	bne s3, t6, fail	/* then the timer */

	li TESTNUM, 10		/* vectored mtvec: interrupt cause 7 at base + 28 */
	li s1, 0
	la t0, vectors
	ori t0, t0, 1
	csrw mtvec, t0
	call timer_now
	nop
	nop
	csrsi mstatus, 8
	nop
	nop
	csrci mstatus, 8
	li t6, 1
	bne s1, t6, fail
	li t6, 7
	bne s10, t6, fail	/* the vector slot that ran */
	la t0, handler
	csrw mtvec, t0

	li TESTNUM, 11		/* mepc of an interrupt is the instruction not yet run */
	li s1, 0
	call timer_now
	nop
	nop
	csrsi mstatus, 8
8:	addi a5, zero, 5
	csrci mstatus, 8
	li t6, 5
	bne a5, t6, fail
	la t6, 8b
	bltu s4, t6, fail
	csrw mie, zero
TEST_END

	.text
	.align 2
/* mtimecmp = mtime + 50 */
timer_soon:
	lw t0, MTIME_LO(s0)
	addi t0, t0, 50
	li t1, -1
	sw t1, MTIMECMP_HI(s0)
	sw t0, MTIMECMP_LO(s0)
	sw zero, MTIMECMP_HI(s0)
	ret
/* mtimecmp = 0: pending now */
timer_now:
	sw zero, MTIMECMP_LO(s0)
	sw zero, MTIMECMP_HI(s0)
	ret
timer_off:
	li t0, -1
	sw t0, MTIMECMP_LO(s0)
	sw t0, MTIMECMP_HI(s0)
	ret

	.align 2
/* Records the cause (previous one in s9), silences the source. */
handler:
	addi s1, s1, 1
	mv s9, s3
	csrr s3, mcause
	csrr s4, mepc
	bgez s3, unexpected_trap
	li t0, 0x80000007
	beq s3, t0, 1f
	li t0, 0x80000003
	beq s3, t0, 2f
	sw zero, 0(s8)		/* external: lower the line */
	mret
1:	li t0, -1		/* timer: far future */
	sw t0, MTIMECMP_LO(s0)
	sw t0, MTIMECMP_HI(s0)
	mret
2:	sw zero, MSIP(s0)
	mret

	.align 6
/* Vectored table: slot i records i in s10, then the common handler runs. */
vectors:
	.irp i, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	j vslot\i
	.endr
	.irp i, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
vslot\i:
	li s10, \i
	j handler
	.endr
