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
 *
 * write_fua (optional, NULL if the backend has none) is a write that is
 * durable when it returns 0 (NVMe's Force Unit Access): it says nothing about
 * earlier writes, which still need flush(). The filesystem writes its commit
 * block with it, after a flush, as jbd2 does with REQ_PREFLUSH | REQ_FUA;
 * without it the caller does write() then flush().
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
	int (*write_fua)(struct blockdev *bd, uint64_t sector, uint32_t count, const void *buf);
	void *priv;		/* backend state */
};

#endif /* BLOCKDEV_H */
