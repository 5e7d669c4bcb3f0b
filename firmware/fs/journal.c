/*
 * jbd2 journal: replay at mount, and the commit path.
 *
 * One transaction open at a time; committed transactions accumulate in the
 * log until a checkpoint. Between commits, metadata changes stay in the
 * cache (dirty buffers); file data goes to its blocks directly.
 * ext4_commit():
 *   1. freed blocks go back to the bitmaps (they were held until now so that
 *      nothing the committed state uses could be overwritten by new data);
 *   2. from the log head on: the journal superblock (start, sequence) when
 *      the log was empty, descriptor blocks and a copy of every dirty
 *      buffer, gathered in the stage (fs->jstage, EXT4_JSTAGE_BYTES) and
 *      written with one command per contiguous piece of the journal;
 *   3. FLUSH, then the commit block written with FUA: the transaction is
 *      durable when that write returns, and the commit block can never be
 *      durable before the blocks it covers (jbd2's REQ_PREFLUSH | REQ_FUA;
 *      without FUA in the blockdev, write + FLUSH);
 *   4. the buffers stay in the cache, committed but not home (BUF_JDIRTY).
 * ext4_checkpoint() writes them home in block order (merged runs through
 * the stage), FLUSH, journal superblock start = 0, FLUSH; the log starts
 * again at jfirst (it never wraps: a commit that would pass the end
 * checkpoints first). It runs after a commit that freed a block the log
 * holds (a replay must never bring old metadata back over what the block
 * holds next: the job of jbd2's revoke records), once a quarter of the log
 * or of the cache is in use, and at unmount. A crash before 3 completes
 * leaves the previous state; after it, replay at the next mount (ours, the
 * kernel's or e2fsck's) applies every committed transaction in the log.
 */
#include "crc.h"
#include "ext4.h"
#include "pcache.h"

#define JBD2_MAGIC 0xc03b3998u
#define JT_DESC 1
#define JT_COMMIT 2
#define JT_SB1 3
#define JT_SB2 4
#define JT_REVOKE 5

#define JF_INCOMPAT_REVOKE 0x1
#define JF_INCOMPAT_64BIT 0x2
#define JF_INCOMPAT_ASYNC 0x4
#define JF_INCOMPAT_CSUM2 0x8
#define JF_INCOMPAT_CSUM3 0x10
#define JF_KNOWN (JF_INCOMPAT_REVOKE | JF_INCOMPAT_64BIT | JF_INCOMPAT_ASYNC | \
		  JF_INCOMPAT_CSUM2 | JF_INCOMPAT_CSUM3)

#define TAG_ESCAPE 1
#define TAG_SAME_UUID 2
#define TAG_LAST 8

/* journal superblock offsets */
#define JS_BLOCKSIZE 0x0c
#define JS_MAXLEN 0x10
#define JS_FIRST 0x14
#define JS_SEQUENCE 0x18
#define JS_START 0x1c
#define JS_FEAT_COMPAT 0x24
#define JS_FEAT_INCOMPAT 0x28
#define JS_UUID 0x30
#define JS_CSUM_TYPE 0x50
#define JS_CHECKSUM 0xfc

static int csum_v23(struct vfs *fs)
{
	return fs->jfeat_incompat & (JF_INCOMPAT_CSUM2 | JF_INCOMPAT_CSUM3);
}

static uint32_t tag_bytes(struct vfs *fs)
{
	uint32_t sz;

	if (fs->jfeat_incompat & JF_INCOMPAT_CSUM3)
		return 16;
	sz = 12;
	if (fs->jfeat_incompat & JF_INCOMPAT_CSUM2)
		sz += 2;
	if (fs->jfeat_incompat & JF_INCOMPAT_64BIT)
		return sz;
	return sz - 4;
}

/* Physical block of journal block j. */
static int jmap(struct vfs *fs, uint32_t j, uint64_t *pblk)
{
	uint32_t len;
	int un, err = ext4_ext_map(fs, &fs->jinode, j, pblk, &len, &un);

	if (!err && !*pblk)
		err = ext4_corrupt(fs, "hole in the journal", j);
	return err;
}

static int jread(struct vfs *fs, uint32_t j, void *buf)
{
	uint64_t p;
	int err = jmap(fs, j, &p);

	return err ? err : ext4_dev_read(fs, p, 1, buf);
}

static int jwrite(struct vfs *fs, uint32_t j, const void *buf)
{
	uint64_t p;
	int err = jmap(fs, j, &p);

	return err ? err : ext4_dev_write(fs, p, 1, buf);
}

static int jsb_write(struct vfs *fs, uint32_t start)
{
	uint8_t *b = fs->jbuf;
	int err = jread(fs, 0, b);

	if (err)
		return err;
	putbe32(b + JS_START, start);
	putbe32(b + JS_SEQUENCE, fs->jseq);
	if (csum_v23(fs)) {
		putbe32(b + JS_CHECKSUM, 0);
		putbe32(b + JS_CHECKSUM, ext4_crc32c_raw(0xffffffffu, b, 1024));
	}
	return jwrite(fs, 0, b);
}

/* Reads the journal inode and superblock. Returns 1 when replay is needed. */
int ext4_journal_load(struct vfs *fs)
{
	uint8_t *b = fs->jbuf;
	uint32_t type, incompat;
	int err;

	fs->jino = le32(fs->sb + SB_JOURNAL_INUM);
	if (le32(fs->sb + SB_JOURNAL_DEV) || fs->jino == 0)
		return ext4_error(fs, -EINVAL, "external journals are not supported");
	err = ext4_inode_read(fs, fs->jino, &fs->jinode);
	if (err)
		return err;
	if (!(ext4_i_flags(&fs->jinode) & EXT4_EXTENTS_FL))
		return ext4_error(fs, -EINVAL, "journal inode without extents is not supported");
	err = ext4_ext_check_root(fs, &fs->jinode);
	if (!err)
		err = jread(fs, 0, b);
	if (err)
		return err;
	type = be32(b + 4);
	if (be32(b) != JBD2_MAGIC || (type != JT_SB1 && type != JT_SB2))
		return ext4_corrupt(fs, "journal superblock magic", fs->jino);
	if (be32(b + JS_BLOCKSIZE) != fs->bs)
		return ext4_corrupt(fs, "journal block size", be32(b + JS_BLOCKSIZE));
	fs->jlen = be32(b + JS_MAXLEN);
	fs->jfirst = be32(b + JS_FIRST);
	fs->jseq = be32(b + JS_SEQUENCE);
	fs->jhead = fs->jfirst;
	fs->jlive = 0;
	fs->jcp_now = 0;
	memset(&fs->jst, 0, sizeof(fs->jst));
	if (fs->jlen > ext4_i_size(&fs->jinode) / fs->bs || fs->jfirst == 0 || fs->jfirst + 16 > fs->jlen)
		return ext4_corrupt(fs, "journal size", fs->jlen);
	incompat = type == JT_SB2 ? be32(b + JS_FEAT_INCOMPAT) : 0;
	fs->jfeat_incompat = incompat;
	fs->jfeat_compat = type == JT_SB2 ? be32(b + JS_FEAT_COMPAT) : 0;
	if (incompat & ~JF_KNOWN)
		return ext4_error(fs, -EINVAL, "unsupported journal features 0x%x (fast_commit?)",
				  incompat & ~JF_KNOWN);
	memcpy(fs->juuid, b + JS_UUID, 16);
	fs->jcsum_seed = ext4_crc32c_raw(0xffffffffu, fs->juuid, 16);
	if (csum_v23(fs)) {
		uint32_t want = be32(b + JS_CHECKSUM);
		putbe32(b + JS_CHECKSUM, 0);
		if (ext4_crc32c_raw(0xffffffffu, b, 1024) != want)
			return ext4_corrupt(fs, "journal superblock checksum", fs->jino);
	}
	return be32(b + JS_START) != 0;
}

static uint32_t jnext(struct vfs *fs, uint32_t j)
{
	return j + 1 >= fs->jlen ? fs->jfirst : j + 1;
}

static int block_tail_ok(struct vfs *fs, uint8_t *b)
{
	uint32_t want;

	if (!csum_v23(fs))
		return 1;
	want = be32(b + fs->bs - 4);
	putbe32(b + fs->bs - 4, 0);
	return ext4_crc32c_raw(fs->jcsum_seed, b, fs->bs) == want;
}

static int commit_ok(struct vfs *fs, uint8_t *b)
{
	uint32_t want;

	if (!csum_v23(fs))
		return 1;
	want = be32(b + 16);
	putbe32(b + 16, 0);
	return ext4_crc32c_raw(fs->jcsum_seed, b, fs->bs) == want;
}

static uint64_t tag_block(struct vfs *fs, const uint8_t *t)
{
	uint64_t blk = be32(t);

	if (fs->jfeat_incompat & JF_INCOMPAT_64BIT)
		blk |= (uint64_t)be32(t + 8) << 32;
	return blk;
}

static uint32_t tag_flags(struct vfs *fs, const uint8_t *t)
{
	if (fs->jfeat_incompat & JF_INCOMPAT_CSUM3)
		return be32(t + 4);
	return (uint32_t)(t[6] << 8 | t[7]);
}

static int revoked(struct vfs *fs, uint32_t nrev, uint64_t blk, uint32_t seq)
{
	for (uint32_t i = 0; i < nrev; i++)
		if (fs->revoke_blk[i] == blk && (int32_t)(fs->revoke_seq[i] - seq) >= 0)
			return 1;
	return 0;
}

/*
 * Replays the committed transactions (pass 1 finds the end and the revoke
 * records, pass 2 writes the blocks home), then marks the journal empty.
 */
int ext4_journal_recover(struct vfs *fs)
{
	uint8_t *b = fs->jbuf;
	uint32_t start, seq, end_seq, j, nrev = 0, tb = tag_bytes(fs);
	uint32_t dlimit = fs->bs - (csum_v23(fs) ? 4 : 0);
	int err;

	err = jread(fs, 0, b);
	if (err)
		return err;
	start = be32(b + JS_START);
	seq = be32(b + JS_SEQUENCE);
	if (start < fs->jfirst || start >= fs->jlen)
		return ext4_corrupt(fs, "journal start", start);
	/* pass 1: scan */
	j = start;
	end_seq = seq;
	for (uint32_t steps = 0; steps < fs->jlen; steps++) {
		uint32_t type;
		err = jread(fs, j, b);
		if (err)
			return err;
		if (be32(b) != JBD2_MAGIC || be32(b + 8) != end_seq)
			break;
		type = be32(b + 4);
		if (type == JT_DESC) {
			uint32_t off = 12, n = 0;
			if (!block_tail_ok(fs, b))
				break;
			while (off + tb <= dlimit) {
				uint32_t fl = tag_flags(fs, b + off);
				off += tb + ((fl & TAG_SAME_UUID) ? 0 : 16);
				n++;
				if (fl & TAG_LAST)
					break;
			}
			for (uint32_t k = 0; k <= n; k++)
				j = jnext(fs, j);
			continue;
		} else if (type == JT_COMMIT) {
			uint64_t cs;
			uint32_t cns;
			if (!commit_ok(fs, b))
				break;
			end_seq++;
			/* h_commit_sec (be64), h_commit_nsec: the newest is a
			 * floor for the clock (vfs_set_clock_floor) */
			cs = (uint64_t)be32(b + 0x30) << 32 | be32(b + 0x34);
			cns = be32(b + 0x38);
			if (cs > fs->jlast_sec || (cs == fs->jlast_sec && cns > fs->jlast_nsec)) {
				fs->jlast_sec = cs;
				fs->jlast_nsec = cns;
			}
		} else if (type == JT_REVOKE) {
			uint32_t cnt = be32(b + 12), rs = (fs->jfeat_incompat & JF_INCOMPAT_64BIT) ? 8 : 4;
			if (!block_tail_ok(fs, b) || cnt > dlimit)
				break;
			for (uint32_t off = 16; off + rs <= cnt; off += rs) {
				uint64_t rb = rs == 8 ? (uint64_t)be32(b + off) << 32 | be32(b + off + 4) : be32(b + off);
				if (nrev >= EXT4_MAX_REVOKE)
					return ext4_error(fs, -EUCLEAN, "journal needs recovery: too many revoke records");
				fs->revoke_blk[nrev] = rb;
				fs->revoke_seq[nrev] = end_seq;
				nrev++;
			}
		} else {
			break;
		}
		j = jnext(fs, j);
	}
	/* revoke records of an uncommitted transaction do not count */
	for (uint32_t i = 0; i < nrev; i++)
		if ((int32_t)(fs->revoke_seq[i] - end_seq) >= 0)
			fs->revoke_blk[i] = ~0ull;
	/* pass 2: replay */
	j = start;
	{
		uint8_t *jsb_seq = fs->scratch2;
		err = jread(fs, 0, jsb_seq);
		if (err)
			return err;
		seq = be32(jsb_seq + JS_SEQUENCE);
	}
	for (uint32_t steps = 0; (int32_t)(seq - end_seq) < 0; steps++) {
		uint32_t type;
		if (steps > fs->jlen)	/* replay rewrote the log under us */
			return ext4_corrupt(fs, "journal changed during replay", j);
		err = jread(fs, j, fs->scratch2);
		if (err)
			return err;
		memcpy(b, fs->scratch2, fs->bs);
		type = be32(b + 4);
		if (type == JT_DESC) {
			uint32_t off = 12;
			uint32_t dj = j;
			while (off + tb <= dlimit) {
				const uint8_t *t = b + off;
				uint32_t fl = tag_flags(fs, t);
				uint64_t home = tag_block(fs, t);
				dj = jnext(fs, dj);
				err = jread(fs, dj, fs->scratch);
				if (err)
					return err;
				if (fs->jfeat_incompat & JF_INCOMPAT_CSUM3 || fs->jfeat_incompat & JF_INCOMPAT_CSUM2) {
					uint8_t sq[4];
					uint32_t c;
					putbe32(sq, seq);
					c = ext4_crc32c_raw(fs->jcsum_seed, sq, 4);
					c = ext4_crc32c_raw(c, fs->scratch, fs->bs);
					if (fs->jfeat_incompat & JF_INCOMPAT_CSUM3 ? be32(t + 12) != c
					    : (uint32_t)(t[4] << 8 | t[5]) != (c & 0xffff))
						goto next_tag;	/* damaged copy: skip it */
				}
				if (!revoked(fs, nrev, home, seq)) {
					if (fl & TAG_ESCAPE)
						putbe32(fs->scratch, JBD2_MAGIC);
					if ((home == 0 && fs->bs == 1024) || home >= fs->blocks_count)
						return ext4_corrupt(fs, "journal tag block", home);
					err = fs->bd->write(fs->bd, home * fs->spb, fs->spb, fs->scratch);
					if (err)
						return err;
				}
			next_tag:
				off += tb + ((fl & TAG_SAME_UUID) ? 0 : 16);
				if (fl & TAG_LAST)
					break;
			}
			j = jnext(fs, dj);
			continue;
		}
		if (type == JT_COMMIT)
			seq++;
		j = jnext(fs, j);
	}
	err = fs->bd->flush(fs->bd);
	if (err)
		return err;
	/* as Linux does, skip the sequence of the transaction the crash cut:
	 * blocks of it may be left in the log */
	fs->jseq = end_seq + 1;
	err = jsb_write(fs, 0);
	if (!err)
		err = fs->bd->flush(fs->bd);
	return err;
}

/* ---- commit ---- */

static int write_in_place(struct vfs *fs)
{
	int err = 0;

	for (uint32_t i = 0; i < fs->nbufs && !err; i++) {
		struct ext4_buf *b = &fs->bufs[i];
		if ((b->flags & (BUF_VALID | BUF_DIRTY)) == (BUF_VALID | BUF_DIRTY))
			err = ext4_dev_write(fs, b->blk, 1, b->data);
	}
	if (!err)
		err = ext4_dev_flush(fs);
	if (err)
		return err;
	ext4_bclean_all(fs);
	return 0;
}

/*
 * The stage: consecutive journal blocks j0 .. j0 + n - 1 gathered in
 * fs->jstage, written with one device command per physically contiguous
 * piece of the journal (one, with the usual single-extent journal).
 */
struct jstage {
	uint32_t j0, n, cap;
};

static uint8_t *stage_at(struct vfs *fs, uint32_t k)
{
	return fs->jstage + (size_t)k * fs->bs;
}

static int stage_write(struct vfs *fs, struct jstage *st)
{
	const uint8_t *buf = fs->jstage;
	uint32_t j = st->j0, n = st->n;

	while (n) {
		uint64_t p;
		uint32_t len;
		int un, err = ext4_ext_map(fs, &fs->jinode, j, &p, &len, &un);

		if (!err && !p)
			err = ext4_corrupt(fs, "hole in the journal", j);
		if (err)
			return err;
		if (len > n)
			len = n;
		err = ext4_dev_write(fs, p, len, buf);
		if (err)
			return err;
		fs->jst.jwrites++;
		fs->jst.jblocks += len;
		j += len;
		n -= len;
		buf += (size_t)len * fs->bs;
	}
	st->j0 += st->n;
	st->n = 0;
	return 0;
}

static void desc_close(struct vfs *fs, uint8_t *d)
{
	if (csum_v23(fs)) {
		putbe32(d + fs->bs - 4, 0);
		putbe32(d + fs->bs - 4, ext4_crc32c_raw(fs->jcsum_seed, d, fs->bs));
	}
}

static void tag_set_last(struct vfs *fs, uint8_t *t, int last)
{
	if (fs->jfeat_incompat & JF_INCOMPAT_CSUM3)
		putbe32(t + 4, last ? be32(t + 4) | TAG_LAST : be32(t + 4) & ~TAG_LAST);
	else if (last)
		t[7] |= TAG_LAST;
	else
		t[7] &= (uint8_t)~TAG_LAST;
}

/* Fills the tag at t for home block blk whose journal copy is src. */
static void tag_fill(struct vfs *fs, uint8_t *t, uint64_t blk, const uint8_t *src, uint32_t fl)
{
	uint8_t sq[4];
	uint32_t c = 0;

	putbe32(sq, fs->jseq);
	if (csum_v23(fs))
		c = ext4_crc32c_raw(ext4_crc32c_raw(fs->jcsum_seed, sq, 4), src, fs->bs);
	putbe32(t, (uint32_t)blk);
	if (fs->jfeat_incompat & JF_INCOMPAT_CSUM3) {
		putbe32(t + 4, fl);
		putbe32(t + 8, (uint32_t)(blk >> 32));
		putbe32(t + 12, c);
		return;
	}
	t[6] = (uint8_t)(fl >> 8);
	t[7] = (uint8_t)fl;
	if (fs->jfeat_incompat & JF_INCOMPAT_64BIT)
		putbe32(t + 8, (uint32_t)(blk >> 32));
	if (fs->jfeat_incompat & JF_INCOMPAT_CSUM2) {
		t[4] = (uint8_t)(c >> 8);
		t[5] = (uint8_t)c;
	}
}

/* Journal blocks a transaction of n buffers takes, commit block included:
 * a descriptor closes when its tags fill it or the stage fills. */
static uint32_t tx_blocks(struct vfs *fs, uint32_t n)
{
	uint32_t tb = tag_bytes(fs), dlimit = fs->bs - (csum_v23(fs) ? 4 : 0);
	uint32_t per_desc = (dlimit - 12 - 16) / tb, cap = EXT4_JSTAGE_BYTES / fs->bs;

	return n + n / per_desc + n / (cap / 2) + 3;
}

static void sort_by_block(struct vfs *fs, int32_t *ix, uint32_t n)
{
	/* Shell sort (Ciura's gaps): no recursion, no extra memory */
	static const uint32_t gaps[] = { 701, 301, 132, 57, 23, 10, 4, 1 };

	for (unsigned g = 0; g < sizeof(gaps) / sizeof(gaps[0]); g++)
		for (uint32_t i = gaps[g]; i < n; i++) {
			int32_t v = ix[i];
			uint32_t k = i;
			for (; k >= gaps[g] && fs->bufs[ix[k - gaps[g]]].blk > fs->bufs[v].blk; k -= gaps[g])
				ix[k] = ix[k - gaps[g]];
			ix[k] = v;
		}
}

/*
 * Checkpoint: the committed buffers go home in block order, runs of
 * consecutive blocks gathered into one write; flush; then the journal
 * superblock says "empty" (start 0); flush. Only then may the journal be
 * written again from jfirst: an old superblock with new journal blocks
 * would replay an old prefix over newer blocks. A buffer changed again in
 * the open transaction (BUF_DIRTY too) cannot go home: its committed
 * contents are gone from memory. ext4_commit checkpoints right after a
 * commit, when there is none; elsewhere the caller commits first.
 *
 * Idle work does it in steps (ext4_checkpoint_step): up to max buffers
 * written in place a step (BUF_HOMED), the flushes and the empty journal
 * in the step that finds none left. Writing committed contents home early
 * is what a checkpoint cut by a power cut does: the replay writes them
 * again. A commit between two steps clears the mark of what it commits
 * again; a buffer changed between two steps waits for that commit.
 */

/* The committed buffers not written home yet, in block order, in
 * fs->cp_order: their count, or -EBUSY (the mount broken) when one has
 * been changed again. */
static int cp_collect(struct vfs *fs)
{
	int n = 0;

	for (uint32_t i = 0; i < fs->nbufs; i++) {
		struct ext4_buf *b = &fs->bufs[i];

		if (!(b->flags & BUF_JDIRTY))
			continue;
		if (b->flags & BUF_DIRTY) {
			fs->broken = 1;
			return ext4_error(fs, -EBUSY, "checkpoint with block %llu changed again",
					  (unsigned long long)b->blk);
		}
		if (!(b->flags & BUF_HOMED))
			fs->cp_order[n++] = (int32_t)i;
	}
	sort_by_block(fs, fs->cp_order, (uint32_t)n);
	return n;
}

/* The first n buffers of fs->cp_order written in place, runs of
 * consecutive blocks through the stage. */
static int cp_home(struct vfs *fs, uint32_t n)
{
	struct jstage st = { 0, 0, EXT4_JSTAGE_BYTES / fs->bs };
	uint64_t run0 = 0;
	int err = 0;

	for (uint32_t k = 0; k <= n && !err; k++) {
		struct ext4_buf *b = k < n ? &fs->bufs[fs->cp_order[k]] : NULL;
		if (st.n && (!b || b->blk != run0 + st.n || st.n == st.cap)) {
			err = ext4_dev_write(fs, run0, st.n, fs->jstage);
			fs->jst.cp_writes++;
			fs->jst.cp_blocks += st.n;
			st.n = 0;
		}
		if (!b || err)
			continue;
		if (!st.n)
			run0 = b->blk;
		memcpy(stage_at(fs, st.n++), b->data, fs->bs);
		b->flags |= BUF_HOMED;
	}
	return err;
}

/* Every committed buffer is home: flush, the journal empty, flush. */
static int cp_finish(struct vfs *fs)
{
	int err = ext4_dev_flush(fs);

	if (!err)
		err = jsb_write(fs, 0);
	if (!err)
		err = ext4_dev_flush(fs);
	if (err)
		return err;
	for (uint32_t i = 0; i < fs->nbufs; i++)
		if (fs->bufs[i].flags & BUF_JDIRTY)
			ext4_bcheckpointed(fs, &fs->bufs[i]);
	fs->jlive = 0;
	fs->jhead = fs->jfirst;
	fs->jcp_now = 0;
	fs->jst.checkpoints++;
	return 0;
}

/* Up to max committed buffers home, or with none left (max 0: at once)
 * the flushes and the empty journal: 1 when a step is left, 0, or an
 * errno (the mount broken). */
static int cp_step(struct vfs *fs, uint32_t max)
{
	int n, err;

	if (fs->broken)
		return -EIO;
	if (!fs->jlive)
		return 0;
	n = cp_collect(fs);
	if (n < 0)
		return n;
	err = n ? cp_home(fs, max && (uint32_t)n > max ? max : (uint32_t)n) : 0;
	if (!err && (!n || !max))
		err = cp_finish(fs);
	if (err) {
		fs->broken = 1;
		return err;
	}
	return fs->jlive;
}

int ext4_checkpoint_step(struct vfs *fs, uint32_t max)
{
	/* the flushes get a step of their own: the first waits for the
	 * device to take in every block written home */
	return cp_step(fs, max ? max : 1);
}

int ext4_checkpoint(struct vfs *fs)
{
	return cp_step(fs, 0);
}

/* Has the open transaction changed a buffer the journal holds? */
static int redirtied(struct vfs *fs)
{
	for (uint32_t i = 0; i < fs->nbufs; i++)
		if ((fs->bufs[i].flags & (BUF_DIRTY | BUF_JDIRTY)) == (BUF_DIRTY | BUF_JDIRTY))
			return 1;
	return 0;
}

/* Descriptor blocks and the copies of every dirty buffer, from jhead on,
 * through the stage (the journal superblock first when the journal was
 * empty). Returns the commit block's position in *jcommit. */
static int write_log(struct vfs *fs, uint32_t *jcommit)
{
	struct jstage st = { fs->jhead, 0, EXT4_JSTAGE_BYTES / fs->bs };
	uint32_t tb = tag_bytes(fs), dlimit = fs->bs - (csum_v23(fs) ? 4 : 0), off = 0;
	uint8_t *d = NULL, *last_tag = NULL;
	int first_tag = 0, err;

	if (!fs->jlive) {
		/* the log starts here: the superblock says so, in the same write
		 * when it is the block before (jfirst 1, as mke2fs makes it) */
		if (fs->jhead == 1) {
			st.j0 = 0;
			err = jread(fs, 0, stage_at(fs, 0));
			if (err)
				return err;
			st.n = 1;
			putbe32(fs->jstage + JS_START, fs->jhead);
			putbe32(fs->jstage + JS_SEQUENCE, fs->jseq);
			if (csum_v23(fs)) {
				putbe32(fs->jstage + JS_CHECKSUM, 0);
				putbe32(fs->jstage + JS_CHECKSUM, ext4_crc32c_raw(0xffffffffu, fs->jstage, 1024));
			}
		} else {
			err = jsb_write(fs, fs->jhead);
			if (err)
				return err;
		}
	}
	for (uint32_t i = 0; i < fs->nbufs; i++) {
		struct ext4_buf *b = &fs->bufs[i];
		uint8_t *copy, *t;
		uint32_t fl = 0;

		if ((b->flags & (BUF_VALID | BUF_DIRTY)) != (BUF_VALID | BUF_DIRTY))
			continue;
		if (d && off + tb + (first_tag ? 16 : 0) > dlimit) {
			desc_close(fs, d);
			d = NULL;
		}
		if (!d) {
			if (st.cap - st.n < 2) {
				err = stage_write(fs, &st);
				if (err)
					return err;
			}
			d = stage_at(fs, st.n++);
			memset(d, 0, fs->bs);
			putbe32(d, JBD2_MAGIC);
			putbe32(d + 4, JT_DESC);
			putbe32(d + 8, fs->jseq);
			off = 12;
			first_tag = 1;
			last_tag = NULL;
		}
		copy = stage_at(fs, st.n++);
		memcpy(copy, b->data, fs->bs);
		if (be32(copy) == JBD2_MAGIC) {
			putbe32(copy, 0);
			fl |= TAG_ESCAPE;
		}
		if (!first_tag)
			fl |= TAG_SAME_UUID;
		if (last_tag)
			tag_set_last(fs, last_tag, 0);
		t = d + off;
		tag_fill(fs, t, b->blk, copy, fl | TAG_LAST);
		last_tag = t;
		off += tb;
		if (first_tag) {
			memcpy(d + off, fs->juuid, 16);
			off += 16;
			first_tag = 0;
		}
		if (st.n == st.cap) {
			/* the descriptor goes out with the copies it names */
			desc_close(fs, d);
			d = NULL;
			err = stage_write(fs, &st);
			if (err)
				return err;
		}
	}
	if (d)
		desc_close(fs, d);
	err = stage_write(fs, &st);
	*jcommit = st.j0;
	return err;
}

/*
 * One transaction: everything dirty goes to the journal, and stays in the
 * cache (BUF_JDIRTY) until a checkpoint writes it home. The order is
 * jbd2's with barriers: log blocks, FLUSH, commit block with FUA (the
 * commit is durable when its write returns, and can never be durable
 * before the blocks it covers, which the flush made durable first).
 */
/* The checksums left to the commit (EXT4_CSUM_*), before any block of the
 * transaction is written. */
static int csum_settle(struct vfs *fs)
{
	int err = 0;

	for (uint32_t i = 0; i < fs->nbufs && !err; i++) {
		struct ext4_buf *b = &fs->bufs[i];

		if (!(b->flags & BUF_VALID) || b->csum_kind == EXT4_CSUM_NONE)
			continue;
		if (b->csum_kind == EXT4_CSUM_EXTENT) {
			err = ext4_ext_csum_settle(fs, b);
		} else if (b->csum_kind == EXT4_CSUM_INODES) {
			ext4_inode_csum_settle(fs, b);
		} else if (b->csum_kind == EXT4_CSUM_DIRLEAF) {
			/* the dirent tail's checksum: the last 4 bytes, over all before the tail */
			put32(b->data + fs->bs - 4, ext4_crc32c_raw(b->csum_arg, b->data, fs->bs - 12));
			b->csum_kind = EXT4_CSUM_NONE;
		} else {
			err = ext4_bitmap_csum_settle(fs, b);
		}
	}
	if (err)
		fs->broken = 1;
	return err;
}

int ext4_checkpoint_wanted(struct vfs *fs)
{
	return fs->jlive && (fs->jhead - fs->jfirst > (fs->jlen - fs->jfirst) / 4 || fs->ncp > fs->nbufs / 4);
}

/* The largest transaction, and a quarter of the log, still fit. */
static int log_room(struct vfs *fs)
{
	return fs->jlen - fs->jhead > tx_blocks(fs, fs->tx_limit) + (fs->jlen - fs->jfirst) / 4;
}

int ext4_commit(struct vfs *fs)
{
	uint32_t jc, need;
	uint64_t s;
	uint32_t ns;
	uint8_t *d = fs->jbuf;
	int err;

	/* delayed blocks get theirs (the transaction maps them), then
	 * ordered: file data first, covered by the flush below, ahead of the
	 * commit block; a failure breaks the mount */
	if (fs->pc_delay && fs->dalloc && !fs->broken) {
		err = fs->dalloc(fs);
		if (err) {	/* as a failed write-back: the disk keeps the last commit */
			fs->broken = 1;
			fs->wb_err = 1;
			pcache_drop_fs(fs);
			return err;
		}
	}
	(void)pcache_writeback_fs(fs);
	if (fs->broken)
		return -EIO;
	if (fs->rdonly)
		return 0;
	/* the sizes and times WRITEs left in the inode cache go into their
	 * buffers (dirty already) before anything is summed or journalled */
	fs->iseq++;
	err = ext4_inode_flush(fs);
	if (!err)
		err = ext4_apply_pending_frees(fs);
	if (!err)
		err = csum_settle(fs);
	if (err)
		return err;
	if (fs->ndirty == 0)
		return ext4_dev_flush(fs);
	ext4_now(&s, &ns);
	fs->last_commit = s;
	ext4_sb_set_time(fs, SB_WTIME, SB_WTIME_HI, s);
	ext4_sb_csum_set(fs);
	ext4_bdirty(fs, fs->sbbuf);
	if (!fs->has_journal) {
		err = write_in_place(fs);
		goto out;
	}
	need = tx_blocks(fs, fs->ndirty);
	if (need >= fs->jlen - fs->jfirst) {
		fs->broken = 1;
		return ext4_error(fs, -ENOSPC, "transaction of %u blocks does not fit the journal",
				  fs->ndirty);
	}
	if (fs->jlive && need > fs->jlen - fs->jhead) {
		/* the log is full: home what it holds first (the checkpoint after
		 * each commit keeps a quarter in use at most, so this needs a
		 * transaction bigger than the rest) */
		if (redirtied(fs)) {
			fs->broken = 1;
			return ext4_error(fs, -ENOSPC, "transaction of %u blocks does not fit the journal",
					  fs->ndirty);
		}
		err = ext4_checkpoint(fs);
		if (err)
			goto out;
	}
	err = write_log(fs, &jc);
	if (!err)
		err = ext4_dev_flush(fs);
	if (err)
		goto out;
	memset(d, 0, fs->bs);
	putbe32(d, JBD2_MAGIC);
	putbe32(d + 4, JT_COMMIT);
	putbe32(d + 8, fs->jseq);
	putbe32(d + 0x30, (uint32_t)(s >> 32));
	putbe32(d + 0x34, (uint32_t)s);
	putbe32(d + 0x38, ns);
	if (csum_v23(fs))
		putbe32(d + 16, ext4_crc32c_raw(fs->jcsum_seed, d, fs->bs));
	{
		uint64_t p;
		err = jmap(fs, jc, &p);
		if (!err)
			err = ext4_dev_write_fua(fs, p, 1, d);
	}
	if (err)
		goto out;
	fs->jst.commits++;
	fs->jst.jwrites++;
	fs->jst.jblocks++;
	ext4_bcommitted_all(fs);
	fs->jseq++;
	fs->jlive = 1;
	fs->jhead = jc + 1;
	/* checkpoint when a freed block has a copy in the log (it must not come
	 * back over what the block holds next: now, before the block can be
	 * allocated again), or when a quarter of the log is used (the next
	 * transaction always fits) or the committed buffers take a quarter of
	 * the cache: those two are left to the idle steps after an idle
	 * commit (fs->cp_defer) while the largest transaction still fits the
	 * log with the quarter to spare that the rule keeps, so no commit
	 * finds it full for want of them */
	if (fs->jcp_now || (ext4_checkpoint_wanted(fs) && !(fs->cp_defer && log_room(fs))))
		err = ext4_checkpoint(fs);
out:
	if (err)
		fs->broken = 1;
	return err;
}

int ext4_maybe_commit(struct vfs *fs)
{
	/* the committed buffers count: both kinds are pinned in the cache */
	if ((fs->ndirty && fs->ndirty + fs->ncp > fs->tx_limit) || fs->npend > EXT4_MAX_PENDING_FREE / 2)
		return ext4_commit(fs);
	return 0;
}
