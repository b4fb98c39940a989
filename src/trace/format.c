// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Values formatted by their BTF type: probe arguments in events, observer
 * globals after a run. */
#include <bpf/btf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "util/util.h"

#define MAX_DEPTH 8
#define MAX_ELEMS 256

struct out {
	char *buf;
	size_t size, len;
	bool json;
};

__attribute__((format(printf, 2, 3)))
static void put(struct out *o, const char *fmt, ...)
{
	va_list args;
	int n;

	va_start(args, fmt);
	n = vsnprintf(o->len < o->size ? o->buf + o->len : NULL,
		      o->len < o->size ? o->size - o->len : 0, fmt, args);
	va_end(args);
	if (n > 0)
		o->len += n;
}

static void put_string(struct out *o, const char *s)
{
	put(o, o->json ? "\"%s\"" : "%s", s);
}

static __u64 load_uint(const void *data, __u32 size)
{
	__u64 v = 0;

	memcpy(&v, data, size < 8 ? size : 8); /* little endian: low bytes */
	return v;
}

static __s64 sign_extend(__u64 v, __u32 bits)
{
	return bits >= 64 ? (__s64)v : (__s64)(v << (64 - bits)) >> (64 - bits);
}

static void put_int(struct out *o, const struct btf_type *t, const void *data)
{
	__u8 enc = btf_int_encoding(t);
	__u32 bits = btf_int_bits(t);
	__u64 v = load_uint(data, t->size);

	if (bits < 64)
		v &= (1ULL << bits) - 1;
	if (enc & BTF_INT_BOOL)
		put(o, "%s", v ? "true" : "false");
	else if (enc & BTF_INT_SIGNED)
		put(o, "%lld", (long long)sign_extend(v, bits));
	else
		put(o, "%llu", (unsigned long long)v);
}

static void put_enum(struct out *o, const struct btf *btf, const struct btf_type *t,
		     const void *data)
{
	__u64 v = load_uint(data, t->size);
	bool is_signed = btf_kflag(t);
	__u16 i;

	if (t->size < 8)
		v &= (1ULL << (8 * t->size)) - 1;
	for (i = 0; i < btf_vlen(t); i++) {
		__u64 ev;
		__u32 name_off;

		if (btf_is_enum(t)) {
			ev = (__u32)btf_enum(t)[i].val;
			name_off = btf_enum(t)[i].name_off;
		} else {
			ev = btf_enum64_value(&btf_enum64(t)[i]);
			name_off = btf_enum64(t)[i].name_off;
		}
		if (t->size < 8)
			ev &= (1ULL << (8 * t->size)) - 1;
		if (ev == v) {
			put_string(o, btf__name_by_offset(btf, name_off));
			return;
		}
	}
	if (is_signed)
		put(o, "%lld", (long long)sign_extend(v, 8 * t->size));
	else
		put(o, "%llu", (unsigned long long)v);
}

static int put_value(struct out *o, const struct btf *btf, __u32 id, const void *data,
		     size_t size, int depth);

static int put_array(struct out *o, const struct btf *btf, const struct btf_type *t,
		     const void *data, size_t size, int depth)
{
	const struct btf_array *a = btf_array(t);
	__s64 esz = btf__resolve_size(btf, a->type);
	__u32 i;
	int err;

	if (esz <= 0 || (__u64)esz * a->nelems > size)
		return -EINVAL;
	put(o, "[");
	for (i = 0; i < a->nelems && i < MAX_ELEMS; i++) {
		put(o, i ? ", " : "");
		err = put_value(o, btf, a->type, (const char *)data + i * esz, (size_t)esz, depth + 1);
		if (err)
			return err;
	}
	if (i < a->nelems)
		put(o, o->json ? ", \"...\"" : ", ...");
	put(o, "]");
	return 0;
}

static int put_struct(struct out *o, const struct btf *btf, const struct btf_type *t,
		      const void *data, size_t size, int depth)
{
	const struct btf_member *m = btf_members(t);
	__u16 i;
	int err;

	put(o, "{");
	for (i = 0; i < btf_vlen(t); i++) {
		__u32 off = btf_member_bit_offset(t, i);
		const char *name = btf__name_by_offset(btf, m[i].name_off);

		if (btf_member_bitfield_size(t, i) || off % 8 || off / 8 >= size)
			continue; /* bitfields: not worth their complexity here */
		put(o, o->json ? "%s\"%s\": " : "%s%s=", i ? ", " : "", *name ? name : "?");
		err = put_value(o, btf, m[i].type, (const char *)data + off / 8, size - off / 8,
				depth + 1);
		if (err)
			return err;
	}
	put(o, "}");
	return 0;
}

static int put_value(struct out *o, const struct btf *btf, __u32 id, const void *data,
		     size_t size, int depth)
{
	const struct btf_type *t;

	if (depth > MAX_DEPTH)
		return -ELOOP;
	id = btf__resolve_type(btf, id);
	t = btf__type_by_id(btf, id);
	if (!t)
		return -EINVAL;
	if (btf_is_ptr(t)) {
		if (size < 8)
			return -EINVAL;
		put(o, o->json ? "\"0x%llx\"" : "0x%llx", (unsigned long long)load_uint(data, 8));
		return 0;
	}
	if ((btf_is_int(t) || btf_is_any_enum(t)) && t->size > size)
		return -EINVAL;
	if (btf_is_int(t)) {
		put_int(o, t, data);
		return 0;
	}
	if (btf_is_any_enum(t)) {
		put_enum(o, btf, t, data);
		return 0;
	}
	if (btf_is_array(t))
		return put_array(o, btf, t, data, size, depth);
	if (btf_is_composite(t))
		return put_struct(o, btf, t, data, size, depth);
	return -EOPNOTSUPP;
}

int bpf_sdt_format_value(const struct btf *btf, __u32 type_id, const void *data, size_t size,
			 bool json, char *buf, size_t buf_size)
{
	struct out o = { .buf = buf, .size = buf_size, .json = json };
	int err;

	if (!btf || !data)
		return -EINVAL;
	if (buf_size)
		buf[0] = '\0';
	err = put_value(&o, btf, type_id, data, size, 0);
	return err ? err : (int)o.len;
}
