# model/: vfpga-model, the card's functional model (level 1): the card's
# firmware (FUSE server over ext4) compiled for the host behind a
# vhost-user-fs socket. model/vhost/ is its vhost-user library (protocol,
# memory table, split-ring walker), which frontend/bridge uses too.

VHOST_SRCS  := model/vhost/vhost_user.c model/vhost/vring.c model/vhost/devstats.c
# What the bridge into the RTL links of it (it walks no rings itself).
VHOST_LIB_OBJS := $(BUILD)/model/vhost/vhost_user.o $(BUILD)/model/vhost/devstats.o
MODEL_SRCS  := model/vfpga_model.c firmware/fsdev/fsdev.c $(VHOST_SRCS) $(FUSE_SRV_SRCS)
MODEL_FLAGS := $(FS_CFLAGS) -Ifirmware/fsdev -Ifirmware/fuse -Imodel/vhost

$(BUILD)/model/vhost/%.o: model/vhost/%.c
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -MMD -MP -Imodel/vhost -c $< -o $@

-include $(wildcard $(BUILD)/model/vhost/*.d)

$(BIN)/vfpga-model: $(MODEL_SRCS) model/vhost/*.h firmware/fsdev/*.h firmware/fuse/*.h $(BUILD)/host/libvfs.a
	@mkdir -p $(BIN)
	$(CC) $(HOST_CFLAGS) $(MODEL_FLAGS) $(MODEL_SRCS) $(BUILD)/host/libvfs.a -o $@

.PHONY: vfpga-model
vfpga-model: $(BIN)/vfpga-model ## Build build/bin/vfpga-model (vhost-user-fs back end: the firmware's file server on the host)
