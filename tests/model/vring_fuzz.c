/*
 * vring_fuzz: vfpga-model's split-ring walker (model/vhost/vring.c) against
 * random chains, legal and malformed (tests/include/chain_gen.h), in
 * process: no socket, guest memory is a buffer of ours mapped as one region.
 *
 * Each chain ends in one of the walker's outcomes: served (the test plays the
 * server: the gathered bytes must be the request, a reply scattered into the
 * writable pieces must land there in order), dropped (completed with length
 * 0) or the ring marked broken (set up again). A legal chain must be served;
 * a chain breaking a rule the device can see must not be; no byte outside
 * what a descriptor marked writable (and the used ring) may change, and a
 * chain not served may change none. Half the chains run with
 * VIRTIO_RING_F_INDIRECT_DESC negotiated, half without.
 *
 *   vring_fuzz [CHAINS [SEED]]     (default 1000000, seed 1)
 *
 * Prints the outcome per rule; fails below a coverage floor (every rule
 * generated, every outcome seen).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain_gen.h"
#include "figures.h"
#include "vring.h"

#define GPA	0x10000ull
#define MEM	0x4000u
#define QSIZE	16u
#define DESC	(GPA + 0x0000)
#define AVAIL	(GPA + 0x0400)
#define USED	(GPA + 0x0800)
#define IND	(GPA + 0x1000)
#define BUF	(GPA + 0x1800)
#define USED_LEN	(4u + 8u * QSIZE + 2u)

static uint8_t mem[MEM], before[MEM];

static void mem_write(void *ctx, uint64_t addr, const void *p, size_t len)
{
	(void)ctx;
	if (addr >= GPA && addr - GPA <= MEM && len <= MEM - (addr - GPA))
		memcpy(mem + (addr - GPA), p, len);
}

static uint8_t *at(uint64_t gpa) { return mem + (gpa - GPA); }

static void ring_reset(struct vu_dev *d, uint16_t *avail_idx)
{
	struct vu_vring *vq = &d->vq[0];

	memset(mem, 0, 0x1000);
	vq->last_avail = vq->used_idx = vq->signalled_used = 0;
	vq->signalled_valid = 0;
	vq->broken = 0;
	*avail_idx = 0;
}

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 0) : 1000000ul;
	struct cg_rng rng = { argc > 2 ? strtoull(argv[2], NULL, 0) : 1 };
	static struct vu_dev dev;
	static struct vring_chain ch;
	struct vu_dev *d = &dev;
	struct vu_vring *vq = &d->vq[0];
	unsigned long made[CG_RULES] = { 0 }, served[CG_RULES] = { 0 }, dropped[CG_RULES] = { 0 },
		      broken[CG_RULES] = { 0 }, bytes_checked = 0;
	unsigned long failures = 0;
	uint16_t avail_idx = 0;
	struct cg_layout L = { .desc = DESC, .avail = AVAIL, .ind = IND, .buf = BUF, .buf_len = GPA + MEM - BUF,
			       .guest_end = GPA + MEM, .qsize = QSIZE, .write = mem_write };

	if (!n || rng.s == 0) {
		printf("usage: vring_fuzz [CHAINS [SEED]] (both non-zero)\n");
		return 2;
	}
	/* The walker says on stderr what it refused, a million times: quiet. */
	if (!freopen("/dev/null", "w", stderr))
		return 2;
	d->name = "vring_fuzz";
	d->nregions = 1;
	d->regions[0] = (struct vu_region){ .gpa = GPA, .size = MEM, .uva = GPA, .host = mem };
	vq->num = QSIZE;
	vq->desc = (struct vring_desc *)at(DESC);
	vq->avail = (struct vring_avail *)at(AVAIL);
	vq->used = (struct vring_used *)at(USED);
	vq->call_fd = vq->kick_fd = vq->err_fd = -1;
	ring_reset(d, &avail_idx);

	for (unsigned long t = 0; t < n; t++) {
		uint8_t req[200], reply[4096], got[4096];
		uint32_t reqlen = 3 + cg_rnd(&rng) % (sizeof(req) - 3), min_reply = 1 + cg_rnd(&rng) % 64;
		struct cg_chain c;
		const char *why = NULL;
		int r;

		L.indirect_ok = (t / 1000) % 2 == 0;
		d->acked = L.indirect_ok ? 1ull << VIRTIO_RING_F_INDIRECT_DESC : 0;
		for (uint32_t i = 0; i < reqlen; i++)
			req[i] = (uint8_t)cg_rnd(&rng);
		cg_make(&L, &rng, req, reqlen, min_reply, CG_RULES, &c);
		made[c.rule]++;
		memcpy(at(AVAIL + 4 + 2 * (avail_idx % QSIZE)), &c.head, 2);
		avail_idx = (uint16_t)(avail_idx + c.idx_step);
		memcpy(at(AVAIL + 2), &avail_idx, 2);
		memcpy(before, mem, MEM);

		r = vring_pop(d, 0, &ch);
		if (r == 1) {
			size_t want = ch.out_bytes < sizeof(reply) ? (size_t)ch.out_bytes : sizeof(reply);
			size_t k = 0;

			served[c.rule]++;
			if (c.expect == CG_REFUSE)
				why = "a chain breaking a rule was served";
			else if (ch.in_bytes != reqlen || vring_gather(&ch, got, sizeof(got)) != reqlen ||
				 memcmp(got, req, reqlen))
				why = "the gathered bytes are not the request";
			for (size_t i = 0; i < want; i++)
				reply[i] = (uint8_t)cg_rnd(&rng);
			if (!why && vring_scatter(&ch, reply, want) != want)
				why = "the reply did not fit the writable bytes the walker counted";
			/* the reply, read back from the writable pieces in order */
			for (unsigned i = 0; i < c.nwr && k < want && !why; i++) {
				size_t m = c.wr[i].len < want - k ? c.wr[i].len : want - k;

				if (memcmp(at(c.wr[i].addr), reply + k, m))
					why = "the reply is not where the writable pieces are";
				k += m;
				bytes_checked += m;
			}
			vring_push(d, 0, ch.head, (uint32_t)want);
		} else if (r == -EINVAL) {
			dropped[c.rule]++;
			if (c.expect == CG_SERVE)
				why = "a legal chain was dropped";
			vring_push(d, 0, ch.head, 0);
		} else if (r == -EIO) {
			broken[c.rule]++;
			if (c.expect == CG_SERVE)
				why = "a legal chain broke the ring";
		} else {
			why = "nothing popped after a publish";
		}
		/* Bytes outside the used ring: changed only where writable, and
		 * only by a served chain. */
		for (uint32_t i = 0; i < MEM && !why; i++) {
			uint64_t a = GPA + i;

			if (mem[i] == before[i] || (a >= USED && a < USED + USED_LEN))
				continue;
			if (r != 1)
				why = "a chain not served changed guest memory";
			else if (!cg_writable(&c, a))
				why = "a byte no descriptor made writable changed";
		}
		if (why) {
			if (failures++ < 10)
				printf("FAIL chain %lu (rule: %s, seed %llu): %s\n", t, cg_rule_name[c.rule],
					(unsigned long long)(argc > 2 ? strtoull(argv[2], NULL, 0) : 1), why);
		}
		if (r == -EIO || vq->broken)
			ring_reset(d, &avail_idx);
	}

	printf("| rule | chains | served | dropped | ring broken |\n|---|---:|---:|---:|---:|\n");
	for (int k = 0; k < CG_RULES; k++)
		printf("| %s | %lu | %lu | %lu | %lu |\n", cg_rule_name[k], made[k], served[k], dropped[k], broken[k]);
	printf("vring_fuzz: %lu chains, %lu reply bytes checked in place, %lu failures\n", n, bytes_checked, failures);
	/* Coverage floor: every rule generated, and (for a run of any size)
	 * legal chains served and malformed ones refused both ways. */
	{
		unsigned long sd = 0, dr = 0, br = 0;

		for (int k = 0; k < CG_RULES; k++) {
			sd += served[k];
			dr += dropped[k];
			br += broken[k];
			if (n >= 10000 && made[k] < n / 80) {
				printf("FAIL coverage: rule '%s' generated %lu times\n", cg_rule_name[k], made[k]);
				failures++;
			}
		}
		if (!sd || !dr || !br) {
			printf("FAIL coverage: served %lu, dropped %lu, broken %lu\n", sd, dr, br);
			failures++;
		}
		{
			char cases[128];

			snprintf(cases, sizeof(cases), "%lu random chains, %d rules (%lu served, %lu dropped, %lu broke the ring)",
				 n, CG_RULES, sd, dr, br);
			figures_row("chains-model", !failures, "Malformed virtqueue chains: vfpga-model's walker (test-vring-fuzz)",
				    cases, "every reply byte in place (%lu), no write outside a writable buffer", bytes_checked);
		}
	}
	return failures ? 1 : 0;
}
