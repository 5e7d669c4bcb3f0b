/*
 * The page cache of file data: see pcache.h for its rules. The arena holds
 * the frames first (4 KiB aligned), then one header per frame, then the hash
 * heads. Everything is O(1) but the drops that name no block range (a whole
 * inode, a whole mount): those walk the headers.
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

#define F_VALID	0x01	/* holds a block */
#define F_REF	0x02	/* used since the clock hand last passed */

struct pc_frame {
	const struct vfs *fs;
	uint32_t ino, lblk;
	uint32_t hnext;		/* hash chain: next frame, or PCACHE_NONE */
	uint32_t pin;		/* pinned while equal to pc.epoch */
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
	struct pc_frame *f;
	uint32_t *head;
	uint32_t n, hmask, hand, epoch;
	int copy_cheap;
	void (*copy)(void *dst, const void *src, size_t len);
	struct pc_stream ra[RA_SLOTS];
	struct vfs_pcache_stats st;
} pc;

#if VFS_PCACHE_DEFAULT_BYTES
static uint8_t default_arena[VFS_PCACHE_DEFAULT_BYTES] __attribute__((aligned(PCACHE_FRAME)));
#endif

static void ensure_ready(void);

/* Lays the arena out in frames of stride bytes; everything cached goes. */
static void layout(void *mem, size_t bytes, uint32_t stride)
{
	uintptr_t a = (uintptr_t)mem, pad = (PCACHE_FRAME - a % PCACHE_FRAME) % PCACHE_FRAME;
	void (*copy)(void *, const void *, size_t) = pc.copy;
	uint32_t n, h = 1;

	memset(&pc, 0, sizeof(pc));
	pc.ready = 1;
	pc.epoch = 1;
	pc.copy = copy;
	pc.copy_cheap = copy || VFS_PCACHE_COPY_IS_CHEAP;
	pc.arena = mem;
	pc.arena_bytes = bytes;
	pc.stride = stride;
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

static void unhash(uint32_t i)
{
	struct pc_frame *f = &pc.f[i];
	uint32_t *pp = &pc.head[hash_of(f->fs, f->ino, f->lblk)];

	while (*pp != i)
		pp = &pc.f[*pp].hnext;
	*pp = f->hnext;
	f->flags = 0;
	pc.nvalid--;
}

static int taken(uint32_t i)
{
	return pc.f[i].pin == pc.epoch || (pc.f[i].flags & F_REF);
}

uint32_t pcache_alloc_run(uint32_t want, uint32_t *first)
{
	uint32_t start = 0, k, steps;

	if (!pc.n || !want)
		return 0;
	/* CLOCK: pass used frames once (clearing their mark), stop at the
	 * first that is neither used nor pinned */
	for (steps = 0; steps < 2 * pc.n + 1; steps++) {
		start = pc.hand;
		pc.hand = pc.hand + 1 == pc.n ? 0 : pc.hand + 1;
		if (pc.f[start].pin == pc.epoch)
			continue;
		if (pc.f[start].flags & F_REF) {
			pc.f[start].flags &= (uint8_t)~F_REF;
			continue;
		}
		break;
	}
	if (steps == 2 * pc.n + 1)
		return 0;
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

void pcache_insert(uint32_t i, const struct vfs *fs, uint32_t ino, uint32_t lblk)
{
	struct pc_frame *f = &pc.f[i];
	uint32_t h = hash_of(fs, ino, lblk);

	f->fs = fs;
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

void pcache_pin(const uint8_t *frame)
{
	pc.f[(uint32_t)((size_t)(frame - pc.mem) / pc.stride)].pin = pc.epoch;
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
			const uint8_t *fr = pcache_find(fs, ino, b);

			if (fr)
				drop_frame((uint32_t)((size_t)(fr - pc.mem) / pc.stride));
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
	for (uint32_t i = 0; i < pc.n; i++)
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
