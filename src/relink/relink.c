// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#define _GNU_SOURCE /* qsort_r */
/*
 * Relinking: the armed copy of a program.
 *
 * Each observed site's `goto +0` becomes
 *
 *   spill the caller-saved registers live after the site
 *   store each argument as a u64 into an array below the function's stack,
 *   widened by its declared type (sign or zero extension)
 *   for each observer of the probe, in attach order:
 *       store its cookie after the arguments; r1 = &array; call observer
 *   restore the spilled registers
 *
 * and the observers' instructions are appended as static subprograms. Jumps,
 * calls and func/line info of the target are remapped around the grown sites;
 * the BTF is the target's with the observers' appended (ids shifted) plus a
 * static FUNC per observer, so the kernel verifies each observer in the
 * target's context, against the actual argument array.
 */
#include <bpf/btf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "relink/armed_mark.h"
#include "insn/emit.h"
#include "insn/helper_args.h"
#include "insn/insn_patch.h"
#include "target/prog_load.h"
#include "insn/reg_fill.h"
#include "relink/relink.h"

#define VERIFIER_LOG_SIZE (1u << 20)

/* How a declared argument type widens to a u64 slot: bits < 64 means the
 * register's low `bits` are the value, sign- or zero-extended. */
static void arg_width(const struct btf *btf, __u32 id, int *bits, bool *is_signed)
{
	const struct btf_type *t = btf__type_by_id(btf, btf__resolve_type(btf, id));

	*bits = 64;
	*is_signed = false;
	if (!t)
		return;
	if (btf_is_int(t)) {
		*bits = t->size * 8;
		*is_signed = btf_int_encoding(t) & BTF_INT_SIGNED;
		if (btf_int_encoding(t) & BTF_INT_BOOL)
			*bits = 8;
	} else if (btf_is_enum(t) || btf_is_enum64(t)) {
		*bits = t->size * 8;
		*is_signed = btf_kflag(t);
	}
}

/* dst = the low `bits` of src, sign- or zero-extended (src != dst): an
 * unsigned value in 32-bit moves and masks, which clear the upper half. */
static void emit_widened(struct sdt_insn_buf *b, int dst, int src, int bits, bool is_signed)
{
	if (!is_signed) {
		sdt_emit(b, BPF_RAW_INSN(BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0));
		if (bits < 32)
			sdt_emit(b, BPF_RAW_INSN(BPF_ALU | BPF_AND | BPF_K, dst, 0, 0,
						 (__s32)((1u << bits) - 1)));
		return;
	}
	sdt_emit(b, BPF_MOV64_REG(dst, src));
	sdt_emit(b, BPF_ALU64_IMM(BPF_LSH, dst, 64 - bits));
	sdt_emit(b, BPF_ALU64_IMM(BPF_ARSH, dst, 64 - bits));
}

struct call_fixup {
	__u32 seq_pos;	/* position of the call inside the site's sequence */
	size_t obs;	/* index into the observer array */
};

struct site_seq {
	__u32 idx;	/* the NOP, or the instruction a dynamic site precedes */
	bool insert;
	const struct bpf_sdt_site *site;
	struct sdt_insn_buf code;
	struct call_fixup *calls;
	size_t ncalls;
};

struct sdt_relink {
	struct bpf_sdt_target *t;
	struct sdt_target_prog *tp;
	const struct sdt_arm_obs *obs;
	size_t nobs;
	size_t *by_probe;		/* obs indexes, by probe then attach order */
	struct site_seq *seqs;
	size_t nseqs;
	struct sdt_reg_fills fills;	/* registers to set where they become
					 * undefined (reg_analysis.h) */
	struct sdt_filled filled;	/* the target with those fills */
	struct sdt_patched patched;	/* the filled target with the sites */
	const struct sdt_reg_state *regs; /* of the original, for this arming */
	bool own_btf;			/* the program's own BTF object (keeps_own_btf) */
	struct sdt_reg_state *own_regs;	/* when dynamic sites make them differ */
	struct sdt_insn_buf prog;		/* final armed instructions */
	__u32 *obs_base;		/* where each observer's code starts */
	struct btf *btf;
	__u32 *obs_type_off;		/* BTF id shift of each observer */
	__u32 *obs_func_id;		/* the static FUNC added for each */
	struct sdt_insn_buf func_info;	/* raw records (8-byte units) */
	struct sdt_insn_buf line_info;	/* raw records, 16-byte units */
	/* a copy whose sites run another emitter's code (relink.h): its
	 * global functions take the observers' place */
	struct sdt_site_emitter *e;
	struct site_seq *cur;		/* the sequence it is emitting */
	bool guards_on;			/* the copy reads guards_fd for the
					 * guards map (target/guards.h) */
	int guards_fd;
};

/* The emitter's global functions: called like observers, appended first. */
static size_t emitter_funcs(const struct sdt_relink *r)
{
	return r->e ? r->e->func_cnt : 0;
}

static const char *site_fn(const struct sdt_prog_site *ps)
{
	const char *fn = bpf_sdt_site__function(ps->site);

	return fn ? fn : "?";
}

/*
 * Where each caller-saved register live after a site waits out the observer
 * calls: in a callee-saved register the target does not need then (every
 * BPF function gets its caller's r6..r9 back, so no observer can reach
 * them), else in a stack slot below the argument array, in the observer's
 * reach through r1 -- where only the observer check keeps it out
 * (docs/isolation.md). home[reg]: the register, or -1 for the stack.
 * Returns the number of stack slots.
 */
static int plan_spills(__u16 spill, __u16 live_in, int home[6])
{
	__u16 free = (SDT_REG_BIT(6) | SDT_REG_BIT(7) | SDT_REG_BIT(8) | SDT_REG_BIT(9)) & ~live_in;
	int reg, n = 0;

	for (reg = 0; reg <= 5; reg++) {
		home[reg] = -1;
		if (!(spill & SDT_REG_BIT(reg)))
			continue;
		if (free) {
			home[reg] = __builtin_ctz(free);
			free &= free - 1;
		} else {
			n++;
		}
	}
	return n;
}

static void save_spills(struct sdt_insn_buf *b, __u16 spill, const int home[6], __u32 args_base)
{
	int reg, i;

	for (reg = 0, i = 0; reg <= 5; reg++) {
		if (!(spill & SDT_REG_BIT(reg)))
			continue;
		if (home[reg] >= 0)
			sdt_emit(b, BPF_MOV64_REG(home[reg], reg));
		else
			sdt_emit(b, BPF_STX_MEM(BPF_DW, BPF_REG_10, reg,
						-(int)(args_base + 8 * ++i)));
	}
}

static void restore_spills(struct sdt_insn_buf *b, __u16 spill, const int home[6], __u32 args_base)
{
	int reg, i;

	for (reg = 0, i = 0; reg <= 5; reg++) {
		if (!(spill & SDT_REG_BIT(reg)))
			continue;
		if (home[reg] >= 0)
			sdt_emit(b, BPF_MOV64_REG(reg, home[reg]));
		else
			sdt_emit(b, BPF_LDX_MEM(BPF_DW, reg, BPF_REG_10,
						-(int)(args_base + 8 * ++i)));
	}
}

__u32 sdt_relink_stack_depth(const struct sdt_relink *r, const struct sdt_prog_site *ps)
{
	return (r->tp->stack_depth[ps->func] + 7) & ~7u;
}

/* an emitter's sequence runs no observer: the stack keeps what it saves */
static const int on_stack[6] = { -1, -1, -1, -1, -1, -1 };

void sdt_relink_save_regs(struct sdt_insn_buf *b, __u16 spill, __u32 base)
{
	save_spills(b, spill, on_stack, base);
}

void sdt_relink_restore_regs(struct sdt_insn_buf *b, __u16 spill, __u32 base)
{
	restore_spills(b, spill, on_stack, base);
}

struct sdt_insn_buf *sdt_relink_code(struct sdt_relink *r)
{
	return &r->cur->code;
}

void sdt_relink_call(struct sdt_relink *r, size_t k)
{
	struct site_seq *seq = r->cur;
	struct call_fixup *n = realloc(seq->calls, (seq->ncalls + 1) * sizeof(*n));

	if (!n) {
		seq->code.err = seq->code.err ?: -ENOMEM;
		return;
	}
	seq->calls = n;
	seq->calls[seq->ncalls++] = (struct call_fixup){ seq->code.cnt, k };
	sdt_emit(&seq->code, BPF_CALL_REL(0));
}

/* Why a site cannot be armed: a warning when arming, the emitter's reason
 * when building its copy (the kernel check reports it as its outcome). */
void sdt_relink_refuse(struct sdt_relink *r, const struct sdt_prog_site *ps, const char *fmt, ...)
{
	char why[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (r->e) {
		snprintf(r->e->reason, sizeof(r->e->reason), "%s", why);
		return;
	}
	pr_warn("%s: probe %s at %s insn %u (program %s): %s", r->t->name,
		bpf_sdt_probe__name(bpf_sdt_site__probe(ps->site)), site_fn(ps),
		bpf_sdt_site__insn(ps->site), r->tp->name, why);
}

/*
 * The caller-saved registers a call at site ps must save and restore: those
 * live after it. One set on every path to the site is saved; one set on no
 * path needs nothing (no path can read it); one set on some paths only is
 * first made set on all of them by fills (reg_analysis.h says why that is
 * sound) and then saved. 0, or -EINVAL after saying why not.
 */
int sdt_relink_saves(struct sdt_relink *r, const struct sdt_prog_site *ps, __u16 *spill)
{
	const struct sdt_target_prog *tp = r->tp;
	const struct sdt_reg_state *st = &r->regs[ps->idx];
	/* a NOP site keeps what is live after it; a dynamic site runs before
	 * its instruction, which may read registers too */
	__u16 live = (ps->insert ? st->live_in : st->live_out) & SDT_CALLER_SAVED;
	__u16 partial = live & st->maybe_init_in & ~st->init_in;
	int reg, err;

	*spill = live & st->init_in;
	for (reg = 0; reg <= 5; reg++) {
		if (!(partial & SDT_REG_BIT(reg)))
			continue;
		err = sdt_reg_fill_for(tp->cap.insns, tp->cap.insn_cnt, tp->funcs, tp->nfuncs,
				       r->regs, ps->idx, reg, &r->fills);
		if (err == -ENOENT) {
			sdt_relink_refuse(r, ps, "r%d is live after the site but not set on every path to it, and on some path it comes unset from the kernel into a callback, so no call can be inserted that preserves it",
					  reg);
			return -EINVAL;
		}
		if (err)
			return err;
		*spill |= SDT_REG_BIT(reg);
	}
	return 0;
}

/* The sequence replacing one site's NOP. */
static int cmp_obs_probe(const void *a, const void *b, void *ctx)
{
	const struct sdt_arm_obs *obs = ctx;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	uintptr_t px = (uintptr_t)obs[x].probe, py = (uintptr_t)obs[y].probe;

	return px != py ? (px < py ? -1 : 1) : (x < y ? -1 : x > y);
}

/* Indexes the observers by probe: a site finds its own in log time (a
 * sweep arms thousands of probes, each with one observer). */
static int index_obs(struct sdt_relink *r)
{
	size_t k;

	r->by_probe = calloc(r->nobs ? r->nobs : 1, sizeof(*r->by_probe));
	if (!r->by_probe)
		return -ENOMEM;
	for (k = 0; k < r->nobs; k++)
		r->by_probe[k] = k;
	qsort_r(r->by_probe, r->nobs, sizeof(*r->by_probe), cmp_obs_probe, (void *)r->obs);
	return 0;
}

/* probe's observers: by_probe[*lo .. *hi), in attach order. */
static void obs_range(const struct sdt_relink *r, const struct bpf_sdt_probe *probe, size_t *lo,
		      size_t *hi)
{
	size_t a = 0, b = r->nobs, m;

	while (a < b) { /* first with a probe not below this one */
		m = (a + b) / 2;
		if ((uintptr_t)r->obs[r->by_probe[m]].probe < (uintptr_t)probe)
			a = m + 1;
		else
			b = m;
	}
	*lo = a;
	for (b = a; b < r->nobs && r->obs[r->by_probe[b]].probe == probe; b++)
		;
	*hi = b;
}

/* Two registers the inlined counters may use at the site: dead ones where
 * it has them (r0..r9), else ones set on every path, spilled around. A
 * register set on some paths only is neither. scratch[0] holds a map value
 * pointer: never a dead r0, which could reach the exit of a function that
 * must return a scalar (a global function, a callback) even where nothing
 * reads it; scratch[1] only the scalar 1. */
static int pick_scratch(const struct sdt_reg_state *st, bool insert, int scratch[2], __u16 *spill)
{
	__u16 live = insert ? st->live_in : st->live_out;
	__u16 dead = ~live & 0x3ff, saved = live & st->init_in & 0x3ff;
	int k, reg;

	*spill = 0;
	for (k = 0; k < 2; k++) {
		__u16 taken = k ? SDT_REG_BIT(scratch[0]) : 0;
		__u16 ok_dead = (k ? dead : dead & ~SDT_REG_BIT(0)) & ~taken;

		scratch[k] = -1;
		for (reg = 0; reg <= 9 && scratch[k] < 0; reg++)
			if (ok_dead & SDT_REG_BIT(reg))
				scratch[k] = reg;
		for (reg = 0; reg <= 9 && scratch[k] < 0; reg++)
			if (saved & ~taken & SDT_REG_BIT(reg)) {
				scratch[k] = reg;
				*spill |= SDT_REG_BIT(reg);
			}
		if (scratch[k] < 0)
			return -ENOSPC;
	}
	return 0;
}

static bool counts_atomically(const struct sdt_arm_obs *ob)
{
	return ob->inline_count && !ob->counter_percpu;
}

static bool counts_per_cpu(const struct sdt_arm_obs *ob)
{
	return ob->inline_count && ob->counter_percpu;
}

/* A site's argument into a register, as build_site() stores it in its
 * slot: what a condition compares. */
struct site_args {
	const struct sdt_relink *r;
	const struct sdt_prog_site *ps;
};

static void load_site_arg(void *ctx, struct sdt_insn_buf *b, __u8 reg, int i)
{
	const struct site_args *sa = ctx;
	const struct bpf_sdt_probe *probe = bpf_sdt_site__probe(sa->ps->site);
	const struct bpf_sdt_arg_loc *a = bpf_sdt_site__arg(sa->ps->site, i);
	bool is_signed;
	int bits;

	arg_width(bpf_sdt_object__btf(sa->r->t->sdt), bpf_sdt_probe__arg_type_id(probe, i), &bits,
		  &is_signed);
	if (a->kind == BPF_SDT_ARG_MEM)
		sdt_emit(b, BPF_LDX_MEM(BPF_DW, reg, a->reg, a->off));
	else if (a->kind == BPF_SDT_ARG_NONE)
		sdt_emit(b, BPF_MOV64_IMM(reg, 0));
	else if (bits >= 64)
		sdt_emit(b, BPF_MOV64_REG(reg, a->reg));
	else
		emit_widened(b, reg, a->reg, bits, is_signed);
}

/* The registers holding the site's arguments (or their block). */
static __u16 arg_regs(const struct bpf_sdt_site *site)
{
	__u16 regs = 0;
	int i;

	for (i = 0; i < bpf_sdt_site__arg_cnt(site); i++)
		if (bpf_sdt_site__arg(site, i)->kind != BPF_SDT_ARG_NONE)
			regs |= SDT_REG_BIT(bpf_sdt_site__arg(site, i)->reg);
	return regs;
}

/* Two registers a condition may clobber: caller-saved ones (saved by now
 * when live), else callee-saved ones free here; none holding an argument. */
static int cond_regs(const struct sdt_relink *r, const struct sdt_prog_site *ps,
		     const int home[6], __u8 out[2])
{
	__u16 avoid = arg_regs(ps->site), homes = 0;
	int reg, n = 0;

	for (reg = 0; reg <= 5; reg++)
		if (home[reg] >= 0)
			homes |= SDT_REG_BIT(home[reg]);
	for (reg = 0; reg <= 9 && n < 2; reg++) {
		if (avoid & SDT_REG_BIT(reg))
			continue;
		if (reg >= 6 && ((r->regs[ps->idx].live_in | homes) & SDT_REG_BIT(reg)))
			continue;
		out[n++] = (__u8)reg;
	}
	return n == 2 ? 0 : -ENOSPC;
}

/*
 * This CPU's counter += 1 for each per-CPU counting observer of the site's
 * probe (whose condition holds, if it has one): its key stored below the
 * function's stack, the lookup (which the verifier turns into a few
 * instructions of address arithmetic), a plain add. The caller-saved
 * registers live after the site wait out the lookup as they would an
 * observer call; with a condition after the first lookup, the arguments
 * too, restored for it.
 */
static int emit_percpu_counters(struct sdt_relink *r, const struct sdt_prog_site *ps,
				struct sdt_insn_buf *b)
{
	const struct bpf_sdt_probe *probe = bpf_sdt_site__probe(ps->site);
	int lookup = sdt_helper_id("bpf_map_lookup_elem"), home[6], nspill, err, n = 0, conds = 0;
	__u32 depth = sdt_relink_stack_depth(r, ps), key = depth + 8;
	struct site_args sa = { r, ps };
	size_t o, lo, hi;
	__u8 cr[2];
	__u16 spill;

	obs_range(r, probe, &lo, &hi);
	for (o = lo; o < hi; o++) {
		n += counts_per_cpu(&r->obs[r->by_probe[o]]);
		conds += counts_per_cpu(&r->obs[r->by_probe[o]]) && r->obs[r->by_probe[o]].cond;
	}
	if (!n)
		return 0;
	err = sdt_relink_saves(r, ps, &spill);
	if (err)
		return err;
	if (conds && n > 1)
		spill |= arg_regs(ps->site) & SDT_CALLER_SAVED;
	nspill = plan_spills(spill, r->regs[ps->idx].live_in, home);
	if (key + 8 * nspill > MAX_BPF_STACK) {
		sdt_relink_refuse(r, ps, "counting needs %u bytes of stack below the %u its function uses (limit %u)",
				  key + 8 * nspill - depth, depth, MAX_BPF_STACK);
		return -E2BIG;
	}
	if (conds && cond_regs(r, ps, home, cr)) {
		sdt_relink_refuse(r, ps, "its arguments leave no two registers free to evaluate the filter in");
		return -ENOSPC;
	}
	save_spills(b, spill, home, key);
	for (o = lo, n = 0; o < hi && !err; o++) {
		const struct sdt_arm_obs *ob = &r->obs[r->by_probe[o]];

		if (!counts_per_cpu(ob))
			continue;
		int skip = sdt_label_new(b); /* past this count */

		if (n++ && ob->cond) /* the arguments, as at the site */
			restore_spills(b, spill, home, key);
		if (ob->cond)
			err = ob->cond->emit(ob->cond, b, cr[0], cr[1], skip, load_site_arg, &sa);
		sdt_emit(b, BPF_ST_MEM(BPF_W, BPF_REG_10, -(int)key,
				       (__s32)ob->counter_slot(ob->counter_ctx, ps->site)));
		sdt_emit(b, BPF_MOV64_REG(BPF_REG_2, BPF_REG_10));
		sdt_emit(b, BPF_ALU64_IMM(BPF_ADD, BPF_REG_2, -(int)key));
		sdt_emit_ld_imm64(b, BPF_REG_1, BPF_PSEUDO_MAP_FD, (__u32)ob->counter_fd);
		sdt_emit(b, BPF_EMIT_CALL(lookup));
		sdt_emit_jmp(b, BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 0), skip);
		sdt_emit(b, BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_0, 0));
		sdt_emit(b, BPF_ALU64_IMM(BPF_ADD, BPF_REG_1, 1));
		sdt_emit(b, BPF_STX_MEM(BPF_DW, BPF_REG_0, BPF_REG_1, 0));
		sdt_label_place(b, skip);
	}
	if (err)
		return err;
	restore_spills(b, spill, home, key);
	return b->err;
}

/* counter += 1 for each inline-counting observer of the site's probe. */
static int emit_inline_counters(struct sdt_relink *r, const struct sdt_prog_site *ps,
				struct sdt_insn_buf *b)
{
	const struct bpf_sdt_probe *probe = bpf_sdt_site__probe(ps->site);
	__u32 depth = sdt_relink_stack_depth(r, ps);
	int scratch[2], k, n, err;
	size_t o, lo, hi;
	__u16 spill;

	err = emit_percpu_counters(r, ps, b);
	if (err)
		return err;
	obs_range(r, probe, &lo, &hi);
	for (o = lo; o < hi && !counts_atomically(&r->obs[r->by_probe[o]]); o++)
		;
	if (o == hi)
		return 0;
	err = pick_scratch(&r->regs[ps->idx], ps->insert, scratch, &spill);
	if (err) {
		sdt_relink_refuse(r, ps, "every register is live and some are not set on every path: none can hold the counter");
		return err;
	}
	if (depth + 8 * __builtin_popcount(spill) > MAX_BPF_STACK) {
		sdt_relink_refuse(r, ps, "no stack left to free two registers for the counter");
		return -E2BIG;
	}
	for (k = 0, n = 0; k < 2; k++)
		if (spill & SDT_REG_BIT(scratch[k]))
			sdt_emit(b, BPF_STX_MEM(BPF_DW, BPF_REG_10, scratch[k],
						-(int)depth - 8 * ++n));
	for (; o < hi; o++) {
		const struct sdt_arm_obs *ob = &r->obs[r->by_probe[o]];

		if (!counts_atomically(ob))
			continue;
		/* the value's address: map fd, then the offset into the value */
		sdt_emit_ld_imm64(b, scratch[0], BPF_PSEUDO_MAP_VALUE,
				  (__u32)ob->counter_fd |
				  (__u64)(8 * ob->counter_slot(ob->counter_ctx, ps->site)) << 32);
		sdt_emit(b, BPF_MOV64_IMM(scratch[1], 1));
		sdt_emit(b, BPF_ATOMIC_OP(BPF_DW, BPF_ADD, scratch[0], scratch[1], 0));
	}
	for (k = 0, n = 0; k < 2; k++)
		if (spill & SDT_REG_BIT(scratch[k]))
			sdt_emit(b, BPF_LDX_MEM(BPF_DW, scratch[k], BPF_REG_10,
						-(int)depth - 8 * ++n));
	return b->err;
}

static bool calls_observers(const struct sdt_relink *r, const struct bpf_sdt_probe *probe)
{
	size_t k, lo, hi;

	obs_range(r, probe, &lo, &hi);
	for (k = lo; k < hi; k++)
		if (!r->obs[r->by_probe[k]].inline_count)
			return true;
	return false;
}

/* The sequence replacing one site's NOP, or going before a dynamic site's
 * instruction. */
static int build_site(struct sdt_relink *r, const struct sdt_prog_site *ps, struct site_seq *seq)
{
	const struct bpf_sdt_probe *probe = bpf_sdt_site__probe(ps->site);
	const struct btf *sbtf = bpf_sdt_object__btf(r->t->sdt);
	int nargs = bpf_sdt_probe__arg_cnt(probe), i, nspill, bits, err, home[6];
	__u32 depth = sdt_relink_stack_depth(r, ps), args_base, total;
	struct sdt_insn_buf *b = &seq->code;
	bool is_signed;
	__u16 spill;
	size_t k, o, lo, hi;

	seq->idx = ps->idx;
	seq->insert = ps->insert;
	seq->site = ps->site;
	if (r->e) {
		r->cur = seq;
		return r->e->emit(r->e, r, ps);
	}
	err = emit_inline_counters(r, ps, b);
	if (err || !calls_observers(r, probe))
		return err;
	err = sdt_relink_saves(r, ps, &spill);
	if (err)
		return err;
	/* the registers wait in r6..r9 the target does not need here, out of
	 * the observer's reach, or else on the stack below the arguments */
	nspill = plan_spills(spill, r->regs[ps->idx].live_in, home);
	args_base = depth + 8 * SDT_SLOTS(nargs);
	total = args_base + 8 * nspill;
	if (total > MAX_BPF_STACK) {
		sdt_relink_refuse(r, ps, "the call needs %u bytes of stack below the %u its function uses (limit %u)",
		       total - depth, depth, MAX_BPF_STACK);
		return -E2BIG;
	}

	save_spills(b, spill, home, args_base);
	/* Register arguments first, while nothing is clobbered: the wide ones
	 * and any r0 holds as they are, then the narrow ones widened into r0
	 * (the one temporary) and stored. A dynamic site's register no path
	 * sets there reads as 0. */
	for (i = 0; i < nargs; i++) {
		const struct bpf_sdt_arg_loc *a = bpf_sdt_site__arg(ps->site, i);

		arg_width(sbtf, bpf_sdt_probe__arg_type_id(probe, i), &bits, &is_signed);
		if (a->kind == BPF_SDT_ARG_REG && (bits >= 64 || a->reg == BPF_REG_0))
			sdt_emit(b, BPF_STX_MEM(BPF_DW, BPF_REG_10, a->reg,
						-(int)args_base + 8 * i));
		else if (a->kind == BPF_SDT_ARG_NONE)
			sdt_emit(b, BPF_ST_MEM(BPF_DW, BPF_REG_10, -(int)args_base + 8 * i, 0));
	}
	for (i = 0; i < nargs; i++) {
		const struct bpf_sdt_arg_loc *a = bpf_sdt_site__arg(ps->site, i);

		arg_width(sbtf, bpf_sdt_probe__arg_type_id(probe, i), &bits, &is_signed);
		if (a->kind != BPF_SDT_ARG_REG || bits >= 64 || a->reg == BPF_REG_0)
			continue;
		emit_widened(b, BPF_REG_0, a->reg, bits, is_signed);
		sdt_emit(b, BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_0, -(int)args_base + 8 * i));
	}
	/* Arguments 10..12 sit in the site's stack block: r1 = block, r0 = temp. */
	for (i = 0; i < nargs; i++) {
		const struct bpf_sdt_arg_loc *a = bpf_sdt_site__arg(ps->site, i);

		if (a->kind != BPF_SDT_ARG_MEM)
			continue;
		if (a->reg != BPF_REG_1)
			sdt_emit(b, BPF_MOV64_REG(BPF_REG_1, a->reg));
		sdt_emit(b, BPF_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_1, a->off));
		sdt_emit(b, BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_0, -(int)args_base + 8 * i));
	}
	/* The narrow argument r0 held, widened in its slot. */
	for (i = 0; i < nargs; i++) {
		const struct bpf_sdt_arg_loc *a = bpf_sdt_site__arg(ps->site, i);
		int slot = -(int)args_base + 8 * i;

		arg_width(sbtf, bpf_sdt_probe__arg_type_id(probe, i), &bits, &is_signed);
		if (a->kind != BPF_SDT_ARG_REG || bits >= 64 || a->reg != BPF_REG_0)
			continue;
		sdt_emit(b, BPF_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_10, slot));
		sdt_emit(b, BPF_ALU64_IMM(BPF_LSH, BPF_REG_0, 64 - bits));
		sdt_emit(b, BPF_ALU64_IMM(is_signed ? BPF_ARSH : BPF_RSH, BPF_REG_0, 64 - bits));
		sdt_emit(b, BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_0, slot));
	}
	seq->calls = calloc(r->nobs ? r->nobs : 1, sizeof(*seq->calls));
	if (!seq->calls)
		return -ENOMEM;
	sdt_emit(b, BPF_ST_MEM(BPF_DW, BPF_REG_10, -(int)args_base + 8 * SDT_SLOT_SITE(nargs),
		      (__s32)bpf_sdt_site__id(ps->site)));
	obs_range(r, probe, &lo, &hi);
	for (o = lo; o < hi; o++) {
		k = r->by_probe[o];
		if (r->obs[k].inline_count)
			continue;
		if ((__s64)r->obs[k].cookie == (__s32)r->obs[k].cookie) {
			sdt_emit(b, BPF_ST_MEM(BPF_DW, BPF_REG_10,
					       -(int)args_base + 8 * SDT_SLOT_COOKIE(nargs),
					       (__s32)r->obs[k].cookie));
		} else {
			sdt_emit_ld_imm64(b, BPF_REG_0, 0, r->obs[k].cookie);
			sdt_emit(b, BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_0,
						-(int)args_base + 8 * SDT_SLOT_COOKIE(nargs)));
		}
		sdt_emit(b, BPF_MOV64_REG(BPF_REG_1, BPF_REG_10));
		sdt_emit(b, BPF_ALU64_IMM(BPF_ADD, BPF_REG_1, -(int)args_base));
		seq->calls[seq->ncalls++] = (struct call_fixup){ b->cnt, k };
		sdt_emit(b, BPF_CALL_REL(0));
	}
	restore_spills(b, spill, home, args_base);
	return b->err;
}

static int cmp_site_idx(const void *a, const void *b)
{
	const struct sdt_prog_site *x = a, *y = b;

	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static bool observed(const struct sdt_relink *r, const struct bpf_sdt_probe *probe)
{
	size_t lo, hi;

	obs_range(r, probe, &lo, &hi);
	return lo < hi;
}

static int build_sites(struct sdt_relink *r)
{
	struct sdt_prog_site *sites;
	size_t i;
	int err = 0;

	sites = calloc(r->tp->site_cnt ? r->tp->site_cnt : 1, sizeof(*sites));
	r->seqs = calloc(r->tp->site_cnt ? r->tp->site_cnt : 1, sizeof(*r->seqs));
	if (!sites || !r->seqs) {
		free(sites);
		return -ENOMEM;
	}
	memcpy(sites, r->tp->sites, r->tp->site_cnt * sizeof(*sites));
	qsort(sites, r->tp->site_cnt, sizeof(*sites), cmp_site_idx);
	for (i = 0; i < r->tp->site_cnt && !err; i++) {
		struct site_seq *seq;

		if (!(r->e ? r->e->selects(r->e, &sites[i]) :
			     observed(r, bpf_sdt_site__probe(sites[i].site))))
			continue;
		seq = &r->seqs[r->nseqs++];
		/* a sequence jumps within itself: resolved before it is patched in */
		err = build_site(r, &sites[i], seq);
		if (!err) {
			err = sdt_insn_buf_resolve(&seq->code);
			if (err == -E2BIG) /* a label out of the reach of its jump */
				sdt_relink_refuse(r, &sites[i], "its filter's jumps are too long");
		}
	}
	free(sites);
	return err;
}

/* Guards on in the copy: those of observed probes; every one in an
 * emitter's copy (a check reaches the sites inside guarded blocks too). */
static bool guard_on(void *ctx, const struct bpf_sdt_probe *probe)
{
	const struct sdt_relink *r = ctx;

	return r->e || observed(r, probe);
}

/* The copy's own guards map, if any guard is on in it; the target's other
 * maps it keeps. */
static int bind_guards(struct sdt_relink *r)
{
	int fd;

	if (!r->tp->guard_cnt)
		return 0;
	fd = sdt_guards_variant(r->t, r->tp, guard_on, r);
	if (fd == -ENOENT)
		return 0;
	if (fd < 0)
		return fd;
	if (r->tp->guards_unmeasured) {
		close(fd);
		if (r->e)
			snprintf(r->e->reason, sizeof(r->e->reason),
				 "with every guard on, the kernel refuses the program: the stack its guarded blocks use is unknown");
		else
			pr_warn("%s: program %s: with every guard on, the kernel refuses the program: the stack its guarded blocks use is unknown, so none is turned on",
				r->t->name, r->tp->name);
		return -EINVAL;
	}
	sdt_guards_rebind(r->prog.insns, r->patched.cnt, r->tp->guards_map_fd, fd);
	r->guards_on = true;
	r->guards_fd = fd;
	return 0;
}

/* Where original instruction i (or the fills before it) ends up in the
 * armed copy: what func_info and line_info point at. */
static __u32 final_idx(const struct sdt_relink *r, __u32 i)
{
	return r->patched.new_idx[r->filled.p.new_idx[i]];
}

/* Where the sequence replacing the site at original instruction i starts. */
static __u32 site_start(const struct sdt_relink *r, __u32 i)
{
	return r->patched.new_idx[r->filled.pos[i]];
}

/* Filled and patched target, then each observer's code, with the cookie
 * helper turned into a load of the slot after the arguments. */
static int assemble(struct sdt_relink *r)
{
	struct sdt_patch *patches = calloc(r->nseqs ? r->nseqs : 1, sizeof(*patches));
	int cookie_id = sdt_helper_id(SDT_COOKIE_HELPER), err;
	size_t i, k, c;

	if (!patches)
		return -ENOMEM;
	err = sdt_reg_fills_apply(r->tp->cap.insns, r->tp->cap.insn_cnt, &r->fills, &r->filled);
	for (i = 0; i < r->nseqs && !err; i++)
		patches[i] = (struct sdt_patch){ .at = r->filled.pos[r->seqs[i].idx],
						 .insns = r->seqs[i].code.insns,
						 .cnt = r->seqs[i].code.cnt,
						 .insert = r->seqs[i].insert };
	if (!err)
		err = sdt_insns_patch(r->filled.p.insns, r->filled.p.cnt, patches, (__u32)r->nseqs,
				      &r->patched);
	free(patches);
	if (err) {
		pr_warn("%s: program %s: cannot make room for the observer calls (%s)", r->t->name,
			r->tp->name, err == -ERANGE ? "a jump would exceed 32767 instructions" :
			strerror(-err));
		return err;
	}
	for (i = 0; i < r->patched.cnt; i++)
		sdt_emit(&r->prog, r->patched.insns[i]);
	r->obs_base = calloc(r->nobs + emitter_funcs(r) + 1, sizeof(*r->obs_base));
	if (!r->obs_base)
		return -ENOMEM;
	for (k = 0; k < emitter_funcs(r); k++) { /* its signature is all it is for */
		r->obs_base[k] = r->prog.cnt;
		sdt_emit(&r->prog, BPF_MOV64_IMM(BPF_REG_0, 0));
		sdt_emit(&r->prog, BPF_EXIT_INSN());
	}
	for (k = 0; k < r->nobs; k++) {
		const struct sdt_prog_capture *code = r->obs[k].code;
		int nargs = bpf_sdt_probe__arg_cnt(r->obs[k].probe);

		if (r->obs[k].inline_count)
			continue; /* no code of its own: it is in the sites */
		r->obs_base[k] = r->prog.cnt;
		for (i = 0; i < code->insn_cnt; i++) {
			struct bpf_insn insn = code->insns[i];

			if (insn.code == (BPF_JMP | BPF_CALL) && insn.src_reg == 0 &&
			    insn.imm == cookie_id)
				insn = BPF_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_1,
						   8 * SDT_SLOT_COOKIE(nargs));
			sdt_emit(&r->prog, insn);
		}
	}
	for (i = 0; i < r->nseqs; i++) {
		__u32 start = site_start(r, r->seqs[i].idx);

		for (c = 0; c < r->seqs[i].ncalls; c++) {
			__u32 pos = start + r->seqs[i].calls[c].seq_pos;

			r->prog.insns[pos].imm = (__s32)r->obs_base[r->seqs[i].calls[c].obs] - (__s32)(pos + 1);
		}
	}
	for (i = 0; r->e && r->e->placed && i < r->nseqs; i++)
		r->e->placed(r->e, r->seqs[i].site, site_start(r, r->seqs[i].idx));
	return r->prog.err;
}

/* `static int NAME(unsigned long long *ctx)` for an observer libbpfsdt
 * generated, which has no BTF of its own. */
static int add_generated_func(struct btf *btf, const char *name)
{
	int int_id, u64_id, ptr_id, proto_id, err;

	int_id = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	u64_id = btf__add_int(btf, "unsigned long long", 8, 0);
	ptr_id = u64_id < 0 ? u64_id : btf__add_ptr(btf, u64_id);
	if (int_id < 0 || ptr_id < 0)
		return int_id < 0 ? int_id : ptr_id;
	proto_id = btf__add_func_proto(btf, int_id);
	if (proto_id < 0)
		return proto_id;
	err = btf__add_func_param(btf, "ctx", ptr_id);
	if (err)
		return err;
	return btf__add_func(btf, name, BTF_FUNC_STATIC, proto_id);
}

static int merge_btf(struct sdt_relink *r)
{
	const void *raw;
	__u32 size;
	size_t k, j;
	int id;

	raw = btf__raw_data(r->t->btf, &size);
	r->btf = raw ? btf__new(raw, size) : NULL;
	r->obs_type_off = calloc(r->nobs + emitter_funcs(r) + 1, sizeof(*r->obs_type_off));
	r->obs_func_id = calloc(r->nobs + emitter_funcs(r) + 1, sizeof(*r->obs_func_id));
	if (!r->btf || !r->obs_type_off || !r->obs_func_id)
		return -ENOMEM;
	for (k = 0; k < emitter_funcs(r); k++) {
		id = r->e->add_func(r->e, r->btf, k);
		if (id < 0)
			return id;
		r->obs_func_id[k] = id;
	}
	for (k = 0; k < r->nobs; k++) {
		const struct bpf_func_info *main_fi;
		const struct btf_type *fn;

		if (r->obs[k].inline_count)
			continue;
		main_fi = r->obs[k].code->func_info;
		if (!r->obs[k].btf) {
			id = add_generated_func(r->btf, r->obs[k].name);
			if (id < 0)
				return id;
			r->obs_func_id[k] = id;
			continue;
		}
		for (j = 0; j < k && r->obs[j].btf != r->obs[k].btf; j++)
			;
		if (j < k) {
			r->obs_type_off[k] = r->obs_type_off[j];
		} else {
			id = btf__add_btf(r->btf, r->obs[k].btf);
			if (id < 0)
				return id;
			r->obs_type_off[k] = id - 1;
		}
		fn = main_fi ? btf__type_by_id(r->obs[k].btf, main_fi->type_id) : NULL;
		if (!fn || !btf_is_func(fn))
			return -EINVAL;
		/* static: verified as part of the target, not on its own */
		id = btf__add_func(r->btf, r->obs[k].name, BTF_FUNC_STATIC,
				   fn->type + r->obs_type_off[k]);
		if (id < 0)
			return id;
		r->obs_func_id[k] = id;
	}
	/* an armed copy on a live hook says whose it is (armed_mark.h) */
	return r->e ? 0 : sdt_armed_mark_add(r->btf, r->t, r->tp, r->obs, r->nobs,
					     r->guards_on ? r->guards_fd : -1);
}

/* Appends a func_info (8 bytes) or line_info (16 bytes) record. */
static void emit_record(struct sdt_insn_buf *b, const void *rec, __u32 size)
{
	struct bpf_insn chunk[2] = {};

	memcpy(chunk, rec, size);
	for (__u32 i = 0; i < size / sizeof(struct bpf_insn); i++)
		sdt_emit(b, chunk[i]);
}

/* func_info and line_info of the armed copy. Records are kept as raw
 * bytes; the two leading fields of both are insn_off and a BTF id or
 * string offset. */
static int build_ext_info(struct sdt_relink *r)
{
	const struct sdt_prog_capture *c = &r->tp->cap;
	__u32 i;
	size_t k;

	/* The record layouts this code writes; libbpf 1.1 passes exactly these. */
	if (c->func_info_rec_size != sizeof(struct bpf_func_info) ||
	    (c->line_info_cnt && c->line_info_rec_size != sizeof(struct bpf_line_info)))
		return -ENOTSUP;
	for (k = 0; k < r->nobs; k++)
		if (r->obs[k].btf &&
		    (r->obs[k].code->func_info_rec_size != sizeof(struct bpf_func_info) ||
		     (r->obs[k].code->line_info_cnt &&
		      r->obs[k].code->line_info_rec_size != sizeof(struct bpf_line_info))))
			return -ENOTSUP;
	for (i = 0; i < c->func_info_cnt; i++) {
		struct bpf_func_info fi = ((const struct bpf_func_info *)c->func_info)[i];

		fi.insn_off = final_idx(r, fi.insn_off);
		emit_record(&r->func_info, &fi, sizeof(fi));
	}
	for (i = 0; i < c->line_info_cnt; i++) {
		struct bpf_line_info li;

		memcpy(&li, (const char *)c->line_info + (size_t)i * c->line_info_rec_size, sizeof(li));
		li.insn_off = final_idx(r, li.insn_off);
		emit_record(&r->line_info, &li, sizeof(li));
	}
	for (k = 0; k < emitter_funcs(r); k++) {
		struct bpf_func_info fi = { r->obs_base[k], r->obs_func_id[k] };

		emit_record(&r->func_info, &fi, sizeof(fi));
		if (c->line_info_cnt) {
			struct bpf_line_info li = { .insn_off = r->obs_base[k] };
			int fo = btf__add_str(r->btf, "<bpfsdt>");
			int lo = btf__add_str(r->btf, r->e->func_line);

			if (fo < 0 || lo < 0)
				return -ENOMEM;
			li.file_name_off = fo;
			li.line_off = lo;
			emit_record(&r->line_info, &li, sizeof(li));
		}
	}
	for (k = 0; k < r->nobs; k++) {
		const struct sdt_prog_capture *oc = r->obs[k].code;

		if (r->obs[k].inline_count)
			continue;
		if (!r->obs[k].btf) {
			struct bpf_func_info fi = { r->obs_base[k], r->obs_func_id[k] };
			struct bpf_line_info li = { .insn_off = r->obs_base[k] };
			int fo = btf__add_str(r->btf, "<bpfsdt>");
			int lo = btf__add_str(r->btf, "generated observer");

			if (fo < 0 || lo < 0)
				return -ENOMEM;
			li.file_name_off = fo;
			li.line_off = lo;
			emit_record(&r->func_info, &fi, sizeof(fi));
			if (c->line_info_cnt)
				emit_record(&r->line_info, &li, sizeof(li));
			continue;
		}
		for (i = 0; i < oc->func_info_cnt; i++) {
			struct bpf_func_info fi = ((const struct bpf_func_info *)oc->func_info)[i];

			fi.type_id = i ? fi.type_id + r->obs_type_off[k] : r->obs_func_id[k];
			fi.insn_off += r->obs_base[k];
			emit_record(&r->func_info, &fi, sizeof(fi));
		}
		for (i = 0; i < oc->line_info_cnt; i++) {
			struct bpf_line_info li;
			const char *file, *line;
			int fo, lo;

			memcpy(&li, (const char *)oc->line_info + (size_t)i * oc->line_info_rec_size,
			       sizeof(li));
			file = btf__str_by_offset(r->obs[k].btf, li.file_name_off);
			line = btf__str_by_offset(r->obs[k].btf, li.line_off);
			fo = btf__add_str(r->btf, file ? file : "");
			lo = btf__add_str(r->btf, line ? line : "");
			if (fo < 0 || lo < 0)
				return -ENOMEM;
			li.file_name_off = fo;
			li.line_off = lo;
			li.insn_off += r->obs_base[k];
			emit_record(&r->line_info, &li, sizeof(li));
		}
	}
	return r->func_info.err ? r->func_info.err : r->line_info.err;
}

/* The verifier's reasons, after one line saying what it refused. */
static void report_rejection(const struct sdt_relink *r, const char *log, int err)
{
	pr_warn("%s: program %s: the kernel verifier rejected the armed copy (%s):", r->t->name,
		r->tp->name, strerror(-err));
	sdt_pr_verifier_tail(log);
}

static int load_armed(struct sdt_relink *r)
{
	struct sdt_load_req req = {
		.attrs = &r->tp->cap,
		.name = r->tp->name,
		.license = r->t->sdt->license ? r->t->sdt->license : "",
		.insns = r->prog.insns,
		.insn_cnt = r->prog.cnt,
		.btf_fd = -1,
	};
	int btf_fd, fd, own_fd = -1;
	__u64 start;

	if (r->tp->cap.func_info_cnt && r->own_btf) {
		own_fd = bpf_btf_get_fd_by_id(r->tp->cap.btf_id);
		if (own_fd < 0) {
			btf_fd = -errno;
			pr_warn("%s: program %s: cannot reopen its BTF (id %u): %s", r->t->name,
				r->tp->name, r->tp->cap.btf_id, strerror(-btf_fd));
			return btf_fd;
		}
		req.btf_fd = own_fd;
		req.func_info = r->func_info.insns;
		req.func_info_cnt = r->func_info.cnt;
		req.line_info = r->line_info.insns;
		req.line_info_cnt = r->line_info.cnt * sizeof(struct bpf_insn) /
				    sizeof(struct bpf_line_info);
	} else if (r->tp->cap.func_info_cnt) {
		btf_fd = btf__load_into_kernel(r->btf);
		if (btf_fd && r->e) {
			snprintf(r->e->reason, sizeof(r->e->reason),
				 "the kernel refused the %s's BTF: %s", r->e->name, strerror(-btf_fd));
			return btf_fd;
		}
		if (btf_fd) {
			pr_warn("%s: program %s: the kernel refused the merged BTF: %s", r->t->name,
				r->tp->name, strerror(-btf_fd));
			return btf_fd;
		}
		req.btf_fd = btf__fd(r->btf);
		req.func_info = r->func_info.insns;
		req.func_info_cnt = r->func_info.cnt;
		req.line_info = r->line_info.insns;
		req.line_info_cnt = r->line_info.cnt * sizeof(struct bpf_insn) /
				    sizeof(struct bpf_line_info);
	}
	if (r->e) { /* the caller reads the verifier's reasons, if it asked */
		req.log_level = r->e->log ? 1 : 0;
		req.log_buf = r->e->log;
		req.log_size = r->e->log ? r->e->log_size : 0;
		fd = sdt_prog_load(&req);
		r->e->rejected = fd < 0;
		return fd;
	}
	start = sdt_now_ns();
	fd = sdt_prog_load(&req);
	r->tp->stats.verify_ns = sdt_now_ns() - start;
	r->tp->stats.insn_cnt = r->prog.cnt;
	if (fd >= 0 || r->t->quiet_rejections)
		goto out;
	req.log_level = 1;
	req.log_size = VERIFIER_LOG_SIZE;
	req.log_buf = malloc(VERIFIER_LOG_SIZE);
	if (!req.log_buf) {
		fd = -ENOMEM;
		goto out;
	}
	fd = sdt_prog_load(&req);
	if (fd < 0) /* passed with logging on: keep it */
		report_rejection(r, req.log_buf, fd);
out:
	free(req.log_buf);
	if (own_fd >= 0)
		close(own_fd); /* the program holds the BTF now */
	return fd;
}

static void relink_free(struct sdt_relink *r)
{
	size_t i;

	free(r->own_regs);
	free(r->by_probe);
	for (i = 0; i < r->nseqs; i++) {
		sdt_insn_buf_free(&r->seqs[i].code);
		free(r->seqs[i].calls);
	}
	free(r->seqs);
	sdt_reg_fills_free(&r->fills);
	sdt_filled_free(&r->filled);
	sdt_patched_free(&r->patched);
	sdt_insn_buf_free(&r->prog);
	free(r->obs_base);
	btf__free(r->btf);
	free(r->obs_type_off);
	free(r->obs_func_id);
	if (r->guards_on)
		close(r->guards_fd); /* the copy holds it now */
	sdt_insn_buf_free(&r->func_info);
	sdt_insn_buf_free(&r->line_info);
}

/* Whether a condition at the site compares its arguments. */
static bool compares_args(const struct sdt_relink *r, const struct bpf_sdt_probe *probe)
{
	size_t k, lo, hi;

	obs_range(r, probe, &lo, &hi);
	for (k = lo; k < hi; k++)
		if (counts_per_cpu(&r->obs[r->by_probe[k]]) && r->obs[r->by_probe[k]].cond)
			return true;
	return false;
}

static bool site_reads(void *ctx, const struct bpf_sdt_site *site)
{
	const struct sdt_relink *r = ctx;

	return calls_observers(r, bpf_sdt_site__probe(site)) ||
	       compares_args(r, bpf_sdt_site__probe(site));
}

/* Registers to preserve at each site: live where a site armed with a call
 * reads them, not where one merely could. The program's own analysis (every
 * static site reading) is that when the sites called are exactly the static
 * ones; a check copy uses it as it is. */
static int arming_regs(struct sdt_relink *r)
{
	size_t i;

	r->regs = r->tp->regs;
	if (r->e)
		return 0;
	for (i = 0; i < r->tp->site_cnt; i++)
		if (site_reads(r, r->tp->sites[i].site) == r->tp->sites[i].insert)
			break;
	if (i == r->tp->site_cnt)
		return 0;
	r->own_regs = calloc(r->tp->cap.insn_cnt ? r->tp->cap.insn_cnt : 1, sizeof(*r->own_regs));
	if (!r->own_regs)
		return -ENOMEM;
	r->regs = r->own_regs;
	return sdt_target_prog_analyse(r->tp, site_reads, r, r->own_regs);
}

/*
 * Whether the armed copy can keep the very BTF object the program was loaded
 * with: when nothing joins it that needs types of its own (observer code,
 * check stubs, the mark a live hook's armed copy carries). It must where it
 * can: the verifier matches the types of bpf_list_head/bpf_rb_root fields
 * and their nodes by BTF object, the map's against the program's, and a
 * merged copy of the same types is another object.
 */
static bool keeps_own_btf(const struct sdt_relink *r)
{
	size_t k;

	if (r->e || r->t->hook.kind != SDT_HOOK_NONE || !r->tp->cap.btf_id)
		return false;
	for (k = 0; k < r->nobs; k++)
		if (!r->obs[k].inline_count)
			return false;
	return true;
}

static int relink(struct sdt_relink *r)
{
	struct bpf_sdt_target *t = r->t;
	struct sdt_target_prog *tp = r->tp;
	__u64 start = sdt_now_ns();
	int err;

	err = sdt_target_prog_prepare(t, tp);
	if (!err)
		err = index_obs(r);
	if (!err)
		err = arming_regs(r);
	if (!err)
		err = build_sites(r);
	if (!err)
		err = assemble(r);
	if (!err)
		err = bind_guards(r);
	r->own_btf = keeps_own_btf(r);
	if (!err && tp->cap.func_info_cnt) {
		err = r->own_btf ? 0 : merge_btf(r);
		if (!err)
			err = build_ext_info(r);
		if (err && r->e)
			snprintf(r->e->reason, sizeof(r->e->reason),
				 "cannot combine its BTF with the %s's (%s)", r->e->name, strerror(-err));
		else if (err)
			pr_warn("%s: program %s: cannot combine its BTF with the observers' (%s)",
				t->name, tp->name, strerror(-err));
	}
	if (!r->e)
		tp->stats.build_ns = sdt_now_ns() - start; /* without loading */
	if (!err)
		err = load_armed(r);
	relink_free(r);
	return err;
}

int sdt_relink(struct bpf_sdt_target *t, struct sdt_target_prog *tp,
	       const struct sdt_arm_obs *obs, size_t nobs)
{
	struct sdt_relink r = { .t = t, .tp = tp, .obs = obs, .nobs = nobs };

	return relink(&r);
}

int sdt_relink_emitted(struct bpf_sdt_target *t, struct sdt_target_prog *tp,
		       struct sdt_site_emitter *e)
{
	struct sdt_relink r = { .t = t, .tp = tp, .e = e };

	e->rejected = false;
	e->reason[0] = '\0';
	return relink(&r);
}
