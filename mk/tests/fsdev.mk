# tests/fsdev: the device's request loop (firmware/fsdev) over a scripted
# queue binding and the real FUSE server on an ext4 image (ASan/UBSan).

FSDEV_TEST := $(BUILD)/tests/fsdev/fsdev_test

# One compile-and-link of several sources: headers are listed, not -MMD'd.
$(FSDEV_TEST): tests/fsdev/fsdev_test.c firmware/fsdev/fsdev.c $(FUSE_SRV_SRCS) $(FS_SAN_OBJS) \
  firmware/fsdev/*.h firmware/fuse/*.h tests/include/*.h
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -O1 $(FS_SAN_FLAGS) $(FS_CFLAGS) -Ifirmware/fsdev -Ifirmware/fuse -Itests/include \
	  tests/fsdev/fsdev_test.c firmware/fsdev/fsdev.c $(FUSE_SRV_SRCS) $(FS_SAN_OBJS) -o $@

test-fsdev: $(FSDEV_TEST) ## Test: the request loop shared by the card and vfpga-model (deferred SETLKW for every waiter, queue stop, reset, bad chains, reply room), e2fsck after
	@sh tests/fsdev/run.sh $< $(BUILD)/tests/fsdev
TEST_TARGETS += test-fsdev
