# tests/recover: the card's file service under SSD faults while it serves,
# and a device reset or unbind/rebind in the middle of WRITE traffic (the RTL
# card in the root-complex testbench, the card firmware, the SSD model).
RECOVER_DIR := $(BUILD)/tests/recover
RECOVER_OBJS := $(RC_DRV_OBJS) $(RC_OBJS) $(SSD_OBJS)

$(RECOVER_DIR)/live_nvme.o: tests/recover/live_nvme.c
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -MMD -MP $(WORLD_INC) -Itests/include -c $< -o $@
-include $(wildcard $(RECOVER_DIR)/*.d)

$(RECOVER_DIR)/live_nvme: $(RECOVER_DIR)/live_nvme.o $(RECOVER_OBJS) $(VMODEL_OBJS)
	$(CXX) -o $@ $^ $(VMODEL_LIBS)

.PHONY: test-live-nvme
test-live-nvme: $(RECOVER_DIR)/live_nvme $(BUILD)/firmware/card.elf ## Test: SSD faults while the card serves (media error, command timeouts, controller fatal status mid-WRITE then recovery at the device reset) and a reset and an unbind/rebind mid-WRITE: EIO where due, the rest served, every FSYNC'd byte back; e2fsck + debugfs
	sh tests/recover/run.sh $(RECOVER_DIR)/live_nvme $(BUILD)/firmware/card.elf $(RECOVER_DIR)/run
TEST_TARGETS += test-live-nvme
