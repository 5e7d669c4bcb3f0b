/*
 * Power-cut model of a drive's volatile write cache.
 *
 * A drive that reports a volatile write cache may acknowledge a write
 * before it is on the media. Until a FLUSH completes, each acknowledged
 * write may, at a power cut, be lost, land whole, or land torn (some of its
 * 512-byte sectors and not others), and the ones that land may land in any
 * order. A completed FLUSH makes everything acknowledged before it durable;
 * a write with FUA is durable when it completes.
 *
 * vcache_resolve() turns one set of cached writes into the media a cut
 * leaves, from a seed, so that a failing cut is reproduced by its seed. It
 * is shared by the SSD model (nvme_core.c) and the host crash campaigns
 * (tests/crash), which cut a recorded write stream.
 */
#ifndef VCACHE_H
#define VCACHE_H

#include <stdint.h>

#define VCACHE_SECTOR 512u

/* One acknowledged write not yet made durable by a FLUSH. */
struct vcache_write {
	uint64_t sector;
	uint32_t count;		/* sectors */
	const uint8_t *data;	/* count * 512 bytes */
	int fua;		/* durable on completion: lands whole, never under an older write */
};

/* What a resolution did (added to, so one struct can sum many cuts). */
struct vcache_stats {
	uint64_t writes;	/* cached writes seen */
	uint64_t lost;		/* dropped whole */
	uint64_t kept;		/* landed whole */
	uint64_t torn;		/* landed in part */
	uint64_t reordered;	/* resolutions whose landing order differs from the issue order */
};

/*
 * Lands the cached writes w[0..n) (oldest first) on media, which holds the
 * durable state (what the last completed FLUSH left, plus FUA writes).
 * Each write is lost, kept or torn by a generator seeded with seed; the
 * survivors land in a random order. A sector a later FUA write covers
 * keeps that write's data or a newer one's. scratch: n unsigned ints.
 * Returns the number of sectors whose result differs from landing every
 * write in order (0: the cut changed nothing the in-order prefix would).
 */
uint64_t vcache_resolve(uint8_t *media, uint64_t media_sectors, const struct vcache_write *w, unsigned n,
			uint64_t seed, unsigned *scratch, struct vcache_stats *st);

/* The generator: splitmix64 (a state word advanced per draw). */
static inline uint64_t vcache_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

#endif /* VCACHE_H */
