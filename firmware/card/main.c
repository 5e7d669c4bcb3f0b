/*
 * The card's firmware: serves the virtio-fs queues of the PCIe function.
 * Requests are taken from the queues (vq.c), copied into DMABUF, answered,
 * and the replies written back. This version answers FUSE_INIT (protocol
 * 7.38 negotiation) and ENOSYS to every other opcode; the file server comes
 * in its own step. A request the device cannot parse marks it broken
 * (DEVICE_NEEDS_RESET and a configuration interrupt) until the driver resets it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/fuse.h>
#include <linux/virtio_config.h>

#include "hostmem.h"
#include "rt.h"
#include "vq.h"

#define VIRTIO_REG(r) (SOC_VIRTIO_BASE + SOC_VIRTIO_##r)
#define MAX_QUEUES 16
#define REQ_OFF 0u			/* request bytes in DMABUF */
#define REQ_MAX (32u * 1024)
#define REP_OFF REQ_MAX			/* reply bytes in DMABUF */
#define CARD_MAX_PAGES 8u		/* 32 KiB per READ/WRITE until DDR buffers */
#define STATUS_RESET_SEEN (1u << 16)

/* Errors go to the guest as Linux errno values (asm-generic/errno*.h), not
 * picolibc's numbering. */
#define WIRE_EINVAL 22
#define WIRE_ENOSYS 38

_Static_assert(sizeof(struct fuse_in_header) == 40, "fuse_in_header");
_Static_assert(sizeof(struct fuse_out_header) == 16, "fuse_out_header");
_Static_assert(sizeof(struct fuse_init_in) == 64, "fuse_init_in");
_Static_assert(sizeof(struct fuse_init_out) == 64, "fuse_init_out");

static struct vq queues[MAX_QUEUES];
static struct vq_req req;
static unsigned nqueues;
static int broken;
static uint32_t served;

static uint64_t driver_features(void)
{
	return mmio_read32(VIRTIO_REG(FEAT_LO)) | (uint64_t)mmio_read32(VIRTIO_REG(FEAT_HI)) << 32;
}

static uint32_t pending;	/* queues notified and not yet served */

static void forget_queues(void)
{
	memset(queues, 0, sizeof(queues));
	broken = 0;
}

/* A reset by the driver makes every command of the old configuration fail
 * (the function aborts them); that is not the device's fault. */
static int reset_happened(void)
{
	if (!(mmio_read32(VIRTIO_REG(STATUS)) & STATUS_RESET_SEEN))
		return 0;
	forget_queues();
	return 1;
}

static void device_fail(const char *why)
{
	if (reset_happened())
		return;
	printf("card: %s: device needs reset\n", why);
	mmio_write32(VIRTIO_REG(FAIL), 1);
	broken = 1;
}

/* Builds the reply for one request in DMABUF at REP_OFF; returns its length. */
static uint32_t fuse_answer(const struct fuse_in_header *in, uint32_t in_len)
{
	struct fuse_out_header out = { .unique = in->unique };
	uint32_t len = sizeof(out);

	if (in->len != in_len || in->len < sizeof(*in)) {
		out.error = -WIRE_EINVAL;
	} else if (in->opcode == FUSE_INIT) {
		struct fuse_init_in ii;
		struct fuse_init_out io;
		uint32_t arg = in_len - sizeof(*in);

		memset(&ii, 0, sizeof(ii));
		buf_copy_out(REQ_OFF + sizeof(*in), &ii, arg < sizeof(ii) ? arg : sizeof(ii));
		memset(&io, 0, sizeof(io));
		io.major = FUSE_KERNEL_VERSION;
		io.minor = ii.minor < FUSE_KERNEL_MINOR_VERSION ? ii.minor : FUSE_KERNEL_MINOR_VERSION;
		if (ii.major != FUSE_KERNEL_VERSION || arg < 16) {
			/* Another major: answer with ours only, the kernel retries or gives up. */
			buf_copy_in(REP_OFF + sizeof(out), &io, 8);
			len += 8;
		} else {
			io.max_readahead = ii.max_readahead;
			io.flags = ii.flags & (FUSE_ASYNC_READ | FUSE_BIG_WRITES | FUSE_MAX_PAGES |
					       FUSE_PARALLEL_DIROPS | FUSE_INIT_EXT);
			io.max_background = 16;
			io.congestion_threshold = 12;
			io.max_write = CARD_MAX_PAGES * 4096;
			io.time_gran = 1;
			io.max_pages = CARD_MAX_PAGES;
			/* Older clients take the older, shorter reply. */
			{
				uint32_t n = io.minor < 5 ? FUSE_COMPAT_INIT_OUT_SIZE :
					     io.minor < 23 ? FUSE_COMPAT_22_INIT_OUT_SIZE : sizeof(io);

				buf_copy_in(REP_OFF + sizeof(out), &io, n);
				len += n;
			}
			printf("card: FUSE_INIT %lu.%lu -> %lu.%lu, max_write %lu\n",
			       (unsigned long)ii.major, (unsigned long)ii.minor, (unsigned long)io.major,
			       (unsigned long)io.minor, (unsigned long)io.max_write);
		}
	} else if (in->opcode == FUSE_FORGET || in->opcode == FUSE_BATCH_FORGET) {
		return 0;	/* no reply at all */
	} else {
		out.error = -WIRE_ENOSYS;
	}
	out.len = len;
	buf_copy_in(REP_OFF, &out, sizeof(out));
	return len;
}

static void serve_queue(struct vq *q)
{
	int ret;

	while (!broken && (ret = vq_pop(q, &req)) == 1) {
		struct fuse_in_header in;
		long got = vq_gather(&req, REQ_OFF, REQ_MAX);
		uint32_t len = 0;

		if (got < 0) {
			device_fail("request read failed");
			return;
		}
		if (got < (long)sizeof(in) || req.rd_len > REQ_MAX) {
			/* Not even a header, or larger than we take: nothing to answer with. */
			device_fail("request without a FUSE header");
			return;
		}
		buf_copy_out(REQ_OFF, &in, sizeof(in));
		len = fuse_answer(&in, req.rd_len);
		if (len && vq_scatter(&req, REP_OFF, len) < 0) {
			/* The reply does not fit: return the chain with nothing written. */
			len = 0;
		}
		if (vq_push(q, &req, len)) {
			device_fail("used ring write failed");
			return;
		}
		served++;
	}
	if (ret < 0)
		device_fail(vq_error);
}

int main(void)
{
	printf("card firmware: virtio-fs function, %lu queues\n",
	       (unsigned long)mmio_read32(VIRTIO_REG(NUMQ)));
	nqueues = mmio_read32(VIRTIO_REG(NUMQ));
	if (nqueues > MAX_QUEUES)
		nqueues = MAX_QUEUES;
	for (;;) {
		uint32_t reg, status;

		/* A reset clears the function's notification bits, so bits read
		 * after it are for the new configuration; bits that raced with it
		 * only cause a harmless look at a queue. */
		reg = mmio_read32(VIRTIO_REG(STATUS));
		if (reg & STATUS_RESET_SEEN)
			forget_queues();
		pending |= mmio_read32(VIRTIO_REG(NOTIFY));
		reg = mmio_read32(VIRTIO_REG(STATUS));
		if (reg & STATUS_RESET_SEEN)
			forget_queues();
		status = reg & 0xff;
		if (!pending || !(status & VIRTIO_CONFIG_S_DRIVER_OK))
			continue;	/* notifications wait for DRIVER_OK */
		for (unsigned qi = 0; qi < nqueues; qi++) {
			if (!(pending & (1u << qi)))
				continue;
			pending &= ~(1u << qi);
			if (!queues[qi].ready && vq_setup(&queues[qi], qi, driver_features()))
				continue;
			serve_queue(&queues[qi]);
		}
	}
	return 0;
}
