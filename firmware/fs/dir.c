/*
 * Directories, linear and htree (hashed).
 *
 * Linear directories are scanned; readdir cookies are byte positions, which
 * inserts and deletes of other entries never move.
 *
 * Htree directories are searched and extended through their index: a full
 * leaf is split by hash (new block appended, index entry inserted), a full
 * index node is split, a full root grows the tree by one level. A linear
 * directory becomes an htree one when it outgrows its first block (as the
 * kernel does). Readdir cookies there are ((major hash >> 1) << 32 | minor
 * hash) + 1 of the last entry returned (below 2^63, as loff_t needs), which
 * leaf splits do not change. A directory
 * whose index this code cannot handle (unknown hash, too deep) is turned
 * back into a linear one on its first insert.
 */
#include "crc.h"
#include "ext4.h"

#define DE_INODE(p)	le32(p)
#define DE_RECLEN(p)	le16((p) + 4)
#define DE_NAMELEN(p)	((p)[6])
#define DE_TYPE(p)	((p)[7])
#define TAIL 12

static uint32_t rec_size(uint32_t namelen) { return (8 + namelen + 3) & ~3u; }

/*
 * The name cache: (directory, name) -> inode, 0 for "no such name", for
 * names up to DC_NAME bytes; direct-mapped, EXT4_DCACHE_SIZE entries.
 * Every change of a name goes through ext4_dir_add, _remove or _set below,
 * which drop that name's entry. An entry also holds the directory version
 * (ext4_icent.dver) it was made under and counts only while the directory's
 * inode cache entry still has it: a directory that leaves the inode cache
 * (freed, evicted, new mount, broken mount) comes back with a new version,
 * so nothing cached under an old life of its inode number survives. Like
 * the inode cache it sits outside struct vfs (the card's DTCM).
 */
#define DC_NAME 39

_Static_assert((EXT4_DCACHE_SIZE & (EXT4_DCACHE_SIZE - 1)) == 0, "EXT4_DCACHE_SIZE: a power of two");

struct dcent {
	uint32_t dir;		/* 0: free */
	uint32_t dver;
	uint32_t ino;		/* 0: the name is not there */
	uint8_t len;
	char name[DC_NAME];
};
static struct dcent dcpool[EXT4_MAX_MOUNTS][EXT4_DCACHE_SIZE];

void ext4_dcache_init(struct vfs *fs)
{
	memset(dcpool[fs->slot], 0, sizeof(dcpool[fs->slot]));
}

static struct dcent *dc_slot(struct vfs *fs, uint32_t dir, const char *name, size_t len)
{
	uint32_t h = dir * 0x9e3779b1u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)name[i]) * 0x01000193u;
	return &dcpool[fs->slot][(h ^ h >> 16) & (EXT4_DCACHE_SIZE - 1)];
}

/* 1 with the inode (0: no such name) when the cache knows, else 0. */
int ext4_dcache_find(struct vfs *fs, uint32_t dir, const char *name, size_t len, uint32_t *ino)
{
	struct dcent *e;
	const struct ext4_icent *d;

	if (len > DC_NAME)
		return 0;
	e = dc_slot(fs, dir, name, len);
	if (e->dir != dir || e->len != len || memcmp(e->name, name, len))
		return 0;
	d = ext4_icache_find(fs, dir);
	if (!d || d->dver != e->dver)
		return 0;
	*ino = e->ino;
	return 1;
}

void ext4_dcache_insert(struct vfs *fs, uint32_t dir, const char *name, size_t len, uint32_t ino)
{
	const struct ext4_icent *d = ext4_icache_find(fs, dir);
	struct dcent *e;

	if (!d || len > DC_NAME)
		return;
	e = dc_slot(fs, dir, name, len);
	e->dir = dir;
	e->dver = d->dver;
	e->ino = ino;
	e->len = (uint8_t)len;
	memcpy(e->name, name, len);
}

/* The name changes what it points to: its entry (found or "no such name")
 * goes. */
static void dc_forget(struct vfs *fs, uint32_t dir, const char *name, size_t len)
{
	struct dcent *e;

	if (len > DC_NAME)
		return;
	e = dc_slot(fs, dir, name, len);
	if (e->dir == dir && e->len == len && !memcmp(e->name, name, len))
		e->dir = 0;
}

/* The same for the entry at off of a directory block; an entry whose name
 * does not fit the block drops every name of the directory. */
static void dc_forget_at(struct vfs *fs, const struct ext4_inode *dir, const uint8_t *d, uint32_t off)
{
	if (off + 8 <= fs->bs && off + 8 + DE_NAMELEN(d + off) <= fs->bs)
		dc_forget(fs, dir->ino, (const char *)d + off + 8, DE_NAMELEN(d + off));
	else
		ext4_icache_dir_changed(fs, dir->ino);
}

uint8_t ext4_mode_to_ftype(uint32_t mode)
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
	if (!(ext4_i_flags(dir) & EXT4_INDEX_FL))
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

/* The dirent tail; its checksum (over the whole block) is left to the
 * commit (EXT4_CSUM_DIRLEAF), which may see many changes to the block. */
static void tail_set(struct vfs *fs, struct ext4_inode *dir, struct ext4_buf *b)
{
	uint8_t *t = b->data + fs->bs - TAIL;

	if (!fs->csum)
		return;
	memset(t, 0, TAIL);
	put16(t + 4, TAIL);
	t[7] = 0xde;
	b->csum_kind = EXT4_CSUM_DIRLEAF;
	b->csum_arg = ext4_inode_csum_seed(fs, dir);
}

/* Marks a block the directory changed itself: its entries stay checked. */
static void dir_bdirty(struct vfs *fs, struct ext4_inode *dir, struct ext4_buf *b)
{
	int keep = (b->flags & BUF_DIRCHK) && b->chk_ino == dir->ino;

	ext4_bdirty(fs, b);
	if (keep)
		b->flags |= BUF_DIRCHK;
	fs->dir_gen++;
}

static void block_dirty(struct vfs *fs, struct ext4_inode *dir, struct ext4_buf *b)
{
	dir_bdirty(fs, dir, b);
	tail_set(fs, dir, b);
}

static void dx_dirty(struct vfs *fs, struct ext4_inode *dir, struct ext4_buf *b, uint8_t *cl);

/* After an entry changed in place: block 0 of an htree (the index root,
 * holding "." and "..") carries the index checksum, not a dirent tail. */
static void entry_block_dirty(struct vfs *fs, struct ext4_inode *dir, uint32_t lblk, struct ext4_buf *b)
{
	if (lblk == 0 && is_dx_block(fs, dir, 0, b->data))
		dx_dirty(fs, dir, b, b->data + 32);
	else
		block_dirty(fs, dir, b);
}

static int check_block(struct vfs *fs, struct ext4_inode *dir, uint32_t lblk, const uint8_t *d, int csum)
{
	int dx = is_dx_block(fs, dir, lblk, d);
	uint32_t lim = limit_of(fs, dir, lblk, d), off = 0;

	if (csum && fs->csum && !dx) {
		const uint8_t *t = d + fs->bs - TAIL;
		if (le32(t) != 0 || le16(t + 4) != TAIL || t[6] != 0 || t[7] != 0xde)
			return -1;
		if (le32(t + 8) != ext4_crc32c_raw(ext4_inode_csum_seed(fs, dir), d, fs->bs - TAIL))
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

int ext4_dir_read_block(struct vfs *fs, struct ext4_inode *dir, uint32_t lblk, struct ext4_buf **out)
{
	uint64_t pblk;
	uint32_t len;
	int un, err = ext4_ext_map(fs, dir, lblk, &pblk, &len, &un);
	struct ext4_buf *b;

	if (err)
		return err;
	if (!pblk || un)
		return ext4_corrupt(fs, "hole in directory", dir->ino);
	err = ext4_bread(fs, pblk, &b);
	if (err)
		return err;
	if (!(b->flags & BUF_DIRCHK) || b->chk_ino != dir->ino || b->chk_lblk != lblk) {
		if (check_block(fs, dir, lblk, b->data, !(b->flags & BUF_CHECKED))) {
			ext4_bput(fs, b);
			return ext4_corrupt(fs, "directory block", pblk);
		}
		b->flags |= BUF_CHECKED | BUF_DIRCHK;
		b->chk_ino = dir->ino;
		b->chk_lblk = lblk;
	}
	*out = b;
	return 0;
}

static uint32_t dir_nblocks(struct vfs *fs, struct ext4_inode *dir)
{
	return (uint32_t)(ext4_i_size(dir) >> fs->log_bs);
}

/* Looks for name in directory block lb. 1 found, 0 not, <0 error. */
static int find_in_block(struct vfs *fs, struct ext4_inode *dir, uint32_t lb, const char *name,
			 size_t len, struct dir_loc *loc)
{
	struct ext4_buf *b;
	uint32_t off = 0, lim;
	int err = ext4_dir_read_block(fs, dir, lb, &b);

	if (err)
		return err;
	if (is_dx_block(fs, dir, lb, b->data) && lb != 0) {
		ext4_bput(fs, b);
		return 0;
	}
	lim = limit_of(fs, dir, lb, b->data);
	while (off < lim) {
		uint8_t *e = b->data + off;
		if (DE_INODE(e) && DE_NAMELEN(e) == len && !memcmp(e + 8, name, len)) {
			loc->lblk = lb;
			loc->off = off;
			loc->ino = DE_INODE(e);
			loc->ftype = DE_TYPE(e);
			ext4_bput(fs, b);
			return 1;
		}
		off += DE_RECLEN(e);
	}
	ext4_bput(fs, b);
	return 0;
}

static int dx_find(struct vfs *fs, struct ext4_inode *dir, const char *name, size_t len,
		   struct dir_loc *loc);

int ext4_dir_find(struct vfs *fs, struct ext4_inode *dir, const char *name, size_t len, struct dir_loc *loc)
{
	uint32_t n = dir_nblocks(fs, dir);

	if (len <= 2 && name[0] == '.' && (len == 1 || name[1] == '.')) {
		/* "." and ".." open block 0, also in an htree (outside the index) */
		int r = find_in_block(fs, dir, 0, name, len, loc);
		return r < 0 ? r : r ? 0 : ext4_corrupt(fs, "directory without . or ..", dir->ino);
	}
	if (ext4_i_flags(dir) & EXT4_INDEX_FL) {
		int err = dx_find(fs, dir, name, len, loc);
		if (err != -EOPNOTSUPP)
			return err;
	}
	for (uint32_t lb = 0; lb < n; lb++) {
		int r = find_in_block(fs, dir, lb, name, len, loc);
		if (r)
			return r < 0 ? r : 0;
	}
	return -ENOENT;
}

/* Turns an htree directory into a linear one (see the top of the file). */
static int dx_unindex(struct vfs *fs, struct ext4_inode *dir)
{
	uint32_t n = dir_nblocks(fs, dir);

	for (uint32_t lb = 0; lb < n; lb++) {
		struct ext4_buf *b;
		int err = ext4_dir_read_block(fs, dir, lb, &b);
		uint32_t end = fs->bs - (fs->csum ? TAIL : 0);

		if (err)
			return err;
		if (!is_dx_block(fs, dir, lb, b->data)) {
			ext4_bput(fs, b);
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
		ext4_bput(fs, b);
	}
	put32(dir->raw + I_FLAGS, ext4_i_flags(dir) & ~EXT4_INDEX_FL);
	return ext4_inode_write(fs, dir);
}

/* Puts the entry into block b if it has room: 0, or -ENOSPC. A block of
 * an indexed directory that looks like an index node is refused unless the
 * caller found it as a leaf through the index: without checksum tails an
 * emptied leaf (one unused entry spanning the block) looks exactly like an
 * index node, and refusing it made dx_add split a leaf with no entries and
 * fail with ENOSPC. */
static int insert_in_block(struct vfs *fs, struct ext4_inode *dir, uint32_t lb, struct ext4_buf *b,
			   const char *name, size_t len, uint32_t ino, uint8_t ft, int leaf)
{
	uint32_t need = rec_size((uint32_t)len), off = 0, lim = limit_of(fs, dir, lb, b->data);

	if (!leaf && is_dx_block(fs, dir, lb, b->data))
		return -ENOSPC;
	while (off < lim) {
		uint8_t *e = b->data + off;
		uint32_t rl = DE_RECLEN(e);
		uint32_t used = DE_INODE(e) ? rec_size(DE_NAMELEN(e)) : 0;
		if (rl >= used && rl - used >= need) {
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
			return 0;
		}
		off += rl;
	}
	return -ENOSPC;
}

/* Appends an empty block to the directory; returns it zeroed (not dirty). */
static int append_block(struct vfs *fs, struct ext4_inode *dir, uint32_t *lblk, struct ext4_buf **out)
{
	uint32_t n = dir_nblocks(fs, dir), got, l;
	uint64_t pblk = 0, goal = 0;
	int un, err;

	if (n && !ext4_ext_map(fs, dir, n - 1, &pblk, &l, &un) && pblk)
		goal = pblk + 1;
	err = ext4_alloc_blocks(fs, goal, 1, &pblk, &got);
	if (err)
		return err;
	err = ext4_ext_insert(fs, dir, n, pblk, 1, 0);
	if (err) {
		ext4_free_blocks(fs, pblk, 1);
		return err;
	}
	ext4_i_add_blocks(fs, dir, 1);
	ext4_i_set_size(dir, (uint64_t)(n + 1) * fs->bs);
	err = ext4_inode_write(fs, dir);
	if (!err)
		err = ext4_bget_zero(fs, pblk, out);
	if (err)
		return err;
	*lblk = n;
	return 0;
}

static int dx_add(struct vfs *fs, struct ext4_inode *dir, const char *name, size_t len,
		  uint32_t ino, uint8_t ft);
static int dx_make_indexed(struct vfs *fs, struct ext4_inode *dir);

int ext4_dir_add(struct vfs *fs, struct ext4_inode *dir, const char *name, size_t len, uint32_t ino, uint32_t mode)
{
	uint8_t ft = fs->filetype ? ext4_mode_to_ftype(mode) : 0;
	struct ext4_buf *b;
	uint32_t n, lb;
	int err;

	dc_forget(fs, dir->ino, name, len);
	if (ext4_i_flags(dir) & EXT4_INDEX_FL) {
		err = dx_add(fs, dir, name, len, ino, ft);
		if (err != -EOPNOTSUPP)
			return err;
		err = dx_unindex(fs, dir);
		if (err)
			return err;
	}
	n = dir_nblocks(fs, dir);
	for (lb = 0; lb < n; lb++) {
		err = ext4_dir_read_block(fs, dir, lb, &b);
		if (err)
			return err;
		err = insert_in_block(fs, dir, lb, b, name, len, ino, ft, 0);
		ext4_bput(fs, b);
		if (err != -ENOSPC)
			return err;
	}
	if (n == 1 && (fs->compat & COMPAT_DIR_INDEX)) {
		err = dx_make_indexed(fs, dir);
		if (err == 0)
			return dx_add(fs, dir, name, len, ino, ft);
		if (err != -EOPNOTSUPP)
			return err;
	}
	/* no room: append a block */
	err = append_block(fs, dir, &lb, &b);
	if (err)
		return err;
	put32(b->data, ino);
	put16(b->data + 4, fs->bs - (fs->csum ? TAIL : 0));
	b->data[6] = (uint8_t)len;
	b->data[7] = ft;
	memcpy(b->data + 8, name, len);
	block_dirty(fs, dir, b);
	ext4_bput(fs, b);
	return 0;
}

int ext4_dir_remove(struct vfs *fs, struct ext4_inode *dir, const struct dir_loc *loc)
{
	struct ext4_buf *b;
	uint32_t off = 0, prev = 0xffffffffu;
	int err = ext4_dir_read_block(fs, dir, loc->lblk, &b);

	if (err)
		return err;
	while (off < loc->off) {
		prev = off;
		off += DE_RECLEN(b->data + off);
	}
	if (off != loc->off) {
		ext4_bput(fs, b);
		return ext4_corrupt(fs, "directory entry moved", dir->ino);
	}
	dc_forget_at(fs, dir, b->data, off);
	if (prev != 0xffffffffu && !(is_dx_block(fs, dir, loc->lblk, b->data) && prev == 0)) {
		uint8_t *p = b->data + prev;
		put16(p + 4, DE_RECLEN(p) + DE_RECLEN(b->data + off));
	} else {
		put32(b->data + off, 0);
	}
	entry_block_dirty(fs, dir, loc->lblk, b);
	ext4_bput(fs, b);
	return 0;
}

int ext4_dir_set(struct vfs *fs, struct ext4_inode *dir, const struct dir_loc *loc, uint32_t ino, uint32_t mode)
{
	struct ext4_buf *b;
	int err = ext4_dir_read_block(fs, dir, loc->lblk, &b);

	if (err)
		return err;
	dc_forget_at(fs, dir, b->data, loc->off);
	put32(b->data + loc->off, ino);
	b->data[loc->off + 7] = fs->filetype ? ext4_mode_to_ftype(mode) : 0;
	entry_block_dirty(fs, dir, loc->lblk, b);
	ext4_bput(fs, b);
	return 0;
}

int ext4_dir_is_empty(struct vfs *fs, struct ext4_inode *dir)
{
	uint32_t n = dir_nblocks(fs, dir);

	for (uint32_t lb = 0; lb < n; lb++) {
		struct ext4_buf *b;
		uint32_t off = 0, lim;
		int err = ext4_dir_read_block(fs, dir, lb, &b);

		if (err)
			return err;
		if (is_dx_block(fs, dir, lb, b->data) && lb != 0) {
			ext4_bput(fs, b);
			continue;
		}
		lim = limit_of(fs, dir, lb, b->data);
		while (off < lim) {
			uint8_t *e = b->data + off;
			if (DE_INODE(e) && !(DE_NAMELEN(e) == 1 && e[8] == '.') &&
			    !(DE_NAMELEN(e) == 2 && e[8] == '.' && e[9] == '.')) {
				ext4_bput(fs, b);
				return 0;
			}
			off += DE_RECLEN(e);
		}
		ext4_bput(fs, b);
	}
	return 1;
}

int ext4_dir_init(struct vfs *fs, struct ext4_inode *dir, uint32_t parent)
{
	struct ext4_buf *b;
	uint64_t pblk;
	uint32_t got;
	int err = ext4_alloc_blocks(fs, fs->first_data_block + (uint64_t)((dir->ino - 1) / fs->ipg) * fs->bpg,
			       1, &pblk, &got);

	ext4_icache_dir_changed(fs, dir->ino);	/* a new directory: no names yet */
	if (err)
		return err;
	err = ext4_bget_zero(fs, pblk, &b);
	if (err) {
		ext4_free_blocks(fs, pblk, 1);
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
	ext4_bput(fs, b);
	err = ext4_ext_insert(fs, dir, 0, pblk, 1, 0);
	if (err) {
		ext4_free_blocks(fs, pblk, 1);
		return err;
	}
	ext4_i_add_blocks(fs, dir, 1);
	ext4_i_set_size(dir, fs->bs);
	return ext4_inode_write(fs, dir);
}

static const uint8_t dtype_of[8] = { 0, 8, 4, 2, 6, 1, 12, 10 };

static int dx_iterate(struct vfs *fs, struct ext4_inode *dir, uint64_t cookie, vfs_filldir_t fill, void *ctx);

static int hash_iterate(struct vfs *fs, struct ext4_inode *dir, uint64_t cookie, vfs_filldir_t fill, void *ctx);

int ext4_dir_iterate(struct vfs *fs, struct ext4_inode *dir, uint64_t cookie, vfs_filldir_t fill, void *ctx)
{
	uint32_t n = dir_nblocks(fs, dir);

	if (ext4_i_flags(dir) & EXT4_INDEX_FL) {
		int err = dx_iterate(fs, dir, cookie, fill, ctx);
		if (err != -EOPNOTSUPP)
			return err;
	}
	/* With dir_index, a linear directory may become an htree at any insert:
	 * its cookies are hash based too, so they survive the conversion. */
	if (fs->compat & COMPAT_DIR_INDEX)
		return hash_iterate(fs, dir, cookie, fill, ctx);

	for (uint32_t lb = (uint32_t)(cookie >> fs->log_bs); lb < n; lb++) {
		struct ext4_buf *b;
		uint64_t base = (uint64_t)lb * fs->bs;
		uint32_t off = 0, lim;
		int err = ext4_dir_read_block(fs, dir, lb, &b);

		if (err)
			return err;
		if (is_dx_block(fs, dir, lb, b->data) && lb != 0) {
			ext4_bput(fs, b);
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
				ext4_bput(fs, b);
				stop = fill(ctx, name, DE_NAMELEN(e), DE_INODE(e),
					    fs->filetype && DE_TYPE(e) < 8 ? dtype_of[DE_TYPE(e)] : 0, next);
				if (stop)
					return 0;
				err = ext4_dir_read_block(fs, dir, lb, &b);
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
		ext4_bput(fs, b);
	}
	return 0;
}

/* ------------------------------------------------------------------ htree */

#define DX_MAX_LEVELS 3
#define SB_FLAGS_UNSIGNED_HASH 0x2

struct dx_frame {
	struct ext4_buf *b;
	uint8_t *cl;		/* count/limit header; entry i at cl + 8*i */
	int at;			/* entry followed */
};

struct dx_path {
	int n;			/* frames in use: indirect levels + 1 */
	int version;
	uint32_t leaf;
	struct dx_frame f[DX_MAX_LEVELS];
};

static uint32_t dx_limit(const uint8_t *cl) { return le16(cl); }
static uint32_t dx_count(const uint8_t *cl) { return le16(cl + 2); }
static uint32_t dx_hash_at(const uint8_t *cl, uint32_t i) { return i ? le32(cl + 8 * i) : 0; }
static uint32_t dx_block_at(const uint8_t *cl, uint32_t i) { return le32(cl + 8 * i + 4) & 0x0fffffff; }
static uint32_t dx_tail(struct vfs *fs) { return fs->csum ? 8 : 0; }
static uint32_t dx_root_limit(struct vfs *fs) { return (fs->bs - 32 - dx_tail(fs)) / 8; }
static uint32_t dx_node_limit(struct vfs *fs) { return (fs->bs - 8 - dx_tail(fs)) / 8; }
static uint32_t dx_max_levels(struct vfs *fs) { return (fs->incompat & INCOMPAT_LARGEDIR) ? 3 : 2; }

static uint32_t dx_csum(struct vfs *fs, struct ext4_inode *dir, const uint8_t *data, const uint8_t *cl)
{
	uint32_t size = (uint32_t)(cl - data) + dx_count(cl) * 8;
	const uint8_t *t = cl + dx_limit(cl) * 8;
	uint8_t zero[4] = { 0, 0, 0, 0 };
	uint32_t c = ext4_crc32c_raw(ext4_inode_csum_seed(fs, dir), data, size);

	c = ext4_crc32c_raw(c, t, 4);
	return ext4_crc32c_raw(c, zero, 4);
}

static int dx_node_ok(struct vfs *fs, struct ext4_inode *dir, const uint8_t *data, const uint8_t *cl,
		      uint32_t want_limit)
{
	if (dx_limit(cl) != want_limit || dx_count(cl) == 0 || dx_count(cl) > dx_limit(cl))
		return 0;
	if (fs->csum && le32(cl + dx_limit(cl) * 8 + 4) != dx_csum(fs, dir, data, cl))
		return 0;
	return 1;
}

static void dx_dirty(struct vfs *fs, struct ext4_inode *dir, struct ext4_buf *b, uint8_t *cl)
{
	if (fs->csum) {
		uint8_t *t = cl + dx_limit(cl) * 8;
		put32(t, 0);
		put32(t + 4, dx_csum(fs, dir, b->data, cl));
	}
	dir_bdirty(fs, dir, b);
	b->csum_kind = EXT4_CSUM_NONE;	/* an index node now, whatever it was */
}

static void dx_release(struct vfs *fs, struct dx_path *p)
{
	for (int i = 0; i < p->n; i++)
		if (p->f[i].b)
			ext4_bput(fs, p->f[i].b);
	p->n = 0;
}

static int dx_name_hash(struct vfs *fs, int version, const char *name, size_t len,
			uint32_t *major, uint32_t *minor)
{
	uint32_t seed[4];

	for (int i = 0; i < 4; i++)
		seed[i] = le32(fs->sb + SB_HASH_SEED + 4 * i);
	return ext4_dx_hash(seed, version, name, len, major, minor);
}

static int dx_read_node(struct vfs *fs, struct ext4_inode *dir, uint32_t blk, struct dx_frame *f)
{
	struct ext4_buf *b;
	int err;

	if (blk == 0 || blk >= dir_nblocks(fs, dir))
		return ext4_corrupt(fs, "htree index points outside the directory", dir->ino);
	err = ext4_dir_read_block(fs, dir, blk, &b);
	if (err)
		return err;
	if (le32(b->data) != 0 || DE_RECLEN(b->data) != fs->bs ||
	    !dx_node_ok(fs, dir, b->data, b->data + 8, dx_node_limit(fs))) {
		ext4_bput(fs, b);
		return ext4_corrupt(fs, "htree index node", blk);
	}
	f->b = b;
	f->cl = b->data + 8;
	f->at = 0;
	return 0;
}

/* The hash version of an htree directory, with the superblock's char signedness. */
static int dx_version(struct vfs *fs, struct ext4_inode *dir, int *version)
{
	struct ext4_buf *b;
	int err = ext4_dir_read_block(fs, dir, 0, &b);

	if (err)
		return err;
	*version = b->data[28];
	ext4_bput(fs, b);
	if (*version <= 2 && (le32(fs->sb + SB_FLAGS) & SB_FLAGS_UNSIGNED_HASH))
		*version += 3;
	return *version > 5 ? -EOPNOTSUPP : 0;
}

/* Walks the index down to the leaf for hash. -EOPNOTSUPP: an index this
 * code does not handle (the caller falls back to a linear scan). */
static int dx_probe(struct vfs *fs, struct ext4_inode *dir, uint32_t hash, struct dx_path *p)
{
	struct ext4_buf *b;
	uint8_t *root;
	uint32_t levels;
	int err;

	p->n = 0;
	err = ext4_dir_read_block(fs, dir, 0, &b);
	if (err)
		return err;
	root = b->data;
	levels = root[30];
	p->version = root[28];
	if (p->version <= 2 && (le32(fs->sb + SB_FLAGS) & SB_FLAGS_UNSIGNED_HASH))
		p->version += 3;
	if (p->version > 5 || levels >= dx_max_levels(fs) || root[29] != 8 ||
	    !is_dx_block(fs, dir, 0, root)) {
		ext4_bput(fs, b);
		return -EOPNOTSUPP;
	}
	if (!dx_node_ok(fs, dir, root, root + 32, dx_root_limit(fs))) {
		ext4_bput(fs, b);
		return ext4_corrupt(fs, "htree root", dir->ino);
	}
	p->f[0].b = b;
	p->f[0].cl = root + 32;
	p->n = 1;
	for (uint32_t lv = 0;; lv++) {
		struct dx_frame *f = &p->f[lv];
		uint32_t lo = 1, hi = dx_count(f->cl), at = 0;
		/* last entry whose hash is <= hash */
		while (lo < hi) {
			uint32_t mid = (lo + hi) / 2;
			if (dx_hash_at(f->cl, mid) <= hash) {
				at = mid;
				lo = mid + 1;
			} else {
				hi = mid;
			}
		}
		f->at = (int)at;
		if (lv == levels) {
			p->leaf = dx_block_at(f->cl, at);
			if (p->leaf == 0 || p->leaf >= dir_nblocks(fs, dir)) {
				dx_release(fs, p);
				return ext4_corrupt(fs, "htree leaf outside the directory", dir->ino);
			}
			return 0;
		}
		err = dx_read_node(fs, dir, dx_block_at(f->cl, at), &p->f[lv + 1]);
		if (err) {
			dx_release(fs, p);
			return err;
		}
		p->n++;
	}
}

/* Moves to the next leaf in hash order. 1 moved (next_hash = the index hash
 * of the new position), 0 at the end, <0 error. */
static int dx_next(struct vfs *fs, struct ext4_inode *dir, struct dx_path *p, uint32_t *next_hash)
{
	int lv;

	for (lv = p->n - 1; lv >= 0; lv--)
		if ((uint32_t)p->f[lv].at + 1 < dx_count(p->f[lv].cl))
			break;
	if (lv < 0)
		return 0;
	p->f[lv].at++;
	*next_hash = dx_hash_at(p->f[lv].cl, (uint32_t)p->f[lv].at);
	for (; lv < p->n - 1; lv++) {
		int err;
		ext4_bput(fs, p->f[lv + 1].b);
		p->f[lv + 1].b = NULL;
		err = dx_read_node(fs, dir, dx_block_at(p->f[lv].cl, (uint32_t)p->f[lv].at), &p->f[lv + 1]);
		if (err)
			return err;
	}
	p->leaf = dx_block_at(p->f[p->n - 1].cl, (uint32_t)p->f[p->n - 1].at);
	if (p->leaf == 0 || p->leaf >= dir_nblocks(fs, dir))
		return ext4_corrupt(fs, "htree leaf outside the directory", dir->ino);
	return 1;
}

static int dx_find(struct vfs *fs, struct ext4_inode *dir, const char *name, size_t len,
		   struct dir_loc *loc)
{
	struct dx_path p;
	uint32_t h, minor, nh;
	int err;

	err = dx_version(fs, dir, &p.version);
	if (!err)
		err = dx_name_hash(fs, p.version, name, len, &h, &minor);
	if (!err)
		err = dx_probe(fs, dir, h, &p);
	if (err)
		return err;
	for (;;) {
		int r = find_in_block(fs, dir, p.leaf, name, len, loc);
		if (r) {
			dx_release(fs, &p);
			return r < 0 ? r : 0;
		}
		r = dx_next(fs, dir, &p, &nh);
		if (r <= 0 || (nh & ~1u) != h || !(nh & 1)) {
			dx_release(fs, &p);
			return r < 0 ? r : -ENOENT;
		}
	}
}

static void node_init(struct vfs *fs, uint8_t *d, uint32_t limit, uint32_t count)
{
	put32(d, 0);
	put16(d + 4, fs->bs);
	d[6] = 0;
	d[7] = 0;
	put16(d + 8, limit);
	put16(d + 10, count);
}

/* The bottom index node is full: split the lowest full node whose parent
 * has room, or give the root one more level. The caller probes again. */
static int dx_grow_index(struct vfs *fs, struct ext4_inode *dir, struct dx_path *p)
{
	struct ext4_buf *nb;
	uint32_t nl;
	int lv = p->n - 1, err;

	while (lv >= 0 && dx_count(p->f[lv].cl) >= dx_limit(p->f[lv].cl))
		lv--;
	if (lv < 0) {
		uint8_t *rcl = p->f[0].cl;
		uint32_t cnt = dx_count(rcl);
		if ((uint32_t)p->n >= dx_max_levels(fs))
			return ext4_error(fs, -ENOSPC, "directory index of inode %u is full", dir->ino);
		err = append_block(fs, dir, &nl, &nb);
		if (err)
			return err;
		memcpy(nb->data + 8, rcl, cnt * 8);
		node_init(fs, nb->data, dx_node_limit(fs), cnt);
		dx_dirty(fs, dir, nb, nb->data + 8);
		ext4_bput(fs, nb);
		put16(rcl + 2, 1);
		put32(rcl + 4, nl);
		memset(rcl + 8, 0, (cnt - 1) * 8);
		p->f[0].b->data[30]++;
		dx_dirty(fs, dir, p->f[0].b, rcl);
		return 0;
	}
	{
		struct dx_frame *parent = &p->f[lv], *child = &p->f[lv + 1];
		uint32_t cnt = dx_count(child->cl), m = cnt / 2, split = dx_hash_at(child->cl, m);
		uint32_t pc = dx_count(parent->cl), at = (uint32_t)parent->at;

		err = append_block(fs, dir, &nl, &nb);
		if (err)
			return err;
		memcpy(nb->data + 8, child->cl + 8 * m, (cnt - m) * 8);
		node_init(fs, nb->data, dx_node_limit(fs), cnt - m);
		dx_dirty(fs, dir, nb, nb->data + 8);
		ext4_bput(fs, nb);
		memset(child->cl + 8 * m, 0, (cnt - m) * 8);
		put16(child->cl + 2, m);
		dx_dirty(fs, dir, child->b, child->cl);
		memmove(parent->cl + 8 * (at + 2), parent->cl + 8 * (at + 1), 8 * (pc - at - 1));
		put32(parent->cl + 8 * (at + 1), split);
		put32(parent->cl + 8 * (at + 1) + 4, nl);
		put16(parent->cl + 2, pc + 1);
		dx_dirty(fs, dir, parent->b, parent->cl);
	}
	return 0;
}

static int dx_cmp_key(const struct dx_sort_ent *a, const struct dx_sort_ent *b)
{
	return a->key < b->key ? -1 : a->key > b->key;
}

static void dx_sort(struct dx_sort_ent *v, uint32_t n)
{
	for (uint32_t i = 1; i < n; i++) {
		struct dx_sort_ent t = v[i];
		uint32_t j = i;
		while (j > 0 && dx_cmp_key(&v[j - 1], &t) > 0) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = t;
	}
}

/* Collects the live entries of a leaf with their hash keys, sorted. */
static int dx_collect(struct vfs *fs, struct ext4_inode *dir, int version, uint32_t lb,
		      const uint8_t *d, uint32_t *count)
{
	uint32_t off = 0, lim = limit_of(fs, dir, lb, d), n = 0;

	while (off < lim) {
		const uint8_t *e = d + off;
		if (DE_INODE(e)) {
			uint32_t ma, mi;
			int err = dx_name_hash(fs, version, (const char *)e + 8, DE_NAMELEN(e), &ma, &mi);
			if (err)
				return err;
			fs->dxs[n].key = (uint64_t)(ma >> 1) << 32 | mi;
			fs->dxs[n].off = off;
			fs->dxs[n].size = rec_size(DE_NAMELEN(e));
			n++;
		}
		off += DE_RECLEN(e);
	}
	dx_sort(fs->dxs, n);
	*count = n;
	return 0;
}

/* Writes entries [from, to) of fs->dxs (taken from src) compactly into d. */
static void dx_fill_leaf(struct vfs *fs, uint8_t *d, const uint8_t *src, uint32_t from, uint32_t to)
{
	uint32_t off = 0, end = fs->bs - (fs->csum ? TAIL : 0), last = 0;

	memset(d, 0, end);
	for (uint32_t i = from; i < to; i++) {
		const uint8_t *e = src + fs->dxs[i].off;
		memcpy(d + off, e, 8 + DE_NAMELEN(e));
		put16(d + off + 4, fs->dxs[i].size);
		last = off;
		off += fs->dxs[i].size;
	}
	if (from == to)
		put16(d, end);	/* one empty entry spanning the block */
	else
		put16(d + last + 4, end - last);
}

/* Splits the full leaf p->leaf by hash into itself and a new block. */
static int dx_split_leaf(struct vfs *fs, struct ext4_inode *dir, struct dx_path *p)
{
	struct dx_frame *f = &p->f[p->n - 1];
	struct ext4_buf *b, *nb;
	uint32_t n, m, total = 0, acc = 0, split, nl, cnt = dx_count(f->cl), at = (uint32_t)f->at;
	int err = ext4_dir_read_block(fs, dir, p->leaf, &b);

	if (err)
		return err;
	err = dx_collect(fs, dir, p->version, p->leaf, b->data, &n);
	if (!err && n < 2)
		err = -ENOSPC;
	if (err) {
		ext4_bput(fs, b);
		return err;
	}
	for (uint32_t i = 0; i < n; i++)
		total += fs->dxs[i].size;
	for (m = 0; m < n - 1 && acc + fs->dxs[m].size <= total / 2; m++)
		acc += fs->dxs[m].size;
	if (m == 0)
		m = 1;
	split = (uint32_t)(fs->dxs[m].key >> 32) << 1;	/* keys hold major >> 1 */
	if ((uint32_t)(fs->dxs[m - 1].key >> 32) << 1 == split)
		split |= 1;	/* equal hashes continue in the next block */
	err = append_block(fs, dir, &nl, &nb);
	if (err) {
		ext4_bput(fs, b);
		return err;
	}
	memcpy(fs->scratch2, b->data, fs->bs);
	dx_fill_leaf(fs, nb->data, fs->scratch2, m, n);
	block_dirty(fs, dir, nb);
	ext4_bput(fs, nb);
	dx_fill_leaf(fs, b->data, fs->scratch2, 0, m);
	block_dirty(fs, dir, b);
	ext4_bput(fs, b);
	memmove(f->cl + 8 * (at + 2), f->cl + 8 * (at + 1), 8 * (cnt - at - 1));
	put32(f->cl + 8 * (at + 1), split);
	put32(f->cl + 8 * (at + 1) + 4, nl);
	put16(f->cl + 2, cnt + 1);
	dx_dirty(fs, dir, f->b, f->cl);
	return 0;
}

static int dx_add(struct vfs *fs, struct ext4_inode *dir, const char *name, size_t len,
		  uint32_t ino, uint8_t ft)
{
	for (int tries = 0; tries < 8; tries++) {
		struct dx_path p;
		struct ext4_buf *b;
		uint32_t h, minor;
		int err = dx_version(fs, dir, &p.version);

		if (!err)
			err = dx_name_hash(fs, p.version, name, len, &h, &minor);
		if (!err)
			err = dx_probe(fs, dir, h, &p);
		if (err)
			return err;
		err = ext4_dir_read_block(fs, dir, p.leaf, &b);
		if (!err) {
			err = insert_in_block(fs, dir, p.leaf, b, name, len, ino, ft, 1);
			ext4_bput(fs, b);
		}
		if (err != -ENOSPC) {
			dx_release(fs, &p);
			return err;
		}
		if (dx_count(p.f[p.n - 1].cl) >= dx_limit(p.f[p.n - 1].cl))
			err = dx_grow_index(fs, dir, &p);
		else
			err = dx_split_leaf(fs, dir, &p);
		dx_release(fs, &p);
		if (err)
			return err;
	}
	return ext4_corrupt(fs, "htree insert does not converge", dir->ino);
}

/* A one-block linear directory that is full becomes an htree: its entries
 * move to a new leaf, block 0 becomes the index root. */
static int dx_make_indexed(struct vfs *fs, struct ext4_inode *dir)
{
	struct ext4_buf *b, *nb;
	uint32_t nl, off, lim, dst = 0, last = 0, end = fs->bs - (fs->csum ? TAIL : 0);
	uint8_t *d;
	int version = fs->sb[SB_DEF_HASH_VERSION];
	int err = ext4_dir_read_block(fs, dir, 0, &b);

	if (err)
		return err;
	d = b->data;
	if (version > 2 || DE_RECLEN(d) != 12 || DE_NAMELEN(d) != 1 || d[8] != '.' ||
	    DE_NAMELEN(d + 12) != 2 || d[20] != '.' || d[21] != '.') {
		ext4_bput(fs, b);
		return -EOPNOTSUPP;
	}
	err = append_block(fs, dir, &nl, &nb);
	if (err) {
		ext4_bput(fs, b);
		return err;
	}
	lim = limit_of(fs, dir, 0, d);
	off = 12 + DE_RECLEN(d + 12);
	memset(nb->data, 0, end);
	for (; off < lim; off += DE_RECLEN(d + off)) {
		const uint8_t *e = d + off;
		if (!DE_INODE(e))
			continue;
		memcpy(nb->data + dst, e, 8 + DE_NAMELEN(e));
		put16(nb->data + dst + 4, rec_size(DE_NAMELEN(e)));
		last = dst;
		dst += rec_size(DE_NAMELEN(e));
	}
	if (dst)
		put16(nb->data + last + 4, end - last);
	else
		put16(nb->data, end);
	block_dirty(fs, dir, nb);
	ext4_bput(fs, nb);
	put16(d + 12 + 4, fs->bs - 12);
	memset(d + 24, 0, fs->bs - 24);
	d[28] = (uint8_t)version;
	d[29] = 8;
	put16(d + 32, dx_root_limit(fs));
	put16(d + 34, 1);
	put32(d + 36, nl);
	put32(dir->raw + I_FLAGS, ext4_i_flags(dir) | EXT4_INDEX_FL);
	dx_dirty(fs, dir, b, d + 32);
	ext4_bput(fs, b);
	return ext4_inode_write(fs, dir);
}

/* Readdir in hash order; see the top of the file for the cookies. */
static int emit_dots(struct vfs *fs, struct ext4_inode *dir, uint64_t *cookie, vfs_filldir_t fill, void *ctx);

static int dx_iterate(struct vfs *fs, struct ext4_inode *dir, uint64_t cookie, vfs_filldir_t fill, void *ctx)
{
	struct dx_path p;
	int err;

	err = emit_dots(fs, dir, &cookie, fill, ctx);
	if (err)
		return err < 0 ? err : 0;
restart:
	err = dx_probe(fs, dir, (uint32_t)(cookie >> 32) << 1, &p);
	if (err)
		return err;
	for (;;) {
		struct ext4_buf *b;
		uint32_t n, gen, nh;
		int r;

		err = ext4_dir_read_block(fs, dir, p.leaf, &b);
		if (err) {
			dx_release(fs, &p);
			return err;
		}
		err = dx_collect(fs, dir, p.version, p.leaf, b->data, &n);
		if (err) {
			ext4_bput(fs, b);
			dx_release(fs, &p);
			return err;
		}
		gen = ++fs->dir_gen;
		for (uint32_t i = 0; i < n; i++) {
			uint64_t key = fs->dxs[i].key < 2 ? 2 : fs->dxs[i].key;
			const uint8_t *e;
			char name[256];
			uint32_t ino;
			unsigned dt;
			if (key < cookie)
				continue;
			e = b->data + fs->dxs[i].off;
			memcpy(name, e + 8, DE_NAMELEN(e));
			name[DE_NAMELEN(e)] = 0;
			ino = DE_INODE(e);
			dt = fs->filetype && DE_TYPE(e) < 8 ? dtype_of[DE_TYPE(e)] : 0;
			cookie = key + 1;
			if (fill(ctx, name, DE_NAMELEN(e), ino, dt, cookie)) {
				ext4_bput(fs, b);
				dx_release(fs, &p);
				return 0;
			}
			if (fs->dir_gen != gen) {
				/* the callback changed a directory: look again */
				ext4_bput(fs, b);
				dx_release(fs, &p);
				goto restart;
			}
		}
		ext4_bput(fs, b);
		r = dx_next(fs, dir, &p, &nh);
		if (r <= 0) {
			dx_release(fs, &p);
			return r;
		}
	}
}

static int emit_dots(struct vfs *fs, struct ext4_inode *dir, uint64_t *cookie, vfs_filldir_t fill, void *ctx)
{
	if (*cookie == 0) {
		if (fill(ctx, ".", 1, dir->ino, 4, 1))
			return 1;
		*cookie = 1;
	}
	if (*cookie == 1) {
		struct dir_loc loc;
		int r = find_in_block(fs, dir, 0, "..", 2, &loc);
		if (r < 0)
			return r;
		if (r == 0)
			return ext4_corrupt(fs, "directory without ..", dir->ino);
		if (fill(ctx, "..", 2, loc.ino, 4, 2))
			return 1;
		*cookie = 2;
	}
	return 0;
}

#define HASH_BATCH 64

/*
 * Readdir of a linear directory in hash order (same cookies as an htree):
 * each pass scans the directory for the HASH_BATCH smallest keys at or past
 * the cookie. Linear directories are one block here (bigger ones become
 * htrees), so a pass is cheap.
 */
static int hash_iterate(struct vfs *fs, struct ext4_inode *dir, uint64_t cookie, vfs_filldir_t fill, void *ctx)
{
	uint32_t nb = dir_nblocks(fs, dir);
	int version = fs->sb[SB_DEF_HASH_VERSION], err;

	if (version > 2)
		version = 1;
	if (le32(fs->sb + SB_FLAGS) & SB_FLAGS_UNSIGNED_HASH)
		version += 3;
	err = emit_dots(fs, dir, &cookie, fill, ctx);
	if (err)
		return err < 0 ? err : 0;
	for (;;) {
		uint32_t n = 0, gen;

		for (uint32_t lb = 0; lb < nb; lb++) {
			struct ext4_buf *b;
			uint32_t off = 0, lim;
			err = ext4_dir_read_block(fs, dir, lb, &b);
			if (err)
				return err;
			lim = limit_of(fs, dir, lb, b->data);
			if (is_dx_block(fs, dir, lb, b->data) && lb != 0)
				lim = 0;
			while (off < lim) {
				const uint8_t *e = b->data + off;
				uint32_t nl = DE_NAMELEN(e), ma, mi, j;
				uint64_t key;
				off += DE_RECLEN(e);
				if (!DE_INODE(e) || (nl == 1 && e[8] == '.') || (nl == 2 && e[8] == '.' && e[9] == '.'))
					continue;
				err = dx_name_hash(fs, version, (const char *)e + 8, nl, &ma, &mi);
				if (err) {
					ext4_bput(fs, b);
					return err;
				}
				key = (uint64_t)(ma >> 1) << 32 | mi;
				if (key < 2)
					key = 2;
				if (key < cookie || (n == HASH_BATCH && key >= fs->dxs[n - 1].key))
					continue;
				j = n < HASH_BATCH ? n++ : n - 1;
				while (j > 0 && fs->dxs[j - 1].key > key) {
					fs->dxs[j] = fs->dxs[j - 1];
					j--;
				}
				fs->dxs[j].key = key;
				fs->dxs[j].off = (uint32_t)(e - b->data);
				fs->dxs[j].size = lb;
			}
			ext4_bput(fs, b);
		}
		if (n == 0)
			return 0;
		gen = ++fs->dir_gen;
		for (uint32_t i = 0; i < n; i++) {
			struct ext4_buf *b;
			const uint8_t *e;
			char name[256];
			uint32_t ino, nl;
			unsigned dt;
			err = ext4_dir_read_block(fs, dir, fs->dxs[i].size, &b);
			if (err)
				return err;
			e = b->data + fs->dxs[i].off;
			nl = DE_NAMELEN(e);
			memcpy(name, e + 8, nl);
			name[nl] = 0;
			ino = DE_INODE(e);
			dt = fs->filetype && DE_TYPE(e) < 8 ? dtype_of[DE_TYPE(e)] : 0;
			ext4_bput(fs, b);
			cookie = fs->dxs[i].key + 1;
			if (fill(ctx, name, nl, ino, dt, cookie))
				return 0;
			if (fs->dir_gen != gen)
				break;	/* the directory changed: scan again from the cookie */
		}
	}
}
