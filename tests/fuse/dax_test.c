/*
 * The FUSE server's DAX cache window (firmware/fuse/fuse_dax.h) over ext4 on
 * a fresh mke2fs image, with the host window hardware (fuse_dax_host.c):
 * the test writes the window as a guest would through BAR2 (the host model
 * drops writes to read-only and unmapped pages and sets dirty bits) and sends
 * the requests a Linux 6.1 guest sends (fs/fuse/dax.c).
 *
 *  - INIT with and without a window; SETUPMAPPING/REMOVEMAPPING without one;
 *  - map, write through the window, READ, WRITE, extend, remove; the image is
 *    checked afterwards by the runner (debugfs dump against OUTDIR/NAME.expect,
 *    e2fsck -fn);
 *  - read-only mappings and their upgrade, partial overlaps (split), a file
 *    page mapped twice (moved), truncation, O_TRUNC, punched holes, node
 *    eviction, unlinked files, LSEEK and COPY_FILE_RANGE over window data;
 *  - write-back surviving a reset: FSYNC (checked on the disk directly), then
 *    fuse_server_reset + unmount + mount; DESTROY without FSYNC;
 *  - every bad-input case, each checked to leave every mapping as it was;
 *  - a failed write-back (fault-injecting block device on a second image):
 *    the pages still go, the error is answered and FSYNC reports it;
 *  - random interleavings against a reference model (a byte array per file),
 *    checked after every step: a Linux-shaped phase (2 MiB ranges, fh -1)
 *    and a fine-grained one (4 KiB pages, splits and moves, small window);
 *  - the same with the page cache (firmware/fs/pcache.c) cut to 24 frames so
 *    that it evicts all the time: half the READs answered by reference (the
 *    pieces put together as the request loop does), two handles per file,
 *    COPY_FILE_RANGE, zeroed ranges and preallocation added to the mix.
 * Runs under ASan and UBSan.
 *
 * usage: dax_test IMAGE FAULT_IMAGE OUTDIR [SEED [STEPS]]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "blockdev_file.h"
#include "check.h"
#include "fuse_req.h"
#include "fuse_dax.h"
#include "fuse_server.h"
#include "fuse_wire.h"
#include "vfs.h"

#define MiB (1024u * 1024u)
#define PG FUSE_DAX_PAGE_SIZE
#define RANGE (2u * MiB)		/* Linux's FUSE_DAX_SZ */
#define WIN_SIZE (16u * MiB)
#define NO_FH FUSE_DAX_NO_FH
#define RW (FUSE_SETUPMAPPING_FLAG_READ | FUSE_SETUPMAPPING_FLAG_WRITE)
#define RO FUSE_SETUPMAPPING_FLAG_READ

static int passed, failed;
static struct fuse_server srv;
static struct fuse_dax dax;
static struct fuse_dax_host host;
static struct fuse_dax_window win;
static uint8_t *winmem;
static struct vfs *fs;
static struct blockdev_file bf;
static const char *image, *outdir;
static uint8_t req[300 * 1024], rep[300 * 1024];
static uint64_t unique = 1;

/* ------------------------------------------------------------ plumbing */

static size_t build(uint32_t op, uint64_t nodeid, const void *args, size_t alen, const char *name,
		    const void *data, size_t dlen)
{
	return fuse_req_build(req, sizeof(req), &(struct fuse_req){
		.opcode = op, .unique = unique++, .nodeid = nodeid,
		.args = args, .args_len = alen, .name = name, .data = data, .data_len = dlen });
}

static int pcache_phase;	/* READs by reference half the time (the pcache phase) */
static uint64_t ref_replies;
static uint64_t rnd(void);
static uint64_t below(uint64_t n);

/* Sends the built request; the reply's error (0 or -errno), body in *body. */
static int call(size_t len, const void **body, size_t *blen)
{
	long n;
	struct fuse_out_header o;

	srv.ref.ok = pcache_phase && below(2);
	srv.ref.nseg = 0;
	n = fuse_dispatch(&srv, req, len, rep, sizeof(rep));
	if (n > 0 && srv.ref.nseg) {
		/* the reply's data as pieces: put them after the header as the
		 * request loop does (last first, see fsdev.c) */
		size_t end = (size_t)n;

		for (unsigned i = srv.ref.nseg; i-- > 0;) {
			end -= srv.ref.seg[i].len;
			if (srv.ref.seg[i].p)
				memmove(rep + end, srv.ref.seg[i].p, srv.ref.seg[i].len);
			else
				memset(rep + end, 0, srv.ref.seg[i].len);
		}
		if (end != sizeof(o))
			return -1002;
		ref_replies++;
	}
	vfs_pcache_unpin_all();

	if (n == 0)
		return 0;
	if (n < (long)sizeof(o))
		return -1000;
	memcpy(&o, rep, sizeof(o));
	if (o.len != (uint32_t)n)
		return -1001;
	if (body)
		*body = rep + sizeof(o);
	if (blen)
		*blen = (size_t)n - sizeof(o);
	return o.error;
}

static int init_flags(uint32_t offer, struct fuse_init_out *io)
{
	struct fuse_init_in ii = { .major = 7, .minor = 38, .max_readahead = 131072, .flags = offer };
	const void *b;
	size_t bl;
	int err = call(build(FUSE_INIT, 0, &ii, sizeof(ii), NULL, NULL, 0), &b, &bl);

	memset(io, 0, sizeof(*io));
	if (!err)
		memcpy(io, b, bl < sizeof(*io) ? bl : sizeof(*io));
	return err;
}

static void start_session(void)
{
	struct fuse_init_out io;

	init_flags(FUSE_MAX_PAGES | FUSE_MAP_ALIGNMENT | FUSE_POSIX_LOCKS, &io);
}

static int create(const char *name, uint32_t flags, uint64_t *nodeid, uint64_t *fh)
{
	struct fuse_create_in ci = { .flags = flags, .mode = S_IFREG | 0644 };
	struct {
		struct fuse_entry_out e;
		struct fuse_open_out o;
	} cr;
	const void *b;
	size_t bl;
	int err = call(build(FUSE_CREATE, FUSE_ROOT_ID, &ci, sizeof(ci), name, NULL, 0), &b, &bl);

	if (err)
		return err;
	memcpy(&cr, b, sizeof(cr));
	*nodeid = cr.e.nodeid;
	*fh = cr.o.fh;
	return 0;
}

static int lookup(const char *name, uint64_t *nodeid)
{
	struct fuse_entry_out e;
	const void *b;
	size_t bl;
	int err = call(build(FUSE_LOOKUP, FUSE_ROOT_ID, NULL, 0, name, NULL, 0), &b, &bl);

	if (!err) {
		memcpy(&e, b, sizeof(e));
		*nodeid = e.nodeid;
	}
	return err;
}

static int open_file(uint64_t nodeid, uint32_t flags, uint64_t *fh)
{
	struct fuse_open_in oi = { .flags = flags };
	struct fuse_open_out oo;
	const void *b;
	size_t bl;
	int err = call(build(FUSE_OPEN, nodeid, &oi, sizeof(oi), NULL, NULL, 0), &b, &bl);

	if (!err) {
		memcpy(&oo, b, sizeof(oo));
		*fh = oo.fh;
	}
	return err;
}

static int release(uint64_t nodeid, uint64_t fh)
{
	struct fuse_release_in rl = { .fh = fh };

	return call(build(FUSE_RELEASE, nodeid, &rl, sizeof(rl), NULL, NULL, 0), NULL, NULL);
}

static void forget(uint64_t nodeid, uint64_t n)
{
	struct fuse_forget_in fi = { .nlookup = n };

	call(build(FUSE_FORGET, nodeid, &fi, sizeof(fi), NULL, NULL, 0), NULL, NULL);
}

static int write_at(uint64_t nodeid, uint64_t fh, uint64_t off, const void *data, size_t n)
{
	struct fuse_write_in wi = { .fh = fh, .offset = off, .size = (uint32_t)n };
	struct fuse_write_out wo;
	const void *b;
	size_t bl;
	int err = call(build(FUSE_WRITE, nodeid, &wi, sizeof(wi), NULL, data, n), &b, &bl);

	if (err)
		return err;
	memcpy(&wo, b, sizeof(wo));
	return wo.size == n ? 0 : -2000;
}

/* READ of n bytes at off; the count in *got. */
static int read_at(uint64_t nodeid, uint64_t fh, uint64_t off, void *buf, size_t n, size_t *got)
{
	struct fuse_read_in ri = { .fh = fh, .offset = off, .size = (uint32_t)n };
	const void *b;
	size_t bl;
	int err = call(build(FUSE_READ, nodeid, &ri, sizeof(ri), NULL, NULL, 0), &b, &bl);

	*got = err ? 0 : bl;
	if (!err)
		memcpy(buf, b, bl);
	return err;
}

static int getattr(uint64_t nodeid, struct fuse_attr *a)
{
	struct fuse_getattr_in gi = { 0 };
	struct fuse_attr_out ao;
	const void *b;
	size_t bl;
	int err = call(build(FUSE_GETATTR, nodeid, &gi, sizeof(gi), NULL, NULL, 0), &b, &bl);

	if (!err) {
		memcpy(&ao, b, sizeof(ao));
		*a = ao.attr;
	}
	return err;
}

static uint64_t size_of(uint64_t nodeid)
{
	struct fuse_attr a;

	return getattr(nodeid, &a) ? ~0ull : a.size;
}

static int truncate_to(uint64_t nodeid, uint64_t size)
{
	struct fuse_setattr_in si = { .valid = FATTR_SIZE, .size = size };

	return call(build(FUSE_SETATTR, nodeid, &si, sizeof(si), NULL, NULL, 0), NULL, NULL);
}

static int fsync_file(uint64_t nodeid, uint64_t fh)
{
	struct fuse_fsync_in fi = { .fh = fh };

	return call(build(FUSE_FSYNC, nodeid, &fi, sizeof(fi), NULL, NULL, 0), NULL, NULL);
}

static int setup(uint64_t nodeid, uint64_t fh, uint64_t foffset, uint64_t len, uint64_t flags, uint64_t moffset)
{
	struct fuse_setupmapping_in si = { .fh = fh, .foffset = foffset, .len = len, .flags = flags,
					   .moffset = moffset };

	return call(build(FUSE_SETUPMAPPING, nodeid, &si, sizeof(si), NULL, NULL, 0), NULL, NULL);
}

/* REMOVEMAPPING with count entries (moffset, len pairs) as Linux lays them
 * out: the 4-byte count, then the entries. */
static int removemap(uint64_t nodeid, uint32_t count, const uint64_t *pairs, uint32_t present)
{
	uint8_t args[4 + 300 * 16];
	struct fuse_removemapping_in ri = { .count = count };

	memcpy(args, &ri, sizeof(ri));
	for (uint32_t i = 0; i < present; i++) {
		struct fuse_removemapping_one one = { .moffset = pairs[2 * i], .len = pairs[2 * i + 1] };

		memcpy(args + 4 + 16 * i, &one, sizeof(one));
	}
	return call(build(FUSE_REMOVEMAPPING, nodeid, args, 4 + 16 * (size_t)present, NULL, NULL, 0), NULL, NULL);
}

static int remove1(uint64_t nodeid, uint64_t moffset, uint64_t len)
{
	uint64_t p[2] = { moffset, len };

	return removemap(nodeid, 1, p, 1);
}

static uint32_t slot_of_node(uint64_t nodeid)
{
	return (uint32_t)nodeid - 2;
}

/* The window page's state as the hardware holds it, and as the tables say. */
static uint32_t table_state(uint32_t w)
{
	uint32_t n = dax.page[w].node;

	return !n ? FUSE_DAX_UNMAPPED : (n & FUSE_DAX_WRITABLE) ? FUSE_DAX_RW : FUSE_DAX_RO;
}

/* Tables consistent with each other and with the hardware's page states. */
static int tables_ok(void)
{
	int c = fuse_server_dax_check(&srv);

	uint64_t sum = 0;

	if (c) {
		printf("    fuse_server_dax_check: %d\n", c);
		return 0;
	}
	for (uint32_t i = 0; i < FUSE_SRV_MAX_NODES; i++) {
		sum += dax.node[i].pages;
		if (!dax.node[i].pages && dax.node[i].end) {
			printf("    node slot %u: no page but a bound\n", i);
			return 0;
		}
	}
	if (sum != dax.mapped) {
		printf("    node page counts add up to %llu, %u mapped\n", (unsigned long long)sum, dax.mapped);
		return 0;
	}
	for (uint32_t w = 0; w < dax.pages; w++)
		if (host.state[w] != table_state(w)) {
			printf("    page %u: hardware state %u, tables %u\n", w, host.state[w], table_state(w));
			return 0;
		}
	return 1;
}

static int holds(uint32_t w, uint64_t nodeid, uint32_t fpage)
{
	return (dax.page[w].node & FUSE_DAX_NODE_MASK) == slot_of_node(nodeid) + 1 && dax.page[w].fpage == fpage;
}

static void fill(uint8_t *p, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)((i * 131 + seed * 7 + (i >> 9)) ^ (seed >> 3));
}

static int is_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

/* The file's bytes as they are on the disk (bypassing the server). */
static long disk_read(uint64_t nodeid, uint64_t off, void *buf, size_t n)
{
	struct fuse_attr a;

	if (getattr(nodeid, &a))
		return -1;
	return vfs_read(fs, a.ino, off, buf, n);
}

static void save_expect(const char *name, const uint8_t *data, size_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.expect", outdir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(data, 1, n, f) != n)
		printf("FAIL cannot write %s\n", path);
	if (f)
		fclose(f);
}

static struct fuse_dax_stats total;	/* over every attach */
static uint64_t total_ro_drops, total_unmapped_drops;
static int attached;

static void attach(uint64_t size)
{
	if (attached) {
		const uint64_t *a = (const uint64_t *)&dax.stats;
		uint64_t *t = (uint64_t *)&total;

		for (size_t i = 0; i < sizeof(total) / sizeof(uint64_t); i++)
			t[i] += a[i];
		total_ro_drops += host.dropped_ro;
		total_unmapped_drops += host.dropped_unmapped;
	}
	attached = 1;
	fuse_dax_host_init(&host, winmem, size, &win);
	CHECK(fuse_server_attach_dax(&srv, &dax, &win) == 0, "attach a %llu-byte window", (unsigned long long)size);
}

static int mount_image(void)
{
	if (blockdev_file_open(&bf, image, 0) || vfs_mount(&fs, &bf.bd, 0)) {
		printf("FAIL cannot mount %s\n", image);
		return -1;
	}
	fuse_server_init(&srv, fs);
	return 0;
}

/* DESTROY (writes the window back), unmount, mount, INIT, window again. */
static void remount(int destroy)
{
	if (destroy)
		CHECK(call(build(FUSE_DESTROY, 0, NULL, 0, NULL, NULL, 0), NULL, NULL) == 0, "DESTROY");
	else
		fuse_server_reset(&srv);
	CHECK(vfs_unmount(fs) == 0, "unmount");
	blockdev_file_close(&bf);
	if (mount_image())
		exit(1);
	attach(win.size);
	start_session();
}

static void hw_write(uint64_t off, const void *p, size_t n)
{
	fuse_dax_host_write(&host, off, p, n);
}

/* ------------------------------------------------------------ directed */

static void test_no_window(void)
{
	struct fuse_init_out io;

	fuse_server_attach_dax(&srv, NULL, NULL);
	CHECK(init_flags(FUSE_MAX_PAGES | FUSE_MAP_ALIGNMENT, &io) == 0 && !(io.flags & FUSE_MAP_ALIGNMENT) &&
	      io.map_alignment == 0, "no window: INIT does not advertise FUSE_MAP_ALIGNMENT (flags %#x)", io.flags);
	CHECK(setup(FUSE_ROOT_ID, NO_FH, 0, RANGE, RW, 0) == -38, "no window: SETUPMAPPING ENOSYS");
	CHECK(remove1(FUSE_ROOT_ID, 0, RANGE) == -38, "no window: REMOVEMAPPING ENOSYS");
	{
		static struct fuse_dax_window bad;

		bad = win;
		bad.size = 4096 + 1;
		CHECK(fuse_server_attach_dax(&srv, &dax, &bad) == -EINVAL, "window of 4097 bytes refused");
		bad.size = (uint64_t)(FUSE_DAX_MAX_PAGES + 1) * PG;
		CHECK(fuse_server_attach_dax(&srv, &dax, &bad) == -EINVAL, "window above FUSE_DAX_MAX_PAGES refused");
		bad = win;
		bad.take_dirty = NULL;
		CHECK(fuse_server_attach_dax(&srv, &dax, &bad) == -EINVAL, "window without a dirty hook refused");
		CHECK(srv.dax == NULL, "nothing attached after refusals");
	}
	attach(WIN_SIZE);
	CHECK(init_flags(FUSE_MAX_PAGES, &io) == 0 && !(io.flags & FUSE_MAP_ALIGNMENT),
	      "window, guest not offering FUSE_MAP_ALIGNMENT: not advertised");
	CHECK(init_flags(FUSE_MAX_PAGES | FUSE_MAP_ALIGNMENT | FUSE_POSIX_LOCKS, &io) == 0 &&
	      (io.flags & FUSE_MAP_ALIGNMENT) && io.map_alignment == 12,
	      "window: FUSE_MAP_ALIGNMENT with map_alignment 12 (flags %#x, %u)", io.flags, io.map_alignment);
	CHECK(host.state_calls >= 1 && tables_ok(), "attach: every page unmapped");
}

/* Map, write through the window, READ it, WRITE into it, extend, remove. */
static void test_basic(void)
{
	static uint8_t want[64 * 1024], buf[64 * 1024];
	uint64_t f, fh;
	size_t got;
	const uint64_t m = RANGE;	/* window offset of the range */

	fill(want, 10000, 1);
	CHECK(create("dax_basic", FUSE_O_RDWR, &f, &fh) == 0, "create dax_basic");
	CHECK(write_at(f, fh, 0, want, 10000) == 0, "10000 bytes by WRITE");
	CHECK(setup(f, NO_FH, 0, RANGE, RW, m) == 0, "SETUPMAPPING [0, 2 MiB) read-write at 2 MiB, fh -1");
	{
		int states = 1;

		for (uint32_t w = 512; w < 1024; w++)
			states &= host.state[w] == FUSE_DAX_RW && holds(w, f, w - 512);
		CHECK(states && host.state[511] == FUSE_DAX_UNMAPPED && host.state[1024] == FUSE_DAX_UNMAPPED,
		      "the range's 512 pages are mapped read-write, its neighbours not");
	}
	CHECK(!memcmp(winmem + m, want, 10000) && is_zero(winmem + m + 10000, RANGE - 10000),
	      "the window holds the file's bytes, zeros past EOF");
	CHECK(tables_ok(), "tables after SETUPMAPPING");

	hw_write(m + 100, "HELLO", 5);
	memcpy(want + 100, "HELLO", 5);
	CHECK(read_at(f, fh, 0, buf, sizeof(buf), &got) == 0 && got == 10000 && !memcmp(buf, want, 10000),
	      "READ sees the guest's window write (%zu bytes)", got);
	hw_write(m + 9996, "ABCDEFGH", 8);	/* 4 bytes below EOF, 4 past it */
	memcpy(want + 9996, "ABCD", 4);
	CHECK(read_at(f, fh, 9990, buf, 100, &got) == 0 && got == 10 && !memcmp(buf, want + 9990, 10),
	      "READ ends at EOF even where the guest wrote past it (%zu)", got);
	CHECK(write_at(f, fh, 3000, "write3000", 9) == 0 && !memcmp(winmem + m + 3000, "write3000", 9),
	      "WRITE into the mapped range lands in the window");
	memcpy(want + 3000, "write3000", 9);
	CHECK(write_at(f, fh, 20000, "ext", 3) == 0 && size_of(f) == 20003 && !memcmp(winmem + m + 20000, "ext", 3),
	      "an extending WRITE lands in the window and sets the size (%llu)", (unsigned long long)size_of(f));
	memcpy(want + 20000, "ext", 3);
	CHECK(is_zero(winmem + m + 10000, 10000), "the guest's bytes past the old EOF were cleared by the extension");
	CHECK(read_at(f, fh, 0, buf, sizeof(buf), &got) == 0 && got == 20003 && !memcmp(buf, want, 20003),
	      "READ of the whole file: window bytes, zeros in the gap, the extension");
	{
		uint8_t page[PG];

		fuse_dax_host_read(&host, m, page, PG);
		CHECK(!memcmp(page, want, PG), "a guest read of the window sees the same bytes");
		fuse_dax_host_read(&host, 0, page, 16);
		CHECK(is_zero(page, 16) && host.zero_reads == 1, "a guest read of an unmapped page: zeros");
	}
	CHECK(remove1(f, m, RANGE) == 0, "REMOVEMAPPING of the range");
	CHECK(host.state[512] == FUSE_DAX_UNMAPPED && host.state[1023] == FUSE_DAX_UNMAPPED && !dax.page[512].node &&
	      dax.node[slot_of_node(f)].pages == 0 && tables_ok(), "the range is unmapped");
	CHECK(disk_read(f, 0, buf, sizeof(buf)) == 20003 && !memcmp(buf, want, 20003),
	      "the file on disk holds the window's bytes");
	CHECK(size_of(f) == 20003, "size unchanged by the write-back");
	save_expect("dax_basic", want, 20003);

	/* Write-back never goes past the file's current size. */
	{
		uint64_t g, gh;
		static uint8_t z[2 * PG];

		memset(z, 'Z', sizeof(z));
		CHECK(create("dax_tail", FUSE_O_RDWR, &g, &gh) == 0 && write_at(g, gh, 0, want, 5000) == 0, "dax_tail: 5000 bytes");
		CHECK(setup(g, gh, 0, RANGE, RW, 0) == 0, "dax_tail mapped with its own handle");
		hw_write(0, z, 2 * PG);		/* pages 0 and 1: EOF at 5000 inside page 1 */
		hw_write(2 * PG, z, PG);	/* wholly past EOF */
		CHECK(remove1(g, 0, RANGE) == 0 && size_of(g) == 5000, "removed; size still 5000");
		CHECK(disk_read(g, 0, buf, 3 * PG) == 5000 && !memcmp(buf, z, 5000), "the first 5000 bytes were written back");
		save_expect("dax_tail", z, 5000);
		CHECK(release(g, gh) == 0, "release dax_tail");
	}
	CHECK(release(f, fh) == 0, "release dax_basic");
}

/* Read-only mappings: guest writes dropped and counted; upgrade keeps bytes. */
static void test_read_only(void)
{
	static uint8_t want[3 * PG], buf[3 * PG];
	uint64_t f, fh, rfh;
	size_t got;
	uint64_t drops = host.dropped_ro;

	fill(want, sizeof(want), 2);
	CHECK(create("dax_ro", FUSE_O_RDWR, &f, &fh) == 0 && write_at(f, fh, 0, want, sizeof(want)) == 0, "dax_ro");
	CHECK(open_file(f, FUSE_O_RDONLY, &rfh) == 0, "a read-only handle");
	CHECK(setup(f, rfh, 0, RANGE, RO, 4 * RANGE) == 0, "read-only mapping through the read-only handle");
	CHECK(host.state[4 * 512] == FUSE_DAX_RO && tables_ok(), "pages read-only in the hardware");
	hw_write(4 * RANGE + 10, "XX", 2);
	CHECK(host.dropped_ro == drops + 1 && !memcmp(winmem + 4 * RANGE, want, sizeof(want)),
	      "a guest write to a read-only page is dropped and counted");
	CHECK(write_at(f, fh, PG + 5, "fusewrite", 9) == 0, "WRITE to a read-only-mapped page");
	memcpy(want + PG + 5, "fusewrite", 9);
	CHECK(!memcmp(winmem + 4 * RANGE + PG + 5, "fusewrite", 9) && (dax.page[4 * 512 + 1].node & FUSE_DAX_DIRTY),
	      "it updates the window page and marks it dirty");
	CHECK(setup(f, rfh, 0, RANGE, RW, 4 * RANGE) == -13, "upgrade through the read-only handle: EACCES");
	CHECK(setup(f, NO_FH, 0, RANGE, RW, 4 * RANGE) == 0, "upgrade with fh -1 (a read-write handle is open)");
	CHECK(host.state[4 * 512] == FUSE_DAX_RW && (dax.page[4 * 512].node & FUSE_DAX_WRITABLE) && tables_ok(),
	      "the pages are read-write now");
	CHECK(!memcmp(winmem + 4 * RANGE, want, sizeof(want)) && (dax.page[4 * 512 + 1].node & FUSE_DAX_DIRTY),
	      "the upgrade kept the window bytes (the dirty page was not reloaded)");
	hw_write(4 * RANGE + 10, "YY", 2);
	memcpy(want + 10, "YY", 2);
	CHECK(read_at(f, fh, 0, buf, sizeof(buf), &got) == 0 && got == sizeof(buf) && !memcmp(buf, want, sizeof(buf)),
	      "the guest's write lands after the upgrade; READ sees both writes");
	CHECK(setup(f, NO_FH, 0, RANGE, RO, 4 * RANGE) == 0 && host.state[4 * 512] == FUSE_DAX_RO, "downgrade");
	CHECK(release(f, rfh) == 0 && release(f, fh) == 0, "release both handles (writes back)");
	CHECK(disk_read(f, 0, buf, sizeof(buf)) == (long)sizeof(buf) && !memcmp(buf, want, sizeof(buf)),
	      "last RELEASE wrote the dirty pages back");
	CHECK(host.state[4 * 512] == FUSE_DAX_RO && dax.node[slot_of_node(f)].pages == 512,
	      "the mapping outlives the file's handles (as Linux keeps its ranges after close)");
	CHECK(remove1(f, 4 * RANGE, RANGE) == 0 && tables_ok(), "REMOVEMAPPING after close");
	save_expect("dax_ro", want, sizeof(want));
}

/* 4 KiB granularity: a partial overlap splits; a file page mapped again moves. */
static void test_split_move(void)
{
	static uint8_t a[16 * PG], b[PG], buf[16 * PG];
	uint64_t fa, ha, fb, hb;
	size_t got;
	const uint64_t m = 6 * RANGE;	/* window pages 3072.. */
	const uint32_t w = 3072;

	fill(a, sizeof(a), 3);
	fill(b, sizeof(b), 4);
	CHECK(create("dax_a", FUSE_O_RDWR, &fa, &ha) == 0 && write_at(fa, ha, 0, a, sizeof(a)) == 0, "dax_a 64 KiB");
	CHECK(create("dax_b", FUSE_O_RDWR, &fb, &hb) == 0 && write_at(fb, hb, 0, b, sizeof(b)) == 0, "dax_b 4 KiB");
	CHECK(setup(fa, NO_FH, 0, sizeof(a), RW, m) == 0, "dax_a's 16 pages at window page %u", w);
	hw_write(m + 4 * PG + 1, "dirty4", 6);
	memcpy(a + 4 * PG + 1, "dirty4", 6);
	hw_write(m + 1, "dirty0", 6);
	memcpy(a + 1, "dirty0", 6);
	CHECK(setup(fb, NO_FH, 0, PG, RO, m + 4 * PG) == 0, "dax_b's page over window page %u (a partial overlap)", w + 4);
	{
		int split = holds(w + 4, fb, 0) && host.state[w + 4] == FUSE_DAX_RO;

		for (uint32_t i = 0; i < 16; i++)
			if (i != 4)
				split &= holds(w + i, fa, i) && host.state[w + i] == FUSE_DAX_RW;
		CHECK(split && dax.stats.evicted >= 1 && tables_ok(), "the old mapping split around it");
	}
	CHECK(disk_read(fa, 4 * PG, buf, PG) == PG && !memcmp(buf, a + 4 * PG, PG),
	      "the replaced page's dirty bytes went back to dax_a");
	CHECK(read_at(fa, ha, 0, buf, sizeof(buf), &got) == 0 && got == sizeof(a) && !memcmp(buf, a, sizeof(a)),
	      "READ of dax_a: window pages and the written-back page agree");
	CHECK(!memcmp(winmem + m + 4 * PG, b, PG), "window page %u holds dax_b", w + 4);

	/* dax_a's pages 0-1 asked for again at another window offset: they move. */
	{
		uint64_t moved = dax.stats.moved;

		CHECK(setup(fa, NO_FH, 0, 2 * PG, RW, 7 * RANGE) == 0, "dax_a pages 0-1 mapped again at page 3584");
		CHECK(dax.stats.moved == moved + 2 && holds(3584, fa, 0) && holds(3585, fa, 1) && !dax.page[w].node &&
		      !dax.page[w + 1].node && host.state[w] == FUSE_DAX_UNMAPPED && tables_ok(),
		      "they moved: one window page per file page");
		CHECK(!memcmp(winmem + 7 * RANGE, a, 2 * PG) && (dax.page[3584].node & FUSE_DAX_DIRTY),
		      "with their bytes and their dirty state");
	}
	CHECK(setup(fa, NO_FH, 0, 4 * PG, RW, m + 2 * PG) == 0, "pages 0-3 at window pages 3074.. (overlapping itself)");
	CHECK(holds(w + 2, fa, 0) && holds(w + 5, fa, 3) && !dax.page[3584].node && !holds(w + 4, fb, 0) && tables_ok(),
	      "mapped; the moved pages left page 3584; dax_b's page went");
	CHECK(read_at(fa, ha, 0, buf, sizeof(buf), &got) == 0 && got == sizeof(a) && !memcmp(buf, a, sizeof(a)),
	      "READ of dax_a still right");
	{
		uint64_t p[4] = { m, 8 * PG, m + 8 * PG, 8 * PG };

		CHECK(removemap(fa, 2, p, 2) == 0 && dax.node[slot_of_node(fa)].pages == 0, "REMOVEMAPPING, two entries");
	}
	CHECK(disk_read(fa, 0, buf, sizeof(buf)) == (long)sizeof(a) && !memcmp(buf, a, sizeof(a)), "dax_a on disk");
	save_expect("dax_a", a, sizeof(a));
	save_expect("dax_b", b, sizeof(b));
	CHECK(release(fa, ha) == 0 && release(fb, hb) == 0 && tables_ok(), "release");
}

/* Truncation, O_TRUNC, punched holes, extensions over window bytes past EOF. */
static void test_truncate(void)
{
	static uint8_t want[5 * PG], buf[5 * PG];
	uint64_t f, fh, fh2;
	size_t got;
	const uint64_t m = 3 * RANGE;

	fill(want, sizeof(want), 5);
	CHECK(create("dax_trunc", FUSE_O_RDWR, &f, &fh) == 0 && write_at(f, fh, 0, want, sizeof(want)) == 0, "dax_trunc");
	CHECK(setup(f, NO_FH, 0, RANGE, RW, m) == 0, "mapped");
	hw_write(m + 3 * PG, "dirty3", 6);
	CHECK(truncate_to(f, 2 * PG + 100) == 0 && size_of(f) == 2 * PG + 100, "SETATTR size 8292");
	CHECK(is_zero(winmem + m + 2 * PG + 100, RANGE - 2 * PG - 100) && !memcmp(winmem + m, want, 2 * PG + 100),
	      "the window reads zeros past the new EOF, the file's bytes below it");
	CHECK(!(dax.page[768 * 2 + 3].node & FUSE_DAX_DIRTY), "the page past EOF is clean again");
	hw_write(m + 2 * PG + 200, "junk", 4);		/* past EOF, inside the EOF page */
	hw_write(m + 4 * PG, "junk", 4);		/* past EOF, a page further */
	CHECK(truncate_to(f, 5 * PG) == 0, "SETATTR size back to 20480");
	memset(want + 2 * PG + 100, 0, sizeof(want) - 2 * PG - 100);
	CHECK(read_at(f, fh, 0, buf, sizeof(buf), &got) == 0 && got == sizeof(buf) && !memcmp(buf, want, sizeof(buf)),
	      "grown again: zeros from the old EOF on, the guest's bytes past EOF gone");
	{
		uint8_t five[5] = "punch";

		CHECK(write_at(f, fh, PG, five, 5) == 0, "WRITE into page 1");
		memcpy(want + PG, five, 5);
	}
	{
		struct fuse_fallocate_in fa = { .fh = fh, .offset = 100, .length = PG, .mode = FUSE_FALLOC_PUNCH_HOLE |
									       FUSE_FALLOC_KEEP_SIZE };

		CHECK(call(build(FUSE_FALLOCATE, f, &fa, sizeof(fa), NULL, NULL, 0), NULL, NULL) == 0, "punch [100, 4196)");
		memset(want + 100, 0, PG);
		CHECK(is_zero(winmem + m + 100, PG) && read_at(f, fh, 0, buf, sizeof(buf), &got) == 0 &&
		      !memcmp(buf, want, sizeof(buf)), "the window and READ read zeros in the hole");
	}
	{
		struct fuse_lseek_in li = { .fh = fh, .offset = 0, .whence = FUSE_SEEK_HOLE };
		struct fuse_lseek_out lo;
		const void *b;
		size_t bl;

		hw_write(m + 4 * PG, "data4", 5);
		memcpy(want + 4 * PG, "data4", 5);
		CHECK(truncate_to(f, 5 * PG + 3 * PG) == 0, "grow to 32 KiB (a hole at the end)");
		li.offset = 4 * PG;
		CHECK(call(build(FUSE_LSEEK, f, &li, sizeof(li), NULL, NULL, 0), &b, &bl) == 0, "SEEK_HOLE from 16 KiB");
		memcpy(&lo, b, sizeof(lo));
		CHECK(lo.offset >= 5 * PG, "SEEK_HOLE sees the window's data as data (%llu)", (unsigned long long)lo.offset);
		CHECK(truncate_to(f, 5 * PG) == 0, "back to 20 KiB");
	}
	{
		struct fuse_copy_file_range_in ci;
		uint64_t g, gh;
		struct fuse_write_out wo;
		const void *b;
		size_t bl;

		CHECK(create("dax_copy", FUSE_O_RDWR, &g, &gh) == 0, "dax_copy");
		memset(&ci, 0, sizeof(ci));
		ci.fh_in = fh;
		ci.off_in = 0;
		ci.nodeid_out = g;
		ci.fh_out = gh;
		ci.len = sizeof(want);
		CHECK(call(build(FUSE_COPY_FILE_RANGE, f, &ci, sizeof(ci), NULL, NULL, 0), &b, &bl) == 0, "COPY_FILE_RANGE");
		memcpy(&wo, b, sizeof(wo));
		CHECK(wo.size == sizeof(want) && disk_read(g, 0, buf, sizeof(buf)) == (long)sizeof(buf) &&
		      !memcmp(buf, want, sizeof(buf)), "the copy took the window's bytes");
		CHECK(setup(g, NO_FH, 0, RANGE, RW, 5 * RANGE) == 0, "the copy mapped too");
		ci.fh_in = gh;
		ci.nodeid_out = f;
		ci.fh_out = fh;
		ci.off_out = 2 * PG;
		ci.len = 100;
		CHECK(call(build(FUSE_COPY_FILE_RANGE, g, &ci, sizeof(ci), NULL, NULL, 0), NULL, NULL) == 0,
		      "COPY_FILE_RANGE between two mapped files");
		memcpy(want + 2 * PG, want, 100);
		CHECK(!memcmp(winmem + m + 2 * PG, want, 100), "it landed in the destination's window page");
		CHECK(release(g, gh) == 0, "release dax_copy");
		save_expect("dax_copy", buf, sizeof(buf));
	}
	CHECK(open_file(f, FUSE_O_RDWR | FUSE_O_TRUNC, &fh2) == 0 && size_of(f) == 0, "OPEN with O_TRUNC");
	CHECK(is_zero(winmem + m, 5 * PG) && tables_ok(), "the window reads zeros");
	CHECK(write_at(f, fh2, 0, "after", 5) == 0, "WRITE after O_TRUNC");
	CHECK(remove1(f, m, RANGE) == 0 && size_of(f) == 5, "removed, 5 bytes");
	save_expect("dax_trunc", (const uint8_t *)"after", 5);
	CHECK(release(f, fh) == 0 && release(f, fh2) == 0, "release");
}

/* A node the guest forgets while mapped, and an unlinked mapped file. */
static void test_eviction(void)
{
	static uint8_t want[PG];
	uint64_t f, fh, u, uh;
	uint64_t node_pages;

	fill(want, sizeof(want), 6);
	CHECK(create("dax_evict", FUSE_O_RDWR, &f, &fh) == 0 && write_at(f, fh, 0, want, 100) == 0, "dax_evict");
	CHECK(setup(f, NO_FH, 0, RANGE, RW, 2 * RANGE) == 0, "mapped");
	hw_write(2 * RANGE, "evicted!", 8);
	memcpy(want, "evicted!", 8);
	CHECK(release(f, fh) == 0, "released (mapping stays)");
	node_pages = dax.node[slot_of_node(f)].pages;
	forget(f, 1);
	CHECK(node_pages == 512 && !dax.page[2 * 512].node && host.state[2 * 512] == FUSE_DAX_UNMAPPED && tables_ok(),
	      "FORGET of a mapped node unmaps its pages");
	CHECK(lookup("dax_evict", &f) == 0 && disk_read(f, 0, want + 1000, 100) == 100 && !memcmp(want + 1000, want, 100),
	      "and wrote them back first");
	save_expect("dax_evict", want, 100);
	forget(f, 1);

	CHECK(create("dax_unlinked", FUSE_O_RDWR, &u, &uh) == 0 && write_at(u, uh, 0, want, PG) == 0, "dax_unlinked");
	CHECK(setup(u, NO_FH, 0, RANGE, RW, 2 * RANGE) == 0, "mapped");
	hw_write(2 * RANGE, "gone", 4);
	CHECK(call(build(FUSE_UNLINK, FUSE_ROOT_ID, NULL, 0, "dax_unlinked", NULL, 0), NULL, NULL) == 0, "unlinked");
	CHECK(fsync_file(u, uh) == 0, "FSYNC of the unlinked file");
	CHECK(release(u, uh) == 0, "released");
	forget(u, 1);
	CHECK(!dax.page[2 * 512].node && tables_ok(), "evicted: unmapped, inode freed (e2fsck checks it)");
}

/* Write-back survives a reset: FSYNC, reset, unmount, mount. DESTROY too. */
static void test_reset(void)
{
	static uint8_t want[8 * PG], buf[8 * PG];
	uint64_t f, fh;
	size_t got;

	fill(want, sizeof(want), 7);
	CHECK(create("dax_reset", FUSE_O_RDWR, &f, &fh) == 0 && write_at(f, fh, 0, want, sizeof(want)) == 0, "dax_reset");
	CHECK(setup(f, NO_FH, 0, RANGE, RW, 0) == 0, "mapped");
	hw_write(3 * PG + 7, "synced by FSYNC", 15);
	memcpy(want + 3 * PG + 7, "synced by FSYNC", 15);
	CHECK(disk_read(f, 3 * PG, buf, 32) == 32 && memcmp(buf + 7, "synced", 6), "not on the disk before FSYNC");
	CHECK(fsync_file(f, fh) == 0, "FSYNC");
	CHECK(disk_read(f, 0, buf, sizeof(buf)) == (long)sizeof(buf) && !memcmp(buf, want, sizeof(buf)),
	      "on the disk after FSYNC");
	CHECK(!(dax.page[3].node & FUSE_DAX_DIRTY) && dax.page[3].node, "clean and still mapped");
	remount(0);
	CHECK(lookup("dax_reset", &f) == 0 && open_file(f, FUSE_O_RDWR, &fh) == 0, "found again after reset + remount");
	CHECK(read_at(f, fh, 0, buf, sizeof(buf), &got) == 0 && got == sizeof(buf) && !memcmp(buf, want, sizeof(buf)),
	      "data there after reset + unmount + mount");
	CHECK(setup(f, NO_FH, 0, RANGE, RW, 0) == 0, "mapped again");
	hw_write(5 * PG, "no fsync, DESTROY", 17);
	memcpy(want + 5 * PG, "no fsync, DESTROY", 17);
	remount(1);
	CHECK(lookup("dax_reset", &f) == 0 && open_file(f, FUSE_O_RDWR, &fh) == 0, "found after DESTROY + remount");
	CHECK(read_at(f, fh, 0, buf, sizeof(buf), &got) == 0 && got == sizeof(buf) && !memcmp(buf, want, sizeof(buf)),
	      "DESTROY wrote the dirty window page back");
	save_expect("dax_reset", want, sizeof(want));
	CHECK(release(f, fh) == 0, "release");
	forget(f, 2);
}

/* Snapshot of everything a refused request must leave alone. */
struct snap {
	uint8_t state[WIN_SIZE / PG];
	struct fuse_dax_page page[WIN_SIZE / PG];
	uint32_t node_pages;
};

static void take_snap(struct snap *s, uint32_t slot)
{
	memcpy(s->state, host.state, sizeof(s->state));
	memcpy(s->page, dax.page, sizeof(s->page));
	s->node_pages = dax.node[slot].pages;
}

static int same_snap(const struct snap *s, uint32_t slot)
{
	return !memcmp(s->state, host.state, sizeof(s->state)) && !memcmp(s->page, dax.page, sizeof(s->page)) &&
	       s->node_pages == dax.node[slot].pages;
}

#define BAD(expr, err, ...)                                                              \
	do {                                                                             \
		int e_ = (expr);                                                         \
		CHECK(e_ == -(err) && same_snap(&sn, slot), __VA_ARGS__);                \
		if (e_ != -(err))                                                        \
			printf("    got %d, wanted %d\n", e_, -(err));                      \
	} while (0)

static void test_bad_input(void)
{
	static struct snap sn;
	uint64_t f, fh, rfh, g, gh, z, zh, dir;
	uint32_t slot;
	static uint8_t data[3 * PG];

	fill(data, sizeof(data), 8);
	CHECK(create("dax_bad", FUSE_O_RDWR, &f, &fh) == 0 && write_at(f, fh, 0, data, sizeof(data)) == 0, "dax_bad");
	CHECK(create("dax_other", FUSE_O_RDWR, &g, &gh) == 0 && write_at(g, gh, 0, data, PG) == 0, "dax_other");
	CHECK(create("dax_empty", FUSE_O_RDWR, &z, &zh) == 0, "dax_empty (0 bytes)");
	slot = slot_of_node(f);
	CHECK(setup(f, NO_FH, 0, RANGE, RW, 0) == 0 && setup(g, NO_FH, 0, RANGE, RW, RANGE) == 0, "two mappings");
	hw_write(10, "dirty", 5);
	take_snap(&sn, slot);

	BAD(setup(f, NO_FH, 0, RANGE, RW, 100), 22, "moffset not page-aligned: EINVAL");
	BAD(setup(f, NO_FH, 0, RANGE + 1, RW, 0), 22, "len not page-aligned: EINVAL");
	BAD(setup(f, NO_FH, 512, RANGE, RW, 0), 22, "foffset not page-aligned: EINVAL");
	BAD(setup(f, NO_FH, 0, 0, RW, 0), 22, "len 0: EINVAL");
	BAD(setup(f, NO_FH, 0, RANGE, RW, WIN_SIZE), 22, "moffset at the window's end: EINVAL");
	BAD(setup(f, NO_FH, 0, 2 * RANGE, RW, WIN_SIZE - RANGE), 22, "range running off the window: EINVAL");
	BAD(setup(f, NO_FH, 0, 2 * PG, RW, 0xfffffffffffff000ull), 22, "moffset + len wrapping: EINVAL");
	BAD(setup(f, NO_FH, 0, 0xfffffffffffff000ull, RW, PG), 22, "len wrapping: EINVAL");
	BAD(setup(f, NO_FH, 0, RANGE, RW | 4, 0), 22, "an unknown flag: EINVAL");
	BAD(setup(f, NO_FH, 0xfffffffffffff000ull, PG, RW, 0), 27, "foffset past 16 TiB: EFBIG");
	BAD(setup(f, NO_FH, 0xfffffffff000ull, 2 * PG, RW, 0), 27, "range ending past 16 TiB: EFBIG");
	BAD(setup(f, fh + (1ull << 32), 0, RANGE, RW, 0), 9, "a stale fh: EBADF");
	BAD(setup(f, 12345, 0, RANGE, RW, 0), 9, "a forged fh: EBADF");
	BAD(setup(f, gh, 0, RANGE, RW, 0), 9, "another node's fh: EBADF");
	CHECK(open_file(f, FUSE_O_RDONLY, &rfh) == 0, "a read-only handle");
	BAD(setup(f, rfh, 0, RANGE, RW, 0), 13, "a read-only fh with FLAG_WRITE: EACCES");
	BAD(setup(f, NO_FH, 3 * PG, RANGE, RW, 0), 6, "foffset at EOF: ENXIO");
	BAD(setup(f, NO_FH, RANGE, RANGE, RO, 0), 6, "a range wholly past EOF: ENXIO");
	BAD(setup(z, NO_FH, 0, RANGE, RW, 0), 6, "any range of an empty file: ENXIO");
	BAD(setup(f + (1ull << 32), NO_FH, 0, RANGE, RW, 0), 116, "a stale node ID: ESTALE");
	BAD(setup(0x4242424200000777ull, NO_FH, 0, RANGE, RW, 0), 116, "a forged node ID: ESTALE");
	BAD(setup(FUSE_ROOT_ID, NO_FH, 0, RANGE, RW, 0), 22, "the root directory: EINVAL");
	{
		struct fuse_mkdir_in mi = { .mode = 0755 };
		struct fuse_entry_out e;
		const void *b;
		uint64_t dh;

		CHECK(call(build(FUSE_MKDIR, FUSE_ROOT_ID, &mi, sizeof(mi), "dax_dir", NULL, 0), &b, NULL) == 0, "mkdir");
		memcpy(&e, b, sizeof(e));
		dir = e.nodeid;
		BAD(setup(dir, NO_FH, 0, PG, RO, 0), 9, "a directory with no file handle: EBADF");
		{
			struct fuse_open_in oi = { .flags = 0 };
			struct fuse_open_out oo;

			CHECK(call(build(FUSE_OPENDIR, dir, &oi, sizeof(oi), NULL, NULL, 0), &b, NULL) == 0, "opendir");
			memcpy(&oo, b, sizeof(oo));
			dh = oo.fh;
		}
		BAD(setup(dir, dh, 0, PG, RO, 0), 9, "a directory handle: EBADF");
		{
			struct fuse_release_in rl = { .fh = dh };

			call(build(FUSE_RELEASEDIR, dir, &rl, sizeof(rl), NULL, NULL, 0), NULL, NULL);
		}
	}
	{
		struct fuse_setupmapping_in si = { .fh = NO_FH, .len = RANGE, .flags = RW };

		BAD(call(build(FUSE_SETUPMAPPING, f, &si, sizeof(si) - 8, NULL, NULL, 0), NULL, NULL), 22,
		    "SETUPMAPPING shorter than its arguments: EINVAL");
	}
	/* fh -1: the node needs an open handle, one for writing to map writable. */
	CHECK(release(f, fh) == 0, "close dax_bad's read-write handle (the read-only one stays)");
	take_snap(&sn, slot);
	BAD(setup(f, NO_FH, 0, RANGE, RW, 4 * RANGE), 13, "fh -1, only a read-only handle open, FLAG_WRITE: EACCES");
	CHECK(setup(f, NO_FH, 0, PG, RO, 4 * RANGE) == 0, "... read-only is fine");
	CHECK(remove1(f, 4 * RANGE, PG) == 0, "(removed again)");
	CHECK(release(f, rfh) == 0, "close the read-only handle too");
	take_snap(&sn, slot);
	BAD(setup(f, NO_FH, 0, PG, RO, 4 * RANGE), 9, "fh -1 and no handle open: EBADF");
	CHECK(open_file(f, FUSE_O_RDWR, &fh) == 0, "reopen");

	/* REMOVEMAPPING */
	{
		static uint64_t p[2 * 300];

		take_snap(&sn, slot);
		for (int i = 0; i < 300; i++) {
			p[2 * i] = (uint64_t)(i % 8) * RANGE;
			p[2 * i + 1] = PG;
		}
		BAD(removemap(f, 0, p, 0), 22, "REMOVEMAPPING with count 0: EINVAL");
		BAD(removemap(f, 257, p, 257), 22, "count 257 > FUSE_REMOVEMAPPING_MAX_ENTRY: EINVAL");
		BAD(removemap(f, 3, p, 2), 22, "count 3 with two entries present: EINVAL");
		p[0] = 0;
		p[1] = 0;
		BAD(removemap(f, 1, p, 1), 22, "an entry of length 0: EINVAL");
		p[1] = 100;
		BAD(removemap(f, 1, p, 1), 22, "a length not page-aligned: EINVAL");
		p[0] = 100;
		p[1] = PG;
		BAD(removemap(f, 1, p, 1), 22, "a moffset not page-aligned: EINVAL");
		p[0] = WIN_SIZE;
		BAD(removemap(f, 1, p, 1), 22, "an entry off the window: EINVAL");
		p[0] = WIN_SIZE - PG;
		p[1] = 2 * PG;
		BAD(removemap(f, 1, p, 1), 22, "an entry running off the window: EINVAL");
		p[0] = 0xfffffffffffff000ull;
		BAD(removemap(f, 1, p, 1), 22, "an entry wrapping: EINVAL");
		p[0] = 0;
		p[1] = RANGE;
		p[2] = RANGE;
		p[3] = RANGE;
		BAD(removemap(f, 2, p, 2), 22, "a valid entry, then one over another node's pages: EINVAL, neither removed");
		for (int i = 0; i < 9; i++) {
			p[2 * i] = 0;
			p[2 * i + 1] = RANGE;
		}
		BAD(removemap(f, 9, p, 9), 22, "entries adding up to more than the window: EINVAL");
		BAD(remove1(FUSE_ROOT_ID, 0, RANGE), 22, "the root naming dax_bad's pages: EINVAL");
		BAD(remove1(f + (1ull << 32), 0, RANGE), 116, "a stale node ID: ESTALE");
		{
			struct fuse_removemapping_in ri = { .count = 1 };

			BAD(call(build(FUSE_REMOVEMAPPING, f, &ri, 2, NULL, NULL, 0), NULL, NULL), 22,
			    "REMOVEMAPPING shorter than its count: EINVAL");
		}
		CHECK(remove1(f, 4 * RANGE, RANGE) == 0 && same_snap(&sn, slot), "unmapped pages: fine, nothing changes");
		for (int i = 0; i < 256; i++) {
			p[2 * i] = (uint64_t)i * 2 * PG;
			p[2 * i + 1] = PG;
		}
		CHECK(removemap(f, 256, p, 256) == 0 && dax.node[slot].pages == 512 - 256 && tables_ok(),
		      "256 entries (the protocol's limit) remove every other page of dax_bad's range (%u left)",
		      dax.node[slot].pages);
	}
	CHECK(disk_read(f, 0, data + PG, 16) == 16 && !memcmp(data + PG + 10, "dirty", 5), "page 0 was written back");
	CHECK(remove1(f, 0, RANGE) == 0 && remove1(g, RANGE, RANGE) == 0 && tables_ok(), "clean up");
	CHECK(release(f, fh) == 0 && release(g, gh) == 0 && release(z, zh) == 0, "release");
	forget(f, 1);
	forget(g, 1);
	forget(z, 1);
	forget(dir, 1);
}

/* ------------------------------------------------ write-back that fails */

static void test_writeback_failure(const char *fault_image)
{
	static struct blockdev_file fbf;
	static struct blockdev_fault flt;
	struct vfs *ffs = NULL;
	struct vfs *save_fs = fs;
	static uint8_t data[PG];
	uint64_t f, fh;
	int err;

	fuse_server_reset(&srv);
	if (blockdev_file_open(&fbf, fault_image, 0)) {
		CHECK(0, "open %s", fault_image);
		return;
	}
	blockdev_fault_init(&flt, &fbf.bd, 0, 0);
	if (vfs_mount(&ffs, &flt.bd, 0)) {
		CHECK(0, "mount %s", fault_image);
		return;
	}
	fuse_server_init(&srv, ffs);
	fs = ffs;
	attach(WIN_SIZE);
	start_session();
	fill(data, sizeof(data), 9);
	CHECK(create("wb", FUSE_O_RDWR, &f, &fh) == 0 && write_at(f, fh, 0, data, sizeof(data)) == 0 &&
	      fsync_file(f, fh) == 0, "a file on the fault-injecting device");
	CHECK(setup(f, NO_FH, 0, RANGE, RW, 0) == 0, "mapped");
	hw_write(0, "lost", 4);
	flt.fail_write = flt.writes + 1;	/* the next device write fails */
	err = remove1(f, 0, RANGE);
	CHECK(err == -5 && !dax.page[0].node && host.state[0] == FUSE_DAX_UNMAPPED && tables_ok(),
	      "REMOVEMAPPING whose write-back fails: EIO, and the range is unmapped all the same (%d)", err);
	CHECK(dax.stats.wb_errors >= 1 && fsync_file(f, fh) == -5, "the next FSYNC reports it");
	fuse_server_reset(&srv);
	vfs_unmount(ffs);		/* the device failed: no clean unmount expected */
	blockdev_file_close(&fbf);
	fs = save_fs;
	fuse_server_init(&srv, fs);
	attach(WIN_SIZE);
	start_session();
}

/*
 * The window and the page cache share the file pages: SETUPMAPPING of pages
 * the cache holds reads nothing from the device and takes them out of the
 * cache (one copy); REMOVEMAPPING puts the pages back (a guest's write
 * included), so the next READ reads nothing either.
 */
static void test_pcache_share(void)
{
	enum { N = 16 * PG, MOFF = 8 * MiB };
	static uint8_t data[N], got[N];
	struct vfs_pcache_stats a, b;
	uint64_t node, fh;
	size_t n;

	fill(data, N, 77);
	CHECK(create("share", FUSE_O_RDWR, &node, &fh) == 0 && write_at(node, fh, 0, data, N) == 0, "share: create");
	CHECK(read_at(node, fh, 0, got, N, &n) == 0 && n == N && !memcmp(got, data, N), "share: READ fills the cache");
	vfs_pcache_get_stats(&a);
	CHECK(setup(node, fh, 0, N, RW, MOFF) == 0, "share: SETUPMAPPING");
	vfs_pcache_get_stats(&b);
	CHECK(b.fills == a.fills && b.direct == a.direct && b.hits >= a.hits + 16,
	      "share: SETUPMAPPING of cached pages reads nothing (%llu fills, %llu direct, %llu hits)",
	      (unsigned long long)(b.fills - a.fills), (unsigned long long)(b.direct - a.direct),
	      (unsigned long long)(b.hits - a.hits));
	CHECK(b.drops >= a.drops + 16, "share: the window holds the pages, the cache not (%llu dropped)",
	      (unsigned long long)(b.drops - a.drops));
	fuse_dax_host_read(&host, MOFF, got, N);
	CHECK(!memcmp(got, data, N), "share: the window has the file's bytes");
	hw_write(MOFF + PG + 10, "xyz", 3);
	memcpy(data + PG + 10, "xyz", 3);
	CHECK(remove1(node, MOFF, N) == 0, "share: REMOVEMAPPING");
	vfs_pcache_get_stats(&a);
	CHECK(read_at(node, fh, 0, got, N, &n) == 0 && n == N && !memcmp(got, data, N),
	      "share: READ after REMOVEMAPPING sees the guest's write");
	vfs_pcache_get_stats(&b);
	CHECK(b.fills == a.fills && b.direct == a.direct && b.misses == a.misses,
	      "share: REMOVEMAPPING left the pages in the cache (%llu misses)", (unsigned long long)(b.misses - a.misses));
	CHECK(release(node, fh) == 0, "share: release");
}

/* ------------------------------------------------------------ random */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

#define NF 4
#define MAXF_LINUX (5u * MiB)

struct mfile {
	char name[16];
	uint64_t node, fh, fh2;
	uint64_t ino;
	uint8_t *data;		/* the model: the file's bytes, zeros past size */
	uint64_t size;
};

struct expw {
	int f;			/* file index, -1: unmapped */
	uint32_t fpage;
	int writable;
};

static struct mfile mf[NF];
static struct expw *expw;
static uint32_t wpages;
static uint64_t maxf;
static int fine;		/* 4 KiB-granular phase */
static unsigned long ops[16];
static uint8_t iobuf[300 * 1024];

static void model_write(struct mfile *m, uint64_t off, const uint8_t *p, size_t n)
{
	memcpy(m->data + off, p, n);
	if (off + n > m->size)
		m->size = off + n;
}

static void model_resize(struct mfile *m, uint64_t size)
{
	if (size < m->size)
		memset(m->data + size, 0, m->size - size);
	m->size = size;
}

static int exp_where(int f, uint32_t fp)
{
	for (uint32_t w = 0; w < wpages; w++)
		if (expw[w].f == f && expw[w].fpage == fp)
			return (int)w;
	return -1;
}

/* Compares the server's tables and the window with the model. */
static int verify_tables(void)
{
	if (!tables_ok())
		return 0;
	for (uint32_t w = 0; w < wpages; w++) {
		const struct expw *e = &expw[w];

		if (e->f < 0 ? dax.page[w].node != 0
			     : !holds(w, mf[e->f].node, e->fpage) || !(dax.page[w].node & FUSE_DAX_WRITABLE) != !e->writable) {
			printf("    window page %u: expected file %d page %u%s, tables %#x/%u\n", w, e->f, e->fpage,
			       e->writable ? " rw" : "", dax.page[w].node, dax.page[w].fpage);
			return 0;
		}
	}
	return 1;
}

/* Window pages hold the model's bytes (below EOF; past it the guest may
 * have left anything). all = every mapped page, else a sample. */
static int verify_window(int all)
{
	for (uint32_t k = 0; k < (all ? wpages : 8); k++) {
		uint32_t w = all ? k : (uint32_t)below(wpages);
		const struct expw *e = &expw[w];
		uint64_t start;
		size_t n;

		if (e->f < 0)
			continue;
		start = (uint64_t)e->fpage * PG;
		if (start >= mf[e->f].size)
			continue;
		n = mf[e->f].size - start < PG ? (size_t)(mf[e->f].size - start) : PG;
		if (memcmp(winmem + (uint64_t)w * PG, mf[e->f].data + start, n)) {
			printf("    window page %u (file %d page %u) differs from the model\n", w, e->f, e->fpage);
			return 0;
		}
	}
	return 1;
}

/* READ of [off, off + n) of file i against the model. */
static int verify_read(int i, uint64_t off, size_t n)
{
	struct mfile *m = &mf[i];
	size_t got, want;

	if (n > sizeof(iobuf))
		n = sizeof(iobuf);
	want = off >= m->size ? 0 : (m->size - off < n ? (size_t)(m->size - off) : n);
	if (read_at(m->node, pcache_phase && below(2) ? m->fh2 : m->fh, off, iobuf, n, &got) || got != want ||
	    memcmp(iobuf, m->data + off, want)) {
		printf("    READ file %d [%llu, +%zu): got %zu, want %zu\n", i, (unsigned long long)off, n, got, want);
		return 0;
	}
	return 1;
}

static int verify_file(int i)
{
	for (uint64_t off = 0; off < mf[i].size + 1; off += sizeof(iobuf) - 4096)
		if (!verify_read(i, off, sizeof(iobuf) - 4096))
			return 0;
	return 1;
}

/* The disk (bypassing the server) holds the model's bytes of file i in
 * [off, off + n). */
static int verify_disk(int i, uint64_t off, uint64_t n)
{
	struct mfile *m = &mf[i];

	if (off >= m->size)
		return 1;
	if (n > m->size - off)
		n = m->size - off;
	while (n) {
		size_t k = n < sizeof(iobuf) ? (size_t)n : sizeof(iobuf);

		if (vfs_read(fs, m->ino, off, iobuf, k) != (long)k || memcmp(iobuf, m->data + off, k)) {
			printf("    disk of file %d at %llu differs from the model\n", i, (unsigned long long)off);
			return 0;
		}
		off += k;
		n -= k;
	}
	return 1;
}

static void open_files(int create_them)
{
	for (int i = 0; i < NF; i++) {
		struct fuse_attr a;

		if (create_them) {
			snprintf(mf[i].name, sizeof(mf[i].name), "%s%d", pcache_phase ? "pc" : fine ? "fine" : "rnd", i);
			CHECK(create(mf[i].name, FUSE_O_RDWR, &mf[i].node, &mf[i].fh) == 0, "create %s", mf[i].name);
		} else {
			CHECK(lookup(mf[i].name, &mf[i].node) == 0 && open_file(mf[i].node, FUSE_O_RDWR, &mf[i].fh) == 0,
			      "reopen %s", mf[i].name);
		}
		getattr(mf[i].node, &a);
		mf[i].ino = a.ino;
		if (pcache_phase)
			CHECK(open_file(mf[i].node, FUSE_O_RDWR, &mf[i].fh2) == 0, "second handle on %s", mf[i].name);
	}
}

/* SETUPMAPPING of a random range of file i, the model following the rules. */
static int step_setup(int i, int *touched_f)
{
	struct mfile *m = &mf[i];
	uint64_t foff, len, moff;
	int writable = below(3) != 0, err, want_err = 0;
	uint64_t fh = below(4) ? NO_FH : m->fh;
	uint32_t n, w0, fp0;

	if (fine) {
		n = 1 + (uint32_t)below(below(4) ? 8 : 40);
		if (n > wpages)
			n = wpages;
		w0 = (uint32_t)below(wpages - n + 1);
		foff = below(maxf / PG) * PG;
	} else {
		n = RANGE / PG;
		w0 = (uint32_t)below(wpages / n) * n;
		foff = below(maxf / RANGE) * RANGE;
		if (m->size && below(4))
			foff = below((m->size + RANGE - 1) / RANGE) * RANGE;
	}
	len = (uint64_t)n * PG;
	moff = (uint64_t)w0 * PG;
	fp0 = (uint32_t)(foff / PG);
	if (foff >= m->size)
		want_err = -6;
	err = setup(m->node, fh, foff, len, writable ? RW : RO, moff);
	*touched_f = i;
	if (err != want_err) {
		printf("    SETUPMAPPING file %d foff %llu len %llu moff %llu: %d, expected %d\n", i,
		       (unsigned long long)foff, (unsigned long long)len, (unsigned long long)moff, err, want_err);
		return 0;
	}
	if (err)
		return 1;
	for (uint32_t k = 0; k < n; k++) {
		struct expw *e = &expw[w0 + k];
		int at;

		if (e->f == i && e->fpage == fp0 + k) {
			e->writable = writable;
			continue;
		}
		e->f = -1;
		at = exp_where(i, fp0 + k);
		if (at >= 0)
			expw[at].f = -1;
		e->f = i;
		e->fpage = fp0 + k;
		e->writable = writable;
	}
	return 1;
}

/* REMOVEMAPPING of some of file i's ranges; sometimes (fine phase) one that
 * covers another file's page, which must fail and change nothing. */
static int step_remove(int i)
{
	uint64_t p[2 * 64];
	uint32_t count = 0;
	int foreign = 0, err;

	if (fine) {
		uint32_t n = 1 + (uint32_t)below(16), w0 = (uint32_t)below(wpages - n + 1);

		for (uint32_t w = w0; w < w0 + n; w++)
			foreign |= expw[w].f >= 0 && expw[w].f != i;
		p[0] = (uint64_t)w0 * PG;
		p[1] = (uint64_t)n * PG;
		count = 1;
		if (!foreign && below(2)) {	/* a second entry */
			uint32_t n2 = 1 + (uint32_t)below(8), w2 = (uint32_t)below(wpages - n2 + 1);

			for (uint32_t w = w2; w < w2 + n2; w++)
				foreign |= expw[w].f >= 0 && expw[w].f != i;
			p[2] = (uint64_t)w2 * PG;
			p[3] = (uint64_t)n2 * PG;
			count = 2;
		}
	} else {
		for (uint32_t r = 0; r < wpages / 512; r++)
			if (expw[r * 512].f == i && below(3)) {
				p[2 * count] = (uint64_t)r * RANGE;
				p[2 * count + 1] = RANGE;
				count++;
			}
		if (!count)
			return 1;
	}
	err = removemap(mf[i].node, count, p, count);
	if (err != (foreign ? -22 : 0)) {
		printf("    REMOVEMAPPING file %d (%u entries, foreign %d): %d\n", i, count, foreign, err);
		return 0;
	}
	if (foreign)
		return 1;
	for (uint32_t k = 0; k < count; k++)
		for (uint64_t w = p[2 * k] / PG; w < (p[2 * k] + p[2 * k + 1]) / PG; w++)
			if (expw[w].f == i) {
				if (!verify_disk(i, (uint64_t)expw[w].fpage * PG, PG))
					return 0;	/* written back */
				expw[w].f = -1;
			}
	return 1;
}

/* One random step; returns 0 when a check failed. */
static int step(unsigned long k)
{
	int i = (int)below(NF), op = (int)below(pcache_phase ? 18 : fine ? 16 : 15), tf = i;
	struct mfile *m = &mf[i];
	uint64_t off = 0, len = 0;
	int ok = 1;

	switch (op) {
	case 0: case 1: case 2: {	/* guest write through the window, mostly to a mapped page */
		uint32_t w = (uint32_t)below(wpages);
		struct expw *e;

		for (int tries = 0; tries < 64 && expw[w].f < 0 && below(8); tries++)
			w = (uint32_t)below(wpages);
		e = &expw[w];
		uint64_t at = below(PG);
		size_t n = 1 + (size_t)below(below(2) && PG - at > 64 ? 64 : PG - at);
		static uint8_t bytes[PG];

		for (size_t b = 0; b < n; b++)
			bytes[b] = (uint8_t)rnd();
		if (e->f < 0) {		/* dropped and counted by the hardware */
			uint64_t drops = host.dropped_unmapped;

			hw_write((uint64_t)w * PG + at, bytes, n);
			ok = host.dropped_unmapped == drops + 1;
			break;
		}
		hw_write((uint64_t)w * PG + at, bytes, n);
		tf = e->f;
		m = &mf[tf];
		off = (uint64_t)e->fpage * PG + at;
		len = n;
		if (e->writable && off < m->size)
			memcpy(m->data + off, bytes, m->size - off < n ? (size_t)(m->size - off) : n);
		ops[0]++;
		break;
	}
	case 3: case 4: {		/* FUSE WRITE, sometimes extending */
		size_t n = 1 + (size_t)below(below(4) ? 4096 : (fine ? 24 * 1024 : 200 * 1024));
		static uint8_t bytes[256 * 1024];

		off = below(m->size + (fine ? 16 * 1024 : 256 * 1024));
		if (off + n > maxf)
			break;
		for (size_t b = 0; b < n; b++)
			bytes[b] = (uint8_t)rnd();
		if (write_at(m->node, pcache_phase && below(2) ? m->fh2 : m->fh, off, bytes, n)) {
			printf("    WRITE failed\n");
			return 0;
		}
		model_write(m, off, bytes, n);
		len = n;
		ops[1]++;
		break;
	}
	case 5: case 6:			/* FUSE READ */
		off = below(m->size + 8192);
		len = 1 + below(fine ? 40000 : 280000);
		ok = verify_read(i, off, (size_t)len);
		ops[2]++;
		break;
	case 7: {			/* truncate, mostly near the current size */
		uint64_t size = below(3) ? (m->size + below(3 * PG)) - (below(2) ? below(m->size + 1) : 0) : below(maxf);

		if (size > maxf)
			size = maxf;
		if (truncate_to(m->node, size)) {
			printf("    SETATTR size failed\n");
			return 0;
		}
		off = size < m->size ? size : m->size;
		len = 4 * PG;
		model_resize(m, size);
		ops[3]++;
		break;
	}
	case 8: case 9:			/* SETUPMAPPING (new, replacing, splitting, upgrading, moving) */
		ok = step_setup(i, &tf);
		ops[4]++;
		break;
	case 10:			/* REMOVEMAPPING */
		ok = step_remove(i);
		ops[5]++;
		break;
	case 11:			/* FSYNC: the disk catches up */
		ok = fsync_file(m->node, m->fh) == 0 && verify_disk(i, 0, m->size);
		ops[6]++;
		break;
	case 12:			/* guest read through the window */
	{
		uint32_t w = (uint32_t)below(wpages);
		static uint8_t page[PG];

		fuse_dax_host_read(&host, (uint64_t)w * PG, page, PG);
		if (expw[w].f < 0) {
			ok = is_zero(page, PG);
		} else {
			struct mfile *o = &mf[expw[w].f];
			uint64_t s = (uint64_t)expw[w].fpage * PG;

			if (s < o->size)
				ok = !memcmp(page, o->data + s, o->size - s < PG ? (size_t)(o->size - s) : PG);
		}
		ops[7]++;
		break;
	}
	case 13:			/* last RELEASE (writes back) and reopen */
		ok = (!pcache_phase || release(m->node, m->fh2) == 0) && release(m->node, m->fh) == 0 &&
		     verify_disk(i, 0, m->size) && open_file(m->node, FUSE_O_RDWR, &m->fh) == 0 &&
		     (!pcache_phase || open_file(m->node, FUSE_O_RDWR, &m->fh2) == 0);
		ops[8]++;
		break;
	case 14:			/* reset or DESTROY, remount: everything written back */
		if (below(8))
			break;
		remount((int)below(2));
		for (uint32_t w = 0; w < wpages; w++)
			expw[w].f = -1;
		open_files(0);
		for (int f = 0; f < NF; f++)
			ok &= verify_disk(f, 0, mf[f].size);
		ops[9]++;
		break;
	case 15: {			/* punch a hole (fine phase) */
		struct fuse_fallocate_in fa = { .fh = m->fh, .mode = FUSE_FALLOC_PUNCH_HOLE | FUSE_FALLOC_KEEP_SIZE };

		if (!m->size)
			break;
		fa.offset = below(m->size);
		fa.length = 1 + below(3 * PG);
		if (call(build(FUSE_FALLOCATE, m->node, &fa, sizeof(fa), NULL, NULL, 0), NULL, NULL)) {
			printf("    FALLOCATE punch failed\n");
			return 0;
		}
		off = fa.offset;
		len = fa.length;
		if (off + len > m->size)
			len = m->size - off;
		memset(m->data + off, 0, (size_t)len);
		ops[10]++;
		break;
	}
	case 16: {			/* COPY_FILE_RANGE into another file (pcache phase) */
		int j = (i + 1 + (int)below(NF - 1)) % NF;
		struct mfile *o = &mf[j];
		struct fuse_copy_file_range_in ci = { .fh_in = m->fh2, .nodeid_out = o->node, .fh_out = o->fh };
		const void *b;
		size_t bl;
		uint64_t n;

		ci.off_in = below(m->size + PG);
		ci.off_out = below(o->size + 2 * PG);
		ci.len = 1 + below(3 * PG);
		n = ci.off_in >= m->size ? 0 : (m->size - ci.off_in < ci.len ? m->size - ci.off_in : ci.len);
		if (ci.off_out + ci.len > maxf)
			break;
		if (call(build(FUSE_COPY_FILE_RANGE, m->node, &ci, sizeof(ci), NULL, NULL, 0), &b, &bl) ||
		    ((const struct fuse_write_out *)b)->size != n) {
			printf("    COPY_FILE_RANGE failed\n");
			return 0;
		}
		if (n)
			model_write(o, ci.off_out, m->data + ci.off_in, (size_t)n);
		tf = j;
		off = ci.off_out;
		len = n;
		ops[11]++;
		break;
	}
	case 17: {			/* zero a range, or preallocate (pcache phase) */
		struct fuse_fallocate_in fa = { .fh = m->fh };

		fa.offset = below(m->size + PG);
		fa.length = 1 + below(3 * PG);
		fa.mode = below(2) ? FUSE_FALLOC_ZERO_RANGE : 0;
		if (below(2))
			fa.mode |= FUSE_FALLOC_KEEP_SIZE;
		if (fa.offset + fa.length > maxf)
			break;
		if (call(build(FUSE_FALLOCATE, m->node, &fa, sizeof(fa), NULL, NULL, 0), NULL, NULL)) {
			printf("    FALLOCATE mode %u failed\n", fa.mode);
			return 0;
		}
		off = fa.offset;
		len = fa.length;
		if ((fa.mode & FUSE_FALLOC_ZERO_RANGE) && off < m->size)
			memset(m->data + off, 0, (size_t)(off + len > m->size ? m->size - off : len));
		if (!(fa.mode & FUSE_FALLOC_KEEP_SIZE) && off + len > m->size)
			model_resize(m, off + len);
		ops[12]++;
		break;
	}
	}
	if (!ok) {
		printf("    step %lu: op %d on file %d failed\n", k, op, i);
		return 0;
	}
	/* After every step: sizes, tables, a window sample, the touched region. */
	for (int f = 0; f < NF; f++)
		if (size_of(mf[f].node) != mf[f].size) {
			printf("    step %lu (op %d): file %d size %llu, model %llu\n", k, op, f,
			       (unsigned long long)size_of(mf[f].node), (unsigned long long)mf[f].size);
			return 0;
		}
	if (!verify_tables() || !verify_window(fine || k % 50 == 0)) {
		printf("    step %lu: op %d on file %d\n", k, op, i);
		return 0;
	}
	if (len && !verify_read(tf, off > 8192 ? off - 8192 : 0, (size_t)len + 16384)) {
		printf("    step %lu: op %d on file %d, region check\n", k, op, tf);
		return 0;
	}
	if (fine || k % 50 == 0) {
		for (int f = 0; f < NF; f++)
			if (!verify_file(f)) {
				printf("    step %lu: op %d, full check of file %d\n", k, op, f);
				return 0;
			}
	} else if (!verify_read((int)below(NF), below(maxf), 65536)) {
		printf("    step %lu: op %d, sample check\n", k, op);
		return 0;
	}
	return 1;
}

static void run_random(const char *phase, uint64_t seed, unsigned long steps)
{
	unsigned long k;
	int ok = 1;

	rng_state = seed * 0x9e3779b97f4a7c15ull + 1;
	memset(ops, 0, sizeof(ops));
	wpages = (uint32_t)(win.size / PG);
	expw = calloc(wpages, sizeof(*expw));
	for (uint32_t w = 0; w < wpages; w++)
		expw[w].f = -1;
	for (int i = 0; i < NF; i++) {
		mf[i].data = calloc(1, maxf);
		mf[i].size = 0;
	}
	open_files(1);
	for (k = 0; k < steps && ok; k++)
		ok = step(k);
	CHECK(ok, "%s: %lu random steps (seed %llu) match the model", phase, k, (unsigned long long)seed);
	printf("%s: seed %llu, %lu steps: %lu window writes, %lu WRITE, %lu READ, %lu truncates, %lu SETUPMAPPING, "
	       "%lu REMOVEMAPPING, %lu FSYNC, %lu window reads, %lu RELEASE, %lu remounts, %lu punches, "
	       "%lu copies, %lu zero/prealloc\n",
	       phase, (unsigned long long)seed, k, ops[0], ops[1], ops[2], ops[3], ops[4], ops[5], ops[6], ops[7],
	       ops[8], ops[9], ops[10], ops[11], ops[12]);
	/* Leave the files on the image for debugfs: write back, drop the window. */
	for (int i = 0; i < NF; i++) {
		if (pcache_phase)
			CHECK(release(mf[i].node, mf[i].fh2) == 0, "%s: second handle of %s closed", phase, mf[i].name);
		CHECK(release(mf[i].node, mf[i].fh) == 0 && verify_disk(i, 0, mf[i].size), "%s: %s written back on release",
		      phase, mf[i].name);
		save_expect(mf[i].name, mf[i].data, (size_t)mf[i].size);
		free(mf[i].data);
	}
	free(expw);
}

int main(int argc, char **argv)
{
	uint64_t seed = 1;
	unsigned long steps = 3000;

	if (argc < 4) {
		fprintf(stderr, "usage: dax_test IMAGE FAULT_IMAGE OUTDIR [SEED [STEPS]]\n");
		return 2;
	}
	image = argv[1];
	outdir = argv[3];
	if (argc > 4)
		seed = strtoull(argv[4], NULL, 0);
	if (argc > 5)
		steps = strtoul(argv[5], NULL, 0);
	winmem = aligned_alloc(4096, WIN_SIZE);
	if (!winmem || mount_image())
		return 1;
	memset(winmem, 0xa5, WIN_SIZE);	/* the window starts with garbage, as DDR does */
	fuse_dax_host_init(&host, winmem, WIN_SIZE, &win);
	start_session();
	test_no_window();
	test_basic();
	test_read_only();
	test_split_move();
	test_truncate();
	test_eviction();
	test_reset();
	test_bad_input();
	test_writeback_failure(argv[2]);
	test_pcache_share();
	printf("directed: %d passed, %d failed\n", passed, failed);

	maxf = MAXF_LINUX;
	fine = 0;
	run_random("linux-shaped (2 MiB ranges, 16 MiB window)", seed, steps / 2);
	remount(1);
	maxf = 160 * 1024;
	fine = 1;
	attach(128 * PG);
	run_random("fine (4 KiB pages, 512 KiB window)", seed + 1, steps);
	{
		static uint8_t arena[24 * (4096 + 64)] __attribute__((aligned(4096)));
		static uint8_t big[4u << 20] __attribute__((aligned(4096)));
		struct vfs_pcache_stats p0, p1;

		remount(1);
		vfs_pcache_setup(arena, sizeof(arena));
		vfs_pcache_get_stats(&p0);
		pcache_phase = 1;
		attach(128 * PG);
		run_random("pcache (24 frames, READ by reference, two handles, copies, zeroing)", seed + 2, steps);
		/* a sequential scan of a file four times the cache: read-ahead
		 * (the random steps hardly ever read on from where they were:
		 * 0 or 1 read-ahead block in 168 000 reads) */
		{
			static uint8_t seq[96 * 4096], got[4096];
			uint64_t node = 0, fh = 0;
			size_t n = 0;
			int bad = 0;

			fill(seq, sizeof(seq), 77);
			CHECK(create("seqscan", FUSE_O_RDWR, &node, &fh) == 0, "pcache phase: CREATE seqscan");
			for (size_t off = 0; off < sizeof(seq); off += 8192)
				bad += write_at(node, fh, off, seq + off, 8192) != 0;
			CHECK(!bad && fsync_file(node, fh) == 0, "pcache phase: seqscan written");
			for (size_t off = 0; off < sizeof(seq); off += sizeof(got))
				bad += read_at(node, fh, off, got, sizeof(got), &n) || n != sizeof(got) ||
				       memcmp(got, seq + off, sizeof(got));
			CHECK(!bad, "pcache phase: seqscan read back in order (%d bad READs)", bad);
			CHECK(release(node, fh) == 0, "pcache phase: RELEASE seqscan");
		}
		pcache_phase = 0;
		vfs_pcache_get_stats(&p1);
		printf("page cache (pcache phase): %llu frames, %llu hits, %llu misses, %llu reads of %llu blocks "
		       "(%llu read ahead), %llu evictions, %llu drops, %llu READs by reference\n",
		       (unsigned long long)p1.frames, (unsigned long long)(p1.hits - p0.hits),
		       (unsigned long long)(p1.misses - p0.misses), (unsigned long long)(p1.fills - p0.fills),
		       (unsigned long long)(p1.filled - p0.filled), (unsigned long long)(p1.readahead - p0.readahead),
		       (unsigned long long)(p1.evictions - p0.evictions), (unsigned long long)(p1.drops - p0.drops),
		       (unsigned long long)ref_replies);
		CHECK(p1.evictions - p0.evictions > 1000 && p1.hits > p0.hits && ref_replies > 100 &&
		      p1.readahead > p0.readahead, "pcache phase: the cache evicted, hit, read ahead and answered by reference");
		vfs_pcache_setup(big, sizeof(big));
	}
	attach(win.size);
	printf("window stats (whole run): %llu setups, %llu removes, %llu pages loaded, %llu written back, %llu moved, "
	       "%llu evicted, %llu READ pages and %llu WRITE pages served by the window; hardware: %llu writes dropped "
	       "(read-only), %llu dropped (unmapped)\n",
	       (unsigned long long)total.setups, (unsigned long long)total.removes,
	       (unsigned long long)total.loaded, (unsigned long long)total.written,
	       (unsigned long long)total.moved, (unsigned long long)total.evicted,
	       (unsigned long long)total.read_hits, (unsigned long long)total.write_hits,
	       (unsigned long long)total_ro_drops, (unsigned long long)total_unmapped_drops);
	CHECK(call(build(FUSE_DESTROY, 0, NULL, 0, NULL, NULL, 0), NULL, NULL) == 0 && tables_ok() &&
	      dax.node[0].pages == 0, "DESTROY at the end: every page unmapped");
	CHECK(vfs_unmount(fs) == 0, "unmount");
	blockdev_file_close(&bf);
	free(winmem);
	printf("%d passed, %d failed\n", passed, failed);
	return failed || !passed ? 1 : 0;	/* no check run is no pass */
}
