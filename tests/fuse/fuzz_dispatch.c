/*
 * libFuzzer target over fuse_dispatch(): every input is one request as it
 * would come off a virtqueue, against a server whose filesystem lives in
 * memory (an ext4 image made by mke2fs, named by FUZZ_IMAGE, loaded once).
 * State carries over between inputs, as on a real device. The reply must
 * never exceed its buffer and must describe itself correctly.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "blockdev.h"
#include "fuse_server.h"
#include "fuse_wire.h"
#include "vfs.h"

static uint8_t *image;
static size_t image_len;
static struct blockdev bd;
static struct fuse_server srv;
static int ready;

static int mem_read(struct blockdev *b, uint64_t s, uint32_t n, void *buf)
{
	(void)b;
	if (s * 512 + (uint64_t)n * 512 > image_len)
		return -EIO;
	memcpy(buf, image + s * 512, (size_t)n * 512);
	return 0;
}

static int mem_write(struct blockdev *b, uint64_t s, uint32_t n, const void *buf)
{
	(void)b;
	if (s * 512 + (uint64_t)n * 512 > image_len)
		return -EIO;
	memcpy(image + s * 512, buf, (size_t)n * 512);
	return 0;
}

static int mem_flush(struct blockdev *b)
{
	(void)b;
	return 0;
}

static void fixed_clock(uint64_t *s, uint32_t *ns)
{
	*s = 1700000000;
	*ns = 0;
}

static void setup(void)
{
	const char *path = getenv("FUZZ_IMAGE");
	FILE *f = path ? fopen(path, "rb") : NULL;
	struct vfs *fs = NULL;
	struct fuse_init_in ii = { .major = 7, .minor = 38, .flags = FUSE_MAX_PAGES };
	uint8_t req[sizeof(struct fuse_in_header) + sizeof(ii)], rep[256];
	struct fuse_in_header h = { .len = sizeof(req), .opcode = FUSE_INIT, .unique = 1 };

	if (!f) {
		fprintf(stderr, "fuzz_dispatch: set FUZZ_IMAGE to an ext4 image\n");
		abort();
	}
	fseek(f, 0, SEEK_END);
	image_len = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	image = malloc(image_len);
	if (!image || fread(image, 1, image_len, f) != image_len)
		abort();
	fclose(f);
	bd.nsectors = image_len / 512;
	bd.read = mem_read;
	bd.write = mem_write;
	bd.flush = mem_flush;
	vfs_set_clock(fixed_clock);
	if (vfs_mount(&fs, &bd, 0))
		abort();
	fuse_server_init(&srv, fs);
	memcpy(req, &h, sizeof(h));
	memcpy(req + sizeof(h), &ii, sizeof(ii));
	fuse_dispatch(&srv, req, sizeof(req), rep, sizeof(rep));
	ready = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t rep[70000];
	uint8_t *req;
	long n;
	size_t cap;

	if (!ready)
		setup();
	if (size < 1)
		return 0;
	/* The first byte picks the reply room, the rest is the request; a
	 * well-formed header length is made likely, not certain. */
	cap = 16 + (size_t)data[0] * 257;
	req = malloc(size - 1 ? size - 1 : 1);
	if (!req)
		return 0;
	memcpy(req, data + 1, size - 1);
	if (size - 1 >= sizeof(struct fuse_in_header) && (data[0] & 1)) {
		uint32_t len = (uint32_t)(size - 1);

		memcpy(req, &len, 4);
	}
	n = fuse_dispatch(&srv, req, size - 1, rep, cap);
	if (n > 0) {
		struct fuse_out_header o;

		if ((size_t)n > cap || (size_t)n < sizeof(o))
			abort();		/* replied past its buffer, or a torn header */
		memcpy(&o, rep, sizeof(o));
		if (o.len != (uint32_t)n || o.error > 0 || o.error < -4095)
			abort();
	}
	free(req);
	return 0;
}
