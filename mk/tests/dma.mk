# tests/dma: the DMA engine under several host behaviours; the host half
# (dma_host.c, the root-complex testbench) beside the card half (dma_card.c).

DMA_TEST_DIR := $(BUILD)/tests/dma

$(DMA_TEST_DIR)/dma_host.o: tests/dma/dma_host.c
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -MMD -MP $(WORLD_INC) -Itests/include -c $< -o $@

$(BIN)/dma_test: $(DMA_TEST_DIR)/dma_host.o $(RC_OBJS) $(VMODEL_OBJS)
	@mkdir -p $(BIN)
	$(CXX) -o $@ $^ $(VMODEL_LIBS)

$(DMA_TEST_DIR)/dma_card.o: tests/dma/dma_card.c tests/dma/dma_layout.h firmware/card/hostmem.h $(GEN)/soc_map.stamp
	@mkdir -p $(dir $@)
	$(RV_CC) $(RV_ARCH) $(FW_LIBC) $(FW_CFLAGS) $(FW_INC) -Ifirmware/card -c $< -o $@

$(DMA_TEST_DIR)/dma_card.elf: $(DMA_TEST_DIR)/dma_card.o $(CARD_OBJ_DIR)/firmware/card/hostmem.o $(FW_RT_OBJS) $(FW_LD)
	$(RV_CC) $(FW_LINK_ARCH) $(FW_LIBC) -nostartfiles -T $(FW_LD) -L $(GEN) $(FW_LDFLAGS) \
	  $(FW_RT_OBJS) $< $(CARD_OBJ_DIR)/firmware/card/hostmem.o -o $@

test-dma: $(BIN)/dma_test $(DMA_TEST_DIR)/dma_card.elf ## Test: DMA engine at every alignment, reordered/split completions, UR/CA/timeout, MPS/MRRS/4K rules
	$(BIN)/dma_test $(DMA_TEST_DIR)/dma_card.elf
TEST_TARGETS += test-dma

bench-dma: $(BIN)/dma_test $(DMA_TEST_DIR)/dma_card.elf ## Benchmark: DMA throughput for 4 KiB and 128 KiB, bytes per cycle (and card memory: build/bench/ddr_dma.md)
	@mkdir -p $(BUILD)/bench
	$(BIN)/dma_test $(DMA_TEST_DIR)/dma_card.elf --bench $(BUILD)/bench/dma.md $(BUILD)/bench/ddr_dma.md > /dev/null
	@cat $(BUILD)/bench/dma.md
BENCH_TARGETS += bench-dma

# The same run as bench-dma writes it.
bench-ddr-dma: bench-dma ## Benchmark: host<->DDR DMA and card-to-card copies (copy engine vs core memcpy), build/bench/ddr_dma.md
	@cat $(BUILD)/bench/ddr_dma.md
BENCH_TARGETS += bench-ddr-dma

-include $(wildcard $(DMA_TEST_DIR)/*.d)
