/* 300 KiB of code cannot fit the 256 KiB ITCM. */
#include "common.h"
	.section .text.init
	.globl _start
_start:
	EXIT_TOHOST(0)
	.space 300 * 1024
	TOHOST_SECTION
