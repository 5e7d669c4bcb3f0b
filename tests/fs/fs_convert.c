/* WRITEs into a preallocated file (fallocate, as fio lays its files out):
 * every block written turns from unwritten to written in the extent's
 * leaf (ext4_ext_convert: the head, the tail or the middle of an unwritten
 * extent, whole extents, runs joining written neighbours on one side or
 * both), falling back to unmap-and-map when the leaf is full. Checked
 * here: reads against a model across syncs and a remount; once every
 * block has been written the runs have joined again (one extent a leaf at
 * most, not one a WRITE); e2fsck and debugfs; and power cuts right after
 * each fsync, when the leaf's change is in the journal and the file's size
 * and times waited in the inode cache (the tree has a leaf block, so the
 * inode itself is not written by the conversion): after e2fsck's replay
 * the image is clean and the file holds exactly what it held at the fsync. */
#define _GNU_SOURCE
#include "cases.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

#define CV_BLOCKS 192	/* the file, in blocks */
#define CV_ROUNDS 5	/* rounds of random WRITEs, an fsync after each */
#define CV_WRITES 40	/* WRITEs a round */

static uint8_t cv_model[CV_BLOCKS * 4096];
static uint8_t cv_at[CV_ROUNDS][CV_BLOCKS * 4096];
static long cv_writes_at[CV_ROUNDS];

/* Extents debugfs lists for a file ("ex"): its leaf lines. */
static int cv_extents(const char *path, int *leaves)
{
	char req[64], *p;
	static char out[65536];
	int n = 0;

	*leaves = 0;
	snprintf(req, sizeof(req), "ex %s", path);
	if (debugfs_out(req, out, sizeof(out)) <= 0)
		return -1;
	for (p = out; (p = strchr(p, '\n')) != NULL; p++) {
		unsigned lv, depth;

		if (sscanf(p + 1, " %u/ %u", &lv, &depth) == 2) {
			if (lv == depth)
				n++;
			else if (lv + 1 == depth)
				(*leaves)++;
		}
	}
	if (!*leaves)
		*leaves = 1;	/* the leaf is the inode's root */
	return n;
}

/* WRITE k of round r: 1 to 3 blocks, or part of one or two blocks. */
static void cv_piece(uint32_t bs, uint64_t *off, size_t *len)
{
	uint32_t b = rnd() % CV_BLOCKS, kind = rnd() % 4;

	if (kind == 0) {
		*off = (uint64_t)b * bs + rnd() % bs;
		*len = 1 + rnd() % bs;
	} else {
		*off = (uint64_t)b * bs;
		*len = (size_t)kind * bs;
	}
	if (*off + *len > (uint64_t)CV_BLOCKS * bs)
		*len = (size_t)((uint64_t)CV_BLOCKS * bs - *off);
}

static int cv_write(struct vfs *fs, uint64_t ino, uint64_t off, size_t len, unsigned seed)
{
	static uint8_t buf[3 * 4096];

	for (size_t j = 0; j < len; j++)
		buf[j] = (uint8_t)(seed * 7 + j * 13 + (j >> 9));
	if (vfs_write(fs, ino, off, buf, len) != (long)len)
		return -EIO;
	memcpy(cv_model + off, buf, len);
	return 0;
}

static int cv_same(struct vfs *fs, uint64_t ino, uint64_t size)
{
	static uint8_t got[CV_BLOCKS * 4096];

	return vfs_read(fs, ino, 0, got, size) == (long)size && !memcmp(got, cv_model, size) ? 0 : -1;
}

/*
 * The file, preallocated, then rounds of random WRITEs each ended by an
 * fsync (the power goes right after round cut_round's when f is set), then,
 * when full, every block written in a shuffled order of 2-block pieces.
 */
static int cv_workload(struct vfs *fs, struct blockdev_fault *f, int cut_round, int full, uint64_t *inop)
{
	struct vfs_statfs st;
	struct vfs_attr a;
	uint64_t ino, size;
	uint32_t bs;
	int err = vfs_statfs(fs, &st);

	if (err)
		return err;
	bs = st.bsize;
	size = (uint64_t)CV_BLOCKS * bs;
	memset(cv_model, 0, sizeof(cv_model));
	err = vfs_mknod(fs, 2, NAME("u"), S_IFREG | 0644, 0, 0, 0, &a);
	if (!err)
		err = vfs_fallocate(fs, a.ino, 0, 0, size);
	if (err)
		return err;
	*inop = ino = a.ino;
	rnd_state = 4242;
	for (int r = 0; r < CV_ROUNDS; r++) {
		for (int k = 0; k < CV_WRITES; k++) {
			uint64_t off;
			size_t len;

			cv_piece(bs, &off, &len);
			err = cv_write(fs, ino, off, len, (unsigned)(r * CV_WRITES + k));
			if (err)
				return err;
		}
		if (r == 2 && !f) {	/* a commit by sync, and a remount */
			err = vfs_sync(fs);
			if (!err)
				err = cv_same(fs, ino, size);
			if (err)
				return err;
		}
		err = vfs_fsync(fs, ino, 0);
		if (err)
			return err;
		memcpy(cv_at[r], cv_model, size);
		if (f) {
			cv_writes_at[r] = f->writes;
			if (r == cut_round)
				f->cut_after = f->writes;
		}
	}
	if (cv_same(fs, ino, size))
		return -EIO;
	if (!full)
		return 0;
	{
		uint32_t order[CV_BLOCKS / 2];

		for (uint32_t i = 0; i < CV_BLOCKS / 2; i++)
			order[i] = i;
		for (uint32_t i = CV_BLOCKS / 2 - 1; i > 0; i--) {
			uint32_t j = rnd() % (i + 1), t = order[i];

			order[i] = order[j];
			order[j] = t;
		}
		for (uint32_t i = 0; i < CV_BLOCKS / 2; i++) {
			err = cv_write(fs, ino, (uint64_t)order[i] * 2 * bs, 2 * bs, 1000 + i);
			if (err)
				return err;
		}
	}
	return cv_same(fs, ino, size);
}

/* e2fsck replays the journal (exit 0 or 1), then finds nothing to fix. */
static int cv_replay_clean(void)
{
	int r = run("e2fsck -fp %s >%s/fsck-p.log 2>&1", cur_img, workdir);

	if (r > 1)
		run("cat %s/fsck-p.log >&2", workdir);
	return r <= 1 && fsck_clean();
}

void t_unwritten_convert(void)
{
	struct blockdev_file bf;
	struct blockdev_fault f;
	struct vfs *fs;
	struct vfs_statfs st;
	uint64_t ino;
	char saved[600];
	int n, leaves, cuts = 0;

	CHECK(make_image(variant_opts, "32M") == 0, "mke2fs");
	snprintf(saved, sizeof(saved), "%s/pristine", workdir);
	CHECK(run("cp %s %s", cur_img, saved) == 0, "cp");

	/* the whole run, a remount in the middle of it and at the end */
	OK(mount_img(&fs));
	OK(vfs_statfs(fs, &st));
	OK(cv_workload(fs, NULL, -1, 1, &ino));
	OK(umount_img(fs));
	OK(mount_img(&fs));
	CHECK(cv_same(fs, ino, (uint64_t)CV_BLOCKS * st.bsize) == 0, "read back after the remount");
	OK(umount_img(fs));
	CHECK(fsck_clean(), "fsck");
	CHECK(dump_cmp("/u", cv_model, (size_t)CV_BLOCKS * st.bsize), "debugfs content");
	n = cv_extents("/u", &leaves);
	fprintf(stderr, "  unwritten_convert: %d extents in %d leaves once every block is written\n", n, leaves);
	CHECK(n >= 1 && n <= leaves + 1, "%d extents in %d leaves: the written runs did not join", n, leaves);

	/* the power goes right after each fsync */
	for (int r = 0; r < CV_ROUNDS; r++) {
		CHECK(run("cp %s %s", saved, cur_img) == 0, "cp");
		OK(blockdev_file_open(&bf, cur_img, 0));
		blockdev_fault_init(&f, &bf.bd, 0, 0);
		OK(vfs_mount(&fs, &f.bd, 0));
		OK(cv_workload(fs, &f, r, 0, &ino));
		vfs_unmount(fs);	/* writes vanish after the cut */
		blockdev_file_close(&bf);
		cuts += f.cut;
		CHECK(cv_replay_clean(), "cut after fsync %d (write %ld): not clean after e2fsck replay", r,
		      cv_writes_at[r]);
		CHECK(dump_cmp("/u", cv_at[r], (size_t)CV_BLOCKS * st.bsize),
		      "cut after fsync %d: /u is not what it held at the fsync", r);
	}
	CHECK(cuts == CV_ROUNDS, "only %d of %d cut points cut", cuts, CV_ROUNDS);
}
