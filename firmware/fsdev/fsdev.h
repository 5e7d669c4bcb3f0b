/*
 * fsdev: the virtio-fs device's request loop, the same on the card and in
 * the functional model (vfpga-model). It takes FUSE requests off the
 * virtqueues, hands them to the FUSE server, returns the replies, keeps the
 * requests the server answers later (a SETLKW that waits for a lock) and
 * answers them when the server has their replies.
 *
 * The queues are reached through a small binding (struct fsdev_queue_ops):
 * on the card the RTL virtqueue engine or the firmware ring walker
 * (firmware/card/vq_*.c) with DMA into DMABUF; in the model the host vring
 * walker over guest memory (model/vhost/vring.c). A binding keeps its chains
 * in slots the loop hands out: slot s holds a chain from pop until push.
 *
 * What the device does with a chain it cannot use is the binding's policy
 * (bad_chain): the card marks the device DEVICE_NEEDS_RESET, the model
 * completes the chain with nothing written and goes on. A request whose bytes
 * the binding cannot read (gather fails) is never dispatched: it gets EIO
 * when its header can be read alone, else the queue stops (ops->fail).
 */
#ifndef FSDEV_H
#define FSDEV_H

#include <stddef.h>
#include <stdint.h>

#include "fuse_server.h"

/* Chains in flight at once: one being served plus one for every request the
 * server can keep waiting, so a deferred request never lacks a slot. */
#define FSDEV_SLOTS (FUSE_SRV_MAX_WAITERS + 1)

struct fsdev_queue_ops {
	/* Takes the next chain of queue q into slot: 1 with its readable and
	 * writable byte totals in *rd and *wr, 0 when the ring is empty,
	 * -EINVAL for a chain that breaks the virtio rules (the slot holds
	 * what push needs to complete it), any other negative value when the
	 * queue cannot be served any more. */
	int (*pop)(void *ctx, unsigned q, unsigned slot, uint64_t *rd, uint64_t *wr);
	/* Copies the first cap readable bytes of the slot's chain into dst;
	 * the count, or a negative errno (the bytes could not be read: the
	 * loop never dispatches them; it reads the header alone again and
	 * answers EIO, or stops the queue when that fails too). */
	long (*gather)(void *ctx, unsigned slot, void *dst, size_t cap);
	/* Copies len bytes (at most the chain's writable total) into the
	 * slot's writable buffers; the count, or a negative errno. */
	long (*scatter)(void *ctx, unsigned slot, const void *src, size_t len);
	/* Optional: as scatter, for a reply whose data the server left where
	 * they are (a READ answered from the page cache): head_len bytes at
	 * head, then n pieces (p NULL: zeros), len bytes in all. Without it
	 * the loop copies the pieces into its reply buffer and calls scatter. */
	long (*scatterv)(void *ctx, unsigned slot, const void *head, size_t head_len,
			 const struct vfs_seg *seg, unsigned n, size_t len);
	/* Returns the slot's chain to queue q with len bytes written; 0 or a
	 * negative errno (the queue cannot be served any more). */
	int (*push)(void *ctx, unsigned q, unsigned slot, uint32_t len);
	/* A chain the device cannot serve (why says how): 0 to complete it
	 * with nothing written and go on, negative to stop serving. */
	int (*bad_chain)(void *ctx, unsigned q, unsigned slot, const char *why);
	/* Queue q cannot be served any more (err: what failed). */
	void (*fail)(void *ctx, unsigned q, int err);
	/* Optional: tell the driver about the entries pushed on queue q (a
	 * binding whose push already interrupts leaves it NULL). */
	void (*signal)(void *ctx, unsigned q);
	/* Optional: the queues (bit q: queue q) notified since the last call,
	 * asked once per turn of fsdev_serve_queues. */
	uint32_t (*notified)(void *ctx);
	/* Optional: asked once per turn of fsdev_serve_queues with the queues
	 * still to serve; returns those the binding takes over (the card's
	 * READ fast path), which leave the round. idle_due: the server has
	 * idle work waiting. */
	uint32_t (*hand_over)(void *ctx, uint32_t mask, int idle_due);
};

struct fsdev_stats {
	uint64_t requests;	/* chains handed to the server */
	uint64_t bad_chains;	/* completed empty or refused */
	uint64_t bytes_in, bytes_out;
	uint64_t no_room;	/* a reply the writable buffers could not take */
	uint64_t ref_replies;	/* READ replies sent from the page cache's frames */
	uint64_t unreadable;	/* requests whose bytes host memory refused: EIO */
	uint64_t idle_steps;	/* calls of the server's idle work */
	uint64_t idle_yields;	/* idle work stopped for a notified queue */
};

struct fsdev {
	const struct fsdev_queue_ops *ops;
	void *ctx;
	struct fuse_server *srv;
	uint8_t *req, *rep;	/* request and reply buffers */
	size_t req_cap, rep_cap;
	struct fsdev_slot {
		int busy;	/* held by a deferred request */
		unsigned q;
		uint64_t unique;
		uint64_t wr;	/* writable bytes of its chain */
	} slot[FSDEV_SLOTS];
	struct fsdev_stats stats;
};

/* Binds the loop to a server, a queue binding and its buffers (the card's
 * are in DMABUF, where its DMA engine moves the bytes). */
void fsdev_init(struct fsdev *d, struct fuse_server *srv, const struct fsdev_queue_ops *ops,
		void *ctx, void *req, size_t req_cap, void *rep, size_t rep_cap);
/* Serves queue q until its ring is empty; 0, or the negative errno that
 * stopped it (ops->fail or ops->bad_chain has been told). */
int fsdev_serve(struct fsdev *d, unsigned q);
/* Serves the queues of mask (bit q: queue q) until all are empty, one chain
 * per queue per turn, queue 0 first, adding the queues ops->notified
 * reports; a queue is signalled when it is found empty. 0, or the first
 * negative errno (that queue leaves the round; the others go on). */
int fsdev_serve_queues(struct fsdev *d, uint32_t mask);
/*
 * Idle work, while every queue is empty: up to max_steps bounded steps of
 * the server's (fuse_server_idle: deferred evictions, an early commit),
 * asking ops->notified before each, so a request that arrives waits for one
 * step at most; the queues it reports are served at once (then 1 is
 * returned: call again). 1 while work is left, 0 when none (the caller may
 * sleep). The card calls it with one step per turn of its main loop; the
 * model between polls of its kick descriptors.
 */
int fsdev_idle(struct fsdev *d, unsigned max_steps);
/* Queue q was stopped or reset by the driver: its waiting requests can no
 * longer be answered. */
void fsdev_stop_queue(struct fsdev *d, unsigned q);
/* The device was reset: no waiting request can be answered. */
void fsdev_reset(struct fsdev *d);

#endif /* FSDEV_H */
