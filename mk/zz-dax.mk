# The DAX window on the RTL card: tests/dax (root-complex testbench, the
# project's driver, the card firmware over the simulated SSD). This file
# sorts after pcie.mk, vfsctl.mk and rtl.mk, whose object lists it uses.
DAX_RTL_DIR := $(BUILD)/tests/dax
DAX_RTL_OBJS := $(BUILD)/driver/vfsdrv.o $(BUILD)/driver/transport_sim.o $(RC_OBJS) \
                $(BUILD)/sim/nvme/nvme_dev.o $(BUILD)/sim/nvme/rp_link.o

$(DAX_RTL_DIR)/dax_rtl_test.o: tests/dax/dax_rtl_test.c driver/*.h sim/rc/*.h sim/nvme/*.h
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -Idriver -Isim -Isim/rc -Isim/nvme -Itests/include -c $< -o $@

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
