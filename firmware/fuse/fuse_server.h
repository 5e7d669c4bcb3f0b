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
 */
#ifndef FUSE_SERVER_H
#define FUSE_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "vfs.h"

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
/* Largest WRITE payload accepted (advertised as max_write / max_pages). */
#ifndef FUSE_SRV_MAX_WRITE
#define FUSE_SRV_MAX_WRITE	(256u * 1024u)
#endif
/* Bounce buffer for COPY_FILE_RANGE and READDIRPLUS names. */
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
	int32_t node;		/* -1 = free; -2 = root (never a regular file) */
	uint32_t pid;
	uint64_t owner;
	uint64_t start, end;	/* inclusive */
	uint32_t type;		/* F_RDLCK or F_WRLCK */
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
	struct fuse_srv_stats stats;
	uint8_t scratch[FUSE_SRV_SCRATCH];
};

/* Binds the server to a mounted filesystem; the server is large (static or
 * heap on the host, a linker-placed region on the card). */
void fuse_server_init(struct fuse_server *srv, struct vfs *fs);

/* Drops every node and handle (vfs_evict on each), as after DESTROY. */
void fuse_server_reset(struct fuse_server *srv);

/*
 * Handles one request. in/in_len: the request bytes as they came off the
 * queue. out/out_cap: where the reply goes.
 * Returns the reply length (>= sizeof(struct fuse_out_header)), 0 when the
 * request takes no reply (FORGET, BATCH_FORGET, INTERRUPT), or -EINVAL when
 * no reply can be written at all (request shorter than its header, or out_cap
 * too small for a reply header). Never writes more than out_cap bytes.
 */
long fuse_dispatch(struct fuse_server *srv, const void *in, size_t in_len,
		   void *out, size_t out_cap);

/* Guest-visible nodes in use (root excluded) and handles in use. */
uint32_t fuse_server_nodes(const struct fuse_server *srv);
uint32_t fuse_server_handles(const struct fuse_server *srv);

#endif /* FUSE_SERVER_H */
