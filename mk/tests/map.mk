# tests/map: the generated views of rtl/soc_map.toml agree with it (the
# README's memory map, the C header and SV package, the docs' tables).

.PHONY: test-memory-map test-regmap test-docs-regs

test-memory-map: $(GEN)/soc_map.stamp ## Test: README memory map table equals the one generated from rtl/soc_map.toml
	@sh tests/map/check_readme.sh README.md $(GEN)/soc_map.md
TEST_TARGETS += test-memory-map

# --- fields and codes: the toml, the SV package and the C header agree -------
test-regmap: $(GEN)/soc_map.stamp tests/map/check_regs.py ## Test: every register offset, field and code of rtl/soc_map.toml is the same in soc_map.h (host and RV32 compilers) and soc_map_pkg.sv (Yosys)
	@$(PYTHON) tests/map/check_regs.py rtl/soc_map.toml $(GEN) $(BUILD)/tests/map "$(CC)" "$(YOSYS)" \
	  "$(RV_CC) $(RV_ARCH) $(FW_LIBC)"
TEST_TARGETS += test-regmap

test-docs-regs: $(GEN)/soc_map.stamp ## Test: the register tables in docs/ equal the ones generated from rtl/soc_map.toml
	@$(PYTHON) tools/docs_regs.py check $(GEN) $(DOCS_REGS)
TEST_TARGETS += test-docs-regs
