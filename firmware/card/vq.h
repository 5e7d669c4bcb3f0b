/*
 * Device side of a split virtqueue, in firmware, over the DMA engine: pops
 * descriptor chains (direct and indirect) with every check the virtio spec
 * asks of a device, gathers and scatters their buffers through DMABUF, and
 * returns them in the used ring with interrupt suppression (flags or
 * event index).
 */
#ifndef CARD_VQ_H
#define CARD_VQ_H

#include <stdint.h>

#define VQ_MAX_SEGS 64

struct vq_seg {
	uint64_t addr;
	uint32_t len;
};

/* One request: a descriptor chain split into its readable and writable parts. */
struct vq_req {
	uint16_t head;
	unsigned nrd, nwr;
	uint32_t rd_len, wr_len;	/* byte totals */
	struct vq_seg rd[VQ_MAX_SEGS];
	struct vq_seg wr[VQ_MAX_SEGS];
};

struct vq {
	unsigned index;
	int ready;
	uint16_t size;
	uint64_t desc, avail, used;
	uint16_t last_avail;	/* next avail entry to take */
	uint16_t used_idx;	/* next used entry to fill */
	int event_idx, indirect;
};

/* Why the last chain was refused (a fixed string). */
extern const char *vq_error;
/* 1 when the queues go through the RTL engine, which the firmware may lend
 * to the READ fast path (fast.h); 0 for the firmware ring walker. */
extern const int vq_engine_lendable;

/* Reads a queue's configuration into q (shared by the implementations);
 * 0, or -EAGAIN while the queue is not enabled. */
int vq_read_config(struct vq *q, unsigned index);
/* Reads the queue's configuration from the function; 0 when it is enabled. */
int vq_setup(struct vq *q, unsigned index, uint64_t features);
/* 1 and *r filled when a chain was taken, 0 when the ring is empty, -EIO on a
 * DMA error or a chain that breaks the rules (the caller marks the device
 * broken). */
int vq_pop(struct vq *q, struct vq_req *r);
/* Copies the readable bytes [0, max) of r to dst, card memory the DMA engine
 * reaches (DMABUF, DDR or DAXWIN); returns the count. */
long vq_gather(const struct vq_req *r, void *dst, uint32_t max);
/* Copies len bytes from src (DMABUF, DDR or DAXWIN) into r's writable
 * buffers; returns the count, or -ENOSPC if they are shorter than len
 * (nothing is written). */
long vq_scatter(const struct vq_req *r, const void *src, uint32_t len);
struct vfs_seg;
/* A reply in pieces (a READ from the page cache): head_len bytes at DMABUF
 * offset head, then n pieces (in DMABUF or card memory, sent from where they
 * are; p NULL: zeros, staged in DMABUF from offset stage on, at stage + their
 * place in the reply, after every DMABUF piece at or above stage has gone),
 * len bytes in all, into r's writable buffers. Returns len or a negative
 * errno. */
long vq_scatter_pieces(const struct vq_req *r, uint32_t head, uint32_t head_len, const struct vfs_seg *seg,
		       unsigned n, uint32_t len, uint32_t stage);
/* Returns the chain with `len` bytes written; raises the queue's interrupt
 * unless the driver suppressed it. 0 or -EIO. */
int vq_push(struct vq *q, const struct vq_req *r, uint32_t len);

#endif /* CARD_VQ_H */
