# Co-simulation with QEMU: our PCI device vfpga-pci (qemu/vfpga-pci.c) built
# into Debian's QEMU, talking to vfpga-sim --cosim (sim/cosim, linked into
# vfpga-sim by mk/zz-cosim.mk). Protocol: docs/cosim-protocol.md.
#
# test-cosim-proto is cheap. test-cosim needs the custom QEMU (qemu-cosim:
# ~4 min on two cores when cold, cached under build/) and the test guest; it
# is in make test because it is the only test of a stock guest on the card's
# own PCI function and of DAX from a stock guest.

QEMU_COSIM    := $(BUILD)/qemu/qemu-system-x86_64
COSIM_TEST    := $(BUILD)/tests/cosim

.PHONY: qemu-cosim test-cosim test-cosim-guest test-cosim-proto bench-cosim-proto

qemu-cosim: ## Build build/qemu/qemu-system-x86_64 with -device vfpga-pci (Debian's QEMU source + our device; ~4 min cold, then cached)
	@BUILD=$(BUILD) sh qemu/build.sh

$(COSIM_TEST)/proto_test: tests/cosim/proto_test.c sim/cosim/cosim_proto.h driver/vfsdrv.c driver/vfsdrv.h tests/include/check.h
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -Isim/cosim -Idriver -Itests/include tests/cosim/proto_test.c driver/vfsdrv.c -o $@

test-cosim-proto: $(BIN)/vfpga-sim $(BUILD)/firmware/card.elf $(COSIM_TEST)/proto_test ## Test: vfpga-sim --cosim protocol without QEMU (config/BAR, memfd DMA, MSI-X, FUSE_INIT, bad input, malformed messages)
	@sh tests/cosim/proto.sh $(BIN)/vfpga-sim $(BUILD)/firmware/card.elf $(COSIM_TEST)/proto_test $(COSIM_TEST)/proto
TEST_TARGETS += test-cosim-proto

bench-cosim-proto: $(BIN)/vfpga-sim $(BUILD)/firmware/card.elf $(COSIM_TEST)/proto_test ## Bench: round-trip cost of a config read, a BAR0 read and a BAR2 write over the cosim socket
	@sh tests/cosim/proto.sh $(BIN)/vfpga-sim $(BUILD)/firmware/card.elf $(COSIM_TEST)/proto_test $(COSIM_TEST)/bench --bench | grep -E "bench:|model"

test-cosim: qemu-cosim $(BIN)/vfpga-sim $(BUILD)/firmware/card.elf $(BUILD)/guest/vmlinuz $(BUILD)/guest/initramfs.cpio.gz ## Test: a stock Debian guest on the RTL through -device vfpga-pci (enumeration, virtio_pci binding, capabilities, file operations, mount -o dax with fio ioengine=mmap, INTx, nonsense writes, simulator death and stall; about 70 s after the QEMU build)
	@sh tests/cosim/guest.sh $(QEMU_COSIM) $(BIN)/vfpga-sim $(BUILD)/firmware/card.elf $(COSIM_TEST)/guest
TEST_TARGETS += test-cosim

test-cosim-guest: qemu-cosim $(BIN)/vfpga-sim $(BUILD)/firmware/card.elf $(BUILD)/guest/vmlinuz $(BUILD)/guest/initramfs.cpio.gz ## Test: the stock-guest tests (file-operations script, fio verify psync/libaio 1 MiB, fio mmap) through -device vfpga-pci on a -o dax mount (MOUNT_OPTS= for none), e2fsck + debugfs; several minutes, not in make test
	@sh tests/cosim/guest_full.sh $(QEMU_COSIM) $(BIN)/vfpga-sim $(BUILD)/firmware/card.elf $(COSIM_TEST)/full
