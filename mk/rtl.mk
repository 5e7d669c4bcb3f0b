# RTL: sources, lint, the Verilator simulator build and the Yosys synthesis check.

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

VSIM_DIR    := $(BUILD)/verilator/card
VSIM_C_SRCS := sim/vfpga_sim.c sim/elf_load.c sim/soc_load.c sim/nvme/nvme_dev.c sim/nvme/rp_link.c
VSIM_C_OBJS := $(patsubst sim/%.c,$(BUILD)/sim/%.o,$(VSIM_C_SRCS))
VERILATOR_FLAGS ?= -O3 --x-assign fast --x-initial fast -Wno-fatal
VERILATOR_ROOT_INC ?= $(shell $(VERILATOR) --getenv VERILATOR_ROOT 2>/dev/null)/include
# The Verilator model of the card (sim_card_top) as a set of objects any C program can link
# (through the C interface in sim/vtop.h): one Verilator build serves every
# simulator binary.
VMODEL_OBJS := $(VSIM_DIR)/vtop.o $(VSIM_DIR)/sim_ddr.o $(BUILD)/sim/rc/sparse_mem.o $(VSIM_DIR)/V$(SIM_TOP)__ALL.a $(VSIM_DIR)/verilated.o \
               $(VSIM_DIR)/verilated_fst_c.o $(VSIM_DIR)/verilated_threads.o
VMODEL_LIBS := -lz -pthread

.PHONY: lint sim synth test-lint test-synth vmodel test-memory-map test-regmap test-docs-regs docs-regs readme-map

lint: $(GEN)/soc_map.stamp ## Lint all RTL with verilator --lint-only -Wall (waivers in rtl/lint/waivers.vlt)
	$(VERILATOR) --lint-only -Wall $(RTL_WAIVERS) $(RTL_ALL) --top-module $(RTL_TOP)
	$(VERILATOR) --lint-only -Wall $(RTL_WAIVERS) $(SIM_ALL) --top-module $(SIM_TOP)

test-lint: lint ## Test: RTL is lint clean
TEST_TARGETS += test-lint

$(BUILD)/sim/%.o: sim/%.c sim/*.h sim/nvme/*.h $(GEN)/soc_map.stamp
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -I$(GEN) -Isim -Isim/rc -c $< -o $@

# One Verilator build at a time (flock, also across concurrent makes): the
# machine has two cores, and the build uses both.
$(VSIM_DIR)/stamp: $(SIM_ALL) $(RTL_WAIVERS)
	@mkdir -p $(VSIM_DIR)
	flock $(VERILATOR_LOCK) $(VERILATOR) --cc --build -j 2 $(VERILATOR_FLAGS) --trace-fst -MAKEFLAGS "OPT_FAST=-O2" \
	  --top-module $(SIM_TOP) -Mdir $(VSIM_DIR) $(RTL_WAIVERS) $(SIM_ALL) \
	  >$(VSIM_DIR).log 2>&1 || { tail -40 $(VSIM_DIR).log; exit 1; }
	$(MAKE) --no-print-directory -C $(VSIM_DIR) -f V$(SIM_TOP).mk \
	  verilated.o verilated_fst_c.o verilated_threads.o >>$(VSIM_DIR).log 2>&1 || \
	  { tail -40 $(VSIM_DIR).log; exit 1; }
	@touch $@

$(VSIM_DIR)/vtop.o: sim/vtop.cpp sim/vtop.h $(VSIM_DIR)/stamp
	$(CXX) -O2 -std=c++14 -Isim -I$(VSIM_DIR) -I$(VERILATOR_ROOT_INC) \
	  -I$(VERILATOR_ROOT_INC)/vltstd -c $< -o $@

# The simulated card memory's bytes (DPI functions of rtl/sim/sim_ddr.sv).
$(VSIM_DIR)/sim_ddr.o: sim/sim_ddr.c sim/vtop.h sim/rc/sparse_mem.h $(VSIM_DIR)/stamp
	$(CC) $(HOST_CFLAGS) -Isim -Isim/rc -I$(VSIM_DIR) -I$(VERILATOR_ROOT_INC) -I$(VERILATOR_ROOT_INC)/vltstd -c $< -o $@

$(VSIM_DIR)/V$(SIM_TOP)__ALL.a $(VSIM_DIR)/verilated.o $(VSIM_DIR)/verilated_fst_c.o \
  $(VSIM_DIR)/verilated_threads.o: $(VSIM_DIR)/stamp

vmodel: $(VMODEL_OBJS) ## Build the Verilator model of card_top (objects under build/verilator)

$(BIN)/vfpga-sim: $(VSIM_C_OBJS) $(VMODEL_OBJS)
	@mkdir -p $(BIN)
	$(CXX) -o $@ $(VSIM_C_OBJS) $(VMODEL_OBJS) $(VMODEL_LIBS)

sim: $(BIN)/vfpga-sim ## Build the RTL simulator build/bin/vfpga-sim

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

readme-map: $(GEN)/soc_map.stamp ## Rewrite the README's memory map from rtl/soc_map.toml
	$(PYTHON) -c 'import re,sys; r=open("README.md").read(); g=open(sys.argv[1]).read(); \
	  open("README.md","w").write(re.sub(r"(<!-- map:begin -->\n).*?(<!-- map:end -->)", lambda m: m.group(1) + g + m.group(2), r, flags=re.S))' $(GEN)/soc_map.md

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
