# tests/rtl: a self-checking Verilator bench per RTL block, each driving the
# block's own ports with a model of what is around it (tests/rtl/lib: the
# shared stream types, header builders, back-pressure, check counting and the
# stream macros; the board adapter benches use it too). tests/rtl/run.sh
# builds and runs both sets.

RTL_UNIT_BENCHES := pcie_ep dma_engine dma_copy vq_engine vq_fast dax_window rp_inbound vfs_time
RTL_UNIT_DIR := $(BUILD)/tests/rtl

.PHONY: test-rtl-units bench-fast

test-rtl-units: $(GEN)/soc_map.stamp ## Test: unit bench per RTL block (pcie_ep, dma_engine, dma_copy, vq_engine, vq_fast, dax_window, rp_inbound, vfs_time) under Verilator
	@mkdir -p $(RTL_UNIT_DIR)
	@VERILATOR=$(VERILATOR) sh tests/rtl/run.sh "rtl unit" $(RTL_UNIT_DIR) $(VERILATOR_LOCK) \
	  "$(RTL_PKGS)" "$(RTL_SRCS)" $(addprefix tests/rtl/,$(RTL_UNIT_BENCHES))
TEST_TARGETS += test-rtl-units

bench-fast: $(GEN)/soc_map.stamp ## Benchmark: READ hits through the fast path (vq_fast bench): 4 KiB notification to used ring with an immediate and an 800 ns host, 128 KiB reply bandwidth -> build/bench/fast.md
	@mkdir -p $(RTL_UNIT_DIR) $(BUILD)/bench
	@VERILATOR=$(VERILATOR) sh tests/rtl/run.sh "rtl unit" $(RTL_UNIT_DIR) $(VERILATOR_LOCK) \
	  "$(RTL_PKGS)" "$(RTL_SRCS)" tests/rtl/vq_fast > /dev/null
	@sh tests/rtl/vq_fast/bench.sh $(RTL_UNIT_DIR)/vq_fast.log > $(BUILD)/bench/fast.md
	@cat $(BUILD)/bench/fast.md
BENCH_TARGETS += bench-fast
