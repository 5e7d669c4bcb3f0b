/*
 * DMA engine testbench: the card's firmware (dma_card.c) moves data between
 * host memory and its DMA buffer; this harness plays the host with different
 * completion behaviours (immediate, late and reordered with 64-byte RCB
 * splits, small MPS/MRRS), then checks the firmware's verdict, every byte the
 * card wrote, and that every request obeyed MPS, MRRS and the 4 KiB rule.
 *
 * usage: dma_test FIRMWARE.elf [--bench FILE.md]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dma_layout.h"
#include "check.h"
#include "rc.h"

static int passed, failed;


struct scenario {
	const char *name;
	struct rc_dma_faults faults;
	unsigned mps_code, mrrs_code;	/* Device Control encodings */
};

static void set_dev_ctl(struct rc *rc, unsigned mps_code, unsigned mrrs_code)
{
	uint32_t ptr = 0, hdr = 0, v = 0;

	rc_cfg_read(rc, 0x34, 1, &ptr);
	for (int g = 0; ptr && g < 48; g++) {
		rc_cfg_read(rc, (uint16_t)ptr, 2, &hdr);
		if ((hdr & 0xff) == 0x10) {
			rc_cfg_read(rc, (uint16_t)(ptr + 8), 2, &v);
			v = (v & ~0x70e0u) | mps_code << 5 | mrrs_code << 12;
			rc_cfg_write(rc, (uint16_t)(ptr + 8), 2, v);
			return;
		}
		ptr = hdr >> 8;
	}
}

/* Rows about card memory (DMA to and from DDR, copies, the core's copies)
 * go to the second table when there is one. */
static FILE *bench_ddr;

static void run(const char *fw, const struct scenario *sc, FILE *bench)
{
	struct rc_opts o = { 0 };
	struct rc_bar bars[6];
	struct rc_dma_stats st;
	struct rc *rc;
	char err[256];
	uint32_t code = 0;
	static unsigned char buf[128 * 1024];
	char *log = NULL;
	size_t loglen = 0;
	FILE *con = open_memstream(&log, &loglen);

	o.firmware = fw;
	o.console = con;
	o.timeout = 100000;
	rc = rc_open(&o, err, sizeof(err));
	if (!rc) {
		CHECK(0, "%s: %s", sc->name, err);
		return;
	}
	for (unsigned i = 0; i < sizeof(buf); i++)
		buf[i] = src_pattern(H_SRC + i);
	rc_host_write(rc, H_SRC, buf, sizeof(buf));
	for (unsigned i = 0; i < 65536; i++)
		buf[i] = src_pattern(H_SRC_LO + i);
	rc_host_write(rc, H_SRC_LO, buf, 65536);
	CHECK(rc_enumerate(rc, bars) == 0, "%s: enumerate", sc->name);
	set_dev_ctl(rc, sc->mps_code, sc->mrrs_code);
	rc_set_limits(rc, 128u << sc->mps_code, 128u << sc->mrrs_code);
	{
		struct rc_dma_faults f = sc->faults;

		f.ur_base = H_UR;
		f.ur_len = H_RANGE;
		f.ca_base = H_CA;
		f.ca_len = H_RANGE;
		f.drop_base = H_DROP;
		f.drop_len = H_RANGE;
		rc_set_dma_faults(rc, &f);
	}
	while (!rc_firmware_exited(rc, &code) && rc_cycles(rc) < 40000000ull)
		rc_step(rc, 1000);
	fflush(con);
	CHECK(rc_firmware_exited(rc, &code) && code == 0, "%s: firmware verdict %u after %llu cycles:\n%s",
	      sc->name, code, (unsigned long long)rc_cycles(rc), log ? log : "");

	/* What the card wrote, and nothing around it. */
	rc_host_read(rc, H_DST, buf, H_DST_OFF + H_DST_LEN + 64);
	{
		unsigned bad = 0, first = 0;

		for (unsigned i = 0; i < H_DST_OFF + H_DST_LEN + 64; i++) {
			unsigned char want = (i >= H_DST_OFF && i < H_DST_OFF + H_DST_LEN)
						     ? dst_pattern(i - H_DST_OFF) : 0;

			if (buf[i] != want && !bad++)
				first = i;
		}
		CHECK(bad == 0, "%s: %u host bytes wrong, first at offset %u", sc->name, bad, first);
	}
	/* ... and from card memory. */
	rc_host_read(rc, H_DST2, buf, H_DST2_OFF + H_DST2_LEN + 64);
	{
		unsigned bad = 0, first = 0;

		for (unsigned i = 0; i < H_DST2_OFF + H_DST2_LEN + 64; i++) {
			unsigned char want = (i >= H_DST2_OFF && i < H_DST2_OFF + H_DST2_LEN)
						     ? dst_pattern(i - H_DST2_OFF) : 0;

			if (buf[i] != want && !bad++)
				first = i;
		}
		CHECK(bad == 0, "%s: %u host bytes from card memory wrong, first at offset %u", sc->name,
		      bad, first);
	}
	rc_dma_stats(rc, &st);
	CHECK(st.boundary_violations == 0, "%s: %llu requests broke MPS/MRRS/4K", sc->name,
	      (unsigned long long)st.boundary_violations);
	CHECK(st.tag_reuse == 0, "%s: %llu tags reused while outstanding", sc->name,
	      (unsigned long long)st.tag_reuse);
	CHECK(st.max_rd_bytes <= (128u << sc->mrrs_code) && st.max_wr_bytes <= (128u << sc->mps_code),
	      "%s: largest read %u, write %u", sc->name, st.max_rd_bytes, st.max_wr_bytes);
	CHECK(rc_unexpected(rc) == 0, "%s: unexpected TLPs from the card", sc->name);
	printf("%s: %llu cycles, %llu read TLPs (%llu B), %llu write TLPs (%llu B)\n", sc->name,
	       (unsigned long long)rc_cycles(rc), (unsigned long long)st.rd_tlps,
	       (unsigned long long)st.rd_bytes, (unsigned long long)st.wr_tlps,
	       (unsigned long long)st.wr_bytes);
	if (bench && log) {
		char *line = log;

		while ((line = strstr(line, "BENCH ")) != NULL) {
			char name[64];
			unsigned long bytes, cycles;

			if (sscanf(line, "BENCH %63s bytes=%lu cycles=%lu", name, &bytes, &cycles) == 3)
				fprintf(bench_ddr && (strncmp(name, "dma_", 4) || strstr(name, "_ddr_"))
						? bench_ddr : bench,
					"| %s | %s | %lu | %lu | %.2f | %.2f |\n", name, sc->name,
					bytes, cycles, (double)bytes / cycles,
					(double)bytes / cycles * 0.25);
			line += 6;
		}
	}
	rc_close(rc);
	fclose(con);
	free(log);
}

int main(int argc, char **argv)
{
	static const struct scenario scenarios[] = {
		{ "immediate", { 0 }, 1, 2 },
		{ "latency-800ns", { .latency = 200 }, 1, 2 },
		{ "reordered-rcb64", { .latency = 50, .jitter = 400, .rcb = 64, .seed = 7 }, 1, 2 },
		{ "mps128-mrrs128", { .latency = 20, .jitter = 30, .rcb = 128, .seed = 3 }, 0, 0 },
	};
	FILE *bench = NULL;

	if (argc != 2 && !((argc == 4 || argc == 5) && !strcmp(argv[2], "--bench"))) {
		fprintf(stderr, "usage: dma_test FIRMWARE.elf [--bench FILE.md [DDR_FILE.md]]\n");
		return 2;
	}
	if (argc == 5) {
		bench_ddr = fopen(argv[4], "w");
		if (!bench_ddr) {
			perror(argv[4]);
			return 2;
		}
		fprintf(bench_ddr, "| Card memory transfer | host behaviour | bytes | cycles | bytes/cycle | GB/s at 250 MHz |\n"
				   "|---|---|---|---|---|---|\n");
	}
	if (argc >= 4) {
		bench = fopen(argv[3], "w");
		if (!bench) {
			perror(argv[3]);
			return 2;
		}
		fprintf(bench, "| DMA transfer | host behaviour | bytes | cycles | bytes/cycle | GB/s at 250 MHz |\n"
			       "|---|---|---|---|---|---|\n");
	}
	for (unsigned i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
		run(argv[1], &scenarios[i], bench);
	if (bench) {
		fprintf(bench, "\nDatapath limit: 32 bytes/cycle (256-bit TLP stream), 8 GB/s at 250 MHz. "
			       "MPS 256 / MRRS 512 unless named.\n");
		fclose(bench);
	}
	if (bench_ddr) {
		fprintf(bench_ddr, "\ndma_*_ddr: the DMA engine between host memory and DDR (DDRT, 16 MiB into DDR); "
				   "copy_*: card_copy (the copy engine) between DDR, DMABUF and the DAX window; "
				   "core_*: the same moves by the soft core (memcpy), as the firmware did them before. "
				   "Cycles as the firmware sees them (register writes and status polls included). "
				   "Card memory's line port moves one 32-byte line per cycle, so a DDR to DDR copy "
				   "(a read and a write per line) is bounded by 16 bytes/cycle.\n");
		fclose(bench_ddr);
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed || !passed ? 1 : 0;	/* no check run is no pass */
}
