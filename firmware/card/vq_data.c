/*
 * Moving a request's bytes between its buffers and DMABUF (both vq
 * implementations): one DMA command per segment.
 */
#include "vq.h"

#include <errno.h>

#include "hostmem.h"

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

