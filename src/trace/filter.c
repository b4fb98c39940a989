// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Event filters compiled to BPF, so the tracer drops unwanted events in the
 * kernel:
 *
 *   expr    := and ('||' and)*
 *   and     := unary ('&&' unary)*
 *   unary   := '!' unary | '(' expr ')' | operand [cmp operand]
 *   cmp     := '==' | '!=' | '<' | '<=' | '>' | '>='
 *   operand := 'arg'N | ['-'] number | 'true' | 'false' | enumerator name
 *   number  := decimal (no leading 0) | '0x' hex | '0o' octal
 *
 * An operand alone is true when non-zero. Arguments are the u64 slots the
 * relinker widened by declared type (relink.c arg_width(): the low bits of
 * the type's size, sign-extended for signed types), so comparisons are
 * signed when either side is an argument of a signed type, unsigned
 * otherwise, and a constant compared with an argument is first converted
 * to the argument's type the same way; one outside that type's range is
 * refused rather than never matching. Enumerator names are looked up in the
 * probe's BTF (e.g. XDP_DROP) and take their enum's width and signedness:
 * a negative enumerator of a 32-bit enum compares equal to the argument
 * holding it, whichever way the compiler marked the enum's sign. C's '010'
 * (octal 8) is refused as ambiguous. Nesting is limited (MAX_DEPTH): the
 * parser recurses, and the command line is not to be trusted with the stack.
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
#include "insn/emit.h"
#include "trace/filter.h"

#define MAX_NODES 128
#define MAX_DEPTH 32

enum node_kind { N_ARG, N_CONST, N_CMP, N_AND, N_OR, N_NOT, N_TRUTH };

struct node {
	enum node_kind kind;
	int op;			/* N_CMP: BPF_JEQ... (unsigned form) */
	int arg;		/* N_ARG */
	__u64 value;		/* N_CONST, as a u64 slot holds it */
	bool neg;		/* N_CONST: value is negative (two's complement) */
	int lhs, rhs;		/* children (node indices) */
};

struct parser {
	const char *src, *p;
	const struct btf *btf;
	const struct bpf_sdt_probe *probe;
	struct node nodes[MAX_NODES];
	int n;
	int depth;
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

/* The low `bits` of v, sign- or zero-extended to 64 bits. */
static __u64 widen(__u64 v, int bits, bool is_signed)
{
	if (bits >= 64)
		return v;
	v &= (1ull << bits) - 1;
	if (is_signed && (v >> (bits - 1)) & 1)
		v |= ~0ull << bits;
	return v;
}

/* How a value of BTF type id sits in a u64 slot: as relink.c arg_width()
 * widens arguments (bool: 8 bits, unsigned). */
static void type_width(const struct btf *btf, __u32 id, int *bits, bool *is_signed)
{
	const struct btf_type *t = btf__type_by_id(btf, btf__resolve_type(btf, id));

	*bits = 64;
	*is_signed = false;
	if (!t)
		return;
	if (btf_is_int(t)) {
		*bits = btf_int_encoding(t) & BTF_INT_BOOL ? 8 : t->size * 8;
		*is_signed = !(btf_int_encoding(t) & BTF_INT_BOOL) &&
			     (btf_int_encoding(t) & BTF_INT_SIGNED);
	} else if (btf_is_any_enum(t)) {
		*bits = t->size * 8;
		*is_signed = btf_kflag(t);
	}
	if (*bits <= 0 || *bits > 64)
		*bits = 64;
}

/* The value of enumerator `name` in any enum of the BTF, as an argument of
 * that enum's type sits in its u64 slot. */
static bool enum_value(const struct btf *btf, const char *name, size_t len, __u64 *v, bool *neg)
{
	__u32 id, n = btf__type_cnt(btf);
	bool is_signed;
	int i, bits;

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
			type_width(btf, id, &bits, &is_signed);
			*v = widen(*v, bits, is_signed);
			*neg = is_signed && (__s64)*v < 0;
			return true;
		}
	}
	return false;
}

/* decimal, 0x hex or 0o octal digits at s (no sign) into *v; the end. */
static const char *parse_number(struct parser *ps, const char *s, __u64 *v)
{
	int base = 10;
	const char *digits = s;
	__u64 max;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		digits = s + 2;
	} else if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) {
		base = 8;
		digits = s + 2;
	} else if (s[0] == '0' && isdigit((unsigned char)s[1])) {
		snprintf(ps->err, sizeof(ps->err),
			 "'%.*s' is ambiguous (C would read it as octal): write it without the leading 0, or 0o... for octal, 0x... for hex",
			 (int)strspn(s, "0123456789"), s);
		return NULL;
	}
	*v = 0;
	max = ~0ull / base;
	for (s = digits; isxdigit((unsigned char)*s); s++) {
		int d = isdigit((unsigned char)*s) ? *s - '0' : (tolower((unsigned char)*s) - 'a' + 10);

		if (d >= base)
			break;
		if (*v > max || *v * base > ~0ull - d) {
			fail(ps, "number out of 64-bit range");
			return NULL;
		}
		*v = *v * base + d;
	}
	if (s == digits || isalnum((unsigned char)*s) || *s == '_') {
		fail(ps, "bad number");
		return NULL;
	}
	return s;
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
		bool neg = *ps->p == '-';

		end = (char *)parse_number(ps, ps->p + neg, &v);
		if (!end)
			return -1;
		if (neg && v > 1ull << 63) {
			fail(ps, "number out of 64-bit range");
			return -1;
		}
		ps->p = end;
		return new_node(ps, (struct node){ .kind = N_CONST, .value = neg ? -v : v,
						   .neg = neg && v });
	}
	if (isalpha((unsigned char)*ps->p) || *ps->p == '_') {
		bool neg = false;
		size_t len;

		while (isalnum((unsigned char)*ps->p) || *ps->p == '_')
			ps->p++;
		len = (size_t)(ps->p - start);
		/* C's spellings of truth: a bool argument holds 0 or 1 */
		if ((len == 4 && !strncmp(start, "true", 4)) ||
		    (len == 5 && !strncmp(start, "false", 5)))
			return new_node(ps, (struct node){ .kind = N_CONST, .value = len == 4 });
		if (!enum_value(ps->btf, start, len, &v, &neg)) {
			snprintf(ps->err, sizeof(ps->err), "unknown name '%.*s' (not an enumerator)",
				 (int)len, start);
			return -1;
		}
		return new_node(ps, (struct node){ .kind = N_CONST, .value = v, .neg = neg });
	}
	fail(ps, *ps->p ? "expected argN, a number or a name" : "unexpected end of filter");
	return -1;
}

static int parse_expr(struct parser *ps);

#define STR(x) #x
#define XSTR(x) STR(x)
#define MAX_DEPTH_STR XSTR(MAX_DEPTH)

/*
 * A constant c compared with argument a (both node indices; nothing to do
 * unless they are that) is converted to a's type as a u64 slot holds it.
 * One outside that type's range could never compare as written: refused.
 * So is a negative number ordered against an unsigned argument (C would
 * turn -1 into the type's maximum).
 */
static int convert_const(struct parser *ps, int a, int c, int op)
{
	struct node *arg = &ps->nodes[a], *k = &ps->nodes[c];
	__u32 id;
	bool is_signed, fits;
	int bits;

	if (arg->kind != N_ARG || k->kind != N_CONST)
		return 0;
	id = bpf_sdt_probe__arg_type_id(ps->probe, arg->arg);
	type_width(ps->btf, id, &bits, &is_signed);
	if (bits == 64)
		fits = !is_signed || k->neg || (__s64)k->value >= 0;
	else if (k->neg)
		fits = (__s64)k->value >= -(1ll << (bits - 1));
	else
		fits = k->value < (1ull << bits);
	if (fits && k->neg && !is_signed && op != BPF_JEQ && op != BPF_JNE) {
		snprintf(ps->err, sizeof(ps->err),
			 "arg%d is unsigned (%s): order it against numbers from 0 up, not %lld",
			 arg->arg, bpf_sdt_probe__arg_type_name(ps->probe, arg->arg),
			 (long long)k->value);
		return -1;
	}
	if (!fits) {
		if (k->neg)
			snprintf(ps->err, sizeof(ps->err), "%lld is out of the range of arg%d (%s)",
				 (long long)k->value, arg->arg,
				 bpf_sdt_probe__arg_type_name(ps->probe, arg->arg));
		else
			snprintf(ps->err, sizeof(ps->err), "%llu is out of the range of arg%d (%s)",
				 (unsigned long long)k->value, arg->arg,
				 bpf_sdt_probe__arg_type_name(ps->probe, arg->arg));
		return -1;
	}
	k->value = widen(k->value, bits, is_signed);
	return 0;
}

static int parse_unary(struct parser *ps)
{
	static const struct { const char *tok; int op; } cmps[] = {
		{ "==", BPF_JEQ }, { "!=", BPF_JNE }, { "<=", BPF_JLE }, { ">=", BPF_JGE },
		{ "<", BPF_JLT }, { ">", BPF_JGT },
	};
	int l, r, i;

	if (accept(ps, "!")) {
		if (++ps->depth > MAX_DEPTH)
			goto too_deep;
		l = parse_unary(ps);
		ps->depth--;
		return l < 0 ? -1 : new_node(ps, (struct node){ .kind = N_NOT, .lhs = l });
	}
	if (accept(ps, "(")) {
		if (++ps->depth > MAX_DEPTH)
			goto too_deep;
		l = parse_expr(ps);
		ps->depth--;
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
		if (r < 0 || convert_const(ps, l, r, cmps[i].op) || convert_const(ps, r, l, cmps[i].op))
			return -1;
		return new_node(ps, (struct node){ .kind = N_CMP, .op = cmps[i].op, .lhs = l, .rhs = r });
	}
	return new_node(ps, (struct node){ .kind = N_TRUTH, .lhs = l });
too_deep:
	fail(ps, "filter nests deeper than " MAX_DEPTH_STR " levels of '(' and '!'");
	return -1;
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
	struct sdt_insn_buf *b;
	int err;
};

static bool arg_signed(const struct parser *ps, int arg)
{
	bool is_signed;
	int bits;

	type_width(ps->btf, bpf_sdt_probe__arg_type_id(ps->probe, arg), &bits, &is_signed);
	return is_signed;
}

static void load_operand(struct gen *g, const struct node *nd, __u8 r)
{
	if (nd->kind == N_ARG)
		sdt_emit(g->b, BPF_LDX_MEM(BPF_DW, r, BPF_REG_6, 8 * nd->arg));
	else
		sdt_emit_ld_imm64(g->b, r, 0, nd->value);
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
	struct sdt_insn_buf *b = g->b;
	int op, yes, done;
	__u8 r, r2;

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
			sdt_emit(b, BPF_MOV64_IMM(r2, 0));
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
		yes = sdt_label_new(b);
		done = sdt_label_new(b);
		sdt_emit_jmp(b, BPF_JMP_REG(op, r, r2, 0), yes);
		sdt_emit(b, BPF_MOV64_IMM(r, 0));
		sdt_emit_jmp(b, BPF_JMP_A(0), done);
		sdt_label_place(b, yes);
		sdt_emit(b, BPF_MOV64_IMM(r, 1));
		sdt_label_place(b, done);
		return;
	case N_NOT:
		gen_node(g, nd->lhs, depth);
		sdt_emit(b, BPF_ALU64_IMM(BPF_XOR, r, 1));
		return;
	case N_AND:
	case N_OR:
		gen_node(g, nd->lhs, depth);
		gen_node(g, nd->rhs, depth + 1);
		sdt_emit(b, BPF_ALU64_REG(nd->kind == N_AND ? BPF_AND : BPF_OR, r, r2));
		return;
	default: /* a bare operand is wrapped in N_TRUTH by the parser */
		g->err = -EINVAL;
	}
}

struct sdt_filter {
	struct parser ps;
	int root;
};

int sdt_filter_parse(const char *expr, const struct btf *btf, const struct bpf_sdt_probe *probe,
		     struct sdt_filter **out, char *err, size_t err_size)
{
	struct sdt_filter *f = calloc(1, sizeof(*f));
	struct parser *ps;

	*out = NULL;
	if (!f)
		return -ENOMEM;
	ps = &f->ps;
	ps->src = ps->p = expr;
	ps->btf = btf;
	ps->probe = probe;
	f->root = parse_expr(ps);
	skip_space(ps);
	if (f->root >= 0 && *ps->p)
		fail(ps, "unexpected text");
	if (ps->err[0]) {
		snprintf(err, err_size, "%s", ps->err);
		free(f);
		return -EINVAL;
	}
	ps->src = ps->p = NULL; /* expr need not outlive the parse */
	*out = f;
	return 0;
}

void sdt_filter_free(struct sdt_filter *f)
{
	free(f);
}

int sdt_filter_compile(const char *expr, const struct btf *btf, const struct bpf_sdt_probe *probe,
		       struct sdt_insn_buf *b, char *err, size_t err_size)
{
	struct gen g = { .b = b };
	struct sdt_filter *f;
	int e;

	e = sdt_filter_parse(expr, btf, probe, &f, err, err_size);
	if (e)
		return e;
	g.ps = &f->ps;
	gen_node(&g, f->root, 0);
	sdt_filter_free(f);
	if (g.err) {
		snprintf(err, err_size, "filter too complex");
		return g.err;
	}
	if (sdt_insn_buf_resolve(b)) {
		snprintf(err, err_size, "%s", strerror(-b->err));
		return b->err;
	}
	return 0;
}

/*
 * Code generation at a site: the condition as jumps (short-circuit, as C
 * evaluates && and ||), in two registers whatever the nesting, with the
 * arguments loaded from wherever the site holds them. Every jump goes
 * forward, to the caller's label (the event fails) or to a label past the
 * rest of an && or ||.
 */
struct jgen {
	const struct parser *ps;
	struct sdt_insn_buf *b;
	__u8 ra, rb;
	sdt_filter_load_arg_fn load_arg;
	void *ctx;
	int err;
};

static bool fits_imm(__u64 v)
{
	return (__s64)v == (__s32)v;
}

static void load_value(struct jgen *g, const struct node *nd, __u8 r)
{
	if (nd->kind == N_ARG)
		g->load_arg(g->ctx, g->b, r, nd->arg);
	else if (fits_imm(nd->value))
		sdt_emit(g->b, BPF_MOV64_IMM(r, (__s32)nd->value));
	else
		sdt_emit_ld_imm64(g->b, r, 0, nd->value);
}

static int negated(int op)
{
	switch (op) {
	case BPF_JEQ: return BPF_JNE;
	case BPF_JNE: return BPF_JEQ;
	case BPF_JGT: return BPF_JLE;
	case BPF_JLE: return BPF_JGT;
	case BPF_JGE: return BPF_JLT;
	case BPF_JLT: return BPF_JGE;
	case BPF_JSGT: return BPF_JSLE;
	case BPF_JSLE: return BPF_JSGT;
	case BPF_JSGE: return BPF_JSLT;
	default: return BPF_JSGE; /* BPF_JSLT */
	}
}

/* Jumps to label when node idx's truth is `sense`; falls through otherwise. */
static void gen_jump(struct jgen *g, int idx, bool sense, int label)
{
	const struct node *nd = &g->ps->nodes[idx], *lhs, *rhs;
	int op, skip;

	switch (nd->kind) {
	case N_NOT:
		gen_jump(g, nd->lhs, !sense, label);
		return;
	case N_AND:
	case N_OR:
		if ((nd->kind == N_AND) != sense) { /* either side decides alone */
			gen_jump(g, nd->lhs, sense, label);
			gen_jump(g, nd->rhs, sense, label);
			return;
		}
		skip = sdt_label_new(g->b);
		gen_jump(g, nd->lhs, !sense, skip);
		gen_jump(g, nd->rhs, sense, label);
		sdt_label_place(g->b, skip);
		return;
	case N_TRUTH:
		load_value(g, &g->ps->nodes[nd->lhs], g->ra);
		sdt_emit_jmp(g->b, BPF_JMP_IMM(sense ? BPF_JNE : BPF_JEQ, g->ra, 0, 0), label);
		return;
	case N_CMP:
		lhs = &g->ps->nodes[nd->lhs];
		rhs = &g->ps->nodes[nd->rhs];
		op = nd->op;
		if ((lhs->kind == N_ARG && arg_signed(g->ps, lhs->arg)) ||
		    (rhs->kind == N_ARG && arg_signed(g->ps, rhs->arg)))
			op = signed_op(op);
		if (!sense)
			op = negated(op);
		load_value(g, lhs, g->ra);
		if (rhs->kind == N_CONST && fits_imm(rhs->value)) {
			sdt_emit_jmp(g->b, BPF_JMP_IMM(op, g->ra, (__s32)rhs->value, 0), label);
			return;
		}
		load_value(g, rhs, g->rb);
		sdt_emit_jmp(g->b, BPF_JMP_REG(op, g->ra, g->rb, 0), label);
		return;
	default: /* a bare operand is wrapped in N_TRUTH by the parser */
		g->err = -EINVAL;
	}
}

int sdt_filter_emit_jumps(const struct sdt_filter *f, struct sdt_insn_buf *b, __u8 ra, __u8 rb,
			  int fail, sdt_filter_load_arg_fn load_arg, void *ctx)
{
	struct jgen g = { .ps = &f->ps, .b = b, .ra = ra, .rb = rb, .load_arg = load_arg,
			  .ctx = ctx };

	gen_jump(&g, f->root, false, fail);
	return g.err ?: b->err;
}
