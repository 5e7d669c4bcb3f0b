/*
 * fusebench's settings, force-included into every source of the image: the
 * FUSE server and ext4 sized so that they and the 128 KiB image (1 KiB
 * blocks) fit the DTCM together.
 */
#ifndef FUSEBENCH_CONFIG_H
#define FUSEBENCH_CONFIG_H

#define FUSE_SRV_MAX_NODES	64
#define FUSE_SRV_MAX_HANDLES	16
#define FUSE_SRV_MAX_WRITE	8192
#define FUSE_SRV_SCRATCH	4096
#define FUSE_SRV_MAX_LOCKS	32
#define FUSE_SRV_MAX_WAITERS	8

#define EXT4_CACHE_BYTES	(32u << 10)
#define EXT4_MAX_MOUNTS		1
#ifndef EXT4_CRC32C_INSN	/* 0 for a RV32 build run elsewhere (QEMU: tests/nvme) */
#define EXT4_CRC32C_INSN	1	/* the core has crc32c.b/h/w (rtl/cpu/cpu_alu.sv) */
#endif
#define EXT4_MAX_INODE_SIZE	256
#define EXT4_MAX_BLOCK_SIZE	1024
#define EXT4_MAX_PENDING_FREE	64
#define EXT4_MAX_REVOKE		32
#define EXT4_SYSZ_MAX		16	/* a 1 MiB image in the DTCM: a handful of ranges */
#define EXT4_ICACHE_SIZE	16	/* in-core inodes */
#define EXT4_DCACHE_SIZE	8	/* cached names */
#define EXT4_JSTAGE_BYTES	(4u << 10)	/* commit staging: 4 blocks of 1 KiB (64 KiB would not fit) */
/* page cache: no room in the DTCM; main.c gives it card memory (DDR) */
#define VFS_PCACHE_DEFAULT_BYTES	0

#endif /* FUSEBENCH_CONFIG_H */
