/*
 * Builds an image through vfs.h for the kernel check (kernel_check.sh):
 * an htree directory, data, a sparse file, symlinks, an xattr, a directory
 * move; with a second argument N, more changes follow and the device is cut
 * N writes into their commit (the program then exits without unmounting) and
 * prints 1 when the cut dropped writes, 0 when the commit ended first. With
 * "count" instead of N it prints how many writes that commit makes, uncut.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "blockdev_file.h"
#include "vfs.h"

/*
 * The time: the program's start, then 1 us more at every reading. The
 * commit interval runs on this clock, so two runs over the same fresh image
 * make the same writes (kernel_check.sh counts them in one run and cuts at
 * chosen points in others; the host clock made the count drift on a busy
 * machine).
 */
static void step_clock(uint64_t *s, uint32_t *n)
{
	static struct timespec t;

	if (!t.tv_sec)
		clock_gettime(CLOCK_REALTIME, &t);
	if ((t.tv_nsec += 1000) >= 1000000000) {
		t.tv_nsec -= 1000000000;
		t.tv_sec++;
	}
	*s = (uint64_t)t.tv_sec;
	*n = (uint32_t)t.tv_nsec;
}

int main(int argc, char **argv)
{
	static char buf[65536];
	struct blockdev_file f;
	struct blockdev_fault fl;
	struct vfs *fs;
	struct vfs_attr a, d;
	char name[64];
	int count = argc > 2 && !strcmp(argv[2], "count");
	long cut = count ? -1 : argc > 2 ? atol(argv[2]) : 0;
	long before;

	if (argc < 2 || blockdev_file_open(&f, argv[1], 0))
		return 2;
	vfs_set_clock(step_clock);
	blockdev_fault_init(&fl, &f.bd, 0, 0);
	if (vfs_mount(&fs, &fl.bd, 0)) {
		fprintf(stderr, "mount: %s\n", vfs_last_error(NULL));
		return 1;
	}
	if (vfs_mkdir(fs, 2, "big", 3, 0755, 0, 0, &d))
		return 1;
	for (int i = 0; i < 3000; i++) {
		snprintf(name, sizeof(name), "entry-%05d-with-a-longish-name", i);
		if (vfs_mknod(fs, d.ino, name, strlen(name), S_IFREG | 0644, 0, 0, 0, &a))
			return 1;
	}
	for (int i = 0; i < (int)sizeof(buf); i++)
		buf[i] = (char)(i * 7);
	if (vfs_mknod(fs, 2, "hello", 5, S_IFREG | 0644, 0, 0, 0, &a) ||
	    vfs_write(fs, a.ino, 0, buf, sizeof(buf)) != (long)sizeof(buf) ||
	    vfs_setxattr(fs, a.ino, "user.k", "value", 5, 0))
		return 1;
	if (vfs_mknod(fs, 2, "sparse", 6, S_IFREG | 0644, 0, 0, 0, &a))
		return 1;
	for (int i = 0; i < 500; i++)
		if (vfs_write(fs, a.ino, (uint64_t)i * 20000, buf, 1000) != 1000)
			return 1;
	memset(name, 's', 60);
	if (vfs_symlink(fs, 2, "slow", 4, name, 60, 0, 0, &a) ||
	    vfs_symlink(fs, 2, "fast", 4, "hello", 5, 0, 0, &a) ||
	    vfs_mkdir(fs, 2, "sub", 3, 0755, 0, 0, &a) ||
	    vfs_rename(fs, 2, "sub", 3, d.ino, "sub", 3, 0) || vfs_sync(fs))
		return 1;
	if (cut) {
		for (int i = 3000; i < 3300; i++) {
			snprintf(name, sizeof(name), "entry-%05d-with-a-longish-name", i);
			if (vfs_mknod(fs, d.ino, name, strlen(name), S_IFREG | 0644, 0, 0, 0, &a))
				return 1;
		}
		before = fl.writes;
		if (!count)
			fl.cut_after = fl.writes + cut;
		if (vfs_sync(fs) && count)
			return 1;
		if (count)
			printf("%ld\n", fl.writes - before);
		else
			printf("%d\n", fl.cut);	/* 1: the cut happened inside the commit */
		return 0;		/* no unmount: the power is gone */
	}
	return vfs_unmount(fs) ? 1 : 0;
}
