/*
 * The card's firmware: serves the virtio-fs queues of the PCIe function.
 * The request loop is the device's (firmware/fsdev, the same in vfpga-model);
 * here it is bound to the card's queues (vq.h: the RTL virtqueue engine in
 * vq_hw.c, or the firmware ring walker in vq_soft.c) with the request and
 * reply bytes in DMABUF, moved by the DMA engine, and to the file service
 * (fs_service.c: the FUSE server over ext4 on the SSD). A chain the device
 * cannot parse marks it broken (DEVICE_NEEDS_RESET and a configuration
 * interrupt) until the driver resets it.
 *
 * While it sleeps with nothing to do, the firmware lends the queue and DMA
 * engines to the READ fast path (fast.h), which serves READs of pages the
 * page cache holds without waking it; every READ the firmware answers from
 * the page cache installs the tags for those pages.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/fuse.h>
#include <linux/virtio_config.h>

#include "fast.h"
#include "fs_service.h"
#include "fsdev.h"
#include "hostmem.h"
#include "phase.h"
#include "rt.h"
#include "vq.h"

#define VIRTIO_REG(r) (SOC_VIRTIO_BASE + SOC_VIRTIO_##r)
#define MAX_QUEUES 16
#define REQ_OFF 0u			/* request bytes in DMABUF */
#define REQ_MAX FUSE_SRV_MAX_REQ	/* header, arguments, WRITE payload */
#define REP_OFF REQ_MAX			/* reply bytes in DMABUF */
#define REP_MAX (DMABUF_USER_SIZE - REP_OFF)

_Static_assert(REP_MAX >= FUSE_SRV_MAX_WRITE + sizeof(struct fuse_out_header),
	       "a READ of max_write bytes fits DMABUF");

_Static_assert(sizeof(struct fuse_in_header) == 40, "fuse_in_header");
_Static_assert(sizeof(struct fuse_out_header) == 16, "fuse_out_header");

static struct vq queues[MAX_QUEUES];
static unsigned nqueues;
static int broken;
static struct fsdev dev;
/* The chains the loop holds (one being served, the deferred ones): about
 * 2 KiB each, in the DTCM (the engine's results are copied into them). */
static struct vq_req slots[FSDEV_SLOTS];

static uint64_t driver_features(void)
{
	return mmio_read32(VIRTIO_REG(FEAT_LO)) | (uint64_t)mmio_read32(VIRTIO_REG(FEAT_HI)) << 32;
}

static uint32_t pending;	/* queues notified and not yet served */
/* Request queues the READ fast path takes over with requests waiting in
 * them (card_hand_over), kicked when it is armed next; and the queues it
 * may serve in the current turn of the loop (fast_queues). */
static uint32_t handed, fast_ok;

/* Tells a simulator that steps the card only while it works (vfpga-sim
 * --cosim, --socket) whether the firmware has work (a request, a reset's
 * write-back) or waits for the host; SIMCTRL does nothing on a board.
 * Written on changes only. */
static void sim_busy(uint32_t busy)
{
	static uint32_t last = 2;

	if (busy != last) {
		last = busy;
		mmio_write32(SOC_SIMCTRL_BASE + SOC_SIMCTRL_BUSY, busy);
	}
}

/* SoC interrupt line of the function: high while a queue's notification or
 * a driver reset is unread (VIRTIO.NOTIFY, STATUS.RESET_SEEN). */
#define FN_IRQ_LINE 31

/*
 * Sleeps until the host has news for the function, or any other interrupt
 * comes. The line is enabled only here, with interrupts off, so it never
 * traps: WFI wakes on a pending interrupt whatever mstatus.MIE says, and one
 * that came before the WFI (the line is a level) keeps it from sleeping. A
 * simulator skips the time asleep (sim/vtop.h).
 *
 * fast_qmask: the request queues the READ fast path serves meanwhile (0:
 * none). The engines are taken back before any interrupt handler runs.
 * The simulator hears "idle" only once the fast path is armed: one that
 * stops stepping the card then (--socket, after a short tail) must not
 * freeze it between the hint and the arming, or the next notification
 * would reach the firmware instead.
 */
static void wait_for_host(uint32_t fast_qmask)
{
	uint32_t flags = irq_save();

	intc_enable_line(FN_IRQ_LINE);
	fast_arm(fast_qmask);
	fast_kick(handed & fast_qmask);
	handed = 0;
	sim_busy(0);
	cpu_wfi();
	fast_disarm();
	intc_disable_line(FN_IRQ_LINE);
	irq_restore(flags);
}

/* The request queues (not hiprio, 0) while the device serves. */
static uint32_t fast_queues(uint32_t status)
{
	if (broken || !(status & VIRTIO_CONFIG_S_DRIVER_OK) || nqueues < 2)
		return 0;
	return ((nqueues < 32 ? 1u << nqueues : 0u) - 1u) & ~1u;
}

/* A driver reset ends the FUSE session: requests still waiting are dropped,
 * the server forgets the guest's nodes and handles, and everything is made
 * durable. */
static void forget_queues(void)
{
	memset(queues, 0, sizeof(queues));
	fsdev_reset(&dev);
	broken = 0;
	handed = 0;
	fast_report();
	fast_reset();
	card_fs_reset();
}

/* A reset by the driver makes every command of the old configuration fail
 * (the function aborts them); that is not the device's fault. */
static int reset_happened(void)
{
	if (!(mmio_read32(VIRTIO_REG(STATUS)) & SOC_VIRTIO_STATUS_RESET_SEEN_MASK))
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

/* --- the request loop's binding to the card's queues (fsdev.h) ---------- */

/* What the last failed step was, for the console when the loop gives up. */
static const char *card_why = "";

static int card_pop(void *ctx, unsigned q, unsigned slot, uint64_t *rd, uint64_t *wr)
{
	int ret;

	(void)ctx;
	ret = vq_pop(&queues[q], &slots[slot]);
	if (ret < 0) {
		card_why = vq_error;	/* a bad chain breaks the device */
		return -EIO;
	}
	*rd = slots[slot].rd_len;
	*wr = slots[slot].wr_len;
	return ret;
}

static long card_gather(void *ctx, unsigned slot, void *dst, size_t cap)
{
	long ret;

	(void)ctx;
	ret = vq_gather(&slots[slot], dst, (uint32_t)cap);
	if (ret < 0)
		card_why = "request read failed";
	else
		fast_request(dst, (size_t)ret);	/* before it is answered */
	return ret;
}

static long card_scatter(void *ctx, unsigned slot, const void *src, size_t len)
{
	long ret;

	(void)ctx;
	/* src may be DMABUF or card memory (DDR, the DAX window): the DMA
	 * engine takes the bytes from where they are. */
	ret = vq_scatter(&slots[slot], src, (uint32_t)len);
	if (ret == (long)len)
		fast_reply_sent(DMABUF + REQ_OFF, src, len);
	return ret;
}

/* A READ from the page cache: the header from the reply buffer in DMABUF,
 * the data straight from the frames in DDR (zeros for a hole staged in the
 * reply buffer itself, whose room covers the whole reply). */
static long card_scatterv(void *ctx, unsigned slot, const void *head, size_t head_len,
			  const struct vfs_seg *seg, unsigned n, size_t len)
{
	uint32_t off = (uint32_t)((const uint8_t *)head - (const uint8_t *)DMABUF);
	long ret;

	(void)ctx;
	ret = vq_scatter_pieces(&slots[slot], off, (uint32_t)head_len, seg, n, (uint32_t)len, off);
	if (ret == (long)len)
		fast_read_served(DMABUF + REQ_OFF, seg, n, card_fs_server()->ref.size);
	return ret;
}

static int card_push(void *ctx, unsigned q, unsigned slot, uint32_t len)
{
	(void)ctx;
	if (!vq_push(&queues[q], &slots[slot], len))
		return 0;
	card_why = "used ring write failed";
	return -EIO;
}

static int card_bad_chain(void *ctx, unsigned q, unsigned slot, const char *why)
{
	(void)ctx;
	(void)q;
	(void)slot;
	device_fail(why);
	return -EIO;
}

static void card_fail(void *ctx, unsigned q, int err)
{
	(void)ctx;
	(void)q;
	(void)err;
	device_fail(card_why);
}

/* The notified queues that can be served now (set up on their first
 * notification), taken out of pending; a queue that cannot be set up is
 * dropped until its next notification. */
static uint32_t ready_pending(void)
{
	uint32_t ready = 0;

	pending &= nqueues < 32 ? (1u << nqueues) - 1 : ~0u;	/* no such queue */
	for (unsigned qi = 0; qi < nqueues; qi++) {
		if (!(pending & (1u << qi)))
			continue;
		pending &= ~(1u << qi);
		if (queues[qi].ready || !vq_setup(&queues[qi], qi, driver_features()))
			ready |= 1u << qi;
	}
	return ready;
}

/* Asked by fsdev between turns: a FORGET notified on the hiprio queue while
 * a request queue drains is served at the next turn. */
static uint32_t card_notified(void *ctx)
{
	uint32_t reg = mmio_read32(VIRTIO_REG(NOTIFY));

	(void)ctx;
	card_fs_poll();		/* a busy guest keeps the loop in fsdev */
	if (!reg)
		return 0;
	pending |= reg;
	phase_mark(SOC_PHASE_NOTIFY, reg);
	/* after a reset the queues are set up anew: the main loop's job */
	if (mmio_read32(VIRTIO_REG(STATUS)) & SOC_VIRTIO_STATUS_RESET_SEEN_MASK)
		return 0;
	return ready_pending();
}

/* Asked by fsdev between turns: request queues with requests waiting go to
 * the fast path first (a READ hit is served without the core; anything
 * else comes back as a miss, the first chain the firmware's next POP of
 * that queue returns), unless a chain it handed over still waits for that
 * POP or the server has idle work owed (which the firmware does first, as
 * when it finds the queues empty). Without this, a guest that keeps
 * several READs in the ring (FUSE_ASYNC_DIO) would never find the fast
 * path armed. */
static uint32_t card_hand_over(void *ctx, uint32_t mask, int idle_due)
{
	uint32_t take = mask & fast_ok;

	(void)ctx;
	if (!take || idle_due || !fast_may_take())
		return 0;
	handed |= take;
	return take;
}

static const struct fsdev_queue_ops card_queue_ops = {
	.pop = card_pop,
	.gather = card_gather,
	.scatter = card_scatter,
	.scatterv = card_scatterv,
	.push = card_push,
	.bad_chain = card_bad_chain,
	.fail = card_fail,
	.notified = card_notified,
	.hand_over = card_hand_over,
};

/* Idle work (fsdev_idle: evictions a FORGET queued, an early commit), one
 * step per turn of the main loop, so a notification or a reset waits for
 * one step at most: 1 while work is left (the card stays awake), 0 when it
 * may sleep. Busy meanwhile, for a simulator that steps only a busy card. */
static int card_idle_step(void)
{
	sim_busy(1);
	return fsdev_idle(&dev, 1);
}

/* A driver reset: the session ends (its write-back takes the SSD a while:
 * busy, for a simulator that steps the card only while it works). */
static void end_session(void)
{
	sim_busy(1);
	forget_queues();
}

int main(void)
{
	printf("card firmware: virtio-fs function, %lu queues\n",
	       (unsigned long)mmio_read32(VIRTIO_REG(NUMQ)));
	card_fs_start();
	fast_init();
	fsdev_init(&dev, card_fs_server(), &card_queue_ops, NULL,
		   (void *)(DMABUF + REQ_OFF), REQ_MAX, (void *)(DMABUF + REP_OFF), REP_MAX);
	nqueues = mmio_read32(VIRTIO_REG(NUMQ));
	if (nqueues > MAX_QUEUES)
		nqueues = MAX_QUEUES;
	for (;;) {
		uint32_t reg, status;

		/* A reset clears the function's notification bits, so bits read
		 * after it are for the new configuration; bits that raced with it
		 * only cause a harmless look at a queue. */
		reg = mmio_read32(VIRTIO_REG(STATUS));
		if (reg & SOC_VIRTIO_STATUS_RESET_SEEN_MASK)
			end_session();
		reg = mmio_read32(VIRTIO_REG(NOTIFY));
		if (reg) {
			pending |= reg;
			phase_mark(SOC_PHASE_NOTIFY, reg);
		}
		reg = mmio_read32(VIRTIO_REG(STATUS));
		if (reg & SOC_VIRTIO_STATUS_RESET_SEEN_MASK)
			end_session();
		status = SOC_FIELD_GET(SOC_VIRTIO_STATUS_DEVICE_STATUS, reg);
		fast_ok = fast_queues(status);
		if (!pending) {
			/* queues handed over go to the fast path at once (they
			 * were handed over only with no idle work owed) */
			if (!handed && !broken && (status & VIRTIO_CONFIG_S_DRIVER_OK) && card_idle_step())
				continue;
			wait_for_host(fast_queues(status));
			continue;
		}
		if (!(status & VIRTIO_CONFIG_S_DRIVER_OK)) {
			sim_busy(0);
			continue;	/* notifications wait for DRIVER_OK */
		}
		sim_busy(1);
		{
			uint32_t ready = ready_pending();	/* taken even when broken */

			if (!broken)
				fsdev_serve_queues(&dev, ready);
		}
		card_fs_poll();
	}
	return 0;
}
