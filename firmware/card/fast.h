/*
 * The firmware's side of the READ fast path (rtl/vq/vq_fast.sv, FAST;
 * docs/fastpath.md): lending the queue and DMA engines to it while the
 * firmware sleeps, the tags of the page-cache pages it may serve, and
 * keeping them true.
 *
 * Coherency is kept by one rule: the fast path serves only while armed, the
 * firmware arms only in its idle path, and before arming it invalidates
 * every tag that may no longer hold (fast_arm). What may have changed is
 * judged conservatively: every request that is not known to leave file
 * data, sizes and handles alone invalidates at once, and any frame the page
 * cache evicted, dropped or dirtied since the last look clears the whole
 * table.
 *
 * The no-capability table (FAST.XNODE, XCMD): nodes whose GETXATTR of
 * security.capability the firmware answered ENODATA, so that the fast path
 * answers the next ones (Linux asks before every write). Only SETXATTR can
 * make the answer wrong, REMOVEXATTR and a forgotten node make the entry
 * useless or stale: each empties the table, as do INIT, DESTROY and reset.
 */
#ifndef CARD_FAST_H
#define CARD_FAST_H

#include <stddef.h>
#include <stdint.h>

struct vfs_seg;

/* Start-up: the table cleared, its size on the console. */
void fast_init(void);
/* The driver reset the device (the RTL clears its table too). */
void fast_reset(void);
/* Before WFI: the request queues of mask (never the hiprio queue 0) go to
 * the fast path, after the table was brought up to date. */
void fast_arm(uint32_t qmask);
/* Whether the fast path can take queues over now (on, and no chain it
 * handed to the firmware is still waiting for its POP). */
int fast_may_take(void);
/* Right after fast_arm(qmask): the queues of kick (within qmask) are popped
 * by the fast path as if notified: their entries are in the ring and the
 * firmware, which took their notification, hands them over. */
void fast_kick(uint32_t kick);
/* After WFI: the engines come back (a hit in flight completes first). */
void fast_disarm(void);
/* A request was gathered (len bytes at req): tags it may make wrong go. */
void fast_request(const volatile void *req, size_t len);
/* A READ (the request at req) was answered from the page cache with the n
 * pieces seg; size is the file's. Tags for the pages that lie whole in a
 * clean frame (and the file's last page, which the fast path cuts at size). */
void fast_read_served(const volatile void *req, const struct vfs_seg *seg, unsigned n, uint64_t size);
/* A reply of len bytes at rep was sent for the request at req: a GETXATTR
 * of security.capability answered ENODATA enters the node in the
 * no-capability table. */
void fast_reply_sent(const volatile void *req, const void *rep, size_t len);
/* The counters on the console (end of a session). */
void fast_report(void);

#endif /* CARD_FAST_H */
