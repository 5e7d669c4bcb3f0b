/*
 * The firmware NVMe driver (host build) against the SSD model's controller
 * (world/ssd/nvme_core.c, the one that sits behind the card's root port in
 * the RTL simulation), bound to host memory (world/ssd/nvme_host.h):
 * transfers of every shape, several in flight, flush, write zeroes,
 * deallocate, and each injected fault: a media error, a command that never
 * completes, a controller that goes fatal (and comes back after a reset).
 * Then the SSD profiles' timing in simulated cycles: a 4 KiB read at QD1,
 * a write acknowledged from the cache, a FLUSH that waits for the drain,
 * under nvme-tlc and under ideal. Runs under ASan and UBSan.
 * usage: model_test IMAGE (created, 32 MiB)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "nvme.h"
#include "nvme_host.h"

#define NBLOCKS 65536u
#define CLOCK_MHZ 250u
#define STEP 25u		/* cycles that pass per now_us() call of the driver */

static int passed, failed;
static struct nvme_host *host;
static struct nvme_ctrl ctrl;
static int img_fd;
static uint8_t arena[NVME_ARENA_SIZE] __attribute__((aligned(4096)));
static uint8_t buf[4 * 1024 * 1024] __attribute__((aligned(4096)));
static uint8_t media[256 * 512];

/* Time passes only while the driver waits. */
static uint64_t now_us(void)
{
	nvme_host_advance(host, STEP);
	return nvme_host_cycle(host) / CLOCK_MHZ;
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

/* What the image file holds at lba (the namespace is mapped shared). */
static const uint8_t *on_media(uint64_t lba, uint32_t n)
{
	if (n > sizeof(media) / 512 || pread(img_fd, media, n * 512u, (off_t)(lba * 512)) != (ssize_t)(n * 512))
		memset(media, 0xee, sizeof(media));
	return media;
}

static struct nvme_host *open_ssd(const char *image, const char *profile)
{
	struct nvme_dev_opts o;
	struct nvme_host *h;
	char err[256];

	nvme_dev_opts_init(&o);
	o.image = image;
	o.profile = ssd_profile_find(profile);
	if (!o.profile) {
		printf("no profile %s\n", profile);
		exit(2);
	}
	h = nvme_host_open(&o, err, sizeof(err));
	if (!h) {
		printf("ssd: %s\n", err);
		exit(2);
	}
	return h;
}

static int ctrl_init(void)
{
	struct nvme_hal hal = { .bus_addr = bus_addr, .now_us = now_us, .reg_read = nvme_host_reg_read,
				.reg_write = nvme_host_reg_write, .reg_ctx = host };

	return nvme_init(&ctrl, &hal, arena);
}

/*
 * The profile's timing through the driver: cycles of one 4 KiB read, one
 * 4 KiB write, and of a FLUSH after `burst` bytes of 128 KiB writes.
 */
struct timing {
	uint64_t read4k, write4k, burst_writes, flush;
	uint64_t flush_wait;		/* the controller's own count */
};

static void measure(const char *image, const char *profile, uint32_t burst, struct timing *t)
{
	uint64_t c0;
	int ret;

	host = open_ssd(image, profile);
	ret = ctrl_init();
	CHECK(ret == 0, "%s: init: %d", profile, ret);
	fill(buf, 100, 8);
	CHECK(nvme_write(&ctrl, 100, 8, buf) == 0 && nvme_flush(&ctrl) == 0, "%s: write and flush", profile);
	c0 = nvme_host_cycle(host);
	CHECK(nvme_read(&ctrl, 3000, 8, buf) == 0, "%s: 4 KiB read", profile);
	t->read4k = nvme_host_cycle(host) - c0;
	c0 = nvme_host_cycle(host);
	CHECK(nvme_write(&ctrl, 100, 8, buf) == 0, "%s: 4 KiB write", profile);
	t->write4k = nvme_host_cycle(host) - c0;
	CHECK(nvme_flush(&ctrl) == 0, "%s: flush after one write", profile);
	fill(buf, 4096, burst / 512);
	c0 = nvme_host_cycle(host);
	for (uint32_t off = 0; off < burst; off += 128 * 1024)
		if (nvme_write(&ctrl, 4096 + off / 512, 256, buf + off)) {
			CHECK(0, "%s: burst write at %u", profile, off);
			break;
		}
	t->burst_writes = nvme_host_cycle(host) - c0;
	c0 = nvme_host_cycle(host);
	CHECK(nvme_flush(&ctrl) == 0, "%s: flush after the burst", profile);
	t->flush = nvme_host_cycle(host) - c0;
	t->flush_wait = nvme_core_stats(nvme_host_core(host))->flush_wait_cycles;
	CHECK(same(on_media(4096, 256), 4096, 256), "%s: the burst is in the image", profile);
	CHECK(nvme_shutdown(&ctrl) == 0, "%s: shutdown", profile);
	nvme_host_close(host);
	host = NULL;
	printf("%-9s read 4 KiB %llu cycles, write 4 KiB %llu, %u KiB of writes %llu, then FLUSH %llu "
	       "(%llu waiting for the drain)\n", profile, (unsigned long long)t->read4k,
	       (unsigned long long)t->write4k, burst / 1024, (unsigned long long)t->burst_writes,
	       (unsigned long long)t->flush, (unsigned long long)t->flush_wait);
}

static void profiles(const char *image)
{
	const struct ssd_profile *tlc = ssd_profile_find("nvme-tlc");
	const uint32_t burst = 4u << 20;
	struct timing ideal, real;
	uint64_t read_min, drain;

	CHECK(tlc && ssd_profile_find("ideal"), "profiles nvme-tlc and ideal exist");
	if (!tlc)
		return;
	read_min = tlc->read_latency + (uint64_t)(4096 / tlc->read_bw);
	drain = (uint64_t)(burst / tlc->write_bw);
	/* the datasheet class: 50-60 us at QD1, writes acknowledged in a few us */
	CHECK(read_min >= 50u * CLOCK_MHZ && read_min <= 60u * CLOCK_MHZ, "nvme-tlc read %llu cycles",
	      (unsigned long long)read_min);
	measure(image, "nvme-tlc", burst, &real);
	measure(image, "ideal", burst, &ideal);
	CHECK(real.read4k >= read_min && real.read4k < read_min + 10u * CLOCK_MHZ,
	      "nvme-tlc: a 4 KiB read takes the profile's %llu cycles: %llu", (unsigned long long)read_min,
	      (unsigned long long)real.read4k);
	CHECK(ideal.read4k < read_min / 10, "ideal: a 4 KiB read is far faster: %llu",
	      (unsigned long long)ideal.read4k);
	CHECK(real.write4k >= tlc->write_latency && real.write4k < 10u * CLOCK_MHZ,
	      "nvme-tlc: a write is acknowledged from the cache in a few us: %llu cycles",
	      (unsigned long long)real.write4k);
	CHECK(real.burst_writes < drain / 2, "nvme-tlc: the burst is acknowledged before it drains: %llu < %llu",
	      (unsigned long long)real.burst_writes, (unsigned long long)drain / 2);
	CHECK(real.burst_writes + real.flush >= drain && real.flush_wait > 0 &&
	      real.flush >= drain - real.burst_writes,
	      "nvme-tlc: FLUSH waits for the drain at %g B/cycle: %llu + %llu >= %llu",
	      tlc->write_bw, (unsigned long long)real.burst_writes, (unsigned long long)real.flush,
	      (unsigned long long)drain);
	CHECK(ideal.flush < 10u * CLOCK_MHZ && ideal.flush_wait == 0, "ideal: FLUSH has nothing to wait for: %llu",
	      (unsigned long long)ideal.flush);
}

int main(int argc, char **argv)
{
	struct nvme_core *core;
	static const uint32_t sizes[] = { 1, 7, 8, 9, 64, 200, 256 };
	int ret;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc != 2) {
		fprintf(stderr, "usage: model_test IMAGE\n");
		return 2;
	}
	img_fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (img_fd < 0 || ftruncate(img_fd, (off_t)NBLOCKS * 512)) {
		perror(argv[1]);
		return 2;
	}
	host = open_ssd(argv[1], "ideal");
	ret = ctrl_init();
	CHECK(ret == 0, "init: %d", ret);
	CHECK(ctrl.nsze == NBLOCKS && ctrl.lba_size == 512 && ctrl.max_xfer == 131072 &&
	      !strcmp(ctrl.model, "vfpga testbench NVMe SSD"), "identify: %llu blocks of %u, max %u, '%s'",
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
			CHECK(same(on_media(lba, n), lba, n), "media holds %u blocks", n);
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

	/* media error: reads and writes there fail, nothing is written */
	core = nvme_host_core(host);
	fill(buf, 7000, 4);
	CHECK(nvme_write(&ctrl, 7000, 4, buf) == 0, "write before the error");
	nvme_core_fault(core, NVME_DEV_FAULT_MEDIA, 7000, 0, 4);
	ret = nvme_read(&ctrl, 6998, 8, buf);
	CHECK(ret == -EIO && ctrl.last_status == 0x281, "media error: %d, status 0x%x", ret, ctrl.last_status);
	memset(buf, 0x5a, 2048);
	ret = nvme_write(&ctrl, 7000, 4, buf);
	CHECK(ret == -EIO && ctrl.last_status == 0x280, "write fault: %d, status 0x%x", ret, ctrl.last_status);
	CHECK(same(on_media(7000, 4), 7000, 4), "nothing written by the failed write");
	CHECK(nvme_read(&ctrl, 7004, 4, buf) == 0, "blocks beside the range still read");
	nvme_core_fault(core, NVME_DEV_FAULT_CLEAR, 0, 0, 0);
	CHECK(nvme_read(&ctrl, 7000, 4, buf) == 0 && same(buf, 7000, 4), "read after the error cleared");

	/* a command that never completes (the next read) */
	ctrl.cmd_timeout_us = 20000;
	nvme_core_fault(core, NVME_DEV_FAULT_HANG, 0x02, 1, 0);
	ret = nvme_read(&ctrl, 100, 1, buf);
	CHECK(ret == -ETIMEDOUT, "hung read: %d", ret);
	fill(buf, 8000, 8);
	CHECK(nvme_write(&ctrl, 8000, 8, buf) == 0, "the queue still works");
	memset(buf, 0, 4096);
	CHECK(nvme_read(&ctrl, 8000, 8, buf) == 0 && same(buf, 8000, 8), "and reads too");

	/* controller fatal status, then a reset brings it back */
	nvme_core_fault(core, NVME_DEV_FAULT_CFS, 0, 0, 0);
	ret = nvme_read(&ctrl, 100, 1, buf);
	CHECK(ret == -EIO && ctrl.fatal, "fatal controller: %d", ret);
	ret = ctrl_init();
	CHECK(ret == 0, "re-init after fatal: %d (status 0x%x, csts 0x%x)", ret, ctrl.last_status,
	      nvme_host_reg_read(host, 0x1c));
	CHECK(nvme_core_stats(core)->resets >= 1, "the controller was reset");
	CHECK(nvme_read(&ctrl, 1000, 8, buf) == 0 && same(buf, 1000, 8), "data survives the reset");
	CHECK(nvme_shutdown(&ctrl) == 0, "shutdown");
	nvme_host_close(host);
	host = NULL;

	profiles(argv[1]);
	close(img_fd);
	printf("%d passed, %d failed\n", passed, failed);
	return failed || !passed ? 1 : 0;	/* no check run is no pass */
}
