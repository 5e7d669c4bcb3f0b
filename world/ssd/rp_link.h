/*
 * The device end of the card's root-port link in the Verilator testbench:
 * turns the card's beats into whole TLPs for a device model and sends the
 * model's TLPs back beat by beat (format: docs/pcie-function.md). It runs
 * inside vtop_clock() (vtop_set_rp_hook), so any testbench loop drives it.
 *
 * Besides the plain stream it offers what a bus-mastering device needs:
 * memory reads of card memory (split at a read-request size, tags, completion
 * reassembly, timeout) and memory writes (split at a payload size).
 */
#ifndef RP_LINK_H
#define RP_LINK_H

#include <stddef.h>
#include <stdint.h>

#include "tlp.h"

struct vtop;
struct rp_link;

struct rp_link_ops {
	/* A whole TLP from the card (the model answers with rp_link_send);
	 * completions too, unless they are for a read of rp_link_dma_read. */
	void (*on_tlp)(void *ctx, const struct tlp *t);
	/* Once per cycle, after the TLPs of that cycle: time-driven work. */
	void (*on_cycle)(void *ctx, uint64_t cycle);
};

/* Result of a DMA read: 0, or -EIO (UR/CA/poisoned/malformed completion),
 * -ETIMEDOUT (no completion within the link's timeout). */
typedef void (*rp_dma_done_fn)(void *ctx, void *arg, int status);

struct rp_link *rp_link_attach(struct vtop *t, const struct rp_link_ops *ops, void *ctx);
void rp_link_detach(struct rp_link *l);

uint64_t rp_link_cycle(const struct rp_link *l);
/* Queues a TLP toward the card (ndata payload DWs). */
void rp_link_send(struct rp_link *l, const struct tlp *t);
/* TLPs waiting to go to the card. */
unsigned rp_link_pending(const struct rp_link *l);

/* Bus mastering: requester ID, read request and payload sizes (bytes). */
void rp_link_set_master(struct rp_link *l, uint16_t requester_id, unsigned mrrs, unsigned mps);
/* Reads len bytes of card memory at bus address addr into buf; done(ctx, arg,
 * status) is called when the last byte arrived or the read failed. */
void rp_link_dma_read(struct rp_link *l, uint64_t addr, void *buf, size_t len, rp_dma_done_fn done,
		      void *arg);
/* Writes len bytes to bus address addr (posted: queued in order behind every
 * TLP already queued). */
void rp_link_dma_write(struct rp_link *l, uint64_t addr, const void *buf, size_t len);
/* Reads in flight. */
unsigned rp_link_reads_pending(const struct rp_link *l);
/* Forgets every read in flight without calling back (a device reset); their
 * late completions are dropped. */
void rp_link_cancel_reads(struct rp_link *l);

/* Statistics */
struct rp_link_stats {
	uint64_t tlps_in, tlps_out;
	uint64_t rd_tlps, rd_bytes, wr_tlps, wr_bytes;
	uint64_t late_cpls;		/* completions for no read in flight */
	uint64_t bad_cpls;		/* unsuccessful or malformed completions */
};
void rp_link_stats(const struct rp_link *l, struct rp_link_stats *st);
/* The cycle of the next thing the link does on its own: the next cycle while
 * TLPs wait to move, else a read's timeout; UINT64_MAX when idle. */
uint64_t rp_link_next_event(const struct rp_link *l);
/* The simulator skipped `cycles` idle cycles (vtop_skip_idle): the link's
 * clock and its device's move on by as many. */
void rp_link_skip(struct rp_link *l, uint64_t cycles);

#endif /* RP_LINK_H */
