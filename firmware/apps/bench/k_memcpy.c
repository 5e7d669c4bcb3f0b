/*
 * memcpy kernels: the runtime's memcpy (what the firmware itself calls) on
 * small, medium and large blocks, with both pointers word-aligned and with
 * source and destination misaligned differently (forcing the byte path).
 */
#include <stdio.h>
#include <string.h>

#include "bench.h"

#define BUF_SIZE   16384u
#define SLACK      8u
#define GUARD      0xa5u

static uint8_t src_buf[BUF_SIZE + SLACK] __attribute__((aligned(8)));
static uint8_t dst_buf[BUF_SIZE + SLACK] __attribute__((aligned(8)));

/* Called through a volatile pointer: no inlining, no size specialisation. */
static void *(*volatile memcpy_fn)(void *, const void *, size_t) = memcpy;

struct memcpy_case {
	const char *name;
	size_t size;
	unsigned reps;
	unsigned src_off;
	unsigned dst_off;
};

static const struct memcpy_case cases[] = {
	{ "memcpy_64_aligned",     64,    256, 0, 0 },
	{ "memcpy_64_unaligned",   64,    256, 1, 3 },
	{ "memcpy_1k_aligned",     1024,  16,  0, 0 },
	{ "memcpy_1k_unaligned",   1024,  16,  1, 3 },
	{ "memcpy_16k_aligned",    16384 - SLACK, 1, 0, 0 },
	{ "memcpy_16k_unaligned",  16384 - SLACK, 1, 1, 3 },
};

static int memcpy_check(const struct memcpy_case *c)
{
	const uint8_t *s = src_buf + c->src_off;
	const uint8_t *d = dst_buf + c->dst_off;

	for (size_t i = 0; i < c->size; i++)
		if (d[i] != s[i])
			return bench_fail(c->name, "copied bytes differ");
	if (c->dst_off && d[-1] != GUARD)
		return bench_fail(c->name, "wrote before the destination");
	if (d[c->size] != GUARD)
		return bench_fail(c->name, "wrote past the destination");
	return 0;
}

int bench_memcpy(void)
{
	uint32_t seed = 0x6d656d63u;
	int err = 0;

	for (size_t i = 0; i < sizeof(src_buf); i++)
		src_buf[i] = (uint8_t)(bench_lcg(&seed) >> 24);

	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		const struct memcpy_case *c = &cases[k];
		struct bench_mark m;

		memset(dst_buf, GUARD, sizeof(dst_buf));
		bench_begin(&m);
		for (unsigned r = 0; r < c->reps; r++)
			memcpy_fn(dst_buf + c->dst_off, src_buf + c->src_off, c->size);
		bench_end(&m, c->name);
		if (memcpy_check(c))
			err = -1;
	}
	return err;
}
