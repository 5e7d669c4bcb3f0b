/*
 * Attributes: GETATTR, SETATTR (a size change also moves EOF in the DAX
 * window), ACCESS, READLINK, STATFS and the xattr requests, and the two
 * replies that carry attributes (an entry with its new reference, and a bare
 * attr).
 */
#include "fuse_int.h"

#include <errno.h>

/* Every field set, so no memset first (the most frequent reply). */
_Static_assert(sizeof(struct fuse_attr) == 88, "fuse_attr: a field fill_attr does not set");
static void fill_attr(struct fuse_attr *a, const struct vfs_attr *v)
{
	a->ino = v->ino;
	a->size = v->size;
	a->blocks = v->blocks;
	a->atime = v->atime;
	a->mtime = v->mtime;
	a->ctime = v->ctime;
	a->atimensec = v->atimensec;
	a->mtimensec = v->mtimensec;
	a->ctimensec = v->ctimensec;
	a->mode = v->mode;
	a->nlink = v->nlink;
	a->uid = v->uid;
	a->gid = v->gid;
	a->rdev = v->rdev;
	a->blksize = v->blksize ? v->blksize : 4096;
	a->flags = 0;
}

/* An entry's attributes and how long the guest may keep them; the node ID
 * (the reference) is the caller's business. */
void fuse_fill_entry(struct fuse_entry_out *e, const struct vfs_attr *v)
{
	e->generation = v->generation;
	e->entry_valid = ENTRY_VALID_S;
	e->attr_valid = ATTR_VALID_S;
	fill_attr(&e->attr, v);
}

/* The reply to LOOKUP / MKNOD / MKDIR / SYMLINK / LINK: a new reference. */
long fuse_reply_entry(struct fuse_req *r, const struct vfs_attr *v)
{
	struct fuse_entry_out stack, *e = &stack;
	uint8_t *dst = r->out + sizeof(struct fuse_out_header);
	uint64_t nodeid;
	int ret;

	/* built in place when it can be (see reply_attr) */
	if (!((uintptr_t)dst & (_Alignof(struct fuse_entry_out) - 1)) &&
	    sizeof(struct fuse_out_header) + sizeof(*e) <= r->cap)
		e = (struct fuse_entry_out *)(void *)dst;
	ret = fuse_node_ref(r->srv, v->ino, &nodeid);
	if (ret)
		return fuse_reply_err(r, -ret);
	e->nodeid = nodeid;
	e->entry_valid_nsec = 0;
	e->attr_valid_nsec = 0;
	fuse_fill_entry(e, v);
	return fuse_reply_data(r, e, sizeof(*e));
}

/* Built where the reply goes when the buffer is aligned for it (the
 * usual case): GETATTR is the most frequent request, and a copy of the
 * reply costs as much as the rest of it. */
static long reply_attr(struct fuse_req *r, const struct vfs_attr *v)
{
	struct fuse_attr_out stack, *a = &stack;
	uint8_t *dst = r->out + sizeof(struct fuse_out_header);

	if (!((uintptr_t)dst & (_Alignof(struct fuse_attr_out) - 1)) &&
	    sizeof(struct fuse_out_header) + sizeof(*a) <= r->cap)
		a = (struct fuse_attr_out *)(void *)dst;
	a->attr_valid = ATTR_VALID_S;
	a->attr_valid_nsec = 0;
	a->dummy = 0;
	fill_attr(&a->attr, v);
	return fuse_reply_data(r, a, sizeof(*a));
}

long fuse_do_getattr(struct fuse_req *r, uint64_t ino, const void *arg)
{
	const struct vfs_attr *c = vfs_getattr_cached(r->srv->fs, ino);
	struct vfs_attr v;
	long ret;

	(void)arg;
	if (c)
		return reply_attr(r, c);
	ret = vfs_getattr(r->srv->fs, ino, &v);
	return ret ? fuse_reply_vfs_err(r, ret) : reply_attr(r, &v);
}

long fuse_do_setattr(struct fuse_req *r, uint64_t ino, const void *arg)
{
	const struct fuse_setattr_in *in = arg;
	int32_t slot = fuse_slot_of(r->srv, r->h->nodeid);
	struct vfs_setattr sa;
	struct vfs_attr v;
	uint64_t old = 0;
	int track;
	long ret;

	/* A size change of a file in the DAX window moves its EOF there too. */
	track = (in->valid & FATTR_SIZE) && fuse_dax_has_pages(r->srv, slot);
	if (track) {
		ret = vfs_getattr(r->srv->fs, ino, &v);
		if (ret)
			return fuse_reply_vfs_err(r, ret);
		old = v.size;
	}
	memset(&sa, 0, sizeof(sa));
	if (in->valid & FATTR_MODE) { sa.valid |= VFS_SET_MODE; sa.mode = in->mode; }
	if (in->valid & FATTR_UID) { sa.valid |= VFS_SET_UID; sa.uid = in->uid; }
	if (in->valid & FATTR_GID) { sa.valid |= VFS_SET_GID; sa.gid = in->gid; }
	if (in->valid & FATTR_SIZE) { sa.valid |= VFS_SET_SIZE; sa.size = in->size; }
	if (in->valid & FATTR_ATIME) { sa.valid |= VFS_SET_ATIME; sa.atime = in->atime; sa.atimensec = in->atimensec; }
	if (in->valid & FATTR_MTIME) { sa.valid |= VFS_SET_MTIME; sa.mtime = in->mtime; sa.mtimensec = in->mtimensec; }
	if (in->valid & FATTR_ATIME_NOW) sa.valid |= VFS_SET_ATIME_NOW;
	if (in->valid & FATTR_MTIME_NOW) sa.valid |= VFS_SET_MTIME_NOW;
	if (in->valid & FATTR_CTIME) { sa.valid |= VFS_SET_CTIME; sa.ctime = in->ctime; sa.ctimensec = in->ctimensec; }
	ret = vfs_setattr(r->srv->fs, ino, &sa, &v);
	if (!ret && track && v.size != old)
		fuse_dax_zero_from(r->srv, slot, v.size < old ? v.size : old, old);
	return ret ? fuse_reply_vfs_err(r, ret) : reply_attr(r, &v);
}

/* ACCESS answers whether the inode is still there: the server checks no
 * permission bits of its own. */
long fuse_do_access(struct fuse_req *r, uint64_t ino, const void *arg)
{
	struct vfs_attr v;

	(void)arg;
	return fuse_reply_vfs_err(r, vfs_getattr(r->srv->fs, ino, &v));
}

long fuse_do_readlink(struct fuse_req *r, uint64_t ino, const void *arg)
{
	size_t room = r->cap > sizeof(struct fuse_out_header) ? r->cap - sizeof(struct fuse_out_header) : 0;
	long n = vfs_readlink(r->srv->fs, ino, (char *)r->out + sizeof(struct fuse_out_header), room);

	(void)arg;
	if (n < 0)
		return fuse_reply_vfs_err(r, n);
	if ((size_t)n > room)
		return fuse_reply_err(r, W_ERANGE);
	return fuse_reply_data(r, r->out + sizeof(struct fuse_out_header), (size_t)n);
}

long fuse_do_statfs(struct fuse_req *r, uint64_t ino, const void *arg)
{
	struct vfs_statfs s;
	struct fuse_statfs_out o;
	long ret = vfs_statfs(r->srv->fs, &s);

	(void)ino;
	(void)arg;
	if (ret)
		return fuse_reply_vfs_err(r, ret);
	memset(&o, 0, sizeof(o));
	o.st.blocks = s.blocks;
	o.st.bfree = s.bfree;
	o.st.bavail = s.bavail;
	o.st.files = s.files;
	o.st.ffree = s.ffree;
	o.st.bsize = s.bsize;
	o.st.namelen = s.namelen;
	o.st.frsize = s.frsize;
	return fuse_reply_data(r, &o, sizeof(o));
}

long fuse_do_xattr(struct fuse_req *r, uint64_t ino, const void *arg)
{
	uint32_t op = r->h->opcode;
	const char *name = NULL;
	long n;

	if (op == FUSE_SETXATTR) {
		/* The 16-byte form only when INIT agreed on FUSE_SETXATTR_EXT;
		 * otherwise the guest sends size and flags (8 bytes, what the
		 * opcode table took). */
		const struct fuse_setxattr_in *in = arg;
		size_t len;
		int err;

		if ((r->srv->init_flags & FUSE_SETXATTR_EXT) &&
		    !fuse_take(r, sizeof(*in) - FUSE_COMPAT_SETXATTR_IN_SIZE))
			return fuse_reply_err(r, W_EINVAL);
		if ((err = fuse_take_xattr_name(r, &name, &len)))
			return fuse_reply_err(r, err);
		if (in->size > r->alen || in->size > FUSE_XATTR_SIZE_MAX)
			return fuse_reply_err(r, W_EINVAL);
		return fuse_reply_vfs_err(r, vfs_setxattr(r->srv->fs, ino, name, r->arg, in->size, (int)in->flags));
	}
	if (op == FUSE_REMOVEXATTR) {
		size_t len;
		int err = fuse_take_xattr_name(r, &name, &len);

		if (err)
			return fuse_reply_err(r, err);
		return fuse_reply_vfs_err(r, vfs_removexattr(r->srv->fs, ino, name));
	}
	{
		const struct fuse_getxattr_in *in = arg;
		size_t room = r->cap - sizeof(struct fuse_out_header), want;
		uint8_t *dst = r->out + sizeof(struct fuse_out_header);

		if (op == FUSE_GETXATTR) {
			size_t len;
			int err = fuse_take_xattr_name(r, &name, &len);

			if (err)
				return fuse_reply_err(r, err);
		}
		/* The guest's buffer may be larger than the reply room (a 64 KiB
		 * getxattr on the card, whose replies are smaller): read into what
		 * fits; only a value that does not fit is refused. */
		want = in->size < room ? in->size : room;
		n = op == FUSE_GETXATTR ? vfs_getxattr(r->srv->fs, ino, name, want ? dst : NULL, want)
					: vfs_listxattr(r->srv->fs, ino, want ? (char *)dst : NULL, want);
		if (n == -ERANGE && in->size > room)
			return fuse_reply_err(r, W_E2BIG);	/* fits the guest's buffer, not ours */
		if (n < 0)
			return fuse_reply_vfs_err(r, n);
		if (!in->size) {
			struct fuse_getxattr_out o = { .size = (uint32_t)n };

			return fuse_reply_data(r, &o, sizeof(o));
		}
		return fuse_reply_data(r, dst, (size_t)n);
	}
}
