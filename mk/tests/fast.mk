# tests/fast: the READ fast path armed by the card firmware, through the
# whole RTL card (root-complex testbench, the project's driver, the SSD
# model over an ext4 image).
FAST_RTL_DIR := $(BUILD)/tests/fast
FAST_RTL_OBJS := $(RC_DRV_OBJS) $(RC_OBJS) $(SSD_OBJS)

$(FAST_RTL_DIR)/fast_rtl_test.o: tests/fast/fast_rtl_test.c
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -MMD -MP $(WORLD_INC) -Itests/include -c $< -o $@
-include $(wildcard $(FAST_RTL_DIR)/*.d)

$(FAST_RTL_DIR)/fast_rtl_test: $(FAST_RTL_DIR)/fast_rtl_test.o $(FAST_RTL_OBJS) $(VMODEL_OBJS)
	$(CXX) -o $@ $^ $(VMODEL_LIBS)

test-fast-rtl: $(FAST_RTL_DIR)/fast_rtl_test $(BUILD)/firmware/card.elf ## Test: the READ fast path armed by the firmware on the RTL card: hits with no core instruction, misses to the firmware, no stale bytes after WRITE/truncate/extension, EOF cut, other fh, dirty pages, device reset, 400 random steps (READ, WRITE, FSYNC, truncate, reopen, DAX window stores; two queues) against a byte model; e2fsck + debugfs
	sh tests/fast/run.sh $(FAST_RTL_DIR)/fast_rtl_test $(BUILD)/firmware/card.elf $(FAST_RTL_DIR)/run
TEST_TARGETS += test-fast-rtl

bench-fast-rtl: $(FAST_RTL_DIR)/fast_rtl_test $(BUILD)/firmware/card.elf ## Benchmark: READ hits (4, 16, 128 KiB) through the whole RTL card's fast path vs the firmware, notify to used-ring cycles and MB/s, build/bench/fast_rtl.md
	@mkdir -p $(BUILD)/bench
	sh tests/fast/run.sh $(FAST_RTL_DIR)/fast_rtl_test $(BUILD)/firmware/card.elf $(FAST_RTL_DIR)/bench \
	  --bench $(abspath $(BUILD))/bench/fast_rtl.md > $(FAST_RTL_DIR)/bench.log 2>&1 || \
	  { tail -20 $(FAST_RTL_DIR)/bench.log; exit 1; }
	@cat $(BUILD)/bench/fast_rtl.md
BENCH_TARGETS += bench-fast-rtl
