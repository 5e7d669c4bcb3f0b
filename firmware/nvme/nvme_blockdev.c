#include "nvme_blockdev.h"

#include <errno.h>
#include <stdint.h>

/* A command that timed out, or a controller that went fatal, leaves the
 * controller to be reset before it is used again: the reset also stops any
 * late DMA into a buffer the caller takes back with the error. The block
 * layer sees -EIO either way. */
static int fail(struct nvme_ctrl *c, int ret)
{
	if (ret == -ETIMEDOUT || c->fatal) {
		nvme_reset(c);
		return -EIO;
	}
	return ret;
}

/* Transfers are cut at the controller's limit; an error ends the call (the
 * block layer sees -EIO and no write is reported done that was not). */
static int rw(struct blockdev *bd, uint64_t sector, uint32_t count, void *buf, int write)
{
	struct nvme_ctrl *c = bd->priv;
	uint32_t step = c->max_xfer / BLOCKDEV_SECTOR_SIZE;
	uint8_t *b = buf;

	if (sector >= bd->nsectors || count > bd->nsectors - sector)
		return -EINVAL;
	while (count) {
		uint32_t n = count < step ? count : step;
		int ret = write ? nvme_write(c, sector, n, b) : nvme_read(c, sector, n, b);

		if (ret)
			return fail(c, ret);
		sector += n;
		count -= n;
		b += (size_t)n * BLOCKDEV_SECTOR_SIZE;
	}
	return 0;
}

static int nbd_read(struct blockdev *bd, uint64_t sector, uint32_t count, void *buf)
{
	return rw(bd, sector, count, buf, 0);
}

static int nbd_write(struct blockdev *bd, uint64_t sector, uint32_t count, const void *buf)
{
	return rw(bd, sector, count, (void *)buf, 1);
}

static int nbd_flush(struct blockdev *bd)
{
	int ret = nvme_flush(bd->priv);

	return ret ? fail(bd->priv, ret) : 0;
}

int nvme_blockdev_init(struct blockdev *bd, struct nvme_ctrl *c)
{
	if (c->lba_size != BLOCKDEV_SECTOR_SIZE)
		return -EINVAL;
	bd->nsectors = c->nsze;
	bd->read = nbd_read;
	bd->write = nbd_write;
	bd->flush = nbd_flush;
	bd->priv = c;
	return 0;
}
