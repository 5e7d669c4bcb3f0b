/*
 * The device's request loop (firmware/fsdev) over a scripted queue binding
 * and the real FUSE server on an ext4 image: requests in and replies out on
 * the right chains, a deferred SETLKW for every waiter the server can hold
 * (each keeps its chain's slot until answered), queue stop and device reset
 * dropping waiting requests, malformed and headerless chains under both
 * policies, replies larger than the writable room, requests cut short, and
 * the idle work: a FORGET that only queues the eviction of a big unlinked
 * file, idle steps that free it, a request arriving between two steps;
 * O_DIRECT READs and WRITEs of one handle queued together (FUSE_ASYNC_DIO).
 *
 *   fsdev_test IMG     (IMG: an ext4 image made by mke2fs; written to)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/fuse.h>

#include "blockdev_file.h"
#include "check.h"
#include "fsdev.h"
#include "fuse_req.h"
#include "fuse_server.h"
#include "fuse_wire.h"
#include "vfs.h"

static int passed, failed;

#define NQ 2
#define MAXCH 512
#define OUT_MAX 4096

/* A chain the driver offers: its readable bytes and its writable room. */
static struct chain {
	uint8_t in[1024];
	size_t in_len;
	uint8_t out[OUT_MAX];
	uint64_t wr;
	int malformed;
	int pushed;		/* times returned */
	unsigned popped_at;	/* pop sequence number, from 1 */
	uint32_t used_len;
} ch[MAXCH];
static unsigned nch;
static unsigned fifo[NQ][MAXCH], fhead[NQ], ftail[NQ];
static int slot_of[FSDEV_SLOTS];	/* chain held by each slot, -1: none */
static int refuse_bad;			/* the binding's bad-chain policy */
static unsigned bad_calls, fail_calls, signals;
static const char *last_why = "";
static uint64_t next_unique = 1;
static unsigned pops;			/* chains popped so far */
/* A chain that "arrives" on queue 0 once queue 1 has given inject_after
 * chains, with its notification (t_notified). */
static int inject_id = -1;
static unsigned inject_after, q1_pops, notify_bits, notified_calls;

static int t_pop(void *ctx, unsigned q, unsigned slot, uint64_t *rd, uint64_t *wr)
{
	unsigned id;

	(void)ctx;
	if (fhead[q] == ftail[q])
		return 0;
	id = fifo[q][fhead[q]++];
	ch[id].popped_at = ++pops;
	if (q == 1 && ++q1_pops == inject_after && inject_id >= 0) {
		fifo[0][ftail[0]++] = (unsigned)inject_id;
		notify_bits |= 1u;
		inject_id = -1;
	}
	CHECK(slot < FSDEV_SLOTS && slot_of[slot] < 0, "pop into slot %u that holds chain %d", slot,
	      slot < FSDEV_SLOTS ? slot_of[slot] : -2);
	slot_of[slot] = (int)id;
	if (ch[id].malformed)
		return -EINVAL;
	*rd = ch[id].in_len;
	*wr = ch[id].wr;
	return 1;
}

static long t_gather(void *ctx, unsigned slot, void *dst, size_t cap)
{
	struct chain *c = &ch[slot_of[slot]];
	size_t n = c->in_len < cap ? c->in_len : cap;

	(void)ctx;
	memcpy(dst, c->in, n);
	return (long)n;
}

static long t_scatter(void *ctx, unsigned slot, const void *src, size_t len)
{
	struct chain *c = &ch[slot_of[slot]];

	(void)ctx;
	CHECK(len <= c->wr, "scatter of %zu bytes into %llu", len, (unsigned long long)c->wr);
	if (len > c->wr)
		return -ENOSPC;
	memcpy(c->out, src, len);
	return (long)len;
}

static int t_push(void *ctx, unsigned q, unsigned slot, uint32_t len)
{
	struct chain *c;

	(void)ctx;
	(void)q;
	CHECK(slot_of[slot] >= 0, "push of empty slot %u", slot);
	if (slot_of[slot] < 0)
		return -EIO;
	c = &ch[slot_of[slot]];
	c->pushed++;
	c->used_len = len;
	slot_of[slot] = -1;
	return 0;
}

static int t_bad_chain(void *ctx, unsigned q, unsigned slot, const char *why)
{
	(void)ctx;
	(void)q;
	(void)slot;
	bad_calls++;
	last_why = why;
	return refuse_bad ? -EIO : 0;
}

static void t_fail(void *ctx, unsigned q, int err)
{
	(void)ctx;
	(void)q;
	(void)err;
	fail_calls++;
}

static void t_signal(void *ctx, unsigned q)
{
	(void)ctx;
	(void)q;
	signals++;
}

/* A chain that "arrives" on queue 1 at the idle_inject_at-th call of
 * t_notified, with its notification (the idle test). */
static int idle_inject_id = -1;
static unsigned idle_inject_at;

static uint32_t t_notified(void *ctx)
{
	uint32_t b = notify_bits;

	(void)ctx;
	notified_calls++;
	if (idle_inject_id >= 0 && notified_calls == idle_inject_at) {
		fifo[1][ftail[1]++] = (unsigned)idle_inject_id;
		idle_inject_id = -1;
		b |= 1u << 1;
	}
	notify_bits = 0;
	return b;
}

static unsigned scatterv_calls, tail_pieces;
static uint8_t reqbuf[FUSE_SRV_MAX_REQ], repbuf[FUSE_SRV_MAX_WRITE + 4096];

/* A binding that sends pieces: each lands at its place in the reply. */
static long t_scatterv(void *ctx, unsigned slot, const void *head, size_t head_len,
		       const struct vfs_seg *seg, unsigned n, size_t len)
{
	struct chain *c = &ch[slot_of[slot]];
	size_t pos = head_len;

	(void)ctx;
	scatterv_calls++;
	if (len > c->wr)
		return -ENOSPC;
	memcpy(c->out, head, head_len);
	for (unsigned i = 0; i < n; i++) {
		CHECK(pos + seg[i].len <= len, "piece %u past the reply", i);
		if (pos + seg[i].len > len)
			return -EIO;
		if ((const uint8_t *)seg[i].p >= repbuf && (const uint8_t *)seg[i].p < repbuf + sizeof(repbuf))
			tail_pieces++;	/* copied by the server: no frame left */
		if (seg[i].p)
			memcpy(c->out + pos, seg[i].p, seg[i].len);
		else
			memset(c->out + pos, 0, seg[i].len);
		pos += seg[i].len;
	}
	CHECK(pos == len, "pieces add up to %zu of %zu", pos, len);
	return (long)len;
}

static const struct fsdev_queue_ops ops_v = {
	.pop = t_pop, .gather = t_gather, .scatter = t_scatter, .scatterv = t_scatterv, .push = t_push,
	.bad_chain = t_bad_chain, .fail = t_fail, .signal = t_signal,
};

static const struct fsdev_queue_ops ops = {
	.pop = t_pop, .gather = t_gather, .scatter = t_scatter, .push = t_push,
	.bad_chain = t_bad_chain, .fail = t_fail, .signal = t_signal, .notified = t_notified,
};

static struct fuse_server srv;
static struct fsdev dev;

/* Offers a request on queue q with wr bytes of writable room; its chain id. */
static unsigned offer(unsigned q, uint32_t op, uint64_t nodeid, const void *args, size_t alen,
		      const char *name, uint64_t wr)
{
	struct chain *c = &ch[nch];

	memset(c, 0, sizeof(*c));
	memset(c->out, 0xa5, sizeof(c->out));
	c->in_len = fuse_req_build(c->in, sizeof(c->in), &(struct fuse_req){
		.opcode = op, .unique = next_unique++, .nodeid = nodeid, .uid = 1000, .gid = 1000,
		.args = args, .args_len = alen, .name = name });
	c->wr = wr;
	fifo[q][ftail[q]++] = nch;
	return nch++;
}

static const struct fuse_out_header *reply(unsigned id)
{
	return (const void *)ch[id].out;
}

static uint64_t unique_of(unsigned id)
{
	return ((const struct fuse_in_header *)ch[id].in)->unique;
}

/* A lock request on the file: SETLK or SETLKW for owner, range [s, e]. */
static unsigned offer_lk(unsigned q, uint32_t op, uint64_t nodeid, uint64_t fh, uint64_t owner,
			 uint32_t type, uint64_t s, uint64_t e)
{
	struct fuse_lk_in li = { .fh = fh, .owner = owner,
				 .lk = { .start = s, .end = e, .type = type, .pid = (uint32_t)(100 + owner) } };

	return offer(q, op, nodeid, &li, sizeof(li), NULL, OUT_MAX);
}

/* The driver abandoned chain id (queue stop, reset): the binding forgets it. */
static void abandon(unsigned id)
{
	for (unsigned s = 0; s < FSDEV_SLOTS; s++)
		if (slot_of[s] == (int)id)
			slot_of[s] = -1;
}

static unsigned busy_slots(void)
{
	unsigned n = 0;

	for (unsigned s = 0; s < FSDEV_SLOTS; s++)
		n += dev.slot[s].busy;
	return n;
}

int main(int argc, char **argv)
{
	static struct blockdev_file bf;
	struct fuse_init_in ii = { .major = 7, .minor = 38, .max_readahead = 131072 };
	struct fuse_create_in ci = { .flags = 2 /* O_RDWR */, .mode = 0100644 };
	struct fuse_getattr_in ga = { 0 };
	struct vfs *fs = NULL;
	uint64_t node, fh;
	unsigned id, first, waiters[FUSE_SRV_MAX_WAITERS];

	setvbuf(stdout, NULL, _IONBF, 0);	/* failures before a sanitizer's abort */
	if (argc != 2) {
		fprintf(stderr, "usage: fsdev_test IMG\n");
		return 2;
	}
	if (blockdev_file_open(&bf, argv[1], 0) || vfs_mount(&fs, &bf.bd, 0)) {
		fprintf(stderr, "fsdev_test: cannot mount %s\n", argv[1]);
		return 2;
	}
	fuse_server_init(&srv, fs);
	fsdev_init(&dev, &srv, &ops, NULL, reqbuf, sizeof(reqbuf), repbuf, sizeof(repbuf));
	memset(slot_of, -1, sizeof(slot_of));

	/* Requests in, replies out, on the chains they came on. */
	id = offer(1, FUSE_INIT, 0, &ii, sizeof(ii), NULL, OUT_MAX);
	CHECK(fsdev_serve(&dev, 1) == 0, "serve INIT");
	CHECK(ch[id].pushed == 1 && ch[id].used_len == reply(id)->len && reply(id)->error == 0 &&
	      reply(id)->unique == unique_of(id), "INIT answered on its chain (len %u error %d)",
	      ch[id].used_len, reply(id)->error);
	CHECK(signals >= 1, "the queue signalled after its batch");
	id = offer(1, FUSE_CREATE, 1, &ci, sizeof(ci), "locked", OUT_MAX);
	fsdev_serve(&dev, 1);
	{
		const struct fuse_entry_out *e = (const void *)(ch[id].out + sizeof(struct fuse_out_header));
		const struct fuse_open_out *o = (const void *)(e + 1);

		CHECK(reply(id)->error == 0, "CREATE: %d", reply(id)->error);
		node = e->nodeid;
		fh = o->fh;
	}

	/* Every waiter the server can hold is deferred, each keeping its slot;
	 * other requests are served meanwhile; one release answers them all. */
	id = offer_lk(1, FUSE_SETLK, node, fh, 1, FUSE_F_WRLCK, 0, FUSE_OFFSET_MAX);
	fsdev_serve(&dev, 1);
	CHECK(ch[id].pushed == 1 && reply(id)->error == 0, "owner 1 takes the write lock");
	for (unsigned i = 0; i < FUSE_SRV_MAX_WAITERS; i++)
		waiters[i] = offer_lk(i % NQ, FUSE_SETLKW, node, fh, 100 + i, FUSE_F_RDLCK, 0, 99);
	id = offer(0, FUSE_GETATTR, node, &ga, sizeof(ga), NULL, OUT_MAX);
	fsdev_serve(&dev, 0);
	fsdev_serve(&dev, 1);
	first = 0;
	for (unsigned i = 0; i < FUSE_SRV_MAX_WAITERS; i++)
		first += ch[waiters[i]].pushed;
	CHECK(first == 0, "%u of %u waiting SETLKW answered before the release", first,
	      FUSE_SRV_MAX_WAITERS);
	CHECK(busy_slots() == FUSE_SRV_MAX_WAITERS, "%u slots held by waiters (want %u)", busy_slots(),
	      FUSE_SRV_MAX_WAITERS);
	CHECK(ch[id].pushed == 1 && reply(id)->error == 0, "GETATTR served while %u requests wait",
	      FUSE_SRV_MAX_WAITERS);
	id = offer_lk(1, FUSE_SETLK, node, fh, 1, FUSE_F_UNLCK, 0, FUSE_OFFSET_MAX);
	fsdev_serve(&dev, 1);
	CHECK(ch[id].pushed == 1 && reply(id)->error == 0, "owner 1 releases");
	for (unsigned i = 0; i < FUSE_SRV_MAX_WAITERS; i++) {
		unsigned w = waiters[i];

		CHECK(ch[w].pushed == 1 && ch[w].used_len == sizeof(struct fuse_out_header) &&
		      reply(w)->error == 0 && reply(w)->unique == unique_of(w),
		      "waiter %u answered once on its own chain (pushed %d, len %u, error %d)", i,
		      ch[w].pushed, ch[w].used_len, reply(w)->error);
	}
	CHECK(busy_slots() == 0, "no slot held after the release (%u)", busy_slots());
	for (unsigned i = 0; i < FUSE_SRV_MAX_WAITERS; i++)
		offer_lk(i % NQ, FUSE_SETLK, node, fh, 100 + i, FUSE_F_UNLCK, 0, 99);
	fsdev_serve(&dev, 0);
	fsdev_serve(&dev, 1);

	/* A stopped queue's waiters are dropped, the other queue's answered. */
	offer_lk(1, FUSE_SETLK, node, fh, 1, FUSE_F_WRLCK, 0, 9);
	fsdev_serve(&dev, 1);
	waiters[0] = offer_lk(0, FUSE_SETLKW, node, fh, 2, FUSE_F_RDLCK, 0, 0);
	waiters[1] = offer_lk(1, FUSE_SETLKW, node, fh, 3, FUSE_F_RDLCK, 0, 0);
	fsdev_serve(&dev, 0);
	fsdev_serve(&dev, 1);
	fsdev_stop_queue(&dev, 0);
	abandon(waiters[0]);
	offer_lk(1, FUSE_SETLK, node, fh, 1, FUSE_F_UNLCK, 0, 9);
	fsdev_serve(&dev, 1);
	CHECK(ch[waiters[0]].pushed == 0, "the stopped queue's waiter is not answered");
	CHECK(ch[waiters[1]].pushed == 1 && reply(waiters[1])->error == 0, "the other queue's waiter is");
	offer_lk(1, FUSE_SETLK, node, fh, 3, FUSE_F_UNLCK, 0, 0);
	fsdev_serve(&dev, 1);

	/* After a device reset no waiter is answered. */
	offer_lk(1, FUSE_SETLK, node, fh, 1, FUSE_F_WRLCK, 0, 9);
	fsdev_serve(&dev, 1);
	waiters[0] = offer_lk(1, FUSE_SETLKW, node, fh, 4, FUSE_F_WRLCK, 0, 0);
	fsdev_serve(&dev, 1);
	fsdev_reset(&dev);
	abandon(waiters[0]);
	CHECK(busy_slots() == 0, "reset frees every slot");
	offer_lk(1, FUSE_SETLK, node, fh, 1, FUSE_F_UNLCK, 0, 9);
	fsdev_serve(&dev, 1);
	CHECK(ch[waiters[0]].pushed == 0, "a waiter from before the reset is not answered");

	/* READ answered from the page cache's frames, by reference: sent by a
	 * binding with one buffer (the loop copies the pieces in) and by one
	 * that takes pieces; then with a cache of 3 frames, the rest copied. */
	{
		static uint8_t model[12000], arena[3 * 4136] __attribute__((aligned(4096)));
		static uint8_t big_arena[1u << 20] __attribute__((aligned(4096)));
		uint64_t refs0 = dev.stats.ref_replies;

		for (unsigned i = 0; i < sizeof(model); i++)
			model[i] = (uint8_t)(i * 13 + (i >> 8));
		memset(model + 3600, 0, 9000 - 3600);
		for (unsigned off = 0; off < 3600; off += 900) {
			struct { struct fuse_write_in w; uint8_t d[900]; } wr = {
				.w = { .fh = fh, .offset = off, .size = 900 } };
			memcpy(wr.d, model + off, 900);
			id = offer(1, FUSE_WRITE, node, &wr, sizeof(wr), NULL, OUT_MAX);
			fsdev_serve(&dev, 1);
			CHECK(reply(id)->error == 0, "WRITE at %u", off);
		}
		{
			struct { struct fuse_write_in w; uint8_t d[900]; } wr = {
				.w = { .fh = fh, .offset = 9000, .size = 900 } };
			memcpy(wr.d, model + 9000, 900);
			offer(1, FUSE_WRITE, node, &wr, sizeof(wr), NULL, OUT_MAX);
			fsdev_serve(&dev, 1);
		}
		for (int pass = 0; pass < 4; pass++) {
			static const unsigned offs[4] = { 100, 2000, 5500, 0 };
			struct fuse_read_in ri = { .fh = fh, .offset = offs[pass], .size = 4000 };
			unsigned v0 = scatterv_calls;
			size_t want = offs[pass] + 4000 > 9900 ? 9900 - offs[pass] : 4000;

			dev.ops = pass % 2 ? &ops_v : &ops;
			if (pass == 2)
				vfs_pcache_setup(arena, sizeof(arena));
			id = offer(1, FUSE_READ, node, &ri, sizeof(ri), NULL, OUT_MAX);
			fsdev_serve(&dev, 1);
			CHECK(reply(id)->error == 0 && reply(id)->len == sizeof(struct fuse_out_header) + want &&
			      ch[id].used_len == reply(id)->len, "READ %d: error %d len %u", pass, reply(id)->error,
			      reply(id)->len);
			CHECK(memcmp(ch[id].out + sizeof(struct fuse_out_header), model + offs[pass], want) == 0,
			      "READ %d: the file's bytes", pass);
			CHECK(scatterv_calls == v0 + (pass % 2), "READ %d: sent in pieces %u times", pass,
			      scatterv_calls - v0);
		}
		CHECK(tail_pieces == 1, "%u READs finished by copy with 3 frames", tail_pieces);
		CHECK(dev.stats.ref_replies == refs0 + 4, "%llu READs answered by reference",
		      (unsigned long long)(dev.stats.ref_replies - refs0));
		vfs_pcache_setup(big_arena, sizeof(big_arena));
		dev.ops = &ops;
	}

	/* Bad chains, policy "complete empty and go on". */
	refuse_bad = 0;
	id = offer(1, FUSE_GETATTR, node, &ga, sizeof(ga), NULL, OUT_MAX);
	ch[id].malformed = 1;
	first = offer(1, FUSE_GETATTR, node, &ga, sizeof(ga), NULL, OUT_MAX);
	CHECK(fsdev_serve(&dev, 1) == 0, "serving goes on past a malformed chain");
	CHECK(ch[id].pushed == 1 && ch[id].used_len == 0 && ch[id].out[0] == 0xa5 && bad_calls == 1 &&
	      !strcmp(last_why, "malformed descriptor chain"), "malformed chain completed empty");
	CHECK(ch[first].pushed == 1 && reply(first)->error == 0, "the next chain is served");
	id = offer(1, FUSE_GETATTR, node, &ga, sizeof(ga), NULL, OUT_MAX);
	ch[id].in_len = 10;
	fsdev_serve(&dev, 1);
	CHECK(ch[id].pushed == 1 && ch[id].used_len == 0 && bad_calls == 2 &&
	      !strcmp(last_why, "request without a FUSE header"), "10-byte request completed empty (%s)",
	      last_why);

	/* Bad chains, policy "stop": nothing returned, nothing more taken. */
	refuse_bad = 1;
	id = offer(1, FUSE_GETATTR, node, &ga, sizeof(ga), NULL, OUT_MAX);
	ch[id].malformed = 1;
	first = offer(1, FUSE_GETATTR, node, &ga, sizeof(ga), NULL, OUT_MAX);
	CHECK(fsdev_serve(&dev, 1) < 0, "a refused chain stops the queue");
	CHECK(ch[id].pushed == 0 && ch[first].pushed == 0 && fail_calls == 0,
	      "refused: not returned, the next not taken, fail not called again (%u)", fail_calls);
	fhead[1] = ftail[1];
	memset(slot_of, -1, sizeof(slot_of));
	refuse_bad = 0;

	/* Fair queues: one chain per queue per turn, the hiprio queue first.
	 * Both notified at once: the FORGET goes before the requests. Then a
	 * FORGET notified while the request queue drains (after its 2nd chain)
	 * is served at the next turn, not behind the 14 requests left. */
	{
		struct fuse_forget_in fi = { .nlookup = 1 };
		unsigned reqs[16], fg, before = pops, before_signals = signals;

		offer(1, FUSE_LOOKUP, 1, NULL, 0, "locked", OUT_MAX);	/* refs to forget */
		offer(1, FUSE_LOOKUP, 1, NULL, 0, "locked", OUT_MAX);
		fsdev_serve(&dev, 1);
		for (unsigned i = 0; i < 3; i++)
			reqs[i] = offer(1, FUSE_GETATTR, node, &ga, sizeof(ga), NULL, OUT_MAX);
		fg = offer(0, FUSE_FORGET, node, &fi, sizeof(fi), NULL, 0);
		CHECK(fsdev_serve_queues(&dev, 3u) == 0, "serve both queues");
		CHECK(ch[fg].pushed == 1 && ch[fg].popped_at == before + 3,
		      "hiprio first: FORGET popped %u of 4", ch[fg].popped_at - before - 2);
		CHECK(ch[reqs[2]].pushed == 1 && reply(reqs[2])->error == 0, "the requests answered");
		CHECK(signals >= before_signals + 2, "both queues signalled (%u)", signals - before_signals);

		for (unsigned i = 0; i < 16; i++)
			reqs[i] = offer(1, FUSE_GETATTR, node, &ga, sizeof(ga), NULL, OUT_MAX);
		fg = offer(0, FUSE_FORGET, node, &fi, sizeof(fi), NULL, 0);
		ftail[0]--;		/* not there yet: it comes during the drain */
		inject_id = (int)fg;
		q1_pops = 0;
		inject_after = 2;
		notified_calls = 0;
		CHECK(fsdev_serve_queues(&dev, 1u << 1) == 0, "serve the request queue");
		CHECK(ch[fg].pushed == 1 && ch[fg].popped_at < ch[reqs[3]].popped_at,
		      "FORGET notified during the drain served at the next turn (popped at %u, "
		      "the 4th request at %u)", ch[fg].popped_at - before, ch[reqs[3]].popped_at - before);
		for (unsigned i = 0; i < 16; i++)
			CHECK(ch[reqs[i]].pushed == 1 && reply(reqs[i])->error == 0 &&
			      (i == 0 || ch[reqs[i]].popped_at > ch[reqs[i - 1]].popped_at),
			      "request %u answered in order", i);
		CHECK(notified_calls >= 16, "notifications asked once per turn (%u)", notified_calls);
	}

	/* Several O_DIRECT READs and WRITEs of one handle on the ring at once,
	 * as a guest sends them once FUSE_ASYNC_DIO is agreed (libaio at depth
	 * 16): 16 WRITEs queued together, then 16 READs of them amid 8 WRITEs
	 * to other ranges, then READs of those. Each is answered once, on its
	 * own chain, with its own unique, and every READ returns the bytes
	 * written before it was queued. */
	{
		enum { DEPTH = 16, PIECE = 512, STRIDE = 4096 };
		struct fuse_create_in dci = { .flags = 2 | FUSE_O_DIRECT, .mode = 0100644 };
		unsigned w[DEPTH], rd[DEPTH], w2[DEPTH / 2];
		uint64_t dnode, dfh;

		id = offer(1, FUSE_CREATE, 1, &dci, sizeof(dci), "direct", OUT_MAX);
		fsdev_serve(&dev, 1);
		{
			const struct fuse_entry_out *e = (const void *)(ch[id].out + sizeof(struct fuse_out_header));
			const struct fuse_open_out *o = (const void *)(e + 1);

			CHECK(reply(id)->error == 0, "CREATE direct (O_DIRECT): %d", reply(id)->error);
			dnode = e->nodeid;
			dfh = o->fh;
		}
		for (unsigned k = 0; k < DEPTH; k++) {
			struct { struct fuse_write_in w; uint8_t d[PIECE]; } wr = {
				.w = { .fh = dfh, .offset = (uint64_t)(DEPTH - 1 - k) * STRIDE, .size = PIECE } };

			memset(wr.d, 0x40 + (int)(DEPTH - 1 - k), PIECE);
			w[k] = offer(1, FUSE_WRITE, dnode, &wr, sizeof(wr), NULL, OUT_MAX);
		}
		CHECK(fsdev_serve_queues(&dev, 1u << 1) == 0, "serve 16 queued O_DIRECT WRITEs");
		for (unsigned k = 0; k < DEPTH; k++) {
			const struct fuse_write_out *wo = (const void *)(ch[w[k]].out + sizeof(struct fuse_out_header));

			CHECK(ch[w[k]].pushed == 1 && reply(w[k])->error == 0 && reply(w[k])->unique == unique_of(w[k]) &&
			      wo->size == PIECE, "queued WRITE %u: answered once on its chain (pushed %d, error %d, "
			      "size %u)", k, ch[w[k]].pushed, reply(w[k])->error, wo->size);
		}
		for (unsigned k = 0; k < DEPTH; k++) {
			struct fuse_read_in ri = { .fh = dfh, .offset = (uint64_t)k * STRIDE, .size = PIECE };

			rd[k] = offer(1, FUSE_READ, dnode, &ri, sizeof(ri), NULL, OUT_MAX);
			if (k % 2) {
				struct { struct fuse_write_in w; uint8_t d[PIECE]; } wr = {
					.w = { .fh = dfh, .offset = (uint64_t)(k / 2) * STRIDE + 2048, .size = PIECE } };

				memset(wr.d, 0x60 + (int)(k / 2), PIECE);
				w2[k / 2] = offer(1, FUSE_WRITE, dnode, &wr, sizeof(wr), NULL, OUT_MAX);
			}
		}
		CHECK(fsdev_serve_queues(&dev, 1u << 1) == 0, "serve 16 READs amid 8 WRITEs");
		for (unsigned k = 0; k < DEPTH; k++) {
			const uint8_t *d = ch[rd[k]].out + sizeof(struct fuse_out_header);
			unsigned bad = 0;

			for (unsigned i = 0; i < PIECE; i++)
				bad += d[i] != 0x40 + k;
			CHECK(ch[rd[k]].pushed == 1 && reply(rd[k])->error == 0 && reply(rd[k])->unique == unique_of(rd[k]) &&
			      reply(rd[k])->len == sizeof(struct fuse_out_header) + PIECE && !bad,
			      "queued READ %u: its own bytes on its chain (pushed %d, error %d, len %u, %u bytes wrong)",
			      k, ch[rd[k]].pushed, reply(rd[k])->error, reply(rd[k])->len, bad);
			if (k % 2)
				CHECK(ch[w2[k / 2]].pushed == 1 && reply(w2[k / 2])->error == 0 &&
				      reply(w2[k / 2])->unique == unique_of(w2[k / 2]), "WRITE %u amid the READs answered",
				      k / 2);
		}
		for (unsigned k = 0; k < DEPTH / 2; k++) {
			struct fuse_read_in ri = { .fh = dfh, .offset = (uint64_t)k * STRIDE + 2048, .size = PIECE };

			rd[k] = offer(1, FUSE_READ, dnode, &ri, sizeof(ri), NULL, OUT_MAX);
		}
		fsdev_serve_queues(&dev, 1u << 1);
		for (unsigned k = 0; k < DEPTH / 2; k++) {
			const uint8_t *d = ch[rd[k]].out + sizeof(struct fuse_out_header);
			unsigned bad = 0;

			for (unsigned i = 0; i < PIECE; i++)
				bad += d[i] != 0x60 + k;
			CHECK(ch[rd[k]].pushed == 1 && reply(rd[k])->error == 0 && !bad,
			      "READ %u of a WRITE queued amid READs: %u bytes wrong", k, bad);
		}
		{
			struct fuse_release_in rl = { .fh = dfh };

			id = offer(1, FUSE_RELEASE, dnode, &rl, sizeof(rl), NULL, OUT_MAX);
			fsdev_serve(&dev, 1);
			CHECK(reply(id)->error == 0, "RELEASE direct: %d", reply(id)->error);
		}
	}

	/* Idle work. The FORGET of a big unlinked file (32 extents, 1 MiB) is
	 * answered with the inode still there; fsdev_idle frees it in steps,
	 * looking at the queues before each: a GETATTR notified before the 3rd
	 * step is served then, after 2 steps, not after the whole job. */
	{
		struct fuse_forget_in fi = { .nlookup = 1 };
		struct fuse_release_in ri = { 0 };
		struct vfs_attr va;
		uint64_t big, big_ino, steps0;
		unsigned steps = 0, g;
		int more;

		id = offer(1, FUSE_CREATE, 1, &ci, sizeof(ci), "big", OUT_MAX);
		fsdev_serve(&dev, 1);
		{
			const struct fuse_entry_out *e = (const void *)(ch[id].out + sizeof(struct fuse_out_header));
			const struct fuse_open_out *o = (const void *)(e + 1);

			CHECK(reply(id)->error == 0, "CREATE big: %d", reply(id)->error);
			big = e->nodeid;
			big_ino = e->attr.ino;
			ri.fh = o->fh;
		}
		for (unsigned k = 0; k < 32; k++) {
			struct fuse_fallocate_in fa = { .fh = ri.fh, .offset = k * 32768ull, .length = 8192 };

			id = offer(1, FUSE_FALLOCATE, big, &fa, sizeof(fa), NULL, OUT_MAX);
			fsdev_serve(&dev, 1);
			CHECK(reply(id)->error == 0, "FALLOCATE %u: %d", k, reply(id)->error);
		}
		id = offer(1, FUSE_RELEASE, big, &ri, sizeof(ri), NULL, OUT_MAX);
		fsdev_serve(&dev, 1);
		id = offer(1, FUSE_UNLINK, 1, NULL, 0, "big", OUT_MAX);
		fsdev_serve(&dev, 1);
		CHECK(reply(id)->error == 0, "UNLINK big: %d", reply(id)->error);
		while (fsdev_idle(&dev, 1))	/* the commit the requests left */
			;
		id = offer(0, FUSE_FORGET, big, &fi, sizeof(fi), NULL, 0);
		CHECK(fsdev_serve(&dev, 0) == 0 && ch[id].pushed == 1, "FORGET returned");
		CHECK(vfs_getattr(fs, big_ino, &va) == 0 && va.nlink == 0 && va.blocks > 0,
		      "after the FORGET the inode still holds its blocks (eviction queued)");
		g = offer(1, FUSE_GETATTR, node, &ga, sizeof(ga), NULL, OUT_MAX);
		ftail[1]--;		/* not there yet: notified before the 3rd step */
		idle_inject_id = (int)g;
		notified_calls = 0;
		idle_inject_at = 3;
		steps0 = dev.stats.idle_steps;
		more = fsdev_idle(&dev, 1000);
		CHECK(more == 1 && ch[g].pushed == 1 && reply(g)->error == 0,
		      "a request notified during idle work is served (more %d, pushed %d)", more, ch[g].pushed);
		CHECK(dev.stats.idle_steps - steps0 == 2 && dev.stats.idle_yields == 1,
		      "after %llu idle steps, not more than one past its arrival",
		      (unsigned long long)(dev.stats.idle_steps - steps0));
		CHECK(vfs_getattr(fs, big_ino, &va) == 0, "two steps did not free the whole file");
		while (fsdev_idle(&dev, 1))
			steps++;
		CHECK(steps >= 8, "%u more steps free 32 extents (4 a step at most)", steps);
		CHECK(vfs_getattr(fs, big_ino, &va) == -ESTALE, "freed by the idle steps");
		CHECK(fsdev_idle(&dev, 1000) == 0, "no idle work left");
		printf("idle: %u steps freed a 1 MiB file of 32 extents\n", steps + 2);
	}

	/* Reply room: a reply larger than the writable buffers is never written
	 * past them; FORGET takes no reply. */
	id = offer(1, FUSE_GETATTR, node, &ga, sizeof(ga), NULL, 8);
	fsdev_serve(&dev, 1);
	CHECK(ch[id].pushed == 1 && ch[id].used_len == 0 && ch[id].out[0] == 0xa5,
	      "GETATTR into 8 bytes: completed empty, nothing written");
	{
		struct fuse_forget_in fi = { .nlookup = 1 };
		uint64_t before = dev.stats.bytes_out;

		id = offer(1, FUSE_FORGET, node, &fi, sizeof(fi), NULL, 0);
		fsdev_serve(&dev, 1);
		CHECK(ch[id].pushed == 1 && ch[id].used_len == 0 && dev.stats.bytes_out == before,
		      "FORGET: returned with nothing written");
	}

	/* A request longer than the loop's buffer arrives cut short: EINVAL. */
	fsdev_init(&dev, &srv, &ops, NULL, reqbuf, 48, repbuf, sizeof(repbuf));
	id = offer(1, FUSE_GETATTR, node, &ga, sizeof(ga), NULL, OUT_MAX);
	fsdev_serve(&dev, 1);
	CHECK(ch[id].pushed == 1 && reply(id)->error == -EINVAL && reply(id)->unique == unique_of(id),
	      "request cut short: EINVAL (%d)", reply(id)->error);

	CHECK(dev.stats.requests > 0 && dev.stats.bytes_in > 0, "statistics count");
	fuse_server_reset(&srv);
	CHECK(vfs_unmount(fs) == 0, "unmount");
	blockdev_file_close(&bf);
	printf("%d passed, %d failed\n", passed, failed);
	return failed || !passed ? 1 : 0;	/* no check run is no pass */
}
