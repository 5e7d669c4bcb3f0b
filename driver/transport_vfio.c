/*
 * vfsdrv over VFIO: the card on a Linux host, bound to vfio-pci.
 *
 * Everything goes through the device file descriptor's regions with pread
 * and pwrite (configuration space and BARs alike), which also keeps the
 * MSI-X table out of our hands: vfio-pci programs it with the host's own
 * addresses when VFIO_DEVICE_SET_IRQS enables the vectors, and ignores the
 * driver library's writes to it. DMA memory comes from anonymous mappings
 * that are pinned and mapped at IOVAs we choose (from the first range the
 * IOMMU reports that holds IOVA_BASE, or IOVA_BASE itself).
 */
#include "transport_vfio.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/vfio.h>

#define IOVA_BASE 0x100000000ull	/* first IOVA we hand out (4 GiB, clear of the MSI window) */
#define NUM_BARS 6
#define MAX_VECTORS (VFSDRV_MAX_QUEUES + 1)
#define MAX_DMA 64

struct vfio_region {
	uint64_t offset, size;
	int valid;
};

struct vfio_dma {
	void *p;
	size_t len;
	uint64_t iova;
};

struct vfio {
	struct vfs_transport t;
	int container, group, device;
	struct vfio_region cfg, bars[NUM_BARS];
	uint64_t next_iova;
	struct vfio_dma dma[MAX_DMA];
	int efd[MAX_VECTORS];
	unsigned nvec;
};

static struct vfio *vfio_of(struct vfs_transport *t) { return t->priv; }

int vfs_vfio_parse_bdf(const char *in, char out[13])
{
	unsigned dom = 0, bus, dev, fn;
	char tail;

	if (!in)
		return -EINVAL;
	if (sscanf(in, "%x:%x:%x.%x%c", &dom, &bus, &dev, &fn, &tail) == 4) {
		/* full form */
	} else if (sscanf(in, "%x:%x.%x%c", &bus, &dev, &fn, &tail) == 3) {
		dom = 0;
	} else {
		return -EINVAL;
	}
	for (const char *c = in; *c; c++)
		if (!isxdigit((unsigned char)*c) && *c != ':' && *c != '.')
			return -EINVAL;
	if (dom > 0xffff || bus > 0xff || dev > 0x1f || fn > 7)
		return -EINVAL;
	snprintf(out, 13, "%04x:%02x:%02x.%x", dom, bus, dev, fn);
	return 0;
}

/* The last path component of the symbolic link at path, or -errno. */
static int link_name(const char *path, char *name, size_t len)
{
	char target[PATH_MAX];
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	const char *base;

	if (n < 0)
		return -errno;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strlen(base) >= len)
		return -ENAMETOOLONG;
	memcpy(name, base, strlen(base) + 1);
	return 0;
}

int vfs_vfio_find_group(const char *sysfs, const char *bdf, int *group, char *err, size_t errlen)
{
	char path[PATH_MAX], name[256];
	char *end;
	long g;
	int ret;

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s", sysfs, bdf);
	if (access(path, F_OK)) {
		snprintf(err, errlen, "no PCI device %s (%s: %s)", bdf, path, strerror(errno));
		return -ENODEV;
	}
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/driver", sysfs, bdf);
	ret = link_name(path, name, sizeof(name));
	if (ret == -ENOENT) {
		snprintf(err, errlen, "%s has no driver; bind it to vfio-pci (tests/hil/bind.sh %s)", bdf, bdf);
		return -ENODEV;
	}
	if (ret) {
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	if (strcmp(name, "vfio-pci")) {
		snprintf(err, errlen, "%s is bound to %s, not vfio-pci (tests/hil/bind.sh %s)", bdf, name, bdf);
		return -EBUSY;
	}
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/iommu_group", sysfs, bdf);
	ret = link_name(path, name, sizeof(name));
	if (ret) {
		snprintf(err, errlen, "%s has no IOMMU group (%s): is the IOMMU on (intel_iommu=on or amd_iommu=on)?",
			 bdf, strerror(-ret));
		return -ENODEV;
	}
	g = strtol(name, &end, 10);
	if (*end || g < 0 || g > INT_MAX) {
		snprintf(err, errlen, "%s: IOMMU group '%s' is not a number", path, name);
		return -EINVAL;
	}
	*group = (int)g;
	return 0;
}

static int region_io(struct vfio *v, const struct vfio_region *r, uint64_t off, void *buf, size_t len, int wr)
{
	ssize_t n;

	if (!r->valid || off + len > r->size)
		return -EINVAL;
	n = wr ? pwrite(v->device, buf, len, (off_t)(r->offset + off))
	       : pread(v->device, buf, len, (off_t)(r->offset + off));
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

static int vfio_cfg_read(struct vfs_transport *t, uint16_t off, void *buf, size_t len)
{
	return region_io(vfio_of(t), &vfio_of(t)->cfg, off, buf, len, 0);
}

static int vfio_cfg_write(struct vfs_transport *t, uint16_t off, const void *buf, size_t len)
{
	return region_io(vfio_of(t), &vfio_of(t)->cfg, off, (void *)buf, len, 1);
}

static int vfio_bar_read(struct vfs_transport *t, int bar, uint64_t off, void *buf, size_t len)
{
	if (bar < 0 || bar >= NUM_BARS)
		return -EINVAL;
	return region_io(vfio_of(t), &vfio_of(t)->bars[bar], off, buf, len, 0);
}

static int vfio_bar_write(struct vfs_transport *t, int bar, uint64_t off, const void *buf, size_t len)
{
	if (bar < 0 || bar >= NUM_BARS)
		return -EINVAL;
	return region_io(vfio_of(t), &vfio_of(t)->bars[bar], off, (void *)buf, len, 1);
}

static void *vfio_dma_alloc(struct vfs_transport *t, size_t len, uint64_t *iova)
{
	struct vfio *v = vfio_of(t);
	size_t rounded = (len + 4095) & ~(size_t)4095;
	struct vfio_iommu_type1_dma_map map = { .argsz = sizeof(map) };
	struct vfio_dma *slot = NULL;
	void *p;

	for (int i = 0; i < MAX_DMA; i++)
		if (!v->dma[i].p) {
			slot = &v->dma[i];
			break;
		}
	if (!slot)
		return NULL;
	p = mmap(NULL, rounded, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	map.vaddr = (uintptr_t)p;
	map.iova = v->next_iova;
	map.size = rounded;
	if (ioctl(v->container, VFIO_IOMMU_MAP_DMA, &map)) {
		munmap(p, rounded);
		return NULL;
	}
	slot->p = p;
	slot->len = rounded;
	slot->iova = map.iova;
	*iova = map.iova;
	v->next_iova += rounded + 4096;		/* a guard page between buffers */
	return p;
}

static void dma_release(struct vfio *v, struct vfio_dma *d)
{
	struct vfio_iommu_type1_dma_unmap unmap = { .argsz = sizeof(unmap) };

	unmap.iova = d->iova;
	unmap.size = d->len;
	ioctl(v->container, VFIO_IOMMU_UNMAP_DMA, &unmap);
	munmap(d->p, d->len);
	d->p = NULL;
}

static void vfio_dma_free(struct vfs_transport *t, void *p, size_t len)
{
	struct vfio *v = vfio_of(t);

	(void)len;
	for (int i = 0; i < MAX_DMA; i++)
		if (v->dma[i].p == p)
			dma_release(v, &v->dma[i]);
}

/* One eventfd per MSI-X vector, handed to vfio-pci, which enables MSI-X. */
static int msix_enable(struct vfio *v)
{
	struct vfio_irq_info info = { .argsz = sizeof(info), .index = VFIO_PCI_MSIX_IRQ_INDEX };
	struct vfio_irq_set *set;
	size_t sz;
	int ret = 0;

	if (ioctl(v->device, VFIO_DEVICE_GET_IRQ_INFO, &info))
		return -errno;
	if (!info.count || !(info.flags & VFIO_IRQ_INFO_EVENTFD))
		return -ENOTSUP;
	v->nvec = info.count < MAX_VECTORS ? info.count : MAX_VECTORS;
	sz = sizeof(*set) + v->nvec * sizeof(int32_t);
	set = calloc(1, sz);
	if (!set)
		return -ENOMEM;
	set->argsz = (uint32_t)sz;
	set->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	set->index = VFIO_PCI_MSIX_IRQ_INDEX;
	set->start = 0;
	set->count = v->nvec;
	for (unsigned i = 0; i < v->nvec; i++) {
		v->efd[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (v->efd[i] < 0) {
			ret = -errno;
			goto out_free;
		}
		((int32_t *)set->data)[i] = v->efd[i];
	}
	if (ioctl(v->device, VFIO_DEVICE_SET_IRQS, set))
		ret = -errno;
out_free:
	free(set);
	return ret;
}

static void msix_disable(struct vfio *v)
{
	struct vfio_irq_set set = { .argsz = sizeof(set) };

	if (!v->nvec)
		return;
	set.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER;
	set.index = VFIO_PCI_MSIX_IRQ_INDEX;
	set.count = 0;
	ioctl(v->device, VFIO_DEVICE_SET_IRQS, &set);
	for (unsigned i = 0; i < v->nvec; i++)
		if (v->efd[i] >= 0)
			close(v->efd[i]);
	v->nvec = 0;
}

static int vfio_wait_irq(struct vfs_transport *t, int vector, int timeout_ms)
{
	struct vfio *v = vfio_of(t);
	struct pollfd pfd;
	uint64_t count;
	int ret;

	if (vector < 0 || (unsigned)vector >= v->nvec || v->efd[vector] < 0)
		return -EINVAL;
	pfd.fd = v->efd[vector];
	pfd.events = POLLIN;
	ret = poll(&pfd, 1, timeout_ms);
	if (ret < 0)
		return -errno;
	if (ret == 0)
		return -ETIMEDOUT;
	if (read(v->efd[vector], &count, sizeof(count)) != sizeof(count))
		return -EIO;
	return 0;
}

/* The host assigned the BARs; turn on memory decoding and bus mastering,
 * and the MSI-X vectors before the driver starts the device. */
static int vfio_enumerate(struct vfs_transport *t)
{
	struct vfio *v = vfio_of(t);
	uint16_t cmd;
	int ret;

	if ((ret = vfio_cfg_read(t, 0x04, &cmd, 2)))
		return ret;
	cmd |= 0x0006;			/* memory space, bus master */
	if ((ret = vfio_cfg_write(t, 0x04, &cmd, 2)))
		return ret;
	return v->nvec ? 0 : msix_enable(v);
}

static void vfio_close(struct vfs_transport *t)
{
	struct vfio *v = vfio_of(t);

	msix_disable(v);
	for (int i = 0; i < MAX_DMA; i++)
		if (v->dma[i].p)
			dma_release(v, &v->dma[i]);
	if (v->device >= 0)
		close(v->device);
	if (v->group >= 0)
		close(v->group);
	if (v->container >= 0)
		close(v->container);
	free(v);
}

static const struct vfs_transport_ops vfio_ops = {
	.cfg_read = vfio_cfg_read,
	.cfg_write = vfio_cfg_write,
	.bar_read = vfio_bar_read,
	.bar_write = vfio_bar_write,
	.dma_alloc = vfio_dma_alloc,
	.dma_free = vfio_dma_free,
	.wait_irq = vfio_wait_irq,
	.enumerate = vfio_enumerate,
	.close = vfio_close,
};

/* IOVA_BASE, or the start of the first usable range above it the IOMMU
 * reports (VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE, Linux 5.4 on). */
static uint64_t pick_iova(int container)
{
	struct vfio_iommu_type1_info probe = { .argsz = sizeof(probe) };
	struct vfio_iommu_type1_info *info;
	uint64_t best = IOVA_BASE;

	if (ioctl(container, VFIO_IOMMU_GET_INFO, &probe) || !(probe.flags & VFIO_IOMMU_INFO_CAPS) ||
	    probe.argsz <= sizeof(probe))
		return best;
	info = calloc(1, probe.argsz);
	if (!info)
		return best;
	info->argsz = probe.argsz;
	if (!ioctl(container, VFIO_IOMMU_GET_INFO, info) && info->cap_offset) {
		uint32_t off = info->cap_offset;

		while (off && off + sizeof(struct vfio_info_cap_header) <= info->argsz) {
			struct vfio_info_cap_header *h = (void *)((char *)info + off);

			if (h->id == VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE) {
				struct vfio_iommu_type1_info_cap_iova_range *r = (void *)h;

				for (uint32_t i = 0; i < r->nr_iovas; i++) {
					uint64_t s = r->iova_ranges[i].start, e = r->iova_ranges[i].end;
					uint64_t lo = s > IOVA_BASE ? s : IOVA_BASE;

					if (lo < e && e - lo >= (1ull << 30)) {
						best = (lo + 0xfff) & ~0xfffull;
						goto out_free;
					}
				}
			}
			off = h->next;
		}
	}
out_free:
	free(info);
	return best;
}

struct vfs_transport *vfs_transport_vfio_open(const char *bdf_in, const char *sysfs, const char *devdir,
					      char *err, size_t errlen)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	struct vfio_device_info dinfo = { .argsz = sizeof(dinfo) };
	char bdf[13], path[PATH_MAX];
	struct vfio *v;
	int group;

	if (vfs_vfio_parse_bdf(bdf_in, bdf)) {
		snprintf(err, errlen, "'%s' is not a PCI address (DDDD:BB:DD.F)", bdf_in ? bdf_in : "");
		return NULL;
	}
	if (!sysfs)
		sysfs = "/sys";
	if (!devdir)
		devdir = "/dev/vfio";
	if (vfs_vfio_find_group(sysfs, bdf, &group, err, errlen))
		return NULL;
	v = calloc(1, sizeof(*v));
	if (!v) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	v->container = v->group = v->device = -1;
	for (int i = 0; i < MAX_VECTORS; i++)
		v->efd[i] = -1;
	v->t.ops = &vfio_ops;
	v->t.priv = v;

	snprintf(path, sizeof(path), "%s/vfio", devdir);
	v->container = open(path, O_RDWR | O_CLOEXEC);
	if (v->container < 0) {
		snprintf(err, errlen, "cannot open %s: %s (is the vfio-pci module loaded?)", path, strerror(errno));
		goto out_close;
	}
	if (ioctl(v->container, VFIO_GET_API_VERSION) != VFIO_API_VERSION ||
	    !ioctl(v->container, VFIO_CHECK_EXTENSION, VFIO_TYPE1_IOMMU)) {
		snprintf(err, errlen, "%s: no VFIO type 1 IOMMU support", path);
		goto out_close;
	}
	snprintf(path, sizeof(path), "%s/%d", devdir, group);
	v->group = open(path, O_RDWR | O_CLOEXEC);
	if (v->group < 0) {
		snprintf(err, errlen, "cannot open IOMMU group %s: %s", path, strerror(errno));
		goto out_close;
	}
	if (ioctl(v->group, VFIO_GROUP_GET_STATUS, &status)) {
		snprintf(err, errlen, "%s: VFIO_GROUP_GET_STATUS: %s", path, strerror(errno));
		goto out_close;
	}
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		snprintf(err, errlen, "IOMMU group %d is not viable: bind every device in %s/kernel/iommu_groups/%d/devices to vfio-pci",
			 group, sysfs, group);
		goto out_close;
	}
	if (ioctl(v->group, VFIO_GROUP_SET_CONTAINER, &v->container) ||
	    (ioctl(v->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) &&
	     ioctl(v->container, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU))) {
		snprintf(err, errlen, "IOMMU group %d: cannot set up the container: %s", group, strerror(errno));
		goto out_close;
	}
	v->device = ioctl(v->group, VFIO_GROUP_GET_DEVICE_FD, bdf);
	if (v->device < 0) {
		snprintf(err, errlen, "%s: VFIO_GROUP_GET_DEVICE_FD: %s", bdf, strerror(errno));
		goto out_close;
	}
	if (ioctl(v->device, VFIO_DEVICE_GET_INFO, &dinfo) || !(dinfo.flags & VFIO_DEVICE_FLAGS_PCI)) {
		snprintf(err, errlen, "%s: not a VFIO PCI device", bdf);
		goto out_close;
	}
	for (unsigned i = 0; i <= VFIO_PCI_CONFIG_REGION_INDEX && i < dinfo.num_regions; i++) {
		struct vfio_region_info r = { .argsz = sizeof(r), .index = i };
		struct vfio_region *dst;

		if (i > VFIO_PCI_BAR5_REGION_INDEX && i != VFIO_PCI_CONFIG_REGION_INDEX)
			continue;
		if (ioctl(v->device, VFIO_DEVICE_GET_REGION_INFO, &r) || !r.size)
			continue;
		dst = (i == VFIO_PCI_CONFIG_REGION_INDEX) ? &v->cfg : &v->bars[i];
		dst->offset = r.offset;
		dst->size = r.size;
		dst->valid = 1;
	}
	if (!v->cfg.valid) {
		snprintf(err, errlen, "%s: no configuration space region", bdf);
		goto out_close;
	}
	v->next_iova = pick_iova(v->container);
	return &v->t;

out_close:
	vfio_close(&v->t);
	return NULL;
}
