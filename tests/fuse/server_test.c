/*
 * The FUSE server (firmware/fuse) over ext4 on a fresh mke2fs image, request
 * by request as a virtio-fs guest would send them, then malformed and forged
 * requests, then POSIX locks (conflicts, merging and splitting, SETLKW waits
 * with grants, interrupts and deadlocks, release, table limits) and
 * COPY_FILE_RANGE. The image is checked afterwards with e2fsck -fn and debugfs by
 * the runner. Runs under ASan and UBSan.
 *
 * usage: server_test IMAGE
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "blockdev_file.h"
#include "check.h"
#include "fuse_req.h"
#include "fuse_server.h"
#include "fuse_wire.h"
#include "vfs.h"

static int passed, failed;
static struct fuse_server srv;
static uint8_t req[400 * 1024], rep[400 * 1024];
static uint64_t unique = 1;

/* Builds a request: header, fixed args, then up to two names, then data. */
static size_t build(uint32_t op, uint64_t nodeid, const void *args, size_t alen, const char *n1,
		    const char *n2, const void *data, size_t dlen)
{
	return fuse_req_build(req, sizeof(req), &(struct fuse_req){
		.opcode = op, .unique = unique++, .nodeid = nodeid, .uid = 1000, .gid = 1000,
		.args = args, .args_len = alen, .name = n1, .name2 = n2, .data = data, .data_len = dlen });
}

/* Sends the built request; returns the reply's error (0 or -errno), the body in *body. */
static int call(size_t len, const void **body, size_t *blen)
{
	long n = fuse_dispatch(&srv, req, len, rep, sizeof(rep));
	struct fuse_out_header o;

	if (n < (long)sizeof(o))
		return n == 0 ? 0 : -1000;
	memcpy(&o, rep, sizeof(o));
	if (o.len != (uint32_t)n)
		return -1001;
	if (body)
		*body = rep + sizeof(o);
	if (blen)
		*blen = (size_t)n - sizeof(o);
	return o.error;
}

static int lookup(uint64_t dir, const char *name, struct fuse_entry_out *e)
{
	const void *b;
	size_t bl;
	int err = call(build(FUSE_LOOKUP, dir, NULL, 0, name, NULL, NULL, 0), &b, &bl);

	if (!err && e)
		memcpy(e, b, sizeof(*e));
	return err;
}

/* ------------------------------------------------ POSIX locks, COPY_FILE_RANGE */

#define DEFERRED 1		/* lk(): the server deferred the request */
#define NONE_READY 1		/* pending(): no deferred reply is ready */
#define OFF_MAX FUSE_OFFSET_MAX

static uint64_t last_unique;	/* unique of the request built last */

static int init_with(uint32_t flags, uint32_t *flags_out)
{
	struct fuse_init_in ii = { .major = 7, .minor = 38, .max_readahead = 131072, .flags = flags };
	struct fuse_init_out io;
	const void *b;
	size_t bl;
	int err = call(build(FUSE_INIT, 0, &ii, sizeof(ii), NULL, NULL, NULL, 0), &b, &bl);

	memcpy(&io, b, sizeof(io));
	*flags_out = io.flags;
	return err;
}

/* GETLK/SETLK/SETLKW; owner n locks with pid 100 + n. DEFERRED when deferred. */
static int lkf(uint32_t op, uint64_t nodeid, uint64_t fh, uint64_t owner, uint32_t type, uint64_t start,
	       uint64_t end, uint32_t lk_flags, struct fuse_lk_out *out)
{
	struct fuse_lk_in li = { .fh = fh, .owner = owner, .lk_flags = lk_flags,
				 .lk = { .start = start, .end = end, .type = type, .pid = 100 + (uint32_t)owner } };
	size_t len = build(op, nodeid, &li, sizeof(li), NULL, NULL, NULL, 0);
	long n;
	struct fuse_out_header o;

	last_unique = unique - 1;
	n = fuse_dispatch(&srv, req, len, rep, sizeof(rep));
	if (n == FUSE_SRV_DEFERRED)
		return DEFERRED;
	if (n < (long)sizeof(o))
		return -1000;
	memcpy(&o, rep, sizeof(o));
	if (o.len != (uint32_t)n || o.unique != last_unique)
		return -1001;
	if (out) {
		memset(out, 0xee, sizeof(*out));
		if (!o.error && n == (long)(sizeof(o) + sizeof(*out)))
			memcpy(out, rep + sizeof(o), sizeof(*out));
	}
	return o.error;
}

static int lk(uint32_t op, uint64_t nodeid, uint64_t fh, uint64_t owner, uint32_t type, uint64_t start,
	      uint64_t end)
{
	return lkf(op, nodeid, fh, owner, type, start, end, 0, NULL);
}

/* The next deferred reply: its error (its unique in *u), NONE_READY when none. */
static int pending(uint64_t *u)
{
	struct fuse_out_header o;
	long n = fuse_server_pending_reply(&srv, u, rep, sizeof(rep));

	if (n == 0)
		return NONE_READY;
	if (n != (long)sizeof(o))
		return -1002;
	memcpy(&o, rep, sizeof(o));
	if (o.len != sizeof(o) || o.unique != *u)
		return -1003;
	return o.error;
}

/* Locks held by owner (any node). */
static int nlocks(uint64_t owner)
{
	int n = 0;

	for (unsigned i = 0; i < FUSE_SRV_MAX_LOCKS; i++)
		n += srv.locks[i].node >= 0 && srv.locks[i].owner == owner;
	return n;
}

static int has_lock(uint64_t owner, uint32_t type, uint64_t start, uint64_t end)
{
	for (unsigned i = 0; i < FUSE_SRV_MAX_LOCKS; i++)
		if (srv.locks[i].node >= 0 && srv.locks[i].owner == owner && srv.locks[i].type == type &&
		    srv.locks[i].start == start && srv.locks[i].end == end)
			return 1;
	return 0;
}

static int create_file(const char *name, uint32_t flags, uint64_t *nodeid, uint64_t *fh)
{
	struct fuse_create_in ci = { .flags = flags, .mode = S_IFREG | 0644, .umask = 022 };
	struct {
		struct fuse_entry_out e;
		struct fuse_open_out o;
	} cr;
	const void *b;
	size_t bl;
	int err = call(build(FUSE_CREATE, FUSE_ROOT_ID, &ci, sizeof(ci), name, NULL, NULL, 0), &b, &bl);

	if (err)
		return err;
	memcpy(&cr, b, sizeof(cr));
	*nodeid = cr.e.nodeid;
	*fh = cr.o.fh;
	return 0;
}

static int open_file(uint64_t nodeid, uint32_t flags, uint64_t *fh)
{
	struct fuse_open_in oi = { .flags = flags };
	struct fuse_open_out oo;
	const void *b;
	size_t bl;
	int err = call(build(FUSE_OPEN, nodeid, &oi, sizeof(oi), NULL, NULL, NULL, 0), &b, &bl);

	if (!err) {
		memcpy(&oo, b, sizeof(oo));
		*fh = oo.fh;
	}
	return err;
}

static int release(uint64_t nodeid, uint64_t fh, uint32_t release_flags, uint64_t lock_owner)
{
	struct fuse_release_in rl = { .fh = fh, .release_flags = release_flags, .lock_owner = lock_owner };

	return call(build(FUSE_RELEASE, nodeid, &rl, sizeof(rl), NULL, NULL, NULL, 0), NULL, NULL);
}

static int flush(uint64_t nodeid, uint64_t fh, uint64_t lock_owner)
{
	struct fuse_flush_in fl = { .fh = fh, .lock_owner = lock_owner };

	return call(build(FUSE_FLUSH, nodeid, &fl, sizeof(fl), NULL, NULL, NULL, 0), NULL, NULL);
}

static void send_interrupt(uint64_t which)
{
	struct fuse_interrupt_in ii = { .unique = which };
	size_t len = build(FUSE_INTERRUPT, 0, &ii, sizeof(ii), NULL, NULL, NULL, 0);

	CHECK(fuse_dispatch(&srv, req, len, rep, sizeof(rep)) == 0, "INTERRUPT takes no reply");
}

static int write_at(uint64_t nodeid, uint64_t fh, uint64_t off, const void *data, size_t n)
{
	struct fuse_write_in wi = { .fh = fh, .offset = off, .size = (uint32_t)n };

	return call(build(FUSE_WRITE, nodeid, &wi, sizeof(wi), NULL, NULL, data, n), NULL, NULL);
}

/* Reads n bytes at off into buf; returns the error, the count in *got. */
static int read_at(uint64_t nodeid, uint64_t fh, uint64_t off, void *buf, size_t n, size_t *got)
{
	struct fuse_read_in ri = { .fh = fh, .offset = off, .size = (uint32_t)n };
	const void *b;
	size_t bl;
	int err = call(build(FUSE_READ, nodeid, &ri, sizeof(ri), NULL, NULL, NULL, 0), &b, &bl);

	*got = err ? 0 : bl;
	if (!err)
		memcpy(buf, b, bl);
	return err;
}

/* COPY_FILE_RANGE; the byte count in *copied. */
static int copy_range(uint64_t node_in, uint64_t fh_in, uint64_t off_in, uint64_t node_out, uint64_t fh_out,
		      uint64_t off_out, uint64_t len, uint64_t flags, uint32_t *copied)
{
	struct fuse_copy_file_range_in ci = { .fh_in = fh_in, .off_in = off_in, .nodeid_out = node_out,
					      .fh_out = fh_out, .off_out = off_out, .len = len, .flags = flags };
	struct fuse_write_out wo;
	const void *b;
	size_t bl;
	int err = call(build(FUSE_COPY_FILE_RANGE, node_in, &ci, sizeof(ci), NULL, NULL, NULL, 0), &b, &bl);

	*copied = 0xdeadbeef;
	if (!err && bl == sizeof(wo)) {
		memcpy(&wo, b, sizeof(wo));
		*copied = wo.size;
	}
	return err;
}

static void test_init_flags(void)
{
	uint32_t fl;

	CHECK(init_with(FUSE_ASYNC_READ | FUSE_MAX_PAGES, &fl) == 0 && !(fl & FUSE_POSIX_LOCKS) &&
	      !(fl & FUSE_FLOCK_LOCKS), "INIT without FUSE_POSIX_LOCKS offered: not advertised (flags %#x)", fl);
	CHECK(init_with(FUSE_ASYNC_READ | FUSE_MAX_PAGES | FUSE_POSIX_LOCKS | FUSE_FLOCK_LOCKS, &fl) == 0 &&
	      (fl & FUSE_POSIX_LOCKS) && !(fl & FUSE_FLOCK_LOCKS),
	      "INIT with FUSE_POSIX_LOCKS offered: advertised, flock locks not (flags %#x)", fl);
	/* O_DIRECT reads and writes of one handle several at a time (libaio at
	 * depth): agreed when the guest offers it, never pressed on one that
	 * does not. */
	CHECK(init_with(FUSE_ASYNC_READ | FUSE_MAX_PAGES | FUSE_ASYNC_DIO, &fl) == 0 && (fl & FUSE_ASYNC_DIO) &&
	      (fl & FUSE_ASYNC_READ), "INIT with FUSE_ASYNC_DIO offered: advertised (flags %#x)", fl);
	CHECK(init_with(FUSE_ASYNC_READ | FUSE_MAX_PAGES, &fl) == 0 && !(fl & FUSE_ASYNC_DIO),
	      "INIT without FUSE_ASYNC_DIO offered: not advertised (flags %#x)", fl);
	CHECK(init_with(FUSE_ASYNC_DIO, &fl) == 0 && fl == FUSE_ASYNC_DIO,
	      "INIT offering FUSE_ASYNC_DIO alone: that flag alone back (flags %#x)", fl);
}

/* One owner's locks merge, split and convert; other owners see them through GETLK. */
static void test_lock_shapes(uint64_t f, uint64_t fh)
{
	enum { A = 1, B = 2 };
	struct fuse_lk_out lo;

	CHECK(lk(FUSE_SETLK, f, fh, A, FUSE_F_RDLCK, 0, 9) == 0 && lk(FUSE_SETLK, f, fh, A, FUSE_F_RDLCK, 20, 29) == 0 &&
	      nlocks(A) == 2, "two separate read locks: two entries (%d)", nlocks(A));
	CHECK(lk(FUSE_SETLK, f, fh, A, FUSE_F_RDLCK, 10, 19) == 0 && nlocks(A) == 1 &&
	      has_lock(A, FUSE_F_RDLCK, 0, 29), "the lock between them merges all three into [0,29]");
	CHECK(lk(FUSE_SETLK, f, fh, A, FUSE_F_RDLCK, 30, 39) == 0 && nlocks(A) == 1 &&
	      has_lock(A, FUSE_F_RDLCK, 0, 39), "an adjacent lock of the same type merges: [0,39]");
	CHECK(lk(FUSE_SETLK, f, fh, A, FUSE_F_WRLCK, 10, 14) == 0 && nlocks(A) == 3 &&
	      has_lock(A, FUSE_F_RDLCK, 0, 9) && has_lock(A, FUSE_F_WRLCK, 10, 14) && has_lock(A, FUSE_F_RDLCK, 15, 39),
	      "converting the middle to a write lock splits the read lock around it");
	CHECK(lk(FUSE_SETLK, f, fh, A, FUSE_F_UNLCK, 12, 12) == 0 && nlocks(A) == 4 &&
	      has_lock(A, FUSE_F_WRLCK, 10, 11) && has_lock(A, FUSE_F_WRLCK, 13, 14),
	      "unlocking one byte of the write lock splits it");
	CHECK(lk(FUSE_SETLK, f, fh, A, FUSE_F_WRLCK, 5, 20) == 0 && nlocks(A) == 3 &&
	      has_lock(A, FUSE_F_RDLCK, 0, 4) && has_lock(A, FUSE_F_WRLCK, 5, 20) && has_lock(A, FUSE_F_RDLCK, 21, 39),
	      "a write lock over both write pieces and parts of both read locks: [0,4] r, [5,20] w, [21,39] r");
	CHECK(lkf(FUSE_GETLK, f, fh, B, FUSE_F_RDLCK, 18, 30, 0, &lo) == 0 && lo.lk.type == FUSE_F_WRLCK &&
	      lo.lk.start == 5 && lo.lk.end == 20 && lo.lk.pid == 100 + A,
	      "GETLK (read, [18,30]) by another owner: the write lock [5,20] of pid %u", 100 + A);
	CHECK(lkf(FUSE_GETLK, f, fh, B, FUSE_F_RDLCK, 21, 100, 0, &lo) == 0 && lo.lk.type == FUSE_F_UNLCK,
	      "GETLK (read) over read locks only: F_UNLCK");
	CHECK(lkf(FUSE_GETLK, f, fh, B, FUSE_F_WRLCK, 30, OFF_MAX, 0, &lo) == 0 && lo.lk.type == FUSE_F_RDLCK &&
	      lo.lk.start == 21 && lo.lk.end == 39, "GETLK (write, [30,EOF]): the read lock [21,39]");
	CHECK(lkf(FUSE_GETLK, f, fh, A, FUSE_F_WRLCK, 0, OFF_MAX, 0, &lo) == 0 && lo.lk.type == FUSE_F_UNLCK,
	      "GETLK by the owner itself: its own locks never conflict");
	CHECK(lk(FUSE_SETLK, f, fh, A, FUSE_F_RDLCK, 0, OFF_MAX) == 0 && nlocks(A) == 1 &&
	      has_lock(A, FUSE_F_RDLCK, 0, OFF_MAX), "read lock to EOF over everything: one entry [0,EOF]");
	CHECK(lk(FUSE_SETLK, f, fh, A, FUSE_F_UNLCK, 100, OFF_MAX) == 0 && has_lock(A, FUSE_F_RDLCK, 0, 99) &&
	      nlocks(A) == 1, "unlock [100,EOF]: [0,99] stays");
	CHECK(lk(FUSE_SETLK, f, fh, A, FUSE_F_UNLCK, 0, OFF_MAX) == 0 && nlocks(A) == 0, "unlock all");
	CHECK(lk(FUSE_SETLK, f, fh, A, FUSE_F_UNLCK, 0, OFF_MAX) == 0, "unlock with nothing held: 0");
}

/* Conflicts between owners, access modes, malformed and forged requests. */
static void test_lock_conflicts(uint64_t f, uint64_t fh1, uint64_t fh2, uint64_t fhr, uint64_t fhw, uint64_t g,
				uint64_t gfh, uint64_t dirfh)
{
	enum { A = 1, B = 2, C = 3 };
	struct fuse_lk_out lo;

	CHECK(lk(FUSE_SETLK, f, fh1, A, FUSE_F_WRLCK, 0, 99) == 0, "A: write lock [0,99]");
	CHECK(lk(FUSE_SETLK, f, fh2, B, FUSE_F_RDLCK, 50, 60) == -11, "B: read lock inside A's write lock: EAGAIN");
	CHECK(lk(FUSE_SETLK, f, fh2, B, FUSE_F_WRLCK, 99, 99) == -11, "B: write lock on A's last byte: EAGAIN");
	CHECK(nlocks(B) == 0, "B holds nothing after the refusals");
	CHECK(lk(FUSE_SETLK, f, fh2, B, FUSE_F_RDLCK, 100, OFF_MAX) == 0, "B: read lock [100,EOF] next to A's: 0");
	CHECK(lk(FUSE_SETLK, f, fh2, C, FUSE_F_RDLCK, 200, 300) == 0, "C: read lock inside B's read lock: shared");
	CHECK(lk(FUSE_SETLK, f, fh2, C, FUSE_F_WRLCK, 200, 300) == -11 && has_lock(C, FUSE_F_RDLCK, 200, 300),
	      "C: upgrade to a write lock against B's read lock: EAGAIN, C keeps its read lock");
	CHECK(lk(FUSE_SETLK, f, fh1, A, FUSE_F_WRLCK, 1000, 1000) == -11, "A: write lock inside B's read lock: EAGAIN");
	CHECK(lkf(FUSE_GETLK, f, fh2, B, FUSE_F_WRLCK, 0, 0, 0, &lo) == 0 && lo.lk.type == FUSE_F_WRLCK &&
	      lo.lk.start == 0 && lo.lk.end == 99 && lo.lk.pid == 100 + A, "GETLK by B at 0: A's write lock");
	CHECK(lkf(FUSE_GETLK, f, fh1, A, FUSE_F_WRLCK, 150, 150, 0, &lo) == 0 && lo.lk.type == FUSE_F_RDLCK &&
	      lo.lk.start == 100 && lo.lk.end == OFF_MAX && lo.lk.pid == 100 + B, "GETLK by A at 150: B's read lock");
	CHECK(lkf(FUSE_GETLK, f, fh1, A, FUSE_F_RDLCK, 150, 150, 0, &lo) == 0 && lo.lk.type == FUSE_F_UNLCK,
	      "GETLK for a read lock against read locks: F_UNLCK");
	CHECK(lkf(FUSE_GETLK, g, gfh, B, FUSE_F_WRLCK, 0, OFF_MAX, 0, &lo) == 0 && lo.lk.type == FUSE_F_UNLCK,
	      "locks are per file: the other file is free");

	/* access modes */
	CHECK(lk(FUSE_SETLK, f, fhr, B, FUSE_F_WRLCK, 5000, 5000) == -9, "write lock through a read-only handle: EBADF");
	CHECK(lk(FUSE_SETLK, f, fhw, B, FUSE_F_RDLCK, 5000, 5000) == -9, "read lock through a write-only handle: EBADF");
	CHECK(lk(FUSE_SETLK, f, fhr, B, FUSE_F_RDLCK, 5000, 5000) == 0 && lk(FUSE_SETLK, f, fhw, B, FUSE_F_WRLCK, 6000, 6000) == 0,
	      "read lock through a read-only handle, write lock through a write-only one");
	CHECK(has_lock(B, FUSE_F_RDLCK, 100, 5999) && has_lock(B, FUSE_F_WRLCK, 6000, 6000) &&
	      has_lock(B, FUSE_F_RDLCK, 6001, OFF_MAX) && nlocks(B) == 3, "B's read lock to EOF split around its write lock");
	CHECK(lkf(FUSE_GETLK, f, fhr, A, FUSE_F_WRLCK, 6000, 6000, 0, &lo) == 0 && lo.lk.type == FUSE_F_WRLCK &&
	      lo.lk.start == 6000 && lo.lk.end == 6000, "GETLK for a write lock through a read-only handle is allowed");

	/* malformed and forged */
	CHECK(lk(FUSE_SETLK, f, fh1, A, FUSE_F_RDLCK, 10, 9) == -22, "start past end: EINVAL");
	CHECK(lk(FUSE_SETLK, f, fh1, A, FUSE_F_RDLCK, 10, OFF_MAX + 1) == -22, "end past OFFSET_MAX: EINVAL");
	CHECK(lk(FUSE_SETLK, f, fh1, A, 7, 0, 1) == -22, "lock type 7: EINVAL");
	CHECK(lk(FUSE_GETLK, f, fh1, A, FUSE_F_UNLCK, 0, 1) == -22, "GETLK of F_UNLCK: EINVAL");
	CHECK(lkf(FUSE_SETLK, f, fh1, A, FUSE_F_WRLCK, 0, OFF_MAX, FUSE_LK_FLOCK, NULL) == -38,
	      "flock(2) request (FUSE_LK_FLOCK): ENOSYS");
	CHECK(lk(FUSE_SETLK, f, fh1 + (1ull << 32), A, FUSE_F_RDLCK, 0, 1) == -9, "handle with a wrong generation: EBADF");
	CHECK(lk(FUSE_SETLK, f, 0x7fffffffull, A, FUSE_F_RDLCK, 0, 1) == -9, "handle index out of range: EBADF");
	CHECK(lk(FUSE_SETLK, f, gfh, A, FUSE_F_RDLCK, 0, 1) == -9, "another file's handle: EBADF");
	CHECK(lk(FUSE_SETLKW, f, gfh, A, FUSE_F_WRLCK, 0, 1) == -9, "SETLKW with another file's handle: EBADF");
	CHECK(lk(FUSE_GETLK, f, gfh, A, FUSE_F_WRLCK, 0, 1) == -9, "GETLK with another file's handle: EBADF");
	CHECK(lk(FUSE_SETLK, FUSE_ROOT_ID, dirfh, A, FUSE_F_RDLCK, 0, 1) == -9, "directory handle: EBADF");
	CHECK(lk(FUSE_SETLK, f + (1ull << 32), fh1, A, FUSE_F_RDLCK, 0, 1) == -116, "stale node ID: ESTALE");
	{
		struct fuse_lk_in li = { .fh = fh1 };

		CHECK(call(build(FUSE_SETLK, f, &li, sizeof(li) - 1, NULL, NULL, NULL, 0), NULL, NULL) == -22,
		      "truncated fuse_lk_in: EINVAL");
	}
	CHECK(nlocks(A) == 1 && has_lock(A, FUSE_F_WRLCK, 0, 99), "A's locks unchanged by the refused requests");

	CHECK(lk(FUSE_SETLK, f, fh1, A, FUSE_F_UNLCK, 0, OFF_MAX) == 0 && lk(FUSE_SETLK, f, fh2, B, FUSE_F_UNLCK, 0, OFF_MAX) == 0 &&
	      lk(FUSE_SETLK, f, fh2, C, FUSE_F_UNLCK, 0, OFF_MAX) == 0 && nlocks(A) + nlocks(B) + nlocks(C) == 0,
	      "everything unlocked");
}

/* SETLKW: deferral, grants in arrival order, interrupts, deadlocks. */
static void test_lock_wait(uint64_t f, uint64_t fh)
{
	enum { A = 1, B = 2, C = 3, D = 4, E = 5, F = 6 };
	uint64_t u, u1, u2, u3, u4;

	CHECK(lk(FUSE_SETLK, f, fh, A, FUSE_F_WRLCK, 0, 99) == 0, "A: write lock [0,99]");
	CHECK(lk(FUSE_SETLKW, f, fh, B, FUSE_F_WRLCK, 50, 50) == DEFERRED, "B: SETLKW inside it is deferred");
	u1 = last_unique;
	CHECK(pending(&u) == NONE_READY, "no reply ready while A holds the lock");
	CHECK(lk(FUSE_SETLKW, f, fh, C, FUSE_F_RDLCK, 200, 300) == 0, "a SETLKW without conflict is answered at once");
	CHECK(lk(FUSE_SETLK, f, fh, A, FUSE_F_UNLCK, 0, 49) == 0 && pending(&u) == NONE_READY,
	      "A unlocks [0,49]: B still waits for byte 50");
	CHECK(lk(FUSE_SETLK, f, fh, A, FUSE_F_UNLCK, 50, 99) == 0, "A unlocks [50,99]");
	CHECK(pending(&u) == 0 && u == u1, "B's SETLKW answered 0 (unique %llu)", (unsigned long long)u);
	CHECK(has_lock(B, FUSE_F_WRLCK, 50, 50), "B holds the write lock it waited for");
	CHECK(pending(&u) == NONE_READY, "one reply only");

	/* arrival order: D (read) and E (write) both wait for B */
	CHECK(lk(FUSE_SETLKW, f, fh, D, FUSE_F_RDLCK, 50, 50) == DEFERRED, "D: SETLKW read lock waits for B");
	u2 = last_unique;
	CHECK(lk(FUSE_SETLKW, f, fh, E, FUSE_F_WRLCK, 40, 60) == DEFERRED, "E: SETLKW write lock waits for B");
	u3 = last_unique;
	CHECK(lk(FUSE_SETLK, f, fh, B, FUSE_F_UNLCK, 50, 50) == 0, "B unlocks");
	CHECK(pending(&u) == 0 && u == u2 && pending(&u) == NONE_READY && has_lock(D, FUSE_F_RDLCK, 50, 50) &&
	      nlocks(E) == 0, "D (first to arrive) granted; E now waits for D");
	CHECK(lk(FUSE_SETLK, f, fh, D, FUSE_F_UNLCK, 0, OFF_MAX) == 0 && pending(&u) == 0 && u == u3 &&
	      has_lock(E, FUSE_F_WRLCK, 40, 60), "D unlocks: E granted");

	/* interrupt */
	CHECK(lk(FUSE_SETLKW, f, fh, F, FUSE_F_RDLCK, 45, 45) == DEFERRED, "F: SETLKW waits for E");
	u4 = last_unique;
	send_interrupt(u4 + 1000);
	CHECK(pending(&u) == NONE_READY, "INTERRUPT of an unknown request: nothing");
	send_interrupt(u4);
	CHECK(pending(&u) == -4 && u == u4, "INTERRUPT of the waiting SETLKW: answered EINTR");
	CHECK(lk(FUSE_SETLK, f, fh, E, FUSE_F_UNLCK, 0, OFF_MAX) == 0 && pending(&u) == NONE_READY && nlocks(F) == 0,
	      "after E unlocks, the interrupted F gets nothing");
	CHECK(lk(FUSE_SETLK, f, fh, C, FUSE_F_UNLCK, 0, OFF_MAX) == 0, "C unlocks");

	/* a downgrade frees a reader */
	CHECK(lk(FUSE_SETLK, f, fh, A, FUSE_F_WRLCK, 0, 9) == 0 && lk(FUSE_SETLKW, f, fh, B, FUSE_F_RDLCK, 5, 5) == DEFERRED,
	      "B waits to read under A's write lock");
	u1 = last_unique;
	CHECK(lk(FUSE_SETLK, f, fh, A, FUSE_F_RDLCK, 0, 9) == 0 && pending(&u) == 0 && u == u1 &&
	      has_lock(B, FUSE_F_RDLCK, 5, 5), "A downgrades to a read lock: B granted");
	CHECK(lk(FUSE_SETLK, f, fh, A, FUSE_F_UNLCK, 0, OFF_MAX) == 0 && lk(FUSE_SETLK, f, fh, B, FUSE_F_UNLCK, 0, OFF_MAX) == 0,
	      "unlocked");

	/* deadlocks: direct and through a chain */
	CHECK(lk(FUSE_SETLK, f, fh, A, FUSE_F_WRLCK, 0, 0) == 0 && lk(FUSE_SETLK, f, fh, B, FUSE_F_WRLCK, 1, 1) == 0 &&
	      lk(FUSE_SETLK, f, fh, C, FUSE_F_WRLCK, 2, 2) == 0, "A, B, C each hold one byte");
	CHECK(lk(FUSE_SETLKW, f, fh, A, FUSE_F_WRLCK, 1, 1) == DEFERRED, "A waits for B");
	u1 = last_unique;
	CHECK(lk(FUSE_SETLKW, f, fh, B, FUSE_F_WRLCK, 0, 0) == -35, "B waiting for A (who waits for B): EDEADLK");
	CHECK(lk(FUSE_SETLKW, f, fh, B, FUSE_F_WRLCK, 2, 2) == DEFERRED, "B waits for C (no cycle)");
	u2 = last_unique;
	CHECK(lk(FUSE_SETLKW, f, fh, C, FUSE_F_RDLCK, 0, 5) == -35, "C waiting for A -> B -> C: EDEADLK");
	CHECK(lk(FUSE_SETLKW, f, fh, D, FUSE_F_RDLCK, 0, 5) == DEFERRED, "D waiting on all three: no cycle, deferred");
	u3 = last_unique;
	CHECK(pending(&u) == NONE_READY, "nothing answered yet");
	CHECK(lk(FUSE_SETLK, f, fh, C, FUSE_F_UNLCK, 0, OFF_MAX) == 0, "C unlocks");
	CHECK(pending(&u) == 0 && u == u2 && has_lock(B, FUSE_F_WRLCK, 1, 2), "B granted byte 2 (merged with 1)");
	CHECK(pending(&u) == NONE_READY, "A still waits for B, D for everyone");
	send_interrupt(u1);
	CHECK(pending(&u) == -4 && u == u1, "A's wait interrupted");
	CHECK(lk(FUSE_SETLK, f, fh, A, FUSE_F_UNLCK, 0, OFF_MAX) == 0 && pending(&u) == NONE_READY, "A unlocks: D still waits for B");
	CHECK(lk(FUSE_SETLK, f, fh, B, FUSE_F_UNLCK, 0, OFF_MAX) == 0 && pending(&u) == 0 && u == u3 &&
	      has_lock(D, FUSE_F_RDLCK, 0, 5), "B unlocks: D granted");
	CHECK(lk(FUSE_SETLK, f, fh, D, FUSE_F_UNLCK, 0, OFF_MAX) == 0, "D unlocks");
}

/* FLUSH and RELEASE drop locks; the last handle's RELEASE drops them all. */
static void test_lock_release(uint64_t f, uint64_t fh1, uint64_t fh2)
{
	enum { A = 1, B = 2, C = 3 };
	uint64_t u, u1, fh3;

	CHECK(lk(FUSE_SETLK, f, fh1, A, FUSE_F_WRLCK, 0, 9) == 0 && lk(FUSE_SETLK, f, fh1, A, FUSE_F_RDLCK, 20, 29) == 0 &&
	      lk(FUSE_SETLK, f, fh2, B, FUSE_F_RDLCK, 20, 29) == 0, "A and B hold locks");
	CHECK(lk(FUSE_SETLKW, f, fh2, C, FUSE_F_WRLCK, 5, 5) == DEFERRED, "C waits for A");
	u1 = last_unique;
	CHECK(flush(f, fh1 + (1ull << 32), A) == -9 && nlocks(A) == 2, "FLUSH with a forged handle: EBADF, nothing dropped");
	{
		struct fuse_flush_in fl = { .fh = fh1 };

		CHECK(call(build(FUSE_FLUSH, f, &fl, 8, NULL, NULL, NULL, 0), NULL, NULL) == -22, "truncated FLUSH: EINVAL");
	}
	CHECK(flush(f, fh1, A) == 0 && nlocks(A) == 0 && nlocks(B) == 1, "FLUSH with A's lock_owner drops A's locks only");
	CHECK(pending(&u) == 0 && u == u1 && has_lock(C, FUSE_F_WRLCK, 5, 5), "the waiter C is granted by the FLUSH");
	CHECK(flush(f, fh2, 99) == 0 && nlocks(B) == 1 && nlocks(C) == 1, "FLUSH of an owner without locks drops nothing");

	CHECK(open_file(f, FUSE_O_RDWR, &fh3) == 0, "a third handle");
	CHECK(release(f, fh2, 0, B) == 0 && nlocks(B) == 1, "RELEASE without FUSE_RELEASE_FLOCK_UNLOCK keeps B's lock");
	CHECK(open_file(f, FUSE_O_RDWR, &fh2) == 0, "reopened");
	CHECK(release(f, fh2, FUSE_RELEASE_FLOCK_UNLOCK, B) == 0 && nlocks(B) == 0 && nlocks(C) == 1,
	      "RELEASE with FUSE_RELEASE_FLOCK_UNLOCK drops lock_owner B's locks only");
	CHECK(lk(FUSE_SETLKW, f, fh3, A, FUSE_F_RDLCK, 5, 5) == DEFERRED, "A waits on handle 3 for C");
	u1 = last_unique;
	CHECK(release(f, fh3, 0, A) == 0 && pending(&u) == -9 && u == u1, "releasing the waiter's handle answers it EBADF");
	CHECK(nlocks(C) == 1, "C's lock stays while handle 1 is open");
	CHECK(release(f, fh1, 0, A) == 0 && nlocks(C) == 0, "the node's last handle closed: every lock on it goes");
}

/* Table limits: ENOLCK for locks and for waiters; DESTROY answers waiters EINTR. */
static void test_lock_limits(uint64_t f, uint64_t fh)
{
	enum { A = 1, X = 2 };
	uint64_t u, first;
	int ok = 1, n, eintr, err;

	for (unsigned i = 0; i < FUSE_SRV_MAX_LOCKS - 1; i++)
		ok &= lk(FUSE_SETLK, f, fh, A, FUSE_F_RDLCK, 2 * i, 2 * i) == 0;
	ok &= lk(FUSE_SETLK, f, fh, A, FUSE_F_RDLCK, 100000, 100010) == 0;
	CHECK(ok && nlocks(A) == FUSE_SRV_MAX_LOCKS, "lock table filled (%d)", nlocks(A));
	CHECK(lk(FUSE_SETLK, f, fh, X, FUSE_F_RDLCK, 200000, 200000) == -37, "another lock in a full table: ENOLCK");
	CHECK(lk(FUSE_SETLK, f, fh, A, FUSE_F_UNLCK, 100005, 100005) == -37 && has_lock(A, FUSE_F_RDLCK, 100000, 100010),
	      "an unlock that would split a lock in a full table: ENOLCK, the lock intact");
	CHECK(lk(FUSE_SETLK, f, fh, A, FUSE_F_WRLCK, 100003, 100004) == -37 && has_lock(A, FUSE_F_RDLCK, 100000, 100010),
	      "a conversion that needs two entries in a full table: ENOLCK, the lock intact");
	CHECK(lk(FUSE_SETLK, f, fh, A, FUSE_F_RDLCK, 1, 1) == 0 && nlocks(A) == FUSE_SRV_MAX_LOCKS - 1 &&
	      has_lock(A, FUSE_F_RDLCK, 0, 2), "a lock that merges two neighbours still fits: [0,2]");
	CHECK(lk(FUSE_SETLK, f, fh, A, FUSE_F_UNLCK, 100005, 100005) == 0 && has_lock(A, FUSE_F_RDLCK, 100000, 100004) &&
	      has_lock(A, FUSE_F_RDLCK, 100006, 100010), "with an entry free the split works");
	CHECK(lk(FUSE_SETLK, f, fh, A, FUSE_F_UNLCK, 0, OFF_MAX) == 0 && nlocks(A) == 0, "all unlocked in one request");

	CHECK(lk(FUSE_SETLK, f, fh, X, FUSE_F_WRLCK, 0, 0) == 0, "X holds byte 0");
	ok = 1;
	first = unique;
	for (unsigned i = 0; i < FUSE_SRV_MAX_WAITERS; i++)
		ok &= lk(FUSE_SETLKW, f, fh, 100 + i, FUSE_F_RDLCK, 0, 0) == DEFERRED;
	CHECK(ok, "%u waiters deferred", FUSE_SRV_MAX_WAITERS);
	CHECK(lk(FUSE_SETLKW, f, fh, 99, FUSE_F_RDLCK, 0, 0) == -37, "one more waiter: ENOLCK");
	CHECK(lk(FUSE_SETLK, f, fh, 98, FUSE_F_RDLCK, 0, 0) == -11, "SETLK meanwhile: EAGAIN");
	CHECK(call(build(FUSE_DESTROY, 0, NULL, 0, NULL, NULL, NULL, 0), NULL, NULL) == 0, "DESTROY with waiters");
	n = eintr = 0;
	while ((err = pending(&u)) != NONE_READY && n <= FUSE_SRV_MAX_WAITERS) {
		eintr += err == -4 && u == first + (uint64_t)n;	/* in arrival order */
		n++;
	}
	CHECK(n == FUSE_SRV_MAX_WAITERS && eintr == n, "DESTROY answers every waiter EINTR in order (%d of %d)", eintr, n);
	CHECK(nlocks(X) == 0 && fuse_server_handles(&srv) == 0, "no lock and no handle after DESTROY");
}

static void test_locks(void)
{
	uint64_t f, fh1, fh2, fhr, fhw, g, gfh, dirfh;
	uint32_t fl;

	test_init_flags();
	CHECK(create_file("locks.dat", FUSE_O_RDWR, &f, &fh1) == 0 && open_file(f, FUSE_O_RDWR, &fh2) == 0 &&
	      open_file(f, FUSE_O_RDONLY, &fhr) == 0 && open_file(f, FUSE_O_WRONLY, &fhw) == 0,
	      "locks.dat created, four handles");
	CHECK(create_file("other.dat", FUSE_O_RDWR, &g, &gfh) == 0, "other.dat created");
	{
		struct fuse_open_in oi = { 0 };
		const void *b;
		size_t bl;

		CHECK(call(build(FUSE_OPENDIR, FUSE_ROOT_ID, &oi, sizeof(oi), NULL, NULL, NULL, 0), &b, &bl) == 0, "OPENDIR");
		memcpy(&dirfh, b, sizeof(dirfh));
	}
	test_lock_shapes(f, fh1);
	test_lock_conflicts(f, fh1, fh2, fhr, fhw, g, gfh, dirfh);
	test_lock_wait(f, fh1);
	CHECK(release(f, fhr, 0, 0) == 0 && release(f, fhw, 0, 0) == 0, "read-only and write-only handles released");
	test_lock_release(f, fh1, fh2);
	CHECK(open_file(f, FUSE_O_RDWR, &fh1) == 0, "locks.dat reopened");
	test_lock_limits(f, fh1);
	CHECK(init_with(FUSE_POSIX_LOCKS, &fl) == 0, "INIT again after DESTROY");
}

/* COPY_FILE_RANGE between files and within one, limits and refusals. */
static void test_copy_file_range(void)
{
	static uint8_t pat[300 * 1024], buf[300 * 1024], model[300 * 1024];
	uint64_t s, sfh, d, dfh, dro, dap, swo;
	uint32_t n;
	size_t got;
	const size_t size = sizeof(pat);
	int ok = 1;

	for (size_t i = 0; i < size; i++)
		pat[i] = (uint8_t)(i * 131 + (i >> 9));
	CHECK(create_file("src.dat", FUSE_O_RDWR, &s, &sfh) == 0 && create_file("dst.dat", FUSE_O_RDWR, &d, &dfh) == 0,
	      "src.dat and dst.dat created");
	for (size_t off = 0; off < size; off += 100 * 1024)
		ok &= write_at(s, sfh, off, pat + off, size - off < 100 * 1024 ? size - off : 100 * 1024) == 0;
	CHECK(ok, "src.dat written (%zu bytes)", size);

	CHECK(copy_range(s, sfh, 1000, d, dfh, 0, 5000, 0, &n) == 0 && n == 5000, "copy 5000 bytes: %u", n);
	CHECK(read_at(d, dfh, 0, buf, 8192, &got) == 0 && got == 5000 && !memcmp(buf, pat + 1000, 5000),
	      "dst.dat holds src.dat[1000, 6000) (%zu bytes)", got);
	CHECK(copy_range(s, sfh, 0, d, dfh, 0, 1u << 20, 0, &n) == 0 && n == FUSE_SRV_MAX_WRITE,
	      "copy of 1 MiB: one request copies max_write (%u)", n);
	CHECK(read_at(d, dfh, 0, buf, FUSE_SRV_MAX_WRITE, &got) == 0 && got == FUSE_SRV_MAX_WRITE &&
	      !memcmp(buf, pat, FUSE_SRV_MAX_WRITE), "and the bytes agree");
	CHECK(copy_range(s, sfh, size - 10, d, dfh, 0, 100, 0, &n) == 0 && n == 10, "copy across the input's end: 10 (%u)", n);
	CHECK(copy_range(s, sfh, size, d, dfh, 0, 100, 0, &n) == 0 && n == 0, "copy at the input's end: 0");
	CHECK(copy_range(s, sfh, size + 5000, d, dfh, 0, 100, 0, &n) == 0 && n == 0, "copy past the input's end: 0");
	CHECK(copy_range(s, sfh, 0, d, dfh, 0, 0, 0, &n) == 0 && n == 0, "copy of 0 bytes: 0");
	CHECK(copy_range(s, sfh, 0, d, dfh, 1u << 20, 4096, 0, &n) == 0 && n == 4096, "copy past the output's end (a hole)");
	CHECK(read_at(d, dfh, (1u << 20) - 100, buf, 4196, &got) == 0 && got == 4196 && !buf[0] && !buf[99] &&
	      !memcmp(buf + 100, pat, 4096), "a hole, then the copied bytes");

	/* within one file, overlapping both ways, over several scratch chunks */
	memcpy(model, pat, size);
	memmove(model + 5000, model, 100000);
	CHECK(copy_range(s, sfh, 0, s, sfh, 5000, 100000, 0, &n) == 0 && n == 100000, "overlapping copy upwards: %u", n);
	CHECK(read_at(s, sfh, 0, buf, size, &got) == 0 && got == size && !memcmp(buf, model, size),
	      "upward overlap copied as memmove (back to front)");
	memmove(model + 1000, model + 21000, 70000);
	CHECK(copy_range(s, sfh, 21000, s, sfh, 1000, 70000, 0, &n) == 0 && n == 70000, "overlapping copy downwards: %u", n);
	CHECK(read_at(s, sfh, 0, buf, size, &got) == 0 && got == size && !memcmp(buf, model, size),
	      "downward overlap copied as memmove (front to back)");
	memmove(model + size - 100, model + size - 3000, 100);
	CHECK(copy_range(s, sfh, size - 3000, s, sfh, size - 100, 100000, 0, &n) == 0 && n == 3000,
	      "overlapping copy that grows the file: %u", n);
	CHECK(read_at(s, sfh, size - 3000, buf, 6000, &got) == 0 && got == 5900 &&
	      !memcmp(buf, model + size - 3000, 2900) && !memcmp(buf + 2900, pat + size - 3000, 3000),
	      "the file grew by 2900 bytes with the right tail");

	/* refusals */
	CHECK(open_file(d, FUSE_O_RDONLY, &dro) == 0 && open_file(d, FUSE_O_WRONLY | FUSE_O_APPEND, &dap) == 0 &&
	      open_file(s, FUSE_O_WRONLY, &swo) == 0, "read-only, append and write-only handles");
	CHECK(copy_range(s, swo, 0, d, dfh, 0, 10, 0, &n) == -9, "input handle open write-only: EBADF");
	CHECK(copy_range(s, sfh, 0, d, dro, 0, 10, 0, &n) == -9, "output handle open read-only: EBADF");
	CHECK(copy_range(s, sfh, 0, d, dap, 0, 10, 0, &n) == -9, "output handle open O_APPEND: EBADF");
	CHECK(copy_range(s, sfh + (1ull << 32), 0, d, dfh, 0, 10, 0, &n) == -9, "forged input handle: EBADF");
	CHECK(copy_range(s, sfh, 0, d, dfh + (1ull << 32), 0, 10, 0, &n) == -9, "forged output handle: EBADF");
	CHECK(copy_range(s, sfh, 0, d, sfh, 0, 10, 0, &n) == -9, "output handle of another node: EBADF");
	CHECK(copy_range(s, dfh, 0, d, dfh, 0, 10, 0, &n) == -9, "input handle of another node: EBADF");
	CHECK(copy_range(s, sfh, 0, d + (1ull << 32), dfh, 0, 10, 0, &n) == -116, "stale output node: ESTALE");
	CHECK(copy_range(s, sfh, 0, d, dfh, 0, 10, 1, &n) == -22, "flags: EINVAL");
	CHECK(copy_range(s, sfh, 1ull << 63, d, dfh, 0, 10, 0, &n) == -22, "negative input offset: EINVAL");
	CHECK(copy_range(s, sfh, 0, d, dfh, 1ull << 63, 10, 0, &n) == -22, "negative output offset: EINVAL");
	CHECK(copy_range(s, sfh, 0, d, dfh, 1ull << 60, 10, 0, &n) == -27, "output past the largest file: EFBIG");
	{
		struct fuse_copy_file_range_in ci = { .fh_in = sfh, .nodeid_out = d, .fh_out = dfh, .len = 10 };

		CHECK(call(build(FUSE_COPY_FILE_RANGE, s, &ci, sizeof(ci) - 1, NULL, NULL, NULL, 0), NULL, NULL) == -22,
		      "truncated fuse_copy_file_range_in: EINVAL");
	}
	CHECK(read_at(d, dfh, 0, buf, 10, &got) == 0 && got == 10 && !memcmp(buf, pat + size - 10, 10),
	      "the refused copies changed nothing");
	CHECK(release(d, dro, 0, 0) == 0 && release(d, dap, 0, 0) == 0 && release(s, swo, 0, 0) == 0 &&
	      release(s, sfh, 0, 0) == 0 && release(d, dfh, 0, 0) == 0, "handles released");
}

static void clock_now(uint64_t *s, uint32_t *ns)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	*s = (uint64_t)ts.tv_sec;
	*ns = (uint32_t)ts.tv_nsec;
}

/* WRITE leaves dirty page-cache frames (write-back), but not through an
 * O_DSYNC, O_SYNC or O_DIRECT handle: its bytes reach the device before
 * the answer, as when the cache wrote through. FLUSH says 0 while no
 * write-back failed. */
static void test_sync_handles(void)
{
	static const uint32_t flags[] = { 0, FUSE_O_DSYNC, 04000000u | FUSE_O_DSYNC /* O_SYNC */, FUSE_O_DIRECT };
	static uint8_t data[8192];
	struct vfs_pcache_stats st;
	uint64_t f, fh;

	for (unsigned i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 29 + 3);
	for (unsigned k = 0; k < sizeof(flags) / sizeof(flags[0]); k++) {
		char name[16];

		snprintf(name, sizeof(name), "sync%u.dat", k);
		CHECK(vfs_sync(srv.fs) == 0, "sync before %s", name);
		CHECK(create_file(name, FUSE_O_RDWR | flags[k], &f, &fh) == 0 && write_at(f, fh, 100, data, sizeof(data)) == 0,
		      "%s: created and written", name);
		vfs_pcache_get_stats(&st);
		CHECK(k ? st.dirty == 0 : st.dirty >= 2, "%s (flags %#x): %llu dirty frames after the WRITE", name,
		      flags[k], (unsigned long long)st.dirty);
		CHECK(flush(f, fh, 1) == 0 && release(f, fh, 0, 0) == 0, "%s: FLUSH and RELEASE", name);
	}
}

int main(int argc, char **argv)
{
	static struct blockdev_file bf;
	struct vfs *fs = NULL;
	const void *b;
	size_t bl;
	int err;
	struct fuse_entry_out e, dir, ln;
	uint64_t fh, dfh;

	if (argc != 2) {
		fprintf(stderr, "usage: server_test IMAGE\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	if (blockdev_file_open(&bf, argv[1], 0)) {
		fprintf(stderr, "cannot open %s\n", argv[1]);
		return 2;
	}
	vfs_set_clock(clock_now);
	if (vfs_mount(&fs, &bf.bd, 0)) {
		fprintf(stderr, "mount: %s\n", vfs_last_error(NULL));
		return 2;
	}
	fuse_server_init(&srv, fs);

	/* Before INIT, nothing but INIT. */
	CHECK(lookup(FUSE_ROOT_ID, "x", NULL) == -5, "request before INIT refused");
	{
		struct fuse_init_in ii = { .major = 7, .minor = 38, .max_readahead = 131072,
					   .flags = FUSE_ASYNC_READ | FUSE_MAX_PAGES | FUSE_DO_READDIRPLUS |
						    FUSE_SETXATTR_EXT };
		struct fuse_init_out io;

		err = call(build(FUSE_INIT, 0, &ii, sizeof(ii), NULL, NULL, NULL, 0), &b, &bl);
		memcpy(&io, b, sizeof(io));
		CHECK(!err && bl == sizeof(io) && io.major == 7 && io.minor == 38 && io.max_write >= 65536 &&
		      (io.flags & FUSE_MAX_PAGES), "INIT: err %d len %zu %u.%u max_write %u", err, bl, io.major,
		      io.minor, io.max_write);
	}
	CHECK(lookup(FUSE_ROOT_ID, "missing", NULL) == -2, "lookup of a missing name: ENOENT");

	/* create, write 100 KiB in three pieces, read back */
	{
		struct fuse_create_in ci = { .flags = 2 /* O_RDWR */, .mode = S_IFREG | 0644, .umask = 022 };
		struct {
			struct fuse_entry_out e;
			struct fuse_open_out o;
		} cr;
		static uint8_t data[100 * 1024];
		uint64_t off = 0;

		err = call(build(FUSE_CREATE, FUSE_ROOT_ID, &ci, sizeof(ci), "a.txt", NULL, NULL, 0), &b, &bl);
		CHECK(!err && bl == sizeof(cr), "CREATE: %d", err);
		memcpy(&cr, b, sizeof(cr));
		e = cr.e;
		fh = cr.o.fh;
		for (unsigned i = 0; i < sizeof(data); i++)
			data[i] = (uint8_t)(i * 7 + 1);
		for (unsigned piece = 0; piece < 3; piece++) {
			size_t n = piece < 2 ? 40000 : sizeof(data) - 80000;
			struct fuse_write_in wi = { .fh = fh, .offset = off, .size = (uint32_t)n };
			struct fuse_write_out wo;

			err = call(build(FUSE_WRITE, e.nodeid, &wi, sizeof(wi), NULL, NULL, data + off, n), &b, &bl);
			memcpy(&wo, b, sizeof(wo));
			CHECK(!err && wo.size == n, "WRITE piece %u: %d", piece, err);
			off += n;
		}
		{
			struct fuse_read_in ri = { .fh = fh, .offset = 1000, .size = 90000 };

			err = call(build(FUSE_READ, e.nodeid, &ri, sizeof(ri), NULL, NULL, NULL, 0), &b, &bl);
			CHECK(!err && bl == 90000 && !memcmp(b, data + 1000, 90000), "READ back: %d len %zu", err, bl);
			ri.offset = sizeof(data) - 10;
			err = call(build(FUSE_READ, e.nodeid, &ri, sizeof(ri), NULL, NULL, NULL, 0), &b, &bl);
			CHECK(!err && bl == 10, "short READ at the end: %zu", bl);
		}
		{
			struct fuse_getattr_in gi = { 0 };
			struct fuse_attr_out ao;

			err = call(build(FUSE_GETATTR, e.nodeid, &gi, sizeof(gi), NULL, NULL, NULL, 0), &b, &bl);
			memcpy(&ao, b, sizeof(ao));
			CHECK(!err && ao.attr.size == sizeof(data) && (ao.attr.mode & 0777) == 0644 && ao.attr.uid == 1000,
			      "GETATTR: size %llu mode %o", (unsigned long long)ao.attr.size, ao.attr.mode);
		}
		{
			struct fuse_setattr_in si = { .valid = FATTR_SIZE | FATTR_MODE, .size = 5000, .mode = 0600 };
			struct fuse_attr_out ao;

			err = call(build(FUSE_SETATTR, e.nodeid, &si, sizeof(si), NULL, NULL, NULL, 0), &b, &bl);
			memcpy(&ao, b, sizeof(ao));
			CHECK(!err && ao.attr.size == 5000 && (ao.attr.mode & 0777) == 0600, "SETATTR truncate+chmod: %d", err);
		}
	}

	/* directories, links, renames */
	{
		struct fuse_mkdir_in mi = { .mode = 0755, .umask = 022 };
		struct fuse_link_in li;
		struct fuse_rename2_in r2 = { 0 };

		err = call(build(FUSE_MKDIR, FUSE_ROOT_ID, &mi, sizeof(mi), "d", NULL, NULL, 0), &b, &bl);
		memcpy(&dir, b, sizeof(dir));
		CHECK(!err && S_ISDIR(dir.attr.mode), "MKDIR: %d", err);
		err = call(build(FUSE_SYMLINK, FUSE_ROOT_ID, NULL, 0, "l", "d/b.txt", NULL, 0), &b, &bl);
		memcpy(&ln, b, sizeof(ln));
		CHECK(!err && S_ISLNK(ln.attr.mode), "SYMLINK: %d", err);
		err = call(build(FUSE_READLINK, ln.nodeid, NULL, 0, NULL, NULL, NULL, 0), &b, &bl);
		CHECK(!err && bl == 7 && !memcmp(b, "d/b.txt", 7), "READLINK: %d", err);
		li.oldnodeid = e.nodeid;
		err = call(build(FUSE_LINK, FUSE_ROOT_ID, &li, sizeof(li), "hard", NULL, NULL, 0), &b, &bl);
		CHECK(!err, "LINK: %d", err);
		r2.newdir = dir.nodeid;
		err = call(build(FUSE_RENAME2, FUSE_ROOT_ID, &r2, sizeof(r2), "a.txt", "b.txt", NULL, 0), NULL, NULL);
		CHECK(!err, "RENAME2 into d: %d", err);
		r2.newdir = FUSE_ROOT_ID;
		r2.flags = FUSE_RENAME_NOREPLACE;
		err = call(build(FUSE_RENAME2, FUSE_ROOT_ID, &r2, sizeof(r2), "hard", "l", NULL, 0), NULL, NULL);
		CHECK(err == -17, "RENAME2 NOREPLACE onto an existing name: EEXIST (%d)", err);
		r2.flags = 1u << 2;	/* WHITEOUT */
		err = call(build(FUSE_RENAME2, FUSE_ROOT_ID, &r2, sizeof(r2), "hard", "w", NULL, 0), NULL, NULL);
		CHECK(err == -22, "RENAME2 WHITEOUT: EINVAL (%d)", err);
		CHECK(lookup(dir.nodeid, "b.txt", NULL) == 0, "the file is in d");
	}

	/* readdir and readdirplus */
	{
		struct fuse_open_in oi = { 0 };
		struct fuse_open_out oo;
		struct fuse_read_in ri;
		int seen = 0;

		err = call(build(FUSE_OPENDIR, FUSE_ROOT_ID, &oi, sizeof(oi), NULL, NULL, NULL, 0), &b, &bl);
		memcpy(&oo, b, sizeof(oo));
		dfh = oo.fh;
		CHECK(!err, "OPENDIR: %d", err);
		memset(&ri, 0, sizeof(ri));
		ri.fh = dfh;
		ri.size = 4096;
		err = call(build(FUSE_READDIR, FUSE_ROOT_ID, &ri, sizeof(ri), NULL, NULL, NULL, 0), &b, &bl);
		for (size_t p = 0; !err && p + FUSE_NAME_OFFSET <= bl;) {
			const struct fuse_dirent *d = (const void *)((const uint8_t *)b + p);

			if ((d->namelen == 1 && !memcmp(d->name, "d", 1)) || (d->namelen == 4 && !memcmp(d->name, "hard", 4)) ||
			    (d->namelen == 1 && !memcmp(d->name, "l", 1)))
				seen++;
			p += FUSE_DIRENT_SIZE(d);
		}
		CHECK(!err && seen == 3, "READDIR lists d, hard, l (%d)", seen);
		err = call(build(FUSE_READDIRPLUS, FUSE_ROOT_ID, &ri, sizeof(ri), NULL, NULL, NULL, 0), &b, &bl);
		CHECK(!err && bl > 3 * sizeof(struct fuse_direntplus), "READDIRPLUS: %d, %zu bytes", err, bl);
		{
			struct fuse_release_in rl = { .fh = dfh };

			err = call(build(FUSE_RELEASEDIR, FUSE_ROOT_ID, &rl, sizeof(rl), NULL, NULL, NULL, 0), NULL, NULL);
			CHECK(!err, "RELEASEDIR: %d", err);
			err = call(build(FUSE_RELEASEDIR, FUSE_ROOT_ID, &rl, sizeof(rl), NULL, NULL, NULL, 0), NULL, NULL);
			CHECK(err == -9, "second RELEASEDIR of the same handle: EBADF (%d)", err);
		}
	}

	/* xattrs */
	{
		struct fuse_setxattr_in sx = { .size = 5 };
		struct fuse_getxattr_in gx = { .size = 64 };

		err = call(build(FUSE_SETXATTR, dir.nodeid, &sx, sizeof(sx), "user.colour", NULL, "green", 5), NULL, NULL);
		CHECK(!err, "SETXATTR: %d", err);
		err = call(build(FUSE_GETXATTR, dir.nodeid, &gx, sizeof(gx), "user.colour", NULL, NULL, 0), &b, &bl);
		CHECK(!err && bl == 5 && !memcmp(b, "green", 5), "GETXATTR: %d", err);
		err = call(build(FUSE_LISTXATTR, dir.nodeid, &gx, sizeof(gx), NULL, NULL, NULL, 0), &b, &bl);
		CHECK(!err && bl == 12 && !memcmp(b, "user.colour", 12), "LISTXATTR: %d %zu", err, bl);
		{
			/* A 64 KiB guest buffer and a reply room of 1 KiB (the card's
			 * replies are smaller than the largest xattr): a small value
			 * still comes back. */
			struct fuse_getxattr_in big = { .size = 65536 };
			struct fuse_out_header o;
			size_t len = build(FUSE_GETXATTR, dir.nodeid, &big, sizeof(big), "user.colour", NULL, NULL, 0);
			long n = fuse_dispatch(&srv, req, len, rep, 1024);

			memcpy(&o, rep, sizeof(o));
			CHECK(n == 16 + 5 && o.error == 0 && !memcmp(rep + 16, "green", 5),
			      "GETXATTR with a buffer larger than the reply room: %ld, error %d", n, o.error);
			len = build(FUSE_LISTXATTR, dir.nodeid, &big, sizeof(big), NULL, NULL, NULL, 0);
			n = fuse_dispatch(&srv, req, len, rep, 1024);
			memcpy(&o, rep, sizeof(o));
			CHECK(n == 16 + 12 && o.error == 0, "LISTXATTR with a buffer larger than the reply room: %ld, %d",
			      n, o.error);
		}
		err = call(build(FUSE_REMOVEXATTR, dir.nodeid, NULL, 0, "user.colour", NULL, NULL, 0), NULL, NULL);
		CHECK(!err, "REMOVEXATTR: %d", err);
		/* an xattr name may hold '/' (a file name may not) */
		err = call(build(FUSE_SETXATTR, dir.nodeid, &sx, sizeof(sx), "user.a/b", NULL, "slash", 5), NULL, NULL);
		CHECK(!err, "SETXATTR of a name with '/': %d", err);
		err = call(build(FUSE_GETXATTR, dir.nodeid, &gx, sizeof(gx), "user.a/b", NULL, NULL, 0), &b, &bl);
		CHECK(!err && bl == 5 && !memcmp(b, "slash", 5), "GETXATTR of a name with '/': %d", err);
		err = call(build(FUSE_REMOVEXATTR, dir.nodeid, NULL, 0, "user.a/b", NULL, NULL, 0), NULL, NULL);
		CHECK(!err, "REMOVEXATTR of a name with '/': %d", err);
	}

	/* statfs, unlink, rmdir */
	{
		struct fuse_statfs_out so;

		err = call(build(FUSE_STATFS, FUSE_ROOT_ID, NULL, 0, NULL, NULL, NULL, 0), &b, &bl);
		memcpy(&so, b, sizeof(so));
		CHECK(!err && so.st.blocks && so.st.bfree <= so.st.blocks && so.st.namelen == 255, "STATFS: %d", err);
		err = call(build(FUSE_RMDIR, FUSE_ROOT_ID, NULL, 0, "d", NULL, NULL, 0), NULL, NULL);
		CHECK(err == -39, "RMDIR of a non-empty directory: ENOTEMPTY (%d)", err);
		err = call(build(FUSE_UNLINK, FUSE_ROOT_ID, NULL, 0, "l", NULL, NULL, 0), NULL, NULL);
		CHECK(!err, "UNLINK: %d", err);
	}

	/* malformed and forged */
	{
		struct fuse_getattr_in gi = { 0 };
		size_t len = build(FUSE_GETATTR, FUSE_ROOT_ID, &gi, sizeof(gi), NULL, NULL, NULL, 0);
		char longname[300];
		struct fuse_read_in ri = { .fh = fh + (1ull << 32), .size = 10 };

		req[0] ^= 1;			/* header len disagrees with the buffer */
		CHECK(call(len, NULL, NULL) == -22, "len mismatch: EINVAL");
		CHECK(fuse_dispatch(&srv, req, 20, rep, sizeof(rep)) == -EINVAL, "truncated header refused");
		CHECK(fuse_dispatch(&srv, req, len, rep, 8) == -EINVAL, "reply buffer below a header refused");
		CHECK(call(build(FUSE_GETATTR, 0x1234567800000099ull, &gi, sizeof(gi), NULL, NULL, NULL, 0), NULL, NULL) == -116,
		      "forged node ID: ESTALE");
		CHECK(call(build(FUSE_GETATTR, e.nodeid + (1ull << 32), &gi, sizeof(gi), NULL, NULL, NULL, 0), NULL, NULL) == -116,
		      "node ID with a wrong generation: ESTALE");
		CHECK(call(build(FUSE_READ, e.nodeid, &ri, sizeof(ri), NULL, NULL, NULL, 0), NULL, NULL) == -9,
		      "stale file handle: EBADF");
		CHECK(lookup(FUSE_ROOT_ID, "a/b", NULL) == -22, "name with '/': EINVAL");
		memset(longname, 'x', 256);
		longname[256] = 0;
		CHECK(lookup(FUSE_ROOT_ID, longname, NULL) == -36, "256-byte name: ENAMETOOLONG");
		len = build(FUSE_LOOKUP, FUSE_ROOT_ID, NULL, 0, "abc", NULL, NULL, 0);
		req[len - 1] = 'z';		/* not NUL-terminated */
		CHECK(call(len, NULL, NULL) == -22, "unterminated name: EINVAL");
		CHECK(call(build(4242, FUSE_ROOT_ID, NULL, 0, NULL, NULL, NULL, 0), NULL, NULL) == -38, "unknown opcode: ENOSYS");
		CHECK(call(build(FUSE_SETUPMAPPING, FUSE_ROOT_ID, NULL, 0, NULL, NULL, NULL, 0), NULL, NULL) == -38,
		      "SETUPMAPPING: ENOSYS");
		{
			struct fuse_write_in wi = { .fh = fh, .offset = 0, .size = 100 };

			CHECK(call(build(FUSE_WRITE, e.nodeid, &wi, sizeof(wi), NULL, NULL, "short", 5), NULL, NULL) == -22,
			      "WRITE with less payload than it says: EINVAL");
		}
	}

	/* release, forget: the tables empty out */
	{
		struct fuse_release_in rl = { .fh = fh };
		struct fuse_forget_in fi = { .nlookup = 1000 };

		CHECK(call(build(FUSE_RELEASE, e.nodeid, &rl, sizeof(rl), NULL, NULL, NULL, 0), NULL, NULL) == 0, "RELEASE");
		CHECK(fuse_server_handles(&srv) == 0, "no handle left");
		call(build(FUSE_FORGET, e.nodeid, &fi, sizeof(fi), NULL, NULL, NULL, 0), NULL, NULL);
		call(build(FUSE_FORGET, dir.nodeid, &fi, sizeof(fi), NULL, NULL, NULL, 0), NULL, NULL);
		call(build(FUSE_FORGET, ln.nodeid, &fi, sizeof(fi), NULL, NULL, NULL, 0), NULL, NULL);
		CHECK(fuse_server_nodes(&srv) <= 1, "nodes left after FORGET: %u", fuse_server_nodes(&srv));
		CHECK(call(build(FUSE_DESTROY, 0, NULL, 0, NULL, NULL, NULL, 0), NULL, NULL) == 0, "DESTROY");
		CHECK(fuse_server_nodes(&srv) == 0, "no node after DESTROY");
	}
	test_locks();
	test_copy_file_range();
	test_sync_handles();
	CHECK(call(build(FUSE_DESTROY, 0, NULL, 0, NULL, NULL, NULL, 0), NULL, NULL) == 0 && fuse_server_nodes(&srv) == 0,
	      "DESTROY at the end");
	CHECK(vfs_unmount(fs) == 0, "unmount");
	blockdev_file_close(&bf);
	printf("%d passed, %d failed\n", passed, failed);
	return failed || !passed ? 1 : 0;	/* no check run is no pass */
}
