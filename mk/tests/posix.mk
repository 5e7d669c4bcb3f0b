# tests/posix: posix_test, run in a stock guest against vfpga-model.
$(BUILD)/tests/posix/posix_test: tests/posix/posix_test.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -static -Wall -Wextra -Werror $< -o $@

test-posix: $(BUILD)/tests/posix/posix_test $(BIN)/vfpga-model guest ## Test: posix_test (about 700 POSIX cases with their errnos) in the stock guest on vfpga-model, e2fsck after
	@sh tests/posix/run.sh $(BIN)/vfpga-model $(BUILD)/tests/posix/posix_test $(BUILD)/tests/posix/run
TEST_TARGETS += test-posix
