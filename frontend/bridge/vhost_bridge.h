/*
 * vhost-user bridge into the RTL simulation (vfpga-sim --socket): a stock
 * guest's QEMU talks vhost-user-fs; the simulated card serves every request.
 */
#ifndef VHOST_BRIDGE_H
#define VHOST_BRIDGE_H

#include "nvme_dev.h"

struct vhost_bridge_opts {
	const char *socket;	/* vhost-user socket to listen on */
	const char *firmware;	/* card firmware ELF */
	struct nvme_dev_opts nvme;	/* the SSD behind the root port (nvme.image NULL: none) */
	const char *console;	/* card UART to this file, "-" = stderr, NULL = dropped */
	const char *stats;	/* device-side figures (JSON) at exit, or NULL */
	const char *profile;	/* PC-sampling profile at exit (frontend/profile.h), or NULL */
	int verbose;
	int no_time;	/* never set the card's clock (a card whose host never did) */
	uint64_t turnaround_ns;	/* host turnaround (../guestq.h), simulated ns */
};

/* Serves one front end; returns the process exit status (0 clean, 1 runtime
 * failure, 2 set-up failure). */
int vhost_bridge_main(const struct vhost_bridge_opts *o);
/* vfpga-sim's command line when --socket is given. */
int vhost_bridge_cli(int argc, char **argv);

#define VHOST_BRIDGE_DEFAULT_FIRMWARE "build/firmware/card.elf"

#endif /* VHOST_BRIDGE_H */
