/*
 * Extended attributes, in the inode body and in one external block.
 * Every change rebuilds both areas from a sorted list of all the inode's
 * attributes: simple, and never leaves a half-edited layout.
 * Supported namespaces: user., trusted., security. (POSIX ACLs use a
 * different on-disk encoding and are refused with -EOPNOTSUPP).
 */
#include "crc.h"
#include "ext4.h"

#define XATTR_MAGIC 0xea020000u
#define XHDR 32
#define XATTR_CREATE_ 1
#define XATTR_REPLACE_ 2
#define MAX_X (sizeof(((struct vfs *)0)->xents) / sizeof(((struct vfs *)0)->xents[0]))

static const struct {
	uint8_t index;
	uint8_t len;
	const char *prefix;
} prefixes[] = { { 1, 5, "user." }, { 4, 8, "trusted." }, { 6, 9, "security." } };

/* Asked before every guest write (security.capability): no strlen calls. */
static int parse_name(const char *name, uint8_t *index, const char **suffix)
{
	size_t n = 0;

	while (n < 256 && name[n])
		n++;

	if (n == 0 || n > 255)
		return n ? -ERANGE : -EINVAL;
	for (unsigned i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t pl = prefixes[i].len;
		if (n >= pl && name[0] == prefixes[i].prefix[0] && !memcmp(name, prefixes[i].prefix, pl)) {
			*index = prefixes[i].index;
			*suffix = name + pl;
			if (n == pl && *index == 1)
				return -EINVAL;
			return 0;
		}
	}
	return -EOPNOTSUPP;
}

static uint32_t entry_hash(const uint8_t *name, uint32_t nlen, const uint8_t *val, uint32_t vlen)
{
	uint32_t h = 0;

	for (uint32_t i = 0; i < nlen; i++)
		h = (h << 5) ^ (h >> 27) ^ name[i];
	for (uint32_t i = 0; i < (vlen + 3) / 4; i++) {
		uint8_t w[4] = { 0, 0, 0, 0 };
		for (uint32_t k = 0; k < 4 && i * 4 + k < vlen; k++)
			w[k] = val[i * 4 + k];
		h = (h << 16) ^ (h >> 16) ^ le32(w);
	}
	return h;
}

static uint32_t ibody_start(struct vfs *fs, const struct ext4_inode *ip)
{
	return EXT4_GOOD_OLD_INODE_SIZE + ext4_i_extra_isize(fs, ip);
}

static int has_ibody(struct vfs *fs, const struct ext4_inode *ip)
{
	return fs->isz > EXT4_GOOD_OLD_INODE_SIZE && ibody_start(fs, ip) + 8 <= fs->isz;
}

static uint32_t block_csum(struct vfs *fs, uint64_t blk, uint8_t *d)
{
	uint8_t b[8], save[4];
	uint32_t c;

	put64(b, blk);
	memcpy(save, d + 0x10, 4);
	memset(d + 0x10, 0, 4);
	c = ext4_crc32c_raw(ext4_crc32c_raw(fs->csum_seed, b, 8), d, fs->bs);
	memcpy(d + 0x10, save, 4);
	return c;
}

/* Parses entries from p (region [base, end)) into fs->xents; values offsets
 * are relative to vbase. */
static int parse_entries(struct vfs *fs, const uint8_t *region, uint32_t start, uint32_t end,
			 uint32_t vbase, int in_block, uint32_t *vused)
{
	uint32_t off = start;

	while (off + 4 <= end && le32(region + off) != 0) {
		const uint8_t *e = region + off;
		uint32_t nlen, voff, vlen;
		struct xattr_ent *x;

		if (off + 16 > end)
			return -1;
		nlen = e[0];
		voff = le16(e + 2);
		vlen = le32(e + 8);
		if (off + 16 + nlen > end || le32(e + 4) != 0 || nlen == 0)
			return -1;
		if (vlen && (vbase + voff + vlen > end || vbase + voff < off))
			return -1;
		if (fs->nx >= MAX_X || *vused + vlen > sizeof(fs->xval))
			return -1;
		x = &fs->xents[fs->nx++];
		x->index = e[1];
		x->nlen = (uint8_t)nlen;
		memcpy(x->name, e + 16, nlen);
		x->name[nlen] = 0;
		x->vlen = vlen;
		x->voff = *vused;
		x->in_block = in_block;
		memcpy(fs->xval + *vused, region + vbase + voff, vlen);
		*vused += vlen;
		off += (16 + nlen + 3) & ~3u;
	}
	return 0;
}

static int load_all(struct vfs *fs, struct ext4_inode *ip, uint32_t *vused)
{
	uint64_t blk = ext4_i_file_acl(ip);

	fs->nx = 0;
	*vused = 0;
	if (has_ibody(fs, ip)) {
		uint32_t s = ibody_start(fs, ip);
		if (le32(ip->raw + s) == XATTR_MAGIC &&
		    parse_entries(fs, ip->raw, s + 4, fs->isz, s + 4, 0, vused))
			return ext4_corrupt(fs, "in-inode xattrs of inode", ip->ino);
	}
	if (blk) {
		struct ext4_buf *b;
		int err = ext4_bread(fs, blk, &b);
		if (err)
			return err;
		if (le32(b->data) != XATTR_MAGIC || le32(b->data + 8) != 1 ||
		    (fs->csum && le32(b->data + 0x10) != block_csum(fs, blk, b->data)) ||
		    parse_entries(fs, b->data, XHDR, fs->bs, 0, 1, vused)) {
			ext4_bput(fs, b);
			return ext4_corrupt(fs, "xattr block", blk);
		}
		ext4_bput(fs, b);
	}
	return 0;
}

static int find(struct vfs *fs, uint8_t index, const char *suffix)
{
	size_t n = strlen(suffix);

	for (uint32_t i = 0; i < fs->nx; i++)
		if (fs->xents[i].index == index && fs->xents[i].nlen == n &&
		    !memcmp(fs->xents[i].name, suffix, n))
			return (int)i;
	return -1;
}

static int xcmp(const struct xattr_ent *a, const struct xattr_ent *b)
{
	if (a->index != b->index)
		return a->index - b->index;
	if (a->nlen != b->nlen)
		return a->nlen - b->nlen;
	return memcmp(a->name, b->name, a->nlen);
}

static uint32_t esize(const struct xattr_ent *x) { return (16 + x->nlen + 3) & ~3u; }
static uint32_t vsize(const struct xattr_ent *x) { return (x->vlen + 3) & ~3u; }

/* Lays entries out in region [start, end): entries up from start, values
 * down from end; offsets relative to vbase. Returns the block hash. */
static uint32_t layout(struct vfs *fs, uint8_t *region, uint32_t start, uint32_t end,
		       uint32_t vbase, int in_block)
{
	uint32_t eoff = start, vend = end, bhash = 0;

	memset(region + start, 0, end - start);
	for (uint32_t i = 0; i < fs->nx; i++) {
		struct xattr_ent *x = &fs->xents[i];
		uint8_t *e;
		uint32_t h;
		if (x->in_block != in_block)
			continue;
		e = region + eoff;
		vend -= vsize(x);
		e[0] = x->nlen;
		e[1] = x->index;
		put16(e + 2, vend - vbase);
		put32(e + 8, x->vlen);
		memcpy(e + 16, x->name, x->nlen);
		memcpy(region + vend, fs->xval + x->voff, x->vlen);
		h = entry_hash((const uint8_t *)x->name, x->nlen, fs->xval + x->voff, x->vlen);
		put32(e + 12, h);
		bhash = (bhash << 16) ^ (bhash >> 16) ^ h;
		eoff += esize(x);
	}
	return bhash;
}

/* Decides placement, allocates/frees the block, writes both areas. */
static int store_all(struct vfs *fs, struct ext4_inode *ip)
{
	uint32_t ifree = 0, bfree = fs->bs - XHDR - 4, nblock = 0;
	uint64_t old = ext4_i_file_acl(ip), blk = old;
	struct ext4_buf *b = NULL;
	int err, shared = 0;

	/* sort (insertion sort, small n) */
	for (uint32_t i = 1; i < fs->nx; i++) {
		struct xattr_ent t = fs->xents[i];
		uint32_t j = i;
		while (j > 0 && xcmp(&fs->xents[j - 1], &t) > 0) {
			fs->xents[j] = fs->xents[j - 1];
			j--;
		}
		fs->xents[j] = t;
	}
	if (has_ibody(fs, ip))
		ifree = fs->isz - ibody_start(fs, ip) - 4 - 4;
	for (uint32_t i = 0; i < fs->nx; i++) {
		struct xattr_ent *x = &fs->xents[i];
		uint32_t need = esize(x) + vsize(x);
		if (need <= ifree) {
			x->in_block = 0;
			ifree -= need;
		} else if (need <= bfree) {
			x->in_block = 1;
			bfree -= need;
			nblock++;
		} else {
			return -ENOSPC;
		}
	}
	if (old) {
		err = ext4_bread(fs, old, &b);
		if (err)
			return err;
		shared = le32(b->data + 4) > 1;
	}
	if (nblock && (!old || shared)) {
		uint32_t got;
		struct ext4_buf *nb;
		err = ext4_alloc_blocks(fs, old ? old : fs->first_data_block +
				   (uint64_t)((ip->ino - 1) / fs->ipg) * fs->bpg, 1, &blk, &got);
		if (!err)
			err = ext4_bget_zero(fs, blk, &nb);
		if (err) {
			if (b)
				ext4_bput(fs, b);
			return err;
		}
		if (b && shared) {
			put32(b->data + 4, le32(b->data + 4) - 1);
			if (fs->csum)
				put32(b->data + 0x10, block_csum(fs, old, b->data));
			ext4_bdirty(fs, b);
		} else if (!old) {
			ext4_i_add_blocks(fs, ip, 1);
		}
		if (b)
			ext4_bput(fs, b);
		b = nb;
	}
	if (!nblock && old) {
		if (shared) {
			put32(b->data + 4, le32(b->data + 4) - 1);
			if (fs->csum)
				put32(b->data + 0x10, block_csum(fs, old, b->data));
			ext4_bdirty(fs, b);
		} else {
			ext4_free_blocks(fs, old, 1);
		}
		ext4_bput(fs, b);
		b = NULL;
		ext4_i_add_blocks(fs, ip, -1);
		blk = 0;
	}
	if (b) {
		uint32_t h;
		memset(b->data, 0, XHDR);
		put32(b->data, XATTR_MAGIC);
		put32(b->data + 4, 1);
		put32(b->data + 8, 1);
		h = layout(fs, b->data, XHDR, fs->bs, 0, 1);
		put32(b->data + 0xc, h);
		if (fs->csum)
			put32(b->data + 0x10, block_csum(fs, blk, b->data));
		ext4_bdirty(fs, b);
		ext4_bput(fs, b);
	}
	ext4_i_set_file_acl(ip, blk);
	if (has_ibody(fs, ip)) {
		uint32_t s = ibody_start(fs, ip);
		int any = 0;
		for (uint32_t i = 0; i < fs->nx; i++)
			any |= !fs->xents[i].in_block;
		memset(ip->raw + s, 0, fs->isz - s);
		if (any) {
			put32(ip->raw + s, XATTR_MAGIC);
			layout(fs, ip->raw, s + 4, fs->isz, s + 4, 0);
		}
	}
	return ext4_inode_write(fs, ip);
}

int ext4_xattr_set(struct vfs *fs, struct ext4_inode *ip, const char *name, const void *val, size_t size, int flags)
{
	uint8_t index;
	const char *suffix;
	uint32_t vused;
	int i, err = parse_name(name, &index, &suffix);

	if (err)
		return err;
	if (size > fs->bs)
		return -E2BIG;
	err = load_all(fs, ip, &vused);
	if (err)
		return err;
	i = find(fs, index, suffix);
	if (i >= 0 && (flags & XATTR_CREATE_))
		return -EEXIST;
	if (i < 0 && (flags & XATTR_REPLACE_))
		return -ENODATA;
	if (i < 0) {
		if (fs->nx >= MAX_X)
			return -ENOSPC;
		i = (int)fs->nx++;
		fs->xents[i].index = index;
		fs->xents[i].nlen = (uint8_t)strlen(suffix);
		memcpy(fs->xents[i].name, suffix, fs->xents[i].nlen + 1);
	}
	if (vused + size > sizeof(fs->xval))
		return -ENOSPC;
	if (size)
		memcpy(fs->xval + vused, val, size);
	fs->xents[i].voff = vused;
	fs->xents[i].vlen = (uint32_t)size;
	return store_all(fs, ip);
}

int ext4_xattr_remove(struct vfs *fs, struct ext4_inode *ip, const char *name)
{
	uint8_t index;
	const char *suffix;
	uint32_t vused;
	int i, err = parse_name(name, &index, &suffix);

	if (err)
		return err;
	err = load_all(fs, ip, &vused);
	if (err)
		return err;
	i = find(fs, index, suffix);
	if (i < 0)
		return -ENODATA;
	fs->xents[i] = fs->xents[--fs->nx];
	return store_all(fs, ip);
}

/* What ext4_xattr_get() answers about the name before it looks at the
 * inode: 0 (a name it would look up, or one of a namespace it does not
 * keep, which cannot be there), or the name's error. */
int ext4_xattr_check_name(const char *name)
{
	uint8_t index;
	const char *suffix;
	int err = parse_name(name, &index, &suffix);

	return err == -EOPNOTSUPP ? 0 : err;
}

long ext4_xattr_get(struct vfs *fs, struct ext4_inode *ip, const char *name, void *val, size_t size)
{
	uint8_t index;
	const char *suffix;
	uint32_t vused;
	int i, err = parse_name(name, &index, &suffix);

	if (err)
		return err == -EOPNOTSUPP ? -ENODATA : err;
	err = load_all(fs, ip, &vused);
	if (err)
		return err;
	i = find(fs, index, suffix);
	if (i < 0)
		return -ENODATA;
	if (size == 0)
		return fs->xents[i].vlen;
	if (size < fs->xents[i].vlen)
		return -ERANGE;
	memcpy(val, fs->xval + fs->xents[i].voff, fs->xents[i].vlen);
	return fs->xents[i].vlen;
}

long ext4_xattr_list(struct vfs *fs, struct ext4_inode *ip, char *list, size_t size)
{
	uint32_t vused;
	size_t total = 0;
	int err = load_all(fs, ip, &vused);

	if (err)
		return err;
	for (uint32_t i = 0; i < fs->nx; i++) {
		const char *pre = NULL;
		size_t pl, n;
		for (unsigned k = 0; k < sizeof(prefixes) / sizeof(prefixes[0]); k++)
			if (prefixes[k].index == fs->xents[i].index)
				pre = prefixes[k].prefix;
		if (!pre)
			continue;
		pl = strlen(pre);
		n = pl + fs->xents[i].nlen + 1;
		if (size) {
			if (total + n > size)
				return -ERANGE;
			memcpy(list + total, pre, pl);
			memcpy(list + total + pl, fs->xents[i].name, fs->xents[i].nlen);
			list[total + n - 1] = 0;
		}
		total += n;
	}
	return (long)total;
}

/* The inode is being freed: drop its xattr block reference. */
int ext4_xattr_release(struct vfs *fs, struct ext4_inode *ip)
{
	uint64_t blk = ext4_i_file_acl(ip);
	struct ext4_buf *b;
	int err;

	if (!blk)
		return 0;
	err = ext4_bread(fs, blk, &b);
	if (err)
		return err;
	if (le32(b->data) == XATTR_MAGIC && le32(b->data + 4) > 1) {
		put32(b->data + 4, le32(b->data + 4) - 1);
		if (fs->csum)
			put32(b->data + 0x10, block_csum(fs, blk, b->data));
		ext4_bdirty(fs, b);
		ext4_bput(fs, b);
	} else {
		ext4_bput(fs, b);
		ext4_free_blocks(fs, blk, 1);
	}
	ext4_i_add_blocks(fs, ip, -1);
	ext4_i_set_file_acl(ip, 0);
	return 0;
}
