/*
 * A stock guest's virtqueues as the front ends see them: the host
 * turnaround (shadow avail index, held entries), request timing, READs split
 * by the fast path's hits, the firmware's settling. See guestq.h.
 */
#include "guestq.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/fuse.h>

#include "devstats.h"
#include "phases.h"
#include "rc.h"
#include "vtop.h"

uint64_t gq_wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int gq_parse_turnaround(const char *s, uint64_t *ns)
{
	char *end;
	unsigned long long v;

	if (*s >= '0' && *s <= '9') {
		errno = 0;
		v = strtoull(s, &end, 10);
		if (!errno && !*end && v <= GQ_TURNAROUND_MAX_NS) {
			*ns = v;
			return 0;
		}
	}
	fprintf(stderr, "vfpga-sim: --host-turnaround: '%s' is not a number of nanoseconds from 0 to %llu\n",
		s, GQ_TURNAROUND_MAX_NS);
	return -1;
}

const char *gq_turnaround_usage(void)
{
	return "  --host-turnaround NS\n"
	       "                    what the guest publishes reaches the card no sooner than NS ns of\n"
	       "                    simulated time after the last completion it had seen, as a real\n"
	       "                    host needs that long to answer one (default 5000; 0: at once, as\n"
	       "                    QEMU's real time makes it; at most 1000000000)\n";
}

void gq_init(struct guestq *g, struct rc *rc, uint64_t turnaround_ns, struct devstats *st,
	     struct phases *ph, gq_gpa_fn gpa, void *ctx)
{
	memset(g, 0, sizeof(*g));
	g->rc = rc;
	g->st = st;
	g->ph = ph;
	g->gpa = gpa;
	g->ctx = ctx;
	g->turnaround_ns = turnaround_ns;
	g->turnaround = turnaround_ns * GQ_CLOCK_MHZ / 1000;
}

uint16_t gq_guest_avail(const struct guestq *g, unsigned q)
{
	return __atomic_load_n(&g->q[q].avail->idx, __ATOMIC_ACQUIRE);
}

uint16_t gq_card_avail(const struct guestq *g, unsigned q)
{
	return g->turnaround ? g->q[q].shadow : gq_guest_avail(g, q);
}

static int resolve(struct guestq *g, struct gq_ring *r)
{
	r->desc = g->gpa(g->ctx, r->desc_gpa, 16ull * r->num);
	r->avail = g->gpa(g->ctx, r->avail_gpa, 6 + 2ull * r->num);
	r->used = g->gpa(g->ctx, r->used_gpa, 6 + 8ull * r->num);
	return r->desc && r->avail && r->used ? 0 : -1;
}

int gq_attach(struct guestq *g, unsigned q, unsigned num, uint64_t desc, uint64_t avail, uint64_t used)
{
	struct gq_ring *r = &g->q[q];

	if (q >= GQ_MAX_QUEUES || !num)
		return -1;
	r->on = 0;
	r->num = num;
	r->desc_gpa = desc;
	r->avail_gpa = avail;
	r->used_gpa = used;
	if (resolve(g, r))
		return -1;
	r->used_seen = __atomic_load_n(&r->used->idx, __ATOMIC_ACQUIRE);
	r->avail_seen = r->used_seen;
	r->shadow = gq_guest_avail(g, q);
	r->held = 0;
	r->on = 1;
	return 0;
}

void gq_resolve(struct guestq *g)
{
	for (unsigned q = 0; q < GQ_MAX_QUEUES; q++)
		if (g->q[q].on && resolve(g, &g->q[q])) {
			fprintf(stderr, "vfpga-sim: queue %u: its rings are no longer in guest memory\n", q);
			g->q[q].on = 0;
		}
}

void gq_detach_all(struct guestq *g)
{
	for (unsigned q = 0; q < GQ_MAX_QUEUES; q++)
		g->q[q].on = 0;
}

void gq_unmap(struct guestq *g)
{
	for (unsigned i = 0; i < g->nmapped; i++)
		rc_host_unmap(g->rc, g->mapped[i]);
	g->nmapped = 0;
}

static int map_piece(struct guestq *g, uint64_t gpa, void *p, uint64_t len)
{
	if (!len)
		return 0;
	if (g->nmapped == GQ_MAX_PIECES || rc_host_map(g->rc, gpa, p, len))
		return -1;
	g->mapped[g->nmapped++] = gpa;
	return 0;
}

/* The shadowed avail index lowest in [from, end), or -1. */
static int next_shadow(const struct guestq *g, uint64_t from, uint64_t end)
{
	int best = -1;

	if (!g->turnaround)
		return -1;
	for (unsigned q = 0; q < GQ_MAX_QUEUES; q++) {
		uint64_t a = g->q[q].avail_gpa + 2;

		if (g->q[q].on && a >= from && a + 2 <= end && (best < 0 || a < g->q[best].avail_gpa + 2))
			best = (int)q;
	}
	return best;
}

int gq_map(struct guestq *g, uint64_t gpa, void *host, uint64_t size)
{
	uint64_t at = gpa, end = gpa + size;

	for (;;) {
		int q = next_shadow(g, at, end);
		uint64_t stop = q < 0 ? end : g->q[q].avail_gpa + 2;

		if (map_piece(g, at, (uint8_t *)host + (at - gpa), stop - at))
			return -1;
		if (q < 0)
			return 0;
		if (map_piece(g, stop, &g->q[q].shadow, 2))
			return -1;
		at = stop + 2;
	}
}

/* Whether the guest notifies for the entries from old to new (the card's
 * avail_event with EVENT_IDX, else the used ring's NO_NOTIFY flag). */
static int kick_due(const struct guestq *g, unsigned q, uint16_t old, uint16_t new)
{
	const struct gq_ring *r = &g->q[q];
	uint16_t event;

	if (!g->event_idx)
		return !(__atomic_load_n(&r->used->flags, __ATOMIC_ACQUIRE) & VRING_USED_F_NO_NOTIFY);
	event = __atomic_load_n((uint16_t *)&r->used->ring[r->num], __ATOMIC_ACQUIRE);
	return (uint16_t)(new - event - 1) < (uint16_t)(new - old);
}

/* Held entries may be shown: the turnaround has passed, and their kick,
 * if the guest owes one, has come. On a host the notify write follows the
 * avail index within nanoseconds; here it comes through QEMU tens of
 * microseconds of wall clock later, while the card runs on: shown alone,
 * the entries would be timed from a moment the card could not have known
 * about them. A kick that never comes is not waited for beyond
 * GQ_KICK_WAIT_NS of wall clock. */
static int may_release(const struct guestq *g, unsigned q, uint64_t now, int kicked)
{
	const struct gq_ring *r = &g->q[q];

	if (now < r->release_at)
		return 0;
	if (kicked || !kick_due(g, q, r->shadow, r->held_idx))
		return 1;
	return gq_wall_ns() - r->held_wall > GQ_KICK_WAIT_NS;
}

uint32_t gq_pace(struct guestq *g, const int *kicked)
{
	uint64_t now = rc_cycles(g->rc);
	uint32_t unkicked = 0;

	if (!g->turnaround)
		return 0;
	for (unsigned q = 0; q < GQ_MAX_QUEUES; q++) {
		struct gq_ring *r = &g->q[q];
		uint16_t a;

		if (!r->on)
			continue;
		a = gq_guest_avail(g, q);
		if (!r->held && a != r->shadow) {
			r->held = 1;
			r->held_idx = a;
			r->held_wall = gq_wall_ns();
			r->release_at = g->last_done + g->turnaround > now ? g->last_done + g->turnaround : now;
			if (r->release_at > now) {
				g->holds++;
				g->held_cycles += r->release_at - now;
			}
		}
		if (r->held && may_release(g, q, now, kicked && kicked[q])) {
			r->shadow = r->held_idx;
			r->held = 0;
			if (!(kicked && kicked[q])) {
				unkicked |= 1u << q;
				g->unkicked++;
			}
		}
	}
	return unkicked;
}

int gq_held(const struct guestq *g, unsigned q)
{
	return g->q[q].on && g->q[q].held;
}

uint64_t gq_release_in(const struct guestq *g)
{
	uint64_t now = rc_cycles(g->rc), left = 0;

	for (unsigned q = 0; q < GQ_MAX_QUEUES; q++) {
		const struct gq_ring *r = &g->q[q];

		if (r->on && r->held && now < r->release_at && (!left || r->release_at - now < left))
			left = r->release_at - now;
	}
	return left;
}

int gq_work_pending(const struct guestq *g)
{
	for (unsigned q = 0; q < GQ_MAX_QUEUES; q++) {
		const struct gq_ring *r = &g->q[q];

		if (r->on && __atomic_load_n(&r->avail->idx, __ATOMIC_ACQUIRE) !=
			     __atomic_load_n(&r->used->idx, __ATOMIC_ACQUIRE))
			return 1;
	}
	return 0;
}

/* The FUSE opcode of the chain at head, read from guest memory (~0 when the
 * chain does not lead to a readable header). */
static uint32_t chain_opcode(const struct guestq *g, unsigned q, uint16_t head)
{
	const struct gq_ring *r = &g->q[q];
	struct vring_desc d;
	const uint8_t *h;
	uint32_t op;

	if (head >= r->num)
		return ~0u;
	memcpy(&d, &r->desc[head], sizeof(d));
	if (d.flags & VRING_DESC_F_INDIRECT) {
		const struct vring_desc *t = g->gpa(g->ctx, d.addr, sizeof(d));

		if (!t || d.len < sizeof(d))
			return ~0u;
		memcpy(&d, t, sizeof(d));
	}
	h = g->gpa(g->ctx, d.addr, 8);
	if (!h || d.len < 8 || (d.flags & VRING_DESC_F_WRITE))
		return ~0u;
	memcpy(&op, h + 4, sizeof(op));
	return op;
}

void gq_note_avail(struct guestq *g, unsigned q)
{
	struct gq_ring *r = &g->q[q];
	uint16_t a;

	if (!r->on)
		return;
	a = gq_card_avail(g, q);
	for (; r->avail_seen != a; r->avail_seen++) {
		uint16_t head = r->avail->ring[r->avail_seen % r->num];

		phases_arrival(g->ph, rc_cycles(g->rc));
		if (head < GQ_MAX_RING) {
			r->start[head] = rc_cycles(g->rc);
			r->opcode[head] = chain_opcode(g, q, head);
		}
	}
}

void gq_notified(struct guestq *g, unsigned q)
{
	if (g->settle_from) {	/* the firmware is still awake */
		g->awake++;
		g->settle_from = 0;
	}
	gq_note_avail(g, q);
}

/* The READs completed in one look, split into the fast path's hits and the
 * firmware's by how far FAST.HITS moved meanwhile: all of them or none
 * (always so with one READ at a time); a look with some of each is counted
 * but not split. */
static void split_reads(struct guestq *g, unsigned n, uint64_t sum)
{
	struct vtop_fast f;
	uint32_t hits;

	vtop_fast_counters(rc_vtop(g->rc), &f);
	hits = f.hits - g->fast_hits_seen;
	g->fast_hits_seen = f.hits;
	if (!n)
		return;
	if (hits == n) {
		g->hit_n += n;
		g->hit_sum += sum;
	} else if (!hits) {
		g->miss_n += n;
		g->miss_sum += sum;
	} else {
		g->unsplit += n;
	}
}

int gq_note_used(struct guestq *g)
{
	uint64_t now = rc_cycles(g->rc), read_sum = 0;
	unsigned reads = 0, moved = 0;

	for (unsigned q = 0; q < GQ_MAX_QUEUES; q++) {
		struct gq_ring *r = &g->q[q];
		uint16_t u;

		if (!r->on)
			continue;
		u = __atomic_load_n(&r->used->idx, __ATOMIC_ACQUIRE);
		if (u == r->used_seen)
			continue;
		for (; r->used_seen != u; r->used_seen++) {
			uint32_t id = r->used->ring[r->used_seen % r->num].id;

			if (id >= GQ_MAX_RING)
				continue;
			devstats_request(g->st, r->opcode[id], now - r->start[id]);
			if (r->opcode[id] == FUSE_READ) {
				reads++;
				read_sum += now - r->start[id];
			}
		}
		moved = 1;
	}
	if (!moved)
		return 0;
	g->last_done = now;
	g->last_used = now;
	split_reads(g, reads, read_sum);
	{
		struct vtop_fast f;

		vtop_fast_counters(rc_vtop(g->rc), &f);
		if (f.hits + f.xattr_hits != g->fast_served_seen) {
			g->fast_served_seen = f.hits + f.xattr_hits;
			phases_fast_served(g->ph, now);
		}
	}
	/* a reply of the firmware's (a fast-path hit leaves it asleep) */
	if (rc_fw_busy(g->rc) == 1)
		g->settle_from = now;
	return 1;
}

void gq_interrupt(struct guestq *g)
{
	g->last_done = rc_cycles(g->rc);
}

void gq_note_settled(struct guestq *g)
{
	uint64_t d;

	if (!g->settle_from || rc_fw_busy(g->rc) != 0)
		return;
	d = rc_cycles(g->rc) - g->settle_from;
	g->settle_from = 0;
	g->settles++;
	g->settle_sum += d;
	if (d > g->settle_max)
		g->settle_max = d;
}

void gq_occupancy(struct guestq *g)
{
	for (unsigned q = 0; q < GQ_MAX_QUEUES; q++) {
		const struct gq_ring *r = &g->q[q];

		if (r->on)
			devstats_occupancy(g->st, q, (uint16_t)(r->avail->idx - r->used->idx));
	}
}

static double mean(uint64_t sum, uint64_t n)
{
	return n ? (double)sum / (double)n : 0.0;
}

void gq_report(const struct guestq *g, const char *prefix)
{
	fprintf(stderr, "%shost turnaround %llu ns (%llu kicks held, %.0f cycles on average); "
		"the firmware back asleep %.0f cycles after a reply on average (max %llu, %llu times), "
		"still awake at %llu notifies, %llu releases without a kick; READs: %llu fast-path hits (%.0f cycles each), %llu served by "
		"the firmware (%.0f cycles each)\n", prefix,
		(unsigned long long)g->turnaround_ns, (unsigned long long)g->holds,
		mean(g->held_cycles, g->holds), mean(g->settle_sum, g->settles),
		(unsigned long long)g->settle_max, (unsigned long long)g->settles,
		(unsigned long long)g->awake, (unsigned long long)g->unkicked, (unsigned long long)g->hit_n,
		mean(g->hit_sum, g->hit_n),
		(unsigned long long)g->miss_n, mean(g->miss_sum, g->miss_n));
}

size_t gq_json(const struct guestq *g, char *buf, size_t cap)
{
	int n = snprintf(buf, cap,
		"  \"host_turnaround_ns\": %llu,\n"
		"  \"host\": {\"turnaround_cycles\": %llu, \"held\": %llu, \"held_cycles_mean\": %.1f, "
		"\"settled\": %llu, \"settle_cycles_mean\": %.1f, \"settle_cycles_max\": %llu, "
		"\"awake_notifies\": %llu, \"released_unkicked\": %llu},\n"
		"  \"read_service\": {\"hits\": %llu, \"hit_cycles_mean\": %.1f, \"misses\": %llu, "
		"\"miss_cycles_mean\": %.1f, \"unsplit\": %llu},\n",
		(unsigned long long)g->turnaround_ns, (unsigned long long)g->turnaround,
		(unsigned long long)g->holds, mean(g->held_cycles, g->holds),
		(unsigned long long)g->settles, mean(g->settle_sum, g->settles),
		(unsigned long long)g->settle_max, (unsigned long long)g->awake,
		(unsigned long long)g->unkicked, (unsigned long long)g->hit_n, mean(g->hit_sum, g->hit_n),
		(unsigned long long)g->miss_n, mean(g->miss_sum, g->miss_n), (unsigned long long)g->unsplit);

	if (n < 0 || !cap)
		return 0;
	return (size_t)n < cap ? (size_t)n : cap - 1;
}
