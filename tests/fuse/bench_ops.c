/*
 * Instructions per FUSE operation on the host build, for the benchmark:
 * run under `valgrind --tool=callgrind --collect-atstart=no`; only the N
 * measured requests are collected.
 *
 * usage: bench_ops IMAGE getattr|lookup|read4k|write4k|append4k|create|forget1m|idle1m|idlewb1m N
 *        bench_ops IMAGE seq1m N
 *        bench_ops IMAGE dax_setup_cold|dax_setup_warm|dax_setup_moved|dax_upgrade|
 *                        dax_remove_clean|dax_remove_dirty|dax_read4k|dax_write4k|dax_fsync N
 *
 * The dax_* operations run against a 16 MiB window of the host window model
 * over a 4 MiB file: SETUPMAPPING of a 2 MiB range read from the disk, right
 * after a remount (cold) and with the metadata cached (warm); of a range the
 * window already holds elsewhere (moved: window to window, no disk read); the
 * upgrade of a read-only range to read-write (no data moves), REMOVEMAPPING of a clean range and of
 * one whose 512 pages the guest all wrote (2 MiB written back), READ and
 * WRITE of 4 KiB served by the window, FSYNC of a file with a clean mapped
 * range. The block device counts what they read and write: printed as
 * "sectors read R written W" over the N measured requests.
 *
 * forget1m: the FORGET of the last reference to a file of 1 MiB (256 4 KiB
 * WRITEs, RELEASE, UNLINK first, not measured); idle1m: the idle steps
 * (fuse_server_idle) that then free it, measured, and "idle steps S" on
 * stdout (per step: the instructions over S).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <valgrind/callgrind.h>

#include "blockdev_file.h"
#include "fuse_dax.h"
#include "fuse_req.h"
#include "fuse_server.h"
#include "fuse_wire.h"
#include "vfs.h"

static struct fuse_server srv;
static uint8_t req[8192], rep[8192];

/* DAX: the window, and a block device that counts sectors during measurement. */
#define WIN (16u << 20)
#define RANGE (2u << 20)
static struct fuse_dax dax;
static struct fuse_dax_host host;
static struct fuse_dax_window win;
static uint8_t *winmem;
static struct blockdev counted, *lower;
static int counting;
static uint64_t sectors_read, sectors_written, write_cmds, flushes;

static int count_read(struct blockdev *b, uint64_t s, uint32_t n, void *buf)
{
	(void)b;
	sectors_read += counting ? n : 0;
	return lower->read(lower, s, n, buf);
}

static int count_write(struct blockdev *b, uint64_t s, uint32_t n, const void *buf)
{
	(void)b;
	sectors_written += counting ? n : 0;
	write_cmds += counting ? 1 : 0;
	return lower->write(lower, s, n, buf);
}

static int count_flush(struct blockdev *b)
{
	(void)b;
	flushes += counting ? 1 : 0;
	return lower->flush(lower);
}

static void measure(size_t len)
{
	counting = 1;
	CALLGRIND_TOGGLE_COLLECT;
	fuse_dispatch(&srv, req, len, rep, sizeof(rep));
	CALLGRIND_TOGGLE_COLLECT;
	counting = 0;
}

static int reply_error(void)
{
	return ((const struct fuse_out_header *)rep)->error;
}

static size_t build(uint32_t op, uint64_t nodeid, const void *args, size_t alen, const char *name,
		    const void *data, size_t dlen)
{
	return fuse_req_build(req, sizeof(req), &(struct fuse_req){
		.opcode = op, .unique = 7, .nodeid = nodeid,
		.args = args, .args_len = alen, .name = name, .data = data, .data_len = dlen });
}

static uint64_t clock_now = 1700000000;

static void fixed_clock(uint64_t *s, uint32_t *ns)
{
	*s = clock_now;
	*ns = 0;
}

static size_t setup_req(uint64_t nodeid, uint64_t flags, uint64_t moffset)
{
	struct fuse_setupmapping_in si = { .fh = FUSE_DAX_NO_FH, .foffset = 0, .len = RANGE,
					   .flags = FUSE_SETUPMAPPING_FLAG_READ | flags, .moffset = moffset };

	return build(FUSE_SETUPMAPPING, nodeid, &si, sizeof(si), NULL, NULL, 0);
}

static size_t remove_req(uint64_t nodeid, uint64_t moffset)
{
	struct {
		struct fuse_removemapping_in in;
		uint8_t one[sizeof(struct fuse_removemapping_one)];
	} __attribute__((packed)) a;
	struct fuse_removemapping_one one = { .moffset = moffset, .len = RANGE };

	a.in.count = 1;
	memcpy(a.one, &one, sizeof(one));
	return build(FUSE_REMOVEMAPPING, nodeid, &a, sizeof(a), NULL, NULL, 0);
}

static void attach_window(void)
{
	fuse_dax_host_init(&host, winmem, WIN, &win);
	fuse_server_attach_dax(&srv, &dax, &win);
}

/* Unmounts and mounts again: the metadata cache starts cold. */
static int remount(struct vfs **fs, struct fuse_entry_out *e, uint64_t *fh)
{
	struct fuse_init_in ii = { .major = 7, .minor = 38, .flags = FUSE_MAP_ALIGNMENT };
	struct fuse_open_in oi = { .flags = 2 };

	fuse_server_reset(&srv);
	if (vfs_unmount(*fs) || vfs_mount(fs, &counted, 0))
		return -1;
	fuse_server_init(&srv, *fs);
	attach_window();
	fuse_dispatch(&srv, req, build(FUSE_INIT, 0, &ii, sizeof(ii), NULL, NULL, 0), rep, sizeof(rep));
	fuse_dispatch(&srv, req, build(FUSE_LOOKUP, FUSE_ROOT_ID, NULL, 0, "f", NULL, 0), rep, sizeof(rep));
	memcpy(e, rep + sizeof(struct fuse_out_header), sizeof(*e));
	fuse_dispatch(&srv, req, build(FUSE_OPEN, e->nodeid, &oi, sizeof(oi), NULL, NULL, 0), rep, sizeof(rep));
	memcpy(fh, rep + sizeof(struct fuse_out_header), sizeof(*fh));
	return 0;
}

static int bench_dax(const char *op, int n, struct vfs *fs, struct fuse_entry_out *e, uint64_t fh)
{
	static uint8_t page[4096];
	const uint64_t rw = FUSE_SETUPMAPPING_FLAG_WRITE;

	winmem = aligned_alloc(4096, WIN);
	if (!winmem)
		return 2;
	memset(page, 0x77, sizeof(page));
	attach_window();
	for (int i = 0; i < n; i++) {
		uint64_t m = (uint64_t)(i % 8) * RANGE;
		int err = 0;

		if (!strcmp(op, "dax_setup_cold")) {
			if (remount(&fs, e, &fh))
				return 2;
			measure(setup_req(e->nodeid, rw, m));
			err = reply_error();
		} else if (!strcmp(op, "dax_setup_warm")) {
			fuse_dispatch(&srv, req, remove_req(e->nodeid, m), rep, sizeof(rep));
			measure(setup_req(e->nodeid, rw, (m + RANGE) % WIN));
			err = reply_error();
			fuse_dispatch(&srv, req, remove_req(e->nodeid, (m + RANGE) % WIN), rep, sizeof(rep));
		} else if (!strcmp(op, "dax_setup_moved")) {
			fuse_dispatch(&srv, req, setup_req(e->nodeid, rw, m), rep, sizeof(rep));
			measure(setup_req(e->nodeid, rw, (m + RANGE) % WIN));
			err = reply_error();
			fuse_dispatch(&srv, req, remove_req(e->nodeid, (m + RANGE) % WIN), rep, sizeof(rep));
		} else if (!strcmp(op, "dax_upgrade")) {
			fuse_dispatch(&srv, req, setup_req(e->nodeid, 0, 0), rep, sizeof(rep));
			measure(setup_req(e->nodeid, rw, 0));
			err = reply_error();
			fuse_dispatch(&srv, req, setup_req(e->nodeid, 0, 0), rep, sizeof(rep));
		} else if (!strcmp(op, "dax_remove_clean") || !strcmp(op, "dax_remove_dirty")) {
			fuse_dispatch(&srv, req, setup_req(e->nodeid, rw, m), rep, sizeof(rep));
			if (!strcmp(op, "dax_remove_dirty"))
				for (uint32_t p = 0; p < RANGE / 4096; p++)
					fuse_dax_host_write(&host, m + p * 4096u, page, sizeof(page));
			measure(remove_req(e->nodeid, m));
			err = reply_error();
		} else if (!strcmp(op, "dax_read4k") || !strcmp(op, "dax_write4k") || !strcmp(op, "dax_fsync")) {
			if (i == 0)
				fuse_dispatch(&srv, req, setup_req(e->nodeid, rw, 0), rep, sizeof(rep));
			if (!strcmp(op, "dax_read4k")) {
				struct fuse_read_in ri = { .fh = fh, .offset = (uint64_t)(i % 512) * 4096, .size = 4096 };

				measure(build(FUSE_READ, e->nodeid, &ri, sizeof(ri), NULL, NULL, 0));
			} else if (!strcmp(op, "dax_write4k")) {
				struct fuse_write_in wi = { .fh = fh, .offset = (uint64_t)(i % 512) * 4096, .size = 4096 };

				measure(build(FUSE_WRITE, e->nodeid, &wi, sizeof(wi), NULL, page, sizeof(page)));
			} else {
				struct fuse_fsync_in fi = { .fh = fh };

				measure(build(FUSE_FSYNC, e->nodeid, &fi, sizeof(fi), NULL, NULL, 0));
			}
			err = reply_error();
		} else {
			return 2;
		}
		if (err) {
			fprintf(stderr, "bench_ops: %s: error %d\n", op, err);
			return 1;
		}
	}
	printf("sectors read %llu written %llu\n", (unsigned long long)sectors_read,
	       (unsigned long long)sectors_written);
	fuse_server_reset(&srv);
	vfs_unmount(fs);
	return 0;
}

/* A 1 MiB file, written, closed and unlinked: its FORGET is in req. */
static size_t unlinked_1m(int i, const uint8_t *data)
{
	struct fuse_create_in ci = { .flags = 2, .mode = S_IFREG | 0644 };
	struct fuse_release_in ri = { 0 };
	struct fuse_forget_in fi = { .nlookup = 1 };
	struct fuse_entry_out e;
	struct fuse_write_in wi = { .size = 4096 };
	char name[32];

	snprintf(name, sizeof(name), "u%d", i);
	fuse_dispatch(&srv, req, build(FUSE_CREATE, FUSE_ROOT_ID, &ci, sizeof(ci), name, NULL, 0), rep, sizeof(rep));
	memcpy(&e, rep + sizeof(struct fuse_out_header), sizeof(e));
	memcpy(&wi.fh, rep + sizeof(struct fuse_out_header) + sizeof(e), sizeof(wi.fh));
	for (int k = 0; k < 256; k++) {
		wi.offset = (uint64_t)k * 4096;
		fuse_dispatch(&srv, req, build(FUSE_WRITE, e.nodeid, &wi, sizeof(wi), NULL, data, 4096),
			      rep, sizeof(rep));
	}
	ri.fh = wi.fh;
	fuse_dispatch(&srv, req, build(FUSE_RELEASE, e.nodeid, &ri, sizeof(ri), NULL, NULL, 0), rep, sizeof(rep));
	fuse_dispatch(&srv, req, build(FUSE_UNLINK, FUSE_ROOT_ID, NULL, 0, name, NULL, 0), rep, sizeof(rep));
	return build(FUSE_FORGET, e.nodeid, &fi, sizeof(fi), NULL, NULL, 0);
}

/* forget1m / idle1m: n files, each freed by its FORGET and the idle steps
 * after it; only one of the two is measured. */
static int bench_forget(const char *op, int n, struct vfs *fs, const uint8_t *data)
{
	int idle = !strcmp(op, "idle1m");
	unsigned long steps = 0;

	for (int i = 0; i < n; i++) {
		size_t len = unlinked_1m(i, data);
		int more;

		if (!idle)
			CALLGRIND_TOGGLE_COLLECT;
		fuse_dispatch(&srv, req, len, rep, sizeof(rep));
		if (!idle)
			CALLGRIND_TOGGLE_COLLECT;
		do {
			if (idle)
				CALLGRIND_TOGGLE_COLLECT;
			more = fuse_server_idle(&srv);
			if (idle)
				CALLGRIND_TOGGLE_COLLECT;
			steps++;
		} while (more > 0);
	}
	printf("idle steps %lu\n", steps);
	vfs_unmount(fs);
	return 0;
}

/*
 * idlewb1m: 1 MiB written in 4 KiB WRITEs into a new file (appends, with
 * delayed allocation) and 1 MiB rewritten 4 KiB at a time in a scattered
 * order over a preallocated one (unwritten extents converted), not
 * measured; the transaction then old enough to commit, and the idle steps
 * that commit it measured one at a time: a callgrind dump per step
 * ("step K" parts), and on stdout "idle steps S", then the largest step's
 * "max blocks B writes W flushes F" from the counting block device.
 */
static int bench_idle_wb(int n, const uint8_t *data)
{
	struct fuse_create_in ci = { .flags = 2, .mode = S_IFREG | 0644 };
	struct fuse_fallocate_in fa = { .length = 1u << 20 };
	struct fuse_entry_out e[2];
	uint64_t fh[2], mb = 0, mw = 0, mf = 0;
	unsigned long steps = 0;
	char name[32];

	for (int f = 0; f < 2; f++) {
		snprintf(name, sizeof(name), "w%d", f);
		fuse_dispatch(&srv, req, build(FUSE_CREATE, FUSE_ROOT_ID, &ci, sizeof(ci), name, NULL, 0), rep,
			      sizeof(rep));
		memcpy(&e[f], rep + sizeof(struct fuse_out_header), sizeof(e[f]));
		memcpy(&fh[f], rep + sizeof(struct fuse_out_header) + sizeof(e[f]), sizeof(fh[f]));
	}
	fa.fh = fh[1];
	fuse_dispatch(&srv, req, build(FUSE_FALLOCATE, e[1].nodeid, &fa, sizeof(fa), NULL, NULL, 0), rep, sizeof(rep));
	for (int i = 0; i < n; i++) {
		int more;

		for (uint32_t k = 0; k < 256; k++) {
			struct fuse_write_in wi = { .fh = fh[0], .size = 4096, .offset = (256u * i + k) * 4096ull };

			fuse_dispatch(&srv, req, build(FUSE_WRITE, e[0].nodeid, &wi, sizeof(wi), NULL, data, 4096), rep,
				      sizeof(rep));
			wi.fh = fh[1];
			wi.offset = (k * 97u % 256u) * 4096ull;	/* every block once */
			fuse_dispatch(&srv, req, build(FUSE_WRITE, e[1].nodeid, &wi, sizeof(wi), NULL, data, 4096), rep,
				      sizeof(rep));
			if (reply_error())
				return 1;
		}
		clock_now += 6;	/* past the commit interval */
		do {
			uint64_t s = sectors_written, w = write_cmds, f = flushes;

			counting = 1;
			CALLGRIND_TOGGLE_COLLECT;
			more = fuse_server_idle(&srv);
			CALLGRIND_TOGGLE_COLLECT;
			counting = 0;
			CALLGRIND_DUMP_STATS;
			steps++;
			mb = sectors_written - s > mb ? sectors_written - s : mb;
			mw = write_cmds - w > mw ? write_cmds - w : mw;
			mf = flushes - f > mf ? flushes - f : mf;
			if (steps > 2000) {
				printf("idle steps never end\n");
				return 1;
			}
		} while (more > 0);
	}
	printf("idle steps %lu\n", steps);
	printf("max sectors %llu writes %llu flushes %llu\n", (unsigned long long)mb, (unsigned long long)mw,
	       (unsigned long long)mf);
	return 0;
}

int main(int argc, char **argv)
{
	static struct blockdev_file bf;
	struct vfs *fs = NULL;
	struct fuse_init_in ii = { .major = 7, .minor = 38 };
	struct fuse_create_in ci = { .flags = 2, .mode = S_IFREG | 0644 };
	struct fuse_entry_out e;
	uint64_t fh;
	static uint8_t data[4096];
	int n;
	const char *op;

	if (argc != 4 || blockdev_file_open(&bf, argv[1], 0))
		return 2;
	op = argv[2];
	n = atoi(argv[3]);
	vfs_set_clock(fixed_clock);
	lower = &bf.bd;
	counted = *lower;
	counted.read = count_read;
	counted.write = count_write;
	counted.flush = count_flush;
	counted.write_fua = NULL;	/* FUA counted as a write and a flush */
	if (vfs_mount(&fs, &counted, 0))
		return 2;
	fuse_server_init(&srv, fs);
	fuse_dispatch(&srv, req, build(FUSE_INIT, 0, &ii, sizeof(ii), NULL, NULL, 0), rep, sizeof(rep));
	fuse_dispatch(&srv, req, build(FUSE_CREATE, FUSE_ROOT_ID, &ci, sizeof(ci), "f", NULL, 0), rep, sizeof(rep));
	memcpy(&e, rep + sizeof(struct fuse_out_header), sizeof(e));
	memcpy(&fh, rep + sizeof(struct fuse_out_header) + sizeof(e), sizeof(fh));
	{
		struct fuse_write_in wi = { .fh = fh, .size = sizeof(data) };
		int pages = !strncmp(op, "dax_", 4) ? 1024 : 64;

		for (int i = 0; i < pages; i++) {
			wi.offset = (uint64_t)i * sizeof(data);
			fuse_dispatch(&srv, req, build(FUSE_WRITE, e.nodeid, &wi, sizeof(wi), NULL, data, sizeof(data)),
				      rep, sizeof(rep));
		}
	}
	if (!strncmp(op, "dax_", 4))
		return bench_dax(op, n, fs, &e, fh);
	if (!strcmp(op, "forget1m") || !strcmp(op, "idle1m"))
		return bench_forget(op, n, fs, data);
	if (!strcmp(op, "idlewb1m"))
		return bench_idle_wb(n, data);
	if (!strcmp(op, "seq1m")) {
		/* N x (1 MiB of 4 KiB appends, then FSYNC): everything measured,
		 * device commands counted (the commit's share is what changes) */
		for (int i = 0; i < n; i++) {
			struct fuse_fsync_in fi = { .fh = fh };

			for (int k = 0; k < 256; k++) {
				struct fuse_write_in wi = { .fh = fh, .size = sizeof(data),
							    .offset = (64u + 256u * i + k) * (uint64_t)sizeof(data) };

				measure(build(FUSE_WRITE, e.nodeid, &wi, sizeof(wi), NULL, data, sizeof(data)));
				if (reply_error())
					return 1;
			}
			measure(build(FUSE_FSYNC, e.nodeid, &fi, sizeof(fi), NULL, NULL, 0));
			if (reply_error())
				return 1;
		}
		printf("sectors read %llu written %llu\n", (unsigned long long)sectors_read,
		       (unsigned long long)sectors_written);
		printf("commands write %llu flush %llu\n", (unsigned long long)write_cmds, (unsigned long long)flushes);
		vfs_unmount(fs);
		return 0;
	}
	for (int i = 0; i < n; i++) {
		size_t len;
		char name[32];

		if (!strcmp(op, "getattr")) {
			struct fuse_getattr_in gi = { 0 };

			len = build(FUSE_GETATTR, e.nodeid, &gi, sizeof(gi), NULL, NULL, 0);
		} else if (!strcmp(op, "lookup")) {
			len = build(FUSE_LOOKUP, FUSE_ROOT_ID, NULL, 0, "f", NULL, 0);
		} else if (!strcmp(op, "read4k")) {
			struct fuse_read_in ri = { .fh = fh, .offset = (uint64_t)(i % 64) * 4096, .size = 4096 };

			len = build(FUSE_READ, e.nodeid, &ri, sizeof(ri), NULL, NULL, 0);
		} else if (!strcmp(op, "append4k")) {
			/* past EOF: a hole to fill each time */
			struct fuse_write_in wi = { .fh = fh, .offset = (uint64_t)(64 + i) * 4096, .size = 4096 };

			len = build(FUSE_WRITE, e.nodeid, &wi, sizeof(wi), NULL, data, sizeof(data));
		} else if (!strcmp(op, "write4k")) {
			struct fuse_write_in wi = { .fh = fh, .offset = (uint64_t)(i % 64) * 4096, .size = 4096 };

			len = build(FUSE_WRITE, e.nodeid, &wi, sizeof(wi), NULL, data, sizeof(data));
		} else if (!strcmp(op, "create")) {
			snprintf(name, sizeof(name), "c%d", i);
			len = build(FUSE_CREATE, FUSE_ROOT_ID, &ci, sizeof(ci), name, NULL, 0);
		} else {
			return 2;
		}
		CALLGRIND_TOGGLE_COLLECT;
		fuse_dispatch(&srv, req, len, rep, sizeof(rep));
		CALLGRIND_TOGGLE_COLLECT;
	}
	vfs_unmount(fs);
	return 0;
}
