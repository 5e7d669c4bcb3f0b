/*
 * console.c - picolibc stdio on the UART.
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
