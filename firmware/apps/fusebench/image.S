/*
 * image.S - the ext4 image fusebench serves, made by mke2fs at build time
 * (mk/fuse.mk) and linked into .data, so it is loaded into the DTCM with the
 * program and written in place: the RAM block device of main.c.
 * The assembler finds fusebench.img on its -I path.
 */
	.section .data.fusebench_image, "aw", @progbits
	.balign 64
	.globl	fusebench_image
fusebench_image:
	.incbin	"fusebench.img"
	.globl	fusebench_image_end
fusebench_image_end:
