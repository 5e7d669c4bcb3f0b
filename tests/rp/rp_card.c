/*
 * Firmware half of the root-port RTL test (harness: tests/rp/rp_host.c).
 * Outbound: makes the accesses of rp_script.h and checks what each returns
 * (data or all-ones), the RP.STATUS bits it leaves, and that a timeout holds
 * the core no longer than RP.TIMEOUT; window stores of every size.
 * Inbound: waits while the harness sends its requests, then checks the
 * error counters, the MSI interrupts and the data the harness put in DDR.
 * Core DDR path: a pattern of mixed-size stores for the harness to read,
 * and a load that must see what the SSD wrote after the core last read it.
 * Exit code: the number of failed checks.
 */
#include <stdio.h>
#include <string.h>

#include "rp_script.h"
#include "rt.h"

#define RP(r) (SOC_RP_BASE + SOC_RP_##r)
#define DDR(off) ((volatile uint8_t *)(SOC_DDR_BASE + (off)))
#define ST_TIMEOUT SOC_RP_STATUS_TIMEOUT_MASK
#define ST_UR SOC_RP_STATUS_UR_MASK
#define ST_CA SOC_RP_STATUS_CA_MASK
#define ST_CRS SOC_RP_STATUS_CRS_MASK
#define ST_POISON SOC_RP_STATUS_POISONED_MASK
#define ST_MALFORMED SOC_RP_STATUS_MALFORMED_MASK
#define ST_UNEXPECTED SOC_RP_STATUS_UNEXPECTED_MASK
#define ST_INB_REFUSED SOC_RP_STATUS_INB_REFUSED_MASK
#define ST_INB_DROPPED SOC_RP_STATUS_INB_DROPPED_MASK

static int passed, failed;

#define CHECK(cond, ...)                                                \
	do {                                                            \
		if (cond) {                                             \
			passed++;                                       \
		} else {                                                \
			failed++;                                       \
			printf("FAIL line %d: ", __LINE__);             \
			printf(__VA_ARGS__);                            \
			printf("\n");                                   \
		}                                                       \
	} while (0)

static volatile uint32_t msi_bits, msi_irqs;

static void msi_irq(unsigned line, void *arg)
{
	uint32_t p = mmio_read32(RP(MSI_PENDING));

	(void)line;
	(void)arg;
	mmio_write32(RP(MSI_PENDING), p);
	msi_bits |= p;
	msi_irqs++;
}

static void phase(uint32_t n) { mmio_write32(SOC_SIMCTRL_BASE + SOC_SIMCTRL_SCRATCH, n); }

static void wait_flag(uint32_t v)
{
	while (*(volatile uint32_t *)DDR(RP_DDR_FLAG) != v)
		;
}

static uint32_t expected_status(unsigned answer)
{
	switch (answer) {
	case ANS_OK:
	case ANS_SLOW: return 0;
	case ANS_UR: return ST_UR;
	case ANS_CA: return ST_CA;
	case ANS_CRS: return ST_CRS;
	case ANS_POISON: return ST_POISON;
	case ANS_LEN2:
	case ANS_NODATA:
	case ANS_DATA: return ST_MALFORMED;
	case ANS_WRONGTAG:
	case ANS_WRONGRID: return ST_UNEXPECTED | ST_TIMEOUT;
	default: return ST_TIMEOUT;
	}
}

/* The timer interrupt taken while a window read waits. */
static struct timer irq_timer;
static volatile uint32_t irq_taken, irq_cfg_value;

static void irq_plain(struct timer *t, void *arg)
{
	(void)t;
	(void)arg;
	irq_taken++;
}

static void irq_cfg(struct timer *t, void *arg)
{
	(void)t;
	(void)arg;
	irq_taken++;
	irq_cfg_value = mmio_read32(RP(CFG_DATA));
}

static void outbound(void)
{
	volatile uint32_t *win = (volatile uint32_t *)SOC_RPWIN_BASE;

	mmio_write32(RP(TIMEOUT), RP_TEST_TIMEOUT);
	CHECK(mmio_read32(RP(TIMEOUT)) == RP_TEST_TIMEOUT, "TIMEOUT reads back");
	mmio_write32(RP(CFG_ADDR), RP_CFG_TARGET | 0x10);
	mmio_write32(RP(WIN_LO), 0xe0012345u);
	CHECK(mmio_read32(RP(WIN_LO)) == 0xe0000000u, "WIN_LO keeps 1 MiB alignment");
	for (unsigned k = 0; k < RP_SCRIPT_STEPS; k++) {
		const struct rp_step *s = &rp_script[k];
		uint32_t v = 0, st, t0, dt;
		int rd = s->access != ACC_CFG_WR && s->access != ACC_CFG_WR16;

		if (s->access == ACC_CFG_RD)
			mmio_write32(RP(CFG_ADDR), RP_CFG_TARGET | 0x10);

		mmio_write32(RP(STATUS), 0xffffffffu);
		if (s->access == ACC_WIN_RD_HI)
			mmio_write32(RP(WIN_HI), RP_WIN_HI);
		t0 = rt_rdcycle();
		if (s->access == ACC_WIN_RD_IRQ || s->access == ACC_WIN_RD_IRQ_CFG) {
			irq_taken = 0;
			timer_start(&irq_timer, RP_IRQ_DELAY, 0,
				    s->access == ACC_WIN_RD_IRQ ? irq_plain : irq_cfg, NULL);
		}
		switch (s->access) {
		case ACC_WIN_RD:
		case ACC_WIN_RD_HI:
		case ACC_WIN_RD_IRQ:
		case ACC_WIN_RD_IRQ_CFG: v = win[0x40 / 4 + k]; break;
		case ACC_CFG_RD: v = mmio_read32(RP(CFG_DATA)); break;
		case ACC_CFG_WR16: *(volatile uint16_t *)(RP(CFG_DATA) + 2) = 0xbeef; break;
		default: mmio_write32(RP(CFG_DATA), 0x12345678u + k); break;
		}
		dt = rt_rdcycle() - t0;
		mmio_write32(RP(WIN_HI), 0);
		st = mmio_read32(RP(STATUS)) & 0xffu;
		if (s->access == ACC_WIN_RD_IRQ) {
			CHECK(irq_taken == 1 && v == RP_OK_DATA(k), "step %u: interrupted read: %lu interrupts, 0x%08lx",
			      k, (unsigned long)irq_taken, (unsigned long)v);
		} else if (s->access == ACC_WIN_RD_IRQ_CFG) {
			CHECK(irq_taken == 1 && irq_cfg_value == RP_OK_DATA(k + 1) && v == RP_OK_DATA(k + 2),
			      "step %u: the handler's read 0x%08lx, the load's 0x%08lx", k,
			      (unsigned long)irq_cfg_value, (unsigned long)v);
			k += 2;				/* the handler's request and the new read */
		} else if (rd) {
			CHECK(v == (s->answer == ANS_OK ? RP_OK_DATA(k) : 0xffffffffu), "step %u: read 0x%08lx", k,
			      (unsigned long)v);
		}
		CHECK(st == expected_status(s->answer), "step %u: STATUS 0x%02lx, want 0x%02lx", k, (unsigned long)st,
		      (unsigned long)expected_status(s->answer));
		if (expected_status(s->answer) & ST_TIMEOUT)
			CHECK(dt >= RP_TEST_TIMEOUT && dt < RP_TEST_TIMEOUT + 400, "step %u: the core waited %lu cycles",
			      k, (unsigned long)dt);
	}
	/* posted stores of every size; the harness checks the MemWr TLPs */
	*(volatile uint8_t *)(SOC_RPWIN_BASE + 0x101) = 0xa1;
	*(volatile uint16_t *)(SOC_RPWIN_BASE + 0x106) = 0xb2c3;
	win[0x108 / 4] = 0xd4e5f607u;
	mmio_write32(RP(WIN_HI), RP_WIN_HI);
	win[0x10c / 4] = 0x18293a4bu;
	mmio_write32(RP(WIN_HI), 0);
	/* wait out the late completion, then count the unexpected ones */
	timer_delay_ticks(2 * RP_LATE_CYCLES);
	CHECK(mmio_read32(RP(UNEXPECTED)) == 3, "3 unexpected completions (%lu)",
	      (unsigned long)mmio_read32(RP(UNEXPECTED)));
	CHECK(mmio_read32(RP(STATUS)) == ST_UNEXPECTED, "STATUS: the late completion (0x%lx)",
	      (unsigned long)mmio_read32(RP(STATUS)));
	mmio_write32(RP(STATUS), ST_UNEXPECTED);
	CHECK(mmio_read32(RP(STATUS)) == 0, "STATUS clears");
}

static void inbound(void)
{
	uint32_t lo = mmio_read32(RP(INB_ADDR_LO)), hi = mmio_read32(RP(INB_ADDR_HI));
	int ok = 1;

	CHECK((mmio_read32(RP(STATUS)) & (ST_INB_REFUSED | ST_INB_DROPPED)) == (ST_INB_REFUSED | ST_INB_DROPPED),
	      "inbound refusals in STATUS (0x%lx)", (unsigned long)mmio_read32(RP(STATUS)));
	CHECK(mmio_read32(RP(INB_ERRS)) == RP_INB_ERRS, "INB_ERRS %lu", (unsigned long)mmio_read32(RP(INB_ERRS)));
	CHECK(hi == 1 && lo == 0x00001ffcu, "INB_ADDR 0x%lx_%08lx (the last refused write)", (unsigned long)hi,
	      (unsigned long)lo);
	CHECK(mmio_read32(RP(MSI_COUNT)) == 2, "MSI_COUNT %lu", (unsigned long)mmio_read32(RP(MSI_COUNT)));
	CHECK(msi_bits == (1u << RP_MSI_A | 1u << RP_MSI_B) && msi_irqs >= 1, "MSI interrupts: bits 0x%lx, %lu taken",
	      (unsigned long)msi_bits, (unsigned long)msi_irqs);
	CHECK(mmio_read32(RP(MSI_PENDING)) == 0, "the handler cleared MSI_PENDING");
	for (uint32_t i = 0; i < RP_PATTERN_BYTES; i++)
		ok &= *DDR(RP_DDR_HOST_PATTERN + i) == rp_host_byte(i);
	CHECK(ok, "the core reads what the SSD wrote into DDR");
	mmio_write32(RP(STATUS), ST_INB_REFUSED | ST_INB_DROPPED);
}

static void cpu_pattern(void)
{
	volatile uint8_t *p = DDR(RP_DDR_CPU_PATTERN);
	int ok = 1;

	/* bytes, halves and words, in an order that keeps the line buffer busy */
	for (uint32_t i = 0; i < RP_PATTERN_BYTES; i += 8) {
		p[i] = rp_cpu_byte(i);
		*(volatile uint16_t *)(p + i + 2) = (uint16_t)(rp_cpu_byte(i + 2) | rp_cpu_byte(i + 3) << 8);
		p[i + 1] = rp_cpu_byte(i + 1);
		*(volatile uint32_t *)(p + i + 4) = rp_cpu_byte(i + 4) | rp_cpu_byte(i + 5) << 8 |
						    rp_cpu_byte(i + 6) << 16 | (uint32_t)rp_cpu_byte(i + 7) << 24;
	}
	for (uint32_t i = 0; i < RP_PATTERN_BYTES; i++)
		ok &= p[i] == rp_cpu_byte(i);
	CHECK(ok, "the core reads back its own DDR stores");
	for (uint32_t i = 0; i < RP_PATTERN_BYTES; i += 4)
		ok &= *(volatile uint16_t *)(p + i + 2) == (uint16_t)(rp_cpu_byte(i + 2) | rp_cpu_byte(i + 3) << 8);
	CHECK(ok, "half-word loads");
}

int main(void)
{
	uint32_t before, after;

	timer_init();
	intc_set_handler(30, msi_irq, NULL);
	intc_enable_line(30);
	irq_enable();
	CHECK(mmio_read32(RP(DDR_BUS_HI)) == 1 && mmio_read32(RP(DDR_BUS_LO)) == 0, "DDR_BUS 0x1_0000_0000");
	CHECK(mmio_read32(RP(DDR_SIZE)) == 0x80000000u, "DDR_SIZE: all of card memory (DDR region and DAX window)");
	CHECK(mmio_read32(RP(MSI_ADDR_LO)) == 0xfee00000u && mmio_read32(RP(MSI_ADDR_HI)) == 0, "MSI_ADDR");
	CHECK(mmio_read32(RP(RID)) == 0, "RID resets to 0");

	outbound();

	phase(RP_PHASE_INBOUND);
	wait_flag(1);
	inbound();

	cpu_pattern();
	phase(RP_PHASE_CPU_PATTERN);
	wait_flag(2);

	before = *(volatile uint32_t *)DDR(RP_DDR_COH_WORD);	/* now in the line buffer */
	phase(RP_PHASE_COHERENCE);
	wait_flag(3);
	after = *(volatile uint32_t *)DDR(RP_DDR_COH_WORD);
	CHECK(before == 0 && after == RP_COH_VALUE, "a load after the SSD's write sees it (0x%lx -> 0x%lx)",
	      (unsigned long)before, (unsigned long)after);

	printf("rp_card: %d passed, %d failed\n", passed, failed);
	return failed || !passed;	/* no check run is no pass */
}
