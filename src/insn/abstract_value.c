// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The value lattice of the offline check: constructors, join, widening and
 * the words findings use for a value (the same words as the kernel check's,
 * so that both modes say the same thing about the same site). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <linux/bpf.h>
#include "insn/abstract_value.h"

struct sdt_aval sdt_av_none(void)
{
	return (struct sdt_aval){ .kind = SDT_AK_NONE };
}

struct sdt_aval sdt_av_uninit(void)
{
	return (struct sdt_aval){ .kind = SDT_AK_UNINIT };
}

struct sdt_aval sdt_av_scalar(__s64 smin, __s64 smax)
{
	return (struct sdt_aval){ .kind = SDT_AK_SCALAR, .smin = smin, .smax = smax };
}

struct sdt_aval sdt_av_unknown_scalar(void)
{
	return sdt_av_scalar(INT64_MIN, INT64_MAX);
}

struct sdt_aval sdt_av_loaded_scalar(int bytes)
{
	return bytes >= 8 ? sdt_av_unknown_scalar() :
			    sdt_av_scalar(0, (__s64)((1ull << (bytes * 8)) - 1));
}

struct sdt_aval sdt_av_const(__s64 c)
{
	return sdt_av_scalar(c, c);
}

struct sdt_aval sdt_av_ptr(enum sdt_akind kind, __u32 aux)
{
	return (struct sdt_aval){ .kind = kind, .aux = aux };
}

static __u16 kind_mask(const struct sdt_aval *v)
{
	return sdt_av_kinds(v);
}

struct sdt_aval sdt_av_join(const struct sdt_aval *a, const struct sdt_aval *b, __u32 join_id)
{
	struct sdt_aval r;

	if (a->kind == SDT_AK_NONE)
		return *b;
	if (b->kind == SDT_AK_NONE)
		return *a;
	if (a->kind == SDT_AK_UNINIT || b->kind == SDT_AK_UNINIT) {
		r = a->kind == SDT_AK_UNINIT ? *b : *a;
		if (r.kind != SDT_AK_UNINIT)
			r.flags |= SDT_AV_MAYBE_UNINIT;
		return r;
	}
	if (a->kind != b->kind || a->kind == SDT_AK_MIXED) {
		r = (struct sdt_aval){ .kind = SDT_AK_MIXED };
		r.kinds = kind_mask(a) | kind_mask(b);
		r.flags = (a->flags | b->flags) & (SDT_AV_MAYBE_UNINIT | SDT_AV_MAYBE_NULL);
		return r;
	}
	r = *a;
	r.flags |= b->flags;
	if (a->kind == SDT_AK_SCALAR) {
		r.smin = a->smin < b->smin ? a->smin : b->smin;
		r.smax = a->smax > b->smax ? a->smax : b->smax;
		return r;
	}
	if (a->off != b->off)
		r.flags |= SDT_AV_VAR_OFF;
	if (a->id != b->id)
		r.id = join_id;
	r.range = a->range < b->range ? a->range : b->range;
	if (a->aux != b->aux)
		r.aux = SDT_AV_NO_MAP;
	return r;
}

void sdt_av_widen(struct sdt_aval *v, const struct sdt_aval *old)
{
	if (v->kind != SDT_AK_SCALAR || old->kind != SDT_AK_SCALAR)
		return;
	if (v->smin < old->smin)
		v->smin = INT64_MIN;
	if (v->smax > old->smax)
		v->smax = INT64_MAX;
}

/* Field by field: the struct has padding, which copies need not keep. */
bool sdt_av_equal(const struct sdt_aval *a, const struct sdt_aval *b)
{
	return a->kind == b->kind && a->flags == b->flags && a->kinds == b->kinds &&
	       a->off == b->off && a->id == b->id && a->range == b->range && a->aux == b->aux &&
	       a->smin == b->smin && a->smax == b->smax;
}

bool sdt_av_fits(const struct sdt_aval *v, int bits)
{
	__s64 lo, hi;

	if (bits >= 64)
		return true;
	lo = -((__s64)1 << (bits - 1));
	hi = (__s64)((1ull << bits) - 1);
	return v->smin >= lo && v->smax <= hi;
}

const char *sdt_akind_words(enum sdt_akind kind)
{
	switch (kind) {
	case SDT_AK_NONE: return "nothing (unreachable)";
	case SDT_AK_UNINIT: return "nothing (it is never written)";
	case SDT_AK_SCALAR: return "a scalar";
	case SDT_AK_CTX: return "the context pointer";
	case SDT_AK_PKT: return "a packet pointer";
	case SDT_AK_PKT_END: return "the packet end pointer";
	case SDT_AK_PKT_META: return "a packet metadata pointer";
	case SDT_AK_STACK: return "a stack pointer";
	case SDT_AK_MAP_VALUE: return "a map value pointer";
	case SDT_AK_MAP_PTR: return "a map pointer";
	case SDT_AK_FUNC: return "a callback function";
	case SDT_AK_PTR_OTHER: return "a memory or kernel object pointer";
	case SDT_AK_FOREIGN: return "a value from the target's memory";
	default: return "a value of several kinds";
	}
}

const char *sdt_av_describe(const struct sdt_aval *v, char *buf, size_t size)
{
	size_t len = 0;
	int k, seen = 0, n = __builtin_popcount(v->kinds);

	if (v->kind != SDT_AK_MIXED) {
		snprintf(buf, size, "%s%s", sdt_akind_words(v->kind),
			 sdt_av_is_ptr(v) && (v->flags & SDT_AV_MAYBE_NULL) ? " that may be NULL" : "");
		return buf;
	}
	buf[0] = '\0';
	for (k = SDT_AK_UNINIT; k < SDT_AK_MIXED; k++) {
		if (!(v->kinds & (1u << k)))
			continue;
		seen++;
		len += snprintf(buf + len, len < size ? size - len : 0, "%s%s",
				seen == 1 ? "" : seen == n ? (n == 2 ? " on some paths and " : " or ") :
				", ", sdt_akind_words(k));
		if (len >= size)
			return buf;
	}
	snprintf(buf + len, len < size ? size - len : 0, "%s",
		 n == 2 ? " on others" : " depending on the path");
	return buf;
}

#define U32_MAX_S64 ((__s64)0xffffffffll)

static bool nonneg(const struct sdt_aval *v)
{
	return v->smin >= 0;
}

/* Exact result of op on constants, as the BPF ISA defines it (division by
 * zero gives 0, modulo by zero leaves dst). */
static __u64 fold(__u8 op, __u64 a, __u64 b, bool is64)
{
	unsigned int mask = is64 ? 63 : 31;

	if (!is64) {
		a = (__u32)a;
		b = (__u32)b;
	}
	switch (op) {
	case BPF_ADD: return a + b;
	case BPF_SUB: return a - b;
	case BPF_MUL: return a * b;
	case BPF_DIV: return b ? a / b : 0;
	case BPF_MOD: return b ? a % b : a;
	case BPF_OR: return a | b;
	case BPF_AND: return a & b;
	case BPF_XOR: return a ^ b;
	case BPF_LSH: return a << (b & mask);
	case BPF_RSH: return a >> (b & mask);
	case BPF_ARSH:
		return is64 ? (__u64)((__s64)a >> (b & mask)) : (__u32)((__s32)a >> (b & mask));
	case BPF_NEG: return -a;
	default: return 0;
	}
}

/* The smallest 2^n - 1 at least v (v >= 0). */
static __s64 fill_bits(__s64 v)
{
	__u64 m = (__u64)v;

	m |= m >> 1;
	m |= m >> 2;
	m |= m >> 4;
	m |= m >> 8;
	m |= m >> 16;
	m |= m >> 32;
	return (__s64)m;
}

static struct sdt_aval range64(__u8 op, const struct sdt_aval *a, const struct sdt_aval *b)
{
	struct sdt_aval full = sdt_av_unknown_scalar();
	__s64 lo, hi, c;
	bool bc = b->smin == b->smax;

	c = b->smin;
	switch (op) {
	case BPF_ADD:
		if (__builtin_add_overflow(a->smin, b->smin, &lo) ||
		    __builtin_add_overflow(a->smax, b->smax, &hi))
			return full;
		return sdt_av_scalar(lo, hi);
	case BPF_SUB:
		if (__builtin_sub_overflow(a->smin, b->smax, &lo) ||
		    __builtin_sub_overflow(a->smax, b->smin, &hi))
			return full;
		return sdt_av_scalar(lo, hi);
	case BPF_MUL:
		if (!nonneg(a) || !nonneg(b) || __builtin_mul_overflow(a->smax, b->smax, &hi))
			return full;
		return sdt_av_scalar(a->smin * b->smin, hi);
	case BPF_AND:
		if (nonneg(a) && nonneg(b))
			return sdt_av_scalar(0, a->smax < b->smax ? a->smax : b->smax);
		if (nonneg(a) || nonneg(b))
			return sdt_av_scalar(0, nonneg(a) ? a->smax : b->smax);
		return full;
	case BPF_OR:
	case BPF_XOR:
		if (!nonneg(a) || !nonneg(b))
			return full;
		return sdt_av_scalar(op == BPF_OR ? (a->smin > b->smin ? a->smin : b->smin) : 0,
				     fill_bits(a->smax > b->smax ? a->smax : b->smax));
	case BPF_LSH:
		if (!bc || c < 0 || c > 63 || !nonneg(a) || a->smax > (INT64_MAX >> c))
			return full;
		return sdt_av_scalar(a->smin << c, a->smax << c);
	case BPF_RSH:
		if (!bc || c < 0 || c > 63)
			return full;
		if (nonneg(a))
			return sdt_av_scalar(a->smin >> c, a->smax >> c);
		return c ? sdt_av_scalar(0, (__s64)(UINT64_MAX >> c)) : full;
	case BPF_ARSH:
		if (!bc || c < 0 || c > 63)
			return full;
		return sdt_av_scalar(a->smin >> c, a->smax >> c);
	case BPF_DIV:
		if (bc && c > 0 && nonneg(a))
			return sdt_av_scalar(a->smin / c, a->smax / c);
		if (bc && c == 0)
			return sdt_av_const(0);
		return nonneg(a) ? sdt_av_scalar(0, a->smax) : full;
	case BPF_MOD:
		if (bc && c > 0)
			return sdt_av_scalar(0, nonneg(a) && a->smax < c - 1 ? a->smax : c - 1);
		if (bc && c == 0)
			return *a;
		return nonneg(a) ? sdt_av_scalar(0, a->smax) : full;
	case BPF_NEG:
		if (a->smin == INT64_MIN)
			return full;
		return sdt_av_scalar(-a->smax, -a->smin);
	default:
		return full;
	}
}

/* A 32-bit operand: its range when that lies in [0, 2^32), else any u32. */
static struct sdt_aval low32(const struct sdt_aval *v)
{
	if (v->smin >= 0 && v->smax <= U32_MAX_S64)
		return sdt_av_scalar(v->smin, v->smax);
	return sdt_av_scalar(0, U32_MAX_S64);
}

struct sdt_aval sdt_av_alu(__u8 op, const struct sdt_aval *dst, const struct sdt_aval *src,
			   bool is64)
{
	struct sdt_aval a = *dst, b = *src, r;

	if (!is64) {
		a = low32(dst);
		b = low32(src);
	}
	if (a.smin == a.smax && b.smin == b.smax) {
		__u64 v = fold(op, (__u64)a.smin, (__u64)b.smin, is64);

		return sdt_av_const(is64 ? (__s64)v : (__s64)(__u32)v);
	}
	if (!is64 && op == BPF_ARSH)
		return sdt_av_scalar(0, U32_MAX_S64);
	r = range64(op, &a, &b);
	return is64 ? r : low32(&r);
}

bool sdt_av_any_fits(const struct sdt_aval *v, int bits)
{
	__s64 lo, hi;

	if (bits >= 64)
		return true;
	lo = -((__s64)1 << (bits - 1));
	hi = (__s64)((1ull << bits) - 1);
	return v->smax >= lo && v->smin <= hi;
}
