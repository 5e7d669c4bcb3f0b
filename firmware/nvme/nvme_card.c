#include "nvme_card.h"

#include <errno.h>
#include <string.h>

#include "rt.h"
#include "../card/hostmem.h"

#define RP(r) (SOC_RP_BASE + SOC_RP_##r)
/* RP.STATUS bits of a completion error (the rest are inbound errors) */
#define RP_STATUS_CPL_ERRS (SOC_RP_STATUS_TIMEOUT_MASK | SOC_RP_STATUS_UR_MASK | SOC_RP_STATUS_CA_MASK | \
			    SOC_RP_STATUS_CRS_MASK | SOC_RP_STATUS_POISONED_MASK | \
			    SOC_RP_STATUS_MALFORMED_MASK | SOC_RP_STATUS_UNEXPECTED_MASK)

#define CFG_COMMAND 0x04u
#define CFG_CLASS 0x08u
#define CFG_BAR0 0x10u
#define CFG_CAP_PTR 0x34u
#define CAP_PCIE 0x10u
#define CAP_MSIX 0x11u
#define CMD_MEMORY (1u << 1)
#define CMD_MASTER (1u << 2)
#define CMD_INTX_OFF (1u << 10)
#define NVME_CLASS 0x010802u
#define WAKE_US 50u			/* idle() sleeps at most this long at first */
#define WAKE_BACKOFF_MAX 5u		/* ... and up to WAKE_US << this when nothing comes */
#define WAKE_BACKOFF_EVERY 8u		/* idle calls without an MSI per doubling */

extern char __ddr_free[];		/* firmware/runtime/link.ld */

static uintptr_t ddr_next;
static uint64_t ddr_bus;
static volatile uint32_t msi_seen;
static uint32_t msi_taken;
static struct timer wake;
static unsigned idle_streak;		/* idle() calls since the last MSI */

uint32_t rp_status_take(void)
{
	uint32_t s = mmio_read32(RP(STATUS));

	mmio_write32(RP(STATUS), s);
	return s;
}

static uint32_t cfg_target(unsigned bus, unsigned dev, unsigned fn, unsigned off)
{
	return SOC_FIELD_PREP(SOC_RP_CFG_ADDR_BUS, bus) | SOC_FIELD_PREP(SOC_RP_CFG_ADDR_DEVICE, dev) |
	       SOC_FIELD_PREP(SOC_RP_CFG_ADDR_FUNCTION, fn) | SOC_FIELD_PREP(SOC_RP_CFG_ADDR_REG, off >> 2);
}

/* The completion errors of the request just made, as an errno. */
static int cfg_result(void)
{
	uint32_t s = rp_status_take() & RP_STATUS_CPL_ERRS;

	if (!s)
		return 0;
	return (s & SOC_RP_STATUS_TIMEOUT_MASK) ? -ETIMEDOUT : -EIO;
}

int rp_cfg_read(unsigned bus, unsigned dev, unsigned fn, unsigned off, uint32_t *val)
{
	rp_status_take();
	mmio_write32(RP(CFG_ADDR), cfg_target(bus, dev, fn, off));
	*val = mmio_read32(RP(CFG_DATA));
	return cfg_result();
}

int rp_cfg_write(unsigned bus, unsigned dev, unsigned fn, unsigned off, uint32_t val)
{
	rp_status_take();
	mmio_write32(RP(CFG_ADDR), cfg_target(bus, dev, fn, off));
	mmio_write32(RP(CFG_DATA), val);
	return cfg_result();
}

void *card_ddr_alloc(size_t size, size_t align)
{
	uintptr_t p;

	if (!ddr_next)
		ddr_next = (uintptr_t)__ddr_free;
	if (align < 8)
		align = 8;
	p = (ddr_next + align - 1) & ~(uintptr_t)(align - 1);
	if (p < SOC_DDR_BASE || p - SOC_DDR_BASE > SOC_DDR_SIZE || size > SOC_DDR_BASE + SOC_DDR_SIZE - p)
		return NULL;
	ddr_next = p + size;
	return (void *)p;
}

/* The DAX window (DAXWIN) is card memory too, from DAX.DDR_OFF on: the SSD
 * reads file data straight into window pages. */
static uint32_t win_ddr_off, win_size;

int card_dma_ok(const void *p, size_t len)
{
	uintptr_t a = (uintptr_t)p;

	if (a >= SOC_DAXWIN_BASE && a - SOC_DAXWIN_BASE < win_size)
		return len <= win_size - (a - SOC_DAXWIN_BASE);
	return a >= SOC_DDR_BASE && a - SOC_DDR_BASE < SOC_DDR_SIZE && len <= SOC_DDR_BASE + SOC_DDR_SIZE - a;
}

uint64_t card_bus_addr(const void *p)
{
	uintptr_t a = (uintptr_t)p;

	if (a >= SOC_DAXWIN_BASE && a - SOC_DAXWIN_BASE < win_size)
		return ddr_bus + win_ddr_off + (a - SOC_DAXWIN_BASE);
	return ddr_bus + (a - SOC_DDR_BASE);
}

/* The driver reads the clock around every command and in its wait loops:
 * a 32-bit divide (the core's divider) while the tick count fits in 32 bits
 * (the first 17 s at 250 MHz, every simulated run), libgcc's 64-bit one
 * (several hundred cycles) after. */
static uint64_t card_now_us(void)
{
	uint64_t t = timer_now();

	return (t >> 32) ? t / TIMER_TICKS_PER_US : (uint32_t)t / TIMER_TICKS_PER_US;
}

/* MSI-X from the SSD: the line stays up until RP.MSI_PENDING is cleared. */
static void msi_irq(unsigned line, void *arg)
{
	(void)line;
	(void)arg;
	mmio_write32(RP(MSI_PENDING), mmio_read32(RP(MSI_PENDING)));
	msi_seen++;
}

static void wake_fn(struct timer *t, void *arg)
{
	(void)t;
	(void)arg;
}

/*
 * Sleeps until an MSI or WAKE_US. An MSI handled since the last call (while
 * the driver was looking at its queue) means a completion may be waiting:
 * no sleep then. WFI wakes on a pending interrupt even with mstatus.MIE
 * clear; the handler runs when interrupts come back on. The timer only
 * lets the driver look at the controller's status and its timeouts: while
 * no MSI comes (a command that hung, a controller that failed without a
 * word) the sleep doubles every WAKE_BACKOFF_EVERY calls up to 1.6 ms, so
 * a 2 s command timeout costs a few thousand wake-ups, not 40 000.
 */
static void card_idle(void)
{
	uint32_t flags = irq_save();

	if (msi_seen != msi_taken)
		idle_streak = 0;
	if (msi_seen == msi_taken && !mmio_read32(RP(MSI_PENDING))) {
		unsigned shift = idle_streak / WAKE_BACKOFF_EVERY;

		if (shift > WAKE_BACKOFF_MAX)
			shift = WAKE_BACKOFF_MAX;
		else
			idle_streak++;
		timer_start(&wake, ((uint64_t)WAKE_US << shift) * TIMER_TICKS_PER_US, 0, wake_fn, NULL);
		cpu_wfi();
		timer_cancel(&wake);
	}
	if (!(flags & MSTATUS_MIE) && mmio_read32(RP(MSI_PENDING)))
		msi_irq(NVME_CARD_IRQ_LINE, NULL);	/* nobody else will take it */
	msi_taken = msi_seen;
	irq_restore(flags);
}

uint32_t nvme_card_msi_count(void) { return msi_seen; }

/* Capability `id` in the SSD's list, or 0. */
static unsigned find_cap(unsigned id)
{
	uint32_t v;
	unsigned ptr;

	if (rp_cfg_read(NVME_CARD_BUS, 0, 0, CFG_CAP_PTR, &v))
		return 0;
	ptr = v & 0xfc;
	for (unsigned guard = 0; ptr && guard < 48; guard++) {
		if (rp_cfg_read(NVME_CARD_BUS, 0, 0, ptr, &v))
			return 0;
		if ((v & 0xff) == id)
			return ptr;
		ptr = (v >> 8) & 0xfc;
	}
	return 0;
}

int nvme_card_probe(struct nvme_hal *hal, struct nvme_card_info *info)
{
	const unsigned b = NVME_CARD_BUS;
	uint32_t id, cls, lo, hi, v, tbl;
	unsigned pcie, msix;
	volatile uint32_t *table;
	uint64_t msi_addr;

	memset(info, 0, sizeof(*info));
	memset(hal, 0, sizeof(*hal));
	ddr_bus = mmio_read32(RP(DDR_BUS_LO)) | (uint64_t)mmio_read32(RP(DDR_BUS_HI)) << 32;
	win_ddr_off = mmio_read32(SOC_DAX_BASE + SOC_DAX_DDR_OFF);
	win_size = mmio_read32(SOC_DAX_BASE + SOC_DAX_PAGES) << 12;
	if ((uint64_t)win_ddr_off + win_size > mmio_read32(RP(DDR_SIZE)))
		win_size = 0;	/* the SSD cannot reach it: bounce */
	if (rp_cfg_read(b, 0, 0, 0x00, &id) || (id & 0xffff) == 0xffff)
		return -ENODEV;
	if (rp_cfg_read(b, 0, 0, CFG_CLASS, &cls) || (cls >> 8) != NVME_CLASS)
		return -ENODEV;
	info->vendor = (uint16_t)id;
	info->device = (uint16_t)(id >> 16);
	info->class_code = cls >> 8;

	/* BAR0: a 64-bit memory BAR no larger than the window. */
	if (rp_cfg_write(b, 0, 0, CFG_BAR0, 0xffffffffu) || rp_cfg_write(b, 0, 0, CFG_BAR0 + 4, 0xffffffffu) ||
	    rp_cfg_read(b, 0, 0, CFG_BAR0, &lo) || rp_cfg_read(b, 0, 0, CFG_BAR0 + 4, &hi))
		return -ENODEV;
	if ((lo & 0x7) != 0x4)
		return -ENOTSUP;
	info->bar0_size = ~((uint64_t)hi << 32 | (lo & ~0xfu)) + 1;
	if (info->bar0_size > SOC_RPWIN_SIZE || (NVME_CARD_BAR0 & (info->bar0_size - 1)))
		return -ENOTSUP;
	if (rp_cfg_write(b, 0, 0, CFG_BAR0, (uint32_t)NVME_CARD_BAR0) ||
	    rp_cfg_write(b, 0, 0, CFG_BAR0 + 4, (uint32_t)(NVME_CARD_BAR0 >> 32)))
		return -ENODEV;
	mmio_write32(RP(WIN_LO), (uint32_t)NVME_CARD_BAR0);
	mmio_write32(RP(WIN_HI), (uint32_t)(NVME_CARD_BAR0 >> 32));

	/* MPS 256, MRRS 512 (as Linux sets them), then memory and bus master on. */
	pcie = find_cap(CAP_PCIE);
	if (pcie) {
		if (rp_cfg_read(b, 0, 0, pcie + 8, &v))
			return -ENODEV;
		v = (v & ~0x70e0u) | 1u << 5 | 2u << 12;
		if (rp_cfg_write(b, 0, 0, pcie + 8, v))
			return -ENODEV;
	}
	if (rp_cfg_read(b, 0, 0, CFG_COMMAND, &v) ||
	    rp_cfg_write(b, 0, 0, CFG_COMMAND, (v & 0xffffu) | CMD_MEMORY | CMD_MASTER | CMD_INTX_OFF))
		return -ENODEV;

	/* MSI-X: the admin and I/O vectors write to the root port's MSI address. */
	msix = find_cap(CAP_MSIX);
	if (!msix || rp_cfg_read(b, 0, 0, msix, &v) || rp_cfg_read(b, 0, 0, msix + 4, &tbl))
		return -ENOTSUP;
	info->msix_vectors = ((v >> 16) & 0x7ff) + 1;
	if ((tbl & 7) != 0 || info->msix_vectors <= NVME_CARD_VEC_IO ||
	    (tbl & ~7u) + 16u * info->msix_vectors > info->bar0_size)
		return -ENOTSUP;
	msi_addr = mmio_read32(RP(MSI_ADDR_LO)) | (uint64_t)mmio_read32(RP(MSI_ADDR_HI)) << 32;
	table = (volatile uint32_t *)(SOC_RPWIN_BASE + (tbl & ~7u));
	for (unsigned vec = 0; vec <= NVME_CARD_VEC_IO; vec++) {
		table[4 * vec + 0] = (uint32_t)msi_addr;
		table[4 * vec + 1] = (uint32_t)(msi_addr >> 32);
		table[4 * vec + 2] = vec;
		table[4 * vec + 3] = 0;			/* unmasked */
	}
	/* enable, function mask off (message control is the upper half) */
	if (rp_cfg_write(b, 0, 0, msix, (v & ~(0x4000u << 16)) | 0x8000u << 16))
		return -ENODEV;
	mmio_write32(RP(MSI_PENDING), 0xffffffffu);
	intc_set_handler(NVME_CARD_IRQ_LINE, msi_irq, NULL);
	intc_enable_line(NVME_CARD_IRQ_LINE);

	hal->bar = (volatile uint8_t *)SOC_RPWIN_BASE;
	hal->bus_addr = card_bus_addr;
	hal->now_us = card_now_us;
	hal->dma_ok = card_dma_ok;
	hal->bounce = card_ddr_alloc(NVME_MAX_XFER, NVME_PAGE);
	hal->copy = card_copy;		/* DDR <-> DMABUF or the DAX window in hardware */
	hal->idle = card_idle;
	hal->use_irq = 1;
	hal->irq_vector = NVME_CARD_VEC_IO;
	if (!hal->bounce)
		return -ENOMEM;
	return 0;
}
