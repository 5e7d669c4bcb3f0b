#include "common.h"
	.section .text.init
	.globl _start
_start:
	EXIT_TOHOST(5)
	TOHOST_SECTION
