/*
 * The firmware NVMe driver (host build) against the controller model:
 * transfers of every shape, several in flight, flush, write zeroes,
 * deallocate, and each injected fault: a media error, a command that never
 * completes, a controller that goes fatal (and comes back after a reset).
 * Runs under ASan and UBSan.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "nvme.h"
#include "nvme_model.h"

static int passed, failed;
static struct nvme_model model;
static struct nvme_ctrl ctrl;
static uint8_t arena[NVME_ARENA_SIZE] __attribute__((aligned(4096)));
static uint8_t buf[256 * 1024] __attribute__((aligned(4096)));

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static uint64_t bus_addr(const void *p) { return (uintptr_t)p; }

static uint8_t pat(uint64_t lba, unsigned i) { return (uint8_t)(lba * 31 + i * 3 + 7); }

static void fill(uint8_t *b, uint64_t lba, uint32_t n)
{
	for (uint32_t k = 0; k < n; k++)
		for (unsigned i = 0; i < 512; i++)
			b[k * 512 + i] = pat(lba + k, i);
}

static int same(const uint8_t *b, uint64_t lba, uint32_t n)
{
	for (uint32_t k = 0; k < n; k++)
		for (unsigned i = 0; i < 512; i++)
			if (b[k * 512 + i] != pat(lba + k, i))
				return 0;
	return 1;
}

int main(void)
{
	struct nvme_hal hal = { .bar = NULL, .bus_addr = bus_addr, .now_us = now_us };
	static const uint32_t sizes[] = { 1, 7, 8, 9, 64, 200, 256 };
	int ret;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (nvme_model_start(&model, 65536)) {
		printf("model: cannot start\n");
		return 2;
	}
	hal.bar = model.bar;
	ret = nvme_init(&ctrl, &hal, arena);
	CHECK(ret == 0, "init: %d", ret);
	CHECK(ctrl.nsze == 65536 && ctrl.lba_size == 512 && ctrl.max_xfer == 131072 &&
	      !strcmp(ctrl.model, "vfpga NVMe model"), "identify: %llu blocks of %u, max %u, '%s'",
	      (unsigned long long)ctrl.nsze, ctrl.lba_size, ctrl.max_xfer, ctrl.model);

	/* every shape of transfer, aligned and not */
	for (unsigned s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
		for (unsigned off = 0; off <= 512; off += 512) {
			uint32_t n = sizes[s];
			uint64_t lba = 1000 + 300 * s;

			if (n * 512 + off > ctrl.max_xfer)
				n = (ctrl.max_xfer - off) / 512;
			fill(buf + off, lba, n);
			CHECK(nvme_write(&ctrl, lba, n, buf + off) == 0, "write %u blocks at offset %u", n, off);
			memset(buf, 0, sizeof(buf));
			CHECK(nvme_read(&ctrl, lba, n, buf + off) == 0 && same(buf + off, lba, n),
			      "read back %u blocks at offset %u", n, off);
			CHECK(same(model.media + lba * 512, lba, n), "media holds %u blocks", n);
		}

	/* many in flight */
	fill(buf, 1000, NVME_IO_DEPTH + 8);
	nvme_write(&ctrl, 1000, NVME_IO_DEPTH + 8, buf);
	{
		struct nvme_io io[NVME_IO_DEPTH];
		static uint8_t bufs[NVME_IO_DEPTH][4096] __attribute__((aligned(4096)));
		unsigned n = 0, done = 0;
		uint64_t start = now_us();

		for (unsigned k = 0; k < NVME_IO_DEPTH; k++) {
			io[k] = (struct nvme_io){ .opcode = 0x02, .lba = 1000 + k, .nlb = 8, .buf = bufs[k] };
			if (nvme_submit(&ctrl, &io[k]) == 0)
				n++;
		}
		CHECK(n == NVME_IO_DEPTH - 1, "%u commands queued (depth %u)", n, NVME_IO_DEPTH);
		while (done < n && now_us() - start < 2000000)
			done += (unsigned)nvme_poll(&ctrl);
		CHECK(done == n, "%u of %u completed", done, n);
		for (unsigned k = 0; k < n; k++)
			CHECK(io[k].done && io[k].result == 0 && same(bufs[k], 1000 + k, 8), "in-flight read %u", k);
	}

	CHECK(nvme_flush(&ctrl) == 0, "flush");
	fill(buf, 5000, 16);
	nvme_write(&ctrl, 5000, 16, buf);
	CHECK(nvme_write_zeroes(&ctrl, 5000, 8) == 0, "write zeroes");
	CHECK(nvme_deallocate(&ctrl, 5008, 8) == 0, "deallocate");
	memset(buf, 0xff, 8192);
	nvme_read(&ctrl, 5000, 16, buf);
	{
		int z = 1;

		for (unsigned i = 0; i < 8192; i++)
			z &= buf[i] == 0;
		CHECK(z, "zeroed and deallocated blocks read as zeros");
	}
	CHECK(nvme_read(&ctrl, 65535, 2, buf) == -EINVAL, "past the end refused by the driver");

	/* media error */
	model.media_err_lba = 7000;
	model.media_err_len = 4;
	ret = nvme_read(&ctrl, 6998, 8, buf);
	CHECK(ret == -EIO && ctrl.last_status == 0x281, "media error: %d, status 0x%x", ret, ctrl.last_status);
	fill(buf, 7000, 4);
	CHECK(nvme_write(&ctrl, 7000, 4, buf) == 0, "writes still work there");
	model.media_err_len = 0;
	CHECK(nvme_read(&ctrl, 7000, 4, buf) == 0 && same(buf, 7000, 4), "read after the error cleared");

	/* a command that never completes */
	ctrl.cmd_timeout_us = 100000;
	model.hang_opcode = 0x02;
	ret = nvme_read(&ctrl, 100, 1, buf);
	CHECK(ret == -ETIMEDOUT, "hung read: %d", ret);
	model.hang_opcode = -1;
	fill(buf, 8000, 8);
	CHECK(nvme_write(&ctrl, 8000, 8, buf) == 0, "the queue still works");
	memset(buf, 0, 4096);
	CHECK(nvme_read(&ctrl, 8000, 8, buf) == 0 && same(buf, 8000, 8), "and reads too");

	/* controller fatal status, then a reset brings it back */
	model.fatal_now = 1;
	ret = nvme_read(&ctrl, 100, 1, buf);
	CHECK(ret == -EIO, "fatal controller: %d", ret);
	model.fatal_now = 0;
	ret = nvme_init(&ctrl, &hal, arena);
	CHECK(ret == 0, "re-init after fatal: %d (status 0x%x, csts 0x%x)", ret, ctrl.last_status, *(volatile uint32_t *)(model.bar + 0x1c));
	CHECK(nvme_read(&ctrl, 1000, 8, buf) == 0 && same(buf, 1000, 8), "data survives the reset");
	CHECK(nvme_shutdown(&ctrl) == 0, "shutdown");

	nvme_model_stop(&model);
	printf("%d passed, %d failed\n", passed, failed);
	return failed || !passed ? 1 : 0;	/* no check run is no pass */
}
