# sim/: the Verilator harness of the card. The model of sim_card_top (card_top
# with a behavioural card memory) as objects any C program links through the
# C interface in sim/vtop.h, the card memory's bytes (sim_ddr.c, DPI), and
# the loaders that put an ELF into the TCMs. Everything around the card is in
# world/ (mk/world.mk); the programs that drive it are in frontend/.

# Two builds of the model: the default one without waveform support, C++ at
# -O3 (the simulator's speed is the model's speed), and a traced one (FST)
# behind vfpga-sim --trace, compiled for build time rather than speed.
VSIM_DIR := $(BUILD)/verilator/card
VSIM_TRACE_DIR := $(BUILD)/verilator/card-trace
VERILATOR_FLAGS ?= -O3 --x-assign fast --x-initial fast -Wno-fatal
VERILATOR_ROOT_INC ?= $(shell $(VERILATOR) --getenv VERILATOR_ROOT 2>/dev/null)/include
VMODEL_LIBS := -lz -pthread
# The ELF loaders (a program that runs firmware on the model links them).
SIM_LOAD_OBJS := $(BUILD)/sim/elf_load.o $(BUILD)/sim/soc_load.o

.PHONY: vmodel vmodel-trace

$(BUILD)/sim/%.o: sim/%.c $(GEN)/soc_map.stamp
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -MMD -MP -I$(GEN) -Isim -c $< -o $@

# $(call vmodel_rules,DIR,VERILATOR EXTRA FLAGS,C++ OPT,SUPPORT OBJS,VTOP DEFINES)
# One Verilator build at a time (flock, also across concurrent makes): the
# machine has two cores, and the build uses both.
define vmodel_rules
$(1)/stamp: $$(SIM_ALL) $$(RTL_WAIVERS)
	@mkdir -p $(1)
	flock $$(VERILATOR_LOCK) $$(VERILATOR) --cc --build -j 2 $$(VERILATOR_FLAGS) $(2) \
	  -CFLAGS "$(3)" -MAKEFLAGS "OPT_FAST=$(3) OPT_SLOW=-O1 OPT_GLOBAL=$(3)" \
	  --top-module $$(SIM_TOP) -Mdir $(1) $$(RTL_WAIVERS) $$(SIM_ALL) \
	  >$(1).log 2>&1 || { tail -40 $(1).log; exit 1; }
	$$(MAKE) --no-print-directory -C $(1) -f V$$(SIM_TOP).mk OPT_FAST="$(3)" OPT_GLOBAL="$(3)" \
	  $(4) >>$(1).log 2>&1 || { tail -40 $(1).log; exit 1; }
	@touch $$@

$(1)/vtop.o: sim/vtop.cpp sim/vtop.h $(1)/stamp
	$$(CXX) $(3) -std=c++14 $(5) -MMD -MP -Isim -I$(1) -I$$(VERILATOR_ROOT_INC) \
	  -I$$(VERILATOR_ROOT_INC)/vltstd -c $$< -o $$@

$(1)/sim_ddr.o: sim/sim_ddr.c $(1)/stamp
	$$(CC) $$(HOST_CFLAGS) -MMD -MP -Isim -I$(1) -I$$(VERILATOR_ROOT_INC) -I$$(VERILATOR_ROOT_INC)/vltstd -c $$< -o $$@

$(1)/V$$(SIM_TOP)__ALL.a $(addprefix $(1)/,$(4)): $(1)/stamp

-include $$(wildcard $(1)/vtop.d $(1)/sim_ddr.d)
endef

VMODEL_OBJS := $(VSIM_DIR)/vtop.o $(VSIM_DIR)/sim_ddr.o $(BUILD)/sim/sparse_mem.o $(BUILD)/sim/sim_strap.o \
               $(VSIM_DIR)/V$(SIM_TOP)__ALL.a $(VSIM_DIR)/verilated.o $(VSIM_DIR)/verilated_threads.o
VMODEL_TRACE_OBJS := $(VSIM_TRACE_DIR)/vtop.o $(VSIM_TRACE_DIR)/sim_ddr.o $(BUILD)/sim/sparse_mem.o $(BUILD)/sim/sim_strap.o \
               $(VSIM_TRACE_DIR)/V$(SIM_TOP)__ALL.a $(VSIM_TRACE_DIR)/verilated.o \
               $(VSIM_TRACE_DIR)/verilated_fst_c.o $(VSIM_TRACE_DIR)/verilated_threads.o

$(eval $(call vmodel_rules,$(VSIM_DIR),,-O3,verilated.o verilated_threads.o,))
$(eval $(call vmodel_rules,$(VSIM_TRACE_DIR),--trace-fst,-O1,verilated.o verilated_fst_c.o verilated_threads.o,-DVTOP_TRACE))

vmodel-trace: $(VMODEL_TRACE_OBJS) ## Build the traced Verilator model (FST waveforms, for vfpga-sim --trace)
vmodel: $(VMODEL_OBJS) ## Build the Verilator model of the card (objects under build/verilator)

-include $(wildcard $(BUILD)/sim/*.d)
