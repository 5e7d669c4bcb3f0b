/*
 * vfpga-model: the card's functional model. The firmware's request loop,
 * FUSE server and ext4 code, compiled for the host, serve a vhost-user-fs
 * socket over an image file:
 *
 *   vfpga-model --socket PATH --image IMG [--tag TAG] [--queues N]
 *               [--stats FILE.json] [--verbose]
 *
 * A stock guest mounts it through QEMU's vhost-user-fs-pci (guest RAM must be
 * a shared memfd) or user-mode Linux's virtio_uml (which reads the tag with
 * GET_CONFIG). One front end is served; when it disconnects, or on SIGINT or
 * SIGTERM, the filesystem is unmounted cleanly and the program exits 0.
 * Exit status: 0 clean, 1 runtime failure (unmount failed), 2 bad usage,
 * image refused or socket unusable.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/fuse.h>
#include <linux/virtio_fs.h>

#include "blockdev_file.h"
#include "devstats.h"
#include "fsdev.h"
#include "fuse_server.h"
#include "vfs.h"
#include "vhost_user.h"
#include "vring.h"

#define EXIT_OK 0
#define EXIT_RUNTIME 1
#define EXIT_USAGE 2

#define DEFAULT_TAG "vfpga"
#define REPLY_MAX (FUSE_SRV_MAX_WRITE + 4096u)

struct options {
	const char *socket;
	const char *image;
	const char *tag;
	const char *stats;
	unsigned queues;
	int verbose;
};

/* The card's request loop (firmware/fsdev) bound to the host vring walker:
 * the chains it holds are kept in chain[slot]. */
struct model {
	struct vu_dev vu;
	struct fuse_server *srv;
	struct fsdev dev;
	uint8_t req[FUSE_SRV_MAX_REQ];
	uint8_t rep[REPLY_MAX];
	struct vring_chain chain[FSDEV_SLOTS];
	struct devstats st;	/* requests by opcode, bytes each way */
};

static volatile int stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* The host's clock, as the card's behaves: it never goes back, and it starts
 * no earlier than the newest time the image holds (clock_floor, called by
 * vfs_mount): a host clock behind that runs with an offset. In nanoseconds
 * since the epoch (enough until 2554). */
static uint64_t clock_offset_ns, clock_last_ns;

static uint64_t host_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void clock_now(uint64_t *s, uint32_t *ns)
{
	uint64_t t = host_ns() + clock_offset_ns;

	if (t < clock_last_ns)
		t = clock_last_ns;
	clock_last_ns = t;
	*s = t / 1000000000ull;
	*ns = (uint32_t)(t % 1000000000ull);
}

static void clock_floor(uint64_t s, uint32_t ns)
{
	uint64_t floor = s * 1000000000ull + ns, now = host_ns();

	if (now < floor) {
		clock_offset_ns = floor - now;
		fprintf(stderr, "vfpga-model: host clock %.3f s behind the image's newest time: "
			"times run ahead of it by that much\n", (double)clock_offset_ns / 1e9);
	}
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vfpga-model --socket PATH --image IMG [--tag TAG] [--queues N]\n"
		"                   [--stats FILE.json] [--verbose]\n"
		"  --socket PATH   vhost-user socket to listen on (replaced if it exists)\n"
		"  --image IMG     ext4 image (mke2fs -t ext4) served to the guest\n"
		"  --tag TAG       virtio-fs tag, at most 36 bytes (default %s)\n"
		"  --queues N      request queues besides hiprio, 1..%d (default 1)\n"
		"  --stats FILE    write request counts as JSON at exit\n"
		"  --verbose       log vhost-user messages\n",
		DEFAULT_TAG, VU_MAX_QUEUES - 1);
}

static int parse_args(int argc, char **argv, struct options *o)
{
	memset(o, 0, sizeof(*o));
	o->tag = DEFAULT_TAG;
	o->queues = 1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			exit(EXIT_OK);
		} else if (!strcmp(a, "--verbose")) {
			o->verbose = 1;
		} else if (i + 1 < argc && !strcmp(a, "--socket")) {
			o->socket = argv[++i];
		} else if (i + 1 < argc && !strcmp(a, "--image")) {
			o->image = argv[++i];
		} else if (i + 1 < argc && !strcmp(a, "--tag")) {
			o->tag = argv[++i];
		} else if (i + 1 < argc && !strcmp(a, "--stats")) {
			o->stats = argv[++i];
		} else if (i + 1 < argc && !strcmp(a, "--queues")) {
			char *end;
			long n = strtol(argv[++i], &end, 0);

			if (*end || n < 1 || n > VU_MAX_QUEUES - 1) {
				fprintf(stderr, "vfpga-model: --queues must be 1..%d, not '%s'\n",
					VU_MAX_QUEUES - 1, argv[i]);
				return -1;
			}
			o->queues = (unsigned)n;
		} else {
			fprintf(stderr, "vfpga-model: unknown or incomplete argument '%s'\n", a);
			return -1;
		}
	}
	if (!o->socket || !o->image) {
		fprintf(stderr, "vfpga-model: --socket PATH and --image IMG are required\n");
		return -1;
	}
	if (!*o->tag || strlen(o->tag) > sizeof(((struct virtio_fs_config *)0)->tag)) {
		fprintf(stderr, "vfpga-model: the tag must be 1..36 bytes\n");
		return -1;
	}
	return 0;
}

/* --- the request loop's binding to the vhost-user rings (fsdev.h) ------- */

static int model_pop(void *ctx, unsigned q, unsigned slot, uint64_t *rd, uint64_t *wr)
{
	struct model *m = ctx;
	int ret = vring_pop(&m->vu, q, &m->chain[slot]);

	if (ret == 1) {
		const struct vu_vring *vq = &m->vu.vq[q];

		*rd = m->chain[slot].in_bytes;
		*wr = m->chain[slot].out_bytes;
		/* what the guest had published and not yet seen answered, this
		 * chain included (the stats' most outstanding, as the bridge's) */
		devstats_occupancy(&m->st, q,
				   (uint16_t)(__atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE) - vq->used_idx));
	}
	return ret;
}

static long model_gather(void *ctx, unsigned slot, void *dst, size_t cap)
{
	struct model *m = ctx;
	size_t n = vring_gather(&m->chain[slot], dst, cap);

	if (n >= sizeof(struct fuse_in_header))
		devstats_request(&m->st, ((const struct fuse_in_header *)dst)->opcode, 0);
	return (long)n;
}

static long model_scatter(void *ctx, unsigned slot, const void *src, size_t len)
{
	struct model *m = ctx;

	return (long)vring_scatter(&m->chain[slot], src, len);
}

/* A READ from the page cache: each piece copied from where it lies. */
static long model_scatterv(void *ctx, unsigned slot, const void *head, size_t head_len,
			   const struct vfs_seg *seg, unsigned n, size_t len)
{
	struct model *m = ctx;
	size_t done = vring_scatter_at(&m->chain[slot], 0, head, head_len);

	if (done != head_len)
		return -ENOSPC;
	for (unsigned i = 0; i < n; i++) {
		size_t k = vring_scatter_at(&m->chain[slot], done, seg[i].p, seg[i].len);

		done += k;
		if (k != seg[i].len)
			return -ENOSPC;
	}
	return done == len ? (long)done : -ENOSPC;
}

static int model_push(void *ctx, unsigned q, unsigned slot, uint32_t len)
{
	struct model *m = ctx;

	vring_push(&m->vu, q, m->chain[slot].head, len);
	return 0;
}

/* The model's rule for a chain it cannot serve: completed with nothing
 * written, and the queue goes on. */
static int model_bad_chain(void *ctx, unsigned q, unsigned slot, const char *why)
{
	struct model *m = ctx;

	fprintf(stderr, "vfpga-model: queue %u: %s (head %u) completed with no data\n", q, why,
		m->chain[slot].head);
	return 0;
}

/* The ring is broken (vring.c stops it until the front end sets it up again):
 * tell the driver about what was completed before. */
static void model_fail(void *ctx, unsigned q, int err)
{
	struct model *m = ctx;

	(void)err;
	vring_signal(&m->vu, q);
}

static void model_signal(void *ctx, unsigned q)
{
	struct model *m = ctx;

	vring_signal(&m->vu, q);
}

static const struct fsdev_queue_ops model_queue_ops = {
	.pop = model_pop,
	.gather = model_gather,
	.scatter = model_scatter,
	.scatterv = model_scatterv,
	.push = model_push,
	.bad_chain = model_bad_chain,
	.fail = model_fail,
	.signal = model_signal,
};

static void on_kick(struct vu_dev *d, unsigned q)
{
	struct model *m = d->ctx;
	uint32_t mask = 1u << q;

	/* the hiprio queue (FORGET) takes its turn beside the kicked one */
	if (q != 0 && d->vq[0].started && d->vq[0].enabled && !d->vq[0].broken)
		mask |= 1u;
	fsdev_serve_queues(&m->dev, mask);
}

/* A stopped queue's waiting requests can no longer be answered. */
static void on_stop(struct vu_dev *d, unsigned q)
{
	struct model *m = d->ctx;

	fsdev_stop_queue(&m->dev, q);
}

/* Between polls with nothing to serve: a step of the server's idle work
 * (evictions a FORGET queued, an early commit). */
static int on_idle(struct vu_dev *d)
{
	struct model *m = d->ctx;

	return fsdev_idle(&m->dev, 1);
}

static const struct vu_ops model_ops = {
	.kick = on_kick,
	.stop = on_stop,
	.idle = on_idle,
};

static void write_stats(struct model *m, const char *path)
{
	char extra[1024];
	struct vfs_pcache_stats pc;

	vfs_pcache_get_stats(&pc);
	m->st.bytes_to_card = m->dev.stats.bytes_in;
	m->st.bytes_to_host = m->dev.stats.bytes_out;
	snprintf(extra, sizeof(extra),
		 "  \"backend\": \"model\",\n  \"errors\": %llu,\n  \"malformed\": %llu,\n"
		 "  \"bad_chains\": %llu,\n  \"no_room\": %llu,\n  \"notifies\": %llu,\n"
		 "  \"pcache\": { \"frames\": %llu, \"hits\": %llu, \"misses\": %llu, \"fills\": %llu, "
		 "\"filled\": %llu, \"readahead\": %llu, \"direct\": %llu, \"evictions\": %llu, "
		 "\"drops\": %llu, \"ref_replies\": %llu },\n",
		 (unsigned long long)m->srv->stats.errors, (unsigned long long)m->srv->stats.malformed,
		 (unsigned long long)m->dev.stats.bad_chains, (unsigned long long)m->dev.stats.no_room,
		 (unsigned long long)m->vu.notifies, (unsigned long long)pc.frames, (unsigned long long)pc.hits,
		 (unsigned long long)pc.misses, (unsigned long long)pc.fills, (unsigned long long)pc.filled,
		 (unsigned long long)pc.readahead, (unsigned long long)pc.direct,
		 (unsigned long long)pc.evictions, (unsigned long long)pc.drops,
		 (unsigned long long)m->dev.stats.ref_replies);
	if (devstats_write_json(&m->st, path, extra))
		fprintf(stderr, "vfpga-model: cannot write %s: %s\n", path, strerror(errno));
}

static int wait_for_front_end(struct vu_dev *d)
{
	struct pollfd p = { .fd = d->listen_fd, .events = POLLIN };

	while (!stop_requested) {
		int r = poll(&p, 1, -1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		return vu_accept(d);
	}
	return -EINTR;
}

int main(int argc, char **argv)
{
	static struct blockdev_file bf;
	struct virtio_fs_config cfg;
	struct sigaction sa;
	struct options o;
	struct model *m;
	struct vfs *fs = NULL;
	int err, rc = EXIT_OK;

	if (parse_args(argc, argv, &o)) {
		usage(stderr);
		return EXIT_USAGE;
	}
	m = calloc(1, sizeof(*m));
	if (m)
		m->srv = calloc(1, sizeof(*m->srv));
	if (!m || !m->srv) {
		fprintf(stderr, "vfpga-model: out of memory\n");
		return EXIT_RUNTIME;
	}
	err = blockdev_file_open(&bf, o.image, 0);
	if (err) {
		fprintf(stderr, "vfpga-model: cannot open image %s: %s\n", o.image, strerror(-err));
		return EXIT_USAGE;
	}
	vfs_set_clock(clock_now);
	vfs_set_clock_floor(clock_floor);
	err = vfs_mount(&fs, &bf.bd, 0);
	if (err) {
		fprintf(stderr, "vfpga-model: image %s refused: %s\n", o.image, vfs_last_error(fs));
		blockdev_file_close(&bf);
		return EXIT_USAGE;
	}
	fuse_server_init(m->srv, fs);
	fsdev_init(&m->dev, m->srv, &model_queue_ops, m, m->req, sizeof(m->req), m->rep, sizeof(m->rep));

	memset(&cfg, 0, sizeof(cfg));
	memcpy(cfg.tag, o.tag, strlen(o.tag));
	cfg.num_request_queues = o.queues;
	m->vu.name = "vfpga-model";
	m->vu.verbose = o.verbose;
	err = vu_init(&m->vu, o.socket, o.queues + 1, &cfg, sizeof(cfg), &model_ops, m);
	if (err) {
		fprintf(stderr, "vfpga-model: cannot listen on %s: %s\n", o.socket, strerror(-err));
		vfs_unmount(fs);
		blockdev_file_close(&bf);
		return EXIT_USAGE;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: poll returns EINTR */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	fprintf(stderr, "vfpga-model: serving %s (tag %s, %u request queue%s) on %s\n",
		o.image, o.tag, o.queues, o.queues > 1 ? "s" : "", o.socket);
	err = wait_for_front_end(&m->vu);
	if (!err)
		err = vu_serve(&m->vu, &stop_requested);
	if (err && err != -EINTR) {
		fprintf(stderr, "vfpga-model: %s\n", strerror(-err));
		rc = EXIT_RUNTIME;
	}

	fuse_server_reset(m->srv);
	err = vfs_unmount(fs);
	if (err) {
		fprintf(stderr, "vfpga-model: unmount failed: %s\n", strerror(-err));
		rc = EXIT_RUNTIME;
	}
	blockdev_file_close(&bf);
	fprintf(stderr, "vfpga-model: %llu requests (%llu errors, %llu malformed, %llu bad chains, "
		"%llu replies without room), %llu bytes in, %llu bytes out\n",
		(unsigned long long)m->srv->stats.requests, (unsigned long long)m->srv->stats.errors,
		(unsigned long long)m->srv->stats.malformed, (unsigned long long)m->dev.stats.bad_chains,
		(unsigned long long)m->dev.stats.no_room,
		(unsigned long long)m->dev.stats.bytes_in, (unsigned long long)m->dev.stats.bytes_out);
	{
		struct vfs_pcache_stats pc;

		vfs_pcache_get_stats(&pc);
		fprintf(stderr, "vfpga-model: page cache: %llu hits, %llu misses, %llu device reads of "
			"%llu blocks (%llu read ahead), %llu READs answered from frames\n",
			(unsigned long long)pc.hits, (unsigned long long)pc.misses, (unsigned long long)pc.fills,
			(unsigned long long)pc.filled, (unsigned long long)pc.readahead,
			(unsigned long long)m->dev.stats.ref_replies);
	}
	if (o.stats)
		write_stats(m, o.stats);
	vu_close(&m->vu, o.socket);
	return rc;
}
