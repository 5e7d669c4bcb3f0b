/*
 * ssd-check: the check the card firmware makes of the SSD before it serves
 * files (firmware/card/fs_service.c: vfs_mount over namespace 1, whole, from
 * LBA 0), made on the host that prepared the SSD, with the firmware's own
 * ext4 code:
 *
 *   ssd-check DEVICE|IMAGE
 *
 * The device is opened read-only; what the mount would write (journal
 * recovery, the orphan list, the mount state) goes to memory, so the SSD is
 * left as it was. Prints the firmware's reason when it would refuse.
 * Exit status: 0 the firmware would mount it; 1 it would refuse it (the
 * message says why); 2 bad usage or the device cannot be opened.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blockdev_file.h"
#include "vfs.h"

/* Sectors written during the check, kept in memory over the read-only device. */
struct overlay {
	struct blockdev bd;
	struct blockdev *lower;
	uint64_t *sector;
	uint8_t *data;
	size_t n, cap;
};

static uint8_t *ov_find(struct overlay *o, uint64_t s)
{
	for (size_t i = 0; i < o->n; i++)
		if (o->sector[i] == s)
			return o->data + i * BLOCKDEV_SECTOR_SIZE;
	return NULL;
}

static int ov_read(struct blockdev *bd, uint64_t sector, uint32_t count, void *buf)
{
	struct overlay *o = bd->priv;
	int err = o->lower->read(o->lower, sector, count, buf);

	if (err)
		return err;
	for (uint32_t i = 0; i < count; i++) {
		const uint8_t *p = ov_find(o, sector + i);

		if (p)
			memcpy((uint8_t *)buf + (size_t)i * BLOCKDEV_SECTOR_SIZE, p, BLOCKDEV_SECTOR_SIZE);
	}
	return 0;
}

static int ov_write(struct blockdev *bd, uint64_t sector, uint32_t count, const void *buf)
{
	struct overlay *o = bd->priv;

	for (uint32_t i = 0; i < count; i++) {
		uint8_t *p = ov_find(o, sector + i);

		if (!p) {
			if (o->n == o->cap) {
				size_t cap = o->cap ? 2 * o->cap : 256;
				uint64_t *s = realloc(o->sector, cap * sizeof(*s));
				uint8_t *d;

				if (!s)
					return -ENOMEM;
				o->sector = s;
				d = realloc(o->data, cap * BLOCKDEV_SECTOR_SIZE);
				if (!d)
					return -ENOMEM;
				o->data = d;
				o->cap = cap;
			}
			o->sector[o->n] = sector + i;
			p = o->data + o->n * BLOCKDEV_SECTOR_SIZE;
			o->n++;
		}
		memcpy(p, (const uint8_t *)buf + (size_t)i * BLOCKDEV_SECTOR_SIZE, BLOCKDEV_SECTOR_SIZE);
	}
	return 0;
}

static int ov_flush(struct blockdev *bd)
{
	(void)bd;
	return 0;
}

int main(int argc, char **argv)
{
	struct blockdev_file f;
	struct overlay o = { 0 };
	struct vfs *fs = NULL;
	struct stat st;
	uint64_t bytes;
	int err;

	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: ssd-check DEVICE|IMAGE   (e.g. /dev/nvme0n1: the whole namespace)\n");
		return 2;
	}
	err = blockdev_file_open(&f, argv[1], 1);
	if (err) {
		fprintf(stderr, "ssd-check: %s: %s\n", argv[1], strerror(-err));
		return 2;
	}
	/* A block device has no size in st_size: ask the kernel. */
	if (fstat(f.fd, &st) == 0 && S_ISBLK(st.st_mode)) {
		if (ioctl(f.fd, BLKGETSIZE64, &bytes) < 0) {
			fprintf(stderr, "ssd-check: %s: BLKGETSIZE64: %s\n", argv[1], strerror(errno));
			return 2;
		}
		f.bd.nsectors = bytes / BLOCKDEV_SECTOR_SIZE;
	}
	o.lower = &f.bd;
	o.bd.nsectors = f.bd.nsectors;
	o.bd.read = ov_read;
	o.bd.write = ov_write;
	o.bd.flush = ov_flush;
	o.bd.priv = &o;
	/* The firmware's call: read-write mount of the whole device. */
	err = vfs_mount(&fs, &o.bd, 0);
	if (err) {
		printf("ssd-check: %s: the card firmware would refuse it: %s\n", argv[1],
		       vfs_last_error(fs));
		return 1;
	}
	printf("ssd-check: %s: ext4 the card firmware mounts (%llu MiB device; %zu sectors the mount would write "
	       "were kept in memory)\n", argv[1], (unsigned long long)(o.bd.nsectors >> 11), o.n);
	blockdev_file_close(&f);
	return 0;
}
