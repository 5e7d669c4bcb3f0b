/*
 * fshelper: the few file operations busybox cannot do, for scripts that run
 * inside the test guest (tests/guest/fileops.sh). Built statically on the host
 * (gcc -static) and put in the guest's initramfs as /bin/fshelper.
 *
 *   fshelper xattr-set FILE NAME VALUE
 *   fshelper xattr-get FILE NAME          prints the value
 *   fshelper xattr-list FILE              prints the names, one a line
 *   fshelper xattr-remove FILE NAME
 *   fshelper lock-test FILE               fcntl record locks across two processes
 *   fshelper zero-check FILE OFFSET LEN   the LEN bytes at OFFSET read as zeros
 *   fshelper mkfiles DIR N [open|mknod]   creates DIR/f0 .. DIR/f(N-1), empty regular
 *                                         files, by open+close (default) or by mknod,
 *                                         which is half the FUSE requests
 *   fshelper statfs PATH                  prints bsize blocks bfree files ffree namelen
 *   fshelper dax-check FILE               exit 0 when the kernel serves FILE through DAX
 *                                         (statx reports STATX_ATTR_DAX), 1 with a
 *                                         message otherwise
 *
 * Exit status 0 on success; 1 with a message on stderr naming the call and
 * errno otherwise; 2 for bad arguments.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

static const char *prog = "fshelper";

static int fail(const char *what, const char *arg)
{
	fprintf(stderr, "%s: %s %s: %s\n", prog, what, arg, strerror(errno));
	return 1;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: %s xattr-set FILE NAME VALUE | xattr-get FILE NAME | xattr-list FILE |\n"
		"       xattr-remove FILE NAME | lock-test FILE | zero-check FILE OFFSET LEN |\n"
		"       mkfiles DIR N [open|mknod] | statfs PATH | dax-check FILE\n", prog);
	return 2;
}

static int parse_num(const char *s, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(s, &end, 0);
	return (errno || *s == '\0' || *end != '\0' || *out < 0) ? -1 : 0;
}

static int cmd_xattr_get(const char *file, const char *name)
{
	char buf[65536];
	ssize_t n = getxattr(file, name, buf, sizeof(buf));

	if (n < 0)
		return fail("getxattr", name);
	fwrite(buf, 1, (size_t)n, stdout);
	putchar('\n');
	return 0;
}

static int cmd_xattr_list(const char *file)
{
	char buf[65536];
	ssize_t n = listxattr(file, buf, sizeof(buf));
	ssize_t i;

	if (n < 0)
		return fail("listxattr", file);
	for (i = 0; i < n; i += (ssize_t)strlen(buf + i) + 1)
		printf("%s\n", buf + i);
	return 0;
}

/* One byte through a pipe: the two processes take turns. */
static int step_send(int fd)
{
	char c = 1;

	return write(fd, &c, 1) == 1 ? 0 : -1;
}

static int step_wait(int fd)
{
	char c;

	return read(fd, &c, 1) == 1 ? 0 : -1;
}

static int set_lock(int fd, short type, int cmd)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = 100, .l_len = 50 };

	return fcntl(fd, cmd, &fl);
}

#define CHILD_FAIL(...) do { fprintf(stderr, "%s: lock-test (second process): ", prog); \
	fprintf(stderr, __VA_ARGS__); fprintf(stderr, "\n"); _exit(1); } while (0)

/*
 * The second process: the holder (our parent) has a write lock on [100,150);
 * a conflicting F_SETLK must fail with EAGAIN or EACCES and F_GETLK must name
 * the holder; once the holder releases, the same F_SETLK succeeds. Then the
 * holder takes a read lock: another read lock is granted, a write lock is not.
 */
static void lock_child(const char *file, pid_t holder, int from_parent, int to_parent)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 120, .l_len = 10 };
	int fd = open(file, O_RDWR);

	if (fd < 0)
		CHILD_FAIL("open %s: %s", file, strerror(errno));
	if (step_wait(from_parent))
		CHILD_FAIL("holder went away");
	errno = 0;
	if (set_lock(fd, F_WRLCK, F_SETLK) == 0)
		CHILD_FAIL("F_SETLK write lock granted while another process holds a write lock");
	if (errno != EAGAIN && errno != EACCES)
		CHILD_FAIL("conflicting F_SETLK failed with %s, want EAGAIN or EACCES", strerror(errno));
	if (fcntl(fd, F_GETLK, &fl) < 0)
		CHILD_FAIL("F_GETLK: %s", strerror(errno));
	if (fl.l_type != F_WRLCK || fl.l_pid != holder || fl.l_start != 100 || fl.l_len != 50)
		CHILD_FAIL("F_GETLK reports type %d pid %d range %lld+%lld, want write lock of pid %d at 100+50",
			   fl.l_type, (int)fl.l_pid, (long long)fl.l_start, (long long)fl.l_len, (int)holder);
	if (step_send(to_parent) || step_wait(from_parent))
		CHILD_FAIL("holder went away");
	/* The holder has released its lock. */
	if (set_lock(fd, F_WRLCK, F_SETLK) < 0)
		CHILD_FAIL("F_SETLK after the holder released: %s", strerror(errno));
	if (set_lock(fd, F_UNLCK, F_SETLK) < 0)
		CHILD_FAIL("F_UNLCK: %s", strerror(errno));
	if (step_send(to_parent) || step_wait(from_parent))
		CHILD_FAIL("holder went away");
	/* The holder now has a read lock. */
	if (set_lock(fd, F_RDLCK, F_SETLK) < 0)
		CHILD_FAIL("read lock beside another process's read lock: %s", strerror(errno));
	if (set_lock(fd, F_WRLCK, F_SETLK) == 0)
		CHILD_FAIL("write lock granted over another process's read lock");
	if (errno != EAGAIN && errno != EACCES)
		CHILD_FAIL("write lock over a read lock failed with %s, want EAGAIN or EACCES", strerror(errno));
	close(fd);
	_exit(0);
}

static int cmd_lock_test(const char *file)
{
	int down[2], up[2], fd, status, rc = 1;
	pid_t child;

	fd = open(file, O_RDWR | O_CREAT, 0644);
	if (fd < 0)
		return fail("open", file);
	if (ftruncate(fd, 4096) < 0 || pipe(down) < 0 || pipe(up) < 0)
		return fail("set-up", file);
	if (set_lock(fd, F_WRLCK, F_SETLK) < 0)
		return fail("F_SETLK write lock (no contention)", file);
	child = fork();
	if (child < 0)
		return fail("fork", file);
	if (child == 0) {
		close(fd);
		close(down[1]);
		close(up[0]);
		lock_child(file, getppid(), down[0], up[1]);
	}
	close(down[0]);
	close(up[1]);
	if (step_send(down[1]) || step_wait(up[0]))
		goto out_child;
	if (set_lock(fd, F_UNLCK, F_SETLK) < 0) {
		fail("F_UNLCK", file);
		goto out_child;
	}
	if (step_send(down[1]) || step_wait(up[0]))
		goto out_child;
	if (set_lock(fd, F_RDLCK, F_SETLK) < 0) {
		fail("F_SETLK read lock", file);
		goto out_child;
	}
	if (step_send(down[1]))
		goto out_child;
	rc = 0;
out_child:
	close(down[1]);
	if (waitpid(child, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		rc = 1;
	close(up[0]);
	close(fd);
	if (rc)
		fprintf(stderr, "%s: lock-test %s failed\n", prog, file);
	return rc;
}

static int cmd_zero_check(const char *file, const char *soff, const char *slen)
{
	long long off, len, done = 0;
	char buf[65536];
	int fd, rc = 1;

	if (parse_num(soff, &off) || parse_num(slen, &len))
		return usage();
	fd = open(file, O_RDONLY);
	if (fd < 0)
		return fail("open", file);
	while (done < len) {
		size_t want = (size_t)(len - done < (long long)sizeof(buf) ? len - done : (long long)sizeof(buf));
		ssize_t n = pread(fd, buf, want, off + done);
		ssize_t i;

		if (n < 0) {
			fail("pread", file);
			goto out;
		}
		if (n == 0) {
			fprintf(stderr, "%s: %s ends at %lld, before %lld\n", prog, file, off + done, off + len);
			goto out;
		}
		for (i = 0; i < n; i++)
			if (buf[i]) {
				fprintf(stderr, "%s: %s byte %lld is 0x%02x, want 0\n", prog, file,
					off + done + i, (unsigned char)buf[i]);
				goto out;
			}
		done += n;
	}
	rc = 0;
out:
	close(fd);
	return rc;
}

static int cmd_mkfiles(const char *dir, const char *sn, const char *how)
{
	int use_mknod = !strcmp(how, "mknod");
	char path[4096];
	long long n, i;

	if (parse_num(sn, &n) || (!use_mknod && strcmp(how, "open")))
		return usage();
	for (i = 0; i < n; i++) {
		int fd;

		snprintf(path, sizeof(path), "%s/f%lld", dir, i);
		if (use_mknod) {
			if (mknod(path, S_IFREG | 0644, 0) < 0)
				return fail("mknod", path);
			continue;
		}
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (fd < 0)
			return fail("create", path);
		if (close(fd) < 0)
			return fail("close", path);
	}
	return 0;
}

static int cmd_statfs(const char *path)
{
	struct statfs s;

	if (statfs(path, &s) < 0)
		return fail("statfs", path);
	printf("%lld %lld %lld %lld %lld %lld\n", (long long)s.f_bsize, (long long)s.f_blocks,
	       (long long)s.f_bfree, (long long)s.f_files, (long long)s.f_ffree, (long long)s.f_namelen);
	return 0;
}

/* Linux 5.8 include/uapi/linux/stat.h; older headers lack it */
#ifndef STATX_ATTR_DAX
#define STATX_ATTR_DAX 0x00200000
#endif

static int cmd_dax_check(const char *file)
{
	struct statx st;

	if (statx(AT_FDCWD, file, 0, STATX_BASIC_STATS, &st) < 0)
		return fail("statx", file);
	if (!(st.stx_attributes_mask & STATX_ATTR_DAX)) {
		fprintf(stderr, "%s: dax-check %s: this kernel does not report the DAX attribute\n", prog, file);
		return 1;
	}
	if (!(st.stx_attributes & STATX_ATTR_DAX)) {
		fprintf(stderr, "%s: dax-check %s: not served through DAX\n", prog, file);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	if (!strcmp(cmd, "xattr-set") && argc == 5)
		return setxattr(argv[2], argv[3], argv[4], strlen(argv[4]), 0) ? fail("setxattr", argv[3]) : 0;
	if (!strcmp(cmd, "xattr-get") && argc == 4)
		return cmd_xattr_get(argv[2], argv[3]);
	if (!strcmp(cmd, "xattr-list") && argc == 3)
		return cmd_xattr_list(argv[2]);
	if (!strcmp(cmd, "xattr-remove") && argc == 4)
		return removexattr(argv[2], argv[3]) ? fail("removexattr", argv[3]) : 0;
	if (!strcmp(cmd, "lock-test") && argc == 3)
		return cmd_lock_test(argv[2]);
	if (!strcmp(cmd, "zero-check") && argc == 5)
		return cmd_zero_check(argv[2], argv[3], argv[4]);
	if (!strcmp(cmd, "mkfiles") && (argc == 4 || argc == 5))
		return cmd_mkfiles(argv[2], argv[3], argc == 5 ? argv[4] : "open");
	if (!strcmp(cmd, "statfs") && argc == 3)
		return cmd_statfs(argv[2]);
	if (!strcmp(cmd, "dax-check") && argc == 3)
		return cmd_dax_check(argv[2]);
	return usage();
}
