/*
 * The vhost-user bridge into the RTL: `vfpga-sim --socket PATH ...`.
 *
 * A stock guest's QEMU (vhost-user-fs-pci) talks vhost-user to us; every
 * request is processed by the simulated card. The guest's RAM (memfd regions
 * of the vhost-user memory table) is mapped into the root-complex model at its
 * guest-physical addresses, so the card's DMA reads and writes the guest's
 * rings and buffers directly. Our side plays the virtio-pci driver towards the
 * card: it negotiates the features the guest acked, points the card's queues
 * at the guest's rings, turns kick eventfds into notify writes to BAR0, and
 * turns the card's MSI-X messages into call eventfds. The device config (tag,
 * request queues) and the device features are read from the card.
 *
 * Time: the model is stepped only while a request is outstanding (avail index
 * ahead of used index on some queue), while the firmware says it is busy
 * (SIMCTRL.BUSY), or for a short tail after the last completion, so an idle
 * guest costs no simulation. While it runs, kicks are taken and delivered to
 * the card every FINE_CYCLES, and a request is timed from the notify write
 * (or, for a request published without a kick, from the step it appeared
 * in) to the step its used entry appeared in: no figure carries time the
 * card did not have the request.
 *
 * Host turnaround (--host-turnaround NS): QEMU runs in real time and the card
 * well under a million cycles a second, so a guest would answer a completion
 * within a few simulated cycles, sooner than any real host (interrupt,
 * wake-up, return to user, the next syscall, the notify write: microseconds).
 * What the guest publishes is therefore shown to the card no sooner than
 * that long, in simulated time, after the last completion (used entry or
 * interrupt) the guest had seen: the kick is held, and so is the ring's
 * avail index, which the card reads from a shadow copy mapped over the
 * guest's, so that a firmware draining the ring does not find the request
 * early either. The card keeps being stepped meanwhile.
 */
#include "vhost_bridge.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/virtio_config.h>
#include <linux/virtio_fs.h>

#include "rc.h"
#include "rc_transport.h"
#include "vtop.h"
#include "vfsdrv.h"
#include "devstats.h"
#include "fast_stats.h"
#include "phases.h"
#include "profile.h"
#include "vhost_user.h"

#define STEP_CYCLES	2048u	/* cycles per step between looks at the sockets */
#define FINE_CYCLES	32u	/* used rings are checked this often: timing resolution */
#define TAIL_CYCLES	1024u	/* keep stepping this long after the last completion */
#define TAIL_NOHINT	20000u	/* ... when the firmware gives no SIMCTRL.BUSY hint */
#define SETTLE_MS	20	/* socket quiet this long: queue set-up is complete */
#define DRAIN_CYCLES	50000000ull	/* a stopped queue gets this long to finish */
#define MSI_DATA_BASE	0x40u	/* vfsdrv's MSI-X data: 0x40 + vector */
#define VU_MAX_RING	1024u	/* largest ring whose requests are timed */
#define TIME_SYNC_MS	10	/* the card's clock follows the host's this closely */
#define CLOCK_MHZ	250u	/* the card's nominal clock: ns into cycles */
#define TURNAROUND_MAX_NS 1000000000ull	/* --host-turnaround's largest value */
#define KICK_WAIT_NS	2000000ull	/* wall time a published entry waits for its kick */

struct bridge {
	struct vu_dev vu;
	struct vfs_transport *t;
	struct rc *rc;
	struct vfsdrv drv;
	struct nvme_dev *ssd;
	unsigned nqueues;
	int attached[VU_MAX_QUEUES];
	int kicked[VU_MAX_QUEUES];	/* notify the card once it is live */
	int dirty;			/* queue set changed: reconfigure the card */
	int live;			/* DRIVER_OK written */
	/* iova of each rc_host_map'd piece: the guest's regions, cut around
	 * the shadow avail indexes */
	uint64_t mapped[VU_MAX_REGIONS + 2 * VU_MAX_QUEUES];
	unsigned nmapped;
	int config_changed;		/* a vector-0 MSI arrived */
	uint64_t unknown_msis;
	uint64_t last_activity;		/* cycle of the last completion seen */
	/* host turnaround: see the top of this file */
	uint64_t turnaround;		/* in cycles; 0: the guest's ring as it is */
	uint64_t last_done;		/* last used entry or interrupt shown to the guest */
	uint64_t avail_gpa[VU_MAX_QUEUES];
	uint16_t shadow[VU_MAX_QUEUES];	/* avail index the card sees (little endian) */
	int held[VU_MAX_QUEUES];	/* published entries waiting for the turnaround */
	uint16_t held_idx[VU_MAX_QUEUES];
	uint64_t release_at[VU_MAX_QUEUES];
	uint64_t held_wall[VU_MAX_QUEUES];	/* wall clock when it was first seen */
	uint64_t holds, held_cycles;
	/* the firmware's settling: a used entry it wrote -> its idle word */
	uint64_t settle_from;		/* 0: none being timed */
	uint64_t settles, settle_sum, settle_max, awake;
	/* READ service times split by the fast path's hit counter */
	uint32_t fast_served_seen;	/* FAST's READ + GETXATTR hits at the last look (phases) */
	uint32_t fast_hits_seen;
	uint64_t hit_n, hit_sum, miss_n, miss_sum, unsplit;
	uint64_t notifies, interrupts, busy_cycles;
	uint64_t busy_ns;		/* wall time spent running the card */
	uint16_t used_seen[VU_MAX_QUEUES];
	uint16_t avail_seen[VU_MAX_QUEUES];
	/* per descriptor head: when the card was told about it, and its opcode */
	uint64_t start[VU_MAX_QUEUES][VU_MAX_RING];
	uint32_t opcode[VU_MAX_QUEUES][VU_MAX_RING];
	struct devstats st;
	struct phases ph;
	struct profile *prof;		/* --profile, or NULL */
	const struct vhost_bridge_opts *o;
};

static volatile int stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void unmap_all(struct bridge *b)
{
	for (unsigned i = 0; i < b->nmapped; i++)
		rc_host_unmap(b->rc, b->mapped[i]);
	b->nmapped = 0;
}

static int map_piece(struct bridge *b, uint64_t gpa, void *p, uint64_t len)
{
	if (!len)
		return 0;
	if (rc_host_map(b->rc, gpa, p, len))
		return -1;
	b->mapped[b->nmapped++] = gpa;
	return 0;
}

/* The shadowed avail index lowest in [from, end), or -1. */
static int next_shadow(struct bridge *b, uint64_t from, uint64_t end)
{
	int best = -1;

	if (!b->turnaround)
		return -1;
	for (unsigned q = 0; q < b->nqueues; q++) {
		uint64_t a = b->avail_gpa[q] + 2;

		if (b->attached[q] && a >= from && a + 2 <= end &&
		    (best < 0 || a < b->avail_gpa[best] + 2))
			best = (int)q;
	}
	return best;
}

/* Maps one guest region into the host model, with the attached queues'
 * avail indexes it holds replaced by their shadows. */
static int map_region(struct bridge *b, const struct vu_region *r)
{
	uint64_t at = r->gpa, end = r->gpa + r->size;

	for (;;) {
		int q = next_shadow(b, at, end);
		uint64_t stop = q < 0 ? end : b->avail_gpa[q] + 2;

		if (map_piece(b, at, (uint8_t *)r->host + (at - r->gpa), stop - at))
			return -1;
		if (q < 0)
			return 0;
		if (map_piece(b, stop, &b->shadow[q], 2))
			return -1;
		at = stop + 2;
	}
}

/* The guest's RAM as the card sees it (again after a change of the memory
 * table or of the queues). */
static void map_guest(struct bridge *b)
{
	unmap_all(b);
	for (unsigned i = 0; i < b->vu.nregions; i++)
		if (map_region(b, &b->vu.regions[i]))
			fprintf(stderr, "vfpga-sim: cannot map guest region %u into the host model\n", i);
}

static void on_mem_changed(struct vu_dev *d)
{
	map_guest(d->ctx);
}

static void on_kick(struct vu_dev *d, unsigned q)
{
	struct bridge *b = d->ctx;

	if (!b->attached[q])
		b->dirty = 1;
	b->kicked[q] = 1;
}

static uint16_t guest_avail(struct bridge *b, unsigned q)
{
	return __atomic_load_n(&b->vu.vq[q].avail->idx, __ATOMIC_ACQUIRE);
}

/* The avail index the card sees: the guest's, or its shadow. */
static uint16_t card_avail(struct bridge *b, unsigned q)
{
	return b->turnaround ? b->shadow[q] : guest_avail(b, q);
}

static uint64_t wall_ns(void);

/* Whether the guest notifies for the entries from old to new (the card's
 * avail_event with EVENT_IDX, else the used ring's NO_NOTIFY flag). */
static int kick_due(struct bridge *b, unsigned q, uint16_t old, uint16_t new)
{
	struct vu_vring *vq = &b->vu.vq[q];
	uint16_t event;

	if (!(b->vu.acked & (1ull << VIRTIO_RING_F_EVENT_IDX)))
		return !(__atomic_load_n(&vq->used->flags, __ATOMIC_ACQUIRE) & VRING_USED_F_NO_NOTIFY);
	event = __atomic_load_n((uint16_t *)&vq->used->ring[vq->num], __ATOMIC_ACQUIRE);
	return (uint16_t)(new - event - 1) < (uint16_t)(new - old);
}

/* Held entries may be shown: the turnaround has passed, and their kick,
 * if the guest owes one, has come. On a host the notify write follows the
 * avail index within nanoseconds; here it comes through QEMU tens of
 * microseconds of wall clock later, while the card runs on: shown alone,
 * the entries would be timed from a moment the card could not have known
 * about them. A kick that never comes is not waited for beyond
 * KICK_WAIT_NS of wall clock. */
static int may_release(struct bridge *b, unsigned q, uint64_t now)
{
	if (now < b->release_at[q])
		return 0;
	if (b->kicked[q] || !kick_due(b, q, b->shadow[q], b->held_idx[q]))
		return 1;
	return wall_ns() - b->held_wall[q] > KICK_WAIT_NS;
}

/* Shows the card what the guest published once the host turnaround since
 * the last completion it had seen has passed (see the top of this file).
 * Entries published while some wait are shown with them, a little late. */
static void pace_avail(struct bridge *b)
{
	uint64_t now = rc_cycles(b->rc);

	if (!b->turnaround)
		return;
	for (unsigned q = 0; q < b->nqueues; q++) {
		uint16_t a;

		if (!b->attached[q] || !b->vu.vq[q].avail)
			continue;
		a = guest_avail(b, q);
		if (!b->held[q] && a != b->shadow[q]) {
			b->held[q] = 1;
			b->held_idx[q] = a;
			b->held_wall[q] = wall_ns();
			b->release_at[q] = b->last_done + b->turnaround > now ? b->last_done + b->turnaround : now;
			if (b->release_at[q] > now) {
				b->holds++;
				b->held_cycles += b->release_at[q] - now;
			}
		}
		if (b->held[q] && may_release(b, q, now)) {
			b->shadow[q] = b->held_idx[q];
			b->held[q] = 0;
		}
	}
}

/* Outstanding work: some attached queue has avail entries not yet used. */
static int work_pending(struct bridge *b)
{
	for (unsigned q = 0; q < b->nqueues; q++) {
		struct vu_vring *vq = &b->vu.vq[q];

		if (b->attached[q] && vq->avail && vq->used &&
		    __atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE) !=
		    __atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE))
			return 1;
	}
	return 0;
}

/* The card's MSI-X messages, as the root complex sees them written: a queue
 * vector becomes that queue's call eventfd at once; a configuration change
 * is reported after the step (reading the status is itself a simulated
 * access, which cannot run from inside one). */
static void on_msi(void *ctx, uint64_t addr, uint32_t data)
{
	struct bridge *b = ctx;
	unsigned vec = data - MSI_DATA_BASE;

	(void)addr;
	b->interrupts++;
	b->last_done = rc_cycles(b->rc);
	if (vec == 0)
		b->config_changed = 1;
	else if (vec - 1 < b->nqueues)
		vu_notify(&b->vu, vec - 1);
	else
		b->unknown_msis++;
}

static void on_mark(void *ctx, uint64_t cycle, uint32_t word)
{
	struct bridge *b = ctx;

	phases_mark(&b->ph, cycle, word);
}

static void report_config_change(struct bridge *b)
{
	uint8_t st;

	if (!b->config_changed)
		return;
	b->config_changed = 0;
	st = vfsdrv_status(&b->drv);
	fprintf(stderr, "vfpga-sim: the card signalled a configuration change (status 0x%02x)%s\n",
		st, (st & VIRTIO_CONFIG_S_NEEDS_RESET) ? ": DEVICE_NEEDS_RESET" : "");
}

/* The FUSE opcode of the chain at head, read from guest memory (~0 when the
 * chain does not lead to a readable header). */
static uint32_t chain_opcode(struct bridge *b, unsigned q, uint16_t head)
{
	struct vu_vring *vq = &b->vu.vq[q];
	struct vring_desc d;
	const uint8_t *h;
	uint32_t op;

	if (head >= vq->num)
		return ~0u;
	memcpy(&d, &vq->desc[head], sizeof(d));
	if (d.flags & VRING_DESC_F_INDIRECT) {
		const struct vring_desc *t = vu_gpa_to_host(&b->vu, d.addr, sizeof(d));

		if (!t || d.len < sizeof(d))
			return ~0u;
		memcpy(&d, t, sizeof(d));
	}
	h = vu_gpa_to_host(&b->vu, d.addr, 8);
	if (!h || d.len < 8 || (d.flags & VRING_DESC_F_WRITE))
		return ~0u;
	memcpy(&op, h + 4, sizeof(op));
	return op;
}

/* Stamps the requests the guest has published since the last look. */
static void note_avail(struct bridge *b, unsigned q)
{
	struct vu_vring *vq = &b->vu.vq[q];
	uint16_t a = card_avail(b, q);

	for (; b->avail_seen[q] != a; b->avail_seen[q]++) {
		uint16_t head = vq->avail->ring[b->avail_seen[q] % vq->num];

		phases_arrival(&b->ph, rc_cycles(b->rc));
		if (head < VU_MAX_RING) {
			b->start[q][head] = rc_cycles(b->rc);
			b->opcode[q][head] = chain_opcode(b, q, head);
		}
	}
}

/* The READs completed in one look, split into the fast path's hits and the
 * firmware's by how far FAST.HITS moved meanwhile: all of them or none
 * (always so with one READ at a time); a look with some of each is counted
 * but not split. */
static void split_reads(struct bridge *b, unsigned n, uint64_t sum)
{
	struct vtop_fast f;
	uint32_t hits;

	vtop_fast_counters(rc_vtop(b->rc), &f);
	hits = f.hits - b->fast_hits_seen;
	b->fast_hits_seen = f.hits;
	if (!n)
		return;
	if (hits == n) {
		b->hit_n += n;
		b->hit_sum += sum;
	} else if (!hits) {
		b->miss_n += n;
		b->miss_sum += sum;
	} else {
		b->unsplit += n;
	}
}

/* Times the requests the card has completed since the last look. */
static void note_used(struct bridge *b)
{
	uint64_t now = rc_cycles(b->rc), read_sum = 0;
	unsigned reads = 0, moved = 0;

	for (unsigned q = 0; q < b->nqueues; q++) {
		struct vu_vring *vq = &b->vu.vq[q];
		uint16_t u;

		if (!b->attached[q] || !vq->used)
			continue;
		u = __atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE);
		if (u == b->used_seen[q])
			continue;
		for (; b->used_seen[q] != u; b->used_seen[q]++) {
			uint32_t id = vq->used->ring[b->used_seen[q] % vq->num].id;

			if (id >= VU_MAX_RING)
				continue;
			devstats_request(&b->st, b->opcode[q][id], now - b->start[q][id]);
			if (b->opcode[q][id] == FUSE_READ) {
				reads++;
				read_sum += now - b->start[q][id];
			}
		}
		b->last_activity = now;
		moved = 1;
	}
	if (!moved)
		return;
	b->last_done = now;
	split_reads(b, reads, read_sum);
	{
		struct vtop_fast f;

		vtop_fast_counters(rc_vtop(b->rc), &f);
		if (f.hits + f.xattr_hits != b->fast_served_seen) {
			b->fast_served_seen = f.hits + f.xattr_hits;
			phases_fast_served(&b->ph, now);
		}
	}
	/* a reply of the firmware's (a fast-path hit leaves it asleep) */
	if (rc_fw_busy(b->rc) == 1)
		b->settle_from = now;
}

/* The firmware's word that it waits for the host again (written once the
 * fast path is armed) after the reply timed in note_used. */
static void note_settled(struct bridge *b)
{
	uint64_t d;

	if (!b->settle_from || rc_fw_busy(b->rc) != 0)
		return;
	d = rc_cycles(b->rc) - b->settle_from;
	b->settle_from = 0;
	b->settles++;
	b->settle_sum += d;
	if (d > b->settle_max)
		b->settle_max = d;
}

/* The started queues' kick eventfds as poll entries; qmap[i] is the queue
 * of pfd[i]. Returns how many. */
static int kick_pollfds(struct bridge *b, struct pollfd *pfd, unsigned *qmap)
{
	int n = 0;

	for (unsigned q = 0; q < b->nqueues; q++)
		if (b->vu.vq[q].started && b->vu.vq[q].kick_fd >= 0) {
			pfd[n].fd = b->vu.vq[q].kick_fd;
			pfd[n].events = POLLIN;
			qmap[n++] = q;
		}
	return n;
}

/* Marks the queues whose polled eventfd had a kick, and consumes it. */
static void read_kicks(struct bridge *b, const struct pollfd *pfd, const unsigned *qmap, int n)
{
	for (int i = 0; i < n; i++) {
		uint64_t v;

		if ((pfd[i].revents & POLLIN) && read(pfd[i].fd, &v, sizeof(v)) == sizeof(v))
			b->kicked[qmap[i]] = 1;
	}
}

/* Kicks that arrived on the queues' eventfds, without waiting. */
static void take_kicks(struct bridge *b)
{
	struct pollfd pfd[VU_MAX_QUEUES];
	unsigned qmap[VU_MAX_QUEUES];
	int n = kick_pollfds(b, pfd, qmap);

	if (n && poll(pfd, n, 0) > 0)
		read_kicks(b, pfd, qmap, n);
}

/* Notify writes for the kicked queues; their new requests are stamped now.
 * A kick whose entries wait for the host turnaround waits with them. */
static void deliver_kicks(struct bridge *b)
{
	pace_avail(b);
	for (unsigned q = 0; q < b->nqueues; q++)
		if (b->kicked[q] && b->attached[q] && !b->held[q]) {
			b->kicked[q] = 0;
			if (b->settle_from) {	/* the firmware is still awake */
				b->awake++;
				b->settle_from = 0;
			}
			note_avail(b, q);
			phases_notify(&b->ph, rc_cycles(b->rc));
			if (vfsdrv_notify(&b->drv, q) == 0)
				b->notifies++;
			b->last_activity = rc_cycles(b->rc);
		}
}

static uint64_t wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The card's clock follows the host's (rc_time_sync; off with --no-time). */
static void time_sync(struct bridge *b)
{
	rc_time_sync(b->rc, TIME_SYNC_MS);
}

/* Runs the card `cycles` cycles (or up to FINE_CYCLES more), skipping what
 * is idle (rc_advance). */
static void step(struct bridge *b, uint64_t cycles)
{
	uint64_t done = 0, t0 = wall_ns();

	while (done < cycles) {
		unsigned bucket;
		uint64_t n;

		take_kicks(b);
		if (b->live)
			deliver_kicks(b);
		/* Requests published without a kick (the card is still popping
		 * that ring) count from the step they appeared in. */
		pace_avail(b);
		for (unsigned q = 0; q < b->nqueues; q++)
			if (b->attached[q] && b->vu.vq[q].avail)
				note_avail(b, q);
		time_sync(b);
		bucket = phases_opcode(&b->ph);
		n = rc_advance(b->rc, FINE_CYCLES, cycles - done);
		if (b->prof)
			profile_sample(b->prof, bucket < PROFILE_BETWEEN ? bucket : PROFILE_BETWEEN,
				       vtop_debug_pc(rc_vtop(b->rc)), n);
		done += n;
		note_used(b);
		note_settled(b);
	}
	b->busy_cycles += done;
	b->busy_ns += wall_ns() - t0;
	for (unsigned q = 0; q < b->nqueues; q++) {
		struct vu_vring *vq = &b->vu.vq[q];

		if (b->attached[q] && vq->avail && vq->used)
			devstats_occupancy(&b->st, q, (uint16_t)(vq->avail->idx - vq->used->idx));
	}
	report_config_change(b);
}

/* Whether the card still has something to do: requests outstanding, the
 * firmware busy by its own word, or the tail after the last completion. */
static int card_busy(struct bridge *b)
{
	int hint = rc_fw_busy(b->rc);
	uint64_t since = rc_cycles(b->rc) - b->last_activity;

	if (!b->live)
		return 0;
	if (work_pending(b) || hint == 1)
		return 1;
	return since < (hint < 0 ? TAIL_NOHINT : TAIL_CYCLES);
}

/* Resets the card and attaches every started queue; DRIVER_OK. Only done
 * while no request has been taken (queue set-up), because a reset card
 * starts each ring at index 0. */
static int reconfigure(struct bridge *b)
{
	uint64_t wanted = b->vu.acked & ~(1ull << VU_F_PROTOCOL_FEATURES);
	int ret;

	b->live = 0;
	memset(b->attached, 0, sizeof(b->attached));
	ret = vfsdrv_negotiate(&b->drv, wanted, b->nqueues + 1);
	if (ret) {
		fprintf(stderr, "vfpga-sim: the card refused feature negotiation (%d)\n", ret);
		return ret;
	}
	for (unsigned q = 0; q < b->nqueues; q++) {
		struct vu_vring *vq = &b->vu.vq[q];
		uint64_t desc, avail, used;

		if (!vq->started || vq->broken || !vq->desc)
			continue;
		if (vq->last_avail != 0)
			fprintf(stderr, "vfpga-sim: queue %u restarts at index %u; the card starts at 0\n",
				q, vq->last_avail);
		if (vu_uva_to_gpa(&b->vu, vq->desc_uva, 16ull * vq->num, &desc) ||
		    vu_uva_to_gpa(&b->vu, vq->avail_uva, 6 + 2ull * vq->num, &avail) ||
		    vu_uva_to_gpa(&b->vu, vq->used_uva, 6 + 8ull * vq->num, &used)) {
			fprintf(stderr, "vfpga-sim: queue %u rings outside guest memory\n", q);
			continue;
		}
		ret = vfsdrv_queue_attach(&b->drv, q, vq->num, desc, avail, used, (uint16_t)(q + 1));
		if (ret) {
			fprintf(stderr, "vfpga-sim: the card refused queue %u of size %u (%d)\n", q, vq->num, ret);
			continue;
		}
		b->attached[q] = 1;
		b->used_seen[q] = vq->used->idx;
		b->avail_seen[q] = vq->used->idx;
		b->avail_gpa[q] = avail;
		b->shadow[q] = guest_avail(b, q);
		b->held[q] = 0;
		if (b->o->verbose)
			fprintf(stderr, "vfpga-sim: queue %u (%u entries) at desc 0x%llx avail 0x%llx used 0x%llx\n",
				q, vq->num, (unsigned long long)desc, (unsigned long long)avail,
				(unsigned long long)used);
	}
	map_guest(b);		/* the shadows over the new rings */
	ret = vfsdrv_driver_ok(&b->drv);
	if (ret)
		return ret;
	b->live = 1;
	for (unsigned q = 0; q < b->nqueues; q++)
		b->kicked[q] = b->attached[q];	/* look at every ring once */
	return 0;
}

/* GET_VRING_BASE: let the card finish what it took, then report where the
 * ring stands; the card is reset so that a restart begins cleanly. */
static void on_stop(struct vu_dev *d, unsigned q)
{
	struct bridge *b = d->ctx;
	struct vu_vring *vq = &d->vq[q];
	uint64_t start = rc_cycles(b->rc);

	if (b->attached[q]) {
		while (work_pending(b) && rc_cycles(b->rc) - start < DRAIN_CYCLES)
			step(b, STEP_CYCLES);
		if (vq->used)
			vq->last_avail = vq->used->idx;
	}
	if (b->live) {
		/* Writing 0 to device_status resets every queue of the card. */
		vfsdrv_negotiate(&b->drv, 0, 0);
		b->live = 0;
		memset(b->attached, 0, sizeof(b->attached));
		map_guest(b);	/* no shadow over a ring the card no longer reads */
	}
}

static const struct vu_ops bridge_ops = {
	.kick = on_kick,
	.mem_changed = on_mem_changed,
	.stop = on_stop,
};

static int serve(struct bridge *b)
{
	struct pollfd pfd[1 + VU_MAX_QUEUES];
	unsigned qmap[1 + VU_MAX_QUEUES];

	while (!stop_requested && b->vu.fd >= 0) {
		int n, timeout, r;

		timeout = card_busy(b) ? 0 : b->dirty ? SETTLE_MS : -1;
		pfd[0].fd = b->vu.fd;
		pfd[0].events = POLLIN;
		n = 1 + kick_pollfds(b, pfd + 1, qmap + 1);
		r = poll(pfd, n, timeout);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			/* Messages first: queue set-up completes before kicks count. */
			if (vu_handle_message(&b->vu) < 0)
				return 0;
			continue;
		}
		if (b->dirty) {
			b->dirty = 0;
			if (reconfigure(b))
				return -EIO;
		}
		read_kicks(b, pfd + 1, qmap + 1, n - 1);
		if (!b->live)
			continue;
		/* The card's clock is the host's before it sees a request, however
		 * long it sat unstepped (rc_time_sync). */
		time_sync(b);
		deliver_kicks(b);
		if (card_busy(b))
			step(b, STEP_CYCLES);
	}
	return 0;
}

static double mean(uint64_t sum, uint64_t n)
{
	return n ? (double)sum / (double)n : 0.0;
}

/* The host turnaround and what the firmware did after its replies. */
static void report_host(struct bridge *b)
{
	fprintf(stderr, "vfpga-sim: host turnaround %llu ns (%llu kicks held, %.0f cycles on average); "
		"the firmware back asleep %.0f cycles after a reply on average (max %llu, %llu times), "
		"still awake at %llu notifies; READs: %llu fast-path hits (%.0f cycles each), %llu served by "
		"the firmware (%.0f cycles each)\n",
		(unsigned long long)b->o->turnaround_ns, (unsigned long long)b->holds,
		mean(b->held_cycles, b->holds), mean(b->settle_sum, b->settles),
		(unsigned long long)b->settle_max, (unsigned long long)b->settles,
		(unsigned long long)b->awake, (unsigned long long)b->hit_n, mean(b->hit_sum, b->hit_n),
		(unsigned long long)b->miss_n, mean(b->miss_sum, b->miss_n));
}

static size_t host_json(struct bridge *b, char *buf, size_t cap)
{
	int n = snprintf(buf, cap,
		"  \"host_turnaround_ns\": %llu,\n"
		"  \"host\": {\"turnaround_cycles\": %llu, \"held\": %llu, \"held_cycles_mean\": %.1f, "
		"\"settled\": %llu, \"settle_cycles_mean\": %.1f, \"settle_cycles_max\": %llu, "
		"\"awake_notifies\": %llu},\n"
		"  \"read_service\": {\"hits\": %llu, \"hit_cycles_mean\": %.1f, \"misses\": %llu, "
		"\"miss_cycles_mean\": %.1f, \"unsplit\": %llu},\n",
		(unsigned long long)b->o->turnaround_ns, (unsigned long long)b->turnaround,
		(unsigned long long)b->holds, mean(b->held_cycles, b->holds),
		(unsigned long long)b->settles, mean(b->settle_sum, b->settles),
		(unsigned long long)b->settle_max, (unsigned long long)b->awake,
		(unsigned long long)b->hit_n, mean(b->hit_sum, b->hit_n),
		(unsigned long long)b->miss_n, mean(b->miss_sum, b->miss_n), (unsigned long long)b->unsplit);

	if (n < 0 || !cap)
		return 0;
	return (size_t)n < cap ? (size_t)n : cap - 1;
}

int vhost_bridge_main(const struct vhost_bridge_opts *o)
{
	static struct bridge bs;
	struct bridge *b = &bs;
	struct virtio_fs_config cfg;
	struct sigaction sa;
	FILE *console = NULL;
	char err[256];
	int ret, rc = 0;

	b->o = o;
	b->st.timed = 1;
	b->turnaround = o->turnaround_ns * CLOCK_MHZ / 1000;
	if (o->profile) {
		b->prof = profile_open(o->firmware, o->profile, err, sizeof(err));
		if (!b->prof) {
			fprintf(stderr, "vfpga-sim: --profile: %s\n", err);
			return 2;
		}
	}
	if (o->console) {
		console = !strcmp(o->console, "-") ? stderr : fopen(o->console, "w");
		if (!console) {
			fprintf(stderr, "vfpga-sim: cannot open %s\n", o->console);
			return 2;
		}
		setvbuf(console, NULL, _IOLBF, 0);
	}
	b->t = vfs_transport_sim_open(o->firmware, console, err, sizeof(err));
	if (!b->t) {
		fprintf(stderr, "vfpga-sim: %s\n", err);
		return 2;
	}
	b->rc = vfs_transport_sim_rc(b->t);
	rc_set_msi_handler(b->rc, on_msi, b);
	rc_host_strict(b->rc, 1);	/* the card's DMA reaches the guest's RAM only */
	phases_init(&b->ph);
	rc_set_mark_handler(b->rc, on_mark, b);
	if (o->no_time)
		rc_time_sync_off(b->rc);
	if (o->nvme.image) {
		b->ssd = nvme_dev_attach(rc_vtop(b->rc), &o->nvme, err, sizeof(err));
		if (!b->ssd) {
			fprintf(stderr, "vfpga-sim: --image: %s\n", err);
			return 2;
		}
	}
	if ((ret = b->t->ops->enumerate(b->t)) || (ret = vfsdrv_probe(&b->drv, b->t))) {
		fprintf(stderr, "vfpga-sim: the card did not enumerate as virtio-fs (%d)\n", ret);
		return 2;
	}
	/* the host's time into the card's clock before its firmware mounts */
	rc_time_sync(b->rc, 0);
	b->nqueues = b->drv.num_queues;
	if (b->nqueues < 2 || b->nqueues > VU_MAX_QUEUES) {
		fprintf(stderr, "vfpga-sim: the card reports %u queues\n", b->nqueues);
		return 2;
	}
	memset(&cfg, 0, sizeof(cfg));
	memcpy(cfg.tag, b->drv.tag, strnlen(b->drv.tag, sizeof(cfg.tag)));
	cfg.num_request_queues = b->drv.num_request_queues;
	b->vu.name = "vfpga-sim";
	b->vu.verbose = o->verbose;
	ret = vu_init(&b->vu, o->socket, b->nqueues, &cfg, sizeof(cfg), &bridge_ops, b);
	if (ret) {
		fprintf(stderr, "vfpga-sim: cannot listen on %s: %s\n", o->socket, strerror(-ret));
		return 2;
	}
	/* Offer what the card offers, of what a split-ring guest can use. */
	b->vu.features = (b->drv.device_features &
			  ((1ull << VIRTIO_F_VERSION_1) | (1ull << VIRTIO_RING_F_INDIRECT_DESC) |
			   (1ull << VIRTIO_RING_F_EVENT_IDX))) |
			 (1ull << VU_F_PROTOCOL_FEATURES);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	fprintf(stderr, "vfpga-sim: card '%.36s' (%u request queues) serving vhost-user on %s\n",
		b->drv.tag, b->drv.num_request_queues, o->socket);

	for (;;) {
		struct pollfd p = { .fd = b->vu.listen_fd, .events = POLLIN };

		if (stop_requested)
			break;
		if (poll(&p, 1, -1) < 0)
			continue;
		if (vu_accept(&b->vu))
			continue;
		ret = serve(b);
		if (ret)
			rc = 1;
		break;		/* one front end, like vfpga-model */
	}
	/* The guest's memory is gone: unmap it from the host model, then let the
	 * firmware finish (write-back) before the summary. */
	unmap_all(b);
	step(b, TAIL_NOHINT);
	fprintf(stderr, "vfpga-sim: %llu cycles simulated (%llu while serving, %llu of them idle and "
		"skipped), %llu notifies, %llu interrupts\n", (unsigned long long)rc_cycles(b->rc),
		(unsigned long long)b->busy_cycles, (unsigned long long)rc_skipped(b->rc),
		(unsigned long long)b->notifies, (unsigned long long)b->interrupts);
	report_host(b);
	{
		struct rc_dma_stats ds;

		rc_dma_stats(b->rc, &ds);
		if (ds.outside_reads || ds.outside_writes)
			fprintf(stderr, "vfpga-sim: the card's DMA outside guest memory: %llu reads refused (UR), "
				"%llu writes dropped\n", (unsigned long long)ds.outside_reads,
				(unsigned long long)ds.outside_writes);
	}
	if (o->stats) {
		struct rc_dma_stats ds;
		char extra[12288];
		size_t n;

		rc_dma_stats(b->rc, &ds);
		b->st.bytes_to_card = ds.rd_bytes;
		b->st.bytes_to_host = ds.wr_bytes;
		n = (size_t)snprintf(extra, sizeof(extra),
			 "  \"backend\": \"rtl\",\n  \"clock_mhz\": 250,\n  \"cycles\": %llu,\n"
			 "  \"cycles_serving\": %llu,\n  \"cycles_skipped\": %llu,\n"
			 "  \"wall_serving_s\": %.3f,\n"
			 "  \"notifies\": %llu,\n  \"interrupts\": %llu,\n",
			 (unsigned long long)rc_cycles(b->rc), (unsigned long long)b->busy_cycles,
			 (unsigned long long)rc_skipped(b->rc), (double)b->busy_ns / 1e9,
			 (unsigned long long)b->notifies, (unsigned long long)b->interrupts);
		if (n < sizeof(extra))
			n += host_json(b, extra + n, sizeof(extra) - n);
		if (n < sizeof(extra))
			n += fast_stats_json(rc_vtop(b->rc), b->st.op[FUSE_READ].count, extra + n, sizeof(extra) - n);
		if (n < sizeof(extra))
			phases_json(&b->ph, extra + n, sizeof(extra) - n);
		if (devstats_write_json(&b->st, o->stats, extra))
			fprintf(stderr, "vfpga-sim: cannot write %s\n", o->stats);
	}
	if (b->prof && profile_close(b->prof))
		rc = 1;
	vu_close(&b->vu, o->socket);
	if (b->ssd)
		nvme_dev_detach(b->ssd);	/* the image is written back */
	b->t->ops->close(b->t);
	if (console && console != stderr)
		fclose(console);
	return rc;
}

static void bridge_usage(FILE *f)
{
	fprintf(f,
		"usage: vfpga-sim --socket PATH [--firmware ELF] [--image IMG] [--console FILE|-] [--stats FILE]\n"
		"                 [--profile FILE] [--host-turnaround NS] [--verbose]\n"
		"  --socket PATH     serve vhost-user-fs on PATH; the simulated card answers every request\n"
		"  --firmware ELF    card firmware (default %s)\n"
		"  --image IMG       the SSD's image (ext4, mke2fs -t ext4): an NVMe SSD model behind the\n"
		"                    card's root port; without it the card has no storage\n"
		"  --console FILE    the card's UART output (- = stderr)\n"
		"  --stats FILE      device-side figures as JSON at exit (requests by opcode, cycles per\n"
		"                    request from notify to used-ring write, per-phase cycles from the\n"
		"                    firmware's phase marks, DMA bytes, queue occupancy)\n"
		"  --profile FILE    a PC-sampling profile of the firmware at exit: one flat profile per\n"
		"                    FUSE opcode over the ELF's functions\n"
		"  --no-time         never write the host's time into the card's clock (by default it\n"
		"                    follows the host's within 10 ms while the card runs)\n"
		"  --host-turnaround NS\n"
		"                    what the guest publishes reaches the card no sooner than NS ns of\n"
		"                    simulated time after the last completion it had seen, as a real\n"
		"                    host needs that long to answer one (default %u; 0: at once, as\n"
		"                    QEMU's real time makes it; at most 1000000000)\n"
		"%s",
		VHOST_BRIDGE_DEFAULT_FIRMWARE, VHOST_BRIDGE_DEFAULT_TURNAROUND_NS, nvme_dev_usage());
}

/* A number of nanoseconds, 0 to TURNAROUND_MAX_NS, the whole word. */
static int parse_ns(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > TURNAROUND_MAX_NS)
		return -1;
	*out = v;
	return 0;
}

int vhost_bridge_cli(int argc, char **argv)
{
	struct vhost_bridge_opts o = {
		.firmware = VHOST_BRIDGE_DEFAULT_FIRMWARE,
		.turnaround_ns = VHOST_BRIDGE_DEFAULT_TURNAROUND_NS,
	};

	nvme_dev_opts_init(&o.nvme);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int r = nvme_dev_parse_opt(&o.nvme, argc, argv, &i);

		if (r < 0)
			return 2;
		if (r > 0)
			continue;

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			bridge_usage(stdout);
			return 0;
		} else if (!strcmp(a, "--verbose")) {
			o.verbose = 1;
		} else if (!strcmp(a, "--no-time")) {
			o.no_time = 1;
		} else if (i + 1 < argc && !strcmp(a, "--socket")) {
			o.socket = argv[++i];
		} else if (i + 1 < argc && !strcmp(a, "--firmware")) {
			o.firmware = argv[++i];
		} else if (i + 1 < argc && !strcmp(a, "--stats")) {
			o.stats = argv[++i];
		} else if (i + 1 < argc && !strcmp(a, "--profile")) {
			o.profile = argv[++i];
		} else if (i + 1 < argc && !strcmp(a, "--console")) {
			o.console = argv[++i];
		} else if (i + 1 < argc && !strcmp(a, "--host-turnaround")) {
			if (parse_ns(argv[++i], &o.turnaround_ns)) {
				fprintf(stderr, "vfpga-sim: --host-turnaround: '%s' is not a number of "
					"nanoseconds from 0 to %llu\n", argv[i], TURNAROUND_MAX_NS);
				return 2;
			}
		} else {
			fprintf(stderr, "vfpga-sim: unknown or incomplete argument '%s'\n", a);
			bridge_usage(stderr);
			return 2;
		}
	}
	if (!o.socket) {
		bridge_usage(stderr);
		return 2;
	}
	return vhost_bridge_main(&o);
}
