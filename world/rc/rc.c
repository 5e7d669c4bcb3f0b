#include "rc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "elf_load.h"
#include "soc_load.h"
#include "soc_map.h"
#include "sparse_mem.h"
#include "vtop.h"

#define RC_DEFAULT_TIMEOUT 200000ull
#define RC_QUEUE 64		/* TLPs waiting to enter the card */
#define RC_DEFAULT_DEV_ID 0x0100u
#define RC_RESET_CYCLES 4
#define TLP_DW0_EP (1u << 14)	/* TLP header DW0: error poisoned (EP) */

struct rc {
	struct vtop *t;
	FILE *console;
	uint64_t cycles, timeout;
	uint16_t rc_id, dev_id;
	uint8_t next_tag;

	/* host -> card: queued TLPs, sent beat by beat */
	struct tlp *txq[RC_QUEUE];
	unsigned txq_head, txq_count, txq_beat;

	/* card -> host: TLP being assembled */
	struct tlp in;
	unsigned in_dws;	/* payload DWs received so far */
	int in_active;

	/* completions for our non-posted requests */
	int cpl_wait_tag;	/* tag awaited, -1 none */
	int cpl_done;
	struct tlp cpl;

	struct sparse_mem host;
	struct rc_msi msi[RC_MAX_MSI];
	unsigned nmsi;

	int fw_exited;
	uint32_t fw_code;
	int have_tohost;
	int fw_busy;		/* last SIMCTRL.BUSY store, -1: none yet */
	uint32_t tohost;
	unsigned unexpected;	/* TLPs from the card that no rule explains */

	/* the card's reads: completions waiting for their time */
	struct rc_dma_faults faults;
	struct pending { uint64_t due; uint64_t seq; struct tlp *t; } *pend;
	size_t npend, cap_pend;
	uint64_t seq;
	uint32_t rng;
	uint8_t outstanding[256];	/* tags of the card's reads in flight */
	struct rc_dma_stats st;
	uint64_t watch_addr, watch_cycle;	/* rc_watch_write */
	int watching;
	unsigned mps, mrrs;

	/* the header as the host last wrote it (command, BAR0): where the
	 * clock's registers are, without reading the card */
	uint8_t cfg_written[0x40];
	uint64_t time_sync_ns;	/* CLOCK_MONOTONIC of the last rc_time_sync write */
	uint64_t time_syncs;
	int time_sync_off;
	int trace_tlps;		/* RC_TRACE_TLPS set: print every TLP from the card */
	uint64_t from_card;	/* TLPs the card sent */
	struct { uint64_t iova, len; uint8_t *ptr; } maps[RC_MAX_MAPS];
	unsigned nmaps;
	int strict;			/* DMA only into mapped ranges (rc_host_strict) */
	rc_msi_fn msi_fn;
	void *msi_ctx;
	rc_mark_fn mark_fn;
	void *mark_ctx;
	uint32_t last_store;	/* address of the soft core's last store */
	uint64_t store_moves;
	uint64_t retired, stores;	/* the core's instructions and stores */

	/* block reads in flight (rc_mem_read_stream), by tag */
	struct rc_rd { uint8_t *buf; uint64_t addr; unsigned len, got, active; int err; } rd[256];
	unsigned tx_stall;	/* percent of cycles the host refuses the card's TLPs */
};

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

struct rc *rc_open(const struct rc_opts *o, char *err, size_t errlen)
{
	struct rc *rc = calloc(1, sizeof(*rc));
	struct elf_image img;

	if (!rc) {
		fail(err, errlen, "out of memory");
		return NULL;
	}
	rc->console = o->console;
	rc->timeout = o->timeout ? o->timeout : RC_DEFAULT_TIMEOUT;
	rc->rc_id = o->rc_id;
	rc->dev_id = o->dev_id ? o->dev_id : RC_DEFAULT_DEV_ID;
	rc->cpl_wait_tag = -1;
	rc->fw_busy = -1;
	rc->rng = 0x2545f491u;
	rc->trace_tlps = getenv("RC_TRACE_TLPS") != NULL;
	rc->mps = 256;
	rc->mrrs = 512;
	smem_init(&rc->host);
	rc->t = vtop_new(o->trace);
	vtop_set_reset(rc->t, 1);
	for (int i = 0; i < RC_RESET_CYCLES; i++)
		vtop_clock(rc->t);
	if (o->firmware) {
		if (elf_read(o->firmware, &img, err, errlen))
			goto out_fail;
		rc->have_tohost = !elf_symbol(&img, "tohost", &rc->tohost);
		if (soc_check_layout(&img, o->firmware) || soc_load_image(rc->t, &img)) {
			fail(err, errlen, "%s cannot be loaded", o->firmware);
			elf_free(&img);
			goto out_fail;
		}
		elf_free(&img);
		vtop_set_reset(rc->t, 0);
	} else {
		/* No firmware: the function runs, the soft core is parked on an
		 * endless loop at the reset vector (a JAL to itself). */
		vtop_load_word(rc->t, 0x80000000u, 0x0000006fu);
		vtop_set_reset(rc->t, 0);
	}
	return rc;

out_fail:
	rc_close(rc);
	return NULL;
}

void rc_close(struct rc *rc)
{
	if (!rc)
		return;
	vtop_free(rc->t);
	for (unsigned i = 0; i < rc->txq_count; i++)
		free(rc->txq[(rc->txq_head + i) % RC_QUEUE]);
	for (size_t i = 0; i < rc->npend; i++)
		free(rc->pend[i].t);
	free(rc->pend);
	smem_free(&rc->host);
	free(rc);
}

static unsigned tlp_beats(const struct tlp *t)
{
	unsigned n = tlp_has_data(t) ? t->ndata : 0;

	return n <= VTOP_TLP_BEAT_DWS ? 1 : (n + VTOP_TLP_BEAT_DWS - 1) / VTOP_TLP_BEAT_DWS;
}

static int queue_tlp(struct rc *rc, const struct tlp *t)
{
	struct tlp *c;

	if (rc->txq_count == RC_QUEUE)
		return -EAGAIN;
	c = malloc(sizeof(*c));
	if (!c)
		return -ENOMEM;
	*c = *t;
	rc->txq[(rc->txq_head + rc->txq_count) % RC_QUEUE] = c;
	rc->txq_count++;
	return 0;
}

static uint32_t rnd(struct rc *rc)
{
	rc->rng ^= rc->rng << 13;
	rc->rng ^= rc->rng >> 17;
	rc->rng ^= rc->rng << 5;
	return rc->rng;
}

static void add_pending(struct rc *rc, uint64_t due, const struct tlp *t)
{
	struct tlp *c = malloc(sizeof(*c));

	if (!c)
		abort();
	*c = *t;
	if (rc->npend == rc->cap_pend) {
		rc->cap_pend = rc->cap_pend ? 2 * rc->cap_pend : 64;
		rc->pend = realloc(rc->pend, rc->cap_pend * sizeof(*rc->pend));
		if (!rc->pend)
			abort();
	}
	rc->pend[rc->npend].due = due;
	rc->pend[rc->npend].seq = rc->seq++;
	rc->pend[rc->npend].t = c;
	rc->npend++;
}

/* Moves completions whose time has come into the stream toward the card, the
 * earliest first (ties in the order they were made). */
static void release_pending(struct rc *rc)
{
	while (rc->npend && rc->txq_count < RC_QUEUE) {
		size_t best = rc->npend;

		for (size_t i = 0; i < rc->npend; i++)
			if (rc->pend[i].due <= rc->cycles &&
			    (best == rc->npend || rc->pend[i].due < rc->pend[best].due ||
			     (rc->pend[i].due == rc->pend[best].due && rc->pend[i].seq < rc->pend[best].seq)))
				best = i;
		if (best == rc->npend)
			return;
		{
			const struct tlp *t = rc->pend[best].t;

			/* The last completion of a request frees its tag. */
			if (!tlp_has_data(t) || tlp_cpl_bytes(t) <= tlp_len(t) * 4 - tlp_cpl_lower(t) % 4)
				rc->outstanding[tlp_cpl_tag(t)] = 0;
		}
		queue_tlp(rc, rc->pend[best].t);
		free(rc->pend[best].t);
		rc->pend[best] = rc->pend[--rc->npend];
	}
}

/* The read of [a, a + n) touches [base, base + len): a fault on any of its
 * bytes (an IOMMU refusing a page) fails the whole read. */
static int in_range(uint64_t a, uint64_t n, uint64_t base, uint64_t len)
{
	return len && n && a < base + len && base < a + n;
}

static unsigned be_low(unsigned be) { return be & 1 ? 0 : be & 2 ? 1 : be & 4 ? 2 : be & 8 ? 3 : 0; }
static unsigned be_high(unsigned be) { return be & 8 ? 3 : be & 4 ? 2 : be & 2 ? 1 : 0; }

static int host_mapped(struct rc *rc, uint64_t addr, size_t len);

/* Checks a request of the card against MPS/MRRS and the 4 KiB rule. */
static void check_request(struct rc *rc, const struct tlp *r, unsigned bytes, int write)
{
	uint64_t a = tlp_addr(r);
	unsigned limit = write ? rc->mps : rc->mrrs;

	if (tlp_len(r) * 4 > limit || (a & ~0xfffull) != ((a + tlp_len(r) * 4 - 1) & ~0xfffull))
		rc->st.boundary_violations++;
	if (write) {
		rc->st.wr_tlps++;
		rc->st.wr_bytes += bytes;
		if (bytes > rc->st.max_wr_bytes)
			rc->st.max_wr_bytes = bytes;
	} else {
		rc->st.rd_tlps++;
		rc->st.rd_bytes += bytes;
		if (bytes > rc->st.max_rd_bytes)
			rc->st.max_rd_bytes = bytes;
	}
}

/* The card's DMA reads host memory: completions as the fault settings say
 * (latency, reordering across requests, RCB splits, UR/CA, poisoned,
 * silence). */
static void serve_read(struct rc *rc, const struct tlp *r)
{
	struct tlp c;
	unsigned len = tlp_len(r), fbe = tlp_first_be(r), lbe = tlp_last_be(r);
	unsigned tag = tlp_req_tag(r);
	uint64_t addr = tlp_addr(r), first, due;
	unsigned bytes;
	int outside, poison;
	const struct rc_dma_faults *f = &rc->faults;

	if (len == 1)
		bytes = fbe ? be_high(fbe) - be_low(fbe) + 1 : 1;
	else
		bytes = len * 4 - be_low(fbe) - (3 - be_high(lbe));
	first = addr + be_low(fbe);
	check_request(rc, r, bytes, 0);
	if (rc->outstanding[tag])
		rc->st.tag_reuse++;
	due = rc->cycles + f->latency + (f->jitter ? rnd(rc) % (f->jitter + 1) : 0);

	memset(&c, 0, sizeof(c));
	if (in_range(first, bytes, f->drop_base, f->drop_len)) {
		rc->st.faulted_reads++;
		return;
	}
	outside = rc->strict && !host_mapped(rc, first, bytes);
	if (outside)
		rc->st.outside_reads++;
	poison = !outside && in_range(first, bytes, f->ep_base, f->ep_len);
	if (poison)
		rc->st.poisoned_reads++;
	if (in_range(first, bytes, f->ur_base, f->ur_len) || in_range(first, bytes, f->ca_base, f->ca_len) || outside) {
		if (!outside)
			rc->st.faulted_reads++;
		unsigned st = in_range(first, bytes, f->ca_base, f->ca_len) ? TLP_CPL_CA : TLP_CPL_UR;

		c.hdr[0] = tlp_dw0(TLP_FMT_3DW_NODATA, TLP_TYPE_CPL, 0);
		c.hdr[1] = (uint32_t)rc->rc_id << 16 | st << 13 | (bytes & 0xfff);
		c.hdr[2] = (uint32_t)tlp_req_id(r) << 16 | tag << 8 | (first & 0x7f);
		add_pending(rc, due, &c);
		return;
	}
	rc->outstanding[tag] = 1;
	/* Completions of one request go in address order, each ending on an RCB
	 * boundary (except the last). */
	{
		uint64_t a = first, end = first + bytes;

		while (a < end) {
			uint64_t stop = f->rcb ? ((a / f->rcb) + 1) * f->rcb : end;
			uint64_t dw0 = a & ~3ull, dwend;
			unsigned n;

			if (stop > end)
				stop = end;
			dwend = (stop + 3) & ~3ull;
			n = (unsigned)((dwend - dw0) / 4);
			c.hdr[0] = tlp_dw0(TLP_FMT_3DW_DATA, TLP_TYPE_CPL, n) | (poison ? TLP_DW0_EP : 0);
			c.hdr[1] = (uint32_t)rc->rc_id << 16 | TLP_CPL_SC << 13 | ((end - a) & 0xfff);
			c.hdr[2] = (uint32_t)tlp_req_id(r) << 16 | tag << 8 | (a & 0x7f);
			rc_host_read(rc, dw0, c.data, n * 4);
			if (poison)
				for (unsigned i = 0; i < n; i++)
					c.data[i] = ~c.data[i];
			c.ndata = n;
			add_pending(rc, due, &c);
			due++;
			a = stop;
		}
	}
}

/* A completion of a block read: checked against the PCIe rules for
 * (split) completions, its bytes copied. */
static void block_cpl(struct rc *rc, struct rc_rd *r, const struct tlp *t)
{
	uint64_t at = r->addr + r->got;
	unsigned bc = tlp_cpl_bytes(t) ? tlp_cpl_bytes(t) : 4096, n;
	const char *why = NULL;

	if (tlp_cpl_status(t) != TLP_CPL_SC) {
		r->err = -EIO;
		r->active = 0;
		return;
	}
	n = tlp_len(t) * 4 - (unsigned)(at & 3);	/* bytes from `at` on */
	if (!tlp_has_data(t) || t->ndata != tlp_len(t))
		why = "no or short payload";
	else if (bc != r->len - r->got)
		why = "byte count is not the bytes remaining";
	else if (tlp_cpl_lower(t) != (at & 0x7f))
		why = "lower address is not the next byte's";
	else if (tlp_len(t) * 4 > rc->mps)
		why = "payload over MPS";
	else if (n < bc && (at + n) % 64)
		why = "a split completion that does not end at the 64-byte RCB";
	else if (n > bc && n - bc > 3)
		why = "more DWs than the bytes remaining";
	if (why) {
		fprintf(stderr, "rc: completion of the read of %u bytes at 0x%llx (tag %u, %u bytes in): %s "
			"(length %u DWs, byte count %u, lower address 0x%x)\n", r->len, (unsigned long long)r->addr,
			tlp_cpl_tag(t), r->got, why, tlp_len(t), bc, tlp_cpl_lower(t));
		r->err = -EPROTO;
		r->active = 0;
		return;
	}
	if (n > bc)
		n = bc;
	memcpy(r->buf + r->got, (const uint8_t *)t->data + (at & 3), n);
	r->got += n;
	if (r->got == r->len)
		r->active = 0;
}

static void handle_from_card(struct rc *rc, const struct tlp *t)
{
	unsigned type = tlp_type(t);

	rc->from_card++;
	if (rc->trace_tlps)
		fprintf(stderr, "rc %llu: card -> host DW0 %08x DW1 %08x addr %llx data0 %08x\n",
			(unsigned long long)rc->cycles, t->hdr[0], t->hdr[1],
			(unsigned long long)(type == TLP_TYPE_MEM ? tlp_addr(t) : 0), t->data[0]);

	if (type == TLP_TYPE_CPL) {
		if (rc->rd[tlp_cpl_tag(t)].active)
			block_cpl(rc, &rc->rd[tlp_cpl_tag(t)], t);
		else if (rc->cpl_wait_tag >= 0 && (int)tlp_cpl_tag(t) == rc->cpl_wait_tag) {
			rc->cpl = *t;
			rc->cpl_done = 1;
		} else {
			fprintf(stderr, "rc: unexpected completion at cycle %llu: tag %u status %u, DW0 0x%08x\n",
				(unsigned long long)rc->cycles, tlp_cpl_tag(t), tlp_cpl_status(t), t->hdr[0]);
			rc->unexpected++;
		}
	} else if (type == TLP_TYPE_MEM && tlp_has_data(t)) {
		uint64_t addr = tlp_addr(t);
		unsigned wfbe = tlp_first_be(t), wlbe = tlp_last_be(t), wn = tlp_len(t);
		unsigned wbytes = wn == 1 ? (wfbe ? be_high(wfbe) - be_low(wfbe) + 1 : 0)
					  : wn * 4 - be_low(wfbe) - (3 - be_high(wlbe));

		if (!(addr >= RC_MSI_BASE && addr < RC_MSI_BASE + RC_MSI_SIZE))
			check_request(rc, t, wbytes, 1);
		if (addr >= RC_MSI_BASE && addr < RC_MSI_BASE + RC_MSI_SIZE) {
			struct rc_msi *m = &rc->msi[rc->nmsi % RC_MAX_MSI];	/* the last RC_MAX_MSI */

			m->addr = addr;
			m->data = t->data[0];
			m->cycle = rc->cycles;
			rc->nmsi++;
			if (rc->msi_fn)
				rc->msi_fn(rc->msi_ctx, addr, t->data[0]);
		} else if (rc->strict && !host_mapped(rc, addr + be_low(wfbe), wbytes)) {
			rc->st.outside_writes++;	/* an IOMMU drops it: nothing lands */
		} else {
			unsigned fbe = tlp_first_be(t), lbe = tlp_last_be(t), n = tlp_len(t);

			if (rc->watching && rc->watch_addr >= addr && rc->watch_addr - addr < 4ull * n)
				rc->watch_cycle = rc->cycles;
			for (unsigned i = 0; i < n; i++) {
				unsigned be = (i == 0) ? fbe : (i == n - 1) ? lbe : 0xf;

				for (unsigned b = 0; b < 4; b++)
					if (be & (1u << b)) {
						uint8_t v = (uint8_t)(t->data[i] >> (8 * b));

						rc_host_write(rc, addr + 4 * i + b, &v, 1);
					}
			}
		}
	} else if (type == TLP_TYPE_MEM) {
		serve_read(rc, t);
	} else {
		fprintf(stderr, "rc: card sent an unexpected TLP, DW0 0x%08x\n", t->hdr[0]);
		rc->unexpected++;
	}
}

static void step_one(struct rc *rc)
{
	struct vtop_obs o;
	struct vtop_beat b;
	struct tlp *head;
	int rx_fire = 0, tx_valid, tx_ready;

	release_pending(rc);
	head = rc->txq_count ? rc->txq[rc->txq_head] : NULL;

	if (head) {
		unsigned nb = tlp_beats(head), first = rc->txq_beat * VTOP_TLP_BEAT_DWS;

		memset(&b, 0, sizeof(b));
		memcpy(b.hdr, head->hdr, sizeof(b.hdr));
		for (unsigned i = 0; i < VTOP_TLP_BEAT_DWS && first + i < head->ndata; i++)
			b.data[i] = head->data[first + i];
		b.sop = rc->txq_beat == 0;
		b.eop = rc->txq_beat == nb - 1;
		vtop_set_rx(rc->t, 1, &b);
	} else {
		vtop_set_rx(rc->t, 0, NULL);
	}
	tx_ready = !rc->tx_stall || rnd(rc) % 100 >= rc->tx_stall;
	vtop_set_tx_ready(rc->t, tx_ready);
	vtop_observe(rc->t, &o);

	if (head && vtop_rx_ready(rc->t))
		rx_fire = 1;
	tx_valid = vtop_get_tx(rc->t, &b) && tx_ready;	/* a beat moves when both are high */

	if (o.con_valid && rc->console)
		fputc(o.con_data, rc->console);
	if (o.exit_valid && !rc->fw_exited) {
		rc->fw_exited = 1;
		rc->fw_code = o.exit_value >> 1;
	}
	rc->retired += o.retire != 0;
	rc->stores += o.store_valid != 0;
	if (o.store_valid && o.store_addr != rc->last_store) {
		rc->last_store = o.store_addr;
		rc->store_moves++;
	}
	if (o.store_valid && o.store_addr == SOC_SIMCTRL_BASE + SOC_SIMCTRL_BUSY)
		rc->fw_busy = (o.store_data & 1) != 0;
	if (o.store_valid && o.store_addr == SOC_SIMCTRL_BASE + SOC_SIMCTRL_MARK && rc->mark_fn)
		rc->mark_fn(rc->mark_ctx, rc->cycles, o.store_data);
	if (rc->have_tohost && o.store_valid && o.store_addr == (rc->tohost & ~3u) &&
	    (o.store_be & 1) && (o.store_data & 1) && !rc->fw_exited) {
		rc->fw_exited = 1;
		rc->fw_code = o.store_data >> 1;
	}

	vtop_clock(rc->t);
	rc->cycles++;

	if (rx_fire) {
		if (++rc->txq_beat == tlp_beats(head)) {
			free(head);
			rc->txq_head = (rc->txq_head + 1) % RC_QUEUE;
			rc->txq_count--;
			rc->txq_beat = 0;
		}
	}
	if (tx_valid) {
		if (b.sop) {
			memset(&rc->in, 0, sizeof(rc->in));
			memcpy(rc->in.hdr, b.hdr, sizeof(b.hdr));
			rc->in_dws = 0;
			rc->in_active = 1;
		}
		if (rc->in_active) {
			unsigned want = tlp_has_data(&rc->in) ? tlp_len(&rc->in) : 0;

			for (unsigned i = 0; i < VTOP_TLP_BEAT_DWS && rc->in_dws < want; i++)
				rc->in.data[rc->in_dws++] = b.data[i];
			if (b.eop) {
				rc->in.ndata = rc->in_dws;
				rc->in_active = 0;
				handle_from_card(rc, &rc->in);
			}
		}
	}
}

/* Nothing of the host's is on its way to the card or awaited from it. */
static int host_idle(const struct rc *rc)
{
	if (rc->txq_count || rc->npend || rc->in_active || rc->cpl_wait_tag >= 0)
		return 0;
	for (unsigned i = 0; i < 256; i++)
		if (rc->outstanding[i] || rc->rd[i].active)
			return 0;
	return 1;
}

uint64_t rc_advance(struct rc *rc, uint64_t step, uint64_t max_skip)
{
	if (vtop_quiet(rc->t) && host_idle(rc)) {
		uint64_t n = vtop_skip_idle(rc->t, max_skip);

		if (n) {
			rc->cycles += n;
			return n;
		}
	}
	for (uint64_t i = 0; i < step; i++)
		step_one(rc);
	return step;
}

void rc_step(struct rc *rc, uint64_t cycles)
{
	while (cycles)
		cycles -= rc_advance(rc, 1, cycles);
}

uint64_t rc_cycles(const struct rc *rc) { return rc->cycles; }
uint64_t rc_skipped(const struct rc *rc) { return vtop_skipped(rc->t); }

int rc_firmware_exited(const struct rc *rc, uint32_t *code)
{
	if (rc->fw_exited && code)
		*code = rc->fw_code;
	return rc->fw_exited;
}

int rc_send(struct rc *rc, const struct tlp *t, int nonposted, struct tlp *cpl)
{
	uint64_t start = rc->cycles;
	int ret;

	if (nonposted) {
		rc->cpl_wait_tag = (int)tlp_req_tag(t);
		rc->cpl_done = 0;
	}
	ret = queue_tlp(rc, t);
	if (ret)
		return ret;
	while (rc->cycles - start < rc->timeout) {
		step_one(rc);
		if (nonposted ? rc->cpl_done : rc->txq_count == 0)
			break;
	}
	rc->cpl_wait_tag = -1;
	if (nonposted && !rc->cpl_done)
		return -ETIMEDOUT;
	if (!nonposted && rc->txq_count)
		return -ETIMEDOUT;
	if (nonposted && cpl)
		*cpl = rc->cpl;
	return 0;
}

static unsigned be_of(uint64_t addr, unsigned size)
{
	return ((1u << size) - 1) << (addr & 3);
}

/* Completion data of a 1-DW read, shifted to the access's bytes. */
static int finish_read(const struct tlp *cpl, unsigned off, unsigned size, uint64_t *val)
{
	if (tlp_cpl_status(cpl) != TLP_CPL_SC || !tlp_has_data(cpl))
		return -EIO;
	if (size == 8) {
		if (cpl->ndata < 2)
			return -EIO;
		*val = cpl->data[0] | (uint64_t)cpl->data[1] << 32;
		return 0;
	}
	*val = (cpl->data[0] >> (8 * (off & 3))) & (size == 4 ? 0xffffffffu : ((1u << (8 * size)) - 1));
	return 0;
}

int rc_cfg_read(struct rc *rc, uint16_t off, unsigned size, uint32_t *val)
{
	struct tlp t, c;
	uint64_t v;
	int ret;

	if ((size != 1 && size != 2 && size != 4) || (off & (size - 1)) || off >= 4096)
		return -EINVAL;
	memset(&t, 0, sizeof(t));
	t.hdr[0] = tlp_dw0(TLP_FMT_3DW_NODATA, TLP_TYPE_CFG0, 1);
	t.hdr[1] = (uint32_t)rc->rc_id << 16 | (uint32_t)rc->next_tag++ << 8 | be_of(off, size);
	t.hdr[2] = (uint32_t)rc->dev_id << 16 | (off & 0xffcu);
	ret = rc_send(rc, &t, 1, &c);
	if (ret)
		return ret;
	ret = finish_read(&c, off, size, &v);
	if (!ret)
		*val = (uint32_t)v;
	return ret;
}

int rc_cfg_write(struct rc *rc, uint16_t off, unsigned size, uint32_t val)
{
	struct tlp t, c;
	int ret;

	if ((size != 1 && size != 2 && size != 4) || (off & (size - 1)) || off >= 4096)
		return -EINVAL;
	memset(&t, 0, sizeof(t));
	t.hdr[0] = tlp_dw0(TLP_FMT_3DW_DATA, TLP_TYPE_CFG0, 1);
	t.hdr[1] = (uint32_t)rc->rc_id << 16 | (uint32_t)rc->next_tag++ << 8 | be_of(off, size);
	t.hdr[2] = (uint32_t)rc->dev_id << 16 | (off & 0xffcu);
	t.data[0] = val << (8 * (off & 3));
	t.ndata = 1;
	if (off + size <= sizeof(rc->cfg_written))
		for (unsigned i = 0; i < size; i++)
			rc->cfg_written[off + i] = (uint8_t)(val >> (8 * i));
	ret = rc_send(rc, &t, 1, &c);
	if (ret)
		return ret;
	return tlp_cpl_status(&c) == TLP_CPL_SC ? 0 : -EIO;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int rc_time_sync(struct rc *rc, unsigned min_ms)
{
	const uint8_t *w = rc->cfg_written;
	uint64_t lo = (uint64_t)w[0x10] | (uint64_t)w[0x11] << 8 | (uint64_t)w[0x12] << 16 |
		      (uint64_t)w[0x13] << 24;
	uint64_t hi = (uint64_t)w[0x14] | (uint64_t)w[0x15] << 8 | (uint64_t)w[0x16] << 16 |
		      (uint64_t)w[0x17] << 24;
	uint64_t base = ((hi << 32) | lo) & ~(uint64_t)(RC_BAR0_SIZE - 1), now = mono_ns();
	struct timespec ts;
	int ret;

	if (rc->time_sync_off)
		return 0;
	if (min_ms && rc->time_syncs && now - rc->time_sync_ns < (uint64_t)min_ms * 1000000ull)
		return 0;
	/* memory decode on, and BAR0 holds an address (not a sizing pattern) */
	if (!(w[0x04] & 0x02) || !base || base == (~(uint64_t)0 & ~(uint64_t)(RC_BAR0_SIZE - 1)))
		return 0;
	clock_gettime(CLOCK_REALTIME, &ts);
	base += RC_BAR0_TIME;
	if ((ret = rc_mem_write(rc, base + SOC_TIME_SEC_LO, 4, (uint32_t)ts.tv_sec)) ||
	    (ret = rc_mem_write(rc, base + SOC_TIME_SEC_HI, 4, (uint64_t)ts.tv_sec >> 32)) ||
	    (ret = rc_mem_write(rc, base + SOC_TIME_NSEC, 4, (uint32_t)ts.tv_nsec)))
		return ret;
	rc->time_sync_ns = now;
	rc->time_syncs++;
	return 1;
}

void rc_time_sync_off(struct rc *rc)
{
	rc->time_sync_off = 1;
}

uint64_t rc_time_syncs(const struct rc *rc)
{
	return rc->time_syncs;
}

/* A memory request for len bytes at addr (1..4096, within one 4 KiB page). */
static void mem_header(struct rc *rc, struct tlp *t, int write, uint64_t addr, unsigned len)
{
	uint64_t last = addr + len - 1;
	unsigned ndw = (unsigned)((last >> 2) - (addr >> 2) + 1);
	unsigned fbe = (0xfu << (addr & 3)) & 0xf, lbe = 0xfu >> (3 - (last & 3));
	int wide = addr >> 32 != 0;

	if (ndw == 1) {
		fbe &= lbe;
		lbe = 0;
	}
	memset(t, 0, sizeof(*t));
	t->hdr[0] = tlp_dw0(write ? (wide ? TLP_FMT_4DW_DATA : TLP_FMT_3DW_DATA)
				  : (wide ? TLP_FMT_4DW_NODATA : TLP_FMT_3DW_NODATA),
			    TLP_TYPE_MEM, ndw);
	t->hdr[1] = (uint32_t)rc->rc_id << 16 | (uint32_t)rc->next_tag++ << 8 | lbe << 4 | fbe;
	if (wide) {
		t->hdr[2] = (uint32_t)(addr >> 32);
		t->hdr[3] = (uint32_t)addr & ~3u;
	} else {
		t->hdr[2] = (uint32_t)addr & ~3u;
	}
	if (write)
		t->ndata = ndw;
}

static int block_ok(uint64_t addr, unsigned len, unsigned max)
{
	return len >= 1 && len <= max && (addr & 0xfff) + len <= 4096;
}

/* Queues a TLP, running cycles while the queue is full. */
static int queue_wait(struct rc *rc, const struct tlp *t)
{
	uint64_t start = rc->cycles;

	while (rc->txq_count == RC_QUEUE && rc->cycles - start < rc->timeout)
		step_one(rc);
	return queue_tlp(rc, t);
}

int rc_mem_write_stream(struct rc *rc, const uint64_t *addrs, unsigned n, unsigned len, const void *buf)
{
	uint64_t start;

	for (unsigned i = 0; i < n; i++)
		if (!block_ok(addrs[i], len, 4096) || (addrs[i] & 3) + len > rc->mps)
			return -EINVAL;	/* the host keeps to MPS too */
	for (unsigned i = 0; i < n; i++) {
		struct tlp t;
		int ret;

		mem_header(rc, &t, 1, addrs[i], len);
		memcpy((uint8_t *)t.data + (addrs[i] & 3), (const uint8_t *)buf + (size_t)i * len, len);
		ret = queue_wait(rc, &t);
		if (ret)
			return ret == -EAGAIN ? -ETIMEDOUT : ret;
	}
	start = rc->cycles;
	while (rc->txq_count && rc->cycles - start < rc->timeout)
		step_one(rc);
	return rc->txq_count ? -ETIMEDOUT : 0;
}

int rc_mem_read_stream(struct rc *rc, const uint64_t *addrs, unsigned n, unsigned len, void *buf)
{
	uint8_t tags[RC_MAX_STREAM];
	uint64_t start;
	int ret = 0;
	unsigned busy;

	if (n > RC_MAX_STREAM)
		return -EINVAL;
	for (unsigned i = 0; i < n; i++)
		if (!block_ok(addrs[i], len, 4096))
			return -EINVAL;
	for (unsigned i = 0; i < n && !ret; i++) {
		struct tlp t;
		struct rc_rd *r;

		mem_header(rc, &t, 0, addrs[i], len);
		tags[i] = (uint8_t)tlp_req_tag(&t);
		r = &rc->rd[tags[i]];
		r->buf = (uint8_t *)buf + (size_t)i * len;
		r->addr = addrs[i];
		r->len = len;
		r->got = 0;
		r->err = 0;
		r->active = 1;
		ret = queue_wait(rc, &t);
	}
	start = rc->cycles;
	do {
		busy = 0;
		for (unsigned i = 0; i < n; i++)
			busy += rc->rd[tags[i]].active;
		if (busy)
			step_one(rc);
	} while (busy && rc->cycles - start < rc->timeout);
	for (unsigned i = 0; i < n; i++) {
		struct rc_rd *r = &rc->rd[tags[i]];

		if (!ret && r->active)
			ret = -ETIMEDOUT;
		if (!ret && r->err)
			ret = r->err;
		r->active = 0;
	}
	return ret;
}

int rc_mem_write_block(struct rc *rc, uint64_t addr, const void *buf, unsigned len)
{
	return rc_mem_write_stream(rc, &addr, 1, len, buf);
}

int rc_mem_read_block(struct rc *rc, uint64_t addr, void *buf, unsigned len)
{
	return rc_mem_read_stream(rc, &addr, 1, len, buf);
}

void rc_set_tx_stall(struct rc *rc, unsigned percent)
{
	rc->tx_stall = percent > 90 ? 90 : percent;
}

int rc_mem_read(struct rc *rc, uint64_t addr, unsigned size, uint64_t *val)
{
	struct tlp t, c;
	int ret;

	if ((size != 1 && size != 2 && size != 4 && size != 8) || (addr & (size - 1)))
		return -EINVAL;
	mem_header(rc, &t, 0, addr, size);
	ret = rc_send(rc, &t, 1, &c);
	if (ret)
		return ret;
	return finish_read(&c, (unsigned)addr, size, val);
}

int rc_mem_write(struct rc *rc, uint64_t addr, unsigned size, uint64_t val)
{
	struct tlp t;

	if ((size != 1 && size != 2 && size != 4 && size != 8) || (addr & (size - 1)))
		return -EINVAL;
	mem_header(rc, &t, 1, addr, size);
	if (size == 8) {
		t.data[0] = (uint32_t)val;
		t.data[1] = (uint32_t)(val >> 32);
		t.ndata = 2;
	} else {
		t.data[0] = (uint32_t)val << (8 * (addr & 3));
		t.ndata = 1;
	}
	return rc_send(rc, &t, 0, NULL);
}

int rc_enumerate(struct rc *rc, struct rc_bar bars[6])
{
	uint64_t next32 = 0xf0000000ull, next64 = 0x800000000ull;
	uint32_t id, v, ptr;
	int ret;

	memset(bars, 0, 6 * sizeof(*bars));
	ret = rc_cfg_read(rc, 0x00, 4, &id);
	if (ret)
		return ret;
	if ((id & 0xffff) == 0xffff)
		return -ENODEV;
	for (int i = 0; i < 6; i++) {
		uint16_t off = (uint16_t)(0x10 + 4 * i);
		uint32_t orig, lo, hi = 0xffffffffu;
		uint64_t mask;

		if ((ret = rc_cfg_read(rc, off, 4, &orig)) || (ret = rc_cfg_write(rc, off, 4, 0xffffffffu)) ||
		    (ret = rc_cfg_read(rc, off, 4, &lo)))
			return ret;
		if (lo == 0 || (lo & 1))
			continue;	/* unimplemented, or I/O (not used by this card) */
		bars[i].is64 = ((lo >> 1) & 3) == 2;
		bars[i].prefetch = (lo >> 3) & 1;
		if (bars[i].is64) {
			if ((ret = rc_cfg_write(rc, off + 4, 4, 0xffffffffu)) ||
			    (ret = rc_cfg_read(rc, off + 4, 4, &hi)))
				return ret;
		}
		mask = (uint64_t)hi << 32 | (lo & ~0xfu);
		bars[i].size = ~mask + 1;
		if (bars[i].is64 && bars[i].prefetch) {
			next64 = (next64 + bars[i].size - 1) & ~(bars[i].size - 1);
			bars[i].base = next64;
			next64 += bars[i].size;
		} else {
			next32 = (next32 + bars[i].size - 1) & ~(bars[i].size - 1);
			bars[i].base = next32;
			next32 += bars[i].size;
		}
		if ((ret = rc_cfg_write(rc, off, 4, (uint32_t)bars[i].base)))
			return ret;
		if (bars[i].is64 && (ret = rc_cfg_write(rc, off + 4, 4, (uint32_t)(bars[i].base >> 32))))
			return ret;
		if (bars[i].is64)
			i++;
	}
	/* Memory space and bus master on. */
	if ((ret = rc_cfg_read(rc, 0x04, 2, &v)) || (ret = rc_cfg_write(rc, 0x04, 2, v | 0x6)))
		return ret;
	/* MPS 256, MRRS 512 in the PCI Express capability. */
	if ((ret = rc_cfg_read(rc, 0x34, 1, &ptr)))
		return ret;
	for (int guard = 0; ptr && guard < 48; guard++) {
		uint32_t hdr;

		if ((ret = rc_cfg_read(rc, (uint16_t)(ptr & 0xfc), 2, &hdr)))
			return ret;
		if ((hdr & 0xff) == 0x10) {
			uint16_t ctl = (uint16_t)((ptr & 0xfc) + 8);

			if ((ret = rc_cfg_read(rc, ctl, 2, &v)))
				return ret;
			v = (v & ~0x70e0u) | (1u << 5) | (2u << 12);
			if ((ret = rc_cfg_write(rc, ctl, 2, v)))
				return ret;
			break;
		}
		ptr = hdr >> 8;
	}
	return 0;
}

unsigned rc_msi_count(const struct rc *rc) { return rc->nmsi; }
int rc_fw_busy(const struct rc *rc) { return rc->fw_busy; }

const struct rc_msi *rc_msi_get(const struct rc *rc, unsigned i)
{
	return i < rc->nmsi && rc->nmsi - i <= RC_MAX_MSI ? &rc->msi[i % RC_MAX_MSI] : NULL;
}

int rc_intx(struct rc *rc) { return vtop_intx(rc->t); }

uint64_t rc_core_store_moves(const struct rc *rc) { return rc->store_moves; }
uint64_t rc_core_retired(const struct rc *rc) { return rc->retired; }
uint64_t rc_core_stores(const struct rc *rc) { return rc->stores; }

void rc_set_mark_handler(struct rc *rc, rc_mark_fn fn, void *ctx)
{
	rc->mark_fn = fn;
	rc->mark_ctx = ctx;
}

void rc_set_msi_handler(struct rc *rc, rc_msi_fn fn, void *ctx)
{
	rc->msi_fn = fn;
	rc->msi_ctx = ctx;
}

int rc_host_map(struct rc *rc, uint64_t iova, void *ptr, uint64_t len)
{
	if (rc->nmaps == RC_MAX_MAPS)
		return -ENOSPC;
	rc->maps[rc->nmaps].iova = iova;
	rc->maps[rc->nmaps].len = len;
	rc->maps[rc->nmaps].ptr = ptr;
	rc->nmaps++;
	return 0;
}

void rc_host_unmap(struct rc *rc, uint64_t iova)
{
	for (unsigned i = 0; i < rc->nmaps; i++)
		if (rc->maps[i].iova == iova) {
			rc->maps[i] = rc->maps[--rc->nmaps];
			return;
		}
}

/* Splits an access at mapped-range edges; returns the bytes handled at addr
 * and sets *p to the mapped bytes, or NULL for sparse memory. */
static size_t host_piece(struct rc *rc, uint64_t addr, size_t len, uint8_t **p)
{
	size_t n = len;

	*p = NULL;
	for (unsigned i = 0; i < rc->nmaps; i++) {
		uint64_t b = rc->maps[i].iova, e = b + rc->maps[i].len;

		if (addr >= b && addr < e) {
			*p = rc->maps[i].ptr + (addr - b);
			return e - addr < n ? (size_t)(e - addr) : n;
		}
		if (b > addr && b - addr < n)
			n = (size_t)(b - addr);
	}
	return n;
}

/* Whether every byte of [addr, addr + len) is in a mapped range. */
static int host_mapped(struct rc *rc, uint64_t addr, size_t len)
{
	while (len) {
		uint8_t *p;
		size_t n = host_piece(rc, addr, len, &p);

		if (!p)
			return 0;
		addr += n;
		len -= n;
	}
	return 1;
}

void rc_host_strict(struct rc *rc, int on) { rc->strict = on; }

void rc_host_write(struct rc *rc, uint64_t addr, const void *buf, size_t len)
{
	const uint8_t *b = buf;

	while (len) {
		uint8_t *p;
		size_t n = host_piece(rc, addr, len, &p);

		if (p)
			memcpy(p, b, n);
		else
			smem_write(&rc->host, addr, b, n);
		addr += n;
		b += n;
		len -= n;
	}
}

void rc_host_read(struct rc *rc, uint64_t addr, void *buf, size_t len)
{
	uint8_t *b = buf;

	while (len) {
		uint8_t *p;
		size_t n = host_piece(rc, addr, len, &p);

		if (p)
			memcpy(b, p, n);
		else
			smem_read(&rc->host, addr, b, n);
		addr += n;
		b += n;
		len -= n;
	}
}

uint32_t rc_card_errors(struct rc *rc) { return vtop_pcie_errors(rc->t); }
struct vtop *rc_vtop(struct rc *rc) { return rc->t; }
uint16_t rc_dev_id(const struct rc *rc) { return rc->dev_id; }

unsigned rc_unexpected(const struct rc *rc) { return rc->unexpected; }

void rc_set_dma_faults(struct rc *rc, const struct rc_dma_faults *f)
{
	rc->faults = *f;
	if (f->seed)
		rc->rng = f->seed;
}

void rc_dma_stats(const struct rc *rc, struct rc_dma_stats *st) { *st = rc->st; }

void rc_watch_write(struct rc *rc, uint64_t addr)
{
	rc->watch_addr = addr;
	rc->watch_cycle = 0;
	rc->watching = 1;
}

uint64_t rc_watch_cycle(const struct rc *rc) { return rc->watch_cycle; }

void rc_set_limits(struct rc *rc, unsigned mps, unsigned mrrs)
{
	rc->mps = mps;
	rc->mrrs = mrrs;
}

uint64_t rc_tlps_from_card(const struct rc *rc) { return rc->from_card; }
