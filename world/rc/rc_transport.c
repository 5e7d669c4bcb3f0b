#include "rc_transport.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rc.h"
#include "sim_strap.h"

#define SIM_IOVA_BASE 0x400000000ull	/* where DMA memory appears to the card */
#define CYCLES_PER_MS 250000ull		/* the nominal 250 MHz */
#define TIME_SYNC_MS 10			/* the card's clock follows the host's this closely */

struct sim {
	struct vfs_transport t;
	struct rc *rc;
	struct rc_bar bars[6];
	int enumerated;
	uint64_t next_iova;
	unsigned msi_seen;
};

static struct sim *sim_of(struct vfs_transport *t) { return t->priv; }

/* Configuration reads of 1, 2 or 4 bytes, or whole DWs (one request each). */
static int sim_cfg_read(struct vfs_transport *t, uint16_t off, void *buf, size_t len)
{
	uint8_t *b = buf;

	if (len > 4 && (len % 4 || off % 4))
		return -EINVAL;
	while (len) {
		size_t n = len > 4 ? 4 : len;
		uint32_t v = 0;
		int ret = rc_cfg_read(sim_of(t)->rc, off, (unsigned)n, &v);

		if (ret)
			return ret;
		memcpy(b, &v, n);
		b += n;
		off = (uint16_t)(off + n);
		len -= n;
	}
	return 0;
}

static int sim_cfg_write(struct vfs_transport *t, uint16_t off, const void *buf, size_t len)
{
	uint32_t v = 0;

	memcpy(&v, buf, len);
	return rc_cfg_write(sim_of(t)->rc, off, (unsigned)len, v);
}

static int sim_bar_read(struct vfs_transport *t, int bar, uint64_t off, void *buf, size_t len)
{
	struct sim *s = sim_of(t);
	uint64_t v = 0;
	int ret;

	if (bar < 0 || bar > 5 || !s->bars[bar].size || off + len > s->bars[bar].size)
		return -EINVAL;
	ret = rc_mem_read(s->rc, s->bars[bar].base + off, (unsigned)len, &v);
	if (!ret)
		memcpy(buf, &v, len);
	return ret;
}

static int sim_bar_write(struct vfs_transport *t, int bar, uint64_t off, const void *buf, size_t len)
{
	struct sim *s = sim_of(t);
	uint64_t v = 0;

	if (bar < 0 || bar > 5 || !s->bars[bar].size || off + len > s->bars[bar].size)
		return -EINVAL;
	memcpy(&v, buf, len);
	return rc_mem_write(s->rc, s->bars[bar].base + off, (unsigned)len, v);
}

static void *sim_dma_alloc(struct vfs_transport *t, size_t len, uint64_t *iova)
{
	struct sim *s = sim_of(t);
	size_t rounded = (len + 4095) & ~(size_t)4095;
	void *p = aligned_alloc(4096, rounded);

	if (!p)
		return NULL;
	memset(p, 0, rounded);
	if (rc_host_map(s->rc, s->next_iova, p, rounded)) {
		free(p);
		return NULL;
	}
	*iova = s->next_iova;
	s->next_iova += rounded + 4096;		/* a guard page between buffers */
	return p;
}

static void sim_dma_free(struct vfs_transport *t, void *p, size_t len)
{
	(void)t;
	(void)len;
	/* The mapping stays (the card may still be told about it until reset);
	 * only the memory of a closed transport is given back. */
	(void)p;
}

/* Waits for an MSI-X message of `vector`, as the card's table says it looks. */
static int sim_wait_irq(struct vfs_transport *t, int vector, int timeout_ms)
{
	struct sim *s = sim_of(t);
	uint64_t addr_lo = 0, data = 0, start = rc_cycles(s->rc);
	uint64_t limit = (uint64_t)timeout_ms * CYCLES_PER_MS;

	if (rc_mem_read(s->rc, s->bars[0].base + 0x4000 + 16 * (unsigned)vector, 4, &addr_lo) ||
	    rc_mem_read(s->rc, s->bars[0].base + 0x4000 + 16 * (unsigned)vector + 8, 4, &data))
		return -EIO;
	for (;;) {
		while (s->msi_seen < rc_msi_count(s->rc)) {
			const struct rc_msi *m = rc_msi_get(s->rc, s->msi_seen++);

			if (m && m->data == (uint32_t)data && (uint32_t)m->addr == (uint32_t)addr_lo)
				return 0;
		}
		if (rc_cycles(s->rc) - start >= limit)
			return -ETIMEDOUT;
		/* while the card works, its clock follows the host's */
		rc_time_sync(s->rc, TIME_SYNC_MS);
		rc_step(s->rc, 64);
	}
}

static int sim_enumerate(struct vfs_transport *t)
{
	struct sim *s = sim_of(t);
	int ret;

	if (s->enumerated)
		return 0;
	ret = rc_enumerate(s->rc, s->bars);
	if (!ret)
		s->enumerated = 1;
	return ret;
}

static void sim_close(struct vfs_transport *t)
{
	struct sim *s = sim_of(t);

	rc_close(s->rc);
	free(s);
}

static unsigned long long sim_cycles(struct vfs_transport *t)
{
	return rc_cycles(sim_of(t)->rc);
}

static const struct vfs_transport_ops sim_ops = {
	.cfg_read = sim_cfg_read,
	.cfg_write = sim_cfg_write,
	.bar_read = sim_bar_read,
	.bar_write = sim_bar_write,
	.dma_alloc = sim_dma_alloc,
	.dma_free = sim_dma_free,
	.wait_irq = sim_wait_irq,
	.enumerate = sim_enumerate,
	.close = sim_close,
	.cycles = sim_cycles,
};

struct vfs_transport *vfs_transport_sim_open(const char *firmware, FILE *console,
					     char *err, size_t errlen)
{
	struct rc_opts o = { 0 };
	struct sim *s = calloc(1, sizeof(*s));

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	o.firmware = firmware;
	o.console = console;
	s->rc = rc_open(&o, err, errlen);
	if (!s->rc) {
		free(s);
		return NULL;
	}
	/* Let the firmware boot before the host looks at the card. */
	rc_step(s->rc, 20000);
	s->next_iova = SIM_IOVA_BASE;
	s->t.ops = &sim_ops;
	s->t.priv = s;
	return &s->t;
}

/* The card with its strap set for a host load (docs/fw-load.md): no
 * firmware, the core held until the host loads one through BAR0. */
static struct vfs_transport *sim_open_load(const char *arg, FILE *console, char *err, size_t errlen)
{
	struct vfs_transport *t;

	(void)arg;
	sim_strap_set(1);
	t = vfs_transport_sim_open(NULL, console, err, errlen);
	sim_strap_set(0);
	return t;
}

/* vfsctl --sim finds the transport by name: the driver never names it. */
__attribute__((constructor)) static void sim_register(void)
{
	vfs_transport_register("sim", vfs_transport_sim_open);
	vfs_transport_register("sim-load", sim_open_load);
}

struct rc *vfs_transport_sim_rc(struct vfs_transport *t)
{
	return sim_of(t)->rc;
}
