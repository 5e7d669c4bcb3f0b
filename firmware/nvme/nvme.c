#include "nvme.h"

#include <errno.h>
#include <string.h>

#include "phase.h"

/* Controller registers */
#define REG_CAP   0x00
#define REG_VS    0x08
#define REG_INTMS 0x0c
#define REG_CC    0x14
#define REG_CSTS  0x1c
#define REG_AQA   0x24
#define REG_ASQ   0x28
#define REG_ACQ   0x30
#define REG_DBS   0x1000

#define CC_EN        (1u << 0)
#define CC_IOSQES    (6u << 16)	/* 64-byte submission entries */
#define CC_IOCQES    (4u << 20)	/* 16-byte completion entries */
#define CC_SHN_NORMAL (1u << 14)
#define CSTS_RDY     (1u << 0)
#define CSTS_CFS     (1u << 1)
#define CSTS_SHST_MASK (3u << 2)
#define CSTS_SHST_DONE (2u << 2)

/* Opcodes */
#define ADM_CREATE_SQ 0x01
#define ADM_CREATE_CQ 0x05
#define ADM_IDENTIFY  0x06
#define ADM_SET_FEATURES 0x09
#define NVM_FLUSH     0x00
#define NVM_WRITE     0x01
#define NVM_READ      0x02
#define NVM_WRITE_ZEROES 0x08
#define NVM_DSM       0x09
#define NVME_RW_FUA   (1u << 30)	/* CDW12 of a read or write */
#define FEAT_NUM_QUEUES 0x07

#define ADMIN_DEPTH 64u

/* Stands in for a command that timed out: its slot is never reused, so a
 * late completion cannot land on a newer command. */
static struct nvme_io lost_io;
#define IO_QID 1u
#define CMD_TIMEOUT_US 2000000u

static uint32_t rd32(struct nvme_ctrl *c, uint32_t off)
{
	if (c->hal.reg_read)
		return c->hal.reg_read(c->hal.reg_ctx, off);
	return *(volatile uint32_t *)(c->hal.bar + off);
}

static void wr32(struct nvme_ctrl *c, uint32_t off, uint32_t v)
{
	if (c->hal.reg_write) {
		c->hal.reg_write(c->hal.reg_ctx, off, v);
		return;
	}
	*(volatile uint32_t *)(c->hal.bar + off) = v;
}

static void wr64(struct nvme_ctrl *c, uint32_t off, uint64_t v)
{
	wr32(c, off, (uint32_t)v);
	wr32(c, off + 4, (uint32_t)(v >> 32));
}

static void barrier(void)
{
	__sync_synchronize();
}

static void ring(struct nvme_ctrl *c, unsigned qid, int cq, uint32_t v)
{
	barrier();	/* entries in memory before the controller is told */
	wr32(c, REG_DBS + (2 * qid + (cq ? 1 : 0)) * c->doorbell_stride, v);
}

static int wait_csts(struct nvme_ctrl *c, uint32_t mask, uint32_t want)
{
	uint64_t start = c->hal.now_us();

	for (;;) {
		uint32_t s = rd32(c, REG_CSTS);

		if (s == 0xffffffffu)
			return -EIO;		/* the device is gone */
		if ((s & mask) == want)
			return 0;
		if (c->hal.now_us() - start > c->timeout_us)
			return -ETIMEDOUT;
	}
}

/* Polls CSTS (not more often than every CSTS_POLL_US while commands are
 * outstanding: each read is a round trip to the device); returns -EIO and
 * sets c->fatal when the controller has failed or is gone. */
#define CSTS_POLL_US 20u
static int check_fatal(struct nvme_ctrl *c, int force)
{
	uint64_t now = c->hal.now_us();
	uint32_t s;

	if (c->fatal)
		return -EIO;
	if (!force && now - c->csts_checked_us < CSTS_POLL_US)
		return 0;
	c->csts_checked_us = now;
	s = rd32(c, REG_CSTS);
	if (s == 0xffffffffu || (s & CSTS_CFS)) {
		c->fatal = 1;
		return -EIO;
	}
	return 0;
}

static void idle(struct nvme_ctrl *c)
{
	if (c->hal.idle)
		c->hal.idle();
}

/* The entry at the queue's head, if the controller has posted it. */
static struct nvme_cqe *peek(struct nvme_queue *q)
{
	struct nvme_cqe *e = &q->cq[q->cq_head];

	if ((__atomic_load_n(&e->status, __ATOMIC_ACQUIRE) & 1) != q->phase)
		return NULL;
	return e;
}

static void advance(struct nvme_ctrl *c, struct nvme_queue *q)
{
	if (++q->cq_head == q->depth) {
		q->cq_head = 0;
		q->phase ^= 1;
	}
	ring(c, q->qid, 1, q->cq_head);
}

static int status_to_errno(struct nvme_ctrl *c, uint16_t status)
{
	uint16_t sf = status >> 1;	/* SC [7:0], SCT [10:8] */

	if (!sf)
		return 0;
	c->last_status = sf;
	return -EIO;
}

static int admin(struct nvme_ctrl *c, struct nvme_sqe *cmd, uint32_t *dw0)
{
	struct nvme_queue *q = &c->admin;
	uint16_t cid = c->next_cid++;
	uint64_t start;

	cmd->cdw0 = (cmd->cdw0 & 0xffu) | (uint32_t)cid << 16;
	q->sq[q->sq_tail] = *cmd;
	q->sq_tail = (uint16_t)((q->sq_tail + 1) % q->depth);
	ring(c, 0, 0, q->sq_tail);
	start = c->hal.now_us();
	for (;;) {
		struct nvme_cqe *e = peek(q);

		if (e) {
			uint16_t st = e->status, ecid = e->cid;
			uint32_t d = e->dw0;

			advance(c, q);
			if (ecid != cid)
				continue;	/* a stale entry: not ours */
			if (dw0)
				*dw0 = d;
			return status_to_errno(c, st);
		}
		idle(c);
		if (check_fatal(c, 0))
			return -EIO;		/* controller fatal status */
		if (c->hal.now_us() - start > c->cmd_timeout_us)
			return -ETIMEDOUT;
	}
}

int nvme_admin(struct nvme_ctrl *c, struct nvme_sqe *cmd, uint32_t *dw0)
{
	return c->fatal ? -EIO : admin(c, cmd, dw0);
}

static void copy_ident(char *dst, const uint8_t *src, size_t n)
{
	memcpy(dst, src, n);
	dst[n] = 0;
	while (n && (dst[n - 1] == ' ' || dst[n - 1] == 0))
		dst[--n] = 0;
}

int nvme_init(struct nvme_ctrl *c, const struct nvme_hal *hal, void *arena)
{
	uint8_t *a = arena;
	struct nvme_sqe cmd;
	uint32_t cc, dw0;
	unsigned mps_min;
	int ret;

	memset(c, 0, sizeof(*c));
	if (((uintptr_t)arena % NVME_PAGE) != 0)
		return -EINVAL;
	c->hal = *hal;
	c->arena = arena;
	c->cmd_timeout_us = CMD_TIMEOUT_US;
	memset(arena, 0, NVME_ARENA_SIZE);
	c->admin.sq = (struct nvme_sqe *)(a + 0 * NVME_PAGE);
	c->admin.cq = (struct nvme_cqe *)(a + 1 * NVME_PAGE);
	c->io.sq = (struct nvme_sqe *)(a + 2 * NVME_PAGE);
	c->io.cq = (struct nvme_cqe *)(a + 3 * NVME_PAGE);
	c->prp_lists = (uint64_t *)(a + 4 * NVME_PAGE);
	c->scratch = a + (4 + NVME_IO_DEPTH) * NVME_PAGE;

	c->cap = rd32(c, REG_CAP) | (uint64_t)rd32(c, REG_CAP + 4) << 32;
	if (c->cap == ~0ull)
		return -ENODEV;
	c->doorbell_stride = 4u << ((c->cap >> 32) & 0xf);
	c->timeout_us = (uint32_t)((c->cap >> 24) & 0xff) * 500000u;
	if (!c->timeout_us)
		c->timeout_us = 500000u;
	mps_min = (unsigned)((c->cap >> 48) & 0xf);
	if (mps_min != 0 || !((c->cap >> 37) & 1))
		return -ENOTSUP;	/* needs 4 KiB pages and the NVM command set */
	if ((c->cap & 0xffff) + 1 < NVME_IO_DEPTH)
		return -ENOTSUP;

	/* Disable, program the admin queues, enable. */
	wr32(c, REG_CC, rd32(c, REG_CC) & ~CC_EN);
	if ((ret = wait_csts(c, CSTS_RDY, 0)))
		return ret;
	c->admin.depth = ADMIN_DEPTH;
	c->admin.qid = 0;
	c->admin.phase = 1;
	if (!c->hal.use_irq)
		wr32(c, REG_INTMS, 0xffffffffu);	/* polled: no pin/MSI interrupts */
	wr32(c, REG_AQA, (ADMIN_DEPTH - 1) << 16 | (ADMIN_DEPTH - 1));
	wr64(c, REG_ASQ, c->hal.bus_addr(c->admin.sq));
	wr64(c, REG_ACQ, c->hal.bus_addr(c->admin.cq));
	cc = CC_EN | CC_IOSQES | CC_IOCQES;	/* CSS NVM, MPS 4 KiB, round robin */
	wr32(c, REG_CC, cc);
	if ((ret = wait_csts(c, CSTS_RDY | CSTS_CFS, CSTS_RDY)))
		return ret;

	/* Identify controller */
	memset(&cmd, 0, sizeof(cmd));
	cmd.cdw0 = ADM_IDENTIFY;
	cmd.prp1 = c->hal.bus_addr(c->scratch);
	cmd.cdw10 = 1;
	if ((ret = admin(c, &cmd, NULL)))
		return ret;
	copy_ident(c->serial, c->scratch + 4, 20);
	copy_ident(c->model, c->scratch + 24, 40);
	c->max_xfer = NVME_MAX_XFER;
	if (c->scratch[77] && (NVME_PAGE << c->scratch[77]) < c->max_xfer)
		c->max_xfer = NVME_PAGE << c->scratch[77];

	/* Identify namespace 1 */
	memset(&cmd, 0, sizeof(cmd));
	cmd.cdw0 = ADM_IDENTIFY;
	cmd.nsid = 1;
	cmd.prp1 = c->hal.bus_addr(c->scratch);
	cmd.cdw10 = 0;
	if ((ret = admin(c, &cmd, NULL)))
		return ret;
	memcpy(&c->nsze, c->scratch, 8);
	{
		unsigned fmt = c->scratch[26] & 0xf;
		uint32_t lbaf;

		memcpy(&lbaf, c->scratch + 128 + 4 * fmt, 4);
		c->lba_size = 1u << ((lbaf >> 16) & 0xff);
	}
	c->dlfeat = c->scratch[33];
	c->nsid = 1;
	if (!c->nsze || c->lba_size < 512 || c->lba_size > NVME_PAGE)
		return -ENOTSUP;

	/* One I/O queue pair */
	memset(&cmd, 0, sizeof(cmd));
	cmd.cdw0 = ADM_SET_FEATURES;
	cmd.cdw10 = FEAT_NUM_QUEUES;
	cmd.cdw11 = 0;			/* one SQ, one CQ */
	if ((ret = admin(c, &cmd, &dw0)))
		return ret;
	c->io.depth = NVME_IO_DEPTH;
	c->io.qid = IO_QID;
	c->io.phase = 1;
	memset(&cmd, 0, sizeof(cmd));
	cmd.cdw0 = ADM_CREATE_CQ;
	cmd.prp1 = c->hal.bus_addr(c->io.cq);
	cmd.cdw10 = (uint32_t)(NVME_IO_DEPTH - 1) << 16 | IO_QID;
	cmd.cdw11 = 1;			/* physically contiguous */
	if (c->hal.use_irq)
		cmd.cdw11 |= 2u | (uint32_t)c->hal.irq_vector << 16;	/* interrupts on, vector */
	if ((ret = admin(c, &cmd, NULL)))
		return ret;
	memset(&cmd, 0, sizeof(cmd));
	cmd.cdw0 = ADM_CREATE_SQ;
	cmd.prp1 = c->hal.bus_addr(c->io.sq);
	cmd.cdw10 = (uint32_t)(NVME_IO_DEPTH - 1) << 16 | IO_QID;
	cmd.cdw11 = IO_QID << 16 | 1;	/* its CQ, physically contiguous */
	return admin(c, &cmd, NULL);
}

int nvme_reset(struct nvme_ctrl *c)
{
	struct nvme_hal hal = c->hal;
	void *arena = c->arena;
	uint32_t timeout = c->cmd_timeout_us;
	int ret;

	/* Disabling the controller stops its DMA: only then do the buffers of
	 * the commands in flight go back to their owners. */
	wr32(c, REG_CC, rd32(c, REG_CC) & ~CC_EN);
	wait_csts(c, CSTS_RDY, 0);
	for (unsigned s = 0; s < NVME_IO_DEPTH; s++) {
		struct nvme_io *io = c->inflight[s];

		if (io && io != &lost_io) {
			io->result = -EIO;
			io->done = 1;
		}
	}
	ret = nvme_init(c, &hal, arena);
	c->cmd_timeout_us = timeout;
	return ret;
}

int nvme_shutdown(struct nvme_ctrl *c)
{
	wr32(c, REG_CC, (rd32(c, REG_CC) & ~(3u << 14)) | CC_SHN_NORMAL);
	return wait_csts(c, CSTS_SHST_MASK, CSTS_SHST_DONE);
}

/* PRP1/PRP2 for buf[0..len), using slot's list page when more than two pages. */
static void build_prps(struct nvme_ctrl *c, unsigned slot, const void *buf, uint32_t len,
		       struct nvme_sqe *cmd)
{
	uint64_t a = c->hal.bus_addr(buf);
	uint32_t first = NVME_PAGE - (uint32_t)(a % NVME_PAGE);

	cmd->prp1 = a;
	cmd->prp2 = 0;
	if (len <= first)
		return;
	if (len - first <= NVME_PAGE) {
		cmd->prp2 = a + first;
		return;
	}
	{
		uint64_t *list = c->prp_lists + (size_t)slot * (NVME_PAGE / 8);
		uint32_t n = 0;

		for (uint32_t off = first; off < len; off += NVME_PAGE)
			list[n++] = a + off;
		cmd->prp2 = c->hal.bus_addr(list);
	}
}

int nvme_submit(struct nvme_ctrl *c, struct nvme_io *io)
{
	struct nvme_queue *q = &c->io;
	struct nvme_sqe cmd;
	unsigned slot;
	uint32_t bytes = io->nlb * c->lba_size;

	if (c->fatal)
		return -EIO;
	for (slot = 0; slot < NVME_IO_DEPTH - 1 && c->inflight[slot]; slot++)
		;
	if (slot == NVME_IO_DEPTH - 1)
		return -EBUSY;
	if ((io->opcode == NVM_READ || io->opcode == NVM_WRITE) &&
	    (((uintptr_t)io->buf & 3) || (c->hal.dma_ok && !c->hal.dma_ok(io->buf, bytes))))
		return -EINVAL;
	if (io->opcode != NVM_FLUSH) {
		if (io->nlb == 0 || io->nlb > 0x10000 || io->lba >= c->nsze || io->nlb > c->nsze - io->lba)
			return -EINVAL;
		if (io->opcode != NVM_WRITE_ZEROES && bytes > c->max_xfer)
			return -EINVAL;
	}
	memset(&cmd, 0, sizeof(cmd));
	cmd.cdw0 = io->opcode | (uint32_t)slot << 16;
	cmd.nsid = c->nsid;
	if (io->opcode == NVM_READ || io->opcode == NVM_WRITE)
		build_prps(c, slot, io->buf, bytes, &cmd);
	if (io->opcode != NVM_FLUSH) {
		cmd.cdw10 = (uint32_t)io->lba;
		cmd.cdw11 = (uint32_t)(io->lba >> 32);
		cmd.cdw12 = io->nlb - 1;
		if (io->opcode == NVM_WRITE && io->fua)
			cmd.cdw12 |= NVME_RW_FUA;
	}
	io->done = 0;
	io->result = 0;
	c->inflight[slot] = io;
	q->sq[q->sq_tail] = cmd;
	q->sq_tail = (uint16_t)((q->sq_tail + 1) % q->depth);
	ring(c, q->qid, 0, q->sq_tail);
	phase_mark(SOC_PHASE_NVME_SUBMIT, io->opcode);
	return 0;
}

int nvme_poll(struct nvme_ctrl *c)
{
	struct nvme_cqe *e;
	int n = 0;

	while ((e = peek(&c->io)) != NULL) {
		uint16_t cid = e->cid, st = e->status;

		advance(c, &c->io);
		if (cid < NVME_IO_DEPTH && c->inflight[cid] && c->inflight[cid] != &lost_io) {
			struct nvme_io *io = c->inflight[cid];

			c->inflight[cid] = NULL;
			io->result = status_to_errno(c, st);
			io->done = 1;
			n++;
		}
	}
	return n;
}

/* The controller will not complete io: its slot is never reused (until
 * nvme_reset), so a late completion cannot land on a newer command. */
static void retire(struct nvme_ctrl *c, struct nvme_io *io)
{
	for (unsigned s = 0; s < NVME_IO_DEPTH; s++)
		if (c->inflight[s] == io) {
			c->inflight[s] = &lost_io;
			c->lost++;
		}
}

int nvme_wait(struct nvme_ctrl *c, struct nvme_io *io)
{
	uint64_t start = c->hal.now_us();

	while (!io->done) {
		if (nvme_poll(c))
			continue;
		if (io->done)
			break;
		idle(c);
		if (nvme_poll(c) || io->done)
			continue;
		if (check_fatal(c, 0)) {
			retire(c, io);		/* controller fatal status: nothing will complete */
			return -EIO;
		}
		if (c->hal.now_us() - start > c->cmd_timeout_us) {
			retire(c, io);
			return -ETIMEDOUT;
		}
	}
	phase_mark(SOC_PHASE_NVME_DONE, 0);
	return io->result;
}

static void bounce_copy(const struct nvme_ctrl *c, void *dst, const void *src, size_t n)
{
	if (!c->hal.copy || c->hal.copy(dst, src, (uint32_t)n))
		memcpy(dst, src, n);
}

/* One command, waited for. A buffer the controller cannot reach goes through
 * the HAL's bounce buffer (safe to reuse: a command that times out leaves
 * the controller to be reset before the next one, see nvme_reset). */
static int sync_io(struct nvme_ctrl *c, uint8_t op, uint64_t lba, uint32_t nlb, void *buf, uint8_t fua)
{
	struct nvme_io io = { .opcode = op, .lba = lba, .nlb = nlb, .buf = buf, .fua = fua };
	size_t bytes = (size_t)nlb * c->lba_size;
	int bounce = buf && (op == NVM_READ || op == NVM_WRITE) &&
		     (((uintptr_t)buf & 3) || (c->hal.dma_ok && !c->hal.dma_ok(buf, bytes)));
	int ret;

	if (bounce) {
		if (!c->hal.bounce || bytes > NVME_MAX_XFER)
			return -EINVAL;
		if (op == NVM_WRITE)
			bounce_copy(c, c->hal.bounce, buf, bytes);
		io.buf = c->hal.bounce;
	}
	ret = nvme_submit(c, &io);
	if (!ret)
		ret = nvme_wait(c, &io);
	if (!ret && bounce && op == NVM_READ)
		bounce_copy(c, buf, c->hal.bounce, bytes);
	return ret;
}

int nvme_read(struct nvme_ctrl *c, uint64_t lba, uint32_t nlb, void *buf)
{
	return sync_io(c, NVM_READ, lba, nlb, buf, 0);
}

int nvme_write(struct nvme_ctrl *c, uint64_t lba, uint32_t nlb, const void *buf)
{
	return sync_io(c, NVM_WRITE, lba, nlb, (void *)buf, 0);
}

int nvme_write_fua(struct nvme_ctrl *c, uint64_t lba, uint32_t nlb, const void *buf)
{
	return sync_io(c, NVM_WRITE, lba, nlb, (void *)buf, 1);
}

int nvme_flush(struct nvme_ctrl *c)
{
	return sync_io(c, NVM_FLUSH, 0, 0, NULL, 0);
}

int nvme_write_zeroes(struct nvme_ctrl *c, uint64_t lba, uint32_t nlb)
{
	return sync_io(c, NVM_WRITE_ZEROES, lba, nlb, NULL, 0);
}

int nvme_deallocate(struct nvme_ctrl *c, uint64_t lba, uint32_t nlb)
{
	struct nvme_queue *q = &c->io;
	struct nvme_sqe cmd;
	struct nvme_io io = { .opcode = NVM_DSM, .lba = lba, .nlb = nlb };
	uint32_t *range = (uint32_t *)(c->scratch + NVME_PAGE);	/* the arena's last page */
	unsigned slot;

	if (nlb == 0 || lba >= c->nsze || nlb > c->nsze - lba)
		return -EINVAL;
	if (c->fatal)
		return -EIO;
	for (slot = 0; slot < NVME_IO_DEPTH - 1 && c->inflight[slot]; slot++)
		;
	if (slot == NVME_IO_DEPTH - 1)
		return -EBUSY;
	range[0] = 0;				/* context attributes */
	range[1] = nlb;
	range[2] = (uint32_t)lba;
	range[3] = (uint32_t)(lba >> 32);
	memset(&cmd, 0, sizeof(cmd));
	cmd.cdw0 = NVM_DSM | (uint32_t)slot << 16;
	cmd.nsid = c->nsid;
	cmd.prp1 = c->hal.bus_addr(range);
	cmd.cdw10 = 0;				/* one range */
	cmd.cdw11 = 1u << 2;			/* attribute: deallocate */
	c->inflight[slot] = &io;
	q->sq[q->sq_tail] = cmd;
	q->sq_tail = (uint16_t)((q->sq_tail + 1) % q->depth);
	ring(c, q->qid, 0, q->sq_tail);
	return nvme_wait(c, &io);
}
