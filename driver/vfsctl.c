/*
 * vfsctl: talk to the card's virtio-fs function from the host side.
 *
 *   vfsctl --sim [--firmware ELF] [--console] info|init|settime [--time SEC[.NSEC]]
 *   vfsctl --pci DDDD:BB:DD.F info|init|settime [--time SEC[.NSEC]]
 *   vfsctl --sim|--pci BDF load CARD.ELF [info|init|settime]
 *
 * info: IDs, BARs, capabilities, device features, tag, queues, the clock,
 * the firmware load window.
 * init: the driver handshake and FUSE_INIT; prints what was negotiated and
 * the card's clock after it.
 * settime: sets the card's clock to the host's (CLOCK_REALTIME), or to
 * --time; exit 1 when the card refuses it (earlier than its clock).
 * load: writes the ELF's segments through the card's firmware load window
 * (BAR0 0x7000, docs/fw-load.md) and starts its core; exit 2 for an ELF the
 * card cannot take, 1 when the window is closed or the card disagrees on
 * what it took. A command after it runs on the card just loaded (with --sim
 * the simulated card lives as long as vfsctl: it starts with the strap set
 * for a host load and no firmware).
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
#include <time.h>

#include "transport_vfio.h"
#include "vfsdrv.h"
#include "vfsload.h"
#include "soc_map.h"

#define DEFAULT_FIRMWARE "build/firmware/card.elf"

static void usage(FILE *f)
{
	fprintf(f, "usage: vfsctl --sim [--firmware ELF] [--console] info|init|settime [--time SEC[.NSEC]]\n"
		   "       vfsctl --pci DDDD:BB:DD.F info|init|settime [--time SEC[.NSEC]]\n"
		   "       vfsctl --sim|--pci BDF load CARD.ELF [info|init|settime]\n"
		   "  --sim            the card in RTL simulation\n"
		   "  --pci BDF        the card at this PCI address, bound to vfio-pci\n"
		   "  --firmware ELF   card firmware (default %s)\n"
		   "  --console        show the card's UART on stderr\n"
		   "  settime          set the card's clock to the host's (or to --time: seconds\n"
		   "                   since the epoch, up to 9 decimals); the clock never goes back\n"
		   "  load CARD.ELF    write the firmware through the card's load window and start it\n"
		   "                   (open only after a card reset with the load strap set)\n",
		   DEFAULT_FIRMWARE);
}

/* SEC or SEC.FRACTION (at most 9 digits); 0 or -1. */
static int parse_time(const char *s, uint64_t *sec, uint32_t *nsec)
{
	char *end;
	unsigned long long v;
	uint32_t ns = 0, scale = 100000000u;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	if (*end == '.') {
		for (end++; *end >= '0' && *end <= '9'; end++) {
			if (!scale)
				return -1;
			ns += (uint32_t)(*end - '0') * scale;
			scale /= 10;
		}
	}
	if (*end)
		return -1;
	*sec = v;
	*nsec = ns;
	return 0;
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
	const char *firmware = DEFAULT_FIRMWARE, *cmd = NULL, *pci = NULL, *when = NULL, *load = NULL;
	struct vfsload_image img;
	int sim = 0, console = 0, ret, status = 0;
	struct vfs_transport *t = NULL;
	struct vfsdrv d;
	char err[256];
	uint64_t set_sec = 0;
	uint32_t set_nsec = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--sim"))
			sim = 1;
		else if (!strcmp(argv[i], "--console"))
			console = 1;
		else if (!strcmp(argv[i], "--firmware") && i + 1 < argc)
			firmware = argv[++i];
		else if (!strcmp(argv[i], "--pci") && i + 1 < argc)
			pci = argv[++i];
		else if (!strcmp(argv[i], "--time") && i + 1 < argc)
			when = argv[++i];
		else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else if (!load && !cmd && !strcmp(argv[i], "load") && i + 1 < argc) {
			load = argv[++i];
		} else if (!cmd && (!strcmp(argv[i], "info") || !strcmp(argv[i], "init") ||
				    !strcmp(argv[i], "settime")))
			cmd = argv[i];
		else {
			fprintf(stderr, "vfsctl: unknown argument '%s'\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (sim == !!pci || (!cmd && !load)) {
		if (sim == !!pci)
			fprintf(stderr, "vfsctl: one transport is needed: --sim or --pci BDF\n");
		usage(stderr);
		return 2;
	}
	if (when && (!cmd || strcmp(cmd, "settime"))) {
		fprintf(stderr, "vfsctl: --time goes with settime\n");
		return 2;
	}
	if (when && parse_time(when, &set_sec, &set_nsec)) {
		fprintf(stderr, "vfsctl: --time '%s': seconds since the epoch, optionally with up to 9 decimals\n",
			when);
		return 2;
	}
	if (load && vfsload_read(load, &img, err, sizeof(err))) {
		fprintf(stderr, "vfsctl: load: %s\n", err);
		return 2;
	}
	/* With load, the simulated card starts with its strap set for a host
	 * load and no firmware ("sim-load"). */
	if (pci)
		t = vfs_transport_vfio_open(pci, getenv("VFSCTL_SYSFS"), getenv("VFSCTL_VFIO_DIR"), err, sizeof(err));
	else if (vfs_transport_lookup(load ? "sim-load" : "sim"))
		t = vfs_transport_lookup(load ? "sim-load" : "sim")(load ? NULL : firmware, console ? stderr : NULL,
								 err, sizeof(err));
	else
		snprintf(err, sizeof(err), "--sim: this vfsctl was built without the simulator");
	if (!t) {
		fprintf(stderr, "vfsctl: %s\n", err);
		if (load)
			vfsload_free(&img);
		return 2;
	}
	if (load) {
		ret = vfsload_run(t, &img, stdout, err, sizeof(err));
		vfsload_free(&img);
		if (ret) {
			fprintf(stderr, "vfsctl: load: %s\n", err);
			t->ops->close(t);
			return 1;
		}
		if (!cmd) {
			t->ops->close(t);
			return 0;
		}
	}
	ret = vfsdrv_probe(&d, t);
	if (ret) {
		fprintf(stderr, "vfsctl: probe failed: %s\n", ret == -ENODEV ? "not a virtio-fs function" : strerror(-ret));
		t->ops->close(t);
		return 1;
	}
	if (!strcmp(cmd, "info")) {
		struct vfsload_state ls;

		vfsdrv_print_info(&d, stdout);
		vfsdrv_print_time(&d, stdout);
		if (!vfsload_state(t, &ls))
			printf("firmware load window (BAR0 0x%x): %s; %u words taken, %u writes refused\n",
			       VFSLOAD_BAR0_OFF,
			       SOC_FIELD_GET(SOC_FWLOAD_STATUS_OPEN, ls.status) ?
			       "OPEN: the core waits for a load (do not give this function to a guest)" :
			       SOC_FIELD_GET(SOC_FWLOAD_STATUS_RUNNING, ls.status) ?
			       "closed, the host's firmware runs" : "closed, the firmware came with the card",
			       ls.words, ls.refused);
	} else if (!strcmp(cmd, "settime")) {
		if (!when) {
			struct timespec ts;

			clock_gettime(CLOCK_REALTIME, &ts);
			set_sec = (uint64_t)ts.tv_sec;
			set_nsec = (uint32_t)ts.tv_nsec;
		}
		ret = vfsdrv_time_set(&d, set_sec, set_nsec);
		if (ret == -ERANGE) {
			fprintf(stderr, "vfsctl: settime %llu.%09u refused: earlier than the card's clock, which never goes back\n",
				(unsigned long long)set_sec, set_nsec);
			status = 1;
		} else if (ret) {
			fprintf(stderr, "vfsctl: settime failed: %s\n",
				ret == -ENODEV ? "the card has no clock capability" : strerror(-ret));
			status = 1;
		} else {
			printf("settime: %llu.%09u taken\n", (unsigned long long)set_sec, set_nsec);
		}
		vfsdrv_print_time(&d, stdout);
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
		vfsdrv_print_time(&d, stdout);
	}
	if (t->ops->cycles)
		fprintf(stderr, "vfsctl: %llu simulated cycles\n", t->ops->cycles(t));
	t->ops->close(t);
	return status;
}
