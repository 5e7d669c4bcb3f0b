# Board support (board/): hard-IP adapters and their benches, the board tops,
# Yosys synthesis for the board's FPGA family, the vendor flow and flashing.
#
#   make synth BOARD=kcu105       Yosys synthesis (vendor IP as black boxes), utilization
#   make bitstream BOARD=kcu105   Vivado flow (board/<name>/build.tcl) when vivado is on PATH
#   make flash BOARD=kcu105       openFPGALoader; DRY_RUN=1 prints the command only

BOARD_COMMON := $(sort $(filter-out %_pkg.sv,$(wildcard board/common/*.sv)))
BOARD_PKGS   := board/common/xpcie_pkg.sv
BOARD_WAIVERS := board/lint/waivers.vlt
BOARD_BENCHES := xpcie_cq_rx xpcie_rc_rx xpcie_rq_tx xpcie_cc_tx xpcie_ep_cfg
# Adapter modules linted on their own (the board tops lint the rest)
BOARD_LINT_TOPS := xpcie_cq_rx xpcie_rc_rx xpcie_rq_tx xpcie_cc_tx xpcie_ep_cfg \
                   xpcie_tlp_merge xpcie_tlp_split brd_tlp_cdc brd_reset_sync

.PHONY: lint-board test-board-lint test-board-adapters

lint-board: $(GEN)/soc_map.stamp ## Lint the board RTL (board/) with verilator --lint-only -Wall
	@for t in $(BOARD_LINT_TOPS); do \
	  $(VERILATOR) --lint-only -Wall $(RTL_WAIVERS) $(BOARD_WAIVERS) $(RTL_PKGS) $(BOARD_PKGS) \
	    $(BOARD_COMMON) --top-module $$t || exit 1; \
	done

test-board-lint: lint-board ## Test: the board RTL is lint clean
TEST_TARGETS += test-board-lint

test-board-adapters: $(GEN)/soc_map.stamp ## Test: hard-IP adapter benches (CQ, RC, RQ, CC, configuration bridge) under Verilator
	@mkdir -p $(BUILD)/tests/board
	@VERILATOR=$(VERILATOR) sh tests/board/run.sh $(BUILD)/tests/board $(BUILD)/.verilator.lock $(GEN) $(BOARD_BENCHES)
TEST_TARGETS += test-board-adapters
