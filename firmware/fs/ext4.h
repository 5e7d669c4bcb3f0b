/*
 * Internal interface of the ext4 implementation behind vfs.h.
 *
 * On-disk structures are read through the little-endian helpers below (the
 * formats are little-endian, jbd2 big-endian); nothing here assumes the host
 * byte order or alignment beyond what the helpers do.
 *
 * Memory: no malloc. Everything lives in struct vfs, which comes from a static
 * pool of EXT4_MAX_MOUNTS entries; sizes are set by the macros below (the card
 * build overrides them).
 */
#ifndef EXT4_H
#define EXT4_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "blockdev.h"
#include "vfs.h"

/* picolibc (the card's libc) has no EUCLEAN; Linux's value is used. */
#ifndef EUCLEAN
#define EUCLEAN 117
#endif

#ifndef EXT4_MAX_MOUNTS
#define EXT4_MAX_MOUNTS 2
#endif
#ifndef EXT4_CACHE_BYTES		/* metadata block cache, per mount */
#define EXT4_CACHE_BYTES (4u << 20)
#endif
#ifndef EXT4_CACHE_MAX_BUFS		/* buffer headers: enough for 1 KiB blocks */
#define EXT4_CACHE_MAX_BUFS (EXT4_CACHE_BYTES / 1024)
#endif
#ifndef EXT4_MAX_BLOCK_SIZE
#define EXT4_MAX_BLOCK_SIZE 4096
#endif
#ifndef EXT4_MAX_INODE_SIZE
#define EXT4_MAX_INODE_SIZE 1024
#endif
#ifndef EXT4_MAX_PENDING_FREE		/* block ranges freed in the open transaction */
#define EXT4_MAX_PENDING_FREE 512
#endif
#ifndef EXT4_MAX_REVOKE			/* revoke records held during journal replay */
#define EXT4_MAX_REVOKE 4096
#endif
#ifndef EXT4_MAX_EVICT			/* unlinked inodes waiting for vfs_idle to free them */
#define EXT4_MAX_EVICT 64
#endif
#ifndef EXT4_COMMIT_INTERVAL		/* seconds: a change older than this commits */
#define EXT4_COMMIT_INTERVAL 5		/* at the next call that changes something */
#endif
#ifndef EXT4_SYSZ_MAX			/* metadata ranges the system-zone check holds (syszone.c) */
#define EXT4_SYSZ_MAX 2048
#endif
#ifndef EXT4_JSTAGE_BYTES		/* commit: journal blocks gathered into one write */
#define EXT4_JSTAGE_BYTES (64u << 10)
#endif
_Static_assert(EXT4_JSTAGE_BYTES >= 4 * EXT4_MAX_BLOCK_SIZE, "the commit stage holds a few blocks at least");
#define EXT4_HASH_SIZE 1024		/* power of two */
#ifndef EXT4_ICACHE_SIZE		/* in-core inodes (attributes), power of two */
#define EXT4_ICACHE_SIZE 256
#endif
#ifndef EXT4_DCACHE_SIZE		/* cached names (parent, name) -> inode, power of two */
#define EXT4_DCACHE_SIZE 256
#endif

/* ---- little/big endian helpers ---- */
static inline uint16_t le16(const void *p) { const uint8_t *b = p; return (uint16_t)(b[0] | b[1] << 8); }
static inline uint32_t le32(const void *p) { const uint8_t *b = p; return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24; }
/* x / d and x % d for the group arithmetic of block numbers: a 32-bit
 * divide when x fits (every filesystem under 2^32 blocks), which the RV32
 * core does in hardware, instead of libgcc's 64-bit division. */
static inline uint32_t ext4_divmod(uint64_t x, uint32_t d, uint32_t *rem)
{
	if (!(x >> 32)) {
		*rem = (uint32_t)x % d;
		return (uint32_t)x / d;
	}
	*rem = (uint32_t)(x % d);
	return (uint32_t)(x / d);
}
static inline uint64_t le64(const void *p) { return le32(p) | (uint64_t)le32((const uint8_t *)p + 4) << 32; }
static inline void put16(void *p, uint32_t v) { uint8_t *b = p; b[0] = (uint8_t)v; b[1] = (uint8_t)(v >> 8); }
static inline void put32(void *p, uint32_t v) { uint8_t *b = p; b[0] = (uint8_t)v; b[1] = (uint8_t)(v >> 8); b[2] = (uint8_t)(v >> 16); b[3] = (uint8_t)(v >> 24); }
static inline void put64(void *p, uint64_t v) { put32(p, (uint32_t)v); put32((uint8_t *)p + 4, (uint32_t)(v >> 32)); }
static inline uint32_t be32(const void *p) { const uint8_t *b = p; return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3]; }
static inline void putbe32(void *p, uint32_t v) { uint8_t *b = p; b[0] = (uint8_t)(v >> 24); b[1] = (uint8_t)(v >> 16); b[2] = (uint8_t)(v >> 8); b[3] = (uint8_t)v; }

/* ---- superblock field offsets ---- */
#define SB_INODES_COUNT		0x00
#define SB_BLOCKS_LO		0x04
#define SB_R_BLOCKS_LO		0x08
#define SB_FREE_BLOCKS_LO	0x0c
#define SB_FREE_INODES		0x10
#define SB_FIRST_DATA_BLOCK	0x14
#define SB_LOG_BLOCK_SIZE	0x18
#define SB_LOG_CLUSTER_SIZE	0x1c
#define SB_BLOCKS_PER_GROUP	0x20
#define SB_CLUSTERS_PER_GROUP	0x24
#define SB_INODES_PER_GROUP	0x28
#define SB_MTIME		0x2c
#define SB_WTIME		0x30
#define SB_MNT_COUNT		0x34
#define SB_MAX_MNT_COUNT	0x36
#define SB_MAGIC		0x38
#define SB_STATE		0x3a
#define SB_REV_LEVEL		0x4c
#define SB_FIRST_INO		0x54
#define SB_INODE_SIZE		0x58
#define SB_FEATURE_COMPAT	0x5c
#define SB_FEATURE_INCOMPAT	0x60
#define SB_FEATURE_RO_COMPAT	0x64
#define SB_UUID			0x68
#define SB_RESERVED_GDT		0xce
#define SB_BACKUP_BGS		0x24c	/* sparse_super2: the two groups with backups */
#define SB_JOURNAL_INUM		0xe0
#define SB_JOURNAL_DEV		0xe4
#define SB_LAST_ORPHAN		0xe8
#define SB_HASH_SEED		0xec
#define SB_DEF_HASH_VERSION	0xfc
#define SB_DESC_SIZE		0xfe
#define SB_FIRST_META_BG	0x104
#define SB_BLOCKS_HI		0x150
#define SB_R_BLOCKS_HI		0x154
#define SB_FREE_BLOCKS_HI	0x158
#define SB_WANT_EXTRA_ISIZE	0x15e
#define SB_FLAGS		0x160
#define SB_LOG_GROUPS_PER_FLEX	0x174
#define SB_CHECKSUM_TYPE	0x175
#define SB_KBYTES_WRITTEN	0x178
#define SB_CHECKSUM_SEED	0x270
#define SB_WTIME_HI		0x274	/* bits 39:32 of s_wtime (u8) */
#define SB_MTIME_HI		0x275	/* bits 39:32 of s_mtime (u8) */
#define SB_CHECKSUM		0x3fc

#define EXT4_SUPER_MAGIC	0xef53

#define COMPAT_HAS_JOURNAL	0x0004
#define COMPAT_EXT_ATTR		0x0008
#define COMPAT_DIR_INDEX	0x0020
#define COMPAT_SPARSE_SUPER2	0x0200
#define COMPAT_FAST_COMMIT	0x0400
#define COMPAT_ORPHAN_FILE	0x1000

#define INCOMPAT_FILETYPE	0x0002
#define INCOMPAT_RECOVER	0x0004
#define INCOMPAT_EXTENTS	0x0040
#define INCOMPAT_64BIT		0x0080
#define INCOMPAT_FLEX_BG	0x0200
#define INCOMPAT_CSUM_SEED	0x2000
#define INCOMPAT_LARGEDIR	0x4000

#define RO_COMPAT_SPARSE_SUPER	0x0001
#define RO_COMPAT_LARGE_FILE	0x0002
#define RO_COMPAT_HUGE_FILE	0x0008
#define RO_COMPAT_GDT_CSUM	0x0010
#define RO_COMPAT_DIR_NLINK	0x0020
#define RO_COMPAT_EXTRA_ISIZE	0x0040
#define RO_COMPAT_METADATA_CSUM	0x0400
#define RO_COMPAT_READONLY	0x1000
#define RO_COMPAT_ORPHAN_PRESENT 0x10000

/* group descriptor fields */
#define GD_BLOCK_BITMAP		0x00
#define GD_INODE_BITMAP		0x04
#define GD_INODE_TABLE		0x08
#define GD_FREE_BLOCKS		0x0c
#define GD_FREE_INODES		0x0e
#define GD_USED_DIRS		0x10
#define GD_FLAGS		0x12
#define GD_BB_CSUM_LO		0x18
#define GD_IB_CSUM_LO		0x1a
#define GD_ITABLE_UNUSED	0x1c
#define GD_CHECKSUM		0x1e
#define GD_BLOCK_BITMAP_HI	0x20
#define GD_INODE_BITMAP_HI	0x24
#define GD_INODE_TABLE_HI	0x28
#define GD_FREE_BLOCKS_HI	0x2c
#define GD_FREE_INODES_HI	0x2e
#define GD_USED_DIRS_HI		0x30
#define GD_ITABLE_UNUSED_HI	0x32
#define GD_BB_CSUM_HI		0x38
#define GD_IB_CSUM_HI		0x3a
#define BG_INODE_UNINIT		0x1
#define BG_BLOCK_UNINIT		0x2
#define BG_INODE_ZEROED		0x4

/* inode fields */
#define I_MODE		0x00
#define I_UID		0x02
#define I_SIZE_LO	0x04
#define I_ATIME		0x08
#define I_CTIME		0x0c
#define I_MTIME		0x10
#define I_DTIME		0x14
#define I_GID		0x18
#define I_LINKS		0x1a
#define I_BLOCKS_LO	0x1c
#define I_FLAGS		0x20
#define I_BLOCK		0x28
#define I_GENERATION	0x64
#define I_FILE_ACL_LO	0x68
#define I_SIZE_HI	0x6c
#define I_BLOCKS_HI	0x74
#define I_FILE_ACL_HI	0x76
#define I_UID_HI	0x78
#define I_GID_HI	0x7a
#define I_CSUM_LO	0x7c
#define I_EXTRA_ISIZE	0x80
#define I_CSUM_HI	0x82
#define I_CTIME_EXTRA	0x84
#define I_MTIME_EXTRA	0x88
#define I_ATIME_EXTRA	0x8c
#define I_CRTIME	0x90
#define I_CRTIME_EXTRA	0x94

#define EXT4_HUGE_FILE_FL	0x00040000
#define EXT4_INDEX_FL		0x00001000
#define EXT4_EXTENTS_FL		0x00080000
#define EXT4_EA_INODE_FL	0x00200000
#define EXT4_INLINE_DATA_FL	0x10000000

#define EXT4_ROOT_INO		2
#define EXT4_GOOD_OLD_INODE_SIZE 128

#define S_IFMT_	0170000
#define S_IFSOCK_ 0140000
#define S_IFLNK_ 0120000
#define S_IFREG_ 0100000
#define S_IFBLK_ 0060000
#define S_IFDIR_ 0040000
#define S_IFCHR_ 0020000
#define S_IFIFO_ 0010000

/* ---- block cache ---- */
#define BUF_VALID	0x01
#define BUF_DIRTY	0x02	/* modified in the open transaction (metadata) */
#define BUF_CHECKED	0x04	/* checksum verified since read from disk */
#define BUF_DIRCHK	0x08	/* entries checked as block chk_lblk of directory chk_ino
				 * (a block that a corrupt pointer reaches as something
				 * else is checked again as that) */
#define BUF_JDIRTY	0x10	/* committed to the journal, not yet written in place
				 * (checkpoint pending): pinned in the cache */
#define BUF_HOMED	0x20	/* BUF_JDIRTY, and its committed contents written in
				 * place by a checkpoint step (not flushed yet); a
				 * commit of it again clears the mark */

struct ext4_buf {
	uint64_t blk;
	uint8_t *data;
	int32_t lprev, lnext;	/* replacement list (cache.c), -1 = end */
	uint16_t ref;
	uint8_t flags;
	int32_t hnext;		/* hash chain, -1 = end */
	uint32_t chk_ino, chk_lblk;	/* BUF_DIRCHK: as whose block it was checked */
	uint8_t csum_kind;	/* EXT4_CSUM_*: checksum to compute before it is written */
	uint32_t csum_arg;	/* the kind's argument (group, checksum seed) */
	uint32_t csum_ino;	/* EXT4_CSUM_INODES: the block's first inode */
};

/*
 * Checksums computed at commit, not at every change: a block bitmap's
 * checksum covers the whole bitmap (4 KiB), an extent node's and a directory
 * leaf's the whole block, so a WRITE converting an unwritten extent or an allocation paid
 * ~3 000 cycles each on the card for a value only the commit needs.
 * ext4_bdirty_csum() marks a buffer; ext4_commit() settles every mark
 * (csum_settle in journal.c) before a block reaches the journal or its place.
 */
#define EXT4_CSUM_NONE		0
#define EXT4_CSUM_BBITMAP	1	/* arg: group; the sum lives in its descriptor */
#define EXT4_CSUM_IBITMAP	2	/* arg: group */
#define EXT4_CSUM_EXTENT	3	/* arg: the owning inode's checksum seed */
#define EXT4_CSUM_DIRLEAF	4	/* a directory leaf's tail; arg: the directory's seed */
#define EXT4_CSUM_INODES	5	/* inode table block; arg: the slots whose inode changed */

struct ext4_inode {
	uint32_t ino;
	uint8_t raw[EXT4_MAX_INODE_SIZE];
};

struct pending_free {
	uint64_t blk;
	uint32_t len;
};

struct vfs {
	int in_use;
	uint32_t slot;		/* index in the mount pool (and the icache/dcache pools) */
	struct blockdev *bd;
	int rdonly;
	int broken;		/* an error left memory and disk apart: no more writes */
	int disk_dirty;		/* RECOVER flag written to disk this mount */
	uint32_t pc_dirty;	/* dirty page-cache frames of this mount */
	uint32_t pc_delay;	/* of those, delayed: no block yet (reserved) */
	/* Delayed allocation (file.c): gives every delayed frame its block;
	 * ext4_commit calls it first. dalloc_ip: the inode a file operation
	 * holds in memory right now (the conversion edits that copy, which the
	 * caller writes back, rather than the stale one on disk). */
	int (*dalloc)(struct vfs *fs);
	struct ext4_inode *dalloc_ip;
	int dalloc_busy;	/* converting: the reservation may be used */
	/* Bumped by every change that can reach an inode's bytes beyond its
	 * size and times (extent edits, i_blocks, inode writes, commits): a
	 * WRITE that saw it unchanged changed only those (ext4_inode_defer). */
	uint32_t iseq;
	int wb_err;		/* a write-back of file data failed (FLUSH says EIO) */
	char err[160];

	/* geometry */
	uint32_t bs, log_bs, spb;	/* block size, log2, sectors per block */
	uint64_t blocks_count;
	uint32_t ngroups, bpg, ipg, isz, desc_size, desc_per_block;
	uint32_t first_data_block, first_ino, inodes_count, inode_extra_want;
	uint32_t compat, incompat, ro_compat;
	int csum, gdt_csum, is64, has_journal, dir_nlink, filetype;
	uint32_t csum_seed;
	uint64_t gdt_start;
	uint32_t gdt_blocks;
	uint32_t log_groups_per_flex;

	/* superblock lives in a pinned cache buffer */
	struct ext4_buf *sbbuf;
	uint8_t *sb;

	/* journal */
	uint32_t jino;
	uint32_t jlen, jfirst, jseq;	/* jseq: the next transaction's sequence */
	uint32_t jhead;		/* next free journal block (the log runs jfirst..jhead) */
	int jlive;		/* the journal holds transactions not yet checkpointed (start != 0) */
	int jcp_now;		/* a freed block has a copy in the journal: checkpoint at the commit */
	uint32_t ncp;		/* buffers with BUF_JDIRTY */
	int cp_idle;		/* vfs_idle's commit left a checkpoint for its next steps */
	int cp_defer;		/* the commit running is vfs_idle's (see ext4_commit) */
	struct ext4_jstats {
		uint64_t commits, checkpoints, jblocks, jwrites, cp_blocks, cp_writes;
	} jst;
	uint32_t jfeat_incompat, jfeat_compat;
	uint32_t jcsum_seed;
	uint8_t juuid[16];

	/* transaction */
	uint32_t ndirty;
	struct pending_free pend[EXT4_MAX_PENDING_FREE];
	uint32_t npend;
	uint64_t tx_limit;	/* commit before an operation once ndirty passes this */
	uint64_t last_commit;	/* clock seconds of the last commit */
	uint64_t jlast_sec;	/* newest commit time of the transactions replayed at mount */
	uint32_t jlast_nsec;

	/* deferred eviction (vfs_evict, vfs_idle): unlinked inodes the FUSE
	 * layer let go of, freed by idle steps, newest last; they stay on the
	 * on-disk orphan list until the step that frees the inode */
	struct ext4_evict {
		uint32_t ino;
		uint32_t drop;	/* page-cache blocks below this still to drop */
	} evict[EXT4_MAX_EVICT];
	uint32_t nevict;
	uint64_t evict_blocks;	/* blocks they still hold (statfs counts them free) */

	/* allocation hints */
	uint32_t last_group;

	/* cache */
	uint32_t nbufs, tick;
	int32_t lru_head, lru_tail;	/* buffers that may be reused, oldest first */
	struct ext4_buf bufs[EXT4_CACHE_MAX_BUFS];
	int32_t hash[EXT4_HASH_SIZE];
	uint8_t cache_mem[EXT4_CACHE_BYTES] __attribute__((aligned(64)));

	/* scratch blocks (one operation at a time) */
	uint8_t scratch[EXT4_MAX_BLOCK_SIZE] __attribute__((aligned(64)));
	uint8_t scratch2[EXT4_MAX_BLOCK_SIZE] __attribute__((aligned(64)));
	uint8_t jbuf[EXT4_MAX_BLOCK_SIZE] __attribute__((aligned(64)));
	/* commit and checkpoint: blocks gathered for one device write, and the
	 * checkpoint's buffers in block order */
	uint8_t jstage[EXT4_JSTAGE_BYTES] __attribute__((aligned(64)));
	int32_t cp_order[EXT4_CACHE_MAX_BUFS];
	struct ext4_inode tmpino;
	struct ext4_inode jinode;	/* the journal inode, for block mapping */
	uint32_t orphan_count;
	/* xattr workspace */
	uint8_t xval[3 * EXT4_MAX_BLOCK_SIZE];
	struct xattr_ent {
		uint8_t index, nlen;
		char name[256];
		uint32_t vlen, voff;
		int in_block;
	} xents[64];
	uint32_t nx;
	/* htree readdir: one leaf's entries sorted by hash */
	uint32_t dir_gen;
	struct dx_sort_ent {
		uint64_t key;
		uint32_t off, size;
	} dxs[EXT4_MAX_BLOCK_SIZE / 12 + 1];
	uint64_t revoke_blk[EXT4_MAX_REVOKE];
	uint32_t revoke_seq[EXT4_MAX_REVOKE];
	/* the system zone (syszone.c): sorted, disjoint, touching ranges merged */
	struct { uint64_t start, len; } sysz[EXT4_SYSZ_MAX];
	uint32_t nsysz;
	int sysz_off;		/* more ranges than EXT4_SYSZ_MAX: no check */
	uint64_t sysz_gap_lo, sysz_gap_hi;	/* blocks between two ranges the last look found */
};

/* error.c: depends on nothing else here, so any unit may report through it */
int ext4_error(struct vfs *fs, int err, const char *fmt, ...);
int ext4_corrupt(struct vfs *fs, const char *what, uint64_t where);

/* syszone.c: the blocks the filesystem's own structures occupy */
int ext4_sysz_build(struct vfs *fs);
int ext4_sysz_hits(struct vfs *fs, uint64_t start, uint64_t len);

/* super.c: the clock */
void ext4_now(uint64_t *sec, uint32_t *nsec);

/* cache.c */
void ext4_cache_init(struct vfs *fs);
int ext4_bread(struct vfs *fs, uint64_t blk, struct ext4_buf **out);
int ext4_bget_zero(struct vfs *fs, uint64_t blk, struct ext4_buf **out);
void ext4_bput(struct vfs *fs, struct ext4_buf *b);
void ext4_bdirty(struct vfs *fs, struct ext4_buf *b);
void ext4_bdirty_csum(struct vfs *fs, struct ext4_buf *b, uint8_t kind, uint32_t arg);
void ext4_bforget_range(struct vfs *fs, uint64_t start, uint32_t len);
void ext4_bclean_all(struct vfs *fs);
void ext4_bcommitted_all(struct vfs *fs);
void ext4_bcheckpointed(struct vfs *fs, struct ext4_buf *b);
int ext4_dev_read(struct vfs *fs, uint64_t blk, uint32_t n, void *buf);
int ext4_dev_write(struct vfs *fs, uint64_t blk, uint32_t n, const void *buf);
int ext4_dev_flush(struct vfs *fs);
int ext4_dev_write_fua(struct vfs *fs, uint64_t blk, uint32_t n, const void *buf);

/* journal.c */
int ext4_journal_load(struct vfs *fs);
int ext4_journal_recover(struct vfs *fs);
int ext4_commit(struct vfs *fs);
int ext4_checkpoint(struct vfs *fs);
/* A bounded part of a checkpoint (idle work, with no open change): up to
 * max committed buffers written in place; once all are, the flushes and
 * the empty journal. 1 while some are left, 0 when done, or an errno. */
int ext4_checkpoint_step(struct vfs *fs, uint32_t max);
/* The log or the cache holds enough committed blocks that a commit
 * checkpoints after it (a quarter of either). */
int ext4_checkpoint_wanted(struct vfs *fs);
/* pcache.h: writes back the mount's dirty file data (ext4_commit's first step). */
int pcache_writeback_fs(struct vfs *fs);
int ext4_maybe_commit(struct vfs *fs);

/* super.c: groups, bitmaps, allocation */
uint8_t *ext4_gd_get(struct vfs *fs, uint32_t g, struct ext4_buf **b);
void ext4_gd_dirty(struct vfs *fs, uint32_t g, uint8_t *gd, struct ext4_buf *b);
uint64_t ext4_gd_block_bitmap(struct vfs *fs, const uint8_t *gd);
uint64_t ext4_gd_inode_bitmap(struct vfs *fs, const uint8_t *gd);
uint64_t ext4_gd_inode_table(struct vfs *fs, const uint8_t *gd);
uint32_t ext4_gd_free_blocks(struct vfs *fs, const uint8_t *gd);
uint32_t ext4_gd_free_inodes(struct vfs *fs, const uint8_t *gd);
uint16_t ext4_gd_csum(struct vfs *fs, uint32_t g, const uint8_t *gd);
uint64_t ext4_sb_free_blocks(struct vfs *fs);
void ext4_sb_set_free_blocks(struct vfs *fs, uint64_t v);
void ext4_sb_csum_set(struct vfs *fs);
/* A superblock time as Linux keeps it: 32 bits plus 8 high bits elsewhere. */
void ext4_sb_set_time(struct vfs *fs, int off, int hi, uint64_t sec);
uint64_t ext4_sb_get_time(const struct vfs *fs, int off, int hi);
/* The clock floor hook of vfs_set_clock_floor, or nothing. */
void ext4_clock_floor(uint64_t sec, uint32_t nsec);
int ext4_alloc_blocks(struct vfs *fs, uint64_t goal, uint32_t want, uint64_t *start, uint32_t *got);
int ext4_bitmap_csum_settle(struct vfs *fs, struct ext4_buf *b);
void ext4_free_blocks(struct vfs *fs, uint64_t start, uint32_t len);
int ext4_apply_pending_frees(struct vfs *fs);
int ext4_alloc_inode(struct vfs *fs, uint32_t parent, int is_dir, uint32_t *ino);
int ext4_free_inode(struct vfs *fs, uint32_t ino, int is_dir);
int ext4_inode_allocated(struct vfs *fs, uint32_t ino);
int ext4_group_has_super(struct vfs *fs, uint32_t g);

/* inode.c */
int ext4_inode_read(struct vfs *fs, uint32_t ino, struct ext4_inode *ip);
int ext4_inode_write(struct vfs *fs, struct ext4_inode *ip);
uint32_t ext4_inode_csum_seed(struct vfs *fs, const struct ext4_inode *ip);
/* The checksums of the inodes ext4_inode_write left to the commit. */
void ext4_inode_csum_settle(struct vfs *fs, struct ext4_buf *b);
/* A WRITE's new size and times (nothing else changed since ip was read)
 * kept in the inode cache instead of the inode's buffer: 1, or 0 when the
 * caller must write the inode (see inode.c). */
int ext4_inode_defer(struct vfs *fs, struct ext4_inode *ip);
/* The deferred sizes and times into their buffers: ext4_commit, first. */
int ext4_inode_flush(struct vfs *fs);
uint64_t ext4_i_size(const struct ext4_inode *ip);
void ext4_i_set_size(struct ext4_inode *ip, uint64_t sz);
uint32_t ext4_i_mode(const struct ext4_inode *ip);
uint32_t ext4_i_nlink(const struct ext4_inode *ip);
void ext4_i_set_nlink(struct ext4_inode *ip, uint32_t n);
uint64_t ext4_i_blocks(struct vfs *fs, const struct ext4_inode *ip);
void ext4_i_add_blocks(struct vfs *fs, struct ext4_inode *ip, int64_t fsblocks);
uint64_t ext4_i_file_acl(const struct ext4_inode *ip);
void ext4_i_set_file_acl(struct ext4_inode *ip, uint64_t b);
uint32_t ext4_i_flags(const struct ext4_inode *ip);
void ext4_i_touch(struct vfs *fs, struct ext4_inode *ip, int a, int m, int c);
void ext4_i_set_time(struct vfs *fs, struct ext4_inode *ip, int off, int extra, uint64_t sec, uint32_t nsec);
void ext4_i_get_time(struct vfs *fs, const struct ext4_inode *ip, int off, int extra, uint64_t *sec, uint32_t *nsec);
uint32_t ext4_i_extra_isize(struct vfs *fs, const struct ext4_inode *ip);
void ext4_inode_attr(struct vfs *fs, const struct ext4_inode *ip, struct vfs_attr *a);

/* inode.c: the in-core inode cache */
#define EXT4_IC_NOXATTR 0x1	/* no in-inode xattr entries and no xattr block */
#define EXT4_IC_INTX	0x2	/* written into its buffer in the open transaction */
#define EXT4_IC_STALE	0x4	/* attr's size and times newer than its buffer's */
struct ext4_icent {
	uint32_t ino;		/* 0: free */
	uint32_t flags;		/* EXT4_IC_* */
	uint32_t dver;		/* directory version: names cached under it (dir.c) */
	struct vfs_attr attr;
};
void ext4_icache_init(struct vfs *fs);
const struct ext4_icent *ext4_icache_find(struct vfs *fs, uint32_t ino);
void ext4_icache_insert(struct vfs *fs, const struct ext4_inode *ip);
void ext4_icache_drop(struct vfs *fs, uint32_t ino);
void ext4_icache_dir_changed(struct vfs *fs, uint32_t dir);

/* extent.c */
#define EXT_INIT_MAX_LEN 32768u
int ext4_ext_map(struct vfs *fs, struct ext4_inode *ip, uint32_t lblk, uint64_t *pblk, uint32_t *len, int *uninit);
int ext4_ext_csum_settle(struct vfs *fs, struct ext4_buf *b);
int ext4_ext_insert(struct vfs *fs, struct ext4_inode *ip, uint32_t lblk, uint64_t pblk, uint32_t len, int uninit);
int ext4_ext_convert(struct vfs *fs, struct ext4_inode *ip, uint32_t lblk, uint32_t n);
/* A commit trigger (journal.c's ext4_maybe_commit) passed down to a long
 * operation, so that the lower layer does not depend on the journal. */
typedef int (*ext4_commit_t)(struct vfs *fs);
int ext4_ext_remove(struct vfs *fs, struct ext4_inode *ip, uint32_t start, uint32_t end, int free_data,
		    ext4_commit_t commit);
void ext4_ext_init_root(struct ext4_inode *ip);
int ext4_ext_last(struct vfs *fs, struct ext4_inode *ip, uint32_t end, uint32_t *lblk, uint32_t *len);
int ext4_ext_check_root(struct vfs *fs, struct ext4_inode *ip);

/* file.c */
long ext4_file_read(struct vfs *fs, struct ext4_inode *ip, uint64_t off, void *buf, size_t len);
long ext4_file_read_ref(struct vfs *fs, struct ext4_inode *ip, uint64_t off, size_t len, struct vfs_seg *seg,
			unsigned max, unsigned *nseg);
/* Writes the inode between chunks (a long write may commit part way), not
 * after the last: the caller does, when it returns more than 0. */
long ext4_file_write(struct vfs *fs, struct ext4_inode *ip, uint64_t off, const void *buf, size_t len);
int ext4_file_truncate(struct vfs *fs, struct ext4_inode *ip, uint64_t size);
int ext4_file_release_all(struct vfs *fs, struct ext4_inode *ip);
/* Delayed allocation: gives the delayed blocks of ip in [first, end) their
 * device blocks (ip is edited and written); of every inode of the mount
 * (the dalloc hook: inodes loaded from disk, but fs->dalloc_ip's copy). */
int ext4_dalloc_inode(struct vfs *fs, struct ext4_inode *ip, uint32_t first, uint32_t end);
int ext4_dalloc_all(struct vfs *fs);
/* Idle work: one run of delayed blocks, max at most, gets device blocks;
 * the count, 0 when none is left that can (see file.c), or an errno. */
int ext4_dalloc_step(struct vfs *fs, uint32_t max);
/* Blocks other allocations must leave free for the delayed ones: their
 * data, and the extent tree they may grow: at worst an extent each, each
 * insert splitting one leaf (or growing the root), one index split per
 * 32 leaf splits, and 4 for depth growth above. */
static inline uint64_t ext4_dalloc_resv(const struct vfs *fs)
{
	return fs->pc_delay ? 2 * (uint64_t)fs->pc_delay + fs->pc_delay / 32 + 4 : 0;
}
uint64_t ext4_file_max_size(struct vfs *fs);

/* dir.c */
struct dir_loc {
	uint32_t lblk;		/* directory block holding the entry */
	uint32_t off;		/* entry offset in that block */
	uint32_t ino;
	uint8_t ftype;
};
int ext4_dir_find(struct vfs *fs, struct ext4_inode *dir, const char *name, size_t len, struct dir_loc *loc);
int ext4_dir_add(struct vfs *fs, struct ext4_inode *dir, const char *name, size_t len, uint32_t ino, uint32_t mode);
int ext4_dir_remove(struct vfs *fs, struct ext4_inode *dir, const struct dir_loc *loc);
int ext4_dir_set(struct vfs *fs, struct ext4_inode *dir, const struct dir_loc *loc, uint32_t ino, uint32_t mode);
int ext4_dir_is_empty(struct vfs *fs, struct ext4_inode *dir);
int ext4_dir_init(struct vfs *fs, struct ext4_inode *dir, uint32_t parent);
int ext4_dir_iterate(struct vfs *fs, struct ext4_inode *dir, uint64_t cookie, vfs_filldir_t fill, void *ctx);
int ext4_dir_read_block(struct vfs *fs, struct ext4_inode *dir, uint32_t lblk, struct ext4_buf **out);
uint8_t ext4_mode_to_ftype(uint32_t mode);
void ext4_dcache_init(struct vfs *fs);
int ext4_dcache_find(struct vfs *fs, uint32_t dir, const char *name, size_t len, uint32_t *ino);
void ext4_dcache_insert(struct vfs *fs, uint32_t dir, const char *name, size_t len, uint32_t ino);
int ext4_dx_hash(const uint32_t seed[4], int version, const char *name, size_t len,
		 uint32_t *major, uint32_t *minor);

/* xattr.c */
int ext4_xattr_set(struct vfs *fs, struct ext4_inode *ip, const char *name, const void *val, size_t size, int flags);
long ext4_xattr_get(struct vfs *fs, struct ext4_inode *ip, const char *name, void *val, size_t size);
long ext4_xattr_list(struct vfs *fs, struct ext4_inode *ip, char *list, size_t size);
int ext4_xattr_remove(struct vfs *fs, struct ext4_inode *ip, const char *name);
int ext4_xattr_release(struct vfs *fs, struct ext4_inode *ip);
int ext4_xattr_check_name(const char *name);

#endif
