#define _GNU_SOURCE
#include "harness.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

const char *workdir;
char cur_img[512];
char fail_msg[1024];
int cur_failed;
struct vfs *cur_fs;
static struct blockdev_file bdf;

const char *last_err(void)
{
	return vfs_last_error(cur_fs);
}

int run(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	if (st == -1)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

int make_image(const char *opts, const char *size)
{
	snprintf(cur_img, sizeof(cur_img), "%s/img", workdir);
	unlink(cur_img);
	return run("mke2fs -q -t ext4 %s -F %s %s >/dev/null 2>&1", opts, cur_img, size);
}

int fsck_clean(void)
{
	int r = run("e2fsck -fn %s >%s/fsck.log 2>&1", cur_img, workdir);
	if (r != 0) {
		fprintf(stderr, "  e2fsck exit %d:\n", r);
		run("head -30 %s/fsck.log >&2", workdir);
	}
	return r == 0;
}

int debugfs_out(const char *req, char *out, size_t size)
{
	char cmd[1024];
	FILE *p;
	size_t n;

	snprintf(cmd, sizeof(cmd), "debugfs -R '%s' %s 2>/dev/null", req, cur_img);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	n = fread(out, 1, size - 1, p);
	out[n] = 0;
	pclose(p);
	return (int)n;
}

void host_clock(uint64_t *sec, uint32_t *nsec)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	*sec = (uint64_t)ts.tv_sec;
	*nsec = (uint32_t)ts.tv_nsec;
}

int mount_img(struct vfs **fs)
{
	int err = blockdev_file_open(&bdf, cur_img, 0);

	vfs_set_clock(host_clock);
	if (err)
		return err;
	err = vfs_mount(fs, &bdf.bd, 0);
	cur_fs = *fs;
	if (err)
		blockdev_file_close(&bdf);
	return err;
}

int umount_img(struct vfs *fs)
{
	int err = vfs_unmount(fs);

	blockdev_file_close(&bdf);
	cur_fs = NULL;
	return err;
}
