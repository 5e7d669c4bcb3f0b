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

struct test {
	const char *name;
	void (*fn)(void);
};

static const struct test tests[] = {
	{ "mount_basic", t_mount_basic },
	{ "create_write", t_create_write },
};

int main(int argc, char **argv)
{
	static const struct { const char *name, *opts; } variants[] = {
		{ "default", "" },
		{ "nocsum", "-O ^metadata_csum" },
		{ "4k", "-b 4096" },
		{ "1k-128", "-b 1024 -I 128" },
	};
	int pass = 0, fail = 0;
	const char *only = argc > 2 ? argv[2] : NULL;

	workdir = argc > 1 ? argv[1] : "/tmp/fs_test";
	run("mkdir -p %s", workdir);
	for (unsigned v = 0; v < sizeof(variants) / sizeof(variants[0]); v++) {
		variant_opts = variants[v].opts;
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
	printf("%d passed, %d failed\n", pass, fail);
	return fail ? 1 : 0;
}
