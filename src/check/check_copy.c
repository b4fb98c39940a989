// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The kernel check's copy of a program (check_copy.h): the relinker builds
 * it as it builds an armed copy, with this file's sequences at the sites
 * instead of observer calls (its site-emitter hook, relink.h). Each checked
 * argument is stored in a u64 slot below the function's stack and checked
 * from there: passed to a global stub `int __sdt_check_PROBE_ARG(T arg)`,
 * or read a byte at each end when it points to sized memory.
 */
#include <bpf/btf.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check/check_copy.h"
#include "check/findings.h"

#define NO_POS (~0u)

/* `int __sdt_check_PROBE_ARG(T arg)`: what one argument is checked against. */
struct check_stub {
	const struct bpf_sdt_probe *probe;
	int arg;
};

struct check_copy {
	struct sdt_site_emitter e;	/* first: the relinker hands it back */
	struct bpf_sdt_target *t;
	struct sdt_target_prog *tp;
	struct sdt_check_req *req;
	struct check_stub *stubs;
	/* where, in the one site's sequence, each argument is read, checked
	 * and done with (NO_POS: it is not) */
	__u32 read_pos[BPF_SDT_MAX_ARGS];
	__u32 check_pos[BPF_SDT_MAX_ARGS];
	__u32 end_pos[BPF_SDT_MAX_ARGS];
};

static struct check_copy *of(struct sdt_site_emitter *e)
{
	return (struct check_copy *)e;
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
static int check_stub(struct check_copy *cc, const struct bpf_sdt_probe *probe, int arg)
{
	struct check_stub *n;
	size_t k;

	for (k = 0; k < cc->e.func_cnt; k++)
		if (cc->stubs[k].probe == probe && cc->stubs[k].arg == arg)
			return (int)k;
	n = realloc(cc->stubs, (cc->e.func_cnt + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	cc->stubs = n;
	cc->stubs[cc->e.func_cnt] = (struct check_stub){ probe, arg };
	return (int)cc->e.func_cnt++;
}

static int cmp_site_ptr(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(const struct bpf_sdt_site *const *)a;
	uintptr_t y = (uintptr_t)*(const struct bpf_sdt_site *const *)b;

	return x < y ? -1 : x > y;
}

void sdt_check_sort_sites(const struct bpf_sdt_site **sites, size_t n)
{
	qsort(sites, n, sizeof(*sites), cmp_site_ptr);
}

static bool selects(struct sdt_site_emitter *e, const struct sdt_prog_site *ps)
{
	const struct sdt_check_req *req = of(e)->req;

	if (ps->insert)
		return false;
	if (req->site)
		return req->site == ps->site;
	return !req->nsites ||
	       bsearch(&ps->site, req->sites, req->nsites, sizeof(*req->sites), cmp_site_ptr);
}

/*
 * A check copy's site: the caller-saved registers saved as for an observer
 * call, the arguments stored in u64 slots below the function's stack, each
 * checked from its slot (a fill restores a pointer's type and reference),
 * the registers restored, and on with the program.
 */
static int emit_site(struct sdt_site_emitter *e, struct sdt_relink *r,
		     const struct sdt_prog_site *ps)
{
	struct check_copy *cc = of(e);
	const struct sdt_check_req *req = cc->req;
	const struct bpf_sdt_probe *probe = bpf_sdt_site__probe(ps->site);
	const struct btf *sbtf = bpf_sdt_object__btf(cc->t->sdt);
	int nargs = bpf_sdt_probe__arg_cnt(probe), i, k, err;
	__u32 depth = sdt_relink_stack_depth(r, ps), base, total, size;
	struct sdt_insn_buf *b = sdt_relink_code(r);
	bool one = req->site != NULL;
	__u16 spill;

	err = sdt_relink_saves(r, ps, &spill);
	if (err)
		return err;
	base = depth + 8 * nargs;
	total = base + 8 * __builtin_popcount(spill);
	if (total > MAX_BPF_STACK) {
		sdt_relink_refuse(r, ps, "checking needs %u bytes of stack below the %u its function uses (limit %u)",
				  total - depth, depth, MAX_BPF_STACK);
		return -E2BIG;
	}
	/* no observer runs here: the stack keeps what the check clobbers */
	sdt_relink_save_regs(b, spill, base);
	for (i = 0; i < nargs; i++) {
		const struct bpf_sdt_arg_loc *a = bpf_sdt_site__arg(ps->site, i);

		if (req->skip_args & (1u << i))
			continue; /* already found bad: not even read */
		if (one)
			cc->read_pos[i] = b->cnt;
		if (a->kind == BPF_SDT_ARG_MEM) {
			sdt_emit(b, BPF_LDX_MEM(BPF_DW, BPF_REG_0, a->reg, a->off));
			sdt_emit(b, BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_0,
						-(int)base + 8 * i));
		} else {
			sdt_emit(b, BPF_STX_MEM(BPF_DW, BPF_REG_10, a->reg, -(int)base + 8 * i));
		}
	}
	for (i = 0; i < nargs; i++) {
		__u32 type_id = bpf_sdt_probe__arg_type_id(probe, i);
		enum sdt_arg_check kind = sdt_arg_check_kind(sbtf, type_id, cc->tp->cap.type, &size);

		if ((req->skip_args & (1u << i)) || kind == SDT_ARG_CHECK_NONE)
			continue;
		if (one)
			cc->check_pos[i] = b->cnt;
		if (kind == SDT_ARG_CHECK_STUB) {
			k = check_stub(cc, probe, i);
			if (k < 0)
				return k;
			sdt_emit(b, BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_10, -(int)base + 8 * i));
			sdt_relink_call(r, (size_t)k);
		} else {
			sdt_emit(b, BPF_LDX_MEM(BPF_DW, BPF_REG_2, BPF_REG_10, -(int)base + 8 * i));
			sdt_emit(b, BPF_ALU64_IMM(BPF_ADD, BPF_REG_2, 1));
			sdt_emit(b, BPF_LDX_MEM(BPF_B, BPF_REG_0, BPF_REG_2, -1));
			sdt_emit(b, BPF_ALU64_IMM(BPF_ADD, BPF_REG_2, (__s32)size - 1));
			sdt_emit(b, BPF_LDX_MEM(BPF_B, BPF_REG_0, BPF_REG_2, -1));
		}
		if (one)
			cc->end_pos[i] = b->cnt;
	}
	sdt_relink_restore_regs(b, spill, base);
	if (!b->cnt) /* nothing left to check: the NOP stays */
		sdt_emit(b, BPF_JMP_A(0));
	return b->err;
}

static void placed(struct sdt_site_emitter *e, const struct bpf_sdt_site *site, __u32 start)
{
	struct check_copy *cc = of(e);
	struct sdt_check_req *req = cc->req;
	int i;

	if (!req->site || req->site != site)
		return;
	for (i = 0; i < BPF_SDT_MAX_ARGS; i++) {
		if (cc->read_pos[i] != NO_POS)
			req->arg_read[i] = start + cc->read_pos[i];
		if (cc->check_pos[i] != NO_POS)
			req->arg_check[i] = start + cc->check_pos[i];
		if (cc->end_pos[i] != NO_POS)
			req->arg_check_end[i] = start + cc->end_pos[i];
	}
}

/* `int __sdt_check_PROBE_ARG(T arg)`, global: the verifier checks every
 * call's argument against the declared type. */
static int add_stub_func(struct sdt_site_emitter *e, struct btf *btf, size_t k)
{
	const struct check_stub *st = &of(e)->stubs[k];
	char name[BPF_OBJ_NAME_LEN * 4];
	int int_id, proto_id, err;

	int_id = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	proto_id = int_id < 0 ? int_id : btf__add_func_proto(btf, int_id);
	if (proto_id < 0)
		return proto_id;
	err = btf__add_func_param(btf, "arg", bpf_sdt_probe__arg_type_id(st->probe, st->arg));
	if (err)
		return err;
	snprintf(name, sizeof(name), "__sdt_check_%s_%d", bpf_sdt_probe__name(st->probe), st->arg);
	return btf__add_func(btf, name, BTF_FUNC_GLOBAL, proto_id);
}

int sdt_check_copy(struct bpf_sdt_target *t, struct sdt_target_prog *tp, struct sdt_check_req *req)
{
	struct check_copy cc = {
		.e = { .name = "check copy", .selects = selects, .emit = emit_site, .placed = placed,
		       .add_func = add_stub_func, .func_line = "argument check",
		       .log = req->log, .log_size = req->log_size },
		.t = t, .tp = tp, .req = req,
	};
	int fd;

	req->rejected = false;
	req->reason[0] = '\0';
	memset(req->arg_read, 0xff, sizeof(req->arg_read));
	memset(req->arg_check, 0xff, sizeof(req->arg_check));
	memset(req->arg_check_end, 0xff, sizeof(req->arg_check_end));
	memset(cc.read_pos, 0xff, sizeof(cc.read_pos));
	memset(cc.check_pos, 0xff, sizeof(cc.check_pos));
	memset(cc.end_pos, 0xff, sizeof(cc.end_pos));
	if (!tp->cap.func_info_cnt) {
		snprintf(req->reason, sizeof(req->reason),
			 "program %s has no BTF to declare the check's functions with", tp->name);
		return -ENOTSUP;
	}
	fd = sdt_relink_emitted(t, tp, &cc.e);
	free(cc.stubs);
	req->rejected = cc.e.rejected;
	snprintf(req->reason, sizeof(req->reason), "%s", cc.e.reason);
	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}
