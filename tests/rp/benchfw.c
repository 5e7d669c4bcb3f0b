/*
 * 4 KiB random reads on the simulated SSD through the RTL root port, at
 * queue depth 1 and 32, with the completion found by MSI-X + WFI (the card
 * HAL's default) and by polling. Prints one line per run for
 * tests/rp/run_bench.sh:
 *   bench NAME QD COMMANDS CYCLES
 * Cycles are mcycle around the whole run (submission to the last completion).
 */
#include <stdio.h>
#include <string.h>

#include "nvme.h"
#include "nvme_card.h"
#include "rt.h"

#define QD1_CMDS 200u
#define QD32_CMDS 1600u
#define QD_MAX 32u

static struct nvme_ctrl ctrl;
static struct nvme_io io[QD_MAX];
static uint8_t *bufs;
static uint32_t rng = 0x12345678u;
static int failures;

static uint64_t next_lba(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return (uint64_t)(rng % (uint32_t)(ctrl.nsze / 8)) * 8;	/* 4 KiB aligned */
}

static void submit(unsigned k)
{
	io[k] = (struct nvme_io){ .opcode = 0x02, .lba = next_lba(), .nlb = 8, .buf = bufs + 4096 * k };
	if (nvme_submit(&ctrl, &io[k]))
		failures++;
}

static void run(const char *name, unsigned qd, unsigned cmds)
{
	unsigned issued = 0, done = 0;
	uint32_t t0, t1;

	t0 = rt_rdcycle();
	for (unsigned k = 0; k < qd && issued < cmds; k++, issued++)
		submit(k);
	while (done < issued) {
		if (!nvme_poll(&ctrl)) {
			if (ctrl.hal.idle)
				ctrl.hal.idle();
			continue;
		}
		for (unsigned k = 0; k < qd; k++)
			if (io[k].done) {
				io[k].done = 0;
				if (io[k].result)
					failures++;
				done++;
				if (issued < cmds) {
					submit(k);
					issued++;
				} else {
					io[k].opcode = 0xff;	/* finished slot: never counted again */
				}
			}
	}
	t1 = rt_rdcycle();
	printf("bench %s %u %u %lu\n", name, qd, cmds, (unsigned long)(t1 - t0));
}

int main(void)
{
	struct nvme_hal hal;
	struct nvme_card_info info;
	void (*idle)(void);

	timer_init();
	irq_enable();
	if (nvme_card_probe(&hal, &info) || !(bufs = card_ddr_alloc(QD_MAX * 4096, NVME_PAGE)) ||
	    nvme_init(&ctrl, &hal, card_ddr_alloc(NVME_ARENA_SIZE, NVME_PAGE))) {
		printf("FAIL NVMe set-up\n");
		return 99;
	}
	idle = ctrl.hal.idle;
	run("msix", 1, QD1_CMDS);
	run("msix", QD_MAX, QD32_CMDS);
	ctrl.hal.idle = NULL;			/* the same, polling the completion queue */
	run("polled", 1, QD1_CMDS);
	run("polled", QD_MAX, QD32_CMDS);
	ctrl.hal.idle = idle;
	printf("bench failures %d\n", failures);
	return failures;
}
