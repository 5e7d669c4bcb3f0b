/*
 * FUSE server over vfs.h: see fuse_server.h. One request in, one reply out;
 * every argument is checked against the bytes that came with the request,
 * node IDs and handles are checked against their tables (slot + generation),
 * and a reply never grows past out_cap.
 */
#include "fuse_server.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

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
#define W_EBADF 9
#define W_EAGAIN 11
#define W_ENOMEM 12
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

struct req {
	struct fuse_server *srv;
	const struct fuse_in_header *h;
	const uint8_t *arg;
	size_t alen;
	uint8_t *out;
	size_t cap;
};

/* ------------------------------------------------------------------ replies */

static long reply_err(struct req *r, int wire_err)
{
	struct fuse_out_header o = { .len = sizeof(o), .error = -wire_err, .unique = r->h->unique };

	if (wire_err)
		r->srv->stats.errors++;
	memcpy(r->out, &o, sizeof(o));
	return sizeof(o);
}

/* A vfs result (negative local errno) as a reply. */
static long reply_vfs_err(struct req *r, long err)
{
	return reply_err(r, fuse_wire_errno((int)-err));
}

static long reply_data(struct req *r, const void *p, size_t n)
{
	struct fuse_out_header o = { .unique = r->h->unique };

	if (sizeof(o) + n > r->cap)
		return reply_err(r, W_ERANGE);
	o.len = (uint32_t)(sizeof(o) + n);
	memcpy(r->out, &o, sizeof(o));
	if (n && p != r->out + sizeof(o))
		memmove(r->out + sizeof(o), p, n);
	return (long)o.len;
}

/* -------------------------------------------------------------------- nodes */

static uint32_t hash_ino(uint64_t ino)
{
	return (uint32_t)((ino * 0x9e3779b97f4a7c15ull) >> 40) % FUSE_SRV_MAX_NODES;
}

static uint64_t nodeid_of(const struct fuse_server *s, int32_t slot)
{
	if (slot == ROOT_NODE)
		return FUSE_ROOT_ID;
	return (uint64_t)s->nodes[slot].gen << 32 | ((uint32_t)slot + NODE_BASE);
}

/* The table slot a node ID names (ROOT_NODE for the root), or -1. */
static int32_t slot_of(const struct fuse_server *s, uint64_t nodeid)
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

static uint64_t ino_of_slot(const struct fuse_server *s, int32_t slot)
{
	return slot == ROOT_NODE ? s->root_ino : s->nodes[slot].ino;
}

/* The inode a request's node ID names, or 0 (forged or stale). */
static uint64_t req_ino(struct req *r)
{
	int32_t slot = slot_of(r->srv, r->h->nodeid);

	return slot == NO_NODE ? 0 : ino_of_slot(r->srv, slot);
}

static int32_t find_node(const struct fuse_server *s, uint64_t ino)
{
	for (int32_t i = s->hash[hash_ino(ino)]; i >= 0; i = s->nodes[i].next)
		if (s->nodes[i].ino == ino)
			return i;
	return NO_NODE;
}

/* One more lookup reference on ino; its node ID in *nodeid. */
static int ref_node(struct fuse_server *s, uint64_t ino, uint64_t *nodeid)
{
	int32_t i;

	if (ino == s->root_ino) {
		*nodeid = FUSE_ROOT_ID;
		return 0;
	}
	i = find_node(s, ino);
	if (i == NO_NODE) {
		uint32_t h = hash_ino(ino);

		if (s->free_node < 0)
			return -W_ENFILE;
		i = s->free_node;
		s->free_node = s->nodes[i].next;
		s->nodes[i].ino = ino;
		s->nodes[i].nlookup = 0;
		s->nodes[i].opens = 0;
		s->nodes[i].next = s->hash[h];
		s->hash[h] = i;
		s->nr_nodes++;
	}
	s->nodes[i].nlookup++;
	*nodeid = nodeid_of(s, i);
	return 0;
}

static void drop_node(struct fuse_server *s, int32_t i)
{
	uint64_t ino = s->nodes[i].ino;
	uint32_t h = hash_ino(ino);
	int32_t *p = &s->hash[h];

	while (*p != i)
		p = &s->nodes[*p].next;
	*p = s->nodes[i].next;
	s->nodes[i].ino = 0;
	s->nodes[i].gen++;
	s->nodes[i].next = s->free_node;
	s->free_node = i;
	s->nr_nodes--;
	vfs_evict(s->fs, ino);
}

static void maybe_drop(struct fuse_server *s, int32_t i)
{
	if (i >= 0 && s->nodes[i].ino && s->nodes[i].nlookup == 0 && s->nodes[i].opens == 0)
		drop_node(s, i);
}

static void forget(struct fuse_server *s, uint64_t nodeid, uint64_t n)
{
	int32_t i = slot_of(s, nodeid);

	if (i < 0)
		return;			/* the root, or not ours: nothing to do */
	s->nodes[i].nlookup = n >= s->nodes[i].nlookup ? 0 : s->nodes[i].nlookup - n;
	maybe_drop(s, i);
}

/* -------------------------------------------------------------------- locks */

static int lk_overlap(uint64_t s1, uint64_t e1, uint64_t s2, uint64_t e2)
{
	return s1 <= e2 && s2 <= e1;
}

/* Overlapping or adjacent; ends never exceed FUSE_OFFSET_MAX, so +1 cannot wrap. */
static int lk_touch(uint64_t s1, uint64_t e1, uint64_t s2, uint64_t e2)
{
	return s1 <= e2 + 1 && s2 <= e1 + 1;
}

/* The first lock of another owner on node that (type, start, end) conflicts
 * with, or -1. */
static int32_t lk_conflict(const struct fuse_server *s, int32_t node, uint64_t owner, uint32_t type,
			   uint64_t start, uint64_t end)
{
	for (int32_t i = 0; i < FUSE_SRV_MAX_LOCKS; i++) {
		const struct fuse_srv_lock *l = &s->locks[i];

		if (l->node == node && l->owner != owner && lk_overlap(l->start, l->end, start, end) &&
		    (type == FUSE_F_WRLCK || l->type == FUSE_F_WRLCK))
			return i;
	}
	return -1;
}

static void lk_add(struct fuse_server *s, int32_t node, uint64_t owner, uint32_t pid, uint32_t type,
		   uint64_t start, uint64_t end)
{
	for (int32_t i = 0; i < FUSE_SRV_MAX_LOCKS; i++) {
		struct fuse_srv_lock *l = &s->locks[i];

		if (l->node != FREE_LOCK)
			continue;
		l->node = node;
		l->owner = owner;
		l->pid = pid;
		l->type = type;
		l->start = start;
		l->end = end;
		return;
	}
}

/*
 * Sets owner's lock on [start, end] of node to type (FUSE_F_UNLCK: none),
 * as fcntl(F_SETLK) does once no other owner conflicts: the owner's own locks
 * of the same type that touch the range merge into it, those of another type
 * are cut back (split when they cover both sides). The first pass counts the
 * entries the result needs, so a full table answers -ENOLCK with nothing
 * changed. Unlocking a whole node never needs an entry.
 */
static int lk_set(struct fuse_server *s, int32_t node, uint64_t owner, uint32_t pid, uint32_t type,
		  uint64_t start, uint64_t end)
{
	uint32_t avail = 0, need = type != FUSE_F_UNLCK;
	uint64_t ns = start, ne = end;
	struct fuse_srv_lock right = { .node = FREE_LOCK };

	for (int32_t i = 0; i < FUSE_SRV_MAX_LOCKS; i++) {
		const struct fuse_srv_lock *l = &s->locks[i];

		if (l->node == FREE_LOCK) {
			avail++;
		} else if (l->node == node && l->owner == owner) {
			if (l->type == type && lk_touch(l->start, l->end, start, end))
				avail++;		/* merged into the new lock */
			else if (l->start < start && l->end > end)
				need++;			/* split in two */
			else if (l->start >= start && l->end <= end)
				avail++;		/* covered: goes */
		}
	}
	if (avail < need)
		return -W_ENOLCK;
	for (int32_t i = 0; i < FUSE_SRV_MAX_LOCKS; i++) {
		struct fuse_srv_lock *l = &s->locks[i];

		if (l->node != node || l->owner != owner)
			continue;
		if (l->type == type && lk_touch(l->start, l->end, start, end)) {
			ns = l->start < ns ? l->start : ns;
			ne = l->end > ne ? l->end : ne;
			l->node = FREE_LOCK;
		} else if (!lk_overlap(l->start, l->end, start, end)) {
			continue;
		} else if (l->start < start && l->end > end) {
			right = *l;
			right.start = end + 1;
			l->end = start - 1;
		} else if (l->start < start) {
			l->end = start - 1;
		} else if (l->end > end) {
			l->start = end + 1;
		} else {
			l->node = FREE_LOCK;
		}
	}
	if (right.node != FREE_LOCK)
		lk_add(s, right.node, right.owner, right.pid, right.type, right.start, right.end);
	if (type != FUSE_F_UNLCK)
		lk_add(s, node, owner, pid, type, ns, ne);
	return 0;
}

/*
 * Grants, in arrival order, every waiting SETLKW that no lock blocks any
 * more. A grant may convert its owner's locks (a write lock turned read), so
 * the scan repeats after one; each repeat has a waiter fewer.
 */
static void lk_wake(struct fuse_server *s)
{
	int again = 1;

	while (again) {
		again = 0;
		for (uint32_t i = 0; i < s->nr_waiters; i++) {
			struct fuse_srv_waiter *w = &s->waiters[i];
			int err;

			if (w->done || lk_conflict(s, w->node, w->owner, w->type, w->start, w->end) >= 0)
				continue;
			err = lk_set(s, w->node, w->owner, w->pid, w->type, w->start, w->end);
			w->done = 1;
			w->error = -err;
			again |= !err;
		}
	}
}

/* Whether owner's new waiter for (node, type, start, end) would close a cycle:
 * a lock blocking it belongs to an owner that waits, directly or through other
 * waiters, for a lock of owner. Each waiter is visited once. */
static int lk_deadlock(const struct fuse_server *s, int32_t node, uint64_t owner, uint32_t type,
		       uint64_t start, uint64_t end)
{
	uint8_t seen[FUSE_SRV_MAX_WAITERS];
	uint32_t stack[FUSE_SRV_MAX_WAITERS];
	uint32_t sp = 0;
	const struct fuse_srv_waiter *cur = NULL;

	memset(seen, 0, sizeof(seen));
	for (;;) {
		int32_t n = cur ? cur->node : node;
		uint64_t o = cur ? cur->owner : owner;
		uint32_t t = cur ? cur->type : type;
		uint64_t st = cur ? cur->start : start, en = cur ? cur->end : end;

		/* Every owner holding a lock that blocks the current request ... */
		for (int32_t i = 0; i < FUSE_SRV_MAX_LOCKS; i++) {
			const struct fuse_srv_lock *l = &s->locks[i];

			if (l->node != n || l->owner == o || !lk_overlap(l->start, l->end, st, en) ||
			    (t != FUSE_F_WRLCK && l->type != FUSE_F_WRLCK))
				continue;
			if (l->owner == owner)
				return 1;
			/* ... and what that owner itself waits for. */
			for (uint32_t j = 0; j < s->nr_waiters; j++)
				if (!seen[j] && !s->waiters[j].done && s->waiters[j].owner == l->owner) {
					seen[j] = 1;
					stack[sp++] = j;
				}
		}
		if (!sp)
			return 0;
		cur = &s->waiters[stack[--sp]];
	}
}

static void lk_answer(struct fuse_srv_waiter *w, int wire_err)
{
	w->done = 1;
	w->error = wire_err;
}

/* Drops owner's locks on node (every owner's when all_owners) and lets the
 * waiters see what that freed. */
static void lk_drop(struct fuse_server *s, int32_t node, uint64_t owner, int all_owners)
{
	int dropped = 0;

	for (int32_t i = 0; i < FUSE_SRV_MAX_LOCKS; i++) {
		struct fuse_srv_lock *l = &s->locks[i];

		if (l->node == node && (all_owners || l->owner == owner)) {
			l->node = FREE_LOCK;
			dropped = 1;
		}
	}
	if (dropped)
		lk_wake(s);
}

/* ------------------------------------------------------------------ handles */

static int open_handle(struct fuse_server *s, int32_t slot, uint32_t flags, int is_dir, uint64_t *fh)
{
	for (uint32_t i = 0; i < FUSE_SRV_MAX_HANDLES; i++) {
		struct fuse_srv_handle *h = &s->handles[i];

		if (h->node != FREE_HANDLE)
			continue;
		h->node = slot;
		h->flags = flags;
		h->is_dir = (uint8_t)is_dir;
		if (slot >= 0)
			s->nodes[slot].opens++;
		*fh = (uint64_t)h->gen << 32 | i;
		return 0;
	}
	return -W_ENFILE;
}

/* The handle fh names if it is open on the request's node; NULL otherwise. */
static struct fuse_srv_handle *get_handle(struct req *r, uint64_t fh, int is_dir)
{
	uint32_t i = (uint32_t)fh;
	struct fuse_srv_handle *h;

	if (i >= FUSE_SRV_MAX_HANDLES)
		return NULL;
	h = &r->srv->handles[i];
	if (h->node == FREE_HANDLE || h->gen != (uint32_t)(fh >> 32) || h->is_dir != is_dir ||
	    slot_of(r->srv, r->h->nodeid) != h->node)
		return NULL;
	return h;
}

/*
 * Waiters on the handle are answered EBADF first. The node's last handle takes
 * every lock on the node with it: no owner holds a POSIX lock on a file it has
 * no open file for, and a lock must not outlive the slot it names.
 */
static void close_handle(struct fuse_server *s, struct fuse_srv_handle *h)
{
	int32_t slot = h->node;
	uint64_t fh = (uint64_t)h->gen << 32 | (uint32_t)(h - s->handles);

	for (uint32_t i = 0; i < s->nr_waiters; i++)
		if (!s->waiters[i].done && s->waiters[i].fh == fh)
			lk_answer(&s->waiters[i], W_EBADF);
	h->node = FREE_HANDLE;
	h->gen++;
	if (slot >= 0) {
		s->nodes[slot].opens--;
		if (!s->nodes[slot].opens)
			lk_drop(s, slot, 0, 1);
		maybe_drop(s, slot);
	}
}

/* --------------------------------------------------------------- arguments */

static const void *take(struct req *r, size_t n)
{
	const void *p;

	if (r->alen < n)
		return NULL;
	p = r->arg;
	r->arg += n;
	r->alen -= n;
	return p;
}

/* A NUL-terminated name from the request; its length in *len, or an errno. */
static int take_name(struct req *r, const char **name, size_t *len)
{
	const char *s = (const char *)r->arg;
	size_t n = strnlen(s, r->alen);

	if (n == r->alen)
		return W_EINVAL;		/* not terminated inside the request */
	if (n == 0 || memchr(s, '/', n))
		return W_EINVAL;
	if (n > FUSE_NAME_MAX)
		return W_ENAMETOOLONG;
	*name = s;
	*len = n;
	r->arg += n + 1;
	r->alen -= n + 1;
	return 0;
}

static void fill_attr(struct fuse_attr *a, const struct vfs_attr *v)
{
	memset(a, 0, sizeof(*a));
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
}

/* The reply to LOOKUP / MKNOD / MKDIR / SYMLINK / LINK: a new reference. */
static long reply_entry(struct req *r, const struct vfs_attr *v)
{
	struct fuse_entry_out e;
	int ret;

	memset(&e, 0, sizeof(e));
	ret = ref_node(r->srv, v->ino, &e.nodeid);
	if (ret)
		return reply_err(r, -ret);
	e.generation = v->generation;
	e.entry_valid = ENTRY_VALID_S;
	e.attr_valid = ATTR_VALID_S;
	fill_attr(&e.attr, v);
	return reply_data(r, &e, sizeof(e));
}

static long reply_attr(struct req *r, const struct vfs_attr *v)
{
	struct fuse_attr_out a;

	memset(&a, 0, sizeof(a));
	a.attr_valid = ATTR_VALID_S;
	fill_attr(&a.attr, v);
	return reply_data(r, &a, sizeof(a));
}

/* ---------------------------------------------------------------- handlers */

static long do_init(struct req *r)
{
	const struct fuse_init_in *in = take(r, 16);	/* major, minor, readahead, flags */
	struct fuse_init_in ii;
	struct fuse_init_out o;
	size_t n;

	if (!in)
		return reply_err(r, W_EINVAL);
	memset(&ii, 0, sizeof(ii));
	memcpy(&ii, in, 16);
	if (r->alen >= sizeof(ii) - 16)
		memcpy((uint8_t *)&ii + 16, r->arg, sizeof(ii) - 16);
	memset(&o, 0, sizeof(o));
	o.major = FUSE_KERNEL_VERSION;
	o.minor = ii.minor < FUSE_KERNEL_MINOR_VERSION ? ii.minor : FUSE_KERNEL_MINOR_VERSION;
	if (ii.major != FUSE_KERNEL_VERSION)
		return reply_data(r, &o, 8);	/* the client retries with ours, or gives up */
	o.max_readahead = ii.max_readahead;
	o.flags = ii.flags & (FUSE_ASYNC_READ | FUSE_BIG_WRITES | FUSE_MAX_PAGES | FUSE_PARALLEL_DIROPS |
			      FUSE_DO_READDIRPLUS | FUSE_EXPORT_SUPPORT | FUSE_INIT_EXT | FUSE_SETXATTR_EXT | FUSE_POSIX_LOCKS);
	o.max_background = 32;
	o.congestion_threshold = 24;
	o.max_write = FUSE_SRV_MAX_WRITE;
	o.time_gran = 1;
	o.max_pages = (uint16_t)(FUSE_SRV_MAX_WRITE / 4096);
	r->srv->initialized = 1;
	r->srv->proto_minor = o.minor;
	r->srv->init_flags = o.flags;
	r->srv->max_write = FUSE_SRV_MAX_WRITE;
	n = o.minor < 5 ? FUSE_COMPAT_INIT_OUT_SIZE : o.minor < 23 ? FUSE_COMPAT_22_INIT_OUT_SIZE : sizeof(o);
	return reply_data(r, &o, n);
}

static long do_lookup(struct req *r, uint64_t dir)
{
	const char *name;
	size_t len;
	struct vfs_attr v;
	int err = take_name(r, &name, &len);
	long ret;

	if (err)
		return reply_err(r, err);
	ret = vfs_lookup(r->srv->fs, dir, name, len, &v);
	return ret ? reply_vfs_err(r, ret) : reply_entry(r, &v);
}

static long do_getattr(struct req *r, uint64_t ino)
{
	struct vfs_attr v;
	long ret = vfs_getattr(r->srv->fs, ino, &v);

	return ret ? reply_vfs_err(r, ret) : reply_attr(r, &v);
}

static long do_setattr(struct req *r, uint64_t ino)
{
	const struct fuse_setattr_in *in = take(r, sizeof(*in));
	struct vfs_setattr sa;
	struct vfs_attr v;
	long ret;

	if (!in)
		return reply_err(r, W_EINVAL);
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
	return ret ? reply_vfs_err(r, ret) : reply_attr(r, &v);
}

static long do_mknod(struct req *r, uint64_t dir)
{
	const struct fuse_mknod_in *in = take(r, sizeof(*in));
	const char *name;
	size_t len;
	struct vfs_attr v;
	int err;
	long ret;

	if (!in)
		return reply_err(r, W_EINVAL);
	if ((err = take_name(r, &name, &len)))
		return reply_err(r, err);
	ret = vfs_mknod(r->srv->fs, dir, name, len, in->mode & ~in->umask, in->rdev, r->h->uid, r->h->gid, &v);
	return ret ? reply_vfs_err(r, ret) : reply_entry(r, &v);
}

static long do_mkdir(struct req *r, uint64_t dir)
{
	const struct fuse_mkdir_in *in = take(r, sizeof(*in));
	const char *name;
	size_t len;
	struct vfs_attr v;
	int err;
	long ret;

	if (!in)
		return reply_err(r, W_EINVAL);
	if ((err = take_name(r, &name, &len)))
		return reply_err(r, err);
	ret = vfs_mkdir(r->srv->fs, dir, name, len, (in->mode & ~in->umask) | S_IFDIR, r->h->uid, r->h->gid, &v);
	return ret ? reply_vfs_err(r, ret) : reply_entry(r, &v);
}

static long do_symlink(struct req *r, uint64_t dir)
{
	const char *name, *target;
	size_t len, tlen;
	struct vfs_attr v;
	int err;
	long ret;

	if ((err = take_name(r, &name, &len)))
		return reply_err(r, err);
	target = (const char *)r->arg;
	tlen = strnlen(target, r->alen);
	if (tlen == r->alen || tlen == 0)
		return reply_err(r, W_EINVAL);
	ret = vfs_symlink(r->srv->fs, dir, name, len, target, tlen, r->h->uid, r->h->gid, &v);
	return ret ? reply_vfs_err(r, ret) : reply_entry(r, &v);
}

static long do_readlink(struct req *r, uint64_t ino)
{
	size_t room = r->cap > sizeof(struct fuse_out_header) ? r->cap - sizeof(struct fuse_out_header) : 0;
	long n = vfs_readlink(r->srv->fs, ino, (char *)r->out + sizeof(struct fuse_out_header), room);

	if (n < 0)
		return reply_vfs_err(r, n);
	if ((size_t)n > room)
		return reply_err(r, W_ERANGE);
	return reply_data(r, r->out + sizeof(struct fuse_out_header), (size_t)n);
}

static long do_link(struct req *r, uint64_t newdir)
{
	const struct fuse_link_in *in = take(r, sizeof(*in));
	const char *name;
	size_t len;
	struct vfs_attr v;
	int32_t slot;
	int err;
	long ret;

	if (!in)
		return reply_err(r, W_EINVAL);
	if ((err = take_name(r, &name, &len)))
		return reply_err(r, err);
	slot = slot_of(r->srv, in->oldnodeid);
	if (slot == NO_NODE)
		return reply_err(r, W_ESTALE);
	ret = vfs_link(r->srv->fs, ino_of_slot(r->srv, slot), newdir, name, len, &v);
	return ret ? reply_vfs_err(r, ret) : reply_entry(r, &v);
}

static long do_unlink(struct req *r, uint64_t dir, int is_dir)
{
	const char *name;
	size_t len;
	int err = take_name(r, &name, &len);
	long ret;

	if (err)
		return reply_err(r, err);
	ret = is_dir ? vfs_rmdir(r->srv->fs, dir, name, len) : vfs_unlink(r->srv->fs, dir, name, len);
	return reply_vfs_err(r, ret);
}

static long do_rename(struct req *r, uint64_t olddir, int v2)
{
	uint64_t newdir_id;
	uint32_t flags = 0;
	const char *oname, *nname;
	size_t olen, nlen;
	int32_t slot;
	int err;
	long ret;

	if (v2) {
		const struct fuse_rename2_in *in = take(r, sizeof(*in));

		if (!in)
			return reply_err(r, W_EINVAL);
		newdir_id = in->newdir;
		flags = in->flags;
	} else {
		const struct fuse_rename_in *in = take(r, sizeof(*in));

		if (!in)
			return reply_err(r, W_EINVAL);
		newdir_id = in->newdir;
	}
	if (flags & ~(FUSE_RENAME_NOREPLACE | FUSE_RENAME_EXCHANGE))
		return reply_err(r, W_EINVAL);		/* WHITEOUT and unknown flags */
	if ((err = take_name(r, &oname, &olen)) || (err = take_name(r, &nname, &nlen)))
		return reply_err(r, err);
	slot = slot_of(r->srv, newdir_id);
	if (slot == NO_NODE)
		return reply_err(r, W_ESTALE);
	ret = vfs_rename(r->srv->fs, olddir, oname, olen, ino_of_slot(r->srv, slot), nname, nlen,
			 (flags & FUSE_RENAME_NOREPLACE ? VFS_RENAME_NOREPLACE : 0) |
			 (flags & FUSE_RENAME_EXCHANGE ? VFS_RENAME_EXCHANGE : 0));
	return reply_vfs_err(r, ret);
}

static long do_open(struct req *r, uint64_t ino, int is_dir)
{
	const struct fuse_open_in *in = take(r, sizeof(*in));
	struct fuse_open_out o;
	struct vfs_attr v;
	long ret;
	int err;

	if (!in)
		return reply_err(r, W_EINVAL);
	ret = vfs_getattr(r->srv->fs, ino, &v);
	if (ret)
		return reply_vfs_err(r, ret);
	if (is_dir != S_ISDIR(v.mode))
		return reply_err(r, is_dir ? 20 /* ENOTDIR */ : 21 /* EISDIR */);
	if (!is_dir && (in->flags & FUSE_O_TRUNC) && (in->flags & FUSE_O_ACCMODE) != FUSE_O_RDONLY) {
		struct vfs_setattr sa = { .valid = VFS_SET_SIZE, .size = 0 };

		ret = vfs_setattr(r->srv->fs, ino, &sa, &v);
		if (ret)
			return reply_vfs_err(r, ret);
	}
	memset(&o, 0, sizeof(o));
	err = open_handle(r->srv, slot_of(r->srv, r->h->nodeid), in->flags, is_dir, &o.fh);
	if (err)
		return reply_err(r, -err);
	return reply_data(r, &o, sizeof(o));
}

/* The reply to CREATE and TMPFILE: a new reference and an open handle. */
static long reply_created(struct req *r, const struct vfs_attr *v, uint32_t flags)
{
	struct {
		struct fuse_entry_out e;
		struct fuse_open_out o;
	} rep;
	int err;

	memset(&rep, 0, sizeof(rep));
	if ((err = ref_node(r->srv, v->ino, &rep.e.nodeid)))
		return reply_err(r, -err);
	rep.e.generation = v->generation;
	rep.e.entry_valid = ENTRY_VALID_S;
	rep.e.attr_valid = ATTR_VALID_S;
	fill_attr(&rep.e.attr, v);
	err = open_handle(r->srv, slot_of(r->srv, rep.e.nodeid), flags, 0, &rep.o.fh);
	if (err) {
		forget(r->srv, rep.e.nodeid, 1);
		return reply_err(r, -err);
	}
	return reply_data(r, &rep, sizeof(rep));
}

static long do_create(struct req *r, uint64_t dir)
{
	const struct fuse_create_in *in = take(r, sizeof(*in));
	const char *name;
	size_t len;
	struct vfs_attr v;
	int err;
	long ret;

	if (!in)
		return reply_err(r, W_EINVAL);
	if ((err = take_name(r, &name, &len)))
		return reply_err(r, err);
	ret = vfs_mknod(r->srv->fs, dir, name, len, ((in->mode & ~in->umask) & 07777) | S_IFREG, 0,
			r->h->uid, r->h->gid, &v);
	if (ret == -EEXIST && !(in->flags & FUSE_O_EXCL))
		ret = vfs_lookup(r->srv->fs, dir, name, len, &v);
	return ret ? reply_vfs_err(r, ret) : reply_created(r, &v, in->flags);
}

static long do_read(struct req *r, uint64_t ino)
{
	const struct fuse_read_in *in = take(r, sizeof(*in));
	size_t room, n;
	long got;

	if (!in)
		return reply_err(r, W_EINVAL);
	if (!get_handle(r, in->fh, 0))
		return reply_err(r, W_EBADF);
	room = r->cap - sizeof(struct fuse_out_header);
	n = in->size < room ? in->size : room;
	got = vfs_read(r->srv->fs, ino, in->offset, r->out + sizeof(struct fuse_out_header), n);
	if (got < 0)
		return reply_vfs_err(r, got);
	return reply_data(r, r->out + sizeof(struct fuse_out_header), (size_t)got);
}

static long do_write(struct req *r, uint64_t ino)
{
	const struct fuse_write_in *in = take(r, sizeof(*in));
	struct fuse_srv_handle *h;
	struct fuse_write_out o;
	uint64_t off;
	long n;

	if (!in)
		return reply_err(r, W_EINVAL);
	if (in->size > r->alen || in->size > FUSE_SRV_MAX_WRITE)
		return reply_err(r, W_EINVAL);		/* payload missing or too large */
	h = get_handle(r, in->fh, 0);
	if (!h || (h->flags & FUSE_O_ACCMODE) == FUSE_O_RDONLY)
		return reply_err(r, W_EBADF);
	off = in->offset;
	if (h->flags & FUSE_O_APPEND) {
		struct vfs_attr v;
		long ret = vfs_getattr(r->srv->fs, ino, &v);

		if (ret)
			return reply_vfs_err(r, ret);
		off = v.size;
	}
	n = vfs_write(r->srv->fs, ino, off, r->arg, in->size);
	if (n < 0)
		return reply_vfs_err(r, n);
	memset(&o, 0, sizeof(o));
	o.size = (uint32_t)n;
	return reply_data(r, &o, sizeof(o));
}

static long do_release(struct req *r, int is_dir)
{
	const struct fuse_release_in *in = take(r, sizeof(*in));
	struct fuse_srv_handle *h;

	if (!in)
		return reply_err(r, W_EINVAL);
	h = get_handle(r, in->fh, is_dir);
	if (!h)
		return reply_err(r, W_EBADF);
	if (!is_dir && (in->release_flags & FUSE_RELEASE_FLOCK_UNLOCK))
		lk_drop(r->srv, h->node, in->lock_owner, 0);
	close_handle(r->srv, h);
	return reply_err(r, 0);
}

/* close(2) of one descriptor: POSIX drops the closing owner's locks on the file. */
static long do_flush(struct req *r)
{
	const struct fuse_flush_in *in = take(r, sizeof(*in));
	struct fuse_srv_handle *h;

	if (!in)
		return reply_err(r, W_EINVAL);
	h = get_handle(r, in->fh, 0);
	if (!h)
		return reply_err(r, W_EBADF);
	lk_drop(r->srv, h->node, in->lock_owner, 0);
	return reply_err(r, 0);
}

/*
 * GETLK, SETLK and SETLKW (see fuse_server.h for the rules). The handle must
 * be a file handle of the request's node, so a lock always names a node that
 * has an open handle (close_handle drops them with the last one).
 */
static long do_lk(struct req *r, uint32_t op)
{
	const struct fuse_lk_in *in = take(r, sizeof(*in));
	struct fuse_server *s = r->srv;
	struct fuse_srv_handle *h;
	struct fuse_srv_waiter *w;
	uint32_t type, acc;
	uint64_t start, end;
	int32_t c;
	int err;

	if (!in)
		return reply_err(r, W_EINVAL);
	if (in->lk_flags & FUSE_LK_FLOCK)
		return reply_err(r, W_ENOSYS);
	h = get_handle(r, in->fh, 0);
	if (!h)
		return reply_err(r, W_EBADF);
	type = in->lk.type;
	start = in->lk.start;
	end = in->lk.end;
	if (type > FUSE_F_UNLCK || start > end || end > FUSE_OFFSET_MAX || (op == FUSE_GETLK && type == FUSE_F_UNLCK))
		return reply_err(r, W_EINVAL);
	if (op == FUSE_GETLK) {
		struct fuse_lk_out o;

		memset(&o, 0, sizeof(o));
		c = lk_conflict(s, h->node, in->owner, type, start, end);
		if (c < 0) {
			o.lk.type = FUSE_F_UNLCK;
			o.lk.start = start;
			o.lk.end = end;
		} else {
			o.lk.type = s->locks[c].type;
			o.lk.start = s->locks[c].start;
			o.lk.end = s->locks[c].end;
			o.lk.pid = s->locks[c].pid;
		}
		return reply_data(r, &o, sizeof(o));
	}
	acc = h->flags & FUSE_O_ACCMODE;
	if ((type == FUSE_F_RDLCK && acc == FUSE_O_WRONLY) || (type == FUSE_F_WRLCK && acc == FUSE_O_RDONLY))
		return reply_err(r, W_EBADF);
	if (type != FUSE_F_UNLCK && lk_conflict(s, h->node, in->owner, type, start, end) >= 0) {
		if (op == FUSE_SETLK)
			return reply_err(r, W_EAGAIN);
		if (lk_deadlock(s, h->node, in->owner, type, start, end))
			return reply_err(r, W_EDEADLK);
		if (s->nr_waiters == FUSE_SRV_MAX_WAITERS)
			return reply_err(r, W_ENOLCK);
		w = &s->waiters[s->nr_waiters++];
		memset(w, 0, sizeof(*w));
		w->unique = r->h->unique;
		w->fh = in->fh;
		w->owner = in->owner;
		w->start = start;
		w->end = end;
		w->node = h->node;
		w->pid = in->lk.pid;
		w->type = type;
		return FUSE_SRV_DEFERRED;
	}
	err = lk_set(s, h->node, in->owner, in->lk.pid, type, start, end);
	if (!err)
		lk_wake(s);		/* an unlock or a downgrade may free a waiter */
	return reply_err(r, -err);
}

/* The guest gave up on a request: a waiting SETLKW is answered EINTR. */
static void interrupt(struct fuse_server *s, uint64_t unique)
{
	for (uint32_t i = 0; i < s->nr_waiters; i++)
		if (!s->waiters[i].done && s->waiters[i].unique == unique) {
			lk_answer(&s->waiters[i], W_EINTR);
			return;
		}
}

/*
 * COPY_FILE_RANGE: at most FUSE_SRV_MAX_WRITE bytes per request through the
 * scratch buffer (the guest loops on a short copy); nothing past the input's
 * end. Within one file, overlapping ranges copy as memmove does: back to
 * front when the output lies above the input. A forward copy that fails part
 * way reports what it copied; a backward one reports the error.
 */
static long do_copy_file_range(struct req *r, uint64_t ino_in)
{
	const struct fuse_copy_file_range_in *in = take(r, sizeof(*in));
	struct fuse_server *s = r->srv;
	struct fuse_srv_handle *hin, *hout;
	struct fuse_write_out o;
	struct vfs_attr v;
	uint64_t ino_out, len, done = 0;
	int32_t slot_out;
	int backward;
	long ret;

	if (!in)
		return reply_err(r, W_EINVAL);
	if (in->flags || in->off_in > FUSE_OFFSET_MAX || in->off_out > FUSE_OFFSET_MAX)
		return reply_err(r, W_EINVAL);
	slot_out = slot_of(s, in->nodeid_out);
	if (slot_out == NO_NODE)
		return reply_err(r, W_ESTALE);
	ino_out = ino_of_slot(s, slot_out);
	hin = get_handle(r, in->fh_in, 0);
	if (!hin || (hin->flags & FUSE_O_ACCMODE) == FUSE_O_WRONLY)
		return reply_err(r, W_EBADF);
	{
		/* get_handle checks against the request's node: fh_out belongs to nodeid_out. */
		uint32_t i = (uint32_t)in->fh_out;

		hout = i < FUSE_SRV_MAX_HANDLES ? &s->handles[i] : NULL;
		if (!hout || hout->node == FREE_HANDLE || hout->gen != (uint32_t)(in->fh_out >> 32) ||
		    hout->is_dir || hout->node != slot_out || (hout->flags & FUSE_O_ACCMODE) == FUSE_O_RDONLY ||
		    (hout->flags & FUSE_O_APPEND))
			return reply_err(r, W_EBADF);
	}
	ret = vfs_getattr(s->fs, ino_in, &v);
	if (ret)
		return reply_vfs_err(r, ret);
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

		got = vfs_read(s->fs, ino_in, in->off_in + at, s->scratch, (size_t)n);
		if (got < 0 || (backward && (uint64_t)got != n)) {
			ret = got < 0 ? got : -EIO;
			goto out_err;
		}
		if (got == 0)
			break;
		put = vfs_write(s->fs, ino_out, in->off_out + at, s->scratch, (size_t)got);
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
	return reply_data(r, &o, sizeof(o));
out_err:
	if (done && !backward) {
		memset(&o, 0, sizeof(o));
		o.size = (uint32_t)done;
		return reply_data(r, &o, sizeof(o));
	}
	return reply_vfs_err(r, ret);
}

struct dir_fill {
	struct req *r;
	size_t used;
	int plus;
	int full;
};

static int fill_one(void *ctx, const char *name, size_t namelen, uint64_t ino, unsigned dtype,
		    uint64_t next_cookie)
{
	struct dir_fill *f = ctx;
	struct req *r = f->r;
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
		    vfs_getattr(r->srv->fs, ino, &v) == 0 && ref_node(r->srv, v.ino, &e.nodeid) == 0) {
			e.generation = v.generation;
			e.entry_valid = ENTRY_VALID_S;
			e.attr_valid = ATTR_VALID_S;
			fill_attr(&e.attr, &v);
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

static long do_readdir(struct req *r, uint64_t ino, int plus)
{
	const struct fuse_read_in *in = take(r, sizeof(*in));
	struct dir_fill f = { .r = r, .plus = plus };
	size_t cap_save = r->cap;
	long ret;

	if (!in)
		return reply_err(r, W_EINVAL);
	if (!get_handle(r, in->fh, 1))
		return reply_err(r, W_EBADF);
	if (sizeof(struct fuse_out_header) + in->size < r->cap)
		r->cap = sizeof(struct fuse_out_header) + in->size;
	ret = vfs_readdir(r->srv->fs, ino, in->offset, fill_one, &f);
	r->cap = cap_save;
	if (ret < 0 && !f.used)
		return reply_vfs_err(r, ret);
	return reply_data(r, r->out + sizeof(struct fuse_out_header), f.used);
}

static long do_statfs(struct req *r)
{
	struct vfs_statfs s;
	struct fuse_statfs_out o;
	long ret = vfs_statfs(r->srv->fs, &s);

	if (ret)
		return reply_vfs_err(r, ret);
	memset(&o, 0, sizeof(o));
	o.st.blocks = s.blocks;
	o.st.bfree = s.bfree;
	o.st.bavail = s.bavail;
	o.st.files = s.files;
	o.st.ffree = s.ffree;
	o.st.bsize = s.bsize;
	o.st.namelen = s.namelen;
	o.st.frsize = s.frsize;
	return reply_data(r, &o, sizeof(o));
}

static long do_xattr(struct req *r, uint64_t ino, uint32_t op)
{
	const char *name = NULL;
	long n;

	if (op == FUSE_SETXATTR) {
		/* The 16-byte form only when INIT agreed on FUSE_SETXATTR_EXT;
		 * otherwise the guest sends size and flags (8 bytes). */
		const struct fuse_setxattr_in *in =
			take(r, (r->srv->init_flags & FUSE_SETXATTR_EXT) ? sizeof(*in) : FUSE_COMPAT_SETXATTR_IN_SIZE);
		size_t len;
		int err;

		if (!in)
			return reply_err(r, W_EINVAL);
		if ((err = take_name(r, &name, &len)))
			return reply_err(r, err);
		if (in->size > r->alen || in->size > FUSE_XATTR_SIZE_MAX)
			return reply_err(r, W_EINVAL);
		return reply_vfs_err(r, vfs_setxattr(r->srv->fs, ino, name, r->arg, in->size, (int)in->flags));
	}
	if (op == FUSE_REMOVEXATTR) {
		size_t len;
		int err = take_name(r, &name, &len);

		if (err)
			return reply_err(r, err);
		return reply_vfs_err(r, vfs_removexattr(r->srv->fs, ino, name));
	}
	{
		const struct fuse_getxattr_in *in = take(r, sizeof(*in));
		size_t room = r->cap - sizeof(struct fuse_out_header), want;
		uint8_t *dst = r->out + sizeof(struct fuse_out_header);

		if (!in)
			return reply_err(r, W_EINVAL);
		if (op == FUSE_GETXATTR) {
			size_t len;
			int err = take_name(r, &name, &len);

			if (err)
				return reply_err(r, err);
		}
		/* The guest's buffer may be larger than the reply room (a 64 KiB
		 * getxattr on the card, whose replies are smaller): read into what
		 * fits; only a value that does not fit is refused. */
		want = in->size < room ? in->size : room;
		n = op == FUSE_GETXATTR ? vfs_getxattr(r->srv->fs, ino, name, want ? dst : NULL, want)
					: vfs_listxattr(r->srv->fs, ino, want ? (char *)dst : NULL, want);
		if (n == -ERANGE && in->size > room)
			return reply_err(r, W_E2BIG);	/* fits the guest's buffer, not ours */
		if (n < 0)
			return reply_vfs_err(r, n);
		if (!in->size) {
			struct fuse_getxattr_out o = { .size = (uint32_t)n };

			return reply_data(r, &o, sizeof(o));
		}
		return reply_data(r, dst, (size_t)n);
	}
}

static long do_fallocate(struct req *r, uint64_t ino)
{
	const struct fuse_fallocate_in *in = take(r, sizeof(*in));

	if (!in)
		return reply_err(r, W_EINVAL);
	if (!get_handle(r, in->fh, 0))
		return reply_err(r, W_EBADF);
	return reply_vfs_err(r, vfs_fallocate(r->srv->fs, ino, in->mode, in->offset, in->length));
}

static long do_lseek(struct req *r, uint64_t ino)
{
	const struct fuse_lseek_in *in = take(r, sizeof(*in));
	struct fuse_lseek_out o;
	uint64_t res;
	long ret;

	if (!in)
		return reply_err(r, W_EINVAL);
	if (in->whence != FUSE_SEEK_DATA && in->whence != FUSE_SEEK_HOLE)
		return reply_err(r, W_EINVAL);
	ret = vfs_lseek(r->srv->fs, ino, in->offset, in->whence == FUSE_SEEK_DATA ? 3 : 4, &res);
	if (ret)
		return reply_vfs_err(r, ret);
	o.offset = res;
	return reply_data(r, &o, sizeof(o));
}

static long do_fsync(struct req *r, uint64_t ino, int is_dir)
{
	const struct fuse_fsync_in *in = take(r, sizeof(*in));

	if (!in)
		return reply_err(r, W_EINVAL);
	if (!get_handle(r, in->fh, is_dir))
		return reply_err(r, W_EBADF);
	return reply_vfs_err(r, vfs_fsync(r->srv->fs, ino, (int)(in->fsync_flags & 1)));
}

static long do_tmpfile(struct req *r, uint64_t dir)
{
	const struct fuse_create_in *in = take(r, sizeof(*in));
	struct vfs_attr v;
	long ret;

	if (!in)
		return reply_err(r, W_EINVAL);
	ret = vfs_tmpfile(r->srv->fs, dir, (in->mode & ~in->umask & 07777) | S_IFREG, r->h->uid, r->h->gid, &v);
	return ret ? reply_vfs_err(r, ret) : reply_created(r, &v, in->flags);
}

/* ---------------------------------------------------------------- dispatch */

/* Opcodes the server answers with a filesystem behind it. */
static int opcode_served(uint32_t op)
{
	switch (op) {
	case FUSE_LOOKUP: case FUSE_GETATTR: case FUSE_SETATTR: case FUSE_READLINK:
	case FUSE_SYMLINK: case FUSE_MKNOD: case FUSE_MKDIR: case FUSE_UNLINK: case FUSE_RMDIR:
	case FUSE_RENAME: case FUSE_RENAME2: case FUSE_LINK: case FUSE_OPEN: case FUSE_OPENDIR:
	case FUSE_CREATE: case FUSE_TMPFILE: case FUSE_READ: case FUSE_WRITE: case FUSE_FLUSH:
	case FUSE_RELEASE: case FUSE_RELEASEDIR: case FUSE_FSYNC: case FUSE_FSYNCDIR:
	case FUSE_READDIR: case FUSE_READDIRPLUS: case FUSE_ACCESS: case FUSE_SETXATTR:
	case FUSE_GETXATTR: case FUSE_LISTXATTR: case FUSE_REMOVEXATTR: case FUSE_FALLOCATE:
	case FUSE_LSEEK: case FUSE_GETLK: case FUSE_SETLK: case FUSE_SETLKW:
	case FUSE_COPY_FILE_RANGE: case FUSE_STATFS: case FUSE_SYNCFS:
		return 1;
	default:
		return 0;
	}
}

long fuse_dispatch(struct fuse_server *srv, const void *in, size_t in_len, void *out, size_t out_cap)
{
	struct req r;
	uint64_t ino;

	if (in_len < sizeof(struct fuse_in_header) || out_cap < sizeof(struct fuse_out_header))
		return -EINVAL;
	memset(&r, 0, sizeof(r));
	r.srv = srv;
	r.h = in;
	r.arg = (const uint8_t *)in + sizeof(struct fuse_in_header);
	r.alen = in_len - sizeof(struct fuse_in_header);
	r.out = out;
	r.cap = out_cap;
	srv->stats.requests++;
	if (r.h->len != in_len) {
		srv->stats.malformed++;
		return reply_err(&r, W_EINVAL);
	}
	switch (r.h->opcode) {
	case FUSE_INIT:
		return do_init(&r);
	case FUSE_FORGET: {
		const struct fuse_forget_in *f = take(&r, sizeof(*f));

		if (f)
			forget(srv, r.h->nodeid, f->nlookup);
		return 0;
	}
	case FUSE_BATCH_FORGET: {
		const struct fuse_batch_forget_in *b = take(&r, sizeof(*b));

		if (b && b->count <= r.alen / sizeof(struct fuse_forget_one))
			for (uint32_t i = 0; i < b->count; i++) {
				const struct fuse_forget_one *one = take(&r, sizeof(*one));

				forget(srv, one->nodeid, one->nlookup);
			}
		return 0;
	}
	case FUSE_INTERRUPT: {
		/* Only a waiting SETLKW can be interrupted; the rest answer in order. */
		const struct fuse_interrupt_in *in = take(&r, sizeof(*in));

		if (in)
			interrupt(srv, in->unique);
		return 0;
	}
	case FUSE_DESTROY:
		fuse_server_reset(srv);
		if (srv->fs)
			vfs_sync(srv->fs);
		return reply_err(&r, 0);
	default:
		break;
	}
	if (!srv->initialized)
		return reply_err(&r, W_EIO);
	/* No filesystem behind the server (the card without an SSD): requests
	 * that need one fail with EIO, unknown ones stay ENOSYS. */
	if (!srv->fs)
		return reply_err(&r, opcode_served(r.h->opcode) ? W_EIO : W_ENOSYS);
	if (r.h->opcode == FUSE_STATFS)
		return do_statfs(&r);
	if (r.h->opcode == FUSE_SYNCFS)
		return reply_vfs_err(&r, vfs_sync(srv->fs));
	ino = req_ino(&r);
	if (!ino)
		return reply_err(&r, W_ESTALE);
	switch (r.h->opcode) {
	case FUSE_LOOKUP: return do_lookup(&r, ino);
	case FUSE_GETATTR: return do_getattr(&r, ino);
	case FUSE_SETATTR: return do_setattr(&r, ino);
	case FUSE_READLINK: return do_readlink(&r, ino);
	case FUSE_SYMLINK: return do_symlink(&r, ino);
	case FUSE_MKNOD: return do_mknod(&r, ino);
	case FUSE_MKDIR: return do_mkdir(&r, ino);
	case FUSE_UNLINK: return do_unlink(&r, ino, 0);
	case FUSE_RMDIR: return do_unlink(&r, ino, 1);
	case FUSE_RENAME: return do_rename(&r, ino, 0);
	case FUSE_RENAME2: return do_rename(&r, ino, 1);
	case FUSE_LINK: return do_link(&r, ino);
	case FUSE_OPEN: return do_open(&r, ino, 0);
	case FUSE_OPENDIR: return do_open(&r, ino, 1);
	case FUSE_CREATE: return do_create(&r, ino);
	case FUSE_TMPFILE: return do_tmpfile(&r, ino);
	case FUSE_READ: return do_read(&r, ino);
	case FUSE_WRITE: return do_write(&r, ino);
	case FUSE_FLUSH: return do_flush(&r);
	case FUSE_RELEASE: return do_release(&r, 0);
	case FUSE_RELEASEDIR: return do_release(&r, 1);
	case FUSE_FSYNC: return do_fsync(&r, ino, 0);
	case FUSE_FSYNCDIR: return do_fsync(&r, ino, 1);
	case FUSE_READDIR: return do_readdir(&r, ino, 0);
	case FUSE_READDIRPLUS: return do_readdir(&r, ino, 1);
	case FUSE_ACCESS: {
		struct vfs_attr v;

		return reply_vfs_err(&r, vfs_getattr(srv->fs, ino, &v));
	}
	case FUSE_SETXATTR:
	case FUSE_GETXATTR:
	case FUSE_LISTXATTR:
	case FUSE_REMOVEXATTR:
		return do_xattr(&r, ino, r.h->opcode);
	case FUSE_FALLOCATE: return do_fallocate(&r, ino);
	case FUSE_LSEEK: return do_lseek(&r, ino);
	case FUSE_GETLK:
	case FUSE_SETLK:
	case FUSE_SETLKW:
		return do_lk(&r, r.h->opcode);
	case FUSE_COPY_FILE_RANGE: return do_copy_file_range(&r, ino);
	default:
		/* SETUPMAPPING and REMOVEMAPPING (no DAX window yet), IOCTL, POLL,
		 * BMAP, NOTIFY_REPLY, and anything unknown. */
		return reply_err(&r, W_ENOSYS);
	}
}

void fuse_server_init(struct fuse_server *srv, struct vfs *fs)
{
	memset(srv, 0, sizeof(*srv));
	srv->fs = fs;
	srv->root_ino = fs ? vfs_root(fs) : 0;
	for (int32_t i = 0; i < FUSE_SRV_MAX_NODES; i++) {
		srv->hash[i] = -1;
		srv->nodes[i].next = i + 1 < FUSE_SRV_MAX_NODES ? i + 1 : -1;
	}
	srv->free_node = 0;
	for (uint32_t i = 0; i < FUSE_SRV_MAX_HANDLES; i++)
		srv->handles[i].node = FREE_HANDLE;
	for (uint32_t i = 0; i < FUSE_SRV_MAX_LOCKS; i++)
		srv->locks[i].node = FREE_LOCK;
}

void fuse_server_reset(struct fuse_server *srv)
{
	for (uint32_t i = 0; i < srv->nr_waiters; i++)
		if (!srv->waiters[i].done)
			lk_answer(&srv->waiters[i], W_EINTR);
	for (uint32_t i = 0; i < FUSE_SRV_MAX_LOCKS; i++)
		srv->locks[i].node = FREE_LOCK;
	for (uint32_t i = 0; i < FUSE_SRV_MAX_HANDLES; i++)
		if (srv->handles[i].node != FREE_HANDLE)
			close_handle(srv, &srv->handles[i]);
	for (int32_t i = 0; i < FUSE_SRV_MAX_NODES; i++)
		if (srv->nodes[i].ino) {
			srv->nodes[i].nlookup = 0;
			maybe_drop(srv, i);
		}
	srv->initialized = 0;
}

uint32_t fuse_server_nodes(const struct fuse_server *srv) { return srv->nr_nodes; }

uint32_t fuse_server_handles(const struct fuse_server *srv)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < FUSE_SRV_MAX_HANDLES; i++)
		n += srv->handles[i].node != FREE_HANDLE;
	return n;
}

long fuse_server_pending_reply(struct fuse_server *srv, uint64_t *unique, void *out, size_t out_cap)
{
	for (uint32_t i = 0; i < srv->nr_waiters; i++) {
		struct fuse_srv_waiter *w = &srv->waiters[i];
		struct fuse_out_header o;

		if (!w->done)
			continue;
		if (out_cap < sizeof(o))
			return -EINVAL;
		o.len = sizeof(o);
		o.error = -w->error;
		o.unique = w->unique;
		memcpy(out, &o, sizeof(o));
		*unique = w->unique;
		if (w->error)
			srv->stats.errors++;
		srv->nr_waiters--;
		memmove(w, w + 1, (srv->nr_waiters - i) * sizeof(*w));
		return sizeof(o);
	}
	return 0;
}
