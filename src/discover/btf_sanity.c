// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Reference, name and size checks on untrusted BTF.
 *
 * libbpf 1.1's btf__new() checks the layout of every type record but not the
 * type ids they reference nor their name offsets, and btf_dump indexes its
 * state arrays with those ids. Later libbpf releases validate this in
 * btf__new(); until the distribution ships one, discovery checks it here
 * before any other BTF consumer runs.
 *
 * The record layout is checked before btf__new() too: libbpf 1.1 reports a
 * record running past the type section through its own print callback, which
 * would give a caller a second line for one refusal.
 */
#include <bpf/btf.h>
#include <errno.h>
#include <string.h>
#include "discover/btf_sanity.h"

static bool str_ok(const struct btf *btf, __u32 off)
{
	return btf__str_by_offset(btf, off) != NULL;
}

static bool id_ok(__u32 id, __u32 cnt)
{
	return id < cnt;
}

static bool power_of_two_up_to(__u32 v, __u32 max)
{
	return v && v <= max && !(v & (v - 1));
}

/* The kernel's own rules (btf_int_check_meta): a size a type can have, its
 * value bits inside it, one encoding. btf_dump divides by sizes derived from
 * these, so a zero one would crash it. */
static const char *check_int(const struct btf_type *t)
{
	__u32 info = *(const __u32 *)(t + 1);
	__u8 enc = BTF_INT_ENCODING(info);

	if (!power_of_two_up_to(t->size, 16))
		return "integer size not 1, 2, 4, 8 or 16";
	if (BTF_INT_BITS(info) > 128 || BTF_INT_OFFSET(info) + BTF_INT_BITS(info) > t->size * 8)
		return "integer bits outside its size";
	if (enc && enc != BTF_INT_SIGNED && enc != BTF_INT_CHAR && enc != BTF_INT_BOOL)
		return "integer with more than one encoding";
	return NULL;
}

/* ENUM and ENUM64 differ only in how wide an enumerator's value is. */
static __u32 enumerator_name_off(const struct btf_type *t, __u16 i)
{
	return btf_kind(t) == BTF_KIND_ENUM ? btf_enum(t)[i].name_off : btf_enum64(t)[i].name_off;
}

static const char *check_type(const struct btf *btf, const struct btf_type *t, __u32 cnt)
{
	__u16 i, vlen = btf_vlen(t);

	if (!str_ok(btf, t->name_off))
		return "name offset out of range";
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
		return check_int(t);
	case BTF_KIND_FLOAT:
		return t->size == 2 || t->size == 4 || t->size == 8 || t->size == 12 ||
		       t->size == 16 ? NULL : "float size not 2, 4, 8, 12 or 16";
	case BTF_KIND_FWD:
		return NULL;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		if (!power_of_two_up_to(t->size, 8))
			return "enum size not 1, 2, 4 or 8";
		for (i = 0; i < vlen; i++)
			if (!str_ok(btf, enumerator_name_off(t, i)))
				return "enumerator name out of range";
		return NULL;
	case BTF_KIND_PTR:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
	case BTF_KIND_FUNC:
	case BTF_KIND_VAR:
	case BTF_KIND_DECL_TAG:
		return id_ok(t->type, cnt) ? NULL : "referenced type id out of range";
	case BTF_KIND_ARRAY: {
		const struct btf_array *a = btf_array(t);

		return id_ok(a->type, cnt) && id_ok(a->index_type, cnt) ?
			NULL : "array element or index type out of range";
	}
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION: {
		const struct btf_member *m = btf_members(t);

		for (i = 0; i < vlen; i++)
			if (!id_ok(m[i].type, cnt) || !str_ok(btf, m[i].name_off))
				return "member type or name out of range";
		return NULL;
	}
	case BTF_KIND_FUNC_PROTO: {
		const struct btf_param *p = btf_params(t);

		if (!id_ok(t->type, cnt))
			return "return type out of range";
		for (i = 0; i < vlen; i++)
			if (!id_ok(p[i].type, cnt) || !str_ok(btf, p[i].name_off))
				return "parameter type or name out of range";
		return NULL;
	}
	case BTF_KIND_DATASEC: {
		const struct btf_var_secinfo *v = btf_var_secinfos(t);

		for (i = 0; i < vlen; i++)
			if (!id_ok(v[i].type, cnt))
				return "section variable type out of range";
		return NULL;
	}
	default:
		return "unknown kind";
	}
}

int sdt_btf_check_refs(const struct btf *btf, const char *file)
{
	__u32 cnt = btf__type_cnt(btf), id;
	const char *problem;

	for (id = 1; id < cnt; id++) {
		problem = check_type(btf, btf__type_by_id(btf, id), cnt);
		if (problem) {
			pr_warn("%s: .BTF: type [%u]: %s", file, id, problem);
			return -EINVAL;
		}
	}
	return 0;
}

/* Size of a type record as libbpf 1.1's btf_type_size() computes it; 0 for
 * a kind it does not know (it rejects those without a warning). */
static size_t type_record_size(const struct btf_type *t)
{
	size_t base = sizeof(*t), vlen = btf_vlen(t);

	switch (btf_kind(t)) {
	case BTF_KIND_FWD:
	case BTF_KIND_CONST:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_PTR:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_FUNC:
	case BTF_KIND_FLOAT:
	case BTF_KIND_TYPE_TAG:
		return base;
	case BTF_KIND_INT:
		return base + sizeof(__u32);
	case BTF_KIND_ENUM:
		return base + vlen * sizeof(struct btf_enum);
	case BTF_KIND_ENUM64:
		return base + vlen * sizeof(struct btf_enum64);
	case BTF_KIND_ARRAY:
		return base + sizeof(struct btf_array);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return base + vlen * sizeof(struct btf_member);
	case BTF_KIND_FUNC_PROTO:
		return base + vlen * sizeof(struct btf_param);
	case BTF_KIND_VAR:
		return base + sizeof(struct btf_var);
	case BTF_KIND_DATASEC:
		return base + vlen * sizeof(struct btf_var_secinfo);
	case BTF_KIND_DECL_TAG:
		return base + sizeof(struct btf_decl_tag);
	default:
		return 0;
	}
}

int sdt_btf_check_layout(const void *data, size_t size, const char *file)
{
	const char *types;
	struct btf_header hdr;
	struct btf_type t;
	size_t off, len, rec;
	__u32 id;

	if (!data || size < sizeof(hdr))
		return 0;
	memcpy(&hdr, data, sizeof(hdr));
	if (hdr.magic == __builtin_bswap16(BTF_MAGIC)) {
		pr_warn("%s: .BTF: byte-swapped BTF is not supported", file);
		return -EINVAL;
	}
	/* the header checks of libbpf's btf_parse_hdr(): it fails quietly */
	if (hdr.magic != BTF_MAGIC || hdr.hdr_len > size ||
	    (__u64)hdr.str_off + hdr.str_len > size - hdr.hdr_len ||
	    (__u64)hdr.type_off + hdr.type_len > hdr.str_off || hdr.type_off % 4)
		return 0;
	types = (const char *)data + hdr.hdr_len + hdr.type_off;
	len = hdr.type_len;
	for (off = 0, id = 1; off + sizeof(t) <= len; off += rec, id++) {
		memcpy(&t, types + off, sizeof(t));
		rec = type_record_size(&t);
		if (!rec)
			return 0;
		if (rec > len - off) {
			pr_warn("%s: .BTF: type [%u] runs past the end of the type section", file, id);
			return -EINVAL;
		}
	}
	if (off != len) {
		pr_warn("%s: .BTF: type section ends with %zu bytes that are no type record",
			file, len - off);
		return -EINVAL;
	}
	return 0;
}
