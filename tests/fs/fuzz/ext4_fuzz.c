/*
 * ext4_fuzz: structure-aware fuzzing of the firmware's ext4 (firmware/fs).
 *
 * Seed images come from mke2fs -d over a tree made to reach every parser
 * (a directory big enough for an htree, a file with a depth-1 extent tree,
 * fast and slow symlinks, xattrs in the inode and in a block) and from our
 * own writes cut short, so that the journal needs replay. The fuzzer finds
 * the structures in the seed by reading them itself (superblock, group
 * descriptors, bitmaps, inodes, extent blocks, directory blocks, xattr
 * blocks, the journal's superblock and log), then, per execution, changes
 * one to four fields of one structure of the chosen kind (a boundary value,
 * one more or less, a random value, a bit flipped), recomputes the
 * superblock's and the inode's checksums when the seed has them (so those
 * parsers see the damage rather than a checksum mismatch; the other
 * structures of a checksummed seed exercise their checksum checks), and
 * mounts the image from memory: a walk of everything (readdir, lookup,
 * getattr, read, readlink, xattrs), a few writes (create, write, setxattr,
 * unlink, mkdir, rename), unmount. A crash is the sanitizers' to report; a
 * hang trips an alarm that names the target, seed and execution.
 *
 *   ext4_fuzz WORKDIR EXECS_PER_TARGET [SEED]
 *
 * EXT4_FUZZ_ONLY=STRUCTURE (a name from the table, e.g. "extent block")
 * runs that structure alone, to reproduce a report.
 * Prints per target: executions, mounts that succeeded, entries walked,
 * writes that succeeded; fails below a coverage floor (short runs in make
 * test; `make fuzz-ext4-long` runs 10^7 per target).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blockdev.h"
#include "crc.h"
#include "figures.h"
#include "vfs.h"

#define IMG_SIZE	(4u << 20)
#define MAX_LOC		4096

enum kind { K_SB, K_GD, K_BBITMAP, K_IBITMAP, K_INODE, K_EXTENT, K_DIR, K_XATTR, K_JSB, K_JLOG, K_KINDS };
static const char *const kind_name[K_KINDS] = {
	"superblock", "group descriptor", "block bitmap", "inode bitmap", "inode", "extent block",
	"directory block", "xattr block", "journal superblock", "journal log",
};

struct loc {
	uint64_t off;		/* byte offset in the image */
	uint32_t len;		/* the structure's bytes */
	uint32_t ino;		/* K_INODE: which inode (for its checksum) */
};

struct seed {
	const char *name;
	uint8_t img[IMG_SIZE];
	uint32_t bs, isz, csum, csum_seed;
	struct loc loc[K_KINDS][MAX_LOC];
	unsigned nloc[K_KINDS];
};

static struct seed seeds[2];
static uint8_t work[IMG_SIZE];
static uint64_t rng_s;
static volatile const char *cur_target = "", *cur_seed = "";
static volatile unsigned long cur_exec;
static unsigned long long base_seed = 1;

static uint32_t rnd(void)
{
	rng_s ^= rng_s << 13;
	rng_s ^= rng_s >> 7;
	rng_s ^= rng_s << 17;
	return (uint32_t)(rng_s >> 11);
}

static uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static void wr32(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24); }
static void wr16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }

/* ------------------------------------------------------------ memory disk */

struct ramdev {
	struct blockdev bd;
	uint8_t *img;
	uint64_t cut_after, writes;	/* cut_after: writes past it are dropped (0: none) */
};

static int ram_read(struct blockdev *bd, uint64_t s, uint32_t n, void *buf)
{
	struct ramdev *r = bd->priv;

	if (s >= bd->nsectors || n > bd->nsectors - s)
		return -EIO;
	memcpy(buf, r->img + s * 512, (size_t)n * 512);
	return 0;
}

static int ram_write(struct blockdev *bd, uint64_t s, uint32_t n, const void *buf)
{
	struct ramdev *r = bd->priv;

	if (s >= bd->nsectors || n > bd->nsectors - s)
		return -EIO;
	if (!r->cut_after || r->writes < r->cut_after)
		memcpy(r->img + s * 512, buf, (size_t)n * 512);
	r->writes++;
	return 0;
}

static int ram_flush(struct blockdev *bd) { (void)bd; return 0; }

static void ram_init(struct ramdev *r, uint8_t *img)
{
	memset(r, 0, sizeof(*r));
	r->img = img;
	r->bd = (struct blockdev){ .nsectors = IMG_SIZE / 512, .read = ram_read, .write = ram_write,
				   .flush = ram_flush, .priv = r };
}

static void fixed_clock(uint64_t *s, uint32_t *ns) { *s = 1700000000; *ns = 0; }

/* ------------------------------------------------------------ the workload */

static unsigned long entries, writes_ok;

struct walk_ctx { struct vfs *fs; uint64_t dir; int depth, n; };
static void walk(struct vfs *fs, uint64_t dir, int depth);

static int walk_fill(void *cv, const char *name, size_t len, uint64_t ino, unsigned dtype, uint64_t next)
{
	struct walk_ctx *c = cv;
	struct vfs_attr a;
	static char buf[70000];
	uint64_t r;

	(void)ino; (void)dtype; (void)next;
	if (++c->n > 2000)
		return 1;
	if (vfs_lookup(c->fs, c->dir, name, len, &a))
		return 0;
	entries++;
	vfs_listxattr(c->fs, a.ino, buf, sizeof(buf));
	vfs_getxattr(c->fs, a.ino, "user.small", buf, sizeof(buf));
	vfs_getxattr(c->fs, a.ino, "user.big", buf, sizeof(buf));
	if ((a.mode & 0170000) == 0100000) {
		vfs_read(c->fs, a.ino, 0, buf, sizeof(buf));
		vfs_read(c->fs, a.ino, 200 * 1024, buf, 8192);
		vfs_lseek(c->fs, a.ino, 0, 3 /* SEEK_DATA */, &r);
	} else if ((a.mode & 0170000) == 0120000) {
		vfs_readlink(c->fs, a.ino, buf, sizeof(buf));
	} else if ((a.mode & 0170000) == 0040000 && !(len == 1 && name[0] == '.') &&
		   !(len == 2 && name[0] == '.' && name[1] == '.')) {
		walk(c->fs, a.ino, c->depth + 1);
	}
	return 0;
}

static void walk(struct vfs *fs, uint64_t dir, int depth)
{
	struct walk_ctx c = { fs, dir, depth, 0 };

	if (depth <= 4)
		vfs_readdir(fs, dir, 0, walk_fill, &c);
}

static int exercise(uint8_t *img, int rdonly)
{
	struct ramdev r;
	struct vfs *fs;
	struct vfs_attr a, d;
	static uint8_t data[9000];

	ram_init(&r, img);
	if (vfs_mount(&fs, &r.bd, rdonly ? VFS_MOUNT_RDONLY : 0))
		return 0;
	walk(fs, 2, 0);
	if (!rdonly) {
		if (!vfs_mknod(fs, 2, "fz", 2, 0100644, 0, 0, 0, &a)) {
			writes_ok++;
			if (vfs_write(fs, a.ino, 0, data, sizeof(data)) == (long)sizeof(data))
				writes_ok++;
			if (!vfs_setxattr(fs, a.ino, "user.f", data, 300, 0))
				writes_ok++;
		}
		if (!vfs_unlink(fs, 2, "small", 5))
			writes_ok++;
		if (!vfs_mkdir(fs, 2, "newd", 4, 0755, 0, 0, &d)) {
			writes_ok++;
			if (!vfs_rename(fs, 2, "fz", 2, d.ino, "moved", 5, 0))
				writes_ok++;
		}
		if (!vfs_lookup(fs, 2, "big", 3, &a) && vfs_write(fs, a.ino, 4096, data, 5000) == 5000)
			writes_ok++;
		vfs_sync(fs);
	}
	vfs_unmount(fs);
	return 1;
}

/* ------------------------------------------------------------ the seeds */

static void add_loc(struct seed *s, enum kind k, uint64_t off, uint32_t len, uint32_t ino)
{
	if (s->nloc[k] < MAX_LOC && off + len <= IMG_SIZE)
		s->loc[k][s->nloc[k]++] = (struct loc){ off, len, ino };
}

/* The data blocks of an inode's extent tree (depth 0 or 1): leaf blocks as
 * K_EXTENT, and the first blocks of a directory as K_DIR. */
static void scan_extents(struct seed *s, const uint8_t *ino_raw, int is_dir)
{
	const uint8_t *h = ino_raw + 0x28;
	unsigned depth = rd16(h + 6), n = rd16(h + 2);

	if (rd16(h) != 0xf30a || n > 4)
		return;
	for (unsigned i = 0; i < n; i++) {
		const uint8_t *e = h + 12 + 12 * i;

		if (depth) {
			uint64_t leaf = rd32(e + 4) | (uint64_t)rd16(e + 8) << 32;
			const uint8_t *lh = s->img + leaf * s->bs;

			add_loc(s, K_EXTENT, leaf * s->bs, s->bs, 0);
			if (rd16(lh) == 0xf30a && rd16(lh + 6) == 0)
				for (unsigned j = 0; j < rd16(lh + 2) && j < 8 && is_dir; j++)
					add_loc(s, K_DIR, (rd32(lh + 12 + 12 * j + 8) | (uint64_t)rd16(lh + 12 + 12 * j + 6) << 32) * s->bs, s->bs, 0);
		} else if (is_dir) {
			uint64_t start = rd32(e + 8) | (uint64_t)rd16(e + 6) << 32;

			for (unsigned j = 0; j < rd16(e + 4) && j < 8; j++)
				add_loc(s, K_DIR, (start + j) * s->bs, s->bs, 0);
		}
	}
}

static void scan(struct seed *s)
{
	const uint8_t *sb = s->img + 1024;
	uint32_t ipg = rd32(sb + 0x28), bpg = rd32(sb + 0x20), first = rd32(sb + 0x14);
	uint32_t groups = (rd32(sb + 0x04) - first + bpg - 1) / bpg;
	uint32_t incompat = rd32(sb + 0x60), dsz = (incompat & 0x80) ? rd16(sb + 0xfe) : 32;
	uint64_t gdt = (uint64_t)(first + 1) * 1024 * (1u << rd32(sb + 0x18)) / 1024;

	s->bs = 1024u << rd32(sb + 0x18);
	gdt = (uint64_t)(first + 1) * s->bs;
	s->isz = rd16(sb + 0x58);
	s->csum = !!(rd32(sb + 0x64) & 0x400);
	s->csum_seed = (incompat & 0x2000) ? rd32(sb + 0x270) : ext4_crc32c_raw(0xffffffffu, sb + 0x68, 16);
	add_loc(s, K_SB, 1024, 1024, 0);
	for (uint32_t g = 0; g < groups; g++) {
		const uint8_t *gd = s->img + gdt + (uint64_t)g * dsz;
		uint64_t bb = rd32(gd), ib = rd32(gd + 4), it = rd32(gd + 8);

		add_loc(s, K_GD, gdt + (uint64_t)g * dsz, dsz, 0);
		add_loc(s, K_BBITMAP, bb * s->bs, s->bs, 0);
		add_loc(s, K_IBITMAP, ib * s->bs, s->bs, 0);
		/* the used inodes of the group */
		for (uint32_t i = 0; i < ipg && i < 2048; i++) {
			uint32_t ino = g * ipg + i + 1;
			const uint8_t *raw = s->img + it * s->bs + (uint64_t)i * s->isz;
			uint16_t mode = rd16(raw);
			uint64_t acl = rd32(raw + 0x68) | (uint64_t)rd16(raw + 0x76) << 32;

			if (!(s->img[ib * s->bs + i / 8] >> (i % 8) & 1) || (!mode && ino != 8))
				continue;
			add_loc(s, K_INODE, it * s->bs + (uint64_t)i * s->isz, s->isz, ino);
			if (acl)
				add_loc(s, K_XATTR, acl * s->bs, s->bs, 0);
			if (rd32(raw + 0x20) & 0x80000)
				scan_extents(s, raw, (mode & 0170000) == 0040000);
			if (ino == 8 && (rd32(raw + 0x20) & 0x80000)) {
				const uint8_t *h = raw + 0x28;

				if (rd16(h + 6) == 0 && rd16(h + 2) > 0) {
					uint64_t j0 = rd32(h + 12 + 8) | (uint64_t)rd16(h + 12 + 6) << 32;

					add_loc(s, K_JSB, j0 * s->bs, 1024, 0);
					for (unsigned k = 1; k < 12; k++)
						add_loc(s, K_JLOG, (j0 + k) * s->bs, s->bs, 0);
				}
			}
		}
	}
}

static int make_seed(struct seed *s, const char *wd, const char *opts, int cut)
{
	char tree[256], img[256], o[4096];
	FILE *f;

	snprintf(tree, sizeof(tree), "%s/tree", wd);
	snprintf(img, sizeof(img), "%s/seed-%s.img", wd, s->name);
	/* 150 names (an htree with 1 KiB blocks), a file in ten pieces (a
	 * depth-1 extent tree), symlinks fast and slow */
	snprintf(o, sizeof(o),
		 "rm -rf %s && mkdir -p %s/dir %s/sub/deeper && cd %s && "
		 "for i in $(seq 1 150); do echo $i > dir/file-with-a-long-name-$i; done && echo hi > small && "
		 "for i in 0 1 2 3 4 5 6 7 8 9; do printf 'x%%04d' $i | dd of=big bs=1k seek=$((i * 40)) conv=notrunc 2>/dev/null; done && "
		 "ln -s small fast && ln -s $(printf 'p%%.0s' $(seq 1 100))/target slow",
		 tree, tree, tree, tree);
	if (system(o))
		return -1;
	snprintf(o, sizeof(o), "rm -f %s && mke2fs -q -F -t ext4 -b 1024 -N 512 %s -d %s %s 4M", img, opts, tree, img);
	if (system(o))
		return -1;
	f = fopen(img, "rb");
	if (!f || fread(s->img, 1, IMG_SIZE, f) != IMG_SIZE) {
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	{
		/* xattrs, in the inode and in a block of their own, written by
		 * our ext4 (mke2fs -d copies them only from a tree that has them) */
		struct ramdev r;
		struct vfs *fs;
		struct vfs_attr a;
		static char v[600];

		memset(v, 'v', sizeof(v));
		ram_init(&r, s->img);
		if (vfs_mount(&fs, &r.bd, 0))
			return -1;
		if (vfs_lookup(fs, 2, "small", 5, &a) || vfs_setxattr(fs, a.ino, "user.small", "1", 1, 0) ||
		    vfs_lookup(fs, 2, "big", 3, &a) || vfs_setxattr(fs, a.ino, "user.big", v, sizeof(v), 0) ||
		    vfs_unmount(fs))
			return -1;
	}
	if (cut) {
		/* our own writes, cut short once the journal holds work */
		static uint8_t tmp[IMG_SIZE];

		for (uint64_t c = 4; c < 400; c += 3) {
			struct ramdev r;
			struct vfs *fs;
			struct vfs_attr a;

			memcpy(tmp, s->img, IMG_SIZE);
			ram_init(&r, tmp);
			r.cut_after = c;
			if (vfs_mount(&fs, &r.bd, 0))
				break;
			for (int i = 0; i < 20; i++) {
				char n[16];

				snprintf(n, sizeof(n), "j%d", i);
				if (!vfs_mknod(fs, 2, n, strlen(n), 0100644, 0, 0, 0, &a))
					vfs_setxattr(fs, a.ino, "user.j", n, strlen(n), 0);
			}
			vfs_sync(fs);
			vfs_unmount(fs);
			if (rd32(tmp + 1024 + 0x60) & 0x4) {	/* RECOVER: the journal needs replay */
				memcpy(s->img, tmp, IMG_SIZE);
				break;
			}
		}
	}
	scan(s);
	return 0;
}

/* ------------------------------------------------------------ mutation */

static void fix_csums(const struct seed *s, uint8_t *img, const struct loc *l, enum kind k)
{
	if (!s->csum)
		return;
	if (k == K_SB) {
		wr32(img + 1024 + 0x3fc, ext4_crc32c_raw(0xffffffffu, img + 1024, 0x3fc));
	} else if (k == K_INODE) {
		uint8_t *p = img + l->off, v[4], zero[2] = { 0, 0 };
		uint32_t c;
		int hi = s->isz > 128 && 128 + rd16(p + 0x80) >= 0x84;

		wr32(v, l->ino);
		c = ext4_crc32c_raw(s->csum_seed, v, 4);
		c = ext4_crc32c_raw(c, p + 0x64, 4);
		c = ext4_crc32c_raw(c, p, 0x7c);
		c = ext4_crc32c_raw(c, zero, 2);
		c = ext4_crc32c_raw(c, p + 0x7e, 128 - 0x7e);
		if (s->isz > 128) {
			c = ext4_crc32c_raw(c, p + 128, 0x82 - 128);
			if (hi) {
				c = ext4_crc32c_raw(c, zero, 2);
				c = ext4_crc32c_raw(c, p + 0x84, s->isz - 0x84);
			} else {
				c = ext4_crc32c_raw(c, p + 0x82, s->isz - 0x82);
			}
		}
		wr16(p + 0x7c, c);
		if (hi)
			wr16(p + 0x82, c >> 16);
	}
}

static void mutate(uint8_t *p, uint32_t len)
{
	uint32_t at = (rnd() % (len < 256 ? len : (rnd() % 4 ? 256 : len))) & ~1u;
	uint32_t v;

	if (at + 4 > len)
		at = len - 4;
	switch (rnd() % 7) {
	case 0: v = 0; break;
	case 1: v = 0xffffffffu; break;
	case 2: v = rd32(p + at) + 1; break;
	case 3: v = rd32(p + at) - 1; break;
	case 4: v = rnd() % 17; break;
	case 5: v = rd32(p + at) ^ (1u << (rnd() % 32)); break;
	default: v = rnd(); break;
	}
	if (rnd() % 2)
		wr32(p + at, v);
	else
		wr16(p + at, v);
}

static void on_alarm(int sig)
{
	(void)sig;
	fprintf(stderr, "ext4_fuzz: HANG: target %s, seed image %s, execution %lu (run seed %llu)\n",
		cur_target, cur_seed, cur_exec, base_seed);
	_exit(3);
}

int main(int argc, char **argv)
{
	unsigned long execs;
	unsigned long mounted[K_KINDS] = { 0 }, ran[K_KINDS] = { 0 }, walked[K_KINDS] = { 0 }, wrote[K_KINDS] = { 0 };
	int fail = 0;

	if (argc < 3 || !(execs = strtoul(argv[2], NULL, 0))) {
		fprintf(stderr, "usage: ext4_fuzz WORKDIR EXECS_PER_TARGET [SEED]\n");
		return 2;
	}
	if (argc > 3)
		base_seed = strtoull(argv[3], NULL, 0);
	mkdir(argv[1], 0755);
	vfs_set_clock(fixed_clock);
	seeds[0].name = "plain";
	seeds[1].name = "csum-journal";
	if (make_seed(&seeds[0], argv[1], "-O ^metadata_csum,^uninit_bg", 0) ||
	    make_seed(&seeds[1], argv[1], "-O metadata_csum", 1)) {
		fprintf(stderr, "ext4_fuzz: cannot make the seed images (mke2fs)\n");
		return 2;
	}
	for (int i = 0; i < 2; i++) {
		printf("seed %s:", seeds[i].name);
		for (int k = 0; k < K_KINDS; k++)
			printf(" %s %u,", kind_name[k], seeds[i].nloc[k]);
		printf(" journal %s\n", (rd32(seeds[i].img + 1024 + 0x60) & 4) ? "needs replay" : "clean");
	}
	signal(SIGALRM, on_alarm);
	for (int k = 0; k < K_KINDS; k++) {
		/* EXT4_FUZZ_ONLY=NAME runs one structure (to reproduce a report) */
		if (getenv("EXT4_FUZZ_ONLY") && strcmp(getenv("EXT4_FUZZ_ONLY"), kind_name[k]))
			continue;
		rng_s = base_seed * 0x9e3779b97f4a7c15ull + (uint64_t)k * 7919 + 1;
		cur_target = kind_name[k];
		for (unsigned long e = 0; e < execs; e++) {
			struct seed *s = &seeds[e % 2];
			unsigned long w0 = writes_ok, n0 = entries;
			const struct loc *l;

			if (!s->nloc[k])
				s = &seeds[(e + 1) % 2];
			if (!s->nloc[k])
				break;
			cur_seed = s->name;
			cur_exec = e;
			l = &s->loc[k][rnd() % s->nloc[k]];
			memcpy(work, s->img, IMG_SIZE);
			for (unsigned m = 1 + rnd() % 4; m; m--)
				mutate(work + l->off, l->len);
			fix_csums(s, work, l, k);
			alarm(10);
			ran[k]++;
			if (exercise(work, rnd() % 8 == 0))
				mounted[k]++;
			alarm(0);
			walked[k] += entries - n0;
			wrote[k] += writes_ok - w0;
		}
	}
	printf("| structure | executions | mounted | entries walked | writes that succeeded |\n|---|---:|---:|---:|---:|\n");
	for (int k = 0; k < K_KINDS; k++) {
		printf("| %s | %lu | %lu | %lu | %lu |\n", kind_name[k], ran[k], mounted[k], walked[k], wrote[k]);
		/* coverage floor: every structure fuzzed, and damage below the
		 * superblock still lets most images mount and be walked */
		if (getenv("EXT4_FUZZ_ONLY"))
			continue;
		if (ran[k] < execs || (k != K_SB && k != K_GD && k != K_JSB && mounted[k] < ran[k] / 10) ||
		    (k != K_SB && walked[k] < ran[k])) {
			fprintf(stderr, "ext4_fuzz: coverage floor missed for %s\n", kind_name[k]);
			fail = 1;
		}
	}
	printf("ext4_fuzz: %lu executions per structure, run seed %llu: %s\n", execs, base_seed, fail ? "FAIL" : "ok");
	if (!getenv("EXT4_FUZZ_ONLY")) {
		/* the build is told apart by its name (mk/tests/fs.mk) */
		const char *b = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
		int card = strstr(b, "-card") != NULL, fast = strstr(b, "-fast") != NULL;
		unsigned long m = 0, w = 0, all = 0;
		char id[96], cls[160], cases[96];

		for (int k = 0; k < K_KINDS; k++) {
			m += mounted[k];
			w += walked[k];
			all += ran[k];
		}
		snprintf(id, sizeof(id), "ext4-fuzz-%s-%lu", card ? "card" : fast ? "fast" : "default", execs);
		snprintf(cls, sizeof(cls), "Hostile ext4 images: %d structures mutated, checksums recomputed (%s, %s)",
			 K_KINDS, fast ? "fuzz-ext4-long" : "test-fuzz-ext4",
			 card ? "card configuration, ASan+UBSan" : fast ? "no sanitizers" : "ASan+UBSan");
		snprintf(cases, sizeof(cases), "%lu executions per structure (%lu in all)", execs, all);
		figures_row(id, !fail, cls, cases,
			    "no crash, hang%s; %lu images mounted, %lu directory entries walked",
			    fast ? "" : " or sanitizer report", m, w);
	}
	return fail;
}
