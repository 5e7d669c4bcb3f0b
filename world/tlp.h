/*
 * TLP headers as the card's generic TLP stream carries them: each header DW an
 * integer with the fields where the PCIe Base Specification's figures put
 * them (docs/pcie-function.md).
 */
#ifndef TLP_H
#define TLP_H

#include <stdint.h>

#define TLP_FMT_3DW_NODATA 0u
#define TLP_FMT_4DW_NODATA 1u
#define TLP_FMT_3DW_DATA   2u
#define TLP_FMT_4DW_DATA   3u

#define TLP_TYPE_MEM  0x00u
#define TLP_TYPE_IO   0x02u
#define TLP_TYPE_CFG0 0x04u
#define TLP_TYPE_CFG1 0x05u
#define TLP_TYPE_CPL  0x0au
#define TLP_TYPE_MSG  0x10u	/* routed to root complex */

#define TLP_CPL_SC 0u
#define TLP_CPL_UR 1u
#define TLP_CPL_CA 4u

#define TLP_MAX_DWS 1024

struct tlp {
	uint32_t hdr[4];
	uint32_t data[TLP_MAX_DWS];
	unsigned ndata;		/* payload DWs carried */
};

static inline uint32_t tlp_dw0(unsigned fmt, unsigned type, unsigned len)
{
	return (fmt & 7u) << 29 | (type & 0x1fu) << 24 | (len & 0x3ffu);
}

static inline unsigned tlp_fmt(const struct tlp *t) { return t->hdr[0] >> 29; }
static inline unsigned tlp_type(const struct tlp *t) { return (t->hdr[0] >> 24) & 0x1f; }
static inline unsigned tlp_len(const struct tlp *t)
{
	unsigned l = t->hdr[0] & 0x3ff;
	return l ? l : 1024;
}
static inline int tlp_has_data(const struct tlp *t) { return (tlp_fmt(t) & 2u) != 0; }

/* Completion fields */
static inline unsigned tlp_cpl_status(const struct tlp *t) { return (t->hdr[1] >> 13) & 7u; }
static inline unsigned tlp_cpl_bytes(const struct tlp *t) { return t->hdr[1] & 0xfff; }
static inline unsigned tlp_cpl_tag(const struct tlp *t) { return (t->hdr[2] >> 8) & 0xff; }
static inline unsigned tlp_cpl_lower(const struct tlp *t) { return t->hdr[2] & 0x7f; }
static inline unsigned tlp_cpl_completer(const struct tlp *t) { return t->hdr[1] >> 16; }

/* Request fields */
static inline unsigned tlp_req_id(const struct tlp *t) { return t->hdr[1] >> 16; }
static inline unsigned tlp_req_tag(const struct tlp *t) { return (t->hdr[1] >> 8) & 0xff; }
static inline unsigned tlp_first_be(const struct tlp *t) { return t->hdr[1] & 0xf; }
static inline unsigned tlp_last_be(const struct tlp *t) { return (t->hdr[1] >> 4) & 0xf; }
static inline uint64_t tlp_addr(const struct tlp *t)
{
	if (tlp_fmt(t) & 1u)
		return (uint64_t)t->hdr[2] << 32 | (t->hdr[3] & ~3u);
	return t->hdr[2] & ~3u;
}

#endif /* TLP_H */
