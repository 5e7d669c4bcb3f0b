/*
 * Firmware for the PCIe function test: answers every queue notification the
 * way the real firmware will once it has served the queue, by raising that
 * queue's used-buffer interrupt. A notification of queue 0 (hiprio) instead
 * changes the tag to "echo" and raises a configuration-change interrupt.
 */
#define VIRTIO_BASE   0x11000000
#define VIRTIO_NOTIFY 0x004
#define VIRTIO_RAISE  0x008
#define VIRTIO_TAG    0x040

	.section .text.init
	.globl _start
_start:
	li s0, VIRTIO_BASE
poll:
	lw s1, VIRTIO_NOTIFY(s0)
	beqz s1, poll
	li s2, 0		/* queue index */
next:
	andi t0, s1, 1
	beqz t0, skip
	bnez s2, raise_queue
	/* queue 0: new tag, configuration change */
	li t1, 0x6f686365	/* "echo" */
	sw t1, VIRTIO_TAG(s0)
	sw zero, VIRTIO_TAG+4(s0)
	li t1, 0x80000000
	sw t1, VIRTIO_RAISE(s0)
	j skip
raise_queue:
	sw s2, VIRTIO_RAISE(s0)
skip:
	srli s1, s1, 1
	addi s2, s2, 1
	bnez s1, next
	j poll

	.section .tohost, "aw"
	.align 3
	.globl tohost
tohost: .dword 0
