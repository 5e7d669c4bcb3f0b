/*
 * One FUSE request builder for the host testbenches: a fuse_in_header, the
 * opcode's fixed arguments, up to two NUL-terminated names, then data (the
 * layout of linux/fuse.h). Header-only.
 */
#ifndef TESTS_FUSE_REQ_H
#define TESTS_FUSE_REQ_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <linux/fuse.h>

/* Builds the request into buf (cap bytes); returns its length, or 0 when it
 * does not fit. uid/gid 1000 as an unprivileged guest user. */
static inline size_t fuse_req_build(void *buf, size_t cap, uint32_t op, uint64_t unique,
				    uint64_t nodeid, const void *args, size_t alen,
				    const char *n1, const char *n2, const void *data, size_t dlen)
{
	struct fuse_in_header h = { .opcode = op, .unique = unique, .nodeid = nodeid,
				    .uid = 1000, .gid = 1000 };
	size_t l1 = n1 ? strlen(n1) + 1 : 0, l2 = n2 ? strlen(n2) + 1 : 0;
	size_t len = sizeof(h) + alen + l1 + l2 + dlen;
	uint8_t *p = buf;

	if (len > cap || len > UINT32_MAX)
		return 0;
	h.len = (uint32_t)len;
	memcpy(p, &h, sizeof(h));
	p += sizeof(h);
	if (alen)
		memcpy(p, args, alen);
	p += alen;
	if (l1)
		memcpy(p, n1, l1);
	p += l1;
	if (l2)
		memcpy(p, n2, l2);
	p += l2;
	if (dlen)
		memcpy(p, data, dlen);
	return len;
}

#endif /* TESTS_FUSE_REQ_H */
