/* The block-device HAL (blockdev.h) over the NVMe driver: namespace 1, 512-byte LBAs. */
#ifndef NVME_BLOCKDEV_H
#define NVME_BLOCKDEV_H

#include "blockdev.h"
#include "nvme.h"

/* 0, or -EINVAL when the namespace's LBA size is not 512 bytes. */
int nvme_blockdev_init(struct blockdev *bd, struct nvme_ctrl *c);

/*
 * What the block layer met since start (one SSD per program): commands that
 * timed out, how many of those went through on their retry after the
 * controller reset, controller fatal status seen, commands that ended with
 * an error status (media errors), controller resets and how many failed,
 * and the calls that returned an error to the caller (the filesystem).
 */
struct nvme_blockdev_stats {
	unsigned timeouts, retried_ok, fatal, status_errors;
	unsigned resets, reset_failures;
	unsigned failed_calls;
};

const struct nvme_blockdev_stats *nvme_blockdev_stats(void);

#endif /* NVME_BLOCKDEV_H */
