/* The ext4-over-NVMe scenario (fs_scenario.h). */
#include "fs_scenario.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "vfs.h"

static const struct fs_scenario *sc;
static unsigned failures;

static void check(int ok, const char *what, long v)
{
	char line[96];

	if (ok)
		return;
	failures++;
	snprintf(line, sizeof(line), "FAIL %s (%ld)\n", what, v);
	sc->print(line);
}

static void clock_now(uint64_t *sec, uint32_t *nsec)
{
	uint64_t us = sc->now_us();

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

/* Everything the first mount writes. */
static void write_tree(struct vfs *fs)
{
	struct vfs_attr a, dir, f;
	long n;
	int ret;

	for (uint32_t i = 0; i < FS_SCENARIO_FILE_BYTES; i++)
		sc->data[i] = pat(i);
	ret = vfs_mknod(fs, vfs_root(fs), "data.bin", 8, S_IFREG | 0644, 0, 0, 0, &f);
	check(ret == 0, "create data.bin", ret);
	n = vfs_write(fs, f.ino, 0, sc->data, FS_SCENARIO_FILE_BYTES);
	check(n == (long)FS_SCENARIO_FILE_BYTES, "write data.bin", n);
	ret = vfs_mkdir(fs, vfs_root(fs), "dir", 3, 0755, 0, 0, &dir);
	check(ret == 0, "mkdir", ret);
	for (unsigned k = 0; k < sc->entries; k++) {
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
	ret = vfs_setxattr(fs, f.ino, "user.origin", sc->origin, 4, 0);
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
}

/* Everything again, from the disk. */
static void check_tree(struct vfs *fs)
{
	struct vfs_attr a, dir, f;
	char name[16], v[8] = { 0 };
	long n;
	int ret;

	ret = vfs_lookup(fs, vfs_root(fs), "data.bin", 8, &f);
	check(ret == 0 && f.size == FS_SCENARIO_FILE_BYTES, "lookup data.bin", ret);
	n = vfs_read(fs, f.ino, 0, sc->back, FS_SCENARIO_FILE_BYTES);
	check(n == (long)FS_SCENARIO_FILE_BYTES && !memcmp(sc->data, sc->back, FS_SCENARIO_FILE_BYTES),
	      "read back data.bin", n);
	ret = vfs_lookup(fs, vfs_root(fs), "dir", 3, &dir);
	check(ret == 0 && dir.nlink == 2, "lookup dir", ret);
	entry_name(name, sc->entries - 1);
	ret = vfs_lookup(fs, dir.ino, name, 9, &a);
	check(ret == 0, "lookup the last entry", ret);
	ret = vfs_lookup(fs, dir.ino, "entry-008", 9, &a);
	check(ret == -ENOENT, "entry-008 is gone", ret);
	ret = vfs_lookup(fs, dir.ino, "entry-007", 9, &a);
	check(ret == -ENOENT, "entry-007 moved away", ret);
	ret = vfs_lookup(fs, vfs_root(fs), "moved", 5, &a);
	check(ret == 0, "lookup moved", ret);
	n = vfs_getxattr(fs, f.ino, "user.origin", v, sizeof(v));
	check(n == 4 && !memcmp(v, sc->origin, 4), "getxattr", n);
}

int fs_scenario_run(const struct fs_scenario *s, struct blockdev *bd)
{
	struct vfs *fs = NULL;
	char line[96];
	int ret;

	sc = s;
	failures = 0;
	if (s->entries < 100 || s->entries > 1000 || strlen(s->origin) != 4) {
		s->print("FAIL scenario parameters\n");
		return 97;
	}
	vfs_set_clock(clock_now);
	ret = vfs_mount(&fs, bd, 0);
	check(ret == 0, "mount", ret);
	if (ret) {
		snprintf(line, sizeof(line), "%s\n", vfs_last_error(NULL));
		s->print(line);
		return 98;
	}
	write_tree(fs);
	ret = vfs_unmount(fs);
	check(ret == 0, "unmount", ret);

	fs = NULL;
	ret = vfs_mount(&fs, bd, 0);
	check(ret == 0, "remount", ret);
	if (!ret) {
		check_tree(fs);
		ret = vfs_unmount(fs);
		check(ret == 0, "final unmount", ret);
	}
	snprintf(line, sizeof(line), "ext4 over nvme on %s: %u failures\n", s->harness, failures);
	s->print(line);
	return (int)failures;
}
