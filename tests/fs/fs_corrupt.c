/* Filesystem tests of damaged images: a bad superblock magic, a bad group
 * descriptor checksum, an unsupported feature and a corrupt directory block
 * (refused with the image left untouched); random bytes flipped in the
 * metadata of a populated image, and in the blocks of a journal that needs
 * recovery. Mounting and using these may fail but must never crash, hang
 * or trip the sanitizers. */
#define _GNU_SOURCE
#include "cases.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

void t_corrupt(void)
{
	struct vfs *fs;
	struct vfs_attr a, d;
	char before[64], after[64], out[4096];
	int err;

	/* bad superblock magic */
	CHECK(make_image(variant_opts, "32M") == 0, "mke2fs");
	CHECK(run("printf '\\x00\\x00' | dd of=%s bs=1 seek=1080 conv=notrunc 2>/dev/null", cur_img) == 0, "dd");
	md5_of(before);
	err = mount_img(&fs);
	CHECK(err == -EINVAL, "bad magic: %d", err);
	CHECK(strstr(vfs_last_error(NULL), "magic"), "message: %s", vfs_last_error(NULL));
	md5_of(after);
	CHECK(!strcmp(before, after), "image unchanged");

	/* bad group descriptor checksum (only when the fs has checksums) */
	CHECK(make_image(variant_opts, "32M") == 0, "mke2fs");
	debugfs_out("stats", out, sizeof(out));
	if (has(out, "metadata_csum") || has(out, "uninit_bg")) {
		char cmd[64];
		uint32_t bs = (uint32_t)atoi(strstr(out, "Block size:") + 11);
		snprintf(cmd, sizeof(cmd), "%u", bs == 1024 ? 2048 + 0x1e : bs + 0x1e);
		CHECK(run("printf '\\xAA\\x55' | dd of=%s bs=1 seek=%s conv=notrunc 2>/dev/null", cur_img, cmd) == 0, "dd");
		md5_of(before);
		err = mount_img(&fs);
		CHECK(err == -EUCLEAN, "bad gdt csum: %d", err);
		CHECK(strstr(vfs_last_error(NULL), "checksum"), "message: %s", vfs_last_error(NULL));
		md5_of(after);
		CHECK(!strcmp(before, after), "image unchanged");
	}

	/* unknown incompatible feature */
	CHECK(make_image("-O inline_data", "32M") == 0, "mke2fs");
	err = mount_img(&fs);
	CHECK(err == -EINVAL && strstr(vfs_last_error(NULL), "inline_data"), "inline_data: %d %s", err, vfs_last_error(NULL));

	/* corrupt directory block */
	CHECK(make_image(variant_opts, "32M") == 0, "mke2fs");
	OK(mount_img(&fs));
	OK(vfs_mkdir(fs, 2, NAME("dir"), 0755, 0, 0, &d));
	OK(vfs_mknod(fs, d.ino, NAME("x"), S_IFREG | 0644, 0, 0, 0, &a));
	OK(umount_img(fs));
	{
		char *p;
		unsigned long blk;
		debugfs_out("blocks /dir", out, sizeof(out));
		blk = strtoul(out, &p, 10);
		debugfs_out("stats", out, sizeof(out));
		unsigned bs = (unsigned)atoi(strstr(out, "Block size:") + 11);
		CHECK(run("printf '\\x03\\x00' | dd of=%s bs=1 seek=%lu conv=notrunc 2>/dev/null", cur_img,
			  blk * bs + 12 + 4) == 0, "dd");
	}
	/* a read-write mount writes the superblock's mount time and count (as
	 * Linux does): the image must not change after that */
	OK(mount_img(&fs));
	md5_of(before);
	err = vfs_lookup(fs, d.ino, NAME("x"), &a);
	CHECK(err == -EUCLEAN, "corrupt dir lookup: %d", err);
	err = vfs_mknod(fs, d.ino, NAME("y"), S_IFREG | 0644, 0, 0, 0, &a);
	CHECK(err == -EUCLEAN || err == -EROFS, "corrupt dir create: %d", err);
	umount_img(fs);
	md5_of(after);
	CHECK(!strcmp(before, after), "image unchanged after corrupt dir");
}

/* Visits every entry below dir (to depth 6, 3000 entries a directory),
 * reading, listing xattrs and following subdirectories; errors are ignored:
 * on a damaged image it only has to survive. */
static int walk_depth;
/* entries walk() found and looked up: how far the parsers got into an image */
static long walk_entries;

static int walk_fill(void *c, const char *name, size_t len, uint64_t ino, unsigned dtype, uint64_t next);

void walk(struct vfs *fs, uint64_t dir, int depth)
{
	struct { struct vfs *fs; uint64_t dir; int depth; int n; } c = { fs, dir, depth, 0 };

	if (depth > 6)
		return;
	vfs_readdir(fs, dir, 0, walk_fill, &c);
}

static int walk_fill(void *cv, const char *name, size_t len, uint64_t ino, unsigned dtype, uint64_t next)
{
	struct { struct vfs *fs; uint64_t dir; int depth; int n; } *c = cv;
	struct vfs_attr a;
	static char buf[70000];
	(void)ino; (void)dtype; (void)next;
	if (++c->n > 3000)
		return 1;
	if (vfs_lookup(c->fs, c->dir, name, len, &a))
		return 0;
	walk_entries++;
	vfs_listxattr(c->fs, a.ino, buf, sizeof(buf));
	vfs_getxattr(c->fs, a.ino, "user.a", buf, sizeof(buf));
	if ((a.mode & S_IFMT) == S_IFREG) {
		uint64_t r;
		vfs_read(c->fs, a.ino, 0, buf, sizeof(buf));
		vfs_lseek(c->fs, a.ino, 0, 4, &r);
	} else if ((a.mode & S_IFMT) == S_IFLNK) {
		vfs_readlink(c->fs, a.ino, buf, sizeof(buf));
	} else if ((a.mode & S_IFMT) == S_IFDIR && !(len == 1 && name[0] == '.') &&
		   !(len == 2 && name[0] == '.' && name[1] == '.')) {
		walk_depth++;
		walk(c->fs, a.ino, c->depth + 1);
	}
	return 0;
}

/* Coverage floors of the two fuzz cases, below what every mke2fs variant
 * reaches (the lowest counts measured are in the case's output). */
#define FUZZ_MIN_MOUNTED		40
#define FUZZ_MIN_ENTRIES		5000
#define FUZZ_JOURNAL_MIN_MOUNTED	15

/* Corrupted images: random bytes flipped in the metadata area of a
 * populated image; mounting and using it may fail but must never crash,
 * hang or trip the sanitizers. */
void t_fuzz(void)
{
	struct vfs *fs;
	struct vfs_attr a, d, x;
	char saved[600], name[64];
	static char buf[20000];
	int mounted = 0;

	CHECK(make_image(variant_opts, "8M") == 0, "mke2fs");
	OK(mount_img(&fs));
	OK(vfs_mkdir(fs, 2, NAME("d"), 0755, 0, 0, &d));
	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "file-%d-name", i);
		OK(vfs_mknod(fs, d.ino, name, strlen(name), S_IFREG | 0644, 0, 0, 0, &a));
		if (i % 10 == 0) {
			memset(buf, i, sizeof(buf));
			OK(vfs_write(fs, a.ino, (uint64_t)i * 3000, buf, (size_t)(i * 37 % sizeof(buf))));
			OK(vfs_setxattr(fs, a.ino, "user.a", buf, (size_t)(i % 700), 0));
		}
	}
	OK(vfs_symlink(fs, 2, NAME("ln"), NAME("d/file-1-name"), 0, 0, &a));
	memset(buf, 'l', 300);
	OK(vfs_symlink(fs, 2, NAME("ln2"), buf, 300, 0, 0, &a));
	OK(vfs_mknod(fs, 2, NAME("sparse"), S_IFREG | 0644, 0, 0, 0, &a));
	for (int i = 0; i < 200; i++)
		OK(vfs_write(fs, a.ino, (uint64_t)i * 9000, "x", 1));
	OK(umount_img(fs));
	snprintf(saved, sizeof(saved), "%s/fuzzbase", workdir);
	CHECK(run("cp %s %s", cur_img, saved) == 0, "cp");
	rnd_state = 4242;
	walk_entries = 0;
	for (int it = 0; it < 80; it++) {
		FILE *f;
		CHECK(run("cp %s %s", saved, cur_img) == 0, "cp");
		f = fopen(cur_img, "r+b");
		CHECK(f, "open");
		for (int k = 0; k < 8 + it * 4; k++) {
			/* the first 1.5 MiB holds the metadata of this small image */
			long off = (long)(rnd() % (1536 * 1024));
			unsigned char v = (unsigned char)rnd();
			if (it % 3 == 0 && off >= 1024 && off < 2048)
				continue;	/* keep the superblock sometimes */
			fseek(f, off, SEEK_SET);
			fputc(v, f);
		}
		fclose(f);
		if (mount_img(&fs) != 0)
			continue;
		mounted++;
		walk(fs, 2, 0);
		vfs_mknod(fs, 2, NAME("new"), S_IFREG | 0644, 0, 0, 0, &x);
		vfs_write(fs, x.ino, 0, buf, 5000);
		if (vfs_lookup(fs, 2, NAME("d"), &d) == 0) {
			vfs_unlink(fs, d.ino, NAME("file-10-name"));
			vfs_mkdir(fs, d.ino, NAME("sub"), 0755, 0, 0, &x);
			vfs_rename(fs, d.ino, NAME("file-20-name"), 2, NAME("moved"), 0);
		}
		umount_img(fs);
	}
	/* Coverage floor: damaged images that mounted, and entries the walk
	 * reached in them, so the parsers behind the checksums were exercised
	 * (not just the superblock check refusing every image). */
	fprintf(stderr, "  %d of 80 corrupted images mounted, %ld entries reached in them\n", mounted, walk_entries);
	CHECK(mounted >= FUZZ_MIN_MOUNTED && walk_entries >= FUZZ_MIN_ENTRIES,
	      "fuzz coverage: %d images mounted (floor %d), %ld entries reached (floor %d)",
	      mounted, FUZZ_MIN_MOUNTED, walk_entries, FUZZ_MIN_ENTRIES);
}

/* A journal that needs recovery, with random bytes flipped in its first
 * blocks: mount may refuse or replay, never crash or hang. */
void t_fuzz_journal(void)
{
	struct vfs *fs;
	char cmds[1024], out[8192], saved[600];
	static char d1[8192];
	FILE *f;
	unsigned long jblk[16];
	int nj = 0, mounted = 0;
	unsigned bs;
	const char *c = strstr(variant_opts, "metadata_csum") ? "" : " -c";

	CHECK(make_image(variant_opts, "32M") == 0, "mke2fs");
	snprintf(out, sizeof(out), "%s/d1", workdir);
	f = fopen(out, "wb");
	fwrite(d1, 1, sizeof(d1), f);
	fclose(f);
	snprintf(cmds, sizeof(cmds), "%s/jcmds", workdir);
	f = fopen(cmds, "w");
	fprintf(f, "jo%s\njw -b 300,301,5000 %s/d1\njc\njo%s\njw -b 5002 %s/d1\njc\njo%s\njw -r 5002\njc\n",
		c, workdir, c, workdir, c);
	fclose(f);
	CHECK(run("debugfs -w -f %s %s >/dev/null 2>&1", cmds, cur_img) == 0, "debugfs journal write");
	debugfs_out("stats", out, sizeof(out));
	bs = (unsigned)atoi(strstr(out, "Block size:") + 11);
	debugfs_out("blocks <8>", out, sizeof(out));
	for (char *p = out; nj < 12 && *p;) {
		char *e;
		unsigned long v = strtoul(p, &e, 10);
		if (e == p)
			break;
		jblk[nj++] = v;
		p = e;
	}
	CHECK(nj >= 10, "journal blocks: %s", out);
	snprintf(saved, sizeof(saved), "%s/pristine", workdir);
	CHECK(run("cp %s %s", cur_img, saved) == 0, "cp");
	rnd_state = 777;
	walk_entries = 0;
	for (int it = 0; it < 40; it++) {
		CHECK(run("cp %s %s", saved, cur_img) == 0, "cp");
		f = fopen(cur_img, "r+b");
		for (int k = 0; k < 1 + it % 6; k++) {
			unsigned long b = jblk[rnd() % (uint32_t)nj];
			long off = (long)(b * bs + (it % 2 ? rnd() % 64 : rnd() % bs));
			fseek(f, off, SEEK_SET);
			fputc((int)(rnd() & 0xff), f);
		}
		fclose(f);
		if (mount_img(&fs) != 0)
			continue;
		mounted++;
		walk(fs, 2, 0);
		umount_img(fs);
	}
	fprintf(stderr, "  %d of 40 damaged journals mounted, %ld entries reached in them\n", mounted, walk_entries);
	CHECK(mounted >= FUZZ_JOURNAL_MIN_MOUNTED, "fuzz_journal coverage: %d damaged journals mounted (floor %d)",
	      mounted, FUZZ_JOURNAL_MIN_MOUNTED);
}

/* The system zone: a file whose extent points into the inode table (a
 * checksum-correct inode, so only the check itself stops it). READ and
 * WRITE are refused as corruption and the inode table is never written;
 * a block bitmap that marks the inode table free makes the next allocation
 * refuse rather than hand it out. */
void t_syszone(void)
{
	struct vfs *fs;
	struct vfs_attr a;
	char out[8192];
	uint8_t buf[4096];
	uint64_t target;
	uint32_t bs;
	int err;

	run("mkdir -p %s/sz && printf 'hello, extents' > %s/sz/f", workdir, workdir);
	{
		char o[256];

		snprintf(o, sizeof(o), "%s -d %s/sz", variant_opts, workdir);
		CHECK(make_image(o, "32M") == 0, "mke2fs");
	}
	CHECK(debugfs_out("stats", out, sizeof(out)) > 0 && has(out, "inode table at "), "debugfs stats");
	bs = (uint32_t)atoi(strstr(out, "Block size:") + 11);
	/* the inode table's second block: inodes nobody uses yet */
	target = strtoull(strstr(out, "inode table at ") + 15, NULL, 10) + 1;
	/* the file's first extent (i_block words 3..5: block, len|start_hi, start_lo) */
	CHECK(run("debugfs -w -R 'sif /f block[5] %llu' %s >/dev/null 2>&1", (unsigned long long)target, cur_img) == 0,
	      "debugfs sif");
	CHECK(run("e2fsck -fn %s >/dev/null 2>&1", cur_img) != 0, "e2fsck sees the bad extent too");
	run("dd if=%s bs=%u skip=%llu count=1 2>/dev/null | md5sum > %s/sz.before", cur_img, bs,
	    (unsigned long long)target, workdir);
	OK(mount_img(&fs));
	err = vfs_lookup(fs, 2, NAME("f"), &a);
	CHECK(err == 0, "lookup f: %d", err);
	err = (int)vfs_read(fs, a.ino, 0, buf, sizeof(buf));
	CHECK(err == -EUCLEAN && strstr(vfs_last_error(fs), "metadata"), "read through an extent into the inode table: %d %s",
	      err, vfs_last_error(fs));
	err = (int)vfs_write(fs, a.ino, 0, "overwrite", 9);
	CHECK(err < 0, "write through it refused: %d", err);
	umount_img(fs);
	run("dd if=%s bs=%u skip=%llu count=1 2>/dev/null | md5sum > %s/sz.after", cur_img, bs,
	    (unsigned long long)target, workdir);
	CHECK(run("cmp -s %s/sz.before %s/sz.after", workdir, workdir) == 0, "the inode table block was not written");

	/* an extent that starts in the gap between two metadata ranges that
	 * the last look found clear (the system zone remembers it), and runs
	 * on into the next group's superblock copy: still refused */
	run("mkdir -p %s/sz2 && printf 'hello, extents' > %s/sz2/f && printf 'good' > %s/sz2/g", workdir, workdir,
	    workdir);
	{
		char o[256];
		uint64_t first, bpg, total, gblk;
		const char *p;

		snprintf(o, sizeof(o), "%s -d %s/sz2", variant_opts, workdir);
		CHECK(make_image(o, "32M") == 0, "mke2fs");
		CHECK(debugfs_out("stats", out, sizeof(out)) > 0 && (p = strstr(out, "Blocks per group:")), "stats");
		bpg = strtoull(p + 17, NULL, 10);
		first = strtoull(strstr(out, "First block:") + 12, NULL, 10);
		total = strtoull(strstr(out, "Block count:") + 12, NULL, 10);
		CHECK(debugfs_out("blocks /g", out, sizeof(out)) > 0, "debugfs blocks /g");
		gblk = strtoull(out, NULL, 10);
		if (first + bpg + 1 < total && gblk && gblk < first + bpg && first + bpg + 1 - gblk < 32768) {
			CHECK(run("debugfs -w -R 'sif /f block[5] %llu' %s >/dev/null 2>&1", (unsigned long long)gblk,
				  cur_img) == 0, "debugfs sif start");
			CHECK(run("debugfs -w -R 'sif /f block[4] %llu' %s >/dev/null 2>&1",
				  (unsigned long long)(first + bpg + 1 - gblk), cur_img) == 0, "debugfs sif len");
			OK(mount_img(&fs));
			OK(vfs_lookup(fs, 2, NAME("g"), &a));
			CHECK(vfs_read(fs, a.ino, 0, buf, sizeof(buf)) == 4 && !memcmp(buf, "good", 4), "read g");
			OK(vfs_lookup(fs, 2, NAME("f"), &a));
			err = (int)vfs_read(fs, a.ino, 0, buf, sizeof(buf));
			CHECK(err == -EUCLEAN && strstr(vfs_last_error(fs), "metadata"),
			      "read through an extent from g's gap into group 1's superblock: %d %s", err,
			      vfs_last_error(fs));
			umount_img(fs);
		}
	}

	/* a block bitmap that frees inode-table blocks: allocation refuses
	 * instead of handing them out (at the write, or at the fsync that
	 * allocates the write's delayed blocks) */
	CHECK(make_image(variant_opts, "32M") == 0, "mke2fs");
	CHECK(debugfs_out("stats", out, sizeof(out)) > 0 && has(out, "inode table at "), "debugfs stats");
	target = strtoull(strstr(out, "inode table at ") + 15, NULL, 10);
	CHECK(run("debugfs -w -R 'freeb %llu 64' %s >/dev/null 2>&1", (unsigned long long)target, cur_img) == 0, "freeb");
	OK(mount_img(&fs));
	{
		int refused = 0;

		for (int i = 0; i < 64 && !refused; i++) {
			char name[16];
			struct vfs_attr f;

			snprintf(name, sizeof(name), "g%d", i);
			err = vfs_mknod(fs, 2, name, strlen(name), S_IFREG | 0644, 0, 0, 0, &f);
			if (!err)
				err = (int)vfs_write(fs, f.ino, 0, buf, sizeof(buf));
			if (err >= 0)
				err = vfs_fsync(fs, f.ino, 0);
			if (err < 0)
				refused = err;
		}
		CHECK(refused == -EUCLEAN && strstr(vfs_last_error(fs), "metadata"),
		      "allocation from a bitmap that frees the inode table refused: %d %s", refused, vfs_last_error(fs));
	}
	umount_img(fs);
	CHECK(run("debugfs -R 'stat <2>' %s 2>/dev/null | grep -q 'Type: directory'", cur_img) == 0,
	      "root inode intact after the refused allocation");
}

/* Compatible features: the ones the firmware knows are named and handled;
 * a bit it does not know keeps it read-only, by its value. */
void t_compat_features(void)
{
	struct vfs *fs;
	int err;

	/* sparse_super2: backups only in the groups the superblock names */
	CHECK(make_image("-O sparse_super2", "64M") == 0, "mke2fs sparse_super2");
	OK(mount_img(&fs));
	{
		struct vfs_attr f;

		OK(vfs_mknod(fs, 2, NAME("s2"), S_IFREG | 0644, 0, 0, 0, &f));
		CHECK(vfs_write(fs, f.ino, 0, "x", 1) == 1, "write on sparse_super2");
	}
	OK(umount_img(fs));
	CHECK(fsck_clean(), "fsck after writes on sparse_super2");

	/* an unknown compatible bit: refused read-write, named by value */
	CHECK(make_image(variant_opts, "32M") == 0, "mke2fs");
	CHECK(run("debugfs -w -R 'feature FEATURE_C14' %s >/dev/null 2>&1", cur_img) == 0, "debugfs feature FEATURE_C14");
	err = mount_img(&fs);
	CHECK(err == -EINVAL && strstr(vfs_last_error(NULL), "compatible features"), "unknown compat bit: %d %s",
	      err, vfs_last_error(NULL));
}

/* A block reached as two kinds of structure: a directory whose extent
 * points at a file's extent-tree block. Read first as the file's (checked
 * as an extent block), it must still be checked as a directory block before
 * readdir parses it (found by test-fuzz-ext4: the entries' walk never
 * ended on a record length of 0). */
void t_cross_kind(void)
{
	struct vfs *fs;
	struct vfs_attr a, d;
	char out[8192];
	uint8_t buf[4096];
	unsigned long long leaf;
	int err;

	run("rm -rf %s/ck && mkdir -p %s/ck/d && echo x > %s/ck/d/f", workdir, workdir, workdir);
	run("cd %s/ck && for i in 0 1 2 3 4 5 6 7; do printf 'x' | dd of=big bs=1k seek=$((i * 40)) conv=notrunc 2>/dev/null; done",
	    workdir);
	{
		char o[256];

		snprintf(o, sizeof(o), "%s -d %s/ck", variant_opts, workdir);
		CHECK(make_image(o, "32M") == 0, "mke2fs");
	}
	/* the big file's extent tree has depth 1: its leaf block */
	CHECK(debugfs_out("stat /big", out, sizeof(out)) > 0 && has(out, "(ETB0):"), "big has an extent block");
	leaf = strtoull(strstr(out, "(ETB0):") + 7, NULL, 10);
	CHECK(run("debugfs -w -R 'sif /d block[5] %llu' %s >/dev/null 2>&1", leaf, cur_img) == 0, "debugfs sif");
	OK(mount_img(&fs));
	OK(vfs_lookup(fs, 2, NAME("big"), &a));
	CHECK(vfs_read(fs, a.ino, 0, buf, sizeof(buf)) == (long)sizeof(buf), "read big (its extent block checked)");
	OK(vfs_lookup(fs, 2, NAME("d"), &d));
	{
		struct rd_ctx c;

		memset(&c, 0, sizeof(c));
		err = vfs_readdir(fs, d.ino, 0, rd_fill, &c);
		CHECK(err == -EUCLEAN, "readdir of a directory whose block is an extent block: %d (%s)", err,
		      vfs_last_error(fs));
	}
	umount_img(fs);
}
