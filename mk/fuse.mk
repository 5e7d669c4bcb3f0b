# The FUSE server (firmware/fuse) over the ext4 code, tested on the host.

FUSE_SRV_SRCS := firmware/fuse/fuse_server.c firmware/fuse/fuse_wire.c
FUSE_TEST_DIR := $(BUILD)/tests/fuse

$(FUSE_TEST_DIR)/server_test: tests/fuse/server_test.c $(FUSE_SRV_SRCS) firmware/fuse/*.h $(FS_SAN_OBJS) \
  tests/include/check.h
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -O1 $(FS_SAN_FLAGS) $(FS_CFLAGS) -Ifirmware/fuse -Itests/include \
	  tests/fuse/server_test.c $(FUSE_SRV_SRCS) $(FS_SAN_OBJS) -o $@

test-fuse: $(FUSE_TEST_DIR)/server_test ## Test: FUSE server over ext4 (every request kind, malformed and forged ones), e2fsck and debugfs after
	@sh tests/fuse/run.sh $< $(FUSE_TEST_DIR)
TEST_TARGETS += test-fuse

# libFuzzer over the dispatcher (clang; bounded run in the test suite).
FUZZ_CC ?= clang
$(FUSE_TEST_DIR)/fuzz_dispatch: tests/fuse/fuzz_dispatch.c $(FUSE_SRV_SRCS) firmware/fuse/*.h $(FS_SRCS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -O1 -g -std=gnu11 -Wall -Wextra -Werror -fsanitize=fuzzer,address,undefined \
	  -fno-sanitize-recover=undefined $(FS_CFLAGS) -Ifirmware/fuse \
	  tests/fuse/fuzz_dispatch.c $(FUSE_SRV_SRCS) $(FS_SRCS) -o $@

test-fuzz-fuse: $(FUSE_TEST_DIR)/fuzz_dispatch ## Test: 300 000 fuzzed requests through the FUSE dispatcher over ext4 in memory (ASan/UBSan), half steered at locks and COPY_FILE_RANGE
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
