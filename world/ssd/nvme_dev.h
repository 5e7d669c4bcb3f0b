/*
 * An NVMe SSD for the Verilator testbench: sits on the card's root-port link
 * (rp_link.h) and answers it the way an NVMe 1.4 controller does.
 *
 * Configuration space: Type 0 header (class 010802, BAR0 64-bit 16 KiB),
 * PCI Express capability (Device Control MPS/MRRS are obeyed) and MSI-X
 * (8 vectors, table and PBA in BAR0). Device 0 function 0 only: any other
 * configuration target is answered Unsupported Request.
 * BAR0: CAP, VS, INTMS/INTMC, CC, CSTS, AQA, ASQ, ACQ, doorbells (stride 4),
 * MSI-X table at 0x2000, PBA at 0x3000.
 * Admin: Identify (controller, namespace 1, active namespace list), Create
 * and Delete I/O SQ/CQ, Get/Set Features (number of queues, volatile write
 * cache). I/O: Read, Write, Flush, Dataset Management (deallocate), Write
 * Zeroes. PRP1/PRP2 and chained PRP lists, phase tags, status codes. Every
 * byte it moves is a TLP through the root port into card memory; each
 * completion entry is followed by an MSI-X write when the CQ asks for one.
 *
 * The namespace is an image file (512-byte LBAs), mapped shared: what the
 * card writes is in the file. Modelled media time per I/O command: `latency`
 * cycles after the command is fetched (or its data arrived, for writes), and
 * the data through a media pipe of `bw` bytes per cycle shared by all
 * commands.
 *
 * Faults: a media error on an LBA range (reads and writes there fail with
 * Unrecovered Read Error / Write Fault, nothing is written), an I/O opcode
 * whose next N commands never complete, controller fatal status (CSTS.CFS)
 * after N more I/O commands; until the host resets the controller (CC.EN 0)
 * nothing is processed. Set from the command line, or by the firmware under
 * test with the vendor admin command NVME_DEV_FAULT_OPC when fault_api is on.
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

struct nvme_dev_opts {
	const char *image;	/* the namespace (required) */
	uint64_t latency;	/* media cycles per I/O command */
	double bw;		/* media bytes per cycle (0: no limit) */
	int fault_api;		/* accept NVME_DEV_FAULT_OPC */
	uint64_t media_lba, media_nlb;	/* media error range (nlb 0: none) */
	int hang_opcode;	/* -1: none */
	unsigned hang_count;	/* 0: every such command */
	long cfs_after;		/* -1: none */
	int stats;		/* print statistics at detach */
};

struct nvme_dev_stats {
	uint64_t admin_cmds, io_cmds, reads, writes, flushes, dsms, write_zeroes;
	uint64_t bytes_read, bytes_written;	/* by the host, through the namespace */
	uint64_t errors;			/* completions with a non-zero status */
	uint64_t media_cycles;			/* modelled media time, summed over commands */
	uint64_t msis;
	uint64_t resets;
};

void nvme_dev_opts_init(struct nvme_dev_opts *o);
/* One command-line option at argv[*i]: returns 1 if it was ours (*i moved past
 * its value), 0 if not, -1 for a bad value (message on stderr). */
int nvme_dev_parse_opt(struct nvme_dev_opts *o, int argc, char **argv, int *i);
/* Help text for those options. */
const char *nvme_dev_usage(void);

/* Attaches the SSD to the card's root-port link; NULL with err set on failure. */
struct nvme_dev *nvme_dev_attach(struct vtop *t, const struct nvme_dev_opts *o, char *err, size_t errlen);
/* Writes the image back (msync) and detaches. */
void nvme_dev_detach(struct nvme_dev *d);
void nvme_dev_get_stats(const struct nvme_dev *d, struct nvme_dev_stats *st);
void nvme_dev_print_stats(const struct nvme_dev *d, FILE *f);

#endif /* NVME_DEV_H */
