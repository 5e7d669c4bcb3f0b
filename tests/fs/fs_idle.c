/* Filesystem tests of the idle work (vfs_idle): the deferred eviction of
 * an unlinked inode (vfs_evict only queues it; idle steps free it, a few
 * extents at a time), space and inodes it holds given back when an
 * allocation runs short, DESTROY (vfs_checkpoint) and unmount finishing
 * the queue, and power cuts while evictions are queued or half done. */
#define _GNU_SOURCE
#include "cases.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PIECES 64		/* 4 KiB pieces 16 KiB apart: 64 extents */
#define PIECE 4096u
#define STRIDE (16u * 1024)

/* A file of PIECES separate extents (1 MiB long): its inode in *ino. */
static int sparse_file(struct vfs *fs, const char *name, uint8_t seed, uint64_t *ino)
{
	static uint8_t buf[PIECE];
	struct vfs_attr a;
	int err = vfs_mknod(fs, 2, name, strlen(name), S_IFREG | 0644, 0, 0, 0, &a);

	if (err)
		return err;
	*ino = a.ino;
	for (uint32_t k = 0; k < PIECES; k++) {
		memset(buf, seed + k, sizeof(buf));
		if (vfs_write(fs, a.ino, (uint64_t)k * STRIDE, buf, PIECE) != PIECE)
			return -EIO;
	}
	return 0;
}

/* debugfs's "testi": 1 when the inode is marked in use on the image. */
static int inode_in_use(uint64_t ino)
{
	char req[64], out[512];

	snprintf(req, sizeof(req), "testi <%llu>", (unsigned long long)ino);
	debugfs_out(req, out, sizeof(out));
	return has(out, "marked in use");
}

/* The superblock's free block count on the image ("Free blocks:"). */
static long long image_free_blocks(void)
{
	static char out[16384];
	const char *p;

	debugfs_out("stats", out, sizeof(out));
	p = strstr(out, "Free blocks:");
	return p ? atoll(p + strlen("Free blocks:")) : -1;
}

/*
 * The eviction of a big unlinked file is queued, not done: the inode is
 * still allocated after vfs_evict; statfs counts its blocks as free from
 * then on and all along the steps; each step frees a bounded part (at
 * least PIECES / 4 steps for PIECES extents); once the queue is empty the
 * inode is gone, and after unmount e2fsck agrees with statfs.
 */
void t_evict_idle(void)
{
	struct vfs *fs;
	struct vfs_statfs s0, s;
	struct vfs_attr a;
	uint64_t ino;
	int steps = 0;

	CHECK(make_image(variant_opts, "32M") == 0, "mke2fs");
	OK(mount_img(&fs));
	OK(vfs_statfs(fs, &s0));
	OK(sparse_file(fs, "big", 1, &ino));
	OK(vfs_sync(fs));
	OK(vfs_statfs(fs, &s));
	CHECK(s.bfree + PIECES * (PIECE / s.bsize) <= s0.bfree, "the file takes its blocks: %llu of %llu free",
	      (unsigned long long)s.bfree, (unsigned long long)s0.bfree);
	OK(vfs_unlink(fs, 2, NAME("big")));
	OK(vfs_evict(fs, ino));
	OK(vfs_getattr(fs, ino, &a));
	CHECK(a.nlink == 0 && a.blocks > 0, "queued, not freed: nlink %u, %llu sectors", a.nlink,
	      (unsigned long long)a.blocks);
	OK(vfs_statfs(fs, &s));
	CHECK(s.bfree == s0.bfree && s.ffree == s0.ffree, "statfs counts the queued inode free: %llu/%llu blocks, "
	      "%llu/%llu inodes", (unsigned long long)s.bfree, (unsigned long long)s0.bfree,
	      (unsigned long long)s.ffree, (unsigned long long)s0.ffree);
	OK(vfs_evict(fs, ino));	/* a second last reference changes nothing */
	while (vfs_idle(fs) > 0) {
		steps++;
		CHECK(steps < 10000, "idle work never ends");
		OK(vfs_statfs(fs, &s));
		CHECK(s.bfree == s0.bfree && s.ffree == s0.ffree, "statfs after step %d: %llu/%llu blocks",
		      steps, (unsigned long long)s.bfree, (unsigned long long)s0.bfree);
		if (steps == 1)
			CHECK(vfs_getattr(fs, ino, &a) == 0, "one step freed the whole inode");
	}
	/* vfs.h: a step drops at most 64 page-cache blocks or frees 4 extents */
	CHECK(steps >= (int)((PIECES * STRIDE / s0.bsize + 63) / 64 + PIECES / 4),
	      "%d steps for %d extents over %u blocks: a step is not bounded", steps, PIECES,
	      PIECES * STRIDE / s0.bsize);
	CHECK(vfs_getattr(fs, ino, &a) == -ESTALE, "freed once the idle work is done");
	CHECK(vfs_idle(fs) == 0, "nothing left");
	OK(vfs_statfs(fs, &s));
	OK(umount_img(fs));
	CHECK(fsck_clean(), "fsck");
	CHECK(image_free_blocks() == (long long)s.bfree, "statfs %llu free, e2fsck/debugfs %lld",
	      (unsigned long long)s.bfree, image_free_blocks());
	CHECK(!inode_in_use(ino), "inode %llu free on the image", (unsigned long long)ino);
	fprintf(stderr, "  %d idle steps freed %d extents of 1 MiB\n", steps, PIECES);
}

/* Writes name until the filesystem is full; the bytes in *total. */
static int fill(struct vfs *fs, const char *name, uint64_t *ino, long *total)
{
	static char buf[65536];
	struct vfs_attr a;
	int err = vfs_mknod(fs, 2, name, strlen(name), S_IFREG | 0644, 0, 0, 0, &a);

	*total = 0;
	if (err)
		return err;
	*ino = a.ino;
	memset(buf, 'F', sizeof(buf));
	for (;;) {
		long w = vfs_write(fs, a.ino, (uint64_t)*total, buf, sizeof(buf));

		if (w < 0)
			return w == -ENOSPC ? 0 : (int)w;
		*total += w;
		if (w < (long)sizeof(buf))
			return 0;
	}
}

/* A file of n blocks: its inode in *ino. */
static int file_of(struct vfs *fs, const char *name, uint32_t n, uint32_t bs, uint64_t *ino)
{
	static char buf[4096];
	struct vfs_attr a;
	int err = vfs_mknod(fs, 2, name, strlen(name), S_IFREG | 0644, 0, 0, 0, &a);

	if (err)
		return err;
	*ino = a.ino;
	memset(buf, 'P', sizeof(buf));
	for (uint32_t k = 0; k < n; k++)
		if (vfs_write(fs, a.ino, (uint64_t)k * bs, buf, bs) != (long)bs)
			return -EIO;
	return 0;
}

/* The file is deleted and its eviction done and committed: its space free. */
static int delete_now(struct vfs *fs, const char *name, uint64_t ino)
{
	int err = vfs_unlink(fs, 2, name, strlen(name));

	if (!err)
		err = vfs_evict(fs, ino);
	idle_all(fs);
	return err ? err : vfs_sync(fs);
}

/*
 * Space and inodes held by queued evictions are never reported missing. A
 * write and a preallocation that need more than is free (with enough free
 * that the low-space rule at the start of an operation does not step in:
 * a pad file deleted first) finish the evictions and commit, then go on,
 * instead of answering ENOSPC; a create with every inode taken but one
 * queued gets it.
 */
void t_evict_enospc(void)
{
	struct vfs *fs;
	struct vfs_attr a;
	struct vfs_statfs st;
	uint64_t ino, ino2, pad1, pad2;
	long total, total2, slack;
	char opts[256], name[32];
	int n = 0, err;

	snprintf(opts, sizeof(opts), "%s -N 256", variant_opts);
	CHECK(make_image(opts, "8M") == 0, "mke2fs");
	OK(mount_img(&fs));
	OK(vfs_statfs(fs, &st));
	slack = 8L * (long)st.bsize;	/* extent-tree blocks may differ */
	OK(file_of(fs, "pad1", 300, st.bsize, &pad1));
	OK(file_of(fs, "pad2", 300, st.bsize, &pad2));
	OK(fill(fs, "a", &ino, &total));
	CHECK(total > 1024 * 1024, "filled %ld bytes", total);
	OK(vfs_sync(fs));
	OK(delete_now(fs, "pad1", pad1));
	OK(vfs_unlink(fs, 2, NAME("a")));
	OK(vfs_evict(fs, ino));
	OK(vfs_getattr(fs, ino, &a));	/* queued: it still holds its blocks */
	OK(fill(fs, "b", &ino2, &total2));
	CHECK(total2 + slack >= total, "the queued eviction's space: wrote %ld of %ld bytes", total2, total);
	err = vfs_getattr(fs, ino, &a);
	CHECK(err == -ESTALE, "evicted to make room: %d, nlink %u", err, a.nlink);
	OK(delete_now(fs, "pad2", pad2));
	OK(vfs_unlink(fs, 2, NAME("b")));
	OK(vfs_evict(fs, ino2));
	OK(vfs_mknod(fs, 2, NAME("c"), S_IFREG | 0644, 0, 0, 0, &a));
	OK(vfs_getattr(fs, ino2, &a));	/* still queued */
	OK(vfs_lookup(fs, 2, NAME("c"), &a));
	err = vfs_fallocate(fs, a.ino, 0, 0, (uint64_t)(total - slack));
	CHECK(err == 0, "preallocation of %ld bytes with a queued eviction: %d", total - slack, err);
	OK(vfs_unlink(fs, 2, NAME("c")));
	OK(vfs_evict(fs, a.ino));
	OK(vfs_sync(fs));
	idle_all(fs);
	/* inodes: every one taken, one queued for eviction, one more create */
	for (;;) {
		snprintf(name, sizeof(name), "e%d", n);
		err = vfs_mknod(fs, 2, name, strlen(name), S_IFREG | 0644, 0, 0, 0, &a);
		if (err)
			break;
		n++;
	}
	CHECK(err == -ENOSPC && n > 10, "inodes: %d created, then %d", n, err);
	OK(vfs_lookup(fs, 2, NAME("e1"), &a));
	OK(vfs_unlink(fs, 2, NAME("e1")));
	OK(vfs_evict(fs, a.ino));
	err = vfs_mknod(fs, 2, NAME("last"), S_IFREG | 0644, 0, 0, 0, &a);
	CHECK(err == 0, "a create with an inode queued for eviction: %d", err);
	OK(umount_img(fs));
	CHECK(fsck_clean(), "fsck");
}

/*
 * DESTROY and a device reset call vfs_checkpoint: every queued eviction
 * is finished before it, so the image, as read by a tool that does not
 * replay the journal, has the inodes freed; unmount does the same.
 */
void t_evict_checkpoint(void)
{
	struct vfs *fs;
	uint64_t ino, ino2;

	CHECK(make_image(variant_opts, "32M") == 0, "mke2fs");
	OK(mount_img(&fs));
	OK(sparse_file(fs, "one", 3, &ino));
	OK(sparse_file(fs, "two", 4, &ino2));
	OK(vfs_checkpoint(fs));
	CHECK(inode_in_use(ino) && inode_in_use(ino2), "both files on the image");
	OK(vfs_unlink(fs, 2, NAME("one")));
	OK(vfs_evict(fs, ino));
	OK(vfs_checkpoint(fs));
	CHECK(!inode_in_use(ino), "DESTROY finished the queued eviction");
	CHECK(fsck_clean(), "fsck after the checkpoint, still mounted");
	OK(vfs_unlink(fs, 2, NAME("two")));
	OK(vfs_evict(fs, ino2));
	CHECK(vfs_idle(fs) > 0, "work queued");
	OK(umount_img(fs));
	CHECK(!inode_in_use(ino2), "unmount finished the queued eviction");
	CHECK(fsck_clean(), "fsck");
}

static long mark_writes;	/* device writes before the unlinks */

/* The cut workload: "keep" fsync'd, a big file unlinked and queued, half
 * evicted by idle steps, an fsync that commits the half-done state, the
 * rest. */
static int cut_workload(struct vfs *fs, uint8_t *keep, size_t klen, int *keep_synced, struct blockdev_fault *f)
{
	struct vfs_attr a;
	uint64_t big, big2;
	int err = vfs_mknod(fs, 2, NAME("keep"), S_IFREG | 0644, 0, 0, 0, &a);

	if (!err && vfs_write(fs, a.ino, 0, keep, klen) != (long)klen)
		err = -EIO;
	if (!err)
		err = sparse_file(fs, "big", 5, &big);
	if (!err)
		err = sparse_file(fs, "big2", 6, &big2);
	if (!err)
		err = vfs_fsync(fs, a.ino, 0);
	if (err)
		return err;
	if (!f->cut)
		*keep_synced = 1;
	mark_writes = f->writes;
	if ((err = vfs_unlink(fs, 2, NAME("big"))) || (err = vfs_evict(fs, big)))
		return err;
	if ((err = vfs_unlink(fs, 2, NAME("big2"))) || (err = vfs_evict(fs, big2)))
		return err;
	for (int i = 0; i < 12 && vfs_idle(fs) > 0; i++)
		;
	if ((err = vfs_fsync(fs, a.ino, 0)))
		return err;
	while (vfs_idle(fs) > 0)
		;
	return vfs_sync(fs);
}

/*
 * Power cuts at 12 writes of that workload from the first fsync on (the
 * device drops every later write): our mount (replay, orphan list)
 * and e2fsck -p (its replay, its orphan processing) both leave a clean
 * image with "keep" intact and the big files gone.
 */
void t_evict_powercut(void)
{
	struct blockdev_file bf;
	struct blockdev_fault f;
	struct vfs *fs;
	struct vfs_attr a;
	static uint8_t keep[20000], got[20000];
	char saved[600], copy[600];
	long total, first;
	int synced = 0, cuts = 0, runs = 0, points = 12;

	for (size_t i = 0; i < sizeof(keep); i++)
		keep[i] = (uint8_t)(i * 13 + 1);
	CHECK(make_image(variant_opts, "32M") == 0, "mke2fs");
	snprintf(saved, sizeof(saved), "%s/pristine", workdir);
	snprintf(copy, sizeof(copy), "%s/by-e2fsck", workdir);
	CHECK(run("cp %s %s", cur_img, saved) == 0, "cp");
	OK(blockdev_file_open(&bf, cur_img, 0));
	blockdev_fault_init(&f, &bf.bd, 0, 0);
	OK(vfs_mount(&fs, &f.bd, 0));
	OK(cut_workload(fs, keep, sizeof(keep), &synced, &f));
	first = mark_writes;
	OK(vfs_unmount(fs));
	blockdev_file_close(&bf);
	total = f.writes;
	CHECK(fsck_clean(), "fsck dry run");
	CHECK(total > first, "writes after the unlinks");
	for (int p = 0; p < points; p++) {
		long cut = first + 1 + (total - first - 1) * p / (points - 1);

		synced = 0;
		CHECK(run("cp %s %s", saved, cur_img) == 0, "cp");
		OK(blockdev_file_open(&bf, cur_img, 0));
		blockdev_fault_init(&f, &bf.bd, 0, cut);
		OK(vfs_mount(&fs, &f.bd, 0));
		cut_workload(fs, keep, sizeof(keep), &synced, &f);
		vfs_unmount(fs);
		blockdev_file_close(&bf);
		runs++;
		cuts += f.cut;
		CHECK(run("cp %s %s && e2fsck -fp %s >/dev/null 2>&1; e2fsck -fn %s >/dev/null 2>&1",
			  cur_img, copy, copy, copy) == 0, "cut at write %ld of %ld: e2fsck -p then -fn not clean",
		      cut, total);
		OK(mount_img(&fs));
		if (synced) {
			CHECK(vfs_lookup(fs, 2, NAME("keep"), &a) == 0, "cut %ld: fsync'd keep missing", cut);
			CHECK(vfs_read(fs, a.ino, 0, got, sizeof(got)) == (long)sizeof(got) &&
			      !memcmp(got, keep, sizeof(keep)), "cut %ld: keep's bytes", cut);
		}
		OK(umount_img(fs));
		CHECK(fsck_clean(), "fsck after cut at write %ld of %ld", cut, total);
	}
	fprintf(stderr, "  evict_powercut: %d of %d cut points cut (writes %ld..%ld)\n", cuts, runs, first + 1, total);
	CHECK(cuts >= runs * 3 / 4, "only %d of %d cut points cut", cuts, runs);
}

static uint64_t idle_now = 1700000000;

static void idle_clock(uint64_t *sec, uint32_t *nsec)
{
	*sec = idle_now;
	*nsec = 0;
}

/*
 * The idle commit: a young, small transaction is left alone (no write-back,
 * no commit); once older than the commit interval, idle steps write the
 * dirty file data back, 32 frames a step (whole runs: every other 4 KiB of
 * a synced 512 KiB file rewritten, 64 runs), then commit: a power cut
 * right after (the image copied, still mounted) finds the new bytes.
 */
void t_idle_commit(void)
{
	static uint8_t buf[128 * PIECE], got[128 * PIECE];
	struct vfs *fs;
	struct vfs_attr a;
	struct vfs_pcache_stats st0, st;
	char cut[600];
	int steps;
	long frames;

	memset(buf, 0x11, sizeof(buf));
	CHECK(make_image(variant_opts, "32M") == 0, "mke2fs");
	idle_now = 1700000000;
	OK(mount_img_clock(&fs, idle_clock));
	OK(vfs_mknod(fs, 2, NAME("f"), S_IFREG | 0644, 0, 0, 0, &a));
	CHECK(vfs_write(fs, a.ino, 0, buf, sizeof(buf)) == (long)sizeof(buf), "write");
	OK(vfs_sync(fs));
	for (uint32_t k = 0; k < 128; k += 2) {
		memset(buf + k * PIECE, 0x22 + k, PIECE);
		CHECK(vfs_write(fs, a.ino, (uint64_t)k * PIECE, buf + k * PIECE, PIECE) == PIECE, "rewrite");
	}
	vfs_pcache_get_stats(&st0);
	frames = (long)st0.dirty;
	CHECK(frames >= 64, "%ld dirty frames", frames);
	CHECK(vfs_idle(fs) == 0, "a young small transaction: no idle work");
	vfs_pcache_get_stats(&st);
	CHECK(st.dirty == st0.dirty && st.wb_writes == st0.wb_writes, "nothing written back");
	idle_now += 6;
	steps = idle_all(fs);
	vfs_pcache_get_stats(&st);
	CHECK(st.dirty == 0, "%llu frames still dirty after the idle commit", (unsigned long long)st.dirty);
	CHECK(steps >= (int)(frames / 32) - 1, "%d steps wrote back %ld frames: not 32 a step", steps, frames);
	snprintf(cut, sizeof(cut), "%s/cut.img", workdir);
	CHECK(run("cp %s %s", cur_img, cut) == 0, "cp");
	OK(umount_img(fs));
	CHECK(run("cp %s %s", cut, cur_img) == 0, "cp back");
	OK(mount_img(&fs));	/* our replay of what the idle commit wrote */
	OK(vfs_lookup(fs, 2, NAME("f"), &a));
	CHECK(vfs_read(fs, a.ino, 0, got, sizeof(got)) == (long)sizeof(got) && !memcmp(got, buf, sizeof(buf)),
	      "the idle commit's bytes after a cut");
	OK(umount_img(fs));
	CHECK(fsck_clean(), "fsck");
	fprintf(stderr, "  idle commit: %d steps for %ld dirty frames\n", steps, frames);
}

#define BOUND_FILE (1u << 20)	/* each of the two files */
#define IDLE_STEP_BLOCKS 32	/* vfs.c IDLE_WB_STEP: blocks a step writes back or homes */

/* Piece k of file f (0: appended, 1: rewritten in place): its bytes. */
static void bound_piece(uint8_t *buf, int f, uint32_t k)
{
	for (uint32_t i = 0; i < PIECE; i += 4)
		memset(buf + i, (int)((f * 131 + k * 7 + i / 512) & 0xff), 4);
	buf[0] = (uint8_t)k;
	buf[1] = (uint8_t)(k >> 8);
	buf[2] = (uint8_t)f;
}

/* Reads piece k of file f back and compares: a request between idle steps. */
static int bound_check(struct vfs *fs, uint64_t ino, int f, uint32_t k)
{
	static uint8_t want[PIECE], got[PIECE];

	bound_piece(want, f, k);
	return vfs_read(fs, ino, (uint64_t)k * PIECE, got, PIECE) == PIECE && !memcmp(got, want, PIECE);
}

/* What the idle steps of one run did, step by step. */
struct idle_run {
	int steps, commits, cp_homes, cp_ends;
	long max_blocks, max_writes, max_flushes;	/* of the steps but the commit */
	long commit_blocks;				/* the largest commit step */
};

/*
 * vfs_idle until it has nothing left, each step's device traffic counted
 * through f: a step with the commit block (a FUA write) is the commit
 * itself, the one piece not split; every other step writes back or homes
 * IDLE_STEP_BLOCKS blocks at most, with 2 FLUSHes at most. check(k), when
 * given, runs between steps (requests interleaved with the idle work): 0
 * fails (cur_failed set, as by any failed CHECK).
 */
static void idle_run(struct vfs *fs, struct blockdev_fault *f, uint32_t bs, struct idle_run *ir,
		    int (*check)(struct vfs *fs, int k))
{
	for (;;) {
		long w = f->writes, s = f->sectors_written, fl = f->flushes, fua = f->fua_writes;
		int more = vfs_idle(fs);

		w = f->writes - w;
		s = (f->sectors_written - s) / (bs / 512);
		fl = f->flushes - fl;
		if (f->fua_writes > fua) {
			ir->commits++;
			ir->commit_blocks = s > ir->commit_blocks ? s : ir->commit_blocks;
		} else {
			ir->max_blocks = s > ir->max_blocks ? s : ir->max_blocks;
			ir->max_writes = w > ir->max_writes ? w : ir->max_writes;
			ir->max_flushes = fl > ir->max_flushes ? fl : ir->max_flushes;
			ir->cp_ends += fl == 2;		/* the checkpoint's last step */
			ir->cp_homes += fl == 0 && w > 0;	/* a checkpoint step homing blocks */
			CHECK(s <= IDLE_STEP_BLOCKS && w <= IDLE_STEP_BLOCKS && fl <= 2,
			      "idle step %d: %ld blocks in %ld writes, %ld FLUSHes", ir->steps, s, w, fl);
		}
		if (more <= 0)
			return;
		CHECK(++ir->steps < 20000, "idle work never ends");
		if (check)
			CHECK(check(fs, ir->steps), "request after idle step %d", ir->steps);
	}
}

static uint64_t bound_ino[2];

/* A READ of a piece of either file and a GETATTR between two idle steps. */
static int bound_between(struct vfs *fs, int k)
{
	struct vfs_attr a;
	uint32_t n = BOUND_FILE / PIECE;

	return bound_check(fs, bound_ino[k & 1], k & 1, (uint32_t)(k * 37) % n) &&
	       vfs_getattr(fs, bound_ino[0], &a) == 0 && a.size == BOUND_FILE;
}

/*
 * Every idle step is bounded. 1 MiB appended in 4 KiB WRITEs (delayed
 * allocation) and 1 MiB preallocated then rewritten 4 KiB at a time in a
 * scattered order (unwritten extents converted, one frame per block), the
 * transaction then old enough to commit: the idle steps give the delayed
 * blocks theirs, write the data back and commit, no step but the commit
 * writing more than IDLE_STEP_BLOCKS blocks (before, the delayed frames
 * kept the idle work from ever ending); a READ and a GETATTR between steps
 * see the written bytes; then nothing is dirty. Then directories created
 * one by one with the idle work between them, as the card runs it, until
 * an idle commit leaves a checkpoint to the idle steps: it homes the
 * buffers in several bounded steps, then flushes. The image as a power
 * cut would leave it (copied while mounted) replays to the same bytes and
 * is e2fsck clean.
 */
void t_idle_bounded(void)
{
	static uint8_t buf[PIECE];
	struct blockdev_file bf;
	struct blockdev_fault f;
	struct vfs *fs;
	struct vfs_attr a;
	struct vfs_statfs sf;
	struct vfs_pcache_stats st;
	struct idle_run data = { 0 }, meta = { 0 };
	uint32_t n = BOUND_FILE / PIECE;
	int dirs = 0;
	char cut[600], name[32];

	/* 64M: a journal of 4096 blocks (1 KiB, 2 KiB) or 1024 (4 KiB) that
	 * holds the largest transaction with room to spare, so the idle
	 * steps get the checkpoint (a smaller one checkpoints in the commit) */
	CHECK(make_image(variant_opts, "64M") == 0, "mke2fs");
	idle_now = 1700000000;
	vfs_set_clock(idle_clock);
	OK(blockdev_file_open(&bf, cur_img, 0));
	blockdev_fault_init(&f, &bf.bd, 0, 0);
	OK(vfs_mount(&fs, &f.bd, 0));
	OK(vfs_statfs(fs, &sf));
	OK(vfs_mknod(fs, 2, NAME("seq"), S_IFREG | 0644, 0, 0, 0, &a));
	bound_ino[0] = a.ino;
	OK(vfs_mknod(fs, 2, NAME("rnd"), S_IFREG | 0644, 0, 0, 0, &a));
	bound_ino[1] = a.ino;
	OK(vfs_fallocate(fs, bound_ino[1], 0, 0, BOUND_FILE));
	OK(vfs_sync(fs));
	for (uint32_t k = 0; k < n; k++) {
		uint32_t r = (k * 97) % n;	/* 97 is prime to n: every piece once */

		bound_piece(buf, 0, k);
		CHECK(vfs_write(fs, bound_ino[0], (uint64_t)k * PIECE, buf, PIECE) == PIECE, "append %u", k);
		bound_piece(buf, 1, r);
		CHECK(vfs_write(fs, bound_ino[1], (uint64_t)r * PIECE, buf, PIECE) == PIECE, "rewrite %u", r);
	}
	idle_now += 6;		/* the transaction is old enough: idle time commits it */
	idle_run(fs, &f, sf.bsize, &data, bound_between);
	if (cur_failed)
		return;
	vfs_pcache_get_stats(&st);
	CHECK(st.dirty == 0, "%llu frames dirty after the idle steps", (unsigned long long)st.dirty);
	CHECK(data.commits == 1 && data.steps >= (int)(BOUND_FILE / sf.bsize / IDLE_STEP_BLOCKS),
	      "%d commits in %d steps", data.commits, data.steps);
	/* metadata: directories, the idle work after each, until it checkpoints */
	while (!meta.cp_ends && dirs < 3000) {
		snprintf(name, sizeof(name), "d%d", dirs++);
		OK(vfs_mkdir(fs, 2, name, strlen(name), 0755, 0, 0, &a));
		idle_run(fs, &f, sf.bsize, &meta, NULL);
		if (cur_failed)
			return;
	}
	CHECK(meta.cp_ends && meta.cp_homes > 1, "%d directories: %d idle commits, %d checkpoint steps, %d ends",
	      dirs, meta.commits, meta.cp_homes, meta.cp_ends);
	snprintf(cut, sizeof(cut), "%s/cut.img", workdir);
	CHECK(run("cp %s %s", cur_img, cut) == 0, "cp");
	OK(vfs_unmount(fs));
	blockdev_file_close(&bf);
	CHECK(run("cp %s %s", cut, cur_img) == 0, "cp back");
	OK(mount_img(&fs));	/* our replay of what the idle steps committed */
	for (int i = 0; i < 2; i++)
		for (uint32_t k = 0; k < n; k++)
			CHECK(bound_check(fs, bound_ino[i], i, k), "file %d piece %u after the cut", i, k);
	OK(umount_img(fs));
	CHECK(fsck_clean(), "fsck");
	fprintf(stderr, "  idle bounded: data %d steps, at most %ld blocks in %ld writes a step, commit %ld blocks; "
		"%d directories: %d commits (at most %ld blocks), checkpoint %d steps of %ld blocks at most\n",
		data.steps, data.max_blocks, data.max_writes, data.commit_blocks, dirs, meta.commits,
		meta.commit_blocks, meta.cp_homes, meta.max_blocks);
}

/* The idle_powercut workload: "keep" fsync'd; then the two files of
 * idle_bounded written, and directories created with the idle work after
 * each, then the idle steps that commit the rest. The writes before the
 * idle work in *mark. */
static int cut_idle_workload(struct vfs *fs, struct blockdev_fault *f, const uint8_t *keep, size_t klen,
			     long *mark)
{
	static uint8_t buf[PIECE];
	struct vfs_attr a;
	uint32_t n = BOUND_FILE / PIECE;
	char name[32];
	int err = vfs_mknod(fs, 2, NAME("keep"), S_IFREG | 0644, 0, 0, 0, &a);

	if (!err && vfs_write(fs, a.ino, 0, keep, klen) != (long)klen)
		err = -EIO;
	if (!err)
		err = vfs_mknod(fs, 2, NAME("seq"), S_IFREG | 0644, 0, 0, 0, &a);
	bound_ino[0] = a.ino;
	if (!err)
		err = vfs_mknod(fs, 2, NAME("rnd"), S_IFREG | 0644, 0, 0, 0, &a);
	bound_ino[1] = a.ino;
	if (!err)
		err = vfs_fallocate(fs, bound_ino[1], 0, 0, BOUND_FILE);
	if (!err)
		err = vfs_sync(fs);
	*mark = f->writes;
	for (uint32_t k = 0; k < n && !err; k++) {
		uint32_t r = (k * 97) % n;

		bound_piece(buf, 0, k);
		if (vfs_write(fs, bound_ino[0], (uint64_t)k * PIECE, buf, PIECE) != PIECE)
			err = -EIO;
		bound_piece(buf, 1, r);
		if (!err && vfs_write(fs, bound_ino[1], (uint64_t)r * PIECE, buf, PIECE) != PIECE)
			err = -EIO;
	}
	idle_now += 6;
	while (!err && vfs_idle(fs) > 0)
		;
	for (int d = 0; d < 600 && !err; d++) {	/* past an idle checkpoint */
		snprintf(name, sizeof(name), "d%d", d);
		err = vfs_mkdir(fs, 2, name, strlen(name), 0755, 0, 0, &a);
		while (!err && vfs_idle(fs) > 0)
			;
	}
	return err;
}

/* After a cut: each piece of "rnd" is zeros (the conversion not
 * committed) or its new bytes, "seq" holds its new bytes up to its size. */
static int cut_idle_data_ok(struct vfs *fs)
{
	static uint8_t want[PIECE], got[PIECE], zero[PIECE];
	struct vfs_attr a;
	uint32_t n = BOUND_FILE / PIECE;

	for (int i = 0; i < 2; i++) {
		const char *name = i ? "rnd" : "seq";

		if (vfs_lookup(fs, 2, name, strlen(name), &a))
			return 0;
		for (uint32_t k = 0; k < n && (uint64_t)k * PIECE < a.size; k++) {
			bound_piece(want, i, k);
			if (vfs_read(fs, a.ino, (uint64_t)k * PIECE, got, PIECE) != PIECE)
				return 0;
			if (memcmp(got, want, PIECE) && !(i && !memcmp(got, zero, PIECE)))
				return 0;
		}
	}
	return 1;
}

/*
 * Power cuts while the idle steps commit and checkpoint (the device drops
 * every write after the cut): at 16 points from the first write after
 * the last sync, our mount and e2fsck -p both leave a clean image, "keep"
 * (synced first) is intact, and the data is the old or the new, never
 * anything else: ordered mode holds across the split steps.
 */
void t_idle_powercut(void)
{
	struct blockdev_file bf;
	struct blockdev_fault f;
	struct vfs *fs;
	struct vfs_attr a;
	static uint8_t keep[20000], got[20000];
	char saved[600], copy[600];
	long total, first, mark;
	int cuts = 0, points = 16;

	for (size_t i = 0; i < sizeof(keep); i++)
		keep[i] = (uint8_t)(i * 29 + 3);
	CHECK(make_image(variant_opts, "64M") == 0, "mke2fs");
	snprintf(saved, sizeof(saved), "%s/pristine", workdir);
	snprintf(copy, sizeof(copy), "%s/by-e2fsck", workdir);
	CHECK(run("cp %s %s", cur_img, saved) == 0, "cp");
	idle_now = 1700000000;
	vfs_set_clock(idle_clock);
	OK(blockdev_file_open(&bf, cur_img, 0));
	blockdev_fault_init(&f, &bf.bd, 0, 0);
	OK(vfs_mount(&fs, &f.bd, 0));
	OK(cut_idle_workload(fs, &f, keep, sizeof(keep), &first));
	OK(vfs_unmount(fs));
	blockdev_file_close(&bf);
	total = f.writes;
	CHECK(fsck_clean(), "fsck dry run");
	for (int p = 0; p < points; p++) {
		long cut = first + 1 + (total - first - 1) * p / (points - 1);

		CHECK(run("cp %s %s", saved, cur_img) == 0, "cp");
		idle_now = 1700000000;
		vfs_set_clock(idle_clock);
		OK(blockdev_file_open(&bf, cur_img, 0));
		blockdev_fault_init(&f, &bf.bd, 0, cut);
		OK(vfs_mount(&fs, &f.bd, 0));
		cut_idle_workload(fs, &f, keep, sizeof(keep), &mark);
		vfs_unmount(fs);
		blockdev_file_close(&bf);
		cuts += f.cut;
		CHECK(run("cp %s %s && e2fsck -fp %s >/dev/null 2>&1; e2fsck -fn %s >/dev/null 2>&1",
			  cur_img, copy, copy, copy) == 0, "cut at write %ld of %ld: e2fsck -p then -fn not clean",
		      cut, total);
		OK(mount_img(&fs));
		CHECK(vfs_lookup(fs, 2, NAME("keep"), &a) == 0 &&
		      vfs_read(fs, a.ino, 0, got, sizeof(got)) == (long)sizeof(got) && !memcmp(got, keep, sizeof(keep)),
		      "cut %ld: keep's bytes", cut);
		CHECK(cut_idle_data_ok(fs), "cut at write %ld of %ld: data neither old nor new", cut, total);
		OK(umount_img(fs));
		CHECK(fsck_clean(), "fsck after cut at write %ld of %ld", cut, total);
	}
	fprintf(stderr, "  idle_powercut: %d of %d cut points cut (writes %ld..%ld)\n", cuts, points, first + 1, total);
	CHECK(cuts >= points * 3 / 4, "only %d of %d cut points cut", cuts, points);
}
