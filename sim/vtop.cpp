// Thin C++ shim between the Verilator-generated model and the C testbench.
#include "vtop.h"

#include <cstdio>
#include <cstdlib>

#include <verilated.h>
#ifdef VTOP_TRACE
#include <verilated_fst_c.h>
#else
class VerilatedFstC;	/* never created: this build has no waveforms */
#endif

#include "Vsim_card_top.h"
#include "Vsim_card_top___024root.h"

struct vtop {
	VerilatedContext *ctx;
	Vsim_card_top *top;
	vtop_hook_fn hook;
	void *hook_ctx;
	VerilatedFstC *fst;
	uint64_t time;
	/* idle skipping (vtop_skip_idle) */
	unsigned quiet;		/* consecutive quiet cycles, saturating */
	bool no_skip;
	vtop_next_fn ev_next;
	vtop_skip_fn ev_skip;
	void *ev_ctx;
	uint64_t skipped;
};

/* The model's internals that idle skipping reads and advances. Verilator
 * names them after the hierarchy; a renamed signal fails this file's build.
 * Whether the card is quiet comes from sim_card_top's quiet port; only what
 * no port carries is read here: the core's WFI state (soc_top brings no such
 * signal out), and the free-running counters a skip must advance (the
 * machine timer, mcycle, the card's clock vfs_time), written as registers
 * and as their settled next values. */
#define ROOT(t) ((t)->top->rootp)
#define CORE(t, x) ROOT(t)->sim_card_top__DOT__u_card__DOT__u_soc__DOT__u_core__DOT__##x
#define TIMER(t, x) ROOT(t)->sim_card_top__DOT__u_card__DOT__u_soc__DOT__u_timer__DOT__##x
#define CLOCK(t, x) ROOT(t)->sim_card_top__DOT__u_card__DOT__u_fn__DOT__u_time__DOT__##x

/* Whether the cycle that just began is a quiet one (see vtop.h): nothing
 * moves on the card or in the links' register slices (the quiet port, from
 * registers), the testbench offers no TLP this cycle, and the core sleeps. */
static bool quiet_now(struct vtop *t)
{
	return t->top->quiet && !t->top->rx_tlp_valid && !t->top->rp_rx_tlp_valid &&
	       CORE(t, ex_is_wfi_q);
}

/* The card's clock (vfs_time) after n more cycles: nanoseconds advance by
 * the tick and carry into seconds; the settled next values are the clock one
 * tick later, as the model's logic computes them while nothing writes it. */
static void vtop_advance_clock(struct vtop *t, uint64_t n)
{
	const uint64_t ns_per_s = 1000000000u;
	uint64_t tick = (CLOCK(t, nsec_d) + ns_per_s - CLOCK(t, nsec_q)) % ns_per_s;
	uint64_t ns = CLOCK(t, nsec_q) + n * tick;

	CLOCK(t, sec_q) += ns / ns_per_s;
	CLOCK(t, nsec_q) = ns % ns_per_s;
	ns = CLOCK(t, nsec_q) + tick;
	CLOCK(t, sec_d) = CLOCK(t, sec_q) + ns / ns_per_s;
	CLOCK(t, nsec_d) = ns % ns_per_s;
}

/*
 * One evaluation per clock. sim_card_top registers every input path (the
 * links pass register slices, the interrupt lines a flop), so no output
 * depends combinationally on an input: after the rising edge's evaluation
 * the outputs are settled for the whole next cycle, whatever the testbench
 * drives meanwhile, and the falling edge has nothing to do (the design uses
 * the rising edge only). The clock input therefore stays high, and each
 * rising edge is presented to the model's edge detector by resetting its
 * memory of the previous clock level (a member Verilator generates for
 * every clock: a Verilator that names it differently fails to compile this
 * file, rather than simulating wrongly).
 * With a waveform the model is stepped both edges, so the trace shows a
 * real clock.
 */
static void vtop_edge(struct vtop *t)
{
#ifdef VTOP_TRACE
	if (t->fst) {
		t->top->clk = 0;
		t->top->eval();
		t->fst->dump(t->time++);
		t->top->clk = 1;
		t->top->eval();
		t->fst->dump(t->time++);
		return;
	}
#endif
	t->top->rootp->__Vtrigrprev__TOP__clk = 0;
	t->top->clk = 1;
	t->top->eval();
	t->time += 2;
}

extern "C" struct vtop *vtop_new(const char *trace_path)
{
	struct vtop *t = new vtop();
	vtop_ddr_clear();
	t->ctx = new VerilatedContext;
	t->top = new Vsim_card_top(t->ctx);
	t->hook = nullptr;
	t->hook_ctx = nullptr;
	t->fst = nullptr;
	t->time = 0;
	t->quiet = 0;
	t->no_skip = getenv("VFPGA_NO_SKIP") != nullptr;
	t->ev_next = nullptr;
	t->ev_skip = nullptr;
	t->ev_ctx = nullptr;
	t->skipped = 0;
	if (trace_path) {
#ifdef VTOP_TRACE
		t->ctx->traceEverOn(true);
		t->fst = new VerilatedFstC;
		t->top->trace(t->fst, 99);
		t->fst->open(trace_path);
#else
		fprintf(stderr, "vtop: this model was built without waveforms; "
			"vfpga-sim-trace (make sim-trace) writes them\n");
		exit(2);
#endif
	}
	t->top->clk = 0;
	t->top->rst = 1;
	t->top->ld_valid = 0;
	t->top->irq_lines = 0;
	t->top->rx_tlp_valid = 0;
	t->top->tx_tlp_ready = 1;
	t->top->rp_rx_tlp_valid = 0;
	t->top->rp_tx_tlp_ready = 1;
	t->top->eval();
	t->top->clk = 1;
	return t;
}

extern "C" int vtop_traceable(void)
{
#ifdef VTOP_TRACE
	return 1;
#else
	return 0;
#endif
}

extern "C" void vtop_free(struct vtop *t)
{
#ifdef VTOP_TRACE
	if (t->fst) {
		t->fst->close();
		delete t->fst;
	}
#endif
	t->top->final();
	delete t->top;
	delete t->ctx;
	delete t;
}

extern "C" void vtop_set_reset(struct vtop *t, int rst) { t->top->rst = rst ? 1 : 0; }
extern "C" void vtop_set_irq(struct vtop *t, uint32_t lines) { t->top->irq_lines = lines; }

/* Rising edge: ends the current cycle. The hook samples the settled
 * outputs before the edge and drives the next cycle's inputs after it. */
extern "C" void vtop_clock(struct vtop *t)
{
	if (t->hook)
		t->hook(t->hook_ctx, t, VTOP_HOOK_SAMPLE);
	vtop_edge(t);
	if (t->hook)
		t->hook(t->hook_ctx, t, VTOP_HOOK_DRIVE);
	if (!quiet_now(t))
		t->quiet = 0;
	else if (t->quiet < VTOP_QUIET_CYCLES)
		t->quiet++;
}

extern "C" void vtop_set_rp_events(struct vtop *t, vtop_next_fn next, vtop_skip_fn skip, void *ctx)
{
	t->ev_next = next;
	t->ev_skip = skip;
	t->ev_ctx = ctx;
}

extern "C" int vtop_quiet(const struct vtop *t) { return t->quiet >= VTOP_QUIET_CYCLES; }
extern "C" uint64_t vtop_skipped(const struct vtop *t) { return t->skipped; }

extern "C" uint64_t vtop_skip_idle(struct vtop *t, uint64_t max)
{
	uint64_t mtime = TIMER(t, mtime_q), cmp = TIMER(t, mtimecmp_q), n = max;

	if (t->quiet < VTOP_QUIET_CYCLES || t->no_skip || t->fst)
		return 0;
	if (cmp <= mtime + 1)
		return 0;
	if (cmp - mtime - 1 < n)
		n = cmp - mtime - 1;
	if (t->ev_next) {
		uint64_t d = t->ev_next(t->ev_ctx);

		if (d <= 1)
			return 0;
		if (d - 1 < n)
			n = d - 1;
	}
	if (n < VTOP_QUIET_CYCLES)
		return 0;	/* not worth it */
	/* Both the registers and their settled next values: the next edge
	 * loads mtime_d and mcycle_d (each the register plus one while quiet). */
	TIMER(t, mtime_q) += n;
	TIMER(t, mtime_d) += n;
	CORE(t, u_csr__DOT__mcycle_q) += n;
	CORE(t, u_csr__DOT__mcycle_d) += n;
	vtop_advance_clock(t, n);
	if (t->ev_skip)
		t->ev_skip(t->ev_ctx, n);
	t->time += 2 * n;
	t->skipped += n;
	return n;
}

extern "C" void vtop_set_rp_hook(struct vtop *t, vtop_hook_fn fn, void *ctx)
{
	t->hook = fn;
	t->hook_ctx = ctx;
}

extern "C" void vtop_load_word(struct vtop *t, uint32_t addr, uint32_t data)
{
	t->top->ld_valid = 1;
	t->top->ld_addr = addr;
	t->top->ld_data = data;
	vtop_clock(t);
	t->top->ld_valid = 0;
}

/* The outputs are settled since the last edge (see vtop_edge). */
extern "C" void vtop_observe(struct vtop *t, struct vtop_obs *o)
{
	o->con_valid = t->top->con_valid;
	o->con_data = t->top->con_data;
	o->exit_valid = t->top->exit_valid;
	o->exit_value = t->top->exit_value;
	o->store_valid = t->top->store_valid;
	o->store_addr = t->top->store_addr;
	o->store_data = t->top->store_data;
	o->store_be = t->top->store_be;
	o->retire = t->top->retire;
}

extern "C" void vtop_set_rx(struct vtop *t, int valid, const struct vtop_beat *b)
{
	t->top->rx_tlp_valid = valid ? 1 : 0;
	if (!valid)
		return;
	for (int i = 0; i < 4; i++)
		t->top->rx_tlp_hdr[i] = b->hdr[i];
	for (int i = 0; i < VTOP_TLP_BEAT_DWS; i++)
		t->top->rx_tlp_data[i] = b->data[i];
	t->top->rx_tlp_sop = b->sop ? 1 : 0;
	t->top->rx_tlp_eop = b->eop ? 1 : 0;
}

extern "C" int vtop_rx_ready(struct vtop *t) { return t->top->rx_tlp_ready; }

extern "C" int vtop_get_tx(struct vtop *t, struct vtop_beat *b)
{
	if (!t->top->tx_tlp_valid)
		return 0;
	for (int i = 0; i < 4; i++)
		b->hdr[i] = t->top->tx_tlp_hdr[i];
	for (int i = 0; i < VTOP_TLP_BEAT_DWS; i++)
		b->data[i] = t->top->tx_tlp_data[i];
	b->sop = t->top->tx_tlp_sop;
	b->eop = t->top->tx_tlp_eop;
	return 1;
}

extern "C" void vtop_set_tx_ready(struct vtop *t, int ready) { t->top->tx_tlp_ready = ready ? 1 : 0; }
extern "C" int vtop_intx(struct vtop *t) { return t->top->intx_assert; }
extern "C" uint32_t vtop_pcie_errors(struct vtop *t) { return t->top->pcie_err_count; }

extern "C" int vtop_rp_get_tx(struct vtop *t, struct vtop_beat *b)
{
	if (!t->top->rp_tx_tlp_valid)
		return 0;
	for (int i = 0; i < 4; i++)
		b->hdr[i] = t->top->rp_tx_tlp_hdr[i];
	for (int i = 0; i < VTOP_TLP_BEAT_DWS; i++)
		b->data[i] = t->top->rp_tx_tlp_data[i];
	b->sop = t->top->rp_tx_tlp_sop;
	b->eop = t->top->rp_tx_tlp_eop;
	return 1;
}

extern "C" void vtop_rp_set_tx_ready(struct vtop *t, int ready) { t->top->rp_tx_tlp_ready = ready ? 1 : 0; }

extern "C" void vtop_rp_set_rx(struct vtop *t, int valid, const struct vtop_beat *b)
{
	t->top->rp_rx_tlp_valid = valid ? 1 : 0;
	if (!valid)
		return;
	for (int i = 0; i < 4; i++)
		t->top->rp_rx_tlp_hdr[i] = b->hdr[i];
	for (int i = 0; i < VTOP_TLP_BEAT_DWS; i++)
		t->top->rp_rx_tlp_data[i] = b->data[i];
	t->top->rp_rx_tlp_sop = b->sop ? 1 : 0;
	t->top->rp_rx_tlp_eop = b->eop ? 1 : 0;
}

extern "C" int vtop_rp_rx_ready(struct vtop *t) { return t->top->rp_rx_tlp_ready; }

extern "C" uint32_t vtop_debug_pc(struct vtop *t)
{
	return t->top->rootp->sim_card_top__DOT__u_card__DOT__u_soc__DOT__u_core__DOT__ex_pc_q;
}

#define FAST_Q(name) (t->top->rootp->sim_card_top__DOT__u_card__DOT__u_fn__DOT__u_fast__DOT__##name##_q)

extern "C" void vtop_fast_counters(struct vtop *t, struct vtop_fast *out)
{
	out->hits = FAST_Q(hits);
	out->hit_bytes = FAST_Q(hit_bytes);
	out->miss_opcode = FAST_Q(m_op);
	out->miss_chain = FAST_Q(m_chain);
	out->miss_tag = FAST_Q(m_tag);
	out->miss_size = FAST_Q(m_size);
	out->miss_dma = FAST_Q(m_dma);
	out->invals = FAST_Q(invals);
	out->last_cycles = FAST_Q(last_cyc);
	out->xattr_hits = FAST_Q(xhits);
	out->miss_xattr = FAST_Q(m_x);
}

extern "C" unsigned vtop_debug_dax_state(struct vtop *t)
{
	return t->top->rootp->sim_card_top__DOT__u_card__DOT__u_dax__DOT__state_q;
}
