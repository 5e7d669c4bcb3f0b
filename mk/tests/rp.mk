# tests/rp: the root port toward the SSD (rtl/rp), the SSD model behind it (world/ssd),
# the NVMe driver on the card (firmware/nvme with its card HAL) and their
# tests and benchmark (tests/rp). Contract: docs/nvme-root-port.md.

RP_DIR  := $(BUILD)/rp
RP_SIM  ?= $(BIN)/vfpga-sim
RP_FW_INC := $(FW_INC) -Ifirmware/nvme -Ifirmware/include -Itests/nvme -Iworld/ssd
RP_FW_HDRS := $(wildcard firmware/nvme/*.h firmware/include/*.h tests/nvme/*.h tests/rp/*.h) world/ssd/nvme_dev.h \
              $(GEN)/soc_map.stamp
# The driver and its card HAL, as the card's image has them.
RP_NVME_OBJS := $(call fw_objs,rv32,card,firmware/nvme/nvme.c firmware/nvme/nvme_card.c firmware/nvme/nvme_blockdev.c \
                                          firmware/card/hostmem.c)

$(RP_DIR)/fw/%.o: tests/rp/%.c $(RP_FW_HDRS)
	@mkdir -p $(dir $@)
	$(RV_CC) $(RV_ARCH) $(FW_LIBC) $(FW_CFLAGS) $(RP_FW_INC) -c $< -o $@

RP_LINK = $(RV_CC) $(FW_LINK_ARCH) $(FW_LIBC) -nostartfiles -T $(FW_LD) -L $(GEN) $(FW_LDFLAGS)

$(RP_DIR)/nvmetest.elf: $(RP_DIR)/fw/nvmetest.o $(RP_NVME_OBJS) $(FW_RT_OBJS) $(FW_LD)
	$(RP_LINK) $(FW_RT_OBJS) $(filter-out $(FW_RT_OBJS),$(filter %.o,$^)) -o $@

.PHONY: test-rp-nvme

test-rp-nvme: $(RP_DIR)/nvmetest.elf $(RP_SIM) ## Test: NVMe driver on the card against the SSD model behind the RTL root port, every injected fault; image checked on the host
	@sh tests/rp/run_nvme.sh $(RP_SIM) $< $(RP_DIR)/nvmetest
TEST_TARGETS += test-rp-nvme

# --- RTL checks of the root port: a scripted device on its link -------------
RP_TEST_OBJS := $(RP_DIR)/host/rp_host.o $(BUILD)/world/ssd/rp_link.o $(SIM_LOAD_OBJS)

$(RP_DIR)/host/rp_host.o: tests/rp/rp_host.c $(GEN)/soc_map.stamp
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -MMD -MP $(WORLD_INC) -Itests/include -Itests/rp -c $< -o $@
-include $(wildcard $(RP_DIR)/host/*.d)

$(BIN)/rp_test: $(RP_TEST_OBJS) $(VMODEL_OBJS)
	@mkdir -p $(BIN)
	$(CXX) -o $@ $^ $(VMODEL_LIBS)

$(RP_DIR)/rp_card.elf: $(RP_DIR)/fw/rp_card.o $(FW_RT_OBJS) $(FW_LD)
	$(RP_LINK) $(FW_RT_OBJS) $(filter-out $(FW_RT_OBJS),$(filter %.o,$^)) -o $@

$(RP_DIR)/fw/rp_card.o: tests/rp/rp_script.h

.PHONY: test-rp
test-rp: $(BIN)/rp_test $(RP_DIR)/rp_card.elf ## Test: root-port RTL: bad and missing completions, timeout, inbound requests outside DDR (UR, nothing written), unsupported types, MSI, DDR coherence
	$(BIN)/rp_test $(RP_DIR)/rp_card.elf
TEST_TARGETS += test-rp

# --- system test: ext4 (RV32 build) on the card, over NVMe, into an image ----
# The filesystem as the card's image has it: its pools (vfs.o .bss,
# 340 KiB) in card memory, the DTCM holds 256 KiB.
RP_FS_OBJS := $(filter-out %/vfs.o,$(FS_RV_OBJS)) $(CARD_OBJ_DIR)/firmware/fs/vfs_ddr.o

# The scenario is tests/nvme/fs_scenario.c, shared with test-nvme-fs (QEMU).
$(RP_DIR)/fw/fs_scenario.o: tests/nvme/fs_scenario.c $(RP_FW_HDRS)
	@mkdir -p $(dir $@)
	$(RV_CC) $(RV_ARCH) $(FW_LIBC) $(FW_CFLAGS) $(RP_FW_INC) -c $< -o $@

$(RP_DIR)/fstest.elf: $(RP_DIR)/fw/fstest.o $(RP_DIR)/fw/fs_scenario.o $(RP_NVME_OBJS) $(RP_FS_OBJS) $(FW_RT_OBJS) $(FW_LD)
	$(RP_LINK) $(FW_RT_OBJS) $(filter-out $(FW_RT_OBJS),$(filter %.o,$^)) -o $@

.PHONY: test-rp-fs
test-rp-fs: $(RP_DIR)/fstest.elf $(RP_SIM) ## Test: the ext4-over-NVMe scenario (tests/nvme/fs_scenario.c) on the card into the simulated SSD's image (mke2fs at test time); e2fsck -fn and debugfs check it
	@sh tests/rp/run_fs.sh $(RP_SIM) $< $(RP_DIR)/fstest
TEST_TARGETS += test-rp-fs

# --- benchmark: 4 KiB random reads at QD1 and QD32 --------------------------
$(RP_DIR)/benchfw.elf: $(RP_DIR)/fw/benchfw.o $(RP_NVME_OBJS) $(FW_RT_OBJS) $(FW_LD)
	$(RP_LINK) $(FW_RT_OBJS) $(filter-out $(FW_RT_OBJS),$(filter %.o,$^)) -o $@

.PHONY: bench-nvme
bench-nvme: $(RP_DIR)/benchfw.elf $(RP_SIM) ## Benchmark: NVMe 4 KiB random reads at QD1/QD32 on the simulated SSD (SSD_PROFILE): card overhead per command, commands/s at 250 MHz
	@mkdir -p $(BUILD)/bench
	@sh tests/rp/run_bench.sh $(RP_SIM) $< $(RP_DIR)/bench $(BUILD)/bench/nvme.md $(SSD_PROFILE)
BENCH_TARGETS += bench-nvme

# --- the SSD model's command-line faults -------------------------------------
$(RP_DIR)/faultcli.elf: $(RP_DIR)/fw/faultcli.o $(RP_NVME_OBJS) $(FW_RT_OBJS) $(FW_LD)
	$(RP_LINK) $(FW_RT_OBJS) $(filter-out $(FW_RT_OBJS),$(filter %.o,$^)) -o $@

.PHONY: test-rp-faults
test-rp-faults: $(RP_DIR)/faultcli.elf $(RP_SIM) ## Test: vfpga-sim --nvme-fault media/hang/cfs as the card's block layer sees them (-EIO, reset, recovery)
	@sh tests/rp/run_faults.sh $(RP_SIM) $< $(RP_DIR)/faults
TEST_TARGETS += test-rp-faults

# --- the SSD profiles as the card sees them ----------------------------------
$(RP_DIR)/profilefw.elf: $(RP_DIR)/fw/profilefw.o $(RP_NVME_OBJS) $(FW_RT_OBJS) $(FW_LD)
	$(RP_LINK) $(FW_RT_OBJS) $(filter-out $(FW_RT_OBJS),$(filter %.o,$^)) -o $@

.PHONY: test-rp-profile
test-rp-profile: $(RP_DIR)/profilefw.elf $(RP_SIM) ## Test: SSD profiles on the card: a 4 KiB read takes nvme-tlc's media time (ideal: far less), FLUSH waits for the write cache to drain
	@sh tests/rp/run_profile.sh $(RP_SIM) $< $(RP_DIR)/profile
TEST_TARGETS += test-rp-profile

.PHONY: test-rp-skip
test-rp-skip: $(RP_DIR)/fstest.elf $(RP_SIM) ## Test: idle skipping changes nothing but wall time: the ext4-over-NVMe scenario (nvme-tlc) skipping and stepping every cycle give the same cycles, instructions, console and image
	@sh tests/rp/run_skip.sh $(RP_SIM) $< $(RP_DIR)/skip
TEST_TARGETS += test-rp-skip

# --- power cuts on the card: ext4 over NVMe into the SSD model, stopped at a
# seeded cycle with the SSD's volatile write cache resolved (--power-cut),
# then our replay, the console's record of completed fsyncs and e2fsck.
$(RP_DIR)/crashfw.elf: $(RP_DIR)/fw/crashfw.o $(RP_NVME_OBJS) $(RP_FS_OBJS) $(FW_RT_OBJS) $(FW_LD)
	$(RP_LINK) $(FW_RT_OBJS) $(filter-out $(FW_RT_OBJS),$(filter %.o,$^)) -o $@

RP_CRASH_CHECK := $(BUILD)/tests/rp/crash_check
$(RP_CRASH_CHECK): tests/rp/crash_check.c tests/rp/crash_plan.h $(BUILD)/host/libvfs.a
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $(FS_CFLAGS) -Itests/rp $< $(BUILD)/host/libvfs.a -o $@

CRASH_SEED ?= 1
.PHONY: test-rp-crash test-rp-crash-long
test-rp-crash: $(RP_DIR)/crashfw.elf $(RP_SIM) $(RP_CRASH_CHECK) ## Test: power cuts on the card at seeded cycles (SSD volatile cache lost/kept/torn): replay, fsync'd files and renames, e2fsck
	@sh tests/rp/run_crash.sh $(RP_SIM) $(RP_DIR)/crashfw.elf $(RP_CRASH_CHECK) $(RP_DIR)/crash 10 $(CRASH_SEED)
TEST_TARGETS += test-rp-crash

test-rp-crash-long: $(RP_DIR)/crashfw.elf $(RP_SIM) $(RP_CRASH_CHECK) ## Test (long, not in make test): 60 power cuts on the card
	@sh tests/rp/run_crash.sh $(RP_SIM) $(RP_DIR)/crashfw.elf $(RP_CRASH_CHECK) $(RP_DIR)/crash-long 60 $(CRASH_SEED)
