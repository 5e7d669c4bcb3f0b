/*
 * An NVMe controller model for tests: registers and doorbells in a page of
 * memory, a thread that plays the controller (admin queue, one or more I/O
 * queue pairs, PRPs, phase tags), an in-memory namespace of 512-byte blocks,
 * and injectable faults. DMA addresses are the host's own pointers.
 * It is what the firmware driver is tested against on the host; the RTL
 * testbench attaches the same behaviour behind the card's root port later.
 */
#ifndef NVME_MODEL_H
#define NVME_MODEL_H

#include <pthread.h>
#include <stdint.h>

#define NVME_MODEL_QUEUES 5	/* admin + 4 I/O */
#define NVME_MODEL_BAR 0x2000

struct nvme_model_q {
	uint64_t base;		/* host address of the ring */
	uint16_t size, head, tail, cqid, phase;
	int valid;
};

struct nvme_model {
	uint8_t bar[NVME_MODEL_BAR] __attribute__((aligned(4096)));
	uint8_t *media;
	uint64_t nblocks;
	pthread_t thread;
	volatile int stop;
	struct nvme_model_q sq[NVME_MODEL_QUEUES], cq[NVME_MODEL_QUEUES];
	int enabled;
	uint64_t commands;
	/* faults */
	volatile uint64_t media_err_lba, media_err_len;	/* reads there fail (len 0: none) */
	volatile int hang_opcode;			/* this I/O opcode never completes (-1: none) */
	volatile int fatal_now;				/* set: the controller goes fatal (CSTS.CFS) */
};

/* 0, or -1 when memory or the thread cannot be had. */
int nvme_model_start(struct nvme_model *m, uint64_t nblocks);
void nvme_model_stop(struct nvme_model *m);

#endif /* NVME_MODEL_H */
