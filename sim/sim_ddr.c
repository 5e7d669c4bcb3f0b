/*
 * The simulated card memory behind rtl/sim/sim_ddr.sv (DPI): 32-byte lines
 * in 64 KiB chunks allocated on first write; unwritten memory reads as
 * zeros. One store per process (one card per simulator).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "svdpi.h"
#include "vtop.h"

#define LINE		32u
#define CHUNK_SHIFT	16u
#define CHUNK		(1u << CHUNK_SHIFT)
#define NCHUNKS		(1u << (32 - CHUNK_SHIFT))	/* 4 GiB of card memory at most */

static uint8_t *chunks[NCHUNKS];

static uint8_t *chunk_of(uint64_t off, int alloc)
{
	uint64_t c = off >> CHUNK_SHIFT;

	if (c >= NCHUNKS)
		return NULL;
	if (!chunks[c] && alloc) {
		chunks[c] = calloc(1, CHUNK);
		if (!chunks[c])
			abort();
	}
	return chunks[c];
}

void vtop_ddr_clear(void)
{
	for (unsigned i = 0; i < NCHUNKS; i++) {
		free(chunks[i]);
		chunks[i] = NULL;
	}
}

void vtop_ddr_read(uint64_t off, void *buf, size_t len)
{
	uint8_t *out = buf;

	while (len) {
		size_t in = CHUNK - (off & (CHUNK - 1)), n = len < in ? len : in;
		const uint8_t *c = chunk_of(off, 0);

		if (c)
			memcpy(out, c + (off & (CHUNK - 1)), n);
		else
			memset(out, 0, n);
		out += n;
		off += n;
		len -= n;
	}
}

void vtop_ddr_write(uint64_t off, const void *buf, size_t len)
{
	const uint8_t *in = buf;

	while (len) {
		size_t room = CHUNK - (off & (CHUNK - 1)), n = len < room ? len : room;
		uint8_t *c = chunk_of(off, 1);

		if (c)
			memcpy(c + (off & (CHUNK - 1)), in, n);
		in += n;
		off += n;
		len -= n;
	}
}

/* svBitVecVal words are 32 bits, least significant first: byte i of the
 * line is bits [8i+7:8i]. */
void sim_ddr_read(unsigned line, svBitVecVal *data)
{
	uint8_t b[LINE];

	vtop_ddr_read((uint64_t)line * LINE, b, LINE);
	for (unsigned w = 0; w < LINE / 4; w++)
		data[w] = (uint32_t)b[4 * w] | (uint32_t)b[4 * w + 1] << 8 |
			  (uint32_t)b[4 * w + 2] << 16 | (uint32_t)b[4 * w + 3] << 24;
}

void sim_ddr_write(unsigned line, const svBitVecVal *data, const svBitVecVal *be)
{
	uint64_t off = (uint64_t)line * LINE;
	uint8_t *c;

	if (!*be)
		return;
	c = chunk_of(off, 1);
	if (!c)
		return;
	c += off & (CHUNK - 1);
	for (unsigned i = 0; i < LINE; i++)
		if (*be & (1u << i))
			c[i] = (uint8_t)(data[i / 4] >> (8 * (i % 4)));
}
