/*
 * The FUSE session: one request in, one reply out (see fuse_server.h). This
 * file checks a request's header, finds its opcode in the opcode table, takes
 * its fixed argument and resolves its node ID before the handler runs; it
 * also builds replies, takes names out of requests, and answers what belongs
 * to the session itself: INIT, DESTROY, FORGET, BATCH_FORGET, INTERRUPT and
 * SYNCFS. Every argument is checked against the bytes that came with the
 * request, and a reply never grows past out_cap.
 */
#include "fuse_int.h"

#include <errno.h>

long fuse_reply_err(struct fuse_req *r, int wire_err)
{
	struct fuse_out_header o = { .len = sizeof(o), .error = -wire_err, .unique = r->h->unique };

	if (wire_err)
		r->srv->stats.errors++;
	if (!((uintptr_t)r->out & (_Alignof(struct fuse_out_header) - 1)))
		*(struct fuse_out_header *)(void *)r->out = o;	/* no memcpy call */
	else
		memcpy(r->out, &o, sizeof(o));
	return sizeof(o);
}

/* A vfs result (negative local errno) as a reply. */
long fuse_reply_vfs_err(struct fuse_req *r, long err)
{
	return fuse_reply_err(r, fuse_wire_errno((int)-err));
}

long fuse_reply_data(struct fuse_req *r, const void *p, size_t n)
{
	struct fuse_out_header o = { .unique = r->h->unique };

	if (sizeof(o) + n > r->cap)
		return fuse_reply_err(r, W_ERANGE);
	o.len = (uint32_t)(sizeof(o) + n);
	if (!((uintptr_t)r->out & (_Alignof(struct fuse_out_header) - 1)))
		*(struct fuse_out_header *)(void *)r->out = o;	/* no memcpy call */
	else
		memcpy(r->out, &o, sizeof(o));
	if (n && p != r->out + sizeof(o))
		memmove(r->out + sizeof(o), p, n);
	return (long)o.len;
}

/* A NUL-terminated name from the request; its length in *len, or an errno. */
/* A NUL-terminated name at the front of the arguments; a file name may not
 * hold '/', an xattr name may (Linux allows any byte but NUL in one). */
static int take_name(struct fuse_req *r, const char **name, size_t *len, int file)
{
	const char *s = (const char *)r->arg;
	size_t n;
	int slash = 0;

	/* one pass for the end and a '/' (every name-taking request) */
	for (n = 0; n < r->alen && s[n]; n++)
		slash |= s[n] == '/';
	if (n == r->alen)
		return W_EINVAL;		/* not terminated inside the request */
	if (n == 0 || (slash && file))
		return W_EINVAL;
	if (n > FUSE_NAME_MAX)
		return W_ENAMETOOLONG;
	*name = s;
	*len = n;
	r->arg += n + 1;
	r->alen -= n + 1;
	return 0;
}

int fuse_take_name(struct fuse_req *r, const char **name, size_t *len)
{
	return take_name(r, name, len, 1);
}

int fuse_take_xattr_name(struct fuse_req *r, const char **name, size_t *len)
{
	return take_name(r, name, len, 0);
}

static long do_init(struct fuse_req *r, uint64_t ino, const void *arg)
{
	const struct fuse_init_in *in = arg;	/* major, minor, readahead, flags: 16 bytes */
	struct fuse_init_in ii;
	struct fuse_init_out o;
	size_t n;

	(void)ino;
	memset(&ii, 0, sizeof(ii));
	memcpy(&ii, in, 16);
	if (r->alen >= sizeof(ii) - 16)
		memcpy((uint8_t *)&ii + 16, r->arg, sizeof(ii) - 16);
	memset(&o, 0, sizeof(o));
	o.major = FUSE_KERNEL_VERSION;
	o.minor = ii.minor < FUSE_KERNEL_MINOR_VERSION ? ii.minor : FUSE_KERNEL_MINOR_VERSION;
	if (ii.major != FUSE_KERNEL_VERSION)
		return fuse_reply_data(r, &o, 8);	/* the client retries with ours, or gives up */
	o.max_readahead = ii.max_readahead;
	/* FUSE_ASYNC_DIO: the guest may send an O_DIRECT read or write of one
	 * handle while earlier ones are still queued (libaio at depth, a large
	 * O_DIRECT request split into several). Every READ and WRITE is served
	 * whole, from the file as the requests before it left it, and keeps no
	 * state in the handle, so nothing here depends on their number. */
	o.flags = ii.flags & (FUSE_ASYNC_READ | FUSE_ASYNC_DIO | FUSE_BIG_WRITES | FUSE_MAX_PAGES |
			      FUSE_PARALLEL_DIROPS | FUSE_DO_READDIRPLUS | FUSE_EXPORT_SUPPORT | FUSE_INIT_EXT |
			      FUSE_SETXATTR_EXT | FUSE_POSIX_LOCKS);
	o.max_background = 32;
	o.congestion_threshold = 24;
	o.max_write = FUSE_SRV_MAX_WRITE;
	o.time_gran = 1;
	o.max_pages = (uint16_t)(FUSE_SRV_MAX_WRITE / 4096);
	if (r->srv->dax && (ii.flags & FUSE_MAP_ALIGNMENT)) {
		/* Linux refuses an alignment above its 2 MiB ranges (fuse_dax_check_alignment). */
		o.flags |= FUSE_MAP_ALIGNMENT;
		o.map_alignment = FUSE_DAX_MAP_ALIGNMENT;
	}
	r->srv->initialized = 1;
	r->srv->proto_minor = o.minor;
	r->srv->init_flags = o.flags;
	r->srv->max_write = FUSE_SRV_MAX_WRITE;
	n = o.minor < 5 ? FUSE_COMPAT_INIT_OUT_SIZE : o.minor < 23 ? FUSE_COMPAT_22_INIT_OUT_SIZE : sizeof(o);
	return fuse_reply_data(r, &o, n);
}

static long do_destroy(struct fuse_req *r, uint64_t ino, const void *arg)
{
	(void)ino;
	(void)arg;
	fuse_server_reset(r->srv);
	if (r->srv->fs)
		vfs_checkpoint(r->srv->fs);	/* the session is over: the image as an unmount leaves it */
	return fuse_reply_err(r, 0);
}

static long do_forget(struct fuse_req *r, uint64_t ino, const void *arg)
{
	const struct fuse_forget_in *f = arg;

	(void)ino;
	fuse_node_forget(r->srv, r->h->nodeid, f->nlookup);
	return 0;
}

static long do_batch_forget(struct fuse_req *r, uint64_t ino, const void *arg)
{
	const struct fuse_batch_forget_in *b = arg;

	(void)ino;
	if (b->count <= r->alen / sizeof(struct fuse_forget_one))
		for (uint32_t i = 0; i < b->count; i++) {
			const struct fuse_forget_one *one = fuse_take(r, sizeof(*one));

			fuse_node_forget(r->srv, one->nodeid, one->nlookup);
		}
	return 0;
}

/* Only a waiting SETLKW can be interrupted; the rest answer in order. */
static long do_interrupt(struct fuse_req *r, uint64_t ino, const void *arg)
{
	const struct fuse_interrupt_in *in = arg;

	(void)ino;
	fuse_lk_interrupt(r->srv, in->unique);
	return 0;
}

static long do_syncfs(struct fuse_req *r, uint64_t ino, const void *arg)
{
	int err, ret;

	(void)ino;
	(void)arg;
	err = fuse_server_dax_sync(r->srv);
	ret = vfs_sync(r->srv->fs);
	return fuse_reply_vfs_err(r, err ? err : ret);
}

/* ------------------------------------------------------------ opcode table */

/* What the dispatcher checks before an opcode's handler runs. */
#define OP_SESSION	0x01	/* answered before INIT and without a filesystem */
#define OP_NO_NODE	0x02	/* names no node: the node ID is not resolved */
#define OP_DAX		0x04	/* ENOSYS without a DAX window (and without a filesystem) */
#define OP_NO_REPLY	0x08	/* never answered, not even when malformed */

struct fuse_op {
	fuse_handler_t fn;
	uint16_t min_len;	/* fixed argument bytes; fewer is EINVAL */
	uint8_t flags;
};

/*
 * Indexed by opcode; a hole (IOCTL, POLL, BMAP, NOTIFY_REPLY, ...) and an
 * opcode past the end answer ENOSYS. A minimum length of 0: the handler
 * takes names or a variable part itself.
 */
static const struct fuse_op fuse_ops[] = {
	[FUSE_LOOKUP]		= { fuse_do_lookup, 0, 0 },
	[FUSE_FORGET]		= { do_forget, sizeof(struct fuse_forget_in), OP_SESSION | OP_NO_REPLY },
	[FUSE_GETATTR]		= { fuse_do_getattr, 0, 0 },
	[FUSE_SETATTR]		= { fuse_do_setattr, sizeof(struct fuse_setattr_in), 0 },
	[FUSE_READLINK]		= { fuse_do_readlink, 0, 0 },
	[FUSE_SYMLINK]		= { fuse_do_symlink, 0, 0 },
	[FUSE_MKNOD]		= { fuse_do_mknod, sizeof(struct fuse_mknod_in), 0 },
	[FUSE_MKDIR]		= { fuse_do_mkdir, sizeof(struct fuse_mkdir_in), 0 },
	[FUSE_UNLINK]		= { fuse_do_unlink, 0, 0 },
	[FUSE_RMDIR]		= { fuse_do_unlink, 0, 0 },
	[FUSE_RENAME]		= { fuse_do_rename, sizeof(struct fuse_rename_in), 0 },
	[FUSE_LINK]		= { fuse_do_link, sizeof(struct fuse_link_in), 0 },
	[FUSE_OPEN]		= { fuse_do_open, sizeof(struct fuse_open_in), 0 },
	[FUSE_READ]		= { fuse_do_read, sizeof(struct fuse_read_in), 0 },
	[FUSE_WRITE]		= { fuse_do_write, sizeof(struct fuse_write_in), 0 },
	[FUSE_STATFS]		= { fuse_do_statfs, 0, OP_NO_NODE },
	[FUSE_RELEASE]		= { fuse_do_release, sizeof(struct fuse_release_in), 0 },
	[FUSE_FSYNC]		= { fuse_do_fsync, sizeof(struct fuse_fsync_in), 0 },
	/* SETXATTR's 16-byte form (FUSE_SETXATTR_EXT) takes the rest itself. */
	[FUSE_SETXATTR]		= { fuse_do_xattr, FUSE_COMPAT_SETXATTR_IN_SIZE, 0 },
	[FUSE_GETXATTR]		= { fuse_do_xattr, sizeof(struct fuse_getxattr_in), 0 },
	[FUSE_LISTXATTR]	= { fuse_do_xattr, sizeof(struct fuse_getxattr_in), 0 },
	[FUSE_REMOVEXATTR]	= { fuse_do_xattr, 0, 0 },
	[FUSE_FLUSH]		= { fuse_do_flush, sizeof(struct fuse_flush_in), 0 },
	/* major, minor, max_readahead, flags: what every protocol version sends. */
	[FUSE_INIT]		= { do_init, 16, OP_SESSION },
	[FUSE_OPENDIR]		= { fuse_do_open, sizeof(struct fuse_open_in), 0 },
	[FUSE_READDIR]		= { fuse_do_readdir, sizeof(struct fuse_read_in), 0 },
	[FUSE_RELEASEDIR]	= { fuse_do_release, sizeof(struct fuse_release_in), 0 },
	[FUSE_FSYNCDIR]		= { fuse_do_fsync, sizeof(struct fuse_fsync_in), 0 },
	[FUSE_GETLK]		= { fuse_do_lk, sizeof(struct fuse_lk_in), 0 },
	[FUSE_SETLK]		= { fuse_do_lk, sizeof(struct fuse_lk_in), 0 },
	[FUSE_SETLKW]		= { fuse_do_lk, sizeof(struct fuse_lk_in), 0 },
	[FUSE_ACCESS]		= { fuse_do_access, 0, 0 },
	[FUSE_CREATE]		= { fuse_do_create, sizeof(struct fuse_create_in), 0 },
	[FUSE_INTERRUPT]	= { do_interrupt, sizeof(struct fuse_interrupt_in), OP_SESSION | OP_NO_REPLY },
	[FUSE_DESTROY]		= { do_destroy, 0, OP_SESSION },
	[FUSE_BATCH_FORGET]	= { do_batch_forget, sizeof(struct fuse_batch_forget_in), OP_SESSION | OP_NO_REPLY },
	[FUSE_FALLOCATE]	= { fuse_do_fallocate, sizeof(struct fuse_fallocate_in), 0 },
	[FUSE_READDIRPLUS]	= { fuse_do_readdir, sizeof(struct fuse_read_in), 0 },
	[FUSE_RENAME2]		= { fuse_do_rename, sizeof(struct fuse_rename2_in), 0 },
	[FUSE_LSEEK]		= { fuse_do_lseek, sizeof(struct fuse_lseek_in), 0 },
	[FUSE_COPY_FILE_RANGE]	= { fuse_do_copy_file_range, sizeof(struct fuse_copy_file_range_in), 0 },
	[FUSE_SETUPMAPPING]	= { fuse_do_setupmapping, sizeof(struct fuse_setupmapping_in), OP_DAX },
	[FUSE_REMOVEMAPPING]	= { fuse_do_removemapping, sizeof(struct fuse_removemapping_in), OP_DAX },
	[FUSE_SYNCFS]		= { do_syncfs, 0, OP_NO_NODE },
	[FUSE_TMPFILE]		= { fuse_do_tmpfile, sizeof(struct fuse_create_in), 0 },
};

/*
 * The order of the checks is part of the protocol the tests pin down: a
 * malformed header, then (past the session opcodes) INIT, the filesystem,
 * the node ID, the opcode, the window, and last the argument length.
 */
long fuse_dispatch(struct fuse_server *srv, const void *in, size_t in_len, void *out, size_t out_cap)
{
	const struct fuse_op *op = NULL;
	struct fuse_req r;
	const void *arg;
	uint64_t ino = 0;
	long ret;

	if (in_len < sizeof(struct fuse_in_header) || out_cap < sizeof(struct fuse_out_header)) {
		ret = -EINVAL;		/* nowhere to put even an error */
		goto out_reply;
	}
	r.srv = srv;		/* every field set: no memset on the hot path */
	r.h = in;
	r.arg = (const uint8_t *)in + sizeof(struct fuse_in_header);
	r.alen = in_len - sizeof(struct fuse_in_header);
	r.out = out;
	r.cap = out_cap;
	srv->stats.requests++;
	if (r.h->len != in_len) {
		srv->stats.malformed++;
		ret = fuse_reply_err(&r, W_EINVAL);
		goto out_reply;
	}
	if (r.h->opcode < sizeof(fuse_ops) / sizeof(fuse_ops[0]) && fuse_ops[r.h->opcode].fn)
		op = &fuse_ops[r.h->opcode];
	if (!op || !(op->flags & OP_SESSION)) {
		if (!srv->initialized) {
			ret = fuse_reply_err(&r, W_EIO);
			goto out_reply;
		}
		/* No filesystem behind the server (the card without an SSD):
		 * requests that need one fail with EIO, unknown ones stay ENOSYS. */
		if (!srv->fs) {
			ret = fuse_reply_err(&r, op && !(op->flags & OP_DAX) ? W_EIO : W_ENOSYS);
			goto out_reply;
		}
		if (!op || !(op->flags & OP_NO_NODE)) {
			int32_t slot = fuse_slot_of(srv, r.h->nodeid);

			ino = slot == NO_NODE ? 0 : fuse_ino_of_slot(srv, slot);
			if (!ino) {
				ret = fuse_reply_err(&r, W_ESTALE);
				goto out_reply;
			}
		}
		if (!op || ((op->flags & OP_DAX) && !srv->dax)) {
			ret = fuse_reply_err(&r, W_ENOSYS);
			goto out_reply;
		}
	}
	arg = fuse_take(&r, op->min_len);
	if (!arg) {
		ret = op->flags & OP_NO_REPLY ? 0 : fuse_reply_err(&r, W_EINVAL);
		goto out_reply;
	}
	ret = op->fn(&r, ino, arg);
out_reply:
	return ret;
}

void fuse_server_init(struct fuse_server *srv, struct vfs *fs)
{
	memset(srv, 0, sizeof(*srv));
	srv->fs = fs;
	srv->root_ino = fs ? vfs_root(fs) : 0;
	fuse_node_init(srv);
	fuse_lk_init(srv);
}

/* Waiters and locks go first, so closing the handles frees no lock twice;
 * dropping the nodes writes their window pages back and unmaps them. */
void fuse_server_reset(struct fuse_server *srv)
{
	fuse_lk_reset(srv);
	fuse_node_reset(srv);
	fuse_dax_reset(srv);
	srv->initialized = 0;
}

int fuse_server_idle(struct fuse_server *srv)
{
	return srv->fs ? vfs_idle(srv->fs) : 0;
}

int fuse_server_idle_due(const struct fuse_server *srv)
{
	return srv->fs ? vfs_idle_due(srv->fs) : 0;
}
