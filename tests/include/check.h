/*
 * CHECK(): the host testbenches' assertion. Counts passes and failures in
 * `passed` / `failed` (the including file defines them) and prints a failing
 * case with its place; the bench ends with "N passed, N failed".
 */
#ifndef TESTS_CHECK_H
#define TESTS_CHECK_H

#include <stdio.h>

#define CHECK(cond, ...)                                        \
	do {                                                    \
		if (cond) {                                     \
			passed++;                               \
		} else {                                        \
			failed++;                               \
			printf("FAIL %s:%d: ", __FILE__, __LINE__); \
			printf(__VA_ARGS__);                    \
			printf("\n");                           \
		}                                               \
	} while (0)

#endif /* TESTS_CHECK_H */
