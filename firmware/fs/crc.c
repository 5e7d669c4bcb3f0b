/* Software checksums used by ext4 and jbd2: crc32c (Castagnoli, reflected,
 * polynomial 0x82f63b78) and the ANSI crc16 of the old gdt_csum feature.
 * Both are "raw": no pre- or post-inversion, the caller passes the seed,
 * which is how the on-disk formats define them. */
#include "crc.h"

static uint32_t crc32c_table[256];
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
		crc32c_table[i] = c;
		crc16_table[i] = (uint16_t)d;
	}
	crc_ready = 1;
}

uint32_t crc32c_raw(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	if (!crc_ready)
		crc_init();
	while (len--)
		crc = crc32c_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return crc;
}

uint16_t crc16_raw(uint16_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	if (!crc_ready)
		crc_init();
	while (len--)
		crc = (uint16_t)(crc16_table[(crc ^ *p++) & 0xff] ^ (crc >> 8));
	return crc;
}
