/* Sparse byte-addressed memory (64-bit addresses, 4 KiB pages made on first touch). */
#ifndef SPARSE_MEM_H
#define SPARSE_MEM_H

#include <stddef.h>
#include <stdint.h>

struct sparse_mem {
	uint64_t *keys;		/* page number + 1 (0 = empty slot) */
	uint8_t **pages;
	size_t cap, used;
};

void smem_init(struct sparse_mem *m);
void smem_free(struct sparse_mem *m);
void smem_write(struct sparse_mem *m, uint64_t addr, const void *buf, size_t len);
void smem_read(struct sparse_mem *m, uint64_t addr, void *buf, size_t len);

#endif /* SPARSE_MEM_H */
