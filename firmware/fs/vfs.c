/* The vfs.h API over the ext4 internals: mount, and one function per call. */
#include "crc.h"
#include "ext4.h"
#include "pcache.h"

static struct vfs pool[EXT4_MAX_MOUNTS];

#define DIR_NLINK_MAX 65000
#define LINK_MAX_ 65000

static const struct { uint32_t bit; const char *name; } incompat_names[] = {
	{ 0x0001, "compression" }, { 0x0008, "journal_dev" }, { 0x0010, "meta_bg" },
	{ 0x0100, "mmp" }, { 0x0400, "ea_inode" }, { 0x1000, "dirdata" },
	{ 0x8000, "inline_data" }, { 0x10000, "encrypt" }, { 0x20000, "casefold" },
};
/* Compatible features this firmware knows, and what it does about each:
 * handled (has_journal, ext_attr, resize_inode, dir_index, sparse_super2,
 * stable_inodes, orphan_file), or harmless to ignore (dir_prealloc and
 * imagic_inodes are hints; lazy_bg, exclude_inode and exclude_bitmap were
 * never used by Linux; fast_commit is refused by the journal's own
 * incompatible feature, journal.c). A bit outside the list keeps the filesystem
 * read-only: its meaning is unknown, so writing could break it. */
#define COMPAT_KNOWN	0x1fffu
static const struct { uint32_t bit; const char *name; } ro_names[] = {
	{ 0x0004, "btree_dir" }, { 0x0080, "snapshot" }, { 0x0100, "quota" },
	{ 0x0200, "bigalloc" }, { 0x0800, "replica" }, { 0x2000, "project" },
	{ 0x4000, "shared_blocks" }, { 0x8000, "verity" },
	{ 0x10000, "orphan_present" },
};

#define INCOMPAT_OK (INCOMPAT_FILETYPE | INCOMPAT_RECOVER | INCOMPAT_EXTENTS | INCOMPAT_64BIT | \
		     INCOMPAT_FLEX_BG | INCOMPAT_CSUM_SEED | INCOMPAT_LARGEDIR)
#define RO_OK (RO_COMPAT_SPARSE_SUPER | RO_COMPAT_LARGE_FILE | RO_COMPAT_HUGE_FILE | \
	       RO_COMPAT_GDT_CSUM | RO_COMPAT_DIR_NLINK | RO_COMPAT_EXTRA_ISIZE | \
	       RO_COMPAT_METADATA_CSUM)

static int check_features(struct vfs *fs)
{
	uint32_t bad = fs->incompat & ~INCOMPAT_OK, robad = fs->ro_compat & ~RO_OK;
	char names[120];
	size_t pos = 0;

	names[0] = 0;
	for (unsigned i = 0; i < sizeof(incompat_names) / sizeof(incompat_names[0]); i++)
		if (bad & incompat_names[i].bit) {
			size_t n = strlen(incompat_names[i].name);
			if (pos + n + 2 < sizeof(names)) {
				memcpy(names + pos, incompat_names[i].name, n);
				pos += n;
				names[pos++] = ' ';
				names[pos] = 0;
			}
		}
	if (bad)
		return ext4_error(fs, -EINVAL, "unsupported incompatible features: %s(0x%x)", names, bad);
	if (robad && !fs->rdonly) {
		for (unsigned i = 0; i < sizeof(ro_names) / sizeof(ro_names[0]); i++)
			if (robad & ro_names[i].bit) {
				size_t n = strlen(ro_names[i].name);
				if (pos + n + 2 < sizeof(names)) {
					memcpy(names + pos, ro_names[i].name, n);
					pos += n;
					names[pos++] = ' ';
					names[pos] = 0;
				}
			}
		return ext4_error(fs, -EINVAL, "unsupported read-only-compatible features: %s(0x%x); mount read-only",
				  names, robad);
	}
	if ((fs->compat & ~COMPAT_KNOWN) && !fs->rdonly)
		return ext4_error(fs, -EINVAL, "unknown compatible features (0x%x); mount read-only",
				  fs->compat & ~COMPAT_KNOWN);
	if ((fs->ro_compat & RO_COMPAT_READONLY) && !fs->rdonly)
		return ext4_error(fs, -EROFS, "filesystem is marked read-only");
	if (!(fs->incompat & INCOMPAT_EXTENTS) && !fs->rdonly)
		return ext4_error(fs, -EINVAL, "filesystem without the extent feature (ext2/ext3) is not supported");
	return 0;
}

/*
 * Superblock checks that need no other block. A checksum mismatch is an
 * error unless csum_bad is given: then it is noted there and the checks go
 * on (see vfs_mount: a superblock torn by a power cut during a checkpoint).
 */
static int check_super(struct vfs *fs, const uint8_t *sb, uint64_t dev_blocks_bytes, int *csum_bad)
{
	uint32_t lbs = le32(sb + SB_LOG_BLOCK_SIZE);

	if (le16(sb + SB_MAGIC) != EXT4_SUPER_MAGIC)
		return ext4_error(fs, -EINVAL, "not an ext2/3/4 filesystem (bad superblock magic)");
	if (lbs > 2 || (1024u << lbs) > EXT4_MAX_BLOCK_SIZE)
		return ext4_error(fs, -EINVAL, "unsupported block size %u", 1024u << (lbs & 15));
	fs->log_bs = 10 + lbs;
	fs->bs = 1024u << lbs;
	fs->spb = fs->bs / BLOCKDEV_SECTOR_SIZE;
	fs->compat = le32(sb + SB_FEATURE_COMPAT);
	fs->incompat = le32(sb + SB_FEATURE_INCOMPAT);
	fs->ro_compat = le32(sb + SB_FEATURE_RO_COMPAT);
	fs->csum = !!(fs->ro_compat & RO_COMPAT_METADATA_CSUM);
	fs->gdt_csum = !fs->csum && (fs->ro_compat & RO_COMPAT_GDT_CSUM);
	if (fs->csum) {
		if (sb[SB_CHECKSUM_TYPE] != 1)
			return ext4_error(fs, -EINVAL, "unknown metadata checksum type %u", sb[SB_CHECKSUM_TYPE]);
		if (le32(sb + SB_CHECKSUM) != ext4_crc32c_raw(0xffffffffu, sb, SB_CHECKSUM)) {
			if (!csum_bad)
				return ext4_error(fs, -EUCLEAN, "superblock checksum mismatch");
			*csum_bad = 1;
		}
	}
	if (le32(sb + SB_REV_LEVEL) == 0) {
		fs->isz = 128;
		fs->first_ino = 11;
	} else {
		fs->isz = le16(sb + SB_INODE_SIZE);
		fs->first_ino = le32(sb + SB_FIRST_INO);
	}
	fs->is64 = !!(fs->incompat & INCOMPAT_64BIT);
	fs->desc_size = fs->is64 ? le16(sb + SB_DESC_SIZE) : 32;
	fs->blocks_count = le32(sb + SB_BLOCKS_LO) | (fs->is64 ? (uint64_t)le32(sb + SB_BLOCKS_HI) << 32 : 0);
	fs->first_data_block = le32(sb + SB_FIRST_DATA_BLOCK);
	fs->bpg = le32(sb + SB_BLOCKS_PER_GROUP);
	fs->ipg = le32(sb + SB_INODES_PER_GROUP);
	fs->inodes_count = le32(sb + SB_INODES_COUNT);
	if (fs->isz < 128 || fs->isz > fs->bs || (fs->isz & (fs->isz - 1)) || fs->isz > EXT4_MAX_INODE_SIZE)
		return ext4_error(fs, -EINVAL, "unsupported inode size %u", fs->isz);
	if (fs->desc_size < 32 || fs->desc_size > 1024 || (fs->desc_size & (fs->desc_size - 1)))
		return ext4_error(fs, -EUCLEAN, "bad group descriptor size %u", fs->desc_size);
	if (le32(sb + SB_LOG_CLUSTER_SIZE) != lbs)
		return ext4_error(fs, -EINVAL, "cluster size differs from block size (bigalloc)");
	if (fs->bpg == 0 || fs->bpg > fs->bs * 8 || fs->ipg == 0 || fs->ipg > fs->bs * 8 ||
	    (fs->ipg & 7) || (fs->bpg & 7))
		return ext4_error(fs, -EUCLEAN, "bad blocks/inodes per group");
	if (fs->first_data_block != (fs->bs == 1024 ? 1u : 0u) || fs->blocks_count <= fs->first_data_block)
		return ext4_error(fs, -EUCLEAN, "bad first data block or block count");
	if (fs->blocks_count * fs->bs > dev_blocks_bytes)
		return ext4_error(fs, -EINVAL, "filesystem (%L blocks) is larger than the device",
				  (unsigned long long)fs->blocks_count);
	fs->ngroups = (uint32_t)((fs->blocks_count - fs->first_data_block + fs->bpg - 1) / fs->bpg);
	if ((uint64_t)fs->ngroups * fs->ipg != fs->inodes_count)
		return ext4_error(fs, -EUCLEAN, "inode count does not match the groups");
	if (fs->first_ino < 11 || fs->first_ino >= fs->inodes_count)
		return ext4_error(fs, -EUCLEAN, "bad first inode");
	fs->desc_per_block = fs->bs / fs->desc_size;
	fs->gdt_blocks = (fs->ngroups + fs->desc_per_block - 1) / fs->desc_per_block;
	fs->gdt_start = fs->first_data_block + 1;
	fs->has_journal = !!(fs->compat & COMPAT_HAS_JOURNAL);
	fs->dir_nlink = !!(fs->ro_compat & RO_COMPAT_DIR_NLINK);
	fs->filetype = !!(fs->incompat & INCOMPAT_FILETYPE);
	fs->inode_extra_want = 0;
	if (fs->isz > 128) {
		fs->inode_extra_want = le16(sb + SB_WANT_EXTRA_ISIZE);
		if (fs->inode_extra_want < 32)
			fs->inode_extra_want = 32;
		if (128 + fs->inode_extra_want > fs->isz)
			fs->inode_extra_want = fs->isz - 128;
	}
	if (fs->incompat & INCOMPAT_CSUM_SEED)
		fs->csum_seed = le32(sb + SB_CHECKSUM_SEED);
	else
		fs->csum_seed = ext4_crc32c_raw(0xffffffffu, sb + SB_UUID, 16);
	return check_features(fs);
}

static int check_groups(struct vfs *fs)
{
	uint64_t free_b = 0, free_i = 0;

	for (uint32_t g = 0; g < fs->ngroups; g++) {
		struct ext4_buf *b;
		uint8_t *gd = ext4_gd_get(fs, g, &b);
		uint64_t itb;
		if (!gd)
			return -EIO;
		if ((fs->csum || fs->gdt_csum) && le16(gd + GD_CHECKSUM) != ext4_gd_csum(fs, g, gd)) {
			ext4_bput(fs, b);
			return ext4_error(fs, -EUCLEAN, "group descriptor %u checksum mismatch", g);
		}
		itb = ((uint64_t)fs->ipg * fs->isz + fs->bs - 1) / fs->bs;
		if (ext4_gd_block_bitmap(fs, gd) >= fs->blocks_count ||
		    ext4_gd_block_bitmap(fs, gd) <= fs->first_data_block ||
		    ext4_gd_inode_bitmap(fs, gd) >= fs->blocks_count ||
		    ext4_gd_inode_bitmap(fs, gd) <= fs->first_data_block ||
		    ext4_gd_inode_table(fs, gd) + itb > fs->blocks_count ||
		    ext4_gd_inode_table(fs, gd) <= fs->first_data_block ||
		    ext4_gd_free_blocks(fs, gd) > fs->bpg || ext4_gd_free_inodes(fs, gd) > fs->ipg) {
			ext4_bput(fs, b);
			return ext4_error(fs, -EUCLEAN, "group descriptor %u is corrupt", g);
		}
		free_b += ext4_gd_free_blocks(fs, gd);
		free_i += ext4_gd_free_inodes(fs, gd);
		ext4_bput(fs, b);
	}
	/* the kernel keeps the superblock counters lazily; the groups are exact */
	put32(fs->sb + SB_FREE_INODES, (uint32_t)free_i);
	put32(fs->sb + SB_FREE_BLOCKS_LO, (uint32_t)free_b);
	if (fs->is64)
		put32(fs->sb + SB_FREE_BLOCKS_HI, (uint32_t)(free_b >> 32));
	return 0;
}

static int iget(struct vfs *fs, uint64_t ino, struct ext4_inode *ip);
static void ensure_extents(struct ext4_inode *ip);
static int release_inode(struct vfs *fs, struct ext4_inode *ip, int listed);
static int orphan_del(struct vfs *fs, struct ext4_inode *ip);
static int dalloc_settle(struct vfs *fs, struct ext4_inode *ip, uint64_t keep);

/* Frees every inode on the orphan list (unlinked while open, then a crash or
 * an unmount: nobody can reach them any more). An inode there with links
 * (a truncate the kernel did not finish) loses the blocks past its size. */
static int process_orphans(struct vfs *fs)
{
	uint32_t n = 0;

	while (le32(fs->sb + SB_LAST_ORPHAN)) {
		struct ext4_inode ip;
		uint32_t ino = le32(fs->sb + SB_LAST_ORPHAN);
		int err;

		if (++n > fs->inodes_count || ino > fs->inodes_count || ino == 0)
			return ext4_corrupt(fs, "orphan list", ino);
		err = ext4_inode_read(fs, ino, &ip);
		if (err)
			return err;
		if (ext4_i_nlink(&ip) == 0) {
			err = release_inode(fs, &ip, 1);
		} else {
			if ((ext4_i_mode(&ip) & S_IFMT_) == S_IFREG_ && (ext4_i_flags(&ip) & EXT4_EXTENTS_FL)) {
				uint64_t first = (ext4_i_size(&ip) + fs->bs - 1) / fs->bs;
				if (first < 0xffffffffull)
					err = ext4_ext_remove(fs, &ip, (uint32_t)first, 0xffffffffu, 1,
							      ext4_maybe_commit);
			}
			if (!err)
				err = orphan_del(fs, &ip);
		}
		if (err)
			return err;
		err = ext4_maybe_commit(fs);
		if (err)
			return err;
	}
	return 0;
}

/* Marks the on-disk superblock "needs recovery" before the first change of
 * this mount reaches the disk (as the kernel does while mounted). */
static int mark_modify(struct vfs *fs)
{
	int err;

	if (fs->broken)
		return -EROFS;
	if (fs->rdonly)
		return -EROFS;
	if (!fs->disk_dirty && fs->has_journal) {
		/* nothing has changed yet: the buffer holds the on-disk superblock
		 * (plus the recomputed free counters), safe to write in place */
		put32(fs->sb + SB_FEATURE_INCOMPAT, le32(fs->sb + SB_FEATURE_INCOMPAT) | INCOMPAT_RECOVER);
		ext4_sb_csum_set(fs);
		err = ext4_dev_write(fs, fs->sbbuf->blk, 1, fs->sbbuf->data);
		if (!err)
			err = ext4_dev_flush(fs);
		if (err)
			return err;
	}
	fs->disk_dirty = 1;
	return 0;
}

static int evict_all(struct vfs *fs);

/* Before an operation that changes something: the RECOVER mark, and the
 * commits that bound the transaction. */
static int begin_modify(struct vfs *fs)
{
	int err = mark_modify(fs);

	if (err)
		return err;
	/* delayed blocks get theirs here, where no inode is held, once an
	 * eighth of the cache waits for them or the reservation takes half
	 * the free space (its share for the extent tree, mostly unused, would
	 * soon refuse allocations that fit) */
	if (fs->pc_delay && (pcache_delay_full() || ext4_sb_free_blocks(fs) < 2 * ext4_dalloc_resv(fs))) {
		err = ext4_dalloc_all(fs);
		if (err)
			return err;
	}
	/* space freed in the open transaction, or held by inodes waiting for
	 * their idle eviction, is only reusable once they are freed and
	 * committed: do both first when free space runs low */
	if ((fs->npend || fs->nevict) && ext4_sb_free_blocks(fs) < 256) {
		err = evict_all(fs);
		return err ? err : ext4_commit(fs);
	}
	/* an operation takes one inode at most, and a freed one is reusable
	 * at once: no commit needed */
	if (fs->nevict && le32(fs->sb + SB_FREE_INODES) < 2) {
		err = evict_all(fs);
		if (err)
			return err;
	}
	/* like the kernel's 5 s commit: bound what a power cut can take. Past
	 * the interval the commit is idle work (commit_due), done in bounded
	 * steps between requests, as the kernel's commit thread does it
	 * beside the writer; only a caller that never leaves it idle time
	 * pays for the whole commit here, once twice the interval is gone. */
	if (fs->ndirty || fs->npend) {
		uint64_t s;
		uint32_t ns;
		ext4_now(&s, &ns);
		if (s >= fs->last_commit + 2 * EXT4_COMMIT_INTERVAL || s < fs->last_commit)
			return ext4_commit(fs);
	}
	return ext4_maybe_commit(fs);
}

/* The newest time the image holds: the superblock's mount and write times,
 * the last commit the journal replayed, the root directory's times. A clock
 * that is behind it moves up to it (vfs_set_clock_floor) before anything is
 * stamped, so a card that lost its time still never stamps an older one. */
static void clock_floor(struct vfs *fs, const struct ext4_inode *root)
{
	static const int offs[][2] = {
		{ I_ATIME, I_ATIME_EXTRA }, { I_MTIME, I_MTIME_EXTRA }, { I_CTIME, I_CTIME_EXTRA },
	};
	uint64_t best = ext4_sb_get_time(fs, SB_MTIME, SB_MTIME_HI), s;
	uint32_t best_ns = 0, ns;

	s = ext4_sb_get_time(fs, SB_WTIME, SB_WTIME_HI);
	if (s > best)
		best = s;
	if (fs->jlast_sec > best || (fs->jlast_sec == best && fs->jlast_nsec > best_ns)) {
		best = fs->jlast_sec;
		best_ns = fs->jlast_nsec;
	}
	for (unsigned i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		ext4_i_get_time(fs, root, offs[i][0], offs[i][1], &s, &ns);
		if (s > best || (s == best && ns > best_ns)) {
			best = s;
			best_ns = ns;
		}
	}
	ext4_clock_floor(best, best_ns);
}

/* As Linux's ext4_setup_super and ext4_commit_super at a read-write mount:
 * one more mount, the mount and write times, written in place. */
static int stamp_mount(struct vfs *fs)
{
	uint64_t s;
	uint32_t ns;
	int err;

	ext4_now(&s, &ns);
	put16(fs->sb + SB_MNT_COUNT, le16(fs->sb + SB_MNT_COUNT) + 1);
	ext4_sb_set_time(fs, SB_MTIME, SB_MTIME_HI, s);
	ext4_sb_set_time(fs, SB_WTIME, SB_WTIME_HI, s);
	ext4_sb_csum_set(fs);
	err = ext4_dev_write(fs, fs->sbbuf->blk, 1, fs->sbbuf->data);
	if (!err)
		err = ext4_dev_flush(fs);
	return err;
}

/*
 * The primary superblock failed its checksum and the journal has nothing to
 * replay: it may have been torn by a power cut during one of the writes
 * that bypass the journal (the first change of a mount, mount, unmount),
 * which change only the first sector's dynamic fields (feature RECOVER,
 * times, mount count, free counts) and the checksum in the second; either
 * half is then a state the superblock really had. Accepted (its checksum
 * is recomputed when it is next written) only if the backup in group 1 has
 * a good checksum and the same geometry, features and UUID (or, with one
 * group and so no backup, if the verified group descriptor checksums
 * vouch for it); otherwise it is corruption, as before.
 */
static int check_torn_super(struct vfs *fs, const uint8_t *sb)
{
	static const uint16_t same[][2] = {	/* byte ranges that must agree */
		{ SB_INODES_COUNT, 0x08 }, { SB_FIRST_DATA_BLOCK, 0x2c }, { SB_MAGIC, SB_MAGIC + 2 },
		{ 0x5c, SB_FEATURE_INCOMPAT }, { SB_FEATURE_INCOMPAT + 4, SB_UUID + 16 },
		{ SB_BLOCKS_HI, SB_BLOCKS_HI + 4 },
	};
	uint8_t b[1024];
	uint64_t blk = fs->first_data_block + fs->bpg;
	int err;

	/* One group has no backup. Then the group descriptors, whose checksums
	 * are seeded from this superblock's UUID (or checksum seed) and which
	 * check_groups() has verified, are what vouches for it. */
	if (fs->ngroups < 2)
		return fs->csum ? 0 : ext4_error(fs, -EUCLEAN, "superblock checksum mismatch");
	err = fs->bd->read(fs->bd, blk * fs->spb, 2, b);
	if (err)
		return ext4_error(fs, err, "cannot read the backup superblock");
	if (le16(b + SB_MAGIC) != EXT4_SUPER_MAGIC ||
	    le32(b + SB_CHECKSUM) != ext4_crc32c_raw(0xffffffffu, b, SB_CHECKSUM))
		return ext4_error(fs, -EUCLEAN, "superblock checksum mismatch (and no valid backup)");
	for (unsigned i = 0; i < sizeof(same) / sizeof(same[0]); i++)
		if (memcmp(sb + same[i][0], b + same[i][0], same[i][1] - same[i][0]))
			return ext4_error(fs, -EUCLEAN, "superblock checksum mismatch (differs from its backup)");
	if ((le32(sb + SB_FEATURE_INCOMPAT) ^ le32(b + SB_FEATURE_INCOMPAT)) & ~INCOMPAT_RECOVER)
		return ext4_error(fs, -EUCLEAN, "superblock checksum mismatch (differs from its backup)");
	return 0;
}

int vfs_mount(struct vfs **out, struct blockdev *bd, unsigned flags)
{
	struct vfs *fs = NULL;
	uint8_t raw[1024];
	int err, replayed = 0, sb_torn = 0;

	*out = NULL;
	for (int i = 0; i < EXT4_MAX_MOUNTS; i++)
		if (!pool[i].in_use) {
			fs = &pool[i];
			break;
		}
	if (!fs)
		return ext4_error(NULL, -EBUSY, "too many mounted filesystems");
	memset(fs, 0, offsetof(struct vfs, bufs));
	fs->slot = (uint32_t)(fs - pool);
	pcache_drop_fs(fs);	/* the slot's last mount may have left data */
	fs->bd = bd;
	fs->rdonly = !!(flags & VFS_MOUNT_RDONLY);
again:
	if (bd->nsectors < 4)
		return ext4_error(NULL, -EINVAL, "device too small");
	err = bd->read(bd, 2, 2, raw);
	if (err)
		return ext4_error(NULL, err, "cannot read the superblock");
	/*
	 * The superblock is journalled, and its in-place copy is written at the
	 * checkpoint, 1 KiB over two sectors: a power cut can tear it (one
	 * sector new, one old), which only its checksum shows. Its geometry is
	 * the same in both halves, and the journal, not empty until the
	 * checkpoint is flushed, holds the committed copy: so a checksum
	 * mismatch is let through once, to the replay that rewrites it. With
	 * nothing to replay, see check_torn_super().
	 */
	sb_torn = 0;
	err = check_super(fs, raw, bd->nsectors * BLOCKDEV_SECTOR_SIZE, replayed || fs->rdonly ? NULL : &sb_torn);
	if (err)
		goto fail;
	ext4_cache_init(fs);
	ext4_icache_init(fs);
	ext4_dcache_init(fs);
	err = ext4_bread(fs, fs->bs == 1024 ? 1 : 0, &fs->sbbuf);
	if (err)
		goto fail;
	fs->sb = fs->sbbuf->data + (fs->bs == 1024 ? 0 : 1024);
	err = check_groups(fs);
	if (err)
		goto fail;
	if (fs->has_journal) {
		err = ext4_journal_load(fs);
		if (err < 0)
			goto fail;
		if (sb_torn && err != 1) {
			int e = check_torn_super(fs, fs->sb);

			if (e) {
				err = e;
				goto fail;
			}
			sb_torn = 0;
		}
		if (err == 1 || (fs->incompat & INCOMPAT_RECOVER)) {
			if (replayed) {
				err = ext4_error(fs, -EUCLEAN, "journal still needs recovery after replay");
				goto fail;
			}
			if (fs->rdonly) {
				err = ext4_error(fs, -EUCLEAN, "journal needs recovery; mount read-write to replay it");
				goto fail;
			}
			if (err == 1) {
				err = ext4_journal_recover(fs);
				if (err)
					goto fail;
			}
			/* replay rewrote metadata: clear RECOVER and start over */
			err = bd->read(bd, 2, 2, raw);
			if (err)
				goto fail;
			put32(raw + SB_FEATURE_INCOMPAT, le32(raw + SB_FEATURE_INCOMPAT) & ~INCOMPAT_RECOVER);
			if (le32(raw + SB_FEATURE_RO_COMPAT) & RO_COMPAT_METADATA_CSUM)
				put32(raw + SB_CHECKSUM, ext4_crc32c_raw(0xffffffffu, raw, SB_CHECKSUM));
			err = bd->write(bd, 2, 2, raw);
			if (!err)
				err = bd->flush(bd);
			if (err)
				goto fail;
			replayed = 1;
			goto again;
		}
	}
	if (sb_torn) {
		err = ext4_error(fs, -EUCLEAN, "superblock checksum mismatch");
		goto fail;
	}
	err = ext4_sysz_build(fs);
	if (err)
		goto fail;
	/* commit before the transaction outgrows a third of the cache or half
	 * of the journal: one operation never needs the rest */
	fs->tx_limit = fs->nbufs / 3;
	if (fs->has_journal && fs->tx_limit > (fs->jlen - fs->jfirst) / 2)
		fs->tx_limit = (fs->jlen - fs->jfirst) / 2;
	{
		struct ext4_inode *root = &fs->tmpino;
		err = ext4_inode_read(fs, EXT4_ROOT_INO, root);
		if (!err && (ext4_i_mode(root) & S_IFMT_) != S_IFDIR_)
			err = ext4_corrupt(fs, "root is not a directory", 2);
		if (err)
			goto fail;
		clock_floor(fs, root);
	}
	if (!fs->rdonly && le32(fs->sb + SB_LAST_ORPHAN)) {
		err = begin_modify(fs);
		if (!err)
			err = process_orphans(fs);
		if (!err)
			err = ext4_commit(fs);
		/* home before stamp_mount writes the superblock in place */
		if (!err)
			err = ext4_checkpoint(fs);
		if (err)
			goto fail;
	}
	if (!fs->rdonly) {
		err = stamp_mount(fs);
		if (err)
			goto fail;
	}
	{
		uint32_t ns;
		ext4_now(&fs->last_commit, &ns);
	}
	fs->in_use = 1;
	fs->dalloc = ext4_dalloc_all;
	pcache_fit(fs->bs);
	*out = fs;
	return 0;
fail:
	return err;
}

int vfs_sync(struct vfs *fs)
{
	if (fs->rdonly)
		return 0;
	if (fs->broken)
		return -EIO;
	return ext4_commit(fs);
}

int vfs_checkpoint(struct vfs *fs)
{
	int err = fs->rdonly || fs->broken ? 0 : evict_all(fs);

	if (!err)
		err = vfs_sync(fs);

	if (!err && !fs->rdonly)
		err = ext4_checkpoint(fs);
	return err;
}

int vfs_unmount(struct vfs *fs)
{
	int err = 0;

	if (!fs || !fs->in_use)
		return -EINVAL;
	if (!fs->rdonly && !fs->broken && fs->nevict)
		err = evict_all(fs);
	if (!err && !fs->rdonly && !fs->broken && fs->disk_dirty) {
		err = process_orphans(fs);
		if (!err)
			err = ext4_commit(fs);
		/* the journal empty before the superblock goes in place */
		if (!err)
			err = ext4_checkpoint(fs);
		if (!err && fs->has_journal) {
			put32(fs->sb + SB_FEATURE_INCOMPAT,
			      le32(fs->sb + SB_FEATURE_INCOMPAT) & ~INCOMPAT_RECOVER);
			ext4_sb_csum_set(fs);
			err = ext4_dev_write(fs, fs->sbbuf->blk, 1, fs->sbbuf->data);
			if (!err)
				err = ext4_dev_flush(fs);
		}
	} else if (fs->broken) {
		err = -EIO;
	}
	pcache_drop_fs(fs);
	fs->in_use = 0;
	return err;
}

uint64_t vfs_root(const struct vfs *fs)
{
	(void)fs;
	return EXT4_ROOT_INO;
}

/* ---- helpers ---- */

static int iget(struct vfs *fs, uint64_t ino, struct ext4_inode *ip)
{
	int a, err;

	if (ino < 1 || ino > fs->inodes_count || (ino < fs->first_ino && ino != EXT4_ROOT_INO))
		return -ESTALE;
	/* in the inode cache: checked when it entered it */
	if (ext4_icache_find(fs, (uint32_t)ino))
		return ext4_inode_read(fs, (uint32_t)ino, ip);
	a = ext4_inode_allocated(fs, (uint32_t)ino);
	if (a < 0)
		return a;
	if (!a)
		return -ESTALE;
	err = ext4_inode_read(fs, (uint32_t)ino, ip);
	if (err)
		return err;
	if (ext4_i_mode(ip) == 0)
		return -ESTALE;
	if ((ext4_i_flags(ip) & EXT4_INLINE_DATA_FL) || (ext4_i_flags(ip) & EXT4_EA_INODE_FL))
		return ext4_error(fs, -EOPNOTSUPP, "inode %u uses inline data / ea_inode", (unsigned)ino);
	if (ext4_i_flags(ip) & EXT4_EXTENTS_FL) {
		err = ext4_ext_check_root(fs, ip);
		if (err)
			return err;
	} else {
		uint32_t t = ext4_i_mode(ip) & S_IFMT_;
		if (t == S_IFREG_ || t == S_IFDIR_ || (t == S_IFLNK_ && ext4_i_size(ip) >= 60)) {
			if (ext4_i_blocks(fs, ip) != 0 || ext4_i_size(ip) != 0)
				return ext4_error(fs, -EOPNOTSUPP,
						  "inode %u uses block maps (ext2/ext3 layout)", (unsigned)ino);
		}
	}
	ext4_icache_insert(fs, ip);
	return 0;
}

static int getdir(struct vfs *fs, uint64_t ino, struct ext4_inode *ip)
{
	int err = iget(fs, ino, ip);

	if (!err && (ext4_i_mode(ip) & S_IFMT_) != S_IFDIR_)
		err = -ENOTDIR;
	return err;
}

static int check_name(const char *name, size_t len)
{
	if (len == 0)
		return -EINVAL;
	if (len > 255)
		return -ENAMETOOLONG;
	if (memchr(name, '/', len) || memchr(name, 0, len))
		return -EINVAL;
	return 0;
}

static int is_dots(const char *name, size_t len)
{
	return (len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.');
}

static void fill_attr(struct vfs *fs, const struct ext4_inode *ip, struct vfs_attr *a)
{
	if (a)
		ext4_inode_attr(fs, ip, a);
}

static void set_owner(struct ext4_inode *ip, uint32_t uid, uint32_t gid)
{
	put16(ip->raw + I_UID, uid & 0xffff);
	put16(ip->raw + I_UID_HI, uid >> 16);
	put16(ip->raw + I_GID, gid & 0xffff);
	put16(ip->raw + I_GID_HI, gid >> 16);
}

static void nlink_inc(struct vfs *fs, struct ext4_inode *dir)
{
	uint32_t n = ext4_i_nlink(dir);

	if (n == 1 && fs->dir_nlink)
		return;
	/* past 65000 subdirectories the count becomes 1 ("many"), as e2fsck expects */
	if (n + 1 > DIR_NLINK_MAX && fs->dir_nlink)
		ext4_i_set_nlink(dir, 1);
	else
		ext4_i_set_nlink(dir, n + 1);
}

static void nlink_dec_dir(struct ext4_inode *dir)
{
	uint32_t n = ext4_i_nlink(dir);

	if (n > 2)
		ext4_i_set_nlink(dir, n - 1);
}

/* New inode with the common fields; written by the caller. */
static int new_inode(struct vfs *fs, uint32_t parent, uint32_t mode, uint32_t uid, uint32_t gid,
		     struct ext4_inode *ip)
{
	uint32_t ino, t = mode & S_IFMT_;
	uint64_t s;
	uint32_t ns;
	int err = ext4_alloc_inode(fs, parent, t == S_IFDIR_, &ino);

	if (err)
		return err;
	memset(ip->raw, 0, fs->isz);
	ip->ino = ino;
	put16(ip->raw + I_MODE, mode);
	set_owner(ip, uid, gid);
	if (fs->isz > EXT4_GOOD_OLD_INODE_SIZE)
		put16(ip->raw + I_EXTRA_ISIZE, fs->inode_extra_want);
	ext4_now(&s, &ns);
	ext4_i_set_time(fs, ip, I_ATIME, I_ATIME_EXTRA, s, ns);
	ext4_i_set_time(fs, ip, I_MTIME, I_MTIME_EXTRA, s, ns);
	ext4_i_set_time(fs, ip, I_CTIME, I_CTIME_EXTRA, s, ns);
	ext4_i_set_time(fs, ip, I_CRTIME, I_CRTIME_EXTRA, s, ns);
	put32(ip->raw + I_GENERATION, ext4_crc32c_raw(ns ^ (uint32_t)s, &ino, 4) ^ fs->tick);
	if (t == S_IFREG_ || t == S_IFDIR_ || t == S_IFLNK_) {
		put32(ip->raw + I_FLAGS, EXT4_EXTENTS_FL);
		ext4_ext_init_root(ip);
	}
	ext4_i_set_nlink(ip, 1);
	return 0;
}

static int orphan_add(struct vfs *fs, struct ext4_inode *ip)
{
	put32(ip->raw + I_DTIME, le32(fs->sb + SB_LAST_ORPHAN));
	put32(fs->sb + SB_LAST_ORPHAN, ip->ino);
	ext4_bdirty(fs, fs->sbbuf);
	return ext4_inode_write(fs, ip);
}

static int orphan_del(struct vfs *fs, struct ext4_inode *ip)
{
	uint32_t cur = le32(fs->sb + SB_LAST_ORPHAN), n = 0;
	struct ext4_inode *x = &fs->tmpino;
	int err;

	if (cur == ip->ino) {
		put32(fs->sb + SB_LAST_ORPHAN, le32(ip->raw + I_DTIME));
		ext4_bdirty(fs, fs->sbbuf);
		put32(ip->raw + I_DTIME, 0);
		return ext4_inode_write(fs, ip);
	}
	while (cur) {
		if (++n > fs->inodes_count)
			return ext4_corrupt(fs, "orphan list loop", cur);
		err = ext4_inode_read(fs, cur, x);
		if (err)
			return err;
		if (le32(x->raw + I_DTIME) == ip->ino) {
			put32(x->raw + I_DTIME, le32(ip->raw + I_DTIME));
			err = ext4_inode_write(fs, x);
			if (err)
				return err;
			put32(ip->raw + I_DTIME, 0);
			return ext4_inode_write(fs, ip);
		}
		cur = le32(x->raw + I_DTIME);
	}
	return 0;
}

/*
 * Frees an inode with nlink 0. A listed one stays on the orphan list while
 * its blocks go (a big release may commit part way: after a crash the list
 * still leads to it), and leaves the list in the step that frees it.
 */
static int release_inode(struct vfs *fs, struct ext4_inode *ip, int listed)
{
	uint64_t s;
	uint32_t ns;
	int is_dir = (ext4_i_mode(ip) & S_IFMT_) == S_IFDIR_;
	int err = ext4_file_release_all(fs, ip);

	if (!err && listed)
		err = orphan_del(fs, ip);
	if (err)
		return err;
	ext4_i_set_size(ip, 0);
	ext4_now(&s, &ns);
	/* a small dtime reads as an orphan-list link to e2fsck: without a
	 * clock, use the last write or mkfs time */
	if (s <= fs->inodes_count)
		s = le32(fs->sb + SB_WTIME) > fs->inodes_count ? le32(fs->sb + SB_WTIME) : le32(fs->sb + 0x108);
	put32(ip->raw + I_DTIME, (uint32_t)s);
	err = ext4_inode_write(fs, ip);
	ext4_icache_drop(fs, ip->ino);
	if (!err)
		err = ext4_free_inode(fs, ip->ino, is_dir);
	return err;
}

/* ---- the API ---- */

int vfs_lookup(struct vfs *fs, uint64_t dir, const char *name, size_t len, struct vfs_attr *out)
{
	struct ext4_inode *d = &fs->tmpino, ip;
	struct dir_loc loc;
	int err = check_name(name, len);
	uint32_t cached;

	if (err)
		return err;
	/* the name cache: (dir, name) -> inode, or "no such name" */
	if (dir <= 0xffffffffu && !is_dots(name, len) && ext4_dcache_find(fs, (uint32_t)dir, name, len, &cached)) {
		if (!cached)
			return -ENOENT;
		loc.ino = cached;
		goto found;
	}
	err = getdir(fs, dir, d);
	if (err)
		return err;
	err = ext4_dir_find(fs, d, name, len, &loc);
	if (!is_dots(name, len) && (!err || err == -ENOENT))
		ext4_dcache_insert(fs, d->ino, name, len, err ? 0 : loc.ino);
	if (err)
		return err;
found:
	{
		const struct ext4_icent *e = ext4_icache_find(fs, loc.ino);

		if (e) {
			if (out)
				*out = e->attr;
			return 0;
		}
	}
	err = iget(fs, loc.ino, &ip);
	if (err == -ESTALE)
		err = ext4_corrupt(fs, "directory entry points to a free inode", loc.ino);
	if (!err)
		fill_attr(fs, &ip, out);
	return err;
}

const struct vfs_attr *vfs_getattr_cached(struct vfs *fs, uint64_t ino)
{
	const struct ext4_icent *e = ino <= 0xffffffffu ? ext4_icache_find(fs, (uint32_t)ino) : NULL;

	return e ? &e->attr : NULL;
}

int vfs_getattr(struct vfs *fs, uint64_t ino, struct vfs_attr *out)
{
	struct ext4_inode ip;
	const struct ext4_icent *e = ino <= 0xffffffffu ? ext4_icache_find(fs, (uint32_t)ino) : NULL;
	int err;

	if (e) {
		if (out)
			*out = e->attr;
		return 0;
	}
	err = iget(fs, ino, &ip);
	if (!err)
		fill_attr(fs, &ip, out);
	return err;
}

int vfs_setattr(struct vfs *fs, uint64_t ino, const struct vfs_setattr *sa, struct vfs_attr *out)
{
	struct ext4_inode ip;
	uint64_t s;
	uint32_t ns;
	int err = begin_modify(fs);

	if (!err)
		err = iget(fs, ino, &ip);
	if (err)
		return err;
	ext4_now(&s, &ns);
	if (sa->valid & VFS_SET_SIZE) {
		uint32_t t = ext4_i_mode(&ip) & S_IFMT_;
		if (t == S_IFDIR_)
			return -EISDIR;
		if (t != S_IFREG_)
			return -EINVAL;
		if (sa->size > ext4_file_max_size(fs))
			return -EFBIG;
		if (sa->size != ext4_i_size(&ip)) {
			ensure_extents(&ip);
			err = dalloc_settle(fs, &ip, sa->size);
			if (!err)
				err = ext4_file_truncate(fs, &ip, sa->size);
			if (err)
				return err;
			ext4_i_set_time(fs, &ip, I_MTIME, I_MTIME_EXTRA, s, ns);
		}
	}
	if (sa->valid & VFS_SET_MODE)
		put16(ip.raw + I_MODE, (ext4_i_mode(&ip) & S_IFMT_) | (sa->mode & 07777));
	if (sa->valid & (VFS_SET_UID | VFS_SET_GID)) {
		uint32_t uid = le16(ip.raw + I_UID) | (uint32_t)le16(ip.raw + I_UID_HI) << 16;
		uint32_t gid = le16(ip.raw + I_GID) | (uint32_t)le16(ip.raw + I_GID_HI) << 16;
		set_owner(&ip, (sa->valid & VFS_SET_UID) ? sa->uid : uid, (sa->valid & VFS_SET_GID) ? sa->gid : gid);
	}
	if (sa->valid & VFS_SET_ATIME_NOW)
		ext4_i_set_time(fs, &ip, I_ATIME, I_ATIME_EXTRA, s, ns);
	else if (sa->valid & VFS_SET_ATIME)
		ext4_i_set_time(fs, &ip, I_ATIME, I_ATIME_EXTRA, sa->atime, sa->atimensec);
	if (sa->valid & VFS_SET_MTIME_NOW)
		ext4_i_set_time(fs, &ip, I_MTIME, I_MTIME_EXTRA, s, ns);
	else if (sa->valid & VFS_SET_MTIME)
		ext4_i_set_time(fs, &ip, I_MTIME, I_MTIME_EXTRA, sa->mtime, sa->mtimensec);
	if (sa->valid & VFS_SET_CTIME)
		ext4_i_set_time(fs, &ip, I_CTIME, I_CTIME_EXTRA, sa->ctime, sa->ctimensec);
	else
		ext4_i_set_time(fs, &ip, I_CTIME, I_CTIME_EXTRA, s, ns);
	err = ext4_inode_write(fs, &ip);
	if (!err)
		fill_attr(fs, &ip, out);
	return err;
}

/* Common tail of the create calls: name the new inode in dir. */
static int link_new(struct vfs *fs, struct ext4_inode *d, const char *name, size_t len,
		    struct ext4_inode *ip)
{
	int err = ext4_dir_add(fs, d, name, len, ip->ino, ext4_i_mode(ip));

	if (err)
		return err;
	if ((ext4_i_mode(ip) & S_IFMT_) == S_IFDIR_)
		nlink_inc(fs, d);
	ext4_i_touch(fs, d, 0, 1, 1);
	return ext4_inode_write(fs, d);
}

static int prepare_create(struct vfs *fs, uint64_t dir, const char *name, size_t len,
			  struct ext4_inode *d)
{
	struct dir_loc loc;
	int err = check_name(name, len);

	if (!err)
		err = begin_modify(fs);
	if (!err)
		err = getdir(fs, dir, d);
	if (err)
		return err;
	if (ext4_i_nlink(d) == 0)
		return -ENOENT;
	err = ext4_dir_find(fs, d, name, len, &loc);
	if (err == 0)
		return -EEXIST;
	return err == -ENOENT ? 0 : err;
}

int vfs_mknod(struct vfs *fs, uint64_t dir, const char *name, size_t len, uint32_t mode,
	      uint32_t rdev, uint32_t uid, uint32_t gid, struct vfs_attr *out)
{
	struct ext4_inode d, ip;
	uint32_t t = mode & S_IFMT_;
	int err;

	if (t == 0)
		mode |= t = S_IFREG_;
	if (t != S_IFREG_ && t != S_IFIFO_ && t != S_IFSOCK_ && t != S_IFCHR_ && t != S_IFBLK_)
		return -EINVAL;
	err = prepare_create(fs, dir, name, len, &d);
	if (!err)
		err = new_inode(fs, (uint32_t)dir, mode, uid, gid, &ip);
	if (err)
		return err;
	if (t == S_IFCHR_ || t == S_IFBLK_) {
		uint32_t major = (rdev >> 8) & 0xfff, minor = (rdev & 0xff) | ((rdev >> 12) & 0xfff00);
		if (major < 256 && minor < 256)
			put32(ip.raw + I_BLOCK, major << 8 | minor);
		else
			put32(ip.raw + I_BLOCK + 4, rdev);
	}
	err = ext4_inode_write(fs, &ip);
	if (!err)
		err = link_new(fs, &d, name, len, &ip);
	if (err) {
		ext4_i_set_nlink(&ip, 0);
		release_inode(fs, &ip, 0);
		return err;
	}
	fill_attr(fs, &ip, out);
	return 0;
}

int vfs_mkdir(struct vfs *fs, uint64_t dir, const char *name, size_t len, uint32_t mode,
	      uint32_t uid, uint32_t gid, struct vfs_attr *out)
{
	struct ext4_inode d, ip;
	int err = prepare_create(fs, dir, name, len, &d);

	if (!err && ext4_i_nlink(&d) >= LINK_MAX_ && !fs->dir_nlink)
		err = -EMLINK;
	if (!err)
		err = new_inode(fs, (uint32_t)dir, S_IFDIR_ | (mode & 07777), uid, gid, &ip);
	if (err)
		return err;
	ext4_i_set_nlink(&ip, 2);
	err = ext4_dir_init(fs, &ip, (uint32_t)dir);
	if (err) {
		ext4_i_set_nlink(&ip, 0);
		release_inode(fs, &ip, 0);
		return err;
	}
	err = link_new(fs, &d, name, len, &ip);
	if (err) {
		ext4_i_set_nlink(&ip, 0);
		release_inode(fs, &ip, 0);
		return err;
	}
	fill_attr(fs, &ip, out);
	return 0;
}

int vfs_symlink(struct vfs *fs, uint64_t dir, const char *name, size_t len, const char *target,
		size_t tlen, uint32_t uid, uint32_t gid, struct vfs_attr *out)
{
	struct ext4_inode d, ip;
	int err;

	if (tlen == 0)
		return -ENOENT;
	if (tlen >= fs->bs)
		return -ENAMETOOLONG;
	err = prepare_create(fs, dir, name, len, &d);
	if (!err)
		err = new_inode(fs, (uint32_t)dir, S_IFLNK_ | 0777, uid, gid, &ip);
	if (err)
		return err;
	if (tlen < 60) {
		put32(ip.raw + I_FLAGS, 0);
		memset(ip.raw + I_BLOCK, 0, 60);
		memcpy(ip.raw + I_BLOCK, target, tlen);
		ext4_i_set_size(&ip, tlen);
		err = ext4_inode_write(fs, &ip);
	} else {
		uint64_t pblk;
		uint32_t got;
		struct ext4_buf *b;
		err = ext4_alloc_blocks(fs, 0, 1, &pblk, &got);
		if (!err) {
			err = ext4_bget_zero(fs, pblk, &b);
			if (err) {
				ext4_free_blocks(fs, pblk, 1);
			} else {
				memcpy(b->data, target, tlen);
				ext4_bdirty(fs, b);
				ext4_bput(fs, b);
				ext4_i_set_size(&ip, tlen);
				err = ext4_ext_insert(fs, &ip, 0, pblk, 1, 0);
				if (err)
					ext4_free_blocks(fs, pblk, 1);
				else
					ext4_i_add_blocks(fs, &ip, 1);
			}
		}
		if (!err)
			err = ext4_inode_write(fs, &ip);
	}
	if (!err)
		err = link_new(fs, &d, name, len, &ip);
	if (err) {
		ext4_i_set_nlink(&ip, 0);
		release_inode(fs, &ip, 0);
		return err;
	}
	fill_attr(fs, &ip, out);
	return 0;
}

int vfs_link(struct vfs *fs, uint64_t ino, uint64_t newdir, const char *name, size_t len,
	     struct vfs_attr *out)
{
	struct ext4_inode d, ip;
	int err = prepare_create(fs, newdir, name, len, &d);

	if (!err)
		err = iget(fs, ino, &ip);
	if (err)
		return err;
	if ((ext4_i_mode(&ip) & S_IFMT_) == S_IFDIR_)
		return -EPERM;
	if (ext4_i_nlink(&ip) >= LINK_MAX_)
		return -EMLINK;
	err = ext4_dir_add(fs, &d, name, len, ip.ino, ext4_i_mode(&ip));
	if (err)
		return err;
	ext4_i_touch(fs, &d, 0, 1, 1);
	err = ext4_inode_write(fs, &d);
	if (err)
		return err;
	if (ext4_i_nlink(&ip) == 0) {
		err = orphan_del(fs, &ip);	/* an O_TMPFILE gets its name */
		if (err)
			return err;
	}
	ext4_i_set_nlink(&ip, ext4_i_nlink(&ip) + 1);
	ext4_i_touch(fs, &ip, 0, 0, 1);
	err = ext4_inode_write(fs, &ip);
	if (!err)
		fill_attr(fs, &ip, out);
	return err;
}

static int drop_link(struct vfs *fs, struct ext4_inode *ip)
{
	uint32_t n = ext4_i_nlink(ip);

	if ((ext4_i_mode(ip) & S_IFMT_) == S_IFDIR_)
		n = 0;
	else if (n > 0)
		n--;
	ext4_i_set_nlink(ip, n);
	ext4_i_touch(fs, ip, 0, 0, 1);
	if (n == 0)
		return orphan_add(fs, ip);
	return ext4_inode_write(fs, ip);
}

static int remove_common(struct vfs *fs, uint64_t dir, const char *name, size_t len, int want_dir)
{
	struct ext4_inode d, ip;
	struct dir_loc loc;
	int err = check_name(name, len);

	if (!err)
		err = begin_modify(fs);
	if (!err)
		err = getdir(fs, dir, &d);
	if (err)
		return err;
	if (want_dir && len == 1 && name[0] == '.')
		return -EINVAL;
	if (want_dir && is_dots(name, len))
		return -ENOTEMPTY;
	if (is_dots(name, len))
		return -EISDIR;
	err = ext4_dir_find(fs, &d, name, len, &loc);
	if (!err)
		err = iget(fs, loc.ino, &ip);
	if (err)
		return err == -ESTALE ? ext4_corrupt(fs, "directory entry points to a free inode", loc.ino) : err;
	if (want_dir) {
		if ((ext4_i_mode(&ip) & S_IFMT_) != S_IFDIR_)
			return -ENOTDIR;
		err = ext4_dir_is_empty(fs, &ip);
		if (err < 0)
			return err;
		if (!err)
			return -ENOTEMPTY;
	} else if ((ext4_i_mode(&ip) & S_IFMT_) == S_IFDIR_) {
		return -EISDIR;
	}
	err = ext4_dir_remove(fs, &d, &loc);
	if (err)
		return err;
	if (want_dir)
		nlink_dec_dir(&d);
	ext4_i_touch(fs, &d, 0, 1, 1);
	err = ext4_inode_write(fs, &d);
	if (!err)
		err = drop_link(fs, &ip);
	return err;
}

int vfs_unlink(struct vfs *fs, uint64_t dir, const char *name, size_t len)
{
	return remove_common(fs, dir, name, len, 0);
}

int vfs_rmdir(struct vfs *fs, uint64_t dir, const char *name, size_t len)
{
	return remove_common(fs, dir, name, len, 1);
}

/* Is dir `ino` below (or equal to) directory `top`? Walks up through "..". */
static int is_below(struct vfs *fs, uint32_t ino, uint32_t top)
{
	struct ext4_inode d;
	struct dir_loc loc;
	uint32_t n = 0;

	while (ino != EXT4_ROOT_INO) {
		int err;
		if (ino == top)
			return 1;
		if (++n > fs->inodes_count)
			return ext4_corrupt(fs, "directory loop", ino);
		err = getdir(fs, ino, &d);
		if (!err)
			err = ext4_dir_find(fs, &d, "..", 2, &loc);
		if (err)
			return err;
		ino = loc.ino;
	}
	return top == EXT4_ROOT_INO;
}

static int set_dotdot(struct vfs *fs, struct ext4_inode *dir, uint32_t parent)
{
	struct dir_loc loc;
	int err = ext4_dir_find(fs, dir, "..", 2, &loc);

	if (!err)
		err = ext4_dir_set(fs, dir, &loc, parent, S_IFDIR_);
	return err;
}

int vfs_rename(struct vfs *fs, uint64_t olddir, const char *oname, size_t olen,
	       uint64_t newdir, const char *nname, size_t nlen, unsigned flags)
{
	struct ext4_inode od, nd, src, dst;
	struct dir_loc oloc, nloc;
	int err, have_dst, sdir, ddir = 0, same = olddir == newdir;

	if ((flags & ~(VFS_RENAME_NOREPLACE | VFS_RENAME_EXCHANGE)) ||
	    flags == (VFS_RENAME_NOREPLACE | VFS_RENAME_EXCHANGE))
		return -EINVAL;
	err = check_name(oname, olen);
	if (!err)
		err = check_name(nname, nlen);
	if (!err)
		err = begin_modify(fs);
	if (err)
		return err;
	if (is_dots(oname, olen) || is_dots(nname, nlen))
		return -EBUSY;
	err = getdir(fs, olddir, &od);
	if (!err)
		err = getdir(fs, newdir, &nd);
	if (!err)
		err = ext4_dir_find(fs, &od, oname, olen, &oloc);
	if (!err)
		err = iget(fs, oloc.ino, &src);
	if (err)
		return err;
	err = ext4_dir_find(fs, &nd, nname, nlen, &nloc);
	if (err && err != -ENOENT)
		return err;
	have_dst = !err;
	if (have_dst && (flags & VFS_RENAME_NOREPLACE))
		return -EEXIST;
	if (!have_dst && (flags & VFS_RENAME_EXCHANGE))
		return -ENOENT;
	if (have_dst && nloc.ino == oloc.ino)
		return 0;
	if (ext4_i_nlink(&nd) == 0)
		return -ENOENT;
	sdir = (ext4_i_mode(&src) & S_IFMT_) == S_IFDIR_;
	if (have_dst) {
		err = iget(fs, nloc.ino, &dst);
		if (err)
			return err;
		ddir = (ext4_i_mode(&dst) & S_IFMT_) == S_IFDIR_;
	}
	/* no directory may move below itself */
	if (sdir && !same) {
		err = is_below(fs, (uint32_t)newdir, src.ino);
		if (err)
			return err < 0 ? err : -EINVAL;
	}
	if ((flags & VFS_RENAME_EXCHANGE) && ddir && !same) {
		err = is_below(fs, (uint32_t)olddir, dst.ino);
		if (err)
			return err < 0 ? err : -EINVAL;
	}
	if (flags & VFS_RENAME_EXCHANGE) {
		err = ext4_dir_set(fs, &nd, &nloc, src.ino, ext4_i_mode(&src));
		if (!err)
			err = ext4_dir_set(fs, &od, &oloc, dst.ino, ext4_i_mode(&dst));
		if (err)
			return err;
		if (!same) {
			if (sdir)
				err = set_dotdot(fs, &src, (uint32_t)newdir);
			if (!err && ddir)
				err = set_dotdot(fs, &dst, (uint32_t)olddir);
			if (err)
				return err;
			if (sdir && !ddir) {
				nlink_dec_dir(&od);
				nlink_inc(fs, &nd);
			} else if (ddir && !sdir) {
				nlink_dec_dir(&nd);
				nlink_inc(fs, &od);
			}
		}
		ext4_i_touch(fs, &src, 0, 0, 1);
		ext4_i_touch(fs, &dst, 0, 0, 1);
		err = ext4_inode_write(fs, &src);
		if (!err)
			err = ext4_inode_write(fs, &dst);
		goto dirs;
	}
	if (have_dst) {
		if (sdir && !ddir)
			return -ENOTDIR;
		if (!sdir && ddir)
			return -EISDIR;
		if (ddir) {
			err = ext4_dir_is_empty(fs, &dst);
			if (err < 0)
				return err;
			if (!err)
				return -ENOTEMPTY;
		}
		err = ext4_dir_set(fs, &nd, &nloc, src.ino, ext4_i_mode(&src));
	} else {
		if (sdir && !same && ext4_i_nlink(&nd) >= LINK_MAX_ && !fs->dir_nlink)
			return -EMLINK;
		err = ext4_dir_add(fs, &nd, nname, nlen, src.ino, ext4_i_mode(&src));
		if (!err && same)
			od = nd;	/* ext4_dir_add may have rewritten the directory inode */
	}
	if (err)
		return err;
	/* the old entry: look it up again, ext4_dir_add may have moved nothing but
	 * could have changed the inode (size, flags) */
	err = ext4_dir_find(fs, &od, oname, olen, &oloc);
	if (!err)
		err = ext4_dir_remove(fs, &od, &oloc);
	if (err)
		return err;
	if (sdir && !same) {
		err = set_dotdot(fs, &src, (uint32_t)newdir);
		if (err)
			return err;
		nlink_dec_dir(&od);
		nlink_inc(fs, &nd);
	}
	if (have_dst) {
		if (ddir)
			nlink_dec_dir(same ? &od : &nd);
		err = drop_link(fs, &dst);
		if (err)
			return err;
	}
	ext4_i_touch(fs, &src, 0, 0, 1);
	err = ext4_inode_write(fs, &src);
dirs:
	if (err)
		return err;
	ext4_i_touch(fs, &od, 0, 1, 1);
	err = ext4_inode_write(fs, &od);
	if (!err && !same) {
		ext4_i_touch(fs, &nd, 0, 1, 1);
		err = ext4_inode_write(fs, &nd);
	}
	return err;
}

int vfs_tmpfile(struct vfs *fs, uint64_t dir, uint32_t mode, uint32_t uid, uint32_t gid,
		struct vfs_attr *out)
{
	struct ext4_inode d, ip;
	int err = begin_modify(fs);

	if (!err)
		err = getdir(fs, dir, &d);
	if (!err)
		err = new_inode(fs, (uint32_t)dir, S_IFREG_ | (mode & 07777), uid, gid, &ip);
	if (err)
		return err;
	ext4_i_set_nlink(&ip, 0);
	err = orphan_add(fs, &ip);
	if (!err)
		fill_attr(fs, &ip, out);
	return err;
}

/*
 * Deferred eviction. The FUSE layer's last reference to an unlinked inode
 * (a FORGET, a RELEASE) only queues it: freeing a big file's blocks (page
 * cache, extent tree, bitmaps, a commit part way) took the FORGET ~134 000
 * host instructions for 1 MiB, and the card far more. vfs_idle frees the
 * queued inodes a bounded step at a time while no request waits. Until its
 * last step the inode stays allocated (its number cannot come back) and on
 * the on-disk orphan list, where unlink put it: after a power cut the next
 * mount, e2fsck or Linux frees it, as they free any unlinked-while-open
 * inode. Nothing can reach it meanwhile: it has no name and no reference.
 */
#define EVICT_DROP_STEP 64	/* page-cache blocks dropped per step (a hash walk each) */
#define EVICT_DROP_WALK 2048	/* past this, all at once (pcache_drop walks the frames) */
#define EVICT_EXT_STEP 4	/* extents freed per step */

static uint64_t fs_blocks_of(struct vfs *fs, uint64_t sectors)
{
	return sectors / fs->spb;
}

static int has_extent_data(const struct ext4_inode *ip)
{
	uint32_t t = ext4_i_mode(ip) & S_IFMT_;

	return (ext4_i_flags(ip) & EXT4_EXTENTS_FL) && (t == S_IFREG_ || t == S_IFDIR_ || t == S_IFLNK_);
}

/* The last EVICT_EXT_STEP extents of ip freed, in one removal from the
 * start of the first of them (one inode write, one collapse): 1 when some
 * may be left, 0 when the tree is empty. */
static int evict_extents(struct vfs *fs, struct ext4_inode *ip)
{
	uint32_t end = 0xffffffffu, lblk, len;
	int k, r = 0;

	for (k = 0; k < EVICT_EXT_STEP; k++) {
		r = ext4_ext_last(fs, ip, end, &lblk, &len);
		if (r <= 0)
			break;
		end = lblk;
	}
	if (r < 0)
		return r;
	if (k) {
		r = ext4_ext_remove(fs, ip, end, 0xffffffffu, 1, ext4_maybe_commit);
		if (r)
			return r;
	}
	return k == EVICT_EXT_STEP;
}

/* The inode's last step: what is left (extents, xattr block), off the
 * orphan list, freed (its page cache is gone already). */
static int evict_last(struct vfs *fs, struct ext4_inode *ip)
{
	ext4_i_set_size(ip, 0);	/* nothing left to drop from the page cache */
	return release_inode(fs, ip, 1);
}

/* One bounded step of the newest queued eviction: 1 when that inode has
 * more to free, 0 when it is gone (left the queue), or a negative errno
 * (it left the queue too: the orphan list has it for the next mount). */
static int evict_step(struct vfs *fs)
{
	struct ext4_evict *ev = &fs->evict[fs->nevict - 1];
	struct ext4_inode ip;
	uint64_t before = 0;
	int r = mark_modify(fs);

	if (!r)
		r = ext4_inode_read(fs, ev->ino, &ip);
	if (r)
		goto done;
	before = fs_blocks_of(fs, ext4_i_blocks(fs, &ip));
	if (ev->drop) {
		/* the cached data first, so that no dirty frame of it is
		 * written back once its block may belong to another file */
		uint32_t lo = ev->drop > EVICT_DROP_STEP ? ev->drop - EVICT_DROP_STEP : 0;

		/* a long file: one look at every frame, not a hash walk per block */
		if (ev->drop > EVICT_DROP_WALK)
			lo = 0;
		pcache_drop(fs, ev->ino, lo, ev->drop);
		ev->drop = lo;
		return 1;
	}
	r = has_extent_data(&ip) ? evict_extents(fs, &ip) : 0;
	if (r == 0)
		r = evict_last(fs, &ip);
	else if (r > 0)
		before -= fs_blocks_of(fs, ext4_i_blocks(fs, &ip));
	if (r > 0) {
		fs->evict_blocks -= before < fs->evict_blocks ? before : fs->evict_blocks;
		return 1;
	}
done:
	fs->evict_blocks -= before < fs->evict_blocks ? before : fs->evict_blocks;
	if (!--fs->nevict)
		fs->evict_blocks = 0;
	return r;
}

/* The newest queued eviction, all at once: its page cache in one drop,
 * the inode as a synchronous eviction freed it (one removal of the whole
 * tree): no bound is wanted when something waits for all of it. */
static int evict_finish(struct vfs *fs)
{
	struct ext4_evict *ev = &fs->evict[--fs->nevict];
	struct ext4_inode ip;
	int err = mark_modify(fs);

	if (!err)
		err = ext4_inode_read(fs, ev->ino, &ip);
	if (!err) {
		uint64_t held = fs_blocks_of(fs, ext4_i_blocks(fs, &ip));

		fs->evict_blocks -= held < fs->evict_blocks ? held : fs->evict_blocks;
		pcache_drop(fs, ev->ino, 0, ev->drop);
		err = evict_last(fs, &ip);
	}
	if (!fs->nevict)
		fs->evict_blocks = 0;
	return err;
}

/* Every queued eviction, now (free space is short, DESTROY, unmount). */
static int evict_all(struct vfs *fs)
{
	int err = 0;

	while (fs->nevict) {
		int r = evict_finish(fs);

		if (r < 0 && !err)
			err = r;
		if (fs->broken)
			break;
	}
	return err;
}

int vfs_evict(struct vfs *fs, uint64_t ino)
{
	struct vfs_attr a;
	uint64_t nb;
	int err;

	if (fs->rdonly)
		return 0;
	err = vfs_getattr(fs, ino, &a);	/* the inode cache: no read */
	if (err)
		return err;
	if (a.nlink != 0)
		return 0;
	if (fs->broken)
		return -EROFS;
	for (uint32_t i = 0; i < fs->nevict; i++)
		if (fs->evict[i].ino == ino)
			return 0;
	/* a full queue: the newest eviction finishes on this request */
	if (fs->nevict == EXT4_MAX_EVICT) {
		err = evict_finish(fs);
		if (err < 0)
			return err;
	}
	nb = (a.size + fs->bs - 1) >> fs->log_bs;
	fs->evict[fs->nevict].ino = (uint32_t)ino;
	fs->evict[fs->nevict].drop = nb < PCACHE_NONE ? (uint32_t)nb : PCACHE_NONE;
	fs->nevict++;
	fs->evict_blocks += fs_blocks_of(fs, a.blocks);
	return 0;
}

/* Blocks an idle step gives delayed frames, writes back or checkpoints:
 * what a request arriving meanwhile may wait for, beside one commit. */
#define IDLE_WB_STEP 32

/* The open transaction has grown or aged enough that a request would soon
 * commit it (ext4_maybe_commit, begin_modify's interval): idle time does. */
static int commit_due(struct vfs *fs)
{
	uint64_t s;
	uint32_t ns;

	if (!fs->ndirty && !fs->npend)
		return 0;
	if (fs->ndirty + fs->ncp > fs->tx_limit / 2 || fs->npend > EXT4_MAX_PENDING_FREE / 4)
		return 1;
	ext4_now(&s, &ns);
	return s >= fs->last_commit + EXT4_COMMIT_INTERVAL || s < fs->last_commit;
}

/* A failed allocation of delayed blocks, as in ext4_commit: the disk keeps
 * the last commit, FSYNC and FLUSH say EIO. */
static void dalloc_failed(struct vfs *fs)
{
	fs->broken = 1;
	fs->wb_err = 1;
	pcache_drop_fs(fs);
}

/*
 * The idle commit, a bounded step at a time: delayed frames get blocks
 * (one run of IDLE_WB_STEP at most a step: before, the commit gave every
 * one its own at once, up to an eighth of the cache), the file data goes
 * out, IDLE_WB_STEP blocks a step, each step ending with a FLUSH (a FLUSH
 * waits for the drive to take in everything written before it: the
 * commit's would wait for all of the data at once), then the commit
 * itself, whose journal writes and flushes are the one piece not split (a
 * transaction of about tx_limit / 2 buffers). Ordered mode is the
 * commit's as before: it writes back whatever is still dirty first. 1
 * while steps are left.
 */
static int idle_commit_step(struct vfs *fs)
{
	int r;

	if (fs->pc_delay) {
		r = mark_modify(fs);
		if (!r)
			r = ext4_dalloc_step(fs, IDLE_WB_STEP);
		if (r < 0)
			dalloc_failed(fs);
		if (r)
			return r > 0;
	}
	if (fs->pc_dirty > fs->pc_delay) {
		if (!pcache_writeback_oldest(fs, IDLE_WB_STEP))
			(void)ext4_dev_flush(fs);
		return !fs->broken;
	}
	/* the checkpoint a full log or cache asks for: the next steps */
	fs->cp_defer = 1;
	r = ext4_commit(fs);
	fs->cp_defer = 0;
	if (r)
		return 0;	/* it broke the mount: FSYNC says so */
	/* committed buffers past half the transaction limit would make the
	 * next requests commit early: the next steps home them */
	fs->cp_idle = fs->has_journal && (fs->ncp > fs->tx_limit / 2 || ext4_checkpoint_wanted(fs));
	return fs->cp_idle;
}

int vfs_idle_due(struct vfs *fs)
{
	if (!fs || !fs->in_use || fs->rdonly || fs->broken)
		return 0;
	return fs->nevict || (fs->cp_idle && fs->jlive && !fs->ndirty) || commit_due(fs);
}

int vfs_idle(struct vfs *fs)
{
	if (!fs || !fs->in_use || fs->rdonly || fs->broken)
		return 0;
	if (fs->nevict) {
		(void)evict_step(fs);	/* a failure leaves the inode to the orphan list */
		return 1;		/* the commit below is looked at next */
	}
	/* the checkpoint writes committed contents only: not while a
	 * request's change is open (a commit comes first, below) */
	if (fs->cp_idle && fs->jlive && !fs->ndirty) {
		int r = ext4_checkpoint_step(fs, IDLE_WB_STEP);

		fs->cp_idle = r > 0;
		return fs->cp_idle;
	}
	fs->cp_idle = 0;
	return commit_due(fs) ? idle_commit_step(fs) : 0;
}

int vfs_readlink(struct vfs *fs, uint64_t ino, char *buf, size_t size)
{
	struct ext4_inode ip;
	uint64_t len;
	int err = iget(fs, ino, &ip);

	if (err)
		return err;
	if ((ext4_i_mode(&ip) & S_IFMT_) != S_IFLNK_)
		return -EINVAL;
	len = ext4_i_size(&ip);
	if (len >= fs->bs)
		return ext4_corrupt(fs, "symlink length", ino);
	if (!(ext4_i_flags(&ip) & EXT4_EXTENTS_FL)) {
		if (len >= 60)
			return ext4_corrupt(fs, "fast symlink length", ino);
		if (size)
			memcpy(buf, ip.raw + I_BLOCK, len < size ? len : size);
	} else {
		uint64_t pblk;
		uint32_t l;
		int un;
		struct ext4_buf *b;
		err = ext4_ext_map(fs, &ip, 0, &pblk, &l, &un);
		if (!err && !pblk)
			err = ext4_corrupt(fs, "symlink without a block", ino);
		if (!err)
			err = ext4_bread(fs, pblk, &b);
		if (err)
			return err;
		if (size)
			memcpy(buf, b->data, len < size ? len : size);
		ext4_bput(fs, b);
	}
	return (int)len;
}

/*
 * Delayed blocks of ip (file.c) get their device blocks before anything
 * looks at its mapping or edits it (truncate, punch, preallocation,
 * SEEK_DATA): those see them as data, and a commit part way through them
 * finds none of this inode left to allocate in a copy it would load from
 * disk. Blocks wholly past keep (a truncation's new size) are dropped
 * instead, with their reservation.
 */
static int dalloc_settle(struct vfs *fs, struct ext4_inode *ip, uint64_t keep)
{
	uint64_t kb = (keep + fs->bs - 1) >> fs->log_bs;

	if (!fs->pc_delay)
		return 0;
	if (kb < PCACHE_NONE)
		pcache_drop(fs, ip->ino, (uint32_t)kb,
			    (uint32_t)((ext4_i_size(ip) + fs->bs - 1) >> fs->log_bs));
	return ext4_dalloc_inode(fs, ip, 0, PCACHE_NONE);
}

static int get_reg(struct vfs *fs, uint64_t ino, struct ext4_inode *ip)
{
	int err = iget(fs, ino, ip);

	if (err)
		return err;
	if ((ext4_i_mode(ip) & S_IFMT_) == S_IFDIR_)
		return -EISDIR;
	if ((ext4_i_mode(ip) & S_IFMT_) != S_IFREG_)
		return -EINVAL;
	return 0;
}

/* An empty block-mapped file (older tools) gets an extent tree before its
 * first block (iget refused the ones that own blocks). */
static void ensure_extents(struct ext4_inode *ip)
{
	if (!(ext4_i_flags(ip) & EXT4_EXTENTS_FL)) {
		put32(ip->raw + I_FLAGS, ext4_i_flags(ip) | EXT4_EXTENTS_FL);
		ext4_ext_init_root(ip);
	}
}

long vfs_read(struct vfs *fs, uint64_t ino, uint64_t off, void *buf, size_t len)
{
	struct ext4_inode ip;
	int err = get_reg(fs, ino, &ip);

	if (err)
		return err;
	return ext4_file_read(fs, &ip, off, buf, len);
}

long vfs_read_ref(struct vfs *fs, uint64_t ino, uint64_t off, size_t len, struct vfs_seg *seg,
		  unsigned max, unsigned *nseg)
{
	struct ext4_inode ip;
	int err = get_reg(fs, ino, &ip);

	*nseg = 0;
	if (err)
		return err;
	return ext4_file_read_ref(fs, &ip, off, len, seg, max, nseg);
}

/* The DAX window takes the range: dirty blocks reach the device first, as
 * the window page is then the one copy and is clean (a failure breaks the
 * mount, as any failed write-back does). */
/* Delayed blocks of [first, end) of an inode get device blocks (called
 * between requests: no inode is held). A failure breaks the mount. */
static int dalloc_range(struct vfs *fs, uint64_t ino, uint32_t first, uint32_t end)
{
	struct ext4_inode ip;
	int err;

	if (pcache_delayed_in(fs, (uint32_t)ino, first, end) == PCACHE_NONE)
		return 0;
	err = get_reg(fs, ino, &ip);
	if (!err)
		err = ext4_dalloc_inode(fs, &ip, first, end);
	if (err && !fs->broken) {
		fs->broken = 1;
		fs->wb_err = 1;
		pcache_drop_fs(fs);
	}
	return err;
}

void vfs_pcache_drop(struct vfs *fs, uint64_t ino, uint64_t off, uint64_t len)
{
	uint64_t first = off >> fs->log_bs, end = (off + len + fs->bs - 1) >> fs->log_bs;

	if (first >= PCACHE_NONE)
		return;
	if (end > PCACHE_NONE)
		end = PCACHE_NONE;
	if (dalloc_range(fs, ino, (uint32_t)first, (uint32_t)end))
		return;		/* the mount is broken: its frames went */
	(void)pcache_writeback_range(fs, (uint32_t)ino, (uint32_t)first, (uint32_t)end);
	pcache_drop(fs, (uint32_t)ino, (uint32_t)first, (uint32_t)end);
}

int vfs_writeback(struct vfs *fs, uint64_t ino, uint64_t off, uint64_t len)
{
	uint64_t first = off >> fs->log_bs, end = (off + len + fs->bs - 1) >> fs->log_bs;

	int err;

	if (!len || first >= PCACHE_NONE)
		return 0;
	if (end > PCACHE_NONE)
		end = PCACHE_NONE;
	err = dalloc_range(fs, ino, (uint32_t)first, (uint32_t)end);
	return err ? err : pcache_writeback_range(fs, (uint32_t)ino, (uint32_t)first, (uint32_t)end);
}

int vfs_flush(struct vfs *fs, uint64_t ino)
{
	(void)ino;	/* a broken mount lost every file's changes since the commit */
	return fs->wb_err ? -EIO : 0;
}

/* Only blocks wholly below EOF that map to written data are cached (a
 * clean frame holds what the device holds); a dirty frame, newer than the
 * window page's source, keeps its bytes. */
void vfs_pcache_put(struct vfs *fs, uint64_t ino, uint64_t off, const void *src, size_t len)
{
	struct ext4_inode ip;
	const uint8_t *in = src;

	if (!pcache_enabled() || !pcache_copy_cheap() || get_reg(fs, ino, &ip) || fs->broken || (off & (fs->bs - 1)))
		return;
	for (; len >= fs->bs && off + fs->bs <= ext4_i_size(&ip); off += fs->bs, in += fs->bs, len -= fs->bs) {
		uint32_t lblk = (uint32_t)(off >> fs->log_bs), mlen, first;
		uint64_t pblk;
		uint8_t *fr;
		int un;

		if (ext4_ext_map(fs, &ip, lblk, &pblk, &mlen, &un) || !pblk || un)
			continue;
		fr = pcache_find(fs, (uint32_t)ino, lblk);
		if (fr && pcache_is_dirty(fr))
			continue;
		if (!fr) {
			if (!pcache_alloc_run(1, &first))
				return;
			if (fs->broken) {	/* making room failed */
				pcache_unreserve(first);
				return;
			}
			fr = pcache_frame(first);
			pcache_insert(first, fs, (uint32_t)ino, lblk);
		}
		pcache_copy(fr, in, fs->bs);
	}
}

static long write_once(struct vfs *fs, uint64_t ino, uint64_t off, const void *buf, size_t len)
{
	struct ext4_inode ip;
	uint32_t seq;
	long n;
	int err = begin_modify(fs), had;

	if (!err)
		err = get_reg(fs, ino, &ip);
	if (err)
		return err;
	if (len == 0)
		return 0;
	had = ext4_i_flags(&ip) & EXT4_EXTENTS_FL;
	ensure_extents(&ip);
	seq = fs->iseq;
	n = ext4_file_write(fs, &ip, off, buf, len);
	if (n > 0) {
		/* only the size changed, and the times change: they can wait
		 * in the inode cache for the commit (ext4_inode_defer) */
		if (had && seq == fs->iseq && ext4_inode_defer(fs, &ip))
			return n;
		ext4_i_touch(fs, &ip, 0, 1, 1);
		err = ext4_inode_write(fs, &ip);
		if (err)
			return err;
	}
	return n;
}

/*
 * Out of space while blocks wait to be freed (queued evictions, frees of
 * the open transaction, reusable only once committed): they are freed and
 * committed now, at a point where the operation that ran short has left
 * the metadata consistent, and the caller tries again. 1 when there was
 * something to free.
 */
static int reclaim_space(struct vfs *fs)
{
	int err;

	if (fs->rdonly || fs->broken || (!fs->nevict && !fs->npend))
		return 0;
	err = evict_all(fs);
	if (!err)
		err = ext4_commit(fs);
	return !err;
}

long vfs_write(struct vfs *fs, uint64_t ino, uint64_t off, const void *buf, size_t len)
{
	long n = write_once(fs, ino, off, buf, len), m;

	/* written in part, or not at all, for want of space: the rest again */
	if ((n == -ENOSPC || (n >= 0 && (size_t)n < len)) && reclaim_space(fs)) {
		size_t done = n > 0 ? (size_t)n : 0;

		m = write_once(fs, ino, off + done, (const uint8_t *)buf + done, len - done);
		if (m > 0)
			n = (long)done + m;
		else if (!done)
			n = m;
	}
	return n;
}

#define FALLOC_KEEP_SIZE 0x01
#define FALLOC_PUNCH_HOLE 0x02
#define FALLOC_ZERO_RANGE 0x10

/* Zeroes [off, off+len) inside one block, if that block holds data. */
static int zero_partial(struct vfs *fs, struct ext4_inode *ip, uint64_t off, uint32_t len)
{
	uint64_t pblk;
	uint32_t l;
	int un, err = ext4_ext_map(fs, ip, (uint32_t)(off / fs->bs), &pblk, &l, &un);

	if (err || !pblk || un || !len)
		return err;
	err = ext4_dev_read(fs, pblk, 1, fs->scratch);
	if (err)
		return err;
	memset(fs->scratch + off % fs->bs, 0, len);
	return ext4_dev_write(fs, pblk, 1, fs->scratch);
}

static int punch(struct vfs *fs, struct ext4_inode *ip, uint64_t off, uint64_t end)
{
	uint64_t fb = (off + fs->bs - 1) / fs->bs, lb = end / fs->bs;
	int err = 0;

	/* a block cut in part is zeroed on the device: its dirty bytes go
	 * there first; the rest of the range is just dropped */
	if (off % fs->bs)
		err = pcache_writeback_range(fs, ip->ino, (uint32_t)(off / fs->bs), (uint32_t)(off / fs->bs) + 1);
	if (!err && end % fs->bs)
		err = pcache_writeback_range(fs, ip->ino, (uint32_t)lb, (uint32_t)lb + 1);
	if (err)
		return err;
	pcache_drop(fs, ip->ino, (uint32_t)(off / fs->bs), (uint32_t)((end + fs->bs - 1) / fs->bs));

	if (fb > lb) {	/* inside one block */
		return zero_partial(fs, ip, off, (uint32_t)(end - off));
	}
	if (off % fs->bs)
		err = zero_partial(fs, ip, off, (uint32_t)(fs->bs - off % fs->bs));
	if (!err && end % fs->bs)
		err = zero_partial(fs, ip, lb * fs->bs, (uint32_t)(end % fs->bs));
	if (!err && lb > fb)
		err = ext4_ext_remove(fs, ip, (uint32_t)fb, (uint32_t)lb, 1, ext4_maybe_commit);
	return err;
}

/* Maps every hole in [fb, lb) with unwritten extents. */
static int prealloc(struct vfs *fs, struct ext4_inode *ip, uint64_t fb, uint64_t lb)
{
	while (fb < lb) {
		uint64_t pblk, start;
		uint32_t l, got, want;
		int un, err = ext4_ext_map(fs, ip, (uint32_t)fb, &pblk, &l, &un);

		if (err)
			return err;
		if (pblk) {
			fb += l;
			continue;
		}
		want = (uint32_t)(lb - fb < l ? lb - fb : l);
		if (want > 2048)
			want = 2048;
		err = ext4_alloc_blocks(fs, fs->first_data_block + (uint64_t)((ip->ino - 1) / fs->ipg) * fs->bpg,
				   want, &start, &got);
		if (err)
			return err;
		err = ext4_ext_insert(fs, ip, (uint32_t)fb, start, got, 1);
		if (err) {
			ext4_free_blocks(fs, start, got);
			return err;
		}
		ext4_i_add_blocks(fs, ip, got);
		fb += got;
		err = ext4_inode_write(fs, ip);
		if (!err)
			err = ext4_maybe_commit(fs);
		if (err)
			return err;
	}
	return 0;
}

static int fallocate_once(struct vfs *fs, uint64_t ino, uint32_t mode, uint64_t off, uint64_t len)
{
	struct ext4_inode ip;
	uint64_t end = off + len;
	int err;

	if (mode != 0 && mode != FALLOC_KEEP_SIZE && mode != (FALLOC_PUNCH_HOLE | FALLOC_KEEP_SIZE) &&
	    mode != FALLOC_ZERO_RANGE && mode != (FALLOC_ZERO_RANGE | FALLOC_KEEP_SIZE))
		return -EOPNOTSUPP;
	if (len == 0)
		return -EINVAL;
	if (end < off || end > ext4_file_max_size(fs))
		return -EFBIG;
	err = begin_modify(fs);
	if (!err)
		err = get_reg(fs, ino, &ip);
	if (!err)
		err = dalloc_settle(fs, &ip, ext4_i_size(&ip));
	if (err)
		return err;
	ensure_extents(&ip);
	if (mode & FALLOC_PUNCH_HOLE) {
		uint64_t size = ext4_i_size(&ip);
		if (off >= size)
			return 0;
		if (end > size)
			end = size;
		err = punch(fs, &ip, off, end);
	} else {
		uint64_t fb = off / fs->bs, lb = (end + fs->bs - 1) / fs->bs;
		if (mode & FALLOC_ZERO_RANGE) {
			uint64_t zend = end;
			if (zend > ext4_i_size(&ip))
				zend = ext4_i_size(&ip);
			if (off < zend)
				err = punch(fs, &ip, off, zend);
		}
		if (!err)
			err = prealloc(fs, &ip, fb, lb);
		if (!err && !(mode & FALLOC_KEEP_SIZE) && end > ext4_i_size(&ip))
			ext4_i_set_size(&ip, end);
	}
	if (err)
		return err;
	ext4_i_touch(fs, &ip, 0, mode != 0 && mode != FALLOC_KEEP_SIZE, 1);
	return ext4_inode_write(fs, &ip);
}

/* Preallocation that ran out of space keeps what it mapped, so running it
 * again (after reclaim_space) maps only the rest; a zeroed range is zeroed
 * again. */
int vfs_fallocate(struct vfs *fs, uint64_t ino, uint32_t mode, uint64_t off, uint64_t len)
{
	int err = fallocate_once(fs, ino, mode, off, len);

	if (err == -ENOSPC && reclaim_space(fs))
		err = fallocate_once(fs, ino, mode, off, len);
	return err;
}

int vfs_lseek(struct vfs *fs, uint64_t ino, uint64_t off, int whence, uint64_t *result)
{
	struct ext4_inode ip;
	uint64_t size;
	int err = get_reg(fs, ino, &ip);

	if (err)
		return err;
	size = ext4_i_size(&ip);
	if (off >= size)
		return -ENXIO;
	if (whence != 3 && whence != 4)
		return -EINVAL;
	/* delayed blocks are data: they get their blocks first */
	err = dalloc_settle(fs, &ip, size);
	if (err)
		return err;
	for (uint64_t b = off / fs->bs; b * fs->bs < size;) {
		uint64_t pblk;
		uint32_t l;
		int un;
		err = ext4_ext_map(fs, &ip, (uint32_t)b, &pblk, &l, &un);
		if (err)
			return err;
		if (whence == 3 && pblk) {
			*result = b * fs->bs > off ? b * fs->bs : off;
			return 0;
		}
		if (whence == 4 && !pblk) {
			*result = b * fs->bs > off ? b * fs->bs : off;
			return 0;
		}
		b += l;
	}
	if (whence == 3)
		return -ENXIO;
	*result = size;
	return 0;
}

int vfs_fsync(struct vfs *fs, uint64_t ino, int datasync)
{
	struct ext4_inode ip;
	int err;

	(void)datasync;
	err = iget(fs, ino, &ip);
	if (err)
		return err;
	return vfs_sync(fs);
}

int vfs_readdir(struct vfs *fs, uint64_t dir, uint64_t cookie, vfs_filldir_t fill, void *ctx)
{
	struct ext4_inode d;
	int err = getdir(fs, dir, &d);

	if (err)
		return err;
	return ext4_dir_iterate(fs, &d, cookie, fill, ctx);
}

int vfs_statfs(struct vfs *fs, struct vfs_statfs *out)
{
	uint64_t r = le32(fs->sb + SB_R_BLOCKS_LO) | (fs->is64 ? (uint64_t)le32(fs->sb + SB_R_BLOCKS_HI) << 32 : 0);
	uint64_t pend = 0;

	for (uint32_t i = 0; i < fs->npend; i++)
		pend += fs->pend[i].len;
	memset(out, 0, sizeof(*out));
	out->blocks = fs->blocks_count;
	/* what the queued evictions will free counts as free, as it would
	 * have if the FORGET had freed it (and does once they run) */
	out->bfree = ext4_sb_free_blocks(fs) + pend + fs->evict_blocks;
	out->bfree -= fs->pc_delay < out->bfree ? fs->pc_delay : out->bfree;	/* delayed: taken */
	out->bavail = out->bfree > r ? out->bfree - r : 0;
	out->files = fs->inodes_count;
	out->ffree = le32(fs->sb + SB_FREE_INODES) + fs->nevict;
	out->bsize = fs->bs;
	out->frsize = fs->bs;
	out->namelen = 255;
	return 0;
}

int vfs_setxattr(struct vfs *fs, uint64_t ino, const char *name, const void *value, size_t size, int flags)
{
	struct ext4_inode ip;
	int err = begin_modify(fs);

	if (!err)
		err = iget(fs, ino, &ip);
	if (!err)
		err = ext4_xattr_set(fs, &ip, name, value, size, flags);
	if (!err) {
		ext4_i_touch(fs, &ip, 0, 0, 1);
		err = ext4_inode_write(fs, &ip);
	}
	return err;
}

long vfs_getxattr(struct vfs *fs, uint64_t ino, const char *name, void *value, size_t size)
{
	struct ext4_inode ip;
	const struct ext4_icent *e = ino <= 0xffffffffu ? ext4_icache_find(fs, (uint32_t)ino) : NULL;
	int err;

	/* an inode known to have no xattrs: the name's own errors or ENODATA */
	if (e && (e->flags & EXT4_IC_NOXATTR)) {
		err = ext4_xattr_check_name(name);
		return err ? err : -ENODATA;
	}
	err = iget(fs, ino, &ip);

	if (err)
		return err;
	return ext4_xattr_get(fs, &ip, name, value, size);
}

long vfs_listxattr(struct vfs *fs, uint64_t ino, char *list, size_t size)
{
	struct ext4_inode ip;
	const struct ext4_icent *e = ino <= 0xffffffffu ? ext4_icache_find(fs, (uint32_t)ino) : NULL;
	int err;

	if (e && (e->flags & EXT4_IC_NOXATTR))
		return 0;
	err = iget(fs, ino, &ip);

	if (err)
		return err;
	return ext4_xattr_list(fs, &ip, list, size);
}

int vfs_removexattr(struct vfs *fs, uint64_t ino, const char *name)
{
	struct ext4_inode ip;
	int err = begin_modify(fs);

	if (!err)
		err = iget(fs, ino, &ip);
	if (!err)
		err = ext4_xattr_remove(fs, &ip, name);
	if (!err) {
		ext4_i_touch(fs, &ip, 0, 0, 1);
		err = ext4_inode_write(fs, &ip);
	}
	return err;
}
