/*
 * The card image's settings, force-included into every source of it (the
 * firmware libraries, firmware/card) by the build. Sized for the card: the
 * DTCM (256 KiB) holds the hot state; the server's tables and the ext4 pools
 * go to card memory (.ddr).
 */
#ifndef CARD_CONFIG_H
#define CARD_CONFIG_H

/* FUSE server (firmware/fuse/fuse_server.h) */
#define FUSE_SRV_MAX_NODES	8192
#define FUSE_SRV_MAX_HANDLES	1024
#define FUSE_SRV_MAX_WRITE	24576	/* DMABUF holds a request and its reply */

/* ext4 (firmware/fs/ext4.h) */
#define EXT4_CACHE_BYTES	(256u << 10)
#define EXT4_MAX_MOUNTS		1
#ifndef EXT4_CRC32C_INSN	/* 0 for a RV32 build run elsewhere (QEMU: tests/nvme) */
#define EXT4_CRC32C_INSN	1	/* the core has crc32c.b/h/w (rtl/cpu/cpu_alu.sv) */
#endif
#define EXT4_MAX_INODE_SIZE	256
#define EXT4_MAX_REVOKE		1024
#define EXT4_JSTAGE_BYTES	(64u << 10)	/* commit/checkpoint staging, in struct vfs
						 * (card memory): 16 blocks of 4 KiB per write */
#define EXT4_ICACHE_SIZE	128	/* in-core inodes, in the DTCM (~15 KiB) */
#define EXT4_DCACHE_SIZE	128	/* cached names, in the DTCM (~7 KiB) */

/* Page cache of file data (firmware/fs/pcache.h): no built-in arena; the
 * card gives it CARD_PCACHE_BYTES of DDR (fs_service.c). */
#define VFS_PCACHE_DEFAULT_BYTES	0
#define CARD_PCACHE_BYTES	(32u << 20)	/* of the 64 MiB DDR region: ~8 100 frames */
/* page moves between the frames and the DAX window (vfs_pcache_set_copy)
 * stay off on the card: with the copy engine bound they measured ~1 700
 * cycles per 4 KiB page in bookkeeping and copies (bench-dax-rtl: a 2 MiB
 * SETUPMAPPING after REMOVEMAPPING took 866k cycles against 257k from the
 * SSD), so fills and big reads go to the SSD */
#define VFS_PCACHE_COPY_IS_CHEAP	0

/* Phase markers for the simulator's per-phase figures (firmware/include/phase.h) */
#define FW_PHASE_MARKS		1

#endif /* CARD_CONFIG_H */
