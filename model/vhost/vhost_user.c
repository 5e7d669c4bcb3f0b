/*
 * vhost-user back end: socket, messages, memory table, ring bookkeeping.
 * See vhost_user.h. Message layouts follow QEMU docs/interop/vhost-user.rst;
 * every payload size is checked against the request before it is read.
 */
#define _GNU_SOURCE
#include "vhost_user.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#define VU_HDR_SIZE	12u
#define VU_MAX_PAYLOAD	4096u
#define VU_MAX_FDS	VU_MAX_REGIONS
#define VU_VRING_IDX_MASK	0xffu
#define VU_VRING_NOFD		(1ull << 8)

/* On the wire the payload follows the 12-byte header directly; here it sits
 * at offset 16 so that its 64-bit fields are aligned. */
struct vu_msg {
	uint32_t request;
	uint32_t flags;
	uint32_t size;
	uint32_t unused;
	union {
		uint64_t u64;
		struct { uint32_t index, num; } state;
		struct {
			uint32_t index, flags;
			uint64_t desc, used, avail, log;
		} addr;
		struct {
			uint32_t nregions, padding;
			struct {
				uint64_t gpa, size, uva, mmap_offset;
			} regions[VU_MAX_REGIONS];
		} mem;
		struct {
			uint32_t offset, size, flags;
			uint8_t data[VU_MAX_CONFIG];
		} config;
		uint8_t raw[VU_MAX_PAYLOAD];
	} p;
};

_Static_assert(sizeof(((struct vu_msg *)0)->p.addr) == 40, "vring addr payload");
_Static_assert(sizeof(((struct vu_msg *)0)->p.mem.regions[0]) == 32, "memory region");

static void vu_log(const struct vu_dev *d, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", d->name ? d->name : "vhost-user");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void vring_reset(struct vu_vring *vq)
{
	close_fd(&vq->kick_fd);
	close_fd(&vq->call_fd);
	close_fd(&vq->err_fd);
	memset(vq, 0, sizeof(*vq));
	vq->kick_fd = vq->call_fd = vq->err_fd = -1;
}

static void unmap_regions(struct vu_dev *d)
{
	for (unsigned i = 0; i < d->nregions; i++)
		munmap(d->regions[i].map, d->regions[i].map_len);
	d->nregions = 0;
}

int vu_has_feature(const struct vu_dev *d, unsigned bit)
{
	return (d->acked >> bit) & 1;
}

uint64_t vu_gpa_span(struct vu_dev *d, uint64_t gpa, uint64_t len, void **host)
{
	for (unsigned i = 0; i < d->nregions; i++) {
		const struct vu_region *r = &d->regions[i];

		if (gpa >= r->gpa && gpa - r->gpa < r->size) {
			uint64_t off = gpa - r->gpa;
			uint64_t n = r->size - off < len ? r->size - off : len;

			*host = r->host + off;
			return n;
		}
	}
	*host = NULL;
	return 0;
}

void *vu_gpa_to_host(struct vu_dev *d, uint64_t gpa, uint64_t len)
{
	void *p;

	if (len == 0)
		len = 1;
	return vu_gpa_span(d, gpa, len, &p) == len ? p : NULL;
}

/* Ring addresses are in the front end's virtual address space. */
static void *uva_to_host(struct vu_dev *d, uint64_t uva, uint64_t len)
{
	for (unsigned i = 0; i < d->nregions; i++) {
		const struct vu_region *r = &d->regions[i];

		if (uva >= r->uva && uva - r->uva < r->size && len <= r->size - (uva - r->uva))
			return r->host + (uva - r->uva);
	}
	return NULL;
}

int vu_uva_to_gpa(struct vu_dev *d, uint64_t uva, uint64_t len, uint64_t *gpa)
{
	for (unsigned i = 0; i < d->nregions; i++) {
		const struct vu_region *r = &d->regions[i];

		if (uva >= r->uva && uva - r->uva < r->size && len <= r->size - (uva - r->uva)) {
			*gpa = r->gpa + (uva - r->uva);
			return 0;
		}
	}
	return -EFAULT;
}

/* Resolves a ring's three areas; a ring that does not fit is marked broken. */
static void resolve_ring(struct vu_dev *d, unsigned q)
{
	struct vu_vring *vq = &d->vq[q];
	uint64_t n = vq->num;

	vq->desc = NULL;
	vq->avail = NULL;
	vq->used = NULL;
	if (!n || !vq->desc_uva)
		return;
	vq->desc = uva_to_host(d, vq->desc_uva, n * sizeof(struct vring_desc));
	/* flags, idx, ring[n], used_event */
	vq->avail = uva_to_host(d, vq->avail_uva, 4 + 2 * n + 2);
	/* flags, idx, ring[n], avail_event */
	vq->used = uva_to_host(d, vq->used_uva, 4 + 8 * n + 2);
	vq->broken = !vq->desc || !vq->avail || !vq->used ||
		     (vq->desc_uva & 15) || (vq->avail_uva & 1) || (vq->used_uva & 3);
	if (vq->broken)
		vu_log(d, "queue %u: ring addresses outside guest memory or misaligned; queue not served", q);
}

static void stop_queue(struct vu_dev *d, unsigned q)
{
	if (d->vq[q].started && d->ops && d->ops->stop)
		d->ops->stop(d, q);
	d->vq[q].started = 0;
}

static void reset_device(struct vu_dev *d)
{
	for (unsigned q = 0; q < VU_MAX_QUEUES; q++) {
		stop_queue(d, q);
		vring_reset(&d->vq[q]);
	}
	d->status = 0;
}

int vu_init(struct vu_dev *d, const char *path, unsigned nqueues,
	    const void *config, uint32_t config_len,
	    const struct vu_ops *ops, void *ctx)
{
	struct sockaddr_un sa;
	const char *name = d->name;
	int verbose = d->verbose;

	memset(d, 0, sizeof(*d));
	d->name = name;
	d->verbose = verbose;
	d->fd = -1;
	d->listen_fd = -1;
	for (unsigned q = 0; q < VU_MAX_QUEUES; q++) {
		d->vq[q].kick_fd = d->vq[q].call_fd = d->vq[q].err_fd = -1;
	}
	if (nqueues == 0 || nqueues > VU_MAX_QUEUES || config_len > VU_MAX_CONFIG)
		return -EINVAL;
	d->nqueues = nqueues;
	memcpy(d->config, config, config_len);
	d->config_len = config_len;
	d->ops = ops;
	d->ctx = ctx;
	d->features = (1ull << VIRTIO_RING_F_INDIRECT_DESC) |
		      (1ull << VIRTIO_RING_F_EVENT_IDX) |
		      (1ull << 32 /* VIRTIO_F_VERSION_1 */) |
		      (1ull << VU_F_PROTOCOL_FEATURES);
	d->proto_features = (1ull << VU_PROTOCOL_F_MQ) |
			    (1ull << VU_PROTOCOL_F_REPLY_ACK) |
			    (1ull << VU_PROTOCOL_F_CONFIG);

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	strcpy(sa.sun_path, path);
	d->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (d->listen_fd < 0)
		return -errno;
	unlink(path);
	if (bind(d->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(d->listen_fd, 1) < 0) {
		int err = -errno;

		close_fd(&d->listen_fd);
		return err;
	}
	return 0;
}

int vu_accept(struct vu_dev *d)
{
	int fd;

	do
		fd = accept4(d->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return -errno;
	d->fd = fd;
	d->acked = 0;
	d->proto_acked = 0;
	return 0;
}

void vu_disconnect(struct vu_dev *d)
{
	reset_device(d);
	unmap_regions(d);
	close_fd(&d->fd);
}

void vu_close(struct vu_dev *d, const char *path)
{
	vu_disconnect(d);
	close_fd(&d->listen_fd);
	if (path)
		unlink(path);
}

void vu_notify(struct vu_dev *d, unsigned q)
{
	uint64_t one = 1;

	if (q < VU_MAX_QUEUES && d->vq[q].call_fd >= 0) {
		if (write(d->vq[q].call_fd, &one, sizeof(one)) == sizeof(one))
			d->notifies++;
	}
}

/* Reads one message with its ancillary fds. Returns the number of fds, or
 * -1 on disconnect or a malformed message. */
static int recv_msg(struct vu_dev *d, struct vu_msg *m, int *fds)
{
	char cbuf[CMSG_SPACE(VU_MAX_FDS * sizeof(int))];
	struct iovec iov = { .iov_base = m, .iov_len = VU_HDR_SIZE };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	int nfds = 0;
	ssize_t n;

	do
		n = recvmsg(d->fd, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		return -1;
	if (n != VU_HDR_SIZE) {
		vu_log(d, "short message header (%zd bytes)", n);
		return -1;
	}
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			int k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

			for (int i = 0; i < k; i++) {
				int fd;

				memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
				if (nfds < VU_MAX_FDS)
					fds[nfds++] = fd;
				else
					close(fd);
			}
		}
	}
	if (m->size > sizeof(m->p)) {
		vu_log(d, "message %u: payload of %u bytes is too large", m->request, m->size);
		goto bad;
	}
	for (uint32_t got = 0; got < m->size;) {
		n = read(d->fd, m->p.raw + got, m->size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			vu_log(d, "message %u: truncated payload", m->request);
			goto bad;
		}
		got += n;
	}
	return nfds;
bad:
	for (int i = 0; i < nfds; i++)
		close(fds[i]);
	return -1;
}

static int send_reply(struct vu_dev *d, struct vu_msg *m, uint32_t size)
{
	struct iovec iov[2] = {
		{ .iov_base = m, .iov_len = VU_HDR_SIZE },
		{ .iov_base = &m->p, .iov_len = size },
	};
	ssize_t n;

	m->flags = VU_FLAG_VERSION | VU_FLAG_REPLY;
	m->size = size;
	do
		n = writev(d->fd, iov, 2);
	while (n < 0 && errno == EINTR);
	/* Replies are small: a short write means the front end is gone. */
	return n == (ssize_t)(VU_HDR_SIZE + size) ? 0 : -1;
}

static int reply_u64(struct vu_dev *d, struct vu_msg *m, uint64_t v)
{
	m->p.u64 = v;
	return send_reply(d, m, sizeof(uint64_t));
}

static int need_size(struct vu_dev *d, const struct vu_msg *m, uint32_t size)
{
	if (m->size < size) {
		vu_log(d, "message %u: payload %u bytes, need %u", m->request, m->size, size);
		return 0;
	}
	return 1;
}

static int queue_of(const struct vu_dev *d, uint32_t index, unsigned *q)
{
	if (index >= d->nqueues) {
		vu_log(d, "queue %u does not exist", index);
		return -EINVAL;
	}
	*q = index;
	return 0;
}

static int set_mem_table(struct vu_dev *d, const struct vu_msg *m, int *fds, int nfds)
{
	uint32_t n = m->p.mem.nregions;

	if (!need_size(d, m, 8) || n > VU_MAX_REGIONS || (int)n != nfds ||
	    m->size < 8 + n * sizeof(m->p.mem.regions[0])) {
		vu_log(d, "SET_MEM_TABLE: %u regions with %d fds refused", n, nfds);
		return -EINVAL;
	}
	unmap_regions(d);
	for (uint32_t i = 0; i < n; i++) {
		const typeof(m->p.mem.regions[0]) *src = &m->p.mem.regions[i];
		struct vu_region *r = &d->regions[d->nregions];
		size_t len = src->size + src->mmap_offset;
		void *p;

		if (!src->size || len < src->size) {
			vu_log(d, "SET_MEM_TABLE: region %u has a bad size", i);
			goto fail;
		}
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, fds[i], 0);
		if (p == MAP_FAILED) {
			vu_log(d, "SET_MEM_TABLE: mmap of region %u (%llu bytes) failed: %s", i,
			       (unsigned long long)len, strerror(errno));
			goto fail;
		}
		r->gpa = src->gpa;
		r->size = src->size;
		r->uva = src->uva;
		r->map = p;
		r->map_len = len;
		r->host = (uint8_t *)p + src->mmap_offset;
		d->nregions++;
		if (d->verbose)
			vu_log(d, "region %u: gpa 0x%llx size 0x%llx", i,
			       (unsigned long long)r->gpa, (unsigned long long)r->size);
	}
	for (int i = 0; i < nfds; i++)
		close(fds[i]);
	for (unsigned q = 0; q < VU_MAX_QUEUES; q++)
		resolve_ring(d, q);
	if (d->ops && d->ops->mem_changed)
		d->ops->mem_changed(d);
	return 0;
fail:
	unmap_regions(d);
	for (int i = 0; i < nfds; i++)
		close(fds[i]);
	return -EINVAL;
}

/* SET_VRING_KICK/CALL/ERR: payload index | NOFD flag, fd attached unless NOFD. */
static int set_vring_fd(struct vu_dev *d, const struct vu_msg *m, int *fds, int nfds, int **slot)
{
	unsigned q;
	int nofd;

	if (!need_size(d, m, 8))
		return -EINVAL;
	q = m->p.u64 & VU_VRING_IDX_MASK;
	nofd = !!(m->p.u64 & VU_VRING_NOFD);
	if (q >= d->nqueues || nofd != (nfds == 0) || nfds > 1) {
		vu_log(d, "message %u: queue %u with %d fds refused", m->request, q, nfds);
		return -EINVAL;
	}
	switch (m->request) {
	case VU_SET_VRING_KICK:
		*slot = &d->vq[q].kick_fd;
		break;
	case VU_SET_VRING_CALL:
		*slot = &d->vq[q].call_fd;
		break;
	default:
		*slot = &d->vq[q].err_fd;
		break;
	}
	close_fd(*slot);
	**slot = nofd ? -1 : fds[0];
	return q;
}

static int handle(struct vu_dev *d, struct vu_msg *m, int *fds, int nfds)
{
	int *slot;
	unsigned q;
	int err = 0;

	switch (m->request) {
	case VU_GET_FEATURES:
		return reply_u64(d, m, d->features);
	case VU_SET_FEATURES:
		if (!need_size(d, m, 8))
			return -1;
		if (m->p.u64 & ~d->features) {
			vu_log(d, "SET_FEATURES: 0x%llx has bits never offered",
			       (unsigned long long)m->p.u64);
			err = -EINVAL;
			break;
		}
		d->acked = m->p.u64;
		break;
	case VU_GET_PROTOCOL_FEATURES:
		return reply_u64(d, m, d->proto_features);
	case VU_SET_PROTOCOL_FEATURES:
		if (!need_size(d, m, 8))
			return -1;
		d->proto_acked = m->p.u64 & d->proto_features;
		break;
	case VU_SET_OWNER:
		break;
	case VU_RESET_OWNER:
	case VU_RESET_DEVICE:
		reset_device(d);
		break;
	case VU_GET_QUEUE_NUM:
		return reply_u64(d, m, d->nqueues);
	case VU_GET_MAX_MEM_SLOTS:
		return reply_u64(d, m, VU_MAX_REGIONS);
	case VU_SET_MEM_TABLE:
		err = set_mem_table(d, m, fds, nfds);
		nfds = 0;
		break;
	case VU_SET_VRING_NUM:
		if (!need_size(d, m, 8))
			return -1;
		q = m->p.state.index;
		if (q >= d->nqueues || !m->p.state.num || m->p.state.num > 32768 ||
		    (m->p.state.num & (m->p.state.num - 1))) {
			vu_log(d, "SET_VRING_NUM: queue %u size %u refused", q, m->p.state.num);
			err = -EINVAL;
			break;
		}
		d->vq[q].num = m->p.state.num;
		resolve_ring(d, q);
		break;
	case VU_SET_VRING_ADDR:
		if (!need_size(d, m, sizeof(m->p.addr)))
			return -1;
		if ((err = queue_of(d, m->p.addr.index, &q)))
			break;
		d->vq[q].desc_uva = m->p.addr.desc;
		d->vq[q].avail_uva = m->p.addr.avail;
		d->vq[q].used_uva = m->p.addr.used;
		resolve_ring(d, q);
		/* Continue from where the ring is (e.g. after a stop and restart). */
		if (d->vq[q].used)
			d->vq[q].used_idx = d->vq[q].used->idx;
		break;
	case VU_SET_VRING_BASE:
		if (!need_size(d, m, 8))
			return -1;
		if ((err = queue_of(d, m->p.state.index, &q)))
			break;
		d->vq[q].last_avail = m->p.state.num;
		d->vq[q].used_idx = m->p.state.num;
		d->vq[q].signalled_valid = 0;
		break;
	case VU_GET_VRING_BASE:
		if (!need_size(d, m, 8))
			return -1;
		q = m->p.state.index;
		if (q >= d->nqueues)
			return -1;
		stop_queue(d, q);
		close_fd(&d->vq[q].kick_fd);
		d->vq[q].polled = 0;
		m->p.state.num = d->vq[q].last_avail;
		return send_reply(d, m, sizeof(m->p.state));
	case VU_SET_VRING_KICK: {
		int r = set_vring_fd(d, m, fds, nfds, &slot);

		nfds = 0;
		if (r < 0) {
			err = r;
			break;
		}
		d->vq[r].polled = *slot < 0;
		d->vq[r].started = 1;
		/* Without protocol features a ring is enabled once it is kicked. */
		if (!vu_has_feature(d, VU_F_PROTOCOL_FEATURES))
			d->vq[r].enabled = 1;
		if (d->ops && d->ops->kick)
			d->ops->kick(d, r);
		break;
	}
	case VU_SET_VRING_CALL:
	case VU_SET_VRING_ERR: {
		int r = set_vring_fd(d, m, fds, nfds, &slot);

		nfds = 0;
		if (r < 0)
			err = r;
		break;
	}
	case VU_SET_VRING_ENABLE:
		if (!need_size(d, m, 8))
			return -1;
		if ((err = queue_of(d, m->p.state.index, &q)))
			break;
		d->vq[q].enabled = !!m->p.state.num;
		if (d->vq[q].enabled && d->vq[q].started && d->ops && d->ops->kick)
			d->ops->kick(d, q);
		break;
	case VU_GET_CONFIG: {
		uint32_t off, size;

		if (!need_size(d, m, 12))
			return -1;
		off = m->p.config.offset;
		size = m->p.config.size;
		if (size > VU_MAX_CONFIG || m->size < 12 + size) {
			vu_log(d, "GET_CONFIG: size %u refused", size);
			return -1;
		}
		/* Bytes past the device's config read as zero. */
		memset(m->p.config.data, 0, size);
		if (off < d->config_len)
			memcpy(m->p.config.data, d->config + off,
			       size < d->config_len - off ? size : d->config_len - off);
		return send_reply(d, m, 12 + size);
	}
	case VU_SET_CONFIG:
		/* virtio-fs config is read-only. */
		err = -EPERM;
		break;
	case VU_SET_STATUS:
		if (!need_size(d, m, 8))
			return -1;
		d->status = (uint8_t)m->p.u64;
		break;
	case VU_GET_STATUS:
		return reply_u64(d, m, d->status);
	case VU_SET_LOG_BASE:
	case VU_SET_LOG_FD:
	case VU_SET_SLAVE_REQ_FD:
	default:
		vu_log(d, "message %u not supported", m->request);
		err = -ENOTSUP;
		break;
	}
	for (int i = 0; i < nfds; i++)
		close(fds[i]);
	if ((m->flags & VU_FLAG_NEED_REPLY) &&
	    (d->proto_acked & (1ull << VU_PROTOCOL_F_REPLY_ACK)))
		return reply_u64(d, m, err ? 1 : 0);
	return 0;
}

int vu_handle_message(struct vu_dev *d)
{
	static struct vu_msg m;
	int fds[VU_MAX_FDS];
	int nfds;

	memset(&m, 0, offsetof(struct vu_msg, p) + sizeof(uint64_t) * 2);
	nfds = recv_msg(d, &m, fds);
	if (nfds < 0)
		goto gone;
	if ((m.flags & 0x3) != VU_FLAG_VERSION) {
		vu_log(d, "message %u: unsupported protocol version flags 0x%x", m.request, m.flags);
		for (int i = 0; i < nfds; i++)
			close(fds[i]);
		goto gone;
	}
	d->msgs++;
	if (d->verbose)
		vu_log(d, "message %u size %u fds %d", m.request, m.size, nfds);
	if (handle(d, &m, fds, nfds) < 0)
		goto gone;
	return 0;
gone:
	vu_disconnect(d);
	return -1;
}

int vu_serve(struct vu_dev *d, volatile int *stop)
{
	struct pollfd pfd[1 + VU_MAX_QUEUES];
	unsigned qmap[1 + VU_MAX_QUEUES];
	int idle = 1;	/* idle work may be left: poll without blocking */

	while (!*stop && d->fd >= 0) {
		int n = 1, timeout = idle && d->ops && d->ops->idle ? 0 : -1, ready;

		pfd[0].fd = d->fd;
		pfd[0].events = POLLIN;
		for (unsigned q = 0; q < d->nqueues; q++) {
			struct vu_vring *vq = &d->vq[q];

			if (!vq->started)
				continue;
			if (vq->polled) {
				if (timeout)
					timeout = 1;
				continue;
			}
			pfd[n].fd = vq->kick_fd;
			pfd[n].events = POLLIN;
			qmap[n++] = q;
		}
		ready = poll(pfd, n, timeout);
		if (ready < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		/* nothing came: a step of idle work; something came: a request
		 * may leave some (a FORGET), look again after the next poll */
		if (ready == 0 && d->ops && d->ops->idle)
			idle = d->ops->idle(d);
		else if (ready > 0)
			idle = 1;
		for (int i = 1; i < n; i++) {
			uint64_t v;

			if (!(pfd[i].revents & POLLIN))
				continue;
			if (read(pfd[i].fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
				continue;
			if (d->ops && d->ops->kick)
				d->ops->kick(d, qmap[i]);
		}
		for (unsigned q = 0; q < d->nqueues; q++)
			if (d->vq[q].started && d->vq[q].polled && d->ops && d->ops->kick)
				d->ops->kick(d, q);
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR))
			if (vu_handle_message(d) < 0)
				return 0;
	}
	return 0;
}
