/*
 * The FUSE server (firmware/fuse) over ext4 on a fresh mke2fs image, request
 * by request as a virtio-fs guest would send them, then malformed and forged
 * requests. The image is checked afterwards with e2fsck -fn and debugfs by
 * the runner. Runs under ASan and UBSan.
 *
 * usage: server_test IMAGE
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "blockdev_file.h"
#include "check.h"
#include "fuse_server.h"
#include "fuse_wire.h"
#include "vfs.h"

static int passed, failed;
static struct fuse_server srv;
static uint8_t req[300 * 1024], rep[300 * 1024];
static uint64_t unique = 1;

/* Builds a request: header, fixed args, then up to two names, then data. */
static size_t build(uint32_t op, uint64_t nodeid, const void *args, size_t alen, const char *n1,
		    const char *n2, const void *data, size_t dlen)
{
	struct fuse_in_header h = { .opcode = op, .unique = unique++, .nodeid = nodeid, .uid = 1000, .gid = 1000 };
	size_t len = sizeof(h);

	if (alen)
		memcpy(req + len, args, alen);
	len += alen;
	if (n1) {
		memcpy(req + len, n1, strlen(n1) + 1);
		len += strlen(n1) + 1;
	}
	if (n2) {
		memcpy(req + len, n2, strlen(n2) + 1);
		len += strlen(n2) + 1;
	}
	if (dlen) {
		memcpy(req + len, data, dlen);
		len += dlen;
	}
	h.len = (uint32_t)len;
	memcpy(req, &h, sizeof(h));
	return len;
}

/* Sends the built request; returns the reply's error (0 or -errno), the body in *body. */
static int call(size_t len, const void **body, size_t *blen)
{
	long n = fuse_dispatch(&srv, req, len, rep, sizeof(rep));
	struct fuse_out_header o;

	if (n < (long)sizeof(o))
		return n == 0 ? 0 : -1000;
	memcpy(&o, rep, sizeof(o));
	if (o.len != (uint32_t)n)
		return -1001;
	if (body)
		*body = rep + sizeof(o);
	if (blen)
		*blen = (size_t)n - sizeof(o);
	return o.error;
}

static int lookup(uint64_t dir, const char *name, struct fuse_entry_out *e)
{
	const void *b;
	size_t bl;
	int err = call(build(FUSE_LOOKUP, dir, NULL, 0, name, NULL, NULL, 0), &b, &bl);

	if (!err && e)
		memcpy(e, b, sizeof(*e));
	return err;
}

static void clock_now(uint64_t *s, uint32_t *ns)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	*s = (uint64_t)ts.tv_sec;
	*ns = (uint32_t)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	static struct blockdev_file bf;
	struct vfs *fs = NULL;
	const void *b;
	size_t bl;
	int err;
	struct fuse_entry_out e, dir, ln;
	uint64_t fh, dfh;

	if (argc != 2) {
		fprintf(stderr, "usage: server_test IMAGE\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	if (blockdev_file_open(&bf, argv[1], 0)) {
		fprintf(stderr, "cannot open %s\n", argv[1]);
		return 2;
	}
	vfs_set_clock(clock_now);
	if (vfs_mount(&fs, &bf.bd, 0)) {
		fprintf(stderr, "mount: %s\n", vfs_last_error(NULL));
		return 2;
	}
	fuse_server_init(&srv, fs);

	/* Before INIT, nothing but INIT. */
	CHECK(lookup(FUSE_ROOT_ID, "x", NULL) == -5, "request before INIT refused");
	{
		struct fuse_init_in ii = { .major = 7, .minor = 38, .max_readahead = 131072,
					   .flags = FUSE_ASYNC_READ | FUSE_MAX_PAGES | FUSE_DO_READDIRPLUS |
						    FUSE_SETXATTR_EXT };
		struct fuse_init_out io;

		err = call(build(FUSE_INIT, 0, &ii, sizeof(ii), NULL, NULL, NULL, 0), &b, &bl);
		memcpy(&io, b, sizeof(io));
		CHECK(!err && bl == sizeof(io) && io.major == 7 && io.minor == 38 && io.max_write >= 65536 &&
		      (io.flags & FUSE_MAX_PAGES), "INIT: err %d len %zu %u.%u max_write %u", err, bl, io.major,
		      io.minor, io.max_write);
	}
	CHECK(lookup(FUSE_ROOT_ID, "missing", NULL) == -2, "lookup of a missing name: ENOENT");

	/* create, write 100 KiB in three pieces, read back */
	{
		struct fuse_create_in ci = { .flags = 2 /* O_RDWR */, .mode = S_IFREG | 0644, .umask = 022 };
		struct {
			struct fuse_entry_out e;
			struct fuse_open_out o;
		} cr;
		static uint8_t data[100 * 1024];
		uint64_t off = 0;

		err = call(build(FUSE_CREATE, FUSE_ROOT_ID, &ci, sizeof(ci), "a.txt", NULL, NULL, 0), &b, &bl);
		CHECK(!err && bl == sizeof(cr), "CREATE: %d", err);
		memcpy(&cr, b, sizeof(cr));
		e = cr.e;
		fh = cr.o.fh;
		for (unsigned i = 0; i < sizeof(data); i++)
			data[i] = (uint8_t)(i * 7 + 1);
		for (unsigned piece = 0; piece < 3; piece++) {
			size_t n = piece < 2 ? 40000 : sizeof(data) - 80000;
			struct fuse_write_in wi = { .fh = fh, .offset = off, .size = (uint32_t)n };
			struct fuse_write_out wo;

			err = call(build(FUSE_WRITE, e.nodeid, &wi, sizeof(wi), NULL, NULL, data + off, n), &b, &bl);
			memcpy(&wo, b, sizeof(wo));
			CHECK(!err && wo.size == n, "WRITE piece %u: %d", piece, err);
			off += n;
		}
		{
			struct fuse_read_in ri = { .fh = fh, .offset = 1000, .size = 90000 };

			err = call(build(FUSE_READ, e.nodeid, &ri, sizeof(ri), NULL, NULL, NULL, 0), &b, &bl);
			CHECK(!err && bl == 90000 && !memcmp(b, data + 1000, 90000), "READ back: %d len %zu", err, bl);
			ri.offset = sizeof(data) - 10;
			err = call(build(FUSE_READ, e.nodeid, &ri, sizeof(ri), NULL, NULL, NULL, 0), &b, &bl);
			CHECK(!err && bl == 10, "short READ at the end: %zu", bl);
		}
		{
			struct fuse_getattr_in gi = { 0 };
			struct fuse_attr_out ao;

			err = call(build(FUSE_GETATTR, e.nodeid, &gi, sizeof(gi), NULL, NULL, NULL, 0), &b, &bl);
			memcpy(&ao, b, sizeof(ao));
			CHECK(!err && ao.attr.size == sizeof(data) && (ao.attr.mode & 0777) == 0644 && ao.attr.uid == 1000,
			      "GETATTR: size %llu mode %o", (unsigned long long)ao.attr.size, ao.attr.mode);
		}
		{
			struct fuse_setattr_in si = { .valid = FATTR_SIZE | FATTR_MODE, .size = 5000, .mode = 0600 };
			struct fuse_attr_out ao;

			err = call(build(FUSE_SETATTR, e.nodeid, &si, sizeof(si), NULL, NULL, NULL, 0), &b, &bl);
			memcpy(&ao, b, sizeof(ao));
			CHECK(!err && ao.attr.size == 5000 && (ao.attr.mode & 0777) == 0600, "SETATTR truncate+chmod: %d", err);
		}
	}

	/* directories, links, renames */
	{
		struct fuse_mkdir_in mi = { .mode = 0755, .umask = 022 };
		struct fuse_link_in li;
		struct fuse_rename2_in r2 = { 0 };

		err = call(build(FUSE_MKDIR, FUSE_ROOT_ID, &mi, sizeof(mi), "d", NULL, NULL, 0), &b, &bl);
		memcpy(&dir, b, sizeof(dir));
		CHECK(!err && S_ISDIR(dir.attr.mode), "MKDIR: %d", err);
		err = call(build(FUSE_SYMLINK, FUSE_ROOT_ID, NULL, 0, "l", "d/b.txt", NULL, 0), &b, &bl);
		memcpy(&ln, b, sizeof(ln));
		CHECK(!err && S_ISLNK(ln.attr.mode), "SYMLINK: %d", err);
		err = call(build(FUSE_READLINK, ln.nodeid, NULL, 0, NULL, NULL, NULL, 0), &b, &bl);
		CHECK(!err && bl == 7 && !memcmp(b, "d/b.txt", 7), "READLINK: %d", err);
		li.oldnodeid = e.nodeid;
		err = call(build(FUSE_LINK, FUSE_ROOT_ID, &li, sizeof(li), "hard", NULL, NULL, 0), &b, &bl);
		CHECK(!err, "LINK: %d", err);
		r2.newdir = dir.nodeid;
		err = call(build(FUSE_RENAME2, FUSE_ROOT_ID, &r2, sizeof(r2), "a.txt", "b.txt", NULL, 0), NULL, NULL);
		CHECK(!err, "RENAME2 into d: %d", err);
		r2.newdir = FUSE_ROOT_ID;
		r2.flags = FUSE_RENAME_NOREPLACE;
		err = call(build(FUSE_RENAME2, FUSE_ROOT_ID, &r2, sizeof(r2), "hard", "l", NULL, 0), NULL, NULL);
		CHECK(err == -17, "RENAME2 NOREPLACE onto an existing name: EEXIST (%d)", err);
		r2.flags = 1u << 2;	/* WHITEOUT */
		err = call(build(FUSE_RENAME2, FUSE_ROOT_ID, &r2, sizeof(r2), "hard", "w", NULL, 0), NULL, NULL);
		CHECK(err == -22, "RENAME2 WHITEOUT: EINVAL (%d)", err);
		CHECK(lookup(dir.nodeid, "b.txt", NULL) == 0, "the file is in d");
	}

	/* readdir and readdirplus */
	{
		struct fuse_open_in oi = { 0 };
		struct fuse_open_out oo;
		struct fuse_read_in ri;
		int seen = 0;

		err = call(build(FUSE_OPENDIR, FUSE_ROOT_ID, &oi, sizeof(oi), NULL, NULL, NULL, 0), &b, &bl);
		memcpy(&oo, b, sizeof(oo));
		dfh = oo.fh;
		CHECK(!err, "OPENDIR: %d", err);
		memset(&ri, 0, sizeof(ri));
		ri.fh = dfh;
		ri.size = 4096;
		err = call(build(FUSE_READDIR, FUSE_ROOT_ID, &ri, sizeof(ri), NULL, NULL, NULL, 0), &b, &bl);
		for (size_t p = 0; !err && p + FUSE_NAME_OFFSET <= bl;) {
			const struct fuse_dirent *d = (const void *)((const uint8_t *)b + p);

			if ((d->namelen == 1 && !memcmp(d->name, "d", 1)) || (d->namelen == 4 && !memcmp(d->name, "hard", 4)) ||
			    (d->namelen == 1 && !memcmp(d->name, "l", 1)))
				seen++;
			p += FUSE_DIRENT_SIZE(d);
		}
		CHECK(!err && seen == 3, "READDIR lists d, hard, l (%d)", seen);
		err = call(build(FUSE_READDIRPLUS, FUSE_ROOT_ID, &ri, sizeof(ri), NULL, NULL, NULL, 0), &b, &bl);
		CHECK(!err && bl > 3 * sizeof(struct fuse_direntplus), "READDIRPLUS: %d, %zu bytes", err, bl);
		{
			struct fuse_release_in rl = { .fh = dfh };

			err = call(build(FUSE_RELEASEDIR, FUSE_ROOT_ID, &rl, sizeof(rl), NULL, NULL, NULL, 0), NULL, NULL);
			CHECK(!err, "RELEASEDIR: %d", err);
			err = call(build(FUSE_RELEASEDIR, FUSE_ROOT_ID, &rl, sizeof(rl), NULL, NULL, NULL, 0), NULL, NULL);
			CHECK(err == -9, "second RELEASEDIR of the same handle: EBADF (%d)", err);
		}
	}

	/* xattrs */
	{
		struct fuse_setxattr_in sx = { .size = 5 };
		struct fuse_getxattr_in gx = { .size = 64 };

		err = call(build(FUSE_SETXATTR, dir.nodeid, &sx, sizeof(sx), "user.colour", NULL, "green", 5), NULL, NULL);
		CHECK(!err, "SETXATTR: %d", err);
		err = call(build(FUSE_GETXATTR, dir.nodeid, &gx, sizeof(gx), "user.colour", NULL, NULL, 0), &b, &bl);
		CHECK(!err && bl == 5 && !memcmp(b, "green", 5), "GETXATTR: %d", err);
		err = call(build(FUSE_LISTXATTR, dir.nodeid, &gx, sizeof(gx), NULL, NULL, NULL, 0), &b, &bl);
		CHECK(!err && bl == 12 && !memcmp(b, "user.colour", 12), "LISTXATTR: %d %zu", err, bl);
		err = call(build(FUSE_REMOVEXATTR, dir.nodeid, NULL, 0, "user.colour", NULL, NULL, 0), NULL, NULL);
		CHECK(!err, "REMOVEXATTR: %d", err);
	}

	/* statfs, unlink, rmdir */
	{
		struct fuse_statfs_out so;

		err = call(build(FUSE_STATFS, FUSE_ROOT_ID, NULL, 0, NULL, NULL, NULL, 0), &b, &bl);
		memcpy(&so, b, sizeof(so));
		CHECK(!err && so.st.blocks && so.st.bfree <= so.st.blocks && so.st.namelen == 255, "STATFS: %d", err);
		err = call(build(FUSE_RMDIR, FUSE_ROOT_ID, NULL, 0, "d", NULL, NULL, 0), NULL, NULL);
		CHECK(err == -39, "RMDIR of a non-empty directory: ENOTEMPTY (%d)", err);
		err = call(build(FUSE_UNLINK, FUSE_ROOT_ID, NULL, 0, "l", NULL, NULL, 0), NULL, NULL);
		CHECK(!err, "UNLINK: %d", err);
	}

	/* malformed and forged */
	{
		struct fuse_getattr_in gi = { 0 };
		size_t len = build(FUSE_GETATTR, FUSE_ROOT_ID, &gi, sizeof(gi), NULL, NULL, NULL, 0);
		char longname[300];
		struct fuse_read_in ri = { .fh = fh + (1ull << 32), .size = 10 };

		req[0] ^= 1;			/* header len disagrees with the buffer */
		CHECK(call(len, NULL, NULL) == -22, "len mismatch: EINVAL");
		CHECK(fuse_dispatch(&srv, req, 20, rep, sizeof(rep)) == -EINVAL, "truncated header refused");
		CHECK(fuse_dispatch(&srv, req, len, rep, 8) == -EINVAL, "reply buffer below a header refused");
		CHECK(call(build(FUSE_GETATTR, 0x1234567800000099ull, &gi, sizeof(gi), NULL, NULL, NULL, 0), NULL, NULL) == -116,
		      "forged node ID: ESTALE");
		CHECK(call(build(FUSE_GETATTR, e.nodeid + (1ull << 32), &gi, sizeof(gi), NULL, NULL, NULL, 0), NULL, NULL) == -116,
		      "node ID with a wrong generation: ESTALE");
		CHECK(call(build(FUSE_READ, e.nodeid, &ri, sizeof(ri), NULL, NULL, NULL, 0), NULL, NULL) == -9,
		      "stale file handle: EBADF");
		CHECK(lookup(FUSE_ROOT_ID, "a/b", NULL) == -22, "name with '/': EINVAL");
		memset(longname, 'x', 256);
		longname[256] = 0;
		CHECK(lookup(FUSE_ROOT_ID, longname, NULL) == -36, "256-byte name: ENAMETOOLONG");
		len = build(FUSE_LOOKUP, FUSE_ROOT_ID, NULL, 0, "abc", NULL, NULL, 0);
		req[len - 1] = 'z';		/* not NUL-terminated */
		CHECK(call(len, NULL, NULL) == -22, "unterminated name: EINVAL");
		CHECK(call(build(4242, FUSE_ROOT_ID, NULL, 0, NULL, NULL, NULL, 0), NULL, NULL) == -38, "unknown opcode: ENOSYS");
		CHECK(call(build(FUSE_SETUPMAPPING, FUSE_ROOT_ID, NULL, 0, NULL, NULL, NULL, 0), NULL, NULL) == -38,
		      "SETUPMAPPING: ENOSYS");
		{
			struct fuse_write_in wi = { .fh = fh, .offset = 0, .size = 100 };

			CHECK(call(build(FUSE_WRITE, e.nodeid, &wi, sizeof(wi), NULL, NULL, "short", 5), NULL, NULL) == -22,
			      "WRITE with less payload than it says: EINVAL");
		}
	}

	/* release, forget: the tables empty out */
	{
		struct fuse_release_in rl = { .fh = fh };
		struct fuse_forget_in fi = { .nlookup = 1000 };

		CHECK(call(build(FUSE_RELEASE, e.nodeid, &rl, sizeof(rl), NULL, NULL, NULL, 0), NULL, NULL) == 0, "RELEASE");
		CHECK(fuse_server_handles(&srv) == 0, "no handle left");
		call(build(FUSE_FORGET, e.nodeid, &fi, sizeof(fi), NULL, NULL, NULL, 0), NULL, NULL);
		call(build(FUSE_FORGET, dir.nodeid, &fi, sizeof(fi), NULL, NULL, NULL, 0), NULL, NULL);
		call(build(FUSE_FORGET, ln.nodeid, &fi, sizeof(fi), NULL, NULL, NULL, 0), NULL, NULL);
		CHECK(fuse_server_nodes(&srv) <= 1, "nodes left after FORGET: %u", fuse_server_nodes(&srv));
		CHECK(call(build(FUSE_DESTROY, 0, NULL, 0, NULL, NULL, NULL, 0), NULL, NULL) == 0, "DESTROY");
		CHECK(fuse_server_nodes(&srv) == 0, "no node after DESTROY");
	}
	CHECK(vfs_unmount(fs) == 0, "unmount");
	blockdev_file_close(&bf);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
