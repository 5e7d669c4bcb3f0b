/*
 * Completion faults on the live request path: the card firmware serves
 * FUSE over ext4 on the simulated SSD (root-complex testbench, the project's
 * driver), while the host answers the card's DMA reads badly.
 *
 * The host is strict (rc_host_strict): a DMA outside the driver's memory is
 * refused and counted, and fails the test. Requests go on the first request
 * queue through the driver's rings, direct or through an indirect table, and
 * every reply is checked against a byte model of the files.
 *
 * (a) A random workload (CREATE, WRITE, READ, GETATTR, FSYNC, READDIR,
 *     UNLINK, LOOKUP) with completions late, reordered across requests and
 *     split at the 64-byte RCB; every byte read back equals the model.
 * (b) For each fault (UR, CA, poisoned, never answered) and each target (a
 *     WRITE's data, its indirect table, its descriptor in the ring, the
 *     avail ring): as the card's policy says, the WRITE gets EIO (its data
 *     could not be read; the device goes on) or the device sets
 *     DEVICE_NEEDS_RESET (the chain could not be read), within a cycle
 *     budget (a hang fails); the
 *     fault is cleared, the driver resets the device if it had to and opens
 *     the files again; the file the WRITE aimed at reads back as the model
 *     without it (poisoned data never lands); the host saw the fault.
 * (c) The workload goes on. At the end the files' contents go to OUTDIR for
 *     the caller's e2fsck and debugfs comparison (tests/faults/run.sh).
 *
 * usage: live_pcie CARD.elf IMAGE OUTDIR [--steps N] [--seed S]
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/fuse.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

#include "check.h"
#include "fuse_req.h"
#include "nvme_dev.h"
#include "rc.h"
#include "rc_transport.h"
#include "sim_card.h"
#include "vfsdrv.h"

static int passed, failed;

#define QREQ 1				/* first request queue */
#define QSIZE 64
#define MAXIO 16384u			/* WRITE/READ size, below the card's max_write */
#define NFILES 4
#define FMAX (192 * 1024u)		/* model size of a file */
#define REQ_CAP 0x8000u			/* request area of the I/O buffer */
#define REP_CAP 0x8000u			/* reply area after it */
/* Cycles a request may take before it counts as a hang: far above any
 * request of this workload (an FSYNC, a completion timeout of the DMA or
 * virtqueue engine), far below forever. */
#define BUDGET 40000000ull
#define NEEDS_RESET (-100000)	/* submit(): the device set DEVICE_NEEDS_RESET (no errno) */

static struct vfs_transport *tr;
static struct rc *rc;
static struct vfsdrv drv;
static uint8_t *io;			/* request, then reply: mapped for the card */
static uint64_t io_iova;
static struct vring_desc *ind;		/* indirect table */
static uint64_t ind_iova;
static uint64_t unique = 1;
static struct rc_dma_faults base;	/* latency, jitter, RCB splits */
static unsigned resets, eio_replies;

static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
	rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(rng_state >> 33) % n;
}

/* ------------------------------------------------------------- the ring */

/*
 * One request on QREQ: direct (two descriptors at head, head + 1, as the
 * driver lays them) or through the indirect table (one descriptor at head).
 * 0 with *outlen, NEEDS_RESET, or -ETIMEDOUT when nothing came within
 * BUDGET cycles.
 */
static int submit(const void *in, uint32_t inlen, uint32_t outcap, uint32_t *outlen, int indirect)
{
	struct vfsdrv_queue *vq = &drv.q[QREQ];
	uint16_t head = (uint16_t)(vq->next_avail * 2 % vq->size), slot;
	uint64_t c0 = rc_cycles(rc);
	unsigned polls = 0;
	uint32_t id;

	if (vfsdrv_status(&drv) & VIRTIO_CONFIG_S_NEEDS_RESET)
		return NEEDS_RESET;
	memcpy(io, in, inlen);
	if (indirect) {
		ind[0] = (struct vring_desc){ .addr = io_iova, .len = inlen, .flags = VRING_DESC_F_NEXT, .next = 1 };
		ind[1] = (struct vring_desc){ .addr = io_iova + REQ_CAP, .len = outcap, .flags = VRING_DESC_F_WRITE };
		vq->desc[head] = (struct vring_desc){ .addr = ind_iova, .len = 2 * sizeof(*ind),
						      .flags = VRING_DESC_F_INDIRECT };
	} else {
		vq->desc[head] = (struct vring_desc){ .addr = io_iova, .len = inlen, .flags = VRING_DESC_F_NEXT,
						      .next = (uint16_t)((head + 1) % vq->size) };
		vq->desc[(head + 1) % vq->size] = (struct vring_desc){ .addr = io_iova + REQ_CAP, .len = outcap,
									.flags = VRING_DESC_F_WRITE };
	}
	slot = vq->avail->idx;
	vq->avail->ring[slot % vq->size] = head;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	vq->avail->idx = (uint16_t)(slot + 1);
	vq->next_avail++;
	if (vfsdrv_notify(&drv, QREQ))
		return -EIO;
	while (__atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE) == vq->last_used) {
		if (rc_cycles(rc) - c0 > BUDGET)
			return -ETIMEDOUT;
		rc_step(rc, 1024);
		if (++polls % 16 == 0 && (vfsdrv_status(&drv) & VIRTIO_CONFIG_S_NEEDS_RESET))
			return NEEDS_RESET;
	}
	id = vq->used->ring[vq->last_used % vq->size].id;
	*outlen = vq->used->ring[vq->last_used % vq->size].len;
	vq->last_used++;
	if (id != head || *outlen > outcap)
		return -EPROTO;
	return 0;
}

/* ------------------------------------------------------------- FUSE */

static uint8_t req_buf[REQ_CAP];
static uint8_t *rep;			/* the reply, in io */
static int use_indirect;		/* the next request goes through the table */

/* One request: -error (NEEDS_RESET among them), or the reply's payload
 * length (at payload()). */
static long fuse(uint32_t op, uint64_t nodeid, const void *body, size_t blen, const char *name,
		 const void *data, size_t dlen, size_t outcap)
{
	struct fuse_in_header *h = (void *)req_buf;
	struct fuse_out_header *o;
	uint32_t outlen = 0;
	int ret;

	if (!fuse_req_build(req_buf, sizeof(req_buf), &(struct fuse_req){
			.opcode = op, .unique = unique++, .nodeid = nodeid, .args = body, .args_len = blen,
			.name = name, .data = data, .data_len = dlen }))
		return -EMSGSIZE;
	ret = submit(req_buf, h->len, (uint32_t)(sizeof(*o) + outcap), &outlen, use_indirect);
	use_indirect = 0;
	if (ret)
		return ret;
	o = (void *)rep;
	if (outlen < sizeof(*o) || o->unique != h->unique || o->len != outlen)
		return -EPROTO;
	if (o->error)
		return o->error;
	return (long)(outlen - sizeof(*o));
}

static void *payload(void)
{
	return rep + sizeof(struct fuse_out_header);
}

/* ------------------------------------------------------------- the model */

static struct file {
	char name[8];
	int exists;
	uint64_t nodeid, fh;
	uint32_t size;
	uint8_t data[FMAX];
} files[NFILES];

static int init_session(void)
{
	struct fuse_init_in in = { .major = 7, .minor = 38, .max_readahead = 128 * 1024,
				   .flags = FUSE_ASYNC_READ | FUSE_BIG_WRITES };
	long r = fuse(FUSE_INIT, 0, &in, sizeof(in), NULL, NULL, 0, sizeof(struct fuse_init_out));

	return r < 0 ? (int)r : 0;
}

static int do_create(struct file *f)
{
	struct fuse_create_in in = { .flags = 02 /* O_RDWR */, .mode = 0100644, .umask = 022 };
	struct fuse_entry_out *e;
	long r = fuse(FUSE_CREATE, 1, &in, sizeof(in), f->name, NULL, 0,
		      sizeof(*e) + sizeof(struct fuse_open_out));

	if (r < 0)
		return (int)r;
	e = payload();
	f->nodeid = e->nodeid;
	f->fh = ((struct fuse_open_out *)(e + 1))->fh;
	f->exists = 1;
	f->size = 0;
	return 0;
}

static long do_lookup(const char *name, struct fuse_entry_out *out)
{
	long r = fuse(FUSE_LOOKUP, 1, NULL, 0, name, NULL, 0, sizeof(*out));

	if (r >= 0)
		memcpy(out, payload(), sizeof(*out));
	return r;
}

/* After a device reset: the session is new, the files are looked up and
 * opened again. */
static int reopen(struct file *f)
{
	struct fuse_entry_out e;
	struct fuse_open_in in = { .flags = 02 };
	long r = do_lookup(f->name, &e);

	if (r < 0)
		return (int)r;
	f->nodeid = e.nodeid;
	CHECK(e.attr.size == f->size, "%s: size %llu after the reset, model %u", f->name,
	      (unsigned long long)e.attr.size, f->size);
	r = fuse(FUSE_OPEN, f->nodeid, &in, sizeof(in), NULL, NULL, 0, sizeof(struct fuse_open_out));
	if (r < 0)
		return (int)r;
	f->fh = ((struct fuse_open_out *)payload())->fh;
	return 0;
}

static long do_write(struct file *f, uint32_t off, const void *buf, uint32_t len)
{
	struct fuse_write_in in = { .fh = f->fh, .offset = off, .size = len };
	long r = fuse(FUSE_WRITE, f->nodeid, &in, sizeof(in), NULL, buf, len, sizeof(struct fuse_write_out));

	if (r < 0)
		return r;
	return ((struct fuse_write_out *)payload())->size == len ? 0 : -EIO;
}

static long do_read(struct file *f, uint32_t off, void *buf, uint32_t len)
{
	struct fuse_read_in in = { .fh = f->fh, .offset = off, .size = len };
	long r = fuse(FUSE_READ, f->nodeid, &in, sizeof(in), NULL, NULL, 0, len);

	if (r >= 0)
		memcpy(buf, payload(), (size_t)r);
	return r;
}

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

/* The whole file read back equals the model. */
static int check_file(struct file *f, const char *when)
{
	static uint8_t got[MAXIO];
	uint32_t off = 0;

	while (off < f->size + 1) {
		uint32_t n = f->size - off < MAXIO ? f->size - off : MAXIO;
		long r = do_read(f, off, got, n ? n : 1);

		if (r < 0 || (uint32_t)r != n || memcmp(got, f->data + off, n)) {
			uint32_t bad = 0;

			while (r > 0 && bad < (uint32_t)r && bad < n && got[bad] == f->data[off + bad])
				bad++;
			CHECK(0, "%s: %s: READ at %u: %ld of %u bytes, first wrong byte %u", f->name, when, off, r, n,
			      off + bad);
			return -EIO;
		}
		if (!n)
			break;
		off += n;
	}
	passed++;
	return 0;
}

static int names_match(void)
{
	struct fuse_open_in oin = { .flags = 0200000 /* O_DIRECTORY */ };
	struct fuse_read_in rin = { .size = 4096 };
	unsigned seen = 0, want = 0;
	long r = fuse(FUSE_OPENDIR, 1, &oin, sizeof(oin), NULL, NULL, 0, sizeof(struct fuse_open_out));
	size_t at = 0;

	if (r < 0)
		return 0;
	rin.fh = ((struct fuse_open_out *)payload())->fh;
	r = fuse(FUSE_READDIR, 1, &rin, sizeof(rin), NULL, NULL, 0, 4096);
	while (r > 0 && at + FUSE_NAME_OFFSET <= (size_t)r) {
		const struct fuse_dirent *d = (const void *)((uint8_t *)payload() + at);

		for (unsigned i = 0; i < NFILES; i++)
			if (files[i].exists && d->namelen == strlen(files[i].name) &&
			    !memcmp(d->name, files[i].name, d->namelen))
				seen |= 1u << i;
		at += FUSE_DIRENT_SIZE(d);
	}
	for (unsigned i = 0; i < NFILES; i++)
		if (files[i].exists)
			want |= 1u << i;
	{
		struct fuse_release_in rel = { .fh = rin.fh };

		fuse(FUSE_RELEASEDIR, 1, &rel, sizeof(rel), NULL, NULL, 0, 0);
	}
	return seen == want;
}

static uint8_t wbuf[MAXIO];
static unsigned ops_done;

/* One random step of the workload, checked against the model. */
static void step(void)
{
	struct file *f = &files[rnd(NFILES)];
	unsigned op = rnd(10);
	long r;

	if (!f->exists) {
		CHECK(do_create(f) == 0, "CREATE %s", f->name);
		ops_done++;
		return;
	}
	switch (op) {
	case 0: case 1: case 2: case 3: {
		uint32_t len = 1 + rnd(MAXIO), off = rnd(FMAX - len + 1);

		if (rnd(4) == 0)
			off = f->size < FMAX - len ? f->size : off;	/* append */
		pattern(wbuf, len, (uint32_t)ops_done * 7919u + 1);
		r = do_write(f, off, wbuf, len);
		CHECK(r == 0, "WRITE %s %u bytes at %u: %ld", f->name, len, off, r);
		if (r == 0) {
			memcpy(f->data + off, wbuf, len);
			if (off + len > f->size)
				f->size = off + len;
		}
		break;
	}
	case 4: case 5: {
		static uint8_t got[MAXIO];
		uint32_t len = 1 + rnd(MAXIO), off = f->size ? rnd(f->size) : 0;
		uint32_t want = f->size - off < len ? f->size - off : len;

		r = do_read(f, off, got, len);
		CHECK(r == (long)want && !memcmp(got, f->data + off, want), "READ %s %u bytes at %u: %ld, want %u",
		      f->name, len, off, r, want);
		break;
	}
	case 6: {
		struct fuse_getattr_in in = { .getattr_flags = FUSE_GETATTR_FH, .fh = f->fh };

		r = fuse(FUSE_GETATTR, f->nodeid, &in, sizeof(in), NULL, NULL, 0, sizeof(struct fuse_attr_out));
		CHECK(r > 0 && ((struct fuse_attr_out *)payload())->attr.size == f->size,
		      "GETATTR %s: %ld, size %llu, model %u", f->name, r,
		      r > 0 ? (unsigned long long)((struct fuse_attr_out *)payload())->attr.size : 0ull, f->size);
		break;
	}
	case 7: {
		struct fuse_fsync_in in = { .fh = f->fh };

		r = fuse(FUSE_FSYNC, f->nodeid, &in, sizeof(in), NULL, NULL, 0, 0);
		CHECK(r == 0, "FSYNC %s: %ld", f->name, r);
		break;
	}
	case 8:
		CHECK(names_match(), "READDIR lists the files that exist");
		break;
	default: {
		struct fuse_entry_out e;
		unsigned n = 0;

		for (unsigned i = 0; i < NFILES; i++)
			n += files[i].exists;
		if (n < 3)
			break;
		{
			struct fuse_release_in rel = { .fh = f->fh };

			fuse(FUSE_RELEASE, f->nodeid, &rel, sizeof(rel), NULL, NULL, 0, 0);
		}
		r = fuse(FUSE_UNLINK, 1, NULL, 0, f->name, NULL, 0, 0);
		CHECK(r == 0, "UNLINK %s: %ld", f->name, r);
		if (r == 0) {
			f->exists = 0;
			f->size = 0;
			memset(f->data, 0, sizeof(f->data));
		}
		r = do_lookup(f->name, &e);
		CHECK(r == -ENOENT, "LOOKUP %s after UNLINK: %ld", f->name, r);
		break;
	}
	}
	ops_done++;
}

/* ------------------------------------------------------------- faults */

static int restart(void)
{
	int ret;

	vfsdrv_stop(&drv);
	ret = vfsdrv_start(&drv, 2, QSIZE);
	if (ret)
		return ret;
	if ((ret = init_session()))
		return ret;
	for (unsigned i = 0; i < NFILES; i++)
		if (files[i].exists && (ret = reopen(&files[i])))
			return ret;
	return 0;
}

enum { K_UR, K_CA, K_EP, K_DROP, NKINDS };
enum { T_DATA, T_INDIRECT, T_DESC, T_AVAIL, NTARGETS };
static const char *const kind_name[NKINDS] = { "UR", "CA", "poisoned", "no completion" };
static const char *const target_name[NTARGETS] = {
	"a WRITE's data", "its indirect table", "its descriptor in the ring", "the avail ring" };

static void aim(struct rc_dma_faults *f, unsigned kind, uint64_t at, uint64_t len)
{
	*f = base;
	switch (kind) {
	case K_UR: f->ur_base = at; f->ur_len = len; break;
	case K_CA: f->ca_base = at; f->ca_len = len; break;
	case K_EP: f->ep_base = at; f->ep_len = len; break;
	default: f->drop_base = at; f->drop_len = len; break;
	}
}

static void fault_case(unsigned kind, unsigned target)
{
	struct file *f = NULL;
	struct vfsdrv_queue *vq = &drv.q[QREQ];
	struct rc_dma_faults fl;
	struct rc_dma_stats s0, s1;
	uint32_t len = 8192, off;
	uint16_t head = (uint16_t)(vq->next_avail * 2 % vq->size);
	uint64_t c0 = rc_cycles(rc);
	long r;
	int ret;

	for (unsigned i = 0; i < NFILES && !f; i++)
		if (files[i].exists && files[i].size >= len)
			f = &files[i];
	if (!f) {
		f = &files[0];
		if (!f->exists)
			CHECK(do_create(f) == 0, "CREATE %s", f->name);
		pattern(wbuf, len, 3);
		CHECK(do_write(f, 0, wbuf, len) == 0, "WRITE %s before the fault", f->name);
		memcpy(f->data, wbuf, len);
		if (f->size < len)
			f->size = len;
	}
	off = rnd(f->size - len + 1);
	/* The bytes to write: the model's inverse, so a WRITE that lands
	 * anything shows. The request: header and write_in (80 bytes), data. */
	for (uint32_t i = 0; i < len; i++)
		wbuf[i] = (uint8_t)~f->data[off + i];
	switch (target) {
	case T_DATA:	/* past the first MRRS (512) read, which carries the header */
		aim(&fl, kind, io_iova + 512, len);
		break;
	case T_INDIRECT:
		aim(&fl, kind, ind_iova, 2 * sizeof(*ind));
		use_indirect = 1;
		break;
	case T_DESC:
		aim(&fl, kind, vq->desc_iova + 16ull * head, 16);
		break;
	default:
		aim(&fl, kind, vq->avail_iova, 4 + 2ull * vq->size);
		break;
	}
	rc_dma_stats(rc, &s0);
	rc_set_dma_faults(rc, &fl);
	r = do_write(f, off, wbuf, len);
	rc_set_dma_faults(rc, &base);
	rc_dma_stats(rc, &s1);
	CHECK(kind == K_EP ? s1.poisoned_reads > s0.poisoned_reads : s1.faulted_reads > s0.faulted_reads,
	      "%s on %s: the host answered %s (%llu faulted, %llu poisoned reads)", kind_name[kind],
	      target_name[target], kind_name[kind], (unsigned long long)(s1.faulted_reads - s0.faulted_reads),
	      (unsigned long long)(s1.poisoned_reads - s0.poisoned_reads));
	/* The card's policy (firmware/fsdev): bytes that cannot be read are
	 * never used; a request whose header can still be read gets EIO, a
	 * chain the engine cannot walk breaks the device. */
	CHECK(r == (target == T_DATA ? -EIO : NEEDS_RESET), "%s on %s: WRITE ends with %s, not %ld",
	      kind_name[kind], target_name[target], target == T_DATA ? "EIO" : "DEVICE_NEEDS_RESET", r);
	if (r == -EIO)
		eio_replies++;
	if (r == 0) {	/* the card used what it should not: keep the model true */
		memcpy(f->data + off, wbuf, len);
	}
	if (r == NEEDS_RESET || r == -ETIMEDOUT || r == -EPROTO) {
		resets++;
		ret = restart();
		CHECK(ret == 0, "%s on %s: reset, INIT and the files opened again: %d", kind_name[kind],
		      target_name[target], ret);
		if (ret)
			return;
	}
	{
		char when[96];

		snprintf(when, sizeof(when), "after %s on %s", kind_name[kind], target_name[target]);
		check_file(f, when);
	}
	printf("live_pcie: %s on %s: %s, %llu cycles\n", kind_name[kind], target_name[target],
	       r == -EIO ? "EIO reply" : r == NEEDS_RESET ? "DEVICE_NEEDS_RESET, reset" : "WRONG",
	       (unsigned long long)(rc_cycles(rc) - c0));
}

/* ------------------------------------------------------------- main */

static int save(const char *dir, const struct file *f)
{
	char path[512];
	FILE *o;

	if (snprintf(path, sizeof(path), "%s/%.7s", dir, f->name) >= (int)sizeof(path))
		return -1;
	o = fopen(path, "wb");
	if (!o || fwrite(f->data, 1, f->size, o) != f->size) {
		if (o)
			fclose(o);
		return -1;
	}
	return fclose(o);
}

int main(int argc, char **argv)
{
	struct sim_card card;
	struct nvme_dev *ssd;
	struct rc_dma_stats st;
	char err[256];
	unsigned steps = 150;
	uint64_t c0;
	int ret;

	if (argc < 4) {
		fprintf(stderr, "usage: live_pcie CARD.elf IMAGE OUTDIR [--steps N] [--seed S]\n");
		return 2;
	}
	rng_state = 1;
	for (int i = 4; i < argc; i++) {
		if (!strcmp(argv[i], "--steps") && i + 1 < argc)
			steps = (unsigned)strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			rng_state = strtoull(argv[++i], NULL, 0);
		else {
			fprintf(stderr, "live_pcie: unknown argument %s\n", argv[i]);
			return 2;
		}
	}
	printf("live_pcie: seed %llu\n", (unsigned long long)rng_state);
	if (sim_card_open(&card, &drv, argv[1], argv[2], getenv("LIVE_CONSOLE") ? stderr : NULL, err, sizeof(err))) {
		fprintf(stderr, "live_pcie: %s\n", err);
		return 2;
	}
	tr = card.tr;
	rc = card.rc;
	ssd = card.ssd;
	io = tr->ops->dma_alloc(tr, REQ_CAP + REP_CAP, &io_iova);
	ind = tr->ops->dma_alloc(tr, 4096, &ind_iova);
	if (!io || !ind) {
		fprintf(stderr, "live_pcie: out of DMA memory\n");
		return 2;
	}
	rep = io + REQ_CAP;
	rc_host_strict(rc, 1);
	/* No host clock writes: they come at wall-clock times, and a run must
	 * be the same for the same seed. */
	rc_time_sync_off(rc);
	for (unsigned i = 0; i < NFILES; i++)
		snprintf(files[i].name, sizeof(files[i].name), "f%u", i);

	ret = vfsdrv_start(&drv, 2, QSIZE);
	CHECK(ret == 0, "device start: %d", ret);
	CHECK(ret == 0 && (drv.features >> VIRTIO_RING_F_INDIRECT_DESC & 1), "INDIRECT_DESC negotiated");
	ret = ret ? ret : init_session();
	CHECK(ret == 0, "INIT: %d", ret);
	if (ret == 0) {
		/* (a) late, reordered, split completions */
		base = (struct rc_dma_faults){ .latency = 300, .jitter = 400, .rcb = 64, .seed = 7 };
		rc_set_dma_faults(rc, &base);
		c0 = rc_cycles(rc);
		for (unsigned i = 0; i < steps; i++)
			step();
		for (unsigned i = 0; i < NFILES; i++)
			if (files[i].exists)
				check_file(&files[i], "after the workload under reordered completions");
		printf("live_pcie: (a) %u steps under latency/jitter/RCB 64: %llu cycles\n", steps,
		       (unsigned long long)(rc_cycles(rc) - c0));

		/* (b) every fault at every target, one request each */
		c0 = rc_cycles(rc);
		for (unsigned k = 0; k < NKINDS; k++)
			for (unsigned t = 0; t < NTARGETS; t++)
				fault_case(k, t);
		printf("live_pcie: (b) %u faulted requests: %u EIO replies, %u device resets, %llu cycles\n",
		       NKINDS * NTARGETS, eio_replies, resets, (unsigned long long)(rc_cycles(rc) - c0));

		/* (c) the rest of the workload */
		c0 = rc_cycles(rc);
		for (unsigned i = 0; i < steps / 2; i++)
			step();
		for (unsigned i = 0; i < NFILES; i++)
			if (files[i].exists) {
				struct fuse_fsync_in in = { .fh = files[i].fh };

				check_file(&files[i], "at the end");
				CHECK(fuse(FUSE_FSYNC, files[i].nodeid, &in, sizeof(in), NULL, NULL, 0, 0) == 0,
				      "FSYNC %s at the end", files[i].name);
				CHECK(save(argv[3], &files[i]) == 0, "%s saved for debugfs", files[i].name);
			}
		printf("live_pcie: (c) %u steps after the faults: %llu cycles\n", steps / 2,
		       (unsigned long long)(rc_cycles(rc) - c0));
		CHECK(fuse(FUSE_DESTROY, 0, NULL, 0, NULL, NULL, 0, 0) >= 0, "DESTROY");
	}
	rc_dma_stats(rc, &st);
	CHECK(st.outside_reads == 0 && st.outside_writes == 0,
	      "no DMA outside the driver's memory (%llu reads, %llu writes refused)",
	      (unsigned long long)st.outside_reads, (unsigned long long)st.outside_writes);
	printf("live_pcie: %u operations, host saw %llu read TLPs (%llu faulted, %llu poisoned), %llu write TLPs\n",
	       ops_done, (unsigned long long)st.rd_tlps, (unsigned long long)st.faulted_reads,
	       (unsigned long long)st.poisoned_reads, (unsigned long long)st.wr_tlps);
	vfsdrv_stop(&drv);
	printf("live_pcie: %llu cycles\n", (unsigned long long)rc_cycles(rc));
	nvme_dev_detach(ssd);	/* the image is written back */
	tr->ops->close(tr);
	printf("%d passed, %d failed\n", passed, failed);
	return failed || !passed ? 1 : 0;
}
