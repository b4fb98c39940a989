// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "helper_args.h"
#include "insn_patch.h"
#include "reg_analysis.h"

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

/* Effect of one instruction on registers. */
struct reg_effect {
	__u16 use;
	__u16 def;
	__u16 kill;	/* made unreadable: r1..r5 after a call */
	__u32 succ[2];
	int nsucc;
};

struct analysis {
	const struct bpf_insn *insns;
	const __u16 *extra_use;
	__u32 cnt;
	const struct sdt_func_span *funcs;
	__u32 nfuncs;
};

static int callee_nargs(const struct analysis *a, __u32 target)
{
	__u32 i;

	for (i = 0; i < a->nfuncs; i++)
		if (a->funcs[i].start == target)
			return a->funcs[i].nargs;
	return -1;
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
		e->use |= SDT_REG_BIT(0);
		e->def = SDT_REG_BIT(0);
	} else if (insn->imm & BPF_FETCH) {
		e->def = src;
	}
}

static int call_effect(const struct analysis *a, __u32 i, struct reg_effect *e)
{
	const struct bpf_insn *insn = &a->insns[i];
	int nargs;

	if (insn->src_reg == BPF_PSEUDO_CALL) {
		nargs = callee_nargs(a, i + 1 + insn->imm);
		if (nargs < 0)
			return -EINVAL;
	} else if (insn->src_reg == BPF_PSEUDO_KFUNC_CALL) {
		nargs = 5; /* not knowable without the kernel's BTF */
	} else {
		nargs = sdt_helper_nargs(insn->imm);
	}
	e->use = ARGS_MASK(nargs > 5 ? 5 : nargs);
	e->def = SDT_REG_BIT(0);
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
		e->use = SDT_REG_BIT(0);
		return 0;
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
			e->def = SDT_REG_BIT(0);
			e->kill = ARGS_MASK(5);
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

static int func_end(const struct analysis *a, __u32 f)
{
	return f + 1 < a->nfuncs ? a->funcs[f + 1].start : a->cnt;
}

/* Both fixpoints for one function [start, end). */
static int analyse_func(const struct analysis *a, __u32 f, struct reg_effect *fx,
			struct sdt_reg_state *st)
{
	__u32 start = a->funcs[f].start, end = func_end(a, f), i;
	bool changed;
	int k, err;

	for (i = start; i < end; i++) {
		err = insn_effect(a, i, &fx[i]);
		if (err)
			return err;
		if (a->extra_use)
			fx[i].use |= a->extra_use[i];
		for (k = 0; k < fx[i].nsucc; k++)
			if (fx[i].succ[k] < start || fx[i].succ[k] >= end)
				return -EINVAL;
		if (sdt_insn_is_ld_imm64(&a->insns[i]) && i + 1 < end)
			fx[++i] = (struct reg_effect){ .nsucc = -1 }; /* second half */
	}
	for (i = start; i < end; i++) {
		st[i].live_in = 0;
		st[i].init_in = ALL_REGS;
	}
	st[start].init_in = SDT_REG_BIT(BPF_REG_10) | ARGS_MASK(a->funcs[f].nargs > 5 ? 5 : a->funcs[f].nargs);

	do { /* live: backward, union of successors */
		changed = false;
		for (i = end; i-- > start;) {
			__u16 out = 0, in;

			if (fx[i].nsucc < 0)
				continue;
			for (k = 0; k < fx[i].nsucc; k++)
				out |= st[fx[i].succ[k]].live_in;
			in = fx[i].use | (out & ~(fx[i].def | fx[i].kill));
			if (in != st[i].live_in) {
				st[i].live_in = in;
				changed = true;
			}
		}
	} while (changed);

	do { /* init: forward, intersection over predecessors */
		changed = false;
		for (i = start; i < end; i++) {
			__u16 out;

			if (fx[i].nsucc < 0)
				continue;
			out = (st[i].init_in | fx[i].def) & ~fx[i].kill;
			for (k = 0; k < fx[i].nsucc; k++) {
				__u32 s = fx[i].succ[k];
				__u16 meet = st[s].init_in & out;

				if (meet != st[s].init_in) {
					st[s].init_in = meet;
					changed = true;
				}
			}
		}
	} while (changed);
	return 0;
}

int sdt_reg_analysis(const struct bpf_insn *insns, __u32 cnt, const struct sdt_func_span *funcs,
		     __u32 nfuncs, const __u16 *extra_use, struct sdt_reg_state *states)
{
	struct analysis a = { .insns = insns, .extra_use = extra_use, .cnt = cnt,
			      .funcs = funcs, .nfuncs = nfuncs };
	struct reg_effect *fx;
	__u32 f;
	int err = 0;

	if (!nfuncs || funcs[0].start != 0)
		return -EINVAL;
	for (f = 1; f < nfuncs; f++)
		if (funcs[f].start <= funcs[f - 1].start || funcs[f].start >= cnt)
			return -EINVAL;
	fx = calloc(cnt ? cnt : 1, sizeof(*fx));
	if (!fx)
		return -ENOMEM;
	for (f = 0; f < nfuncs && !err; f++)
		err = analyse_func(&a, f, fx, states);
	free(fx);
	return err;
}
