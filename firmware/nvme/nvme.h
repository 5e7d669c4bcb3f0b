/*
 * NVMe host driver for the card's firmware: one controller, the admin queue
 * pair and one I/O queue pair, polled or woken by MSI-X. Portable C over a
 * small HAL, so that the same code drives the SSD behind the card's root
 * port (firmware/nvme/nvme_card.c), QEMU's NVMe (the cross-check,
 * tests/nvme) and the SSD model's controller on the host (world/ssd,
 * tests/nvme/model_test.c).
 *
 * Layouts follow the NVM Express Base Specification (1.4): 64-byte
 * submission and 16-byte completion entries, PRP data pointers.
 * Every call returns 0 or a negative errno: -ETIMEDOUT when the controller
 * does not answer in time, -EIO when it answers with an error status (the
 * status is kept in nvme_ctrl.last_status) or has gone fatal (CSTS.CFS:
 * nvme_ctrl.fatal set), -EINVAL for bad arguments. After a timeout or a fatal
 * controller, nvme_reset() brings it back (the block layer does that).
 */
#ifndef NVME_H
#define NVME_H

#include <stddef.h>
#include <stdint.h>

#define NVME_PAGE 4096u
#define NVME_IO_DEPTH 64u		/* I/O queue entries (one stays empty) */
#define NVME_MAX_XFER (128u * 1024u)	/* largest transfer per command */

struct nvme_hal {
	volatile uint8_t *bar;			/* controller registers (BAR0) */
	uint64_t (*bus_addr)(const void *p);	/* what the controller uses to reach p */
	uint64_t (*now_us)(void);
	/* Optional. dma_ok: can the controller reach p..p+len (NULL: always)?
	 * bounce: NVME_MAX_XFER bytes it can reach, used by the synchronous
	 * helpers for buffers it cannot. idle: called while waiting with
	 * nothing to reap; may sleep until an interrupt or a short timer.
	 * use_irq: the I/O completion queue raises MSI-X vector irq_vector
	 * (the HAL has set the vector up; idle() wakes on it). */
	int (*dma_ok)(const void *p, size_t len);
	void *bounce;
	/* Optional: copies n bytes between the bounce buffer and a caller's
	 * buffer without the CPU (a copy engine); nonzero when it cannot for
	 * these buffers, and memcpy does it then. NULL: memcpy. */
	int (*copy)(void *dst, const void *src, uint32_t n);
	void (*idle)(void);
	int use_irq;
	uint16_t irq_vector;
	/* Optional: registers reached by calls instead of loads and stores to
	 * bar (a controller model on the host, world/ssd/nvme_host.h). */
	uint32_t (*reg_read)(void *ctx, uint32_t off);
	void (*reg_write)(void *ctx, uint32_t off, uint32_t v);
	void *reg_ctx;
};

struct nvme_sqe {
	uint32_t cdw0;		/* opcode [7:0], command id [31:16] */
	uint32_t nsid;
	uint32_t cdw2, cdw3;
	uint64_t mptr;
	uint64_t prp1, prp2;
	uint32_t cdw10, cdw11, cdw12, cdw13, cdw14, cdw15;
};

struct nvme_cqe {
	uint32_t dw0, dw1;
	uint16_t sqhd, sqid;
	uint16_t cid;
	uint16_t status;	/* phase tag in bit 0 */
};

_Static_assert(sizeof(struct nvme_sqe) == 64, "submission entry");
_Static_assert(sizeof(struct nvme_cqe) == 16, "completion entry");

struct nvme_queue {
	struct nvme_sqe *sq;
	struct nvme_cqe *cq;
	uint16_t depth, qid;
	uint16_t sq_tail, cq_head;
	uint8_t phase;
};

/* One I/O command in flight. */
struct nvme_io {
	uint8_t opcode;
	uint64_t lba;
	uint32_t nlb;		/* blocks */
	uint8_t fua;		/* write: Force Unit Access (durable on completion) */
	void *buf;
	int result;		/* 0, -EIO, -ETIMEDOUT: set on completion */
	int done;
};

struct nvme_ctrl {
	struct nvme_hal hal;
	void *arena;
	uint64_t cap;
	uint32_t doorbell_stride;
	uint32_t timeout_us;		/* enable/disable, from CAP.TO */
	uint32_t cmd_timeout_us;	/* one command (default 2 s; callers may change it) */
	struct nvme_queue admin, io;
	uint64_t *prp_lists;		/* one page of PRP entries per I/O slot */
	uint8_t *scratch;		/* one page for identify data */
	struct nvme_io *inflight[NVME_IO_DEPTH];
	uint16_t next_cid;
	uint16_t last_status;		/* status field of the last failed command */
	int fatal;			/* CSTS.CFS seen (or the device is gone) */
	unsigned lost;			/* slots held by commands that timed out */
	uint64_t csts_checked_us;	/* when a wait last read CSTS */
	/* from identify */
	char model[41], serial[21];
	uint32_t nsid, lba_size;
	uint64_t nsze;
	uint32_t max_xfer;		/* bytes, from MDTS (and NVME_MAX_XFER) */
	uint8_t dlfeat;
};

/* Bytes of DMA-able memory nvme_init needs, page aligned. */
#define NVME_ARENA_SIZE ((4u + NVME_IO_DEPTH + 2u) * NVME_PAGE)

/* Resets and enables the controller, identifies controller and namespace 1,
 * creates the I/O queue pair. arena: NVME_ARENA_SIZE bytes, page aligned. */
int nvme_init(struct nvme_ctrl *c, const struct nvme_hal *hal, void *arena);
/* Shuts the controller down cleanly (CC.SHN normal). */
int nvme_shutdown(struct nvme_ctrl *c);
/* Controller reset and the same set-up again (after a timeout or CSTS.CFS):
 * every command in flight ends with -EIO first; the controller can no longer
 * write into their buffers once this returns. */
int nvme_reset(struct nvme_ctrl *c);

/* Queues one command (read 0x02, write 0x01, flush 0x00, write zeroes 0x08);
 * -EBUSY when NVME_IO_DEPTH - 1 are in flight. buf: any address the
 * controller can reach (dword aligned), at most max_xfer bytes; pages after
 * the first are reached through PRPs. */
int nvme_submit(struct nvme_ctrl *c, struct nvme_io *io);
/* Reaps completions; returns how many commands finished (their io->done set). */
int nvme_poll(struct nvme_ctrl *c);
/* Waits until io is done or the timeout passes. */
int nvme_wait(struct nvme_ctrl *c, struct nvme_io *io);

/* One admin command, waited for (command ID filled in); *dw0 gets
 * completion DW0 if dw0 is not NULL. */
int nvme_admin(struct nvme_ctrl *c, struct nvme_sqe *cmd, uint32_t *dw0);

/* Synchronous helpers */
int nvme_read(struct nvme_ctrl *c, uint64_t lba, uint32_t nlb, void *buf);
int nvme_write(struct nvme_ctrl *c, uint64_t lba, uint32_t nlb, const void *buf);
/* A write with Force Unit Access: durable when it completes. */
int nvme_write_fua(struct nvme_ctrl *c, uint64_t lba, uint32_t nlb, const void *buf);
int nvme_flush(struct nvme_ctrl *c);
int nvme_write_zeroes(struct nvme_ctrl *c, uint64_t lba, uint32_t nlb);
int nvme_deallocate(struct nvme_ctrl *c, uint64_t lba, uint32_t nlb);

#endif /* NVME_H */
