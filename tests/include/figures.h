/*
 * One row of README's fault-figures table (the faults:begin block, written
 * by `make readme`), produced by the test that ran the cases: the class of
 * fault, how many cases ran, what was verified after them, and the result.
 * The row goes to $VFPGA_FIGURES/ID.md (make exports VFPGA_FIGURES as
 * build/figures); without it nothing is written, so a test run by hand
 * leaves no stale row. tools/figures_row.sh is the same for shell tests.
 */
#ifndef TESTS_FIGURES_H
#define TESTS_FIGURES_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

/* ID names the file (one row per ID, the last run's); CLS, CASES and
 * VERIFIED are cells of the row; pass 0 writes FAIL. */
static inline void figures_row(const char *id, int pass, const char *cls, const char *cases,
			       const char *verified_fmt, ...)
{
	const char *dir = getenv("VFPGA_FIGURES");
	char path[4096];
	va_list ap;
	FILE *f;

	if (!dir || !*dir)
		return;
	mkdir(dir, 0777);	/* exists already but for the first row */
	snprintf(path, sizeof(path), "%s/%s.md", dir, id);
	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "figures: cannot write %s\n", path);
		return;
	}
	fprintf(f, "| %s | %s | ", cls, cases);
	va_start(ap, verified_fmt);
	vfprintf(f, verified_fmt, ap);
	va_end(ap);
	fprintf(f, " | %s |\n", pass ? "pass" : "FAIL");
	fclose(f);
}

#endif /* TESTS_FIGURES_H */
