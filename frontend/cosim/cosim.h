/*
 * Co-simulation with QEMU: `vfpga-sim --cosim SOCK`. QEMU's vfpga-pci device
 * (qemu/vfpga-pci.c) forwards the guest's configuration and BAR accesses to
 * the simulated card; the card's DMA reaches guest RAM (a shared memfd mapped
 * into the root-complex model); its MSI-X writes and INTx go back to QEMU.
 * Protocol: include/cosim_proto.h, docs/cosim-protocol.md.
 */
#ifndef COSIM_H
#define COSIM_H

#include <stdint.h>

#include "nvme_dev.h"

struct cosim_opts {
	const char *socket;	/* path to listen on */
	const char *firmware;	/* card firmware ELF */
	struct nvme_dev_opts nvme;	/* the SSD (nvme.image NULL: none) */
	const char *console;	/* card UART to this file, "-" = stderr, NULL = dropped */
	unsigned long long tail;	/* cycles stepped after the last activity (0: automatic) */
	int verbose;		/* log every access */
	const char *stats;	/* --stats: figures as JSON at the end (NULL: none) */
	const char *profile;	/* --profile: PC samples per FUSE opcode (NULL: none) */
	uint64_t turnaround_ns;	/* --host-turnaround (../guestq.h), simulated ns */
};

/* Serves one QEMU; returns the exit status (0 it disconnected, 1 runtime or
 * protocol failure, 2 set-up failure). */
int cosim_main(const struct cosim_opts *o);
/* vfpga-sim's command line when --cosim is given. */
int cosim_cli(int argc, char **argv);

#define COSIM_DEFAULT_FIRMWARE "build/firmware/card.elf"
/* The tail when it is automatic: short once the firmware gives its
 * SIMCTRL.BUSY hint (it says itself when it serves a request), long for a
 * firmware that never does. */
#define COSIM_HINT_TAIL 4096ull
#define COSIM_DEFAULT_TAIL 1000000ull

#endif /* COSIM_H */
