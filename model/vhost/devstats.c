/* Device-side figures: see devstats.h. */
#include "devstats.h"

#include <errno.h>
#include <string.h>

#include <linux/fuse.h>

const char *fuse_opcode_name(uint32_t opcode)
{
	static const char *const names[] = {
		[FUSE_LOOKUP] = "LOOKUP", [FUSE_FORGET] = "FORGET", [FUSE_GETATTR] = "GETATTR",
		[FUSE_SETATTR] = "SETATTR", [FUSE_READLINK] = "READLINK", [FUSE_SYMLINK] = "SYMLINK",
		[FUSE_MKNOD] = "MKNOD", [FUSE_MKDIR] = "MKDIR", [FUSE_UNLINK] = "UNLINK",
		[FUSE_RMDIR] = "RMDIR", [FUSE_RENAME] = "RENAME", [FUSE_LINK] = "LINK",
		[FUSE_OPEN] = "OPEN", [FUSE_READ] = "READ", [FUSE_WRITE] = "WRITE",
		[FUSE_STATFS] = "STATFS", [FUSE_RELEASE] = "RELEASE", [FUSE_FSYNC] = "FSYNC",
		[FUSE_SETXATTR] = "SETXATTR", [FUSE_GETXATTR] = "GETXATTR",
		[FUSE_LISTXATTR] = "LISTXATTR", [FUSE_REMOVEXATTR] = "REMOVEXATTR",
		[FUSE_FLUSH] = "FLUSH", [FUSE_INIT] = "INIT", [FUSE_OPENDIR] = "OPENDIR",
		[FUSE_READDIR] = "READDIR", [FUSE_RELEASEDIR] = "RELEASEDIR",
		[FUSE_FSYNCDIR] = "FSYNCDIR", [FUSE_GETLK] = "GETLK", [FUSE_SETLK] = "SETLK",
		[FUSE_SETLKW] = "SETLKW", [FUSE_ACCESS] = "ACCESS", [FUSE_CREATE] = "CREATE",
		[FUSE_INTERRUPT] = "INTERRUPT", [FUSE_BMAP] = "BMAP", [FUSE_DESTROY] = "DESTROY",
		[FUSE_IOCTL] = "IOCTL", [FUSE_POLL] = "POLL", [FUSE_NOTIFY_REPLY] = "NOTIFY_REPLY",
		[FUSE_BATCH_FORGET] = "BATCH_FORGET", [FUSE_FALLOCATE] = "FALLOCATE",
		[FUSE_READDIRPLUS] = "READDIRPLUS", [FUSE_RENAME2] = "RENAME2",
		[FUSE_LSEEK] = "LSEEK", [FUSE_COPY_FILE_RANGE] = "COPY_FILE_RANGE",
		[FUSE_SETUPMAPPING] = "SETUPMAPPING", [FUSE_REMOVEMAPPING] = "REMOVEMAPPING",
		[FUSE_SYNCFS] = "SYNCFS", [FUSE_TMPFILE] = "TMPFILE",
	};

	if (opcode < sizeof(names) / sizeof(names[0]) && names[opcode])
		return names[opcode];
	return "other";
}

static unsigned bucket(uint64_t cycles)
{
	unsigned b = 0;

	while (cycles > 1 && b + 1 < DEVSTATS_BUCKETS) {
		cycles >>= 1;
		b++;
	}
	return b;
}

void devstats_request(struct devstats *s, uint32_t opcode, uint64_t cycles)
{
	struct devstats_op *o = &s->op[opcode < DEVSTATS_OPCODES &&
				       strcmp(fuse_opcode_name(opcode), "other") ? opcode : DEVSTATS_OPCODES];

	o->count++;
	if (!s->timed)
		return;
	o->cycles_sum += cycles;
	if (o->count == 1 || cycles < o->cycles_min)
		o->cycles_min = cycles;
	if (cycles > o->cycles_max)
		o->cycles_max = cycles;
	o->hist[bucket(cycles)]++;
	s->hist[bucket(cycles)]++;
}

void devstats_occupancy(struct devstats *s, unsigned q, uint32_t outstanding)
{
	if (q >= DEVSTATS_QUEUES)
		return;
	s->occ_samples[q]++;
	s->occ_sum[q] += outstanding;
	if (outstanding > s->occ_max[q])
		s->occ_max[q] = outstanding;
}

static void write_hist(FILE *f, const uint64_t *h)
{
	int first = 1;

	fputc('{', f);
	for (unsigned b = 0; b < DEVSTATS_BUCKETS; b++)
		if (h[b]) {
			fprintf(f, "%s\"%llu\": %llu", first ? "" : ", ", 1ull << b, (unsigned long long)h[b]);
			first = 0;
		}
	fputc('}', f);
}

int devstats_write_json(const struct devstats *s, const char *path, const char *extra)
{
	FILE *f = fopen(path, "w");
	uint64_t total = 0;
	int first = 1;

	if (!f)
		return -errno;
	for (unsigned i = 0; i <= DEVSTATS_OPCODES; i++)
		total += s->op[i].count;
	fprintf(f, "{\n%s  \"requests\": %llu,\n  \"timed\": %s,\n", extra ? extra : "",
		(unsigned long long)total, s->timed ? "true" : "false");
	fprintf(f, "  \"bytes_to_card\": %llu,\n  \"bytes_to_host\": %llu,\n",
		(unsigned long long)s->bytes_to_card, (unsigned long long)s->bytes_to_host);
	fprintf(f, "  \"by_opcode\": {");
	for (unsigned i = 0; i <= DEVSTATS_OPCODES; i++) {
		const struct devstats_op *o = &s->op[i];

		if (!o->count)
			continue;
		fprintf(f, "%s\n    \"%s\": {\"count\": %llu", first ? "" : ",",
			i == DEVSTATS_OPCODES ? "other" : fuse_opcode_name(i), (unsigned long long)o->count);
		if (s->timed) {
			fprintf(f, ", \"cycles_mean\": %llu, \"cycles_min\": %llu, \"cycles_max\": %llu, \"hist\": ",
				(unsigned long long)(o->cycles_sum / o->count),
				(unsigned long long)o->cycles_min, (unsigned long long)o->cycles_max);
			write_hist(f, o->hist);
		}
		fputc('}', f);
		first = 0;
	}
	fprintf(f, "\n  },\n  \"cycles_hist\": ");
	write_hist(f, s->hist);
	fprintf(f, ",\n  \"queues\": {");
	first = 1;
	for (unsigned q = 0; q < DEVSTATS_QUEUES; q++)
		if (s->occ_samples[q]) {
			fprintf(f, "%s\n    \"%u\": {\"occupancy_max\": %u, \"occupancy_mean\": %.3f}",
				first ? "" : ",", q, s->occ_max[q],
				(double)s->occ_sum[q] / (double)s->occ_samples[q]);
			first = 0;
		}
	fprintf(f, "\n  }\n}\n");
	return fclose(f) ? -errno : 0;
}
