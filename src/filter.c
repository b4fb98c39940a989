// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Event filters compiled to BPF, so the tracer drops unwanted events in the
 * kernel:
 *
 *   expr    := and ('||' and)*
 *   and     := unary ('&&' unary)*
 *   unary   := '!' unary | '(' expr ')' | operand [cmp operand]
 *   cmp     := '==' | '!=' | '<' | '<=' | '>' | '>='
 *   operand := 'arg'N | integer (decimal, 0x hex, negative) | enumerator name
 *
 * An operand alone is true when non-zero. Arguments are the u64 slots the
 * relinker widened by declared type, so comparisons are signed when either
 * side is an argument of a signed type, unsigned otherwise. Enumerator names
 * are looked up in the probe's BTF (e.g. XDP_DROP).
 *
 * Code generation evaluates into registers r1..r5, r7..r9 (r6 holds the
 * argument array, r0 is scratch): each comparison leaves 0 or 1 in its
 * register, && and || combine with and/or, ! with xor. Eight registers bound
 * the nesting depth, which is plenty for a command line.
 */
#include <bpf/btf.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "filter.h"

#define MAX_NODES 128

enum node_kind { N_ARG, N_CONST, N_CMP, N_AND, N_OR, N_NOT, N_TRUTH };

struct node {
	enum node_kind kind;
	int op;			/* N_CMP: BPF_JEQ... (unsigned form) */
	int arg;		/* N_ARG */
	__u64 value;		/* N_CONST */
	int lhs, rhs;		/* children (node indices) */
};

struct parser {
	const char *src, *p;
	const struct btf *btf;
	const struct bpf_sdt_probe *probe;
	struct node nodes[MAX_NODES];
	int n;
	char err[160];
};

static void fail(struct parser *ps, const char *what)
{
	if (!ps->err[0])
		snprintf(ps->err, sizeof(ps->err), "%s at offset %d", what, (int)(ps->p - ps->src));
}

static void skip_space(struct parser *ps)
{
	while (isspace((unsigned char)*ps->p))
		ps->p++;
}

static bool accept(struct parser *ps, const char *tok)
{
	skip_space(ps);
	if (strncmp(ps->p, tok, strlen(tok)))
		return false;
	ps->p += strlen(tok);
	return true;
}

static int new_node(struct parser *ps, struct node n)
{
	if (ps->n == MAX_NODES) {
		fail(ps, "filter too long");
		return -1;
	}
	ps->nodes[ps->n] = n;
	return ps->n++;
}

/* The value of enumerator `name` in any enum of the BTF. */
static bool enum_value(const struct btf *btf, const char *name, size_t len, __u64 *v)
{
	__u32 id, n = btf__type_cnt(btf);
	int i;

	for (id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);

		if (!btf_is_any_enum(t))
			continue;
		for (i = 0; i < btf_vlen(t); i++) {
			const char *en = btf__name_by_offset(btf, btf_is_enum(t) ?
				btf_enum(t)[i].name_off : btf_enum64(t)[i].name_off);

			if (strlen(en) != len || strncmp(en, name, len))
				continue;
			*v = btf_is_enum(t) ? (__u64)(__s64)btf_enum(t)[i].val :
					      btf_enum64_value(&btf_enum64(t)[i]);
			return true;
		}
	}
	return false;
}

static int parse_operand(struct parser *ps)
{
	const char *start;
	char *end;
	__u64 v;
	long arg;

	skip_space(ps);
	start = ps->p;
	if (!strncmp(ps->p, "arg", 3) && isdigit((unsigned char)ps->p[3])) {
		arg = strtol(ps->p + 3, &end, 10);
		ps->p = end;
		if (arg >= bpf_sdt_probe__arg_cnt(ps->probe)) {
			ps->p = start;
			snprintf(ps->err, sizeof(ps->err),
				 "arg%ld does not exist: probe %s has %d argument%s", arg,
				 bpf_sdt_probe__name(ps->probe), bpf_sdt_probe__arg_cnt(ps->probe),
				 bpf_sdt_probe__arg_cnt(ps->probe) == 1 ? "" : "s");
			return -1;
		}
		return new_node(ps, (struct node){ .kind = N_ARG, .arg = (int)arg });
	}
	if (isdigit((unsigned char)*ps->p) || (*ps->p == '-' && isdigit((unsigned char)ps->p[1]))) {
		errno = 0;
		v = *ps->p == '-' ? (__u64)strtoll(ps->p, &end, 0) : strtoull(ps->p, &end, 0);
		if (errno || isalnum((unsigned char)*end) || *end == '_') {
			fail(ps, "bad number");
			return -1;
		}
		ps->p = end;
		return new_node(ps, (struct node){ .kind = N_CONST, .value = v });
	}
	if (isalpha((unsigned char)*ps->p) || *ps->p == '_') {
		while (isalnum((unsigned char)*ps->p) || *ps->p == '_')
			ps->p++;
		if (!enum_value(ps->btf, start, (size_t)(ps->p - start), &v)) {
			snprintf(ps->err, sizeof(ps->err), "unknown name '%.*s' (not an enumerator)",
				 (int)(ps->p - start), start);
			return -1;
		}
		return new_node(ps, (struct node){ .kind = N_CONST, .value = v });
	}
	fail(ps, *ps->p ? "expected argN, a number or a name" : "unexpected end of filter");
	return -1;
}

static int parse_expr(struct parser *ps);

static int parse_unary(struct parser *ps)
{
	static const struct { const char *tok; int op; } cmps[] = {
		{ "==", BPF_JEQ }, { "!=", BPF_JNE }, { "<=", BPF_JLE }, { ">=", BPF_JGE },
		{ "<", BPF_JLT }, { ">", BPF_JGT },
	};
	int l, r, i;

	if (accept(ps, "!") ) {
		l = parse_unary(ps);
		return l < 0 ? -1 : new_node(ps, (struct node){ .kind = N_NOT, .lhs = l });
	}
	if (accept(ps, "(")) {
		l = parse_expr(ps);
		if (l >= 0 && !accept(ps, ")")) {
			fail(ps, "expected ')'");
			return -1;
		}
		return l;
	}
	l = parse_operand(ps);
	if (l < 0)
		return -1;
	for (i = 0; i < (int)(sizeof(cmps) / sizeof(cmps[0])); i++) {
		if (!accept(ps, cmps[i].tok))
			continue;
		r = parse_operand(ps);
		return r < 0 ? -1 : new_node(ps, (struct node){ .kind = N_CMP, .op = cmps[i].op,
								.lhs = l, .rhs = r });
	}
	return new_node(ps, (struct node){ .kind = N_TRUTH, .lhs = l });
}

static int parse_binary(struct parser *ps, const char *tok, enum node_kind kind,
			int (*sub)(struct parser *))
{
	int l = sub(ps), r;

	while (l >= 0 && accept(ps, tok)) {
		r = sub(ps);
		if (r < 0)
			return -1;
		l = new_node(ps, (struct node){ .kind = kind, .lhs = l, .rhs = r });
	}
	return l;
}

static int parse_and(struct parser *ps)
{
	return parse_binary(ps, "&&", N_AND, parse_unary);
}

static int parse_expr(struct parser *ps)
{
	return parse_binary(ps, "||", N_OR, parse_and);
}

/* Code generation. */

static const __u8 regs[] = { 1, 2, 3, 4, 5, 7, 8, 9 };

struct gen {
	const struct parser *ps;
	struct bpf_insn *out;
	int n, cap;
	int err;
};

static void emit(struct gen *g, struct bpf_insn insn)
{
	if (g->n == g->cap)
		g->err = -E2BIG;
	else
		g->out[g->n++] = insn;
}

static bool arg_signed(const struct parser *ps, int arg)
{
	const struct btf_type *t = btf__type_by_id(ps->btf, btf__resolve_type(ps->btf,
				   bpf_sdt_probe__arg_type_id(ps->probe, arg)));

	if (!t)
		return false;
	if (btf_is_int(t))
		return btf_int_encoding(t) & BTF_INT_SIGNED;
	return btf_is_any_enum(t) && btf_kflag(t);
}

static void load_operand(struct gen *g, const struct node *nd, __u8 r)
{
	if (nd->kind == N_ARG) {
		emit(g, (struct bpf_insn){ BPF_LDX | BPF_MEM | BPF_DW, r, BPF_REG_6, 8 * nd->arg, 0 });
		return;
	}
	emit(g, (struct bpf_insn){ BPF_LD | BPF_IMM | BPF_DW, r, 0, 0, (__s32)(__u32)nd->value });
	emit(g, (struct bpf_insn){ 0, 0, 0, 0, (__s32)(__u32)(nd->value >> 32) });
}

static int signed_op(int op)
{
	switch (op) {
	case BPF_JGT: return BPF_JSGT;
	case BPF_JGE: return BPF_JSGE;
	case BPF_JLT: return BPF_JSLT;
	case BPF_JLE: return BPF_JSLE;
	default: return op;
	}
}

/* Leaves node idx's truth (0/1) in regs[depth]. */
static void gen_node(struct gen *g, int idx, int depth)
{
	const struct node *nd = &g->ps->nodes[idx];
	__u8 r, r2;
	int op;

	if (depth + 1 >= (int)sizeof(regs)) {
		g->err = -E2BIG;
		return;
	}
	r = regs[depth];
	r2 = regs[depth + 1];
	switch (nd->kind) {
	case N_CMP:
	case N_TRUTH:
		load_operand(g, &g->ps->nodes[nd->lhs], r);
		if (nd->kind == N_TRUTH) {
			op = BPF_JNE;
			emit(g, (struct bpf_insn){ BPF_ALU64 | BPF_MOV | BPF_K, r2, 0, 0, 0 });
		} else {
			load_operand(g, &g->ps->nodes[nd->rhs], r2);
			op = nd->op;
			if ((g->ps->nodes[nd->lhs].kind == N_ARG &&
			     arg_signed(g->ps, g->ps->nodes[nd->lhs].arg)) ||
			    (g->ps->nodes[nd->rhs].kind == N_ARG &&
			     arg_signed(g->ps, g->ps->nodes[nd->rhs].arg)))
				op = signed_op(op);
		}
		/* if (r OP r2) r = 1; else r = 0; -- r may be an operand */
		emit(g, (struct bpf_insn){ BPF_JMP | op | BPF_X, r, r2, 2, 0 });
		emit(g, (struct bpf_insn){ BPF_ALU64 | BPF_MOV | BPF_K, r, 0, 0, 0 });
		emit(g, (struct bpf_insn){ BPF_JMP | BPF_JA, 0, 0, 1, 0 });
		emit(g, (struct bpf_insn){ BPF_ALU64 | BPF_MOV | BPF_K, r, 0, 0, 1 });
		return;
	case N_NOT:
		gen_node(g, nd->lhs, depth);
		emit(g, (struct bpf_insn){ BPF_ALU64 | BPF_XOR | BPF_K, r, 0, 0, 1 });
		return;
	case N_AND:
	case N_OR:
		gen_node(g, nd->lhs, depth);
		gen_node(g, nd->rhs, depth + 1);
		emit(g, (struct bpf_insn){ BPF_ALU64 | (nd->kind == N_AND ? BPF_AND : BPF_OR) | BPF_X,
					   r, r2, 0, 0 });
		return;
	default: /* a bare operand is wrapped in N_TRUTH by the parser */
		g->err = -EINVAL;
	}
}

int sdt_filter_compile(const char *expr, const struct btf *btf, const struct bpf_sdt_probe *probe,
		       struct bpf_insn *out, int cap, char *err, size_t err_size)
{
	struct parser *ps = calloc(1, sizeof(*ps));
	struct gen g = { .out = out, .cap = cap };
	int root;

	if (!ps)
		return -ENOMEM;
	ps->src = ps->p = expr;
	ps->btf = btf;
	ps->probe = probe;
	root = parse_expr(ps);
	skip_space(ps);
	if (root >= 0 && *ps->p)
		fail(ps, "unexpected text");
	if (ps->err[0]) {
		snprintf(err, err_size, "%s", ps->err);
		free(ps);
		return -EINVAL;
	}
	g.ps = ps;
	gen_node(&g, root, 0);
	free(ps);
	if (g.err) {
		snprintf(err, err_size, "filter too complex");
		return g.err;
	}
	return g.n;
}
