# firmware/card: the card's firmware image. The request loop over the
# virtqueues, the file service and the SSD behind the root port.

# Linux uapi headers for the RV32 build: only include/linux and asm-generic.
UAPI_DIR := $(BUILD)/uapi
$(UAPI_DIR)/stamp:
	@mkdir -p $(UAPI_DIR)
	ln -sfn /usr/include/linux $(UAPI_DIR)/linux
	ln -sfn /usr/include/asm-generic $(UAPI_DIR)/asm-generic
	ln -sfn /usr/include/asm-generic $(UAPI_DIR)/asm
	@touch $@

# card.elf uses the RTL virtqueue engine (vq_hw.c); card_soft.elf walks the
# rings in firmware (vq_soft.c), the reference the engine is tested against.
# Both carry the file service: the FUSE server (firmware/fuse, card-sized
# tables) over ext4 (the RV32 objects of mk/fs.mk) over the NVMe driver and
# its card HAL (firmware/nvme). The large pools go to card DDR: the server's
# by section attribute, ext4's (vfs.o .bss) by renaming the section.
CARD_FW_SRCS := $(filter-out firmware/card/vq_hw.c firmware/card/vq_soft.c,$(sort $(wildcard firmware/card/*.c)))
CARD_FW_OBJS := $(patsubst firmware/card/%.c,$(BUILD)/firmware/card/%.o,$(CARD_FW_SRCS))
CARD_FUSE_DEFS := -DFUSE_SRV_MAX_NODES=8192 -DFUSE_SRV_MAX_HANDLES=1024 -DFUSE_SRV_MAX_WRITE=24576
CARD_FW_INC := $(FW_INC) -Ifirmware/card -Ifirmware/fsdev -Ifirmware/fuse -Ifirmware/include -Ifirmware/nvme -idirafter $(UAPI_DIR)
CARD_LIB_OBJS := $(BUILD)/firmware/card/fsdev/fsdev.o \
                 $(patsubst firmware/fuse/%.c,$(BUILD)/firmware/card/fuse/%.o,$(FUSE_CARD_SRCS)) \
                 $(patsubst firmware/nvme/%.c,$(BUILD)/firmware/card/nvme/%.o,$(sort $(wildcard firmware/nvme/*.c))) \
                 $(filter-out %/vfs.o,$(FS_RV_OBJS)) $(BUILD)/firmware/card/fs/vfs_ddr.o
CARD_HDRS := firmware/card/*.h firmware/fsdev/*.h firmware/fuse/*.h firmware/include/*.h firmware/nvme/*.h $(FW_RT_HDRS) \
             $(GEN)/soc_map.stamp $(UAPI_DIR)/stamp

$(BUILD)/firmware/card/%.o: firmware/card/%.c $(CARD_HDRS)
	@mkdir -p $(dir $@)
	$(RV_CC) $(RV_ARCH) $(FW_LIBC) $(FW_CFLAGS) $(CARD_FUSE_DEFS) $(CARD_FW_INC) -c $< -o $@

$(BUILD)/firmware/card/fuse/%.o: firmware/fuse/%.c $(CARD_HDRS)
	@mkdir -p $(dir $@)
	$(RV_CC) $(RV_ARCH) $(FW_LIBC) $(FW_CFLAGS) $(CARD_FUSE_DEFS) $(CARD_FW_INC) -c $< -o $@

$(BUILD)/firmware/card/fsdev/%.o: firmware/fsdev/%.c $(CARD_HDRS)
	@mkdir -p $(dir $@)
	$(RV_CC) $(RV_ARCH) $(FW_LIBC) $(FW_CFLAGS) $(CARD_FUSE_DEFS) $(CARD_FW_INC) -c $< -o $@

$(BUILD)/firmware/card/nvme/%.o: firmware/nvme/%.c $(CARD_HDRS)
	@mkdir -p $(dir $@)
	$(RV_CC) $(RV_ARCH) $(FW_LIBC) $(FW_CFLAGS) $(CARD_FW_INC) -c $< -o $@

$(BUILD)/firmware/card/fs/vfs_ddr.o: $(BUILD)/rv32/fs/vfs.o
	@mkdir -p $(dir $@)
	$(RV_OBJCOPY) --rename-section .bss=.ddr.vfs $< $@

CARD_LINK = $(RV_CC) $(FW_LINK_ARCH) $(FW_LIBC) -nostartfiles -T $(FW_LD) -L $(GEN) $(FW_LDFLAGS)

$(BUILD)/firmware/card.elf: $(CARD_FW_OBJS) $(BUILD)/firmware/card/vq_hw.o $(CARD_LIB_OBJS) $(FW_RT_OBJS) $(FW_LD)
	$(CARD_LINK) -Wl,-Map=$(BUILD)/firmware/card.map $(FW_RT_OBJS) $(CARD_FW_OBJS) \
	  $(BUILD)/firmware/card/vq_hw.o $(CARD_LIB_OBJS) -o $@

$(BUILD)/firmware/card_soft.elf: $(CARD_FW_OBJS) $(BUILD)/firmware/card/vq_soft.o $(CARD_LIB_OBJS) $(FW_RT_OBJS) $(FW_LD)
	$(CARD_LINK) $(FW_RT_OBJS) $(CARD_FW_OBJS) $(BUILD)/firmware/card/vq_soft.o $(CARD_LIB_OBJS) -o $@

card-firmware: $(BUILD)/firmware/card.elf $(BUILD)/firmware/card_soft.elf ## Build the card firmware (hardware virtqueues; card_soft.elf: rings walked in firmware)

