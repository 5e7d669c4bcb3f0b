# tests/fsdev: the device's request loop (firmware/fsdev) over a scripted
# queue binding and the real FUSE server on an ext4 image (ASan/UBSan).

FSDEV_TEST_DIR := $(BUILD)/tests/fsdev

$(FSDEV_TEST_DIR)/%.o: tests/fsdev/%.c
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -O1 $(FS_SAN_FLAGS) -MMD -MP $(FW_LIB_INC) -Ifirmware/hal/host -Itests/include -c $< -o $@
-include $(wildcard $(FSDEV_TEST_DIR)/*.d)

$(FSDEV_TEST_DIR)/fsdev_test: $(FSDEV_TEST_DIR)/fsdev_test.o $(call fw_objs,host-san,default,firmware/fsdev/fsdev.c) \
  $(FUSE_SAN_OBJS) $(FS_SAN_OBJS)
	$(CC) $(FS_SAN_FLAGS) $^ -o $@

test-fsdev: $(FSDEV_TEST_DIR)/fsdev_test ## Test: the request loop shared by the card and vfpga-model (deferred SETLKW for every waiter, queue stop, reset, bad chains, reply room, idle work: a FORGET that queues an eviction, idle steps, a request between two), e2fsck after
	@sh tests/fsdev/run.sh $< $(FSDEV_TEST_DIR)
TEST_TARGETS += test-fsdev
