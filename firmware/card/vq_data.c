/*
 * What both vq implementations share: reading a queue's configuration, and
 * moving a request's bytes between its buffers and card memory (DMABUF, DDR
 * or the DAX window: one DMA command per segment, no copy by the core).
 */
#include "vq.h"

#include <errno.h>
#include <string.h>

#include "hostmem.h"
#include "rt.h"

#define VIRTIO_REG(r) (SOC_VIRTIO_BASE + SOC_VIRTIO_##r)

int vq_read_config(struct vq *q, unsigned index)
{
	uint32_t size;

	memset(q, 0, sizeof(*q));
	q->index = index;
	mmio_write32(VIRTIO_REG(QSEL), index);
	size = mmio_read32(VIRTIO_REG(QSIZE));
	if (!(size & SOC_VIRTIO_QSIZE_ENABLED_MASK))
		return -EAGAIN;
	q->size = (uint16_t)SOC_FIELD_GET(SOC_VIRTIO_QSIZE_SIZE, size);
	q->desc = mmio_read32(VIRTIO_REG(QDESC_LO)) | (uint64_t)mmio_read32(VIRTIO_REG(QDESC_HI)) << 32;
	q->avail = mmio_read32(VIRTIO_REG(QAVAIL_LO)) | (uint64_t)mmio_read32(VIRTIO_REG(QAVAIL_HI)) << 32;
	q->used = mmio_read32(VIRTIO_REG(QUSED_LO)) | (uint64_t)mmio_read32(VIRTIO_REG(QUSED_HI)) << 32;
	q->ready = 1;
	return 0;
}

long vq_gather(const struct vq_req *r, void *dst, uint32_t max)
{
	uint32_t done = 0;

	for (unsigned s = 0; s < r->nrd && done < max; s++) {
		uint32_t n = r->rd[s].len;

		if (n > max - done)
			n = max - done;
		if (n && hostmem_to_card(r->rd[s].addr, (uint8_t *)dst + done, n))
			return -EIO;
		done += n;
	}
	return done;
}

long vq_scatter(const struct vq_req *r, const void *src, uint32_t len)
{
	uint32_t done = 0;

	if (len > r->wr_len)
		return -ENOSPC;
	for (unsigned s = 0; s < r->nwr && done < len; s++) {
		uint32_t n = r->wr[s].len;

		if (n > len - done)
			n = len - done;
		if (n && hostmem_from_card(r->wr[s].addr, (const uint8_t *)src + done, n))
			return -EIO;
		done += n;
	}
	return done;
}

