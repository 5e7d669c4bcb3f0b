/*
 * The contract between the FUSE server (firmware/fuse) and the filesystem
 * (firmware/fs, ext4). Inode numbers are the filesystem's own (ext4: root is 2);
 * the FUSE layer maps FUSE_ROOT_ID to vfs_root() and validates every node ID it
 * is given before calling in here, but the filesystem still checks that an inode
 * number is in range and allocated (-ESTALE otherwise) and never trusts on-disk
 * data (-EUCLEAN / -EIO for corrupt metadata, never a crash).
 *
 * All functions return 0 (or a byte count where stated) on success and a
 * negative errno on failure. Nothing here allocates per-call memory that the
 * caller must free. Names are (pointer, length) pairs, not NUL-terminated; the
 * filesystem rejects length 0, length > 255, '/' and NUL with -EINVAL or
 * -ENAMETOOLONG.
 *
 * Single-threaded: the caller serialises all calls on one struct vfs.
 */
#ifndef VFS_H
#define VFS_H

#include <stddef.h>
#include <stdint.h>

struct blockdev;
struct vfs;

struct vfs_attr {
	uint64_t ino;
	uint64_t size;
	uint64_t blocks;	/* 512-byte units, as stat(2) */
	uint64_t atime, mtime, ctime;	/* seconds since the epoch */
	uint32_t atimensec, mtimensec, ctimensec;
	uint32_t mode;		/* S_IFMT type bits and permissions */
	uint32_t nlink;
	uint32_t uid, gid;
	uint32_t rdev;		/* Linux new_encode_dev() form */
	uint32_t blksize;
	uint32_t generation;
};

/* vfs_setattr() valid bits (same meaning as FATTR_* in linux/fuse.h). */
#define VFS_SET_MODE		(1u << 0)
#define VFS_SET_UID		(1u << 1)
#define VFS_SET_GID		(1u << 2)
#define VFS_SET_SIZE		(1u << 3)
#define VFS_SET_ATIME		(1u << 4)
#define VFS_SET_MTIME		(1u << 5)
#define VFS_SET_ATIME_NOW	(1u << 7)
#define VFS_SET_MTIME_NOW	(1u << 8)
#define VFS_SET_CTIME		(1u << 10)

struct vfs_setattr {
	uint32_t valid;
	uint32_t mode, uid, gid;
	uint64_t size;
	uint64_t atime, mtime, ctime;
	uint32_t atimensec, mtimensec, ctimensec;
};

struct vfs_statfs {
	uint64_t blocks, bfree, bavail;	/* in units of bsize */
	uint64_t files, ffree;
	uint32_t bsize, namelen, frsize;
};

/* File types in readdir callbacks: DT_* values of dirent.h. */
typedef int (*vfs_filldir_t)(void *ctx, const char *name, size_t namelen,
			     uint64_t ino, unsigned dtype, uint64_t next_cookie);

/* Mount flags */
#define VFS_MOUNT_RDONLY	(1u << 0)

/* Time source: seconds and nanoseconds since the epoch (host: clock_gettime;
 * card: the timer plus a base the driver sets). Set before mounting. */
typedef void (*vfs_clock_t)(uint64_t *sec, uint32_t *nsec);
void vfs_set_clock(vfs_clock_t clock);
/* Called by vfs_mount with the newest time the image holds (superblock
 * mount and write times, the last journal commit it replayed, the root
 * directory's times) before it stamps anything: a clock behind it must move
 * up to it, so that times never go backwards across mounts. A read-write
 * mount then writes the superblock's mount and write times and mount count
 * as Linux does. Optional; set before mounting. */
typedef void (*vfs_clock_floor_t)(uint64_t sec, uint32_t nsec);
void vfs_set_clock_floor(vfs_clock_floor_t floor);

/* Mount: validates the superblock and group descriptors (and their checksums),
 * refuses features it cannot handle with a message naming them (-EINVAL) and an
 * image that needs journal recovery it cannot do (-EUCLEAN). */
int vfs_mount(struct vfs **out, struct blockdev *bd, unsigned flags);
int vfs_unmount(struct vfs *fs);	/* writes everything back and marks clean */
int vfs_sync(struct vfs *fs);		/* everything durable (data + metadata) */
/* vfs_sync, then every committed block written home and the journal empty:
 * the image as an unmount leaves it, for tools that do not replay a journal
 * (DESTROY, a device reset: the guest is gone). */
int vfs_checkpoint(struct vfs *fs);
uint64_t vfs_root(const struct vfs *fs);
const char *vfs_last_error(const struct vfs *fs);	/* human-readable reason */

int vfs_lookup(struct vfs *fs, uint64_t dir, const char *name, size_t len,
	       struct vfs_attr *out);
int vfs_getattr(struct vfs *fs, uint64_t ino, struct vfs_attr *out);
/* The attributes when the in-core inode cache holds them (what vfs_getattr
 * would answer; valid until the next vfs call), else NULL: ask vfs_getattr. */
const struct vfs_attr *vfs_getattr_cached(struct vfs *fs, uint64_t ino);
int vfs_setattr(struct vfs *fs, uint64_t ino, const struct vfs_setattr *sa,
		struct vfs_attr *out);

/* Creates a regular file, FIFO, socket or device node (type from mode). */
int vfs_mknod(struct vfs *fs, uint64_t dir, const char *name, size_t len,
	      uint32_t mode, uint32_t rdev, uint32_t uid, uint32_t gid,
	      struct vfs_attr *out);
int vfs_mkdir(struct vfs *fs, uint64_t dir, const char *name, size_t len,
	      uint32_t mode, uint32_t uid, uint32_t gid, struct vfs_attr *out);
int vfs_symlink(struct vfs *fs, uint64_t dir, const char *name, size_t len,
		const char *target, size_t tlen, uint32_t uid, uint32_t gid,
		struct vfs_attr *out);
int vfs_link(struct vfs *fs, uint64_t ino, uint64_t newdir, const char *name,
	     size_t len, struct vfs_attr *out);
/* Unlink/rmdir drop the name; an inode whose nlink reaches 0 is freed by
 * vfs_evict() once the FUSE layer holds no reference to it. */
int vfs_unlink(struct vfs *fs, uint64_t dir, const char *name, size_t len);
int vfs_rmdir(struct vfs *fs, uint64_t dir, const char *name, size_t len);
#define VFS_RENAME_NOREPLACE	(1u << 0)
#define VFS_RENAME_EXCHANGE	(1u << 1)
int vfs_rename(struct vfs *fs, uint64_t olddir, const char *oname, size_t olen,
	       uint64_t newdir, const char *nname, size_t nlen, unsigned flags);
/* An unlinked regular file (O_TMPFILE): nlink 0 until vfs_link() names it. */
int vfs_tmpfile(struct vfs *fs, uint64_t dir, uint32_t mode, uint32_t uid,
		uint32_t gid, struct vfs_attr *out);
/* The FUSE layer dropped its last reference (lookup count 0, no open handle).
 * An unlinked inode is only queued (it stays allocated, on the on-disk
 * orphan list): vfs_idle frees it. A full queue, an allocation short of
 * space, vfs_checkpoint and vfs_unmount finish the queue first. */
int vfs_evict(struct vfs *fs, uint64_t ino);
/* Idle work, one bounded step: part of a queued eviction (at most 64
 * page-cache blocks dropped or 4 extents freed, or the inode itself), else
 * part of the commit of an open transaction that has grown past half its
 * limit or is older than the commit interval (a request would soon commit
 * it): 32 delayed blocks given theirs, or 32 blocks of file data written
 * back and flushed, or the commit itself (journal blocks, FLUSH, commit
 * block), or 32 committed buffers of the checkpoint after it written in
 * place, or the checkpoint's flushes. 1 when more work is left (call
 * again), 0 when none. Call it only while no request waits: a request
 * that arrives waits for the step. */
int vfs_idle(struct vfs *fs);
/* Whether vfs_idle would find work now (0: every step would return 0). */
int vfs_idle_due(struct vfs *fs);

/* Returns the target length; copies at most size bytes (no NUL added). */
int vfs_readlink(struct vfs *fs, uint64_t ino, char *buf, size_t size);

/* Returns bytes read (short at end of file, 0 past it). Holes read as zeros. */
long vfs_read(struct vfs *fs, uint64_t ino, uint64_t off, void *buf, size_t len);
/* Returns bytes written; extends the file; -EFBIG past the maximum file size,
 * -ENOSPC when out of blocks (the filesystem stays consistent). */
long vfs_write(struct vfs *fs, uint64_t ino, uint64_t off, const void *buf, size_t len);
/*
 * Page cache of regular-file data (firmware/fs/pcache.c), shared by every
 * mount. vfs_pcache_setup places it in mem (frames 4 KiB apart: card DDR on
 * the card so the SSD reads straight into them; NULL or too small: no
 * cache) and drops everything cached; without a call the host build uses a
 * built-in arena of VFS_PCACHE_DEFAULT_BYTES.
 */
struct vfs_pcache_stats {
	uint64_t frames;		/* frames in the arena */
	uint64_t hits, misses;		/* blocks READ found cached / not */
	uint64_t fills;			/* device reads into frames (commands) */
	uint64_t filled;		/* blocks those reads brought in */
	uint64_t readahead;		/* of those, blocks past what was asked */
	uint64_t direct;		/* blocks read straight into a caller's buffer */
	uint64_t evictions, drops;	/* frames replaced / invalidated */
	uint64_t ref_reads;		/* reads answered by reference */
	uint64_t dirty;			/* frames dirty now (newer than the device) */
	uint64_t dirtied;		/* blocks WRITE put in frames (write-back) */
	uint64_t written, wb_writes;	/* blocks written back / device writes doing it */
	uint64_t wb_reclaims;		/* write-backs forced by a cache short of clean frames */
	uint64_t discarded;		/* dirty frames dropped: their block was gone */
};
int vfs_pcache_setup(void *mem, size_t bytes);
void vfs_pcache_get_stats(struct vfs_pcache_stats *out);
/* evictions + drops + dirtied + discarded so far: it moves whenever a frame
 * is replaced, dropped or written to. Cheaper than the whole figures for a
 * caller that asks before every sleep (the card's READ fast path). */
uint64_t vfs_pcache_changes(void);
/* The copy the cache uses to hand whole blocks to a caller's buffer and to
 * take DAX window pages back (default memcpy; the card may bind a copy
 * engine, which also makes big reads take cached blocks). NULL: memcpy. */
void vfs_pcache_set_copy(void (*copy)(void *dst, const void *src, size_t len));
/* The copy WRITE puts whole blocks into frames with (write-back): e.g. a
 * DMA engine, which returns non-zero where it cannot and memcpy does it.
 * NULL: memcpy. */
void vfs_pcache_set_write_copy(int (*copy)(void *dst, const void *src, uint32_t len));
/* Frames a by-reference read handed out may be replaced again. */
void vfs_pcache_unpin_all(void);
/* [p, p + len) (a piece vfs_read_ref handed out) starts a frame and lies in
 * frames whose blocks all hold the device's bytes (valid, not dirty): the
 * card's READ fast path may point at it. Frames change only with the
 * evictions, drops, dirtied and discarded counts of the stats. */
int vfs_pcache_range_clean(const void *p, size_t len);

/* One piece of a by-reference read: len bytes at p (NULL: zeros). */
struct vfs_seg {
	const void *p;
	uint32_t len;
};
/* As vfs_read, but describes the bytes as up to max pieces pointing into the
 * page cache (pinned until vfs_pcache_unpin_all) instead of copying them.
 * Returns the bytes described: short at EOF, and also short when pieces or
 * unpinned frames ran out (the caller reads the rest with vfs_read). */
long vfs_read_ref(struct vfs *fs, uint64_t ino, uint64_t off, size_t len, struct vfs_seg *seg,
		  unsigned max, unsigned *nseg);
/* put: the whole blocks of [off, off + len) below EOF that hold data take
 * the bytes at src into the cache (a DAX window page going back to it; only
 * where copying is cheaper than the device, see pcache.c; a dirty block
 * keeps its frame); drop: the cached copy of [off, off + len) goes (the DAX
 * window holds it now), its dirty blocks written back first. */
void vfs_pcache_put(struct vfs *fs, uint64_t ino, uint64_t off, const void *src, size_t len);
void vfs_pcache_drop(struct vfs *fs, uint64_t ino, uint64_t off, uint64_t len);

/* mode: 0 (allocate, extend size), FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE |
 * FALLOC_FL_KEEP_SIZE, FALLOC_FL_ZERO_RANGE; others -EOPNOTSUPP. */
int vfs_fallocate(struct vfs *fs, uint64_t ino, uint32_t mode, uint64_t off, uint64_t len);
/* whence: SEEK_DATA or SEEK_HOLE; stores the result offset; -ENXIO past EOF. */
int vfs_lseek(struct vfs *fs, uint64_t ino, uint64_t off, int whence, uint64_t *result);
int vfs_fsync(struct vfs *fs, uint64_t ino, int datasync);
/* Writes go to the page cache and reach the device at the next commit
 * (fsync, sync, unmount, a full transaction) or when the cache needs room.
 * vfs_writeback: the cached bytes of [off, off + len) reach the device now
 * (not durable until a flush: an O_DIRECT / O_SYNC write, as write-through
 * was). vfs_flush: -EIO when a write-back of this mount failed (its data
 * since the last commit is lost), else 0; nothing is written. */
int vfs_writeback(struct vfs *fs, uint64_t ino, uint64_t off, uint64_t len);
int vfs_flush(struct vfs *fs, uint64_t ino);

/* Calls fill for each entry from cookie on ("." and ".." included, cookie 0 =
 * start) until fill returns non-zero or the directory ends. Cookies are stable
 * across inserts and deletes of other entries. */
int vfs_readdir(struct vfs *fs, uint64_t dir, uint64_t cookie, vfs_filldir_t fill, void *ctx);

int vfs_statfs(struct vfs *fs, struct vfs_statfs *out);

/* xattrs: name is the full "user.foo" form; flags XATTR_CREATE/XATTR_REPLACE.
 * getxattr/listxattr with size 0 return the needed size; -ERANGE if too small. */
int vfs_setxattr(struct vfs *fs, uint64_t ino, const char *name, const void *value,
		 size_t size, int flags);
long vfs_getxattr(struct vfs *fs, uint64_t ino, const char *name, void *value, size_t size);
long vfs_listxattr(struct vfs *fs, uint64_t ino, char *list, size_t size);
int vfs_removexattr(struct vfs *fs, uint64_t ino, const char *name);

#endif /* VFS_H */
