/*
 * Host memory as the card's firmware reaches it: through the DMA engine and
 * the DMA buffer (DMABUF). The top DMA_SCRATCH bytes of DMABUF are this
 * module's own staging area for small reads and writes (ring indices,
 * descriptors, used elements); the rest belongs to the caller.
 */
#ifndef CARD_HOSTMEM_H
#define CARD_HOSTMEM_H

#include <stdint.h>

#include "soc_map.h"

#define DMA_SCRATCH      4096u
#define DMABUF_USER_SIZE (SOC_DMABUF_SIZE - DMA_SCRATCH)
#define DMABUF           ((volatile uint8_t *)SOC_DMABUF_BASE)

/* Moves len bytes between host address `host` and card memory at `card`, an
 * address in DMABUF, DDR or DAXWIN, in hardware: the core copies nothing.
 * [card, card + len) must lie in one of those regions (else -EIO with
 * SOC_DMA_RESULT_BADARG). DDR is coherent with the core both ways: the core
 * sees the bytes once hostmem_to_card returns, and hostmem_from_card sees
 * every store the core made before the call. Returns 0 or -EIO, as below. */
int hostmem_to_card(uint64_t host, void *card, uint32_t len);
int hostmem_from_card(uint64_t host, const void *card, uint32_t len);

/* Moves len bytes between host address `host` and DMABUF offset `local`;
 * returns 0 or -EIO (any DMA error; hostmem_last_status() says which: a
 * DMA.STATUS.RESULT code, enum soc_dma_result in soc_map.h, e.g.
 * SOC_DMA_RESULT_ABORTED when the driver reset the function meanwhile). */
int hostmem_to_buf(uint64_t host, uint32_t local, uint32_t len);
int hostmem_from_buf(uint64_t host, uint32_t local, uint32_t len);
unsigned hostmem_last_status(void);

/* Copies len bytes from src to dst in hardware (the DMA block's copy
 * engine, a line per cycle): each of them in DMABUF, DDR or DAXWIN, any
 * alignment, len at most 16 MiB. Overlapping ranges are allowed when dst
 * lies below src (the copy runs front to back), as for memmove; dst above
 * an overlapping src, a range outside those regions, or a longer len give
 * -EINVAL and copy nothing. Returns 0 when the bytes are there for the core
 * and for the DMA engine. */
int card_copy(void *dst, const void *src, uint32_t len);

/* Small transfers through the scratch area (len <= DMA_SCRATCH). */
int hostmem_read(uint64_t host, void *dst, uint32_t len);
int hostmem_write(uint64_t host, const void *src, uint32_t len);

/* Copies between DMABUF and CPU memory. */
void buf_copy_out(uint32_t local, void *dst, uint32_t len);
void buf_copy_in(uint32_t local, const void *src, uint32_t len);

#endif /* CARD_HOSTMEM_H */
