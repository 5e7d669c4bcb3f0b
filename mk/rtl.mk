# RTL: sources, lint, the Verilator simulator build and the Yosys synthesis check.

RTL_PKGS := $(GEN)/soc_map_pkg.sv rtl/cpu/cpu_pkg.sv rtl/pcie/pcie_pkg.sv
RTL_SRCS := $(filter-out %_pkg.sv,$(sort $(wildcard rtl/cpu/*.sv rtl/soc/*.sv rtl/pcie/*.sv \
              rtl/virtio/*.sv rtl/card/*.sv)))
RTL_TOP  := card_top
RTL_ALL  := $(RTL_PKGS) $(RTL_SRCS)
RTL_WAIVERS := rtl/lint/waivers.vlt

VSIM_DIR   := $(BUILD)/verilator/soc
VSIM_C_SRCS := sim/vfpga_sim.c sim/elf_load.c
VSIM_C_OBJS := $(patsubst sim/%.c,$(BUILD)/sim/%.o,$(VSIM_C_SRCS))
VERILATOR_FLAGS ?= -O3 --x-assign fast --x-initial fast -Wno-fatal

.PHONY: lint sim synth test-lint test-synth

lint: $(GEN)/soc_map.stamp ## Lint all RTL with verilator --lint-only -Wall (waivers in rtl/lint/waivers.vlt)
	$(VERILATOR) --lint-only -Wall $(RTL_WAIVERS) $(RTL_ALL) --top-module $(RTL_TOP)

test-lint: lint ## Test: RTL is lint clean
TEST_TARGETS += test-lint

$(BUILD)/sim/%.o: sim/%.c sim/*.h $(GEN)/soc_map.stamp
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -I$(GEN) -Isim -c $< -o $@

# One Verilator build at a time: the machine has two cores, and the build uses both.
$(BIN)/vfpga-sim: $(RTL_ALL) $(RTL_WAIVERS) sim/vtop.cpp sim/vtop.h $(VSIM_C_OBJS)
	@mkdir -p $(BIN) $(BUILD)/verilator
	$(VERILATOR) --cc --exe --build -j 2 $(VERILATOR_FLAGS) --trace-fst \
	  --top-module $(RTL_TOP) -Mdir $(VSIM_DIR) $(RTL_WAIVERS) $(RTL_ALL) \
	  $(abspath sim/vtop.cpp) -CFLAGS "-O2 -I$(abspath sim)" \
	  -LDFLAGS "$(abspath $(VSIM_C_OBJS))" -o vfpga-sim >$(VSIM_DIR).log 2>&1 || \
	  { tail -40 $(VSIM_DIR).log; exit 1; }
	cp $(VSIM_DIR)/vfpga-sim $@

sim: $(BIN)/vfpga-sim ## Build the RTL simulator build/bin/vfpga-sim

# --- Yosys synthesis check (Xilinx 7-series cells) --------------------------
SYNTH_DIR := $(BUILD)/synth
CPU_RTL := $(GEN)/soc_map_pkg.sv rtl/cpu/cpu_pkg.sv \
           $(filter-out rtl/cpu/cpu_pkg.sv,$(sort $(wildcard rtl/cpu/*.sv)))

$(SYNTH_DIR)/soc_top.counts: $(RTL_ALL) tests/synth/synth_xilinx.sh
	YOSYS=$(YOSYS) sh tests/synth/synth_xilinx.sh soc_top $(SYNTH_DIR) $(RTL_ALL)

$(SYNTH_DIR)/cpu_core.counts: $(CPU_RTL) tests/synth/synth_xilinx.sh
	YOSYS=$(YOSYS) sh tests/synth/synth_xilinx.sh cpu_core $(SYNTH_DIR) $(CPU_RTL)

synth-check: $(SYNTH_DIR)/soc_top.counts ## Yosys synth_xilinx of the SoC; fails on any error, records LUT/FF/BRAM

test-synth: ## Test: the SoC synthesises with Yosys without error
	@rm -f $(SYNTH_DIR)/soc_top.counts
	@$(MAKE) --no-print-directory synth-check
TEST_TARGETS += test-synth

bench-synth: $(SYNTH_DIR)/soc_top.counts $(SYNTH_DIR)/cpu_core.counts ## Benchmark: LUT/FF/BRAM/DSP of the core and the SoC
	@mkdir -p $(BUILD)/bench
	@{ echo "| Block (Yosys synth_xilinx, xc7) | LUT | FF | BRAM36 | DSP |"; \
	   echo "|---|---|---|---|---|"; \
	   for t in cpu_core soc_top; do \
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
