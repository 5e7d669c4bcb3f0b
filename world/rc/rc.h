/*
 * Root-complex testbench for the card: drives the card's TLP streams in the
 * Verilator model, plays host memory, answers the card's DMA, captures MSI-X
 * and INTx. The card's memory (DDR, behind BAR2 too) is the sparse store of
 * sim/sim_ddr.c (vtop_ddr_read/write). The card's soft core runs
 * alongside (with a firmware image, or idle).
 *
 * Host accesses (configuration, BAR reads and writes) are blocking: they run
 * simulated cycles until the completion arrives or a timeout passes.
 */
#ifndef RC_H
#define RC_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tlp.h"

#define RC_MSI_BASE 0xfee00000ull	/* x86 MSI address window */
#define RC_MSI_SIZE 0x00100000ull
#define RC_MAX_MSI 256

struct rc;
struct vtop;

struct rc_opts {
	const char *firmware;	/* ELF for the card's soft core, or NULL (core held in reset) */
	const char *trace;	/* FST waveform, or NULL */
	FILE *console;		/* where the card's UART goes (NULL: discarded) */
	uint64_t timeout;	/* cycles a host access may take (0: default) */
	uint16_t rc_id;		/* requester ID of the root port (default 0x0000) */
	uint16_t dev_id;	/* bus/device/function given to the card (default 0x0100) */
};

struct rc_msi {
	uint64_t addr;
	uint32_t data;
	uint64_t cycle;
};

struct rc_bar {
	uint64_t base;
	uint64_t size;
	int is64, prefetch;
};

/* How the host answers the card's DMA reads. */
struct rc_dma_faults {
	unsigned latency;		/* cycles from a read request to its first completion */
	unsigned jitter;		/* extra 0..jitter cycles per request: completions reorder */
	unsigned rcb;			/* split completions at this boundary (0: whole request) */
	uint64_t ur_base, ur_len;	/* reads touching this range complete with UR */
	uint64_t ca_base, ca_len;	/* ... with CA */
	uint64_t drop_base, drop_len;	/* ... never complete */
	/* ... complete poisoned: every completion carries EP = 1 and, as
	 * payload, the bitwise inverse of host memory (so a card that uses
	 * poisoned data writes wrong bytes somewhere a test can see) */
	uint64_t ep_base, ep_len;
	unsigned seed;
};

/* What the host saw of the card's requests. */
struct rc_dma_stats {
	uint64_t rd_tlps, rd_bytes, wr_tlps, wr_bytes;
	unsigned max_rd_bytes, max_wr_bytes;
	uint64_t boundary_violations;	/* requests crossing 4 KiB, or over MRRS/MPS */
	uint64_t tag_reuse;		/* a tag reused while its request was outstanding */
	uint64_t outside_reads;		/* reads refused (UR): not all inside mapped memory */
	uint64_t outside_writes;	/* writes dropped: not all inside mapped memory */
	uint64_t poisoned_reads;	/* reads answered with poisoned completions */
	uint64_t faulted_reads;		/* reads answered UR/CA (fault ranges) or never */
};

struct rc *rc_open(const struct rc_opts *o, char *err, size_t errlen);
void rc_set_dma_faults(struct rc *rc, const struct rc_dma_faults *f);
void rc_dma_stats(const struct rc *rc, struct rc_dma_stats *st);
/* The cycle at which the card's last write landing on host byte addr
 * arrived (0: none since the watch was set): a bench's view of, say, a
 * used index, as the host sees it. One address at a time. */
void rc_watch_write(struct rc *rc, uint64_t addr);
uint64_t rc_watch_cycle(const struct rc *rc);
/* Limits the card must obey (bytes), checked on every request it sends. */
void rc_set_limits(struct rc *rc, unsigned mps, unsigned mrrs);
void rc_close(struct rc *rc);

void rc_step(struct rc *rc, uint64_t cycles);
/* Runs the card `step` cycles, or, when the card is quiet and nothing of
 * the host's is pending (vtop_skip_idle), skips up to max_skip idle cycles
 * at once instead; returns the cycles it moved on. rc_step uses it too. */
uint64_t rc_advance(struct rc *rc, uint64_t step, uint64_t max_skip);
/* Of rc_cycles(), the idle cycles skipped. */
uint64_t rc_skipped(const struct rc *rc);
uint64_t rc_cycles(const struct rc *rc);
int rc_firmware_exited(const struct rc *rc, uint32_t *code);

/* Configuration space (Type 0, our device); size 1, 2 or 4 at a naturally aligned offset.
 * Return 0, -EIO for an unsuccessful completion, -ETIMEDOUT without one. */
int rc_cfg_read(struct rc *rc, uint16_t off, unsigned size, uint32_t *val);
int rc_cfg_write(struct rc *rc, uint16_t off, unsigned size, uint32_t val);

/* Memory space (BARs); size 1, 2, 4 or 8, naturally aligned. */
int rc_mem_read(struct rc *rc, uint64_t addr, unsigned size, uint64_t *val);
int rc_mem_write(struct rc *rc, uint64_t addr, unsigned size, uint64_t val);

/* Memory space, any length within one 4 KiB page: a write of len bytes
 * at addr as one MWr (its DWs within the MPS of rc_set_limits); a read as one MRd whose (split) completions
 * are gathered and checked against the PCIe rules (byte count, lower
 * address, payload <= the MPS of rc_set_limits, splits only at the 64-byte
 * read completion boundary). Return 0, -EINVAL, -EIO (a completion that was
 * not successful), -EPROTO (a rule broken; said on stderr), -ETIMEDOUT. */
int rc_mem_write_block(struct rc *rc, uint64_t addr, const void *buf, unsigned len);
int rc_mem_read_block(struct rc *rc, uint64_t addr, void *buf, unsigned len);
/* The same for n requests of len bytes at addrs[i] sent back to back, the
 * reads all in flight at once (buf: n * len bytes, request i at i * len). */
#define RC_MAX_STREAM 128
int rc_mem_write_stream(struct rc *rc, const uint64_t *addrs, unsigned n, unsigned len, const void *buf);
int rc_mem_read_stream(struct rc *rc, const uint64_t *addrs, unsigned n, unsigned len, void *buf);
/* The host refuses the card's TLPs (tx ready low) in this percentage of
 * cycles, at random (0: never, the default; at most 90). */
void rc_set_tx_stall(struct rc *rc, unsigned percent);

/* Sends any TLP (for malformed-request tests). For a non-posted TLP with tag
 * `tag`, waits for its completion and stores it in *cpl (if not NULL);
 * returns 0, or -ETIMEDOUT. Posted TLPs return after the stream took them. */
int rc_send(struct rc *rc, const struct tlp *t, int nonposted, struct tlp *cpl);

/* Linux-like enumeration: BAR sizing and assignment (64-bit prefetchable BARs
 * above 4 GiB), memory and bus-master enable, MPS 256 and MRRS 512. */
int rc_enumerate(struct rc *rc, struct rc_bar bars[6]);

/* Interrupts: every MSI message counts; the last RC_MAX_MSI are kept
 * (rc_msi_get returns NULL for older ones). */
unsigned rc_msi_count(const struct rc *rc);
const struct rc_msi *rc_msi_get(const struct rc *rc, unsigned i);
int rc_intx(struct rc *rc);
/* Called for every MSI message as the card writes it (besides the record
 * above, which keeps the last RC_MAX_MSI), e.g. to forward it to a guest at
 * once. fn NULL: none (the default). */
typedef void (*rc_msi_fn)(void *ctx, uint64_t addr, uint32_t data);
void rc_set_msi_handler(struct rc *rc, rc_msi_fn fn, void *ctx);
/* Called for every store of the card's firmware to SIMCTRL.MARK (a phase
 * mark, firmware/include/phase.h) with the cycle it was written in. fn
 * NULL: none (the default). */
typedef void (*rc_mark_fn)(void *ctx, uint64_t cycle, uint32_t word);
void rc_set_mark_handler(struct rc *rc, rc_mark_fn fn, void *ctx);
/* Stores by the card's soft core to another address than its previous store.
 * A core spinning in a polling loop adds none (it stores, if at all, to one
 * variable); a core doing work adds many: a cheap "is the firmware busy". */
uint64_t rc_core_store_moves(const struct rc *rc);
/* Instructions the card's soft core retired and stores it made, counted in
 * every stepped cycle (a skipped idle span has none: the core is in WFI). */
uint64_t rc_core_retired(const struct rc *rc);
uint64_t rc_core_stores(const struct rc *rc);
/* The firmware's SIMCTRL.BUSY hint: 1 serving requests, 0 waiting for the
 * host, -1 never written (firmware without the hint). */
int rc_fw_busy(const struct rc *rc);

/* Host memory the caller owns, seen by the card at iova (e.g. a driver's
 * rings, or a guest's RAM): the card's reads and writes there go straight to
 * ptr. At most RC_MAX_MAPS ranges; 0 or -ENOSPC. */
#define RC_MAX_MAPS 64
int rc_host_map(struct rc *rc, uint64_t iova, void *ptr, uint64_t len);
void rc_host_unmap(struct rc *rc, uint64_t iova);
/* Strict host memory (the front ends, whose host memory is the guest's RAM):
 * the card's DMA may reach only mapped ranges, as behind an IOMMU. A read
 * that touches any other byte completes with UR; a write that does is
 * dropped whole. Both are counted (rc_dma_stats). Off by default: the
 * testbench's own host memory is sparse and reaches everywhere. */
void rc_host_strict(struct rc *rc, int on);

/* The card's DMA view of host memory (mapped ranges, else sparse and zero-filled). */
void rc_host_write(struct rc *rc, uint64_t addr, const void *buf, size_t len);
void rc_host_read(struct rc *rc, uint64_t addr, void *buf, size_t len);

/* The card model itself, e.g. to attach the SSD behind its root port:
 * nvme_dev_attach(rc_vtop(rc), ...) (world/ssd/nvme_dev.h). */
struct vtop *rc_vtop(struct rc *rc);

/* The card's clock (BAR0 RC_BAR0_TIME, registers TIME of rtl/soc_map.toml):
 * writes the host's CLOCK_REALTIME into it, as a host driver keeping the card
 * in step would, when at least min_ms of wall-clock time passed since the
 * last write (0: now). Only posted writes (no completion comes back), and
 * only once the host enabled memory decode and gave BAR0 an address (seen in
 * the configuration writes it sent): 1 written, 0 not now, or -errno. Front
 * ends call it between their own accesses, so a second of the host's time is
 * a second of the card's however the model is stepped. */
#define RC_BAR0_SIZE 0x8000u	/* BAR0: 32 KiB (docs/pcie-function.md) */
#define RC_BAR0_TIME 0x6000u	/* the clock's block in BAR0 (pcie_pkg::BAR0_TIME) */
int rc_time_sync(struct rc *rc, unsigned min_ms);
uint64_t rc_time_syncs(const struct rc *rc);
/* From now on rc_time_sync writes nothing (a host that never sets the clock). */
void rc_time_sync_off(struct rc *rc);

uint32_t rc_card_errors(struct rc *rc);
/* TLPs from the card that were not expected (completions nobody waits for, ...). */
unsigned rc_unexpected(const struct rc *rc);
/* Every TLP the card has sent so far. */
uint64_t rc_tlps_from_card(const struct rc *rc);
uint16_t rc_dev_id(const struct rc *rc);

#endif /* RC_H */
