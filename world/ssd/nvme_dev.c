/*
 * The SSD on the card's root-port link (nvme_dev.h): configuration space
 * and TLPs here, the controller in nvme_core.c. Register reads and writes
 * arrive as memory TLPs to BAR0; the controller's DMA and MSI-X messages
 * leave as memory requests through rp_link.
 */
#include "nvme_dev.h"

#include <stdlib.h>
#include <string.h>

#include "nvme_core.h"
#include "rp_link.h"
#include "vtop.h"

#define NVEC 8			/* MSI-X vectors (nvme_core.c has the table) */
#define BAR0_SIZE 0x4000u
#define MSIX_TABLE 0x2000u
#define MSIX_PBA 0x3000u
#define CFG_PCIE 0x40u
#define CFG_MSIX 0x50u
#define VENDOR_ID 0x1af4u
#define DEVICE_ID 0x5856u	/* "VX": the vfpga testbench SSD */

struct nvme_dev {
	struct nvme_core *core;
	struct rp_link *link;
	struct vtop *vt;
	int stats;
	uint8_t cfg[4096], cfg_wmask[4096];
	uint16_t rid;		/* our requester ID: bus from the last CfgWr, device 0 */
};


static unsigned be_low(unsigned be) { return be & 1 ? 0 : be & 2 ? 1 : be & 4 ? 2 : be & 8 ? 3 : 0; }
static unsigned be_high(unsigned be) { return be & 8 ? 3 : be & 4 ? 2 : be & 2 ? 1 : 0; }

static void cpl_send(struct nvme_dev *d, const struct tlp *req, unsigned status, const uint32_t *data,
		     unsigned ndw, unsigned bytes, unsigned la)
{
	struct tlp c;

	memset(&c, 0, sizeof(c.hdr));
	c.hdr[0] = tlp_dw0(ndw ? TLP_FMT_3DW_DATA : TLP_FMT_3DW_NODATA, TLP_TYPE_CPL, ndw);
	c.hdr[0] |= req->hdr[0] & (0x7u << 20 | 0x3u << 12 | 1u << 18);	/* TC, attributes */
	c.hdr[1] = (uint32_t)d->rid << 16 | (status & 7u) << 13 | (bytes & 0xfff);
	c.hdr[2] = (uint32_t)tlp_req_id(req) << 16 | tlp_req_tag(req) << 8 | (la & 0x7f);
	if (ndw)
		memcpy(c.data, data, ndw * 4);
	c.ndata = ndw;
	rp_link_send(d->link, &c);
}
/* ------------------------------------------------------------------ link */

static uint64_t bar0(const struct nvme_dev *d)
{
	return (nvme_get32(d->cfg + 0x10) & ~0xfu) | (uint64_t)nvme_get32(d->cfg + 0x14) << 32;
}

static void apply_device_control(struct nvme_dev *d)
{
	uint16_t dc = (uint16_t)(d->cfg[CFG_PCIE + 8] | d->cfg[CFG_PCIE + 9] << 8);

	rp_link_set_master(d->link, d->rid, 128u << ((dc >> 12) & 7), 128u << ((dc >> 5) & 7));
}

static void apply_msix_control(struct nvme_dev *d)
{
	uint16_t mc = (uint16_t)(d->cfg[CFG_MSIX + 2] | d->cfg[CFG_MSIX + 3] << 8);

	nvme_core_msix_control(d->core, (mc & 0x8000u) != 0, (mc & 0x4000u) != 0);
}

static void on_cfg(struct nvme_dev *d, const struct tlp *t)
{
	unsigned bdf = t->hdr[2] >> 16, off = t->hdr[2] & 0xffc, be = tlp_first_be(t);
	int write = tlp_has_data(t);
	uint32_t v = 0;

	if ((bdf & 0xff) != 0 || tlp_len(t) != 1) {
		cpl_send(d, t, TLP_CPL_UR, NULL, 0, 4, 0);	/* no such function */
		return;
	}
	if (write) {
		d->rid = (uint16_t)(bdf & 0xff00u);		/* the bus we are on */
		for (unsigned b = 0; b < 4; b++)
			if (be & (1u << b)) {
				uint8_t m = d->cfg_wmask[off + b], nv = (uint8_t)(t->data[0] >> (8 * b));

				d->cfg[off + b] = (uint8_t)((d->cfg[off + b] & ~m) | (nv & m));
			}
		apply_device_control(d);
		apply_msix_control(d);
		cpl_send(d, t, TLP_CPL_SC, NULL, 0, 4, 0);
		return;
	}
	v = nvme_get32(d->cfg + off);
	cpl_send(d, t, TLP_CPL_SC, &v, 1, 4, 0);
}

static void on_mem(struct nvme_dev *d, const struct tlp *t)
{
	uint64_t a = tlp_addr(t), base = bar0(d);
	unsigned n = tlp_len(t), fbe = tlp_first_be(t), lbe = tlp_last_be(t);
	int mse = (d->cfg[4] & 2) != 0, hit = mse && a >= base && a - base + 4ull * n <= BAR0_SIZE;

	if (tlp_has_data(t)) {
		if (!hit || (t->hdr[0] & (1u << 14)))
			return;		/* posted: dropped */
		for (unsigned i = 0; i < n; i++)
			nvme_core_reg_write(d->core, (uint32_t)(a - base) + 4 * i, t->data[i],
				  i == 0 ? fbe : i == n - 1 ? lbe : 0xf);
		return;
	}
	if (!hit || n > 32) {
		cpl_send(d, t, hit ? TLP_CPL_CA : TLP_CPL_UR, NULL, 0, 4, (unsigned)a & 0x7f);
		return;
	}
	{
		uint32_t data[32];
		unsigned bytes = n == 1 ? (fbe ? be_high(fbe) - be_low(fbe) + 1 : 1)
					: n * 4 - be_low(fbe) - (3 - be_high(lbe));

		for (unsigned i = 0; i < n; i++)
			data[i] = nvme_core_reg_read(d->core, (uint32_t)(a - base) + 4 * i);
		cpl_send(d, t, TLP_CPL_SC, data, n, bytes, ((unsigned)a & 0x7c) | be_low(fbe));
	}
}

static void on_tlp(void *ctx, const struct tlp *t)
{
	struct nvme_dev *d = ctx;
	unsigned type = tlp_type(t);

	if (type == TLP_TYPE_CPL)
		return;				/* for no read of ours: dropped */
	if (type == TLP_TYPE_CFG0) {
		on_cfg(d, t);
	} else if (type == TLP_TYPE_MEM) {
		on_mem(d, t);
	} else if (!tlp_has_data(t) || type == TLP_TYPE_CFG1 || type == TLP_TYPE_IO) {
		cpl_send(d, t, TLP_CPL_UR, NULL, 0, 4, 0);	/* non-posted we do not serve */
	}
}

static void on_cycle(void *ctx, uint64_t cycle)
{
	struct nvme_dev *d = ctx;

	nvme_core_run(d->core, cycle);
}

/* ------------------------------------------------------------------ the bus */

static void bus_read(void *ctx, uint64_t addr, void *buf, size_t len, nvme_core_dma_done done, void *arg)
{
	struct nvme_dev *d = ctx;

	rp_link_dma_read(d->link, addr, buf, len, done, arg);
}

static void bus_write(void *ctx, uint64_t addr, const void *buf, size_t len)
{
	struct nvme_dev *d = ctx;

	rp_link_dma_write(d->link, addr, buf, len);
}

static void bus_cancel(void *ctx)
{
	struct nvme_dev *d = ctx;

	rp_link_cancel_reads(d->link);
}

/* ------------------------------------------------------------------ set-up */

static void cfg_init(struct nvme_dev *d)
{
	uint8_t *c = d->cfg, *m = d->cfg_wmask;

	memset(c, 0, sizeof(d->cfg));
	memset(m, 0, sizeof(d->cfg_wmask));
	nvme_put32(c + 0x00, VENDOR_ID | DEVICE_ID << 16);
	c[0x06] = 0x10;				/* status: capabilities list */
	nvme_put32(c + 0x08, 0x01080200);		/* class 010802 (NVMe), revision 0 */
	c[0x0e] = 0x00;				/* header type 0 */
	c[0x10] = 0x04;				/* BAR0: 64-bit memory, non-prefetchable */
	nvme_put32(c + 0x2c, VENDOR_ID | DEVICE_ID << 16);	/* subsystem */
	c[0x34] = CFG_PCIE;
	m[0x04] = 0x06;				/* memory space, bus master */
	m[0x05] = 0x04;				/* INTx disable */
	nvme_put32(m + 0x10, ~(BAR0_SIZE - 1) & ~0xfu);
	nvme_put32(m + 0x14, 0xffffffffu);
	/* PCI Express capability v2, endpoint */
	c[CFG_PCIE + 0] = 0x10;
	c[CFG_PCIE + 1] = CFG_MSIX;
	c[CFG_PCIE + 2] = 0x02;
	nvme_put32(c + CFG_PCIE + 4, 0x00000001);	/* device capabilities: MPS 256 supported */
	c[CFG_PCIE + 8] = 0x10;			/* device control: MPS 128, relaxed ordering */
	c[CFG_PCIE + 9] = 0x20;			/* MRRS 512 */
	m[CFG_PCIE + 8] = 0xff;
	m[CFG_PCIE + 9] = 0x7f;
	/* MSI-X */
	c[CFG_MSIX + 0] = 0x11;
	c[CFG_MSIX + 1] = 0x00;
	c[CFG_MSIX + 2] = NVEC - 1;
	m[CFG_MSIX + 3] = 0xc0;			/* enable, function mask */
	nvme_put32(c + CFG_MSIX + 4, MSIX_TABLE);	/* BIR 0 */
	nvme_put32(c + CFG_MSIX + 8, MSIX_PBA);
}

/* vtop_skip_idle's view of the SSD: cycles until it acts, and its clock
 * moved on over a skipped span. */
static uint64_t ev_next(void *ctx)
{
	struct nvme_dev *d = ctx;
	uint64_t next = nvme_dev_next_event(d), now = rp_link_cycle(d->link);

	return next == UINT64_MAX ? UINT64_MAX : next > now ? next - now : 0;
}

static void ev_skip(void *ctx, uint64_t cycles)
{
	struct nvme_dev *d = ctx;

	rp_link_skip(d->link, cycles);
}

struct nvme_dev *nvme_dev_attach(struct vtop *t, const struct nvme_dev_opts *o, char *err, size_t errlen)
{
	static const struct rp_link_ops ops = { .on_tlp = on_tlp, .on_cycle = on_cycle };
	static const struct nvme_core_bus bus = { .dma_read = bus_read, .dma_write = bus_write,
						  .cancel_reads = bus_cancel };
	struct nvme_dev *d = calloc(1, sizeof(*d));
	char what[512];

	if (!d) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	d->stats = o->stats;
	d->core = nvme_core_open(o, &bus, d, err, errlen);
	if (!d->core)
		goto out_free;
	cfg_init(d);
	d->link = rp_link_attach(t, &ops, d);
	if (!d->link) {
		snprintf(err, errlen, "out of memory");
		goto out_close;
	}
	d->vt = t;
	vtop_set_rp_events(t, ev_next, ev_skip, d);
	apply_device_control(d);
	nvme_dev_describe(o, what, sizeof(what));
	fprintf(stderr, "ssd: %s: %s\n", o->image, what);
	return d;

out_close:
	nvme_core_close(d->core);
out_free:
	free(d);
	return NULL;
}

void nvme_dev_get_stats(const struct nvme_dev *d, struct nvme_dev_stats *st) { *st = *nvme_core_stats(d->core); }

int nvme_dev_fault(struct nvme_dev *d, unsigned kind, uint32_t a, uint32_t b, uint32_t c)
{
	return nvme_core_fault(d->core, kind, a, b, c);
}

void nvme_dev_print_stats(const struct nvme_dev *d, FILE *f)
{
	struct rp_link_stats ls;

	rp_link_stats(d->link, &ls);
	nvme_core_print_stats(d->core, f);
	fprintf(f, "nvme: link: %llu TLPs in, %llu out\n", (unsigned long long)ls.tlps_in,
		(unsigned long long)ls.tlps_out);
}

uint64_t nvme_dev_next_event(const struct nvme_dev *d)
{
	uint64_t link = rp_link_next_event(d->link), core = nvme_core_next_event(d->core);

	return link < core ? link : core;
}

void nvme_dev_detach(struct nvme_dev *d)
{
	if (!d)
		return;
	if (d->stats)
		nvme_dev_print_stats(d, stderr);
	vtop_set_rp_events(d->vt, NULL, NULL, NULL);
	rp_link_detach(d->link);
	nvme_core_close(d->core);	/* the image is written back */
	free(d);
}
