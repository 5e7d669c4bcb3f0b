/*
 * Power-cut campaigns over a volatile write cache (world/ssd/vcache.h).
 *
 * One run of a workload on a fresh image records every write and FLUSH the
 * filesystem sends (the device is an in-memory image), together with a
 * model of what the workload did: its operations in order, each tagged with
 * the device event at which it began, and at every completed fsync,
 * fdatasync, directory fsync or syncfs a snapshot of what that call made
 * durable. A cut point is an event E (a write or a FLUSH, which then never
 * completes): what the FLUSHes before E cover is
 * on the media, the writes after the last of them are in the cache and
 * vcache_resolve() loses, keeps or tears each (and lands the survivors in
 * any order), writes from E on never happen. The cut image is mounted with
 * firmware/fs (journal replay, orphans), checked against the model, unmounted
 * and given to e2fsck -fn. The checks:
 *   - every byte of a file as its last completed fsync/fdatasync/syncfs left
 *     it reads back, unless an operation begun before the cut touched it;
 *   - every name as the last completed fsync of its directory (or syncfs)
 *     left it is there (or absent), unless an operation begun before the cut
 *     touched it; a rename begun before the cut leaves the object under its
 *     old name or its new one, exactly one;
 *   - xattrs and sizes as fsync left them.
 * Workload phases: data (writes, appends, overwrites, fsync/fdatasync),
 * namespace storms (create, rename, unlink, mkdir, rmdir, directory fsync,
 * syncfs), allocation (fallocate, punch, zero range, truncate, xattrs),
 * remount (unmount, mount, a create, syncfs: the superblock writes that
 * bypass the journal). Each
 * cut point is also classed by the write it falls before: journal (the
 * commit), checkpoint (in-place metadata after a commit) or other (file
 * data and everything outside a commit).
 *
 * usage: crash_test WORKDIR [-n CUTS] [-s SEED] [-c CUT_INDEX] [-k KERNEL_SAMPLES]
 *        [-b BLOCKSIZE] [-x SCALE] [-i IMAGE] [--floor-cut N] [--floor-class N]
 * -k N saves N of the cut images (WORKDIR/kernel-CUT.img) for Linux to
 * replay; -c CUT -i IMAGE then checks such an image (already replayed)
 * against the same model instead of building the cut.
 * Prints every failure with its seed and cut point; -s SEED -c INDEX reruns
 * exactly that cut. Exit 0 only if every cut passed and the floors hold.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "blockdev_file.h"
#include "crc.h"
#include "figures.h"
#include "vcache.h"
#include "vfs.h"

#ifndef FALLOC_FL_KEEP_SIZE
#define FALLOC_FL_KEEP_SIZE 0x01
#define FALLOC_FL_PUNCH_HOLE 0x02
#define FALLOC_FL_ZERO_RANGE 0x10
#endif

#define IMG_BYTES (16u << 20)
#define NDIR 4			/* d0..d2 hold files, d3 directories */
#define NSLOT 24		/* names per directory */
#define NSLOTS (NDIR * NSLOT)
#define MAXOBJ 1024
#define FMAX 65536		/* largest file */
#define XMAX 200		/* largest xattr value */
#define MAXRANGE 12		/* uncertain ranges kept per object before merging */

/* ------------------------------------------------------------ the device */

enum { EV_WRITE, EV_FLUSH };
enum { CL_OTHER, CL_JOURNAL, CL_CHECKPOINT, NCLASS };
static const char *class_name[NCLASS] = { "other", "journal", "checkpoint" };
enum { PH_SETUP, PH_DATA, PH_META, PH_ALLOC, PH_REMOUNT, NPHASE };
static const char *phase_name[NPHASE] = { "setup", "data", "namespace", "alloc", "remount" };

struct ev {
	uint8_t type, cls, phase, fua;
	uint32_t count;
	uint64_t sector;
	uint64_t off;		/* data in the arena */
};

static struct ev *evs;
static long nev, evcap;
static uint8_t *arena;
static uint64_t arena_len, arena_cap;
static int recording, cur_phase;
#define MAXJEXT 16
static uint64_t jext[MAXJEXT][2];	/* the journal's sectors: [start, end) per extent */
static int njext;
static uint64_t jsb_end;	/* the journal superblock (its first block) ends here */

static int in_journal(uint64_t sector)
{
	for (int i = 0; i < njext; i++)
		if (sector >= jext[i][0] && sector < jext[i][1])
			return 1;
	return 0;
}

struct memdev {
	struct blockdev bd;
	uint8_t *img;
};

static void ev_add(uint8_t type, uint64_t sector, uint32_t count, const void *buf, int fua)
{
	struct ev *e;

	if (nev == evcap) {
		evcap = evcap ? evcap * 2 : 4096;
		evs = realloc(evs, (size_t)evcap * sizeof(*evs));
	}
	e = &evs[nev++];
	memset(e, 0, sizeof(*e));
	e->type = type;
	e->sector = sector;
	e->count = count;
	e->phase = (uint8_t)cur_phase;
	e->fua = (uint8_t)fua;
	if (type == EV_WRITE) {
		uint64_t len = (uint64_t)count * VCACHE_SECTOR;

		if (arena_len + len > arena_cap) {
			arena_cap = (arena_cap + len) * 2;
			arena = realloc(arena, arena_cap);
		}
		memcpy(arena + arena_len, buf, len);
		e->off = arena_len;
		arena_len += len;
		e->cls = in_journal(sector) ? CL_JOURNAL : CL_OTHER;
	}
}

/* In-place writes followed, before any other journal write, by the journal
 * superblock alone (the log marked empty) are a checkpoint's; a FLUSH is
 * classed with the write before it (a cut there: it never completes). */
static void ev_classify(void)
{
	int cp = 0;

	for (long i = nev - 1; i >= 0; i--) {
		struct ev *e = &evs[i];
		if (e->type != EV_WRITE)
			continue;
		if (e->cls == CL_JOURNAL)
			cp = e->sector == jext[0][0] && e->sector + e->count == jsb_end;
		else if (cp)
			e->cls = CL_CHECKPOINT;
	}
	for (long i = 0; i < nev; i++)
		if (evs[i].type == EV_FLUSH)
			evs[i].cls = i ? evs[i - 1].cls : CL_OTHER;
}

static int mem_read(struct blockdev *bd, uint64_t sector, uint32_t count, void *buf)
{
	struct memdev *m = bd->priv;

	if (sector > bd->nsectors || count > bd->nsectors - sector)
		return -EINVAL;
	memcpy(buf, m->img + sector * VCACHE_SECTOR, (size_t)count * VCACHE_SECTOR);
	return 0;
}

static int mem_write(struct blockdev *bd, uint64_t sector, uint32_t count, const void *buf)
{
	struct memdev *m = bd->priv;

	if (sector > bd->nsectors || count > bd->nsectors - sector)
		return -EINVAL;
	if (recording)
		ev_add(EV_WRITE, sector, count, buf, 0);
	memcpy(m->img + sector * VCACHE_SECTOR, buf, (size_t)count * VCACHE_SECTOR);
	return 0;
}

/* Durable on completion: the cut model keeps it whole (vcache.h). */
static int mem_write_fua(struct blockdev *bd, uint64_t sector, uint32_t count, const void *buf)
{
	struct memdev *m = bd->priv;

	if (sector > bd->nsectors || count > bd->nsectors - sector)
		return -EINVAL;
	if (recording)
		ev_add(EV_WRITE, sector, count, buf, 1);
	memcpy(m->img + sector * VCACHE_SECTOR, buf, (size_t)count * VCACHE_SECTOR);
	return 0;
}

static int mem_flush(struct blockdev *bd)
{
	(void)bd;
	if (recording)
		ev_add(EV_FLUSH, 0, 0, NULL, 0);
	return 0;
}

/* --------------------------------------------------------------- the model */

struct obj {
	uint64_t ino;
	int isdir;
	uint32_t size;
	uint8_t *data;
	int xlen;		/* -1: no user.x */
	uint8_t xval[XMAX];
};

/* A completed sync of one object's data (and metadata unless datasync). */
struct dsnap {
	int obj;
	long seq, end;		/* the sync's op number, the event count when it returned */
	int slot;		/* where the object was */
	int meta;		/* size and xattr covered (fsync, syncfs) */
	uint32_t size;
	uint8_t *data;
	int xlen;
	uint8_t xval[XMAX];
};

/* A completed sync of one directory's names. */
struct nsnap {
	int dir;
	long seq, end;
	int obj[NSLOT];		/* -1: empty */
};

enum { OP_WRITE, OP_TRUNC, OP_FALLOC, OP_PUNCH, OP_XATTR, OP_CREATE, OP_UNLINK, OP_RENAME, OP_MKDIR, OP_RMDIR,
       OP_SYNC };

struct op {
	uint8_t type;
	long seq, start;
	int obj;		/* the object whose content it changes, or the one moved */
	uint32_t off, len;	/* byte range; for OP_TRUNC off = new size */
	int slot_a, slot_b;	/* namespace: the slots it touches (-1 none) */
	int replaced;		/* rename: the object it replaced (-1 none) */
};

static struct obj objs[MAXOBJ];
static int nobj;
static int slots[NSLOTS];	/* live model: slot -> object or -1 */
static int obj_slot[MAXOBJ];
static uint64_t dir_ino[NDIR];
static struct dsnap *dsnaps;
static long ndsnap, dsnapcap;
static struct nsnap *nsnaps;
static long nnsnap, nsnapcap;
static struct op *ops;
static long nops, opcap;
static long opseq;
static struct vfs *wfs;
static uint64_t wl_rng;
static char failmsg[512];
static struct memdev md;	/* the recorded run's device */
static uint8_t *base_img;	/* the image when recording starts */

static uint64_t fake_us;
static void fake_clock(uint64_t *sec, uint32_t *nsec)
{
	fake_us += 1000;	/* each reading 1 ms: the 5 s commit interval does fire, deterministically */
	*sec = 1700000000ull + fake_us / 1000000;
	*nsec = (uint32_t)(fake_us % 1000000) * 1000;
}

static uint32_t wr(uint32_t n) { return (uint32_t)(vcache_rand(&wl_rng) % n); }

static void slot_name(char *b, int slot) { snprintf(b, 16, "n%02d", slot % NSLOT); }

static struct op *op_begin(uint8_t type, int obj)
{
	struct op *o;

	if (nops == opcap) {
		opcap = opcap ? opcap * 2 : 4096;
		ops = realloc(ops, (size_t)opcap * sizeof(*ops));
	}
	o = &ops[nops++];
	memset(o, 0, sizeof(*o));
	o->type = type;
	o->seq = ++opseq;
	o->start = nev;
	o->obj = obj;
	o->slot_a = o->slot_b = o->replaced = -1;
	return o;
}

#define WL_OK(expr) do { long r_ = (long)(expr); if (r_ < 0) { \
	fprintf(stderr, "workload: %s: %ld (%s)\n", #expr, r_, vfs_last_error(wfs)); exit(2); } } while (0)

static void snap_obj(int o, long seq, int meta)
{
	struct dsnap *s;

	if (ndsnap == dsnapcap) {
		dsnapcap = dsnapcap ? dsnapcap * 2 : 1024;
		dsnaps = realloc(dsnaps, (size_t)dsnapcap * sizeof(*dsnaps));
	}
	s = &dsnaps[ndsnap++];
	s->obj = o;
	s->seq = seq;
	s->end = nev;
	s->slot = obj_slot[o];
	s->meta = meta;
	s->size = objs[o].size;
	s->data = malloc(objs[o].size ? objs[o].size : 1);
	memcpy(s->data, objs[o].data, objs[o].size);
	s->xlen = objs[o].xlen;
	memcpy(s->xval, objs[o].xval, sizeof(s->xval));
}

static void snap_dir(int d, long seq)
{
	struct nsnap *s;

	if (nnsnap == nsnapcap) {
		nsnapcap = nsnapcap ? nsnapcap * 2 : 1024;
		nsnaps = realloc(nsnaps, (size_t)nsnapcap * sizeof(*nsnaps));
	}
	s = &nsnaps[nnsnap++];
	s->dir = d;
	s->seq = seq;
	s->end = nev;
	memcpy(s->obj, &slots[d * NSLOT], sizeof(s->obj));
}

/* fsync / fdatasync of a file, fsync of a directory, syncfs */
static void do_fsync(int o, int datasync)
{
	struct op *op = op_begin(OP_SYNC, o);
	long seq = op->seq;

	WL_OK(vfs_fsync(wfs, objs[o].ino, datasync));
	snap_obj(o, seq, !datasync);
}

static void do_fsync_dir(int d)
{
	long seq = op_begin(OP_SYNC, -1)->seq;

	WL_OK(vfs_fsync(wfs, dir_ino[d], 0));
	snap_dir(d, seq);
}

static void do_syncfs(void)
{
	long seq = op_begin(OP_SYNC, -1)->seq;

	WL_OK(vfs_sync(wfs));
	for (int d = 0; d < NDIR; d++)
		snap_dir(d, seq);
	for (int o = 0; o < nobj; o++)
		if (obj_slot[o] >= 0 && !objs[o].isdir)
			snap_obj(o, seq, 1);
}

static void fill(uint8_t *p, uint32_t len)
{
	uint64_t v = vcache_rand(&wl_rng);

	for (uint32_t i = 0; i < len; i++) {
		p[i] = (uint8_t)(v >> (8 * (i & 7)));
		if ((i & 7) == 7)
			v = v * 6364136223846793005ull + 1442695040888963407ull;
	}
}

static void do_write(int o, uint32_t off, uint32_t len)
{
	static uint8_t buf[FMAX];
	struct obj *ob = &objs[o];
	struct op *op = op_begin(OP_WRITE, o);

	op->off = off;
	op->len = len;
	fill(buf, len);
	if (vfs_write(wfs, ob->ino, off, buf, len) != (long)len) {
		fprintf(stderr, "workload: write %u+%u failed\n", off, len);
		exit(2);
	}
	if (off > ob->size)
		memset(ob->data + ob->size, 0, off - ob->size);
	memcpy(ob->data + off, buf, len);
	if (off + len > ob->size)
		ob->size = off + len;
}

static int new_obj(uint64_t ino, int isdir, int slot)
{
	struct obj *ob;

	if (nobj == MAXOBJ) {
		fprintf(stderr, "workload: too many objects\n");
		exit(2);
	}
	ob = &objs[nobj];
	ob->ino = ino;
	ob->isdir = isdir;
	ob->size = 0;
	if (!ob->data)
		ob->data = calloc(1, FMAX);
	ob->xlen = -1;
	obj_slot[nobj] = slot;
	slots[slot] = nobj;
	return nobj++;
}

static void do_create(int slot, uint32_t len)
{
	struct vfs_attr a;
	char n[16];
	struct op *op = op_begin(OP_CREATE, -1);
	int o;

	slot_name(n, slot);
	op->slot_a = slot;
	WL_OK(vfs_mknod(wfs, dir_ino[slot / NSLOT], n, strlen(n), S_IFREG | 0644, 0, 0, 0, &a));
	o = new_obj(a.ino, 0, slot);
	op->obj = o;
	if (len)
		do_write(o, 0, len);
}

static void do_mkdir(int slot)
{
	struct vfs_attr a;
	char n[16];
	struct op *op = op_begin(OP_MKDIR, -1);

	slot_name(n, slot);
	op->slot_a = slot;
	WL_OK(vfs_mkdir(wfs, dir_ino[slot / NSLOT], n, strlen(n), 0755, 0, 0, &a));
	op->obj = new_obj(a.ino, 1, slot);
}

static void drop_obj(int o)
{
	slots[obj_slot[o]] = -1;
	obj_slot[o] = -1;
	WL_OK(vfs_evict(wfs, objs[o].ino));	/* the last reference: the inode is freed */
}

static void do_unlink(int slot)
{
	char n[16];
	int o = slots[slot];
	struct op *op = op_begin(objs[o].isdir ? OP_RMDIR : OP_UNLINK, o);

	slot_name(n, slot);
	op->slot_a = slot;
	if (objs[o].isdir)
		WL_OK(vfs_rmdir(wfs, dir_ino[slot / NSLOT], n, strlen(n)));
	else
		WL_OK(vfs_unlink(wfs, dir_ino[slot / NSLOT], n, strlen(n)));
	drop_obj(o);
}

static void do_rename(int from, int to)
{
	char a[16], b[16];
	int o = slots[from], r = slots[to];
	struct op *op = op_begin(OP_RENAME, o);

	slot_name(a, from);
	slot_name(b, to);
	op->slot_a = from;
	op->slot_b = to;
	op->replaced = r;
	WL_OK(vfs_rename(wfs, dir_ino[from / NSLOT], a, strlen(a), dir_ino[to / NSLOT], b, strlen(b), 0));
	if (r >= 0)
		drop_obj(r);
	slots[from] = -1;
	slots[to] = o;
	obj_slot[o] = to;
}

static void do_truncate(int o, uint32_t size)
{
	struct vfs_setattr sa = { .valid = VFS_SET_SIZE, .size = size };
	struct vfs_attr a;
	struct obj *ob = &objs[o];
	struct op *op = op_begin(OP_TRUNC, o);

	op->off = size < ob->size ? size : ob->size;
	WL_OK(vfs_setattr(wfs, ob->ino, &sa, &a));
	if (size > ob->size)
		memset(ob->data + ob->size, 0, size - ob->size);
	ob->size = size;
}

static void do_falloc(int o, uint32_t mode, uint32_t off, uint32_t len)
{
	struct obj *ob = &objs[o];
	struct op *op = op_begin(mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE) ? OP_PUNCH : OP_FALLOC, o);

	op->off = off;
	op->len = len;
	WL_OK(vfs_fallocate(wfs, ob->ino, mode, off, len));
	if (mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE)) {
		uint32_t end = off + len < ob->size ? off + len : ob->size;

		if (off < end)
			memset(ob->data + off, 0, end - off);
	}
	if (!(mode & FALLOC_FL_KEEP_SIZE) && off + len > ob->size) {
		memset(ob->data + ob->size, 0, off + len - ob->size);
		ob->size = off + len;
	}
}

static void do_xattr(int o)
{
	struct obj *ob = &objs[o];

	op_begin(OP_XATTR, o);
	if (ob->xlen >= 0 && wr(3) == 0) {
		WL_OK(vfs_removexattr(wfs, ob->ino, "user.x"));
		ob->xlen = -1;
		return;
	}
	ob->xlen = 1 + (int)wr(wr(2) ? 24 : XMAX);
	fill(ob->xval, (uint32_t)ob->xlen);
	WL_OK(vfs_setxattr(wfs, ob->ino, "user.x", ob->xval, (size_t)ob->xlen, 0));
}

static int pick_slot(int lo_dir, int ndirs, int occupied, int want_dir)
{
	for (int tries = 0; tries < 64; tries++) {
		int s = (lo_dir + (int)wr((uint32_t)ndirs)) * NSLOT + (int)wr(NSLOT);

		if ((slots[s] >= 0) == occupied && (!occupied || objs[slots[s]].isdir == want_dir))
			return s;
	}
	return -1;
}

static int pick_file(void)
{
	int s = pick_slot(0, 3, 1, 0);

	return slots[s < 0 ? 0 : s];
}

static void workload(int scale)
{
	struct vfs_attr a;

	/* setup (not cut): the directories, durable before recording starts */
	cur_phase = PH_SETUP;
	for (int d = 0; d < NDIR; d++) {
		char n[8];

		snprintf(n, sizeof(n), "d%d", d);
		WL_OK(vfs_mkdir(wfs, vfs_root(wfs), n, 2, 0755, 0, 0, &a));
		dir_ino[d] = a.ino;
	}
	for (int s = 0; s < NSLOTS; s++)
		slots[s] = -1;
	for (int s = 0; s < 6; s++)
		do_create(s, 0);
	WL_OK(vfs_sync(wfs));
	memcpy(base_img, md.img, IMG_BYTES);
	recording = 1;
	do_syncfs();

	/* data: overwrites, appends, fsync and fdatasync */
	cur_phase = PH_DATA;
	for (int i = 0; i < 60 * scale; i++) {
		int o = slots[wr(6)];
		uint32_t k = wr(10);

		if (k < 5) {
			uint32_t len = 1 + wr(k < 2 ? 600 : 9000), off = wr(FMAX - len);
			if (off > objs[o].size + 4096)
				off = objs[o].size;
			do_write(o, off, len);
		} else if (k < 7) {
			uint32_t len = 1 + wr(6000);
			if (objs[o].size + len <= FMAX)
				do_write(o, objs[o].size, len);
		} else if (k < 9) {
			do_fsync(o, (int)wr(2));
		} else if (wr(4) == 0) {
			do_syncfs();
		}
	}
	do_fsync(slots[0], 0);

	/* namespace storms */
	cur_phase = PH_META;
	for (int i = 0; i < 120 * scale; i++) {
		uint32_t k = wr(20);
		int s, t;

		if (k < 5 && (s = pick_slot(0, 3, 0, 0)) >= 0) {
			do_create(s, wr(3) ? wr(2500) : 0);
		} else if (k < 8 && (s = pick_slot(0, 3, 1, 0)) >= 0 && s >= 6) {
			do_unlink(s);
		} else if (k < 12 && (s = pick_slot(0, 3, 1, 0)) >= 6 && (t = pick_slot(0, 3, (int)wr(2), 0)) >= 6 && s != t) {
			do_rename(s, t);
		} else if (k < 13 && (s = pick_slot(3, 1, 0, 1)) >= 0) {
			do_mkdir(s);
		} else if (k < 14 && (s = pick_slot(3, 1, 1, 1)) >= 0) {
			if (wr(2) && (t = pick_slot(3, 1, 0, 1)) >= 0)
				do_rename(s, t);
			else
				do_unlink(s);
		} else if (k < 17) {
			do_fsync_dir((int)wr(NDIR));
		} else if (k < 18) {
			do_syncfs();
		} else if ((s = pick_slot(0, 3, 1, 0)) >= 0) {
			do_fsync(slots[s], (int)wr(2));
		}
		/* a step of idle work between requests, as the card and the
		 * model run it: queued evictions (half done at some cuts), an
		 * early commit */
		vfs_idle(wfs);
	}
	do_syncfs();

	/* allocation and xattrs */
	cur_phase = PH_ALLOC;
	for (int i = 0; i < 60 * scale; i++) {
		int o = pick_file();
		uint32_t k = wr(12), off = wr(FMAX / 2), len = 1 + wr(FMAX / 4);

		if (k < 2)
			do_falloc(o, wr(2) ? 0 : FALLOC_FL_KEEP_SIZE, off, len);
		else if (k < 3)
			do_falloc(o, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, len);
		else if (k < 4)
			do_falloc(o, FALLOC_FL_ZERO_RANGE, off, len);
		else if (k < 6)
			do_truncate(o, wr(FMAX));
		else if (k < 8)
			do_xattr(o);
		else if (k < 9)
			do_write(o, off, len);
		else if (k < 11)
			do_fsync(o, (int)wr(2));
		else
			do_syncfs();
	}
	/* unmount and mount again, a few times: the superblock's own writes */
	cur_phase = PH_REMOUNT;
	for (int i = 0; i < 4 * scale; i++) {
		int s;

		op_begin(OP_SYNC, -1);
		WL_OK(vfs_unmount(wfs));
		WL_OK(vfs_mount(&wfs, &md.bd, 0));
		if ((s = pick_slot(0, 3, 0, 0)) >= 0)
			do_create(s, 1 + wr(3000));
		do_syncfs();
	}
	recording = 0;
	ev_classify();
}

/* ------------------------------------------------------------ the checker */

struct unc {
	int n;
	uint32_t lo[MAXRANGE], hi[MAXRANGE];
	int size;		/* size uncertain */
	int xattr;
	int moved;		/* a namespace op touched it */
};

static void unc_add(struct unc *u, uint32_t lo, uint32_t hi)
{
	if (u->n == MAXRANGE) {		/* merge everything: more uncertain, never less */
		for (int i = 1; i < u->n; i++) {
			if (u->lo[i] < u->lo[0])
				u->lo[0] = u->lo[i];
			if (u->hi[i] > u->hi[0])
				u->hi[0] = u->hi[i];
		}
		u->n = 1;
	}
	u->lo[u->n] = lo;
	u->hi[u->n] = hi;
	u->n++;
}

static int unc_has(const struct unc *u, uint32_t b)
{
	for (int i = 0; i < u->n; i++)
		if (b >= u->lo[i] && b < u->hi[i])
			return 1;
	return 0;
}

#define FAIL(...) do { snprintf(failmsg, sizeof(failmsg), __VA_ARGS__); goto out; } while (0)

static struct unc uncs[MAXOBJ];
static const struct dsnap *dlast[MAXOBJ];
static long slot_seq[NSLOTS];
static const struct nsnap *nlast[NDIR];
static int slot_touch[NSLOTS];

static int lookup_slot(struct vfs *fs, int slot, uint64_t *ino)
{
	char n[16];
	struct vfs_attr a;
	int err;

	slot_name(n, slot);
	err = vfs_lookup(fs, dir_ino[slot / NSLOT], n, strlen(n), &a);
	*ino = err ? 0 : a.ino;
	return err;
}

/* The checks of one cut (after E events); returns 0 or -1 with failmsg set. */
static int check_cut(struct vfs *fs, long E, long *checked_bytes, long *checked_names)
{
	static uint8_t got[FMAX + 1];
	int ret = -1;

	memset(uncs, 0, sizeof(uncs));
	memset(dlast, 0, sizeof(dlast));
	memset(nlast, 0, sizeof(nlast));
	memset(slot_touch, 0, sizeof(slot_touch));
	for (long i = 0; i < ndsnap && dsnaps[i].end <= E; i++)
		dlast[dsnaps[i].obj] = &dsnaps[i];
	for (long i = 0; i < nnsnap && nsnaps[i].end <= E; i++)
		nlast[nsnaps[i].dir] = &nsnaps[i];
	for (int s = 0; s < NSLOTS; s++)
		slot_seq[s] = nlast[s / NSLOT] ? nlast[s / NSLOT]->seq : 0;
	/* everything begun before the cut and after the snapshot that covers it is uncertain */
	for (long i = 0; i < nops && ops[i].start < E; i++) {
		const struct op *op = &ops[i];
		const struct dsnap *ds = op->obj >= 0 ? dlast[op->obj] : NULL;
		long dseq = ds ? ds->seq : 0;
		struct unc *u = op->obj >= 0 ? &uncs[op->obj] : NULL;

		if (op->slot_a >= 0 && op->seq > slot_seq[op->slot_a])
			slot_touch[op->slot_a]++;
		if (op->slot_b >= 0 && op->seq > slot_seq[op->slot_b])
			slot_touch[op->slot_b]++;
		if (!u || op->seq <= dseq)
			continue;
		switch (op->type) {
		case OP_WRITE:
		case OP_PUNCH:
			unc_add(u, op->off, op->off + op->len);
			u->size = 1;	/* may extend (punch/zero: may not, but size is checked only when certain) */
			break;
		case OP_TRUNC:
			unc_add(u, op->off, UINT32_MAX);
			u->size = 1;
			break;
		case OP_FALLOC:
			u->size = 1;
			break;
		case OP_XATTR:
			u->xattr = 1;
			break;
		case OP_CREATE: case OP_MKDIR: case OP_UNLINK: case OP_RMDIR: case OP_RENAME:
			u->moved = 1;
			break;
		}
		if (op->type == OP_RENAME && op->replaced >= 0 && dlast[op->replaced] && op->seq > dlast[op->replaced]->seq)
			uncs[op->replaced].moved = 1;
		if ((op->type == OP_UNLINK || op->type == OP_RMDIR) && op->obj >= 0)
			uncs[op->obj].moved = 1;
	}
	/* names: as the last directory sync left them, where nothing touched them since */
	for (int s = 0; s < NSLOTS; s++) {
		const struct nsnap *ns = nlast[s / NSLOT];
		uint64_t ino;
		int err, want;

		if (!ns || slot_touch[s])
			continue;
		want = ns->obj[s % NSLOT];
		err = lookup_slot(fs, s, &ino);
		(*checked_names)++;
		if (want < 0 && err != -ENOENT)
			FAIL("name d%d/n%02d: should be absent (dir synced at event %ld), lookup %d", s / NSLOT,
			     s % NSLOT, ns->end, err);
		if (want >= 0 && (err || ino != objs[want].ino))
			FAIL("name d%d/n%02d: should be inode %llu (dir synced at event %ld), lookup %d ino %llu",
			     s / NSLOT, s % NSLOT, (unsigned long long)objs[want].ino, ns->end, err,
			     (unsigned long long)ino);
	}
	/* renames begun before the cut from a name the last sync fixed: old or new, exactly one */
	for (long i = 0; i < nops && ops[i].start < E; i++) {
		const struct op *op = &ops[i];
		const struct nsnap *na, *nb;
		uint64_t ia, ib;
		int ea, eb, o = op->obj;

		if (op->type != OP_RENAME)
			continue;
		na = nlast[op->slot_a / NSLOT];
		nb = nlast[op->slot_b / NSLOT];
		if (!na || !nb || op->seq < slot_seq[op->slot_a] || op->seq < slot_seq[op->slot_b] ||
		    slot_touch[op->slot_a] != 1 || slot_touch[op->slot_b] != 1 || na->obj[op->slot_a % NSLOT] != o ||
		    nb->obj[op->slot_b % NSLOT] != op->replaced)
			continue;
		ea = lookup_slot(fs, op->slot_a, &ia);
		eb = lookup_slot(fs, op->slot_b, &ib);
		(*checked_names)++;
		if ((ea == 0 && ia == objs[o].ino) == (eb == 0 && ib == objs[o].ino))
			FAIL("rename d%d/n%02d -> d%d/n%02d begun at event %ld: inode %llu %s", op->slot_a / NSLOT,
			     op->slot_a % NSLOT, op->slot_b / NSLOT, op->slot_b % NSLOT, op->start,
			     (unsigned long long)objs[o].ino, ea == 0 && ia == objs[o].ino ? "under both names" : "under neither name");
		if (ea == 0 && ia == objs[o].ino &&
		    (op->replaced >= 0 ? eb || ib != objs[op->replaced].ino : eb != -ENOENT))
			FAIL("rename d%d/n%02d -> d%d/n%02d begun at event %ld: not done, but the target changed",
			     op->slot_a / NSLOT, op->slot_a % NSLOT, op->slot_b / NSLOT, op->slot_b % NSLOT, op->start);
		if (eb == 0 && ib == objs[o].ino && ea != -ENOENT)
			FAIL("rename d%d/n%02d -> d%d/n%02d begun at event %ld: done, but the old name is still there",
			     op->slot_a / NSLOT, op->slot_a % NSLOT, op->slot_b / NSLOT, op->slot_b % NSLOT, op->start);
	}
	/* data, sizes, xattrs as the last fsync/fdatasync/syncfs left them */
	for (int o = 0; o < nobj; o++) {
		const struct dsnap *ds = dlast[o];
		const struct unc *u = &uncs[o];
		struct vfs_attr a;
		uint64_t ino;
		long n;

		if (!ds || u->moved || ds->slot < 0 || lookup_slot(fs, ds->slot, &ino) || ino != objs[o].ino)
			continue;
		if (vfs_getattr(fs, ino, &a))
			FAIL("getattr of inode %llu", (unsigned long long)ino);
		if (ds->meta && !u->size && a.size != ds->size)
			FAIL("inode %llu (d%d/n%02d): size %llu, fsync at event %ld left %u", (unsigned long long)ino,
			     ds->slot / NSLOT, ds->slot % NSLOT, (unsigned long long)a.size, ds->end, ds->size);
		n = vfs_read(fs, ino, 0, got, sizeof(got));
		if (n < 0)
			FAIL("read of inode %llu: %ld", (unsigned long long)ino, n);
		for (uint32_t b = 0; b < ds->size; b++) {
			if (unc_has(u, b))
				continue;
			(*checked_bytes)++;
			if ((long)b >= n || got[b] != ds->data[b])
				FAIL("inode %llu (d%d/n%02d) byte %u: %s, synced at event %ld as 0x%02x",
				     (unsigned long long)ino, ds->slot / NSLOT, ds->slot % NSLOT, b,
				     (long)b >= n ? "past the end" : "differs", ds->end, ds->data[b]);
		}
		if (ds->meta && !u->xattr) {
			uint8_t xv[XMAX];
			long xl = vfs_getxattr(fs, ino, "user.x", xv, sizeof(xv));

			if (ds->xlen < 0 ? xl != -ENODATA : xl != ds->xlen || memcmp(xv, ds->xval, (size_t)xl))
				FAIL("inode %llu: xattr user.x %ld bytes, fsync at event %ld left %d",
				     (unsigned long long)ino, xl, ds->end, ds->xlen);
		}
	}
	ret = 0;
out:
	return ret;
}

/* ----------------------------------------------------------------- driver */

static const char *workdir;

static int run(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	return st == -1 ? -1 : WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static int write_file(const char *path, const uint8_t *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	size_t done = 0;

	if (fd < 0)
		return -1;
	while (done < len) {
		ssize_t w = write(fd, buf + done, len - done);
		if (w <= 0) {
			close(fd);
			return -1;
		}
		done += (size_t)w;
	}
	close(fd);
	return 0;
}

/* Is the primary superblock's checksum right? (metadata_csum; else 1) */
static int sb_intact(const uint8_t *img)
{
	const uint8_t *sb = img + 1024;
	uint32_t want = (uint32_t)sb[0x3fc] | (uint32_t)sb[0x3fd] << 8 | (uint32_t)sb[0x3fe] << 16 |
			(uint32_t)sb[0x3ff] << 24;

	if (!(sb[0x65] & 0x04))		/* s_feature_ro_compat bit 10: METADATA_CSUM */
		return 1;
	return ext4_crc32c_raw(0xffffffffu, sb, 0x3fc) == want;
}

/* The journal's sectors (its extents): debugfs on the fresh image. */
static void find_journal(const char *img)
{
	char cmd[1400], line[4096];
	FILE *p;
	uint64_t bs = 1024;
	uint64_t ext[MAXJEXT][2];	/* first block, blocks */
	int n = 0;

	snprintf(cmd, sizeof(cmd), "dumpe2fs -h %s 2>/dev/null; debugfs -R 'stat <8>' %s 2>/dev/null", img, img);
	p = popen(cmd, "r");
	while (p && fgets(line, sizeof(line), p)) {
		unsigned long long a, b, c, d;

		if (sscanf(line, "Block size: %llu", &a) == 1)
			bs = a;
		if (line[0] != '(')
			continue;
		/* "(0-9):9-18, (10-24):20-34, (25):40, ..." */
		for (char *t = strtok(line, ","); t; t = strtok(NULL, ",")) {
			while (*t == ' ')
				t++;
			if (n == MAXJEXT)
				break;
			if (sscanf(t, "(%llu-%llu):%llu-%llu", &a, &b, &c, &d) == 4) {
				ext[n][0] = c;
				ext[n++][1] = d - c + 1;
			} else if (sscanf(t, "(%llu):%llu", &a, &c) == 2) {
				ext[n][0] = c;
				ext[n++][1] = 1;
			}
		}
	}
	if (p)
		pclose(p);
	njext = n;
	for (int i = 0; i < n; i++) {
		jext[i][0] = ext[i][0] * bs / VCACHE_SECTOR;
		jext[i][1] = (ext[i][0] + ext[i][1]) * bs / VCACHE_SECTOR;
	}
	jsb_end = n ? (ext[0][0] + 1) * bs / VCACHE_SECTOR : 0;
}

int main(int argc, char **argv)
{
	long ncuts = 1000, only = -1, floor_cut = 0, floor_class = 0;
	uint64_t seed = 1;
	int ksamples = 0, scale = 4, seed_given = 0;
	const char *bsopt = "", *check_path = NULL;
	char img[600], base_path[600], opts[64] = "";
	uint8_t *cut_img;
	long *wevs, nw = 0;
	unsigned *scratch;
	struct vcache_write *vw;
	long fails = 0, cut_points = 0, really = 0, vol_points = 0, bytes_checked = 0, names_checked = 0;
	long per_class[NCLASS] = { 0 }, per_phase[NPHASE] = { 0 };
	struct vcache_stats vst = { 0 };
	struct timeval t0, t1;
	int ksaved = 0;
	long torn_sb = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s WORKDIR [-n CUTS] [-s SEED] [-c CUT] [-k N] [-b BS] [-x SCALE] "
			"[--floor-cut N] [--floor-class N]\n", argv[0]);
		return 2;
	}
	workdir = argv[1];
	for (int i = 2; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "-n"))
			ncuts = atol(argv[i + 1]);
		else if (!strcmp(argv[i], "-s"))
			seed = strtoull(argv[i + 1], NULL, 0), seed_given = 1;
		else if (!strcmp(argv[i], "-c"))
			only = atol(argv[i + 1]);
		else if (!strcmp(argv[i], "-k"))
			ksamples = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "-b"))
			bsopt = argv[i + 1];
		else if (!strcmp(argv[i], "-i"))
			check_path = argv[i + 1];
		else if (!strcmp(argv[i], "-x"))
			scale = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--floor-cut"))
			floor_cut = atol(argv[i + 1]);
		else if (!strcmp(argv[i], "--floor-class"))
			floor_class = atol(argv[i + 1]);
		else {
			fprintf(stderr, "crash_test: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	if (!seed_given && getenv("CRASH_SEED"))	/* -s wins: run.sh derives seeds from it */
		seed = strtoull(getenv("CRASH_SEED"), NULL, 0);
	if (*bsopt)
		snprintf(opts, sizeof(opts), "-b %s", bsopt);
	gettimeofday(&t0, NULL);
	run("mkdir -p %s", workdir);
	snprintf(img, sizeof(img), "%s/cut.img", workdir);
	snprintf(base_path, sizeof(base_path), "%s/base.img", workdir);
	unlink(base_path);
	if (run("truncate -s %u %s && mke2fs -q -t ext4 -E root_owner=0:0,hash_seed=%08llx-0000-4000-8000-000000000001 %s -F %s >/dev/null 2>&1",
		IMG_BYTES, base_path, (unsigned long long)(seed & 0xffffffffu), opts, base_path)) {
		fprintf(stderr, "crash_test: mke2fs failed\n");
		return 2;
	}
	find_journal(base_path);
	if (!njext) {
		fprintf(stderr, "crash_test: journal not found\n");
		return 2;
	}

	/* the one recorded run */
	md.img = malloc(IMG_BYTES);
	{
		int fd = open(base_path, O_RDONLY);
		if (fd < 0 || pread(fd, md.img, IMG_BYTES, 0) != IMG_BYTES) {
			fprintf(stderr, "crash_test: read %s\n", base_path);
			return 2;
		}
		close(fd);
	}
	md.bd.nsectors = IMG_BYTES / VCACHE_SECTOR;
	md.bd.read = mem_read;
	md.bd.write = mem_write;
	md.bd.flush = mem_flush;
	md.bd.write_fua = mem_write_fua;
	md.bd.priv = &md;
	vfs_set_clock(fake_clock);
	wl_rng = seed * 0x9e3779b97f4a7c15ull + 7;
	WL_OK(vfs_mount(&wfs, &md.bd, 0));
	base_img = malloc(IMG_BYTES);
	workload(scale);
	WL_OK(vfs_unmount(wfs));
	free(md.img);

	wevs = malloc(sizeof(long) * (size_t)(nev + 1));
	/* cut points: before any write or flush (a cut there: it never completes) */
	for (long i = 0; i < nev; i++)
		nw += evs[i].type == EV_WRITE;
	for (long i = 0; i < nev; i++)
		wevs[i] = i;
	printf("crash: seed %llu, %s blocks: %ld events (%ld writes, %ld flushes), %ld operations, %ld fsync snapshots, "
	       "journal in %d extents from sector %llu\n", (unsigned long long)seed, *bsopt ? bsopt : "default", nev, nw, nev - nw,
	       nops, ndsnap, njext, (unsigned long long)jext[0][0]);
	if (nw < 2)
		return 2;
	cut_img = malloc(IMG_BYTES);
	scratch = malloc(sizeof(unsigned) * (size_t)nev);
	vw = malloc(sizeof(*vw) * (size_t)nev);
	for (long c = 0; c < ncuts; c++) {
		uint64_t cs = seed ^ (0xd1b54a32d192ed03ull * (uint64_t)(c + 1));
		long E = wevs[vcache_rand(&cs) % (uint64_t)nev], lastflush = -1, nv = 0;
		uint64_t rseed = vcache_rand(&cs), dropped;
		struct blockdev_file bf;
		struct vfs *fs;
		int bad = 0, err;

		if (only >= 0 && c != only)
			continue;
		memcpy(cut_img, base_img, IMG_BYTES);
		for (long i = 0; i < E; i++)
			if (evs[i].type == EV_FLUSH)
				lastflush = i;
		for (long i = 0; i < lastflush; i++)
			if (evs[i].type == EV_WRITE)
				memcpy(cut_img + evs[i].sector * VCACHE_SECTOR, arena + evs[i].off,
				       (size_t)evs[i].count * VCACHE_SECTOR);
		for (long i = lastflush + 1; i < E; i++) {
			vw[nv].sector = evs[i].sector;
			vw[nv].count = evs[i].count;
			vw[nv].data = arena + evs[i].off;
			vw[nv].fua = evs[i].fua;
			nv++;
		}
		dropped = vcache_resolve(cut_img, IMG_BYTES / VCACHE_SECTOR, vw, (unsigned)nv, rseed, scratch, &vst);
		cut_points++;
		really++;	/* write E and every later one never happen */
		vol_points += dropped > 0;
		per_class[evs[E].cls]++;
		per_phase[evs[E].phase]++;
		if (check_path) {
			/* an image this cut left and someone else (Linux) replayed: check it */
			snprintf(img, sizeof(img), "%s", check_path);
		} else if (write_file(img, cut_img, IMG_BYTES)) {
			fprintf(stderr, "crash_test: write %s\n", img);
			return 2;
		}
		torn_sb += !sb_intact(cut_img);
		/* Linux refuses a torn superblock (it has no fallback: e2fsck uses a
		 * backup), so its sample is taken from cuts that left it whole */
		if (ksamples && ksaved < ksamples && c >= (long)ksaved * (ncuts / ksamples) && sb_intact(cut_img)) {
			char kp[700];
			snprintf(kp, sizeof(kp), "%s/kernel-%ld.img", workdir, c);
			ksaved++;
			write_file(kp, cut_img, IMG_BYTES);
		}
		failmsg[0] = 0;
		err = blockdev_file_open(&bf, img, 0);
		if (!err) {
			err = vfs_mount(&fs, &bf.bd, 0);
			if (err) {
				snprintf(failmsg, sizeof(failmsg), "mount after the cut: %d (%s)", err, vfs_last_error(NULL));
				bad = 1;
			} else {
				if (check_cut(fs, E, &bytes_checked, &names_checked))
					bad = 1;
				if ((err = vfs_unmount(fs)) && !bad) {
					snprintf(failmsg, sizeof(failmsg), "unmount after the cut: %d", err);
					bad = 1;
				}
			}
			blockdev_file_close(&bf);
		}
		if (!bad && run("e2fsck -fn %s >%s/fsck.log 2>&1", img, workdir)) {
			snprintf(failmsg, sizeof(failmsg), "e2fsck -fn not clean after our replay (see %s/fsck.log)", workdir);
			bad = 1;
		}
		if (bad) {
			fails++;
			printf("FAIL crash seed %llu cut %ld (event %ld of %ld, %s write, %s phase, %ld cached writes, "
			       "%llu sectors dropped): %s\n   rerun: crash_test %s -s %llu -c %ld%s%s\n",
			       (unsigned long long)seed, c, E, nev, class_name[evs[E].cls], phase_name[evs[E].phase], nv,
			       (unsigned long long)dropped, failmsg, workdir, (unsigned long long)seed, c,
			       *bsopt ? " -b " : "", bsopt);
			if (fails == 1)
				run("cp %s %s/failed-cut.img", img, workdir);
			if (fails >= 10 && only < 0) {
				printf("crash: stopping after 10 failures\n");
				break;
			}
		}
	}
	gettimeofday(&t1, NULL);
	printf("crash: seed %llu: %ld cut points, %ld cut (dropped writes), %ld with cached writes lost or torn; "
	       "by class: journal %ld, checkpoint %ld, other %ld; by phase: data %ld, namespace %ld, alloc %ld, remount %ld; "
	       "cached writes %llu: %llu lost, %llu kept, %llu torn, %llu reordered cuts; "
	       "%ld bytes and %ld names checked; %ld left the superblock torn; %ld failed; %.1f s\n",
	       (unsigned long long)seed, cut_points, really, vol_points, per_class[CL_JOURNAL],
	       per_class[CL_CHECKPOINT], per_class[CL_OTHER], per_phase[PH_DATA], per_phase[PH_META],
	       per_phase[PH_ALLOC], per_phase[PH_REMOUNT], (unsigned long long)vst.writes, (unsigned long long)vst.lost,
	       (unsigned long long)vst.kept, (unsigned long long)vst.torn, (unsigned long long)vst.reordered,
	       bytes_checked, names_checked, torn_sb, fails,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_usec - t0.tv_usec) / 1e6);
	if (only < 0 && floor_cut && vol_points < floor_cut) {
		printf("FAIL crash: only %ld cut points lost or tore cached writes (floor %ld)\n", vol_points, floor_cut);
		fails++;
	}
	if (only < 0 && floor_class)
		for (int k = 0; k < NCLASS; k++)
			if (per_class[k] < floor_class) {
				printf("FAIL crash: %ld cut points at %s writes (floor %ld)\n", per_class[k], class_name[k],
				       floor_class);
				fails++;
			}
	if (only < 0 && floor_class)
		for (int k = PH_DATA; k < NPHASE; k++)
			if (per_phase[k] < floor_class) {
				printf("FAIL crash: %ld cut points in the %s phase (floor %ld)\n", per_phase[k], phase_name[k],
				       floor_class);
				fails++;
			}
	if (only < 0) {
		char id[64], cls[128], cases[160];

		snprintf(id, sizeof(id), "crash-host-b%s-s%llu", *bsopt ? bsopt : "1024", (unsigned long long)seed);
		snprintf(cases, sizeof(cases), "%ld cut points (%ld with cached writes lost, torn or reordered)",
			 cut_points, vol_points);
		snprintf(cls, sizeof(cls), "Power cut, volatile SSD write cache: host campaign, %s-byte blocks (test-crash)",
			 *bsopt ? bsopt : "1024");
		figures_row(id, !fails, cls, cases,
			    "%ld fsync'd bytes and %ld synced names read back; replay and `e2fsck -fn` clean after each",
			    bytes_checked, names_checked);
	}
	return fails ? 1 : 0;
}
