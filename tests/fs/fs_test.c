/* Filesystem tests: each makes a fresh image with mke2fs, works through
 * vfs.h, unmounts, and checks the image with e2fsck -fn and debugfs. This
 * file is the runner: the table of cases in the order they run (the cases
 * themselves live in fs_ops.c, fs_dirs.c, fs_data.c, fs_journal.c,
 * fs_corrupt.c and fs_cache.c), the mke2fs variants each case runs under, and main, which
 * prints a PASS or FAIL line per case and variant and "N passed, N failed". */
#define _GNU_SOURCE
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "cases.h"

const char *variant_opts = "";
int small_inode;

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
	{ "syszone", t_syszone },
	{ "compat_features", t_compat_features },
	{ "cross_kind", t_cross_kind },
	{ "readonly", t_readonly },
	{ "powercut", t_powercut },
	{ "failwrite", t_failwrite },
	{ "commit_interval", t_commit_interval },
	{ "commit_interval_idle", t_commit_interval_idle },
	{ "clock_floor", t_clock_floor },
	{ "replay_foreign", t_replay_foreign },
	{ "powercut_extents", t_powercut_extents },
	{ "powercut_namespace", t_powercut_namespace },
	{ "group_commit", t_group_commit },
	{ "checkpoint", t_checkpoint },
	{ "random_model", t_random_model },
	{ "unwritten_convert", t_unwritten_convert },
	{ "pcache", t_pcache },
	{ "pcache_model", t_pcache_model },
	{ "pcache_writeback", t_pcache_writeback },
	{ "pcache_full", t_pcache_full },
	{ "pcache_wb_error", t_pcache_wb_error },
	{ "dalloc", t_dalloc },
	{ "dalloc_enospc", t_dalloc_enospc },
	{ "fuzz", t_fuzz },
	{ "fuzz_journal", t_fuzz_journal },
	{ "replay_by_e2fsck", t_replay_by_e2fsck },
	{ "metacache", t_metacache },
	{ "evict_idle", t_evict_idle },
	{ "evict_enospc", t_evict_enospc },
	{ "evict_checkpoint", t_evict_checkpoint },
	{ "evict_powercut", t_evict_powercut },
	{ "idle_commit", t_idle_commit },
	{ "idle_bounded", t_idle_bounded },
	{ "idle_powercut", t_idle_powercut },
	{ "defer_powercut", t_defer_powercut },
};

/* A case that hangs fails by name instead of stalling the run. */
#define CASE_TIMEOUT_S 900
static const char *volatile hung_case;

static void on_alarm(int sig)
{
	char msg[200];
	int n = snprintf(msg, sizeof(msg), "FAIL %s: no end after %d s (hung)\n", hung_case, CASE_TIMEOUT_S);

	(void)sig;
	if (write(1, msg, (size_t)n) < 0)
		_exit(3);
	_exit(3);
}

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
	signal(SIGALRM, on_alarm);
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
			hung_case = full;
			alarm(CASE_TIMEOUT_S);
			tests[i].fn();
			alarm(0);
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
	if (!pass && !fail) {
		fprintf(stderr, "fs_test: no case matches '%s'\n", only ? only : "");
		return 2;
	}
	if (!fail)
		run("rm -rf %s", workdir);	/* kept for a look when something failed */
	printf("%d passed, %d failed\n", pass, fail);
	return fail ? 1 : 0;
}
