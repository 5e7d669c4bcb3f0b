# driver/: the host-side driver library (vfsdrv.c: the virtio-pci modern
# handshake, queues, FUSE requests), its VFIO transport to a real card and the
# vfsctl command. The driver reaches no simulation code: vfsctl's --sim
# transport is world/rc/rc_transport.c, linked in here: it registers itself
# by name (vfs_transport_register), so the driver never names it.

DRIVER_OBJS := $(BUILD)/driver/vfsdrv.o $(BUILD)/driver/transport_vfio.o $(BUILD)/driver/vfsload.o

# soc_map.h: the clock's registers (TIME), the same for the host in BAR0.
$(BUILD)/driver/%.o: driver/%.c $(GEN)/soc_map.stamp
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -MMD -MP -Iinclude -Idriver -I$(GEN) -c $< -o $@

-include $(wildcard $(BUILD)/driver/*.d)

$(BIN)/vfsctl: $(BUILD)/driver/vfsctl.o $(DRIVER_OBJS) $(BUILD)/world/rc/rc_transport.o $(RC_OBJS) $(VMODEL_OBJS)
	@mkdir -p $(BIN)
	$(CXX) -o $@ $^ $(VMODEL_LIBS)

.PHONY: vfsctl
vfsctl: $(BIN)/vfsctl ## Build build/bin/vfsctl (host-side driver CLI; --sim drives the simulated card, --pci BDF a real one)
