# The host-side driver library (driver/vfsdrv.c), its RTL-simulation
# transport and the vfsctl command.

VFSCTL_SRCS := driver/vfsdrv.c driver/transport_sim.c driver/transport_vfio.c driver/vfsctl.c
VFSCTL_OBJS := $(patsubst driver/%.c,$(BUILD)/driver/%.o,$(VFSCTL_SRCS))

$(BUILD)/driver/%.o: driver/%.c driver/*.h sim/rc/*.h
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -Idriver -Isim -Isim/rc -c $< -o $@

$(BIN)/vfsctl: $(VFSCTL_OBJS) $(RC_OBJS) $(VMODEL_OBJS)
	@mkdir -p $(BIN)
	$(CXX) -o $@ $^ $(VMODEL_LIBS)

vfsctl: $(BIN)/vfsctl ## Build build/bin/vfsctl (host-side driver CLI; --sim drives the simulated card)

test-vfsctl: $(BIN)/vfsctl $(BUILD)/firmware/card.elf ## Test: vfsctl --sim info and init against the simulated card with its firmware
	@sh tests/vfsctl/run.sh $(BIN)/vfsctl $(BUILD)/firmware/card.elf $(BUILD)/tests/vfsctl
TEST_TARGETS += test-vfsctl
