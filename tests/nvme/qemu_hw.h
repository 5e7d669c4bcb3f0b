/*
 * QEMU's riscv32 virt machine for the NVMe tests. Programs link against the
 * firmware runtime (crt0, traps, picolibc printf) with qemu_hw.c as its
 * platform part: printf reaches the 16550 UART, a return from main() or
 * exit(n) ends QEMU with status n through the test finisher.
 */
#ifndef QEMU_HW_H
#define QEMU_HW_H

#include <stdint.h>

uint64_t now_us(void);			/* from the CLINT's mtime */
uint64_t bus_addr(const void *p);	/* identity on virt */
/* Finds the NVMe function on bus 0 through ECAM, gives it BAR0, enables
 * memory and bus mastering; returns the register window or NULL. */
volatile uint8_t *find_nvme(void);

#endif
