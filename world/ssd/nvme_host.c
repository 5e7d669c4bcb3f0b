/*
 * The SSD's controller over host memory (nvme_host.h).
 */
#include "nvme_host.h"

#include <stdlib.h>
#include <string.h>

#define DMA_CYCLES 1u		/* a DMA read completes this much later */

struct pending_read {
	uint64_t due;
	uint64_t addr;
	void *buf;
	size_t len;
	nvme_core_dma_done done;
	void *arg;
	struct pending_read *next;
};

struct nvme_host {
	struct nvme_core *core;
	uint64_t cycle;
	struct pending_read *head, *tail;	/* in the order asked, so in due order */
};

static void bus_read(void *ctx, uint64_t addr, void *buf, size_t len, nvme_core_dma_done done, void *arg)
{
	struct nvme_host *h = ctx;
	struct pending_read *r = malloc(sizeof(*r));

	if (!r)
		abort();
	*r = (struct pending_read){ .due = h->cycle + DMA_CYCLES, .addr = addr, .buf = buf, .len = len,
				    .done = done, .arg = arg };
	if (h->tail)
		h->tail->next = r;
	else
		h->head = r;
	h->tail = r;
}

static void bus_write(void *ctx, uint64_t addr, const void *buf, size_t len)
{
	(void)ctx;
	memcpy((void *)(uintptr_t)addr, buf, len);
}

static void bus_cancel(void *ctx)
{
	struct nvme_host *h = ctx;

	while (h->head) {
		struct pending_read *r = h->head;

		h->head = r->next;
		free(r);
	}
	h->tail = NULL;
}

struct nvme_host *nvme_host_open(const struct nvme_dev_opts *o, char *err, size_t errlen)
{
	static const struct nvme_core_bus bus = { .dma_read = bus_read, .dma_write = bus_write,
						  .cancel_reads = bus_cancel };
	struct nvme_host *h = calloc(1, sizeof(*h));

	if (!h) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	h->core = nvme_core_open(o, &bus, h, err, errlen);
	if (!h->core) {
		free(h);
		return NULL;
	}
	return h;
}

void nvme_host_close(struct nvme_host *h)
{
	if (!h)
		return;
	bus_cancel(h);
	nvme_core_close(h->core);
	free(h);
}

struct nvme_core *nvme_host_core(struct nvme_host *h) { return h->core; }
uint64_t nvme_host_cycle(const struct nvme_host *h) { return h->cycle; }

uint32_t nvme_host_reg_read(void *ctx, uint32_t off)
{
	struct nvme_host *h = ctx;

	return nvme_core_reg_read(h->core, off);
}

void nvme_host_reg_write(void *ctx, uint32_t off, uint32_t v)
{
	struct nvme_host *h = ctx;

	nvme_core_reg_write(h->core, off, v, 0xf);
}

void nvme_host_advance(struct nvme_host *h, uint64_t cycles)
{
	uint64_t end = h->cycle + cycles;

	for (;;) {
		uint64_t t = nvme_core_next_event(h->core);

		if (h->head && h->head->due < t)
			t = h->head->due;
		if (t > end)
			break;
		if (t > h->cycle)
			h->cycle = t;
		/* reads first: what they bring may be what the controller waits for */
		while (h->head && h->head->due <= h->cycle) {
			struct pending_read *r = h->head;

			h->head = r->next;
			if (!h->head)
				h->tail = NULL;
			memcpy(r->buf, (const void *)(uintptr_t)r->addr, r->len);
			r->done(h, r->arg, 0);
			free(r);
		}
		nvme_core_run(h->core, h->cycle);
	}
	h->cycle = end;
	nvme_core_run(h->core, end);
}
