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
#define VQ_CMD_POP    (1u << 8)
#define VQ_CMD_PUSH   (1u << 9)
#define RES_OK        0u
#define RES_EMPTY     1u
#define RES_BAD       2u

const char *vq_error = "";

static const char *const reasons[] = {
	"", "avail index ran ahead of the ring", "head index out of range",
	"descriptor loop or chain longer than the ring", "next index out of range",
	"indirect descriptor without VIRTIO_RING_F_INDIRECT_DESC", "INDIRECT together with NEXT",
	"indirect table length", "nested indirect table", "readable buffer after a writable one",
	"buffer address wraps", "too many buffers", "queue not enabled",
};

static uint32_t run(uint32_t cmd)
{
	uint32_t st;

	mmio_write32(VQ_REG(CMD), cmd);
	while ((st = mmio_read32(VQ_REG(STATUS))) & 1u)
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
	uint32_t st, nseg, why;

	if (!q->ready)
		return 0;
	st = run(VQ_CMD_POP | q->index);
	switch ((st >> 4) & 0xfu) {
	case RES_OK:
		break;
	case RES_EMPTY:
		return 0;
	case RES_BAD:
		why = (st >> 8) & 0xffu;
		vq_error = why < sizeof(reasons) / sizeof(reasons[0]) ? reasons[why] : "bad chain";
		return -EIO;
	default:
		vq_error = "host memory error while reading the rings";
		return -EIO;
	}
	memset(r, 0, offsetof(struct vq_req, rd));
	r->head = (uint16_t)mmio_read32(VQ_REG(HEAD));
	nseg = mmio_read32(VQ_REG(NSEG));
	r->nrd = nseg & 0xffu;
	r->nwr = (nseg >> 8) & 0xffu;
	r->rd_len = mmio_read32(VQ_REG(RDLEN));
	r->wr_len = mmio_read32(VQ_REG(WRLEN));
	for (unsigned i = 0; i < r->nrd + r->nwr; i++) {
		uintptr_t e = VQ_REG(SEG) + 16u * i;
		struct vq_seg *s = i < r->nrd ? &r->rd[i] : &r->wr[i - r->nrd];

		s->addr = mmio_read32(e) | (uint64_t)mmio_read32(e + 4) << 32;
		s->len = mmio_read32(e + 8);
	}
	return 1;
}

int vq_push(struct vq *q, const struct vq_req *r, uint32_t len)
{
	uint32_t st;

	mmio_write32(VQ_REG(HEAD), r->head);
	mmio_write32(VQ_REG(LEN), len);
	st = run(VQ_CMD_PUSH | q->index);
	return ((st >> 4) & 0xfu) == RES_OK ? 0 : -EIO;
}
