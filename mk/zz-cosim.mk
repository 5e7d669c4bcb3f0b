# vfpga-sim --cosim (sim/cosim): linked into vfpga-sim. This file sorts after
# vhost.mk, which already adds the root-complex model (RC_OBJS) to vfpga-sim;
# whatever of it is still missing is added here. Targets: mk/cosim.mk.
COSIM_OBJS := $(BUILD)/sim/cosim/cosim.o
$(BUILD)/sim/cosim/%.o: sim/cosim/%.c sim/cosim/*.h sim/rc/*.h sim/nvme/*.h
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -Isim/cosim -Isim/rc -Isim -c $< -o $@
COSIM_RC_OBJS := $(filter-out $(VSIM_C_OBJS),$(RC_OBJS))
VSIM_C_OBJS += $(COSIM_OBJS) $(COSIM_RC_OBJS)
$(BIN)/vfpga-sim: $(COSIM_OBJS) $(COSIM_RC_OBJS)
$(BUILD)/sim/vfpga_sim.o: sim/cosim/cosim.h
