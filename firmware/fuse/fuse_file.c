/*
 * Open files: OPEN/OPENDIR (O_TRUNC included), READ and WRITE (through the
 * DAX window when the file has pages there), FLUSH and RELEASE (with the
 * locks they drop), FSYNC, FALLOCATE, LSEEK and COPY_FILE_RANGE. Every
 * request after OPEN names its handle, which must be open on its node.
 */
#include "fuse_int.h"

#include <errno.h>
#include <sys/stat.h>

long fuse_do_open(struct fuse_req *r, uint64_t ino, const void *arg)
{
	const struct fuse_open_in *in = arg;
	int is_dir = r->h->opcode == FUSE_OPENDIR;
	struct fuse_open_out o;
	struct vfs_attr v;
	long ret;
	int err;

	ret = vfs_getattr(r->srv->fs, ino, &v);
	if (ret)
		return fuse_reply_vfs_err(r, ret);
	if (is_dir != S_ISDIR(v.mode))
		return fuse_reply_err(r, is_dir ? 20 /* ENOTDIR */ : 21 /* EISDIR */);
	if (!is_dir && (in->flags & FUSE_O_TRUNC) && (in->flags & FUSE_O_ACCMODE) != FUSE_O_RDONLY) {
		struct vfs_setattr sa = { .valid = VFS_SET_SIZE, .size = 0 };
		uint64_t old = v.size;

		ret = vfs_setattr(r->srv->fs, ino, &sa, &v);
		if (ret)
			return fuse_reply_vfs_err(r, ret);
		fuse_dax_zero_from(r->srv, fuse_slot_of(r->srv, r->h->nodeid), 0, old);
	}
	memset(&o, 0, sizeof(o));
	err = fuse_handle_open(r->srv, fuse_slot_of(r->srv, r->h->nodeid), in->flags, is_dir, &o.fh);
	if (err)
		return fuse_reply_err(r, -err);
	return fuse_reply_data(r, &o, sizeof(o));
}

/* The file's size for struct fuse_srv_ref, UINT64_MAX when it cannot be
 * had (nothing is then built on it). */
static uint64_t file_size(struct vfs *fs, uint64_t ino)
{
	const struct vfs_attr *c = vfs_getattr_cached(fs, ino);
	struct vfs_attr v;

	if (c)
		return c->size;
	if (vfs_getattr(fs, ino, &v))
		return UINT64_MAX;
	return v.size;
}

/*
 * READ with its data left where the page cache holds it (struct
 * fuse_srv_ref): the reply buffer gets the header, and the bytes the cache
 * could not describe (no unpinned frame, pieces used up) are copied after it
 * as one more piece.
 */
static long read_by_ref(struct fuse_req *r, uint64_t ino, uint64_t off, size_t n)
{
	struct fuse_srv_ref *ref = &r->srv->ref;
	struct fuse_out_header o = { .unique = r->h->unique };
	uint8_t *tail = r->out + sizeof(o);
	unsigned ns = 0;
	long got, more = 0;

	got = vfs_read_ref(r->srv->fs, ino, off, n, ref->seg, FUSE_SRV_REF_SEGS - 1, &ns);
	if (got < 0)
		return fuse_reply_vfs_err(r, got);
	if ((size_t)got < n) {
		more = vfs_read(r->srv->fs, ino, off + (uint64_t)got, tail, n - (size_t)got);
		if (more < 0 && !got)
			return fuse_reply_vfs_err(r, more);
		if (more < 0)
			more = 0;	/* a short read, as the copying path answers */
		if (more) {
			ref->seg[ns].p = tail;
			ref->seg[ns].len = (uint32_t)more;
			ns++;
		}
	}
	ref->nseg = ns;
	ref->size = file_size(r->srv->fs, ino);
	o.len = (uint32_t)(sizeof(o) + (size_t)got + (size_t)more);
	memcpy(r->out, &o, sizeof(o));
	return (long)o.len;
}

long fuse_do_read(struct fuse_req *r, uint64_t ino, const void *arg)
{
	const struct fuse_read_in *in = arg;
	size_t room, n;
	long got;

	if (!fuse_handle_get(r, in->fh, 0))
		return fuse_reply_err(r, W_EBADF);
	room = r->cap - sizeof(struct fuse_out_header);
	n = in->size < room ? in->size : room;
	if (r->srv->ref.ok && !fuse_dax_has_pages(r->srv, fuse_slot_of(r->srv, r->h->nodeid)))
		return read_by_ref(r, ino, in->offset, n);
	got = fuse_dax_read(r->srv, fuse_slot_of(r->srv, r->h->nodeid), ino, in->offset,
			    r->out + sizeof(struct fuse_out_header), n);
	if (got < 0)
		return fuse_reply_vfs_err(r, got);
	return fuse_reply_data(r, r->out + sizeof(struct fuse_out_header), (size_t)got);
}

long fuse_do_write(struct fuse_req *r, uint64_t ino, const void *arg)
{
	const struct fuse_write_in *in = arg;
	struct fuse_srv_handle *h;
	struct fuse_write_out o;
	uint64_t off;
	long n;

	if (in->size > r->alen || in->size > FUSE_SRV_MAX_WRITE)
		return fuse_reply_err(r, W_EINVAL);		/* payload missing or too large */
	h = fuse_handle_get(r, in->fh, 0);
	if (!h || (h->flags & FUSE_O_ACCMODE) == FUSE_O_RDONLY)
		return fuse_reply_err(r, W_EBADF);
	off = in->offset;
	if (h->flags & FUSE_O_APPEND) {
		struct vfs_attr v;
		long ret = vfs_getattr(r->srv->fs, ino, &v);

		if (ret)
			return fuse_reply_vfs_err(r, ret);
		off = v.size;
	}
	n = fuse_dax_write(r->srv, h->node, ino, off, r->arg, in->size);
	/* O_DIRECT and O_SYNC/O_DSYNC writes reach the device before the
	 * answer, as when the page cache wrote through (an O_SYNC write is
	 * made durable by the FSYNC the guest sends after it) */
	if (n > 0 && (h->flags & (FUSE_O_DIRECT | FUSE_O_DSYNC))) {
		int err = vfs_writeback(r->srv->fs, ino, off, (uint64_t)n);

		if (err)
			n = err;
	}
	if (n < 0)
		return fuse_reply_vfs_err(r, n);
	memset(&o, 0, sizeof(o));
	o.size = (uint32_t)n;
	return fuse_reply_data(r, &o, sizeof(o));
}

long fuse_do_release(struct fuse_req *r, uint64_t ino, const void *arg)
{
	const struct fuse_release_in *in = arg;
	int is_dir = r->h->opcode == FUSE_RELEASEDIR;
	struct fuse_srv_handle *h;

	(void)ino;
	h = fuse_handle_get(r, in->fh, is_dir);
	if (!h)
		return fuse_reply_err(r, W_EBADF);
	if (!is_dir && (in->release_flags & FUSE_RELEASE_FLOCK_UNLOCK))
		fuse_lk_drop(r->srv, h->node, in->lock_owner, 0);
	fuse_handle_close(r->srv, h);
	return fuse_reply_err(r, 0);
}

/* close(2) of one descriptor: POSIX drops the closing owner's locks on the file. */
long fuse_do_flush(struct fuse_req *r, uint64_t ino, const void *arg)
{
	const struct fuse_flush_in *in = arg;
	struct fuse_srv_handle *h;

	h = fuse_handle_get(r, in->fh, 0);
	if (!h)
		return fuse_reply_err(r, W_EBADF);
	fuse_lk_drop(r->srv, h->node, in->lock_owner, 0);
	/* close(2) learns of a write-back that failed since the write was
	 * answered (the data is lost: EIO, as FSYNC says) */
	return fuse_reply_vfs_err(r, vfs_flush(r->srv->fs, ino));
}

/*
 * COPY_FILE_RANGE: at most FUSE_SRV_MAX_WRITE bytes per request through the
 * scratch buffer (the guest loops on a short copy); nothing past the input's
 * end. Within one file, overlapping ranges copy as memmove does: back to
 * front when the output lies above the input. A forward copy that fails part
 * way reports what it copied; a backward one reports the error.
 */
long fuse_do_copy_file_range(struct fuse_req *r, uint64_t ino_in, const void *arg)
{
	const struct fuse_copy_file_range_in *in = arg;
	struct fuse_server *s = r->srv;
	struct fuse_srv_handle *hin, *hout;
	struct fuse_write_out o;
	struct vfs_attr v;
	uint64_t ino_out, len, done = 0;
	int32_t slot_out;
	int backward;
	long ret;

	if (in->flags || in->off_in > FUSE_OFFSET_MAX || in->off_out > FUSE_OFFSET_MAX)
		return fuse_reply_err(r, W_EINVAL);
	slot_out = fuse_slot_of(s, in->nodeid_out);
	if (slot_out == NO_NODE)
		return fuse_reply_err(r, W_ESTALE);
	ino_out = fuse_ino_of_slot(s, slot_out);
	hin = fuse_handle_get(r, in->fh_in, 0);
	if (!hin || (hin->flags & FUSE_O_ACCMODE) == FUSE_O_WRONLY)
		return fuse_reply_err(r, W_EBADF);
	{
		/* fuse_handle_get checks against the request's node: fh_out belongs to nodeid_out. */
		uint32_t i = (uint32_t)in->fh_out;

		hout = i < FUSE_SRV_MAX_HANDLES ? &s->handles[i] : NULL;
		if (!hout || hout->node == FREE_HANDLE || hout->gen != (uint32_t)(in->fh_out >> 32) ||
		    hout->is_dir || hout->node != slot_out || (hout->flags & FUSE_O_ACCMODE) == FUSE_O_RDONLY ||
		    (hout->flags & FUSE_O_APPEND))
			return fuse_reply_err(r, W_EBADF);
	}
	ret = vfs_getattr(s->fs, ino_in, &v);
	if (ret)
		return fuse_reply_vfs_err(r, ret);
	len = in->len < FUSE_SRV_MAX_WRITE ? in->len : FUSE_SRV_MAX_WRITE;
	if (in->off_in >= v.size)
		len = 0;
	else if (len > v.size - in->off_in)
		len = v.size - in->off_in;
	backward = ino_in == ino_out && in->off_out > in->off_in && in->off_out < in->off_in + len;
	while (done < len) {
		uint64_t left = len - done;
		uint64_t n = left < FUSE_SRV_SCRATCH ? left : FUSE_SRV_SCRATCH;
		uint64_t at = backward ? left - n : done;	/* offset of this chunk in the range */
		long got, put;

		got = fuse_dax_read(s, fuse_slot_of(s, r->h->nodeid), ino_in, in->off_in + at, s->scratch, (size_t)n);
		if (got < 0 || (backward && (uint64_t)got != n)) {
			ret = got < 0 ? got : -EIO;
			goto out_err;
		}
		if (got == 0)
			break;
		put = fuse_dax_write(s, slot_out, ino_out, in->off_out + at, s->scratch, (size_t)got);
		if (put < 0 || (backward && put != got)) {
			ret = put < 0 ? put : -EFBIG;
			goto out_err;
		}
		done += (uint64_t)put;
		if (put < got)
			break;
	}
	memset(&o, 0, sizeof(o));
	o.size = (uint32_t)done;
	return fuse_reply_data(r, &o, sizeof(o));
out_err:
	if (done && !backward) {
		memset(&o, 0, sizeof(o));
		o.size = (uint32_t)done;
		return fuse_reply_data(r, &o, sizeof(o));
	}
	return fuse_reply_vfs_err(r, ret);
}

/* In the DAX window, a punched or zeroed range reads as zeros at once, and
 * a size grown by fallocate clears what lay past the old EOF. */
long fuse_do_fallocate(struct fuse_req *r, uint64_t ino, const void *arg)
{
	const struct fuse_fallocate_in *in = arg;
	struct vfs_attr v;
	uint64_t old = 0;
	int32_t slot;
	long ret;

	if (!fuse_handle_get(r, in->fh, 0))
		return fuse_reply_err(r, W_EBADF);
	slot = fuse_slot_of(r->srv, r->h->nodeid);
	if (fuse_dax_has_pages(r->srv, slot)) {
		ret = vfs_getattr(r->srv->fs, ino, &v);
		if (ret)
			return fuse_reply_vfs_err(r, ret);
		old = v.size;
	}
	ret = vfs_fallocate(r->srv->fs, ino, in->mode, in->offset, in->length);
	if (!ret && fuse_dax_has_pages(r->srv, slot)) {
		uint64_t end = in->length > FUSE_OFFSET_MAX - in->offset ? FUSE_OFFSET_MAX : in->offset + in->length;

		if (in->mode & (FUSE_FALLOC_PUNCH_HOLE | FUSE_FALLOC_ZERO_RANGE))
			fuse_dax_zero_span(r->srv, slot, in->offset, end < old ? end : old);
		if (vfs_getattr(r->srv->fs, ino, &v) == 0 && v.size > old)
			fuse_dax_zero_from(r->srv, slot, old, old);
	}
	return fuse_reply_vfs_err(r, ret);
}

long fuse_do_lseek(struct fuse_req *r, uint64_t ino, const void *arg)
{
	const struct fuse_lseek_in *in = arg;
	struct fuse_lseek_out o;
	uint64_t res;
	long ret;

	if (in->whence != FUSE_SEEK_DATA && in->whence != FUSE_SEEK_HOLE)
		return fuse_reply_err(r, W_EINVAL);
	/* Data only the window holds is not in the file's extents yet. */
	ret = fuse_dax_sync_node(r->srv, fuse_slot_of(r->srv, r->h->nodeid), FUSE_DAX_KEEP);
	if (ret)
		return fuse_reply_vfs_err(r, ret);
	ret = vfs_lseek(r->srv->fs, ino, in->offset, in->whence == FUSE_SEEK_DATA ? 3 : 4, &res);
	if (ret)
		return fuse_reply_vfs_err(r, ret);
	o.offset = res;
	return fuse_reply_data(r, &o, sizeof(o));
}

/* FSYNC writes the file's dirty window pages first, and answers a failure of
 * theirs (now, or an earlier one of REMOVEMAPPING or RELEASE). */
long fuse_do_fsync(struct fuse_req *r, uint64_t ino, const void *arg)
{
	const struct fuse_fsync_in *in = arg;
	int is_dir = r->h->opcode == FUSE_FSYNCDIR;
	struct fuse_srv_handle *h;
	int err = 0, ret;

	h = fuse_handle_get(r, in->fh, is_dir);
	if (!h)
		return fuse_reply_err(r, W_EBADF);
	if (!is_dir)
		err = fuse_dax_fsync_node(r->srv, h->node);
	ret = vfs_fsync(r->srv->fs, ino, (int)(in->fsync_flags & 1));
	return fuse_reply_vfs_err(r, err ? err : ret);
}
