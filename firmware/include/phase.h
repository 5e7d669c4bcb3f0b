/*
 * Phase markers: where the card firmware is in a request, for the
 * simulator's per-phase figures (make bench). A mark is one store to
 * SIMCTRL.MARK (a PHASE code from rtl/soc_map.toml and an argument); the
 * simulator stamps it with the cycle it was written in, a board ignores it.
 * Builds without FW_PHASE_MARKS (the host builds, the QEMU tests) compile
 * the marks to nothing.
 */
#ifndef PHASE_H
#define PHASE_H

#include <stdint.h>

#if defined(FW_PHASE_MARKS) && FW_PHASE_MARKS
#include "soc_map.h"

static inline void phase_mark(unsigned phase, uint32_t arg)
{
	*(volatile uint32_t *)(uintptr_t)(SOC_SIMCTRL_BASE + SOC_SIMCTRL_MARK) = phase | arg << 8;
}
#else
#define phase_mark(phase, arg) ((void)0)
#endif

#endif /* PHASE_H */
