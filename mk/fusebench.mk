# firmware/apps/fusebench: the FUSE server on the soft core.
# The server and the ext4 code sized to share the DTCM with a 1 KiB-block
# image (the rv32-fusebench build: firmware/apps/fusebench/fusebench_config.h;
# the card's 256 KiB cache alone would fill the DTCM). The image is made by
# mke2fs at build time and linked into .data (image.S), so it sits in the
# DTCM beside the server's state.
FUSEBENCH_DIR := $(FW_BUILD)/fusebench
FUSEBENCH_ELF := $(FW_BUILD)/fusebench.elf
FUSEBENCH_IMG_KB ?= 128
FUSEBENCH_OBJS := $(call fw_objs,rv32,fusebench,$(sort $(wildcard firmware/apps/fusebench/*.c)) \
                    $(FUSE_SRV_SRCS) $(FS_SRCS)) $(FUSEBENCH_DIR)/image.S.o

# Fixed UUID and hash seed: the same image, hence the same figures, every build.
$(FUSEBENCH_DIR)/fusebench.img:
	@mkdir -p $(dir $@)
	rm -f $@
	E2FSPROGS_FAKE_TIME=1700000000 mke2fs -q -t ext4 -F -b 1024 -N 64 \
	  -U 6d2b0a3c-5f1e-4c7a-9b8d-0f1e2d3c4b5a -E hash_seed=1b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9 \
	  $@ $(FUSEBENCH_IMG_KB)K

$(FUSEBENCH_DIR)/image.S.o: firmware/apps/fusebench/image.S $(FUSEBENCH_DIR)/fusebench.img
	$(RV_CC) $(RV_ARCH) -Wa,-I$(FUSEBENCH_DIR) -c $< -o $@

# No heap: nothing in the server, ext4 or the runtime allocates; the DTCM
# it would take holds the image's caches.
$(FUSEBENCH_ELF): $(FUSEBENCH_OBJS) $(FW_RT_OBJS) $(FW_LD) $(GEN)/soc_map.stamp
	$(RV_CC) $(FW_LINK_ARCH) $(FW_LIBC) -nostartfiles -T $(FW_LD) -L $(GEN) $(FW_LDFLAGS) \
	  -Wl,--defsym=__heap_min_size=0 \
	  -Wl,-Map=$(FW_BUILD)/fusebench.map $(FW_RT_OBJS) $(FUSEBENCH_OBJS) -o $@

.PHONY: fusebench test-fuse-rv32 bench-fuse-rv32
fusebench: $(FUSEBENCH_ELF) ## Build build/firmware/fusebench.elf: the FUSE server on the soft core over ext4 in the DTCM

test-fuse-rv32: $(FUSEBENCH_ELF) $(FW_SIM) ## Test: the FUSE server built for RV32 on vfpga-sim: every reply checked (data, locks, COPY_FILE_RANGE, Linux errno)
	@sh firmware/apps/fwtest.sh $(FW_SIM) $(FW_BUILD) fusebench
TEST_TARGETS += test-fuse-rv32

bench-fuse-rv32: $(FUSEBENCH_ELF) $(FW_SIM) ## Benchmark: RV32 instructions and cycles per GETATTR, LOOKUP, READ 4K, WRITE 4K, CREATE on vfpga-sim, build/bench/fuse_rv32.md
	@mkdir -p $(BUILD)/bench
	@sh firmware/apps/fusebench/run_bench.sh $(FW_SIM) $(FUSEBENCH_ELF) $(BUILD)/bench/fuse_rv32.md
BENCH_TARGETS += bench-fuse-rv32
