# Filesystem (firmware/fs: ext4 behind vfs.h) and its host block-device backend.
#
# FS_SRCS are the portable sources (no libc beyond string.h/stdint.h/errno.h);
# the RV32 firmware build compiles them. The host library adds the image-file
# blockdev (firmware/hal/host) and is what the host model links.

FS_SRCS      := $(sort $(wildcard firmware/fs/*.c))
FS_HOST_SRCS := $(FS_SRCS) $(sort $(wildcard firmware/hal/host/*.c))
FS_CFLAGS    := -Ifirmware/include -Ifirmware/fs -Ifirmware/hal/host
FS_HDRS      := $(wildcard firmware/fs/*.h firmware/include/*.h firmware/hal/host/*.h)
FS_SAN_FLAGS := $(FW_SAN_FLAGS)
FS_HOST_OBJS := $(call fw_objs,host,default,$(FS_HOST_SRCS))
FS_SAN_OBJS  := $(call fw_objs,host-san,default,$(FS_HOST_SRCS))
FS_TEST_SRCS := $(sort $(wildcard tests/fs/*.c))

.PHONY: libvfs test-fs test-fs-rv32 test-fs-kernel

$(BUILD)/host/libvfs.a: $(FS_HOST_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

libvfs: $(BUILD)/host/libvfs.a ## Build the host filesystem library build/host/libvfs.a (ext4 + image-file blockdev)

$(BUILD)/tests/fs/fs_test: $(FS_TEST_SRCS) $(FS_SAN_OBJS) tests/fs/*.h
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -O1 $(FS_SAN_FLAGS) $(FS_CFLAGS) -Itests/fs $(FS_TEST_SRCS) $(FS_SAN_OBJS) -o $@

test-fs: $(BUILD)/tests/fs/fs_test ## Test: ext4 over fresh mke2fs images, checked with e2fsck and debugfs (ASan+UBSan)
	$(BUILD)/tests/fs/fs_test $(BUILD)/tests/fs/work
TEST_TARGETS += test-fs

# The portable sources as the card's image compiles them (RV32, picolibc,
# freestanding, the card's pools: firmware/card/card_config.h).
FS_RV_OBJS := $(call fw_objs,rv32,card,$(FS_SRCS))

test-fs-rv32: $(FS_RV_OBJS) ## Test: the filesystem sources compile for RV32 (picolibc, freestanding)
	@$(RV_PREFIX)size -t $(FS_RV_OBJS) | tail -1
TEST_TARGETS += test-fs-rv32

# Kernel compatibility: Linux (user-mode Linux) mounts, reads and edits our
# images and replays our journal. Needs Debian's user-mode-linux package;
# skips (exit 0, says so) without it. Not in TEST_TARGETS for that reason.
$(BUILD)/tests/fs/kernel_img: tests/fs/kernel/kernel_img.c $(BUILD)/host/libvfs.a
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $(FS_CFLAGS) $< $(BUILD)/host/libvfs.a -o $@

test-fs-kernel: $(BUILD)/tests/fs/kernel_img ## Test: the Linux kernel (UML) reads/edits our images and replays our journal
	@sh tests/fs/kernel/kernel_check.sh $(BUILD)/tests/fs/kernel_img $(BUILD)/tests/fs/kernel-work; \
	  rc=$$?; [ $$rc = 77 ] && exit 0; exit $$rc
