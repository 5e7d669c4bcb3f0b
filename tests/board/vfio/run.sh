#!/bin/sh
# vfsctl --pci without a card: argument checks, and the VFIO transport's
# path from the PCI address to the IOMMU group against fake sysfs trees
# (VFSCTL_SYSFS, VFSCTL_VFIO_DIR), each failure with the message that says
# what to do. A real card is exercised by tests/hil (not here).
#
# usage: run.sh VFSCTL WORKDIR
set -u
vfsctl="$1"; work="$2"
rm -rf "$work"; mkdir -p "$work"
pass=0; fail=0
check() {   # name, expected exit status, expected text, command...
	name="$1"; want="$2"; pat="$3"; shift 3
	out=$("$@" 2>&1); st=$?
	if [ "$st" -eq "$want" ] && printf '%s\n' "$out" | grep -qF -- "$pat"; then
		pass=$((pass + 1))
	else
		echo "FAIL $name: exit $st (expected $want), output: $out"
		fail=$((fail + 1))
	fi
}

sys="$work/sys"; dev="$work/dev/vfio"
d="$sys/bus/pci/devices/0000:01:00.0"
export VFSCTL_SYSFS="$sys" VFSCTL_VFIO_DIR="$dev"

check "no BDF" 2 "usage:" "$vfsctl" --pci
check "two transports" 2 "one transport is needed" "$vfsctl" --sim --pci 0000:01:00.0 info
check "no transport" 2 "one transport is needed" "$vfsctl" info
check "bad BDF" 2 "'zz:00.0' is not a PCI address" "$vfsctl" --pci zz:00.0 info
check "device 32" 2 "is not a PCI address" "$vfsctl" --pci 0000:01:20.0 info
check "function 8" 2 "is not a PCI address" "$vfsctl" --pci 01:00.8 info
check "no such device" 2 "no PCI device 0000:01:00.0" "$vfsctl" --pci 0000:01:00.0 info
check "settime: bad --time" 2 "seconds since the epoch" "$vfsctl" --pci 0000:01:00.0 settime --time 12:00
check "--time without settime" 2 "goes with settime" "$vfsctl" --pci 0000:01:00.0 info --time 5
check "settime: no such device" 2 "no PCI device 0000:01:00.0" "$vfsctl" --pci 0000:01:00.0 settime
printf 'not an elf\n' > "$work/text.elf"
check "load: not an ELF, refused before the card" 2 "text.elf: not a little-endian 32-bit ELF file" \
	"$vfsctl" --pci 0000:01:00.0 load "$work/text.elf"
mkdir -p "$d" "$sys/bus/pci/drivers/nvme" "$sys/bus/pci/drivers/vfio-pci" "$sys/kernel/iommu_groups/7/devices"
check "short BDF, no driver" 2 "0000:01:00.0 has no driver; bind it to vfio-pci" "$vfsctl" --pci 01:00.0 info
ln -s ../../../bus/pci/drivers/nvme "$d/driver"
check "other driver" 2 "is bound to nvme, not vfio-pci" "$vfsctl" --pci 0000:01:00.0 init
rm "$d/driver"; ln -s ../../../bus/pci/drivers/vfio-pci "$d/driver"
check "no IOMMU group" 2 "has no IOMMU group" "$vfsctl" --pci 0000:01:00.0 info
ln -s ../../../kernel/iommu_groups/7 "$d/iommu_group"
check "no /dev/vfio/vfio" 2 "cannot open $dev/vfio: No such file or directory (is the vfio-pci module loaded?)" \
	"$vfsctl" --pci 0000:01:00.0 info
rm "$d/iommu_group"; ln -s ../../../kernel/iommu_groups/x7 "$d/iommu_group"
check "odd group name" 2 "IOMMU group 'x7' is not a number" "$vfsctl" --pci 0000:01:00.0 info
echo "vfsctl --pci: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
