/*
 * trap_entry.S - the single trap vector (mtvec direct mode).
 *
 * mscratch holds the top of the trap stack while normal code runs and 0
 * while a trap is being handled. The entry swaps sp and mscratch, so a
 * corrupted program stack still gets a readable dump, and a second trap
 * during handling (sp swaps in as 0) is recognised and reported as fatal.
 */
#define FRAME_WORDS 36
#define FRAME_SIZE  (FRAME_WORDS * 4)
#define F_MEPC      (32 * 4)
#define F_MSTATUS   (33 * 4)
#define F_MCAUSE    (34 * 4)
#define F_MTVAL     (35 * 4)

/* Save x1, x3..x31 at sp; x2 (sp) is stored by the caller of the macro. */
.macro SAVE_GPRS
	sw	x1,   1*4(sp)
	sw	x3,   3*4(sp)
	sw	x4,   4*4(sp)
	sw	x5,   5*4(sp)
	sw	x6,   6*4(sp)
	sw	x7,   7*4(sp)
	sw	x8,   8*4(sp)
	sw	x9,   9*4(sp)
	sw	x10, 10*4(sp)
	sw	x11, 11*4(sp)
	sw	x12, 12*4(sp)
	sw	x13, 13*4(sp)
	sw	x14, 14*4(sp)
	sw	x15, 15*4(sp)
	sw	x16, 16*4(sp)
	sw	x17, 17*4(sp)
	sw	x18, 18*4(sp)
	sw	x19, 19*4(sp)
	sw	x20, 20*4(sp)
	sw	x21, 21*4(sp)
	sw	x22, 22*4(sp)
	sw	x23, 23*4(sp)
	sw	x24, 24*4(sp)
	sw	x25, 25*4(sp)
	sw	x26, 26*4(sp)
	sw	x27, 27*4(sp)
	sw	x28, 28*4(sp)
	sw	x29, 29*4(sp)
	sw	x30, 30*4(sp)
	sw	x31, 31*4(sp)
.endm

.macro SAVE_CSRS
	csrr	t0, mepc
	csrr	t1, mstatus
	csrr	t2, mcause
	csrr	t3, mtval
	sw	t0, F_MEPC(sp)
	sw	t1, F_MSTATUS(sp)
	sw	t2, F_MCAUSE(sp)
	sw	t3, F_MTVAL(sp)
	sw	t2, 0(sp)        /* x0's slot */
.endm

	.section .text.trap, "ax", @progbits
	.globl	trap_entry
	.type	trap_entry, @function
	.balign	4
trap_entry:
	csrrw	sp, mscratch, sp        /* sp = trap stack, mscratch = old sp */
	beqz	sp, trap_nested
	addi	sp, sp, -FRAME_SIZE
	SAVE_GPRS
	csrrw	t0, mscratch, zero      /* t0 = interrupted sp; mark "in trap" */
	sw	t0, 2*4(sp)
	SAVE_CSRS
	/* The C side may rely on gp/tp even if the program broke them. */
	.option push
	.option norelax
	la	gp, __global_pointer$
	.option pop
	la	tp, __tls_base
	mv	a0, sp
	call	trap_dispatch

	/* Restore; the handler may have changed mepc (e.g. to skip an ecall). */
	lw	t0, F_MEPC(sp)
	lw	t1, F_MSTATUS(sp)
	csrw	mepc, t0
	csrw	mstatus, t1
	addi	t0, sp, FRAME_SIZE
	csrw	mscratch, t0            /* re-arm for the next trap */
	lw	x1,   1*4(sp)
	lw	x3,   3*4(sp)
	lw	x4,   4*4(sp)
	lw	x5,   5*4(sp)
	lw	x6,   6*4(sp)
	lw	x7,   7*4(sp)
	lw	x8,   8*4(sp)
	lw	x9,   9*4(sp)
	lw	x10, 10*4(sp)
	lw	x11, 11*4(sp)
	lw	x12, 12*4(sp)
	lw	x13, 13*4(sp)
	lw	x14, 14*4(sp)
	lw	x15, 15*4(sp)
	lw	x16, 16*4(sp)
	lw	x17, 17*4(sp)
	lw	x18, 18*4(sp)
	lw	x19, 19*4(sp)
	lw	x20, 20*4(sp)
	lw	x21, 21*4(sp)
	lw	x22, 22*4(sp)
	lw	x23, 23*4(sp)
	lw	x24, 24*4(sp)
	lw	x25, 25*4(sp)
	lw	x26, 26*4(sp)
	lw	x27, 27*4(sp)
	lw	x28, 28*4(sp)
	lw	x29, 29*4(sp)
	lw	x30, 30*4(sp)
	lw	x31, 31*4(sp)
	lw	sp,   2*4(sp)
	mret

/*
 * A trap inside the dispatcher: sp is 0 here and mscratch holds the
 * dispatcher's sp. Build a frame below it and report; never returns.
 */
trap_nested:
	csrrw	sp, mscratch, zero
	addi	sp, sp, -FRAME_SIZE
	SAVE_GPRS
	addi	t0, sp, FRAME_SIZE
	sw	t0, 2*4(sp)
	SAVE_CSRS
	mv	a0, sp
	call	trap_nested_fatal
1:	j	1b
	.size	trap_entry, . - trap_entry
