/*
 * Executes pseudo-random words. A trap handler counts traps and skips the
 * faulting instruction; after TRAPS_WANTED traps the program passes. Whatever
 * the garbage does, the simulation must end with a defined status.
 */
#include "common.h"
#ifndef SEED
#define SEED 1
#endif
#define WORDS 4096
#define TRAPS_WANTED 300
	.section .text.init
	.globl _start
_start:
	la t0, handler
	csrw mtvec, t0
	la s0, area
	li s1, WORDS
	li s2, SEED
	li s3, 1664525
	li s4, 1013904223
fill:	mul s2, s2, s3
	add s2, s2, s4
	sw s2, 0(s0)
	addi s0, s0, 4
	addi s1, s1, -1
	bnez s1, fill
	fence.i
	la t0, area
	jr t0

	.align 2
handler:
	la t5, traps
	lw t6, 0(t5)
	addi t6, t6, 1
	sw t6, 0(t5)
	li t5, TRAPS_WANTED
	bge t6, t5, done
	csrr t5, mepc
	addi t5, t5, 4
	/* Keep execution inside the garbage area. */
	la t6, area
	bltu t5, t6, restart
	la t6, area_end
	bgeu t5, t6, restart
	csrw mepc, t5
	mret
restart:
	la t5, area
	csrw mepc, t5
	mret
done:
	EXIT_TOHOST(0)

	TOHOST_SECTION
	.data
	.align 2
traps:	.word 0
	.section .text
	.align 2
area:	.space WORDS * 4
area_end:
