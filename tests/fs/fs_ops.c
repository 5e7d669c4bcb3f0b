/* Filesystem tests, the basic operations on one image: mount, create and
 * write, every kind of node (fifo, socket, devices, fast and slow
 * symlinks), hard links, setattr (owners, times past 2038, truncation),
 * in-inode and block xattrs, unlink and rmdir, tmpfiles and open-unlinked
 * files freed through the orphan list, statfs and fsync, each checked
 * afterwards with e2fsck and debugfs; and a read-only mount that must leave
 * the image byte for byte as it was. */
#define _GNU_SOURCE
#include "cases.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

void t_mount_basic(void)
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

void t_create_write(void)
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

void t_ops(void)
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
	idle_all(fs);	/* the eviction was queued: its idle steps */
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

void t_readonly(void)
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
