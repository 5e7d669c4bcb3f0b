/*
 * RTL checks of the root port (rtl/rp) and the card memory behind it, with a
 * scripted device on the root-port link and the firmware half in
 * tests/rp/rp_card.c (script: tests/rp/rp_script.h).
 *
 * Outbound: the device answers the firmware's requests well and badly (UR,
 * CA, CRS, poisoned, malformed, wrong tag or requester, silence, late); the
 * firmware checks what its loads return, here the requests' headers and the
 * posted writes' byte enables are checked.
 * Inbound: random DMA writes and reads of card memory at every alignment and
 * read-request size (data, completion splitting, byte counts and lower
 * addresses are checked by rp_link), a zero-length read, reads outside DDR or
 * across 4 KiB (UR), writes outside DDR, across 4 KiB or poisoned (dropped:
 * the memory around them is unchanged), unsupported request types (UR), a
 * message (ignored), MSI writes (the firmware takes the interrupts).
 * Core DDR path: the core's mixed-size stores are what the device reads; a
 * load after the device's write sees it.
 *
 * usage: rp_test FIRMWARE.elf       ends with "N passed, N failed"
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "elf_load.h"
#include "rp_link.h"
#include "rp_script.h"
#include "soc_load.h"
#include "soc_map.h"
#include "tlp.h"
#include "vtop.h"

#define DDR_BUS 0x100000000ull		/* docs/nvme-root-port.md */
#define DDR_SIZE (1ull << 31)		/* card memory: the DDR region and the DAX window */
#define WIN_BASE 0xe0000000ull		/* what the firmware writes to RP.WIN_LO */
#define DEV_RID 0x0100u
#define MAX_CYCLES 20000000ull
#define WAIT_CYCLES 20000u

static int passed, failed;

struct late {
	uint64_t due;
	struct tlp t;
};

static struct {
	struct vtop *t;
	struct rp_link *l;
	uint64_t cycles;
	uint32_t tohost, code, scratch;
	int done;
	unsigned step, extra;
	int last_tag;
	struct late late[8];
	unsigned nlate;
	struct {
		uint64_t addr;
		uint32_t data;
		unsigned fbe;
		int wide;
	} wr[16];
	unsigned nwr;
	struct tlp cpl;
	int got_cpl;
	int rd_done, rd_status;
} H;

/* ------------------------------------------------------------ the device */

static void answer(const struct tlp *req, unsigned status, int with_data, unsigned ndw, uint32_t data,
		   int ep, uint16_t req_id, unsigned tag, int late)
{
	struct tlp c;

	memset(&c, 0, sizeof(c));
	c.hdr[0] = tlp_dw0(with_data ? TLP_FMT_3DW_DATA : TLP_FMT_3DW_NODATA, TLP_TYPE_CPL, with_data ? ndw : 0);
	if (ep)
		c.hdr[0] |= 1u << 14;
	c.hdr[1] = (uint32_t)DEV_RID << 16 | (status & 7) << 13 | 4;
	c.hdr[2] = (uint32_t)req_id << 16 | (tag & 0xff) << 8 | (tlp_addr(req) & 0x7c);
	for (unsigned i = 0; i < ndw && with_data; i++)
		c.data[i] = data + i;
	c.ndata = with_data ? ndw : 0;
	if (late) {
		if (H.nlate < 8) {
			H.late[H.nlate].due = H.cycles + (unsigned)late;
			H.late[H.nlate].t = c;
			H.nlate++;
		}
		return;
	}
	rp_link_send(H.l, &c);
}

static void check_request(const struct tlp *t, unsigned k, const struct rp_step *s)
{
	unsigned type = tlp_type(t), tag = tlp_req_tag(t);
	uint64_t want = WIN_BASE + 0x40 + 4 * k;

	CHECK(tlp_req_id(t) == 0, "step %u: requester ID 0x%04x", k, tlp_req_id(t));
	CHECK((int)tag != H.last_tag, "step %u: a new tag (%u)", k, tag);
	H.last_tag = (int)tag;
	switch (s->access) {
	case ACC_WIN_RD_AGAIN:
		want -= 8;				/* the read of step k - 2 */
		/* fall through */
	case ACC_WIN_RD:
	case ACC_WIN_RD_IRQ:
	case ACC_WIN_RD_IRQ_CFG:
		CHECK(type == TLP_TYPE_MEM && tlp_fmt(t) == TLP_FMT_3DW_NODATA && tlp_addr(t) == want &&
		      tlp_len(t) == 1 && tlp_first_be(t) == 0xf, "step %u: MemRd 3DW at 0x%llx", k,
		      (unsigned long long)tlp_addr(t));
		break;
	case ACC_WIN_RD_HI:
		CHECK(type == TLP_TYPE_MEM && tlp_fmt(t) == TLP_FMT_4DW_NODATA &&
		      tlp_addr(t) == want + ((uint64_t)RP_WIN_HI << 32), "step %u: MemRd 4DW at 0x%llx", k,
		      (unsigned long long)tlp_addr(t));
		break;
	case ACC_CFG_RD:
		CHECK(type == TLP_TYPE_CFG0 && !tlp_has_data(t) && t->hdr[2] == (RP_CFG_TARGET | 0x10) &&
		      tlp_first_be(t) == 0xf, "step %u: CfgRd0 DW2 0x%08x", k, t->hdr[2]);
		break;
	case ACC_CFG_WR:
		CHECK(type == TLP_TYPE_CFG0 && tlp_has_data(t) && t->data[0] == 0x12345678u + k &&
		      tlp_first_be(t) == 0xf, "step %u: CfgWr0 data 0x%08x", k, t->data[0]);
		break;
	case ACC_CFG_WR16:
		CHECK(type == TLP_TYPE_CFG0 && tlp_has_data(t) && (t->data[0] >> 16) == 0xbeef &&
		      tlp_first_be(t) == 0xc, "step %u: CfgWr0 of bytes 2..3, BE 0x%x data 0x%08x", k,
		      tlp_first_be(t), t->data[0]);
		break;
	default:
		break;
	}
}

static void on_tlp(void *ctx, const struct tlp *t)
{
	const struct rp_step *s;
	unsigned k, tag = tlp_req_tag(t);
	int rd;

	(void)ctx;
	if (tlp_type(t) == TLP_TYPE_CPL) {
		H.cpl = *t;
		H.got_cpl = 1;
		return;
	}
	if (tlp_type(t) == TLP_TYPE_MEM && tlp_has_data(t)) {
		if (H.nwr < 16) {
			H.wr[H.nwr].addr = tlp_addr(t);
			H.wr[H.nwr].data = t->data[0];
			H.wr[H.nwr].fbe = tlp_first_be(t);
			H.wr[H.nwr].wide = tlp_fmt(t) == TLP_FMT_4DW_DATA;
		}
		H.nwr++;
		return;
	}
	if (H.step >= RP_SCRIPT_STEPS) {
		H.extra++;
		answer(t, TLP_CPL_UR, 0, 0, 0, 0, tlp_req_id(t), tag, 0);
		return;
	}
	k = H.step++;
	s = &rp_script[k];
	rd = !tlp_has_data(t);
	check_request(t, k, s);
	switch (s->answer) {
	case ANS_OK: answer(t, TLP_CPL_SC, rd, 1, RP_OK_DATA(k), 0, tlp_req_id(t), tag, 0); break;
	case ANS_UR: answer(t, TLP_CPL_UR, 0, 0, 0, 0, tlp_req_id(t), tag, 0); break;
	case ANS_CA: answer(t, TLP_CPL_CA, 0, 0, 0, 0, tlp_req_id(t), tag, 0); break;
	case ANS_CRS: answer(t, 2, 0, 0, 0, 0, tlp_req_id(t), tag, 0); break;
	case ANS_POISON: answer(t, TLP_CPL_SC, 1, 1, 0x13572468u, 1, tlp_req_id(t), tag, 0); break;
	case ANS_LEN2: answer(t, TLP_CPL_SC, 1, 2, RP_OK_DATA(k), 0, tlp_req_id(t), tag, 0); break;
	case ANS_NODATA: answer(t, TLP_CPL_SC, 0, 0, 0, 0, tlp_req_id(t), tag, 0); break;
	case ANS_DATA: answer(t, TLP_CPL_SC, 1, 1, 0x1, 0, tlp_req_id(t), tag, 0); break;
	case ANS_WRONGTAG: answer(t, TLP_CPL_SC, 1, 1, RP_OK_DATA(k), 0, tlp_req_id(t), tag ^ 0x80, 0); break;
	case ANS_WRONGRID: answer(t, TLP_CPL_SC, 1, 1, RP_OK_DATA(k), 0, 0x0042, tag, 0); break;
	case ANS_LATE: answer(t, TLP_CPL_SC, 1, 1, RP_OK_DATA(k), 0, tlp_req_id(t), tag, RP_LATE_CYCLES); break;
	case ANS_SLOW: answer(t, TLP_CPL_SC, 1, 1, RP_OK_DATA(k), 0, tlp_req_id(t), tag, RP_SLOW_CYCLES); break;
	default: break;			/* silent */
	}
}

static void on_cycle(void *ctx, uint64_t cycle)
{
	(void)ctx;
	(void)cycle;
	for (unsigned i = 0; i < H.nlate; i++)
		if (H.late[i].due <= H.cycles) {
			rp_link_send(H.l, &H.late[i].t);
			H.late[i] = H.late[--H.nlate];
			i--;
		}
}

/* ------------------------------------------------------------ simulation */

static void step(uint64_t n)
{
	while (n-- && !H.done && H.cycles < MAX_CYCLES) {
		struct vtop_obs o;

		vtop_observe(H.t, &o);
		if (o.con_valid)
			putchar(o.con_data);
		if (o.store_valid && o.store_addr == (H.tohost & ~3u) && (o.store_data & 1)) {
			H.done = 1;
			H.code = o.store_data >> 1;
		}
		if (o.store_valid && o.store_addr == SOC_SIMCTRL_BASE + SOC_SIMCTRL_SCRATCH)
			H.scratch = o.store_data;
		vtop_clock(H.t);
		H.cycles++;
	}
}

static void wait_phase(uint32_t p)
{
	while (H.scratch != p && !H.done && H.cycles < MAX_CYCLES)
		step(1);
	CHECK(H.scratch == p, "firmware reached phase %u", p);
}

static void rd_done(void *ctx, void *arg, int status)
{
	(void)ctx;
	(void)arg;
	H.rd_done = 1;
	H.rd_status = status;
}

static int dma_read(uint64_t addr, void *buf, size_t len)
{
	uint64_t start = H.cycles;

	H.rd_done = 0;
	rp_link_dma_read(H.l, addr, buf, len, rd_done, NULL);
	while (!H.rd_done && H.cycles - start < WAIT_CYCLES)
		step(1);
	return H.rd_done ? H.rd_status : -ETIMEDOUT;
}

static void dma_write(uint64_t addr, const void *buf, size_t len)
{
	uint64_t start = H.cycles;

	rp_link_dma_write(H.l, addr, buf, len);
	while (rp_link_pending(H.l) && H.cycles - start < WAIT_CYCLES)
		step(1);
	step(4);				/* through the inbound engine */
}

static void flag(uint32_t v) { dma_write(DDR_BUS + RP_DDR_FLAG, &v, 4); }

/* Sends a raw request; returns 1 with H.cpl set if a completion came back. */
static int raw(uint32_t dw0, uint64_t addr, unsigned fbe, unsigned lbe, unsigned tag, const uint32_t *data,
	       unsigned ndata)
{
	struct tlp t;
	uint64_t start = H.cycles;

	memset(&t, 0, sizeof(t));
	t.hdr[0] = dw0;
	t.hdr[1] = (uint32_t)DEV_RID << 16 | tag << 8 | lbe << 4 | fbe;
	if (tlp_fmt(&t) & 1) {
		t.hdr[2] = (uint32_t)(addr >> 32);
		t.hdr[3] = (uint32_t)addr;
	} else {
		t.hdr[2] = (uint32_t)addr;
	}
	if (ndata)
		memcpy(t.data, data, ndata * 4);
	t.ndata = ndata;
	H.got_cpl = 0;
	rp_link_send(H.l, &t);
	while (!H.got_cpl && H.cycles - start < 600)
		step(1);
	return H.got_cpl;
}

static void check_ur(int got, unsigned tag, unsigned bytes, const char *what)
{
	CHECK(got && tlp_type(&H.cpl) == TLP_TYPE_CPL && !tlp_has_data(&H.cpl) &&
	      tlp_cpl_status(&H.cpl) == TLP_CPL_UR && tlp_cpl_tag(&H.cpl) == tag &&
	      (H.cpl.hdr[2] >> 16) == DEV_RID && tlp_cpl_bytes(&H.cpl) == bytes,
	      "%s: UR completion (got %d, status %u, tag %u, bytes %u)", what, got, tlp_cpl_status(&H.cpl),
	      tlp_cpl_tag(&H.cpl), tlp_cpl_bytes(&H.cpl));
}

/* ------------------------------------------------------------ inbound */

static uint32_t rng = 0x9e3779b9u;
static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static void round_trips(void)
{
	static uint8_t out[1024], in[1024];
	static const unsigned mrrs[] = { 128, 256, 512 };
	int ok = 1;

	for (unsigned i = 0; i < 60; i++) {
		uint64_t a = DDR_BUS + 0x100000 + rnd() % 0x8000;
		size_t n = 1 + rnd() % 700;
		int ret;

		rp_link_set_master(H.l, DEV_RID, mrrs[i % 3], 256);
		for (size_t b = 0; b < n; b++)
			out[b] = (uint8_t)rnd();
		dma_write(a, out, n);
		memset(in, 0, sizeof(in));
		ret = dma_read(a, in, n);
		if (ret || memcmp(in, out, n)) {
			ok = 0;
			printf("  round trip %u: %zu bytes at 0x%llx: %d\n", i, n, (unsigned long long)a, ret);
		}
	}
	CHECK(ok, "60 random DMA write/read round trips through DDR (any alignment, MRRS 128..512)");
	rp_link_set_master(H.l, DEV_RID, 512, 256);
	{
		struct rp_link_stats st;

		rp_link_stats(H.l, &st);
		CHECK(st.bad_cpls == 0 && st.late_cpls == 0, "completions well formed (%llu bad, %llu late)",
		      (unsigned long long)st.bad_cpls, (unsigned long long)st.late_cpls);
	}
}

static void inbound(void)
{
	static uint8_t before[64], after[64], pat[RP_PATTERN_BYTES];
	uint32_t one = 0x77777777u, two[2] = { 0x66666666u, 0x55555555u };
	int got;

	round_trips();

	/* a zero-length read: one DW, byte count 1 */
	got = raw(tlp_dw0(TLP_FMT_4DW_NODATA, TLP_TYPE_MEM, 1), DDR_BUS + 0x100040, 0, 0, 5, NULL, 0);
	CHECK(got && tlp_cpl_status(&H.cpl) == TLP_CPL_SC && tlp_len(&H.cpl) == 1 && tlp_cpl_bytes(&H.cpl) == 1 &&
	      tlp_cpl_lower(&H.cpl) == 0x40, "zero-length read: 1 DW, byte count 1");

	/* memory the writes below must not touch */
	for (unsigned i = 0; i < 64; i++)
		before[i] = (uint8_t)(0xa0 + i);
	dma_write(DDR_BUS + 0x0fe0, before, 64);
	dma_write(DDR_BUS + 0x1fe0, before, 64);
	dma_write(DDR_BUS + DDR_SIZE - 64, before, 64);

	/* reads outside DDR or across 4 KiB */
	got = raw(tlp_dw0(TLP_FMT_4DW_NODATA, TLP_TYPE_MEM, 1), DDR_BUS + DDR_SIZE, 0xf, 0, 11, NULL, 0);
	check_ur(got, 11, 4, "read just past DDR");
	got = raw(tlp_dw0(TLP_FMT_3DW_NODATA, TLP_TYPE_MEM, 2), DDR_BUS - 8, 0xf, 0xf, 12, NULL, 0);
	check_ur(got, 12, 8, "read below DDR");
	got = raw(tlp_dw0(TLP_FMT_4DW_NODATA, TLP_TYPE_MEM, 4), DDR_BUS + DDR_SIZE - 8, 0xf, 0xf, 13, NULL, 0);
	check_ur(got, 13, 16, "read across the end of DDR");
	got = raw(tlp_dw0(TLP_FMT_4DW_NODATA, TLP_TYPE_MEM, 2), DDR_BUS + 0x0ffc, 0xe, 0x3, 14, NULL, 0);
	check_ur(got, 14, 5, "read across 4 KiB");

	/* request types a root port does not serve */
	got = raw(tlp_dw0(TLP_FMT_3DW_NODATA, TLP_TYPE_IO, 1), 0x1000, 0xf, 0, 21, NULL, 0);
	check_ur(got, 21, 4, "I/O read");
	got = raw(tlp_dw0(TLP_FMT_3DW_NODATA, TLP_TYPE_CFG0, 1), 0, 0xf, 0, 22, NULL, 0);
	check_ur(got, 22, 4, "configuration read from the device");
	got = raw(tlp_dw0(TLP_FMT_4DW_NODATA, 0x01, 1), DDR_BUS + 0x100, 0xf, 0, 23, NULL, 0);
	check_ur(got, 23, 4, "locked read");
	got = raw(tlp_dw0(TLP_FMT_4DW_DATA, 0x0c, 1), DDR_BUS + 0x100, 0xf, 0, 24, &one, 1);
	check_ur(got, 24, 4, "atomic FetchAdd");
	got = raw(tlp_dw0(TLP_FMT_4DW_NODATA, TLP_TYPE_MSG, 0), 0, 0, 0, 25, NULL, 0);
	CHECK(!got, "a message is taken without an answer");

	/* MSI */
	{
		uint32_t a = RP_MSI_A, b = RP_MSI_B;

		dma_write(0xfee00000ull, &a, 4);
		dma_write(0xfee00000ull, &b, 4);
	}

	/* writes outside DDR, across 4 KiB, poisoned: dropped (the poisoned one last: INB_ADDR) */
	raw(tlp_dw0(TLP_FMT_4DW_DATA, TLP_TYPE_MEM, 1), DDR_BUS + DDR_SIZE, 0xf, 0, 0, &one, 1);
	raw(tlp_dw0(TLP_FMT_3DW_DATA, TLP_TYPE_MEM, 1), DDR_BUS - 4, 0xf, 0, 0, &one, 1);
	raw(tlp_dw0(TLP_FMT_4DW_DATA, TLP_TYPE_MEM, 2), DDR_BUS + 0x0ffc, 0xf, 0xf, 0, two, 2);
	raw(tlp_dw0(TLP_FMT_4DW_DATA, TLP_TYPE_MEM, 1) | 1u << 14, DDR_BUS + 0x1ffc, 0xf, 0, 0, &one, 1);
	CHECK(dma_read(DDR_BUS + 0x0fe0, after, 64) == 0 && !memcmp(before, after, 64),
	      "the write across 4 KiB wrote nothing");
	CHECK(dma_read(DDR_BUS + 0x1fe0, after, 64) == 0 && !memcmp(before, after, 64),
	      "the poisoned write wrote nothing");
	CHECK(dma_read(DDR_BUS + DDR_SIZE - 64, after, 64) == 0 && !memcmp(before, after, 64),
	      "the end of DDR is untouched");

	for (uint32_t i = 0; i < RP_PATTERN_BYTES; i++)
		pat[i] = rp_host_byte(i);
	dma_write(DDR_BUS + RP_DDR_HOST_PATTERN, pat, RP_PATTERN_BYTES);
	flag(1);
}

static void cpu_pattern(void)
{
	static uint8_t in[RP_PATTERN_BYTES];
	int ok = dma_read(DDR_BUS + RP_DDR_CPU_PATTERN, in, RP_PATTERN_BYTES) == 0;

	for (uint32_t i = 0; i < RP_PATTERN_BYTES && ok; i++)
		ok = in[i] == rp_cpu_byte(i);
	CHECK(ok, "the device reads the core's DDR stores (bytes, halves, words)");
	flag(2);
}

static void coherence(void)
{
	uint32_t v = RP_COH_VALUE;

	dma_write(DDR_BUS + RP_DDR_COH_WORD, &v, 4);
	flag(3);
}

int main(int argc, char **argv)
{
	static const struct rp_link_ops ops = { .on_tlp = on_tlp, .on_cycle = on_cycle };
	struct elf_image img;
	char err[256];

	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc != 2) {
		fprintf(stderr, "usage: rp_test FIRMWARE.elf\n");
		return 2;
	}
	if (elf_read(argv[1], &img, err, sizeof(err)) || elf_symbol(&img, "tohost", &H.tohost) ||
	    soc_check_layout(&img, argv[1])) {
		fprintf(stderr, "rp_test: %s: %s\n", argv[1], err);
		return 2;
	}
	H.last_tag = -1;
	H.t = vtop_new(NULL);
	H.l = rp_link_attach(H.t, &ops, NULL);
	rp_link_set_master(H.l, DEV_RID, 512, 256);
	vtop_set_reset(H.t, 1);
	for (int i = 0; i < 4; i++)
		vtop_clock(H.t);
	soc_load_image(H.t, &img);
	vtop_set_reset(H.t, 0);

	wait_phase(RP_PHASE_INBOUND);
	CHECK(H.step == RP_SCRIPT_STEPS && H.extra == 0, "the firmware made the %zu scripted requests (%u, %u more)",
	      RP_SCRIPT_STEPS, H.step, H.extra);
	CHECK(H.nwr == 4, "4 posted window writes (%u)", H.nwr);
	CHECK(H.wr[0].addr == WIN_BASE + 0x100 && H.wr[0].fbe == 0x2 && (H.wr[0].data & 0xff00) == 0xa100,
	      "byte store: MemWr BE 0x%x data 0x%08x", H.wr[0].fbe, H.wr[0].data);
	CHECK(H.wr[1].addr == WIN_BASE + 0x104 && H.wr[1].fbe == 0xc && (H.wr[1].data >> 16) == 0xb2c3,
	      "half-word store: MemWr BE 0x%x data 0x%08x", H.wr[1].fbe, H.wr[1].data);
	CHECK(H.wr[2].addr == WIN_BASE + 0x108 && H.wr[2].fbe == 0xf && H.wr[2].data == 0xd4e5f607u && !H.wr[2].wide,
	      "word store: MemWr 3DW");
	CHECK(H.wr[3].addr == WIN_BASE + 0x10c + ((uint64_t)RP_WIN_HI << 32) && H.wr[3].wide &&
	      H.wr[3].data == 0x18293a4bu, "word store above 4 GiB: MemWr 4DW at 0x%llx",
	      (unsigned long long)H.wr[3].addr);
	inbound();
	wait_phase(RP_PHASE_CPU_PATTERN);
	cpu_pattern();
	wait_phase(RP_PHASE_COHERENCE);
	coherence();
	while (!H.done && H.cycles < MAX_CYCLES)
		step(1);
	CHECK(H.done && H.code == 0, "firmware checks: exit code %u", H.code);
	printf("rp_test: %llu cycles\n", (unsigned long long)H.cycles);
	rp_link_detach(H.l);
	vtop_free(H.t);
	elf_free(&img);
	printf("%d passed, %d failed\n", passed, failed);
	return failed || !passed ? 1 : 0;	/* no check run is no pass */
}
