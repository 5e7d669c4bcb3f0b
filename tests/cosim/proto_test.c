/*
 * proto_test SOCK: plays QEMU's vfpga-pci device against `vfpga-sim --cosim
 * SOCK`, without QEMU. Guest RAM is a memfd of ours sent with MEM_TABLE; the
 * project's own virtio driver (driver/vfsdrv.c) runs over the protocol, so
 * FUSE_INIT goes through config space, BAR0, the card's DMA into our memfd
 * and its MSI-X messages back to us. Then bad input: nonsense register
 * writes, a reset in the middle of a request, accesses outside the BARs,
 * malformed messages (bad sizes, unknown types, wrong descriptor counts) and
 * last a length over the limit, after which the simulator closes.
 * Ends with "N passed, N failed"; --bench prints the cost of an access.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <linux/virtio_pci.h>

#include "check.h"
#include "cosim_proto.h"
#include "vfsdrv.h"

#define RAM_GPA		0x10000000ull	/* where our "guest RAM" sits */
#define RAM_SIZE	(8u << 20)
#define BAR0_ADDR	0xfe000000ull	/* as a BIOS would place them */
#define BAR2_ADDR	0x800000000ull
#define WAIT_MS		20000

static unsigned passed, failed;
static int sock = -1;
static uint32_t seq;
static uint8_t rx[65536];
static size_t rxlen;
static struct vfc_msi msis[4096];
static unsigned nmsi;
static int intx_level;
static struct vfc_error last_err;
static uint32_t last_err_seq;
static unsigned nerrors;

static uint8_t *ram;
static int ram_fd = -1;
static uint64_t ram_next;
static uint64_t bars[6];

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000ull + (uint64_t)ts.tv_nsec / 1000;
}

/* Sends header fields as given (malformed ones too), the payload and fds. */
static int send_raw(const struct vfc_hdr *h, const void *p, size_t plen, const int *fds, unsigned nfds)
{
	union { char buf[CMSG_SPACE(sizeof(int) * VFC_MAX_FDS)]; struct cmsghdr align; } ctl;
	struct iovec iov[2] = { { (void *)h, sizeof(*h) }, { (void *)p, plen } };
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = plen ? 2 : 1 };
	ssize_t n;

	if (nfds) {
		struct cmsghdr *cm;

		msg.msg_control = ctl.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * nfds);
	}
	n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	return n == (ssize_t)(sizeof(*h) + plen) ? 0 : -EIO;
}

/*
 * Reads until the reply to `want_seq` arrives (1, copied to reply), an ERROR
 * for it (2), the connection closes (-1) or timeout_ms passes (0). MSI and
 * INTX messages on the way are recorded.
 */
static int wait_for(uint32_t want_seq, uint16_t want_type, void *reply, size_t rlen, int timeout_ms)
{
	uint64_t deadline = now_us() + (uint64_t)timeout_ms * 1000;

	for (;;) {
		while (rxlen >= sizeof(struct vfc_hdr)) {
			struct vfc_hdr h;
			const uint8_t *p = rx + sizeof(h);
			int got = 0;

			memcpy(&h, rx, sizeof(h));
			if (h.len > VFC_MAX_PAYLOAD) {
				printf("proto_test: oversized message from the simulator (%u)\n", h.len);
				return -1;
			}
			if (rxlen < sizeof(h) + h.len)
				break;
			if (h.type == VFC_MSI && h.len == sizeof(struct vfc_msi)) {
				if (nmsi < sizeof(msis) / sizeof(msis[0]))
					memcpy(&msis[nmsi], p, sizeof(msis[0]));
				nmsi++;
			} else if (h.type == VFC_INTX && h.len == sizeof(struct vfc_intx)) {
				struct vfc_intx m;

				memcpy(&m, p, sizeof(m));
				intx_level = (int)m.level;
			} else if (h.type == VFC_ERROR && h.len == sizeof(struct vfc_error)) {
				memcpy(&last_err, p, sizeof(last_err));
				last_err_seq = h.seq;
				nerrors++;
				if (want_seq && h.seq == want_seq)
					got = 2;
			} else if (want_seq && h.seq == want_seq && h.type == want_type && h.len == rlen) {
				memcpy(reply, p, rlen);
				got = 1;
			} else {
				printf("proto_test: unexpected message type 0x%04x len %u seq %u\n", h.type, h.len, h.seq);
			}
			memmove(rx, rx + sizeof(h) + h.len, rxlen - sizeof(h) - h.len);
			rxlen -= sizeof(h) + h.len;
			if (got)
				return got;
		}
		{
			int64_t left = (int64_t)(deadline - now_us()) / 1000;
			struct pollfd pfd = { .fd = sock, .events = POLLIN };
			ssize_t n;

			if (left <= 0)
				return 0;
			if (poll(&pfd, 1, (int)left) <= 0)
				continue;
			n = recv(sock, rx + rxlen, sizeof(rx) - rxlen, 0);
			if (n <= 0)
				return -1;
			rxlen += (size_t)n;
		}
	}
}

/* A well-formed request and its reply: 0, or -EPROTO (refused), -EPIPE, -ETIMEDOUT. */
static int call(uint16_t type, const void *req, uint32_t len, void *reply, size_t rlen, const int *fds, unsigned nfds)
{
	struct vfc_hdr h = { .type = type, .len = len, .seq = ++seq };
	int r;

	if (send_raw(&h, req, len, fds, nfds))
		return -EPIPE;
	r = wait_for(h.seq, type | VFC_REPLY, reply, rlen, WAIT_MS);
	return r == 1 ? 0 : r == 2 ? -EPROTO : r == 0 ? -ETIMEDOUT : -EPIPE;
}

static int cfg_read(uint16_t off, unsigned size, uint32_t *v)
{
	struct vfc_cfg q = { .off = off, .size = (uint8_t)size };
	struct vfc_value r;
	int ret = call(VFC_CFG_READ, &q, sizeof(q), &r, sizeof(r), NULL, 0);

	if (ret)
		return ret;
	*v = (uint32_t)r.value;
	return r.status;
}

static int cfg_write(uint16_t off, unsigned size, uint32_t v)
{
	struct vfc_cfg q = { .off = off, .size = (uint8_t)size, .value = v };
	struct vfc_status r;
	int ret = call(VFC_CFG_WRITE, &q, sizeof(q), &r, sizeof(r), NULL, 0);

	return ret ? ret : r.status;
}

static int mem_read(uint64_t addr, unsigned size, uint64_t *v)
{
	struct vfc_mem q = { .addr = addr, .size = (uint8_t)size };
	struct vfc_value r;
	int ret = call(VFC_MEM_READ, &q, sizeof(q), &r, sizeof(r), NULL, 0);

	if (ret)
		return ret;
	*v = r.value;
	return r.status;
}

static unsigned dev_status(void)
{
	uint64_t v = 0;

	mem_read(BAR0_ADDR + offsetof(struct virtio_pci_common_cfg, device_status), 1, &v);
	return (unsigned)v;
}

static int mem_write(uint64_t addr, unsigned size, uint64_t v)
{
	struct vfc_mem q = { .addr = addr, .size = (uint8_t)size, .value = v };
	struct vfc_status r;
	int ret = call(VFC_MEM_WRITE, &q, sizeof(q), &r, sizeof(r), NULL, 0);

	return ret ? ret : r.status;
}

/* --- vfsdrv over the protocol ---------------------------------------------- */

static int t_cfg_read(struct vfs_transport *t, uint16_t off, void *buf, size_t len)
{
	uint8_t *b = buf;

	(void)t;
	if (len > 4 && (len % 4 || off % 4))
		return -EINVAL;
	while (len) {
		size_t n = len > 4 ? 4 : len;
		uint32_t v = 0;
		int ret = cfg_read(off, (unsigned)n, &v);

		if (ret)
			return ret;
		memcpy(b, &v, n);
		b += n;
		off = (uint16_t)(off + n);
		len -= n;
	}
	return 0;
}

static int t_cfg_write(struct vfs_transport *t, uint16_t off, const void *buf, size_t len)
{
	uint32_t v = 0;

	(void)t;
	memcpy(&v, buf, len);
	return cfg_write(off, (unsigned)len, v);
}

static int t_bar_read(struct vfs_transport *t, int bar, uint64_t off, void *buf, size_t len)
{
	uint64_t v = 0;
	int ret;

	(void)t;
	if (bar < 0 || bar > 5 || !bars[bar])
		return -EINVAL;
	ret = mem_read(bars[bar] + off, (unsigned)len, &v);
	if (!ret)
		memcpy(buf, &v, len);
	return ret;
}

static int t_bar_write(struct vfs_transport *t, int bar, uint64_t off, const void *buf, size_t len)
{
	uint64_t v = 0;

	(void)t;
	if (bar < 0 || bar > 5 || !bars[bar])
		return -EINVAL;
	memcpy(&v, buf, len);
	return mem_write(bars[bar] + off, (unsigned)len, v);
}

static void *t_dma_alloc(struct vfs_transport *t, size_t len, uint64_t *iova)
{
	size_t rounded = (len + 4095) & ~(size_t)4095;
	void *p;

	(void)t;
	if (ram_next + rounded > RAM_SIZE)
		return NULL;
	p = ram + ram_next;
	memset(p, 0, rounded);
	*iova = RAM_GPA + ram_next;
	ram_next += rounded;
	return p;
}

static void t_dma_free(struct vfs_transport *t, void *p, size_t len)
{
	(void)t;
	(void)p;
	(void)len;
}

/* Waits for the MSI the card's table says vector `v` looks like. */
static int t_wait_irq(struct vfs_transport *t, int v, int timeout_ms)
{
	uint64_t addr = 0, data = 0;
	uint64_t deadline = now_us() + (uint64_t)timeout_ms * 1000;
	static unsigned seen;

	if (t_bar_read(t, 0, 0x4000 + 16 * (unsigned)v, &addr, 4) ||
	    t_bar_read(t, 0, 0x4000 + 16 * (unsigned)v + 8, &data, 4))
		return -EIO;
	for (;;) {
		for (; seen < nmsi && seen < sizeof(msis) / sizeof(msis[0]); seen++)
			if (msis[seen].addr == addr && msis[seen].data == (uint32_t)data) {
				seen++;
				return 0;
			}
		if (now_us() >= deadline)
			return -ETIMEDOUT;
		if (wait_for(0, 0, NULL, 0, 50) < 0)
			return -EPIPE;
	}
}

/* What firmware does: size the BARs, place them, enable memory and mastering. */
static int t_enumerate(struct vfs_transport *t)
{
	uint32_t lo, hi, cmd;

	(void)t;
	if (cfg_write(0x10, 4, ~0u) || cfg_read(0x10, 4, &lo) || cfg_write(0x14, 4, ~0u) ||
	    cfg_read(0x14, 4, &hi))
		return -EIO;
	CHECK((lo & 0xf) == 0x4 && ~((uint64_t)hi << 32 | (lo & ~0xfu)) + 1 == 32768,
	      "BAR0 is 64-bit, 32 KiB (read 0x%08x%08x)", hi, lo);
	if (cfg_write(0x18, 4, ~0u) || cfg_read(0x18, 4, &lo) || cfg_write(0x1c, 4, ~0u) ||
	    cfg_read(0x1c, 4, &hi))
		return -EIO;
	CHECK((lo & 0xf) == 0xc && ~((uint64_t)hi << 32 | (lo & ~0xfu)) + 1 == (1ull << 30),
	      "BAR2 is 64-bit prefetchable, 1 GiB (read 0x%08x%08x)", hi, lo);
	if (cfg_write(0x10, 4, (uint32_t)BAR0_ADDR) || cfg_write(0x14, 4, (uint32_t)(BAR0_ADDR >> 32)) ||
	    cfg_write(0x18, 4, (uint32_t)BAR2_ADDR) || cfg_write(0x1c, 4, (uint32_t)(BAR2_ADDR >> 32)) ||
	    cfg_read(0x04, 2, &cmd) || cfg_write(0x04, 2, cmd | 0x6))
		return -EIO;
	bars[0] = BAR0_ADDR;
	bars[2] = BAR2_ADDR;
	return 0;
}

static const struct vfs_transport_ops cosim_ops = {
	.cfg_read = t_cfg_read,
	.cfg_write = t_cfg_write,
	.bar_read = t_bar_read,
	.bar_write = t_bar_write,
	.dma_alloc = t_dma_alloc,
	.dma_free = t_dma_free,
	.wait_irq = t_wait_irq,
	.enumerate = t_enumerate,
	.close = NULL,
};

/* --- checks ------------------------------------------------------------------ */

static void check_identity(void)
{
	struct vfc_hello h = { .version = VFC_VERSION }, r;
	uint32_t v = 0, at = 0;
	unsigned types = 0, have_pcie = 0, have_msix = 0, have_clock = 0, guard = 0;

	CHECK(call(VFC_HELLO, &h, sizeof(h), &r, sizeof(r), NULL, 0) == 0 && r.version == VFC_VERSION &&
	      r.cycles > 0, "HELLO: version %u, cycles %llu", r.version, (unsigned long long)r.cycles);
	CHECK(cfg_read(0x00, 4, &v) == 0 && v == 0x105a1af4, "vendor/device 0x%08x", v);
	CHECK(cfg_read(0x08, 4, &v) == 0 && v >> 8 == 0x018000 && (v & 0xff) >= 1, "class/revision 0x%08x", v);
	CHECK(cfg_read(0x02, 2, &v) == 0 && v == 0x105a, "16-bit read of the device ID: 0x%x", v);
	CHECK(cfg_read(0x34, 1, &at) == 0 && at >= 0x40, "capability pointer 0x%x", at);
	printf("capabilities (as lspci -vv would list them):\n");
	while (at && guard++ < 48) {
		uint32_t hdr = 0, w1 = 0, w2 = 0, w3 = 0;

		if (cfg_read((uint16_t)at, 4, &hdr) || cfg_read((uint16_t)(at + 4), 4, &w1) ||
		    cfg_read((uint16_t)(at + 8), 4, &w2) || cfg_read((uint16_t)(at + 12), 4, &w3))
			break;
		switch (hdr & 0xff) {
		case 0x01: printf("  [%02x] Power Management\n", at); break;
		case 0x10: printf("  [%02x] Express Endpoint\n", at); have_pcie = 1; break;
		case 0x11:
			printf("  [%02x] MSI-X: Enable%c Count=%u Table: BAR=%u offset=%05x PBA: BAR=%u offset=%05x\n",
			       at, hdr >> 31 ? '+' : '-', ((hdr >> 16) & 0x7ff) + 1, w1 & 7, w1 & ~7u, w2 & 7, w2 & ~7u);
			have_msix = ((hdr >> 16) & 0x7ff) + 1 >= 6 && (w1 & 7) == 0 && (w1 & ~7u) == 0x4000;
			break;
		case 0x09:
			if ((hdr >> 24) == 9) {	/* vendor data: the card's clock */
				uint32_t w4 = 0;

				cfg_read((uint16_t)(at + 16), 4, &w4);
				printf("  [%02x] Vendor Specific: virtio vendor data, vendor 0x%04x what %u version %u: "
				       "bar %u offset 0x%x length 0x%x\n", at, w1 & 0xffff, (w1 >> 16) & 0xff, w1 >> 24,
				       w2 & 0xff, w3, w4);
				have_clock = (w1 & 0xffffff) == 0x011af4 && (w2 & 0xff) == 0 && w3 == 0x6000 && w4 >= 0x20;
			} else {
				printf("  [%02x] Vendor Specific: virtio cfg_type %u bar %u offset 0x%x length 0x%x\n",
				       at, (hdr >> 24) & 0xff, w1 & 0xff, w2, w3);
				types |= 1u << ((hdr >> 24) & 0xf);
			}
			break;
		default: printf("  [%02x] id 0x%02x\n", at, hdr & 0xff); break;
		}
		at = (hdr >> 8) & 0xfc;
	}
	CHECK(have_pcie, "PCI Express capability");
	CHECK(have_clock, "the clock's vendor data: vendor 0x1af4, what 1, BAR0 0x6000");
	CHECK(have_msix, "MSI-X capability: >= 6 vectors, table in BAR0 at 0x4000");
	CHECK(types == ((1u << VIRTIO_PCI_CAP_COMMON_CFG) | (1u << VIRTIO_PCI_CAP_NOTIFY_CFG) |
			(1u << VIRTIO_PCI_CAP_ISR_CFG) | (1u << VIRTIO_PCI_CAP_DEVICE_CFG) |
			(1u << VIRTIO_PCI_CAP_SHARED_MEMORY_CFG)),
	      "virtio capabilities: common, notify, ISR, device, shared memory (mask 0x%x)", types);
	CHECK(cfg_read(0x100, 4, &v) == 0 || v == ~0u, "extended config space answers (0x%x)", v);
}

static int send_table(uint64_t gpa, uint64_t size, uint64_t off, int with_fd)
{
	struct vfc_mem_table t;
	struct vfc_status r;
	int ret;

	memset(&t, 0, sizeof(t));
	t.nregions = 1;
	t.nfds = 1;
	t.r[0].gpa = gpa;
	t.r[0].size = size;
	t.r[0].offset = off;
	ret = call(VFC_MEM_TABLE, &t, vfc_table_len(1), &r, sizeof(r), &ram_fd, with_fd ? 1 : 0);
	return ret ? ret : r.status;
}

static void check_driver(struct vfs_transport *t, struct vfsdrv *d)
{
	struct fuse_init_out io;
	unsigned msi0;
	uint64_t v = 0;
	int ret;

	ret = vfsdrv_probe(d, t);
	CHECK(ret == 0 && d->num_queues == 5 && !strcmp(d->tag, "vfpga") && d->have_shm,
	      "vfsdrv probe over the protocol: %d, %u queues, tag '%s', shm %d", ret, d->num_queues, d->tag,
	      d->have_shm);
	CHECK(mem_read(BAR0_ADDR + 0x3000, 4, &v) == 0 && !memcmp(&v, "vfpg", 4),
	      "BAR0 0x3000 (tag) reads 'vfpg': 0x%08llx", (unsigned long long)v);
	CHECK(mem_read(BAR0_ADDR + 0x3000, 8, &v) == 0 && !memcmp(&v, "vfpga\0\0\0", 8),
	      "8-byte BAR0 read of the tag: 0x%016llx", (unsigned long long)v);
	CHECK(send_table(RAM_GPA, RAM_SIZE, 0, 1) == 0, "MEM_TABLE with the guest RAM memfd accepted");
	msi0 = nmsi;
	ret = vfsdrv_start(d, 2, 64);
	CHECK(ret == 0, "virtio bring-up over the protocol: %d", ret);
	ret = vfsdrv_fuse_init(d, &io);
	CHECK(ret == 0 && io.major == 7 && io.minor == 38,
	      "FUSE_INIT through BAR0, the card's DMA in our memfd and MSI-X back: %d, %u.%u", ret, io.major,
	      io.minor);
	/* The reply may be in guest RAM before its MSI is read off the socket
	 * (the driver did not have to wait): give the message time to come. */
	for (int i = 0; i < 100 && nmsi == msi0; i++)
		if (wait_for(0, 0, NULL, 0, 50) < 0)
			break;
	CHECK(nmsi > msi0, "MSI messages arrived (%u)", nmsi - msi0);
	{
		/* the simulator wrote the host's time into the card's clock
		 * before our writes: within a few seconds of ours */
		struct vfsdrv_time tm;
		time_t now = time(NULL);

		ret = vfsdrv_time_get(d, &tm);
		CHECK(ret == 0 && tm.host_set && (long long)tm.sec >= (long long)now - 5 &&
		      (long long)tm.sec <= (long long)now + 5 && tm.refused == 0 && tm.malformed == 0,
		      "the card's clock follows the host's over the protocol: %d, %llu (host %lld), set %d, refused %u, malformed %u",
		      ret, (unsigned long long)tm.sec, (long long)now, tm.host_set, tm.refused, tm.malformed);
	}
}

static void check_bad_input(struct vfs_transport *t, struct vfsdrv *d)
{
	struct fuse_init_out io;
	uint64_t v = 0;
	uint32_t c = 0;
	int ret;

	/* Nonsense in the common configuration: the RTL decides what sticks. */
	mem_write(BAR0_ADDR + offsetof(struct virtio_pci_common_cfg, queue_select), 2, 0x1234);
	mem_write(BAR0_ADDR + offsetof(struct virtio_pci_common_cfg, queue_size), 2, 3);
	mem_write(BAR0_ADDR + offsetof(struct virtio_pci_common_cfg, queue_enable), 2, 7);
	mem_write(BAR0_ADDR + offsetof(struct virtio_pci_common_cfg, device_status), 1, 0xff);
	mem_write(BAR0_ADDR + 0x1000 + 4 * 9, 2, 0xbeef);	/* notify of a queue that does not exist */
	for (unsigned i = 0; i < 64; i++)
		mem_write(BAR0_ADDR + ((i * 0x1f4ull) & 0x2ffc), 4, 0xdeadbeef ^ (i * 0x01010101u));
	CHECK(cfg_read(0x00, 4, &c) == 0 && c == 0x105a1af4, "config space answers after nonsense writes");
	ret = vfsdrv_start(d, 2, 64);
	if (!ret)
		ret = vfsdrv_fuse_init(d, &io);
	CHECK(ret == 0, "after nonsense writes, a reset and a new bring-up serve FUSE_INIT: %d", ret);

	/* A reset in the middle of a request: the request is notified, then
	 * device_status 0 at once. The card must stay usable. */
	{
		struct vfsdrv_queue *vq = &d->q[1];
		uint16_t head = 0;

		memset(d->buf, 0, 64);
		((uint32_t *)d->buf)[0] = 64;	/* fuse_in_header.len */
		((uint32_t *)d->buf)[1] = 26;	/* FUSE_INIT */
		vq->desc[head].addr = d->buf_iova;
		vq->desc[head].len = 64;
		vq->desc[head].flags = 0;
		vq->avail->ring[vq->avail->idx % vq->size] = head;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		vq->avail->idx++;
		vfsdrv_notify(d, 1);
		mem_write(BAR0_ADDR + offsetof(struct virtio_pci_common_cfg, device_status), 1, 0);
	}
	ret = vfsdrv_start(d, 2, 64);
	if (!ret)
		ret = vfsdrv_fuse_init(d, &io);
	CHECK(ret == 0 && io.minor == 38, "reset mid-request, then a new bring-up: FUSE_INIT %d", ret);

	/* A request outside guest memory: vfpga-sim maps only the RAM of
	 * MEM_TABLE into the card's reach (as an IOMMU would), so the card's
	 * read of it is refused with UR (proto.sh checks the count), the card
	 * gives the device up, and a reset brings it back. */
	{
		struct vfsdrv_queue *vq = &d->q[1];
		uint16_t head = 0;

		vq->desc[head].addr = RAM_GPA + RAM_SIZE + 0x10000;
		vq->desc[head].len = 64;
		vq->desc[head].flags = 0;
		vq->avail->ring[vq->avail->idx % vq->size] = head;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		vq->avail->idx++;
		vfsdrv_notify(d, 1);
		for (int i = 0; i < 20 && !(dev_status() & 0x40); i++)
			usleep(50000);
		CHECK(dev_status() & 0x40, "a request outside guest memory: the card sets DEVICE_NEEDS_RESET (status 0x%02x)",
		      dev_status());
	}
	ret = vfsdrv_start(d, 2, 64);
	if (!ret)
		ret = vfsdrv_fuse_init(d, &io);
	CHECK(ret == 0 && io.minor == 38, "after the refused read, a reset and a new bring-up: FUSE_INIT %d", ret);

	/* Outside the BARs and outside the registers: whatever the RTL says,
	 * as a status, never a hang. */
	ret = mem_read(BAR0_ADDR + 0x7ff8, 4, &v);
	printf("BAR0 0x7ff8 (no register): status %d value 0x%llx\n", ret, (unsigned long long)v);
	CHECK(ret == 0 || ret == -EIO, "read of an unused BAR0 offset answered: %d", ret);
	ret = mem_read(0xc0000000ull, 4, &v);
	printf("0xc0000000 (no BAR there): status %d value 0x%llx\n", ret, (unsigned long long)v);
	CHECK(ret == -EIO || ret == -ETIMEDOUT, "read outside every BAR fails: %d", ret);
	CHECK(mem_read(BAR2_ADDR + (1ull << 30) - 8, 8, &v) == 0, "last 8 bytes of BAR2 (DAX window) read");
	/* No SETUPMAPPING yet: every window page is unmapped (docs/dax.md), so
	 * the write is dropped and the page reads zeros. */
	CHECK(mem_write(BAR2_ADDR + 0x1000, 8, 0x0123456789abcdefull) == 0 &&
	      mem_read(BAR2_ADDR + 0x1000, 8, &v) == 0 && v == 0,
	      "BAR2 unmapped page: write dropped, reads zeros: 0x%llx", (unsigned long long)v);
	CHECK(cfg_read(0x00, 4, &c) == 0 && c == 0x105a1af4, "config space still answers");
	(void)t;
}

static void check_malformed(void)
{
	struct vfc_hello hello = { .version = VFC_VERSION }, hr;
	uint8_t junk[64] = { 0 };
	struct vfc_hdr h;
	struct vfc_value r;
	uint32_t v;
	int ret;

	memset(&h, 0, sizeof(h));
	h.type = VFC_CFG_READ;
	h.len = 12;
	h.seq = ++seq;
	send_raw(&h, junk, 12, NULL, 0);
	ret = wait_for(h.seq, VFC_CFG_READ | VFC_REPLY, &r, sizeof(r), WAIT_MS);
	CHECK(ret == 2 && last_err.status == -EMSGSIZE && last_err_seq == h.seq && last_err.type == VFC_CFG_READ,
	      "CFG_READ with a 12-byte payload refused: %d (%d, '%s')", ret, last_err.status, last_err.text);
	CHECK(call(VFC_HELLO, &hello, sizeof(hello), &hr, sizeof(hr), NULL, 0) == 0,
	      "the connection still serves after a refused message");

	h.type = 0x0777;
	h.len = 8;
	h.seq = ++seq;
	send_raw(&h, junk, 8, NULL, 0);
	CHECK(wait_for(h.seq, 0, NULL, 0, WAIT_MS) == 2 && last_err.status == -EPROTO,
	      "unknown type refused ('%s')", last_err.text);

	h.type = VFC_CFG_READ | VFC_REPLY;
	h.len = sizeof(struct vfc_value);
	h.seq = ++seq;
	send_raw(&h, junk, h.len, NULL, 0);
	CHECK(wait_for(h.seq, 0, NULL, 0, WAIT_MS) == 2, "a reply sent to the simulator is refused");

	h.type = VFC_HELLO;
	h.flags = 1;
	h.len = sizeof(hello);
	h.seq = ++seq;
	send_raw(&h, &hello, sizeof(hello), NULL, 0);
	CHECK(wait_for(h.seq, 0, NULL, 0, WAIT_MS) == 2, "non-zero flags refused ('%s')", last_err.text);
	h.flags = 0;

	{
		struct vfc_mem_table t;

		memset(&t, 0, sizeof(t));
		t.nregions = 3;
		h.type = VFC_MEM_TABLE;
		h.len = vfc_table_len(2);
		h.seq = ++seq;
		send_raw(&h, &t, h.len, NULL, 0);
		CHECK(wait_for(h.seq, 0, NULL, 0, WAIT_MS) == 2 && last_err.status == -EMSGSIZE,
		      "MEM_TABLE length for 2 regions claiming 3 refused ('%s')", last_err.text);
		t.nregions = VFC_MAX_REGIONS + 1;
		h.len = vfc_table_len(VFC_MAX_REGIONS);
		h.seq = ++seq;
		send_raw(&h, &t, h.len, NULL, 0);
		CHECK(wait_for(h.seq, 0, NULL, 0, WAIT_MS) == 2, "MEM_TABLE with 17 regions refused");
	}
	CHECK(send_table(RAM_GPA, RAM_SIZE, 0, 0) == -EINVAL, "MEM_TABLE naming a descriptor it did not send: -EINVAL");
	CHECK(send_table(RAM_GPA, RAM_SIZE, 4096, 1) == -EINVAL, "MEM_TABLE range past the end of its file: -EINVAL");
	CHECK(cfg_read(0x01, 4, &v) == -EINVAL, "misaligned config read: -EINVAL");
	CHECK(cfg_read(0x00, 3, &v) == -EINVAL, "3-byte config read: -EINVAL");
	CHECK(cfg_read(0x1000, 4, &v) == -EINVAL, "config read at 4096: -EINVAL");
	{
		uint64_t x;

		CHECK(mem_read(BAR0_ADDR, 16, &x) == -EINVAL, "16-byte BAR read: -EINVAL");
	}
	/* The refused table left the good one in place: the card still DMAs. */
	{
		struct vfc_hdr big = { .type = VFC_HELLO, .len = 1u << 20, .seq = ++seq };

		send_raw(&big, NULL, 0, NULL, 0);
		ret = wait_for(big.seq, 0, NULL, 0, WAIT_MS);
		CHECK(ret == 2 && last_err.status == -EMSGSIZE, "a length of 1 MiB refused: %d ('%s')", ret,
		      last_err.text);
		CHECK(wait_for(0, 0, NULL, 0, WAIT_MS) == -1, "... and the simulator closed the connection");
	}
}

static void bench(void)
{
	uint64_t t0, v;
	uint32_t c;
	const unsigned n = 2000;

	t0 = now_us();
	for (unsigned i = 0; i < n; i++)
		cfg_read(0x00, 4, &c);
	printf("bench: config read round trip %.1f us\n", (double)(now_us() - t0) / n);
	t0 = now_us();
	for (unsigned i = 0; i < n; i++)
		mem_read(BAR0_ADDR + 0x3000, 4, &v);
	printf("bench: BAR0 read round trip %.1f us\n", (double)(now_us() - t0) / n);
	t0 = now_us();
	for (unsigned i = 0; i < n; i++)
		mem_write(BAR2_ADDR + 8 * i, 8, i);
	printf("bench: BAR2 write round trip %.1f us\n", (double)(now_us() - t0) / n);
}

int main(int argc, char **argv)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct vfs_transport t = { .ops = &cosim_ops };
	static struct vfsdrv d;
	int do_bench = argc > 2 && !strcmp(argv[2], "--bench");

	if (argc < 2 || strlen(argv[1]) >= sizeof(a.sun_path)) {
		fprintf(stderr, "usage: proto_test SOCK [--bench]\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	strcpy(a.sun_path, argv[1]);
	sock = socket(AF_UNIX, SOCK_STREAM, 0);
	if (sock < 0 || connect(sock, (struct sockaddr *)&a, sizeof(a))) {
		perror("proto_test: connect");
		return 2;
	}
	ram_fd = memfd_create("guest-ram", MFD_CLOEXEC);
	if (ram_fd < 0 || ftruncate(ram_fd, RAM_SIZE)) {
		perror("proto_test: memfd");
		return 2;
	}
	ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, ram_fd, 0);
	if (ram == MAP_FAILED) {
		perror("proto_test: mmap");
		return 2;
	}

	check_identity();
	check_driver(&t, &d);
	if (do_bench)
		bench();
	check_bad_input(&t, &d);
	check_malformed();
	printf("%u passed, %u failed\n", passed, failed);
	return failed || !passed ? 1 : 0;	/* no check run is no pass */
}
