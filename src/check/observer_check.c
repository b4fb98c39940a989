// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * What an observer may do inside someone else's program, proven before it
 * is armed (docs/isolation.md).
 *
 * In the armed copy the observer is a static function of the target: the
 * verifier checks that it is memory safe, not that it leaves the target
 * alone. Its r1 points to the argument array on the target's stack, its
 * pointer arguments are the target's context, packet, stack or map values,
 * and the verifier lets it write through any of them. So every function of
 * the observer is interpreted for provenance (value_analysis.h: SDT_AK_CTX
 * is the argument array, SDT_AK_FOREIGN anything that may derive from the
 * target, through copies, spills, subprograms and callbacks), and the
 * observer is refused, with one line naming the instruction, when
 *  - it reads its argument array outside the arguments and the site's id,
 *    or at an offset that is not a constant;
 *  - a store, an atomic operation or a helper that writes may reach memory
 *    other than its own stack frames, its own map values and its own ring
 *    buffer records;
 *  - it calls a helper outside the list of helper_effects.c, passes a map
 *    that is not one of its own, a kfunc, a tail call, may_goto or a legacy
 *    packet load;
 *  - it names a map its own object did not create (a raw fd, someone else's
 *    map), names one by index, or uses a map that can hold programs,
 *    sockets, devices or other maps;
 *  - a bpf_loop callback may run more than SDT_OBSERVER_LOOP_MAX times per
 *    call, nested loops multiplied.
 * A register that may hold a scalar, or nothing, on some path is no threat
 * there: the verifier refuses any access through it.
 */
#include <bpf/bpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "insn/helper_args.h"
#include "insn/helper_effects.h"
#include "insn/insn_patch.h"
#include "check/observer_check.h"
#include "insn/value_analysis.h"
#include "util/util.h"

#ifndef BPF_ATOMIC
#define BPF_ATOMIC 0xc0
#endif
#ifndef BPF_PSEUDO_KFUNC_CALL
#define BPF_PSEUDO_KFUNC_CALL 2
#endif
#ifndef BPF_JCOND
#define BPF_JCOND 0xe0
#endif

#define K(kind) SDT_AK_BIT(SDT_AK_##kind)

/* Kinds no access can go through: the verifier refuses it on that path. */
#define HARMLESS (K(NONE) | K(UNINIT) | K(SCALAR))
/* The observer's own memory: its frames, its maps' values (and ring
 * buffer records, which the analysis gives that kind). */
#define OWN_MEMORY (K(STACK) | K(MAP_VALUE))

/* A call that enters another function: a subprogram (factor 1) or a
 * bpf_loop callback (factor: its most iterations). */
struct call_edge {
	__u32 insn, caller, callee;
	__s64 factor;
	bool loop;
};

struct checker {
	const struct sdt_observer_check *req;
	const struct sdt_va *va;
	struct call_edge *edges;
	size_t nedges, cap;
};

__attribute__((format(printf, 3, 4)))
static int refuse(const struct checker *c, __u32 i, const char *fmt, ...)
{
	char what[320];
	va_list args;

	va_start(args, fmt);
	vsnprintf(what, sizeof(what), fmt, args);
	va_end(args);
	pr_warn("%s: observer %s (probe %s): insn %u: %s", c->req->file, c->req->observer,
		c->req->probe, i, what);
	return -EINVAL;
}

static const char *helper_name(__s32 id)
{
	const char *name = sdt_helper_name(id);

	return name ? name : "?";
}

/* --- instructions, whatever reaches them ------------------------------------ */

static bool own_map(const struct sdt_observer_check *req, __u32 id)
{
	size_t k;

	for (k = 0; k < req->own_map_cnt; k++)
		if (req->own_map_ids[k] == id)
			return true;
	return false;
}

/* Maps that hold data, nothing else: no programs, sockets, devices or
 * other maps, which updating would put in someone's data path. */
static bool data_map(__u32 type)
{
	switch (type) {
	case BPF_MAP_TYPE_ARRAY:
	case BPF_MAP_TYPE_PERCPU_ARRAY:
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_LRU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
	case BPF_MAP_TYPE_LPM_TRIE:
	case BPF_MAP_TYPE_RINGBUF:
	case BPF_MAP_TYPE_QUEUE:
	case BPF_MAP_TYPE_STACK:
	case BPF_MAP_TYPE_BLOOM_FILTER:
		return true;
	default:
		return false;
	}
}

/* An ld_imm64 naming a map by fd: the map must be the observer's own. */
static int check_map_ref(const struct checker *c, __u32 i, const struct bpf_insn *insn)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);

	if (insn->src_reg == BPF_PSEUDO_MAP_IDX || insn->src_reg == BPF_PSEUDO_MAP_IDX_VALUE)
		return refuse(c, i, "names a map by index (ld_imm64 src %d): observers name their own maps by fd",
			      insn->src_reg);
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(insn->imm, &info, &len))
		return refuse(c, i, "names fd %d as a map, but it is not one", insn->imm);
	if (!own_map(c->req, info.id))
		return refuse(c, i, "uses map %s (id %u), which its own object did not create%s: observers may use only their own maps",
			      info.name, info.id, c->req->own_maps_known ? "" :
			      " (no object was named: pass observer_obj in bpf_sdt_attach_opts to let it use its own)");
	if (!data_map(info.type))
		return refuse(c, i, "uses map %s of type %u, which observers may not use: it can hold programs, sockets, devices or other maps",
			      info.name, info.type);
	return 0;
}

/* The atomic operations the analysis follows: read-modify-write of the
 * destination. (Load-acquire and store-release move values like loads and
 * stores but are encoded as atomics: not followed, so refused.) */
static bool known_atomic(__s32 imm)
{
	switch (imm & ~BPF_FETCH) {
	case BPF_ADD:
	case BPF_AND:
	case BPF_OR:
	case BPF_XOR:
		return true;
	default:
		return imm == BPF_XCHG || imm == BPF_CMPXCHG;
	}
}

static __u32 func_index(const struct sdt_observer_check *req, __u32 insn)
{
	__u32 f = 0;

	while (f + 1 < req->nfuncs && req->funcs[f + 1].start <= insn)
		f++;
	return f;
}

/* A function that may call itself, directly, through others or through
 * callbacks it hands out: the verifier refuses that too, but the loop
 * bound (check_nesting()) relies on it, so it is checked here. */
static int check_recursion(const struct checker *c)
{
	const struct sdt_observer_check *req = c->req;
	__u32 n = req->nfuncs, i, f, g;
	size_t cells = (size_t)n * n;
	__u8 *calls = calloc(cells ? cells : 1, 1);
	bool changed = true;
	int err = 0;

	if (!calls)
		return -ENOMEM;
	for (i = 0; i < req->insn_cnt; i++) {
		const struct bpf_insn *insn = &req->insns[i];
		__s64 to = (__s64)i + 1 + insn->imm;

		if (((insn->code == (BPF_JMP | BPF_CALL) && insn->src_reg == BPF_PSEUDO_CALL) ||
		     (sdt_insn_is_ld_imm64(insn) && insn->src_reg == BPF_PSEUDO_FUNC)) &&
		    to >= 0 && to < req->insn_cnt)
			calls[func_index(req, i) * n + func_index(req, (__u32)to)] = 1;
	}
	/* transitive closure: n is small (functions, not instructions) */
	while (changed) {
		changed = false;
		for (f = 0; f < n; f++)
			for (g = 0; g < n; g++)
				for (i = 0; calls[f * n + g] && i < n; i++)
					if (calls[g * n + i] && !calls[f * n + i])
						calls[f * n + i] = 1, changed = true;
	}
	for (f = 0; f < n && !err; f++)
		if (calls[f * n + f])
			err = refuse(c, req->funcs[f].start,
				     "the function starting here may call itself (through calls or callbacks)");
	free(calls);
	return err;
}

/* Rules that hold in every function, reached or not. */
static int check_insns(const struct checker *c)
{
	const struct bpf_insn *insns = c->req->insns;
	__u32 i;
	int err;

	for (i = 0; i < c->req->insn_cnt; i++) {
		const struct bpf_insn *insn = &insns[i];
		__u8 cls = BPF_CLASS(insn->code);

		if (cls == BPF_STX && BPF_MODE(insn->code) == BPF_ATOMIC && !known_atomic(insn->imm))
			return refuse(c, i, "uses an atomic operation bpfsdt does not follow (imm 0x%x)",
				      insn->imm);
		if ((cls == BPF_JMP || cls == BPF_JMP32) && BPF_SRC(insn->code) == BPF_X &&
		    (BPF_OP(insn->code) == BPF_JA || BPF_OP(insn->code) == BPF_CALL))
			return refuse(c, i, "jumps or calls through a register");
		if (sdt_insn_is_ld_imm64(insn)) {
			i++;
			continue;
		}
		if (cls == BPF_LD)
			return refuse(c, i, "uses a legacy packet load (code 0x%x)", insn->code);
		if ((cls == BPF_JMP || cls == BPF_JMP32) && BPF_OP(insn->code) == BPF_JCOND)
			return refuse(c, i, "uses may_goto, whose loops bpfsdt cannot bound");
		if (cls != BPF_JMP || BPF_OP(insn->code) != BPF_CALL ||
		    insn->src_reg == BPF_PSEUDO_CALL)
			continue;
		if (insn->src_reg == BPF_PSEUDO_KFUNC_CALL)
			return refuse(c, i, "calls a kfunc (#%d); observers may only call allowed helpers",
				      insn->imm);
		if (insn->src_reg || !sdt_helper_effect(insn->imm))
			return refuse(c, i, "calls helper %s (#%d), which observers may not use: it could change what the target does or needs a context the target does not have",
				      helper_name(insn->imm), insn->imm);
	}
	/* then the maps it names (a forbidden helper says more) */
	for (i = 0; i < c->req->insn_cnt; i++) {
		const struct bpf_insn *insn = &insns[i];

		if (!sdt_insn_is_ld_imm64(insn))
			continue;
		switch (insn->src_reg) {
		case BPF_PSEUDO_MAP_FD:
		case BPF_PSEUDO_MAP_VALUE:
		case BPF_PSEUDO_MAP_IDX:
		case BPF_PSEUDO_MAP_IDX_VALUE:
			err = check_map_ref(c, i, insn);
			if (err)
				return err;
			break;
		default:
			break;
		}
		i++;
	}
	return 0;
}

/* --- what reaches each instruction --------------------------------------------- */

/* The bytes of the argument array an observer may read: its arguments and
 * the calling site's id (the cookie only through bpf_get_attach_cookie). */
static __s64 readable_args(const struct checker *c)
{
	return 8 * ((__s64)c->req->nargs + 1);
}

static int check_arg_read(const struct checker *c, __u32 i, const struct sdt_aval *base,
			  __s64 off, __s64 size)
{
	__s64 at = (__s64)base->off + off;

	if (!(sdt_av_kinds(base) & K(CTX)))
		return 0;
	if (base->kind != SDT_AK_CTX || (base->flags & SDT_AV_VAR_OFF))
		return refuse(c, i, "reads its arguments at a computed offset");
	if (at < 0 || at + size > readable_args(c))
		return refuse(c, i, "reads context offset %lld, but probe %s has %d arguments and then the site's id",
			      (long long)at, c->req->probe, c->req->nargs);
	return 0;
}

/* what: "writes through", "atomically updates through", "lets bpf_x
 * write through". */
static int check_own(const struct checker *c, __u32 i, const struct sdt_va_state *st, int reg,
		     const char *what)
{
	const struct sdt_aval *v = &st->regs[reg];
	__u16 bad = sdt_av_kinds(v) & ~(OWN_MEMORY | HARMLESS);
	char holds[160];

	if (!bad)
		return 0;
	if (bad & K(CTX))
		return refuse(c, i, "%s r%d into its argument array, which is on the target's stack",
			      what, reg);
	if (bad & K(FOREIGN))
		return refuse(c, i, "%s r%d, which may point into the target's memory", what, reg);
	return refuse(c, i, "%s r%d, which holds %s, not its own stack, map value or ring buffer record",
		      what, reg, sdt_av_describe(v, holds, sizeof(holds)));
}

static int add_edge(struct checker *c, __u32 i, __u32 callee, __s64 factor, bool loop)
{
	if (sdt_reserve((void **)&c->edges, &c->cap, c->nedges, sizeof(*c->edges), 16))
		return -ENOMEM;
	c->edges[c->nedges++] = (struct call_edge){ i, sdt_va_func_of(c->va, i), callee, factor,
						    loop };
	return 0;
}

static int check_loop(struct checker *c, __u32 i, const struct sdt_va_state *st)
{
	const struct sdt_aval *nr = &st->regs[BPF_REG_1], *cb = &st->regs[BPF_REG_2];
	__u32 callee;

	if (cb->kind != SDT_AK_FUNC || cb->aux >= c->req->insn_cnt ||
	    c->req->funcs[sdt_va_func_of(c->va, cb->aux)].start != cb->aux)
		return refuse(c, i, "passes bpf_loop a callback bpfsdt cannot name");
	callee = sdt_va_func_of(c->va, cb->aux);
	if (nr->kind != SDT_AK_SCALAR || (nr->flags & SDT_AV_MAYBE_UNINIT) ||
	    nr->smin < 0 || nr->smax > SDT_OBSERVER_LOOP_MAX)
		return nr->kind == SDT_AK_SCALAR && nr->smin >= 0 && nr->smax != INT64_MAX ?
		       refuse(c, i, "calls bpf_loop for up to %lld iterations (limit %d per call of the observer)",
			      (long long)nr->smax, SDT_OBSERVER_LOOP_MAX) :
		       refuse(c, i, "calls bpf_loop for a number of iterations bpfsdt cannot bound (limit %d per call of the observer)",
			      SDT_OBSERVER_LOOP_MAX);
	return add_edge(c, i, callee, nr->smax, true);
}

/* A memory argument read by the helper: the argument array only inside
 * its readable part, with a size the analysis knows. */
static int check_read_arg(const struct checker *c, __u32 i, const struct sdt_va_state *st,
			  const struct sdt_helper_effect *e, int k)
{
	const struct sdt_aval *v = &st->regs[k];
	__s64 size;

	if (!(sdt_av_kinds(v) & K(CTX)))
		return 0;
	if (!e->size_reg[k] || !sdt_av_is_const(&st->regs[e->size_reg[k]], &size) || size < 0)
		return refuse(c, i, "lets %s read its argument array (r%d) for a size bpfsdt cannot bound",
			      e->name, k);
	return check_arg_read(c, i, v, 0, size);
}

static int check_helper(struct checker *c, __u32 i, const struct sdt_va_state *st)
{
	const struct bpf_insn *insn = &c->req->insns[i];
	const struct sdt_helper_effect *e = sdt_helper_effect(insn->imm);
	int nargs = sdt_helper_nargs(insn->imm), k, err;
	const struct sdt_aval *r1 = &st->regs[BPF_REG_1];
	char what[96], holds[160];

	if (!e) /* check_insns() said so already */
		return refuse(c, i, "calls helper #%d", insn->imm);
	if (insn->imm == BPF_FUNC_get_attach_cookie) {
		/* the relinker turns it into a load of the cookie slot through r1 */
		if (r1->kind != SDT_AK_CTX || r1->off || (r1->flags & SDT_AV_VAR_OFF))
			return refuse(c, i, "calls %s with r1 other than its context", e->name);
		return 0;
	}
	for (k = BPF_REG_1; k <= BPF_REG_5 && k <= nargs; k++) {
		const struct sdt_aval *v = &st->regs[k];
		__u16 kinds = sdt_av_kinds(v);

		if (e->maps & SDT_HR(k)) {
			if (kinds & ~(K(MAP_PTR) | HARMLESS))
				return refuse(c, i, "passes %s r%d as its map, but r%d holds %s, not one of its own maps",
					      e->name, k, k, sdt_av_describe(v, holds, sizeof(holds)));
		} else if (e->writes & SDT_HR(k)) {
			snprintf(what, sizeof(what), "lets %s write through", e->name);
			err = check_own(c, i, st, k, what);
			if (err)
				return err;
		} else if (e->reads & SDT_HR(k)) {
			err = check_read_arg(c, i, st, e, k);
			if (err)
				return err;
		} else if (e->callback & SDT_HR(k)) {
			err = check_loop(c, i, st);
			if (err)
				return err;
		} else if ((kinds & K(CTX)) && !(k > BPF_REG_1 && (e->callback & SDT_HR(k - 1)))) {
			/* (a callback's context is followed into the callback) */
			return refuse(c, i, "passes its argument array (r%d) to %s", k, e->name);
		}
	}
	return 0;
}

static int visit(void *ctx, __u32 i, const struct sdt_va_state *st)
{
	struct checker *c = ctx;
	const struct bpf_insn *insn = &c->req->insns[i];
	__u8 cls = BPF_CLASS(insn->code);
	bool atomic = cls == BPF_STX && BPF_MODE(insn->code) == BPF_ATOMIC;
	int err;

	switch (cls) {
	case BPF_LDX:
		return check_arg_read(c, i, &st->regs[insn->src_reg], insn->off,
				      sdt_insn_mem_size(insn->code));
	case BPF_ST:
	case BPF_STX:
		err = check_own(c, i, st, insn->dst_reg,
				atomic ? "atomically updates through" : "writes through");
		if (!err && atomic) /* it reads there too */
			err = check_arg_read(c, i, &st->regs[insn->dst_reg], insn->off,
					     sdt_insn_mem_size(insn->code));
		return err;
	case BPF_JMP:
		if (BPF_OP(insn->code) != BPF_CALL)
			return 0;
		if (insn->src_reg == BPF_PSEUDO_CALL)
			return add_edge(c, i, sdt_va_func_of(c->va, i + 1 + insn->imm), 1, false);
		return check_helper(c, i, st);
	default:
		return 0;
	}
}

/* Iterations each function may run per call of the observer: the product
 * of the bpf_loop counts on the way to it. Without recursion the longest
 * chain has nfuncs edges; a longer one is a cycle. */
static int check_nesting(const struct checker *c)
{
	__u32 n = c->req->nfuncs, round;
	__u64 *runs = calloc(n ? n : 1, sizeof(*runs));
	bool changed = true;
	size_t k;
	int err = 0;

	if (!runs)
		return -ENOMEM;
	runs[0] = 1;
	for (round = 0; round <= n && changed; round++) {
		changed = false;
		for (k = 0; k < c->nedges; k++) {
			const struct call_edge *e = &c->edges[k];
			__u64 r = runs[e->caller] * (__u64)e->factor;

			if (r > SDT_OBSERVER_LOOP_MAX)
				r = SDT_OBSERVER_LOOP_MAX + 1; /* refused below: keep it finite */
			if (r > runs[e->callee]) {
				runs[e->callee] = r;
				changed = true;
			}
		}
	}
	if (changed)
		err = refuse(c, c->nedges ? c->edges[0].insn : 0,
			     "its functions call each other in a cycle");
	for (k = 0; k < c->nedges && !err; k++) {
		const struct call_edge *e = &c->edges[k];

		if (e->loop && runs[e->caller] > 1 &&
		    runs[e->caller] * (__u64)e->factor > SDT_OBSERVER_LOOP_MAX)
			err = refuse(c, e->insn, "calls bpf_loop for up to %lld iterations inside callbacks already run up to %llu times (limit %d per call of the observer)",
				     (long long)e->factor, (unsigned long long)runs[e->caller],
				     SDT_OBSERVER_LOOP_MAX);
	}
	free(runs);
	return err;
}

int sdt_observer_check(const struct sdt_observer_check *req)
{
	struct sdt_va_observer obs = { .nargs = req->nargs, .scalar_args = req->scalar_args };
	struct sdt_va_input in = {
		.insns = req->insns,
		.insn_cnt = req->insn_cnt,
		.funcs = req->funcs,
		.nfuncs = req->nfuncs,
		.observer = &obs,
	};
	struct checker c = { .req = req };
	struct sdt_va *va = NULL;
	int err;

	if (!req->insn_cnt || !req->nfuncs || req->funcs[0].start)
		return -EINVAL;
	err = check_insns(&c);
	if (!err)
		err = check_recursion(&c);
	if (err)
		return err;
	err = sdt_va_run(&in, &va);
	if (err == -EINVAL)
		return refuse(&c, 0, "bpfsdt cannot follow its control flow (a jump or call leaving its functions, or an instruction it does not know)");
	if (err == -E2BIG)
		return refuse(&c, 0, "is too complex for bpfsdt to prove that it leaves the target alone");
	if (err)
		return err;
	c.va = va;
	err = sdt_va_walk(va, visit, &c);
	if (!err)
		err = check_nesting(&c);
	sdt_va_free(va);
	free(c.edges);
	return err;
}
