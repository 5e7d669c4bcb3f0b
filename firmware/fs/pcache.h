/*
 * The page cache: regular-file data blocks in memory, one frame per
 * (mount, inode, logical block). Frames are EXT4_MAX_BLOCK_SIZE (4 KiB: a
 * DAX window page) apart in one arena (card
 * DDR on the card, so the SSD reads straight into them); a frame holds one
 * filesystem block (bs <= 4 KiB). Lookup is a hash of chains, replacement
 * CLOCK; frames next to each other in the arena are handed out together when
 * they can be, so one device read fills a run of them.
 *
 * Rule that keeps it coherent (write-back): a cached block holds the newest
 * bytes of that logical block. A clean frame holds what the device holds; a
 * dirty one (written by ext4_file_write, not yet written back) holds newer
 * bytes and the device block they go to, which stays allocated to the file
 * until the frame is written back or dropped. Whoever reads the device for
 * file data behind the cache (a big direct read, a partial block zeroed by
 * truncate or punch, the DAX window taking frames) first writes the dirty
 * blocks of that range back (pcache_writeback_range). Everything that
 * changes a block without going through ext4_file_write (truncation,
 * punching, zeroing, freeing the inode, unmount, a broken mount) drops it: a
 * dirty frame whose block is gone is just discarded.
 *
 * Write-back: ext4_commit starts with pcache_writeback_fs (ordered mode:
 * data before the metadata that maps it); dirty frames that follow each
 * other in the arena and on the device go out as one command. Past half the
 * frames dirty, and whenever no clean unpinned frame is left, the allocator
 * writes the oldest dirty frames back first: a writer waits, never fails for
 * want of a frame. A failed write-back breaks the mount (fs->broken, the
 * existing policy: the device keeps the last commit), sets fs->wb_err for
 * FLUSH and FSYNC, and drops the mount's frames.
 *
 * Pins: frames a by-reference READ hands out stay put until
 * pcache_unpin_all() (the request loop calls it once the reply is out).
 */
#ifndef PCACHE_H
#define PCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "ext4.h"
#include "vfs.h"

#define PCACHE_FRAME	EXT4_MAX_BLOCK_SIZE	/* the largest block the build mounts */
#define PCACHE_NONE	0xffffffffu
/* Read-ahead window, in blocks: first sequential miss, and its ceiling. */
#ifndef PCACHE_RA_MIN
#define PCACHE_RA_MIN	4u
#endif
#ifndef PCACHE_RA_MAX
#define PCACHE_RA_MAX	32u		/* 128 KiB with 4 KiB blocks */
#endif

/* A copying read of this many bytes reads uncached blocks straight into the
 * caller's buffer. */
#ifndef PCACHE_DIRECT_MIN
#define PCACHE_DIRECT_MIN	(128u << 10)
#endif

struct vfs;

int pcache_enabled(void);
/* A mount of block size bs starts: frames take that size when nothing else
 * is cached (see pcache.c). */
void pcache_fit(uint32_t bs);
/* Bytes from one frame to the next. */
uint32_t pcache_stride(void);
/* The frame of (fs, ino, lblk), marked recently used, or NULL. */
uint8_t *pcache_find(const struct vfs *fs, uint32_t ino, uint32_t lblk);
/* Evicts and reserves up to want frames next to each other in the arena;
 * the first in *first, the count returned (0: every frame pinned). */
uint32_t pcache_alloc_run(uint32_t want, uint32_t *first);
uint8_t *pcache_frame(uint32_t i);
/* Reserves frame i (next to a frame the caller just used, so write-back
 * runs stay contiguous) if it is free or cold, clean and unpinned. */
int pcache_alloc_at(uint32_t i);
/* Frame i now holds (fs, ino, lblk). */
void pcache_insert(uint32_t i, const struct vfs *fs, uint32_t ino, uint32_t lblk);
/* Frame i, reserved by pcache_alloc_run, goes back unused. */
void pcache_unreserve(uint32_t i);
void pcache_pin(const uint8_t *frame);
uint32_t pcache_index(const uint8_t *frame);
/* Frame i (inserted) holds newer bytes than the device; they go to pblk. */
void pcache_set_dirty(uint32_t i, uint64_t pblk);
int pcache_is_dirty(const uint8_t *frame);
/*
 * Delayed allocation: frame i (inserted) holds the newest bytes of a block
 * that has no device block yet (a hole or past EOF). It is dirty, never
 * written back or replaced until ext4 gives it a block (pcache_set_dirty),
 * and counts in fs->pc_delay (what ext4 keeps reserved for it). Dropping it
 * discards its bytes and its reservation.
 */
void pcache_set_delayed(uint32_t i);
int pcache_is_delayed(const uint8_t *frame);
/* A write lands in frame again: 1 if it is dirty (delayed, or with its
 * device block), so the block's mapping is the frame's and needs no
 * lookup; counted as pcache_set_dirty and pcache_set_delayed count it.
 * 0 for a clean frame (the caller maps the block). */
int pcache_redirty(const uint8_t *frame);
/* Delayed frames are bounded: want more fit in a quarter of the frames
 * (else the write allocates at once); past an eighth, ext4 allocates them
 * at the start of its next change, so a WRITE of up to an eighth fits. */
int pcache_delay_room(uint32_t want);
int pcache_delay_full(void);
/* The next delayed frame of a mount on the dirty list after frame *cur
 * (PCACHE_NONE: from the oldest): its block (frame in *cur, inode in *ino),
 * or PCACHE_NONE. Giving frames their blocks keeps them on the list, so a
 * walk can go on from one. */
uint32_t pcache_next_delayed(const struct vfs *fs, uint32_t *cur, uint32_t *ino);
/* The lowest delayed block of an inode in [first, end), or PCACHE_NONE. */
uint32_t pcache_delayed_in(const struct vfs *fs, uint32_t ino, uint32_t first, uint32_t end);
/* Writes back the dirty frames of a mount (every one) or of blocks
 * [first, end) of one inode. 0, or the errno of the write that failed (the
 * mount is broken then, its frames dropped). */
int pcache_writeback_fs(struct vfs *fs);
int pcache_writeback_range(struct vfs *fs, uint32_t ino, uint32_t first, uint32_t end);
/* The oldest dirty frames of a mount until max are clean, max blocks
 * written at most (idle work, a bounded step before a commit); 0 or the
 * errno as above. */
int pcache_writeback_oldest(struct vfs *fs, uint32_t max);
/* Drops blocks [first, end) of an inode (end PCACHE_NONE: to the last);
 * dirty ones are discarded. */
void pcache_drop(const struct vfs *fs, uint32_t ino, uint32_t first, uint32_t end);
void pcache_drop_fs(const struct vfs *fs);
/* A write that went straight to the device (no frame could be had, or the
 * cache is bypassed): bytes [off, off + len) reached it; cached blocks among
 * them take the same bytes. */
void pcache_update(const struct vfs *fs, uint32_t ino, uint32_t log_bs, uint64_t off, const uint8_t *src,
		   size_t len);
/* Read-ahead: a read of blocks [first, end) starts; the window (in blocks)
 * to read past end on a miss. */
uint32_t pcache_readahead(const struct vfs *fs, uint32_t ino, uint32_t first, uint32_t end);
void pcache_copy(void *dst, const void *src, size_t len);
/* A WRITE's bytes into a frame (vfs_pcache_set_write_copy). */
void pcache_copy_in(void *dst, const void *src, size_t len);
/* Copying a frame is cheaper than reading it again (see pcache.c). */
int pcache_copy_cheap(void);
struct vfs_pcache_stats *pcache_stats_mut(void);

#endif /* PCACHE_H */
