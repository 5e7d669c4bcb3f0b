/* Power-cut model of a volatile write cache (vcache.h). */
#include "vcache.h"

#include <string.h>

/* Does a FUA write after w[i] cover sector s? Then w[i] cannot be what s holds. */
static int fua_later(const struct vcache_write *w, unsigned n, unsigned i, uint64_t s)
{
	for (unsigned j = i + 1; j < n; j++)
		if (w[j].fua && s >= w[j].sector && s < w[j].sector + w[j].count)
			return 1;
	return 0;
}

uint64_t vcache_resolve(uint8_t *media, uint64_t media_sectors, const struct vcache_write *w, unsigned n,
			uint64_t seed, unsigned *scratch, struct vcache_stats *st)
{
	uint64_t rs = seed, dropped = 0;
	unsigned nland = 0;
	int moved = 0;

	for (unsigned i = 0; i < n; i++) {
		unsigned fate = w[i].fua ? 1 : (unsigned)(vcache_rand(&rs) % 3);	/* 0 lost, 1 kept, 2 torn */

		if (fate == 2 && w[i].count < 2)
			fate = (unsigned)(vcache_rand(&rs) & 1);
		if (st) {
			st->writes++;
			if (fate == 0)
				st->lost++;
			else if (fate == 1)
				st->kept++;
			else
				st->torn++;
		}
		if (fate == 0) {
			dropped += w[i].count;
			continue;
		}
		/* low bits: the fate; the rest: a per-write seed for the torn sectors */
		scratch[nland++] = i;
		if (fate == 2)
			scratch[nland - 1] |= 0x80000000u;
	}
	/* the survivors land in a random order (Fisher-Yates) */
	for (unsigned k = nland; k > 1; k--) {
		unsigned j = (unsigned)(vcache_rand(&rs) % k), t = scratch[k - 1];

		scratch[k - 1] = scratch[j];
		scratch[j] = t;
	}
	for (unsigned k = 0; k < nland; k++) {
		unsigned i = scratch[k] & 0x7fffffffu;
		int torn = (scratch[k] & 0x80000000u) != 0;
		const struct vcache_write *x = &w[i];
		uint64_t ts = vcache_rand(&rs);
		uint32_t keep_one = (uint32_t)(ts % x->count), drop_one = (uint32_t)((ts >> 32) % x->count);

		if (k && (scratch[k - 1] & 0x7fffffffu) > i)
			moved = 1;
		if (x->sector > media_sectors || x->count > media_sectors - x->sector)
			continue;
		if (torn && keep_one == drop_one)
			drop_one = (drop_one + 1) % x->count;
		for (uint32_t s = 0; s < x->count; s++) {
			/* a torn write keeps a random subset: at least one sector, never all */
			if (torn && s != keep_one && (s == drop_one || (vcache_rand(&rs) & 1))) {
				dropped++;
				continue;
			}
			if (fua_later(w, n, i, x->sector + s))
				continue;
			memcpy(media + (x->sector + s) * VCACHE_SECTOR, x->data + (uint64_t)s * VCACHE_SECTOR,
			       VCACHE_SECTOR);
		}
	}
	if (st && moved)
		st->reordered++;
	return dropped;
}
