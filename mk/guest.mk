# The test guest: Debian's own kernel and an initramfs made from Debian
# packages (busybox-static, the virtio-fs modules, fio with its libraries) and
# our static helper. tools/guest-run boots it under QEMU (TCG) against any
# vhost-user-fs back end and runs one command on the mounted file system.
#
# The kernel is the newest version that has both /boot/vmlinuz-V and
# /lib/modules/V (override with GUEST_KVER=...). The host files the build
# reads are listed with sizes and times in $(GUEST)/inputs.txt, rewritten only
# when they change, so the initramfs is rebuilt only when an input changed.

GUEST       := $(BUILD)/guest
GUEST_RUN   ?= tools/guest-run
VIRTIOFSD   ?= /usr/lib/qemu/virtiofsd
ifeq ($(origin GUEST_KVER),undefined)
GUEST_KVER  := $(shell for v in $$(ls /lib/modules 2>/dev/null | sort -V); do \
                 [ -r /boot/vmlinuz-$$v ] && [ -r /lib/modules/$$v/modules.dep ] && echo $$v; done | tail -n 1)
endif
GUEST_FILES := $(GUEST)/vmlinuz $(GUEST)/initramfs.cpio.gz $(GUEST)/initramfs.cpio

.PHONY: guest guest-always
guest-always:

$(GUEST)/fshelper: guest/fshelper.c
	@mkdir -p $(dir $@)
	$(CC) -static -O2 -Wall -Wextra -Werror $< -o $@

$(GUEST)/inputs.txt: guest-always
	@mkdir -p $(dir $@)
	@[ -n "$(GUEST_KVER)" ] || { echo "guest: no kernel with /boot/vmlinuz-V and /lib/modules/V (make setup)" >&2; exit 1; }
	@{ echo "kver $(GUEST_KVER)"; sh guest/mkinitramfs.sh inputs $(GUEST_KVER); } >$@.tmp || { rm -f $@.tmp; exit 1; }
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

$(GUEST)/initramfs.cpio.gz $(GUEST)/initramfs.cpio &: $(GUEST)/inputs.txt guest/init guest/mkinitramfs.sh $(GUEST)/fshelper
	sh guest/mkinitramfs.sh build $(GUEST_KVER) $(GUEST) $(GUEST)/fshelper

# vmlinux (the same kernel unpacked, entered through PVH) comes with it when
# the kernel allows; tools/guest-run prefers it.
$(GUEST)/vmlinuz: $(GUEST)/inputs.txt guest/mkinitramfs.sh
	sh guest/mkinitramfs.sh kernel $(GUEST_KVER) $(GUEST)

guest: $(GUEST_FILES) ## Build the test guest under build/guest: Debian's kernel, initramfs.cpio.gz (busybox, virtiofs modules, fio)
