# vfpga-model: the card's functional model (FUSE server + ext4 on the host)
# behind a vhost-user-fs socket. The vhost-user code in sim/vhost is shared
# with vfpga-sim's bridge into the RTL.

VHOST_SRCS  := sim/vhost/vhost_user.c sim/vhost/vring.c sim/vhost/devstats.c
MODEL_SRCS  := sim/model/vfpga_model.c $(VHOST_SRCS) $(FUSE_SRV_SRCS)
MODEL_FLAGS := $(FS_CFLAGS) -Ifirmware/fuse -Isim/vhost

$(BIN)/vfpga-model: $(MODEL_SRCS) sim/vhost/*.h firmware/fuse/*.h $(BUILD)/host/libvfs.a
	@mkdir -p $(BIN)
	$(CC) $(HOST_CFLAGS) $(MODEL_FLAGS) $(MODEL_SRCS) $(BUILD)/host/libvfs.a -o $@

.PHONY: vfpga-model
vfpga-model: $(BIN)/vfpga-model ## Build build/bin/vfpga-model (vhost-user-fs back end: the firmware's file server on the host)

$(BUILD)/tests/model/vu_test: tests/model/vu_test.c tests/include/check.h
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -Itests/include $< -o $@

test-model: $(BIN)/vfpga-model $(BUILD)/tests/model/vu_test ## Test: vfpga-model's vhost-user front end (negotiation, rings, malformed chains and messages), e2fsck + debugfs after
	@sh tests/model/run.sh $(BIN)/vfpga-model $(BUILD)/tests/model/vu_test $(BUILD)/tests/model/run
TEST_TARGETS += test-model

