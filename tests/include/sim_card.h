/*
 * The host tests' simulated card with an SSD: the RTL card and its firmware
 * in the root-complex testbench (world/rc through the driver's transport),
 * the SSD model over an ext4 image behind its root port, enumerated and
 * probed by the project's driver. One set-up for the tests that drive the
 * card's file service through vfsdrv (tests/dax, tests/faults,
 * tests/recover).
 */
#ifndef TESTS_SIM_CARD_H
#define TESTS_SIM_CARD_H

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

#endif /* TESTS_SIM_CARD_H */
