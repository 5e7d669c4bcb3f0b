#include "sparse_mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE 4096u

static size_t slot_of(const struct sparse_mem *m, uint64_t key)
{
	uint64_t h = key * 0x9e3779b97f4a7c15ull;

	return (size_t)(h >> 17) & (m->cap - 1);
}

static void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n, sz);

	if (!p) {
		fprintf(stderr, "sparse_mem: out of memory\n");
		abort();
	}
	return p;
}

void smem_init(struct sparse_mem *m)
{
	m->cap = 1024;
	m->used = 0;
	m->keys = xcalloc(m->cap, sizeof(*m->keys));
	m->pages = xcalloc(m->cap, sizeof(*m->pages));
}

void smem_free(struct sparse_mem *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->pages[i]);
	free(m->keys);
	free(m->pages);
	memset(m, 0, sizeof(*m));
}

static void grow(struct sparse_mem *m)
{
	struct sparse_mem n = { 0 };

	n.cap = m->cap * 2;
	n.keys = xcalloc(n.cap, sizeof(*n.keys));
	n.pages = xcalloc(n.cap, sizeof(*n.pages));
	for (size_t i = 0; i < m->cap; i++) {
		size_t s;

		if (!m->keys[i])
			continue;
		for (s = slot_of(&n, m->keys[i]); n.keys[s]; s = (s + 1) & (n.cap - 1))
			;
		n.keys[s] = m->keys[i];
		n.pages[s] = m->pages[i];
		n.used++;
	}
	free(m->keys);
	free(m->pages);
	*m = n;
}

/* Returns the page, or NULL when absent and !create. */
static uint8_t *page(struct sparse_mem *m, uint64_t pn, int create)
{
	uint64_t key = pn + 1;
	size_t s;

	for (s = slot_of(m, key); m->keys[s]; s = (s + 1) & (m->cap - 1))
		if (m->keys[s] == key)
			return m->pages[s];
	if (!create)
		return NULL;
	if ((m->used + 1) * 2 > m->cap) {
		grow(m);
		return page(m, pn, 1);
	}
	m->keys[s] = key;
	m->pages[s] = xcalloc(1, PAGE);
	m->used++;
	return m->pages[s];
}

void smem_write(struct sparse_mem *m, uint64_t addr, const void *buf, size_t len)
{
	const uint8_t *b = buf;

	while (len) {
		size_t off = addr % PAGE, n = PAGE - off;

		if (n > len)
			n = len;
		memcpy(page(m, addr / PAGE, 1) + off, b, n);
		addr += n;
		b += n;
		len -= n;
	}
}

void smem_read(struct sparse_mem *m, uint64_t addr, void *buf, size_t len)
{
	uint8_t *b = buf;

	while (len) {
		size_t off = addr % PAGE, n = PAGE - off;
		const uint8_t *p;

		if (n > len)
			n = len;
		p = page(m, addr / PAGE, 0);
		if (p)
			memcpy(b, p + off, n);
		else
			memset(b, 0, n);
		addr += n;
		b += n;
		len -= n;
	}
}
