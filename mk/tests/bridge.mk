# tests/bridge: vfpga-sim --socket, the vhost-user bridge into the RTL, and a
# stock guest on the RTL card through it.

test-bridge: $(BIN)/vfpga-sim $(BUILD)/firmware/card.elf $(BUILD)/tests/model/vu_test ## Test: vfpga-sim --socket, the vhost-user bridge into the RTL (negotiation, FUSE_INIT through the card)
	@sh tests/bridge/run.sh $(BIN)/vfpga-sim $(BUILD)/firmware/card.elf $(BUILD)/tests/model/vu_test $(BUILD)/tests/bridge
TEST_TARGETS += test-bridge

test-guest-rtl: $(BIN)/vfpga-sim $(BUILD)/firmware/card.elf guest ## Test: a stock guest on the RTL card (vfpga-sim --socket --image): file operations (300 readdir entries), fio verify psync+libaio QD16 1 MiB, e2fsck + debugfs, device-side figures; a second boot of libaio QD16 O_DIRECT I/O with several requests outstanding at once (about 4 min)
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

# The READ fast path from a stock guest on the RTL card: fio 4 KiB random
# O_DIRECT reads of a file the card's page cache holds, psync then libaio
# iodepth 16: hit ratio and service time per READ (HOST_TURNAROUND=NS sets
# the bridge's host turnaround; default its own).
bench-fast-guest: $(BIN)/vfpga-sim $(BUILD)/firmware/card.elf guest ## Benchmark: fio 4 KiB randread O_DIRECT (psync, libaio QD16) from a stock guest on the RTL card: READ fast-path hit ratio, service time per READ, build/bench/fast_guest.{md,json} (about 1 min; SSD_PROFILE, HOST_TURNAROUND)
	@mkdir -p $(BUILD)/bench
	@SSD_PROFILE=$(SSD_PROFILE) HOST_TURNAROUND=$(HOST_TURNAROUND) sh tools/fast_guest_bench.sh $(BIN)/vfpga-sim \
	  $(BUILD)/firmware/card.elf $(BUILD)/bench-fast-guest > $(BUILD)/bench/fast_guest.log 2>&1 || \
	  { tail -30 $(BUILD)/bench/fast_guest.log; exit 1; }
	@python3 tools/fast_guest_md.py $(SSD_PROFILE) $(BUILD)/bench-fast-guest/fast_guest_psync.json \
	  $(BUILD)/bench-fast-guest/fast_guest_libaio.json > $(BUILD)/bench/fast_guest.md
	@cp $(BUILD)/bench-fast-guest/fast_guest_psync.json $(BUILD)/bench/fast_guest_psync.json
	@cp $(BUILD)/bench-fast-guest/fast_guest_libaio.json $(BUILD)/bench/fast_guest_libaio.json
	@cat $(BUILD)/bench/fast_guest.md
BENCH_TARGETS += bench-fast-guest
