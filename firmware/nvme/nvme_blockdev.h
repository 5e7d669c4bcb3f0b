/* The block-device HAL (blockdev.h) over the NVMe driver: namespace 1, 512-byte LBAs. */
#ifndef NVME_BLOCKDEV_H
#define NVME_BLOCKDEV_H

#include "blockdev.h"
#include "nvme.h"

/* 0, or -EINVAL when the namespace's LBA size is not 512 bytes. */
int nvme_blockdev_init(struct blockdev *bd, struct nvme_ctrl *c);

#endif /* NVME_BLOCKDEV_H */
