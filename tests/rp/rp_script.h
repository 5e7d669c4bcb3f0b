/*
 * The root-port RTL test's script, shared by the firmware (tests/rp/rp_card.c,
 * which makes the accesses and checks what they return) and the harness
 * (tests/rp/rp_host.c, whose device answers request k the way step k says).
 */
#ifndef RP_SCRIPT_H
#define RP_SCRIPT_H

#include <stdint.h>

enum rp_access {
	ACC_WIN_RD, ACC_WIN_RD_HI, ACC_CFG_RD, ACC_CFG_WR, ACC_CFG_WR16,
	ACC_WIN_RD_IRQ,		/* a timer interrupt is taken while the read waits */
	ACC_WIN_RD_IRQ_CFG,	/* ... and its handler makes the next step's CfgRd */
	ACC_WIN_RD_AGAIN,	/* the read of two steps before, made again */
};

enum rp_answer {
	ANS_OK,		/* CplD with RP_OK_DATA(k), or Cpl SC for a write */
	ANS_UR,
	ANS_CA,
	ANS_CRS,
	ANS_POISON,	/* CplD with EP set */
	ANS_LEN2,	/* CplD with two DWs for a one-DW read */
	ANS_NODATA,	/* Cpl SC without data for a read */
	ANS_DATA,	/* CplD for a configuration write */
	ANS_WRONGTAG,	/* a completion with another tag, then nothing */
	ANS_WRONGRID,	/* a completion for another requester, then nothing */
	ANS_SILENT,	/* nothing */
	ANS_LATE,	/* the right completion, RP_LATE_CYCLES later */
	ANS_SLOW,	/* the right completion, RP_SLOW_CYCLES later (within the timeout) */
};

struct rp_step {
	uint8_t access, answer;
};

static const struct rp_step rp_script[] = {
	{ ACC_WIN_RD, ANS_OK },		{ ACC_CFG_RD, ANS_OK },		{ ACC_WIN_RD_HI, ANS_OK },
	{ ACC_WIN_RD, ANS_UR },		{ ACC_WIN_RD, ANS_CA },		{ ACC_CFG_RD, ANS_CRS },
	{ ACC_WIN_RD, ANS_POISON },	{ ACC_WIN_RD, ANS_LEN2 },	{ ACC_WIN_RD, ANS_NODATA },
	{ ACC_WIN_RD, ANS_WRONGTAG },	{ ACC_CFG_RD, ANS_WRONGRID },	{ ACC_WIN_RD, ANS_SILENT },
	{ ACC_WIN_RD, ANS_LATE },	{ ACC_CFG_WR, ANS_OK },		{ ACC_CFG_WR, ANS_UR },
	{ ACC_CFG_WR, ANS_DATA },	{ ACC_CFG_WR, ANS_SILENT },	{ ACC_CFG_WR16, ANS_OK },
	/* an interrupted read: the same load comes back for its result */
	{ ACC_WIN_RD_IRQ, ANS_SLOW },
	/* an interrupted read whose handler uses the root port: the result is
	 * dropped, the handler's request goes out, the load is made again */
	{ ACC_WIN_RD_IRQ_CFG, ANS_SLOW },	{ ACC_CFG_RD, ANS_OK },		{ ACC_WIN_RD_AGAIN, ANS_OK },
	{ ACC_WIN_RD, ANS_OK },
};

#define RP_SCRIPT_STEPS (sizeof(rp_script) / sizeof(rp_script[0]))
#define RP_OK_DATA(k) (0x5a000000u | (uint32_t)(k) * 0x01010101u)
#define RP_TEST_TIMEOUT 3000u		/* RP.TIMEOUT the firmware sets */
#define RP_LATE_CYCLES 20000u		/* after every later step of the script */
#define RP_SLOW_CYCLES 1500u
#define RP_IRQ_DELAY 300u		/* timer ticks from the load to the interrupt */
#define RP_CFG_TARGET 0x01000000u	/* bus 1, device 0, function 0 */
#define RP_WIN_HI 0x2u			/* the 4-DW window access: bus address 0x2_xxxx_xxxx */

/* Phases: the firmware stores the phase number to SIMCTRL.SCRATCH and, where
 * it waits for the harness, polls RP_FLAG in DDR for the value the harness
 * writes there through inbound MemWr. */
#define RP_PHASE_INBOUND 2u		/* harness: inbound tests, then flag = 1 */
#define RP_PHASE_CPU_PATTERN 3u		/* harness: checks the core's pattern, then flag = 2 */
#define RP_PHASE_COHERENCE 4u		/* harness: rewrites RP_COH_WORD, then flag = 3 */
#define RP_DDR_FLAG 0x00300000u		/* DDR offsets */
#define RP_DDR_HOST_PATTERN 0x00200000u
#define RP_DDR_CPU_PATTERN 0x00400000u
#define RP_DDR_COH_WORD 0x00500000u
#define RP_PATTERN_BYTES 4096u
#define RP_COH_VALUE 0xcafef00du
#define RP_INB_ERRS 12u			/* inbound requests the harness sends that must be refused */
#define RP_MSI_A 1u			/* the two MSI data values the harness writes */
#define RP_MSI_B 5u

static inline uint8_t rp_host_byte(uint32_t i) { return (uint8_t)(i * 7u + (i >> 8) + 3u); }
static inline uint8_t rp_cpu_byte(uint32_t i) { return (uint8_t)(i * 13u + (i >> 7) + 1u); }

#endif /* RP_SCRIPT_H */
