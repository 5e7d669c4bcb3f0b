/*
 * The page cache of file data: see pcache.h for its rules. The arena holds
 * the frames first (4 KiB aligned), then one header per frame, then the hash
 * heads. Everything is O(1) but the drops that name no block range (a whole
 * inode, a whole mount): those walk the headers. Dirty frames are also on a
 * list, oldest dirtied first: write-back of a mount (or of a range longer
 * than the mount's dirty count) walks that list, not the headers, so a
 * commit with nothing dirty costs nothing and one with d dirty frames O(d).
 */
#include <string.h>

#include "pcache.h"

#ifndef VFS_PCACHE_DEFAULT_BYTES
#define VFS_PCACHE_DEFAULT_BYTES (4u << 20)
#endif
/* Whether a memcpy of a frame costs less than reading it from the device
 * again (the host: yes; the card's soft core copies 1.3 bytes a cycle where
 * the SSD DMAs 8: no, until a copy engine is bound with vfs_pcache_set_copy). */
#ifndef VFS_PCACHE_COPY_IS_CHEAP
#define VFS_PCACHE_COPY_IS_CHEAP 1
#endif
#define RA_SLOTS 64u	/* read-ahead streams followed at once (by inode) */
/* Dirty frames written back at once when the cache is short of clean ones. */
#ifndef PCACHE_WB_BATCH
#define PCACHE_WB_BATCH 32u
#endif
#define WB_RUN_MAX 256u	/* blocks in one write-back command */

#define F_VALID	0x01	/* holds a block */
#define F_REF	0x02	/* used since the clock hand last passed */
#define F_DIRTY	0x04	/* newer than the device: goes to pblk before it may go */
#define F_DELAY	0x08	/* dirty, no device block yet (delayed allocation): it
			 * cannot go out before ext4 gives it one (pcache_set_dirty) */

struct pc_frame {
	struct vfs *fs;
	uint32_t ino, lblk;
	uint32_t hnext;		/* hash chain: next frame, or PCACHE_NONE */
	uint32_t pin;		/* pinned while equal to pc.epoch */
	uint32_t dprev, dnext;	/* dirty list, oldest first (F_DIRTY only) */
	uint64_t pblk;		/* the device block a dirty frame goes to */
	uint8_t flags;
};

struct pc_stream {
	const struct vfs *fs;
	uint32_t ino;
	uint32_t next;		/* block the next sequential read starts at */
	uint32_t win;		/* read-ahead window, blocks */
};

static struct {
	int ready;
	uint8_t *mem;		/* frame i at mem + i * stride */
	void *arena;		/* what vfs_pcache_setup was given */
	size_t arena_bytes;
	uint32_t stride;	/* frame size: PCACHE_FRAME, or the one mount's block size */
	uint32_t nvalid;	/* frames holding a block */
	uint32_t ndirty;	/* of those, dirty (every mount) */
	uint32_t ndelay;	/* of those, delayed: no device block yet */
	uint32_t dhead, dtail;	/* dirty list: oldest dirtied first */
	uint32_t cursor;	/* a walk of the dirty list: the next frame (see dirty_unlink) */
	struct pc_frame *f;
	uint32_t *head;
	uint32_t n, hmask, hand, epoch;
	int copy_cheap;
	void (*copy)(void *dst, const void *src, size_t len);
	int (*wcopy)(void *dst, const void *src, uint32_t len);
	struct pc_stream ra[RA_SLOTS];
	struct vfs_pcache_stats st;
} pc;

#if VFS_PCACHE_DEFAULT_BYTES
static uint8_t default_arena[VFS_PCACHE_DEFAULT_BYTES] __attribute__((aligned(PCACHE_FRAME)));
#endif

static void ensure_ready(void);
static void reclaim(uint32_t want);

/* Lays the arena out in frames of stride bytes; everything cached goes. */
static void layout(void *mem, size_t bytes, uint32_t stride)
{
	uintptr_t a = (uintptr_t)mem, pad = (PCACHE_FRAME - a % PCACHE_FRAME) % PCACHE_FRAME;
	void (*copy)(void *, const void *, size_t) = pc.copy;
	int (*wcopy)(void *, const void *, uint32_t) = pc.wcopy;
	uint32_t n, h = 1;

	memset(&pc, 0, sizeof(pc));
	pc.ready = 1;
	pc.epoch = 1;
	pc.copy = copy;
	pc.wcopy = wcopy;
	pc.copy_cheap = copy || VFS_PCACHE_COPY_IS_CHEAP;
	pc.arena = mem;
	pc.arena_bytes = bytes;
	pc.stride = stride;
	pc.dhead = pc.dtail = pc.cursor = PCACHE_NONE;
	if (!mem || bytes < pad)
		return;
	bytes -= pad;
	n = (uint32_t)(bytes / (stride + sizeof(struct pc_frame) + 2 * sizeof(uint32_t)));
	if (n < 2)
		return;
	while (h < n)
		h <<= 1;
	pc.mem = (uint8_t *)(a + pad);
	pc.f = (struct pc_frame *)(pc.mem + (size_t)n * stride);
	pc.head = (uint32_t *)(pc.f + n);
	pc.n = n;
	pc.hmask = h - 1;
	memset(pc.f, 0, (size_t)n * sizeof(*pc.f));
	memset(pc.head, 0xff, (size_t)h * sizeof(uint32_t));
	pc.st.frames = n;
}

int vfs_pcache_setup(void *mem, size_t bytes)
{
	/* dirty bytes are nowhere else: delayed ones get their blocks first
	 * (a caller between requests holds no inode), then all go out */
	while (pc.ready && pc.ndelay) {
		uint32_t i = pc.dhead;

		while (!(pc.f[i].flags & F_DELAY))
			i = pc.f[i].dnext;
		if (!pc.f[i].fs->dalloc || pc.f[i].fs->dalloc(pc.f[i].fs))
			pcache_drop_fs(pc.f[i].fs);	/* broken: the disk keeps the last commit */
	}
	if (pc.ready && pc.ndirty)
		reclaim(pc.ndirty);
	layout(mem, bytes, PCACHE_FRAME);
	return 0;
}

/*
 * A mount of block size bs starts (its own blocks already dropped): with
 * nothing else cached, the frames take its block size, so a run of blocks
 * read with one command lands one per frame as it is (and a 1 KiB-block
 * image gets four times the frames). With other mounts' blocks cached the
 * layout stays, and smaller blocks are spread after each read (file.c).
 */
void pcache_fit(uint32_t bs)
{
	ensure_ready();
	if (pc.nvalid || bs == pc.stride || bs > PCACHE_FRAME || !pc.arena)
		return;
	pc.st.frames = 0;
	{
		struct vfs_pcache_stats st = pc.st;

		st.dirty = 0;
		layout(pc.arena, pc.arena_bytes, bs);
		st.frames = pc.st.frames;
		pc.st = st;	/* the figures go on across mounts */
	}
}

uint32_t pcache_stride(void)
{
	return pc.stride;
}

static void ensure_ready(void)
{
	if (pc.ready)
		return;
#if VFS_PCACHE_DEFAULT_BYTES
	vfs_pcache_setup(default_arena, sizeof(default_arena));
#else
	vfs_pcache_setup(NULL, 0);
#endif
}

int pcache_enabled(void)
{
	ensure_ready();
	return pc.n != 0;
}

void vfs_pcache_get_stats(struct vfs_pcache_stats *out)
{
	ensure_ready();
	*out = pc.st;
	out->dirty = pc.ndirty;
}

uint64_t vfs_pcache_changes(void)
{
	return pc.st.evictions + pc.st.drops + pc.st.dirtied + pc.st.discarded;
}

struct vfs_pcache_stats *pcache_stats_mut(void)
{
	return &pc.st;
}

void vfs_pcache_set_copy(void (*copy)(void *dst, const void *src, size_t len))
{
	ensure_ready();
	pc.copy = copy;
	pc.copy_cheap = copy || VFS_PCACHE_COPY_IS_CHEAP;
}

void vfs_pcache_set_write_copy(int (*copy)(void *dst, const void *src, uint32_t len))
{
	ensure_ready();
	pc.wcopy = copy;
}

void pcache_copy_in(void *dst, const void *src, size_t len)
{
	if (!pc.wcopy || pc.wcopy(dst, src, (uint32_t)len))
		memcpy(dst, src, len);
}

int pcache_copy_cheap(void)
{
	return pc.copy_cheap;
}

void pcache_copy(void *dst, const void *src, size_t len)
{
	if (pc.copy)
		pc.copy(dst, src, len);
	else
		memcpy(dst, src, len);
}

void vfs_pcache_unpin_all(void)
{
	if (++pc.epoch == 0)
		pc.epoch = 1;	/* a wrap: stale pins read as pinned once, harmless */
}

static uint32_t hash_of(const struct vfs *fs, uint32_t ino, uint32_t lblk)
{
	uint32_t x = (uint32_t)(uintptr_t)fs ^ ino * 0x9e3779b1u ^ lblk * 0x85ebca6bu;

	x ^= x >> 15;
	return x & pc.hmask;
}

uint8_t *pcache_frame(uint32_t i)
{
	return pc.mem + (size_t)i * pc.stride;
}

uint8_t *pcache_find(const struct vfs *fs, uint32_t ino, uint32_t lblk)
{
	uint32_t i;

	if (!pc.n)
		return NULL;
	for (i = pc.head[hash_of(fs, ino, lblk)]; i != PCACHE_NONE; i = pc.f[i].hnext) {
		struct pc_frame *f = &pc.f[i];

		if (f->lblk == lblk && f->ino == ino && f->fs == fs) {
			f->flags |= F_REF;
			return pcache_frame(i);
		}
	}
	return NULL;
}

/* Frame i is clean again (written back, or its bytes are no longer wanted). */
static void dirty_unlink(uint32_t i)
{
	struct pc_frame *f = &pc.f[i];

	if (f->dprev != PCACHE_NONE)
		pc.f[f->dprev].dnext = f->dnext;
	else
		pc.dhead = f->dnext;
	if (f->dnext != PCACHE_NONE)
		pc.f[f->dnext].dprev = f->dprev;
	else
		pc.dtail = f->dprev;
	if (pc.cursor == i)	/* a walk of the list goes on past it */
		pc.cursor = f->dnext;
	if (f->flags & F_DELAY) {	/* dropped: its reservation goes too */
		pc.ndelay--;
		f->fs->pc_delay--;
	}
	f->flags &= (uint8_t)~(F_DIRTY | F_DELAY);
	pc.ndirty--;
	f->fs->pc_dirty--;
}

/* Frame i, which *pp links into its hash chain, leaves the cache. */
static void unlink_at(uint32_t *pp, uint32_t i)
{
	struct pc_frame *f = &pc.f[i];

	if (f->flags & F_DIRTY) {	/* its block is gone (or the mount broke) */
		dirty_unlink(i);
		pc.st.discarded++;
	}
	*pp = f->hnext;
	f->flags = 0;
	pc.nvalid--;
}

static void unhash(uint32_t i)
{
	struct pc_frame *f = &pc.f[i];
	uint32_t *pp = &pc.head[hash_of(f->fs, f->ino, f->lblk)];

	while (*pp != i)
		pp = &pc.f[*pp].hnext;
	unlink_at(pp, i);
}

static int taken(uint32_t i)
{
	return pc.f[i].pin == pc.epoch || (pc.f[i].flags & (F_REF | F_DIRTY));
}

/* Frame i can be written back now: dirty, with a device block. */
static int writable(uint32_t i)
{
	return (pc.f[i].flags & (F_DIRTY | F_DELAY)) == F_DIRTY;
}

/* Frame j (dirty) is followed on the device by frame k (dirty, same mount). */
static int continues(uint32_t j, uint32_t k)
{
	return writable(j) && writable(k) && pc.f[j].fs == pc.f[k].fs && pc.f[j].pblk + 1 == pc.f[k].pblk;
}

/* A write-back failed: the mount is broken (as any failed write leaves it),
 * what it had cached goes, FLUSH and FSYNC answer EIO. */
static void wb_fail(struct vfs *fs)
{
	fs->broken = 1;
	fs->wb_err = 1;
	pcache_drop_fs(fs);
}

/*
 * Writes dirty frame i out with the dirty frames around it in the arena
 * that continue it on the device: one command for the run, of cap frames
 * at most (a bounded idle step passes what it has left). Blocks smaller
 * than a frame (another mount set the stride) go one at a time.
 */
static int wb_run(uint32_t i, uint32_t cap)
{
	struct vfs *fs = pc.f[i].fs;
	uint32_t s = i, e = i + 1;
	int err;

	if (cap > WB_RUN_MAX)
		cap = WB_RUN_MAX;
	if (fs->bs == pc.stride) {
		while (s > 0 && i - s + 1 < cap && continues(s - 1, s))
			s--;
		while (e < pc.n && e - s < cap && continues(e - 1, e))
			e++;
	}
	err = fs->broken ? -EIO : ext4_dev_write(fs, pc.f[s].pblk, e - s, pcache_frame(s));
	if (err) {
		wb_fail(fs);
		return err;
	}
	for (uint32_t j = s; j < e; j++)
		dirty_unlink(j);
	pc.st.written += e - s;
	pc.st.wb_writes++;
	return 0;
}

/* The oldest dirty frames (any mount) go out until want are clean. Delayed
 * ones are passed over: only ext4 can give them a block, and it may be in
 * the middle of an inode here (vfs.c bounds them instead, see
 * pcache_delay_full). */
static void reclaim(uint32_t want)
{
	uint32_t before = pc.ndirty;

	pc.cursor = pc.dhead;
	while (pc.cursor != PCACHE_NONE && before - pc.ndirty < want) {
		uint32_t i = pc.cursor;

		pc.cursor = pc.f[i].dnext;
		if (writable(i))
			(void)wb_run(i, WB_RUN_MAX);	/* a failure drops that mount's frames */
	}
	pc.cursor = PCACHE_NONE;
	pc.st.wb_reclaims++;
}

/* A fresh dirty frame of fs; past half the cache dirty, the oldest go out
 * first, so clean frames stay for readers and the hand finds them. */
static void wb_pressure(void)
{
	if (pc.ndirty > pc.n / 2)
		reclaim(PCACHE_WB_BATCH);
}

uint32_t pcache_alloc_run(uint32_t want, uint32_t *first)
{
	uint32_t start = 0, k, steps;

	if (!pc.n || !want)
		return 0;
	wb_pressure();
	/* Smaller blocks than a frame: a run starts, when it can, at a frame
	 * 4 KiB aligned in the arena, so that a 4 KiB page of the file read or
	 * written in one run lies in one aligned piece (the card's READ fast
	 * path serves such pages). The frames the hand skips keep their mark
	 * for its next pass. */
	if (pc.stride < PCACHE_FRAME) {
		uint32_t per = PCACHE_FRAME / pc.stride;

		pc.hand = (pc.hand + per - 1) / per * per;
		if (pc.hand >= pc.n)
			pc.hand = 0;
	}
	for (;;) {
		/* CLOCK: pass used frames once (clearing their mark), stop at
		 * the first that is neither used, dirty nor pinned */
		for (steps = 0; steps < 2 * pc.n + 1; steps++) {
			start = pc.hand;
			pc.hand = pc.hand + 1 == pc.n ? 0 : pc.hand + 1;
			if (pc.f[start].pin == pc.epoch || (pc.f[start].flags & F_DIRTY))
				continue;
			if (pc.f[start].flags & F_REF) {
				pc.f[start].flags &= (uint8_t)~F_REF;
				continue;
			}
			break;
		}
		if (steps < 2 * pc.n + 1)
			break;
		/* every frame dirty or pinned: the writer waits for the
		 * oldest dirty ones to reach the device, never fails for it */
		if (pc.ndirty == pc.ndelay)
			return 0;
		reclaim(PCACHE_WB_BATCH);
	}
	/* the frames after it join while they are as cold */
	for (k = 1; k < want && start + k < pc.n && !taken(start + k); k++)
		;
	for (uint32_t j = start; j < start + k; j++) {
		if (pc.f[j].flags & F_VALID) {
			unhash(j);
			pc.st.evictions++;
		}
		pc.f[j].pin = pc.epoch;	/* reserved until inserted or given back */
	}
	pc.hand = start + k == pc.n ? 0 : start + k;
	*first = start;
	return k;
}

int pcache_alloc_at(uint32_t i)
{
	if (i >= pc.n || taken(i))
		return 0;
	if (pc.f[i].flags & F_VALID) {
		unhash(i);
		pc.st.evictions++;
	}
	pc.f[i].pin = pc.epoch;
	return 1;
}

void pcache_insert(uint32_t i, const struct vfs *fs, uint32_t ino, uint32_t lblk)
{
	struct pc_frame *f = &pc.f[i];
	uint32_t h = hash_of(fs, ino, lblk);

	f->fs = (struct vfs *)fs;	/* written through only when dirty */
	f->ino = ino;
	f->lblk = lblk;
	f->flags = F_VALID | F_REF;
	f->pin = 0;
	pc.nvalid++;
	f->hnext = pc.head[h];
	pc.head[h] = i;
}

void pcache_unreserve(uint32_t i)
{
	pc.f[i].pin = 0;
}

uint32_t pcache_index(const uint8_t *frame)
{
	return (uint32_t)((size_t)(frame - pc.mem) / pc.stride);
}

void pcache_pin(const uint8_t *frame)
{
	pc.f[pcache_index(frame)].pin = pc.epoch;
}

void pcache_set_dirty(uint32_t i, uint64_t pblk)
{
	struct pc_frame *f = &pc.f[i];

	f->pblk = pblk;
	if (f->flags & F_DELAY) {	/* ext4 gave it its block: no new bytes */
		f->flags &= (uint8_t)~F_DELAY;
		pc.ndelay--;
		f->fs->pc_delay--;
		return;
	}
	pc.st.dirtied++;
	if (f->flags & F_DIRTY)
		return;		/* it keeps its age */
	f->flags |= F_DIRTY;
	f->dnext = PCACHE_NONE;
	f->dprev = pc.dtail;
	if (pc.dtail != PCACHE_NONE)
		pc.f[pc.dtail].dnext = i;
	else
		pc.dhead = i;
	pc.dtail = i;
	pc.ndirty++;
	f->fs->pc_dirty++;
}

void pcache_set_delayed(uint32_t i)
{
	struct pc_frame *f = &pc.f[i];

	if (f->flags & F_DIRTY)
		return;		/* delayed already (a hole's frame is never clean) */
	pcache_set_dirty(i, 0);
	f->flags |= F_DELAY;
	pc.ndelay++;
	f->fs->pc_delay++;
}

int pcache_redirty(const uint8_t *frame)
{
	struct pc_frame *f = &pc.f[pcache_index(frame)];

	if (!(f->flags & F_DIRTY))
		return 0;
	if (!(f->flags & F_DELAY))
		pc.st.dirtied++;	/* as pcache_set_dirty counts it */
	return 1;
}

int pcache_is_delayed(const uint8_t *frame)
{
	return (pc.f[pcache_index(frame)].flags & F_DELAY) != 0;
}

int pcache_delay_full(void)
{
	return pc.ndelay >= pc.n / 8;
}

int pcache_delay_room(uint32_t want)
{
	return pc.ndelay + (uint64_t)want <= pc.n / 4;
}

uint32_t pcache_next_delayed(const struct vfs *fs, uint32_t *cur, uint32_t *ino)
{
	for (uint32_t i = *cur == PCACHE_NONE ? pc.dhead : pc.f[*cur].dnext; i != PCACHE_NONE; i = pc.f[i].dnext)
		if ((pc.f[i].flags & F_DELAY) && pc.f[i].fs == fs) {
			*cur = i;
			*ino = pc.f[i].ino;
			return pc.f[i].lblk;
		}
	return PCACHE_NONE;
}

uint32_t pcache_delayed_in(const struct vfs *fs, uint32_t ino, uint32_t first, uint32_t end)
{
	uint32_t best = PCACHE_NONE;

	if (!fs->pc_delay)
		return PCACHE_NONE;
	for (uint32_t i = pc.dhead; i != PCACHE_NONE; i = pc.f[i].dnext) {
		const struct pc_frame *f = &pc.f[i];

		if ((f->flags & F_DELAY) && f->fs == fs && f->ino == ino && f->lblk >= first && f->lblk < end &&
		    f->lblk < best)
			best = f->lblk;
	}
	return best;
}

int pcache_is_dirty(const uint8_t *frame)
{
	return (pc.f[pcache_index(frame)].flags & F_DIRTY) != 0;
}

/*
 * For a cache of the same bytes elsewhere (the card's READ fast path, which
 * serves a page straight from the frames): [p, p + len), a piece a
 * by-reference read handed out, starts a frame and lies in frames that
 * all hold blocks with the device's bytes (valid, not dirty). A DMABUF
 * piece does not. Which bytes they are is the read's word; this says only
 * that no frame under them is free, reserved or newer than the device.
 */
int vfs_pcache_range_clean(const void *p, size_t len)
{
	const uint8_t *b = p, *end = pc.mem + (size_t)pc.n * pc.stride;

	if (!pc.n || !len || b < pc.mem || b >= end || len > (size_t)(end - b))
		return 0;
	if ((size_t)(b - pc.mem) % pc.stride)
		return 0;
	for (uint32_t i = pcache_index(b); i <= pcache_index(b + len - 1); i++)
		if (!(pc.f[i].flags & F_VALID) || (pc.f[i].flags & F_DIRTY))
			return 0;
	return 1;
}

/* The frame of (fs, ino, lblk) if it is dirty, without marking it used. */
static uint32_t find_dirty(const struct vfs *fs, uint32_t ino, uint32_t lblk)
{
	for (uint32_t i = pc.head[hash_of(fs, ino, lblk)]; i != PCACHE_NONE; i = pc.f[i].hnext) {
		struct pc_frame *f = &pc.f[i];

		if (f->lblk == lblk && f->ino == ino && f->fs == fs)
			return writable(i) ? i : PCACHE_NONE;
	}
	return PCACHE_NONE;
}

/* Every dirty frame for which keep() holds goes out, oldest first. */
static int wb_walk(const struct vfs *fs, uint32_t ino, uint32_t first, uint32_t end, int whole_fs,
		   uint32_t max)
{
	uint32_t before = fs->pc_dirty;
	int err = 0;

	pc.cursor = pc.dhead;
	while (pc.cursor != PCACHE_NONE && fs->pc_dirty && before - fs->pc_dirty < max) {
		uint32_t i = pc.cursor;
		struct pc_frame *f = &pc.f[i];

		pc.cursor = f->dnext;
		if (f->fs != fs || !writable(i) ||
		    (!whole_fs && (f->ino != ino || f->lblk < first || f->lblk >= end)))
			continue;
		err = wb_run(i, max - (before - fs->pc_dirty));	/* moves the cursor past what it cleans */
		if (err)
			break;
	}
	pc.cursor = PCACHE_NONE;
	return err;
}

/*
 * Ordered mode (jbd2's data=ordered): ext4_commit calls this first, so the
 * data of blocks a transaction maps is on the device before the
 * transaction's commit block (its first flush covers both). A failure
 * breaks the mount (wb_fail), which the commit then answers with EIO.
 */
int pcache_writeback_fs(struct vfs *fs)
{
	if (!pc.n || fs->pc_dirty == fs->pc_delay)
		return 0;
	if (fs->broken) {
		wb_fail(fs);
		return -EIO;
	}
	return wb_walk(fs, 0, 0, 0, 1, UINT32_MAX);
}

/* Idle work's bounded write-back before a commit: the oldest dirty frames
 * of fs, until max are clean (or none is left); a run is cut at max, so a
 * step writes max blocks at most. */
int pcache_writeback_oldest(struct vfs *fs, uint32_t max)
{
	if (!pc.n || fs->pc_dirty == fs->pc_delay)
		return 0;
	if (fs->broken) {
		wb_fail(fs);
		return -EIO;
	}
	return wb_walk(fs, 0, 0, 0, 1, max);
}

int pcache_writeback_range(struct vfs *fs, uint32_t ino, uint32_t first, uint32_t end)
{
	if (!pc.n || fs->pc_dirty == fs->pc_delay || first >= end)
		return 0;
	if (fs->broken) {
		wb_fail(fs);
		return -EIO;
	}
	/* a block at a time through the hash, or a walk of the dirty list,
	 * whichever is shorter */
	if (end - first > fs->pc_dirty)
		return wb_walk(fs, ino, first, end, 0, UINT32_MAX);
	for (uint32_t b = first; b < end && fs->pc_dirty; b++) {
		uint32_t i = find_dirty(fs, ino, b);
		int err = i == PCACHE_NONE ? 0 : wb_run(i, WB_RUN_MAX);

		if (err)
			return err;
	}
	return 0;
}

static void drop_frame(uint32_t i)
{
	unhash(i);
	pc.f[i].pin = 0;
	pc.st.drops++;
}

void pcache_drop(const struct vfs *fs, uint32_t ino, uint32_t first, uint32_t end)
{
	if (!pc.n || first >= end)
		return;
	/* a block at a time through the hash when that is cheaper than a look
	 * at every frame (callers bound end by the file's size) */
	if (end - first <= 64 || end - first < pc.n / 4) {
		for (uint32_t b = first; b < end; b++) {
			/* one walk of the chain finds and unlinks the block's frame
			 * (a find, then unhash's second walk, and a divide for the
			 * index cost ~650 cycles a block on the card: 165k cycles
			 * of the FORGET that frees a 1 MiB file) */
			uint32_t *pp = &pc.head[hash_of(fs, ino, b)];

			while (*pp != PCACHE_NONE) {
				uint32_t i = *pp;
				struct pc_frame *f = &pc.f[i];

				if (f->lblk == b && f->ino == ino && f->fs == fs) {
					unlink_at(pp, i);
					f->pin = 0;
					pc.st.drops++;
					break;
				}
				pp = &f->hnext;
			}
		}
		return;
	}
	for (uint32_t i = 0; i < pc.n; i++) {
		struct pc_frame *f = &pc.f[i];

		if ((f->flags & F_VALID) && f->fs == fs && f->ino == ino && f->lblk >= first && f->lblk < end)
			drop_frame(i);
	}
}

void pcache_drop_fs(const struct vfs *fs)
{
	ensure_ready();
	for (uint32_t i = 0; i < pc.n && pc.nvalid; i++)
		if ((pc.f[i].flags & F_VALID) && pc.f[i].fs == fs)
			drop_frame(i);
	for (uint32_t s = 0; s < RA_SLOTS; s++)
		if (pc.ra[s].fs == fs)
			memset(&pc.ra[s], 0, sizeof(pc.ra[s]));
}

void pcache_update(const struct vfs *fs, uint32_t ino, uint32_t log_bs, uint64_t off, const uint8_t *src,
		   size_t len)
{
	uint32_t bs = 1u << log_bs;

	if (!pc.n || !pc.nvalid)
		return;
	while (len) {
		uint32_t boff = (uint32_t)off & (bs - 1);
		size_t n = bs - boff < len ? bs - boff : len;
		uint8_t *fr = pcache_find(fs, ino, (uint32_t)(off >> log_bs));

		if (fr)
			memcpy(fr + boff, src, n);
		off += n;
		src += n;
		len -= n;
	}
}

uint32_t pcache_readahead(const struct vfs *fs, uint32_t ino, uint32_t first, uint32_t end)
{
	struct pc_stream *s = &pc.ra[(ino * 0x9e3779b1u ^ (uint32_t)(uintptr_t)fs) % RA_SLOTS];
	uint32_t win;

	if (s->fs != fs || s->ino != ino) {
		s->fs = fs;
		s->ino = ino;
		s->next = 0;
		s->win = 0;
	}
	/* sequential: on from the last read's end (or from inside its last,
	 * partly read block); a fresh stream starting at 0 too */
	if (first == s->next || first + 1 == s->next)
		s->win = s->win ? (2 * s->win < PCACHE_RA_MAX ? 2 * s->win : PCACHE_RA_MAX) : PCACHE_RA_MIN;
	else
		s->win = 0;
	win = s->win;
	s->next = end;
	return win;
}
