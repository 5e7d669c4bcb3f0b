/*
 * The card's firmware: serves the virtio-fs queues of the PCIe function.
 * Requests are taken from the queues (vq_hw.c: the RTL virtqueue engine),
 * their bytes moved into DMABUF by the DMA engine, answered in place by the
 * file service (fs_service.c: the FUSE server over ext4 on the SSD), and the
 * replies written back. A chain the device cannot parse marks it broken
 * (DEVICE_NEEDS_RESET and a configuration interrupt) until the driver resets it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/fuse.h>
#include <linux/virtio_config.h>

#include "fs_service.h"
#include "fuse_server.h"
#include "hostmem.h"
#include "rt.h"
#include "vq.h"

#define VIRTIO_REG(r) (SOC_VIRTIO_BASE + SOC_VIRTIO_##r)
#define MAX_QUEUES 16
#define REQ_OFF 0u			/* request bytes in DMABUF */
#define REQ_MAX FUSE_SRV_MAX_REQ	/* header, arguments, WRITE payload */
#define REP_OFF REQ_MAX			/* reply bytes in DMABUF */
#define REP_MAX (DMABUF_USER_SIZE - REP_OFF)
#define MAX_DEFERRED 8

_Static_assert(REP_MAX >= FUSE_SRV_MAX_WRITE + sizeof(struct fuse_out_header),
	       "a READ of max_write bytes fits DMABUF");
#define STATUS_RESET_SEEN (1u << 16)

_Static_assert(sizeof(struct fuse_in_header) == 40, "fuse_in_header");
_Static_assert(sizeof(struct fuse_out_header) == 16, "fuse_out_header");

static struct vq queues[MAX_QUEUES];
static struct vq_req req;
static unsigned nqueues;
static int broken;
static uint32_t served;

/* A SETLKW that waits: its chain is kept until the server answers it. */
struct deferred {
	int used;
	unsigned q;
	uint64_t unique;
	struct vq_req req;
};

static struct deferred deferred[MAX_DEFERRED];

static uint64_t driver_features(void)
{
	return mmio_read32(VIRTIO_REG(FEAT_LO)) | (uint64_t)mmio_read32(VIRTIO_REG(FEAT_HI)) << 32;
}

static uint32_t pending;	/* queues notified and not yet served */

/* Tells a simulator that steps the card only while it works (vfpga-sim
 * --cosim) whether the firmware is serving requests or waiting for the host;
 * SIMCTRL does nothing on a board. Written on changes only. */
static void sim_busy(uint32_t busy)
{
	static uint32_t last = 2;

	if (busy != last) {
		last = busy;
		mmio_write32(SOC_SIMCTRL_BASE + SOC_SIMCTRL_BUSY, busy);
	}
}

/* A driver reset ends the FUSE session: requests still waiting are dropped,
 * the server forgets the guest's nodes and handles, and everything is made
 * durable. */
static void forget_queues(void)
{
	memset(queues, 0, sizeof(queues));
	memset(deferred, 0, sizeof(deferred));
	broken = 0;
	card_fs_reset();
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


/* Sends the reply built at REP_OFF for chain r of queue q. */
static int reply(struct vq *q, const struct vq_req *r, long len)
{
	if (len > 0 && vq_scatter(r, REP_OFF, (uint32_t)len) < 0)
		len = 0;	/* does not fit: the chain comes back with nothing written */
	if (vq_push(q, r, len > 0 ? (uint32_t)len : 0)) {
		device_fail("used ring write failed");
		return -EIO;
	}
	served++;
	return 0;
}

/* Answers the deferred requests the server has replies for now. */
static void drain_deferred(void)
{
	uint64_t unique;
	long len;

	while ((len = card_fs_pending(&unique, (void *)(DMABUF + REP_OFF), REP_MAX)) > 0) {
		unsigned i;

		for (i = 0; i < MAX_DEFERRED; i++)
			if (deferred[i].used && deferred[i].unique == unique)
				break;
		if (i == MAX_DEFERRED)
			continue;
		deferred[i].used = 0;
		if (queues[deferred[i].q].ready)
			reply(&queues[deferred[i].q], &deferred[i].req, len);
	}
}

static void serve_queue(struct vq *q)
{
	int ret;

	while (!broken && (ret = vq_pop(q, &req)) == 1) {
		long got = vq_gather(&req, REQ_OFF, REQ_MAX), len;

		if (got < 0) {
			device_fail("request read failed");
			return;
		}
		if (got < (long)sizeof(struct fuse_in_header)) {
			/* Not even a header: nothing to answer with. */
			device_fail("request without a FUSE header");
			return;
		}
		/* A request longer than REQ_MAX arrives cut short: the server sees
		 * a header len that disagrees with the bytes and answers EINVAL. The
		 * server reads and writes DMABUF in place: no copies. */
		len = card_fs_dispatch((const void *)(DMABUF + REQ_OFF), (size_t)got,
				       (void *)(DMABUF + REP_OFF), REP_MAX);
		if (len == FUSE_SRV_DEFERRED) {
			unsigned i;

			for (i = 0; i < MAX_DEFERRED && deferred[i].used; i++)
				;
			if (i < MAX_DEFERRED) {
				deferred[i].used = 1;
				deferred[i].q = q->index;
				memcpy(&deferred[i].unique, (const void *)(DMABUF + REQ_OFF + 8), 8);
				memcpy(&deferred[i].req, &req, sizeof(req));
				continue;
			}
			len = 0;	/* cannot happen: MAX_DEFERRED >= the server's waiters */
		}
		if (reply(q, &req, len))
			return;
		drain_deferred();
	}
	if (ret < 0)
		device_fail(vq_error);
}

int main(void)
{
	printf("card firmware: virtio-fs function, %lu queues\n",
	       (unsigned long)mmio_read32(VIRTIO_REG(NUMQ)));
	card_fs_start();
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
		if (!pending || !(status & VIRTIO_CONFIG_S_DRIVER_OK)) {
			sim_busy(0);
			continue;	/* notifications wait for DRIVER_OK */
		}
		sim_busy(1);
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
