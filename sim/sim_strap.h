/*
 * The simulated card's firmware-load strap (a DIP switch on a board), read
 * while the card is in reset: set it before vtop_new() or before the next
 * reset. host_load 1: the core waits for the host's load through BAR0 0x7000
 * (docs/fw-load.md); 0 (the default): the testbench loads the firmware.
 */
#ifndef SIM_STRAP_H
#define SIM_STRAP_H

void sim_strap_set(int host_load);

#endif /* SIM_STRAP_H */
