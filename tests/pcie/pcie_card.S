/*
 * Firmware for the PCIe function test: answers every queue notification the
 * way the real firmware will once it has served the queue, by raising that
 * queue's used-buffer interrupt. A notification of queue 0 (hiprio) instead
 * changes the tag to "echo" and raises a configuration-change interrupt.
 *
 * At boot it sets the DAX window's page states the BAR2 checks expect: every
 * page read-write, then page 0 unmapped and page 3 read-only; it writes the
 * words the test reads back through the window's card memory at 0x3004 (page
 * 3, read-only) and 0x5000 (page 5), and after a notification of queue 2 it
 * reports DAX.DIRTY[0] (read and cleared) and the drop counters in SIMCTRL
 * scratch and in the tag (see pcie_host.c, test_bar2).
 */
#define DAX_BASE      0x11020000
#define DAX_PAGES     0x000
#define DAX_ST_FIRST  0x004
#define DAX_ST_COUNT  0x008
#define DAX_ST_CMD    0x00c
#define DAX_STATUS    0x010
#define DAX_DROP_RO   0x014
#define DAX_DROP_UNMAPPED 0x018
#define DAX_ZERO_READS 0x01c
#define DAX_DIRTY     0x1000
#define DAXWIN_BASE   0xc0000000
#define VIRTIO_BASE   0x11000000
#define VIRTIO_NOTIFY 0x004
#define VIRTIO_RAISE  0x008
#define VIRTIO_TAG    0x040

	.section .text.init
	.globl _start
_start:
	li s0, VIRTIO_BASE
	li s3, DAX_BASE
	li s4, DAX_BASE + DAX_DIRTY
	lw t0, DAX_PAGES(s3)
	sw zero, DAX_ST_FIRST(s3)
	sw t0, DAX_ST_COUNT(s3)
	li t1, 3
	sw t1, DAX_ST_CMD(s3)
	li t0, 1
	sw t0, DAX_ST_COUNT(s3)
	sw zero, DAX_ST_CMD(s3)		/* page 0: unmapped (waits for the first operation) */
	li t0, 3
	sw t0, DAX_ST_FIRST(s3)
	li t1, 1
	sw t1, DAX_ST_CMD(s3)		/* page 3: read-only */
	li t2, DAXWIN_BASE
	li t1, 0x0dd0beef
	li t3, 0x3004
	add t3, t3, t2
	sw t1, 0(t3)
	li t1, 0x5a5a0005
	li t3, 0x5000
	add t3, t3, t2
	sw t1, 0(t3)
busy:
	lw t0, DAX_STATUS(s3)
	bnez t0, busy
	lw zero, 0(s4)		/* firmware writes set no dirty bit; start clean */
poll:
	lw s1, VIRTIO_NOTIFY(s0)
	beqz s1, poll
	li s2, 0		/* queue index */
next:
	andi t0, s1, 1
	beqz t0, skip
	li t0, 2
	bne s2, t0, not_dax
	/* queue 2: DAX report in the tag (DIRTY[0], DIRTY[0] again, counters) */
	lw t1, 0(s4)
	sw t1, VIRTIO_TAG(s0)
	lw t1, 0(s4)
	sw t1, VIRTIO_TAG+4(s0)
	lw t1, DAX_DROP_RO(s3)
	sw t1, VIRTIO_TAG+8(s0)
	lw t1, DAX_DROP_UNMAPPED(s3)
	sw t1, VIRTIO_TAG+12(s0)
	lw t1, DAX_ZERO_READS(s3)
	sw t1, VIRTIO_TAG+16(s0)
	j skip
not_dax:
	li t0, 3
	bltu s2, t0, not_ro
	/* queue 3: page 70 read-only; queue 4: DIRTY[2] (pages 64..95, read
	 * and cleared) in the tag at +20 */
	li t0, 4
	beq s2, t0, dirty2
	li t0, 70
	sw t0, DAX_ST_FIRST(s3)
	li t0, 1
	sw t0, DAX_ST_COUNT(s3)
	sw t0, DAX_ST_CMD(s3)
ro_busy:
	lw t0, DAX_STATUS(s3)
	bnez t0, ro_busy
	j skip
dirty2:
	lw t1, 8(s4)
	sw t1, VIRTIO_TAG+20(s0)
	j skip
not_ro:
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
