#include "elf_load.h"

#include <elf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static int in_file(const struct elf_image *img, uint64_t off, uint64_t len)
{
	return off <= img->size && len <= img->size - off;
}

int elf_read(const char *path, struct elf_image *img, char *err, size_t errlen)
{
	FILE *f;
	long len;
	const Elf32_Ehdr *eh;
	int ret = -1;

	memset(img, 0, sizeof(*img));
	f = fopen(path, "rb");
	if (!f)
		return fail(err, errlen, "cannot open %s", path);
	if (fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fail(err, errlen, "cannot read %s", path);
		goto out_close;
	}
	img->size = (size_t)len;
	img->file = malloc(img->size ? img->size : 1);
	if (!img->file || fread(img->file, 1, img->size, f) != img->size) {
		fail(err, errlen, "cannot read %s", path);
		goto out_free;
	}

	eh = (const Elf32_Ehdr *)img->file;
	if (img->size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG)) {
		fail(err, errlen, "%s is not an ELF file", path);
		goto out_free;
	}
	if (eh->e_ident[EI_CLASS] != ELFCLASS32 || eh->e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh->e_machine != EM_RISCV) {
		fail(err, errlen, "%s is not a 32-bit little-endian RISC-V ELF", path);
		goto out_free;
	}
	if (eh->e_type != ET_EXEC) {
		fail(err, errlen, "%s is not an executable (e_type %u)", path, eh->e_type);
		goto out_free;
	}
	if (eh->e_phentsize != sizeof(Elf32_Phdr) ||
	    !in_file(img, eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf32_Phdr))) {
		fail(err, errlen, "%s: bad program header table", path);
		goto out_free;
	}
	img->entry = eh->e_entry;
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		const Elf32_Phdr *ph = (const Elf32_Phdr *)(img->file + eh->e_phoff) + i;
		struct elf_seg *s;

		if (ph->p_type != PT_LOAD || ph->p_memsz == 0)
			continue;
		if (img->nsegs == ELF_MAX_SEGS) {
			fail(err, errlen, "%s: more than %d loadable segments", path, ELF_MAX_SEGS);
			goto out_free;
		}
		if (ph->p_filesz > ph->p_memsz || !in_file(img, ph->p_offset, ph->p_filesz) ||
		    (uint64_t)ph->p_paddr + ph->p_memsz > 0x100000000ull) {
			fail(err, errlen, "%s: segment %u is malformed", path, i);
			goto out_free;
		}
		s = &img->segs[img->nsegs++];
		s->addr = ph->p_paddr;
		s->filesz = ph->p_filesz;
		s->memsz = ph->p_memsz;
		s->data = img->file + ph->p_offset;
	}
	if (img->nsegs == 0) {
		fail(err, errlen, "%s has no loadable segment", path);
		goto out_free;
	}
	ret = 0;
	goto out_close;

out_free:
	free(img->file);
	img->file = NULL;
out_close:
	fclose(f);
	return ret;
}

/* Calls fn for every defined symbol of the symbol tables, with its name
 * (checked to end inside the string table); stops when fn returns nonzero
 * and returns that. */
static int each_symbol(const struct elf_image *img,
		       int (*fn)(void *ctx, const char *name, const Elf32_Sym *sym), void *ctx)
{
	const Elf32_Ehdr *eh = (const Elf32_Ehdr *)img->file;
	const Elf32_Shdr *sh;

	if (eh->e_shentsize != sizeof(Elf32_Shdr) ||
	    !in_file(img, eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf32_Shdr)))
		return 0;
	sh = (const Elf32_Shdr *)(img->file + eh->e_shoff);
	for (unsigned i = 0; i < eh->e_shnum; i++) {
		const Elf32_Shdr *strtab;
		const Elf32_Sym *syms;
		size_t n;

		if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum ||
		    sh[i].sh_entsize != sizeof(Elf32_Sym) ||
		    !in_file(img, sh[i].sh_offset, sh[i].sh_size))
			continue;
		strtab = &sh[sh[i].sh_link];
		if (!in_file(img, strtab->sh_offset, strtab->sh_size))
			continue;
		syms = (const Elf32_Sym *)(img->file + sh[i].sh_offset);
		n = sh[i].sh_size / sizeof(Elf32_Sym);
		for (size_t j = 0; j < n; j++) {
			const char *s;
			int r;

			if (syms[j].st_name >= strtab->sh_size || syms[j].st_shndx == SHN_UNDEF)
				continue;
			s = (const char *)img->file + strtab->sh_offset + syms[j].st_name;
			if (strnlen(s, strtab->sh_size - syms[j].st_name) ==
				    strtab->sh_size - syms[j].st_name)
				continue;
			r = fn(ctx, s, &syms[j]);
			if (r)
				return r;
		}
	}
	return 0;
}

struct find { const char *name; uint32_t value; };

static int find_one(void *ctx, const char *name, const Elf32_Sym *sym)
{
	struct find *f = ctx;

	if (strcmp(name, f->name))
		return 0;
	f->value = sym->st_value;
	return 1;
}

int elf_symbol(const struct elf_image *img, const char *name, uint32_t *value)
{
	struct find f = { .name = name };

	if (!each_symbol(img, find_one, &f))
		return -1;
	*value = f.value;
	return 0;
}

struct funcs { struct elf_func *v; size_t n, cap; };

static int add_func(void *ctx, const char *name, const Elf32_Sym *sym)
{
	struct funcs *f = ctx;

	if (ELF32_ST_TYPE(sym->st_info) != STT_FUNC || !sym->st_size || !*name)
		return 0;
	if (f->n == f->cap) {
		size_t cap = f->cap ? 2 * f->cap : 256;
		struct elf_func *v = realloc(f->v, cap * sizeof(*v));

		if (!v)
			return -1;
		f->v = v;
		f->cap = cap;
	}
	f->v[f->n].addr = sym->st_value;
	f->v[f->n].size = sym->st_size;
	f->v[f->n].name = name;
	f->n++;
	return 0;
}

static int by_addr(const void *a, const void *b)
{
	const struct elf_func *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

size_t elf_functions(const struct elf_image *img, struct elf_func **out)
{
	struct funcs f = { 0 };

	if (each_symbol(img, add_func, &f) < 0) {
		free(f.v);
		*out = NULL;
		return 0;
	}
	if (f.n)
		qsort(f.v, f.n, sizeof(*f.v), by_addr);
	*out = f.v;
	return f.n;
}

const struct elf_func *elf_function_at(const struct elf_func *v, size_t n, uint32_t addr)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {	/* the last function starting at or below addr */
		size_t mid = (lo + hi) / 2;

		if (v[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || addr - v[lo - 1].addr >= v[lo - 1].size)
		return NULL;
	return &v[lo - 1];
}

void elf_free(struct elf_image *img)
{
	free(img->file);
	img->file = NULL;
}
