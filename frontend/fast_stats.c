/*
 * The READ fast path's figures for --stats: see fast_stats.h. The counters
 * are read from the model, not from the firmware, which sleeps through the
 * hits and need not be asked.
 */
#include "fast_stats.h"

#include <stdio.h>

#include "vtop.h"

size_t fast_stats_json(struct vtop *t, uint64_t reads, char *buf, size_t cap)
{
	struct vtop_fast f;
	uint64_t misses;
	int n;

	if (!cap)
		return 0;
	vtop_fast_counters(t, &f);
	if (reads & FAST_STATS_FW_ONLY)
		reads = (reads & ~FAST_STATS_FW_ONLY) + f.hits;
	misses = (uint64_t)f.miss_opcode + f.miss_chain + f.miss_tag + f.miss_size + f.miss_dma + f.miss_xattr;
	n = snprintf(buf, cap,
		     "  \"fast\": {\"hits\": %u, \"hit_bytes\": %u, \"handed_over\": %llu, "
		     "\"misses\": {\"opcode\": %u, \"chain\": %u, \"tag\": %u, \"size\": %u, \"dma\": %u, "
		     "\"xattr\": %u}, \"reads\": %llu, \"read_hit_ratio\": %.4f, \"last_hit_cycles\": %u, "
		     "\"xattr_hits\": %u},\n",
		     f.hits, f.hit_bytes, (unsigned long long)misses, f.miss_opcode, f.miss_chain, f.miss_tag,
		     f.miss_size, f.miss_dma, f.miss_xattr, (unsigned long long)reads,
		     reads ? (double)f.hits / (double)reads : 0.0, f.last_cycles, f.xattr_hits);
	if (n < 0)
		return 0;
	return (size_t)n < cap ? (size_t)n : cap - 1;
}
