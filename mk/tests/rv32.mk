# RV32IM ISA test programs (tests/rv32): generated arithmetic, branch and
# memory tests with expectations computed in Python, and hand-written CSR,
# trap, interrupt and FENCE.I tests; all run on the RTL simulator.

RV32T_DIR  := $(BUILD)/tests/rv32
RV32T_HAND := $(basename $(notdir $(wildcard tests/rv32/*.S)))
RV32T_ELFS := $(patsubst %,$(RV32T_DIR)/%.elf,rr_alu rr_muldiv div_overlap imm crc branch mem $(RV32T_HAND) canary)
RV32T_CC    = $(RV_CC) $(RV_ARCH) -nostdlib -nostartfiles -Itests/rv32 -L$(GEN) \
              -Ttests/include/bare.ld -Wl,--no-warn-rwx-segments

$(RV32T_DIR)/gen.stamp: tests/rv32/gen_isa.py
	@mkdir -p $(RV32T_DIR)/gen
	$(PYTHON) tests/rv32/gen_isa.py $(RV32T_DIR)/gen > /dev/null
	@touch $@

$(RV32T_DIR)/gen/%.S: $(RV32T_DIR)/gen.stamp
	@test -f $@

$(RV32T_DIR)/%.elf: $(RV32T_DIR)/gen/%.S tests/rv32/isa.h tests/include/bare.ld $(GEN)/soc_map.stamp
	$(RV32T_CC) $< -o $@

$(RV32T_DIR)/%.elf: tests/rv32/%.S tests/rv32/isa.h tests/include/bare.ld $(GEN)/soc_map.stamp
	@mkdir -p $(RV32T_DIR)
	$(RV32T_CC) $< -o $@

# The canary: the memory test with one expected value changed.
$(RV32T_DIR)/canary.S: $(RV32T_DIR)/gen.stamp
	sed '0,/li t6, 0x/s/li t6, 0x\([0-9a-f]*\)/li t6, 0x\1 + 1/' $(RV32T_DIR)/gen/mem.S > $@

$(RV32T_DIR)/canary.elf: $(RV32T_DIR)/canary.S tests/rv32/isa.h tests/include/bare.ld $(GEN)/soc_map.stamp
	$(RV32T_CC) $< -o $@

rv32-tests: $(RV32T_ELFS) ## Build the RV32IM ISA test programs (build/tests/rv32/*.elf)

test-rv32: $(RV32T_ELFS) $(BIN)/vfpga-sim ## Test: every RV32IM instruction and crc32c.b/h/w, CSRs, traps, interrupts, FENCE.I on the RTL
	@sh tests/rv32/run.sh $(BIN)/vfpga-sim $(RV32T_DIR)
TEST_TARGETS += test-rv32
.PRECIOUS: $(RV32T_DIR)/gen/%.S
