/* Helpers for the simulator's own test programs. */
#define UART_TX   0x10000000
#define SIM_EXIT  0x10003000

#define TOHOST_SECTION          \
	.section .tohost, "aw"; \
	.align 3;               \
	.globl tohost;          \
tohost:	.dword 0;               \
	.globl fromhost;        \
fromhost: .dword 0

/* Store (code << 1) | 1 to tohost and spin. */
#define EXIT_TOHOST(code)          \
	li t0, ((code) << 1) | 1;  \
	la t1, tohost;             \
	sw t0, 0(t1);              \
1:	j 1b
