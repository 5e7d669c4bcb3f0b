/* Delayed allocation (firmware/fs/file.c): a WRITE into a hole or past EOF
 * takes no blocks until a commit (or whatever looks at the mapping or reads
 * the device behind the cache) allocates the delayed ones, a run at a time.
 * Checked here: reads of delayed pages; truncation, hole punching, zeroing,
 * preallocation and SEEK_DATA/SEEK_HOLE over them; an O_SYNC-style
 * write-back and the DAX window taking them (the device must hold their
 * bytes); two files appended in turn each get one extent; and on a nearly
 * full image ENOSPC comes at the WRITE, while everything a WRITE accepted
 * reaches the disk at the commit. Every case ends with e2fsck and debugfs. */
#define _GNU_SOURCE
#include "cases.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

static uint8_t dpat(uint64_t i, unsigned seed)
{
	return (uint8_t)(i * 13 + (i >> 10) * 5 + seed);
}

static int same(struct vfs *fs, uint64_t ino, uint64_t off, size_t len, const uint8_t *want)
{
	static uint8_t got[256 * 1024];

	return vfs_read(fs, ino, off, got, len) == (long)len && !memcmp(got, want, len) ? 0 : -1;
}

/* The same through vfs_read_ref (the pieces point at the delayed frames). */
static int same_ref(struct vfs *fs, uint64_t ino, uint64_t off, size_t len, const uint8_t *want)
{
	struct vfs_seg seg[64];
	unsigned ns;
	size_t pos = 0;
	long n = vfs_read_ref(fs, ino, off, len, seg, 64, &ns);

	if (n != (long)len)
		return -1;
	for (unsigned i = 0; i < ns; i++) {
		if (seg[i].p ? memcmp(seg[i].p, want + pos, seg[i].len) : 0)
			return -1;
		pos += seg[i].len;
	}
	vfs_pcache_unpin_all();
	return pos == len ? 0 : -1;
}

static uint64_t mk(struct vfs *fs, const char *name)
{
	struct vfs_attr a;

	if (vfs_mknod(fs, 2, name, strlen(name), S_IFREG | 0644, 0, 0, 0, &a))
		return 0;
	return a.ino;
}

static uint64_t bfree(struct vfs *fs)
{
	struct vfs_statfs st;

	return vfs_statfs(fs, &st) ? 0 : st.bfree;
}

/* Extents debugfs lists for a file ("ex"): its leaf lines. */
static int extents_of(const char *path)
{
	char req[64], out[16384], *p;
	int n = 0;

	snprintf(req, sizeof(req), "ex %s", path);
	if (debugfs_out(req, out, sizeof(out)) <= 0)
		return -1;
	/* a leaf line reads "LEVEL/DEPTH ... - ... PHYS - PHYS LEN"; count the
	 * lines at the deepest level: "ENTRY/ N" with LEVEL == DEPTH */
	for (p = out; (p = strchr(p, '\n')) != NULL; p++) {
		unsigned lv, depth;

		if (sscanf(p + 1, " %u/ %u", &lv, &depth) == 2 && lv == depth)
			n++;
	}
	return n;
}

void t_dalloc(void)
{
	enum { SZ = 64 * 1024, APP = 32 };
	static uint8_t w[8][SZ], buf[APP * 4096];
	uint64_t ino[8], free0, res;
	struct vfs_setattr sa = { .valid = VFS_SET_SIZE };
	struct vfs_attr a;
	struct vfs *fs;

	CHECK(make_image(variant_opts, "32M") == 0, "mke2fs");
	OK(mount_img(&fs));
	for (int f = 0; f < 8; f++) {
		char name[8] = { 'd', (char)('0' + f), 0 };

		ino[f] = mk(fs, name);
		CHECK(ino[f], "create %s", name);
		for (size_t i = 0; i < SZ; i++)
			w[f][i] = dpat(i, (unsigned)f * 17);
	}
	OK(vfs_sync(fs));
	free0 = bfree(fs);

	/* d0 and d1 appended in turn, 4 KiB at a time: allocated at the
	 * commit, each is one run (allocating at the WRITE interleaves them) */
	for (int k = 0; k < APP; k++)
		for (int f = 0; f < 2; f++) {
			uint64_t off = (uint64_t)k * 4096;

			CHECK(vfs_write(fs, ino[f], off, w[f] + (off % SZ), 4096) == 4096, "append %d to d%d", k, f);
		}
	/* delayed blocks count as taken (statfs), before any allocation */
	res = free0 - bfree(fs);
	{
		struct vfs_statfs st;

		OK(vfs_statfs(fs, &st));
		CHECK(res * st.bsize >= 2 * APP * 4096, "statfs: %llu blocks taken by %d delayed KiB",
		      (unsigned long long)res, 2 * APP * 4);
	}
	for (int f = 0; f < 2; f++)
		for (int k = 0; k < APP; k += 16)
			CHECK(same(fs, ino[f], (uint64_t)k * 4096, 4096, w[f] + ((uint64_t)k * 4096 % SZ)) == 0,
			      "read delayed d%d at %d", f, k);
	CHECK(same_ref(fs, ino[0], 1000, 20000, w[0] + 1000) == 0, "delayed pages by reference");

	/* d2: 40 KiB delayed, truncated down through a block, then up */
	CHECK(vfs_write(fs, ino[2], 0, w[2], 40000) == 40000, "d2");
	sa.size = 10000;
	OK(vfs_setattr(fs, ino[2], &sa, &a));
	sa.size = 20000;
	OK(vfs_setattr(fs, ino[2], &sa, &a));
	memset(w[2] + 10000, 0, SZ - 10000);
	CHECK(same(fs, ino[2], 0, 20000, w[2]) == 0, "d2 after truncate down and up");

	/* d3: a hole punched and a range zeroed in delayed pages */
	CHECK(vfs_write(fs, ino[3], 0, w[3], SZ) == SZ, "d3");
	OK(vfs_fallocate(fs, ino[3], 0x03, 5000, 25000));
	memset(w[3] + 5000, 0, 25000);
	OK(vfs_fallocate(fs, ino[3], 0x10, 40000, 5000));
	memset(w[3] + 40000, 0, 5000);
	CHECK(same(fs, ino[3], 0, SZ, w[3]) == 0, "d3 after punch and zero range");

	/* d4: preallocation over delayed pages and past them */
	CHECK(vfs_write(fs, ino[4], 0, w[4], 16384) == 16384, "d4");
	OK(vfs_fallocate(fs, ino[4], 0, 0, SZ));
	memset(w[4] + 16384, 0, SZ - 16384);
	OK(vfs_getattr(fs, ino[4], &a));
	CHECK(a.size == SZ, "d4 size %llu", (unsigned long long)a.size);
	CHECK(same(fs, ino[4], 0, SZ, w[4]) == 0, "d4 after preallocation");

	/* d5: sparse, delayed data past a hole: SEEK_DATA finds it */
	CHECK(vfs_write(fs, ino[5], 32768, w[5] + 32768, 8192) == 8192, "d5");
	memset(w[5], 0, 32768);
	{
		uint64_t r = 0;

		OK(vfs_lseek(fs, ino[5], 0, 3, &r));
		CHECK(r == 32768, "SEEK_DATA over delayed pages: %llu", (unsigned long long)r);
		OK(vfs_lseek(fs, ino[5], 32768, 4, &r));
		CHECK(r == 40960, "SEEK_HOLE after them: %llu", (unsigned long long)r);
	}

	/* d6: written back as O_SYNC does, then its frames dropped: the
	 * device itself holds the bytes; d7: the DAX window takes its frames */
	CHECK(vfs_write(fs, ino[6], 0, w[6], 12288) == 12288, "d6");
	OK(vfs_writeback(fs, ino[6], 0, 12288));
	CHECK(vfs_write(fs, ino[7], 0, w[7], 12288) == 12288, "d7");
	vfs_pcache_drop(fs, ino[7], 0, 12288);
	vfs_pcache_drop(fs, ino[6], 0, 12288);
	CHECK(same(fs, ino[6], 0, 12288, w[6]) == 0, "d6 from the device after write-back");
	CHECK(same(fs, ino[7], 0, 12288, w[7]) == 0, "d7 from the device after the window took it");

	OK(vfs_sync(fs));
	OK(umount_img(fs));
	CHECK(fsck_clean(), "e2fsck");
	for (int f = 0; f < 2; f++) {
		char path[8] = { '/', 'd', (char)('0' + f), 0 };
		int n = extents_of(path);

		CHECK(n == 1, "%s: %d extents after turn-by-turn appends", path, n);
		for (int k = 0; k < APP; k++)
			memcpy(buf + k * 4096, w[f] + ((uint64_t)k * 4096 % SZ), 4096);
		CHECK(dump_cmp(path, buf, sizeof(buf)), "%s bytes", path);
	}
	CHECK(dump_cmp("/d2", w[2], 20000), "d2 on disk");
	CHECK(dump_cmp("/d3", w[3], SZ), "d3 on disk");
	CHECK(dump_cmp("/d4", w[4], SZ), "d4 on disk");
	CHECK(dump_cmp("/d5", w[5], 40960), "d5 on disk");
	CHECK(dump_cmp("/d6", w[6], 12288), "d6 on disk");
	CHECK(dump_cmp("/d7", w[7], 12288), "d7 on disk");
}

/*
 * A nearly full image: two files appended in turn, 4 KiB and 64 KiB WRITEs
 * with no sync, until one says ENOSPC. The reservation makes that the WRITE's
 * answer: the commit after it allocates every accepted byte, and the image
 * holds them all.
 */
void t_dalloc_enospc(void)
{
	enum { MAX = 6 << 20 };
	static uint8_t want[2][MAX];
	uint64_t ino[2], len[2] = { 0, 0 }, free0;
	struct vfs *fs;
	long r = 0;

	CHECK(make_image(variant_opts, "6M") == 0, "mke2fs");
	OK(mount_img(&fs));
	ino[0] = mk(fs, "n0");
	ino[1] = mk(fs, "n1");
	CHECK(ino[0] && ino[1], "create");
	OK(vfs_sync(fs));
	free0 = bfree(fs);
	for (int k = 0; r >= 0 && !cur_failed; k++) {
		int f = k & 1;
		size_t n = f ? 65536 : 4096;	/* n1's WRITEs outgrow what is left */
		uint8_t *p = want[f] + len[f];

		CHECK(len[f] + n <= MAX, "the image never fills (%llu)", (unsigned long long)len[f]);
		for (size_t i = 0; i < n; i++)
			p[i] = dpat(len[f] + i, (unsigned)f + 3);
		r = vfs_write(fs, ino[f], len[f], p, n);
		CHECK(r == (long)n || r == -ENOSPC || (r > 0 && r < (long)n), "write %d: %ld", k, r);
		if (r > 0)
			len[f] += (uint64_t)r;
		if (r > 0 && r < (long)n)
			r = -ENOSPC;	/* short: the space ran out part way */
	}
	{
		struct vfs_statfs st;

		OK(vfs_statfs(fs, &st));
		/* no early ENOSPC either: the reservation's margin is small */
		CHECK(len[0] + len[1] >= free0 * st.bsize * 3 / 4, "%llu bytes accepted of %llu free",
		      (unsigned long long)(len[0] + len[1]), (unsigned long long)(free0 * st.bsize));
		fprintf(stderr, "  %llu + %llu bytes accepted, %llu blocks of %u were free\n",
			(unsigned long long)len[0], (unsigned long long)len[1], (unsigned long long)free0, st.bsize);
	}
	OK(vfs_sync(fs));	/* nothing accepted may fail to find its block now */
	OK(umount_img(fs));
	CHECK(fsck_clean(), "e2fsck");
	CHECK(dump_cmp("/n0", want[0], len[0]), "n0 on disk (%llu bytes)", (unsigned long long)len[0]);
	CHECK(dump_cmp("/n1", want[1], len[1]), "n1 on disk (%llu bytes)", (unsigned long long)len[1]);

	/* one WRITE bigger than what is free, with nothing delayed before it:
	 * the reservation refuses to delay it, so it comes back short (or
	 * ENOSPC) and what it took is on the disk after the sync */
	OK(mount_img(&fs));
	{
		struct vfs_statfs st;
		struct vfs_setattr sa = { .valid = VFS_SET_SIZE };
		struct vfs_attr a;
		uint64_t big;

		OK(vfs_statfs(fs, &st));
		sa.size = len[1] > 100 * st.bsize ? len[1] - 100 * st.bsize : 0;
		OK(vfs_setattr(fs, ino[1], &sa, &a));
		len[1] = sa.size;
		OK(vfs_sync(fs));
		OK(vfs_statfs(fs, &st));
		big = (st.bfree + 28) * st.bsize;
		CHECK(len[0] + big <= MAX && big <= 256 * st.bsize, "%llu free", (unsigned long long)st.bfree);
		for (uint64_t i = 0; i < big; i++)
			want[0][len[0] + i] = dpat(len[0] + i, 9);
		r = vfs_write(fs, ino[0], len[0], want[0] + len[0], big);
		CHECK(r == -ENOSPC || (r > 0 && (uint64_t)r < big), "%llu bytes into %llu free blocks: %ld",
		      (unsigned long long)big, (unsigned long long)st.bfree, r);
		if (r > 0)
			len[0] += (uint64_t)r;
		fprintf(stderr, "  a WRITE of %llu blocks with %llu free: %ld\n", (unsigned long long)(big / st.bsize),
			(unsigned long long)st.bfree, r);
	}
	OK(vfs_sync(fs));
	OK(umount_img(fs));
	CHECK(fsck_clean(), "e2fsck after the big WRITE");
	CHECK(dump_cmp("/n0", want[0], len[0]), "n0 after the big WRITE (%llu bytes)", (unsigned long long)len[0]);
	CHECK(dump_cmp("/n1", want[1], len[1]), "n1 truncated (%llu bytes)", (unsigned long long)len[1]);
}
