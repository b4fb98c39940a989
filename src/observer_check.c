// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * What an observer may do inside someone else's program.
 *
 * The kernel verifies the observer once as a raw tracepoint program and
 * again inside the armed copy, but neither verification knows the probe: the
 * armed copy passes a pointer to an array of exactly nargs arguments (plus
 * the site's id and the cookie) on the target's stack, and a read past it would silently read
 * the target's stack. Nor would the verifier stop an observer from writing
 * packets or redirecting them. So before arming, the observer's code is
 * followed with a small forward dataflow (may-analysis, union at joins) that
 * knows which registers and stack slots hold its context pointer and which
 * hold values derived from pointer arguments, and refuses:
 *  - context reads outside the probe's arguments and the site's id, or at
 *    computed offsets;
 *  - stores or atomics through the context or through pointer arguments;
 *  - helpers outside a read-only/observing allowlist, kfuncs, legacy packet
 *    loads, and passing the context or argument pointers to subprograms or
 *    to helper arguments that write or call back.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "helper_args.h"
#include "insn_patch.h"
#include "observer_check.h"
#include "reg_analysis.h"

#ifndef BPF_ATOMIC
#define BPF_ATOMIC 0xc0
#endif
#ifndef BPF_PSEUDO_KFUNC_CALL
#define BPF_PSEUDO_KFUNC_CALL 2
#endif

#define STACK_SLOTS 64

enum {
	F_CTX = 1,	/* the context pointer itself (offset 0) */
	F_CTXVAR = 2,	/* the context plus an unknown offset */
	F_ARGPTR = 4,	/* derived from a pointer argument */
};

struct obs_state {
	__u8 reg[11];
	__u8 slot[STACK_SLOTS];
};

/* Helpers an observer may call, and which of their arguments (bit k for
 * rk) they write through or hand to a callback. */
static const struct {
	const char *name;
	__u8 writes;
} allowed_helpers[] = {
	{ "bpf_map_lookup_elem", 0 },
	{ "bpf_map_update_elem", 0 },
	{ "bpf_map_delete_elem", 0 },
	{ "bpf_map_push_elem", 0 },
	{ "bpf_map_pop_elem", 1 << 2 },
	{ "bpf_map_peek_elem", 1 << 2 },
	{ "bpf_ktime_get_ns", 0 },
	{ "bpf_ktime_get_boot_ns", 0 },
	{ "bpf_ktime_get_coarse_ns", 0 },
	{ "bpf_ktime_get_tai_ns", 0 },
	{ "bpf_jiffies64", 0 },
	{ "bpf_trace_printk", 0 },
	{ "bpf_trace_vprintk", 0 },
	{ "bpf_snprintf", 1 << 1 },
	{ "bpf_get_prandom_u32", 0 },
	{ "bpf_get_smp_processor_id", 0 },
	{ "bpf_get_numa_node_id", 0 },
	{ "bpf_ringbuf_output", 0 },
	{ "bpf_ringbuf_reserve", 0 },
	{ "bpf_ringbuf_submit", 0 },
	{ "bpf_ringbuf_discard", 0 },
	{ "bpf_ringbuf_query", 0 },
	{ "bpf_spin_lock", 0 },
	{ "bpf_spin_unlock", 0 },
	{ "bpf_loop", 1 << 3 },
	{ SDT_COOKIE_HELPER, 0 },
};

struct checker {
	const struct sdt_observer_check *req;
	const struct bpf_insn *insns;
	__u32 end;	/* the observer's main function */
	struct obs_state *in;
	bool *reached;
};

__attribute__((format(printf, 3, 4)))
static int refuse(const struct checker *c, __u32 i, const char *fmt, ...)
{
	char what[256];
	va_list args;

	va_start(args, fmt);
	vsnprintf(what, sizeof(what), fmt, args);
	va_end(args);
	pr_warn("%s: observer %s (probe %s): insn %u: %s", c->req->file, c->req->observer,
		c->req->probe, i, what);
	return -EINVAL;
}

static int helper_writes(const char *name)
{
	size_t i;

	for (i = 0; name && i < sizeof(allowed_helpers) / sizeof(allowed_helpers[0]); i++)
		if (!strcmp(allowed_helpers[i].name, name))
			return allowed_helpers[i].writes;
	return -1;
}

static int check_call(const struct checker *c, __u32 i, struct obs_state *s)
{
	const struct bpf_insn *insn = &c->insns[i];
	const char *name = sdt_helper_name(insn->imm);
	int writes, k, nargs;

	if (insn->src_reg == BPF_PSEUDO_KFUNC_CALL)
		return refuse(c, i, "calls a kfunc (#%d); observers may only call allowed helpers",
			      insn->imm);
	if (insn->src_reg == BPF_PSEUDO_CALL) {
		for (k = 1; k <= 5; k++)
			if (s->reg[k])
				return refuse(c, i, "passes %s in r%d to a subprogram, where bpfsdt cannot follow it",
					      s->reg[k] & F_ARGPTR ? "a pointer argument" : "its context", k);
		return 0;
	}
	writes = helper_writes(name);
	if (writes < 0)
		return refuse(c, i, "calls helper %s (#%d), which observers may not use: it could change what the target does or needs a context the target does not have",
			      name ? name : "?", insn->imm);
	nargs = sdt_helper_nargs(insn->imm);
	for (k = 1; k <= nargs && k <= 5; k++) {
		bool cookie_ctx = k == 1 && !strcmp(name, SDT_COOKIE_HELPER) && s->reg[k] == F_CTX;

		if ((s->reg[k] & (F_CTX | F_CTXVAR)) && !cookie_ctx)
			return refuse(c, i, "passes its context to %s (argument %d)", name, k);
		if ((s->reg[k] & F_ARGPTR) && (writes & (1 << k)))
			return refuse(c, i, "lets %s write through a pointer argument (argument %d)", name, k);
	}
	return 0;
}

static int check_ctx_load(const struct checker *c, __u32 i, __u8 base, __u8 *dst)
{
	const struct bpf_insn *insn = &c->insns[i];
	int size = insn->code == (BPF_LDX | BPF_MEM | BPF_DW) ? 8 :
		   BPF_SIZE(insn->code) == BPF_W ? 4 : BPF_SIZE(insn->code) == BPF_H ? 2 : 1;
	int arg = insn->off / 8;

	if (base & F_CTXVAR)
		return refuse(c, i, "reads its arguments at a computed offset");
	/* the arguments, then the calling site's id */
	if (insn->off < 0 || insn->off + size > 8 * (c->req->nargs + 1))
		return refuse(c, i, "reads context offset %d, but probe %s has %d arguments and then the site's id",
			      insn->off, c->req->probe, c->req->nargs);
	*dst = size == 8 && (c->req->ptr_args & (1u << arg)) ? F_ARGPTR : 0;
	return 0;
}

/* Applies insn i to *s (a copy of its in-state), or refuses it. */
static int step(const struct checker *c, __u32 i, struct obs_state *s)
{
	const struct bpf_insn *insn = &c->insns[i];
	__u8 cls = BPF_CLASS(insn->code), d = insn->dst_reg, sr = insn->src_reg;
	bool r10_slot = insn->off < 0 && insn->off >= -8 * STACK_SLOTS && !(insn->off % 8);
	int slot = r10_slot ? (-insn->off / 8) - 1 : -1, err, k;

	if (d > 10 || sr > 10)
		return refuse(c, i, "uses invalid register r%d", d > 10 ? d : sr);
	switch (cls) {
	case BPF_ALU64:
		if (BPF_OP(insn->code) == BPF_MOV) {
			s->reg[d] = BPF_SRC(insn->code) == BPF_X ? s->reg[sr] : 0;
			return 0;
		}
		s->reg[d] |= BPF_SRC(insn->code) == BPF_X ? s->reg[sr] : 0;
		if (s->reg[d] & (F_CTX | F_CTXVAR))
			s->reg[d] = (s->reg[d] & ~F_CTX) | F_CTXVAR;
		return 0;
	case BPF_ALU:
		s->reg[d] = 0; /* 32-bit results are scalars */
		return 0;
	case BPF_LD:
		if (!sdt_insn_is_ld_imm64(insn))
			return refuse(c, i, "uses a legacy packet load (code 0x%x)", insn->code);
		s->reg[d] = 0;
		return 0;
	case BPF_LDX:
		if (s->reg[sr] & (F_CTX | F_CTXVAR))
			return check_ctx_load(c, i, s->reg[sr], &s->reg[d]);
		s->reg[d] = sr == BPF_REG_10 && slot >= 0 && BPF_SIZE(insn->code) == BPF_DW ?
			    s->slot[slot] : 0;
		return 0;
	case BPF_ST:
	case BPF_STX:
		if (s->reg[d] & (F_CTX | F_CTXVAR))
			return refuse(c, i, "writes to its context (through r%d)", d);
		if (s->reg[d] & F_ARGPTR)
			return refuse(c, i, "writes through a pointer argument (r%d)", d);
		if (cls == BPF_STX && BPF_MODE(insn->code) == BPF_ATOMIC) {
			s->reg[sr] = 0;
			s->reg[0] = 0;
		} else if (d == BPF_REG_10 && slot >= 0) {
			s->slot[slot] = cls == BPF_STX && BPF_SIZE(insn->code) == BPF_DW ? s->reg[sr] : 0;
		}
		return 0;
	default:
		if (BPF_OP(insn->code) != BPF_CALL)
			return 0;
		err = check_call(c, i, s);
		for (k = 0; k <= 5; k++)
			s->reg[k] = 0;
		return err;
	}
}

static bool merge(struct obs_state *into, const struct obs_state *from)
{
	bool changed = false;
	size_t k;

	for (k = 0; k < sizeof(into->reg); k++) {
		changed |= (into->reg[k] | from->reg[k]) != into->reg[k];
		into->reg[k] |= from->reg[k];
	}
	for (k = 0; k < STACK_SLOTS; k++) {
		changed |= (into->slot[k] | from->slot[k]) != into->slot[k];
		into->slot[k] |= from->slot[k];
	}
	return changed;
}

/* Helper and kfunc rules hold in every function of the observer. */
static int check_calls_everywhere(const struct checker *c, __u32 cnt)
{
	struct obs_state none = {};
	__u32 i;
	int err;

	for (i = c->end; i < cnt; i++) {
		const struct bpf_insn *insn = &c->insns[i];

		if (BPF_CLASS(insn->code) == BPF_JMP && BPF_OP(insn->code) == BPF_CALL &&
		    insn->src_reg != BPF_PSEUDO_CALL) {
			err = check_call(c, i, &none);
			if (err)
				return err;
		}
		if (BPF_CLASS(insn->code) == BPF_LD && !sdt_insn_is_ld_imm64(insn))
			return refuse(c, i, "uses a legacy packet load (code 0x%x)", insn->code);
		if (sdt_insn_is_ld_imm64(insn))
			i++;
	}
	return 0;
}

int sdt_observer_check(const struct sdt_observer_check *req)
{
	struct checker c = { .req = req, .insns = req->insns, .end = req->main_end };
	struct obs_state s;
	__u32 i, succ[2];
	bool changed;
	int n, k, err = 0;

	if (!c.end || c.end > req->insn_cnt)
		return -EINVAL;
	c.in = calloc(c.end, sizeof(*c.in));
	c.reached = calloc(c.end, sizeof(*c.reached));
	if (!c.in || !c.reached) {
		err = -ENOMEM;
		goto out;
	}
	c.in[0].reg[1] = F_CTX;
	c.reached[0] = true;
	do {
		changed = false;
		for (i = 0; i < c.end && !err; i++) {
			if (!c.reached[i])
				continue;
			s = c.in[i];
			err = step(&c, i, &s);
			n = sdt_insn_successors(req->insns, i, succ);
			for (k = 0; k < n && !err; k++) {
				if (succ[k] >= c.end) {
					err = refuse(&c, i, "jumps out of its function (to insn %u)", succ[k]);
					break;
				}
				changed |= !c.reached[succ[k]] || merge(&c.in[succ[k]], &s);
				if (!c.reached[succ[k]]) {
					c.in[succ[k]] = s;
					c.reached[succ[k]] = true;
				}
			}
		}
	} while (changed && !err);
	if (!err)
		err = check_calls_everywhere(&c, req->insn_cnt);
out:
	free(c.in);
	free(c.reached);
	return err;
}
