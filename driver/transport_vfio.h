/*
 * The vfsdrv transport to the card on a Linux host through VFIO (vfio-pci,
 * the classic container/group API with the type 1 IOMMU): configuration
 * space and BARs through the device's regions, DMA memory mapped into the
 * card's IOMMU domain with VFIO_IOMMU_MAP_DMA, MSI-X vectors as eventfds
 * (VFIO_DEVICE_SET_IRQS). The card must be bound to vfio-pci (see
 * tests/hil/bind.sh) and every device of its IOMMU group too.
 */
#ifndef TRANSPORT_VFIO_H
#define TRANSPORT_VFIO_H

#include <stddef.h>

#include "vfsdrv.h"

/* Normalises a PCI address "DDDD:BB:DD.F" or "BB:DD.F" into out (13 bytes
 * with the NUL); 0, or -EINVAL for anything else. */
int vfs_vfio_parse_bdf(const char *in, char out[13]);

/* Finds the IOMMU group of the device and checks it is bound to vfio-pci,
 * under sysfs (normally "/sys"). 0 and *group, or -errno with the reason in
 * err. */
int vfs_vfio_find_group(const char *sysfs, const char *bdf, int *group, char *err, size_t errlen);

/* Opens the device: bdf as vfs_vfio_parse_bdf takes it; sysfs and devdir
 * (normally "/sys" and "/dev/vfio") may be NULL for those. NULL with a
 * message in err. */
struct vfs_transport *vfs_transport_vfio_open(const char *bdf, const char *sysfs, const char *devdir,
					      char *err, size_t errlen);

#endif /* TRANSPORT_VFIO_H */
