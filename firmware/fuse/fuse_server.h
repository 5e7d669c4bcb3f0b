/*
 * FUSE server: turns one virtio-fs request (struct fuse_in_header + arguments,
 * and for WRITE the payload) into one reply (struct fuse_out_header + data)
 * over the filesystem behind vfs.h.
 *
 * Portable C for the host and the RV32 soft core: no allocation, no threads;
 * every table is a fixed array sized by the macros below (override them with
 * -D when building). The caller serialises all calls on one server.
 *
 * Node IDs and file handles handed to the guest encode a table slot and a
 * generation number, so a forged or stale one is answered with an errno and
 * never reaches another inode.
 *
 * POSIX record locks (GETLK, SETLK, SETLKW) live in srv->locks, per node and
 * per lock owner (fuse_lk_in.owner), with fcntl(2) semantics:
 *  - ranges are inclusive; end 0x7fffffffffffffff means "to EOF"; start > end,
 *    or either past that, is EINVAL;
 *  - F_RDLCK is shared and F_WRLCK exclusive between different owners; one
 *    owner's own locks never conflict: they merge (same type, overlapping or
 *    adjacent), split and convert like fcntl, and F_UNLCK releases a range;
 *  - the fh must be a handle of the request's node (else EBADF), open for
 *    reading for F_RDLCK and for writing for F_WRLCK (else EBADF);
 *  - GETLK answers the first conflicting lock of another owner, or F_UNLCK;
 *  - a table too full for the result answers ENOLCK and changes nothing;
 *  - flock(2) requests (FUSE_LK_FLOCK) answer ENOSYS: FUSE_FLOCK_LOCKS is not
 *    offered at INIT, so a Linux guest keeps flock locks to itself.
 * Locks go away on F_UNLCK, on FLUSH (fuse_flush_in.lock_owner's locks on the
 * node), on RELEASE with FUSE_RELEASE_FLOCK_UNLOCK (lock_owner's), when the
 * node's last handle closes (every lock on it: no owner can hold a POSIX lock
 * without an open file), and on reset/DESTROY.
 *
 * A SETLK that conflicts answers EAGAIN. A SETLKW that conflicts waits:
 * fuse_dispatch() returns FUSE_SRV_DEFERRED and the server keeps the request
 * in srv->waiters. Rules for waiters:
 *  - each time a lock is released or converted, waiters are re-checked in
 *    arrival order; one no lock blocks any more gets the lock and reply 0;
 *  - a waiter whose owner would wait on itself through the waiters (the owner
 *    of a blocking lock waits, directly or through a chain, for a lock of the
 *    requester) is not queued: EDEADLK at once;
 *  - the waiter table full: ENOLCK at once;
 *  - FUSE_INTERRUPT naming a waiter's unique answers it EINTR;
 *  - its handle closed (RELEASE): EBADF; reset/DESTROY: EINTR;
 *  - a granted waiter that finds the lock table full: ENOLCK.
 * Every such answer comes out of fuse_server_pending_reply(), which the caller
 * polls after each fuse_dispatch() call (and after fuse_server_reset()).
 *
 * DAX: with a cache window attached (fuse_dax.h, fuse_server_attach_dax) the
 * server answers SETUPMAPPING and REMOVEMAPPING, and the window pages are the
 * cache of the file ranges mapped there: READ, WRITE, COPY_FILE_RANGE and
 * truncation see and keep the same bytes the guest sees through the window.
 */
#ifndef FUSE_SERVER_H
#define FUSE_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "vfs.h"

struct fuse_dax;

/* Inodes the guest may hold a lookup reference on at once (root excluded).
 * READDIRPLUS stops handing out references when the table is full. */
#ifndef FUSE_SRV_MAX_NODES
#define FUSE_SRV_MAX_NODES	65536
#endif
/* Open files and directories at once. */
#ifndef FUSE_SRV_MAX_HANDLES
#define FUSE_SRV_MAX_HANDLES	1024
#endif
/* POSIX record locks held at once (all owners, all files). */
#ifndef FUSE_SRV_MAX_LOCKS
#define FUSE_SRV_MAX_LOCKS	256
#endif
/* SETLKW requests waiting at once (answered ones count until collected). */
#ifndef FUSE_SRV_MAX_WAITERS
#define FUSE_SRV_MAX_WAITERS	32
#endif
/* Largest WRITE payload accepted (advertised as max_write / max_pages). */
#ifndef FUSE_SRV_MAX_WRITE
#define FUSE_SRV_MAX_WRITE	(256u * 1024u)
#endif
/* Bounce buffer for COPY_FILE_RANGE (the chunk it copies at a time). */
#ifndef FUSE_SRV_SCRATCH
#define FUSE_SRV_SCRATCH	(16u * 1024u)
#endif

/* Request bytes never exceed this: header, largest args, WRITE payload. */
#define FUSE_SRV_MAX_REQ	(FUSE_SRV_MAX_WRITE + 4096u)

struct fuse_srv_node {
	uint64_t ino;		/* 0 = slot free */
	uint64_t nlookup;	/* references the guest holds (LOOKUP minus FORGET) */
	uint32_t gen;		/* bumped when the slot is freed */
	uint32_t opens;		/* handles open on this node */
	int32_t next;		/* hash chain (slot index), -1 ends */
};

struct fuse_srv_handle {
	int32_t node;		/* slot index, -2 = the root, -1 = handle free */
	uint32_t gen;
	uint32_t flags;		/* open(2) flags */
	uint8_t is_dir;
};

struct fuse_srv_lock {
	int32_t node;		/* slot index (a regular file's), -1 = free */
	uint32_t pid;
	uint64_t owner;
	uint64_t start, end;	/* inclusive */
	uint32_t type;		/* FUSE_F_RDLCK or FUSE_F_WRLCK (wire values) */
};

/* A SETLKW waiting for its lock, or answered and waiting to be collected. */
struct fuse_srv_waiter {
	uint64_t unique;	/* the SETLKW request's */
	uint64_t fh;
	uint64_t owner;
	uint64_t start, end;
	int32_t node;		/* slot index */
	uint32_t pid;
	uint32_t type;
	int32_t error;		/* wire errno of the answer, once done */
	uint8_t done;
};

/*
 * READ data by reference (fuse_file.c): a request loop that can send a reply
 * in pieces sets ok before fuse_dispatch(); a READ then writes only the
 * reply header into out (its len counts the data) and leaves the data as
 * nseg pieces here, pointing into the page cache (pinned until
 * vfs_pcache_unpin_all) or into out after the header. nseg is 0 for every
 * other reply. The loop clears nseg before each dispatch.
 */
#ifndef FUSE_SRV_REF_SEGS
#define FUSE_SRV_REF_SEGS	72u
#endif
struct fuse_srv_ref {
	int ok;
	uint32_t nseg;
	struct vfs_seg seg[FUSE_SRV_REF_SEGS];
	/* the file's size when the READ was answered (a fast path cuts its
	 * own answers there; UINT64_MAX: not known); valid while nseg is not 0 */
	uint64_t size;
};

struct fuse_srv_stats {
	uint64_t requests;
	uint64_t errors;	/* replies with error != 0 */
	uint64_t malformed;	/* requests refused as malformed */
};

struct fuse_server {
	struct vfs *fs;
	uint64_t root_ino;
	int initialized;	/* INIT answered, DESTROY not yet */
	uint32_t proto_minor;
	uint32_t init_flags;	/* INIT flags agreed with the guest */
	uint32_t max_write;
	uint32_t nr_nodes;
	struct fuse_srv_node nodes[FUSE_SRV_MAX_NODES];
	int32_t hash[FUSE_SRV_MAX_NODES];
	int32_t free_node;	/* free list through .next */
	struct fuse_srv_handle handles[FUSE_SRV_MAX_HANDLES];
	struct fuse_srv_lock locks[FUSE_SRV_MAX_LOCKS];
	uint32_t nr_waiters;	/* waiters[0..nr_waiters) in arrival order */
	struct fuse_srv_waiter waiters[FUSE_SRV_MAX_WAITERS];
	struct fuse_srv_stats stats;
	struct fuse_dax *dax;	/* the DAX cache window, or NULL */
	struct fuse_srv_ref ref;	/* a READ answered by reference */
	uint8_t scratch[FUSE_SRV_SCRATCH];
};

/* Binds the server to a mounted filesystem; the server is large (static or
 * heap on the host, a linker-placed region on the card). fs NULL: a server
 * with no filesystem (the card without its SSD) negotiates INIT and answers
 * EIO to every request that would need one. No DAX window is attached. */
void fuse_server_init(struct fuse_server *srv, struct vfs *fs);

/* Drops every lock, node and handle (vfs_evict on each), as after DESTROY;
 * waiting SETLKW requests are answered EINTR (collect the replies with
 * fuse_server_pending_reply). Dirty DAX window pages are written back first
 * and every window page is unmapped (the window stays attached). */
void fuse_server_reset(struct fuse_server *srv);

/* fuse_dispatch(): the request (a SETLKW that must wait) is answered later,
 * through fuse_server_pending_reply(). */
#define FUSE_SRV_DEFERRED	(-1000L)

/*
 * Handles one request. in/in_len: the request bytes as they came off the
 * queue. out/out_cap: where the reply goes.
 * Returns the reply length (>= sizeof(struct fuse_out_header)), 0 when the
 * request takes no reply (FORGET, BATCH_FORGET, INTERRUPT), or -EINVAL when
 * no reply can be written at all (request shorter than its header, or out_cap
 * too small for a reply header), or FUSE_SRV_DEFERRED (nothing written: the
 * reply comes later). Never writes more than out_cap bytes.
 */
long fuse_dispatch(struct fuse_server *srv, const void *in, size_t in_len,
		   void *out, size_t out_cap);

/*
 * After any fuse_dispatch() (or fuse_server_reset()) the caller loops on this
 * until it returns 0: each call writes the reply to one previously deferred
 * request into out (its unique in *unique) and returns its length; 0 when no
 * reply is ready; -EINVAL (the reply stays queued) when out_cap is smaller
 * than a reply header. Replies come out in the requests' arrival order.
 */
long fuse_server_pending_reply(struct fuse_server *srv, uint64_t *unique,
			       void *out, size_t out_cap);

/*
 * Idle work, one bounded step (vfs_idle: freeing the inodes whose FORGET or
 * RELEASE only queued them, an early commit): the request loop calls it
 * while every queue is empty and stops between steps when a request comes.
 * 1 when more is left, 0 when none.
 */
int fuse_server_idle(struct fuse_server *srv);
/* Whether fuse_server_idle would find work now. */
int fuse_server_idle_due(const struct fuse_server *srv);

/* Guest-visible nodes in use (root excluded) and handles in use. */
uint32_t fuse_server_nodes(const struct fuse_server *srv);
uint32_t fuse_server_handles(const struct fuse_server *srv);

#endif /* FUSE_SERVER_H */
