/*
 * String search over 32 KiB of generated text: naive scan and
 * Boyer-Moore-Horspool, each looking for two patterns. "firmware" is
 * planted at known places and can occur nowhere else (the generator never
 * emits 'r' or 'w'), so its count and positions are known exactly; "cab"
 * occurs at random and the two algorithms must agree on it.
 */
#include <string.h>

#include "bench.h"

#define TEXT_LEN      32768u
#define TEXT_SEED     0x74657874u
#define PLANTS        16u
#define PLANT_STRIDE  2000u
#define PLANT_FIRST   1000u

static char text[TEXT_LEN];

static const char pat_planted[] = "firmware";
static const char pat_random[] = "cab";

struct search_result {
	uint32_t count;
	uint32_t pos_sum;       /* sum of match offsets: checks positions too */
};

static __attribute__((noinline)) void search_naive(const char *t, size_t n, const char *p,
						   size_t m, struct search_result *r)
{
	r->count = 0;
	r->pos_sum = 0;
	for (size_t i = 0; i + m <= n; i++) {
		size_t j = 0;

		while (j < m && t[i + j] == p[j])
			j++;
		if (j == m) {
			r->count++;
			r->pos_sum += (uint32_t)i;
		}
	}
}

static __attribute__((noinline)) void search_bmh(const char *t, size_t n, const char *p,
						 size_t m, struct search_result *r)
{
	size_t shift[256];

	r->count = 0;
	r->pos_sum = 0;
	if (m == 0 || m > n)
		return;
	for (size_t c = 0; c < 256; c++)
		shift[c] = m;
	for (size_t j = 0; j + 1 < m; j++)
		shift[(unsigned char)p[j]] = m - 1 - j;
	for (size_t i = 0; i + m <= n;) {
		unsigned char last = (unsigned char)t[i + m - 1];

		if (last == (unsigned char)p[m - 1] && !memcmp(t + i, p, m - 1)) {
			r->count++;
			r->pos_sum += (uint32_t)i;
		}
		i += shift[last];
	}
}

static void make_text(void)
{
	uint32_t seed = TEXT_SEED;
	size_t i = 0;

	/* Words of 2..9 letters from 'a'..'p', separated by single spaces. */
	while (i < TEXT_LEN) {
		unsigned len = 2 + (bench_lcg(&seed) >> 16) % 8;

		while (len-- && i < TEXT_LEN)
			text[i++] = (char)('a' + (bench_lcg(&seed) >> 20) % 16);
		if (i < TEXT_LEN)
			text[i++] = ' ';
	}
	for (unsigned k = 0; k < PLANTS; k++)
		memcpy(text + PLANT_FIRST + k * PLANT_STRIDE, pat_planted, strlen(pat_planted));
}

int bench_search(void)
{
	const size_t mp = strlen(pat_planted), mr = strlen(pat_random);
	struct search_result np, nr, bp, br;
	uint32_t want_sum = 0;
	struct bench_mark m;
	int err = 0;

	make_text();
	for (unsigned k = 0; k < PLANTS; k++)
		want_sum += PLANT_FIRST + k * PLANT_STRIDE;

	bench_begin(&m);
	search_naive(text, TEXT_LEN, pat_planted, mp, &np);
	search_naive(text, TEXT_LEN, pat_random, mr, &nr);
	bench_end(&m, "search_naive_32k");

	bench_begin(&m);
	search_bmh(text, TEXT_LEN, pat_planted, mp, &bp);
	search_bmh(text, TEXT_LEN, pat_random, mr, &br);
	bench_end(&m, "search_bmh_32k");

	if (np.count != PLANTS || np.pos_sum != want_sum)
		err = bench_fail("search_naive_32k", "wrong matches for the planted pattern");
	if (bp.count != PLANTS || bp.pos_sum != want_sum)
		err = bench_fail("search_bmh_32k", "wrong matches for the planted pattern");
	if (nr.count == 0)
		err = bench_fail("search_naive_32k", "random pattern never found");
	if (br.count != nr.count || br.pos_sum != nr.pos_sum)
		err = bench_fail("search_bmh_32k", "disagrees with the naive search");
	return err;
}
