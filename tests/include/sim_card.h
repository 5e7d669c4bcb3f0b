/*
 * The host tests' simulated card with an SSD: the RTL card and its firmware
 * in the root-complex testbench (world/rc through the driver's transport),
 * the SSD model over an ext4 image behind its root port, enumerated and
 * probed by the project's driver. One set-up for the tests that drive the
 * card's file service through vfsdrv (tests/dax, tests/fast, tests/faults,
 * tests/recover), and a guest's accesses to the card's DAX window.
 */
#ifndef TESTS_SIM_CARD_H
#define TESTS_SIM_CARD_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>

#include "nvme_dev.h"
#include "rc.h"
#include "rc_transport.h"
#include "vfsdrv.h"

struct sim_card {
	struct vfs_transport *tr;
	struct rc *rc;
	struct nvme_dev *ssd;
};

/* FIRMWARE on the card (its console to CONSOLE, NULL: dropped), IMAGE in
 * the SSD, the card enumerated and DRV probed. 0, or -1 with the reason in
 * err. */
static inline int sim_card_open(struct sim_card *c, struct vfsdrv *drv, const char *firmware, const char *image,
				FILE *console, char *err, size_t errlen)
{
	struct nvme_dev_opts no;
	int ret;

	c->tr = vfs_transport_sim_open(firmware, console, err, errlen);
	if (!c->tr)
		return -1;
	c->rc = vfs_transport_sim_rc(c->tr);
	nvme_dev_opts_init(&no);
	no.image = image;
	c->ssd = nvme_dev_attach(rc_vtop(c->rc), &no, err, errlen);
	if (!c->ssd)
		return -1;
	if ((ret = c->tr->ops->enumerate(c->tr)) || (ret = vfsdrv_probe(drv, c->tr))) {
		snprintf(err, errlen, "the card did not enumerate (%d)", ret);
		return -1;
	}
	return 0;
}

/* The DAX window as the driver found it: the shared-memory capability's
 * 64-bit BAR as enumerated, plus the capability's offset (0: none). */
static inline uint64_t sim_card_window(const struct sim_card *c, const struct vfsdrv *drv)
{
	uint32_t lo = 0, hi = 0;
	uint16_t at;

	if (!drv->have_shm)
		return 0;
	at = (uint16_t)(0x10 + 4 * drv->shm.bar);
	c->tr->ops->cfg_read(c->tr, at, &lo, 4);
	c->tr->ops->cfg_read(c->tr, (uint16_t)(at + 4), &hi, 4);
	return ((uint64_t)hi << 32 | (lo & ~0xfu)) + drv->shm.offset64;
}

/* A guest's accesses to host address a as a host sends them: writes of up
 * to MPS (256 bytes), reads of up to MRRS (512 bytes), never across 4 KiB.
 * 0, or -EIO. */
static inline size_t sim_card_chunk(uint64_t a, size_t len, size_t max)
{
	size_t room = 4096 - (a & 4095), n = len < room ? len : room;

	if (n > max - (a & 3))
		n = max - (a & 3);
	return n;
}

static inline int sim_card_mem_write(struct rc *rc, uint64_t a, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		size_t n = sim_card_chunk(a, len, 256);

		if (rc_mem_write_block(rc, a, p, (unsigned)n))
			return -EIO;
		p += n;
		a += n;
		len -= n;
	}
	return 0;
}

static inline int sim_card_mem_read(struct rc *rc, uint64_t a, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		size_t n = sim_card_chunk(a, len, 512);

		if (rc_mem_read_block(rc, a, p, (unsigned)n))
			return -EIO;
		p += n;
		a += n;
		len -= n;
	}
	return 0;
}

#endif /* TESTS_SIM_CARD_H */
