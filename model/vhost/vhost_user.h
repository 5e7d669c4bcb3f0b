/*
 * vhost-user back end (device side) for virtio-fs: the socket protocol of
 * QEMU's docs/interop/vhost-user.rst, the guest memory table and the vring
 * addresses and notification fds. What happens to a ring's buffers is up to
 * the caller: vfpga-model walks the rings in software (vring.h), vfpga-sim
 * hands them to the RTL's virtqueue engine.
 *
 * One front end at a time, one thread. The front end's addresses are
 * validated: a ring or buffer outside the memory table is never dereferenced.
 */
#ifndef VHOST_USER_H
#define VHOST_USER_H

#include <stddef.h>
#include <stdint.h>

#include <linux/virtio_ring.h>

#define VU_MAX_REGIONS	8	/* VHOST_MEMORY_BASELINE_NREGIONS */
#define VU_MAX_QUEUES	16	/* hiprio + up to 15 request queues */
#define VU_MAX_CONFIG	256	/* largest device config a front end reads */

/* Message types and feature bits used here (vhost-user.rst). */
enum vu_request {
	VU_GET_FEATURES = 1,
	VU_SET_FEATURES = 2,
	VU_SET_OWNER = 3,
	VU_RESET_OWNER = 4,
	VU_SET_MEM_TABLE = 5,
	VU_SET_LOG_BASE = 6,
	VU_SET_LOG_FD = 7,
	VU_SET_VRING_NUM = 8,
	VU_SET_VRING_ADDR = 9,
	VU_SET_VRING_BASE = 10,
	VU_GET_VRING_BASE = 11,
	VU_SET_VRING_KICK = 12,
	VU_SET_VRING_CALL = 13,
	VU_SET_VRING_ERR = 14,
	VU_GET_PROTOCOL_FEATURES = 15,
	VU_SET_PROTOCOL_FEATURES = 16,
	VU_GET_QUEUE_NUM = 17,
	VU_SET_VRING_ENABLE = 18,
	VU_SET_SLAVE_REQ_FD = 21,
	VU_GET_CONFIG = 24,
	VU_SET_CONFIG = 25,
	VU_RESET_DEVICE = 34,
	VU_GET_MAX_MEM_SLOTS = 36,
	VU_SET_STATUS = 39,
	VU_GET_STATUS = 40,
};

#define VU_F_PROTOCOL_FEATURES	30
#define VU_PROTOCOL_F_MQ	0
#define VU_PROTOCOL_F_REPLY_ACK	3
#define VU_PROTOCOL_F_CONFIG	9
#define VU_PROTOCOL_F_STATUS	16

#define VU_FLAG_VERSION		0x1u
#define VU_FLAG_REPLY		0x4u
#define VU_FLAG_NEED_REPLY	0x8u

struct vu_region {
	uint64_t gpa;		/* guest physical address */
	uint64_t size;
	uint64_t uva;		/* the front end's virtual address (ring addresses) */
	uint8_t *host;		/* our mapping of gpa .. gpa + size */
	void *map;		/* whole mmap (offset included) */
	size_t map_len;
};

struct vu_vring {
	uint32_t num;		/* ring size, 0 = not set */
	uint64_t desc_uva, avail_uva, used_uva;
	struct vring_desc *desc;	/* resolved through the memory table */
	struct vring_avail *avail;
	struct vring_used *used;
	uint16_t last_avail;	/* next avail entry to take */
	uint16_t used_idx;	/* our copy of used->idx */
	uint16_t signalled_used; /* used->idx at the last notification */
	int signalled_valid;
	int kick_fd, call_fd, err_fd;	/* -1 = none */
	int polled;		/* no kick fd: the ring is polled */
	int started;		/* kick fd (or poll mode) given, not stopped */
	int enabled;
	int broken;		/* unusable addresses: nothing is processed */
};

struct vu_dev;

struct vu_ops {
	/* Queue q has (maybe) new buffers: its kick fd fired or it was started. */
	void (*kick)(struct vu_dev *d, unsigned q);
	/* The memory table was replaced (re-resolve cached pointers). */
	void (*mem_changed)(struct vu_dev *d);
	/* Queue q was stopped (GET_VRING_BASE) or the device reset: requests
	 * still held by the caller must be dropped. */
	void (*stop)(struct vu_dev *d, unsigned q);
	/* Optional: one step of idle work, called when a poll found nothing
	 * to do; non-zero while more is left (the next poll does not block,
	 * so a kick is seen between steps). */
	int (*idle)(struct vu_dev *d);
};

struct vu_dev {
	int listen_fd;
	int fd;			/* connection, -1 = none */
	const char *name;	/* prefix for messages */
	uint64_t features;	/* offered (device features) */
	uint64_t acked;		/* negotiated */
	uint64_t proto_features;	/* offered */
	uint64_t proto_acked;
	unsigned nqueues;	/* queues the device has (GET_QUEUE_NUM) */
	struct vu_region regions[VU_MAX_REGIONS];
	unsigned nregions;
	struct vu_vring vq[VU_MAX_QUEUES];
	uint8_t config[VU_MAX_CONFIG];
	uint32_t config_len;
	uint8_t status;		/* virtio device status (SET_STATUS) */
	const struct vu_ops *ops;
	void *ctx;		/* the caller's */
	int verbose;
	uint64_t msgs;		/* messages handled */
	uint64_t notifies;	/* call eventfd writes */
};

/* Initialises d and listens on path (a stale socket file is replaced). */
int vu_init(struct vu_dev *d, const char *path, unsigned nqueues,
	    const void *config, uint32_t config_len,
	    const struct vu_ops *ops, void *ctx);
/* Waits for a front end. Returns 0 or -errno. */
int vu_accept(struct vu_dev *d);
/* Reads and handles one message. Returns 0, or -1 when the front end went
 * away or broke the protocol (the connection is then closed). */
int vu_handle_message(struct vu_dev *d);
/* Unmaps everything, closes fds; the listening socket stays. */
void vu_disconnect(struct vu_dev *d);
void vu_close(struct vu_dev *d, const char *path);

/*
 * Serves one front end until it disconnects or *stop becomes non-zero: polls
 * the socket and every started queue's kick fd, calling ops->kick. Polled
 * queues (no kick fd) are offered a kick every millisecond. A poll that
 * finds nothing runs a step of ops->idle; while it says more is left the
 * polls do not block.
 * Returns 0 on disconnect or stop, -errno on a poll failure.
 */
int vu_serve(struct vu_dev *d, volatile int *stop);

/* Host pointer for guest-physical [gpa, gpa + len) when the whole range lies
 * in one region, else NULL. */
void *vu_gpa_to_host(struct vu_dev *d, uint64_t gpa, uint64_t len);
/* Largest n <= len such that [gpa, gpa + n) is in one region; 0 if gpa is in none. */
uint64_t vu_gpa_span(struct vu_dev *d, uint64_t gpa, uint64_t len, void **host);

/* The guest-physical address of the front end's virtual address uva (ring
 * addresses come as those); 0 or -EFAULT when [uva, uva + len) is in no region. */
int vu_uva_to_gpa(struct vu_dev *d, uint64_t uva, uint64_t len, uint64_t *gpa);

/* Signals queue q's call fd. */
void vu_notify(struct vu_dev *d, unsigned q);
int vu_has_feature(const struct vu_dev *d, unsigned bit);

#endif /* VHOST_USER_H */
