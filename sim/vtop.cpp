// Thin C++ shim between the Verilator-generated model and the C testbench.
#include "vtop.h"

#include <verilated.h>
#include <verilated_fst_c.h>

#include "Vsim_card_top.h"
#include "Vsim_card_top___024root.h"

struct vtop {
	VerilatedContext *ctx;
	Vsim_card_top *top;
	vtop_hook_fn hook;
	void *hook_ctx;
	bool settled;	/* evaluated since the last input or clock change */
	VerilatedFstC *fst;
	uint64_t time;
};

static void vtop_eval(struct vtop *t)
{
	t->top->eval();
	if (t->fst)
		t->fst->dump(t->time);
	t->time++;
}

extern "C" struct vtop *vtop_new(const char *trace_path)
{
	struct vtop *t = new vtop();
	vtop_ddr_clear();
	t->ctx = new VerilatedContext;
	t->top = new Vsim_card_top(t->ctx);
	t->hook = nullptr;
	t->hook_ctx = nullptr;
	t->settled = false;
	t->fst = nullptr;
	t->time = 0;
	if (trace_path) {
		t->ctx->traceEverOn(true);
		t->fst = new VerilatedFstC;
		t->top->trace(t->fst, 99);
		t->fst->open(trace_path);
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
	return t;
}

extern "C" void vtop_free(struct vtop *t)
{
	if (t->fst) {
		t->fst->close();
		delete t->fst;
	}
	t->top->final();
	delete t->top;
	delete t->ctx;
	delete t;
}

extern "C" void vtop_set_reset(struct vtop *t, int rst) { t->top->rst = rst ? 1 : 0; }
extern "C" void vtop_set_irq(struct vtop *t, uint32_t lines) { t->top->irq_lines = lines; }

/*
 * Rising edge. The falling edge is left for the next evaluation (the design
 * uses the rising edge only): vtop_observe() settles it together with the
 * next cycle's inputs, which saves one evaluation per cycle; a clock without
 * an observe in between settles it here first.
 */
extern "C" void vtop_clock(struct vtop *t)
{
	if (!t->settled)
		vtop_eval(t);
	if (t->hook)
		t->hook(t->hook_ctx, t, VTOP_HOOK_SAMPLE);
	t->top->clk = 1;
	vtop_eval(t);
	if (t->hook)
		t->hook(t->hook_ctx, t, VTOP_HOOK_DRIVE);
	t->top->clk = 0;
	t->settled = false;
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

extern "C" void vtop_observe(struct vtop *t, struct vtop_obs *o)
{
	vtop_eval(t);
	t->settled = true;
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

extern "C" unsigned vtop_debug_dax_state(struct vtop *t)
{
	return t->top->rootp->sim_card_top__DOT__u_card__DOT__u_dax__DOT__state_q;
}
