# The FUSE server (firmware/fuse) over the ext4 code, tested on the host.

FUSE_SRV_SRCS := firmware/fuse/fuse_server.c firmware/fuse/fuse_wire.c
FUSE_TEST_DIR := $(BUILD)/tests/fuse

$(FUSE_TEST_DIR)/server_test: tests/fuse/server_test.c $(FUSE_SRV_SRCS) firmware/fuse/*.h $(FS_SAN_OBJS) \
  tests/include/check.h
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -O1 $(FS_SAN_FLAGS) $(FS_CFLAGS) -Ifirmware/fuse -Itests/include \
	  tests/fuse/server_test.c $(FUSE_SRV_SRCS) $(FS_SAN_OBJS) -o $@

test-fuse: $(FUSE_TEST_DIR)/server_test ## Test: FUSE server over ext4 (every request kind, malformed and forged ones), e2fsck and debugfs after
	@sh tests/fuse/run.sh $< $(FUSE_TEST_DIR)
TEST_TARGETS += test-fuse
