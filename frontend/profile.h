/*
 * vfpga-sim --profile FILE: a PC-sampling profiler of the card firmware.
 * The front end samples the core's PC (vtop_debug_pc) as it runs the model,
 * each sample weighted by the cycles it stands for (an idle span skipped
 * while the core sleeps counts for the WFI it sleeps in), and charges it
 * to a bucket: the FUSE opcode of the request being served, from its
 * DISPATCH phase mark to its PUSH (frontend/phases.h), or "(between
 * requests)" (popping and gathering included).
 * The report is one flat profile per bucket over the ELF's function
 * symbols: cycles and share per function, largest first.
 */
#ifndef PROFILE_H
#define PROFILE_H

#include <stddef.h>
#include <stdint.h>

#define PROFILE_BETWEEN 64u	/* bucket of samples outside any request */
#define PROFILE_BUCKETS 65u	/* FUSE opcodes 0..63, then PROFILE_BETWEEN */

struct profile;

/* Reads elf's function symbols and creates out (so that a path that cannot
 * be written is refused before the run). NULL with a message in err. */
struct profile *profile_open(const char *elf, const char *out, char *err, size_t errlen);
void profile_sample(struct profile *p, unsigned bucket, uint32_t pc, uint64_t cycles);
/* Writes the report and frees p; 0 or -1 (message on stderr). */
int profile_close(struct profile *p);

#endif /* PROFILE_H */
