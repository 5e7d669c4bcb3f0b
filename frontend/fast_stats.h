/*
 * The READ fast path's figures (rtl/vq/vq_fast.sv, docs/fastpath.md) for
 * the front ends' --stats JSON: hits, the chains it handed to the firmware
 * by reason, and the share of READs it served.
 */
#ifndef FRONTEND_FAST_STATS_H
#define FRONTEND_FAST_STATS_H

#include <stddef.h>
#include <stdint.h>

struct vtop;

/* Writes the member "fast": {...},\n into buf (at most cap bytes, NUL
 * ended); reads: the READ requests the front end saw (the hits among
 * them), or FAST_STATS_FW_READS(n) for a front end that knows only the n
 * the firmware served (its phase marks). Returns the length written. */
#define FAST_STATS_FW_READS(n) ((n) | FAST_STATS_FW_ONLY)
#define FAST_STATS_FW_ONLY (1ull << 63)
size_t fast_stats_json(struct vtop *t, uint64_t reads, char *buf, size_t cap);

#endif /* FRONTEND_FAST_STATS_H */
