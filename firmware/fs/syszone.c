/*
 * The system zone: every block the filesystem's own structures occupy (the
 * superblock and group-descriptor copies with their reserved blocks, each
 * group's bitmaps and inode table, the journal), as a sorted list of
 * disjoint ranges built at mount. A file's extent, an extent-tree block or a
 * newly allocated block that falls into it is corruption: followed, a READ
 * would return metadata as file data and a WRITE would overwrite it (Linux
 * keeps the same list for the same reason, fs/ext4/block_validity.c).
 *
 * Overlapping structures at mount (an inode table over a bitmap, the journal
 * over a group descriptor) are refused there. The list lives in struct vfs
 * (card memory on the card); a filesystem that needs more ranges than
 * EXT4_SYSZ_MAX mounts without the check, and says so.
 */
#include "ext4.h"

static int add(struct vfs *fs, uint64_t start, uint64_t len, const char *what, uint64_t where)
{
	uint32_t lo = 0, hi = fs->nsysz;

	if (!len)
		return 0;
	if (start >= fs->blocks_count || len > fs->blocks_count - start)
		return ext4_corrupt(fs, what, where);
	/* first range that ends after start */
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (fs->sysz[mid].start + fs->sysz[mid].len <= start)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < fs->nsysz && fs->sysz[lo].start < start + len)
		return ext4_corrupt(fs, what, where);	/* overlaps a structure already listed */
	/* touching neighbours merge */
	if (lo > 0 && fs->sysz[lo - 1].start + fs->sysz[lo - 1].len == start) {
		fs->sysz[lo - 1].len += len;
		if (lo < fs->nsysz && fs->sysz[lo].start == start + len) {
			fs->sysz[lo - 1].len += fs->sysz[lo].len;
			memmove(&fs->sysz[lo], &fs->sysz[lo + 1], (fs->nsysz - lo - 1) * sizeof(fs->sysz[0]));
			fs->nsysz--;
		}
		return 0;
	}
	if (lo < fs->nsysz && fs->sysz[lo].start == start + len) {
		fs->sysz[lo].start = start;
		fs->sysz[lo].len += len;
		return 0;
	}
	if (fs->nsysz == EXT4_SYSZ_MAX) {
		fs->sysz_off = 1;
		return 0;
	}
	memmove(&fs->sysz[lo + 1], &fs->sysz[lo], (fs->nsysz - lo) * sizeof(fs->sysz[0]));
	fs->sysz[lo].start = start;
	fs->sysz[lo].len = len;
	fs->nsysz++;
	return 0;
}

int ext4_sysz_build(struct vfs *fs)
{
	uint64_t itb = ((uint64_t)fs->ipg * fs->isz + fs->bs - 1) / fs->bs;
	int err = 0;

	fs->nsysz = 0;
	fs->sysz_off = 0;
	fs->sysz_gap_lo = fs->sysz_gap_hi = 0;	/* no gap known */
	for (uint32_t g = 0; g < fs->ngroups && !err; g++) {
		struct ext4_buf *b;
		uint8_t *gd;

		if (ext4_group_has_super(fs, g)) {
			uint64_t first = fs->first_data_block + (uint64_t)g * fs->bpg;

			err = add(fs, first, 1 + (uint64_t)fs->gdt_blocks + le16(fs->sb + SB_RESERVED_GDT),
				  "superblock and descriptor copies overlap metadata, group", g);
		}
		gd = err ? NULL : ext4_gd_get(fs, g, &b);
		if (!gd)
			return err ? err : -EIO;
		err = add(fs, ext4_gd_block_bitmap(fs, gd), 1, "block bitmap overlaps other metadata, group", g);
		if (!err)
			err = add(fs, ext4_gd_inode_bitmap(fs, gd), 1, "inode bitmap overlaps other metadata, group", g);
		if (!err)
			err = add(fs, ext4_gd_inode_table(fs, gd), itb, "inode table overlaps other metadata, group", g);
		ext4_bput(fs, b);
	}
	/* the journal's blocks, run by run */
	for (uint32_t j = 0; fs->has_journal && j < fs->jlen && !err;) {
		uint64_t p;
		uint32_t n;
		int un;

		err = ext4_ext_map(fs, &fs->jinode, j, &p, &n, &un);
		if (err)
			break;
		if (!p)
			return ext4_corrupt(fs, "journal has a hole at block", j);
		if (n > fs->jlen - j)
			n = fs->jlen - j;
		err = add(fs, p, n, "journal overlaps other metadata at block", p);
		j += n;
	}
	if (!err && fs->sysz_off)
		ext4_error(fs, 0, "system-zone check off: more than %u metadata ranges", (unsigned)EXT4_SYSZ_MAX);
	fs->sysz_gap_lo = fs->sysz_gap_hi = 0;	/* looks while the list grew saw part of it */
	return err;
}

/*
 * Every extent looked up and every extent-tree block followed is checked
 * here: a WRITE into a fallocated file looked three times, ~120 cycles each
 * on the card (a binary search over 64-bit bounds in card memory). The gap
 * between the two ranges around the last miss is remembered: a file's
 * extents and tree blocks mostly lie in one, so the next look is two
 * compares. The list only changes at mount (ext4_sysz_build), which
 * forgets the gap.
 */
int ext4_sysz_hits(struct vfs *fs, uint64_t start, uint64_t len)
{
	uint32_t lo = 0, hi = fs->nsysz;

	if (fs->sysz_off || !len)
		return 0;
	if (start >= fs->sysz_gap_lo && start < fs->sysz_gap_hi && len <= fs->sysz_gap_hi - start)
		return 0;
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (fs->sysz[mid].start + fs->sysz[mid].len <= start)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < fs->nsysz && fs->sysz[lo].start < start + len)
		return 1;
	fs->sysz_gap_lo = lo ? fs->sysz[lo - 1].start + fs->sysz[lo - 1].len : 0;
	fs->sysz_gap_hi = lo < fs->nsysz ? fs->sysz[lo].start : UINT64_MAX;
	return 0;
}
