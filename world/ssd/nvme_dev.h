/*
 * The NVMe SSD of the simulation, as its users see it: the options every
 * front end shares (nvme_dev_parse_opt: image, profile, media overrides,
 * faults), its statistics, and the root-port binding (nvme_dev_attach),
 * which puts it on the card's root-port link (rp_link.h).
 *
 * One controller serves everything: nvme_core.h is the NVMe 1.4 controller
 * (registers, queues, commands, media timing, faults) behind a small bus
 * interface; nvme_dev.c binds it to the root-port link (configuration
 * space, TLPs, MSI-X writes as TLPs), nvme_host.c to host memory directly
 * (the firmware driver's host tests).
 *
 * Configuration space (root-port binding): Type 0 header (class 010802,
 * BAR0 64-bit 16 KiB), PCI Express capability (Device Control MPS/MRRS are
 * obeyed) and MSI-X (8 vectors, table and PBA in BAR0). Device 0 function 0
 * only: any other configuration target is answered Unsupported Request.
 * BAR0: CAP, VS, INTMS/INTMC, CC, CSTS, AQA, ASQ, ACQ, doorbells (stride 4),
 * MSI-X table at 0x2000, PBA at 0x3000.
 * Admin: Identify (controller, namespace 1, active namespace list), Create
 * and Delete I/O SQ/CQ, Get/Set Features (number of queues, volatile write
 * cache). I/O: Read, Write, Flush, Dataset Management (deallocate), Write
 * Zeroes. PRP1/PRP2 and chained PRP lists, phase tags, status codes.
 *
 * The namespace is an image file (512-byte LBAs), mapped shared: what the
 * host writes is in the file at once (write-through; the write cache below
 * is timing only), unless a power cut is asked for (--power-cut
 * CYCLE:SEED): then the namespace also keeps every write since the last
 * completed FLUSH that had no FUA (with the data it replaced), a shutdown
 * notification (CC.SHN) makes them durable as a FLUSH does, and at detach
 * the power is cut: vcache.h decides from SEED which of them are lost,
 * kept or torn and in what order they land. vfpga-sim stops the card at
 * CYCLE. Timing comes from a named SSD profile (ssd_profiles[],
 * --ssd-profile; cycles at the card's nominal 250 MHz):
 *
 *   ideal     zero media latency, unlimited bandwidth, no write cache: every
 *             command is as fast as its DMA (isolates the card's own cost)
 *   nvme-tlc  a PCIe Gen3 x4 TLC drive of the current datasheet class:
 *             4 KiB random read about 55 us at QD1, reads at 3.2 GB/s; a
 *             volatile write cache that acknowledges a write 3 us after its
 *             data arrived and drains to the media at 2 GB/s; FLUSH
 *             completes when the cache has drained (figures: nvme_opts.c)
 *
 * Reads: `read_latency` cycles after the command's PRPs are known, then the
 * data through one read pipe of `read_bw` bytes per cycle shared by all
 * commands. Writes: with a write cache, accepted when the cache has room
 * (it drains at `write_bw`), acknowledged `write_latency` later; without
 * one, `write_latency` then the write pipe. FLUSH: when everything accepted
 * before it has drained, plus `flush_latency`. --nvme-latency overrides
 * both latencies, --nvme-bw both bandwidths. Not modelled: reads served
 * from the write cache (every read pays the media time), read/write
 * interference. Data lost at a power cut is modelled only under
 * --power-cut (above), and whatever the profile's timing says: a write is
 * in the volatile cache from its acknowledgement to the next FLUSH.
 *
 * Faults: a media error on an LBA range (reads and writes there fail with
 * Unrecovered Read Error / Write Fault, nothing is written), an I/O opcode
 * whose next N commands never complete, controller fatal status (CSTS.CFS)
 * after N more I/O commands; until the host resets the controller (CC.EN 0)
 * nothing is processed. Set from the command line, by the firmware under
 * test with the vendor admin command NVME_DEV_FAULT_OPC when fault_api is
 * on, or by a host test through nvme_core_fault().
 */
#ifndef NVME_DEV_H
#define NVME_DEV_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct vtop;
struct nvme_dev;

/* Vendor-specific admin command (fault_api only): CDW10 = kind,
 *   0 clear every fault
 *   1 media error: CDW11/CDW12 first LBA (low/high), CDW13 blocks
 *   2 hang: CDW11 I/O opcode, CDW12 how many of its next commands (0 = all)
 *   3 fatal: CSTS.CFS after CDW11 more I/O commands are fetched (0 = at once,
 *     after this command's completion) */
#define NVME_DEV_FAULT_OPC 0xc0u
#define NVME_DEV_FAULT_CLEAR 0u
#define NVME_DEV_FAULT_MEDIA 1u
#define NVME_DEV_FAULT_HANG 2u
#define NVME_DEV_FAULT_CFS 3u

/* Timing of the SSD, in cycles of the card's nominal 250 MHz clock. */
struct ssd_profile {
	const char *name;
	const char *what;		/* one line for humans */
	uint64_t read_latency;		/* media access of a read, before its data moves */
	double read_bw;			/* read pipe, bytes per cycle (0: no limit) */
	uint64_t write_latency;		/* data arrived to acknowledgement */
	double write_bw;		/* media program rate, bytes per cycle (0: no limit) */
	uint64_t cache_bytes;		/* volatile write cache (0: none, write-through) */
	uint64_t flush_latency;		/* a FLUSH beyond waiting for the drain */
};

extern const struct ssd_profile ssd_profiles[];	/* ends with a NULL name */
#define SSD_PROFILE_DEFAULT "ideal"
/* The profile called name, or NULL. */
const struct ssd_profile *ssd_profile_find(const char *name);

struct nvme_dev_opts {
	const char *image;	/* the namespace (required) */
	const struct ssd_profile *profile;	/* timing (default SSD_PROFILE_DEFAULT) */
	int latency_set, bw_set;	/* overrides of the profile given */
	uint64_t latency;	/* --nvme-latency: both media latencies */
	double bw;		/* --nvme-bw: both media bandwidths (0: no limit) */
	int fault_api;		/* accept NVME_DEV_FAULT_OPC */
	uint64_t media_lba, media_nlb;	/* media error range (nlb 0: none) */
	int hang_opcode;	/* -1: none */
	unsigned hang_count;	/* 0: every such command */
	long cfs_after;		/* -1: none */
	int stats;		/* print statistics at detach */
	uint64_t cut_cycle;	/* --power-cut: the front end stops at this cycle (0: no cut) */
	uint64_t cut_seed;	/* and the volatile cache is resolved with this seed at detach */
	const char *io_log;	/* --nvme-io-log: "W cycle lba blocks" per acknowledged write, "F cycle" per FLUSH */
};

struct nvme_dev_stats {
	uint64_t admin_cmds, io_cmds, reads, writes, flushes, dsms, write_zeroes;
	uint64_t bytes_read, bytes_written;	/* by the host, through the namespace */
	uint64_t errors;			/* completions with a non-zero status */
	uint64_t media_cycles;			/* modelled media time, summed over commands */
	uint64_t flush_wait_cycles;		/* FLUSH time spent waiting for the cache to drain */
	uint64_t msis;
	uint64_t resets;
	/* at a power cut (--power-cut): writes in the volatile cache, and what became of them */
	uint64_t cut_cached, cut_lost, cut_kept, cut_torn;
};

void nvme_dev_opts_init(struct nvme_dev_opts *o);
/* One command-line option at argv[*i]: returns 1 if it was ours (*i moved past
 * its value), 0 if not, -1 for a bad value (message on stderr). */
int nvme_dev_parse_opt(struct nvme_dev_opts *o, int argc, char **argv, int *i);
/* Help text for those options. */
const char *nvme_dev_usage(void);
/* The timing in use: the profile with the overrides applied. */
void nvme_dev_timing(const struct nvme_dev_opts *o, struct ssd_profile *t);
/* "profile NAME (what it is)[, overrides]": for the start-up line. */
void nvme_dev_describe(const struct nvme_dev_opts *o, char *buf, size_t len);

/* Attaches the SSD to the card's root-port link; NULL with err set on failure. */
struct nvme_dev *nvme_dev_attach(struct vtop *t, const struct nvme_dev_opts *o, char *err, size_t errlen);
/* Writes the image back (msync) and detaches. */
void nvme_dev_detach(struct nvme_dev *d);
void nvme_dev_get_stats(const struct nvme_dev *d, struct nvme_dev_stats *st);
/* A fault set by the host test while the card runs (nvme_core_fault(): the
 * vendor admin command's kinds and arguments); -EINVAL for an unknown kind. */
int nvme_dev_fault(struct nvme_dev *d, unsigned kind, uint32_t a, uint32_t b, uint32_t c);
void nvme_dev_print_stats(const struct nvme_dev *d, FILE *f);
/* The cycle of the next thing the SSD does on its own (a command's media
 * time ends, the controller becomes ready, a TLP waits to go out; the
 * current cycle when busy), UINT64_MAX when it only waits for the card. */
uint64_t nvme_dev_next_event(const struct nvme_dev *d);

#endif /* NVME_DEV_H */
