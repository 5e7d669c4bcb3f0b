/*
 * The card's power-cut workload (tests/rp/crashfw.c) and its host check
 * (tests/rp/crash_check.c) share this plan: CRASH_FILES files f<k>, each
 * written with crash_len(k) bytes of crash_pat(k, i), fsync'd with its
 * directory ("SYNCED k" on the console once both returned); every odd k
 * renames f<k-1> to g<k-1> ("RENAME k-1" before, "RENAMED k-1" once the
 * directory fsync after it returned), every k % 3 == 2 sets user.k on
 * f<k> before its fsync. The console lines are the log of what completed.
 */
#ifndef CRASH_PLAN_H
#define CRASH_PLAN_H

#include <stdint.h>

#define CRASH_FILES 10
#define CRASH_MAX_LEN 24000u

static inline uint32_t crash_len(unsigned k) { return 1500u + 2300u * k; }
static inline uint8_t crash_pat(unsigned k, uint32_t i) { return (uint8_t)(i * 31u + k * 7u + (i >> 9) + 1u); }

#endif
