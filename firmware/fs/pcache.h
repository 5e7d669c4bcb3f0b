/*
 * The page cache: regular-file data blocks in memory, one frame per
 * (mount, inode, logical block). Frames are EXT4_MAX_BLOCK_SIZE (4 KiB: a
 * DAX window page) apart in one arena (card
 * DDR on the card, so the SSD reads straight into them); a frame holds one
 * filesystem block (bs <= 4 KiB). Lookup is a hash of chains, replacement
 * CLOCK; frames next to each other in the arena are handed out together when
 * they can be, so one device read fills a run of them.
 *
 * Rule that keeps it coherent: a cached block always holds what the device
 * holds for that logical block (writes are write-through and update the
 * frame after the device took the bytes). Everything that changes a block
 * without going through ext4_file_write (truncation, punching, zeroing,
 * freeing the inode, a failed write, unmount, a broken mount) drops it.
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
/* Frame i now holds (fs, ino, lblk). */
void pcache_insert(uint32_t i, const struct vfs *fs, uint32_t ino, uint32_t lblk);
/* Frame i, reserved by pcache_alloc_run, goes back unused. */
void pcache_unreserve(uint32_t i);
void pcache_pin(const uint8_t *frame);
/* Drops blocks [first, end) of an inode (end PCACHE_NONE: to the last). */
void pcache_drop(const struct vfs *fs, uint32_t ino, uint32_t first, uint32_t end);
void pcache_drop_fs(const struct vfs *fs);
/* Write-through: bytes [off, off + len) of the file reached the device;
 * cached blocks among them take the same bytes. */
void pcache_update(const struct vfs *fs, uint32_t ino, uint32_t log_bs, uint64_t off, const uint8_t *src,
		   size_t len);
/* Read-ahead: a read of blocks [first, end) starts; the window (in blocks)
 * to read past end on a miss. */
uint32_t pcache_readahead(const struct vfs *fs, uint32_t ino, uint32_t first, uint32_t end);
void pcache_copy(void *dst, const void *src, size_t len);
/* Copying a frame is cheaper than reading it again (see pcache.c). */
int pcache_copy_cheap(void);
struct vfs_pcache_stats *pcache_stats_mut(void);

#endif /* PCACHE_H */
