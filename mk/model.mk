# model/: vfpga-model, the card's functional model (level 1): the card's
# firmware (FUSE server over ext4) compiled for the host behind a
# vhost-user-fs socket. model/vhost/ is its vhost-user library (protocol,
# memory table, split-ring walker), which frontend/bridge uses too.

VHOST_SRCS  := model/vhost/vhost_user.c model/vhost/vring.c model/vhost/devstats.c
# What the bridge into the RTL links of it (it walks no rings itself).
VHOST_LIB_OBJS := $(BUILD)/model/vhost/vhost_user.o $(BUILD)/model/vhost/devstats.o
# The card's firmware as the host build of the firmware template has it.
MODEL_FW_OBJS := $(call fw_objs,host,default,firmware/fsdev/fsdev.c) $(FUSE_HOST_OBJS)

$(BUILD)/model/vhost/%.o: model/vhost/%.c
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -MMD -MP -Imodel/vhost -c $< -o $@

$(BUILD)/model/vfpga_model.o: model/vfpga_model.c
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -MMD -MP $(FW_LIB_INC) -Ifirmware/hal/host -Imodel/vhost -c $< -o $@

-include $(wildcard $(BUILD)/model/*.d $(BUILD)/model/vhost/*.d)

$(BIN)/vfpga-model: $(BUILD)/model/vfpga_model.o $(patsubst model/%.c,$(BUILD)/model/%.o,$(VHOST_SRCS)) \
  $(MODEL_FW_OBJS) $(BUILD)/host/libvfs.a
	@mkdir -p $(BIN)
	$(CC) $^ -o $@

.PHONY: vfpga-model
vfpga-model: $(BIN)/vfpga-model ## Build build/bin/vfpga-model (vhost-user-fs back end: the firmware's file server on the host)
