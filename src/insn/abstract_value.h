/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What the offline check knows about one register or 8-byte stack slot at
 * one point of a program: the kind of value it holds on every path there
 * (the verifier's register types, coarsened), a scalar's signed range, a
 * pointer's constant offset and, for packet pointers, how many bytes from
 * their base a bounds check has proven. Joins merge what different paths
 * bring; a value of different kinds on different paths becomes MIXED.
 */
#ifndef __BPFSDT_ABSTRACT_VALUE_H
#define __BPFSDT_ABSTRACT_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

enum sdt_akind {
	SDT_AK_NONE,		/* no path reaches here (bottom) */
	SDT_AK_UNINIT,		/* never written on any path */
	SDT_AK_SCALAR,
	SDT_AK_CTX,
	SDT_AK_PKT,
	SDT_AK_PKT_END,
	SDT_AK_PKT_META,
	SDT_AK_STACK,		/* aux: the function whose frame it points into */
	SDT_AK_MAP_VALUE,	/* aux: map index, or SDT_AV_NO_MAP */
	SDT_AK_MAP_PTR,		/* aux: map index, or SDT_AV_NO_MAP */
	SDT_AK_FUNC,		/* aux: first instruction of a callback */
	SDT_AK_PTR_OTHER,	/* memory or a kernel object a helper returned */
	/* Observers only (value_analysis.h, provenance): anything that may
	 * derive from the target -- a pointer into its context, packet, stack
	 * or maps, or a scalar computed from one; never its own memory. */
	SDT_AK_FOREIGN,
	SDT_AK_MIXED,		/* kinds: what the paths bring */
	SDT_AK_CNT,
};

#define SDT_AV_MAYBE_NULL	0x1	/* pointers: NULL on some path */
#define SDT_AV_MAYBE_UNINIT	0x2	/* not written on some path */
#define SDT_AV_VAR_OFF		0x4	/* pointers: the offset is not a constant */

#define SDT_AV_NO_MAP		0xffffffffu

struct sdt_aval {
	__u8 kind;		/* enum sdt_akind */
	__u8 flags;		/* SDT_AV_* */
	__u16 kinds;		/* MIXED: bit per kind some path brings */
	__s32 off;		/* pointers: the constant part of the offset */
	__u32 id;		/* pointers: copies share it (NULL checks, packet ranges) */
	__u32 range;		/* PKT, PKT_META: bytes from off 0 of this id proven in bounds */
	__u32 aux;
	__s64 smin, smax;	/* SCALAR: signed range */
};

static inline bool sdt_av_is_ptr(const struct sdt_aval *v)
{
	return v->kind >= SDT_AK_CTX && v->kind <= SDT_AK_PTR_OTHER;
}

/* The kinds some path brings: bit k for kind k (MIXED: its kinds). */
static inline __u16 sdt_av_kinds(const struct sdt_aval *v)
{
	return v->kind == SDT_AK_MIXED ? v->kinds : (__u16)(1u << v->kind);
}

#define SDT_AK_BIT(k) ((__u16)(1u << (k)))

static inline bool sdt_av_is_const(const struct sdt_aval *v, __s64 *c)
{
	if (v->kind != SDT_AK_SCALAR || v->smin != v->smax || (v->flags & SDT_AV_MAYBE_UNINIT))
		return false;
	if (c)
		*c = v->smin;
	return true;
}

struct sdt_aval sdt_av_none(void);
struct sdt_aval sdt_av_uninit(void);
struct sdt_aval sdt_av_scalar(__s64 smin, __s64 smax);
struct sdt_aval sdt_av_unknown_scalar(void);
/* A scalar loaded from `bytes` bytes of memory (zero-extended). */
struct sdt_aval sdt_av_loaded_scalar(int bytes);
struct sdt_aval sdt_av_const(__s64 c);
struct sdt_aval sdt_av_ptr(enum sdt_akind kind, __u32 aux);

/* The value some path or other brings: a ⊔ b. */
struct sdt_aval sdt_av_join(const struct sdt_aval *a, const struct sdt_aval *b, __u32 join_id);
/* Loses a growing scalar range, so that loops reach a fixpoint. */
void sdt_av_widen(struct sdt_aval *v, const struct sdt_aval *old);
bool sdt_av_equal(const struct sdt_aval *a, const struct sdt_aval *b);

/* dst op= src on scalars (BPF_ADD, ... as in insn->code & 0xf0), 64-bit
 * or 32-bit (the result zero-extended); imprecise results are ranges. */
struct sdt_aval sdt_av_alu(__u8 op, const struct sdt_aval *dst, const struct sdt_aval *src,
			   bool is64);

/* Does every value of the range fit in `bits` bits, as a signed or as an
 * unsigned number? */
bool sdt_av_fits(const struct sdt_aval *v, int bits);
/* Does some value of the range fit? */
bool sdt_av_any_fits(const struct sdt_aval *v, int bits);

/* "a scalar", "a packet pointer", "a map value pointer that may be NULL",
 * "a packet pointer on some paths and a scalar on others" */
const char *sdt_av_describe(const struct sdt_aval *v, char *buf, size_t size);
/* The words for one kind ("a packet pointer"). */
const char *sdt_akind_words(enum sdt_akind kind);

#endif
