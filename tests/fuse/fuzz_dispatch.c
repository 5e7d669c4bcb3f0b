/*
 * libFuzzer target over fuse_dispatch(): every input is one request as it
 * would come off a virtqueue, against a server whose filesystem lives in
 * memory (an ext4 image made by mke2fs, named by FUZZ_IMAGE, loaded once).
 * State carries over between inputs, as on a real device. The reply must
 * never exceed its buffer and must describe itself correctly, and so must
 * every deferred reply collected after it with fuse_server_pending_reply().
 *
 * Half the inputs are steered: the opcode comes from a table weighted towards
 * locks, INTERRUPT, COPY_FILE_RANGE and the handle calls, and the node ID and
 * first file handle are those of a file opened at start-up, so locks are
 * really taken and SETLKW really waits. After each input the lock table and
 * the waiters must hold their invariants (see check_locks()).
 *
 * A 64-page DAX window (the host window model) is attached: steered inputs
 * also send SETUPMAPPING and REMOVEMAPPING, often shaped into page-aligned
 * ranges of the window and the file (fh -1 as Linux sends it, or a session
 * handle), and write the window as a guest would. After each input the
 * window tables must agree with each other and with the hardware's page
 * states (check_dax()).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "blockdev.h"
#include "fuse_dax.h"
#include "fuse_server.h"
#include "fuse_wire.h"
#include "vfs.h"

static uint8_t *image;
static size_t image_len;
static struct blockdev bd;
static struct fuse_server srv;
static int ready;
static uint64_t sess_node, sess_fh[2];	/* a file and two handles on it */
#define WIN_PAGES 64
static struct fuse_dax dax;
static struct fuse_dax_host host;
static uint8_t winmem[WIN_PAGES * FUSE_DAX_PAGE_SIZE];

/* What the run reached, printed at exit: proof the steering works. The
 * test's coverage floor (tests/fuse/fuzz_check.sh) reads these lines. */
#define OPS_TRACKED 64		/* opcodes below this are counted one by one */
static struct {
	unsigned long locks_ok, deferred, pending, copies_ok, maps_ok, removes_ok, window_writes;
	uint8_t op_replied[OPS_TRACKED], op_ok[OPS_TRACKED];
} seen;

static void print_seen(void)
{
	unsigned replied = 0, ok = 0;

	for (unsigned i = 0; i < OPS_TRACKED; i++) {
		replied += seen.op_replied[i];
		ok += seen.op_ok[i];
	}
	fprintf(stderr, "fuzz_dispatch: %u opcodes replied to, %u of them with success\n", replied, ok);
	fprintf(stderr, "fuzz_dispatch: %lu locks set, %lu SETLKW deferred, %lu deferred replies, "
		"%lu COPY_FILE_RANGE copied, %lu SETUPMAPPING and %lu REMOVEMAPPING done, %lu window writes "
		"(%llu pages loaded, %llu written back, %llu moved)\n", seen.locks_ok, seen.deferred, seen.pending,
		seen.copies_ok, seen.maps_ok, seen.removes_ok, seen.window_writes,
		(unsigned long long)dax.stats.loaded, (unsigned long long)dax.stats.written,
		(unsigned long long)dax.stats.moved);
}

static int mem_read(struct blockdev *b, uint64_t s, uint32_t n, void *buf)
{
	(void)b;
	if (s * 512 + (uint64_t)n * 512 > image_len)
		return -EIO;
	memcpy(buf, image + s * 512, (size_t)n * 512);
	return 0;
}

static int mem_write(struct blockdev *b, uint64_t s, uint32_t n, const void *buf)
{
	(void)b;
	if (s * 512 + (uint64_t)n * 512 > image_len)
		return -EIO;
	memcpy(image + s * 512, buf, (size_t)n * 512);
	return 0;
}

static int mem_flush(struct blockdev *b)
{
	(void)b;
	return 0;
}

static void fixed_clock(uint64_t *s, uint32_t *ns)
{
	*s = 1700000000;
	*ns = 0;
}

static long sess_send(const void *req, size_t len, uint8_t *rep, size_t cap)
{
	return fuse_dispatch(&srv, req, len, rep, cap);
}

/* INIT (with POSIX locks), then a file with two read-write handles. */
static void start_session(void)
{
	static uint8_t rep[1024];
	struct {
		struct fuse_in_header h;
		union {
			struct fuse_init_in init;
			struct {
				struct fuse_create_in ci;
				char name[8];
			} create;
			struct fuse_open_in open;
		} u;
	} q;
	const struct fuse_out_header *o = (const void *)rep;

	memset(&q, 0, sizeof(q));
	q.h.len = sizeof(q.h) + sizeof(q.u.init);
	q.h.opcode = FUSE_INIT;
	q.h.unique = 1;
	q.u.init.major = 7;
	q.u.init.minor = 38;
	q.u.init.flags = FUSE_MAX_PAGES | FUSE_POSIX_LOCKS;
	sess_send(&q, q.h.len, rep, sizeof(rep));
	memset(&q, 0, sizeof(q));
	q.h.len = sizeof(q.h) + sizeof(q.u.create);
	q.h.opcode = FUSE_CREATE;
	q.h.unique = 2;
	q.h.nodeid = FUSE_ROOT_ID;
	q.u.create.ci.flags = FUSE_O_RDWR;
	q.u.create.ci.mode = 0100644;
	memcpy(q.u.create.name, "fz", 3);
	if (sess_send(&q, q.h.len, rep, sizeof(rep)) <= 0 || o->error)
		return;
	memcpy(&sess_node, rep + sizeof(*o) + offsetof(struct fuse_entry_out, nodeid), 8);
	memcpy(&sess_fh[0], rep + sizeof(*o) + sizeof(struct fuse_entry_out), 8);
	memset(&q, 0, sizeof(q));
	q.h.len = sizeof(q.h) + sizeof(q.u.open);
	q.h.opcode = FUSE_OPEN;
	q.h.unique = 3;
	q.h.nodeid = sess_node;
	q.u.open.flags = FUSE_O_RDWR;
	if (sess_send(&q, q.h.len, rep, sizeof(rep)) > 0 && !o->error)
		memcpy(&sess_fh[1], rep + sizeof(*o), 8);
	{
		/* Data for SETUPMAPPING to map (a range must start below EOF). */
		static uint8_t w[sizeof(struct fuse_in_header) + sizeof(struct fuse_write_in) + 65536];
		struct fuse_in_header h = { .len = sizeof(w), .opcode = FUSE_WRITE, .unique = 4, .nodeid = sess_node };
		struct fuse_write_in wi = { .fh = sess_fh[0], .offset = 0, .size = 65536 };
		struct fuse_attr_out ao;

		memcpy(w, &h, sizeof(h));
		memcpy(w + sizeof(h), &wi, sizeof(wi));
		memset(w + sizeof(h) + sizeof(wi), 0x5a, 65536);
		memset(&q, 0, sizeof(q));
		q.h.len = sizeof(q.h) + sizeof(struct fuse_getattr_in);
		q.h.opcode = FUSE_GETATTR;
		q.h.unique = 5;
		q.h.nodeid = sess_node;
		if (sess_send(&q, q.h.len, rep, sizeof(rep)) > 0 && !o->error) {
			memcpy(&ao, rep + sizeof(*o), sizeof(ao));
			if (ao.attr.size < 65536)
				sess_send(w, sizeof(w), rep, sizeof(rep));
		}
	}
}

/* A steered input names the session's handles: one a fuzzed RELEASE closed
 * is opened again (on the same file, while it is known), so that steered
 * locks keep reaching the lock table instead of failing with EBADF until
 * the next DESTROY. */
static void refresh_handles(void)
{
	static uint8_t rep[256];
	const struct fuse_out_header *o = (const void *)rep;

	for (int k = 0; k < 2; k++) {
		uint32_t i = (uint32_t)sess_fh[k];
		struct {
			struct fuse_in_header h;
			struct fuse_open_in open;
		} q;

		if (i < FUSE_SRV_MAX_HANDLES && srv.handles[i].node >= 0 &&
		    srv.handles[i].gen == (uint32_t)(sess_fh[k] >> 32))
			continue;
		memset(&q, 0, sizeof(q));
		q.h.len = sizeof(q);
		q.h.opcode = FUSE_OPEN;
		q.h.unique = 6;
		q.h.nodeid = sess_node;
		q.open.flags = FUSE_O_RDWR;
		if (sess_send(&q, q.h.len, rep, sizeof(rep)) > 0 && !o->error)
			memcpy(&sess_fh[k], rep + sizeof(*o), 8);
	}
}

static void setup(void)
{
	const char *path = getenv("FUZZ_IMAGE");
	FILE *f = path ? fopen(path, "rb") : NULL;
	struct vfs *fs = NULL;

	if (!f) {
		fprintf(stderr, "fuzz_dispatch: set FUZZ_IMAGE to an ext4 image\n");
		abort();
	}
	fseek(f, 0, SEEK_END);
	image_len = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	image = malloc(image_len);
	if (!image || fread(image, 1, image_len, f) != image_len)
		abort();
	fclose(f);
	bd.nsectors = image_len / 512;
	bd.read = mem_read;
	bd.write = mem_write;
	bd.flush = mem_flush;
	vfs_set_clock(fixed_clock);
	if (vfs_mount(&fs, &bd, 0))
		abort();
	fuse_server_init(&srv, fs);
	{
		struct fuse_dax_window win;

		fuse_dax_host_init(&host, winmem, sizeof(winmem), &win);
		if (fuse_server_attach_dax(&srv, &dax, &win))
			abort();
	}
	start_session();
	atexit(print_seen);
	ready = 1;
}

/* The window tables agree with each other and with the hardware's states. */
static void check_dax(void)
{
	if (fuse_server_dax_check(&srv))
		abort();
	for (uint32_t w = 0; w < WIN_PAGES; w++) {
		uint32_t n = dax.page[w].node;
		uint32_t want = !n ? FUSE_DAX_UNMAPPED : (n & FUSE_DAX_WRITABLE) ? FUSE_DAX_RW : FUSE_DAX_RO;

		if (host.state[w] != want)
			abort();
	}
}

static int overlap(const struct fuse_srv_lock *a, const struct fuse_srv_lock *b)
{
	return a->start <= b->end && b->start <= a->end;
}

/*
 * What the lock code promises after every request: locks name open regular
 * files; two owners' locks overlap only when both read; one owner's locks
 * never overlap, and those of one type never touch (they would have merged);
 * a waiter still waiting has a valid handle and a lock in its way (else it
 * should have been granted).
 */
static void check_locks(void)
{
	for (uint32_t i = 0; i < FUSE_SRV_MAX_LOCKS; i++) {
		const struct fuse_srv_lock *a = &srv.locks[i];

		if (a->node < 0)
			continue;
		if (a->node >= FUSE_SRV_MAX_NODES || !srv.nodes[a->node].ino || !srv.nodes[a->node].opens ||
		    a->start > a->end || a->end > FUSE_OFFSET_MAX || a->type > FUSE_F_WRLCK)
			abort();
		for (uint32_t j = i + 1; j < FUSE_SRV_MAX_LOCKS; j++) {
			const struct fuse_srv_lock *b = &srv.locks[j];

			if (b->node != a->node)
				continue;
			if (a->owner != b->owner) {
				if (overlap(a, b) && (a->type == FUSE_F_WRLCK || b->type == FUSE_F_WRLCK))
					abort();	/* conflicting locks both granted */
			} else if (overlap(a, b) || (a->type == b->type && (a->end + 1 == b->start || b->end + 1 == a->start))) {
				abort();		/* one owner's locks not normalised */
			}
		}
	}
	if (srv.nr_waiters > FUSE_SRV_MAX_WAITERS)
		abort();
	for (uint32_t i = 0; i < srv.nr_waiters; i++) {
		const struct fuse_srv_waiter *w = &srv.waiters[i];
		uint32_t hi = (uint32_t)w->fh;
		int blocked = 0;

		if (w->done)
			continue;
		if (hi >= FUSE_SRV_MAX_HANDLES || srv.handles[hi].node != w->node ||
		    srv.handles[hi].gen != (uint32_t)(w->fh >> 32))
			abort();		/* waiting on a closed handle */
		for (uint32_t j = 0; j < FUSE_SRV_MAX_LOCKS && !blocked; j++) {
			const struct fuse_srv_lock *l = &srv.locks[j];

			blocked = l->node == w->node && l->owner != w->owner && l->start <= w->end &&
				  w->start <= l->end && (l->type == FUSE_F_WRLCK || w->type == FUSE_F_WRLCK);
		}
		if (!blocked)
			abort();		/* a grantable waiter left waiting */
	}
}

/* The opcodes steered inputs use, locks and handles most. */
static const uint32_t steer_ops[] = {
	FUSE_GETLK, FUSE_SETLK, FUSE_SETLKW, FUSE_SETLK, FUSE_SETLKW, FUSE_INTERRUPT,
	FUSE_COPY_FILE_RANGE, FUSE_COPY_FILE_RANGE, FUSE_FLUSH, FUSE_RELEASE, FUSE_OPEN,
	FUSE_WRITE, FUSE_READ, FUSE_GETATTR, FUSE_SETATTR, FUSE_FORGET, FUSE_DESTROY,
	FUSE_SETUPMAPPING, FUSE_SETUPMAPPING, FUSE_SETUPMAPPING, FUSE_REMOVEMAPPING, FUSE_REMOVEMAPPING,
	FUSE_FSYNC, FUSE_FALLOCATE, FUSE_LSEEK,
};

/*
 * Makes a steered SETUPMAPPING/REMOVEMAPPING likely to be accepted: offsets
 * and lengths page-aligned and inside the window and the session file, fh -1
 * half the time (what Linux sends). The fuzzer's own bytes pick the values.
 */
static void shape_dax(uint8_t *req, size_t len, uint8_t sel)
{
	struct fuse_in_header h;
	const uint64_t pg = FUSE_DAX_PAGE_SIZE;

	memcpy(&h, req, sizeof(h));
	if (h.opcode == FUSE_SETUPMAPPING && len >= sizeof(h) + sizeof(struct fuse_setupmapping_in)) {
		struct fuse_setupmapping_in si;

		memcpy(&si, req + sizeof(h), sizeof(si));
		if (sel & 0x20)
			si.fh = FUSE_DAX_NO_FH;
		si.foffset = (si.foffset % 24) * pg;
		si.len = (1 + si.len % 24) * pg;
		si.moffset = (si.moffset % WIN_PAGES) * pg;
		si.flags &= FUSE_SETUPMAPPING_FLAG_READ | FUSE_SETUPMAPPING_FLAG_WRITE;
		memcpy(req + sizeof(h), &si, sizeof(si));
	} else if (h.opcode == FUSE_REMOVEMAPPING && len >= sizeof(h) + 4) {
		uint32_t count, room = (uint32_t)((len - sizeof(h) - 4) / sizeof(struct fuse_removemapping_one));

		memcpy(&count, req + sizeof(h), 4);
		count = room ? 1 + count % (room < 4 ? room : 4) : 0;
		memcpy(req + sizeof(h), &count, 4);
		for (uint32_t i = 0; i < count; i++) {
			struct fuse_removemapping_one one;
			uint8_t *at = req + sizeof(h) + 4 + i * sizeof(one);

			memcpy(&one, at, sizeof(one));
			one.moffset = (one.moffset % WIN_PAGES) * pg;
			one.len = (1 + one.len % 16) * pg;
			memcpy(at, &one, sizeof(one));
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t rep[70000];
	uint8_t *req;
	long n;
	size_t cap;

	if (!ready)
		setup();
	if (size < 1)
		return 0;
	/* The first byte picks the reply room, the rest is the request; a
	 * well-formed header length is made likely, not certain. */
	cap = 16 + (size_t)data[0] * 257;
	req = malloc(size - 1 ? size - 1 : 1);
	if (!req)
		return 0;
	memcpy(req, data + 1, size - 1);
	if (size - 1 >= sizeof(struct fuse_in_header) && (data[0] & 1)) {
		uint32_t len = (uint32_t)(size - 1);

		memcpy(req, &len, 4);
	}
	if (size - 1 >= sizeof(struct fuse_in_header) + 16 && (data[0] & 2)) {
		struct fuse_in_header h;
		uint64_t fh;

		if (!srv.initialized)
			start_session();
		else
			refresh_handles();
		memcpy(&h, req, sizeof(h));
		h.opcode = steer_ops[h.opcode % (sizeof(steer_ops) / sizeof(steer_ops[0]))];
		if (h.opcode != FUSE_INTERRUPT) {
			h.nodeid = sess_node;
			fh = sess_fh[(data[0] >> 2) & 1];
			memcpy(req + sizeof(h), &fh, sizeof(fh));	/* every steered op's first argument */
			if (h.opcode == FUSE_COPY_FILE_RANGE && size - 1 >= sizeof(h) + 32) {
				memcpy(req + sizeof(h) + 16, &sess_node, 8);	/* nodeid_out, fh_out */
				memcpy(req + sizeof(h) + 24, &sess_fh[(data[0] >> 3) & 1], 8);
			}
		} else if (srv.nr_waiters) {
			uint64_t u = srv.waiters[h.unique % srv.nr_waiters].unique;

			memcpy(req + sizeof(h), &u, sizeof(u));
		}
		memcpy(req, &h, sizeof(h));
		if (data[0] & 0x10)
			shape_dax(req, size - 1, data[0]);
		if ((data[0] & 0xc0) == 0xc0) {
			/* The guest writes the window: where and what from the request's tail. */
			uint32_t at = h.unique % sizeof(winmem);
			size_t n = size - 1 - sizeof(h) < 300 ? size - 1 - sizeof(h) : 300;

			seen.window_writes += fuse_dax_host_write(&host, at, req + sizeof(h), n) != 0;
		}
	}
	n = fuse_dispatch(&srv, req, size - 1, rep, cap);
	if (n > 0) {
		struct fuse_out_header o;

		if ((size_t)n > cap || (size_t)n < sizeof(o))
			abort();		/* replied past its buffer, or a torn header */
		memcpy(&o, rep, sizeof(o));
		if (o.len != (uint32_t)n || o.error > 0 || o.error < -4095)
			abort();
		if (size - 1 >= sizeof(struct fuse_in_header)) {
			struct fuse_in_header h;

			memcpy(&h, req, sizeof(h));
			if (h.opcode < OPS_TRACKED)
				seen.op_replied[h.opcode] = 1;
		}
		if (!o.error && size - 1 >= sizeof(struct fuse_in_header)) {
			struct fuse_in_header h;

			memcpy(&h, req, sizeof(h));
			if (h.opcode < OPS_TRACKED)
				seen.op_ok[h.opcode] = 1;
			seen.locks_ok += h.opcode == FUSE_SETLK || h.opcode == FUSE_SETLKW;
			seen.copies_ok += h.opcode == FUSE_COPY_FILE_RANGE && n > 16 && rep[16] != 0;
			seen.maps_ok += h.opcode == FUSE_SETUPMAPPING;
			seen.removes_ok += h.opcode == FUSE_REMOVEMAPPING;
		}
	} else if (n == FUSE_SRV_DEFERRED) {
		seen.deferred++;
	} else if (n != 0 && n != FUSE_SRV_DEFERRED && n != -EINVAL) {
		abort();
	}
	for (;;) {
		uint64_t unique;
		struct fuse_out_header o;
		long m = fuse_server_pending_reply(&srv, &unique, rep, cap);

		if (m == 0)
			break;
		if (m < 0 || (size_t)m > cap || (size_t)m < sizeof(o))
			abort();
		memcpy(&o, rep, sizeof(o));
		if (o.len != (uint32_t)m || o.unique != unique || o.error > 0 || o.error < -4095)
			abort();
		seen.pending++;
	}
	check_locks();
	check_dax();
	free(req);
	return 0;
}
