# rtl/: the sources, lint, and the register map's generated docs sections.
# The simulation top (rtl/sim) is listed here too; its Verilator build is in
# mk/sim.mk, the synthesis check in mk/tests/synth.mk.

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

.PHONY: lint test-lint docs-regs

lint: $(GEN)/soc_map.stamp ## Lint all RTL with verilator --lint-only -Wall (waivers in rtl/lint/waivers.vlt)
	$(VERILATOR) --lint-only -Wall $(RTL_WAIVERS) $(RTL_ALL) --top-module $(RTL_TOP)
	$(VERILATOR) --lint-only -Wall $(RTL_WAIVERS) $(SIM_ALL) --top-module $(SIM_TOP)

test-lint: lint ## Test: RTL is lint clean
TEST_TARGETS += test-lint

# --- register tables in docs/: generated from the toml ------------------------
# Sections between <!-- regs:BLOCK:begin --> and <!-- regs:BLOCK:end -->.
# Only `make docs-regs` rewrites them; no build step touches docs/.
DOCS_REGS := docs/pcie-function.md docs/dax.md docs/nvme-root-port.md docs/fw-load.md docs/fastpath.md

docs-regs: $(GEN)/soc_map.stamp ## Rewrite the register tables in docs/ (regs:BLOCK markers) from rtl/soc_map.toml
	$(PYTHON) tools/docs_regs.py update $(GEN) $(DOCS_REGS)
