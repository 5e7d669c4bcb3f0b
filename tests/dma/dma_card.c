/*
 * DMA engine test firmware: reads and writes at every alignment and many
 * lengths, checks every byte (and the bytes around), then exercises UR, CA,
 * completion timeout and bad arguments, and measures throughput. Exits 0 when
 * everything held; the harness (dma_host.c) checks host memory afterwards.
 */
#include <stdio.h>
#include <string.h>

#include "rt.h"
#include "soc_map.h"
#include "dma_layout.h"
#include "hostmem.h"

#define BUF        DMABUF
#define BUF_SIZE   SOC_DMABUF_SIZE
#define GUARD      8
#define FILL       0xee

static int failures;

/* One transfer through the firmware's host-memory layer; its DMA status. */
static unsigned dma(uint64_t host, uint32_t local, uint32_t len, int write)
{
	if (write)
		hostmem_from_buf(host, local, len);
	else
		hostmem_to_buf(host, local, len);
	return hostmem_last_status();
}

static void fail(const char *what, uint64_t host, uint32_t local, uint32_t len, uint32_t at)
{
	if (failures++ < 10)
		printf("FAIL %s: host 0x%llx local %lu len %lu at %lu\n", what,
		       (unsigned long long)host, (unsigned long)local, (unsigned long)len,
		       (unsigned long)at);
}

static void check_read(uint64_t host, uint32_t local, uint32_t len)
{
	uint32_t lo = local >= GUARD ? local - GUARD : 0;
	uint32_t hi = local + len + GUARD <= BUF_SIZE ? local + len + GUARD : BUF_SIZE;
	unsigned st;

	for (uint32_t i = lo; i < hi; i++)
		BUF[i] = FILL;
	st = dma(host, local, len, 0);
	if (st) {
		fail("read status", host, local, len, st);
		return;
	}
	for (uint32_t i = lo; i < hi; i++) {
		uint8_t want = (i >= local && i < local + len) ? src_pattern(host + (i - local)) : FILL;

		if (BUF[i] != want) {
			fail("read data", host, local, len, i);
			return;
		}
	}
}

static void test_reads(void)
{
	static const uint32_t lens[] = { 1, 2, 3, 4, 5, 7, 31, 32, 33, 63, 64, 65, 127, 255, 256,
					 257, 511, 512, 513, 1000, 4095, 4096, 4097, 8191, 20000 };
	static const uint32_t hoffs[] = { 0, 1, 2, 3, 29, 4093 };
	static const uint32_t loffs[] = { 0, 1, 5, 31, 32, 100 };
	unsigned n = 0;

	for (unsigned l = 0; l < sizeof(lens) / sizeof(lens[0]); l++)
		for (unsigned h = 0; h < sizeof(hoffs) / sizeof(hoffs[0]); h++) {
			uint32_t lo = loffs[(l + h) % 6];

			check_read((h & 1 ? H_SRC_LO : H_SRC) + hoffs[h], lo, lens[l]);
			n++;
		}
	/* Back-to-back pieces of one buffer (a split FUSE header): earlier bytes stay. */
	for (uint32_t i = 0; i < 200; i++)
		BUF[i] = FILL;
	if (dma(H_SRC, 0, 20, 0) || dma(H_SRC + 20, 20, 84, 0))
		fail("split read status", H_SRC, 0, 104, 0);
	for (uint32_t i = 0; i < 120; i++)
		if (BUF[i] != (i < 104 ? src_pattern(H_SRC + i) : FILL)) {
			fail("split read data", H_SRC, 0, 104, i);
			break;
		}
	/* The whole buffer in one command, and a read ending at its last byte. */
	check_read(H_SRC + 3, 0, BUF_SIZE);
	check_read(H_SRC + 100, BUF_SIZE - 777, 777);
	printf("reads: %u commands\n", n + 2);
}

static void test_writes(void)
{
	static const uint32_t sizes[] = { 1, 3, 64, 255, 256, 257, 1000, 4096, 7, 513 };
	uint32_t done = 0;
	unsigned k = 0, n = 0;

	for (uint32_t i = 0; i < H_DST_LEN; i++)
		BUF[i] = dst_pattern(i);
	while (done < H_DST_LEN) {
		uint32_t len = sizes[k++ % 10];
		unsigned st;

		if (len > H_DST_LEN - done)
			len = H_DST_LEN - done;
		st = dma(H_DST + H_DST_OFF + done, done, len, 1);
		if (st)
			fail("write status", H_DST + H_DST_OFF + done, done, len, st);
		done += len;
		n++;
	}
	/* Read it back through the engine into the other half and compare. */
	if (dma(H_DST + H_DST_OFF, 50000, 10000, 0))
		fail("read back status", H_DST, 50000, 10000, 0);
	for (uint32_t i = 0; i < 10000; i++)
		if (BUF[50000 + i] != dst_pattern(i)) {
			fail("read back data", H_DST, 50000, 10000, i);
			break;
		}
	printf("writes: %u commands\n", n);
}

static void test_errors(void)
{
	unsigned st;

	st = dma(H_UR + 64, 0, 1000, 0);
	if (st != SOC_DMA_RESULT_UR)
		fail("UR status", H_UR, 0, 1000, st);
	st = dma(H_CA, 0, 100, 0);
	if (st != SOC_DMA_RESULT_CA)
		fail("CA status", H_CA, 0, 100, st);
	/* Four requests the host never answers: timeout. */
	st = dma(H_DROP, 0, 2048, 0);
	if (st != SOC_DMA_RESULT_TIMEOUT)
		fail("timeout status", H_DROP, 0, 2048, st);
	/* (hostmem forgets the retired tags after a timeout) */
	st = dma(H_SRC, 0, BUF_SIZE + 1, 0);
	if (st != SOC_DMA_RESULT_BADARG)
		fail("bad length status", H_SRC, 0, BUF_SIZE + 1, st);
	/* The engine works normally afterwards. */
	check_read(H_SRC + 1, 3, 3000);
	printf("errors: UR, CA, timeout, bad argument reported\n");
}

static void bench(void)
{
	uint32_t c0, c1;

	c0 = rt_rdcycle();
	dma(H_SRC, 0, 4096, 0);
	c1 = rt_rdcycle();
	printf("BENCH dma_read_4k bytes=4096 cycles=%lu\n", (unsigned long)(c1 - c0));
	c0 = rt_rdcycle();
	dma(H_SRC, 0, BUF_SIZE, 0);
	dma(H_SRC + BUF_SIZE, 0, BUF_SIZE, 0);
	c1 = rt_rdcycle();
	printf("BENCH dma_read_128k bytes=131072 cycles=%lu\n", (unsigned long)(c1 - c0));
	c0 = rt_rdcycle();
	dma(H_BENCH, 0, 4096, 1);
	c1 = rt_rdcycle();
	printf("BENCH dma_write_4k bytes=4096 cycles=%lu\n", (unsigned long)(c1 - c0));
	c0 = rt_rdcycle();
	dma(H_BENCH, 0, BUF_SIZE, 1);
	dma(H_BENCH + BUF_SIZE, 0, BUF_SIZE, 1);
	c1 = rt_rdcycle();
	printf("BENCH dma_write_128k bytes=131072 cycles=%lu\n", (unsigned long)(c1 - c0));
}

int main(void)
{
	test_reads();
	test_writes();
	test_errors();
	bench();
	printf("dma_card: %d failures\n", failures);
	return failures ? 1 : 0;
}
