/*
 * SSD faults while the card serves files, and the driver resetting or
 * re-binding the device in the middle of WRITE traffic: the RTL card in the
 * root-complex testbench, the card firmware (FUSE over ext4 over its NVMe
 * driver) on the soft core, the SSD model (world/ssd) behind the root port
 * over a fresh mke2fs image, FUSE requests through the project's driver.
 * Faults are set in the SSD model at run time (nvme_dev_fault). Phases:
 *
 *   media     a media error on one 4 KiB block of a file: its READ gets EIO,
 *             other files, GETATTR, READDIR, WRITE and FSYNC go on; once the
 *             fault is cleared the block reads back right
 *   timeout   the next read never completes: the driver times out, resets
 *             the controller and retries, and the READ gets its bytes; two
 *             reads that never complete: that READ gets EIO, the rest go on;
 *             the next write never completes: WRITE and FSYNC succeed
 *   fatal     controller fatal status (CSTS.CFS) in the middle of WRITE and
 *             FSYNC traffic on three files: requests get EIO/EROFS, reads of
 *             other files go on; the driver resets the device and starts a
 *             new session: the card says on its console that it recovered
 *             (controller reset, mount again, journal replayed), every byte
 *             whose FSYNC was answered reads back, and WRITE works again;
 *             then fatal again, and once more during the recovery's mount:
 *             the service is down (EIO) with the reason on the console, and
 *             the next reset recovers
 *   reset     WRITEs and FSYNCs posted without waiting, the device reset when
 *             two have been answered: after a new session every answered
 *             WRITE (and so every FSYNC'd byte) is there, every unanswered
 *             one is there whole or not at all
 *   rebind    the same with an unbind and rebind instead: device reset,
 *             memory decode, bus mastering and MSI-X off, then on again and
 *             the driver probing the function anew
 *
 * Every wait is bounded in simulated cycles. At the end each file's content
 * as the test expects it is written to OUTDIR/expect for the caller's
 * e2fsck -fn and debugfs comparison (tests/recover/run.sh), and the card's
 * console to OUTDIR/console.log.
 *
 * usage: live_nvme CARD.elf IMAGE OUTDIR SRCDIR BAD_LBA
 *   SRCDIR holds cold, cold2, cold3 as the image has them (mke2fs -d);
 *   BAD_LBA: the first LBA of cold's 4 KiB block at offset BAD_OFF.
 */
#include <errno.h>
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
#include "ring_slots.h"
#include "sim_card.h"
#include "vfsdrv.h"
#include "vtop.h"

static int passed, failed;

#define QREQ 1				/* first request queue */
#define QSIZE 64
#define MAXIO 24576u			/* the card's max_write */
#define NSLOT 8				/* requests in flight at most */
#define REQCAP (MAXIO + 4096u)
#define REPCAP (MAXIO + 4096u)
#define FMAX (256u * 1024u)		/* the files the test writes */
#define COLD_SIZE (512u * 1024u)	/* the files mke2fs put there */
#define BAD_OFF (32u * 1024u)		/* cold's block under the media error */
#define CYC_PER_S 250000000ull		/* the card's nominal clock */
/* A request's bound: two command timeouts of the card's NVMe driver (2 s
 * each) and the controller resets, with room to spare. */
#define REQ_LIMIT (10 * CYC_PER_S)

#define NVM_WRITE 0x01u
#define NVM_READ 0x02u

static struct vfs_transport *tr;
static struct rc *rc;
static struct vfsdrv drv;
static struct nvme_dev *ssd;
static FILE *console;
static uint64_t unique = 1;
static const char *srcdir;

/* ------------------------------------------------------ requests on the ring */

static struct ring_slot slot_mem[NSLOT];
static struct ring_slots ring = { .drv = &drv, .q = QREQ, .slot = slot_mem, .n = NSLOT,
				   .reqcap = REQCAP, .repcap = REPCAP, .unique = &unique };

static int post(unsigned i, const struct fuse_req *r, uint32_t outcap)
{
	return ring_slots_post(&ring, i, r, outcap, 1);
}

/* Takes the used entries the card wrote. */
static void reap(void)
{
	unsigned stray = ring.stray;

	ring_slots_reap(&ring);
	CHECK(ring.stray == stray, "%u used entries named no request in flight", ring.stray - stray);
}

/* Runs the card until slot i is answered: 0, or -ETIMEDOUT after limit
 * cycles, -EIO when the device asks for a reset. */
static int wait_slot(unsigned i, uint64_t limit)
{
	uint64_t c0 = rc_cycles(rc), look = c0;

	for (;;) {
		reap();
		if (slot_mem[i].done)
			return 0;
		/* the status is a read of BAR0: now and then, so that the card
		 * can be quiet and its idle spans skipped */
		if (rc_cycles(rc) - look >= (1u << 20)) {
			look = rc_cycles(rc);
			if (vfsdrv_status(&drv) & VIRTIO_CONFIG_S_NEEDS_RESET)
				return -EIO;
		}
		if (rc_cycles(rc) - c0 >= limit)
			return -ETIMEDOUT;
		rc_time_sync(rc, 10);
		rc_advance(rc, 64, 1u << 24);	/* idle spans skipped */
	}
}

/* The FUSE reply of an answered slot: -error, or the payload's length. */
static long reply_of(unsigned i)
{
	return ring_slots_reply(&ring, i);
}

static void *payload(unsigned i)
{
	return slot_mem[i].out + sizeof(struct fuse_out_header);
}

static uint64_t last_cycles;	/* cycles the last call() took */

/* One request in slot 0, waited for. */
static long call(const struct fuse_req *r, uint32_t outcap)
{
	uint64_t c0 = rc_cycles(rc);
	int ret = post(0, r, (uint32_t)sizeof(struct fuse_out_header) + outcap);

	if (!ret)
		ret = wait_slot(0, REQ_LIMIT);
	last_cycles = rc_cycles(rc) - c0;
	if (ret) {
		fprintf(stderr, "live_nvme: opcode %u: %d (card PC 0x%08x)\n", r->opcode, ret,
			vtop_debug_pc(rc_vtop(rc)));
		slot_mem[0].busy = 0;
		return ret;
	}
	return reply_of(0);
}

/* ------------------------------------------------------------- FUSE calls */

static int fuse_init_session(void)
{
	struct fuse_init_in in = { .major = 7, .minor = 38, .max_readahead = 128 * 1024,
				   .flags = FUSE_ASYNC_READ | FUSE_BIG_WRITES | FUSE_INIT_EXT };
	long r = call(&(struct fuse_req){ .opcode = FUSE_INIT, .args = &in, .args_len = sizeof(in) },
		      sizeof(struct fuse_init_out));

	return r < 0 ? (int)r : 0;
}

static int lookup(const char *name, uint64_t *node)
{
	long r = call(&(struct fuse_req){ .opcode = FUSE_LOOKUP, .nodeid = 1, .name = name },
		      sizeof(struct fuse_entry_out));

	if (r < 0)
		return (int)r;
	*node = ((struct fuse_entry_out *)payload(0))->nodeid;
	return 0;
}

static int open_file(uint64_t node, uint32_t flags, uint64_t *fh)
{
	struct fuse_open_in in = { .flags = flags };
	long r = call(&(struct fuse_req){ .opcode = FUSE_OPEN, .nodeid = node, .args = &in, .args_len = sizeof(in) },
		      sizeof(struct fuse_open_out));

	if (r < 0)
		return (int)r;
	*fh = ((struct fuse_open_out *)payload(0))->fh;
	return 0;
}

static int create(const char *name, uint64_t *node, uint64_t *fh)
{
	struct fuse_create_in in = { .flags = 02 /* O_RDWR */, .mode = 0100644, .umask = 022 };
	struct fuse_entry_out *e;
	long r = call(&(struct fuse_req){ .opcode = FUSE_CREATE, .nodeid = 1, .args = &in, .args_len = sizeof(in),
					  .name = name },
		      sizeof(*e) + sizeof(struct fuse_open_out));

	if (r < 0)
		return (int)r;
	e = payload(0);
	*node = e->nodeid;
	*fh = ((struct fuse_open_out *)(e + 1))->fh;
	return 0;
}

static struct fuse_req write_req(uint64_t node, uint64_t fh, uint64_t off, const void *buf, size_t n,
				 struct fuse_write_in *in)
{
	*in = (struct fuse_write_in){ .fh = fh, .offset = off, .size = (uint32_t)n };
	return (struct fuse_req){ .opcode = FUSE_WRITE, .nodeid = node, .args = in, .args_len = sizeof(*in),
				  .data = buf, .data_len = n };
}

static int write_at(uint64_t node, uint64_t fh, uint64_t off, const void *buf, size_t len)
{
	while (len) {
		size_t n = len < MAXIO ? len : MAXIO;
		struct fuse_write_in in;
		struct fuse_req rq = write_req(node, fh, off, buf, n, &in);
		long r = call(&rq, sizeof(struct fuse_write_out));

		if (r < 0)
			return (int)r;
		if (((struct fuse_write_out *)payload(0))->size != n)
			return -EIO;
		off += n;
		buf = (const uint8_t *)buf + n;
		len -= n;
	}
	return 0;
}

/* READ: bytes read (short at EOF) or -error. */
static long read_at(uint64_t node, uint64_t fh, uint64_t off, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		size_t n = len - done < MAXIO ? len - done : MAXIO;
		struct fuse_read_in in = { .fh = fh, .offset = off + done, .size = (uint32_t)n };
		long r = call(&(struct fuse_req){ .opcode = FUSE_READ, .nodeid = node, .args = &in,
						  .args_len = sizeof(in) },
			      (uint32_t)n);

		if (r < 0)
			return r;
		memcpy((uint8_t *)buf + done, payload(0), (size_t)r);
		done += (size_t)r;
		if ((size_t)r < n)
			break;
	}
	return (long)done;
}

static struct fuse_req fsync_req(uint64_t node, uint64_t fh, struct fuse_fsync_in *in)
{
	*in = (struct fuse_fsync_in){ .fh = fh };
	return (struct fuse_req){ .opcode = FUSE_FSYNC, .nodeid = node, .args = in, .args_len = sizeof(*in) };
}

static int fsync_file(uint64_t node, uint64_t fh)
{
	struct fuse_fsync_in in;
	struct fuse_req rq = fsync_req(node, fh, &in);
	long r = call(&rq, 0);

	return r < 0 ? (int)r : 0;
}

static long getattr_size(uint64_t node)
{
	struct fuse_getattr_in in = { 0 };
	long r = call(&(struct fuse_req){ .opcode = FUSE_GETATTR, .nodeid = node, .args = &in, .args_len = sizeof(in) },
		      sizeof(struct fuse_attr_out));

	return r < 0 ? r : (long)((struct fuse_attr_out *)payload(0))->attr.size;
}

/* READDIR of the root: 1 when every name of names[] is there, 0 when not,
 * or -error. */
static int readdir_has(const char *const *names, unsigned n)
{
	uint64_t fh;
	struct fuse_open_in oin = { .flags = 0 };
	struct fuse_read_in in = { 0 };
	unsigned found = 0;
	uint64_t off = 0;
	long r = call(&(struct fuse_req){ .opcode = FUSE_OPENDIR, .nodeid = 1, .args = &oin, .args_len = sizeof(oin) },
		      sizeof(struct fuse_open_out));

	if (r < 0)
		return (int)r;
	fh = ((struct fuse_open_out *)payload(0))->fh;
	for (;;) {
		size_t pos = 0;

		in = (struct fuse_read_in){ .fh = fh, .offset = off, .size = 8192 };
		r = call(&(struct fuse_req){ .opcode = FUSE_READDIR, .nodeid = 1, .args = &in, .args_len = sizeof(in) },
			 8192);
		if (r <= 0)
			break;
		while (pos + FUSE_NAME_OFFSET <= (size_t)r) {
			struct fuse_dirent *d = (void *)((uint8_t *)payload(0) + pos);

			for (unsigned k = 0; k < n; k++)
				if (d->namelen == strlen(names[k]) && !memcmp(d->name, names[k], d->namelen))
					found |= 1u << k;
			off = d->off;
			pos += FUSE_DIRENT_SIZE(d);
		}
	}
	{
		struct fuse_release_in rin = { .fh = fh };

		call(&(struct fuse_req){ .opcode = FUSE_RELEASEDIR, .nodeid = 1, .args = &rin, .args_len = sizeof(rin) },
		     0);
	}
	if (r < 0)
		return (int)r;
	return found == (1u << n) - 1;
}

/* ------------------------------------------------------- sessions, models */

static int start_session(void)
{
	int ret = vfsdrv_start(&drv, 2, QSIZE);

	return ret ? ret : fuse_init_session();
}

/* An unbind and a rebind, as Linux's virtio_pci does them: device reset,
 * then pci_disable_device (memory decode, bus mastering and MSI-X off);
 * then enable again and probe the function from scratch. */
static int rebind(void)
{
	uint32_t cmd = 0, ctl = 0;
	int ret;

	vfsdrv_stop(&drv);
	if ((ret = tr->ops->cfg_read(tr, 0x04, &cmd, 2)) || (ret = tr->ops->cfg_read(tr, drv.msix_at + 2, &ctl, 2)))
		return ret;
	ctl &= ~0x8000u;
	cmd &= ~0x6u;
	if ((ret = tr->ops->cfg_write(tr, drv.msix_at + 2, &ctl, 2)) || (ret = tr->ops->cfg_write(tr, 0x04, &cmd, 2)))
		return ret;
	rc_step(rc, 20000);	/* unbound for a while */
	cmd |= 0x6u;
	if ((ret = tr->ops->cfg_write(tr, 0x04, &cmd, 2)))
		return ret;
	memset(&drv, 0, sizeof(drv));
	if ((ret = vfsdrv_probe(&drv, tr)))
		return ret;
	return start_session();
}

/* A file the test writes: what it holds once every answered WRITE is there
 * (cur, clen) and what its last answered FSYNC made durable (dur, dlen). */
struct mfile {
	const char *name;
	uint64_t node, fh;
	uint8_t cur[FMAX], dur[FMAX];
	size_t clen, dlen;
};

static struct mfile files[7];
static unsigned nfiles;

static void pattern(uint8_t *p, size_t len, uint32_t seed)
{
	uint32_t x = seed * 2654435761u + 1;

	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (uint8_t)x;
	}
}

static struct mfile *new_file(const char *name)
{
	struct mfile *f = &files[nfiles++];

	f->name = name;
	CHECK(create(name, &f->node, &f->fh) == 0, "CREATE %s", name);
	return f;
}

static void model_write(struct mfile *f, size_t off, const uint8_t *buf, size_t n)
{
	memcpy(f->cur + off, buf, n);
	if (off + n > f->clen)
		f->clen = off + n;
}

static void model_fsync(struct mfile *f)
{
	memcpy(f->dur, f->cur, f->clen);
	f->dlen = f->clen;
}

/* WRITE then FSYNC, both must succeed. */
static int write_sync(struct mfile *f, size_t off, size_t n, uint32_t seed)
{
	static uint8_t buf[FMAX];
	int ret;

	pattern(buf, n, seed);
	ret = write_at(f->node, f->fh, off, buf, n);
	if (!ret)
		model_write(f, off, buf, n);
	if (!ret && !(ret = fsync_file(f->node, f->fh)))
		model_fsync(f);
	return ret;
}

/* After a new session: looks the file up and opens it again, reads it
 * whole. Then every FSYNC'd byte must be there (and, with all_acked, every
 * answered WRITE's), the file no shorter than what was FSYNC'd. The model
 * becomes what was read: durable, since the reset made it so. */
static void reopen_check(struct mfile *f, int all_acked, const char *when)
{
	static uint8_t got[FMAX + 1];
	long n;
	int ok;

	if (lookup(f->name, &f->node) || open_file(f->node, 02, &f->fh)) {
		CHECK(0, "%s: %s looked up and opened again", when, f->name);
		return;
	}
	n = read_at(f->node, f->fh, 0, got, sizeof(got));
	ok = n >= (long)f->dlen && n <= (long)FMAX && !memcmp(got, f->dur, f->dlen);
	CHECK(ok, "%s: %s: every FSYNC'd byte reads back (%ld bytes, %zu FSYNC'd)", when, f->name, n, f->dlen);
	if (all_acked) {
		ok = n == (long)f->clen && !memcmp(got, f->cur, f->clen);
		CHECK(ok, "%s: %s: every answered WRITE is there (%ld bytes, %zu written)", when, f->name, n, f->clen);
	}
	if (n >= 0 && n <= (long)FMAX) {
		memcpy(f->cur, got, (size_t)n);
		f->clen = (size_t)n;
		model_fsync(f);
	}
}

/* Lines of the card's console so far that hold what. */
static int console_has(const char *what)
{
	char line[512];
	int found = 0;

	fflush(console);
	rewind(console);
	while (fgets(line, sizeof(line), console))
		if (strstr(line, what))
			found++;
	fseek(console, 0, SEEK_END);
	return found;
}

static int read_src(const char *name, uint8_t *buf, size_t len)
{
	char path[512];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", srcdir, name);
	f = fopen(path, "rb");
	if (!f)
		return -1;
	n = fread(buf, 1, len, f);
	fclose(f);
	return n == len ? 0 : -1;
}

static uint8_t cold[3][COLD_SIZE];
static uint64_t cold_node[3], cold_fh[3];
static const char *const cold_names[3] = { "cold", "cold2", "cold3" };

static void open_cold(void)
{
	for (unsigned k = 0; k < 3; k++)
		CHECK(lookup(cold_names[k], &cold_node[k]) == 0 && open_file(cold_node[k], 0, &cold_fh[k]) == 0,
		      "LOOKUP and OPEN %s", cold_names[k]);
}

/* ------------------------------------------------------------- the phases */

static void phase_media(uint64_t bad_lba)
{
	static uint8_t buf[COLD_SIZE];
	struct mfile *f1 = new_file("f1");
	const char *const names[] = { "cold", "cold2", "f1" };
	long r;

	CHECK(write_sync(f1, 0, 64 * 1024, 11) == 0, "media: f1 written and FSYNC'd");
	CHECK(nvme_dev_fault(ssd, NVME_DEV_FAULT_MEDIA, (uint32_t)bad_lba, (uint32_t)(bad_lba >> 32), 8) == 0,
	      "media: fault set on LBA %llu, 8 blocks", (unsigned long long)bad_lba);
	r = read_at(cold_node[0], cold_fh[0], BAD_OFF, buf, 4096);
	CHECK(r == -EIO, "media: READ of cold's bad block: EIO (%ld)", r);
	r = read_at(cold_node[0], cold_fh[0], BAD_OFF + 4096, buf, 4096);
	CHECK(r == 4096 && !memcmp(buf, cold[0] + BAD_OFF + 4096, 4096),
	      "media: READ of cold's next block: its bytes (%ld)", r);
	r = read_at(cold_node[1], cold_fh[1], 0, buf, COLD_SIZE);
	CHECK(r == (long)COLD_SIZE && !memcmp(buf, cold[1], COLD_SIZE), "media: cold2 reads whole (%ld)", r);
	r = read_at(f1->node, f1->fh, 0, buf, f1->clen);
	CHECK(r == (long)f1->clen && !memcmp(buf, f1->cur, f1->clen), "media: f1 reads back (%ld)", r);
	CHECK(getattr_size(f1->node) == (long)f1->clen, "media: GETATTR f1");
	CHECK(readdir_has(names, 3) == 1, "media: READDIR lists cold, cold2, f1");
	CHECK(write_sync(f1, 64 * 1024, 32 * 1024, 12) == 0, "media: WRITE and FSYNC go on");
	r = read_at(cold_node[0], cold_fh[0], BAD_OFF, buf, 4096);
	CHECK(r == -EIO, "media: the bad block again: EIO (%ld)", r);
	CHECK(nvme_dev_fault(ssd, NVME_DEV_FAULT_CLEAR, 0, 0, 0) == 0, "media: fault cleared");
	r = read_at(cold_node[0], cold_fh[0], 0, buf, COLD_SIZE);
	CHECK(r == (long)COLD_SIZE && !memcmp(buf, cold[0], COLD_SIZE), "media: cold reads whole after (%ld)", r);
}

static void phase_timeout(void)
{
	static uint8_t buf[64 * 1024];
	struct mfile *f2 = new_file("f2");
	struct nvme_dev_stats st0, st1;
	long r;

	CHECK(write_sync(f2, 0, 48 * 1024, 21) == 0, "timeout: f2 written and FSYNC'd");
	nvme_dev_get_stats(ssd, &st0);
	/* cold3 was never read: its first block comes from the SSD */
	CHECK(nvme_dev_fault(ssd, NVME_DEV_FAULT_HANG, NVM_READ, 1, 0) == 0, "timeout: the next read hangs");
	r = read_at(cold_node[2], cold_fh[2], 0, buf, 4096);
	CHECK(r == 4096 && !memcmp(buf, cold[2], 4096), "timeout: READ done after a reset and a retry (%ld, %llu cycles)",
	      r, (unsigned long long)last_cycles);
	CHECK(last_cycles > 2 * CYC_PER_S, "timeout: it waited the driver's 2 s timeout (%llu cycles)",
	      (unsigned long long)last_cycles);
	nvme_dev_get_stats(ssd, &st1);
	CHECK(st1.resets > st0.resets, "timeout: the SSD saw a controller reset (%llu)", (unsigned long long)st1.resets);
	CHECK(nvme_dev_fault(ssd, NVME_DEV_FAULT_HANG, NVM_READ, 2, 0) == 0, "timeout: the next two reads hang");
	r = read_at(cold_node[2], cold_fh[2], 384 * 1024, buf, 4096);
	CHECK(r == -EIO, "timeout: READ that timed out twice: EIO (%ld, %llu cycles)", r,
	      (unsigned long long)last_cycles);
	r = read_at(f2->node, f2->fh, 0, buf, f2->clen);
	CHECK(r == (long)f2->clen && !memcmp(buf, f2->cur, f2->clen), "timeout: f2 reads back (%ld)", r);
	r = read_at(cold_node[2], cold_fh[2], 384 * 1024, buf, 4096);
	CHECK(r == 4096 && !memcmp(buf, cold[2] + 384 * 1024, 4096), "timeout: that block reads after (%ld)", r);
	CHECK(nvme_dev_fault(ssd, NVME_DEV_FAULT_HANG, NVM_WRITE, 1, 0) == 0, "timeout: the next write hangs");
	CHECK(write_sync(f2, 48 * 1024, 16 * 1024, 22) == 0, "timeout: WRITE and FSYNC done after a reset and a retry");
	CHECK(console_has("retried after a reset and done"), "timeout: the card says so on its console");
	CHECK(write_sync(f2, 64 * 1024, 8 * 1024, 23) == 0, "timeout: WRITE and FSYNC go on");
}

static void phase_fatal(void)
{
	static uint8_t buf[FMAX];
	struct mfile *g[3];
	unsigned step, failed_at = 0, errors = 0, eio = 0;
	long r;

	g[0] = new_file("g1");
	g[1] = new_file("g2");
	g[2] = new_file("g3");
	for (unsigned k = 0; k < 3; k++)
		CHECK(write_sync(g[k], 0, 16 * 1024, 30 + k) == 0, "fatal: %s written and FSYNC'd", g[k]->name);
	/* WRITE and FSYNC traffic; the controller fails after 9 more commands */
	CHECK(nvme_dev_fault(ssd, NVME_DEV_FAULT_CFS, 9, 0, 0) == 0, "fatal: CFS after 9 more I/O commands");
	for (step = 0; step < 24; step++) {
		struct mfile *f = g[step % 3];
		size_t off = 16 * 1024 + (step / 3) * 12 * 1024;
		int ret;

		pattern(buf, 12 * 1024, 100 + step);
		ret = write_at(f->node, f->fh, off, buf, 12 * 1024);
		if (!ret)
			model_write(f, off, buf, 12 * 1024);
		if (!ret && step % 2 == 1) {
			ret = fsync_file(f->node, f->fh);
			if (!ret)
				model_fsync(f);
		}
		if (ret) {
			errors++;
			eio += ret == -EIO;
			if (!failed_at)
				failed_at = step + 1;
		}
	}
	CHECK(failed_at > 0 && failed_at < 10, "fatal: a request failed soon after the fault (step %u)", failed_at);
	CHECK(errors == 24 - (failed_at - 1), "fatal: every WRITE/FSYNC after it failed (%u of %u)", errors,
	      24 - (failed_at ? failed_at - 1 : 0));
	CHECK(eio > 0, "fatal: the failed request got EIO (%u)", eio);
	printf("live_nvme: fatal: first failure at step %u of 24, %u requests failed (%u with EIO)\n", failed_at, errors,
	       eio);
	r = read_at(files[0].node, files[0].fh, 0, buf, files[0].clen);
	CHECK(r == (long)files[0].clen && !memcmp(buf, files[0].cur, files[0].clen), "fatal: f1 still reads (%ld)", r);
	CHECK(getattr_size(files[1].node) == (long)files[1].clen, "fatal: GETATTR f2 still works");
	CHECK(console_has("a failed write stops the filesystem's writes"), "fatal: the card says so on its console");

	/* The driver resets the device: a new session, the SSD recovered. */
	vfsdrv_stop(&drv);
	CHECK(start_session() == 0, "fatal: device reset and a new session");
	CHECK(console_has("SSD recovered: ext4 mounted again read-write"), "fatal: the card recovered the SSD");
	open_cold();
	for (unsigned k = 0; k < nfiles; k++)
		reopen_check(&files[k], 0, "fatal, after recovery");
	for (unsigned k = 0; k < 3; k++)
		CHECK(write_sync(g[k], g[k]->clen, 20 * 1024, 200 + k) == 0, "fatal: %s: WRITE and FSYNC after recovery",
		      g[k]->name);
	{
		const char *const names[] = { "g1", "g2", "g3" };

		CHECK(readdir_has(names, 3) == 1, "fatal: READDIR after recovery");
	}

	/* Fatal again, and once more during the recovery's mount: the service
	 * is down with the reason on the console, the reset after recovers. */
	CHECK(nvme_dev_fault(ssd, NVME_DEV_FAULT_CFS, 0, 0, 0) == 0, "fatal: CFS now");
	CHECK(write_sync(g[0], g[0]->clen, 4096, 250) != 0, "fatal: WRITE and FSYNC fail");
	CHECK(nvme_dev_fault(ssd, NVME_DEV_FAULT_CFS, 1, 0, 0) == 0, "fatal: CFS again after one more I/O command");
	vfsdrv_stop(&drv);
	CHECK(start_session() == 0, "fatal: a second reset and a new session");
	CHECK(console_has("file service down until the next reset") == 1,
	      "fatal: the card says the service is down until the next reset");
	{
		uint64_t node;

		CHECK(lookup("g1", &node) == -EIO, "fatal: LOOKUP while the service is down: EIO");
	}
	vfsdrv_stop(&drv);
	CHECK(start_session() == 0, "fatal: a third reset and a new session");
	CHECK(console_has("SSD recovered: ext4 mounted again read-write") == 2, "fatal: the card recovered the SSD again");
	open_cold();
	for (unsigned k = 0; k < nfiles; k++)
		reopen_check(&files[k], 0, "fatal, after the second recovery");
	for (unsigned k = 0; k < 3; k++)
		CHECK(write_sync(g[k], g[k]->clen, 8 * 1024, 260 + k) == 0,
		      "fatal: %s: WRITE and FSYNC after the second recovery", g[k]->name);
}

/*
 * WRITEs and FSYNCs on f posted without waiting, one per slot; the device
 * goes away (reset, or unbind and rebind) as soon as two are answered.
 * After the new session: every answered WRITE is there (the card's reset
 * makes everything durable), every unanswered one whole or not at all.
 */
static void phase_abandon(const char *name, int unbind)
{
	static uint8_t data[NSLOT][16 * 1024], got[FMAX + 1];
	struct mfile *f = new_file(name);
	struct fuse_write_in win[NSLOT];
	struct fuse_fsync_in fin[NSLOT];
	size_t off[NSLOT];
	int is_write[NSLOT], done[NSLOT];
	long res[NSLOT];
	uint32_t wsize[NSLOT];
	unsigned answered = 0, abandoned = 0;
	uint64_t c0;
	long n;

	CHECK(write_sync(f, 0, 32 * 1024, 300 + unbind) == 0, "%s: written and FSYNC'd", name);
	for (unsigned i = 0; i < NSLOT; i++) {
		struct fuse_req rq;

		is_write[i] = i % 3 != 2;
		off[i] = 32 * 1024 + i * 16 * 1024;
		if (is_write[i]) {
			pattern(data[i], sizeof(data[i]), 400 + 10 * unbind + i);
			rq = write_req(f->node, f->fh, off[i], data[i], sizeof(data[i]), &win[i]);
		} else {
			rq = fsync_req(f->node, f->fh, &fin[i]);
		}
		CHECK(post(i, &rq, (uint32_t)(sizeof(struct fuse_out_header) + sizeof(struct fuse_write_out))) == 0,
		      "%s: request %u posted", name, i);
	}
	c0 = rc_cycles(rc);
	while (answered < 2 && rc_cycles(rc) - c0 < REQ_LIMIT) {
		reap();
		answered = 0;
		for (unsigned i = 0; i < NSLOT; i++)
			answered += slot_mem[i].done;
		rc_advance(rc, 64, 1u << 24);
	}
	CHECK(answered >= 2 && answered < NSLOT, "%s: %u requests answered before the device went away", name,
	      answered);
	/* the answers, before the new session's calls reuse slot 0 */
	for (unsigned i = 0; i < NSLOT; i++) {
		done[i] = slot_mem[i].done;
		res[i] = done[i] ? reply_of(i) : 0;
		wsize[i] = done[i] && is_write[i] && res[i] >= (long)sizeof(struct fuse_write_out) ?
				   ((struct fuse_write_out *)payload(i))->size : 0;
		slot_mem[i].busy = slot_mem[i].done = 0;
	}
	if (unbind)
		CHECK(rebind() == 0, "%s: unbind, rebind, probe and a new session", name);
	else {
		vfsdrv_stop(&drv);
		CHECK(start_session() == 0, "%s: device reset and a new session", name);
	}
	/* the model: answered requests in order (the card serves them so) */
	for (unsigned i = 0; i < NSLOT; i++) {
		if (!done[i]) {
			abandoned++;
			continue;
		}
		if (is_write[i]) {
			CHECK(res[i] == (long)sizeof(struct fuse_write_out) && wsize[i] == sizeof(data[i]),
			      "%s: WRITE %u answered OK (%ld, %u bytes)", name, i, res[i], wsize[i]);
			model_write(f, off[i], data[i], sizeof(data[i]));
		} else {
			CHECK(res[i] == 0, "%s: FSYNC %u answered OK (%ld)", name, i, res[i]);
			model_fsync(f);
		}
	}
	CHECK(abandoned == NSLOT - answered, "%s: %u requests abandoned in flight", name, abandoned);
	printf("live_nvme: %s: %u requests answered, %u abandoned at the %s\n", name, answered, abandoned,
	       unbind ? "unbind" : "reset");
	/* unanswered WRITEs: whole or not at all; then the answered ones */
	if (lookup(f->name, &f->node) || open_file(f->node, 02, &f->fh)) {
		CHECK(0, "%s: looked up and opened again", name);
		return;
	}
	n = read_at(f->node, f->fh, 0, got, sizeof(got));
	CHECK(n >= (long)f->clen && n <= (long)FMAX && !memcmp(got, f->cur, f->clen),
	      "%s: every answered WRITE is there (%ld bytes, %zu answered, %zu FSYNC'd)", name, n, f->clen, f->dlen);
	/* the abandoned ones lie past what was answered: all there or a hole */
	for (unsigned i = 0; i < NSLOT && n >= (long)f->clen && n <= (long)FMAX; i++) {
		size_t o = off[i], len = sizeof(data[i]), end = (size_t)n < o + len ? (size_t)n : o + len;
		int whole, none = 1;

		if (!is_write[i] || done[i])
			continue;
		whole = (size_t)n >= o + len && !memcmp(got + o, data[i], len);
		for (size_t b = o; b < end; b++)
			none &= got[b] == 0;
		CHECK(whole || none, "%s: abandoned WRITE %u is there whole or not at all", name, i);
	}
	if (n >= 0 && n <= (long)FMAX) {
		memcpy(f->cur, got, (size_t)n);
		f->clen = (size_t)n;
		model_fsync(f);
	}
	reopen_check(f, 1, name);
	CHECK(write_sync(f, f->clen, 8 * 1024, 500 + unbind) == 0, "%s: WRITE and FSYNC in the new session", name);
	for (unsigned k = 0; k < nfiles; k++)
		if (&files[k] != f)
			reopen_check(&files[k], 1, name);
	open_cold();
}

static int save(const char *dir, const char *name, const uint8_t *p, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(p, 1, len, f) != len) {
		if (f)
			fclose(f);
		return -1;
	}
	return fclose(f);
}

int main(int argc, char **argv)
{
	struct sim_card card;
	char err[256], path[512];
	uint64_t bad_lba;
	int ret;

	if (argc != 6) {
		fprintf(stderr, "usage: live_nvme CARD.elf IMAGE OUTDIR SRCDIR BAD_LBA\n");
		return 2;
	}
	srcdir = argv[4];
	bad_lba = strtoull(argv[5], NULL, 0);
	for (unsigned k = 0; k < 3; k++)
		if (read_src(cold_names[k], cold[k], COLD_SIZE)) {
			fprintf(stderr, "live_nvme: %s/%s: not a file of %u bytes\n", srcdir, cold_names[k], COLD_SIZE);
			return 2;
		}
	snprintf(path, sizeof(path), "%s/console.log", argv[3]);
	console = fopen(path, "w+");
	if (!console) {
		fprintf(stderr, "live_nvme: %s: cannot write\n", path);
		return 2;
	}
	setvbuf(console, NULL, _IOLBF, 0);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (sim_card_open(&card, &drv, argv[1], argv[2], console, err, sizeof(err))) {
		fprintf(stderr, "live_nvme: %s\n", err);
		return 2;
	}
	tr = card.tr;
	rc = card.rc;
	ssd = card.ssd;
	if ((ret = ring_slots_alloc(&ring, tr))) {
		fprintf(stderr, "live_nvme: no DMA memory for the requests (%d)\n", ret);
		return 2;
	}
	ret = start_session();
	CHECK(ret == 0, "device start and INIT: %d", ret);
	if (ret == 0) {
		static const char *const phases[] = { "media", "timeout", "fatal", "reset", "rebind" };
		uint64_t c0;

		open_cold();
		for (unsigned p = 0; p < 5; p++) {
			c0 = rc_cycles(rc);
			switch (p) {
			case 0: phase_media(bad_lba); break;
			case 1: phase_timeout(); break;
			case 2: phase_fatal(); break;
			case 3: phase_abandon("h1", 0); break;
			default: phase_abandon("h2", 1); break;
			}
			printf("live_nvme: phase %s: %llu cycles\n", phases[p], (unsigned long long)(rc_cycles(rc) - c0));
		}
		CHECK(call(&(struct fuse_req){ .opcode = FUSE_DESTROY }, 0) >= 0, "DESTROY");
	}
	vfsdrv_stop(&drv);
	rc_step(rc, 20000);
	printf("live_nvme: %llu cycles (%llu skipped idle)\n", (unsigned long long)rc_cycles(rc),
	       (unsigned long long)rc_skipped(rc));
	nvme_dev_detach(ssd);	/* the image is written back */
	tr->ops->close(tr);
	snprintf(path, sizeof(path), "%s/expect", argv[3]);
	for (unsigned k = 0; k < nfiles; k++)
		CHECK(save(path, files[k].name, files[k].cur, files[k].clen) == 0, "expected %s saved", files[k].name);
	for (unsigned k = 0; k < 3; k++)
		CHECK(save(path, cold_names[k], cold[k], COLD_SIZE) == 0, "expected %s saved", cold_names[k]);
	fclose(console);
	printf("%d passed, %d failed\n", passed, failed);
	return failed || !passed ? 1 : 0;	/* no check run is no pass */
}
