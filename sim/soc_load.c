#include "soc_load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "soc_map.h"

static int seg_fits(const struct elf_seg *s, uint32_t base, uint32_t size)
{
	return s->addr >= base && s->addr - base <= size && s->memsz <= size - (s->addr - base);
}

/* Every segment must lie wholly inside one TCM; DDR takes segments with no
 * file contents only (a program's .ddr section: the loader port reaches the
 * TCMs alone, and the simulated DDR starts zeroed). */
int soc_check_layout(const struct elf_image *img, const char *path)
{
	for (int i = 0; i < img->nsegs; i++) {
		const struct elf_seg *s = &img->segs[i];

		if (seg_fits(s, SOC_ITCM_BASE, SOC_ITCM_SIZE) ||
		    seg_fits(s, SOC_DTCM_BASE, SOC_DTCM_SIZE) ||
		    (s->filesz == 0 && seg_fits(s, SOC_DDR_BASE, SOC_DDR_SIZE)))
			continue;
		fprintf(stderr,
			"vfpga-sim: %s: segment at 0x%08x..0x%08llx (%u bytes) does not fit the memory map:\n"
			"  ITCM 0x%08x..0x%08x, DTCM 0x%08x..0x%08x\n",
			path, s->addr, (unsigned long long)s->addr + s->memsz, s->memsz,
			SOC_ITCM_BASE, SOC_ITCM_BASE + SOC_ITCM_SIZE, SOC_DTCM_BASE,
			SOC_DTCM_BASE + SOC_DTCM_SIZE);
		return -1;
	}
	return 0;
}

/* Region shadow: the image is assembled byte by byte first, so that segments
 * sharing a word do not overwrite each other, then sent as whole words. */
struct shadow {
	uint32_t base, size;
	uint8_t *bytes;
	uint32_t lo, hi;	/* touched range, word-aligned */
};

static void shadow_put(struct shadow *sh, const struct elf_seg *s)
{
	uint32_t off = s->addr - sh->base;

	memcpy(sh->bytes + off, s->data, s->filesz);
	memset(sh->bytes + off + s->filesz, 0, s->memsz - s->filesz);
	if (sh->lo > (off & ~3u))
		sh->lo = off & ~3u;
	if (sh->hi < ((off + s->memsz + 3) & ~3u))
		sh->hi = (off + s->memsz + 3) & ~3u;
}

int soc_load_image(struct vtop *t, const struct elf_image *img)
{
	struct shadow sh[2] = {
		{ SOC_ITCM_BASE, SOC_ITCM_SIZE, NULL, SOC_ITCM_SIZE, 0 },
		{ SOC_DTCM_BASE, SOC_DTCM_SIZE, NULL, SOC_DTCM_SIZE, 0 },
	};

	for (int r = 0; r < 2; r++) {
		sh[r].bytes = calloc(1, sh[r].size);
		if (!sh[r].bytes) {
			fprintf(stderr, "vfpga-sim: out of memory\n");
			free(sh[0].bytes);
			return -1;
		}
	}
	for (int i = 0; i < img->nsegs; i++)
		for (int r = 0; r < 2; r++)
			if (seg_fits(&img->segs[i], sh[r].base, sh[r].size))
				shadow_put(&sh[r], &img->segs[i]);
	for (int r = 0; r < 2; r++) {
		for (uint32_t off = sh[r].lo; off < sh[r].hi; off += 4) {
			const uint8_t *b = sh[r].bytes + off;

			vtop_load_word(t, sh[r].base + off,
				       b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24);
		}
		free(sh[r].bytes);
	}
	return 0;
}

