/*
 * `vfpga-sim --cosim SOCK`: the simulated card behind QEMU's vfpga-pci device.
 *
 * QEMU forwards every configuration and BAR access of the guest to us; we
 * play them into the RTL through the root-complex model (rc_cfg_* and
 * rc_mem_* at the bus addresses the guest assigned: this side never
 * enumerates, the guest's own BAR writes reach the card's config space). The
 * guest's RAM arrives as file descriptors (a shared memfd) with a table of
 * guest-physical ranges, and is mapped into the model with rc_host_map, so the
 * card's DMA reads and writes guest memory directly. The card's MSI-X writes
 * (it builds them from its own MSI-X table) go back to QEMU as (address,
 * data), INTx level changes too.
 *
 * Time: the model runs while an access is in flight and for `tail` cycles
 * after the last sign of work (a write from the host, a TLP from the card,
 * the SSD model moving, the soft core storing to more than one address: see
 * after_run); otherwise we block on the socket, so an idle guest costs
 * nothing. With --image an NVMe SSD model sits behind the card's root port.
 *
 * Host turnaround (--host-turnaround NS, as with --socket): QEMU runs in
 * real time and the card well under a million cycles a second, so without it
 * a guest's next request would reach the card a few simulated cycles after
 * the completion it answers. The guest's writes to the common configuration
 * (queue_select, the ring addresses, queue_enable; device_status 0 resets)
 * tell us where each ring lives; the card reads each ring's avail index from
 * a shadow mapped over the guest's, which shows what the guest published no
 * sooner than NS of simulated time after the last completion the guest could
 * have seen (a used entry, an MSI, INTx raised), and the guest's notify
 * write and every access after it (PCIe keeps them in order) wait for that
 * too, while the model keeps running. Shared with the bridge: ../guestq.h.
 *
 * Figures: the firmware's phase marks give each request's cycles from the
 * guest's notify write to its push (phases.h; a summary line per FUSE opcode,
 * --stats FILE as JSON); the rings, once the guest enabled them, give every
 * request's cycles from its notify to its used entry by FUSE opcode, READs
 * split into the fast path's hits and the firmware's (guestq.h); and
 * --profile FILE samples the core's PC per opcode at every step of the model
 * while it serves (profile.h), as with --socket.
 *
 * Protocol: cosim_proto.h and docs/cosim-protocol.md.
 */
#define _GNU_SOURCE
#include "cosim.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <linux/fuse.h>

#include "cosim_proto.h"
#include "devstats.h"
#include "fast_stats.h"
#include "guestq.h"
#include "nvme_dev.h"
#include "phases.h"
#include "profile.h"
#include "rc.h"
#include "vtop.h"

#define BOOT_MAX	500000000ull	/* ... or after this many cycles */
#define STEP_CYCLES	64u	/* cycles between looks at the socket while busy (a poll costs ~1 us) */
#define SKIP_MAX	4096u	/* the most idle cycles skipped between two looks */
#define TIME_SYNC_MS	10	/* the card's clock follows the host's this closely */
#define RX_BUF		(64u * 1024)
/* The queue notify registers in BAR0 (docs/pcie-function.md); BAR0 is
 * RC_BAR0_SIZE bytes, so its base is aligned to that. */
#define NOTIFY_OFF	0x1000u
#define NOTIFY_LEN	0x1000u
#define NOTIFY_MULT	4u	/* notify_off_multiplier: queue q at NOTIFY_OFF + 4q */
/* struct virtio_pci_common_cfg at BAR0 0: the bytes below QUEUE_REGS are
 * global, the rest belong to the queue queue_select names. */
#define COMMON_LEN	0x38u
#define QUEUE_REGS	0x18u
#define CC_GFSEL	0x08u	/* guest_feature_select */
#define CC_GF		0x0cu	/* guest_feature */
#define CC_STATUS	0x14u	/* device_status */
#define CC_QSEL		0x16u	/* queue_select */
#define CC_QSIZE	0x18u
#define CC_QENABLE	0x1cu
#define CC_QDESC	0x20u
#define CC_QDRIVER	0x28u
#define CC_QDEVICE	0x30u

enum { ST_CFG_RD, ST_CFG_WR, ST_MEM_RD, ST_MEM_WR, ST_KINDS };
static const char *const st_name[ST_KINDS] = { "config reads", "config writes", "BAR reads", "BAR writes" };

struct cosim_map {
	uint8_t *base;
	size_t len;
};

struct cosim {
	const struct cosim_opts *o;
	struct rc *rc;
	struct nvme_dev *ssd;
	int lfd, fd;
	int dead;			/* the connection is unusable */
	int fatal;			/* we closed it over a protocol error */
	uint8_t rx[RX_BUF];
	size_t rxlen;
	int fds[VFC_MAX_FDS];		/* descriptors received, not yet claimed */
	unsigned nfds;
	struct cosim_map maps[VFC_MAX_FDS];
	unsigned nmaps;
	struct vfc_region regions[VFC_MAX_REGIONS];	/* guest RAM, in maps[] */
	unsigned nregions;
	/* the common configuration as the guest wrote it */
	uint8_t common[QUEUE_REGS];
	uint8_t qregs[GQ_MAX_QUEUES][COMMON_LEN - QUEUE_REGS];
	uint64_t guest_features;
	int kicked[GQ_MAX_QUEUES];	/* a notify write waits for the turnaround */
	uint64_t bar0;			/* BAR0's bus address, once the guest wrote its common config */
	struct guestq gq;		/* the rings: host turnaround, request timing */
	struct devstats st;
	uint64_t attaches;
	uint64_t last_activity, tlps_seen, moves_seen, ssd_seen, busy_cycles;
	int intx;
	uint64_t msis, intx_changes, refused;
	uint64_t n[ST_KINDS], cycles[ST_KINDS], ns[ST_KINDS];
	struct phases ph;		/* requests, from the firmware's marks */
	struct profile *prof;		/* --profile */
	uint64_t notifies, busy_ns;
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static int send_all(struct cosim *c, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len && !c->dead) {
		ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "vfpga-sim: cosim: send to QEMU failed: %s\n",
				n < 0 ? strerror(errno) : "closed");
			c->dead = 1;
			return -EPIPE;
		}
		p += n;
		len -= (size_t)n;
	}
	return c->dead ? -EPIPE : 0;
}

static int send_msg(struct cosim *c, uint16_t type, uint32_t seq, const void *payload, uint32_t len)
{
	struct { struct vfc_hdr h; uint8_t p[VFC_MAX_PAYLOAD]; } m;

	memset(&m.h, 0, sizeof(m.h));
	m.h.type = type;
	m.h.len = len;
	m.h.seq = seq;
	memcpy(m.p, payload, len);
	return send_all(c, &m, sizeof(m.h) + len);
}

/* Refuses a message: an ERROR carrying its seq and type, and a log line. */
static void refuse(struct cosim *c, const struct vfc_hdr *h, int status, const char *fmt, ...)
{
	struct vfc_error e;
	va_list ap;

	memset(&e, 0, sizeof(e));
	e.status = status;
	e.type = h->type;
	va_start(ap, fmt);
	vsnprintf(e.text, sizeof(e.text), fmt, ap);
	va_end(ap);
	fprintf(stderr, "vfpga-sim: cosim: refused a message (type 0x%04x, len %u, seq %u): %s\n",
		h->type, h->len, h->seq, e.text);
	c->refused++;
	send_msg(c, VFC_ERROR, h->seq, &e, sizeof(e));
}

/* The card wrote an MSI (from its own MSI-X table): straight to QEMU. */
static void on_msi(void *ctx, uint64_t addr, uint32_t data)
{
	struct cosim *c = ctx;
	struct vfc_msi m = { .addr = addr, .data = data };

	c->msis++;
	c->last_activity = rc_cycles(c->rc);
	gq_interrupt(&c->gq);
	if (c->o->verbose)
		fprintf(stderr, "vfpga-sim: cosim: MSI 0x%llx <- 0x%08x at cycle %llu\n",
			(unsigned long long)addr, data, (unsigned long long)rc_cycles(c->rc));
	send_msg(c, VFC_MSI, 0, &m, sizeof(m));
}

static void on_mark(void *ctx, uint64_t cycle, uint32_t word)
{
	struct cosim *c = ctx;

	phases_mark(&c->ph, cycle, word);
}

/* What the turnaround lets the card see (gq_pace). Entries shown without
 * the guest's kick (none owed, or none came within GQ_KICK_WAIT_NS of wall
 * clock) get a notify write of ours, as a device finds them on its own look
 * at the ring: a card asleep (its fast path armed) would otherwise never see
 * them, and the guest, waiting for their completions, would send nothing
 * more. */
static void pace(struct cosim *c)
{
	uint32_t unkicked = gq_pace(&c->gq, c->kicked);

	for (unsigned q = 0; q < GQ_MAX_QUEUES && c->bar0; q++)
		if ((unkicked & (1u << q)) &&
		    !rc_mem_write(c->rc, c->bar0 + NOTIFY_OFF + NOTIFY_MULT * q, 2, q)) {
			gq_notified(&c->gq, q);
			phases_notify(&c->ph, rc_cycles(c->rc));
		}
}

/* Runs the model while it is busy: up to max_skip cycles, idle ones skipped;
 * the profile gets the core's PC for the request being served. Before, the
 * card is shown what the guest published once the host turnaround allows;
 * after, the requests it completed are timed. */
static void run_busy(struct cosim *c, uint64_t max_skip)
{
	unsigned bucket;
	uint64_t t0 = gq_wall_ns(), n;

	pace(c);
	for (unsigned q = 0; q < GQ_MAX_QUEUES; q++)
		gq_note_avail(&c->gq, q);
	bucket = phases_opcode(&c->ph);
	n = rc_advance(c->rc, STEP_CYCLES, max_skip);
	if (c->prof)
		profile_sample(c->prof, bucket < PROFILE_BETWEEN ? bucket : PROFILE_BETWEEN,
			       vtop_debug_pc(rc_vtop(c->rc)), n);
	gq_note_used(&c->gq);
	gq_note_settled(&c->gq);
	gq_occupancy(&c->gq);
	c->busy_cycles += n;
	c->busy_ns += gq_wall_ns() - t0;
}

/* Published entries the card is not shown yet (the turnaround, or their
 * kick, is still to come): the model runs on meanwhile. */
static int any_held(const struct cosim *c)
{
	for (unsigned q = 0; q < GQ_MAX_QUEUES; q++)
		if (gq_held(&c->gq, q))
			return 1;
	return 0;
}

/* Everything the SSD model has done, as one number that grows. */
static uint64_t ssd_work(struct cosim *c)
{
	struct nvme_dev_stats st;

	if (!c->ssd)
		return 0;
	nvme_dev_get_stats(c->ssd, &st);
	return st.admin_cmds + st.io_cmds + st.bytes_read + st.bytes_written + st.msis + st.resets;
}

/*
 * After the model ran: INTx changes go out, and whether the card is busy is
 * decided. Busy means, since the last look: a TLP from the card beyond `own`
 * (completions of our own requests), i.e. DMA or MSI-X; work by the SSD; or
 * the soft core storing to more than one address (its idle loop polls the
 * function's registers and stores, if at all, to one variable; handling a
 * request stores all over its stack and buffers). Busy keeps the model
 * running for `tail` more cycles. The tail must cover the longest stretch a
 * request spends without any of these: the firmware's checksum and search
 * loops only load (83 000 cycles measured between a notify and the first
 * store of a request on the file server); the default is 1 000 000, for a
 * firmware without the SIMCTRL.BUSY hint. Once the firmware has given the
 * hint, it covers every request and the tail only has to cover the moments
 * around accesses (COSIM_HINT_TAIL), unless --tail says otherwise.
 */
static uint64_t tail(const struct cosim *c)
{
	if (c->o->tail)
		return c->o->tail;
	return rc_fw_busy(c->rc) >= 0 ? COSIM_HINT_TAIL : COSIM_DEFAULT_TAIL;
}

static void after_run(struct cosim *c, unsigned own)
{
	uint64_t tlps = rc_tlps_from_card(c->rc), moves = rc_core_store_moves(c->rc), ssd = ssd_work(c);
	int l = rc_intx(c->rc) ? 1 : 0;

	if (tlps - c->tlps_seen > own || moves - c->moves_seen > 1 || ssd != c->ssd_seen)
		c->last_activity = rc_cycles(c->rc);
	c->tlps_seen = tlps;
	c->moves_seen = moves;
	c->ssd_seen = ssd;
	if (l != c->intx) {
		struct vfc_intx m = { .level = (uint32_t)l };

		c->intx = l;
		c->intx_changes++;
		if (l)
			gq_interrupt(&c->gq);
		send_msg(c, VFC_INTX, 0, &m, sizeof(m));
	}
}

static void unmap_all(struct cosim *c)
{
	gq_detach_all(&c->gq);
	gq_unmap(&c->gq);
	c->nregions = 0;
	for (unsigned i = 0; i < c->nmaps; i++)
		munmap(c->maps[i].base, c->maps[i].len);
	c->nmaps = 0;
}

static void close_fds(struct cosim *c)
{
	for (unsigned i = 0; i < c->nfds; i++)
		close(c->fds[i]);
	c->nfds = 0;
}

/* Guest-physical to our mapping of guest RAM (len bytes in one range). */
static void *gpa_to_host(void *ctx, uint64_t gpa, uint64_t len)
{
	struct cosim *c = ctx;

	for (unsigned i = 0; i < c->nregions; i++) {
		const struct vfc_region *r = &c->regions[i];

		if (gpa >= r->gpa && len <= r->size && gpa - r->gpa <= r->size - len)
			return c->maps[r->fd].base + r->offset + (gpa - r->gpa);
	}
	return NULL;
}

/* Guest RAM into the host model (rc_host_map), the shadow avail indexes of
 * the rings the card reads over the guest's. 0 or -1 (too many ranges). */
static int map_guest(struct cosim *c)
{
	gq_unmap(&c->gq);
	for (unsigned i = 0; i < c->nregions; i++) {
		const struct vfc_region *r = &c->regions[i];

		if (gq_map(&c->gq, r->gpa, c->maps[r->fd].base + r->offset, r->size)) {
			fprintf(stderr, "vfpga-sim: cosim: too many host ranges\n");
			return -1;
		}
	}
	return 0;
}

/* MEM_TABLE: maps each descriptor whole, checks every range against its
 * file, and only then replaces the old table (a refused table leaves the old
 * one in place). Returns 0 or -EINVAL (the reason is logged). */
static int mem_table(struct cosim *c, const struct vfc_mem_table *t)
{
	struct cosim_map nm[VFC_MAX_FDS];
	unsigned n = 0;
	int ret = -EINVAL;

	if (t->nfds != c->nfds) {
		fprintf(stderr, "vfpga-sim: cosim: MEM_TABLE names %u descriptors, %u arrived with it\n",
			t->nfds, c->nfds);
		goto out;
	}
	for (; n < c->nfds; n++) {
		struct stat st;

		if (fstat(c->fds[n], &st) || st.st_size <= 0) {
			fprintf(stderr, "vfpga-sim: cosim: MEM_TABLE descriptor %u: not a file with a size\n", n);
			goto out_unmap;
		}
		nm[n].len = (size_t)st.st_size;
		nm[n].base = mmap(NULL, nm[n].len, PROT_READ | PROT_WRITE, MAP_SHARED, c->fds[n], 0);
		if (nm[n].base == MAP_FAILED) {
			fprintf(stderr, "vfpga-sim: cosim: cannot map guest RAM (descriptor %u): %s\n",
				n, strerror(errno));
			goto out_unmap;
		}
	}
	for (unsigned i = 0; i < t->nregions; i++) {
		const struct vfc_region *r = &t->r[i];

		if (r->fd >= t->nfds || !r->size || r->gpa + r->size < r->gpa ||
		    r->offset > nm[r->fd].len || r->size > nm[r->fd].len - r->offset) {
			fprintf(stderr, "vfpga-sim: cosim: MEM_TABLE region %u is invalid (descriptor %u, gpa 0x%llx, "
				"size 0x%llx, offset 0x%llx)\n", i, r->fd, (unsigned long long)r->gpa,
				(unsigned long long)r->size, (unsigned long long)r->offset);
			goto out_unmap;
		}
	}
	/* the rings stay where the guest put them: only our pointers move */
	gq_unmap(&c->gq);
	for (unsigned i = 0; i < c->nmaps; i++)
		munmap(c->maps[i].base, c->maps[i].len);
	memcpy(c->maps, nm, n * sizeof(nm[0]));
	c->nmaps = n;
	n = 0;
	memcpy(c->regions, t->r, t->nregions * sizeof(t->r[0]));
	c->nregions = t->nregions;
	gq_resolve(&c->gq);
	if (map_guest(c)) {
		unmap_all(c);
		goto out;
	}
	for (unsigned i = 0; i < t->nregions; i++) {
		const struct vfc_region *r = &t->r[i];

		if (c->o->verbose)
			fprintf(stderr, "vfpga-sim: cosim: guest RAM 0x%llx..0x%llx (file %u offset 0x%llx)\n",
				(unsigned long long)r->gpa, (unsigned long long)(r->gpa + r->size - 1), r->fd,
				(unsigned long long)r->offset);
	}
	ret = 0;
out_unmap:
	while (n--)
		munmap(nm[n].base, nm[n].len);
out:
	close_fds(c);
	return ret;
}

static uint64_t le_bytes(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

/* queue_enable = 1 for queue q: the card reads its rings from now on, so
 * its avail index gets a shadow. A ring outside guest RAM (the card's DMA
 * is refused there anyway) is not followed. */
static void attach_queue(struct cosim *c, uint64_t bar0, unsigned q)
{
	const uint8_t *r = c->qregs[q];
	uint64_t num = le_bytes(r + CC_QSIZE - QUEUE_REGS, 2);
	uint64_t desc = le_bytes(r + CC_QDESC - QUEUE_REGS, 8), avail = le_bytes(r + CC_QDRIVER - QUEUE_REGS, 8),
		 used = le_bytes(r + CC_QDEVICE - QUEUE_REGS, 8);

	if (!num && rc_mem_read(c->rc, bar0 + CC_QSIZE, 2, &num))	/* the card's own size */
		num = 0;
	if (gq_attach(&c->gq, q, (unsigned)num, desc, avail, used)) {
		fprintf(stderr, "vfpga-sim: cosim: queue %u enabled with rings outside guest RAM (%llu entries, desc "
			"0x%llx, driver 0x%llx, device 0x%llx): not followed\n", q, (unsigned long long)num,
			(unsigned long long)desc, (unsigned long long)avail, (unsigned long long)used);
		return;
	}
	c->attaches++;
	c->kicked[q] = 0;
	if (c->o->verbose)
		fprintf(stderr, "vfpga-sim: cosim: queue %u (%llu entries) at desc 0x%llx driver 0x%llx device 0x%llx\n",
			q, (unsigned long long)num, (unsigned long long)desc, (unsigned long long)avail,
			(unsigned long long)used);
	if (map_guest(c))
		unmap_all(c);
}

/* A write the card took into its common configuration (BAR0 below
 * COMMON_LEN, bar0 its base): mirrored byte by byte, the queue registers
 * for the queue queue_select named; the negotiated features (EVENT_IDX
 * decides when the guest owes a kick); device_status 0 resets every queue;
 * queue_enable = 1 attaches one. */
static void common_write(struct cosim *c, uint64_t bar0, unsigned off, unsigned size, uint64_t v)
{
	unsigned sel = (unsigned)le_bytes(c->common + CC_QSEL, 2);
	int reset = 0, enable = 0;

	for (unsigned i = 0; i < size && off + i < COMMON_LEN; i++) {
		unsigned o = off + i;
		uint8_t byte = (uint8_t)(v >> 8 * i);

		if (o < QUEUE_REGS)
			c->common[o] = byte;
		else if (sel < GQ_MAX_QUEUES)
			c->qregs[sel][o - QUEUE_REGS] = byte;
		reset |= o == CC_STATUS && !byte;
		enable |= o == CC_QENABLE;
	}
	if (off < CC_GF + 4 && off + size > CC_GF) {
		uint64_t fsel = le_bytes(c->common + CC_GFSEL, 4), word = le_bytes(c->common + CC_GF, 4);

		if (fsel < 2)
			c->guest_features = (c->guest_features & ~(0xffffffffull << 32 * fsel)) | word << 32 * fsel;
		c->gq.event_idx = (int)(c->guest_features >> VIRTIO_RING_F_EVENT_IDX & 1);
	}
	if (reset) {
		gq_detach_all(&c->gq);
		memset(c->qregs, 0, sizeof(c->qregs));
		memset(c->kicked, 0, sizeof(c->kicked));
		if (map_guest(c))
			unmap_all(c);
	}
	if (enable && sel < GQ_MAX_QUEUES && le_bytes(c->qregs[sel] + CC_QENABLE - QUEUE_REGS, 2) == 1)
		attach_queue(c, bar0, sel);
}

/* Before a guest's access reaches the card: the host turnaround. What the
 * guest published waits until the turnaround after the last completion it
 * could have seen has passed, and so does the access (notify_q >= 0: it is
 * that queue's notify write, which shows the card its entries), as PCIe
 * keeps the guest's writes in order; the model runs meanwhile. */
static void host_gate(struct cosim *c, int notify_q)
{
	uint64_t left;

	if (notify_q >= 0)
		c->kicked[notify_q] = 1;
	pace(c);
	while ((left = gq_release_in(&c->gq)) && !c->dead) {
		/* idle cycles are skipped up to the release, not beyond */
		run_busy(c, left < SKIP_MAX ? left : SKIP_MAX);
		after_run(c, 0);
		pace(c);
	}
	if (notify_q >= 0 && !gq_held(&c->gq, (unsigned)notify_q)) {
		c->kicked[notify_q] = 0;
		gq_notified(&c->gq, (unsigned)notify_q);
	}
}

/* A BAR0 notify write: its queue, or -1. */
static int notify_queue(const struct vfc_mem *m)
{
	uint64_t off = (m->addr & (RC_BAR0_SIZE - 1)) - NOTIFY_OFF;

	if (m->bar != 0 || off >= NOTIFY_LEN || off / NOTIFY_MULT >= GQ_MAX_QUEUES)
		return -1;
	return (int)(off / NOTIFY_MULT);
}

static void account(struct cosim *c, int kind, uint64_t c0, uint64_t t0)
{
	c->n[kind]++;
	c->cycles[kind] += rc_cycles(c->rc) - c0;
	c->ns[kind] += gq_wall_ns() - t0;
}

/* One complete, well-framed message. */
static void handle(struct cosim *c, const struct vfc_hdr *h, const uint8_t *p)
{
	uint16_t type = h->type;
	uint64_t c0, t0;
	uint32_t want;

	if (h->flags || h->reserved) {
		refuse(c, h, -EPROTO, "flags/reserved header fields must be 0");
		return;
	}
	if (type < VFC_HELLO || type > VFC_MEM_TABLE) {
		refuse(c, h, -EPROTO, "unknown message type 0x%04x", type);
		return;
	}
	if (type == VFC_MEM_TABLE) {
		uint32_t nr = 0;

		if (h->len >= 4)
			memcpy(&nr, p, 4);
		if (h->len < vfc_table_len(0) || nr > VFC_MAX_REGIONS || h->len != vfc_table_len(nr)) {
			refuse(c, h, -EMSGSIZE, "MEM_TABLE payload is %u bytes, expected %u (%u regions, at most %u)",
			       h->len, nr <= VFC_MAX_REGIONS ? vfc_table_len(nr) : vfc_table_len(VFC_MAX_REGIONS),
			       nr, VFC_MAX_REGIONS);
			close_fds(c);
			return;
		}
	} else if (h->len != (want = vfc_payload_len(type))) {
		refuse(c, h, -EMSGSIZE, "payload of type 0x%04x is %u bytes, expected %u", type, h->len, want);
		return;
	}
	if (type >= VFC_CFG_READ && type <= VFC_MEM_WRITE) {
		int nq = -1;

		if (type == VFC_MEM_WRITE) {
			struct vfc_mem m;

			memcpy(&m, p, sizeof(m));
			nq = notify_queue(&m);
		}
		host_gate(c, nq);
	}
	c0 = rc_cycles(c->rc);
	t0 = gq_wall_ns();

	switch (type) {
	case VFC_HELLO: {
		struct vfc_hello in, out = { .version = VFC_VERSION };

		memcpy(&in, p, sizeof(in));
		out.cycles = rc_cycles(c->rc);
		if (in.version != VFC_VERSION)
			fprintf(stderr, "vfpga-sim: cosim: QEMU speaks protocol version %u, we speak %u\n",
				in.version, VFC_VERSION);
		send_msg(c, VFC_HELLO | VFC_REPLY, h->seq, &out, sizeof(out));
		break;
	}
	case VFC_CFG_READ: {
		struct vfc_cfg in;
		struct vfc_value out = { 0 };
		uint32_t v = ~0u;

		memcpy(&in, p, sizeof(in));
		out.status = rc_cfg_read(c->rc, in.off, in.size, &v);
		out.value = out.status ? ~0ull : v;
		after_run(c, 1);
		account(c, ST_CFG_RD, c0, t0);
		if (c->o->verbose)
			fprintf(stderr, "vfpga-sim: cosim: cfg read  0x%03x/%u -> 0x%llx (%d)\n", in.off, in.size,
				(unsigned long long)out.value, out.status);
		send_msg(c, type | VFC_REPLY, h->seq, &out, sizeof(out));
		break;
	}
	case VFC_CFG_WRITE: {
		struct vfc_cfg in;
		struct vfc_status out = { 0 };

		memcpy(&in, p, sizeof(in));
		out.status = rc_cfg_write(c->rc, in.off, in.size, in.value);
		after_run(c, 1);
		c->last_activity = rc_cycles(c->rc);
		account(c, ST_CFG_WR, c0, t0);
		if (c->o->verbose)
			fprintf(stderr, "vfpga-sim: cosim: cfg write 0x%03x/%u <- 0x%x (%d)\n", in.off, in.size,
				in.value, out.status);
		send_msg(c, type | VFC_REPLY, h->seq, &out, sizeof(out));
		break;
	}
	case VFC_MEM_READ: {
		struct vfc_mem in;
		struct vfc_value out = { 0 };
		uint64_t v = ~0ull;

		memcpy(&in, p, sizeof(in));
		out.status = rc_mem_read(c->rc, in.addr, in.size, &v);
		out.value = out.status ? ~0ull : v;
		after_run(c, 1);
		account(c, ST_MEM_RD, c0, t0);
		if (c->o->verbose)
			fprintf(stderr, "vfpga-sim: cosim: BAR%u read  0x%llx/%u -> 0x%llx (%d)\n", in.bar,
				(unsigned long long)in.addr, in.size, (unsigned long long)out.value, out.status);
		send_msg(c, type | VFC_REPLY, h->seq, &out, sizeof(out));
		break;
	}
	case VFC_MEM_WRITE: {
		struct vfc_mem in;
		struct vfc_status out = { 0 };

		memcpy(&in, p, sizeof(in));
		/* before a guest's write (a notify among them) the card's clock is
		 * the host's, however long the model sat idle */
		rc_time_sync(c->rc, TIME_SYNC_MS);
		if (in.bar == 0 && (in.addr & (RC_BAR0_SIZE - 1)) - NOTIFY_OFF < NOTIFY_LEN) {
			/* a queue notify: a request's time starts here */
			phases_arrival(&c->ph, rc_cycles(c->rc));
			phases_notify(&c->ph, rc_cycles(c->rc));
			c->notifies++;
		}
		out.status = rc_mem_write(c->rc, in.addr, in.size, in.value);
		if (!out.status && in.bar == 0 && (in.addr & (RC_BAR0_SIZE - 1)) < COMMON_LEN) {
			c->bar0 = in.addr & ~(uint64_t)(RC_BAR0_SIZE - 1);
			common_write(c, c->bar0, (unsigned)(in.addr & (RC_BAR0_SIZE - 1)), in.size, in.value);
		}
		after_run(c, 0);
		c->last_activity = rc_cycles(c->rc);
		account(c, ST_MEM_WR, c0, t0);
		if (c->o->verbose)
			fprintf(stderr, "vfpga-sim: cosim: BAR%u write 0x%llx/%u <- 0x%llx (%d)\n", in.bar,
				(unsigned long long)in.addr, in.size, (unsigned long long)in.value, out.status);
		send_msg(c, type | VFC_REPLY, h->seq, &out, sizeof(out));
		break;
	}
	case VFC_MEM_TABLE: {
		struct vfc_mem_table t;
		struct vfc_status out = { 0 };

		memset(&t, 0, sizeof(t));
		memcpy(&t, p, h->len);
		out.status = mem_table(c, &t);
		send_msg(c, type | VFC_REPLY, h->seq, &out, sizeof(out));
		break;
	}
	}
}

/* Reads what the socket has (and any descriptors with it); 0 on EOF. */
static ssize_t receive(struct cosim *c)
{
	union { char buf[CMSG_SPACE(sizeof(int) * VFC_MAX_FDS)]; struct cmsghdr align; } ctl;
	struct iovec iov = { .iov_base = c->rx + c->rxlen, .iov_len = sizeof(c->rx) - c->rxlen };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
			      .msg_controllen = sizeof(ctl.buf) };
	ssize_t n;

	do
		n = recvmsg(c->fd, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		for (size_t i = 0; i < (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
			if (c->nfds < VFC_MAX_FDS) {
				c->fds[c->nfds++] = fd;
			} else {
				fprintf(stderr, "vfpga-sim: cosim: more than %u descriptors, closed\n", VFC_MAX_FDS);
				close(fd);
			}
		}
	}
	if (msg.msg_flags & MSG_CTRUNC)
		fprintf(stderr, "vfpga-sim: cosim: descriptors were dropped (too many in one message)\n");
	c->rxlen += (size_t)n;
	return n;
}

/* Handles every complete message in the buffer. A length over the limit
 * loses the framing: refused, and the connection is closed. */
static void process(struct cosim *c)
{
	size_t at = 0;

	while (!c->dead && c->rxlen - at >= sizeof(struct vfc_hdr)) {
		struct vfc_hdr h;

		memcpy(&h, c->rx + at, sizeof(h));
		if (h.len > VFC_MAX_PAYLOAD) {
			refuse(c, &h, -EMSGSIZE, "payload length %u is over the limit of %u: closing", h.len,
			       VFC_MAX_PAYLOAD);
			c->fatal = 1;
			c->dead = 1;
			break;
		}
		if (c->rxlen - at < sizeof(h) + h.len)
			break;
		handle(c, &h, c->rx + at + sizeof(h));
		at += sizeof(h) + h.len;
	}
	memmove(c->rx, c->rx + at, c->rxlen - at);
	c->rxlen -= at;
}

static int serve(struct cosim *c)
{
	while (!stop_requested && !c->dead) {
		/* The firmware's own word (SIMCTRL.BUSY) keeps the model running
		 * for as long as it serves a request; the tail rule covers
		 * firmware without it and the moments around accesses. */
		int busy = rc_cycles(c->rc) - c->last_activity < tail(c) || rc_fw_busy(c->rc) == 1 || any_held(c);
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		int r = poll(&p, 1, busy ? 0 : -1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r > 0) {
			ssize_t n = receive(c);

			if (n <= 0) {
				if (n < 0)
					fprintf(stderr, "vfpga-sim: cosim: receive: %s\n", strerror((int)-n));
				break;	/* QEMU went away */
			}
			process(c);
			continue;
		}
		rc_time_sync(c->rc, TIME_SYNC_MS);
		run_busy(c, SKIP_MAX);
		after_run(c, 0);
	}
	return 0;
}

static int listen_on(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct stat st;
	int fd;

	if (strlen(path) >= sizeof(a.sun_path)) {
		fprintf(stderr, "vfpga-sim: socket path too long: %s\n", path);
		return -1;
	}
	strcpy(a.sun_path, path);
	if (!stat(path, &st) && S_ISSOCK(st.st_mode))
		unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 1)) {
		fprintf(stderr, "vfpga-sim: cannot listen on %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static void summary(struct cosim *c)
{
	fprintf(stderr, "vfpga-sim: cosim: %llu cycles simulated (%llu stepped while busy), %llu MSI, "
		"%llu INTx changes, %llu messages refused\n", (unsigned long long)rc_cycles(c->rc),
		(unsigned long long)c->busy_cycles, (unsigned long long)c->msis,
		(unsigned long long)c->intx_changes, (unsigned long long)c->refused);
	for (int k = 0; k < ST_KINDS; k++)
		if (c->n[k])
			fprintf(stderr, "vfpga-sim: cosim: %-13s %8llu, %6.1f cycles and %6.1f us each in the model\n",
				st_name[k], (unsigned long long)c->n[k], (double)c->cycles[k] / (double)c->n[k],
				(double)c->ns[k] / 1000.0 / (double)c->n[k]);
	for (unsigned op = 0; op < PHASES_OPCODES; op++) {
		const struct phases_op *p = &c->ph.op[op];
		uint64_t sum = 0;

		if (!p->count)
			continue;
		for (unsigned i = 0; i < PH_COUNT; i++)
			sum += p->sum[i];
		fprintf(stderr, "vfpga-sim: cosim: %-13s %8llu requests, %llu cycles each from the notify to the push "
			"(server %llu, ssd %llu)\n", fuse_opcode_name(op), (unsigned long long)p->count,
			(unsigned long long)(sum / p->count), (unsigned long long)(p->sum[PH_SERVER] / p->count),
			(unsigned long long)(p->sum[PH_SSD] / p->count));
	}
	{
		struct rc_dma_stats ds;

		rc_dma_stats(c->rc, &ds);
		if (ds.outside_reads || ds.outside_writes)
			fprintf(stderr, "vfpga-sim: cosim: the card's DMA outside guest memory: %llu reads refused (UR), "
				"%llu writes dropped\n", (unsigned long long)ds.outside_reads,
				(unsigned long long)ds.outside_writes);
	}
}

/* --stats FILE: the run's figures as JSON (the members the --socket front
 * end writes: cycles, requests by opcode timed from the rings, the host
 * turnaround, READs split by the fast path's hits, phases per FUSE opcode).
 * 0 or -1. */
static int write_stats(struct cosim *c, const char *path)
{
	static char buf[16384];
	struct rc_dma_stats ds;
	/* the READs the rings showed, hits included; without rings (a front
	 * end that never enabled a queue) those the firmware served */
	uint64_t reads = c->attaches ? c->st.op[FUSE_READ].count : FAST_STATS_FW_READS(c->ph.op[FUSE_READ].count);
	size_t n = (size_t)snprintf(buf, sizeof(buf),
		"  \"backend\": \"rtl-cosim\",\n  \"clock_mhz\": 250,\n  \"cycles\": %llu,\n"
		"  \"cycles_serving\": %llu,\n  \"cycles_skipped\": %llu,\n  \"wall_serving_s\": %.3f,\n"
		"  \"notifies\": %llu,\n  \"interrupts\": %llu,\n  \"messages_refused\": %llu,\n",
		(unsigned long long)rc_cycles(c->rc), (unsigned long long)c->busy_cycles,
		(unsigned long long)rc_skipped(c->rc), (double)c->busy_ns / 1e9, (unsigned long long)c->notifies,
		(unsigned long long)c->msis, (unsigned long long)c->refused);

	rc_dma_stats(c->rc, &ds);
	c->st.bytes_to_card = ds.rd_bytes;
	c->st.bytes_to_host = ds.wr_bytes;
	if (n < sizeof(buf))
		n += gq_json(&c->gq, buf + n, sizeof(buf) - n);
	if (n < sizeof(buf))
		n += fast_stats_json(rc_vtop(c->rc), reads, buf + n, sizeof(buf) - n);
	if (n < sizeof(buf))
		phases_json(&c->ph, buf + n, sizeof(buf) - n);
	return devstats_write_json(&c->st, path, buf) ? -1 : 0;
}

int cosim_main(const struct cosim_opts *o)
{
	static struct cosim cs;
	struct cosim *c = &cs;
	struct rc_opts ro = { 0 };
	struct sigaction sa;
	FILE *console = NULL;
	char err[256];
	int ret = 0;

	c->o = o;
	c->fd = -1;
	phases_init(&c->ph);
	if (o->stats) {
		/* a path that cannot be written is an error now, not after the run */
		FILE *f = fopen(o->stats, "w");

		if (!f) {
			fprintf(stderr, "vfpga-sim: cannot write --stats %s: %s\n", o->stats, strerror(errno));
			return 2;
		}
		fclose(f);
	}
	if (o->profile) {
		c->prof = profile_open(o->firmware, o->profile, err, sizeof(err));
		if (!c->prof) {
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
	ro.firmware = o->firmware;
	ro.console = console;
	c->rc = rc_open(&ro, err, sizeof(err));
	if (!c->rc) {
		fprintf(stderr, "vfpga-sim: %s\n", err);
		return 2;
	}
	rc_set_msi_handler(c->rc, on_msi, c);
	rc_set_mark_handler(c->rc, on_mark, c);
	c->st.timed = 1;
	gq_init(&c->gq, c->rc, o->turnaround_ns, &c->st, &c->ph, gpa_to_host, c);
	rc_host_strict(c->rc, 1);	/* the card's DMA reaches the guest's RAM only */
	if (o->nvme.image) {
		c->ssd = nvme_dev_attach(rc_vtop(c->rc), &o->nvme, err, sizeof(err));
		if (!c->ssd) {
			fprintf(stderr, "vfpga-sim: --image: %s\n", err);
			rc_close(c->rc);
			return 2;
		}
	}
	/* The firmware boots (and mounts the SSD's file system) before the
	 * host looks: until it has been idle for `tail` cycles. */
	while (rc_cycles(c->rc) < BOOT_MAX &&
	       (rc_cycles(c->rc) - c->last_activity < tail(c) || rc_fw_busy(c->rc) == 1)) {
		rc_advance(c->rc, STEP_CYCLES, SKIP_MAX);
		after_run(c, 0);
	}
	fprintf(stderr, "vfpga-sim: the card booted in %llu cycles\n", (unsigned long long)rc_cycles(c->rc));
	c->busy_cycles = 0;
	c->busy_ns = 0;
	c->lfd = listen_on(o->socket);
	if (c->lfd < 0) {
		rc_close(c->rc);
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	fprintf(stderr, "vfpga-sim: the card waits for QEMU (-device vfpga-pci) on %s\n", o->socket);

	while (!stop_requested && c->fd < 0) {
		c->fd = accept4(c->lfd, NULL, NULL, SOCK_CLOEXEC);
		if (c->fd < 0 && errno != EINTR) {
			fprintf(stderr, "vfpga-sim: accept: %s\n", strerror(errno));
			ret = 1;
			break;
		}
	}
	if (c->fd >= 0) {
		if (serve(c))
			ret = 1;
		if (c->fatal)
			ret = 1;
		close(c->fd);
	}
	unmap_all(c);
	close_fds(c);
	close(c->lfd);
	unlink(o->socket);
	summary(c);
	gq_report(&c->gq, "vfpga-sim: cosim: ");
	if (o->stats && write_stats(c, o->stats)) {
		fprintf(stderr, "vfpga-sim: cannot write %s\n", o->stats);
		ret = 1;
	}
	if (c->prof && profile_close(c->prof))
		ret = 1;
	if (c->ssd)
		nvme_dev_detach(c->ssd);	/* the image is written back */
	rc_close(c->rc);
	if (console && console != stderr)
		fclose(console);
	return ret;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vfpga-sim --cosim PATH [--firmware ELF] [--image IMG] [--console FILE|-] [--tail N]\n"
		"                 [--stats FILE] [--profile FILE] [--host-turnaround NS] [--verbose]\n"
		"  --cosim PATH      serve QEMU's vfpga-pci device on PATH (-chardev socket,path=PATH)\n"
		"  --firmware ELF    card firmware (default %s)\n"
		"  --image IMG       the SSD's image (ext4): an NVMe SSD model behind the card's root port;\n"
		"                    without it the card has no storage\n"
		"  --console FILE    the card's UART output (- = stderr)\n"
		"  --tail N          cycles the model keeps running after the last activity (default: %llu\n"
		"                    once the firmware says when it is busy (SIMCTRL.BUSY), else %llu)\n"
		"  --stats FILE      the run's figures as JSON at the end: cycles; per FUSE opcode the\n"
		"                    requests, their cycles from the notify to the used entry and by\n"
		"                    phase from the notify to the push; the host turnaround; the READ\n"
		"                    fast path's hits and the READs' cycles, hits against the firmware's\n"
		"  --profile FILE    PC-sampling profile of the card firmware, one flat profile per FUSE\n"
		"                    opcode (the --firmware ELF's symbols)\n"
		"%s"
		"                    (the rings' places come from the guest's common configuration\n"
		"                    writes; the notify write and every access after it wait too)\n"
		"  --verbose         log every access, MSI, guest RAM range and ring\n"
		"%s",
		COSIM_DEFAULT_FIRMWARE, COSIM_HINT_TAIL, COSIM_DEFAULT_TAIL, gq_turnaround_usage(), nvme_dev_usage());
}

int cosim_cli(int argc, char **argv)
{
	struct cosim_opts o = { .firmware = COSIM_DEFAULT_FIRMWARE, .turnaround_ns = GQ_TURNAROUND_DEFAULT_NS };

	nvme_dev_opts_init(&o.nvme);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int r = nvme_dev_parse_opt(&o.nvme, argc, argv, &i);

		if (r < 0)
			return 2;
		if (r > 0)
			continue;

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--verbose")) {
			o.verbose = 1;
		} else if (i + 1 < argc && !strcmp(a, "--cosim")) {
			o.socket = argv[++i];
		} else if (i + 1 < argc && !strcmp(a, "--firmware")) {
			o.firmware = argv[++i];
		} else if (i + 1 < argc && !strcmp(a, "--console")) {
			o.console = argv[++i];
		} else if (i + 1 < argc && !strcmp(a, "--stats")) {
			o.stats = argv[++i];
		} else if (i + 1 < argc && !strcmp(a, "--profile")) {
			o.profile = argv[++i];
		} else if (i + 1 < argc && !strcmp(a, "--host-turnaround")) {
			if (gq_parse_turnaround(argv[++i], &o.turnaround_ns))
				return 2;
		} else if (i + 1 < argc && !strcmp(a, "--tail")) {
			char *end;

			errno = 0;
			o.tail = strtoull(argv[++i], &end, 0);
			if (errno || *end || o.tail == 0) {
				fprintf(stderr, "vfpga-sim: bad --tail value '%s'\n", argv[i]);
				return 2;
			}
		} else {
			fprintf(stderr, "vfpga-sim: unknown or incomplete argument '%s'\n", a);
			usage(stderr);
			return 2;
		}
	}
	if (!o.socket) {
		usage(stderr);
		return 2;
	}
	return cosim_main(&o);
}
