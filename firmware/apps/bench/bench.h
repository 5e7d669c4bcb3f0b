/*
 * bench.h - the CPI workload's harness: every kernel is timed with the
 * cycle and instret counters around the kernel alone (set-up and checking
 * stay outside), self-checked, and reported as one line
 *   BENCH <name> cycles=N instret=N cpi=X.XX
 */
#ifndef BENCH_H
#define BENCH_H

#include <stddef.h>
#include <stdint.h>

struct bench_mark {
	uint64_t cycle0;
	uint64_t instret0;
};

void bench_begin(struct bench_mark *m);
void bench_end(const struct bench_mark *m, const char *name);
/* Report a failed self-check; the run then ends with a non-zero code. */
int bench_fail(const char *name, const char *what);

/* Deterministic data: a 32-bit LCG (Numerical Recipes constants). */
static inline uint32_t bench_lcg(uint32_t *state)
{
	*state = *state * 1664525u + 1013904223u;
	return *state;
}

int bench_memcpy(void);
int bench_crc32c(void);
int bench_sort(void);
int bench_search(void);

#endif /* BENCH_H */
