# tests/board and tests/hil: the hard-IP adapter benches (on tests/rtl/lib,
# built and run by tests/rtl/run.sh like the RTL unit benches), the board's
# synthesis and make checks, vfsctl --pci, and the hardware-in-the-loop
# runner's checks.

.PHONY: test-board-adapters test-board-synth test-board-make test-board-flow

test-board-adapters: $(GEN)/soc_map.stamp ## Test: hard-IP adapter benches (CQ, RC, RQ, CC, configuration bridge) and the firmware source choice (ROM or host load, brd_fw_boot) under Verilator
	@mkdir -p $(BUILD)/tests/board
	@VERILATOR=$(VERILATOR) sh tests/rtl/run.sh board $(BUILD)/tests/board $(VERILATOR_LOCK) \
	  "$(RTL_PKGS) $(BOARD_PKGS)" "$(BOARD_COMMON) $(RTL_SRCS)" $(addprefix tests/board/,$(BOARD_BENCHES))
TEST_TARGETS += test-board-adapters

test-board-synth: ## Test: make synth BOARD=kcu105 passes (Yosys, xcu) and the design fits the device
	@rm -f $(BUILD)/board/kcu105/synth/kcu105_top.counts
	@$(MAKE) --no-print-directory synth BOARD=kcu105
# Yosys runs on one core for about 10 minutes: make test runs it beside the
# other tests (tools/run_tests.sh), with the board's make checks after it.
TEST_BG_TARGETS += test-board-synth

test-board-make: ## Test: flash DRY_RUN=1 prints the exact openFPGALoader commands, bitstream without vivado names it, unknown BOARD lists the known ones
	@sh tests/board/make_checks.sh "$(MAKE)"
TEST_BG_TARGETS += test-board-make

test-board-flow: ## Test: the KCU105 Vivado flow without Vivado: Tcl parses, build.tcl runs against the reference lists (board/kcu105/ref), wrong names/widths stop it, XDC and wrapper ports checked
	@$(PYTHON) tests/board/check_flow.py $(BUILD)/tests/board-flow
TEST_TARGETS += test-board-flow

test-vfsctl-vfio: $(BIN)/vfsctl ## Test: vfsctl --pci argument checks and the VFIO group lookup against fake sysfs trees
	@sh tests/board/vfio/run.sh $(BIN)/vfsctl $(BUILD)/tests/vfio
TEST_TARGETS += test-vfsctl-vfio

# --- hardware in the loop (tests/hil) ----------------------------------------
# ssd-check: the firmware's own check of an SSD (or image), on the host that
# prepares it (board/kcu105/README.md, "The SSD").
$(BUILD)/tests/hil/ssd_check.o: tests/hil/ssd_check.c
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -MMD -MP $(FW_LIB_INC) -Ifirmware/hal/host -c $< -o $@

$(BIN)/ssd-check: $(BUILD)/tests/hil/ssd_check.o $(BUILD)/host/libvfs.a
	@mkdir -p $(BIN)
	$(CC) $^ -o $@

.PHONY: ssd-check
ssd-check: $(BIN)/ssd-check ## Build build/bin/ssd-check (does the card firmware accept this SSD's ext4? read-only)

test-hil-dry-run: $(BIN)/ssd-check ## Test: tests/hil/run.sh --dry-run (binding, capability check, KVM boots with per-mode timeouts, report), job files parse, caps.py, guest.sh's DAX checks, ssd-check, report.py on real fio output
	@sh tests/hil/test.sh $(BUILD)/tests/hil $(BIN)/ssd-check
TEST_TARGETS += test-hil-dry-run

test-hil-sim: $(BIN)/vfpga-model ## Test: one HIL fio job file (short) in the test guest on vfpga-model through tools/guest-run, e2fsck after
	@$(MAKE) --no-print-directory guest
	@sh tests/hil/sim.sh $(BIN)/vfpga-model $(BUILD)/tests/hil-sim randread-libaio 4M
TEST_TARGETS += test-hil-sim

# --- benchmark: the board's utilization (Yosys, vendor IP as black boxes) ---
.PHONY: bench-board-synth
bench-board-synth: ## Benchmark: utilization of the KCU105 top by Yosys (vendor IP black boxes), build/bench/synth_kcu105.md
	@$(MAKE) --no-print-directory synth BOARD=kcu105 > $(BUILD)/board-synth.log 2>&1 || { tail -20 $(BUILD)/board-synth.log; exit 1; }
	@mkdir -p $(BUILD)/bench
	@{ printf "## The KCU105 board top (make synth BOARD=kcu105)\n\n"; \
	   printf "Yosys \`synth_xilinx\` of \`kcu105_top\` with the vendor IP (PCIe blocks, DDR4) as black boxes, so their own resources are not counted; no timing figure until Vivado routes it.\n\n"; \
	   cat $(BUILD)/board/kcu105/synth/utilization.md; } > $(BUILD)/bench/synth_kcu105.md
	@cat $(BUILD)/bench/synth_kcu105.md
BENCH_TARGETS += bench-board-synth
