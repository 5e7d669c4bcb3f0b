# tests/faults: faults on the card's live request path (root-complex
# testbench, the project's driver, the card firmware over the simulated SSD).
FAULTS_DIR := $(BUILD)/tests/faults
FAULTS_OBJS := $(RC_DRV_OBJS) $(RC_OBJS) $(SSD_OBJS)

$(FAULTS_DIR)/live_pcie.o: tests/faults/live_pcie.c
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -MMD -MP $(WORLD_INC) -Itests/include -c $< -o $@
-include $(wildcard $(FAULTS_DIR)/*.d)

$(FAULTS_DIR)/live_pcie: $(FAULTS_DIR)/live_pcie.o $(FAULTS_OBJS) $(VMODEL_OBJS)
	$(CXX) -o $@ $^ $(VMODEL_LIBS)

test-live-pcie: $(FAULTS_DIR)/live_pcie $(BUILD)/firmware/card.elf ## Test: completion faults while the card serves FUSE over ext4 (strict host): a workload under reordered/split completions, then UR, CA, poisoned and lost completions on a WRITE's data, indirect table, descriptor and avail ring: EIO or DEVICE_NEEDS_RESET, never a hang or poisoned bytes in a file; e2fsck + debugfs
	sh tests/faults/run.sh $(FAULTS_DIR)/live_pcie $(BUILD)/firmware/card.elf $(FAULTS_DIR)/run
TEST_TARGETS += test-live-pcie
