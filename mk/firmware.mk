# Firmware: the bare-metal runtime (firmware/runtime) and the programs built
# on it (firmware/apps/<app>/*.c -> $(BUILD)/firmware/<app>.elf + .dump).
#
# Compile with $(RV_ARCH); link with the same ISA minus Z* extensions, because
# gcc 12's multilib matcher does not know "_zicsr" and would otherwise pick
# the rv64 default picolibc/libgcc instead of rv32im/ilp32.

FW_BUILD   := $(BUILD)/firmware
FW_SIM     ?= $(BIN)/vfpga-sim
FW_APPS    := hello trapdump rttest bench
FW_TESTS   := hello trapdump rttest
FW_INC     := -Ifirmware/runtime/include -I$(GEN)
FW_CFLAGS  ?= -O2 -g -std=gnu11 -Wall -Wextra -Werror -ffunction-sections -fdata-sections
FW_LINK_ARCH := $(foreach w,$(RV_ARCH),$(if $(filter -march=%,$(w)),$(firstword $(subst _, ,$(w))),$(w)))
FW_LDFLAGS ?= -Wl,--gc-sections -Wl,--no-warn-rwx-segments
FW_LIBC    := --specs=picolibc.specs -DPICOLIBC_INTEGER_PRINTF_SCANF
FW_RT_DIR  := firmware/runtime
FW_RT_SRCS := $(wildcard $(FW_RT_DIR)/*.S) $(wildcard $(FW_RT_DIR)/*.c)
FW_RT_OBJS := $(patsubst $(FW_RT_DIR)/%,$(FW_BUILD)/runtime/%.o,$(FW_RT_SRCS))
# Its SoC part (the card's UART, timer, start-up and tohost exit); the rest
# is portable, and another platform links it with its own uart_putc, rt_init
# and rt_exit (the QEMU virt tests, mk/tests/nvme.mk).
FW_RT_SOC_OBJS  := $(patsubst %,$(FW_BUILD)/runtime/%.c.o,rt uart timer)
FW_RT_CORE_OBJS := $(filter-out $(FW_RT_SOC_OBJS),$(FW_RT_OBJS))
FW_LD      := $(FW_RT_DIR)/link.ld
FW_ELFS    := $(patsubst %,$(FW_BUILD)/%.elf,$(FW_APPS))

.PHONY: firmware test-firmware bench-cpi

firmware: $(FW_ELFS) $(FW_ELFS:.elf=.dump) ## Build the firmware programs (hello, trapdump, rttest, bench) under build/firmware

# Header dependencies come from -MMD; soc_map.stamp orders the generator first.
$(FW_BUILD)/runtime/%.o: $(FW_RT_DIR)/% $(GEN)/soc_map.stamp
	@mkdir -p $(dir $@)
	$(RV_CC) $(RV_ARCH) $(FW_LIBC) $(FW_CFLAGS) -MMD -MP $(FW_INC) -c $< -o $@

$(FW_BUILD)/apps/%.o: firmware/apps/% $(GEN)/soc_map.stamp
	@mkdir -p $(dir $@)
	$(RV_CC) $(RV_ARCH) $(FW_LIBC) $(FW_CFLAGS) -MMD -MP $(FW_INC) -c $< -o $@

-include $(wildcard $(FW_BUILD)/runtime/*.d $(FW_BUILD)/apps/*/*.d)

# One rule per application: its objects are every .c/.S in its folder.
define FW_APP_RULE
FW_$(1)_OBJS := $$(patsubst firmware/apps/%,$$(FW_BUILD)/apps/%.o,$$(sort $$(wildcard firmware/apps/$(1)/*.c firmware/apps/$(1)/*.S)))
$$(FW_BUILD)/$(1).elf: $$(FW_$(1)_OBJS) $$(FW_RT_OBJS) $$(FW_LD) $$(GEN)/soc_map.stamp
	$$(RV_CC) $$(FW_LINK_ARCH) $$(FW_LIBC) -nostartfiles -T $$(FW_LD) -L $$(GEN) \
	  $$(FW_LDFLAGS) -Wl,-Map=$$(FW_BUILD)/$(1).map \
	  $$(FW_RT_OBJS) $$(FW_$(1)_OBJS) -o $$@
endef
$(foreach a,$(FW_APPS),$(eval $(call FW_APP_RULE,$(a))))

# Linux uapi headers for the RV32 builds: only include/linux and asm-generic.
UAPI_DIR := $(BUILD)/uapi
$(UAPI_DIR)/stamp:
	@mkdir -p $(UAPI_DIR)
	ln -sfn /usr/include/linux $(UAPI_DIR)/linux
	ln -sfn /usr/include/asm-generic $(UAPI_DIR)/asm-generic
	ln -sfn /usr/include/asm-generic $(UAPI_DIR)/asm
	@touch $@

# --- the firmware libraries: one rule per build ----------------------------
# The portable firmware (firmware/fs, fuse, fsdev, nvme) and the images' own
# sources are compiled by one template per build: a FLAVOUR (host; host-san,
# under ASan/UBSan; rv32, the soft core's) and a CONFIG, the header with an
# image's settings (table and pool sizes), force-included ("default": the
# sources' own defaults). Objects: $(BUILD)/fw/FLAVOUR-CONFIG/<source>.o;
# $(call fw_objs,FLAVOUR,CONFIG,SOURCES) names them.
FW_SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
FW_LIB_INC := -Iinclude -Ifirmware/include -Ifirmware/fs -Ifirmware/fuse -Ifirmware/fsdev -Ifirmware/nvme
FW_CC_host = $(CC) $(HOST_CFLAGS) -Ifirmware/hal/host
FW_CC_host-san = $(CC) $(HOST_CFLAGS) -O1 $(FW_SAN_FLAGS) -Ifirmware/hal/host
FW_CC_rv32 = $(RV_CC) $(RV_ARCH) $(FW_LIBC) $(FW_CFLAGS) $(FW_INC) -idirafter $(UAPI_DIR)
# ext4 uses nothing of libc beyond string.h, stdint.h and errno.h: its RV32
# build is freestanding, which proves it.
FW_FS_FLAGS_rv32 := -ffreestanding
FW_DEPS_rv32 = $(GEN)/soc_map.stamp $(UAPI_DIR)/stamp
FW_CFG_default :=
FW_CFG_card := firmware/card/card_config.h
FW_CFG_fusebench := firmware/apps/fusebench/fusebench_config.h

fw_objs = $(patsubst %.c,$(BUILD)/fw/$(1)-$(2)/%.o,$(3))

define FW_LIB_RULE
$$(BUILD)/fw/$(1)-$(2)/%.o: %.c $$(FW_CFG_$(2)) $$(FW_DEPS_$(1))
	@mkdir -p $$(dir $$@)
	$$(FW_CC_$(1)) $$(FW_XFLAGS) -MMD -MP $$(FW_LIB_INC) $$(addprefix -include ,$$(FW_CFG_$(2))) -c $$< -o $$@
$$(BUILD)/fw/$(1)-$(2)/firmware/fs/%.o: FW_XFLAGS = $$(FW_FS_FLAGS_$(1))
endef
$(eval $(call FW_LIB_RULE,host,default))
$(eval $(call FW_LIB_RULE,host-san,default))
$(eval $(call FW_LIB_RULE,host-san,card))
$(eval $(call FW_LIB_RULE,rv32,card))
$(eval $(call FW_LIB_RULE,rv32,fusebench))
-include $(shell find $(BUILD)/fw -name '*.d' 2>/dev/null)

$(FW_BUILD)/%.dump: $(FW_BUILD)/%.elf
	$(RV_OBJDUMP) -d -h -t $< > $@

test-firmware: $(patsubst %,$(FW_BUILD)/%.elf,$(FW_TESTS)) $(FW_SIM) ## Test: run hello, trapdump and rttest on $(FW_SIM) and check output and exit codes
	@sh firmware/apps/fwtest.sh $(FW_SIM) $(FW_BUILD) $(FW_TESTS)

bench-cpi: $(FW_BUILD)/bench.elf $(FW_SIM) ## Bench: run the CPI workload (memcpy, crc32c, sort, search) on $(FW_SIM), write build/bench/cpi.md
	@mkdir -p $(BUILD)/bench
	@sh firmware/apps/bench/run_bench.sh $(FW_SIM) $(FW_BUILD)/bench.elf $(BUILD)/bench/cpi.md
