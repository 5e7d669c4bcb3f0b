/*
 * The card's storage stack on an independent NVMe: the ext4 code
 * (firmware/fs) over the block HAL over the NVMe driver, on QEMU's riscv32
 * virt with QEMU's NVMe and an image made by mke2fs. Mounts, writes a file of
 * 300 KiB, a directory with 200 entries, a symlink and an xattr, unmounts,
 * mounts again and reads it all back. The host then runs e2fsck -fn and
 * debugfs on the image.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "nvme.h"
#include "nvme_blockdev.h"
#include "qemu_hw.h"
#include "vfs.h"

#define FILE_BYTES (300u * 1024u)

static unsigned failures;
static uint8_t arena[NVME_ARENA_SIZE] __attribute__((aligned(4096)));
static uint8_t data[FILE_BYTES], back[FILE_BYTES];
static struct nvme_ctrl ctrl;
static struct blockdev bd;

static void check(int ok, const char *what, long v)
{
	if (!ok) {
		failures++;
		puts_("FAIL ");
		puts_(what);
		puts_(" (");
		putdec((uint64_t)(v < 0 ? -v : v));
		puts_(")\n");
	}
}

static void clock_now(uint64_t *sec, uint32_t *nsec)
{
	uint64_t us = now_us();

	*sec = 1700000000ull + us / 1000000;
	*nsec = (uint32_t)(us % 1000000) * 1000;
}

static uint8_t pat(uint32_t i) { return (uint8_t)(i * 13u + (i >> 10) + 1u); }

int main(void)
{
	struct nvme_hal hal = { .bus_addr = bus_addr, .now_us = now_us };
	struct vfs *fs = NULL;
	struct vfs_attr a, dir, f;
	long n;
	int ret;

	puts_("ext4 over NVMe on QEMU virt\n");
	hal.bar = find_nvme();
	if (!hal.bar || nvme_init(&ctrl, &hal, arena) || nvme_blockdev_init(&bd, &ctrl)) {
		puts_("FAIL NVMe set-up\n");
		return 99;
	}
	vfs_set_clock(clock_now);
	ret = vfs_mount(&fs, &bd, 0);
	check(ret == 0, "mount", ret);
	if (ret) {
		puts_(vfs_last_error(NULL));
		puts_("\n");
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
	for (unsigned k = 0; k < 200; k++) {
		char name[16] = "entry-";

		name[6] = (char)('0' + k / 100);
		name[7] = (char)('0' + k / 10 % 10);
		name[8] = (char)('0' + k % 10);
		ret = vfs_mknod(fs, dir.ino, name, 9, S_IFREG | 0600, 0, 0, 0, &a);
		if (ret) {
			check(0, "create entry", ret);
			break;
		}
	}
	ret = vfs_symlink(fs, vfs_root(fs), "link", 4, "dir/entry-042", 13, 0, 0, &a);
	check(ret == 0, "symlink", ret);
	ret = vfs_setxattr(fs, f.ino, "user.origin", "nvme", 4, 0);
	check(ret == 0, "setxattr", ret);
	ret = vfs_fsync(fs, f.ino, 0);
	check(ret == 0, "fsync", ret);
	ret = vfs_unmount(fs);
	check(ret == 0, "unmount", ret);

	/* Again, from the disk. */
	fs = NULL;
	ret = vfs_mount(&fs, &bd, 0);
	check(ret == 0, "remount", ret);
	if (!ret) {
		ret = vfs_lookup(fs, vfs_root(fs), "data.bin", 8, &f);
		check(ret == 0 && f.size == FILE_BYTES, "lookup data.bin", ret);
		n = vfs_read(fs, f.ino, 0, back, FILE_BYTES);
		check(n == (long)FILE_BYTES && !memcmp(data, back, FILE_BYTES), "read back data.bin", n);
		ret = vfs_lookup(fs, vfs_root(fs), "dir", 3, &dir);
		check(ret == 0 && dir.nlink == 2, "lookup dir", ret);
		ret = vfs_lookup(fs, dir.ino, "entry-199", 9, &a);
		check(ret == 0, "lookup entry-199", ret);
		{
			char v[8] = { 0 };

			n = vfs_getxattr(fs, f.ino, "user.origin", v, sizeof(v));
			check(n == 4 && !memcmp(v, "nvme", 4), "getxattr", n);
		}
		ret = vfs_unmount(fs);
		check(ret == 0, "final unmount", ret);
	}
	check(nvme_shutdown(&ctrl) == 0, "shutdown", 0);
	puts_("ext4 over nvme: ");
	putdec(failures);
	puts_(" failures\n");
	return (int)failures;
}
