/*
 * Wire format between QEMU's vfpga-pci device (qemu/vfpga-pci.c) and the
 * simulated card (`vfpga-sim --cosim SOCK`, frontend/cosim/cosim.c). The
 * document is docs/cosim-protocol.md; this header is the one definition both
 * sides compile (qemu/build.sh copies it next to the device in QEMU's tree).
 *
 * A message is a 16-byte header and `len` payload bytes, little-endian (both
 * ends run on the same x86 host; the asserts pin the layouts). QEMU sends
 * requests and waits for each reply (one request in flight); the simulator
 * also sends MSI, INTX and ERROR messages whenever the card produces them.
 * A reply carries the request's seq and the request's type | VFC_REPLY.
 *
 * Only standard C headers here: QEMU includes it after its own osdep.h.
 */
#ifndef VFPGA_COSIM_PROTO_H
#define VFPGA_COSIM_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define VFC_VERSION	1u
#define VFC_MAX_PAYLOAD	1024u	/* a larger len is refused and the connection closed */
#define VFC_MAX_REGIONS	16u	/* guest RAM ranges in one MEM_TABLE */
#define VFC_MAX_FDS	8u	/* file descriptors with one MEM_TABLE */
#define VFC_ERROR_TEXT	112u

enum vfc_type {
	/* QEMU -> simulator: requests, each answered by type | VFC_REPLY */
	VFC_HELLO	= 0x0001,	/* vfc_hello -> vfc_hello */
	VFC_CFG_READ	= 0x0002,	/* vfc_cfg -> vfc_value */
	VFC_CFG_WRITE	= 0x0003,	/* vfc_cfg -> vfc_status */
	VFC_MEM_READ	= 0x0004,	/* vfc_mem -> vfc_value */
	VFC_MEM_WRITE	= 0x0005,	/* vfc_mem -> vfc_status */
	VFC_MEM_TABLE	= 0x0006,	/* vfc_mem_table (+ SCM_RIGHTS fds) -> vfc_status */
	/* simulator -> QEMU, unsolicited (seq 0) */
	VFC_MSI		= 0x0101,	/* vfc_msi: the card wrote addr <- data */
	VFC_INTX	= 0x0102,	/* vfc_intx: INTx level changed */
	/* simulator -> QEMU: a request it refused (seq = the request's, or 0) */
	VFC_ERROR	= 0x0103,	/* vfc_error */
};
#define VFC_REPLY	0x8000u

struct vfc_hdr {
	uint16_t type;
	uint16_t flags;		/* 0; anything else is refused */
	uint32_t len;		/* payload bytes after the header */
	uint32_t seq;		/* chosen by the requester, echoed in the reply */
	uint32_t reserved;	/* 0 */
};

/* HELLO: both sides state the protocol version; the reply adds the card's
 * simulated cycle count so far. */
struct vfc_hello {
	uint32_t version;
	uint32_t reserved;
	uint64_t cycles;
};

/* Configuration space access: off < 4096, size 1, 2 or 4. */
struct vfc_cfg {
	uint16_t off;
	uint8_t size;
	uint8_t reserved;
	uint32_t value;		/* CFG_WRITE only; the bytes in the low bits */
};

/* Memory access at the bus address the guest gave the BAR (+ offset):
 * size 1, 2, 4 or 8. bar is informational (logs and statistics). */
struct vfc_mem {
	uint64_t addr;
	uint64_t value;		/* MEM_WRITE only */
	uint8_t size;
	uint8_t bar;
	uint8_t reserved[6];
};

/* Replies. status: 0, or a negative errno: -EIO the card completed with UR
 * or CA, -ETIMEDOUT it did not complete, -EINVAL a bad size or offset. */
struct vfc_status {
	int32_t status;
	uint32_t reserved;
};

struct vfc_value {
	int32_t status;
	uint32_t reserved;
	uint64_t value;		/* the bytes read, in the low bits */
};

/* Guest RAM as the card's DMA sees it: gpa..gpa+size is the file behind
 * fds[fd] at offset. The table replaces the previous one. */
struct vfc_region {
	uint64_t gpa;
	uint64_t size;
	uint64_t offset;
	uint32_t fd;		/* index into the descriptors sent with the message */
	uint32_t reserved;
};

struct vfc_mem_table {
	uint32_t nregions;	/* 0..VFC_MAX_REGIONS; len = 8 + 32 * nregions */
	uint32_t nfds;		/* descriptors sent with this message */
	struct vfc_region r[VFC_MAX_REGIONS];
};

struct vfc_msi {
	uint64_t addr;
	uint32_t data;
	uint32_t reserved;
};

struct vfc_intx {
	uint32_t level;		/* 0 or 1 */
	uint32_t reserved;
};

struct vfc_error {
	int32_t status;		/* negative errno */
	uint16_t type;		/* type of the refused message */
	uint16_t reserved;
	char text[VFC_ERROR_TEXT];	/* NUL-terminated reason */
};

_Static_assert(sizeof(struct vfc_hdr) == 16, "vfc_hdr");
_Static_assert(offsetof(struct vfc_hdr, len) == 4 && offsetof(struct vfc_hdr, seq) == 8, "vfc_hdr fields");
_Static_assert(sizeof(struct vfc_hello) == 16, "vfc_hello");
_Static_assert(sizeof(struct vfc_cfg) == 8 && offsetof(struct vfc_cfg, value) == 4, "vfc_cfg");
_Static_assert(sizeof(struct vfc_mem) == 24 && offsetof(struct vfc_mem, size) == 16, "vfc_mem");
_Static_assert(sizeof(struct vfc_status) == 8, "vfc_status");
_Static_assert(sizeof(struct vfc_value) == 16 && offsetof(struct vfc_value, value) == 8, "vfc_value");
_Static_assert(sizeof(struct vfc_region) == 32 && offsetof(struct vfc_region, fd) == 24, "vfc_region");
_Static_assert(offsetof(struct vfc_mem_table, r) == 8, "vfc_mem_table");
_Static_assert(sizeof(struct vfc_mem_table) == 8 + 32 * VFC_MAX_REGIONS, "vfc_mem_table size");
_Static_assert(sizeof(struct vfc_msi) == 16, "vfc_msi");
_Static_assert(sizeof(struct vfc_intx) == 8, "vfc_intx");
_Static_assert(sizeof(struct vfc_error) == 120 && offsetof(struct vfc_error, text) == 8, "vfc_error");
_Static_assert(sizeof(struct vfc_mem_table) <= VFC_MAX_PAYLOAD, "payload limit");

/* The payload length a message of this type must have; 0 for a type that
 * does not exist (MEM_TABLE: the length for nregions, see vfc_table_len). */
static inline uint32_t vfc_payload_len(uint16_t type)
{
	switch (type) {
	case VFC_HELLO: case VFC_HELLO | VFC_REPLY: return sizeof(struct vfc_hello);
	case VFC_CFG_READ: case VFC_CFG_WRITE: return sizeof(struct vfc_cfg);
	case VFC_MEM_READ: case VFC_MEM_WRITE: return sizeof(struct vfc_mem);
	case VFC_CFG_READ | VFC_REPLY: case VFC_MEM_READ | VFC_REPLY: return sizeof(struct vfc_value);
	case VFC_CFG_WRITE | VFC_REPLY: case VFC_MEM_WRITE | VFC_REPLY:
	case VFC_MEM_TABLE | VFC_REPLY: return sizeof(struct vfc_status);
	case VFC_MSI: return sizeof(struct vfc_msi);
	case VFC_INTX: return sizeof(struct vfc_intx);
	case VFC_ERROR: return sizeof(struct vfc_error);
	default: return 0;
	}
}

static inline uint32_t vfc_table_len(uint32_t nregions)
{
	return (uint32_t)offsetof(struct vfc_mem_table, r) + nregions * (uint32_t)sizeof(struct vfc_region);
}

#endif /* VFPGA_COSIM_PROTO_H */
