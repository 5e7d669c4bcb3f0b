/*
 * The DAX cache window: virtio-fs shared memory region 0 (the card's BAR2),
 * which a guest mounted with `-o dax` maps into its page tables after asking
 * the server, with FUSE_SETUPMAPPING, to make a range of it hold a file's
 * bytes. Two halves:
 *
 *  - struct fuse_dax_window, the hardware abstraction: the window's memory as
 *    the firmware addresses it, and two hooks the window hardware (the RTL on
 *    the card, fuse_dax_host.c on the host) provides: the per-page state the
 *    hardware enforces on guest accesses, and the per-page dirty bits it sets
 *    on guest writes. docs/dax.md is the contract the RTL implements.
 *
 *  - struct fuse_dax, the firmware's tables: which file page each window page
 *    holds (one compact entry per 4 KiB page), a reverse lookup from (node,
 *    file page) to window page for READ/WRITE, a per-2 MiB summary for walking
 *    one node's pages, and per-node counts. Fixed arrays sized by the macros
 *    below; the caller places the structure (static, or card DDR).
 *
 * The window pages ARE the cache of the file ranges mapped there: the server
 * serves READ from them, applies WRITE to them (dirty in software) and writes
 * dirty pages back on REMOVEMAPPING, FSYNC, SYNCFS, the last RELEASE of a node,
 * node eviction and DESTROY/reset. See fuse_dax.c (its opening comment) for the
 * rules and their Linux references.
 *
 * Memory for a 1 GiB window (262144 pages): 12 B per page entry + 4 B per
 * reverse-lookup head = 4 MiB, plus 8 B per 2 MiB chunk and 12 B per node slot.
 */
#ifndef FUSE_DAX_H
#define FUSE_DAX_H

#include <stddef.h>
#include <stdint.h>

#include "fuse_server.h"

#define FUSE_DAX_PAGE_SHIFT	12
#define FUSE_DAX_PAGE_SIZE	(1u << FUSE_DAX_PAGE_SHIFT)
/* INIT's map_alignment: foffset, moffset and len are multiples of a page. */
#define FUSE_DAX_MAP_ALIGNMENT	FUSE_DAX_PAGE_SHIFT

/* Largest window the tables describe, in pages (default 1 GiB). */
#ifndef FUSE_DAX_MAX_PAGES
#define FUSE_DAX_MAX_PAGES	(1u << 18)
#endif
/* Reverse-lookup heads: a power of two; one per page keeps chains at ~1. */
#ifndef FUSE_DAX_HASH_SIZE
#define FUSE_DAX_HASH_SIZE	FUSE_DAX_MAX_PAGES
#endif
/* Entries one REMOVEMAPPING may carry: Linux's FUSE_REMOVEMAPPING_MAX_ENTRY,
 * PAGE_SIZE / sizeof(struct fuse_removemapping_one), for a 4 KiB-page guest. */
#ifndef FUSE_DAX_REMOVEMAPPING_MAX
#define FUSE_DAX_REMOVEMAPPING_MAX	256u
#endif

/* Summary granule: Linux maps the window in 2 MiB ranges (FUSE_DAX_SHIFT 21). */
#define FUSE_DAX_CHUNK_SHIFT	9
#define FUSE_DAX_CHUNK_PAGES	(1u << FUSE_DAX_CHUNK_SHIFT)
#define FUSE_DAX_NR_CHUNKS	((FUSE_DAX_MAX_PAGES + FUSE_DAX_CHUNK_PAGES - 1) / FUSE_DAX_CHUNK_PAGES)
/* File pages a mapping may name: file offsets below 16 TiB - 4 KiB, ext4's
 * largest file with 4 KiB blocks (so a file page number fits 32 bits). */
#define FUSE_DAX_FILE_PAGES	0xffffffffu

_Static_assert(FUSE_DAX_MAX_PAGES % 32 == 0, "dirty words cover whole pages");
_Static_assert((FUSE_DAX_HASH_SIZE & (FUSE_DAX_HASH_SIZE - 1)) == 0, "hash size is a power of two");
_Static_assert(FUSE_SRV_MAX_NODES < (1u << 24), "node slot + 1 fits a page entry's 24 bits");

/* ------------------------------------------------------------------ the HAL */

/* Page states the window hardware enforces on guest (BAR2) accesses. */
#define FUSE_DAX_UNMAPPED	0u	/* reads return zeros; writes dropped and counted */
#define FUSE_DAX_RO		1u	/* reads served; writes dropped and counted */
#define FUSE_DAX_RW		3u	/* reads and writes served; a write sets the page's dirty bit */

struct fuse_dax_window {
	/* The window's bytes as the firmware reads and writes them (card: DDR
	 * behind BAR2). Firmware accesses ignore the page states. */
	uint8_t *mem;
	uint64_t size;		/* bytes: a multiple of FUSE_DAX_PAGE_SIZE */
	void *hw;		/* handed back to the hooks */
	/*
	 * Pages [first, first + count) take state for every guest access that
	 * arrives after the call returns; guest writes accepted before it have
	 * reached memory and set their dirty bits by then.
	 */
	void (*set_state)(void *hw, uint32_t first, uint32_t count, uint32_t state);
	/*
	 * Reads and clears, as one atomic step, the dirty bits of pages
	 * [32 * word, 32 * word + 32) (bit i = page 32 * word + i). A bit is set
	 * only after its write's bytes are in memory; a guest write that lands
	 * after the read sets its bit again.
	 */
	uint32_t (*take_dirty)(void *hw, uint32_t word);
	/*
	 * Optional: copies one page of the window to another (a page moved to
	 * where the guest asked for it), by an engine of the hardware's. NULL:
	 * memcpy by the firmware.
	 */
	void (*copy_page)(void *hw, void *dst, const void *src, uint32_t len);
};

/* ------------------------------------------------------- firmware tables */

/* One window page. node: slot + 1 of the node whose file page it holds
 * (0: unmapped), plus the flags below; fpage: file offset >> 12. */
struct fuse_dax_page {
	uint32_t node;
	uint32_t fpage;
	uint32_t next;		/* reverse-lookup chain: next window page, or ~0 */
};
#define FUSE_DAX_NODE_MASK	0x00ffffffu
#define FUSE_DAX_WRITABLE	(1u << 30)	/* mapped FUSE_DAX_RW (else FUSE_DAX_RO) */
#define FUSE_DAX_DIRTY		(1u << 31)	/* newer than the file: write back */

/* 512 window pages: who holds pages there (slot + 1, ~0 = several nodes). */
struct fuse_dax_chunk {
	uint32_t owner;
	uint32_t count;		/* mapped pages in the chunk */
};

struct fuse_dax_node {
	uint32_t pages;		/* window pages holding this node's file pages */
	uint32_t end;		/* no mapped file page at or above this (0 with no page) */
	int32_t wb_err;		/* a failed write-back (wire errno), reported by the next FSYNC */
};

struct fuse_dax_stats {
	uint64_t setups, removes;	/* requests answered 0 */
	uint64_t loaded;		/* pages filled from the file */
	uint64_t written;		/* pages written back */
	uint64_t moved;			/* pages moved to another window page */
	uint64_t evicted;		/* pages another mapping replaced */
	uint64_t read_hits, write_hits;	/* READ/WRITE pages served by the window */
	uint64_t wb_errors;		/* failed write-backs */
};

struct fuse_dax {
	struct fuse_dax_window win;
	uint32_t pages;			/* win.size / FUSE_DAX_PAGE_SIZE */
	uint32_t mapped;		/* pages mapped */
	uint32_t nodes;			/* nodes with at least one page mapped */
	struct fuse_dax_stats stats;
	uint32_t hash[FUSE_DAX_HASH_SIZE];
	struct fuse_dax_chunk chunk[FUSE_DAX_NR_CHUNKS];
	struct fuse_dax_node node[FUSE_SRV_MAX_NODES];
	struct fuse_dax_page page[FUSE_DAX_MAX_PAGES];
};

/*
 * Gives the server a window (call after fuse_server_init, which detaches
 * any). Every page starts unmapped (set_state) with its dirty bit cleared.
 * dax NULL detaches: dirty pages are written back and every page unmapped
 * first. Without a window SETUPMAPPING/REMOVEMAPPING answer ENOSYS and INIT
 * does not advertise FUSE_MAP_ALIGNMENT.
 * Returns -EINVAL for a window the tables cannot describe (no memory, a size
 * of 0, not a multiple of 4 KiB or above FUSE_DAX_MAX_PAGES pages, a hook
 * missing).
 */
int fuse_server_attach_dax(struct fuse_server *srv, struct fuse_dax *dax,
			   const struct fuse_dax_window *win);

/* Writes every dirty window page back (mappings stay); 0 or the first error. */
int fuse_server_dax_sync(struct fuse_server *srv);

/* Checks the tables against each other (tests, fuzzer): 0 when consistent,
 * else a negative number naming the first broken rule. Costs O(window pages
 * + hash heads), not O(node slots). */
int fuse_server_dax_check(const struct fuse_server *srv);

/* --------------------------------------------- host implementation of the HAL */

/*
 * The window hardware as plain memory (fuse_dax_host.c): a state byte and a
 * dirty bit per page. fuse_dax_host_write/read play a guest's BAR2 access the
 * way the RTL serves it. all_rw_dirty is for a window the guest writes
 * without the host seeing it (shared memory, as a vhost-user front end with a
 * cache window would map it): take_dirty then reports every FUSE_DAX_RW page.
 */
struct fuse_dax_host {
	uint8_t *mem;
	uint32_t pages;
	int all_rw_dirty;
	uint8_t state[FUSE_DAX_MAX_PAGES];
	uint32_t dirty[FUSE_DAX_MAX_PAGES / 32];
	uint64_t dropped_ro;		/* guest writes to FUSE_DAX_RO pages */
	uint64_t dropped_unmapped;	/* guest writes to unmapped pages */
	uint64_t zero_reads;		/* guest reads of unmapped pages */
	uint64_t state_calls, dirty_calls;
};

/* Fills *win with the hooks over h; size as for fuse_server_attach_dax. */
void fuse_dax_host_init(struct fuse_dax_host *h, uint8_t *mem, uint64_t size,
			struct fuse_dax_window *win);
/* A guest write of len bytes at window offset off; returns the bytes that
 * landed (the rest fell on unmapped or read-only pages, or off the window). */
size_t fuse_dax_host_write(struct fuse_dax_host *h, uint64_t off, const void *buf, size_t len);
/* A guest read: unmapped pages and bytes off the window read as zeros. */
void fuse_dax_host_read(struct fuse_dax_host *h, uint64_t off, void *buf, size_t len);

#endif /* FUSE_DAX_H */
