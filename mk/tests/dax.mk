# tests/dax: the DAX window on the RTL card (root-complex testbench, the
# project's driver, the card firmware over the simulated SSD).
DAX_RTL_DIR := $(BUILD)/tests/dax
DAX_RTL_OBJS := $(RC_DRV_OBJS) $(RC_OBJS) $(SSD_OBJS)

$(DAX_RTL_DIR)/dax_rtl_test.o: tests/dax/dax_rtl_test.c
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -MMD -MP $(WORLD_INC) -Itests/include -c $< -o $@
-include $(wildcard $(DAX_RTL_DIR)/*.d)

$(DAX_RTL_DIR)/dax_rtl_test: $(DAX_RTL_DIR)/dax_rtl_test.o $(DAX_RTL_OBJS) $(VMODEL_OBJS)
	$(CXX) -o $@ $^ $(VMODEL_LIBS)

test-dax-rtl: $(DAX_RTL_DIR)/dax_rtl_test $(BUILD)/firmware/card.elf ## Test: DAX window on the RTL card through the driver: map, window writes seen by FUSE READ, read-only and unmapped pages, REMOVEMAPPING write-back, bad input, FSYNC + device reset, random steps vs a model; e2fsck + debugfs
	sh tests/dax/run.sh $(DAX_RTL_DIR)/dax_rtl_test $(BUILD)/firmware/card.elf $(DAX_RTL_DIR)/run
TEST_TARGETS += test-dax-rtl

bench-dax-rtl: $(DAX_RTL_DIR)/dax_rtl_test $(BUILD)/firmware/card.elf ## Benchmark: DAX window bandwidth at the TLP interface and SETUPMAPPING 2 MiB latency on the RTL card
	@mkdir -p $(BUILD)/bench
	sh tests/dax/run.sh $(DAX_RTL_DIR)/dax_rtl_test $(BUILD)/firmware/card.elf $(DAX_RTL_DIR)/bench \
	  --steps 0 --bench $(abspath $(BUILD))/bench/dax-rtl.md > $(DAX_RTL_DIR)/bench.log 2>&1 || \
	  { tail -20 $(DAX_RTL_DIR)/bench.log; exit 1; }
	@cat $(BUILD)/bench/dax-rtl.md
BENCH_TARGETS += bench-dax-rtl
