/*
 * The SSD profile's timing as the card sees it, through the driver, the RTL
 * root port and the SSD model: cycles of 4 KiB reads at QD1, of 2 MiB of
 * 128 KiB writes, and of the FLUSH after them. tests/rp/run_profile.sh runs
 * it under each profile and judges the figures. Prints:
 *   profile read4k MIN MEAN
 *   profile writes BYTES CYCLES
 *   profile flush CYCLES
 */
#include <stdio.h>
#include <string.h>

#include "nvme.h"
#include "nvme_card.h"
#include "rt.h"

#define READS 16u
#define WRITE_BYTES (2u << 20)
#define CHUNK (128u * 1024u)

static struct nvme_ctrl ctrl;

int main(void)
{
	struct nvme_hal hal;
	struct nvme_card_info info;
	uint8_t *buf;
	uint32_t t0, t1, min = UINT32_MAX, sum = 0, seed = 0x2545f491u;
	int failures = 0;

	timer_init();
	irq_enable();
	if (nvme_card_probe(&hal, &info) || !(buf = card_ddr_alloc(WRITE_BYTES, NVME_PAGE)) ||
	    nvme_init(&ctrl, &hal, card_ddr_alloc(NVME_ARENA_SIZE, NVME_PAGE))) {
		printf("FAIL NVMe set-up\n");
		return 99;
	}
	for (unsigned k = 0; k < READS; k++) {
		uint64_t lba;

		seed ^= seed << 13;
		seed ^= seed >> 17;
		seed ^= seed << 5;
		lba = (uint64_t)(seed % (uint32_t)(ctrl.nsze / 8)) * 8;
		t0 = rt_rdcycle();
		failures += nvme_read(&ctrl, lba, 8, buf) != 0;
		t1 = rt_rdcycle();
		sum += t1 - t0;
		if (t1 - t0 < min)
			min = t1 - t0;
	}
	printf("profile read4k %lu %lu\n", (unsigned long)min, (unsigned long)(sum / READS));
	for (uint32_t i = 0; i < WRITE_BYTES; i++)
		buf[i] = (uint8_t)(i * 7u);
	t0 = rt_rdcycle();
	for (uint32_t off = 0; off < WRITE_BYTES; off += CHUNK)
		failures += nvme_write(&ctrl, 8192 + off / 512, CHUNK / 512, buf + off) != 0;
	t1 = rt_rdcycle();
	printf("profile writes %u %lu\n", WRITE_BYTES, (unsigned long)(t1 - t0));
	t0 = rt_rdcycle();
	failures += nvme_flush(&ctrl) != 0;
	t1 = rt_rdcycle();
	printf("profile flush %lu\n", (unsigned long)(t1 - t0));
	failures += nvme_shutdown(&ctrl) != 0;
	printf("profile failures %d\n", failures);
	return failures;
}
