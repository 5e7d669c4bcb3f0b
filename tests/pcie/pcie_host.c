/*
 * Root-complex testbench of the card's PCIe function: enumeration the way
 * Linux does it, the configuration space and its capabilities, the virtio
 * registers, MSI-X (with masking) and INTx, BAR2, the card's clock (its
 * vendor-data capability and BAR0 block), and malformed requests.
 * The card's soft core runs tests/pcie/pcie_card.S, which answers queue
 * notifications with interrupts.
 *
 * usage: pcie_test FIRMWARE.elf
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/virtio_config.h>
#include <linux/virtio_pci.h>
#include <linux/virtio_ring.h>

#include "check.h"
#include "figures.h"
#include "rc.h"
#include "soc_map.h"
#include "vtop.h"

#define CAP_VENDOR_CFG 9	/* virtio 1.2 VIRTIO_PCI_CAP_VENDOR_CFG (vendor data) */
#define CLOCK_BAR0 0x6000u	/* the clock's block (docs/pcie-function.md) */

static int passed, failed;

/* Card memory offset of the DAX window (BAR2): the upper half of card memory. */
#define WIN_DDR (1ull << 30)


static struct rc *rc;
static struct rc_bar bars[6];

static uint32_t cfg32(uint16_t off)
{
	uint32_t v = 0xdeadbeef;
	int ret = rc_cfg_read(rc, off, 4, &v);

	CHECK(ret == 0, "config read 0x%x: %d", off, ret);
	return v;
}

static uint32_t cfg8(uint16_t off)
{
	uint32_t v = 0xdead;
	int ret = rc_cfg_read(rc, off, 1, &v);

	CHECK(ret == 0, "config read8 0x%x: %d", off, ret);
	return v;
}

static uint64_t bar0_rd(uint32_t off, unsigned size)
{
	uint64_t v = 0xdeadbeef;
	int ret = rc_mem_read(rc, bars[0].base + off, size, &v);

	CHECK(ret == 0, "BAR0 read 0x%x size %u: %d", off, size, ret);
	return v;
}

static void bar0_wr(uint32_t off, unsigned size, uint64_t v)
{
	int ret = rc_mem_write(rc, bars[0].base + off, size, v);

	CHECK(ret == 0, "BAR0 write 0x%x: %d", off, ret);
}

#define COMMON(f) offsetof(struct virtio_pci_common_cfg, f)

/* Runs until n MSI messages were seen in total, or a bound passes. */
static int wait_msi(unsigned n, uint64_t max_cycles)
{
	uint64_t start = rc_cycles(rc);

	while (rc_msi_count(rc) < n && rc_cycles(rc) - start < max_cycles)
		rc_step(rc, 16);
	return rc_msi_count(rc) >= n;
}

static void test_enumeration(void)
{
	uint32_t v;

	CHECK(rc_enumerate(rc, bars) == 0, "enumeration failed");
	CHECK(bars[0].size == 32 * 1024 && bars[0].is64 && !bars[0].prefetch,
	      "BAR0: size %llu is64 %d prefetch %d", (unsigned long long)bars[0].size,
	      bars[0].is64, bars[0].prefetch);
	CHECK(bars[2].size == (1ull << 30) && bars[2].is64 && bars[2].prefetch,
	      "BAR2: size %llu is64 %d prefetch %d", (unsigned long long)bars[2].size,
	      bars[2].is64, bars[2].prefetch);
	CHECK(bars[2].base >= (1ull << 32), "BAR2 assigned above 4 GiB");
	CHECK(bars[4].size == 0, "BAR4 absent");
	v = cfg32(0x00);
	CHECK(v == 0x105a1af4, "IDs 0x%08x", v);
	v = cfg32(0x08);
	CHECK((v & 0xff) >= 1 && (v >> 8) == 0x018000, "class/revision 0x%08x", v);
	v = cfg32(0x2c);
	CHECK(v == 0x00401af4, "subsystem 0x%08x", v);
	v = cfg32(0x04);
	CHECK((v & 0x6) == 0x6 && (v >> 16) & 0x10, "command/status 0x%08x", v);
	/* Read-only fields stay put. */
	CHECK(rc_cfg_write(rc, 0x00, 4, 0x12345678) == 0, "write IDs");
	CHECK(cfg32(0x00) == 0x105a1af4, "IDs are read-only");
	CHECK(cfg8(0x3d) == 1, "interrupt pin INTA");
}

static void test_capabilities(void)
{
	uint32_t ptr = cfg8(0x34), seen = 0, vendor_types = 0;
	int guard = 0;

	CHECK(ptr == 0x40, "capability pointer 0x%x", ptr);
	while (ptr && guard++ < 48) {
		uint32_t id = cfg8((uint16_t)ptr), next = cfg8((uint16_t)(ptr + 1));

		CHECK((ptr & 3) == 0 && ptr >= 0x40, "capability at 0x%x aligned, past the header", ptr);
		if (id == 0x10) {
			uint32_t devctl;

			seen |= 1;
			devctl = cfg32((uint16_t)(ptr + 8)) & 0xffff;
			CHECK(((devctl >> 5) & 7) == 1 && ((devctl >> 12) & 7) == 2,
			      "MPS 256 / MRRS 512 programmed, devctl 0x%04x", devctl);
			/* MPS above what the card supports is clamped. */
			rc_cfg_write(rc, (uint16_t)(ptr + 8), 2, (devctl & ~0xe0u) | (3u << 5));
			devctl = cfg32((uint16_t)(ptr + 8)) & 0xffff;
			CHECK(((devctl >> 5) & 7) == 1, "MPS clamped to 256, devctl 0x%04x", devctl);
		} else if (id == 0x11) {
			uint32_t ctl = cfg32((uint16_t)ptr) >> 16, table = cfg32((uint16_t)(ptr + 4));
			uint32_t pba = cfg32((uint16_t)(ptr + 8));

			seen |= 2;
			CHECK((ctl & 0x7ff) + 1 == 8, "MSI-X table size %u", (ctl & 0x7ff) + 1);
			CHECK(table == 0x4000 && pba == 0x5000, "MSI-X table 0x%x PBA 0x%x", table, pba);
		} else if (id == 0x01) {
			seen |= 4;
		} else if (id == 0x09 && cfg8((uint16_t)(ptr + 3)) == CAP_VENDOR_CFG) {
			/* vendor data: vendor 0x1af4, what 1 (the clock), version 1,
			 * BAR 0, offset, length; the last capability */
			uint32_t w1 = cfg32((uint16_t)(ptr + 4));

			vendor_types |= 1u << CAP_VENDOR_CFG;
			CHECK(cfg8((uint16_t)(ptr + 2)) == 20 && (w1 & 0xffff) == 0x1af4 &&
			      ((w1 >> 16) & 0xff) == 1 && w1 >> 24 == 1,
			      "clock vendor data: len %u, vendor/what/version 0x%08x", cfg8((uint16_t)(ptr + 2)), w1);
			CHECK(cfg8((uint16_t)(ptr + 8)) == 0 && cfg32((uint16_t)(ptr + 12)) == CLOCK_BAR0 &&
			      cfg32((uint16_t)(ptr + 16)) == 0x20,
			      "clock block: BAR%u offset 0x%x length 0x%x", cfg8((uint16_t)(ptr + 8)),
			      cfg32((uint16_t)(ptr + 12)), cfg32((uint16_t)(ptr + 16)));
			CHECK(next == 0, "the clock's capability ends the list (next 0x%x)", next);
		} else if (id == 0x09) {
			uint32_t type = cfg8((uint16_t)(ptr + 3)), bar = cfg8((uint16_t)(ptr + 4));
			uint32_t off = cfg32((uint16_t)(ptr + 8)), len = cfg32((uint16_t)(ptr + 12));

			vendor_types |= 1u << type;
			switch (type) {
			case VIRTIO_PCI_CAP_COMMON_CFG:
				CHECK(bar == 0 && off == 0 && len >= sizeof(struct virtio_pci_common_cfg),
				      "common cap bar %u off 0x%x len 0x%x", bar, off, len);
				break;
			case VIRTIO_PCI_CAP_NOTIFY_CFG:
				CHECK(bar == 0 && off == 0x1000 && cfg32((uint16_t)(ptr + 16)) == 4,
				      "notify cap bar %u off 0x%x", bar, off);
				break;
			case VIRTIO_PCI_CAP_ISR_CFG:
				CHECK(bar == 0 && off == 0x2000, "ISR cap");
				break;
			case VIRTIO_PCI_CAP_DEVICE_CFG:
				CHECK(bar == 0 && off == 0x3000 && len >= 40, "device cap");
				break;
			case VIRTIO_PCI_CAP_SHARED_MEMORY_CFG:
				CHECK(bar == 2 && cfg8((uint16_t)(ptr + 5)) == 0 && cfg8((uint16_t)(ptr + 2)) == 24 &&
				      off == 0 && cfg32((uint16_t)(ptr + 16)) == 0 &&
				      len == 0x40000000u && cfg32((uint16_t)(ptr + 20)) == 0,
				      "shm cap: bar %u id %u length 0x%x:%08x", bar, cfg8((uint16_t)(ptr + 5)),
				      cfg32((uint16_t)(ptr + 20)), len);
				break;
			default:
				CHECK(0, "unknown virtio cap type %u", type);
			}
		}
		ptr = next;
	}
	CHECK(guard < 48, "capability list ends");
	CHECK(seen == 7, "PM, PCIe and MSI-X capabilities present (0x%x)", seen);
	CHECK(vendor_types == (1u << 1 | 1u << 2 | 1u << 3 | 1u << 4 | 1u << 8 | 1u << CAP_VENDOR_CFG),
	      "virtio caps common, notify, ISR, device, shm and the clock's vendor data present (0x%x)",
	      vendor_types);
}

/* The host's view of the clock: one instant from SEC_LO (snapshot), SEC_HI, NSEC. */
static void clock_read(uint64_t *sec, uint32_t *nsec)
{
	uint32_t lo = (uint32_t)bar0_rd(CLOCK_BAR0 + SOC_TIME_SEC_LO, 4);

	*sec = lo | bar0_rd(CLOCK_BAR0 + SOC_TIME_SEC_HI, 4) << 32;
	*nsec = (uint32_t)bar0_rd(CLOCK_BAR0 + SOC_TIME_NSEC, 4);
}

static void clock_set(uint64_t sec, uint32_t nsec)
{
	bar0_wr(CLOCK_BAR0 + SOC_TIME_SEC_LO, 4, (uint32_t)sec);
	bar0_wr(CLOCK_BAR0 + SOC_TIME_SEC_HI, 4, sec >> 32);
	bar0_wr(CLOCK_BAR0 + SOC_TIME_NSEC, 4, nsec);
}

#define CLOCK_REG(r) bar0_rd(CLOCK_BAR0 + SOC_TIME_##r, 4)

/* The clock through BAR0: it runs from 0 until set, a second of cycles is a
 * second, the host's time is taken, an earlier one refused and counted,
 * malformed writes ignored and counted; the MSI-X window beside it intact. */
static void test_clock(void)
{
	uint64_t s0, s1, d;
	uint32_t n0, n1, ref, mal, err0;

	CHECK(CLOCK_REG(TICK_NS) == 4, "TICK_NS 4 (250 MHz)");
	CHECK((CLOCK_REG(STATUS) & (SOC_TIME_STATUS_HOST_SET_MASK | SOC_TIME_STATUS_CARD_SET_MASK)) == 0,
	      "clock never set after reset");
	clock_read(&s0, &n0);
	CHECK(s0 == 0, "an unset clock counts from 0 (%llu s)", (unsigned long long)s0);
	rc_step(rc, 250000);
	clock_read(&s1, &n1);
	d = (s1 * 1000000000ull + n1) - (s0 * 1000000000ull + n0);
	CHECK(d >= 1000000 && d < 1100000, "250 000 cycles are 1 ms of the clock (%llu ns)", (unsigned long long)d);

	clock_set(1800000000ull, 123456789);
	clock_read(&s1, &n1);
	CHECK(s1 == 1800000000ull && n1 > 123456789 && n1 < 123456789 + 100000,
	      "the host's time taken: %llu.%09u", (unsigned long long)s1, n1);
	CHECK(CLOCK_REG(STATUS) & SOC_TIME_STATUS_HOST_SET_MASK, "STATUS.HOST_SET");
	CHECK(CLOCK_REG(SETS) == 1, "one time taken");

	ref = (uint32_t)CLOCK_REG(REFUSED);
	clock_set(1799999999ull, 0);
	CHECK(CLOCK_REG(REFUSED) == ref + 1, "an earlier time refused and counted");
	clock_read(&s1, &n1);
	CHECK(s1 == 1800000000ull, "the clock did not go back (%llu)", (unsigned long long)s1);

	mal = (uint32_t)CLOCK_REG(MALFORMED);
	bar0_wr(CLOCK_BAR0 + SOC_TIME_SEC_LO, 2, 0x1234);		/* two bytes */
	bar0_wr(CLOCK_BAR0 + SOC_TIME_SEC_LO, 4, 1900000000u);
	bar0_wr(CLOCK_BAR0 + SOC_TIME_SEC_HI, 4, 0);
	bar0_wr(CLOCK_BAR0 + SOC_TIME_NSEC, 4, 1000000000u);		/* out of range */
	bar0_wr(CLOCK_BAR0 + SOC_TIME_NSEC, 4, 5);			/* nothing staged */
	bar0_wr(CLOCK_BAR0 + SOC_TIME_STATUS, 4, ~0u);			/* read-only */
	bar0_wr(CLOCK_BAR0 + 0x100, 4, 1);				/* past the block */
	CHECK(CLOCK_REG(MALFORMED) == mal + 5, "5 malformed writes counted (%llu)",
	      (unsigned long long)(CLOCK_REG(MALFORMED) - mal));
	CHECK(bar0_rd(CLOCK_BAR0 + 0x100, 4) == 0 && bar0_rd(0x7ffc, 4) == 0, "past the block reads 0");
	clock_read(&s1, &n1);
	CHECK(s1 == 1800000000ull, "malformed writes did not move the clock (%llu)", (unsigned long long)s1);

	/* a BAR0 write of more than one beat is the endpoint's to drop */
	err0 = rc_card_errors(rc);
	{
		uint32_t junk[16] = { 0 };
		int ret = rc_mem_write_block(rc, bars[0].base + CLOCK_BAR0, junk, sizeof(junk));

		CHECK(ret == 0, "long BAR0 write sent (%d)", ret);
	}
	CHECK(rc_card_errors(rc) == err0 + 1, "a 16-DW write to the clock dropped and counted by the endpoint");
	clock_read(&s1, &n1);
	CHECK(s1 == 1800000000ull, "the long write did not move the clock");

	/* SEC_LO + SEC_HI as one 8-byte write, then NSEC: taken */
	bar0_wr(CLOCK_BAR0 + SOC_TIME_SEC_LO, 8, 1900000000ull);
	bar0_wr(CLOCK_BAR0 + SOC_TIME_NSEC, 4, 7);
	clock_read(&s1, &n1);
	CHECK(s1 == 1900000000ull, "an 8-byte seconds write then NSEC taken (%llu)", (unsigned long long)s1);
	CHECK(bar0_rd(0x5000, 4) == bar0_rd(0x5000, 4), "the MSI-X PBA still answers beside the clock");
}

static void test_common_cfg(void)
{
	uint64_t v;
	char tag[37] = { 0 };

	bar0_wr(COMMON(device_feature_select), 4, 0);
	v = bar0_rd(COMMON(device_feature), 4);
	CHECK(v == ((1u << VIRTIO_RING_F_INDIRECT_DESC) | (1u << VIRTIO_RING_F_EVENT_IDX)),
	      "features 31:0 0x%llx", (unsigned long long)v);
	bar0_wr(COMMON(device_feature_select), 4, 1);
	v = bar0_rd(COMMON(device_feature), 4);
	CHECK(v == (1u << 0 | 1u << 1 | 1u << 4), "features 63:32 0x%llx", (unsigned long long)v);
	CHECK(bar0_rd(COMMON(num_queues), 2) == 5, "num_queues");
	for (int i = 0; i < 36; i += 4) {
		uint32_t w = (uint32_t)bar0_rd(0x3000 + i, 4);

		memcpy(tag + i, &w, 4);
	}
	CHECK(!strcmp(tag, "vfpga"), "default tag '%s'", tag);
	CHECK(bar0_rd(0x3024, 4) == 4, "num_request_queues");

	/* Handshake: FEATURES_OK needs VERSION_1. */
	bar0_wr(COMMON(device_status), 1, 0);
	bar0_wr(COMMON(device_status), 1, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	bar0_wr(COMMON(guest_feature_select), 4, 1);
	bar0_wr(COMMON(guest_feature), 4, 0);
	bar0_wr(COMMON(device_status), 1, 0x0b);
	CHECK(!(bar0_rd(COMMON(device_status), 1) & VIRTIO_CONFIG_S_FEATURES_OK),
	      "FEATURES_OK refused without VERSION_1");
	bar0_wr(COMMON(guest_feature), 4, 1u << 0 | 1u << 8);	/* VERSION_1 and an unoffered bit */
	CHECK(bar0_rd(COMMON(guest_feature), 4) == 1, "unoffered feature bits dropped");
	bar0_wr(COMMON(device_status), 1, 0x0b);
	CHECK(bar0_rd(COMMON(device_status), 1) & VIRTIO_CONFIG_S_FEATURES_OK, "FEATURES_OK kept");

	/* Queue 1: size, vector, addresses, enable. */
	bar0_wr(COMMON(queue_select), 2, 1);
	CHECK(bar0_rd(COMMON(queue_size), 2) == 1024, "max queue size");
	CHECK(bar0_rd(COMMON(queue_notify_off), 2) == 1, "notify off");
	bar0_wr(COMMON(queue_size), 2, 256);
	bar0_wr(COMMON(queue_msix_vector), 2, 2);
	bar0_wr(COMMON(queue_desc_lo), 4, 0x10000);
	bar0_wr(COMMON(queue_desc_hi), 4, 0x1);
	bar0_wr(COMMON(queue_avail_lo), 4, 0x11000);
	bar0_wr(COMMON(queue_used_lo), 4, 0x12000);
	bar0_wr(COMMON(queue_enable), 2, 1);
	CHECK(bar0_rd(COMMON(queue_size), 2) == 256, "queue size 256");
	CHECK(bar0_rd(COMMON(queue_msix_vector), 2) == 2, "queue vector 2");
	CHECK(bar0_rd(COMMON(queue_desc_hi), 4) == 1 && bar0_rd(COMMON(queue_desc_lo), 4) == 0x10000,
	      "desc address");
	CHECK(bar0_rd(COMMON(queue_enable), 2) == 1, "queue enabled");
	/* Vector past the table: NO_VECTOR. */
	bar0_wr(COMMON(queue_select), 2, 3);
	bar0_wr(COMMON(queue_msix_vector), 2, 40);
	CHECK(bar0_rd(COMMON(queue_msix_vector), 2) == VIRTIO_MSI_NO_VECTOR, "vector 40 refused");
	/* Queue select out of range reads zero. */
	bar0_wr(COMMON(queue_select), 2, 9);
	CHECK(bar0_rd(COMMON(queue_size), 2) == 0, "queue 9 does not exist");
	/* Queue 0 and config vectors for the interrupt tests. */
	bar0_wr(COMMON(queue_select), 2, 0);
	bar0_wr(COMMON(queue_msix_vector), 2, 1);
	bar0_wr(COMMON(queue_enable), 2, 1);
	bar0_wr(COMMON(msix_config), 2, 0);
	CHECK(bar0_rd(COMMON(msix_config), 2) == 0, "config vector 0");
}

static uint16_t msix_cap(void)
{
	uint32_t ptr = cfg8(0x34);

	for (int guard = 0; ptr && guard < 48; guard++) {
		if (cfg8((uint16_t)ptr) == 0x11)
			return (uint16_t)ptr;
		ptr = cfg8((uint16_t)(ptr + 1));
	}
	return 0;
}

static void test_msix(void)
{
	uint16_t cap = msix_cap();
	unsigned n0;
	const struct rc_msi *m;

	for (unsigned v = 0; v < 8; v++) {
		bar0_wr(0x4000 + 16 * v, 4, RC_MSI_BASE + 0x1000 * v);
		bar0_wr(0x4000 + 16 * v + 4, 4, 0);
		bar0_wr(0x4000 + 16 * v + 8, 4, 0x40 + v);
		bar0_wr(0x4000 + 16 * v + 12, 4, 0);	/* unmask */
	}
	CHECK(bar0_rd(0x4000 + 16 * 3 + 8, 4) == 0x43, "MSI-X table readback");
	CHECK(rc_cfg_write(rc, (uint16_t)(cap + 2), 2, 0x8000) == 0, "MSI-X enable");
	CHECK(cfg32(cap) >> 31, "MSI-X enabled");

	/* Notify queue 1: the firmware raises its interrupt, vector 2. */
	n0 = rc_msi_count(rc);
	bar0_wr(0x1000 + 4 * 1, 2, 1);
	CHECK(wait_msi(n0 + 1, 20000), "MSI for queue 1");
	m = rc_msi_get(rc, n0);
	CHECK(m && m->data == 0x42 && m->addr == RC_MSI_BASE + 0x2000, "vector 2 message (data 0x%x)",
	      m ? m->data : 0);

	/* A notification of a queue that is not enabled goes nowhere. */
	n0 = rc_msi_count(rc);
	bar0_wr(0x1000 + 4 * 3, 2, 3);
	bar0_wr(0x1000 + 4 * 7, 2, 7);	/* and of one that does not exist */
	rc_step(rc, 5000);
	CHECK(rc_msi_count(rc) == n0, "notify on a disabled or absent queue ignored");

	/* Masked vector: pending bit, sent on unmask. */
	bar0_wr(0x4000 + 16 * 2 + 12, 4, 1);
	n0 = rc_msi_count(rc);
	bar0_wr(0x1000 + 4 * 1, 2, 1);
	rc_step(rc, 5000);
	CHECK(rc_msi_count(rc) == n0, "no message while masked");
	CHECK(bar0_rd(0x5000, 4) & (1u << 2), "PBA bit 2 pending");
	bar0_wr(0x4000 + 16 * 2 + 12, 4, 0);
	CHECK(wait_msi(n0 + 1, 20000), "message after unmask");
	CHECK((bar0_rd(0x5000, 4) & (1u << 2)) == 0, "PBA bit 2 cleared");

	/* Function mask holds every vector. */
	rc_cfg_write(rc, (uint16_t)(cap + 2), 2, 0xc000);
	n0 = rc_msi_count(rc);
	bar0_wr(0x1000 + 4 * 1, 2, 1);
	rc_step(rc, 5000);
	CHECK(rc_msi_count(rc) == n0, "no message under function mask");
	rc_cfg_write(rc, (uint16_t)(cap + 2), 2, 0x8000);
	CHECK(wait_msi(n0 + 1, 20000), "message after function unmask");

	/* Queue 0 notify: the firmware changes the tag and raises a config change. */
	{
		uint32_t gen = (uint32_t)bar0_rd(COMMON(config_generation), 1);
		char tag[8] = { 0 };
		uint32_t w;

		n0 = rc_msi_count(rc);
		bar0_wr(0x1000, 2, 0);
		CHECK(wait_msi(n0 + 1, 20000), "config-change MSI");
		m = rc_msi_get(rc, n0);
		CHECK(m && m->data == 0x40, "config vector 0 message");
		CHECK((uint32_t)bar0_rd(COMMON(config_generation), 1) != gen, "config generation moved");
		w = (uint32_t)bar0_rd(0x3000, 4);
		memcpy(tag, &w, 4);
		CHECK(!strcmp(tag, "echo"), "tag now '%s'", tag);
	}
	CHECK(rc_intx(rc) == 0, "no INTx while MSI-X is on");
}

static void test_intx(void)
{
	uint16_t cap = msix_cap();
	uint64_t start;

	rc_cfg_write(rc, (uint16_t)(cap + 2), 2, 0x0000);
	bar0_rd(0x2000, 1);	/* clear ISR */
	CHECK(rc_intx(rc) == 0, "INTx idle");
	bar0_wr(0x1000 + 4 * 1, 2, 1);
	start = rc_cycles(rc);
	while (!rc_intx(rc) && rc_cycles(rc) - start < 20000)
		rc_step(rc, 16);
	CHECK(rc_intx(rc), "INTx asserted");
	CHECK((cfg32(0x04) >> 16) & 0x8, "status.interrupt set");
	CHECK(bar0_rd(0x2000, 1) == 1, "ISR queue bit");
	rc_step(rc, 4);
	CHECK(rc_intx(rc) == 0, "INTx deasserted after ISR read");
	CHECK(bar0_rd(0x2000, 1) == 0, "ISR cleared by read");
	/* INTx disable in the command register. */
	rc_cfg_write(rc, 0x04, 2, 0x0406);
	bar0_wr(0x1000 + 4 * 1, 2, 1);
	rc_step(rc, 5000);
	CHECK(rc_intx(rc) == 0, "INTx disabled");
	bar0_rd(0x2000, 1);
	rc_cfg_write(rc, 0x04, 2, 0x0006);
}

static void test_bad_queue_size(void)
{
	bar0_wr(COMMON(queue_select), 2, 2);
	bar0_wr(COMMON(queue_size), 2, 100);
	bar0_wr(COMMON(queue_enable), 2, 1);
	CHECK(bar0_rd(COMMON(queue_enable), 2) == 0, "queue size 100 not enabled");
	CHECK(bar0_rd(COMMON(device_status), 1) & VIRTIO_CONFIG_S_NEEDS_RESET, "NEEDS_RESET set");
	CHECK(bar0_rd(0x2000, 1) & 2, "ISR config bit");
	/* Reset returns everything to its initial state. */
	bar0_wr(COMMON(device_status), 1, 0);
	CHECK(bar0_rd(COMMON(device_status), 1) == 0, "status reset");
	bar0_wr(COMMON(queue_select), 2, 1);
	CHECK(bar0_rd(COMMON(queue_enable), 2) == 0, "queue 1 disabled by reset");
	CHECK(bar0_rd(COMMON(queue_msix_vector), 2) == VIRTIO_MSI_NO_VECTOR, "vector reset");
	CHECK(bar0_rd(COMMON(queue_size), 2) == 1024, "size reset");
	CHECK(bar0_rd(COMMON(msix_config), 2) == VIRTIO_MSI_NO_VECTOR, "config vector reset");
}

static void test_bar2(void)
{
	uint64_t v = 0;
	struct tlp t, c;

	CHECK(rc_mem_write(rc, bars[2].base + 0x1000, 8, 0x1122334455667788ull) == 0, "BAR2 write");
	CHECK(rc_mem_read(rc, bars[2].base + 0x1000, 8, &v) == 0 && v == 0x1122334455667788ull,
	      "BAR2 read 0x%llx", (unsigned long long)v);
	CHECK(rc_mem_write(rc, bars[2].base + 0x3ffffffe, 2, 0xbeef) == 0, "BAR2 last bytes");
	CHECK(rc_mem_read(rc, bars[2].base + 0x3ffffffc, 4, &v) == 0 && v == 0xbeef0000,
	      "BAR2 byte enables 0x%llx", (unsigned long long)v);
	/* 8-DW write and read in one TLP. */
	memset(&t, 0, sizeof(t));
	t.hdr[0] = tlp_dw0(TLP_FMT_4DW_DATA, TLP_TYPE_MEM, 8);
	t.hdr[1] = 0x0000ff00 | 0xff;
	t.hdr[2] = (uint32_t)(bars[2].base >> 32);
	t.hdr[3] = (uint32_t)bars[2].base + 0x2000;
	for (int i = 0; i < 8; i++)
		t.data[i] = 0xa0000000u + (uint32_t)i;
	t.ndata = 8;
	CHECK(rc_send(rc, &t, 0, NULL) == 0, "8-DW write");
	t.hdr[0] = tlp_dw0(TLP_FMT_4DW_NODATA, TLP_TYPE_MEM, 8);
	t.hdr[1] = 0x00002a00 | 0xff;
	t.ndata = 0;
	CHECK(rc_send(rc, &t, 1, &c) == 0, "8-DW read");
	CHECK(tlp_cpl_status(&c) == TLP_CPL_SC && tlp_len(&c) == 8 && tlp_cpl_bytes(&c) == 32 &&
	      c.data[7] == 0xa0000007u && c.data[0] == 0xa0000000u, "8-DW read data");

	/* The window is card memory from 1 GiB on (what the guest wrote is there). */
	{
		uint64_t m = 0;

		vtop_ddr_read(WIN_DDR + 0x1000, &m, 8);
		CHECK(m == 0x1122334455667788ull, "BAR2 write in card memory 0x%llx", (unsigned long long)m);
	}

	/* Page states set by pcie_card.S: page 0 unmapped, page 3 read-only. */
	CHECK(rc_mem_write(rc, bars[2].base + 0x10, 4, 0x12345678) == 0, "unmapped write");
	CHECK(rc_mem_read(rc, bars[2].base + 0x10, 4, &v) == 0 && v == 0, "unmapped page reads zeros 0x%llx",
	      (unsigned long long)v);
	{
		uint32_t m = 1;

		vtop_ddr_read(WIN_DDR + 0x10, &m, 4);
		CHECK(m == 0, "unmapped write dropped before card memory 0x%x", m);
	}
	CHECK(rc_mem_read(rc, bars[2].base + 0x3004, 4, &v) == 0 && v == 0x0dd0beef,
	      "read-only page serves the firmware's bytes 0x%llx", (unsigned long long)v);
	CHECK(rc_mem_write(rc, bars[2].base + 0x3004, 4, 0xbad) == 0, "read-only write");
	CHECK(rc_mem_read(rc, bars[2].base + 0x3004, 4, &v) == 0 && v == 0x0dd0beef,
	      "read-only write dropped 0x%llx", (unsigned long long)v);
	CHECK(rc_mem_read(rc, bars[2].base + 0x5000, 4, &v) == 0 && v == 0x5a5a0005,
	      "firmware write seen by the guest 0x%llx", (unsigned long long)v);

	/* Queue 2's notification makes pcie_card.S report DAX.DIRTY[0] twice and
	 * the counters in the tag: pages 1 and 2 were written, page 3's and
	 * page 0's writes dropped, page 0 read once. */
	{
		uint32_t w[5];

		bar0_wr(COMMON(queue_select), 2, 2);
		bar0_wr(COMMON(queue_enable), 2, 1);
		bar0_wr(0x1000 + 4 * 2, 2, 2);
		rc_step(rc, 4000);
		for (int i = 0; i < 5; i++)
			w[i] = (uint32_t)bar0_rd(0x3000 + 4 * i, 4);
		CHECK(w[0] == 0x6, "dirty bits of pages 0..31 0x%x", w[0]);
		CHECK(w[1] == 0, "reading cleared them 0x%x", w[1]);
		CHECK(w[2] == 1 && w[3] == 1 && w[4] == 1, "drops RO %u unmapped %u, zero reads %u", w[2], w[3], w[4]);
	}
}

/* Device Control's MPS field (bits 7:5) through the PCI Express capability. */
static void set_mps(unsigned bytes)
{
	uint32_t ptr = cfg8(0x34);

	for (int guard = 0; ptr && guard < 48; guard++, ptr = cfg8((uint16_t)(ptr + 1))) {
		if (cfg8((uint16_t)ptr) == 0x10) {
			uint32_t devctl = cfg32((uint16_t)(ptr + 8)) & 0xffff;

			rc_cfg_write(rc, (uint16_t)(ptr + 8), 2, (devctl & ~0xe0u) | (bytes == 128 ? 0u : 1u) << 5);
			rc_set_limits(rc, bytes, 512);
			return;
		}
	}
	CHECK(0, "no PCI Express capability");
}

/*
 * BAR2 as a stream: writes of 1..256 bytes and reads of 1..4096 bytes at any
 * byte alignment against a model of 32 KiB of read-write window pages, with
 * MPS 128 and 256 (the rc checks every completion's byte count, lower
 * address, size and split points), the host refusing the card's TLPs at
 * random, many reads in flight at once; then what the window refuses:
 * requests across 4 KiB, writes over MPS, long writes to read-only pages,
 * long reads of unmapped pages.
 */
#define STREAM_OFF 0x40000u		/* window pages 64..71: read-write */
#define STREAM_LEN 0x8000u

static void test_bar2_stream(void)
{
	static uint8_t model[STREAM_LEN], buf[128 * 512], card[STREAM_LEN];
	uint64_t base = bars[2].base + STREAM_OFF, addrs[128];
	uint32_t x = 0x2545f491, err0;
	unsigned bad = 0, i, mps = 256;

#define RND() (x ^= x << 13, x ^= x >> 17, x ^= x << 5, x)
	vtop_ddr_read(WIN_DDR + STREAM_OFF, model, STREAM_LEN);
	for (i = 0; i < 600; i++) {
		unsigned off = RND() % STREAM_LEN, room = 4096 - off % 4096, len;
		int ret;

		if (i == 300) {
			mps = 128;
			set_mps(mps);
			rc_set_tx_stall(rc, 30);
		}
		if (RND() % 2) {
			len = 1 + RND() % mps;
			if (len > room)
				len = room;
			if (len > mps - off % 4)
				len = mps - off % 4;	/* the payload's DWs within MPS */
			for (unsigned k = 0; k < len; k++)
				buf[k] = (uint8_t)RND();
			ret = rc_mem_write_block(rc, base + off, buf, len);
			if (!ret)
				memcpy(model + off, buf, len);
		} else {
			unsigned longest = RND() % 4 ? 300 : 4096;

			len = 1 + RND() % longest;
			if (len > room)
				len = room;
			ret = rc_mem_read_block(rc, base + off, buf, len);
			if (!ret && memcmp(buf, model + off, len))
				ret = -EBADMSG;
		}
		if (ret && bad++ < 5)
			CHECK(0, "BAR2 stream step %u: %s of %u bytes at window offset 0x%x: %d", i,
			      ret == -EBADMSG ? "read data" : "access", len, STREAM_OFF + off, ret);
	}
	CHECK(bad == 0, "BAR2: 600 random writes (1..MPS bytes) and reads (1..4096 bytes), MPS 256 then 128, "
	      "host stalls: %u wrong", bad);
	rc_step(rc, 100);	/* a posted write the card has taken is in memory a few cycles later */
	vtop_ddr_read(WIN_DDR + STREAM_OFF, card, STREAM_LEN);
	for (i = 0; i < STREAM_LEN && card[i] == model[i]; i++)
		;
	CHECK(i == STREAM_LEN, "BAR2 writes are in card memory (first difference at window offset 0x%x)",
	      STREAM_OFF + i);

	/* Back to back: 64 writes of 256 bytes, then 64 reads of 512 bytes all in
	 * flight; MPS 256, still with host stalls. */
	set_mps(256);
	for (i = 0; i < 64; i++)
		addrs[i] = base + (i * 256u) % STREAM_LEN;
	for (i = 0; i < 64 * 256; i++)
		buf[i] = (uint8_t)RND();
	CHECK(rc_mem_write_stream(rc, addrs, 64, 256, buf) == 0, "64 writes of 256 bytes back to back");
	for (i = 0; i < 64; i++)
		memcpy(model + (i * 256u) % STREAM_LEN, buf + i * 256, 256);
	for (i = 0; i < 64; i++)
		addrs[i] = base + 12 + (i * 512u) % (STREAM_LEN - 4096) / 4096 * 4096 + (i % 7) * 64;
	CHECK(rc_mem_read_stream(rc, addrs, 64, 512, buf) == 0, "64 reads of 512 bytes in flight at once");
	for (i = 0, bad = 0; i < 64; i++)
		bad += memcmp(buf + i * 512, model + (addrs[i] - base), 512) != 0;
	CHECK(bad == 0, "in-flight reads return their own data (%u wrong)", bad);
	rc_set_tx_stall(rc, 0);

	/* What the window refuses. */
	err0 = rc_card_errors(rc);
	memset(buf, 0xee, 64);
	{
		struct tlp t, c;
		uint64_t a = base + 4096 - 16;

		/* A read across 4 KiB: CA. A write across it: dropped. */
		memset(&t, 0, sizeof(t));
		t.hdr[0] = tlp_dw0(TLP_FMT_4DW_NODATA, TLP_TYPE_MEM, 8);
		t.hdr[1] = 0x00003100 | 0xff;
		t.hdr[2] = (uint32_t)(a >> 32);
		t.hdr[3] = (uint32_t)a;
		CHECK(rc_send(rc, &t, 1, &c) == 0 && tlp_cpl_status(&c) == TLP_CPL_CA, "BAR2 read across 4 KiB: CA");
		t.hdr[0] = tlp_dw0(TLP_FMT_4DW_DATA, TLP_TYPE_MEM, 8);
		for (int k = 0; k < 8; k++)
			t.data[k] = 0xeeeeeeee;
		t.ndata = 8;
		CHECK(rc_send(rc, &t, 0, NULL) == 0, "BAR2 write across 4 KiB sent");
		/* 65 DWs: over MPS. */
		a = base + 8192;
		t.hdr[0] = tlp_dw0(TLP_FMT_4DW_DATA, TLP_TYPE_MEM, 65);
		t.hdr[3] = (uint32_t)a;
		for (int k = 0; k < 65; k++)
			t.data[k] = 0xeeeeeeee;
		t.ndata = 65;
		CHECK(rc_send(rc, &t, 0, NULL) == 0, "BAR2 write of 65 DWs sent");
	}
	CHECK(rc_mem_read_block(rc, base + 4, card, 4096) == -EINVAL, "the rc refuses its own 4 KiB crossing");
	rc_step(rc, 100);
	vtop_ddr_read(WIN_DDR + STREAM_OFF, card, STREAM_LEN);
	CHECK(!memcmp(card, model, STREAM_LEN), "refused BAR2 writes changed nothing");
	CHECK(rc_card_errors(rc) == err0 + 3, "refused BAR2 requests counted (%u -> %u)", err0, rc_card_errors(rc));
	/* Page 3 is read-only, page 0 unmapped (pcie_card.S). */
	{
		uint8_t before[4096], after[4096], zeros[4096] = { 0 };

		vtop_ddr_read(WIN_DDR + 0x3000, before, 4096);
		CHECK(rc_mem_write_block(rc, bars[2].base + 0x3000 + 100, buf, 200) == 0, "200-byte write to a read-only page");
		rc_step(rc, 100);
		vtop_ddr_read(WIN_DDR + 0x3000, after, 4096);
		CHECK(!memcmp(before, after, 4096), "... dropped");
		CHECK(rc_mem_read_block(rc, bars[2].base + 0x3000, after, 4096) == 0 && !memcmp(before, after, 4096),
		      "4 KiB read of a read-only page");
		CHECK(rc_mem_read_block(rc, bars[2].base + 0x0000 + 36, after, 1000) == 0 && !memcmp(after, zeros, 1000),
		      "1000-byte read of an unmapped page: zeros");
	}
	/* The window keeps the state and dirty words of the last TLP's 32 pages:
	 * a state operation and a dirty read must each refresh them. Page 70
	 * (word 2, like every page above) turns read-only between two writes
	 * to it (queue 3); the dirty bits read (queue 4) are cleared, and the
	 * next write to page 66 sets only its own. */
	{
		uint8_t before[256], after[256];
		uint32_t dirty, again;

		memset(buf, 0x77, 256);
		CHECK(rc_mem_write_block(rc, bars[2].base + 0x46000, buf, 64) == 0, "write to page 70 (read-write)");
		for (unsigned q = 3; q <= 4; q++) {
			bar0_wr(COMMON(queue_select), 2, q);
			bar0_wr(COMMON(queue_enable), 2, 1);
		}
		bar0_wr(0x1000 + 4 * 3, 2, 3);
		rc_step(rc, 4000);
		rc_step(rc, 100);
		vtop_ddr_read(WIN_DDR + 0x46000, before, sizeof(before));
		CHECK(rc_mem_write_block(rc, bars[2].base + 0x46000, buf + 64, 128) == 0, "write to page 70 (now read-only)");
		rc_step(rc, 100);
		vtop_ddr_read(WIN_DDR + 0x46000, after, sizeof(after));
		CHECK(!memcmp(before, after, sizeof(after)), "... dropped: the state operation reached the guest path");
		bar0_wr(0x1000 + 4 * 4, 2, 4);
		rc_step(rc, 4000);
		dirty = (uint32_t)bar0_rd(0x3000 + 20, 4);
		CHECK(dirty & (1u << 6), "page 70 dirty in DIRTY[2] 0x%08x", dirty);
		CHECK(rc_mem_write_block(rc, bars[2].base + 0x42000, buf, 8) == 0, "write to page 66");
		bar0_wr(0x1000 + 4 * 4, 2, 4);
		rc_step(rc, 4000);
		again = (uint32_t)bar0_rd(0x3000 + 20, 4);
		CHECK(again == 1u << 2, "DIRTY[2] after the clear holds page 66 only: 0x%08x", again);
	}
	CHECK(rc_unexpected(rc) == 0, "BAR2 stream: %u unexpected TLPs from the card", rc_unexpected(rc));
#undef RND
}

static void test_malformed(void)
{
	struct tlp t, c;
	uint32_t err0 = rc_card_errors(rc);

	memset(&t, 0, sizeof(t));
	/* Memory read outside every BAR: UR. */
	t.hdr[0] = tlp_dw0(TLP_FMT_3DW_NODATA, TLP_TYPE_MEM, 1);
	t.hdr[1] = 0x00001100 | 0xf;
	t.hdr[2] = 0x10000000;
	CHECK(rc_send(rc, &t, 1, &c) == 0 && tlp_cpl_status(&c) == TLP_CPL_UR, "stray read: UR");
	/* Type 1 configuration, I/O read: UR. */
	t.hdr[0] = tlp_dw0(TLP_FMT_3DW_NODATA, TLP_TYPE_CFG1, 1);
	t.hdr[1] = 0x00001200 | 0xf;
	t.hdr[2] = 0x01000000;
	CHECK(rc_send(rc, &t, 1, &c) == 0 && tlp_cpl_status(&c) == TLP_CPL_UR, "CfgRd1: UR");
	t.hdr[0] = tlp_dw0(TLP_FMT_3DW_NODATA, TLP_TYPE_IO, 1);
	t.hdr[1] = 0x00001300 | 0xf;
	t.hdr[2] = 0x1000;
	CHECK(rc_send(rc, &t, 1, &c) == 0 && tlp_cpl_status(&c) == TLP_CPL_UR, "IO read: UR");
	/* A BAR0 read longer than one beat: CA, no hang. */
	t.hdr[0] = tlp_dw0(TLP_FMT_3DW_NODATA, TLP_TYPE_MEM, 16);
	t.hdr[1] = 0x00001400 | 0xff;
	t.hdr[2] = (uint32_t)bars[0].base;
	CHECK(rc_send(rc, &t, 1, &c) == 0 && tlp_cpl_status(&c) == TLP_CPL_CA, "long BAR0 read: CA");
	/* A poisoned write is dropped. */
	bar0_wr(COMMON(queue_select), 2, 1);
	t.hdr[0] = tlp_dw0(TLP_FMT_3DW_DATA, TLP_TYPE_MEM, 1) | (1u << 14);
	t.hdr[1] = 0x00001500 | 0x3;
	t.hdr[2] = (uint32_t)bars[0].base + COMMON(queue_select);
	t.data[0] = 4;
	t.ndata = 1;
	CHECK(rc_send(rc, &t, 0, NULL) == 0, "poisoned write sent");
	CHECK(bar0_rd(COMMON(queue_select), 2) == 1, "poisoned write ignored");
	/* A write with 16 DWs of payload (two beats) to BAR0 is dropped whole. */
	t.hdr[0] = tlp_dw0(TLP_FMT_3DW_DATA, TLP_TYPE_MEM, 16);
	t.hdr[1] = 0x00001600 | 0xff;
	t.hdr[2] = (uint32_t)bars[0].base + COMMON(queue_select);
	for (int i = 0; i < 16; i++)
		t.data[i] = 3;
	t.ndata = 16;
	CHECK(rc_send(rc, &t, 0, NULL) == 0, "long write sent");
	CHECK(bar0_rd(COMMON(queue_select), 2) == 1, "long write dropped");
	/* A completion nobody asked for, a message: dropped. */
	t.hdr[0] = tlp_dw0(TLP_FMT_3DW_DATA, TLP_TYPE_CPL, 1);
	t.hdr[1] = 4;
	t.hdr[2] = (uint32_t)rc_dev_id(rc) << 16 | 0x7700;
	t.ndata = 1;
	CHECK(rc_send(rc, &t, 0, NULL) == 0, "stray completion sent");
	t.hdr[0] = tlp_dw0(TLP_FMT_3DW_NODATA, TLP_TYPE_MSG, 0) | 0x14;
	t.ndata = 0;
	CHECK(rc_send(rc, &t, 0, NULL) == 0, "message sent");
	CHECK(rc_card_errors(rc) >= err0 + 6, "errors counted (%u -> %u)", err0, rc_card_errors(rc));
	/* Still alive. */
	CHECK(cfg32(0x00) == 0x105a1af4, "device answers after bad input");
	/* Memory space disabled: BAR reads get UR. */
	rc_cfg_write(rc, 0x04, 2, 0x0004);
	{
		uint64_t v;

		CHECK(rc_mem_read(rc, bars[0].base, 4, &v) == -EIO, "BAR0 closed when memory space is off");
	}
	rc_cfg_write(rc, 0x04, 2, 0x0006);
}

/*
 * Random TLPs from the host: any Fmt/Type, length, byte enables, address
 * (inside and outside the BARs), one or two beats of payload. Whatever
 * arrives, the function must keep answering, answer every non-posted request
 * it does not serve with a completion, and send nothing else unasked.
 */
static void test_fuzz(unsigned n)
{
	uint32_t x = 0x9e3779b9;
	unsigned answered = 0, sent_np = 0, sent = 0;
	int failed0 = failed;

	for (unsigned i = 0; i < n; i++) {
		struct tlp t, c;
		unsigned fmt, type, len;
		int np, ret;

#define RND() (x ^= x << 13, x ^= x >> 17, x ^= x << 5, x)
		memset(&t, 0, sizeof(t));
		fmt = RND() % 4;
		switch (RND() % 6) {
		case 0: type = TLP_TYPE_MEM; break;
		case 1: type = TLP_TYPE_CFG0; break;
		case 2: type = TLP_TYPE_CFG1; break;
		case 3: type = TLP_TYPE_IO; break;
		case 4: type = TLP_TYPE_MSG | (RND() % 8); break;
		default: type = RND() % 32; break;
		}
		/* Keep memory writes away from the MSI-X table and queue state the
		 * later checks rely on: writes aim at BAR2 or nowhere. */
		len = 1 + RND() % 12;
		t.hdr[0] = tlp_dw0(fmt, type, len) | (RND() & 0x00f0f000u);
		t.hdr[1] = (RND() & 0xffff00ffu) | (0x80u + i % 64) << 8;
		if (type == TLP_TYPE_MEM && (fmt & 2)) {
			uint64_t a = (RND() % 2) ? bars[2].base + (RND() % 0x100000) * 4 : (uint64_t)RND() << 2;

			t.hdr[0] = tlp_dw0(a >> 32 ? 3 : 2, TLP_TYPE_MEM, len);
			t.hdr[2] = a >> 32 ? (uint32_t)(a >> 32) : (uint32_t)a;
			t.hdr[3] = (uint32_t)a;
		} else if (type == TLP_TYPE_MEM) {
			uint64_t a = (RND() % 2) ? bars[0].base + (RND() % 0x2000) * 4 : (uint64_t)RND() << 2;

			t.hdr[2] = fmt & 1 ? (uint32_t)(a >> 32) : (uint32_t)a;
			t.hdr[3] = (uint32_t)a;
			if ((a & 0x7fff) >= 0x1000 && (a & ~0x7fffull) == bars[0].base)
				t.hdr[2] = 0x10;	/* no reads with side effects (ISR) */
		} else if (type == TLP_TYPE_CFG0 && (fmt & 2)) {
			t.hdr[0] = tlp_dw0(0, TLP_TYPE_CFG0, 1);	/* config writes only as reads */
			t.hdr[2] = (uint32_t)rc_dev_id(rc) << 16 | (RND() & 0x3fc);
		} else {
			t.hdr[2] = RND();
			t.hdr[3] = RND();
		}
		t.ndata = (tlp_fmt(&t) & 2) ? len : 0;
		for (unsigned k = 0; k < t.ndata; k++)
			t.data[k] = RND();
		/* Non-posted: what a completer must answer. */
		type = tlp_type(&t);
		np = !(type >> 3 == 2) && !(type == TLP_TYPE_MEM && (tlp_fmt(&t) & 2)) && type != TLP_TYPE_CPL;
		ret = rc_send(rc, &t, np, &c);
		sent++;
		if (np) {
			sent_np++;
			if (ret == 0 && tlp_cpl_tag(&c) == tlp_req_tag(&t))
				answered++;
		}
		CHECK(ret == 0, "fuzz %u: DW0 %08x DW1 %08x: %s", i, t.hdr[0], t.hdr[1],
		      ret == -ETIMEDOUT ? "no completion / stream stuck" : "error");
		if (ret)
			break;
#undef RND
	}
	/* Coverage: every TLP went out, and both kinds in numbers (the
	 * generator makes about half of them non-posted). */
	printf("fuzz: %u random TLPs sent, %u non-posted (%u answered), %u posted\n", sent, sent_np, answered,
	       sent - sent_np);
	CHECK(sent == n && sent_np >= n / 4 && sent - sent_np >= n / 8,
	      "fuzz coverage: %u of %u TLPs sent, %u non-posted (floor %u), %u posted (floor %u)",
	      sent, n, sent_np, n / 4, sent - sent_np, n / 8);
	CHECK(answered == sent_np, "fuzz: %u of %u non-posted requests answered", answered, sent_np);
	CHECK(cfg32(0x00) == 0x105a1af4, "device answers after %u random TLPs", sent);
	CHECK(rc_unexpected(rc) == 0, "fuzz: %u unexpected TLPs from the card", rc_unexpected(rc));
	{
		char cases[96];

		snprintf(cases, sizeof(cases), "%u random TLPs (%u non-posted, %u posted)", sent, sent_np,
			 sent - sent_np);
		figures_row("tlp-fuzz", failed == failed0, "Random and malformed TLPs into the PCIe function (test-pcie)",
			    cases, "every non-posted one answered (%u), no unexpected TLP, configuration space intact",
			    answered);
	}
}

int main(int argc, char **argv)
{
	struct rc_opts o = { 0 };
	char err[256];

	if (argc != 2) {
		fprintf(stderr, "usage: pcie_test FIRMWARE.elf\n");
		return 2;
	}
	o.firmware = argv[1];
	o.console = stderr;
	o.trace = getenv("PCIE_TEST_TRACE");
	rc = rc_open(&o, err, sizeof(err));
	if (!rc) {
		fprintf(stderr, "pcie_test: %s\n", err);
		return 2;
	}
	/* pcie_card.S first sets the DAX window's page states: the window's reset
	 * sweep and a whole-window state operation, about 25 000 cycles. */
	rc_step(rc, 40000);
	test_enumeration();
	test_capabilities();
	test_clock();
	test_common_cfg();
	test_msix();
	test_intx();
	test_bad_queue_size();
	test_bar2();
	test_bar2_stream();
	test_malformed();
	test_fuzz(3000);
	CHECK(rc_unexpected(rc) == 0, "%u unexpected TLPs from the card", rc_unexpected(rc));
	printf("pcie_test: %llu cycles\n", (unsigned long long)rc_cycles(rc));
	rc_close(rc);
	printf("%d passed, %d failed\n", passed, failed);
	return failed || !passed ? 1 : 0;	/* no check run is no pass */
}
