#include "nvme_model.h"

#include <stdlib.h>
#include <string.h>

#define REG_CAP 0x00
#define REG_VS 0x08
#define REG_CC 0x14
#define REG_CSTS 0x1c
#define REG_AQA 0x24
#define REG_ASQ 0x28
#define REG_ACQ 0x30
#define LBA 512u
#define PAGE 4096u
#define MAX_ENTRIES 64u

static uint32_t r32(struct nvme_model *m, unsigned off)
{
	return __atomic_load_n((uint32_t *)(m->bar + off), __ATOMIC_ACQUIRE);
}

static void w32(struct nvme_model *m, unsigned off, uint32_t v)
{
	__atomic_store_n((uint32_t *)(m->bar + off), v, __ATOMIC_RELEASE);
}

static uint64_t r64(struct nvme_model *m, unsigned off)
{
	return r32(m, off) | (uint64_t)r32(m, off + 4) << 32;
}

static void *host(uint64_t a) { return (void *)(uintptr_t)a; }

/* Copies between the namespace and a PRP-described host buffer. */
static void prp_copy(uint64_t prp1, uint64_t prp2, uint8_t *media, uint32_t bytes, int to_host)
{
	uint32_t first = PAGE - (uint32_t)(prp1 % PAGE), done = 0, k = 0;
	const uint64_t *list = NULL;

	if (first > bytes)
		first = bytes;
	if (bytes - first > PAGE)
		list = host(prp2);
	while (done < bytes) {
		uint64_t a;
		uint32_t n;

		if (done == 0) {
			a = prp1;
			n = first;
		} else {
			a = list ? list[k++] : prp2;
			n = bytes - done < PAGE ? bytes - done : PAGE;
		}
		if (to_host)
			memcpy(host(a), media + done, n);
		else
			memcpy(media + done, host(a), n);
		done += n;
	}
}

static void post(struct nvme_model *m, unsigned sqid, uint16_t cid, uint16_t sf, uint32_t dw0)
{
	struct nvme_model_q *sq = &m->sq[sqid], *cq = &m->cq[sq->cqid];
	uint32_t *e = (uint32_t *)host(cq->base) + 4u * cq->tail;

	e[0] = dw0;
	e[1] = 0;
	e[2] = (uint32_t)sqid << 16 | sq->head;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	/* cid and status (with the phase tag) last: this publishes the entry */
	__atomic_store_n(&e[3], (uint32_t)cid | (uint32_t)((sf << 1) | cq->phase) << 16, __ATOMIC_RELEASE);
	if (++cq->tail == cq->size) {
		cq->tail = 0;
		cq->phase ^= 1;
	}
}

static void identify(struct nvme_model *m, const uint32_t *c)
{
	uint8_t *d = host(*(const uint64_t *)(c + 6));

	memset(d, 0, PAGE);
	if ((c[10] & 0xff) == 1) {
		memcpy(d + 4, "MODEL-0001          ", 20);
		memcpy(d + 24, "vfpga NVMe model                        ", 40);
		d[77] = 5;		/* MDTS: 128 KiB */
	} else {
		memcpy(d, &m->nblocks, 8);		/* NSZE */
		memcpy(d + 8, &m->nblocks, 8);		/* NCAP */
		d[26] = 0;				/* FLBAS: format 0 */
		d[33] = 1;				/* DLFEAT: deallocated blocks read zeros */
		d[128 + 2] = 9;				/* LBAF0: 512-byte blocks */
	}
}

/* Runs one command; returns the status field (0 ok), or -1: no completion. */
static int execute(struct nvme_model *m, unsigned sqid, const uint32_t *c, uint32_t *dw0)
{
	uint8_t op = (uint8_t)c[0];
	uint64_t lba = c[10] | (uint64_t)c[11] << 32;
	uint32_t nlb = (c[12] & 0xffff) + 1;

	*dw0 = 0;
	if (sqid == 0) {
		switch (op) {
		case 0x06: identify(m, c); return 0;
		case 0x09: *dw0 = 3u << 16 | 3u; return 0;	/* 4 SQs and 4 CQs */
		case 0x05: {				/* create CQ */
			unsigned q = c[10] & 0xffff, n = (c[10] >> 16) + 1;

			if (!q || q >= NVME_MODEL_QUEUES || n > MAX_ENTRIES)
				return 0x101;		/* invalid queue identifier */
			m->cq[q] = (struct nvme_model_q){ .base = *(const uint64_t *)(c + 6), .size = (uint16_t)n,
							  .phase = 1, .valid = 1 };
			return 0;
		}
		case 0x01: {				/* create SQ */
			unsigned q = c[10] & 0xffff, n = (c[10] >> 16) + 1, cq = c[11] >> 16;

			if (!q || q >= NVME_MODEL_QUEUES || n > MAX_ENTRIES || cq >= NVME_MODEL_QUEUES ||
			    !m->cq[cq].valid)
				return 0x101;
			m->sq[q] = (struct nvme_model_q){ .base = *(const uint64_t *)(c + 6), .size = (uint16_t)n,
							  .cqid = (uint16_t)cq, .valid = 1 };
			return 0;
		}
		default:
			return 0x001;			/* invalid opcode */
		}
	}
	if (op == m->hang_opcode)
		return -1;
	switch (op) {
	case 0x00:
		return 0;				/* flush: nothing is volatile here */
	case 0x01:
	case 0x02:
	case 0x08:
		if (lba >= m->nblocks || nlb > m->nblocks - lba)
			return 0x080;			/* LBA out of range */
		if (op == 0x02 && m->media_err_len && lba < m->media_err_lba + m->media_err_len &&
		    m->media_err_lba < lba + nlb)
			return 0x281;			/* media error: unrecovered read */
		if (op == 0x08)
			memset(m->media + lba * LBA, 0, (size_t)nlb * LBA);
		else
			prp_copy(*(const uint64_t *)(c + 6), *(const uint64_t *)(c + 8), m->media + lba * LBA,
				 nlb * LBA, op == 0x02);
		return 0;
	case 0x09: {					/* dataset management */
		const uint32_t *r = host(*(const uint64_t *)(c + 6));

		for (unsigned i = 0; i <= (c[10] & 0xff); i++, r += 4) {
			uint64_t s = r[2] | (uint64_t)r[3] << 32;

			if (s >= m->nblocks || r[1] > m->nblocks - s)
				return 0x080;
			if (c[11] & 4)
				memset(m->media + s * LBA, 0, (size_t)r[1] * LBA);
		}
		return 0;
	}
	default:
		return 0x001;
	}
}

static void *run(void *arg)
{
	struct nvme_model *m = arg;

	while (!m->stop) {
		uint32_t cc = r32(m, REG_CC), csts = r32(m, REG_CSTS);

		if (m->fatal_now && !(csts & 2)) {
			w32(m, REG_CSTS, csts | 2);		/* CFS */
			continue;
		}
		if (csts & 2) {
			/* Fatal until the host resets the controller (CC.EN 0). */
			if (!(cc & 1) && !m->fatal_now) {
				m->enabled = 0;
				memset(m->bar + 0x1000, 0, NVME_MODEL_BAR - 0x1000);
				w32(m, REG_CSTS, 0);
			}
			continue;
		}
		if ((cc & 1) && !m->enabled) {
			uint32_t aqa = r32(m, REG_AQA);

			memset(m->sq, 0, sizeof(m->sq));
			memset(m->cq, 0, sizeof(m->cq));
			m->sq[0] = (struct nvme_model_q){ .base = r64(m, REG_ASQ), .size = (uint16_t)((aqa & 0xfff) + 1),
							  .valid = 1 };
			m->cq[0] = (struct nvme_model_q){ .base = r64(m, REG_ACQ),
							  .size = (uint16_t)(((aqa >> 16) & 0xfff) + 1), .phase = 1,
							  .valid = 1 };
			m->enabled = 1;
			w32(m, REG_CSTS, 1);			/* RDY */
		} else if (!(cc & 1) && m->enabled) {
			m->enabled = 0;
			memset(m->bar + 0x1000, 0, NVME_MODEL_BAR - 0x1000);	/* doorbells reset too */
			w32(m, REG_CSTS, 0);
		}
		if (((cc >> 14) & 3) && !((csts >> 2) & 3))
			w32(m, REG_CSTS, (csts & ~0xcu) | (2u << 2));	/* shutdown complete */
		if (!m->enabled)
			continue;
		for (unsigned q = 0; q < NVME_MODEL_QUEUES; q++) {
			struct nvme_model_q *sq = &m->sq[q];

			if (!sq->valid)
				continue;
			sq->tail = (uint16_t)r32(m, 0x1000 + 8 * q);
			while (sq->head != sq->tail && sq->head < sq->size) {
				const uint32_t *c = (const uint32_t *)host(sq->base) + 16u * sq->head;
				uint32_t dw0;
				int st;

				__atomic_thread_fence(__ATOMIC_ACQUIRE);
				st = execute(m, q, c, &dw0);
				sq->head = (uint16_t)((sq->head + 1) % sq->size);
				m->commands++;
				if (st >= 0)
					post(m, q, (uint16_t)(c[0] >> 16), (uint16_t)st, dw0);
			}
		}
	}
	return NULL;
}

int nvme_model_start(struct nvme_model *m, uint64_t nblocks)
{
	uint64_t cap = 63u | 1u << 16 | 1u << 24 | 1ull << 37;	/* MQES 63, CQR, TO 500 ms, NVM */

	memset(m, 0, sizeof(*m));
	m->hang_opcode = -1;
	m->nblocks = nblocks;
	m->media = calloc(nblocks, LBA);
	if (!m->media)
		return -1;
	memcpy(m->bar + REG_CAP, &cap, 8);
	w32(m, REG_VS, 0x00010400);
	if (pthread_create(&m->thread, NULL, run, m)) {
		free(m->media);
		return -1;
	}
	return 0;
}

void nvme_model_stop(struct nvme_model *m)
{
	m->stop = 1;
	pthread_join(m->thread, NULL);
	free(m->media);
	m->media = NULL;
}
