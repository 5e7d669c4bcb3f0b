# tests/pcie: the PCIe function and the virtqueue engine under the
# root-complex testbench (world/rc). Each test has its host half (*_host.c,
# the testbench program) beside its card half (*_card.*, the firmware).

PCIE_TEST_DIR := $(BUILD)/tests/pcie

$(PCIE_TEST_DIR)/pcie_host.o: tests/pcie/pcie_host.c
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -MMD -MP $(WORLD_INC) -Itests/include -c $< -o $@

$(BIN)/pcie_test: $(PCIE_TEST_DIR)/pcie_host.o $(RC_OBJS) $(VMODEL_OBJS)
	@mkdir -p $(BIN)
	$(CXX) -o $@ $^ $(VMODEL_LIBS)

$(PCIE_TEST_DIR)/pcie_card.elf: tests/pcie/pcie_card.S tests/include/bare.ld $(GEN)/soc_map.stamp
	@mkdir -p $(dir $@)
	$(RV_CC) $(RV_ARCH) -nostdlib -nostartfiles -L$(GEN) -Ttests/include/bare.ld $< -o $@

test-pcie: $(BIN)/pcie_test $(PCIE_TEST_DIR)/pcie_card.elf ## Test: root-complex testbench of the PCIe function (config space, virtio regs, MSI-X, INTx, BAR2, bad TLPs)
	$(BIN)/pcie_test $(PCIE_TEST_DIR)/pcie_card.elf
TEST_TARGETS += test-pcie

# --- the request path: harness driver -> RTL -> card firmware --------------
$(PCIE_TEST_DIR)/vq_host.o: tests/pcie/vq_host.c
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -MMD -MP $(WORLD_INC) -Itests/include -c $< -o $@

$(BIN)/vq_test: $(PCIE_TEST_DIR)/vq_host.o $(RC_OBJS) $(VMODEL_OBJS)
	@mkdir -p $(BIN)
	$(CXX) -o $@ $^ $(VMODEL_LIBS)

# Several requests in flight, answered out of order (test firmware on the engine).
$(PCIE_TEST_DIR)/vq_ooo_card.o: tests/pcie/vq_ooo_card.c firmware/card/*.h $(GEN)/soc_map.stamp $(UAPI_DIR)/stamp
	@mkdir -p $(dir $@)
	$(RV_CC) $(RV_ARCH) $(FW_LIBC) $(FW_CFLAGS) $(FW_INC) -Ifirmware/card -idirafter $(UAPI_DIR) -c $< -o $@

$(PCIE_TEST_DIR)/vq_ooo_card.elf: $(PCIE_TEST_DIR)/vq_ooo_card.o $(CARD_OBJ_DIR)/firmware/card/hostmem.o $(CARD_OBJ_DIR)/firmware/card/vq_data.o \
  $(CARD_OBJ_DIR)/firmware/card/vq_hw.o $(FW_RT_OBJS) $(FW_LD)
	$(RV_CC) $(FW_LINK_ARCH) $(FW_LIBC) -nostartfiles -T $(FW_LD) -L $(GEN) $(FW_LDFLAGS) \
	  $(FW_RT_OBJS) $(filter-out $(FW_RT_OBJS),$(filter %.o,$^)) -o $@

# Random chains, legal and malformed (tests/include/chain_gen.h), per walker:
# the RTL engine takes 10^4 in about a minute, the firmware walker is slower.
VQ_CHAINS_ENGINE ?= 10000
VQ_CHAINS_SOFT ?= 2000
test-vq: $(BIN)/vq_test $(BUILD)/firmware/card.elf $(BUILD)/firmware/card_soft.elf $(PCIE_TEST_DIR)/vq_ooo_card.elf ## Test: FUSE requests through the RTL virtqueue engine and the card firmware (INIT, ENOSYS, malformed chains, out-of-order completion), and the firmware reference walker
	VQ_TEST_CHAINS=$(VQ_CHAINS_ENGINE) $(BIN)/vq_test $(BUILD)/firmware/card.elf
	VQ_TEST_CHAINS=$(VQ_CHAINS_SOFT) $(BIN)/vq_test $(BUILD)/firmware/card_soft.elf
	$(BIN)/vq_test $(PCIE_TEST_DIR)/vq_ooo_card.elf --out-of-order
TEST_TARGETS += test-vq

bench-vq: $(BIN)/vq_test $(BUILD)/firmware/card.elf $(BUILD)/firmware/card_soft.elf ## Benchmark: notify to used-ring cycles for FUSE_INIT and a minimal request
	@mkdir -p $(BUILD)/bench
	$(BIN)/vq_test $(BUILD)/firmware/card.elf --bench $(BUILD)/bench/vq.md --label "RTL virtqueue engine" > /dev/null
	$(BIN)/vq_test $(BUILD)/firmware/card_soft.elf --bench $(BUILD)/bench/vq_soft.md --label "rings walked in firmware" > /dev/null
	@cat $(BUILD)/bench/vq.md $(BUILD)/bench/vq_soft.md
BENCH_TARGETS += bench-vq

-include $(wildcard $(PCIE_TEST_DIR)/*.d)
