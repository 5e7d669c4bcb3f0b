# tests/posix: posix_test, run in a stock guest against vfpga-model.
$(BUILD)/tests/posix/posix_test: tests/posix/posix_test.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -static -Wall -Wextra -Werror $< -o $@

test-posix: $(BUILD)/tests/posix/posix_test $(BIN)/vfpga-model guest ## Test: posix_test (about 790 POSIX cases with their errnos, the device clock included) in the stock guest on vfpga-model, e2fsck after
	@sh tests/posix/run.sh $(BIN)/vfpga-model $(BUILD)/tests/posix/posix_test $(BUILD)/tests/posix/run
TEST_TARGETS += test-posix

# posix_test through the RTL card (vhost-user bridge, card firmware, SSD
# model), then a restart on the same image without the host's time.
# POSIX_RTL_GROUPS: what fits the regular run; test-posix-rtl-long runs all.
POSIX_RTL_GROUPS ?= create,names,dirs,links,rename,attrs,times,unlink,xattr,special,locks
test-posix-rtl: $(BUILD)/tests/posix/posix_test $(BIN)/vfpga-sim $(BUILD)/firmware/card.elf guest ## Test: posix_test through the RTL card (groups that fit a few minutes, times included), then a card restart on the same image never stamps an older time; e2fsck after each
	@sh tests/posix/run_rtl.sh $(BIN)/vfpga-sim $(BUILD)/firmware/card.elf $(BUILD)/tests/posix/posix_test \
	  $(BUILD)/tests/posix/rtl $(POSIX_RTL_GROUPS)
TEST_TARGETS += test-posix-rtl

test-posix-rtl-long: $(BUILD)/tests/posix/posix_test $(BIN)/vfpga-sim $(BUILD)/firmware/card.elf guest ## Test: every posix_test group through the RTL card (readdir, sparse files, 8 MiB data: long), then the restart check; not in make test
	@sh tests/posix/run_rtl.sh $(BIN)/vfpga-sim $(BUILD)/firmware/card.elf $(BUILD)/tests/posix/posix_test \
	  $(BUILD)/tests/posix/rtl-long all
