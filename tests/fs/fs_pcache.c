/* The page cache of file data (firmware/fs/pcache.c): a device that counts
 * its reads shows read-ahead (fewer, larger reads) and hits (no read at
 * all); every path that changes data behind the cache is checked to be seen
 * by the next read; and a random mix of reads (copied and by reference),
 * writes, truncations, hole punching, zeroing and preallocation against a
 * byte model, with a cache of a few frames so that evictions happen all the
 * time. Write-back: writes reach the device only at a commit (or for room),
 * in few large commands; fsync'd bytes survive a cut right after the fsync;
 * every path that reads the device behind a dirty frame sees its bytes; a
 * cache that is all dirty never fails a writer; a failed write-back is
 * answered by the next fsync and flush. */
#define _GNU_SOURCE
#include "cases.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "blockdev_file.h"

struct count_dev {
	struct blockdev bd;
	struct blockdev *lower;
	long reads, sectors;
	long writes, wsectors;
};

static int cnt_read(struct blockdev *bd, uint64_t sector, uint32_t count, void *buf)
{
	struct count_dev *c = bd->priv;

	c->reads++;
	c->sectors += count;
	return c->lower->read(c->lower, sector, count, buf);
}

static int cnt_write(struct blockdev *bd, uint64_t sector, uint32_t count, const void *buf)
{
	struct count_dev *c = bd->priv;

	c->writes++;
	c->wsectors += count;
	return c->lower->write(c->lower, sector, count, buf);
}

static int cnt_flush(struct blockdev *bd)
{
	struct count_dev *c = bd->priv;

	return c->lower->flush(c->lower);
}

static struct blockdev_file cbf;
static struct count_dev cdev;

static int mount_counted(struct vfs **fs)
{
	int err = blockdev_file_open(&cbf, cur_img, 0);

	if (err)
		return err;
	cdev.lower = &cbf.bd;
	cdev.bd.nsectors = cbf.bd.nsectors;
	cdev.bd.read = cnt_read;
	cdev.bd.write = cnt_write;
	cdev.bd.flush = cnt_flush;
	cdev.bd.priv = &cdev;
	err = vfs_mount(fs, &cdev.bd, 0);
	if (err)
		blockdev_file_close(&cbf);
	cur_fs = err ? NULL : *fs;
	return err;
}

static int umount_counted(struct vfs *fs)
{
	int err = vfs_unmount(fs);

	blockdev_file_close(&cbf);
	cur_fs = NULL;
	return err;
}

static uint8_t pat(uint64_t i, unsigned seed)
{
	return (uint8_t)(i * 31 + (i >> 9) * 7 + seed);
}

/* Reads [off, off+len) of ino and compares with want; 0 when equal. */
static int read_eq(struct vfs *fs, uint64_t ino, uint64_t off, size_t len, const uint8_t *want)
{
	static uint8_t got[256 * 1024];
	long n = vfs_read(fs, ino, off, got, len);

	return n == (long)len && memcmp(got, want, len) == 0 ? 0 : -1;
}

/* The same through vfs_read_ref: the pieces put together. */
static int read_ref_eq(struct vfs *fs, uint64_t ino, uint64_t off, size_t len, const uint8_t *want)
{
	struct vfs_seg seg[80];
	unsigned ns;
	size_t pos = 0;
	long n = vfs_read_ref(fs, ino, off, len, seg, 80, &ns);

	if (n < 0)
		return -1;
	for (unsigned i = 0; i < ns; i++) {
		if (pos + seg[i].len > (size_t)n)
			return -1;
		for (uint32_t j = 0; j < seg[i].len; j++)
			if ((seg[i].p ? ((const uint8_t *)seg[i].p)[j] : 0) != want[pos + j])
				return -1;
		pos += seg[i].len;
	}
	if (pos != (size_t)n)
		return -1;
	/* what did not fit: the caller copies it */
	if ((size_t)n < len && read_eq(fs, ino, off + (size_t)n, len - (size_t)n, want + n))
		return -1;
	return 0;
}

void t_pcache(void)
{
	enum { SZ = 512 * 1024 };
	static uint8_t want[SZ], buf[SZ];
	struct vfs_pcache_stats s0, s1;
	struct vfs_attr a;
	struct vfs *fs;
	uint64_t ino, ino2;
	long r0;

	CHECK(make_image(variant_opts, "32M") == 0, "mke2fs");
	OK(mount_img(&fs));
	for (size_t i = 0; i < SZ; i++)
		want[i] = pat(i, 1);
	OK(vfs_mknod(fs, 2, NAME("f"), S_IFREG | 0644, 0, 0, 0, &a));
	ino = a.ino;
	CHECK(vfs_write(fs, ino, 0, want, SZ) == SZ, "write");
	OK(umount_img(fs));

	/* sequential 4 KiB reads: read-ahead makes fewer, larger device reads */
	OK(mount_counted(&fs));
	vfs_pcache_get_stats(&s0);
	r0 = cdev.reads;
	for (size_t off = 0; off < SZ; off += 4096)
		CHECK(read_eq(fs, ino, off, 4096, want + off) == 0, "sequential read at %zu", off);
	vfs_pcache_get_stats(&s1);
	CHECK(cdev.reads - r0 <= SZ / 4096 / 4, "sequential: %ld device reads for %d reads of 4 KiB",
	      cdev.reads - r0, SZ / 4096);
	CHECK(s1.readahead > s0.readahead && s1.fills - s0.fills <= SZ / 4096 / 4,
	      "read-ahead %llu blocks in %llu fills", (unsigned long long)(s1.readahead - s0.readahead),
	      (unsigned long long)(s1.fills - s0.fills));

	/* hits: reading it all again, any way, reads nothing from the device */
	r0 = cdev.reads;
	for (size_t off = 0; off < SZ; off += 3000)
		CHECK(read_eq(fs, ino, off, off + 3000 > SZ ? SZ - off : 3000, want + off) == 0, "re-read %zu", off);
	CHECK(read_ref_eq(fs, ino, 1000, 200000, want + 1000) == 0, "by reference");
	vfs_pcache_unpin_all();
	CHECK(cdev.reads == r0, "re-read: %ld device reads", cdev.reads - r0);
	vfs_pcache_get_stats(&s0);
	CHECK(s0.hits > s1.hits, "hits counted");

	/* write-through: a cached block takes the new bytes (no read to see them) */
	memset(want + 5000, 0xa5, 3000);
	CHECK(vfs_write(fs, ino, 5000, want + 5000, 3000) == 3000, "write");
	r0 = cdev.reads;
	CHECK(read_eq(fs, ino, 0, 16384, want) == 0, "after write");
	CHECK(cdev.reads == r0, "write updated the cache");

	/* truncate down into a block, then up: the tail reads zeros */
	{
		struct vfs_setattr sa = { .valid = VFS_SET_SIZE, .size = 70000 };
		OK(vfs_setattr(fs, ino, &sa, &a));
		sa.size = 200000;
		OK(vfs_setattr(fs, ino, &sa, &a));
		memset(want + 70000, 0, 200000 - 70000);
		CHECK(read_eq(fs, ino, 60000, 140000, want + 60000) == 0, "after truncate");
		CHECK(read_ref_eq(fs, ino, 60000, 140000, want + 60000) == 0, "after truncate, by reference");
		vfs_pcache_unpin_all();
	}
	/* punch a hole and zero a range across cached blocks */
	for (size_t off = 0; off < 200000; off += 4096)
		CHECK(read_eq(fs, ino, off, off + 4096 > 200000 ? 200000 - off : 4096, want + off) == 0, "warm");
	OK(vfs_fallocate(fs, ino, 0x03, 10000, 30000));
	memset(want + 10000, 0, 30000);
	CHECK(read_eq(fs, ino, 0, 65536, want) == 0, "after punch");
	OK(vfs_fallocate(fs, ino, 0x10, 45000, 9000));
	memset(want + 45000, 0, 9000);
	CHECK(read_eq(fs, ino, 0, 65536, want) == 0, "after zero range");
	/* preallocation past EOF, then data into it */
	OK(vfs_fallocate(fs, ino, 0x01, 200000, 50000));
	CHECK(read_eq(fs, ino, 0, 200000, want) == 0, "after keep-size preallocation");
	memset(want + 200000, 0x3c, 20000);
	CHECK(vfs_write(fs, ino, 200000, want + 200000, 20000) == 20000, "write into preallocation");
	CHECK(read_eq(fs, ino, 190000, 30000, want + 190000) == 0, "after write into preallocation");

	/* freed inode: a new file with its number sees none of the old data */
	OK(vfs_unlink(fs, 2, NAME("f")));
	OK(vfs_evict(fs, ino));
	idle_all(fs);		/* the queued eviction runs: the number is free */
	OK(vfs_mknod(fs, 2, NAME("g"), S_IFREG | 0644, 0, 0, 0, &a));
	ino2 = a.ino;
	memset(buf, 0x77, 100);
	CHECK(vfs_write(fs, ino2, 9000, buf, 100) == 100, "write g");
	memset(want, 0, 9000);
	memset(want + 9000, 0x77, 100);
	CHECK(read_eq(fs, ino2, 0, 9100, want) == 0, "new inode %llu (old %llu)", (unsigned long long)ino2,
	      (unsigned long long)ino);
	OK(umount_counted(fs));

	/* unmount drops everything: bytes changed on the device while
	 * unmounted are read again */
	{
		char out[4096];
		uint64_t pblk;
		struct blockdev_file bf;
		uint8_t blk[4096];
		uint32_t bs;

		OK(mount_img(&fs));
		CHECK(read_eq(fs, ino2, 0, 9100, want) == 0, "warm g");
		OK(umount_img(fs));
		CHECK(debugfs_out("stats", out, sizeof(out)) > 0 && strstr(out, "Block size:"), "debugfs stats");
		CHECK(sscanf(strstr(out, "Block size:") + 11, "%u", &bs) == 1, "block size");
		snprintf(out, sizeof(out), "bmap /g %u", 9000 / bs);
		CHECK(debugfs_out(out, out, sizeof(out)) > 0, "bmap");
		pblk = strtoull(out, NULL, 10);
		CHECK(pblk != 0, "bmap %s", out);
		OK(blockdev_file_open(&bf, cur_img, 0));
		memset(blk, 0x11, bs);
		OK(bf.bd.write(&bf.bd, pblk * (bs / 512), bs / 512, blk));
		blockdev_file_close(&bf);
		for (uint32_t i = (9000 / bs) * bs; i < (9000 / bs + 1) * bs && i < 9100; i++)
			want[i] = 0x11;
		OK(mount_img(&fs));
		CHECK(read_eq(fs, ino2, 0, 9100, want) == 0, "after remount");
		OK(umount_img(fs));
	}
	CHECK(fsck_clean(), "e2fsck");
}

static uint8_t big_arena[4u << 20] __attribute__((aligned(4096)));

/* Random steps against a byte model with a cache of 12 frames. */
void t_pcache_model(void)
{
	enum { MAXSZ = 600 * 1024, NF = 2, FRAMES = 12 };
	static uint8_t arena[(FRAMES + 1) * 4096 + 4096] __attribute__((aligned(4096)));
	static uint8_t models[NF][MAXSZ], wbuf[70000];
	uint64_t msize[NF] = { 0, 0 }, ino[NF];
	struct vfs_pcache_stats st;
	struct vfs_attr a;
	struct vfs *fs;
	int reads = 0;

	CHECK(make_image(variant_opts, "32M") == 0, "mke2fs");
	vfs_pcache_setup(arena, sizeof(arena));
	vfs_pcache_get_stats(&st);
	CHECK(st.frames >= 4 && st.frames <= FRAMES + 1, "%llu frames", (unsigned long long)st.frames);
	OK(mount_img(&fs));
	for (int k = 0; k < NF; k++) {
		char name[16];
		snprintf(name, sizeof(name), "m%d", k);
		OK(vfs_mknod(fs, 2, name, strlen(name), S_IFREG | 0644, 0, 0, 0, &a));
		ino[k] = a.ino;
		memset(models[k], 0, MAXSZ);
	}
	rnd_state = 4242;
	for (int step = 0; step < 1200 && !cur_failed; step++) {
		int k = (int)(rnd() % NF), op = (int)(rnd() % 100);
		uint64_t off = rnd() % (MAXSZ - 70000);
		size_t len = 1 + rnd() % (rnd() % 4 ? 9000 : 65536);

		if (op < 40) {	/* reads: sequential runs or random, copied or by reference */
			int ref = rnd() % 2, seq = rnd() % 3 == 0;
			size_t want = off >= msize[k] ? 0 : (off + len > msize[k] ? msize[k] - off : len);

			for (int rep = 0; rep < (seq ? 6 : 1); rep++) {
				want = off >= msize[k] ? 0 : (off + len > msize[k] ? msize[k] - off : len);
				if (ref)
					CHECK(read_ref_eq(fs, ino[k], off, want, models[k] + off) == 0,
					      "step %d ref read %llu+%zu", step, (unsigned long long)off, want);
				else
					CHECK(read_eq(fs, ino[k], off, want, models[k] + off) == 0,
					      "step %d read %llu+%zu", step, (unsigned long long)off, want);
				reads++;
				off += len;
				if (off >= MAXSZ - 70000)
					break;
			}
			if (rnd() % 3)
				vfs_pcache_unpin_all();	/* else pins pile up, as if a reply were out */
		} else if (op < 62) {
			for (size_t j = 0; j < len; j++)
				wbuf[j] = (uint8_t)(rnd() >> 5);
			CHECK(vfs_write(fs, ino[k], off, wbuf, len) == (long)len, "step %d write", step);
			memcpy(models[k] + off, wbuf, len);
			if (off + len > msize[k])
				msize[k] = off + len;
		} else if (op < 70) {
			struct vfs_setattr sa = { .valid = VFS_SET_SIZE, .size = off };
			OK(vfs_setattr(fs, ino[k], &sa, &a));
			if (off < msize[k])
				memset(models[k] + off, 0, msize[k] - off);
			msize[k] = off;
		} else if (op < 77) {
			OK(vfs_fallocate(fs, ino[k], 0x03, off, len));
			if (off < msize[k])
				memset(models[k] + off, 0, (off + len > msize[k] ? msize[k] : off + len) - off);
		} else if (op < 83) {
			OK(vfs_fallocate(fs, ino[k], 0x10, off, len));
			if (off < msize[k])
				memset(models[k] + off, 0, (off + len > msize[k] ? msize[k] : off + len) - off);
			if (off + len > msize[k])
				msize[k] = off + len;
		} else if (op < 88) {
			OK(vfs_fallocate(fs, ino[k], rnd() % 2 ? 0x01 : 0, off, len));
			OK(vfs_getattr(fs, ino[k], &a));
			msize[k] = a.size;
		} else if (op < 94) {
			/* a DAX window page going back to the cache, or taking it */
			uint64_t p = off & ~4095ull;
			if (rnd() % 2)
				vfs_pcache_put(fs, ino[k], p, models[k] + p, 8192);
			else
				vfs_pcache_drop(fs, ino[k], p, len);
		} else if (op < 97) {
			OK(vfs_sync(fs));
		} else {
			OK(umount_img(fs));
			OK(mount_img(&fs));
		}
	}
	vfs_pcache_get_stats(&st);
	OK(umount_img(fs));
	vfs_pcache_setup(big_arena, sizeof(big_arena));	/* the other cases' size again */
	CHECK(st.evictions > 100 && st.hits > 100 && st.readahead > 0,
	      "%d reads: %llu hits, %llu evictions, %llu read ahead", reads, (unsigned long long)st.hits,
	      (unsigned long long)st.evictions, (unsigned long long)st.readahead);
	CHECK(fsck_clean(), "e2fsck");
}

/* A device that can fail a write or drop every write after a point. */
static struct blockdev_file fbf;
static struct blockdev_fault fdev;

static int mount_fault(struct vfs **fs)
{
	int err = blockdev_file_open(&fbf, cur_img, 0);

	if (err)
		return err;
	blockdev_fault_init(&fdev, &fbf.bd, 0, 0);
	err = vfs_mount(fs, &fdev.bd, 0);
	if (err)
		blockdev_file_close(&fbf);
	cur_fs = err ? NULL : *fs;
	return err;
}

static void umount_fault(struct vfs *fs)
{
	vfs_unmount(fs);
	blockdev_file_close(&fbf);
	cur_fs = NULL;
}

/*
 * Writes stay in the cache until a commit, then go out in few commands;
 * what fsync returned for survives a power cut right after it; reads that
 * go to the device behind dirty frames (a big read, truncate and punch of a
 * partial block, the DAX window taking frames) see the dirty bytes.
 */
void t_pcache_writeback(void)
{
	enum { SZ = 256 * 1024 };
	static uint8_t want[SZ], buf[SZ];
	struct vfs_pcache_stats s0, s1;
	struct vfs_attr a;
	struct vfs *fs;
	uint64_t ino;
	long w0, c0;
	int bs;

	CHECK(make_image(variant_opts, "32M") == 0, "mke2fs");
	OK(mount_counted(&fs));
	OK(vfs_mknod(fs, 2, NAME("wb"), S_IFREG | 0644, 0, 0, 0, &a));
	ino = a.ino;
	OK(vfs_sync(fs));
	for (size_t i = 0; i < SZ; i++)
		want[i] = pat(i, 7);
	vfs_pcache_get_stats(&s0);
	w0 = cdev.writes;
	for (size_t off = 0; off < SZ; off += 4096)
		CHECK(vfs_write(fs, ino, off, want + off, 4096) == 4096, "write at %zu", off);
	CHECK(cdev.writes == w0, "%ld device writes for 64 cached WRITEs", cdev.writes - w0);
	CHECK(read_eq(fs, ino, 0, SZ, want) == 0, "dirty bytes read back");
	w0 = cdev.writes;
	OK(vfs_fsync(fs, ino, 0));
	vfs_pcache_get_stats(&s1);
	bs = (int)(SZ / (s1.written - s0.written));
	CHECK(s1.written - s0.written == SZ / (uint64_t)bs && (bs == 1024 || bs == 2048 || bs == 4096),
	      "%llu blocks written back", (unsigned long long)(s1.written - s0.written));
	/* the frames were handed out in order: one command, two at most */
	CHECK(s1.wb_writes - s0.wb_writes <= 2, "%llu write-back commands",
	      (unsigned long long)(s1.wb_writes - s0.wb_writes));
	CHECK(s1.dirty == 0, "%llu dirty after fsync", (unsigned long long)s1.dirty);
	fprintf(stderr, "  64 WRITEs of 4 KiB: %llu blocks written back in %llu commands, %ld device writes at fsync\n",
		(unsigned long long)(s1.written - s0.written), (unsigned long long)(s1.wb_writes - s0.wb_writes),
		cdev.writes - w0);

	/* a big read that starts on an uncached block and runs over dirty
	 * ones, with nothing else cached: the device must be up to date */
	OK(umount_counted(fs));
	OK(mount_counted(&fs));
	for (size_t i = 40000; i < 52000; i++)
		want[i] = (uint8_t)(want[i] ^ 0x5a);
	CHECK(vfs_write(fs, ino, 40000, want + 40000, 12000) == 12000, "overwrite");
	CHECK(read_eq(fs, ino, 0, SZ, want) == 0, "big read over dirty blocks");
	/* truncate into a dirty block, then up again: the tail is zeros, the
	 * head the dirty bytes */
	for (size_t i = 70000; i < 90000; i++)
		want[i] = (uint8_t)(want[i] ^ 0xa5);
	CHECK(vfs_write(fs, ino, 70000, want + 70000, 20000) == 20000, "overwrite 2");
	{
		struct vfs_setattr sa = { .valid = VFS_SET_SIZE, .size = 80001 };
		OK(vfs_setattr(fs, ino, &sa, &a));
		sa.size = SZ;
		memset(want + 80001, 0, SZ - 80001);
		OK(vfs_setattr(fs, ino, &sa, &a));
	}
	CHECK(read_eq(fs, ino, 0, SZ, want) == 0, "truncate through a dirty block");
	/* punch a hole whose ends cut dirty blocks */
	for (size_t i = 20000; i < 36000; i++)
		want[i] = (uint8_t)(i * 13);
	CHECK(vfs_write(fs, ino, 20000, want + 20000, 16000) == 16000, "overwrite 3");
	OK(vfs_fallocate(fs, ino, 0x03, 21001, 13000));
	memset(want + 21001, 0, 13000);
	CHECK(read_eq(fs, ino, 0, SZ, want) == 0, "punch through dirty blocks");
	/* the DAX window takes dirty blocks: they reach the device first */
	for (size_t i = 100000; i < 110000; i++)
		want[i] = (uint8_t)(i * 3);
	CHECK(vfs_write(fs, ino, 100000, want + 100000, 10000) == 10000, "overwrite 4");
	vfs_pcache_drop(fs, ino, 98304, 16384);
	c0 = cdev.reads;
	CHECK(read_eq(fs, ino, 98304, 16384, want + 98304) == 0, "window's blocks after the drop");
	CHECK(cdev.reads > c0, "the drop left them cached");
	CHECK(vfs_flush(fs, ino) == 0, "flush");
	OK(vfs_fsync(fs, ino, 1));

	/* dirty bytes, fsync, then the power goes: they are on the disk */
	OK(umount_counted(fs));
	OK(mount_fault(&fs));
	for (size_t i = 150000; i < 170000; i++)
		want[i] = (uint8_t)(i * 5 + 1);
	CHECK(vfs_write(fs, ino, 150000, want + 150000, 20000) == 20000, "overwrite 5");
	{
		uint8_t one = 0x77;	/* an append: a new block mapped, ordered mode */
		CHECK(vfs_write(fs, ino, SZ, &one, 1) == 1, "append");
		OK(vfs_fsync(fs, ino, 0));
		fdev.cut_after = fdev.writes;	/* nothing more lands */
		CHECK(vfs_write(fs, ino, 0, &one, 1) == 1, "write after the fsync");
		umount_fault(fs);
		OK(mount_img(&fs));
		CHECK(read_eq(fs, ino, 0, SZ, want) == 0, "fsync'd bytes after the cut");
		CHECK(vfs_read(fs, ino, SZ, buf, 16) == 1 && buf[0] == 0x77, "fsync'd append after the cut");
	}
	OK(umount_img(fs));
	{
		static uint8_t all[SZ + 1];
		memcpy(all, want, SZ);
		all[SZ] = 0x77;
		CHECK(dump_cmp("/wb", all, SZ + 1), "the image holds the bytes");
	}
	CHECK(fsck_clean(), "e2fsck");
}

/*
 * A cache of 8 frames, all of them dirty or pinned over and over: writes of
 * 25 times its size, partial and whole blocks, in order and at random, all
 * answered; every byte checked while mounted and on the image.
 */
void t_pcache_full(void)
{
	enum { SZ = 200 * 1024, FRAMES = 8 };
	static uint8_t arena[(FRAMES + 1) * 4096 + 4096] __attribute__((aligned(4096)));
	static uint8_t want[SZ], chunk[9000];
	struct vfs_pcache_stats st;
	struct vfs_seg seg[8];
	struct vfs_attr a;
	struct vfs *fs;
	uint64_t ino, ino2;
	unsigned ns;

	CHECK(make_image(variant_opts, "32M") == 0, "mke2fs");
	vfs_pcache_setup(arena, sizeof(arena));
	OK(mount_img(&fs));
	OK(vfs_mknod(fs, 2, NAME("full"), S_IFREG | 0644, 0, 0, 0, &a));
	ino = a.ino;
	OK(vfs_mknod(fs, 2, NAME("other"), S_IFREG | 0644, 0, 0, 0, &a));
	ino2 = a.ino;
	rnd_state = 99;
	for (size_t off = 0; off < SZ; off += 3000) {	/* in order, unaligned */
		size_t n = SZ - off < 3000 ? SZ - off : 3000;
		for (size_t i = 0; i < n; i++)
			want[off + i] = pat(off + i, 3);
		CHECK(vfs_write(fs, ino, off, want + off, n) == (long)n, "write at %zu", off);
	}
	CHECK(read_eq(fs, ino, 0, SZ, want) == 0, "in-order writes");
	for (int k = 0; k < 400; k++) {	/* at random, with pins held */
		size_t len = 1 + rnd() % sizeof(chunk), off = rnd() % (SZ - len);

		for (size_t i = 0; i < len; i++)
			chunk[i] = (uint8_t)(rnd() >> 8);
		if (k % 50 == 7) {	/* pin every frame a read can */
			long r = vfs_read_ref(fs, ino, 0, SZ, seg, 8, &ns);
			CHECK(r >= 0, "read by reference");
		}
		if (k % 50 == 30)
			vfs_pcache_unpin_all();
		CHECK(vfs_write(fs, ino, off, chunk, len) == (long)len, "random write %d", k);
		memcpy(want + off, chunk, len);
		CHECK(vfs_write(fs, ino2, off, chunk, len) == (long)len, "other file %d", k);
		if (k % 97 == 0)
			CHECK(read_eq(fs, ino, 0, SZ, want) == 0, "bytes after %d writes", k);
	}
	vfs_pcache_unpin_all();
	CHECK(read_eq(fs, ino, 0, SZ, want) == 0, "every byte");
	vfs_pcache_get_stats(&st);
	fprintf(stderr, "  %llu frames: %llu blocks dirtied, %llu written back in %llu commands, %llu forced\n",
		(unsigned long long)st.frames, (unsigned long long)st.dirtied, (unsigned long long)st.written,
		(unsigned long long)st.wb_writes, (unsigned long long)st.wb_reclaims);
	CHECK(st.wb_reclaims > 50 && st.written > 100, "the full cache wrote back");
	OK(umount_img(fs));
	vfs_pcache_setup(big_arena, sizeof(big_arena));
	CHECK(dump_cmp("/full", want, SZ), "the image holds every byte");
	CHECK(fsck_clean(), "e2fsck");
}

/*
 * The device fails a write-back: the fsync that needed it says EIO, so does
 * FLUSH, nothing more is written, and the image keeps the last commit (the
 * failure at a commit and the failure making room for a writer).
 */
void t_pcache_wb_error(void)
{
	enum { SZ = 64 * 1024, FRAMES = 8 };
	static uint8_t arena[(FRAMES + 1) * 4096 + 4096] __attribute__((aligned(4096)));
	static uint8_t first[SZ], second[SZ];
	struct vfs_attr a;
	struct vfs *fs;
	uint64_t ino;

	CHECK(make_image(variant_opts, "32M") == 0, "mke2fs");
	for (size_t i = 0; i < SZ; i++) {
		first[i] = pat(i, 11);
		second[i] = pat(i, 12);
	}
	for (int room = 0; room < 2; room++) {
		char name[16];
		long wr, before;

		snprintf(name, sizeof(name), "e%d", room);
		if (room)
			vfs_pcache_setup(arena, sizeof(arena));
		OK(mount_fault(&fs));
		OK(vfs_mknod(fs, 2, name, strlen(name), S_IFREG | 0644, 0, 0, 0, &a));
		ino = a.ino;
		CHECK(vfs_write(fs, ino, 0, first, SZ) == SZ, "first");
		OK(vfs_fsync(fs, ino, 0));
		CHECK(vfs_flush(fs, ino) == 0, "flush before the error");
		before = fdev.writes;
		fdev.fail_write = fdev.writes + 1;	/* the next write fails */
		for (size_t off = 0; off < SZ; off += 4096) {
			wr = vfs_write(fs, ino, off, second + off, 4096);
			/* a writer making room may meet the failure itself */
			CHECK(wr == 4096 || (room && wr < 0), "second at %zu: %ld", off, wr);
			if (wr < 0)
				break;
		}
		CHECK(room || fdev.writes == before, "WRITEs stayed in the cache");
		CHECK(vfs_fsync(fs, ino, 0) == -EIO, "fsync after a failed write-back");
		CHECK(vfs_flush(fs, ino) == -EIO, "flush after a failed write-back");
		CHECK(vfs_write(fs, ino, 0, second, 10) < 0, "write on the broken mount");
		before = fdev.writes;
		umount_fault(fs);
		CHECK(fdev.writes == before, "unmount of a broken mount wrote");
		OK(mount_img(&fs));
		CHECK(read_eq(fs, ino, 0, SZ, first) == 0, "the last commit's bytes");
		OK(umount_img(fs));
		CHECK(fsck_clean(), "e2fsck");
	}
	vfs_pcache_setup(big_arena, sizeof(big_arena));
}
