/*
 * Cross-check of the firmware NVMe driver (firmware/nvme) against an
 * independent NVMe implementation: QEMU's `-device nvme` on the riscv32
 * `virt` machine, found through PCIe ECAM enumeration. Writes, reads back,
 * keeps several commands in flight, uses PRP lists and an unaligned buffer,
 * flushes, writes zeroes, deallocates. The host then checks the image file.
 * Exit code (through QEMU's test finisher): 0 pass, else the failures.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "layout.h"
#include "nvme.h"
#include "qemu_hw.h"

static unsigned failures;

static void check(int ok, const char *what)
{
	if (!ok) {
		failures++;
		printf("FAIL %s\n", what);
	}
}

static uint8_t arena[NVME_ARENA_SIZE] __attribute__((aligned(4096)));
static uint8_t buf[NVME_MAX_XFER + 8192] __attribute__((aligned(4096)));
static uint8_t buf2[8][4096] __attribute__((aligned(4096)));
static struct nvme_ctrl ctrl;

static void fill(uint8_t *b, uint64_t lba, uint32_t nlb, uint32_t bs)
{
	for (uint32_t k = 0; k < nlb; k++)
		for (uint32_t i = 0; i < bs; i++)
			b[k * bs + i] = xc_byte((unsigned long)(lba + k), i);
}

static int same(const uint8_t *b, uint64_t lba, uint32_t nlb, uint32_t bs)
{
	for (uint32_t k = 0; k < nlb; k++)
		for (uint32_t i = 0; i < bs; i++)
			if (b[k * bs + i] != xc_byte((unsigned long)(lba + k), i))
				return 0;
	return 1;
}

static int zeros(const uint8_t *b, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (b[i])
			return 0;
	return 1;
}

int main(void)
{
	struct nvme_hal hal = { .bus_addr = bus_addr, .now_us = now_us };
	struct nvme_ctrl *c = &ctrl;
	uint32_t bs;
	int ret;

	printf("nvme cross-check on QEMU virt\n");
	hal.bar = find_nvme();
	if (!hal.bar) {
		printf("FAIL no NVMe controller\n");
		return 99;
	}
	ret = nvme_init(c, &hal, arena);
	if (ret) {
		printf("FAIL init: %d\n", ret);
		return 98;
	}
	bs = c->lba_size;
	printf("model '%s' serial '%s' blocks %llu of %lu bytes, max transfer %lu\n", c->model, c->serial,
	       (unsigned long long)c->nsze, (unsigned long)bs, (unsigned long)c->max_xfer);

	/* The pattern region, written in pieces of 1, 8, 64 and 183 blocks
	 * (one page, a page pair, PRP lists). */
	{
		static const uint32_t pieces[] = { 1, 8, 64, 183 };
		uint64_t lba = XC_PATTERN_LBA;

		for (unsigned p = 0; p < 4; p++) {
			uint32_t n = pieces[p];

			if (n * bs > c->max_xfer)
				n = c->max_xfer / bs;
			fill(buf, lba, n, bs);
			check(nvme_write(c, lba, n, buf) == 0, "write piece");
			lba += n;
		}
		check(lba == XC_PATTERN_LBA + XC_PATTERN_NLB, "pattern pieces add up");
	}
	/* Read it back in other pieces, into an unaligned buffer too. */
	memset(buf, 0, sizeof(buf));
	check(nvme_read(c, XC_PATTERN_LBA, 128, buf) == 0 && same(buf, XC_PATTERN_LBA, 128, bs), "read 128");
	memset(buf, 0, sizeof(buf));
	check(nvme_read(c, XC_PATTERN_LBA + 3, 40, buf + 512) == 0 && same(buf + 512, XC_PATTERN_LBA + 3, 40, bs),
	      "read into an unaligned buffer");
	/* Eight reads in flight at once. */
	{
		struct nvme_io io[8];
		unsigned done = 0;
		uint64_t start = now_us();

		for (unsigned k = 0; k < 8; k++) {
			io[k].opcode = 0x02;
			io[k].lba = XC_PATTERN_LBA + 200 - 7 * k;
			io[k].nlb = 8;
			io[k].buf = buf2[k];
			check(nvme_submit(c, &io[k]) == 0, "submit");
		}
		while (done < 8 && now_us() - start < 2000000)
			done += (unsigned)nvme_poll(c);
		check(done == 8, "eight commands completed");
		for (unsigned k = 0; k < 8; k++)
			check(io[k].done && io[k].result == 0 && same(buf2[k], io[k].lba, 8, bs), "in-flight read data");
	}
	check(nvme_flush(c) == 0, "flush");

	/* Write zeroes */
	fill(buf, XC_ZERO_LBA, XC_RANGE_NLB, bs);
	check(nvme_write(c, XC_ZERO_LBA, XC_RANGE_NLB, buf) == 0, "write before zeroes");
	check(nvme_write_zeroes(c, XC_ZERO_LBA, XC_RANGE_NLB) == 0, "write zeroes");
	memset(buf, 0xff, XC_RANGE_NLB * bs);
	check(nvme_read(c, XC_ZERO_LBA, XC_RANGE_NLB, buf) == 0 && zeros(buf, XC_RANGE_NLB * bs),
	      "zeroed blocks read as zeros");

	/* Deallocate: reads as zeros when the namespace says so (DLFEAT). */
	fill(buf, XC_DEALLOC_LBA, XC_RANGE_NLB, bs);
	check(nvme_write(c, XC_DEALLOC_LBA, XC_RANGE_NLB, buf) == 0, "write before deallocate");
	check(nvme_deallocate(c, XC_DEALLOC_LBA, XC_RANGE_NLB) == 0, "deallocate");
	if ((c->dlfeat & 7) == 1) {
		memset(buf, 0xff, XC_RANGE_NLB * bs);
		check(nvme_read(c, XC_DEALLOC_LBA, XC_RANGE_NLB, buf) == 0 && zeros(buf, XC_RANGE_NLB * bs),
		      "deallocated blocks read as zeros");
	}

	/* The driver refuses what the namespace cannot hold. */
	check(nvme_read(c, c->nsze - 1, 2, buf) == -EINVAL, "read past the namespace refused");
	check(nvme_read(c, 0, 0, buf) == -EINVAL, "zero-length read refused");
	check(nvme_read(c, 0, c->max_xfer / bs + 1, buf) == -EINVAL, "oversized transfer refused");

	check(nvme_flush(c) == 0, "final flush");
	check(nvme_shutdown(c) == 0, "shutdown");
	printf("nvme cross-check: %u failures\n", failures);
	return (int)failures;
}
