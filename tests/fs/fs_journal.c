/* Filesystem tests of the journal, power cuts and replay: a workload cut
 * after a random write (the device drops every later write), then mounted
 * again so that our replay runs and fsync'd data must be intact; the same
 * for extent-tree growth and truncation and for a random mix of namespace
 * operations; a write error that must surface; the commit interval; a
 * journal written by e2fsprogs that our mount replays, and our journal
 * replayed by e2fsck. */
#define _GNU_SOURCE
#include "cases.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * A power-cut campaign proves something only at the cut points that really
 * cut (the device dropped writes; a point at or past the run's last write
 * cuts nothing). Each campaign counts them, prints the count and requires at
 * least floor of them: the workloads are deterministic but the host clock
 * drives the commit interval, so a few points may fall past a shorter run.
 */
#define PC_REPORT(what, cut, runs, floor) do { \
	fprintf(stderr, "  %s: %d of %d cut points cut (dropped writes)\n", what, cut, runs); \
	CHECK((cut) >= (floor), "%s: only %d of %d cut points cut (at least %d must)", what, cut, runs, floor); \
} while (0)

/* Power cut: the same workload, cut after write N for many N. */
struct pc_file { char name[16]; uint32_t len; int synced; uint8_t seed; };

static int pc_workload(struct vfs *fs, struct blockdev_fault *f, struct pc_file *pf, int nf)
{
	struct vfs_attr a, d;
	static uint8_t buf[40000];
	int err = vfs_mkdir(fs, 2, NAME("w"), 0755, 0, 0, &d);

	if (err)
		return err;
	for (int i = 0; i < nf; i++) {
		snprintf(pf[i].name, sizeof(pf[i].name), "f%d", i);
		pf[i].len = 1000 + (uint32_t)i * 3000;
		pf[i].seed = (uint8_t)(i * 17 + 3);
		pf[i].synced = 0;
		for (uint32_t j = 0; j < pf[i].len; j++)
			buf[j] = (uint8_t)(pf[i].seed + j * 7);
		err = vfs_mknod(fs, d.ino, pf[i].name, strlen(pf[i].name), S_IFREG | 0644, 0, 0, 0, &a);
		if (err)
			return err;
		if (vfs_write(fs, a.ino, 0, buf, pf[i].len) != (long)pf[i].len)
			return -EIO;
		if (i % 3 == 0) {
			char tmp[16];
			snprintf(tmp, sizeof(tmp), "t%d", i);
			vfs_mkdir(fs, d.ino, tmp, strlen(tmp), 0755, 0, 0, &a);
			vfs_setxattr(fs, d.ino, "user.k", tmp, strlen(tmp), 0);
		}
		if (i % 4 == 1) {
			char old[16];
			snprintf(old, sizeof(old), "f%d", i - 1);
			vfs_unlink(fs, d.ino, old, strlen(old));
			pf[i - 1].len = 0;
			pf[i - 1].synced = 0;
		}
		if (i % 2 == 1) {
			err = vfs_fsync(fs, a.ino, 0);
			if (err)
				return err;
			if (!f->cut)
				for (int k = 0; k <= i; k++)
					if (pf[k].len)
						pf[k].synced = 1;
		}
	}
	return 0;
}

void t_powercut(void)
{
	struct blockdev_file bf;
	struct blockdev_fault f;
	struct vfs *fs;
	struct pc_file pf[12];
	long total;
	char saved[600];
	int ncuts = 24, cuts = 0;

	CHECK(make_image(variant_opts, "32M") == 0, "mke2fs");
	snprintf(saved, sizeof(saved), "%s/pristine", workdir);
	CHECK(run("cp %s %s", cur_img, saved) == 0, "cp");
	/* dry run: count writes */
	OK(blockdev_file_open(&bf, cur_img, 0));
	blockdev_fault_init(&f, &bf.bd, 0, 0);
	OK(vfs_mount(&fs, &f.bd, 0));
	OK(pc_workload(fs, &f, pf, 12));
	OK(vfs_unmount(fs));
	blockdev_file_close(&bf);
	total = f.writes;
	CHECK(fsck_clean(), "fsck dry run");
	for (int c = 0; c < ncuts; c++) {
		long cut = 1 + (long)((uint64_t)rnd() % (uint64_t)total);
		struct vfs_attr a, d;
		CHECK(run("cp %s %s", saved, cur_img) == 0, "cp");
		OK(blockdev_file_open(&bf, cur_img, 0));
		blockdev_fault_init(&f, &bf.bd, 0, cut);
		OK(vfs_mount(&fs, &f.bd, 0));
		pc_workload(fs, &f, pf, 12);
		vfs_unmount(fs);	/* writes vanish after the cut */
		blockdev_file_close(&bf);
		cuts += f.cut;
		/* reboot: mount (replays the journal), check fsync'd data */
		OK(mount_img(&fs));
		if (vfs_lookup(fs, 2, NAME("w"), &d) == 0) {
			for (int i = 0; i < 12; i++) {
				static uint8_t got[40000];
				if (!pf[i].synced)
					continue;
				CHECK(vfs_lookup(fs, d.ino, pf[i].name, strlen(pf[i].name), &a) == 0,
				      "cut %ld: synced %s missing", cut, pf[i].name);
				CHECK(vfs_read(fs, a.ino, 0, got, sizeof(got)) == (long)pf[i].len,
				      "cut %ld: %s length", cut, pf[i].name);
				for (uint32_t j = 0; j < pf[i].len; j++)
					CHECK(got[j] == (uint8_t)(pf[i].seed + j * 7), "cut %ld: %s byte %u", cut, pf[i].name, j);
			}
		} else {
			for (int i = 0; i < 12; i++)
				CHECK(!pf[i].synced, "cut %ld: dir missing but %s synced", cut, pf[i].name);
		}
		OK(umount_img(fs));
		CHECK(fsck_clean(), "fsck after cut at write %ld of %ld", cut, total);
	}
	PC_REPORT("powercut", cuts, ncuts, ncuts * 3 / 4);
}

void t_failwrite(void)
{
	struct blockdev_file bf;
	struct blockdev_fault f;
	struct vfs *fs;
	struct pc_file pf[8];
	int err;

	CHECK(make_image(variant_opts, "32M") == 0, "mke2fs");
	OK(blockdev_file_open(&bf, cur_img, 0));
	blockdev_fault_init(&f, &bf.bd, 7, 0);
	OK(vfs_mount(&fs, &f.bd, 0));
	err = pc_workload(fs, &f, pf, 8);
	CHECK(err < 0, "an I/O error must surface: %d", err);
	vfs_unmount(fs);
	blockdev_file_close(&bf);
	OK(mount_img(&fs));
	OK(umount_img(fs));
	CHECK(fsck_clean(), "fsck after failed write");
}

/* Changes older than EXT4_COMMIT_INTERVAL commit at the next change. */
static uint64_t fake_now = 1700000000;
static void fake_clock(uint64_t *sec, uint32_t *nsec)
{
	*sec = fake_now;
	*nsec = 0;
}

void t_commit_interval(void)
{
	struct blockdev_file bf;
	struct blockdev_fault f;
	struct vfs *fs;
	struct vfs_attr a;

	CHECK(make_image(variant_opts, "32M") == 0, "mke2fs");
	vfs_set_clock(fake_clock);
	OK(blockdev_file_open(&bf, cur_img, 0));
	blockdev_fault_init(&f, &bf.bd, 0, 0);
	OK(vfs_mount(&fs, &f.bd, 0));
	OK(vfs_mknod(fs, 2, NAME("early"), S_IFREG | 0644, 0, 0, 0, &a));
	fake_now += 10;
	OK(vfs_mknod(fs, 2, NAME("late"), S_IFREG | 0644, 0, 0, 0, &a));
	f.cut_after = f.writes;	/* power lost now: "late" was never committed */
	OK(vfs_mknod(fs, 2, NAME("later"), S_IFREG | 0644, 0, 0, 0, &a));
	vfs_unmount(fs);
	blockdev_file_close(&bf);
	vfs_set_clock(host_clock);
	OK(mount_img(&fs));
	OK(vfs_lookup(fs, 2, NAME("early"), &a));
	CHECK(vfs_lookup(fs, 2, NAME("late"), &a) == -ENOENT, "late committed without a sync");
	OK(umount_img(fs));
	CHECK(fsck_clean(), "fsck");
}

/* Past the interval but not twice it: the change does not wait for a
 * commit (no write); the commit is idle work, and after the idle steps a
 * power cut keeps both changes. */
void t_commit_interval_idle(void)
{
	struct blockdev_file bf;
	struct blockdev_fault f;
	struct vfs *fs;
	struct vfs_attr a;
	long w0;
	unsigned steps = 0;

	CHECK(make_image(variant_opts, "32M") == 0, "mke2fs");
	vfs_set_clock(fake_clock);
	OK(blockdev_file_open(&bf, cur_img, 0));
	blockdev_fault_init(&f, &bf.bd, 0, 0);
	OK(vfs_mount(&fs, &f.bd, 0));
	while (vfs_idle(fs) > 0)	/* what the mount left */
		;
	OK(vfs_mknod(fs, 2, NAME("early"), S_IFREG | 0644, 0, 0, 0, &a));
	fake_now += 6;		/* EXT4_COMMIT_INTERVAL (5 s) and one */
	w0 = f.writes;
	OK(vfs_mknod(fs, 2, NAME("mid"), S_IFREG | 0644, 0, 0, 0, &a));
	CHECK(f.writes == w0, "a change past the interval wrote %ld blocks (the commit is idle work)", (long)(f.writes - w0));
	CHECK(vfs_idle_due(fs), "the commit is due as idle work");
	while (vfs_idle(fs) > 0 && steps < 1000)
		steps++;
	CHECK(f.writes > w0 && !vfs_idle_due(fs), "idle steps committed (%u steps, %ld writes)", steps, (long)(f.writes - w0));
	f.cut_after = f.writes;	/* power lost now */
	OK(vfs_mknod(fs, 2, NAME("later"), S_IFREG | 0644, 0, 0, 0, &a));
	vfs_unmount(fs);
	blockdev_file_close(&bf);
	vfs_set_clock(host_clock);
	OK(mount_img(&fs));
	OK(vfs_lookup(fs, 2, NAME("early"), &a));
	OK(vfs_lookup(fs, 2, NAME("mid"), &a));
	CHECK(vfs_lookup(fs, 2, NAME("later"), &a) == -ENOENT, "later committed without a sync or idle time");
	OK(umount_img(fs));
	CHECK(fsck_clean(), "fsck");
}

/* A journal written by e2fsprogs' jbd2 code (kernel format: 64bit tags,
 * csum v3 when -c, revoke records): our mount must replay it. */
void t_replay_foreign(void)
{
	struct vfs *fs;
	char cmds[1024], d1[8192], d2[1024], out[4096];
	FILE *f;
	struct vfs_statfs st;
	const char *c = strstr(variant_opts, "metadata_csum") ? "" : " -c";

	CHECK(make_image(variant_opts, "32M") == 0, "mke2fs");
	for (int i = 0; i < 8192; i++)
		d1[i] = (char)(i * 13 + 1 + i / 4096);
	for (int i = 0; i < 1024; i++)
		d2[i] = (char)(i * 3 + 7);
	snprintf(out, sizeof(out), "%s/d1", workdir);
	f = fopen(out, "wb"); fwrite(d1, 1, sizeof(d1), f); fclose(f);
	snprintf(out, sizeof(out), "%s/d2", workdir);
	f = fopen(out, "wb"); fwrite(d2, 1, sizeof(d2), f); fclose(f);
	snprintf(cmds, sizeof(cmds), "%s/jcmds", workdir);
	f = fopen(cmds, "w");
	fprintf(f, "jo%s\njw -b 5000,5001 %s/d1\njc\njo%s\njw -b 5002,5003 %s/d1\njc\njo%s\njw -r 5002\njc\n",
		c, workdir, c, workdir, c);
	fclose(f);
	CHECK(run("debugfs -w -f %s %s >/dev/null 2>&1", cmds, cur_img) == 0, "debugfs journal write");
	debugfs_out("stats", out, sizeof(out));
	CHECK(has(out, "needs_recovery"), "journal not dirty: %.200s", out);
	OK(mount_img(&fs));
	OK(vfs_statfs(fs, &st));
	{
		uint32_t bs = st.bsize;
		uint8_t blk[4096];
		struct blockdev_file bf;
		umount_img(fs);
		OK(blockdev_file_open(&bf, cur_img, 1));
		CHECK(bf.bd.read(&bf.bd, 5000ull * bs / 512, bs / 512, blk) == 0, "read");
		CHECK(memcmp(blk, d1, bs) == 0, "block 5000 replayed");
		CHECK(bf.bd.read(&bf.bd, 5002ull * bs / 512, bs / 512, blk) == 0, "read");
		CHECK(memcmp(blk, d1, bs) != 0, "block 5002 revoked but replayed");
		CHECK(bf.bd.read(&bf.bd, 5003ull * bs / 512, bs / 512, blk) == 0, "read");
		CHECK(memcmp(blk, d1 + bs, bs) == 0, "block 5003 replayed");
		blockdev_file_close(&bf);
	}
	CHECK(fsck_clean(), "fsck after replay");
}

/* e2fsck must be able to replay the journal we write, too. */
void t_replay_by_e2fsck(void)
{
	struct blockdev_file bf;
	struct blockdev_fault f;
	struct vfs *fs;
	struct pc_file pf[12];
	long total;
	char saved[600];
	int cuts = 0;

	CHECK(make_image(variant_opts, "32M") == 0, "mke2fs");
	snprintf(saved, sizeof(saved), "%s/pristine", workdir);
	CHECK(run("cp %s %s", cur_img, saved) == 0, "cp");
	OK(blockdev_file_open(&bf, cur_img, 0));
	blockdev_fault_init(&f, &bf.bd, 0, 0);
	OK(vfs_mount(&fs, &f.bd, 0));
	OK(pc_workload(fs, &f, pf, 12));
	OK(vfs_unmount(fs));
	blockdev_file_close(&bf);
	total = f.writes;
	fprintf(stderr, "  workload: %ld writes, %ld flushes\n", total, f.flushes);
	for (int c = 0; c < 8; c++) {
		long cut = 1 + (long)((uint64_t)rnd() % (uint64_t)total);
		CHECK(run("cp %s %s", saved, cur_img) == 0, "cp");
		OK(blockdev_file_open(&bf, cur_img, 0));
		blockdev_fault_init(&f, &bf.bd, 0, cut);
		OK(vfs_mount(&fs, &f.bd, 0));
		pc_workload(fs, &f, pf, 12);
		vfs_unmount(fs);
		blockdev_file_close(&bf);
		cuts += f.cut;
		/* e2fsck -p replays the journal and processes the orphan list */
		{
			int r = run("e2fsck -fp %s >%s/fsck-p.log 2>&1", cur_img, workdir);
			if (r > 1)
				run("cat %s/fsck-p.log >&2", workdir);
			CHECK(r <= 1, "cut %ld: e2fsck -p exit %d", cut, r);
		}
		CHECK(fsck_clean(), "cut %ld: clean after e2fsck replay", cut);
	}
	PC_REPORT("replay_by_e2fsck", cuts, 8, 6);
}

/* Power cuts during extent-tree growth, truncation and hole punching. */
static int pc_extents(struct vfs *fs)
{
	struct vfs_attr a;
	uint8_t piece[4096];
	int err = vfs_mknod(fs, 2, NAME("big"), S_IFREG | 0644, 0, 0, 0, &a);

	if (err)
		return err;
	for (uint32_t k = 0; k < 600; k++) {
		uint32_t i = (k * 7919u) % 600;
		memset(piece, (int)(i & 0xff), sizeof(piece));
		if (vfs_write(fs, a.ino, (uint64_t)i * 8192, piece, 1024) != 1024)
			return -EIO;
		if (k % 150 == 149 && (err = vfs_fsync(fs, a.ino, 0)))
			return err;
	}
	if ((err = vfs_fallocate(fs, a.ino, 0x03, 100 * 8192, 200 * 8192)))
		return err;
	{
		struct vfs_setattr sa = { .valid = VFS_SET_SIZE, .size = 400 * 8192 + 77 };
		if ((err = vfs_setattr(fs, a.ino, &sa, &a)))
			return err;
	}
	if ((err = vfs_fsync(fs, a.ino, 0)))
		return err;
	/* an unlinked file whose release spans several commits */
	for (uint32_t i = 0; i < 700; i++)
		if (vfs_write(fs, a.ino, (uint64_t)i * 8192 + 4096, piece, 100) != 100)
			return -EIO;
	if ((err = vfs_unlink(fs, 2, NAME("big"))) || (err = vfs_evict(fs, a.ino)))
		return err;
	idle_all(fs);		/* the release, by idle steps */
	return vfs_sync(fs);
}

void t_powercut_extents(void)
{
	struct blockdev_file bf;
	struct blockdev_fault f;
	struct vfs *fs;
	long total;
	char saved[600];
	int cuts = 0;

	CHECK(make_image(variant_opts, "32M") == 0, "mke2fs");
	snprintf(saved, sizeof(saved), "%s/pristine", workdir);
	CHECK(run("cp %s %s", cur_img, saved) == 0, "cp");
	OK(blockdev_file_open(&bf, cur_img, 0));
	blockdev_fault_init(&f, &bf.bd, 0, 0);
	OK(vfs_mount(&fs, &f.bd, 0));
	OK(pc_extents(fs));
	OK(vfs_unmount(fs));
	blockdev_file_close(&bf);
	total = f.writes;
	CHECK(fsck_clean(), "fsck dry run");
	for (int c = 0; c < 24; c++) {
		long cut = 1 + (long)((uint64_t)rnd() % (uint64_t)total);
		struct vfs_attr a;
		int fin;
		CHECK(run("cp %s %s", saved, cur_img) == 0, "cp");
		OK(blockdev_file_open(&bf, cur_img, 0));
		blockdev_fault_init(&f, &bf.bd, 0, cut);
		OK(vfs_mount(&fs, &f.bd, 0));
		pc_extents(fs);
		fin = !f.cut;
		vfs_unmount(fs);
		blockdev_file_close(&bf);
		cuts += f.cut;
		OK(mount_img(&fs));
		if (fin)
			CHECK(vfs_lookup(fs, 2, NAME("big"), &a) == -ENOENT, "big still there after a completed run");
		OK(umount_img(fs));
		CHECK(fsck_clean(), "fsck after cut at write %ld of %ld", cut, total);
	}
	PC_REPORT("powercut_extents", cuts, 24, 18);
}

/* Power cuts during a random mix of namespace operations and writes. */
static int pc_namespace(struct vfs *fs)
{
	struct vfs_attr a, d;
	uint64_t dirs[8];
	int nd = 1;
	char n1[24], n2[24];
	static char buf[9000];

	dirs[0] = 2;
	rnd_state = 5150;
	for (int step = 0; step < 1500; step++) {
		uint64_t d1 = dirs[rnd() % (uint32_t)nd], d2 = dirs[rnd() % (uint32_t)nd];
		int op = (int)(rnd() % 10);
		snprintf(n1, sizeof(n1), "p%u", rnd() % 200);
		snprintf(n2, sizeof(n2), "p%u", rnd() % 200);
		if (step < 300)
			op = step == 0 ? 9 : 0;
		switch (op) {
		case 0: case 1:
			if (vfs_mknod(fs, d1, n1, strlen(n1), S_IFREG | 0644, 0, 0, 0, &a) == 0)
				vfs_write(fs, a.ino, 0, buf, rnd() % sizeof(buf));
			break;
		case 2: case 3:
			vfs_rename(fs, d1, n1, strlen(n1), d2, n2, strlen(n2), rnd() % 3);
			break;
		case 4:
			if (vfs_lookup(fs, d1, n1, strlen(n1), &a) == 0 && vfs_unlink(fs, d1, n1, strlen(n1)) == 0)
				vfs_evict(fs, a.ino);
			break;
		case 5:
			if (vfs_lookup(fs, d1, n1, strlen(n1), &a) == 0)
				vfs_link(fs, a.ino, d2, n2, strlen(n2), &a);
			break;
		case 6:
			if (vfs_lookup(fs, d1, n1, strlen(n1), &a) == 0 && (a.mode & S_IFMT) == S_IFREG)
				vfs_write(fs, a.ino, rnd() % 50000, buf, rnd() % sizeof(buf));
			break;
		case 7:
			if (vfs_sync(fs))
				return -EIO;
			break;
		case 8:
			vfs_setxattr(fs, d1, "user.x", buf, rnd() % 300, 0);
			break;
		case 9:
			if (nd < 8 && vfs_mkdir(fs, d1, n1, strlen(n1), 0755, 0, 0, &d) == 0)
				dirs[nd++] = d.ino;
			break;
		}
	}
	return vfs_sync(fs);
}

void t_powercut_namespace(void)
{
	struct blockdev_file bf;
	struct blockdev_fault f;
	struct vfs *fs;
	long total;
	char saved[600];
	uint32_t seed = 31337;
	int cuts = 0;

	CHECK(make_image(variant_opts, "32M") == 0, "mke2fs");
	snprintf(saved, sizeof(saved), "%s/pristine", workdir);
	CHECK(run("cp %s %s", cur_img, saved) == 0, "cp");
	OK(blockdev_file_open(&bf, cur_img, 0));
	blockdev_fault_init(&f, &bf.bd, 0, 0);
	OK(vfs_mount(&fs, &f.bd, 0));
	OK(pc_namespace(fs));
	OK(vfs_unmount(fs));
	blockdev_file_close(&bf);
	total = f.writes;
	CHECK(fsck_clean(), "fsck dry run");
	for (int c = 0; c < 16; c++) {
		long cut;
		seed = seed * 1103515245u + 12345u;
		cut = 1 + (long)((seed >> 8) % (uint32_t)total);
		CHECK(run("cp %s %s", saved, cur_img) == 0, "cp");
		OK(blockdev_file_open(&bf, cur_img, 0));
		blockdev_fault_init(&f, &bf.bd, 0, cut);
		OK(vfs_mount(&fs, &f.bd, 0));
		pc_namespace(fs);
		vfs_unmount(fs);
		blockdev_file_close(&bf);
		cuts += f.cut;
		OK(mount_img(&fs));
		walk(fs, 2, 0);
		OK(umount_img(fs));
		CHECK(fsck_clean(), "fsck after cut at write %ld of %ld", cut, total);
	}
	PC_REPORT("powercut_namespace", cuts, 16, 12);
}

/* The clock across mounts: a read-write mount writes the superblock's mount
 * count, mount and write times with the clock (as Linux does); the next
 * mount reports the newest time the image holds to the floor hook before it
 * stamps anything, so a clock that went back can be moved up to it. */
static uint64_t floor_sec;
static int floor_calls;

static void floor_record(uint64_t sec, uint32_t nsec)
{
	(void)nsec;
	floor_sec = sec;
	floor_calls++;
}

static long long stats_num(const char *out, const char *key)
{
	const char *p = strstr(out, key);

	return p ? atoll(p + strlen(key)) : -1;
}

static long long stats_time(const char *key)
{
	char out[8192], cmd[320], line[128];
	const char *p;
	size_t n;

	debugfs_out("stats", out, sizeof(out));
	p = strstr(out, key);
	if (!p)
		return -1;
	p += strlen(key);
	while (*p == ' ')
		p++;
	n = strcspn(p, "\n");
	if (n >= sizeof(line))
		return -1;
	memcpy(line, p, n);
	line[n] = 0;
	snprintf(cmd, sizeof(cmd), "test \"$(date -u -d '%s' +%%s)\" = \"%llu\"", line,
		 (unsigned long long)fake_now);
	if (run("%s", cmd) == 0)
		return (long long)fake_now;
	fprintf(stderr, "  %s %s, clock %llu\n", key, line, (unsigned long long)fake_now);
	return -2;
}

void t_clock_floor(void)
{
	struct vfs *fs;
	struct vfs_attr a;
	char out[8192];

	CHECK(make_image(variant_opts, "32M") == 0, "mke2fs");
	vfs_set_clock(fake_clock);
	vfs_set_clock_floor(floor_record);
	fake_now = 2000000000;	/* 2033: ahead of the image */
	floor_calls = 0;
	OK(mount_img_clock(&fs, fake_clock));
	CHECK(floor_calls == 1 && floor_sec > 1000000000 && floor_sec < fake_now,
	      "floor at mount: the image's newest time (%llu, %d calls)", (unsigned long long)floor_sec, floor_calls);
	debugfs_out("stats", out, sizeof(out));
	CHECK(stats_num(out, "Mount count:") == 1, "mount count 1 after a mount");
	CHECK(stats_time("Last mount time:") == (long long)fake_now, "mount time is the clock's");
	CHECK(stats_time("Last write time:") == (long long)fake_now, "write time is the clock's");
	fake_now += 100;
	OK(vfs_mknod(fs, 2, NAME("stamped"), S_IFREG | 0644, 0, 0, 0, &a));
	OK(umount_img(fs));
	CHECK(fsck_clean(), "fsck");

	/* the clock went back (a card that lost its time): the floor is what
	 * the last mount wrote */
	fake_now = 1000000000;
	OK(mount_img_clock(&fs, fake_clock));
	CHECK(floor_calls == 2 && floor_sec == 2000000100ull,
	      "floor after a run: its last write time (%llu)", (unsigned long long)floor_sec);
	debugfs_out("stats", out, sizeof(out));
	CHECK(stats_num(out, "Mount count:") == 2, "mount count 2");
	OK(umount_img(fs));

	/* a read-only mount writes nothing */
	{
		char before[64], after[64];
		struct blockdev_file bf;

		md5_of(before);
		OK(blockdev_file_open(&bf, cur_img, 0));
		OK(vfs_mount(&fs, &bf.bd, VFS_MOUNT_RDONLY));
		vfs_unmount(fs);
		blockdev_file_close(&bf);
		md5_of(after);
		CHECK(!strcmp(before, after), "a read-only mount leaves the image as it was");
	}
	vfs_set_clock_floor(NULL);
	vfs_set_clock(host_clock);
	CHECK(fsck_clean(), "fsck");
}

/*
 * Group commit: what one commit costs the device, and several committed
 * transactions left in the journal at a crash.
 *
 * 1. After 1 MiB of 4 KiB writes and a burst of creates (dozens of dirty
 *    metadata blocks), vfs_sync must take one FLUSH, one FUA write (the
 *    commit block) and at most three other writes (journal superblock,
 *    descriptors and copies gathered into the stage: one write per
 *    EXT4_JSTAGE_BYTES), however many blocks it carries; the protocol of one
 *    write per block and four flushes fails here.
 * 2. Transactions committed one after the other stay in the journal (no
 *    checkpoint per commit): a "crash" after the last fsync (every later
 *    write dropped), then replay by our mount and, on a copy, by e2fsck; all
 *    files intact, e2fsck -fn clean. debugfs's logdump must see at least
 *    three commit blocks.
 * 3. Freed metadata reused as file data: a directory's blocks committed,
 *    the directory removed, the disk filled with a file (which takes the
 *    freed blocks), fsync, crash: neither replay may bring the directory
 *    blocks back over the file's bytes (the commit that frees a block the
 *    journal holds checkpoints, emptying the journal).
 */
static uint8_t gc_pat(uint32_t file, uint64_t off)
{
	return (uint8_t)(file * 31 + off * 7 + (off >> 10));
}

static int gc_write_file(struct vfs *fs, uint64_t dir, const char *name, uint32_t id,
			 uint64_t bytes, uint64_t *ino, uint64_t *written)
{
	static uint8_t buf[4096];
	struct vfs_attr a;
	uint64_t off = 0;
	int err = vfs_mknod(fs, dir, name, strlen(name), S_IFREG | 0644, 0, 0, 0, &a);

	if (err)
		return err;
	*ino = a.ino;
	for (; off < bytes; off += sizeof(buf)) {
		long n;
		for (uint32_t k = 0; k < sizeof(buf); k++)
			buf[k] = gc_pat(id, off + k);
		n = vfs_write(fs, a.ino, off, buf, sizeof(buf));
		if (n == -ENOSPC)
			break;
		if (n >= 0 && n < (long)sizeof(buf)) {
			off += (uint64_t)n;
			*written = off;
			return 0;
		}
		if (n != (long)sizeof(buf))
			return n < 0 ? (int)n : -EIO;
	}
	*written = off;
	return 0;
}

static int gc_check_file(struct vfs *fs, uint64_t dir, const char *name, uint32_t id, uint64_t bytes)
{
	static uint8_t buf[4096];
	struct vfs_attr a;
	int err = vfs_lookup(fs, dir, name, strlen(name), &a);

	if (err)
		return err;
	if (a.size != bytes) {
		fprintf(stderr, "  %s: size %llu, want %llu\n", name, (unsigned long long)a.size,
			(unsigned long long)bytes);
		return -EBADMSG;
	}
	for (uint64_t off = 0; off < bytes; off += sizeof(buf)) {
		uint32_t n = bytes - off < sizeof(buf) ? (uint32_t)(bytes - off) : (uint32_t)sizeof(buf);
		if (vfs_read(fs, a.ino, off, buf, n) != (long)n)
			return -EIO;
		for (uint32_t k = 0; k < n; k++)
			if (buf[k] != gc_pat(id, off + k)) {
				fprintf(stderr, "  %s: byte %llu differs\n", name, (unsigned long long)(off + k));
				return -EBADMSG;
			}
	}
	return 0;
}

/* The image after a crash: our replay on one copy, e2fsck's on another;
 * check(fs) on each. */
static void gc_replay_both(int (*check)(struct vfs *fs), const char *what)
{
	char copy[400], saved[512];
	struct vfs *fs;
	int err;

	snprintf(copy, sizeof(copy), "%s/crashed-copy", workdir);
	snprintf(saved, sizeof(saved), "%s", cur_img);
	CHECK(run("cp %s %s", cur_img, copy) == 0, "cp");
	OK(mount_img(&fs));
	err = check(fs);
	CHECK(err == 0, "%s: after our replay: %d", what, err);
	OK(umount_img(fs));
	CHECK(fsck_clean(), "%s: fsck after our replay", what);
	snprintf(cur_img, sizeof(cur_img), "%s", copy);
	{
		int r = run("e2fsck -fp %s >%s/fsck-p.log 2>&1", cur_img, workdir);
		if (r > 1)
			run("cat %s/fsck-p.log >&2", workdir);
		CHECK(r <= 1, "%s: e2fsck -p exit %d", what, r);
	}
	CHECK(fsck_clean(), "%s: fsck after e2fsck's replay", what);
	OK(mount_img(&fs));
	err = check(fs);
	CHECK(err == 0, "%s: after e2fsck's replay: %d", what, err);
	OK(umount_img(fs));
	snprintf(cur_img, sizeof(cur_img), "%s", saved);
}

static uint64_t gc_big, gc_fill;

static int gc_check_tx(struct vfs *fs)
{
	struct vfs_attr d;
	char name[32];
	int err = vfs_lookup(fs, 2, NAME("g"), &d);

	for (uint32_t i = 0; !err && i < 6; i++) {
		snprintf(name, sizeof(name), "t%u", i);
		err = gc_check_file(fs, d.ino, name, i, 8192 * (i + 1));
	}
	return err;
}

static int gc_check_reuse(struct vfs *fs)
{
	struct vfs_attr d;
	int err = vfs_lookup(fs, 2, NAME("g"), &d);

	if (!err && vfs_lookup(fs, d.ino, NAME("victim"), &d) != -ENOENT)
		return -EEXIST;
	if (!err)
		err = gc_check_file(fs, 2, "fill1", 98, gc_big);
	return err ? err : gc_check_file(fs, 2, "fill", 99, gc_fill);
}

void t_group_commit(void)
{
	struct blockdev_file bf;
	struct blockdev_fault f;
	struct vfs *fs;
	struct vfs_attr d, v, a;
	uint64_t ino, got;
	long w0, fl0, fua0, sec0;
	struct vfs_pcache_stats pc0, pc1;
	char name[64], out[65536];

	/* 1. the cost of one commit */
	CHECK(make_image(variant_opts, "32M") == 0, "mke2fs");
	OK(blockdev_file_open(&bf, cur_img, 0));
	blockdev_fault_init(&f, &bf.bd, 0, 0);
	OK(vfs_mount(&fs, &f.bd, 0));
	OK(vfs_mkdir(fs, 2, NAME("g"), 0755, 0, 0, &d));
	OK(gc_write_file(fs, d.ino, "big", 7, 1 << 20, &ino, &got));
	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "c%02d", i);
		OK(vfs_mknod(fs, d.ino, name, strlen(name), S_IFREG | 0644, 0, 0, 0, &a));
	}
	w0 = f.writes;
	fl0 = f.flushes;
	fua0 = f.fua_writes;
	sec0 = f.sectors_written;
	vfs_pcache_get_stats(&pc0);
	OK(vfs_sync(fs));
	vfs_pcache_get_stats(&pc1);
	/* the file's data goes out first (write-back, ordered mode), in runs
	 * the page cache counts; the journal's own writes are the rest */
	fprintf(stderr, "  one commit: %ld writes (%ld FUA, %ld of file data) of %ld sectors, %ld flushes\n",
		f.writes - w0, f.fua_writes - fua0, (long)(pc1.wb_writes - pc0.wb_writes),
		f.sectors_written - sec0, f.flushes - fl0);
	CHECK(f.flushes - fl0 == 1, "%ld flushes in one commit", f.flushes - fl0);
	CHECK(f.fua_writes - fua0 == 1, "%ld FUA writes in one commit", f.fua_writes - fua0);
	CHECK(f.writes - w0 - (long)(pc1.wb_writes - pc0.wb_writes) <= 4, "%ld device writes in one commit",
	      f.writes - w0);
	CHECK((f.sectors_written - sec0) * 512 >= 8 * 1024, "a commit of only %ld sectors",
	      f.sectors_written - sec0);
	/* a second commit right after: the journal is not reset between them */
	OK(vfs_mknod(fs, d.ino, NAME("one-more"), S_IFREG | 0644, 0, 0, 0, &a));
	w0 = f.writes;
	fl0 = f.flushes;
	OK(vfs_sync(fs));
	CHECK(f.flushes - fl0 == 1 && f.writes - w0 <= 3, "second commit: %ld writes, %ld flushes",
	      f.writes - w0, f.flushes - fl0);
	OK(vfs_unmount(fs));
	blockdev_file_close(&bf);
	CHECK(fsck_clean(), "fsck after the counted commits");

	/* 2. several transactions in the journal at a crash */
	CHECK(make_image(variant_opts, "32M") == 0, "mke2fs");
	OK(blockdev_file_open(&bf, cur_img, 0));
	blockdev_fault_init(&f, &bf.bd, 0, 0);
	OK(vfs_mount(&fs, &f.bd, 0));
	OK(vfs_mkdir(fs, 2, NAME("g"), 0755, 0, 0, &d));
	for (uint32_t i = 0; i < 6; i++) {
		snprintf(name, sizeof(name), "t%u", i);
		OK(gc_write_file(fs, d.ino, name, i, 8192 * (i + 1), &ino, &got));
		OK(vfs_fsync(fs, ino, 0));
	}
	f.cut_after = f.writes;	/* the power goes: nothing more lands */
	vfs_unmount(fs);
	blockdev_file_close(&bf);
	CHECK(debugfs_out("logdump", out, sizeof(out)) > 0, "debugfs logdump");
	{
		int commits = 0;
		for (const char *p = out; (p = strstr(p, "commit block")) != NULL; p++)
			commits++;
		fprintf(stderr, "  crash with %d commit blocks in the journal\n", commits);
		CHECK(commits >= 3, "only %d commit blocks in the journal at the crash:\n%s", commits, out);
	}
	gc_replay_both(gc_check_tx, "several transactions");
	if (cur_failed)
		return;

	/* 3. freed metadata blocks reused as data: the disk filled but for a
	 * little, a remount (journal empty), a directory of 100 entries
	 * committed, then removed and committed (still within a quarter of the
	 * journal: only the free makes it checkpoint), then a second file
	 * takes every free block, the directory's among them */
	CHECK(make_image(variant_opts, "8M") == 0, "mke2fs");
	OK(blockdev_file_open(&bf, cur_img, 0));
	blockdev_fault_init(&f, &bf.bd, 0, 0);
	OK(vfs_mount(&fs, &f.bd, 0));
	OK(vfs_mkdir(fs, 2, NAME("g"), 0755, 0, 0, &d));
	{
		struct vfs_statfs st;
		OK(vfs_statfs(fs, &st));
		gc_big = (st.bfree * st.bsize - (192 << 10)) & ~(uint64_t)4095;
	}
	OK(gc_write_file(fs, 2, "fill1", 98, gc_big, &ino, &got));
	CHECK(got == gc_big, "fill1: %llu of %llu bytes", (unsigned long long)got, (unsigned long long)gc_big);
	OK(vfs_unmount(fs));
	OK(vfs_mount(&fs, &f.bd, 0));
	OK(vfs_lookup(fs, 2, NAME("g"), &d));
	OK(vfs_mkdir(fs, d.ino, NAME("victim"), 0755, 0, 0, &v));
	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "a-rather-long-entry-name-%04d", i);
		OK(vfs_mknod(fs, v.ino, name, strlen(name), S_IFREG | 0644, 0, 0, 0, &a));
	}
	OK(vfs_sync(fs));
	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "a-rather-long-entry-name-%04d", i);
		OK(vfs_unlink(fs, v.ino, name, strlen(name)));
	}
	OK(vfs_rmdir(fs, d.ino, NAME("victim")));
	OK(vfs_evict(fs, v.ino));	/* the last reference: its blocks are freed */
	idle_all(fs);
	OK(vfs_sync(fs));
	OK(gc_write_file(fs, 2, "fill", 99, 64 << 20, &ino, &gc_fill));
	OK(vfs_fsync(fs, ino, 0));
	f.cut_after = f.writes;
	vfs_unmount(fs);
	blockdev_file_close(&bf);
	fprintf(stderr, "  %llu KiB of data written after freeing the directory\n",
		(unsigned long long)(gc_fill >> 10));
	gc_replay_both(gc_check_reuse, "freed metadata reused as data");
}

/* vfs_checkpoint (DESTROY, a device reset) leaves the image as an unmount
 * does: a tool that does not replay the journal (debugfs) sees what was
 * written while the filesystem is still mounted; vfs_sync alone leaves the
 * new name in the journal only. */
void t_checkpoint(void)
{
	struct vfs *fs;
	struct vfs_attr a;
	char out[4096];

	CHECK(make_image(variant_opts, "32M") == 0, "mke2fs");
	OK(mount_img(&fs));
	OK(vfs_mknod(fs, 2, NAME("synced"), S_IFREG | 0644, 0, 0, 0, &a));
	CHECK(vfs_write(fs, a.ino, 0, "journal only", 12) == 12, "write");
	OK(vfs_sync(fs));
	debugfs_out("cat /synced", out, sizeof(out));
	CHECK(strcmp(out, "journal only") != 0, "after vfs_sync the name is in the journal only (no checkpoint)");
	OK(vfs_mknod(fs, 2, NAME("home"), S_IFREG | 0644, 0, 0, 0, &a));
	CHECK(vfs_write(fs, a.ino, 0, "written home", 12) == 12, "write");
	OK(vfs_checkpoint(fs));
	debugfs_out("cat /home", out, sizeof(out));
	CHECK(strcmp(out, "written home") == 0, "after vfs_checkpoint debugfs reads /home: '%s'", out);
	debugfs_out("cat /synced", out, sizeof(out));
	CHECK(strcmp(out, "journal only") == 0, "after vfs_checkpoint debugfs reads /synced: '%s'", out);
	OK(umount_img(fs));
	CHECK(fsck_clean(), "fsck");
}
