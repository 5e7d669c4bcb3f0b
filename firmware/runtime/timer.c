/*
 * timer.c - mtime/mtimecmp access and software timers on top of them.
 *
 * Ordering rule: the pending list and mtimecmp change only with interrupts
 * disabled (irq_save), so the interrupt handler always sees a consistent
 * list and mtimecmp never lags behind the list's head.
 */
#include <stddef.h>

#include "rt.h"

#define TIMER_REG(off) (SOC_TIMER_BASE + (off))

static struct timer *timer_head;
static volatile uint32_t timer_irqs;

uint64_t timer_now(void)
{
	uint32_t hi, lo, hi2;

	/* Retry if the low half wrapped between the two reads of the high. */
	do {
		hi = mmio_read32(TIMER_REG(SOC_TIMER_MTIME_HI));
		lo = mmio_read32(TIMER_REG(SOC_TIMER_MTIME_LO));
		hi2 = mmio_read32(TIMER_REG(SOC_TIMER_MTIME_HI));
	} while (hi != hi2);
	return ((uint64_t)hi << 32) | lo;
}

void timer_set_cmp(uint64_t when)
{
	/*
	 * Park the low half at its maximum first: while the two halves are
	 * written one at a time the compare value must never drop below both
	 * the old and the new value, or a spurious interrupt fires.
	 */
	mmio_write32(TIMER_REG(SOC_TIMER_MTIMECMP_LO), UINT32_MAX);
	mmio_write32(TIMER_REG(SOC_TIMER_MTIMECMP_HI), (uint32_t)(when >> 32));
	mmio_write32(TIMER_REG(SOC_TIMER_MTIMECMP_LO), (uint32_t)when);
}

void timer_delay_ticks(uint64_t ticks)
{
	uint64_t end = timer_now() + ticks;

	while (timer_now() < end)
		;
}

void timer_delay_us(uint32_t us)
{
	timer_delay_ticks((uint64_t)us * TIMER_TICKS_PER_US);
}

static void timer_reprogram(void)
{
	timer_set_cmp(timer_head ? timer_head->deadline : UINT64_MAX);
}

/* Insert sorted by deadline; equal deadlines keep their start order. */
static void timer_insert(struct timer *t)
{
	struct timer **pp = &timer_head;

	while (*pp && (*pp)->deadline <= t->deadline)
		pp = &(*pp)->next;
	t->next = *pp;
	*pp = t;
	t->pending = true;
}

static void timer_remove(struct timer *t)
{
	struct timer **pp = &timer_head;

	while (*pp && *pp != t)
		pp = &(*pp)->next;
	if (*pp)
		*pp = t->next;
	t->next = NULL;
	t->pending = false;
}

static void timer_irq(unsigned irq, void *arg)
{
	(void)irq;
	(void)arg;
	timer_irqs++;
	/* Callbacks take time: re-read mtime until the head lies in the future. */
	while (timer_head && timer_head->deadline <= timer_now()) {
		struct timer *t = timer_head;
		uint64_t now;

		timer_head = t->next;
		t->next = NULL;
		t->pending = false;
		if (t->period) {
			now = timer_now();
			t->deadline += t->period;
			/* Missed periods are dropped, not replayed in a burst. */
			if (t->deadline <= now)
				t->deadline = now + t->period;
			timer_insert(t);
		}
		/* After re-arming, so the callback may cancel or restart t. */
		t->fn(t, t->arg);
	}
	timer_reprogram();
}

void timer_init(void)
{
	uint32_t flags = irq_save();

	timer_head = NULL;
	timer_irqs = 0;
	timer_set_cmp(UINT64_MAX);
	trap_set_irq_handler(IRQ_M_TIMER, timer_irq, NULL);
	irq_source_enable(MIE_MTIE);
	irq_restore(flags);
}

void timer_start(struct timer *t, uint64_t delay, uint64_t period,
		 timer_fn fn, void *arg)
{
	uint32_t flags = irq_save();

	if (t->pending)
		timer_remove(t);
	t->fn = fn;
	t->arg = arg;
	t->period = period;
	t->deadline = timer_now() + delay;
	timer_insert(t);
	timer_reprogram();
	irq_restore(flags);
}

void timer_cancel(struct timer *t)
{
	uint32_t flags = irq_save();

	if (t->pending) {
		timer_remove(t);
		timer_reprogram();
	}
	irq_restore(flags);
}

bool timer_pending(const struct timer *t)
{
	return t->pending;
}

uint32_t timer_irq_count(void)
{
	return timer_irqs;
}
