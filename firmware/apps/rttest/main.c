/*
 * rttest - self-check of the runtime's services on the real SoC: nested
 * critical sections, ecall/ebreak handlers, the software and device
 * interrupts, software-timer ordering and cancelling, register
 * preservation across interrupts, the heap and the counters.
 */
#include <stdio.h>
#include <stdlib.h>

#include "rt.h"

#define TEST_IRQ_LINE    5
#define OTHER_IRQ_LINE   6
#define WAIT_TICKS       20000u
#define SOAK_ITERATIONS  20000u
#define SOAK_PERIOD      97u     /* ticks: odd, so it lands all over the loop */

uint32_t rttest_reg_soak(uint32_t iterations);

static unsigned checks, failures;

static void check(bool ok, const char *what)
{
	checks++;
	if (ok) {
		printf("rttest: %s ok\n", what);
	} else {
		printf("rttest: %s FAILED\n", what);
		failures++;
	}
}

/* Spin until *flag reaches want or WAIT_TICKS pass; true if it did. */
static bool wait_for(volatile uint32_t *flag, uint32_t want)
{
	uint64_t end = timer_now() + WAIT_TICKS;

	while (*flag < want)
		if (timer_now() >= end)
			return false;
	return true;
}

static void test_irq_save(void)
{
	uint32_t outer, inner;
	bool ok;

	irq_enable();
	outer = irq_save();
	inner = irq_save();
	irq_restore(inner);
	ok = !(csr_read(CSR_MSTATUS) & MSTATUS_MIE);    /* still off */
	irq_restore(outer);
	ok = ok && (csr_read(CSR_MSTATUS) & MSTATUS_MIE);
	irq_disable();
	check(ok, "nested irq_save/irq_restore");
}

static volatile uint32_t exc_seen_cause;

static bool on_env(struct trap_frame *f, void *arg)
{
	(void)arg;
	exc_seen_cause = f->mcause;
	f->regs[10] += 1;       /* a0: visible result of the "call" */
	f->mepc += 4;
	return true;
}

static void test_exceptions(void)
{
	register uint32_t a0 __asm__("a0") = 41;

	trap_set_exc_handler(CAUSE_ECALL_M, on_env, NULL);
	__asm__ volatile ("ecall" : "+r"(a0) :: "memory");
	check(a0 == 42 && exc_seen_cause == CAUSE_ECALL_M, "ecall handler");
	trap_set_exc_handler(CAUSE_ECALL_M, NULL, NULL);

	trap_set_exc_handler(CAUSE_BREAKPOINT, on_env, NULL);
	__asm__ volatile ("ebreak" : "+r"(a0) :: "memory");
	check(a0 == 43 && exc_seen_cause == CAUSE_BREAKPOINT, "ebreak handler");
	trap_set_exc_handler(CAUSE_BREAKPOINT, NULL, NULL);

	check(csr_read(CSR_MSCRATCH) == (uint32_t)(uintptr_t)__trap_stack_top,
	      "mscratch re-armed after traps");
}

static volatile uint32_t soft_irqs;

static void on_soft(unsigned irq, void *arg)
{
	(void)irq;
	(void)arg;
	soft_irq_clear();
	soft_irqs++;
}

static void test_soft_irq(void)
{
	trap_set_irq_handler(IRQ_M_SOFT, on_soft, NULL);
	irq_source_enable(MIE_MSIE);
	soft_irq_raise();
	check(soft_irqs == 0, "software interrupt held off while masked");
	irq_enable();
	check(wait_for(&soft_irqs, 1) && soft_irqs == 1, "software interrupt");
	irq_disable();
	irq_source_disable(MIE_MSIE);
}

#define SIMCTRL_IRQ_REG (SOC_SIMCTRL_BASE + SOC_SIMCTRL_IRQ)

static volatile uint32_t ext_irqs, ext_line;

static void on_ext(unsigned line, void *arg)
{
	(void)arg;
	/* The test source is SIMCTRL.IRQ: drop our line there. */
	mmio_write32(SIMCTRL_IRQ_REG, mmio_read32(SIMCTRL_IRQ_REG) & ~(1u << line));
	ext_line = line;
	ext_irqs++;
}

static void test_ext_irq(void)
{
	uint64_t until;

	intc_set_handler(TEST_IRQ_LINE, on_ext, NULL);
	intc_set_handler(OTHER_IRQ_LINE, on_ext, NULL);
	intc_enable_line(TEST_IRQ_LINE);
	irq_enable();

	/* A line that is not enabled must not interrupt. */
	mmio_write32(SIMCTRL_IRQ_REG, 1u << OTHER_IRQ_LINE);
	until = timer_now() + 2000;
	while (timer_now() < until)
		;
	check(ext_irqs == 0, "masked device interrupt line stays quiet");
	mmio_write32(SIMCTRL_IRQ_REG, 0);

	mmio_write32(SIMCTRL_IRQ_REG, 1u << TEST_IRQ_LINE);
	check(wait_for(&ext_irqs, 1) && ext_irqs == 1 && ext_line == TEST_IRQ_LINE,
	      "device interrupt through the INTC");
	irq_disable();
	intc_disable_line(TEST_IRQ_LINE);
	irq_source_disable(MIE_MEIE);
}

static struct timer order_t[3], cancelled_t;
static volatile uint32_t order_log[3], order_n, cancelled_fired;

static void on_order(struct timer *t, void *arg)
{
	(void)t;
	if (order_n < 3)
		order_log[order_n] = (uint32_t)(uintptr_t)arg;
	order_n++;
}

static void on_cancelled(struct timer *t, void *arg)
{
	(void)t;
	(void)arg;
	cancelled_fired++;
}

static void test_timers(void)
{
	static const uint32_t delays[3] = { 900, 300, 600 };

	timer_init();
	irq_enable();
	timer_start(&cancelled_t, 450, 0, on_cancelled, NULL);
	for (unsigned i = 0; i < 3; i++)
		timer_start(&order_t[i], delays[i], 0, on_order, (void *)(uintptr_t)i);
	timer_cancel(&cancelled_t);
	check(wait_for(&order_n, 3) && order_n == 3, "three one-shot timers fire");
	check(order_log[0] == 1 && order_log[1] == 2 && order_log[2] == 0,
	      "timers fire in deadline order");
	check(cancelled_fired == 0 && !timer_pending(&cancelled_t), "cancelled timer stays silent");
	irq_disable();
}

static struct timer soak_t;
static volatile uint32_t soak_ticks;

static void on_soak(struct timer *t, void *arg)
{
	(void)t;
	(void)arg;
	soak_ticks++;
}

static void test_reg_soak(void)
{
	uint32_t bad;

	irq_enable();
	timer_start(&soak_t, SOAK_PERIOD, SOAK_PERIOD, on_soak, NULL);
	bad = rttest_reg_soak(SOAK_ITERATIONS);
	timer_cancel(&soak_t);
	irq_disable();
	if (bad)
		printf("rttest: register x%lu changed across an interrupt\n", (unsigned long)bad);
	check(bad == 0 && soak_ticks > 10, "registers preserved across interrupts");
	printf("rttest: (%lu timer interrupts during the soak)\n", (unsigned long)soak_ticks);
}

static void test_heap_and_counters(void)
{
	uint64_t c0 = rt_rdcycle64(), i0 = rt_rdinstret64(), c1, i1;
	char *p = malloc(1000);
	bool ok = p && p >= __heap_start && p + 1000 <= __heap_end;

	free(p);
	check(ok, "malloc from the heap");
	c1 = rt_rdcycle64();
	i1 = rt_rdinstret64();
	check(c1 > c0 && i1 > i0 && c1 - c0 >= i1 - i0, "cycle and instret counters advance");
}

int main(void)
{
	test_irq_save();
	test_exceptions();
	test_soft_irq();
	test_ext_irq();
	test_timers();
	test_reg_soak();
	test_heap_and_counters();
	if (failures) {
		printf("rttest: %u of %u checks FAILED\n", failures, checks);
		return 1;
	}
	printf("rttest: all %u checks passed\n", checks);
	return 0;
}
