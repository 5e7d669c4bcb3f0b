/*
 * The PC-sampling profiler (see profile.h).
 */
#include "profile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devstats.h"
#include "elf_load.h"

struct profile {
	struct elf_image img;
	struct elf_func *fn;
	size_t nfn;
	FILE *out;
	const char *path;
	uint64_t *cycles;	/* [bucket][function], the last column: no function */
	uint64_t total[PROFILE_BUCKETS];
};

struct profile *profile_open(const char *elf, const char *out, char *err, size_t errlen)
{
	struct profile *p = calloc(1, sizeof(*p));

	if (!p) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (elf_read(elf, &p->img, err, errlen)) {
		free(p);
		return NULL;
	}
	p->nfn = elf_functions(&p->img, &p->fn);
	if (!p->nfn) {
		snprintf(err, errlen, "%s has no function symbols to profile against", elf);
		goto fail;
	}
	p->cycles = calloc(PROFILE_BUCKETS * (p->nfn + 1), sizeof(*p->cycles));
	if (!p->cycles) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	p->out = fopen(out, "w");
	if (!p->out) {
		snprintf(err, errlen, "cannot write the profile %s: %s", out, strerror(errno));
		goto fail;
	}
	p->path = out;
	return p;
fail:
	free(p->cycles);
	free(p->fn);
	elf_free(&p->img);
	free(p);
	return NULL;
}

void profile_sample(struct profile *p, unsigned bucket, uint32_t pc, uint64_t cycles)
{
	const struct elf_func *f;

	if (bucket >= PROFILE_BUCKETS)
		bucket = PROFILE_BETWEEN;
	f = elf_function_at(p->fn, p->nfn, pc);
	p->cycles[bucket * (p->nfn + 1) + (f ? (size_t)(f - p->fn) : p->nfn)] += cycles;
	p->total[bucket] += cycles;
}

struct row { uint64_t cycles; size_t fn; };

static int by_cycles(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	return x->cycles > y->cycles ? -1 : x->cycles < y->cycles;
}

int profile_close(struct profile *p)
{
	struct row *rows = calloc(p->nfn + 1, sizeof(*rows));
	uint64_t all = 0;
	int ret = 0;

	for (unsigned b = 0; b < PROFILE_BUCKETS; b++)
		all += p->total[b];
	fprintf(p->out, "# vfpga-sim --profile: card firmware, PC sampled, %llu cycles in all\n"
		"# one flat profile per FUSE opcode (a request from its dispatch to its push),\n"
		"# then the cycles between requests; cycles, share of the bucket, function\n",
		(unsigned long long)all);
	for (unsigned b = 0; rows && b < PROFILE_BUCKETS; b++) {
		size_t n = 0;

		if (!p->total[b])
			continue;
		for (size_t i = 0; i <= p->nfn; i++)
			if (p->cycles[b * (p->nfn + 1) + i])
				rows[n++] = (struct row){ p->cycles[b * (p->nfn + 1) + i], i };
		qsort(rows, n, sizeof(*rows), by_cycles);
		fprintf(p->out, "\n## %s: %llu cycles\n",
			b == PROFILE_BETWEEN ? "(between requests)" : fuse_opcode_name(b),
			(unsigned long long)p->total[b]);
		for (size_t i = 0; i < n; i++)
			fprintf(p->out, "%12llu %6.2f%%  %s\n", (unsigned long long)rows[i].cycles,
				100.0 * (double)rows[i].cycles / (double)p->total[b],
				rows[i].fn < p->nfn ? p->fn[rows[i].fn].name : "(no symbol)");
	}
	if (!rows || ferror(p->out) || fclose(p->out)) {
		fprintf(stderr, "vfpga-sim: cannot write the profile %s\n", p->path);
		ret = -1;
	}
	free(rows);
	free(p->cycles);
	free(p->fn);
	elf_free(&p->img);
	free(p);
	return ret;
}
