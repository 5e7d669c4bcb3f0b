# The PCIe function's root-complex testbench (sim/rc) and its tests.

RC_SRCS := sim/rc/rc.c sim/elf_load.c sim/soc_load.c
RC_OBJS := $(patsubst sim/%.c,$(BUILD)/sim/%.o,$(RC_SRCS))
PCIE_TEST_DIR := $(BUILD)/tests/pcie

$(BUILD)/sim/rc/%.o: sim/rc/%.c sim/rc/*.h sim/*.h $(GEN)/soc_map.stamp
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -I$(GEN) -Isim -Isim/rc -c $< -o $@

$(PCIE_TEST_DIR)/pcie_test.o: tests/pcie/pcie_test.c sim/rc/*.h
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -Isim -Isim/rc -Itests/include -c $< -o $@

$(BIN)/pcie_test: $(PCIE_TEST_DIR)/pcie_test.o $(RC_OBJS) $(VMODEL_OBJS)
	@mkdir -p $(BIN)
	$(CXX) -o $@ $^ $(VMODEL_LIBS)

$(PCIE_TEST_DIR)/echo_fw.elf: tests/pcie/echo_fw.S tests/sim/link.ld $(GEN)/soc_map.stamp
	@mkdir -p $(dir $@)
	$(RV_CC) $(RV_ARCH) -nostdlib -nostartfiles -L$(GEN) -Ttests/sim/link.ld $< -o $@

test-pcie: $(BIN)/pcie_test $(PCIE_TEST_DIR)/echo_fw.elf ## Test: root-complex testbench of the PCIe function (config space, virtio regs, MSI-X, INTx, BAR2, bad TLPs)
	$(BIN)/pcie_test $(PCIE_TEST_DIR)/echo_fw.elf
TEST_TARGETS += test-pcie

# --- DMA engine: firmware-driven test under several host behaviours -------
DMA_TEST_DIR := $(BUILD)/tests/dma

$(DMA_TEST_DIR)/dma_test.o: tests/dma/dma_test.c tests/dma/dma_layout.h sim/rc/*.h
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -Isim -Isim/rc -Itests/include -c $< -o $@

$(BIN)/dma_test: $(DMA_TEST_DIR)/dma_test.o $(RC_OBJS) $(VMODEL_OBJS)
	@mkdir -p $(BIN)
	$(CXX) -o $@ $^ $(VMODEL_LIBS)

$(DMA_TEST_DIR)/dmatest.o: tests/dma/dmatest.c tests/dma/dma_layout.h firmware/card/hostmem.h $(FW_RT_HDRS) $(GEN)/soc_map.stamp
	@mkdir -p $(dir $@)
	$(RV_CC) $(RV_ARCH) $(FW_LIBC) $(FW_CFLAGS) $(FW_INC) -Ifirmware/card -c $< -o $@

$(DMA_TEST_DIR)/dmatest.elf: $(DMA_TEST_DIR)/dmatest.o $(BUILD)/firmware/card/hostmem.o $(FW_RT_OBJS) $(FW_LD)
	$(RV_CC) $(FW_LINK_ARCH) $(FW_LIBC) -nostartfiles -T $(FW_LD) -L $(GEN) $(FW_LDFLAGS) \
	  $(FW_RT_OBJS) $< $(BUILD)/firmware/card/hostmem.o -o $@

test-dma: $(BIN)/dma_test $(DMA_TEST_DIR)/dmatest.elf ## Test: DMA engine at every alignment, reordered/split completions, UR/CA/timeout, MPS/MRRS/4K rules
	$(BIN)/dma_test $(DMA_TEST_DIR)/dmatest.elf
TEST_TARGETS += test-dma

bench-dma: $(BIN)/dma_test $(DMA_TEST_DIR)/dmatest.elf ## Benchmark: DMA throughput for 4 KiB and 128 KiB, bytes per cycle
	@mkdir -p $(BUILD)/bench
	$(BIN)/dma_test $(DMA_TEST_DIR)/dmatest.elf --bench $(BUILD)/bench/dma.md > /dev/null
	@cat $(BUILD)/bench/dma.md
BENCH_TARGETS += bench-dma

# --- the card firmware (firmware/card): virtqueues over DMA, FUSE_INIT ------
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
CARD_FW_INC := $(FW_INC) -Ifirmware/card -Ifirmware/fuse -Ifirmware/include -Ifirmware/nvme -idirafter $(UAPI_DIR)
CARD_LIB_OBJS := $(patsubst firmware/fuse/%.c,$(BUILD)/firmware/card/fuse/%.o,$(FUSE_CARD_SRCS)) \
                 $(patsubst firmware/nvme/%.c,$(BUILD)/firmware/card/nvme/%.o,$(sort $(wildcard firmware/nvme/*.c))) \
                 $(filter-out %/vfs.o,$(FS_RV_OBJS)) $(BUILD)/firmware/card/fs/vfs_ddr.o
CARD_HDRS := firmware/card/*.h firmware/fuse/*.h firmware/include/*.h firmware/nvme/*.h $(FW_RT_HDRS) \
             $(GEN)/soc_map.stamp $(UAPI_DIR)/stamp

$(BUILD)/firmware/card/%.o: firmware/card/%.c $(CARD_HDRS)
	@mkdir -p $(dir $@)
	$(RV_CC) $(RV_ARCH) $(FW_LIBC) $(FW_CFLAGS) $(CARD_FUSE_DEFS) $(CARD_FW_INC) -c $< -o $@

$(BUILD)/firmware/card/fuse/%.o: firmware/fuse/%.c $(CARD_HDRS)
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

# --- the request path: harness driver -> RTL -> card firmware --------------
$(PCIE_TEST_DIR)/vq_test.o: tests/pcie/vq_test.c sim/rc/*.h
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -Isim -Isim/rc -Itests/include -c $< -o $@

$(BIN)/vq_test: $(PCIE_TEST_DIR)/vq_test.o $(RC_OBJS) $(VMODEL_OBJS)
	@mkdir -p $(BIN)
	$(CXX) -o $@ $^ $(VMODEL_LIBS)

# Several requests in flight, answered out of order (test firmware on the engine).
$(PCIE_TEST_DIR)/ooo_fw.o: tests/pcie/ooo_fw.c firmware/card/*.h $(FW_RT_HDRS) $(GEN)/soc_map.stamp $(UAPI_DIR)/stamp
	@mkdir -p $(dir $@)
	$(RV_CC) $(RV_ARCH) $(FW_LIBC) $(FW_CFLAGS) $(FW_INC) -Ifirmware/card -idirafter $(UAPI_DIR) -c $< -o $@

$(PCIE_TEST_DIR)/ooo_fw.elf: $(PCIE_TEST_DIR)/ooo_fw.o $(BUILD)/firmware/card/hostmem.o $(BUILD)/firmware/card/vq_data.o \
  $(BUILD)/firmware/card/vq_hw.o $(FW_RT_OBJS) $(FW_LD)
	$(RV_CC) $(FW_LINK_ARCH) $(FW_LIBC) -nostartfiles -T $(FW_LD) -L $(GEN) $(FW_LDFLAGS) \
	  $(FW_RT_OBJS) $(filter-out $(FW_RT_OBJS),$(filter %.o,$^)) -o $@

test-vq: $(BIN)/vq_test $(BUILD)/firmware/card.elf $(BUILD)/firmware/card_soft.elf $(PCIE_TEST_DIR)/ooo_fw.elf ## Test: FUSE requests through the RTL virtqueue engine and the card firmware (INIT, ENOSYS, malformed chains, out-of-order completion), and the firmware reference walker
	$(BIN)/vq_test $(BUILD)/firmware/card.elf
	$(BIN)/vq_test $(BUILD)/firmware/card_soft.elf
	$(BIN)/vq_test $(PCIE_TEST_DIR)/ooo_fw.elf --out-of-order
TEST_TARGETS += test-vq

bench-vq: $(BIN)/vq_test $(BUILD)/firmware/card.elf $(BUILD)/firmware/card_soft.elf ## Benchmark: notify to used-ring cycles for FUSE_INIT and a minimal request
	@mkdir -p $(BUILD)/bench
	$(BIN)/vq_test $(BUILD)/firmware/card.elf --bench $(BUILD)/bench/vq.md --label "RTL virtqueue engine" > /dev/null
	$(BIN)/vq_test $(BUILD)/firmware/card_soft.elf --bench $(BUILD)/bench/vq_soft.md --label "rings walked in firmware" > /dev/null
	@cat $(BUILD)/bench/vq.md $(BUILD)/bench/vq_soft.md
BENCH_TARGETS += bench-vq
