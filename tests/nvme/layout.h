/* What the QEMU cross-check writes where, shared with the host-side checker. */
#ifndef NVME_XCHECK_LAYOUT_H
#define NVME_XCHECK_LAYOUT_H

#define XC_PATTERN_LBA   2048u	/* 256 blocks the host checks afterwards */
#define XC_PATTERN_NLB   256u
#define XC_ZERO_LBA      4096u	/* written, then write-zeroes */
#define XC_DEALLOC_LBA   6144u	/* written, then deallocated */
#define XC_RANGE_NLB     64u

static inline unsigned char xc_byte(unsigned long lba, unsigned i)
{
	return (unsigned char)(lba * 131u + i * 7u + 0x5au + (i >> 9));
}

#endif
