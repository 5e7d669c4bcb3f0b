/*
 * Device-side figures of a served guest: requests by FUSE opcode, service
 * time per request (in simulated cycles when the back end is the RTL),
 * bytes moved each way and queue occupancy; written as JSON.
 */
#ifndef DEVSTATS_H
#define DEVSTATS_H

#include <stdint.h>
#include <stdio.h>

#define DEVSTATS_OPCODES	64	/* FUSE opcodes below this are named; the rest count as "other" */
#define DEVSTATS_BUCKETS	32	/* latency histogram: bucket b holds [2^b, 2^(b+1)) cycles */
#define DEVSTATS_QUEUES		16

struct devstats_op {
	uint64_t count;
	uint64_t cycles_sum, cycles_min, cycles_max;
	uint64_t hist[DEVSTATS_BUCKETS];
};

struct devstats {
	struct devstats_op op[DEVSTATS_OPCODES + 1];	/* [DEVSTATS_OPCODES] = other */
	uint64_t hist[DEVSTATS_BUCKETS];		/* all requests */
	uint64_t bytes_to_card, bytes_to_host;
	uint64_t occ_samples[DEVSTATS_QUEUES], occ_sum[DEVSTATS_QUEUES];
	uint32_t occ_max[DEVSTATS_QUEUES];
	int timed;			/* cycles are known (RTL back end) */
};

const char *fuse_opcode_name(uint32_t opcode);
/* One request of opcode served in `cycles` (ignored unless s->timed). */
void devstats_request(struct devstats *s, uint32_t opcode, uint64_t cycles);
void devstats_occupancy(struct devstats *s, unsigned q, uint32_t outstanding);
/* Writes the JSON object; extra (may be NULL) is inserted verbatim as more
 * members (e.g. "\"cycles\": 123,\n"). 0 or -errno. */
int devstats_write_json(const struct devstats *s, const char *path, const char *extra);

#endif /* DEVSTATS_H */
