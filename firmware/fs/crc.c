/* Software checksums used by ext4 and jbd2: crc32c (Castagnoli, reflected,
 * polynomial 0x82f63b78) and the ANSI crc16 of the old gdt_csum feature.
 * Both are "raw": no pre- or post-inversion, the caller passes the seed,
 * which is how the on-disk formats define them. */
#include "crc.h"

/* The instructions exist only on our core: a configuration that asks for
 * them still gets the tables when built for another machine (the host's
 * builds of the card's configuration). */
#if defined(EXT4_CRC32C_INSN) && EXT4_CRC32C_INSN && defined(__riscv)
#define CRC32C_INSN 1
#else
#define CRC32C_INSN 0
#endif

/* Without the core's CRC instructions (EXT4_CRC32C_INSN, set by the card's
 * and fusebench's configurations, whose core has them; not by builds for
 * QEMU or the host):
 * crc32c four bytes at a time ("slicing by 4", 4 KiB of tables; by 8 would
 * not fit the DTCM of fusebench beside its image): table k advances a byte
 * through k more zero bytes. Words are read little-endian, as RV32 and x86
 * store them; the bytes before the first aligned word and after the last
 * go one at a time (RV32 traps on misaligned loads). */
#if !CRC32C_INSN
static uint32_t crc32c_table[4][256];
#endif
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
#if !CRC32C_INSN
		crc32c_table[0][i] = c;
#else
		(void)c;
#endif
		crc16_table[i] = (uint16_t)d;
	}
#if !CRC32C_INSN
	for (int k = 1; k < 4; k++)
		for (uint32_t i = 0; i < 256; i++)
			crc32c_table[k][i] = (crc32c_table[k - 1][i] >> 8) ^
					     crc32c_table[0][crc32c_table[k - 1][i] & 0xff];
#endif
	crc_ready = 1;
}

#if CRC32C_INSN
/*
 * The card's core has crc32c.b/h/w (rtl/cpu/cpu_alu.sv; the RISC-V bitmanip
 * draft's encoding, which the assembler does not know: .insn): the state
 * with the data XORed in goes in, the state after 8 or 32 bits comes out.
 * A word costs a load, an XOR and the instruction instead of four table
 * loads; no table to keep in memory.
 */
static inline uint32_t crc32c_b(uint32_t x)
{
	__asm__(".insn i 0x13, 1, %0, %1, 0x618" : "=r"(x) : "r"(x));
	return x;
}

static inline uint32_t crc32c_w(uint32_t x)
{
	__asm__(".insn i 0x13, 1, %0, %1, 0x61a" : "=r"(x) : "r"(x));
	return x;
}

uint32_t ext4_crc32c_raw(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	const uint32_t *w;

	while (len && ((uintptr_t)p & 3)) {
		crc = crc32c_b(crc ^ *p++);
		len--;
	}
	w = (const uint32_t *)(const void *)p;
	for (; len >= 16; w += 4, len -= 16) {
		crc = crc32c_w(crc ^ w[0]);
		crc = crc32c_w(crc ^ w[1]);
		crc = crc32c_w(crc ^ w[2]);
		crc = crc32c_w(crc ^ w[3]);
	}
	for (; len >= 4; w++, len -= 4)
		crc = crc32c_w(crc ^ *w);
	p = (const uint8_t *)w;
	while (len--)
		crc = crc32c_b(crc ^ *p++);
	return crc;
}
#else
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
#endif

uint16_t ext4_crc16_raw(uint16_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	if (!crc_ready)
		crc_init();
	while (len--)
		crc = (uint16_t)(crc16_table[(crc ^ *p++) & 0xff] ^ (crc >> 8));
	return crc;
}
