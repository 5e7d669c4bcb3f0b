#include "common.h"
	.section .text.init
	.globl _start
_start:
	EXIT_TOHOST(0)
	TOHOST_SECTION
