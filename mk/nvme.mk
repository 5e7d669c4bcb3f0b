# NVMe: the firmware host driver (firmware/nvme) and its cross-check against
# QEMU's NVMe on the riscv32 virt machine.

NVME_XC_DIR := $(BUILD)/tests/nvme

$(NVME_XC_DIR)/nvme_xcheck.elf: tests/nvme/qemu_main.c tests/nvme/start.S tests/nvme/qemu.ld \
  tests/nvme/layout.h firmware/nvme/nvme.c firmware/nvme/nvme.h
	@mkdir -p $(NVME_XC_DIR)
	$(RV_CC) $(RV_ARCH) $(FW_LIBC) -O2 -g -std=gnu11 -Wall -Wextra -Werror -Ifirmware/nvme -Itests/nvme \
	  -c firmware/nvme/nvme.c -o $(NVME_XC_DIR)/nvme.o
	$(RV_CC) $(RV_ARCH) $(FW_LIBC) -O2 -g -std=gnu11 -Wall -Wextra -Werror -Ifirmware/nvme -Itests/nvme \
	  -c tests/nvme/qemu_main.c -o $(NVME_XC_DIR)/qemu_main.o
	$(RV_CC) $(FW_LINK_ARCH) $(FW_LIBC) -nostartfiles -T tests/nvme/qemu.ld -Wl,--no-warn-rwx-segments \
	  tests/nvme/start.S $(NVME_XC_DIR)/qemu_main.o $(NVME_XC_DIR)/nvme.o -o $@

test-nvme-qemu: $(NVME_XC_DIR)/nvme_xcheck.elf ## Test: firmware NVMe driver against QEMU's NVMe (riscv32 virt), image checked on the host
	@sh tests/nvme/run.sh $< $(NVME_XC_DIR)
TEST_TARGETS += test-nvme-qemu
