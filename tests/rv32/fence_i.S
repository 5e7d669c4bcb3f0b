/* Self-modifying code: instructions stored through the data port run after
 * FENCE.I, including one written just before it. */
#include "isa.h"

#define ADDI_A0_1 0x00150513	/* addi a0, a0, 1 */
#define ADDI_A0_7 0x00750513	/* addi a0, a0, 7 */
#define RET       0x00008067	/* jalr x0, 0(ra) */

TEST_BEGIN
	li TESTNUM, 1
	la a1, slot
	li a2, ADDI_A0_1
	sw a2, 0(a1)
	li a2, RET
	sw a2, 4(a1)
	fence.i
	li a0, 10
	jalr ra, 0(a1)
	li t6, 11
	bne a0, t6, fail

	li TESTNUM, 2		/* rewrite the same slot; run the new code */
	li a2, ADDI_A0_7
	sw a2, 0(a1)
	fence.i
	li a0, 10
	jalr ra, 0(a1)
	li t6, 17
	bne a0, t6, fail

	li TESTNUM, 3		/* code written right behind the fence.i that follows it */
	la a1, next
	li a2, ADDI_A0_7
	li a0, 1
	sw a2, 0(a1)
	fence.i
next:
	nop			/* replaced by addi a0, a0, 7 */
	li t6, 8
	bne a0, t6, fail
TEST_END

	.text
	.align 2
slot:
	.word 0, 0
