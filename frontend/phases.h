/*
 * Per-phase figures of the card's requests, from the firmware's phase marks
 * (SIMCTRL.MARK, firmware/include/phase.h) as the root-complex model sees
 * them written, each stamped with its cycle. A request runs from the mark
 * that made the firmware look for it (NOTIFY, or the previous request's
 * PUSH) to its PUSH; it is charged to the FUSE opcode of its DISPATCH mark.
 * Its cycles are split into phases:
 *   notice   the front end's notify write -> the firmware's NOTIFY mark,
 *            for a notify written while the firmware had no request (one
 *            written during a request waits behind it: the request's
 *            total time, not its phases, shows that wait)
 *   pop      NOTIFY (or the previous PUSH, or the request's arrival if later)
 *            -> POP
 *   gather   POP -> GATHER          the request's bytes into DMABUF
 *   decode   GATHER -> DISPATCH
 *   server   DISPATCH -> REPLY, less the NVMe waits
 *   ssd      NVME_SUBMIT -> NVME_DONE inside DISPATCH..REPLY
 *   scatter  REPLY -> SCATTER       the reply's bytes into host memory
 *   push     SCATTER (or REPLY) -> PUSH
 * A request the server defers (SETLKW) or the firmware refuses is not
 * counted.
 */
#ifndef PHASES_H
#define PHASES_H

#include <stddef.h>
#include <stdint.h>

enum {
	PH_NOTICE, PH_POP, PH_GATHER, PH_DECODE, PH_SERVER, PH_SSD, PH_SCATTER, PH_PUSH,
	PH_COUNT
};

#define PHASES_OPCODES 64	/* FUSE opcodes below this are kept apart */

struct phases_op {
	uint64_t count;
	uint64_t sum[PH_COUNT];
};

struct phases {
	struct phases_op op[PHASES_OPCODES];
	/* the request being followed */
	int open, dispatched, replied, in_ssd;
	uint32_t opcode;
	uint64_t t[PH_COUNT];
	uint64_t last;		/* cycle of the previous mark */
	uint64_t notify_at;	/* the front end's last notify write, 0: none pending */
	uint64_t arrived_at;	/* the first request published since the last PUSH, 0: none */
	uint64_t marks, dropped;
};

void phases_init(struct phases *p);
/* The front end wrote a notify at this cycle. */
void phases_notify(struct phases *p, uint64_t cycle);
/* A request was published in a ring at this cycle (seen by the front end;
 * a notify write counts as one too). */
void phases_arrival(struct phases *p, uint64_t cycle);
/* The READ fast path answered requests by this cycle (FAST's hit counters
 * moved): the notify and arrival stamped until then were theirs, so the
 * firmware's next request is not charged with them (its notice would run
 * from a hit's notify write). A request for the firmware that arrived
 * while the fast path served loses its stamps too: its notice then reads
 * 0 and its pop runs from the firmware's last mark. */
void phases_fast_served(struct phases *p, uint64_t cycle);
/* A SIMCTRL.MARK word written at this cycle. */
void phases_mark(struct phases *p, uint64_t cycle, uint32_t word);
/* The FUSE opcode of the request being served (from its DISPATCH mark to
 * its PUSH), or ~0u between requests. */
unsigned phases_opcode(const struct phases *p);
/* The figures as JSON members ("phases": {...},\n) into buf; returns the
 * length written (truncated at cap). */
size_t phases_json(const struct phases *p, char *buf, size_t cap);

#endif /* PHASES_H */
