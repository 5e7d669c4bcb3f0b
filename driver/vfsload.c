/*
 * vfsload: the host's firmware load through the card's BAR0 window (see
 * vfsload.h and docs/fw-load.md). The ELF is parsed here by hand (the card's
 * firmware is ELF32 RISC-V; <elf.h> gives the layouts).
 */
#include "vfsload.h"

#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "soc_map.h"

#ifndef EM_RISCV
#define EM_RISCV 243
#endif

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static int within(uint32_t a, uint32_t len, uint32_t base, uint32_t size)
{
	return a >= base && a - base <= size && len <= size - (a - base);
}

uint32_t vfsload_crc32(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	crc = ~crc;
	while (len--) {
		crc ^= *p++;
		for (int i = 0; i < 8; i++)
			crc = (crc & 1) ? (crc >> 1) ^ 0xedb88320u : crc >> 1;
	}
	return ~crc;
}

int vfsload_read(const char *path, struct vfsload_image *img, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	const Elf32_Ehdr *eh;
	long n;

	memset(img, 0, sizeof(*img));
	if (!f)
		return fail(err, errlen, "%s: %s", path, strerror(errno));
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return fail(err, errlen, "%s: cannot read", path);
	}
	img->size = (size_t)n;
	img->file = malloc(img->size ? img->size : 1);
	if (!img->file || fread(img->file, 1, img->size, f) != img->size) {
		fclose(f);
		vfsload_free(img);
		return fail(err, errlen, "%s: cannot read", path);
	}
	fclose(f);
	eh = (const Elf32_Ehdr *)img->file;
	if (img->size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG))
		goto bad_fmt;
	if (eh->e_ident[EI_CLASS] != ELFCLASS32 || eh->e_ident[EI_DATA] != ELFDATA2LSB)
		goto bad_fmt;
	if (eh->e_machine != EM_RISCV || eh->e_type != ET_EXEC) {
		fail(err, errlen, "%s: not a RISC-V executable (e_machine %u, e_type %u)", path,
		     eh->e_machine, eh->e_type);
		goto out_free;
	}
	if (eh->e_phentsize != sizeof(Elf32_Phdr) || !eh->e_phnum ||
	    eh->e_phoff > img->size || (size_t)eh->e_phnum * sizeof(Elf32_Phdr) > img->size - eh->e_phoff) {
		fail(err, errlen, "%s: truncated or broken program header table", path);
		goto out_free;
	}
	img->entry = eh->e_entry;
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		Elf32_Phdr ph;
		struct vfsload_seg *s;

		memcpy(&ph, img->file + eh->e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD)
			continue;
		if (ph.p_filesz > ph.p_memsz || ph.p_offset > img->size || ph.p_filesz > img->size - ph.p_offset) {
			fail(err, errlen, "%s: segment %u: file bytes past the end of the file (truncated?)", path, i);
			goto out_free;
		}
		if (!ph.p_filesz) {
			/* .bss, heap, stack, .ddr: nothing to write, but it must be memory */
			if (within(ph.p_paddr, ph.p_memsz, SOC_ITCM_BASE, SOC_ITCM_SIZE) ||
			    within(ph.p_paddr, ph.p_memsz, SOC_DTCM_BASE, SOC_DTCM_SIZE) ||
			    within(ph.p_paddr, ph.p_memsz, SOC_DDR_BASE, SOC_DDR_SIZE))
				continue;
			fail(err, errlen, "%s: segment %u at 0x%08x (%u bytes) is outside the card's memory",
			     path, i, ph.p_paddr, ph.p_memsz);
			goto out_free;
		}
		if (ph.p_paddr % 4 ||
		    !(within(ph.p_paddr, ph.p_memsz, SOC_ITCM_BASE, SOC_ITCM_SIZE) ||
		      within(ph.p_paddr, ph.p_memsz, SOC_DTCM_BASE, SOC_DTCM_SIZE))) {
			fail(err, errlen, "%s: segment %u at 0x%08x (%u bytes of contents) is not word-aligned "
			     "inside the ITCM (0x%08x, %u KiB) or the DTCM (0x%08x, %u KiB): the load window "
			     "writes only those", path, i, ph.p_paddr, ph.p_filesz, SOC_ITCM_BASE,
			     SOC_ITCM_SIZE >> 10, SOC_DTCM_BASE, SOC_DTCM_SIZE >> 10);
			goto out_free;
		}
		if (img->nsegs == VFSLOAD_MAX_SEGS) {
			fail(err, errlen, "%s: more than %d segments with contents", path, VFSLOAD_MAX_SEGS);
			goto out_free;
		}
		s = &img->segs[img->nsegs++];
		s->addr = ph.p_paddr;
		s->filesz = ph.p_filesz;
		s->memsz = ph.p_memsz;
		s->data = img->file + ph.p_offset;
		img->words += (ph.p_filesz + 3) / 4;
	}
	if (!img->nsegs) {
		fail(err, errlen, "%s: no loadable segment with contents", path);
		goto out_free;
	}
	return 0;

bad_fmt:
	fail(err, errlen, "%s: not a little-endian 32-bit ELF file", path);
out_free:
	vfsload_free(img);
	return -1;
}

void vfsload_free(struct vfsload_image *img)
{
	free(img->file);
	img->file = NULL;
	img->nsegs = 0;
}

static int rd(struct vfs_transport *t, uint32_t reg, uint32_t *v)
{
	return t->ops->bar_read(t, 0, VFSLOAD_BAR0_OFF + reg, v, 4);
}

static int wr(struct vfs_transport *t, uint32_t reg, uint32_t v)
{
	return t->ops->bar_write(t, 0, VFSLOAD_BAR0_OFF + reg, &v, 4);
}

int vfsload_state(struct vfs_transport *t, struct vfsload_state *s)
{
	int ret;

	if ((ret = rd(t, SOC_FWLOAD_STATUS, &s->status)) || (ret = rd(t, SOC_FWLOAD_ADDR, &s->addr)) ||
	    (ret = rd(t, SOC_FWLOAD_WORDS, &s->words)) || (ret = rd(t, SOC_FWLOAD_CRC, &s->crc)) ||
	    (ret = rd(t, SOC_FWLOAD_REFUSED, &s->refused)))
		return ret;
	return 0;
}

int vfsload_run(struct vfs_transport *t, const struct vfsload_image *img, FILE *log,
		char *err, size_t errlen)
{
	struct vfsload_state before, after;
	uint32_t crc = 0;
	int ret;

	if (t->ops->enumerate && (ret = t->ops->enumerate(t)))
		return fail(err, errlen, "enumeration failed: %s", strerror(-ret)), ret;
	if ((ret = vfsload_state(t, &before)))
		return fail(err, errlen, "reading the load window: %s", strerror(-ret)), ret;
	if (!SOC_FIELD_GET(SOC_FWLOAD_STATUS_MODE, before.status)) {
		fail(err, errlen, "the card booted its own firmware (strap not set for a host load); "
		     "set the strap and reset the card (docs/fw-load.md)");
		return -EPERM;
	}
	if (!SOC_FIELD_GET(SOC_FWLOAD_STATUS_OPEN, before.status)) {
		fail(err, errlen, "the load window is closed: firmware already runs; only a card reset "
		     "with the strap set opens it again (docs/fw-load.md)");
		return -EPERM;
	}
	for (int i = 0; i < img->nsegs; i++) {
		const struct vfsload_seg *s = &img->segs[i];

		if (log)
			fprintf(log, "load: 0x%08x %u bytes\n", s->addr, s->filesz);
		if ((ret = wr(t, SOC_FWLOAD_ADDR, s->addr)))
			goto out_io;
		for (uint32_t off = 0; off < s->filesz; off += 4) {
			uint8_t b[4] = { 0, 0, 0, 0 };
			uint32_t w;

			memcpy(b, s->data + off, s->filesz - off < 4 ? s->filesz - off : 4);
			w = b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
			crc = vfsload_crc32(crc, b, 4);
			if ((ret = wr(t, SOC_FWLOAD_DATA, w)))
				goto out_io;
		}
	}
	if ((ret = vfsload_state(t, &after)))
		goto out_io;
	if (after.words - before.words != img->words || after.refused != before.refused ||
	    (before.words == 0 && after.crc != crc)) {
		fail(err, errlen, "the card took %u of %u words (CRC 0x%08x, expected 0x%08x; %u writes refused); "
		     "the core is not started", after.words - before.words, img->words, after.crc, crc,
		     after.refused - before.refused);
		return -EIO;
	}
	if ((ret = wr(t, SOC_FWLOAD_GO, SOC_FWLOAD_KEY_GO)) || (ret = vfsload_state(t, &after)))
		goto out_io;
	if (!SOC_FIELD_GET(SOC_FWLOAD_STATUS_RUNNING, after.status)) {
		fail(err, errlen, "the card did not take GO (status 0x%x)", after.status);
		return -EIO;
	}
	if (log)
		fprintf(log, "load: %u words, CRC-32 0x%08x, core started; the window is closed\n",
			img->words, crc);
	return 0;

out_io:
	fail(err, errlen, "BAR0 access failed: %s", strerror(-ret));
	return ret;
}
