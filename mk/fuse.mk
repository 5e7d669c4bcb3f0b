# firmware/fuse: the FUSE server. Its objects come from the firmware
# template (mk/firmware.mk); its tests are in mk/tests/fuse.mk.

# Every source of the server; *_host.c are host implementations of its HALs,
# which the card replaces with its own.
FUSE_SRV_SRCS := $(sort $(wildcard firmware/fuse/*.c))
FUSE_CARD_SRCS := $(filter-out %_host.c,$(FUSE_SRV_SRCS))
FUSE_HOST_OBJS := $(call fw_objs,host,default,$(FUSE_SRV_SRCS))
FUSE_SAN_OBJS := $(call fw_objs,host-san,default,$(FUSE_SRV_SRCS))

