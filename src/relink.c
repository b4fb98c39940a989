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
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check.h"
#include "helper_args.h"
#include "insn_patch.h"
#include "observer_check.h"
#include "prog_load.h"
#include "relink.h"

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
	__u32 idx;	/* the NOP */
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
	struct sdt_patched patched;
	struct insn_buf prog;		/* final armed instructions */
	__u32 *obs_base;		/* where each observer's code starts */
	struct btf *btf;
	__u32 *obs_type_off;		/* BTF id shift of each observer */
	__u32 *obs_func_id;		/* the static FUNC added for each */
	struct insn_buf func_info;	/* raw records (8-byte units) */
	struct insn_buf line_info;	/* raw records, 16-byte units */
	/* check copies: the sites call typed stubs instead of observers */
	struct sdt_check_req *check;
	struct sdt_check_stub *stubs;
	size_t nstubs;
};

/* Where a check stub's parameters come from: up to SDT_CHECK_STUB_ARGS
 * arguments of one probe that the kernel can check. */
struct sdt_check_stub {
	const struct bpf_sdt_probe *probe;
	int part;
	int args[SDT_CHECK_STUB_ARGS];	/* probe argument of each parameter */
	int nargs;
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

/* Can the kernel check a value of BTF type id as a global function's
 * parameter? Scalars and pointers to sized types or to the context: yes.
 * A `void *` gives the verifier nothing to check. */
static bool kernel_checkable(const struct btf *btf, __u32 id)
{
	const struct btf_type *t = btf__type_by_id(btf, btf__resolve_type(btf, id));

	if (!t)
		return false;
	if (!btf_is_ptr(t))
		return true;
	t = btf__type_by_id(btf, btf__resolve_type(btf, t->type));
	return t && (btf_is_int(t) || btf_is_enum(t) || btf_is_enum64(t) || btf_is_composite(t));
}

/* The stub taking part `part` of probe's checkable arguments, added on
 * first use; -1 when that part has none. */
static int check_stub(struct relink *r, const struct bpf_sdt_probe *probe, int part)
{
	const struct btf *sbtf = bpf_sdt_object__btf(r->t->sdt);
	struct sdt_check_stub st = { .probe = probe, .part = part }, *n;
	int i, seen = 0;
	size_t k;

	for (k = 0; k < r->nstubs; k++)
		if (r->stubs[k].probe == probe && r->stubs[k].part == part)
			return (int)k;
	for (i = 0; i < bpf_sdt_probe__arg_cnt(probe); i++) {
		if (!kernel_checkable(sbtf, bpf_sdt_probe__arg_type_id(probe, i)))
			continue;
		if (seen++ / SDT_CHECK_STUB_ARGS == part)
			st.args[st.nargs++] = i;
	}
	if (!st.nargs)
		return -1;
	n = realloc(r->stubs, (r->nstubs + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	r->stubs = n;
	r->stubs[r->nstubs] = st;
	return (int)r->nstubs++;
}

int sdt_check_stub_param_arg(const struct bpf_sdt_target *t, const struct bpf_sdt_probe *probe,
			     int part, int param)
{
	const struct btf *sbtf = bpf_sdt_object__btf(t->sdt);
	int i, seen = 0;

	for (i = 0; i < bpf_sdt_probe__arg_cnt(probe); i++)
		if (kernel_checkable(sbtf, bpf_sdt_probe__arg_type_id(probe, i)) &&
		    seen++ == part * SDT_CHECK_STUB_ARGS + param)
			return i;
	return -1;
}

/*
 * A check copy's site: the arguments go to u64 slots below the function's
 * stack, then each stub gets its share in r1..r5, filled from the slots (a
 * fill restores a pointer's type), and the function returns 0: the copy
 * exists to verify the paths to this one site, so nothing needs to survive
 * the calls and nothing after them needs verifying again.
 */
static int build_check_site(struct relink *r, const struct sdt_prog_site *ps, struct site_seq *seq)
{
	const struct bpf_sdt_probe *probe = bpf_sdt_site__probe(ps->site);
	int nargs = bpf_sdt_probe__arg_cnt(probe), part, k, i;
	__u32 depth = (r->tp->stack_depth[ps->func] + 7) & ~7u, base = depth + 8 * nargs;
	struct insn_buf *b = &seq->code;

	if (base > MAX_BPF_STACK) {
		pr_debug("%s: probe %s at %s insn %u (program %s): checking needs %u bytes of stack below the %u its function uses (limit %u)",
			 r->t->name, bpf_sdt_probe__name(probe), site_fn(ps),
			 bpf_sdt_site__insn(ps->site), r->tp->name, base - depth, depth, MAX_BPF_STACK);
		return -E2BIG;
	}
	seq->idx = ps->idx;
	seq->calls = calloc(BPF_SDT_MAX_ARGS / SDT_CHECK_STUB_ARGS + 1, sizeof(*seq->calls));
	if (!seq->calls)
		return -ENOMEM;
	for (i = 0; i < nargs; i++) {
		const struct bpf_sdt_arg_loc *a = bpf_sdt_site__arg(ps->site, i);

		if (a->kind == BPF_SDT_ARG_MEM) {
			emit(b, LDX_DW(BPF_REG_0, a->reg, a->off));
			emit(b, STX_DW(BPF_REG_10, BPF_REG_0, -(int)base + 8 * i));
		} else {
			emit(b, STX_DW(BPF_REG_10, a->reg, -(int)base + 8 * i));
		}
	}
	for (part = 0; (k = check_stub(r, probe, part)) >= 0; part++) {
		const struct sdt_check_stub *st = &r->stubs[k];

		for (i = 0; i < st->nargs; i++)
			emit(b, LDX_DW(BPF_REG_1 + i, BPF_REG_10, -(int)base + 8 * st->args[i]));
		seq->calls[seq->ncalls++] = (struct call_fixup){ b->cnt, (size_t)k };
		emit(b, CALL_PSEUDO());
	}
	if (k != -1)
		return k;
	/* return 0, through a branch the verifier knows is never taken: the
	 * code after the site stays reachable, as its CFG check demands */
	emit(b, ALU64_IMM(BPF_MOV, BPF_REG_0, 0));
	emit(b, (struct bpf_insn){ BPF_JMP | BPF_JNE | BPF_K, BPF_REG_0, 0, 1, 0 });
	emit(b, (struct bpf_insn){ BPF_JMP | BPF_EXIT, 0, 0, 0, 0 });
	return b->err;
}

/* The sequence replacing one site's NOP. */
static int build_site(struct relink *r, const struct sdt_prog_site *ps, struct site_seq *seq)
{
	const struct bpf_sdt_probe *probe = bpf_sdt_site__probe(ps->site);
	const struct btf *sbtf = bpf_sdt_object__btf(r->t->sdt);
	const struct sdt_reg_state *st = &r->tp->regs[ps->idx];
	int nargs = bpf_sdt_probe__arg_cnt(probe), i, reg, nspill, bits, home[6];
	__u16 spill = st->live_in & SDT_CALLER_SAVED, uninit = spill & ~st->init_in;
	__u32 depth = (r->tp->stack_depth[ps->func] + 7) & ~7u, args_base, total;
	struct insn_buf *b = &seq->code;
	bool is_signed;
	size_t k;

	if (r->check)
		return build_check_site(r, ps, seq);
	if (uninit) {
		for (reg = 0; !(uninit & SDT_REG_BIT(reg)); reg++)
			;
		pr_warn("%s: probe %s at %s insn %u (program %s): r%d is live after the site but not set on every path to it, so the observer call cannot preserve it",
			r->t->name, bpf_sdt_probe__name(probe), site_fn(ps),
			bpf_sdt_site__insn(ps->site), r->tp->name, reg);
		return -EINVAL;
	}
	nspill = plan_spills(spill, st->live_in, home);
	args_base = depth + 8 * SDT_SLOTS(nargs);
	total = args_base + 8 * nspill;
	if (total > MAX_BPF_STACK) {
		pr_warn("%s: probe %s at %s insn %u (program %s): the call needs %u bytes of stack below the %u its function uses (limit %u)",
			r->t->name, bpf_sdt_probe__name(probe), site_fn(ps),
			bpf_sdt_site__insn(ps->site), r->tp->name, total - depth, depth, MAX_BPF_STACK);
		return -E2BIG;
	}
	seq->idx = ps->idx;

	save_spills(b, spill, home, args_base);
	/* Register arguments first: nothing is clobbered yet. */
	for (i = 0; i < nargs; i++) {
		const struct bpf_sdt_arg_loc *a = bpf_sdt_site__arg(ps->site, i);

		if (a->kind == BPF_SDT_ARG_REG)
			emit(b, STX_DW(BPF_REG_10, a->reg, -(int)args_base + 8 * i));
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
		if (r->obs[k].probe != probe)
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
		if (r->check ? !r->check->site || r->check->site == sites[i].site :
			       observed(r, bpf_sdt_site__probe(sites[i].site)))
			err = build_site(r, &sites[i], &r->seqs[r->nseqs++]);
	free(sites);
	return err;
}

/* Patched target, then each observer's code, with the cookie helper turned
 * into a load of the slot after the arguments. */
static int assemble(struct relink *r)
{
	struct sdt_patch *patches = calloc(r->nseqs ? r->nseqs : 1, sizeof(*patches));
	int cookie_id = sdt_helper_id(SDT_COOKIE_HELPER), err;
	size_t i, k, c;

	if (!patches)
		return -ENOMEM;
	for (i = 0; i < r->nseqs; i++)
		patches[i] = (struct sdt_patch){ r->seqs[i].idx, r->seqs[i].code.insns,
						 r->seqs[i].code.cnt };
	err = sdt_insns_patch(r->tp->cap.insns, r->tp->cap.insn_cnt, patches, (__u32)r->nseqs,
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
		__u32 start = r->patched.new_idx[r->seqs[i].idx];

		for (c = 0; c < r->seqs[i].ncalls; c++) {
			__u32 pos = start + r->seqs[i].calls[c].seq_pos;

			r->prog.insns[pos].imm = (__s32)r->obs_base[r->seqs[i].calls[c].obs] - (__s32)(pos + 1);
		}
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

/* `int __sdt_check_PROBE_PART(T0 arg0, ...)`, global: the verifier checks
 * every call's arguments against these declared types. */
static int add_check_stub_func(struct relink *r, const struct sdt_check_stub *st)
{
	char name[BPF_OBJ_NAME_LEN * 4], param[16];
	int int_id, proto_id, func_id, i, err;

	int_id = btf__add_int(r->btf, "int", 4, BTF_INT_SIGNED);
	proto_id = int_id < 0 ? int_id : btf__add_func_proto(r->btf, int_id);
	if (proto_id < 0)
		return proto_id;
	for (i = 0; i < st->nargs; i++) {
		snprintf(param, sizeof(param), "arg%d", st->args[i]);
		err = btf__add_func_param(r->btf, param,
					  bpf_sdt_probe__arg_type_id(st->probe, st->args[i]));
		if (err)
			return err;
	}
	snprintf(name, sizeof(name), "__sdt_check_%s_%d", bpf_sdt_probe__name(st->probe), st->part);
	func_id = btf__add_func(r->btf, name, BTF_FUNC_GLOBAL, proto_id);
	/* a global function's pointer parameters may be NULL unless tagged */
	for (i = 0; i < st->nargs && func_id > 0; i++) {
		struct sdt_arg_requirement req;

		sdt_arg_requirement(r->btf, bpf_sdt_probe__arg_type_id(st->probe, st->args[i]),
				    r->tp->cap.type, &req);
		if (req.req == SDT_REQ_PTR &&
		    (err = btf__add_decl_tag(r->btf, "arg:nonnull", func_id, i)) < 0)
			return err;
	}
	return func_id;
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
		const struct bpf_func_info *main_fi = r->obs[k].code->func_info;
		const struct btf_type *fn;

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
	return 0;
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

		fi.insn_off = r->patched.new_idx[fi.insn_off];
		emit_record(&r->func_info, &fi, sizeof(fi));
	}
	for (i = 0; i < c->line_info_cnt; i++) {
		struct bpf_line_info li;

		memcpy(&li, (const char *)c->line_info + (size_t)i * c->line_info_rec_size, sizeof(li));
		li.insn_off = r->patched.new_idx[li.insn_off];
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
	int btf_fd, fd;
	__u64 start;

	if (r->tp->cap.func_info_cnt) {
		btf_fd = btf__load_into_kernel(r->btf);
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
	if (r->check) { /* the caller reads the verifier's reasons */
		req.log_level = 2;
		req.log_buf = r->check->log;
		req.log_size = r->check->log_size;
		fd = sdt_prog_load(&req);
		r->check->rejected = fd < 0;
		return fd;
	}
	start = sdt_now_ns();
	fd = sdt_prog_load(&req);
	r->tp->stats.verify_ns = sdt_now_ns() - start;
	r->tp->stats.insn_cnt = r->prog.cnt;
	if (fd >= 0)
		return fd;
	req.log_level = 1;
	req.log_size = VERIFIER_LOG_SIZE;
	req.log_buf = malloc(VERIFIER_LOG_SIZE);
	if (!req.log_buf)
		return -ENOMEM;
	fd = sdt_prog_load(&req);
	if (fd >= 0) /* passed with logging on: keep it */
		goto out;
	report_rejection(r, req.log_buf, fd);
out:
	free(req.log_buf);
	return fd;
}

static void relink_free(struct relink *r)
{
	size_t i;

	for (i = 0; i < r->nseqs; i++) {
		free(r->seqs[i].code.insns);
		free(r->seqs[i].calls);
	}
	free(r->seqs);
	sdt_patched_free(&r->patched);
	free(r->prog.insns);
	free(r->obs_base);
	btf__free(r->btf);
	free(r->obs_type_off);
	free(r->obs_func_id);
	free(r->func_info.insns);
	free(r->line_info.insns);
	free(r->stubs);
}

static int relink(struct relink *r)
{
	struct bpf_sdt_target *t = r->t;
	struct sdt_target_prog *tp = r->tp;
	__u64 start = sdt_now_ns();
	int err;

	err = sdt_target_prog_prepare(t, tp);
	if (!err)
		err = build_sites(r);
	if (!err)
		err = assemble(r);
	if (!err && tp->cap.func_info_cnt) {
		err = merge_btf(r);
		if (!err)
			err = build_ext_info(r);
		if (err)
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
	if (!tp->cap.func_info_cnt) {
		pr_warn("%s: program %s has no BTF: its sites cannot be checked by the kernel",
			t->name, tp->name);
		return -ENOTSUP;
	}
	fd = relink(&r);
	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}
