/*
 * uint32_t rttest_reg_soak(uint32_t iterations)
 *
 * Fills every general register the trap entry must preserve with a known
 * value, spins for `iterations` while interrupts hit it, then checks them.
 * Returns 0 if all survived, else the number of the first register that
 * changed.
 */
	.text
	.globl	rttest_reg_soak
	.type	rttest_reg_soak, @function
	.balign	4
rttest_reg_soak:
	addi	sp, sp, -64
	sw	ra,  0(sp)
	sw	s0,  4(sp)
	sw	s1,  8(sp)
	sw	s2, 12(sp)
	sw	s3, 16(sp)
	sw	s4, 20(sp)
	sw	s5, 24(sp)
	sw	s6, 28(sp)
	sw	s7, 32(sp)
	sw	s8, 36(sp)
	sw	s9, 40(sp)
	sw	s10, 44(sp)
	sw	s11, 48(sp)
	sw	gp, 52(sp)
	sw	tp, 56(sp)

/* value for register n */
#define V(n) (0x5a000000 + (n) * 0x00010203)
	li	x3,  V(3)
	li	x4,  V(4)
	li	x5,  V(5)
	li	x6,  V(6)
	li	x7,  V(7)
	li	x8,  V(8)
	li	x9,  V(9)
	li	x11, V(11)
	li	x12, V(12)
	li	x13, V(13)
	li	x14, V(14)
	li	x15, V(15)
	li	x16, V(16)
	li	x17, V(17)
	li	x18, V(18)
	li	x19, V(19)
	li	x20, V(20)
	li	x21, V(21)
	li	x22, V(22)
	li	x23, V(23)
	li	x24, V(24)
	li	x25, V(25)
	li	x26, V(26)
	li	x27, V(27)
	li	x28, V(28)
	li	x29, V(29)
	li	x30, V(30)
	li	x31, V(31)
	li	x1,  V(1)
1:	addi	x10, x10, -1
	bnez	x10, 1b

	/* x1 is checked first, then used as the scratch register. */
	li	x10, V(1)
	bne	x1, x10, 9f
	li	x10, 3
	li	x1, V(3);  bne x3,  x1, 8f; addi x10, x10, 1
	li	x1, V(4);  bne x4,  x1, 8f; addi x10, x10, 1
	li	x1, V(5);  bne x5,  x1, 8f; addi x10, x10, 1
	li	x1, V(6);  bne x6,  x1, 8f; addi x10, x10, 1
	li	x1, V(7);  bne x7,  x1, 8f; addi x10, x10, 1
	li	x1, V(8);  bne x8,  x1, 8f; addi x10, x10, 1
	li	x1, V(9);  bne x9,  x1, 8f; addi x10, x10, 2
	li	x1, V(11); bne x11, x1, 8f; addi x10, x10, 1
	li	x1, V(12); bne x12, x1, 8f; addi x10, x10, 1
	li	x1, V(13); bne x13, x1, 8f; addi x10, x10, 1
	li	x1, V(14); bne x14, x1, 8f; addi x10, x10, 1
	li	x1, V(15); bne x15, x1, 8f; addi x10, x10, 1
	li	x1, V(16); bne x16, x1, 8f; addi x10, x10, 1
	li	x1, V(17); bne x17, x1, 8f; addi x10, x10, 1
	li	x1, V(18); bne x18, x1, 8f; addi x10, x10, 1
	li	x1, V(19); bne x19, x1, 8f; addi x10, x10, 1
	li	x1, V(20); bne x20, x1, 8f; addi x10, x10, 1
	li	x1, V(21); bne x21, x1, 8f; addi x10, x10, 1
	li	x1, V(22); bne x22, x1, 8f; addi x10, x10, 1
	li	x1, V(23); bne x23, x1, 8f; addi x10, x10, 1
	li	x1, V(24); bne x24, x1, 8f; addi x10, x10, 1
	li	x1, V(25); bne x25, x1, 8f; addi x10, x10, 1
	li	x1, V(26); bne x26, x1, 8f; addi x10, x10, 1
	li	x1, V(27); bne x27, x1, 8f; addi x10, x10, 1
	li	x1, V(28); bne x28, x1, 8f; addi x10, x10, 1
	li	x1, V(29); bne x29, x1, 8f; addi x10, x10, 1
	li	x1, V(30); bne x30, x1, 8f; addi x10, x10, 1
	li	x1, V(31); bne x31, x1, 8f
	li	x10, 0
	j	8f
9:	li	x10, 1
8:
	lw	ra,  0(sp)
	lw	s0,  4(sp)
	lw	s1,  8(sp)
	lw	s2, 12(sp)
	lw	s3, 16(sp)
	lw	s4, 20(sp)
	lw	s5, 24(sp)
	lw	s6, 28(sp)
	lw	s7, 32(sp)
	lw	s8, 36(sp)
	lw	s9, 40(sp)
	lw	s10, 44(sp)
	lw	s11, 48(sp)
	lw	gp, 52(sp)
	lw	tp, 56(sp)
	addi	sp, sp, 64
	ret
	.size	rttest_reg_soak, . - rttest_reg_soak
