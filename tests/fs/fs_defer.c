/* The size and times that WRITEs leave in the inode cache until the commit
 * (ext4_inode_defer), and the checksums computed there: bursts of WRITEs to
 * three files (rewrites, appends, partial blocks, one file fragmented into
 * an extent tree with a leaf block), an fsync after each burst. The power
 * is cut right after each fsync, and at random points; e2fsck replays our
 * journal and must then find the image clean (every inode and extent block
 * checksum verified), and, for the cuts after an fsync, every file's size
 * and mtime on disk exactly what GETATTR said at that fsync. A commit that
 * left a deferred size or time out of the inode, or a checksum unsettled,
 * fails here. */
#define _GNU_SOURCE
#include "cases.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

#define DF_FILES 3
#define DF_ROUNDS 6
#define DF_WRITES 24	/* a round's WRITEs, spread over the files */

struct df_sync {
	uint64_t size[DF_FILES], mtime[DF_FILES];
	uint32_t mtimens[DF_FILES];
	long writes;		/* device writes once the fsync returned */
};

static struct df_sync df_at[DF_ROUNDS];
static uint64_t df_sec;
static uint32_t df_ns;

/* The workload's own clock: the same run, hence the same writes, each time. */
static void df_clock(uint64_t *sec, uint32_t *nsec)
{
	*sec = df_sec;
	*nsec = df_ns;
}

/*
 * The offset and length of WRITE k of round r, to file k % DF_FILES (its
 * j-th of the round). Round 0 writes each file's first blocks; odd rounds
 * only rewrite them (blocks allocated by then: nothing but the inode's
 * times changes, and no delayed block makes the commit rewrite the
 * inode); even rounds append. File 2 is scattered, one extent a block:
 * past 4 extents the tree has a leaf block.
 */
static void df_piece(int r, int k, uint64_t *off, size_t *len)
{
	int i = k % DF_FILES, j = k / DF_FILES, per = DF_WRITES / DF_FILES;
	int page = r & 1 ? (j * 3 + r) % per : (r / 2) * per + j;

	if (i == 2)
		page *= 2;
	*off = (uint64_t)page * 4096;
	*len = k % 5 == 4 ? 1000 : 4096;
}

/* cut_round: the power goes right after that round's fsync (-1: never);
 * counted in device writes only within this run, as write-back commands
 * depend on where earlier cases left the page cache's clock hand. */
static int df_workload(struct vfs *fs, struct blockdev_fault *f, uint64_t *ino, int cut_round)
{
	static uint8_t page[4096];
	struct vfs_attr a;
	int err;

	for (int i = 0; i < DF_FILES; i++) {
		char name[16];

		snprintf(name, sizeof(name), "d%d", i);
		err = vfs_mknod(fs, 2, name, strlen(name), S_IFREG | 0644, 0, 0, 0, &a);
		if (err)
			return err;
		ino[i] = a.ino;
	}
	for (int r = 0; r < DF_ROUNDS; r++) {
		for (int k = 0; k < DF_WRITES; k++) {
			uint64_t off;
			size_t len;

			df_piece(r, k, &off, &len);
			memset(page, r * 31 + k, sizeof(page));
			df_ns += 1001;
			df_sec += k % 8 == 7;
			if (vfs_write(fs, ino[k % DF_FILES], off, page, len) != (long)len)
				return -EIO;
		}
		err = vfs_fsync(fs, ino[0], 0);	/* commits every file */
		if (err)
			return err;
		for (int i = 0; i < DF_FILES; i++) {
			err = vfs_getattr(fs, ino[i], &a);
			if (err)
				return err;
			df_at[r].size[i] = a.size;
			df_at[r].mtime[i] = a.mtime;
			df_at[r].mtimens[i] = a.mtimensec;
		}
		df_at[r].writes = f->writes;
		if (r == cut_round)
			f->cut_after = f->writes;
	}
	return 0;
}

/* Runs the workload over a fresh copy of the pristine image, cut after
 * write cut (0: never) or after the fsync of round cut_round (-1: never). */
static int df_run(const char *saved, long cut, int cut_round, struct blockdev_fault *f, uint64_t *ino)
{
	struct blockdev_file bf;
	struct vfs *fs;
	int err;

	if (run("cp %s %s", saved, cur_img) || blockdev_file_open(&bf, cur_img, 0))
		return -EIO;
	blockdev_fault_init(f, &bf.bd, 0, cut);
	df_sec = 1700000000;
	df_ns = 0;
	vfs_set_clock(df_clock);
	err = vfs_mount(&fs, &f->bd, 0);
	if (!err) {
		err = df_workload(fs, f, ino, cut_round);
		vfs_unmount(fs);	/* writes vanish after the cut */
	}
	vfs_set_clock(host_clock);
	blockdev_file_close(&bf);
	return err;
}

/* e2fsck replays the journal (exit 0 or 1), then finds nothing to fix. */
static int df_replay_clean(void)
{
	int r = run("e2fsck -fp %s >%s/fsck-p.log 2>&1", cur_img, workdir);

	if (r > 1)
		run("cat %s/fsck-p.log >&2", workdir);
	return r <= 1 && fsck_clean();
}

/* debugfs's size and mtime of file i. */
static int df_disk(int i, uint64_t *size, uint32_t *mtime, uint32_t *extra, int *has_extra)
{
	static char out[8192];
	char req[32];
	const char *p;

	snprintf(req, sizeof(req), "stat /d%d", i);
	if (debugfs_out(req, out, sizeof(out)) <= 0 || !(p = strstr(out, "Size: ")))
		return -1;
	*size = strtoull(p + 6, NULL, 10);
	if (!(p = strstr(out, "mtime: 0x")))
		return -1;
	*mtime = (uint32_t)strtoul(p + 9, (char **)&p, 16);
	*has_extra = *p == ':';
	*extra = *has_extra ? (uint32_t)strtoul(p + 1, NULL, 16) : 0;
	return 0;
}

void t_defer_powercut(void)
{
	struct blockdev_fault f;
	uint64_t ino[DF_FILES];
	char saved[600];
	long total;
	int cuts = 0;

	CHECK(make_image(variant_opts, "32M") == 0, "mke2fs");
	snprintf(saved, sizeof(saved), "%s/pristine", workdir);
	CHECK(run("cp %s %s", cur_img, saved) == 0, "cp");
	OK(df_run(saved, 0, -1, &f, ino));
	total = f.writes;
	CHECK(fsck_clean(), "fsck after the whole run");
	/* cut right after each fsync: the disk holds that commit exactly */
	for (int r = 0; r < DF_ROUNDS; r++) {
		struct df_sync want;

		df_run(saved, 0, r, &f, ino);
		want = df_at[r];
		cuts += f.cut;
		CHECK(df_replay_clean(), "cut after fsync %d (write %ld): not clean after e2fsck replay", r,
		      want.writes);
		for (int i = 0; i < DF_FILES; i++) {
			uint64_t size;
			uint32_t mtime, extra;
			int has_extra;

			CHECK(df_disk(i, &size, &mtime, &extra, &has_extra) == 0, "debugfs stat /d%d", i);
			CHECK(size == want.size[i], "fsync %d: /d%d size %llu on disk, %llu at the fsync", r, i,
			      (unsigned long long)size, (unsigned long long)want.size[i]);
			CHECK(mtime == (uint32_t)want.mtime[i] && (!has_extra || extra >> 2 == want.mtimens[i]),
			      "fsync %d: /d%d mtime %#x:%#x on disk, %#x.%u at the fsync", r, i, mtime, extra,
			      (uint32_t)want.mtime[i], want.mtimens[i]);
		}
	}
	/* anywhere: whatever commit the disk holds, e2fsck finds it whole */
	for (int c = 0; c < 6; c++) {
		long cut = 1 + (long)((uint64_t)rnd() % (uint64_t)total);

		df_run(saved, cut, -1, &f, ino);
		cuts += f.cut;
		CHECK(df_replay_clean(), "cut at write %ld of %ld: not clean after e2fsck replay", cut, total);
	}
	fprintf(stderr, "  defer_powercut: %d of %d cut points cut (writes %ld..%ld)\n", cuts, DF_ROUNDS + 6,
		df_at[0].writes, total);
	CHECK(cuts >= DF_ROUNDS, "only %d cut points cut", cuts);
}
