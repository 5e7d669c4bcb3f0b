/*
 * Several FUSE requests in flight on one request queue of the simulated
 * card, for host tests that drive the ring themselves instead of the
 * driver's one-call-at-a-time vfsdrv_fuse_call: slot i is the direct chain
 * of descriptors 2i (the request) and 2i + 1 (the reply buffer), posted
 * with or without a notify and reaped from the used ring in any order.
 */
#ifndef TESTS_RING_SLOTS_H
#define TESTS_RING_SLOTS_H

#include <errno.h>
#include <stdint.h>

#include <linux/fuse.h>
#include <linux/virtio_ring.h>

#include "fuse_req.h"
#include "vfsdrv.h"

struct ring_slot {
	uint8_t *in, *out;
	uint64_t in_iova, out_iova;
	int busy, done;
	uint32_t outlen;
	uint64_t unique;
};

struct ring_slots {
	struct vfsdrv *drv;
	unsigned q;			/* the request queue */
	struct ring_slot *slot;
	unsigned n;
	size_t reqcap, repcap;		/* bytes of each slot's buffers */
	uint64_t *unique;		/* the caller's unique counter */
	unsigned stray;			/* used entries that named no slot in flight */
};

/* Buffers for every slot from the transport's DMA memory: 0 or -ENOMEM. */
static inline int ring_slots_alloc(struct ring_slots *r, struct vfs_transport *tr)
{
	for (unsigned i = 0; i < r->n; i++) {
		r->slot[i].in = tr->ops->dma_alloc(tr, r->reqcap, &r->slot[i].in_iova);
		r->slot[i].out = tr->ops->dma_alloc(tr, r->repcap, &r->slot[i].out_iova);
		if (!r->slot[i].in || !r->slot[i].out)
			return -ENOMEM;
	}
	return 0;
}

/* Publishes request rq in slot i with outcap bytes of reply room, then
 * notifies the queue if notify is set: 0 or a negative errno. */
static inline int ring_slots_post(struct ring_slots *r, unsigned i, const struct fuse_req *rq, uint32_t outcap,
				  int notify)
{
	struct vfsdrv_queue *q = &r->drv->q[r->q];
	struct ring_slot *s = &r->slot[i];
	struct fuse_req one = *rq;
	uint16_t head = (uint16_t)(2 * i), idx;
	size_t len;

	one.unique = s->unique = (*r->unique)++;
	len = fuse_req_build(s->in, r->reqcap, &one);
	if (!len || outcap > r->repcap || !q->mem || 2 * i + 1 >= q->size)
		return -EINVAL;
	q->desc[head].addr = s->in_iova;
	q->desc[head].len = (uint32_t)len;
	q->desc[head].flags = VRING_DESC_F_NEXT;
	q->desc[head].next = (uint16_t)(head + 1);
	q->desc[head + 1].addr = s->out_iova;
	q->desc[head + 1].len = outcap;
	q->desc[head + 1].flags = VRING_DESC_F_WRITE;
	q->desc[head + 1].next = 0;
	idx = q->avail->idx;
	q->avail->ring[idx % q->size] = head;
	__atomic_thread_fence(__ATOMIC_RELEASE);	/* descriptors before the index */
	q->avail->idx = (uint16_t)(idx + 1);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	s->busy = 1;
	s->done = 0;
	return notify ? vfsdrv_notify(r->drv, r->q) : 0;
}

/* Takes the used entries the card wrote (an entry naming no slot in flight
 * counts in stray). */
static inline void ring_slots_reap(struct ring_slots *r)
{
	struct vfsdrv_queue *q = &r->drv->q[r->q];

	while (q->mem && __atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE) != q->last_used) {
		struct vring_used_elem e = q->used->ring[q->last_used % q->size];

		q->last_used++;
		if (e.id % 2 == 0 && e.id / 2 < r->n && r->slot[e.id / 2].busy) {
			r->slot[e.id / 2].busy = 0;
			r->slot[e.id / 2].done = 1;
			r->slot[e.id / 2].outlen = e.len;
		} else {
			r->stray++;
		}
	}
}

/* The FUSE reply of an answered slot: -error, or the payload's length. */
static inline long ring_slots_reply(const struct ring_slots *r, unsigned i)
{
	const struct fuse_out_header *o = (const void *)r->slot[i].out;

	if (r->slot[i].outlen < sizeof(*o) || o->unique != r->slot[i].unique || o->len != r->slot[i].outlen)
		return -EPROTO;
	if (o->error)
		return o->error;
	return (long)(r->slot[i].outlen - sizeof(*o));
}

#endif /* TESTS_RING_SLOTS_H */
