/*
 * mmio.h - 32-bit device register access for the SoC's MMIO windows.
 *
 * Register addresses come from the generated soc_map.h (base + offset);
 * nothing here knows a device address.
 */
#ifndef RT_MMIO_H
#define RT_MMIO_H

#include <stdint.h>

#include "soc_map.h"

static inline uint32_t mmio_read32(uintptr_t addr)
{
	return *(volatile uint32_t *)addr;
}

static inline void mmio_write32(uintptr_t addr, uint32_t val)
{
	*(volatile uint32_t *)addr = val;
}

#endif /* RT_MMIO_H */
