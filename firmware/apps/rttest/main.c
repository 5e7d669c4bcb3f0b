/*
 * rttest - self-check of the runtime's services on the real SoC: nested
 * critical sections, ecall/ebreak handlers, the software and device
 * interrupts, software-timer ordering and cancelling, register
 * preservation across interrupts, the heap, the counters and the
 * runtime's memcpy/memset.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt.h"

#define TEST_IRQ_LINE    5
#define OTHER_IRQ_LINE   6
#define WAIT_TICKS       20000u
#define SOAK_ITERATIONS  20000u
#define SOAK_PERIOD      397u    /* ticks: odd, so it lands all over the loop */

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

/* ecall/ebreak with 41 in a0; the handler adds one per trap. */
static uint32_t trap_with_a0(bool ebreak)
{
	uint32_t v;

	if (ebreak)
		__asm__ volatile ("li a0, 42\n ebreak\n mv %0, a0" : "=r"(v) :: "a0", "memory");
	else
		__asm__ volatile ("li a0, 41\n ecall\n mv %0, a0" : "=r"(v) :: "a0", "memory");
	return v;
}

static void test_exceptions(void)
{
	trap_set_exc_handler(CAUSE_ECALL_M, on_env, NULL);
	check(trap_with_a0(false) == 42 && exc_seen_cause == CAUSE_ECALL_M, "ecall handler");
	trap_set_exc_handler(CAUSE_ECALL_M, NULL, NULL);

	trap_set_exc_handler(CAUSE_BREAKPOINT, on_env, NULL);
	check(trap_with_a0(true) == 43 && exc_seen_cause == CAUSE_BREAKPOINT, "ebreak handler");
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

/* The runtime's word-wise memcpy/memset against a byte-wise reference,
 * for every source/destination alignment and the sizes around its cut-offs. */
#define STR_BUF 1100u
static uint8_t str_src[STR_BUF], str_dst[STR_BUF];
static void *(*volatile memcpy_fn)(void *, const void *, size_t) = memcpy;
static void *(*volatile memset_fn)(void *, int, size_t) = memset;

/* Untouched bytes keep a position-dependent fill (not a constant, so the
 * compiler cannot turn the fill loop into a memset call). */
#define FILL(i) ((uint8_t)((i) ^ 0xa5))
#define STR_GUARD 12u

static bool string_case(unsigned so, unsigned dof, size_t n)
{
	size_t end = dof + n + STR_GUARD;

	for (size_t i = 0; i < end; i++)
		str_dst[i] = FILL(i);
	memcpy_fn(str_dst + dof, str_src + so, n);
	for (size_t i = 0; i < end; i++) {
		uint8_t want = (i >= dof && i < dof + n) ? str_src[so + i - dof] : FILL(i);

		if (str_dst[i] != want)
			return false;
	}
	memset_fn(str_dst + dof, 0x5c, n);
	for (size_t i = 0; i < end; i++) {
		uint8_t want = (i >= dof && i < dof + n) ? 0x5c : FILL(i);

		if (str_dst[i] != want)
			return false;
	}
	return true;
}

static void test_string(void)
{
	static const size_t big[] = { 63, 64, 100, 257, 1000 };
	bool ok = true;

	for (unsigned i = 0; i < STR_BUF; i++)
		str_src[i] = (uint8_t)(i * 7 + 3);
	for (unsigned so = 0; so < 4 && ok; so++)
		for (unsigned dof = 0; dof < 4 && ok; dof++) {
			for (size_t n = 0; n <= 36 && ok; n++)
				ok = string_case(so, dof, n);
			for (size_t k = 0; k < sizeof(big) / sizeof(big[0]) && ok; k++)
				ok = string_case(so, dof, big[k]);
		}
	check(ok, "memcpy/memset at every alignment");
}

#define TLS_PROBE 0x1234abcdu
static __thread volatile uint32_t tls_probe = TLS_PROBE;
static __thread volatile uint32_t tls_zero;

static void test_heap_and_counters(void)
{
	uint64_t c0 = rt_rdcycle64(), i0 = rt_rdinstret64(), c1, i1;
	char *p = malloc(1000);
	bool ok = p && p >= __heap_start && p + 1000 <= __heap_end;

	free(p);
	check(ok, "malloc from the heap");
	/* errno is thread-local in picolibc: this exercises tp, .tdata, .tbss. */
	errno = 0;
	check(strtoul("99999999999", NULL, 10) == ULONG_MAX && errno == ERANGE &&
	      tls_probe == TLS_PROBE && tls_zero == 0, "thread-local data and errno");
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
	test_string();
	if (failures) {
		printf("rttest: %u of %u checks FAILED\n", failures, checks);
		return 1;
	}
	printf("rttest: all %u checks passed\n", checks);
	return 0;
}
