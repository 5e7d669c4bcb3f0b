/* uart.c - polled console output on the SoC UART. */
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

void uart_write(const char *buf, size_t len)
{
	while (len--)
		uart_putc(*buf++);
}

void uart_puts(const char *s)
{
	while (*s)
		uart_putc(*s++);
}

void uart_puthex32(unsigned long v)
{
	static const char digits[] = "0123456789abcdef";

	uart_putc('0');
	uart_putc('x');
	for (int shift = 28; shift >= 0; shift -= 4)
		uart_putc(digits[(v >> shift) & 0xf]);
}

void uart_putdec(unsigned long v)
{
	char buf[10];
	int n = 0;

	do {
		buf[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		uart_putc(buf[--n]);
}
