# rtl/: the sources, lint and the Yosys synthesis check. The simulation top
# (rtl/sim) is listed here too; its Verilator build is in mk/sim.mk.

RTL_PKGS := $(GEN)/soc_map_pkg.sv rtl/cpu/cpu_pkg.sv rtl/pcie/pcie_pkg.sv
RTL_SRCS := $(filter-out %_pkg.sv,$(sort $(wildcard rtl/cpu/*.sv rtl/soc/*.sv rtl/pcie/*.sv \
              rtl/virtio/*.sv rtl/dma/*.sv rtl/vq/*.sv rtl/rp/*.sv rtl/card/*.sv rtl/dax/*.sv)))
RTL_TOP  := card_top
RTL_ALL  := $(RTL_PKGS) $(RTL_SRCS)
RTL_WAIVERS := rtl/lint/waivers.vlt
# The simulation top wraps card_top with a behavioural DDR (rtl/sim, never
# synthesised); card_top stays the synthesis top.
SIM_RTL_SRCS := $(sort $(wildcard rtl/sim/*.sv))
SIM_TOP  := sim_card_top
SIM_ALL  := $(RTL_ALL) $(SIM_RTL_SRCS)

.PHONY: lint synth test-lint test-synth test-memory-map test-regmap test-docs-regs docs-regs

lint: $(GEN)/soc_map.stamp ## Lint all RTL with verilator --lint-only -Wall (waivers in rtl/lint/waivers.vlt)
	$(VERILATOR) --lint-only -Wall $(RTL_WAIVERS) $(RTL_ALL) --top-module $(RTL_TOP)
	$(VERILATOR) --lint-only -Wall $(RTL_WAIVERS) $(SIM_ALL) --top-module $(SIM_TOP)

test-lint: lint ## Test: RTL is lint clean
TEST_TARGETS += test-lint

# --- Yosys synthesis check (Xilinx 7-series cells) --------------------------
SYNTH_DIR := $(BUILD)/synth
CPU_RTL := $(GEN)/soc_map_pkg.sv rtl/cpu/cpu_pkg.sv \
           $(filter-out rtl/cpu/cpu_pkg.sv,$(sort $(wildcard rtl/cpu/*.sv)))

$(SYNTH_DIR)/card_top.counts: $(RTL_ALL) tests/synth/synth_xilinx.sh
	YOSYS=$(YOSYS) sh tests/synth/synth_xilinx.sh card_top $(SYNTH_DIR) $(RTL_ALL)

$(SYNTH_DIR)/cpu_core.counts: $(CPU_RTL) tests/synth/synth_xilinx.sh
	YOSYS=$(YOSYS) sh tests/synth/synth_xilinx.sh cpu_core $(SYNTH_DIR) $(CPU_RTL)

synth-check: $(SYNTH_DIR)/card_top.counts ## Yosys synth_xilinx of the card core (SoC + PCIe function); fails on any error

test-synth: ## Test: the card core (SoC + PCIe function) synthesises with Yosys without error
	@rm -f $(SYNTH_DIR)/card_top.counts
	@$(MAKE) --no-print-directory synth-check
TEST_TARGETS += test-synth

bench-synth: $(SYNTH_DIR)/card_top.counts $(SYNTH_DIR)/cpu_core.counts ## Benchmark: LUT/FF/BRAM/DSP of the core and the SoC
	@mkdir -p $(BUILD)/bench
	@{ echo "| Block (Yosys synth_xilinx, xc7) | LUT | FF | BRAM36 | DSP |"; \
	   echo "|---|---|---|---|---|"; \
	   for t in cpu_core card_top; do \
	     . $(abspath $(SYNTH_DIR))/$$t.counts; \
	     echo "| $$t | $$lut | $$ff | $$bram36 | $$dsp |"; \
	   done; } > $(BUILD)/bench/synth.md
	@cat $(BUILD)/bench/synth.md
BENCH_TARGETS += bench-synth

# --- simulator bad-input tests -----------------------------------------------
test-sim-bad-input: $(BIN)/vfpga-sim $(GEN)/soc_map.stamp ## Test: vfpga-sim refuses bad images, times out, survives garbage code
	sh tests/sim/run.sh $(BIN)/vfpga-sim $(BUILD)/tests/sim $(RV_CC) "$(RV_ARCH)" $(GEN)
TEST_TARGETS += test-sim-bad-input

# --- the README's memory map is the generated one ---------------------------
test-memory-map: $(GEN)/soc_map.stamp ## Test: README memory map table equals the one generated from rtl/soc_map.toml
	@sh tests/map/check_readme.sh README.md $(GEN)/soc_map.md
TEST_TARGETS += test-memory-map

# --- fields and codes: the toml, the SV package and the C header agree -------
test-regmap: $(GEN)/soc_map.stamp tests/map/check_regs.py ## Test: every register offset, field and code of rtl/soc_map.toml is the same in soc_map.h (host and RV32 compilers) and soc_map_pkg.sv (Yosys)
	@$(PYTHON) tests/map/check_regs.py rtl/soc_map.toml $(GEN) $(BUILD)/tests/map "$(CC)" "$(YOSYS)" \
	  "$(RV_CC) $(RV_ARCH) $(FW_LIBC)"
TEST_TARGETS += test-regmap

# --- register tables in docs/ are the generated ones ---------------------------
# Sections between <!-- regs:BLOCK:begin --> and <!-- regs:BLOCK:end -->.
# Only `make docs-regs` rewrites them; no build step touches docs/.
DOCS_REGS := docs/pcie-function.md docs/dax.md docs/nvme-root-port.md

test-docs-regs: $(GEN)/soc_map.stamp ## Test: the register tables in docs/ equal the ones generated from rtl/soc_map.toml
	@$(PYTHON) tools/docs_regs.py check $(GEN) $(DOCS_REGS)
TEST_TARGETS += test-docs-regs

docs-regs: $(GEN)/soc_map.stamp ## Rewrite the register tables in docs/ (regs:BLOCK markers) from rtl/soc_map.toml
	$(PYTHON) tools/docs_regs.py update $(GEN) $(DOCS_REGS)

# --- simulation speed ---------------------------------------------------------
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
