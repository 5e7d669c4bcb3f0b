/*
 * Instructions per FUSE operation on the host build, for the benchmark:
 * run under `valgrind --tool=callgrind --collect-atstart=no`; only the N
 * measured requests are collected.
 *
 * usage: bench_ops IMAGE getattr|lookup|read4k|write4k|create N
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <valgrind/callgrind.h>

#include "blockdev_file.h"
#include "fuse_server.h"
#include "fuse_wire.h"
#include "vfs.h"

static struct fuse_server srv;
static uint8_t req[8192], rep[8192];

static size_t build(uint32_t op, uint64_t nodeid, const void *args, size_t alen, const char *name,
		    const void *data, size_t dlen)
{
	struct fuse_in_header h = { .opcode = op, .unique = 7, .nodeid = nodeid };
	size_t len = sizeof(h);

	if (alen)
		memcpy(req + len, args, alen);
	len += alen;
	if (name) {
		memcpy(req + len, name, strlen(name) + 1);
		len += strlen(name) + 1;
	}
	if (dlen)
		memcpy(req + len, data, dlen);
	len += dlen;
	h.len = (uint32_t)len;
	memcpy(req, &h, sizeof(h));
	return len;
}

static void fixed_clock(uint64_t *s, uint32_t *ns)
{
	*s = 1700000000;
	*ns = 0;
}

int main(int argc, char **argv)
{
	static struct blockdev_file bf;
	struct vfs *fs = NULL;
	struct fuse_init_in ii = { .major = 7, .minor = 38 };
	struct fuse_create_in ci = { .flags = 2, .mode = S_IFREG | 0644 };
	struct fuse_entry_out e;
	uint64_t fh;
	static uint8_t data[4096];
	int n;
	const char *op;

	if (argc != 4 || blockdev_file_open(&bf, argv[1], 0))
		return 2;
	op = argv[2];
	n = atoi(argv[3]);
	vfs_set_clock(fixed_clock);
	if (vfs_mount(&fs, &bf.bd, 0))
		return 2;
	fuse_server_init(&srv, fs);
	fuse_dispatch(&srv, req, build(FUSE_INIT, 0, &ii, sizeof(ii), NULL, NULL, 0), rep, sizeof(rep));
	fuse_dispatch(&srv, req, build(FUSE_CREATE, FUSE_ROOT_ID, &ci, sizeof(ci), "f", NULL, 0), rep, sizeof(rep));
	memcpy(&e, rep + sizeof(struct fuse_out_header), sizeof(e));
	memcpy(&fh, rep + sizeof(struct fuse_out_header) + sizeof(e), sizeof(fh));
	{
		struct fuse_write_in wi = { .fh = fh, .size = sizeof(data) };

		for (int i = 0; i < 64; i++) {
			wi.offset = (uint64_t)i * sizeof(data);
			fuse_dispatch(&srv, req, build(FUSE_WRITE, e.nodeid, &wi, sizeof(wi), NULL, data, sizeof(data)),
				      rep, sizeof(rep));
		}
	}
	for (int i = 0; i < n; i++) {
		size_t len;
		char name[32];

		if (!strcmp(op, "getattr")) {
			struct fuse_getattr_in gi = { 0 };

			len = build(FUSE_GETATTR, e.nodeid, &gi, sizeof(gi), NULL, NULL, 0);
		} else if (!strcmp(op, "lookup")) {
			len = build(FUSE_LOOKUP, FUSE_ROOT_ID, NULL, 0, "f", NULL, 0);
		} else if (!strcmp(op, "read4k")) {
			struct fuse_read_in ri = { .fh = fh, .offset = (uint64_t)(i % 64) * 4096, .size = 4096 };

			len = build(FUSE_READ, e.nodeid, &ri, sizeof(ri), NULL, NULL, 0);
		} else if (!strcmp(op, "write4k")) {
			struct fuse_write_in wi = { .fh = fh, .offset = (uint64_t)(i % 64) * 4096, .size = 4096 };

			len = build(FUSE_WRITE, e.nodeid, &wi, sizeof(wi), NULL, data, sizeof(data));
		} else if (!strcmp(op, "create")) {
			snprintf(name, sizeof(name), "c%d", i);
			len = build(FUSE_CREATE, FUSE_ROOT_ID, &ci, sizeof(ci), name, NULL, 0);
		} else {
			return 2;
		}
		CALLGRIND_TOGGLE_COLLECT;
		fuse_dispatch(&srv, req, len, rep, sizeof(rep));
		CALLGRIND_TOGGLE_COLLECT;
	}
	vfs_unmount(fs);
	return 0;
}
