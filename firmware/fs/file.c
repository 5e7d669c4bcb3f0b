/* Regular-file data: read, write (allocating), truncate. Data blocks go
 * straight to the device (never through the metadata cache), before the
 * transaction that maps them commits. */
#include "ext4.h"

uint64_t ext4_file_max_size(struct vfs *fs)
{
	return (uint64_t)0xffffffffu * fs->bs;
}

long ext4_file_read(struct vfs *fs, struct ext4_inode *ip, uint64_t off, void *buf, size_t len)
{
	uint64_t size = ext4_i_size(ip);
	uint8_t *out = buf;
	size_t done = 0;

	if (off >= size)
		return 0;
	if (len > size - off)
		len = (size_t)(size - off);
	while (done < len) {
		uint32_t lblk = (uint32_t)(off / fs->bs), boff = (uint32_t)(off % fs->bs);
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
			uint64_t nb = (len - done) / fs->bs;
			if (nb > mlen)
				nb = mlen;
			if (nb > 256)
				nb = 256;
			err = ext4_dev_read(fs, pblk, (uint32_t)nb, out + done);
			if (err)
				return done ? (long)done : err;
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
static int write_part(struct vfs *fs, uint64_t pblk, uint32_t boff, const uint8_t *src, size_t n, int fresh)
{
	int err;

	if (boff == 0 && n == fs->bs)
		return ext4_dev_write(fs, pblk, 1, src);
	if (fresh) {
		memset(fs->scratch, 0, fs->bs);
	} else {
		err = ext4_dev_read(fs, pblk, 1, fs->scratch);
		if (err)
			return err;
	}
	memcpy(fs->scratch + boff, src, n);
	return ext4_dev_write(fs, pblk, 1, fs->scratch);
}

long ext4_file_write(struct vfs *fs, struct ext4_inode *ip, uint64_t off, const void *buf, size_t len)
{
	const uint8_t *in = buf;
	size_t done = 0;
	int err = 0;

	if (off >= ext4_file_max_size(fs))
		return -EFBIG;
	if (len > ext4_file_max_size(fs) - off)
		len = (size_t)(ext4_file_max_size(fs) - off);
	while (done < len) {
		uint32_t lblk = (uint32_t)(off / fs->bs), boff = (uint32_t)(off % fs->bs);
		uint64_t pblk;
		uint32_t mlen;
		int un;
		size_t chunk;

		err = ext4_ext_map(fs, ip, lblk, &pblk, &mlen, &un);
		if (err)
			break;
		if (pblk && !un) {
			if (boff == 0 && len - done >= fs->bs) {
				uint64_t nb = (len - done) / fs->bs;
				if (nb > mlen)
					nb = mlen;
				if (nb > 256)
					nb = 256;
				err = ext4_dev_write(fs, pblk, (uint32_t)nb, in + done);
				chunk = (size_t)nb * fs->bs;
			} else {
				chunk = fs->bs - boff;
				if (chunk > len - done)
					chunk = len - done;
				err = write_part(fs, pblk, boff, in + done, chunk, 0);
			}
			if (err)
				break;
		} else if (pblk) {
			/* unwritten extent: write the blocks (a partial one
			 * zero-filled around the data), then mark them written;
			 * whole blocks go as one run, like written ones */
			uint32_t nb = 1;

			if (boff == 0 && len - done >= fs->bs) {
				uint64_t want = (len - done) / fs->bs;

				if (want > mlen)
					want = mlen;
				if (want > 256)
					want = 256;
				nb = (uint32_t)want;
				chunk = (size_t)nb * fs->bs;
				err = ext4_dev_write(fs, pblk, nb, in + done);
			} else {
				chunk = fs->bs - boff;
				if (chunk > len - done)
					chunk = len - done;
				err = write_part(fs, pblk, boff, in + done, chunk, 1);
			}
			if (!err)
				err = ext4_ext_remove(fs, ip, lblk, lblk + nb, 0, NULL);
			if (!err)
				err = ext4_ext_insert(fs, ip, lblk, pblk, nb, 0);
			if (err)
				break;
		} else {
			uint64_t want = ((uint64_t)boff + (len - done) + fs->bs - 1) / fs->bs;
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
					err = ext4_dev_write(fs, start + k, run, in + done + pos);
					pos += (size_t)run * fs->bs;
					k += run - 1;
				} else {
					err = write_part(fs, start + k, bo, in + done + pos, n, 1);
					pos += n;
				}
			}
			if (!err)
				err = ext4_ext_insert(fs, ip, lblk, start, got, 0);
			if (err) {
				ext4_free_blocks(fs, start, got);
				break;
			}
			ext4_i_add_blocks(fs, ip, got);
		}
		done += chunk;
		off += chunk;
		if (off > ext4_i_size(ip))
			ext4_i_set_size(ip, off);
		err = ext4_inode_write(fs, ip);
		if (!err)
			err = ext4_maybe_commit(fs);
		if (err)
			break;
	}
	if (done)
		return (long)done;
	return err;
}

/* Zeroes bytes [from, end of its block) when that block holds data. */
static int zero_tail(struct vfs *fs, struct ext4_inode *ip, uint64_t from)
{
	uint32_t boff = (uint32_t)(from % fs->bs);
	uint64_t pblk;
	uint32_t mlen;
	int un, err;

	if (!boff)
		return 0;
	err = ext4_ext_map(fs, ip, (uint32_t)(from / fs->bs), &pblk, &mlen, &un);
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

	if ((ext4_i_flags(ip) & EXT4_EXTENTS_FL) &&
	    (mode == S_IFREG_ || mode == S_IFDIR_ || mode == S_IFLNK_)) {
		err = ext4_ext_remove(fs, ip, 0, 0xffffffffu, 1, ext4_maybe_commit);
	}
	if (!err)
		err = ext4_xattr_release(fs, ip);
	return err;
}
