// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Aggregations in the kernel, as bpftrace's count(), sum(), min(), max(),
 * hist() and lhist() do them: the event never leaves the kernel, only the
 * totals are read, so an aggregation costs the same at a million events a
 * second as at one.
 *
 * Each CPU has its own value (BPF_MAP_TYPE_PERCPU_HASH): XDP and tc run
 * with migration disabled and do not nest on a CPU, so a plain
 * read-modify-write is exact without atomics (there is no atomic min or
 * max), and reading adds the CPUs up. Every key is created before the code
 * that uses it runs, so the generated code only looks keys up (a hash
 * lookup cannot fail for want of a value to insert); the map does not
 * preallocate, so unused capacity costs nothing.
 *
 * The bucket of a value v (docs: bpf_sdt_aggregation in libbpfsdt.h):
 * log2 -- 0 for v < 0 (signed types), 1 for 0, else 2 + floor(log2 v),
 * found in six halving steps; linear -- 0 below min, n + 1 from max on,
 * else 1 + (v - min) / step.
 */
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "insn/helper_args.h"
#include "relink/relink.h"
#include "trace/aggregate.h"

#define AGG_HDR_SLOTS 4		/* count, sum, min, max */
#define LOG2_BUCKETS 66
#define AGG_MAX_KEYS 65536

static __u32 value_size(const struct sdt_agg *a)
{
	return 8 * (AGG_HDR_SLOTS + a->bucket_cnt);
}

int sdt_agg_init(struct sdt_agg *a, const struct bpf_sdt_aggregation *spec, char *why,
		 size_t why_size)
{
	LIBBPF_OPTS(bpf_map_create_opts, mopts, .map_flags = BPF_F_NO_PREALLOC);

	memset(a, 0, sizeof(*a));
	a->fd = -1;
	a->spec.sz = sizeof(a->spec);
	a->spec.arg = SDT_OPTS_GET(spec, arg, 0);
	a->spec.per_probe = SDT_OPTS_GET(spec, per_probe, false);
	a->spec.hist = SDT_OPTS_GET(spec, hist, BPF_SDT_HIST_NONE);
	a->spec.min = SDT_OPTS_GET(spec, min, 0);
	a->spec.max = SDT_OPTS_GET(spec, max, 0);
	a->spec.step = SDT_OPTS_GET(spec, step, 0);
	if (a->spec.arg < 0 || a->spec.arg >= BPF_SDT_MAX_ARGS) {
		snprintf(why, why_size, "no argument %d (arg0..arg%d)", a->spec.arg,
			 BPF_SDT_MAX_ARGS - 1);
		return -EINVAL;
	}
	switch (a->spec.hist) {
	case BPF_SDT_HIST_NONE:
		break;
	case BPF_SDT_HIST_LOG2:
		a->bucket_cnt = LOG2_BUCKETS;
		break;
	case BPF_SDT_HIST_LINEAR:
		if (a->spec.step <= 0 || a->spec.max <= a->spec.min ||
		    (__u64)a->spec.max - (__u64)a->spec.min < (__u64)a->spec.step ||
		    ((__u64)a->spec.max - (__u64)a->spec.min) / (__u64)a->spec.step >
		    BPF_SDT_HIST_MAX_LINEAR) {
			snprintf(why, why_size, "a linear histogram needs min < max and 0 < step <= max - min, with at most %d buckets from min to max",
				 BPF_SDT_HIST_MAX_LINEAR);
			return -EINVAL;
		}
		a->bucket_cnt = (__u32)(((__u64)a->spec.max - (__u64)a->spec.min) /
					(__u64)a->spec.step) + 2;
		break;
	default:
		snprintf(why, why_size, "unknown histogram kind %d", a->spec.hist);
		return -EINVAL;
	}
	a->fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_HASH, "sdt_agg", sizeof(__u32), value_size(a),
			       AGG_MAX_KEYS, &mopts);
	if (a->fd < 0) {
		int err = -errno;

		snprintf(why, why_size, "cannot create its map: %s", strerror(-err));
		return err;
	}
	return 0;
}

void sdt_agg_release(struct sdt_agg *a)
{
	if (a->fd >= 0)
		close(a->fd);
	a->fd = -1;
	free(a->probes);
	a->probes = NULL;
	a->nprobes = 0;
}

/* Whether argument idx of probe is a signed number; -EINVAL if no number. */
static int arg_signed(const struct btf *btf, const struct bpf_sdt_probe *probe, int idx)
{
	__u32 id = bpf_sdt_probe__arg_type_id(probe, idx);
	const struct btf_type *t;

	if (!id)
		return 0; /* a dynamic site's register: a u64 */
	t = btf ? btf__type_by_id(btf, btf__resolve_type(btf, id)) : NULL;
	if (t && btf_is_int(t))
		return !!(btf_int_encoding(t) & BTF_INT_SIGNED);
	if (t && btf_is_any_enum(t))
		return btf_kflag(t);
	return -EINVAL;
}

static int find_probe_key(const struct sdt_agg *a, const struct bpf_sdt_probe *probe)
{
	size_t i;

	for (i = 0; i < a->nprobes; i++)
		if (a->probes[i] == probe)
			return (int)i;
	return -ENOENT;
}

static int add_key(const struct sdt_agg *a, __u32 key)
{
	int ncpu = libbpf_num_possible_cpus(), err;
	void *zero;

	if (ncpu < 0)
		return ncpu;
	zero = calloc((size_t)ncpu, value_size(a));
	if (!zero)
		return -ENOMEM;
	err = bpf_map_update_elem(a->fd, &key, zero, BPF_NOEXIST);
	free(zero);
	return err && errno != EEXIST ? -errno : 0;
}

int sdt_agg_add_probe(struct sdt_agg *a, const struct btf *btf, const struct bpf_sdt_probe *probe,
		      char *why, size_t why_size)
{
	const struct bpf_sdt_probe **grown;
	int sign, err = 0;
	size_t i;

	if (a->spec.arg >= bpf_sdt_probe__arg_cnt(probe)) {
		snprintf(why, why_size, "has no arg%d (%d argument%s)", a->spec.arg,
			 bpf_sdt_probe__arg_cnt(probe),
			 bpf_sdt_probe__arg_cnt(probe) == 1 ? "" : "s");
		return -EINVAL;
	}
	sign = arg_signed(btf, probe, a->spec.arg);
	if (sign < 0) {
		snprintf(why, why_size, "arg%d (%s) is not a number", a->spec.arg,
			 bpf_sdt_probe__arg_type_name(probe, a->spec.arg) ?: "?");
		return -EINVAL;
	}
	if (a->spec.hist == BPF_SDT_HIST_LINEAR && !sign && a->spec.min < 0) {
		snprintf(why, why_size, "arg%d (%s) is unsigned: a histogram of it starts at 0 or above",
			 a->spec.arg, bpf_sdt_probe__arg_type_name(probe, a->spec.arg));
		return -EINVAL;
	}
	if (a->spec.per_probe) {
		if (find_probe_key(a, probe) >= 0)
			return 0;
		grown = realloc(a->probes, (a->nprobes + 1) * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		a->probes = grown;
		a->probes[a->nprobes] = probe;
		err = add_key(a, (__u32)a->nprobes);
		if (!err)
			a->nprobes++;
		return err;
	}
	for (i = 0; i < bpf_sdt_probe__site_cnt(probe) && !err; i++)
		err = add_key(a, bpf_sdt_site__id(bpf_sdt_probe__site(probe, i)));
	return err;
}

/* r1 = the bucket of r7 (see the top of the file) */
static void emit_log2_bucket(struct sdt_insn_buf *b, bool is_signed, int to_add)
{
	static const int shifts[] = { 32, 16, 8, 4, 2, 1 };
	size_t i;

	sdt_emit(b, BPF_MOV64_IMM(BPF_REG_1, 0));
	if (is_signed)
		sdt_emit_jmp(b, BPF_JMP_IMM(BPF_JSLT, BPF_REG_7, 0, 0), to_add);
	sdt_emit(b, BPF_MOV64_IMM(BPF_REG_1, 1));
	sdt_emit_jmp(b, BPF_JMP_IMM(BPF_JEQ, BPF_REG_7, 0, 0), to_add);
	sdt_emit(b, BPF_MOV64_REG(BPF_REG_2, BPF_REG_7));
	sdt_emit(b, BPF_MOV64_IMM(BPF_REG_1, 2));
	for (i = 0; i < sizeof(shifts) / sizeof(shifts[0]); i++) {
		sdt_emit(b, BPF_MOV64_REG(BPF_REG_3, BPF_REG_2));
		sdt_emit(b, BPF_ALU64_IMM(BPF_RSH, BPF_REG_3, shifts[i]));
		sdt_emit(b, BPF_JMP_IMM(BPF_JEQ, BPF_REG_3, 0, 2));
		sdt_emit(b, BPF_MOV64_REG(BPF_REG_2, BPF_REG_3));
		sdt_emit(b, BPF_ALU64_IMM(BPF_ADD, BPF_REG_1, shifts[i]));
	}
}

static void emit_linear_bucket(const struct sdt_agg *a, struct sdt_insn_buf *b, bool is_signed,
			       int to_add)
{
	sdt_emit_ld_imm64(b, BPF_REG_2, 0, (__u64)a->spec.min);
	sdt_emit(b, BPF_MOV64_IMM(BPF_REG_1, 0));
	sdt_emit_jmp(b, BPF_JMP_REG(is_signed ? BPF_JSLT : BPF_JLT, BPF_REG_7, BPF_REG_2, 0),
		     to_add);
	sdt_emit_ld_imm64(b, BPF_REG_2, 0, (__u64)a->spec.max);
	sdt_emit(b, BPF_MOV64_IMM(BPF_REG_1, (__s32)a->bucket_cnt - 1));
	sdt_emit_jmp(b, BPF_JMP_REG(is_signed ? BPF_JSGE : BPF_JGE, BPF_REG_7, BPF_REG_2, 0),
		     to_add);
	sdt_emit(b, BPF_MOV64_REG(BPF_REG_1, BPF_REG_7));
	sdt_emit_ld_imm64(b, BPF_REG_2, 0, (__u64)a->spec.min);
	sdt_emit(b, BPF_ALU64_REG(BPF_SUB, BPF_REG_1, BPF_REG_2));
	sdt_emit_ld_imm64(b, BPF_REG_2, 0, (__u64)a->spec.step);
	sdt_emit(b, BPF_ALU64_REG(BPF_DIV, BPF_REG_1, BPF_REG_2));
	sdt_emit(b, BPF_ALU64_IMM(BPF_ADD, BPF_REG_1, 1));
}

void sdt_agg_emit(const struct sdt_agg *a, struct sdt_insn_buf *b, const struct btf *btf,
		  const struct bpf_sdt_probe *probe)
{
	int nargs = bpf_sdt_probe__arg_cnt(probe), key = find_probe_key(a, probe);
	bool is_signed = arg_signed(btf, probe, a->spec.arg) > 0;
	int missing = sdt_label_new(b), have_count = sdt_label_new(b), to_hist = sdt_label_new(b);
	int to_add = sdt_label_new(b), out = sdt_label_new(b);
	int lt = is_signed ? BPF_JSLT : BPF_JLT, gt = is_signed ? BPF_JSGT : BPF_JGT;

	sdt_emit(b, BPF_LDX_MEM(BPF_DW, BPF_REG_7, BPF_REG_6, 8 * a->spec.arg));
	if (a->spec.per_probe) {
		sdt_emit(b, BPF_ST_MEM(BPF_W, BPF_REG_10, -4, key));
	} else {
		sdt_emit(b, BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_6, 8 * SDT_SLOT_SITE(nargs)));
		sdt_emit(b, BPF_STX_MEM(BPF_W, BPF_REG_10, BPF_REG_1, -4));
	}
	sdt_emit(b, BPF_MOV64_REG(BPF_REG_2, BPF_REG_10));
	sdt_emit(b, BPF_ALU64_IMM(BPF_ADD, BPF_REG_2, -4));
	sdt_emit_ld_imm64(b, BPF_REG_1, BPF_PSEUDO_MAP_FD, (__u32)a->fd);
	sdt_emit(b, BPF_EMIT_CALL(sdt_helper_id("bpf_map_lookup_elem")));
	sdt_emit_jmp(b, BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 0), missing);
	sdt_emit(b, BPF_MOV64_REG(BPF_REG_8, BPF_REG_0));
	/* count and sum */
	sdt_emit(b, BPF_LDX_MEM(BPF_DW, BPF_REG_9, BPF_REG_8, 0));
	sdt_emit(b, BPF_MOV64_REG(BPF_REG_1, BPF_REG_9));
	sdt_emit(b, BPF_ALU64_IMM(BPF_ADD, BPF_REG_1, 1));
	sdt_emit(b, BPF_STX_MEM(BPF_DW, BPF_REG_8, BPF_REG_1, 0));
	sdt_emit(b, BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_8, 8));
	sdt_emit(b, BPF_ALU64_REG(BPF_ADD, BPF_REG_1, BPF_REG_7));
	sdt_emit(b, BPF_STX_MEM(BPF_DW, BPF_REG_8, BPF_REG_1, 8));
	/* min and max: the first value sets both */
	sdt_emit_jmp(b, BPF_JMP_IMM(BPF_JNE, BPF_REG_9, 0, 0), have_count);
	sdt_emit(b, BPF_STX_MEM(BPF_DW, BPF_REG_8, BPF_REG_7, 16));
	sdt_emit(b, BPF_STX_MEM(BPF_DW, BPF_REG_8, BPF_REG_7, 24));
	sdt_emit_jmp(b, BPF_JMP_A(0), to_hist);
	sdt_label_place(b, have_count);
	sdt_emit(b, BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_8, 16));
	sdt_emit(b, BPF_JMP_REG(lt, BPF_REG_7, BPF_REG_1, 1) /* below min */);
	sdt_emit(b, BPF_JMP_A(1));
	sdt_emit(b, BPF_STX_MEM(BPF_DW, BPF_REG_8, BPF_REG_7, 16));
	sdt_emit(b, BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_8, 24));
	sdt_emit(b, BPF_JMP_REG(gt, BPF_REG_7, BPF_REG_1, 1) /* above max */);
	sdt_emit(b, BPF_JMP_A(1));
	sdt_emit(b, BPF_STX_MEM(BPF_DW, BPF_REG_8, BPF_REG_7, 24));
	sdt_label_place(b, to_hist);
	if (a->spec.hist == BPF_SDT_HIST_LOG2)
		emit_log2_bucket(b, is_signed, to_add);
	else if (a->spec.hist == BPF_SDT_HIST_LINEAR)
		emit_linear_bucket(a, b, is_signed, to_add);
	if (a->spec.hist != BPF_SDT_HIST_NONE) {
		sdt_label_place(b, to_add);
		/* buckets[r1] += 1, r1 bounded for the verifier */
		sdt_emit_jmp(b, BPF_JMP_IMM(BPF_JGT, BPF_REG_1, (__s32)a->bucket_cnt - 1, 0), out);
		sdt_emit(b, BPF_ALU64_IMM(BPF_LSH, BPF_REG_1, 3));
		sdt_emit(b, BPF_ALU64_REG(BPF_ADD, BPF_REG_1, BPF_REG_8));
		sdt_emit(b, BPF_LDX_MEM(BPF_DW, BPF_REG_2, BPF_REG_1, 8 * AGG_HDR_SLOTS));
		sdt_emit(b, BPF_ALU64_IMM(BPF_ADD, BPF_REG_2, 1));
		sdt_emit(b, BPF_STX_MEM(BPF_DW, BPF_REG_1, BPF_REG_2, 8 * AGG_HDR_SLOTS));
		sdt_label_place(b, out);
	}
	sdt_label_place(b, missing);
}

static bool less(__u64 x, __u64 y, bool is_signed)
{
	return is_signed ? (__s64)x < (__s64)y : x < y;
}

int sdt_agg_read(const struct sdt_agg *a, const struct btf *btf,
		 const struct bpf_sdt_probe *probe, const struct bpf_sdt_site *site,
		 struct bpf_sdt_agg_value *out)
{
	int ncpu = libbpf_num_possible_cpus(), c, err = 0;
	__u32 key, vs = value_size(a) / 8, i;
	__u64 *vals;

	memset(out, 0, sizeof(*out));
	if (a->spec.per_probe) {
		int k = find_probe_key(a, probe ? probe : site ? bpf_sdt_site__probe(site) : NULL);

		if (k < 0)
			return k;
		key = (__u32)k;
	} else {
		if (!site)
			return -ENOENT;
		key = bpf_sdt_site__id(site);
		probe = bpf_sdt_site__probe(site);
	}
	if (ncpu < 0)
		return ncpu;
	vals = calloc((size_t)ncpu, value_size(a));
	if (!vals)
		return -ENOMEM;
	if (bpf_map_lookup_elem(a->fd, &key, vals)) {
		free(vals);
		return errno == ENOENT ? -ENOENT : -errno;
	}
	out->is_signed = arg_signed(btf, probe, a->spec.arg) > 0;
	out->bucket_cnt = a->bucket_cnt;
	for (c = 0; c < ncpu; c++) {
		const __u64 *v = vals + (size_t)c * vs;

		if (!v[0])
			continue;
		if (!out->count || less(v[2], out->min, out->is_signed))
			out->min = v[2];
		if (!out->count || less(out->max, v[3], out->is_signed))
			out->max = v[3];
		out->count += v[0];
		out->sum += v[1];
		for (i = 0; i < a->bucket_cnt; i++)
			out->buckets[i] += v[AGG_HDR_SLOTS + i];
	}
	free(vals);
	return err;
}
