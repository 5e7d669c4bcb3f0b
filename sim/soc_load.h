/*
 * Puts an RV32 ELF into the card's TCMs through the loader port, after
 * checking that every loadable segment lies inside the ITCM or the DTCM.
 * Shared by vfpga-sim and the root-complex testbench.
 */
#ifndef SOC_LOAD_H
#define SOC_LOAD_H

#include "elf_load.h"
#include "vtop.h"

/* 0, or -1 after printing which segment does not fit the memory map. */
int soc_check_layout(const struct elf_image *img, const char *path);
/* Loads every segment (hold the SoC in reset meanwhile); 0 or -1. */
int soc_load_image(struct vtop *t, const struct elf_image *img);

#endif /* SOC_LOAD_H */
