/* No tohost symbol: ends through SIMCTRL.EXIT (only with --no-tohost). */
#include "common.h"
	.section .text.init
	.globl _start
_start:
	li t0, SIM_EXIT
	li t1, 1
	sw t1, 0(t0)
1:	j 1b
