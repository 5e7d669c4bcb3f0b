/* Filesystem tests of file data and extents: an empty block-mapped file
 * (no extents flag) written for the first time, a large sparse file written
 * in shuffled pieces until its extent tree grows a level, then punched,
 * zeroed, preallocated and truncated, random writes, truncates, hole punches
 * and preallocations checked against an in-memory model across remounts,
 * and a filesystem filled to ENOSPC (blocks, then inodes) and used again
 * after a delete. */
#define _GNU_SOURCE
#include "cases.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* An empty file without the extents flag (as older tools make them) can be
 * written: it gets an extent tree. */
void t_blockmap_empty(void)
{
	struct vfs *fs;
	struct vfs_attr a;
	char out[4096];

	CHECK(make_image(variant_opts, "32M") == 0, "mke2fs");
	CHECK(run("debugfs -w -R 'write /dev/null old' %s >/dev/null 2>&1", cur_img) == 0, "debugfs write");
	CHECK(run("debugfs -w -R 'set_inode_field /old flags 0' %s >/dev/null 2>&1", cur_img) == 0, "debugfs sif");
	CHECK(run("debugfs -w -R 'set_inode_field /old block[0] 0' %s >/dev/null 2>&1", cur_img) == 0, "debugfs sif");
	debugfs_out("stat /old", out, sizeof(out));
	CHECK(has(out, "Flags: 0x0"), "flags: %.200s", out);
	OK(mount_img(&fs));
	OK(vfs_lookup(fs, 2, NAME("old"), &a));
	CHECK(vfs_write(fs, a.ino, 0, "data!", 5) == 5, "write");
	OK(umount_img(fs));
	CHECK(fsck_clean(), "fsck");
	CHECK(dump_cmp("/old", "data!", 5), "content");
}

void t_sparse_large(void)
{
	struct vfs *fs;
	struct vfs_attr a;
	struct vfs_setattr sa;
	uint32_t bs = 4096, nb = 3000;
	size_t size;
	uint8_t *img, *chk;
	uint64_t res;
	char out[8192];

	CHECK(make_image(variant_opts, "64M") == 0, "mke2fs");
	OK(mount_img(&fs));
	OK(vfs_mknod(fs, 2, NAME("sparse"), S_IFREG | 0644, 0, 0, 0, &a));
	size = (size_t)nb * 2 * bs;
	static uint8_t imgm[3000 * 2 * 4096], chkm[3000 * 2 * 4096];
	img = imgm;
	chk = chkm;
	memset(img, 0, size);
	/* every other 4 KiB piece, written in a shuffled order */
	for (uint32_t k = 0; k < nb; k++) {
		uint32_t i = (k * 7919u) % nb;
		uint8_t piece[4096];
		for (uint32_t j = 0; j < bs; j++)
			piece[j] = (uint8_t)(i * 31 + j);
		memcpy(img + (size_t)i * 2 * bs, piece, bs);
		CHECK(vfs_write(fs, a.ino, (uint64_t)i * 2 * bs, piece, bs) == (long)bs, "write %u", i);
	}
	CHECK(vfs_read(fs, a.ino, 0, chk, size) == (long)(size - bs), "read size");
	CHECK(memcmp(chk, img, size - bs) == 0, "read back");
	OK(vfs_lseek(fs, a.ino, bs, 3, &res));
	CHECK(res == 2 * bs, "seek data %llu", (unsigned long long)res);
	OK(vfs_lseek(fs, a.ino, 0, 4, &res));
	CHECK(res == bs, "seek hole %llu", (unsigned long long)res);
	OK(vfs_sync(fs));
	/* punch a hole in the middle, zero a range, preallocate */
	OK(vfs_fallocate(fs, a.ino, 0x03, 100 * bs + 10, 50 * bs));
	memset(img + 100 * bs + 10, 0, 50 * bs);
	OK(vfs_fallocate(fs, a.ino, 0x10, 1000 * bs + 5, 3 * bs));
	memset(img + 1000 * bs + 5, 0, 3 * bs);
	OK(vfs_fallocate(fs, a.ino, 0x01, (uint64_t)nb * 2 * bs, 64 * bs));
	/* write into the fallocated (unwritten) range below EOF */
	OK(vfs_fallocate(fs, a.ino, 0, 3 * bs, 2 * bs));
	CHECK(vfs_write(fs, a.ino, 3 * bs + 100, "unwritten", 9) == 9, "w unwritten");
	memcpy(img + 3 * bs + 100, "unwritten", 9);
	/* a run of whole blocks into an unwritten extent (in the punched hole),
	 * then a partial block, then on past its end into the hole */
	{
		static uint8_t run[10 * 4096];
		size_t n = 7 * bs + 50;

		OK(vfs_fallocate(fs, a.ino, 0x01, 110 * bs, 8 * bs));
		for (size_t k = 0; k < n; k++)
			run[k] = (uint8_t)(k * 7 + 3);
		CHECK(vfs_write(fs, a.ino, 110 * bs, run, n) == (long)n, "whole blocks into an unwritten extent");
		memcpy(img + 110 * bs, run, n);
		CHECK(vfs_write(fs, a.ino, 117 * bs + 60, run, 2 * bs) == (long)(2 * bs), "across its end");
		memcpy(img + 117 * bs + 60, run, 2 * bs);
	}
	/* truncate to trim a partial extent */
	memset(&sa, 0, sizeof(sa));
	sa.valid = VFS_SET_SIZE;
	sa.size = (uint64_t)(nb - 1000) * 2 * bs + 1234;
	OK(vfs_setattr(fs, a.ino, &sa, &a));
	size = sa.size;
	memset(img + size, 0, 2 * bs);
	CHECK(vfs_read(fs, a.ino, 0, chk, size) == (long)size, "read2");
	CHECK(memcmp(chk, img, size) == 0, "read back 2");
	OK(umount_img(fs));
	CHECK(fsck_clean(), "fsck");
	CHECK(dump_cmp("/sparse", img, size), "debugfs content");
	debugfs_out("stat /sparse", out, sizeof(out));
	CHECK(has(out, "EXTENTS:") && (has(out, "(ETB0)") || has(out, "ETB")), "extent tree depth: %.400s", out);
}

/* Random writes, truncates, hole punches and preallocations on two files,
 * checked against an in-memory model, across remounts. */
void t_random_model(void)
{
	enum { MAXSZ = 1536 * 1024, NF = 2 };
	struct vfs *fs;
	struct vfs_attr a;
	static uint8_t models[NF][MAXSZ], bufm[MAXSZ];
	uint8_t *model[NF], *buf = bufm;
	uint64_t msize[NF] = { 0, 0 }, ino[NF];
	char name[32];

	CHECK(make_image(variant_opts, "32M") == 0, "mke2fs");
	OK(mount_img(&fs));
	for (int k = 0; k < NF; k++) {
		model[k] = models[k];
		memset(model[k], 0, MAXSZ);
		snprintf(name, sizeof(name), "r%d", k);
		OK(vfs_mknod(fs, 2, name, strlen(name), S_IFREG | 0644, 0, 0, 0, &a));
		ino[k] = a.ino;
	}
	rnd_state = 777;
	for (int step = 0; step < 1500; step++) {
		int k = (int)(rnd() % NF), op = (int)(rnd() % 100);
		uint64_t off = rnd() % (MAXSZ - 70000), len = 1 + rnd() % (rnd() % 4 ? 5000 : 65536);
		if (op < 55) {
			for (uint64_t j = 0; j < len; j++)
				buf[j] = (uint8_t)(rnd() >> 3);
			CHECK(vfs_write(fs, ino[k], off, buf, len) == (long)len, "step %d write", step);
			memcpy(model[k] + off, buf, len);
			if (off + len > msize[k])
				msize[k] = off + len;
		} else if (op < 65) {
			struct vfs_setattr sa = { .valid = VFS_SET_SIZE, .size = off };
			OK(vfs_setattr(fs, ino[k], &sa, &a));
			if (off < msize[k])
				memset(model[k] + off, 0, msize[k] - off);
			msize[k] = off;
		} else if (op < 80) {
			OK(vfs_fallocate(fs, ino[k], 0x03, off, len));
			if (off < msize[k])
				memset(model[k] + off, 0, (off + len > msize[k] ? msize[k] : off + len) - off);
		} else if (op < 87) {
			OK(vfs_fallocate(fs, ino[k], 0x10, off, len));
			if (off < msize[k])
				memset(model[k] + off, 0, (off + len > msize[k] ? msize[k] : off + len) - off);
			if (off + len > msize[k])
				msize[k] = off + len;
		} else if (op < 94) {
			OK(vfs_fallocate(fs, ino[k], rnd() % 2 ? 0x01 : 0, off, len));
			OK(vfs_getattr(fs, ino[k], &a));
			msize[k] = a.size;
		} else if (op < 97) {
			OK(vfs_sync(fs));
		} else {
			OK(umount_img(fs));
			OK(mount_img(&fs));
		}
		if (step % 100 == 99 || step == 1499) {
			for (int q = 0; q < NF; q++) {
				OK(vfs_getattr(fs, ino[q], &a));
				CHECK(a.size == msize[q], "step %d size %llu vs %llu", step,
				      (unsigned long long)a.size, (unsigned long long)msize[q]);
				CHECK(vfs_read(fs, ino[q], 0, buf, MAXSZ) == (long)msize[q], "read");
				for (uint64_t j = 0; j < msize[q]; j++)
					CHECK(buf[j] == model[q][j], "step %d file %d byte %llu", step, q, (unsigned long long)j);
			}
		}
	}
	OK(umount_img(fs));
	CHECK(fsck_clean(), "fsck");
	for (int q = 0; q < NF; q++) {
		snprintf(name, sizeof(name), "/r%d", q);
		CHECK(dump_cmp(name, model[q], msize[q]), "debugfs content %d", q);
	}
}

void t_enospc(void)
{
	struct vfs *fs;
	struct vfs_attr a;
	static char buf[65536];
	long w, total = 0;
	int files = 0, err = 0;
	char name[32];

	CHECK(make_image(variant_opts, "2M") == 0, "mke2fs");
	OK(mount_img(&fs));
	memset(buf, 'E', sizeof(buf));
	for (;;) {
		snprintf(name, sizeof(name), "f%d", files);
		err = vfs_mknod(fs, 2, name, strlen(name), S_IFREG | 0644, 0, 0, 0, &a);
		if (err)
			break;
		files++;
		w = vfs_write(fs, a.ino, 0, buf, sizeof(buf));
		if (w < 0) {
			err = (int)w;
			break;
		}
		total += w;
		if (w < (long)sizeof(buf)) {
			w = vfs_write(fs, a.ino, (uint64_t)w, buf, sizeof(buf));
			err = (int)w;
			break;
		}
	}
	CHECK(err == -ENOSPC, "expected ENOSPC, got %d (%s)", err, last_err());
	err = vfs_setxattr(fs, 2, "user.a", "b", 1, 0);
	CHECK(err == 0 || (small_inode && err == -ENOSPC), "xattr on a full fs: %d", err);
	/* inodes: many empty files until ENOSPC */
	for (int i = 0; i < 100000; i++) {
		snprintf(name, sizeof(name), "e%d", i);
		err = vfs_mknod(fs, 2, name, strlen(name), S_IFREG | 0644, 0, 0, 0, &a);
		if (err)
			break;
	}
	CHECK(err == -ENOSPC, "expected inode ENOSPC, got %d", err);
	OK(vfs_unlink(fs, 2, NAME("f0")));
	OK(vfs_evict(fs, 12));
	/* the space of a file deleted just now is usable at once */
	OK(vfs_lookup(fs, 2, NAME("f1"), &a));
	OK(vfs_unlink(fs, 2, NAME("f1")));
	OK(vfs_evict(fs, a.ino));
	OK(vfs_lookup(fs, 2, NAME("e0"), &a));
	w = vfs_write(fs, a.ino, 0, buf, 60000);
	CHECK(w == 60000, "write after delete on a full fs: %ld", w);
	OK(umount_img(fs));
	CHECK(fsck_clean(), "fsck");
	CHECK(total > 0, "wrote something");
}
