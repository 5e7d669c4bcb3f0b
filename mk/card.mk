# firmware/card: the card's firmware image. The request loop over the
# virtqueues, the file service and the SSD behind the root port.

# card.elf uses the RTL virtqueue engine (vq_hw.c); card_soft.elf walks the
# rings in firmware (vq_soft.c), the reference the engine is tested against.
# Both carry the request loop (firmware/fsdev) and the file service: the
# FUSE server (firmware/fuse) over ext4 (firmware/fs) over the NVMe driver
# and its card HAL (firmware/nvme). The large pools go to card DDR: the
# server's by section attribute, ext4's (vfs.o .bss) by renaming the section.
# Everything is compiled by the rv32-card build of mk/firmware.mk, with the
# card's settings in firmware/card/card_config.h.
CARD_SRCS := $(filter-out firmware/card/vq_hw.c firmware/card/vq_soft.c,$(sort $(wildcard firmware/card/*.c))) \
             firmware/fsdev/fsdev.c $(FUSE_CARD_SRCS) $(sort $(wildcard firmware/nvme/*.c)) \
             $(filter-out firmware/fs/vfs.c,$(FS_SRCS))
CARD_OBJ_DIR := $(BUILD)/fw/rv32-card
CARD_OBJS := $(call fw_objs,rv32,card,$(CARD_SRCS)) $(CARD_OBJ_DIR)/firmware/fs/vfs_ddr.o

# Every .bss section of vfs.o (one per object with -fdata-sections) becomes
# a .ddr one.
$(CARD_OBJ_DIR)/firmware/fs/vfs_ddr.o: $(CARD_OBJ_DIR)/firmware/fs/vfs.o
	$(RV_OBJCOPY) $$($(RV_OBJDUMP) -h $< | awk '$$2 ~ /^\.bss/ { print "--rename-section " $$2 "=.ddr.vfs" substr($$2, 5) }') $< $@

CARD_LINK = $(RV_CC) $(FW_LINK_ARCH) $(FW_LIBC) -nostartfiles -T $(FW_LD) -L $(GEN) $(FW_LDFLAGS)

$(BUILD)/firmware/card.elf: $(CARD_OBJS) $(CARD_OBJ_DIR)/firmware/card/vq_hw.o $(FW_RT_OBJS) $(FW_LD)
	$(CARD_LINK) -Wl,-Map=$(BUILD)/firmware/card.map $(FW_RT_OBJS) $(CARD_OBJS) \
	  $(CARD_OBJ_DIR)/firmware/card/vq_hw.o -o $@

$(BUILD)/firmware/card_soft.elf: $(CARD_OBJS) $(CARD_OBJ_DIR)/firmware/card/vq_soft.o $(FW_RT_OBJS) $(FW_LD)
	$(CARD_LINK) $(FW_RT_OBJS) $(CARD_OBJS) $(CARD_OBJ_DIR)/firmware/card/vq_soft.o -o $@

card-firmware: $(BUILD)/firmware/card.elf $(BUILD)/firmware/card_soft.elf ## Build the card firmware (hardware virtqueues; card_soft.elf: rings walked in firmware)

