# tests/guest: the guest's file-operations script and fio jobs against
# virtiofsd and vfpga-model; fio in the guest, vfpga-model vs virtiofsd.

GUEST_TESTS := $(wildcard tests/guest/*.sh tests/guest/*.fio)
.PHONY: test-guest-virtiofsd test-guest bench-guest-fio

test-guest-virtiofsd: $(GUEST_FILES) $(GUEST_TESTS) ## Test: the guest tooling against QEMU's virtiofsd (file operations, fio verify), about 70 s
	@sh tests/guest/run.sh virtiofsd $(VIRTIOFSD) $(GUEST)/test-virtiofsd
TEST_TARGETS += test-guest-virtiofsd

test-guest: $(GUEST_FILES) $(GUEST_TESTS) $(BIN)/vfpga-model ## Test: a stock guest on vfpga-model (file operations, fio verify psync + libaio QD16, libaio QD16 O_DIRECT reads several at once), then e2fsck + debugfs
	@sh tests/guest/run.sh vfpga-model $(BIN)/vfpga-model $(GUEST)/test-model
TEST_TARGETS += test-guest

bench-guest-fio: $(GUEST_FILES) $(BIN)/vfpga-model ## Bench: fio 4 KiB randread + seqwrite in the guest, vfpga-model vs virtiofsd, write build/bench/guest_fio.md
	@mkdir -p $(BUILD)/bench
	@sh tests/guest/bench.sh $(BIN)/vfpga-model $(VIRTIOFSD) $(GUEST)/bench $(BUILD)/bench/guest_fio.md
BENCH_TARGETS += bench-guest-fio
