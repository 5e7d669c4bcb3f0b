/*
 * The vfsdrv transport to the card in RTL simulation: a root complex of the
 * testbench (world/rc) drives the Verilator model; DMA memory is process
 * memory mapped into the card's view; interrupts are the MSI-X messages the
 * card sends, matched against its table.
 */
#ifndef RC_TRANSPORT_H
#define RC_TRANSPORT_H

#include <stdio.h>

#include "vfsdrv.h"

/* firmware: the card firmware ELF; console: where the card's UART goes (or
 * NULL). Returns NULL with a message in err. */
struct vfs_transport *vfs_transport_sim_open(const char *firmware, FILE *console,
					     char *err, size_t errlen);
struct rc;
/* The root complex underneath (host-memory maps, stepping, MSI capture). */
struct rc *vfs_transport_sim_rc(struct vfs_transport *t);

#endif /* RC_TRANSPORT_H */
