/*
 * What the pieces of the FUSE server share, and nothing callers see (their
 * interface is fuse_server.h and fuse_dax.h). The pieces, as Linux splits
 * fs/fuse:
 *
 *  fuse_server.c	the session: replies, request arguments, INIT, DESTROY,
 *			FORGET, INTERRUPT, SYNCFS, the opcode table, dispatch;
 *  fuse_node.c		node IDs and file handles (slot + generation tables);
 *  fuse_lock.c		POSIX record locks and the SETLKW waiters;
 *  fuse_dax.c		the DAX window as the cache of mapped file pages;
 *  fuse_dir.c		names: LOOKUP, the create-like requests, UNLINK, RMDIR,
 *			RENAME, READDIR;
 *  fuse_file.c		open files: OPEN, READ, WRITE, FLUSH, RELEASE, FSYNC,
 *			FALLOCATE, LSEEK, COPY_FILE_RANGE;
 *  fuse_attr.c		attributes: GETATTR, SETATTR, ACCESS, READLINK, STATFS,
 *			the xattr requests, and the entry and attr replies.
 *
 * A handler gets the request with its fixed argument already taken (the
 * opcode table's minimum length was checked) and the inode its node ID
 * names; it returns what fuse_dispatch() returns.
 */
#ifndef FUSE_INT_H
#define FUSE_INT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuse_dax.h"
#include "fuse_server.h"
#include "fuse_wire.h"

#define ATTR_VALID_S 1
#define ENTRY_VALID_S 1
#define NODE_BASE 2u		/* node IDs below this are not table slots */
#define NO_NODE (-1)
#define ROOT_NODE (-2)
#define FREE_HANDLE (-1)
#define FREE_LOCK (-1)

/* Linux errno values the server itself puts on the wire. */
#define W_EPERM 1
#define W_ENOENT 2
#define W_EINTR 4
#define W_EIO 5
#define W_ENXIO 6
#define W_EBADF 9
#define W_EAGAIN 11
#define W_ENOMEM 12
#define W_EACCES 13
#define W_EINVAL 22
#define W_ENFILE 23
#define W_EFBIG 27
#define W_ERANGE 34
#define W_E2BIG 7
#define W_EDEADLK 35
#define W_ENAMETOOLONG 36
#define W_ENOLCK 37
#define W_ENOSYS 38
#define W_ESTALE 116

/* One request on its way through the server. */
struct fuse_req {
	struct fuse_server *srv;
	const struct fuse_in_header *h;
	const uint8_t *arg;	/* arguments not taken yet */
	size_t alen;
	uint8_t *out;
	size_t cap;
};

typedef long (*fuse_handler_t)(struct fuse_req *r, uint64_t ino, const void *arg);

/* ------------------------------------------------ session (fuse_server.c) */

long fuse_reply_err(struct fuse_req *r, int wire_err);
long fuse_reply_vfs_err(struct fuse_req *r, long err);
long fuse_reply_data(struct fuse_req *r, const void *p, size_t n);
int fuse_take_name(struct fuse_req *r, const char **name, size_t *len);
int fuse_take_xattr_name(struct fuse_req *r, const char **name, size_t *len);

/* Inline: every request takes its arguments through this. */
static inline const void *fuse_take(struct fuse_req *r, size_t n)
{
	const void *p;

	if (r->alen < n)
		return NULL;
	p = r->arg;
	r->arg += n;
	r->alen -= n;
	return p;
}

/* ---------------------------------------------- nodes and handles (fuse_node.c) */

/* The table slot a node ID names (ROOT_NODE for the root), or NO_NODE.
 * Inline: most requests resolve their node ID, some twice. */
static inline int32_t fuse_slot_of(const struct fuse_server *s, uint64_t nodeid)
{
	uint32_t low = (uint32_t)nodeid, gen = (uint32_t)(nodeid >> 32);

	if (nodeid == FUSE_ROOT_ID)
		return ROOT_NODE;
	if (low < NODE_BASE || low - NODE_BASE >= FUSE_SRV_MAX_NODES)
		return NO_NODE;
	low -= NODE_BASE;
	if (!s->nodes[low].ino || s->nodes[low].gen != gen)
		return NO_NODE;
	return (int32_t)low;
}

static inline uint64_t fuse_ino_of_slot(const struct fuse_server *s, int32_t slot)
{
	return slot == ROOT_NODE ? s->root_ino : s->nodes[slot].ino;
}

void fuse_node_init(struct fuse_server *s);
void fuse_node_reset(struct fuse_server *s);
int fuse_node_ref(struct fuse_server *s, uint64_t ino, uint64_t *nodeid);
void fuse_node_forget(struct fuse_server *s, uint64_t nodeid, uint64_t n);
int fuse_handle_open(struct fuse_server *s, int32_t slot, uint32_t flags, int is_dir, uint64_t *fh);
struct fuse_srv_handle *fuse_handle_get(struct fuse_req *r, uint64_t fh, int is_dir);
void fuse_handle_close(struct fuse_server *s, struct fuse_srv_handle *h);
int fuse_handle_may_map(struct fuse_req *r, int32_t slot, uint64_t fh, int writable);

/* ------------------------------------------------------ locks (fuse_lock.c) */

void fuse_lk_init(struct fuse_server *s);
void fuse_lk_reset(struct fuse_server *s);
void fuse_lk_drop(struct fuse_server *s, int32_t node, uint64_t owner, int all_owners);
void fuse_lk_closed(struct fuse_server *s, uint64_t fh);
void fuse_lk_interrupt(struct fuse_server *s, uint64_t unique);
long fuse_do_lk(struct fuse_req *r, uint64_t ino, const void *arg);

/* ---------------------------------------------------- DAX window (fuse_dax.c) */

/* write dirty pages back; they stay mapped (FSYNC, RELEASE, SYNCFS) */
#define FUSE_DAX_KEEP 0
/* write back unless the inode has no link left, then unmap all (node dropped) */
#define FUSE_DAX_DROP 1

static inline int fuse_dax_has_pages(const struct fuse_server *s, int32_t slot)
{
	return s->dax && slot >= 0 && s->dax->node[slot].pages;
}

int fuse_dax_sync_node(struct fuse_server *s, int32_t slot, int how);
void fuse_dax_drop_node(struct fuse_server *s, int32_t slot);
int fuse_dax_fsync_node(struct fuse_server *s, int32_t slot);
void fuse_dax_zero_from(struct fuse_server *s, int32_t slot, uint64_t from, uint64_t old_size);
void fuse_dax_zero_span(struct fuse_server *s, int32_t slot, uint64_t a, uint64_t b);
void fuse_dax_reset(struct fuse_server *s);
long fuse_dax_read(struct fuse_server *s, int32_t slot, uint64_t ino, uint64_t off, void *buf, size_t len);
long fuse_dax_write(struct fuse_server *s, int32_t slot, uint64_t ino, uint64_t off, const void *buf,
		    size_t len);
long fuse_do_setupmapping(struct fuse_req *r, uint64_t ino, const void *arg);
long fuse_do_removemapping(struct fuse_req *r, uint64_t ino, const void *arg);

/* ------------------------------------------------ directories (fuse_dir.c) */

long fuse_do_lookup(struct fuse_req *r, uint64_t dir, const void *arg);
long fuse_do_mknod(struct fuse_req *r, uint64_t dir, const void *arg);
long fuse_do_mkdir(struct fuse_req *r, uint64_t dir, const void *arg);
long fuse_do_symlink(struct fuse_req *r, uint64_t dir, const void *arg);
long fuse_do_link(struct fuse_req *r, uint64_t newdir, const void *arg);
long fuse_do_create(struct fuse_req *r, uint64_t dir, const void *arg);
long fuse_do_tmpfile(struct fuse_req *r, uint64_t dir, const void *arg);
long fuse_do_unlink(struct fuse_req *r, uint64_t dir, const void *arg);
long fuse_do_rename(struct fuse_req *r, uint64_t olddir, const void *arg);
long fuse_do_readdir(struct fuse_req *r, uint64_t ino, const void *arg);

/* ---------------------------------------------------- files (fuse_file.c) */

long fuse_do_open(struct fuse_req *r, uint64_t ino, const void *arg);
long fuse_do_read(struct fuse_req *r, uint64_t ino, const void *arg);
long fuse_do_write(struct fuse_req *r, uint64_t ino, const void *arg);
long fuse_do_flush(struct fuse_req *r, uint64_t ino, const void *arg);
long fuse_do_release(struct fuse_req *r, uint64_t ino, const void *arg);
long fuse_do_fsync(struct fuse_req *r, uint64_t ino, const void *arg);
long fuse_do_fallocate(struct fuse_req *r, uint64_t ino, const void *arg);
long fuse_do_lseek(struct fuse_req *r, uint64_t ino, const void *arg);
long fuse_do_copy_file_range(struct fuse_req *r, uint64_t ino, const void *arg);

/* ----------------------------------------------- attributes (fuse_attr.c) */

void fuse_fill_entry(struct fuse_entry_out *e, const struct vfs_attr *v);
long fuse_reply_entry(struct fuse_req *r, const struct vfs_attr *v);
long fuse_do_getattr(struct fuse_req *r, uint64_t ino, const void *arg);
long fuse_do_setattr(struct fuse_req *r, uint64_t ino, const void *arg);
long fuse_do_access(struct fuse_req *r, uint64_t ino, const void *arg);
long fuse_do_readlink(struct fuse_req *r, uint64_t ino, const void *arg);
long fuse_do_statfs(struct fuse_req *r, uint64_t ino, const void *arg);
long fuse_do_xattr(struct fuse_req *r, uint64_t ino, const void *arg);

#endif /* FUSE_INT_H */
