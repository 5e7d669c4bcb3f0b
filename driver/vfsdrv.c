#include "vfsdrv.h"

#include "fuse_req.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "soc_map.h"

#include <linux/virtio_config.h>
#include <linux/virtio_fs.h>
#include <linux/virtio_pci.h>

#define VIRTIO_VENDOR 0x1af4
#ifndef VIRTIO_PCI_CAP_VENDOR_CFG
#define VIRTIO_PCI_CAP_VENDOR_CFG 9	/* virtio 1.2 vendor data; Linux 6.1's uapi lacks it */
#endif
#define VIRTIO_FS_DEVICE (0x1040 + 26)
#define CAP_MAX_STEPS 48
#define REQ_AREA 0x8000u	/* request at buf[0..), reply at buf[REQ_AREA..) */
/* a reply of a 128 KiB READ (the READ fast path's largest) and its header */
#define BUF_LEN (REQ_AREA + 0x21000u)
#define REPLY_TIMEOUT_MS 2000

_Static_assert(sizeof(struct virtio_pci_cap) == 16, "virtio_pci_cap");
_Static_assert(sizeof(struct virtio_pci_cap64) == 24, "virtio_pci_cap64");
_Static_assert(sizeof(struct virtio_fs_config) == 40, "virtio_fs_config");
_Static_assert(offsetof(struct virtio_pci_common_cfg, queue_used_hi) == 0x34, "common_cfg");

#define COMMON(f) offsetof(struct virtio_pci_common_cfg, f)

static int cfg_rd(struct vfsdrv *d, uint16_t off, void *v, size_t n)
{
	return d->t->ops->cfg_read(d->t, off, v, n);
}

static int cfg_wr(struct vfsdrv *d, uint16_t off, const void *v, size_t n)
{
	return d->t->ops->cfg_write(d->t, off, v, n);
}

static int common_rd(struct vfsdrv *d, size_t off, void *v, size_t n)
{
	return d->t->ops->bar_read(d->t, d->common.bar, d->common.offset + off, v, n);
}

static int common_wr(struct vfsdrv *d, size_t off, uint64_t v, size_t n)
{
	return d->t->ops->bar_write(d->t, d->common.bar, d->common.offset + off, &v, n);
}

static uint8_t status_rd(struct vfsdrv *d)
{
	uint8_t s = 0xff;

	common_rd(d, COMMON(device_status), &s, 1);
	return s;
}

const char *vfsdrv_feature_name(unsigned bit)
{
	switch (bit) {
	case VIRTIO_RING_F_INDIRECT_DESC: return "RING_INDIRECT_DESC";
	case VIRTIO_RING_F_EVENT_IDX: return "RING_EVENT_IDX";
	case VIRTIO_F_VERSION_1: return "VERSION_1";
	case VIRTIO_F_ACCESS_PLATFORM: return "ACCESS_PLATFORM";
	case VIRTIO_F_RING_PACKED: return "RING_PACKED";
	case VIRTIO_F_IN_ORDER: return "IN_ORDER";
	case VIRTIO_F_ORDER_PLATFORM: return "ORDER_PLATFORM";
	case VIRTIO_F_SR_IOV: return "SR_IOV";
	default: return NULL;
	}
}

static int read_vendor_cap(struct vfsdrv *d, uint8_t at, struct vfsdrv_cap *c)
{
	struct virtio_pci_cap64 cap;
	int ret;

	memset(&cap, 0, sizeof(cap));
	ret = cfg_rd(d, at, &cap.cap, sizeof(cap.cap));
	if (ret)
		return ret;
	if (cap.cap.cap_len < sizeof(cap.cap) || cap.cap.bar > 5)
		return -EIO;
	c->at = at;
	c->bar = cap.cap.bar;
	c->id = cap.cap.id;
	c->type = cap.cap.cfg_type;
	c->offset = cap.cap.offset;
	c->length = cap.cap.length;
	c->offset64 = cap.cap.offset;
	c->length64 = cap.cap.length;
	if (c->type == VIRTIO_PCI_CAP_SHARED_MEMORY_CFG) {
		if (cap.cap.cap_len < sizeof(cap))
			return -EIO;
		ret = cfg_rd(d, at + 16, &cap.offset_hi, 8);
		if (ret)
			return ret;
		c->offset64 |= (uint64_t)cap.offset_hi << 32;
		c->length64 |= (uint64_t)cap.length_hi << 32;
	}
	return 0;
}

/* Vendor data (virtio 1.2: cap_vndr, cap_next, cap_len, cfg_type 9, then
 * vendor_id): ours is vendor 0x1af4 with what, version, bar, offset and
 * length of a BAR block. Other vendors' data is skipped, as the spec asks. */
static int read_vendor_data(struct vfsdrv *d, uint8_t at)
{
	uint8_t raw[20];
	uint32_t off, len;
	int ret;

	if ((ret = cfg_rd(d, at, raw, 4)))
		return ret;
	if (raw[2] < 8)
		return -EIO;
	if ((ret = cfg_rd(d, at + 4, raw + 4, 4)))
		return ret;
	if ((raw[4] | raw[5] << 8) != VIRTIO_VENDOR || raw[6] != VFSDRV_VNDR_CLOCK)
		return 0;
	if (raw[2] < sizeof(raw))
		return -EIO;
	if ((ret = cfg_rd(d, at + 8, raw + 8, 12)))
		return ret;
	memcpy(&off, raw + 12, 4);
	memcpy(&len, raw + 16, 4);
	if (raw[8] > 5 || len < SOC_TIME_TICK_NS + 4)
		return -EIO;
	if (d->have_clock++)
		return 0;
	d->clock.at = at;
	d->clock.bar = raw[8];
	d->clock.type = VIRTIO_PCI_CAP_VENDOR_CFG;
	d->clock.id = raw[7];		/* layout version */
	d->clock.offset = off;
	d->clock.length = len;
	d->clock.offset64 = off;
	d->clock.length64 = len;
	return 0;
}

#define MAX_TRANSPORTS 4

static struct {
	const char *name;
	vfs_transport_open_fn open;
} transports[MAX_TRANSPORTS];

int vfs_transport_register(const char *name, vfs_transport_open_fn open)
{
	for (unsigned i = 0; i < MAX_TRANSPORTS; i++)
		if (!transports[i].name) {
			transports[i].name = name;
			transports[i].open = open;
			return 0;
		}
	return -ENOSPC;
}

vfs_transport_open_fn vfs_transport_lookup(const char *name)
{
	for (unsigned i = 0; i < MAX_TRANSPORTS && transports[i].name; i++)
		if (!strcmp(transports[i].name, name))
			return transports[i].open;
	return NULL;
}

int vfsdrv_probe(struct vfsdrv *d, struct vfs_transport *t)
{
	uint32_t id = 0, cls = 0, sel;
	uint16_t status = 0;
	uint8_t ptr = 0, seen[256] = { 0 };
	int ret, steps = 0;
	int have_common = 0, have_notify = 0, have_isr = 0, have_dev = 0;

	memset(d, 0, sizeof(*d));
	d->t = t;
	if (t->ops->enumerate && (ret = t->ops->enumerate(t)))
		return ret;
	if ((ret = cfg_rd(d, 0x00, &id, 4)) || (ret = cfg_rd(d, 0x08, &cls, 4)) ||
	    (ret = cfg_rd(d, 0x06, &status, 2)))
		return ret;
	d->vendor = (uint16_t)id;
	d->device = (uint16_t)(id >> 16);
	d->revision = (uint8_t)cls;
	d->class_code = cls >> 8;
	if (d->vendor != VIRTIO_VENDOR || d->device != VIRTIO_FS_DEVICE || d->revision < 1)
		return -ENODEV;		/* not a modern virtio-fs function */
	if (!(status & 0x10))
		return -EIO;		/* no capability list */
	if ((ret = cfg_rd(d, 0x34, &ptr, 1)))
		return ret;
	while (ptr) {
		uint8_t hdr[2];

		if (ptr < 0x40 || (ptr & 3) || seen[ptr] || ++steps > CAP_MAX_STEPS)
			return -EIO;	/* out of range, misaligned, or a loop */
		seen[ptr] = 1;
		if ((ret = cfg_rd(d, ptr, hdr, 2)))
			return ret;
		if (hdr[0] == 0x10) {
			d->pcie_at = ptr;
		} else if (hdr[0] == 0x11) {
			uint16_t ctl;

			d->msix_at = ptr;
			if ((ret = cfg_rd(d, ptr + 2, &ctl, 2)))
				return ret;
			d->msix_size = (ctl & 0x7ff) + 1;
		} else if (hdr[0] == 0x09) {
			struct vfsdrv_cap c;
			uint8_t type = 0;

			if ((ret = cfg_rd(d, ptr + 3, &type, 1)))
				return ret;
			if (type == VIRTIO_PCI_CAP_VENDOR_CFG) {
				if ((ret = read_vendor_data(d, ptr)))
					return ret;
				ptr = hdr[1];
				continue;
			}
			if ((ret = read_vendor_cap(d, ptr, &c)))
				return ret;
			switch (c.type) {
			case VIRTIO_PCI_CAP_COMMON_CFG:
				if (!have_common++)
					d->common = c;
				break;
			case VIRTIO_PCI_CAP_NOTIFY_CFG:
				if (!have_notify++) {
					d->notify = c;
					if ((ret = cfg_rd(d, ptr + 16, &d->notify_mult, 4)))
						return ret;
				}
				break;
			case VIRTIO_PCI_CAP_ISR_CFG:
				if (!have_isr++)
					d->isr = c;
				break;
			case VIRTIO_PCI_CAP_DEVICE_CFG:
				if (!have_dev++)
					d->devcfg = c;
				break;
			case VIRTIO_PCI_CAP_SHARED_MEMORY_CFG:
				if (!d->have_shm++)
					d->shm = c;
				break;
			default:
				break;
			}
		}
		ptr = hdr[1];
	}
	if (!have_common || !have_notify || !have_isr || !have_dev || !d->msix_at ||
	    d->common.length < sizeof(struct virtio_pci_common_cfg) ||
	    d->devcfg.length < sizeof(struct virtio_fs_config))
		return -EIO;
	for (sel = 0; sel < 2; sel++) {
		uint32_t f = 0;

		if ((ret = common_wr(d, COMMON(device_feature_select), sel, 4)) ||
		    (ret = common_rd(d, COMMON(device_feature), &f, 4)))
			return ret;
		d->device_features |= (uint64_t)f << (32 * sel);
	}
	if ((ret = common_rd(d, COMMON(num_queues), &d->num_queues, 2)))
		return ret;
	for (unsigned i = 0; i < 36; i += 4)
		if ((ret = t->ops->bar_read(t, d->devcfg.bar, d->devcfg.offset + i, d->tag + i, 4)))
			return ret;
	d->tag[36] = 0;
	return t->ops->bar_read(t, d->devcfg.bar,
				d->devcfg.offset + offsetof(struct virtio_fs_config, num_request_queues),
				&d->num_request_queues, 4);
}

static const char *cap_name(uint8_t type)
{
	switch (type) {
	case VIRTIO_PCI_CAP_COMMON_CFG: return "common";
	case VIRTIO_PCI_CAP_NOTIFY_CFG: return "notify";
	case VIRTIO_PCI_CAP_ISR_CFG: return "isr";
	case VIRTIO_PCI_CAP_DEVICE_CFG: return "device";
	case VIRTIO_PCI_CAP_SHARED_MEMORY_CFG: return "shared-memory";
	case VIRTIO_PCI_CAP_VENDOR_CFG: return "vendor: clock";
	default: return "?";
	}
}

static void print_cap(FILE *f, const struct vfsdrv_cap *c)
{
	fprintf(f, "  virtio %-13s at 0x%02x: BAR%u offset 0x%llx length 0x%llx", cap_name(c->type), c->at,
		c->bar, (unsigned long long)c->offset64, (unsigned long long)c->length64);
	if (c->type == VIRTIO_PCI_CAP_SHARED_MEMORY_CFG)
		fprintf(f, " id %u%s", c->id, c->id == VIRTIO_FS_SHMCAP_ID_CACHE ? " (DAX cache window)" : "");
	fprintf(f, "\n");
}

void vfsdrv_print_info(const struct vfsdrv *d, FILE *f)
{
	struct vfsdrv *m = (struct vfsdrv *)d;

	fprintf(f, "device %04x:%04x revision %u class %06x (virtio-fs, modern)\n", d->vendor, d->device,
		d->revision, d->class_code);
	for (int b = 0; b < 6; b += 2) {
		uint32_t lo = 0, hi = 0;

		cfg_rd(m, (uint16_t)(0x10 + 4 * b), &lo, 4);
		cfg_rd(m, (uint16_t)(0x14 + 4 * b), &hi, 4);
		if (lo)
			fprintf(f, "BAR%d: 0x%llx%s%s\n", b, (unsigned long long)((uint64_t)hi << 32 | (lo & ~0xfu)),
				((lo >> 1) & 3) == 2 ? " 64-bit" : "", lo & 8 ? " prefetchable" : "");
	}
	fprintf(f, "capabilities:\n");
	if (d->pcie_at)
		fprintf(f, "  PCI Express      at 0x%02x\n", d->pcie_at);
	fprintf(f, "  MSI-X            at 0x%02x: %u vectors\n", d->msix_at, d->msix_size);
	print_cap(f, &d->common);
	print_cap(f, &d->notify);
	fprintf(f, "                   notify_off_multiplier %u\n", d->notify_mult);
	print_cap(f, &d->isr);
	print_cap(f, &d->devcfg);
	if (d->have_shm)
		print_cap(f, &d->shm);
	if (d->have_clock)
		print_cap(f, &d->clock);
	fprintf(f, "device features: 0x%016llx\n", (unsigned long long)d->device_features);
	for (unsigned b = 0; b < 64; b++)
		if (d->device_features >> b & 1) {
			const char *n = vfsdrv_feature_name(b);

			if (n)
				fprintf(f, "  %s\n", n);
			else
				fprintf(f, "  bit %u\n", b);
		}
	fprintf(f, "tag: \"%s\"\n", d->tag);
	fprintf(f, "num_request_queues: %u\n", d->num_request_queues);
	fprintf(f, "queues: %u (hiprio + %u request)\n", d->num_queues, d->num_queues ? d->num_queues - 1 : 0);
	for (unsigned q = 0; q < d->num_queues && q < VFSDRV_MAX_QUEUES; q++) {
		uint16_t size = 0;

		common_wr(m, COMMON(queue_select), q, 2);
		common_rd(m, COMMON(queue_size), &size, 2);
		fprintf(f, "  queue %u: up to %u entries\n", q, size);
	}
}

static void free_queues(struct vfsdrv *d)
{
	for (unsigned q = 0; q < VFSDRV_MAX_QUEUES; q++)
		if (d->q[q].mem) {
			d->t->ops->dma_free(d->t, d->q[q].mem, d->q[q].mem_len);
			memset(&d->q[q], 0, sizeof(d->q[q]));
		}
	if (d->buf) {
		d->t->ops->dma_free(d->t, d->buf, d->buf_len);
		d->buf = NULL;
	}
}

static int setup_msix(struct vfsdrv *d, unsigned nvec)
{
	uint32_t table = 0, bir;
	uint16_t ctl = 0;
	int ret;

	if ((ret = cfg_rd(d, d->msix_at + 4, &table, 4)))
		return ret;
	bir = table & 7;
	table &= ~7u;
	for (unsigned v = 0; v < nvec && v < d->msix_size; v++) {
		uint32_t e[4] = { VFSDRV_MSI_ADDR + 16 * v, 0, 0x40 + v, 0 };

		for (unsigned w = 0; w < 4; w++)
			if ((ret = d->t->ops->bar_write(d->t, (int)bir, table + 16 * v + 4 * w, &e[w], 4)))
				return ret;
	}
	if ((ret = cfg_rd(d, d->msix_at + 2, &ctl, 2)))
		return ret;
	ctl = (uint16_t)((ctl | 0x8000) & ~0x4000);
	return cfg_wr(d, d->msix_at + 2, &ctl, 2);
}

int vfsdrv_queue_attach(struct vfsdrv *d, unsigned q, unsigned size, uint64_t desc,
			uint64_t avail, uint64_t used, uint16_t vector)
{
	uint16_t max = 0, vec = 0, en = 0;
	int ret;

	if (q >= VFSDRV_MAX_QUEUES || size == 0 || (size & (size - 1)))
		return -EINVAL;
	if ((ret = common_wr(d, COMMON(queue_select), q, 2)) ||
	    (ret = common_rd(d, COMMON(queue_size), &max, 2)) ||
	    (ret = common_rd(d, COMMON(queue_notify_off), &d->q[q].notify_off, 2)))
		return ret;
	if (max == 0)
		return -ENOENT;
	if (size > max)
		return -EINVAL;
	if ((ret = common_wr(d, COMMON(queue_size), size, 2)) ||
	    (ret = common_wr(d, COMMON(queue_msix_vector), vector, 2)) ||
	    (ret = common_rd(d, COMMON(queue_msix_vector), &vec, 2)) ||
	    (ret = common_wr(d, COMMON(queue_desc_lo), (uint32_t)desc, 4)) ||
	    (ret = common_wr(d, COMMON(queue_desc_hi), (uint32_t)(desc >> 32), 4)) ||
	    (ret = common_wr(d, COMMON(queue_avail_lo), (uint32_t)avail, 4)) ||
	    (ret = common_wr(d, COMMON(queue_avail_hi), (uint32_t)(avail >> 32), 4)) ||
	    (ret = common_wr(d, COMMON(queue_used_lo), (uint32_t)used, 4)) ||
	    (ret = common_wr(d, COMMON(queue_used_hi), (uint32_t)(used >> 32), 4)) ||
	    (ret = common_wr(d, COMMON(queue_enable), 1, 2)) ||
	    (ret = common_rd(d, COMMON(queue_enable), &en, 2)))
		return ret;
	if (vec != vector || en != 1)
		return -EIO;
	return 0;
}

static int setup_queue(struct vfsdrv *d, unsigned q, unsigned want)
{
	struct vfsdrv_queue *vq = &d->q[q];
	uint16_t max = 0;
	size_t desc_len, avail_len;
	uint64_t iova;
	int ret;

	if ((ret = common_wr(d, COMMON(queue_select), q, 2)) ||
	    (ret = common_rd(d, COMMON(queue_size), &max, 2)))
		return ret;
	if (max == 0)
		return -ENOENT;
	vq->size = (uint16_t)(want < max ? want : max);
	desc_len = 16u * vq->size;
	avail_len = (6u + 2u * vq->size + 3) & ~3u;
	vq->mem_len = 8192 + 16u * vq->size + 8u * vq->size;
	vq->mem = d->t->ops->dma_alloc(d->t, vq->mem_len, &iova);
	if (!vq->mem)
		return -ENOMEM;
	vq->desc = vq->mem;
	vq->avail = (struct vring_avail *)((uint8_t *)vq->mem + desc_len);
	vq->used = (struct vring_used *)((uint8_t *)vq->mem + ((desc_len + avail_len + 4095) & ~4095u));
	vq->desc_iova = iova;
	vq->avail_iova = iova + desc_len;
	vq->used_iova = iova + ((desc_len + avail_len + 4095) & ~4095u);
	return vfsdrv_queue_attach(d, q, vq->size, vq->desc_iova, vq->avail_iova, vq->used_iova,
				   (uint16_t)(q + 1));
}

int vfsdrv_negotiate(struct vfsdrv *d, uint64_t wanted, unsigned nvec)
{
	uint16_t cfgvec = 0;
	int ret;

	free_queues(d);
	if ((ret = common_wr(d, COMMON(device_status), 0, 1)))
		return ret;
	if (status_rd(d) != 0)
		return -EIO;
	if ((ret = common_wr(d, COMMON(device_status), VIRTIO_CONFIG_S_ACKNOWLEDGE, 1)) ||
	    (ret = common_wr(d, COMMON(device_status), VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER, 1)))
		return ret;
	if (!(d->device_features >> VIRTIO_F_VERSION_1 & 1))
		return -EPROTO;
	d->features = d->device_features & wanted;
	for (unsigned sel = 0; sel < 2; sel++)
		if ((ret = common_wr(d, COMMON(guest_feature_select), sel, 4)) ||
		    (ret = common_wr(d, COMMON(guest_feature), (uint32_t)(d->features >> (32 * sel)), 4)))
			return ret;
	if ((ret = common_wr(d, COMMON(device_status), VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
						   VIRTIO_CONFIG_S_FEATURES_OK, 1)))
		return ret;
	if (!(status_rd(d) & VIRTIO_CONFIG_S_FEATURES_OK))
		return -EPROTO;
	if ((ret = setup_msix(d, nvec)) || (ret = common_wr(d, COMMON(msix_config), 0, 2)) ||
	    (ret = common_rd(d, COMMON(msix_config), &cfgvec, 2)))
		return ret;
	return cfgvec != 0 ? -EIO : 0;
}

int vfsdrv_driver_ok(struct vfsdrv *d)
{
	return common_wr(d, COMMON(device_status), VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
					      VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK, 1);
}

uint8_t vfsdrv_status(struct vfsdrv *d)
{
	return status_rd(d);
}

int vfsdrv_notify(struct vfsdrv *d, unsigned q)
{
	uint16_t qi = (uint16_t)q;

	if (q >= VFSDRV_MAX_QUEUES)
		return -EINVAL;
	return d->t->ops->bar_write(d->t, d->notify.bar,
				    d->notify.offset + (uint64_t)d->q[q].notify_off * d->notify_mult, &qi, 2);
}

int vfsdrv_start(struct vfsdrv *d, unsigned nq, unsigned qsize)
{
	const uint64_t wanted = (1ull << VIRTIO_F_VERSION_1) | (1ull << VIRTIO_F_ACCESS_PLATFORM) |
				(1ull << VIRTIO_F_ORDER_PLATFORM) | (1ull << VIRTIO_RING_F_INDIRECT_DESC);
	int ret;

	if (nq > d->num_queues || nq > VFSDRV_MAX_QUEUES || qsize == 0 || (qsize & (qsize - 1)))
		return -EINVAL;
	if ((ret = vfsdrv_negotiate(d, wanted, nq + 1)))
		return ret;
	for (unsigned q = 0; q < nq; q++)
		if ((ret = setup_queue(d, q, qsize)))
			return ret;
	d->buf_len = BUF_LEN;
	d->buf = d->t->ops->dma_alloc(d->t, d->buf_len, &d->buf_iova);
	if (!d->buf)
		return -ENOMEM;
	return vfsdrv_driver_ok(d);
}

int vfsdrv_fuse_call(struct vfsdrv *d, unsigned q, const void *in, size_t inlen,
		     void *out, size_t outcap, uint32_t *outlen)
{
	struct vfsdrv_queue *vq = &d->q[q];
	uint16_t head, slot;
	uint32_t id;
	int ret;

	if (q >= VFSDRV_MAX_QUEUES || !vq->mem || !d->buf)
		return -EINVAL;
	if (inlen == 0 || inlen > REQ_AREA || outcap > d->buf_len - REQ_AREA)
		return -EMSGSIZE;
	if (status_rd(d) & VIRTIO_CONFIG_S_NEEDS_RESET)
		return -EIO;
	memcpy(d->buf, in, inlen);
	head = (uint16_t)(vq->next_avail * 2 % vq->size);
	vq->desc[head].addr = d->buf_iova;
	vq->desc[head].len = (uint32_t)inlen;
	vq->desc[head].flags = VRING_DESC_F_NEXT;
	vq->desc[head].next = (uint16_t)((head + 1) % vq->size);
	vq->desc[(head + 1) % vq->size].addr = d->buf_iova + REQ_AREA;
	vq->desc[(head + 1) % vq->size].len = (uint32_t)outcap;
	vq->desc[(head + 1) % vq->size].flags = VRING_DESC_F_WRITE;
	vq->desc[(head + 1) % vq->size].next = 0;
	slot = vq->avail->idx;
	vq->avail->ring[slot % vq->size] = head;
	__atomic_thread_fence(__ATOMIC_RELEASE);	/* descriptors before the index */
	vq->avail->idx = (uint16_t)(slot + 1);
	vq->next_avail++;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if ((ret = vfsdrv_notify(d, q)))
		return ret;
	while (__atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE) == vq->last_used) {
		ret = d->t->ops->wait_irq(d->t, (int)q + 1, REPLY_TIMEOUT_MS);
		if (ret && __atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE) == vq->last_used)
			return (status_rd(d) & VIRTIO_CONFIG_S_NEEDS_RESET) ? -EIO : ret;
	}
	id = vq->used->ring[vq->last_used % vq->size].id;
	*outlen = vq->used->ring[vq->last_used % vq->size].len;
	vq->last_used++;
	if (id != head || *outlen > outcap)
		return -EIO;		/* the device returned a buffer we did not give it */
	memcpy(out, d->buf + REQ_AREA, *outlen);
	return 0;
}

int vfsdrv_fuse_init(struct vfsdrv *d, struct fuse_init_out *io)
{
	struct fuse_init_in ii = {
		.major = FUSE_KERNEL_VERSION,
		.minor = FUSE_KERNEL_MINOR_VERSION,
		.max_readahead = 128 * 1024,
		.flags = FUSE_ASYNC_READ | FUSE_BIG_WRITES | FUSE_MAX_PAGES | FUSE_PARALLEL_DIROPS |
			 FUSE_INIT_EXT | FUSE_MAP_ALIGNMENT,
	};
	uint8_t req[sizeof(struct fuse_in_header) + sizeof(ii)];
	struct {
		struct fuse_out_header h;
		struct fuse_init_out o;
	} rep;
	uint32_t len = 0;
	size_t rlen;
	int ret;

	memset(&rep, 0, sizeof(rep));
	rlen = fuse_req_build(req, sizeof(req), &(struct fuse_req){
		.opcode = FUSE_INIT, .unique = 1, .args = &ii, .args_len = sizeof(ii) });
	ret = vfsdrv_fuse_call(d, d->num_queues > 1 ? 1 : 0, req, (uint32_t)rlen, &rep, sizeof(rep), &len);
	if (ret)
		return ret;
	if (len < sizeof(rep.h) || rep.h.len != len || rep.h.unique != 1)
		return -EIO;
	if (rep.h.error)
		return rep.h.error;
	if (len < sizeof(rep.h) + 24)
		return -EPROTO;
	*io = rep.o;
	return 0;
}

void vfsdrv_stop(struct vfsdrv *d)
{
	if (d->t)
		common_wr(d, COMMON(device_status), 0, 1);
	free_queues(d);
}

/* --- the card's clock ---------------------------------------------------- */

static int clock_rd(struct vfsdrv *d, uint32_t reg, uint32_t *v)
{
	return d->t->ops->bar_read(d->t, d->clock.bar, d->clock.offset + reg, v, 4);
}

static int clock_wr(struct vfsdrv *d, uint32_t reg, uint32_t v)
{
	return d->t->ops->bar_write(d->t, d->clock.bar, d->clock.offset + reg, &v, 4);
}

int vfsdrv_time_get(struct vfsdrv *d, struct vfsdrv_time *t)
{
	uint32_t lo = 0, hi = 0, ns = 0, st = 0;
	int ret;

	memset(t, 0, sizeof(*t));
	if (!d->have_clock)
		return -ENODEV;
	/* SEC_LO first: it takes the snapshot SEC_HI and NSEC return */
	if ((ret = clock_rd(d, SOC_TIME_SEC_LO, &lo)) || (ret = clock_rd(d, SOC_TIME_SEC_HI, &hi)) ||
	    (ret = clock_rd(d, SOC_TIME_NSEC, &ns)) || (ret = clock_rd(d, SOC_TIME_STATUS, &st)) ||
	    (ret = clock_rd(d, SOC_TIME_SETS, &t->sets)) ||
	    (ret = clock_rd(d, SOC_TIME_REFUSED, &t->refused)) ||
	    (ret = clock_rd(d, SOC_TIME_MALFORMED, &t->malformed)) ||
	    (ret = clock_rd(d, SOC_TIME_TICK_NS, &t->tick_ns)))
		return ret;
	t->sec = (uint64_t)hi << 32 | lo;
	t->nsec = ns;
	t->host_set = !!(st & SOC_TIME_STATUS_HOST_SET_MASK);
	t->card_set = !!(st & SOC_TIME_STATUS_CARD_SET_MASK);
	return 0;
}

int vfsdrv_time_set(struct vfsdrv *d, uint64_t sec, uint32_t nsec)
{
	struct vfsdrv_time before, after;
	int ret;

	if (!d->have_clock)
		return -ENODEV;
	if (nsec >= 1000000000u)
		return -EINVAL;
	if ((ret = vfsdrv_time_get(d, &before)))
		return ret;
	if ((ret = clock_wr(d, SOC_TIME_SEC_LO, (uint32_t)sec)) ||
	    (ret = clock_wr(d, SOC_TIME_SEC_HI, (uint32_t)(sec >> 32))) ||
	    (ret = clock_wr(d, SOC_TIME_NSEC, nsec)))
		return ret;
	if ((ret = vfsdrv_time_get(d, &after)))
		return ret;
	if (after.refused != before.refused)
		return -ERANGE;
	if (after.sets == before.sets && before.sets != 0xffffffffu)
		return -EIO;
	return 0;
}

void vfsdrv_print_time(struct vfsdrv *d, FILE *f)
{
	struct vfsdrv_time t;
	char when[64] = "";
	time_t tt;
	struct tm tm;

	if (!d->have_clock) {
		fprintf(f, "clock: none (no vendor-data capability)\n");
		return;
	}
	if (vfsdrv_time_get(d, &t)) {
		fprintf(f, "clock: unreadable\n");
		return;
	}
	tt = (time_t)t.sec;
	if (gmtime_r(&tt, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	fprintf(f, "clock: %llu.%09u (%s), %s\n", (unsigned long long)t.sec, t.nsec, when,
		t.host_set ? "set by the host" :
		t.card_set ? "never set by the host: started from the newest time of the card's filesystem" :
		"never set: counts from 0 since the card's reset");
	fprintf(f, "  %u ns per tick; times taken %u, refused (earlier than the clock) %u, malformed writes %u\n",
		t.tick_ns, t.sets, t.refused, t.malformed);
}
