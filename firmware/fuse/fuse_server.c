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

#include "fuse_dax.h"
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

struct req {
	struct fuse_server *srv;
	const struct fuse_in_header *h;
	const uint8_t *arg;
	size_t alen;
	uint8_t *out;
	size_t cap;
};

/* DAX window write-back (see "DAX window" below). */
#define DAX_KEEP 0	/* write dirty pages back; they stay mapped (FSYNC, RELEASE, SYNCFS) */
#define DAX_DROP 1	/* write back unless the inode has no link left, then unmap all (node dropped) */
static int dax_sync_node(struct fuse_server *s, int32_t slot, int how);

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

/* The guest forgot the node and closed it: its window pages (Linux removes
 * them before the FORGET; a guest that did not loses them here, written
 * back) go before the slot does. */
static void drop_node(struct fuse_server *s, int32_t i)
{
	uint64_t ino = s->nodes[i].ino;
	uint32_t h = hash_ino(ino);
	int32_t *p = &s->hash[h];

	if (s->dax) {
		dax_sync_node(s, i, DAX_DROP);
		memset(&s->dax->node[i], 0, sizeof(s->dax->node[i]));
	}
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
 * no open file for, and a lock must not outlive the slot it names. It also
 * writes the node's dirty window pages back (they stay mapped: the guest
 * keeps its DAX ranges after close).
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
		if (!s->nodes[slot].opens) {
			lk_drop(s, slot, 0, 1);
			dax_sync_node(s, slot, DAX_KEEP);
		}
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

/* --------------------------------------------------------------- DAX window */

/*
 * The DAX cache window (fuse_dax.h). What a Linux 6.1 guest (fs/fuse/dax.c)
 * sends, and what the server makes of it:
 *
 *  - SETUPMAPPING(fh = -1, foffset, len = 2 MiB, READ [| WRITE], moffset) on
 *    a fault, read or write of a 2 MiB range it has no mapping for
 *    (fuse_setup_new_dax_mapping), and again for the same range and window
 *    offset with WRITE to upgrade a read-only one (fuse_upgrade_dax_mapping).
 *    The guest asks only for ranges that start below its i_size
 *    (fuse_iomap_begin answers a hole at or past EOF), but the file's last
 *    range runs past EOF: the window then holds zeros there, and an
 *    extending FUSE_WRITE (fuse_dax_direct_write) later fills them in while
 *    the range stays mapped. So: a range may end past EOF; one that starts at
 *    or past EOF is refused with ENXIO.
 *  - REMOVEMAPPING(count <= FUSE_REMOVEMAPPING_MAX_ENTRY whole ranges) when
 *    the guest reclaims a range (reclaim_one_dmap_locked) and when it evicts
 *    the inode (fuse_dax_inode_cleanup, before the inode's FORGET). Linux only
 *    logs a failed REMOVEMAPPING and reuses the range: the pages go even when
 *    their write-back fails (the error is kept for the node's next FSYNC).
 *  - Truncation keeps the ranges mapped (fuse_do_setattr only breaks the
 *    guest's layouts), so the window bytes past the new EOF are zeroed here.
 *
 * The protocol names 4 KiB pages (map_alignment 12), so the tables hold one
 * entry per window page: a SETUPMAPPING over pages of other mappings takes
 * exactly those pages away (written back first) and leaves their neighbours
 * mapped, which is "replacing an exactly overlapping mapping and splitting a
 * partially overlapping one". A page already holding the requested file page
 * keeps its bytes and only changes permission (the upgrade). A file page
 * already mapped at another window page moves to the new one with its bytes
 * and dirty state: a file page lives in at most one window page, so there is
 * one copy of its data.
 *
 * Ordering against the guest (docs/dax.md): a page leaves the guest's view
 * (set_state unmapped) before its dirty bits are taken and its bytes copied
 * out; a page gets its state only after its bytes are in place. Write-back
 * takes the dirty bits before copying, so a guest write during the copy sets
 * its bit again and goes out with the next write-back. Window bytes past EOF
 * are never written to the file, and are zeroed whenever EOF moves over them.
 */

#define DAX_NONE 0xffffffffu
#define DAX_MULTI 0xffffffffu		/* chunk owner: pages of several nodes */
#define DAX_PG FUSE_DAX_PAGE_SIZE
#define DAX_SHIFT FUSE_DAX_PAGE_SHIFT
/* Above this many file pages, walking the node's chunks beats lookups. */
#define DAX_WALK_LOOKUPS 1024u

static uint32_t dax_tag(int32_t slot)
{
	return (uint32_t)slot + 1;
}

static int32_t dax_owner(const struct fuse_dax_page *p)
{
	return (int32_t)(p->node & FUSE_DAX_NODE_MASK) - 1;
}

static uint8_t *dax_mem(const struct fuse_dax *d, uint32_t w)
{
	return d->win.mem + ((size_t)w << DAX_SHIFT);
}

static int dax_has_pages(const struct fuse_server *s, int32_t slot)
{
	return s->dax && slot >= 0 && s->dax->node[slot].pages;
}

/* 32-bit arithmetic (one multiply on RV32); an odd multiplier keeps a run of
 * consecutive file pages in distinct buckets. */
static uint32_t dax_hash(int32_t slot, uint32_t fpage)
{
	uint32_t k = (fpage ^ ((uint32_t)slot * 0x9e3779b1u)) * 0x85ebca6bu;

	return (k ^ (k >> 15)) & (FUSE_DAX_HASH_SIZE - 1);
}

/* The window page holding slot's file page, or DAX_NONE. */
static uint32_t dax_lookup(const struct fuse_dax *d, int32_t slot, uint64_t fpage)
{
	uint32_t tag = dax_tag(slot);

	if (fpage >= d->node[slot].end)
		return DAX_NONE;
	for (uint32_t w = d->hash[dax_hash(slot, (uint32_t)fpage)]; w != DAX_NONE; w = d->page[w].next)
		if ((d->page[w].node & FUSE_DAX_NODE_MASK) == tag && d->page[w].fpage == fpage)
			return w;
	return DAX_NONE;
}

/* Enters an unmapped window page into the tables (not the hardware). */
static void dax_map(struct fuse_dax *d, uint32_t w, int32_t slot, uint32_t fpage, uint32_t flags)
{
	struct fuse_dax_page *p = &d->page[w];
	struct fuse_dax_chunk *c = &d->chunk[w >> FUSE_DAX_CHUNK_SHIFT];
	struct fuse_dax_node *n = &d->node[slot];
	uint32_t h = dax_hash(slot, fpage);

	p->node = dax_tag(slot) | flags;
	p->fpage = fpage;
	p->next = d->hash[h];
	d->hash[h] = w;
	if (!c->count)
		c->owner = dax_tag(slot);
	else if (c->owner != dax_tag(slot))
		c->owner = DAX_MULTI;
	c->count++;
	n->pages++;
	d->mapped++;
	if (fpage + 1 > n->end)
		n->end = fpage + 1;
}

/* Takes a mapped window page out of the tables (not the hardware). */
static void dax_unmap(struct fuse_dax *d, uint32_t w)
{
	struct fuse_dax_page *p = &d->page[w];
	struct fuse_dax_chunk *c = &d->chunk[w >> FUSE_DAX_CHUNK_SHIFT];
	int32_t slot = dax_owner(p);
	struct fuse_dax_node *n = &d->node[slot];
	uint32_t *link = &d->hash[dax_hash(slot, p->fpage)];

	while (*link != w)
		link = &d->page[*link].next;
	*link = p->next;
	p->node = 0;
	p->fpage = 0;
	p->next = DAX_NONE;
	d->mapped--;
	if (!--c->count)
		c->owner = 0;
	if (!--n->pages)
		n->end = 0;
}

static void dax_hw_state(struct fuse_dax *d, uint32_t first, uint32_t count, uint32_t state)
{
	if (count)
		d->win.set_state(d->win.hw, first, count, state);
}

/* Moves the hardware dirty bits of pages [32 * word, +32) into the table:
 * a mapped page stays FUSE_DAX_DIRTY until it is written back. */
static void dax_harvest(struct fuse_dax *d, uint32_t word)
{
	uint32_t bits = d->win.take_dirty(d->win.hw, word);

	while (bits) {
		uint32_t w = word * 32 + (uint32_t)__builtin_ctz(bits);

		bits &= bits - 1;
		if (w < d->pages && d->page[w].node)
			d->page[w].node |= FUSE_DAX_DIRTY;
	}
}

static void dax_harvest_range(struct fuse_dax *d, uint32_t first, uint32_t count)
{
	if (count)
		for (uint32_t word = first / 32; word <= (first + count - 1) / 32; word++)
			dax_harvest(d, word);
}

/* The first window page at or after w that holds one of slot's file pages,
 * or DAX_NONE; chunks without the node are skipped whole. */
static uint32_t dax_node_next(const struct fuse_dax *d, int32_t slot, uint32_t w)
{
	uint32_t tag = dax_tag(slot);

	while (w < d->pages) {
		const struct fuse_dax_chunk *c = &d->chunk[w >> FUSE_DAX_CHUNK_SHIFT];

		if (!c->count || (c->owner != tag && c->owner != DAX_MULTI)) {
			w = (w | (FUSE_DAX_CHUNK_PAGES - 1)) + 1;
			continue;
		}
		if ((d->page[w].node & FUSE_DAX_NODE_MASK) == tag)
			return w;
		w++;
	}
	return DAX_NONE;
}

/*
 * Calls fn for each window page holding one of slot's file pages in
 * [first, last]: by reverse lookup for short spans, by walking the node's
 * chunks for long ones (so a range reaching 2^32 pages costs what the node
 * has mapped, not what it spans).
 */
static void dax_for_fpages(struct fuse_dax *d, int32_t slot, uint64_t first, uint64_t last,
			   void (*fn)(struct fuse_dax *d, uint32_t w, void *ctx), void *ctx)
{
	if (!d->node[slot].pages)
		return;
	if (last >= d->node[slot].end)
		last = d->node[slot].end - 1;
	if (first > last)
		return;
	if (last - first < DAX_WALK_LOOKUPS) {
		for (uint64_t fp = first; fp <= last; fp++) {
			uint32_t w = dax_lookup(d, slot, fp);

			if (w != DAX_NONE)
				fn(d, w, ctx);
		}
		return;
	}
	for (uint32_t w = dax_node_next(d, slot, 0); w != DAX_NONE; w = dax_node_next(d, slot, w + 1))
		if (d->page[w].fpage >= first && d->page[w].fpage <= last)
			fn(d, w, ctx);
}

struct dax_zero {
	uint64_t from, old_size;
	uint32_t word;		/* last dirty word harvested */
};

/*
 * EOF moved from old_size to a new size, from = the lower of the two: every
 * window byte at or past from must read as zero. The page holding `from` has
 * its tail cleared; a whole page past it is cleared when it can hold anything
 * but zeros: it held file bytes (below old_size) or the guest wrote it
 * (dirty). Such a page then matches the file (a hole, or nothing) and is
 * clean. A clean page wholly past the old EOF is zero already: pages are
 * filled with zeros past EOF and cleared when EOF moves below them.
 */
static void dax_zero_page(struct fuse_dax *d, uint32_t w, void *ctx)
{
	struct dax_zero *z = ctx;
	struct fuse_dax_page *p = &d->page[w];
	uint64_t start = (uint64_t)p->fpage << DAX_SHIFT;

	if (w / 32 != z->word) {
		z->word = w / 32;
		dax_harvest(d, z->word);
	}
	if (z->from > start) {
		uint32_t at = (uint32_t)(z->from - start);

		memset(dax_mem(d, w) + at, 0, DAX_PG - at);
	} else if ((p->node & FUSE_DAX_DIRTY) || start < z->old_size) {
		memset(dax_mem(d, w), 0, DAX_PG);
		p->node &= ~FUSE_DAX_DIRTY;
	}
}

static void dax_zero_from(struct fuse_server *s, int32_t slot, uint64_t from, uint64_t old_size)
{
	struct dax_zero z = { .from = from, .old_size = old_size, .word = DAX_NONE };

	if (dax_has_pages(s, slot))
		dax_for_fpages(s->dax, slot, from >> DAX_SHIFT, DAX_NONE, dax_zero_page, &z);
}

struct dax_span {
	uint64_t a, b;
};

static void dax_zero_part(struct fuse_dax *d, uint32_t w, void *ctx)
{
	const struct dax_span *sp = ctx;
	uint64_t start = (uint64_t)d->page[w].fpage << DAX_SHIFT;
	uint64_t a = sp->a > start ? sp->a : start;
	uint64_t b = sp->b < start + DAX_PG ? sp->b : start + DAX_PG;

	memset(dax_mem(d, w) + (a - start), 0, (size_t)(b - a));
}

/* The file's bytes [a, b) became zeros (hole punched, range zeroed). */
static void dax_zero_span(struct fuse_server *s, int32_t slot, uint64_t a, uint64_t b)
{
	struct dax_span sp = { a, b };

	if (dax_has_pages(s, slot) && a < b)
		dax_for_fpages(s->dax, slot, a >> DAX_SHIFT, (b - 1) >> DAX_SHIFT, dax_zero_part, &sp);
}

/* Consecutive window pages holding consecutive file pages of one node,
 * written back with one vfs_write. */
struct dax_run {
	int32_t slot;
	int wb;			/* 0: the node's pages are not written (getattr failed, unlinked) */
	uint64_t ino, size;
	uint32_t w, fpage, n;
	int err;		/* first failure (local errno) */
};

static void dax_run_start(struct fuse_server *s, struct dax_run *run, int32_t slot, int skip_unlinked)
{
	struct vfs_attr v;
	int err;

	run->slot = slot;
	run->ino = s->nodes[slot].ino;
	run->n = 0;
	err = vfs_getattr(s->fs, run->ino, &v);
	run->wb = !err && !(skip_unlinked && v.nlink == 0);
	run->size = err ? 0 : v.size;
	if (err && !run->err)
		run->err = err;
}

/* Writes the run's bytes below the file's size; a failure leaves the pages
 * dirty and is kept as the node's write-back error. A page wholly past EOF
 * stays dirty: what the guest left there is not zeros, and is cleared when
 * EOF moves over it (dax_zero_page). */
static void dax_run_flush(struct fuse_server *s, struct dax_run *run)
{
	struct fuse_dax *d = s->dax;
	uint64_t off = (uint64_t)run->fpage << DAX_SHIFT, len = (uint64_t)run->n << DAX_SHIFT;
	long got = 0;

	if (!run->n)
		return;
	if (run->wb && off < run->size) {
		if (len > run->size - off)
			len = run->size - off;
		got = vfs_write(s->fs, run->ino, off, dax_mem(d, run->w), (size_t)len);
		if (got >= 0 && (uint64_t)got != len)
			got = -ENOSPC;
	}
	if (got < 0) {
		if (!run->err)
			run->err = (int)got;
		d->node[run->slot].wb_err = (int32_t)got;
		d->stats.wb_errors++;
	} else if (run->wb) {
		for (uint32_t i = 0; i < run->n; i++)
			if ((uint64_t)(run->fpage + i) << DAX_SHIFT < run->size) {
				d->page[run->w + i].node &= ~FUSE_DAX_DIRTY;
				d->stats.written++;
			}
	}
	run->n = 0;
}

/* Adds dirty window page w (of run->slot) to the run. */
static void dax_run_add(struct fuse_server *s, struct dax_run *run, uint32_t w)
{
	uint32_t fp = s->dax->page[w].fpage;

	if (run->n && run->w + run->n == w && run->fpage + run->n == fp) {
		run->n++;
		return;
	}
	dax_run_flush(s, run);
	run->w = w;
	run->fpage = fp;
	run->n = 1;
}

/*
 * Writes slot's dirty window pages back; DAX_DROP then unmaps every one of
 * them (first from the guest's view, so no write lands after its bits were
 * taken). Returns 0 or the first error (negative local errno).
 */
static int dax_sync_node(struct fuse_server *s, int32_t slot, int how)
{
	struct fuse_dax *d = s->dax;
	struct dax_run run;
	uint32_t word = DAX_NONE, first = 0, n = 0;

	if (!dax_has_pages(s, slot))
		return 0;
	memset(&run, 0, sizeof(run));
	dax_run_start(s, &run, slot, how == DAX_DROP);
	if (how == DAX_DROP) {
		for (uint32_t w = dax_node_next(d, slot, 0); w != DAX_NONE; w = dax_node_next(d, slot, w + 1)) {
			if (n && first + n == w) {
				n++;
				continue;
			}
			dax_hw_state(d, first, n, FUSE_DAX_UNMAPPED);
			first = w;
			n = 1;
		}
		dax_hw_state(d, first, n, FUSE_DAX_UNMAPPED);
	}
	for (uint32_t w = dax_node_next(d, slot, 0); w != DAX_NONE; w = dax_node_next(d, slot, w + 1)) {
		if (w / 32 != word) {
			word = w / 32;
			dax_harvest(d, word);
		}
		if (d->page[w].node & FUSE_DAX_DIRTY)
			dax_run_add(s, &run, w);
	}
	dax_run_flush(s, &run);
	if (how == DAX_DROP)
		for (uint32_t w = dax_node_next(d, slot, 0); w != DAX_NONE; w = dax_node_next(d, slot, w + 1))
			dax_unmap(d, w);
	return run.err;
}

/* Every window page back to unmapped, tables empty, dirty bits drained. */
static void dax_clear(struct fuse_dax *d)
{
	memset(d->hash, 0xff, sizeof(d->hash));
	memset(d->chunk, 0, sizeof(d->chunk));
	memset(d->node, 0, sizeof(d->node));
	memset(d->page, 0, sizeof(d->page));	/* .next matters only on a chain */
	d->mapped = 0;
	dax_hw_state(d, 0, d->pages, FUSE_DAX_UNMAPPED);
	for (uint32_t word = 0; word < d->pages / 32 + (d->pages % 32 != 0); word++)
		(void)d->win.take_dirty(d->win.hw, word);
}

/*
 * READ through the window: the bytes of mapped file pages come from their
 * window pages, the rest from the file, each run of unmapped pages with one
 * vfs_read. The size is the file's (WRITE to the window extends it at once).
 */
static long srv_read(struct fuse_server *s, int32_t slot, uint64_t ino, uint64_t off, void *buf, size_t len)
{
	struct fuse_dax *d = s->dax;
	uint8_t *out = buf;
	struct vfs_attr v;
	size_t done = 0;
	long ret;

	if (!dax_has_pages(s, slot))
		return vfs_read(s->fs, ino, off, buf, len);
	ret = vfs_getattr(s->fs, ino, &v);
	if (ret)
		return ret;
	if (off >= v.size)
		return 0;
	if (len > v.size - off)
		len = (size_t)(v.size - off);
	while (done < len) {
		uint64_t pos = off + done;
		size_t in_pg = DAX_PG - (size_t)(pos & (DAX_PG - 1));
		size_t run = len - done < in_pg ? len - done : in_pg;
		uint32_t w = dax_lookup(d, slot, pos >> DAX_SHIFT);

		if (w != DAX_NONE) {
			memcpy(out + done, dax_mem(d, w) + (pos & (DAX_PG - 1)), run);
			done += run;
			d->stats.read_hits++;
			continue;
		}
		while (done + run < len && dax_lookup(d, slot, (pos + run) >> DAX_SHIFT) == DAX_NONE)
			run += len - done - run < DAX_PG ? len - done - run : DAX_PG;
		ret = vfs_read(s->fs, ino, pos, out + done, run);
		if (ret < 0)
			return done ? (long)done : ret;
		done += (size_t)ret;
		if ((size_t)ret < run)
			break;
	}
	return (long)done;
}

static int dax_any_mapped(const struct fuse_dax *d, int32_t slot, uint64_t first, uint64_t last)
{
	if (last >= d->node[slot].end)
		last = d->node[slot].end - 1;
	if (first > last)
		return 0;
	if (last - first >= DAX_WALK_LOOKUPS)
		return 1;		/* the page-by-page path is right either way */
	for (uint64_t fp = first; fp <= last; fp++)
		if (dax_lookup(d, slot, fp) != DAX_NONE)
			return 1;
	return 0;
}

static int set_size(struct fuse_server *s, uint64_t ino, uint64_t size)
{
	struct vfs_setattr sa = { .valid = VFS_SET_SIZE, .size = size };
	struct vfs_attr v;

	return vfs_setattr(s->fs, ino, &sa, &v);
}

/*
 * WRITE through the window: bytes for mapped file pages go to their window
 * pages (dirty: written back later), the rest to the file. A write past EOF
 * first clears what the window holds past the old EOF and sets the new size
 * (a hole until the pages are written back); a write that then falls short
 * puts the size back to where its bytes end.
 */
static long srv_write(struct fuse_server *s, int32_t slot, uint64_t ino, uint64_t off, const void *buf, size_t len)
{
	struct fuse_dax *d = s->dax;
	const uint8_t *in = buf;
	struct vfs_attr v;
	uint64_t end;
	size_t done = 0;
	int extended, touched = 0;
	long ret = 0;

	if (!dax_has_pages(s, slot) || !len || off > FUSE_OFFSET_MAX || len > FUSE_OFFSET_MAX - off)
		return vfs_write(s->fs, ino, off, buf, len);
	ret = vfs_getattr(s->fs, ino, &v);
	if (ret)
		return ret;
	end = off + len;
	extended = end > v.size;
	if (extended)
		dax_zero_from(s, slot, v.size, v.size);
	if (!dax_any_mapped(d, slot, off >> DAX_SHIFT, (end - 1) >> DAX_SHIFT))
		return vfs_write(s->fs, ino, off, buf, len);
	if (extended) {
		ret = set_size(s, ino, end);
		if (ret)
			return ret;
	}
	while (done < len) {
		uint64_t pos = off + done;
		size_t in_pg = DAX_PG - (size_t)(pos & (DAX_PG - 1));
		size_t run = len - done < in_pg ? len - done : in_pg;
		uint32_t w = dax_lookup(d, slot, pos >> DAX_SHIFT);

		if (w != DAX_NONE) {
			memcpy(dax_mem(d, w) + (pos & (DAX_PG - 1)), in + done, run);
			d->page[w].node |= FUSE_DAX_DIRTY;
			done += run;
			touched = 1;
			d->stats.write_hits++;
			continue;
		}
		while (done + run < len && dax_lookup(d, slot, (pos + run) >> DAX_SHIFT) == DAX_NONE)
			run += len - done - run < DAX_PG ? len - done - run : DAX_PG;
		ret = vfs_write(s->fs, ino, pos, in + done, run);
		if (ret < 0)
			break;
		done += (size_t)ret;
		if ((size_t)ret < run)
			break;
	}
	if (extended && done < len) {
		uint64_t keep = off + done > v.size ? off + done : v.size;

		set_size(s, ino, keep);
		dax_zero_from(s, slot, keep, end);
	}
	if (touched && !extended) {
		/* The window took bytes the file has not seen: times as write(2). */
		struct vfs_setattr sa = { .valid = VFS_SET_MTIME_NOW };

		vfs_setattr(s->fs, ino, &sa, &v);
	}
	return done ? (long)done : ret;
}

/*
 * Whether the request may map the node: with fh = FUSE_DAX_NO_FH (what Linux
 * sends) the node needs an open file handle, one open for writing for a
 * writable mapping: a guest maps only files it has open (the fault comes
 * through an mmap that holds its file; read/write through the open file).
 * With a real fh, that handle must be open on the node, and not read-only for
 * a writable mapping (EACCES, as mmap(2) of a read-only descriptor with
 * PROT_WRITE and MAP_SHARED).
 */
static int dax_check_fh(struct req *r, int32_t slot, uint64_t fh, int writable)
{
	struct fuse_server *s = r->srv;
	int any = 0;

	if (fh != FUSE_DAX_NO_FH) {
		struct fuse_srv_handle *h = get_handle(r, fh, 0);

		if (!h)
			return W_EBADF;
		return writable && (h->flags & FUSE_O_ACCMODE) == FUSE_O_RDONLY ? W_EACCES : 0;
	}
	if (!s->nodes[slot].opens)
		return W_EBADF;
	for (uint32_t i = 0; i < FUSE_SRV_MAX_HANDLES; i++) {
		const struct fuse_srv_handle *h = &s->handles[i];

		if (h->node != slot || h->is_dir)
			continue;
		any = 1;
		if (!writable || (h->flags & FUSE_O_ACCMODE) != FUSE_O_RDONLY)
			return 0;
	}
	return any ? W_EACCES : W_EBADF;
}

/* The file page at window page `from` moves to the unmapped page `to`. */
static void dax_move(struct fuse_dax *d, uint32_t from, uint32_t to)
{
	int32_t slot = dax_owner(&d->page[from]);
	uint32_t fp = d->page[from].fpage, dirty;

	dax_hw_state(d, from, 1, FUSE_DAX_UNMAPPED);
	dax_harvest(d, from / 32);
	dirty = d->page[from].node & FUSE_DAX_DIRTY;
	memcpy(dax_mem(d, to), dax_mem(d, from), DAX_PG);
	dax_unmap(d, from);
	dax_map(d, to, slot, fp, dirty);
	d->stats.moved++;
}

/* Fills window pages [w, w + n) with file pages fpage.. (zeros past EOF). */
static int dax_load(struct fuse_server *s, int32_t slot, uint64_t ino, uint32_t w, uint32_t fpage, uint32_t n)
{
	struct fuse_dax *d = s->dax;
	size_t len = (size_t)n << DAX_SHIFT;
	long got;

	if (!n)
		return 0;
	got = vfs_read(s->fs, ino, (uint64_t)fpage << DAX_SHIFT, dax_mem(d, w), len);
	if (got < 0)
		return (int)got;
	memset(dax_mem(d, w) + got, 0, len - (size_t)got);
	for (uint32_t i = 0; i < n; i++)
		dax_map(d, w + i, slot, fpage + i, 0);
	d->stats.loaded += n;
	return 0;
}

/*
 * SETUPMAPPING: every argument is checked before anything changes (EINVAL
 * for flags, alignment, a zero length or a range off the window; EFBIG past
 * the largest file; EBADF/EACCES for the handle, see dax_check_fh; EINVAL for
 * what is not a regular file; ENXIO for a range starting at or past EOF).
 * Then, over the window range: pages holding other file pages leave the
 * guest's view, are written back if dirty and unmapped; pages already holding
 * the requested file page stay; file pages mapped elsewhere move here; the
 * rest are read from the file in runs; last, the range takes its state.
 * A read error leaves the pages before it mapped and answers the error.
 */
static long do_setupmapping(struct req *r, uint64_t ino)
{
	const struct fuse_setupmapping_in *in = take(r, sizeof(*in));
	struct fuse_server *s = r->srv;
	struct fuse_dax *d = s->dax;
	int32_t slot = slot_of(s, r->h->nodeid);
	const uint64_t known = FUSE_SETUPMAPPING_FLAG_READ | FUSE_SETUPMAPPING_FLAG_WRITE;
	uint32_t w0, fp0, n, flag, first = 0, cnt = 0, lfirst = 0, ln = 0, others = 0;
	struct dax_run run;
	struct vfs_attr v;
	int writable, err = 0;
	long ret;

	if (!in)
		return reply_err(r, W_EINVAL);
	writable = (in->flags & FUSE_SETUPMAPPING_FLAG_WRITE) != 0;
	if ((in->flags & ~known) || !in->len || ((in->foffset | in->len | in->moffset) & (DAX_PG - 1)))
		return reply_err(r, W_EINVAL);
	if (in->moffset >= d->win.size || in->len > d->win.size - in->moffset)
		return reply_err(r, W_EINVAL);
	if ((in->foffset >> DAX_SHIFT) + (in->len >> DAX_SHIFT) > FUSE_DAX_FILE_PAGES)
		return reply_err(r, W_EFBIG);
	if (slot < 0)
		return reply_err(r, W_EINVAL);		/* the root directory */
	if ((err = dax_check_fh(r, slot, in->fh, writable)))
		return reply_err(r, err);
	ret = vfs_getattr(s->fs, ino, &v);
	if (ret)
		return reply_vfs_err(r, ret);
	if (!S_ISREG(v.mode))
		return reply_err(r, W_EINVAL);
	if (in->foffset >= v.size)
		return reply_err(r, W_ENXIO);

	w0 = (uint32_t)(in->moffset >> DAX_SHIFT);
	fp0 = (uint32_t)(in->foffset >> DAX_SHIFT);
	n = (uint32_t)(in->len >> DAX_SHIFT);
#define SAME(i) (dax_owner(&d->page[w0 + (i)]) == slot && d->page[w0 + (i)].fpage == fp0 + (i))
	/* Pages of other mappings leave the guest's view, in runs. */
	for (uint32_t i = 0; i < n; i++) {
		if (d->page[w0 + i].node && !SAME(i)) {
			if (!cnt)
				first = w0 + i;
			cnt++;
			others++;
			continue;
		}
		dax_hw_state(d, first, cnt, FUSE_DAX_UNMAPPED);
		cnt = 0;
	}
	dax_hw_state(d, first, cnt, FUSE_DAX_UNMAPPED);
	dax_harvest_range(d, w0, n);
	/* Their dirty bytes go back to their files, then they go. */
	memset(&run, 0, sizeof(run));
	run.slot = -1;
	for (uint32_t i = 0; i < n && others; i++) {
		const struct fuse_dax_page *p = &d->page[w0 + i];

		if (!p->node || SAME(i))
			continue;
		if (dax_owner(p) != run.slot) {
			dax_run_flush(s, &run);
			dax_run_start(s, &run, dax_owner(p), 0);
		}
		if (p->node & FUSE_DAX_DIRTY)
			dax_run_add(s, &run, w0 + i);
	}
	dax_run_flush(s, &run);
	for (uint32_t i = 0; i < n && others; i++)
		if (d->page[w0 + i].node && !SAME(i)) {
			dax_unmap(d, w0 + i);
			d->stats.evicted++;
		}
	/* Now every mapped page of the range holds its requested file page. */
	for (uint32_t i = 0; i < n && !err; i++) {
		uint32_t old;

		if (d->page[w0 + i].node)
			continue;
		old = dax_lookup(d, slot, fp0 + i);
		if (old == DAX_NONE) {
			if (ln && lfirst + ln == i) {
				ln++;
			} else {
				err = dax_load(s, slot, ino, w0 + lfirst, fp0 + lfirst, ln);
				lfirst = i;
				ln = 1;
			}
			continue;
		}
		dax_move(d, old, w0 + i);
	}
	if (!err)
		err = dax_load(s, slot, ino, w0 + lfirst, fp0 + lfirst, ln);
	/* The guest may use the pages now, with the permission asked for. */
	flag = writable ? FUSE_DAX_WRITABLE : 0;
	cnt = 0;
	for (uint32_t i = 0; i < n; i++) {
		struct fuse_dax_page *p = &d->page[w0 + i];

		if (p->node) {
			p->node = (p->node & ~FUSE_DAX_WRITABLE) | flag;
			if (!cnt)
				first = w0 + i;
			cnt++;
			continue;
		}
		dax_hw_state(d, first, cnt, writable ? FUSE_DAX_RW : FUSE_DAX_RO);
		cnt = 0;
	}
	dax_hw_state(d, first, cnt, writable ? FUSE_DAX_RW : FUSE_DAX_RO);
#undef SAME
	if (err)
		return reply_vfs_err(r, err);
	d->stats.setups++;
	return reply_err(r, 0);
}

/*
 * REMOVEMAPPING: count entries (1 .. FUSE_DAX_REMOVEMAPPING_MAX, all present
 * in the request) of page-aligned, non-empty window ranges whose lengths add
 * up to at most the window (Linux sends distinct ranges), holding no page of
 * another node: EINVAL otherwise, with nothing changed. Unmapped pages in a
 * range are fine (already gone). Each range then leaves the guest's view, its
 * dirty pages are written back (never past the file's size) and it is
 * unmapped, even when the write-back fails (the error is answered and kept
 * for the node's next FSYNC).
 */
static long do_removemapping(struct req *r)
{
	const struct fuse_removemapping_in *in = take(r, sizeof(*in));
	struct fuse_server *s = r->srv;
	struct fuse_dax *d = s->dax;
	int32_t slot = slot_of(s, r->h->nodeid);
	struct fuse_removemapping_one one;
	struct dax_run run;
	uint64_t total = 0;
	uint32_t count;

	if (!in)
		return reply_err(r, W_EINVAL);
	count = in->count;
	if (!count || count > FUSE_DAX_REMOVEMAPPING_MAX || count > r->alen / sizeof(one))
		return reply_err(r, W_EINVAL);
	for (uint32_t i = 0; i < count; i++) {
		memcpy(&one, r->arg + i * sizeof(one), sizeof(one));	/* entries sit at 4 mod 8 */
		if (!one.len || ((one.moffset | one.len) & (DAX_PG - 1)) || one.moffset >= d->win.size ||
		    one.len > d->win.size - one.moffset)
			return reply_err(r, W_EINVAL);
		total += one.len;
		if (total > d->win.size)
			return reply_err(r, W_EINVAL);
		for (uint32_t w = (uint32_t)(one.moffset >> DAX_SHIFT); w < (one.moffset + one.len) >> DAX_SHIFT; w++)
			if (d->page[w].node && dax_owner(&d->page[w]) != slot)
				return reply_err(r, W_EINVAL);
	}
	if (!dax_has_pages(s, slot))
		return reply_err(r, 0);
	memset(&run, 0, sizeof(run));
	dax_run_start(s, &run, slot, 0);
	for (uint32_t i = 0; i < count; i++) {
		uint32_t w0, n;

		memcpy(&one, r->arg + i * sizeof(one), sizeof(one));
		w0 = (uint32_t)(one.moffset >> DAX_SHIFT);
		n = (uint32_t)(one.len >> DAX_SHIFT);
		dax_hw_state(d, w0, n, FUSE_DAX_UNMAPPED);
		dax_harvest_range(d, w0, n);
		for (uint32_t w = w0; w < w0 + n; w++)
			if (d->page[w].node & FUSE_DAX_DIRTY)
				dax_run_add(s, &run, w);
		dax_run_flush(s, &run);
		for (uint32_t w = w0; w < w0 + n; w++)
			if (d->page[w].node)
				dax_unmap(d, w);
	}
	if (run.err)
		return reply_vfs_err(r, run.err);
	d->stats.removes++;
	return reply_err(r, 0);
}

/* FSYNC's share: the node's dirty window pages, and an earlier failed
 * write-back of them (reported once). */
static int dax_fsync_node(struct fuse_server *s, int32_t slot)
{
	int err, old;

	if (!s->dax || slot < 0)
		return 0;
	err = dax_sync_node(s, slot, DAX_KEEP);
	old = s->dax->node[slot].wb_err;
	s->dax->node[slot].wb_err = 0;
	return err ? err : old;
}

int fuse_server_dax_sync(struct fuse_server *srv)
{
	int err = 0;

	if (!srv->dax)
		return 0;
	for (int32_t i = 0; i < FUSE_SRV_MAX_NODES; i++)
		if (srv->dax->node[i].pages) {
			int e = dax_sync_node(srv, i, DAX_KEEP);

			if (e && !err)
				err = e;
		}
	return err;
}

int fuse_server_attach_dax(struct fuse_server *srv, struct fuse_dax *dax, const struct fuse_dax_window *win)
{
	if (srv->dax) {
		fuse_server_dax_sync(srv);
		for (int32_t i = 0; i < FUSE_SRV_MAX_NODES; i++)
			if (srv->dax->node[i].pages)
				dax_sync_node(srv, i, DAX_DROP);
		dax_clear(srv->dax);
		srv->dax = NULL;
	}
	if (!dax)
		return 0;
	if (!win || !win->mem || !win->set_state || !win->take_dirty || !win->size ||
	    win->size % FUSE_DAX_PAGE_SIZE || win->size / FUSE_DAX_PAGE_SIZE > FUSE_DAX_MAX_PAGES)
		return -EINVAL;
	memset(&dax->stats, 0, sizeof(dax->stats));
	dax->win = *win;
	dax->pages = (uint32_t)(win->size / FUSE_DAX_PAGE_SIZE);
	dax_clear(dax);
	srv->dax = dax;
	return 0;
}

int fuse_server_dax_check(const struct fuse_server *srv)
{
	const struct fuse_dax *d = srv->dax;
	uint32_t mapped = 0, chained = 0, counted = 0;

	if (!d)
		return 0;
	for (uint32_t c = 0; c < FUSE_DAX_NR_CHUNKS; c++) {
		uint32_t count = 0, owner = 0;

		for (uint32_t w = c * FUSE_DAX_CHUNK_PAGES; w < (c + 1) * FUSE_DAX_CHUNK_PAGES && w < FUSE_DAX_MAX_PAGES; w++) {
			const struct fuse_dax_page *p = &d->page[w];
			int32_t slot = dax_owner(p);

			if (!p->node)
				continue;
			if (w >= d->pages)
				return -1;		/* mapped past the window */
			if (slot >= FUSE_SRV_MAX_NODES || !srv->nodes[slot].ino)
				return -2;		/* names no live node */
			if (p->fpage >= d->node[slot].end)
				return -3;		/* above the node's bound */
			if (dax_lookup(d, slot, p->fpage) != w)
				return -4;		/* reverse lookup disagrees */
			mapped++;
			count++;
			owner = !owner || owner == dax_tag(slot) ? dax_tag(slot) : DAX_MULTI;
			if (dax_node_next(d, slot, 0) == w) {
				/* The node's first page: its count must be what a walk finds. */
				uint32_t n = 0;

				for (uint32_t x = w; x != DAX_NONE; x = dax_node_next(d, slot, x + 1))
					n++;
				if (n != d->node[slot].pages)
					return -7;
				counted += n;
			}
		}
		if (d->chunk[c].count != count)
			return -5;
		if (count && d->chunk[c].owner != owner && d->chunk[c].owner != DAX_MULTI)
			return -6;
	}
	if (counted != mapped || mapped != d->mapped)
		return -7;
	for (uint32_t h = 0; h < FUSE_DAX_HASH_SIZE; h++)
		for (uint32_t w = d->hash[h]; w != DAX_NONE; w = d->page[w].next) {
			if (w >= d->pages || !d->page[w].node || dax_hash(dax_owner(&d->page[w]), d->page[w].fpage) != h)
				return -8;	/* a stray chain entry */
			if (++chained > mapped)
				return -9;	/* a loop */
		}
	return chained == mapped ? 0 : -10;
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
	int32_t slot = slot_of(r->srv, r->h->nodeid);
	struct vfs_setattr sa;
	struct vfs_attr v;
	uint64_t old = 0;
	int track;
	long ret;

	if (!in)
		return reply_err(r, W_EINVAL);
	/* A size change of a file in the DAX window moves its EOF there too. */
	track = (in->valid & FATTR_SIZE) && dax_has_pages(r->srv, slot);
	if (track) {
		ret = vfs_getattr(r->srv->fs, ino, &v);
		if (ret)
			return reply_vfs_err(r, ret);
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
		dax_zero_from(r->srv, slot, v.size < old ? v.size : old, old);
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
		uint64_t old = v.size;

		ret = vfs_setattr(r->srv->fs, ino, &sa, &v);
		if (ret)
			return reply_vfs_err(r, ret);
		dax_zero_from(r->srv, slot_of(r->srv, r->h->nodeid), 0, old);
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
	got = srv_read(r->srv, slot_of(r->srv, r->h->nodeid), ino, in->offset, r->out + sizeof(struct fuse_out_header), n);
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
	n = srv_write(r->srv, h->node, ino, off, r->arg, in->size);
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

		got = srv_read(s, slot_of(s, r->h->nodeid), ino_in, in->off_in + at, s->scratch, (size_t)n);
		if (got < 0 || (backward && (uint64_t)got != n)) {
			ret = got < 0 ? got : -EIO;
			goto out_err;
		}
		if (got == 0)
			break;
		put = srv_write(s, slot_out, ino_out, in->off_out + at, s->scratch, (size_t)got);
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

/* In the DAX window, a punched or zeroed range reads as zeros at once, and
 * a size grown by fallocate clears what lay past the old EOF. */
static long do_fallocate(struct req *r, uint64_t ino)
{
	const struct fuse_fallocate_in *in = take(r, sizeof(*in));
	struct vfs_attr v;
	uint64_t old = 0;
	int32_t slot;
	long ret;

	if (!in)
		return reply_err(r, W_EINVAL);
	if (!get_handle(r, in->fh, 0))
		return reply_err(r, W_EBADF);
	slot = slot_of(r->srv, r->h->nodeid);
	if (dax_has_pages(r->srv, slot)) {
		ret = vfs_getattr(r->srv->fs, ino, &v);
		if (ret)
			return reply_vfs_err(r, ret);
		old = v.size;
	}
	ret = vfs_fallocate(r->srv->fs, ino, in->mode, in->offset, in->length);
	if (!ret && dax_has_pages(r->srv, slot)) {
		uint64_t end = in->length > FUSE_OFFSET_MAX - in->offset ? FUSE_OFFSET_MAX : in->offset + in->length;

		if (in->mode & (FUSE_FALLOC_PUNCH_HOLE | FUSE_FALLOC_ZERO_RANGE))
			dax_zero_span(r->srv, slot, in->offset, end < old ? end : old);
		if (vfs_getattr(r->srv->fs, ino, &v) == 0 && v.size > old)
			dax_zero_from(r->srv, slot, old, old);
	}
	return reply_vfs_err(r, ret);
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
	/* Data only the window holds is not in the file's extents yet. */
	ret = dax_sync_node(r->srv, slot_of(r->srv, r->h->nodeid), DAX_KEEP);
	if (ret)
		return reply_vfs_err(r, ret);
	ret = vfs_lseek(r->srv->fs, ino, in->offset, in->whence == FUSE_SEEK_DATA ? 3 : 4, &res);
	if (ret)
		return reply_vfs_err(r, ret);
	o.offset = res;
	return reply_data(r, &o, sizeof(o));
}

/* FSYNC writes the file's dirty window pages first, and answers a failure of
 * theirs (now, or an earlier one of REMOVEMAPPING or RELEASE). */
static long do_fsync(struct req *r, uint64_t ino, int is_dir)
{
	const struct fuse_fsync_in *in = take(r, sizeof(*in));
	struct fuse_srv_handle *h;
	int err = 0, ret;

	if (!in)
		return reply_err(r, W_EINVAL);
	h = get_handle(r, in->fh, is_dir);
	if (!h)
		return reply_err(r, W_EBADF);
	if (!is_dir)
		err = dax_fsync_node(r->srv, h->node);
	ret = vfs_fsync(r->srv->fs, ino, (int)(in->fsync_flags & 1));
	return reply_vfs_err(r, err ? err : ret);
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
	if (r.h->opcode == FUSE_SYNCFS) {
		int err = fuse_server_dax_sync(srv), ret = vfs_sync(srv->fs);

		return reply_vfs_err(&r, err ? err : ret);
	}
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
	case FUSE_SETUPMAPPING: return srv->dax ? do_setupmapping(&r, ino) : reply_err(&r, W_ENOSYS);
	case FUSE_REMOVEMAPPING: return srv->dax ? do_removemapping(&r) : reply_err(&r, W_ENOSYS);
	default:
		/* IOCTL, POLL, BMAP, NOTIFY_REPLY, and anything unknown. */
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
	/* Dropping the nodes wrote their window pages back and unmapped them. */
	if (srv->dax)
		for (uint32_t c = 0; c < FUSE_DAX_NR_CHUNKS; c++)
			if (srv->dax->chunk[c].count) {
				dax_clear(srv->dax);
				break;
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
