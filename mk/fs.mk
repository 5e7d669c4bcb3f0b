# Filesystem (firmware/fs: ext4 behind vfs.h) and its host block-device backend.
#
# FS_SRCS are the portable sources (no libc beyond string.h/stdint.h/errno.h);
# the RV32 firmware build compiles them. The host library adds the image-file
# blockdev (firmware/hal/host) and is what the host model links.

FS_SRCS      := $(sort $(wildcard firmware/fs/*.c))
FS_HOST_SRCS := $(FS_SRCS) $(sort $(wildcard firmware/hal/host/*.c))
FS_CFLAGS    := -Ifirmware/include -Ifirmware/fs -Ifirmware/hal/host
FS_SAN_FLAGS := $(FW_SAN_FLAGS)
FS_HOST_OBJS := $(call fw_objs,host,default,$(FS_HOST_SRCS))
FS_SAN_OBJS  := $(call fw_objs,host-san,default,$(FS_HOST_SRCS))
FS_TEST_SRCS := $(sort $(wildcard tests/fs/*.c))

.PHONY: libvfs

$(BUILD)/host/libvfs.a: $(FS_HOST_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

libvfs: $(BUILD)/host/libvfs.a ## Build the host filesystem library build/host/libvfs.a (ext4 + image-file blockdev)

# The portable sources as the card's image compiles them (RV32, picolibc,
# freestanding, the card's pools: firmware/card/card_config.h).
FS_RV_OBJS := $(call fw_objs,rv32,card,$(FS_SRCS))

