/*
 * CRC32C (Castagnoli, reflected polynomial 0x82f63b78) two ways: one table
 * lookup per byte and one shift per bit. Checked against the standard check
 * value of "123456789" and against each other on the benchmark buffer.
 */
#include <string.h>

#include "bench.h"

#define CRC32C_POLY      0x82f63b78u
#define CRC32C_CHECK     0xe3069283u   /* crc32c("123456789") */
#define TABLE_BYTES      16384u
#define BITWISE_BYTES    4096u

static uint32_t crc_table[256];
static uint8_t crc_buf[TABLE_BYTES];

static void crc32c_make_table(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int b = 0; b < 8; b++)
			c = (c >> 1) ^ (CRC32C_POLY & -(c & 1));
		crc_table[i] = c;
	}
}

static __attribute__((noinline)) uint32_t crc32c_table(const uint8_t *p, size_t n)
{
	uint32_t crc = ~0u;

	while (n--)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

static __attribute__((noinline)) uint32_t crc32c_bitwise(const uint8_t *p, size_t n)
{
	uint32_t crc = ~0u;

	while (n--) {
		crc ^= *p++;
		for (int b = 0; b < 8; b++)
			crc = (crc >> 1) ^ (CRC32C_POLY & -(crc & 1));
	}
	return ~crc;
}

int bench_crc32c(void)
{
	static const char check[] = "123456789";
	uint32_t seed = 0x63726333u, a, b, ref;
	struct bench_mark m;
	int err = 0;

	crc32c_make_table();
	for (size_t i = 0; i < sizeof(crc_buf); i++)
		crc_buf[i] = (uint8_t)(bench_lcg(&seed) >> 24);
	if (crc32c_table((const uint8_t *)check, strlen(check)) != CRC32C_CHECK)
		err = bench_fail("crc32c_table", "wrong check value for \"123456789\"");
	if (crc32c_bitwise((const uint8_t *)check, strlen(check)) != CRC32C_CHECK)
		err = bench_fail("crc32c_bitwise", "wrong check value for \"123456789\"");

	bench_begin(&m);
	a = crc32c_table(crc_buf, TABLE_BYTES);
	bench_end(&m, "crc32c_table_16k");

	bench_begin(&m);
	b = crc32c_bitwise(crc_buf, BITWISE_BYTES);
	bench_end(&m, "crc32c_bitwise_4k");

	/* Cross-checks outside the timed windows. */
	ref = crc32c_table(crc_buf, BITWISE_BYTES);
	if (b != ref)
		err = bench_fail("crc32c_bitwise_4k", "differs from the table-driven CRC");
	if (a != crc32c_bitwise(crc_buf, TABLE_BYTES))
		err = bench_fail("crc32c_table_16k", "differs from the bitwise CRC");
	return err;
}
