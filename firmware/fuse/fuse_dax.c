/*
 * The DAX window (fuse_dax.h) as the cache of the file pages mapped there:
 * the tables, SETUPMAPPING and REMOVEMAPPING, write-back (FSYNC, SYNCFS, the
 * last RELEASE, node drop, reset) and READ/WRITE through the window.
 *
 * What a Linux 6.1 guest (fs/fuse/dax.c) sends, and what the server makes
 * of it:
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
#include "fuse_int.h"

#include <errno.h>
#include <sys/stat.h>

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

void fuse_dax_zero_from(struct fuse_server *s, int32_t slot, uint64_t from, uint64_t old_size)
{
	struct dax_zero z = { .from = from, .old_size = old_size, .word = DAX_NONE };

	if (fuse_dax_has_pages(s, slot))
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
void fuse_dax_zero_span(struct fuse_server *s, int32_t slot, uint64_t a, uint64_t b)
{
	struct dax_span sp = { a, b };

	if (fuse_dax_has_pages(s, slot) && a < b)
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
 * Writes slot's dirty window pages back; FUSE_DAX_DROP then unmaps every one of
 * them (first from the guest's view, so no write lands after its bits were
 * taken). Returns 0 or the first error (negative local errno).
 */
int fuse_dax_sync_node(struct fuse_server *s, int32_t slot, int how)
{
	struct fuse_dax *d = s->dax;
	struct dax_run run;
	uint32_t word = DAX_NONE, first = 0, n = 0;

	if (!fuse_dax_has_pages(s, slot))
		return 0;
	memset(&run, 0, sizeof(run));
	dax_run_start(s, &run, slot, how == FUSE_DAX_DROP);
	if (how == FUSE_DAX_DROP) {
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
	if (how == FUSE_DAX_DROP)
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

/* The node's slot is about to be freed: its pages are written back (unless
 * the inode is gone) and leave the window, and its counters start over. */
void fuse_dax_drop_node(struct fuse_server *s, int32_t slot)
{
	if (!s->dax)
		return;
	fuse_dax_sync_node(s, slot, FUSE_DAX_DROP);
	memset(&s->dax->node[slot], 0, sizeof(s->dax->node[slot]));
}

/* After reset dropped every node: whatever is left mapped goes. */
void fuse_dax_reset(struct fuse_server *s)
{
	if (!s->dax)
		return;
	for (uint32_t c = 0; c < FUSE_DAX_NR_CHUNKS; c++)
		if (s->dax->chunk[c].count) {
			dax_clear(s->dax);
			break;
		}
}

/*
 * READ through the window: the bytes of mapped file pages come from their
 * window pages, the rest from the file, each run of unmapped pages with one
 * vfs_read. The size is the file's (WRITE to the window extends it at once).
 */
long fuse_dax_read(struct fuse_server *s, int32_t slot, uint64_t ino, uint64_t off, void *buf, size_t len)
{
	struct fuse_dax *d = s->dax;
	uint8_t *out = buf;
	struct vfs_attr v;
	size_t done = 0;
	long ret;

	if (!fuse_dax_has_pages(s, slot))
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
long fuse_dax_write(struct fuse_server *s, int32_t slot, uint64_t ino, uint64_t off, const void *buf,
		    size_t len)
{
	struct fuse_dax *d = s->dax;
	const uint8_t *in = buf;
	struct vfs_attr v;
	uint64_t end;
	size_t done = 0;
	int extended, touched = 0;
	long ret = 0;

	if (!fuse_dax_has_pages(s, slot) || !len || off > FUSE_OFFSET_MAX || len > FUSE_OFFSET_MAX - off)
		return vfs_write(s->fs, ino, off, buf, len);
	ret = vfs_getattr(s->fs, ino, &v);
	if (ret)
		return ret;
	end = off + len;
	extended = end > v.size;
	if (extended)
		fuse_dax_zero_from(s, slot, v.size, v.size);
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
		fuse_dax_zero_from(s, slot, keep, end);
	}
	if (touched && !extended) {
		/* The window took bytes the file has not seen: times as write(2). */
		struct vfs_setattr sa = { .valid = VFS_SET_MTIME_NOW };

		vfs_setattr(s->fs, ino, &sa, &v);
	}
	return done ? (long)done : ret;
}


/* The file page at window page `from` moves to the unmapped page `to`. */
static void dax_move(struct fuse_dax *d, uint32_t from, uint32_t to)
{
	int32_t slot = dax_owner(&d->page[from]);
	uint32_t fp = d->page[from].fpage, dirty;

	dax_hw_state(d, from, 1, FUSE_DAX_UNMAPPED);
	dax_harvest(d, from / 32);
	dirty = d->page[from].node & FUSE_DAX_DIRTY;
	if (d->win.copy_page)
		d->win.copy_page(d->win.hw, dax_mem(d, to), dax_mem(d, from), DAX_PG);
	else
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
	/* the window page is the file page's cache now: one copy */
	vfs_pcache_drop(s->fs, ino, (uint64_t)fpage << DAX_SHIFT, len);
	for (uint32_t i = 0; i < n; i++)
		dax_map(d, w + i, slot, fpage + i, 0);
	d->stats.loaded += n;
	return 0;
}

/*
 * SETUPMAPPING: every argument is checked before anything changes (EINVAL
 * for flags, alignment, a zero length or a range off the window; EFBIG past
 * the largest file; EBADF/EACCES for the handle, see fuse_handle_may_map; EINVAL for
 * what is not a regular file; ENXIO for a range starting at or past EOF).
 * Then, over the window range: pages holding other file pages leave the
 * guest's view, are written back if dirty and unmapped; pages already holding
 * the requested file page stay; file pages mapped elsewhere move here; the
 * rest are read from the file in runs; last, the range takes its state.
 * A read error leaves the pages before it mapped and answers the error.
 */
long fuse_do_setupmapping(struct fuse_req *r, uint64_t ino, const void *arg)
{
	const struct fuse_setupmapping_in *in = arg;
	struct fuse_server *s = r->srv;
	struct fuse_dax *d = s->dax;
	int32_t slot = fuse_slot_of(s, r->h->nodeid);
	const uint64_t known = FUSE_SETUPMAPPING_FLAG_READ | FUSE_SETUPMAPPING_FLAG_WRITE;
	uint32_t w0, fp0, n, flag, first = 0, cnt = 0, lfirst = 0, ln = 0, others = 0;
	struct dax_run run;
	struct vfs_attr v;
	int writable, err = 0;
	long ret;

	writable = (in->flags & FUSE_SETUPMAPPING_FLAG_WRITE) != 0;
	if ((in->flags & ~known) || !in->len || ((in->foffset | in->len | in->moffset) & (DAX_PG - 1)))
		return fuse_reply_err(r, W_EINVAL);
	if (in->moffset >= d->win.size || in->len > d->win.size - in->moffset)
		return fuse_reply_err(r, W_EINVAL);
	if ((in->foffset >> DAX_SHIFT) + (in->len >> DAX_SHIFT) > FUSE_DAX_FILE_PAGES)
		return fuse_reply_err(r, W_EFBIG);
	if (slot < 0)
		return fuse_reply_err(r, W_EINVAL);		/* the root directory */
	if ((err = fuse_handle_may_map(r, slot, in->fh, writable)))
		return fuse_reply_err(r, err);
	ret = vfs_getattr(s->fs, ino, &v);
	if (ret)
		return fuse_reply_vfs_err(r, ret);
	if (!S_ISREG(v.mode))
		return fuse_reply_err(r, W_EINVAL);
	if (in->foffset >= v.size)
		return fuse_reply_err(r, W_ENXIO);

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
		return fuse_reply_vfs_err(r, err);
	d->stats.setups++;
	return fuse_reply_err(r, 0);
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
long fuse_do_removemapping(struct fuse_req *r, uint64_t ino, const void *arg)
{
	const struct fuse_removemapping_in *in = arg;
	struct fuse_server *s = r->srv;
	struct fuse_dax *d = s->dax;
	int32_t slot = fuse_slot_of(s, r->h->nodeid);
	struct fuse_removemapping_one one;
	struct dax_run run;
	uint64_t total = 0;
	uint32_t count;

	(void)ino;
	count = in->count;
	if (!count || count > FUSE_DAX_REMOVEMAPPING_MAX || count > r->alen / sizeof(one))
		return fuse_reply_err(r, W_EINVAL);
	for (uint32_t i = 0; i < count; i++) {
		memcpy(&one, r->arg + i * sizeof(one), sizeof(one));	/* entries sit at 4 mod 8 */
		if (!one.len || ((one.moffset | one.len) & (DAX_PG - 1)) || one.moffset >= d->win.size ||
		    one.len > d->win.size - one.moffset)
			return fuse_reply_err(r, W_EINVAL);
		total += one.len;
		if (total > d->win.size)
			return fuse_reply_err(r, W_EINVAL);
		for (uint32_t w = (uint32_t)(one.moffset >> DAX_SHIFT); w < (one.moffset + one.len) >> DAX_SHIFT; w++)
			if (d->page[w].node && dax_owner(&d->page[w]) != slot)
				return fuse_reply_err(r, W_EINVAL);
	}
	if (!fuse_dax_has_pages(s, slot))
		return fuse_reply_err(r, 0);
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
			if (d->page[w].node) {
				/* a clean page goes back to the page cache */
				if (run.wb && !(d->page[w].node & FUSE_DAX_DIRTY))
					vfs_pcache_put(s->fs, run.ino, (uint64_t)d->page[w].fpage << DAX_SHIFT,
						       dax_mem(d, w), DAX_PG);
				dax_unmap(d, w);
			}
	}
	if (run.err)
		return fuse_reply_vfs_err(r, run.err);
	d->stats.removes++;
	return fuse_reply_err(r, 0);
}

/* FSYNC's share: the node's dirty window pages, and an earlier failed
 * write-back of them (reported once). */
int fuse_dax_fsync_node(struct fuse_server *s, int32_t slot)
{
	int err, old;

	if (!s->dax || slot < 0)
		return 0;
	err = fuse_dax_sync_node(s, slot, FUSE_DAX_KEEP);
	old = s->dax->node[slot].wb_err;
	s->dax->node[slot].wb_err = 0;
	return err ? err : old;
}

int fuse_server_dax_sync(struct fuse_server *srv)
{
	int err = 0;

	/* nothing mapped, nothing to write back: skip the walk over every node
	 * slot (8 192 on the card, ~120 000 cycles of each SYNCFS) */
	if (!srv->dax || !srv->dax->mapped)
		return 0;
	for (int32_t i = 0; i < FUSE_SRV_MAX_NODES; i++)
		if (srv->dax->node[i].pages) {
			int e = fuse_dax_sync_node(srv, i, FUSE_DAX_KEEP);

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
				fuse_dax_sync_node(srv, i, FUSE_DAX_DROP);
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
