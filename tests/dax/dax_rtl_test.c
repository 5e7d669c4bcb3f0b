/*
 * The DAX window on the RTL card, through the project's driver in the
 * root-complex testbench: the card firmware serves FUSE over ext4 on the
 * simulated SSD and keeps BAR2 (rtl/dax/dax_window.sv) coherent with the
 * files (docs/dax.md).
 *
 * Directed: INIT advertises FUSE_MAP_ALIGNMENT 12; SETUPMAPPING read-write,
 * guest reads of the file's bytes through BAR2, guest writes through BAR2
 * seen by FUSE READ, a read-only mapping that drops guest writes, unmapped
 * pages reading zeros, REMOVEMAPPING writing back and unmapping, bad
 * requests refused with nothing changed, FSYNC then a device reset (the
 * window's bytes survive, every page unmapped afterwards). Random: guest
 * window writes, FUSE WRITEs, truncations and remaps against a byte-array
 * model, checked with FUSE READ. At the end the files' expected contents are
 * written to OUTDIR for the caller's debugfs comparison (tests/dax/run.sh).
 *
 * With --bench FILE: window read/write bandwidth at the TLP interface and
 * SETUPMAPPING latency of 2 MiB, as a markdown table.
 *
 * usage: dax_rtl_test CARD.elf IMAGE OUTDIR [--steps N] [--seed S] [--bench FILE]
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/fuse.h>

#include "check.h"
#include "fuse_req.h"
#include "nvme_dev.h"
#include "rc.h"
#include "rc_transport.h"
#include "sim_card.h"
#include "tlp.h"
#include "vfsdrv.h"
#include "vtop.h"

static int passed, failed;

#define MIB (1024u * 1024u)
#define PAGE 4096u
#define QREQ 1				/* first request queue */
#define MAXIO 24576u			/* the card's max_write */

static struct vfs_transport *tr;
static struct rc *rc;
static struct vfsdrv drv;
static uint64_t bar2;
static uint64_t unique = 1;
static uint64_t win_size;

/* ------------------------------------------------------------- FUSE calls */

static uint8_t req_buf[MAXIO + 4096], rep_buf[MAXIO + 4096];

/* One request: header + body; returns -error or the reply's payload length
 * (payload in rep_buf after the header). */
static long fuse(uint32_t op, uint64_t nodeid, const void *body, size_t blen, const void *extra,
		 size_t elen, size_t outcap)
{
	struct fuse_in_header *h = (void *)req_buf;
	struct fuse_out_header *o = (void *)rep_buf;
	uint32_t outlen = 0;
	int ret;

	fuse_req_build(req_buf, sizeof(req_buf), &(struct fuse_req){
		.opcode = op, .unique = unique++, .nodeid = nodeid,
		.args = body, .args_len = blen, .data = extra, .data_len = elen });
	ret = vfsdrv_fuse_call(&drv, QREQ, req_buf, h->len, rep_buf, sizeof(*o) + outcap, &outlen);
	if (ret) {
		fprintf(stderr, "dax_rtl_test: opcode %u: %d (card PC 0x%08x, DAX state %u)\n", op, ret,
			vtop_debug_pc(rc_vtop(rc)), vtop_debug_dax_state(rc_vtop(rc)));
		return ret;
	}
	if (outlen < sizeof(*o) || o->unique != h->unique)
		return -EPROTO;
	if (o->error)
		return o->error;
	return (long)(outlen - sizeof(*o));
}

static void *payload(void)
{
	return rep_buf + sizeof(struct fuse_out_header);
}

static int init_session(uint32_t *flags_out, uint16_t *align_out)
{
	struct fuse_init_in in = { .major = 7, .minor = 38, .max_readahead = 128 * 1024 };
	struct fuse_init_out *out;
	long r;

	in.flags = FUSE_ASYNC_READ | FUSE_BIG_WRITES | FUSE_MAP_ALIGNMENT | FUSE_INIT_EXT;
	r = fuse(FUSE_INIT, 0, &in, sizeof(in), NULL, 0, sizeof(*out));
	if (r < 0)
		return (int)r;
	out = payload();
	*flags_out = out->flags;
	*align_out = out->map_alignment;
	return 0;
}

/* CREATE name in the root: nodeid and fh. */
static int create(const char *name, uint64_t *nodeid, uint64_t *fh)
{
	struct fuse_create_in in = { .flags = 02 /* O_RDWR */, .mode = 0100644, .umask = 022 };
	struct fuse_entry_out *e;
	struct fuse_open_out *op;
	long r = fuse(FUSE_CREATE, 1, &in, sizeof(in), name, strlen(name) + 1, sizeof(*e) + sizeof(*op));

	if (r < 0)
		return (int)r;
	e = payload();
	op = (void *)(e + 1);
	*nodeid = e->nodeid;
	*fh = op->fh;
	return 0;
}

static int open_ro(uint64_t nodeid, uint64_t *fh)
{
	struct fuse_open_in in = { .flags = 0 /* O_RDONLY */ };
	long r = fuse(FUSE_OPEN, nodeid, &in, sizeof(in), NULL, 0, sizeof(struct fuse_open_out));

	if (r < 0)
		return (int)r;
	*fh = ((struct fuse_open_out *)payload())->fh;
	return 0;
}

static int fwrite_at(uint64_t nodeid, uint64_t fh, uint64_t off, const void *buf, size_t len)
{
	while (len) {
		size_t n = len < MAXIO ? len : MAXIO;
		struct fuse_write_in in = { .fh = fh, .offset = off, .size = (uint32_t)n };
		long r = fuse(FUSE_WRITE, nodeid, &in, sizeof(in), buf, n, sizeof(struct fuse_write_out));

		if (r < 0)
			return (int)r;
		if (((struct fuse_write_out *)payload())->size != n)
			return -EIO;
		off += n;
		buf = (const uint8_t *)buf + n;
		len -= n;
	}
	return 0;
}

/* READ: bytes read (short at EOF) or -error. */
static long fread_at(uint64_t nodeid, uint64_t fh, uint64_t off, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		size_t n = len - done < MAXIO ? len - done : MAXIO;
		struct fuse_read_in in = { .fh = fh, .offset = off + done, .size = (uint32_t)n };
		long r = fuse(FUSE_READ, nodeid, &in, sizeof(in), NULL, 0, n);

		if (r < 0)
			return r;
		memcpy((uint8_t *)buf + done, payload(), (size_t)r);
		done += (size_t)r;
		if ((size_t)r < n)
			break;
	}
	return (long)done;
}

static int truncate_to(uint64_t nodeid, uint64_t fh, uint64_t size)
{
	struct fuse_setattr_in in = { .valid = FATTR_SIZE | FATTR_FH, .fh = fh, .size = size };
	long r = fuse(FUSE_SETATTR, nodeid, &in, sizeof(in), NULL, 0, sizeof(struct fuse_attr_out));

	return r < 0 ? (int)r : 0;
}

static int setupmapping(uint64_t nodeid, uint64_t fh, uint64_t foff, uint64_t len, uint64_t flags,
			uint64_t moff)
{
	struct fuse_setupmapping_in in = { .fh = fh, .foffset = foff, .len = len, .flags = flags,
					   .moffset = moff };
	long r = fuse(FUSE_SETUPMAPPING, nodeid, &in, sizeof(in), NULL, 0, 0);

	return r < 0 ? (int)r : 0;
}

static int removemapping(uint64_t nodeid, uint64_t moff, uint64_t len)
{
	struct fuse_removemapping_in in = { .count = 1 };
	struct fuse_removemapping_one one = { .moffset = moff, .len = len };
	long r = fuse(FUSE_REMOVEMAPPING, nodeid, &in, sizeof(in), &one, sizeof(one), 0);

	return r < 0 ? (int)r : 0;
}

static int fsync_fh(uint64_t nodeid, uint64_t fh)
{
	struct fuse_fsync_in in = { .fh = fh };
	long r = fuse(FUSE_FSYNC, nodeid, &in, sizeof(in), NULL, 0, 0);

	return r < 0 ? (int)r : 0;
}

/* --------------------------------------------------- guest window accesses */

static int win_write(uint64_t off, const void *buf, size_t len)
{
	return sim_card_mem_write(rc, bar2 + off, buf, len);
}

static int win_read(uint64_t off, void *buf, size_t len)
{
	return sim_card_mem_read(rc, bar2 + off, buf, len);
}

/* -------------------------------------------------------------- helpers */

static void pattern(uint8_t *b, size_t len, uint32_t seed)
{
	uint32_t x = seed * 2654435761u + 1;

	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		b[i] = (uint8_t)x;
	}
}

static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
	rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(rng_state >> 33) % n;
}

static int save(const char *dir, const char *name, const void *buf, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, len, f) != len) {
		if (f)
			fclose(f);
		return -1;
	}
	return fclose(f);
}

static int start_device(void)
{
	uint32_t flags = 0;
	uint16_t align = 0;
	int ret = vfsdrv_start(&drv, 2, 64);

	if (ret)
		return ret;
	ret = init_session(&flags, &align);
	if (ret)
		return ret;
	CHECK(flags & FUSE_MAP_ALIGNMENT, "INIT advertises FUSE_MAP_ALIGNMENT (flags 0x%x)", flags);
	CHECK(align == 12, "map_alignment %u", align);
	return 0;
}

/* ---------------------------------------------------------------- tests */

static uint8_t fa[3 * MIB], model[256 * 1024];

static void test_directed(const char *outdir)
{
	uint64_t na, fha, nb, fhb, fhb_ro;
	uint8_t buf[16384], chk[16384], g[64];
	size_t alen = 2 * MIB + 5000;		/* past the first 2 MiB range */
	long r;

	CHECK(create("a", &na, &fha) == 0, "CREATE a");
	pattern(fa, alen, 1);
	CHECK(fwrite_at(na, fha, 0, fa, alen) == 0, "WRITE a (%zu bytes)", alen);

	/* Read-write mapping of a's first 2 MiB at window 2 MiB. */
	CHECK(setupmapping(na, fha, 0, 2 * MIB, FUSE_SETUPMAPPING_FLAG_READ | FUSE_SETUPMAPPING_FLAG_WRITE,
			   2 * MIB) == 0, "SETUPMAPPING a[0, 2 MiB) rw at 2 MiB");
	CHECK(win_read(2 * MIB, buf, 4096) == 0 && !memcmp(buf, fa, 4096), "window page 512 holds a's page 0");
	CHECK(win_read(2 * MIB + 2 * MIB - 64, buf, 64) == 0 && !memcmp(buf, fa + 2 * MIB - 64, 64),
	      "last bytes of the range");

	/* Guest stores through the window; FUSE READ sees them. */
	pattern(g, sizeof(g), 7);
	CHECK(win_write(2 * MIB + 4096 + 5, g, 37) == 0, "window write 37 bytes at page 1 + 5");
	memcpy(fa + 4096 + 5, g, 37);
	r = fread_at(na, fha, 4096, chk, 8192);
	CHECK(r == 8192 && !memcmp(chk, fa + 4096, 8192), "FUSE READ sees the window write");

	/* FUSE WRITE into a mapped page: the guest sees it through the window. */
	pattern(buf, 1000, 9);
	CHECK(fwrite_at(na, fha, 3 * 4096 + 17, buf, 1000) == 0, "FUSE WRITE into a mapped page");
	memcpy(fa + 3 * 4096 + 17, buf, 1000);
	CHECK(win_read(2 * MIB + 3 * 4096, chk, 4096) == 0 && !memcmp(chk, fa + 3 * 4096, 4096),
	      "the window shows the FUSE WRITE");

	/* Unmapped pages read as zeros and drop writes. */
	memset(chk, 0xaa, 64);
	CHECK(win_write(0x1000, g, 16) == 0, "write to an unmapped page");
	CHECK(win_read(0x1000, chk, 64) == 0 && chk[0] == 0 && !memcmp(chk, chk + 1, 63),
	      "unmapped page reads zeros");

	/* A second file, mapped read-only through a read-only handle. */
	CHECK(create("b", &nb, &fhb) == 0, "CREATE b");
	pattern(buf, 3 * 4096, 2);
	CHECK(fwrite_at(nb, fhb, 0, buf, 3 * 4096) == 0, "WRITE b");
	CHECK(open_ro(nb, &fhb_ro) == 0, "OPEN b read-only");
	r = setupmapping(nb, fhb_ro, 0, 2 * MIB, FUSE_SETUPMAPPING_FLAG_READ | FUSE_SETUPMAPPING_FLAG_WRITE,
			 6 * MIB);
	CHECK(r == -EACCES || r == -EBADF, "writable mapping through a read-only handle refused (%ld)", r);
	CHECK(setupmapping(nb, fhb_ro, 0, 2 * MIB, FUSE_SETUPMAPPING_FLAG_READ, 6 * MIB) == 0,
	      "SETUPMAPPING b read-only at 6 MiB");
	CHECK(win_read(6 * MIB + 4096, chk, 4096) == 0 && !memcmp(chk, buf + 4096, 4096), "b through the window");
	CHECK(win_write(6 * MIB + 4096, g, 32) == 0, "guest write to a read-only page");
	CHECK(win_read(6 * MIB + 4096, chk, 4096) == 0 && !memcmp(chk, buf + 4096, 4096),
	      "read-only page unchanged");
	r = fread_at(nb, fhb, 4096, chk, 4096);
	CHECK(r == 4096 && !memcmp(chk, buf + 4096, 4096), "b unchanged for FUSE READ");
	CHECK(win_read(6 * MIB + 3 * 4096, chk, 64) == 0 && chk[0] == 0 && !memcmp(chk, chk + 1, 63),
	      "the mapped range past b's EOF reads zeros");

	/* Bad requests change nothing. */
	CHECK(setupmapping(na, fha, 0, 2 * MIB, FUSE_SETUPMAPPING_FLAG_READ, win_size) == -EINVAL,
	      "moffset at the window's end: EINVAL");
	CHECK(setupmapping(na, fha, 0, 4096, FUSE_SETUPMAPPING_FLAG_READ, 2 * MIB + 100) == -EINVAL,
	      "misaligned moffset: EINVAL");
	CHECK(setupmapping(na, 0xdead, 0, 4096, FUSE_SETUPMAPPING_FLAG_READ, 8 * MIB) < 0,
	      "unknown fh refused");
	CHECK(setupmapping(na, fha, 64 * MIB, 2 * MIB, FUSE_SETUPMAPPING_FLAG_READ, 8 * MIB) == -ENXIO,
	      "range past EOF: ENXIO");
	CHECK(removemapping(na, win_size, 4096) == -EINVAL, "REMOVEMAPPING off the window: EINVAL");
	CHECK(removemapping(na, 6 * MIB, 4096) == -EINVAL, "REMOVEMAPPING of another node's page: EINVAL");
	CHECK(win_read(2 * MIB + 4096 + 5, chk, 37) == 0 && !memcmp(chk, g, 37), "a's mapping intact");

	/* A second guest write, then REMOVEMAPPING writes back and unmaps. */
	pattern(g, sizeof(g), 11);
	CHECK(win_write(2 * MIB + 100 * 4096, g, 64) == 0, "window write at page 100");
	memcpy(fa + 100 * 4096, g, 64);
	CHECK(removemapping(na, 2 * MIB, 2 * MIB) == 0, "REMOVEMAPPING a");
	CHECK(win_read(2 * MIB + 100 * 4096, chk, 64) == 0 && chk[0] == 0 && !memcmp(chk, chk + 1, 63),
	      "removed range reads zeros");
	r = fread_at(na, fha, 100 * 4096, chk, 64);
	CHECK(r == 64 && !memcmp(chk, g, 64), "written back: FUSE READ after REMOVEMAPPING");
	CHECK(removemapping(nb, 6 * MIB, 2 * MIB) == 0, "REMOVEMAPPING b");

	/* FSYNC, then a device reset: the bytes survive, the window is unmapped. */
	CHECK(setupmapping(na, fha, 2 * MIB, 2 * MIB, FUSE_SETUPMAPPING_FLAG_READ | FUSE_SETUPMAPPING_FLAG_WRITE,
			   10 * MIB) == 0, "SETUPMAPPING a[2 MiB, 4 MiB) at 10 MiB");
	pattern(g, sizeof(g), 13);
	CHECK(win_write(10 * MIB + 4000, g, 64) == 0, "window write across a page boundary");
	memcpy(fa + 2 * MIB + 4000, g, 64);
	CHECK(fsync_fh(na, fha) == 0, "FSYNC a");
	vfsdrv_stop(&drv);
	CHECK(start_device() == 0, "device reset and a new session");
	CHECK(win_read(10 * MIB + 4000, chk, 64) == 0 && chk[0] == 0 && !memcmp(chk, chk + 1, 63),
	      "after the reset the window is unmapped");
	{
		struct fuse_entry_out *e;
		long lr = fuse(FUSE_LOOKUP, 1, "a", 2, NULL, 0, sizeof(*e));

		CHECK(lr >= 0, "LOOKUP a after the reset");
		e = payload();
		na = e->nodeid;
		CHECK(open_ro(na, &fha) == 0, "OPEN a");
		r = fread_at(na, fha, 0, buf, sizeof(buf));
		CHECK(r == (long)sizeof(buf) && !memcmp(buf, fa, sizeof(buf)), "a's first 16 KiB after the reset");
		r = fread_at(na, fha, 2 * MIB, chk, 5000);
		CHECK(r == 5000 && !memcmp(chk, fa + 2 * MIB, 5000), "a's window write survived the reset");
	}
	CHECK(save(outdir, "a", fa, alen) == 0, "expected a saved");
	CHECK(save(outdir, "b", (pattern(buf, 3 * 4096, 2), buf), 3 * 4096) == 0, "expected b saved");
}

/* Random interleavings on file "r" (up to 256 KiB, its first 64 pages
 * mapped read-write somewhere in the window) against a byte array. */
static void test_random(const char *outdir, unsigned steps)
{
	uint64_t nr, fh, moff = 16 * MIB;
	size_t size = 0;
	static uint8_t chk[sizeof(model)];
	uint8_t buf[8192];
	int mapped = 0, bad = 0;
	unsigned counts[5] = { 0 };

	CHECK(create("r", &nr, &fh) == 0, "CREATE r");
	memset(model, 0, sizeof(model));
	for (unsigned s = 0; s < steps && !bad; s++) {
		unsigned op = rnd(5);

		if (!mapped && size > 0)
			op = 4;
		if (getenv("DAX_VERBOSE"))
			fprintf(stderr, "step %u: op %u size %zu mapped %d moff 0x%llx\n", s, op, size, mapped,
				(unsigned long long)moff);
		switch (op) {
		case 0: {	/* guest window write within the file */
			size_t lim = size < 64 * PAGE ? size : 64 * PAGE, off, n;

			if (!mapped || lim == 0)
				break;
			off = rnd((uint32_t)lim);
			n = 1 + rnd(200);
			if (off + n > lim)
				n = lim - off;
			pattern(buf, n, s);
			if (win_write(moff + off, buf, n))
				bad = 1;
			memcpy(model + off, buf, n);
			break;
		}
		case 1: {	/* FUSE WRITE, may extend */
			size_t off = rnd((uint32_t)(sizeof(model) - 8192)), n = 1 + rnd(8000);

			pattern(buf, n, s + 1000);
			if (fwrite_at(nr, fh, off, buf, n))
				bad = 1;
			memcpy(model + off, buf, n);
			if (off + n > size)
				size = off + n;
			break;
		}
		case 2: {	/* truncate down or up */
			size_t ns = rnd((uint32_t)sizeof(model));

			if (truncate_to(nr, fh, ns))
				bad = 1;
			if (ns < size)
				memset(model + ns, 0, size - ns);
			size = ns;
			break;
		}
		case 3:		/* remove the mapping */
			if (mapped && removemapping(nr, moff, 64 * PAGE))
				bad = 1;
			mapped = 0;
			break;
		case 4:		/* map (again, maybe elsewhere) */
			if (size == 0)
				break;
			if (mapped && removemapping(nr, moff, 64 * PAGE))
				bad = 1;
			moff = (uint64_t)(16 + rnd(8)) * MIB + (uint64_t)rnd(256) * PAGE;
			if (setupmapping(nr, fh, 0, 64 * PAGE,
					 FUSE_SETUPMAPPING_FLAG_READ | FUSE_SETUPMAPPING_FLAG_WRITE, moff))
				bad = 1;
			mapped = 1;
			break;
		}
		counts[op]++;
		if (rnd(4) == 0 || s == steps - 1) {
			long r = fread_at(nr, fh, 0, chk, sizeof(chk));

			if (r != (long)size || memcmp(chk, model, size)) {
				fprintf(stderr, "dax_rtl_test: step %u (op %u): READ %ld bytes, model %zu\n", s, op, r,
					size);
				bad = 1;
			}
		}
	}
	CHECK(!bad, "random steps: window writes %u, FUSE writes %u, truncates %u, unmaps %u, maps %u",
	      counts[0], counts[1], counts[2], counts[3], counts[4]);
	if (mapped)
		CHECK(removemapping(nr, moff, 64 * PAGE) == 0, "final REMOVEMAPPING");
	CHECK(fsync_fh(nr, fh) == 0, "FSYNC r");
	CHECK(save(outdir, "r", model, size) == 0, "expected r saved");
}

/* ---------------------------------------------------------------- bench */

/* Cycles to move `total` bytes through the window as TLPs of `tlp` bytes:
 * writes back to back, reads `inflight` at a time. */
static uint64_t win_stream(int write, uint64_t off, uint8_t *buf, unsigned total, unsigned tlp, unsigned inflight)
{
	static uint64_t addrs[4096];
	unsigned n = total / tlp;
	uint64_t c0 = rc_cycles(rc);
	int ret = 0;

	for (unsigned i = 0; i < n; i++)
		addrs[i] = bar2 + off + (uint64_t)i * tlp;
	if (write)
		ret = rc_mem_write_stream(rc, addrs, n, tlp, buf);
	else
		for (unsigned i = 0; i < n && !ret; i += inflight)
			ret = rc_mem_read_stream(rc, addrs + i, n - i < inflight ? n - i : inflight, tlp,
						 buf + (size_t)i * tlp);
	CHECK(ret == 0, "bench: window %s of %u bytes as %u-byte TLPs", write ? "write" : "read", total, tlp);
	return rc_cycles(rc) - c0;
}

static void bench(const char *path, uint64_t na, uint64_t fha)
{
	static uint8_t big[64 * 1024], back[64 * 1024];
	static const struct { int write; unsigned tlp, inflight; const char *what; } runs[] = {
		{ 1, 256, 0, "guest write, 256-byte TLPs (MPS) back to back" },
		{ 1, 64, 0, "guest write, 64-byte TLPs (a CPU's write-combining buffer) back to back" },
		{ 1, 8, 0, "guest write, 8-byte TLPs (uncached stores) back to back" },
		{ 0, 512, 32, "guest read, 512-byte reads (MRRS), 32 in flight" },
		{ 0, 64, 32, "guest read, 64-byte reads (cache lines), 32 in flight" },
		{ 0, 64, 1, "guest read, 64-byte reads, one at a time" },
	};
	uint64_t c0, c_map_ssd, c_upgrade, c_move, c_map_again, cyc[sizeof(runs) / sizeof(runs[0])];
	const uint32_t rw = FUSE_SETUPMAPPING_FLAG_READ | FUSE_SETUPMAPPING_FLAG_WRITE;
	FILE *f;

	/* SETUPMAPPING 2 MiB, as a Linux guest sends them: read-only on a read
	 * fault, the file's bytes from the SSD; the same range and window offset
	 * again with WRITE (the upgrade: the window pages are the cache, their
	 * bytes stay); below, the range mapped at another window offset (its
	 * pages move with their bytes and dirty bits), and after REMOVEMAPPING
	 * from the SSD again (the card keeps no file data besides the window). */
	c0 = rc_cycles(rc);
	CHECK(setupmapping(na, fha, 0, 2 * MIB, FUSE_SETUPMAPPING_FLAG_READ, 32 * MIB) == 0, "bench: SETUPMAPPING");
	c_map_ssd = rc_cycles(rc) - c0;
	c0 = rc_cycles(rc);
	CHECK(setupmapping(na, fha, 0, 2 * MIB, rw, 32 * MIB) == 0, "bench: SETUPMAPPING upgrade");
	c_upgrade = rc_cycles(rc) - c0;
	pattern(big, sizeof(big), 99);
	for (unsigned r = 0; r < sizeof(runs) / sizeof(runs[0]); r++) {
		if (!runs[r].write)
			memset(back, 0, sizeof(back));
		cyc[r] = win_stream(runs[r].write, 32 * MIB + 64 * 1024 * (r % 3), runs[r].write ? big : back,
				    sizeof(big), runs[r].tlp, runs[r].inflight);
		if (!runs[r].write)
			CHECK(!memcmp(back, big, sizeof(big)), "bench: %s reads what was written", runs[r].what);
	}
	c0 = rc_cycles(rc);
	CHECK(setupmapping(na, fha, 0, 2 * MIB, rw, 40 * MIB) == 0, "bench: SETUPMAPPING at another offset");
	c_move = rc_cycles(rc) - c0;
	CHECK(win_read(40 * MIB + 64 * 1024, back, sizeof(back)) == 0 && !memcmp(back, big, sizeof(big)),
	      "bench: the moved range holds what the guest wrote");
	CHECK(removemapping(na, 40 * MIB, 2 * MIB) == 0, "bench: REMOVEMAPPING dirty");
	c0 = rc_cycles(rc);
	CHECK(setupmapping(na, fha, 0, 2 * MIB, rw, 32 * MIB) == 0, "bench: SETUPMAPPING again");
	c_map_again = rc_cycles(rc) - c0;
	CHECK(win_read(32 * MIB + 64 * 1024, back, sizeof(back)) == 0 && !memcmp(back, big, sizeof(big)),
	      "bench: written back and read from the SSD again");
	CHECK(removemapping(na, 32 * MIB, 2 * MIB) == 0, "bench: REMOVEMAPPING");
	f = fopen(path, "w");
	if (!f)
		return;
	fprintf(f, "## The DAX window on the RTL card (make bench-dax-rtl)\n\n"
		   "Root-complex testbench, the card firmware over the SSD model; 64 KiB moved through mapped\n"
		   "window pages per row, the host taking every beat the card sends; card memory is the\n"
		   "simulation's 1-cycle DDR model. MB/s at the nominal 250 MHz.\n\n");
	fprintf(f, "| DAX window on the RTL card (rc testbench, 250 MHz) | cycles | bytes/cycle | MB/s |\n");
	fprintf(f, "|---|---:|---:|---:|\n");
	for (unsigned r = 0; r < sizeof(runs) / sizeof(runs[0]); r++)
		fprintf(f, "| %s | %llu | %.2f | %.0f |\n", runs[r].what, (unsigned long long)cyc[r],
			(double)sizeof(big) / (double)cyc[r], (double)sizeof(big) / (double)cyc[r] * 250.0);
	fprintf(f, "| datapath limit of the TLP interface (256 bits a cycle) | - | 32.00 | 8000 |\n");
	fprintf(f, "| SETUPMAPPING 2 MiB read-only, file bytes from the SSD (%.0f µs) | %llu | %.2f | %.0f |\n",
		(double)c_map_ssd / 250.0, (unsigned long long)c_map_ssd, 2.0 * MIB / (double)c_map_ssd,
		2.0 * MIB / (double)c_map_ssd * 250.0);
	fprintf(f, "| SETUPMAPPING 2 MiB read-write, same range and offset: from the window (the upgrade, %.0f µs) | %llu | %.2f | %.0f |\n",
		(double)c_upgrade / 250.0, (unsigned long long)c_upgrade, 2.0 * MIB / (double)c_upgrade,
		2.0 * MIB / (double)c_upgrade * 250.0);
	fprintf(f, "| SETUPMAPPING 2 MiB at another window offset: pages moved by the copy engine (%.0f µs) | %llu | %.2f | %.0f |\n",
		(double)c_move / 250.0, (unsigned long long)c_move, 2.0 * MIB / (double)c_move,
		2.0 * MIB / (double)c_move * 250.0);
	fprintf(f, "| SETUPMAPPING 2 MiB after REMOVEMAPPING: from the SSD again: the page cache does not keep window pages on the card (%.0f µs) | %llu | %.2f | %.0f |\n",
		(double)c_map_again / 250.0, (unsigned long long)c_map_again, 2.0 * MIB / (double)c_map_again,
		2.0 * MIB / (double)c_map_again * 250.0);
	fclose(f);
	printf("dax_rtl_test: bench written to %s\n", path);
}

int main(int argc, char **argv)
{
	struct sim_card card;
	struct nvme_dev *ssd;
	char err[256];
	unsigned steps = 120;
	const char *bench_path = NULL;
	int ret;

	if (argc < 4) {
		fprintf(stderr, "usage: dax_rtl_test CARD.elf IMAGE OUTDIR [--steps N] [--seed S] [--bench FILE]\n");
		return 2;
	}
	rng_state = 1;
	for (int i = 4; i < argc; i++) {
		if (!strcmp(argv[i], "--steps") && i + 1 < argc)
			steps = (unsigned)strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			rng_state = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--bench") && i + 1 < argc)
			bench_path = argv[++i];
		else {
			fprintf(stderr, "dax_rtl_test: unknown argument %s\n", argv[i]);
			return 2;
		}
	}
	if (sim_card_open(&card, &drv, argv[1], argv[2], getenv("DAX_CONSOLE") ? stderr : NULL, err, sizeof(err))) {
		fprintf(stderr, "dax_rtl_test: %s\n", err);
		return 2;
	}
	tr = card.tr;
	rc = card.rc;
	ssd = card.ssd;
	CHECK(drv.have_shm, "shared-memory capability present");
	win_size = drv.shm.length64;
	bar2 = sim_card_window(&card, &drv);
	CHECK(bar2 != 0 && win_size == 1ull << 30, "window: BAR2 at 0x%llx, %llu MiB", (unsigned long long)bar2,
	      (unsigned long long)(win_size >> 20));
	ret = start_device();
	CHECK(ret == 0, "device start and INIT: %d", ret);
	if (ret == 0) {
		uint64_t c0 = rc_cycles(rc);

		test_directed(argv[3]);
		printf("dax_rtl_test: directed part %llu cycles\n", (unsigned long long)(rc_cycles(rc) - c0));
		c0 = rc_cycles(rc);
		test_random(argv[3], steps);
		printf("dax_rtl_test: %u random steps %llu cycles\n", steps, (unsigned long long)(rc_cycles(rc) - c0));
		if (bench_path) {
			uint64_t nb, fb;
			static uint8_t two[2 * MIB];

			CHECK(create("bench", &nb, &fb) == 0, "CREATE bench");
			pattern(two, sizeof(two), 5);
			CHECK(fwrite_at(nb, fb, 0, two, sizeof(two)) == 0 && fsync_fh(nb, fb) == 0, "bench file");
			bench(bench_path, nb, fb);
		}
		CHECK(fuse(FUSE_DESTROY, 0, NULL, 0, NULL, 0, 0) >= 0, "DESTROY");
	}
	vfsdrv_stop(&drv);
	printf("dax_rtl_test: %llu cycles\n", (unsigned long long)rc_cycles(rc));
	nvme_dev_detach(ssd);	/* the image is written back */
	tr->ops->close(tr);
	printf("%d passed, %d failed\n", passed, failed);
	return failed || !passed ? 1 : 0;	/* no check run is no pass */
}
