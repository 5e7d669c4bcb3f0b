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


# POSIX semantics in a stock guest against vfpga-model (tests/posix).
$(BUILD)/tests/posix/posix_test: tests/posix/posix_test.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -static -Wall -Wextra -Werror $< -o $@

test-posix: $(BUILD)/tests/posix/posix_test $(BIN)/vfpga-model guest ## Test: posix_test (about 700 POSIX cases with their errnos) in the stock guest on vfpga-model, e2fsck after
	@sh tests/posix/run.sh $(BIN)/vfpga-model $(BUILD)/tests/posix/posix_test $(BUILD)/tests/posix/run
TEST_TARGETS += test-posix
# The guest's file-operations script and fio verify jobs on vfpga-model
# (test-guest is defined in mk/guest.mk).
TEST_TARGETS += test-guest
