/*
 * Superblock, group descriptors, bitmaps and allocation; the clock.
 *
 * Blocks freed during a transaction are not returned to the bitmaps until the
 * transaction commits (ext4_apply_pending_frees): a block that the last committed
 * state still uses must not receive new file data, which is written in place
 * before the commit (ordered mode).
 */
#include "crc.h"
#include "ext4.h"

static vfs_clock_t clock_fn;
static vfs_clock_floor_t floor_fn;

void vfs_set_clock(vfs_clock_t clock)
{
	clock_fn = clock;
}

void vfs_set_clock_floor(vfs_clock_floor_t floor)
{
	floor_fn = floor;
}

void ext4_clock_floor(uint64_t sec, uint32_t nsec)
{
	if (floor_fn)
		floor_fn(sec, nsec);
}

void ext4_sb_set_time(struct vfs *fs, int off, int hi, uint64_t sec)
{
	put32(fs->sb + off, (uint32_t)sec);
	fs->sb[hi] = (uint8_t)(sec >> 32);
}

uint64_t ext4_sb_get_time(const struct vfs *fs, int off, int hi)
{
	return le32(fs->sb + off) | (uint64_t)fs->sb[hi] << 32;
}

void ext4_now(uint64_t *sec, uint32_t *nsec)
{
	*sec = 0;
	*nsec = 0;
	if (clock_fn)
		clock_fn(sec, nsec);
}

/* ---- group descriptors ---- */
uint8_t *ext4_gd_get(struct vfs *fs, uint32_t g, struct ext4_buf **b)
{
	uint64_t blk = fs->gdt_start + g / fs->desc_per_block;

	if (g >= fs->ngroups || ext4_bread(fs, blk, b))
		return NULL;
	return (*b)->data + (g % fs->desc_per_block) * fs->desc_size;
}

static uint64_t gd64(struct vfs *fs, const uint8_t *gd, int lo, int hi)
{
	uint64_t v = le32(gd + lo);

	if (fs->desc_size >= 64)
		v |= (uint64_t)le32(gd + hi) << 32;
	return v;
}

static uint32_t gd32(struct vfs *fs, const uint8_t *gd, int lo, int hi)
{
	uint32_t v = le16(gd + lo);

	if (fs->desc_size >= 64)
		v |= (uint32_t)le16(gd + hi) << 16;
	return v;
}

static void gd_put32(struct vfs *fs, uint8_t *gd, int lo, int hi, uint32_t v)
{
	put16(gd + lo, v & 0xffff);
	if (fs->desc_size >= 64)
		put16(gd + hi, v >> 16);
}

uint64_t ext4_gd_block_bitmap(struct vfs *fs, const uint8_t *gd)
{
	return gd64(fs, gd, GD_BLOCK_BITMAP, GD_BLOCK_BITMAP_HI);
}

uint64_t ext4_gd_inode_bitmap(struct vfs *fs, const uint8_t *gd)
{
	return gd64(fs, gd, GD_INODE_BITMAP, GD_INODE_BITMAP_HI);
}

uint64_t ext4_gd_inode_table(struct vfs *fs, const uint8_t *gd)
{
	return gd64(fs, gd, GD_INODE_TABLE, GD_INODE_TABLE_HI);
}

uint32_t ext4_gd_free_blocks(struct vfs *fs, const uint8_t *gd)
{
	return gd32(fs, gd, GD_FREE_BLOCKS, GD_FREE_BLOCKS_HI);
}

uint32_t ext4_gd_free_inodes(struct vfs *fs, const uint8_t *gd)
{
	return gd32(fs, gd, GD_FREE_INODES, GD_FREE_INODES_HI);
}

uint16_t ext4_gd_csum(struct vfs *fs, uint32_t g, const uint8_t *gd)
{
	uint8_t le_g[4];

	put32(le_g, g);
	if (fs->csum) {
		uint8_t zero[2] = { 0, 0 };
		uint32_t c = ext4_crc32c_raw(fs->csum_seed, le_g, 4);
		c = ext4_crc32c_raw(c, gd, GD_CHECKSUM);
		c = ext4_crc32c_raw(c, zero, 2);
		if (fs->desc_size > GD_CHECKSUM + 2)
			c = ext4_crc32c_raw(c, gd + GD_CHECKSUM + 2, fs->desc_size - GD_CHECKSUM - 2);
		return (uint16_t)(c & 0xffff);
	}
	if (fs->gdt_csum) {
		uint16_t c = ext4_crc16_raw(0xffff, fs->sb + SB_UUID, 16);
		c = ext4_crc16_raw(c, le_g, 4);
		c = ext4_crc16_raw(c, gd, GD_CHECKSUM);
		if (fs->desc_size > GD_CHECKSUM + 2)
			c = ext4_crc16_raw(c, gd + GD_CHECKSUM + 2, fs->desc_size - GD_CHECKSUM - 2);
		return c;
	}
	return 0;
}

void ext4_gd_dirty(struct vfs *fs, uint32_t g, uint8_t *gd, struct ext4_buf *b)
{
	if (fs->csum || fs->gdt_csum)
		put16(gd + GD_CHECKSUM, ext4_gd_csum(fs, g, gd));
	ext4_bdirty(fs, b);
}

uint64_t ext4_sb_free_blocks(struct vfs *fs)
{
	uint64_t v = le32(fs->sb + SB_FREE_BLOCKS_LO);

	if (fs->is64)
		v |= (uint64_t)le32(fs->sb + SB_FREE_BLOCKS_HI) << 32;
	return v;
}

void ext4_sb_set_free_blocks(struct vfs *fs, uint64_t v)
{
	put32(fs->sb + SB_FREE_BLOCKS_LO, (uint32_t)v);
	if (fs->is64)
		put32(fs->sb + SB_FREE_BLOCKS_HI, (uint32_t)(v >> 32));
	ext4_bdirty(fs, fs->sbbuf);
}

static void sb_add_free_inodes(struct vfs *fs, int32_t d)
{
	put32(fs->sb + SB_FREE_INODES, le32(fs->sb + SB_FREE_INODES) + (uint32_t)d);
	ext4_bdirty(fs, fs->sbbuf);
}

void ext4_sb_csum_set(struct vfs *fs)
{
	if (fs->csum)
		put32(fs->sb + SB_CHECKSUM, ext4_crc32c_raw(0xffffffffu, fs->sb, SB_CHECKSUM));
}

static int is_power(uint32_t g, uint32_t base)
{
	uint64_t p = base;

	while (p < g)
		p *= base;
	return p == g;
}

int ext4_group_has_super(struct vfs *fs, uint32_t g)
{
	if (g == 0)
		return 1;
	if (fs->compat & COMPAT_SPARSE_SUPER2)	/* the two groups the superblock names */
		return g == le32(fs->sb + SB_BACKUP_BGS) || g == le32(fs->sb + SB_BACKUP_BGS + 4);
	if (g == 1 || !(fs->ro_compat & RO_COMPAT_SPARSE_SUPER))
		return 1;
	if (!(g & 1))
		return 0;
	return is_power(g, 3) || is_power(g, 5) || is_power(g, 7);
}

static uint64_t group_first(struct vfs *fs, uint32_t g)
{
	return fs->first_data_block + (uint64_t)g * fs->bpg;
}

static uint32_t group_nblocks(struct vfs *fs, uint32_t g)
{
	uint64_t first = group_first(fs, g);
	uint64_t n = fs->blocks_count - first;

	return n > fs->bpg ? fs->bpg : (uint32_t)n;
}

static void bit_set(uint8_t *map, uint32_t i) { map[i >> 3] |= (uint8_t)(1u << (i & 7)); }
static void bit_clr(uint8_t *map, uint32_t i) { map[i >> 3] &= (uint8_t)~(1u << (i & 7)); }
static int bit_test(const uint8_t *map, uint32_t i) { return map[i >> 3] >> (i & 7) & 1; }

/* The first clear bit in [i, n), or n: whole bytes of set bits are skipped
 * at once (a bit at a time cost ~60 k cycles in a full group on the card). */
static uint32_t first_clear(const uint8_t *map, uint32_t i, uint32_t n)
{
	while (i < n && (i & 7) && bit_test(map, i))
		i++;
	while (i + 8 <= n && map[i >> 3] == 0xff)
		i += 8;
	while (i < n && bit_test(map, i))
		i++;
	return i;
}

static void bitmap_csums(struct vfs *fs, uint8_t *gd, const uint8_t *map, int inode)
{
	uint32_t c;

	if (!fs->csum)
		return;
	if (inode) {
		c = ext4_crc32c_raw(fs->csum_seed, map, fs->ipg / 8);
		put16(gd + GD_IB_CSUM_LO, c & 0xffff);
		if (fs->desc_size >= GD_IB_CSUM_HI + 2)
			put16(gd + GD_IB_CSUM_HI, c >> 16);
	} else {
		c = ext4_crc32c_raw(fs->csum_seed, map, fs->bpg / 8);
		put16(gd + GD_BB_CSUM_LO, c & 0xffff);
		if (fs->desc_size >= GD_BB_CSUM_HI + 2)
			put16(gd + GD_BB_CSUM_HI, c >> 16);
	}
}

/* A changed bitmap: dirty, its checksum left to the commit. */
static void bitmap_dirty(struct vfs *fs, struct ext4_buf *b, uint32_t g, int inode)
{
	if (fs->csum)
		ext4_bdirty_csum(fs, b, inode ? EXT4_CSUM_IBITMAP : EXT4_CSUM_BBITMAP, g);
	else
		ext4_bdirty(fs, b);
}

/* At commit: a bitmap's checksum into its group descriptor. */
int ext4_bitmap_csum_settle(struct vfs *fs, struct ext4_buf *b)
{
	uint32_t g = b->csum_arg;
	struct ext4_buf *gdb;
	uint8_t *gd;

	if (g >= fs->ngroups)
		return ext4_corrupt(fs, "bitmap of a group past the last", g);
	gd = ext4_gd_get(fs, g, &gdb);
	if (!gd)
		return -EIO;
	bitmap_csums(fs, gd, b->data, b->csum_kind == EXT4_CSUM_IBITMAP);
	ext4_gd_dirty(fs, g, gd, gdb);
	ext4_bput(fs, gdb);
	b->csum_kind = EXT4_CSUM_NONE;
	return 0;
}

static int bitmap_csum_ok(struct vfs *fs, const uint8_t *gd, const uint8_t *map, int inode)
{
	uint32_t c, want;

	if (!fs->csum)
		return 1;
	if (inode) {
		c = ext4_crc32c_raw(fs->csum_seed, map, fs->ipg / 8);
		want = le16(gd + GD_IB_CSUM_LO);
		if (fs->desc_size >= GD_IB_CSUM_HI + 2)
			want |= (uint32_t)le16(gd + GD_IB_CSUM_HI) << 16;
		else
			c &= 0xffff;
	} else {
		c = ext4_crc32c_raw(fs->csum_seed, map, fs->bpg / 8);
		want = le16(gd + GD_BB_CSUM_LO);
		if (fs->desc_size >= GD_BB_CSUM_HI + 2)
			want |= (uint32_t)le16(gd + GD_BB_CSUM_HI) << 16;
		else
			c &= 0xffff;
	}
	return c == want;
}

/* The block bitmap of group g, initialising a BLOCK_UNINIT one (which then
 * becomes part of the transaction). */
static int load_block_bitmap(struct vfs *fs, uint32_t g, uint8_t *gd, struct ext4_buf *gdb,
			     struct ext4_buf **out)
{
	uint64_t blk = ext4_gd_block_bitmap(fs, gd);
	uint64_t first = group_first(fs, g);
	uint32_t n = group_nblocks(fs, g);
	struct ext4_buf *b;
	int err;

	if (!(le16(gd + GD_FLAGS) & BG_BLOCK_UNINIT) || !(fs->csum || fs->gdt_csum)) {
		err = ext4_bread(fs, blk, &b);
		if (err)
			return err;
		if (!(b->flags & BUF_CHECKED)) {
			if (!bitmap_csum_ok(fs, gd, b->data, 0)) {
				ext4_bput(fs, b);
				return ext4_corrupt(fs, "block bitmap checksum", blk);
			}
			b->flags |= BUF_CHECKED;
		}
		*out = b;
		return 0;
	}
	err = ext4_bget_zero(fs, blk, &b);
	if (err)
		return err;
	if (ext4_group_has_super(fs, g)) {
		uint32_t meta = 1 + fs->gdt_blocks + le16(fs->sb + SB_RESERVED_GDT);
		for (uint32_t i = 0; i < meta && i < n; i++)
			bit_set(b->data, i);
	}
	for (uint32_t h = 0; h < fs->ngroups; h++) {
		struct ext4_buf *hb;
		uint8_t *hd = ext4_gd_get(fs, h, &hb);
		uint64_t loc[3];
		if (!hd) {
			ext4_bput(fs, b);
			return -EIO;
		}
		loc[0] = ext4_gd_block_bitmap(fs, hd);
		loc[1] = ext4_gd_inode_bitmap(fs, hd);
		loc[2] = ext4_gd_inode_table(fs, hd);
		ext4_bput(fs, hb);
		for (int k = 0; k < 3; k++) {
			uint64_t len = k == 2 ? ((uint64_t)fs->ipg * fs->isz + fs->bs - 1) / fs->bs : 1;
			for (uint64_t x = loc[k]; x < loc[k] + len; x++)
				if (x >= first && x < first + n)
					bit_set(b->data, (uint32_t)(x - first));
		}
	}
	for (uint32_t i = n; i < fs->bs * 8; i++)
		bit_set(b->data, i);
	put16(gd + GD_FLAGS, le16(gd + GD_FLAGS) & ~BG_BLOCK_UNINIT);
	bitmap_csums(fs, gd, b->data, 0);
	ext4_gd_dirty(fs, g, gd, gdb);
	ext4_bdirty(fs, b);
	*out = b;
	return 0;
}

static int load_inode_bitmap(struct vfs *fs, uint32_t g, uint8_t *gd, struct ext4_buf *gdb,
			     struct ext4_buf **out, int init)
{
	uint64_t blk = ext4_gd_inode_bitmap(fs, gd);
	struct ext4_buf *b;
	int err;

	if (!(le16(gd + GD_FLAGS) & BG_INODE_UNINIT) || !(fs->csum || fs->gdt_csum)) {
		err = ext4_bread(fs, blk, &b);
		if (err)
			return err;
		if (!(b->flags & BUF_CHECKED)) {
			if (!bitmap_csum_ok(fs, gd, b->data, 1)) {
				ext4_bput(fs, b);
				return ext4_corrupt(fs, "inode bitmap checksum", blk);
			}
			b->flags |= BUF_CHECKED;
		}
		*out = b;
		return 0;
	}
	if (!init) {
		*out = NULL;	/* all free */
		return 0;
	}
	err = ext4_bget_zero(fs, blk, &b);
	if (err)
		return err;
	for (uint32_t i = fs->ipg; i < fs->bs * 8; i++)
		bit_set(b->data, i);
	put16(gd + GD_FLAGS, le16(gd + GD_FLAGS) & ~BG_INODE_UNINIT);
	bitmap_csums(fs, gd, b->data, 1);
	ext4_gd_dirty(fs, g, gd, gdb);
	ext4_bdirty(fs, b);
	*out = b;
	return 0;
}

int ext4_alloc_blocks(struct vfs *fs, uint64_t goal, uint32_t want, uint64_t *start, uint32_t *got)
{
	uint32_t g0, start_bit = 0;
	uint64_t avail = ext4_sb_free_blocks(fs), keep = fs->dalloc_busy ? 0 : ext4_dalloc_resv(fs);

	/* what delayed blocks reserved is theirs (file.c gives it them) */
	if (avail <= keep)
		return -ENOSPC;
	if (want > avail - keep)
		want = (uint32_t)(avail - keep);
	if (goal < fs->first_data_block || goal >= fs->blocks_count)
		goal = fs->first_data_block;
	g0 = ext4_divmod(goal - fs->first_data_block, fs->bpg, &start_bit);
	for (uint32_t k = 0; k <= fs->ngroups; k++) {
		uint32_t g = (g0 + k) % fs->ngroups;
		struct ext4_buf *gdb, *bb;
		uint8_t *gd = ext4_gd_get(fs, g, &gdb);
		uint32_t n, i, run;
		int err;

		if (!gd)
			return -EIO;
		if (ext4_gd_free_blocks(fs, gd) == 0) {
			ext4_bput(fs, gdb);
			continue;
		}
		err = load_block_bitmap(fs, g, gd, gdb, &bb);
		if (err) {
			ext4_bput(fs, gdb);
			return err;
		}
		n = group_nblocks(fs, g);
		i = first_clear(bb->data, k == 0 ? start_bit : 0, n);
		if (i >= n && k == 0 && start_bit)
			i = first_clear(bb->data, 0, n);
		if (i >= n) {
			ext4_bput(fs, bb);
			ext4_bput(fs, gdb);
			continue;
		}
		for (run = 0; run < want && i + run < n && !bit_test(bb->data, i + run); run++)
			bit_set(bb->data, i + run);
		if (run > ext4_gd_free_blocks(fs, gd)) {
			ext4_bput(fs, bb);
			ext4_bput(fs, gdb);
			fs->broken = 1;
			return ext4_corrupt(fs, "group free block count", g);
		}
		if (ext4_sysz_hits(fs, group_first(fs, g) + i, run)) {
			ext4_bput(fs, bb);
			ext4_bput(fs, gdb);
			fs->broken = 1;	/* the bitmap says metadata is free */
			return ext4_corrupt(fs, "block bitmap frees filesystem metadata, group", g);
		}
		bitmap_dirty(fs, bb, g, 0);
		gd_put32(fs, gd, GD_FREE_BLOCKS, GD_FREE_BLOCKS_HI, ext4_gd_free_blocks(fs, gd) - run);
		ext4_gd_dirty(fs, g, gd, gdb);
		ext4_sb_set_free_blocks(fs, ext4_sb_free_blocks(fs) - run);
		ext4_bput(fs, bb);
		ext4_bput(fs, gdb);
		*start = group_first(fs, g) + i;
		*got = run;
		ext4_bforget_range(fs, *start, run);
		return 0;
	}
	return -ENOSPC;
}

static int free_now(struct vfs *fs, uint64_t start, uint32_t len)
{
	while (len) {
		uint32_t bit, g = ext4_divmod(start - fs->first_data_block, fs->bpg, &bit);
		uint32_t n = fs->bpg - bit;
		struct ext4_buf *gdb, *bb;
		uint8_t *gd;
		int err;

		if (n > len)
			n = len;
		if (start < fs->first_data_block || start + n > fs->blocks_count)
			return ext4_corrupt(fs, "freeing a block outside the filesystem", start);
		gd = ext4_gd_get(fs, g, &gdb);
		if (!gd)
			return -EIO;
		err = load_block_bitmap(fs, g, gd, gdb, &bb);
		if (err) {
			ext4_bput(fs, gdb);
			return err;
		}
		/* whole bytes at a time where the range covers them (a 1 MiB
		 * file is 256 to 1024 bits) */
		for (uint32_t i = 0; i < n;) {
			uint32_t b = bit + i;
			if (!(b & 7) && n - i >= 8 && bb->data[b >> 3] == 0xff) {
				bb->data[b >> 3] = 0;
				i += 8;
				continue;
			}
			if (!bit_test(bb->data, b)) {
				ext4_bput(fs, bb);
				ext4_bput(fs, gdb);
				return ext4_corrupt(fs, "freeing a free block", start + i);
			}
			bit_clr(bb->data, b);
			i++;
		}
		bitmap_dirty(fs, bb, g, 0);
		gd_put32(fs, gd, GD_FREE_BLOCKS, GD_FREE_BLOCKS_HI, ext4_gd_free_blocks(fs, gd) + n);
		ext4_gd_dirty(fs, g, gd, gdb);
		ext4_sb_set_free_blocks(fs, ext4_sb_free_blocks(fs) + n);
		ext4_bput(fs, bb);
		ext4_bput(fs, gdb);
		start += n;
		len -= n;
	}
	return 0;
}

int ext4_apply_pending_frees(struct vfs *fs)
{
	int err = 0;

	for (uint32_t i = 0; i < fs->npend && !err; i++)
		err = free_now(fs, fs->pend[i].blk, fs->pend[i].len);
	fs->npend = 0;
	if (err)
		fs->broken = 1;
	return err;
}

void ext4_free_blocks(struct vfs *fs, uint64_t start, uint32_t len)
{
	struct pending_free *last = fs->npend ? &fs->pend[fs->npend - 1] : NULL;

	ext4_bforget_range(fs, start, len);
	if (last && last->blk + last->len == start && last->len + (uint64_t)len < 0x80000000u) {
		last->len += len;
		return;
	}
	if (fs->npend == EXT4_MAX_PENDING_FREE) {
		/* Table full: return them now; this transaction may then reuse
		 * them (documented limit of the ordering guarantee). */
		if (ext4_apply_pending_frees(fs) || free_now(fs, start, len))
			fs->broken = 1;
		return;
	}
	fs->pend[fs->npend].blk = start;
	fs->pend[fs->npend].len = len;
	fs->npend++;
}

int ext4_alloc_inode(struct vfs *fs, uint32_t parent, int is_dir, uint32_t *ino)
{
	uint32_t g0 = parent ? (parent - 1) / fs->ipg : 0;

	if (le32(fs->sb + SB_FREE_INODES) == 0)
		return -ENOSPC;
	for (uint32_t k = 0; k < fs->ngroups; k++) {
		uint32_t g = (g0 + k) % fs->ngroups;
		struct ext4_buf *gdb, *ib;
		uint8_t *gd = ext4_gd_get(fs, g, &gdb);
		uint32_t i = 0, unused;
		int err;

		if (!gd)
			return -EIO;
		if (ext4_gd_free_inodes(fs, gd) == 0) {
			ext4_bput(fs, gdb);
			continue;
		}
		err = load_inode_bitmap(fs, g, gd, gdb, &ib, 1);
		if (err) {
			ext4_bput(fs, gdb);
			return err;
		}
		if (g == 0)
			i = fs->first_ino - 1;
		i = first_clear(ib->data, i, fs->ipg);
		if (i >= fs->ipg) {
			ext4_bput(fs, ib);
			ext4_bput(fs, gdb);
			continue;
		}
		bit_set(ib->data, i);
		bitmap_dirty(fs, ib, g, 1);
		gd_put32(fs, gd, GD_FREE_INODES, GD_FREE_INODES_HI, ext4_gd_free_inodes(fs, gd) - 1);
		if (is_dir)
			gd_put32(fs, gd, GD_USED_DIRS, GD_USED_DIRS_HI,
				 gd32(fs, gd, GD_USED_DIRS, GD_USED_DIRS_HI) + 1);
		if (fs->csum || fs->gdt_csum) {
			unused = gd32(fs, gd, GD_ITABLE_UNUSED, GD_ITABLE_UNUSED_HI);
			if (i >= fs->ipg - unused)
				gd_put32(fs, gd, GD_ITABLE_UNUSED, GD_ITABLE_UNUSED_HI, fs->ipg - i - 1);
		}
		ext4_gd_dirty(fs, g, gd, gdb);
		sb_add_free_inodes(fs, -1);
		ext4_bput(fs, ib);
		ext4_bput(fs, gdb);
		*ino = g * fs->ipg + i + 1;
		return 0;
	}
	return -ENOSPC;
}

int ext4_free_inode(struct vfs *fs, uint32_t ino, int is_dir)
{
	uint32_t g = (ino - 1) / fs->ipg, i = (ino - 1) % fs->ipg;
	struct ext4_buf *gdb, *ib;
	uint8_t *gd = ext4_gd_get(fs, g, &gdb);
	int err;

	if (!gd)
		return -EIO;
	err = load_inode_bitmap(fs, g, gd, gdb, &ib, 1);
	if (err) {
		ext4_bput(fs, gdb);
		return err;
	}
	if (!bit_test(ib->data, i)) {
		ext4_bput(fs, ib);
		ext4_bput(fs, gdb);
		return ext4_corrupt(fs, "freeing a free inode", ino);
	}
	bit_clr(ib->data, i);
	bitmap_dirty(fs, ib, g, 1);
	gd_put32(fs, gd, GD_FREE_INODES, GD_FREE_INODES_HI, ext4_gd_free_inodes(fs, gd) + 1);
	if (is_dir)
		gd_put32(fs, gd, GD_USED_DIRS, GD_USED_DIRS_HI,
			 gd32(fs, gd, GD_USED_DIRS, GD_USED_DIRS_HI) - 1);
	ext4_gd_dirty(fs, g, gd, gdb);
	sb_add_free_inodes(fs, 1);
	ext4_bput(fs, ib);
	ext4_bput(fs, gdb);
	return 0;
}

int ext4_inode_allocated(struct vfs *fs, uint32_t ino)
{
	uint32_t g, i;
	struct ext4_buf *gdb, *ib;
	uint8_t *gd;
	int ret;

	if (ino < 1 || ino > fs->inodes_count)
		return 0;
	g = (ino - 1) / fs->ipg;
	i = (ino - 1) % fs->ipg;
	gd = ext4_gd_get(fs, g, &gdb);
	if (!gd)
		return -EIO;
	ret = load_inode_bitmap(fs, g, gd, gdb, &ib, 0);
	ext4_bput(fs, gdb);
	if (ret)
		return ret;
	if (!ib)
		return 0;
	ret = bit_test(ib->data, i);
	ext4_bput(fs, ib);
	return ret;
}
