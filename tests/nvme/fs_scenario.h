/*
 * The ext4-over-NVMe scenario, written once and run by two harnesses: on
 * QEMU's NVMe (riscv32 virt, tests/nvme/fs_main.c, make test-nvme-fs) and on
 * the card through the RTL root port into the SSD model (tests/rp/fstest.c,
 * make test-rp-fs). Over a block device that is the NVMe driver: mounts,
 * writes a 300 KiB file, a directory of `entries` files, a symlink and an
 * xattr, renames one entry to /moved, unlinks another (and evicts it as
 * the FUSE layer does at its last forget), fsyncs, unmounts, mounts again
 * and checks it all. tests/nvme/check_fs.sh then runs e2fsck -fn and
 * debugfs on the image with the same expectations.
 */
#ifndef FS_SCENARIO_H
#define FS_SCENARIO_H

#include <stdint.h>

#include "blockdev.h"

#define FS_SCENARIO_FILE_BYTES (300u * 1024u)

struct fs_scenario {
	const char *harness;		/* named in the result line */
	unsigned entries;		/* directory entries (at least 100, at most 1000) */
	const char *origin;		/* value of user.origin on /data.bin (4 bytes) */
	uint8_t *data, *back;		/* FS_SCENARIO_FILE_BYTES each */
	uint64_t (*now_us)(void);	/* the filesystem's clock */
	void (*print)(const char *line);	/* console */
};

/* Runs it; prints each failed check and the result line
 * "ext4 over nvme on HARNESS: N failures"; returns N (98: no mount). */
int fs_scenario_run(const struct fs_scenario *s, struct blockdev *bd);

#endif /* FS_SCENARIO_H */
