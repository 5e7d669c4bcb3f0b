/* The QEMU riscv32 virt machine for the NVMe tests: console, exit, time, PCIe. */
#ifndef QEMU_HW_H
#define QEMU_HW_H

#include <stdint.h>

void putc_(char ch);
void puts_(const char *s);
void putdec(uint64_t v);
void puthex(uint32_t v, int digits);
void qemu_exit(int code);		/* through the test finisher: 0 passes */
uint64_t now_us(void);			/* from the CLINT's mtime */
uint64_t bus_addr(const void *p);	/* identity on virt */
/* Finds the NVMe function on bus 0 through ECAM, gives it BAR0, enables
 * memory and bus mastering; returns the register window or NULL. */
volatile uint8_t *find_nvme(void);

#endif
