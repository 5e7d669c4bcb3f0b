/*
 * A stock guest's virtqueues as a front end that puts it in front of the
 * simulated card sees them (the vhost-user bridge, bridge/vhost_bridge.c,
 * and the co-simulation behind QEMU's vfpga-pci, cosim/cosim.c): the rings
 * live in the guest's RAM, which the card reaches through rc_host_map.
 *
 * Host turnaround: QEMU runs in real time and the card well under a million
 * cycles a second, so a guest would answer a completion within a few
 * simulated cycles, sooner than any real host (interrupt, wake-up, return
 * to user, the next syscall, the notify write: microseconds). What the guest
 * publishes is therefore shown to the card no sooner than that long, in
 * simulated time, after the last completion (used entry or interrupt) the
 * guest could have seen: the ring's avail index, which the card reads from a
 * shadow copy mapped over the guest's (so that a firmware draining the ring
 * does not find the request early either), and the kick, which the front
 * end holds while gq_held() says so. The card keeps being stepped meanwhile.
 *
 * Figures: every request is timed from the moment the card could know of it
 * (its kick, or the step it was shown in) to the step its used entry
 * appeared in (devstats, per FUSE opcode read from the chain); READs are
 * split into the READ fast path's hits and the firmware's by FAST.HITS; and
 * the firmware's way back to sleep after a reply of its own is measured.
 */
#ifndef FRONTEND_GUESTQ_H
#define FRONTEND_GUESTQ_H

#include <stddef.h>
#include <stdint.h>

#include <linux/virtio_ring.h>

struct rc;
struct devstats;
struct phases;

#define GQ_MAX_QUEUES	16	/* hiprio + up to 15 request queues */
#define GQ_MAX_RING	1024u	/* largest ring whose requests are timed */
#define GQ_MAX_PIECES	(32 + 2 * GQ_MAX_QUEUES)	/* rc_host_map'd pieces */
#define GQ_CLOCK_MHZ	250u	/* the card's nominal clock: ns into cycles */
/* --host-turnaround: the default, a Linux host's answer to a completion with
 * the next psync request (interrupt, wake-up, return to user, the next pread
 * through FUSE, the notify write), and the largest value taken. */
#define GQ_TURNAROUND_DEFAULT_NS 5000u
#define GQ_TURNAROUND_MAX_NS	1000000000ull
#define GQ_KICK_WAIT_NS	2000000ull	/* wall time a published entry waits for its kick */

/* Guest-physical to our pointer, len bytes inside one mapping; NULL if not. */
typedef void *(*gq_gpa_fn)(void *ctx, uint64_t gpa, uint64_t len);

struct gq_ring {
	int on;				/* the card reads this ring */
	unsigned num;
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	uint64_t desc_gpa, avail_gpa, used_gpa;
	uint16_t shadow;		/* avail index the card sees (little endian) */
	int held;			/* published entries waiting for the turnaround */
	uint16_t held_idx;
	uint64_t release_at;
	uint64_t held_wall;		/* wall clock when they were first seen */
	uint16_t used_seen, avail_seen;
	/* per descriptor head: when the card was told about it, and its opcode */
	uint64_t start[GQ_MAX_RING];
	uint32_t opcode[GQ_MAX_RING];
};

struct guestq {
	struct rc *rc;
	struct devstats *st;
	struct phases *ph;
	gq_gpa_fn gpa;
	void *ctx;
	uint64_t turnaround_ns;
	uint64_t turnaround;		/* in cycles; 0: the guest's ring as it is */
	int event_idx;			/* VIRTIO_RING_F_EVENT_IDX negotiated */
	struct gq_ring q[GQ_MAX_QUEUES];
	uint64_t last_done;		/* last used entry or interrupt shown to the guest */
	uint64_t last_used;		/* last step a used index moved in */
	uint64_t holds, held_cycles;
	uint64_t unkicked;	/* releases of held entries without the guest's kick */
	/* the firmware's settling: a used entry it wrote -> its idle word */
	uint64_t settle_from;		/* 0: none being timed */
	uint64_t settles, settle_sum, settle_max, awake;
	/* READ service times split by the fast path's hit counter */
	uint32_t fast_hits_seen;
	uint32_t fast_served_seen;	/* FAST's READ + GETXATTR hits at the last look (phases) */
	uint64_t hit_n, hit_sum, miss_n, miss_sum, unsplit;
	uint64_t mapped[GQ_MAX_PIECES];	/* iova of each rc_host_map'd piece */
	unsigned nmapped;
};

/* The wall clock (CLOCK_MONOTONIC) in ns. */
uint64_t gq_wall_ns(void);
/* --host-turnaround's value: nanoseconds, 0 to GQ_TURNAROUND_MAX_NS, the
 * whole word; else a message on stderr and -1. */
int gq_parse_turnaround(const char *s, uint64_t *ns);
/* The --host-turnaround lines of a front end's usage. */
const char *gq_turnaround_usage(void);

void gq_init(struct guestq *g, struct rc *rc, uint64_t turnaround_ns, struct devstats *st,
	     struct phases *ph, gq_gpa_fn gpa, void *ctx);
/* Queue q of num entries at these guest-physical addresses: the card reads
 * it from now on (its avail index is shadowed: remap with gq_map). -1 if a
 * ring is outside guest memory. */
int gq_attach(struct guestq *g, unsigned q, unsigned num, uint64_t desc, uint64_t avail, uint64_t used);
void gq_detach_all(struct guestq *g);
/* The guest's memory moved: the attached rings' pointers again (a ring
 * no longer in guest memory is detached, with a message). */
void gq_resolve(struct guestq *g);
/* Maps a guest region into the host model, with the attached rings' avail
 * indexes it holds replaced by their shadows; gq_unmap undoes every map. */
int gq_map(struct guestq *g, uint64_t gpa, void *host, uint64_t size);
void gq_unmap(struct guestq *g);

/* The guest's avail index of an attached ring, and the one the card sees. */
uint16_t gq_guest_avail(const struct guestq *g, unsigned q);
uint16_t gq_card_avail(const struct guestq *g, unsigned q);
/* Shows the card what the guest published once the turnaround has passed
 * and its kick, if one is owed, has come (kicked[q]; NULL: none came).
 * Returns the queues whose entries it showed without the guest's kick
 * (none owed, or none came within GQ_KICK_WAIT_NS): a front end that can
 * should notify the card of them itself, as a device finds entries on its
 * own re-check of the ring (a card asleep would otherwise never see them). */
uint32_t gq_pace(struct guestq *g, const int *kicked);
/* Whether queue q's published entries still wait (its kick waits with
 * them); the cycles until the first queue's wait for the turnaround itself
 * is over (0: none waits for it). */
int gq_held(const struct guestq *g, unsigned q);
uint64_t gq_release_in(const struct guestq *g);
/* Some attached ring has entries published and not used. */
int gq_work_pending(const struct guestq *g);

/* The card is told about queue q (a notify write): the firmware found
 * awake is counted, and its new requests are stamped. */
void gq_notified(struct guestq *g, unsigned q);
/* Stamps the requests shown to the card since the last look. */
void gq_note_avail(struct guestq *g, unsigned q);
/* After the model ran: times the completed requests (the guest may have
 * seen them); returns whether any completed. */
int gq_note_used(struct guestq *g);
/* An interrupt the guest sees. */
void gq_interrupt(struct guestq *g);
/* After the model ran: the firmware's idle word after its reply. */
void gq_note_settled(struct guestq *g);
/* Requests outstanding per queue, for devstats' occupancy. */
void gq_occupancy(struct guestq *g);

/* The figures: a summary line on stderr (prefix: "vfpga-sim: " or the
 * like), and the JSON members "host_turnaround_ns", "host" and
 * "read_service" (each ending ",\n"). */
void gq_report(const struct guestq *g, const char *prefix);
size_t gq_json(const struct guestq *g, char *buf, size_t cap);

#endif /* FRONTEND_GUESTQ_H */
