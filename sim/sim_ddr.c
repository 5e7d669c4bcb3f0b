/*
 * The simulated card memory behind rtl/sim/sim_ddr.sv (DPI): a sparse store
 * (sim/sparse_mem.c) in which unwritten memory reads as zeros. One store
 * per process (one card per simulator).
 */
#include <stdint.h>
#include <string.h>

#include "sparse_mem.h"
#include "svdpi.h"
#include "vtop.h"

#define LINE 32u

static struct sparse_mem ddr;

static struct sparse_mem *mem(void)
{
	if (!ddr.cap)
		smem_init(&ddr);
	return &ddr;
}

void vtop_ddr_clear(void)
{
	if (ddr.cap)
		smem_free(&ddr);
	smem_init(&ddr);
}

void vtop_ddr_read(uint64_t off, void *buf, size_t len)
{
	smem_read(mem(), off, buf, len);
}

void vtop_ddr_write(uint64_t off, const void *buf, size_t len)
{
	smem_write(mem(), off, buf, len);
}

/* svBitVecVal words are 32 bits, least significant first: byte i of the
 * line is bits [8i+7:8i]. */
void sim_ddr_read(unsigned line, svBitVecVal *data)
{
	uint8_t b[LINE];

	smem_read(mem(), (uint64_t)line * LINE, b, LINE);
	for (unsigned w = 0; w < LINE / 4; w++)
		data[w] = (uint32_t)b[4 * w] | (uint32_t)b[4 * w + 1] << 8 |
			  (uint32_t)b[4 * w + 2] << 16 | (uint32_t)b[4 * w + 3] << 24;
}

/* Bytes with their enable set replace the line's (read, merge, write back). */
void sim_ddr_write(unsigned line, const svBitVecVal *data, const svBitVecVal *be)
{
	uint64_t off = (uint64_t)line * LINE;
	uint8_t b[LINE];

	if (!*be)
		return;
	smem_read(mem(), off, b, LINE);
	for (unsigned i = 0; i < LINE; i++)
		if (*be & (1u << i))
			b[i] = (uint8_t)(data[i / 4] >> (8 * (i % 4)));
	smem_write(mem(), off, b, LINE);
}
