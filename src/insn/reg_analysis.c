// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "insn/helper_args.h"
#include "insn/insn_patch.h"
#include "insn/reg_analysis.h"
#include "util/util.h"

#ifndef BPF_JCOND
#define BPF_JCOND 0xe0
#endif
#ifndef BPF_PSEUDO_KFUNC_CALL
#define BPF_PSEUDO_KFUNC_CALL 2
#endif
#ifndef BPF_ATOMIC
#define BPF_ATOMIC 0xc0
#endif
#ifndef BPF_FETCH
#define BPF_FETCH 0x01
#endif
#ifndef BPF_CMPXCHG
#define BPF_CMPXCHG (0xf0 | BPF_FETCH)
#endif

#define ARGS_MASK(n) ((__u16)(((1u << (n)) - 1) << 1)) /* r1..rn */
#define ALL_REGS ((__u16)0x7ff)
#define R0 SDT_REG_BIT(0)
#define R10 SDT_REG_BIT(BPF_REG_10)

/* What a call does to r0, as the verifier sees it. */
enum call_kind {
	NOT_A_CALL,
	CALL_RETURNS,	/* a helper with a result, a kfunc, a legacy packet load */
	CALL_VOID,	/* a helper the kernel declares RET_VOID: r0 is left unset */
	CALL_FUNC,	/* a BPF-to-BPF call: r0 is whatever the callee's exit had */
};

/* Effect of one instruction on registers. */
struct reg_effect {
	__u16 use;
	__u16 def;
	__u16 kill;	/* made unreadable: r1..r5 after a call */
	__u32 succ[2];
	int nsucc;	/* -1: second half of an ld_imm64 */
	__u8 call;	/* enum call_kind */
	int callee;	/* CALL_FUNC: index of the called function */
};

struct analysis {
	const struct bpf_insn *insns;
	const __u16 *extra_use;
	__u32 cnt;
	const struct sdt_func_span *funcs;
	__u32 nfuncs;
	struct reg_effect *fx;
	bool *callback;		/* per function: its address is taken */
	bool *called;		/* per function: some BPF-to-BPF call calls it */
	bool *exit_live;	/* per function: r0 is live at its exits */
	bool *exit_init;	/* per function: r0 set at every exit */
	bool *exit_maybe_init;	/* per function: r0 set at some exit */
};

/*
 * Helpers whose kernel prototype returns RET_VOID: the verifier leaves r0
 * unset after them. libbpf's declarations are no guide (bpf_tail_call and
 * bpf_spin_lock are declared `long`), and a helper wrongly listed here would
 * have a fill write r0 over its result: only helpers known to be void.
 */
static bool helper_is_void(int id)
{
	switch (id) {
	case 12:	/* bpf_tail_call: returns only when it fails */
	case 41:	/* bpf_set_hash_invalid */
	case 93:	/* bpf_spin_lock */
	case 94:	/* bpf_spin_unlock */
	case 132:	/* bpf_ringbuf_submit */
	case 133:	/* bpf_ringbuf_discard */
	case 199:	/* bpf_ringbuf_submit_dynptr */
	case 200:	/* bpf_ringbuf_discard_dynptr */
		return true;
	default:
		return false;
	}
}

/* Index of the function starting at insn, or -1. */
static int func_starting_at(const struct analysis *a, __u32 insn)
{
	__u32 lo = 0, hi = a->nfuncs;

	while (lo < hi) {
		__u32 mid = lo + (hi - lo) / 2;

		if (a->funcs[mid].start == insn)
			return (int)mid;
		if (a->funcs[mid].start < insn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* Index of the function holding insn. */
static __u32 func_of(const struct analysis *a, __u32 insn)
{
	__u32 lo = 0, hi = a->nfuncs;

	while (hi - lo > 1) {
		__u32 mid = lo + (hi - lo) / 2;

		if (a->funcs[mid].start <= insn)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static __u32 func_end(const struct analysis *a, __u32 f)
{
	return f + 1 < a->nfuncs ? a->funcs[f + 1].start : a->cnt;
}

static __u16 entry_args(const struct analysis *a, __u32 f)
{
	int n = a->funcs[f].nargs;

	return ARGS_MASK(n > 5 ? 5 : n < 0 ? 0 : n);
}

static void alu_effect(const struct bpf_insn *insn, struct reg_effect *e)
{
	__u16 dst = SDT_REG_BIT(insn->dst_reg), src = SDT_REG_BIT(insn->src_reg);
	bool x = BPF_SRC(insn->code) == BPF_X;

	e->def = dst;
	switch (BPF_OP(insn->code)) {
	case BPF_MOV:
		e->use = x ? src : 0;
		break;
	case BPF_NEG:
	case BPF_END:
		e->use = dst;
		break;
	default:
		e->use = dst | (x ? src : 0);
	}
}

static void stx_effect(const struct bpf_insn *insn, struct reg_effect *e)
{
	__u16 dst = SDT_REG_BIT(insn->dst_reg), src = SDT_REG_BIT(insn->src_reg);

	e->use = dst | src;
	if (BPF_MODE(insn->code) != BPF_ATOMIC)
		return;
	if (insn->imm == BPF_CMPXCHG) {
		e->use |= R0;
		e->def = R0;
	} else if (insn->imm & BPF_FETCH) {
		e->def = src;
	}
}

static int call_effect(const struct analysis *a, __u32 i, struct reg_effect *e)
{
	const struct bpf_insn *insn = &a->insns[i];
	int nargs;

	e->call = CALL_RETURNS;
	if (insn->src_reg == BPF_PSEUDO_CALL) {
		e->callee = func_starting_at(a, i + 1 + insn->imm);
		if (e->callee < 0)
			return -EINVAL;
		nargs = a->funcs[e->callee].nargs;
		e->call = CALL_FUNC;
	} else if (insn->src_reg == BPF_PSEUDO_KFUNC_CALL) {
		nargs = 5; /* not knowable without the kernel's BTF */
	} else {
		nargs = sdt_helper_nargs(insn->imm);
		if (helper_is_void(insn->imm))
			e->call = CALL_VOID;
	}
	e->use = ARGS_MASK(nargs > 5 ? 5 : nargs < 0 ? 0 : nargs);
	/* for liveness, r0 is written either way: its value before the call
	 * is never what is read after it */
	e->def = R0;
	e->kill = ARGS_MASK(5);
	return 0;
}

int sdt_insn_successors(const struct bpf_insn *insns, __u32 i, __u32 succ[2])
{
	const struct bpf_insn *insn = &insns[i];
	__u8 cls = BPF_CLASS(insn->code), op = BPF_OP(insn->code);

	succ[0] = i + 1;
	if (sdt_insn_is_ld_imm64(insn)) {
		succ[0] = i + 2;
		return 1;
	}
	if (cls != BPF_JMP && cls != BPF_JMP32)
		return 1;
	switch (op) {
	case BPF_CALL:
		return 1;
	case BPF_EXIT:
		return 0;
	case BPF_JA:
		succ[0] = i + 1 + (cls == BPF_JMP32 ? insn->imm : insn->off);
		return 1;
	default: /* conditional jumps and may_goto */
		succ[1] = i + 1 + insn->off;
		return 2;
	}
}

static int jmp_effect(const struct analysis *a, __u32 i, struct reg_effect *e)
{
	const struct bpf_insn *insn = &a->insns[i];

	switch (BPF_OP(insn->code)) {
	case BPF_CALL:
		return call_effect(a, i, e);
	case BPF_EXIT:
		return 0; /* r0 is used if the function's exit is live */
	case BPF_JA:
	case BPF_JCOND:
		return 0;
	default:
		e->use = SDT_REG_BIT(insn->dst_reg) |
			 (BPF_SRC(insn->code) == BPF_X ? SDT_REG_BIT(insn->src_reg) : 0);
		return 0;
	}
}

static int insn_effect(const struct analysis *a, __u32 i, struct reg_effect *e)
{
	const struct bpf_insn *insn = &a->insns[i];

	memset(e, 0, sizeof(*e));
	e->callee = -1;
	e->nsucc = sdt_insn_successors(a->insns, i, e->succ);
	switch (BPF_CLASS(insn->code)) {
	case BPF_ALU:
	case BPF_ALU64:
		alu_effect(insn, e);
		return 0;
	case BPF_LD:
		if (sdt_insn_is_ld_imm64(insn)) {
			e->def = SDT_REG_BIT(insn->dst_reg);
		} else { /* legacy packet loads: an implicit helper call on r6 */
			e->use = SDT_REG_BIT(6) |
				 (BPF_MODE(insn->code) == BPF_IND ? SDT_REG_BIT(insn->src_reg) : 0);
			e->def = R0;
			e->kill = ARGS_MASK(5);
			e->call = CALL_RETURNS;
		}
		return 0;
	case BPF_LDX:
		e->use = SDT_REG_BIT(insn->src_reg);
		e->def = SDT_REG_BIT(insn->dst_reg);
		return 0;
	case BPF_ST:
		e->use = SDT_REG_BIT(insn->dst_reg);
		return 0;
	case BPF_STX:
		stx_effect(insn, e);
		return 0;
	default:
		return jmp_effect(a, i, e);
	}
}

static bool is_exit(const struct bpf_insn *insn)
{
	return insn->code == (BPF_JMP | BPF_EXIT);
}

/* Effects of every instruction, checking that control stays in its
 * function; marks the functions whose address is taken. */
static int compute_effects(struct analysis *a)
{
	__u32 f, i;
	int k, err, cb;

	for (f = 0; f < a->nfuncs; f++) {
		__u32 start = a->funcs[f].start, end = func_end(a, f);

		for (i = start; i < end; i++) {
			struct reg_effect *e = &a->fx[i];

			err = insn_effect(a, i, e);
			if (err)
				return err;
			if (a->extra_use)
				e->use |= a->extra_use[i];
			for (k = 0; k < e->nsucc; k++)
				if (e->succ[k] < start || e->succ[k] >= end)
					return -EINVAL;
			if (e->call == CALL_FUNC)
				a->called[e->callee] = true;
			if (sdt_insn_is_ld_imm64(&a->insns[i]) && i + 1 < end) {
				if (a->insns[i].src_reg == BPF_PSEUDO_FUNC) {
					cb = func_starting_at(a, i + 1 + a->insns[i].imm);
					if (cb < 0)
						return -EINVAL;
					a->callback[cb] = true;
				}
				a->fx[++i] = (struct reg_effect){ .nsucc = -1, .callee = -1 };
			}
		}
	}
	return 0;
}

/* Liveness of function f, its exits reading r0 if exit_live[f]. */
static void live_func(struct analysis *a, __u32 f, struct sdt_reg_state *st)
{
	__u32 start = a->funcs[f].start, end = func_end(a, f), i;
	__u16 exit_use = a->exit_live[f] ? R0 : 0;
	bool changed;
	int k;

	do { /* backward, union of successors */
		changed = false;
		for (i = end; i-- > start;) {
			const struct reg_effect *e = &a->fx[i];
			__u16 out = 0, in;

			if (e->nsucc < 0)
				continue;
			for (k = 0; k < e->nsucc; k++)
				out |= st[e->succ[k]].live_in;
			in = e->use | (is_exit(&a->insns[i]) ? exit_use : 0) |
			     (out & ~(e->def | e->kill));
			st[i].live_out = out;
			if (in != st[i].live_in) {
				st[i].live_in = in;
				changed = true;
			}
		}
	} while (changed);
}

/* r0 is live at a callee's exits when a caller reads it after a call:
 * grows exit_live until nothing changes. The kernel reads it at the exits
 * of the program's entry, of callbacks and of any function no call reaches
 * (an exception callback, say). */
static void live_all(struct analysis *a, struct sdt_reg_state *st)
{
	bool changed;
	__u32 f, i;

	for (f = 0; f < a->nfuncs; f++)
		a->exit_live[f] = f == 0 || a->callback[f] || !a->called[f];
	do {
		for (f = 0; f < a->nfuncs; f++)
			live_func(a, f, st);
		changed = false;
		for (i = 0; i < a->cnt; i++) {
			const struct reg_effect *e = &a->fx[i];

			if (e->nsucc >= 0 && e->call == CALL_FUNC && !a->exit_live[e->callee] &&
			    (st[i].live_out & R0)) {
				a->exit_live[e->callee] = true;
				changed = true;
			}
		}
	} while (changed);
}

/* What instruction i defines and kills for the must (maybe == false) or
 * may (maybe == true) initialization analysis. */
static void init_effect(const struct analysis *a, __u32 i, bool maybe, __u16 *def, __u16 *kill)
{
	const struct reg_effect *e = &a->fx[i];
	bool r0_set;

	*def = e->def;
	*kill = e->kill;
	if (e->call == NOT_A_CALL)
		return;
	if (e->call == CALL_FUNC)
		r0_set = maybe ? a->exit_maybe_init[e->callee] : a->exit_init[e->callee];
	else
		r0_set = e->call == CALL_RETURNS;
	if (!r0_set) {
		*def &= ~R0;
		*kill |= R0;
	}
}

/* Both initialization analyses of function f, forward from its entry. */
static void init_func(struct analysis *a, __u32 f, struct sdt_reg_state *st)
{
	__u32 start = a->funcs[f].start, end = func_end(a, f), i;
	bool changed;
	int k;

	for (i = start; i < end; i++) {
		st[i].init_in = ALL_REGS;
		st[i].maybe_init_in = 0;
	}
	/* The program's entry gets its context in r1; a subprogram its
	 * arguments -- and maybe more of r1..r5 from a static call, where the
	 * verifier passes the caller's registers as they are. */
	st[start].init_in = R10 | entry_args(a, f);
	st[start].maybe_init_in = R10 | (f == 0 ? entry_args(a, f) : ARGS_MASK(5));
	do {
		changed = false;
		for (i = start; i < end; i++) {
			__u16 def, kill, out, may_out;

			if (a->fx[i].nsucc < 0)
				continue;
			init_effect(a, i, false, &def, &kill);
			out = (st[i].init_in | def) & ~kill;
			init_effect(a, i, true, &def, &kill);
			may_out = (st[i].maybe_init_in | def) & ~kill;
			for (k = 0; k < a->fx[i].nsucc; k++) {
				struct sdt_reg_state *s = &st[a->fx[i].succ[k]];
				__u16 meet = s->init_in & out, join = s->maybe_init_in | may_out;

				if (meet != s->init_in || join != s->maybe_init_in) {
					s->init_in = meet;
					s->maybe_init_in = join;
					changed = true;
				}
			}
		}
	} while (changed);
}

/* Whether r0 leaves each function set: iterated with the callers'
 * analyses until nothing changes (must: from "always", may: from "never"). */
static void init_all(struct analysis *a, struct sdt_reg_state *st)
{
	bool changed;
	__u32 f, i;

	for (f = 0; f < a->nfuncs; f++) {
		a->exit_init[f] = true;
		a->exit_maybe_init[f] = false;
	}
	do {
		for (f = 0; f < a->nfuncs; f++)
			init_func(a, f, st);
		changed = false;
		for (f = 0; f < a->nfuncs; f++) {
			bool must = true, may = false;

			for (i = a->funcs[f].start; i < func_end(a, f); i++) {
				if (a->fx[i].nsucc < 0 || !is_exit(&a->insns[i]))
					continue;
				/* an unreachable exit says nothing */
				if (!(st[i].maybe_init_in & R10))
					continue;
				must &= !!(st[i].init_in & R0);
				may |= !!(st[i].maybe_init_in & R0);
			}
			if (must != a->exit_init[f] || may != a->exit_maybe_init[f]) {
				a->exit_init[f] = must;
				a->exit_maybe_init[f] = may;
				changed = true;
			}
		}
	} while (changed);
}

static void analysis_free(struct analysis *a)
{
	free(a->fx);
	free(a->callback);
	free(a->called);
	free(a->exit_live);
	free(a->exit_init);
	free(a->exit_maybe_init);
}

static int analysis_init(struct analysis *a, const struct bpf_insn *insns, __u32 cnt,
			 const struct sdt_func_span *funcs, __u32 nfuncs, const __u16 *extra_use)
{
	__u32 f;
	int err;

	memset(a, 0, sizeof(*a));
	a->insns = insns;
	a->cnt = cnt;
	a->funcs = funcs;
	a->nfuncs = nfuncs;
	a->extra_use = extra_use;
	if (!nfuncs || funcs[0].start != 0)
		return -EINVAL;
	for (f = 1; f < nfuncs; f++)
		if (funcs[f].start <= funcs[f - 1].start || funcs[f].start >= cnt)
			return -EINVAL;
	a->fx = calloc(cnt ? cnt : 1, sizeof(*a->fx));
	a->callback = calloc(nfuncs, sizeof(bool));
	a->called = calloc(nfuncs, sizeof(bool));
	a->exit_live = calloc(nfuncs, sizeof(bool));
	a->exit_init = calloc(nfuncs, sizeof(bool));
	a->exit_maybe_init = calloc(nfuncs, sizeof(bool));
	if (!a->fx || !a->callback || !a->called || !a->exit_live || !a->exit_init ||
	    !a->exit_maybe_init) {
		analysis_free(a);
		return -ENOMEM;
	}
	err = compute_effects(a);
	if (err)
		analysis_free(a);
	return err;
}

int sdt_reg_analysis(const struct bpf_insn *insns, __u32 cnt, const struct sdt_func_span *funcs,
		     __u32 nfuncs, const __u16 *extra_use, struct sdt_reg_state *states)
{
	struct analysis a;
	int err;

	err = analysis_init(&a, insns, cnt, funcs, nfuncs, extra_use);
	if (err)
		return err;
	memset(states, 0, (size_t)cnt * sizeof(*states));
	live_all(&a, states);
	init_all(&a, states);
	analysis_free(&a);
	return 0;
}

int sdt_reg_args_read(const struct bpf_insn *insns, __u32 cnt, struct sdt_func_span *funcs,
		      __u32 nfuncs)
{
	struct sdt_reg_state *states = calloc(cnt ? cnt : 1, sizeof(*states));
	bool changed = true;
	int iter, err = 0;
	__u32 f;

	if (!states)
		return -ENOMEM;
	/* each round can only raise a count, at most to 5 */
	for (iter = 0; changed && iter < 6 && !err; iter++) {
		changed = false;
		err = sdt_reg_analysis(insns, cnt, funcs, nfuncs, NULL, states);
		for (f = 1; f < nfuncs && !err; f++) {
			unsigned int live = states[funcs[f].start].live_in & ARGS_MASK(5);
			int n = live ? 31 - __builtin_clz(live) : 0;

			if (n > funcs[f].nargs) {
				funcs[f].nargs = n;
				changed = true;
			}
		}
	}
	free(states);
	return err;
}

/* --- fills ------------------------------------------------------------------ */

/* Predecessors of every instruction (in its function), and the calls of
 * every function, as index lists. */
struct graph {
	__u32 *pred_at, *preds;		/* preds[pred_at[i] .. pred_at[i + 1]) */
	__u32 *call_at, *calls;		/* calls of function f likewise */
};

static void graph_free(struct graph *g)
{
	free(g->pred_at);
	free(g->preds);
	free(g->call_at);
	free(g->calls);
}

static int graph_build(const struct analysis *a, struct graph *g)
{
	__u32 i, n = 0, ncalls = 0, *fill_p = NULL, *fill_c = NULL;
	int k;

	memset(g, 0, sizeof(*g));
	g->pred_at = calloc((size_t)a->cnt + 1, sizeof(__u32));
	g->call_at = calloc((size_t)a->nfuncs + 1, sizeof(__u32));
	if (!g->pred_at || !g->call_at)
		goto nomem;
	for (i = 0; i < a->cnt; i++) {
		for (k = 0; k < a->fx[i].nsucc; k++, n++)
			g->pred_at[a->fx[i].succ[k] + 1]++;
		if (a->fx[i].nsucc >= 0 && a->fx[i].call == CALL_FUNC) {
			g->call_at[a->fx[i].callee + 1]++;
			ncalls++;
		}
	}
	for (i = 0; i < a->cnt; i++)
		g->pred_at[i + 1] += g->pred_at[i];
	for (i = 0; i < a->nfuncs; i++)
		g->call_at[i + 1] += g->call_at[i];
	g->preds = calloc(n ? n : 1, sizeof(__u32));
	g->calls = calloc(ncalls ? ncalls : 1, sizeof(__u32));
	fill_p = calloc((size_t)a->cnt + 1, sizeof(__u32));
	fill_c = calloc((size_t)a->nfuncs + 1, sizeof(__u32));
	if (!g->preds || !g->calls || !fill_p || !fill_c)
		goto nomem;
	for (i = 0; i < a->cnt; i++) {
		for (k = 0; k < a->fx[i].nsucc; k++) {
			__u32 s = a->fx[i].succ[k];

			g->preds[g->pred_at[s] + fill_p[s]++] = i;
		}
		if (a->fx[i].nsucc >= 0 && a->fx[i].call == CALL_FUNC) {
			__u32 c = (__u32)a->fx[i].callee;

			g->calls[g->call_at[c] + fill_c[c]++] = i;
		}
	}
	free(fill_p);
	free(fill_c);
	return 0;
nomem:
	free(fill_p);
	free(fill_c);
	graph_free(g);
	return -ENOMEM;
}

static int add_fill(struct sdt_reg_fills *fills, __u32 insn, bool after, int reg)
{
	size_t i;

	for (i = 0; i < fills->cnt; i++)
		if (fills->v[i].insn == insn && fills->v[i].after == after &&
		    fills->v[i].reg == reg)
			return 0;
	if (sdt_reserve((void **)&fills->v, &fills->cap, fills->cnt, sizeof(*fills->v), 8))
		return -ENOMEM;
	fills->v[fills->cnt++] = (struct sdt_reg_fill){ insn, after, (__u8)reg };
	return 0;
}

struct fill_search {
	const struct analysis *a;
	const struct graph *g;
	const struct sdt_reg_state *st;
	int reg;
	bool *seen;
	__u32 *stack;
	__u32 depth;
	struct sdt_reg_fills *fills;
};

/* "reg must be set before instruction x": visit x once. */
static void push(struct fill_search *s, __u32 x)
{
	if (s->seen[x] || (s->st[x].init_in & SDT_REG_BIT(s->reg)))
		return;
	s->seen[x] = true;
	s->stack[s->depth++] = x;
}

/* The value of reg at function f's entry. */
static int search_entry(struct fill_search *s, __u32 f)
{
	const struct analysis *a = s->a;
	__u32 k;

	/* nothing sets r0 before a function starts, nor r2..r5 before the
	 * program does: a write there is on entry only */
	if (s->reg == 0 || f == 0)
		return add_fill(s->fills, a->funcs[f].start, false, s->reg);
	if (a->callback[f])
		return -ENOENT; /* the kernel's arguments */
	for (k = s->g->call_at[f]; k < s->g->call_at[f + 1]; k++)
		push(s, s->g->calls[k]);
	return 0;
}

/* The value of reg after predecessor p, on its way to x. */
static int search_pred(struct fill_search *s, __u32 p)
{
	const struct analysis *a = s->a;
	const struct reg_effect *e = &a->fx[p];
	__u16 bit = SDT_REG_BIT(s->reg);
	__u32 f, i;

	if (e->call == NOT_A_CALL) {
		if (!(e->def & bit))
			push(s, p);
		return 0;
	}
	if (s->reg != 0 || e->call == CALL_VOID)
		return add_fill(s->fills, p, true, s->reg); /* unset by the call */
	if (e->call == CALL_RETURNS)
		return 0;
	/* r0 from a subprogram: set at each of its exits that needs it */
	f = (__u32)e->callee;
	for (i = a->funcs[f].start; i < func_end(a, f); i++)
		if (a->fx[i].nsucc >= 0 && is_exit(&a->insns[i]))
			push(s, i);
	return 0;
}

int sdt_reg_fill_for(const struct bpf_insn *insns, __u32 cnt, const struct sdt_func_span *funcs,
		     __u32 nfuncs, const struct sdt_reg_state *states, __u32 site, int reg,
		     struct sdt_reg_fills *fills)
{
	struct fill_search s = { .st = states, .reg = reg, .fills = fills };
	struct analysis a;
	struct graph g;
	int err;

	if (reg < 0 || reg > 5 || site >= cnt)
		return -EINVAL;
	err = analysis_init(&a, insns, cnt, funcs, nfuncs, NULL);
	if (err)
		return err;
	err = graph_build(&a, &g);
	if (err) {
		analysis_free(&a);
		return err;
	}
	s.a = &a;
	s.g = &g;
	s.seen = calloc(cnt, sizeof(bool));
	s.stack = calloc(cnt, sizeof(__u32));
	if (!s.seen || !s.stack)
		err = -ENOMEM;
	if (!err)
		push(&s, site);
	while (!err && s.depth) {
		__u32 x = s.stack[--s.depth], f = func_of(&a, x), k;

		if (x == a.funcs[f].start)
			err = search_entry(&s, f);
		for (k = g.pred_at[x]; k < g.pred_at[x + 1] && !err; k++)
			err = search_pred(&s, g.preds[k]);
	}
	free(s.seen);
	free(s.stack);
	graph_free(&g);
	analysis_free(&a);
	return err;
}

void sdt_reg_fills_free(struct sdt_reg_fills *fills)
{
	free(fills->v);
	memset(fills, 0, sizeof(*fills));
}
