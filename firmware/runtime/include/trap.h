/*
 * trap.h - trap entry, interrupt dispatch and the unexpected-trap dump.
 *
 * Every trap enters trap_entry (crt0 points mtvec at it, direct mode).
 * It saves all registers in a struct trap_frame on a dedicated trap stack
 * and calls the C dispatcher:
 *   - interrupts go to the handler registered for that mcause code
 *     (the timer module owns IRQ_M_TIMER; IRQ_M_EXT is demultiplexed over
 *     the INTC lines registered with intc_set_handler());
 *   - exceptions go to a handler registered for that cause, if any;
 *   - anything else prints a dump (cause in words, mepc, mtval, mstatus,
 *     all registers) on the UART and exits with RT_EXIT_TRAP(mcause).
 * A trap taken while the dispatcher itself runs is always fatal.
 */
#ifndef RT_TRAP_H
#define RT_TRAP_H

#include <stdbool.h>
#include <stdint.h>

/* Exception causes (mcause with the interrupt bit clear). */
#define CAUSE_MISALIGNED_FETCH   0
#define CAUSE_FETCH_ACCESS       1
#define CAUSE_ILLEGAL_INSN       2
#define CAUSE_BREAKPOINT         3
#define CAUSE_MISALIGNED_LOAD    4
#define CAUSE_LOAD_ACCESS        5
#define CAUSE_MISALIGNED_STORE   6
#define CAUSE_STORE_ACCESS       7
#define CAUSE_ECALL_U            8
#define CAUSE_ECALL_S            9
#define CAUSE_ECALL_M            11
#define TRAP_NUM_CAUSES          16

/* Exit code of a program stopped by an unexpected trap:
 * 0x100 + cause for exceptions, 0x180 + cause for interrupts. */
#define RT_EXIT_TRAP(mcause) \
	(0x100u | (((mcause) & MCAUSE_INTERRUPT_BIT) ? 0x80u : 0u) | ((mcause) & 0x7fu))
#define RT_EXIT_NESTED_TRAP 0x1ff
#define MCAUSE_INTERRUPT_BIT 0x80000000u

/* Saved by trap_entry; regs[0] is x0's slot (holds mcause for the dump). */
struct trap_frame {
	uint32_t regs[32];      /* x0..x31, regs[2] = sp at the trap */
	uint32_t mepc;
	uint32_t mstatus;
	uint32_t mcause;
	uint32_t mtval;
};

_Static_assert(sizeof(struct trap_frame) == 36 * 4, "trap_entry.S frame layout");

typedef void (*irq_handler_fn)(unsigned irq, void *arg);

/* Registration returns 0, or -EINVAL for a number out of range; a NULL fn
 * unregisters. Handlers run with interrupts disabled. */
/* Return true if handled (adjust f->mepc to skip the instruction). */
typedef bool (*exc_handler_fn)(struct trap_frame *f, void *arg);

int trap_set_irq_handler(unsigned irq, irq_handler_fn fn, void *arg);
int trap_set_exc_handler(unsigned cause, exc_handler_fn fn, void *arg);

/* Device interrupts behind the INTC: line 0..31. */
int intc_set_handler(unsigned line, irq_handler_fn fn, void *arg);
void intc_enable_line(unsigned line);
void intc_disable_line(unsigned line);

/* Software interrupt (TIMER.MSIP). The handler must clear it. */
void soft_irq_raise(void);
void soft_irq_clear(void);

const char *trap_cause_name(uint32_t mcause);

/* Print the dump for f and stop with RT_EXIT_TRAP(f->mcause). */
__attribute__((noreturn)) void trap_fatal(const struct trap_frame *f, const char *why);

#endif /* RT_TRAP_H */
