# tests/bridge: vfpga-sim --socket, the vhost-user bridge into the RTL, and a
# stock guest on the RTL card through it.

test-bridge: $(BIN)/vfpga-sim $(BUILD)/firmware/card.elf $(BUILD)/tests/model/vu_test ## Test: vfpga-sim --socket, the vhost-user bridge into the RTL (negotiation, FUSE_INIT through the card)
	@sh tests/bridge/run.sh $(BIN)/vfpga-sim $(BUILD)/firmware/card.elf $(BUILD)/tests/model/vu_test $(BUILD)/tests/bridge
TEST_TARGETS += test-bridge

test-guest-rtl: $(BIN)/vfpga-sim $(BUILD)/firmware/card.elf guest ## Test: a stock guest on the RTL card (vfpga-sim --socket --image): file operations (300 readdir entries), fio verify psync+libaio 1 MiB, e2fsck + debugfs, device-side figures (about 3 min)
	@sh tests/bridge/guest_rtl.sh $(BIN)/vfpga-sim $(BUILD)/firmware/card.elf $(BUILD)/tests/guest-rtl
TEST_TARGETS += test-guest-rtl

# Device-side figures of a stock guest on the RTL card (the demo's workload):
# service time per opcode at the nominal clock, simulation speed, the plot.
bench-guest-rtl: $(BIN)/vfpga-sim $(BUILD)/firmware/card.elf guest ## Benchmark: the demo on the RTL card: cycles per request by opcode, simulated cycles per second, build/bench/guest_rtl.{md,json,svg} (SSD_PROFILE=nvme-tlc|ideal)
	@mkdir -p $(BUILD)/bench
	@s=$$(date +%s.%N); SSD_PROFILE=$(SSD_PROFILE) sh tools/demo.sh rtl > $(BUILD)/bench/guest_rtl.log 2>&1 || { tail -30 $(BUILD)/bench/guest_rtl.log; exit 1; }; \
	  e=$$(date +%s.%N); cp $(BUILD)/demo/stats.json $(BUILD)/bench/guest_rtl.json; \
	  python3 tools/plot_devstats.py $(BUILD)/bench/guest_rtl.json $(BUILD)/bench/guest_rtl.svg "Stock guest on the RTL card (make demo)"; \
	  python3 tools/devstats_md.py $(BUILD)/bench/guest_rtl.json $(SSD_PROFILE) $$s $$e > $(BUILD)/bench/guest_rtl.md
	@cat $(BUILD)/bench/guest_rtl.md
BENCH_TARGETS += bench-guest-rtl
