# frontend/: the program vfpga-sim, the simulated card behind one of its
# front ends: the standalone run of an RV32 ELF (vfpga_sim.c: tohost, the
# SSD model with --image), the vhost-user bridge that lets a stock guest's
# virtio-fs driver reach the RTL through QEMU's vhost-user-fs-pci
# (bridge/), and the co-simulation socket behind QEMU's -device vfpga-pci
# (cosim/, protocol in include/cosim_proto.h).

FRONTEND_INC := -I$(GEN) -Iinclude -Ifrontend -Isim -Iworld -Iworld/rc -Iworld/ssd -Idriver -Imodel/vhost
VSIM_OBJS := $(BUILD)/frontend/vfpga_sim.o $(BUILD)/frontend/bridge/vhost_bridge.o \
             $(BUILD)/frontend/cosim/cosim.o $(BUILD)/frontend/phases.o $(BUILD)/frontend/fast_stats.o $(BUILD)/frontend/guestq.o $(BUILD)/frontend/profile.o $(VHOST_LIB_OBJS) $(RC_DRV_OBJS) $(RC_OBJS) $(SSD_OBJS)

$(BUILD)/frontend/%.o: frontend/%.c $(GEN)/soc_map.stamp
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -MMD -MP $(FRONTEND_INC) -c $< -o $@

-include $(wildcard $(BUILD)/frontend/*.d $(BUILD)/frontend/*/*.d)

$(BIN)/vfpga-sim: $(VSIM_OBJS) $(VMODEL_OBJS)
	@mkdir -p $(BIN)
	$(CXX) -o $@ $^ $(VMODEL_LIBS)

# The same program over the traced model: vfpga-sim --trace runs it.
$(BIN)/vfpga-sim-trace: $(VSIM_OBJS) $(VMODEL_TRACE_OBJS)
	@mkdir -p $(BIN)
	$(CXX) -o $@ $^ $(VMODEL_LIBS)

.PHONY: sim sim-trace
sim: $(BIN)/vfpga-sim ## Build the RTL simulator build/bin/vfpga-sim
sim-trace: $(BIN)/vfpga-sim-trace ## Build build/bin/vfpga-sim-trace, the simulator with waveforms (vfpga-sim --trace runs it)
