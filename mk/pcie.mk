# The PCIe function's root-complex testbench (sim/rc) and its tests.

RC_SRCS := sim/rc/rc.c sim/rc/sparse_mem.c sim/elf_load.c sim/soc_load.c
RC_OBJS := $(patsubst sim/%.c,$(BUILD)/sim/%.o,$(RC_SRCS))
PCIE_TEST_DIR := $(BUILD)/tests/pcie

$(BUILD)/sim/rc/%.o: sim/rc/%.c sim/rc/*.h sim/*.h $(GEN)/soc_map.stamp
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -I$(GEN) -Isim -Isim/rc -c $< -o $@

$(PCIE_TEST_DIR)/pcie_test.o: tests/pcie/pcie_test.c sim/rc/*.h
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -Isim -Isim/rc -c $< -o $@

$(BIN)/pcie_test: $(PCIE_TEST_DIR)/pcie_test.o $(RC_OBJS) $(VMODEL_OBJS)
	@mkdir -p $(BIN)
	$(CXX) -o $@ $^ $(VMODEL_LIBS)

$(PCIE_TEST_DIR)/echo_fw.elf: tests/pcie/echo_fw.S tests/sim/link.ld $(GEN)/soc_map.stamp
	@mkdir -p $(dir $@)
	$(RV_CC) $(RV_ARCH) -nostdlib -nostartfiles -L$(GEN) -Ttests/sim/link.ld $< -o $@

test-pcie: $(BIN)/pcie_test $(PCIE_TEST_DIR)/echo_fw.elf ## Test: root-complex testbench of the PCIe function (config space, virtio regs, MSI-X, INTx, BAR2, bad TLPs)
	$(BIN)/pcie_test $(PCIE_TEST_DIR)/echo_fw.elf
TEST_TARGETS += test-pcie
