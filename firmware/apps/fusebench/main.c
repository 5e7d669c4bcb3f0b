/*
 * fusebench - the FUSE server (firmware/fuse) on the soft core, over ext4 on
 * an image held in the DTCM: instructions retired (minstret) and cycles
 * (mcycle) inside fuse_dispatch() for each request kind the benchmark names,
 * plus a functional pass that checks the replies of the RV32 build (data read
 * back, Linux errno values where picolibc's differ, locks, COPY_FILE_RANGE).
 *
 * Output: one line per measured request kind,
 *   FUSEBENCH <op> runs=N instret=AVG cycles=AVG cpi=X.XX
 * (averages over N requests, the empty window's cost subtracted), then
 *   fusebench: all N replies as expected
 * A reply that is not what it should be prints a FAIL line and the program
 * exits with a non-zero code.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "blockdev.h"
#include "fuse_req.h"
#include "fuse_server.h"
#include "fuse_wire.h"
#include "rt.h"
#include "soc_map.h"
#include "vfs.h"

#define RUNS		16	/* requests measured per kind */
#define FILE_BLOCKS	8	/* 4 KiB pieces of the file READ/WRITE go over */
#define COPY_BLOCKS	4	/* 4 KiB pieces COPY_FILE_RANGE writes over */
#define CHUNK		4096u
#define PCACHE_BYTES	(256u << 10)	/* page cache, in DDR */

#ifndef EXT4_CACHE_BYTES	/* set for the whole program by mk/fuse.mk */
#error "EXT4_CACHE_BYTES: build fusebench with mk/fuse.mk's flags"
#endif

extern uint8_t fusebench_image[], fusebench_image_end[];

static struct fuse_server srv;
static uint8_t req[FUSE_SRV_MAX_REQ] __attribute__((aligned(8)));
static uint8_t rep[sizeof(struct fuse_out_header) + FUSE_SRV_MAX_WRITE] __attribute__((aligned(8)));
static uint8_t data[CHUNK];
static uint64_t next_unique = 1;
static unsigned checked, failed;

/* ---------------------------------------------------- RAM block device */

static int ram_ok(uint64_t sector, uint32_t count)
{
	uint64_t sectors = (uint64_t)(fusebench_image_end - fusebench_image) / BLOCKDEV_SECTOR_SIZE;

	return sector <= sectors && count <= sectors - sector;
}

static int ram_read(struct blockdev *bd, uint64_t sector, uint32_t count, void *buf)
{
	(void)bd;
	if (!ram_ok(sector, count))
		return -5;	/* EIO in both numberings */
	memcpy(buf, fusebench_image + sector * BLOCKDEV_SECTOR_SIZE, (size_t)count * BLOCKDEV_SECTOR_SIZE);
	return 0;
}

static int ram_write(struct blockdev *bd, uint64_t sector, uint32_t count, const void *buf)
{
	(void)bd;
	if (!ram_ok(sector, count))
		return -5;
	memcpy(fusebench_image + sector * BLOCKDEV_SECTOR_SIZE, buf, (size_t)count * BLOCKDEV_SECTOR_SIZE);
	return 0;
}

static int ram_flush(struct blockdev *bd)
{
	(void)bd;
	return 0;
}

static void fixed_clock(uint64_t *s, uint32_t *ns)
{
	*s = 1700000000;
	*ns = 0;
}

/* ------------------------------------------------------------ requests */

/* Header, fixed arguments, a NUL-terminated name, then data. */
static size_t build(uint32_t op, uint64_t nodeid, const void *args, size_t alen, const char *name,
		    const void *payload, size_t dlen)
{
	return fuse_req_build(req, sizeof(req), &(struct fuse_req){
		.opcode = op, .unique = next_unique++, .nodeid = nodeid, .uid = 1000, .gid = 1000,
		.pid = 42, .args = args, .args_len = alen, .name = name, .data = payload,
		.data_len = dlen });
}

struct window {
	uint32_t instret, cycles;
};

static struct window empty;	/* the cost of the measurement itself */

/* A READ answered by reference: its pieces copied after the header, last
 * first (a piece the server copied sits right after the header). Outside
 * the measured window: on the card this is the binding's work (the DMA). */
static void flatten(size_t len)
{
	for (unsigned i = srv.ref.nseg; i-- > 0;) {
		len -= srv.ref.seg[i].len;
		if (srv.ref.seg[i].p)
			memmove(rep + len, srv.ref.seg[i].p, srv.ref.seg[i].len);
		else
			memset(rep + len, 0, srv.ref.seg[i].len);
	}
}

/*
 * Sends the built request and returns its reply's error (0 or a negative
 * Linux errno), -1000 for no reply header, 1 when deferred; the body and
 * its length in body and blen, the counters across fuse_dispatch() alone in *w.
 */
static int dispatch(size_t len, const void **body, size_t *blen, struct window *w)
{
	struct fuse_out_header o;
	uint32_t c0, i0, i1, c1;
	long n;

	srv.ref.ok = 1;		/* as the request loop: READ data by reference */
	srv.ref.nseg = 0;
	c0 = rt_rdcycle();
	i0 = rt_rdinstret();
	n = fuse_dispatch(&srv, req, len, rep, sizeof(rep));
	i1 = rt_rdinstret();
	c1 = rt_rdcycle();
	if (w) {
		w->instret = i1 - i0 - empty.instret;
		w->cycles = c1 - c0 - empty.cycles;
	}
	if (n > 0 && srv.ref.nseg)
		flatten((size_t)n);	/* what the loop's binding sends, for the checks */
	vfs_pcache_unpin_all();
	if (n == FUSE_SRV_DEFERRED)
		return 1;
	if (n < (long)sizeof(o))
		return -1000;
	memcpy(&o, rep, sizeof(o));
	if (o.len != (uint32_t)n || o.unique != next_unique - 1)
		return -1001;
	if (body)
		*body = rep + sizeof(o);
	if (blen)
		*blen = (size_t)n - sizeof(o);
	return o.error;
}

static void calibrate(void)
{
	uint32_t c0, i0, i1, c1;

	c0 = rt_rdcycle();
	i0 = rt_rdinstret();
	__asm__ volatile ("" ::: "memory");
	i1 = rt_rdinstret();
	c1 = rt_rdcycle();
	empty.instret = i1 - i0;
	empty.cycles = c1 - c0;
}

static int expect(int ok, const char *what, long got)
{
	checked++;
	if (!ok) {
		failed++;
		printf("FAIL %s (%ld)\n", what, got);
	}
	return ok;
}

/* ----------------------------------------------------------- the bench */

struct op_stat {
	const char *name;
	uint32_t runs;
	uint64_t instret, cycles;
};

static void account(struct op_stat *st, const struct window *w)
{
	st->runs++;
	st->instret += w->instret;
	st->cycles += w->cycles;
}

static void print_stat(const struct op_stat *st)
{
	uint64_t i = st->runs ? st->instret / st->runs : 0, c = st->runs ? st->cycles / st->runs : 0;
	uint32_t cpi100 = i ? (uint32_t)((c * 100 + i / 2) / i) : 0;

	printf("FUSEBENCH %s runs=%lu instret=%lu cycles=%lu cpi=%lu.%02lu\n", st->name, (unsigned long)st->runs,
	       (unsigned long)i, (unsigned long)c, (unsigned long)(cpi100 / 100), (unsigned long)(cpi100 % 100));
}

struct file {
	uint64_t nodeid, fh, ino;
};

static int create(uint64_t dir, const char *name, struct file *f, struct window *w)
{
	struct fuse_create_in ci = { .flags = FUSE_O_RDWR, .mode = S_IFREG | 0644, .umask = 022 };
	const void *b;
	size_t bl;
	int err = dispatch(build(FUSE_CREATE, dir, &ci, sizeof(ci), name, NULL, 0), &b, &bl, w);

	if (!err && bl == sizeof(struct fuse_entry_out) + sizeof(struct fuse_open_out)) {
		memcpy(&f->nodeid, (const uint8_t *)b + offsetof(struct fuse_entry_out, nodeid), 8);
		memcpy(&f->ino, (const uint8_t *)b + offsetof(struct fuse_entry_out, attr.ino), 8);
		memcpy(&f->fh, (const uint8_t *)b + sizeof(struct fuse_entry_out), 8);
	} else if (!err) {
		err = -1002;
	}
	return err;
}

static int lk(uint32_t op, const struct file *f, uint64_t owner, uint32_t type, uint64_t start, uint64_t end,
	      struct fuse_lk_out *out, struct window *w)
{
	struct fuse_lk_in li = { .fh = f->fh, .owner = owner,
				 .lk = { .start = start, .end = end, .type = type, .pid = (uint32_t)owner } };
	const void *b;
	size_t bl;
	int err = dispatch(build(op, f->nodeid, &li, sizeof(li), NULL, NULL, 0), &b, &bl, w);

	if (!err && out && bl == sizeof(*out))
		memcpy(out, b, sizeof(*out));
	return err;
}

static void fill(uint32_t seed)
{
	for (uint32_t i = 0; i < CHUNK; i++)
		data[i] = (uint8_t)(i * 7u + seed * 13u + (i >> 8));
}

int main(void)
{
	static struct blockdev bd;
	static struct op_stat st[] = {
		{ .name = "getattr" }, { .name = "lookup" }, { .name = "read4k" }, { .name = "write4k" },
		{ .name = "create" }, { .name = "setlk" }, { .name = "copy4k" }, { .name = "getxattr" },
		{ .name = "read4k_hit" }, { .name = "append4k" },
	};
	enum { GETATTR, LOOKUP, READ4K, WRITE4K, CREATE, SETLK, COPY4K, GETXATTR, READ4K_HIT, APPEND4K };
	struct vfs *fs = NULL;
	struct window w;
	struct file f, g, c, h;
	const void *b;
	size_t bl;
	int err;

	printf("fusebench: FUSE server on RV32 (%u nodes, %u handles, max_write %u) over a %lu KiB ext4 image "
	       "in the DTCM, %lu KiB metadata cache\n", (unsigned)FUSE_SRV_MAX_NODES, (unsigned)FUSE_SRV_MAX_HANDLES,
	       (unsigned)FUSE_SRV_MAX_WRITE, (unsigned long)((fusebench_image_end - fusebench_image) >> 10),
	       (unsigned long)(EXT4_CACHE_BYTES >> 10));
	bd.nsectors = (uint64_t)(fusebench_image_end - fusebench_image) / BLOCKDEV_SECTOR_SIZE;
	bd.read = ram_read;
	bd.write = ram_write;
	bd.flush = ram_flush;
	vfs_set_clock(fixed_clock);
	err = vfs_mount(&fs, &bd, 0);
	if (!expect(err == 0, "mount", err)) {
		printf("mount: %s\n", vfs_last_error(NULL));
		return 1;
	}
	/* the page cache in card memory, as on the card (no room in the DTCM) */
	vfs_pcache_setup((void *)SOC_DDR_BASE, PCACHE_BYTES);
	fuse_server_init(&srv, fs);
	calibrate();

	{
		struct fuse_init_in ii = { .major = 7, .minor = 38, .max_readahead = 65536,
					   .flags = FUSE_ASYNC_READ | FUSE_ASYNC_DIO | FUSE_MAX_PAGES |
						    FUSE_POSIX_LOCKS };
		struct fuse_init_out io;

		err = dispatch(build(FUSE_INIT, 0, &ii, sizeof(ii), NULL, NULL, 0), &b, &bl, NULL);
		memcpy(&io, b, sizeof(io));
		expect(!err && bl == sizeof(io) && io.max_write == FUSE_SRV_MAX_WRITE && (io.flags & FUSE_POSIX_LOCKS) &&
		       (io.flags & FUSE_ASYNC_DIO), "INIT: 7.38, max_write, POSIX locks, async O_DIRECT", err);
	}
	expect(create(FUSE_ROOT_ID, "f", &f, NULL) == 0, "CREATE f", 0);
	expect(create(FUSE_ROOT_ID, "g", &g, NULL) == 0, "CREATE g", 0);
	expect(create(FUSE_ROOT_ID, "h", &h, NULL) == 0, "CREATE h", 0);
	for (uint32_t i = 0; i < FILE_BLOCKS; i++) {
		struct fuse_write_in wi = { .fh = f.fh, .offset = i * CHUNK, .size = CHUNK };

		fill(i);
		err = dispatch(build(FUSE_WRITE, f.nodeid, &wi, sizeof(wi), NULL, data, CHUNK), &b, &bl, NULL);
		expect(!err && bl == sizeof(struct fuse_write_out) && ((const struct fuse_write_out *)b)->size == CHUNK,
		       "WRITE 4 KiB", err);
	}

	/* The measured requests: each kind RUNS times, warm caches. */
	for (uint32_t i = 0; i < RUNS; i++) {
		struct fuse_getattr_in gi = { 0 };
		struct fuse_read_in ri = { .fh = f.fh, .offset = (i % FILE_BLOCKS) * CHUNK, .size = CHUNK };
		struct fuse_write_in wi = { .fh = f.fh, .offset = (i % FILE_BLOCKS) * CHUNK, .size = CHUNK };
		struct fuse_copy_file_range_in ci = { .fh_in = f.fh, .off_in = (i % FILE_BLOCKS) * CHUNK,
						      .nodeid_out = g.nodeid, .fh_out = g.fh,
						      .off_out = (i % COPY_BLOCKS) * CHUNK, .len = CHUNK };
		struct fuse_release_in rl = { 0 };
		struct fuse_forget_in fo = { .nlookup = 1 };
		char name[16];

		err = dispatch(build(FUSE_GETATTR, f.nodeid, &gi, sizeof(gi), NULL, NULL, 0), &b, &bl, &w);
		if (expect(!err && ((const struct fuse_attr_out *)b)->attr.size == FILE_BLOCKS * CHUNK, "GETATTR", err))
			account(&st[GETATTR], &w);

		err = dispatch(build(FUSE_LOOKUP, FUSE_ROOT_ID, NULL, 0, "f", NULL, 0), &b, &bl, &w);
		if (expect(!err && ((const struct fuse_entry_out *)b)->nodeid == f.nodeid, "LOOKUP f", err))
			account(&st[LOOKUP], &w);

		/* what the stock guest asks before every write: absent here */
		{
			struct fuse_getxattr_in xi = { .size = 0 };

			err = dispatch(build(FUSE_GETXATTR, f.nodeid, &xi, sizeof(xi), "security.capability", NULL, 0),
				       &b, &bl, &w);
			if (expect(err == -61, "GETXATTR security.capability: ENODATA (61)", err))
				account(&st[GETXATTR], &w);
		}

		/* READ 4K from the device (the file's pages dropped first; a
		 * stride of 3 blocks, so no read-ahead), then the same again
		 * from the page cache */
		ri.offset = ((i * 3 + 1) % FILE_BLOCKS) * CHUNK;
		fill((i * 3 + 1) % FILE_BLOCKS);
		vfs_pcache_drop(fs, f.ino, 0, FILE_BLOCKS * CHUNK);
		err = dispatch(build(FUSE_READ, f.nodeid, &ri, sizeof(ri), NULL, NULL, 0), &b, &bl, &w);
		if (expect(!err && bl == CHUNK && !memcmp(b, data, CHUNK), "READ 4 KiB back", err))
			account(&st[READ4K], &w);
		err = dispatch(build(FUSE_READ, f.nodeid, &ri, sizeof(ri), NULL, NULL, 0), &b, &bl, &w);
		if (expect(!err && bl == CHUNK && !memcmp(b, data, CHUNK), "READ 4 KiB again (page cache)", err))
			account(&st[READ4K_HIT], &w);
		fill(i % FILE_BLOCKS);

		err = dispatch(build(FUSE_WRITE, f.nodeid, &wi, sizeof(wi), NULL, data, CHUNK), &b, &bl, &w);
		if (expect(!err && ((const struct fuse_write_out *)b)->size == CHUNK, "WRITE 4 KiB over", err))
			account(&st[WRITE4K], &w);

		/* WRITE 4 KiB past EOF (a hole to fill: allocation, or delayed
		 * allocation); before it, not measured, FSYNC (the last one's
		 * blocks get allocated and written) and truncation to 0 (the
		 * image is small) */
		{
			struct fuse_fsync_in fi = { .fh = h.fh };
			struct fuse_setattr_in sa = { .valid = FATTR_SIZE, .size = 0 };

			expect(dispatch(build(FUSE_FSYNC, h.nodeid, &fi, sizeof(fi), NULL, NULL, 0), NULL, NULL, NULL) == 0,
			       "FSYNC h", 0);
			expect(dispatch(build(FUSE_SETATTR, h.nodeid, &sa, sizeof(sa), NULL, NULL, 0), NULL, NULL, NULL) == 0,
			       "SETATTR h size 0", 0);
		}
		{
			struct fuse_write_in hi = { .fh = h.fh, .offset = 0, .size = CHUNK };

			err = dispatch(build(FUSE_WRITE, h.nodeid, &hi, sizeof(hi), NULL, data, CHUNK), &b, &bl, &w);
			if (expect(!err && ((const struct fuse_write_out *)b)->size == CHUNK, "WRITE 4 KiB past EOF", err))
				account(&st[APPEND4K], &w);
		}

		snprintf(name, sizeof(name), "c%lu", (unsigned long)i);
		err = create(FUSE_ROOT_ID, name, &c, &w);
		if (expect(!err, "CREATE", err))
			account(&st[CREATE], &w);
		/* Not measured: the handle and reference go again (the tables are card-sized). */
		rl.fh = c.fh;
		expect(dispatch(build(FUSE_RELEASE, c.nodeid, &rl, sizeof(rl), NULL, NULL, 0), NULL, NULL, NULL) == 0,
		       "RELEASE", 0);
		dispatch(build(FUSE_FORGET, c.nodeid, &fo, sizeof(fo), NULL, NULL, 0), NULL, NULL, NULL);

		err = lk(FUSE_SETLK, &f, 1, FUSE_F_WRLCK, i * 100, i * 100 + 9, NULL, &w);
		if (expect(!err, "SETLK", err))
			account(&st[SETLK], &w);

		err = dispatch(build(FUSE_COPY_FILE_RANGE, f.nodeid, &ci, sizeof(ci), NULL, NULL, 0), &b, &bl, &w);
		if (expect(!err && ((const struct fuse_write_out *)b)->size == CHUNK, "COPY_FILE_RANGE 4 KiB", err))
			account(&st[COPY4K], &w);
	}
	for (unsigned i = 0; i < sizeof(st) / sizeof(st[0]); i++)
		print_stat(&st[i]);

	/* What the RV32 build must get right beyond the figures. */
	{
		struct fuse_lk_out lo;
		struct fuse_read_in ri = { .fh = g.fh, .offset = 3 * CHUNK, .size = CHUNK };
		uint64_t u;

		expect(lk(FUSE_SETLK, &f, 2, FUSE_F_RDLCK, 105, 105, NULL, NULL) == -11, "SETLK conflict: EAGAIN (11)", 0);
		err = lk(FUSE_GETLK, &f, 2, FUSE_F_RDLCK, 0, FUSE_OFFSET_MAX, &lo, NULL);
		expect(!err && lo.lk.type == FUSE_F_WRLCK && lo.lk.start == 0 && lo.lk.end == 9 && lo.lk.pid == 1,
		       "GETLK: owner 1's first lock", err);
		expect(lk(FUSE_SETLKW, &f, 2, FUSE_F_WRLCK, 5, 5, NULL, NULL) == 1, "SETLKW deferred", 0);
		u = next_unique - 1;
		expect(lk(FUSE_SETLK, &f, 1, FUSE_F_UNLCK, 0, FUSE_OFFSET_MAX, NULL, NULL) == 0, "unlock all", 0);
		{
			uint64_t got = 0;
			long n = fuse_server_pending_reply(&srv, &got, rep, sizeof(rep));

			expect(n == sizeof(struct fuse_out_header) && got == u &&
			       ((const struct fuse_out_header *)rep)->error == 0, "SETLKW granted on unlock", n);
		}
		/* COPY_FILE_RANGE's last run put f's block (RUNS - 1) % FILE_BLOCKS at 3 * CHUNK of g. */
		fill((RUNS - 1) % FILE_BLOCKS);
		err = dispatch(build(FUSE_READ, g.nodeid, &ri, sizeof(ri), NULL, NULL, 0), &b, &bl, NULL);
		expect(!err && bl == CHUNK && !memcmp(b, data, CHUNK), "copied bytes read back", err);
	}
	{
		/* errno values where picolibc's numbering is not Linux's */
		struct fuse_mkdir_in mi = { .mode = 0755 };
		char longname[300];
		struct file d;

		err = dispatch(build(FUSE_MKDIR, FUSE_ROOT_ID, &mi, sizeof(mi), "d", NULL, 0), &b, &bl, NULL);
		expect(!err, "MKDIR", err);
		memcpy(&d.nodeid, (const uint8_t *)b + offsetof(struct fuse_entry_out, nodeid), 8);
		expect(create(d.nodeid, "x", &c, NULL) == 0, "CREATE d/x", 0);
		err = dispatch(build(FUSE_RMDIR, FUSE_ROOT_ID, NULL, 0, "d", NULL, 0), NULL, NULL, NULL);
		expect(err == -39, "RMDIR of a non-empty directory: ENOTEMPTY (39)", err);
		memset(longname, 'n', 256);
		longname[256] = 0;
		err = dispatch(build(FUSE_LOOKUP, FUSE_ROOT_ID, NULL, 0, longname, NULL, 0), NULL, NULL, NULL);
		expect(err == -36, "256-byte name: ENAMETOOLONG (36)", err);
		err = dispatch(build(FUSE_LOOKUP, FUSE_ROOT_ID, NULL, 0, "missing", NULL, 0), NULL, NULL, NULL);
		expect(err == -2, "missing name: ENOENT (2)", err);
		err = dispatch(build(FUSE_BMAP, FUSE_ROOT_ID, NULL, 0, NULL, NULL, 0), NULL, NULL, NULL);
		expect(err == -38, "BMAP: ENOSYS (38)", err);
	}
	expect(dispatch(build(FUSE_DESTROY, 0, NULL, 0, NULL, NULL, 0), NULL, NULL, NULL) == 0 && fuse_server_nodes(&srv) == 0,
	       "DESTROY", 0);
	err = vfs_unmount(fs);
	expect(err == 0, "unmount", err);
	if (failed) {
		printf("fusebench: %u of %u replies wrong\n", failed, checked);
		return 1;
	}
	printf("fusebench: all %u replies as expected\n", checked);
	return 0;
}
