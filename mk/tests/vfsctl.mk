# tests/vfsctl: vfsctl --sim against the simulated card with its firmware.

.PHONY: test-vfsctl
test-vfsctl: $(BIN)/vfsctl $(BUILD)/firmware/card.elf ## Test: vfsctl --sim info, init and settime against the simulated card with its firmware (the clock: unset, set, kept in step, refused, bad --time)
	@sh tests/vfsctl/run.sh $(BIN)/vfsctl $(BUILD)/firmware/card.elf $(BUILD)/tests/vfsctl
TEST_TARGETS += test-vfsctl
