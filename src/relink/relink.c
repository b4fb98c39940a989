// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
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
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "relink/armed_mark.h"
#include "check/findings.h"
#include "insn/helper_args.h"
#include "insn/insn_patch.h"
#include "check/observer_check.h"
#include "target/prog_load.h"
#include "insn/reg_fill.h"
#include "relink/relink.h"

#define MAX_BPF_STACK 512
#define VERIFIER_LOG_SIZE (1u << 20)

struct insn_buf {
	struct bpf_insn *insns;
	__u32 cnt, cap;
	int err;
};

static void emit(struct insn_buf *b, struct bpf_insn insn)
{
	if (b->err)
		return;
	if (b->cnt == b->cap) {
		__u32 cap = b->cap ? b->cap * 2 : 64;
		struct bpf_insn *n = realloc(b->insns, cap * sizeof(*n));

		if (!n) {
			b->err = -ENOMEM;
			return;
		}
		b->insns = n;
		b->cap = cap;
	}
	b->insns[b->cnt++] = insn;
}

#define ST_DW(dst, o, i) ((struct bpf_insn){ BPF_ST | BPF_MEM | BPF_DW, dst, 0, o, i })
#define STX_DW(dst, src, o) ((struct bpf_insn){ BPF_STX | BPF_MEM | BPF_DW, dst, src, o, 0 })
#define LDX_DW(dst, src, o) ((struct bpf_insn){ BPF_LDX | BPF_MEM | BPF_DW, dst, src, o, 0 })
#define LDX_B(dst, src, o) ((struct bpf_insn){ BPF_LDX | BPF_MEM | BPF_B, dst, src, o, 0 })
#define ALU64_IMM(op, dst, i) ((struct bpf_insn){ BPF_ALU64 | (op) | BPF_K, dst, 0, 0, i })
#define MOV64_REG(dst, src) ((struct bpf_insn){ BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0 })
#define CALL_PSEUDO() ((struct bpf_insn){ BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 0 })

static void emit_ld_imm64(struct insn_buf *b, __u8 dst, __u64 v)
{
	emit(b, (struct bpf_insn){ BPF_LD | BPF_IMM | BPF_DW, dst, 0, 0, (__s32)(__u32)v });
	emit(b, (struct bpf_insn){ 0, 0, 0, 0, (__s32)(__u32)(v >> 32) });
}

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

struct call_fixup {
	__u32 seq_pos;	/* position of the call inside the site's sequence */
	size_t obs;	/* index into the observer array */
};

struct site_seq {
	__u32 idx;	/* the NOP, or the instruction a dynamic site precedes */
	bool insert;
	struct insn_buf code;
	struct call_fixup *calls;
	size_t ncalls;
};

struct relink {
	struct bpf_sdt_target *t;
	struct sdt_target_prog *tp;
	const struct sdt_arm_obs *obs;
	size_t nobs;
	struct site_seq *seqs;
	size_t nseqs;
	struct sdt_reg_fills fills;	/* registers to set where they become
					 * undefined (reg_analysis.h) */
	struct sdt_filled filled;	/* the target with those fills */
	struct sdt_patched patched;	/* the filled target with the sites */
	const struct sdt_reg_state *regs; /* of the original, for this arming */
	bool own_btf;			/* the program's own BTF object (keeps_own_btf) */
	struct sdt_reg_state *own_regs;	/* when dynamic sites make them differ */
	struct insn_buf prog;		/* final armed instructions */
	__u32 *obs_base;		/* where each observer's code starts */
	struct btf *btf;
	__u32 *obs_type_off;		/* BTF id shift of each observer */
	__u32 *obs_func_id;		/* the static FUNC added for each */
	struct insn_buf func_info;	/* raw records (8-byte units) */
	struct insn_buf line_info;	/* raw records, 16-byte units */
	/* check copies: the sites check their arguments instead of calling
	 * observers, through typed stubs and loads */
	struct sdt_check_req *check;
	struct sdt_check_stub *stubs;
	size_t nstubs;
	struct call_fixup *check_reads;	/* one site's argument reads and */
	struct call_fixup *check_calls;	/* checks (seq_pos, argument), */
	struct call_fixup *check_ends;	/* and where each check ends */
	size_t ncheck_reads, ncheck_calls, ncheck_ends;
	const struct site_seq *check_seq; /* the sequence they are in */
};

/* `int __sdt_check_PROBE_ARG(T arg)`: what one argument is checked against. */
struct sdt_check_stub {
	const struct bpf_sdt_probe *probe;
	int arg;
};

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

static void save_spills(struct insn_buf *b, __u16 spill, const int home[6], __u32 args_base)
{
	int reg, i;

	for (reg = 0, i = 0; reg <= 5; reg++) {
		if (!(spill & SDT_REG_BIT(reg)))
			continue;
		if (home[reg] >= 0)
			emit(b, MOV64_REG(home[reg], reg));
		else
			emit(b, STX_DW(BPF_REG_10, reg, -(int)(args_base + 8 * ++i)));
	}
}

static void restore_spills(struct insn_buf *b, __u16 spill, const int home[6], __u32 args_base)
{
	int reg, i;

	for (reg = 0, i = 0; reg <= 5; reg++) {
		if (!(spill & SDT_REG_BIT(reg)))
			continue;
		if (home[reg] >= 0)
			emit(b, MOV64_REG(reg, home[reg]));
		else
			emit(b, LDX_DW(reg, BPF_REG_10, -(int)(args_base + 8 * ++i)));
	}
}

enum sdt_arg_check sdt_arg_check_kind(const struct btf *btf, __u32 id, enum bpf_prog_type type,
				      __u32 *mem_size)
{
	const struct btf_type *t = btf__type_by_id(btf, btf__resolve_type(btf, id));
	struct sdt_arg_requirement req;

	*mem_size = 0;
	if (!t || !(btf_is_int(t) || btf_is_enum(t) || btf_is_enum64(t) || btf_is_ptr(t)))
		return SDT_ARG_CHECK_NONE; /* not a type a site can pass */
	sdt_arg_requirement(btf, id, type, &req);
	switch (req.req) {
	case SDT_REQ_SCALAR:
	case SDT_REQ_CTX:
		return SDT_ARG_CHECK_STUB;
	case SDT_REQ_PTR:
		*mem_size = req.mem_size;
		return req.mem_size ? SDT_ARG_CHECK_MEM : SDT_ARG_CHECK_NONE;
	}
	return SDT_ARG_CHECK_NONE;
}

/* The index of the stub checking argument arg of probe, added on first use. */
static int check_stub(struct relink *r, const struct bpf_sdt_probe *probe, int arg)
{
	struct sdt_check_stub *n;
	size_t k;

	for (k = 0; k < r->nstubs; k++)
		if (r->stubs[k].probe == probe && r->stubs[k].arg == arg)
			return (int)k;
	n = realloc(r->stubs, (r->nstubs + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	r->stubs = n;
	r->stubs[r->nstubs] = (struct sdt_check_stub){ probe, arg };
	return (int)r->nstubs++;
}

static int note(struct call_fixup **v, size_t *n, __u32 pos, size_t arg)
{
	struct call_fixup *g = realloc(*v, (*n + 1) * sizeof(**v));

	if (!g)
		return -ENOMEM;
	*v = g;
	g[(*n)++] = (struct call_fixup){ pos, arg };
	return 0;
}

/* Why a site cannot be armed or checked: a warning when arming, the
 * check's reason when checking (the check reports it as its outcome). */
__attribute__((format(printf, 3, 4)))
static void refuse(struct relink *r, const struct sdt_prog_site *ps, const char *fmt, ...)
{
	char why[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (r->check) {
		snprintf(r->check->reason, sizeof(r->check->reason), "%s", why);
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
static int site_saves(struct relink *r, const struct sdt_prog_site *ps, __u16 *spill)
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
			refuse(r, ps, "r%d is live after the site but not set on every path to it, and on some path it comes unset from the kernel into a callback, so no call can be inserted that preserves it",
			       reg);
			return -EINVAL;
		}
		if (err)
			return err;
		*spill |= SDT_REG_BIT(reg);
	}
	return 0;
}

static int count_regs(__u16 set)
{
	return __builtin_popcount(set);
}

/*
 * A check copy's site (relink.h): the caller-saved registers saved as for an
 * observer call, the arguments stored in u64 slots below the function's
 * stack, each checked from its slot (a fill restores a pointer's type and
 * reference), the registers restored, and on with the program.
 */
static int build_check_site(struct relink *r, const struct sdt_prog_site *ps, struct site_seq *seq)
{
	const struct bpf_sdt_probe *probe = bpf_sdt_site__probe(ps->site);
	const struct btf *sbtf = bpf_sdt_object__btf(r->t->sdt);
	int nargs = bpf_sdt_probe__arg_cnt(probe), i, k, err;
	__u32 depth = (r->tp->stack_depth[ps->func] + 7) & ~7u, base, total, size;
	bool one = r->check->site != NULL;
	struct insn_buf *b = &seq->code;
	/* no observer runs here: the stack keeps what the check clobbers */
	static const int on_stack[6] = { -1, -1, -1, -1, -1, -1 };
	__u16 spill;

	err = site_saves(r, ps, &spill);
	if (err)
		return err;
	base = depth + 8 * nargs;
	total = base + 8 * count_regs(spill);
	if (total > MAX_BPF_STACK) {
		refuse(r, ps, "checking needs %u bytes of stack below the %u its function uses (limit %u)",
		       total - depth, depth, MAX_BPF_STACK);
		return -E2BIG;
	}
	seq->idx = ps->idx;
	seq->calls = calloc(nargs + 1, sizeof(*seq->calls));
	if (!seq->calls)
		return -ENOMEM;
	save_spills(b, spill, on_stack, base);
	for (i = 0; i < nargs && !err; i++) {
		const struct bpf_sdt_arg_loc *a = bpf_sdt_site__arg(ps->site, i);

		if (r->check->skip_args & (1u << i))
			continue; /* already found bad: not even read */
		if (one)
			err = note(&r->check_reads, &r->ncheck_reads, b->cnt, i);
		if (a->kind == BPF_SDT_ARG_MEM) {
			emit(b, LDX_DW(BPF_REG_0, a->reg, a->off));
			emit(b, STX_DW(BPF_REG_10, BPF_REG_0, -(int)base + 8 * i));
		} else {
			emit(b, STX_DW(BPF_REG_10, a->reg, -(int)base + 8 * i));
		}
	}
	for (i = 0; i < nargs && !err; i++) {
		__u32 type_id = bpf_sdt_probe__arg_type_id(probe, i);
		enum sdt_arg_check kind = sdt_arg_check_kind(sbtf, type_id, r->tp->cap.type, &size);

		if ((r->check->skip_args & (1u << i)) || kind == SDT_ARG_CHECK_NONE)
			continue;
		if (one)
			err = note(&r->check_calls, &r->ncheck_calls, b->cnt, i);
		if (kind == SDT_ARG_CHECK_STUB) {
			k = check_stub(r, probe, i);
			if (k < 0)
				return k;
			emit(b, LDX_DW(BPF_REG_1, BPF_REG_10, -(int)base + 8 * i));
			seq->calls[seq->ncalls++] = (struct call_fixup){ b->cnt, (size_t)k };
			emit(b, CALL_PSEUDO());
		} else {
			emit(b, LDX_DW(BPF_REG_2, BPF_REG_10, -(int)base + 8 * i));
			emit(b, ALU64_IMM(BPF_ADD, BPF_REG_2, 1));
			emit(b, LDX_B(BPF_REG_0, BPF_REG_2, -1));
			emit(b, ALU64_IMM(BPF_ADD, BPF_REG_2, (__s32)size - 1));
			emit(b, LDX_B(BPF_REG_0, BPF_REG_2, -1));
		}
		if (one && !err)
			err = note(&r->check_ends, &r->ncheck_ends, b->cnt, i);
	}
	restore_spills(b, spill, on_stack, base);
	if (!b->cnt) /* nothing left to check: the NOP stays */
		emit(b, (struct bpf_insn){ BPF_JMP | BPF_JA, 0, 0, 0, 0 });
	if (one)
		r->check_seq = seq;
	return err ? err : b->err;
}

/* The sequence replacing one site's NOP. */
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

/* counter += 1 for each inline-counting observer of the site's probe. */
static int emit_inline_counters(struct relink *r, const struct sdt_prog_site *ps,
				struct insn_buf *b)
{
	const struct bpf_sdt_probe *probe = bpf_sdt_site__probe(ps->site);
	__u32 depth = (r->tp->stack_depth[ps->func] + 7) & ~7u;
	int scratch[2], k, n, err;
	__u16 spill;
	size_t o;

	for (o = 0; o < r->nobs && !(r->obs[o].probe == probe && r->obs[o].inline_count); o++)
		;
	if (o == r->nobs)
		return 0;
	err = pick_scratch(&r->regs[ps->idx], ps->insert, scratch, &spill);
	if (err) {
		refuse(r, ps, "every register is live and some are not set on every path: none can hold the counter");
		return err;
	}
	if (depth + 8 * count_regs(spill) > MAX_BPF_STACK) {
		refuse(r, ps, "no stack left to free two registers for the counter");
		return -E2BIG;
	}
	for (k = 0, n = 0; k < 2; k++)
		if (spill & SDT_REG_BIT(scratch[k]))
			emit(b, STX_DW(BPF_REG_10, scratch[k], -(int)depth - 8 * ++n));
	for (; o < r->nobs; o++) {
		const struct sdt_arm_obs *ob = &r->obs[o];

		if (ob->probe != probe || !ob->inline_count)
			continue;
		emit(b, (struct bpf_insn){ BPF_LD | BPF_IMM | BPF_DW, scratch[0], BPF_PSEUDO_MAP_VALUE,
					   0, ob->counter_fd });
		emit(b, (struct bpf_insn){ 0, 0, 0, 0,
					   (__s32)(8 * ob->counter_slot(ob->counter_ctx, ps->site)) });
		emit(b, ALU64_IMM(BPF_MOV, scratch[1], 1));
		emit(b, (struct bpf_insn){ BPF_STX | 0xc0 /* BPF_ATOMIC */ | BPF_DW, scratch[0],
					   scratch[1], 0, BPF_ADD });
	}
	for (k = 0, n = 0; k < 2; k++)
		if (spill & SDT_REG_BIT(scratch[k]))
			emit(b, LDX_DW(scratch[k], BPF_REG_10, -(int)depth - 8 * ++n));
	return b->err;
}

static bool calls_observers(const struct relink *r, const struct bpf_sdt_probe *probe)
{
	size_t k;

	for (k = 0; k < r->nobs; k++)
		if (r->obs[k].probe == probe && !r->obs[k].inline_count)
			return true;
	return false;
}

/* The sequence replacing one site's NOP, or going before a dynamic site's
 * instruction. */
static int build_site(struct relink *r, const struct sdt_prog_site *ps, struct site_seq *seq)
{
	const struct bpf_sdt_probe *probe = bpf_sdt_site__probe(ps->site);
	const struct btf *sbtf = bpf_sdt_object__btf(r->t->sdt);
	int nargs = bpf_sdt_probe__arg_cnt(probe), i, nspill, bits, err, home[6];
	__u32 depth = (r->tp->stack_depth[ps->func] + 7) & ~7u, args_base, total;
	struct insn_buf *b = &seq->code;
	bool is_signed;
	__u16 spill;
	size_t k;

	if (r->check)
		return build_check_site(r, ps, seq);
	seq->idx = ps->idx;
	seq->insert = ps->insert;
	err = emit_inline_counters(r, ps, b);
	if (err || !calls_observers(r, probe))
		return err;
	err = site_saves(r, ps, &spill);
	if (err)
		return err;
	/* the registers wait in r6..r9 the target does not need here, out of
	 * the observer's reach, or else on the stack below the arguments */
	nspill = plan_spills(spill, r->regs[ps->idx].live_in, home);
	args_base = depth + 8 * SDT_SLOTS(nargs);
	total = args_base + 8 * nspill;
	if (total > MAX_BPF_STACK) {
		refuse(r, ps, "the call needs %u bytes of stack below the %u its function uses (limit %u)",
		       total - depth, depth, MAX_BPF_STACK);
		return -E2BIG;
	}

	save_spills(b, spill, home, args_base);
	/* Register arguments first: nothing is clobbered yet. A dynamic
	 * site's register no path sets there reads as 0. */
	for (i = 0; i < nargs; i++) {
		const struct bpf_sdt_arg_loc *a = bpf_sdt_site__arg(ps->site, i);

		if (a->kind == BPF_SDT_ARG_REG)
			emit(b, STX_DW(BPF_REG_10, a->reg, -(int)args_base + 8 * i));
		else if (a->kind == BPF_SDT_ARG_NONE)
			emit(b, ST_DW(BPF_REG_10, -(int)args_base + 8 * i, 0));
	}
	/* Arguments 10..12 sit in the site's stack block: r1 = block, r0 = temp. */
	for (i = 0; i < nargs; i++) {
		const struct bpf_sdt_arg_loc *a = bpf_sdt_site__arg(ps->site, i);

		if (a->kind != BPF_SDT_ARG_MEM)
			continue;
		if (a->reg != BPF_REG_1)
			emit(b, MOV64_REG(BPF_REG_1, a->reg));
		emit(b, LDX_DW(BPF_REG_0, BPF_REG_1, a->off));
		emit(b, STX_DW(BPF_REG_10, BPF_REG_0, -(int)args_base + 8 * i));
	}
	/* A register holds a narrow value with undefined upper bits. */
	for (i = 0; i < nargs; i++) {
		const struct bpf_sdt_arg_loc *a = bpf_sdt_site__arg(ps->site, i);
		int slot = -(int)args_base + 8 * i;

		arg_width(sbtf, bpf_sdt_probe__arg_type_id(probe, i), &bits, &is_signed);
		if (a->kind != BPF_SDT_ARG_REG || bits >= 64)
			continue;
		emit(b, LDX_DW(BPF_REG_0, BPF_REG_10, slot));
		emit(b, ALU64_IMM(BPF_LSH, BPF_REG_0, 64 - bits));
		emit(b, ALU64_IMM(is_signed ? BPF_ARSH : BPF_RSH, BPF_REG_0, 64 - bits));
		emit(b, STX_DW(BPF_REG_10, BPF_REG_0, slot));
	}
	seq->calls = calloc(r->nobs ? r->nobs : 1, sizeof(*seq->calls));
	if (!seq->calls)
		return -ENOMEM;
	emit(b, ST_DW(BPF_REG_10, -(int)args_base + 8 * SDT_SLOT_SITE(nargs),
		      (__s32)bpf_sdt_site__id(ps->site)));
	for (k = 0; k < r->nobs; k++) {
		if (r->obs[k].probe != probe || r->obs[k].inline_count)
			continue;
		emit_ld_imm64(b, BPF_REG_0, r->obs[k].cookie);
		emit(b, STX_DW(BPF_REG_10, BPF_REG_0, -(int)args_base + 8 * SDT_SLOT_COOKIE(nargs)));
		emit(b, MOV64_REG(BPF_REG_1, BPF_REG_10));
		emit(b, ALU64_IMM(BPF_ADD, BPF_REG_1, -(int)args_base));
		seq->calls[seq->ncalls++] = (struct call_fixup){ b->cnt, k };
		emit(b, CALL_PSEUDO());
	}
	restore_spills(b, spill, home, args_base);
	return b->err;
}

static int cmp_site_idx(const void *a, const void *b)
{
	const struct sdt_prog_site *x = a, *y = b;

	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static bool observed(const struct relink *r, const struct bpf_sdt_probe *probe)
{
	size_t k;

	for (k = 0; k < r->nobs; k++)
		if (r->obs[k].probe == probe)
			return true;
	return false;
}

static int build_sites(struct relink *r)
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
	for (i = 0; i < r->tp->site_cnt && !err; i++)
		if (r->check ? (!r->check->site || r->check->site == sites[i].site) &&
			       !sites[i].insert :
			       observed(r, bpf_sdt_site__probe(sites[i].site)))
			err = build_site(r, &sites[i], &r->seqs[r->nseqs++]);
	free(sites);
	return err;
}

/* Where original instruction i (or the fills before it) ends up in the
 * armed copy: what func_info and line_info point at. */
static __u32 final_idx(const struct relink *r, __u32 i)
{
	return r->patched.new_idx[r->filled.p.new_idx[i]];
}

/* Where the sequence replacing the site at original instruction i starts. */
static __u32 site_start(const struct relink *r, __u32 i)
{
	return r->patched.new_idx[r->filled.pos[i]];
}

/* Filled and patched target, then each observer's code, with the cookie
 * helper turned into a load of the slot after the arguments. */
static int assemble(struct relink *r)
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
		emit(&r->prog, r->patched.insns[i]);
	r->obs_base = calloc(r->nobs + r->nstubs + 1, sizeof(*r->obs_base));
	if (!r->obs_base)
		return -ENOMEM;
	for (k = 0; k < r->nstubs; k++) { /* its signature is all a stub is for */
		r->obs_base[k] = r->prog.cnt;
		emit(&r->prog, ALU64_IMM(BPF_MOV, BPF_REG_0, 0));
		emit(&r->prog, (struct bpf_insn){ BPF_JMP | BPF_EXIT, 0, 0, 0, 0 });
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
				insn = LDX_DW(BPF_REG_0, BPF_REG_1, 8 * SDT_SLOT_COOKIE(nargs));
			emit(&r->prog, insn);
		}
	}
	for (i = 0; i < r->nseqs; i++) {
		__u32 start = site_start(r, r->seqs[i].idx);

		for (c = 0; c < r->seqs[i].ncalls; c++) {
			__u32 pos = start + r->seqs[i].calls[c].seq_pos;

			r->prog.insns[pos].imm = (__s32)r->obs_base[r->seqs[i].calls[c].obs] - (__s32)(pos + 1);
		}
	}
	if (r->check_seq) {
		__u32 start = site_start(r, r->check_seq->idx);
		struct sdt_check_req *q = r->check;

		for (i = 0; i < r->ncheck_reads; i++)
			q->arg_read[r->check_reads[i].obs] = start + r->check_reads[i].seq_pos;
		for (i = 0; i < r->ncheck_calls; i++)
			q->arg_check[r->check_calls[i].obs] = start + r->check_calls[i].seq_pos;
		for (i = 0; i < r->ncheck_ends; i++)
			q->arg_check_end[r->check_ends[i].obs] = start + r->check_ends[i].seq_pos;
	}
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

/* `int __sdt_check_PROBE_ARG(T arg)`, global: the verifier checks every
 * call's argument against the declared type. */
static int add_check_stub_func(struct relink *r, const struct sdt_check_stub *st)
{
	char name[BPF_OBJ_NAME_LEN * 4];
	int int_id, proto_id, err;

	int_id = btf__add_int(r->btf, "int", 4, BTF_INT_SIGNED);
	proto_id = int_id < 0 ? int_id : btf__add_func_proto(r->btf, int_id);
	if (proto_id < 0)
		return proto_id;
	err = btf__add_func_param(r->btf, "arg", bpf_sdt_probe__arg_type_id(st->probe, st->arg));
	if (err)
		return err;
	snprintf(name, sizeof(name), "__sdt_check_%s_%d", bpf_sdt_probe__name(st->probe), st->arg);
	return btf__add_func(r->btf, name, BTF_FUNC_GLOBAL, proto_id);
}

static int merge_btf(struct relink *r)
{
	const void *raw;
	__u32 size;
	size_t k, j;
	int id;

	raw = btf__raw_data(r->t->btf, &size);
	r->btf = raw ? btf__new(raw, size) : NULL;
	r->obs_type_off = calloc(r->nobs + r->nstubs + 1, sizeof(*r->obs_type_off));
	r->obs_func_id = calloc(r->nobs + r->nstubs + 1, sizeof(*r->obs_func_id));
	if (!r->btf || !r->obs_type_off || !r->obs_func_id)
		return -ENOMEM;
	for (k = 0; k < r->nstubs; k++) {
		id = add_check_stub_func(r, &r->stubs[k]);
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
	return r->check ? 0 : sdt_armed_mark_add(r->btf, r->t, r->tp, r->obs, r->nobs);
}

/* Appends a func_info (8 bytes) or line_info (16 bytes) record. */
static void emit_record(struct insn_buf *b, const void *rec, __u32 size)
{
	struct bpf_insn chunk[2] = {};

	memcpy(chunk, rec, size);
	for (__u32 i = 0; i < size / sizeof(struct bpf_insn); i++)
		emit(b, chunk[i]);
}

/* func_info and line_info of the armed copy. Records are kept as raw
 * bytes; the two leading fields of both are insn_off and a BTF id or
 * string offset. */
static int build_ext_info(struct relink *r)
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
	for (k = 0; k < r->nstubs; k++) {
		struct bpf_func_info fi = { r->obs_base[k], r->obs_func_id[k] };

		emit_record(&r->func_info, &fi, sizeof(fi));
		if (c->line_info_cnt) {
			struct bpf_line_info li = { .insn_off = r->obs_base[k] };
			int fo = btf__add_str(r->btf, "<bpfsdt>");
			int lo = btf__add_str(r->btf, "argument check");

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
static void report_rejection(const struct relink *r, const char *log, int err)
{
	pr_warn("%s: program %s: the kernel verifier rejected the armed copy (%s):", r->t->name,
		r->tp->name, strerror(-err));
	sdt_pr_verifier_tail(log);
}

static int load_armed(struct relink *r)
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
		if (btf_fd && r->check) {
			snprintf(r->check->reason, sizeof(r->check->reason),
				 "the kernel refused the check copy's BTF: %s", strerror(-btf_fd));
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
	if (r->check) { /* the caller reads the verifier's reasons, if it asked */
		req.log_level = r->check->log ? 1 : 0;
		req.log_buf = r->check->log;
		req.log_size = r->check->log ? r->check->log_size : 0;
		fd = sdt_prog_load(&req);
		r->check->rejected = fd < 0;
		return fd;
	}
	start = sdt_now_ns();
	fd = sdt_prog_load(&req);
	r->tp->stats.verify_ns = sdt_now_ns() - start;
	r->tp->stats.insn_cnt = r->prog.cnt;
	if (fd >= 0)
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

static void relink_free(struct relink *r)
{
	size_t i;

	free(r->own_regs);
	for (i = 0; i < r->nseqs; i++) {
		free(r->seqs[i].code.insns);
		free(r->seqs[i].calls);
	}
	free(r->seqs);
	sdt_reg_fills_free(&r->fills);
	sdt_filled_free(&r->filled);
	sdt_patched_free(&r->patched);
	free(r->prog.insns);
	free(r->obs_base);
	btf__free(r->btf);
	free(r->obs_type_off);
	free(r->obs_func_id);
	free(r->func_info.insns);
	free(r->line_info.insns);
	free(r->stubs);
	free(r->check_reads);
	free(r->check_calls);
	free(r->check_ends);
}

static bool dynamic_site_called(void *ctx, const struct bpf_sdt_site *site)
{
	const struct relink *r = ctx;

	return !r->check && calls_observers(r, bpf_sdt_site__probe(site));
}

/* Registers to preserve at each site: the program's analysis, unless a
 * dynamic site is armed with a call and so reads registers of its own. */
static int arming_regs(struct relink *r)
{
	size_t i;

	r->regs = r->tp->regs;
	for (i = 0; i < r->tp->site_cnt; i++)
		if (r->tp->sites[i].insert && dynamic_site_called(r, r->tp->sites[i].site))
			break;
	if (i == r->tp->site_cnt)
		return 0;
	r->own_regs = calloc(r->tp->cap.insn_cnt ? r->tp->cap.insn_cnt : 1, sizeof(*r->own_regs));
	if (!r->own_regs)
		return -ENOMEM;
	r->regs = r->own_regs;
	return sdt_target_prog_analyse(r->tp, dynamic_site_called, r, r->own_regs);
}

/*
 * Whether the armed copy can keep the very BTF object the program was loaded
 * with: when nothing joins it that needs types of its own (observer code,
 * check stubs, the mark a live hook's armed copy carries). It must where it
 * can: the verifier matches the types of bpf_list_head/bpf_rb_root fields
 * and their nodes by BTF object, the map's against the program's, and a
 * merged copy of the same types is another object.
 */
static bool keeps_own_btf(const struct relink *r)
{
	size_t k;

	if (r->check || r->t->hook.kind != SDT_HOOK_NONE || !r->tp->cap.btf_id)
		return false;
	for (k = 0; k < r->nobs; k++)
		if (!r->obs[k].inline_count)
			return false;
	return true;
}

static int relink(struct relink *r)
{
	struct bpf_sdt_target *t = r->t;
	struct sdt_target_prog *tp = r->tp;
	__u64 start = sdt_now_ns();
	int err;

	err = sdt_target_prog_prepare(t, tp);
	if (!err)
		err = arming_regs(r);
	if (!err)
		err = build_sites(r);
	if (!err)
		err = assemble(r);
	r->own_btf = keeps_own_btf(r);
	if (!err && tp->cap.func_info_cnt) {
		err = r->own_btf ? 0 : merge_btf(r);
		if (!err)
			err = build_ext_info(r);
		if (err && r->check)
			snprintf(r->check->reason, sizeof(r->check->reason),
				 "cannot combine its BTF with the check's (%s)", strerror(-err));
		else if (err)
			pr_warn("%s: program %s: cannot combine its BTF with the observers' (%s)",
				t->name, tp->name, strerror(-err));
	}
	if (!r->check)
		tp->stats.build_ns = sdt_now_ns() - start; /* without loading */
	if (!err)
		err = load_armed(r);
	relink_free(r);
	return err;
}

int sdt_relink(struct bpf_sdt_target *t, struct sdt_target_prog *tp,
	       const struct sdt_arm_obs *obs, size_t nobs)
{
	struct relink r = { .t = t, .tp = tp, .obs = obs, .nobs = nobs };

	return relink(&r);
}

int sdt_relink_check(struct bpf_sdt_target *t, struct sdt_target_prog *tp,
		     struct sdt_check_req *req)
{
	struct relink r = { .t = t, .tp = tp, .check = req };
	int fd;

	req->rejected = false;
	req->reason[0] = '\0';
	memset(req->arg_read, 0xff, sizeof(req->arg_read));
	memset(req->arg_check, 0xff, sizeof(req->arg_check));
	memset(req->arg_check_end, 0xff, sizeof(req->arg_check_end));
	if (!tp->cap.func_info_cnt) {
		snprintf(req->reason, sizeof(req->reason),
			 "program %s has no BTF to declare the check's functions with", tp->name);
		return -ENOTSUP;
	}
	fd = relink(&r);
	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}
