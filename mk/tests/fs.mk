# tests/fs: ext4 over fresh mke2fs images (ASan/UBSan), the RV32 build, and
# Linux's own ext4 (user-mode Linux) on our images.

.PHONY: test-fs test-fs-rv32 test-fs-kernel

$(BUILD)/tests/fs/fs_test: $(FS_TEST_SRCS) $(FS_SAN_OBJS) tests/fs/*.h
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -O1 $(FS_SAN_FLAGS) $(FS_CFLAGS) -Itests/fs $(FS_TEST_SRCS) $(FS_SAN_OBJS) -o $@

test-fs: $(BUILD)/tests/fs/fs_test ## Test: ext4 over fresh mke2fs images, checked with e2fsck and debugfs (ASan+UBSan)
	$(BUILD)/tests/fs/fs_test $(BUILD)/tests/fs/work
TEST_TARGETS += test-fs

test-fs-rv32: $(FS_RV_OBJS) ## Test: the filesystem sources compile for RV32 (picolibc, freestanding)
	@$(RV_PREFIX)size -t $(FS_RV_OBJS) | tail -1
TEST_TARGETS += test-fs-rv32

# Kernel compatibility: Linux (user-mode Linux) mounts, reads and edits our
# images and replays our journal. Needs Debian's user-mode-linux package
# (tools/setup.sh installs it); without it the target is skipped (exit 77,
# counted as skipped by make test, a failure in CI). In TEST_TARGETS from the
# top Makefile, after test-firmware.
$(BUILD)/tests/fs/kernel_img: tests/fs/kernel/kernel_img.c $(BUILD)/host/libvfs.a
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $(FS_CFLAGS) $< $(BUILD)/host/libvfs.a -o $@

test-fs-kernel: $(BUILD)/tests/fs/kernel_img ## Test: the Linux kernel (UML) reads/edits our images and replays our journal
	@$(call test_skippable,sh tests/fs/kernel/kernel_check.sh $(BUILD)/tests/fs/kernel_img $(BUILD)/tests/fs/kernel-work)

# Structure-aware fuzzing of ext4 (tests/fs/fuzz/ext4_fuzz.c): in make test a
# short run per structure under ASan/UBSan, in the sources' configuration and
# in the card's (card_config.h: its cache and table sizes), with coverage
# floors; fuzz-ext4-long runs 10^7 executions per structure without the
# sanitizers (hours; FUZZ_SEED picks the run).
EXT4_FUZZ_EXECS ?= 1500
FUZZ_SEED ?= 1
$(BUILD)/tests/fs/ext4_fuzz: tests/fs/fuzz/ext4_fuzz.c $(call fw_objs,host-san,default,$(FS_SRCS))
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -O1 $(FS_SAN_FLAGS) $(FS_CFLAGS) -Itests/include $^ -o $@
$(BUILD)/tests/fs/ext4_fuzz-card: tests/fs/fuzz/ext4_fuzz.c $(call fw_objs,host-san,card,$(FS_SRCS))
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -O1 $(FS_SAN_FLAGS) $(FS_CFLAGS) -include firmware/card/card_config.h -Itests/include $^ -o $@
$(BUILD)/tests/fs/ext4_fuzz-fast: tests/fs/fuzz/ext4_fuzz.c $(call fw_objs,host,default,$(FS_SRCS))
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $(FS_CFLAGS) -Itests/include $^ -o $@

.PHONY: test-fuzz-ext4 fuzz-ext4-long
test-fuzz-ext4: $(BUILD)/tests/fs/ext4_fuzz $(BUILD)/tests/fs/ext4_fuzz-card ## Test: structure-aware ext4 fuzzing (10 structures x EXT4_FUZZ_EXECS, checksums recomputed; default and card configuration; ASan+UBSan; coverage floors)
	$(BUILD)/tests/fs/ext4_fuzz $(BUILD)/tests/fs/fuzz $(EXT4_FUZZ_EXECS) $(FUZZ_SEED)
	$(BUILD)/tests/fs/ext4_fuzz-card $(BUILD)/tests/fs/fuzz-card $(EXT4_FUZZ_EXECS) $(FUZZ_SEED)
TEST_TARGETS += test-fuzz-ext4

fuzz-ext4-long: $(BUILD)/tests/fs/ext4_fuzz-fast ## Fuzz: 10^7 executions per ext4 structure, no sanitizers (hours; not in make test)
	$(BUILD)/tests/fs/ext4_fuzz-fast $(BUILD)/tests/fs/fuzz-long 10000000 $(FUZZ_SEED)
