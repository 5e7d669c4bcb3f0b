/*
 * The firmware-load strap of the simulated card (rtl/sim/sim_card_top.sv
 * reads it through DPI while its reset is held): 0, the default, the
 * testbench loads the firmware through the loader port as before; 1, the
 * card waits for the host to load it through BAR0 (rtl/virtio/vfs_fwload.sv,
 * docs/fw-load.md). One card per process.
 */
#include "sim_strap.h"

static int strap;

void sim_strap_set(int host_load)
{
	strap = host_load ? 1 : 0;
}

/* DPI import of sim_card_top. */
int sim_fw_strap(void);
int sim_fw_strap(void)
{
	return strap;
}
