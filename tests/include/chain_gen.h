/*
 * Random split-ring descriptor chains, legal and malformed, for the tests of
 * every device-side walker we have: the RTL virtqueue engine and the card
 * firmware's walker (tests/pcie/vq_host.c, through the root-complex model)
 * and vfpga-model's walker (tests/model/vring_fuzz.c, in process).
 *
 * A chain carries one request (the caller's bytes, cut into 1-3 readable
 * pieces) and a reply area (1-3 writable pieces), direct or through an
 * indirect table, its descriptors at a random permutation of table slots.
 * Most chains then break one rule of the virtio split ring (1.2, 2.7) that
 * a device can see; the generator says which, and what a device must do:
 *
 *   CG_SERVE   legal: the request is served, its reply lands in the
 *              writable pieces in order;
 *   CG_REFUSE  a rule the device must catch: it does not serve the chain
 *              (completes it empty, or gives the device up) and writes
 *              nothing outside the ring's used entries;
 *   CG_EITHER  within the rules or at their edge (a zero-length buffer, a
 *              chain longer than the queue through an indirect table): served
 *              correctly or refused, as the device chooses.
 *
 * Whatever the outcome, no byte outside a range that some descriptor of the
 * chain marked device-writable may change (cg_writable).
 *
 * Memory is reached through the caller's write hook, so the same generator
 * fills the root-complex model's host memory and an in-process buffer.
 */
#ifndef CHAIN_GEN_H
#define CHAIN_GEN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <linux/virtio_ring.h>

#define CG_MAX_DESC	80	/* entries of one table the generator writes */

enum cg_rule {
	CG_LEGAL,
	CG_NEXT_RANGE,		/* a next index past the table */
	CG_LOOP,		/* the chain comes back to one of its descriptors */
	CG_RD_AFTER_WR,		/* a readable buffer after a writable one */
	CG_IND_NEXT,		/* an INDIRECT descriptor with NEXT */
	CG_IND_NESTED,		/* INDIRECT inside an indirect table */
	CG_IND_LEN,		/* an indirect table length of 0 or not a multiple of 16 */
	CG_IND_NOFEAT,		/* INDIRECT when the feature was not negotiated */
	CG_ADDR_WRAP,		/* a buffer that wraps past 2^64 */
	CG_ADDR_OUTSIDE,	/* a buffer outside guest memory */
	CG_HEAD_RANGE,		/* the avail ring names a descriptor past the table */
	CG_IDX_JUMP,		/* the avail index moves by more than the queue size */
	CG_ZERO_LEN,		/* a zero-length buffer (edge: either outcome) */
	CG_TOO_LONG,		/* an indirect chain longer than the queue (edge) */
	CG_RULES
};

static const char *const cg_rule_name[CG_RULES] = {
	"legal", "next out of range", "loop", "readable after writable", "INDIRECT with NEXT",
	"nested INDIRECT", "indirect length", "INDIRECT not negotiated", "address wraps",
	"outside guest memory", "head out of range", "avail index jump", "zero-length buffer",
	"chain longer than the queue",
};

enum cg_expect { CG_SERVE, CG_REFUSE, CG_EITHER };

struct cg_layout {
	uint64_t desc, avail, ind;	/* ring table, avail ring, indirect table area (CG_MAX_DESC entries) */
	uint64_t buf, buf_len;		/* where buffers go */
	uint64_t guest_end;		/* first byte past guest memory (CG_ADDR_OUTSIDE goes here) */
	unsigned qsize;
	int indirect_ok;		/* VIRTIO_RING_F_INDIRECT_DESC negotiated */
	void (*write)(void *ctx, uint64_t addr, const void *p, size_t len);
	void *ctx;
};

struct cg_range {
	uint64_t addr;
	uint32_t len;
};

struct cg_chain {
	enum cg_rule rule;
	enum cg_expect expect;
	uint16_t head;			/* what goes in the avail ring */
	uint16_t idx_step;		/* how far the avail index moves (1, or more for CG_IDX_JUMP) */
	unsigned nrd, nwr;
	struct cg_range rd[3], wr[3];	/* the request's and the reply's pieces, in order */
	int writable_only;		/* the rule is broken in a device-writable buffer only: a
					 * device that never writes there cannot tell, and an
					 * IOMMU drops its writes (CG_ADDR_*) */
	struct cg_range writable[CG_MAX_DESC + 1];	/* every range a descriptor marked writable */
	unsigned nwritable;
};

struct cg_rng {
	uint64_t s;
};

static inline uint32_t cg_rnd(struct cg_rng *r)
{
	r->s ^= r->s << 13;
	r->s ^= r->s >> 7;
	r->s ^= r->s << 17;
	return (uint32_t)(r->s >> 16);
}

static inline void cg_put(const struct cg_layout *L, uint64_t table, unsigned i, uint64_t addr, uint32_t len,
			  uint16_t flags, uint16_t next)
{
	struct vring_desc d = { .addr = addr, .len = len, .flags = flags, .next = next };

	L->write(L->ctx, table + 16ull * i, &d, sizeof(d));
}

static inline void cg_note_writable(struct cg_chain *c, uint64_t addr, uint32_t len, uint16_t flags)
{
	if ((flags & VRING_DESC_F_WRITE) && c->nwritable < CG_MAX_DESC + 1)
		c->writable[c->nwritable++] = (struct cg_range){ addr, len };
}

/* Whether a byte at addr lies in a range a descriptor marked writable. */
static inline int cg_writable(const struct cg_chain *c, uint64_t addr)
{
	for (unsigned i = 0; i < c->nwritable; i++)
		if (addr >= c->writable[i].addr && addr - c->writable[i].addr < c->writable[i].len)
			return 1;
	return 0;
}

/*
 * Writes one chain carrying req (reqlen bytes, at least 3) with a reply area
 * of at least min_reply bytes, breaking `rule` (CG_RULES: pick one at
 * random, a quarter of the time none). The caller publishes c->head and
 * moves the avail index by c->idx_step.
 */
static inline void cg_make(const struct cg_layout *L, struct cg_rng *r, const void *req, uint32_t reqlen,
			   uint32_t min_reply, enum cg_rule rule, struct cg_chain *c)
{
	struct vring_desc d[CG_MAX_DESC];
	unsigned slot[CG_MAX_DESC], n, tsize;
	uint64_t a = L->buf + cg_rnd(r) % 64;
	int indirect;

	memset(c, 0, sizeof(*c));
	if (rule == CG_RULES)
		rule = cg_rnd(r) % 4 == 0 ? CG_LEGAL : (enum cg_rule)(1 + cg_rnd(r) % (CG_RULES - 1));
	if (!L->indirect_ok && (rule == CG_IND_NEXT || rule == CG_IND_NESTED || rule == CG_IND_LEN ||
				rule == CG_TOO_LONG))
		rule = CG_IND_NOFEAT;
	if (L->indirect_ok && rule == CG_IND_NOFEAT)
		rule = CG_LEGAL;	/* with the feature, an indirect chain is legal */
	c->rule = rule;
	c->expect = rule == CG_LEGAL ? CG_SERVE : rule >= CG_ZERO_LEN ? CG_EITHER : CG_REFUSE;
	c->idx_step = 1;
	indirect = rule == CG_IND_NEXT || rule == CG_IND_NESTED || rule == CG_IND_LEN || rule == CG_IND_NOFEAT ||
		   rule == CG_TOO_LONG || (L->indirect_ok && cg_rnd(r) % 2);

	/* The pieces: request bytes, then the reply area, with gaps. */
	c->nrd = 1 + cg_rnd(r) % 3;
	c->nwr = 1 + cg_rnd(r) % 3;
	if (c->nrd > reqlen)
		c->nrd = 1;
	{
		uint32_t at = 0, room = min_reply + c->nwr + cg_rnd(r) % 256;

		for (unsigned i = 0; i < c->nrd; i++) {
			uint32_t left = reqlen - at, k = c->nrd - i;
			uint32_t l = k == 1 ? left : 1 + cg_rnd(r) % (left - k + 1);

			c->rd[i] = (struct cg_range){ a, l };
			L->write(L->ctx, a, (const uint8_t *)req + at, l);
			at += l;
			a += l + cg_rnd(r) % 48;
		}
		for (unsigned i = 0; i < c->nwr; i++) {
			uint32_t k = c->nwr - i, l = k == 1 ? room : 1 + cg_rnd(r) % (room - k + 1);

			c->wr[i] = (struct cg_range){ a, l };
			room -= l;
			a += l + cg_rnd(r) % 48;
		}
	}
	/* The descriptors, in chain order. */
	n = 0;
	for (unsigned i = 0; i < c->nrd; i++)
		d[n++] = (struct vring_desc){ c->rd[i].addr, c->rd[i].len, 0, 0 };
	for (unsigned i = 0; i < c->nwr; i++)
		d[n++] = (struct vring_desc){ c->wr[i].addr, c->wr[i].len, VRING_DESC_F_WRITE, 0 };
	if (rule == CG_TOO_LONG) {
		/* more one-byte reply pieces after the area, past the queue size */
		while (n < L->qsize + 4 && n < CG_MAX_DESC)
			d[n++] = (struct vring_desc){ a + n, 1, VRING_DESC_F_WRITE, 0 };
	}
	switch (rule) {
	case CG_RD_AFTER_WR:
		d[n++] = (struct vring_desc){ c->rd[0].addr, c->rd[0].len, 0, 0 };
		break;
	case CG_ADDR_WRAP: {
		/* its last byte past 2^64 - 1 */
		unsigned i = cg_rnd(r) % n;

		if (d[i].len < 2)
			d[i].len = 2;
		d[i].addr = ~0ull - cg_rnd(r) % (d[i].len - 1);
		c->writable_only = !!(d[i].flags & VRING_DESC_F_WRITE);
		break;
	}
	case CG_ADDR_OUTSIDE: {
		unsigned i = cg_rnd(r) % n;

		d[i].addr = L->guest_end + (cg_rnd(r) % 4096);
		c->writable_only = !!(d[i].flags & VRING_DESC_F_WRITE);
		break;
	}
	case CG_ZERO_LEN: {
		/* one more buffer, of length 0, in its place among the others */
		unsigned i = cg_rnd(r) % (n + 1);

		memmove(&d[i + 1], &d[i], (n - i) * sizeof(d[0]));
		d[i] = (struct vring_desc){ L->buf + cg_rnd(r) % 64, 0, i > c->nrd ||
					    (i == c->nrd && cg_rnd(r) % 2) ? VRING_DESC_F_WRITE : 0, 0 };
		n++;
		break;
	}
	default:
		break;
	}
	/* The pieces as the descriptors now name them. */
	for (unsigned i = 0; i < c->nrd + c->nwr && (rule == CG_ADDR_WRAP || rule == CG_ADDR_OUTSIDE); i++) {
		struct cg_range *p = i < c->nrd ? &c->rd[i] : &c->wr[i - c->nrd];

		p->addr = d[i].addr;
		p->len = d[i].len;
	}
	/* Slots: a permutation; an indirect table is walked from its entry 0. */
	tsize = indirect ? n : L->qsize;
	if (!indirect && n > tsize)
		n = tsize;
	for (unsigned i = 0; i < tsize; i++)
		slot[i] = i;
	for (unsigned i = tsize - 1; i > 0; i--) {
		unsigned j = cg_rnd(r) % (i + 1), t = slot[i];

		slot[i] = slot[j];
		slot[j] = t;
	}
	if (indirect)
		for (unsigned i = 1; i < n; i++)
			if (slot[i] == 0) {
				slot[i] = slot[0];
				slot[0] = 0;
			}
	for (unsigned i = 0; i < n; i++) {
		d[i].flags |= i + 1 < n ? VRING_DESC_F_NEXT : 0;
		d[i].next = (uint16_t)(i + 1 < n ? slot[i + 1] : 0);
	}
	switch (rule) {
	case CG_NEXT_RANGE: {
		unsigned i = cg_rnd(r) % n;

		d[i].flags |= VRING_DESC_F_NEXT;
		d[i].next = (uint16_t)(tsize + cg_rnd(r) % 8);
		break;
	}
	case CG_LOOP: {
		unsigned i = cg_rnd(r) % n;

		d[n - 1].flags |= VRING_DESC_F_NEXT;
		d[n - 1].next = (uint16_t)slot[i];
		break;
	}
	case CG_IND_NESTED:
		d[cg_rnd(r) % n].flags |= VRING_DESC_F_INDIRECT;
		break;
	default:
		break;
	}
	{
		uint64_t table = indirect ? L->ind : L->desc;

		for (unsigned i = 0; i < n; i++) {
			cg_put(L, table, slot[i], d[i].addr, d[i].len, d[i].flags, d[i].next);
			cg_note_writable(c, d[i].addr, d[i].len, d[i].flags);
		}
	}
	c->head = (uint16_t)slot[0];
	if (indirect) {
		uint16_t at = (uint16_t)(cg_rnd(r) % L->qsize), fl = VRING_DESC_F_INDIRECT;
		uint32_t len = 16 * n;

		if (rule == CG_IND_NEXT) {
			fl |= VRING_DESC_F_NEXT;
			cg_put(L, L->desc, (at + 1) % L->qsize, c->wr[0].addr, 16, VRING_DESC_F_WRITE, 0);
			cg_note_writable(c, c->wr[0].addr, 16, VRING_DESC_F_WRITE);
		}
		if (rule == CG_IND_LEN)
			len = cg_rnd(r) % 2 ? 0 : 16 * n + 1 + cg_rnd(r) % 15;
		cg_put(L, L->desc, at, L->ind, len, fl, (uint16_t)((at + 1) % L->qsize));
		c->head = at;
	}
	if (rule == CG_HEAD_RANGE)
		c->head = (uint16_t)(L->qsize + cg_rnd(r) % 1000);
	if (rule == CG_IDX_JUMP)
		c->idx_step = (uint16_t)(L->qsize + 1 + cg_rnd(r) % 100);
}

#endif /* CHAIN_GEN_H */
