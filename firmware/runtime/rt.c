/* rt.c - the SoC's runtime initialisation and the simulator exit convention (tohost). */
#include "rt.h"

/* Called by crt0 before constructors and main(). */
void rt_init(void);

void rt_init(void)
{
	/* A cleared mtimecmp would leave MTIP pending from the first cycle. */
	timer_set_cmp(UINT64_MAX);
	mmio_write32(SOC_INTC_BASE + SOC_INTC_ENABLE, 0);
	mmio_write32(SOC_TIMER_BASE + SOC_TIMER_MSIP, 0);
}

void rt_exit(uint32_t code)
{
	irq_disable();
	/* The simulator ends on a store of (code << 1) | 1 to tohost's low word. */
	tohost[1] = 0;
	tohost[0] = (code << 1) | 1;
	for (;;)
		;
}
