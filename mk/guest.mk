# The test guest: Debian's own kernel and an initramfs made from Debian
# packages (busybox-static, the virtio-fs modules, fio with its libraries) and
# our static helper. tools/guest-run boots it under QEMU (TCG) against any
# vhost-user-fs back end and runs one command on the mounted file system.
#
# The kernel is never installed on the host: guest/kernel.sh downloads
# Debian's kernel package (apt-get download; the one linux-image-amd64 depends
# on, or linux-image-$(GUEST_KVER), or the file GUEST_KERNEL_DEB) into
# $(GUEST)/debs and unpacks it with dpkg-deb -x into $(GUEST)/kernel, where
# depmod -b indexes its modules. $(GUEST)/kernel.txt names the package and is
# rewritten only when it changes. The files the initramfs build reads are
# listed with sizes and times in $(GUEST)/inputs.txt, rewritten only when
# they change, so the initramfs is rebuilt only when an input changed.

GUEST       := $(BUILD)/guest
GUEST_RUN   ?= tools/guest-run
VIRTIOFSD   ?= /usr/lib/qemu/virtiofsd
GUEST_KROOT := $(GUEST)/kernel
GUEST_FILES := $(GUEST)/vmlinuz $(GUEST)/initramfs.cpio.gz $(GUEST)/initramfs.cpio
# The kernel version, from kernel.txt (read when a recipe runs, after it is made).
guest_kver   = $$(sed -n 's/^kver //p' $(GUEST)/kernel.txt)

.PHONY: guest guest-always guest-kernel
guest-always:

$(GUEST)/kernel.txt: guest-always
	@GUEST_KVER="$(GUEST_KVER)" GUEST_KERNEL_DEB="$(GUEST_KERNEL_DEB)" GUEST_DEB_CACHE="$(GUEST_DEB_CACHE)" \
	  sh guest/kernel.sh $(GUEST)
guest-kernel: $(GUEST)/kernel.txt ## Download Debian's kernel package and unpack it under build/guest/kernel (no install on the host)

$(GUEST)/fshelper: guest/fshelper.c
	@mkdir -p $(dir $@)
	$(CC) -static -O2 -Wall -Wextra -Werror $< -o $@

$(GUEST)/inputs.txt: $(GUEST)/kernel.txt guest-always
	@mkdir -p $(dir $@)
	@{ cat $(GUEST)/kernel.txt; sh guest/mkinitramfs.sh inputs $(GUEST_KROOT) $(guest_kver); } >$@.tmp || { rm -f $@.tmp; exit 1; }
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

$(GUEST)/initramfs.cpio.gz $(GUEST)/initramfs.cpio &: $(GUEST)/inputs.txt guest/init guest/mkinitramfs.sh $(GUEST)/fshelper
	sh guest/mkinitramfs.sh build $(GUEST_KROOT) $(guest_kver) $(GUEST) $(GUEST)/fshelper

# vmlinux (the same kernel unpacked, entered through PVH) comes with it when
# the kernel allows; tools/guest-run prefers it.
$(GUEST)/vmlinuz: $(GUEST)/kernel.txt guest/mkinitramfs.sh
	sh guest/mkinitramfs.sh kernel $(GUEST_KROOT) $(guest_kver) $(GUEST)

guest: $(GUEST_FILES) ## Build the test guest under build/guest: Debian's kernel (downloaded, unpacked under build/), initramfs.cpio.gz (busybox, virtiofs modules, fio)
