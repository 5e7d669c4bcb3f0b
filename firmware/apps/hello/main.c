/*
 * hello - the demo program: who the core says it is, a timer-interrupt
 * check, and what the run cost in cycles and instructions.
 */
#include <stdio.h>

#include "rt.h"

#define ONESHOT_DELAY   400u    /* ticks */
#define PERIOD          250u    /* ticks */
#define PERIODIC_RUNS   3u
#define CHECK_TIMEOUT   200000u /* ticks: generous, the check needs ~1200 */

struct tick_state {
	volatile uint32_t fired;
	volatile uint64_t at;   /* mtime seen by the last callback */
};

static struct timer oneshot, periodic;
static struct tick_state oneshot_st, periodic_st;

static void on_tick(struct timer *t, void *arg)
{
	struct tick_state *st = arg;

	st->at = timer_now();
	st->fired++;
	if (t == &periodic && st->fired == PERIODIC_RUNS)
		timer_cancel(t);
}

/* "rv32im" from misa's MXL field and extension letters. */
static void print_isa(uint32_t misa)
{
	static const unsigned xlen[4] = { 0, 32, 64, 128 };

	if (!misa) {
		printf("isa: misa not implemented (0)\n");
		return;
	}
	printf("isa: rv%u", xlen[misa >> 30]);
	for (unsigned bit = 0; bit < 26; bit++)
		if (misa & (1u << bit))
			putchar('a' + bit);
	printf(" (misa 0x%08lx)\n", (unsigned long)misa);
}

static int timer_check(void)
{
	uint64_t start, oneshot_due, deadline;
	uint32_t irqs;

	timer_init();
	irq_enable();
	start = timer_now();
	timer_start(&oneshot, ONESHOT_DELAY, 0, on_tick, &oneshot_st);
	oneshot_due = start + ONESHOT_DELAY;
	timer_start(&periodic, PERIOD, PERIOD, on_tick, &periodic_st);
	deadline = start + CHECK_TIMEOUT;
	while ((oneshot_st.fired < 1 || periodic_st.fired < PERIODIC_RUNS) &&
	       timer_now() < deadline)
		;
	irq_disable();
	irqs = timer_irq_count();

	if (oneshot_st.fired != 1 || periodic_st.fired != PERIODIC_RUNS) {
		printf("timer interrupt: FAILED (one-shot fired %lu times, periodic %lu of %u, %lu irqs)\n",
		       (unsigned long)oneshot_st.fired, (unsigned long)periodic_st.fired,
		       PERIODIC_RUNS, (unsigned long)irqs);
		return -1;
	}
	if (oneshot_st.at < oneshot_due) {
		printf("timer interrupt: FAILED (one-shot fired %lu ticks early)\n",
		       (unsigned long)(oneshot_due - oneshot_st.at));
		return -1;
	}
	if (timer_pending(&periodic) || timer_pending(&oneshot)) {
		printf("timer interrupt: FAILED (a finished timer is still pending)\n");
		return -1;
	}
	printf("timer interrupt: ok (one-shot after %lu ticks, periodic x%u, %lu irqs)\n",
	       (unsigned long)(oneshot_st.at - start), PERIODIC_RUNS, (unsigned long)irqs);
	return 0;
}

int main(void)
{
	uint64_t cycles, instret;
	int err;

	printf("vfpga soft core: RV32IM @ %u MHz (nominal)\n", RT_CPU_HZ / 1000000u);
	print_isa(csr_read(CSR_MISA));
	printf("mhartid: %lu\n", (unsigned long)csr_read(CSR_MHARTID));
	err = timer_check();

	cycles = rt_rdcycle64();
	instret = rt_rdinstret64();
	printf("cycles %llu instret %llu", (unsigned long long)cycles,
	       (unsigned long long)instret);
	if (instret)
		printf(" cpi %lu.%02lu", (unsigned long)(cycles / instret),
		       (unsigned long)((cycles * 100 / instret) % 100));
	printf("\n");
	return err ? 1 : 0;
}
