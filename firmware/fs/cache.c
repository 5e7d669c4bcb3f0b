/*
 * Metadata block cache: fixed buffers, hashed by block number, LRU among the
 * unreferenced clean ones. Dirty buffers belong to the open journal
 * transaction and are never written in place before it commits (journal.c);
 * committed buffers (BUF_JDIRTY) wait in the cache for the checkpoint that
 * writes them in place, since the disk still holds their old contents. So
 * eviction only ever drops clean buffers; the transaction size limit and
 * the checkpoint threshold keep enough of them free (journal.c).
 *
 * Replacement is O(1): exactly the buffers that may be reused (free, or
 * valid with no reference, not dirty and not waiting for a checkpoint) are
 * on a doubly linked list, free ones at the head, the others in the order
 * they were last released; the victim is the head. Every change of ref,
 * BUF_DIRTY or BUF_JDIRTY goes through this file, which keeps the list in
 * step.
 */
#include "ext4.h"

static uint32_t hslot(uint64_t blk)
{
	return (uint32_t)((blk * 0x9e3779b97f4a7c15ull) >> 40) & (EXT4_HASH_SIZE - 1);
}

static int reusable(const struct ext4_buf *b)
{
	return !b->ref && !(b->flags & (BUF_DIRTY | BUF_JDIRTY));
}

static int on_list(struct vfs *fs, const struct ext4_buf *b)
{
	return b->lprev >= 0 || fs->lru_head == (int32_t)(b - fs->bufs);
}

static void list_del(struct vfs *fs, struct ext4_buf *b)
{
	if (!on_list(fs, b))
		return;
	if (b->lprev >= 0)
		fs->bufs[b->lprev].lnext = b->lnext;
	else
		fs->lru_head = b->lnext;
	if (b->lnext >= 0)
		fs->bufs[b->lnext].lprev = b->lprev;
	else
		fs->lru_tail = b->lprev;
	b->lprev = b->lnext = -1;
}

/* at the tail: the most recently released */
static void list_add_tail(struct vfs *fs, struct ext4_buf *b)
{
	int32_t i = (int32_t)(b - fs->bufs);

	b->lnext = -1;
	b->lprev = fs->lru_tail;
	if (fs->lru_tail >= 0)
		fs->bufs[fs->lru_tail].lnext = i;
	else
		fs->lru_head = i;
	fs->lru_tail = i;
}

/* at the head: a free buffer, taken first */
static void list_add_head(struct vfs *fs, struct ext4_buf *b)
{
	int32_t i = (int32_t)(b - fs->bufs);

	b->lprev = -1;
	b->lnext = fs->lru_head;
	if (fs->lru_head >= 0)
		fs->bufs[fs->lru_head].lprev = i;
	else
		fs->lru_tail = i;
	fs->lru_head = i;
}

void ext4_cache_init(struct vfs *fs)
{
	uint32_t n = EXT4_CACHE_BYTES / fs->bs;

	if (n > EXT4_CACHE_MAX_BUFS)
		n = EXT4_CACHE_MAX_BUFS;
	fs->nbufs = n;
	fs->tick = 0;
	fs->ncp = 0;
	fs->lru_head = fs->lru_tail = -1;
	for (uint32_t i = 0; i < EXT4_HASH_SIZE; i++)
		fs->hash[i] = -1;
	for (uint32_t i = 0; i < n; i++) {
		fs->bufs[i].data = fs->cache_mem + (size_t)i * fs->bs;
		fs->bufs[i].flags = 0;
		fs->bufs[i].ref = 0;
		fs->bufs[i].hnext = -1;
		fs->bufs[i].blk = 0;
		fs->bufs[i].lprev = fs->bufs[i].lnext = -1;
		list_add_tail(fs, &fs->bufs[i]);
	}
}

int ext4_dev_read(struct vfs *fs, uint64_t blk, uint32_t n, void *buf)
{
	if (blk >= fs->blocks_count || n > fs->blocks_count - blk)
		return ext4_corrupt(fs, "block number out of range", blk);
	return fs->bd->read(fs->bd, blk * fs->spb, n * fs->spb, buf);
}

int ext4_dev_write(struct vfs *fs, uint64_t blk, uint32_t n, const void *buf)
{
	int err;

	if (blk >= fs->blocks_count || n > fs->blocks_count - blk || (blk == 0 && fs->bs == 1024))
		return ext4_corrupt(fs, "write to an invalid block", blk);
	err = fs->bd->write(fs->bd, blk * fs->spb, n * fs->spb, buf);
	if (err)
		fs->broken = 1;
	return err;
}

/* Durable when it returns 0 (the caller flushed what must precede it). */
int ext4_dev_write_fua(struct vfs *fs, uint64_t blk, uint32_t n, const void *buf)
{
	int err;

	if (!fs->bd->write_fua) {
		err = ext4_dev_write(fs, blk, n, buf);
		return err ? err : ext4_dev_flush(fs);
	}
	if (blk >= fs->blocks_count || n > fs->blocks_count - blk || (blk == 0 && fs->bs == 1024))
		return ext4_corrupt(fs, "write to an invalid block", blk);
	err = fs->bd->write_fua(fs->bd, blk * fs->spb, n * fs->spb, buf);
	if (err)
		fs->broken = 1;
	return err;
}

int ext4_dev_flush(struct vfs *fs)
{
	int err = fs->bd->flush(fs->bd);

	if (err)
		fs->broken = 1;
	return err;
}

static struct ext4_buf *lookup(struct vfs *fs, uint64_t blk)
{
	for (int32_t i = fs->hash[hslot(blk)]; i >= 0; i = fs->bufs[i].hnext)
		if (fs->bufs[i].blk == blk && (fs->bufs[i].flags & BUF_VALID))
			return &fs->bufs[i];
	return NULL;
}

static void unhash(struct vfs *fs, struct ext4_buf *b)
{
	int32_t idx = (int32_t)(b - fs->bufs);
	int32_t *pp = &fs->hash[hslot(b->blk)];

	while (*pp >= 0) {
		if (*pp == idx) {
			*pp = b->hnext;
			break;
		}
		pp = &fs->bufs[*pp].hnext;
	}
	b->hnext = -1;
	b->flags = 0;
	b->csum_kind = EXT4_CSUM_NONE;
}

static int grab(struct vfs *fs, uint64_t blk, struct ext4_buf **out)
{
	struct ext4_buf *victim;

	if (fs->lru_head < 0) {
		fs->broken = 1;	/* an operation may be half done in memory */
		return ext4_error(fs, -ENOMEM, "block cache exhausted");
	}
	victim = &fs->bufs[fs->lru_head];
	list_del(fs, victim);
	if (victim->flags & BUF_VALID)
		unhash(fs, victim);
	victim->blk = blk;
	victim->flags = 0;
	victim->csum_kind = EXT4_CSUM_NONE;
	victim->ref = 1;
	fs->tick++;
	victim->hnext = fs->hash[hslot(blk)];
	fs->hash[hslot(blk)] = (int32_t)(victim - fs->bufs);
	*out = victim;
	return 0;
}

/* A reference more to a buffer found in the cache. */
static void hold(struct vfs *fs, struct ext4_buf *b)
{
	if (!b->ref)
		list_del(fs, b);
	b->ref++;
	fs->tick++;
}

int ext4_bread(struct vfs *fs, uint64_t blk, struct ext4_buf **out)
{
	struct ext4_buf *b = lookup(fs, blk);
	int err;

	if (b) {
		hold(fs, b);
		*out = b;
		return 0;
	}
	if (blk >= fs->blocks_count || (blk == 0 && fs->bs == 1024))
		return ext4_corrupt(fs, "metadata block out of range", blk);
	err = grab(fs, blk, &b);
	if (err)
		return err;
	err = ext4_dev_read(fs, blk, 1, b->data);
	if (err) {
		b->ref = 0;
		unhash(fs, b);
		list_add_head(fs, b);
		return err;
	}
	b->flags = BUF_VALID;
	*out = b;
	return 0;
}

/* A buffer for a freshly allocated block: contents zeroed, no read. */
int ext4_bget_zero(struct vfs *fs, uint64_t blk, struct ext4_buf **out)
{
	struct ext4_buf *b = lookup(fs, blk);
	int err;

	if (blk >= fs->blocks_count || (blk == 0 && fs->bs == 1024))
		return ext4_corrupt(fs, "metadata block out of range", blk);
	if (b) {
		hold(fs, b);
	} else {
		err = grab(fs, blk, &b);
		if (err)
			return err;
		b->flags = BUF_VALID;
	}
	memset(b->data, 0, fs->bs);
	b->flags = (uint8_t)((b->flags | BUF_CHECKED) & ~BUF_DIRCHK);
	b->csum_kind = EXT4_CSUM_NONE;
	*out = b;
	return 0;
}

void ext4_bput(struct vfs *fs, struct ext4_buf *b)
{
	if (b && b->ref && !--b->ref && reusable(b))
		list_add_tail(fs, b);
}

void ext4_bdirty(struct vfs *fs, struct ext4_buf *b)
{
	if (!(b->flags & BUF_DIRTY)) {
		list_del(fs, b);
		b->flags |= BUF_DIRTY;
		fs->ndirty++;
	}
	/* ours now: no checksum to verify; but whoever changed it, its entries
	 * are checked again before a directory reads them (dir.c keeps the
	 * mark for a directory changing its own block) */
	b->flags = (uint8_t)((b->flags | BUF_CHECKED) & ~BUF_DIRCHK);
}

/* Dirty, with its checksum left to the commit (see EXT4_CSUM_*). */
void ext4_bdirty_csum(struct vfs *fs, struct ext4_buf *b, uint8_t kind, uint32_t arg)
{
	ext4_bdirty(fs, b);
	b->csum_kind = kind;
	b->csum_arg = arg;
}

static void forget(struct vfs *fs, struct ext4_buf *b)
{
	if (b->flags & BUF_JDIRTY)
		fs->jcp_now = 1;
	if (b->ref)
		return;
	if (b->flags & BUF_DIRTY)
		fs->ndirty--;
	if (b->flags & BUF_JDIRTY)
		fs->ncp--;
	list_del(fs, b);
	unhash(fs, b);
	list_add_head(fs, b);
}

/* Blocks start .. start + len - 1 were freed (or handed out as file data):
 * whatever the cache holds for them must never reach the disk (they may
 * become file data). A committed copy in the journal would come back at a
 * replay over that data: the commit that frees one checkpoints (jcp_now),
 * which empties the journal before the block can be reused. Only a full
 * checkpoint clears BUF_JDIRTY, so every block the journal holds has its
 * buffer here. A long range walks the buffers once instead of looking up
 * every block (freeing a 1 MiB file: 256 lookups against 64 buffers on the
 * card). */
void ext4_bforget_range(struct vfs *fs, uint64_t start, uint32_t len)
{
	if (len > fs->nbufs / 4) {
		for (uint32_t i = 0; i < fs->nbufs; i++) {
			struct ext4_buf *b = &fs->bufs[i];
			if ((b->flags & BUF_VALID) && b->blk >= start && b->blk - start < len)
				forget(fs, b);
		}
		return;
	}
	for (uint32_t i = 0; i < len; i++) {
		struct ext4_buf *b = lookup(fs, start + i);
		if (b)
			forget(fs, b);
	}
}

/* The transaction is on disk: its buffers are clean, and reusable once no
 * one holds them. */
void ext4_bclean_all(struct vfs *fs)
{
	for (uint32_t i = 0; i < fs->nbufs; i++) {
		struct ext4_buf *b = &fs->bufs[i];

		if (!(b->flags & BUF_DIRTY))
			continue;
		b->flags &= (uint8_t)~BUF_DIRTY;
		if (reusable(b))
			list_add_tail(fs, b);
	}
	fs->ndirty = 0;
}

/* The transaction is committed to the journal: its buffers wait for the
 * checkpoint (pinned, BUF_JDIRTY). */
void ext4_bcommitted_all(struct vfs *fs)
{
	for (uint32_t i = 0; i < fs->nbufs; i++) {
		struct ext4_buf *b = &fs->bufs[i];

		if (!(b->flags & BUF_DIRTY))
			continue;
		if (!(b->flags & BUF_JDIRTY))
			fs->ncp++;
		/* new committed contents: a checkpoint step has not written them */
		b->flags = (uint8_t)((b->flags & ~(BUF_DIRTY | BUF_HOMED)) | BUF_JDIRTY);
	}
	fs->ndirty = 0;
}

/* The buffer is written in place and flushed. */
void ext4_bcheckpointed(struct vfs *fs, struct ext4_buf *b)
{
	if (!(b->flags & BUF_JDIRTY))
		return;
	b->flags &= (uint8_t)~(BUF_JDIRTY | BUF_HOMED);
	fs->ncp--;
	if (reusable(b))
		list_add_tail(fs, b);
}
