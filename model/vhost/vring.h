/*
 * Split virtqueue walker for a software device (vfpga-model): takes
 * descriptor chains off a ring that vhost_user.c has mapped, checks every
 * rule the virtio spec puts on the driver, and puts used entries back.
 *
 * A malformed chain (address outside guest memory, a loop, a writable
 * descriptor before a readable one, a bad indirect table) is completed with
 * length 0 and never read or written; a ring whose indices make no sense is
 * marked broken and left alone until the front end sets it up again.
 */
#ifndef VRING_H
#define VRING_H

#include <stddef.h>
#include <stdint.h>

#include "vhost_user.h"

#define VRING_MAX_SEGS	1024	/* segments per chain (after region splits) */

struct vring_seg {
	uint8_t *host;
	uint32_t len;
};

struct vring_chain {
	uint16_t head;
	unsigned nin;		/* device-readable segments: seg[0 .. nin) */
	unsigned nout;		/* device-writable segments: seg[nin .. nin + nout) */
	uint64_t in_bytes, out_bytes;
	struct vring_seg seg[VRING_MAX_SEGS];
};

/* Returns 1 with a chain in c, 0 when the ring is empty, -EINVAL for a
 * malformed chain (c->head is set; complete it with vring_push(.., 0)),
 * -EIO when the ring is broken. */
int vring_pop(struct vu_dev *d, unsigned q, struct vring_chain *c);
/* Puts head on the used ring with len bytes written. */
void vring_push(struct vu_dev *d, unsigned q, uint16_t head, uint32_t len);
/* Signals the driver if it asked to be told about the entries pushed since
 * the last signal (event index or VRING_AVAIL_F_NO_INTERRUPT). */
void vring_signal(struct vu_dev *d, unsigned q);

/* Gathers the readable bytes into dst (at most cap); returns bytes copied. */
size_t vring_gather(const struct vring_chain *c, void *dst, size_t cap);
/* Scatters len bytes into the writable segments; returns bytes written
 * (less than len when the chain is too short). */
size_t vring_scatter(const struct vring_chain *c, const void *src, size_t len);
/* The same from byte pos of the writable buffers on; src NULL writes zeros. */
size_t vring_scatter_at(const struct vring_chain *c, size_t pos, const void *src, size_t len);

#endif /* VRING_H */
