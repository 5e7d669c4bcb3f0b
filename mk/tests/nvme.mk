# tests/nvme: the firmware NVMe host driver (firmware/nvme) cross-checked against
# QEMU's NVMe on the riscv32 virt machine. The programs use the firmware
# runtime (its portable part, with qemu_hw.c as the platform) and its linker
# script over QEMU virt's memory (tests/nvme/qemu/soc_map.ld).

NVME_XC_DIR := $(BUILD)/tests/nvme

NVME_XC_CFLAGS := $(RV_ARCH) $(FW_LIBC) -O2 -g -std=gnu11 -Wall -Wextra -Werror \
  -Ifirmware/nvme -Ifirmware/include -Itests/nvme -Ifirmware/runtime/include
NVME_XC_LINK = $(RV_CC) $(FW_LINK_ARCH) $(FW_LIBC) -nostartfiles -T $(FW_LD) -L tests/nvme/qemu $(FW_LDFLAGS) \
  $(FW_RT_CORE_OBJS)

$(NVME_XC_DIR)/%.o: firmware/nvme/%.c firmware/nvme/*.h firmware/include/blockdev.h
	@mkdir -p $(NVME_XC_DIR)
	$(RV_CC) $(NVME_XC_CFLAGS) -c $< -o $@

$(NVME_XC_DIR)/%.o: tests/nvme/%.c tests/nvme/*.h firmware/nvme/*.h firmware/include/*.h
	@mkdir -p $(NVME_XC_DIR)
	$(RV_CC) $(NVME_XC_CFLAGS) -c $< -o $@

$(NVME_XC_DIR)/nvme_xcheck.elf: $(NVME_XC_DIR)/qemu_main.o $(NVME_XC_DIR)/qemu_hw.o $(NVME_XC_DIR)/nvme.o \
  $(FW_RT_CORE_OBJS) $(FW_LD) tests/nvme/qemu/soc_map.ld
	$(NVME_XC_LINK) $(filter-out $(FW_RT_CORE_OBJS),$(filter %.o,$^)) -o $@

# The ext4 code comes as built for the card (mk/fs.mk, FS_RV_OBJS), but for
# its checksums: QEMU's riscv32 has no crc32c.b/h/w, so crc.c is built again
# with the tables (EXT4_CRC32C_INSN=0).
$(NVME_XC_DIR)/crc.o: firmware/fs/crc.c firmware/fs/crc.h $(FW_CFG_card) $(FW_DEPS_rv32)
	@mkdir -p $(dir $@)
	$(FW_CC_rv32) $(FW_FS_FLAGS_rv32) $(FW_LIB_INC) -DEXT4_CRC32C_INSN=0 -include $(FW_CFG_card) -c $< -o $@

$(NVME_XC_DIR)/nvme_fs.elf: $(NVME_XC_DIR)/fs_main.o $(NVME_XC_DIR)/fs_scenario.o $(NVME_XC_DIR)/qemu_hw.o $(NVME_XC_DIR)/nvme.o \
  $(NVME_XC_DIR)/nvme_blockdev.o $(NVME_XC_DIR)/crc.o $(filter-out %/crc.o,$(FS_RV_OBJS)) $(FW_RT_CORE_OBJS) $(FW_LD) \
  tests/nvme/qemu/soc_map.ld
	$(NVME_XC_LINK) $(filter-out $(FW_RT_CORE_OBJS),$(filter %.o,$^)) -o $@

test-nvme-qemu: $(NVME_XC_DIR)/nvme_xcheck.elf ## Test: firmware NVMe driver against QEMU's NVMe (riscv32 virt), image checked on the host
	@sh tests/nvme/run.sh $< $(NVME_XC_DIR)
TEST_TARGETS += test-nvme-qemu

test-nvme-fs: $(NVME_XC_DIR)/nvme_fs.elf ## Test: the ext4-over-NVMe scenario (tests/nvme/fs_scenario.c) on QEMU's NVMe; e2fsck and debugfs check the image
	@sh tests/nvme/run_fs.sh $< $(NVME_XC_DIR)
TEST_TARGETS += test-nvme-fs

# The driver (host build) against the SSD model's controller (world/ssd, the
# one behind the card's root port) bound to host memory, under ASan and UBSan;
# then the SSD profiles' timing in simulated cycles.
NVME_MODEL_TEST := $(BUILD)/tests/nvme/model_test
NVME_MODEL_SRCS := tests/nvme/model_test.c world/ssd/nvme_core.c world/ssd/nvme_host.c world/ssd/nvme_opts.c \
  world/ssd/vcache.c \
  firmware/nvme/nvme.c
$(NVME_MODEL_TEST): $(NVME_MODEL_SRCS) world/ssd/nvme_core.h world/ssd/nvme_host.h world/ssd/nvme_dev.h \
  firmware/nvme/nvme.h tests/include/check.h
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -O1 $(FW_SAN_FLAGS) -Ifirmware/nvme -Ifirmware/include -Iworld/ssd -Itests/include \
	  $(NVME_MODEL_SRCS) -o $@

test-nvme-model: $(NVME_MODEL_TEST) ## Test: NVMe driver against the SSD model's controller on the host (every injected fault, ASan/UBSan), SSD profile timing
	$(NVME_MODEL_TEST) $(BUILD)/tests/nvme/model.img
TEST_TARGETS += test-nvme-model
