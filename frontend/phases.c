/*
 * Per-phase figures from the firmware's phase marks (see phases.h).
 */
#include "phases.h"

#include <stdio.h>
#include <string.h>

#include "devstats.h"
#include "soc_map.h"

static const char *const phase_name[PH_COUNT] = {
	"notice", "pop", "gather", "decode", "server", "ssd", "scatter", "push",
};

void phases_init(struct phases *p)
{
	memset(p, 0, sizeof(*p));
}

void phases_notify(struct phases *p, uint64_t cycle)
{
	if (!p->notify_at)
		p->notify_at = cycle;
	phases_arrival(p, cycle);
}

void phases_arrival(struct phases *p, uint64_t cycle)
{
	if (!p->arrived_at)
		p->arrived_at = cycle;
}

void phases_fast_served(struct phases *p, uint64_t cycle)
{
	if (p->notify_at && p->notify_at <= cycle)
		p->notify_at = 0;
	if (p->arrived_at && p->arrived_at <= cycle)
		p->arrived_at = 0;
}

/* Starts following a request from this cycle (the firmware looks for one). */
static void restart(struct phases *p, uint64_t cycle)
{
	if (p->open && p->dispatched)
		p->dropped++;	/* deferred or refused: not counted */
	memset(p->t, 0, sizeof(p->t));
	p->open = 1;
	p->dispatched = p->replied = p->in_ssd = 0;
	p->last = cycle;
}

void phases_mark(struct phases *p, uint64_t cycle, uint32_t word)
{
	unsigned phase = word & 0xffu;
	uint64_t d = cycle - p->last;

	p->marks++;
	switch (phase) {
	case SOC_PHASE_NOTIFY:
		restart(p, cycle);
		if (p->notify_at && p->notify_at <= cycle)
			p->t[PH_NOTICE] = cycle - p->notify_at;
		p->notify_at = 0;
		break;
	case SOC_PHASE_POP:
		if (!p->open || p->dispatched)
			restart(p, p->open ? p->last : cycle);
		/* from the later of the last mark and the request's arrival */
		p->t[PH_POP] += cycle - (p->arrived_at > p->last ? p->arrived_at : p->last);
		break;
	case SOC_PHASE_GATHER:
		if (p->open)
			p->t[PH_GATHER] += d;
		break;
	case SOC_PHASE_DISPATCH:
		if (p->open) {
			p->t[PH_DECODE] += d;
			p->dispatched = 1;
			p->opcode = word >> 8;
		}
		break;
	case SOC_PHASE_NVME_SUBMIT:
		if (p->open && p->dispatched && !p->replied)
			p->t[p->in_ssd ? PH_SSD : PH_SERVER] += d;
		p->in_ssd = 1;
		break;
	case SOC_PHASE_NVME_DONE:
		if (p->open && p->dispatched && !p->replied)
			p->t[p->in_ssd ? PH_SSD : PH_SERVER] += d;
		p->in_ssd = 0;
		break;
	case SOC_PHASE_REPLY:
		if (p->open && p->dispatched && !p->replied) {
			p->t[PH_SERVER] += d;
			p->replied = 1;
		}
		break;
	case SOC_PHASE_SCATTER:
		if (p->open && p->replied)
			p->t[PH_SCATTER] += d;
		break;
	case SOC_PHASE_PUSH:
		if (p->open && p->replied) {
			struct phases_op *o = &p->op[p->opcode < PHASES_OPCODES ? p->opcode : 0];

			p->t[PH_PUSH] += d;
			o->count++;
			for (unsigned i = 0; i < PH_COUNT; i++)
				o->sum[i] += p->t[i];
			/* the next request is looked for from here; a notify
			 * that came while this one was served was waiting
			 * behind it, not for the firmware to notice */
			memset(p->t, 0, sizeof(p->t));
			p->notify_at = 0;
			p->arrived_at = 0;
			p->dispatched = p->replied = p->in_ssd = 0;
		}
		break;
	default:
		break;
	}
	p->last = cycle;
}

unsigned phases_opcode(const struct phases *p)
{
	return p->open && p->dispatched ? p->opcode : ~0u;
}

size_t phases_json(const struct phases *p, char *buf, size_t cap)
{
	size_t n = 0;
	int first = 1;

#define OUT(...) do { \
		int k_ = snprintf(buf + n, n < cap ? cap - n : 0, __VA_ARGS__); \
		if (k_ > 0) \
			n += (size_t)k_; \
	} while (0)
	OUT("  \"phase_names\": [");
	for (unsigned i = 0; i < PH_COUNT; i++)
		OUT("%s\"%s\"", i ? ", " : "", phase_name[i]);
	OUT("],\n  \"phase_marks\": %llu,\n  \"phases\": {", (unsigned long long)p->marks);
	for (unsigned op = 0; op < PHASES_OPCODES; op++) {
		const struct phases_op *o = &p->op[op];

		if (!o->count)
			continue;
		OUT("%s\n    \"%s\": { \"count\": %llu, \"mean\": [", first ? "" : ",",
		    fuse_opcode_name(op), (unsigned long long)o->count);
		for (unsigned i = 0; i < PH_COUNT; i++)
			OUT("%s%llu", i ? ", " : "", (unsigned long long)(o->sum[i] / o->count));
		OUT("] }");
		first = 0;
	}
	OUT("\n  },\n");
#undef OUT
	return n < cap ? n : cap;
}
