/*
 * The DAX window hardware as plain memory (see fuse_dax.h): what the host
 * tests, the fuzzer and a host model attach to the FUSE server. Guest
 * accesses go through fuse_dax_host_write/read, which follow the rules the
 * RTL implements (docs/dax.md): page states checked per page, writes to
 * unmapped or read-only pages dropped and counted, unmapped pages reading as
 * zeros, a dirty bit set for each page a write lands on.
 */
#include "fuse_dax.h"

#include <string.h>

static void host_set_state(void *hw, uint32_t first, uint32_t count, uint32_t state)
{
	struct fuse_dax_host *h = hw;

	h->state_calls++;
	if (first > h->pages || count > h->pages - first)
		return;		/* the RTL ignores what lies off the window too */
	memset(h->state + first, (int)state, count);
}

static uint32_t host_take_dirty(void *hw, uint32_t word)
{
	struct fuse_dax_host *h = hw;
	uint32_t bits;

	h->dirty_calls++;
	if (word >= (h->pages + 31) / 32)
		return 0;
	bits = h->dirty[word];
	h->dirty[word] = 0;
	if (h->all_rw_dirty)
		for (uint32_t i = 0; i < 32 && word * 32 + i < h->pages; i++)
			if (h->state[word * 32 + i] == FUSE_DAX_RW)
				bits |= 1u << i;
	return bits;
}

void fuse_dax_host_init(struct fuse_dax_host *h, uint8_t *mem, uint64_t size, struct fuse_dax_window *win)
{
	uint64_t pages = size / FUSE_DAX_PAGE_SIZE;

	memset(h, 0, sizeof(*h));
	h->mem = mem;
	h->pages = pages > FUSE_DAX_MAX_PAGES ? FUSE_DAX_MAX_PAGES : (uint32_t)pages;
	memset(win, 0, sizeof(*win));
	win->mem = mem;
	win->size = size;
	win->hw = h;
	win->set_state = host_set_state;
	win->take_dirty = host_take_dirty;
}

size_t fuse_dax_host_write(struct fuse_dax_host *h, uint64_t off, const void *buf, size_t len)
{
	const uint8_t *src = buf;
	uint64_t end = (uint64_t)h->pages * FUSE_DAX_PAGE_SIZE;
	size_t landed = 0;

	while (len) {
		uint64_t page = off / FUSE_DAX_PAGE_SIZE;
		size_t n = FUSE_DAX_PAGE_SIZE - (size_t)(off % FUSE_DAX_PAGE_SIZE);

		if (n > len)
			n = len;
		if (off >= end) {
			h->dropped_unmapped++;
			break;
		}
		if (h->state[page] == FUSE_DAX_RW) {
			/* Bytes first, then the bit (docs/dax.md ordering). */
			memcpy(h->mem + off, src, n);
			h->dirty[page / 32] |= 1u << (page % 32);
			landed += n;
		} else if (h->state[page] == FUSE_DAX_RO) {
			h->dropped_ro++;
		} else {
			h->dropped_unmapped++;
		}
		off += n;
		src += n;
		len -= n;
	}
	return landed;
}

void fuse_dax_host_read(struct fuse_dax_host *h, uint64_t off, void *buf, size_t len)
{
	uint8_t *dst = buf;
	uint64_t end = (uint64_t)h->pages * FUSE_DAX_PAGE_SIZE;

	while (len) {
		uint64_t page = off / FUSE_DAX_PAGE_SIZE;
		size_t n = FUSE_DAX_PAGE_SIZE - (size_t)(off % FUSE_DAX_PAGE_SIZE);

		if (n > len)
			n = len;
		if (off < end && h->state[page] != FUSE_DAX_UNMAPPED) {
			memcpy(dst, h->mem + off, n);
		} else {
			memset(dst, 0, n);
			h->zero_reads++;
		}
		off += n;
		dst += n;
		len -= n;
	}
}
