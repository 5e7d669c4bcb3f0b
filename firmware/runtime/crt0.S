/*
 * crt0.S - reset entry of a vfpga firmware image.
 *
 * The core starts at the reset vector (the start of ITCM), whatever the ELF
 * entry says, so _start is placed first in .text by link.ld. Machine mode,
 * interrupts off. .data is already in place (loaded at its run address);
 * only .tbss/.bss are cleared here.
 */
	.section .text.start, "ax", @progbits
	.globl	_start
	.type	_start, @function
_start:
	/* Nothing may trap before mtvec is set, so do that first. */
	la	t0, trap_entry
	csrw	mtvec, t0
	csrw	mie, zero
	csrci	mstatus, 0x8

	.option push
	.option norelax
	la	gp, __global_pointer$
	.option pop
	la	sp, __stack_top
	la	tp, __tls_base
	/* Trap entry swaps sp with mscratch: mscratch holds the trap stack. */
	la	t0, __trap_stack_top
	csrw	mscratch, t0

	/* Zero .tbss and .bss (contiguous in link.ld), a word at a time. */
	la	t0, __tbss_start
	la	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sw	zero, 0(t0)
	addi	t0, t0, 4
	j	1b
2:
	call	rt_init
	/* Constructors (C++ or __attribute__((constructor))). */
	la	s0, __init_array_start
	la	s1, __init_array_end
3:	bgeu	s0, s1, 4f
	lw	t0, 0(s0)
	jalr	t0
	addi	s0, s0, 4
	j	3b
4:
	li	a0, 0           /* argc */
	li	a1, 0           /* argv */
	call	main
	/* Through picolibc's exit(): atexit handlers, then _exit -> rt_exit. */
	call	exit
5:	j	5b
	.size	_start, . - _start

/*
 * picolibc's exit() ends here after its atexit handlers: the platform's
 * rt_exit (rt.c on the card) stops the program.
 */
	.section .text._exit, "ax", @progbits
	.globl	_exit
	.type	_exit, @function
_exit:
	tail	rt_exit
	.size	_exit, . - _exit

/*
 * The words the simulator watches: riscv-tests convention, 64-bit aligned.
 */
	.section .tohost, "aw", @progbits
	.balign	8
	.globl	tohost
	.type	tohost, @object
tohost:
	.zero	8
	.size	tohost, 8
	.globl	fromhost
	.type	fromhost, @object
fromhost:
	.zero	8
	.size	fromhost, 8
