/*
 * Sorting 4096 32-bit values from a fixed LCG seed: quicksort (median of
 * three, insertion sort below a cutoff, recursion on the smaller side only)
 * and heapsort. Checked: ascending order, same multiset as the input (sum
 * and xor), and both sorts agree.
 */
#include <string.h>

#include "bench.h"

#define SORT_N        4096u
#define SORT_SEED     0x736f7274u
#define INSERT_CUTOFF 16

static uint32_t sort_in[SORT_N];
static uint32_t sort_q[SORT_N];
static uint32_t sort_h[SORT_N];

static inline void swap_u32(uint32_t *a, uint32_t *b)
{
	uint32_t t = *a;

	*a = *b;
	*b = t;
}

static void insertion_sort(uint32_t *a, int n)
{
	for (int i = 1; i < n; i++) {
		uint32_t v = a[i];
		int j = i - 1;

		while (j >= 0 && a[j] > v) {
			a[j + 1] = a[j];
			j--;
		}
		a[j + 1] = v;
	}
}

static __attribute__((noinline)) void quicksort(uint32_t *a, int n)
{
	while (n > INSERT_CUTOFF) {
		int mid = n / 2, i = 0, j = n - 1;
		uint32_t pivot;

		/* Median of three into a[mid]. */
		if (a[mid] < a[0])
			swap_u32(&a[mid], &a[0]);
		if (a[n - 1] < a[0])
			swap_u32(&a[n - 1], &a[0]);
		if (a[n - 1] < a[mid])
			swap_u32(&a[n - 1], &a[mid]);
		pivot = a[mid];

		/* Hoare partition. */
		for (;;) {
			while (a[i] < pivot)
				i++;
			while (a[j] > pivot)
				j--;
			if (i >= j)
				break;
			swap_u32(&a[i], &a[j]);
			i++;
			j--;
		}
		/* Recurse into the smaller part, loop on the larger: O(log n) stack. */
		if (j + 1 < n - j - 1) {
			quicksort(a, j + 1);
			a += j + 1;
			n -= j + 1;
		} else {
			quicksort(a + j + 1, n - j - 1);
			n = j + 1;
		}
	}
	insertion_sort(a, n);
}

static void sift_down(uint32_t *a, unsigned root, unsigned n)
{
	uint32_t v = a[root];

	for (;;) {
		unsigned child = 2 * root + 1;

		if (child >= n)
			break;
		if (child + 1 < n && a[child + 1] > a[child])
			child++;
		if (a[child] <= v)
			break;
		a[root] = a[child];
		root = child;
	}
	a[root] = v;
}

static __attribute__((noinline)) void heapsort_u32(uint32_t *a, unsigned n)
{
	for (unsigned i = n / 2; i-- > 0;)
		sift_down(a, i, n);
	for (unsigned end = n - 1; end > 0; end--) {
		swap_u32(&a[0], &a[end]);
		sift_down(a, 0, end);
	}
}

static int sort_check(const char *name, const uint32_t *a, uint32_t sum, uint32_t x)
{
	uint32_t s = 0, xx = 0;

	for (unsigned i = 0; i < SORT_N; i++) {
		if (i && a[i - 1] > a[i])
			return bench_fail(name, "not in ascending order");
		s += a[i];
		xx ^= a[i];
	}
	if (s != sum || xx != x)
		return bench_fail(name, "elements lost or changed");
	return 0;
}

int bench_sort(void)
{
	uint32_t seed = SORT_SEED, sum = 0, x = 0;
	struct bench_mark m;
	int err = 0;

	for (unsigned i = 0; i < SORT_N; i++) {
		/* A few repeats on purpose: equal keys must be handled. */
		sort_in[i] = (i % 64 == 0) ? 12345u : bench_lcg(&seed);
		sum += sort_in[i];
		x ^= sort_in[i];
	}
	memcpy(sort_q, sort_in, sizeof(sort_q));
	memcpy(sort_h, sort_in, sizeof(sort_h));

	bench_begin(&m);
	quicksort(sort_q, SORT_N);
	bench_end(&m, "sort_quick_4096");

	bench_begin(&m);
	heapsort_u32(sort_h, SORT_N);
	bench_end(&m, "sort_heap_4096");

	if (sort_check("sort_quick_4096", sort_q, sum, x))
		err = -1;
	if (sort_check("sort_heap_4096", sort_h, sum, x))
		err = -1;
	if (!err && memcmp(sort_q, sort_h, sizeof(sort_q)))
		err = bench_fail("sort_heap_4096", "differs from quicksort");
	return err;
}
