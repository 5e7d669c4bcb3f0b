/* Inode table access, inode checksums and field helpers. */
#include "crc.h"
#include "ext4.h"

static int inode_loc(struct vfs *fs, uint32_t ino, uint64_t *blk, uint32_t *off)
{
	uint32_t g, idx;
	struct ext4_buf *gdb;
	uint8_t *gd;
	uint64_t byte;

	if (ino < 1 || ino > fs->inodes_count)
		return -ESTALE;
	g = (ino - 1) / fs->ipg;
	idx = (ino - 1) % fs->ipg;
	gd = ext4_gd_get(fs, g, &gdb);
	if (!gd)
		return -EIO;
	byte = (uint64_t)idx * fs->isz;
	*blk = ext4_gd_inode_table(fs, gd) + byte / fs->bs;
	*off = (uint32_t)(byte % fs->bs);
	ext4_bput(fs, gdb);
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

int ext4_inode_read(struct vfs *fs, uint32_t ino, struct ext4_inode *ip)
{
	uint64_t blk;
	uint32_t off;
	struct ext4_buf *b;
	int err = inode_loc(fs, ino, &blk, &off);

	if (err)
		return err;
	err = ext4_bread(fs, blk, &b);
	if (err)
		return err;
	ip->ino = ino;
	memcpy(ip->raw, b->data + off, fs->isz);
	ext4_bput(fs, b);
	if (fs->isz > EXT4_GOOD_OLD_INODE_SIZE &&
	    EXT4_GOOD_OLD_INODE_SIZE + ext4_i_extra_isize(fs, ip) > fs->isz)
		return ext4_corrupt(fs, "inode extra size", ino);
	if (fs->csum) {
		uint32_t want = le16(ip->raw + I_CSUM_LO);
		if (fs->isz > EXT4_GOOD_OLD_INODE_SIZE &&
		    EXT4_GOOD_OLD_INODE_SIZE + ext4_i_extra_isize(fs, ip) >= I_CSUM_HI + 2)
			want |= (uint32_t)le16(ip->raw + I_CSUM_HI) << 16;
		if (want != inode_csum(fs, ip))
			return ext4_corrupt(fs, "inode checksum", ino);
	}
	return 0;
}

int ext4_inode_write(struct vfs *fs, struct ext4_inode *ip)
{
	uint64_t blk;
	uint32_t off;
	struct ext4_buf *b;
	int err = inode_loc(fs, ip->ino, &blk, &off);

	if (err)
		return err;
	if (fs->csum) {
		uint32_t c = inode_csum(fs, ip);
		put16(ip->raw + I_CSUM_LO, c & 0xffff);
		if (fs->isz > EXT4_GOOD_OLD_INODE_SIZE &&
		    EXT4_GOOD_OLD_INODE_SIZE + ext4_i_extra_isize(fs, ip) >= I_CSUM_HI + 2)
			put16(ip->raw + I_CSUM_HI, c >> 16);
	}
	err = ext4_bread(fs, blk, &b);
	if (err)
		return err;
	memcpy(b->data + off, ip->raw, fs->isz);
	ext4_bdirty(fs, b);
	ext4_bput(fs, b);
	return 0;
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
