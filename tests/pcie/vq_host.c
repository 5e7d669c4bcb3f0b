/*
 * System test of the card's request path: a minimal virtio-pci driver in the
 * harness (enumeration, handshake, one split queue in host memory) sends
 * FUSE requests to the card; the card firmware (firmware/card) takes them
 * from the ring over DMA and answers. Checks FUSE_INIT negotiation, ENOSYS,
 * EINVAL for a bad header, direct and indirect chains, event-index and flag
 * interrupt suppression, a too-short reply buffer, and every malformed chain
 * (loop, out-of-range next, nested indirect, INDIRECT with NEXT, readable
 * after writable, bad indirect length) ending in DEVICE_NEEDS_RESET with a
 * configuration interrupt, then reset and recovery. Reports notify-to-
 * interrupt cycles.
 *
 * usage: vq_test CARD_FIRMWARE.elf [--bench FILE.md [--label TEXT]]
 *        vq_test OOO_FIRMWARE.elf --out-of-order
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/fuse.h>
#include <linux/virtio_config.h>
#include <linux/virtio_pci.h>
#include <linux/virtio_ring.h>

#include "chain_gen.h"
#include "check.h"
#include "figures.h"
#include "fuse_req.h"
#include "rc.h"

static int passed, failed;


#define COMMON(f) offsetof(struct virtio_pci_common_cfg, f)
#define QSIZE 16
#define QUEUE 1			/* first request queue */
#define VEC_CFG 0
#define VEC_Q 2
#define DESC_BASE 0x200000000ull	/* host memory of the ring, above 4 GiB */
#define AVAIL_BASE (DESC_BASE + 0x1000)
#define USED_BASE (DESC_BASE + 0x2000)
#define BUF_BASE (DESC_BASE + 0x10000)
#define IND_BASE (DESC_BASE + 0x8000)

static struct rc *rc;
static struct rc_bar bars[6];
static uint16_t avail_idx, used_seen;
static int event_idx;
static int no_indirect;		/* setup_device leaves VIRTIO_RING_F_INDIRECT_DESC out */

static uint64_t bar0_rd(uint32_t off, unsigned size)
{
	uint64_t v = 0;

	rc_mem_read(rc, bars[0].base + off, size, &v);
	return v;
}

static void bar0_wr(uint32_t off, unsigned size, uint64_t v)
{
	rc_mem_write(rc, bars[0].base + off, size, v);
}

static void put_desc(uint64_t table, unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
		     uint16_t next)
{
	struct vring_desc d = { .addr = addr, .len = len, .flags = flags, .next = next };

	rc_host_write(rc, table + 16ull * i, &d, sizeof(d));
}

static void set_used_event(uint16_t v)
{
	rc_host_write(rc, AVAIL_BASE + offsetof(struct vring_avail, ring) + 2 * QSIZE, &v, 2);
}

static void publish(uint16_t head)
{
	rc_host_write(rc, AVAIL_BASE + offsetof(struct vring_avail, ring) + 2 * (avail_idx % QSIZE),
		      &head, 2);
	avail_idx++;
	rc_host_write(rc, AVAIL_BASE + offsetof(struct vring_avail, idx), &avail_idx, 2);
	bar0_wr(0x1000 + 4 * QUEUE, 2, QUEUE);
}

static uint16_t used_idx(void)
{
	uint16_t v;

	rc_host_read(rc, USED_BASE + offsetof(struct vring_used, idx), &v, 2);
	return v;
}

/* Waits until the used index moves past used_seen; returns the cycles taken, 0 on timeout. */
static uint64_t wait_used(uint64_t max)
{
	uint64_t start = rc_cycles(rc);

	while (used_idx() == used_seen && rc_cycles(rc) - start < max)
		rc_step(rc, 8);
	if (used_idx() == used_seen)
		return 0;
	return rc_cycles(rc) - start;
}

static void used_elem(uint16_t i, uint32_t *id, uint32_t *len)
{
	struct vring_used_elem e;

	rc_host_read(rc, USED_BASE + offsetof(struct vring_used, ring) + 8 * (i % QSIZE), &e, sizeof(e));
	*id = e.id;
	*len = e.len;
}

static void setup_device(int want_event_idx)
{
	uint32_t ptr = 0, hdr = 0;

	bar0_wr(COMMON(device_status), 1, 0);
	bar0_wr(COMMON(device_status), 1, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	bar0_wr(COMMON(guest_feature_select), 4, 0);
	bar0_wr(COMMON(guest_feature), 4, (no_indirect ? 0 : 1u << VIRTIO_RING_F_INDIRECT_DESC) |
					   (want_event_idx ? 1u << VIRTIO_RING_F_EVENT_IDX : 0));
	bar0_wr(COMMON(guest_feature_select), 4, 1);
	bar0_wr(COMMON(guest_feature), 4, 1u | 2u);	/* VERSION_1, ACCESS_PLATFORM */
	bar0_wr(COMMON(device_status), 1, 0x0b);
	CHECK(bar0_rd(COMMON(device_status), 1) & VIRTIO_CONFIG_S_FEATURES_OK, "FEATURES_OK");
	event_idx = want_event_idx;
	/* MSI-X: config vector 0, queue vector 2 */
	for (unsigned v = 0; v < 4; v++) {
		bar0_wr(0x4000 + 16 * v, 4, RC_MSI_BASE + 0x100 * v);
		bar0_wr(0x4000 + 16 * v + 4, 4, 0);
		bar0_wr(0x4000 + 16 * v + 8, 4, 0x100 + v);
		bar0_wr(0x4000 + 16 * v + 12, 4, 0);
	}
	rc_cfg_read(rc, 0x34, 1, &ptr);
	for (int g = 0; ptr && g < 48; g++) {
		rc_cfg_read(rc, (uint16_t)ptr, 2, &hdr);
		if ((hdr & 0xff) == 0x11) {
			rc_cfg_write(rc, (uint16_t)(ptr + 2), 2, 0x8000);
			break;
		}
		ptr = hdr >> 8;
	}
	bar0_wr(COMMON(msix_config), 2, VEC_CFG);
	/* Clean rings */
	{
		static uint8_t zero[0x3000];

		rc_host_write(rc, DESC_BASE, zero, sizeof(zero));
	}
	avail_idx = 0;
	used_seen = 0;
	bar0_wr(COMMON(queue_select), 2, QUEUE);
	bar0_wr(COMMON(queue_size), 2, QSIZE);
	bar0_wr(COMMON(queue_msix_vector), 2, VEC_Q);
	bar0_wr(COMMON(queue_desc_lo), 4, (uint32_t)DESC_BASE);
	bar0_wr(COMMON(queue_desc_hi), 4, (uint32_t)(DESC_BASE >> 32));
	bar0_wr(COMMON(queue_avail_lo), 4, (uint32_t)AVAIL_BASE);
	bar0_wr(COMMON(queue_avail_hi), 4, (uint32_t)(AVAIL_BASE >> 32));
	bar0_wr(COMMON(queue_used_lo), 4, (uint32_t)USED_BASE);
	bar0_wr(COMMON(queue_used_hi), 4, (uint32_t)(USED_BASE >> 32));
	bar0_wr(COMMON(queue_enable), 2, 1);
	bar0_wr(COMMON(device_status), 1, 0x0f);
	if (event_idx)
		set_used_event(0);
}

static unsigned count_msi(uint32_t data, unsigned from)
{
	unsigned n = 0;

	for (unsigned i = from; i < rc_msi_count(rc); i++)
		if (rc_msi_get(rc, i) && rc_msi_get(rc, i)->data == data)
			n++;
	return n;
}

/* A FUSE request: header + args at BUF_BASE, reply area at BUF_BASE + 0x1000. */
static uint32_t make_request(uint32_t opcode, uint64_t unique, const void *arg, uint32_t arglen,
			     int32_t len_delta)
{
	uint8_t req[4096];
	size_t len = fuse_req_build(req, sizeof(req), &(struct fuse_req){
		.opcode = opcode, .unique = unique, .nodeid = FUSE_ROOT_ID, .args = arg, .args_len = arglen });

	((struct fuse_in_header *)req)->len += (uint32_t)len_delta;	/* a lying header */
	rc_host_write(rc, BUF_BASE, req, len);
	return (uint32_t)len;
}

static int get_reply(struct fuse_out_header *out, void *body, uint32_t len)
{
	rc_host_read(rc, BUF_BASE + 0x1000, out, sizeof(*out));
	if (body)
		rc_host_read(rc, BUF_BASE + 0x1000 + sizeof(*out), body, len);
	return 0;
}

static uint64_t notify_cycles[64];
static unsigned nnotify;
static uint64_t last_cycles, init_cycles, init2_cycles, enosys_cycles;	/* for the benchmark */

/* Sends a request as the chain [hdr+args (readable), reply (writable)]; checks it comes back. */
static int roundtrip(uint32_t reqlen, uint32_t replen, uint32_t *used_len, const char *what)
{
	uint32_t id, len;
	uint64_t cyc;

	put_desc(DESC_BASE, 0, BUF_BASE, 40, VRING_DESC_F_NEXT, 1);
	put_desc(DESC_BASE, 1, BUF_BASE + 40, reqlen - 40, VRING_DESC_F_NEXT, 2);
	put_desc(DESC_BASE, 2, BUF_BASE + 0x1000, replen, VRING_DESC_F_WRITE, 0);
	if (reqlen == 40)
		put_desc(DESC_BASE, 0, BUF_BASE, 40, VRING_DESC_F_NEXT, 2);
	publish(0);
	cyc = wait_used(2000000);
	CHECK(cyc != 0, "%s: no used entry", what);
	if (!cyc)
		return -1;
	if (nnotify < 64)
		notify_cycles[nnotify++] = cyc;
	last_cycles = cyc;
	used_elem(used_seen, &id, &len);
	used_seen++;
	CHECK(id == 0, "%s: used id %u", what, id);
	*used_len = len;
	return 0;
}

static void test_init(void)
{
	struct fuse_init_in ii = { .major = 7, .minor = 38, .max_readahead = 65536,
				   .flags = FUSE_ASYNC_READ | FUSE_BIG_WRITES | FUSE_MAX_PAGES | FUSE_INIT_EXT };
	struct fuse_out_header out;
	struct fuse_init_out io;
	uint32_t len = 0;
	unsigned m0 = rc_msi_count(rc);

	roundtrip(make_request(FUSE_INIT, 1, &ii, sizeof(ii), 0), 16 + sizeof(io), &len, "FUSE_INIT");
	init_cycles = last_cycles;
	get_reply(&out, &io, sizeof(io));
	CHECK(len == 16 + sizeof(io) && out.len == len && out.error == 0 && out.unique == 1,
	      "INIT reply: used len %u, out.len %u error %d", len, out.len, out.error);
	CHECK(io.major == 7 && io.minor == 38 && io.max_write == 24576 && io.max_pages == 6,
	      "INIT negotiated %u.%u max_write %u max_pages %u", io.major, io.minor, io.max_write,
	      io.max_pages);
	CHECK((io.flags & FUSE_MAX_PAGES) && !(io.flags & ~ii.flags), "INIT flags 0x%x", io.flags);
	rc_step(rc, 2000);
	CHECK(count_msi(0x100 + VEC_Q, m0) == 1, "one queue interrupt for INIT");
}

/* Rings and buffers in memory the harness owns (as a driver's or a guest's
 * RAM): mapped into the card's view of host memory. */
static void test_mapped_memory(void)
{
	static uint8_t ram[0x2000] __attribute__((aligned(4096)));
	const uint64_t iova = 0x300000000ull;
	struct fuse_init_in ii = { .major = 7, .minor = 38 };
	struct fuse_out_header out;
	uint32_t id, len;

	memset(ram, 0x77, sizeof(ram));
	CHECK(rc_host_map(rc, iova, ram, sizeof(ram)) == 0, "map");
	make_request(FUSE_INIT, 77, &ii, sizeof(ii), 0);
	put_desc(DESC_BASE, 0, BUF_BASE, 40 + sizeof(ii), VRING_DESC_F_NEXT, 1);
	put_desc(DESC_BASE, 1, iova + 0x100, 200, VRING_DESC_F_WRITE, 0);
	publish(0);
	CHECK(wait_used(2000000), "mapped: no used entry");
	used_elem(used_seen++, &id, &len);
	memcpy(&out, ram + 0x100, sizeof(out));
	CHECK(len == 80 && out.unique == 77 && out.error == 0 && ram[0xff] == 0x77 && ram[0x100 + 80] == 0x77,
	      "mapped: reply in the mapped buffer (len %u unique %llu)", len, (unsigned long long)out.unique);
	rc_host_unmap(rc, iova);
}

static void test_init_compat(void)
{
	/* A 7.22 client gets the 24-byte reply of its time. */
	struct fuse_init_in ii = { .major = 7, .minor = 22 };
	struct fuse_out_header out;
	uint32_t len = 0;

	roundtrip(make_request(FUSE_INIT, 55, &ii, sizeof(ii), 0), 200, &len, "INIT 7.22");
	init2_cycles = last_cycles;
	get_reply(&out, NULL, 0);
	CHECK(len == 16 + FUSE_COMPAT_22_INIT_OUT_SIZE && out.len == len && out.error == 0,
	      "INIT 7.22: reply of %u bytes", len);
}

static void test_enosys_and_einval(void)
{
	struct fuse_out_header out;
	uint32_t len = 0;
	struct fuse_getattr_in ga = { 0 };

	roundtrip(make_request(FUSE_GETATTR, 2, &ga, sizeof(ga), 0), 200, &len, "GETATTR");
	enosys_cycles = last_cycles;
	get_reply(&out, NULL, 0);
	/* No SSD behind this card: the file service answers EIO. */
	CHECK(len == 16 && out.error == -EIO && out.unique == 2, "GETATTR without an SSD: EIO (len %u error %d)",
	      len, out.error);
	roundtrip(make_request(9999, 3, NULL, 0, 0), 200, &len, "unknown opcode");
	get_reply(&out, NULL, 0);
	CHECK(out.error == -ENOSYS && out.unique == 3, "unknown opcode: ENOSYS (%d)", out.error);
	roundtrip(make_request(FUSE_GETATTR, 4, &ga, sizeof(ga), 8), 200, &len, "bad len");
	get_reply(&out, NULL, 0);
	CHECK(out.error == -EINVAL && out.unique == 4, "header len mismatch: EINVAL (%d)", out.error);
	/* Reply buffer too short for the header: returned with nothing written. */
	roundtrip(make_request(FUSE_GETATTR, 5, &ga, sizeof(ga), 0), 8, &len, "short reply");
	CHECK(len == 0, "short reply buffer: used len %u", len);
}

static void test_indirect(void)
{
	struct fuse_init_in ii = { .major = 7, .minor = 31, .flags = FUSE_ASYNC_READ };
	struct fuse_out_header out;
	struct fuse_init_out io;
	uint32_t id, len;

	make_request(FUSE_INIT, 6, &ii, sizeof(ii), 0);
	put_desc(IND_BASE, 0, BUF_BASE, 20, VRING_DESC_F_NEXT, 2);	/* split header, out of order */
	put_desc(IND_BASE, 2, BUF_BASE + 20, 20 + sizeof(ii), VRING_DESC_F_NEXT, 1);
	put_desc(IND_BASE, 1, BUF_BASE + 0x1000, 16, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 3);
	put_desc(IND_BASE, 3, BUF_BASE + 0x1010, 200, VRING_DESC_F_WRITE, 0);
	put_desc(DESC_BASE, 5, IND_BASE, 4 * 16, VRING_DESC_F_INDIRECT, 0);
	publish(5);
	CHECK(wait_used(2000000), "indirect: no used entry");
	used_elem(used_seen++, &id, &len);
	get_reply(&out, &io, sizeof(io));
	CHECK(id == 5 && len == 16 + sizeof(io) && out.error == 0 && io.minor == 31,
	      "indirect INIT: id %u len %u error %d minor %u", id, len, out.error, io.minor);
}

static void test_event_idx(void)
{
	unsigned m0;
	struct fuse_getattr_in ga = { 0 };
	uint32_t len;

	rc_step(rc, 3000);	/* the previous request's interrupt may trail its used entry */
	m0 = rc_msi_count(rc);
	/* used_event far ahead: no interrupt for this one. */
	set_used_event((uint16_t)(used_seen + 5));
	roundtrip(make_request(FUSE_GETATTR, 7, &ga, sizeof(ga), 0), 200, &len, "suppressed");
	rc_step(rc, 3000);
	CHECK(count_msi(0x100 + VEC_Q, m0) == 0, "event index suppressed the interrupt");
	/* used_event = the index now being filled: interrupt. */
	set_used_event(used_seen);
	roundtrip(make_request(FUSE_GETATTR, 8, &ga, sizeof(ga), 0), 200, &len, "event");
	rc_step(rc, 3000);
	CHECK(count_msi(0x100 + VEC_Q, m0) == 1, "event index interrupt (%u)", count_msi(0x100 + VEC_Q, m0));
	{
		uint16_t ev;

		rc_host_read(rc, USED_BASE + offsetof(struct vring_used, ring) + 8 * QSIZE, &ev, 2);
		CHECK(ev == avail_idx, "device publishes avail_event %u (avail %u)", ev, avail_idx);
	}
}

static void test_flags_suppression(void)
{
	unsigned m0;
	struct fuse_getattr_in ga = { 0 };
	uint16_t flags = VRING_AVAIL_F_NO_INTERRUPT;
	uint32_t len;

	rc_step(rc, 3000);	/* the previous request's interrupt may trail its used entry */
	m0 = rc_msi_count(rc);
	rc_host_write(rc, AVAIL_BASE, &flags, 2);
	roundtrip(make_request(FUSE_GETATTR, 9, &ga, sizeof(ga), 0), 200, &len, "no-interrupt");
	rc_step(rc, 3000);
	CHECK(count_msi(0x100 + VEC_Q, m0) == 0, "NO_INTERRUPT respected");
	flags = 0;
	rc_host_write(rc, AVAIL_BASE, &flags, 2);
}

static uint32_t rng = 12345;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

/*
 * Random legal chains: a FUSE_INIT request cut into 1-6 readable pieces and a
 * reply area cut into 1-6 writable pieces, at random addresses, direct or
 * through an indirect table with a random order of entries. The reply must
 * arrive whole across the pieces, and the bytes around them untouched.
 */
static void test_random_chains(unsigned n)
{
	for (unsigned t = 0; t < n; t++) {
		struct fuse_init_in ii = { .major = 7, .minor = 23 + rnd() % 16,
					   .flags = FUSE_ASYNC_READ | FUSE_MAX_PAGES };
		uint8_t reqb[40 + sizeof(ii)], rep[16 + 64], back[16 + 64 + 64];
		unsigned nr = 1 + rnd() % 6, nw = 1 + rnd() % 6, total = sizeof(reqb), replen = sizeof(rep);
		unsigned cut_r[8], cut_w[8], ndesc, order[16];
		uint64_t wr_addr[8];
		int indirect = rnd() % 2;
		uint32_t id, len;
		struct fuse_out_header out;
		struct fuse_init_out io;

		make_request(FUSE_INIT, 1000 + t, &ii, sizeof(ii), 0);
		rc_host_read(rc, BUF_BASE, reqb, sizeof(reqb));
		/* cut points, increasing, pieces of at least 1 byte */
		cut_r[0] = 0;
		for (unsigned i = 1; i < nr; i++)
			cut_r[i] = cut_r[i - 1] + 1 + rnd() % ((total - cut_r[i - 1]) / (nr - i + 1));
		cut_r[nr] = total;
		cut_w[0] = 0;
		for (unsigned i = 1; i < nw; i++)
			cut_w[i] = cut_w[i - 1] + 1 + rnd() % ((replen - cut_w[i - 1]) / (nw - i + 1));
		cut_w[nw] = replen;
		/* scatter the request pieces and give each reply piece a place, with gaps */
		{
			uint64_t a = BUF_BASE + 0x3000 + rnd() % 64;
			uint8_t fill[4096];

			memset(fill, 0x5a, sizeof(fill));
			rc_host_write(rc, BUF_BASE + 0x3000, fill, sizeof(fill));
			for (unsigned i = 0; i < nr; i++) {
				rc_host_write(rc, a, reqb + cut_r[i], cut_r[i + 1] - cut_r[i]);
				order[i] = i;
				wr_addr[i] = a;	/* reuse: request piece i lives at a */
				a += cut_r[i + 1] - cut_r[i] + 1 + rnd() % 40;
			}
			{
				uint64_t ra[8];

				for (unsigned i = 0; i < nr; i++)
					ra[i] = wr_addr[i];
				for (unsigned i = 0; i < nw; i++) {
					wr_addr[i] = a;
					a += cut_w[i + 1] - cut_w[i] + 1 + rnd() % 40;
				}
				/* descriptors: entries 0..nr-1 readable, nr..nr+nw-1 writable,
				 * placed at a random permutation of slots */
				ndesc = nr + nw;
				for (unsigned i = 0; i < ndesc; i++)
					order[i] = i;
				for (unsigned i = ndesc - 1; i > 0; i--) {
					unsigned j = rnd() % (i + 1), tmp = order[i];

					order[i] = order[j];
					order[j] = tmp;
				}
				/* A device walks an indirect table from its entry 0. */
				if (indirect)
					for (unsigned i = 1; i < ndesc; i++)
						if (order[i] == 0) {
							order[i] = order[0];
							order[0] = 0;
						}
				{
					uint64_t table = indirect ? IND_BASE : DESC_BASE;

					for (unsigned i = 0; i < ndesc; i++) {
						int wr = i >= nr;
						unsigned k = wr ? i - nr : i;
						uint64_t addr = wr ? wr_addr[k] : ra[k];
						uint32_t l = wr ? cut_w[k + 1] - cut_w[k] : cut_r[k + 1] - cut_r[k];
						uint16_t fl = (uint16_t)((wr ? VRING_DESC_F_WRITE : 0) |
									 (i + 1 < ndesc ? VRING_DESC_F_NEXT : 0));

						put_desc(table, order[i], addr, l, fl,
							 (uint16_t)(i + 1 < ndesc ? order[i + 1] : 0));
					}
					if (indirect) {
						put_desc(DESC_BASE, 7, IND_BASE, 16 * ndesc, VRING_DESC_F_INDIRECT, 0);
						publish(7);
					} else {
						publish((uint16_t)order[0]);
					}
				}
			}
		}
		CHECK(wait_used(2000000), "random chain %u: no used entry", t);
		used_elem(used_seen++, &id, &len);
		CHECK(id == (indirect ? 7u : order[0]) && len == replen,
		      "random chain %u (%s, %u+%u pieces): id %u len %u", t, indirect ? "indirect" : "direct",
		      nr, nw, id, len);
		/* reassemble the reply from its pieces */
		for (unsigned i = 0; i < nw; i++)
			rc_host_read(rc, wr_addr[i], rep + cut_w[i], cut_w[i + 1] - cut_w[i]);
		memcpy(&out, rep, sizeof(out));
		memcpy(&io, rep + sizeof(out), sizeof(io));
		CHECK(out.error == 0 && out.unique == 1000 + t && out.len == replen && io.minor == ii.minor,
		      "random chain %u: reply error %d unique %llu minor %u/%u", t, out.error,
		      (unsigned long long)out.unique, io.minor, ii.minor);
		/* a byte just past the last reply piece is untouched */
		rc_host_read(rc, wr_addr[nw - 1] + (cut_w[nw] - cut_w[nw - 1]), back, 1);
		CHECK(back[0] == 0x5a, "random chain %u: wrote past the reply buffer", t);
	}
}

struct bad_chain {
	const char *name;
	void (*build)(void);
	void (*publish)(void);		/* NULL: publish(0) */
	int no_indirect;		/* the device is set up without INDIRECT_DESC */
};

static void chain_loop(void)
{
	put_desc(DESC_BASE, 0, BUF_BASE, 40, VRING_DESC_F_NEXT, 1);
	put_desc(DESC_BASE, 1, BUF_BASE + 40, 8, VRING_DESC_F_NEXT, 0);
}
static void chain_next_range(void) { put_desc(DESC_BASE, 0, BUF_BASE, 40, VRING_DESC_F_NEXT, QSIZE + 3); }
static void chain_rd_after_wr(void)
{
	put_desc(DESC_BASE, 0, BUF_BASE + 0x1000, 100, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	put_desc(DESC_BASE, 1, BUF_BASE, 40, 0, 0);
}
static void chain_nested_indirect(void)
{
	put_desc(IND_BASE, 0, IND_BASE + 0x100, 32, VRING_DESC_F_INDIRECT, 0);
	put_desc(DESC_BASE, 0, IND_BASE, 16, VRING_DESC_F_INDIRECT, 0);
}
static void chain_indirect_next(void)
{
	put_desc(IND_BASE, 0, BUF_BASE, 40, 0, 0);
	put_desc(DESC_BASE, 0, IND_BASE, 16, VRING_DESC_F_INDIRECT | VRING_DESC_F_NEXT, 1);
}
static void chain_indirect_len(void) { put_desc(DESC_BASE, 0, IND_BASE, 20, VRING_DESC_F_INDIRECT, 0); }
static void chain_indirect_loop(void)
{
	put_desc(IND_BASE, 0, BUF_BASE, 40, VRING_DESC_F_NEXT, 1);
	put_desc(IND_BASE, 1, BUF_BASE, 40, VRING_DESC_F_NEXT, 0);
	put_desc(DESC_BASE, 0, IND_BASE, 32, VRING_DESC_F_INDIRECT, 0);
}
static void chain_wrap(void) { put_desc(DESC_BASE, 0, 0xfffffffffffffff0ull, 0x100, 0, 0); }
static void chain_no_header(void) { put_desc(DESC_BASE, 0, BUF_BASE, 10, 0, 0); }
/* An indirect table of 70 entries: longer than the queue (the spec's limit
 * on any chain) and than the engine's 64 segments. */
static void chain_too_long(void)
{
	for (unsigned i = 0; i < 70; i++)
		put_desc(IND_BASE, i, BUF_BASE + (i ? 40 + i : 0), i ? 1 : 40, i < 69 ? VRING_DESC_F_NEXT : 0,
			 (uint16_t)(i + 1));
	put_desc(DESC_BASE, 0, IND_BASE, 16 * 70, VRING_DESC_F_INDIRECT, 0);
}
/* The head in the avail ring names no descriptor. */
static void chain_head_range(void) { put_desc(DESC_BASE, 0, BUF_BASE, 40, 0, 0); }
static void publish_head_range(void) { publish(QSIZE + 5); }
/* The avail index moves on by more than the queue holds. */
static void publish_idx_jump(void)
{
	avail_idx += QSIZE + 1;
	rc_host_write(rc, AVAIL_BASE + offsetof(struct vring_avail, idx), &avail_idx, 2);
	bar0_wr(0x1000 + 4 * QUEUE, 2, QUEUE);
}
/* The engine's own reads fail: the descriptor table completes with UR, or
 * with CA (the root complex's fault ranges). */
static void chain_desc_ur(void)
{
	struct rc_dma_faults f = { .ur_base = DESC_BASE, .ur_len = 0x1000 };

	put_desc(DESC_BASE, 0, BUF_BASE, 40, 0, 0);
	rc_set_dma_faults(rc, &f);
}
static void chain_desc_ca(void)
{
	struct rc_dma_faults f = { .ca_base = DESC_BASE, .ca_len = 0x1000 };

	put_desc(DESC_BASE, 0, BUF_BASE, 40, 0, 0);
	rc_set_dma_faults(rc, &f);
}
static void chain_avail_ur(void)
{
	struct rc_dma_faults f = { .ur_base = AVAIL_BASE, .ur_len = 0x1000 };

	put_desc(DESC_BASE, 0, BUF_BASE, 40, 0, 0);
	rc_set_dma_faults(rc, &f);
}
/* INDIRECT on a device that was not given VIRTIO_RING_F_INDIRECT_DESC
 * (setup_device with no_indirect set by the caller). */
static void chain_indirect_unnegotiated(void)
{
	put_desc(IND_BASE, 0, BUF_BASE, 40, VRING_DESC_F_NEXT, 1);
	put_desc(IND_BASE, 1, BUF_BASE + 0x1000, 200, VRING_DESC_F_WRITE, 0);
	put_desc(DESC_BASE, 0, IND_BASE, 32, VRING_DESC_F_INDIRECT, 0);
}

static void test_malformed(void)
{
	static const struct bad_chain bad[] = {
		{ "descriptor loop", chain_loop, NULL, 0 },
		{ "next out of range", chain_next_range, NULL, 0 },
		{ "readable after writable", chain_rd_after_wr, NULL, 0 },
		{ "nested indirect", chain_nested_indirect, NULL, 0 },
		{ "INDIRECT with NEXT", chain_indirect_next, NULL, 0 },
		{ "indirect length not a multiple of 16", chain_indirect_len, NULL, 0 },
		{ "loop inside an indirect table", chain_indirect_loop, NULL, 0 },
		{ "address wraps", chain_wrap, NULL, 0 },
		{ "no FUSE header", chain_no_header, NULL, 0 },
		{ "chain of 70 descriptors (indirect)", chain_too_long, NULL, 0 },
		{ "head out of range", chain_head_range, publish_head_range, 0 },
		{ "avail index jumps past the queue size", chain_head_range, publish_idx_jump, 0 },
		{ "descriptor read completes with UR", chain_desc_ur, NULL, 0 },
		{ "descriptor read completes with CA", chain_desc_ca, NULL, 0 },
		{ "avail ring read completes with UR", chain_avail_ur, NULL, 0 },
		{ "INDIRECT without the feature", chain_indirect_unnegotiated, NULL, 1 },
	};
	static const struct rc_dma_faults no_faults;

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		unsigned m0 = rc_msi_count(rc);
		uint64_t start;
		uint32_t len;
		struct fuse_getattr_in ga = { 0 };
		uint8_t junk[0x1000];

		if (bad[i].no_indirect) {
			no_indirect = 1;
			setup_device(1);
		}
		memset(junk, 0xa5, sizeof(junk));
		rc_host_write(rc, BUF_BASE + 0x1000, junk, sizeof(junk));
		make_request(FUSE_GETATTR, 50 + i, &ga, sizeof(ga), 0);
		bad[i].build();
		if (bad[i].publish)
			bad[i].publish();
		else
			publish(0);
		start = rc_cycles(rc);
		while (!(bar0_rd(COMMON(device_status), 1) & VIRTIO_CONFIG_S_NEEDS_RESET) &&
		       rc_cycles(rc) - start < 2000000)
			rc_step(rc, 64);
		CHECK(bar0_rd(COMMON(device_status), 1) & VIRTIO_CONFIG_S_NEEDS_RESET,
		      "%s: DEVICE_NEEDS_RESET", bad[i].name);
		rc_step(rc, 2000);
		CHECK(count_msi(0x100 + VEC_CFG, m0) >= 1, "%s: configuration interrupt", bad[i].name);
		CHECK(used_idx() == used_seen, "%s: nothing returned in the used ring", bad[i].name);
		{
			uint8_t back[0x1000];

			rc_host_read(rc, BUF_BASE + 0x1000, back, sizeof(back));
			CHECK(!memcmp(back, junk, sizeof(junk)), "%s: no write into the buffers", bad[i].name);
		}
		/* Reset, set up again, and the device serves normally. */
		rc_set_dma_faults(rc, &no_faults);
		no_indirect = 0;
		setup_device(1);
		roundtrip(make_request(FUSE_GETATTR, 100 + i, &ga, sizeof(ga), 0), 200, &len, bad[i].name);
		CHECK(len == 16, "%s: served after reset (len %u)", bad[i].name, len);
	}
}

/*
 * Random chains, legal and breaking each device-side rule of the split ring
 * (tests/include/chain_gen.h, the generator vfpga-model's walker is tested
 * with too), each carrying a GETATTR (answered EIO: no SSD here). Guest
 * memory is one mapped range and the host strict (rc_host_strict): a buffer
 * outside it is a UR to the card, as behind an IOMMU. A legal chain must be
 * answered (its reply whole in its writable pieces); a chain breaking a rule
 * must make the card give the device up (DEVICE_NEEDS_RESET, nothing used);
 * an edge case may go either way. Never a hang, never a byte written that no
 * descriptor made writable. Chains alternate, 500 at a time, between a
 * device set up with INDIRECT_DESC and one without.
 */
static uint8_t guest[0x20000];

static void guest_write(void *ctx, uint64_t addr, const void *p, size_t len)
{
	(void)ctx;
	rc_host_write(rc, addr, p, len);
}

/* The firmware under test walks the rings itself (card_soft.elf) rather
 * than through the RTL engine: only the figures' row tells them apart. */
static int soft_walker;

static void test_random_chains_rules(unsigned n)
{
	static uint8_t before[sizeof(guest)];
	struct cg_rng rng = { 0x9e3779b97f4a7c15ull };
	struct cg_layout L = { .desc = DESC_BASE, .avail = AVAIL_BASE, .ind = IND_BASE, .buf = BUF_BASE,
			       .buf_len = 0x8000, .guest_end = DESC_BASE + sizeof(guest), .qsize = QSIZE,
			       .write = guest_write };
	unsigned made[CG_RULES] = { 0 }, served[CG_RULES] = { 0 }, refused[CG_RULES] = { 0 };
	unsigned fails = 0, nserved = 0, nrefused = 0;
	int failed0 = failed;
	char cases[128];

	CHECK(rc_host_map(rc, DESC_BASE, guest, sizeof(guest)) == 0, "guest memory mapped");
	rc_host_strict(rc, 1);
	for (unsigned t = 0; t < n; t++) {
		struct fuse_getattr_in ga = { 0 };
		uint8_t req[128];
		struct cg_chain c;
		uint64_t start;
		unsigned m0;
		int gave_up;
		const char *why = NULL;
		size_t reqlen = fuse_req_build(req, sizeof(req), &(struct fuse_req){
			.opcode = FUSE_GETATTR, .unique = 20000 + t, .nodeid = FUSE_ROOT_ID,
			.args = &ga, .args_len = sizeof(ga) });

		if (t % 500 == 0) {
			no_indirect = (t / 500) % 2;
			L.indirect_ok = !no_indirect;
			setup_device(1);
		}
		cg_make(&L, &rng, req, (uint32_t)reqlen, 16, CG_RULES, &c);
		made[c.rule]++;
		/* A buffer outside guest memory that is only written: the card's
		 * posted write is dropped by the host (the IOMMU), which it cannot
		 * see; so it may answer. A readable one outside: its read fails
		 * (UR), the request is never served; the card answers EIO when it
		 * can still read the header (firmware/fsdev), else gives up.
		 * Either way a served request fails the check below. */
		if (c.rule == CG_ADDR_OUTSIDE)
			c.expect = CG_EITHER;
		rc_host_write(rc, AVAIL_BASE + offsetof(struct vring_avail, ring) + 2 * (avail_idx % QSIZE), &c.head, 2);
		avail_idx = (uint16_t)(avail_idx + c.idx_step);
		rc_host_write(rc, AVAIL_BASE + offsetof(struct vring_avail, idx), &avail_idx, 2);
		memcpy(before, guest, sizeof(guest));
		m0 = rc_msi_count(rc);
		bar0_wr(0x1000 + 4 * QUEUE, 2, QUEUE);
		/* The card answers (the used index moves) or gives up (a
		 * configuration interrupt); a hang is neither. */
		start = rc_cycles(rc);
		while (used_idx() == used_seen && count_msi(0x100 + VEC_CFG, m0) == 0 && rc_cycles(rc) - start < 2000000)
			rc_step(rc, 64);
		rc_step(rc, 300);
		gave_up = !!(bar0_rd(COMMON(device_status), 1) & VIRTIO_CONFIG_S_NEEDS_RESET);
		if (gave_up) {
			refused[c.rule]++;
			if (c.expect == CG_SERVE)
				why = "a legal chain made the card give up";
			else if (used_idx() != used_seen)
				why = "given up, yet something used";
		} else if (used_idx() == (uint16_t)(used_seen + 1)) {
			uint32_t id, len;
			uint8_t rep[16];
			struct fuse_out_header out;
			unsigned k = 0;

			served[c.rule]++;
			used_elem(used_seen++, &id, &len);
			for (unsigned i = 0; i < c.nwr; i++)
				if (c.wr[i].addr < DESC_BASE || c.wr[i].addr - DESC_BASE + c.wr[i].len > sizeof(guest))
					k = sizeof(rep) + 1;	/* a piece the host dropped: the bytes are gone */
			for (unsigned i = 0; i < c.nwr && k < sizeof(rep); i++) {
				unsigned m = c.wr[i].len < sizeof(rep) - k ? c.wr[i].len : (unsigned)sizeof(rep) - k;

				memcpy(rep + k, guest + (c.wr[i].addr - DESC_BASE), m);
				k += m;
			}
			memcpy(&out, rep, sizeof(out));
			if (c.expect == CG_REFUSE)
				why = "a chain breaking a rule was answered";
			else if (id != c.head || len != 16)
				why = "the used entry is not the request's";
			else if (k <= sizeof(rep) && (k != 16 || out.len != 16 || out.unique != 20000 + t ||
						      out.error != -EIO))
				why = "the answer is not the request's";
		} else {
			why = "neither answered nor given up: the card hangs";
		}
		for (size_t i = 0; i < sizeof(guest) && !why; i++) {
			uint64_t a = DESC_BASE + i;

			if (guest[i] == before[i] || (a >= USED_BASE && a < USED_BASE + 0x1000))
				continue;
			why = gave_up ? "a refused chain changed guest memory" : !cg_writable(&c, a) ?
			      "a byte no descriptor made writable changed" : NULL;
		}
		if (why) {
			CHECK(0, "chain %u (rule: %s): %s", t, cg_rule_name[c.rule], why);
			if (++fails > 10)
				break;
		} else {
			passed++;	/* one check per chain, quietly */
		}
		if (gave_up)
			setup_device(1);
	}
	rc_host_strict(rc, 0);
	rc_host_unmap(rc, DESC_BASE);
	no_indirect = 0;
	setup_device(1);
	printf("| rule | chains | answered | refused (DEVICE_NEEDS_RESET) |\n|---|---:|---:|---:|\n");
	for (int k = 0; k < CG_RULES; k++) {
		printf("| %s | %u | %u | %u |\n", cg_rule_name[k], made[k], served[k], refused[k]);
		CHECK(n < 2000 || made[k] >= n / 200, "coverage: rule '%s' generated %u times", cg_rule_name[k], made[k]);
	}
	CHECK(served[CG_LEGAL] > 0, "coverage: legal chains answered");
	for (int k = 0; k < CG_RULES; k++) {
		nserved += served[k];
		nrefused += refused[k];
	}
	snprintf(cases, sizeof(cases), "%u random chains, %d rules (%u answered, %u refused)", n, CG_RULES, nserved,
		 nrefused);
	figures_row(soft_walker ? "chains-card-soft" : "chains-card-rtl", failed == failed0,
		    soft_walker ? "Malformed virtqueue chains: the card firmware's walker (test-vq)" :
				  "Malformed virtqueue chains: the RTL virtqueue engine (test-vq)",
		    cases, "every guest byte after each chain: none changed outside the chain's writable buffers");
}

/*
 * Bus master enable off: the card must send no memory request at all (no
 * DMA, no used-ring write, no MSI-X message, which is a memory write too)
 * however it is notified; with it on again and a reset, it serves.
 */
static void test_bus_master_off(void)
{
	struct fuse_getattr_in ga = { 0 };
	struct rc_dma_stats before, after;
	unsigned m0;
	uint32_t cmd = 0, len;

	rc_step(rc, 20000);	/* the last request's interrupt is out */
	m0 = rc_msi_count(rc);
	rc_cfg_read(rc, 0x04, 2, &cmd);
	rc_cfg_write(rc, 0x04, 2, cmd & ~0x4u);
	rc_dma_stats(rc, &before);
	make_request(FUSE_GETATTR, 6000, &ga, sizeof(ga), 0);
	put_desc(DESC_BASE, 0, BUF_BASE, 40 + sizeof(ga), VRING_DESC_F_NEXT, 1);
	put_desc(DESC_BASE, 1, BUF_BASE + 0x1000, 200, VRING_DESC_F_WRITE, 0);
	publish(0);
	rc_step(rc, 200000);
	rc_dma_stats(rc, &after);
	CHECK(after.rd_tlps == before.rd_tlps && after.wr_tlps == before.wr_tlps,
	      "bus master off: the card sent %llu reads and %llu writes",
	      (unsigned long long)(after.rd_tlps - before.rd_tlps), (unsigned long long)(after.wr_tlps - before.wr_tlps));
	CHECK(rc_msi_count(rc) == m0, "bus master off: %u MSI-X messages sent", rc_msi_count(rc) - m0);
	CHECK(used_idx() == used_seen, "bus master off: the used ring moved");
	rc_cfg_write(rc, 0x04, 2, cmd | 0x4u);
	setup_device(1);
	roundtrip(make_request(FUSE_GETATTR, 6001, &ga, sizeof(ga), 0), 200, &len, "bus master on again");
	CHECK(len == 16, "bus master on again, after a reset: served (len %u)", len);
}

/*
 * Reset in the middle of a request: the driver writes 0 to the device status
 * while the card is working on a chain. Afterwards the card must send nothing
 * more on its own, must not touch the new rings before it is notified, and
 * must serve normally after a new set-up.
 */
static void test_reset_mid_request(void)
{
	struct fuse_init_in ii = { .major = 7, .minor = 38 };
	struct fuse_getattr_in ga = { 0 };
	uint32_t len;

	for (unsigned delay = 40; delay <= 2000; delay += 330) {
		uint64_t quiet;

		make_request(FUSE_INIT, 500 + delay, &ii, sizeof(ii), 0);
		put_desc(DESC_BASE, 0, BUF_BASE, 40, VRING_DESC_F_NEXT, 1);
		put_desc(DESC_BASE, 1, BUF_BASE + 40, sizeof(ii), VRING_DESC_F_NEXT, 2);
		put_desc(DESC_BASE, 2, BUF_BASE + 0x1000, 200, VRING_DESC_F_WRITE, 0);
		publish(0);
		rc_step(rc, delay);
		bar0_wr(COMMON(device_status), 1, 0);
		rc_step(rc, 3000);
		quiet = rc_tlps_from_card(rc);
		rc_step(rc, 20000);
		CHECK(rc_tlps_from_card(rc) == quiet, "reset after %u cycles: the card kept sending (%llu TLPs)",
		      delay, (unsigned long long)(rc_tlps_from_card(rc) - quiet));
		setup_device(1);
		rc_step(rc, 5000);
		CHECK(used_idx() == 0, "reset after %u cycles: new used ring touched before any request", delay);
		roundtrip(make_request(FUSE_GETATTR, 900 + delay, &ga, sizeof(ga), 0), 200, &len, "after reset");
		CHECK(len == 16, "reset after %u cycles: served afterwards (len %u)", delay, len);
	}
}

/*
 * With tests/pcie/vq_ooo_card.c as the card firmware: three requests in flight,
 * answered last first. The used ring must hold them in answer order, each
 * with its own reply.
 */
static int run_out_of_order(void)
{
	struct fuse_getattr_in ga = { 0 };
	uint64_t start;

	setup_device(0);
	for (unsigned r = 0; r < 3; r++) {
		struct fuse_in_header in = { .len = sizeof(in) + sizeof(ga), .opcode = FUSE_GETATTR,
					     .unique = 700 + r, .nodeid = 1 };
		uint64_t b = BUF_BASE + 0x200 * r;

		rc_host_write(rc, b, &in, sizeof(in));
		rc_host_write(rc, b + sizeof(in), &ga, sizeof(ga));
		put_desc(DESC_BASE, 2 * r, b, sizeof(in) + sizeof(ga), VRING_DESC_F_NEXT, (uint16_t)(2 * r + 1));
		put_desc(DESC_BASE, 2 * r + 1, b + 0x100, 64, VRING_DESC_F_WRITE, 0);
		rc_host_write(rc, AVAIL_BASE + offsetof(struct vring_avail, ring) + 2 * r, &(uint16_t){ (uint16_t)(2 * r) }, 2);
	}
	avail_idx = 3;
	rc_host_write(rc, AVAIL_BASE + offsetof(struct vring_avail, idx), &avail_idx, 2);
	bar0_wr(0x1000 + 4 * QUEUE, 2, QUEUE);
	start = rc_cycles(rc);
	while (used_idx() < 3 && rc_cycles(rc) - start < 2000000)
		rc_step(rc, 64);
	CHECK(used_idx() == 3, "out of order: %u of 3 answered", used_idx());
	for (unsigned i = 0; i < 3; i++) {
		uint32_t id, len;
		struct fuse_out_header out;
		unsigned r = 2 - i;	/* answered last first */

		used_elem((uint16_t)i, &id, &len);
		rc_host_read(rc, BUF_BASE + 0x200 * r + 0x100, &out, sizeof(out));
		CHECK(id == 2 * r && len == 16 && out.unique == 700 + r && out.error == -ENOSYS,
		      "out of order: used[%u] id %u len %u unique %llu error %d", i, id, len,
		      (unsigned long long)out.unique, out.error);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct rc_opts o = { 0 };
	char err[256];
	FILE *bench = NULL;
	const char *label = "card firmware";
	int ooo = 0;

	if (argc == 3 && !strcmp(argv[2], "--out-of-order"))
		ooo = 1;
	else if (argc == 6 && !strcmp(argv[4], "--label"))
		label = argv[5];
	else if (argc != 2 && !(argc == 4 && !strcmp(argv[2], "--bench"))) {
		fprintf(stderr, "usage: vq_test CARD_FIRMWARE.elf [--bench FILE.md [--label TEXT]]\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	o.firmware = argv[1];
	soft_walker = strstr(argv[1], "soft") != NULL;
	o.console = getenv("VQ_TEST_CONSOLE") ? stderr : NULL;
	o.timeout = 100000;
	rc = rc_open(&o, err, sizeof(err));
	if (!rc) {
		fprintf(stderr, "vq_test: %s\n", err);
		return 2;
	}
	CHECK(rc_enumerate(rc, bars) == 0, "enumerate");
	if (ooo) {
		run_out_of_order();
		rc_close(rc);
		printf("%d passed, %d failed\n", passed, failed);
		return failed || !passed ? 1 : 0;	/* no check run is no pass */
	}
	setup_device(0);
	test_init();
	test_mapped_memory();
	test_init_compat();
	test_enosys_and_einval();
	test_flags_suppression();
	setup_device(1);
	test_indirect();
	test_event_idx();
	test_random_chains(60);
	test_reset_mid_request();
	setup_device(1);
	test_malformed();
	test_random_chains_rules(getenv("VQ_TEST_CHAINS") ? (unsigned)atoi(getenv("VQ_TEST_CHAINS")) : 10000);
	test_bus_master_off();
	CHECK(rc_unexpected(rc) == 0, "unexpected TLPs from the card");
	if (nnotify) {
		uint64_t sum = 0, min = ~0ull, max = 0;

		for (unsigned i = 0; i < nnotify; i++) {
			sum += notify_cycles[i];
			if (notify_cycles[i] < min)
				min = notify_cycles[i];
			if (notify_cycles[i] > max)
				max = notify_cycles[i];
		}
		printf("notify to used-ring update: %u requests, min %llu, mean %llu, max %llu cycles\n",
		       nnotify, (unsigned long long)min, (unsigned long long)(sum / nnotify),
		       (unsigned long long)max);
		if (argc >= 4 && (bench = fopen(argv[3], "w"))) {
			fprintf(bench, "| Request path (%s) | cycles | µs at 250 MHz |\n"
				       "|---|---|---|\n", label);
			fprintf(bench, "| first FUSE_INIT, notify to used-ring update (includes the firmware's boot: DDR cleared, SSD probed) | %llu | %.2f |\n",
				(unsigned long long)init_cycles, init_cycles / 250.0);
			fprintf(bench, "| a later FUSE_INIT (7.22), notify to used-ring update | %llu | %.2f |\n",
				(unsigned long long)init2_cycles, init2_cycles / 250.0);
			fprintf(bench, "| minimal request (GETATTR answered EIO: no SSD), notify to used-ring update | %llu | %.2f |\n",
				(unsigned long long)enosys_cycles, enosys_cycles / 250.0);
			fclose(bench);
		}
	}
	rc_close(rc);
	printf("%d passed, %d failed\n", passed, failed);
	return failed || !passed ? 1 : 0;	/* no check run is no pass */
}
