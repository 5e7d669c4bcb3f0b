/*
 * vfsdrv: userspace driver of the card's virtio-fs PCI function (virtio-pci
 * modern). It finds the function's capabilities, negotiates features, sets up
 * split virtqueues in memory the transport provides, and exchanges FUSE
 * requests. The transport hides how config space, BARs, DMA memory and
 * interrupts are reached: VFIO on a real host (transport_vfio.c), or the
 * RTL simulation (world/rc/rc_transport.c, which lives with the simulator).
 */
#ifndef VFSDRV_H
#define VFSDRV_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/fuse.h>
#include <linux/virtio_ring.h>

struct vfs_transport;

struct vfs_transport_ops {
	int (*cfg_read)(struct vfs_transport *t, uint16_t off, void *buf, size_t len);
	int (*cfg_write)(struct vfs_transport *t, uint16_t off, const void *buf, size_t len);
	int (*bar_read)(struct vfs_transport *t, int bar, uint64_t off, void *buf, size_t len);
	int (*bar_write)(struct vfs_transport *t, int bar, uint64_t off, const void *buf, size_t len);
	/* Zeroed, 4 KiB aligned memory the device can reach at *iova. */
	void *(*dma_alloc)(struct vfs_transport *t, size_t len, uint64_t *iova);
	void (*dma_free)(struct vfs_transport *t, void *p, size_t len);
	/* The MSI-X message of table entry `vector` arrived: 0, or -ETIMEDOUT. */
	int (*wait_irq)(struct vfs_transport *t, int vector, int timeout_ms);
	/* Assigns BARs and enables the function if the platform has not; may be NULL. */
	int (*enumerate)(struct vfs_transport *t);
	void (*close)(struct vfs_transport *t);
	/* Simulated cycles so far; NULL for a real card. */
	unsigned long long (*cycles)(struct vfs_transport *t);
};

struct vfs_transport {
	const struct vfs_transport_ops *ops;
	void *priv;
};

/* Transports that live outside the driver library (the RTL simulation's,
 * world/rc/rc_transport.c) register an opener under a name at start-up, so
 * the driver and vfsctl never name them. arg: the transport's own argument
 * (the simulation's card firmware); console: where a simulated card's UART
 * goes, or NULL. An opener returns NULL with a message in err. */
typedef struct vfs_transport *(*vfs_transport_open_fn)(const char *arg, FILE *console,
						      char *err, size_t errlen);
/* 0, or -ENOSPC when the table is full. */
int vfs_transport_register(const char *name, vfs_transport_open_fn open);
/* The opener registered under name, or NULL. */
vfs_transport_open_fn vfs_transport_lookup(const char *name);

#define VFSDRV_MAX_QUEUES 16
#define VFSDRV_MSI_ADDR 0xfee00000u	/* x86 MSI window the transports use */

struct vfsdrv_cap {
	uint8_t at, bar, id, type;
	uint32_t offset, length;
	uint64_t offset64, length64;	/* shared-memory capability */
};

struct vfsdrv_queue {
	uint16_t size, notify_off, last_used, next_avail;
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	uint64_t desc_iova, avail_iova, used_iova;
	void *mem;
	size_t mem_len;
};

struct vfsdrv {
	struct vfs_transport *t;
	uint16_t vendor, device;
	uint8_t revision;
	uint32_t class_code;
	uint8_t msix_at, pcie_at;
	uint16_t msix_size;
	struct vfsdrv_cap common, notify, isr, devcfg, shm;
	int have_shm;
	struct vfsdrv_cap clock;	/* the card's clock (vendor-data capability) */
	int have_clock;
	uint32_t notify_mult;
	uint64_t device_features, features;
	uint16_t num_queues;
	char tag[37];
	uint32_t num_request_queues;
	struct vfsdrv_queue q[VFSDRV_MAX_QUEUES];
	/* request buffer for vfsdrv_fuse_call */
	uint8_t *buf;
	uint64_t buf_iova;
	size_t buf_len;
};

/* Reads IDs and capabilities and checks this is the card; 0 or -errno
 * (-ENODEV: not a modern virtio-fs function; -EIO: broken capability list). */
int vfsdrv_probe(struct vfsdrv *d, struct vfs_transport *t);
/* Prints what probe found (IDs, BARs, capabilities, features, tag, queues). */
void vfsdrv_print_info(const struct vfsdrv *d, FILE *f);
/* Reset, feature negotiation, MSI-X and the first nq queues of size qsize,
 * DRIVER_OK. 0 or -errno (-EPROTO when the device refuses FEATURES_OK). */
int vfsdrv_start(struct vfsdrv *d, unsigned nq, unsigned qsize);
/* The steps of vfsdrv_start for a caller that owns the rings (the vhost-user
 * bridge): reset and negotiate (device features & wanted, FEATURES_OK), MSI-X
 * table entries 0..nvec-1 (address VFSDRV_MSI_ADDR + 16 * v, data 0x40 + v)
 * with vector 0 for configuration changes; then each queue at the caller's
 * ring addresses with its MSI-X vector; then DRIVER_OK. 0 or -errno. */
int vfsdrv_negotiate(struct vfsdrv *d, uint64_t wanted, unsigned nvec);
int vfsdrv_queue_attach(struct vfsdrv *d, unsigned q, unsigned size, uint64_t desc,
			uint64_t avail, uint64_t used, uint16_t vector);
int vfsdrv_driver_ok(struct vfsdrv *d);
/* Rings queue q's doorbell. */
int vfsdrv_notify(struct vfsdrv *d, unsigned q);
uint8_t vfsdrv_status(struct vfsdrv *d);
/* One FUSE request on queue q: in[0..inlen) out, reply into out (at most
 * outcap bytes); *outlen = bytes the device wrote. 0 or -errno. */
int vfsdrv_fuse_call(struct vfsdrv *d, unsigned q, const void *in, size_t inlen,
		     void *out, size_t outcap, uint32_t *outlen);
/* FUSE_INIT 7.38 on the first request queue; fills *io. 0 or -errno. */
int vfsdrv_fuse_init(struct vfsdrv *d, struct fuse_init_out *io);
/* Writes 0 to the device status and frees the queues. */
void vfsdrv_stop(struct vfsdrv *d);
const char *vfsdrv_feature_name(unsigned bit);

/* The card's clock: a register block in BAR0 that a vendor-data capability
 * (virtio 1.2 VIRTIO_PCI_CAP_VENDOR_CFG, vendor 0x1af4, what 1) announces;
 * registers as TIME in rtl/soc_map.toml. The clock never goes back: a time
 * earlier than it is refused and counted. */
#define VFSDRV_VNDR_CLOCK 1		/* our vendor data: what = 1, the clock */
struct vfsdrv_time {
	uint64_t sec;
	uint32_t nsec;
	int host_set, card_set;		/* who set it since the card's reset */
	uint32_t sets, refused, malformed, tick_ns;
};
/* 0, -ENODEV without the capability, or the transport's error. */
int vfsdrv_time_get(struct vfsdrv *d, struct vfsdrv_time *t);
/* Sets the clock: 0 taken, -ERANGE refused (earlier than the card's clock),
 * -EINVAL nsec >= 10^9 (not sent), -ENODEV, -EIO (the card ignored the write). */
int vfsdrv_time_set(struct vfsdrv *d, uint64_t sec, uint32_t nsec);
/* Prints the clock as vfsctl info shows it. */
void vfsdrv_print_time(struct vfsdrv *d, FILE *f);

#endif /* VFSDRV_H */
