/*
 * The vhost-user bridge into the RTL: `vfpga-sim --socket PATH ...`.
 *
 * A stock guest's QEMU (vhost-user-fs-pci) talks vhost-user to us; every
 * request is processed by the simulated card. The guest's RAM (memfd regions
 * of the vhost-user memory table) is mapped into the root-complex model at its
 * guest-physical addresses, so the card's DMA reads and writes the guest's
 * rings and buffers directly. Our side plays the virtio-pci driver towards the
 * card: it negotiates the features the guest acked, points the card's queues
 * at the guest's rings, turns kick eventfds into notify writes to BAR0, and
 * turns the card's MSI-X messages into call eventfds. The device config (tag,
 * request queues) and the device features are read from the card.
 *
 * Time: the model is stepped only while a request is outstanding (avail index
 * ahead of used index on some queue), while the firmware says it is busy
 * (SIMCTRL.BUSY), or for a short tail after the last completion, so an idle
 * guest costs no simulation. While it runs, kicks are taken and delivered to
 * the card every FINE_CYCLES, and a request is timed from the notify write
 * (or, for a request published without a kick, from the step it appeared
 * in) to the step its used entry appeared in: no figure carries time the
 * card did not have the request.
 *
 * Host turnaround (--host-turnaround NS): what the guest publishes is shown
 * to the card no sooner than NS of simulated time after the last completion
 * the guest had seen (QEMU runs in real time, the card well under a million
 * cycles a second): the kick is held, and so is the ring's avail index, which
 * the card reads from a shadow copy mapped over the guest's. That and the
 * request timing are shared with the co-simulation: ../guestq.h.
 */
#include "vhost_bridge.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/virtio_config.h>
#include <linux/virtio_fs.h>

#include "rc.h"
#include "rc_transport.h"
#include "vtop.h"
#include "vfsdrv.h"
#include "devstats.h"
#include "fast_stats.h"
#include "guestq.h"
#include "phases.h"
#include "profile.h"
#include "vhost_user.h"

#define STEP_CYCLES	2048u	/* cycles per step between looks at the sockets */
#define FINE_CYCLES	32u	/* used rings are checked this often: timing resolution */
#define TAIL_CYCLES	1024u	/* keep stepping this long after the last completion */
#define TAIL_NOHINT	20000u	/* ... when the firmware gives no SIMCTRL.BUSY hint */
#define SETTLE_MS	20	/* socket quiet this long: queue set-up is complete */
#define DRAIN_CYCLES	50000000ull	/* a stopped queue gets this long to finish */
#define MSI_DATA_BASE	0x40u	/* vfsdrv's MSI-X data: 0x40 + vector */
#define TIME_SYNC_MS	10	/* the card's clock follows the host's this closely */

struct bridge {
	struct vu_dev vu;
	struct vfs_transport *t;
	struct rc *rc;
	struct vfsdrv drv;
	struct nvme_dev *ssd;
	unsigned nqueues;
	int kicked[VU_MAX_QUEUES];	/* notify the card once it is live */
	int dirty;			/* queue set changed: reconfigure the card */
	int live;			/* DRIVER_OK written */
	int config_changed;		/* a vector-0 MSI arrived */
	uint64_t unknown_msis;
	uint64_t last_activity;		/* cycle of the last completion seen */
	struct guestq gq;		/* the rings, host turnaround, READ timing */
	uint64_t notifies, interrupts, busy_cycles;
	uint64_t busy_ns;		/* wall time spent running the card */
	struct devstats st;
	struct phases ph;
	struct profile *prof;		/* --profile, or NULL */
	const struct vhost_bridge_opts *o;
};

static volatile int stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* The guest's RAM as the card sees it (again after a change of the memory
 * table or of the queues). */
static void map_guest(struct bridge *b)
{
	gq_unmap(&b->gq);
	for (unsigned i = 0; i < b->vu.nregions; i++)
		if (gq_map(&b->gq, b->vu.regions[i].gpa, b->vu.regions[i].host, b->vu.regions[i].size))
			fprintf(stderr, "vfpga-sim: cannot map guest region %u into the host model\n", i);
}

static void on_mem_changed(struct vu_dev *d)
{
	struct bridge *b = d->ctx;

	gq_resolve(&b->gq);
	map_guest(b);
}

static void *gpa_to_host(void *ctx, uint64_t gpa, uint64_t len)
{
	struct bridge *b = ctx;

	return vu_gpa_to_host(&b->vu, gpa, len);
}

static void on_kick(struct vu_dev *d, unsigned q)
{
	struct bridge *b = d->ctx;

	if (!b->gq.q[q].on)
		b->dirty = 1;
	b->kicked[q] = 1;
}

/* The card's MSI-X messages, as the root complex sees them written: a queue
 * vector becomes that queue's call eventfd at once; a configuration change
 * is reported after the step (reading the status is itself a simulated
 * access, which cannot run from inside one). */
static void on_msi(void *ctx, uint64_t addr, uint32_t data)
{
	struct bridge *b = ctx;
	unsigned vec = data - MSI_DATA_BASE;

	(void)addr;
	b->interrupts++;
	gq_interrupt(&b->gq);
	if (vec == 0)
		b->config_changed = 1;
	else if (vec - 1 < b->nqueues)
		vu_notify(&b->vu, vec - 1);
	else
		b->unknown_msis++;
}

static void on_mark(void *ctx, uint64_t cycle, uint32_t word)
{
	struct bridge *b = ctx;

	phases_mark(&b->ph, cycle, word);
}

static void report_config_change(struct bridge *b)
{
	uint8_t st;

	if (!b->config_changed)
		return;
	b->config_changed = 0;
	st = vfsdrv_status(&b->drv);
	fprintf(stderr, "vfpga-sim: the card signalled a configuration change (status 0x%02x)%s\n",
		st, (st & VIRTIO_CONFIG_S_NEEDS_RESET) ? ": DEVICE_NEEDS_RESET" : "");
}

/* The started queues' kick eventfds as poll entries; qmap[i] is the queue
 * of pfd[i]. Returns how many. */
static int kick_pollfds(struct bridge *b, struct pollfd *pfd, unsigned *qmap)
{
	int n = 0;

	for (unsigned q = 0; q < b->nqueues; q++)
		if (b->vu.vq[q].started && b->vu.vq[q].kick_fd >= 0) {
			pfd[n].fd = b->vu.vq[q].kick_fd;
			pfd[n].events = POLLIN;
			qmap[n++] = q;
		}
	return n;
}

/* Marks the queues whose polled eventfd had a kick, and consumes it. */
static void read_kicks(struct bridge *b, const struct pollfd *pfd, const unsigned *qmap, int n)
{
	for (int i = 0; i < n; i++) {
		uint64_t v;

		if ((pfd[i].revents & POLLIN) && read(pfd[i].fd, &v, sizeof(v)) == sizeof(v))
			b->kicked[qmap[i]] = 1;
	}
}

/* Kicks that arrived on the queues' eventfds, without waiting. */
static void take_kicks(struct bridge *b)
{
	struct pollfd pfd[VU_MAX_QUEUES];
	unsigned qmap[VU_MAX_QUEUES];
	int n = kick_pollfds(b, pfd, qmap);

	if (n && poll(pfd, n, 0) > 0)
		read_kicks(b, pfd, qmap, n);
}

/* What the turnaround lets the card see. Entries shown without the guest's
 * kick get a notify of ours: on a host the device finds them on its own
 * look at the ring after it published avail_event (the guest skipped the
 * kick because it read the older value), or the guest's notify write
 * follows within nanoseconds (here it may come through QEMU milliseconds
 * of wall clock later, while the card sleeps with the request timed). */
static void pace(struct bridge *b)
{
	uint32_t unkicked = gq_pace(&b->gq, b->kicked);

	for (unsigned q = 0; q < b->nqueues; q++)
		if (unkicked & (1u << q))
			b->kicked[q] = 1;
}

/* Notify writes for the kicked queues; their new requests are stamped now.
 * A kick whose entries wait for the host turnaround waits with them. */
static void deliver_kicks(struct bridge *b)
{
	pace(b);
	for (unsigned q = 0; q < b->nqueues; q++)
		if (b->kicked[q] && b->gq.q[q].on && !gq_held(&b->gq, q)) {
			b->kicked[q] = 0;
			gq_notified(&b->gq, q);
			phases_notify(&b->ph, rc_cycles(b->rc));
			if (vfsdrv_notify(&b->drv, q) == 0)
				b->notifies++;
			b->last_activity = rc_cycles(b->rc);
		}
}


/* The card's clock follows the host's (rc_time_sync; off with --no-time). */
static void time_sync(struct bridge *b)
{
	rc_time_sync(b->rc, TIME_SYNC_MS);
}

/* Runs the card `cycles` cycles (or up to FINE_CYCLES more), skipping what
 * is idle (rc_advance). */
static void step(struct bridge *b, uint64_t cycles)
{
	uint64_t done = 0, t0 = gq_wall_ns();

	while (done < cycles) {
		unsigned bucket;
		uint64_t n;

		take_kicks(b);
		if (b->live)
			deliver_kicks(b);
		/* Requests published without a kick (the card is still popping
		 * that ring) count from the step they appeared in, notified by
		 * us (pace) when the card is live. */
		pace(b);
		if (b->live)
			deliver_kicks(b);
		for (unsigned q = 0; q < b->nqueues; q++)
			gq_note_avail(&b->gq, q);
		time_sync(b);
		bucket = phases_opcode(&b->ph);
		n = rc_advance(b->rc, FINE_CYCLES, cycles - done);
		if (b->prof)
			profile_sample(b->prof, bucket < PROFILE_BETWEEN ? bucket : PROFILE_BETWEEN,
				       vtop_debug_pc(rc_vtop(b->rc)), n);
		done += n;
		if (gq_note_used(&b->gq))
			b->last_activity = rc_cycles(b->rc);
		gq_note_settled(&b->gq);
	}
	b->busy_cycles += done;
	b->busy_ns += gq_wall_ns() - t0;
	gq_occupancy(&b->gq);
	report_config_change(b);
}

/* Whether the card still has something to do: requests outstanding, the
 * firmware busy by its own word, or the tail after the last completion. */
static int card_busy(struct bridge *b)
{
	int hint = rc_fw_busy(b->rc);
	uint64_t since = rc_cycles(b->rc) - b->last_activity;

	if (!b->live)
		return 0;
	if (gq_work_pending(&b->gq) || hint == 1)
		return 1;
	return since < (hint < 0 ? TAIL_NOHINT : TAIL_CYCLES);
}

/* Resets the card and attaches every started queue; DRIVER_OK. Only done
 * while no request has been taken (queue set-up), because a reset card
 * starts each ring at index 0. */
static int reconfigure(struct bridge *b)
{
	uint64_t wanted = b->vu.acked & ~(1ull << VU_F_PROTOCOL_FEATURES);
	int ret;

	b->live = 0;
	gq_detach_all(&b->gq);
	b->gq.event_idx = !!(wanted & (1ull << VIRTIO_RING_F_EVENT_IDX));
	ret = vfsdrv_negotiate(&b->drv, wanted, b->nqueues + 1);
	if (ret) {
		fprintf(stderr, "vfpga-sim: the card refused feature negotiation (%d)\n", ret);
		return ret;
	}
	for (unsigned q = 0; q < b->nqueues; q++) {
		struct vu_vring *vq = &b->vu.vq[q];
		uint64_t desc, avail, used;

		if (!vq->started || vq->broken || !vq->desc)
			continue;
		if (vq->last_avail != 0)
			fprintf(stderr, "vfpga-sim: queue %u restarts at index %u; the card starts at 0\n",
				q, vq->last_avail);
		if (vu_uva_to_gpa(&b->vu, vq->desc_uva, 16ull * vq->num, &desc) ||
		    vu_uva_to_gpa(&b->vu, vq->avail_uva, 6 + 2ull * vq->num, &avail) ||
		    vu_uva_to_gpa(&b->vu, vq->used_uva, 6 + 8ull * vq->num, &used)) {
			fprintf(stderr, "vfpga-sim: queue %u rings outside guest memory\n", q);
			continue;
		}
		ret = vfsdrv_queue_attach(&b->drv, q, vq->num, desc, avail, used, (uint16_t)(q + 1));
		if (ret) {
			fprintf(stderr, "vfpga-sim: the card refused queue %u of size %u (%d)\n", q, vq->num, ret);
			continue;
		}
		if (gq_attach(&b->gq, q, vq->num, desc, avail, used)) {
			fprintf(stderr, "vfpga-sim: queue %u rings outside guest memory\n", q);
			continue;
		}
		if (b->o->verbose)
			fprintf(stderr, "vfpga-sim: queue %u (%u entries) at desc 0x%llx avail 0x%llx used 0x%llx\n",
				q, vq->num, (unsigned long long)desc, (unsigned long long)avail,
				(unsigned long long)used);
	}
	map_guest(b);		/* the shadows over the new rings */
	ret = vfsdrv_driver_ok(&b->drv);
	if (ret)
		return ret;
	b->live = 1;
	for (unsigned q = 0; q < b->nqueues; q++)
		b->kicked[q] = b->gq.q[q].on;	/* look at every ring once */
	return 0;
}

/* GET_VRING_BASE: let the card finish what it took, then report where the
 * ring stands; the card is reset so that a restart begins cleanly. */
static void on_stop(struct vu_dev *d, unsigned q)
{
	struct bridge *b = d->ctx;
	struct vu_vring *vq = &d->vq[q];
	uint64_t start = rc_cycles(b->rc);

	if (b->gq.q[q].on) {
		while (gq_work_pending(&b->gq) && rc_cycles(b->rc) - start < DRAIN_CYCLES)
			step(b, STEP_CYCLES);
		if (vq->used)
			vq->last_avail = vq->used->idx;
	}
	if (b->live) {
		/* Writing 0 to device_status resets every queue of the card. */
		vfsdrv_negotiate(&b->drv, 0, 0);
		b->live = 0;
		gq_detach_all(&b->gq);
		map_guest(b);	/* no shadow over a ring the card no longer reads */
	}
}

static const struct vu_ops bridge_ops = {
	.kick = on_kick,
	.mem_changed = on_mem_changed,
	.stop = on_stop,
};

static int serve(struct bridge *b)
{
	struct pollfd pfd[1 + VU_MAX_QUEUES];
	unsigned qmap[1 + VU_MAX_QUEUES];

	while (!stop_requested && b->vu.fd >= 0) {
		int n, timeout, r;

		timeout = card_busy(b) ? 0 : b->dirty ? SETTLE_MS : -1;
		pfd[0].fd = b->vu.fd;
		pfd[0].events = POLLIN;
		n = 1 + kick_pollfds(b, pfd + 1, qmap + 1);
		r = poll(pfd, n, timeout);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			/* Messages first: queue set-up completes before kicks count. */
			if (vu_handle_message(&b->vu) < 0)
				return 0;
			continue;
		}
		if (b->dirty) {
			b->dirty = 0;
			if (reconfigure(b))
				return -EIO;
		}
		read_kicks(b, pfd + 1, qmap + 1, n - 1);
		if (!b->live)
			continue;
		/* The card's clock is the host's before it sees a request, however
		 * long it sat unstepped (rc_time_sync). */
		time_sync(b);
		deliver_kicks(b);
		if (card_busy(b))
			step(b, STEP_CYCLES);
	}
	return 0;
}

int vhost_bridge_main(const struct vhost_bridge_opts *o)
{
	static struct bridge bs;
	struct bridge *b = &bs;
	struct virtio_fs_config cfg;
	struct sigaction sa;
	FILE *console = NULL;
	char err[256];
	int ret, rc = 0;

	b->o = o;
	b->st.timed = 1;
	if (o->profile) {
		b->prof = profile_open(o->firmware, o->profile, err, sizeof(err));
		if (!b->prof) {
			fprintf(stderr, "vfpga-sim: --profile: %s\n", err);
			return 2;
		}
	}
	if (o->console) {
		console = !strcmp(o->console, "-") ? stderr : fopen(o->console, "w");
		if (!console) {
			fprintf(stderr, "vfpga-sim: cannot open %s\n", o->console);
			return 2;
		}
		setvbuf(console, NULL, _IOLBF, 0);
	}
	b->t = vfs_transport_sim_open(o->firmware, console, err, sizeof(err));
	if (!b->t) {
		fprintf(stderr, "vfpga-sim: %s\n", err);
		return 2;
	}
	b->rc = vfs_transport_sim_rc(b->t);
	rc_set_msi_handler(b->rc, on_msi, b);
	rc_host_strict(b->rc, 1);	/* the card's DMA reaches the guest's RAM only */
	phases_init(&b->ph);
	gq_init(&b->gq, b->rc, o->turnaround_ns, &b->st, &b->ph, gpa_to_host, b);
	rc_set_mark_handler(b->rc, on_mark, b);
	if (o->no_time)
		rc_time_sync_off(b->rc);
	if (o->nvme.image) {
		b->ssd = nvme_dev_attach(rc_vtop(b->rc), &o->nvme, err, sizeof(err));
		if (!b->ssd) {
			fprintf(stderr, "vfpga-sim: --image: %s\n", err);
			return 2;
		}
	}
	if ((ret = b->t->ops->enumerate(b->t)) || (ret = vfsdrv_probe(&b->drv, b->t))) {
		fprintf(stderr, "vfpga-sim: the card did not enumerate as virtio-fs (%d)\n", ret);
		return 2;
	}
	/* the host's time into the card's clock before its firmware mounts */
	rc_time_sync(b->rc, 0);
	b->nqueues = b->drv.num_queues;
	if (b->nqueues < 2 || b->nqueues > VU_MAX_QUEUES) {
		fprintf(stderr, "vfpga-sim: the card reports %u queues\n", b->nqueues);
		return 2;
	}
	memset(&cfg, 0, sizeof(cfg));
	memcpy(cfg.tag, b->drv.tag, strnlen(b->drv.tag, sizeof(cfg.tag)));
	cfg.num_request_queues = b->drv.num_request_queues;
	b->vu.name = "vfpga-sim";
	b->vu.verbose = o->verbose;
	ret = vu_init(&b->vu, o->socket, b->nqueues, &cfg, sizeof(cfg), &bridge_ops, b);
	if (ret) {
		fprintf(stderr, "vfpga-sim: cannot listen on %s: %s\n", o->socket, strerror(-ret));
		return 2;
	}
	/* Offer what the card offers, of what a split-ring guest can use. */
	b->vu.features = (b->drv.device_features &
			  ((1ull << VIRTIO_F_VERSION_1) | (1ull << VIRTIO_RING_F_INDIRECT_DESC) |
			   (1ull << VIRTIO_RING_F_EVENT_IDX))) |
			 (1ull << VU_F_PROTOCOL_FEATURES);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	fprintf(stderr, "vfpga-sim: card '%.36s' (%u request queues) serving vhost-user on %s\n",
		b->drv.tag, b->drv.num_request_queues, o->socket);

	for (;;) {
		struct pollfd p = { .fd = b->vu.listen_fd, .events = POLLIN };

		if (stop_requested)
			break;
		if (poll(&p, 1, -1) < 0)
			continue;
		if (vu_accept(&b->vu))
			continue;
		ret = serve(b);
		if (ret)
			rc = 1;
		break;		/* one front end, like vfpga-model */
	}
	/* The guest's memory is gone: unmap it from the host model, then let the
	 * firmware finish (write-back) before the summary. */
	gq_unmap(&b->gq);
	step(b, TAIL_NOHINT);
	fprintf(stderr, "vfpga-sim: %llu cycles simulated (%llu while serving, %llu of them idle and "
		"skipped), %llu notifies, %llu interrupts\n", (unsigned long long)rc_cycles(b->rc),
		(unsigned long long)b->busy_cycles, (unsigned long long)rc_skipped(b->rc),
		(unsigned long long)b->notifies, (unsigned long long)b->interrupts);
	gq_report(&b->gq, "vfpga-sim: ");
	{
		struct rc_dma_stats ds;

		rc_dma_stats(b->rc, &ds);
		if (ds.outside_reads || ds.outside_writes)
			fprintf(stderr, "vfpga-sim: the card's DMA outside guest memory: %llu reads refused (UR), "
				"%llu writes dropped\n", (unsigned long long)ds.outside_reads,
				(unsigned long long)ds.outside_writes);
	}
	if (o->stats) {
		struct rc_dma_stats ds;
		char extra[12288];
		size_t n;

		rc_dma_stats(b->rc, &ds);
		b->st.bytes_to_card = ds.rd_bytes;
		b->st.bytes_to_host = ds.wr_bytes;
		n = (size_t)snprintf(extra, sizeof(extra),
			 "  \"backend\": \"rtl\",\n  \"clock_mhz\": 250,\n  \"cycles\": %llu,\n"
			 "  \"cycles_serving\": %llu,\n  \"cycles_skipped\": %llu,\n"
			 "  \"wall_serving_s\": %.3f,\n"
			 "  \"notifies\": %llu,\n  \"interrupts\": %llu,\n",
			 (unsigned long long)rc_cycles(b->rc), (unsigned long long)b->busy_cycles,
			 (unsigned long long)rc_skipped(b->rc), (double)b->busy_ns / 1e9,
			 (unsigned long long)b->notifies, (unsigned long long)b->interrupts);
		if (n < sizeof(extra))
			n += gq_json(&b->gq, extra + n, sizeof(extra) - n);
		if (n < sizeof(extra))
			n += fast_stats_json(rc_vtop(b->rc), b->st.op[FUSE_READ].count, extra + n, sizeof(extra) - n);
		if (n < sizeof(extra))
			phases_json(&b->ph, extra + n, sizeof(extra) - n);
		if (devstats_write_json(&b->st, o->stats, extra))
			fprintf(stderr, "vfpga-sim: cannot write %s\n", o->stats);
	}
	if (b->prof && profile_close(b->prof))
		rc = 1;
	vu_close(&b->vu, o->socket);
	if (b->ssd)
		nvme_dev_detach(b->ssd);	/* the image is written back */
	b->t->ops->close(b->t);
	if (console && console != stderr)
		fclose(console);
	return rc;
}

static void bridge_usage(FILE *f)
{
	fprintf(f,
		"usage: vfpga-sim --socket PATH [--firmware ELF] [--image IMG] [--console FILE|-] [--stats FILE]\n"
		"                 [--profile FILE] [--host-turnaround NS] [--verbose]\n"
		"  --socket PATH     serve vhost-user-fs on PATH; the simulated card answers every request\n"
		"  --firmware ELF    card firmware (default %s)\n"
		"  --image IMG       the SSD's image (ext4, mke2fs -t ext4): an NVMe SSD model behind the\n"
		"                    card's root port; without it the card has no storage\n"
		"  --console FILE    the card's UART output (- = stderr)\n"
		"  --stats FILE      device-side figures as JSON at exit (requests by opcode, cycles per\n"
		"                    request from notify to used-ring write, per-phase cycles from the\n"
		"                    firmware's phase marks, DMA bytes, queue occupancy)\n"
		"  --profile FILE    a PC-sampling profile of the firmware at exit: one flat profile per\n"
		"                    FUSE opcode over the ELF's functions\n"
		"  --no-time         never write the host's time into the card's clock (by default it\n"
		"                    follows the host's within 10 ms while the card runs)\n"
		"%s%s",
		VHOST_BRIDGE_DEFAULT_FIRMWARE, gq_turnaround_usage(), nvme_dev_usage());
}

int vhost_bridge_cli(int argc, char **argv)
{
	struct vhost_bridge_opts o = {
		.firmware = VHOST_BRIDGE_DEFAULT_FIRMWARE,
		.turnaround_ns = GQ_TURNAROUND_DEFAULT_NS,
	};

	nvme_dev_opts_init(&o.nvme);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int r = nvme_dev_parse_opt(&o.nvme, argc, argv, &i);

		if (r < 0)
			return 2;
		if (r > 0)
			continue;

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			bridge_usage(stdout);
			return 0;
		} else if (!strcmp(a, "--verbose")) {
			o.verbose = 1;
		} else if (!strcmp(a, "--no-time")) {
			o.no_time = 1;
		} else if (i + 1 < argc && !strcmp(a, "--socket")) {
			o.socket = argv[++i];
		} else if (i + 1 < argc && !strcmp(a, "--firmware")) {
			o.firmware = argv[++i];
		} else if (i + 1 < argc && !strcmp(a, "--stats")) {
			o.stats = argv[++i];
		} else if (i + 1 < argc && !strcmp(a, "--profile")) {
			o.profile = argv[++i];
		} else if (i + 1 < argc && !strcmp(a, "--console")) {
			o.console = argv[++i];
		} else if (i + 1 < argc && !strcmp(a, "--host-turnaround")) {
			if (gq_parse_turnaround(argv[++i], &o.turnaround_ns))
				return 2;
		} else {
			fprintf(stderr, "vfpga-sim: unknown or incomplete argument '%s'\n", a);
			bridge_usage(stderr);
			return 2;
		}
	}
	if (!o.socket) {
		bridge_usage(stderr);
		return 2;
	}
	return vhost_bridge_main(&o);
}
