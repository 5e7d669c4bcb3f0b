/*
 * trap.c - C side of trap handling: interrupt dispatch, registered
 * exception handlers and the dump printed for anything unexpected.
 *
 * The dump writes straight to the UART with libc-free helpers: the trap may
 * have hit in the middle of printf, or with a broken heap or stack.
 */
#include <errno.h>
#include <stddef.h>

#include "rt.h"

#define NUM_IRQS      32
#define NUM_INTC_LINES 32

struct irq_slot {
	irq_handler_fn fn;
	void *arg;
};

struct exc_slot {
	exc_handler_fn fn;
	void *arg;
};

static struct irq_slot irq_table[NUM_IRQS];
static struct irq_slot intc_table[NUM_INTC_LINES];
static struct exc_slot exc_table[TRAP_NUM_CAUSES];

/* Called from trap_entry.S. */
void trap_dispatch(struct trap_frame *f);
__attribute__((noreturn)) void trap_nested_fatal(struct trap_frame *f);

static const char *const exc_names[TRAP_NUM_CAUSES] = {
	[CAUSE_MISALIGNED_FETCH] = "instruction address misaligned",
	[CAUSE_FETCH_ACCESS]     = "instruction access fault",
	[CAUSE_ILLEGAL_INSN]     = "illegal instruction",
	[CAUSE_BREAKPOINT]       = "breakpoint",
	[CAUSE_MISALIGNED_LOAD]  = "load address misaligned",
	[CAUSE_LOAD_ACCESS]      = "load access fault",
	[CAUSE_MISALIGNED_STORE] = "store/AMO address misaligned",
	[CAUSE_STORE_ACCESS]     = "store/AMO access fault",
	[CAUSE_ECALL_U]          = "environment call from U-mode",
	[CAUSE_ECALL_S]          = "environment call from S-mode",
	[CAUSE_ECALL_M]          = "environment call from M-mode",
	[12]                     = "instruction page fault",
	[13]                     = "load page fault",
	[15]                     = "store/AMO page fault",
};

const char *trap_cause_name(uint32_t mcause)
{
	uint32_t code = mcause & ~MCAUSE_INTERRUPT;

	if (mcause & MCAUSE_INTERRUPT) {
		switch (code) {
		case IRQ_M_SOFT:  return "machine software interrupt";
		case IRQ_M_TIMER: return "machine timer interrupt";
		case IRQ_M_EXT:   return "machine external interrupt";
		default:          return "unknown interrupt";
		}
	}
	if (code < TRAP_NUM_CAUSES && exc_names[code])
		return exc_names[code];
	return "unknown exception";
}

int trap_set_irq_handler(unsigned irq, irq_handler_fn fn, void *arg)
{
	uint32_t flags;

	if (irq >= NUM_IRQS)
		return -EINVAL;
	flags = irq_save();
	irq_table[irq].fn = fn;
	irq_table[irq].arg = arg;
	irq_restore(flags);
	return 0;
}

int trap_set_exc_handler(unsigned cause, exc_handler_fn fn, void *arg)
{
	uint32_t flags;

	if (cause >= TRAP_NUM_CAUSES)
		return -EINVAL;
	flags = irq_save();
	exc_table[cause].fn = fn;
	exc_table[cause].arg = arg;
	irq_restore(flags);
	return 0;
}

/* IRQ_M_EXT: call the handler of every enabled INTC line that is pending. */
static void intc_dispatch(unsigned irq, void *arg)
{
	uint32_t active = mmio_read32(SOC_INTC_BASE + SOC_INTC_PENDING) &
			  mmio_read32(SOC_INTC_BASE + SOC_INTC_ENABLE);

	(void)irq;
	(void)arg;
	while (active) {
		unsigned line = (unsigned)__builtin_ctz(active);

		active &= active - 1;
		if (!intc_table[line].fn) {
			/* Nobody will clear it: mask it rather than loop forever. */
			intc_disable_line(line);
			continue;
		}
		intc_table[line].fn(line, intc_table[line].arg);
	}
}

int intc_set_handler(unsigned line, irq_handler_fn fn, void *arg)
{
	uint32_t flags;

	if (line >= NUM_INTC_LINES)
		return -EINVAL;
	flags = irq_save();
	intc_table[line].fn = fn;
	intc_table[line].arg = arg;
	irq_table[IRQ_M_EXT].fn = intc_dispatch;
	irq_table[IRQ_M_EXT].arg = NULL;
	irq_restore(flags);
	return 0;
}

void intc_enable_line(unsigned line)
{
	uintptr_t en = SOC_INTC_BASE + SOC_INTC_ENABLE;
	uint32_t flags = irq_save();

	mmio_write32(en, mmio_read32(en) | (1u << (line & 31)));
	irq_restore(flags);
	irq_source_enable(MIE_MEIE);
}

void intc_disable_line(unsigned line)
{
	uintptr_t en = SOC_INTC_BASE + SOC_INTC_ENABLE;
	uint32_t flags = irq_save();

	mmio_write32(en, mmio_read32(en) & ~(1u << (line & 31)));
	irq_restore(flags);
}

void soft_irq_raise(void)
{
	mmio_write32(SOC_TIMER_BASE + SOC_TIMER_MSIP, 1);
}

void soft_irq_clear(void)
{
	mmio_write32(SOC_TIMER_BASE + SOC_TIMER_MSIP, 0);
}

static const char *const reg_names[32] = {
	"zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2",
	"s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
	"a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7",
	"s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};

static void dump_field(const char *name, uint32_t v)
{
	uart_puts(name);
	uart_puthex32(v);
}

/* Print s left-aligned in a field of width characters. */
static void dump_padded(const char *s, unsigned width)
{
	unsigned len = 0;

	while (s[len])
		len++;
	uart_puts(s);
	while (len++ < width)
		uart_putc(' ');
}

static void dump_frame(const struct trap_frame *f, const char *why)
{
	uart_puts("\n*** ");
	uart_puts(why);
	uart_puts(": ");
	uart_puts(trap_cause_name(f->mcause));
	uart_puts(" (mcause ");
	uart_puthex32(f->mcause);
	uart_puts(")\n");
	dump_field("    mepc    ", f->mepc);
	dump_field("  mtval   ", f->mtval);
	dump_field("  mstatus ", f->mstatus);
	uart_puts("\n");
	if (!(f->mcause & MCAUSE_INTERRUPT) &&
	    (f->mcause & 0x7fu) == CAUSE_ILLEGAL_INSN)
		uart_puts("    (mtval holds the instruction bits, or 0 if the core does not report them)\n");
	/* Four registers a line: "x10 a0   0x00000000". */
	for (unsigned i = 1; i < 32; i++) {
		char xname[4] = { 'x', 0, 0, 0 };

		if (i < 10) {
			xname[1] = (char)('0' + i);
		} else {
			xname[1] = (char)('0' + i / 10);
			xname[2] = (char)('0' + i % 10);
		}
		uart_puts(i % 4 == 1 ? "    " : "  ");
		dump_padded(xname, 4);
		dump_padded(reg_names[i], 5);
		uart_puthex32(f->regs[i]);
		if (i % 4 == 0 || i == 31)
			uart_putc('\n');
	}
	uart_puts("*** stopping with exit code ");
}

void trap_fatal(const struct trap_frame *f, const char *why)
{
	uint32_t code = RT_EXIT_TRAP(f->mcause);

	dump_frame(f, why);
	uart_putdec(code);
	uart_putc('\n');
	rt_exit(code);
}

void trap_nested_fatal(struct trap_frame *f)
{
	dump_frame(f, "trap inside the trap handler");
	uart_putdec(RT_EXIT_NESTED_TRAP);
	uart_putc('\n');
	rt_exit(RT_EXIT_NESTED_TRAP);
}

void trap_dispatch(struct trap_frame *f)
{
	uint32_t cause = f->mcause;
	uint32_t code = cause & ~MCAUSE_INTERRUPT;

	if (cause & MCAUSE_INTERRUPT) {
		if (code < NUM_IRQS && irq_table[code].fn) {
			irq_table[code].fn(code, irq_table[code].arg);
			return;
		}
		trap_fatal(f, "unexpected interrupt");
	}
	if (code < TRAP_NUM_CAUSES && exc_table[code].fn &&
	    exc_table[code].fn(f, exc_table[code].arg))
		return;
	trap_fatal(f, "unexpected trap");
}
