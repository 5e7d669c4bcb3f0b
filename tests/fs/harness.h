/* Tiny test harness for the filesystem tests: fresh images, mount helpers,
 * e2fsck and debugfs checks. */
#ifndef FS_HARNESS_H
#define FS_HARNESS_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "blockdev_file.h"
#include "vfs.h"

extern const char *workdir;
extern char cur_img[512];
extern char fail_msg[1024];
extern int cur_failed;

#define CHECK(cond, ...) do { if (!(cond)) { \
	if (!cur_failed) snprintf(fail_msg, sizeof(fail_msg), "%s:%d: %s", __FILE__, __LINE__, #cond); \
	cur_failed = 1; fprintf(stderr, "  check failed at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
	fprintf(stderr, "  " __VA_ARGS__); fprintf(stderr, "\n"); return; } } while (0)
#define OK(expr) do { long _r = (long)(expr); CHECK(_r >= 0, "%s returned %ld (%s)", #expr, _r, \
	last_err()); } while (0)

const char *last_err(void);
int make_image(const char *opts, const char *size);
int run(const char *fmt, ...);
int fsck_clean(void);
int debugfs_out(const char *req, char *out, size_t size);
int mount_img(struct vfs **fs);
int umount_img(struct vfs *fs);
extern struct vfs *cur_fs;
void host_clock(uint64_t *sec, uint32_t *nsec);

#endif
