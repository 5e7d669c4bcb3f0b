/* Host block device over an image file (pread/pwrite/fdatasync), plus the
 * fault-injection wrapper used by the filesystem tests. */
#define _GNU_SOURCE
#include "blockdev_file.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static int file_io(struct blockdev *bd, uint64_t sector, uint32_t count, void *buf, int wr)
{
	struct blockdev_file *f = bd->priv;
	uint64_t off = sector * BLOCKDEV_SECTOR_SIZE;
	size_t len = (size_t)count * BLOCKDEV_SECTOR_SIZE;
	uint8_t *p = buf;

	if (sector > bd->nsectors || count > bd->nsectors - sector)
		return -EINVAL;
	if (wr && f->rdonly)
		return -EROFS;
	while (len) {
		ssize_t n = wr ? pwrite(f->fd, p, len, (off_t)off) : pread(f->fd, p, len, (off_t)off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -EIO;
		}
		if (n == 0)
			return -EIO;
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

static int file_read(struct blockdev *bd, uint64_t sector, uint32_t count, void *buf)
{
	return file_io(bd, sector, count, buf, 0);
}

static int file_write(struct blockdev *bd, uint64_t sector, uint32_t count, const void *buf)
{
	return file_io(bd, sector, count, (void *)buf, 1);
}

static int file_flush(struct blockdev *bd)
{
	struct blockdev_file *f = bd->priv;

	if (f->rdonly)
		return 0;
	return fdatasync(f->fd) ? -EIO : 0;
}

/* A file has no per-write FUA: the write, then fdatasync. */
static int file_write_fua(struct blockdev *bd, uint64_t sector, uint32_t count, const void *buf)
{
	int err = file_write(bd, sector, count, buf);

	return err ? err : file_flush(bd);
}

int blockdev_file_open(struct blockdev_file *f, const char *path, int rdonly)
{
	struct stat st;

	f->fd = open(path, rdonly ? O_RDONLY : O_RDWR);
	if (f->fd < 0)
		return -errno;
	if (fstat(f->fd, &st)) {
		int err = -errno;
		close(f->fd);
		return err;
	}
	f->rdonly = rdonly;
	f->bd.nsectors = (uint64_t)st.st_size / BLOCKDEV_SECTOR_SIZE;
	f->bd.read = file_read;
	f->bd.write = file_write;
	f->bd.flush = file_flush;
	f->bd.write_fua = file_write_fua;
	f->bd.priv = f;
	return 0;
}

void blockdev_file_close(struct blockdev_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}

static int fault_read(struct blockdev *bd, uint64_t sector, uint32_t count, void *buf)
{
	struct blockdev_fault *f = bd->priv;

	return f->lower->read(f->lower, sector, count, buf);
}

static int fault_io(struct blockdev_fault *f, uint64_t sector, uint32_t count, const void *buf, int fua)
{
	f->writes++;
	f->fua_writes += fua;
	f->sectors_written += count;
	if (f->fail_write && f->writes == f->fail_write)
		return -EIO;
	if (f->cut_after && f->writes > f->cut_after) {
		f->cut = 1;
		return 0;	/* the power is gone: the write never lands */
	}
	if (!fua)
		return f->lower->write(f->lower, sector, count, buf);
	if (f->lower->write_fua)
		return f->lower->write_fua(f->lower, sector, count, buf);
	return f->lower->write(f->lower, sector, count, buf) ?: f->lower->flush(f->lower);
}

static int fault_write(struct blockdev *bd, uint64_t sector, uint32_t count, const void *buf)
{
	return fault_io(bd->priv, sector, count, buf, 0);
}

/* Counted as a write (cut_after, fail_write count it) and as a FUA write. */
static int fault_write_fua(struct blockdev *bd, uint64_t sector, uint32_t count, const void *buf)
{
	return fault_io(bd->priv, sector, count, buf, 1);
}

static int fault_flush(struct blockdev *bd)
{
	struct blockdev_fault *f = bd->priv;

	f->flushes++;
	if (f->cut)
		return 0;
	return f->lower->flush(f->lower);
}

void blockdev_fault_init(struct blockdev_fault *f, struct blockdev *lower,
			 long fail_write, long cut_after)
{
	f->lower = lower;
	f->writes = 0;
	f->flushes = 0;
	f->fua_writes = 0;
	f->sectors_written = 0;
	f->fail_write = fail_write;
	f->cut_after = cut_after;
	f->cut = 0;
	f->bd.nsectors = lower->nsectors;
	f->bd.read = fault_read;
	f->bd.write = fault_write;
	f->bd.flush = fault_flush;
	f->bd.write_fua = fault_write_fua;
	f->bd.priv = f;
}
