/*
 * string.c - word-at-a-time memcpy and memset.
 *
 * picolibc's rv32im build ships byte-loop versions (one byte per ~6
 * instructions); the firmware moves buffers all day, so the runtime
 * replaces them. These objects are linked ahead of libc.a, so the linker
 * never pulls picolibc's. Loops copy whole aligned words; when source and
 * destination disagree in alignment, each stored word is merged from two
 * aligned loads with shifts, so no load or store is ever misaligned (the
 * core traps on misaligned accesses).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef uint32_t __attribute__((may_alias)) word_t;

#define SMALL_COPY 8u   /* below this, bytes are cheaper than setting up */

/* The compiler must not turn these loops back into memcpy/memset calls. */
#define NO_LIBCALL __attribute__((optimize("no-tree-loop-distribute-patterns")))

NO_LIBCALL void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	if (n >= SMALL_COPY) {
		while ((uintptr_t)d & 3) {
			*d++ = *s++;
			n--;
		}
		word_t *dw = (word_t *)d;
		unsigned off = (uintptr_t)s & 3;

		if (!off) {
			const word_t *sw = (const word_t *)s;

			for (; n >= 32; n -= 32, dw += 8, sw += 8) {
				uint32_t w0 = sw[0], w1 = sw[1], w2 = sw[2], w3 = sw[3];
				uint32_t w4 = sw[4], w5 = sw[5], w6 = sw[6], w7 = sw[7];

				dw[0] = w0; dw[1] = w1; dw[2] = w2; dw[3] = w3;
				dw[4] = w4; dw[5] = w5; dw[6] = w6; dw[7] = w7;
			}
			for (; n >= 4; n -= 4)
				*dw++ = *sw++;
			s = (const uint8_t *)sw;
		} else {
			/* Little-endian: the low bytes of a stored word come from
			 * the high bytes of the earlier aligned source word. */
			const unsigned rs = off * 8, ls = 32 - rs;
			const word_t *sw = (const word_t *)(s - off);
			uint32_t prev = *sw++;

			for (; n >= 16; n -= 16, dw += 4, sw += 4) {
				uint32_t w0 = sw[0], w1 = sw[1], w2 = sw[2], w3 = sw[3];

				dw[0] = (prev >> rs) | (w0 << ls);
				dw[1] = (w0 >> rs) | (w1 << ls);
				dw[2] = (w1 >> rs) | (w2 << ls);
				dw[3] = (w2 >> rs) | (w3 << ls);
				prev = w3;
			}
			for (; n >= 4; n -= 4) {
				uint32_t w = *sw++;

				*dw++ = (prev >> rs) | (w << ls);
				prev = w;
			}
			/* prev is the aligned word holding the next source byte. */
			s = (const uint8_t *)sw - 4 + off;
		}
		d = (uint8_t *)dw;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

NO_LIBCALL void *memset(void *dst, int c, size_t n)
{
	uint8_t *d = dst;

	if (n >= SMALL_COPY) {
		uint32_t w = (uint8_t)c * 0x01010101u;

		while ((uintptr_t)d & 3) {
			*d++ = (uint8_t)c;
			n--;
		}
		word_t *dw = (word_t *)d;

		for (; n >= 32; n -= 32, dw += 8) {
			dw[0] = w; dw[1] = w; dw[2] = w; dw[3] = w;
			dw[4] = w; dw[5] = w; dw[6] = w; dw[7] = w;
		}
		for (; n >= 4; n -= 4)
			*dw++ = w;
		d = (uint8_t *)dw;
	}
	while (n--)
		*d++ = (uint8_t)c;
	return dst;
}
