/*
 * The NVMe controller of the simulation's SSD, apart from how it is
 * reached: BAR0 registers (NVMe and MSI-X), queues, commands, the media
 * timing of its profile and the faults (behaviour: nvme_dev.h). A binding
 * gives it a bus (DMA reads and writes of bus addresses; MSI-X messages
 * are writes too), forwards register accesses to it and tells it the time:
 *
 *   nvme_dev.c   the card's root-port link: TLPs, configuration space
 *   nvme_host.c  host memory: bus addresses are the test's own pointers
 *
 * Time is in cycles and only moves forward; nvme_core_run(cycle) does what
 * is due by then and may be called at any later cycle (idle spans skipped).
 * Not thread-safe: one binding drives it from one thread.
 */
#ifndef NVME_CORE_H
#define NVME_CORE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "nvme_dev.h"

struct nvme_core;

/* A DMA read's end: status 0, or negative (the command fails with a data
 * transfer error). ctx is the bus's own; the core uses only arg. */
typedef void (*nvme_core_dma_done)(void *ctx, void *arg, int status);

struct nvme_core_bus {
	/* Reads len bytes at addr into buf, then calls done (later, never
	 * from inside this call). */
	void (*dma_read)(void *ctx, uint64_t addr, void *buf, size_t len, nvme_core_dma_done done, void *arg);
	/* Writes len bytes at addr (posted, in order). */
	void (*dma_write)(void *ctx, uint64_t addr, const void *buf, size_t len);
	/* Forgets every read in flight without calling back (controller reset). */
	void (*cancel_reads)(void *ctx);
};

/* Opens the image of o->image; NULL with err set on failure. */
struct nvme_core *nvme_core_open(const struct nvme_dev_opts *o, const struct nvme_core_bus *bus, void *ctx,
				 char *err, size_t errlen);
/* Forgets every command, writes the image back (msync) and closes it. */
void nvme_core_close(struct nvme_core *d);

/* BAR0, a dword at byte offset off (be: byte enables of a write). */
uint32_t nvme_core_reg_read(struct nvme_core *d, uint32_t off);
void nvme_core_reg_write(struct nvme_core *d, uint32_t off, uint32_t v, unsigned be);
/* MSI-X Message Control as the binding's configuration space has it. */
void nvme_core_msix_control(struct nvme_core *d, int enable, int function_mask);

/* Advances to `cycle` and does what is due by then. */
void nvme_core_run(struct nvme_core *d, uint64_t cycle);
/* Cycle of the next thing due (UINT64_MAX: nothing until the host acts). */
uint64_t nvme_core_next_event(const struct nvme_core *d);

/* The faults of the vendor admin command (NVME_DEV_FAULT_*, same a/b/c as
 * its CDW11..13), set directly by a host test; -EINVAL for an unknown kind. */
int nvme_core_fault(struct nvme_core *d, unsigned kind, uint32_t a, uint32_t b, uint32_t c);

const struct nvme_dev_stats *nvme_core_stats(const struct nvme_core *d);
/* The timing in use. */
const struct ssd_profile *nvme_core_timing(const struct nvme_core *d);
void nvme_core_print_stats(const struct nvme_core *d, FILE *f);

/* Little-endian words in byte buffers (registers, config space, queue
 * entries), for the controller and its bindings. */
static inline uint32_t nvme_get32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void nvme_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

#endif /* NVME_CORE_H */
