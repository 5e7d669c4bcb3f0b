# tests/fuse: the FUSE server over the ext4 code on the host (ASan/UBSan),
# its fuzzer, and the host instruction benches.

FUSE_TEST_DIR := $(BUILD)/tests/fuse

# The benches' own sources, under ASan/UBSan like the objects they link.
$(FUSE_TEST_DIR)/%.o: tests/fuse/%.c
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -O1 $(FS_SAN_FLAGS) -MMD -MP $(FW_LIB_INC) -Ifirmware/hal/host -Itests/include -c $< -o $@
-include $(wildcard $(FUSE_TEST_DIR)/*.d)

$(FUSE_TEST_DIR)/server_test: $(FUSE_TEST_DIR)/server_test.o $(FUSE_SAN_OBJS) $(FS_SAN_OBJS)
	$(CC) $(FS_SAN_FLAGS) $^ -o $@

test-fuse: $(FUSE_TEST_DIR)/server_test ## Test: FUSE server over ext4 (every request kind, malformed and forged ones), e2fsck and debugfs after
	@sh tests/fuse/run.sh $< $(FUSE_TEST_DIR)
TEST_TARGETS += test-fuse

# The DAX cache window: SETUPMAPPING/REMOVEMAPPING and READ/WRITE coherence
# over the host window model (ASan/UBSan). DAX_SEED / DAX_STEPS vary the run.
DAX_SEED ?= 1
DAX_STEPS ?= 3000
$(FUSE_TEST_DIR)/dax_test: $(FUSE_TEST_DIR)/dax_test.o $(FUSE_SAN_OBJS) $(FS_SAN_OBJS)
	$(CC) $(FS_SAN_FLAGS) $^ -o $@

test-dax: $(FUSE_TEST_DIR)/dax_test ## Test: DAX window (SETUPMAPPING/REMOVEMAPPING, window = cache for READ/WRITE, truncation, reset, bad input, random steps vs a model), e2fsck + debugfs
	@sh tests/fuse/dax_run.sh $< $(FUSE_TEST_DIR)/dax $(DAX_SEED) $(DAX_STEPS)
TEST_TARGETS += test-dax

# libFuzzer over the dispatcher (clang; bounded run in the test suite, with a
# coverage floor: tests/fuse/fuzz_check.sh).
FUZZ_CC ?= clang
$(FUSE_TEST_DIR)/fuzz_dispatch: tests/fuse/fuzz_dispatch.c $(FUSE_SRV_SRCS) firmware/fuse/*.h $(FS_SRCS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -O1 -g -std=gnu11 -Wall -Wextra -Werror -fsanitize=fuzzer,address,undefined \
	  -fno-sanitize-recover=undefined -DFUSE_DAX_MAX_PAGES=1024 $(FS_CFLAGS) -Ifirmware/fuse \
	  tests/fuse/fuzz_dispatch.c $(FUSE_SRV_SRCS) $(FS_SRCS) -o $@

test-fuzz-fuse: $(FUSE_TEST_DIR)/fuzz_dispatch ## Test: 300 000 fuzzed requests through the FUSE dispatcher over ext4 in memory (ASan/UBSan), half steered at locks, COPY_FILE_RANGE and a 64-page DAX window
	@mkdir -p $(FUSE_TEST_DIR)/fuzz-corpus
	@rm -rf $(FUSE_TEST_DIR)/fuzz-seeds && python3 tests/fuse/fuzz_seeds.py $(FUSE_TEST_DIR)/fuzz-seeds
	@rm -f $(FUSE_TEST_DIR)/fuzz.img && mke2fs -q -t ext4 -F $(FUSE_TEST_DIR)/fuzz.img 8M
	FUZZ_IMAGE=$(FUSE_TEST_DIR)/fuzz.img $< -runs=300000 -max_len=4096 -seed=1 -print_final_stats=1 \
	  $(FUSE_TEST_DIR)/fuzz-corpus $(FUSE_TEST_DIR)/fuzz-seeds > $(FUSE_TEST_DIR)/fuzz.log 2>&1 || { tail -30 $(FUSE_TEST_DIR)/fuzz.log; exit 1; }
	@grep -E "stat::number_of_executed_units|Done|^fuzz_dispatch:" $(FUSE_TEST_DIR)/fuzz.log
	@sh tests/fuse/fuzz_check.sh $(FUSE_TEST_DIR)/fuzz.log 300000
TEST_TARGETS += test-fuzz-fuse

# Instructions per operation on the host build (valgrind callgrind).
# Instructions are counted on the plain host build, not the sanitizers'.
$(FUSE_TEST_DIR)/bench_ops: tests/fuse/bench_ops.c $(FUSE_HOST_OBJS) $(BUILD)/host/libvfs.a
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $(FW_LIB_INC) -Ifirmware/hal/host $^ -o $@

# forget1m: the FORGET of an unlinked 1 MiB file (20 of them); idle1m: the
# idle steps that then free it, per step (the count from bench_ops);
# idlewb1m: the idle steps that commit 2 MiB of 4 KiB WRITEs, one callgrind
# dump each: the largest.
bench-fuse: $(FUSE_TEST_DIR)/bench_ops ## Benchmark: host instructions per GETATTR, LOOKUP, READ 4K, WRITE 4K (overwrite, append), CREATE, FORGET of an unlinked 1 MiB file, idle step, largest idle commit step; 1 MiB of appends + FSYNC (callgrind)
	@mkdir -p $(BUILD)/bench
	@{ echo "| FUSE operation (host build, callgrind) | instructions |"; echo "|---|---|"; \
	  for op in getattr lookup read4k write4k append4k create forget1m idle1m; do \
	    n=200; case $$op in forget1m|idle1m) n=20;; esac; \
	    rm -f $(FUSE_TEST_DIR)/bench.img && mke2fs -q -t ext4 -F $(FUSE_TEST_DIR)/bench.img 64M > /dev/null 2>&1; \
	    valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file=$(FUSE_TEST_DIR)/cg.$$op \
	      $< $(FUSE_TEST_DIR)/bench.img $$op $$n > $(FUSE_TEST_DIR)/bench.$$op.out 2>&1; \
	    ir=$$(sed -n 's/^summary: \([0-9]*\).*/\1/p' $(FUSE_TEST_DIR)/cg.$$op); \
	    if [ $$op = idle1m ]; then \
	      steps=$$(sed -n 's/^idle steps \([0-9]*\)/\1/p' $(FUSE_TEST_DIR)/bench.$$op.out); \
	      echo "| idle step (freeing a 1 MiB file: $$((steps / n)) steps) | $$((ir / steps)) |"; \
	    else echo "| $$op | $$((ir / n)) |"; fi; \
	  done; \
	  rm -f $(FUSE_TEST_DIR)/bench.img $(FUSE_TEST_DIR)/cg.idlewb1m*; \
	  mke2fs -q -t ext4 -F $(FUSE_TEST_DIR)/bench.img 64M > /dev/null 2>&1; \
	  valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file=$(FUSE_TEST_DIR)/cg.idlewb1m \
	    $< $(FUSE_TEST_DIR)/bench.img idlewb1m 1 > $(FUSE_TEST_DIR)/bench.idlewb1m.out 2>&1; \
	  steps=$$(sed -n 's/^idle steps \([0-9]*\)/\1/p' $(FUSE_TEST_DIR)/bench.idlewb1m.out); \
	  ms=$$(sed -n 's/^max sectors \([0-9]*\) writes \([0-9]*\).*/\1/p' $(FUSE_TEST_DIR)/bench.idlewb1m.out); \
	  mw=$$(sed -n 's/^max sectors \([0-9]*\) writes \([0-9]*\).*/\2/p' $(FUSE_TEST_DIR)/bench.idlewb1m.out); \
	  big=$$(cat $(FUSE_TEST_DIR)/cg.idlewb1m.* | sed -n 's/^totals: \([0-9]*\).*/\1/p' | sort -n | tail -1); \
	  echo "| largest idle step committing 1 MiB appended + 1 MiB rewritten in 4 KiB WRITEs ($$steps steps; at most $$((ms / 2)) KiB in $$mw writes a step) | $$big |"; \
	  rm -f $(FUSE_TEST_DIR)/bench.img && mke2fs -q -t ext4 -F $(FUSE_TEST_DIR)/bench.img 64M > /dev/null 2>&1; \
	  valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file=$(FUSE_TEST_DIR)/cg.seq1m \
	    $< $(FUSE_TEST_DIR)/bench.img seq1m 4 > $(FUSE_TEST_DIR)/bench.seq1m.out 2>&1; \
	  ir=$$(sed -n 's/^summary: \([0-9]*\).*/\1/p' $(FUSE_TEST_DIR)/cg.seq1m); \
	  sw=$$(sed -n 's/^sectors read [0-9]* written \([0-9]*\)/\1/p' $(FUSE_TEST_DIR)/bench.seq1m.out); \
	  wc=$$(sed -n 's/^commands write \([0-9]*\) flush \([0-9]*\)/\1/p' $(FUSE_TEST_DIR)/bench.seq1m.out); \
	  fl=$$(sed -n 's/^commands write \([0-9]*\) flush \([0-9]*\)/\2/p' $(FUSE_TEST_DIR)/bench.seq1m.out); \
	  echo; echo "1 MiB of 4 KiB appends, then FSYNC (mean of 4): $$((ir / 1024)) instructions per 4 KiB," \
	    "$$((sw / 4)) sectors written with $$((wc / 4)) write commands and $$((fl / 4)) FLUSHes per MiB."; \
	  } > $(BUILD)/bench/fuse.md
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

