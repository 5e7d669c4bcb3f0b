/*
 * vfsload: the host's side of the card's firmware load window (BAR0 0x7000,
 * registers FWLOAD in rtl/soc_map.toml, contract docs/fw-load.md). Reads an
 * RV32 ELF linked for the card, writes its PT_LOAD segments into the TCMs
 * word by word while the card holds its core, checks the card's count and
 * CRC-32 of what it took, and starts the core. The window is open only when
 * the card's strap asked for a host load at its last reset, and closes for
 * good once the core runs.
 */
#ifndef VFSLOAD_H
#define VFSLOAD_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vfsdrv.h"

#define VFSLOAD_BAR0_OFF 0x7000u	/* the window in BAR0 (pcie_pkg::BAR0_FWLOAD) */
#define VFSLOAD_MAX_SEGS 16

struct vfsload_seg {
	uint32_t addr, filesz, memsz;
	const uint8_t *data;
};

struct vfsload_image {
	uint8_t *file;
	size_t size;
	uint32_t entry;
	int nsegs;
	struct vfsload_seg segs[VFSLOAD_MAX_SEGS];	/* with file bytes, to write */
	uint32_t words;		/* words they make */
};

/* Reads and checks path: a little-endian ELF32 RISC-V executable whose
 * segments with file bytes lie word-aligned inside the ITCM or the DTCM
 * (the window writes nothing else; segments without file bytes, .bss or
 * .ddr, are the start-up code's). 0, or -1 with the reason in err. */
int vfsload_read(const char *path, struct vfsload_image *img, char *err, size_t errlen);
void vfsload_free(struct vfsload_image *img);

/* The window's registers as the card shows them. */
struct vfsload_state {
	uint32_t status, addr, words, crc, refused;
};
int vfsload_state(struct vfs_transport *t, struct vfsload_state *s);

/* Loads img and starts the core. 0; -EPERM the window is closed (the card
 * booted from its ROM, or firmware already runs: err says which); -EIO the
 * card's word count, CRC or refusal count disagrees (the core is not
 * started); or the transport's error. log: progress, or NULL. */
int vfsload_run(struct vfs_transport *t, const struct vfsload_image *img, FILE *log,
		char *err, size_t errlen);

/* CRC-32 (IEEE 802.3, as zlib's crc32) continued over len bytes. */
uint32_t vfsload_crc32(uint32_t crc, const void *buf, size_t len);

#endif /* VFSLOAD_H */
