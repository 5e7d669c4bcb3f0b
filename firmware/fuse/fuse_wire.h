/*
 * Wire-level facts the FUSE server needs beyond <linux/fuse.h>: the Linux ABI
 * values of open flags, lock types, lseek whence and errno that the guest puts
 * in (and expects back from) requests. On a Linux host they are the libc's own
 * values (checked below); the RV32 build's picolibc numbers some of them
 * differently, so the server never uses the libc's O_* / F_* / E* numbers on
 * the wire.
 */
#ifndef FUSE_WIRE_H
#define FUSE_WIRE_H

#include <linux/fuse.h>
#include <stddef.h>

/* open(2) flags as the Linux guest sends them (asm-generic/fcntl.h). */
#define FUSE_O_ACCMODE		00000003u
#define FUSE_O_RDONLY		00000000u
#define FUSE_O_WRONLY		00000001u
#define FUSE_O_RDWR		00000002u
#define FUSE_O_CREAT		00000100u
#define FUSE_O_EXCL		00000200u
#define FUSE_O_TRUNC		00001000u
#define FUSE_O_APPEND		00002000u
#define FUSE_O_DSYNC		00010000u	/* O_SYNC is __O_SYNC | O_DSYNC */
#define FUSE_O_DIRECT		00040000u

/* fcntl lock types and lseek whence values; a lock's end at OFFSET_MAX
 * reaches to the end of the file, however long it grows. */
#define FUSE_F_RDLCK		0u
#define FUSE_F_WRLCK		1u
#define FUSE_F_UNLCK		2u
#define FUSE_OFFSET_MAX		0x7fffffffffffffffull
#define FUSE_SEEK_DATA		3u
#define FUSE_SEEK_HOLE		4u

/* renameat2(2) flags. */
#define FUSE_RENAME_NOREPLACE	(1u << 0)
#define FUSE_RENAME_EXCHANGE	(1u << 1)
#define FUSE_RENAME_WHITEOUT	(1u << 2)

/* xattr flags and limits. */
#define FUSE_XATTR_CREATE	1u
#define FUSE_XATTR_REPLACE	2u
#define FUSE_XATTR_NAME_MAX	255u
#define FUSE_XATTR_SIZE_MAX	65536u
#define FUSE_XATTR_LIST_MAX	65536u

#define FUSE_NAME_MAX		255u

/* fallocate(2) modes. */
#define FUSE_FALLOC_KEEP_SIZE	0x01u
#define FUSE_FALLOC_PUNCH_HOLE	0x02u
#define FUSE_FALLOC_ZERO_RANGE	0x10u

/* SETUPMAPPING's fh when the guest names no handle (Linux fs/fuse/dax.c
 * fuse_setup_one_mapping() always sends it). */
#define FUSE_DAX_NO_FH		0xffffffffffffffffull

/* Layouts the guest and the server must agree on byte for byte. */
_Static_assert(sizeof(struct fuse_in_header) == 40, "fuse_in_header");
_Static_assert(sizeof(struct fuse_out_header) == 16, "fuse_out_header");
_Static_assert(sizeof(struct fuse_attr) == 88, "fuse_attr");
_Static_assert(sizeof(struct fuse_entry_out) == 128, "fuse_entry_out");
_Static_assert(sizeof(struct fuse_attr_out) == 104, "fuse_attr_out");
_Static_assert(sizeof(struct fuse_init_in) == 64, "fuse_init_in");
_Static_assert(sizeof(struct fuse_init_out) == 64, "fuse_init_out");
_Static_assert(sizeof(struct fuse_setattr_in) == 88, "fuse_setattr_in");
_Static_assert(sizeof(struct fuse_write_in) == 40, "fuse_write_in");
_Static_assert(sizeof(struct fuse_read_in) == 40, "fuse_read_in");
_Static_assert(sizeof(struct fuse_lk_in) == 48, "fuse_lk_in");
_Static_assert(sizeof(struct fuse_lk_out) == 24, "fuse_lk_out");
_Static_assert(offsetof(struct fuse_lk_in, lk_flags) == 40, "fuse_lk_in.lk_flags");
_Static_assert(sizeof(struct fuse_release_in) == 24, "fuse_release_in");
_Static_assert(offsetof(struct fuse_flush_in, lock_owner) == 16, "fuse_flush_in.lock_owner");
_Static_assert(sizeof(struct fuse_interrupt_in) == 8, "fuse_interrupt_in");
_Static_assert(sizeof(struct fuse_write_out) == 8, "fuse_write_out");
_Static_assert(sizeof(struct fuse_dirent) == 24, "fuse_dirent");
_Static_assert(offsetof(struct fuse_direntplus, dirent) == 128, "fuse_direntplus");
_Static_assert(sizeof(struct fuse_copy_file_range_in) == 56, "copy_file_range_in");
_Static_assert(sizeof(struct fuse_kstatfs) == 80, "fuse_kstatfs");
_Static_assert(offsetof(struct fuse_init_out, map_alignment) == 30, "fuse_init_out.map_alignment");
_Static_assert(sizeof(struct fuse_setupmapping_in) == 40, "fuse_setupmapping_in");
_Static_assert(offsetof(struct fuse_setupmapping_in, moffset) == 32, "fuse_setupmapping_in.moffset");
_Static_assert(sizeof(struct fuse_removemapping_in) == 4, "fuse_removemapping_in");
_Static_assert(sizeof(struct fuse_removemapping_one) == 16, "fuse_removemapping_one");
_Static_assert(sizeof(struct fuse_fallocate_in) == 32, "fuse_fallocate_in");

/* Local errno -> Linux errno (identity on a Linux host). */
int fuse_wire_errno(int err);

#endif /* FUSE_WIRE_H */
