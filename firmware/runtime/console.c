/*
 * console.c - picolibc stdio and the libc-free print helpers, over the
 * platform's uart_putc.
 *
 * picolibc 1.8 (PICOLIBC_STDIO_GLOBALS) declares stdin/stdout/stderr as
 * `FILE *const` globals that the application defines; one unbuffered
 * write-only stream serves stdout and stderr. There is no console input.
 */
#include <stdio.h>

#include "uart.h"

static int console_put(char c, FILE *f)
{
	(void)f;
	uart_putc(c);
	return (unsigned char)c;
}

static FILE console_file = FDEV_SETUP_STREAM(console_put, NULL, NULL, _FDEV_SETUP_WRITE);

FILE *const stdin = NULL;
FILE *const stdout = &console_file;
FILE *const stderr = &console_file;

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
