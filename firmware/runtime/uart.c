/*
 * uart.c - polled console output on the SoC UART: the card's console device.
 * With rt.c (start-up and exit convention) and timer.c it is the SoC's part
 * of the runtime; another platform supplies its own uart_putc, rt_init and
 * rt_exit (tests/nvme/qemu_hw.c: QEMU virt).
 */
#include "uart.h"
#include "mmio.h"

#define UART_TXDATA (SOC_UART_BASE + SOC_UART_TXDATA)
#define UART_STATUS (SOC_UART_BASE + SOC_UART_STATUS)

static void uart_tx(char c)
{
	while (!(mmio_read32(UART_STATUS) & UART_STATUS_TX_READY))
		;
	mmio_write32(UART_TXDATA, (unsigned char)c);
}

void uart_putc(char c)
{
	/* Terminals want CR LF; the simulator's stdout wants plain LF. */
#ifdef RT_UART_CRLF
	if (c == '\n')
		uart_tx('\r');
#endif
	uart_tx(c);
}
