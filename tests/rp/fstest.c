/*
 * The card's storage stack in the RTL simulation: the ext4 code
 * (firmware/fs, RV32 build) over the block HAL over the NVMe driver over the
 * root port, into the SSD model's image (vfpga-sim --image IMG, made by
 * mke2fs at test time). Mounts, writes a 300 KiB file, a directory with
 * FS_ENTRIES entries, a symlink and an xattr, renames and removes a file,
 * unmounts, mounts again and reads it all back. The host then runs
 * e2fsck -fn and debugfs on the image (tests/rp/run_fs.sh).
 * Exit code: the number of failed checks.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "nvme.h"
#include "nvme_blockdev.h"
#include "nvme_card.h"
#include "rt.h"
#include "vfs.h"

#define FILE_BYTES (300u * 1024u)
#define FS_ENTRIES 120u

static unsigned failures;
static struct nvme_ctrl ctrl;
static struct blockdev bd;
/* big buffers live in card memory (the DTCM is 256 KiB) */
static uint8_t data[FILE_BYTES] __attribute__((section(".ddr"), aligned(4096)));
static uint8_t back[FILE_BYTES] __attribute__((section(".ddr"), aligned(4096)));

static void check(int ok, const char *what, long v)
{
	if (!ok) {
		failures++;
		printf("FAIL %s (%ld)\n", what, v);
	}
}

static void clock_now(uint64_t *sec, uint32_t *nsec)
{
	uint64_t us = timer_now() / TIMER_TICKS_PER_US;

	*sec = 1700000000ull + us / 1000000;
	*nsec = (uint32_t)(us % 1000000) * 1000;
}

static uint8_t pat(uint32_t i) { return (uint8_t)(i * 13u + (i >> 10) + 1u); }

static void entry_name(char *name, unsigned k)
{
	memcpy(name, "entry-", 6);
	name[6] = (char)('0' + k / 100);
	name[7] = (char)('0' + k / 10 % 10);
	name[8] = (char)('0' + k % 10);
	name[9] = 0;
}

int main(void)
{
	struct nvme_hal hal;
	struct nvme_card_info info;
	struct vfs *fs = NULL;
	struct vfs_attr a, dir, f;
	uint64_t t0 = rt_rdcycle();
	long n;
	int ret;

	timer_init();
	irq_enable();
	memset(data, 0, sizeof(data));		/* .ddr is not zeroed by crt0 */
	if (nvme_card_probe(&hal, &info) || nvme_init(&ctrl, &hal, card_ddr_alloc(NVME_ARENA_SIZE, NVME_PAGE)) ||
	    nvme_blockdev_init(&bd, &ctrl)) {
		printf("FAIL NVMe set-up\n");
		return 99;
	}
	printf("fstest: %u blocks on '%s'\n", (unsigned)ctrl.nsze, ctrl.model);
	vfs_set_clock(clock_now);
	ret = vfs_mount(&fs, &bd, 0);
	check(ret == 0, "mount", ret);
	if (ret) {
		printf("%s\n", vfs_last_error(NULL));
		return 98;
	}
	for (uint32_t i = 0; i < FILE_BYTES; i++)
		data[i] = pat(i);
	ret = vfs_mknod(fs, vfs_root(fs), "data.bin", 8, S_IFREG | 0644, 0, 0, 0, &f);
	check(ret == 0, "create data.bin", ret);
	n = vfs_write(fs, f.ino, 0, data, FILE_BYTES);
	check(n == (long)FILE_BYTES, "write data.bin", n);
	ret = vfs_mkdir(fs, vfs_root(fs), "dir", 3, 0755, 0, 0, &dir);
	check(ret == 0, "mkdir", ret);
	for (unsigned k = 0; k < FS_ENTRIES; k++) {
		char name[16];

		entry_name(name, k);
		ret = vfs_mknod(fs, dir.ino, name, 9, S_IFREG | 0600, 0, 0, 0, &a);
		if (ret) {
			check(0, "create entry", ret);
			break;
		}
	}
	ret = vfs_symlink(fs, vfs_root(fs), "link", 4, "dir/entry-042", 13, 0, 0, &a);
	check(ret == 0, "symlink", ret);
	ret = vfs_setxattr(fs, f.ino, "user.origin", "card", 4, 0);
	check(ret == 0, "setxattr", ret);
	ret = vfs_rename(fs, dir.ino, "entry-007", 9, vfs_root(fs), "moved", 5, 0);
	check(ret == 0, "rename", ret);
	ret = vfs_lookup(fs, dir.ino, "entry-008", 9, &a);
	check(ret == 0, "lookup entry-008", ret);
	ret = vfs_unlink(fs, dir.ino, "entry-008", 9);
	check(ret == 0, "unlink", ret);
	ret = vfs_evict(fs, a.ino);		/* what the FUSE layer does at its last forget */
	check(ret == 0, "evict", ret);
	ret = vfs_fsync(fs, f.ino, 0);
	check(ret == 0, "fsync", ret);
	ret = vfs_unmount(fs);
	check(ret == 0, "unmount", ret);

	/* Again, from the disk. */
	fs = NULL;
	ret = vfs_mount(&fs, &bd, 0);
	check(ret == 0, "remount", ret);
	if (!ret) {
		char v[8] = { 0 };

		ret = vfs_lookup(fs, vfs_root(fs), "data.bin", 8, &f);
		check(ret == 0 && f.size == FILE_BYTES, "lookup data.bin", ret);
		n = vfs_read(fs, f.ino, 0, back, FILE_BYTES);
		check(n == (long)FILE_BYTES && !memcmp(data, back, FILE_BYTES), "read back data.bin", n);
		ret = vfs_lookup(fs, vfs_root(fs), "dir", 3, &dir);
		check(ret == 0 && dir.nlink == 2, "lookup dir", ret);
		ret = vfs_lookup(fs, dir.ino, "entry-099", 9, &a);
		check(ret == 0, "lookup entry-099", ret);
		ret = vfs_lookup(fs, dir.ino, "entry-008", 9, &a);
		check(ret == -ENOENT, "entry-008 is gone", ret);
		ret = vfs_lookup(fs, vfs_root(fs), "moved", 5, &a);
		check(ret == 0, "lookup moved", ret);
		n = vfs_getxattr(fs, f.ino, "user.origin", v, sizeof(v));
		check(n == 4 && !memcmp(v, "card", 4), "getxattr", n);
		ret = vfs_unmount(fs);
		check(ret == 0, "final unmount", ret);
	}
	check(nvme_shutdown(&ctrl) == 0, "shutdown", 0);
	printf("fstest: %u MSI, %lu cycles\n", (unsigned)nvme_card_msi_count(), (unsigned long)(rt_rdcycle() - t0));
	printf("ext4 over nvme on the card: %u failures\n", failures);
	return (int)failures;
}
