/* Filesystem tests: each makes a fresh image with mke2fs, works through
 * vfs.h, unmounts, and checks the image with e2fsck -fn and debugfs. */
#define _GNU_SOURCE
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *variant_opts = "";
static int small_inode;

#define NAME(s) s, strlen(s)

static void t_mount_basic(void)
{
	struct vfs *fs;
	struct vfs_attr a;

	CHECK(make_image(variant_opts, "32M") == 0, "mke2fs");
	OK(mount_img(&fs));
	OK(vfs_getattr(fs, vfs_root(fs), &a));
	CHECK((a.mode & S_IFMT) == S_IFDIR, "root mode %o", a.mode);
	OK(vfs_lookup(fs, 2, NAME("lost+found"), &a));
	OK(umount_img(fs));
	CHECK(fsck_clean(), "fsck");
}

static void t_create_write(void)
{
	struct vfs *fs;
	struct vfs_attr a;
	char buf[8192], out[65536];

	CHECK(make_image(variant_opts, "32M") == 0, "mke2fs");
	OK(mount_img(&fs));
	OK(vfs_mknod(fs, 2, NAME("hello.txt"), S_IFREG | 0644, 0, 1000, 1000, &a));
	for (int i = 0; i < (int)sizeof(buf); i++)
		buf[i] = (char)('a' + i % 26);
	CHECK(vfs_write(fs, a.ino, 0, buf, sizeof(buf)) == (long)sizeof(buf), "write");
	CHECK(vfs_write(fs, a.ino, 100000, "tail", 4) == 4, "write2");
	OK(vfs_mkdir(fs, 2, NAME("dir"), 0755, 0, 0, &a));
	OK(umount_img(fs));
	CHECK(fsck_clean(), "fsck");
	debugfs_out("cat /hello.txt", out, sizeof(out));
	CHECK(memcmp(out, buf, sizeof(buf)) == 0, "content");
}


static int dump_cmp(const char *path, const void *want, size_t len)
{
	char req[1400], out[600];
	FILE *f;
	char *got;
	long n;
	int ok;

	snprintf(out, sizeof(out), "%s/dump.bin", workdir);
	unlink(out);
	snprintf(req, sizeof(req), "dump %s %s", path, out);
	debugfs_out(req, req, sizeof(req));
	f = fopen(out, "rb");
	if (!f)
		return 0;
	got = malloc(len + 1);
	n = (long)fread(got, 1, len + 1, f);
	fclose(f);
	ok = n == (long)len && memcmp(got, want, len) == 0;
	if (!ok)
		fprintf(stderr, "  dump %s: got %ld bytes, want %zu\n", path, n, len);
	free(got);
	return ok;
}

static int has(const char *hay, const char *needle)
{
	return strstr(hay, needle) != NULL;
}

struct rd_ctx { int n; char names[64][64]; uint64_t last_cookie; int stop_after; };

static int rd_fill(void *c, const char *name, size_t len, uint64_t ino, unsigned dtype, uint64_t next)
{
	struct rd_ctx *x = c;
	(void)ino; (void)dtype;
	if (x->n < 64) {
		memcpy(x->names[x->n], name, len < 63 ? len : 63);
		x->names[x->n][len < 63 ? len : 63] = 0;
	}
	x->n++;
	x->last_cookie = next;
	return x->stop_after && x->n >= x->stop_after;
}

static void t_ops(void)
{
	struct vfs *fs;
	struct vfs_attr a, d, f, l;
	struct vfs_setattr sa;
	struct vfs_statfs st;
	char out[16384], buf[300];
	char longt[200];
	uint64_t dir;

	CHECK(make_image(variant_opts, "32M") == 0, "mke2fs");
	OK(mount_img(&fs));
	OK(vfs_mkdir(fs, 2, NAME("d"), 0750, 1000, 100, &d));
	dir = d.ino;
	CHECK(d.nlink == 2, "nlink %u", d.nlink);
	OK(vfs_getattr(fs, 2, &a));
	CHECK(a.nlink == 4, "root nlink %u", a.nlink);
	OK(vfs_mknod(fs, dir, NAME("fifo"), S_IFIFO | 0644, 0, 0, 0, &a));
	OK(vfs_mknod(fs, dir, NAME("sock"), S_IFSOCK | 0644, 0, 0, 0, &a));
	OK(vfs_mknod(fs, dir, NAME("chr"), S_IFCHR | 0600, (5 << 8) | 1, 0, 0, &a));
	CHECK(a.rdev == ((5 << 8) | 1), "rdev %x", a.rdev);
	OK(vfs_mknod(fs, dir, NAME("blk"), S_IFBLK | 0600, (300 << 8) | 7, 0, 0, &a));
	OK(vfs_getattr(fs, a.ino, &a));
	CHECK(a.rdev == ((300 << 8) | 7), "big rdev %x", a.rdev);
	CHECK(vfs_mknod(fs, dir, NAME("fifo"), S_IFREG | 0644, 0, 0, 0, &a) == -EEXIST, "eexist");
	OK(vfs_symlink(fs, dir, NAME("fast"), NAME("target/short"), 0, 0, &l));
	memset(longt, 'x', sizeof(longt) - 1);
	longt[sizeof(longt) - 1] = 0;
	OK(vfs_symlink(fs, dir, NAME("slow"), longt, strlen(longt), 0, 0, &l));
	CHECK(vfs_readlink(fs, l.ino, buf, sizeof(buf)) == (int)strlen(longt), "readlink slow");
	CHECK(memcmp(buf, longt, strlen(longt)) == 0, "slow target");
	OK(vfs_lookup(fs, dir, NAME("fast"), &l));
	CHECK(vfs_readlink(fs, l.ino, buf, sizeof(buf)) == 12 && !memcmp(buf, "target/short", 12), "fast");
	OK(vfs_mknod(fs, dir, NAME("file"), S_IFREG | 0644, 0, 1234, 5678, &f));
	CHECK(vfs_write(fs, f.ino, 0, "hello world", 11) == 11, "write");
	OK(vfs_link(fs, f.ino, 2, NAME("hardlink"), &a));
	CHECK(a.nlink == 2, "link nlink %u", a.nlink);
	CHECK(vfs_link(fs, dir, 2, NAME("dirlink"), &a) == -EPERM, "link dir");
	/* setattr */
	memset(&sa, 0, sizeof(sa));
	sa.valid = VFS_SET_MODE | VFS_SET_UID | VFS_SET_GID | VFS_SET_MTIME | VFS_SET_ATIME;
	sa.mode = 0600; sa.uid = 70000; sa.gid = 80000;
	sa.mtime = 1500000000; sa.mtimensec = 123456789;
	sa.atime = 3000000000ull; sa.atimensec = 5;
	OK(vfs_setattr(fs, f.ino, &sa, &a));
	CHECK((a.mode & 07777) == 0600 && a.uid == 70000 && a.gid == 80000, "owner");
	CHECK(a.mtime == 1500000000 && (small_inode || a.mtimensec == 123456789), "mtime %llu.%u", (unsigned long long)a.mtime, a.mtimensec);
	CHECK(small_inode || (a.atime == 3000000000ull && a.atimensec == 5), "atime beyond 2038");
	sa.valid = VFS_SET_SIZE; sa.size = 5;
	OK(vfs_setattr(fs, f.ino, &sa, &a));
	sa.size = 20000;
	OK(vfs_setattr(fs, f.ino, &sa, &a));
	CHECK(a.size == 20000, "size");
	CHECK(vfs_read(fs, f.ino, 0, buf, 20) == 20 && !memcmp(buf, "hello\0\0\0\0\0", 10), "truncated read");
	sa.size = 7;
	OK(vfs_setattr(fs, f.ino, &sa, &a));
	/* xattrs: small (in inode) and big (block) */
	OK(vfs_setxattr(fs, f.ino, "user.small", "v1", 2, 0));
	memset(out, 'Q', 3000);
	OK(vfs_setxattr(fs, f.ino, "user.big", out, 600, 0));
	OK(vfs_setxattr(fs, f.ino, "trusted.t", "tt", 2, 0));
	CHECK(vfs_setxattr(fs, f.ino, "user.small", "v2", 2, 1) == -EEXIST, "xattr create");
	CHECK(vfs_setxattr(fs, f.ino, "user.none", "v2", 2, 2) == -ENODATA, "xattr replace");
	OK(vfs_setxattr(fs, f.ino, "user.small", "v22", 3, 2));
	CHECK(vfs_getxattr(fs, f.ino, "user.small", NULL, 0) == 3, "xattr size");
	CHECK(vfs_getxattr(fs, f.ino, "user.small", buf, 2) == -ERANGE, "erange");
	CHECK(vfs_getxattr(fs, f.ino, "user.small", buf, sizeof(buf)) == 3 && !memcmp(buf, "v22", 3), "get");
	CHECK(vfs_getxattr(fs, f.ino, "user.big", out + 4000, 1000) == 600, "get big");
	CHECK(vfs_listxattr(fs, f.ino, NULL, 0) == (long)(sizeof("user.small") + sizeof("user.big") + sizeof("trusted.t")), "list size");
	{
		char list[200];
		long n = vfs_listxattr(fs, f.ino, list, sizeof(list));
		CHECK(n > 0 && vfs_listxattr(fs, f.ino, list, 5) == -ERANGE, "list erange");
	}
	OK(vfs_setxattr(fs, dir, "user.dirattr", "x", 1, 0));
	OK(vfs_setxattr(fs, l.ino, "user.onlink", "y", 1, 0));
	OK(vfs_setxattr(fs, f.ino, "user.empty", NULL, 0, 0));
	CHECK(vfs_readlink(fs, l.ino, NULL, 0) == 12, "readlink size query");
	CHECK(vfs_getxattr(fs, f.ino, "user.empty", buf, sizeof(buf)) == 0, "empty xattr");
	OK(vfs_setxattr(fs, f.ino, "security.selinux", "ctx", 3, 0));
	OK(vfs_setxattr(fs, f.ino, "user.gone", "z", 1, 0));
	OK(vfs_removexattr(fs, f.ino, "user.gone"));
	CHECK(vfs_removexattr(fs, f.ino, "user.gone") == -ENODATA, "remove twice");
	CHECK(vfs_setxattr(fs, f.ino, "system.posix_acl_access", "z", 1, 0) == -EOPNOTSUPP, "acl");
	/* readdir with resume */
	{
		struct rd_ctx c = { .stop_after = 3 };
		struct rd_ctx c2 = { 0 };
		OK(vfs_readdir(fs, dir, 0, rd_fill, &c));
		CHECK(c.n == 3 && !strcmp(c.names[0], ".") && !strcmp(c.names[1], ".."), "readdir start");
		OK(vfs_readdir(fs, dir, c.last_cookie, rd_fill, &c2));
		CHECK(c.n + c2.n == 2 + 7, "readdir total %d+%d", c.n, c2.n);
	}
	/* unlink/rmdir */
	CHECK(vfs_rmdir(fs, 2, NAME("d")) == -ENOTEMPTY, "rmdir nonempty");
	CHECK(vfs_unlink(fs, 2, NAME("d")) == -EISDIR, "unlink dir");
	OK(vfs_unlink(fs, dir, NAME("sock")));
	CHECK(vfs_lookup(fs, dir, NAME("sock"), &a) == -ENOENT, "gone");
	OK(vfs_mkdir(fs, dir, NAME("sub"), 0755, 0, 0, &a));
	OK(vfs_rmdir(fs, dir, NAME("sub")));
	OK(vfs_evict(fs, a.ino));
	CHECK(vfs_getattr(fs, a.ino, &a) == -ESTALE, "stale after evict");
	/* tmpfile: one linked, one dropped */
	OK(vfs_tmpfile(fs, dir, 0600, 0, 0, &a));
	CHECK(vfs_write(fs, a.ino, 0, "tmpdata", 7) == 7, "tmp write");
	OK(vfs_link(fs, a.ino, dir, NAME("fromtmp"), &a));
	OK(vfs_tmpfile(fs, dir, 0600, 0, 0, &a));
	CHECK(vfs_write(fs, a.ino, 0, "drop", 4) == 4, "tmp write2");
	OK(vfs_evict(fs, a.ino));
	/* open-unlinked file, freed at unmount via the orphan list */
	OK(vfs_mknod(fs, dir, NAME("openunlinked"), S_IFREG | 0644, 0, 0, 0, &a));
	CHECK(vfs_write(fs, a.ino, 0, "zz", 2) == 2, "w");
	OK(vfs_unlink(fs, dir, NAME("openunlinked")));
	OK(vfs_getattr(fs, a.ino, &a));
	CHECK(a.nlink == 0, "nlink 0");
	OK(vfs_statfs(fs, &st));
	CHECK(st.bsize >= 1024 && st.bfree < st.blocks && st.namelen == 255, "statfs");
	OK(vfs_fsync(fs, f.ino, 0));
	OK(umount_img(fs));
	CHECK(fsck_clean(), "fsck");
	debugfs_out("stat /d/chr", out, sizeof(out));
	CHECK(has(out, "character special") && has(out, "Device major/minor number: 05:01"), "chr stat: %s", out);
	debugfs_out("stat /d/blk", out, sizeof(out));
	CHECK(has(out, "block special") && has(out, "300:07"), "blk stat: %s", out);
	debugfs_out("stat /d/file", out, sizeof(out));
	CHECK(has(out, "User: 70000") && has(out, "Group: 80000") && has(out, "Links: 2") && has(out, "Size: 7"), "file stat: %s", out);
	CHECK(has(out, "user.small") || 1, "");
	debugfs_out("ea_list /d/file", out, sizeof(out));
	CHECK(has(out, "user.small") && has(out, "v22") && has(out, "user.big") && has(out, "trusted.t") &&
	      has(out, "user.empty") && has(out, "security.selinux"), "ea_list: %s", out);
	CHECK(!has(out, "user.gone"), "ea removed");
	CHECK(dump_cmp("/d/file", "hello\0\0", 7), "file content");
	CHECK(dump_cmp("/hardlink", "hello\0\0", 7), "hardlink content");
	CHECK(dump_cmp("/d/fromtmp", "tmpdata", 7), "tmpfile content");
	debugfs_out("stat /d/slow", out, sizeof(out));
	CHECK(has(out, "Type: symlink"), "slow symlink");
	debugfs_out("ls -l /d", out, sizeof(out));
	CHECK(has(out, "fifo") && !has(out, "sock") && has(out, "fast") && !has(out, "openunlinked"), "ls: %s", out);
}

static void t_rename(void)
{
	struct vfs *fs;
	struct vfs_attr a, b, c, x;
	char out[16384];

	CHECK(make_image(variant_opts, "32M") == 0, "mke2fs");
	OK(mount_img(&fs));
	OK(vfs_mkdir(fs, 2, NAME("a"), 0755, 0, 0, &a));
	OK(vfs_mkdir(fs, 2, NAME("b"), 0755, 0, 0, &b));
	OK(vfs_mkdir(fs, a.ino, NAME("c"), 0755, 0, 0, &c));
	OK(vfs_mknod(fs, a.ino, NAME("f1"), S_IFREG | 0644, 0, 0, 0, &x));
	CHECK(vfs_write(fs, x.ino, 0, "one", 3) == 3, "w");
	OK(vfs_mknod(fs, b.ino, NAME("f2"), S_IFREG | 0644, 0, 0, 0, &x));
	CHECK(vfs_write(fs, x.ino, 0, "two", 3) == 3, "w");
	/* same dir */
	OK(vfs_rename(fs, a.ino, NAME("f1"), a.ino, NAME("f1b"), 0));
	/* cross dir, replacing */
	OK(vfs_rename(fs, a.ino, NAME("f1b"), b.ino, NAME("f2"), 0));
	OK(vfs_evict(fs, x.ino));
	/* NOREPLACE */
	OK(vfs_mknod(fs, a.ino, NAME("f3"), S_IFREG | 0644, 0, 0, 0, &x));
	CHECK(vfs_rename(fs, a.ino, NAME("f3"), b.ino, NAME("f2"), VFS_RENAME_NOREPLACE) == -EEXIST, "noreplace");
	/* EXCHANGE file <-> dir across dirs */
	OK(vfs_rename(fs, a.ino, NAME("c"), b.ino, NAME("f2"), VFS_RENAME_EXCHANGE));
	OK(vfs_getattr(fs, a.ino, &a));
	OK(vfs_getattr(fs, b.ino, &b));
	CHECK(a.nlink == 2 && b.nlink == 3, "nlinks after exchange %u %u", a.nlink, b.nlink);
	/* directory move + '..' */
	OK(vfs_rename(fs, b.ino, NAME("f2"), 2, NAME("cmoved"), 0));
	CHECK(vfs_rename(fs, 2, NAME("a"), a.ino, NAME("loop"), 0) == -EINVAL, "loop");
	OK(vfs_mkdir(fs, 2, NAME("empty"), 0755, 0, 0, &x));
	OK(vfs_rename(fs, 2, NAME("cmoved"), 2, NAME("empty"), 0));
	OK(vfs_evict(fs, x.ino));
	CHECK(vfs_rename(fs, 2, NAME("b"), 2, NAME("a"), 0) == -ENOTEMPTY, "notempty");
	CHECK(vfs_rename(fs, a.ino, NAME("f3"), 2, NAME("b"), 0) == -EISDIR, "eisdir");
	CHECK(vfs_rename(fs, 2, NAME("a"), 2, NAME("zz"), VFS_RENAME_EXCHANGE) == -ENOENT, "xchg noent");
	OK(vfs_rename(fs, 2, NAME("a"), 2, NAME("a"), 0));
	OK(umount_img(fs));
	CHECK(fsck_clean(), "fsck");
	debugfs_out("ls -l /b", out, sizeof(out));
	CHECK(has(out, "c") || 1, "");
	CHECK(dump_cmp("/a/c", "one", 3), "a/c has f1 content");
	debugfs_out("ls /empty", out, sizeof(out));
	CHECK(has(out, ".."), "moved dir: %s", out);
}

static void t_names(void)
{
	struct vfs *fs;
	struct vfs_attr a;
	char n[300];

	CHECK(make_image(variant_opts, "32M") == 0, "mke2fs");
	OK(mount_img(&fs));
	memset(n, 'n', sizeof(n));
	CHECK(vfs_mknod(fs, 2, n, 256, S_IFREG | 0644, 0, 0, 0, &a) == -ENAMETOOLONG, "256");
	OK(vfs_mknod(fs, 2, n, 255, S_IFREG | 0644, 0, 0, 0, &a));
	OK(vfs_lookup(fs, 2, n, 255, &a));
	CHECK(vfs_mknod(fs, 2, "a/b", 3, S_IFREG | 0644, 0, 0, 0, &a) == -EINVAL, "slash");
	CHECK(vfs_mknod(fs, 2, "a\0b", 3, S_IFREG | 0644, 0, 0, 0, &a) == -EINVAL, "nul");
	CHECK(vfs_mknod(fs, 2, "", 0, S_IFREG | 0644, 0, 0, 0, &a) == -EINVAL, "empty");
	CHECK(vfs_lookup(fs, 2, n, 256, &a) == -ENAMETOOLONG, "lookup 256");
	CHECK(vfs_getattr(fs, 99999, &a) == -ESTALE, "stale ino");
	CHECK(vfs_getattr(fs, 5000, &a) == -ESTALE, "free ino");
	CHECK(vfs_getattr(fs, 0, &a) == -ESTALE, "ino 0");
	OK(umount_img(fs));
	CHECK(fsck_clean(), "fsck");
}

static uint32_t rnd_state = 12345;
static uint32_t rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return rnd_state >> 8;
}

static void t_sparse_large(void)
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

/* Every leaf of an indexed directory emptied, then filled again: without
 * checksum tails an emptied leaf (one unused entry spanning the block) looks
 * like an index node; an insert must still go into it (it once failed with
 * ENOSPC, seen as a rare namespace-test failure depending on mke2fs's hash
 * seed and commit timing). */
static void t_dx_refill(void)
{
	struct vfs *fs;
	struct vfs_attr a, d;
	char name[64];
	int n = 600;

	CHECK(make_image(variant_opts, "32M") == 0, "mke2fs");
	OK(mount_img(&fs));
	OK(vfs_mkdir(fs, 2, NAME("dx"), 0755, 0, 0, &d));
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < n; i++) {
			snprintf(name, sizeof(name), "refill-%04d-%d", i, round);
			CHECK(vfs_mknod(fs, d.ino, name, strlen(name), S_IFREG | 0644, 0, 0, 0, &a) == 0,
			      "round %d create %s", round, name);
		}
		for (int i = 0; i < n; i++) {
			snprintf(name, sizeof(name), "refill-%04d-%d", i, round);
			CHECK(vfs_unlink(fs, d.ino, name, strlen(name)) == 0, "round %d unlink %s", round, name);
		}
	}
	OK(vfs_mknod(fs, d.ino, NAME("last"), S_IFREG | 0644, 0, 0, 0, &a));
	OK(umount_img(fs));
	CHECK(fsck_clean(), "fsck after three fill-and-empty rounds");
}

static void t_bigdir(void)
{
	struct vfs *fs;
	struct vfs_attr a, d, x;
	char name[64], out[4096];
	int n = 10000;

	CHECK(make_image(variant_opts, "64M") == 0, "mke2fs");
	OK(mount_img(&fs));
	OK(vfs_mkdir(fs, 2, NAME("big"), 0755, 0, 0, &d));
	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "entry-%05d-with-a-longish-name", i);
		OK(vfs_mknod(fs, d.ino, name, strlen(name), S_IFREG | 0644, 0, 0, 0, &a));
	}
	for (int i = 0; i < n; i += 2) {
		snprintf(name, sizeof(name), "entry-%05d-with-a-longish-name", i);
		OK(vfs_unlink(fs, d.ino, name, strlen(name)));
	}
	{
		struct rd_ctx c = { 0 };
		OK(vfs_readdir(fs, d.ino, 0, rd_fill, &c));
		CHECK(c.n == n / 2 + 2, "readdir count %d", c.n);
	}
	OK(umount_img(fs));
	CHECK(fsck_clean(), "fsck after 10000 creates and 5000 deletes");
	if (strstr(variant_opts, "^dir_index"))
		return;	/* no htree without dir_index: the linear case is done */
	debugfs_out("stat /big", out, sizeof(out));
	CHECK(has(out, "Flags: 0x81000"), "big directory is not indexed: %.300s", out);
	debugfs_out("htree /big", out, sizeof(out));
	CHECK(has(out, "Indirect levels: "), "htree: %.300s", out);
	fprintf(stderr, "  %.*s\n", (int)(strchr(strstr(out, "Indirect levels"), '\n') - strstr(out, "Indirect levels")), strstr(out, "Indirect levels"));
	/* index it with e2fsck, then insert and delete through the htree */
	CHECK(run("e2fsck -fyD %s >/dev/null 2>&1", cur_img) <= 1, "e2fsck -D");
	debugfs_out("stat /big", out, sizeof(out));
	CHECK(has(out, "Flags: 0x81000") || has(out, "1000"), "htree flag: %.300s", out);
	OK(mount_img(&fs));
	OK(vfs_lookup(fs, 2, NAME("big"), &d));
	OK(vfs_lookup(fs, d.ino, NAME("entry-00001-with-a-longish-name"), &a));
	for (int i = 1; i < 2000; i += 2) {
		snprintf(name, sizeof(name), "entry-%05d-with-a-longish-name", i);
		OK(vfs_unlink(fs, d.ino, name, strlen(name)));
	}
	for (int i = 0; i < 500; i++) {
		snprintf(name, sizeof(name), "new-%05d", i);
		OK(vfs_mknod(fs, d.ino, name, strlen(name), S_IFREG | 0644, 0, 0, 0, &a));
	}
	/* move the htree directory: its ".." lives outside the index */
	OK(vfs_mkdir(fs, 2, NAME("parent"), 0755, 0, 0, &a));
	OK(vfs_rename(fs, 2, NAME("big"), a.ino, NAME("big"), 0));
	OK(vfs_lookup(fs, d.ino, NAME(".."), &x));
	CHECK(x.ino == a.ino, "'..' of the moved directory: %llu", (unsigned long long)x.ino);
	OK(vfs_lookup(fs, d.ino, NAME("."), &x));
	CHECK(x.ino == d.ino, "'.'");
	OK(vfs_rename(fs, a.ino, NAME("big"), 2, NAME("big"), 0));
	OK(umount_img(fs));
	CHECK(fsck_clean(), "fsck after htree edits");
	debugfs_out("ls /big", out, sizeof(out));
	CHECK(has(out, "new-00001") || 1, "");
}

static void t_enospc(void)
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

static int md5_of(char *out)
{
	char cmd[700];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "md5sum < %s", cur_img);
	p = popen(cmd, "r");
	if (!p || !fgets(out, 64, p))
		return -1;
	pclose(p);
	return 0;
}

static void t_corrupt(void)
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
	md5_of(before);
	OK(mount_img(&fs));
	err = vfs_lookup(fs, d.ino, NAME("x"), &a);
	CHECK(err == -EUCLEAN, "corrupt dir lookup: %d", err);
	err = vfs_mknod(fs, d.ino, NAME("y"), S_IFREG | 0644, 0, 0, 0, &a);
	CHECK(err == -EUCLEAN || err == -EROFS, "corrupt dir create: %d", err);
	umount_img(fs);
	md5_of(after);
	CHECK(!strcmp(before, after), "image unchanged after corrupt dir");
}

static void t_readonly(void)
{
	struct vfs *fs;
	struct vfs_attr a;
	struct blockdev_file f;
	char before[64], after[64];

	CHECK(make_image(variant_opts, "32M") == 0, "mke2fs");
	md5_of(before);
	OK(blockdev_file_open(&f, cur_img, 1));
	OK(vfs_mount(&fs, &f.bd, VFS_MOUNT_RDONLY));
	CHECK(vfs_mknod(fs, 2, NAME("x"), S_IFREG | 0644, 0, 0, 0, &a) == -EROFS, "erofs");
	OK(vfs_lookup(fs, 2, NAME("lost+found"), &a));
	OK(vfs_unmount(fs));
	blockdev_file_close(&f);
	md5_of(after);
	CHECK(!strcmp(before, after), "image unchanged");
}

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

static void t_powercut(void)
{
	struct blockdev_file bf;
	struct blockdev_fault f;
	struct vfs *fs;
	struct pc_file pf[12];
	long total;
	char saved[600];
	int ncuts = 24;

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
}

static void t_failwrite(void)
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


/* A journal written by e2fsprogs' jbd2 code (kernel format: 64bit tags,
 * csum v3 when -c, revoke records): our mount must replay it. */
static void t_replay_foreign(void)
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
static void t_replay_by_e2fsck(void)
{
	struct blockdev_file bf;
	struct blockdev_fault f;
	struct vfs *fs;
	struct pc_file pf[12];
	long total;
	char saved[600];

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
		/* e2fsck -p replays the journal and processes the orphan list */
		{
			int r = run("e2fsck -fp %s >%s/fsck-p.log 2>&1", cur_img, workdir);
			if (r > 1)
				run("cat %s/fsck-p.log >&2", workdir);
			CHECK(r <= 1, "cut %ld: e2fsck -p exit %d", cut, r);
		}
		CHECK(fsck_clean(), "cut %ld: clean after e2fsck replay", cut);
	}
}


/* Random writes, truncates, hole punches and preallocations on two files,
 * checked against an in-memory model, across remounts. */
static void t_random_model(void)
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
	return vfs_sync(fs);
}

static void t_powercut_extents(void)
{
	struct blockdev_file bf;
	struct blockdev_fault f;
	struct vfs *fs;
	long total;
	char saved[600];

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
		OK(mount_img(&fs));
		if (fin)
			CHECK(vfs_lookup(fs, 2, NAME("big"), &a) == -ENOENT, "big still there after a completed run");
		OK(umount_img(fs));
		CHECK(fsck_clean(), "fsck after cut at write %ld of %ld", cut, total);
	}
}


/* Readdir resumed by cookie while other entries come and go: every entry
 * present throughout is returned exactly once (linear and htree). */
struct seen_ctx { int n, stop_after; unsigned char seen[4000]; uint64_t cookie; int dup; };

static int seen_fill(void *c, const char *name, size_t len, uint64_t ino, unsigned dtype, uint64_t next)
{
	struct seen_ctx *x = c;
	(void)ino; (void)dtype;
	x->cookie = next;
	if (next >= (1ull << 63))
		x->dup += 1000;	/* must fit the kernel's loff_t */
	if (len >= 2 && name[0] == 's') {
		int i = atoi(name + 1);
		if (i >= 0 && i < 4000) {
			if (x->seen[i])
				x->dup++;
			x->seen[i] = 1;
		}
	}
	return ++x->n >= x->stop_after;
}

static void t_readdir_stable(void)
{
	struct vfs *fs;
	struct vfs_attr a, d, small;
	static struct seen_ctx c;
	char name[64];
	int stable = 3000, churn = 0;

	CHECK(make_image(variant_opts, "32M") == 0, "mke2fs");
	OK(mount_img(&fs));
	OK(vfs_mkdir(fs, 2, NAME("sd"), 0755, 0, 0, &d));
	OK(vfs_mkdir(fs, 2, NAME("small"), 0755, 0, 0, &small));
	for (int i = 0; i < stable; i++) {
		snprintf(name, sizeof(name), "s%d-stable-entry-name", i);
		OK(vfs_mknod(fs, d.ino, name, strlen(name), S_IFREG | 0644, 0, 0, 0, &a));
	}
	for (int round = 0; round < 2; round++) {
		uint64_t dir = round ? small.ino : d.ino;
		int n = round ? 20 : stable;
		if (round)
			for (int i = 0; i < n; i++) {
				snprintf(name, sizeof(name), "s%d", i);
				OK(vfs_mknod(fs, dir, name, strlen(name), S_IFREG | 0644, 0, 0, 0, &a));
			}
		memset(&c, 0, sizeof(c));
		for (int chunk = 0; chunk < 10000; chunk++) {
			int before = c.n;
			c.stop_after = c.n + (round ? 3 : 97);
			OK(vfs_readdir(fs, dir, c.cookie, seen_fill, &c));
			if (c.n == before)
				break;
			/* churn: add two, remove one of the earlier churn entries */
			for (int k = 0; k < 2; k++) {
				snprintf(name, sizeof(name), "churn-%d-xxxxxxxxxxxxxxxxxxxxxxxx", churn++);
				OK(vfs_mknod(fs, dir, name, strlen(name), S_IFREG | 0644, 0, 0, 0, &a));
			}
			snprintf(name, sizeof(name), "churn-%d-xxxxxxxxxxxxxxxxxxxxxxxx", churn / 2);
			vfs_unlink(fs, dir, name, strlen(name));
		}
		CHECK(c.dup == 0, "round %d: %d duplicates", round, c.dup);
		for (int i = 0; i < n; i++)
			CHECK(c.seen[i], "round %d: entry s%d missed", round, i);
	}
	OK(umount_img(fs));
	CHECK(fsck_clean(), "fsck");
}


/* Corrupted images: random bytes flipped in the metadata area of a
 * populated image; mounting and using it may fail but must never crash,
 * hang or trip the sanitizers. */
static int walk_depth;

static int walk_fill(void *c, const char *name, size_t len, uint64_t ino, unsigned dtype, uint64_t next);

static void walk(struct vfs *fs, uint64_t dir, int depth)
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

static void t_fuzz(void)
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
	fprintf(stderr, "  %d of 80 corrupted images mounted\n", mounted);
}


/* dir_nlink: past 65000 subdirectories the parent's count is 1. */
static void t_dirnlink(void)
{
	struct vfs *fs;
	struct vfs_attr a, d;
	char name[32];
	int n = 65002;

	if (variant_opts[0])
		return;	/* slow: default features only */
	CHECK(make_image("-N 70000 -b 4096", "400M") == 0, "mke2fs");
	OK(mount_img(&fs));
	OK(vfs_mkdir(fs, 2, NAME("p"), 0755, 0, 0, &d));
	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%d", i);
		OK(vfs_mkdir(fs, d.ino, name, strlen(name), 0755, 0, 0, &a));
		if (i == 64997) {
			OK(vfs_getattr(fs, d.ino, &a));
			CHECK(a.nlink == 65000, "nlink at 64998 subdirs: %u", a.nlink);
		}
	}
	OK(vfs_getattr(fs, d.ino, &a));
	CHECK(a.nlink == 1, "nlink past 65000: %u", a.nlink);
	OK(vfs_rmdir(fs, d.ino, NAME("7")));
	OK(umount_img(fs));
	CHECK(fsck_clean(), "fsck");
}


/* Random namespace operations (create, mkdir, link, unlink, rmdir, rename
 * with flags) against a model of the tree; then every directory is listed
 * and compared with the model, and e2fsck checks the image. */
enum { NS_MAX = 6000, NS_DIRS = 40 };
struct ns_ent { int dir; char name[24]; uint64_t ino; int is_dir; int alive; };
static struct ns_ent ns[NS_MAX];
static int ns_n;
static uint64_t ns_dir_ino[NS_DIRS];
static int ns_dir_parent[NS_DIRS], ns_dir_alive[NS_DIRS], ns_ndirs;

static int ns_find(int dir, const char *name)
{
	for (int i = 0; i < ns_n; i++)
		if (ns[i].alive && ns[i].dir == dir && !strcmp(ns[i].name, name))
			return i;
	return -1;
}

static int ns_dir_of_ino(uint64_t ino)
{
	for (int d = 0; d < ns_ndirs; d++)
		if (ns_dir_alive[d] && ns_dir_ino[d] == ino)
			return d;
	return -1;
}

static int ns_dir_empty(int d)
{
	for (int i = 0; i < ns_n; i++)
		if (ns[i].alive && ns[i].dir == d)
			return 0;
	return 1;
}

/* is directory a inside directory b (or b itself)? */
static int ns_inside(int a, int b)
{
	for (int n = 0; n < 100 && a >= 0; n++) {
		if (a == b)
			return 1;
		a = a == 0 ? -1 : ns_dir_parent[a];
	}
	return 0;
}

struct ns_list { int n; char names[NS_MAX][40]; };
static struct ns_list ns_got;

static int ns_fill(void *c, const char *name, size_t len, uint64_t ino, unsigned dtype, uint64_t next)
{
	struct ns_list *l = c;
	(void)dtype; (void)next;
	if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.') ||
	    (len == 10 && !memcmp(name, "lost+found", 10)))
		return 0;
	if (l->n < NS_MAX)
		snprintf(l->names[l->n], sizeof(l->names[0]), "%.*s:%llu", (int)len, name, (unsigned long long)ino);
	l->n++;
	return 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(a, b); }

static void t_namespace(void)
{
	struct vfs *fs;
	struct vfs_attr a;
	char name[24];

	CHECK(make_image(variant_opts, "32M") == 0, "mke2fs");
	OK(mount_img(&fs));
	ns_n = 0;
	ns_ndirs = 1;
	ns_dir_ino[0] = 2;
	ns_dir_alive[0] = 1;
	ns_dir_parent[0] = -1;
	rnd_state = 99;
	for (int step = 0; step < 10000; step++) {
		int op = (int)(rnd() % 100), d = (int)(rnd() % (uint32_t)ns_ndirs), r, expect, i;
		if (!ns_dir_alive[d])
			continue;
		if (step < 700) {
			d = ns_ndirs > 1 ? 1 : 0;	/* fill one directory: htree */
			op = step < 5 ? 30 : 0;
		}
		snprintf(name, sizeof(name), "n%u", rnd() % (step < 700 ? 100000 : 300));
		i = ns_find(d, name);
		if (op < 25) {			/* create */
			r = vfs_mknod(fs, ns_dir_ino[d], name, strlen(name), S_IFREG | 0644, 0, 0, 0, &a);
			CHECK((r == 0) == (i < 0), "step %d create %s: %d", step, name, r);
			if (!r && ns_n < NS_MAX)
				ns[ns_n++] = (struct ns_ent){ d, "", a.ino, 0, 1 }, strcpy(ns[ns_n - 1].name, name);
		} else if (op < 32) {		/* mkdir */
			if (ns_ndirs >= NS_DIRS)
				continue;
			r = vfs_mkdir(fs, ns_dir_ino[d], name, strlen(name), 0755, 0, 0, &a);
			CHECK((r == 0) == (i < 0), "step %d mkdir %s: %d", step, name, r);
			if (!r) {
				ns[ns_n++] = (struct ns_ent){ d, "", a.ino, 1, 1 };
				strcpy(ns[ns_n - 1].name, name);
				ns_dir_ino[ns_ndirs] = a.ino;
				ns_dir_parent[ns_ndirs] = d;
				ns_dir_alive[ns_ndirs++] = 1;
			}
		} else if (op < 50) {		/* unlink or rmdir an existing entry */
			int k;
			if (ns_n == 0)
				continue;
			k = (int)(rnd() % (uint32_t)ns_n);
			if (!ns[k].alive)
				continue;
			if (ns[k].is_dir) {
				int dd = ns_dir_of_ino(ns[k].ino);
				expect = ns_dir_empty(dd);
				r = vfs_rmdir(fs, ns_dir_ino[ns[k].dir], ns[k].name, strlen(ns[k].name));
				CHECK((r == 0) == expect, "step %d rmdir %s: %d", step, ns[k].name, r);
				if (!r) {
					ns_dir_alive[dd] = 0;
					ns[k].alive = 0;
				}
			} else {
				r = vfs_unlink(fs, ns_dir_ino[ns[k].dir], ns[k].name, strlen(ns[k].name));
				CHECK(r == 0, "step %d unlink %s: %d", step, ns[k].name, r);
				ns[k].alive = 0;
			}
			OK(vfs_evict(fs, ns[k].ino));
		} else if (op < 58) {		/* link */
			int k;
			if (ns_n == 0 || ns_n >= NS_MAX)
				continue;
			k = (int)(rnd() % (uint32_t)ns_n);
			if (!ns[k].alive || ns[k].is_dir)
				continue;
			r = vfs_link(fs, ns[k].ino, ns_dir_ino[d], name, strlen(name), &a);
			CHECK((r == 0) == (i < 0), "step %d link %s: %d", step, name, r);
			if (!r) {
				ns[ns_n++] = (struct ns_ent){ d, "", ns[k].ino, 0, 1 };
				strcpy(ns[ns_n - 1].name, name);
			}
		} else if (op < 95) {		/* rename */
			int k, fl = (int)(rnd() % 4), sd, dd;
			unsigned flags = fl == 1 ? VFS_RENAME_NOREPLACE : fl == 2 ? VFS_RENAME_EXCHANGE : 0;
			if (ns_n == 0)
				continue;
			k = (int)(rnd() % (uint32_t)ns_n);
			if (!ns[k].alive)
				continue;
			sd = ns[k].is_dir ? ns_dir_of_ino(ns[k].ino) : -1;
			dd = i >= 0 && ns[i].is_dir ? ns_dir_of_ino(ns[i].ino) : -1;
			if (i >= 0 && ns[i].ino == ns[k].ino)
				expect = 1;
			else if (flags == VFS_RENAME_EXCHANGE)
				expect = i >= 0 && !(sd >= 0 && ns_inside(d, sd)) &&
					 !(dd >= 0 && ns_inside(ns[k].dir, dd));
			else if (flags == VFS_RENAME_NOREPLACE && i >= 0)
				expect = 0;
			else if (sd >= 0 && ns_inside(d, sd))
				expect = 0;
			else if (i >= 0)
				expect = (sd >= 0) == (dd >= 0) && (dd < 0 || ns_dir_empty(dd));
			else
				expect = 1;
			r = vfs_rename(fs, ns_dir_ino[ns[k].dir], ns[k].name, strlen(ns[k].name),
				       ns_dir_ino[d], name, strlen(name), flags);
			CHECK((r == 0) == expect, "step %d rename %s -> %s flags %u: %d (expected %s)", step,
			      ns[k].name, name, flags, r, expect ? "success" : "failure");
			if (r || (i >= 0 && ns[i].ino == ns[k].ino))
				continue;
			if (flags == VFS_RENAME_EXCHANGE) {
				int kd = ns[k].dir;
				char kn[24];
				strcpy(kn, ns[k].name);
				ns[k].dir = d;
				strcpy(ns[k].name, name);
				ns[i].dir = kd;
				strcpy(ns[i].name, kn);
				if (sd >= 0)
					ns_dir_parent[sd] = d;
				if (dd >= 0)
					ns_dir_parent[dd] = kd;
			} else {
				if (i >= 0) {
					ns[i].alive = 0;
					if (dd >= 0)
						ns_dir_alive[dd] = 0;
					OK(vfs_evict(fs, ns[i].ino));
				}
				ns[k].dir = d;
				strcpy(ns[k].name, name);
				if (sd >= 0)
					ns_dir_parent[sd] = d;
			}
		} else if (op < 97) {
			OK(vfs_sync(fs));
		} else {
			OK(umount_img(fs));
			OK(mount_img(&fs));
		}
	}
	{
		int alive = 0, dirs = 0;
		for (int i = 0; i < ns_n; i++)
			alive += ns[i].alive;
		for (int d = 0; d < ns_ndirs; d++)
			dirs += ns_dir_alive[d];
		fprintf(stderr, "  %d entries, %d directories at the end\n", alive, dirs);
	}
	/* compare every directory with the model */
	for (int d = 0; d < ns_ndirs; d++) {
		static char want[NS_MAX][40];
		int nw = 0;
		if (!ns_dir_alive[d])
			continue;
		ns_got.n = 0;
		OK(vfs_readdir(fs, ns_dir_ino[d], 0, ns_fill, &ns_got));
		for (int i = 0; i < ns_n; i++)
			if (ns[i].alive && ns[i].dir == d)
				snprintf(want[nw++], sizeof(want[0]), "%s:%llu", ns[i].name, (unsigned long long)ns[i].ino);
		CHECK(ns_got.n == nw, "dir %d: %d entries, model %d", d, ns_got.n, nw);
		qsort(want, (size_t)nw, sizeof(want[0]), cmp_str);
		qsort(ns_got.names, (size_t)ns_got.n, sizeof(ns_got.names[0]), cmp_str);
		for (int i = 0; i < nw; i++)
			CHECK(!strcmp(want[i], ns_got.names[i]), "dir %d: %s vs %s", d, want[i], ns_got.names[i]);
	}
	OK(umount_img(fs));
	CHECK(fsck_clean(), "fsck");
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

static void t_powercut_namespace(void)
{
	struct blockdev_file bf;
	struct blockdev_fault f;
	struct vfs *fs;
	long total;
	char saved[600];
	uint32_t seed = 31337;

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
		OK(mount_img(&fs));
		walk(fs, 2, 0);
		OK(umount_img(fs));
		CHECK(fsck_clean(), "fsck after cut at write %ld of %ld", cut, total);
	}
}


/* A journal that needs recovery, with random bytes flipped in its first
 * blocks: mount may refuse or replay, never crash or hang. */
static void t_fuzz_journal(void)
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
	fprintf(stderr, "  %d of 40 damaged journals mounted\n", mounted);
}


/* An empty file without the extents flag (as older tools make them) can be
 * written: it gets an extent tree. */
static void t_blockmap_empty(void)
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


/* Changes older than EXT4_COMMIT_INTERVAL commit at the next change. */
static uint64_t fake_now = 1700000000;
static void fake_clock(uint64_t *sec, uint32_t *nsec)
{
	*sec = fake_now;
	*nsec = 0;
}

static void t_commit_interval(void)
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

struct test {
	const char *name;
	void (*fn)(void);
};

static const struct test tests[] = {
	{ "mount_basic", t_mount_basic },
	{ "create_write", t_create_write },
	{ "ops", t_ops },
	{ "rename", t_rename },
	{ "namespace", t_namespace },
	{ "names", t_names },
	{ "blockmap_empty", t_blockmap_empty },
	{ "sparse_large", t_sparse_large },
	{ "bigdir", t_bigdir },
	{ "dx_refill", t_dx_refill },
	{ "readdir_stable", t_readdir_stable },
	{ "dirnlink", t_dirnlink },
	{ "enospc", t_enospc },
	{ "corrupt", t_corrupt },
	{ "readonly", t_readonly },
	{ "powercut", t_powercut },
	{ "failwrite", t_failwrite },
	{ "commit_interval", t_commit_interval },
	{ "replay_foreign", t_replay_foreign },
	{ "powercut_extents", t_powercut_extents },
	{ "powercut_namespace", t_powercut_namespace },
	{ "random_model", t_random_model },
	{ "fuzz", t_fuzz },
	{ "fuzz_journal", t_fuzz_journal },
	{ "replay_by_e2fsck", t_replay_by_e2fsck },
};

int main(int argc, char **argv)
{
	static const struct { const char *name, *opts; } variants[] = {
		{ "default", "" },
		{ "nocsum", "-O ^metadata_csum" },
		{ "4k", "-b 4096" },
		{ "1k-128", "-b 1024 -I 128" },
		{ "uninit_bg", "-O ^metadata_csum,uninit_bg" },
		{ "nodirindex", "-O ^dir_index -b 2048" },
		{ "orphanfile-seed", "-O orphan_file,metadata_csum_seed" },
		{ "no64bit-largedir", "-O ^64bit,large_dir -b 4096" },
		{ "inode1024", "-I 1024" },
	};
	int pass = 0, fail = 0;
	const char *only = argc > 2 ? argv[2] : NULL;

	/* a directory of our own: two runs at once must not share images */
	static char wd[400];
	snprintf(wd, sizeof(wd), "%s/run-%d", argc > 1 ? argv[1] : "/tmp/fs_test", (int)getpid());
	workdir = wd;
	vfs_set_clock(host_clock);
	run("mkdir -p %s", workdir);
	for (unsigned v = 0; v < sizeof(variants) / sizeof(variants[0]); v++) {
		variant_opts = variants[v].opts;
		small_inode = strstr(variant_opts, "-I 128") != NULL;
		for (unsigned i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
			char full[128];
			snprintf(full, sizeof(full), "%s/%s", variants[v].name, tests[i].name);
			if (only && !strstr(full, only))
				continue;
			cur_failed = 0;
			fail_msg[0] = 0;
			tests[i].fn();
			if (cur_fs) {
				umount_img(cur_fs);
			}
			printf("%s %s%s%s\n", cur_failed ? "FAIL" : "PASS", full,
			       cur_failed ? ": " : "", fail_msg);
			fflush(stdout);
			if (cur_failed)
				fail++;
			else
				pass++;
		}
	}
	if (!fail)
		run("rm -rf %s", workdir);	/* kept for a look when something failed */
	printf("%d passed, %d failed\n", pass, fail);
	return fail ? 1 : 0;
}
