/*
 * Inode table access, inode checksums, field helpers, and the in-core inode
 * cache.
 *
 * The cache keeps, for up to EXT4_ICACHE_SIZE inodes, the attributes as
 * vfs_attr carries them and whether the inode has no xattrs at all. An inode
 * enters it only after vfs.c's iget() has checked it (allocated, checksum,
 * mode, extent root), so an inode found in it is read without those checks
 * again; ext4_inode_write() re-decodes the entry of every inode it writes,
 * so the entry matches the inode in the block cache (whose dirty buffers
 * are never dropped before they commit), except for the size and times a
 * WRITE left in it (EXT4_IC_STALE, ext4_inode_defer), newer than the
 * block's until the commit puts them in. Freed inodes leave it
 * (ext4_icache_drop), a new mount starts it empty, and a broken mount does
 * not use it. Replacement is CLOCK over a fixed array hashed by inode
 * number. The pool sits outside struct vfs, so that the card keeps it in the
 * DTCM while the big mount state lives in card memory.
 */
#include "crc.h"
#include "ext4.h"

#define XATTR_IBODY_MAGIC 0xea020000u	/* in-inode xattr area header */
#define IC_NONE 0xffffu

_Static_assert((EXT4_ICACHE_SIZE & (EXT4_ICACHE_SIZE - 1)) == 0 && EXT4_ICACHE_SIZE < IC_NONE,
	       "EXT4_ICACHE_SIZE: a power of two below 65535");

struct icache {
	/* inode location: shifts where the geometry is a power of two */
	uint8_t ipg_log;	/* log2(inodes per group), or 0xff: divide */
	uint8_t ipb_log;	/* log2(inodes per block) */
	uint8_t isz_log;	/* log2(inode size) */
	uint32_t dver;		/* last directory version handed out */
	uint32_t hand;		/* CLOCK hand */
	int intx;		/* some entry may carry EXT4_IC_INTX */
	/* the last group whose inode table inode_loc looked up: a table never
	 * moves while mounted, and a file's requests stay in one group */
	uint32_t memo_g;
	uint64_t memo_table;
	uint16_t head[EXT4_ICACHE_SIZE];
	struct ext4_icent ent[EXT4_ICACHE_SIZE];
	uint16_t next[EXT4_ICACHE_SIZE];
	uint8_t ref[EXT4_ICACHE_SIZE];
};
static struct icache icpool[EXT4_MAX_MOUNTS];

static uint32_t log2_exact(uint32_t v)
{
	uint32_t l = 0;

	if (!v || (v & (v - 1)))
		return 0xff;
	while ((1u << l) != v)
		l++;
	return l;
}

void ext4_icache_init(struct vfs *fs)
{
	struct icache *c = &icpool[fs->slot];

	memset(c, 0, sizeof(*c));
	memset(c->head, 0xff, sizeof(c->head));
	c->ipg_log = (uint8_t)log2_exact(fs->ipg);
	c->isz_log = (uint8_t)log2_exact(fs->isz);
	c->ipb_log = (uint8_t)(fs->log_bs - c->isz_log);
	c->memo_g = 0xffffffffu;
}

static uint32_t ic_slot(uint32_t ino)
{
	return (ino * 0x9e3779b1u) >> 16 & (EXT4_ICACHE_SIZE - 1);
}

static struct ext4_icent *ic_lookup(struct icache *c, uint32_t ino)
{
	for (uint32_t i = c->head[ic_slot(ino)]; i != IC_NONE; i = c->next[i])
		if (c->ent[i].ino == ino) {
			c->ref[i] = 1;
			return &c->ent[i];
		}
	return NULL;
}

const struct ext4_icent *ext4_icache_find(struct vfs *fs, uint32_t ino)
{
	if (fs->broken)
		return NULL;
	return ic_lookup(&icpool[fs->slot], ino);
}

static void ic_unhash(struct icache *c, uint32_t i)
{
	uint16_t *pp = &c->head[ic_slot(c->ent[i].ino)];

	while (*pp != IC_NONE && *pp != i)
		pp = &c->next[*pp];
	if (*pp == i)
		*pp = c->next[i];
	c->ent[i].ino = 0;
}

/* No entries in the in-inode xattr area and no xattr block. */
static int ic_noxattr(struct vfs *fs, const struct ext4_inode *ip)
{
	uint32_t s;

	if (ext4_i_file_acl(ip))
		return 0;
	if (fs->isz <= EXT4_GOOD_OLD_INODE_SIZE)
		return 1;
	s = EXT4_GOOD_OLD_INODE_SIZE + ext4_i_extra_isize(fs, ip);
	return s + 8 > fs->isz || le32(ip->raw + s) != XATTR_IBODY_MAGIC || le32(ip->raw + s + 4) == 0;
}

/* From ip, the inode as it is now: nothing deferred is left (no STALE). */
static void ic_fill(struct vfs *fs, struct ext4_icent *e, const struct ext4_inode *ip)
{
	ext4_inode_attr(fs, ip, &e->attr);
	e->flags = (e->flags & EXT4_IC_INTX) | (ic_noxattr(fs, ip) ? EXT4_IC_NOXATTR : 0);
}

/* The size and times a deferred WRITE left in the entry, into ip. */
static void ic_apply(struct vfs *fs, const struct ext4_icent *e, struct ext4_inode *ip)
{
	ext4_i_set_size(ip, e->attr.size);
	ext4_i_set_time(fs, ip, I_MTIME, I_MTIME_EXTRA, e->attr.mtime, e->attr.mtimensec);
	ext4_i_set_time(fs, ip, I_CTIME, I_CTIME_EXTRA, e->attr.ctime, e->attr.ctimensec);
}

/* A STALE entry's inode into its buffer (the read merges, the write clears
 * STALE). The buffer is dirty in the open transaction (INTX), hence cached:
 * only the group descriptor read may fail, and then the mount breaks. */
static int ic_flush(struct vfs *fs, struct ext4_icent *e)
{
	struct ext4_inode t;
	int err = ext4_inode_read(fs, e->ino, &t);

	if (!err)
		err = ext4_inode_write(fs, &t);
	if (err)
		fs->broken = 1;
	return err;
}

void ext4_icache_insert(struct vfs *fs, const struct ext4_inode *ip)
{
	struct icache *c = &icpool[fs->slot];
	struct ext4_icent *e = ic_lookup(c, ip->ino);
	uint32_t i, h;

	if (fs->broken)
		return;
	if (!e) {
		/* CLOCK: the first entry not used since the hand last passed */
		for (;;) {
			i = c->hand;
			c->hand = (c->hand + 1) & (EXT4_ICACHE_SIZE - 1);
			if (!c->ent[i].ino || !c->ref[i])
				break;
			c->ref[i] = 0;
		}
		if (c->ent[i].ino && (c->ent[i].flags & EXT4_IC_STALE) && ic_flush(fs, &c->ent[i]))
			return;
		if (c->ent[i].ino)
			ic_unhash(c, i);
		e = &c->ent[i];
		e->ino = ip->ino;
		e->flags = 0;
		e->dver = ++c->dver;	/* names cached under an older one are gone */
		h = ic_slot(ip->ino);
		c->next[i] = c->head[h];
		c->head[h] = (uint16_t)i;
		c->ref[i] = 1;
	}
	ic_fill(fs, e, ip);
}

void ext4_icache_drop(struct vfs *fs, uint32_t ino)
{
	struct icache *c = &icpool[fs->slot];
	struct ext4_icent *e = ic_lookup(c, ino);

	if (e)
		ic_unhash(c, (uint32_t)(e - c->ent));
}

/* The directory's entries changed: every name cached under it is stale. */
void ext4_icache_dir_changed(struct vfs *fs, uint32_t dir)
{
	struct icache *c = &icpool[fs->slot];
	struct ext4_icent *e = ic_lookup(c, dir);

	if (e)
		e->dver = ++c->dver;
}

/* Without divides where the geometry allows (inodes per group a power of
 * two: mke2fs's usual choice), 32-bit ones otherwise. */
static int inode_loc(struct vfs *fs, uint32_t ino, uint64_t *blk, uint32_t *off)
{
	struct icache *c = &icpool[fs->slot];
	uint32_t g, idx;
	struct ext4_buf *gdb;
	uint8_t *gd;

	if (ino < 1 || ino > fs->inodes_count)
		return -ESTALE;
	if (c->ipg_log != 0xff) {
		g = (ino - 1) >> c->ipg_log;
		idx = (ino - 1) & (fs->ipg - 1);
	} else {
		g = (ino - 1) / fs->ipg;
		idx = (ino - 1) - g * fs->ipg;
	}
	if (g != c->memo_g) {
		gd = ext4_gd_get(fs, g, &gdb);
		if (!gd)
			return -EIO;
		c->memo_table = ext4_gd_inode_table(fs, gd);
		c->memo_g = g;
		ext4_bput(fs, gdb);
	}
	*blk = c->memo_table + (idx >> c->ipb_log);
	*off = (idx & ((1u << c->ipb_log) - 1)) << c->isz_log;
	return 0;
}

uint32_t ext4_i_extra_isize(struct vfs *fs, const struct ext4_inode *ip)
{
	if (fs->isz <= EXT4_GOOD_OLD_INODE_SIZE)
		return 0;
	return le16(ip->raw + I_EXTRA_ISIZE);
}

uint32_t ext4_inode_csum_seed(struct vfs *fs, const struct ext4_inode *ip)
{
	uint8_t v[4];
	uint32_t c;

	put32(v, ip->ino);
	c = ext4_crc32c_raw(fs->csum_seed, v, 4);
	return ext4_crc32c_raw(c, ip->raw + I_GENERATION, 4);
}

static uint32_t inode_csum(struct vfs *fs, const struct ext4_inode *ip)
{
	uint8_t zero[2] = { 0, 0 };
	uint32_t c = ext4_inode_csum_seed(fs, ip);
	int has_hi = fs->isz > EXT4_GOOD_OLD_INODE_SIZE &&
		     EXT4_GOOD_OLD_INODE_SIZE + ext4_i_extra_isize(fs, ip) >= I_CSUM_HI + 2;

	c = ext4_crc32c_raw(c, ip->raw, I_CSUM_LO);
	c = ext4_crc32c_raw(c, zero, 2);
	c = ext4_crc32c_raw(c, ip->raw + I_CSUM_LO + 2, EXT4_GOOD_OLD_INODE_SIZE - I_CSUM_LO - 2);
	if (fs->isz > EXT4_GOOD_OLD_INODE_SIZE) {
		c = ext4_crc32c_raw(c, ip->raw + EXT4_GOOD_OLD_INODE_SIZE, I_CSUM_HI - EXT4_GOOD_OLD_INODE_SIZE);
		if (has_hi) {
			c = ext4_crc32c_raw(c, zero, 2);
			c = ext4_crc32c_raw(c, ip->raw + I_CSUM_HI + 2, fs->isz - I_CSUM_HI - 2);
		} else {
			c = ext4_crc32c_raw(c, ip->raw + I_CSUM_HI, fs->isz - I_CSUM_HI);
		}
	}
	if (!has_hi)
		c &= 0xffff;
	return c;
}

/* Whether slot s of inode table block b changed since its checksum was. */
static void time_fit(struct vfs *fs, const struct ext4_inode *ip, int extra, uint64_t *sec, uint32_t *nsec);

static int csum_pending(const struct ext4_buf *b, uint32_t s)
{
	return b->csum_kind == EXT4_CSUM_INODES && (b->csum_arg >> s & 1);
}

int ext4_inode_read(struct vfs *fs, uint32_t ino, struct ext4_inode *ip)
{
	uint64_t blk;
	uint32_t off;
	struct ext4_buf *b;
	const struct ext4_icent *e;
	int pending, err = inode_loc(fs, ino, &blk, &off);

	if (err)
		return err;
	err = ext4_bread(fs, blk, &b);
	if (err)
		return err;
	ip->ino = ino;
	memcpy(ip->raw, b->data + off, fs->isz);
	pending = csum_pending(b, off / fs->isz);
	ext4_bput(fs, b);
	if (fs->isz > EXT4_GOOD_OLD_INODE_SIZE &&
	    EXT4_GOOD_OLD_INODE_SIZE + ext4_i_extra_isize(fs, ip) > fs->isz)
		return ext4_corrupt(fs, "inode extra size", ino);
	e = ic_lookup(&icpool[fs->slot], ino);
	if (e && (e->flags & EXT4_IC_STALE))
		ic_apply(fs, e, ip);
	/* an inode in the in-core cache was verified when it entered it; one
	 * written since the commit holds our bytes, its sum not yet */
	if (fs->csum && !pending && (!e || fs->broken)) {
		uint32_t want = le16(ip->raw + I_CSUM_LO);
		if (fs->isz > EXT4_GOOD_OLD_INODE_SIZE &&
		    EXT4_GOOD_OLD_INODE_SIZE + ext4_i_extra_isize(fs, ip) >= I_CSUM_HI + 2)
			want |= (uint32_t)le16(ip->raw + I_CSUM_HI) << 16;
		if (want != inode_csum(fs, ip))
			return ext4_corrupt(fs, "inode checksum", ino);
	}
	return 0;
}

static void csum_set(struct vfs *fs, struct ext4_inode *ip)
{
	uint32_t c = inode_csum(fs, ip);

	put16(ip->raw + I_CSUM_LO, c & 0xffff);
	if (fs->isz > EXT4_GOOD_OLD_INODE_SIZE &&
	    EXT4_GOOD_OLD_INODE_SIZE + ext4_i_extra_isize(fs, ip) >= I_CSUM_HI + 2)
		put16(ip->raw + I_CSUM_HI, c >> 16);
}

void ext4_inode_csum_settle(struct vfs *fs, struct ext4_buf *b)
{
	struct ext4_inode t;

	for (uint32_t s = 0, mask = b->csum_arg; mask; s++, mask >>= 1) {
		uint8_t *raw = b->data + s * fs->isz;

		if (!(mask & 1))
			continue;
		t.ino = b->csum_ino + s;
		memcpy(t.raw, raw, fs->isz);
		csum_set(fs, &t);
		memcpy(raw + I_CSUM_LO, t.raw + I_CSUM_LO, 2);
		if (fs->isz > I_CSUM_HI + 2)
			memcpy(raw + I_CSUM_HI, t.raw + I_CSUM_HI, 2);
	}
	b->csum_kind = EXT4_CSUM_NONE;
}

/*
 * The inode goes into its table block. Its checksum (256 bytes through
 * crc32c: ~1 400 instructions on the host, a few hundred on the card's
 * CRC instruction) is left to the commit, like the bitmaps': a file written
 * 4 KiB at a time changes its inode at every WRITE, and only the commit
 * needs the sum. The block records which of its inodes changed
 * (EXT4_CSUM_INODES, up to 32 a block); a read of one of them before the
 * commit trusts its bytes (ours) instead of the stale sum. Without copy,
 * the block is only made part of the transaction: a deferred WRITE's
 * (ext4_inode_defer), whose bytes the commit puts in first.
 */
static int inode_put(struct vfs *fs, struct ext4_inode *ip, int copy)
{
	uint64_t blk;
	uint32_t off, slot;
	struct ext4_buf *b;
	int err = inode_loc(fs, ip->ino, &blk, &off);

	if (err)
		return err;
	err = ext4_bread(fs, blk, &b);
	if (err)
		return err;
	slot = off / fs->isz;
	if (fs->csum && fs->bs / fs->isz <= 32 &&
	    (b->csum_kind == EXT4_CSUM_NONE || b->csum_kind == EXT4_CSUM_INODES)) {
		uint32_t mask = b->csum_kind == EXT4_CSUM_INODES ? b->csum_arg : 0;

		if (copy)
			memcpy(b->data + off, ip->raw, fs->isz);
		ext4_bdirty_csum(fs, b, EXT4_CSUM_INODES, mask | 1u << slot);
		b->csum_ino = ip->ino - slot;
	} else {
		if (copy && fs->csum)
			csum_set(fs, ip);
		if (copy)
			memcpy(b->data + off, ip->raw, fs->isz);
		ext4_bdirty(fs, b);
	}
	ext4_bput(fs, b);
	return 0;
}

int ext4_inode_write(struct vfs *fs, struct ext4_inode *ip)
{
	struct icache *c = &icpool[fs->slot];
	struct ext4_icent *e;
	int err = inode_put(fs, ip, 1);

	if (err)
		return err;
	fs->iseq++;
	e = ic_lookup(c, ip->ino);
	if (e) {
		e->flags |= EXT4_IC_INTX;
		c->intx = 1;
		ic_fill(fs, e, ip);
	}
	return 0;
}

/*
 * A file written 4 KiB at a time changes its size and times at every WRITE;
 * copying the inode into its buffer and decoding it again into the cache
 * entry cost ~560 host instructions of a 2 800-instruction WRITE. A WRITE
 * that changed nothing else keeps its size and times in the entry only
 * (STALE); the inode's block only has to be in the open transaction (INTX:
 * dirty, so the commit journals it), which the first such WRITE of a
 * transaction makes it, without copying anything. Whatever reads the inode
 * gets them merged (ext4_inode_read); the commit puts them into the buffer
 * before it sums and journals it (ext4_inode_flush), as does the entry's
 * eviction. So the buffer is exact whenever it reaches the journal, and
 * the sum is computed at the commit as before.
 */
int ext4_inode_defer(struct vfs *fs, struct ext4_inode *ip)
{
	struct icache *c = &icpool[fs->slot];
	struct ext4_icent *e = ic_lookup(c, ip->ino);
	uint64_t s;
	uint32_t ns;

	if (fs->broken || !e)
		return 0;
	if (!(e->flags & EXT4_IC_INTX)) {	/* the block joins the transaction */
		if (inode_put(fs, ip, 0))
			return 0;
		e->flags |= EXT4_IC_INTX;
		c->intx = 1;
	}
	ext4_now(&s, &ns);
	e->attr.size = ext4_i_size(ip);
	e->attr.mtime = e->attr.ctime = s;
	e->attr.mtimensec = e->attr.ctimensec = ns;
	time_fit(fs, ip, I_MTIME_EXTRA, &e->attr.mtime, &e->attr.mtimensec);
	time_fit(fs, ip, I_CTIME_EXTRA, &e->attr.ctime, &e->attr.ctimensec);
	e->flags |= EXT4_IC_STALE;
	return 1;
}

/* At the commit: no entry is STALE, and none INTX (the transaction that
 * holds their buffers is the one committing). */
int ext4_inode_flush(struct vfs *fs)
{
	struct icache *c = &icpool[fs->slot];
	int err = 0;

	if (!c->intx)
		return 0;
	for (uint32_t i = 0; i < EXT4_ICACHE_SIZE; i++) {
		struct ext4_icent *e = &c->ent[i];

		if (e->ino && (e->flags & EXT4_IC_STALE) && !err)
			err = ic_flush(fs, e);
		e->flags &= ~(uint32_t)(EXT4_IC_INTX | EXT4_IC_STALE);
	}
	c->intx = 0;
	return err;
}

/* The attributes of an inode as vfs_attr carries them. */
void ext4_inode_attr(struct vfs *fs, const struct ext4_inode *ip, struct vfs_attr *a)
{
	uint32_t t;

	memset(a, 0, sizeof(*a));
	a->ino = ip->ino;
	a->size = ext4_i_size(ip);
	a->blocks = ext4_i_blocks(fs, ip);
	ext4_i_get_time(fs, ip, I_ATIME, I_ATIME_EXTRA, &a->atime, &a->atimensec);
	ext4_i_get_time(fs, ip, I_MTIME, I_MTIME_EXTRA, &a->mtime, &a->mtimensec);
	ext4_i_get_time(fs, ip, I_CTIME, I_CTIME_EXTRA, &a->ctime, &a->ctimensec);
	a->mode = ext4_i_mode(ip);
	a->nlink = ext4_i_nlink(ip);
	a->uid = le16(ip->raw + I_UID) | (uint32_t)le16(ip->raw + I_UID_HI) << 16;
	a->gid = le16(ip->raw + I_GID) | (uint32_t)le16(ip->raw + I_GID_HI) << 16;
	t = a->mode & S_IFMT_;
	if (t == S_IFCHR_ || t == S_IFBLK_)
		a->rdev = le32(ip->raw + I_BLOCK) ? le32(ip->raw + I_BLOCK) : le32(ip->raw + I_BLOCK + 4);
	a->blksize = fs->bs;
	a->generation = le32(ip->raw + I_GENERATION);
}

uint64_t ext4_i_size(const struct ext4_inode *ip)
{
	return le32(ip->raw + I_SIZE_LO) | (uint64_t)le32(ip->raw + I_SIZE_HI) << 32;
}

void ext4_i_set_size(struct ext4_inode *ip, uint64_t sz)
{
	put32(ip->raw + I_SIZE_LO, (uint32_t)sz);
	put32(ip->raw + I_SIZE_HI, (uint32_t)(sz >> 32));
}

uint32_t ext4_i_mode(const struct ext4_inode *ip) { return le16(ip->raw + I_MODE); }
uint32_t ext4_i_nlink(const struct ext4_inode *ip) { return le16(ip->raw + I_LINKS); }
void ext4_i_set_nlink(struct ext4_inode *ip, uint32_t n) { put16(ip->raw + I_LINKS, n); }
uint32_t ext4_i_flags(const struct ext4_inode *ip) { return le32(ip->raw + I_FLAGS); }

uint64_t ext4_i_blocks(struct vfs *fs, const struct ext4_inode *ip)
{
	uint64_t v = le32(ip->raw + I_BLOCKS_LO) | (uint64_t)le16(ip->raw + I_BLOCKS_HI) << 32;

	if (ext4_i_flags(ip) & EXT4_HUGE_FILE_FL)
		v *= fs->spb;
	return v;
}

/* Adds fsblocks filesystem blocks (may be negative) to i_blocks. */
void ext4_i_add_blocks(struct vfs *fs, struct ext4_inode *ip, int64_t fsblocks)
{
	fs->iseq++;
	uint64_t v = le32(ip->raw + I_BLOCKS_LO) | (uint64_t)le16(ip->raw + I_BLOCKS_HI) << 32;

	if (ext4_i_flags(ip) & EXT4_HUGE_FILE_FL)
		v += (uint64_t)fsblocks;
	else
		v += (uint64_t)(fsblocks * fs->spb);
	put32(ip->raw + I_BLOCKS_LO, (uint32_t)v);
	put16(ip->raw + I_BLOCKS_HI, (uint32_t)(v >> 32) & 0xffff);
}

uint64_t ext4_i_file_acl(const struct ext4_inode *ip)
{
	return le32(ip->raw + I_FILE_ACL_LO) | (uint64_t)le16(ip->raw + I_FILE_ACL_HI) << 32;
}

void ext4_i_set_file_acl(struct ext4_inode *ip, uint64_t b)
{
	put32(ip->raw + I_FILE_ACL_LO, (uint32_t)b);
	put16(ip->raw + I_FILE_ACL_HI, (uint32_t)(b >> 32) & 0xffff);
}

static int has_field(struct vfs *fs, const struct ext4_inode *ip, int extra)
{
	return extra && fs->isz > EXT4_GOOD_OLD_INODE_SIZE &&
	       EXT4_GOOD_OLD_INODE_SIZE + ext4_i_extra_isize(fs, ip) >= (uint32_t)extra + 4;
}

void ext4_i_set_time(struct vfs *fs, struct ext4_inode *ip, int off, int extra, uint64_t sec, uint32_t nsec)
{
	int64_t s = (int64_t)sec;
	int32_t lo = (int32_t)(uint32_t)s;

	put32(ip->raw + off, (uint32_t)lo);
	if (has_field(fs, ip, extra)) {
		uint32_t epoch = (uint32_t)(((s - lo) >> 32) & 3);
		put32(ip->raw + extra, nsec << 2 | epoch);
	}
}

/* A time as the inode's field would give it back: what ext4_i_set_time
 * then ext4_i_get_time make of it, without the round trip. */
static void time_fit(struct vfs *fs, const struct ext4_inode *ip, int extra, uint64_t *sec, uint32_t *nsec)
{
	int64_t s = (int64_t)*sec;
	int32_t lo = (int32_t)(uint32_t)s;

	if (!has_field(fs, ip, extra)) {
		*sec = (uint64_t)(int64_t)lo;
		*nsec = 0;
		return;
	}
	*sec = (uint64_t)((int64_t)lo + ((((s - lo) >> 32) & 3) << 32));
}

void ext4_i_get_time(struct vfs *fs, const struct ext4_inode *ip, int off, int extra, uint64_t *sec, uint32_t *nsec)
{
	int64_t s = (int32_t)le32(ip->raw + off);

	*nsec = 0;
	if (has_field(fs, ip, extra)) {
		uint32_t x = le32(ip->raw + extra);
		s += (int64_t)(x & 3) << 32;
		*nsec = x >> 2;
	}
	*sec = (uint64_t)s;
}

void ext4_i_touch(struct vfs *fs, struct ext4_inode *ip, int a, int m, int c)
{
	uint64_t s;
	uint32_t ns;

	ext4_now(&s, &ns);
	if (a)
		ext4_i_set_time(fs, ip, I_ATIME, I_ATIME_EXTRA, s, ns);
	if (m)
		ext4_i_set_time(fs, ip, I_MTIME, I_MTIME_EXTRA, s, ns);
	if (c)
		ext4_i_set_time(fs, ip, I_CTIME, I_CTIME_EXTRA, s, ns);
}
