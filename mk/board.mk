# Board support (board/): hard-IP adapters and their benches, the board tops,
# Yosys synthesis for the board's FPGA family, the vendor flow and flashing.
#
#   make synth BOARD=kcu105              Yosys synthesis (vendor IP as black boxes), utilization
#   make bitstream BOARD=kcu105          Vivado flow (board/<name>/build.tcl) when vivado is on PATH
#   make flash BOARD=kcu105 [DRY_RUN=1]  openFPGALoader (FLASH=1: the configuration flash)
#
# A board is a folder board/<name>/ with a board.cfg (make syntax: top,
# family, part, capacity, sources, constraints, vendor script, programmer).

VIVADO ?= vivado
OPENFPGALOADER ?= openFPGALoader
BOARD ?=
KNOWN_BOARDS := $(sort $(patsubst board/%/board.cfg,%,$(wildcard board/*/board.cfg)))

BOARD_COMMON := $(sort $(filter-out %_pkg.sv,$(wildcard board/common/*.sv)))
BOARD_PKGS   := board/common/xpcie_pkg.sv
BOARD_WAIVERS := board/lint/waivers.vlt
BOARD_PRIMS  := $(sort $(wildcard board/lint/prims/*.sv))
BOARD_BENCHES := xpcie_cq_rx xpcie_rc_rx xpcie_rq_tx xpcie_cc_tx xpcie_ep_cfg brd_fw_boot

ifneq ($(filter $(BOARD),$(KNOWN_BOARDS)),)
include board/$(BOARD)/board.cfg
endif
BOARD_OUT := $(BUILD)/board/$(BOARD)
# The firmware the board's ROM loads into the TCMs (board/common/elf2rom.py)
BOARD_FW  ?= $(BUILD)/firmware/card.elf
# Everything synthesised: core RTL, board RTL, the board's top and IP black boxes
BOARD_ALL := $(RTL_ALL) $(BOARD_PKGS) $(BOARD_COMMON) $(BOARD_IP_STUBS) $(BOARD_SRCS)

.PHONY: board-check synth bitstream flash lint-board test-board-lint

board-check:
	@if [ -z "$(BOARD)" ] || [ -z "$(filter $(BOARD),$(KNOWN_BOARDS))" ]; then \
	  echo "board: unknown board '$(BOARD)'; known boards: $(KNOWN_BOARDS) (make synth BOARD=<name>)" >&2; \
	  exit 2; \
	fi

$(BOARD_OUT)/firmware.hex: $(BOARD_FW) board/common/elf2rom.py $(GEN)/soc_map.stamp
	@mkdir -p $(dir $@)
	$(PYTHON) board/common/elf2rom.py $(BOARD_FW) $(GEN)/soc_map.h $@ --aw-out $(BOARD_OUT)/rom_aw

synth: board-check ## Yosys synthesis of BOARD's top for its FPGA family (vendor IP black boxes); prints utilization
	@$(MAKE) --no-print-directory board-synth BOARD=$(BOARD)

board-synth: $(BOARD_OUT)/firmware.hex $(GEN)/soc_map.stamp
	YOSYS=$(YOSYS) sh board/common/synth_board.sh $(BOARD_OUT)/synth $(BOARD_TOP) $(BOARD_FAMILY) \
	  $(abspath $(BOARD_OUT)/firmware.hex) $$(cat $(BOARD_OUT)/rom_aw) "$(BOARD_CAPS)" $(BOARD_DEVICE) \
	  $(BOARD_ALL)

bitstream: board-check ## Vivado flow for BOARD through board/<name>/build.tcl (needs vivado on PATH)
	@if ! command -v $(VIVADO) >/dev/null 2>&1; then \
	  echo "bitstream: '$(VIVADO)' is not on PATH: the bitstream needs AMD Vivado (2022.2 or later, with" >&2; \
	  echo "  the $(BOARD_PART) device and the KCU105 board files); install it, or set VIVADO=/path/to/vivado." >&2; \
	  echo "  Everything else for the board is checked here without it: make synth BOARD=$(BOARD)" >&2; \
	  exit 2; \
	fi
	@$(MAKE) --no-print-directory board-bitstream BOARD=$(BOARD)

board-bitstream: $(BOARD_OUT)/firmware.hex $(GEN)/soc_map.stamp
	@mkdir -p $(BOARD_OUT)/vivado
	@echo $(abspath $(RTL_ALL) $(BOARD_PKGS) $(BOARD_COMMON) $(BOARD_SRCS)) > $(BOARD_OUT)/vivado/sources.txt
	$(VIVADO) -mode batch -nojournal -log $(BOARD_OUT)/vivado/vivado.log -source $(BOARD_TCL) \
	  -tclargs $(abspath $(BOARD_OUT)/vivado) $(abspath $(BOARD_OUT)/firmware.hex) \
	  $$(cat $(BOARD_OUT)/rom_aw) $(abspath $(BOARD_OUT)/vivado/sources.txt)

# FLASH=1 writes the configuration flash (board.cfg names the images: on the
# KCU105 the two halves of a dual quad SPI image, one per flash chip);
# otherwise the bitstream goes to the FPGA's configuration memory (lost at
# power off; the host then needs a PCI rescan or a warm reboot to find the
# card). DRY_RUN=1 prints the command. The board's own openFPGALoader entry
# (BOARD_OFL_BOARD) needs BOARD_OFL_MIN_VERSION or later: checked before use.
FLASH ?=
DRY_RUN ?=
BOARD_BIT ?= $(BOARD_OUT)/vivado/$(BOARD_TOP).bit
BOARD_FLASH_CMD = $(OPENFPGALOADER) $(if $(FLASH),$(BOARD_OFL_FLASH_ARGS),$(BOARD_OFL_ARGS))
BOARD_FLASH_NEEDS = $(if $(FLASH),$(BOARD_OFL_FLASH_FILES),$(BOARD_BIT))

flash: board-check ## Program BOARD with openFPGALoader (FLASH=1: configuration flash; DRY_RUN=1: print the command)
	@if [ -n "$(DRY_RUN)" ]; then echo "$(BOARD_FLASH_CMD)"; exit 0; fi; \
	 if ! command -v $(OPENFPGALOADER) >/dev/null 2>&1; then \
	   echo "flash: '$(OPENFPGALOADER)' is not on PATH (Debian package openfpgaloader; make setup)" >&2; exit 2; fi; \
	 if [ -n "$(BOARD_OFL_BOARD)" ] && ! $(OPENFPGALOADER) --list-boards 2>/dev/null | grep -qw "$(BOARD_OFL_BOARD)"; then \
	   echo "flash: this openFPGALoader ($$($(OPENFPGALOADER) -V 2>&1 | head -1)) has no board '$(BOARD_OFL_BOARD)':" >&2; \
	   echo "  it needs openFPGALoader $(BOARD_OFL_MIN_VERSION) or later (Debian 12 ships 0.10.0; trixie's or a build from source)" >&2; exit 2; fi; \
	 for f in $(BOARD_FLASH_NEEDS); do if [ ! -f "$$f" ]; then \
	   echo "flash: no $$f: make bitstream BOARD=$(BOARD) first" >&2; exit 2; fi; done; \
	 echo "$(BOARD_FLASH_CMD)"; $(BOARD_FLASH_CMD)

# --- lint --------------------------------------------------------------------
lint-board: $(GEN)/soc_map.stamp ## Lint the board RTL and every board top with verilator --lint-only -Wall
	@for b in $(KNOWN_BOARDS); do \
	  $(MAKE) --no-print-directory lint-board-one BOARD=$$b || exit 1; \
	done

lint-board-one:
	flock $(VERILATOR_LOCK) $(VERILATOR) --lint-only -Wall $(RTL_WAIVERS) $(BOARD_WAIVERS) $(BOARD_PRIMS) $(BOARD_ALL) \
	  --top-module $(BOARD_TOP)

test-board-lint: lint-board ## Test: the board RTL and board tops are lint clean
TEST_TARGETS += test-board-lint
