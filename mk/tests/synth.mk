# tests/synth: Yosys synth_xilinx of the card core and the CPU (a check in
# make test, utilization in make bench).

.PHONY: synth-check test-synth bench-synth

SYNTH_DIR := $(BUILD)/synth
CPU_RTL := $(GEN)/soc_map_pkg.sv rtl/cpu/cpu_pkg.sv \
           $(filter-out rtl/cpu/cpu_pkg.sv,$(sort $(wildcard rtl/cpu/*.sv)))

$(SYNTH_DIR)/card_top.counts: $(RTL_ALL) tests/synth/synth_xilinx.sh
	YOSYS=$(YOSYS) sh tests/synth/synth_xilinx.sh card_top $(SYNTH_DIR) $(RTL_ALL)

$(SYNTH_DIR)/cpu_core.counts: $(CPU_RTL) tests/synth/synth_xilinx.sh
	YOSYS=$(YOSYS) sh tests/synth/synth_xilinx.sh cpu_core $(SYNTH_DIR) $(CPU_RTL)

# The READ fast path alone (its default parameters are card_top's): what it
# adds to card_top.
FAST_RTL := $(GEN)/soc_map_pkg.sv rtl/vq/vq_fast.sv
$(SYNTH_DIR)/vq_fast.counts: $(FAST_RTL) tests/synth/synth_xilinx.sh
	YOSYS=$(YOSYS) sh tests/synth/synth_xilinx.sh vq_fast $(SYNTH_DIR) $(FAST_RTL)

synth-check: $(SYNTH_DIR)/card_top.counts ## Yosys synth_xilinx of the card core (SoC + PCIe function); fails on any error

test-synth: ## Test: the card core (SoC + PCIe function) synthesises with Yosys without error
	@rm -f $(SYNTH_DIR)/card_top.counts
	@$(MAKE) --no-print-directory synth-check
# Yosys runs for minutes on one core and shares nothing with the other
# tests but the generated package: beside them, after the board's synthesis.
TEST_BG_TARGETS += test-synth

bench-synth: $(SYNTH_DIR)/card_top.counts $(SYNTH_DIR)/cpu_core.counts $(SYNTH_DIR)/vq_fast.counts ## Benchmark: LUT/FF/BRAM/DSP of the core, the READ fast path and the SoC
	@mkdir -p $(BUILD)/bench
	@{ echo "| Block (Yosys synth_xilinx, xc7) | LUT | FF | BRAM36 | DSP |"; \
	   echo "|---|---|---|---|---|"; \
	   for t in cpu_core vq_fast card_top; do \
	     . $(abspath $(SYNTH_DIR))/$$t.counts; \
	     case $$t in vq_fast) n="vq_fast (READ fast path, part of card_top)";; *) n=$$t;; esac; \
	     echo "| $$n | $$lut | $$ff | $$bram36 | $$dsp |"; \
	   done; } > $(BUILD)/bench/synth.md
	@cat $(BUILD)/bench/synth.md
BENCH_TARGETS += bench-synth
