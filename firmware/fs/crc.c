/* Software checksums used by ext4 and jbd2: crc32c (Castagnoli, reflected,
 * polynomial 0x82f63b78) and the ANSI crc16 of the old gdt_csum feature.
 * Both are "raw": no pre- or post-inversion, the caller passes the seed,
 * which is how the on-disk formats define them. */
#include "crc.h"

/* crc32c four bytes at a time ("slicing by 4", 4 KiB of tables; by 8 would
 * not fit the DTCM of fusebench beside its image): table k advances a byte
 * through k more zero bytes. Words are read little-endian, as RV32 and x86
 * store them; the bytes before the first aligned word and after the last
 * go one at a time (RV32 traps on misaligned loads). */
static uint32_t crc32c_table[4][256];
static uint16_t crc16_table[256];
static int crc_ready;

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		uint32_t d = i;
		for (int k = 0; k < 8; k++) {
			c = (c & 1) ? (c >> 1) ^ 0x82f63b78u : c >> 1;
			d = (d & 1) ? (d >> 1) ^ 0xa001u : d >> 1;
		}
		crc32c_table[0][i] = c;
		crc16_table[i] = (uint16_t)d;
	}
	for (int k = 1; k < 4; k++)
		for (uint32_t i = 0; i < 256; i++)
			crc32c_table[k][i] = (crc32c_table[k - 1][i] >> 8) ^
					     crc32c_table[0][crc32c_table[k - 1][i] & 0xff];
	crc_ready = 1;
}

uint32_t ext4_crc32c_raw(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	if (!crc_ready)
		crc_init();
	while (len && ((uintptr_t)p & 3)) {
		crc = crc32c_table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
		len--;
	}
	for (; len >= 4; p += 4, len -= 4) {
		uint32_t w;

		__builtin_memcpy(&w, __builtin_assume_aligned(p, 4), 4);
		crc ^= w;
		crc = crc32c_table[3][crc & 0xff] ^ crc32c_table[2][(crc >> 8) & 0xff] ^
		      crc32c_table[1][(crc >> 16) & 0xff] ^ crc32c_table[0][crc >> 24];
	}
	while (len--)
		crc = crc32c_table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return crc;
}

uint16_t ext4_crc16_raw(uint16_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	if (!crc_ready)
		crc_init();
	while (len--)
		crc = (uint16_t)(crc16_table[(crc ^ *p++) & 0xff] ^ (crc >> 8));
	return crc;
}
