# vfpga: an FPGA virtio-fs card. `make help` lists the targets.
#
# Everything built goes under $(BUILD). Each source folder adds its own
# targets in mk/<folder>.mk and each test folder in mk/tests/<folder>.mk,
# included below in an explicit order (a fragment uses the object lists of
# the ones before it); a test target is registered by appending its name to
# TEST_TARGETS (run by `make test`) and a benchmark to BENCH_TARGETS.

BUILD      ?= build
PYTHON     ?= python3
CC         ?= cc
CXX        ?= c++
VERILATOR  ?= verilator
YOSYS      ?= yosys
RV_PREFIX  ?= riscv64-unknown-elf-
RV_CC      ?= $(RV_PREFIX)gcc
RV_OBJCOPY ?= $(RV_PREFIX)objcopy
RV_OBJDUMP ?= $(RV_PREFIX)objdump
RV_ARCH    ?= -march=rv32im_zicsr_zifencei -mabi=ilp32

BIN        := $(BUILD)/bin
GEN        := $(BUILD)/gen

# One Verilator build at a time across every make using this lock (two cores).
VERILATOR_LOCK ?= $(BUILD)/.verilator.lock

HOST_CFLAGS ?= -O2 -g -std=gnu11 -Wall -Wextra -Werror

TEST_TARGETS  :=
BENCH_TARGETS :=
# How `make test` runs a target (time limits, skips): mk/harness.mk.
include mk/harness.mk

.DEFAULT_GOAL := help
.PHONY: help setup demo demo-run demo-card test bench clean gen readme

# Grouped by what a target is for: its description's "Test:" or "Bench:"
# prefix, the demos, the board's fragment, and the builds.
help: ## List the targets with one line each, grouped: run, build, test, bench, board
	@grep -HE '^[a-zA-Z0-9_.-]+:.*## ' $(MAKEFILE_LIST) | \
	  awk '{ f = $$0; sub(/:.*/, "", f); t = $$0; sub(/^[^:]*:/, "", t); n = t; sub(/:.*/, "", n); \
	         d = t; sub(/^[^#]*## /, "", d); \
	         g = (d ~ /^Test:/ || n == "test") ? "test" : (d ~ /^Bench(mark)?:/ || n == "bench") ? "bench" : (n ~ /^demo/) ? "run" : \
	             (f ~ /board\.mk$$/) ? "board" : "build"; \
	         line[g] = line[g] sprintf("  %-20s %s\n", n, d) } \
	       END { split("run build test bench board", o, " "); \
	             for (i = 1; i <= 5; i++) if (o[i] in line) printf "%s:\n%s", o[i], line[o[i]] }'

setup: ## Install the Debian packages the project uses (idempotent)
	@sh tools/setup.sh

# --- generated memory map views --------------------------------------------
GEN_MAP := $(GEN)/soc_map_pkg.sv $(GEN)/soc_map.h $(GEN)/soc_map.ld $(GEN)/soc_map.md $(GEN)/soc_regs.md
$(GEN)/soc_map.stamp: rtl/soc_map.toml tools/gen_soc_map.py
	@mkdir -p $(GEN)
	$(PYTHON) tools/gen_soc_map.py rtl/soc_map.toml $(GEN)
	@touch $@
$(GEN_MAP): $(GEN)/soc_map.stamp
gen: $(GEN)/soc_map.stamp ## Generate the memory-map views (SV package, C header, linker, tables, register docs)

# The sources, from the hardware up: RTL, its Verilator harness, the
# firmware (runtime and apps, ext4, FUSE server, the card image, fusebench), the
# simulated world around the card, the host driver, the functional model,
# the simulator's front ends, QEMU with vfpga-pci, the test guest, boards.
include mk/rtl.mk
include mk/sim.mk
include mk/firmware.mk
include mk/fs.mk
include mk/fuse.mk
include mk/card.mk
include mk/fusebench.mk
include mk/world.mk
include mk/driver.mk
include mk/model.mk
include mk/frontend.mk
include mk/qemu.mk
include mk/guest.mk
include mk/board.mk
# The tests, one fragment per folder of tests/ (a firmware app's own check,
# test-firmware and test-fuse-rv32, stays with the app).
include mk/tests/harness.mk
include mk/tests/synth.mk
include mk/tests/sim.mk
include mk/tests/map.mk
include mk/tests/rv32.mk
include mk/tests/rtl.mk
include mk/tests/fs.mk
include mk/tests/crash.mk
include mk/tests/fuse.mk
include mk/tests/nvme.mk
include mk/tests/fsdev.mk
include mk/tests/pcie.mk
include mk/tests/dma.mk
include mk/tests/rp.mk
include mk/tests/dax.mk
include mk/tests/fast.mk
include mk/tests/recover.mk
include mk/tests/faults.mk
include mk/tests/model.mk
include mk/tests/posix.mk
include mk/tests/bridge.mk
include mk/tests/cosim.mk
include mk/tests/vfsctl.mk
include mk/tests/fwload.mk
include mk/tests/guest.mk
include mk/tests/board.mk

# Firmware programs on the RTL simulator (their rules are in mk/firmware.mk).
TEST_TARGETS += test-firmware
# Linux's own ext4 (user-mode Linux) reads and replays our images (mk/fs.mk).
TEST_TARGETS += test-fs-kernel
BENCH_TARGETS += bench-cpi

# The back end of `make demo`: rtl (the simulated card behind the vhost-user
# bridge: RTL, firmware on the soft core, SSD model), model (the card's
# functional model, vfpga-model) or cosim (the guest's own virtio_pci on the
# card's PCI function through QEMU's -device vfpga-pci, mounted -o dax;
# COSIM=1 is the same as DEMO=cosim).
DEMO ?= $(if $(filter 1,$(COSIM)),cosim,rtl)
# The SSD model's timing profile for the demo and the guest-facing benches
# (world/ssd/nvme_dev.h): nvme-tlc, a Gen3 x4 TLC drive; ideal isolates the
# card's own cost (no media time).
SSD_PROFILE ?= nvme-tlc

demo: setup ## Main job: a stock Linux guest (QEMU) mounts the card over virtio-fs, uses it, fio verify, e2fsck; DEMO=rtl|model|cosim (or COSIM=1)
	@$(MAKE) --no-print-directory demo-run

demo-run: guest $(BIN)/vfpga-model $(if $(filter rtl cosim,$(DEMO)),$(BIN)/vfpga-sim $(BUILD)/firmware/card.elf) \
          $(if $(filter cosim,$(DEMO)),qemu-cosim)
	@SSD_PROFILE=$(SSD_PROFILE) sh tools/demo.sh $(DEMO)

demo-card: $(BIN)/vfpga-sim $(BUILD)/firmware/hello.elf $(BIN)/vfsctl $(BUILD)/firmware/card.elf ## The soft core boots; the project's own driver brings up the card's PCIe function (FUSE_INIT through the RTL)
	@echo "== the soft core boots the firmware runtime"
	$(BIN)/vfpga-sim --elf $(BUILD)/firmware/hello.elf
	@echo "== a host driver meets the card's virtio-fs function and negotiates FUSE with its firmware"
	$(BIN)/vfsctl --sim --console --firmware $(BUILD)/firmware/card.elf init

# Fault figures: the fault and fuzz tests write one row each of README's
# fault-figures table here (tests/include/figures.h, tools/figures_row.sh);
# make test starts from none, make readme collects them.
FIGURES := $(abspath $(BUILD))/figures
export VFPGA_FIGURES := $(FIGURES)

test: setup ## Run every test (the README's test command), each under a time limit; ends with "N passed, N failed, N skipped"
	@rm -rf $(FIGURES)
	@BG_TARGETS="$(TEST_BG_TARGETS)" BG_PREP="$(BUILD)/firmware/card.elf $(GEN)/soc_map.stamp" \
	  BG_LOGS=$(BUILD)/test-bg TEST_STATUS_DIR=$(BUILD)/test-status TEST_TIMEOUTS="$(TEST_TIMEOUTS)" \
	  sh tools/run_tests.sh "$(MAKE)" $(TEST_TARGETS)

bench: $(BENCH_TARGETS) ## Run the benchmarks; results under $(BUILD)/bench/*.md
	@cat $(BUILD)/bench/*.md 2>/dev/null || true

readme: $(GEN)/soc_map.stamp ## Write build/README.md: README.md with the memory map, the benchmark tables of build/bench (after make bench) and the fault figures of build/figures (after make test); shows the difference
	@sh tools/update_readme.sh README.md $(GEN)/soc_map.md $(BUILD)/bench $(BUILD)/README.md $(FIGURES)
	@diff -u README.md $(BUILD)/README.md || echo "readme: review the difference, then cp $(BUILD)/README.md README.md"

clean: ## Remove everything built
	rm -rf $(BUILD)
