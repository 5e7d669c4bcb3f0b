/* Host memory layout shared by the DMA test firmware and its harness. */
#ifndef DMA_LAYOUT_H
#define DMA_LAYOUT_H

#define H_SRC      0x100000000ull	/* 128 KiB of pattern, above 4 GiB */
#define H_SRC_LO   0x20000000ull	/* 64 KiB of pattern, below 4 GiB */
#define H_DST      0x140000000ull	/* written by the firmware */
#define H_DST_OFF  5u			/* first byte written */
#define H_DST_LEN  40000u		/* bytes written */
#define H_DST2     0x1c0000000ull	/* written from card memory */
#define H_DST2_OFF 3u			/* first byte written */
#define H_DST2_LEN 30000u		/* bytes written ... */
#define H_DST2_WIN 26000u		/* ... from DDR before this byte, the DAX window after */
#define H_BENCH    0x180000000ull	/* throughput runs write here */
#define H_UR       0x30000000ull	/* reads complete with UR */
#define H_CA       0x30010000ull	/* reads complete with CA */
#define H_DROP     0x30020000ull	/* reads never complete */
#define H_RANGE    0x10000ull		/* size of each fault range */

/* Byte at host address a of the source patterns. */
static inline unsigned char src_pattern(unsigned long long a)
{
	return (unsigned char)((a * 2654435761ull) >> 13);
}

/* Byte i of what the firmware writes to H_DST + H_DST_OFF. */
static inline unsigned char dst_pattern(unsigned i)
{
	return (unsigned char)(i * 7u + 3u + (i >> 8));
}

#endif /* DMA_LAYOUT_H */
