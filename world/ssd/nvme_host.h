/*
 * The SSD's controller (nvme_core.h) bound to host memory, for host tests of
 * the firmware NVMe driver (firmware/nvme under ASan/UBSan): bus addresses
 * are the test's own pointers, registers are function calls (the driver's
 * HAL reg_read/reg_write), DMA reads complete a cycle after they are asked
 * for, and time is a cycle count that moves only when the test advances
 * it (nvme_host_advance), so every run is the same run.
 */
#ifndef NVME_HOST_H
#define NVME_HOST_H

#include <stddef.h>
#include <stdint.h>

#include "nvme_core.h"

struct nvme_host;

/* NULL with err set on failure (the image of o->image cannot be used). */
struct nvme_host *nvme_host_open(const struct nvme_dev_opts *o, char *err, size_t errlen);
void nvme_host_close(struct nvme_host *h);
struct nvme_core *nvme_host_core(struct nvme_host *h);

/* BAR0 registers; the signatures of the driver's HAL (ctx: the nvme_host). */
uint32_t nvme_host_reg_read(void *ctx, uint32_t off);
void nvme_host_reg_write(void *ctx, uint32_t off, uint32_t v);

/* Lets `cycles` pass: DMA completions and the controller's timed work, in
 * the order they fall due. */
void nvme_host_advance(struct nvme_host *h, uint64_t cycles);
uint64_t nvme_host_cycle(const struct nvme_host *h);

#endif /* NVME_HOST_H */
