/*
 * vfsctl: talk to the card's virtio-fs function from the host side.
 *
 *   vfsctl --sim [--firmware ELF] [--console] info|init
 *   vfsctl --pci DDDD:BB:DD.F info|init
 *
 * info: IDs, BARs, capabilities, device features, tag, queues.
 * init: the driver handshake and FUSE_INIT; prints what was negotiated.
 * --sim runs the card in RTL simulation (Verilator model, card firmware on
 * the soft core) through the transport the simulator registers
 * (world/rc/rc_transport.c), when vfsctl is linked with it. --pci reaches a real card bound to vfio-pci
 * (transport_vfio.c); VFSCTL_SYSFS and VFSCTL_VFIO_DIR replace /sys and
 * /dev/vfio (tests).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transport_vfio.h"
#include "vfsdrv.h"

#define DEFAULT_FIRMWARE "build/firmware/card.elf"

static void usage(FILE *f)
{
	fprintf(f, "usage: vfsctl --sim [--firmware ELF] [--console] info|init\n"
		   "       vfsctl --pci DDDD:BB:DD.F info|init\n"
		   "  --sim            the card in RTL simulation\n"
		   "  --pci BDF        the card at this PCI address, bound to vfio-pci\n"
		   "  --firmware ELF   card firmware (default %s)\n"
		   "  --console        show the card's UART on stderr\n", DEFAULT_FIRMWARE);
}

static void print_init(const struct fuse_init_out *io)
{
	static const struct { uint32_t bit; const char *name; } flags[] = {
		{ FUSE_ASYNC_READ, "ASYNC_READ" }, { FUSE_BIG_WRITES, "BIG_WRITES" },
		{ FUSE_MAX_PAGES, "MAX_PAGES" }, { FUSE_PARALLEL_DIROPS, "PARALLEL_DIROPS" },
		{ FUSE_INIT_EXT, "INIT_EXT" }, { FUSE_MAP_ALIGNMENT, "MAP_ALIGNMENT" },
	};

	printf("FUSE protocol: %u.%u\n", io->major, io->minor);
	printf("max_readahead: %u\n", io->max_readahead);
	printf("max_write: %u\n", io->max_write);
	printf("max_pages: %u\n", io->max_pages);
	printf("max_background: %u, congestion_threshold: %u, time_gran: %u\n", io->max_background,
	       io->congestion_threshold, io->time_gran);
	printf("map_alignment: %u\n", io->map_alignment);
	printf("flags: 0x%08x", io->flags);
	for (unsigned i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (io->flags & flags[i].bit)
			printf(" %s", flags[i].name);
	printf("\n");
}

int main(int argc, char **argv)
{
	const char *firmware = DEFAULT_FIRMWARE, *cmd = NULL, *pci = NULL;
	int sim = 0, console = 0, ret;
	struct vfs_transport *t = NULL;
	struct vfsdrv d;
	char err[256];

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--sim"))
			sim = 1;
		else if (!strcmp(argv[i], "--console"))
			console = 1;
		else if (!strcmp(argv[i], "--firmware") && i + 1 < argc)
			firmware = argv[++i];
		else if (!strcmp(argv[i], "--pci") && i + 1 < argc)
			pci = argv[++i];
		else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else if (!cmd && (!strcmp(argv[i], "info") || !strcmp(argv[i], "init")))
			cmd = argv[i];
		else {
			fprintf(stderr, "vfsctl: unknown argument '%s'\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (sim == !!pci || !cmd) {
		if (sim == !!pci)
			fprintf(stderr, "vfsctl: one transport is needed: --sim or --pci BDF\n");
		usage(stderr);
		return 2;
	}
	if (pci)
		t = vfs_transport_vfio_open(pci, getenv("VFSCTL_SYSFS"), getenv("VFSCTL_VFIO_DIR"), err, sizeof(err));
	else if (vfs_transport_lookup("sim"))
		t = vfs_transport_lookup("sim")(firmware, console ? stderr : NULL, err, sizeof(err));
	else
		snprintf(err, sizeof(err), "--sim: this vfsctl was built without the simulator");
	if (!t) {
		fprintf(stderr, "vfsctl: %s\n", err);
		return 2;
	}
	ret = vfsdrv_probe(&d, t);
	if (ret) {
		fprintf(stderr, "vfsctl: probe failed: %s\n", ret == -ENODEV ? "not a virtio-fs function" : strerror(-ret));
		t->ops->close(t);
		return 1;
	}
	if (!strcmp(cmd, "info")) {
		vfsdrv_print_info(&d, stdout);
	} else {
		struct fuse_init_out io;

		ret = vfsdrv_start(&d, 2, 64);
		if (ret) {
			fprintf(stderr, "vfsctl: device start failed: %s\n", strerror(-ret));
			t->ops->close(t);
			return 1;
		}
		printf("negotiated features: 0x%016llx\n", (unsigned long long)d.features);
		ret = vfsdrv_fuse_init(&d, &io);
		if (ret) {
			fprintf(stderr, "vfsctl: FUSE_INIT failed: %s\n", strerror(ret < 0 ? -ret : ret));
			t->ops->close(t);
			return 1;
		}
		print_init(&io);
		vfsdrv_stop(&d);
	}
	if (t->ops->cycles)
		fprintf(stderr, "vfsctl: %llu simulated cycles\n", t->ops->cycles(t));
	t->ops->close(t);
	return 0;
}
