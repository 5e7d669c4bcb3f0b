/*
 * The virtio-fs request loop (see fsdev.h): pop, gather, dispatch, scatter,
 * push, and the requests the server answers later.
 */
#include "fsdev.h"

#include <errno.h>
#include <string.h>

#include <linux/fuse.h>

#include "phase.h"

void fsdev_init(struct fsdev *d, struct fuse_server *srv, const struct fsdev_queue_ops *ops,
		void *ctx, void *req, size_t req_cap, void *rep, size_t rep_cap)
{
	memset(d, 0, sizeof(*d));
	d->srv = srv;
	d->ops = ops;
	d->ctx = ctx;
	d->req = req;
	d->req_cap = req_cap;
	d->rep = rep;
	d->rep_cap = rep_cap;
}

/* A slot no deferred request holds; there is always one (FSDEV_SLOTS). */
static unsigned free_slot(const struct fsdev *d)
{
	unsigned s = 0;

	while (s < FSDEV_SLOTS - 1 && d->slot[s].busy)
		s++;
	return s;
}

/*
 * A READ's pieces (struct fuse_srv_ref) put in d->rep after the header, for
 * a binding that sends one buffer. Last piece first: a piece the server
 * copied into d->rep sits at the header's end and only ever moves up.
 */
static void flatten(struct fsdev *d, const struct fuse_srv_ref *ref, size_t len)
{
	size_t end = len;

	for (unsigned i = ref->nseg; i-- > 0;) {
		end -= ref->seg[i].len;
		if (ref->seg[i].p)
			memmove(d->rep + end, ref->seg[i].p, ref->seg[i].len);
		else
			memset(d->rep + end, 0, ref->seg[i].len);
	}
}

/* Sends a reply of len bytes: from d->rep, or, for a READ answered by
 * reference, its header from d->rep and its data from the pieces. */
static long send_reply(struct fsdev *d, unsigned s, size_t len, int by_ref)
{
	struct fuse_srv_ref *ref = &d->srv->ref;
	const size_t head = sizeof(struct fuse_out_header);

	if (!by_ref || !ref->nseg)
		return d->ops->scatter(d->ctx, s, d->rep, len);
	d->stats.ref_replies++;
	if (d->ops->scatterv)
		return d->ops->scatterv(d->ctx, s, d->rep, head, ref->seg, ref->nseg, len);
	flatten(d, ref, len);
	return d->ops->scatter(d->ctx, s, d->rep, len);
}

/* Writes a reply of len bytes (len <= 0: none) into the slot's chain and
 * returns it to the used ring. by_ref: the reply may be a READ answered by
 * reference (the request just dispatched). */
static int complete(struct fsdev *d, unsigned q, unsigned s, uint64_t wr, long len, int by_ref)
{
	long n = 0;
	int ret;

	if (len > 0 && (uint64_t)len > wr) {
		d->stats.no_room++;	/* FORGET-style chains with no writable buffer */
	} else if (len > 0) {
		n = send_reply(d, s, (size_t)len, by_ref);
		if (n < 0) {
			d->stats.no_room++;	/* host memory refused the bytes */
			n = 0;
		}
		phase_mark(SOC_PHASE_SCATTER, 0);
	}
	if (by_ref) {
		d->srv->ref.nseg = 0;
		vfs_pcache_unpin_all();	/* the frames' bytes are out */
	}
	d->stats.bytes_out += (uint64_t)n;
	ret = d->ops->push(d->ctx, q, s, (uint32_t)n);
	phase_mark(SOC_PHASE_PUSH, 0);
	return ret;
}

/* Answers the waiting requests the server has replies for now. */
static int drain_deferred(struct fsdev *d)
{
	uint64_t unique;
	long len;

	while ((len = fuse_server_pending_reply(d->srv, &unique, d->rep, d->rep_cap)) > 0) {
		unsigned s;

		for (s = 0; s < FSDEV_SLOTS; s++)
			if (d->slot[s].busy && d->slot[s].unique == unique)
				break;
		if (s == FSDEV_SLOTS)
			continue;	/* its queue was stopped meanwhile */
		d->slot[s].busy = 0;
		if (complete(d, d->slot[s].q, s, d->slot[s].wr, len, 0)) {
			d->ops->fail(d->ctx, d->slot[s].q, -EIO);
			return -EIO;
		}
		if (d->ops->signal)
			d->ops->signal(d->ctx, d->slot[s].q);
	}
	return 0;
}

/*
 * The binding could not read a request's bytes (host memory refused them:
 * UR, CA, a poisoned or a missing completion): what arrived is garbage and
 * is never dispatched. If the header alone can be read now (the fault was
 * in the request's data), the request gets EIO and the queue goes on;
 * otherwise err goes back (the queue stops, ops->fail).
 */
static int refuse_unreadable(struct fsdev *d, unsigned q, unsigned s, uint64_t wr, long err)
{
	struct fuse_out_header o = { .len = sizeof(o), .error = -EIO };
	const struct fuse_in_header *h = (const void *)d->req;

	if (d->ops->gather(d->ctx, s, d->req, sizeof(*h)) != (long)sizeof(*h))
		return (int)err;
	d->stats.unreadable++;
	o.unique = h->unique;
	memcpy(d->rep, &o, sizeof(o));
	return complete(d, q, s, wr, sizeof(o), 0);
}

/* serve_chain's answer when the binding refused a chain and stopped. */
#define STOPPED 1

/* One chain, popped into slot s: the request in, the reply out. 0, STOPPED,
 * or a negative errno (the queue cannot go on). */
static int serve_chain(struct fsdev *d, unsigned q, unsigned s, uint64_t rd, uint64_t wr)
{
	size_t want = rd < d->req_cap ? (size_t)rd : d->req_cap;
	size_t cap = wr < d->rep_cap ? (size_t)wr : d->rep_cap;
	const struct fuse_in_header *h = (const void *)d->req;
	long got, len;

	got = d->ops->gather(d->ctx, s, d->req, want);
	if (got < 0)
		return refuse_unreadable(d, q, s, wr, got);
	phase_mark(SOC_PHASE_GATHER, 0);
	d->stats.bytes_in += (uint64_t)got;
	if ((size_t)got < sizeof(*h)) {
		d->stats.bad_chains++;
		if (d->ops->bad_chain(d->ctx, q, s, "request without a FUSE header"))
			return STOPPED;
		return complete(d, q, s, wr, 0, 0);
	}
	/* FORGET and BATCH_FORGET come without a writable buffer and take no
	 * reply; the server still needs room to refuse a malformed one. A
	 * request longer than req_cap arrives cut short: the server sees a
	 * header length that disagrees with the bytes and answers EINVAL. */
	if (cap < sizeof(struct fuse_out_header) && wr == 0)
		cap = sizeof(struct fuse_out_header);
	d->stats.requests++;
	phase_mark(SOC_PHASE_DISPATCH, h->opcode);
	d->srv->ref.ok = 1;
	d->srv->ref.nseg = 0;
	len = fuse_dispatch(d->srv, d->req, (size_t)got, d->rep, cap);
	phase_mark(SOC_PHASE_REPLY, 0);
	if (len == FUSE_SRV_DEFERRED) {
		d->slot[s].busy = 1;
		d->slot[s].q = q;
		d->slot[s].unique = h->unique;
		d->slot[s].wr = wr;
		return 0;
	}
	if (len < 0) {
		/* Not even room for a reply header: completed empty. */
		d->stats.bad_chains++;
		len = 0;
	}
	return complete(d, q, s, wr, len, 1);
}

/* Takes one chain off queue q and answers it: 1 when a chain was taken, 0
 * when the ring was empty, or the negative errno that stopped the queue
 * (ops->fail or ops->bad_chain has been told). */
static int serve_one(struct fsdev *d, unsigned q)
{
	unsigned s = free_slot(d);
	uint64_t rd = 0, wr = 0;
	int ret = d->ops->pop(d->ctx, q, s, &rd, &wr);

	if (ret == 0)
		return 0;
	phase_mark(SOC_PHASE_POP, q);
	if (ret == -EINVAL) {
		d->stats.bad_chains++;
		if (d->ops->bad_chain(d->ctx, q, s, "malformed descriptor chain"))
			return -EIO;
		ret = complete(d, q, s, 0, 0, 0);
	} else if (ret > 0) {
		ret = serve_chain(d, q, s, rd, wr);
		if (ret == STOPPED)
			return -EIO;
	}
	if (ret) {
		d->ops->fail(d->ctx, q, ret);
		return ret;
	}
	ret = drain_deferred(d);
	return ret ? ret : 1;
}

int fsdev_serve(struct fsdev *d, unsigned q)
{
	int ret;

	while ((ret = serve_one(d, q)) > 0)
		;
	if (ret < 0)
		return ret;
	if (d->ops->signal)
		d->ops->signal(d->ctx, q);
	return 0;
}

/*
 * Round robin, one chain per queue per turn, lowest queue first: the hiprio
 * queue (0, FORGET and INTERRUPT) is looked at before every request the
 * request queues give, so a FORGET never waits for a drained request queue.
 * Queues notified while we serve (ops->notified) join at the next turn.
 */
int fsdev_serve_queues(struct fsdev *d, uint32_t mask)
{
	uint32_t dead = 0;	/* queues that failed: not served again here */
	int err = 0;

	while (mask) {
		if (d->ops->notified)
			mask |= d->ops->notified(d->ctx) & ~dead;
		if (d->ops->hand_over)
			mask &= ~d->ops->hand_over(d->ctx, mask, fuse_server_idle_due(d->srv));
		if (!mask)
			break;
		for (unsigned q = 0; q < 32 && (mask >> q); q++) {
			uint32_t bit = 1u << q;
			int ret;

			if (!(mask & bit))
				continue;
			ret = serve_one(d, q);
			if (ret > 0)
				continue;
			mask &= ~bit;
			if (ret < 0) {
				dead |= bit;
				if (!err)
					err = ret;
			} else if (ret == 0 && d->ops->signal)
				d->ops->signal(d->ctx, q);	/* its batch is done */
		}
	}
	return err;
}

int fsdev_idle(struct fsdev *d, unsigned max_steps)
{
	for (unsigned i = 0; i < max_steps; i++) {
		uint32_t news = d->ops->notified ? d->ops->notified(d->ctx) : 0;

		if (news) {
			d->stats.idle_yields++;
			fsdev_serve_queues(d, news);
			return 1;
		}
		d->stats.idle_steps++;
		if (fuse_server_idle(d->srv) <= 0)
			return 0;
	}
	return 1;
}

void fsdev_stop_queue(struct fsdev *d, unsigned q)
{
	for (unsigned s = 0; s < FSDEV_SLOTS; s++)
		if (d->slot[s].busy && d->slot[s].q == q)
			d->slot[s].busy = 0;
}

void fsdev_reset(struct fsdev *d)
{
	for (unsigned s = 0; s < FSDEV_SLOTS; s++)
		d->slot[s].busy = 0;
}
