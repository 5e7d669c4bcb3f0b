# tests/sim: vfpga-sim under bad input, and its speed.

.PHONY: test-sim-bad-input bench-simspeed

test-sim-bad-input: $(BIN)/vfpga-sim $(BIN)/vfpga-sim-trace $(GEN)/soc_map.stamp ## Test: vfpga-sim refuses bad images, times out, survives garbage code
	sh tests/sim/run.sh $(BIN)/vfpga-sim $(BUILD)/tests/sim $(RV_CC) "$(RV_ARCH)" $(GEN)
TEST_TARGETS += test-sim-bad-input

bench-simspeed: $(BIN)/vfpga-sim $(BUILD)/firmware/bench.elf ## Benchmark: Verilator simulation speed of card_top (simulated cycles per wall-clock second)
	@mkdir -p $(BUILD)/bench
	@start=$$(date +%s.%N); \
	 $(BIN)/vfpga-sim --elf $(BUILD)/firmware/bench.elf > /dev/null 2> $(BUILD)/bench/simspeed.log; \
	 end=$$(date +%s.%N); \
	 cycles=$$(sed -n 's/^cycles \([0-9]*\) .*/\1/p' $(BUILD)/bench/simspeed.log); \
	 awk -v c=$$cycles -v s=$$start -v e=$$end 'BEGIN { \
	   printf "| Simulation (Verilator, card_top) | simulated cycles | wall seconds | cycles/s |\n|---|---|---|---|\n"; \
	   printf "| CPI workload on vfpga-sim | %d | %.2f | %.0f |\n", c, e - s, c / (e - s) }' > $(BUILD)/bench/simspeed.md
	@cat $(BUILD)/bench/simspeed.md
BENCH_TARGETS += bench-simspeed
