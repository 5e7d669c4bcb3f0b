/*
 * The SSD's NVMe controller (nvme_core.h): registers, queues, commands,
 * media timing and faults, over the bus its binding gives it. What it does
 * is described in nvme_dev.h.
 */
#include "nvme_core.h"
#include "vcache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define NQ 9			/* admin + 8 I/O queue pairs */
#define NVEC 8			/* MSI-X vectors */
#define LBA 512u
#define PAGE 4096u
#define MQES 1023u		/* largest queue: 1024 entries */
#define MDTS 5u			/* 128 KiB transfers */
#define MAX_XFER (PAGE << MDTS)
#define MAX_SEGS (MAX_XFER / PAGE + 1)
#define MAX_FETCH 64		/* SQ entries being fetched at once */
#define READY_DELAY 64		/* cycles from CC.EN to CSTS.RDY */

/* Registers */
#define REG_CAP 0x00
#define REG_VS 0x08
#define REG_INTMS 0x0c
#define REG_INTMC 0x10
#define REG_CC 0x14
#define REG_CSTS 0x1c
#define REG_NSSR 0x20
#define REG_AQA 0x24
#define REG_ASQ 0x28
#define REG_ACQ 0x30
#define REG_DBS 0x1000
#define MSIX_TABLE 0x2000u
#define MSIX_PBA 0x3000u
#define CC_EN 1u
#define CSTS_RDY 1u
#define CSTS_CFS 2u
#define CSTS_SHST_DONE (2u << 2)

#define VENDOR_ID 0x1af4u	/* Identify VID/SSVID, as the configuration space has it */

/* Status fields (SCT << 8 | SC) */
#define SF_OK 0x000
#define SF_INVALID_OPCODE 0x001
#define SF_INVALID_FIELD 0x002
#define SF_DATA_XFER_ERROR 0x004
#define SF_INVALID_NS 0x00b
#define SF_PRP_OFFSET 0x013
#define SF_LBA_RANGE 0x080
#define SF_CQ_INVALID 0x100
#define SF_QID_INVALID 0x101
#define SF_QSIZE_INVALID 0x102
#define SF_IV_INVALID 0x108
#define SF_QDEL_INVALID 0x10c
#define SF_WRITE_FAULT 0x280
#define SF_READ_ERROR 0x281

struct sq {
	uint64_t base;
	uint16_t size, head, tail, cqid;
	int valid;
};

struct cq {
	uint64_t base;
	uint16_t size, tail, head, iv;
	uint8_t phase;
	int valid, ien;
	struct cmd *wait_head, *wait_tail;	/* completions waiting for room */
};

struct seg {
	uint64_t addr;
	uint32_t len;
};

struct cmd;
typedef void (*cont_fn)(struct cmd *c);

struct cmd {
	struct nvme_core *d;
	uint16_t sqid;
	uint32_t sqe[16];
	uint32_t bytes;		/* data bytes */
	struct seg segs[MAX_SEGS];
	unsigned nseg;
	uint64_t list_addr;	/* PRP list page being walked */
	unsigned list_need;	/* data PRP entries still to find */
	uint32_t list_left;	/* bytes not yet covered by a segment */
	uint64_t list_buf[PAGE / 8];
	uint8_t *buf;		/* staging: write data, identify data, DSM ranges */
	unsigned parts;		/* DMA reads outstanding */
	int dma_err;
	cont_fn cont;		/* what comes after the PRPs / the data / the wait */
	uint64_t due;
	uint16_t sf;		/* completion status field */
	uint32_t dw0;
	struct cmd *prev, *next;	/* every live command */
	struct cmd *tnext;		/* timed list */
	struct cmd *wnext;		/* waiting on a full CQ */
	uint64_t vc_mark;		/* FLUSH: the cached writes before this one become durable */
};

/* A write in the volatile cache (power-cut model): what it wrote and what it replaced. */
struct vc_rec {
	uint64_t lba, seq;
	uint32_t nlb;
	int fua;
	uint8_t *old, *data;
};

struct nvme_core {
	struct nvme_dev_opts o;
	struct ssd_profile tm;	/* timing */
	struct nvme_core_bus bus;
	void *bus_ctx;
	uint8_t *media;
	uint64_t nblocks;
	size_t map_len;
	int fd;

	uint64_t cap;
	uint32_t cc, csts, aqa, intms;
	uint64_t asq, acq;
	uint32_t msix[NVEC][4];
	uint32_t pba;
	int msix_enable, msix_mask;	/* MSI-X Message Control */
	uint64_t ready_at;	/* CC.EN seen: CSTS.RDY at this cycle (0: not pending) */
	int enabled, fatal;

	struct sq sq[NQ];
	struct cq cq[NQ];
	unsigned fetching;
	struct cmd *live;
	struct cmd *timed;
	uint64_t next_due;
	uint64_t rpipe_free;	/* the read pipe is busy until this cycle */
	uint64_t drain_done;	/* every write accepted so far is on the media by this cycle */
	uint64_t cycle;

	/* faults */
	uint64_t media_lba, media_nlb;
	int hang_opcode;
	unsigned hang_left;	/* 0: every one */
	long cfs_after;

	/* power-cut model (o.cut_cycle): the writes no completed FLUSH covers yet */
	int vc_on;
	struct vc_rec *vc;
	unsigned vc_n, vc_cap;
	uint64_t vc_seq;
	FILE *io_log;		/* --nvme-io-log */

	struct nvme_dev_stats st;
};

/* ------------------------------------------------------------------ helpers */

static uint64_t sqe64(const struct cmd *c, unsigned dw) { return c->sqe[dw] | (uint64_t)c->sqe[dw + 1] << 32; }

/*
 * The power-cut model keeps each write (data NULL: zeroes) with the data it
 * replaces on the media, so that a cut can take back those it loses.
 * Called just before the write reaches the media.
 */
static void vc_record(struct nvme_core *d, uint64_t lba, uint32_t nlb, const uint8_t *data, int fua)
{
	struct vc_rec *r;
	size_t len = (size_t)nlb * LBA;

	if (!d->vc_on)
		return;
	if (d->vc_n == d->vc_cap) {
		unsigned cap = d->vc_cap ? d->vc_cap * 2 : 256;
		struct vc_rec *n = realloc(d->vc, cap * sizeof(*n));

		if (!n) {
			fprintf(stderr, "nvme: power-cut model: out of memory\n");
			abort();
		}
		d->vc = n;
		d->vc_cap = cap;
	}
	r = &d->vc[d->vc_n++];
	r->lba = lba;
	r->nlb = nlb;
	r->fua = fua;
	r->seq = d->vc_seq++;
	r->old = malloc(len);
	r->data = malloc(len);
	if (!r->old || !r->data) {
		fprintf(stderr, "nvme: power-cut model: out of memory\n");
		abort();
	}
	memcpy(r->old, d->media + lba * LBA, len);
	if (data)
		memcpy(r->data, data, len);
	else
		memset(r->data, 0, len);
}

/* A completed FLUSH (or shutdown): the writes before sequence number `before` are durable. */
static void vc_durable(struct nvme_core *d, uint64_t before)
{
	unsigned k = 0;

	for (unsigned i = 0; i < d->vc_n; i++) {
		if (d->vc[i].seq < before) {
			free(d->vc[i].old);
			free(d->vc[i].data);
		} else {
			d->vc[k++] = d->vc[i];
		}
	}
	d->vc_n = k;
}

/* The power is cut: take every cached write back, then land them as vcache.h decides. */
static void vc_cut(struct nvme_core *d)
{
	struct vcache_write *w = calloc(d->vc_n + 1, sizeof(*w));
	unsigned *scratch = calloc(d->vc_n + 1, sizeof(*scratch));
	struct vcache_stats st = { 0 };

	if (!w || !scratch) {
		fprintf(stderr, "nvme: power-cut model: out of memory\n");
		abort();
	}
	for (unsigned i = d->vc_n; i-- > 0;)
		memcpy(d->media + d->vc[i].lba * LBA, d->vc[i].old, (size_t)d->vc[i].nlb * LBA);
	for (unsigned i = 0; i < d->vc_n; i++) {
		w[i].sector = d->vc[i].lba;
		w[i].count = d->vc[i].nlb;
		w[i].data = d->vc[i].data;
		w[i].fua = d->vc[i].fua;
	}
	vcache_resolve(d->media, d->nblocks, w, d->vc_n, d->o.cut_seed, scratch, &st);
	d->st.cut_cached = st.writes;
	d->st.cut_lost = st.lost;
	d->st.cut_kept = st.kept;
	d->st.cut_torn = st.torn;
	fprintf(stderr, "nvme: power cut (seed %llu) at SSD cycle %llu: %llu cached writes: %llu lost, %llu kept, %llu torn\n",
		(unsigned long long)d->o.cut_seed, (unsigned long long)d->cycle, (unsigned long long)st.writes,
		(unsigned long long)st.lost,
		(unsigned long long)st.kept, (unsigned long long)st.torn);
	vc_durable(d, UINT64_MAX);
	free(w);
	free(scratch);
}

static int in_media_fault(const struct nvme_core *d, uint64_t lba, uint64_t nlb)
{
	return d->media_nlb && lba < d->media_lba + d->media_nlb && d->media_lba < lba + nlb;
}

/* ------------------------------------------------------------------ commands */

static struct cmd *cmd_new(struct nvme_core *d, uint16_t sqid)
{
	struct cmd *c = calloc(1, sizeof(*c));

	if (!c)
		abort();
	c->d = d;
	c->sqid = sqid;
	c->next = d->live;
	if (d->live)
		d->live->prev = c;
	d->live = c;
	return c;
}

static void cmd_free(struct cmd *c)
{
	struct nvme_core *d = c->d;

	if (c->prev)
		c->prev->next = c->next;
	else
		d->live = c->next;
	if (c->next)
		c->next->prev = c->prev;
	free(c->buf);
	free(c);
}

static void send_msi(struct nvme_core *d, unsigned iv)
{
	uint32_t data;

	if (!d->msix_enable || iv >= NVEC)
		return;			/* MSI-X off: no interrupt (INTx is not modelled) */
	if (d->msix_mask || (d->msix[iv][3] & 1u)) {
		d->pba |= 1u << iv;	/* masked: pending */
		return;
	}
	data = d->msix[iv][2];
	d->bus.dma_write(d->bus_ctx, d->msix[iv][0] | (uint64_t)d->msix[iv][1] << 32, &data, 4);
	d->st.msis++;
}

/* Posts the completion entry now if the CQ has room; the command is done. */
static int post(struct cmd *c)
{
	struct nvme_core *d = c->d;
	struct sq *sq = &d->sq[c->sqid];
	struct cq *cq = &d->cq[sq->cqid];
	uint8_t e[16];

	if ((uint16_t)((cq->tail + 1) % cq->size) == cq->head)
		return 0;
	nvme_put32(e, c->dw0);
	nvme_put32(e + 4, 0);
	nvme_put32(e + 8, (uint32_t)c->sqid << 16 | sq->head);
	nvme_put32(e + 12, (c->sqe[0] >> 16) | (uint32_t)((c->sf << 1) | cq->phase) << 16);
	d->bus.dma_write(d->bus_ctx, cq->base + 16ull * cq->tail, e, 16);
	if (++cq->tail == cq->size) {
		cq->tail = 0;
		cq->phase ^= 1;
	}
	if (cq->ien)
		send_msi(d, cq->iv);
	return 1;
}

static void complete(struct cmd *c, uint16_t sf, uint32_t dw0)
{
	struct nvme_core *d = c->d;
	struct cq *cq;

	c->sf = sf;
	c->dw0 = dw0;
	if (sf)
		d->st.errors++;
	if (d->fatal || !d->enabled || !d->sq[c->sqid].valid || !d->cq[d->sq[c->sqid].cqid].valid) {
		cmd_free(c);		/* nowhere to report it */
		return;
	}
	cq = &d->cq[d->sq[c->sqid].cqid];
	if (!cq->wait_head && post(c)) {
		cmd_free(c);
		return;
	}
	c->wnext = NULL;
	if (cq->wait_tail)
		cq->wait_tail->wnext = c;
	else
		cq->wait_head = c;
	cq->wait_tail = c;
}

static void drain_waiting(struct nvme_core *d, struct cq *cq)
{
	while (cq->wait_head && post(cq->wait_head)) {
		struct cmd *c = cq->wait_head;

		cq->wait_head = c->wnext;
		if (!cq->wait_head)
			cq->wait_tail = NULL;
		cmd_free(c);
	}
	(void)d;
}

/* Runs cont at cycle `due`. */
static void at(struct cmd *c, uint64_t due, cont_fn cont)
{
	struct nvme_core *d = c->d;

	c->due = due;
	c->cont = cont;
	c->tnext = d->timed;
	d->timed = c;
	if (due < d->next_due)
		d->next_due = due;
}

static uint64_t xfer_cycles(uint32_t bytes, double bw)
{
	return bw > 0 ? (uint64_t)((double)bytes / bw + 0.999999) : 0;
}

/* A read's media time: the access, then its bytes through the shared pipe. */
static void media_read(struct cmd *c, uint32_t bytes, cont_fn cont)
{
	struct nvme_core *d = c->d;
	uint64_t t = d->cycle + d->tm.read_latency;

	if (d->tm.read_bw > 0) {
		if (t < d->rpipe_free)
			t = d->rpipe_free;
		t += xfer_cycles(bytes, d->tm.read_bw);
		d->rpipe_free = t;
	}
	d->st.media_cycles += t - d->cycle;
	at(c, t, cont);
}

/*
 * A write's acknowledgement. With a write cache: the data enters the cache
 * once it has room (the cache holds what has not drained by then: it
 * drains at write_bw from drain_done backwards), is acknowledged
 * write_latency later, and drains behind everything accepted before it.
 * Without one: write_latency, then the write pipe.
 */
static void media_write(struct cmd *c, uint32_t bytes, cont_fn cont)
{
	struct nvme_core *d = c->d;
	uint64_t xfer = xfer_cycles(bytes, d->tm.write_bw), t;

	if (d->tm.cache_bytes && d->tm.write_bw > 0) {
		uint64_t room_at = 0, keep = bytes < d->tm.cache_bytes ? d->tm.cache_bytes - bytes : 0;
		uint64_t keep_cycles = xfer_cycles((uint32_t)(keep > UINT32_MAX ? UINT32_MAX : keep), d->tm.write_bw);

		/* room when what is still cached drains down to `keep` bytes */
		if (d->drain_done > keep_cycles)
			room_at = d->drain_done - keep_cycles;
		t = d->cycle > room_at ? d->cycle : room_at;
		d->drain_done = (d->drain_done > t ? d->drain_done : t) + xfer;
		t += d->tm.write_latency;
	} else {
		t = d->cycle + d->tm.write_latency;
		if (t < d->drain_done)
			t = d->drain_done;
		t += xfer;
		d->drain_done = t;
	}
	d->st.media_cycles += t - d->cycle;
	at(c, t, cont);
}

/* FLUSH: everything accepted so far on the media, then the flush's own time. */
static void media_flush(struct cmd *c, cont_fn cont)
{
	struct nvme_core *d = c->d;
	uint64_t t = d->cycle;

	if (d->drain_done > t) {
		d->st.flush_wait_cycles += d->drain_done - t;
		t = d->drain_done;
	}
	t += d->tm.flush_latency;
	d->st.media_cycles += t - d->cycle;
	at(c, t, cont);
}

/* Commands that touch no data on the media (write zeroes, deallocate):
 * metadata only, acknowledged like a write. */
static void media_meta(struct cmd *c, cont_fn cont)
{
	struct nvme_core *d = c->d;

	d->st.media_cycles += d->tm.write_latency;
	at(c, d->cycle + d->tm.write_latency, cont);
}

/* ---- PRPs */

static void list_fetch(struct cmd *c);

static void list_done(void *ctx, void *arg, int status)
{
	struct cmd *c = arg;
	unsigned in_page = (unsigned)((PAGE - (c->list_addr & (PAGE - 1))) / 8);
	unsigned n = c->list_need < in_page ? c->list_need : in_page;
	int chain = c->list_need > in_page;

	(void)ctx;
	if (status) {
		complete(c, SF_DATA_XFER_ERROR, 0);
		return;
	}
	for (unsigned i = 0; i < n; i++) {
		uint64_t e = c->list_buf[i];

		if (chain && i == n - 1) {
			if (e & 7) {
				complete(c, SF_PRP_OFFSET, 0);
				return;
			}
			c->list_addr = e;
			list_fetch(c);
			return;
		}
		if (e & (PAGE - 1)) {
			complete(c, SF_PRP_OFFSET, 0);
			return;
		}
		c->segs[c->nseg].addr = e;
		c->segs[c->nseg].len = c->list_left < PAGE ? c->list_left : PAGE;
		c->list_left -= c->segs[c->nseg].len;
		c->nseg++;
		c->list_need--;
	}
	c->cont(c);
}

static void list_fetch(struct cmd *c)
{
	unsigned in_page = (unsigned)((PAGE - (c->list_addr & (PAGE - 1))) / 8);
	unsigned n = c->list_need < in_page ? c->list_need : in_page;

	c->d->bus.dma_read(c->d->bus_ctx, c->list_addr, c->list_buf, n * 8ull, list_done, c);
}

/* Finds the data segments of c->bytes from PRP1/PRP2, then runs cont. */
static void prp_setup(struct cmd *c, cont_fn cont)
{
	uint64_t prp1 = sqe64(c, 6), prp2 = sqe64(c, 8);
	uint32_t first = PAGE - (uint32_t)(prp1 & (PAGE - 1)), rem;

	c->cont = cont;
	c->nseg = 0;
	if (prp1 & 3) {
		complete(c, SF_PRP_OFFSET, 0);
		return;
	}
	if (first > c->bytes)
		first = c->bytes;
	c->segs[0] = (struct seg){ prp1, first };
	c->nseg = 1;
	rem = c->bytes - first;
	if (rem == 0) {
		cont(c);
	} else if (rem <= PAGE) {
		if (prp2 & (PAGE - 1)) {
			complete(c, SF_PRP_OFFSET, 0);
			return;
		}
		c->segs[1] = (struct seg){ prp2, rem };
		c->nseg = 2;
		cont(c);
	} else {
		if (prp2 & 7) {
			complete(c, SF_PRP_OFFSET, 0);
			return;
		}
		c->list_addr = prp2;
		c->list_left = rem;
		c->list_need = (rem + PAGE - 1) / PAGE;
		list_fetch(c);
	}
}

/* ---- data movement */

static void data_in_done(void *ctx, void *arg, int status)
{
	struct cmd *c = arg;

	(void)ctx;
	if (status)
		c->dma_err = 1;
	if (--c->parts)
		return;
	if (c->dma_err)
		complete(c, SF_DATA_XFER_ERROR, 0);
	else
		c->cont(c);
}

/* Reads the command's segments into c->buf, then runs cont. */
static void data_in(struct cmd *c, cont_fn cont)
{
	uint32_t off = 0;

	c->buf = malloc(c->bytes);
	if (!c->buf)
		abort();
	c->cont = cont;
	c->parts = c->nseg;
	c->dma_err = 0;
	for (unsigned i = 0; i < c->nseg; i++) {
		c->d->bus.dma_read(c->d->bus_ctx, c->segs[i].addr, c->buf + off, c->segs[i].len, data_in_done, c);
		off += c->segs[i].len;
	}
}

static void data_out(struct cmd *c, const uint8_t *src)
{
	uint32_t off = 0;

	for (unsigned i = 0; i < c->nseg; i++) {
		c->d->bus.dma_write(c->d->bus_ctx, c->segs[i].addr, src + off, c->segs[i].len);
		off += c->segs[i].len;
	}
}

/* ------------------------------------------------------------------ admin */

static void identify_out(struct cmd *c)
{
	data_out(c, c->buf);
	complete(c, SF_OK, 0);
}

static void admin_identify(struct cmd *c)
{
	struct nvme_core *d = c->d;
	unsigned cns = c->sqe[10] & 0xff;
	uint8_t *b;

	c->buf = calloc(1, PAGE);
	if (!c->buf)
		abort();
	b = c->buf;
	switch (cns) {
	case 0:				/* namespace */
		if (c->sqe[1] != 1) {
			complete(c, SF_INVALID_NS, 0);
			return;
		}
		memcpy(b + 0, &d->nblocks, 8);		/* NSZE */
		memcpy(b + 8, &d->nblocks, 8);		/* NCAP */
		memcpy(b + 16, &d->nblocks, 8);		/* NUSE */
		b[25] = 0;				/* NLBAF: one format */
		b[26] = 0;				/* FLBAS */
		b[33] = 1;				/* DLFEAT: deallocated blocks read zeros */
		b[128 + 2] = 9;				/* LBAF0: 512-byte LBAs */
		break;
	case 1:				/* controller */
		nvme_put32(b, VENDOR_ID | VENDOR_ID << 16);	/* VID, SSVID */
		memcpy(b + 4, "VFPGA-SIM-0001      ", 20);
		memcpy(b + 24, "vfpga testbench NVMe SSD                ", 40);
		memcpy(b + 64, "1.0     ", 8);
		b[77] = MDTS;
		nvme_put32(b + 80, 0x00010400);		/* VER 1.4 */
		b[512] = 0x66;				/* SQES: 64 bytes */
		b[513] = 0x44;				/* CQES: 16 bytes */
		nvme_put32(b + 516, 1);			/* NN */
		b[520] = 1u << 2 | 1u << 3;		/* ONCS: DSM, Write Zeroes */
		b[525] = 1;				/* VWC present */
		break;
	case 2:				/* active namespace list */
		nvme_put32(b, 1);
		break;
	default:
		complete(c, SF_INVALID_FIELD, 0);
		return;
	}
	c->bytes = PAGE;
	prp_setup(c, identify_out);
}

/* The checks Create I/O CQ and SQ share: queue id free and in range, size,
 * a physically contiguous page-aligned queue. Completes the command and
 * returns 0 when one fails. */
static int create_args_ok(struct cmd *c, int taken)
{
	unsigned q = c->sqe[10] & 0xffff, n = (c->sqe[10] >> 16) + 1;

	if (q == 0 || q >= NQ || taken) {
		complete(c, SF_QID_INVALID, 0);
		return 0;
	}
	if (n < 2 || n > MQES + 1) {
		complete(c, SF_QSIZE_INVALID, 0);
		return 0;
	}
	if (!(c->sqe[11] & 1) || (sqe64(c, 6) & (PAGE - 1))) {
		complete(c, SF_INVALID_FIELD, 0);
		return 0;
	}
	return 1;
}

static void admin_create_cq(struct cmd *c)
{
	struct nvme_core *d = c->d;
	unsigned q = c->sqe[10] & 0xffff, n = (c->sqe[10] >> 16) + 1, iv = c->sqe[11] >> 16;

	if (!create_args_ok(c, q < NQ && d->cq[q].valid))
		return;
	if ((c->sqe[11] & 2) && iv >= NVEC) {
		complete(c, SF_IV_INVALID, 0);
		return;
	}
	d->cq[q] = (struct cq){ .base = sqe64(c, 6), .size = (uint16_t)n, .phase = 1, .valid = 1,
				.ien = (c->sqe[11] & 2) != 0, .iv = (uint16_t)iv };
	complete(c, SF_OK, 0);
}

static void admin_create_sq(struct cmd *c)
{
	struct nvme_core *d = c->d;
	unsigned q = c->sqe[10] & 0xffff, n = (c->sqe[10] >> 16) + 1, cq = c->sqe[11] >> 16;

	if (!create_args_ok(c, q < NQ && d->sq[q].valid))
		return;
	if (cq == 0 || cq >= NQ || !d->cq[cq].valid) {
		complete(c, SF_CQ_INVALID, 0);
		return;
	}
	d->sq[q] = (struct sq){ .base = sqe64(c, 6), .size = (uint16_t)n, .cqid = (uint16_t)cq, .valid = 1 };
	complete(c, SF_OK, 0);
}

static void admin_delete_sq(struct cmd *c)
{
	unsigned q = c->sqe[10] & 0xffff;

	if (q == 0 || q >= NQ || !c->d->sq[q].valid) {
		complete(c, SF_QID_INVALID, 0);
		return;
	}
	c->d->sq[q].valid = 0;	/* its commands in flight complete nowhere */
	complete(c, SF_OK, 0);
}

static void admin_delete_cq(struct cmd *c)
{
	struct nvme_core *d = c->d;
	unsigned q = c->sqe[10] & 0xffff;

	if (q == 0 || q >= NQ || !d->cq[q].valid) {
		complete(c, SF_QID_INVALID, 0);
		return;
	}
	for (unsigned s = 1; s < NQ; s++)
		if (d->sq[s].valid && d->sq[s].cqid == q) {
			complete(c, SF_QDEL_INVALID, 0);
			return;
		}
	while (d->cq[q].wait_head) {
		struct cmd *w = d->cq[q].wait_head;

		d->cq[q].wait_head = w->wnext;
		cmd_free(w);
	}
	d->cq[q].valid = 0;
	complete(c, SF_OK, 0);
}

static void admin_features(struct cmd *c, int set)
{
	unsigned fid = c->sqe[10] & 0xff;
	uint32_t nq = (NQ - 2) << 16 | (NQ - 2);	/* 0-based: NQ - 1 queues of each kind */

	switch (fid) {
	case 0x06:				/* volatile write cache */
		complete(c, SF_OK, set ? 0 : 1);
		return;
	case 0x07:				/* number of queues */
		complete(c, SF_OK, nq);
		return;
	default:
		complete(c, SF_INVALID_FIELD, 0);
	}
}

static int set_fault(struct nvme_core *d, unsigned kind, uint32_t a, uint32_t b, uint32_t c)
{
	switch (kind) {
	case NVME_DEV_FAULT_CLEAR:
		d->media_nlb = 0;
		d->hang_opcode = -1;
		d->cfs_after = -1;
		return 0;
	case NVME_DEV_FAULT_MEDIA:
		d->media_lba = a | (uint64_t)b << 32;
		d->media_nlb = c;
		return 0;
	case NVME_DEV_FAULT_HANG:
		d->hang_opcode = (int)(a & 0xff);
		d->hang_left = b;
		return 0;
	case NVME_DEV_FAULT_CFS:
		d->cfs_after = (long)a;
		return 0;
	default:
		return -EINVAL;
	}
}

/* CFS after 0 more commands: fatal now (after the command that asked). */
static void fault_cfs_now(struct nvme_core *d)
{
	if (d->cfs_after == 0) {
		d->cfs_after = -1;
		d->fatal = 1;
		d->csts |= CSTS_CFS;
	}
}

static void admin_fault(struct cmd *c)
{
	struct nvme_core *d = c->d;

	if (set_fault(d, c->sqe[10], c->sqe[11], c->sqe[12], c->sqe[13])) {
		complete(c, SF_INVALID_FIELD, 0);
		return;
	}
	complete(c, SF_OK, 0);
	fault_cfs_now(d);
}

int nvme_core_fault(struct nvme_core *d, unsigned kind, uint32_t a, uint32_t b, uint32_t c)
{
	int ret = set_fault(d, kind, a, b, c);

	if (!ret)
		fault_cfs_now(d);
	return ret;
}

static void admin(struct cmd *c)
{
	struct nvme_core *d = c->d;

	d->st.admin_cmds++;
	switch (c->sqe[0] & 0xff) {
	case 0x00: admin_delete_sq(c); return;
	case 0x01: admin_create_sq(c); return;
	case 0x04: admin_delete_cq(c); return;
	case 0x05: admin_create_cq(c); return;
	case 0x06: admin_identify(c); return;
	case 0x09: admin_features(c, 1); return;
	case 0x0a: admin_features(c, 0); return;
	default:
		if ((c->sqe[0] & 0xff) == NVME_DEV_FAULT_OPC && d->o.fault_api) {
			admin_fault(c);
			return;
		}
		complete(c, SF_INVALID_OPCODE, 0);
	}
}

/* ------------------------------------------------------------------ I/O */

static uint64_t io_lba(const struct cmd *c) { return sqe64(c, 10); }
static uint32_t io_nlb(const struct cmd *c) { return (c->sqe[12] & 0xffff) + 1; }

static void read_media_done(struct cmd *c)
{
	struct nvme_core *d = c->d;
	uint64_t lba = io_lba(c);

	if (in_media_fault(d, lba, io_nlb(c))) {
		complete(c, SF_READ_ERROR, 0);
		return;
	}
	data_out(c, d->media + lba * LBA);
	d->st.bytes_read += c->bytes;
	complete(c, SF_OK, 0);
}

static void read_prps_ready(struct cmd *c) { media_read(c, c->bytes, read_media_done); }

static void write_media_done(struct cmd *c)
{
	struct nvme_core *d = c->d;
	uint64_t lba = io_lba(c);

	if (in_media_fault(d, lba, io_nlb(c))) {
		complete(c, SF_WRITE_FAULT, 0);	/* nothing written */
		return;
	}
	vc_record(d, lba, io_nlb(c), c->buf, (c->sqe[12] >> 30) & 1);
	if (d->io_log)
		fprintf(d->io_log, "W %llu %llu %u\n", (unsigned long long)d->cycle, (unsigned long long)lba, io_nlb(c));
	memcpy(d->media + lba * LBA, c->buf, c->bytes);
	d->st.bytes_written += c->bytes;
	complete(c, SF_OK, 0);
}

static void write_data_arrived(struct cmd *c) { media_write(c, c->bytes, write_media_done); }
static void write_prps_ready(struct cmd *c) { data_in(c, write_data_arrived); }

static void zeroes_done(struct cmd *c)
{
	struct nvme_core *d = c->d;
	uint64_t lba = io_lba(c);
	uint32_t nlb = io_nlb(c);

	if (in_media_fault(d, lba, nlb)) {
		complete(c, SF_WRITE_FAULT, 0);
		return;
	}
	vc_record(d, lba, nlb, NULL, (c->sqe[12] >> 30) & 1);
	memset(d->media + lba * LBA, 0, (size_t)nlb * LBA);
	complete(c, SF_OK, 0);
}

static void flush_done(struct cmd *c)
{
	vc_durable(c->d, c->vc_mark);
	if (c->d->io_log)
		fprintf(c->d->io_log, "F %llu\n", (unsigned long long)c->d->cycle);
	complete(c, SF_OK, 0);
}

static void dsm_done(struct cmd *c)
{
	struct nvme_core *d = c->d;
	unsigned nr = (c->sqe[10] & 0xff) + 1;

	for (unsigned i = 0; i < nr; i++) {
		const uint8_t *r = c->buf + 16 * i;
		uint32_t n = nvme_get32(r + 4);
		uint64_t s = nvme_get32(r + 8) | (uint64_t)nvme_get32(r + 12) << 32;

		if (s >= d->nblocks || n > d->nblocks - s) {
			complete(c, SF_LBA_RANGE, 0);
			return;
		}
	}
	if (c->sqe[11] & 4) {
		for (unsigned i = 0; i < nr; i++) {
			const uint8_t *r = c->buf + 16 * i;
			uint32_t n = nvme_get32(r + 4);
			uint64_t s = nvme_get32(r + 8) | (uint64_t)nvme_get32(r + 12) << 32;

			vc_record(d, s, n, NULL, 0);
			memset(d->media + s * LBA, 0, (size_t)n * LBA);
		}
	}
	complete(c, SF_OK, 0);
}

static void dsm_ranges_arrived(struct cmd *c) { media_meta(c, dsm_done); }
static void dsm_prps_ready(struct cmd *c) { data_in(c, dsm_ranges_arrived); }

static void io(struct cmd *c)
{
	struct nvme_core *d = c->d;
	uint8_t op = (uint8_t)c->sqe[0];
	uint64_t lba = io_lba(c);
	uint32_t nlb = io_nlb(c);

	d->st.io_cmds++;
	if (d->hang_opcode == op) {
		if (d->hang_left && --d->hang_left == 0)
			d->hang_opcode = -1;
		cmd_free(c);			/* never completes */
		return;
	}
	if (op != 0x00 && c->sqe[1] != 1) {
		complete(c, SF_INVALID_NS, 0);
		return;
	}
	switch (op) {
	case 0x00:				/* flush */
		d->st.flushes++;
		if (c->sqe[1] != 1 && c->sqe[1] != 0xffffffffu) {
			complete(c, SF_INVALID_NS, 0);
			return;
		}
		c->vc_mark = d->vc_seq;		/* what is acknowledged by now */
		media_flush(c, flush_done);
		return;
	case 0x01:				/* write */
	case 0x02:				/* read */
		if (lba >= d->nblocks || nlb > d->nblocks - lba) {
			complete(c, SF_LBA_RANGE, 0);
			return;
		}
		if ((uint64_t)nlb * LBA > MAX_XFER) {
			complete(c, SF_INVALID_FIELD, 0);
			return;
		}
		c->bytes = nlb * LBA;
		if (op == 0x02) {
			d->st.reads++;
			prp_setup(c, read_prps_ready);
		} else {
			d->st.writes++;
			prp_setup(c, write_prps_ready);
		}
		return;
	case 0x08:				/* write zeroes */
		d->st.write_zeroes++;
		if (lba >= d->nblocks || nlb > d->nblocks - lba) {
			complete(c, SF_LBA_RANGE, 0);
			return;
		}
		media_meta(c, zeroes_done);
		return;
	case 0x09:				/* dataset management */
		d->st.dsms++;
		c->bytes = 16 * ((c->sqe[10] & 0xff) + 1);
		prp_setup(c, dsm_prps_ready);
		return;
	default:
		complete(c, SF_INVALID_OPCODE, 0);
	}
}

/* ------------------------------------------------------------------ fetching */

static void fetch(struct nvme_core *d);

static void fatal(struct nvme_core *d)
{
	d->fatal = 1;
	d->csts |= CSTS_CFS;
}

static void sqe_arrived(void *ctx, void *arg, int status)
{
	struct cmd *c = arg;
	struct nvme_core *d = c->d;

	(void)ctx;
	d->fetching--;
	if (status) {
		cmd_free(c);
		fatal(d);		/* a queue it cannot read: nothing sensible remains */
		return;
	}
	if (d->fatal) {
		cmd_free(c);
		return;
	}
	fetch(d);		/* room for more fetches */
	if (c->sqid) {
		if (d->cfs_after == 0) {
			d->cfs_after = -1;	/* counted down: this one finds the controller failed */
			cmd_free(c);
			fatal(d);
			return;
		}
		if (d->cfs_after > 0)
			d->cfs_after--;
		io(c);
	} else {
		admin(c);
	}
}

static void fetch(struct nvme_core *d)
{
	if (!d->enabled || d->fatal)
		return;
	for (unsigned q = 0; q < NQ; q++) {
		struct sq *sq = &d->sq[q];

		while (sq->valid && sq->head != sq->tail && d->fetching < MAX_FETCH) {
			struct cmd *c = cmd_new(d, (uint16_t)q);

			d->fetching++;
			d->bus.dma_read(d->bus_ctx, sq->base + 64ull * sq->head, c->sqe, 64, sqe_arrived, c);
			sq->head = (uint16_t)((sq->head + 1) % sq->size);
		}
	}
}

/* ------------------------------------------------------------------ controller */

static void ctrl_reset(struct nvme_core *d)
{
	d->bus.cancel_reads(d->bus_ctx);
	while (d->live)
		cmd_free(d->live);
	d->timed = NULL;
	d->next_due = UINT64_MAX;
	memset(d->sq, 0, sizeof(d->sq));
	memset(d->cq, 0, sizeof(d->cq));
	d->fetching = 0;
	d->enabled = 0;
	d->fatal = 0;
	d->ready_at = 0;
	d->csts = 0;
	d->st.resets++;
}

static void cc_write(struct nvme_core *d, uint32_t v)
{
	uint32_t old = d->cc;

	d->cc = v;
	if ((old & CC_EN) && !(v & CC_EN)) {
		ctrl_reset(d);
	} else if (!(old & CC_EN) && (v & CC_EN)) {
		d->ready_at = d->cycle + READY_DELAY;
	}
	if (((v >> 14) & 3) && !(d->csts & CSTS_SHST_DONE)) {
		vc_durable(d, d->vc_seq);	/* a shutdown writes the cache back */
		if (d->map_len)
			msync(d->media, d->map_len, MS_ASYNC);
		d->csts |= CSTS_SHST_DONE;
	}
	if (!((v >> 14) & 3))
		d->csts &= ~(3u << 2);
}

static void enable_now(struct nvme_core *d)
{
	d->ready_at = 0;
	/* CSS NVM, MPS 4 KiB, 64/16-byte entries, or the controller fails. */
	if (((d->cc >> 4) & 7) || ((d->cc >> 7) & 0xf) || ((d->cc >> 16) & 0xf) != 6 ||
	    ((d->cc >> 20) & 0xf) != 4 || (d->asq & (PAGE - 1)) || (d->acq & (PAGE - 1))) {
		fatal(d);
		return;
	}
	d->sq[0] = (struct sq){ .base = d->asq, .size = (uint16_t)((d->aqa & 0xfff) + 1), .valid = 1 };
	d->cq[0] = (struct cq){ .base = d->acq, .size = (uint16_t)(((d->aqa >> 16) & 0xfff) + 1),
				.phase = 1, .valid = 1, .ien = 1, .iv = 0 };
	d->enabled = 1;
	d->csts |= CSTS_RDY;
}

uint32_t nvme_core_reg_read(struct nvme_core *d, uint32_t off)
{
	if (off >= MSIX_TABLE && off < MSIX_TABLE + 16 * NVEC)
		return d->msix[(off - MSIX_TABLE) / 16][(off % 16) / 4];
	if (off == MSIX_PBA)
		return d->pba;
	switch (off) {
	case REG_CAP: return (uint32_t)d->cap;
	case REG_CAP + 4: return (uint32_t)(d->cap >> 32);
	case REG_VS: return 0x00010400;
	case REG_INTMS:
	case REG_INTMC: return d->intms;
	case REG_CC: return d->cc;
	case REG_CSTS: return d->csts;
	case REG_AQA: return d->aqa;
	case REG_ASQ: return (uint32_t)d->asq;
	case REG_ASQ + 4: return (uint32_t)(d->asq >> 32);
	case REG_ACQ: return (uint32_t)d->acq;
	case REG_ACQ + 4: return (uint32_t)(d->acq >> 32);
	default: return 0;
	}
}

static void doorbell(struct nvme_core *d, unsigned idx, uint32_t v)
{
	unsigned q = idx / 2;

	if (q >= NQ || !d->enabled)
		return;
	if (idx & 1) {
		struct cq *cq = &d->cq[q];

		if (!cq->valid || v >= cq->size)
			return;			/* invalid doorbell write: ignored */
		cq->head = (uint16_t)v;
		drain_waiting(d, cq);
	} else {
		struct sq *sq = &d->sq[q];

		if (!sq->valid || v >= sq->size)
			return;
		sq->tail = (uint16_t)v;
		fetch(d);
	}
}

void nvme_core_reg_write(struct nvme_core *d, uint32_t off, uint32_t v, unsigned be)
{
	uint32_t mask = 0, old;

	for (unsigned b = 0; b < 4; b++)
		if (be & (1u << b))
			mask |= 0xffu << (8 * b);
	if (!mask)
		return;
	old = nvme_core_reg_read(d, off);
	v = (old & ~mask) | (v & mask);
	if (off >= MSIX_TABLE && off < MSIX_TABLE + 16 * NVEC) {
		unsigned iv = (off - MSIX_TABLE) / 16, w = (off % 16) / 4;

		d->msix[iv][w] = w == 3 ? (v & 1u) : v;
		if (w == 3 && !(v & 1u) && (d->pba & (1u << iv))) {
			d->pba &= ~(1u << iv);
			send_msi(d, iv);	/* unmasked with a message pending */
		}
		return;
	}
	if (off >= REG_DBS && off < MSIX_TABLE) {
		doorbell(d, (off - REG_DBS) / 4, v);
		return;
	}
	switch (off) {
	case REG_INTMS: d->intms |= v; break;
	case REG_INTMC: d->intms &= ~v; break;
	case REG_CC: cc_write(d, v); break;
	case REG_AQA: d->aqa = v & 0x0fff0fffu; break;
	case REG_ASQ: d->asq = (d->asq & ~0xffffffffull) | v; break;
	case REG_ASQ + 4: d->asq = (d->asq & 0xffffffffull) | (uint64_t)v << 32; break;
	case REG_ACQ: d->acq = (d->acq & ~0xffffffffull) | v; break;
	case REG_ACQ + 4: d->acq = (d->acq & 0xffffffffull) | (uint64_t)v << 32; break;
	case REG_NSSR:
		if (v == 0x4e564d65u) {		/* "NVMe": subsystem reset */
			ctrl_reset(d);
			d->cc = 0;
		}
		break;
	default: break;
	}
}

/* ------------------------------------------------------------------ time */

void nvme_core_run(struct nvme_core *d, uint64_t cycle)
{
	if (cycle > d->cycle)
		d->cycle = cycle;
	cycle = d->cycle;
	if (d->ready_at && cycle >= d->ready_at && !d->fatal)
		enable_now(d);
	if (d->timed && cycle >= d->next_due) {
		struct cmd **pp = &d->timed, *run = NULL;

		d->next_due = UINT64_MAX;
		while (*pp) {
			struct cmd *c = *pp;

			if (c->due <= cycle) {
				*pp = c->tnext;
				c->tnext = run;
				run = c;
			} else {
				if (c->due < d->next_due)
					d->next_due = c->due;
				pp = &c->tnext;
			}
		}
		/* oldest first: the list was built newest first, and reversed above */
		while (run) {
			struct cmd *c = run;

			run = c->tnext;
			if (d->fatal || !d->enabled)
				cmd_free(c);
			else
				c->cont(c);
		}
	}
}

uint64_t nvme_core_next_event(const struct nvme_core *d)
{
	uint64_t t = d->timed ? d->next_due : UINT64_MAX;

	if (d->ready_at && !d->fatal && d->ready_at < t)
		t = d->ready_at;
	return t;
}

/* ------------------------------------------------------------------ set-up */

void nvme_core_msix_control(struct nvme_core *d, int enable, int function_mask)
{
	int was_masked = !d->msix_enable || d->msix_mask;

	d->msix_enable = enable;
	d->msix_mask = function_mask;
	if (was_masked && enable && !function_mask)	/* pending messages of unmasked vectors go now */
		for (unsigned iv = 0; iv < NVEC; iv++)
			if ((d->pba & (1u << iv)) && !(d->msix[iv][3] & 1u)) {
				d->pba &= ~(1u << iv);
				send_msi(d, iv);
			}
}

struct nvme_core *nvme_core_open(const struct nvme_dev_opts *o, const struct nvme_core_bus *bus, void *ctx,
				 char *err, size_t errlen)
{
	struct nvme_core *d = calloc(1, sizeof(*d));
	struct stat sb;

	if (!d) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	d->o = *o;
	nvme_dev_timing(o, &d->tm);
	d->bus = *bus;
	d->bus_ctx = ctx;
	d->fd = -1;
	if (!o->image) {
		snprintf(err, errlen, "no image");
		goto out_free;
	}
	d->fd = open(o->image, O_RDWR);
	if (d->fd < 0 || fstat(d->fd, &sb)) {
		snprintf(err, errlen, "%s: %s", o->image, strerror(errno));
		goto out_free;
	}
	if (sb.st_size < (off_t)(16 * LBA) || sb.st_size % LBA) {
		snprintf(err, errlen, "%s: size must be a multiple of 512 bytes, at least 8 KiB", o->image);
		goto out_free;
	}
	d->map_len = (size_t)sb.st_size;
	d->nblocks = (uint64_t)sb.st_size / LBA;
	d->media = mmap(NULL, d->map_len, PROT_READ | PROT_WRITE, MAP_SHARED, d->fd, 0);
	if (d->media == MAP_FAILED) {
		snprintf(err, errlen, "%s: mmap: %s", o->image, strerror(errno));
		d->media = NULL;
		goto out_free;
	}
	/* MQES, CQR, TO 1 s, DSTRD 0, NVM command set, MPSMIN/MPSMAX 4 KiB */
	d->cap = MQES | 1u << 16 | 2u << 24 | 1ull << 37;
	d->media_lba = o->media_lba;
	d->media_nlb = o->media_nlb;
	d->hang_opcode = o->hang_opcode;
	d->hang_left = o->hang_count;
	d->cfs_after = o->cfs_after;
	d->vc_on = o->cut_cycle != 0;
	if (o->io_log && !(d->io_log = fopen(o->io_log, "w"))) {
		snprintf(err, errlen, "%s: %s", o->io_log, strerror(errno));
		goto out_free;
	}
	d->next_due = UINT64_MAX;
	for (unsigned v = 0; v < NVEC; v++)
		d->msix[v][3] = 1;		/* vectors start masked */
	return d;

out_free:
	if (d->media)
		munmap(d->media, d->map_len);
	if (d->fd >= 0)
		close(d->fd);
	free(d);
	return NULL;
}

void nvme_core_close(struct nvme_core *d)
{
	if (!d)
		return;
	while (d->live)
		cmd_free(d->live);
	if (d->vc_on)
		vc_cut(d);
	free(d->vc);
	if (d->io_log)
		fclose(d->io_log);
	msync(d->media, d->map_len, MS_SYNC);
	munmap(d->media, d->map_len);
	close(d->fd);
	free(d);
}

const struct nvme_dev_stats *nvme_core_stats(const struct nvme_core *d) { return &d->st; }
const struct ssd_profile *nvme_core_timing(const struct nvme_core *d) { return &d->tm; }

void nvme_core_print_stats(const struct nvme_core *d, FILE *f)
{
	fprintf(f,
		"nvme: %llu admin, %llu I/O commands (%llu reads, %llu writes, %llu flushes, %llu DSM, "
		"%llu write zeroes), %llu errors, %llu MSI, %llu resets; %llu bytes read, %llu written; "
		"profile %s: %llu media cycles, %llu cycles of FLUSH waiting for the drain\n",
		(unsigned long long)d->st.admin_cmds, (unsigned long long)d->st.io_cmds,
		(unsigned long long)d->st.reads, (unsigned long long)d->st.writes,
		(unsigned long long)d->st.flushes, (unsigned long long)d->st.dsms,
		(unsigned long long)d->st.write_zeroes, (unsigned long long)d->st.errors,
		(unsigned long long)d->st.msis, (unsigned long long)d->st.resets,
		(unsigned long long)d->st.bytes_read, (unsigned long long)d->st.bytes_written,
		d->tm.name, (unsigned long long)d->st.media_cycles, (unsigned long long)d->st.flush_wait_cycles);
}
