/*
 * Split virtqueue walker: see vring.h. Ordering: the avail index is read with
 * acquire semantics before the entries it covers; used entries are written
 * before the used index is released; the event index is published before the
 * ring is re-checked for work so that a kick is never missed.
 */
#include "vring.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static uint16_t *avail_event(struct vu_vring *vq)
{
	return (uint16_t *)&vq->used->ring[vq->num];
}

static uint16_t used_event(struct vu_vring *vq)
{
	return __atomic_load_n(&vq->avail->ring[vq->num], __ATOMIC_ACQUIRE);
}

static void mark_broken(struct vu_dev *d, unsigned q, const char *why)
{
	fprintf(stderr, "%s: queue %u: %s; queue stopped until it is set up again\n",
		d->name ? d->name : "vring", q, why);
	d->vq[q].broken = 1;
}

/* Appends the guest buffer [addr, addr + len) as segments; 0 or -EINVAL. */
static int add_buffer(struct vu_dev *d, struct vring_chain *c, uint64_t addr, uint32_t len,
		      int writable)
{
	while (len) {
		void *host;
		uint64_t n = vu_gpa_span(d, addr, len, &host);

		if (!n || c->nin + c->nout >= VRING_MAX_SEGS)
			return -EINVAL;
		c->seg[c->nin + c->nout].host = host;
		c->seg[c->nin + c->nout].len = (uint32_t)n;
		if (writable) {
			c->nout++;
			c->out_bytes += n;
		} else {
			c->nin++;
			c->in_bytes += n;
		}
		addr += n;
		len -= (uint32_t)n;
	}
	return 0;
}

/* Walks a descriptor table (the ring's, or an indirect one) from index i. */
static int walk(struct vu_dev *d, struct vring_chain *c, const struct vring_desc *table,
		uint32_t size, uint16_t i, int indirect_ok)
{
	uint32_t steps = 0;

	for (;;) {
		struct vring_desc desc;
		int writable;

		if (i >= size || ++steps > size)
			return -EINVAL;	/* out of the table, or a loop */
		memcpy(&desc, &table[i], sizeof(desc));
		if (desc.flags & VRING_DESC_F_INDIRECT) {
			const struct vring_desc *ind;

			if (!indirect_ok || (desc.flags & VRING_DESC_F_NEXT) || !desc.len ||
			    desc.len % sizeof(struct vring_desc) ||
			    !vu_has_feature(d, VIRTIO_RING_F_INDIRECT_DESC))
				return -EINVAL;
			ind = vu_gpa_to_host(d, desc.addr, desc.len);
			if (!ind)
				return -EINVAL;
			return walk(d, c, ind, desc.len / sizeof(struct vring_desc), 0, 0);
		}
		writable = !!(desc.flags & VRING_DESC_F_WRITE);
		if (!writable && c->nout)
			return -EINVAL;	/* readable after writable */
		if (add_buffer(d, c, desc.addr, desc.len, writable))
			return -EINVAL;
		if (!(desc.flags & VRING_DESC_F_NEXT))
			return 0;
		i = desc.next;
	}
}

int vring_pop(struct vu_dev *d, unsigned q, struct vring_chain *c)
{
	struct vu_vring *vq = &d->vq[q];
	uint16_t avail_idx, head;

	if (vq->broken || !vq->desc || !vq->avail || !vq->used)
		return -EIO;
	avail_idx = __atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE);
	if ((uint16_t)(avail_idx - vq->last_avail) > vq->num) {
		mark_broken(d, q, "avail index moved by more than the ring size");
		return -EIO;
	}
	if (avail_idx == vq->last_avail) {
		if (!vu_has_feature(d, VIRTIO_RING_F_EVENT_IDX))
			return 0;
		/* Ask for a kick at the next entry, then look once more. */
		__atomic_store_n(avail_event(vq), vq->last_avail, __ATOMIC_RELEASE);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		avail_idx = __atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE);
		if (avail_idx == vq->last_avail)
			return 0;
	}
	head = vq->avail->ring[vq->last_avail % vq->num];
	vq->last_avail++;
	if (vu_has_feature(d, VIRTIO_RING_F_EVENT_IDX))
		__atomic_store_n(avail_event(vq), vq->last_avail, __ATOMIC_RELEASE);
	memset(c, 0, offsetof(struct vring_chain, seg));
	c->head = head;
	if (head >= vq->num) {
		mark_broken(d, q, "avail ring names a descriptor past the table");
		return -EIO;
	}
	if (walk(d, c, vq->desc, vq->num, head, 1)) {
		c->nin = c->nout = 0;
		c->in_bytes = c->out_bytes = 0;
		return -EINVAL;
	}
	return 1;
}

void vring_push(struct vu_dev *d, unsigned q, uint16_t head, uint32_t len)
{
	struct vu_vring *vq = &d->vq[q];
	struct vring_used_elem *e;

	if (vq->broken || !vq->used)
		return;
	e = &vq->used->ring[vq->used_idx % vq->num];
	e->id = head;
	e->len = len;
	vq->used_idx++;
	__atomic_store_n(&vq->used->idx, vq->used_idx, __ATOMIC_RELEASE);
}

void vring_signal(struct vu_dev *d, unsigned q)
{
	struct vu_vring *vq = &d->vq[q];
	uint16_t old = vq->signalled_used, now = vq->used_idx;
	int need;

	if (!vq->used || !vq->avail)
		return;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (vu_has_feature(d, VIRTIO_RING_F_EVENT_IDX)) {
		if (vq->signalled_valid && old == now)
			return;
		need = !vq->signalled_valid ||
		       vring_need_event(used_event(vq), now, old);
	} else {
		need = old != now || !vq->signalled_valid;
		need = need && !(__atomic_load_n(&vq->avail->flags, __ATOMIC_ACQUIRE) &
				 VRING_AVAIL_F_NO_INTERRUPT);
	}
	vq->signalled_used = now;
	vq->signalled_valid = 1;
	if (need)
		vu_notify(d, q);
}

size_t vring_gather(const struct vring_chain *c, void *dst, size_t cap)
{
	size_t done = 0;

	for (unsigned i = 0; i < c->nin && done < cap; i++) {
		size_t n = c->seg[i].len < cap - done ? c->seg[i].len : cap - done;

		memcpy((uint8_t *)dst + done, c->seg[i].host, n);
		done += n;
	}
	return done;
}

size_t vring_scatter_at(const struct vring_chain *c, size_t pos, const void *src, size_t len)
{
	size_t done = 0;

	for (unsigned i = c->nin; i < c->nin + c->nout && done < len; i++) {
		size_t n;

		if (pos >= c->seg[i].len) {
			pos -= c->seg[i].len;
			continue;
		}
		n = c->seg[i].len - pos < len - done ? c->seg[i].len - pos : len - done;
		if (src)
			memcpy((uint8_t *)c->seg[i].host + pos, (const uint8_t *)src + done, n);
		else
			memset((uint8_t *)c->seg[i].host + pos, 0, n);
		pos = 0;
		done += n;
	}
	return done;
}

size_t vring_scatter(const struct vring_chain *c, const void *src, size_t len)
{
	size_t done = 0;

	for (unsigned i = c->nin; i < c->nin + c->nout && done < len; i++) {
		size_t n = c->seg[i].len < len - done ? c->seg[i].len : len - done;

		memcpy(c->seg[i].host, (const uint8_t *)src + done, n);
		done += n;
	}
	return done;
}
