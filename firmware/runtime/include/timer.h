/*
 * timer.h - the machine timer: a 64-bit mtime that counts one tick per core
 * clock, one mtimecmp, and software timers multiplexed on it.
 *
 * Software timers are caller-owned `struct timer` objects kept in a list
 * sorted by deadline; mtimecmp always holds the earliest deadline. Their
 * callbacks run in the timer interrupt, with interrupts disabled, so they
 * must be short. A struct timer must be zeroed before its first use
 * (static storage, or `struct timer t = {0}`). timer_init() installs the interrupt handler and enables
 * mie.MTIE; the caller still controls mstatus.MIE (irq_enable()).
 */
#ifndef RT_TIMER_H
#define RT_TIMER_H

#include <stdbool.h>
#include <stdint.h>

/* Nominal core clock: device figures are converted at 250 MHz. */
#ifndef RT_CPU_HZ
#define RT_CPU_HZ 250000000u
#endif

#define TIMER_TICKS_PER_US (RT_CPU_HZ / 1000000u)

struct timer;
typedef void (*timer_fn)(struct timer *t, void *arg);

struct timer {
	uint64_t deadline;      /* mtime value at which it fires */
	uint64_t period;        /* 0 = one-shot */
	timer_fn fn;
	void *arg;
	struct timer *next;     /* private: the pending list */
	bool pending;           /* private: on the pending list */
};

uint64_t timer_now(void);                   /* mtime, torn-read safe */
void timer_delay_ticks(uint64_t ticks);     /* busy-wait */
void timer_delay_us(uint32_t us);

/* Low level: program mtimecmp without a spurious interrupt in between. */
void timer_set_cmp(uint64_t when);

void timer_init(void);

/*
 * Arm t to call fn(t, arg) after `delay` ticks and then, if period is not
 * zero, every `period` ticks. Re-arming a pending timer moves it.
 */
void timer_start(struct timer *t, uint64_t delay, uint64_t period,
		 timer_fn fn, void *arg);
void timer_cancel(struct timer *t);
bool timer_pending(const struct timer *t);

/* Number of timer interrupts taken since timer_init() (for tests). */
uint32_t timer_irq_count(void);

#endif /* RT_TIMER_H */
