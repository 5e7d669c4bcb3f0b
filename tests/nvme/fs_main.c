/*
 * The ext4-over-NVMe scenario (fs_scenario.h) on an independent NVMe:
 * QEMU's riscv32 virt with QEMU's NVMe and an image made by mke2fs. The
 * NVMe driver found through ECAM, the block HAL over it, the scenario; the
 * host then checks the image (tests/nvme/check_fs.sh).
 */
#include <stdio.h>

#include "fs_scenario.h"
#include "nvme.h"
#include "nvme_blockdev.h"
#include "qemu_hw.h"

static uint8_t arena[NVME_ARENA_SIZE] __attribute__((aligned(4096)));
static uint8_t data[FS_SCENARIO_FILE_BYTES], back[FS_SCENARIO_FILE_BYTES];
static struct nvme_ctrl ctrl;
static struct blockdev bd;

static void print(const char *line) { fputs(line, stdout); }

int main(void)
{
	struct nvme_hal hal = { .bus_addr = bus_addr, .now_us = now_us };
	const struct fs_scenario s = { .harness = "QEMU virt", .entries = 200, .origin = "qemu",
				       .data = data, .back = back, .now_us = now_us, .print = print };
	int failures;

	printf("ext4 over NVMe on QEMU virt\n");
	hal.bar = find_nvme();
	if (!hal.bar || nvme_init(&ctrl, &hal, arena) || nvme_blockdev_init(&bd, &ctrl)) {
		printf("FAIL NVMe set-up\n");
		return 99;
	}
	failures = fs_scenario_run(&s, &bd);
	if (nvme_shutdown(&ctrl)) {
		printf("FAIL shutdown\n");
		failures++;
	}
	return failures;
}
