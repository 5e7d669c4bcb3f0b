/*
 * The SSD model's command-line faults (vfpga-sim --nvme-fault), seen by the
 * driver on the card: reads and writes LBAs 0..15 one block at a time and
 * prints what each returned; tests/rp/run_faults.sh compares the lines with
 * what each fault must cause.
 *   lba N read R write W     R, W: 0 or a negative errno
 */
#include <stdio.h>
#include <string.h>

#include "nvme.h"
#include "nvme_blockdev.h"
#include "nvme_card.h"
#include "rt.h"

static struct nvme_ctrl ctrl;
static struct blockdev bd;

int main(void)
{
	struct nvme_hal hal;
	struct nvme_card_info info;
	uint8_t *buf;

	timer_init();
	irq_enable();
	if (nvme_card_probe(&hal, &info) || !(buf = card_ddr_alloc(4096, NVME_PAGE)) ||
	    nvme_init(&ctrl, &hal, card_ddr_alloc(NVME_ARENA_SIZE, NVME_PAGE)) || nvme_blockdev_init(&bd, &ctrl)) {
		printf("FAIL NVMe set-up\n");
		return 99;
	}
	ctrl.cmd_timeout_us = 500;
	for (unsigned lba = 0; lba < 16; lba++) {
		int r, w;

		memset(buf, (int)lba, 512);
		r = bd.read(&bd, lba, 1, buf);
		w = bd.write(&bd, lba, 1, buf);
		printf("lba %u read %d write %d\n", lba, r, w);
	}
	return 0;
}
