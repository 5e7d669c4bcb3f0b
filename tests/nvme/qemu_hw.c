/*
 * QEMU's riscv32 virt machine for the NVMe tests: the platform part of the
 * firmware runtime (console on the 16550 UART, exit through the test
 * finisher, nothing to initialise) and the test's hardware (time, PCIe).
 */
#include "qemu_hw.h"

#include <stdio.h>

#include "uart.h"

#define UART      0x10000000u
#define FINISHER  0x00100000u
#define MTIME     0x0200bff8u		/* CLINT, 10 MHz on virt */
#define ECAM      0x30000000u
#define MMIO_BASE 0x40000000u
#define NVME_CLASS 0x010802u

/* The runtime's platform hooks (firmware/runtime/include/rt.h). */
void rt_init(void);
__attribute__((noreturn)) void rt_exit(uint32_t code);

void rt_init(void)
{
}

/* QEMU exits with status code (0: pass). */
void rt_exit(uint32_t code)
{
	*(volatile uint32_t *)FINISHER = code ? (code << 16) | 0x3333u : 0x5555u;
	for (;;)
		;
}

void uart_putc(char ch)
{
	volatile uint8_t *u = (volatile uint8_t *)UART;

	while (!(u[5] & 0x20))
		;
	u[0] = (uint8_t)ch;
}

uint64_t now_us(void)
{
	volatile uint32_t *m = (volatile uint32_t *)MTIME;
	uint32_t hi, lo;

	do {
		hi = m[1];
		lo = m[0];
	} while (hi != m[1]);
	return (((uint64_t)hi << 32) | lo) / 10;
}

uint64_t bus_addr(const void *p) { return (uintptr_t)p; }

static volatile uint32_t *cfg(unsigned dev, unsigned off)
{
	return (volatile uint32_t *)(uintptr_t)(ECAM + (dev << 15) + off);
}

/* Finds the NVMe function on bus 0, gives it BAR0 and turns it on. */
volatile uint8_t *find_nvme(void)
{
	for (unsigned dev = 0; dev < 32; dev++) {
		uint32_t id = *cfg(dev, 0), lo, hi;

		if ((id & 0xffff) == 0xffff || (*cfg(dev, 8) >> 8) != NVME_CLASS)
			continue;
		*cfg(dev, 0x10) = 0xffffffffu;
		*cfg(dev, 0x14) = 0xffffffffu;
		lo = *cfg(dev, 0x10);
		hi = *cfg(dev, 0x14);
		if (!(lo & ~0xfu))
			continue;
		printf("nvme: found %04lx:%04lx at device %u, BAR0 %llu bytes\n", (unsigned long)(id & 0xffff),
		       (unsigned long)(id >> 16), dev, (unsigned long long)(~(((uint64_t)hi << 32) | (lo & ~0xfu)) + 1));
		*cfg(dev, 0x10) = MMIO_BASE;
		*cfg(dev, 0x14) = 0;
		*cfg(dev, 0x04) = (*cfg(dev, 0x04) & 0xffff0000u) | 0x6;	/* memory, bus master */
		return (volatile uint8_t *)(uintptr_t)MMIO_BASE;
	}
	return NULL;
}
