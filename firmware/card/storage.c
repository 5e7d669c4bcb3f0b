/*
 * The card's storage: the NVMe SSD behind the root port (firmware/nvme with
 * its card HAL), as the block device the file service mounts, and its
 * recovery: a controller reset the file service asks for before it mounts
 * the filesystem again (fs_service.c).
 */
#include <errno.h>
#include <stdio.h>

#include "fs_service.h"
#include "nvme.h"
#include "nvme_blockdev.h"
#include "nvme_card.h"
#include "rt.h"

static struct nvme_ctrl ctrl;
static struct blockdev bd;

struct blockdev *card_storage(void)
{
	struct nvme_card_info info;
	struct nvme_hal hal;
	void *arena;
	int err;

	timer_init();
	irq_enable();
	err = nvme_card_probe(&hal, &info);
	if (err) {
		printf("card: no NVMe SSD behind the root port (%d)\n", err);
		return NULL;
	}
	arena = card_ddr_alloc(NVME_ARENA_SIZE, NVME_PAGE);
	if (!arena || (err = nvme_init(&ctrl, &hal, arena)) || (err = nvme_blockdev_init(&bd, &ctrl))) {
		printf("card: NVMe SSD %04x:%04x did not come up (%d)\n", info.vendor, info.device, err);
		return NULL;
	}
	printf("card: SSD '%s', %lu blocks of %lu bytes\n", ctrl.model, (unsigned long)ctrl.nsze,
	       (unsigned long)ctrl.lba_size);
	return &bd;
}

int card_storage_reset(void)
{
	int err;

	if (!bd.priv)
		return -ENODEV;
	err = nvme_reset(&ctrl);
	if (err)
		printf("card: NVMe controller reset failed (%d)\n", err);
	else
		printf("card: NVMe controller reset, SSD '%s' ready\n", ctrl.model);
	return err;
}
