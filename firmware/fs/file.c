/* Regular-file data: read, write (allocating), truncate. Data blocks never
 * go through the metadata cache. Regular files go through the page cache
 * (pcache.h): read hits are copied or handed out by reference, misses fill
 * frames straight from the device with read-ahead; writes land in frames,
 * dirty, and reach the device at the next commit (ordered mode: before the
 * transaction that maps them, see pcache_writeback_fs) or when the cache
 * needs room. Whatever reads file data from the device behind the cache
 * writes that range's dirty blocks back first. */
#include "ext4.h"
#include "pcache.h"

uint64_t ext4_file_max_size(struct vfs *fs)
{
	return (uint64_t)0xffffffffu * fs->bs;
}

/* The whole blocks one device command moves of a mapped run of mlen blocks
 * when left bytes remain: as many as left holds whole, at most 256. */
static uint32_t whole_run(const struct vfs *fs, uint32_t mlen, size_t left)
{
	uint64_t nb = left >> fs->log_bs;

	if (nb > mlen)
		nb = mlen;
	return nb > 256 ? 256 : (uint32_t)nb;
}

/* Whole blocks of a mapped run straight into the caller's buffer (see
 * whole_run). Returns the blocks read, or a negative errno. */
static long read_run(struct vfs *fs, uint64_t pblk, uint32_t mlen, size_t left, uint8_t *out)
{
	uint32_t nb = whole_run(fs, mlen, left);
	int err = ext4_dev_read(fs, pblk, nb, out);

	return err ? err : (long)nb;
}

static long read_uncached(struct vfs *fs, struct ext4_inode *ip, uint64_t off, void *buf, size_t len)
{
	uint64_t size = ext4_i_size(ip);
	uint8_t *out = buf;
	size_t done = 0;

	if (off >= size)
		return 0;
	if (len > size - off)
		len = (size_t)(size - off);
	while (done < len) {
		uint32_t lblk = (uint32_t)(off >> fs->log_bs), boff = (uint32_t)off & (fs->bs - 1);
		uint64_t pblk;
		uint32_t mlen;
		int un, err = ext4_ext_map(fs, ip, lblk, &pblk, &mlen, &un);
		size_t chunk;

		if (err)
			return done ? (long)done : err;
		if (!pblk || un) {
			uint64_t hole = (uint64_t)mlen * fs->bs - boff;
			chunk = len - done < hole ? len - done : (size_t)hole;
			memset(out + done, 0, chunk);
		} else if (boff == 0 && len - done >= fs->bs) {
			long nb = read_run(fs, pblk, mlen, len - done, out + done);

			if (nb < 0)
				return done ? (long)done : nb;
			chunk = (size_t)nb * fs->bs;
		} else {
			err = ext4_dev_read(fs, pblk, 1, fs->scratch);
			if (err)
				return done ? (long)done : err;
			chunk = fs->bs - boff;
			if (chunk > len - done)
				chunk = len - done;
			memcpy(out + done, fs->scratch + boff, chunk);
		}
		done += chunk;
		off += chunk;
	}
	return (long)done;
}

/* Blocks a file of this size covers, for the page cache (PCACHE_NONE: all). */
static uint32_t size_blocks(struct vfs *fs, uint64_t size)
{
	uint64_t n = (size + fs->bs - 1) >> fs->log_bs;

	return n < PCACHE_NONE ? (uint32_t)n : PCACHE_NONE;
}

static int cacheable(struct vfs *fs, const struct ext4_inode *ip)
{
	if ((ext4_i_mode(ip) & S_IFMT_) != S_IFREG_ || !pcache_enabled())
		return 0;
	if (fs->broken) {	/* memory and disk may disagree: trust neither */
		pcache_drop_fs(fs);
		return 0;
	}
	return 1;
}

/*
 * Brings blocks from lblk (a miss) on into frames with one device read: as
 * many as are mapped to one physical run, uncached, below ra_end and fit in
 * one run of frames. Returns the
 * blocks read, 0 for a hole or an unwritten block (nothing to cache) or when
 * every frame is pinned (*nofr set), or a negative errno.
 */
static long fill(struct vfs *fs, struct ext4_inode *ip, uint32_t lblk, uint32_t asked_end, uint32_t ra_end,
		 int *nofr)
{
	struct vfs_pcache_stats *st = pcache_stats_mut();
	uint64_t pblk;
	uint32_t mlen, want, first, got;
	int un, err = ext4_ext_map(fs, ip, lblk, &pblk, &mlen, &un);

	*nofr = 0;
	if (err)
		return err;
	if (!pblk || un)
		return 0;
	want = ra_end - lblk;
	if (want > mlen)
		want = mlen;
	if (want > 256)
		want = 256;
	for (uint32_t k = 1; k < want; k++)
		if (pcache_find(fs, ip->ino, lblk + k)) {
			want = k;
			break;
		}
	got = pcache_alloc_run(want, &first);
	if (!got) {
		*nofr = 1;
		return 0;
	}
	err = ext4_dev_read(fs, pblk, got, pcache_frame(first));
	/* blocks smaller than a frame (another mount's size set the frames)
	 * land packed: spread them a frame apart, last first
	 * (each moves up, past every block still to move) */
	for (uint32_t k = got - 1; !err && fs->bs < pcache_stride() && k > 0; k--)
		memmove(pcache_frame(first + k), pcache_frame(first) + (size_t)k * fs->bs, fs->bs);
	for (uint32_t k = 0; k < got; k++) {
		if (err)
			pcache_unreserve(first + k);
		else
			pcache_insert(first + k, fs, ip->ino, lblk + k);
	}
	if (err)
		return err;
	st->fills++;
	st->filled += got;
	if (lblk + got > asked_end)
		st->readahead += lblk + got - (lblk >= asked_end ? lblk : asked_end);
	return got;
}

/*
 * The cached read: into out (copies), or as pieces into seg (by reference,
 * frames pinned) when seg is set. A copy of PCACHE_DIRECT_MIN or more reads
 * uncached whole blocks straight into out (a DAX fill: the window is their
 * cache, a second copy in frames would only push others out).
 */
static long read_cached(struct vfs *fs, struct ext4_inode *ip, uint64_t off, size_t len, uint8_t *out,
			struct vfs_seg *seg, unsigned max, unsigned *nseg)
{
	struct vfs_pcache_stats *st = pcache_stats_mut();
	uint64_t size = ext4_i_size(ip);
	uint32_t asked_end, ra_end, eof_blk;
	size_t done = 0;
	unsigned ns = 0;

	if (nseg)
		*nseg = 0;
	if (off >= size || !len)
		return 0;
	if (len > size - off)
		len = (size_t)(size - off);
	eof_blk = (uint32_t)((size + fs->bs - 1) >> fs->log_bs);
	asked_end = (uint32_t)((off + len - 1) >> fs->log_bs) + 1;
	ra_end = asked_end + pcache_readahead(fs, ip->ino, (uint32_t)(off >> fs->log_bs), asked_end);
	if (ra_end > eof_blk || ra_end < asked_end)
		ra_end = eof_blk;
	while (done < len) {
		/* shifts: a 64-bit division is a libgcc call on RV32 */
		uint32_t lblk = (uint32_t)(off >> fs->log_bs), boff = (uint32_t)off & (fs->bs - 1);
		size_t chunk = fs->bs - boff < len - done ? fs->bs - boff : len - done;
		const uint8_t *src = pcache_find(fs, ip->ino, lblk);

		if (src) {
			st->hits++;
		} else {
			int nofr;
			long r;

			st->misses++;
			if (!seg && boff == 0 && len - done >= PCACHE_DIRECT_MIN) {
				/* whole blocks to a caller's buffer: as before */
				uint64_t pblk;
				uint32_t mlen;
				int un, err = ext4_ext_map(fs, ip, lblk, &pblk, &mlen, &un);

				if (!err && pblk && !un)	/* the device must hold the newest bytes */
					err = pcache_writeback_range(fs, ip->ino, lblk,
								     lblk + whole_run(fs, mlen, len - done));
				if (err)
					return done ? (long)done : err;
				if (pblk && !un) {
					long nb = read_run(fs, pblk, mlen, len - done, out + done);

					if (nb < 0)
						return done ? (long)done : nb;
					st->direct += (uint64_t)nb;
					done += (size_t)nb * fs->bs;
					off += (size_t)nb * fs->bs;
					continue;
				}
			}
			r = fill(fs, ip, lblk, asked_end, ra_end > lblk ? ra_end : lblk + 1, &nofr);
			if (r < 0)
				return done ? (long)done : r;
			if (r == 0 && nofr) {
				/* every frame pinned: the caller finishes by copy */
				if (seg)
					break;
				r = read_uncached(fs, ip, off, out + done, chunk);
				if (r <= 0)
					return done ? (long)done : r;
				done += (size_t)r;
				off += (size_t)r;
				continue;
			}
			if (r > 0)
				src = pcache_find(fs, ip->ino, lblk);
		}
		if (seg) {
			const uint8_t *p = src ? src + boff : NULL;

			if (ns && ((!p && !seg[ns - 1].p) ||
				   (p && seg[ns - 1].p && (const uint8_t *)seg[ns - 1].p + seg[ns - 1].len == p))) {
				seg[ns - 1].len += (uint32_t)chunk;
			} else {
				if (ns == max)
					break;
				seg[ns].p = p;
				seg[ns].len = (uint32_t)chunk;
				ns++;
			}
			if (src)
				pcache_pin(src);
		} else if (src) {
			pcache_copy(out + done, src + boff, chunk);
		} else {
			memset(out + done, 0, chunk);	/* a hole or an unwritten block */
		}
		done += chunk;
		off += chunk;
	}
	if (nseg)
		*nseg = ns;
	return (long)done;
}

long ext4_file_read(struct vfs *fs, struct ext4_inode *ip, uint64_t off, void *buf, size_t len)
{
	/* a big copy (a DAX fill) from frames only when copying is cheap;
	 * otherwise from the device, once the dirty blocks are written back */
	if (!cacheable(fs, ip))
		return read_uncached(fs, ip, off, buf, len);
	if (len >= PCACHE_DIRECT_MIN && !pcache_copy_cheap()) {
		int err = ext4_dalloc_inode(fs, ip, (uint32_t)(off >> fs->log_bs), size_blocks(fs, off + len));

		if (!err)
			err = pcache_writeback_range(fs, ip->ino, (uint32_t)(off >> fs->log_bs),
						     size_blocks(fs, off + len));

		return err ? err : read_uncached(fs, ip, off, buf, len);
	}
	return read_cached(fs, ip, off, len, buf, NULL, 0, NULL);
}

long ext4_file_read_ref(struct vfs *fs, struct ext4_inode *ip, uint64_t off, size_t len, struct vfs_seg *seg,
			unsigned max, unsigned *nseg)
{
	*nseg = 0;
	if (!cacheable(fs, ip) || !max)
		return 0;
	pcache_stats_mut()->ref_reads++;
	return read_cached(fs, ip, off, len, NULL, seg, max, nseg);
}

static uint64_t goal_for(struct vfs *fs, struct ext4_inode *ip, uint32_t lblk)
{
	uint64_t p;
	uint32_t l;
	int un;

	if (lblk && !ext4_ext_map(fs, ip, lblk - 1, &p, &l, &un) && p)
		return p + 1;
	return fs->first_data_block + (uint64_t)((ip->ino - 1) / fs->ipg) * fs->bpg;
}

/* Writes one block's worth: whole blocks from src, or a read-modify-write. */
static int write_part(struct vfs *fs, uint64_t pblk, uint32_t boff, const uint8_t *src, size_t n, int fresh,
		      const uint8_t *cached)
{
	int err;

	if (boff == 0 && n == fs->bs)
		return ext4_dev_write(fs, pblk, 1, src);
	if (cached && !fresh) {
		memcpy(fs->scratch, cached, fs->bs);	/* the device's bytes, no read */
	} else if (fresh) {
		memset(fs->scratch, 0, fs->bs);
	} else {
		err = ext4_dev_read(fs, pblk, 1, fs->scratch);
		if (err)
			return err;
	}
	memcpy(fs->scratch + boff, src, n);
	return ext4_dev_write(fs, pblk, 1, fs->scratch);
}

/*
 * Write-back: bytes [boff, boff + len) from the start of block lblk (at
 * pblk.., contiguous on the device) land in frames, dirty. A cached block
 * is updated; an uncached one gets a frame (the one after its
 * predecessor's when that is free, so write-back runs stay one command),
 * read from the device first only when the write covers part of it and it
 * holds data (fresh: zeros). A block no frame can be had for (every frame
 * pinned) goes straight to the device.
 */
static int cache_write(struct vfs *fs, uint32_t ino, uint32_t lblk, uint64_t pblk, uint32_t boff,
		       const uint8_t *src, size_t len, int fresh)
{
	uint32_t last = PCACHE_NONE;	/* the frame of the block before, placed here */

	while (len) {
		size_t n = fs->bs - boff < len ? fs->bs - boff : len;
		uint8_t *fr = pcache_find(fs, ino, lblk);
		uint32_t i;
		int err;

		if (fr) {
			i = pcache_index(fr);
		} else {
			const uint8_t *prev = last != PCACHE_NONE ? pcache_frame(last) :
					      lblk ? pcache_find(fs, ino, lblk - 1) : NULL;

			if (!(prev && pcache_alloc_at(i = pcache_index(prev) + 1)) && !pcache_alloc_run(1, &i)) {
				err = write_part(fs, pblk, boff, src, n, fresh, NULL);
				if (err)
					return err;
				last = PCACHE_NONE;
				goto next;
			}
			err = fs->broken ? -EIO : 0;	/* a write-back to make room failed */
			fr = pcache_frame(i);
			if (!err && n < fs->bs) {
				if (fresh)
					memset(fr, 0, fs->bs);
				else
					err = ext4_dev_read(fs, pblk, 1, fr);
			}
			if (err) {
				pcache_unreserve(i);
				return err;
			}
			pcache_insert(i, fs, ino, lblk);
		}
		if (n == fs->bs)
			pcache_copy_in(fr, src, n);
		else
			memcpy(fr + boff, src, n);
		pcache_set_dirty(i, pblk);
		last = i;
next:
		lblk++;
		pblk++;
		src += n;
		len -= n;
		boff = 0;
	}
	return 0;
}

/*
 * Delayed allocation: a write into a hole (or past EOF) reserves space and
 * lands in frames marked delayed, with no device block; ext4_dalloc_*
 * allocates them later (every commit first, and whatever looks at the
 * file's mapping or reads the device behind the cache), a run of them with
 * one allocation and one extent. So a sequence of appends edits bitmaps,
 * group descriptor and extent tree once per commit, not once per WRITE.
 *
 * The reservation (ext4_dalloc_resv, which every other allocation leaves
 * free) makes ENOSPC a WRITE's answer, never a commit's. Where it cannot be
 * had, or no frame can, or a quarter of the cache is delayed already, the
 * write allocates at once, as before.
 */
static int can_delay(struct vfs *fs, uint32_t nb)
{
	uint64_t d = (uint64_t)fs->pc_delay + nb;

	return ext4_sb_free_blocks(fs) >= 2 * d + d / 32 + 4 && pcache_delay_room(nb);
}

/* Bytes [boff, boff + len) from block lblk on, all in a hole of mlen blocks,
 * into delayed frames. Returns the bytes placed: 0 when delaying is not
 * possible (the caller allocates), fewer when frames ran out. */
static size_t delay_write(struct vfs *fs, uint32_t ino, uint32_t lblk, uint32_t boff, const uint8_t *src,
			  size_t len, uint32_t mlen)
{
	uint64_t want = ((uint64_t)boff + len + fs->bs - 1) >> fs->log_bs;
	uint32_t last = PCACHE_NONE;	/* the frame of the block before */
	size_t done = 0;

	if (want > mlen)
		want = mlen;
	if (!fs->dalloc || !can_delay(fs, (uint32_t)want))
		return 0;
	if (len > (size_t)want * fs->bs - boff)
		len = (size_t)want * fs->bs - boff;
	while (done < len && !fs->broken) {
		size_t n = fs->bs - boff < len - done ? fs->bs - boff : len - done;
		uint8_t *fr = pcache_find(fs, ino, lblk);
		uint32_t i;

		if (fr) {
			i = pcache_index(fr);	/* delayed already: a hole's frame is never clean */
		} else {
			const uint8_t *prev = last != PCACHE_NONE ? pcache_frame(last) :
					      lblk ? pcache_find(fs, ino, lblk - 1) : NULL;

			/* the frame after its predecessor's: one write-back command */
			if (!(prev && pcache_alloc_at(i = pcache_index(prev) + 1)) && !pcache_alloc_run(1, &i))
				break;
			fr = pcache_frame(i);
			if (n < fs->bs)
				memset(fr, 0, fs->bs);
			pcache_insert(i, fs, ino, lblk);
		}
		if (n == fs->bs)
			pcache_copy_in(fr, src + done, n);
		else
			memcpy(fr + boff, src + done, n);
		pcache_set_delayed(i);
		last = i;
		done += n;
		lblk++;
		boff = 0;
	}
	return done;
}

/* Delayed blocks [lblk, lblk + n) of ip get device blocks: as many as one
 * allocation gives (the caller comes back for the rest). */
static int alloc_delayed(struct vfs *fs, struct ext4_inode *ip, uint32_t lblk, uint32_t n)
{
	uint64_t start;
	uint32_t got;
	int err = ext4_alloc_blocks(fs, goal_for(fs, ip, lblk), n, &start, &got);

	if (err)
		return err;
	err = ext4_ext_insert(fs, ip, lblk, start, got, 0);
	if (err) {
		ext4_free_blocks(fs, start, got);
		return err;
	}
	ext4_i_add_blocks(fs, ip, got);
	for (uint32_t k = 0; k < got; k++)
		pcache_set_dirty(pcache_index(pcache_find(fs, ip->ino, lblk + k)), start + k);
	return 0;
}

int ext4_dalloc_inode(struct vfs *fs, struct ext4_inode *ip, uint32_t first, uint32_t end)
{
	uint32_t lblk;
	int err = 0, any = 0;

	fs->dalloc_busy++;
	while (!err && (lblk = pcache_delayed_in(fs, ip->ino, first, end)) != PCACHE_NONE) {
		uint32_t n = 1;

		/* the run of delayed blocks from there: one allocation */
		for (uint8_t *fr; n < 2048 && lblk + n < end; n++) {
			fr = pcache_find(fs, ip->ino, lblk + n);
			if (!fr || !pcache_is_delayed(fr))
				break;
		}
		err = alloc_delayed(fs, ip, lblk, n);
		any = 1;
		first = lblk;
	}
	fs->dalloc_busy--;
	if (!err && any)
		err = ext4_inode_write(fs, ip);
	return err;
}

/*
 * Every delayed block of the mount (ext4_commit's first step, fs->dalloc).
 * Inodes come from disk but the one the running file operation holds
 * (fs->dalloc_ip), whose copy the caller writes back later. An unlinked
 * inode's frames stay delayed: it is freed without them, and an eviction
 * may hold a copy of it right now.
 */
int ext4_dalloc_all(struct vfs *fs)
{
	uint32_t cur = PCACHE_NONE, ino;
	int err = 0;

	while (!err && pcache_next_delayed(fs, &cur, &ino) != PCACHE_NONE) {
		struct ext4_inode tmp, *ip = &tmp;

		if (fs->dalloc_ip && fs->dalloc_ip->ino == ino)
			ip = fs->dalloc_ip;
		else
			err = ext4_inode_read(fs, ino, &tmp);
		if (!err && ext4_i_nlink(ip))
			err = ext4_dalloc_inode(fs, ip, 0, PCACHE_NONE);
	}
	return err;
}

/* The delayed run of ino from lblk on (frames found through the hash, no
 * walk of the dirty list): its length, max at most. */
static uint32_t delayed_run(struct vfs *fs, uint32_t ino, uint32_t lblk, uint32_t max)
{
	uint32_t n = 1;

	for (uint8_t *fr; n < max && lblk + n != PCACHE_NONE; n++) {
		fr = pcache_find(fs, ino, lblk + n);
		if (!fr || !pcache_is_delayed(fr))
			break;
	}
	return n;
}

/*
 * Idle work (vfs_idle), before the commit that would give every delayed
 * block its own at once: the run of the oldest delayed frame of a linked
 * inode gets blocks, max at most, so a step is bounded and the blocks go
 * out in bounded write-back steps before the commit (ordered mode holds:
 * the commit that maps them still writes their data first). Blocks given,
 * 0 when no delayed frame that can have one is left, or a negative errno.
 */
int ext4_dalloc_step(struct vfs *fs, uint32_t max)
{
	uint32_t cur = PCACHE_NONE, ino, skip = 0, lblk, n, done = 0;
	struct ext4_inode ip;
	int err = 0;

	while ((lblk = pcache_next_delayed(fs, &cur, &ino)) != PCACHE_NONE) {
		if (ino == skip)
			continue;
		err = ext4_inode_read(fs, ino, &ip);
		if (err)
			return err;
		if (ext4_i_nlink(&ip))
			break;
		skip = ino;	/* unlinked: freed with its frames still delayed */
	}
	if (lblk == PCACHE_NONE)
		return 0;
	n = delayed_run(fs, ino, lblk, max);
	fs->dalloc_busy++;	/* the reservation is theirs */
	while (!err && done < n) {
		err = alloc_delayed(fs, &ip, lblk + done, n - done);
		/* one allocation may give fewer: past the frames that got theirs */
		while (!err && done < n && !pcache_is_delayed(pcache_find(fs, ino, lblk + done)))
			done++;
	}
	fs->dalloc_busy--;
	if (!err)
		err = ext4_inode_write(fs, &ip);
	return err ? err : (int)n;
}

/*
 * Bytes [boff, boff + len) from block lblk on, into frames that are dirty
 * already: a delayed frame stays delayed, one with its device block keeps
 * it (a dirty frame is mapped written: an unwritten block is converted by
 * the write that dirties its frame, and frames whose mapping changes are
 * dropped). So a rewrite of blocks written since their last write-back
 * needs no extent lookup. Returns the bytes placed, up to the first block
 * without such a frame.
 */
static size_t rewrite_dirty(struct vfs *fs, uint32_t ino, uint32_t lblk, uint32_t boff, const uint8_t *src,
			    size_t len)
{
	size_t done = 0;

	while (done < len) {
		size_t n = fs->bs - boff < len - done ? fs->bs - boff : len - done;
		uint8_t *fr = pcache_find(fs, ino, lblk);

		if (!fr || !pcache_redirty(fr))
			break;
		if (n == fs->bs)
			pcache_copy_in(fr, src + done, n);
		else
			memcpy(fr + boff, src + done, n);
		done += n;
		lblk++;
		boff = 0;
	}
	return done;
}

/* Blocks from lblk (at pblk..) take len bytes of src from boff into the
 * first: whole blocks (boff 0, len a multiple of the block size) or part of
 * one block. Into the page cache (wb), or straight to the device. */
static int put_data(struct vfs *fs, uint32_t ino, int wb, uint32_t lblk, uint64_t pblk, uint32_t boff,
		    const uint8_t *src, size_t len, int fresh)
{
	if (wb)
		return cache_write(fs, ino, lblk, pblk, boff, src, len, fresh);
	if (boff == 0 && !(len & (fs->bs - 1)))
		return ext4_dev_write(fs, pblk, (uint32_t)(len >> fs->log_bs), src);
	return write_part(fs, pblk, boff, src, len, fresh, fresh ? NULL : pcache_find(fs, ino, lblk));
}

long ext4_file_write(struct vfs *fs, struct ext4_inode *ip, uint64_t off, const void *buf, size_t len)
{
	struct ext4_inode *held = fs->dalloc_ip;
	const uint8_t *in = buf;
	size_t done = 0;
	int err = 0, wb = cacheable(fs, ip);

	if (off >= ext4_file_max_size(fs))
		return -EFBIG;
	if (len > ext4_file_max_size(fs) - off)
		len = (size_t)(ext4_file_max_size(fs) - off);
	/* a commit part way (below) gives delayed blocks of this inode theirs
	 * in this copy, which is what gets written */
	fs->dalloc_ip = ip;
	while (done < len) {
		uint32_t lblk = (uint32_t)(off >> fs->log_bs), boff = (uint32_t)off & (fs->bs - 1);
		uint64_t pblk;
		uint32_t mlen;
		int un;
		size_t chunk;

		if (wb && (chunk = rewrite_dirty(fs, ip->ino, lblk, boff, in + done, len - done)) > 0)
			goto placed;
		err = ext4_ext_map(fs, ip, lblk, &pblk, &mlen, &un);
		if (err)
			break;
		if (pblk && !un) {
			if (boff == 0 && len - done >= fs->bs) {
				chunk = (size_t)whole_run(fs, mlen, len - done) * fs->bs;
			} else {
				chunk = fs->bs - boff;
				if (chunk > len - done)
					chunk = len - done;
			}
			err = put_data(fs, ip->ino, wb, lblk, pblk, boff, in + done, chunk, 0);
			if (err)
				break;
		} else if (pblk) {
			/* unwritten extent: write the blocks (a partial one
			 * zero-filled around the data), then mark them written;
			 * whole blocks go as one run, like written ones */
			uint32_t nb = 1;

			if (boff == 0 && len - done >= fs->bs) {
				nb = whole_run(fs, mlen, len - done);
				chunk = (size_t)nb * fs->bs;
			} else {
				chunk = fs->bs - boff;
				if (chunk > len - done)
					chunk = len - done;
			}
			err = put_data(fs, ip->ino, wb, lblk, pblk, boff, in + done, chunk, 1);
			/* in the extent's leaf when it can (no inode write
			 * when the tree has depth); else unmap and map again */
			if (!err && (err = ext4_ext_convert(fs, ip, lblk, nb)) > 0) {
				err = ext4_ext_remove(fs, ip, lblk, lblk + nb, 0, NULL);
				if (!err)
					err = ext4_ext_insert(fs, ip, lblk, pblk, nb, 0);
			}
			if (err) {
				/* not mapped as written: no frame may say they are */
				pcache_drop(fs, ip->ino, lblk, lblk + nb);
				break;
			}
		} else if (wb && (chunk = delay_write(fs, ip->ino, lblk, boff, in + done, len - done, mlen)) > 0) {
			/* delayed: the blocks come at the commit */
		} else {
			uint64_t want = ((uint64_t)boff + (len - done) + fs->bs - 1) >> fs->log_bs;
			uint64_t start;
			uint32_t got;
			size_t pos = 0;

			if (want > mlen)
				want = mlen;
			if (want > 2048)
				want = 2048;
			err = ext4_alloc_blocks(fs, goal_for(fs, ip, lblk), (uint32_t)want, &start, &got);
			if (err == -ENOSPC && fs->npend) {
				/* blocks freed in this transaction come back at its
				 * commit; the file is consistent here, so commit */
				err = ext4_commit(fs);
				if (!err)
					err = ext4_alloc_blocks(fs, goal_for(fs, ip, lblk), (uint32_t)want,
								&start, &got);
			}
			if (err)
				break;
			chunk = (size_t)got * fs->bs - boff;
			if (chunk > len - done)
				chunk = len - done;
			for (uint32_t k = 0; k < got && !err; k++) {
				uint32_t bo = k ? 0 : boff;
				size_t n = fs->bs - bo;
				if (n > chunk - pos)
					n = chunk - pos;
				if (bo == 0 && n == fs->bs) {
					/* run of whole blocks in one request */
					uint32_t run = 1;
					while (k + run < got && chunk - pos - (size_t)run * fs->bs >= fs->bs &&
					       run < 256)
						run++;
					err = put_data(fs, ip->ino, wb, lblk + k, start + k, 0, in + done + pos,
						       (size_t)run * fs->bs, 1);
					pos += (size_t)run * fs->bs;
					k += run - 1;
				} else {
					err = put_data(fs, ip->ino, wb, lblk + k, start + k, bo, in + done + pos, n, 1);
					pos += n;
				}
			}
			if (!err)
				err = ext4_ext_insert(fs, ip, lblk, start, got, 0);
			if (err) {
				pcache_drop(fs, ip->ino, lblk, lblk + got);	/* unmapped, freed */
				ext4_free_blocks(fs, start, got);
				break;
			}
			ext4_i_add_blocks(fs, ip, got);
		}
placed:
		if (!wb)
			pcache_update(fs, ip->ino, fs->log_bs, off, in + done, chunk);
		done += chunk;
		off += chunk;
		if (off > ext4_i_size(ip))
			ext4_i_set_size(ip, off);
		if (done == len)
			break;	/* the caller writes the inode (with its times): once, not twice */
		err = ext4_inode_write(fs, ip);
		if (!err)
			err = ext4_maybe_commit(fs);
		if (err)
			break;
	}
	/* written through, the device may hold part of what failed. Written
	 * back, frames of blocks that stayed mapped keep what reached them
	 * (and older dirty bytes around it): the file's data, as the device's
	 * would be; frames of blocks not mapped went above. */
	if (err && done < len && !wb)
		pcache_drop(fs, ip->ino, (uint32_t)(off >> fs->log_bs),
			    (uint32_t)((off + (len - done) + fs->bs - 1) >> fs->log_bs));
	fs->dalloc_ip = held;
	if (done)
		return (long)done;
	return err;
}

/* Zeroes bytes [from, end of its block) when that block holds data. */
static int zero_tail(struct vfs *fs, struct ext4_inode *ip, uint64_t from)
{
	uint32_t boff = (uint32_t)from & (fs->bs - 1);
	uint64_t pblk;
	uint32_t mlen;
	int un, err;

	if (!boff)
		return 0;
	err = ext4_ext_map(fs, ip, (uint32_t)(from >> fs->log_bs), &pblk, &mlen, &un);
	if (err || !pblk || un)
		return err;
	err = ext4_dev_read(fs, pblk, 1, fs->scratch);
	if (err)
		return err;
	memset(fs->scratch + boff, 0, fs->bs - boff);
	return ext4_dev_write(fs, pblk, 1, fs->scratch);
}

int ext4_file_truncate(struct vfs *fs, struct ext4_inode *ip, uint64_t size)
{
	uint64_t old = ext4_i_size(ip);
	int err;

	if (size > ext4_file_max_size(fs))
		return -EFBIG;
	/* the block holding the lower end is zeroed past it on the device (its
	 * dirty bytes go there first), the rest goes (no block past the larger
	 * size is cached) */
	{
		uint32_t low = (uint32_t)((size < old ? size : old) >> fs->log_bs);

		err = pcache_writeback_range(fs, ip->ino, low, low + 1);
		if (err)
			return err;
	}
	pcache_drop(fs, ip->ino, (uint32_t)((size < old ? size : old) / fs->bs), size_blocks(fs, size > old ? size : old));
	if (size < old) {
		uint64_t first = (size + fs->bs - 1) / fs->bs;
		err = zero_tail(fs, ip, size);
		if (!err && first < 0xffffffffull)
			err = ext4_ext_remove(fs, ip, (uint32_t)first, 0xffffffffu, 1, ext4_maybe_commit);
		if (err)
			return err;
	} else if (size > old) {
		err = zero_tail(fs, ip, old);
		if (err)
			return err;
	}
	ext4_i_set_size(ip, size);
	return ext4_inode_write(fs, ip);
}

/* Frees everything an inode owns (data, tree, xattr block) before it is freed. */
int ext4_file_release_all(struct vfs *fs, struct ext4_inode *ip)
{
	uint32_t mode = ext4_i_mode(ip) & S_IFMT_;
	int err = 0;

	/* the inode number may come back; nothing past its size is cached */
	pcache_drop(fs, ip->ino, 0, size_blocks(fs, ext4_i_size(ip)));

	if ((ext4_i_flags(ip) & EXT4_EXTENTS_FL) &&
	    (mode == S_IFREG_ || mode == S_IFDIR_ || mode == S_IFLNK_)) {
		err = ext4_ext_remove(fs, ip, 0, 0xffffffffu, 1, ext4_maybe_commit);
	}
	if (!err)
		err = ext4_xattr_release(fs, ip);
	return err;
}
