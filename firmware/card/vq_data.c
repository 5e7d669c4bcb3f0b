/*
 * What both vq implementations share: reading a queue's configuration, and
 * moving a request's bytes between its buffers and card memory (DMABUF, DDR
 * or the DAX window: one DMA command per segment, no copy by the core),
 * READ data included, straight from the page-cache frames.
 */
#include "vq.h"

#include <errno.h>
#include <string.h>

#include "hostmem.h"
#include "rt.h"
#include "vfs.h"

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


/* len bytes of card memory at src (NULL: zeros, staged in DMABUF at offset
 * stage) to byte pos of r's writable buffers, one DMA command per buffer. */
static int scatter_at(const struct vq_req *r, uint32_t pos, const void *src, uint32_t len, uint32_t stage)
{
	const uint8_t *p = src;

	if (!p) {
		memset((uint8_t *)DMABUF + stage, 0, len);
		p = (const uint8_t *)DMABUF + stage;
	}
	for (unsigned s = 0; s < r->nwr && len; s++) {
		uint32_t n;

		if (pos >= r->wr[s].len) {
			pos -= r->wr[s].len;
			continue;
		}
		n = r->wr[s].len - pos < len ? r->wr[s].len - pos : len;
		if (hostmem_from_card(r->wr[s].addr + pos, p, n))
			return -EIO;
		pos = 0;
		p += n;
		len -= n;
	}
	return len ? -ENOSPC : 0;
}

long vq_scatter_pieces(const struct vq_req *r, uint32_t head, uint32_t head_len, const struct vfs_seg *seg,
		       unsigned n, uint32_t len, uint32_t stage)
{
	uint32_t end = len;
	int err;

	if (len > r->wr_len)
		return -ENOSPC;
	/* last piece first: a piece the server copied into DMABUF goes before
	 * zeros staged for a hole can land on it */
	for (unsigned i = n; i-- > 0;) {
		if (seg[i].len > end - head_len)
			return -EINVAL;
		end -= seg[i].len;
		err = scatter_at(r, end, seg[i].p, seg[i].len, stage + end);
		if (err)
			return err;
	}
	if (end != head_len)
		return -EINVAL;
	err = scatter_at(r, 0, (const uint8_t *)DMABUF + head, head_len, 0);
	return err ? err : (long)len;
}
