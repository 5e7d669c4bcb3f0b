/*
 * posix_test: POSIX file-system semantics, run inside a guest on a mounted
 * virtio-fs (the card's file server behind it). Each case checks a return
 * value and errno the way pjdfstest-style suites do; the run ends with
 * "N passed, N failed" and a non-zero status on any failure.
 *
 *   posix_test [-g GROUP[,GROUP...]] DIR   (DIR must be empty or absent; it is created)
 *   posix_test -l                          (lists the groups)
 *
 * -g runs only the named groups (a slow device runs the quick ones in its
 * regular test and all of them in a long run). The times group checks that
 * the device's clock follows the guest's: ctime/mtime of a file and of its
 * directory advance across a sleep of a second after each kind of change,
 * and stay as they were after calls that fail.
 *
 * Built statically on the host (gcc -static) and copied into the guest.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#define RENAME_EXCHANGE (1 << 1)
#endif

static int passed, failed;

#define CHECK(cond, ...)                                                        \
	do {                                                                    \
		if (cond) {                                                     \
			passed++;                                               \
		} else {                                                        \
			failed++;                                               \
			printf("FAIL line %d: ", __LINE__);                     \
			printf(__VA_ARGS__);                                    \
			printf(" (errno %d %s)\n", errno, strerror(errno));     \
		}                                                               \
	} while (0)

/* Expect a call to fail with a given errno. */
#define FAILS(call, err, what) \
	do { errno = 0; long r_ = (long)(call); CHECK(r_ == -1 && errno == (err), "%s: want errno %d, got %ld", what, err, r_); } while (0)
#define OK(call, what) \
	do { errno = 0; long r_ = (long)(call); CHECK(r_ != -1, "%s", what); } while (0)

static int write_file(const char *p, const void *buf, size_t n)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		return -1;
	if (write(fd, buf, n) != (ssize_t)n) {
		close(fd);
		return -1;
	}
	return close(fd);
}

static ssize_t read_file(const char *p, void *buf, size_t n)
{
	int fd = open(p, O_RDONLY);
	ssize_t r;

	if (fd < 0)
		return -1;
	r = read(fd, buf, n);
	close(fd);
	return r;
}

static void t_create_open(void)
{
	struct stat st;
	char buf[64];
	int fd;

	fd = open("f", O_CREAT | O_EXCL | O_RDWR, 0640);
	CHECK(fd >= 0, "create f");
	OK(fstat(fd, &st), "fstat f");
	CHECK(S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0640, "f: regular file, mode 0640 (%o)",
	      st.st_mode & 07777);
	CHECK(st.st_size == 0 && st.st_nlink == 1, "new file: size 0, nlink 1");
	FAILS(open("f", O_CREAT | O_EXCL | O_RDWR, 0640), EEXIST, "O_EXCL on an existing file");
	CHECK(write(fd, "hello world", 11) == 11, "write 11 bytes");
	CHECK(pread(fd, buf, sizeof(buf), 0) == 11 && !memcmp(buf, "hello world", 11), "pread back");
	CHECK(pwrite(fd, "W", 1, 6) == 1, "pwrite in the middle");
	CHECK(pread(fd, buf, 11, 0) == 11 && !memcmp(buf, "hello World", 11), "pwrite visible");
	close(fd);

	fd = open("f", O_WRONLY | O_APPEND);
	CHECK(fd >= 0 && write(fd, "!", 1) == 1, "append");
	close(fd);
	CHECK(read_file("f", buf, sizeof(buf)) == 12 && buf[11] == '!', "O_APPEND writes at the end");

	fd = open("f", O_WRONLY | O_TRUNC);
	CHECK(fd >= 0, "open O_TRUNC");
	OK(fstat(fd, &st), "fstat");
	CHECK(st.st_size == 0, "O_TRUNC empties the file");
	close(fd);

	FAILS(open("nonexistent", O_RDONLY), ENOENT, "open a missing file");
	FAILS(open("f/x", O_RDONLY), ENOTDIR, "path through a regular file");
	fd = open("f", O_RDONLY);
	FAILS(write(fd, "x", 1), EBADF, "write on a read-only descriptor");
	close(fd);
	FAILS(open(".", O_WRONLY), EISDIR, "open a directory for writing");
}

static void t_names(void)
{
	char name[300];
	int fd;

	memset(name, 'n', 255);
	name[255] = 0;
	fd = open(name, O_CREAT | O_WRONLY, 0644);
	CHECK(fd >= 0, "255-byte name accepted");
	close(fd);
	OK(unlink(name), "unlink 255-byte name");
	memset(name, 'n', 256);
	name[256] = 0;
	FAILS(open(name, O_CREAT | O_WRONLY, 0644), ENAMETOOLONG, "256-byte name");
	FAILS(mkdir(name, 0755), ENAMETOOLONG, "mkdir 256-byte name");
}

static void t_dirs(void)
{
	struct stat st, st2;

	OK(mkdir("d", 0755), "mkdir d");
	FAILS(mkdir("d", 0755), EEXIST, "mkdir existing");
	OK(stat("d", &st), "stat d");
	CHECK(S_ISDIR(st.st_mode) && st.st_nlink == 2, "new dir nlink 2 (got %lu)", (unsigned long)st.st_nlink);
	OK(stat(".", &st), "stat .");
	OK(mkdir("d/sub", 0700), "mkdir d/sub");
	OK(stat("d", &st2), "stat d");
	CHECK(st2.st_nlink == 3, "subdir raises parent nlink to 3 (got %lu)", (unsigned long)st2.st_nlink);
	OK(write_file("d/file", "x", 1), "file in d");
	FAILS(rmdir("d"), ENOTEMPTY, "rmdir non-empty");
	FAILS(rmdir("d/file"), ENOTDIR, "rmdir a file");
	FAILS(unlink("d/sub"), EISDIR, "unlink a directory");
	OK(unlink("d/file"), "unlink d/file");
	OK(rmdir("d/sub"), "rmdir d/sub");
	OK(stat("d", &st2), "stat d");
	CHECK(st2.st_nlink == 2, "nlink back to 2");
	FAILS(rmdir("d/."), EINVAL, "rmdir d/.");
	OK(rmdir("d"), "rmdir d");
	FAILS(stat("d", &st), ENOENT, "d gone");
}

static void t_links(void)
{
	struct stat st;
	char buf[256];
	ssize_t n;

	OK(write_file("a", "abc", 3), "file a");
	OK(link("a", "b"), "link a b");
	OK(stat("a", &st), "stat a");
	CHECK(st.st_nlink == 2, "nlink 2 after link");
	FAILS(link("a", "b"), EEXIST, "link onto an existing name");
	OK(mkdir("ld", 0755), "mkdir ld");
	FAILS(link("ld", "ld2"), EPERM, "hard link to a directory");
	OK(rmdir("ld"), "rmdir ld");
	OK(unlink("a"), "unlink a");
	OK(stat("b", &st), "stat b");
	CHECK(st.st_nlink == 1 && st.st_size == 3, "b survives with nlink 1");

	OK(symlink("b", "s"), "symlink s -> b");
	n = readlink("s", buf, sizeof(buf));
	CHECK(n == 1 && buf[0] == 'b', "readlink s");
	OK(lstat("s", &st), "lstat s");
	CHECK(S_ISLNK(st.st_mode) && st.st_size == 1, "s is a symlink of size 1");
	OK(stat("s", &st), "stat through s");
	CHECK(S_ISREG(st.st_mode) && st.st_size == 3, "stat follows the symlink");
	{
		char target[1024];

		memset(target, 't', 200);
		strcpy(target + 200, "/long/target/path/that/does/not/exist");
		OK(symlink(target, "slow"), "slow symlink (> 60 bytes)");
		n = readlink("slow", buf, sizeof(buf));
		CHECK(n == (ssize_t)strlen(target) && !memcmp(buf, target, n), "readlink slow symlink");
		FAILS(stat("slow", &st), ENOENT, "dangling symlink");
		OK(unlink("slow"), "unlink slow");
	}
	OK(symlink("loop2", "loop1"), "symlink loop1");
	OK(symlink("loop1", "loop2"), "symlink loop2");
	FAILS(open("loop1", O_RDONLY), ELOOP, "symlink loop");
	FAILS(readlink("b", buf, sizeof(buf)), EINVAL, "readlink on a regular file");
	unlink("loop1");
	unlink("loop2");
	unlink("s");
	unlink("b");
}

static void t_rename(void)
{
	struct stat st;
	char buf[16];

	OK(write_file("r1", "one", 3), "r1");
	OK(write_file("r2", "two", 3), "r2");
	OK(rename("r1", "r2"), "rename over an existing file");
	FAILS(stat("r1", &st), ENOENT, "source gone");
	CHECK(read_file("r2", buf, sizeof(buf)) == 3 && !memcmp(buf, "one", 3), "target has source's data");
	OK(mkdir("rd1", 0755), "rd1");
	OK(mkdir("rd2", 0755), "rd2");
	OK(write_file("rd2/x", "x", 1), "rd2/x");
	FAILS(rename("r2", "rd1"), EISDIR, "file over a directory");
	FAILS(rename("rd1", "r2"), ENOTDIR, "directory over a file");
	FAILS(rename("rd1", "rd2"), ENOTEMPTY, "directory over a non-empty directory");
	OK(unlink("rd2/x"), "empty rd2");
	OK(rename("rd1", "rd2"), "directory over an empty directory");
	FAILS(rename("rd2", "rd2/sub"), EINVAL, "directory into itself");
	OK(mkdir("rd3", 0755), "rd3");
	OK(rename("rd2", "rd3/moved"), "directory into another directory");
	OK(stat("rd3", &st), "stat rd3");
	CHECK(st.st_nlink == 3, "rd3 nlink 3 after a directory moved in (got %lu)", (unsigned long)st.st_nlink);
	OK(rename("r2", "r2"), "rename onto itself is a no-op");
	OK(write_file("r3", "3", 1), "r3");
	FAILS(renameat2(AT_FDCWD, "r2", AT_FDCWD, "r3", RENAME_NOREPLACE), EEXIST, "RENAME_NOREPLACE");
	OK(renameat2(AT_FDCWD, "r2", AT_FDCWD, "r3", RENAME_EXCHANGE), "RENAME_EXCHANGE");
	CHECK(read_file("r3", buf, sizeof(buf)) == 3 && read_file("r2", buf, sizeof(buf)) == 1,
	      "EXCHANGE swapped the files");
	unlink("r2");
	unlink("r3");
	rmdir("rd3/moved");
	rmdir("rd3");
}

static void t_attrs(void)
{
	struct stat st;
	struct timespec ts[2] = { { 1000000000, 123456789 }, { 1100000000, 987654321 } };
	int fd;

	OK(write_file("m", "0123456789", 10), "m");
	OK(chmod("m", 0600), "chmod 0600");
	OK(stat("m", &st), "stat m");
	CHECK((st.st_mode & 07777) == 0600, "mode 0600 (got %o)", st.st_mode & 07777);
	OK(chmod("m", 04755), "chmod 04755");
	OK(stat("m", &st), "stat m");
	CHECK((st.st_mode & 07777) == 04755, "setuid mode kept (got %o)", st.st_mode & 07777);
	OK(chown("m", 1234, 5678), "chown");
	OK(stat("m", &st), "stat m");
	CHECK(st.st_uid == 1234 && st.st_gid == 5678, "uid/gid %u/%u", st.st_uid, st.st_gid);
	OK(utimensat(AT_FDCWD, "m", ts, 0), "utimensat");
	OK(stat("m", &st), "stat m");
	CHECK(st.st_atim.tv_sec == ts[0].tv_sec && st.st_mtim.tv_sec == ts[1].tv_sec &&
	      st.st_mtim.tv_nsec == ts[1].tv_nsec, "atime/mtime with nanoseconds (%ld.%09ld)",
	      (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	{
		time_t before = time(NULL);

		OK(utimensat(AT_FDCWD, "m", NULL, 0), "utimensat NOW");
		OK(stat("m", &st), "stat m");
		CHECK(st.st_mtim.tv_sec >= before - 2 && st.st_mtim.tv_sec <= before + 2, "mtime set to now");
	}
	{
		struct stat a, b;

		OK(stat("m", &a), "stat m");
		sleep(1);
		fd = open("m", O_WRONLY);
		CHECK(fd >= 0 && write(fd, "x", 1) == 1, "write m");
		close(fd);
		OK(stat("m", &b), "stat m");
		CHECK(b.st_mtim.tv_sec > a.st_mtim.tv_sec || (b.st_mtim.tv_sec == a.st_mtim.tv_sec &&
							   b.st_mtim.tv_nsec > a.st_mtim.tv_nsec),
		      "write advances mtime");
		CHECK(b.st_ctim.tv_sec >= a.st_ctim.tv_sec, "write advances ctime");
	}
	OK(truncate("m", 100000), "truncate up");
	OK(stat("m", &st), "stat m");
	CHECK(st.st_size == 100000, "size 100000");
	{
		char buf[100];

		fd = open("m", O_RDONLY);
		CHECK(pread(fd, buf, 100, 50000) == 100, "read in the extended part");
		CHECK(buf[0] == 0 && buf[99] == 0, "extension reads as zeros");
		close(fd);
	}
	OK(truncate("m", 5), "truncate down");
	OK(stat("m", &st), "stat m");
	CHECK(st.st_size == 5, "size 5");
	fd = open("m", O_RDWR);
	OK(ftruncate(fd, 0), "ftruncate 0");
	OK(fstat(fd, &st), "fstat");
	CHECK(st.st_size == 0, "size 0");
	close(fd);
	FAILS(truncate("m", -1), EINVAL, "negative size");
	unlink("m");
}

static void t_sparse_large(void)
{
	struct stat st;
	off_t big = (off_t)5 << 30;	/* past 4 GiB */
	char buf[8];
	int fd = open("sparse", O_CREAT | O_RDWR, 0644);

	CHECK(fd >= 0, "create sparse");
	CHECK(pwrite(fd, "END", 3, big) == 3, "write at 5 GiB");
	OK(fstat(fd, &st), "fstat");
	CHECK(st.st_size == big + 3, "size 5 GiB + 3");
	CHECK(st.st_blocks < 1024, "sparse: few blocks allocated (%ld)", (long)st.st_blocks);
	CHECK(pread(fd, buf, 3, big) == 3 && !memcmp(buf, "END", 3), "read at 5 GiB");
	CHECK(pread(fd, buf, 8, 1 << 20) == 8 && buf[0] == 0 && buf[7] == 0, "hole reads as zeros");
	{
		off_t d = lseek(fd, 0, SEEK_DATA);

		CHECK(d >= 0 && d <= big && d > (1 << 20), "SEEK_DATA skips the hole (%lld)", (long long)d);
		CHECK(lseek(fd, 0, SEEK_HOLE) == 0, "SEEK_HOLE at 0");
	}
	OK(fallocate(fd, 0, 0, 1 << 20), "fallocate 1 MiB");
	OK(fstat(fd, &st), "fstat");
	CHECK(st.st_blocks >= 2048, "fallocate allocated blocks (%ld)", (long)st.st_blocks);
	CHECK(pread(fd, buf, 8, 4096) == 8 && buf[0] == 0, "preallocated range reads as zeros");
	OK(fallocate(fd, FALLOC_FL_KEEP_SIZE, big + 3, 1 << 20), "fallocate KEEP_SIZE past EOF");
	OK(fstat(fd, &st), "fstat");
	CHECK(st.st_size == big + 3, "KEEP_SIZE keeps the size");
	close(fd);
	unlink("sparse");
}

static void t_unlink_open(void)
{
	char buf[8];
	int fd = open("tmp", O_CREAT | O_RDWR, 0644);
	struct stat st;

	CHECK(fd >= 0 && write(fd, "keep", 4) == 4, "write tmp");
	OK(unlink("tmp"), "unlink while open");
	FAILS(stat("tmp", &st), ENOENT, "name gone");
	CHECK(pread(fd, buf, 4, 0) == 4 && !memcmp(buf, "keep", 4), "data still readable through the fd");
	CHECK(pwrite(fd, "more", 4, 4) == 4, "still writable");
	OK(fstat(fd, &st), "fstat unlinked");
	CHECK(st.st_nlink == 0 && st.st_size == 8, "nlink 0, size 8");
	close(fd);

	fd = open(".", O_TMPFILE | O_RDWR, 0600);
	if (fd >= 0) {
		char path[64];

		CHECK(write(fd, "tmpfile", 7) == 7, "write O_TMPFILE");
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		OK(linkat(AT_FDCWD, path, AT_FDCWD, "named", AT_SYMLINK_FOLLOW), "link the O_TMPFILE in");
		CHECK(read_file("named", buf, sizeof(buf)) == 7, "named tmpfile has its data");
		close(fd);
		unlink("named");
	} else {
		CHECK(errno == EOPNOTSUPP, "O_TMPFILE: works or EOPNOTSUPP");
	}
}

static void t_readdir(void)
{
	DIR *d;
	struct dirent *e;
	int n = 0, seen_dot = 0, seen_dotdot = 0;
	char name[300];

	OK(mkdir("rdir", 0755), "rdir");
	for (int i = 0; i < 500; i++) {
		snprintf(name, sizeof(name), "rdir/entry-%04d", i);
		if (write_file(name, "", 0))
			break;
	}
	d = opendir("rdir");
	CHECK(d != NULL, "opendir");
	while (d && (e = readdir(d))) {
		if (!strcmp(e->d_name, "."))
			seen_dot = 1;
		else if (!strcmp(e->d_name, ".."))
			seen_dotdot = 1;
		else {
			n++;
			CHECK(e->d_type == DT_REG || e->d_type == DT_UNKNOWN, "d_type of %s", e->d_name);
		}
	}
	CHECK(n == 500 && seen_dot && seen_dotdot, "readdir: 500 entries plus . and .. (got %d)", n);
	if (d) {
		long pos;

		rewinddir(d);
		for (int i = 0; i < 100 && readdir(d); i++)
			;
		pos = telldir(d);
		e = readdir(d);
		snprintf(name, sizeof(name), "%s", e ? e->d_name : "");
		seekdir(d, pos);
		e = readdir(d);
		CHECK(e && !strcmp(e->d_name, name), "seekdir/telldir resume at the same entry");
		closedir(d);
	}
	for (int i = 0; i < 500; i++) {
		snprintf(name, sizeof(name), "rdir/entry-%04d", i);
		unlink(name);
	}
	OK(rmdir("rdir"), "rmdir after removing 500 entries");
}

static void t_xattr(void)
{
	char buf[256];
	ssize_t n;
	char big[4000];

	OK(write_file("x", "", 0), "x");
	OK(setxattr("x", "user.one", "value1", 6, 0), "setxattr user.one");
	n = getxattr("x", "user.one", buf, sizeof(buf));
	CHECK(n == 6 && !memcmp(buf, "value1", 6), "getxattr");
	CHECK(getxattr("x", "user.one", NULL, 0) == 6, "getxattr size query");
	FAILS(getxattr("x", "user.one", buf, 2), ERANGE, "getxattr buffer too small");
	FAILS(setxattr("x", "user.one", "v", 1, XATTR_CREATE), EEXIST, "XATTR_CREATE on existing");
	FAILS(setxattr("x", "user.two", "v", 1, XATTR_REPLACE), ENODATA, "XATTR_REPLACE on missing");
	memset(big, 'v', sizeof(big));
	OK(setxattr("x", "user.big", big, sizeof(big), 0), "4000-byte xattr");
	n = getxattr("x", "user.big", buf, 0);
	CHECK(n == (ssize_t)sizeof(big), "big xattr size %zd", n);
	n = listxattr("x", buf, sizeof(buf));
	CHECK(n > 0 && memmem(buf, n, "user.one", 9) && memmem(buf, n, "user.big", 9), "listxattr");
	OK(removexattr("x", "user.one"), "removexattr");
	FAILS(getxattr("x", "user.one", buf, sizeof(buf)), ENODATA, "removed xattr");
	FAILS(removexattr("x", "user.one"), ENODATA, "remove missing xattr");
	unlink("x");
}

static void t_special(void)
{
	struct stat st;

	OK(mkfifo("fifo", 0644), "mkfifo");
	OK(lstat("fifo", &st), "stat fifo");
	CHECK(S_ISFIFO(st.st_mode), "fifo type");
	OK(mknod("chr", S_IFCHR | 0600, makedev(1, 3)), "mknod char device");
	OK(lstat("chr", &st), "stat chr");
	CHECK(S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 && minor(st.st_rdev) == 3, "char device 1:3");
	OK(mknod("sock", S_IFSOCK | 0600, 0), "mknod socket");
	OK(lstat("sock", &st), "stat sock");
	CHECK(S_ISSOCK(st.st_mode), "socket type");
	unlink("fifo");
	unlink("chr");
	unlink("sock");
}

static void t_locks(void)
{
	int fd = open("lk", O_CREAT | O_RDWR, 0644);
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 100 };
	int p[2];
	pid_t pid;
	char c;

	CHECK(fd >= 0, "lk");
	OK(fcntl(fd, F_SETLK, &fl), "F_SETLK write lock 0..99");
	if (pipe(p))
		return;
	pid = fork();
	if (pid == 0) {
		int fd2 = open("lk", O_RDWR);
		struct flock f2 = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 50, .l_len = 10 };
		int ok = 1;

		if (fcntl(fd2, F_SETLK, &f2) == 0 || (errno != EAGAIN && errno != EACCES))
			ok = 0;
		f2.l_type = F_WRLCK;
		if (fcntl(fd2, F_GETLK, &f2) || f2.l_type != F_WRLCK || f2.l_pid != getppid())
			ok = 0;
		f2.l_start = 200;
		f2.l_type = F_WRLCK;
		if (fcntl(fd2, F_SETLK, &f2))	/* no conflict past the parent's range */
			ok = 0;
		if (write(p[1], ok ? "y" : "n", 1) != 1)
			_exit(2);
		/* blocking lock: granted once the parent unlocks */
		f2.l_start = 0;
		f2.l_len = 10;
		if (fcntl(fd2, F_SETLKW, &f2))
			_exit(3);
		_exit(0);
	}
	CHECK(read(p[0], &c, 1) == 1 && c == 'y', "child: conflicting F_SETLK refused, F_GETLK names the holder, other range locks");
	usleep(200000);
	fl.l_type = F_UNLCK;
	OK(fcntl(fd, F_SETLK, &fl), "unlock");
	{
		int status = -1;

		waitpid(pid, &status, 0);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child's F_SETLKW granted after the unlock (status %d)", status);
	}
	OK(flock(fd, LOCK_EX), "flock LOCK_EX");
	OK(flock(fd, LOCK_UN), "flock LOCK_UN");
	close(fd);
	unlink("lk");
}

static void t_statfs_sync(void)
{
	struct statfs s;
	int fd;

	OK(statfs(".", &s), "statfs");
	CHECK(s.f_blocks > 0 && s.f_bfree <= s.f_blocks && s.f_files > 0 && s.f_namelen == 255,
	      "statfs numbers (blocks %llu, namelen %ld)", (unsigned long long)s.f_blocks, (long)s.f_namelen);
	fd = open("sync", O_CREAT | O_RDWR, 0644);
	CHECK(fd >= 0 && write(fd, "s", 1) == 1, "write sync");
	OK(fsync(fd), "fsync");
	OK(fdatasync(fd), "fdatasync");
	OK(syncfs(fd), "syncfs");
	close(fd);
	fd = open(".", O_RDONLY | O_DIRECTORY);
	OK(fsync(fd), "fsync a directory");
	close(fd);
	unlink("sync");
}

static void t_bigfile(void)
{
	static unsigned char w[1 << 20], r[1 << 20];
	int fd = open("big", O_CREAT | O_RDWR | O_TRUNC, 0644);
	int ok = 1;

	for (size_t i = 0; i < sizeof(w); i++)
		w[i] = (unsigned char)(i * 2654435761u >> 13);
	for (int k = 0; k < 8 && ok; k++)
		ok = pwrite(fd, w, sizeof(w), (off_t)k * sizeof(w)) == (ssize_t)sizeof(w);
	CHECK(ok, "write 8 MiB");
	OK(fsync(fd), "fsync big");
	close(fd);
	fd = open("big", O_RDONLY);
	for (int k = 0; k < 8 && ok; k++)
		ok = pread(fd, r, sizeof(r), (off_t)k * sizeof(r)) == (ssize_t)sizeof(r) && !memcmp(w, r, sizeof(r));
	CHECK(ok, "read 8 MiB back");
	close(fd);
	{
		int fo = open("copy", O_CREAT | O_WRONLY | O_TRUNC, 0644);
		loff_t in = 0, out = 0;
		ssize_t n, total = 0;

		fd = open("big", O_RDONLY);
		while ((n = copy_file_range(fd, &in, fo, &out, 3 << 20, 0)) > 0)
			total += n;
		CHECK(total == 8 << 20, "copy_file_range copied 8 MiB (%zd)", total);
		close(fd);
		close(fo);
		fd = open("copy", O_RDONLY);
		ok = pread(fd, r, sizeof(r), 7 << 20) == (ssize_t)sizeof(r) && !memcmp(w, r, sizeof(r));
		CHECK(ok, "copy has the data");
		close(fd);
	}
	unlink("copy");
	unlink("big");
}

/* --- times: the device's clock ------------------------------------------ */

static long long ts_ns(const struct timespec *t)
{
	return (long long)t->tv_sec * 1000000000ll + t->tv_nsec;
}

/* b is at least half a second after a: a second of sleep went by on the
 * device's clock too (not a few milliseconds of a slow simulation). */
static int advanced(const struct timespec *a, const struct timespec *b)
{
	return ts_ns(b) - ts_ns(a) >= 500000000ll;
}

static int same(const struct timespec *a, const struct timespec *b)
{
	return ts_ns(a) == ts_ns(b);
}

#define TS(t) (long long)(t).tv_sec, (t).tv_nsec

/* Stamps a change made now must be near the guest's own clock. */
static void near_now(const struct timespec *t, const char *what)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	CHECK(llabs(ts_ns(&now) - ts_ns(t)) < 5000000000ll, "%s %lld.%09ld within 5 s of the guest's clock %lld.%09ld",
	      what, TS(*t), TS(now));
}

/* st_dir/st_file before; after a second of sleep, op; then both again. */
#define CHANGE(op, what, dir_changes, file_ctime, file_mtime)                                       \
	do {                                                                                      \
		struct stat d0_, f0_, d1_, f1_;                                                   \
		OK(stat("td", &d0_), "stat td");                                                  \
		OK(stat(fpath, &f0_), "stat file");                                               \
		sleep(1);                                                                         \
		OK(op, what);                                                                     \
		OK(stat("td", &d1_), "stat td");                                                  \
		OK(stat(fpath, &f1_), "stat file");                                               \
		if (dir_changes) {                                                                \
			CHECK(advanced(&d0_.st_mtim, &d1_.st_mtim), "%s: directory mtime advances (%lld.%09ld -> %lld.%09ld)", \
			      what, TS(d0_.st_mtim), TS(d1_.st_mtim));                            \
			CHECK(advanced(&d0_.st_ctim, &d1_.st_ctim), "%s: directory ctime advances (%lld.%09ld -> %lld.%09ld)", \
			      what, TS(d0_.st_ctim), TS(d1_.st_ctim));                            \
			near_now(&d1_.st_mtim, what);                                             \
		} else {                                                                          \
			CHECK(same(&d0_.st_mtim, &d1_.st_mtim) && same(&d0_.st_ctim, &d1_.st_ctim), \
			      "%s: directory times unchanged", what);                             \
		}                                                                                 \
		if (file_ctime) {                                                                 \
			CHECK(advanced(&f0_.st_ctim, &f1_.st_ctim), "%s: file ctime advances (%lld.%09ld -> %lld.%09ld)", \
			      what, TS(f0_.st_ctim), TS(f1_.st_ctim));                            \
			near_now(&f1_.st_ctim, what);                                             \
		}                                                                                 \
		if (file_mtime)                                                                   \
			CHECK(advanced(&f0_.st_mtim, &f1_.st_mtim), "%s: file mtime advances (%lld.%09ld -> %lld.%09ld)", \
			      what, TS(f0_.st_mtim), TS(f1_.st_mtim));                            \
		else                                                                              \
			CHECK(same(&f0_.st_mtim, &f1_.st_mtim), "%s: file mtime unchanged", what); \
	} while (0)

static void t_times(void)
{
	const char *fpath = "td/f";
	struct stat d0, d1, f0, f1;
	int fd;

	OK(mkdir("td", 0755), "mkdir td");
	OK(mkdir("tother", 0755), "mkdir tother");
	OK(stat("td", &d0), "stat td");
	near_now(&d0.st_mtim, "mkdir");
	sleep(1);
	/* create: the new file's times are now, its directory's advance */
	fd = open(fpath, O_CREAT | O_WRONLY, 0644);
	CHECK(fd >= 0, "create td/f");
	if (fd >= 0)
		close(fd);
	OK(stat("td", &d1), "stat td");
	OK(stat(fpath, &f0), "stat td/f");
	CHECK(advanced(&d0.st_mtim, &d1.st_mtim) && advanced(&d0.st_ctim, &d1.st_ctim),
	      "create: directory mtime/ctime advance (%lld.%09ld -> %lld.%09ld)", TS(d0.st_mtim), TS(d1.st_mtim));
	near_now(&f0.st_mtim, "create: file mtime");
	CHECK(same(&f0.st_mtim, &f0.st_ctim), "create: file mtime = ctime");

	CHANGE(link(fpath, "td/g"), "link", 1, 1, 0);
	CHANGE(unlink("td/g"), "unlink", 1, 1, 0);
	CHANGE(chmod(fpath, 0600), "chmod", 0, 1, 0);
	CHANGE(chown(fpath, 4321, 8765), "chown", 0, 1, 0);
	CHANGE(truncate(fpath, 4096), "truncate", 0, 1, 1);
	{
		int wfd = open(fpath, O_WRONLY);

		CHECK(wfd >= 0, "open td/f for writing");
		CHANGE(pwrite(wfd, "data", 4, 10), "write", 0, 1, 1);
		close(wfd);
	}
	/* rename: both directories change, the file's ctime too (as Linux's ext4) */
	OK(stat("tother", &d0), "stat tother");
	OK(stat(fpath, &f0), "stat td/f");
	{
		struct stat s0;

		OK(stat("td", &s0), "stat td");
		sleep(1);
		OK(rename(fpath, "tother/f"), "rename td/f tother/f");
		OK(stat("td", &d1), "stat td");
		CHECK(advanced(&s0.st_mtim, &d1.st_mtim) && advanced(&s0.st_ctim, &d1.st_ctim),
		      "rename: source directory mtime/ctime advance");
	}
	OK(stat("tother", &d1), "stat tother");
	OK(stat("tother/f", &f1), "stat tother/f");
	CHECK(advanced(&d0.st_mtim, &d1.st_mtim) && advanced(&d0.st_ctim, &d1.st_ctim),
	      "rename: target directory mtime/ctime advance (%lld.%09ld -> %lld.%09ld)", TS(d0.st_mtim), TS(d1.st_mtim));
	CHECK(advanced(&f0.st_ctim, &f1.st_ctim), "rename: file ctime advances (%lld.%09ld -> %lld.%09ld)",
	      TS(f0.st_ctim), TS(f1.st_ctim));
	CHECK(same(&f0.st_mtim, &f1.st_mtim), "rename: file mtime unchanged");

	/* calls that fail change no time */
	OK(stat("tother", &d0), "stat tother");
	OK(stat("tother/f", &f0), "stat tother/f");
	sleep(1);
	FAILS(mkdir("tother/f", 0755), EEXIST, "mkdir over a file");
	FAILS(open("tother/f", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST, "O_EXCL create of an existing file");
	FAILS(unlink("tother/absent"), ENOENT, "unlink of an absent name");
	FAILS(rename("tother/absent", "tother/x"), ENOENT, "rename of an absent name");
	FAILS(link("tother/f", "tother/f"), EEXIST, "link onto itself");
	FAILS(rmdir("tother"), ENOTEMPTY, "rmdir of a non-empty directory");
	FAILS(truncate("tother/f", -1), EINVAL, "truncate to a negative size");
	FAILS(symlink("x", "tother/f"), EEXIST, "symlink over a file");
	OK(stat("tother", &d1), "stat tother");
	OK(stat("tother/f", &f1), "stat tother/f");
	CHECK(same(&d0.st_mtim, &d1.st_mtim) && same(&d0.st_ctim, &d1.st_ctim),
	      "failed calls: directory times unchanged (%lld.%09ld -> %lld.%09ld)", TS(d0.st_mtim), TS(d1.st_mtim));
	CHECK(same(&f0.st_mtim, &f1.st_mtim) && same(&f0.st_ctim, &f1.st_ctim),
	      "failed calls: file times unchanged (%lld.%09ld -> %lld.%09ld)", TS(f0.st_ctim), TS(f1.st_ctim));
	unlink("tother/f");
	rmdir("tother");
	rmdir("td");
}

static const struct {
	const char *name;
	void (*run)(void);
} groups[] = {
	{ "create", t_create_open }, { "names", t_names }, { "dirs", t_dirs }, { "links", t_links },
	{ "rename", t_rename }, { "attrs", t_attrs }, { "times", t_times }, { "sparse", t_sparse_large },
	{ "unlink", t_unlink_open }, { "readdir", t_readdir }, { "xattr", t_xattr },
	{ "special", t_special }, { "locks", t_locks }, { "sync", t_statfs_sync }, { "bigfile", t_bigfile },
};
#define NGROUPS (sizeof(groups) / sizeof(groups[0]))

/* Marks the groups a comma-separated list names; 0, or -1 for an unknown name. */
static int pick_groups(char *list, int *on)
{
	for (char *g = strtok(list, ","); g; g = strtok(NULL, ",")) {
		unsigned i;

		for (i = 0; i < NGROUPS && strcmp(groups[i].name, g); i++)
			;
		if (i == NGROUPS) {
			fprintf(stderr, "posix_test: unknown group '%s' (-l lists them)\n", g);
			return -1;
		}
		on[i] = 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *dir = "posix_test.d";
	int on[NGROUPS], all = 1, opt;

	memset(on, 0, sizeof(on));
	while ((opt = getopt(argc, argv, "g:l")) != -1) {
		if (opt == 'g') {
			all = 0;
			if (pick_groups(optarg, on))
				return 2;
		} else if (opt == 'l') {
			for (unsigned i = 0; i < NGROUPS; i++)
				printf("%s\n", groups[i].name);
			return 0;
		} else {
			fprintf(stderr, "usage: posix_test [-g GROUP[,GROUP...]] [-l] [DIR]\n");
			return 2;
		}
	}
	if (optind < argc)
		dir = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "usage: posix_test [-g GROUP[,GROUP...]] [-l] [DIR]\n");
		return 2;
	}

	setvbuf(stdout, NULL, _IONBF, 0);
	umask(022);
	if (mkdir(dir, 0755) && errno != EEXIST) {
		perror(dir);
		return 2;
	}
	if (chdir(dir)) {
		perror(dir);
		return 2;
	}
	for (unsigned i = 0; i < NGROUPS; i++)
		if (all || on[i]) {
			int f0 = failed, p0 = passed;

			groups[i].run();
			printf("posix_test: group %s: %d passed, %d failed\n", groups[i].name, passed - p0,
			       failed - f0);
		}
	unlink("f");
	if (chdir("..") == 0 && rmdir(dir))
		CHECK(0, "the test directory is empty at the end");
	printf("posix_test: %d passed, %d failed\n", passed, failed);
	return failed || !passed ? 1 : 0;	/* no check run is no pass */
}
