# tests/model: vu_test plays a vhost-user front end against vfpga-model.

$(BUILD)/tests/model/vu_test: tests/model/vu_test.c tests/include/check.h include/fuse_req.h
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -Iinclude -Itests/include $< -o $@

test-model: $(BIN)/vfpga-model $(BUILD)/tests/model/vu_test ## Test: vfpga-model's vhost-user front end (negotiation, rings, malformed chains and messages), e2fsck + debugfs after
	@sh tests/model/run.sh $(BIN)/vfpga-model $(BUILD)/tests/model/vu_test $(BUILD)/tests/model/run
TEST_TARGETS += test-model

# vfpga-model's ring walker against random legal and malformed chains
# (tests/include/chain_gen.h, shared with the RTL's test-vq), in process.
VRING_FUZZ_CHAINS ?= 1000000
$(BUILD)/tests/model/vring_fuzz: tests/model/vring_fuzz.c tests/include/chain_gen.h tests/include/figures.h model/vhost/vring.c model/vhost/vhost_user.c model/vhost/*.h
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -O2 $(FW_SAN_FLAGS) -Imodel/vhost -Itests/include tests/model/vring_fuzz.c \
	  model/vhost/vring.c model/vhost/vhost_user.c -o $@

test-vring-fuzz: $(BUILD)/tests/model/vring_fuzz ## Test: vfpga-model's ring walker against 10^6 random chains, legal and breaking each device-side rule (served, dropped or broken as the rule says; no write outside writable buffers; ASan+UBSan)
	$(BUILD)/tests/model/vring_fuzz $(VRING_FUZZ_CHAINS)
TEST_TARGETS += test-vring-fuzz
