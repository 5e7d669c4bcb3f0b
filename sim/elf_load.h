/*
 * Reads an RV32 little-endian executable: its loadable segments and the
 * address of the `tohost` symbol. Used by vfpga-sim (and any other program
 * that runs firmware images).
 */
#ifndef ELF_LOAD_H
#define ELF_LOAD_H

#include <stddef.h>
#include <stdint.h>

#define ELF_MAX_SEGS 16

struct elf_seg {
	uint32_t addr;		/* physical (load) address */
	uint32_t filesz;	/* bytes present in the file */
	uint32_t memsz;		/* bytes in memory; the rest is zero */
	const uint8_t *data;	/* filesz bytes, inside elf_image.file */
};

struct elf_image {
	uint8_t *file;		/* whole file, owned */
	size_t size;
	uint32_t entry;
	int nsegs;
	struct elf_seg segs[ELF_MAX_SEGS];
};

/* Returns 0, or -1 with a message in err. */
int elf_read(const char *path, struct elf_image *img, char *err, size_t errlen);
/* Returns 0 and the symbol's value, or -1 when there is no such symbol. */
int elf_symbol(const struct elf_image *img, const char *name, uint32_t *value);
/* The image's function symbols (STT_FUNC with a size), sorted by address,
 * in a malloc'd array (names point into img). Returns how many (0: none,
 * *out may be NULL). */
struct elf_func {
	uint32_t addr, size;
	const char *name;
};
size_t elf_functions(const struct elf_image *img, struct elf_func **out);
/* The function holding addr, or NULL. */
const struct elf_func *elf_function_at(const struct elf_func *v, size_t n, uint32_t addr);
void elf_free(struct elf_image *img);

#endif /* ELF_LOAD_H */
