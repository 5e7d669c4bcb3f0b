/*
 * The power-cut workload on the card (crash_plan.h): ext4 (RV32 build) over
 * the NVMe driver and the root port into the SSD model, which run_crash.sh
 * stops at a seeded cycle (vfpga-sim --power-cut) with its volatile write
 * cache resolved. The console lines say which fsyncs completed before the
 * cut; tests/rp/crash_check.c judges the image by them. The files' data
 * goes through a page cache in DDR, as on the card: each write stays in
 * dirty frames until its fsync writes it back (the PCACHE line at the end
 * says how much was, run_crash.sh wants it all).
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "crash_plan.h"
#include "nvme.h"
#include "nvme_blockdev.h"
#include "nvme_card.h"
#include "rt.h"
#include "vfs.h"

static struct nvme_ctrl ctrl;
static struct blockdev bd;
static uint8_t buf[CRASH_MAX_LEN] __attribute__((section(".ddr"), aligned(64)));
#define CRASH_PCACHE_BYTES (2u << 20)

static void clock_now(uint64_t *sec, uint32_t *nsec)
{
	uint64_t us = timer_now() / TIMER_TICKS_PER_US;

	*sec = 1700000000ull + us / 1000000;
	*nsec = (uint32_t)(us % 1000000) * 1000;
}

static int workload(struct vfs *fs)
{
	uint64_t root = vfs_root(fs);
	char name[8], to[8];
	struct vfs_attr a;
	int err;

	for (unsigned k = 0; k < CRASH_FILES; k++) {
		uint32_t len = crash_len(k);

		for (uint32_t i = 0; i < len; i++)
			buf[i] = crash_pat(k, i);
		snprintf(name, sizeof(name), "f%u", k);
		err = vfs_mknod(fs, root, name, strlen(name), S_IFREG | 0644, 0, 0, 0, &a);
		if (err)
			return err;
		if (vfs_write(fs, a.ino, 0, buf, len) != (long)len)
			return -5;
		if (k % 3 == 2 && (err = vfs_setxattr(fs, a.ino, "user.k", name, strlen(name), 0)))
			return err;
		if ((err = vfs_fsync(fs, a.ino, 0)) || (err = vfs_fsync(fs, root, 0)))
			return err;
		printf("SYNCED %u\n", k);
		if (k % 2 == 1) {
			snprintf(name, sizeof(name), "f%u", k - 1);
			snprintf(to, sizeof(to), "g%u", k - 1);
			printf("RENAME %u\n", k - 1);
			if ((err = vfs_rename(fs, root, name, strlen(name), root, to, strlen(to), 0)))
				return err;
			if ((err = vfs_fsync(fs, root, 0)))
				return err;
			printf("RENAMED %u\n", k - 1);
		}
	}
	return 0;
}

int main(void)
{
	struct nvme_hal hal;
	struct nvme_card_info info;
	struct vfs *fs;
	int err;

	timer_init();
	irq_enable();
	if (nvme_card_probe(&hal, &info) || nvme_init(&ctrl, &hal, card_ddr_alloc(NVME_ARENA_SIZE, NVME_PAGE)) ||
	    nvme_blockdev_init(&bd, &ctrl)) {
		printf("FAIL NVMe set-up\n");
		return 99;
	}
	vfs_set_clock(clock_now);
	{
		void *mem = card_ddr_alloc(CRASH_PCACHE_BYTES, 4096);

		vfs_pcache_setup(mem, mem ? CRASH_PCACHE_BYTES : 0);
	}
	err = vfs_mount(&fs, &bd, 0);
	if (err) {
		printf("FAIL mount %d: %s\n", err, vfs_last_error(NULL));
		return 98;
	}
	printf("MOUNTED\n");
	err = workload(fs);
	if (err)
		printf("FAIL workload %d: %s\n", err, vfs_last_error(fs));
	if (vfs_unmount(fs) && !err)
		err = -1;
	{
		struct vfs_pcache_stats st;

		vfs_pcache_get_stats(&st);
		printf("PCACHE %lu frames, %lu blocks dirtied, %lu written back in %lu commands\n",
		       (unsigned long)st.frames, (unsigned long)st.dirtied, (unsigned long)st.written,
		       (unsigned long)st.wb_writes);
	}
	if (nvme_shutdown(&ctrl) && !err)
		err = -1;
	printf("DONE %d\n", err);
	return err ? 1 : 0;
}
