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
int mount_img_clock(struct vfs **fs, vfs_clock_t clock);	/* mount_img with another clock */
int umount_img(struct vfs *fs);
/* vfs_idle until no idle work is left (queued evictions done): the state a
 * synchronous eviction used to leave; the step count */
int idle_all(struct vfs *fs);
extern struct vfs *cur_fs;
void host_clock(uint64_t *sec, uint32_t *nsec);

/* the mke2fs options of the variant running now, and whether its inodes
 * are 128 bytes (no nanoseconds, no times past 2038, little xattr room) */
extern const char *variant_opts;
extern int small_inode;

#define NAME(s) s, strlen(s)

/* debugfs's dump of path is exactly want[0..len) */
int dump_cmp(const char *path, const void *want, size_t len);
int has(const char *hay, const char *needle);
/* md5sum of the image, as text (at least 64 bytes at out) */
int md5_of(char *out);
/* the tests' one pseudo-random sequence, shared in run order: some cases
 * seed rnd_state, others go on from where the one before left it */
extern uint32_t rnd_state;
uint32_t rnd(void);

#endif
