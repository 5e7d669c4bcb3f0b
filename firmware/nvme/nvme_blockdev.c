#include "nvme_blockdev.h"

#include <errno.h>
#include <stdint.h>

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
			return ret == -ETIMEDOUT ? -EIO : ret;
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

	return ret == -ETIMEDOUT ? -EIO : ret;
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
