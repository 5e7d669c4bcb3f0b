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

int elf_symbol(const struct elf_image *img, const char *name, uint32_t *value)
{
	const Elf32_Ehdr *eh = (const Elf32_Ehdr *)img->file;
	const Elf32_Shdr *sh;

	if (eh->e_shentsize != sizeof(Elf32_Shdr) ||
	    !in_file(img, eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf32_Shdr)))
		return -1;
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

			if (syms[j].st_name >= strtab->sh_size)
				continue;
			s = (const char *)img->file + strtab->sh_offset + syms[j].st_name;
			if (strnlen(s, strtab->sh_size - syms[j].st_name) ==
				    strtab->sh_size - syms[j].st_name)
				continue;
			if (!strcmp(s, name) && syms[j].st_shndx != SHN_UNDEF) {
				*value = syms[j].st_value;
				return 0;
			}
		}
	}
	return -1;
}

void elf_free(struct elf_image *img)
{
	free(img->file);
	img->file = NULL;
}
