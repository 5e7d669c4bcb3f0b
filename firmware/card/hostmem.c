#include "hostmem.h"

#include <errno.h>

#include "rt.h"

#define DMA_REG(r) (SOC_DMA_BASE + SOC_DMA_##r)
#define SCRATCH_OFF DMABUF_USER_SIZE

static unsigned last_status;

static int dma_run(uint64_t host, uintptr_t local, uint32_t len, int to_host)
{
	uint32_t st;

	mmio_write32(DMA_REG(HOST_LO), (uint32_t)host);
	mmio_write32(DMA_REG(HOST_HI), (uint32_t)(host >> 32));
	mmio_write32(DMA_REG(LOCAL), (uint32_t)local);
	mmio_write32(DMA_REG(LEN), len);
	mmio_write32(DMA_REG(CTRL), SOC_DMA_CTRL_START_MASK | SOC_FIELD_PREP(SOC_DMA_CTRL_TO_HOST, to_host != 0));
	while ((st = mmio_read32(DMA_REG(STATUS))) & SOC_DMA_STATUS_BUSY_MASK)
		;
	last_status = SOC_FIELD_GET(SOC_DMA_STATUS_RESULT, st);
	if (last_status == SOC_DMA_RESULT_TIMEOUT)
		mmio_write32(DMA_REG(CTRL), SOC_DMA_CTRL_FORGET_MASK);	/* forget the retired tags */
	return last_status != SOC_DMA_RESULT_OK ? -EIO : 0;
}

int hostmem_to_card(uint64_t host, void *card, uint32_t len)
{
	return dma_run(host, (uintptr_t)card, len, 0);
}

int hostmem_from_card(uint64_t host, const void *card, uint32_t len)
{
	return dma_run(host, (uintptr_t)card, len, 1);
}

int hostmem_to_buf(uint64_t host, uint32_t local, uint32_t len)
{
	return dma_run(host, SOC_DMABUF_BASE + (uintptr_t)local, len, 0);
}

int hostmem_from_buf(uint64_t host, uint32_t local, uint32_t len)
{
	return dma_run(host, SOC_DMABUF_BASE + (uintptr_t)local, len, 1);
}

unsigned hostmem_last_status(void) { return last_status; }

int card_copy(void *dst, const void *src, uint32_t len)
{
	uint32_t st;

	mmio_write32(DMA_REG(COPY_SRC), (uint32_t)(uintptr_t)src);
	mmio_write32(DMA_REG(COPY_DST), (uint32_t)(uintptr_t)dst);
	mmio_write32(DMA_REG(COPY_LEN), len);
	mmio_write32(DMA_REG(COPY_CTRL), SOC_DMA_COPY_CTRL_START_MASK);
	while ((st = mmio_read32(DMA_REG(COPY_STATUS))) & SOC_DMA_COPY_STATUS_BUSY_MASK)
		;
	return SOC_FIELD_GET(SOC_DMA_COPY_STATUS_RESULT, st) == SOC_DMA_RESULT_OK ? 0 : -EINVAL;
}

void buf_copy_out(uint32_t local, void *dst, uint32_t len)
{
	uint8_t *d = dst;

	for (uint32_t i = 0; i < len; i++)
		d[i] = DMABUF[local + i];
}

void buf_copy_in(uint32_t local, const void *src, uint32_t len)
{
	const uint8_t *s = src;

	for (uint32_t i = 0; i < len; i++)
		DMABUF[local + i] = s[i];
}

int hostmem_read(uint64_t host, void *dst, uint32_t len)
{
	int ret;

	if (len > DMA_SCRATCH)
		return -EINVAL;
	ret = hostmem_to_buf(host, SCRATCH_OFF, len);
	if (!ret)
		buf_copy_out(SCRATCH_OFF, dst, len);
	return ret;
}

int hostmem_write(uint64_t host, const void *src, uint32_t len)
{
	if (len > DMA_SCRATCH)
		return -EINVAL;
	buf_copy_in(SCRATCH_OFF, src, len);
	return hostmem_from_buf(host, SCRATCH_OFF, len);
}
