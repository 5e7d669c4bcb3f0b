/*
 * What both vq implementations share: reading a queue's configuration, and
 * moving a request's bytes between its buffers and DMABUF (one DMA command
 * per segment), or from card memory (READ data in page-cache frames).
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

long vq_gather(const struct vq_req *r, uint32_t local, uint32_t max)
{
	uint32_t done = 0;

	for (unsigned s = 0; s < r->nrd && done < max; s++) {
		uint32_t n = r->rd[s].len;

		if (n > max - done)
			n = max - done;
		if (n && hostmem_to_buf(r->rd[s].addr, local + done, n))
			return -EIO;
		done += n;
	}
	return done;
}

long vq_scatter(const struct vq_req *r, uint32_t local, uint32_t len)
{
	uint32_t done = 0;

	if (len > r->wr_len)
		return -ENOSPC;
	for (unsigned s = 0; s < r->nwr && done < len; s++) {
		uint32_t n = r->wr[s].len;

		if (n > len - done)
			n = len - done;
		if (n && hostmem_from_buf(r->wr[s].addr, local + done, n))
			return -EIO;
		done += n;
	}
	return done;
}


/* len bytes from DMABUF offset local to byte pos of r's writable buffers. */
static int scatter_at(const struct vq_req *r, uint32_t pos, uint32_t local, uint32_t len)
{
	for (unsigned s = 0; s < r->nwr && len; s++) {
		uint32_t n;

		if (pos >= r->wr[s].len) {
			pos -= r->wr[s].len;
			continue;
		}
		n = r->wr[s].len - pos < len ? r->wr[s].len - pos : len;
		if (hostmem_from_buf(r->wr[s].addr + pos, local, n))
			return -EIO;
		pos = 0;
		local += n;
		len -= n;
	}
	return len ? -ENOSPC : 0;
}

/*
 * len bytes of card memory at src (NULL: zeros) to host address host. The
 * DMA engine reads only DMABUF today, so the bytes are copied there first
 * (at DMABUF offset stage); once it reads card memory itself this becomes
 * hostmem_from_card(host, src, len) (zeros from a zero page), the one line
 * that changes.
 */
static int card_to_host(uint64_t host, const void *src, uint32_t len, uint32_t stage)
{
	if (src)
		memcpy((uint8_t *)DMABUF + stage, src, len);
	else
		memset((uint8_t *)DMABUF + stage, 0, len);
	return hostmem_from_buf(host, stage, len);
}

/* A piece in card memory to byte pos of r's writable buffers. */
static int scatter_card(const struct vq_req *r, uint32_t pos, const uint8_t *src, uint32_t len, uint32_t stage)
{
	for (unsigned s = 0; s < r->nwr && len; s++) {
		uint32_t n;

		if (pos >= r->wr[s].len) {
			pos -= r->wr[s].len;
			continue;
		}
		n = r->wr[s].len - pos < len ? r->wr[s].len - pos : len;
		if (card_to_host(r->wr[s].addr + pos, src, n, stage))
			return -EIO;
		pos = 0;
		if (src)
			src += n;
		stage += n;
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
	/* last piece first: one the server copied into DMABUF goes before a
	 * staged piece can land on it */
	for (unsigned i = n; i-- > 0;) {
		uintptr_t p = (uintptr_t)seg[i].p;

		if (seg[i].len > end - head_len)
			return -EINVAL;
		end -= seg[i].len;
		if (p && p - (uintptr_t)DMABUF < SOC_DMABUF_SIZE)
			err = scatter_at(r, end, (uint32_t)(p - (uintptr_t)DMABUF), seg[i].len);
		else
			err = scatter_card(r, end, seg[i].p, seg[i].len, stage + end);
		if (err)
			return err;
	}
	if (end != head_len)
		return -EINVAL;
	err = scatter_at(r, 0, head, head_len);
	return err ? err : (long)len;
}
