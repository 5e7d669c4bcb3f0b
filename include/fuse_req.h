/*
 * The one FUSE request builder: a fuse_in_header, the opcode's fixed
 * arguments, up to two NUL-terminated names, then data, in the layout of
 * linux/fuse.h. Used by the host driver (driver/vfsdrv.c), the benches
 * (tests/, firmware/apps/fusebench) and anything else that speaks FUSE to
 * the card. Header-only; needs only string.h and linux/fuse.h.
 */
#ifndef FUSE_REQ_H
#define FUSE_REQ_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <linux/fuse.h>

struct fuse_req {
	uint32_t opcode;
	uint64_t unique, nodeid;
	uint32_t uid, gid, pid;
	const void *args;	/* the opcode's fixed arguments */
	size_t args_len;
	const char *name, *name2;	/* NUL-terminated, or NULL */
	const void *data;	/* WRITE payload, xattr value ... */
	size_t data_len;
};

/* Builds r into buf (cap bytes); returns its length (also in the header's
 * len), or 0 when it does not fit. */
static inline size_t fuse_req_build(void *buf, size_t cap, const struct fuse_req *r)
{
	struct fuse_in_header h = { .opcode = r->opcode, .unique = r->unique, .nodeid = r->nodeid,
				    .uid = r->uid, .gid = r->gid, .pid = r->pid };
	size_t l1 = r->name ? strlen(r->name) + 1 : 0, l2 = r->name2 ? strlen(r->name2) + 1 : 0;
	size_t len = sizeof(h) + r->args_len + l1 + l2 + r->data_len;
	uint8_t *p = buf;

	if (len > cap || len > UINT32_MAX)
		return 0;
	h.len = (uint32_t)len;
	memcpy(p, &h, sizeof(h));
	p += sizeof(h);
	if (r->args_len)
		memcpy(p, r->args, r->args_len);
	p += r->args_len;
	if (l1)
		memcpy(p, r->name, l1);
	p += l1;
	if (l2)
		memcpy(p, r->name2, l2);
	p += l2;
	if (r->data_len)
		memcpy(p, r->data, r->data_len);
	return len;
}

#endif /* FUSE_REQ_H */
