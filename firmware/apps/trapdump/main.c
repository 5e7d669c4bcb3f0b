/*
 * trapdump - exercises the trap path twice:
 *   1. an illegal instruction with a registered handler, which checks the
 *      reported mepc/mcause and resumes after the instruction;
 *   2. the same with no handler: the runtime's dump must appear and the
 *      program must stop with a non-zero exit code (the test expects both).
 * Known values are put in a few registers first so the dump can be checked.
 */
#include <stdio.h>

#include "rt.h"

/* The all-zero word is illegal on every RISC-V core (quadrant 0, no C). */
#define ILLEGAL_WORD ".word 0x00000000\n"

extern const char trapdump_illegal1[], trapdump_illegal2[];

static volatile uint32_t handled_mepc, handled_mcause;

static bool on_illegal(struct trap_frame *f, void *arg)
{
	(void)arg;
	handled_mepc = f->mepc;
	handled_mcause = f->mcause;
	f->mepc += 4;           /* resume after the bad word */
	return true;
}

int main(void)
{
	printf("trapdump: handled illegal instruction at %p\n", (void *)trapdump_illegal1);
	trap_set_exc_handler(CAUSE_ILLEGAL_INSN, on_illegal, NULL);
	__asm__ volatile ("trapdump_illegal1: " ILLEGAL_WORD ::: "memory");
	trap_set_exc_handler(CAUSE_ILLEGAL_INSN, NULL, NULL);
	if (handled_mepc != (uint32_t)(uintptr_t)trapdump_illegal1 ||
	    handled_mcause != CAUSE_ILLEGAL_INSN) {
		printf("trapdump: FAILED: handler saw mepc 0x%08lx mcause 0x%08lx\n",
		       (unsigned long)handled_mepc, (unsigned long)handled_mcause);
		return 1;
	}
	printf("trapdump: handler ok, resumed\n");

	printf("trapdump: unhandled illegal instruction at %p, expect a dump\n",
	       (void *)trapdump_illegal2);
	__asm__ volatile (
		"li a0, 0xa0a0a0a0\n"
		"li a1, 0xa1a1a1a1\n"
		"li s11, 0x5b5b5b5b\n"
		"li t6, 0x76767676\n"
		"trapdump_illegal2: " ILLEGAL_WORD
		::: "a0", "a1", "s11", "t6", "memory");
	printf("trapdump: FAILED: execution continued after an unhandled trap\n");
	return 2;
}
