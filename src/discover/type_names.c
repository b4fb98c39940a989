// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* C spelling of probe argument types (through libbpf's btf_dump) and the
 * rule for which types a probe argument may have. */
#include <bpf/btf.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "discover/discover.h"

#define SPELL_MAX_DEPTH 32
#define SPELL_MAX_NODES 4096
#define SPELL_MAX_LEN 4096
/* btf_dump spells an anonymous struct, union or enum out in full, padding
 * gaps between members with one "long: 64;" per 64 bits: bound what it can
 * be asked to print. */
#define ANON_MAX_SIZE 1024
#define ANON_MAX_VLEN 256
#define RESOLVE_MAX_HOPS 32

struct strbuf {
	char *s;
	size_t len, cap;
	int err;
};

static void strbuf_append(struct strbuf *b, const char *fmt, va_list args)
{
	va_list copy;
	int n;

	if (b->err)
		return;
	va_copy(copy, args);
	n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0) {
		b->err = -EINVAL;
		return;
	}
	if (b->len + n > SPELL_MAX_LEN) {
		b->err = -E2BIG;
		return;
	}
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->len + n + 1) * 2;
		char *s = realloc(b->s, cap);

		if (!s) {
			b->err = -ENOMEM;
			return;
		}
		b->s = s;
		b->cap = cap;
	}
	vsnprintf(b->s + b->len, b->cap - b->len, fmt, args);
	b->len += n;
}

static void strbuf_printf(struct strbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void strbuf_printf(struct strbuf *b, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	strbuf_append(b, fmt, args);
	va_end(args);
}

/*
 * A prototype without parameters (BTF vlen 0, or clang's single void
 * parameter of an unprototyped function) is spelled "(void)" by bpftool and
 * libbpf >= 1.5 ("Fix no-args func prototype BTF dumping syntax"); older
 * libbpf prints "()", closing the list with a ")" of its own right after the
 * "(". Complete such lists, so the spelling doesn't depend on libbpf's
 * version.
 */
static void strbuf_vprintf(void *ctx, const char *fmt, va_list args)
{
	struct strbuf *b = ctx;

	if (!b->err && b->len && b->s[b->len - 1] == '(' && !strcmp(fmt, ")"))
		strbuf_printf(b, "void");
	strbuf_append(b, fmt, args);
}

/*
 * The alignment libbpf's btf__align_of() computes for id, which btf_dump uses
 * as a divisor when it prints an aggregate's members: it is 0 for members
 * that are void, forward declarations or functions, and its recursion
 * through members (of named aggregates too) has no bound. Mirror it with
 * bounds: > 0 when btf_dump can use it, 0 when it cannot.
 */
static int align_of(const struct btf *btf, __u32 id, int depth, int *budget)
{
	const struct btf_type *t;
	int i, a, max_align = 1;

	if (depth > SPELL_MAX_DEPTH || --*budget < 0)
		return 0;
	t = btf__type_by_id(btf, id);
	if (!t || !id)
		return 0;
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
	case BTF_KIND_FLOAT:
		return t->size < 8 ? (int)t->size : 8;
	case BTF_KIND_PTR:
		return 8;
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		return align_of(btf, t->type, depth + 1, budget);
	case BTF_KIND_ARRAY:
		return align_of(btf, btf_array(t)->type, depth + 1, budget);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		for (i = 0; i < btf_vlen(t); i++) {
			a = align_of(btf, btf_members(t)[i].type, depth + 1, budget);
			if (a <= 0)
				return 0;
			max_align = a > max_align ? a : max_align;
		}
		return max_align;
	default:
		return 0;
	}
}

/* [A-Za-z_][A-Za-z0-9_]*, the kernel's btf_name_valid_identifier() */
static bool is_identifier(const char *s)
{
	size_t i;

	if (!s || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return false;
	for (i = 1; s[i]; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
			return false;
	return true;
}

/* Identifiers separated by single spaces: "int", "unsigned long long",
 * "_Bool", "long double" (the kernel checks no integer or float name). */
static bool is_base_type_name(const char *s)
{
	const char *p = s;
	size_t len;

	if (!s)
		return false;
	for (;;) {
		len = strcspn(p, " ");
		if (!len || !(isalpha((unsigned char)p[0]) || p[0] == '_'))
			return false;
		for (; len; p++, len--)
			if (!(isalnum((unsigned char)*p) || *p == '_'))
				return false;
		if (!*p)
			return true;
		p++; /* the one space */
	}
}

/* What btf_dump prints between the quotes of btf_type_tag("...") */
static bool is_tag_value(const char *s)
{
	const char *p;

	if (!s || !*s)
		return false;
	for (p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e || *p == '"' ||
		    *p == '\\')
			return false;
	return true;
}

/*
 * The names btf_dump prints come from the BTF verbatim, and libbpf 1.1
 * checks none of them: a nameless int spells as "", a struct or enum whose
 * name is "" as a bare "struct" or "enum", a name with a ')' breaks the
 * declaration (found by the fuzzer). Every name that will show in the
 * spelling must be one C can have; decided per type exactly as btf_dump
 * decides (name_off == 0 is anonymous, whatever the string at offset 0).
 */
static bool spelled_names_ok(const struct btf *btf, const struct btf_type *t)
{
	const char *name = btf__name_by_offset(btf, t->name_off);
	__u16 i, vlen = btf_vlen(t);

	switch (btf_kind(t)) {
	case BTF_KIND_INT:
	case BTF_KIND_FLOAT:
		return is_base_type_name(name);
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_FWD:
		return is_identifier(name);
	case BTF_KIND_TYPE_TAG:
		return is_tag_value(name);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		if (t->name_off)
			return is_identifier(name);
		for (i = 0; i < vlen; i++) {	/* printed as members */
			name = btf__name_by_offset(btf, btf_members(t)[i].name_off);
			if (btf_members(t)[i].name_off && !is_identifier(name))
				return false;
		}
		return true;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		if (t->name_off)
			return is_identifier(name);
		if (!vlen)		/* would be a bare "enum" */
			return false;
		for (i = 0; i < vlen; i++) {	/* printed as enumerators */
			name = btf__name_by_offset(btf, btf_is_enum(t) ? btf_enum(t)[i].name_off :
							     btf_enum64(t)[i].name_off);
			if (!is_identifier(name))
				return false;
		}
		return true;
	case BTF_KIND_FUNC_PROTO:
		for (i = 0; i < vlen; i++) {	/* printed as parameter names */
			name = btf__name_by_offset(btf, btf_params(t)[i].name_off);
			if (btf_params(t)[i].name_off && !is_identifier(name))
				return false;
		}
		return true;
	default:
		return true;
	}
}

/*
 * btf_dump follows the parts of a type that its spelling shows (pointees,
 * array elements, prototype parameters, members of anonymous aggregates) by
 * recursion. Bound that walk before handing untrusted BTF to it, so a cyclic
 * or absurdly deep chain is an error rather than a stack overflow.
 */
static int spelling_walk(const struct btf *btf, __u32 id, int depth, int *budget)
{
	const struct btf_type *t;
	__u16 i, vlen;

	if (!id)
		return 0;
	if (depth > SPELL_MAX_DEPTH || --*budget < 0)
		return -ELOOP;
	t = btf__type_by_id(btf, id);
	if (!t || !spelled_names_ok(btf, t))
		return -EINVAL;
	vlen = btf_vlen(t);
	switch (btf_kind(t)) {
	case BTF_KIND_PTR:
	case BTF_KIND_CONST:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		return spelling_walk(btf, t->type, depth + 1, budget);
	case BTF_KIND_ARRAY:
		return spelling_walk(btf, btf_array(t)->type, depth + 1, budget);
	case BTF_KIND_FUNC_PROTO:
		for (i = 0; i < vlen; i++)
			if (spelling_walk(btf, btf_params(t)[i].type, depth + 1, budget))
				return -ELOOP;
		return spelling_walk(btf, t->type, depth + 1, budget);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		if (t->name_off)	/* named: btf_dump prints "struct <name>" */
			return 0;
		if (t->size > ANON_MAX_SIZE || vlen > ANON_MAX_VLEN)
			return -E2BIG;
		if (align_of(btf, id, depth, budget) <= 0)
			return -EINVAL;
		for (i = 0; i < vlen; i++) {
			__s64 msize = btf__resolve_size(btf, btf_members(t)[i].type);

			/* every member inside the aggregate, as a compiler lays it out */
			if (msize < 0 || (__u64)btf_member_bit_offset(t, i) + 8 * (__u64)msize >
					 8 * (__u64)t->size + (btf_member_bitfield_size(t, i) ? 64 : 0))
				return -E2BIG;
			if (spelling_walk(btf, btf_members(t)[i].type, depth + 1, budget))
				return -ELOOP;
		}
		return 0;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		if (!t->name_off && vlen > ANON_MAX_VLEN)
			return -E2BIG;
		return 0;
	case BTF_KIND_INT:
	case BTF_KIND_FLOAT:
	case BTF_KIND_FWD:
	case BTF_KIND_TYPEDEF:
		return 0;
	default: /* FUNC, VAR, DATASEC, DECL_TAG are not types of values */
		return -EINVAL;
	}
}

int sdt_type_name(const struct btf *btf, __u32 id, char **out)
{
	LIBBPF_OPTS(btf_dump_emit_type_decl_opts, opts, .field_name = "");
	struct strbuf buf = {};
	struct btf_dump *d;
	int budget = SPELL_MAX_NODES, err;

	*out = NULL;
	err = spelling_walk(btf, id, 0, &budget);
	if (err)
		return err;
	d = btf_dump__new(btf, strbuf_vprintf, &buf, NULL);
	if (!d)
		return -errno;
	err = btf_dump__emit_type_decl(d, id, &opts);
	btf_dump__free(d);
	if (!err)
		err = buf.err;
	if (err) {
		free(buf.s);
		return err;
	}
	if (!buf.s)
		return -EINVAL;
	/* btf_dump separates a declarator from an empty field name with a
	 * space ("int " / "struct ethhdr *"): trim it. */
	while (buf.len && buf.s[buf.len - 1] == ' ')
		buf.s[--buf.len] = '\0';
	*out = buf.s;
	return 0;
}

const char *sdt_arg_type_problem(const struct btf *btf, __u32 id)
{
	const struct btf_type *t;
	int hops;

	for (hops = 0; hops < RESOLVE_MAX_HOPS; hops++) {
		t = btf__type_by_id(btf, id);
		if (!t || !id)
			return "is void";
		switch (btf_kind(t)) {
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_CONST:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_TYPE_TAG:
			id = t->type;
			continue;
		case BTF_KIND_PTR:
			return NULL;
		case BTF_KIND_INT:
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
			return t->size > 8 ? "is wider than 64 bits" : NULL;
		default:
			return "is not an integer, enum, _Bool or pointer";
		}
	}
	return "is a typedef/modifier chain that does not end";
}
