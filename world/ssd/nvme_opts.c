/*
 * The SSD's options, shared by every front end (vfpga-sim, --socket,
 * --cosim, the rp and DAX benches, the host tests), and its named timing
 * profiles.
 */
#include "nvme_dev.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define CLOCK_HZ 250e6				/* the card's nominal clock */
#define US(x) ((uint64_t)((x) * CLOCK_HZ / 1e6))	/* microseconds to cycles */
#define GBPS(x) ((x) * 1e9 / CLOCK_HZ)		/* GB/s to bytes per cycle */

/*
 * The figures of nvme-tlc are those of the datasheet class of PCIe Gen3 x4
 * consumer/client TLC NVMe drives with a DRAM-buffered controller (product
 * briefs and datasheets of the main vendors' 2018-2021 lines give
 * figures of these sizes; none is copied from one of them):
 *  - 4 KiB random read at QD1: about 50-60 us average latency. Media
 *    access 54 us, plus 4 KiB through the read pipe (1.3 us): 55 us.
 *  - sequential read about 3.2-3.5 GB/s, capped by the Gen3 x4 link:
 *    3.2 GB/s.
 *  - sequential write about 2-3 GB/s into the drive's fast (SLC/DRAM)
 *    buffer: the drain to the media at 2 GB/s.
 *  - writes are acknowledged from the volatile write cache (VWC present)
 *    within a few microseconds: 3 us after the data arrived.
 *  - the write cache: tens of MiB of controller buffer; 64 MiB here (when
 *    it is full a write waits for room).
 *  - FLUSH with nothing to drain still commits the controller's metadata:
 *    10 us here.
 */
const struct ssd_profile ssd_profiles[] = {
	{ .name = "ideal", .what = "zero media latency, unlimited bandwidth, no write cache" },
	{ .name = "nvme-tlc",
	  .what = "Gen3 x4 TLC: 4 KiB read 55 us at QD1, 3.2 GB/s read, write cache acks in 3 us, drains at 2 GB/s",
	  .read_latency = US(54), .read_bw = GBPS(3.2),
	  .write_latency = US(3), .write_bw = GBPS(2.0), .cache_bytes = 64u << 20,
	  .flush_latency = US(10) },
	{ .name = NULL },
};

const struct ssd_profile *ssd_profile_find(const char *name)
{
	for (const struct ssd_profile *p = ssd_profiles; p->name; p++)
		if (!strcmp(p->name, name))
			return p;
	return NULL;
}

void nvme_dev_opts_init(struct nvme_dev_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->profile = ssd_profile_find(SSD_PROFILE_DEFAULT);
	o->hang_opcode = -1;
	o->cfs_after = -1;
}

void nvme_dev_timing(const struct nvme_dev_opts *o, struct ssd_profile *t)
{
	*t = *(o->profile ? o->profile : ssd_profile_find(SSD_PROFILE_DEFAULT));
	if (o->latency_set)
		t->read_latency = t->write_latency = o->latency;
	if (o->bw_set)
		t->read_bw = t->write_bw = o->bw;
}

static void put(char *buf, size_t len, size_t *n, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void put(char *buf, size_t len, size_t *n, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (*n >= len)
		return;
	va_start(ap, fmt);
	k = vsnprintf(buf + *n, len - *n, fmt, ap);
	va_end(ap);
	if (k > 0)
		*n += (size_t)k;
}

static void put_bw(char *buf, size_t len, size_t *n, double bw)
{
	if (bw > 0)
		put(buf, len, n, "%g B/cycle", bw);
	else
		put(buf, len, n, "unlimited");
}

/* One line, also read by scripts (tests/rp/run_bench.sh): the name, what it
 * is, the overrides, then "read L cycles + BW, write ack L cycles, drain BW,
 * cache N bytes, flush L cycles". */
void nvme_dev_describe(const struct nvme_dev_opts *o, char *buf, size_t len)
{
	struct ssd_profile t;
	size_t n = 0;

	nvme_dev_timing(o, &t);
	if (len)
		buf[0] = 0;
	put(buf, len, &n, "profile %s (%s)", t.name, t.what);
	if (o->latency_set)
		put(buf, len, &n, ", --nvme-latency %llu", (unsigned long long)o->latency);
	if (o->bw_set)
		put(buf, len, &n, ", --nvme-bw %g", o->bw);
	put(buf, len, &n, ": read %llu cycles + ", (unsigned long long)t.read_latency);
	put_bw(buf, len, &n, t.read_bw);
	put(buf, len, &n, ", write ack %llu cycles, drain ", (unsigned long long)t.write_latency);
	put_bw(buf, len, &n, t.write_bw);
	put(buf, len, &n, ", cache %llu bytes, flush %llu cycles", (unsigned long long)t.cache_bytes,
	    (unsigned long long)t.flush_latency);
}

const char *nvme_dev_usage(void)
{
	return "  --image IMG          the SSD behind the card's root port: an NVMe model over this image\n"
	       "  --ssd-profile NAME   the SSD's timing: ideal (default: no media time) or nvme-tlc\n"
	       "                       (a Gen3 x4 TLC drive with a write cache); see world/ssd/nvme_dev.h\n"
	       "  --nvme-latency N     override the profile's media cycles per read / write acknowledgement\n"
	       "  --nvme-bw B          override the profile's media bytes per cycle (read and write)\n"
	       "  --nvme-fault SPEC    media:LBA:COUNT, hang:OPCODE[:COUNT], cfs:AFTER (I/O commands)\n"
	       "  --nvme-fault-api     accept the vendor fault-injection admin command (tests)\n"
	       "  --nvme-io-log FILE   log the cycle of every acknowledged write and completed FLUSH\n"
	       "  --power-cut CYCLE:SEED  stop at CYCLE and cut the power: writes not yet made durable\n"
	       "                       by a FLUSH are lost, kept or torn (512 B) and reordered by SEED\n"
	       "  --nvme-stats         print the SSD's statistics at the end\n";
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || end == s || *end ? -1 : 0;
}

static int parse_fault(struct nvme_dev_opts *o, const char *spec)
{
	char buf[128], *p, *f[4];
	unsigned n = 0;
	uint64_t a = 0, b = 0;

	if (strlen(spec) >= sizeof(buf))
		return -1;
	strcpy(buf, spec);
	for (p = strtok(buf, ":"); p && n < 4; p = strtok(NULL, ":"))
		f[n++] = p;
	if (n < 2 || parse_u64(f[1], &a) || (n > 2 && parse_u64(f[2], &b)) || n > 3)
		return -1;
	if (!strcmp(f[0], "media") && n == 3 && b) {
		o->media_lba = a;
		o->media_nlb = b;
	} else if (!strcmp(f[0], "hang") && a < 256) {
		o->hang_opcode = (int)a;
		o->hang_count = (unsigned)b;
	} else if (!strcmp(f[0], "cfs") && n == 2) {
		o->cfs_after = (long)a;
	} else {
		return -1;
	}
	return 0;
}

int nvme_dev_parse_opt(struct nvme_dev_opts *o, int argc, char **argv, int *i)
{
	const char *a = argv[*i];
	const char *v = *i + 1 < argc ? argv[*i + 1] : NULL;
	uint64_t n;

	if (!strcmp(a, "--nvme-fault-api")) {
		o->fault_api = 1;
		return 1;
	}
	if (!strcmp(a, "--nvme-stats")) {
		o->stats = 1;
		return 1;
	}
	if (strcmp(a, "--image") && strcmp(a, "--nvme-latency") && strcmp(a, "--nvme-bw") &&
	    strcmp(a, "--nvme-fault") && strcmp(a, "--ssd-profile") && strcmp(a, "--power-cut") &&
	    strcmp(a, "--nvme-io-log"))
		return 0;
	if (!v) {
		fprintf(stderr, "vfpga-sim: %s needs a value\n", a);
		return -1;
	}
	(*i)++;
	if (!strcmp(a, "--image")) {
		o->image = v;
	} else if (!strcmp(a, "--ssd-profile")) {
		const struct ssd_profile *p = ssd_profile_find(v);

		if (!p) {
			fprintf(stderr, "vfpga-sim: unknown --ssd-profile '%s'; known profiles:\n", v);
			for (p = ssd_profiles; p->name; p++)
				fprintf(stderr, "  %-10s %s\n", p->name, p->what);
			return -1;
		}
		o->profile = p;
	} else if (!strcmp(a, "--nvme-io-log")) {
		o->io_log = v;
	} else if (!strcmp(a, "--power-cut")) {
		char *end;
		unsigned long long c, sd;

		errno = 0;
		c = strtoull(v, &end, 0);
		if (errno || *end != ':' || c == 0) {
			fprintf(stderr, "vfpga-sim: bad --power-cut '%s' (CYCLE:SEED, CYCLE > 0)\n", v);
			return -1;
		}
		sd = strtoull(end + 1, &end, 0);
		if (errno || *end) {
			fprintf(stderr, "vfpga-sim: bad --power-cut '%s' (CYCLE:SEED)\n", v);
			return -1;
		}
		o->cut_cycle = c;
		o->cut_seed = sd;
	} else if (!strcmp(a, "--nvme-latency")) {
		if (parse_u64(v, &n)) {
			fprintf(stderr, "vfpga-sim: bad --nvme-latency '%s'\n", v);
			return -1;
		}
		o->latency = n;
		o->latency_set = 1;
	} else if (!strcmp(a, "--nvme-bw")) {
		char *end;

		o->bw = strtod(v, &end);
		if (end == v || *end || !(o->bw >= 0)) {
			fprintf(stderr, "vfpga-sim: bad --nvme-bw '%s'\n", v);
			return -1;
		}
		o->bw_set = 1;
	} else if (parse_fault(o, v)) {
		fprintf(stderr, "vfpga-sim: bad --nvme-fault '%s' (media:LBA:COUNT, hang:OPCODE[:COUNT], cfs:N)\n", v);
		return -1;
	}
	return 1;
}
