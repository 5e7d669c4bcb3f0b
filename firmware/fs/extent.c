/*
 * Extent trees: lookup, insertion (merge, leaf split, depth growth) and range
 * removal (trimming, splitting, freeing emptied nodes, collapsing the depth).
 *
 * Invariant kept everywhere: an index entry's key equals the first logical
 * block of its child, so every leaf but the leftmost starts at its key.
 */
#include "crc.h"
#include "ext4.h"

#define EH_MAGIC 0xf30a
#define EXT_MAX_DEPTH 5
#define ROOT_MAX 4

struct path_ent {
	struct ext4_buf *b;	/* NULL for the root (in the inode) */
	uint8_t *h;		/* node header */
	int idx;		/* chosen entry; -1 when before the first */
};

struct path {
	int depth;
	struct path_ent p[EXT_MAX_DEPTH + 1];
};

static uint16_t eh_entries(const uint8_t *h) { return le16(h + 2); }
static uint16_t eh_max(const uint8_t *h) { return le16(h + 4); }
static uint16_t eh_depth(const uint8_t *h) { return le16(h + 6); }
static uint8_t *ent(uint8_t *h, int i) { return h + 12 + 12 * i; }

static uint32_t e_block(const uint8_t *e) { return le32(e); }
static uint32_t e_len(const uint8_t *e) { uint32_t l = le16(e + 4); return l > EXT_INIT_MAX_LEN ? l - EXT_INIT_MAX_LEN : l; }
static int e_uninit(const uint8_t *e) { return le16(e + 4) > EXT_INIT_MAX_LEN; }
static uint64_t e_start(const uint8_t *e) { return le32(e + 8) | (uint64_t)le16(e + 6) << 32; }
static void e_set(uint8_t *e, uint32_t lblk, uint64_t pblk, uint32_t len, int uninit)
{
	put32(e, lblk);
	put16(e + 4, uninit ? len + EXT_INIT_MAX_LEN : len);
	put16(e + 6, (uint32_t)(pblk >> 32) & 0xffff);
	put32(e + 8, (uint32_t)pblk);
}
static uint64_t ei_leaf(const uint8_t *e) { return le32(e + 4) | (uint64_t)le16(e + 8) << 32; }
static void ei_set(uint8_t *e, uint32_t lblk, uint64_t blk)
{
	put32(e, lblk);
	put32(e + 4, (uint32_t)blk);
	put16(e + 8, (uint32_t)(blk >> 32) & 0xffff);
	put16(e + 10, 0);
}

static uint32_t block_max(struct vfs *fs) { return (fs->bs - 12) / 12; }

/*
 * Moves n entries of node h from entry from to entry to (overlapping like
 * memmove), a word at a time: entries are 12 bytes and a node starts
 * 4-byte aligned (a block buffer, or i_block at 0x28 in the inode), and
 * the soft core's memmove (picolibc's) goes a byte at a time, ~6
 * instructions a byte: a WRITE into a fallocated file's leaf moved ~40
 * entries, ~1 100 of its cycles on the card.
 */
typedef uint32_t __attribute__((may_alias)) ent_word_t;

/* gcc must not turn the loops back into a memmove call; clang (the
 * fuzzers' build) has no such attribute and no such pass to stop */
#if defined(__GNUC__) && !defined(__clang__)
#define ENT_NO_LIBCALL __attribute__((optimize("no-tree-loop-distribute-patterns")))
#else
#define ENT_NO_LIBCALL
#endif

ENT_NO_LIBCALL
static void ent_move(uint8_t *h, int to, int from, int n)
{
	ent_word_t *d = (ent_word_t *)(void *)ent(h, to);
	const ent_word_t *s = (const ent_word_t *)(const void *)ent(h, from);
	int w = 3 * n;

	if (n <= 0 || to == from)
		return;
	if (to < from) {
		for (int k = 0; k < w; k++)
			d[k] = s[k];
	} else {
		for (int k = w; k-- > 0;)
			d[k] = s[k];
	}
}

void ext4_ext_init_root(struct ext4_inode *ip)
{
	uint8_t *h = ip->raw + I_BLOCK;

	memset(h, 0, 60);
	put16(h, EH_MAGIC);
	put16(h + 4, ROOT_MAX);
}

/* A changed extent node: dirty, its checksum (the whole block) left to the
 * commit, which may see many changes to it first. */
static void node_buf_dirty(struct vfs *fs, struct ext4_inode *ip, struct ext4_buf *b)
{
	if (fs->csum)
		ext4_bdirty_csum(fs, b, EXT4_CSUM_EXTENT, ext4_inode_csum_seed(fs, ip));
	else
		ext4_bdirty(fs, b);
}

/* At commit: an extent node's checksum, with the seed of its inode. */
int ext4_ext_csum_settle(struct vfs *fs, struct ext4_buf *b)
{
	uint32_t off = 12 + 12 * eh_max(b->data);

	if (off + 4 > fs->bs)
		return ext4_corrupt(fs, "extent node larger than its block", b->blk);
	put32(b->data + off, ext4_crc32c_raw(b->csum_arg, b->data, off));
	b->csum_kind = EXT4_CSUM_NONE;
	return 0;
}

static int check_header(struct vfs *fs, const uint8_t *h, uint32_t max, int depth, uint32_t ino)
{
	if (le16(h) != EH_MAGIC || eh_entries(h) > eh_max(h) || eh_max(h) > max ||
	    eh_max(h) == 0 || (depth >= 0 && eh_depth(h) != depth) || eh_depth(h) > EXT_MAX_DEPTH)
		return ext4_corrupt(fs, "extent header of inode", ino);
	return 0;
}

int ext4_ext_check_root(struct vfs *fs, struct ext4_inode *ip)
{
	return check_header(fs, ip->raw + I_BLOCK, ROOT_MAX, -1, ip->ino);
}

static void path_release(struct vfs *fs, struct path *pa)
{
	for (int i = 0; i <= pa->depth; i++) {
		if (pa->p[i].b)
			ext4_bput(fs, pa->p[i].b);
		pa->p[i].b = NULL;
	}
}

/* Index of the last entry whose key is <= lblk, -1 if none. */
static int search(uint8_t *h, uint32_t lblk)
{
	int lo = 0, hi = eh_entries(h) - 1, r = -1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		if (le32(ent(h, mid)) <= lblk) {
			r = mid;
			lo = mid + 1;
		} else {
			hi = mid - 1;
		}
	}
	return r;
}

static int find_path(struct vfs *fs, struct ext4_inode *ip, uint32_t lblk, struct path *pa)
{
	uint8_t *h = ip->raw + I_BLOCK;
	int err = check_header(fs, h, ROOT_MAX, -1, ip->ino);

	memset(pa, 0, sizeof(*pa));
	if (err)
		return err;
	pa->depth = eh_depth(h);
	pa->p[0].h = h;
	for (int lv = 0; lv < pa->depth; lv++) {
		struct ext4_buf *b;
		uint64_t child;
		int i;

		if (eh_entries(h) == 0) {
			path_release(fs, pa);
			return ext4_corrupt(fs, "empty extent index of inode", ip->ino);
		}
		i = search(h, lblk);
		if (i < 0)
			i = 0;
		pa->p[lv].idx = i;
		child = ei_leaf(ent(h, i));
		if (ip->ino != fs->jino && ext4_sysz_hits(fs, child, 1)) {
			path_release(fs, pa);
			return ext4_corrupt(fs, "extent block in filesystem metadata, inode", ip->ino);
		}
		err = ext4_bread(fs, child, &b);
		if (err) {
			path_release(fs, pa);
			return err;
		}
		pa->p[lv + 1].b = b;
		h = b->data;
		pa->p[lv + 1].h = h;
		err = check_header(fs, h, block_max(fs), pa->depth - lv - 1, ip->ino);
		if (!err && fs->csum && !(b->flags & BUF_CHECKED)) {
			uint32_t off = 12 + 12 * eh_max(h);
			if (le32(h + off) != ext4_crc32c_raw(ext4_inode_csum_seed(fs, ip), h, off))
				err = ext4_corrupt(fs, "extent block checksum", child);
		}
		if (err) {
			path_release(fs, pa);
			return err;
		}
		b->flags |= BUF_CHECKED;
	}
	pa->p[pa->depth].idx = search(h, lblk);
	return 0;
}

static void node_dirty(struct vfs *fs, struct ext4_inode *ip, struct path *pa, int lv)
{
	if (lv == 0)
		return;	/* the root is in the inode; the caller writes it */
	node_buf_dirty(fs, ip, pa->p[lv].b);
}

/* The first key of node lv changed: propagate into the parents. */
static void update_keys(struct vfs *fs, struct ext4_inode *ip, struct path *pa, int lv)
{
	while (lv > 0) {
		uint8_t *h = pa->p[lv].h;
		uint8_t *pe;
		if (eh_entries(h) == 0)
			return;
		pe = ent(pa->p[lv - 1].h, pa->p[lv - 1].idx);
		if (le32(pe) == le32(ent(h, 0)))
			return;
		put32(pe, le32(ent(h, 0)));
		node_dirty(fs, ip, pa, lv - 1);
		if (pa->p[lv - 1].idx != 0)
			return;
		lv--;
	}
}

int ext4_ext_map(struct vfs *fs, struct ext4_inode *ip, uint32_t lblk, uint64_t *pblk, uint32_t *len, int *uninit)
{
	struct path pa;
	uint8_t *h, *e;
	int i, err = find_path(fs, ip, lblk, &pa);

	if (err)
		return err;
	h = pa.p[pa.depth].h;
	i = pa.p[pa.depth].idx;
	*pblk = 0;
	*uninit = 0;
	if (i >= 0) {
		e = ent(h, i);
		if (lblk < e_block(e) + e_len(e)) {
			*pblk = e_start(e) + (lblk - e_block(e));
			*len = e_block(e) + e_len(e) - lblk;
			*uninit = e_uninit(e);
			if (e_start(e) + e_len(e) > fs->blocks_count || e_len(e) == 0 || e_start(e) == 0)
				err = ext4_corrupt(fs, "extent outside the filesystem, inode", ip->ino);
			else if (ip->ino != fs->jino && ext4_sysz_hits(fs, e_start(e), e_len(e)))
				err = ext4_corrupt(fs, "extent into filesystem metadata, inode", ip->ino);
			path_release(fs, &pa);
			return err;
		}
	}
	/* a hole: how far to the next extent? */
	*len = 0xffffffffu - lblk;
	if (i + 1 < eh_entries(h)) {
		*len = e_block(ent(h, i + 1)) - lblk;
	} else {
		for (int lv = pa.depth - 1; lv >= 0; lv--) {
			uint8_t *ph = pa.p[lv].h;
			if (pa.p[lv].idx + 1 < eh_entries(ph)) {
				uint32_t nk = le32(ent(ph, pa.p[lv].idx + 1));
				if (nk > lblk)
					*len = nk - lblk;
				break;
			}
		}
	}
	if (*len == 0)
		*len = 1;
	path_release(fs, &pa);
	return 0;
}

static int alloc_node(struct vfs *fs, struct ext4_inode *ip, uint64_t *blk)
{
	uint32_t got;

	return ext4_alloc_blocks(fs, fs->first_data_block + (uint64_t)((ip->ino - 1) / fs->ipg) * fs->bpg,
			    1, blk, &got);
}

/* Moves the root's entries into a new block and makes the root an index over it. */
static int grow_depth(struct vfs *fs, struct ext4_inode *ip)
{
	uint8_t *root = ip->raw + I_BLOCK;
	struct ext4_buf *b;
	uint64_t blk;
	int err = alloc_node(fs, ip, &blk);

	if (err)
		return err;
	if (eh_depth(root) >= EXT_MAX_DEPTH) {
		ext4_free_blocks(fs, blk, 1);
		return -EFBIG;
	}
	err = ext4_bget_zero(fs, blk, &b);
	if (err) {
		ext4_free_blocks(fs, blk, 1);
		return err;
	}
	memcpy(b->data, root, 12 + 12 * eh_entries(root));
	put16(b->data + 4, block_max(fs));
	node_buf_dirty(fs, ip, b);
	ext4_bput(fs, b);
	put16(root + 6, eh_depth(root) + 1);
	put16(root + 2, 1);
	ei_set(ent(root, 0), eh_entries(b->data) ? le32(ent(b->data, 0)) : 0, blk);
	ext4_i_add_blocks(fs, ip, 1);
	return 0;
}

/*
 * Splits node lv of the path (full); its parent must have room. Appends at
 * the right edge of a leaf start an empty new leaf keyed at lblk so that
 * sequential files fill their leaves completely.
 */
static int split_node(struct vfs *fs, struct ext4_inode *ip, struct path *pa, int lv, uint32_t lblk)
{
	uint8_t *h = pa->p[lv].h, *ph = pa->p[lv - 1].h;
	int n = eh_entries(h), pidx = pa->p[lv - 1].idx, move;
	int is_leaf = eh_depth(h) == 0;
	struct ext4_buf *b;
	uint64_t blk;
	uint32_t key;
	int err;

	if (is_leaf && pa->p[lv].idx == n - 1 && lblk > e_block(ent(h, n - 1)))
		move = 0;
	else
		move = n / 2;
	err = alloc_node(fs, ip, &blk);
	if (err)
		return err;
	err = ext4_bget_zero(fs, blk, &b);
	if (err) {
		ext4_free_blocks(fs, blk, 1);
		return err;
	}
	put16(b->data, EH_MAGIC);
	put16(b->data + 2, move);
	put16(b->data + 4, block_max(fs));
	put16(b->data + 6, eh_depth(h));
	memcpy(ent(b->data, 0), ent(h, n - move), 12 * move);
	key = move ? le32(ent(h, n - move)) : lblk;
	node_buf_dirty(fs, ip, b);
	ext4_bput(fs, b);
	memset(ent(h, n - move), 0, 12 * move);
	put16(h + 2, n - move);
	node_dirty(fs, ip, pa, lv);
	ent_move(ph, pidx + 2, pidx + 1, eh_entries(ph) - pidx - 1);
	ei_set(ent(ph, pidx + 1), key, blk);
	put16(ph + 2, eh_entries(ph) + 1);
	node_dirty(fs, ip, pa, lv - 1);
	ext4_i_add_blocks(fs, ip, 1);
	return 0;
}

/* Makes room in the leaf of the path: splits the lowest full node whose
 * parent has room, or grows the tree. The caller looks the path up again. */
static int make_room(struct vfs *fs, struct ext4_inode *ip, struct path *pa, uint32_t lblk)
{
	int lv = pa->depth;

	while (lv > 0 && eh_entries(pa->p[lv - 1].h) >= eh_max(pa->p[lv - 1].h))
		lv--;
	if (lv == 0)
		return grow_depth(fs, ip);
	return split_node(fs, ip, pa, lv, lblk);
}

/* Maps [lblk, lblk+len) (a hole) to pblk. Writes the inode. */
int ext4_ext_insert(struct vfs *fs, struct ext4_inode *ip, uint32_t lblk, uint64_t pblk, uint32_t len, int uninit)
{
	uint32_t maxlen = uninit ? EXT_INIT_MAX_LEN - 1 : EXT_INIT_MAX_LEN;
	int err;

	fs->iseq++;	/* the root is in the inode */
	while (len) {
		uint32_t n = len > maxlen ? maxlen : len;
		for (;;) {
			struct path pa;
			uint8_t *h, *e;
			int i, cnt, lv;

			err = find_path(fs, ip, lblk, &pa);
			if (err)
				return err;
			lv = pa.depth;
			h = pa.p[lv].h;
			i = pa.p[lv].idx;
			cnt = eh_entries(h);
			if (i >= 0) {
				e = ent(h, i);
				if (e_block(e) + e_len(e) > lblk) {
					path_release(fs, &pa);
					return ext4_corrupt(fs, "overlapping extent insert, inode", ip->ino);
				}
				if (e_uninit(e) == uninit && e_block(e) + e_len(e) == lblk &&
				    e_start(e) + e_len(e) == pblk && e_len(e) + n <= maxlen) {
					e_set(e, e_block(e), e_start(e), e_len(e) + n, uninit);
					node_dirty(fs, ip, &pa, lv);
					path_release(fs, &pa);
					break;
				}
			}
			if (i + 1 < cnt) {
				e = ent(h, i + 1);
				if (lblk + n > e_block(e)) {
					path_release(fs, &pa);
					return ext4_corrupt(fs, "overlapping extent insert, inode", ip->ino);
				}
				if (e_uninit(e) == uninit && lblk + n == e_block(e) &&
				    pblk + n == e_start(e) && e_len(e) + n <= maxlen) {
					e_set(e, lblk, pblk, e_len(e) + n, uninit);
					node_dirty(fs, ip, &pa, lv);
					if (i + 1 == 0)
						update_keys(fs, ip, &pa, lv);
					path_release(fs, &pa);
					break;
				}
			}
			if (cnt < eh_max(h)) {
				ent_move(h, i + 2, i + 1, cnt - i - 1);
				e_set(ent(h, i + 1), lblk, pblk, n, uninit);
				put16(h + 2, cnt + 1);
				node_dirty(fs, ip, &pa, lv);
				if (i + 1 == 0)
					update_keys(fs, ip, &pa, lv);
				path_release(fs, &pa);
				break;
			}
			err = make_room(fs, ip, &pa, lblk);
			path_release(fs, &pa);
			if (err) {
				ext4_inode_write(fs, ip);
				return err;
			}
		}
		lblk += n;
		pblk += n;
		len -= n;
	}
	return ext4_inode_write(fs, ip);
}

/*
 * Blocks [lblk, lblk + n) of one unwritten extent become written, in the
 * leaf that holds it: the written run joins a written neighbour that ends
 * (or starts) next to it on the device and in the file, or takes an entry
 * of its own beside what stays unwritten (one, or two when the run is in
 * the middle). No block is allocated, no key of an index changes (the
 * first entry of the leaf keeps its first block), so a tree with depth
 * keeps its root and the inode is not touched; a root leaf (depth 0) is
 * written with the inode, as ext4_ext_insert does. A WRITE into an
 * fallocated file used to unmap the run (splitting the extent, an insert)
 * and map it again (another insert): three lookups, three inode writes.
 * Returns 0 when done, 1 when it cannot be done in place (the run is not
 * inside one unwritten extent, or the leaf has no room: the caller falls
 * back to ext4_ext_remove and ext4_ext_insert), or a negative errno.
 */
int ext4_ext_convert(struct vfs *fs, struct ext4_inode *ip, uint32_t lblk, uint32_t n)
{
	struct path pa;
	uint8_t *h, *e, *pv = NULL, *nx = NULL;
	uint32_t eb, el, end = lblk + n, head, tail;
	uint64_t ep, pblk;
	int i, cnt, lv, need, err;

	if (!n || end < lblk)
		return 1;
	err = find_path(fs, ip, lblk, &pa);
	if (err)
		return err;
	lv = pa.depth;
	h = pa.p[lv].h;
	i = pa.p[lv].idx;
	cnt = eh_entries(h);
	if (i < 0)
		goto fallback;
	e = ent(h, i);
	eb = e_block(e);
	el = e_len(e);
	ep = e_start(e);
	if (!e_uninit(e) || lblk < eb || end > eb + el)
		goto fallback;
	pblk = ep + (lblk - eb);
	head = lblk - eb;
	tail = eb + el - end;
	/* written neighbours the run can join: adjacent in the file and on
	 * the device, and short enough */
	if (!head && i > 0) {
		pv = ent(h, i - 1);
		if (e_uninit(pv) || e_block(pv) + e_len(pv) != lblk || e_start(pv) + e_len(pv) != pblk ||
		    e_len(pv) + n > EXT_INIT_MAX_LEN)
			pv = NULL;
	}
	if (!tail && i + 1 < cnt) {
		nx = ent(h, i + 1);
		if (e_uninit(nx) || e_block(nx) != end || e_start(nx) != pblk + n ||
		    e_len(nx) + n > EXT_INIT_MAX_LEN)
			nx = NULL;
	}
	/* entries the leaf gains */
	need = (head && !nx) + (tail && !pv) - (!head && !tail && (pv || nx));
	if (!head && !tail && pv && nx && e_len(pv) + n + e_len(nx) <= EXT_INIT_MAX_LEN)
		need = -2;
	if (cnt + need > eh_max(h))
		goto fallback;
	if (!head && !tail) {
		if (need == -2) {	/* pv, the run and nx: one extent */
			e_set(pv, e_block(pv), e_start(pv), e_len(pv) + n + e_len(nx), 0);
			ent_move(h, i, i + 2, cnt - i - 2);
		} else if (pv) {
			e_set(pv, e_block(pv), e_start(pv), e_len(pv) + n, 0);
			ent_move(h, i, i + 1, cnt - i - 1);
		} else if (nx) {
			e_set(e, lblk, pblk, n + e_len(nx), 0);
			ent_move(h, i + 1, i + 2, cnt - i - 2);
		} else {
			e_set(e, lblk, pblk, n, 0);
		}
		if (need < 0)
			memset(ent(h, cnt + need), 0, 12 * (uint32_t)-need);
	} else if (!head) {	/* the run is the extent's head */
		if (pv) {
			e_set(pv, e_block(pv), e_start(pv), e_len(pv) + n, 0);
			e_set(e, end, pblk + n, tail, 1);
		} else {
			ent_move(h, i + 1, i, cnt - i);
			e_set(e, lblk, pblk, n, 0);
			e_set(ent(h, i + 1), end, pblk + n, tail, 1);
		}
	} else if (!tail) {	/* its tail */
		if (nx) {
			e_set(nx, lblk, pblk, n + e_len(nx), 0);
		} else {
			ent_move(h, i + 2, i + 1, cnt - i - 1);
			e_set(ent(h, i + 1), lblk, pblk, n, 0);
		}
		e_set(e, eb, ep, head, 1);
	} else {		/* its middle: head, run, tail */
		ent_move(h, i + 3, i + 1, cnt - i - 1);
		e_set(e, eb, ep, head, 1);
		e_set(ent(h, i + 1), lblk, pblk, n, 0);
		e_set(ent(h, i + 2), end, pblk + n, tail, 1);
	}
	put16(h + 2, (uint32_t)(cnt + need));
	node_dirty(fs, ip, &pa, lv);
	path_release(fs, &pa);
	return lv == 0 ? ext4_inode_write(fs, ip) : 0;
fallback:
	path_release(fs, &pa);
	return 1;
}

/* Removes entry i of node lv; frees nodes that become empty. */
static void delete_entry(struct vfs *fs, struct ext4_inode *ip, struct path *pa, int lv, int i)
{
	for (;;) {
		uint8_t *h = pa->p[lv].h;
		int cnt = eh_entries(h);

		ent_move(h, i, i + 1, cnt - i - 1);
		memset(ent(h, cnt - 1), 0, 12);
		put16(h + 2, cnt - 1);
		if (cnt - 1 > 0 || lv == 0) {
			node_dirty(fs, ip, pa, lv);
			if (i == 0 && cnt - 1 > 0)
				update_keys(fs, ip, pa, lv);
			if (lv == 0 && cnt - 1 == 0)
				ext4_ext_init_root(ip);
			return;
		}
		/* node empty: free it and drop its index entry */
		ext4_free_blocks(fs, pa->p[lv].b->blk, 1);
		ext4_i_add_blocks(fs, ip, -1);
		i = pa->p[lv - 1].idx;
		lv--;
	}
}

/* Pulls a single child back into the root while it fits. */
static int collapse(struct vfs *fs, struct ext4_inode *ip)
{
	uint8_t *root = ip->raw + I_BLOCK;

	while (eh_depth(root) > 0 && eh_entries(root) == 1) {
		struct ext4_buf *b;
		uint64_t child = ei_leaf(ent(root, 0));
		int err = ext4_bread(fs, child, &b);
		if (err)
			return err;
		if (eh_entries(b->data) > ROOT_MAX) {
			ext4_bput(fs, b);
			break;
		}
		memcpy(ent(root, 0), ent(b->data, 0), 12 * eh_entries(b->data));
		put16(root + 2, eh_entries(b->data));
		put16(root + 6, eh_depth(b->data));
		ext4_bput(fs, b);
		ext4_free_blocks(fs, child, 1);
		ext4_i_add_blocks(fs, ip, -1);
	}
	return 0;
}

/*
 * Unmaps [start, end); frees the data blocks when free_data. Works from the
 * end so that every intermediate state is a valid tree, which commit (the
 * journal's trigger, handed down by the caller so that this file does not
 * call up into journal.c; NULL: never) may commit when the transaction grows
 * large. Writes the inode.
 */
int ext4_ext_remove(struct vfs *fs, struct ext4_inode *ip, uint32_t start, uint32_t end, int free_data,
		    ext4_commit_t commit)
{
	int err = 0;

	fs->iseq++;	/* the root is in the inode */
	while (end > start) {
		struct path pa;
		uint8_t *h, *e;
		uint32_t eb, el, ee;
		uint64_t ep;
		int i, lv, un;

		err = find_path(fs, ip, end - 1, &pa);
		if (err)
			break;
		lv = pa.depth;
		h = pa.p[lv].h;
		i = pa.p[lv].idx;
		if (i < 0) {
			path_release(fs, &pa);
			break;
		}
		e = ent(h, i);
		eb = e_block(e);
		el = e_len(e);
		ee = eb + el;
		ep = e_start(e);
		un = e_uninit(e);
		if (ee <= start) {
			path_release(fs, &pa);
			break;
		}
		if (eb >= start && ee <= end) {
			delete_entry(fs, ip, &pa, lv, i);
			if (free_data) {
				ext4_free_blocks(fs, ep, el);
				ext4_i_add_blocks(fs, ip, -(int64_t)el);
			}
			end = eb;
		} else if (eb < start && ee <= end) {
			uint32_t keep = start - eb;
			e_set(e, eb, ep, keep, un);
			node_dirty(fs, ip, &pa, lv);
			if (free_data) {
				ext4_free_blocks(fs, ep + keep, el - keep);
				ext4_i_add_blocks(fs, ip, -(int64_t)(el - keep));
			}
			end = start;
		} else if (eb >= start) {
			uint32_t cut = end - eb;
			e_set(e, end, ep + cut, el - cut, un);
			node_dirty(fs, ip, &pa, lv);
			if (i == 0)
				update_keys(fs, ip, &pa, lv);
			if (free_data) {
				ext4_free_blocks(fs, ep, cut);
				ext4_i_add_blocks(fs, ip, -(int64_t)cut);
			}
			end = eb;
		} else {
			/* the range is inside one extent: keep the head, re-insert the tail */
			e_set(e, eb, ep, start - eb, un);
			node_dirty(fs, ip, &pa, lv);
			path_release(fs, &pa);
			err = ext4_inode_write(fs, ip);
			if (!err)
				err = ext4_ext_insert(fs, ip, end, ep + (end - eb), ee - end, un);
			if (err) {
				/* undo: give the head its old length back */
				struct path pb;
				if (!find_path(fs, ip, eb, &pb)) {
					if (pb.p[pb.depth].idx >= 0) {
						uint8_t *x = ent(pb.p[pb.depth].h, pb.p[pb.depth].idx);
						if (e_block(x) == eb)
							e_set(x, eb, ep, el, un);
						node_dirty(fs, ip, &pb, pb.depth);
					}
					path_release(fs, &pb);
				}
				ext4_inode_write(fs, ip);
				return err;
			}
			if (free_data) {
				ext4_free_blocks(fs, ep + (start - eb), end - start);
				ext4_i_add_blocks(fs, ip, -(int64_t)(end - start));
			}
			end = start;
			continue;
		}
		path_release(fs, &pa);
		/* A pure deletion is consistent after every step and may commit
		 * part way; an unmap that keeps the blocks (unwritten extent
		 * conversion) is not until the caller maps them again. */
		if (free_data && commit && (fs->ndirty > fs->tx_limit || fs->npend > EXT4_MAX_PENDING_FREE / 2)) {
			err = ext4_inode_write(fs, ip);
			if (!err)
				err = commit(fs);
			if (err)
				return err;
		}
	}
	if (!err)
		err = collapse(fs, ip);
	if (!err)
		err = ext4_inode_write(fs, ip);
	return err;
}

/*
 * The last extent that starts below end: its first logical block and
 * length in *lblk and *len. 1 when there is one, 0 when none, or a negative
 * errno. Lets a caller free a tree one extent at a time from the end
 * (vfs.c: the idle eviction of an unlinked inode, a few extents per step).
 */
int ext4_ext_last(struct vfs *fs, struct ext4_inode *ip, uint32_t end, uint32_t *lblk, uint32_t *len)
{
	struct path pa;
	int i, err;

	if (!end)
		return 0;
	err = find_path(fs, ip, end - 1, &pa);
	if (err)
		return err;
	i = pa.p[pa.depth].idx;
	if (i >= 0) {
		*lblk = e_block(ent(pa.p[pa.depth].h, i));
		*len = e_len(ent(pa.p[pa.depth].h, i));
	}
	path_release(fs, &pa);
	return i >= 0;
}
