/*
 * Metadata block cache: fixed buffers, hashed by block number, LRU among the
 * unreferenced clean ones. Dirty buffers belong to the open journal
 * transaction and are never written in place before it commits (journal.c),
 * so eviction only ever drops clean buffers; the transaction size limit keeps
 * enough of them free (ext4_maybe_commit).
 */
#include "ext4.h"

static uint32_t hslot(uint64_t blk)
{
	return (uint32_t)((blk * 0x9e3779b97f4a7c15ull) >> 40) & (EXT4_HASH_SIZE - 1);
}

void ext4_cache_init(struct vfs *fs)
{
	uint32_t n = EXT4_CACHE_BYTES / fs->bs;

	if (n > EXT4_CACHE_MAX_BUFS)
		n = EXT4_CACHE_MAX_BUFS;
	fs->nbufs = n;
	fs->tick = 0;
	for (uint32_t i = 0; i < EXT4_HASH_SIZE; i++)
		fs->hash[i] = -1;
	for (uint32_t i = 0; i < n; i++) {
		fs->bufs[i].data = fs->cache_mem + (size_t)i * fs->bs;
		fs->bufs[i].flags = 0;
		fs->bufs[i].ref = 0;
		fs->bufs[i].hnext = -1;
		fs->bufs[i].blk = 0;
		fs->bufs[i].lru = 0;
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
}

static int grab(struct vfs *fs, uint64_t blk, struct ext4_buf **out)
{
	struct ext4_buf *victim = NULL;

	for (uint32_t i = 0; i < fs->nbufs; i++) {
		struct ext4_buf *b = &fs->bufs[i];
		if (!(b->flags & BUF_VALID)) {
			victim = b;
			break;
		}
		if (b->ref || (b->flags & BUF_DIRTY))
			continue;
		if (!victim || (int32_t)(b->lru - victim->lru) < 0)
			victim = b;
	}
	if (!victim) {
		fs->broken = 1;	/* an operation may be half done in memory */
		return ext4_error(fs, -ENOMEM, "block cache exhausted");
	}
	if (victim->flags & BUF_VALID)
		unhash(fs, victim);
	victim->blk = blk;
	victim->flags = 0;
	victim->ref = 1;
	victim->lru = ++fs->tick;
	victim->hnext = fs->hash[hslot(blk)];
	fs->hash[hslot(blk)] = (int32_t)(victim - fs->bufs);
	*out = victim;
	return 0;
}

int ext4_bread(struct vfs *fs, uint64_t blk, struct ext4_buf **out)
{
	struct ext4_buf *b = lookup(fs, blk);
	int err;

	if (b) {
		b->ref++;
		b->lru = ++fs->tick;
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
		b->ref++;
		b->lru = ++fs->tick;
	} else {
		err = grab(fs, blk, &b);
		if (err)
			return err;
		b->flags = BUF_VALID;
	}
	memset(b->data, 0, fs->bs);
	b->flags |= BUF_CHECKED;
	*out = b;
	return 0;
}

void ext4_bput(struct vfs *fs, struct ext4_buf *b)
{
	(void)fs;
	if (b && b->ref)
		b->ref--;
}

void ext4_bdirty(struct vfs *fs, struct ext4_buf *b)
{
	if (!(b->flags & BUF_DIRTY)) {
		b->flags |= BUF_DIRTY;
		fs->ndirty++;
	}
	b->flags |= BUF_CHECKED;
}

/* The block was freed: whatever the cache holds for it must never reach the
 * disk (the block may become file data). */
void ext4_bforget(struct vfs *fs, uint64_t blk)
{
	struct ext4_buf *b = lookup(fs, blk);

	if (!b || b->ref)
		return;
	if (b->flags & BUF_DIRTY)
		fs->ndirty--;
	unhash(fs, b);
}
