/*
 * csr.h - machine-mode CSR access, interrupt masking and the cycle/instret
 * counters of the vfpga RV32IM core.
 *
 * The counters are read through the machine CSRs (mcycle/minstret and their
 * high halves): the core promises those, and machine mode is all we run in.
 */
#ifndef RT_CSR_H
#define RT_CSR_H

#include <stdint.h>

/* CSR numbers the runtime touches (Privileged spec, machine level). */
#define CSR_MSTATUS   0x300
#define CSR_MISA      0x301
#define CSR_MIE       0x304
#define CSR_MTVEC     0x305
#define CSR_MSCRATCH  0x340
#define CSR_MEPC      0x341
#define CSR_MCAUSE    0x342
#define CSR_MTVAL     0x343
#define CSR_MIP       0x344
#define CSR_MCYCLE    0xb00
#define CSR_MINSTRET  0xb02
#define CSR_MCYCLEH   0xb80
#define CSR_MINSTRETH 0xb82
#define CSR_MHARTID   0xf14

/* mstatus bits */
#define MSTATUS_MIE   (1u << 3)
#define MSTATUS_MPIE  (1u << 7)
#define MSTATUS_MPP   (3u << 11)

/* Interrupt numbers: bit positions in mie/mip and mcause codes. */
#define IRQ_M_SOFT    3
#define IRQ_M_TIMER   7
#define IRQ_M_EXT     11

#define MIE_MSIE      (1u << IRQ_M_SOFT)
#define MIE_MTIE      (1u << IRQ_M_TIMER)
#define MIE_MEIE      (1u << IRQ_M_EXT)

#define MCAUSE_INTERRUPT 0x80000000u

#define RT_STR_(x) #x
#define RT_STR(x)  RT_STR_(x)

/* The CSR number must be a compile-time constant, hence macros. */
#define csr_read(csr) ({                                            \
	uint32_t __v;                                               \
	__asm__ volatile ("csrr %0, " RT_STR(csr) : "=r"(__v));     \
	__v; })

#define csr_write(csr, val) ({                                      \
	uint32_t __w = (uint32_t)(val);                             \
	__asm__ volatile ("csrw " RT_STR(csr) ", %0" :: "rK"(__w) : "memory"); })

/* Returns the old value, sets the bits in val. */
#define csr_set(csr, val) ({                                        \
	uint32_t __v, __w = (uint32_t)(val);                        \
	__asm__ volatile ("csrrs %0, " RT_STR(csr) ", %1"           \
			  : "=r"(__v) : "rK"(__w) : "memory");      \
	__v; })

/* Returns the old value, clears the bits in val. */
#define csr_clear(csr, val) ({                                      \
	uint32_t __v, __w = (uint32_t)(val);                        \
	__asm__ volatile ("csrrc %0, " RT_STR(csr) ", %1"           \
			  : "=r"(__v) : "rK"(__w) : "memory");      \
	__v; })

/* Global interrupt enable (mstatus.MIE). */
static inline void irq_enable(void)
{
	csr_set(CSR_MSTATUS, MSTATUS_MIE);
}

static inline void irq_disable(void)
{
	csr_clear(CSR_MSTATUS, MSTATUS_MIE);
}

/*
 * Critical sections nest: irq_save() returns the previous state for
 * irq_restore(), so an inner section does not re-enable interrupts early.
 */
static inline uint32_t irq_save(void)
{
	return csr_clear(CSR_MSTATUS, MSTATUS_MIE) & MSTATUS_MIE;
}

static inline void irq_restore(uint32_t flags)
{
	if (flags & MSTATUS_MIE)
		csr_set(CSR_MSTATUS, MSTATUS_MIE);
}

/* Per-source enables in mie (MIE_MSIE, MIE_MTIE, MIE_MEIE). */
static inline void irq_source_enable(uint32_t mie_bits)
{
	csr_set(CSR_MIE, mie_bits);
}

static inline void irq_source_disable(uint32_t mie_bits)
{
	csr_clear(CSR_MIE, mie_bits);
}

/* Wait for an interrupt; returns at once if one is already pending. */
static inline void cpu_wfi(void)
{
	__asm__ volatile ("wfi" ::: "memory");
}

static inline uint32_t rt_rdcycle(void)
{
	return csr_read(CSR_MCYCLE);
}

static inline uint32_t rt_rdinstret(void)
{
	return csr_read(CSR_MINSTRET);
}

/*
 * 64-bit reads on RV32: read high, low, high again and retry if the high
 * half moved, so a carry between the two reads cannot give a value that is
 * off by 2^32.
 */
static inline uint64_t rt_rdcycle64(void)
{
	uint32_t hi, lo, hi2;

	do {
		hi = csr_read(CSR_MCYCLEH);
		lo = csr_read(CSR_MCYCLE);
		hi2 = csr_read(CSR_MCYCLEH);
	} while (hi != hi2);
	return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t rt_rdinstret64(void)
{
	uint32_t hi, lo, hi2;

	do {
		hi = csr_read(CSR_MINSTRETH);
		lo = csr_read(CSR_MINSTRET);
		hi2 = csr_read(CSR_MINSTRETH);
	} while (hi != hi2);
	return ((uint64_t)hi << 32) | lo;
}

#endif /* RT_CSR_H */
