/*
 * The ext4-over-NVMe scenario (tests/nvme/fs_scenario.h) on the card in the
 * RTL simulation: the ext4 code (RV32 build) over the block HAL over the
 * NVMe driver over the root port, into the SSD model's image (vfpga-sim
 * --image IMG, made by mke2fs at test time). The host then checks the
 * image (tests/nvme/check_fs.sh). Exit code: the number of failed checks.
 */
#include <stdio.h>
#include <string.h>

#include "fs_scenario.h"
#include "nvme.h"
#include "nvme_blockdev.h"
#include "nvme_card.h"
#include "rt.h"

static struct nvme_ctrl ctrl;
static struct blockdev bd;
/* big buffers live in card memory (the DTCM is 256 KiB) */
static uint8_t data[FS_SCENARIO_FILE_BYTES] __attribute__((section(".ddr"), aligned(4096)));
static uint8_t back[FS_SCENARIO_FILE_BYTES] __attribute__((section(".ddr"), aligned(4096)));

static uint64_t card_us(void) { return timer_now() / TIMER_TICKS_PER_US; }
static void print(const char *line) { fputs(line, stdout); }

int main(void)
{
	const struct fs_scenario s = { .harness = "the card", .entries = 120, .origin = "card",
				       .data = data, .back = back, .now_us = card_us, .print = print };
	struct nvme_hal hal;
	struct nvme_card_info info;
	uint64_t t0 = rt_rdcycle();
	int failures;

	timer_init();
	irq_enable();
	memset(back, 0, sizeof(back));		/* .ddr is not zeroed by crt0 */
	if (nvme_card_probe(&hal, &info) || nvme_init(&ctrl, &hal, card_ddr_alloc(NVME_ARENA_SIZE, NVME_PAGE)) ||
	    nvme_blockdev_init(&bd, &ctrl)) {
		printf("FAIL NVMe set-up\n");
		return 99;
	}
	printf("fstest: %u blocks on '%s'\n", (unsigned)ctrl.nsze, ctrl.model);
	failures = fs_scenario_run(&s, &bd);
	if (nvme_shutdown(&ctrl)) {
		printf("FAIL shutdown\n");
		failures++;
	}
	printf("fstest: %u MSI, %lu cycles\n", (unsigned)nvme_card_msi_count(), (unsigned long)(rt_rdcycle() - t0));
	return failures;
}
