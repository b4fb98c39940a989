// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The offline check: what the value analysis (value_analysis.c) says each
 * argument holds at each site, against what the probe's declared type
 * requires (findings.h). Worded like the kernel check's findings, so that the
 * two modes can be compared site by site.
 */
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "check/check_offline.h"
#include "insn/value_analysis.h"

struct offline_prog {
	struct sdt_va_input in;
	struct sdt_aval (*args)[5];		/* per function, global ones only */
	const struct sdt_aval **global_args;
	struct sdt_va_map *maps;
};

static void release(struct offline_prog *op)
{
	free(op->args);
	free(op->global_args);
	free(op->maps);
}

/* What a global function's parameters hold on entry, by the verifier's
 * rules for BTF-typed arguments: the context, scalars, memory or NULL. */
static void global_params(const struct btf *btf, __u32 func_id, enum bpf_prog_type type,
			  struct sdt_aval out[5])
{
	const struct btf_type *fn = btf__type_by_id(btf, func_id);
	const struct btf_type *proto = fn ? btf__type_by_id(btf, fn->type) : NULL;
	const struct btf_param *p;
	int i, n;

	for (i = 0; i < 5; i++)
		out[i] = sdt_av_uninit();
	if (!proto || !btf_is_func_proto(proto))
		return;
	p = btf_params(proto);
	n = btf_vlen(proto);
	for (i = 0; i < n && i < 5; i++) {
		struct sdt_arg_requirement req;

		sdt_arg_requirement(btf, p[i].type, type, &req);
		switch (req.req) {
		case SDT_REQ_SCALAR:
			out[i] = sdt_av_unknown_scalar();
			break;
		case SDT_REQ_CTX:
			out[i] = sdt_av_ptr(SDT_AK_CTX, 0);
			break;
		case SDT_REQ_PTR:
			out[i] = sdt_av_ptr(SDT_AK_PTR_OTHER, 0);
			out[i].flags = SDT_AV_MAYBE_NULL;
			out[i].id = 0x20000000u | (__u32)i;
			break;
		}
	}
}

static int prepare(const struct bpf_sdt_target *t, const struct sdt_target_prog *tp,
		   struct offline_prog *op)
{
	const struct bpf_map *map;
	__u32 f, m = 0;

	memset(op, 0, sizeof(*op));
	op->args = calloc(tp->nfuncs, sizeof(*op->args));
	op->global_args = calloc(tp->nfuncs, sizeof(*op->global_args));
	bpf_object__for_each_map(map, t->obj)
		m++;
	op->maps = calloc(m ? m : 1, sizeof(*op->maps));
	if (!op->args || !op->global_args || !op->maps)
		return -ENOMEM;
	m = 0;
	bpf_object__for_each_map(map, t->obj) {
		op->maps[m++] = (struct sdt_va_map){
			.fd = bpf_map__fd(map),
			.type = bpf_map__type(map),
			.value_size = bpf_map__value_size(map),
			.max_entries = bpf_map__max_entries(map),
		};
	}
	for (f = 1; f < tp->nfuncs && t->btf; f++) {
		const struct btf_type *fn = btf__type_by_id(t->btf, tp->func_type_ids[f]);

		if (fn && btf_is_func(fn) && btf_vlen(fn) == BTF_FUNC_GLOBAL /* a FUNC's vlen is its linkage */) {
			global_params(t->btf, tp->func_type_ids[f], tp->cap.type, op->args[f]);
			op->global_args[f] = op->args[f];
		}
	}
	op->in = (struct sdt_va_input){
		.insns = tp->cap.insns,
		.insn_cnt = tp->cap.insn_cnt,
		.funcs = tp->funcs,
		.nfuncs = tp->nfuncs,
		.global_args = op->global_args,
		.prog_type = tp->cap.type,
		.maps = op->maps,
		.map_cnt = m,
	};
	return 0;
}

/* The value argument a of a site: its register, or its u64 in the block
 * arguments 10..12 are passed in. */
static int arg_value(const struct sdt_va_state *st, const struct bpf_sdt_arg_loc *a,
		     struct sdt_aval *v, const struct sdt_aval **block)
{
	__s64 at;

	*block = NULL;
	if (a->kind == BPF_SDT_ARG_REG) {
		*v = st->regs[a->reg];
		return 0;
	}
	*block = &st->regs[a->reg];
	at = (__s64)(*block)->off + a->off;
	if ((*block)->kind != SDT_AK_STACK || ((*block)->flags & SDT_AV_VAR_OFF) || (at & 7) ||
	    at < -SDT_VA_STACK || at + 8 > 0)
		return -ENOENT;
	*v = st->stack[(-at - 1) / 8];
	if (v->kind == SDT_AK_UNINIT)
		*v = sdt_av_unknown_scalar(); /* allow_uninit_stack: bytes */
	return 0;
}

/* Bytes readable at pointer v, or -1 when unknown (not a memory kind). */
static long readable_bytes(const struct sdt_va *va, const struct sdt_aval *v)
{
	const struct sdt_va_map *m;

	switch (v->kind) {
	case SDT_AK_PKT:
	case SDT_AK_PKT_META:
		return v->off < 0 ? 0 : (long)v->range - v->off;
	case SDT_AK_STACK:
		return v->flags & SDT_AV_VAR_OFF ? -1 : -(long)v->off;
	case SDT_AK_MAP_VALUE:
		m = sdt_va_map(va, v->aux);
		return !m || (v->flags & SDT_AV_VAR_OFF) ? -1 : (long)m->value_size - v->off;
	default:
		return -1;
	}
}

static bool is_memory(enum sdt_akind k)
{
	return k == SDT_AK_PKT || k == SDT_AK_PKT_META || k == SDT_AK_STACK ||
	       k == SDT_AK_MAP_VALUE || k == SDT_AK_PTR_OTHER;
}

/* One argument against its requirement: 0 when it passes, else a finding. */
static int check_arg(struct bpf_sdt_check *c, const struct bpf_sdt_target *t,
		     const struct sdt_target_prog *tp, const struct sdt_prog_site *ps,
		     const struct sdt_va *va, const struct sdt_va_state *st, int arg)
{
	const struct bpf_sdt_probe *probe = bpf_sdt_site__probe(ps->site);
	const struct bpf_sdt_arg_loc *loc = bpf_sdt_site__arg(ps->site, arg);
	char where[48], holds[160], req_buf[96];
	const struct sdt_aval *block;
	struct sdt_arg_requirement req;
	struct sdt_aval v;
	long bytes;
	int err;

	sdt_arg_location(ps->site, arg, where, sizeof(where));
	if (arg_value(st, loc, &v, &block))
		return sdt_check_add(c, t, tp, ps, arg,
				     "the argument block register r%d holds %s, not a stack pointer the argument can be read at",
				     loc->reg, sdt_av_describe(block, holds, sizeof(holds)));
	if (v.kind == SDT_AK_UNINIT || (v.flags & SDT_AV_MAYBE_UNINIT))
		return sdt_check_add(c, t, tp, ps, arg,
				     "%s is not initialized on some path to the site", where);
	sdt_arg_requirement(bpf_sdt_object__btf(t->sdt), bpf_sdt_probe__arg_type_id(probe, arg),
			    tp->cap.type, &req);
	sdt_requirement_text(&req, tp->cap.type, req_buf, sizeof(req_buf));
	sdt_av_describe(&v, holds, sizeof(holds));
	switch (req.req) {
	case SDT_REQ_SCALAR:
		if (v.kind != SDT_AK_SCALAR)
			return sdt_check_add(c, t, tp, ps, arg, "%s holds %s, %s is required", where,
					     holds, req_buf);
		/* Narrow arguments may come in wider registers (the declared
		 * type truncates them: clang passes `x & 0xff` as x): only a
		 * range none of whose values fits is a mistake. */
		if (!sdt_av_any_fits(&v, req.width)) {
			if (v.smin == v.smax)
				err = sdt_check_add(c, t, tp, ps, arg,
						    "%s holds %lld, which does not fit in %d bits",
						    where, (long long)v.smin, req.width);
			else
				err = sdt_check_add(c, t, tp, ps, arg,
						    "%s holds a scalar in [%lld, %lld], which does not fit in %d bits",
						    where, (long long)v.smin, (long long)v.smax,
						    req.width);
			sdt_check_last_is_warning(c);
			return err;
		}
		return 0;
	case SDT_REQ_CTX:
		if (v.kind != SDT_AK_CTX)
			return sdt_check_add(c, t, tp, ps, arg, "%s holds %s, %s is required", where,
					     holds, req_buf);
		if (v.off || (v.flags & SDT_AV_VAR_OFF))
			return sdt_check_add(c, t, tp, ps, arg,
					     "%s holds the context pointer moved by %d bytes, %s is required",
					     where, v.off, req_buf);
		return 0;
	case SDT_REQ_PTR:
		break;
	}
	/* an unsized pointee (void *) takes any pointer; a sized one memory */
	if (!sdt_av_is_ptr(&v) || (req.mem_size && !is_memory(v.kind)))
		return sdt_check_add(c, t, tp, ps, arg, "%s holds %s, %s is required", where, holds,
				     req_buf);
	if (v.flags & SDT_AV_MAYBE_NULL)
		return sdt_check_add(c, t, tp, ps, arg, "%s may be NULL, %s is required", where,
				     req_buf);
	bytes = readable_bytes(va, &v);
	if (req.mem_size && bytes >= 0 && bytes < (long)req.mem_size) {
		const char *proof = v.kind == SDT_AK_PKT || v.kind == SDT_AK_PKT_META ?
					    " proven in bounds" : "";

		return sdt_check_add(c, t, tp, ps, arg, "%s holds %s to %ld bytes%s, %s is required",
				     where, holds, bytes < 0 ? 0 : bytes, proof, req_buf);
	}
	return 0;
}

static int check_prog(struct bpf_sdt_target *t, struct sdt_target_prog *tp,
		      struct bpf_sdt_check *c)
{
	struct offline_prog op;
	struct sdt_va_state *st = malloc(sizeof(*st));
	struct sdt_va *va = NULL;
	size_t i;
	int a, err;

	err = st ? prepare(t, tp, &op) : -ENOMEM;
	if (!err)
		err = sdt_va_run(&op.in, &va);
	if (err == -E2BIG || err == -EINVAL) {
		/* say so for every site rather than fail the whole check */
		for (i = 0; i < tp->site_cnt && err != -ENOMEM; i++) {
			int add = sdt_check_add_unchecked(c, t, tp, &tp->sites[i], "%s",
							  err == -E2BIG ?
							  "the program is too complex for the offline analysis" :
							  "the offline analysis cannot follow the program's control flow");

			if (add)
				err = add;
		}
		if (err != -ENOMEM)
			err = 0;
		goto out;
	}
	for (i = 0; i < tp->site_cnt && !err; i++) {
		if (!sdt_va_state_at(va, tp->sites[i].idx, st))
			continue; /* no path reaches it: neither does the verifier */
		for (a = 0; a < bpf_sdt_site__arg_cnt(tp->sites[i].site) && !err; a++)
			err = check_arg(c, t, tp, &tp->sites[i], va, st, a);
	}
out:
	sdt_va_free(va);
	if (st)
		release(&op);
	free(st);
	return err;
}

int sdt_check_offline(struct bpf_sdt_target *t, struct bpf_sdt_check *c)
{
	size_t i;
	int err = 0;

	for (i = 0; i < t->prog_cnt && !err; i++)
		if (t->progs[i].site_cnt && t->progs[i].captured)
			err = check_prog(t, &t->progs[i], c);
	return err;
}
