/*
 * bench - the CPI workload for the soft core: memcpy, CRC32C, sorting and
 * string search, each self-checked. Output is one BENCH line per kernel and
 * a total; a wrong result makes the program exit non-zero.
 */
#include <stdio.h>

#include "bench.h"
#include "rt.h"

static uint64_t total_cycles, total_instret;
static unsigned failures;

void bench_begin(struct bench_mark *m)
{
	m->cycle0 = rt_rdcycle64();
	m->instret0 = rt_rdinstret64();
}

static void bench_print(const char *name, uint64_t cycles, uint64_t instret)
{
	/* CPI with two decimals, rounded, without floating point. */
	uint64_t cpi100 = instret ? (cycles * 100 + instret / 2) / instret : 0;

	printf("BENCH %s cycles=%llu instret=%llu cpi=%lu.%02lu\n", name,
	       (unsigned long long)cycles, (unsigned long long)instret,
	       (unsigned long)(cpi100 / 100), (unsigned long)(cpi100 % 100));
}

void bench_end(const struct bench_mark *m, const char *name)
{
	/* Reverse order of bench_begin, so the window is symmetric. */
	uint64_t instret = rt_rdinstret64() - m->instret0;
	uint64_t cycles = rt_rdcycle64() - m->cycle0;

	total_cycles += cycles;
	total_instret += instret;
	bench_print(name, cycles, instret);
}

int bench_fail(const char *name, const char *what)
{
	printf("BENCH-FAIL %s: %s\n", name, what);
	failures++;
	return -1;
}

int main(void)
{
	printf("bench: CPI workload (memcpy, crc32c, sort, search)\n");
	bench_memcpy();
	bench_crc32c();
	bench_sort();
	bench_search();
	bench_print("total", total_cycles, total_instret);
	if (failures) {
		printf("bench: %u self-check(s) FAILED\n", failures);
		return 1;
	}
	printf("bench: all self-checks passed\n");
	return 0;
}
