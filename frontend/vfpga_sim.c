/*
 * vfpga-sim: runs an RV32 ELF on the Verilator model of the SoC.
 *
 *   vfpga-sim --elf FILE [--max-cycles N] [--trace FILE.fst] [--no-tohost]
 *             [--image IMG [--nvme-latency N] [--nvme-bw B] [--nvme-fault SPEC]...]
 *   vfpga-sim --socket PATH [--firmware ELF] [--image IMG] [--console FILE]
 *             (the card behind a vhost-user-fs socket: frontend/bridge/vhost_bridge.c)
 *   vfpga-sim --cosim PATH [--firmware ELF] [--image IMG] [--console FILE] [--tail N] [--host-turnaround NS]
 *             (the card behind QEMU's vfpga-pci device: frontend/cosim/cosim.c)
 *
 * Loads every PT_LOAD segment into the TCMs through the loader port, releases
 * reset (the core starts at the reset vector) and runs until the program
 * stores (code << 1) | 1 to its `tohost` symbol or to SIMCTRL.EXIT.
 * With --image an NVMe SSD model (world/ssd) over that image sits behind the
 * card's root port. Exit status: 0 pass (code 0), 1 fail (code != 0), 2 bad
 * usage or image, 3 timeout, 4 stopped at --power-cut CYCLE:SEED (the SSD
 * model then loses, keeps or tears what its volatile cache held). UART
 * output goes to stdout; the summary goes to stderr.
 * The model is built without waveform support, for speed; --trace runs the
 * same program over the traced model, vfpga-sim-trace beside this binary
 * (make sim-trace).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bridge/vhost_bridge.h"
#include "cosim/cosim.h"
#include "elf_load.h"
#include "nvme_dev.h"
#include "soc_load.h"
#include "soc_map.h"
#include "vtop.h"

#define EXIT_PASS 0
#define EXIT_FAIL 1
#define EXIT_USAGE 2
#define EXIT_TIMEOUT 3
#define EXIT_CUT 4		/* --power-cut: stopped at the cut, as asked */

#define DEFAULT_MAX_CYCLES 100000000ull
#define RESET_CYCLES 4

struct options {
	const char *elf;
	const char *trace;
	unsigned long long max_cycles;
	int no_tohost;
	struct nvme_dev_opts nvme;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vfpga-sim --elf FILE [--max-cycles N] [--trace FILE.fst] [--no-tohost]\n"
		"  --elf FILE        RV32 executable linked for the SoC memory map\n"
		"  --max-cycles N    give up after N cycles (default %llu), exit 3\n"
		"  --trace FILE.fst  write a waveform\n"
		"  --no-tohost       allow an image without a tohost symbol (SIMCTRL.EXIT ends it)\n"
		"%s",
		DEFAULT_MAX_CYCLES, nvme_dev_usage());
}

static int parse_args(int argc, char **argv, struct options *o)
{
	memset(o, 0, sizeof(*o));
	o->max_cycles = DEFAULT_MAX_CYCLES;
	nvme_dev_opts_init(&o->nvme);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int r = nvme_dev_parse_opt(&o->nvme, argc, argv, &i);

		if (r < 0)
			return -1;
		if (r > 0)
			continue;

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			exit(EXIT_PASS);
		} else if (!strcmp(a, "--no-tohost")) {
			o->no_tohost = 1;
		} else if (i + 1 < argc && !strcmp(a, "--elf")) {
			o->elf = argv[++i];
		} else if (i + 1 < argc && !strcmp(a, "--trace")) {
			o->trace = argv[++i];
		} else if (i + 1 < argc && !strcmp(a, "--max-cycles")) {
			char *end;

			errno = 0;
			o->max_cycles = strtoull(argv[++i], &end, 0);
			if (errno || *end || o->max_cycles == 0) {
				fprintf(stderr, "vfpga-sim: bad --max-cycles value '%s'\n", argv[i]);
				return -1;
			}
		} else {
			fprintf(stderr, "vfpga-sim: unknown or incomplete argument '%s'\n", a);
			return -1;
		}
	}
	if (!o->elf) {
		fprintf(stderr, "vfpga-sim: --elf FILE is required\n");
		return -1;
	}
	if (!o->nvme.image && (o->nvme.latency || o->nvme.bw > 0 || o->nvme.fault_api)) {
		fprintf(stderr, "vfpga-sim: the --nvme-* options need --image\n");
		return -1;
	}
	return 0;
}

/* --trace on the untraced build: run vfpga-sim-trace, which sits beside
 * this binary, with the same arguments. Returns only on failure. */
static int run_traced(char **argv)
{
	char self[PATH_MAX], path[PATH_MAX + 16];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n <= 0) {
		fprintf(stderr, "vfpga-sim: --trace: cannot find this program's path\n");
		return EXIT_USAGE;
	}
	self[n] = 0;
	slash = strrchr(self, '/');
	*slash = 0;
	snprintf(path, sizeof(path), "%s/vfpga-sim-trace", self);
	execv(path, argv);
	fprintf(stderr, "vfpga-sim: --trace needs %s (%s): build it with 'make sim-trace'\n",
		path, strerror(errno));
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	struct options opt;
	struct elf_image img;
	char err[256];
	uint32_t tohost = 0;
	int have_tohost;
	struct vtop *t;
	struct nvme_dev *ssd = NULL;
	unsigned long long cycles = 0, instret = 0;
	int status = EXIT_TIMEOUT;
	uint32_t code = 0;

	/* With --socket the simulator is the card behind a vhost-user socket. */
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--socket"))
			return vhost_bridge_cli(argc, argv);
	/* With --cosim it is the card behind QEMU's vfpga-pci device. */
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--cosim"))
			return cosim_cli(argc, argv);
	setvbuf(stdout, NULL, _IONBF, 0);
	if (parse_args(argc, argv, &opt)) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (opt.trace && !vtop_traceable())
		return run_traced(argv);
	if (elf_read(opt.elf, &img, err, sizeof(err))) {
		fprintf(stderr, "vfpga-sim: %s\n", err);
		return EXIT_USAGE;
	}
	if (soc_check_layout(&img, opt.elf)) {
		elf_free(&img);
		return EXIT_USAGE;
	}
	have_tohost = !elf_symbol(&img, "tohost", &tohost);
	if (!have_tohost && !opt.no_tohost) {
		fprintf(stderr,
			"vfpga-sim: %s has no 'tohost' symbol, so the run could never end;\n"
			"  define one (see README, memory map) or pass --no-tohost to rely on SIMCTRL.EXIT\n",
			opt.elf);
		elf_free(&img);
		return EXIT_USAGE;
	}
	if (img.entry != SOC_RESET_VECTOR)
		fprintf(stderr, "vfpga-sim: note: ELF entry 0x%08x is not the reset vector 0x%08x; "
			"execution starts at the reset vector\n", img.entry, SOC_RESET_VECTOR);

	t = vtop_new(opt.trace);
	if (opt.nvme.image) {
		ssd = nvme_dev_attach(t, &opt.nvme, err, sizeof(err));
		if (!ssd) {
			fprintf(stderr, "vfpga-sim: --image: %s\n", err);
			vtop_free(t);
			elf_free(&img);
			return EXIT_USAGE;
		}
	}
	vtop_set_reset(t, 1);
	for (int i = 0; i < RESET_CYCLES; i++)
		vtop_clock(t);
	if (soc_load_image(t, &img)) {
		nvme_dev_detach(ssd);
		vtop_free(t);
		elf_free(&img);
		return EXIT_USAGE;
	}
	vtop_set_reset(t, 0);

	/* --power-cut: the card stops dead at that cycle; detaching the SSD cuts its power */
	if (ssd && opt.nvme.cut_cycle && opt.nvme.cut_cycle < opt.max_cycles) {
		opt.max_cycles = opt.nvme.cut_cycle;
		status = EXIT_CUT;
	}
	while (cycles < opt.max_cycles) {
		struct vtop_obs o;
		uint32_t value = 0;
		int ended = 0;

		vtop_observe(t, &o);
		if (o.con_valid)
			putchar(o.con_data);
		if (o.retire)
			instret++;
		if (o.store_valid && have_tohost && o.store_addr == (tohost & ~3u) &&
		    (o.store_be & 1) && (o.store_data & 1)) {
			value = o.store_data;
			ended = 1;
		}
		if (o.exit_valid) {
			value = o.exit_value;
			ended = 1;
		}
		vtop_clock(t);
		cycles++;
		/* an idle span (core in WFI, links quiet): skipped, still counted */
		if (!ended && vtop_quiet(t))
			cycles += vtop_skip_idle(t, opt.max_cycles - cycles);
		if (ended) {
			code = value >> 1;
			status = code ? EXIT_FAIL : EXIT_PASS;
			break;
		}
	}

	if (status == EXIT_CUT)
		fprintf(stderr, "vfpga-sim: power cut at cycle %llu\n", cycles);
	else if (status == EXIT_TIMEOUT)
		fprintf(stderr, "vfpga-sim: timeout: no tohost write within %llu cycles\n",
			opt.max_cycles);
	else if (status == EXIT_FAIL)
		fprintf(stderr, "vfpga-sim: FAIL code %u\n", code);
	else
		fprintf(stderr, "vfpga-sim: PASS\n");
	fprintf(stderr, "cycles %llu instret %llu\n", cycles, instret);
	if (vtop_skipped(t))
		fprintf(stderr, "idle cycles skipped %llu\n", (unsigned long long)vtop_skipped(t));
	nvme_dev_detach(ssd);
	vtop_free(t);
	elf_free(&img);
	return status;
}
