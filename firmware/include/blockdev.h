/*
 * Block-device HAL: the one interface the filesystem uses to reach storage.
 *
 * Backends: an image file (host build, firmware/hal/host), the NVMe driver
 * (firmware/nvme/nvme_blockdev.c, on the card), and fault-injecting wrappers in tests. Sector size
 * is fixed at 512 bytes; the block cache maps filesystem blocks onto sectors.
 *
 * Every call returns 0 or a negative errno (-EIO for a media error). A write
 * that returned 0 is in the device's volatile cache at least; it is durable
 * only after flush() returned 0.
 */
#ifndef BLOCKDEV_H
#define BLOCKDEV_H

#include <stdint.h>

#define BLOCKDEV_SECTOR_SIZE 512u

struct blockdev {
	uint64_t nsectors;	/* capacity in 512-byte sectors */
	int (*read)(struct blockdev *bd, uint64_t sector, uint32_t count, void *buf);
	int (*write)(struct blockdev *bd, uint64_t sector, uint32_t count, const void *buf);
	int (*flush)(struct blockdev *bd);
	void *priv;		/* backend state */
};

#endif /* BLOCKDEV_H */
