/*
 * vq.h over the hardware virtqueue engine (rtl/vq/vq_engine.sv): the engine
 * walks descriptor chains and maintains the used ring; the firmware moves the
 * bytes with the DMA engine.
 */
#include "vq.h"

#include <errno.h>
#include <string.h>

#include "hostmem.h"
#include "rt.h"

#define VQ_REG(r)     (SOC_VQ_BASE + SOC_VQ_##r)

/* Commands, results and reasons: rtl/soc_map.toml (VQ.CMD, VQ.STATUS,
 * VQ_RESULT, VQ_WHY), as the RTL decodes them. */
const char *vq_error = "";
const int vq_engine_lendable = 1;

_Static_assert(VQ_MAX_SEGS >= SOC_VQ_SEG_COUNT, "a request holds every segment the engine reports");

/* Runs the command (POP or PUSH field set) on queue q; returns VQ.STATUS. */
static uint32_t run(uint32_t cmd, unsigned q)
{
	uint32_t st;

	mmio_write32(VQ_REG(CMD), cmd | SOC_FIELD_PREP(SOC_VQ_CMD_QUEUE, q));
	while ((st = mmio_read32(VQ_REG(STATUS))) & SOC_VQ_STATUS_BUSY_MASK)
		;
	return st;
}

int vq_setup(struct vq *q, unsigned index, uint64_t features)
{
	(void)features;		/* the engine reads the ring features itself */
	return vq_read_config(q, index);
}

int vq_pop(struct vq *q, struct vq_req *r)
{
	uint32_t st, nseg;
	const char *why;

	if (!q->ready)
		return 0;
	st = run(SOC_VQ_CMD_POP_MASK, q->index);
	switch (SOC_FIELD_GET(SOC_VQ_STATUS_RESULT, st)) {
	case SOC_VQ_RESULT_OK:
		break;
	case SOC_VQ_RESULT_EMPTY:
		return 0;
	case SOC_VQ_RESULT_BAD:
		why = soc_vq_why_str(SOC_FIELD_GET(SOC_VQ_STATUS_WHY, st));
		vq_error = why ? why : "bad chain";
		return -EIO;
	default:
		vq_error = soc_vq_result_str(SOC_VQ_RESULT_DMA);
		return -EIO;
	}
	memset(r, 0, offsetof(struct vq_req, rd));
	r->head = (uint16_t)mmio_read32(VQ_REG(HEAD));
	nseg = mmio_read32(VQ_REG(NSEG));
	r->nrd = SOC_FIELD_GET(SOC_VQ_NSEG_NRD, nseg);
	r->nwr = SOC_FIELD_GET(SOC_VQ_NSEG_NWR, nseg);
	r->rd_len = mmio_read32(VQ_REG(RDLEN));
	r->wr_len = mmio_read32(VQ_REG(WRLEN));
	for (unsigned i = 0; i < r->nrd + r->nwr; i++) {
		uintptr_t e = SOC_VQ_SEG_STRIDE * i;
		struct vq_seg *s = i < r->nrd ? &r->rd[i] : &r->wr[i - r->nrd];

		s->addr = mmio_read32(VQ_REG(SEG) + e) | (uint64_t)mmio_read32(VQ_REG(SEG_ADDR_HI) + e) << 32;
		s->len = mmio_read32(VQ_REG(SEG_LEN) + e);
	}
	return 1;
}

int vq_push(struct vq *q, const struct vq_req *r, uint32_t len)
{
	uint32_t st;

	mmio_write32(VQ_REG(HEAD), r->head);
	mmio_write32(VQ_REG(LEN), len);
	st = run(SOC_VQ_CMD_PUSH_MASK, q->index);
	return SOC_FIELD_GET(SOC_VQ_STATUS_RESULT, st) == SOC_VQ_RESULT_OK ? 0 : -EIO;
}
