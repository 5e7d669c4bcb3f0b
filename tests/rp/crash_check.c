/*
 * Host check of an image the card's power-cut workload (crashfw.c) left:
 * mounted with firmware/fs (journal replay), then by the console log of the
 * run (what completed before the cut): every file whose "SYNCED k" was
 * printed is there with its bytes (and user.k), under f<k> or, once its
 * rename began, under exactly one of f<k> / g<k>, g<k> once "RENAMED k" was
 * printed. e2fsck -fn is run_crash.sh's part.
 * usage: crash_check IMAGE CONSOLE_LOG   (exit 0: every check passed)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blockdev_file.h"
#include "crash_plan.h"
#include "vfs.h"

static int synced[CRASH_FILES], renaming[CRASH_FILES], renamed[CRASH_FILES];
static uint8_t got[CRASH_MAX_LEN + 1];
static int fails;

static void fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("FAIL card cut: ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fails++;
}

static void check_file(struct vfs *fs, unsigned k, uint64_t ino)
{
	uint32_t len = crash_len(k);
	long n = vfs_read(fs, ino, 0, got, sizeof(got));
	char v[8];

	if (n != (long)len) {
		fail("file %u: %ld bytes, %u synced", k, n, len);
		return;
	}
	for (uint32_t i = 0; i < len; i++)
		if (got[i] != crash_pat(k, i)) {
			fail("file %u: byte %u differs", k, i);
			return;
		}
	if (k % 3 == 2) {
		n = vfs_getxattr(fs, ino, "user.k", v, sizeof(v));
		if (n < 2 || v[0] != 'f')
			fail("file %u: user.k %ld", k, n);
	}
}

int main(int argc, char **argv)
{
	struct blockdev_file bf;
	struct vfs *fs;
	char line[256];
	FILE *log;
	int err, nsynced = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: crash_check IMAGE CONSOLE_LOG\n");
		return 2;
	}
	log = fopen(argv[2], "r");
	if (!log) {
		perror(argv[2]);
		return 2;
	}
	while (fgets(line, sizeof(line), log)) {
		unsigned k;

		if (sscanf(line, "SYNCED %u", &k) == 1 && k < CRASH_FILES)
			synced[k] = 1, nsynced++;
		else if (sscanf(line, "RENAMED %u", &k) == 1 && k < CRASH_FILES)
			renamed[k] = 1;
		else if (sscanf(line, "RENAME %u", &k) == 1 && k < CRASH_FILES)
			renaming[k] = 1;
	}
	fclose(log);
	err = blockdev_file_open(&bf, argv[1], 0);
	if (err || (err = vfs_mount(&fs, &bf.bd, 0))) {
		printf("FAIL card cut: mount %d (%s)\n", err, vfs_last_error(NULL));
		return 1;
	}
	for (unsigned k = 0; k < CRASH_FILES; k++) {
		char f[8], g[8];
		struct vfs_attr af, ag;
		int ef, eg;

		if (!synced[k])
			continue;
		snprintf(f, sizeof(f), "f%u", k);
		snprintf(g, sizeof(g), "g%u", k);
		ef = vfs_lookup(fs, vfs_root(fs), f, strlen(f), &af);
		eg = vfs_lookup(fs, vfs_root(fs), g, strlen(g), &ag);
		if (renamed[k] && (ef != -ENOENT || eg))
			fail("file %u: rename synced, but lookup f %d, g %d", k, ef, eg);
		else if (renaming[k] && !ef == !eg)
			fail("file %u: rename begun: under %s name (lookup f %d, g %d)", k, ef ? "neither" : "both", ef, eg);
		else if (!renaming[k] && (ef || eg != -ENOENT))
			fail("file %u: synced as f%u: lookup f %d, g %d", k, k, ef, eg);
		else
			check_file(fs, k, ef ? ag.ino : af.ino);
	}
	err = vfs_unmount(fs);
	blockdev_file_close(&bf);
	if (err)
		fail("unmount: %d", err);
	printf("card cut: %d files synced before the cut, %d failures\n", nsynced, fails);
	return fails ? 1 : 0;
}
