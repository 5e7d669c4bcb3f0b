/* The QEMU riscv32 virt machine for the NVMe tests: console, exit, time, PCIe. */
#include "qemu_hw.h"

#include <string.h>

#define UART      0x10000000u
#define FINISHER  0x00100000u
#define MTIME     0x0200bff8u		/* CLINT, 10 MHz on virt */
#define ECAM      0x30000000u
#define MMIO_BASE 0x40000000u
#define NVME_CLASS 0x010802u

void putc_(char ch)
{
	volatile uint8_t *u = (volatile uint8_t *)UART;

	while (!(u[5] & 0x20))
		;
	u[0] = (uint8_t)ch;
}

void puts_(const char *s)
{
	while (*s)
		putc_(*s++);
}

void putdec(uint64_t v)
{
	char b[24];
	int n = 0;

	do {
		b[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		putc_(b[--n]);
}

void puthex(uint32_t v, int digits)
{
	while (digits--)
		putc_("0123456789abcdef"[(v >> (4 * digits)) & 0xf]);
}

void qemu_exit(int code)
{
	*(volatile uint32_t *)FINISHER = code ? ((uint32_t)code << 16) | 0x3333u : 0x5555u;
	for (;;)
		;
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
		puts_("nvme: found ");
		puthex(id & 0xffff, 4);
		puts_(":");
		puthex(id >> 16, 4);
		puts_(" at device ");
		putdec(dev);
		puts_(", BAR0 ");
		putdec(~(((uint64_t)hi << 32) | (lo & ~0xfu)) + 1);
		puts_(" bytes\n");
		*cfg(dev, 0x10) = MMIO_BASE;
		*cfg(dev, 0x14) = 0;
		*cfg(dev, 0x04) = (*cfg(dev, 0x04) & 0xffff0000u) | 0x6;	/* memory, bus master */
		return (volatile uint8_t *)(uintptr_t)MMIO_BASE;
	}
	return NULL;
}

