/*
 * rt.h - the vfpga firmware runtime: start-up, console, traps, timer and
 * the simulator's exit convention. Include this one header.
 */
#ifndef RT_RT_H
#define RT_RT_H

#include <stdint.h>

#include "csr.h"
#include "mmio.h"
#include "timer.h"
#include "trap.h"
#include "uart.h"

/*
 * Stop the program: stores (code << 1) | 1 to `tohost`, which ends the
 * simulation (code 0 = pass). On hardware without a host it parks the core.
 * picolibc's exit() and a return from main() both end up here.
 */
__attribute__((noreturn)) void rt_exit(uint32_t code);

/* The words the simulator watches (linker section .tohost). */
extern volatile uint32_t tohost[2];
extern volatile uint32_t fromhost[2];

/* Linker-script symbols, for programs that want to know the layout. */
extern char __text_start[], __text_end[];
extern char __data_start[], __bss_start[], __bss_end[];
extern char __heap_start[], __heap_end[];
extern char __stack_bottom[], __stack_top[];
extern char __trap_stack_bottom[], __trap_stack_top[];

#endif /* RT_RT_H */
