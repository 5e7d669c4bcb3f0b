# tests/model: vu_test plays a vhost-user front end against vfpga-model.

$(BUILD)/tests/model/vu_test: tests/model/vu_test.c tests/include/check.h include/fuse_req.h
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -Iinclude -Itests/include $< -o $@

test-model: $(BIN)/vfpga-model $(BUILD)/tests/model/vu_test ## Test: vfpga-model's vhost-user front end (negotiation, rings, malformed chains and messages), e2fsck + debugfs after
	@sh tests/model/run.sh $(BIN)/vfpga-model $(BUILD)/tests/model/vu_test $(BUILD)/tests/model/run
TEST_TARGETS += test-model
