/*
 * uart.h - the console UART. Polled transmit only: the simulator prints
 * every byte written to TXDATA; on a board STATUS.TX_READY paces us.
 * picolibc's stdout/stderr are wired to uart_putc (see console.c), so
 * printf works as soon as main() runs.
 */
#ifndef RT_UART_H
#define RT_UART_H

#include <stddef.h>

#define UART_STATUS_TX_READY (1u << 0)

void uart_putc(char c);                     /* "\n" -> "\r\n" only with -DRT_UART_CRLF */
void uart_puts(const char *s);              /* no newline appended */
void uart_write(const char *buf, size_t len);
void uart_puthex32(unsigned long v);        /* "0x%08lx", libc-free */
void uart_putdec(unsigned long v);          /* "%lu", libc-free */

#endif /* RT_UART_H */
