/*
 * Names in directories: LOOKUP, the create-like requests (MKNOD, MKDIR,
 * SYMLINK, LINK, CREATE, TMPFILE: one helper, new_entry(), does what they
 * share), UNLINK, RMDIR, RENAME, RENAME2, and READDIR/READDIRPLUS, whose
 * PLUS entries hand out references as LOOKUP does.
 */
#include "fuse_int.h"

#include <errno.h>
#include <sys/stat.h>

long fuse_do_lookup(struct fuse_req *r, uint64_t dir, const void *arg)
{
	const char *name;
	size_t len;
	struct vfs_attr v;
	int err = fuse_take_name(r, &name, &len);
	long ret;

	(void)arg;
	if (err)
		return fuse_reply_err(r, err);
	ret = vfs_lookup(r->srv->fs, dir, name, len, &v);
	return ret ? fuse_reply_vfs_err(r, ret) : fuse_reply_entry(r, &v);
}

/* The reply to CREATE and TMPFILE: a new reference and an open handle. */
static long reply_created(struct fuse_req *r, const struct vfs_attr *v, uint32_t flags)
{
	struct {
		struct fuse_entry_out e;
		struct fuse_open_out o;
	} rep;
	int err;

	memset(&rep, 0, sizeof(rep));
	if ((err = fuse_node_ref(r->srv, v->ino, &rep.e.nodeid)))
		return fuse_reply_err(r, -err);
	fuse_fill_entry(&rep.e, v);
	err = fuse_handle_open(r->srv, fuse_slot_of(r->srv, rep.e.nodeid), flags, 0, &rep.o.fh);
	if (err) {
		fuse_node_forget(r->srv, rep.e.nodeid, 1);
		return fuse_reply_err(r, -err);
	}
	return fuse_reply_data(r, &rep, sizeof(rep));
}

/* What a create-like request asks for; new_entry() does the rest. */
enum new_kind { NEW_NODE, NEW_FILE, NEW_DIR, NEW_SYMLINK, NEW_LINK, NEW_TMPFILE };

struct new_args {
	enum new_kind kind;
	uint32_t mode;		/* file type and permission bits, umask applied */
	uint32_t rdev;		/* NEW_NODE */
	uint32_t flags;		/* NEW_FILE, NEW_TMPFILE: open(2) flags of the handle */
	uint64_t old;		/* NEW_LINK: node ID of the inode to link */
};

/*
 * The steps every create-like request shares: take the new name (TMPFILE
 * has none; SYMLINK's target follows it), make the inode, and answer with a
 * new reference to it, plus an open handle for CREATE and TMPFILE. CREATE
 * without O_EXCL opens a file that is already there.
 */
static long new_entry(struct fuse_req *r, uint64_t dir, const struct new_args *a)
{
	struct vfs *fs = r->srv->fs;
	const char *name = NULL, *target;
	size_t len = 0, tlen;
	struct vfs_attr v;
	int32_t slot;
	int err;
	long ret;

	if (a->kind != NEW_TMPFILE && (err = fuse_take_name(r, &name, &len))) {
		ret = fuse_reply_err(r, err);
		goto out_reply;
	}
	switch (a->kind) {
	case NEW_NODE:
	case NEW_FILE:
		err = vfs_mknod(fs, dir, name, len, a->mode, a->rdev, r->h->uid, r->h->gid, &v);
		if (err == -EEXIST && a->kind == NEW_FILE && !(a->flags & FUSE_O_EXCL))
			err = vfs_lookup(fs, dir, name, len, &v);
		break;
	case NEW_DIR:
		err = vfs_mkdir(fs, dir, name, len, a->mode, r->h->uid, r->h->gid, &v);
		break;
	case NEW_SYMLINK:
		target = (const char *)r->arg;
		tlen = strnlen(target, r->alen);
		if (tlen == r->alen || tlen == 0) {
			ret = fuse_reply_err(r, W_EINVAL);
			goto out_reply;
		}
		err = vfs_symlink(fs, dir, name, len, target, tlen, r->h->uid, r->h->gid, &v);
		break;
	case NEW_LINK:
		slot = fuse_slot_of(r->srv, a->old);
		if (slot == NO_NODE) {
			ret = fuse_reply_err(r, W_ESTALE);
			goto out_reply;
		}
		err = vfs_link(fs, fuse_ino_of_slot(r->srv, slot), dir, name, len, &v);
		break;
	default:
		err = vfs_tmpfile(fs, dir, a->mode, r->h->uid, r->h->gid, &v);
		break;
	}
	if (err)
		ret = fuse_reply_vfs_err(r, err);
	else if (a->kind == NEW_FILE || a->kind == NEW_TMPFILE)
		ret = reply_created(r, &v, a->flags);
	else
		ret = fuse_reply_entry(r, &v);
out_reply:
	return ret;
}

long fuse_do_mknod(struct fuse_req *r, uint64_t dir, const void *arg)
{
	const struct fuse_mknod_in *in = arg;
	struct new_args a = { .kind = NEW_NODE, .mode = in->mode & ~in->umask, .rdev = in->rdev };

	return new_entry(r, dir, &a);
}

long fuse_do_mkdir(struct fuse_req *r, uint64_t dir, const void *arg)
{
	const struct fuse_mkdir_in *in = arg;
	struct new_args a = { .kind = NEW_DIR, .mode = (in->mode & ~in->umask) | S_IFDIR };

	return new_entry(r, dir, &a);
}

long fuse_do_symlink(struct fuse_req *r, uint64_t dir, const void *arg)
{
	struct new_args a = { .kind = NEW_SYMLINK };

	(void)arg;
	return new_entry(r, dir, &a);
}

long fuse_do_link(struct fuse_req *r, uint64_t newdir, const void *arg)
{
	const struct fuse_link_in *in = arg;
	struct new_args a = { .kind = NEW_LINK, .old = in->oldnodeid };

	return new_entry(r, newdir, &a);
}

/* A regular file whatever the mode says: the guest makes others with MKNOD. */
long fuse_do_create(struct fuse_req *r, uint64_t dir, const void *arg)
{
	const struct fuse_create_in *in = arg;
	struct new_args a = {
		.kind = NEW_FILE, .mode = ((in->mode & ~in->umask) & 07777) | S_IFREG, .flags = in->flags,
	};

	return new_entry(r, dir, &a);
}

long fuse_do_tmpfile(struct fuse_req *r, uint64_t dir, const void *arg)
{
	const struct fuse_create_in *in = arg;
	struct new_args a = {
		.kind = NEW_TMPFILE, .mode = (in->mode & ~in->umask & 07777) | S_IFREG, .flags = in->flags,
	};

	return new_entry(r, dir, &a);
}

/* UNLINK and RMDIR. */
long fuse_do_unlink(struct fuse_req *r, uint64_t dir, const void *arg)
{
	int is_dir = r->h->opcode == FUSE_RMDIR;
	const char *name;
	size_t len;
	int err = fuse_take_name(r, &name, &len);
	long ret;

	(void)arg;
	if (err)
		return fuse_reply_err(r, err);
	ret = is_dir ? vfs_rmdir(r->srv->fs, dir, name, len) : vfs_unlink(r->srv->fs, dir, name, len);
	return fuse_reply_vfs_err(r, ret);
}

/* RENAME and RENAME2: fuse_rename2_in begins as fuse_rename_in does. */
long fuse_do_rename(struct fuse_req *r, uint64_t olddir, const void *arg)
{
	const struct fuse_rename2_in *in = arg;
	uint64_t newdir_id = in->newdir;
	uint32_t flags = r->h->opcode == FUSE_RENAME2 ? in->flags : 0;
	const char *oname, *nname;
	size_t olen, nlen;
	int32_t slot;
	int err;
	long ret;

	if (flags & ~(FUSE_RENAME_NOREPLACE | FUSE_RENAME_EXCHANGE))
		return fuse_reply_err(r, W_EINVAL);		/* WHITEOUT and unknown flags */
	if ((err = fuse_take_name(r, &oname, &olen)) || (err = fuse_take_name(r, &nname, &nlen)))
		return fuse_reply_err(r, err);
	slot = fuse_slot_of(r->srv, newdir_id);
	if (slot == NO_NODE)
		return fuse_reply_err(r, W_ESTALE);
	ret = vfs_rename(r->srv->fs, olddir, oname, olen, fuse_ino_of_slot(r->srv, slot), nname, nlen,
			 (flags & FUSE_RENAME_NOREPLACE ? VFS_RENAME_NOREPLACE : 0) |
			 (flags & FUSE_RENAME_EXCHANGE ? VFS_RENAME_EXCHANGE : 0));
	return fuse_reply_vfs_err(r, ret);
}

struct dir_fill {
	struct fuse_req *r;
	size_t used;
	int plus;
	int full;
};

static int fill_one(void *ctx, const char *name, size_t namelen, uint64_t ino, unsigned dtype,
		    uint64_t next_cookie)
{
	struct dir_fill *f = ctx;
	struct fuse_req *r = f->r;
	size_t base = sizeof(struct fuse_out_header) + f->used;
	size_t rec = FUSE_DIRENT_ALIGN(FUSE_NAME_OFFSET + namelen);
	size_t head = f->plus ? offsetof(struct fuse_direntplus, dirent) : 0;
	struct fuse_dirent d;

	if (base + head + rec > r->cap) {
		f->full = 1;
		return 1;
	}
	if (f->plus) {
		struct fuse_entry_out e;
		struct vfs_attr v;

		memset(&e, 0, sizeof(e));
		/* "." and ".." and entries we cannot stat get no reference. */
		if (!(namelen == 1 && name[0] == '.') && !(namelen == 2 && name[0] == '.' && name[1] == '.') &&
		    vfs_getattr(r->srv->fs, ino, &v) == 0 && fuse_node_ref(r->srv, v.ino, &e.nodeid) == 0) {
			fuse_fill_entry(&e, &v);
		}
		memcpy(r->out + base, &e, sizeof(e));
	}
	memset(&d, 0, sizeof(d));
	d.ino = ino;
	d.off = next_cookie;
	d.namelen = (uint32_t)namelen;
	d.type = dtype;
	memcpy(r->out + base + head, &d, FUSE_NAME_OFFSET);
	memcpy(r->out + base + head + FUSE_NAME_OFFSET, name, namelen);
	memset(r->out + base + head + FUSE_NAME_OFFSET + namelen, 0, rec - FUSE_NAME_OFFSET - namelen);
	f->used += head + rec;
	return 0;
}

/* READDIR and READDIRPLUS. */
long fuse_do_readdir(struct fuse_req *r, uint64_t ino, const void *arg)
{
	const struct fuse_read_in *in = arg;
	struct dir_fill f = { .r = r, .plus = r->h->opcode == FUSE_READDIRPLUS };
	size_t cap_save = r->cap;
	long ret;

	if (!fuse_handle_get(r, in->fh, 1))
		return fuse_reply_err(r, W_EBADF);
	if (sizeof(struct fuse_out_header) + in->size < r->cap)
		r->cap = sizeof(struct fuse_out_header) + in->size;
	ret = vfs_readdir(r->srv->fs, ino, in->offset, fill_one, &f);
	r->cap = cap_save;
	if (ret < 0 && !f.used)
		return fuse_reply_vfs_err(r, ret);
	return fuse_reply_data(r, r->out + sizeof(struct fuse_out_header), f.used);
}
