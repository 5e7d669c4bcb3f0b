/*
 * Firmware implementation of vq.h: walks the rings itself through the DMA
 * engine. The reference the hardware engine (vq_hw.c, rtl/vq) is tested
 * against; built as card_soft.elf.
 */
#include "vq.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <linux/virtio_ring.h>

#include "hostmem.h"
#include "rt.h"

#define VIRTIO_REG(r) (SOC_VIRTIO_BASE + SOC_VIRTIO_##r)

_Static_assert(sizeof(struct vring_desc) == 16, "vring_desc");

const char *vq_error = "";
const int vq_engine_lendable = 0;

/* Records why a chain was refused; returns -EIO. */
static int refuse(const char *why)
{
	vq_error = why;
	return -EIO;
}

/* Refuses a chain for a rule the hardware engine checks too, with the
 * engine's message for it (VQ_WHY in rtl/soc_map.toml). */
static int refuse_rule(enum soc_vq_why why)
{
	return refuse(soc_vq_why_str(why));
}
_Static_assert(sizeof(struct vring_used_elem) == 8, "vring_used_elem");

int vq_setup(struct vq *q, unsigned index, uint64_t features)
{
	int ret = vq_read_config(q, index);

	if (ret)
		return ret;
	q->event_idx = (features >> VIRTIO_RING_F_EVENT_IDX) & 1;
	q->indirect = (features >> VIRTIO_RING_F_INDIRECT_DESC) & 1;
	return 0;
}

static int add_seg(struct vq_req *r, const struct vring_desc *d)
{
	int wr = (d->flags & VRING_DESC_F_WRITE) != 0;

	if (d->addr + d->len < d->addr)
		return refuse_rule(SOC_VQ_WHY_WRAP);
	if (!wr && r->nwr)
		return refuse_rule(SOC_VQ_WHY_RDAFTERWR);
	if (wr) {
		if (r->nwr == VQ_MAX_SEGS)
			return refuse("too many writable buffers");
		r->wr[r->nwr].addr = d->addr;
		r->wr[r->nwr++].len = d->len;
		r->wr_len += d->len;
	} else {
		if (r->nrd == VQ_MAX_SEGS)
			return refuse("too many readable buffers");
		r->rd[r->nrd].addr = d->addr;
		r->rd[r->nrd++].len = d->len;
		r->rd_len += d->len;
	}
	return 0;
}

/* Walks an indirect table of n descriptors at `table`. */
static int walk_indirect(struct vq_req *r, uint64_t table, uint32_t bytes)
{
	struct vring_desc d;
	uint32_t n = bytes / sizeof(d), i = 0, seen = 0;

	if (bytes == 0 || bytes % sizeof(d) || table + bytes < table)
		return refuse_rule(SOC_VQ_WHY_INDLEN);
	for (;;) {
		if (++seen > n)
			return refuse("loop in an indirect table");
		if (hostmem_read(table + (uint64_t)i * sizeof(d), &d, sizeof(d)))
			return refuse("DMA error reading an indirect descriptor");
		if (d.flags & VRING_DESC_F_INDIRECT)
			return refuse_rule(SOC_VQ_WHY_NESTED);
		if (add_seg(r, &d))
			return -EIO;
		if (!(d.flags & VRING_DESC_F_NEXT))
			return 0;
		if (d.next >= n)
			return refuse("indirect next out of range");
		i = d.next;
	}
}

int vq_pop(struct vq *q, struct vq_req *r)
{
	uint16_t avail_idx, head, i;
	struct vring_desc d;
	unsigned seen = 0;

	if (!q->ready)
		return 0;
	if (hostmem_read(q->avail + offsetof(struct vring_avail, idx), &avail_idx, 2))
		return refuse("DMA error reading the avail index");
	if (avail_idx == q->last_avail)
		return 0;
	if ((uint16_t)(avail_idx - q->last_avail) > q->size)
		return refuse_rule(SOC_VQ_WHY_AHEAD);
	if (hostmem_read(q->avail + offsetof(struct vring_avail, ring) +
			 2u * (q->last_avail % q->size), &head, 2))
		return refuse("DMA error reading the avail ring");
	if (head >= q->size)
		return refuse_rule(SOC_VQ_WHY_HEAD);
	memset(r, 0, offsetof(struct vq_req, rd));
	r->head = head;
	i = head;
	for (;;) {
		if (++seen > q->size)
			return refuse_rule(SOC_VQ_WHY_LOOP);
		if (hostmem_read(q->desc + (uint64_t)i * sizeof(d), &d, sizeof(d)))
			return refuse("DMA error reading a descriptor");
		if (d.flags & VRING_DESC_F_INDIRECT) {
			if (!q->indirect)
				return refuse_rule(SOC_VQ_WHY_NOIND);
			if (d.flags & VRING_DESC_F_NEXT)
				return refuse_rule(SOC_VQ_WHY_INDNEXT);
			if (walk_indirect(r, d.addr, d.len))
				return -EIO;
			break;
		}
		if (add_seg(r, &d))
			return -EIO;
		if (!(d.flags & VRING_DESC_F_NEXT))
			break;
		if (d.next >= q->size)
			return refuse_rule(SOC_VQ_WHY_NEXT);
		i = d.next;
	}
	q->last_avail++;
	/* Tell the driver how far we have read (it kicks again past this). */
	if (q->event_idx) {
		uint16_t ev = q->last_avail;

		if (hostmem_write(q->used + offsetof(struct vring_used, ring) +
				  sizeof(struct vring_used_elem) * q->size, &ev, 2))
			return refuse("DMA error writing avail_event");
	}
	return 1;
}

int vq_push(struct vq *q, const struct vq_req *r, uint32_t len)
{
	struct vring_used_elem e = { .id = r->head, .len = len };
	uint16_t old = q->used_idx, now = (uint16_t)(q->used_idx + 1);
	int notify;

	if (hostmem_write(q->used + offsetof(struct vring_used, ring) + sizeof(e) * (old % q->size),
			  &e, sizeof(e)))
		return -EIO;
	/* The element is in host memory before the index that publishes it:
	 * the DMA engine completes one command before the next starts. */
	if (hostmem_write(q->used + offsetof(struct vring_used, idx), &now, 2))
		return -EIO;
	q->used_idx = now;
	if (q->event_idx) {
		uint16_t used_event;

		if (hostmem_read(q->avail + offsetof(struct vring_avail, ring) + 2u * q->size,
				 &used_event, 2))
			return -EIO;
		notify = vring_need_event(used_event, now, old);
	} else {
		uint16_t flags;

		if (hostmem_read(q->avail + offsetof(struct vring_avail, flags), &flags, 2))
			return -EIO;
		notify = !(flags & VRING_AVAIL_F_NO_INTERRUPT);
	}
	if (notify)
		mmio_write32(VIRTIO_REG(RAISE), SOC_FIELD_PREP(SOC_VIRTIO_RAISE_QUEUE, q->index));
	return 0;
}
