# sim/: the Verilator harness of the card. The model of sim_card_top (card_top
# with a behavioural card memory) as objects any C program links through the
# C interface in sim/vtop.h, the card memory's bytes (sim_ddr.c, DPI), and
# the loaders that put an ELF into the TCMs. Everything around the card is in
# world/ (mk/world.mk); the programs that drive it are in frontend/.

VSIM_DIR := $(BUILD)/verilator/card
VERILATOR_FLAGS ?= -O3 --x-assign fast --x-initial fast -Wno-fatal
VERILATOR_ROOT_INC ?= $(shell $(VERILATOR) --getenv VERILATOR_ROOT 2>/dev/null)/include
VMODEL_OBJS := $(VSIM_DIR)/vtop.o $(VSIM_DIR)/sim_ddr.o $(BUILD)/sim/sparse_mem.o \
               $(VSIM_DIR)/V$(SIM_TOP)__ALL.a $(VSIM_DIR)/verilated.o \
               $(VSIM_DIR)/verilated_fst_c.o $(VSIM_DIR)/verilated_threads.o
VMODEL_LIBS := -lz -pthread
# The ELF loaders (a program that runs firmware on the model links them).
SIM_LOAD_OBJS := $(BUILD)/sim/elf_load.o $(BUILD)/sim/soc_load.o

.PHONY: vmodel

$(BUILD)/sim/%.o: sim/%.c $(GEN)/soc_map.stamp
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -MMD -MP -I$(GEN) -Isim -c $< -o $@

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
	$(CXX) -O2 -std=c++14 -MMD -MP -Isim -I$(VSIM_DIR) -I$(VERILATOR_ROOT_INC) \
	  -I$(VERILATOR_ROOT_INC)/vltstd -c $< -o $@

$(VSIM_DIR)/sim_ddr.o: sim/sim_ddr.c $(VSIM_DIR)/stamp
	$(CC) $(HOST_CFLAGS) -MMD -MP -Isim -I$(VSIM_DIR) -I$(VERILATOR_ROOT_INC) -I$(VERILATOR_ROOT_INC)/vltstd -c $< -o $@

$(VSIM_DIR)/V$(SIM_TOP)__ALL.a $(VSIM_DIR)/verilated.o $(VSIM_DIR)/verilated_fst_c.o \
  $(VSIM_DIR)/verilated_threads.o: $(VSIM_DIR)/stamp

vmodel: $(VMODEL_OBJS) ## Build the Verilator model of the card (objects under build/verilator)

-include $(wildcard $(BUILD)/sim/*.d $(VSIM_DIR)/vtop.d $(VSIM_DIR)/sim_ddr.d)
