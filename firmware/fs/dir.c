/*
 * Directories. Entries are found by a linear scan (htree directories are
 * read through their leaves). Inserting into an htree directory first turns
 * it into a plain linear one (index blocks become empty entry blocks, the
 * index flag is cleared): always valid ext4, and the leaves do not move, so
 * readdir cookies (byte positions) stay stable.
 */
#include "crc.h"
#include "ext4.h"

#define DE_INODE(p)	le32(p)
#define DE_RECLEN(p)	le16((p) + 4)
#define DE_NAMELEN(p)	((p)[6])
#define DE_TYPE(p)	((p)[7])
#define TAIL 12

static uint32_t rec_size(uint32_t namelen) { return (8 + namelen + 3) & ~3u; }

uint8_t mode_to_ftype(uint32_t mode)
{
	switch (mode & S_IFMT_) {
	case S_IFREG_: return 1;
	case S_IFDIR_: return 2;
	case S_IFCHR_: return 3;
	case S_IFBLK_: return 4;
	case S_IFIFO_: return 5;
	case S_IFSOCK_: return 6;
	case S_IFLNK_: return 7;
	}
	return 0;
}

static int is_dx_block(struct vfs *fs, struct ext4_inode *dir, uint32_t lblk, const uint8_t *d)
{
	if (!(i_flags(dir) & EXT4_INDEX_FL))
		return 0;
	if (lblk == 0)
		return DE_RECLEN(d) == 12 && DE_RECLEN(d + 12) == fs->bs - 12;
	return DE_INODE(d) == 0 && DE_RECLEN(d) == fs->bs;
}

/* End of the entry area of a block. */
static uint32_t limit_of(struct vfs *fs, struct ext4_inode *dir, uint32_t lblk, const uint8_t *d)
{
	if (fs->csum && !is_dx_block(fs, dir, lblk, d))
		return fs->bs - TAIL;
	return fs->bs;
}

static void tail_set(struct vfs *fs, struct ext4_inode *dir, uint8_t *d)
{
	uint8_t *t = d + fs->bs - TAIL;

	if (!fs->csum)
		return;
	memset(t, 0, TAIL);
	put16(t + 4, TAIL);
	t[7] = 0xde;
	put32(t + 8, crc32c_raw(inode_csum_seed(fs, dir), d, fs->bs - TAIL));
}

static void block_dirty(struct vfs *fs, struct ext4_inode *dir, struct ext4_buf *b)
{
	tail_set(fs, dir, b->data);
	bdirty(fs, b);
}

static int check_block(struct vfs *fs, struct ext4_inode *dir, uint32_t lblk, const uint8_t *d)
{
	int dx = is_dx_block(fs, dir, lblk, d);
	uint32_t lim = limit_of(fs, dir, lblk, d), off = 0;

	if (fs->csum && !dx) {
		const uint8_t *t = d + fs->bs - TAIL;
		if (le32(t) != 0 || le16(t + 4) != TAIL || t[6] != 0 || t[7] != 0xde)
			return -1;
		if (le32(t + 8) != crc32c_raw(inode_csum_seed(fs, dir), d, fs->bs - TAIL))
			return -1;
	}
	if (dx && lblk != 0)
		return 0;
	while (off < lim) {
		const uint8_t *e = d + off;
		uint32_t rl = DE_RECLEN(e);
		if (off + 8 > lim || rl < 8 || (rl & 3) || off + rl > lim)
			return -1;
		if (DE_INODE(e) && (rl < rec_size(DE_NAMELEN(e)) || DE_NAMELEN(e) == 0 ||
				    DE_INODE(e) > fs->inodes_count))
			return -1;
		if (dx && off == 12)
			break;
		off += rl;
	}
	return 0;
}

int dir_read_block(struct vfs *fs, struct ext4_inode *dir, uint32_t lblk, struct ext4_buf **out)
{
	uint64_t pblk;
	uint32_t len;
	int un, err = ext_map(fs, dir, lblk, &pblk, &len, &un);
	struct ext4_buf *b;

	if (err)
		return err;
	if (!pblk || un)
		return ext4_corrupt(fs, "hole in directory", dir->ino);
	err = bread(fs, pblk, &b);
	if (err)
		return err;
	if (!(b->flags & BUF_CHECKED)) {
		if (check_block(fs, dir, lblk, b->data)) {
			bput(fs, b);
			return ext4_corrupt(fs, "directory block", pblk);
		}
		b->flags |= BUF_CHECKED;
	}
	*out = b;
	return 0;
}

static uint32_t dir_nblocks(struct vfs *fs, struct ext4_inode *dir)
{
	return (uint32_t)(i_size(dir) / fs->bs);
}

int dir_find(struct vfs *fs, struct ext4_inode *dir, const char *name, size_t len, struct dir_loc *loc)
{
	uint32_t n = dir_nblocks(fs, dir);

	for (uint32_t lb = 0; lb < n; lb++) {
		struct ext4_buf *b;
		uint32_t off = 0, lim;
		int err = dir_read_block(fs, dir, lb, &b);

		if (err)
			return err;
		if (is_dx_block(fs, dir, lb, b->data) && lb != 0) {
			bput(fs, b);
			continue;
		}
		lim = limit_of(fs, dir, lb, b->data);
		while (off < lim) {
			uint8_t *e = b->data + off;
			if (DE_INODE(e) && DE_NAMELEN(e) == len && !memcmp(e + 8, name, len)) {
				loc->lblk = lb;
				loc->off = off;
				loc->ino = DE_INODE(e);
				loc->ftype = DE_TYPE(e);
				bput(fs, b);
				return 0;
			}
			off += DE_RECLEN(e);
		}
		bput(fs, b);
	}
	return -ENOENT;
}

/* Turns an htree directory into a linear one (see the top of the file). */
static int dx_unindex(struct vfs *fs, struct ext4_inode *dir)
{
	uint32_t n = dir_nblocks(fs, dir);

	for (uint32_t lb = 0; lb < n; lb++) {
		struct ext4_buf *b;
		int err = dir_read_block(fs, dir, lb, &b);
		uint32_t end = fs->bs - (fs->csum ? TAIL : 0);

		if (err)
			return err;
		if (!is_dx_block(fs, dir, lb, b->data)) {
			bput(fs, b);
			continue;
		}
		if (lb == 0) {
			memset(b->data + 24, 0, fs->bs - 24);
			put16(b->data + 12 + 4, end - 12);
		} else {
			memset(b->data, 0, fs->bs);
			put16(b->data + 4, end);
		}
		block_dirty(fs, dir, b);
		bput(fs, b);
	}
	put32(dir->raw + I_FLAGS, i_flags(dir) & ~EXT4_INDEX_FL);
	return inode_write(fs, dir);
}

int dir_add(struct vfs *fs, struct ext4_inode *dir, const char *name, size_t len, uint32_t ino, uint32_t mode)
{
	uint32_t need = rec_size((uint32_t)len), n;
	uint8_t ft = fs->filetype ? mode_to_ftype(mode) : 0;
	struct ext4_buf *b;
	uint64_t pblk;
	uint32_t got;
	int err;

	if (i_flags(dir) & EXT4_INDEX_FL) {
		err = dx_unindex(fs, dir);
		if (err)
			return err;
	}
	n = dir_nblocks(fs, dir);
	for (uint32_t lb = 0; lb < n; lb++) {
		uint32_t off = 0, lim;

		err = dir_read_block(fs, dir, lb, &b);
		if (err)
			return err;
		lim = limit_of(fs, dir, lb, b->data);
		while (off < lim) {
			uint8_t *e = b->data + off;
			uint32_t rl = DE_RECLEN(e);
			uint32_t used = DE_INODE(e) ? rec_size(DE_NAMELEN(e)) : 0;
			if (rl - used >= need) {
				if (used) {
					put16(e + 4, used);
					e += used;
					put16(e + 4, rl - used);
				}
				put32(e, ino);
				e[6] = (uint8_t)len;
				e[7] = ft;
				memcpy(e + 8, name, len);
				block_dirty(fs, dir, b);
				bput(fs, b);
				return 0;
			}
			off += rl;
		}
		bput(fs, b);
	}
	/* no room: append a block */
	{
		uint64_t goal = 0;
		uint32_t l;
		int un;
		if (n && !ext_map(fs, dir, n - 1, &pblk, &l, &un) && pblk)
			goal = pblk + 1;
		err = alloc_blocks(fs, goal, 1, &pblk, &got);
		if (err)
			return err;
	}
	err = bget_zero(fs, pblk, &b);
	if (err) {
		free_blocks(fs, pblk, 1);
		return err;
	}
	put32(b->data, ino);
	put16(b->data + 4, fs->bs - (fs->csum ? TAIL : 0));
	b->data[6] = (uint8_t)len;
	b->data[7] = ft;
	memcpy(b->data + 8, name, len);
	block_dirty(fs, dir, b);
	bput(fs, b);
	err = ext_insert(fs, dir, n, pblk, 1, 0);
	if (err) {
		bforget(fs, pblk);
		free_blocks(fs, pblk, 1);
		return err;
	}
	i_add_blocks(fs, dir, 1);
	i_set_size(dir, (uint64_t)(n + 1) * fs->bs);
	return inode_write(fs, dir);
}

int dir_remove(struct vfs *fs, struct ext4_inode *dir, const struct dir_loc *loc)
{
	struct ext4_buf *b;
	uint32_t off = 0, prev = 0xffffffffu;
	int err = dir_read_block(fs, dir, loc->lblk, &b);

	if (err)
		return err;
	while (off < loc->off) {
		prev = off;
		off += DE_RECLEN(b->data + off);
	}
	if (off != loc->off) {
		bput(fs, b);
		return ext4_corrupt(fs, "directory entry moved", dir->ino);
	}
	if (prev != 0xffffffffu && !(is_dx_block(fs, dir, loc->lblk, b->data) && prev == 0)) {
		uint8_t *p = b->data + prev;
		put16(p + 4, DE_RECLEN(p) + DE_RECLEN(b->data + off));
	} else {
		put32(b->data + off, 0);
	}
	block_dirty(fs, dir, b);
	bput(fs, b);
	return 0;
}

int dir_set(struct vfs *fs, struct ext4_inode *dir, const struct dir_loc *loc, uint32_t ino, uint32_t mode)
{
	struct ext4_buf *b;
	int err = dir_read_block(fs, dir, loc->lblk, &b);

	if (err)
		return err;
	put32(b->data + loc->off, ino);
	b->data[loc->off + 7] = fs->filetype ? mode_to_ftype(mode) : 0;
	block_dirty(fs, dir, b);
	bput(fs, b);
	return 0;
}

int dir_is_empty(struct vfs *fs, struct ext4_inode *dir)
{
	uint32_t n = dir_nblocks(fs, dir);

	for (uint32_t lb = 0; lb < n; lb++) {
		struct ext4_buf *b;
		uint32_t off = 0, lim;
		int err = dir_read_block(fs, dir, lb, &b);

		if (err)
			return err;
		if (is_dx_block(fs, dir, lb, b->data) && lb != 0) {
			bput(fs, b);
			continue;
		}
		lim = limit_of(fs, dir, lb, b->data);
		while (off < lim) {
			uint8_t *e = b->data + off;
			if (DE_INODE(e) && !(DE_NAMELEN(e) == 1 && e[8] == '.') &&
			    !(DE_NAMELEN(e) == 2 && e[8] == '.' && e[9] == '.')) {
				bput(fs, b);
				return 0;
			}
			off += DE_RECLEN(e);
		}
		bput(fs, b);
	}
	return 1;
}

int dir_init(struct vfs *fs, struct ext4_inode *dir, uint32_t parent)
{
	struct ext4_buf *b;
	uint64_t pblk;
	uint32_t got;
	int err = alloc_blocks(fs, fs->first_data_block + (uint64_t)((dir->ino - 1) / fs->ipg) * fs->bpg,
			       1, &pblk, &got);

	if (err)
		return err;
	err = bget_zero(fs, pblk, &b);
	if (err) {
		free_blocks(fs, pblk, 1);
		return err;
	}
	put32(b->data, dir->ino);
	put16(b->data + 4, 12);
	b->data[6] = 1;
	b->data[7] = fs->filetype ? 2 : 0;
	b->data[8] = '.';
	put32(b->data + 12, parent);
	put16(b->data + 16, fs->bs - 12 - (fs->csum ? TAIL : 0));
	b->data[18] = 2;
	b->data[19] = fs->filetype ? 2 : 0;
	b->data[20] = '.';
	b->data[21] = '.';
	block_dirty(fs, dir, b);
	bput(fs, b);
	err = ext_insert(fs, dir, 0, pblk, 1, 0);
	if (err) {
		free_blocks(fs, pblk, 1);
		return err;
	}
	i_add_blocks(fs, dir, 1);
	i_set_size(dir, fs->bs);
	return inode_write(fs, dir);
}

static const uint8_t dtype_of[8] = { 0, 8, 4, 2, 6, 1, 12, 10 };

int dir_iterate(struct vfs *fs, struct ext4_inode *dir, uint64_t cookie, vfs_filldir_t fill, void *ctx)
{
	uint32_t n = dir_nblocks(fs, dir);

	for (uint32_t lb = (uint32_t)(cookie / fs->bs); lb < n; lb++) {
		struct ext4_buf *b;
		uint64_t base = (uint64_t)lb * fs->bs;
		uint32_t off = 0, lim;
		int err = dir_read_block(fs, dir, lb, &b);

		if (err)
			return err;
		if (is_dx_block(fs, dir, lb, b->data) && lb != 0) {
			bput(fs, b);
			continue;
		}
		lim = limit_of(fs, dir, lb, b->data);
		while (off < lim) {
			uint8_t *e = b->data + off;
			uint32_t rl = DE_RECLEN(e);
			if (DE_INODE(e) && base + off >= cookie) {
				uint64_t next = base + off + rl;
				char name[256];
				int stop;
				if (off + rl >= lim)
					next = base + fs->bs;
				memcpy(name, e + 8, DE_NAMELEN(e));
				name[DE_NAMELEN(e)] = 0;
				/* the callback may call back into the filesystem */
				bput(fs, b);
				stop = fill(ctx, name, DE_NAMELEN(e), DE_INODE(e),
					    fs->filetype && DE_TYPE(e) < 8 ? dtype_of[DE_TYPE(e)] : 0, next);
				if (stop)
					return 0;
				err = dir_read_block(fs, dir, lb, &b);
				if (err)
					return err;
				cookie = next;
				off = 0;	/* the block may have changed: rescan */
				continue;
			}
			if (is_dx_block(fs, dir, lb, b->data) && off == 12)
				break;
			off += rl;
		}
		bput(fs, b);
	}
	return 0;
}
