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
	return mount_img_clock(fs, host_clock);
}

int mount_img_clock(struct vfs **fs, vfs_clock_t clock)
{
	int err = blockdev_file_open(&bdf, cur_img, 0);

	vfs_set_clock(clock);
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

int dump_cmp(const char *path, const void *want, size_t len)
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

int has(const char *hay, const char *needle)
{
	return strstr(hay, needle) != NULL;
}

int md5_of(char *out)
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

uint32_t rnd_state = 12345;
uint32_t rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return rnd_state >> 8;
}

int idle_all(struct vfs *fs)
{
	int n = 0;

	while (vfs_idle(fs) > 0)
		n++;
	return n;
}
