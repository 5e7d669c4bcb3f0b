/*
 * The firmware load window (rtl/virtio/vfs_fwload.sv, docs/fw-load.md) under
 * the root-complex testbench, through the driver library the host uses
 * (driver/vfsload.c over world/rc/rc_transport.c):
 *  - a card reset with the strap set: the window is open, the core held;
 *  - bad writes while open refused and counted (outside the TCMs, partial,
 *    a wrong GO key, an unknown offset), a good word taken with its CRC;
 *  - the card firmware loaded and started; FUSE_INIT answered;
 *  - once it runs, a guest's writes (the whole ITCM overwritten with zeros,
 *    GO again) refused and counted, the firmware still answering;
 *  - a virtio reset and an FLR request do not reopen the window;
 *  - a card reset with the strap clear: the window stays shut (the firmware
 *    already in the TCMs runs); with the strap set: open again, and a second
 *    load works.
 * usage: fwload_test CARD.ELF
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/virtio_config.h>

#include "check.h"
#include "rc.h"
#include "rc_transport.h"
#include "sim_strap.h"
#include "soc_map.h"
#include "vfsdrv.h"
#include "vfsload.h"
#include "vtop.h"

static int passed, failed;
static struct vfs_transport *t;
static struct rc *rc;

/* A firmware that answers does so within a few thousand cycles; one the
 * window let a guest overwrite never does. The driver's wait (2 s of
 * simulated time: 500 M cycles of a core that never sleeps) is cut to
 * 40 ms here, so a broken window fails in seconds rather than hours. */
#define REPLY_WAIT_MS 40
static struct vfs_transport_ops ops;
static int (*wait_irq_driver)(struct vfs_transport *t, int vector, int timeout_ms);

static int wait_irq_short(struct vfs_transport *tr, int vector, int timeout_ms)
{
	return wait_irq_driver(tr, vector, timeout_ms < REPLY_WAIT_MS ? timeout_ms : REPLY_WAIT_MS);
}

#define ST(f) SOC_FIELD_GET(SOC_FWLOAD_STATUS_##f, s.status)

static struct vfsload_state state(void)
{
	struct vfsload_state s;
	int ret = vfsload_state(t, &s);

	CHECK(ret == 0, "reading the window: %d", ret);
	return s;
}

static void wr(uint32_t reg, uint32_t v, size_t len)
{
	int ret = t->ops->bar_write(t, 0, VFSLOAD_BAR0_OFF + reg, &v, len);

	/* counted only when it fails: thousands of them */
	if (ret) {
		failed++;
		printf("FAIL BAR0 write 0x%x: %d\n", VFSLOAD_BAR0_OFF + reg, ret);
	}
}

/* The driver's handshake and FUSE_INIT: the firmware answers. */
static void fuse_init_answered(const char *when)
{
	struct vfsdrv d;
	struct fuse_init_out io;
	int ret = vfsdrv_probe(&d, t);

	CHECK(ret == 0, "%s: probe: %d", when, ret);
	if (ret)
		return;
	ret = vfsdrv_start(&d, 2, 64);
	CHECK(ret == 0, "%s: device start: %d", when, ret);
	if (ret)
		return;
	memset(&io, 0, sizeof(io));
	ret = vfsdrv_fuse_init(&d, &io);
	CHECK(ret == 0 && io.major == 7 && io.minor == 38, "%s: FUSE_INIT: %d, %u.%u", when, ret,
	      io.major, io.minor);
	/* the driver's reset (device status 0): a virtio reset */
	vfsdrv_stop(&d);
	CHECK(vfsdrv_status(&d) == 0, "%s: device status after the reset", when);
}

/* The card's own reset (a board's CPU_RESET button or power-on) with the
 * strap as given; the host enumerates it again. */
static void card_reset(int strap)
{
	struct rc_bar bars[6];

	sim_strap_set(strap);
	vtop_set_reset(rc_vtop(rc), 1);
	for (int i = 0; i < 8; i++)
		vtop_clock(rc_vtop(rc));
	vtop_set_reset(rc_vtop(rc), 0);
	sim_strap_set(0);
	CHECK(rc_enumerate(rc, bars) == 0, "enumeration after the card's reset");
}

static void load(const struct vfsload_image *img, const char *when)
{
	char err[256];
	int ret = vfsload_run(t, img, NULL, err, sizeof(err));

	CHECK(ret == 0, "%s: load: %s", when, ret ? err : "");
}

int main(int argc, char **argv)
{
	struct vfsload_image img;
	struct vfsload_state s, s0;
	char err[256];
	uint32_t w = 0xdeadbeefu, cap, devctl;
	int ret;

	if (argc != 2) {
		fprintf(stderr, "usage: fwload_test CARD.ELF\n");
		return 2;
	}
	if (vfsload_read(argv[1], &img, err, sizeof(err))) {
		fprintf(stderr, "fwload_test: %s\n", err);
		return 2;
	}
	t = vfs_transport_lookup("sim-load")(NULL, NULL, err, sizeof(err));
	if (!t) {
		fprintf(stderr, "fwload_test: %s\n", err);
		return 2;
	}
	rc = vfs_transport_sim_rc(t);
	ops = *t->ops;
	wait_irq_driver = ops.wait_irq;
	ops.wait_irq = wait_irq_short;
	t->ops = &ops;
	CHECK(t->ops->enumerate(t) == 0, "enumeration");

	/* Open, core held: no store in 20 000 cycles. */
	s = state();
	CHECK(ST(MODE) && ST(OPEN) && !ST(RUNNING), "open after reset with the strap: status 0x%x", s.status);
	CHECK(s.words == 0 && s.crc == 0 && s.refused == 0, "counters after reset: %u %08x %u", s.words,
	      s.crc, s.refused);
	rc_step(rc, 20000);
	CHECK(rc_core_store_moves(rc) == 0, "the core is held: %llu stores",
	      (unsigned long long)rc_core_store_moves(rc));

	/* Bad writes while open. */
	wr(SOC_FWLOAD_ADDR, SOC_DDR_BASE, 4);
	wr(SOC_FWLOAD_DATA, w, 4);
	s = state();
	CHECK(s.refused == 1 && s.words == 0 && s.addr == SOC_DDR_BASE, "DATA outside the TCMs refused: %u %u",
	      s.refused, s.words);
	wr(SOC_FWLOAD_ADDR, SOC_ITCM_BASE + 0x1001, 4);
	s = state();
	CHECK(s.addr == SOC_ITCM_BASE + 0x1000, "ADDR word-aligned: 0x%08x", s.addr);
	wr(SOC_FWLOAD_DATA, w, 2);
	wr(SOC_FWLOAD_GO, 0x12345678u, 4);
	wr(0x20, 1, 4);
	s = state();
	CHECK(s.refused == 4 && s.words == 0 && ST(OPEN) && !ST(RUNNING),
	      "partial DATA, wrong GO key, unknown offset refused: %u, status 0x%x", s.refused, s.status);
	wr(SOC_FWLOAD_DATA, w, 4);
	s = state();
	CHECK(s.words == 1 && s.addr == SOC_ITCM_BASE + 0x1004 && s.crc == vfsload_crc32(0, &w, 4),
	      "a word taken: %u, 0x%08x, CRC %08x", s.words, s.addr, s.crc);

	/* The firmware: loaded, started, answering. */
	load(&img, "first load");
	s = state();
	CHECK(!ST(OPEN) && ST(RUNNING) && s.words == img.words + 1 && s.refused == 4,
	      "running after GO: status 0x%x, %u words, %u refused", s.status, s.words, s.refused);
	rc_step(rc, 20000);
	fuse_init_answered("after the load");

	/* A guest's writes once the firmware runs: the whole text zeroed, GO. */
	s0 = state();
	wr(SOC_FWLOAD_ADDR, SOC_ITCM_BASE, 4);
	for (uint32_t i = 0; i < img.segs[0].filesz / 4; i++)
		wr(SOC_FWLOAD_DATA, 0, 4);
	wr(SOC_FWLOAD_GO, SOC_FWLOAD_KEY_GO, 4);
	s = state();
	CHECK(s.refused == s0.refused + img.segs[0].filesz / 4 + 2 && s.words == s0.words &&
	      s.addr == s0.addr && s.crc == s0.crc && s.status == s0.status,
	      "writes after GO refused: %u -> %u, words %u -> %u, addr %08x -> %08x", s0.refused,
	      s.refused, s0.words, s.words, s0.addr, s.addr);
	fuse_init_answered("after the refused writes");	/* also a virtio reset */
	s = state();
	CHECK(!ST(OPEN) && ST(RUNNING), "a virtio reset does not reopen: status 0x%x", s.status);

	/* FLR: the function does not offer it (Device Capabilities bit 28);
	 * a driver asking anyway (Device Control bit 15) changes nothing. */
	ret = rc_cfg_read(rc, 0x34, 1, &cap);
	CHECK(ret == 0, "capability pointer");
	while (cap && !ret) {
		uint32_t hdr;

		ret = rc_cfg_read(rc, (uint16_t)cap, 4, &hdr);
		if ((hdr & 0xff) == 0x10)
			break;
		cap = (hdr >> 8) & 0xfc;
	}
	CHECK(cap && !ret, "PCI Express capability found");
	rc_cfg_read(rc, (uint16_t)(cap + 4), 4, &devctl);
	CHECK(!(devctl & (1u << 28)), "no FLR offered: DevCap 0x%08x", devctl);
	rc_cfg_read(rc, (uint16_t)(cap + 8), 2, &devctl);
	rc_cfg_write(rc, (uint16_t)(cap + 8), 2, devctl | 0x8000u);
	rc_step(rc, 1000);
	s0 = state();
	wr(SOC_FWLOAD_DATA, 0, 4);
	s = state();
	CHECK(!ST(OPEN) && ST(RUNNING) && s.refused == s0.refused + 1 && s.words == s0.words,
	      "an FLR request does not reopen: status 0x%x", s.status);
	fuse_init_answered("after the FLR request");

	/* The card's reset with the strap clear: shut (ROM boot). */
	card_reset(0);
	s = state();
	CHECK(!ST(MODE) && !ST(OPEN) && !ST(RUNNING) && s.words == 0 && s.refused == 0,
	      "card reset, strap clear: status 0x%x", s.status);
	wr(SOC_FWLOAD_ADDR, SOC_ITCM_BASE, 4);
	wr(SOC_FWLOAD_DATA, 0, 4);
	wr(SOC_FWLOAD_GO, SOC_FWLOAD_KEY_GO, 4);
	s = state();
	CHECK(s.refused == 3 && s.words == 0 && !ST(OPEN), "strap clear: writes refused (%u)", s.refused);
	rc_step(rc, 20000);
	fuse_init_answered("strap clear: the firmware in the TCMs");

	/* With the strap set: open again; a second load works. */
	card_reset(1);
	s = state();
	CHECK(ST(MODE) && ST(OPEN) && !ST(RUNNING) && s.words == 0, "card reset, strap set: open (0x%x)",
	      s.status);
	load(&img, "second load");
	s = state();
	CHECK(ST(RUNNING) && s.words == img.words, "second load: %u words", s.words);
	rc_step(rc, 20000);
	fuse_init_answered("after the second load");

	fprintf(stderr, "fwload_test: %u words a load, %llu simulated cycles\n", img.words,
		t->ops->cycles(t));
	t->ops->close(t);
	vfsload_free(&img);
	printf("%d passed, %d failed\n", passed, failed);
	return failed || !passed ? 1 : 0;
}
