# world/: everything around the card in simulation. rc/ is the host's root
# complex (enumeration, host memory, MSI-X/INTx capture, completion faults)
# and the driver's transport over it (rc_transport.c, a vfsdrv transport);
# ssd/ is the NVMe SSD model behind the card's root port and its link to the
# RTL; tlp.h the TLP stream format both use.

WORLD_INC := -I$(GEN) -Iinclude -Isim -Iworld -Iworld/rc -Iworld/ssd -Idriver
# The root complex with the loaders it boots the card with.
RC_OBJS  := $(BUILD)/world/rc/rc.o $(SIM_LOAD_OBJS)
SSD_OBJS := $(BUILD)/world/ssd/nvme_dev.o $(BUILD)/world/ssd/nvme_core.o $(BUILD)/world/ssd/nvme_opts.o \
            $(BUILD)/world/ssd/rp_link.o $(BUILD)/world/ssd/vcache.o
# The driver library over the root complex (vfsctl --sim, the bridge, tests).
RC_DRV_OBJS := $(BUILD)/world/rc/rc_transport.o $(BUILD)/driver/vfsdrv.o

$(BUILD)/world/%.o: world/%.c $(GEN)/soc_map.stamp
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -MMD -MP $(WORLD_INC) -c $< -o $@

-include $(wildcard $(BUILD)/world/*/*.d)
