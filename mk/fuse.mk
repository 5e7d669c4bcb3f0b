# The FUSE server (firmware/fuse) over the ext4 code, tested on the host.

# Every source of the server; *_host.c are host implementations of its HALs,
# which the card replaces with its own.
FUSE_SRV_SRCS := $(sort $(wildcard firmware/fuse/*.c))
FUSE_CARD_SRCS := $(filter-out %_host.c,$(FUSE_SRV_SRCS))
FUSE_TEST_DIR := $(BUILD)/tests/fuse

$(FUSE_TEST_DIR)/server_test: tests/fuse/server_test.c $(FUSE_SRV_SRCS) firmware/fuse/*.h $(FS_SAN_OBJS) \
  tests/include/check.h
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -O1 $(FS_SAN_FLAGS) $(FS_CFLAGS) -Ifirmware/fuse -Itests/include \
	  tests/fuse/server_test.c $(FUSE_SRV_SRCS) $(FS_SAN_OBJS) -o $@

test-fuse: $(FUSE_TEST_DIR)/server_test ## Test: FUSE server over ext4 (every request kind, malformed and forged ones), e2fsck and debugfs after
	@sh tests/fuse/run.sh $< $(FUSE_TEST_DIR)
TEST_TARGETS += test-fuse

# The DAX cache window: SETUPMAPPING/REMOVEMAPPING and READ/WRITE coherence
# over the host window model (ASan/UBSan). DAX_SEED / DAX_STEPS vary the run.
DAX_SEED ?= 1
DAX_STEPS ?= 3000
$(FUSE_TEST_DIR)/dax_test: tests/fuse/dax_test.c $(FUSE_SRV_SRCS) firmware/fuse/*.h $(FS_SAN_OBJS) \
  tests/include/check.h
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -O1 $(FS_SAN_FLAGS) $(FS_CFLAGS) -Ifirmware/fuse -Itests/include \
	  tests/fuse/dax_test.c $(FUSE_SRV_SRCS) $(FS_SAN_OBJS) -o $@

test-dax: $(FUSE_TEST_DIR)/dax_test ## Test: DAX window (SETUPMAPPING/REMOVEMAPPING, window = cache for READ/WRITE, truncation, reset, bad input, random steps vs a model), e2fsck + debugfs
	@sh tests/fuse/dax_run.sh $< $(FUSE_TEST_DIR)/dax $(DAX_SEED) $(DAX_STEPS)
TEST_TARGETS += test-dax

# libFuzzer over the dispatcher (clang; bounded run in the test suite).
FUZZ_CC ?= clang
$(FUSE_TEST_DIR)/fuzz_dispatch: tests/fuse/fuzz_dispatch.c $(FUSE_SRV_SRCS) firmware/fuse/*.h $(FS_SRCS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -O1 -g -std=gnu11 -Wall -Wextra -Werror -fsanitize=fuzzer,address,undefined \
	  -fno-sanitize-recover=undefined -DFUSE_DAX_MAX_PAGES=1024 $(FS_CFLAGS) -Ifirmware/fuse \
	  tests/fuse/fuzz_dispatch.c $(FUSE_SRV_SRCS) $(FS_SRCS) -o $@

test-fuzz-fuse: $(FUSE_TEST_DIR)/fuzz_dispatch ## Test: 300 000 fuzzed requests through the FUSE dispatcher over ext4 in memory (ASan/UBSan), half steered at locks, COPY_FILE_RANGE and a 64-page DAX window
	@mkdir -p $(FUSE_TEST_DIR)/fuzz-corpus
	@rm -f $(FUSE_TEST_DIR)/fuzz.img && mke2fs -q -t ext4 -F $(FUSE_TEST_DIR)/fuzz.img 8M
	FUZZ_IMAGE=$(FUSE_TEST_DIR)/fuzz.img $< -runs=300000 -max_len=4096 -seed=1 -print_final_stats=1 \
	  $(FUSE_TEST_DIR)/fuzz-corpus > $(FUSE_TEST_DIR)/fuzz.log 2>&1 || { tail -30 $(FUSE_TEST_DIR)/fuzz.log; exit 1; }
	@grep -E "stat::number_of_executed_units|Done|^fuzz_dispatch:" $(FUSE_TEST_DIR)/fuzz.log
	@echo "1 passed, 0 failed"
TEST_TARGETS += test-fuzz-fuse

# Instructions per operation on the host build (valgrind callgrind).
$(FUSE_TEST_DIR)/bench_ops: tests/fuse/bench_ops.c $(FUSE_SRV_SRCS) firmware/fuse/*.h $(BUILD)/host/libvfs.a
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $(FS_CFLAGS) -Ifirmware/fuse tests/fuse/bench_ops.c $(FUSE_SRV_SRCS) \
	  $(BUILD)/host/libvfs.a -o $@

bench-fuse: $(FUSE_TEST_DIR)/bench_ops ## Benchmark: host instructions per GETATTR, LOOKUP, READ 4K, WRITE 4K, CREATE (callgrind)
	@mkdir -p $(BUILD)/bench
	@{ echo "| FUSE operation (host build, callgrind) | instructions |"; echo "|---|---|"; \
	  for op in getattr lookup read4k write4k create; do \
	    rm -f $(FUSE_TEST_DIR)/bench.img && mke2fs -q -t ext4 -F $(FUSE_TEST_DIR)/bench.img 64M > /dev/null 2>&1; \
	    valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file=$(FUSE_TEST_DIR)/cg.$$op \
	      $< $(FUSE_TEST_DIR)/bench.img $$op 200 > /dev/null 2>&1; \
	    ir=$$(sed -n 's/^summary: \([0-9]*\).*/\1/p' $(FUSE_TEST_DIR)/cg.$$op); \
	    echo "| $$op | $$((ir / 200)) |"; \
	  done; } > $(BUILD)/bench/fuse.md
	@cat $(BUILD)/bench/fuse.md
BENCH_TARGETS += bench-fuse

# DAX window operations on the host build (callgrind), with the sectors each
# one reads or writes; the card estimate is in the table's notes.
DAX_BENCH_OPS := dax_setup_cold dax_setup_warm dax_setup_moved dax_upgrade dax_remove_clean dax_remove_dirty \
  dax_read4k dax_write4k dax_fsync
bench-dax: $(FUSE_TEST_DIR)/bench_ops ## Benchmark: host instructions and sectors per SETUPMAPPING 2 MiB (cold, warm, moved), upgrade, REMOVEMAPPING (clean, dirty), window READ/WRITE 4K, FSYNC -> build/bench/dax.md
	@mkdir -p $(BUILD)/bench
	@{ echo "| DAX operation (host build, callgrind) | instructions | KiB read | KiB written |"; echo "|---|---:|---:|---:|"; \
	  for op in $(DAX_BENCH_OPS); do \
	    rm -f $(FUSE_TEST_DIR)/bench.img && mke2fs -q -t ext4 -F $(FUSE_TEST_DIR)/bench.img 64M > /dev/null 2>&1; \
	    valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file=$(FUSE_TEST_DIR)/cg.$$op \
	      $< $(FUSE_TEST_DIR)/bench.img $$op 16 > $(FUSE_TEST_DIR)/bench.$$op.out 2>&1 || { cat $(FUSE_TEST_DIR)/bench.$$op.out; exit 1; }; \
	    ir=$$(sed -n 's/^summary: \([0-9]*\).*/\1/p' $(FUSE_TEST_DIR)/cg.$$op); \
	    rd=$$(sed -n 's/^sectors read \([0-9]*\) written.*/\1/p' $(FUSE_TEST_DIR)/bench.$$op.out); \
	    wr=$$(sed -n 's/^sectors read [0-9]* written \([0-9]*\)/\1/p' $(FUSE_TEST_DIR)/bench.$$op.out); \
	    echo "| $${op#dax_} | $$((ir / 16)) | $$((rd / 32)) | $$((wr / 32)) |"; \
	  done; \
	  echo; \
	  echo "Mean of 16 requests each, 2 MiB ranges of a 4 MiB file, 16 MiB host window model (tests/fuse/bench_ops.c)."; \
	  echo "Host instructions exclude the disk copy (a pread in the kernel); on the card the SSD DMAs straight into"; \
	  echo "the window's DDR, so a SETUPMAPPING from the SSD costs its instructions plus the SSD's time: see docs/dax.md."; \
	} > $(BUILD)/bench/dax.md
	@cat $(BUILD)/bench/dax.md
BENCH_TARGETS += bench-dax

# --- the same server on the soft core (firmware/apps/fusebench) -------------
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

$(FUSEBENCH_ELF): $(FUSEBENCH_OBJS) $(FW_RT_OBJS) $(FW_LD) $(GEN)/soc_map.stamp
	$(RV_CC) $(FW_LINK_ARCH) $(FW_LIBC) -nostartfiles -T $(FW_LD) -L $(GEN) $(FW_LDFLAGS) \
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
