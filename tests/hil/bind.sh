#!/bin/sh
# Binds a PCI device to vfio-pci (for tests/hil/run.sh and vfsctl --pci):
# loads vfio-pci, unbinds the current driver, sets driver_override and
# probes. Run as root on the host that holds the card.
#
# usage: bind.sh [--dry-run] DDDD:BB:DD.F
set -eu
dry=
[ "${1:-}" = "--dry-run" ] && { dry=1; shift; }
bdf=${1:?usage: bind.sh [--dry-run] DDDD:BB:DD.F}
case $bdf in
[0-9a-f][0-9a-f][0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]:[01][0-9a-f].[0-7]) ;;
*) echo "bind.sh: '$bdf' is not a PCI address (DDDD:BB:DD.F)" >&2; exit 2 ;;
esac
dev=/sys/bus/pci/devices/$bdf
run() { if [ -n "$dry" ]; then echo "$*"; else sh -c "$*"; fi; }

run "modprobe vfio-pci"
if [ -z "$dry" ]; then
	[ -e "$dev" ] || { echo "bind.sh: no PCI device $bdf" >&2; exit 1; }
	[ -e "$dev/iommu_group" ] || { echo "bind.sh: $bdf has no IOMMU group: boot with intel_iommu=on or amd_iommu=on" >&2; exit 1; }
	if [ -e "$dev/driver" ]; then
		cur=$(basename "$(readlink "$dev/driver")")
		[ "$cur" = vfio-pci ] && { echo "bind.sh: $bdf already on vfio-pci (IOMMU group $(basename "$(readlink "$dev/iommu_group")"))"; exit 0; }
		run "echo $bdf > $dev/driver/unbind"
	fi
else
	echo "echo $bdf > $dev/driver/unbind    # if a driver holds it"
fi
run "echo vfio-pci > $dev/driver_override"
run "echo $bdf > /sys/bus/pci/drivers_probe"
[ -n "$dry" ] || echo "bind.sh: $bdf on vfio-pci, IOMMU group $(basename "$(readlink "$dev/iommu_group")")"
