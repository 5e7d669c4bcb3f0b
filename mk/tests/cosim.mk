# tests/cosim: vfpga-sim --cosim without QEMU (proto_test plays QEMU's side),
# and a stock guest through -device vfpga-pci.
#
# test-cosim-proto is cheap. test-cosim needs the custom QEMU (qemu-cosim:
# ~4 min on two cores when cold, cached under build/) and the test guest; it
# is in make test because it is the only test of a stock guest on the card's
# own PCI function and of DAX from a stock guest.

COSIM_TEST := $(BUILD)/tests/cosim
.PHONY: test-cosim test-cosim-guest test-cosim-proto bench-cosim-proto

$(COSIM_TEST)/proto_test: tests/cosim/proto_test.c include/cosim_proto.h driver/vfsdrv.c driver/vfsdrv.h tests/include/check.h $(GEN)/soc_map.stamp
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -Iinclude -Idriver -I$(GEN) -Itests/include tests/cosim/proto_test.c driver/vfsdrv.c -o $@

test-cosim-proto: $(BIN)/vfpga-sim $(BUILD)/firmware/card.elf $(COSIM_TEST)/proto_test ## Test: vfpga-sim --cosim protocol without QEMU (config/BAR, memfd DMA, MSI-X, FUSE_INIT, bad input, malformed messages)
	@sh tests/cosim/proto.sh $(BIN)/vfpga-sim $(BUILD)/firmware/card.elf $(COSIM_TEST)/proto_test $(COSIM_TEST)/proto
TEST_TARGETS += test-cosim-proto

bench-cosim-proto: $(BIN)/vfpga-sim $(BUILD)/firmware/card.elf $(COSIM_TEST)/proto_test ## Bench: round-trip cost of a config read, a BAR0 read and a BAR2 write over the cosim socket, build/bench/cosim.md
	@mkdir -p $(BUILD)/bench
	@sh tests/cosim/proto.sh $(BIN)/vfpga-sim $(BUILD)/firmware/card.elf $(COSIM_TEST)/proto_test $(COSIM_TEST)/bench --bench \
	  > $(BUILD)/bench/cosim.log 2>&1 || { tail -20 $(BUILD)/bench/cosim.log; exit 1; }
	@python3 tools/cosim_md.py $(BUILD)/bench/cosim.log > $(BUILD)/bench/cosim.md
	@cat $(BUILD)/bench/cosim.md
BENCH_TARGETS += bench-cosim-proto

test-cosim: qemu-cosim $(BIN)/vfpga-sim $(BUILD)/firmware/card.elf $(BUILD)/guest/vmlinuz $(BUILD)/guest/initramfs.cpio.gz ## Test: a stock Debian guest on the RTL through -device vfpga-pci (enumeration, virtio_pci binding, capabilities, file operations, READ fast-path hits of O_DIRECT re-reads with the host turnaround, bad --host-turnaround values, mount -o dax with fio ioengine=mmap, INTx, nonsense writes, simulator death and stall; about 70 s after the QEMU build)
	@sh tests/cosim/guest.sh $(QEMU_COSIM) $(BIN)/vfpga-sim $(BUILD)/firmware/card.elf $(COSIM_TEST)/guest
TEST_TARGETS += test-cosim
# The QEMU build comes first when cold (~4 min alone, longer beside other builds).
TEST_TIMEOUTS += test-cosim=3600

test-cosim-guest: qemu-cosim $(BIN)/vfpga-sim $(BUILD)/firmware/card.elf $(BUILD)/guest/vmlinuz $(BUILD)/guest/initramfs.cpio.gz ## Test: the stock-guest tests (file-operations script, fio verify psync/libaio 1 MiB, fio mmap) through -device vfpga-pci on a -o dax mount (MOUNT_OPTS= for none), e2fsck + debugfs; several minutes, not in make test
	@sh tests/cosim/guest_full.sh $(QEMU_COSIM) $(BIN)/vfpga-sim $(BUILD)/firmware/card.elf $(COSIM_TEST)/full

# The two front ends side by side: the same guest storm (create, list, unlink
# FRONTENDS_N files) through the vhost-user bridge and through -device
# vfpga-pci; wall seconds per phase and their ratio.
FRONTENDS_N ?= 100
.PHONY: bench-frontends
bench-frontends: qemu-cosim $(BIN)/vfpga-sim $(BUILD)/firmware/card.elf $(BUILD)/guest/vmlinuz $(BUILD)/guest/initramfs.cpio.gz ## Bench: a create/list/unlink storm from a stock guest through the bridge and through -device vfpga-pci, wall time side by side, build/bench/frontends.md (FRONTENDS_N=100)
	@mkdir -p $(BUILD)/bench
	@SSD_PROFILE=$(SSD_PROFILE) sh tests/cosim/frontends.sh $(QEMU_COSIM) $(BIN)/vfpga-sim $(BUILD)/firmware/card.elf \
	  $(COSIM_TEST)/frontends $(FRONTENDS_N) $(BUILD)/bench/frontends.md
BENCH_TARGETS += bench-frontends

# The READ fast path from a stock guest through -device vfpga-pci: the jobs of
# bench-fast-guest (fio 4 KiB random O_DIRECT reads of a file the card's page
# cache holds, psync then libaio iodepth 16), the co-simulation's host
# turnaround holding the guest back (HOST_TURNAROUND=NS; default its own).
.PHONY: bench-fast-cosim
bench-fast-cosim: qemu-cosim $(BIN)/vfpga-sim $(BUILD)/firmware/card.elf $(BUILD)/guest/vmlinuz $(BUILD)/guest/initramfs.cpio.gz ## Benchmark: fio 4 KiB randread O_DIRECT (psync, libaio QD16) from a stock guest through -device vfpga-pci: READ fast-path hit ratio, service time per READ, build/bench/fast_cosim.{md,json} (about 1 min; SSD_PROFILE, HOST_TURNAROUND)
	@mkdir -p $(BUILD)/bench
	@SSD_PROFILE=$(SSD_PROFILE) HOST_TURNAROUND=$(HOST_TURNAROUND) sh tools/fast_guest_bench.sh $(BIN)/vfpga-sim \
	  $(BUILD)/firmware/card.elf $(BUILD)/bench-fast-cosim $(QEMU_COSIM) > $(BUILD)/bench/fast_cosim.log 2>&1 || \
	  { tail -30 $(BUILD)/bench/fast_cosim.log; exit 1; }
	@python3 tools/fast_guest_md.py $(SSD_PROFILE) $(BUILD)/bench-fast-cosim/fast_guest_psync.json \
	  $(BUILD)/bench-fast-cosim/fast_guest_libaio.json cosim > $(BUILD)/bench/fast_cosim.md
	@cp $(BUILD)/bench-fast-cosim/fast_guest_psync.json $(BUILD)/bench/fast_cosim_psync.json
	@cp $(BUILD)/bench-fast-cosim/fast_guest_libaio.json $(BUILD)/bench/fast_cosim_libaio.json
	@cat $(BUILD)/bench/fast_cosim.md
BENCH_TARGETS += bench-fast-cosim
