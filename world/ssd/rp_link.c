#include "rp_link.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vtop.h"

#define NTAGS 256
#define READ_TIMEOUT 200000ull	/* cycles a read part may take */
#define MAX_QUEUED 64		/* TLPs queued toward the card before reads wait */

struct rd_op {
	uint8_t *buf;
	uint64_t addr;
	size_t len, issued;	/* bytes asked for so far */
	unsigned parts, resolved;
	int status;
	rp_dma_done_fn done;
	void *arg;
	struct rd_op *next;	/* ops still issuing */
	struct rd_op *doomed;	/* rp_link_cancel_reads' list */
	int is_doomed;
};

struct tag_ent {
	struct rd_op *op;	/* NULL: free */
	uint64_t addr;		/* first byte asked for */
	unsigned bytes, got;
	uint64_t issued_at;
	int dead;		/* timed out or cancelled: late completions dropped */
};

struct txq_ent {
	struct tlp *t;
	struct txq_ent *next;
};

struct rp_link {
	struct vtop *vt;
	struct rp_link_ops ops;
	void *ctx;
	uint64_t cycle;
	/* toward the card */
	struct txq_ent *head, *tail;
	unsigned queued, beat;
	int presenting;
	/* from the card */
	struct tlp in;
	unsigned in_dws;
	int in_active;
	/* bus mastering */
	uint16_t rid;
	unsigned mrrs, mps;
	struct tag_ent tags[NTAGS];
	unsigned next_tag, reads;
	struct rd_op *issuing, *issuing_tail;
	struct rp_link_stats st;
};

static unsigned beats_of(const struct tlp *t)
{
	unsigned n = tlp_has_data(t) ? t->ndata : 0;

	return n <= VTOP_TLP_BEAT_DWS ? 1 : (n + VTOP_TLP_BEAT_DWS - 1) / VTOP_TLP_BEAT_DWS;
}

void rp_link_send(struct rp_link *l, const struct tlp *t)
{
	struct txq_ent *e = malloc(sizeof(*e));

	if (!e || !(e->t = malloc(sizeof(*e->t))))
		abort();
	*e->t = *t;
	e->next = NULL;
	if (l->tail)
		l->tail->next = e;
	else
		l->head = e;
	l->tail = e;
	l->queued++;
	l->st.tlps_out++;
}

unsigned rp_link_pending(const struct rp_link *l) { return l->queued; }
uint64_t rp_link_cycle(const struct rp_link *l) { return l->cycle; }

void rp_link_set_master(struct rp_link *l, uint16_t requester_id, unsigned mrrs, unsigned mps)
{
	l->rid = requester_id;
	l->mrrs = mrrs;
	l->mps = mps;
}

static void op_resolve(struct rp_link *l, struct rd_op *op, int status)
{
	if (status && !op->status)
		op->status = status;
	op->resolved++;
	if (op->resolved == op->parts && op->issued == op->len) {
		l->reads--;
		op->done(l->ctx, op->arg, op->status);
		free(op);
	}
}

static int free_tag(struct rp_link *l)
{
	for (unsigned i = 0; i < NTAGS; i++) {
		unsigned t = (l->next_tag + i) % NTAGS;

		/* A dead tag waits out any late completion before it serves again. */
		if (l->tags[t].dead && l->cycle - l->tags[t].issued_at > 2 * READ_TIMEOUT)
			l->tags[t].dead = 0;
		if (!l->tags[t].op && !l->tags[t].dead) {
			l->next_tag = (t + 1) % NTAGS;
			return (int)t;
		}
	}
	return -1;
}

static void mem_header(struct tlp *t, int write, uint64_t addr, unsigned ndw, unsigned fbe, unsigned lbe,
		       uint16_t rid, unsigned tag)
{
	int wide = (addr >> 32) != 0;
	unsigned fmt = write ? (wide ? TLP_FMT_4DW_DATA : TLP_FMT_3DW_DATA)
			     : (wide ? TLP_FMT_4DW_NODATA : TLP_FMT_3DW_NODATA);

	memset(t->hdr, 0, sizeof(t->hdr));
	t->hdr[0] = tlp_dw0(fmt, TLP_TYPE_MEM, ndw);
	t->hdr[1] = (uint32_t)rid << 16 | (tag & 0xff) << 8 | (ndw == 1 ? 0 : lbe) << 4 | fbe;
	if (wide) {
		t->hdr[2] = (uint32_t)(addr >> 32);
		t->hdr[3] = (uint32_t)addr & ~3u;
	} else {
		t->hdr[2] = (uint32_t)addr & ~3u;
	}
}

/* Byte enables of the first and last DW of [addr, addr + n). */
static void byte_enables(uint64_t addr, size_t n, unsigned *ndw, unsigned *fbe, unsigned *lbe)
{
	uint64_t first = addr & ~3ull, end = addr + n, last = (end - 1) & ~3ull;

	*ndw = (unsigned)((last - first) / 4 + 1);
	*fbe = (0xfu << (addr & 3)) & 0xf;
	*lbe = 0xfu >> (3 - ((end - 1) & 3));
	if (*ndw == 1)
		*fbe &= *lbe;
}

/* Issues as many read parts as tags and the queue allow. */
static void issue_reads(struct rp_link *l)
{
	while (l->issuing && l->queued < MAX_QUEUED) {
		struct rd_op *op = l->issuing;
		uint64_t a = op->addr + op->issued;
		size_t n = op->len - op->issued, to4k = 4096 - (a & 4095), tomrrs = l->mrrs - (a % l->mrrs);
		int tag = free_tag(l);
		unsigned ndw, fbe, lbe;
		struct tlp t;

		if (tag < 0)
			return;
		if (n > to4k)
			n = to4k;
		if (n > tomrrs)
			n = tomrrs;
		byte_enables(a, n, &ndw, &fbe, &lbe);
		mem_header(&t, 0, a, ndw, fbe, lbe, l->rid, (unsigned)tag);
		t.ndata = 0;
		l->tags[tag] = (struct tag_ent){ .op = op, .addr = a, .bytes = (unsigned)n,
						 .issued_at = l->cycle };
		op->parts++;
		op->issued += n;
		l->st.rd_tlps++;
		l->st.rd_bytes += n;
		rp_link_send(l, &t);
		if (op->issued == op->len) {
			l->issuing = op->next;
			if (!l->issuing)
				l->issuing_tail = NULL;
		}
	}
}

void rp_link_dma_read(struct rp_link *l, uint64_t addr, void *buf, size_t len, rp_dma_done_fn done, void *arg)
{
	struct rd_op *op = calloc(1, sizeof(*op));

	if (!op)
		abort();
	op->buf = buf;
	op->addr = addr;
	op->len = len;
	op->done = done;
	op->arg = arg;
	l->reads++;
	if (len == 0) {
		l->reads--;
		free(op);
		done(l->ctx, arg, 0);
		return;
	}
	if (l->issuing_tail)
		l->issuing_tail->next = op;
	else
		l->issuing = op;
	l->issuing_tail = op;
	issue_reads(l);
}

unsigned rp_link_reads_pending(const struct rp_link *l) { return l->reads; }

void rp_link_cancel_reads(struct rp_link *l)
{
	struct rd_op *list = NULL;

	/* An op may be both still issuing and in flight on some tags. */
	for (struct rd_op *op = l->issuing; op; op = op->next) {
		op->is_doomed = 1;
		op->doomed = list;
		list = op;
	}
	for (unsigned i = 0; i < NTAGS; i++) {
		struct rd_op *op = l->tags[i].op;

		if (!op)
			continue;
		l->tags[i].op = NULL;
		l->tags[i].dead = 1;
		l->tags[i].issued_at = l->cycle;
		if (!op->is_doomed) {
			op->is_doomed = 1;
			op->doomed = list;
			list = op;
		}
	}
	while (list) {
		struct rd_op *op = list;

		list = op->doomed;
		free(op);
	}
	l->issuing = l->issuing_tail = NULL;
	l->reads = 0;
}

void rp_link_dma_write(struct rp_link *l, uint64_t addr, const void *buf, size_t len)
{
	const uint8_t *b = buf;

	while (len) {
		size_t n = len, to4k = 4096 - (addr & 4095), tomps = l->mps - (addr % l->mps);
		unsigned ndw, fbe, lbe;
		struct tlp t;

		if (n > to4k)
			n = to4k;
		if (n > tomps)
			n = tomps;
		byte_enables(addr, n, &ndw, &fbe, &lbe);
		mem_header(&t, 1, addr, ndw, fbe, lbe, l->rid, 0);
		memset(t.data, 0, ndw * 4);
		memcpy((uint8_t *)t.data + (addr & 3), b, n);
		t.ndata = ndw;
		l->st.wr_tlps++;
		l->st.wr_bytes += n;
		rp_link_send(l, &t);
		addr += n;
		b += n;
		len -= n;
	}
}

/* A completion for one of our reads. */
static void on_completion(struct rp_link *l, const struct tlp *c)
{
	unsigned tag = tlp_cpl_tag(c);
	struct tag_ent *e = &l->tags[tag];
	uint64_t want = e->addr + e->got;
	unsigned la = tlp_cpl_lower(c), bc = tlp_cpl_bytes(c), n;
	int bad;

	if (!e->op) {
		l->st.late_cpls++;
		if (!e->dead)
			l->ops.on_tlp(l->ctx, c);	/* not ours: the device's own business */
		return;
	}
	if (bc == 0)
		bc = 4096;
	bad = tlp_cpl_status(c) != TLP_CPL_SC || (c->hdr[0] & (1u << 14)) || !tlp_has_data(c) ||
	      (c->hdr[2] >> 16) != l->rid || la != (want & 0x7f) || bc != e->bytes - e->got;
	if (!bad) {
		n = tlp_len(c) * 4 - (la & 3);
		if (n > e->bytes - e->got)
			n = e->bytes - e->got;
		memcpy(e->op->buf + (e->addr - e->op->addr) + e->got, (const uint8_t *)c->data + (la & 3), n);
		e->got += n;
		if (e->got < e->bytes)
			return;
	} else {
		l->st.bad_cpls++;
	}
	{
		struct rd_op *op = e->op;

		e->op = NULL;
		op_resolve(l, op, bad ? -EIO : 0);
	}
}

static void deliver(struct rp_link *l, const struct tlp *t)
{
	l->st.tlps_in++;
	if (tlp_type(t) == TLP_TYPE_CPL)
		on_completion(l, t);
	else
		l->ops.on_tlp(l->ctx, t);
}

static void expire_reads(struct rp_link *l)
{
	for (unsigned i = 0; i < NTAGS; i++) {
		struct tag_ent *e = &l->tags[i];

		if (e->op && l->cycle - e->issued_at > READ_TIMEOUT) {
			struct rd_op *op = e->op;

			e->op = NULL;
			e->dead = 1;
			e->issued_at = l->cycle;
			op_resolve(l, op, -ETIMEDOUT);
		}
	}
}

static void hook(void *ctx, struct vtop *vt, int phase)
{
	struct rp_link *l = ctx;
	struct vtop_beat b;

	if (phase == VTOP_HOOK_SAMPLE) {
		/* our beat toward the card moves at this edge? */
		if (l->presenting && vtop_rp_rx_ready(vt)) {
			struct txq_ent *e = l->head;

			if (++l->beat == beats_of(e->t)) {
				l->head = e->next;
				if (!l->head)
					l->tail = NULL;
				l->queued--;
				l->beat = 0;
				free(e->t);
				free(e);
			}
		}
		/* the card's beat (ready is always set) */
		if (vtop_rp_get_tx(vt, &b)) {
			if (b.sop) {
				memset(&l->in, 0, sizeof(l->in.hdr));
				memcpy(l->in.hdr, b.hdr, sizeof(b.hdr));
				l->in_dws = 0;
				l->in_active = 1;
			}
			if (l->in_active) {
				unsigned want = tlp_has_data(&l->in) ? tlp_len(&l->in) : 0;

				for (unsigned i = 0; i < VTOP_TLP_BEAT_DWS && l->in_dws < want; i++)
					l->in.data[l->in_dws++] = b.data[i];
				if (b.eop) {
					l->in.ndata = l->in_dws;
					l->in_active = 0;
					deliver(l, &l->in);
				}
			}
		}
		return;
	}

	/* VTOP_HOOK_DRIVE: a new cycle begins */
	l->cycle++;
	if (l->reads && (l->cycle & 1023) == 0)
		expire_reads(l);
	if (l->ops.on_cycle)
		l->ops.on_cycle(l->ctx, l->cycle);
	issue_reads(l);
	vtop_rp_set_tx_ready(vt, 1);
	l->presenting = l->head != NULL;
	if (l->presenting) {
		const struct tlp *t = l->head->t;
		unsigned first = l->beat * VTOP_TLP_BEAT_DWS;

		memset(&b, 0, sizeof(b));
		memcpy(b.hdr, t->hdr, sizeof(b.hdr));
		for (unsigned i = 0; i < VTOP_TLP_BEAT_DWS && first + i < t->ndata; i++)
			b.data[i] = t->data[first + i];
		b.sop = l->beat == 0;
		b.eop = l->beat == beats_of(t) - 1;
		vtop_rp_set_rx(vt, 1, &b);
	} else {
		vtop_rp_set_rx(vt, 0, NULL);
	}
}

struct rp_link *rp_link_attach(struct vtop *t, const struct rp_link_ops *ops, void *ctx)
{
	struct rp_link *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->vt = t;
	l->ops = *ops;
	l->ctx = ctx;
	l->mrrs = 512;
	l->mps = 256;
	vtop_set_rp_hook(t, hook, l);
	return l;
}

void rp_link_detach(struct rp_link *l)
{
	if (!l)
		return;
	vtop_set_rp_hook(l->vt, NULL, NULL);
	vtop_rp_set_rx(l->vt, 0, NULL);
	rp_link_cancel_reads(l);
	while (l->head) {
		struct txq_ent *e = l->head;

		l->head = e->next;
		free(e->t);
		free(e);
	}
	free(l);
}

void rp_link_stats(const struct rp_link *l, struct rp_link_stats *st) { *st = l->st; }

void rp_link_skip(struct rp_link *l, uint64_t cycles)
{
	uint64_t from = l->cycle;

	l->cycle += cycles;
	if (l->reads && (from >> 10) != (l->cycle >> 10))
		expire_reads(l);	/* a look at every 1024th cycle was skipped */
	if (l->ops.on_cycle)
		l->ops.on_cycle(l->ctx, l->cycle);
}

uint64_t rp_link_next_event(const struct rp_link *l)
{
	uint64_t t = UINT64_MAX;

	if (l->head || l->in_active || l->issuing)
		return l->cycle + 1;		/* beats to move: busy */
	for (unsigned i = 0; i < NTAGS; i++)	/* a read the card never answers times out */
		if (l->tags[i].op && l->tags[i].issued_at + READ_TIMEOUT + 1 < t)
			t = l->tags[i].issued_at + READ_TIMEOUT + 1;
	if (t != UINT64_MAX)
		t = (t + 1023) & ~1023ull;	/* expire_reads looks every 1024 cycles */
	return t;
}
