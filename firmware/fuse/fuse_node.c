/*
 * Node IDs and file handles: the two tables that stand between the guest's
 * numbers and the filesystem's inodes. A node ID is a slot of srv->nodes plus
 * its generation, a file handle a slot of srv->handles plus its generation,
 * so a forged or stale one names nothing. A node lives while the guest holds
 * a lookup reference on it or a handle open on it; its last handle takes the
 * node's locks and writes its window pages back, its end evicts the inode.
 */
#include "fuse_int.h"

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

static int32_t find_node(const struct fuse_server *s, uint64_t ino)
{
	for (int32_t i = s->hash[hash_ino(ino)]; i >= 0; i = s->nodes[i].next)
		if (s->nodes[i].ino == ino)
			return i;
	return NO_NODE;
}

/* One more lookup reference on ino; its node ID in *nodeid. */
int fuse_node_ref(struct fuse_server *s, uint64_t ino, uint64_t *nodeid)
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

	fuse_dax_drop_node(s, i);
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

void fuse_node_forget(struct fuse_server *s, uint64_t nodeid, uint64_t n)
{
	int32_t i = fuse_slot_of(s, nodeid);

	if (i < 0)
		return;			/* the root, or not ours: nothing to do */
	s->nodes[i].nlookup = n >= s->nodes[i].nlookup ? 0 : s->nodes[i].nlookup - n;
	maybe_drop(s, i);
}

int fuse_handle_open(struct fuse_server *s, int32_t slot, uint32_t flags, int is_dir, uint64_t *fh)
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
struct fuse_srv_handle *fuse_handle_get(struct fuse_req *r, uint64_t fh, int is_dir)
{
	uint32_t i = (uint32_t)fh;
	struct fuse_srv_handle *h;

	if (i >= FUSE_SRV_MAX_HANDLES)
		return NULL;
	h = &r->srv->handles[i];
	if (h->node == FREE_HANDLE || h->gen != (uint32_t)(fh >> 32) || h->is_dir != is_dir ||
	    fuse_slot_of(r->srv, r->h->nodeid) != h->node)
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
void fuse_handle_close(struct fuse_server *s, struct fuse_srv_handle *h)
{
	int32_t slot = h->node;

	fuse_lk_closed(s, (uint64_t)h->gen << 32 | (uint32_t)(h - s->handles));
	h->node = FREE_HANDLE;
	h->gen++;
	if (slot >= 0) {
		s->nodes[slot].opens--;
		if (!s->nodes[slot].opens) {
			fuse_lk_drop(s, slot, 0, 1);
			fuse_dax_sync_node(s, slot, FUSE_DAX_KEEP);
		}
		maybe_drop(s, slot);
	}
}

/*
 * Whether the request may map the node: with fh = FUSE_DAX_NO_FH (what Linux
 * sends) the node needs an open file handle, one open for writing for a
 * writable mapping: a guest maps only files it has open (the fault comes
 * through an mmap that holds its file; read/write through the open file).
 * With a real fh, that handle must be open on the node, and not read-only for
 * a writable mapping (EACCES, as mmap(2) of a read-only descriptor with
 * PROT_WRITE and MAP_SHARED). Returns 0 or a wire errno.
 */
int fuse_handle_may_map(struct fuse_req *r, int32_t slot, uint64_t fh, int writable)
{
	struct fuse_server *s = r->srv;
	int any = 0;

	if (fh != FUSE_DAX_NO_FH) {
		struct fuse_srv_handle *h = fuse_handle_get(r, fh, 0);

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

void fuse_node_init(struct fuse_server *s)
{
	for (int32_t i = 0; i < FUSE_SRV_MAX_NODES; i++) {
		s->hash[i] = -1;
		s->nodes[i].next = i + 1 < FUSE_SRV_MAX_NODES ? i + 1 : -1;
	}
	s->free_node = 0;
	for (uint32_t i = 0; i < FUSE_SRV_MAX_HANDLES; i++)
		s->handles[i].node = FREE_HANDLE;
}

/* Every handle closed, then every node dropped (written back, evicted).
 * Slots are handed out lowest first and reused last freed first, so the
 * live ones sit low: the walk ends with the last of them, not at the end
 * of the table (65 536 slots on the host, 8 192 on the card: most of a
 * DESTROY's instructions went into looking at empty ones). */
void fuse_node_reset(struct fuse_server *s)
{
	for (uint32_t i = 0; i < FUSE_SRV_MAX_HANDLES; i++)
		if (s->handles[i].node != FREE_HANDLE)
			fuse_handle_close(s, &s->handles[i]);
	for (int32_t i = 0; i < FUSE_SRV_MAX_NODES && s->nr_nodes; i++)
		if (s->nodes[i].ino) {
			s->nodes[i].nlookup = 0;
			maybe_drop(s, i);
		}
}

uint32_t fuse_server_nodes(const struct fuse_server *srv) { return srv->nr_nodes; }

uint32_t fuse_server_handles(const struct fuse_server *srv)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < FUSE_SRV_MAX_HANDLES; i++)
		n += srv->handles[i].node != FREE_HANDLE;
	return n;
}
