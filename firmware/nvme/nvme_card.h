/*
 * The NVMe HAL of the card: the SSD behind the card's root port (rtl/rp,
 * contract in docs/nvme-root-port.md), for the driver in nvme.h.
 *
 *   bar        the RPWIN window, mapped onto the SSD's BAR0
 *   bus_addr   card memory (DDR) as the SSD addresses it: RP.DDR_BUS + offset;
 *              only DDR is reachable (dma_ok), anything else is bounced
 *   interrupts the SSD's MSI-X writes land on RP.MSI_PENDING, INTC line 30;
 *              idle() sleeps in WFI until one comes or a short timer fires
 *
 * Needs the runtime's timer (timer_init() first); interrupts are taken once
 * the program enables them (irq_enable()), and idle() still works without.
 */
#ifndef NVME_CARD_H
#define NVME_CARD_H

#include <stddef.h>
#include <stdint.h>

#include "nvme.h"

#define NVME_CARD_BUS 1u			/* the root port's secondary bus */
#define NVME_CARD_BAR0 0xe0000000ull		/* bus address the SSD's BAR0 gets */
#define NVME_CARD_IRQ_LINE 30u			/* INTC line of RP.MSI_PENDING */
#define NVME_CARD_VEC_ADMIN 0u			/* MSI-X vectors: admin CQ, I/O CQ */
#define NVME_CARD_VEC_IO 1u

struct nvme_card_info {
	uint16_t vendor, device;
	uint32_t class_code;
	uint64_t bar0_size;
	unsigned msix_vectors;
};

/* Configuration space of bus/device/function through RP.CFG_ADDR/CFG_DATA.
 * 0, -ETIMEDOUT (no completion), -EIO (UR, CA, CRS or a bad completion). */
int rp_cfg_read(unsigned bus, unsigned dev, unsigned fn, unsigned off, uint32_t *val);
int rp_cfg_write(unsigned bus, unsigned dev, unsigned fn, unsigned off, uint32_t val);
/* Reads and clears RP.STATUS. */
uint32_t rp_status_take(void);

/* Card memory: a page-aligned-or-better allocation above the program's .ddr
 * objects (never freed); NULL when DDR is full. */
void *card_ddr_alloc(size_t size, size_t align);
int card_dma_ok(const void *p, size_t len);
uint64_t card_bus_addr(const void *p);

/* Finds the SSD (bus 1, device 0, class 010802), gives it BAR0, maps the
 * window, sets MPS 256 / MRRS 512, bus mastering and MSI-X (admin and I/O
 * vectors to RP.MSI_ADDR), and fills *hal for nvme_init. 0, -ENODEV (no NVMe
 * device answers), -ENOTSUP (a BAR or MSI-X layout it cannot use), -ENOMEM. */
int nvme_card_probe(struct nvme_hal *hal, struct nvme_card_info *info);

/* MSI writes the HAL has seen (for tests). */
uint32_t nvme_card_msi_count(void);

#endif /* NVME_CARD_H */
