# qemu/: our PCI device vfpga-pci (qemu/vfpga-pci.c) built into Debian's
# QEMU, talking to vfpga-sim --cosim (frontend/cosim). Protocol:
# include/cosim_proto.h, docs/cosim-protocol.md.

QEMU_COSIM    := $(BUILD)/qemu/qemu-system-x86_64

.PHONY: qemu-cosim

qemu-cosim: ## Build build/qemu/qemu-system-x86_64 with -device vfpga-pci (Debian's QEMU source + our device; ~4 min cold, then cached)
	@BUILD=$(BUILD) sh qemu/build.sh
