#include "nvme_blockdev.h"

#include <errno.h>
#include <stdint.h>

static struct nvme_blockdev_stats stats;

const struct nvme_blockdev_stats *nvme_blockdev_stats(void)
{
	return &stats;
}

enum nbd_op { NBD_READ, NBD_WRITE, NBD_WRITE_FUA, NBD_FLUSH };

/* Tries of one command that times out: a lost command or a controller that
 * stalled is retried once after the controller reset (as Linux's driver
 * requeues what a reset aborted; a block write is idempotent and the block
 * layer has one command in flight, so nothing is reordered). */
#define NBD_TRIES 2

/*
 * One command, waited for. A command that timed out, or a controller that
 * went fatal, leaves the controller to be reset before it is used again: the
 * reset also stops any late DMA into a buffer the caller takes back with the
 * error. A timeout is retried after the reset (NBD_TRIES); a controller in
 * fatal status is not: it failed inside, so the caller (the filesystem)
 * stops writing and is recovered from its last commit (firmware/card).
 * The block layer sees -EIO for every failure.
 */
static int cmd(struct nvme_ctrl *c, enum nbd_op op, uint64_t lba, uint32_t nlb, void *buf)
{
	for (unsigned tries = 1;; tries++) {
		int ret, fatal;

		switch (op) {
		case NBD_READ: ret = nvme_read(c, lba, nlb, buf); break;
		case NBD_WRITE: ret = nvme_write(c, lba, nlb, buf); break;
		case NBD_WRITE_FUA: ret = nvme_write_fua(c, lba, nlb, buf); break;
		default: ret = nvme_flush(c); break;
		}
		if (!ret) {
			if (tries > 1)
				stats.retried_ok++;
			return 0;
		}
		fatal = c->fatal;
		if (ret != -ETIMEDOUT && !fatal) {
			stats.status_errors++;
			stats.failed_calls++;
			return ret;
		}
		if (fatal)
			stats.fatal++;
		else
			stats.timeouts++;
		stats.resets++;
		if (nvme_reset(c)) {
			stats.reset_failures++;
			break;
		}
		if (fatal || tries >= NBD_TRIES)
			break;
	}
	stats.failed_calls++;
	return -EIO;
}

/* Transfers are cut at the controller's limit; an error ends the call (the
 * block layer sees -EIO and no write is reported done that was not). */
static int rw(struct blockdev *bd, uint64_t sector, uint32_t count, void *buf, enum nbd_op op)
{
	struct nvme_ctrl *c = bd->priv;
	uint32_t step = c->max_xfer / BLOCKDEV_SECTOR_SIZE;
	uint8_t *b = buf;

	if (sector >= bd->nsectors || count > bd->nsectors - sector)
		return -EINVAL;
	while (count) {
		uint32_t n = count < step ? count : step;
		int ret = cmd(c, op, sector, n, b);

		if (ret)
			return ret;
		sector += n;
		count -= n;
		b += (size_t)n * BLOCKDEV_SECTOR_SIZE;
	}
	return 0;
}

static int nbd_read(struct blockdev *bd, uint64_t sector, uint32_t count, void *buf)
{
	return rw(bd, sector, count, buf, NBD_READ);
}

static int nbd_write(struct blockdev *bd, uint64_t sector, uint32_t count, const void *buf)
{
	return rw(bd, sector, count, (void *)buf, NBD_WRITE);
}

/* Each piece of a write cut at the controller's limit carries FUA: the
 * whole is durable when the call returns. */
static int nbd_write_fua(struct blockdev *bd, uint64_t sector, uint32_t count, const void *buf)
{
	return rw(bd, sector, count, (void *)buf, NBD_WRITE_FUA);
}

static int nbd_flush(struct blockdev *bd)
{
	return cmd(bd->priv, NBD_FLUSH, 0, 0, NULL);
}

int nvme_blockdev_init(struct blockdev *bd, struct nvme_ctrl *c)
{
	if (c->lba_size != BLOCKDEV_SECTOR_SIZE)
		return -EINVAL;
	bd->nsectors = c->nsze;
	bd->read = nbd_read;
	bd->write = nbd_write;
	bd->flush = nbd_flush;
	bd->write_fua = nbd_write_fua;
	bd->priv = c;
	return 0;
}
