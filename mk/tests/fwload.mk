# tests/fwload: the host's firmware load through BAR0 (rtl/virtio/vfs_fwload.sv,
# driver/vfsload.c, docs/fw-load.md) on the simulated card (sim_card_top).

FWLOAD_TEST_DIR := $(BUILD)/tests/fwload

$(FWLOAD_TEST_DIR)/fwload_host.o: tests/fwload/fwload_host.c $(GEN)/soc_map.stamp
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -MMD -MP $(WORLD_INC) -Itests/include -c $< -o $@

-include $(wildcard $(FWLOAD_TEST_DIR)/*.d)

$(BIN)/fwload_test: $(FWLOAD_TEST_DIR)/fwload_host.o $(RC_DRV_OBJS) $(BUILD)/driver/vfsload.o $(RC_OBJS) $(VMODEL_OBJS)
	@mkdir -p $(BIN)
	$(CXX) -o $@ $^ $(VMODEL_LIBS)

.PHONY: test-fw-load
test-fw-load: $(BIN)/fwload_test $(BIN)/vfsctl $(BUILD)/firmware/card.elf ## Test: the firmware loaded over BAR0 while the core is held (card.elf, FUSE_INIT answered), bad writes and bad ELFs refused, the window closed once the firmware runs (guest writes refused; a virtio reset or FLR request does not reopen it; only the card's reset with the strap does)
	$(BIN)/fwload_test $(BUILD)/firmware/card.elf
	@sh tests/fwload/run.sh $(BIN)/vfsctl $(BUILD)/firmware/card.elf $(FWLOAD_TEST_DIR)
TEST_TARGETS += test-fw-load
