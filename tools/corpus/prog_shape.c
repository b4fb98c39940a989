// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * What a program is made of, from the instructions libbpf hands the kernel
 * (relocated: subprograms appended, calls resolved) and, once loaded, from
 * what the kernel says about it. The features are the shapes an armed copy
 * must survive: tail calls, callbacks, global functions the verifier checks
 * on their own, spin-locked regions, dynptrs, kfuncs, LD_ABS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include "classify.h"

#define MAX_FUNCS 4096

static const char *const feature_names[] = {
	"tail_call", "bpf_loop", "callback", "global_func", "spin_lock",
	"dynptr", "kfunc", "ld_abs", "atomic", "may_goto",
};

static bool is_dynptr_helper(__s32 id)
{
	switch (id) {
	case BPF_FUNC_dynptr_from_mem:
	case BPF_FUNC_ringbuf_reserve_dynptr:
	case BPF_FUNC_ringbuf_submit_dynptr:
	case BPF_FUNC_ringbuf_discard_dynptr:
	case BPF_FUNC_dynptr_read:
	case BPF_FUNC_dynptr_write:
	case BPF_FUNC_dynptr_data:
	case BPF_FUNC_user_ringbuf_drain:
		return true;
	default:
		return false;
	}
}

static unsigned int helper_features(__s32 id)
{
	if (id == BPF_FUNC_tail_call)
		return FEAT_TAIL_CALL;
	if (id == BPF_FUNC_loop)
		return FEAT_BPF_LOOP;
	if (id == BPF_FUNC_spin_lock)
		return FEAT_SPIN_LOCK;
	return is_dynptr_helper(id) ? FEAT_DYNPTR : 0;
}

/* kfuncs are named by their BTF id in the kernel's BTF (off 0) or in a
 * module's (off > 0: not ours to name). */
static unsigned int kfunc_features(const struct bpf_insn *insn, const struct btf *kernel_btf)
{
	const struct btf_type *t;
	const char *name;

	if (insn->off || !kernel_btf)
		return FEAT_KFUNC;
	t = btf__type_by_id(kernel_btf, insn->imm);
	name = t ? btf__name_by_offset(kernel_btf, t->name_off) : NULL;
	if (name && !strncmp(name, "bpf_dynptr_", 11))
		return FEAT_KFUNC | FEAT_DYNPTR;
	if (name && strstr(name, "spin_lock"))
		return FEAT_KFUNC | FEAT_SPIN_LOCK;
	return FEAT_KFUNC;
}

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

void prog_shape_scan(const struct bpf_insn *insns, size_t cnt, const struct btf *kernel_btf,
		     struct prog_shape *shape)
{
	__u32 *starts = malloc(MAX_FUNCS * sizeof(*starts));
	size_t nstarts = 0, i, distinct = 0;

	memset(shape, 0, sizeof(*shape));
	shape->insns = cnt;
	for (i = 0; insns && i < cnt; i++) {
		const struct bpf_insn *in = &insns[i];
		__u8 cls = BPF_CLASS(in->code);
		long target = -1;

		if (in->code == (BPF_JMP | BPF_CALL)) {
			if (in->src_reg == BPF_PSEUDO_CALL)
				target = (long)i + in->imm + 1;
			else if (in->src_reg == BPF_PSEUDO_KFUNC_CALL)
				shape->features |= kfunc_features(in, kernel_btf);
			else
				shape->features |= helper_features(in->imm);
		} else if (in->code == (BPF_LD | BPF_IMM | BPF_DW)) {
			if (in->src_reg == BPF_PSEUDO_FUNC) {
				target = (long)i + in->imm + 1;
				shape->features |= FEAT_CALLBACK;
			}
			i++; /* the second half is not an instruction */
		} else if (cls == BPF_LD && (BPF_MODE(in->code) == BPF_ABS ||
					     BPF_MODE(in->code) == BPF_IND)) {
			shape->features |= FEAT_LD_ABS;
		} else if ((cls == BPF_STX) && BPF_MODE(in->code) == BPF_ATOMIC) {
			shape->features |= FEAT_ATOMIC;
		} else if (in->code == (BPF_JMP | 0xe0 /* BPF_JCOND */)) {
			shape->features |= FEAT_MAY_GOTO;
		}
		if (target > 0 && (size_t)target < cnt && starts && nstarts < MAX_FUNCS)
			starts[nstarts++] = target;
	}
	if (starts && nstarts) {
		qsort(starts, nstarts, sizeof(*starts), cmp_u32);
		for (i = 0; i < nstarts; i++)
			distinct += !i || starts[i] != starts[i - 1];
	}
	shape->subprogs = 1 + distinct;
	free(starts);
}

void prog_shape_add_loaded(int prog_fd, const struct btf *obj_btf, struct prog_shape *shape)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), n, i;
	struct bpf_func_info *fi;

	if (prog_fd < 0 || !obj_btf || bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return;
	n = info.nr_func_info;
	if (!n || info.func_info_rec_size != sizeof(*fi))
		return;
	fi = calloc(n, sizeof(*fi));
	if (!fi)
		return;
	memset(&info, 0, sizeof(info));
	info.nr_func_info = n;
	info.func_info_rec_size = sizeof(*fi);
	info.func_info = (__u64)(unsigned long)fi;
	len = sizeof(info);
	if (!bpf_obj_get_info_by_fd(prog_fd, &info, &len)) {
		/* The program's BTF is the object's: same type ids. A FUNC's
		 * vlen is its linkage. */
		for (i = 1; i < n; i++) {
			const struct btf_type *t = btf__type_by_id(obj_btf, fi[i].type_id);

			if (t && btf_is_func(t) && btf_vlen(t) == BTF_FUNC_GLOBAL)
				shape->features |= FEAT_GLOBAL_FUNC;
		}
		shape->subprogs = n;
	}
	free(fi);
}

const char *prog_features_str(unsigned int features, char *buf, size_t size)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof(feature_names) / sizeof(feature_names[0]); i++) {
		if (!(features & (1U << i)))
			continue;
		used += snprintf(buf + used, used < size ? size - used : 0, "%s%s",
				 used ? "," : "", feature_names[i]);
	}
	if (!used)
		snprintf(buf, size, "-");
	return buf;
}
