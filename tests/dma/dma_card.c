/*
 * DMA engine test firmware: reads and writes at every alignment and many
 * lengths, checks every byte (and the bytes around), then exercises UR, CA,
 * completion timeout and bad arguments, and measures throughput. The same
 * with card memory (DDR and the DAX window) as the local side. Exits 0 when
 * everything held; the harness (dma_host.c) checks host memory afterwards.
 */
#include <errno.h>
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
/* Card memory the DDR tests use: 256 KiB from 16 MiB into DDR, and the
 * first 64 KiB of the DAX window. */
#define DDRT       ((volatile uint8_t *)(SOC_DDR_BASE + 0x01000000u))
#define DDRT_SIZE  0x40000u
#define WINT       ((volatile uint8_t *)SOC_DAXWIN_BASE)
#define WINT_SIZE  0x10000u

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

/* Card memory as the local side: `base` is a card pointer, `local` an
 * offset from it. */
static unsigned dma_card(uint64_t host, volatile uint8_t *base, uint32_t local, uint32_t len,
			 int write)
{
	if (write)
		hostmem_from_card(host, (const void *)(base + local), len);
	else
		hostmem_to_card(host, (void *)(base + local), len);
	return hostmem_last_status();
}

/* A read into base[local..], base being DMABUF (through the offset API) or
 * card memory (through the pointer API); the GUARD bytes around must stay. */
static void check_read_at(volatile uint8_t *base, uint32_t size, uint64_t host, uint32_t local,
			  uint32_t len)
{
	uint32_t lo = local >= GUARD ? local - GUARD : 0;
	uint32_t hi = local + len + GUARD <= size ? local + len + GUARD : size;
	unsigned st;

	for (uint32_t i = lo; i < hi; i++)
		base[i] = FILL;
	st = base == BUF ? dma(host, local, len, 0) : dma_card(host, base, local, len, 0);
	if (st) {
		fail(base == BUF ? "read status" : "card read status", host, local, len, st);
		return;
	}
	for (uint32_t i = lo; i < hi; i++) {
		uint8_t want = (i >= local && i < local + len) ? src_pattern(host + (i - local)) : FILL;

		if (base[i] != want) {
			fail(base == BUF ? "read data" : "card read data", host, local, len, i);
			return;
		}
	}
}

static void check_read(uint64_t host, uint32_t local, uint32_t len)
{
	check_read_at(BUF, BUF_SIZE, host, local, len);
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

/* Host memory to DDR and to the DAX window at every alignment on both
 * sides, then DDR and the window to host memory in pieces (the harness
 * checks H_DST2), read back through DMABUF. */
static void test_card(void)
{
	static const uint32_t lens[] = { 1, 2, 3, 5, 31, 32, 33, 64, 65, 255, 257, 1000, 4095,
					 4096, 4097, 8191, 20000, 70000 };
	static const uint32_t hoffs[] = { 0, 1, 2, 3, 29, 4093 };
	static const uint32_t loffs[] = { 0, 1, 5, 31, 32, 100, 4090 };
	static const uint32_t sizes[] = { 1, 3, 64, 255, 256, 257, 1000, 4096, 7, 513, 9000 };
	uint32_t done = 0;
	unsigned n = 0, k = 0;

	for (unsigned l = 0; l < sizeof(lens) / sizeof(lens[0]); l++)
		for (unsigned h = 0; h < 3; h++) {
			unsigned hi = (l + 2 * h) % 6;

			if (lens[l] > 5000 && h)
				continue;	/* (the core's checks are slow: long ones once) */
			/* (H_SRC_LO has 64 KiB of pattern) */
			check_read_at(DDRT, DDRT_SIZE,
				      (hi & 1 && lens[l] < 60000 ? H_SRC_LO : H_SRC) + hoffs[hi],
				      loffs[(l + h) % 7], lens[l]);
			n++;
		}
	for (unsigned l = 0; l < 6; l++) {
		check_read_at(WINT, WINT_SIZE, H_SRC + hoffs[l], loffs[l], lens[3 * l + 1]);
		n++;
	}
	/* The last byte of DDR. */
	check_read_at((volatile uint8_t *)SOC_DDR_BASE, SOC_DDR_SIZE, H_SRC + 7, SOC_DDR_SIZE - 100, 100);

	/* Card memory to host memory: DDR, and the window's last pieces. */
	for (uint32_t i = 0; i < H_DST2_LEN; i++)
		DDRT[7 + i] = dst_pattern(i);
	for (uint32_t i = H_DST2_WIN; i < H_DST2_LEN; i++)
		WINT[i - H_DST2_WIN + 3] = dst_pattern(i);
	while (done < H_DST2_LEN) {
		uint32_t len = sizes[k++ % 11];
		unsigned st;

		if (len > H_DST2_LEN - done)
			len = H_DST2_LEN - done;
		if (done < H_DST2_WIN && done + len > H_DST2_WIN)
			len = H_DST2_WIN - done;
		if (done < H_DST2_WIN)
			st = dma_card(H_DST2 + H_DST2_OFF + done, DDRT, 7 + done, len, 1);
		else
			st = dma_card(H_DST2 + H_DST2_OFF + done, WINT, done - H_DST2_WIN + 3, len, 1);
		if (st)
			fail("card write status", H_DST2 + H_DST2_OFF + done, done, len, st);
		done += len;
		n++;
	}
	/* Read it back into DMABUF, and into DDR at another alignment. */
	for (uint32_t i = 0; i < H_DST2_LEN + 16; i++)
		BUF[i] = FILL;
	if (dma(H_DST2 + H_DST2_OFF - 8, 0, H_DST2_LEN + 16, 0))
		fail("card read back status", H_DST2, 0, H_DST2_LEN, 0);
	for (uint32_t i = 0; i < H_DST2_LEN + 16; i++)
		if (BUF[i] != (i >= 8 && i < H_DST2_LEN + 8 ? dst_pattern(i - 8) : 0)) {
			fail("card read back data", H_DST2, 0, H_DST2_LEN, i);
			break;
		}
	if (dma_card(H_DST2 + H_DST2_OFF, DDRT, 100001, H_DST2_LEN, 0))
		fail("card read back status", H_DST2, 100001, H_DST2_LEN, 0);
	for (uint32_t i = 0; i < H_DST2_LEN; i++)
		if (DDRT[100001 + i] != dst_pattern(i)) {
			fail("card read back data", H_DST2, 100001, H_DST2_LEN, i);
			break;
		}
	/* Ranges that leave their region, and addresses in none. */
	if (dma_card(H_SRC, (volatile uint8_t *)SOC_DDR_BASE, SOC_DDR_SIZE - 10, 11, 0) !=
	    SOC_DMA_RESULT_BADARG)
		fail("DDR end status", H_SRC, SOC_DDR_SIZE - 10, 11, hostmem_last_status());
	if (dma_card(H_SRC, (volatile uint8_t *)SOC_DMABUF_BASE, BUF_SIZE - 1, 2, 1) !=
	    SOC_DMA_RESULT_BADARG)
		fail("DMABUF end status", H_SRC, BUF_SIZE - 1, 2, hostmem_last_status());
	if (dma_card(H_SRC, (volatile uint8_t *)SOC_DDR_BASE, SOC_DDR_SIZE, 0, 0) !=
	    SOC_DMA_RESULT_BADARG)
		fail("past DDR status", H_SRC, SOC_DDR_SIZE, 0, hostmem_last_status());
	if (dma_card(H_SRC, (volatile uint8_t *)SOC_VQ_BASE, 0, 4, 0) != SOC_DMA_RESULT_BADARG)
		fail("no region status", H_SRC, 0, 4, hostmem_last_status());
	check_read_at(DDRT, DDRT_SIZE, H_SRC + 1, 2, 3000);
	printf("card: %u commands\n", n + 3);
}

/* card_copy between DDR, DMABUF and the DAX window: every alignment pair
 * of a few, lengths 1..64 KiB, the overlap rule; the bytes around each
 * destination stay. */
#define CPS        (DDRT + 0x20000u)	/* copy sources in DDR: 96 KiB of pattern */
#define CPD        (DDRT + 0x10000u)	/* copy destinations in DDR */

static uint8_t cp_pattern(uint32_t i)
{
	return (uint8_t)(i * 5u + 1u + (i >> 9));
}

static void check_copy(volatile uint8_t *dst, volatile uint8_t *src, uint32_t len, const char *what)
{
	uint8_t want[2 * GUARD];

	for (uint32_t i = 0; i < GUARD; i++) {
		dst[-(int32_t)GUARD + (int32_t)i] = FILL;
		dst[len + i] = FILL;
	}
	for (uint32_t i = 0; i < 2 * GUARD; i++)
		want[i] = FILL;
	if (card_copy((void *)dst, (const void *)src, len)) {
		fail(what, (uintptr_t)src, (uintptr_t)dst, len, 0);
		return;
	}
	for (uint32_t i = 0; i < GUARD; i++)
		if (dst[-(int32_t)GUARD + (int32_t)i] != want[i] || dst[len + i] != want[GUARD + i]) {
			fail(what, (uintptr_t)src, (uintptr_t)dst, len, 100000 + i);
			return;
		}
	for (uint32_t i = 0; i < len; i++)
		if (dst[i] != src[i]) {
			fail(what, (uintptr_t)src, (uintptr_t)dst, len, i);
			return;
		}
}

static void test_copy(void)
{
	static const uint32_t lens[] = { 1, 2, 3, 31, 32, 33, 64, 100, 1000, 4095, 4096, 4097, 20000 };
	static const uint32_t offs[] = { 0, 1, 5, 31, 32, 45 };
	unsigned n = 0;

	for (uint32_t i = 0; i < 0x18000u; i++)
		CPS[i] = cp_pattern(i);
	for (unsigned l = 0; l < sizeof(lens) / sizeof(lens[0]); l++)
		for (unsigned so = 0; so < 6; so++) {
			uint32_t d = offs[(so + l) % 6] + 64;

			if (lens[l] > 5000 && so != 1)
				continue;
			check_copy(CPD + d, CPS + offs[so], lens[l], "copy DDR->DDR");
			n++;
		}
	/* Each pairing with DMABUF and the window, and all of DMABUF. */
	check_copy(BUF + 64 + 3, CPS + 7, 5000, "copy DDR->DMABUF");
	check_copy(CPD + 64 + 30, BUF + 64 + 3, 5000, "copy DMABUF->DDR");
	check_copy(WINT + 64 + 1, CPS + 100, 3000, "copy DDR->window");
	check_copy(CPD + 64 + 2, WINT + 64 + 1, 3000, "copy window->DDR");
	check_copy(BUF + 64 + 9, WINT + 64 + 1, 3000, "copy window->DMABUF");
	check_copy(BUF + 64 + 7000, BUF + 64 + 9, 3000, "copy DMABUF->DMABUF");
	if (card_copy((void *)BUF, (const void *)(CPS + 1), BUF_SIZE))
		fail("copy all of DMABUF", 0, 0, BUF_SIZE, 0);
	for (uint32_t i = 0; i < BUF_SIZE; i++)
		if (BUF[i] != cp_pattern(i + 1)) {
			fail("copy all of DMABUF data", 0, 0, BUF_SIZE, i);
			break;
		}
	n += 7;
	/* Overlap: downward is a memmove, upward is refused and moves nothing. */
	for (uint32_t i = 0; i < 3000; i++)
		CPD[i] = cp_pattern(i);
	if (card_copy((void *)CPD, (const void *)(CPD + 37), 2900))
		fail("copy down overlap status", 0, 0, 2900, 0);
	for (uint32_t i = 0; i < 3000; i++)
		if (CPD[i] != cp_pattern(i < 2900 ? i + 37 : i)) {
			fail("copy down overlap data", 0, 0, 2900, i);
			break;
		}
	if (card_copy((void *)(CPD + 1), (const void *)CPD, 100) != -EINVAL)
		fail("copy up overlap status", 0, 0, 100, 0);
	for (uint32_t i = 0; i < 3000; i++)
		if (CPD[i] != cp_pattern(i < 2900 ? i + 37 : i)) {
			fail("copy up overlap moved bytes", 0, 0, 100, i);
			break;
		}
	if (card_copy((void *)SOC_DDR_BASE, (const void *)(SOC_DDR_BASE + SOC_DDR_SIZE - 4), 5) != -EINVAL)
		fail("copy past DDR status", 0, 0, 5, 0);
	if (card_copy((void *)SOC_DDR_BASE, (const void *)SOC_VQ_BASE, 4) != -EINVAL)
		fail("copy from no region status", 0, 0, 4, 0);
	printf("copy: %u copies\n", n + 4);
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
	c0 = rt_rdcycle();
	dma_card(H_SRC, DDRT, 0, 4096, 0);
	c1 = rt_rdcycle();
	printf("BENCH dma_read_ddr_4k bytes=4096 cycles=%lu\n", (unsigned long)(c1 - c0));
	c0 = rt_rdcycle();
	dma_card(H_SRC, DDRT, 0, 131072, 0);
	c1 = rt_rdcycle();
	printf("BENCH dma_read_ddr_128k bytes=131072 cycles=%lu\n", (unsigned long)(c1 - c0));
	c0 = rt_rdcycle();
	dma_card(H_BENCH, DDRT, 0, 4096, 1);
	c1 = rt_rdcycle();
	printf("BENCH dma_write_ddr_4k bytes=4096 cycles=%lu\n", (unsigned long)(c1 - c0));
	c0 = rt_rdcycle();
	dma_card(H_BENCH, DDRT, 0, 131072, 1);
	c1 = rt_rdcycle();
	printf("BENCH dma_write_ddr_128k bytes=131072 cycles=%lu\n", (unsigned long)(c1 - c0));
	c0 = rt_rdcycle();
	card_copy((void *)CPD, (const void *)CPS, 4096);
	c1 = rt_rdcycle();
	printf("BENCH copy_ddr_ddr_4k bytes=4096 cycles=%lu\n", (unsigned long)(c1 - c0));
	c0 = rt_rdcycle();
	card_copy((void *)CPD, (const void *)(CPS + 3), 4096);
	c1 = rt_rdcycle();
	printf("BENCH copy_ddr_ddr_4k_unaligned bytes=4096 cycles=%lu\n", (unsigned long)(c1 - c0));
	c0 = rt_rdcycle();
	card_copy((void *)DDRT, (const void *)CPS, 65536);
	c1 = rt_rdcycle();
	printf("BENCH copy_ddr_ddr_64k bytes=65536 cycles=%lu\n", (unsigned long)(c1 - c0));
	c0 = rt_rdcycle();
	card_copy((void *)BUF, (const void *)CPS, 4096);
	c1 = rt_rdcycle();
	printf("BENCH copy_ddr_dmabuf_4k bytes=4096 cycles=%lu\n", (unsigned long)(c1 - c0));
	c0 = rt_rdcycle();
	card_copy((void *)CPD, (const void *)BUF, 4096);
	c1 = rt_rdcycle();
	printf("BENCH copy_dmabuf_ddr_4k bytes=4096 cycles=%lu\n", (unsigned long)(c1 - c0));
	c0 = rt_rdcycle();
	card_copy((void *)WINT, (const void *)CPS, 4096);
	c1 = rt_rdcycle();
	printf("BENCH copy_ddr_window_4k bytes=4096 cycles=%lu\n", (unsigned long)(c1 - c0));
	/* The same moves by the core, as the firmware did them before. */
	c0 = rt_rdcycle();
	memcpy((void *)CPD, (const void *)CPS, 4096);
	c1 = rt_rdcycle();
	printf("BENCH core_memcpy_ddr_ddr_4k bytes=4096 cycles=%lu\n", (unsigned long)(c1 - c0));
	c0 = rt_rdcycle();
	memcpy((void *)BUF, (const void *)CPS, 4096);
	c1 = rt_rdcycle();
	printf("BENCH core_memcpy_ddr_dmabuf_4k bytes=4096 cycles=%lu\n", (unsigned long)(c1 - c0));
	c0 = rt_rdcycle();
	memcpy((void *)BUF, (const void *)CPS, 4096);
	dma(H_BENCH, 0, 4096, 1);
	c1 = rt_rdcycle();
	printf("BENCH core_memcpy_then_dma_ddr_host_4k bytes=4096 cycles=%lu\n", (unsigned long)(c1 - c0));
}

int main(void)
{
	test_reads();
	test_writes();
	test_card();
	test_copy();
	test_errors();
	bench();
	printf("dma_card: %d failures\n", failures);
	return failures ? 1 : 0;
}
