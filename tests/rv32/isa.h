/*
 * Frame of the RV32IM test programs (tests/rv32): start-up, the pass and
 * fail exits through `tohost`, and a trap vector that fails on any trap a
 * test did not ask for. TESTNUM (s11) holds the number of the running case;
 * a failure reports it as the exit code.
 */
#ifndef ISA_H
#define ISA_H

#define TESTNUM s11

#define TEST_BEGIN                      \
	.section .text.init, "ax";      \
	.globl _start;                  \
_start:                                 \
	la t0, unexpected_trap;         \
	csrw mtvec, t0;                 \
	li TESTNUM, 0;

/* Pass, then the shared fail path and the default trap vector. */
#define TEST_END                        \
	li t0, 1;                       \
	la t1, tohost;                  \
	sw t0, 0(t1);                   \
1:	j 1b;                           \
fail:                                   \
	slli t0, TESTNUM, 1;            \
	ori t0, t0, 1;                  \
	la t1, tohost;                  \
	sw t0, 0(t1);                   \
2:	j 2b;                           \
	.align 2;                       \
unexpected_trap:                        \
	li TESTNUM, 4000;               \
	j fail;                         \
	.section .tohost, "aw";         \
	.align 3;                       \
	.globl tohost;                  \
tohost: .dword 0;                       \
	.globl fromhost;                \
fromhost: .dword 0;                     \
	.text

#endif /* ISA_H */
