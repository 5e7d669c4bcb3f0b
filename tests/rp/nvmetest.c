/*
 * The firmware NVMe driver on the card, against the testbench's SSD model
 * behind the RTL root port (vfpga-sim --image IMG --nvme-fault-api):
 * enumeration through configuration requests, MSI-X, identify, transfers of
 * every shape (PRP1 only, PRP2, PRP lists, unaligned and DTCM buffers through
 * the bounce buffer), many commands in flight, flush, write zeroes,
 * deallocate; then every injected fault (vendor admin command of the model):
 * media error on read and on write (-EIO, nothing written), a command that
 * never completes (-ETIMEDOUT; -EIO and a controller reset through the block
 * layer), controller fatal status (-EIO, reset, the data still there).
 * Leaves the pattern of tests/nvme/layout.h for the host to check.
 * Exit code: the number of failed checks.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "layout.h"
#include "nvme.h"
#include "nvme_blockdev.h"
#include "nvme_card.h"
#include "nvme_dev.h"
#include "rt.h"

#define RP(r) (SOC_RP_BASE + SOC_RP_##r)

static int passed, failed;

#define CHECK(cond, ...)                                                \
	do {                                                            \
		if (cond) {                                             \
			passed++;                                       \
		} else {                                                \
			failed++;                                       \
			printf("FAIL line %d: ", __LINE__);             \
			printf(__VA_ARGS__);                            \
			printf("\n");                                   \
		}                                                       \
	} while (0)

static struct nvme_ctrl ctrl;
static struct blockdev bd;
static uint8_t *arena, *buf, *bufs;
static uint8_t dtcm_buf[4 * 512 + 4] __attribute__((aligned(4)));

static void fill(uint8_t *b, uint64_t lba, uint32_t nlb)
{
	for (uint32_t k = 0; k < nlb; k++)
		for (uint32_t i = 0; i < 512; i++)
			b[k * 512 + i] = xc_byte((unsigned long)(lba + k), i);
}

static int same(const uint8_t *b, uint64_t lba, uint32_t nlb)
{
	for (uint32_t k = 0; k < nlb; k++)
		for (uint32_t i = 0; i < 512; i++)
			if (b[k * 512 + i] != xc_byte((unsigned long)(lba + k), i))
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

/* The model's fault injection (world/ssd/nvme_dev.h). */
static int fault(uint32_t kind, uint32_t a, uint32_t b, uint32_t c)
{
	struct nvme_sqe cmd;

	memset(&cmd, 0, sizeof(cmd));
	cmd.cdw0 = NVME_DEV_FAULT_OPC;
	cmd.cdw10 = kind;
	cmd.cdw11 = a;
	cmd.cdw12 = b;
	cmd.cdw13 = c;
	return nvme_admin(&ctrl, &cmd, NULL);
}

static void transfers(void)
{
	static const uint32_t sizes[] = { 1, 7, 8, 9, 16, 64, 200, 256 };
	static const uint32_t offsets[] = { 0, 512, 4, 4092 };

	for (unsigned s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
		for (unsigned o = 0; o < sizeof(offsets) / sizeof(offsets[0]); o++) {
			unsigned n = (unsigned)sizes[s], off = (unsigned)offsets[o];
			uint64_t lba = 10000 + 300 * s;
			int ret;

			if (n * 512 > ctrl.max_xfer)
				continue;
			fill(buf + off, lba, n);
			ret = nvme_write(&ctrl, lba, n, buf + off);
			CHECK(ret == 0, "write %u blocks at buffer offset %u: %d", n, off, ret);
			memset(buf, 0, n * 512 + 8192);
			ret = nvme_read(&ctrl, lba, n, buf + off);
			CHECK(ret == 0 && same(buf + off, lba, n), "read back %u blocks at offset %u: %d", n, off, ret);
		}
	/* a buffer the SSD cannot reach goes through the bounce buffer */
	fill(dtcm_buf + 4, 900, 4);
	CHECK(nvme_write(&ctrl, 900, 4, dtcm_buf + 4) == 0, "write from DTCM (bounced)");
	memset(dtcm_buf, 0, sizeof(dtcm_buf));
	CHECK(nvme_read(&ctrl, 900, 4, dtcm_buf + 4) == 0 && same(dtcm_buf + 4, 900, 4), "read into DTCM (bounced)");
	/* DMABUF too, the bounce copies done by the copy engine (card_copy) */
	{
		uint8_t *db = (uint8_t *)(SOC_DMABUF_BASE + 0x1003);

		fill(db, 901, 4);
		CHECK(nvme_write(&ctrl, 901, 4, db) == 0, "write from DMABUF (bounced)");
		memset(db, 0, 4 * 512);
		CHECK(nvme_read(&ctrl, 901, 4, db) == 0 && same(db, 901, 4), "read into DMABUF (bounced)");
		memset(dtcm_buf, 0, sizeof(dtcm_buf));
		CHECK(nvme_read(&ctrl, 901, 4, dtcm_buf + 4) == 0 && same(dtcm_buf + 4, 901, 4),
		      "DMABUF's blocks on the SSD");
	}
	{
		struct nvme_io io = { .opcode = 0x02, .lba = 900, .nlb = 1, .buf = dtcm_buf };

		CHECK(nvme_submit(&ctrl, &io) == -EINVAL, "async I/O refuses a buffer the SSD cannot reach");
	}
}

static void in_flight(void)
{
	struct nvme_io io[40];
	unsigned n = 0, done = 0;
	uint64_t start;

	fill(bufs, 20000, 40 * 8);
	CHECK(nvme_write(&ctrl, 20000, 256, bufs) == 0 && nvme_write(&ctrl, 20256, 64, bufs + 256 * 512) == 0,
	      "pattern for the in-flight reads");
	memset(bufs, 0, 40 * 4096);
	for (unsigned k = 0; k < 40; k++) {
		io[k] = (struct nvme_io){ .opcode = 0x02, .lba = 20000 + 8 * k, .nlb = 8, .buf = bufs + 4096 * k };
		if (nvme_submit(&ctrl, &io[k]) == 0)
			n++;
	}
	CHECK(n == 40, "%u of 40 commands queued", n);
	start = timer_now();
	while (done < n && timer_now() - start < 50000000ull)
		done += (unsigned)nvme_poll(&ctrl);
	CHECK(done == n, "%u of %u completed", done, n);
	for (unsigned k = 0; k < n; k++)
		CHECK(io[k].done && io[k].result == 0 && same(bufs + 4096 * k, 20000 + 8 * k, 8), "in-flight read %u", k);
}

/*
 * A PRP list that does not fit its page: the driver never builds one (its
 * lists are page-aligned), so the command is put on the I/O queue here by
 * hand, in a slot of the driver's (nvme_poll and nvme_wait then treat it as
 * their own). Three entries in the first list page: two data pages and the
 * pointer to the next list page.
 */
static int chained_io(uint8_t opcode, uint64_t lba, uint8_t *data, uint8_t *lists)
{
	struct nvme_queue *q = &ctrl.io;
	struct nvme_io io = { .opcode = opcode };
	uint64_t *l1 = (uint64_t *)(lists + NVME_PAGE - 3 * 8), *l2 = (uint64_t *)(lists + NVME_PAGE);
	struct nvme_sqe cmd;
	unsigned slot;

	for (slot = 0; slot < NVME_IO_DEPTH - 1 && ctrl.inflight[slot]; slot++)
		;
	l1[0] = card_bus_addr(data + 1 * NVME_PAGE);
	l1[1] = card_bus_addr(data + 2 * NVME_PAGE);
	l1[2] = card_bus_addr(l2);
	for (unsigned k = 0; k < 13; k++)
		l2[k] = card_bus_addr(data + (3 + k) * NVME_PAGE);
	memset(&cmd, 0, sizeof(cmd));
	cmd.cdw0 = opcode | (uint32_t)slot << 16;
	cmd.nsid = 1;
	cmd.prp1 = card_bus_addr(data);
	cmd.prp2 = card_bus_addr(l1);
	cmd.cdw10 = (uint32_t)lba;
	cmd.cdw12 = 16 * 8 - 1;			/* 64 KiB */
	ctrl.inflight[slot] = &io;
	q->sq[q->sq_tail] = cmd;
	q->sq_tail = (uint16_t)((q->sq_tail + 1) % q->depth);
	__sync_synchronize();
	*(volatile uint32_t *)(ctrl.hal.bar + 0x1000 + 2 * q->qid * ctrl.doorbell_stride) = q->sq_tail;
	return nvme_wait(&ctrl, &io);
}

static void chained_prps(void)
{
	uint8_t *lists = bufs + 32 * 4096;	/* two pages past the data */

	fill(bufs, 30000, 128);
	CHECK(chained_io(0x01, 30000, bufs, lists) == 0, "write through a chained PRP list");
	memset(bufs, 0, 16 * 4096);
	CHECK(chained_io(0x02, 30000, bufs, lists) == 0 && same(bufs, 30000, 128), "read through a chained PRP list");
	memset(bufs, 0, 16 * 4096);
	CHECK(nvme_read(&ctrl, 30000, 128, bufs) == 0 && same(bufs, 30000, 128), "and the driver's own PRPs agree");
}

static void pattern_for_host(void)
{
	fill(buf, XC_PATTERN_LBA, XC_PATTERN_NLB);
	CHECK(nvme_write(&ctrl, XC_PATTERN_LBA, XC_PATTERN_NLB, buf) == 0, "pattern write");
	fill(buf, XC_ZERO_LBA, XC_RANGE_NLB);
	CHECK(nvme_write(&ctrl, XC_ZERO_LBA, XC_RANGE_NLB, buf) == 0, "write before write zeroes");
	CHECK(nvme_write_zeroes(&ctrl, XC_ZERO_LBA, XC_RANGE_NLB) == 0, "write zeroes");
	fill(buf, XC_DEALLOC_LBA, XC_RANGE_NLB);
	CHECK(nvme_write(&ctrl, XC_DEALLOC_LBA, XC_RANGE_NLB, buf) == 0, "write before deallocate");
	CHECK(nvme_deallocate(&ctrl, XC_DEALLOC_LBA, XC_RANGE_NLB) == 0, "deallocate");
	memset(buf, 0xff, 2 * XC_RANGE_NLB * 512);
	CHECK(nvme_read(&ctrl, XC_ZERO_LBA, XC_RANGE_NLB, buf) == 0 && zeros(buf, XC_RANGE_NLB * 512),
	      "written zeroes read as zeros");
	CHECK(nvme_read(&ctrl, XC_DEALLOC_LBA, XC_RANGE_NLB, buf) == 0 && zeros(buf, XC_RANGE_NLB * 512),
	      "deallocated blocks read as zeros");
	CHECK(nvme_flush(&ctrl) == 0, "flush");
	CHECK(nvme_read(&ctrl, ctrl.nsze - 1, 2, buf) == -EINVAL, "past the end refused by the driver");
}

static void media_errors(void)
{
	int ret;

	fill(buf, 6998, 8);
	CHECK(nvme_write(&ctrl, 6998, 8, buf) == 0, "pattern before the media error");
	CHECK(fault(NVME_DEV_FAULT_MEDIA, 7000, 0, 4) == 0, "inject media error at 7000..7003");
	ret = nvme_read(&ctrl, 6998, 8, buf);
	CHECK(ret == -EIO && ctrl.last_status == 0x281, "read over the bad range: %d, status 0x%x", ret,
	      ctrl.last_status);
	fill(buf, 50000, 8);			/* different data for the same LBAs */
	ret = nvme_write(&ctrl, 6998, 8, buf);
	CHECK(ret == -EIO && ctrl.last_status == 0x280, "write over the bad range: %d, status 0x%x", ret,
	      ctrl.last_status);
	CHECK(bd.read(&bd, 7001, 1, buf) == -EIO, "block layer read: -EIO");
	CHECK(bd.write(&bd, 7001, 1, buf) == -EIO, "block layer write: -EIO");
	CHECK(fault(NVME_DEV_FAULT_CLEAR, 0, 0, 0) == 0, "clear the fault");
	memset(buf, 0, 4096);
	CHECK(nvme_read(&ctrl, 6998, 8, buf) == 0 && same(buf, 6998, 8), "nothing was written by the failed writes");
}

static void hang(void)
{
	int ret;

	ctrl.cmd_timeout_us = 400;
	CHECK(fault(NVME_DEV_FAULT_HANG, 0x02, 1, 0) == 0, "inject: the next read never completes");
	ret = nvme_read(&ctrl, 100, 1, buf);
	CHECK(ret == -ETIMEDOUT, "hung read: %d", ret);
	CHECK(ctrl.lost == 1, "its slot is retired (%u)", ctrl.lost);
	fill(buf, 8000, 8);
	CHECK(nvme_write(&ctrl, 8000, 8, buf) == 0, "the queue still works");
	memset(buf, 0, 4096);
	CHECK(nvme_read(&ctrl, 8000, 8, buf) == 0 && same(buf, 8000, 8), "and reads too");
	/* through the block layer: the controller is reset and the write
	 * retried once; hung twice, it is -EIO */
	CHECK(fault(NVME_DEV_FAULT_HANG, 0x01, 1, 0) == 0, "inject: the next write never completes");
	fill(buf, 9000, 2);
	ret = bd.write(&bd, 9000, 2, buf);
	CHECK(ret == 0, "block layer: a write hung once is retried after a reset (%d)", ret);
	CHECK(ctrl.lost == 0 && !ctrl.fatal, "the reset took the lost slot back (%u)", ctrl.lost);
	memset(buf, 0, 4096);
	CHECK(bd.read(&bd, 9000, 2, buf) == 0 && same(buf, 9000, 2), "the retried write is there");
	CHECK(fault(NVME_DEV_FAULT_HANG, 0x01, 2, 0) == 0, "inject: the next two writes never complete");
	fill(buf, 51000, 2);
	ret = bd.write(&bd, 8000, 2, buf);
	CHECK(ret == -EIO, "block layer: a write hung twice is -EIO (%d)", ret);
	CHECK(ctrl.lost == 0 && !ctrl.fatal, "the reset took the lost slots back (%u)", ctrl.lost);
	ctrl.cmd_timeout_us = 2000000;
	memset(buf, 0, 4096);
	CHECK(bd.read(&bd, 8000, 8, buf) == 0 && same(buf, 8000, 8), "after the reset: the old data, not the hung write");
}

static void fatal_status(void)
{
	uint32_t csts;
	int ret;

	CHECK(fault(NVME_DEV_FAULT_CFS, 0, 0, 0) == 0, "inject: controller fatal status now");
	ret = nvme_read(&ctrl, 100, 1, buf);
	CHECK(ret == -EIO && ctrl.fatal, "read on a fatal controller: %d", ret);
	csts = *(volatile uint32_t *)(SOC_RPWIN_BASE + 0x1c);
	CHECK(csts & 2, "CSTS.CFS is set (0x%x)", (unsigned)csts);
	ret = nvme_reset(&ctrl);
	CHECK(ret == 0 && !ctrl.fatal, "controller reset: %d", ret);
	csts = *(volatile uint32_t *)(SOC_RPWIN_BASE + 0x1c);
	CHECK((csts & 3) == 1, "ready again (CSTS 0x%x)", (unsigned)csts);
	memset(buf, 0, 4096);
	CHECK(nvme_read(&ctrl, 8000, 8, buf) == 0 && same(buf, 8000, 8), "data survives the reset");
	/* through the block layer, after three more commands */
	CHECK(fault(NVME_DEV_FAULT_CFS, 3, 0, 0) == 0, "inject: fatal after three more I/O commands");
	fill(buf, 60000, 16);
	ret = 0;
	for (unsigned k = 0; k < 4 && !ret; k++)
		ret = bd.write(&bd, 60000 + 4 * k, 4, buf + 2048 * k);
	CHECK(ret == -EIO, "block layer: the write on the fatal controller is -EIO (%d)", ret);
	CHECK(!ctrl.fatal, "and the block layer reset it");
	memset(buf, 0xee, 8192);
	CHECK(bd.read(&bd, 60000, 12, buf) == 0 && same(buf, 60000, 12), "the three writes before are there");
	CHECK(bd.read(&bd, 60012, 4, buf) == 0 && zeros(buf, 2048), "the failed one is not");
}

int main(void)
{
	struct nvme_hal hal;
	struct nvme_card_info info;
	uint32_t st;
	int ret;

	timer_init();
	irq_enable();
	ret = nvme_card_probe(&hal, &info);
	CHECK(ret == 0, "probe: %d", ret);
	if (ret)
		return 99;
	printf("nvme: %04x:%04x class %06x, BAR0 %u KiB, %u MSI-X vectors\n", info.vendor, info.device,
	       (unsigned)info.class_code, (unsigned)(info.bar0_size >> 10), info.msix_vectors);
	{
		uint32_t v;

		CHECK(rp_cfg_read(NVME_CARD_BUS, 1, 0, 0, &v) == -EIO && v == 0xffffffffu,
		      "device 1 does not exist: UR, all-ones (0x%08x)", (unsigned)v);
	}
	arena = card_ddr_alloc(NVME_ARENA_SIZE, NVME_PAGE);
	buf = card_ddr_alloc(NVME_MAX_XFER + 8192, NVME_PAGE);
	bufs = card_ddr_alloc(40 * 4096, NVME_PAGE);
	CHECK(arena && buf && bufs, "DDR allocations");
	ret = nvme_init(&ctrl, &hal, arena);
	CHECK(ret == 0, "init: %d", ret);
	if (ret)
		return 98;
	printf("nvme: '%s' serial '%s', %u blocks of %u, max transfer %u\n", ctrl.model, ctrl.serial,
	       (unsigned)ctrl.nsze, (unsigned)ctrl.lba_size, (unsigned)ctrl.max_xfer);
	CHECK(ctrl.lba_size == 512 && ctrl.max_xfer == 131072 && ctrl.nsze >= 65536, "identify");
	CHECK(nvme_blockdev_init(&bd, &ctrl) == 0, "block device");

	transfers();
	in_flight();
	chained_prps();
	pattern_for_host();
	CHECK(nvme_card_msi_count() > 0, "MSI-X interrupts arrived (%u)", (unsigned)nvme_card_msi_count());
	media_errors();
	hang();
	fatal_status();

	CHECK(nvme_shutdown(&ctrl) == 0, "shutdown");
	st = rp_status_take();
	CHECK(st == 0, "root port saw no completion errors (STATUS 0x%x)", (unsigned)st);
	printf("nvme on the card: %u MSI, %u unexpected completions\n", (unsigned)nvme_card_msi_count(),
	       (unsigned)mmio_read32(RP(UNEXPECTED)));
	printf("%d passed, %d failed\n", passed, failed);
	return failed || !passed;	/* no check run is no pass */
}
