/* The filesystem test cases, one function each, run in the order of the
 * table in fs_test.c; and the few helpers that cases in different files
 * share (the rest are in harness.h). */
#ifndef FS_CASES_H
#define FS_CASES_H

#include "harness.h"

/* readdir into names[], stopping after stop_after entries when it is set */
struct rd_ctx { int n; char names[64][64]; uint64_t last_cookie; int stop_after; };
int rd_fill(void *c, const char *name, size_t len, uint64_t ino, unsigned dtype, uint64_t next);

/* visit the tree below dir, touching everything, errors ignored */
void walk(struct vfs *fs, uint64_t dir, int depth);

/* fs_ops.c */
void t_mount_basic(void);
void t_create_write(void);
void t_ops(void);
void t_readonly(void);

/* fs_dirs.c */
void t_rename(void);
void t_names(void);
void t_dx_refill(void);
void t_bigdir(void);
void t_readdir_stable(void);
void t_dirnlink(void);
void t_namespace(void);

/* fs_data.c */
void t_blockmap_empty(void);
void t_sparse_large(void);
void t_random_model(void);
void t_unwritten_convert(void);
void t_enospc(void);

/* fs_pcache.c */
void t_pcache(void);
void t_pcache_model(void);
void t_pcache_writeback(void);
void t_pcache_full(void);
void t_pcache_wb_error(void);

/* fs_journal.c */
void t_powercut(void);
void t_failwrite(void);
void t_commit_interval(void);
void t_commit_interval_idle(void);
void t_clock_floor(void);
void t_replay_foreign(void);
void t_replay_by_e2fsck(void);
void t_powercut_extents(void);
void t_powercut_namespace(void);
void t_group_commit(void);
void t_checkpoint(void);

/* fs_corrupt.c */
void t_corrupt(void);
void t_fuzz(void);
void t_fuzz_journal(void);
void t_syszone(void);
void t_compat_features(void);
void t_cross_kind(void);

/* fs_idle.c */
void t_evict_idle(void);
void t_evict_enospc(void);
void t_evict_checkpoint(void);
void t_evict_powercut(void);
void t_idle_commit(void);
void t_idle_bounded(void);
void t_idle_powercut(void);

/* fs_cache.c */
void t_metacache(void);

/* fs_defer.c */
void t_defer_powercut(void);

/* fs_dalloc.c */
void t_dalloc(void);
void t_dalloc_enospc(void);

#endif
