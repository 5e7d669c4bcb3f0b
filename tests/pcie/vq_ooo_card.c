/*
 * Test firmware: several requests in flight on one queue, answered out of
 * order. Waits until queue 1 holds three chains, pops all three through the
 * virtqueue engine, then answers them last first (ENOSYS replies). The
 * harness checks the used ring order and every reply.
 */
#include <errno.h>
#include <string.h>

#include <linux/fuse.h>

#include "hostmem.h"
#include "rt.h"
#include "vq.h"

#define VIRTIO_REG(r) (SOC_VIRTIO_BASE + SOC_VIRTIO_##r)
#define NREQ 3
#define WIRE_ENOSYS 38

static struct vq q;
static struct vq_req reqs[NREQ];

int main(void)
{
	unsigned got = 0;

	while (got < NREQ) {
		int ret;

		if (!q.ready) {
			/* Reading STATUS acknowledges the driver's reset; until then
			 * the function runs no DMA or queue command. */
			mmio_read32(VIRTIO_REG(STATUS));
			mmio_read32(VIRTIO_REG(NOTIFY));
			if (vq_setup(&q, 1, 0))
				continue;
		}
		ret = vq_pop(&q, &reqs[got]);
		if (ret < 0)
			return 10;
		got += (unsigned)ret;
	}
	for (int i = NREQ - 1; i >= 0; i--) {
		struct fuse_in_header in;
		struct fuse_out_header out = { .len = sizeof(out), .error = -WIRE_ENOSYS };

		if (vq_gather(&reqs[i], (void *)DMABUF, sizeof(in)) != sizeof(in))
			return 20 + i;
		buf_copy_out(0, &in, sizeof(in));
		out.unique = in.unique;
		buf_copy_in(0x100, &out, sizeof(out));
		if (vq_scatter(&reqs[i], (const void *)(DMABUF + 0x100), sizeof(out)) != sizeof(out))
			return 30 + i;
		if (vq_push(&q, &reqs[i], sizeof(out)))
			return 40 + i;
	}
	/* Stay alive for the harness (the run ends when it has checked). */
	for (;;)
		;
	return 0;
}
